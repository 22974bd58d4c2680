/* test_target.c - domain_or_ip_target, reverse names, name comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "util/util.h"
#include "dns/dns.h"
#include "api/model.h"
#include "test_api.h"

static int
tparse(const char *s, struct mpic__target *t, char *err, size_t errlen)
{
	err[0] = '\0';
	return mpic__target_parse(s, strlen(s), t, err, errlen);
}

static void
good(const char *in, const char *want)
{
	struct mpic__target t;
	char err[128];
	int rc = tparse(in, &t, err, sizeof(err));

	if (rc != 0)
		print_error("target \"%s\": %s\n", in, err);
	assert_int_equal(rc, 0);
	assert_string_equal(t.name, want);
}

static void
bad(const char *in, const char *why)
{
	struct mpic__target t;
	char err[128];
	int rc = tparse(in, &t, err, sizeof(err));

	if (rc == 0)
		print_error("target \"%s\" was accepted as %s\n", in, t.name);
	assert_int_equal(rc, MPIC_EINVAL);
	if (why != NULL && strstr(err, why) == NULL)
		print_error("target \"%s\": \"%s\" lacks \"%s\"\n", in, err,
		    why);
	if (why != NULL)
		assert_non_null(strstr(err, why));
}

static void
test_ipv4(void **state)
{
	struct mpic__target t;
	char err[128];

	(void)state;
	assert_int_equal(tparse("192.0.2.1", &t, err, sizeof(err)), 0);
	assert_true(t.is_ip);
	assert_int_equal(t.af, AF_INET);
	assert_string_equal(t.name, "192.0.2.1");
	assert_int_equal(t.addr[0], 192);
	assert_int_equal(t.addr[3], 1);
	assert_false(t.is_wildcard);
	good("0.0.0.0", "0.0.0.0");
	bad("01.2.3.4", "IPv4");
	bad("1.2.3.04", "IPv4");
	bad("1.2.3", "IPv4");
	bad("256.1.1.1", "IPv4");
	bad("1.2.3.4.", "IPv4");
	bad("1.2.3.4.5", "IPv4");
	bad("1..2.3", "IPv4");
	bad("example.123", "numeric");
	bad("0x7f.0.0.1", NULL);
}

static void
test_ipv6(void **state)
{
	struct mpic__target t;
	char err[128];

	(void)state;
	assert_int_equal(tparse("2001:DB8:0:0::1", &t, err, sizeof(err)), 0);
	assert_true(t.is_ip);
	assert_int_equal(t.af, AF_INET6);
	assert_string_equal(t.name, "2001:db8::1");
	assert_int_equal(t.addr[0], 0x20);
	assert_int_equal(t.addr[15], 1);
	good("::ffff:192.0.2.1", "::ffff:192.0.2.1");
	good("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	bad("[2001:db8::1]", "IPv6");
	bad("fe80::1%eth0", "IPv6");
	bad("2001:db8::1::2", "IPv6");
	bad("2001:db8::g", "IPv6");
}

static void
test_names(void **state)
{
	struct mpic__target t;
	char err[128];

	(void)state;
	good("example.com", "example.com");
	good("WWW.Example.COM", "www.example.com");
	good("example.com.", "example.com");
	good("a-b.c0.example", "a-b.c0.example");
	good("xn--bcher-kva.example", "xn--bcher-kva.example");
	good("XN--BCHER-KVA.example", "xn--bcher-kva.example");
	bad("example.com..", "empty");
	bad(".example.com", "label 1 is empty");
	bad("a..example", "label 2 is empty");
	bad("com", "two labels");
	bad("localhost.", "two labels");
	bad("-a.example", "hyphen");
	bad("a-.example", "hyphen");
	bad("ab--cd.example", "A-label");
	bad("a_b.example", "letter, digit or hyphen");
	bad("a b.example", "space");
	bad("a\tb.example", "control");
	bad("a/b.example", "letter, digit or hyphen");
	bad("", "empty");
	bad("xn--zzzz-zzz.example", "internationalised");

	/* NUL inside the given length. */
	assert_int_equal(mpic__target_parse("a\0b.example", 11, &t, err,
	    sizeof(err)), MPIC_EINVAL);
	assert_non_null(strstr(err, "control"));

	/* Onion names. */
	assert_int_equal(tparse("exampleonionaddress.onion", &t, err,
	    sizeof(err)), 0);
	assert_true(t.is_onion);
	assert_int_equal(tparse("onion.example", &t, err, sizeof(err)), 0);
	assert_false(t.is_onion);
}

static void
test_lengths(void **state)
{
	char in[600], want[600];
	size_t i;

	(void)state;
	/* A 63-octet label is fine, 64 is not, and the message says which. */
	memset(in, 'a', 63);
	memcpy(in + 63, ".example", 9);
	good(in, in);
	mpic__bufprintf(in, sizeof(in), "www.%0*d.example", 64, 0);
	bad(in, "label 2 is longer than 63 octets");
	mpic__bufprintf(in, sizeof(in), "*.%0*d.example", 64, 0);
	bad(in, "label 2 is longer than 63 octets");

	/* 253 octets in total is the limit: 4 * (61 + 1) + 5 = 253. */
	for (i = 0; i < 4; i++) {
		memset(in + i * 62, 'a', 61);
		in[i * 62 + 61] = '.';
	}
	memcpy(in + 248, "abcde", 6);
	assert_int_equal(strlen(in), 253);
	memcpy(want, in, sizeof(want));
	good(in, want);
	memcpy(in + 253, "f", 2);
	bad(in, "longer than 253");
	/* With a trailing dot 253 still fits. */
	want[253] = '.';
	want[254] = '\0';
	in[253] = '\0';
	good(want, in);
	/* A wildcard counts in the total. */
	mpic__bufprintf(want, sizeof(want), "*.%s", in);
	bad(want, "longer than 253");

	/* Over-long input before any parsing. */
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	bad(in, "longer than");
}

static void
test_wildcard(void **state)
{
	struct mpic__target t;
	char err[128];

	(void)state;
	assert_int_equal(tparse("*.Example.com", &t, err, sizeof(err)), 0);
	assert_true(t.is_wildcard);
	assert_string_equal(t.name, "*.example.com");
	assert_string_equal(mpic__target_base(&t), "example.com");
	assert_int_equal(tparse("example.com", &t, err, sizeof(err)), 0);
	assert_string_equal(mpic__target_base(&t), "example.com");
	bad("*.com", "two labels");
	bad("*", "wildcard");
	bad("*.", "wildcard");
	bad("a.*.example", "wildcard");
	bad("*a.example", "wildcard");
	bad("*.*.example", "wildcard");
	bad("**.example", "wildcard");
	good("*.b\xc3\xbc" "cher.example", "*.xn--bcher-kva.example");
}

static void
test_idna(void **state)
{
	(void)state;
	good("b\xc3\xbc" "cher.example", "xn--bcher-kva.example");
	good("B\xc3\x9c" "CHER.Example", "xn--bcher-kva.example");
	/* Non-transitional: sharp s is kept, not mapped to "ss". */
	good("fa\xc3\x9f.de", "xn--fa-hia.de");
	/* Ideographic full stop separates labels (UTS-46 mapping). */
	good("b\xc3\xbc" "cher\xe3\x80\x82" "example", "xn--bcher-kva.example");
	/* A disallowed code point (U+25B6) and invalid UTF-8. */
	bad("a\xe2\x96\xb6.example", "internationalised");
	bad("b\xfc" "cher.example", "internationalised");
}

static void
test_reverse(void **state)
{
	uint8_t v4[4] = {192, 0, 2, 1}, v6[16];
	char out[128];

	(void)state;
	assert_int_equal(mpic__reverse_name(AF_INET, v4, out, sizeof(out)), 0);
	assert_string_equal(out, "1.2.0.192.in-addr.arpa");
	assert_int_equal(mpic__reverse_name(AF_INET, v4, out, 10),
	    MPIC_ETOOBIG);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", v6), 1);
	assert_int_equal(mpic__reverse_name(AF_INET6, v6, out, sizeof(out)),
	    0);
	assert_string_equal(out,
	    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
	    "ip6.arpa");
	assert_int_equal(mpic__reverse_name(AF_INET6, v6, out, 72),
	    MPIC_ETOOBIG);
	assert_int_equal(mpic__reverse_name(AF_INET6, v6, out, 73), 0);
	assert_int_equal(mpic__reverse_name(99, v6, out, sizeof(out)),
	    MPIC_EINVAL);
}

static void
test_name_eq(void **state)
{
	(void)state;
	assert_true(mpic__name_eq("Example.COM", "example.com."));
	assert_true(mpic__name_eq("example.com.", "EXAMPLE.com"));
	assert_true(mpic__name_eq("", "."));
	assert_false(mpic__name_eq("example.com", "example.co"));
	assert_false(mpic__name_eq("a.example.com", "example.com"));
	assert_false(mpic__name_eq(NULL, "x"));
}

int
api_tests_target(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_idna),
		cmocka_unit_test(test_reverse),
		cmocka_unit_test(test_name_eq),
	};

	return cmocka_run_group_tests_name("target", tests, NULL, NULL);
}
