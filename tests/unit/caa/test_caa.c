/* test_caa.c - CAA wire parsing, presentation, issue values, decision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "caa/caa.h"

#define MAX_SET 8

/* A record set built from presentation-like pieces, for the decision. */
struct set {
	struct mpic__caa_rr rr[MAX_SET];
	size_t n;
};

static void
set_add(struct set *s, uint8_t flags, const char *tag, const char *value)
{
	struct mpic__caa_rr *rr;

	assert_true(s->n < MAX_SET);
	rr = &s->rr[s->n++];
	memset(rr, 0, sizeof(*rr));
	rr->flags = flags;
	snprintf(rr->tag, sizeof(rr->tag), "%s", tag);
	rr->value = (const uint8_t *)value;
	rr->value_len = strlen(value);
}

static const char *const our_issuers[] = { "ca.example", "CA2.Example." };

static struct mpic__caa_query
query(void)
{
	struct mpic__caa_query q;

	memset(&q, 0, sizeof(q));
	q.cert_type = MPIC__CERT_TLS_SERVER;
	q.issuer_domains = our_issuers;
	q.n_issuers = 2;
	return q;
}

static bool
permits(const struct set *s, const struct mpic__caa_query *q, char *reason)
{
	return mpic__caa_permits(s->rr, s->n, q, reason, 256);
}

static void
iv_parse(const char *v, struct mpic__caa_issue_value *iv)
{
	assert_int_equal(mpic__caa_issue_value_parse((const uint8_t *)v,
	    strlen(v), iv), 0);
}

/* ---------------------------------------------------------------- wire */

static void
test_rr_parse_ok(void **state)
{
	const uint8_t rd[] = { 0x80, 5, 'i', 's', 's', 'u', 'e',
	    'c', 'a', '.', 'e', 'x' };
	const uint8_t empty[] = { 0, 5, 'i', 'o', 'd', 'e', 'f' };
	struct mpic__caa_rr rr;

	(void)state;
	assert_int_equal(mpic__caa_rr_parse(rd, sizeof(rd), &rr), 0);
	assert_int_equal(rr.flags, 0x80);
	assert_string_equal(rr.tag, "issue");
	assert_ptr_equal(rr.value, rd + 7);
	assert_int_equal(rr.value_len, 5);
	assert_memory_equal(rr.value, "ca.ex", 5);

	assert_int_equal(mpic__caa_rr_parse(empty, sizeof(empty), &rr), 0);
	assert_string_equal(rr.tag, "iodef");
	assert_int_equal(rr.value_len, 0);
}

static void
test_rr_parse_malformed(void **state)
{
	const uint8_t tag0[] = { 0, 0, 'x' };
	const uint8_t tag_over[] = { 0, 6, 'i', 's', 's', 'u', 'e' };
	const uint8_t tag_bad[] = { 0, 3, 'i', '-', 's' };
	const uint8_t tag_nul[] = { 0, 3, 'i', 0, 's' };
	const uint8_t tag_high[] = { 0, 1, 0xe9 };
	uint8_t tag16[2 + 16];
	uint8_t tag15[2 + 15];
	struct mpic__caa_rr rr;

	(void)state;
	memset(&rr, 0xa5, sizeof(rr));
	assert_int_equal(mpic__caa_rr_parse(tag0, 0, &rr), MPIC_EPARSE);
	assert_int_equal(mpic__caa_rr_parse(tag0, 1, &rr), MPIC_EPARSE);
	assert_int_equal(mpic__caa_rr_parse(tag0, sizeof(tag0), &rr),
	    MPIC_EPARSE);
	assert_int_equal(mpic__caa_rr_parse(tag_over, sizeof(tag_over), &rr),
	    MPIC_EPARSE);
	assert_int_equal(mpic__caa_rr_parse(tag_bad, sizeof(tag_bad), &rr),
	    MPIC_EPARSE);
	assert_int_equal(mpic__caa_rr_parse(tag_nul, sizeof(tag_nul), &rr),
	    MPIC_EPARSE);
	assert_int_equal(mpic__caa_rr_parse(tag_high, sizeof(tag_high), &rr),
	    MPIC_EPARSE);
	assert_int_equal(mpic__caa_rr_parse(NULL, 5, &rr), MPIC_EPARSE);
	/* A failed parse leaves out untouched. */
	assert_int_equal(rr.flags, 0xa5);

	/* longer than the 15 octets RFC 8659 recommends: well-formed */
	memset(tag16, 'a', sizeof(tag16));
	tag16[0] = 0;
	tag16[1] = 16;
	assert_int_equal(mpic__caa_rr_parse(tag16, sizeof(tag16), &rr), 0);
	assert_int_equal(strlen(rr.tag), 16);
	memset(tag15, 'A', sizeof(tag15));
	tag15[0] = 0;
	tag15[1] = 15;
	assert_int_equal(mpic__caa_rr_parse(tag15, sizeof(tag15), &rr), 0);
	assert_int_equal(strlen(rr.tag), 15);
	/* Tag exactly fills the rdata: empty value. */
	assert_int_equal(mpic__caa_rr_parse(tag15, sizeof(tag15) - 1, &rr),
	    MPIC_EPARSE);
}

static void
test_rr_str(void **state)
{
	const uint8_t rd[] = { 0x80, 3, 't', 'b', 's', 'a', '"', 'b', '\\',
	    0x00, 0x7f, 0xff, ' ', '\n' };
	struct mpic__caa_rr rr;
	char out[64];
	const char *want = "128 tbs \"a\\\"b\\\\\\000\\127\\255 \\010\"";
	size_t wl = strlen(want);

	(void)state;
	assert_int_equal(mpic__caa_rr_parse(rd, sizeof(rd), &rr), 0);
	assert_int_equal(mpic__caa_rr_str(&rr, out, sizeof(out)), 0);
	assert_string_equal(out, want);
	/* Exactly enough room, then one byte short. */
	assert_int_equal(mpic__caa_rr_str(&rr, out, wl + 1), 0);
	assert_string_equal(out, want);
	assert_int_equal(mpic__caa_rr_str(&rr, out, wl), MPIC_ETOOBIG);
	assert_string_equal(out, "");
	assert_int_equal(mpic__caa_rr_str(&rr, out, 1), MPIC_ETOOBIG);
	assert_int_equal(mpic__caa_rr_str(&rr, out, 0), MPIC_ETOOBIG);
	assert_int_equal(mpic__caa_rr_str(&rr, NULL, 10), MPIC_ETOOBIG);
}

static void
test_rr_str_plain(void **state)
{
	struct set s = { .n = 0 };
	char out[128];

	(void)state;
	set_add(&s, 0, "issue", "ca.example; accounturi=https://a/1");
	set_add(&s, 5, "iodef", "");
	assert_int_equal(mpic__caa_rr_str(&s.rr[0], out, sizeof(out)), 0);
	assert_string_equal(out,
	    "0 issue \"ca.example; accounturi=https://a/1\"");
	assert_int_equal(mpic__caa_rr_str(&s.rr[1], out, sizeof(out)), 0);
	assert_string_equal(out, "5 iodef \"\"");
}

/* ---------------------------------------------------------------- grammar */

static void
test_issue_value_basic(void **state)
{
	struct mpic__caa_issue_value iv;

	(void)state;
	iv_parse("ca.example", &iv);
	assert_true(iv.valid);
	assert_string_equal(iv.issuer, "ca.example");
	assert_int_equal(iv.n_params, 0);

	iv_parse("  CA.Example \t", &iv);
	assert_true(iv.valid);
	assert_string_equal(iv.issuer, "ca.example");

	iv_parse("ca-1.ex--ample.net", &iv);
	assert_true(iv.valid);
	assert_string_equal(iv.issuer, "ca-1.ex--ample.net");

	iv_parse("a", &iv);
	assert_true(iv.valid);
	assert_string_equal(iv.issuer, "a");

	iv_parse("1.2", &iv);
	assert_true(iv.valid);
}

static void
test_issue_value_empty(void **state)
{
	struct mpic__caa_issue_value iv;
	const char *const ok[] = { "", ";", "  ", " ; ", "\t;\t", ";a=b",
	    " ; a=b ; c=d " };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		iv_parse(ok[i], &iv);
		assert_true(iv.valid);
		assert_string_equal(iv.issuer, "");
	}
	iv_parse(" ; policy=b ; accounturi=d ", &iv);
	assert_int_equal(iv.n_params, 2);
	assert_int_equal(mpic__caa_issue_value_parse(NULL, 0, &iv), 0);
	assert_true(iv.valid);
	assert_int_equal(mpic__caa_issue_value_parse(NULL, 3, &iv),
	    MPIC_EINVAL);
	assert_int_equal(mpic__caa_issue_value_parse((const uint8_t *)"x", 1,
	    NULL), MPIC_EINVAL);
}

static void
test_issue_value_bad_names(void **state)
{
	struct mpic__caa_issue_value iv;
	const char *const bad[] = { "-ca.example", "ca-.example",
	    "ca..example", "ca.example.", ".ca.example", "ca_x.example",
	    "ca.example x", "ca example", "ca.example-", "\"ca.example\"",
	    "ca.ex\xc3\xa9mple", "ca.example\n", "=", "ca.example,x" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		iv_parse(bad[i], &iv);
		assert_false(iv.valid);
		assert_string_equal(iv.issuer, "");
		assert_int_equal(iv.n_params, 0);
	}
	/* An embedded NUL is a byte like any other, and fails. */
	assert_int_equal(mpic__caa_issue_value_parse(
	    (const uint8_t *)"ca\0.example", 11, &iv), 0);
	assert_false(iv.valid);
}

static void
test_issue_value_params(void **state)
{
	struct mpic__caa_issue_value iv;

	(void)state;
	iv_parse("ca.example; accounturi=https://ca.example/acct/1; "
	    "validationmethods=dns-01,http-01", &iv);
	assert_true(iv.valid);
	assert_string_equal(iv.issuer, "ca.example");
	assert_int_equal(iv.n_params, 2);
	assert_string_equal(iv.params[0].tag, "accounturi");
	assert_string_equal(iv.params[0].value, "https://ca.example/acct/1");
	assert_string_equal(iv.params[1].tag, "validationmethods");
	assert_string_equal(iv.params[1].value, "dns-01,http-01");

	/* WSP around "=" and ";", empty values, "=" inside a value. */
	iv_parse("ca.example;policy = b ;accounturi=;persistUntil=x=y", &iv);
	assert_true(iv.valid);
	assert_int_equal(iv.n_params, 3);
	assert_string_equal(iv.params[0].value, "b");
	assert_string_equal(iv.params[1].value, "");
	assert_string_equal(iv.params[2].value, "x=y");
	assert_string_equal(iv.params[2].tag, "persistUntil");

	/* Parameter tags are LDH labels (RFC 8659 4.2); those no decision
	 * reads pass the grammar and are not kept. */
	iv_parse("ca.example; my-tag=1; X9=2; AccountURI=u", &iv);
	assert_true(iv.valid);
	assert_int_equal(iv.n_params, 1);
	assert_string_equal(iv.params[0].tag, "AccountURI");

	iv_parse("ca.example;", &iv);
	assert_true(iv.valid);
	assert_string_equal(iv.issuer, "ca.example");
	assert_int_equal(iv.n_params, 0);
}

static void
test_issue_value_bad_params(void **state)
{
	struct mpic__caa_issue_value iv;
	const char *const bad[] = {
		"ca.example; a=b;",     /* parameters may not end in ";" */
		"ca.example; a=b; ",
		"ca.example;;",
		"ca.example; ;a=b",
		"ca.example; a",        /* no "=" */
		"ca.example; =b",       /* no tag */
		"ca.example; -a=b",
		"ca.example; a-=b",
		"ca.example; a_b=c",
		"ca.example; a=b c",    /* space inside a value */
		"ca.example; a=\"b\x01\"",
		"ca.example; a=\xc3\xa9",
		"ca.example; a=b\x7f",
		"ca.example a=b",
		"ca.example; a=b ;; c=d",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		iv_parse(bad[i], &iv);
		assert_false(iv.valid);
		assert_string_equal(iv.issuer, "");
	}
}

static void
test_issue_value_limits(void **state)
{
	struct mpic__caa_issue_value iv;
	char buf[2048];
	size_t i, off;

	(void)state;
	/* Any number of parameters no decision reads: valid, none kept. */
	off = (size_t)snprintf(buf, sizeof(buf), "ca.example");
	for (i = 0; i < 40; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "; p%zu=v", i);
	iv_parse(buf, &iv);
	assert_true(iv.valid);
	assert_string_equal(iv.issuer, "ca.example");
	assert_int_equal(iv.n_params, 0);
	/* Kept ones past MPIC__CAA_MAX_PARAMS: valid, the first kept. */
	off = (size_t)snprintf(buf, sizeof(buf), "ca.example");
	for (i = 0; i < MPIC__CAA_MAX_PARAMS + 4; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "; accounturi=u%zu", i);
	iv_parse(buf, &iv);
	assert_true(iv.valid);
	assert_int_equal(iv.n_params, MPIC__CAA_MAX_PARAMS);

	/* A tag of 64 characters or more: valid, not kept. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, ";", 1);
	memset(buf + 1, 't', 200);
	memcpy(buf + 201, "=v", 2);
	iv_parse(buf, &iv);
	assert_true(iv.valid);
	assert_int_equal(iv.n_params, 0);

	/* A kept value of 1023 characters is kept, a longer one kept empty
	 * (it then matches nothing). */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, ";accounturi=", 12);
	memset(buf + 12, 'v', 1023);
	iv_parse(buf, &iv);
	assert_true(iv.valid);
	assert_int_equal(strlen(iv.params[0].value), 1023);
	buf[12 + 1023] = 'v';
	iv_parse(buf, &iv);
	assert_true(iv.valid);
	assert_int_equal(iv.n_params, 1);
	assert_string_equal(iv.params[0].value, "");

	/* Issuer of 253 characters passes, 254 fails. */
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < 253; i++)
		buf[i] = (i % 2) ? '.' : 'a';
	iv_parse(buf, &iv);
	assert_true(iv.valid);
	assert_int_equal(strlen(iv.issuer), 253);
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < 255; i++)
		buf[i] = (i % 2) ? '.' : 'a';
	iv_parse(buf, &iv);
	assert_false(iv.valid);
}

/* ---------------------------------------------------------------- decision */

static void
test_permits_empty_set(void **state)
{
	struct mpic__caa_query q = query();
	char reason[256];

	(void)state;
	assert_true(mpic__caa_permits(NULL, 0, &q, reason, sizeof(reason)));
	assert_non_null(strstr(reason, "no CAA records"));
	/* No reason buffer is fine. */
	assert_true(mpic__caa_permits(NULL, 0, &q, NULL, 0));
}

static void
test_permits_basic(void **state)
{
	struct mpic__caa_query q = query();
	struct set s = { .n = 0 };
	char reason[256];

	(void)state;
	set_add(&s, 0, "issue", "other.example");
	assert_false(permits(&s, &q, reason));
	assert_string_equal(reason,
	    "no issue record authorizes ca.example or CA2.Example.");

	/* Additive: a second record adds an authorization. */
	set_add(&s, 0, "issue", "ca.example");
	assert_true(permits(&s, &q, reason));
	assert_string_equal(reason, "permitted by 0 issue \"ca.example\"");

	/* Our second identity, given with case and a trailing dot. */
	s.n = 0;
	set_add(&s, 0, "issue", "ca2.example");
	assert_true(permits(&s, &q, reason));
	s.n = 0;
	set_add(&s, 0, "issue", "CA2.EXAMPLE ");
	assert_true(permits(&s, &q, reason));

	/* Only iodef: no issue property, issuance permitted. */
	s.n = 0;
	set_add(&s, 0, "iodef", "mailto:sec@example.com");
	set_add(&s, 0, "contactemail", "a@example.com");
	assert_true(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "no issue records"));

	/* Prohibitions. */
	s.n = 0;
	set_add(&s, 0, "issue", ";");
	assert_false(permits(&s, &q, reason));
	s.n = 0;
	set_add(&s, 0, "issue", "");
	assert_false(permits(&s, &q, reason));
	/* A value failing the grammar counts as empty. */
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example.");
	assert_false(permits(&s, &q, reason));
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example; a=b;");
	assert_false(permits(&s, &q, reason));
	/* ... but does not cancel another authorization. */
	set_add(&s, 0, "issue", "ca.example");
	assert_true(permits(&s, &q, reason));
	/* A suffix or prefix of our name is not our name. */
	s.n = 0;
	set_add(&s, 0, "issue", "sub.ca.example");
	set_add(&s, 0, "issue", "ca.example.net");
	set_add(&s, 0, "issue", "a.example");
	assert_false(permits(&s, &q, reason));
}

static void
test_permits_no_issuers(void **state)
{
	struct mpic__caa_query q = query();
	struct set s = { .n = 0 };
	char reason[256];

	(void)state;
	q.n_issuers = 0;
	set_add(&s, 0, "issue", "ca.example");
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "no issuer domain"));
}

static void
test_permits_case_insensitive_tags(void **state)
{
	struct mpic__caa_query q = query();
	struct set s = { .n = 0 };
	char reason[256];

	(void)state;
	set_add(&s, 0, "ISSUE", "other.example");
	assert_false(permits(&s, &q, reason));
	s.n = 0;
	set_add(&s, 0, "IsSuE", "ca.example");
	assert_true(permits(&s, &q, reason));
	s.n = 0;
	set_add(&s, 0x80, "IODEF", "mailto:a@b");
	set_add(&s, 0, "issue", "ca.example");
	assert_true(permits(&s, &q, reason));
}

static void
test_permits_critical(void **state)
{
	struct mpic__caa_query q = query();
	struct set s = { .n = 0 };
	char reason[256];
	const char *const known[] = { "issue", "issuewild", "iodef",
	    "issuemail", "contactemail", "contactphone", "ISSUEMAIL" };
	size_t i;

	(void)state;
	set_add(&s, 0, "issue", "ca.example");
	set_add(&s, 0x80, "tbs", "Unknown");
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "critical unknown tag \"tbs\""));

	/* Unknown but not critical: ignored; other flag bits ignored. */
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example");
	set_add(&s, 0x7f, "tbs", "Unknown");
	set_add(&s, 0x01, "issuevmc", "x");
	assert_true(permits(&s, &q, reason));
	s.n = 0;
	set_add(&s, 0x01, "issue", "ca.example");
	assert_true(permits(&s, &q, reason));
	s.n = 0;
	set_add(&s, 0xff, "issue", "ca.example");
	assert_true(permits(&s, &q, reason));

	/* Critical known tags are processed normally. */
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		s.n = 0;
		set_add(&s, 0x80, known[i], "x");
		set_add(&s, 0x80, "issue", "ca.example");
		assert_true(permits(&s, &q, reason));
	}
	/* A tag longer than the recommended 15 octets: an unknown tag,
	 * ignored, or forbidding when critical. */
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example");
	set_add(&s, 0, "averyveryverylongtag", "x");
	assert_true(permits(&s, &q, reason));
	set_add(&s, 0x80, "anotherveryverylongtag", "x");
	assert_false(permits(&s, &q, reason));

	/* issuevmc is not a tag we know: critical forbids. */
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example");
	set_add(&s, 0x81, "issuevmc", "ca.example");
	assert_false(permits(&s, &q, reason));

	/* A record without its value bytes is not read through. */
	s.n = 0;
	set_add(&s, 0x80, "tbs", "");
	s.rr[0].value = NULL;
	s.rr[0].value_len = 4;
	assert_false(permits(&s, &q, reason));
	memcpy(s.rr[0].tag, "issue", 6);
	assert_false(permits(&s, &q, reason));
	assert_int_equal(mpic__caa_rr_str(&s.rr[0], reason, 256), MPIC_EINVAL);

	/* The critical rule holds for S/MIME and wildcards too. */
	q.cert_type = MPIC_CERT_SMIME;
	s.n = 0;
	set_add(&s, 0x80, "Future", "x");
	assert_false(permits(&s, &q, reason));
}

static void
test_permits_wildcard(void **state)
{
	struct mpic__caa_query q = query();
	struct set s = { .n = 0 };
	char reason[256];

	(void)state;
	/* issuewild is ignored for a non-wildcard name. */
	set_add(&s, 0, "issue", "other.example");
	set_add(&s, 0, "issuewild", "ca.example");
	assert_false(permits(&s, &q, reason));
	q.is_wildcard = true;
	assert_true(permits(&s, &q, reason));
	assert_string_equal(reason,
	    "permitted by 0 issuewild \"ca.example\"");

	/* For a wildcard, any issuewild hides issue. */
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example");
	set_add(&s, 0, "issuewild", ";");
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "no issuewild record"));
	q.is_wildcard = false;
	assert_true(permits(&s, &q, reason));

	/* Wildcard without issuewild falls back to issue. */
	q.is_wildcard = true;
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example");
	assert_true(permits(&s, &q, reason));
	s.n = 0;
	set_add(&s, 0, "issue", "other.example");
	assert_false(permits(&s, &q, reason));

	/* Only issuewild, non-wildcard: no issue property, permitted. */
	q.is_wildcard = false;
	s.n = 0;
	set_add(&s, 0, "issuewild", ";");
	assert_true(permits(&s, &q, reason));

	/* Case-insensitive ISSUEWILD still counts. */
	q.is_wildcard = true;
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example");
	set_add(&s, 0, "ISSUEWILD", "other.example");
	assert_false(permits(&s, &q, reason));
}

static void
test_permits_smime(void **state)
{
	struct mpic__caa_query q = query();
	struct set s = { .n = 0 };
	char reason[256];

	(void)state;
	q.cert_type = MPIC_CERT_SMIME;
	/* issue does not restrict S/MIME. */
	set_add(&s, 0, "issue", ";");
	set_add(&s, 0, "issuewild", ";");
	assert_true(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "no issuemail records"));
	set_add(&s, 0, "issuemail", "other.example");
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "no issuemail record authorizes"));
	set_add(&s, 0, "issuemail", "ca.example");
	assert_true(permits(&s, &q, reason));
	assert_string_equal(reason,
	    "permitted by 0 issuemail \"ca.example\"");
	/* issuemail does not authorize TLS. */
	q.cert_type = MPIC__CERT_TLS_SERVER;
	assert_false(permits(&s, &q, reason));
	/* RFC 8657 parameters apply to issuemail too. */
	q.cert_type = MPIC_CERT_SMIME;
	s.n = 0;
	set_add(&s, 0, "issuemail", "ca.example; accounturi=https://a/1");
	assert_false(permits(&s, &q, reason));
	q.account_uri = "https://a/1";
	assert_true(permits(&s, &q, reason));
}

static void
test_permits_accounturi(void **state)
{
	struct mpic__caa_query q = query();
	struct set s = { .n = 0 };
	char reason[256];

	(void)state;
	/* Without accounturi a record matches any account, or none. */
	set_add(&s, 0, "issue", "ca.example");
	assert_true(permits(&s, &q, reason));
	q.account_uri = "https://ca.example/acct/1";
	assert_true(permits(&s, &q, reason));

	/* Present once: exact match. */
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example; accounturi=https://ca.example/acct/1");
	assert_true(permits(&s, &q, reason));
	q.account_uri = "https://ca.example/acct/2";
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "accounturi"));
	q.account_uri = "https://CA.example/acct/1";
	assert_false(permits(&s, &q, reason));
	q.account_uri = "https://ca.example/acct/1/";
	assert_false(permits(&s, &q, reason));
	q.account_uri = NULL;
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "request has no account URI"));

	/* Another record without accounturi still authorizes (additive). */
	set_add(&s, 0, "issue", "ca.example");
	assert_true(permits(&s, &q, reason));

	/* Repeated: matches nothing, even with the same value. */
	q.account_uri = "https://ca.example/acct/1";
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example; accounturi=https://ca.example/acct/1;"
	    " accounturi=https://ca.example/acct/1");
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "repeated"));

	/* Empty: matches nothing. */
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example; accounturi=");
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "empty"));

	/* The parameter name is matched case-insensitively (fails closed). */
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example; AccountURI=https://other/1");
	assert_false(permits(&s, &q, reason));

	/* Unknown parameters are ignored. */
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example; policy=ev; x-y=1");
	assert_true(permits(&s, &q, reason));

	/* Another CA's accounturi restricts only that CA. */
	s.n = 0;
	set_add(&s, 0, "issue", "other.example; accounturi=https://o/1");
	set_add(&s, 0, "issue", "ca.example");
	assert_true(permits(&s, &q, reason));
	/* Many parameters no decision reads do not turn a permission into a
	 * prohibition (RFC 8659: unknown parameters are ignored) */
	{
		static char many[1024];
		size_t k, o;

		o = (size_t)snprintf(many, sizeof(many), "ca.example");
		for (k = 0; k < 30; k++)
			o += (size_t)snprintf(many + o, sizeof(many) - o,
			    "; p%zu=v", k);
		s.n = 0;
		q.account_uri = NULL;
		set_add(&s, 0, "issue", many);
		assert_true(permits(&s, &q, reason));
	}
	/* an accounturi too long to keep matches no account */
	{
		static char longacct[1100];

		memcpy(longacct, "ca.example; accounturi=", 23);
		memset(longacct + 23, 'u', 1040);
		s.n = 0;
		q.account_uri = "https://ca.example/acct/1";
		set_add(&s, 0, "issue", longacct);
		assert_false(permits(&s, &q, reason));
	}
}

static void
test_permits_validationmethods(void **state)
{
	struct mpic__caa_query q = query();
	struct set s = { .n = 0 };
	char reason[256];
	const char *const bad[] = {
		"ca.example; validationmethods=",
		"ca.example; validationmethods=ca-email,",
		"ca.example; validationmethods=,ca-email",
		"ca.example; validationmethods=ca-email,,dns-01",
		"ca.example; validationmethods=ca_email",
		"ca.example; validationmethods=ca-email; validationmethods=ca-email",
	};
	size_t i;

	(void)state;
	set_add(&s, 0, "issue", "ca.example; validationmethods=dns-01,http-01");
	q.validation_method = "dns-01";
	assert_true(permits(&s, &q, reason));
	q.validation_method = "http-01";
	assert_true(permits(&s, &q, reason));
	q.validation_method = "tls-alpn-01";
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "does not list tls-alpn-01"));
	/* Compared exactly. */
	q.validation_method = "DNS-01";
	assert_false(permits(&s, &q, reason));
	q.validation_method = "dns-0";
	assert_false(permits(&s, &q, reason));
	q.validation_method = NULL;
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "names no method"));

	/* Single method, ca- prefixed methods. */
	q.validation_method = "ca-email";
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example; validationmethods=ca-email");
	assert_true(permits(&s, &q, reason));

	/* Invalid lists, or a repeated parameter, match nothing. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.n = 0;
		set_add(&s, 0, "issue", bad[i]);
		assert_false(permits(&s, &q, reason));
	}

	/* Both parameters must match. */
	s.n = 0;
	set_add(&s, 0, "issue", "ca.example; accounturi=https://a/1; "
	    "validationmethods=dns-01");
	q.account_uri = "https://a/1";
	q.validation_method = "dns-01";
	assert_true(permits(&s, &q, reason));
	q.validation_method = "http-01";
	assert_false(permits(&s, &q, reason));
	q.validation_method = "dns-01";
	q.account_uri = "https://a/2";
	assert_false(permits(&s, &q, reason));

	/* SC-098: the method's other label (from the method table) is
	 * listed instead: ca-tbr-19 for http-01, and the reverse */
	s.n = 0;
	q.account_uri = NULL;
	set_add(&s, 0, "issue", "ca.example; validationmethods=ca-tbr-19");
	q.validation_method = "http-01";
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "does not list http-01"));
	q.validation_method_alt = "ca-tbr-19";
	assert_true(permits(&s, &q, reason));
	q.validation_method = "ca-tbr-19";
	q.validation_method_alt = "http-01";
	assert_true(permits(&s, &q, reason));
	q.validation_method = "dns-01";
	q.validation_method_alt = "ca-tbr-7";
	assert_false(permits(&s, &q, reason));
	assert_non_null(strstr(reason, "does not list dns-01 (or ca-tbr-7)"));
	q.validation_method_alt = NULL;
}

static void
test_permits_reason_small(void **state)
{
	struct mpic__caa_query q = query();
	struct set s = { .n = 0 };
	char reason[8];
	char big[600];
	char line[1024];

	(void)state;
	set_add(&s, 0, "issue", "ca.example");
	assert_true(mpic__caa_permits(s.rr, s.n, &q, reason, sizeof(reason)));
	assert_int_equal(strlen(reason), sizeof(reason) - 1);
	assert_true(mpic__caa_permits(s.rr, s.n, &q, NULL, 0));

	/* A long value is elided in the reason. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "ca.example; p=", 14);
	s.n = 0;
	set_add(&s, 0, "issue", big);
	assert_true(mpic__caa_permits(s.rr, s.n, &q, line, sizeof(line)));
	assert_non_null(strstr(line, "...\""));
	assert_true(strlen(line) < 200);
}

static void
test_permits_wire_roundtrip(void **state)
{
	/* 0 issue "ca.example; accounturi=u" and 128 tbs "" from the wire. */
	const uint8_t r1[] = { 0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a', '.',
	    'e', 'x', 'a', 'm', 'p', 'l', 'e', ';', ' ', 'a', 'c', 'c', 'o',
	    'u', 'n', 't', 'u', 'r', 'i', '=', 'u' };
	const uint8_t r2[] = { 128, 3, 't', 'b', 's' };
	struct mpic__caa_rr set[2];
	struct mpic__caa_query q = query();
	char reason[256];

	(void)state;
	assert_int_equal(mpic__caa_rr_parse(r1, sizeof(r1), &set[0]), 0);
	assert_int_equal(mpic__caa_rr_parse(r2, sizeof(r2), &set[1]), 0);
	q.account_uri = "u";
	assert_true(mpic__caa_permits(set, 1, &q, reason, sizeof(reason)));
	assert_string_equal(reason,
	    "permitted by 0 issue \"ca.example; accounturi=u\"");
	assert_false(mpic__caa_permits(set, 2, &q, reason, sizeof(reason)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rr_parse_ok),
		cmocka_unit_test(test_rr_parse_malformed),
		cmocka_unit_test(test_rr_str),
		cmocka_unit_test(test_rr_str_plain),
		cmocka_unit_test(test_issue_value_basic),
		cmocka_unit_test(test_issue_value_empty),
		cmocka_unit_test(test_issue_value_bad_names),
		cmocka_unit_test(test_issue_value_params),
		cmocka_unit_test(test_issue_value_bad_params),
		cmocka_unit_test(test_issue_value_limits),
		cmocka_unit_test(test_permits_empty_set),
		cmocka_unit_test(test_permits_basic),
		cmocka_unit_test(test_permits_no_issuers),
		cmocka_unit_test(test_permits_case_insensitive_tags),
		cmocka_unit_test(test_permits_critical),
		cmocka_unit_test(test_permits_wildcard),
		cmocka_unit_test(test_permits_smime),
		cmocka_unit_test(test_permits_accounturi),
		cmocka_unit_test(test_permits_validationmethods),
		cmocka_unit_test(test_permits_reason_small),
		cmocka_unit_test(test_permits_wire_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
