/*
 * test_remote.c - the perspective API's bodies: a perspective's answer
 * read by the coordinator (attribution, shape, errors) and the
 * coordinator's call read by a perspective.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/perspective.h"

static struct mpic__perspective_def def = {
	.code = "us-east-1",
	.rir = MPIC__RIR_ARIN,
	.url = "https://192.0.2.1:8443",
};

static const char good[] =
    "{\"check_completed\":true,\"check_passed\":true,\"errors\":null,"
    "\"timestamp_ns\":1795424149571173415,\"check_type\":\"caa\","
    "\"details\":{\"caa_record_present\":true,\"found_at\":\"a.lab\","
    "\"records_seen\":[\"0 issue \\\"ca.example\\\"\"]},"
    "\"dnssec\":\"secure\",\"duration_ms\":7,"
    "\"perspective_code\":\"us-east-1\",\"rir\":\"ARIN\"}";

static int
answer(const char *body, enum mpic__check_type t,
       struct mpic__check_result *res)
{
	return mpic__remote_answer(&def, t, body, strlen(body), res);
}

static void
test_good_answer(void **state)
{
	struct mpic__check_result r;

	(void)state;
	assert_int_equal(answer(good, MPIC__CHECK_CAA, &r), 0);
	assert_true(r.completed);
	assert_true(r.passed);
	assert_int_equal(r.n_errors, 0);
	assert_int_equal(r.dnssec, MPIC__DNSSEC_SECURE);
	assert_int_equal(r.duration_ms, 7);
	assert_true(r.timestamp_ns == 1795424149571173415ull);
	assert_non_null(r.details);
	assert_string_equal(json_string_value(json_object_get(r.details,
	    "found_at")), "a.lab");
	mpic__check_result_release(&r);
}

/* Every malformed or misattributed answer is a failed check with the
 * remote_check error type, naming the perspective. */
static void
expect_remote_error(const char *body, enum mpic__check_type t,
		    const char *needle)
{
	struct mpic__check_result r;

	assert_int_equal(answer(body, t, &r), MPIC_EPARSE);
	assert_false(r.passed);
	assert_false(r.completed);
	assert_int_equal(r.n_errors, 1);
	assert_string_equal(r.errors[0].type, MPIC__ERR_REMOTE);
	assert_non_null(strstr(r.errors[0].message, "us-east-1"));
	if (needle != NULL && strstr(r.errors[0].message, needle) == NULL)
		fail_msg("\"%s\" not in \"%s\"", needle, r.errors[0].message);
	mpic__check_result_release(&r);
}

static char *
replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t head, nto = strlen(to), tail;
	char *out;

	assert_non_null(at);
	head = (size_t)(at - s);
	tail = strlen(at + strlen(from));
	out = malloc(head + nto + tail + 1);
	assert_non_null(out);
	memcpy(out, s, head);
	memcpy(out + head, to, nto);
	memcpy(out + head + nto, at + strlen(from), tail + 1);
	return out;
}

/* misidentified: the answer is under another name (metrics: result
 * "misidentified"), not merely malformed ("bad_answer"). */
static bool
misidentified(const char *body, enum mpic__check_type t)
{
	struct mpic__check_result r;
	bool m;

	assert_int_equal(answer(body, t, &r), MPIC_EPARSE);
	m = r.misidentified;
	mpic__check_result_release(&r);
	return m;
}

static void
test_misidentified(void **state)
{
	struct mpic__check_result r;
	char *s;

	(void)state;
	assert_int_equal(answer(good, MPIC__CHECK_CAA, &r), 0);
	assert_false(r.misidentified);
	mpic__check_result_release(&r);
	assert_true(misidentified(good, MPIC_CHECK_DCV));
	s = replace(good, "\"perspective_code\":\"us-east-1\"",
	    "\"perspective_code\":\"eu-west-1\"");
	assert_true(misidentified(s, MPIC__CHECK_CAA));
	free(s);
	s = replace(good, "\"rir\":\"ARIN\"", "\"rir\":\"RIPE NCC\"");
	assert_true(misidentified(s, MPIC__CHECK_CAA));
	free(s);
	assert_false(misidentified("<html>502</html>", MPIC__CHECK_CAA));
	s = replace(good, "\"check_passed\":true", "\"check_passed\":\"yes\"");
	assert_false(misidentified(s, MPIC__CHECK_CAA));
	free(s);
}

/* The shared latency buckets (mpic/common.h) and the BR quorum table
 * behind /readyz. */
static void
test_stats_buckets(void **state)
{
	(void)state;
	assert_true(mpic_stats_bucket_le(0) == 0.001);
	assert_true(mpic_stats_bucket_le(MPIC_STATS_BUCKETS - 2) == 7200);
	assert_true(isinf(mpic_stats_bucket_le(MPIC_STATS_BUCKETS - 1)));
	assert_int_equal(mpic_stats_bucket(0), 0);
	assert_int_equal(mpic_stats_bucket(1000), 0);      /* le 0.001 */
	assert_int_equal(mpic_stats_bucket(1001), 1);
	assert_int_equal(mpic_stats_bucket(30000000), 15); /* le 30 */
	assert_int_equal(mpic_stats_bucket(3600000001ull), 24);
	assert_int_equal(mpic_stats_bucket(7200000001ull),
	    MPIC_STATS_BUCKETS - 1);
	assert_int_equal(mpic_quorum_required(1), 1);
	assert_int_equal(mpic_quorum_required(2), 1);
	assert_int_equal(mpic_quorum_required(5), 4);
	assert_int_equal(mpic_quorum_required(6), 4);
	assert_int_equal(mpic_quorum_required(7), 5);
	assert_string_equal(mpic_stats_rcode_name(3), "NXDOMAIN");
	assert_string_equal(mpic_stats_rcode_name(MPIC_STATS_RCODE_TIMEOUT),
	    "timeout");
	assert_null(mpic_stats_rcode_name(MPIC_STATS_RCODES));
	assert_string_equal(mpic_stats_dnssec_name(MPIC_STATS_DNSSEC_BOGUS),
	    "bogus");
	assert_string_equal(mpic_stats_outcome_name(MPIC_STATS_OUT_2XX),
	    "2xx");
}

static void
test_bad_answers(void **state)
{
	char *s;

	(void)state;
	expect_remote_error("", MPIC__CHECK_CAA, "not a JSON object");
	expect_remote_error("<html>502</html>", MPIC__CHECK_CAA, "JSON");
	expect_remote_error("[1,2]", MPIC__CHECK_CAA, "not a JSON object");
	expect_remote_error("{\"check_passed\":true", MPIC__CHECK_CAA, NULL);
	/* the wrong check type */
	expect_remote_error(good, MPIC_CHECK_DCV, "check_type");
	/* another perspective's name, or none */
	s = replace(good, "\"perspective_code\":\"us-east-1\"",
	    "\"perspective_code\":\"eu-west-1\"");
	expect_remote_error(s, MPIC__CHECK_CAA, "eu-west-1");
	free(s);
	s = replace(good, "\"perspective_code\":\"us-east-1\",", "");
	expect_remote_error(s, MPIC__CHECK_CAA, "perspective_code");
	free(s);
	/* another RIR, an unknown one, or none */
	s = replace(good, "\"rir\":\"ARIN\"", "\"rir\":\"RIPE NCC\"");
	expect_remote_error(s, MPIC__CHECK_CAA, "RIPE NCC");
	free(s);
	s = replace(good, "\"rir\":\"ARIN\"", "\"rir\":\"MARS\"");
	expect_remote_error(s, MPIC__CHECK_CAA, "rir");
	free(s);
	/* flags missing or of the wrong type */
	s = replace(good, "\"check_passed\":true", "\"check_passed\":\"yes\"");
	expect_remote_error(s, MPIC__CHECK_CAA, "check_passed");
	free(s);
	s = replace(good, "\"errors\":null", "\"errors\":\"none\"");
	expect_remote_error(s, MPIC__CHECK_CAA, "errors");
	free(s);
	s = replace(good, "\"errors\":null", "\"errors\":[1]");
	expect_remote_error(s, MPIC__CHECK_CAA, "errors");
	free(s);
	/* duplicate keys could hide a second verdict */
	s = replace(good, "\"errors\":null", "\"errors\":null,"
	    "\"check_passed\":false");
	expect_remote_error(s, MPIC__CHECK_CAA, NULL);
	free(s);
}

static void
test_answer_errors(void **state)
{
	struct mpic__check_result r;
	char *s;

	(void)state;
	/* passed is never true for an incomplete check */
	s = replace(good, "\"check_completed\":true",
	    "\"check_completed\":false");
	assert_int_equal(answer(s, MPIC__CHECK_CAA, &r), 0);
	assert_false(r.passed);
	mpic__check_result_release(&r);
	free(s);
	/* known error types keep their type; unknown ones are named */
	s = replace(good, "\"errors\":null", "\"errors\":["
	    "{\"error_type\":\"mpic_error:caa_checker:lookup\","
	    "\"error_message\":\"a.lab CAA: SERVFAIL\"},"
	    "{\"error_type\":\"mpic_error:martian\",\"error_message\":\"x\"}]");
	assert_int_equal(answer(s, MPIC__CHECK_CAA, &r), 0);
	assert_int_equal(r.n_errors, 2);
	assert_string_equal(r.errors[0].type, MPIC__ERR_CAA_LOOKUP);
	assert_string_equal(r.errors[0].message, "a.lab CAA: SERVFAIL");
	assert_string_equal(r.errors[1].type, MPIC__ERR_REMOTE);
	assert_non_null(strstr(r.errors[1].message, "mpic_error:martian"));
	mpic__check_result_release(&r);
	free(s);
}

static void
test_deep_answer(void **state)
{
	char body[512];
	size_t i, n = 0;

	(void)state;
	n += (size_t)snprintf(body, sizeof(body), "{\"details\":");
	for (i = 0; i < 40; i++)
		body[n++] = '[';
	for (i = 0; i < 40; i++)
		body[n++] = ']';
	body[n++] = '}';
	body[n] = '\0';
	expect_remote_error(body, MPIC__CHECK_CAA, "not a JSON object");
}

static void
test_request_parse(void **state)
{
	struct mpic__request req;
	struct mpic__issues is;
	static const char caa[] = " {\"domain_or_ip_target\":\"a.lab\","
	    "\"trace_identifier\":\"t1\",\"caa_check_parameters\":"
	    "{\"caa_domains\":[\"ca.example\"]}}";
	static const char dcv[] = "{\"domain_or_ip_target\":\"a.lab\","
	    "\"dcv_check_parameters\":{\"validation_method\":\"acme-dns-01\","
	    "\"key_authorization_hash\":"
	    "\"ZTRx1Ckl1-tM05o5zaizTTA0yUy5AGereMgSNWC6Ll8\"}}";

	(void)state;
	assert_int_equal(mpic__persp_request_parse(MPIC__CHECK_CAA, caa,
	    strlen(caa), &req, &is), 0);
	assert_int_equal(req.check_type, MPIC__CHECK_CAA);
	assert_string_equal(req.target.name, "a.lab");
	assert_string_equal(req.trace_identifier, "t1");
	assert_int_equal(req.caa.n_caa_domains, 1);
	mpic__request_release(&req);

	assert_int_equal(mpic__persp_request_parse(MPIC_CHECK_DCV, dcv,
	    strlen(dcv), &req, &is), 0);
	assert_int_equal(req.check_type, MPIC_CHECK_DCV);
	assert_int_equal(req.dcv.method, MPIC__DCV_ACME_DNS_01);
	mpic__request_release(&req);

	/* the path decides the type: dcv parameters on /caa are refused */
	assert_int_not_equal(mpic__persp_request_parse(MPIC__CHECK_CAA, dcv,
	    strlen(dcv), &req, &is), 0);
	assert_true(is.n >= 1);
	mpic__request_release(&req);
}

static void
test_request_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", "   ", "[]", "\"x\"", "{", "{}",
		"{\"check_type\":\"caa\",\"domain_or_ip_target\":\"a.lab\"}",
		"{\"domain_or_ip_target\":\"a.lab\",,}",
		"{\"domain_or_ip_target\":\"-bad-.lab\"}",
		NULL,
	};
	struct mpic__request req;
	struct mpic__issues is;
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		memset(&is, 0, sizeof(is));
		if (mpic__persp_request_parse(MPIC__CHECK_CAA, bad[i],
		    strlen(bad[i]), &req, &is) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_true(is.n >= 1);
		mpic__request_release(&req);
	}
}

static void
test_request_parse_big(void **state)
{
	struct mpic__request req;
	struct mpic__issues is;
	size_t n = MPIC_MAX_BODY + 10;
	char *body = malloc(n);

	(void)state;
	memset(body, ' ', n);
	body[0] = '{';
	body[n - 1] = '}';
	assert_int_equal(mpic__persp_request_parse(MPIC__CHECK_CAA, body, n,
	    &req, &is), MPIC_ETOOBIG);
	mpic__request_release(&req);
	free(body);
}

/* A remote's timestamp_ns counts only within its call's window (and the
 * skew); else the time of receipt, with the remote's value kept aside. */
static void
test_answer_time(void **state)
{
#define start 1795424149000000000ull
#define end (start + 300000000ull) /* 300 ms later */
#define skew MPIC__REMOTE_SKEW_NS
	struct mpic__check_result r;
	static const struct {
		uint64_t sent, want, aside;
	} cases[] = {
		{ start + 100000000ull, start + 100000000ull, 0 }, /* inside */
		{ start - skew, start - skew, 0 },       /* at the bounds */
		{ end + skew, end + skew, 0 },
		{ 1, end, 1 },                           /* 1970 */
		{ start - skew - 1, end, start - skew - 1 },
		{ end + skew + 1, end, end + skew + 1 }, /* the future */
		{ UINT64_MAX, end, UINT64_MAX },
		{ 0, end, 0 },                           /* none sent */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mpic__check_result_init(&r);
		r.timestamp_ns = cases[i].sent;
		mpic__remote_answer_time(&r, start, end);
		assert_true(r.timestamp_ns == cases[i].want);
		assert_true(r.remote_timestamp_ns == cases[i].aside);
	}
	/* a parsed answer's own timestamp, 1: replaced */
	assert_int_equal(answer("{\"check_completed\":true,"
	    "\"check_passed\":true,\"timestamp_ns\":1,\"check_type\":\"caa\","
	    "\"perspective_code\":\"us-east-1\",\"rir\":\"ARIN\"}",
	    MPIC__CHECK_CAA, &r), 0);
	assert_true(r.timestamp_ns == 1);
	mpic__remote_answer_time(&r, start, end);
	assert_true(r.timestamp_ns == end);
	assert_true(r.remote_timestamp_ns == 1);
	mpic__check_result_release(&r);
	assert_true(r.remote_timestamp_ns == 0);
	/* a clock at 0 (start below the skew): no underflow */
	mpic__check_result_init(&r);
	r.timestamp_ns = 1;
	mpic__remote_answer_time(&r, 0, 2);
	assert_true(r.timestamp_ns == 1);
	assert_true(r.remote_timestamp_ns == 0);
#undef start
#undef end
#undef skew
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_answer),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_misidentified),
		cmocka_unit_test(test_stats_buckets),
		cmocka_unit_test(test_answer_errors),
		cmocka_unit_test(test_deep_answer),
		cmocka_unit_test(test_answer_time),
		cmocka_unit_test(test_request_parse),
		cmocka_unit_test(test_request_parse_bad),
		cmocka_unit_test(test_request_parse_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
