/*
 * test_keyproc.c - mpicd's key process with an EC key, for real: a forked
 * key process (keyproc.c) spoken to over its socket as a worker speaks to
 * it (keyproxy.c).
 *
 * What it hands out: tls.cert may hold the private key too (one file for
 * both, as many tools write them); what a worker gets with KP_CERT is the
 * certificate chain re-encoded, never a byte of the key.  Generations:
 * only a new key advances them, so a worker that kept its identity
 * through a failed reload can still have its handshakes signed.
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
#include <openssl/x509.h>

#include "../../../src/mpicd/keyproc.h"
#include "util/util.h"
#include "evidence/evidence.h"

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
	char dir[64], both[96], cert[96], key[96];
	struct mpic_settings cfg;
	struct mpicd_keyproc kp;
	bool started;
};

static EVP_PKEY *
ec_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

/* A self-signed certificate of key k named cn. */
static X509 *
self_signed(EVP_PKEY *k, const char *cn)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);

	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	return x;
}

/*
 * path: the certificate of k, k itself, then another certificate (a
 * chain's next one): the combined file.  Without with_key, the certificates
 * only; key_path (if not NULL) gets the key alone.
 */
static void
write_files(const char *path, const char *key_path, EVP_PKEY *k,
	    bool with_key)
{
	EVP_PKEY *k2 = ec_key();
	X509 *leaf = self_signed(k, "kp.mpic.lab"), *next = self_signed(k2,
	    "next.mpic.lab");
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	PEM_write_X509(fp, leaf);
	if (with_key)
		PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL);
	PEM_write_X509(fp, next);
	fclose(fp);
	if (key_path != NULL) {
		fp = fopen(key_path, "w");
		assert_non_null(fp);
		PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL);
		fclose(fp);
	}
	X509_free(leaf);
	X509_free(next);
	EVP_PKEY_free(k2);
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	EVP_PKEY *k;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/mpic-kp-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->both, sizeof(f->both), "%s/both.pem", f->dir);
	snprintf(f->cert, sizeof(f->cert), "%s/c.pem", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/k.pem", f->dir);
	k = ec_key();
	write_files(f->both, NULL, k, true);
	write_files(f->cert, f->key, k, false);
	EVP_PKEY_free(k);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	if (f->started) {
		mpicd_keyproc_close(&f->kp);
		waitpid(f->kp.pid, NULL, 0);
	}
	unlink(f->both);
	unlink(f->cert);
	unlink(f->key);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
start(struct fix *f, const char *cert, const char *key)
{
	char err[512];

	f->cfg.tls_cert = cert;
	f->cfg.tls_key = key;
	if (mpicd_keyproc_start(&f->cfg, 1, &f->kp, err, sizeof(err)) != 0)
		fail_msg("key process: %s", err);
	f->started = true;
}

/* KP_CERT as a worker asks it: the status, the PEM in out, its gen. */
static int
cert_of(struct fix *f, char *out, size_t cap, size_t *len, uint32_t *gen)
{
	struct kp_req req;

	memset(&req, 0, sizeof(req));
	req.op = KP_CERT;
	return mpicd_keyproxy_call(f->kp.fds[0], &req, KP_SIGN_WAIT_MS, gen,
	    out, cap, len);
}

/* The certificates of a PEM text; fails on anything else in it. */
static int
count_certs(const char *pem, size_t len)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long dlen;
	int n = 0;

	while (PEM_read_bio(b, &name, &header, &data, &dlen) == 1) {
		assert_string_equal(name, "CERTIFICATE");
		n++;
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
	}
	BIO_free(b);
	return n;
}

/* Loading a combined file: the chain comes out without the key. */
static void
test_load_combined(void **state)
{
	struct fix *f = *state;
	struct mpic_settings cfg = {0};
	char err[512], *pem = NULL;
	size_t len = 0;
	EVP_PKEY *k = NULL;

	cfg.tls_cert = f->both;
	cfg.tls_key = f->both;
	assert_int_equal(mpicd_keyproc_load(&cfg, &pem, &len, &k, err,
	    sizeof(err)), 0);
	assert_non_null(k);
	assert_int_equal(strlen(pem), len);
	assert_null(strstr(pem, "PRIVATE KEY"));
	assert_int_equal(count_certs(pem, len), 2);
	mpic__free(pem);
	EVP_PKEY_free(k);
}

/* What a worker gets from a key process whose tls.cert holds the key. */
static void
test_kp_cert_combined(void **state)
{
	struct fix *f = *state;
	static char out[KP_MAX_DATA];
	char subject[256];
	size_t len = 0;
	uint32_t gen;
	BIO *b;
	X509 *x;

	start(f, f->both, f->both);
	assert_int_equal(cert_of(f, out, sizeof(out), &len, &gen), KP_OK);
	assert_true(len > 100);
	assert_null(memmem(out, len, "PRIVATE KEY", 11));
	assert_int_equal(count_certs(out, len), 2);
	/* the leaf first, as a worker parses it */
	b = BIO_new_mem_buf(out, (int)len);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	assert_non_null(x);
	X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof(subject));
	assert_string_equal(subject, "/CN=kp.mpic.lab");
	X509_free(x);
	BIO_free(b);
}

/* KP_SIGN of a random digest with generation gen: the status. */
static int
sign_with(struct fix *f, uint32_t gen)
{
	struct kp_req req;
	uint8_t sig[256];
	size_t len = 0;
	uint32_t g;

	memset(&req, 0, sizeof(req));
	req.op = KP_SIGN;
	req.gen = gen;
	req.len = 32;
	RAND_bytes(req.data, 32);
	return mpicd_keyproxy_call(f->kp.fds[0], &req, KP_SIGN_WAIT_MS, &g,
	    sig, sizeof(sig), &len);
}

static void
reload_ok(struct fix *f)
{
	char err[512];

	if (mpicd_keyproc_reload(&f->kp, err, sizeof(err)) != 0)
		fail_msg("reload: %s", err);
}

/*
 * Generations across reloads.  A worker whose own part of a reload fails
 * (its tls.client_ca does not load) keeps the identity it had, and signs
 * with that generation: reloads that read the same key must not make the
 * key process forget it.  A new key moves the generations on; the
 * previous one still signs (handshakes begun before the reload), the one
 * before is gone.
 */
static void
test_reload_generations(void **state)
{
	struct fix *f = *state;
	static char out[KP_MAX_DATA];
	size_t len;
	uint32_t g0, g, g1, g2;
	EVP_PKEY *k;

	start(f, f->cert, f->key);
	assert_int_equal(cert_of(f, out, sizeof(out), &len, &g0), KP_OK);
	assert_int_equal(sign_with(f, g0), KP_OK);
	/* the same files, twice: the same generation, which still signs */
	reload_ok(f);
	reload_ok(f);
	assert_int_equal(cert_of(f, out, sizeof(out), &len, &g), KP_OK);
	assert_int_equal(g, g0);
	assert_int_equal(sign_with(f, g0), KP_OK);
	/* a new certificate for the same key: still the same generation */
	k = NULL;
	{
		BIO *b = BIO_new_file(f->key, "r");

		k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	assert_non_null(k);
	write_files(f->cert, NULL, k, false);
	EVP_PKEY_free(k);
	reload_ok(f);
	assert_int_equal(cert_of(f, out, sizeof(out), &len, &g), KP_OK);
	assert_int_equal(g, g0);
	/* a new key: a new generation; the previous one still signs */
	k = ec_key();
	write_files(f->cert, f->key, k, false);
	EVP_PKEY_free(k);
	reload_ok(f);
	assert_int_equal(cert_of(f, out, sizeof(out), &len, &g1), KP_OK);
	assert_int_not_equal(g1, g0);
	assert_int_equal(sign_with(f, g1), KP_OK);
	assert_int_equal(sign_with(f, g0), KP_OK);
	/* another: the one before the previous is gone */
	k = ec_key();
	write_files(f->cert, f->key, k, false);
	EVP_PKEY_free(k);
	reload_ok(f);
	assert_int_equal(cert_of(f, out, sizeof(out), &len, &g2), KP_OK);
	assert_int_equal(sign_with(f, g2), KP_OK);
	assert_int_equal(sign_with(f, g1), KP_OK);
	assert_int_equal(sign_with(f, g0), KP_EUNKNOWNKEY);
}

/* KP_SIGN_STATEMENT of data (len bytes): the status; sig and pub out. */
static int
sign_statement(struct fix *f, const uint8_t *data, size_t len,
	       uint8_t out[MPIC__EV_SIG_LEN + MPIC__EV_PUB_LEN], size_t *olen)
{
	struct kp_req req;
	uint32_t g;

	memset(&req, 0, sizeof(req));
	req.op = KP_SIGN_STATEMENT;
	req.len = (uint32_t)len;
	memcpy(req.data, data, len);
	*olen = 0;
	return mpicd_keyproxy_call(f->kp.fds[0], &req, KP_SIGN_WAIT_MS, &g,
	    out, MPIC__EV_SIG_LEN + MPIC__EV_PUB_LEN, olen);
}

/*
 * identity.signing_key (docs/evidence.md): the key process signs a
 * statement's encoding and gives its public key, and nothing else: not
 * bytes without the statement's magic, not more than a statement's size;
 * without a signing key, nothing.
 */
static void
test_statement_key(void **state)
{
	struct fix *f = *state;
	struct mpic__ev_statement st;
	uint8_t msg[MPIC_EV_MSG_MAX], out[MPIC__EV_SIG_LEN + MPIC__EV_PUB_LEN];
	uint8_t pub[MPIC__EV_PUB_LEN], big[KP_MAX_SIGN_IN];
	char sk[300];
	EVP_PKEY *k = mpic__ev_key_generate();
	FILE *fp;
	size_t len, olen;

	snprintf(sk, sizeof(sk), "%s/sk.pem", f->dir);
	fp = fopen(sk, "w");
	assert_non_null(fp);
	PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
	f->cfg.has_identity = true;
	f->cfg.identity.signing_key = sk;
	start(f, f->cert, f->key);
	memset(&st, 0, sizeof(st));
	snprintf(st.code, sizeof(st.code), "us-east-1");
	snprintf(st.rir, sizeof(st.rir), "ARIN");
	st.verdict = MPIC__EV_PASSED;
	len = mpic__ev_encode(&st, msg);
	assert_int_equal(sign_statement(f, msg, len, out, &olen), KP_OK);
	assert_int_equal(olen, sizeof(out));
	assert_int_equal(mpic__ev_verify(k, msg, len, out), 0);
	assert_int_equal(mpic__ev_key_raw(k, pub), 0);
	assert_memory_equal(out + MPIC__EV_SIG_LEN, pub, sizeof(pub));
	/* not a statement: refused */
	msg[0] = 'x';
	assert_int_equal(sign_statement(f, msg, len, out, &olen), KP_EBADREQ);
	memset(big, 0, sizeof(big));
	memcpy(big, MPIC__EV_MAGIC, MPIC__EV_MAGIC_LEN + 1);
	assert_int_equal(sign_statement(f, big, MPIC_EV_MSG_MAX + 1, out,
	    &olen), KP_EBADREQ);
	unlink(sk);
	EVP_PKEY_free(k);
}

static void
test_no_statement_key(void **state)
{
	struct fix *f = *state;
	struct mpic__ev_statement st;
	uint8_t msg[MPIC_EV_MSG_MAX], out[MPIC__EV_SIG_LEN + MPIC__EV_PUB_LEN];
	size_t len, olen;

	start(f, f->cert, f->key);
	memset(&st, 0, sizeof(st));
	snprintf(st.code, sizeof(st.code), "us-east-1");
	snprintf(st.rir, sizeof(st.rir), "ARIN");
	len = mpic__ev_encode(&st, msg);
	assert_int_equal(sign_statement(f, msg, len, out, &olen),
	    KP_EUNKNOWNKEY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_combined, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kp_cert_combined, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reload_generations, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_statement_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_statement_key, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
