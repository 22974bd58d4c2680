/*
 * remote_tls.h - the coordinator's side of the mutual TLS to the remote
 * perspectives: the CA that signs the perspectives (tls_client_ca) and,
 * unless the configuration's tls_client_ctx hook provides them (mpicd,
 * whose key lives in its key process), its certificate with chain and its
 * key (tls_cert, tls_key), parsed once and handed to every new connection
 * through libcurl's CURLOPT_SSL_CTX_FUNCTION.
 *
 * The files are read lazily, on the first connection, and again whenever
 * one of them changes on disk (inode, size or modification time), so a
 * rotated CA or certificate is used by the next new connection, as when
 * libcurl read the files itself.  A file that cannot be read or parsed, or
 * a failing hook, fails that connection (CURLE_SSL_CERTPROBLEM, reason
 * from mpic__remote_tls_error()) and keeps nothing half-loaded.
 *
 * Internal to libmpic.  One per remote perspective; not thread-safe (one
 * event loop).
 */
#ifndef MPIC__REMOTE_TLS_H
#define MPIC__REMOTE_TLS_H

#include <stdint.h>

#include <curl/curl.h>

struct mpic__remote_tls;

struct mpic_config;

/* New, for cfg (which must outlive it; its hook is looked at for every
 * connection); NULL when out of memory.  The caller frees it with
 * mpic__remote_tls_free() (NULL accepted). */
struct mpic__remote_tls *mpic__remote_tls_new(const struct mpic_config *cfg);
void mpic__remote_tls_free(struct mpic__remote_tls *t);

/*
 * Point a transfer at t: sets CURLOPT_SSL_CTX_FUNCTION / _DATA and clears
 * libcurl's own certificate, key and CA files (it would parse them for
 * every new connection).  Peer and host verification stay libcurl's.
 */
void mpic__remote_tls_use(struct mpic__remote_tls *t, CURL *easy);

/*
 * The generation of the files loaded: reads them again first if one
 * changed on disk (as a new connection would), and counts up with every
 * load, so that a caller can tell the TLS sessions made under older files
 * (libcurl keeps them per easy handle) and drop them: a resumed session
 * skips the verification of the peer's certificate, which must not
 * outlive the CA file it was made under.  0: nothing loaded yet (or the
 * files cannot be read: then no connection is made either).
 */
uint64_t mpic__remote_tls_gen(struct mpic__remote_tls *t);

/* Count each handshake t's connections complete into hs[0] (full) or
 * hs[1] (resumed); hs outlives t. */
void mpic__remote_tls_count(struct mpic__remote_tls *t, uint64_t *hs);

/* Why the last load failed (for a CURLE_SSL_CERTPROBLEM), or NULL. */
const char *mpic__remote_tls_error(const struct mpic__remote_tls *t);

#endif
