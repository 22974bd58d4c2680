/*
 * config.h - lib/config: the configuration (mpicd.conf(5)) as the
 * library and the programs read it.  Internal.
 */
#ifndef MPIC_CONFIG_H
#define MPIC_CONFIG_H

#include "api/model.h"
#include "corroborate/corroborate.h"
#include "dns/dns.h"
#include "util/util.h"

enum mpic__role { MPIC_ROLE_ALL_IN_ONE = 0, MPIC_ROLE_COORDINATOR,
		 MPIC_ROLE_PERSPECTIVE };

/* dcv.max_redirects: the default (Let's Encrypt's VA follows 10, Open
 * MPIC 20) and the most a configuration may ask for */
#define MPIC_DEFAULT_MAX_REDIRECTS 10
#define MPIC_CFG_MAX_REDIRECTS 32

struct mpic_config {
	struct mpic__arena arena;
	char source[256];
	enum mpic__role role;
	const char *listen;
	const char *tls_cert, *tls_key, *tls_client_ca;
	const char *api_keys_file;
	bool has_identity;
	struct mpic__perspective_def identity;
	struct mpic__perspective_def *perspectives;
	size_t n_perspectives;
	bool has_primary;
	struct mpic__perspective_def primary;
	struct mpic__dns_opts dns;        /* global defaults */
	const char **dns_transparent;    /* NULL-terminated */
	/* dcv */
	const char **allowed_networks;   /* NULL-terminated CIDR strings */
	size_t n_allowed_networks;
	unsigned http_timeout_ms;
	unsigned max_redirects;          /* 0..MPIC_CFG_MAX_REDIRECTS */
	unsigned tls_alpn_port;          /* 443; labs only may change it */
	const char *user_agent;
	/* caa */
	const char **issuer_domains;
	size_t n_issuer_domains;
	/* orchestration */
	int default_perspective_count;
	int max_attempts_cap;
	const char *hash_secret_file;
	uint8_t hash_secret[64];
	size_t hash_secret_len;
	bool br_lab;                     /* br_minimums: lab */
	bool early_decision;
	unsigned request_timeout_ms;
	/* orchestration.require_signed_results: refuse an answer without a
	 * verified signed statement; unset (require_signed_set false): true
	 * once any perspective has signing_pubkey */
	bool require_signed_results;
	bool require_signed_set;
	/* audit */
	const char *audit_path;
	unsigned audit_sync_timeout_ms;  /* an answer waits at most this for
					  * its records to be durable */
	/* mpicd: the daemon's own settings (mpicd.conf(5)) */
	const char **tls_allowed_peers;  /* NULL-terminated; empty: any */
	size_t n_tls_allowed_peers;
	const char *user;                /* drop root to this user */
	int workers;                     /* processes; 0 = one per CPU */
	unsigned remote_timeout_ms;      /* per remote call; 0 = request */
	unsigned max_connections;        /* per worker */
	unsigned max_header_bytes;
	unsigned io_timeout_ms;          /* read / write / idle */
	unsigned read_deadline_ms;       /* a whole request, from accept or
					  * its first byte */
	unsigned drain_timeout_ms;       /* SIGTERM: wait for requests */
	/* Set by mpicd, whose key is in another process: puts the client
	 * certificate and key into libcurl's SSL_CTX (0 ok) for the calls
	 * to remote perspectives.  NULL: libcurl reads tls_cert, tls_key. */
	int (*tls_client_ctx)(void *ssl_ctx, void *arg);
	void *tls_client_arg;
};

/* mpic_config_load() without reading orchestration.hash_secret_file
 * (hash_secret stays empty): for a daemon that re-reads its
 * configuration for a setting or two after dropping root.  The caller
 * frees *out with mpic_config_free(). */
int mpic__config_reread(const char *path, struct mpic_config **out,
			char *err, size_t errlen);

#endif
