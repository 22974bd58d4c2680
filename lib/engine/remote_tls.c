/*
 * remote_tls.c - parse the coordinator's client credentials once.
 *
 * libcurl (OpenSSL backend) makes an SSL_CTX for every new connection and
 * fills it from CURLOPT_SSLCERT / SSLKEY / CAINFO by reading and decoding
 * the files again: under load, with connections opened as the number of
 * calls in flight grows, profiles of the coordinator showed the PEM and
 * key decoding (OSSL_DECODER_*, X509_STORE_load_file) at ~15% of its CPU.
 * Here the files are decoded into one template SSL_CTX and one X509_STORE;
 * each new connection gets references to them (SSL_CTX_use_cert_and_key,
 * SSL_CTX_set1_cert_store), and stat() calls tell whether to reload.  With
 * mpicd's hook the certificate and key are its (already decoded, the key
 * proxied); the CA store is still ours.
 */
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "engine/remote_tls.h"
#include "util/util.h"
#include "config/config.h"

struct file_sig {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct mpic__remote_tls {
	const struct mpic_config *cfg;
	char *path[3];             /* CA, cert, key */
	struct file_sig sig[3];    /* of what is loaded */
	SSL_CTX *creds;            /* holds the certificate, chain and key */
	X509_STORE *store;         /* the CA */
	uint64_t gen;              /* loads so far */
	char error[256];           /* why the last load failed */
	uint64_t *hs;              /* handshakes: full, resumed; or NULL */
};

void
mpic__remote_tls_count(struct mpic__remote_tls *t, uint64_t *hs)
{
	t->hs = hs;
}

/*
 * Handshakes are counted by the info callback of each connection's
 * SSL_CTX (libcurl makes one per connection and hands it to ctx_cb):
 * ctx_idx leads to t, ssl_idx marks an SSL once counted (a TLS 1.3
 * client sees HANDSHAKE_DONE again for each session ticket).
 */
static int ctx_idx = -1, ssl_idx = -1;
static pthread_once_t idx_once = PTHREAD_ONCE_INIT;

static void
idx_init(void)
{
	ctx_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	ssl_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct mpic__remote_tls *t;

	(void)ret;
	if (!(where & SSL_CB_HANDSHAKE_DONE) || ssl_idx < 0 ||
	    SSL_get_ex_data(ssl, ssl_idx) != NULL)
		return;
	t = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_idx);
	if (t == NULL || t->hs == NULL)
		return;
	t->hs[SSL_session_reused((SSL *)(uintptr_t)ssl) ? 1 : 0]++;
	SSL_set_ex_data((SSL *)(uintptr_t)ssl, ssl_idx, (void *)1);
}

struct mpic__remote_tls *
mpic__remote_tls_new(const struct mpic_config *cfg)
{
	struct mpic__remote_tls *t = mpic__calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->cfg = cfg;
	t->path[0] = mpic__strdup(cfg->tls_client_ca);
	t->path[1] = mpic__strdup(cfg->tls_cert);
	t->path[2] = mpic__strdup(cfg->tls_key);
	if (t->path[0] == NULL || t->path[1] == NULL || t->path[2] == NULL) {
		mpic__remote_tls_free(t);
		return NULL;
	}
	return t;
}

void
mpic__remote_tls_free(struct mpic__remote_tls *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < 3; i++)
		mpic__free(t->path[i]);
	SSL_CTX_free(t->creds);
	X509_STORE_free(t->store);
	mpic__free(t);
}

static bool
sig_same(const struct file_sig *a, const struct file_sig *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime.tv_sec == b->mtime.tv_sec &&
	    a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static void
ssl_error(struct mpic__remote_tls *t, const char *what, const char *path)
{
	unsigned long e = ERR_get_error();
	char buf[160] = "";

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	mpic__bufprintf(t->error, sizeof(t->error), "%s %s%s%s", what, path,
	    buf[0] ? ": " : "", buf);
}

/* Load the files (the CA; the certificate and key too unless hooked) if
 * any changed; 0, or -1 with t->error set. */
static int
refresh(struct mpic__remote_tls *t, bool own_key)
{
	struct file_sig sig[3];
	struct stat st;
	SSL_CTX *creds = NULL;
	X509_STORE *store = NULL;
	int i, n = own_key ? 3 : 1;

	memset(sig, 0, sizeof(sig));
	for (i = 0; i < n; i++) {
		if (stat(t->path[i], &st) != 0) {
			mpic__bufprintf(t->error, sizeof(t->error),
			    "cannot read %s", t->path[i]);
			return -1;
		}
		sig[i].dev = st.st_dev;
		sig[i].ino = st.st_ino;
		sig[i].size = st.st_size;
		sig[i].mtime = st.st_mtim;
	}
	if (t->store != NULL && (!own_key || t->creds != NULL) &&
	    sig_same(&sig[0], &t->sig[0]) && sig_same(&sig[1], &t->sig[1]) &&
	    sig_same(&sig[2], &t->sig[2]))
		return 0;
	if ((store = X509_STORE_new()) == NULL ||
	    (own_key && (creds = SSL_CTX_new(TLS_client_method())) == NULL)) {
		ssl_error(t, "out of memory loading", t->path[0]);
		goto fail;
	}
	if (X509_STORE_load_file(store, t->path[0]) != 1) {
		ssl_error(t, "cannot load the CA", t->path[0]);
		goto fail;
	}
	/* as libcurl sets up its own store */
	X509_STORE_set_flags(store, X509_V_FLAG_TRUSTED_FIRST |
	    X509_V_FLAG_PARTIAL_CHAIN);
	if (own_key && SSL_CTX_use_certificate_chain_file(creds,
	    t->path[1]) != 1) {
		ssl_error(t, "cannot load the certificate", t->path[1]);
		goto fail;
	}
	if (own_key && (SSL_CTX_use_PrivateKey_file(creds, t->path[2],
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(creds) != 1)) {
		ssl_error(t, "cannot load the key", t->path[2]);
		goto fail;
	}
	SSL_CTX_free(t->creds);
	X509_STORE_free(t->store);
	t->creds = creds;
	t->store = store;
	t->gen++;
	memcpy(t->sig, sig, sizeof(sig));
	t->error[0] = '\0';
	return 0;
fail:
	SSL_CTX_free(creds);
	X509_STORE_free(store);
	return -1;
}

static CURLcode
ctx_cb(CURL *curl, void *sslctx, void *arg)
{
	struct mpic__remote_tls *t = arg;
	const struct mpic_config *cfg = t->cfg;
	SSL_CTX *ctx = sslctx;
	STACK_OF(X509) *chain = NULL;
	bool own_key = cfg->tls_client_ctx == NULL;

	(void)curl;
	t->error[0] = '\0';
	if (refresh(t, own_key) != 0)
		return CURLE_SSL_CERTPROBLEM;
	if (!own_key) {
		/* the key is not ours to read: the daemon's hook sets it */
		if (cfg->tls_client_ctx(ctx, cfg->tls_client_arg) != 0) {
			mpic__bufprintf(t->error, sizeof(t->error), "the "
			    "client certificate and key could not be set");
			return CURLE_SSL_CERTPROBLEM;
		}
	} else {
		SSL_CTX_get0_chain_certs(t->creds, &chain);
		if (SSL_CTX_use_cert_and_key(ctx,
		    SSL_CTX_get0_certificate(t->creds),
		    SSL_CTX_get0_privatekey(t->creds), chain, 1) != 1) {
			ssl_error(t, "cannot use the credentials of",
			    t->path[1]);
			return CURLE_SSL_CERTPROBLEM;
		}
	}
	SSL_CTX_set1_cert_store(ctx, t->store);
	if (t->hs != NULL && pthread_once(&idx_once, idx_init) == 0 &&
	    ctx_idx >= 0 && ssl_idx >= 0 &&
	    SSL_CTX_set_ex_data(ctx, ctx_idx, t) == 1)
		SSL_CTX_set_info_callback(ctx, info_cb);
	/*
	 * libcurl sets SSL_MODE_RELEASE_BUFFERS: every SSL_read and
	 * SSL_write then allocates a ~17 KB record buffer and frees it again,
	 * and the allocator consolidates and trims around them.  A
	 * coordinator keeps up to one connection per remote and call in
	 * flight, so holding the buffers costs ~34 KB per connection (13 MB
	 * per worker at 64 requests in flight to 6 perspectives); releasing
	 * them showed in profiles (page faults
	 * 4.0% -> 1.5%, malloc and free 19% -> 16% of the coordinator's CPU,
	 * bench/run-coord with BENCH_COORD_PERF).
	 */
	SSL_CTX_clear_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	/* Not SSL_CTX_set_read_ahead(): it would save a recv() per answer,
	 * but libcurl 7.88 then waits on the socket for data OpenSSL has
	 * already read, and every call timed out (tried, bench/run-coord). */
	return CURLE_OK;
}

void
mpic__remote_tls_use(struct mpic__remote_tls *t, CURL *easy)
{
	curl_easy_setopt(easy, CURLOPT_SSLCERT, NULL);
	curl_easy_setopt(easy, CURLOPT_SSLKEY, NULL);
	curl_easy_setopt(easy, CURLOPT_CAINFO, NULL);
	curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, ctx_cb);
	curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, t);
}

uint64_t
mpic__remote_tls_gen(struct mpic__remote_tls *t)
{
	(void)refresh(t, t->cfg->tls_client_ctx == NULL);
	return t->gen;
}

const char *
mpic__remote_tls_error(const struct mpic__remote_tls *t)
{
	return t != NULL && t->error[0] ? t->error : NULL;
}
