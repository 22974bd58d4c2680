/* test_web.c - the HTTP-based DCV methods' rules: CIDR matching and the
 * SSRF guard, URL and redirect rules, body comparison.  No network. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dcv/web.h"

static int
addr(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET, s, out) == 1)
		return AF_INET;
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
	return AF_INET6;
}

static void
test_cidr_parse(void **state)
{
	static const char *const bad[] = {"", "/", "10.0.0.0", "10.0.0.0/",
	    "10.0.0.0/33", "::/129", "10.0.0.0/8x", "10.0.0/8", "x/8",
	    "10.0.0.0/0008", "/8", "::1/-1"};
	struct mpic__cidr c;
	size_t i;

	(void)state;
	assert_int_equal(mpic__cidr_parse("10.0.0.0/8", 10, &c), 0);
	assert_int_equal(c.af, AF_INET);
	assert_int_equal(c.plen, 8);
	assert_int_equal(mpic__cidr_parse("::1/128", 7, &c), 0);
	assert_int_equal(c.af, AF_INET6);
	assert_int_equal(c.plen, 128);
	assert_int_equal(mpic__cidr_parse("0.0.0.0/0", 9, &c), 0);
	/* length-bounded: the text need not end in NUL */
	assert_int_equal(mpic__cidr_parse("10.0.0.0/8junk", 10, &c), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mpic__cidr_parse(bad[i], strlen(bad[i]), &c),
		    MPIC_EINVAL);
}

static bool
in(const char *cidr, const char *a)
{
	struct mpic__cidr c;
	uint8_t b[16];
	int af = addr(a, b);

	assert_int_equal(mpic__cidr_parse(cidr, strlen(cidr), &c), 0);
	return mpic__cidr_contains(&c, af, b);
}

static void
test_cidr_contains(void **state)
{
	(void)state;
	assert_true(in("10.0.0.0/8", "10.255.255.255"));
	assert_false(in("10.0.0.0/8", "11.0.0.0"));
	assert_true(in("172.16.0.0/12", "172.31.0.1"));
	assert_false(in("172.16.0.0/12", "172.32.0.1"));
	assert_true(in("192.168.1.0/25", "192.168.1.127"));
	assert_false(in("192.168.1.0/25", "192.168.1.128"));
	assert_true(in("0.0.0.0/0", "8.8.8.8"));
	assert_true(in("1.2.3.4/32", "1.2.3.4"));
	assert_false(in("1.2.3.4/32", "1.2.3.5"));
	assert_true(in("fe80::/10", "febf::1"));
	assert_false(in("fe80::/10", "fec0::1"));
	assert_true(in("::1/128", "::1"));
	assert_false(in("::1/128", "::2"));
	assert_true(in("::/0", "2001:db8::1"));
	/* families never mix */
	assert_false(in("0.0.0.0/0", "::"));
	assert_false(in("::/0", "1.2.3.4"));
}

static const char *
reserved(const char *a)
{
	uint8_t b[16];
	int af = addr(a, b);

	return mpic__addr_reserved(af, b);
}

static void
test_reserved(void **state)
{
	static const char *const refused[] = {"0.0.0.0", "10.1.2.3",
	    "100.64.0.1", "127.0.0.1", "127.61.80.1", "169.254.169.254",
	    "172.16.5.4", "192.0.0.8", "192.0.2.1", "192.168.0.1",
	    "198.18.0.5", "198.51.100.7", "203.0.113.9", "224.0.0.1",
	    "239.255.255.250", "240.0.0.1", "255.255.255.255", "::", "::1",
	    "::ffff:10.0.0.1", "64:ff9b::1.2.3.4", "100::1", "2001::1",
	    "2001:db8::1", "2002::1", "3fff::5", "fc00::1", "fd12::1",
	    "fe80::1", "fec0::1", "ff02::1", "5f00::1",
	    /* outside 2000::/3: SIIT (::ffff:0:0:0/96), RFC 9780's
	     * 100:0:0:1::/64, unassigned space on both sides */
	    "::ffff:0:7f00:1", "100:0:0:1::1", "1::1", "1fff:ffff::1",
	    "4000::1", "e000::1", "fe00::1"};
	static const char *const public[] = {"1.1.1.1", "8.8.8.8",
	    "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
	    "172.15.255.255", "172.32.0.0", "192.0.1.255", "192.169.0.0",
	    "198.17.255.255", "198.20.0.0", "223.255.255.255",
	    "2001:4860:4860::8888", "2600::1", "2a00:1450::1", "2001:200::1",
	    "2000::1", "3ffe:ffff::1"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (reserved(refused[i]) == NULL)
			fail_msg("%s should be reserved", refused[i]);
	}
	for (i = 0; i < sizeof(public) / sizeof(public[0]); i++) {
		if (reserved(public[i]) != NULL)
			fail_msg("%s should be public: %s", public[i],
			    reserved(public[i]));
	}
	assert_string_equal(reserved("127.0.0.1"), "loopback (127.0.0.0/8)");
	assert_string_equal(reserved("fe80::1"), "link-local (fe80::/10)");
	assert_string_equal(reserved("::ffff:0:7f00:1"),
	    "outside global unicast (2000::/3)");
}

static void
test_guard(void **state)
{
	struct mpic__cidr allow[2];
	uint8_t b[16];
	int af;

	(void)state;
	assert_int_equal(mpic__cidr_parse("127.0.0.0/8", 11, &allow[0]), 0);
	assert_int_equal(mpic__cidr_parse("::1/128", 7, &allow[1]), 0);
	af = addr("127.61.80.1", b);
	assert_null(mpic__addr_refused(af, b, allow, 2));
	assert_non_null(mpic__addr_refused(af, b, NULL, 0));
	af = addr("::1", b);
	assert_null(mpic__addr_refused(af, b, allow, 2));
	assert_non_null(mpic__addr_refused(af, b, allow, 1));
	af = addr("10.0.0.1", b);
	assert_string_equal(mpic__addr_refused(af, b, allow, 2),
	    "private-use (10.0.0.0/8)");
	af = addr("8.8.8.8", b);
	assert_null(mpic__addr_refused(af, b, NULL, 0));
	/* IPv4-mapped: judged as the IPv4 address, both ways */
	af = addr("::ffff:127.61.80.1", b);
	assert_null(mpic__addr_refused(af, b, allow, 2));
	assert_string_equal(mpic__addr_refused(af, b, NULL, 0),
	    "loopback (127.0.0.0/8)");
	af = addr("::ffff:8.8.8.8", b);
	assert_null(mpic__addr_refused(af, b, NULL, 0));
	af = addr("::ffff:192.168.1.1", b);
	assert_non_null(mpic__addr_refused(af, b, allow, 2));
}

static void
test_codes_ports(void **state)
{
	long ok[] = {301, 302, 307, 308}, bad[] = {300, 303, 304, 305, 306,
	    200, 309, 399, 0};
	unsigned p;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_true(mpic__redirect_code_ok(ok[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(mpic__redirect_code_ok(bad[i]));
	for (p = 0; p <= 65535; p++)
		n += mpic__port_authorized(p);
	assert_int_equal(n, 4);
	assert_true(mpic__port_authorized(80) && mpic__port_authorized(443) &&
	    mpic__port_authorized(25) && mpic__port_authorized(22));
}

static void
test_url_check(void **state)
{
	struct mpic__url u;
	char why[256], big[MPIC__HTTP_URL_MAX + 64];

	(void)state;
	assert_int_equal(mpic__url_check("http://Example.COM/a?b#frag", &u,
	    why, sizeof(why)), 0);
	assert_string_equal(u.text, "http://example.com/a?b");
	assert_string_equal(u.host, "example.com");
	assert_int_equal(u.port, 80);
	assert_false(u.https);
	assert_false(u.host_is_ip);
	assert_int_equal(mpic__url_check("https://example.com/", &u, why,
	    sizeof(why)), 0);
	assert_int_equal(u.port, 443);
	assert_true(u.https);
	assert_int_equal(mpic__url_check("http://example.com:25/x", &u, why,
	    sizeof(why)), 0);
	assert_int_equal(u.port, 25);
	assert_int_equal(mpic__url_check("https://example.com:22/x", &u, why,
	    sizeof(why)), 0);
	assert_int_equal(mpic__url_check("http://example.com:8080/", &u, why,
	    sizeof(why)), MPIC_EPOLICY);
	assert_non_null(strstr(why, "port 8080"));
	assert_int_equal(mpic__url_check("http://example.com:0080/", &u, why,
	    sizeof(why)), 0);
	assert_int_equal(u.port, 80);
	assert_int_equal(mpic__url_check("ftp://example.com/", &u, why,
	    sizeof(why)), MPIC_EPOLICY);
	assert_non_null(strstr(why, "scheme ftp"));
	assert_int_equal(mpic__url_check("http://u:p@example.com/", &u, why,
	    sizeof(why)), MPIC_EPOLICY);
	assert_int_equal(mpic__url_check("http://[fe80::1%25eth0]/", &u, why,
	    sizeof(why)), MPIC_EPOLICY);
	assert_true(mpic__url_check("http://*.example.com/", &u, why,
	    sizeof(why)) < 0);
	/* a host name is LDH labels, as for targets */
	assert_int_equal(mpic__url_check("http://exa_mple.com/", &u, why,
	    sizeof(why)), MPIC_EPOLICY);
	assert_int_equal(mpic__url_check("not a url", &u, why, sizeof(why)),
	    MPIC_EPARSE);
	/* addresses */
	assert_int_equal(mpic__url_check("http://192.0.2.1/x", &u, why,
	    sizeof(why)), 0);
	assert_true(u.host_is_ip);
	assert_int_equal(u.af, AF_INET);
	assert_string_equal(u.host, "192.0.2.1");
	assert_int_equal(mpic__url_check("http://[2001:DB8:0::1]/x", &u, why,
	    sizeof(why)), 0);
	assert_int_equal(u.af, AF_INET6);
	assert_string_equal(u.host, "2001:db8::1");
	assert_string_equal(u.text, "http://[2001:db8::1]/x");
	/* internationalised names become A-labels */
	assert_int_equal(mpic__url_check("http://b\xc3\xbc" "cher.example/",
	    &u, why, sizeof(why)), 0);
	assert_string_equal(u.host, "xn--bcher-kva.example");
	/* length cap */
	memset(big, 'a', sizeof(big));
	memcpy(big, "http://example.com/", 19);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(mpic__url_check(big, &u, why, sizeof(why)),
	    MPIC_ETOOBIG);
}

static int
redir(const char *base, const char *loc, struct mpic__url *u, char *why)
{
	return mpic__url_redirect(base, loc, strlen(loc), u, why, 256);
}

static void
test_redirect(void **state)
{
	const char *b = "http://a.example/.well-known/acme-challenge/tok";
	char why[256], big[MPIC__HTTP_URL_MAX + 2];
	struct mpic__url u;

	(void)state;
	assert_int_equal(redir(b, "/final", &u, why), 0);
	assert_string_equal(u.text, "http://a.example/final");
	assert_int_equal(redir(b, "../../x", &u, why), 0);
	assert_string_equal(u.text, "http://a.example/x");
	assert_int_equal(redir(b, "other", &u, why), 0);
	assert_string_equal(u.text,
	    "http://a.example/.well-known/acme-challenge/other");
	assert_int_equal(redir(b, "//b.example/y", &u, why), 0);
	assert_string_equal(u.text, "http://b.example/y");
	assert_int_equal(redir(b, "https://B.example:443/z", &u, why), 0);
	assert_string_equal(u.host, "b.example");
	assert_true(u.https);
	assert_int_equal(redir(b, "?q=1", &u, why), 0);
	assert_int_equal(redir(b, "https://b.example:8443/", &u, why),
	    MPIC_EPOLICY);
	assert_int_equal(redir(b, "ftp://b.example/", &u, why),
	    MPIC_EPOLICY);
	assert_true(redir(b, "javascript:alert(1)", &u, why) < 0);
	assert_true(redir(b, "file:///etc/passwd", &u, why) < 0);
	assert_int_equal(redir(b, "http://b.example/a b", &u, why),
	    MPIC_EPARSE);
	assert_non_null(strstr(why, "space or control"));
	assert_int_equal(redir(b, "http://b.example/\r\nX: y", &u, why),
	    MPIC_EPARSE);
	assert_int_equal(mpic__url_redirect(b, "", 0, &u, why, sizeof(why)),
	    MPIC_EPARSE);
	/* not NUL-terminated: only len octets count */
	assert_int_equal(mpic__url_redirect(b, "/finalXYZ", 6, &u, why,
	    sizeof(why)), 0);
	assert_string_equal(u.text, "http://a.example/final");
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(redir(b, big, &u, why), MPIC_ETOOBIG);
}

static void
test_first_url(void **state)
{
	struct mpic__request r;
	char out[MPIC__HTTP_URL_MAX + 1];

	(void)state;
	memset(&r, 0, sizeof(r));
	snprintf(r.target.name, sizeof(r.target.name), "example.com");
	r.dcv.method = MPIC__DCV_ACME_HTTP_01;
	r.dcv.token = "tok";
	assert_int_equal(mpic__http_first_url(&r, out, sizeof(out)), 0);
	assert_string_equal(out,
	    "http://example.com/.well-known/acme-challenge/tok");
	r.dcv.method = MPIC__DCV_WEBSITE_CHANGE;
	r.dcv.http_token_path = "a/b.txt";
	r.dcv.url_scheme = "https";
	assert_int_equal(mpic__http_first_url(&r, out, sizeof(out)), 0);
	assert_string_equal(out,
	    "https://example.com/.well-known/pki-validation/a/b.txt");
	snprintf(r.target.name, sizeof(r.target.name), "2001:db8::1");
	r.target.is_ip = true;
	r.target.af = AF_INET6;
	r.dcv.method = MPIC__DCV_ACME_HTTP_01;
	assert_int_equal(mpic__http_first_url(&r, out, sizeof(out)), 0);
	assert_string_equal(out,
	    "http://[2001:db8::1]/.well-known/acme-challenge/tok");
	assert_int_equal(mpic__http_first_url(&r, out, 20), MPIC_ETOOBIG);
}

static void
test_http01_match(void **state)
{
	const char *ka = "tok.thumb";

	(void)state;
	assert_true(mpic__http01_match("tok.thumb", 9, ka));
	assert_true(mpic__http01_match("tok.thumb\r\n \t", 13, ka));
	assert_false(mpic__http01_match(" tok.thumb", 10, ka));
	assert_false(mpic__http01_match("tok.thumbx", 10, ka));
	assert_false(mpic__http01_match("tok.thum", 8, ka));
	assert_false(mpic__http01_match("TOK.THUMB", 9, ka));
	assert_false(mpic__http01_match("", 0, ka));
	assert_false(mpic__http01_match("tok.thumb\0", 10, ka));
	/* only len octets are read */
	assert_true(mpic__http01_match("tok.thumbGARBAGE", 9, ka));
}

static bool
wm(const char *body, const char *value, bool exact, const char *re)
{
	char why[256];
	bool m = false;

	assert_int_equal(mpic__website_match(body, strlen(body), value, exact,
	    re, &m, why, sizeof(why)), 0);
	return m;
}

static void
test_website_match(void **state)
{
	char why[256], big[MPIC__HTTP_BODY_MAX];
	bool m;

	(void)state;
	assert_true(wm("x=abc123\n", "abc123", true, NULL));
	assert_false(wm("x=ABC123\n", "abc123", true, NULL));
	assert_true(wm("x=ABC123\n", "abc123", false, NULL));
	assert_false(wm("x=abc12\n", "abc123", false, NULL));
	assert_true(wm("x=abc123\n", "abc123", true, "^x=[a-z0-9]+"));
	assert_false(wm("x=abc123\n", "abc123", true, "^y="));
	/* the regex never stands in for the value */
	assert_false(wm("x=zzz\n", "abc123", true, "^x="));
	/* Python's re, as Open MPIC's clients write it */
	assert_true(wm("x=abc123\n", "abc123", true, "^x=\\w+?\\d{3}$"));
	assert_true(wm("X=abc123\n", "abc123", true, "(?i)^x=ABC"));
	assert_false(wm("X=abc123\n", "abc123", true, "^x=ABC"));
	/* a NUL in the body: the substring search sees past it */
	assert_int_equal(mpic__website_match("a\0abc123", 8, "abc123", true,
	    NULL, &m, why, sizeof(why)), 0);
	assert_true(m);
	/* and so does the regex: every octet read, by length */
	assert_int_equal(mpic__website_match("abc123\0tail", 11, "abc123",
	    true, "abc123\\x00tail$", &m, why, sizeof(why)), 0);
	assert_true(m);
	assert_int_equal(mpic__website_match("abc123\0tail", 11, "abc123",
	    true, "^abc123.tail$", &m, why, sizeof(why)), 0);
	assert_true(m);
	assert_int_equal(mpic__website_match("abc123", 6, "abc123", true,
	    "(", &m, why, sizeof(why)), MPIC_EINVAL);
	assert_false(m);
	assert_string_equal(why, "missing closing parenthesis at offset 1");
	assert_int_equal(mpic__website_match("abc", 3, "abc123", true, NULL,
	    &m, why, sizeof(why)), 0);
	assert_false(m);
	/* a search stopped by a limit is neither a match nor a miss */
	memcpy(big, "abc123", 6);
	memset(big + 6, 'a', sizeof(big) - 7);
	big[sizeof(big) - 1] = 'b';
	m = true;
	assert_int_equal(mpic__website_match(big, sizeof(big), "abc123", true,
	    "(a+)+$", &m, why, sizeof(why)), MPIC_ETOOBIG);
	assert_false(m);
	assert_non_null(strstr(why, "match limit"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr_parse),
		cmocka_unit_test(test_cidr_contains),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_codes_ports),
		cmocka_unit_test(test_url_check),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_first_url),
		cmocka_unit_test(test_http01_match),
		cmocka_unit_test(test_website_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
