/*
 * config.h - the configuration (YAML, see mpicd.conf(5)): loading it,
 * its Baseline Requirements checks, and the settings a program reads
 * from it (struct mpic_settings).
 */
#ifndef MPIC_PUB_CONFIG_H
#define MPIC_PUB_CONFIG_H

#include <mpic/common.h>

/* What a process of this configuration is (mpicd.conf(5) role:). */
enum mpic_role { MPIC_ROLE_ALL_IN_ONE = 0, MPIC_ROLE_COORDINATOR,
		 MPIC_ROLE_PERSPECTIVE };

/* One perspective of the configuration, as a program reports it. */
struct mpic_settings_persp {
	const char *code;          /* perspective code */
	const char *rir;           /* "ARIN", "RIPE NCC", ... */
	const char *url;           /* NULL: in-process */
	double lat, lon;           /* its location */
	const char *root_hints;    /* its resolver's files; NULL: built in */
	const char *trust_anchor;
	const char *signing_key;   /* identity: its statements' private key
				    * file (docs/evidence.md); NULL none */
};

/*
 * The settings of a loaded configuration that a program acts on (the
 * daemon's own keys, the limits it reports).  Owned by the configuration
 * (valid until mpic_config_free()); strings NULL when not set.  New
 * fields are added at the end.
 */
struct mpic_settings {
	const char *source;              /* the file's name, for messages */
	enum mpic_role role;
	const char *listen;
	const char *tls_cert, *tls_key, *tls_client_ca;
	const char *api_keys_file;
	bool has_identity;               /* role perspective: who we are */
	struct mpic_settings_persp identity;
	const struct mpic_settings_persp *perspectives;
	size_t n_perspectives;
	bool has_primary;
	struct mpic_settings_persp primary;
	unsigned max_redirects;
	int default_perspective_count;
	int max_attempts_cap;
	bool br_lab;                     /* br_minimums: lab */
	bool early_decision;
	unsigned request_timeout_ms;
	const char *audit_path;          /* NULL: no audit log */
	unsigned audit_sync_timeout_ms;
	const char *const *tls_allowed_peers; /* NULL-terminated */
	size_t n_tls_allowed_peers;
	const char *user;                /* drop root to this user */
	int workers;                     /* processes; 0 = one per CPU */
	unsigned remote_timeout_ms;      /* per remote call; 0 = request */
	unsigned max_connections;        /* per worker */
	unsigned max_header_bytes;
	unsigned io_timeout_ms;          /* read / write / idle */
	unsigned read_deadline_ms;
	unsigned drain_timeout_ms;
	/* the admin listener (mpicd.conf(5)): NULL when disabled
	 * (admin_listen: none); admin_listen_default: not set in the file,
	 * so MPIC_ADMIN_LISTEN_DEFAULT */
	const char *admin_listen;
	bool admin_listen_default;
	unsigned admin_max_connections; /* per worker */
	unsigned diagnose_per_minute;    /* POST /diagnose per API key */
	const char *log_level;           /* "error", "warning", "info" (the
					  * default) or "debug" */
};

#define MPIC_ADMIN_LISTEN_DEFAULT "127.0.0.1:9090"

MPIC_BEGIN_DECLS

/*
 * Load and parse.  On failure returns MPIC_ECONFIG (or MPIC_ENOMEM,
 * MPIC_EIO) and writes a message naming the key and line into err.  *out
 * is owned by the caller: mpic_config_free().
 */
MPIC_EXTERN int mpic_config_load(const char *path, struct mpic_config **out,
				 char *err, size_t errlen);
MPIC_EXTERN int mpic_config_parse(const char *yaml, size_t len,
				  const char *source_name,
				  struct mpic_config **out, char *err,
				  size_t errlen);
/*
 * mpic_config_load() without reading orchestration.hash_secret_file (a
 * configuration that cannot run an engine): for a daemon that re-reads
 * its file for a setting or two after dropping root.
 */
MPIC_EXTERN int mpic_config_reread(const char *path, struct mpic_config **out,
				   char *err, size_t errlen);
MPIC_EXTERN void mpic_config_free(struct mpic_config *cfg);

/*
 * A running program's configuration file, read again (a reload): as
 * mpic_config_load(), except that orchestration.hash_secret_file is not
 * read again while it names the same file as running's (running's secret
 * is kept: the user a daemon runs as may no longer read it), and the
 * mpic_config_set_tls_client_ctx() hook of running is kept.  Returns 0 or
 * a mpic_config_load() error with the reason in err; *out is the
 * caller's (mpic_config_free()).
 */
MPIC_EXTERN int mpic_config_reload(const char *path,
				   const struct mpic_config *running,
				   struct mpic_config **out, char *err,
				   size_t errlen);

/*
 * The keys whose values differ between old and new_cfg, each named as in
 * the file ("orchestration.request_timeout_ms"; a perspective added,
 * removed or changed as "perspectives.CODE"), passed to cb (may be NULL)
 * with arg, in the order of mpicd.conf(5).  Returns how many.
 */
typedef void (*mpic_config_change_cb)(void *arg, const char *key);

/*
 * Give key (named as mpic_config_changes() names it) of cfg the value it
 * has in from: for a daemon that keeps the keys it cannot change while it
 * runs ("listen", "workers", "user", "role", "audit.path").  Scalar keys
 * and "role" only; a list, a mapping, a perspective or an unknown key is
 * MPIC_EINVAL.  Returns 0, MPIC_EINVAL or MPIC_ENOMEM.  Not once an
 * engine uses cfg.
 */
MPIC_EXTERN int mpic_config_keep(struct mpic_config *cfg,
				 const struct mpic_config *from,
				 const char *key);
MPIC_EXTERN size_t mpic_config_changes(const struct mpic_config *old,
				       const struct mpic_config *new_cfg,
				       mpic_config_change_cb cb, void *arg);

/* The settings of cfg (see struct mpic_settings); never NULL. */
MPIC_EXTERN const struct mpic_settings *
mpic_config_settings(const struct mpic_config *cfg);

/*
 * Change where cfg's engine writes its audit log (mpicd: one file per
 * worker); path is copied.  Only when cfg has an audit log and no engine
 * uses cfg yet.  Returns 0, MPIC_EINVAL (no audit log), MPIC_ENOMEM.
 */
MPIC_EXTERN int mpic_config_set_audit_path(struct mpic_config *cfg,
					   const char *path);

/*
 * For a caller whose key is in another process: fn puts the client
 * certificate and key into libcurl's SSL_CTX (returns 0 when it did) for
 * the calls to remote perspectives, with arg.  NULL: libcurl reads
 * tls.cert and tls.key itself.  Set before mpic_engine_new().
 */
MPIC_EXTERN void mpic_config_set_tls_client_ctx(struct mpic_config *cfg,
						int (*fn)(void *ssl_ctx,
							  void *arg),
						void *arg);

/*
 * The audit.path the configuration file at path names, into out (a
 * NUL-terminated copy), for a tool that reads the log.  The file is read
 * without orchestration.hash_secret_file.  Returns 0; MPIC_ENOENT when it
 * names none; MPIC_ETOOBIG when out is too small; a mpic_config_load()
 * error otherwise; the reason is in err.
 */
MPIC_EXTERN int mpic_config_audit_path(const char *path, char *out,
				       size_t outlen, char *err,
				       size_t errlen);

/*
 * Check that cfg can serve requests on the given day under the Baseline
 * Requirements calendar.  Returns 0, or MPIC_EPOLICY with the reason in err.
 * A configuration with br_minimums: lab passes, with a warning in err.
 */
MPIC_EXTERN int mpic_config_check_br(const struct mpic_config *cfg,
				     time_t now, char *err, size_t errlen);

MPIC_END_DECLS
#endif
