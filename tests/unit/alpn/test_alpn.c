/*
 * test_alpn.c - acme-tls-alpn-01: the certificate rules on certificates
 * built in memory, the SSRF guard, and the whole check against a TLS
 * server on a thread of this program (127.0.0.1, an ephemeral port).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "alpn_testcert.h"
#include "check/check.h"
#include "dcv/tls_alpn.h"

/* SHA-256("evaGx...oA.NzbL...Xs"), the lab's key authorization */
static const char kah_b64[] = "ZTRx1Ckl1-tM05o5zaizTTA0yUy5AGereMgSNWC6Ll8";
static uint8_t digest[32];
static EVP_PKEY *key;

static int
setup(void **state)
{
	static const char ka[] = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA."
	    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
	char b64[64];

	(void)state;
	mpic__sha256(ka, strlen(ka), digest);
	mpic__b64url_encode(digest, 32, b64);
	assert_string_equal(b64, kah_b64);
	key = testcert_key();
	return key == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key);
	return 0;
}

static struct testcert_opts
good_opts(const char *san)
{
	struct testcert_opts o;

	memset(&o, 0, sizeof(o));
	o.cn = "alpn.example";
	o.san = san;
	o.digest = digest;
	o.critical = true;
	return o;
}

/* Run the rules on a certificate made from o; returns the error type. */
static const char *
check_opts(const struct testcert_opts *o, const struct mpic__alpn_want *w,
	   json_t *details, char *why, size_t whylen)
{
	X509 *x = testcert_make(key, o);
	const char *type;

	assert_non_null(x);
	type = mpic__alpn_cert_check(x, w, details, why, whylen);
	X509_free(x);
	return type;
}

static const char *
check_name(const struct testcert_opts *o, const char *name, char *why,
	   size_t whylen)
{
	struct mpic__alpn_want w = { .name = name, .digest = digest };

	return check_opts(o, &w, NULL, why, whylen);
}

static void
test_good_dns(void **state)
{
	struct testcert_opts o = good_opts("DNS:alpn.example");
	struct mpic__alpn_want w = { .name = "alpn.example", .digest = digest };
	json_t *d = json_object();
	char why[256];

	(void)state;
	assert_null(check_opts(&o, &w, d, why, sizeof(why)));
	assert_string_equal(why, "");
	assert_string_equal(json_string_value(json_object_get(d,
	    "common_name")), "alpn.example");
	assert_int_equal(json_array_size(json_object_get(d,
	    "subject_alt_names")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(d,
	    "subject_alt_names"), 0)), "DNS:alpn.example");
	assert_true(json_is_true(json_object_get(d,
	    "acme_identifier_critical")));
	json_decref(d);
	/* the SAN is compared case-insensitively */
	o = good_opts("DNS:ALPN.Example");
	assert_null(check_name(&o, "alpn.example", why, sizeof(why)));
	/* no commonName: null evidence, still fine */
	o = good_opts("DNS:alpn.example");
	o.cn = NULL;
	d = json_object();
	assert_null(check_opts(&o, &w, d, why, sizeof(why)));
	assert_true(json_is_null(json_object_get(d, "common_name")));
	json_decref(d);
}

static void
test_san_rules(void **state)
{
	struct testcert_opts o;
	char why[256];

	(void)state;
	o = good_opts("DNS:alpn.example,DNS:other.example");
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_NO_SINGLE_SAN);
	assert_non_null(strstr(why, "2 entries"));
	o = good_opts("DNS:other.example");
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_SAN_MISMATCH);
	/* a longer or shorter name is another name */
	o = good_opts("DNS:alpn.example.com");
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_SAN_MISMATCH);
	o = good_opts("DNS:lpn.example");
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_SAN_MISMATCH);
	o = good_opts("IP:192.0.2.1");
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_SAN_NOT_DNS);
	o = good_opts(NULL);
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_EXT_MISSING);
	assert_non_null(strstr(why, "subjectAltName"));
}

static void
test_acme_identifier_rules(void **state)
{
	struct testcert_opts o;
	uint8_t wrong[32], short_value[33];
	char why[256];
	json_t *d;
	struct mpic__alpn_want w = { .name = "alpn.example", .digest = digest };

	(void)state;
	o = good_opts("DNS:alpn.example");
	o.critical = false;
	d = json_object();
	assert_string_equal(check_opts(&o, &w, d, why, sizeof(why)),
	    MPIC__ERR_ALPN_NONCRITICAL);
	assert_true(json_is_false(json_object_get(d,
	    "acme_identifier_critical")));
	json_decref(d);

	memcpy(wrong, digest, 32);
	wrong[31] ^= 1;
	o = good_opts("DNS:alpn.example");
	o.digest = wrong;
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_DIGEST);
	assert_non_null(strstr(why, "not the SHA-256 digest"));

	/* the bare digest, and an OCTET STRING of the wrong length */
	o = good_opts("DNS:alpn.example");
	o.raw_value = digest;
	o.raw_len = 32;
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_DIGEST);
	short_value[0] = 0x04;
	short_value[1] = 0x1f;
	memcpy(short_value + 2, digest, 31);
	o.raw_value = short_value;
	o.raw_len = 33;
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_DIGEST);
	assert_non_null(strstr(why, "33 octets"));

	o = good_opts("DNS:alpn.example");
	o.digest = NULL;
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_EXT_MISSING);
	assert_non_null(strstr(why, "1.3.6.1.5.5.7.1.31"));
}

static void
test_duplicates(void **state)
{
	struct testcert_opts o;
	char why[256];

	(void)state;
	o = good_opts("DNS:alpn.example");
	o.dup_ext = true;
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_DUPLICATE);
	assert_non_null(strstr(why, "2.5.29.19"));
	o = good_opts("DNS:alpn.example");
	o.dup_acme = true;
	assert_string_equal(check_name(&o, "alpn.example", why, sizeof(why)),
	    MPIC__ERR_ALPN_DUPLICATE);
	assert_non_null(strstr(why, "1.3.6.1.5.5.7.1.31"));
	/* two SAN extensions (each with one entry) */
	o = good_opts("DNS:alpn.example");
	{
		X509 *x = testcert_make(key, &o);
		X509_EXTENSION *e;
		struct mpic__alpn_want w = { .name = "alpn.example",
		    .digest = digest };

		assert_non_null(x);
		e = X509_get_ext(x, X509_get_ext_by_NID(x,
		    NID_subject_alt_name, -1));
		assert_int_equal(X509_add_ext(x, e, -1), 1);
		assert_string_equal(mpic__alpn_cert_check(x, &w, NULL, why,
		    sizeof(why)), MPIC__ERR_ALPN_DUPLICATE);
		X509_free(x);
	}
}

static void
test_ip_san(void **state)
{
	struct testcert_opts o;
	uint8_t v4[4] = {192, 0, 2, 7}, v6[16];
	struct mpic__alpn_want w = { .af = AF_INET, .addr = v4,
	    .digest = digest };
	char why[256];
	json_t *d = json_object();

	(void)state;
	o = good_opts("IP:192.0.2.7");
	assert_null(check_opts(&o, &w, d, why, sizeof(why)));
	assert_string_equal(json_string_value(json_array_get(json_object_get(d,
	    "subject_alt_names"), 0)), "IP:192.0.2.7");
	json_decref(d);
	o = good_opts("IP:192.0.2.8");
	assert_string_equal(check_opts(&o, &w, NULL, why, sizeof(why)),
	    MPIC__ERR_ALPN_SAN_MISMATCH);
	o = good_opts("DNS:7.2.0.192.in-addr.arpa");
	assert_string_equal(check_opts(&o, &w, NULL, why, sizeof(why)),
	    MPIC__ERR_ALPN_SAN_NOT_IP);
	o = good_opts("IP:192.0.2.7,IP:192.0.2.8");
	assert_string_equal(check_opts(&o, &w, NULL, why, sizeof(why)),
	    MPIC__ERR_ALPN_NO_SINGLE_SAN);
	/* IPv6, and the IPv4-mapped form is another address */
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::7", v6), 1);
	w.af = AF_INET6;
	w.addr = v6;
	o = good_opts("IP:2001:db8::7");
	assert_null(check_opts(&o, &w, NULL, why, sizeof(why)));
	o = good_opts("IP:::ffff:192.0.2.7");
	assert_string_equal(check_opts(&o, &w, NULL, why, sizeof(why)),
	    MPIC__ERR_ALPN_SAN_MISMATCH);
}

/* ------------------------------------------------------------ guard */

static bool
allowed(const struct mpic_config *cfg, const char *text)
{
	uint8_t a[16];
	char why[128];
	int af = strchr(text, ':') ? AF_INET6 : AF_INET;

	assert_int_equal(inet_pton(af, text, a), 1);
	return mpic__alpn_addr_allowed(cfg, af, a, why, sizeof(why));
}

static void
test_guard(void **state)
{
	const char *nets[] = {"127.0.0.0/8", "::1/128", "198.51.100.0/25",
	    "bad", "10.0.0.0/33", NULL};
	const char *all[] = {"0.0.0.0/0", NULL};
	const char *none[] = {NULL};
	struct mpic_config cfg;
	static const char *const refused[] = {"0.1.2.3", "10.1.2.3",
	    "100.64.0.1", "127.0.0.1", "169.254.1.1", "172.16.0.1",
	    "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.168.1.1",
	    "198.18.0.5", "198.19.255.255", "198.51.100.1", "203.0.113.9",
	    "224.0.0.1", "240.0.0.1", "255.255.255.255", "::", "::1",
	    "::ffff:10.0.0.1", "64:ff9b::808:808", "fc00::1", "fd12::1",
	    "fe80::1", "ff02::1", "2001::1", "2001:db8::1", "2002::1",
	    "3fff::1", "100::1"};
	static const char *const ok[] = {"8.8.8.8", "1.1.1.1", "172.32.0.1",
	    "198.20.0.1", "223.255.255.255", "2606:4700::1111",
	    "2001:4860:4860::8888", "2a00:1450::1",
	    /* an IPv4-mapped address is judged as its IPv4 address */
	    "::ffff:8.8.8.8"};
	char why[128];
	uint8_t a[16] = {10, 0, 0, 1};
	size_t i;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.allowed_networks = none;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (allowed(&cfg, refused[i]))
			fail_msg("%s should be refused", refused[i]);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!allowed(&cfg, ok[i]))
			fail_msg("%s should be allowed", ok[i]);
	assert_false(mpic__alpn_addr_allowed(&cfg, AF_INET, a, why,
	    sizeof(why)));
	assert_string_equal(why, "private-use (10.0.0.0/8)");
	assert_false(allowed(NULL, "127.0.0.1"));
	/* the allow-list, with entries that do not parse ignored */
	cfg.allowed_networks = nets;
	assert_true(allowed(&cfg, "127.62.44.1"));
	assert_true(allowed(&cfg, "::1"));
	assert_false(allowed(&cfg, "::2"));
	assert_true(allowed(&cfg, "198.51.100.127"));
	assert_false(allowed(&cfg, "198.51.100.128"));
	assert_false(allowed(&cfg, "10.0.0.1"));
	cfg.allowed_networks = all;
	assert_true(allowed(&cfg, "10.0.0.1"));
	assert_false(allowed(&cfg, "fe80::1"));
}

/*
 * As many allowed_networks as the configuration accepts (256), every one
 * honoured: the guard once kept only the first 64.
 */
static void
test_guard_every_network(void **state)
{
	struct mpic_config *cfg = NULL;
	char yaml[16384], err[256], a[32];
	size_t o;
	int i;

	(void)state;
	o = (size_t)snprintf(yaml, sizeof(yaml), "role: all-in-one\n"
	    "orchestration: {br_minimums: lab}\n"
	    "perspectives:\n"
	    "  - {code: a, rir: ARIN, location: {lat: 38.9, lon: -77.4}}\n"
	    "dcv:\n  allowed_networks:\n");
	/* 198.18.0.0/15 (benchmarking) is refused unless allowed */
	for (i = 0; i < 256; i++)
		o += (size_t)snprintf(yaml + o, sizeof(yaml) - o,
		    "    - 198.18.%d.0/24\n", i);
	assert_true(o < sizeof(yaml));
	assert_int_equal(mpic_config_parse(yaml, o, "t.yaml", &cfg, err,
	    sizeof(err)), 0);
	assert_int_equal(cfg->n_allowed_networks, 256);
	for (i = 0; i < 256; i++) {
		snprintf(a, sizeof(a), "198.18.%d.7", i);
		if (!allowed(cfg, a))
			fail_msg("%s (allowed_networks[%d]) should be allowed",
			    a, i);
	}
	assert_false(allowed(cfg, "198.19.0.7"));
	assert_false(allowed(cfg, "10.0.0.1"));
	mpic_config_free(cfg);
}

/* ------------------------------------------------------------ the check */

/* A blocking TLS server for one connection, on a thread. */
struct server {
	int lfd;
	unsigned port;
	struct testcert_opts opts;
	bool close_at_once;       /* accept and close: no TLS */
	char sni[256];
	bool alpn_exact;          /* the client offered only acme-tls/1 */
	pthread_t th;
};

static int
srv_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
	 const unsigned char *in, unsigned int inlen, void *arg)
{
	struct server *s = arg;

	(void)ssl;
	s->alpn_exact = inlen == 11 && memcmp(in, "\x0a" "acme-tls/1", 11) == 0;
	*out = in + 1;
	*outlen = in[0];
	return SSL_TLSEXT_ERR_OK;
}

static void *
srv_run(void *arg)
{
	struct server *s = arg;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	X509 *x = testcert_make(key, &s->opts);
	SSL *ssl = NULL;
	char buf[64];
	const char *sni;
	sigset_t pipe;
	int fd;

	/* SIGPIPE stays fatal for the client (the main thread): the
	 * library must never raise it; this thread's writes may */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	fd = accept(s->lfd, NULL, NULL);
	if (fd < 0 || ctx == NULL || x == NULL)
		goto out;
	if (s->close_at_once)
		goto out;
	SSL_CTX_use_certificate(ctx, x);
	SSL_CTX_use_PrivateKey(ctx, key);
	SSL_CTX_set_alpn_select_cb(ctx, srv_alpn, s);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_accept(ssl) == 1) {
		sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
		snprintf(s->sni, sizeof(s->sni), "%s", sni ? sni : "");
		while (SSL_read(ssl, buf, sizeof(buf)) > 0)
			;
	}
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	X509_free(x);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void
srv_start(struct server *s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sin, &len), 0);
	s->port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, srv_run, s), 0);
}

static void
srv_stop(struct server *s)
{
	pthread_join(s->th, NULL);
	close(s->lfd);
}

struct outcome {
	bool called;
	bool returned;     /* mpic__check_start had returned by then */
	struct mpic__check_result res;
};

static void
on_result(void *arg, struct mpic__check_result *res)
{
	struct outcome *o = arg;

	o->called = true;
	assert_true(o->returned);
	o->res = *res;
}

/* What the last run_check counted (mpic_check_stats.alpn). */
static struct mpic_check_stats counted;

/* Run one acme-tls-alpn-01 check for target on the given port. */
static void
run_check(const char *target, unsigned port, const char *const *nets,
	  struct outcome *out)
{
	char body[512];
	struct mpic__request req;
	struct mpic__issues is;
	struct mpic_config cfg;
	struct mpic__check_env env;
	struct event_base *base = event_base_new();

	assert_non_null(base);
	snprintf(body, sizeof(body), "{\"check_type\":\"dcv\","
	    "\"domain_or_ip_target\":\"%s\",\"dcv_check_parameters\":"
	    "{\"validation_method\":\"acme-tls-alpn-01\","
	    "\"key_authorization_hash\":\"%s\"}}", target, kah_b64);
	memset(&is, 0, sizeof(is));
	assert_int_equal(mpic__request_parse(body, strlen(body), &req, &is),
	    0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.allowed_networks = (const char **)nets;
	cfg.http_timeout_ms = 3000;
	cfg.tls_alpn_port = port;
	memset(&env, 0, sizeof(env));
	env.base = base;
	env.cfg = &cfg;
	memset(&counted, 0, sizeof(counted));
	env.stats = &counted;
	memset(out, 0, sizeof(*out));
	assert_int_equal(mpic__check_start(&env, &req, time(NULL), on_result, out), 0);
	out->returned = true;
	while (!out->called)
		assert_int_equal(event_base_loop(base, EVLOOP_ONCE), 0);
	mpic__request_release(&req);
	event_base_free(base);
}

static const char *
err_type(const struct outcome *o)
{
	return o->res.n_errors ? o->res.errors[0].type : "(none)";
}

static void
test_check_good(void **state)
{
	const char *nets[] = {"127.0.0.0/8", NULL};
	struct server s;
	struct outcome o;
	json_t *d;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.opts = good_opts("IP:127.0.0.1");
	srv_start(&s);
	run_check("127.0.0.1", s.port, nets, &o);
	srv_stop(&s);
	assert_string_equal(err_type(&o), "(none)");
	assert_true(o.res.completed);
	assert_true(o.res.passed);
	assert_true(s.alpn_exact);
	assert_string_equal(s.sni, "1.0.0.127.in-addr.arpa");
	d = o.res.details;
	assert_string_equal(json_string_value(json_object_get(d, "alpn")),
	    "acme-tls/1");
	assert_string_equal(json_string_value(json_object_get(d,
	    "resolved_ip")), "127.0.0.1");
	assert_int_equal(json_integer_value(json_object_get(d, "port")),
	    s.port);
	/* one address, one handshake completed (metrics) */
	assert_int_equal(counted.alpn[MPIC_STATS_OUT_HANDSHAKE], 1);
	assert_int_equal(counted.alpn[MPIC_STATS_OUT_TLS_FAILED], 0);
	mpic__check_result_release(&o.res);
}

static void
test_check_bad_cert(void **state)
{
	const char *nets[] = {"127.0.0.0/8", NULL};
	struct server s;
	struct outcome o;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.opts = good_opts("IP:127.0.0.1");
	s.opts.critical = false;
	srv_start(&s);
	run_check("127.0.0.1", s.port, nets, &o);
	srv_stop(&s);
	assert_true(o.res.completed);
	assert_false(o.res.passed);
	assert_string_equal(err_type(&o), MPIC__ERR_ALPN_NONCRITICAL);
	mpic__check_result_release(&o.res);
}

static void
test_check_failures(void **state)
{
	const char *nets[] = {"127.0.0.0/8", NULL};
	const char *none[] = {NULL};
	struct server s;
	struct outcome o;

	(void)state;
	/* the guard: no connection at all (nothing listens on port 1) */
	run_check("127.0.0.1", 1, none, &o);
	assert_false(o.res.completed);
	assert_string_equal(err_type(&o), MPIC__ERR_ALPN_ADDRESS);
	assert_int_equal(counted.alpn[MPIC_STATS_OUT_REFUSED], 1);
	assert_int_equal(counted.alpn[MPIC_STATS_OUT_HANDSHAKE], 0);
	mpic__check_result_release(&o.res);
	/* a server that closes at once: a handshake failure */
	memset(&s, 0, sizeof(s));
	s.opts = good_opts("IP:127.0.0.1");
	s.close_at_once = true;
	srv_start(&s);
	run_check("127.0.0.1", s.port, nets, &o);
	srv_stop(&s);
	assert_false(o.res.completed);
	assert_string_equal(err_type(&o), MPIC__ERR_ALPN_TLS);
	if (strstr(o.res.errors[0].message, "closed") == NULL &&
	    strstr(o.res.errors[0].message, "reset") == NULL)
		fail_msg("%s", o.res.errors[0].message);
	assert_int_equal(counted.alpn[MPIC_STATS_OUT_TLS_FAILED], 1);
	mpic__check_result_release(&o.res);
}

static void
test_tls_alloc_failure(void **state)
{
	struct mpic__alpn_tls *t = NULL;

	(void)state;
	mpic__alloc_fail_at(1);
	assert_int_equal(mpic__alpn_tls_new(&t), MPIC_ENOMEM);
	mpic__alloc_fail_at(0);
	assert_null(t);
	assert_int_equal(mpic__alpn_tls_new(&t), 0);
	mpic__alpn_tls_free(t);
	mpic__alpn_tls_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_dns),
		cmocka_unit_test(test_san_rules),
		cmocka_unit_test(test_acme_identifier_rules),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_ip_san),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_guard_every_network),
		cmocka_unit_test(test_check_good),
		cmocka_unit_test(test_check_bad_cert),
		cmocka_unit_test(test_check_failures),
		cmocka_unit_test(test_tls_alloc_failure),
	};

	return cmocka_run_group_tests_name("alpn", tests, setup, teardown);
}
