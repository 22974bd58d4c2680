/*
 * keyproc.h - the key process: the only process of mpicd that reads
 * tls.key and holds the private key.
 *
 * Forked by the main process before the ports are bound and the workers
 * start.  It speaks only the fixed-size messages below, over
 * SOCK_SEQPACKET socketpairs: one per worker slot, and a control socket
 * to the main process.
 *
 *   KP_CERT    -> the certificate chain (PEM) that goes with the current
 *                 key, and the key's generation (a number, in gen of the
 *                 answer's header: see struct kp_rep); the certificates
 *                 only, re-encoded: never the bytes of tls.cert's file,
 *                 which may hold the key too
 *   KP_SIGN    -> an ECDSA signature (DER) of the digest in data, with
 *                 the key of generation gen (the current or the previous
 *                 one); nothing else is signed, decrypted or revealed
 *   KP_SIGN_RSA_PSS   -> (RSA keys) the private-key operation on data, a
 *                 block of the modulus's length that must be an RSA-PSS
 *                 signature's padding (kpcheck.h): OpenSSL pads in the
 *                 worker
 *   KP_SIGN_RSA_PKCS1 -> (RSA keys) a PKCS #1 v1.5 signature of data,
 *                 which must be a SHA-2 DigestInfo (TLS 1.2 clients of
 *                 the API that do not offer RSA-PSS)
 *   KP_SIGN_STATEMENT -> (identity.signing_key, Ed25519) the signature
 *                 of data, which must be a statement's encoding
 *                 (docs/evidence.md: it begins "mpic-statement-v1" and
 *                 is at most MPIC_EV_MSG_MAX bytes), then the raw public
 *                 key: 64 + 32 bytes.  KP_EUNKNOWNKEY: no signing key
 *   KP_RELOAD  -> (control socket only) re-read tls.cert and tls.key;
 *                 on failure the old pair stays and the answer carries
 *                 the reason (file names, OpenSSL's message; never key
 *                 material); and identity.signing_key
 *
 * Keys: EC (ECDSA, any named curve OpenSSL knows) and RSA of 2048 to
 * 4096 bits; any other key is a configuration error naming the file.
 * With an RSA key nothing is decrypted: a block that is not a signature's
 * padding is refused (KP_EBADREQ), so the key process is no decryption
 * oracle for what was ever encrypted to the key.
 */
#ifndef MPICD_KEYPROC_H
#define MPICD_KEYPROC_H

#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include <mpic/mpic.h>

#define KP_MAX_DIGEST 64           /* ECDSA: the digest signed */
#define KP_MAX_SIGN_IN 512         /* RSA: a block of a 4096-bit modulus */
#define KP_RSA_MIN_BITS 2048
#define KP_RSA_MAX_BITS 4096
#define KP_MAX_DATA (64 * 1024)    /* a certificate chain, PEM */
#define KP_SIGN_WAIT_MS 2000       /* a worker's wait for a signature */

enum { KP_SIGN = 1, KP_CERT, KP_RELOAD, KP_SIGN_RSA_PSS, KP_SIGN_RSA_PKCS1,
       KP_SIGN_STATEMENT };
enum { KP_OK = 0, KP_EBADREQ, KP_EUNKNOWNKEY, KP_EFAIL };

struct kp_req {
	uint32_t op, seq, gen, len;
	uint8_t data[KP_MAX_SIGN_IN];
};

/* An answer: this header, then len bytes (at most KP_MAX_DATA). */
struct kp_rep {
	uint32_t status, seq, gen, len;
};

struct mpicd_keyproc {
	pid_t pid;
	int ctl;          /* the main process's control socket */
	int *fds;         /* the workers' ends, one per slot */
	int n;
};

/* Forks the key process for n worker slots and waits (bounded) until it
 * has loaded the key: 0, or -1 with err (a configuration error). */
int mpicd_keyproc_start(const struct mpic_settings *cfg, int n,
			struct mpicd_keyproc *kp, char *err, size_t errlen);
/* KP_RELOAD on the control socket: 0, or -1 with err. */
int mpicd_keyproc_reload(struct mpicd_keyproc *kp, char *err, size_t errlen);
/* Closes the main process's ends (the key process then exits). */
void mpicd_keyproc_close(struct mpicd_keyproc *kp);

/* Loads tls.cert and tls.key and checks them as the key process does
 * (mpicd -n): the EC or RSA key matching the certificate.  *pem gets the
 * chain, the file's certificates written out again (PEM, NUL-terminated,
 * nothing else of the file; mpicx_free), *key the key (EVP_PKEY_free). */
int mpicd_keyproc_load(const struct mpic_settings *cfg, char **pem,
		       size_t *pem_len, EVP_PKEY **key, char *err,
		       size_t errlen);

/* keyproxy.c: the worker's side. */
/* This process's socket to the key process (-1: none). */
void mpicd_keyproxy_use(int fd);
int mpicd_keyproxy_fd(void);
/* Sends req and waits (at most wait_ms) for its answer: status, with
 * *gen and up to cap bytes in buf (*len); -1 when the key process is
 * gone or silent. */
int mpicd_keyproxy_call(int fd, struct kp_req *req, int wait_ms,
			uint32_t *gen, void *buf, size_t cap, size_t *len);
/* The key of generation gen whose private operations go to the key
 * process, public part from cert; NULL when neither EC nor RSA. */
EVP_PKEY *mpicd_keyproxy_pkey(X509 *cert, uint32_t gen);

#endif
