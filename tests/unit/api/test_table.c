/*
 * test_table.c - the method table (lib/api/methods.c) walked row by row:
 * every method has exactly one row, and each row has the facets its kind
 * needs (docs/methods.md), so a row added with a facet missing fails here
 * rather than in a check.  Also the names a DNS method's check asks for,
 * read from the row.
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
#include "api/api_int.h"

static bool
has_key(const struct api_method *r, const char *key)
{
	size_t i;

	for (i = 0; r->keys[i] != NULL; i++)
		if (strcmp(r->keys[i], key) == 0)
			return true;
	return false;
}

/*
 * requirements.md section 6 (SC-098): ACME methods use their ACME names,
 * every other method of BR 3.2.2.4 "ca-tbr-" and its subsection; a method
 * of 3.2.2.5 without an ACME name has our "ca-tbr-ip-" and its own.
 */
static void
check_label(const struct api_method_ref *ref, const char *alt)
{
	static const char *const acme[] = {"http-01", "dns-01", "tls-alpn-01",
	    "dns-account-01", "dns-persist-01", NULL};
	char want[32];
	const char *sub;
	bool ip;
	size_t i;

	assert_non_null(ref->section);
	assert_non_null(ref->label);
	ip = strncmp(ref->section, "3.2.2.5.", 8) == 0;
	assert_true(ip || strncmp(ref->section, "3.2.2.4.", 8) == 0);
	sub = ref->section + 8;
	if (strncmp(ref->label, "ca-", 3) != 0) {
		for (i = 0; acme[i] != NULL; i++)
			if (strcmp(acme[i], ref->label) == 0)
				break;
		assert_non_null(acme[i]);
		return;
	}
	snprintf(want, sizeof(want), "ca-tbr-%s%s", ip ? "ip-" : "", sub);
	assert_string_equal(ref->label, want);
	if (!ip)  /* only an ACME name has a ca-tbr- alternative */
		assert_null(alt);
}

static void
test_rows(void **state)
{
	const struct api_method *t, *r;
	size_t n, i, j, count[MPIC__DCV__COUNT];
	const struct mpic__dcv_query *q;
	char want[32];

	(void)state;
	t = api__methods(&n);
	assert_int_equal(n, MPIC__DCV__COUNT);
	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++) {
		r = &t[i];
		q = &r->query;
		assert_true((unsigned)r->method < MPIC__DCV__COUNT);
		count[r->method]++;
		assert_non_null(r->name);
		for (j = 0; j < i; j++)
			assert_string_not_equal(r->name, t[j].name);
		assert_true((r->targets & (API_T_NAME | API_T_IP)) != 0);
		assert_non_null(r->keys);
		assert_non_null(r->parse);
		assert_non_null(r->echo);
		check_label(&r->dns, r->alt_label);
		check_label(&r->ip, NULL);
		if (r->alt_label != NULL) {
			/* an ACME name's alternative is its 3.2.2.4 label */
			snprintf(want, sizeof(want), "ca-tbr-%s",
			    r->dns.section + 8);
			assert_string_equal(r->alt_label, want);
		}
		if (r->forbidden != NULL && r->discouraged != NULL)
			assert_true(strcmp(r->discouraged, r->forbidden) < 0);
		/* the facets of its kind of check */
		switch (q->by) {
		case MPIC__RUN_HTTP:
			assert_int_equal(r->details, MPIC__DETAILS_HTTP);
			assert_int_equal(q->match, MPIC__MATCH_NONE);
			break;
		case MPIC__RUN_TLS_ALPN:
			assert_int_equal(r->details, MPIC__DETAILS_TLS_ALPN);
			assert_int_equal(q->match, MPIC__MATCH_NONE);
			break;
		case MPIC__RUN_CAA:
			assert_int_equal(r->details, MPIC__DETAILS_DNS);
			assert_int_equal(q->match, MPIC__MATCH_NONE);
			assert_int_equal(q->rtype, MPIC__RR_CAA);
			break;
		case MPIC__RUN_DNS:
			assert_int_equal(r->details, MPIC__DETAILS_DNS);
			assert_int_not_equal(q->match, MPIC__MATCH_NONE);
			/* a record type, or the request's own */
			assert_true(q->rtype != 0 ||
			    has_key(r, "dns_record_type"));
			if (q->qname == MPIC__QNAME_ACCOUNT)
				assert_non_null(q->prefix);
			if (q->qname == MPIC__QNAME_REQUEST)
				assert_true(has_key(r, "dns_name_prefix"));
			break;
		default:
			fail_msg("%s: no way to run its check", r->name);
		}
		/* a type the request must give has the tool's default */
		assert_true((r->tool_rtype != NULL) ==
		    (q->by == MPIC__RUN_DNS && q->rtype == 0));
		if (r->tool_rtype != NULL)
			assert_string_equal(mpic_dcv_method_default(r->name,
			    "dns_record_type"), r->tool_rtype);
		for (j = 0; r->keys[j] != NULL; j++)
			assert_true(mpic_dcv_method_takes(r->name,
			    r->keys[j]));
		/* the readers give the row's facets */
		assert_string_equal(mpic__dcv_method_str(r->method), r->name);
		assert_ptr_equal(mpic__dcv_method_query(r->method), q);
		assert_int_equal(mpic__dcv_method_details(r->method),
		    r->details);
	}
	for (i = 0; i < MPIC__DCV__COUNT; i++)
		assert_int_equal(count[i], 1);
	assert_null(mpic__dcv_method_str(MPIC__DCV__COUNT));
	assert_null(mpic__dcv_method_query(MPIC__DCV__COUNT));
	assert_int_equal(mpic__dcv_method_details(MPIC__DCV__COUNT),
	    MPIC__DETAILS_NONE);
}

/* The query name and type of a request, from its method's row. */
static void
query_is(const char *target, const char *params, const char *name,
	 uint16_t type)
{
	char body[1024], got[MPIC__NAME_MAX + 64];
	struct mpic__request req;
	uint16_t t = 0;

	snprintf(body, sizeof(body), "{'check_type':'dcv',"
	    "'domain_or_ip_target':'%s','dcv_check_parameters':{%s}}",
	    target, params);
	parse_ok(jq(body), &req);
	if (name == NULL) {
		assert_int_equal(mpic__dcv_query_name(&req, got, sizeof(got),
		    &t), MPIC_EINVAL);
	} else {
		assert_int_equal(mpic__dcv_query_name(&req, got, sizeof(got),
		    &t), 0);
		assert_string_equal(got, name);
		assert_int_equal(t, type);
	}
	mpic__request_release(&req);
}

static void
test_query(void **state)
{
	static const char H[] = "'key_authorization_hash':"
	    "'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0'";
	char p[256];

	(void)state;
	snprintf(p, sizeof(p), "'validation_method':'acme-dns-01',%s", H);
	query_is("Example.com", p, "_acme-challenge.example.com",
	    MPIC__RR_TXT);
	snprintf(p, sizeof(p), "'validation_method':'dns-account-01',"
	    "'account_uri':'https://example.com/acme/acct/ExampleAccount',"
	    "%s", H);
	query_is("example.com", p,
	    "_ujmmovf2vn55tgye._acme-challenge.example.com", MPIC__RR_TXT);
	query_is("*.example.com", "'validation_method':'dns-persistent',"
	    "'issuer_domain_names':['ca.example'],"
	    "'expected_account_uri':'https://ca.example/acct/1'",
	    "_validation-persist.example.com", MPIC__RR_TXT);
	query_is("192.0.2.1", "'validation_method':'dns-persistent',"
	    "'issuer_domain_names':['ca.example'],"
	    "'expected_account_uri':'https://ca.example/acct/1'",
	    "_ip-validation-persist.1.2.0.192.in-addr.arpa", MPIC__RR_TXT);
	query_is("example.com", "'validation_method':'contact-email-txt',"
	    "'challenge_value':'a@example.com'",
	    "_validation-contactemail.example.com", MPIC__RR_TXT);
	query_is("example.com", "'validation_method':'contact-phone-txt',"
	    "'challenge_value':'+1 555 0100'",
	    "_validation-contactphone.example.com", MPIC__RR_TXT);
	query_is("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'abcdefghijklmnopqrstuvwxyz','dns_name_prefix':"
	    "'_Sub','dns_record_type':'CNAME'", "_sub.example.com",
	    MPIC__RR_CNAME);
	query_is("example.com", "'validation_method':'dns-change',"
	    "'challenge_value':'abcdefghijklmnopqrstuvwxyz',"
	    "'dns_record_type':'TXT'", "example.com", MPIC__RR_TXT);
	query_is("example.com", "'validation_method':'ip-address',"
	    "'challenge_value':'2001:db8::1','dns_record_type':'AAAA'",
	    "example.com", MPIC__RR_AAAA);
	query_is("192.0.2.1", "'validation_method':'reverse-address-lookup',"
	    "'challenge_value':'host.example.com'",
	    "1.2.0.192.in-addr.arpa", MPIC__RR_PTR);
	/* not a DNS lookup of its own */
	query_is("example.com", "'validation_method':'contact-email-caa',"
	    "'challenge_value':'a@example.com'", NULL, 0);
}

/* What `mpic dcv` fills in, read from the rows (src/mpic/table.c). */
static void
test_client(void **state)
{
	(void)state;
	assert_string_equal(mpic_dcv_method_default("dns-change",
	    "dns_record_type"), "TXT");
	assert_string_equal(mpic_dcv_method_default("ip-address",
	    "dns_record_type"), "A");
	assert_null(mpic_dcv_method_default("acme-dns-01",
	    "dns_record_type"));
	assert_null(mpic_dcv_method_default("dns-change", "challenge_value"));
	assert_null(mpic_dcv_method_default("no-such-method",
	    "dns_record_type"));
	assert_null(mpic_dcv_method_default(NULL, "dns_record_type"));
	assert_true(mpic_dcv_method_takes("dns-persistent",
	    "expected_account_uri"));
	assert_false(mpic_dcv_method_takes("dns-persistent", "account_uri"));
	assert_true(mpic_dcv_method_takes("dns-account-01", "account_uri"));
	assert_false(mpic_dcv_method_takes("dns-account-01",
	    "expected_account_uri"));
	assert_false(mpic_dcv_method_takes("no-such-method", "token"));
	assert_false(mpic_dcv_method_takes("acme-http-01", NULL));
}

int
api_tests_table(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_client),
	};

	return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
