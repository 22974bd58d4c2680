/*
 * setup_pki.c - the private PKI of "mpic setup": one EC P-256 CA, and
 * leaf certificates for the coordinator and the perspectives, issued
 * with OpenSSL's library (no openssl command, no configuration file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "setup.h"

static void
fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The message, then OpenSSL's first queued error when there is one. */
static void
fail(char *err, size_t errlen, const char *fmt, ...)
{
	unsigned long e = ERR_get_error();
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	n = strnlen(err, errlen);
	if (e != 0 && n + 3 < errlen) {
		snprintf(err + n, errlen - n, ": ");
		ERR_error_string_n(e, err + n + 2, errlen - n - 2);
	}
	ERR_clear_error();
}

static EVP_PKEY *
p256_key(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* 16 random bytes, the top bit clear: a positive serial number that no
 * two certificates of the CA share in practice (RFC 5280 4.1.2.2). */
static int
random_serial(X509 *x)
{
	unsigned char b[16];
	BIGNUM *bn = NULL;
	int rc = -1;

	if (RAND_bytes(b, sizeof(b)) != 1)
		goto out;
	b[0] &= 0x7f;
	b[0] |= 0x01;
	if ((bn = BN_bin2bn(b, sizeof(b), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto out;
	rc = 0;
out:
	BN_free(bn);
	return rc;
}

static int
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int rc;

	if (e == NULL)
		return -1;
	rc = X509_add_ext(x, e, -1) == 1 ? 0 : -1;
	X509_EXTENSION_free(e);
	return rc;
}

/* A certificate's common fields: v3, serial, validity from an hour ago
 * (clocks differ between hosts) to days from now, the public key. */
static X509 *
cert_start(EVP_PKEY *key, int days)
{
	X509 *x = X509_new();

	if (x == NULL)
		return NULL;
	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    random_serial(x) != 0 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) == NULL ||
	    X509_set_pubkey(x, key) != 1) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static X509_NAME *
cn_name(const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	if (n != NULL && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1) {
		X509_NAME_free(n);
		n = NULL;
	}
	return n;
}

int
setup_ca_new(struct setup_ca *ca, const char *cn, int days, char *err,
	     size_t errlen)
{
	X509_NAME *name = NULL;
	X509V3_CTX ctx;
	int rc = -1;

	ca->key = NULL;
	ca->cert = NULL;
	if ((ca->key = p256_key()) == NULL) {
		fail(err, errlen, "cannot make the CA's key");
		goto out;
	}
	if ((ca->cert = cert_start(ca->key, days)) == NULL ||
	    (name = cn_name(cn)) == NULL ||
	    X509_set_subject_name(ca->cert, name) != 1 ||
	    X509_set_issuer_name(ca->cert, name) != 1) {
		fail(err, errlen, "cannot make the CA's certificate");
		goto out;
	}
	X509V3_set_ctx(&ctx, ca->cert, ca->cert, NULL, NULL, 0);
	/* no pathlen: an operator may sign an intermediate with it and
	 * keep this key offline (mpicd takes client chains with one) */
	if (add_ext(ca->cert, &ctx, NID_basic_constraints,
	    "critical,CA:TRUE") != 0 ||
	    add_ext(ca->cert, &ctx, NID_key_usage,
	    "critical,keyCertSign,cRLSign") != 0 ||
	    add_ext(ca->cert, &ctx, NID_subject_key_identifier, "hash") != 0) {
		fail(err, errlen, "cannot add the CA's extensions");
		goto out;
	}
	if (X509_sign(ca->cert, ca->key, EVP_sha256()) == 0) {
		fail(err, errlen, "cannot sign the CA's certificate");
		goto out;
	}
	rc = 0;
out:
	X509_NAME_free(name);
	if (rc != 0)
		setup_ca_release(ca);
	return rc;
}

X509 *
setup_read_cert(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	X509 *x = NULL;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL)
		fail(err, errlen, "%s: no PEM certificate", path);
	return x;
}

int
setup_ca_load(struct setup_ca *ca, const char *cert_path,
	      const char *key_path, char *err, size_t errlen)
{
	FILE *f = NULL;
	int rc = -1;

	ca->key = NULL;
	if ((ca->cert = setup_read_cert(cert_path, err, errlen)) == NULL)
		goto out;
	if ((f = fopen(key_path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", key_path, strerror(errno));
		goto out;
	}
	if ((ca->key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		fail(err, errlen, "%s: no PEM private key", key_path);
		goto out;
	}
	if (X509_check_private_key(ca->cert, ca->key) != 1) {
		fail(err, errlen, "%s does not belong to %s", key_path,
		    cert_path);
		goto out;
	}
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	if (rc != 0)
		setup_ca_release(ca);
	return rc;
}

void
setup_ca_release(struct setup_ca *ca)
{
	EVP_PKEY_free(ca->key);
	X509_free(ca->cert);
	ca->key = NULL;
	ca->cert = NULL;
}

/* Copy the extension nid of like into x; -1 when like has none. */
static int
copy_ext(X509 *x, const X509 *like, int nid)
{
	int i = X509_get_ext_by_NID(like, nid, -1);

	if (i < 0)
		return -1;
	return X509_add_ext(x, X509_get_ext(like, i), -1) == 1 ? 0 : -1;
}

int
setup_leaf_issue(const struct setup_ca *ca, const char *cn,
		 const char *san, const X509 *like, int days,
		 EVP_PKEY **key, X509 **cert, char *err, size_t errlen)
{
	X509_NAME *name = NULL;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	X509V3_CTX ctx;
	int rc = -1;

	if ((k = p256_key()) == NULL) {
		fail(err, errlen, "cannot make a key");
		goto out;
	}
	if ((x = cert_start(k, days)) == NULL ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1) {
		fail(err, errlen, "cannot make a certificate");
		goto out;
	}
	if (like != NULL) {
		if (X509_set_subject_name(x, X509_get_subject_name(like)) != 1
		    || copy_ext(x, like, NID_subject_alt_name) != 0) {
			fail(err, errlen, "cannot take over the names");
			goto out;
		}
	} else if ((name = cn_name(cn)) == NULL ||
	    X509_set_subject_name(x, name) != 1) {
		fail(err, errlen, "cannot name %s", cn);
		goto out;
	}
	X509V3_set_ctx(&ctx, ca->cert, x, NULL, NULL, 0);
	/* serverAuth for the TLS servers, clientAuth for the coordinator's
	 * calls and a host's own health probe (docs/deploy.md) */
	if (add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") != 0
	    || add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature")
	    != 0 || (like != NULL ? copy_ext(x, like, NID_ext_key_usage) :
	    add_ext(x, &ctx, NID_ext_key_usage, "serverAuth,clientAuth")) != 0
	    || (like == NULL && add_ext(x, &ctx, NID_subject_alt_name, san)
	    != 0) || add_ext(x, &ctx, NID_authority_key_identifier,
	    "keyid:always") != 0) {
		fail(err, errlen, "cannot add the extensions of %s",
		    like != NULL ? "the renewal" : cn);
		goto out;
	}
	if (X509_sign(x, ca->key, EVP_sha256()) == 0) {
		fail(err, errlen, "cannot sign a certificate");
		goto out;
	}
	*key = k;
	*cert = x;
	k = NULL;
	x = NULL;
	rc = 0;
out:
	X509_NAME_free(name);
	EVP_PKEY_free(k);
	X509_free(x);
	return rc;
}

/* Write through a temporary file beside path, then rename: a daemon
 * reloading on SIGHUP never reads half a file. */
static int
write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *cert,
	  bool pub, char *err, size_t errlen)
{
	char tmp[4096];
	FILE *f = NULL;
	int fd = -1, rc = -1, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: name too long", path);
		return -1;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) != 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if ((pub ? PEM_write_PUBKEY(f, key) : key != NULL ?
	    PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) :
	    PEM_write_X509(f, cert)) != 1) {
		fail(err, errlen, "%s: cannot write", tmp);
		goto out;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

int
setup_write_key(const char *path, EVP_PKEY *key, char *err, size_t errlen)
{
	return write_pem(path, 0600, key, NULL, false, err, errlen);
}

int
setup_write_pubkey(const char *path, EVP_PKEY *key, char *err, size_t errlen)
{
	return write_pem(path, 0644, key, NULL, true, err, errlen);
}

EVP_PKEY *
setup_ed25519_key(void)
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);

	if (c == NULL || EVP_PKEY_keygen_init(c) != 1 ||
	    EVP_PKEY_keygen(c, &k) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(c);
	return k;
}

int
setup_write_cert(const char *path, X509 *cert, char *err, size_t errlen)
{
	return write_pem(path, 0644, NULL, cert, false, err, errlen);
}

int
setup_random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[64];
	size_t i;

	if (n > sizeof(b) || RAND_bytes(b, (int)n) != 1)
		return -1;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}
