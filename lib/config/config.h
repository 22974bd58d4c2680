/*
 * config.h - lib/config: the configuration (mpicd.conf(5)) as the
 * library and the programs read it.  Internal.
 */
#ifndef MPIC__CONFIG_H
#define MPIC__CONFIG_H

#include "api/model.h"
#include "corroborate/corroborate.h"
#include "dns/dns.h"
#include "util/util.h"

/* The role is the public enum mpic_role (mpic/config.h). */

/* dcv.max_redirects: the default (Let's Encrypt's VA follows 10, Open
 * MPIC 20) and the most a configuration may ask for */
#define MPIC__DEFAULT_MAX_REDIRECTS 10
#define MPIC__CFG_MAX_REDIRECTS 32

struct mpic_config {
	struct mpic__arena arena;
	char source[256];
	enum mpic_role role;
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
	unsigned max_redirects;          /* 0..MPIC__CFG_MAX_REDIRECTS */
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
	unsigned audit_rotate_bytes;     /* rotate past this size; 0: only
					  * when asked (SIGUSR1) */
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
	const char *admin_listen;        /* NULL: not set (the default) */
	unsigned admin_max_connections;  /* per worker */
	unsigned diagnose_per_minute;    /* POST /diagnose per API key */
	const char *log_level;           /* error, warning, info, debug;
					  * NULL: info */
	/* Set by mpicd, whose key is in another process: puts the client
	 * certificate and key into libcurl's SSL_CTX (0 ok) for the calls
	 * to remote perspectives.  NULL: libcurl reads tls_cert, tls_key. */
	int (*tls_client_ctx)(void *ssl_ctx, void *arg);
	void *tls_client_arg;
	/* What a program reads (mpic_config_settings()), made at load */
	struct mpic_settings set;
	struct mpic_settings_persp *set_persp;
};

/* mpic_config_load(), or without the secret (with_secret false) as
 * mpic_config_reread(): for config_reload.c. */
int mpic__config_load(const char *path, bool with_secret,
		      struct mpic_config **out, char *err, size_t errlen);

/* Fill cfg->set from the rest (settings.c): 0 or MPIC_ENOMEM. */
int mpic__config_settings_make(struct mpic_config *cfg);

#endif
