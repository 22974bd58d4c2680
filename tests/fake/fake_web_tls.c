/*
 * fake_web_tls.c - TLS for the fake web's servers (fake_web.c): the
 * server side of an https hop and of an acme-tls-alpn-01 handshake, with
 * a certificate made for each connection (tests/lib/alpn_testcert.c).
 *
 * A client that offers "acme-tls/1" gets the server's "alpn" behaviour
 * (docs/testing.md, "web"): the protocol picked, the certificate's
 * subjectAltName and acmeIdentifier (the SHA-256 of key_authorization),
 * its defects, a fatal alert, TLS 1.1 at most.  Any other client (curl on
 * an https hop) gets a self-signed certificate for its SNI and
 * "http/1.1" when it offers it.  The choice is made from the ClientHello
 * (its SNI and ALPN extensions), before OpenSSL picks a certificate.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "alpn_testcert.h"
#include "fake_web.h"

#define ACME_PROTO "acme-tls/1"

static EVP_PKEY *key;
static SSL_CTX *ctx;

static bool
is_reverse(const char *s)
{
	size_t n = strlen(s);

	return (n > 13 && strcmp(s + n - 13, ".in-addr.arpa") == 0) ||
	    (n > 9 && strcmp(s + n - 9, ".ip6.arpa") == 0);
}

/* 64 hex digits into 32 octets; 0 or -1. */
static int
unhex(const char *s, uint8_t *out)
{
	unsigned v;
	size_t i;

	if (strlen(s) != 2 * SHA256_DIGEST_LENGTH)
		return -1;
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* The certificate for c: the "alpn" object's for an acme-tls/1 client,
 * else a plain one for the SNI. */
static X509 *
make_cert(const struct fake_conn *c, const json_t *alpn)
{
	struct testcert_opts o;
	const char *san = json_string_value(json_object_get(alpn, "san"));
	const char *cn = json_string_value(json_object_get(alpn, "cn"));
	const char *ka = json_string_value(json_object_get(alpn,
	    "key_authorization"));
	const char *hex = json_string_value(json_object_get(alpn, "digest"));
	const json_t *crit = json_object_get(alpn, "critical");
	uint8_t digest[SHA256_DIGEST_LENGTH];
	char dflt[300];

	memset(&o, 0, sizeof(o));
	if (is_reverse(c->sni))
		snprintf(dflt, sizeof(dflt), "IP:%s", c->addr);
	else
		snprintf(dflt, sizeof(dflt), "DNS:%s", c->sni[0] ? c->sni :
		    "fake.invalid");
	o.san = san != NULL ? (san[0] != '\0' ? san : NULL) : dflt;
	o.cn = cn != NULL ? cn : (strlen(c->sni) <= 64 && c->sni[0] ? c->sni :
	    NULL);
	if (c->acme && (ka != NULL || hex != NULL)) {
		if (ka != NULL)
			SHA256((const unsigned char *)ka, strlen(ka), digest);
		else if (unhex(hex, digest) != 0)
			return NULL;
		o.digest = digest;
		o.critical = crit == NULL || json_is_true(crit);
		if (json_is_true(json_object_get(alpn, "bare_value"))) {
			o.raw_value = digest;
			o.raw_len = sizeof(digest);
		}
		o.dup_acme = json_is_true(json_object_get(alpn, "dup_acme"));
	}
	if (c->acme)
		o.dup_ext = json_is_true(json_object_get(alpn, "dup_ext"));
	return testcert_make(key, &o);
}

static int
on_hello(SSL *ssl, int *alert, void *arg)
{
	struct fake_conn *c = SSL_get_app_data(ssl);
	const json_t *alpn = json_object_get(c->server, "alpn");
	const unsigned char *p;
	size_t n, i, l;
	X509 *x;
	bool ok;
	int k;

	(void)arg;
	if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p,
	    &n) == 1 && n > 5 && p[2] == 0) {
		l = (size_t)p[3] << 8 | p[4];
		if (l + 5 <= n && l < sizeof(c->sni)) {
			memcpy(c->sni, p + 5, l);
			c->sni[l] = '\0';
		}
	}
	if (SSL_client_hello_get0_ext(ssl,
	    TLSEXT_TYPE_application_layer_protocol_negotiation, &p, &n) == 1)
		for (i = 2; i < n; i += 1 + p[i])
			if (p[i] == sizeof(ACME_PROTO) - 1 && i + 1 + p[i] <=
			    n && memcmp(p + i + 1, ACME_PROTO, p[i]) == 0)
				c->acme = true;
	if (c->acme && alpn != NULL && strcmp(json_string_value(
	    json_object_get(alpn, "handshake")) ? json_string_value(
	    json_object_get(alpn, "handshake")) : "", "alert") == 0) {
		*alert = SSL_AD_HANDSHAKE_FAILURE;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if ((x = make_cert(c, alpn)) == NULL) {
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	ok = SSL_use_certificate(ssl, x) == 1 &&
	    SSL_use_PrivateKey(ssl, key) == 1;
	if (ok && c->acme && json_is_true(json_object_get(alpn, "big")))
		/* copies in the chain until it passes the client's 64 KiB */
		for (k = 0; k < 160 && ok; k++)
			ok = SSL_add1_chain_cert(ssl, x) == 1;
	X509_free(x);
	if (!ok) {
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

static int
on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
	const unsigned char *in, unsigned int inlen, void *arg)
{
	struct fake_conn *c = SSL_get_app_data(ssl);
	const json_t *alpn = json_object_get(c->server, "alpn");
	const json_t *pj = json_object_get(alpn, "protocol");
	unsigned int i;

	(void)arg;
	if (c->acme) {
		/* a server that knows no acme-tls/1 agrees to nothing */
		if (alpn == NULL || json_is_null(pj))
			return SSL_TLSEXT_ERR_NOACK;
		snprintf(c->proto, sizeof(c->proto), "%s", json_is_string(pj) ?
		    json_string_value(pj) : ACME_PROTO);
	} else {
		for (i = 0; i < inlen; i += 1u + in[i])
			if (in[i] == 8 && i + 9 <= inlen &&
			    memcmp(in + i + 1, "http/1.1", 8) == 0)
				break;
		if (i >= inlen)
			return SSL_TLSEXT_ERR_NOACK;
		snprintf(c->proto, sizeof(c->proto), "http/1.1");
	}
	*out = (const unsigned char *)c->proto;
	*outlen = (unsigned char)strlen(c->proto);
	return SSL_TLSEXT_ERR_OK;
}

SSL *
fake_web_tls_new(struct fake_conn *c)
{
	const json_t *alpn = json_object_get(c->server, "alpn");
	const char *tls = json_string_value(json_object_get(alpn, "tls"));
	SSL *ssl;

	if (key == NULL && (key = testcert_key()) == NULL)
		return NULL;
	if (ctx == NULL) {
		if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
			return NULL;
		SSL_CTX_set_client_hello_cb(ctx, on_hello, NULL);
		SSL_CTX_set_alpn_select_cb(ctx, on_alpn, NULL);
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	}
	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	SSL_set_app_data(ssl, c);
	if (tls != NULL && strcmp(tls, "1.1") == 0) {
		/* a server stuck at TLS 1.1 (the client asks for 1.2+) */
		SSL_set_security_level(ssl, 0);
		SSL_set_min_proto_version(ssl, TLS1_1_VERSION);
		SSL_set_max_proto_version(ssl, TLS1_1_VERSION);
		SSL_set_cipher_list(ssl, "DEFAULT:@SECLEVEL=0");
	}
	return ssl;
}

void
fake_web_tls_cleanup(void)
{
	SSL_CTX_free(ctx);
	ctx = NULL;
	EVP_PKEY_free(key);
	key = NULL;
}
