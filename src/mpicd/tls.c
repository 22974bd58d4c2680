/*
 * tls.c - the server side of TLS with OpenSSL 3.
 *
 * The perspective API is mutual TLS 1.3 only: a client certificate is
 * required and verified against tls.client_ca and, when
 * tls.allowed_peers is set, its subjectAltName (or, without DNS names,
 * its CN) must match one of the names listed.  The CA-facing API of a
 * coordinator or all-in-one accepts TLS 1.2 and 1.3; it asks for a client
 * certificate (verified the same way when sent) and requires one when no
 * API keys are configured, so that the API is never open.
 *
 * Session resumption: TLS 1.3 only, with stateless tickets (no session
 * cache), docs/mpicd.md says why.  The ticket keys are derived from a
 * random secret that the main process makes before it forks the workers
 * (so that a ticket of one worker is good at the others) and from a
 * generation that each reload (SIGHUP) advances: a ticket issued before a
 * reload does not decrypt after it, and the connection falls back to a
 * full handshake.  A ticket that decrypts still carries the client
 * certificate of the handshake that issued it: it is checked again, as a
 * new one would be, against the allow-list in force and its validity
 * dates, or the ticket is ignored (a full handshake, not an alert).  The
 * allow-list is this process's, replaced on reload.  A ticket also
 * carries the intermediate CAs the client sent (ticket_gen_cb), which a
 * resumed session does not keep and the check after a reload needs.
 *
 * The private key is not in this process (keyproc.h): the certificate
 * chain comes from the key process with the key's generation, and the
 * key is a proxy whose signatures the key process makes.  The same
 * identity is our client certificate for the calls to remote
 * perspectives, given to libcurl's SSL_CTX through the configuration's
 * tls_client_ctx hook instead of a key file it would read.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "conn.h"
#include "keyproc.h"
#include "mpicd.h"

/* A ticket's lifetime: how long a peer may skip the full handshake. */
#define TICKET_LIFETIME_S 3600
#define TICKET_SECRET_LEN 32

int mpicd_tls_conn_idx = -1;
/* What a connection's client certificate was last accepted under: the
 * policy generation (ex_data), advanced by every allow-list and context
 * a reload installs (mpicd_tls_recheck). */
static int gen_idx = -1;
static uintptr_t policy_gen = 1;

static bool peer_allowed(X509 *cert);

/* The allow-list in force in this process (copies of the names). */
static struct {
	bool set;               /* false: nobody is allowed (fail closed) */
	char **names;
	size_t n;
} peers;

/* Session ticket keys: never written anywhere, never logged. */
static struct {
	bool ready;             /* keys derived: tickets are issued */
	bool have_secret;
	uint8_t secret[TICKET_SECRET_LEN];
	uint8_t name[16];       /* TLSEXT_KEYNAME_LENGTH */
	uint8_t aes[32];        /* AES-256-CBC */
	uint8_t hmac[32];       /* HMAC-SHA256 */
} tk;

static char sha256_name[] = "SHA256";

enum mpicd_client_auth
mpicd_client_auth(const struct mpic_settings *cfg)
{
	if (cfg->tls_cert == NULL)
		return MPICD_CA_NONE;
	if (cfg->role == MPIC_ROLE_PERSPECTIVE || cfg->api_keys_file == NULL)
		return cfg->tls_client_ca != NULL ? MPICD_CA_REQUIRED :
		    MPICD_CA_NONE;
	return cfg->tls_client_ca != NULL ? MPICD_CA_OPTIONAL : MPICD_CA_NONE;
}

static void
conn_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
	  void *argp)
{
	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (ptr != NULL)
		mpicd_conn_closed(ptr);
}

int
mpicd_tls_init(void)
{
	if (mpicd_tls_conn_idx < 0)
		mpicd_tls_conn_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL,
		    conn_free);
	if (gen_idx < 0)
		gen_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	return mpicd_tls_conn_idx >= 0 && gen_idx >= 0 ? 0 : -1;
}

static void
peers_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; names != NULL && i < n; i++)
		mpicx_free(names[i]);
	mpicx_free(names);
}

int
mpicd_tls_peers_set(const char *const *names, size_t n)
{
	char **copy = NULL;
	size_t i;

	if (n > 0 && (copy = mpicx_calloc(n, sizeof(*copy))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((copy[i] = mpicx_strdup(names[i])) == NULL) {
			peers_free(copy, i);
			return -1;
		}
	peers_free(peers.names, peers.n);
	peers.names = copy;
	peers.n = n;
	peers.set = true;
	policy_gen++;
	return 0;
}

void
mpicd_tls_policy_changed(void)
{
	policy_gen++;
}

void
mpicd_tls_conn_checked(SSL *ssl)
{
	SSL_set_ex_data(ssl, gen_idx, (void *)policy_gen);
}

/*
 * A resumed session carries the client's certificate but not the
 * intermediate CAs it sent with it (OpenSSL keeps the peer's chain out of
 * the ticket), and the recheck below must build the same chain as the
 * full handshake did.  So each ticket carries them in its application
 * data (encrypted and authenticated with the ticket, DER one after the
 * other); a ticket issued on a resumed connection keeps those of the
 * session it resumed (OpenSSL copies them into the new session).
 */
#define TICKET_CHAIN_MAX (16 * 1024)

/* A certificate of the chain worth keeping: not the peer's own (the
 * session keeps it) nor a self-signed one (a root the client sent along,
 * as OpenSSL's clients do: trust comes from our store, never from it). */
static bool
intermediate(X509 *x, X509 *peer)
{
	return (peer == NULL || X509_cmp(x, peer) != 0) &&
	    (X509_get_extension_flags(x) & EXFLAG_SS) == 0;
}

static int
ticket_gen_cb(SSL *ssl, void *arg)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	SSL_SESSION *sess = SSL_get_session(ssl);
	X509 *peer = SSL_get0_peer_certificate(ssl), *x;
	unsigned char *buf = NULL, *p;
	int i, n, len = 0;

	(void)arg;
	if (chain == NULL || sess == NULL)
		return 1;
	for (i = 0; i < sk_X509_num(chain); i++) {
		if (!intermediate(x = sk_X509_value(chain, i), peer))
			continue;
		if ((n = i2d_X509(x, NULL)) <= 0 || n > TICKET_CHAIN_MAX - len)
			goto out;       /* no chain: a recheck may then fail */
		len += n;
	}
	if (len == 0 || (buf = mpicx_malloc((size_t)len)) == NULL)
		goto out;       /* none: a ticket as small as can be */
	p = buf;
	for (i = 0; i < sk_X509_num(chain); i++)
		if (intermediate(x = sk_X509_value(chain, i), peer) &&
		    i2d_X509(x, &p) <= 0)
			goto out;
	(void)SSL_SESSION_set1_ticket_appdata(sess, buf, (size_t)len);
out:
	ERR_clear_error();
	mpicx_free(buf);
	return 1;               /* a ticket in any case */
}

/* The intermediates a resumed session's ticket kept (NULL: none). */
static STACK_OF(X509) *
ticket_chain(SSL *ssl)
{
	SSL_SESSION *sess = SSL_get_session(ssl);
	STACK_OF(X509) *chain = NULL;
	const unsigned char *p, *end;
	void *data = NULL;
	size_t len = 0;
	X509 *x;

	if (sess == NULL || SSL_SESSION_get0_ticket_appdata(sess, &data,
	    &len) != 1 || data == NULL || len == 0 ||
	    (chain = sk_X509_new_null()) == NULL)
		return NULL;
	p = data;
	end = p + len;
	while (p < end && (x = d2i_X509(NULL, &p, (long)(end - p))) != NULL)
		if (sk_X509_push(chain, x) <= 0) {
			X509_free(x);
			break;
		}
	ERR_clear_error();
	return chain;
}

/*
 * A connection outlives reloads: a client removed from tls.allowed_peers,
 * or whose certificate no longer chains to tls.client_ca, must not go on
 * using one it opened before.  Once per connection and policy generation
 * (nothing per request otherwise), its certificate is checked again as a
 * new handshake would check it: the names, and the chain against ctx's
 * store (the context in force) at the current time.
 */
int
mpicd_tls_recheck(SSL *ssl, SSL_CTX *ctx, char *why, size_t len)
{
	STACK_OF(X509) *untrusted, *kept = NULL;
	X509_STORE_CTX *sctx;
	X509 *peer;
	int ok, err = 0;

	if ((uintptr_t)SSL_get_ex_data(ssl, gen_idx) == policy_gen)
		return 0;
	if ((peer = SSL_get0_peer_certificate(ssl)) == NULL) {
		mpicd_tls_conn_checked(ssl);    /* none sent, none verified */
		return 0;
	}
	if (!peer_allowed(peer)) {
		mpicx_bufprintf(why, len, "the client certificate's names are "
		    "no longer in tls.allowed_peers (reloaded since this "
		    "connection was opened)");
		return -1;
	}
	/* the chain the client sent: on a resumed session, what its
	 * ticket kept of it (ticket_gen_cb) */
	if ((untrusted = SSL_get_peer_cert_chain(ssl)) == NULL &&
	    SSL_session_reused(ssl))
		untrusted = kept = ticket_chain(ssl);
	if ((sctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(sctx, SSL_CTX_get_cert_store(ctx), peer,
	    untrusted) != 1) {
		X509_STORE_CTX_free(sctx);
		sk_X509_pop_free(kept, X509_free);
		mpicx_bufprintf(why, len, "out of memory checking the client "
		    "certificate again");
		return -1;
	}
	X509_STORE_CTX_set_purpose(sctx, X509_PURPOSE_SSL_CLIENT);
	ok = X509_verify_cert(sctx) == 1;
	if (!ok)
		err = X509_STORE_CTX_get_error(sctx);
	X509_STORE_CTX_free(sctx);
	sk_X509_pop_free(kept, X509_free);
	ERR_clear_error();
	if (!ok) {
		mpicx_bufprintf(why, len, "the client certificate no longer "
		    "verifies against tls.client_ca (reloaded since this "
		    "connection was opened): %s",
		    X509_verify_cert_error_string(err));
		return -1;
	}
	mpicd_tls_conn_checked(ssl);
	return 0;
}

void
mpicd_tls_peers_clear(void)
{
	peers_free(peers.names, peers.n);
	memset(&peers, 0, sizeof(peers));
}

size_t
mpicd_tls_peers_count(void)
{
	return peers.n;
}

/* The keys of generation gen: HKDF-SHA256 of the secret. */
static int
tickets_derive(uint32_t gen)
{
	static const char label[] = "mpicd session ticket keys ";
	uint8_t info[sizeof(label) - 1 + 4], out[16 + 32 + 32];
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[4];
	int rc = -1;

	memcpy(info, label, sizeof(label) - 1);
	info[sizeof(label) - 1] = (uint8_t)(gen >> 24);
	info[sizeof(label)] = (uint8_t)(gen >> 16);
	info[sizeof(label) + 1] = (uint8_t)(gen >> 8);
	info[sizeof(label) + 2] = (uint8_t)gen;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    sha256_name, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    tk.secret, sizeof(tk.secret));
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    info, sizeof(info));
	params[3] = OSSL_PARAM_construct_end();
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL ||
	    (kctx = EVP_KDF_CTX_new(kdf)) == NULL ||
	    EVP_KDF_derive(kctx, out, sizeof(out), params) != 1)
		goto out;
	memcpy(tk.name, out, 16);
	memcpy(tk.aes, out + 16, 32);
	memcpy(tk.hmac, out + 48, 32);
	tk.ready = true;
	rc = 0;
out:
	OPENSSL_cleanse(out, sizeof(out));
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	if (rc != 0) {
		/* no tickets rather than tickets under a stale key */
		tk.ready = false;
		ERR_clear_error();
	}
	return rc;
}

int
mpicd_tls_tickets_init(void)
{
	if (RAND_priv_bytes(tk.secret, sizeof(tk.secret)) != 1) {
		ERR_clear_error();
		return -1;
	}
	tk.have_secret = true;
	return tickets_derive(0);
}

int
mpicd_tls_tickets_rotate(uint32_t gen)
{
	return tk.have_secret ? tickets_derive(gen) : -1;
}

void
mpicd_tls_tickets_clear(void)
{
	OPENSSL_cleanse(&tk, sizeof(tk));
}

/*
 * OpenSSL's ticket key callback: 1 with the cipher and MAC set up, 0 for
 * "no ticket" (enc) or "not ours" (decrypting: a full handshake), -1 on
 * error.  TLS 1.2 gets no ticket: its tickets carry the session's master
 * secret, so whoever gets the ticket key could decrypt those sessions
 * (no forward secrecy); TLS 1.3 resumption runs a new ECDHE exchange.
 */
static int
ticket_key_cb(SSL *ssl, unsigned char *name, unsigned char *iv,
	      EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	OSSL_PARAM params[3];

	if (!tk.ready || SSL_version(ssl) != TLS1_3_VERSION)
		return 0;
	if (enc) {
		memcpy(name, tk.name, sizeof(tk.name));
		if (RAND_bytes(iv, 16) != 1)
			return -1;
	} else if (CRYPTO_memcmp(name, tk.name, sizeof(tk.name)) != 0) {
		return 0;       /* another generation or another daemon */
	}
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    tk.hmac, sizeof(tk.hmac));
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    sha256_name, 0);
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_MAC_CTX_set_params(hctx, params) != 1 ||
	    EVP_CipherInit_ex(cctx, EVP_aes_256_cbc(), NULL, tk.aes, iv,
	    enc) != 1)
		return -1;
	return 1;
}

/*
 * A name of the allow-list is a peer's name, not a pattern: a wildcard in
 * a client certificate (*.example) would otherwise stand for every name
 * under it, so one certificate issued for a whole domain would pass for
 * each peer listed there.  Wildcards never match here.
 */
static bool
peer_allowed(X509 *cert)
{
	size_t i;

	if (!peers.set)
		return false;
	if (peers.n == 0)
		return true;
	for (i = 0; i < peers.n; i++) {
		const char *name = peers.names[i];

		if (X509_check_ip_asc(cert, name, 0) == 1 ||
		    X509_check_host(cert, name, strlen(name),
		    X509_CHECK_FLAG_NO_WILDCARDS, NULL) == 1)
			return true;
	}
	return false;
}

static int
verify_cb(int ok, X509_STORE_CTX *store)
{
	X509 *cert;

	if (!ok || X509_STORE_CTX_get_error_depth(store) != 0)
		return ok;
	cert = X509_STORE_CTX_get_current_cert(store);
	if (cert == NULL || !peer_allowed(cert)) {
		X509_STORE_CTX_set_error(store,
		    X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	return 1;
}

/*
 * A ticket that decrypted: resume only if the client certificate of the
 * handshake that issued it would be accepted now (allowed, in its
 * validity dates; none only where none is required).  The chain was
 * verified then, under the CA file of this ticket key's generation.
 * Otherwise the ticket is ignored and the handshake is a full one.
 * A ticket used is always renewed (a new one follows the handshake):
 * OpenSSL's clients, libcurl's among them, resume a TLS 1.3 session once,
 * and without a new ticket the next connection was a full handshake
 * (every other one of ten connections made one after the other, measured
 * with a libcurl client sharing its session cache; all ten resume with
 * the renewal).
 */
static SSL_TICKET_RETURN
ticket_dec_cb(SSL *ssl, SSL_SESSION *sess, const unsigned char *keyname,
	      size_t keyname_len, SSL_TICKET_STATUS status, void *arg)
{
	X509 *peer;

	(void)keyname;
	(void)keyname_len;
	(void)arg;
	switch (status) {
	case SSL_TICKET_SUCCESS:
	case SSL_TICKET_SUCCESS_RENEW:
		break;
	case SSL_TICKET_FATAL_ERR_MALLOC:
	case SSL_TICKET_FATAL_ERR_OTHER:
		return SSL_TICKET_RETURN_ABORT;
	default:
		return SSL_TICKET_RETURN_IGNORE_RENEW;
	}
	if (SSL_SESSION_get_protocol_version(sess) != TLS1_3_VERSION)
		return SSL_TICKET_RETURN_IGNORE;
	peer = SSL_SESSION_get0_peer(sess);
	if (peer == NULL) {
		if (SSL_get_verify_mode(ssl) & SSL_VERIFY_FAIL_IF_NO_PEER_CERT)
			return SSL_TICKET_RETURN_IGNORE;
	} else if (!peer_allowed(peer) ||
	    X509_cmp_current_time(X509_get0_notBefore(peer)) >= 0 ||
	    X509_cmp_current_time(X509_get0_notAfter(peer)) <= 0) {
		return SSL_TICKET_RETURN_IGNORE;
	}
	return SSL_TICKET_RETURN_USE_RENEW;
}

/* Counts the handshakes that resumed a session, for /metrics: once per
 * connection (in TLS 1.3 OpenSSL reports a "handshake done" again after
 * each NewSessionTicket it sends). */
static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct mpicd_conn *conn;

	(void)ret;
	if ((where & SSL_CB_HANDSHAKE_DONE) == 0 || !SSL_session_reused(ssl) ||
	    (conn = SSL_get_ex_data(ssl, mpicd_tls_conn_idx)) == NULL ||
	    conn->resumed_counted)
		return;
	conn->resumed_counted = true;
	mpicd_conn_server(conn)->m.tls_resumed_total++;
}

static void
ssl_error(char *err, size_t errlen, const char *what, const char *file)
{
	char buf[256] = "";
	unsigned long e = ERR_peek_last_error();

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	mpicx_bufprintf(err, errlen, "tls.%s %s: %s", what, file,
	    buf[0] ? buf : "cannot be loaded");
}

void
mpicd_tls_ident_free(struct mpicd_ident *id)
{
	X509_free(id->cert);
	sk_X509_pop_free(id->chain, X509_free);
	EVP_PKEY_free(id->pkey);
	memset(id, 0, sizeof(*id));
}

/* The leaf and the rest of a PEM chain. */
static int
parse_chain(const char *pem, size_t len, struct mpicd_ident *id)
{
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	X509 *x;

	if (b == NULL || (id->cert = PEM_read_bio_X509(b, NULL, NULL,
	    NULL)) == NULL || (id->chain = sk_X509_new_null()) == NULL) {
		BIO_free(b);
		return -1;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(id->chain, x) <= 0) {
			X509_free(x);
			BIO_free(b);
			return -1;
		}
	ERR_clear_error();      /* the end of the file */
	BIO_free(b);
	return 0;
}

int
mpicd_tls_ident_fetch(int fd, struct mpicd_ident *id, char *err,
		      size_t errlen)
{
	struct kp_req req;
	char *pem;
	size_t len = 0;
	uint32_t gen = 0;
	int st;

	memset(id, 0, sizeof(*id));
	memset(&req, 0, sizeof(req));
	req.op = KP_CERT;
	if ((pem = mpicx_malloc(KP_MAX_DATA)) == NULL) {
		mpicx_bufprintf(err, errlen, "out of memory");
		return -1;
	}
	st = mpicd_keyproxy_call(fd, &req, KP_SIGN_WAIT_MS, &gen, pem,
	    KP_MAX_DATA, &len);
	if (st != KP_OK || parse_chain(pem, len, id) != 0 ||
	    (id->pkey = mpicd_keyproxy_pkey(id->cert, gen)) == NULL) {
		mpicx_bufprintf(err, errlen, st != KP_OK ? "no certificate "
		    "from the key process" : "the key process's certificate"
		    " cannot be used");
		mpicd_tls_ident_free(id);
		mpicx_free(pem);
		return -1;
	}
	mpicx_free(pem);
	return 0;
}

int
mpicd_tls_ident_files(const struct mpic_settings *cfg, struct mpicd_ident *id,
		      char *err, size_t errlen)
{
	char *pem;
	size_t len;

	memset(id, 0, sizeof(*id));
	if (mpicd_keyproc_load(cfg, &pem, &len, &id->pkey, err, errlen) != 0)
		return -1;
	if (parse_chain(pem, len, id) != 0) {
		mpicx_bufprintf(err, errlen, "tls.cert %s: cannot be loaded",
		    cfg->tls_cert);
		mpicd_tls_ident_free(id);
		mpicx_free(pem);
		return -1;
	}
	mpicx_free(pem);
	return 0;
}

static int
use_ident(SSL_CTX *ctx, const struct mpicd_ident *id)
{
	int i;

	if (id->cert == NULL || SSL_CTX_use_certificate(ctx, id->cert) != 1)
		return -1;
	for (i = 0; id->chain != NULL && i < sk_X509_num(id->chain); i++)
		if (SSL_CTX_add1_chain_cert(ctx, sk_X509_value(id->chain,
		    i)) != 1)
			return -1;
	return SSL_CTX_use_PrivateKey(ctx, id->pkey) == 1 ? 0 : -1;
}

/* The client identity of the calls to remote perspectives. */
static struct mpicd_ident client_id;

void
mpicd_tls_client_set(struct mpicd_ident *id)
{
	mpicd_tls_ident_free(&client_id);
	client_id = *id;
	memset(id, 0, sizeof(*id));
}

X509 *
mpicd_tls_client_cert(void)
{
	return client_id.cert;
}

int
mpicd_tls_client_ctx(void *ssl_ctx, void *arg)
{
	(void)arg;
	if (use_ident(ssl_ctx, &client_id) != 0) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/*
 * tls.client_ca into ctx, or (a reload whose file does not load) old's CA
 * store and names: the identity of a reload must be taken even when the
 * CA file fails, or the worker would go on signing with a key generation
 * that the key process drops at the next reload.  0, or -1 with err.
 */
static int
use_client_ca(SSL_CTX *ctx, const struct mpic_settings *cfg, SSL_CTX *old,
	      bool *kept, char *err, size_t errlen)
{
	STACK_OF(X509_NAME) *names = NULL;

	if (SSL_CTX_load_verify_locations(ctx, cfg->tls_client_ca, NULL) ==
	    1 && (names = SSL_load_client_CA_file(cfg->tls_client_ca)) !=
	    NULL) {
		SSL_CTX_set_client_CA_list(ctx, names);
		return 0;
	}
	ssl_error(err, errlen, "client_ca", cfg->tls_client_ca);
	if (old == NULL || (names = SSL_dup_CA_list(
	    SSL_CTX_get_client_CA_list(old))) == NULL) {
		ERR_clear_error();
		return -1;
	}
	SSL_CTX_set1_cert_store(ctx, SSL_CTX_get_cert_store(old));
	SSL_CTX_set_client_CA_list(ctx, names);
	*kept = true;
	return 0;
}

SSL_CTX *
mpicd_tls_ctx(const struct mpic_settings *cfg, const struct mpicd_ident *id,
	      SSL_CTX *old, char *err, size_t errlen)
{
	enum mpicd_client_auth ca = mpicd_client_auth(cfg);
	bool kept = false;
	char why[512] = "";
	SSL_CTX *ctx;
	int mode;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (mpicd_tls_init() != 0 ||
	    (ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		mpicx_bufprintf(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, cfg->role == MPIC_ROLE_PERSPECTIVE ?
	    TLS1_3_VERSION : TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
	/* TLS 1.2 (CA-facing API only): forward-secret AEAD suites. */
	SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20");
	if (use_ident(ctx, id) != 0) {
		ssl_error(err, errlen, "cert", cfg->tls_cert);
		goto fail;
	}
	if (cfg->tls_client_ca != NULL) {
		if (use_client_ca(ctx, cfg, old, &kept, why,
		    sizeof(why)) != 0) {
			mpicx_bufprintf(err, errlen, "%s", why);
			goto fail;
		}
		/* client certificates must be fit for clientAuth */
		SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
	}
	mode = ca == MPICD_CA_REQUIRED ? SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT : ca == MPICD_CA_OPTIONAL ?
	    SSL_VERIFY_PEER : SSL_VERIFY_NONE;
	SSL_CTX_set_verify(ctx, mode, mode != SSL_VERIFY_NONE ? verify_cb :
	    NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	/*
	 * Resumption (see the top of the file): stateless TLS 1.3 tickets
	 * under our keys, no session cache (nothing to share between the
	 * workers, nothing for TLS 1.2 session ids to find), one ticket per
	 * handshake (a client keeps the latest), no early data.  The
	 * session id context names the service: without one OpenSSL
	 * answers a resumption with an "internal error" alert whenever
	 * client certificates are verified.
	 */
	{
		static const unsigned char sid_persp[] = "mpicd perspective API";
		static const unsigned char sid_api[] = "mpicd Open MPIC API";
		bool persp = cfg->role == MPIC_ROLE_PERSPECTIVE;

		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
		if (SSL_CTX_set_session_id_context(ctx, persp ? sid_persp :
		    sid_api, (unsigned)(persp ? sizeof(sid_persp) :
		    sizeof(sid_api)) - 1) != 1 ||
		    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx,
		    ticket_key_cb) != 1 ||
		    SSL_CTX_set_session_ticket_cb(ctx, ticket_gen_cb,
		    ticket_dec_cb, NULL) != 1 ||
		    SSL_CTX_set_num_tickets(ctx, 1) != 1 ||
		    SSL_CTX_set_max_early_data(ctx, 0) != 1) {
			ERR_clear_error();
			mpicx_bufprintf(err, errlen, "cannot set up TLS "
			    "session resumption");
			goto fail;
		}
		SSL_CTX_set_timeout(ctx, TICKET_LIFETIME_S);
		SSL_CTX_set_info_callback(ctx, info_cb);
	}
	if (kept)
		mpicx_bufprintf(err, errlen, "%s", why);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}
