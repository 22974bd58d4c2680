/* test_result.c - check_response objects, method names and BR sections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"
#include "dns/dns.h"
#include "api/model.h"
#include "test_api.h"

/* The check_response as mpic__check_result_open() writes it, parsed;
 * with text, its exact text too. */
static json_t *
result_json(const struct mpic__check_result *r, enum mpic__check_type type,
	    char **text)
{
	struct mpic__jw w;
	json_t *j;

	mpic__jw_init(&w, 1u << 20, false);
	mpic__check_result_open(&w, r, type);
	mpic__jw_close(&w, '}');
	assert_false(mpic__jw_failed(&w));
	j = json_loadb(w.p, w.len, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	if (text != NULL)
		*text = strdup(w.p);
	mpic__jw_release(&w);
	return j;
}

static void
test_result_json(void **state)
{
	struct mpic__check_result r;
	json_t *j;
	char *s;
	int i;

	(void)state;
	mpic__check_result_init(&r);
	assert_int_equal(r.dnssec, MPIC__DNSSEC_INDETERMINATE);
	r.completed = true;
	r.passed = true;
	r.timestamp_ns = 1725822089205545500ull;
	r.dnssec = MPIC__DNSSEC_SECURE;
	r.duration_ms = 42;
	r.details = json_pack("{s:b, s:n, s:[]}", "caa_record_present", 0,
	    "found_at", "records_seen");
	j = result_json(&r, MPIC__CHECK_CAA, &s);
	assert_string_equal(s, jq("{'check_completed':true,"
	    "'check_passed':true,'errors':null,"
	    "'timestamp_ns':1725822089205545500,'check_type':'caa',"
	    "'details':{'caa_record_present':false,'found_at':null,"
	    "'records_seen':[]},'dnssec':'secure','duration_ms':42}"));
	free(s);
	json_decref(j);
	mpic__check_result_release(&r);
	assert_null(r.details);

	/* Errors, in order, at most MPIC__MAX_CHECK_ERRORS. */
	mpic__check_result_init(&r);
	mpic__check_error(&r, MPIC__ERR_DCV_LOOKUP, "SERVFAIL at %s",
	    "_acme-challenge.example.com");
	for (i = 0; i < 10; i++)
		mpic__check_error(&r, MPIC__ERR_TIMEOUT, "t%d", i);
	mpic__check_error(&r, NULL, "no type");
	assert_int_equal(r.n_errors, MPIC__MAX_CHECK_ERRORS);
	j = result_json(&r, MPIC_CHECK_DCV, NULL);
	s = json_dumps(json_object_get(j, "errors"), JSON_COMPACT);
	assert_string_equal(s, jq("[{'error_type':"
	    "'mpic_error:dcv_checker:lookup','error_message':"
	    "'SERVFAIL at _acme-challenge.example.com'},"
	    "{'error_type':'mpic_error:timeout','error_message':'t0'},"
	    "{'error_type':'mpic_error:timeout','error_message':'t1'},"
	    "{'error_type':'mpic_error:timeout','error_message':'t2'}]"));
	free(s);
	assert_string_equal(json_string_value(json_object_get(j,
	    "check_type")), "dcv");
	assert_string_equal(json_string_value(json_object_get(j, "dnssec")),
	    "indeterminate");
	/* No details: an empty object (the spec requires the member). */
	assert_true(json_is_object(json_object_get(j, "details")));
	assert_true(json_is_false(json_object_get(j, "check_completed")));
	json_decref(j);
	mpic__check_result_release(&r);
	mpic__check_result_release(NULL);

	/* Long messages are cut. */
	mpic__check_result_init(&r);
	mpic__check_error(&r, MPIC__ERR_HTTP, "%0*d", 2000, 0);
	assert_int_equal(strlen(r.errors[0].message), 511);
	/* Timestamps beyond int64 are clamped. */
	r.timestamp_ns = UINT64_MAX;
	j = result_json(&r, MPIC_CHECK_DCV, NULL);
	assert_true(json_integer_value(json_object_get(j, "timestamp_ns")) ==
	    INT64_MAX);
	json_decref(j);
	mpic__check_result_release(&r);
}

/* r's details as compact text (keys in their order); the caller frees. */
static char *
details_text(const struct mpic__check_result *r)
{
	char *s = json_dumps(r->details, JSON_COMPACT | JSON_ENCODE_ANY);

	assert_non_null(s);
	return s;
}

static void
expect_filled(enum mpic__check_type type, enum mpic__dcv_method m,
	      const char *want)
{
	struct mpic__check_result r;
	char *s;

	mpic__check_result_init(&r);
	assert_int_equal(mpic__check_details_fill(&r, type, m), 0);
	s = details_text(&r);
	assert_string_equal(s, jq(want));
	free(s);
	mpic__check_result_release(&r);
}

/* A result without details (timed out, could not start, a bad answer)
 * gets the schema's keys for its check, as Open MPIC clients require. */
static void
test_details_fill(void **state)
{
	struct mpic__check_result r;
	json_t *d;
	char *s;
	int m;

	(void)state;
	expect_filled(MPIC__CHECK_CAA, MPIC__DCV_WEBSITE_CHANGE,
	    "{'caa_record_present':false,'found_at':null,'records_seen':[]}");
	expect_filled(MPIC_CHECK_DCV, MPIC__DCV_WEBSITE_CHANGE,
	    "{'validation_method':'website-change','response_history':[],"
	    "'response_url':null,'response_status_code':null,"
	    "'response_page':null,'resolved_ip':null}");
	expect_filled(MPIC_CHECK_DCV, MPIC__DCV_ACME_HTTP_01,
	    "{'validation_method':'acme-http-01','response_history':[],"
	    "'response_url':null,'response_status_code':null,"
	    "'response_page':null,'resolved_ip':null}");
	expect_filled(MPIC_CHECK_DCV, MPIC__DCV_ACME_TLS_ALPN_01,
	    "{'validation_method':'acme-tls-alpn-01','common_name':null}");
	expect_filled(MPIC_CHECK_DCV, MPIC__DCV_DNS_CHANGE,
	    "{'validation_method':'dns-change','records_seen':[],"
	    "'response_code':null,'ad_flag':null,'found_at':null,"
	    "'cname_chain':[]}");
	/* every other method has the DNS shape, with its own name */
	for (m = 0; m < MPIC__DCV__COUNT; m++) {
		mpic__check_result_init(&r);
		assert_int_equal(mpic__check_details_fill(&r, MPIC_CHECK_DCV,
		    m), 0);
		assert_string_equal(json_string_value(json_object_get(
		    r.details, "validation_method")), mpic__dcv_method_str(m));
		if (m != MPIC__DCV_WEBSITE_CHANGE && m != MPIC__DCV_ACME_HTTP_01 &&
		    m != MPIC__DCV_ACME_TLS_ALPN_01) {
			assert_true(json_is_array(json_object_get(r.details,
			    "records_seen")));
			assert_true(json_is_null(json_object_get(r.details,
			    "response_code")));
			assert_true(json_is_null(json_object_get(r.details,
			    "ad_flag")));
			assert_true(json_is_null(json_object_get(r.details,
			    "found_at")));
		}
		mpic__check_result_release(&r);
	}
	/* an unknown method: left alone */
	mpic__check_result_init(&r);
	assert_int_equal(mpic__check_details_fill(&r, MPIC_CHECK_DCV,
	    MPIC__DCV__COUNT), 0);
	assert_null(r.details);

	/* A partial object (a remote's {}) gets the required keys only;
	 * what it has is kept. */
	r.details = json_pack("{s:[s], s:i}", "records_seen", "x", "extra", 1);
	assert_int_equal(mpic__check_details_fill(&r, MPIC_CHECK_DCV,
	    MPIC__DCV_ACME_DNS_01), 0);
	s = details_text(&r);
	assert_string_equal(s, jq("{'records_seen':['x'],'extra':1,"
	    "'validation_method':'acme-dns-01','response_code':null,"
	    "'ad_flag':null,'found_at':null}"));
	free(s);
	mpic__check_result_release(&r);
	r.details = json_object();
	assert_int_equal(mpic__check_details_fill(&r, MPIC__CHECK_CAA, 0), 0);
	s = details_text(&r);
	assert_string_equal(s, jq("{'caa_record_present':false,"
	    "'found_at':null,'records_seen':[]}"));
	free(s);
	mpic__check_result_release(&r);
	/* a whole one is not touched */
	d = json_pack("{s:b, s:s, s:[s], s:i}", "caa_record_present", 1,
	    "found_at", "a.lab", "records_seen", "0 issue \"ca.example\"",
	    "connection", 3);
	r.details = json_incref(d);
	assert_int_equal(mpic__check_details_fill(&r, MPIC__CHECK_CAA, 0), 0);
	assert_ptr_equal(r.details, d);
	assert_int_equal(json_object_size(d), 4);
	mpic__check_result_release(&r);
	json_decref(d);
	/* not an object: replaced */
	r.details = json_string("nonsense");
	assert_int_equal(mpic__check_details_fill(&r, MPIC_CHECK_DCV,
	    MPIC__DCV_ACME_TLS_ALPN_01), 0);
	s = details_text(&r);
	assert_string_equal(s, jq("{'validation_method':'acme-tls-alpn-01',"
	    "'common_name':null}"));
	free(s);
	mpic__check_result_release(&r);
	assert_int_equal(mpic__check_details_fill(NULL, MPIC__CHECK_CAA, 0), 0);
}

static void
test_method_names(void **state)
{
	int m;

	(void)state;
	assert_string_equal(mpic__dcv_method_str(MPIC__DCV_WEBSITE_CHANGE),
	    "website-change");
	assert_string_equal(mpic__dcv_method_str(MPIC__DCV_DNS_ACCOUNT_01),
	    "dns-account-01");
	assert_string_equal(mpic__dcv_method_str(MPIC__DCV_IP_ADDRESS),
	    "ip-address");
	assert_null(mpic__dcv_method_str(MPIC__DCV__COUNT));
	assert_null(mpic__dcv_method_str((enum mpic__dcv_method)-1));
	for (m = 0; m < MPIC__DCV__COUNT; m++) {
		assert_non_null(mpic__dcv_method_str(m));
		assert_non_null(mpic__dcv_method_br(m, false));
		assert_non_null(mpic__dcv_method_br(m, true));
	}
	assert_null(mpic__dcv_method_br(MPIC__DCV__COUNT, false));

	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_WEBSITE_CHANGE,
	    false), "3.2.2.4.18");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_ACME_HTTP_01, false),
	    "3.2.2.4.19");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_ACME_HTTP_01, true),
	    "3.2.2.5.6");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_ACME_DNS_01, false),
	    "3.2.2.4.7");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_ACME_TLS_ALPN_01,
	    false), "3.2.2.4.20");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_ACME_TLS_ALPN_01,
	    true), "3.2.2.5.7");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_DNS_CHANGE, false),
	    "3.2.2.4.7");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_DNS_PERSISTENT,
	    false), "3.2.2.4.22");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_DNS_PERSISTENT,
	    true), "3.2.2.5.8");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_DNS_ACCOUNT_01,
	    false), "3.2.2.4.21");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_CONTACT_EMAIL_TXT,
	    false), "3.2.2.4.14");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_CONTACT_EMAIL_CAA,
	    false), "3.2.2.4.13");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_CONTACT_PHONE_TXT,
	    false), "3.2.2.4.16");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_CONTACT_PHONE_CAA,
	    false), "3.2.2.4.17");
	assert_string_equal(mpic__dcv_method_br(
	    MPIC__DCV_REVERSE_ADDRESS_LOOKUP, true), "3.2.2.5.3");
	assert_string_equal(mpic__dcv_method_br(MPIC__DCV_IP_ADDRESS, false),
	    "3.2.2.4.8");
	assert_string_equal(mpic__dnssec_str(MPIC__DNSSEC_BOGUS), "bogus");
	assert_string_equal(mpic__dnssec_str(MPIC__DNSSEC_INSECURE),
	    "insecure");
}

int
api_tests_result(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_json),
		cmocka_unit_test(test_details_fill),
		cmocka_unit_test(test_method_names),
	};

	return cmocka_run_group_tests_name("result", tests, NULL, NULL);
}
