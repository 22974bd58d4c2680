/*
 * test_public.c - the public contract (include/mpic/) as a program uses
 * it: linked to libmpic.so and including only <mpic/mpic.h>, as mpicd
 * does (issue 13 point 6).  The typed answer (mpic_engine_request) says
 * what the JSON body says; the engine's stats count the checks; a
 * perspective serves one perspective-API request (mpic_persp_serve); the
 * settings of a configuration.
 *
 * No network: in-process perspectives check CAA for an IP address, which
 * has no CAA step (the check passes at once), and acme-http-01 for a
 * documentation address, which the SSRF guard refuses before any
 * connection (the check fails at once).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <jansson.h>

#include <mpic/mpic.h>

/* What a callback was given, copied (the answer lives only during it). */
struct got {
	int calls;
	int status;
	char body[8192];
	bool valid, passed, completed;
	char check_type[16], method[64], trace[64], audit_id[64];
	size_t n_persp;
	char codes[4][64], rirs[4][32];
	enum mpic_outcome outcomes[4];
};

static void
copy(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s != NULL ? s : "(null)");
}

static void
on_answer(void *arg, const struct mpic_answer *a)
{
	struct got *g = arg;
	size_t i;

	g->calls++;
	g->status = a->status;
	assert_int_equal(a->len, strlen(a->body));
	snprintf(g->body, sizeof(g->body), "%s", a->body);
	g->valid = a->valid;
	copy(g->check_type, sizeof(g->check_type), a->check_type);
	copy(g->method, sizeof(g->method), a->method);
	copy(g->trace, sizeof(g->trace), a->trace_id);
	copy(g->audit_id, sizeof(g->audit_id), a->audit_id);
	g->n_persp = a->n_persp;
	for (i = 0; i < a->n_persp && i < 4; i++) {
		copy(g->codes[i], sizeof(g->codes[i]), a->persp[i].code);
		copy(g->rirs[i], sizeof(g->rirs[i]), a->persp[i].rir);
		g->outcomes[i] = a->persp[i].outcome;
	}
}

static void
on_persp(void *arg, const struct mpic_persp_answer *a)
{
	struct got *g = arg;

	g->calls++;
	g->status = a->status;
	assert_int_equal(a->len, strlen(a->body));
	snprintf(g->body, sizeof(g->body), "%s", a->body);
	g->passed = a->passed;
	g->completed = a->completed;
	copy(g->check_type, sizeof(g->check_type), a->check_type);
	copy(g->method, sizeof(g->method), a->method);
	copy(g->trace, sizeof(g->trace), a->trace_id);
}

static void
pump(struct event_base *base, const struct got *g)
{
	time_t until = time(NULL) + 10;

	while (g->calls == 0) {
		assert_true(time(NULL) < until);
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	}
	assert_int_equal(g->calls, 1);
}

/* acme-http-01: a token of 22 or more characters, its key
 * authorization the token, "." and 43 base64url characters */
#define TOKEN "\"abcdefghijklmnopqrstuvwx\""
#define KEYAUTH "\"abcdefghijklmnopqrstuvwx.0123456789abcdefghijABCDEFGHIJ-_0123456789a\""

static const char coord_yaml[] =
    "role: all-in-one\n"
    "perspectives:\n"
    "  - {code: us-east-1, rir: ARIN, location: {lat: 38.9, lon: -77.4}}\n"
    "  - {code: eu-west-1, rir: RIPE NCC, location: {lat: 53.3, "
    "lon: -6.3}}\n"
    "orchestration: {br_minimums: lab, default_perspective_count: 2}\n"
    "audit: {path: %s}\n";

struct fix {
	char dir[64], path[128];
	struct event_base *base;
	struct mpic_config *cfg;
	struct mpic_engine *eng;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	char yaml[1024], err[1024] = "";

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mpic-public.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/audit.jsonl", f->dir);
	assert_non_null(f->base = event_base_new());
	snprintf(yaml, sizeof(yaml), coord_yaml, f->path);
	if (mpic_config_parse(yaml, strlen(yaml), "test", &f->cfg, err,
	    sizeof(err)) != 0)
		fail_msg("config: %s", err);
	if (mpic_engine_new(f->base, f->cfg, &f->eng, err, sizeof(err)) != 0)
		fail_msg("engine: %s", err);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	mpic_engine_free(f->eng);
	mpic_config_free(f->cfg);
	unlink(f->path);
	rmdir(f->dir);
	event_base_free(f->base);
	free(f);
	return 0;
}

/* The typed answer of a 200 says what its body says. */
static void
test_answer_matches_body(void **state)
{
	static const char req[] = "{\"check_type\":\"caa\","
	    "\"domain_or_ip_target\":\"192.0.2.7\","
	    "\"trace_identifier\":\"pub-1\"}";
	struct fix *f = *state;
	struct got g = {0};
	json_t *o, *ps, *p;
	size_t i;

	assert_int_equal(mpic_engine_request(f->eng, req, strlen(req),
	    time(NULL), on_answer, &g), 0);
	pump(f->base, &g);
	assert_int_equal(g.status, 200);
	assert_non_null(o = json_loads(g.body, 0, NULL));
	assert_true(g.valid);
	assert_true(json_is_true(json_object_get(o, "is_valid")));
	assert_string_equal(g.check_type, "caa");
	assert_string_equal(g.check_type,
	    json_string_value(json_object_get(o, "check_type")));
	assert_string_equal(g.method, "(null)");
	assert_string_equal(g.trace, "pub-1");
	assert_string_equal(g.audit_id,
	    json_string_value(json_object_get(o, "audit_id")));
	ps = json_object_get(o, "perspectives");
	assert_int_equal(g.n_persp, json_array_size(ps));
	assert_int_equal(g.n_persp, 2);
	for (i = 0; i < g.n_persp; i++) {
		p = json_array_get(ps, i);
		assert_string_equal(g.codes[i], json_string_value(
		    json_object_get(p, "perspective_code")));
		assert_string_equal(g.rirs[i], json_string_value(
		    json_object_get(json_object_get(p, "check_response"),
		    "rir")));
		assert_int_equal(g.outcomes[i], MPIC_OUTCOME_PASSED);
	}
	json_decref(o);
}

/* A DCV answer names its method; checks that fail are FAILED or ERROR. */
static void
test_answer_dcv(void **state)
{
	static const char req[] = "{\"check_type\":\"dcv\","
	    "\"domain_or_ip_target\":\"192.0.2.7\",\"dcv_check_parameters\":"
	    "{\"validation_method\":\"acme-http-01\",\"token\":" TOKEN ","
	    "\"key_authorization\":" KEYAUTH "}}";
	struct fix *f = *state;
	struct got g = {0};
	size_t i;

	assert_int_equal(mpic_engine_request(f->eng, req, strlen(req),
	    time(NULL), on_answer, &g), 0);
	pump(f->base, &g);
	if (g.status != 200)
		fail_msg("%d %s", g.status, g.body);
	assert_false(g.valid);
	assert_string_equal(g.check_type, "dcv");
	assert_string_equal(g.method, "acme-http-01");
	assert_string_equal(g.trace, "(null)");
	assert_int_equal(g.n_persp, 2);
	for (i = 0; i < g.n_persp; i++)
		assert_true(g.outcomes[i] == MPIC_OUTCOME_FAILED ||
		    g.outcomes[i] == MPIC_OUTCOME_ERROR);
}

/* A refused request: its status and body, no facts. */
static void
test_answer_refused(void **state)
{
	static const char req[] = "{\"check_type\":\"caa\"}";
	struct fix *f = *state;
	struct got g = {0};

	assert_int_equal(mpic_engine_request(f->eng, req, strlen(req),
	    time(NULL), on_answer, &g), 0);
	pump(f->base, &g);
	assert_int_equal(g.status, 400);
	assert_non_null(strstr(g.body, "validation_issues"));
	assert_string_equal(g.check_type, "(null)");
	assert_string_equal(g.audit_id, "(null)");
	assert_int_equal(g.n_persp, 0);
}

/* The stats count the checks the engine saw; the audit log's too. */
static void
test_stats(void **state)
{
	static const char req[] = "{\"check_type\":\"caa\","
	    "\"domain_or_ip_target\":\"192.0.2.9\"}";
	struct fix *f = *state;
	const struct mpic_persp_stats *st;
	const struct mpic_audit_stats *au;
	struct got g = {0};
	uint64_t passed = 0;
	size_t i;

	assert_int_equal(mpic_engine_persp_count(f->eng), 2);
	assert_null(mpic_engine_persp_stats(f->eng, 2));
	assert_null(mpic_engine_primary_stats(f->eng));
	assert_non_null(st = mpic_engine_persp_stats(f->eng, 0));
	assert_string_equal(st->code, "us-east-1");
	assert_string_equal(st->rir, "ARIN");
	assert_false(st->remote);
	assert_int_equal(st->n_passed, 0);
	assert_int_equal(mpic_engine_request(f->eng, req, strlen(req),
	    time(NULL), on_answer, &g), 0);
	pump(f->base, &g);
	assert_int_equal(g.status, 200);
	for (i = 0; i < 2; i++) {
		assert_non_null(st = mpic_engine_persp_stats(f->eng, i));
		passed += st->n_passed;
		assert_int_equal(st->n_failed + st->n_errors, 0);
	}
	assert_int_equal(passed, 2);
	assert_string_equal(mpic_engine_persp_stats(f->eng, 1)->rir,
	    "RIPE NCC");
	assert_non_null(au = mpic_engine_audit_stats(f->eng));
	assert_int_equal(au->failed, 0);
	assert_false(au->stalled);
	assert_true(au->records >= 3);  /* two checks and the decision */
}

/* The settings a program reads, and the audit path it may change. */
static void
test_settings(void **state)
{
	struct fix *f = *state;
	const struct mpic_settings *s = mpic_config_settings(f->cfg);

	assert_int_equal(s->role, MPIC_ROLE_ALL_IN_ONE);
	assert_int_equal(s->n_perspectives, 2);
	assert_string_equal(s->perspectives[1].code, "eu-west-1");
	assert_string_equal(s->perspectives[1].rir, "RIPE NCC");
	assert_null(s->perspectives[1].url);
	assert_true(s->perspectives[0].lat > 38.8 &&
	    s->perspectives[0].lat < 39.0);
	assert_string_equal(s->audit_path, f->path);
	assert_true(s->br_lab);
	assert_int_equal(s->default_perspective_count, 2);
	assert_int_equal(mpic_config_set_audit_path(f->cfg, "/tmp/x.w1"), 0);
	assert_string_equal(mpic_config_settings(f->cfg)->audit_path,
	    "/tmp/x.w1");
	assert_int_equal(mpic_dcv_method_count(), MPIC_DCV_METHODS);
	assert_string_equal(mpic_dcv_method_name(1), "acme-http-01");
	assert_null(mpic_dcv_method_name(MPIC_DCV_METHODS));
}

/* A perspective serves the perspective API: body in, answer out. */
static void
test_persp_serve(void **state)
{
	static const char yaml[] =
	    "role: perspective\n"
	    "listen: 127.0.0.1:8443\n"
	    "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem}\n"
	    "identity: {code: ap-south-1, rir: APNIC, location: {lat: 19.1, "
	    "lon: 72.9}}\n";
	static const char caa[] = "{\"domain_or_ip_target\":\"192.0.2.7\","
	    "\"trace_identifier\":\"p-1\"}";
	static const char dcv[] = "{\"domain_or_ip_target\":\"192.0.2.7\","
	    "\"dcv_check_parameters\":{\"validation_method\":"
	    "\"acme-http-01\",\"token\":" TOKEN ",\"key_authorization\":"
	    KEYAUTH "}}";
	struct event_base *base = event_base_new();
	struct mpic_config *cfg = NULL;
	struct mpic_persp *p = NULL;
	struct got g;
	char err[1024] = "";
	json_t *o;

	(void)state;
	assert_non_null(base);
	if (mpic_config_parse(yaml, strlen(yaml), "test", &cfg, err,
	    sizeof(err)) != 0)
		fail_msg("config: %s", err);
	assert_int_equal(mpic_config_settings(cfg)->role,
	    MPIC_ROLE_PERSPECTIVE);
	assert_string_equal(mpic_config_settings(cfg)->identity.rir, "APNIC");
	if (mpic_persp_new(base, cfg, &p, err, sizeof(err)) != 0)
		fail_msg("perspective: %s", err);
	/* CAA: passes, the answer names the perspective */
	memset(&g, 0, sizeof(g));
	assert_int_equal(mpic_persp_serve(p, "caa", caa, strlen(caa),
	    time(NULL), NULL, on_persp, &g), 0);
	pump(base, &g);
	assert_int_equal(g.status, 200);
	assert_true(g.passed);
	assert_true(g.completed);
	assert_string_equal(g.check_type, "caa");
	assert_string_equal(g.method, "(null)");
	assert_string_equal(g.trace, "p-1");
	assert_non_null(o = json_loads(g.body, 0, NULL));
	assert_string_equal(json_string_value(json_object_get(o,
	    "perspective_code")), "ap-south-1");
	assert_string_equal(json_string_value(json_object_get(o, "rir")),
	    "APNIC");
	assert_string_equal(json_string_value(json_object_get(o,
	    "check_type")), "caa");
	assert_true(json_is_true(json_object_get(o, "check_passed")));
	json_decref(o);
	/* DCV: fails (refused address), names its method */
	memset(&g, 0, sizeof(g));
	assert_int_equal(mpic_persp_serve(p, "dcv", dcv, strlen(dcv),
	    time(NULL), NULL, on_persp, &g), 0);
	pump(base, &g);
	assert_int_equal(g.status, 200);
	assert_false(g.passed);
	assert_string_equal(g.check_type, "dcv");
	assert_string_equal(g.method, "acme-http-01");
	/* refused at once: 400 with the issues, no facts */
	memset(&g, 0, sizeof(g));
	assert_int_equal(mpic_persp_serve(p, "caa", "{", 1, time(NULL),
	    NULL, on_persp, &g), 0);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.status, 400);
	assert_non_null(strstr(g.body, "validation_issues"));
	assert_string_equal(g.check_type, "(null)");
	/* not a check type: no callback */
	memset(&g, 0, sizeof(g));
	assert_int_equal(mpic_persp_serve(p, "mpic", caa, strlen(caa),
	    time(NULL), NULL, on_persp, &g), MPIC_EINVAL);
	assert_int_equal(g.calls, 0);
	mpic_persp_free(p);
	mpic_config_free(cfg);
	event_base_free(base);
}

/* The error list and the one-issue body. */
static void
test_errors(void **state)
{
	char *b;

	(void)state;
	assert_string_equal(mpic_strerror(MPIC_ETOOBIG),
	    "input exceeds a limit");
	assert_non_null(b = mpic_issue_body("http-error", "Bad Request"));
	assert_string_equal(b, "{\"error\":\"request-validation-failed\","
	    "\"validation_issues\":[{\"issue_type\":\"http-error\","
	    "\"message\":\"Bad Request\"}]}");
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answer_matches_body,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_dcv, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_answer_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings, setup,
		    teardown),
		cmocka_unit_test(test_persp_serve),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
