/* test_dns.c - DNS wire parsing: names, compression, sections, rdata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/check.h"
#include "dns/dns.h"

/* www.example.lab CNAME host.example.lab; host TXT "ab" "cd" */
static const uint8_t pkt_cname[] = {
	0x12, 0x34, 0x81, 0xa0, 0, 1, 0, 2, 0, 0, 0, 0,
	/* 12: question www.example.lab TXT IN */
	3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'L', 'A',
	'B', 0, 0, 16, 0, 1,
	/* 33: answer 1: ptr to 12, CNAME, IN, ttl 60, rdlen 7 */
	0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 7,
	4, 'h', 'o', 's', 't', 0xc0, 16,
	/* 52: answer 2: host... (ptr to 45) TXT */
	0xc0, 45, 0, 16, 0, 1, 0, 0, 0, 60, 0, 6,
	2, 'a', 'b', 2, 'c', 'd',
};

static void
test_parse_cname(void **state)
{
	struct mpic__dns_msg m;
	char name[300], txt[64];

	(void)state;
	assert_int_equal(mpic__dns_msg_parse(pkt_cname, sizeof(pkt_cname),
	    &m), 0);
	assert_int_equal(m.id, 0x1234);
	assert_int_equal(m.rcode, 0);
	assert_true(m.ad);
	assert_false(m.tc);
	assert_string_equal(m.qname, "www.example.lab");
	assert_int_equal(m.qtype, 16);
	assert_int_equal(m.n_an, 2);
	assert_string_equal(m.an[0].owner, "www.example.lab");
	assert_int_equal(m.an[0].type, MPIC__RR_CNAME);
	/* the CNAME target was decompressed into standalone rdata */
	assert_int_equal(mpic__dns_rdata_name(m.an[0].rdata, m.an[0].rdlen,
	    name, sizeof(name)), 0);
	assert_string_equal(name, "host.example.lab");
	assert_string_equal(m.an[1].owner, "host.example.lab");
	assert_int_equal(mpic__dns_txt_concat(m.an[1].rdata, m.an[1].rdlen,
	    txt, sizeof(txt)), 4);
	assert_string_equal(txt, "abcd");
	assert_int_equal(mpic__dns_rdata_str(MPIC__RR_TXT, m.an[1].rdata,
	    m.an[1].rdlen, txt, sizeof(txt)), 0);
	assert_string_equal(txt, "\"ab\" \"cd\"");
	mpic__dns_msg_release(&m);
}

static void
test_truncations_never_crash(void **state)
{
	struct mpic__dns_msg m;
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(pkt_cname); n++) {
		assert_int_not_equal(mpic__dns_msg_parse(pkt_cname, n, &m), 0);
		mpic__dns_msg_release(&m);
	}
}

static void
test_pointer_loop(void **state)
{
	uint8_t p[] = {0, 0, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
	    0xc0, 12, 0, 1, 0, 1};
	struct mpic__dns_msg m;
	char name[300];
	size_t off = 12;

	(void)state;
	assert_int_equal(mpic__dns_msg_parse(p, sizeof(p), &m), MPIC_EPARSE);
	assert_int_equal(mpic__dns_name_read(p, sizeof(p), &off, name,
	    sizeof(name)), MPIC_EPARSE);
}

static void
test_name_escapes_and_limits(void **state)
{
	uint8_t n1[] = {3, 'a', '.', 0x01, 2, 'B', 'c', 0};
	uint8_t longname[400];
	char out[400];
	size_t off = 0, i, o = 0;

	(void)state;
	assert_int_equal(mpic__dns_name_read(n1, sizeof(n1), &off, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "a\\.\\001.bc");
	assert_int_equal(off, sizeof(n1));
	/* five 63-octet labels exceed 255 octets */
	for (i = 0; i < 5; i++) {
		longname[o++] = 63;
		memset(longname + o, 'x', 63);
		o += 63;
	}
	longname[o++] = 0;
	off = 0;
	assert_int_equal(mpic__dns_name_read(longname, o, &off, out,
	    sizeof(out)), MPIC_EPARSE);
	/* small output buffer: a typed error, not truncation */
	off = 0;
	assert_int_equal(mpic__dns_name_read(n1, sizeof(n1), &off, out, 4),
	    MPIC_ETOOBIG);
	/* root */
	off = 0;
	assert_int_equal(mpic__dns_name_read((const uint8_t *)"", 1, &off,
	    out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void
test_txt_limits(void **state)
{
	uint8_t rd[] = {3, 'a', 'b', 'c', 5, 'd'};
	char out[8];

	(void)state;
	assert_int_equal(mpic__dns_txt_concat(rd, 4, out, sizeof(out)), 3);
	assert_int_equal(mpic__dns_txt_concat(rd, sizeof(rd), out,
	    sizeof(out)), MPIC_EPARSE);
	assert_int_equal(mpic__dns_txt_concat(rd, 4, out, 3), MPIC_ETOOBIG);
}

static void
test_rdata_str(void **state)
{
	uint8_t a[] = {192, 0, 2, 1};
	uint8_t aaaa[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	uint8_t unknown[] = {0xde, 0xad};
	char out[128];

	(void)state;
	assert_int_equal(mpic__dns_rdata_str(MPIC__RR_A, a, 4, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "192.0.2.1");
	assert_int_equal(mpic__dns_rdata_str(MPIC__RR_A, a, 3, out,
	    sizeof(out)), MPIC_EPARSE);
	assert_int_equal(mpic__dns_rdata_str(MPIC__RR_AAAA, aaaa, 16, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2001:db8::1");
	assert_int_equal(mpic__dns_rdata_str(99, unknown, 2, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "\\# 2 dead");
}

static void
test_parent_name(void **state)
{
	(void)state;
	assert_string_equal(mpic__parent_name("a.b.lab"), "b.lab");
	assert_string_equal(mpic__parent_name("b.lab"), "lab");
	assert_null(mpic__parent_name("lab"));
	assert_string_equal(mpic__parent_name("a\\.x.lab"), "lab");
}

static void
test_name_to_wire(void **state)
{
	uint8_t w[300];

	(void)state;
	assert_int_equal(mpic__dns_name_to_wire("A.b", w, sizeof(w)), 5);
	assert_memory_equal(w, "\001a\001b\000", 5);
	assert_int_equal(mpic__dns_name_to_wire("a.b.", w, sizeof(w)), 5);
	assert_int_equal(mpic__dns_name_to_wire("", w, sizeof(w)), 1);
	assert_int_equal(mpic__dns_name_to_wire("a\\.b", w, sizeof(w)), 5);
	assert_memory_equal(w, "\003a.b\000", 5);
	assert_int_equal(mpic__dns_name_to_wire("a\\046", w, sizeof(w)), 4);
	assert_int_equal(mpic__dns_name_to_wire("a..b", w, sizeof(w)),
	    MPIC_EINVAL);
	assert_int_equal(mpic__dns_name_to_wire("abc", w, 3), MPIC_ETOOBIG);
}

static void
test_nsec3_hash_rfc5155(void **state)
{
	const uint8_t salt[] = {0xaa, 0xbb, 0xcc, 0xdd};
	char h[40];

	(void)state;
	/* RFC 5155 Appendix A: salt aabbccdd, 12 iterations */
	assert_int_equal(mpic__nsec3_hash("example", salt, 4, 12, h,
	    sizeof(h)), 0);
	assert_string_equal(h, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
	assert_int_equal(mpic__nsec3_hash("A.EXAMPLE", salt, 4, 12, h,
	    sizeof(h)), 0);
	assert_string_equal(h, "35mthgpgcu1qg68fab165klnsnk3dpvl");
}

/* An authority section with one NSEC or NSEC3 record. */
static void
one_ns_record(struct mpic__dns_msg *m, struct mpic__dns_rr *rr,
	      const char *owner, uint16_t type, uint8_t *rd, size_t len)
{
	memset(m, 0, sizeof(*m));
	memset(rr, 0, sizeof(*rr));
	snprintf(rr->owner, sizeof(rr->owner), "%s", owner);
	rr->type = type;
	rr->rdata = rd;
	rr->rdlen = (uint16_t)len;
	m->ns = rr;
	m->n_ns = 1;
}

static void
test_unsigned_delegation_proof(void **state)
{
	/* NSEC: next name "z.lab", bitmap window 0: NS (2) and RRSIG (46),
	 * NSEC (47) */
	uint8_t nsec_ns[] = {1, 'z', 3, 'l', 'a', 'b', 0, 0, 6, 0x20, 0, 0, 0,
	    0, 0x03};
	/* the same with DS (43) set */
	uint8_t nsec_ds[] = {1, 'z', 3, 'l', 'a', 'b', 0, 0, 6, 0x20, 0, 0, 0,
	    0, 0x13};
	/* NSEC3 for "example" (RFC 5155 vector), bitmap NS only */
	uint8_t n3[] = {1, 0, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd, 20,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 1, 0x20};
	struct mpic__dns_msg m;
	struct mpic__dns_rr rr;

	(void)state;
	one_ns_record(&m, &rr, "x.lab", MPIC__RR_NSEC, nsec_ns,
	    sizeof(nsec_ns));
	assert_true(mpic__dns_proves_unsigned_delegation(&m, "x.lab"));
	assert_false(mpic__dns_proves_unsigned_delegation(&m, "y.lab"));
	one_ns_record(&m, &rr, "x.lab", MPIC__RR_NSEC, nsec_ds,
	    sizeof(nsec_ds));
	assert_false(mpic__dns_proves_unsigned_delegation(&m, "x.lab"));
	/* NSEC3: the owner is the hash of a.example under zone example */
	one_ns_record(&m, &rr, "35mthgpgcu1qg68fab165klnsnk3dpvl.example",
	    MPIC__RR_NSEC3, n3, sizeof(n3));
	assert_true(mpic__dns_proves_unsigned_delegation(&m, "a.example"));
	assert_true(mpic__dns_proves_unsigned_delegation(&m, "A.Example"));
	/* another name's hash does not prove a.example */
	one_ns_record(&m, &rr, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example",
	    MPIC__RR_NSEC3, n3, sizeof(n3));
	assert_false(mpic__dns_proves_unsigned_delegation(&m, "a.example"));
	/* a record from another zone does not count */
	one_ns_record(&m, &rr, "35mthgpgcu1qg68fab165klnsnk3dpvl.other",
	    MPIC__RR_NSEC3, n3, sizeof(n3));
	assert_false(mpic__dns_proves_unsigned_delegation(&m, "a.example"));
	/* DS in the bitmap: a signed delegation; without it: unsigned */
	{
		/* header and hash (30 octets), then window 0 with 6 octets:
		 * NS (type 2: 0x20 in octet 0), DS (type 43: 0x10 in
		 * octet 5) */
		static const uint8_t bm[] = {0, 6, 0x20, 0, 0, 0, 0, 0x10};
		uint8_t n3ds[30 + sizeof(bm)];

		memcpy(n3ds, n3, 30);
		memcpy(n3ds + 30, bm, sizeof(bm));
		one_ns_record(&m, &rr, "35mthgpgcu1qg68fab165klnsnk3dpvl.example",
		    MPIC__RR_NSEC3, n3ds, sizeof(n3ds));
		assert_false(mpic__dns_proves_unsigned_delegation(&m,
		    "a.example"));
		n3ds[sizeof(n3ds) - 1] = 0x00;
		assert_true(mpic__dns_proves_unsigned_delegation(&m,
		    "a.example"));
	}
	assert_false(mpic__dns_proves_unsigned_delegation(NULL, "example"));
}

/*
 * NSEC3 opt-out (RFC 5155 7.2.4): an unsigned delegation has no NSEC3 of
 * its own; the denial of its DS is a closest-encloser proof whose
 * next-closer NSEC3 has the Opt-Out flag.  libunbound classifies that
 * answer Insecure (RFC 5155 9.2), and the CAA checker accepts it from
 * that status; a *secure* answer carrying only such a span must not be
 * read as a proof here (fail closed).
 */
static void
test_optout_span_is_not_a_secure_proof(void **state)
{
	/* zone example, salt aabbccdd, 12 iterations, Opt-Out flag (1) */
	uint8_t apex[] = {1, 1, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd, 20,
	    0x19, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 1, 0x22}; /* next 35..., bitmap NS SOA */
	/* owner hash(a.example) = 35mthgp..., next c000...: covers
	 * hash(x.example) = b76eqlm...; bitmap A only */
	uint8_t cover[] = {1, 1, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd, 20,
	    0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 1, 0x40};
	struct mpic__dns_rr rr[2];
	struct mpic__dns_msg m;

	(void)state;
	memset(&m, 0, sizeof(m));
	memset(rr, 0, sizeof(rr));
	snprintf(rr[0].owner, sizeof(rr[0].owner), "%s",
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example");
	rr[0].type = MPIC__RR_NSEC3;
	rr[0].rdata = apex;
	rr[0].rdlen = sizeof(apex);
	snprintf(rr[1].owner, sizeof(rr[1].owner), "%s",
	    "35mthgpgcu1qg68fab165klnsnk3dpvl.example");
	rr[1].type = MPIC__RR_NSEC3;
	rr[1].rdata = cover;
	rr[1].rdlen = sizeof(cover);
	m.ns = rr;
	m.n_ns = 2;
	/* the closest encloser (the apex) and the covered next closer */
	assert_false(mpic__dns_proves_unsigned_delegation(&m, "x.example"));
	assert_false(mpic__dns_proves_unsigned_delegation(&m,
	    "www.x.example"));
	/* the covering record's own name is no delegation (no NS) */
	assert_false(mpic__dns_proves_unsigned_delegation(&m, "a.example"));
	/* nor is the zone apex (SOA) */
	assert_false(mpic__dns_proves_unsigned_delegation(&m, "example"));
}

/* Which lookup failures the CAA carve-out may treat as outside the CA. */
static void
test_failure_outside_ca(void **state)
{
	struct mpic__dns_answer a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.rcode = MPIC__RCODE_SERVFAIL;
	a.dnssec = MPIC__DNSSEC_INDETERMINATE;
	assert_true(mpic__failure_outside_ca(&a));
	a.dnssec = MPIC__DNSSEC_BOGUS;
	assert_false(mpic__failure_outside_ca(&a));
	a.dnssec = MPIC__DNSSEC_INDETERMINATE;
	/* REFUSED from libunbound itself: local policy */
	a.rcode = MPIC__RCODE_REFUSED;
	assert_false(mpic__failure_outside_ca(&a));
	/* our own deadline, our resolver's error, a truncated answer */
	a.rcode = 0;
	a.err = MPIC_ETIMEDOUT;
	assert_false(mpic__failure_outside_ca(&a));
	a.err = MPIC_EDNS;
	assert_false(mpic__failure_outside_ca(&a));
	a.err = 0;
	a.rcode = MPIC__RCODE_NOERROR;
	assert_false(mpic__failure_outside_ca(&a));
}

/* cname_chain in details: absolute names, as Open MPIC lists them. */
static void
test_cname_chain_json(void **state)
{
	struct mpic__dns_answer a;
	char longest[MPIC__NAME_MAX + 2];
	json_t *j;
	char *txt;

	(void)state;
	memset(&a, 0, sizeof(a));
	j = mpic__cname_chain_json(&a);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);

	a.cname_chain[0] = "alias.example.lab";
	a.cname_chain[1] = "final.example.sec";
	a.n_cname = 2;
	j = mpic__cname_chain_json(&a);
	assert_non_null(j);
	txt = json_dumps(j, JSON_COMPACT);
	assert_string_equal(txt,
	    "[\"alias.example.lab.\",\"final.example.sec.\"]");
	free(txt);
	json_decref(j);

	/* the longest target the resolver hands over still gets its dot */
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	a.cname_chain[0] = longest;
	a.n_cname = 1;
	j = mpic__cname_chain_json(&a);
	assert_non_null(j);
	assert_int_equal(strlen(json_string_value(json_array_get(j, 0))),
	    MPIC__NAME_MAX + 2);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failure_outside_ca),
		cmocka_unit_test(test_parse_cname),
		cmocka_unit_test(test_truncations_never_crash),
		cmocka_unit_test(test_pointer_loop),
		cmocka_unit_test(test_name_escapes_and_limits),
		cmocka_unit_test(test_txt_limits),
		cmocka_unit_test(test_rdata_str),
		cmocka_unit_test(test_parent_name),
		cmocka_unit_test(test_name_to_wire),
		cmocka_unit_test(test_nsec3_hash_rfc5155),
		cmocka_unit_test(test_unsigned_delegation_proof),
		cmocka_unit_test(test_optout_span_is_not_a_secure_proof),
		cmocka_unit_test(test_cname_chain_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
