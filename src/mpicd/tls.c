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
 * The private key is not in this process (keyproc.h): the certificate
 * chain comes from the key process with the key's generation, and the
 * key is a proxy whose signatures the key process makes.  The same
 * identity is our client certificate for the calls to remote
 * perspectives, given to libcurl's SSL_CTX through the configuration's
 * tls_client_ctx hook instead of a key file it would read.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "keyproc.h"
#include "mpicd.h"

int mpicd_tls_conn_idx = -1;
static int ctx_cfg_idx = -1;

enum mpicd_client_auth
mpicd_client_auth(const struct mpic_config *cfg)
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
	if (ctx_cfg_idx < 0)
		ctx_cfg_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL,
		    NULL);
	return mpicd_tls_conn_idx >= 0 && ctx_cfg_idx >= 0 ? 0 : -1;
}

static bool
peer_allowed(const struct mpic_config *cfg, X509 *cert)
{
	size_t i;

	if (cfg->n_tls_allowed_peers == 0)
		return true;
	for (i = 0; i < cfg->n_tls_allowed_peers; i++) {
		const char *name = cfg->tls_allowed_peers[i];

		if (X509_check_ip_asc(cert, name, 0) == 1 ||
		    X509_check_host(cert, name, strlen(name), 0, NULL) == 1)
			return true;
	}
	return false;
}

static int
verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl;
	const struct mpic_config *cfg;
	X509 *cert;

	if (!ok || X509_STORE_CTX_get_error_depth(store) != 0)
		return ok;
	ssl = X509_STORE_CTX_get_ex_data(store,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	cfg = ssl ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_cfg_idx) :
	    NULL;
	cert = X509_STORE_CTX_get_current_cert(store);
	if (cfg == NULL || cert == NULL || !peer_allowed(cfg, cert)) {
		X509_STORE_CTX_set_error(store,
		    X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	return 1;
}

static void
ssl_error(char *err, size_t errlen, const char *what, const char *file)
{
	char buf[256] = "";
	unsigned long e = ERR_peek_last_error();

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	mpic__bufprintf(err, errlen, "tls.%s %s: %s", what, file,
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
	if ((pem = mpic__malloc(KP_MAX_DATA)) == NULL) {
		mpic__bufprintf(err, errlen, "out of memory");
		return -1;
	}
	st = mpicd_keyproxy_call(fd, &req, KP_SIGN_WAIT_MS, &gen, pem,
	    KP_MAX_DATA, &len);
	if (st != KP_OK || parse_chain(pem, len, id) != 0 ||
	    (id->pkey = mpicd_keyproxy_pkey(id->cert, gen)) == NULL) {
		mpic__bufprintf(err, errlen, st != KP_OK ? "no certificate "
		    "from the key process" : "the key process's certificate"
		    " cannot be used");
		mpicd_tls_ident_free(id);
		mpic__free(pem);
		return -1;
	}
	mpic__free(pem);
	return 0;
}

int
mpicd_tls_ident_files(const struct mpic_config *cfg, struct mpicd_ident *id,
		      char *err, size_t errlen)
{
	char *pem;
	size_t len;

	memset(id, 0, sizeof(*id));
	if (mpicd_keyproc_load(cfg, &pem, &len, &id->pkey, err, errlen) != 0)
		return -1;
	if (parse_chain(pem, len, id) != 0) {
		mpic__bufprintf(err, errlen, "tls.cert %s: cannot be loaded",
		    cfg->tls_cert);
		mpicd_tls_ident_free(id);
		mpic__free(pem);
		return -1;
	}
	mpic__free(pem);
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

SSL_CTX *
mpicd_tls_ctx(const struct mpic_config *cfg, const struct mpicd_ident *id,
	      char *err, size_t errlen)
{
	enum mpicd_client_auth ca = mpicd_client_auth(cfg);
	STACK_OF(X509_NAME) *names;
	SSL_CTX *ctx;
	int mode;

	if (mpicd_tls_init() != 0 ||
	    (ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		mpic__bufprintf(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_ex_data(ctx, ctx_cfg_idx, (void *)cfg);
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
		if (SSL_CTX_load_verify_locations(ctx, cfg->tls_client_ca,
		    NULL) != 1 || (names = SSL_load_client_CA_file(
		    cfg->tls_client_ca)) == NULL) {
			ssl_error(err, errlen, "client_ca",
			    cfg->tls_client_ca);
			goto fail;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		/* client certificates must be fit for clientAuth */
		SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
	}
	mode = ca == MPICD_CA_REQUIRED ? SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT : ca == MPICD_CA_OPTIONAL ?
	    SSL_VERIFY_PEER : SSL_VERIFY_NONE;
	SSL_CTX_set_verify(ctx, mode, mode != SSL_VERIFY_NONE ? verify_cb :
	    NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}
