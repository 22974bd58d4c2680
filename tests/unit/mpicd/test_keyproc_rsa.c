/*
 * test_keyproc_rsa.c - mpicd's key process with an RSA key, for real: a
 * forked key process (keyproc.c) holding the key, spoken to over its
 * socket as a worker speaks to it (keyproxy.c).
 *
 * It signs what TLS needs (an RSA-PSS block, a SHA-2 DigestInfo) and
 * refuses everything else a compromised worker could send: a ciphertext
 * to the key (the decryption oracle), random blocks, the ECDSA request.
 * Through the worker's proxy key, OpenSSL's own RSA-PSS and PKCS #1 v1.5
 * signing works and verifies with the certificate, and decryption fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "../../../src/mpicd/keyproc.h"

/* keyproxy.c logs a refused signature; the test has no daemon log */
void mpicd_log(const char *level, const char *msg, const char *k1,
	       const char *v1);

void
mpicd_log(const char *level, const char *msg, const char *k1,
	  const char *v1)
{
	(void)level;
	(void)msg;
	(void)k1;
	(void)v1;
}

struct fix {
	char dir[64], cert[96], keyfile[96];
	struct mpic_settings cfg;
	struct mpicd_keyproc kp;
	EVP_PKEY *key;          /* the test's copy, for reference values */
	X509 *x509;
	uint32_t gen;
};

static int call(struct fix *f, uint32_t op, const uint8_t *data, size_t len,
		uint8_t *out, size_t *outlen);

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	EVP_PKEY_CTX *c;
	X509_NAME *name;
	FILE *fp;
	char err[512];

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mpic-kp-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->cert, sizeof(f->cert), "%s/c.pem", f->dir);
	snprintf(f->keyfile, sizeof(f->keyfile), "%s/k.pem", f->dir);
	c = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
	if (c == NULL || EVP_PKEY_keygen_init(c) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048) != 1 ||
	    EVP_PKEY_keygen(c, &f->key) != 1)
		return -1;
	EVP_PKEY_CTX_free(c);
	f->x509 = X509_new();
	name = X509_get_subject_name(f->x509);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"kp.mpic.lab", -1, -1, 0);
	X509_set_issuer_name(f->x509, name);
	X509_gmtime_adj(X509_getm_notBefore(f->x509), 0);
	X509_gmtime_adj(X509_getm_notAfter(f->x509), 3600);
	X509_set_pubkey(f->x509, f->key);
	if (X509_sign(f->x509, f->key, EVP_sha256()) <= 0)
		return -1;
	fp = fopen(f->cert, "w");
	PEM_write_X509(fp, f->x509);
	fclose(fp);
	fp = fopen(f->keyfile, "w");
	PEM_write_PrivateKey(fp, f->key, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
	f->cfg.tls_cert = f->cert;
	f->cfg.tls_key = f->keyfile;
	if (mpicd_keyproc_start(&f->cfg, 1, &f->kp, err, sizeof(err)) != 0) {
		fprintf(stderr, "key process: %s\n", err);
		return -1;
	}
	*state = f;
	return call(f, KP_CERT, NULL, 0, NULL, NULL) == KP_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	mpicd_keyproc_close(&f->kp);
	waitpid(f->kp.pid, NULL, 0);
	EVP_PKEY_free(f->key);
	X509_free(f->x509);
	unlink(f->cert);
	unlink(f->keyfile);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* One request to the key process: its status; the answer in out. */
static int
call(struct fix *f, uint32_t op, const uint8_t *data, size_t len,
     uint8_t *out, size_t *outlen)
{
	struct kp_req req;
	static uint8_t scratch[KP_MAX_DATA];
	size_t n = 0;
	uint32_t gen;
	int st;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.gen = f->gen;
	req.len = (uint32_t)len;
	if (len > 0)
		memcpy(req.data, data, len);
	st = mpicd_keyproxy_call(f->kp.fds[0], &req, KP_SIGN_WAIT_MS, &gen,
	    scratch, sizeof(scratch), &n);
	if (op == KP_CERT && st == KP_OK)
		f->gen = gen;   /* the key's generation, for what follows */
	if (out != NULL) {
		memcpy(out, scratch, n);
		*outlen = n;
	}
	return st;
}

/* A reference signature of dig (PSS with SHA-256 and a digest-long salt,
 * or PKCS #1 v1.5) and the block the private operation sees for it. */
static void
reference(struct fix *f, int pad, const uint8_t *dig, uint8_t *sig,
	  size_t *siglen, uint8_t *block, size_t *blen)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(f->key, NULL);

	*siglen = 256;
	*blen = 256;
	assert_int_equal(EVP_PKEY_sign_init(c), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, pad), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()), 1);
	if (pad == RSA_PKCS1_PSS_PADDING)
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(c,
		    RSA_PSS_SALTLEN_DIGEST), 1);
	assert_int_equal(EVP_PKEY_sign(c, sig, siglen, dig, 32), 1);
	EVP_PKEY_CTX_free(c);
	c = EVP_PKEY_CTX_new(f->key, NULL);
	assert_int_equal(EVP_PKEY_verify_recover_init(c), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, pad ==
	    RSA_PKCS1_PSS_PADDING ? RSA_NO_PADDING : RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_verify_recover(c, block, blen, sig,
	    *siglen), 1);
	EVP_PKEY_CTX_free(c);
}

static void
test_signs_signature_blocks(void **state)
{
	struct fix *f = *state;
	uint8_t dig[32], sig[256], block[256], out[KP_MAX_DATA];
	size_t siglen, blen, outlen;

	RAND_bytes(dig, sizeof(dig));
	/* KP_CERT first: the generation of the key */
	assert_int_equal(call(f, KP_CERT, NULL, 0, out, &outlen), KP_OK);
	assert_true(outlen > 100);
	reference(f, RSA_PKCS1_PSS_PADDING, dig, sig, &siglen, block, &blen);
	assert_int_equal(blen, 256);
	assert_int_equal(call(f, KP_SIGN_RSA_PSS, block, blen, out, &outlen),
	    KP_OK);
	assert_int_equal(outlen, 256);
	assert_memory_equal(out, sig, 256);
	reference(f, RSA_PKCS1_PADDING, dig, sig, &siglen, block, &blen);
	assert_int_equal(blen, 19 + 32);
	assert_int_equal(call(f, KP_SIGN_RSA_PKCS1, block, blen, out,
	    &outlen), KP_OK);
	assert_int_equal(outlen, 256);
	assert_memory_equal(out, sig, 256);
}

static void
test_refuses_everything_else(void **state)
{
	struct fix *f = *state;
	uint8_t msg[32], ct[256], out[KP_MAX_DATA], dig[32], sig[256];
	uint8_t block[256];
	size_t ctlen = sizeof(ct), outlen, siglen, blen, i;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(f->key, NULL);

	/* a ciphertext to the key, as a PSS block and as a DigestInfo */
	RAND_bytes(msg, sizeof(msg));
	assert_int_equal(EVP_PKEY_encrypt_init(c), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING),
	    1);
	assert_int_equal(EVP_PKEY_encrypt(c, ct, &ctlen, msg, sizeof(msg)),
	    1);
	EVP_PKEY_CTX_free(c);
	assert_int_equal(call(f, KP_SIGN_RSA_PSS, ct, ctlen, out, &outlen),
	    KP_EBADREQ);
	assert_int_equal(outlen, 0);
	assert_int_equal(call(f, KP_SIGN_RSA_PKCS1, ct, 51, out, &outlen),
	    KP_EBADREQ);
	/* random blocks */
	for (i = 0; i < 50; i++) {
		RAND_bytes(ct, sizeof(ct));
		ct[0] &= 0x7f;
		ct[255] = 0xbc;
		assert_int_equal(call(f, KP_SIGN_RSA_PSS, ct, 256, NULL,
		    NULL), KP_EBADREQ);
	}
	/* the ECDSA request, with an RSA key */
	RAND_bytes(dig, sizeof(dig));
	assert_int_equal(call(f, KP_SIGN, dig, 32, NULL, NULL), KP_EBADREQ);
	/* a good block one octet short */
	reference(f, RSA_PKCS1_PSS_PADDING, dig, sig, &siglen, block, &blen);
	assert_int_equal(call(f, KP_SIGN_RSA_PSS, block + 1, blen - 1, NULL,
	    NULL), KP_EBADREQ);
	/* and it still signs afterwards */
	assert_int_equal(call(f, KP_SIGN_RSA_PSS, block, blen, out, &outlen),
	    KP_OK);
	assert_memory_equal(out, sig, 256);
}

/* The worker's proxy key: OpenSSL's own signing through it. */
static void
test_proxy_key(void **state)
{
	struct fix *f = *state;
	EVP_PKEY *pk = mpicd_keyproxy_pkey(f->x509, f->gen);
	static const uint8_t tbs[] = "the transcript of a TLS handshake";
	uint8_t sig[256], pt[256];
	size_t siglen, ptlen = sizeof(pt);
	int pads[2] = {RSA_PKCS1_PSS_PADDING, RSA_PKCS1_PADDING}, i;
	EVP_MD_CTX *m;
	EVP_PKEY_CTX *pc;

	assert_non_null(pk);
	mpicd_keyproxy_use(f->kp.fds[0]);
	for (i = 0; i < 2; i++) {
		siglen = sizeof(sig);
		m = EVP_MD_CTX_new();
		assert_int_equal(EVP_DigestSignInit(m, &pc, EVP_sha384(), NULL,
		    pk), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc, pads[i]), 1);
		if (pads[i] == RSA_PKCS1_PSS_PADDING)
			assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pc,
			    RSA_PSS_SALTLEN_DIGEST), 1);
		assert_int_equal(EVP_DigestSign(m, sig, &siglen, tbs,
		    sizeof(tbs)), 1);
		EVP_MD_CTX_free(m);
		/* verified with the certificate's key */
		m = EVP_MD_CTX_new();
		assert_int_equal(EVP_DigestVerifyInit(m, &pc, EVP_sha384(),
		    NULL, X509_get0_pubkey(f->x509)), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pc, pads[i]), 1);
		assert_int_equal(EVP_DigestVerify(m, sig, siglen, tbs,
		    sizeof(tbs)), 1);
		EVP_MD_CTX_free(m);
	}
	/* nothing decrypts with it */
	pc = EVP_PKEY_CTX_new(pk, NULL);
	assert_int_equal(EVP_PKEY_decrypt_init(pc), 1);
	assert_true(EVP_PKEY_decrypt(pc, pt, &ptlen, sig, 256) <= 0);
	EVP_PKEY_CTX_free(pc);
	mpicd_keyproxy_use(-1);
	EVP_PKEY_free(pk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signs_signature_blocks),
		cmocka_unit_test(test_refuses_everything_else),
		cmocka_unit_test(test_proxy_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
