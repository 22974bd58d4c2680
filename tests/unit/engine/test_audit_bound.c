/*
 * test_audit_bound.c - the engine's bound on the wait for the audit log
 * (audit.sync_timeout_ms): a stuck fdatasync (the log's stall hook) makes
 * the answer a 500 naming the cause once the bound passes, new requests a
 * 503 at once; the records stay queued and are written in order, and
 * answers are given again when the disk answers.  Also the queue bound
 * (503) and a failed write (500, for good).
 *
 * No network: two in-process perspectives check CAA for an IP address,
 * which has no CAA step (the check passes at once).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "engine/audit_info.h"
#include "audit/audit.h"

struct fix {
	char dir[64];
	char path[128];
	struct event_base *base;
	struct mpic_config *cfg;
	struct mpic_engine *eng;
	int notices[3];
	uint64_t notice_refused;
};

struct answer {
	int calls;
	int status;
	char body[4096];
};

static void
on_notice(void *arg, enum mpic_audit_notice what, uint64_t ms,
	  uint64_t refused)
{
	struct fix *f = arg;

	(void)ms;
	f->notices[what]++;
	if (what == MPIC_AUDIT_N_RECOVERED)
		f->notice_refused = refused;
}

static void
start(struct fix *f, unsigned sync_timeout_ms)
{
	char yaml[1024], err[1024] = "";

	snprintf(yaml, sizeof(yaml),
	    "role: all-in-one\n"
	    "perspectives:\n"
	    "  - {code: us-east-1, rir: ARIN, location: {lat: 38.9, "
	    "lon: -77.4}}\n"
	    "  - {code: eu-west-1, rir: RIPE NCC, location: {lat: 53.3, "
	    "lon: -6.3}}\n"
	    "orchestration: {br_minimums: lab, default_perspective_count: 2}\n"
	    "audit: {path: %s, sync_timeout_ms: %u}\n", f->path,
	    sync_timeout_ms);
	if (mpic_config_parse(yaml, strlen(yaml), "test", &f->cfg, err,
	    sizeof(err)) != 0)
		fail_msg("config: %s", err);
	if (mpic_engine_new(f->base, f->cfg, &f->eng, err, sizeof(err)) != 0)
		fail_msg("engine: %s", err);
	mpic_engine_audit_notice(f->eng, on_notice, f);
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mpic-abound.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/audit.jsonl", f->dir);
	f->base = event_base_new();
	assert_non_null(f->base);
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

static void
on_answer(void *arg, int status, const char *body, size_t len)
{
	struct answer *a = arg;

	a->calls++;
	a->status = status;
	snprintf(a->body, sizeof(a->body), "%.*s", (int)len, body);
}

static void
submit(struct fix *f, const char *trace, struct answer *a)
{
	char body[256];

	memset(a, 0, sizeof(*a));
	snprintf(body, sizeof(body), "{\"check_type\":\"caa\","
	    "\"domain_or_ip_target\":\"192.0.2.7\",\"trace_identifier\":"
	    "\"%s\"}", trace);
	assert_int_equal(mpic_engine_submit(f->eng, body, strlen(body),
	    time(NULL), on_answer, a), 0);
}

/* Run the loop until a is answered (at most 10 s). */
static void
pump_answer(struct fix *f, struct answer *a)
{
	uint64_t until = mpic__now_mono_ms() + 10000;

	while (a->calls == 0) {
		assert_true(mpic__now_mono_ms() < until);
		assert_int_equal(event_base_loop(f->base, EVLOOP_ONCE), 0);
	}
	assert_int_equal(a->calls, 1);
}

/* Run the loop until nothing is in flight (records durable). */
static void
pump_idle(struct fix *f)
{
	uint64_t until = mpic__now_mono_ms() + 10000;

	while (mpic_engine_inflight(f->eng) > 0) {
		assert_true(mpic__now_mono_ms() < until);
		assert_int_equal(event_base_loop(f->base, EVLOOP_ONCE), 0);
	}
}

static const char *
message(const struct answer *a)
{
	static char m[1024];
	json_t *o = json_loads(a->body, 0, NULL);

	assert_non_null(o);
	snprintf(m, sizeof(m), "%s: %s", json_string_value(json_object_get(o,
	    "error")), json_string_value(json_object_get(o, "message")));
	json_decref(o);
	return m;
}

static void
expect_in(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("\"%s\" not in \"%s\"", needle, hay);
}

/* The log's lines as JSON objects, verified first. */
static json_t *
log_records(struct fix *f, uint64_t want)
{
	struct mpic_audit_report rep;
	json_t *all = json_array(), *o;
	char line[70000];
	FILE *fp;

	assert_int_equal(mpic_audit_verify(f->path, &rep), 0);
	assert_int_equal(rep.records, want);
	fp = fopen(f->path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		o = json_loads(line, 0, NULL);
		assert_non_null(o);
		json_array_append_new(all, o);
	}
	fclose(fp);
	return all;
}

static const char *
field(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v != NULL ? v : "";
}

static void
test_stall_then_recovery(void **state)
{
	struct fix *f = *state;
	struct mpic_audit_stats ai;
	struct answer a1, a2, a3, a4;
	json_t *recs, *o;
	uint64_t t0, ms;
	size_t i;
	int order[4] = {0}, n = 0;

	start(f, 300);
	submit(f, "t1", &a1);
	pump_answer(f, &a1);
	assert_int_equal(a1.status, 200);
	assert_true(mpic__engine_audit_info(f->eng, &ai));
	assert_false(ai.stalled);
	assert_int_equal(ai.sync_timeout_ms, 300);

	/* The disk stops answering fdatasync. */
	mpic__audit_test_stall(mpic__engine_audit(f->eng), true);
	t0 = mpic__now_mono_ms();
	submit(f, "t2", &a2);
	pump_answer(f, &a2);
	ms = mpic__now_mono_ms() - t0;
	assert_int_equal(a2.status, 500);
	expect_in(message(&a2), "internal-error: the audit log was not "
	    "durable within 300 ms");
	assert_true(ms >= 300 && ms < 3000);
	assert_null(strstr(a2.body, "audit_id"));
	assert_true(mpic__engine_audit_info(f->eng, &ai));
	assert_true(ai.stalled);
	/* whole ms on both ends: a bound just passed may read 299 */
	assert_true(ai.waiting_ms >= 299);
	assert_true(ai.io_ms > 0);
	assert_int_equal(ai.pending, 3);
	assert_int_equal(ai.failed, 0);
	assert_int_equal(ai.refused[MPIC_AUDIT_R_TIMEOUT], 1);
	assert_int_equal(f->notices[MPIC_AUDIT_N_STALLED], 1);
	/* answered, but in flight until its records are durable */
	assert_int_equal(mpic_engine_inflight(f->eng), 1);

	/* While stalled: refused at once, before any check runs. */
	submit(f, "t3", &a3);
	assert_int_equal(a3.calls, 1);
	assert_int_equal(a3.status, 503);
	expect_in(message(&a3), "service-unavailable: the audit log is "
	    "stalled");
	assert_true(mpic__engine_audit_info(f->eng, &ai));
	assert_int_equal(ai.refused[MPIC_AUDIT_R_STALLED], 1);
	assert_int_equal(ai.pending, 3);
	assert_int_equal(f->notices[MPIC_AUDIT_N_STALLED], 1);
	assert_int_equal(f->notices[MPIC_AUDIT_N_RECOVERED], 0);

	/* The disk answers: t2's records are written, nothing lost. */
	mpic__audit_test_stall(mpic__engine_audit(f->eng), false);
	pump_idle(f);
	assert_true(mpic__engine_audit_info(f->eng, &ai));
	assert_false(ai.stalled);
	assert_int_equal(ai.pending, 0);
	assert_int_equal(ai.waiting_ms, 0);
	assert_int_equal(f->notices[MPIC_AUDIT_N_RECOVERED], 1);
	assert_int_equal(f->notice_refused, 2);

	/* Nothing was lost, so answers are given again. */
	submit(f, "t4", &a4);
	pump_answer(f, &a4);
	assert_int_equal(a4.status, 200);
	pump_idle(f);
	mpic_engine_free(f->eng);
	f->eng = NULL;

	/* t1, t2 and t4, each 2 perspective records and a decision, in
	 * order; t3 ran nothing and logged nothing. */
	recs = log_records(f, 9);
	json_array_foreach(recs, i, o) {
		if (strcmp(field(o, "type"), "decision") == 0)
			order[n++] = field(o, "trace_identifier")[1] - '0';
	}
	assert_int_equal(n, 3);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 4);
	json_decref(recs);
}

static void
filler_done(void *arg, int err, uint64_t seq)
{
	int *n = arg;

	(void)seq;
	if (err == 0)
		(*n)++;
}

/* A queue filled while the writer is held: 503 naming the queue, no hang;
 * with a long bound the log is not yet "stalled". */
static void
test_queue_full(void **state)
{
	struct fix *f = *state;
	struct mpic__audit *log;
	struct mpic_audit_stats ai;
	struct answer a1, a2;
	json_t *r;
	int queued = 0, durable = 0;
	uint64_t until;

	start(f, 60000);
	log = mpic__engine_audit(f->eng);
	mpic__audit_test_hold(log, true);
	r = json_pack("{s:s}", "type", "filler");
	assert_non_null(r);
	while (mpic__audit_append(log, r, filler_done, &durable) == 0)
		queued++;
	json_decref(r);
	assert_int_equal(queued, MPIC__AUDIT_QUEUE_MAX);
	submit(f, "q1", &a1);
	pump_answer(f, &a1);
	assert_int_equal(a1.status, 503);
	expect_in(message(&a1), "service-unavailable: the audit log's queue "
	    "is full");
	assert_true(mpic__engine_audit_info(f->eng, &ai));
	assert_int_equal(ai.refused[MPIC_AUDIT_R_FULL], 1);
	assert_false(ai.stalled);
	mpic__audit_test_hold(log, false);
	until = mpic__now_mono_ms() + 20000;
	while (durable < queued) {
		assert_true(mpic__now_mono_ms() < until);
		assert_int_equal(event_base_loop(f->base, EVLOOP_ONCE), 0);
	}
	submit(f, "q2", &a2);
	pump_answer(f, &a2);
	assert_int_equal(a2.status, 200);
}

/* A failed write: 500 "could not record", then 500 at once for good. */
static void
test_write_failure(void **state)
{
	struct fix *f = *state;
	struct mpic_audit_stats ai;
	struct answer a1, a2;

	start(f, 5000);
	mpic__audit_test_fail(mpic__engine_audit(f->eng), ENOSPC);
	submit(f, "f1", &a1);
	pump_answer(f, &a1);
	assert_int_equal(a1.status, 500);
	expect_in(message(&a1), "the audit log could not record the outcome: "
	    "a write to it failed (No space left on device)");
	assert_int_equal(f->notices[MPIC_AUDIT_N_FAILED], 1);
	submit(f, "f2", &a2);
	assert_int_equal(a2.calls, 1);
	assert_int_equal(a2.status, 500);
	expect_in(message(&a2), "could not record the outcome");
	assert_true(mpic__engine_audit_info(f->eng, &ai));
	assert_int_equal(ai.failed, MPIC_EIO);
	assert_int_equal(ai.failed_errno, ENOSPC);
	assert_int_equal(ai.refused[MPIC_AUDIT_R_FAILED], 2);
	assert_false(ai.stalled);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stall_then_recovery,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_full, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_write_failure, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
