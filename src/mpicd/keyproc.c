/*
 * keyproc.c - the key process (contract in keyproc.h).
 *
 * Why a process: a worker parses HTTP and JSON from the network; a bug
 * there must not hand out the TLS private key (style rule 13, after
 * OpenBSD's httpd and smtpd, whose network processes never hold keys).
 * The key lives here, behind a message format with nothing to parse but
 * fixed-size structures, and the only thing a worker can get from it is
 * a signature made with our key: what a TLS handshake needs, while a
 * compromised worker lasts, and no more.
 *
 * Privileges: it is forked while the daemon is still root, reads the key,
 * then becomes user: like the workers.  A key that only root may read
 * (mode 0600) must still be re-read on SIGHUP, so when the files are not
 * readable by user: the process keeps exactly one capability,
 * CAP_DAC_READ_SEARCH, in its permitted set, raised only while re-reading
 * them; when they are readable it keeps none.  PR_SET_PDEATHSIG ends it
 * with the main process; it ignores the signals a terminal or a service
 * manager sends to the whole group, since the main process decides when
 * the daemon stops (it closes the control socket).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "mpic/evidence.h"
#include "keyproc.h"
#include "kpcheck.h"
#include "mpicd.h"

#define START_WAIT_MS 10000
#define RELOAD_WAIT_MS 5000

/* ------------------------------------------------------------ loading */

static void
load_error(char *err, size_t errlen, const char *what, const char *file,
	   const char *why)
{
	char buf[256] = "";
	unsigned long e = ERR_peek_last_error();

	if (why == NULL && e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	mpicx_bufprintf(err, errlen, "tls.%s %s: %s", what, file,
	    why != NULL ? why : buf[0] ? buf : "cannot be loaded");
}

/*
 * The chain as the workers get it: each certificate of the file, parsed
 * and written again (PEM), and nothing else.  tls.cert may hold the key
 * as well (one file for both); its bytes must never leave this process.
 */
static int
chain_pem(BIO *in, X509 *leaf, char **pem, size_t *len)
{
	BIO *out = BIO_new(BIO_s_mem());
	X509 *x;
	char *p;
	long n;
	int rc = -1;

	if (out == NULL || PEM_write_bio_X509(out, leaf) != 1)
		goto out;
	while ((x = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
		if (PEM_write_bio_X509(out, x) != 1) {
			X509_free(x);
			goto out;
		}
		X509_free(x);
	}
	ERR_clear_error();      /* the end of the file */
	if ((n = BIO_get_mem_data(out, &p)) <= 0 || n > KP_MAX_DATA ||
	    (*pem = mpicx_malloc((size_t)n + 1)) == NULL)
		goto out;
	memcpy(*pem, p, (size_t)n);
	(*pem)[n] = '\0';
	*len = (size_t)n;
	rc = 0;
out:
	BIO_free(out);
	return rc;
}

int
mpicd_keyproc_load(const struct mpic_settings *cfg, char **pem,
		   size_t *pem_len, EVP_PKEY **key, char *err, size_t errlen)
{
	char *buf = NULL, *chain = NULL;
	size_t len = 0, chain_len = 0;
	ssize_t got;
	BIO *b = NULL;
	X509 *cert = NULL;
	EVP_PKEY *k = NULL;
	char why[160];
	int fd, rc = -1;

	*pem = NULL;
	*key = NULL;
	if ((fd = open(cfg->tls_cert, O_RDONLY | O_CLOEXEC)) < 0) {
		load_error(err, errlen, "cert", cfg->tls_cert, strerror(errno));
		return -1;
	}
	if ((buf = mpicx_malloc(KP_MAX_DATA + 1)) == NULL) {
		close(fd);
		load_error(err, errlen, "cert", cfg->tls_cert, "out of memory");
		return -1;
	}
	while (len <= KP_MAX_DATA && (got = read(fd, buf + len,
	    KP_MAX_DATA + 1 - len)) > 0)
		len += (size_t)got;
	close(fd);
	if (len > KP_MAX_DATA) {
		load_error(err, errlen, "cert", cfg->tls_cert, "larger than "
		    "64 KiB");
		goto out;
	}
	if ((b = BIO_new_mem_buf(buf, (int)len)) == NULL ||
	    (cert = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
		load_error(err, errlen, "cert", cfg->tls_cert, NULL);
		goto out;
	}
	if (chain_pem(b, cert, &chain, &chain_len) != 0) {
		load_error(err, errlen, "cert", cfg->tls_cert, NULL);
		goto out;
	}
	BIO_free(b);
	if ((b = BIO_new_file(cfg->tls_key, "r")) == NULL ||
	    (k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)) == NULL) {
		load_error(err, errlen, "key", cfg->tls_key, NULL);
		goto out;
	}
	if (EVP_PKEY_get_id(k) == EVP_PKEY_RSA &&
	    (EVP_PKEY_get_bits(k) < KP_RSA_MIN_BITS ||
	    EVP_PKEY_get_bits(k) > KP_RSA_MAX_BITS)) {
		mpicx_bufprintf(why, sizeof(why), "an RSA key of %d bits: "
		    "the key process takes RSA keys of %d to %d bits",
		    EVP_PKEY_get_bits(k), KP_RSA_MIN_BITS, KP_RSA_MAX_BITS);
		load_error(err, errlen, "key", cfg->tls_key, why);
		goto out;
	}
	if (EVP_PKEY_get_id(k) != EVP_PKEY_EC &&
	    EVP_PKEY_get_id(k) != EVP_PKEY_RSA) {
		load_error(err, errlen, "key", cfg->tls_key, "neither an EC "
		    "nor an RSA key: the key process signs with ECDSA keys "
		    "and RSA keys of 2048 to 4096 bits (make one with openssl "
		    "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)");
		goto out;
	}
	if (X509_check_private_key(cert, k) != 1) {
		ERR_clear_error();
		mpicx_bufprintf(err, errlen, "tls.key %s does not match "
		    "tls.cert %s", cfg->tls_key, cfg->tls_cert);
		goto out;
	}
	*pem = chain;
	*pem_len = chain_len;
	*key = k;
	chain = NULL;
	k = NULL;
	rc = 0;
out:
	BIO_free(b);
	X509_free(cert);
	EVP_PKEY_free(k);
	mpicx_free(chain);
	/* the file's bytes: with the key in the same file, key material */
	OPENSSL_cleanse(buf, KP_MAX_DATA + 1);
	mpicx_free(buf);
	return rc;
}

/* ------------------------------------------------------------ the process */

struct kpkey {
	EVP_PKEY *key;
	char *pem;
	size_t pem_len;
	uint32_t gen;
};

static struct kpkey cur, prev;
static struct mpic_signing_key *statement_key; /* identity.signing_key */
static uint32_t caps_kept;      /* permitted capabilities (bit mask) */

static int
caps_set(uint32_t permitted, uint32_t effective)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct c[2];

	memset(c, 0, sizeof(c));
	c[0].permitted = permitted;
	c[0].effective = effective;
	return (int)syscall(SYS_capset, &h, c);
}

static bool
readable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int
drop_root(const struct mpic_settings *cfg, char *err, size_t errlen)
{
	const uint32_t dac = 1u << CAP_DAC_READ_SEARCH;
	struct passwd *pw;

	if (geteuid() != 0 || cfg->user == NULL)
		return 0;
	if ((pw = getpwnam(cfg->user)) == NULL) {
		mpicx_bufprintf(err, errlen, "user %s: no such user",
		    cfg->user);
		return -1;
	}
	/* The permitted set survives the change of uid; the effective set
	 * is emptied by it. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 ||
	    setgroups(1, &pw->pw_gid) != 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0 ||
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) {
		mpicx_bufprintf(err, errlen, "key process: cannot become %s: "
		    "%s", cfg->user, strerror(errno));
		return -1;
	}
	caps_kept = readable(cfg->tls_key) && readable(cfg->tls_cert) ? 0 :
	    dac;
	if (caps_set(caps_kept, 0) != 0) {
		/* without it a reload of a root-only key fails, loudly */
		caps_kept = 0;
		if (caps_set(0, 0) != 0) {
			mpicx_bufprintf(err, errlen, "key process: cannot "
			    "drop capabilities: %s", strerror(errno));
			return -1;
		}
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}

static int
reload(const struct mpic_settings *cfg, char *err, size_t errlen)
{
	struct kpkey k = {0};
	int rc;

	struct mpic_signing_key *sk = NULL;

	if (caps_kept != 0)
		caps_set(caps_kept, caps_kept);
	rc = mpicd_keyproc_load(cfg, &k.pem, &k.pem_len, &k.key, err,
	    errlen);
	if (rc == 0 && cfg->has_identity && cfg->identity.signing_key !=
	    NULL && (sk = mpic_signing_key_load(
	    cfg->identity.signing_key, err, errlen)) == NULL) {
		EVP_PKEY_free(k.key);
		mpicx_free(k.pem);
		rc = -1;
	}
	if (caps_kept != 0)
		caps_set(caps_kept, 0);
	if (rc != 0)
		return -1;
	/* a new signing key (a rotation) takes over at once: the
	 * coordinator knows both during the rotation (docs/evidence.md) */
	if (sk != NULL) {
		mpic_signing_key_free(statement_key);
		statement_key = sk;
	}
	/*
	 * The same key (most reloads: a new certificate, or nothing new)
	 * keeps its generation, so a worker that could not take this reload
	 * (its CA file failed, say) still signs with a generation we have:
	 * only a new key moves the generations on, dropping the previous one.
	 */
	if (cur.key != NULL && EVP_PKEY_eq(cur.key, k.key) == 1) {
		EVP_PKEY_free(k.key);
		mpicx_free(cur.pem);
		cur.pem = k.pem;
		cur.pem_len = k.pem_len;
		return 0;
	}
	EVP_PKEY_free(prev.key);
	mpicx_free(prev.pem);
	prev = cur;
	k.gen = prev.gen + 1;
	cur = k;
	return 0;
}

static void
answer(int fd, uint32_t status, uint32_t seq, const void *data, size_t len)
{
	static uint8_t buf[sizeof(struct kp_rep) + KP_MAX_DATA];
	struct kp_rep rep = {status, seq, cur.gen, (uint32_t)len};

	memcpy(buf, &rep, sizeof(rep));
	if (len > 0)
		memcpy(buf + sizeof(rep), data, len);
	/* a worker that went away does not stop us */
	(void)send(fd, buf, sizeof(rep) + len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/*
 * What a request may have signed with key k: ECDSA digests with an EC
 * key; with an RSA key, only blocks of the forms of kpcheck.h, through
 * the padding they call for (none for a PSS block, which is padded
 * already; PKCS #1 v1.5 type 1 for a DigestInfo).  0 with *pad, or -1.
 */
static int
allowed(const struct kpkey *k, const struct kp_req *req, int *pad)
{
	bool rsa = EVP_PKEY_get_id(k->key) == EVP_PKEY_RSA;

	*pad = 0;
	if (req->op == KP_SIGN)
		return !rsa && req->len <= KP_MAX_DIGEST ? 0 : -1;
	if (!rsa)
		return -1;
	if (req->op == KP_SIGN_RSA_PSS) {
		*pad = RSA_NO_PADDING;
		return mpicd_kp_pss_ok(req->data, req->len,
		    EVP_PKEY_get_bits(k->key));
	}
	*pad = RSA_PKCS1_PADDING;
	return mpicd_kp_digestinfo_ok(req->data, req->len);
}

static void
sign(int fd, const struct kp_req *req)
{
	const struct kpkey *k = req->gen == cur.gen ? &cur :
	    req->gen == prev.gen && prev.key != NULL ? &prev : NULL;
	uint8_t sig[KP_MAX_SIGN_IN];
	size_t siglen = sizeof(sig);
	EVP_PKEY_CTX *ctx;
	int ok, pad;

	if (k == NULL) {
		answer(fd, KP_EUNKNOWNKEY, req->seq, NULL, 0);
		return;
	}
	if (allowed(k, req, &pad) != 0) {
		answer(fd, KP_EBADREQ, req->seq, NULL, 0);
		return;
	}
	ctx = EVP_PKEY_CTX_new(k->key, NULL);
	ok = ctx != NULL && EVP_PKEY_sign_init(ctx) == 1 &&
	    (pad == 0 || EVP_PKEY_CTX_set_rsa_padding(ctx, pad) == 1) &&
	    EVP_PKEY_sign(ctx, sig, &siglen, req->data, req->len) == 1;
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	answer(fd, ok ? KP_OK : KP_EFAIL, req->seq, sig, ok ? siglen : 0);
}

/* A statement (nothing else: the magic says so) with the signing key. */
static void
sign_statement(int fd, const struct kp_req *req)
{
	uint8_t out[MPIC_STATEMENT_SIG_LEN + MPIC_STATEMENT_PUB_LEN];
	int rc;

	if (statement_key == NULL) {
		answer(fd, KP_EUNKNOWNKEY, req->seq, NULL, 0);
		return;
	}
	rc = mpic_signing_key_sign_statement(statement_key, req->data,
	    req->len, out, out + MPIC_STATEMENT_SIG_LEN);
	if (rc != 0) {
		answer(fd, rc == MPIC_EINVAL ? KP_EBADREQ : KP_EFAIL, req->seq,
		    NULL, 0);
		return;
	}
	answer(fd, KP_OK, req->seq, out, sizeof(out));
}

/* One message from fd; false when fd is closed for good. */
static bool
serve_one(const struct mpic_settings *cfg, int fd, bool ctl)
{
	struct kp_req req;
	uint8_t raw[sizeof(req) + 1];
	char err[512];
	ssize_t n = recv(fd, raw, sizeof(raw), MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		return false;
	if (n < 0)
		return true;
	/* Exactly one request, nothing longer or shorter (SEQPACKET drops
	 * the rest of a longer message). */
	if ((size_t)n != sizeof(req)) {
		answer(fd, KP_EBADREQ, 0, NULL, 0);
		return true;
	}
	memcpy(&req, raw, sizeof(req));
	if (ctl && req.op == KP_RELOAD) {
		if (reload(cfg, err, sizeof(err)) == 0)
			answer(fd, KP_OK, req.seq, NULL, 0);
		else
			answer(fd, KP_EFAIL, req.seq, err, strlen(err));
	} else if (!ctl && req.op == KP_CERT) {
		answer(fd, KP_OK, req.seq, cur.pem, cur.pem_len);
	} else if (!ctl && (req.op == KP_SIGN || req.op == KP_SIGN_RSA_PSS ||
	    req.op == KP_SIGN_RSA_PKCS1) && req.len > 0 &&
	    req.len <= KP_MAX_SIGN_IN) {
		sign(fd, &req);
	} else if (!ctl && req.op == KP_SIGN_STATEMENT &&
	    req.len <= KP_MAX_SIGN_IN) {
		sign_statement(fd, &req);
	} else {
		answer(fd, KP_EBADREQ, req.seq, NULL, 0);
	}
	return true;
}

static void __attribute__((noreturn))
run(const struct mpic_settings *cfg, int ctl, int *fds, int n, pid_t parent)
{
	struct pollfd pfd[1 + 64];
	char err[512];
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(1);
	prctl(PR_SET_NAME, "mpicd-keys", 0, 0, 0);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	{
		/* blocked by the main process while it starts; ignored here */
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	if (reload(cfg, err, sizeof(err)) != 0 ||
	    drop_root(cfg, err, sizeof(err)) != 0) {
		answer(ctl, KP_EFAIL, 0, err, strlen(err));
		_exit(MPICD_EX_CONFIG);
	}
	answer(ctl, KP_OK, 0, NULL, 0);
	pfd[0].fd = ctl;
	for (i = 0; i < n; i++)
		pfd[1 + i].fd = fds[i];
	for (;;) {
		for (i = 0; i <= n; i++)
			pfd[i].events = POLLIN;
		if (poll(pfd, (nfds_t)(n + 1), -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents != 0 && !serve_one(cfg, ctl, true))
			break;          /* the main process is gone */
		for (i = 1; i <= n; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			if (!serve_one(cfg, pfd[i].fd, false)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
			}
		}
	}
	EVP_PKEY_free(cur.key);
	EVP_PKEY_free(prev.key);
	mpic_signing_key_free(statement_key);
	_exit(0);
}

/* ------------------------------------------------------------ main side */

/* One answer on fd within ms: its status, reason text in err. */
static int
wait_answer(int fd, int ms, char *err, size_t errlen)
{
	struct {
		struct kp_rep h;
		char text[512];
	} m;
	struct pollfd p = {fd, POLLIN, 0};
	ssize_t n;

	if (poll(&p, 1, ms) != 1 || (n = recv(fd, &m, sizeof(m) - 1, 0)) <
	    (ssize_t)sizeof(m.h)) {
		mpicx_bufprintf(err, errlen, "the key process did not answer");
		return -1;
	}
	if (m.h.status == KP_OK)
		return 0;
	if (m.h.len > 0 && m.h.len < sizeof(m.text) &&
	    (size_t)n == sizeof(m.h) + m.h.len) {
		m.text[m.h.len] = '\0';
		mpicx_bufprintf(err, errlen, "%s", m.text);
	} else {
		mpicx_bufprintf(err, errlen, "the key process failed");
	}
	return -1;
}

int
mpicd_keyproc_start(const struct mpic_settings *cfg, int n,
		    struct mpicd_keyproc *kp, char *err, size_t errlen)
{
	int sv[2], *theirs, i;
	pid_t parent = getpid();

	memset(kp, 0, sizeof(*kp));
	kp->ctl = -1;
	kp->n = n;
	kp->fds = mpicx_calloc((size_t)n, sizeof(int));
	theirs = mpicx_calloc((size_t)n + 1, sizeof(int));
	if (kp->fds == NULL || theirs == NULL || n > 64) {
		mpicx_free(theirs);
		mpicx_bufprintf(err, errlen, "key process: out of memory");
		return -1;
	}
	for (i = 0; i <= n; i++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
		    sv) != 0) {
			mpicx_bufprintf(err, errlen, "key process: socketpair:"
			    " %s", strerror(errno));
			goto fail;
		}
		if (i == n)
			kp->ctl = sv[0];
		else
			kp->fds[i] = sv[0];
		theirs[i] = sv[1];
	}
	if ((kp->pid = fork()) < 0) {
		mpicx_bufprintf(err, errlen, "key process: fork: %s",
		    strerror(errno));
		goto fail;
	}
	if (kp->pid == 0) {
		for (i = 0; i < n; i++)
			close(kp->fds[i]);
		close(kp->ctl);
		run(cfg, theirs[n], theirs, n, parent);
	}
	for (i = 0; i <= n; i++)
		close(theirs[i]);
	mpicx_free(theirs);
	if (wait_answer(kp->ctl, START_WAIT_MS, err, errlen) != 0) {
		mpicd_keyproc_close(kp);
		return -1;
	}
	return 0;
fail:
	for (i = 0; i <= n; i++)
		if (theirs[i] > 0)
			close(theirs[i]);
	mpicx_free(theirs);
	mpicd_keyproc_close(kp);
	return -1;
}

int
mpicd_keyproc_reload(struct mpicd_keyproc *kp, char *err, size_t errlen)
{
	struct kp_req req;
	char drain[64];

	memset(&req, 0, sizeof(req));
	req.op = KP_RELOAD;
	/* an answer that came after an earlier wait gave up */
	while (recv(kp->ctl, drain, sizeof(drain), MSG_DONTWAIT) > 0)
		;
	if (send(kp->ctl, &req, sizeof(req), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(req)) {
		mpicx_bufprintf(err, errlen, "the key process is gone");
		return -1;
	}
	return wait_answer(kp->ctl, RELOAD_WAIT_MS, err, errlen);
}

void
mpicd_keyproc_close(struct mpicd_keyproc *kp)
{
	int i;

	for (i = 0; kp->fds != NULL && i < kp->n; i++)
		if (kp->fds[i] > 0)
			close(kp->fds[i]);
	if (kp->ctl >= 0)
		close(kp->ctl);
	mpicx_free(kp->fds);
	kp->fds = NULL;
	kp->ctl = -1;
}
