/*
 * test_labels.c - the method table's BR facets (lib/api/methods.c):
 * validationmethods labels and their alternatives (SC-098), the days the
 * BR discourage and forbid a method, and the Authorization Domain Name a
 * check's result shows (lib/api/result.c, SC-099).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_api.h"

/* Noon UTC of a day, as `mpic --now` makes it. */
static time_t
day(int y, int m, int d)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	return timegm(&tm);
}

static void
test_labels(void **state)
{
	static const struct {
		enum mpic__dcv_method m;
		const char *name, *ip;
	} rows[] = {
		{ MPIC__DCV_WEBSITE_CHANGE, "ca-tbr-18", "ca-tbr-ip-1" },
		{ MPIC__DCV_ACME_HTTP_01, "http-01", "http-01" },
		{ MPIC__DCV_ACME_DNS_01, "dns-01", "dns-01" },
		{ MPIC__DCV_ACME_TLS_ALPN_01, "tls-alpn-01", "tls-alpn-01" },
		{ MPIC__DCV_DNS_CHANGE, "ca-tbr-7", "ca-tbr-7" },
		{ MPIC__DCV_DNS_PERSISTENT, "dns-persist-01", "ca-tbr-ip-8" },
		{ MPIC__DCV_DNS_ACCOUNT_01, "dns-account-01", "dns-account-01" },
		{ MPIC__DCV_CONTACT_EMAIL_TXT, "ca-tbr-14", "ca-tbr-14" },
		{ MPIC__DCV_CONTACT_EMAIL_CAA, "ca-tbr-13", "ca-tbr-13" },
		{ MPIC__DCV_CONTACT_PHONE_TXT, "ca-tbr-16", "ca-tbr-16" },
		{ MPIC__DCV_CONTACT_PHONE_CAA, "ca-tbr-17", "ca-tbr-17" },
		{ MPIC__DCV_REVERSE_ADDRESS_LOOKUP, "ca-tbr-ip-3",
		  "ca-tbr-ip-3" },
		{ MPIC__DCV_IP_ADDRESS, "ca-tbr-8", "ca-tbr-8" },
	};
	size_t i;

	(void)state;
	assert_int_equal(sizeof(rows) / sizeof(rows[0]), MPIC__DCV__COUNT);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_string_equal(mpic__dcv_method_label(rows[i].m, false),
		    rows[i].name);
		assert_string_equal(mpic__dcv_method_label(rows[i].m, true),
		    rows[i].ip);
	}
	assert_null(mpic__dcv_method_label(MPIC__DCV__COUNT, false));

	/* SC-098: either label of one mechanism, both ways */
	assert_string_equal(mpic__dcv_label_alt("http-01"), "ca-tbr-19");
	assert_string_equal(mpic__dcv_label_alt("ca-tbr-19"), "http-01");
	assert_string_equal(mpic__dcv_label_alt("dns-01"), "ca-tbr-7");
	assert_string_equal(mpic__dcv_label_alt("tls-alpn-01"), "ca-tbr-20");
	assert_string_equal(mpic__dcv_label_alt("dns-account-01"),
	    "ca-tbr-21");
	assert_string_equal(mpic__dcv_label_alt("dns-persist-01"),
	    "ca-tbr-22");
	assert_string_equal(mpic__dcv_label_alt("ca-tbr-22"),
	    "dns-persist-01");
	/* ca-tbr-7 is dns-change's own: a record allowing dns-01 does not
	 * allow dns-change */
	assert_null(mpic__dcv_label_alt("ca-tbr-7"));
	assert_null(mpic__dcv_label_alt("ca-tbr-18"));
	assert_null(mpic__dcv_label_alt("ca-mpic-lab"));
	assert_null(mpic__dcv_label_alt("HTTP-01"));
	assert_null(mpic__dcv_label_alt(NULL));

	assert_true(mpic__dcv_label_is_acme("http-01"));
	assert_true(mpic__dcv_label_is_acme("dns-persist-01"));
	assert_true(mpic__dcv_label_is_acme("dns-account-01"));
	assert_false(mpic__dcv_label_is_acme("ca-tbr-7"));
	assert_false(mpic__dcv_label_is_acme("dns-02"));
}

/* status of m on y-m-d; since and until as expected (NULL: none) */
static void
status_is(enum mpic__dcv_method m, time_t t, enum mpic__method_status want,
	  const char *since, const char *until)
{
	const char *s = "x", *u = "x";

	assert_int_equal(mpic__dcv_method_status(m, t, &s, &u), want);
	if (since == NULL)
		assert_null(s);
	else
		assert_string_equal(s, since);
	if (until == NULL)
		assert_null(u);
	else
		assert_string_equal(u, until);
}

static void
test_dates(void **state)
{
	enum mpic__method_status A = MPIC__METHOD_ALLOWED,
	    D = MPIC__METHOD_DISCOURAGED, F = MPIC__METHOD_FORBIDDEN;

	(void)state;
	/* requirements 6: contact methods SHOULD NOT since 2026-03-15 */
	status_is(MPIC__DCV_CONTACT_EMAIL_TXT, day(2026, 3, 14), A, NULL,
	    NULL);
	status_is(MPIC__DCV_CONTACT_EMAIL_TXT, day(2026, 3, 15), D,
	    "2026-03-15", "2028-03-15");
	status_is(MPIC__DCV_CONTACT_EMAIL_TXT, day(2026, 11, 23), D,
	    "2026-03-15", "2028-03-15");
	/* phone (.16, .17) MUST NOT from 2027-03-15 */
	status_is(MPIC__DCV_CONTACT_PHONE_TXT, day(2027, 3, 14), D,
	    "2026-03-15", "2027-03-15");
	status_is(MPIC__DCV_CONTACT_PHONE_TXT, day(2027, 3, 15), F,
	    "2027-03-15", NULL);
	status_is(MPIC__DCV_CONTACT_PHONE_CAA, day(2027, 3, 15), F,
	    "2027-03-15", NULL);
	/* the first second of the day counts (each date starts 00:00 UTC) */
	status_is(MPIC__DCV_CONTACT_PHONE_CAA, day(2027, 3, 15) - 12 * 3600,
	    F, "2027-03-15", NULL);
	status_is(MPIC__DCV_CONTACT_PHONE_CAA, day(2027, 3, 15) - 12 * 3600 -
	    1, D, "2026-03-15", "2027-03-15");
	/* email (.13, .14) MUST NOT from 2028-03-15 */
	status_is(MPIC__DCV_CONTACT_EMAIL_CAA, day(2028, 3, 14), D,
	    "2026-03-15", "2028-03-15");
	status_is(MPIC__DCV_CONTACT_EMAIL_CAA, day(2028, 3, 15), F,
	    "2028-03-15", NULL);
	status_is(MPIC__DCV_CONTACT_EMAIL_TXT, day(2028, 3, 15), F,
	    "2028-03-15", NULL);
	/* IP Address (.8): MUST NOT since 2026-03-15, never discouraged */
	status_is(MPIC__DCV_IP_ADDRESS, day(2026, 3, 14), A, NULL, NULL);
	status_is(MPIC__DCV_IP_ADDRESS, day(2026, 3, 15), F, "2026-03-15",
	    NULL);
	/* the rest: allowed, whenever */
	status_is(MPIC__DCV_ACME_DNS_01, day(2040, 1, 1), A, NULL, NULL);
	status_is(MPIC__DCV_DNS_CHANGE, day(2028, 3, 15), A, NULL, NULL);
	status_is(MPIC__DCV__COUNT, day(2028, 3, 15), A, NULL, NULL);
}

/* The ADN of a result with these details for this request. */
static bool
adn_of(const char *req_json, const char *details_json, char *out,
       size_t outlen)
{
	struct mpic__request req;
	struct mpic__check_result r;
	json_error_t je;
	bool got;

	parse_ok(jq(req_json), &req);
	mpic__check_result_init(&r);
	if (details_json != NULL) {
		r.details = json_loads(jq(details_json), 0, &je);
		assert_non_null(r.details);
	}
	got = mpic__check_adn(&req, &r, out, outlen);
	mpic__check_result_release(&r);
	mpic__request_release(&req);
	return got;
}

#define DNS01(t) "{'check_type':'dcv','domain_or_ip_target':'" t "'," \
	"'dcv_check_parameters':{'validation_method':'acme-dns-01'," \
	"'key_authorization_hash':" \
	"'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0'}}"
#define CHANGE(t, p) "{'check_type':'dcv','domain_or_ip_target':'" t "'," \
	"'dcv_check_parameters':{'validation_method':'dns-change'," \
	"'challenge_value':'b462041bc92ef33e9a0ca12968948c61'," \
	"'dns_record_type':'TXT'" p "}}"

static void
test_adn(void **state)
{
	char a[MPIC__NAME_MAX + 1], small[8];

	(void)state;
	/* dns-01: the record's name without _acme-challenge */
	assert_true(adn_of(DNS01("Example.com"), "{'found_at':"
	    "'_acme-challenge.example.com','cname_chain':[],'queried':"
	    "'_acme-challenge.example.com'}", a, sizeof(a)));
	assert_string_equal(a, "example.com");
	/* nothing found: the name asked (without its _ labels) */
	assert_true(adn_of(DNS01("example.com"), "{'found_at':null,"
	    "'cname_chain':[],'queried':'_acme-challenge.example.com'}", a,
	    sizeof(a)));
	assert_string_equal(a, "example.com");
	/* through an alias: the name asked, not the alias target */
	assert_true(adn_of(DNS01("example.com"), "{'found_at':"
	    "'x.provider.net','cname_chain':['x.provider.net'],"
	    "'queried':'_acme-challenge.example.com'}", a, sizeof(a)));
	assert_string_equal(a, "example.com");
	/* an alias and no queried (another implementation's perspective):
	 * unknown, not the alias target */
	assert_false(adn_of(DNS01("example.com"), "{'found_at':"
	    "'x.provider.net','cname_chain':['x.provider.net']}", a,
	    sizeof(a)));
	/* a parent (label pruning), a final dot, upper case */
	assert_true(adn_of(CHANGE("www.example.com", ""), "{'found_at':"
	    "'Example.COM.','cname_chain':[]}", a, sizeof(a)));
	assert_string_equal(a, "example.com");
	/* dns-change with a _ prefix; two _ labels (dns-account-01) */
	assert_true(adn_of(CHANGE("example.com", ",'dns_name_prefix':'_x'"),
	    "{'found_at':'_x.example.com'}", a, sizeof(a)));
	assert_string_equal(a, "example.com");
	assert_true(adn_of(DNS01("example.com"), "{'found_at':"
	    "'_ujmmovf2vn55tgye._acme-challenge.example.com'}", a,
	    sizeof(a)));
	assert_string_equal(a, "example.com");
	/* a prefix that is no underscore label is no ADN prefix (BR
	 * 3.2.2.4.7): the name where the record was is recorded */
	assert_true(adn_of(CHANGE("example.com", ",'dns_name_prefix':'x'"),
	    "{'found_at':'x.example.com'}", a, sizeof(a)));
	assert_string_equal(a, "x.example.com");
	/* only underscore labels, a bad type, too long: none */
	assert_false(adn_of(DNS01("example.com"), "{'found_at':'_a._b'}", a,
	    sizeof(a)));
	assert_false(adn_of(DNS01("example.com"), "{'found_at':7}", a,
	    sizeof(a)));
	assert_false(adn_of(DNS01("example.com"), NULL, a, sizeof(a)));
	assert_false(adn_of(DNS01("example.com"), "{'found_at':"
	    "'_acme-challenge.example.com'}", small, sizeof(small)));
	/* CAA: the name whose set was relevant; none found: none */
	assert_true(adn_of("{'check_type':'caa','domain_or_ip_target':"
	    "'*.www.example.com'}", "{'found_at':'example.com'}", a,
	    sizeof(a)));
	assert_string_equal(a, "example.com");
	assert_false(adn_of("{'check_type':'caa','domain_or_ip_target':"
	    "'www.example.com'}", "{'found_at':null}", a, sizeof(a)));
	/* contact-email-caa: where climbing found the contact */
	assert_true(adn_of("{'check_type':'dcv','domain_or_ip_target':"
	    "'www.example.com','dcv_check_parameters':{'validation_method':"
	    "'contact-email-caa','challenge_value':'a@example.com'}}",
	    "{'found_at':'example.com'}", a, sizeof(a)));
	assert_string_equal(a, "example.com");
	/* web methods: the name itself, whatever the details */
	assert_true(adn_of("{'check_type':'dcv','domain_or_ip_target':"
	    "'www.example.com','dcv_check_parameters':{'validation_method':"
	    "'acme-tls-alpn-01','key_authorization_hash':"
	    "'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0'}}", NULL, a,
	    sizeof(a)));
	assert_string_equal(a, "www.example.com");
	/* an IP address has no ADN */
	assert_false(adn_of("{'check_type':'dcv','domain_or_ip_target':"
	    "'192.0.2.5','dcv_check_parameters':{'validation_method':"
	    "'reverse-address-lookup','challenge_value':'a.example.com'}}",
	    "{'found_at':'5.2.0.192.in-addr.arpa'}", a, sizeof(a)));
}

int
api_tests_labels(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_adn),
	};

	return cmocka_run_group_tests_name("labels", tests, NULL, NULL);
}
