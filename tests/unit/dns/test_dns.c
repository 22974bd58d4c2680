/* test_dns.c - DNS wire parsing: names, compression, sections, rdata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "check/check.h"
#include "mpic_int.h"

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
	struct mpic_dns_msg m;
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
	assert_int_equal(m.an[0].type, MPIC_RR_CNAME);
	/* the CNAME target was decompressed into standalone rdata */
	assert_int_equal(mpic__dns_rdata_name(m.an[0].rdata, m.an[0].rdlen,
	    name, sizeof(name)), 0);
	assert_string_equal(name, "host.example.lab");
	assert_string_equal(m.an[1].owner, "host.example.lab");
	assert_int_equal(mpic__dns_txt_concat(m.an[1].rdata, m.an[1].rdlen,
	    txt, sizeof(txt)), 4);
	assert_string_equal(txt, "abcd");
	assert_int_equal(mpic__dns_rdata_str(MPIC_RR_TXT, m.an[1].rdata,
	    m.an[1].rdlen, txt, sizeof(txt)), 0);
	assert_string_equal(txt, "\"ab\" \"cd\"");
	mpic__dns_msg_release(&m);
}

static void
test_truncations_never_crash(void **state)
{
	struct mpic_dns_msg m;
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
	struct mpic_dns_msg m;
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
	assert_int_equal(mpic__dns_rdata_str(MPIC_RR_A, a, 4, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "192.0.2.1");
	assert_int_equal(mpic__dns_rdata_str(MPIC_RR_A, a, 3, out,
	    sizeof(out)), MPIC_EPARSE);
	assert_int_equal(mpic__dns_rdata_str(MPIC_RR_AAAA, aaaa, 16, out,
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_cname),
		cmocka_unit_test(test_truncations_never_crash),
		cmocka_unit_test(test_pointer_loop),
		cmocka_unit_test(test_name_escapes_and_limits),
		cmocka_unit_test(test_txt_limits),
		cmocka_unit_test(test_rdata_str),
		cmocka_unit_test(test_parent_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
