/*
 * alpn_testcert.h - acme-tls-alpn-01 challenge certificates, right and
 * wrong, built in memory with OpenSSL, for the unit tests and the lab's
 * responder (tests/integration/alpn_responder.c).
 */
#ifndef ALPN_TESTCERT_H
#define ALPN_TESTCERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct testcert_opts {
	const char *cn;           /* subject commonName, or NULL for none */
	const char *san;          /* "DNS:a" / "IP:1.2.3.4" / "DNS:a,DNS:b",
				   * or NULL for no subjectAltName */
	const uint8_t *digest;    /* 32 octets, or NULL: no acmeIdentifier */
	bool critical;            /* the acmeIdentifier's critical flag */
	const uint8_t *raw_value; /* instead of 04 20 || digest, when set */
	size_t raw_len;
	bool dup_ext;             /* basicConstraints twice */
	bool dup_acme;            /* the acmeIdentifier twice */
};

/* A fresh P-256 key; NULL on failure.  EVP_PKEY_free() it. */
EVP_PKEY *testcert_key(void);

/* A self-signed certificate as o says; NULL on failure.  X509_free(). */
X509 *testcert_make(EVP_PKEY *key, const struct testcert_opts *o);

#endif
