/*
 * test_records.c - what the engine's audit records say of a validation
 * (SC-099, BR 5.4.1; docs/audit.md): the identifier, the Authorization
 * Domain Name, the method as BR section and label, the warning given with
 * the answer; and that the hash chain covers those fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit/audit.h"

static const char *
str(const json_t *r, const char *key)
{
	const json_t *v = json_object_get(r, key);

	assert_non_null(v);
	return json_is_null(v) ? "(null)" : json_string_value(v);
}

static json_t *
parsed(int rc, const struct mpic__jw *w)
{
	json_error_t je;
	json_t *r;

	assert_int_equal(rc, 0);
	r = json_loadb(w->p, w->len, JSON_REJECT_DUPLICATES, &je);
	assert_non_null(r);
	return r;
}

struct fix {
	struct mpic__request req;
	struct mpic__audit_ctx c;
	struct mpic__perspective_def def;
	struct mpic__jw w, scratch;
};

static void
fix_init(struct fix *f, const char *body)
{
	struct mpic__issues is;

	memset(f, 0, sizeof(*f));
	memset(&is, 0, sizeof(is));
	if (mpic__request_parse(body, strlen(body), &f->req, &is) != 0)
		fail_msg("parse: %s", is.n ? is.v[0].message : "?");
	f->c.req = &f->req;
	f->c.audit_id = "00112233445566778899aabbccddeeff";
	snprintf(f->def.code, sizeof(f->def.code), "us-east-1");
	mpic__jw_init(&f->w, MPIC_AUDIT_LINE_MAX, true);
	mpic__jw_init(&f->scratch, 1u << 20, true);
}

static void
fix_release(struct fix *f)
{
	mpic__request_release(&f->req);
	mpic__jw_release(&f->w);
	mpic__jw_release(&f->scratch);
}

/* A perspective record of a result whose details are det (JSON text). */
static json_t *
check_record(struct fix *f, const char *det, bool passed)
{
	struct mpic__check_result res;
	json_error_t je;
	json_t *r;

	mpic__check_result_init(&res);
	res.completed = true;
	res.passed = passed;
	res.details = json_loads(det, 0, &je);
	assert_non_null(res.details);
	r = parsed(mpic__audit_check_record(&f->c, 1, &f->def, &res, 0, &f->w,
	    &f->scratch), &f->w);
	mpic__check_result_release(&res);
	return r;
}

static void
test_dcv_records(void **state)
{
	struct mpic__audit_decision d;
	const char *adns[] = {"example.com", "other.example"};
	struct fix f;
	json_t *r;

	(void)state;
	fix_init(&f, "{\"check_type\":\"dcv\",\"domain_or_ip_target\":"
	    "\"*.Example.COM\",\"dcv_check_parameters\":{\"validation_method\":"
	    "\"dns-change\",\"challenge_value\":"
	    "\"b462041bc92ef33e9a0ca12968948c61\",\"dns_record_type\":\"TXT\","
	    "\"dns_name_prefix\":\"_dnsauth\"}}");
	r = check_record(&f, "{\"found_at\":\"_dnsauth.example.com\","
	    "\"cname_chain\":[],\"queried\":\"_dnsauth.example.com\"}", true);
	assert_string_equal(str(r, "target"), "*.example.com");
	assert_string_equal(str(r, "identifier"), "example.com");
	assert_string_equal(str(r, "method"), "dns-change");
	assert_string_equal(str(r, "method_label"), "ca-tbr-7");
	assert_string_equal(str(r, "br_section"), "3.2.2.4.7");
	assert_string_equal(str(r, "authorization_domain_name"),
	    "example.com");
	json_decref(r);
	/* nothing found where it was asked: the name asked */
	r = check_record(&f, "{\"found_at\":null,\"cname_chain\":[],"
	    "\"queried\":\"_dnsauth.example.com\"}", false);
	assert_string_equal(str(r, "authorization_domain_name"),
	    "example.com");
	json_decref(r);

	/* the decision: one ADN a string, several a list, none null; the
	 * warning given with the answer */
	memset(&d, 0, sizeof(d));
	d.perspective_count = 2;
	d.adns = adns;
	d.n_adns = 1;
	r = parsed(mpic__audit_decision_record(&f.c, &d, &f.w), &f.w);
	assert_string_equal(str(r, "identifier"), "example.com");
	assert_string_equal(str(r, "method_label"), "ca-tbr-7");
	assert_string_equal(str(r, "authorization_domain_name"),
	    "example.com");
	assert_null(json_object_get(r, "warnings"));
	json_decref(r);
	d.n_adns = 2;
	d.warning_type = "method-discouraged";
	d.warning = "why";
	r = parsed(mpic__audit_decision_record(&f.c, &d, &f.w), &f.w);
	assert_int_equal(json_array_size(json_object_get(r,
	    "authorization_domain_name")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r,
	    "authorization_domain_name"), 1)), "other.example");
	assert_string_equal(str(json_array_get(json_object_get(r, "warnings"),
	    0), "warning_type"), "method-discouraged");
	assert_string_equal(str(json_array_get(json_object_get(r, "warnings"),
	    0), "message"), "why");
	json_decref(r);
	d.n_adns = 0;
	r = parsed(mpic__audit_decision_record(&f.c, &d, &f.w), &f.w);
	assert_true(json_is_null(json_object_get(r,
	    "authorization_domain_name")));
	json_decref(r);
	fix_release(&f);

	/* an IP address: the address, no ADN, a 3.2.2.5 label */
	fix_init(&f, "{\"check_type\":\"dcv\",\"domain_or_ip_target\":"
	    "\"192.0.2.5\",\"dcv_check_parameters\":{\"validation_method\":"
	    "\"acme-http-01\",\"token\":"
	    "\"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA\","
	    "\"key_authorization\":\"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr"
	    "-oA.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs\"}}");
	r = check_record(&f, "{}", true);
	assert_string_equal(str(r, "identifier"), "192.0.2.5");
	assert_string_equal(str(r, "authorization_domain_name"), "(null)");
	assert_string_equal(str(r, "method_label"), "http-01");
	assert_string_equal(str(r, "br_section"), "3.2.2.5.6");
	json_decref(r);
	fix_release(&f);
}

static void
test_caa_records(void **state)
{
	struct fix f;
	json_t *r;

	(void)state;
	/* CAA: the label the validationmethods match was made for; the ADN
	 * the parent whose set was relevant */
	fix_init(&f, "{\"check_type\":\"caa\",\"domain_or_ip_target\":"
	    "\"www.example.com\",\"caa_check_parameters\":"
	    "{\"validation_method\":\"http-01\"}}");
	r = check_record(&f, "{\"caa_record_present\":true,\"found_at\":"
	    "\"example.com\",\"records_seen\":[]}", true);
	assert_string_equal(str(r, "method"), "caa");
	assert_string_equal(str(r, "method_label"), "http-01");
	assert_string_equal(str(r, "br_section"), "3.2.2.8");
	assert_string_equal(str(r, "identifier"), "www.example.com");
	assert_string_equal(str(r, "authorization_domain_name"),
	    "example.com");
	json_decref(r);
	r = check_record(&f, "{\"caa_record_present\":false,\"found_at\":"
	    "null,\"records_seen\":[]}", true);
	assert_string_equal(str(r, "authorization_domain_name"), "(null)");
	json_decref(r);
	fix_release(&f);
}

/* The chain covers the new fields: a log of such records verifies, and
 * an ADN changed afterwards is found. */
static void
test_chain_covers_fields(void **state)
{
	char dir[] = "/tmp/mpic-records-XXXXXX", path[64], err[256];
	struct mpic_audit_report rep;
	struct mpic_audit_line ln;
	struct fix f;
	json_t *r;
	FILE *fp;
	char line[8192 + 128], *at;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.jsonl", dir);
	fix_init(&f, "{\"check_type\":\"caa\",\"domain_or_ip_target\":"
	    "\"www.example.com\"}");
	r = check_record(&f, "{\"found_at\":\"example.com\"}", true);
	json_decref(r);
	/* a line as the writer makes it: the record, prev, then hash */
	{
		char hex[65], body[8192];
		uint8_t dg[32];
		int i, len;

		len = snprintf(body, sizeof(body), "{\"seq\":1,\"time\":"
		    "\"2026-11-23T00:00:00.000Z\",%.*s,\"prev\":\"%s\"",
		    (int)f.w.len - 2, f.w.p + 1, MPIC__AUDIT_GENESIS);
		assert_true(len > 0 && (size_t)len < sizeof(body));
		mpic__sha256(body, (size_t)len, dg);
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", dg[i]);
		snprintf(line, sizeof(line), "%s,\"hash\":\"%s\"}", body, hex);
	}
	n = strlen(line);
	assert_int_equal(mpic_audit_line_parse(line, n, &ln, err,
	    sizeof(err)), 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "%s\n", line);
	fclose(fp);
	assert_int_equal(mpic_audit_verify(path, &rep), 0);
	assert_int_equal(rep.records, 1);
	/* the ADN altered: the hash no longer matches */
	at = strstr(line, "\"authorization_domain_name\":\"example.com\"");
	assert_non_null(at);
	at[strlen("\"authorization_domain_name\":\"")] = 'E';
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "%s\n", line);
	fclose(fp);
	assert_int_equal(mpic_audit_verify(path, &rep), MPIC_EPARSE);
	assert_non_null(strstr(rep.problem, "hash mismatch"));
	unlink(path);
	rmdir(dir);
	fix_release(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dcv_records),
		cmocka_unit_test(test_caa_records),
		cmocka_unit_test(test_chain_covers_fields),
	};

	return cmocka_run_group_tests_name("records", tests, NULL, NULL);
}
