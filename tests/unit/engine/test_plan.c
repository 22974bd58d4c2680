/*
 * test_plan.c - a request's plan (lib/engine/plan.c) without running it:
 * the cohorts it may pick from (every one; the same for a wildcard and
 * its base name), the 400 issues of cohort_for_single_attempt, and the
 * method dates (refused, or a warning).  The engine is only what the
 * plan reads (its configuration
 * and perspective count): no resolver, no network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api_int.h"
#include "engine/engine_int.h"

struct fix {
	struct mpic_config *cfg;
	struct mpic_engine eng;
	struct eng_gen gen;     /* the requests' generation */
};

/*
 * n in-process perspectives on a grid of 10 latitudes (12 degrees apart)
 * by 10 longitudes (36 degrees apart): every pair over 1,000 km apart;
 * RIRs by longitude, so any two neighbours in a row differ.
 */
static struct mpic_config *
grid_config(int n)
{
	static const char *const rirs[] = { "ARIN", "RIPE NCC", "APNIC",
	    "LACNIC", "AFRINIC" };
	size_t cap = 256 + (size_t)n * 128, len = 0;
	char *yaml = malloc(cap), err[1024] = "";
	struct mpic_config *cfg = NULL;
	int i;

	assert_non_null(yaml);
	len += (size_t)snprintf(yaml + len, cap - len,
	    "role: all-in-one\nperspectives:\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(yaml + len, cap - len,
		    "  - {code: p%03d, rir: %s, location: {lat: %d, lon: %d}}\n",
		    i, rirs[(i % 10) % 5], -54 + 12 * (i / 10),
		    -162 + 36 * (i % 10));
	len += (size_t)snprintf(yaml + len, cap - len, "orchestration: "
	    "{br_minimums: lab, default_perspective_count: 2}\n");
	assert_true(len < cap);
	if (mpic_config_parse(yaml, len, "test", &cfg, err, sizeof(err)) != 0)
		fail_msg("config: %s", err);
	free(yaml);
	return cfg;
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->cfg = grid_config(100);
	f->eng.cfg = f->cfg;
	f->eng.n = f->cfg->n_perspectives;
	f->gen.cfg = f->cfg;
	f->gen.n = f->eng.n;
	assert_int_equal(f->eng.n, 100);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	mpic_config_free(f->cfg);
	free(f);
	return 0;
}

/* Parse body and plan it on the day now: 0 or MPIC_EINVAL with the
 * issues in is.  The caller releases m->req and frees m. */
static int
plan_at(struct fix *f, const char *body, time_t now, struct mreq **out,
	struct mpic__issues *is)
{
	struct mreq *m = calloc(1, sizeof(*m));
	int rc;

	assert_non_null(m);
	memset(is, 0, sizeof(*is));
	m->eng = &f->eng;
	m->gen = &f->gen;
	m->now = now;
	rc = mpic__request_parse(body, strlen(body), &m->req, is);
	if (rc != 0)
		fail_msg("parse: %s", is->n ? is->v[0].message : "?");
	*out = m;
	return mpic__eng_plan(m, is);
}

static int
plan(struct fix *f, const char *body, struct mreq **out,
     struct mpic__issues *is)
{
	return plan_at(f, body, 1795424149 /* 2026-11-23 */, out, is);
}

static void
done(struct mreq *m)
{
	mpic__request_release(&m->req);
	free(m);
}

static char *
caa_body(const char *target, int count, int cohort)
{
	static char b[512];

	snprintf(b, sizeof(b), "{\"check_type\":\"caa\","
	    "\"domain_or_ip_target\":\"%s\",\"orchestration_parameters\":"
	    "{\"perspective_count\":%d,\"cohort_for_single_attempt\":%d}}",
	    target, count, cohort);
	return b;
}

/* 100 perspectives in cohorts of 2: every cohort there is may be asked
 * for (not only the first 32), and one beyond them is refused with the
 * parser's issue type for that field, naming the real number. */
static void
test_every_cohort(void **state)
{
	struct fix *f = *state;
	struct mpic__issues is;
	struct mreq *m;
	bool seen[100] = { false };
	char want[64];
	int n, i;

	assert_int_equal(plan(f, caa_body("example.com", 2, 1), &m, &is), 0);
	n = m->n_cohorts;
	/* greedy, 2 RIRs in each: most of the 50 pairs are formed */
	assert_true(n > 32);
	assert_true(n <= 50);
	for (i = 0; i < 2 * n; i++) {
		assert_true(m->cohorts[i] < 100);
		assert_false(seen[m->cohorts[i]]);
		seen[m->cohorts[i]] = true;
	}
	done(m);

	assert_int_equal(plan(f, caa_body("example.com", 2, n), &m, &is), 0);
	assert_int_equal(m->fixed_cohort, n - 1);
	assert_int_equal(m->max_attempts, 1);
	done(m);
	assert_int_equal(plan(f, caa_body("example.com", 2, 33), &m, &is), 0);
	assert_int_equal(m->fixed_cohort, 32);
	done(m);

	assert_int_equal(plan(f, caa_body("example.com", 2, n + 1), &m, &is),
	    MPIC_EINVAL);
	assert_int_equal(is.n, 1);
	assert_string_equal(is.v[0].type, MPIC__ISSUE_COHORT);
	snprintf(want, sizeof(want), "only %d cohorts of 2 exist", n);
	if (strstr(is.v[0].message, want) == NULL)
		fail_msg("\"%s\" not in \"%s\"", want, is.v[0].message);
	done(m);

	/* the largest cohorts: fewer of them, all usable */
	assert_int_equal(plan(f, caa_body("example.com", 64, 1), &m, &is), 0);
	assert_int_equal(m->n_cohorts, 1);
	done(m);
}

/* A wildcard and its base name: the same cohorts (the same name is
 * validated); another name: others. */
static void
test_wildcard_same_cohorts(void **state)
{
	struct fix *f = *state;
	struct mpic__issues is;
	struct mreq *a, *b, *c;

	assert_int_equal(plan(f, caa_body("example.com", 3, 1), &a, &is), 0);
	assert_int_equal(plan(f, caa_body("*.example.com", 3, 1), &b, &is),
	    0);
	assert_int_equal(plan(f, caa_body("example.org", 3, 1), &c, &is), 0);
	assert_true(b->req.target.is_wildcard);
	assert_true(a->n_cohorts > 1);
	assert_int_equal(a->n_cohorts, b->n_cohorts);
	assert_memory_equal(a->cohorts, b->cohorts, (size_t)a->n_cohorts * 3 *
	    sizeof(a->cohorts[0]));
	assert_memory_not_equal(a->cohorts, c->cohorts, 3 *
	    sizeof(a->cohorts[0]));
	done(a);
	done(b);
	done(c);
}

/* Noon UTC of a day, as `mpic --now` makes it. */
static time_t
noon(int y, int mo, int d)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	return timegm(&tm);
}

static const char *
dcv_body(const char *method, const char *value)
{
	static char b[512];

	snprintf(b, sizeof(b), "{\"check_type\":\"dcv\","
	    "\"domain_or_ip_target\":\"example.com\","
	    "\"orchestration_parameters\":{\"perspective_count\":5},"
	    "\"dcv_check_parameters\":{\"validation_method\":\"%s\","
	    "\"challenge_value\":\"%s\"%s}}", method, value,
	    strcmp(method, "ip-address") == 0 ?
	    ",\"dns_record_type\":\"A\"" : "");
	return b;
}

/* One method-dates rule (the method table) for every method: refused
 * from its MUST NOT day, a warning from its SHOULD NOT day. */
static void
dates_case(struct fix *f, const char *method, const char *value, time_t t,
	   int rc, const char *type, const char *text)
{
	struct mpic__issues is;
	struct mreq *m;

	assert_int_equal(plan_at(f, dcv_body(method, value), t, &m, &is), rc);
	if (rc != 0) {
		assert_int_equal(is.n, 1);
		assert_string_equal(is.v[0].type, type);
		if (strstr(is.v[0].message, text) == NULL)
			fail_msg("\"%s\" not in \"%s\"", text,
			    is.v[0].message);
	} else if (type == NULL) {
		assert_null(m->warning_type);
	} else {
		assert_string_equal(m->warning_type, type);
		if (strstr(m->warning, text) == NULL)
			fail_msg("\"%s\" not in \"%s\"", text, m->warning);
	}
	done(m);
}

static void
test_method_dates(void **state)
{
	struct fix *f = *state;
	const char *mail = "admin@example.com", *tel = "+1 555 555 0100";

	f->cfg->br_lab = false;
	dates_case(f, "contact-email-txt", mail, noon(2026, 3, 14), 0, NULL,
	    NULL);
	dates_case(f, "contact-email-txt", mail, noon(2026, 11, 23), 0,
	    "method-discouraged", "contact-email-txt (BR 3.2.2.4.14) SHOULD "
	    "NOT be used since 2026-03-15; it MUST NOT be used from "
	    "2028-03-15");
	dates_case(f, "contact-phone-txt", tel, noon(2027, 3, 14), 0,
	    "method-discouraged", "MUST NOT be used from 2027-03-15");
	dates_case(f, "contact-phone-txt", tel, noon(2027, 3, 15),
	    MPIC_EINVAL, "method-not-permitted", "dcv_check_parameters."
	    "validation_method: contact-phone-txt (BR 3.2.2.4.16) may not be "
	    "used since 2027-03-15");
	dates_case(f, "contact-phone-caa", tel, noon(2027, 3, 15),
	    MPIC_EINVAL, "method-not-permitted", "(BR 3.2.2.4.17)");
	dates_case(f, "contact-email-caa", mail, noon(2028, 3, 14), 0,
	    "method-discouraged", "(BR 3.2.2.4.13) SHOULD NOT");
	dates_case(f, "contact-email-txt", mail, noon(2028, 3, 15),
	    MPIC_EINVAL, "method-not-permitted", "since 2028-03-15");
	dates_case(f, "contact-email-caa", mail, noon(2028, 3, 15),
	    MPIC_EINVAL, "method-not-permitted", "since 2028-03-15");
	/* the same rule as the IP Address method's */
	dates_case(f, "ip-address", "192.0.2.1", noon(2026, 3, 14), 0, NULL,
	    NULL);
	dates_case(f, "ip-address", "192.0.2.1", noon(2026, 3, 15),
	    MPIC_EINVAL, "method-not-permitted", "ip-address (BR 3.2.2.4.8) "
	    "may not be used since 2026-03-15");
	/* br_minimums: lab runs a forbidden method, with a warning */
	f->cfg->br_lab = true;
	dates_case(f, "contact-phone-txt", tel, noon(2027, 3, 15), 0,
	    "method-not-permitted", "MUST NOT be used since 2027-03-15; run "
	    "only because of br_minimums: lab");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_cohort, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wildcard_same_cohorts,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_method_dates, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
