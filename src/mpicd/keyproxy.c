/*
 * keyproxy.c - the workers' side of the key process (keyproc.h): an
 * EVP_PKEY with the certificate's public key whose signing goes over the
 * worker's socket to the key process.
 *
 * OpenSSL 3 offers two ways to move a private-key operation out of the
 * process: a provider (key management plus signature implementations,
 * with their parameter plumbing) or a legacy EC_KEY with an
 * EC_KEY_METHOD of its own.  We use the second, much smaller: libssl sees
 * a "foreign" key (a method other than OpenSSL's), keeps it on the legacy
 * path, and EVP_DigestSign hashes the handshake transcript itself and
 * hands our sign function the digest - exactly what the key process
 * signs.  These functions are deprecated in OpenSSL 3.0 but supported
 * through 3.x; OPENSSL_SUPPRESS_DEPRECATED is confined to this file, the
 * only one that uses them.
 *
 * The call is synchronous: a worker's loop waits for one round trip on a
 * local socket (tens of microseconds; at most KP_SIGN_WAIT_MS when the
 * key process is stuck).  When the key process is gone or silent the
 * signature fails, so the handshake fails with an alert, and the failure
 * is logged (at most once a second).  Answers carry the request's
 * sequence number, so a late answer to an abandoned request, or one left
 * for a dead worker of the same slot, is never taken for another's.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "keyproc.h"
#include "mpicd.h"

static int kp_fd = -1;
static uint32_t kp_seq;
static int gen_idx = -1;
static EC_KEY_METHOD *meth;
static int rsa_gen_idx = -1;
static RSA_METHOD *rsa_meth;

void
mpicd_keyproxy_use(int fd)
{
	kp_fd = fd;
	kp_seq = (uint32_t)getpid() << 16;
}

int
mpicd_keyproxy_fd(void)
{
	return kp_fd;
}

int
mpicd_keyproxy_call(int fd, struct kp_req *req, int wait_ms, uint32_t *gen,
		    void *buf, size_t cap, size_t *len)
{
	static uint8_t in[sizeof(struct kp_rep) + KP_MAX_DATA + 1];
	struct kp_rep rep;
	struct timespec t0, t;
	struct pollfd p;
	ssize_t n;
	int left;

	if (fd < 0)
		return -1;
	req->seq = ++kp_seq;
	if (send(fd, req, sizeof(*req), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(*req))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = wait_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
		p.fd = fd;
		p.events = POLLIN;
		p.revents = 0;
		if (left <= 0 || poll(&p, 1, left) == 0)
			return -1;
		n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return -1;
		if (n < (ssize_t)sizeof(rep))
			continue;
		memcpy(&rep, in, sizeof(rep));
		if (rep.seq != req->seq)
			continue;       /* an answer nobody waits for */
		if (rep.len != (size_t)n - sizeof(rep) || rep.len > cap)
			return -1;
		memcpy(buf, in + sizeof(rep), rep.len);
		*len = rep.len;
		*gen = rep.gen;
		return (int)rep.status;
	}
}

static void
sign_failed(const char *why)
{
	static time_t last;
	time_t now = time(NULL);

	if (now == last)
		return;
	last = now;
	mpicd_log("error", "TLS handshake failed: no signature from the key "
	    "process", "reason", why);
}

/*
 * One signing request (op, the key of generation gen, len octets of data
 * already checked against the op's limit): the signature's length in
 * out (cap octets), or 0 after logging why there is none.
 */
static size_t
proxy_sign(uint32_t op, uint32_t gen, const void *data, size_t len,
	   uint8_t *out, size_t cap)
{
	struct kp_req req;
	size_t got = 0;
	uint32_t agen;
	int st;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.gen = gen;
	req.len = (uint32_t)len;
	memcpy(req.data, data, len);
	st = mpicd_keyproxy_call(kp_fd, &req, KP_SIGN_WAIT_MS, &agen, out,
	    cap, &got);
	if (st != KP_OK) {
		sign_failed(st < 0 ? "the key process is gone or did not "
		    "answer" : st == KP_EUNKNOWNKEY ? "a key it no longer "
		    "holds" : "refused");
		return 0;
	}
	return got;
}

static int
px_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig,
	unsigned int *siglen, const BIGNUM *kinv, const BIGNUM *r, EC_KEY *ec)
{
	uint8_t out[256];
	size_t len;

	(void)type;
	(void)kinv;
	(void)r;
	if (dlen <= 0 || dlen > KP_MAX_DIGEST)
		return 0;
	len = proxy_sign(KP_SIGN, (uint32_t)(uintptr_t)EC_KEY_get_ex_data(ec,
	    gen_idx), dgst, (size_t)dlen, out, sizeof(out));
	if (len == 0 || len > (size_t)ECDSA_size(ec))
		return 0;
	memcpy(sig, out, len);
	*siglen = (unsigned int)len;
	return 1;
}

static ECDSA_SIG *
px_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv,
	    const BIGNUM *r, EC_KEY *ec)
{
	unsigned char buf[256];
	const unsigned char *p = buf;
	unsigned int n = 0;

	if (ECDSA_size(ec) > (int)sizeof(buf) ||
	    !px_sign(0, dgst, dlen, buf, &n, kinv, r, ec))
		return NULL;
	return d2i_ECDSA_SIG(NULL, &p, (long)n);
}

/*
 * RSA: OpenSSL's legacy path pads in this process and asks for the
 * private-key operation on the padded block: with no padding for RSA-PSS
 * (TLS 1.3, and TLS 1.2 clients that offer it), with PKCS #1 v1.5 on a
 * DigestInfo otherwise.  The key process checks each block's form
 * (kpcheck.h) before it uses the key; a decryption is never asked for.
 */
static int
px_rsa_priv_enc(int flen, const unsigned char *from, unsigned char *to,
		RSA *rsa, int padding)
{
	uint8_t out[KP_MAX_SIGN_IN];
	size_t len;

	if (flen <= 0 || flen > KP_MAX_SIGN_IN ||
	    (padding != RSA_NO_PADDING && padding != RSA_PKCS1_PADDING))
		return -1;
	len = proxy_sign(padding == RSA_NO_PADDING ? KP_SIGN_RSA_PSS :
	    KP_SIGN_RSA_PKCS1, (uint32_t)(uintptr_t)RSA_get_ex_data(rsa,
	    rsa_gen_idx), from, (size_t)flen, out, sizeof(out));
	if (len == 0 || len != (size_t)RSA_size(rsa))
		return -1;
	memcpy(to, out, len);
	return (int)len;
}

static int
px_rsa_priv_dec(int flen, const unsigned char *from, unsigned char *to,
		RSA *rsa, int padding)
{
	(void)flen;
	(void)from;
	(void)to;
	(void)rsa;
	(void)padding;
	return -1;      /* nothing is decrypted with the key */
}

static EVP_PKEY *
rsa_pkey(EVP_PKEY *pub, uint32_t gen)
{
	const BIGNUM *n0, *e0;
	BIGNUM *n = NULL, *e = NULL;
	RSA *src = NULL, *rsa = NULL;
	EVP_PKEY *pk = NULL;

	if (rsa_meth == NULL) {
		if ((rsa_meth = RSA_meth_dup(RSA_get_default_method())) ==
		    NULL || RSA_meth_set1_name(rsa_meth, "mpicd key process")
		    != 1 || RSA_meth_set_priv_enc(rsa_meth, px_rsa_priv_enc)
		    != 1 || RSA_meth_set_priv_dec(rsa_meth, px_rsa_priv_dec)
		    != 1) {
			RSA_meth_free(rsa_meth);
			rsa_meth = NULL;
			return NULL;
		}
	}
	if (rsa_gen_idx < 0 && (rsa_gen_idx = RSA_get_ex_new_index(0, NULL,
	    NULL, NULL, NULL)) < 0)
		return NULL;
	if ((src = EVP_PKEY_get1_RSA(pub)) == NULL)
		return NULL;
	RSA_get0_key(src, &n0, &e0, NULL);
	if ((rsa = RSA_new()) == NULL || RSA_set_method(rsa, rsa_meth) != 1 ||
	    (n = BN_dup(n0)) == NULL || (e = BN_dup(e0)) == NULL ||
	    RSA_set0_key(rsa, n, e, NULL) != 1)
		goto fail;
	n = e = NULL;
	if (RSA_set_ex_data(rsa, rsa_gen_idx, (void *)(uintptr_t)gen) != 1 ||
	    (pk = EVP_PKEY_new()) == NULL || EVP_PKEY_assign_RSA(pk, rsa) !=
	    1)
		goto fail;
	RSA_free(src);
	return pk;
fail:
	BN_free(n);
	BN_free(e);
	EVP_PKEY_free(pk);
	RSA_free(rsa);
	RSA_free(src);
	return NULL;
}

EVP_PKEY *
mpicd_keyproxy_pkey(X509 *cert, uint32_t gen)
{
	EVP_PKEY *pub = X509_get0_pubkey(cert), *pk = NULL;
	EC_KEY *src = NULL, *ec = NULL;

	if (pub != NULL && EVP_PKEY_get_id(pub) == EVP_PKEY_RSA)
		return rsa_pkey(pub, gen);
	if (pub == NULL || EVP_PKEY_get_base_id(pub) != EVP_PKEY_EC)
		return NULL;
	if (meth == NULL) {
		if ((meth = EC_KEY_METHOD_new(EC_KEY_get_default_method())) ==
		    NULL)
			return NULL;
		EC_KEY_METHOD_set_sign(meth, px_sign, NULL, px_sign_sig);
	}
	if (gen_idx < 0 && (gen_idx = EC_KEY_get_ex_new_index(0, NULL, NULL,
	    NULL, NULL)) < 0)
		return NULL;
	if ((src = EVP_PKEY_get1_EC_KEY(pub)) == NULL ||
	    (ec = EC_KEY_new()) == NULL ||
	    EC_KEY_set_method(ec, meth) != 1 ||
	    EC_KEY_set_group(ec, EC_KEY_get0_group(src)) != 1 ||
	    EC_KEY_set_public_key(ec, EC_KEY_get0_public_key(src)) != 1 ||
	    EC_KEY_set_ex_data(ec, gen_idx, (void *)(uintptr_t)gen) != 1 ||
	    (pk = EVP_PKEY_new()) == NULL ||
	    EVP_PKEY_assign_EC_KEY(pk, ec) != 1) {
		EVP_PKEY_free(pk);
		EC_KEY_free(ec);
		EC_KEY_free(src);
		return NULL;
	}
	EC_KEY_free(src);
	return pk;
}
