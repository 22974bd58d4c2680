/*
 * test_api.c - the Open MPIC request: JSON limits, top level,
 * orchestration and CAA parameters, the 400 body.  Also main() of the
 * unit-api program, which runs the groups of the other test_*.c files.
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
#include "test_api.h"

const char *
jq(const char *s)
{
	static char buf[8192];
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < sizeof(buf); i++)
		buf[i] = s[i] == '\'' ? '"' : s[i];
	buf[i] = '\0';
	return buf;
}

static void
dump_issues(const struct mpic__issues *is)
{
	size_t i;

	for (i = 0; i < is->n; i++)
		print_error("  issue %s: %s\n", is->v[i].type,
		    is->v[i].message);
}

void
parse_ok(const char *json, struct mpic__request *req)
{
	struct mpic__issues is;
	int rc = mpic__request_parse(json, strlen(json), req, &is);

	if (rc != 0) {
		print_error("request %s refused:\n", json);
		dump_issues(&is);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(is.n, 0);
	assert_non_null(req->raw);
}

void
parse_bad_rc(const char *json, size_t len, int rc, const char *type,
	     const char *substr)
{
	struct mpic__request req;
	struct mpic__issues is;
	size_t i;
	int got = mpic__request_parse(json, len, &req, &is);

	for (i = 0; i < is.n; i++)
		if (strcmp(is.v[i].type, type) == 0 &&
		    strstr(is.v[i].message, substr) != NULL)
			break;
	if (got != rc || i == is.n) {
		print_error("request %.300s: rc %d, want %d with %s \"%s\"\n",
		    json, got, rc, type, substr);
		dump_issues(&is);
	}
	assert_int_equal(got, rc);
	assert_true(i < is.n);
	/* A failed parse leaves nothing behind. */
	assert_null(req.raw);
	assert_null(req.arena.head);
	mpic__request_release(&req);
}

static void
test_caa_minimal(void **state)
{
	struct mpic__request req;

	(void)state;
	parse_ok(jq("{'check_type':'caa','domain_or_ip_target':'Example.COM'}"),
	    &req);
	assert_int_equal(req.check_type, MPIC__CHECK_CAA);
	assert_string_equal(req.target.name, "example.com");
	assert_string_equal(req.target_text, "Example.COM");
	assert_null(req.trace_identifier);
	assert_false(req.has_orch);
	assert_int_equal(req.caa.cert_type, MPIC__CERT_TLS_SERVER);
	assert_int_equal(req.caa.n_caa_domains, 0);
	assert_false(req.caa.allow_lookup_failure);
	mpic__request_release(&req);
	mpic__request_release(&req);  /* twice is harmless */
}

static void
test_caa_full(void **state)
{
	static const char *const issuers[] = {"configured.example"};
	struct mpic__request req;
	json_t *e;
	char *s;

	(void)state;
	parse_ok(jq("{'check_type':'caa','domain_or_ip_target':'*.example.com',"
	    "'trace_identifier':'ac2d0392-8699-4037-a0e0-0a6db1ff8b89',"
	    "'orchestration_parameters':{'perspective_count':6,"
	    "'quorum_count':4,'max_attempts':3},"
	    "'caa_check_parameters':{'certificate_type':'s-mime',"
	    "'caa_domains':['LetsEncrypt.org','ca.example'],"
	    "'allow_lookup_failure':true,"
	    "'account_uri':'https://ca.example/acct/1',"
	    "'validation_method':'dns-01'}}"), &req);
	assert_true(req.target.is_wildcard);
	assert_string_equal(req.trace_identifier,
	    "ac2d0392-8699-4037-a0e0-0a6db1ff8b89");
	assert_true(req.has_orch);
	assert_int_equal(req.orch.perspective_count, 6);
	assert_int_equal(req.orch.quorum_count, 4);
	assert_int_equal(req.orch.max_attempts, 3);
	assert_int_equal(req.orch.cohort_for_single_attempt, 0);
	assert_int_equal(req.caa.cert_type, MPIC_CERT_SMIME);
	assert_int_equal(req.caa.n_caa_domains, 2);
	assert_string_equal(req.caa.caa_domains[0], "letsencrypt.org");
	assert_true(req.caa.allow_lookup_failure);
	assert_string_equal(req.caa.account_uri, "https://ca.example/acct/1");
	assert_string_equal(req.caa.validation_method, "dns-01");
	assert_null(mpic__request_echo_dcv(&req));
	/* the request's caa_domains are the ones applied, not the configured */
	e = mpic__request_echo_caa(&req, issuers, 1);
	assert_non_null(e);
	s = json_dumps(e, JSON_COMPACT);
	assert_string_equal(s, jq("{'certificate_type':'s-mime',"
	    "'caa_domains':['letsencrypt.org','ca.example'],"
	    "'allow_lookup_failure':true,"
	    "'account_uri':'https://ca.example/acct/1',"
	    "'validation_method':'dns-01'}"));
	free(s);
	json_decref(e);
	mpic__request_release(&req);
}

/* The echo of a CAA request as the engine builds it with the issuers
 * configured (caa.issuer_domains). */
static void
caa_echo_is(const char *body, const char *const *issuers, size_t n,
	    const char *want)
{
	struct mpic__request req;
	json_t *e;
	char *s;

	parse_ok(jq(body), &req);
	e = mpic__request_echo_caa(&req, issuers, n);
	assert_non_null(e);
	s = json_dumps(e, JSON_COMPACT);
	if (strcmp(s, jq(want)) != 0)
		print_error("echo %s\n want %s\n", s, jq(want));
	assert_string_equal(s, jq(want));
	free(s);
	json_decref(e);
	mpic__request_release(&req);
}

static void
test_caa_echo_defaults(void **state)
{
	static const char *const two[] = {"ca.example", "ca2.example"};

	(void)state;
	/* Nulls mean "not given", as Open MPIC's clients send them.  The
	 * echo says what was applied: the configured issuers, an array as
	 * the spec requires (caa_domains: null was invented, and invalid). */
	caa_echo_is("{'check_type':'caa','domain_or_ip_target':'192.0.2.1',"
	    "'trace_identifier':null,'orchestration_parameters':"
	    "{'perspective_count':null,'quorum_count':null},"
	    "'caa_check_parameters':{'certificate_type':null,"
	    "'caa_domains':null}}", two, 2,
	    "{'certificate_type':'tls-server',"
	    "'caa_domains':['ca.example','ca2.example'],"
	    "'allow_lookup_failure':false}");
	/* no caa_check_parameters at all: the same, every default */
	caa_echo_is("{'check_type':'caa','domain_or_ip_target':'a.example'}",
	    two, 2, "{'certificate_type':'tls-server',"
	    "'caa_domains':['ca.example','ca2.example'],"
	    "'allow_lookup_failure':false}");
	/* an empty list is "not given" too */
	caa_echo_is("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{'caa_domains':[],"
	    "'allow_lookup_failure':true}}", two, 1,
	    "{'certificate_type':'tls-server','caa_domains':['ca.example'],"
	    "'allow_lookup_failure':true}");
	/* nothing configured, nothing asked: none applied, still a list */
	caa_echo_is("{'check_type':'caa','domain_or_ip_target':'a.example'}",
	    NULL, 0, "{'certificate_type':'tls-server','caa_domains':[],"
	    "'allow_lookup_failure':false}");
}

static void
test_caa_bad(void **state)
{
	(void)state;
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{'certificate_type':'code-signing'}}"),
	    MPIC__ISSUE_CERT_TYPE, "caa_check_parameters.certificate_type");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{'caa_domains':['ok.example','bad_x.ca']}}"),
	    MPIC__ISSUE_FIELD_VALUE, "caa_check_parameters.caa_domains[1]");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{'caa_domains':'ca.example'}}"),
	    MPIC__ISSUE_FIELD_TYPE, "caa_check_parameters.caa_domains");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{'caa_domains':[1]}}"),
	    MPIC__ISSUE_FIELD_TYPE, "caa_domains[0]: must be a string");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{'caa_domains':['a','b','c','d','e','f',"
	    "'g','h','i','j','k','l','m','n','o','p','q']}}"),
	    MPIC__ISSUE_FIELD_VALUE, "more than 16");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{'allow_lookup_failure':'yes'}}"),
	    MPIC__ISSUE_FIELD_TYPE, "allow_lookup_failure: must be true or");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{'validation_method':'http01'}}"),
	    MPIC__ISSUE_FIELD_VALUE, "caa_check_parameters.validation_method");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{'account_uri':'has space'}}"),
	    MPIC__ISSUE_FIELD_VALUE, "caa_check_parameters.account_uri");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{'account_uri':''}}"),
	    MPIC__ISSUE_FIELD_VALUE, "account_uri: must not be empty");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':{'colour':'red'}}"),
	    MPIC__ISSUE_UNKNOWN_FIELD, "caa_check_parameters.colour");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'caa_check_parameters':[]}"),
	    MPIC__ISSUE_FIELD_TYPE, "caa_check_parameters: must be an object");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'dcv_check_parameters':{'validation_method':'acme-dns-01'}}"),
	    MPIC__ISSUE_UNKNOWN_FIELD, "not allowed with check_type caa");
	/* ca- labels are fine. */
	{
		struct mpic__request req;

		parse_ok(jq("{'check_type':'caa','domain_or_ip_target':"
		    "'a.example','caa_check_parameters':"
		    "{'validation_method':'ca-my-method2'}}"), &req);
		mpic__request_release(&req);
	}
}

static void
test_top_level(void **state)
{
	char big[400];

	(void)state;
	parse_bad(jq("{'domain_or_ip_target':'a.example'}"),
	    MPIC__ISSUE_MISSING_FIELD, "check_type: required");
	parse_bad(jq("{'check_type':'caa'}"),
	    MPIC__ISSUE_MISSING_FIELD, "domain_or_ip_target: required");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':null}"),
	    MPIC__ISSUE_MISSING_FIELD, "domain_or_ip_target: required");
	parse_bad(jq("{'check_type':'CAA','domain_or_ip_target':'a.example'}"),
	    MPIC__ISSUE_CHECK_TYPE, "check_type: \"CAA\"");
	parse_bad(jq("{'check_type':1,'domain_or_ip_target':'a.example'}"),
	    MPIC__ISSUE_FIELD_TYPE, "check_type: must be a string");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':['a.example']}"),
	    MPIC__ISSUE_FIELD_TYPE, "domain_or_ip_target: must be a string");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':''}"),
	    MPIC__ISSUE_FIELD_VALUE, "domain_or_ip_target: must not be empty");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a..example'}"),
	    MPIC__ISSUE_TARGET, "label 2 is empty");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'extra':1}"), MPIC__ISSUE_UNKNOWN_FIELD, "extra: unknown field");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'trace_identifier':5}"),
	    MPIC__ISSUE_FIELD_TYPE, "trace_identifier: must be a string");
	parse_bad("{\"check_type\":\"caa\",\"domain_or_ip_target\":\"a.example\","
	    "\"trace_identifier\":\"a\\nb\"}",
	    MPIC__ISSUE_FIELD_VALUE, "trace_identifier: must be printable");
	mpic__bufprintf(big, sizeof(big), "{\"check_type\":\"caa\","
	    "\"domain_or_ip_target\":\"a.example\",\"trace_identifier\":"
	    "\"%0*d\"}", 257, 0);
	parse_bad(big, MPIC__ISSUE_FIELD_VALUE, "longer than 256");
	/* NUL escaped inside a JSON string is refused by the JSON parser. */
	parse_bad("{\"check_type\":\"caa\",\"domain_or_ip_target\":"
	    "\"a\\u0000b.example\"}", MPIC__ISSUE_MALFORMED_JSON, "NUL");
	/* Unknown keys are quoted safely in messages. */
	parse_bad("{\"check_type\":\"caa\",\"domain_or_ip_target\":\"a.example\","
	    "\"x\\ty\":1}", MPIC__ISSUE_UNKNOWN_FIELD, "x?y: unknown field");
	/* Onion Domain Names: no MPIC (BR 3.2.2.9), whatever the check. */
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':"
	    "'exampleonionaddress.onion'}"), MPIC__ISSUE_TARGET,
	    "domain_or_ip_target: \"exampleonionaddress.onion\" is an Onion "
	    "Domain Name: MPIC does not apply to it (BR 3.2.2.9");
	parse_bad(jq("{'check_type':'dcv','domain_or_ip_target':"
	    "'*.www.Example.ONION','dcv_check_parameters':{"
	    "'validation_method':'acme-dns-01','key_authorization_hash':"
	    "'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0'}}"),
	    MPIC__ISSUE_TARGET, "is an Onion Domain Name");
	parse_bad(jq("{'check_type':'dcv','domain_or_ip_target':'x.onion',"
	    "'dcv_check_parameters':{'validation_method':'dns-persistent',"
	    "'issuer_domain_names':['ca.example'],"
	    "'expected_account_uri':'urn:x'}}"),
	    MPIC__ISSUE_TARGET, "BR Appendix B");
	/* Only the last label counts. */
	{
		struct mpic__request req;

		parse_ok(jq("{'check_type':'caa','domain_or_ip_target':"
		    "'onion.example'}"), &req);
		mpic__request_release(&req);
		parse_ok(jq("{'check_type':'caa','domain_or_ip_target':"
		    "'x.notonion'}"), &req);
		mpic__request_release(&req);
	}
	/* Several problems are all reported. */
	{
		struct mpic__request req;
		struct mpic__issues is;
		const char *j = jq("{'check_type':'nope','domain_or_ip_target':"
		    "'-x.example','a':1,'b':2}");

		assert_int_equal(mpic__request_parse(j, strlen(j), &req, &is),
		    MPIC_EINVAL);
		assert_int_equal(is.n, 4);
	}
}

static void
test_json_limits(void **state)
{
	struct mpic__request req;
	struct mpic__issues is;
	size_t n = 100000, i;
	char *deep;
	int rc;

	(void)state;
	parse_bad("", MPIC__ISSUE_MALFORMED_JSON, "empty");
	parse_bad("{", MPIC__ISSUE_MALFORMED_JSON, "request body");
	parse_bad("{\"check_type\":\"caa\",}", MPIC__ISSUE_MALFORMED_JSON,
	    "line 1");
	parse_bad("[]", MPIC__ISSUE_MALFORMED_JSON, "must be a JSON object");
	parse_bad("\"caa\"", MPIC__ISSUE_MALFORMED_JSON, "request body");
	parse_bad("{} {}", MPIC__ISSUE_MALFORMED_JSON, "request body");
	parse_bad(jq("{'check_type':'caa','check_type':'dcv',"
	    "'domain_or_ip_target':'a.example'}"),
	    MPIC__ISSUE_MALFORMED_JSON, "duplicate");
	parse_bad("{\"check_type\":\"caa\",\"domain_or_ip_target\":"
	    "\"a.example\",\"x\":123456789012345678901234567890}",
	    MPIC__ISSUE_MALFORMED_JSON, "request body");
	/* Body with a NUL byte in it. */
	parse_bad_rc("{\"check_type\":\"caa\"\0}", 21, MPIC_EINVAL,
	    MPIC__ISSUE_MALFORMED_JSON, "request body");

	/* 100000 nested arrays: a clean 400, no recursion. */
	deep = malloc(2 * n + 1);
	assert_non_null(deep);
	for (i = 0; i < n; i++) {
		deep[i] = '[';
		deep[n + i] = ']';
	}
	deep[2 * n] = '\0';
	/* That is also over the size limit; 30000 levels fit in it. */
	parse_bad_rc(deep, 2 * n, MPIC_ETOOBIG, MPIC__ISSUE_BODY_TOO_LARGE,
	    "more than");
	memset(deep + 30000, ']', 30000);
	deep[60000] = '\0';
	parse_bad(deep, MPIC__ISSUE_JSON_TOO_DEEP, "nested deeper than 16");
	/* Same depth of objects, also inside a member. */
	memcpy(deep, "{\"a\":", 5);
	for (i = 5; i + 5 < 60000; i += 5)
		memcpy(deep + i, "{\"a\":", 5);
	deep[i] = '\0';
	parse_bad(deep, MPIC__ISSUE_JSON_TOO_DEEP, "nested");
	free(deep);
	/* Brackets inside strings do not count. */
	parse_ok(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'trace_identifier':'[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{\\'"
	    "[[[[[[[[[[[['}"), &req);
	mpic__request_release(&req);
	/* 17 levels: refused; 16 levels pass the depth check. */
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'x':[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]}"),
	    MPIC__ISSUE_JSON_TOO_DEEP, "nested");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'x':[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]}"),
	    MPIC__ISSUE_UNKNOWN_FIELD, "x: unknown field");

	/* Over-long body. */
	deep = malloc(MPIC_MAX_BODY + 2);
	assert_non_null(deep);
	memset(deep, ' ', MPIC_MAX_BODY + 1);
	deep[0] = '{';
	deep[MPIC_MAX_BODY] = '}';
	deep[MPIC_MAX_BODY + 1] = '\0';
	parse_bad_rc(deep, MPIC_MAX_BODY + 1, MPIC_ETOOBIG,
	    MPIC__ISSUE_BODY_TOO_LARGE, "65537 octets");
	/* Exactly the maximum is parsed (and then found incomplete). */
	rc = mpic__request_parse(deep, MPIC_MAX_BODY, &req, &is);
	assert_int_equal(rc, MPIC_EINVAL);
	assert_string_equal(is.v[0].type, MPIC__ISSUE_MALFORMED_JSON);
	free(deep);

	/* NULL issues pointer is allowed. */
	assert_int_equal(mpic__request_parse("{", 1, &req, NULL), MPIC_EINVAL);
}

static void
test_orchestration(void **state)
{
	struct mpic__request req;

	(void)state;
	parse_ok(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'cohort_for_single_attempt':2,"
	    "'max_attempts':null}}"), &req);
	assert_int_equal(req.orch.cohort_for_single_attempt, 2);
	assert_int_equal(req.orch.max_attempts, 0);
	mpic__request_release(&req);
	parse_ok(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'quorum_count':3}}"), &req);
	assert_int_equal(req.orch.quorum_count, 3);
	mpic__request_release(&req);

	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'perspective_count':6,"
	    "'quorum_count':0}}"), MPIC__ISSUE_QUORUM_COUNT, "monitoring");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'quorum_count':-1}}"),
	    MPIC__ISSUE_QUORUM_COUNT, "quorum_count: -1 is outside");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'perspective_count':3,"
	    "'quorum_count':4}}"), MPIC__ISSUE_QUORUM_COUNT,
	    "more than perspective_count 3");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'perspective_count':0}}"),
	    MPIC__ISSUE_PERSPECTIVE_COUNT, "perspective_count: 0");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'perspective_count':101}}"),
	    MPIC__ISSUE_PERSPECTIVE_COUNT, "perspective_count: 101");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'perspective_count':"
	    "9223372036854775807}}"),
	    MPIC__ISSUE_PERSPECTIVE_COUNT, "perspective_count");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'perspective_count':'6'}}"),
	    MPIC__ISSUE_FIELD_TYPE, "perspective_count: must be an integer");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'perspective_count':6.0}}"),
	    MPIC__ISSUE_FIELD_TYPE, "perspective_count: must be an integer");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'max_attempts':0}}"),
	    MPIC__ISSUE_MAX_ATTEMPTS, "max_attempts: 0");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'cohort_for_single_attempt':0}}"),
	    MPIC__ISSUE_COHORT, "cohort_for_single_attempt: 0");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':{'perspectives':['a']}}"),
	    MPIC__ISSUE_UNKNOWN_FIELD, "orchestration_parameters.perspectives");
	parse_bad(jq("{'check_type':'caa','domain_or_ip_target':'a.example',"
	    "'orchestration_parameters':6}"),
	    MPIC__ISSUE_FIELD_TYPE, "orchestration_parameters: must be");
}

static void
test_issues(void **state)
{
	struct mpic__issues is;
	json_t *j, *j2, *v;
	json_error_t e;
	char *body;
	int i;

	(void)state;
	is.n = 0;
	mpic__issue_add(&is, MPIC__ISSUE_MISSING_FIELD, "%s: required",
	    "check_type");
	mpic__issue_add(&is, MPIC__ISSUE_FIELD_VALUE, "quote \" and \\ ok");
	body = mpic__issues_body(&is);
	assert_non_null(body);
	j = json_loads(body, 0, &e);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "error")),
	    "request-validation-failed");
	v = json_object_get(j, "validation_issues");
	assert_int_equal(json_array_size(v), 2);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(v, 0), "issue_type")), "missing-field");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(v, 0), "message")), "check_type: required");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(v, 1), "message")), "quote \" and \\ ok");
	json_decref(j);
	mpic__free(body);

	/* More issues than slots: the last one says so. */
	is.n = 0;
	for (i = 0; i < 40; i++)
		mpic__issue_add(&is, MPIC__ISSUE_FIELD_VALUE, "n %d", i);
	assert_int_equal(is.n, MPIC__MAX_ISSUES);
	assert_string_equal(is.v[MPIC__MAX_ISSUES - 1].type,
	    MPIC__ISSUE_TOO_MANY);
	assert_string_equal(is.v[0].message, "n 0");

	/* Long messages are cut, never overflow. */
	is.n = 0;
	mpic__issue_add(&is, "t", "%0*d", 1000, 0);
	assert_int_equal(strlen(is.v[0].message), sizeof(is.v[0].message) - 1);

	/* Bytes that are not UTF-8 never reach the body. */
	is.n = 0;
	mpic__issue_add(&is, "t\xff", "near '\xd0\x9e\x80'");
	body = mpic__issues_body(&is);
	assert_non_null(body);
	assert_non_null(strstr(body, "\"near '?" "?" "?'\""));
	mpic__free(body);
	{
		/* The parser's own message about such bytes, likewise. */
		static const char bad[] = "{\"a\\u0\xd0\x9e\":1}";
		struct mpic__request req;

		assert_int_equal(mpic__request_parse(bad, sizeof(bad) - 1, &req,
		    &is), MPIC_EINVAL);
		body = mpic__issues_body(&is);
		assert_non_null(body);
		j2 = json_loads(body, 0, &e);
		assert_non_null(j2);
		json_decref(j2);
		mpic__free(body);
	}

	body = mpic__issues_body(NULL);
	assert_string_equal(body, jq("{'error':'request-validation-failed',"
	    "'validation_issues':[]}"));
	mpic__free(body);
}

static void
test_alloc_failure(void **state)
{
	const char *j = jq("{'check_type':'dcv','domain_or_ip_target':"
	    "'b\xc3\xbc" "cher.example','dcv_check_parameters':{"
	    "'validation_method':'website-change','challenge_value':"
	    "'Xq3kZ9vT2mLp8wRb5nYc','http_token_path':'x.txt',"
	    "'http_headers':{'A':'b','C':'d'}}}");
	struct mpic__request req;
	struct mpic__issues is;
	unsigned long n;
	int rc;

	(void)state;
	/* Fail each of our allocations in turn: ENOMEM or success, no leak. */
	for (n = 1; n < 50; n++) {
		mpic__alloc_fail_at(n);
		rc = mpic__request_parse(j, strlen(j), &req, &is);
		mpic__alloc_fail_at(0);
		assert_true(rc == 0 || rc == MPIC_ENOMEM);
		if (rc == MPIC_ENOMEM)
			assert_null(req.raw);
		mpic__request_release(&req);
		if (rc == 0)
			break;
	}
	assert_true(n > 1);
	assert_true(n < 50);
	mpic__alloc_fail_at(1);
	is.n = 1;
	mpic__bufprintf(is.v[0].type, sizeof(is.v[0].type), "x");
	mpic__bufprintf(is.v[0].message, sizeof(is.v[0].message), "y");
	assert_null(mpic__issues_body(&is));
	mpic__alloc_fail_at(0);
}

int
api_tests_request(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caa_minimal),
		cmocka_unit_test(test_caa_full),
		cmocka_unit_test(test_caa_echo_defaults),
		cmocka_unit_test(test_caa_bad),
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_json_limits),
		cmocka_unit_test(test_orchestration),
		cmocka_unit_test(test_issues),
		cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}

int
main(void)
{
	int fails = 0;

	fails += api_tests_target();
	fails += api_tests_request();
	fails += api_tests_methods();
	fails += api_tests_result();
	fails += api_tests_labels();
	fails += api_tests_table();
	return fails != 0;
}
