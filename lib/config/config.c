/*
 * config.c - the configuration file (mpicd.conf(5)): YAML through
 * libfyaml's document API into struct mpic_config.
 *
 * The walk is table-driven (config_node.c over the keys of
 * config_schema.c).  role and dns are read in a
 * first pass wherever they appear in the file, because what perspectives
 * may contain depends on the role, and each perspective's resolver options
 * start as a copy of the global dns section.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_int.h"
#include "evidence/evidence.h"

/* Used only with br_minimums: lab and no hash_secret_file. */
#define LAB_SECRET "mpic lab cohort secret - NOT FOR PRODUCTION"
#define SECRET_MIN 16
#define SECRET_MAX 64
#define SECRET_FILE_MAX 4096

static const char **
empty_list(struct mpic_config *cfg)
{
	return mpic__arena_calloc(&cfg->arena, sizeof(const char *));
}

static int
set_defaults(struct cfg_parser *p)
{
	struct mpic_config *cfg = p->cfg;

	cfg->role = MPIC_ROLE_ALL_IN_ONE;
	cfg->listen = "127.0.0.1:8080";
	cfg->dns.timeout_ms = 5000;
	cfg->dns.cache = true;
	cfg->dns.allow_localhost = false;
	cfg->http_timeout_ms = 10000;
	cfg->max_redirects = MPIC__DEFAULT_MAX_REDIRECTS;
	cfg->tls_alpn_port = 443;
	cfg->user_agent = "mpic/" MPIC_VERSION;
	cfg->default_perspective_count = 6;
	cfg->max_attempts_cap = 3;
	cfg->request_timeout_ms = 30000;
	cfg->max_connections = 1024;
	cfg->max_header_bytes = 8192;
	cfg->io_timeout_ms = 30000;
	cfg->read_deadline_ms = 10000;
	cfg->drain_timeout_ms = 10000;
	cfg->admin_listen = NULL;       /* MPIC_ADMIN_LISTEN_DEFAULT */
	cfg->admin_max_connections = 16;
	cfg->diagnose_per_minute = 30;
	cfg->tls_allowed_peers = empty_list(cfg);
	cfg->audit_path = NULL; /* mpicd requires one; the tool may run without */
	cfg->audit_sync_timeout_ms = 5000;
	cfg->dns_transparent = empty_list(cfg);
	cfg->allowed_networks = empty_list(cfg);
	cfg->issuer_domains = empty_list(cfg);
	if (cfg->dns_transparent == NULL || cfg->allowed_networks == NULL ||
	    cfg->issuer_domains == NULL || cfg->tls_allowed_peers == NULL) {
		mpic__cfg_error(p, 0, NULL, "out of memory");
		return MPIC_ENOMEM;
	}
	return 0;
}

/*
 * Every remote must be distinct from the primary (BR 3.2.2.9: 500 km,
 * great-circle).  A remote too close to the primary is refused rather than
 * left out of cohorts: such a perspective could never count, and an
 * operator who configured it believes it does.
 */
static int
check_primary_distance(struct cfg_parser *p)
{
	const struct mpic_config *cfg = p->cfg;
	double km;
	size_t i;

	for (i = 0; cfg->has_primary && i < cfg->n_perspectives; i++) {
		km = mpic__distance_km(cfg->primary.loc,
		    cfg->perspectives[i].loc);
		if (km < MPIC__MIN_DISTANCE_KM)
			return mpic__cfg_error(p, p->lines[CFG_L_PRIMARY],
			    "primary.location", "perspectives[%zu] \"%s\" is "
			    "%.0f km from the primary \"%s\"; every remote "
			    "perspective must be at least %.0f km from the "
			    "primary (BR 3.2.2.9)", i,
			    cfg->perspectives[i].code, km, cfg->primary.code,
			    MPIC__MIN_DISTANCE_KM);
	}
	return 0;
}

/* One public key file of a perspective: it must load (mpicd -n). */
static int
check_pubkey(struct cfg_parser *p, size_t i, const char *key,
	     const char *file)
{
	char err[400], path[64];
	EVP_PKEY *k;

	if (file == NULL)
		return 0;
	if ((k = mpic__ev_key_load_public(file, err, sizeof(err))) == NULL) {
		mpic__bufprintf(path, sizeof(path), "perspectives[%zu].%s", i,
		    key);
		return mpic__cfg_error(p, p->lines[CFG_L_PERSPECTIVES], path,
		    "%s", err);
	}
	EVP_PKEY_free(k);
	return 0;
}

/*
 * Signed results (docs/evidence.md): the public key files load, and
 * orchestration.require_signed_results (by default: once any perspective
 * has a key) leaves no remote perspective without one.
 */
static int
check_signing(struct cfg_parser *p)
{
	struct mpic_config *cfg = p->cfg;
	const struct mpic__perspective_def *d;
	bool any = false;
	size_t i;
	int rc;

	for (i = 0; i < cfg->n_perspectives; i++) {
		d = &cfg->perspectives[i];
		if ((rc = check_pubkey(p, i, "signing_pubkey",
		    d->signing_pubkey)) != 0 || (rc = check_pubkey(p, i,
		    "signing_pubkey_previous", d->signing_pubkey_previous)) !=
		    0)
			return rc;
		/* a remote's private key is on its host (an in-process
		 * one's signing_pubkey is only read by verifiers: a keys
		 * file for `mpic audit verify --keys` lists perspectives
		 * without url) */
		if (d->url != NULL && d->signing_key != NULL)
			return mpic__cfg_error(p, p->lines[CFG_L_PERSPECTIVES],
			    "perspectives", "\"%s\": signing_key is for "
			    "in-process perspectives; a remote one signs with "
			    "its identity.signing_key: give its public key as "
			    "signing_pubkey", d->code);
		if (d->signing_pubkey_previous != NULL &&
		    d->signing_pubkey == NULL)
			return mpic__cfg_error(p, p->lines[CFG_L_PERSPECTIVES],
			    "perspectives", "\"%s\": signing_pubkey_previous "
			    "without signing_pubkey", d->code);
		any = any || d->signing_pubkey != NULL;
	}
	if (!cfg->require_signed_set)
		cfg->require_signed_results = any;
	for (i = 0; cfg->require_signed_results && i < cfg->n_perspectives;
	    i++) {
		d = &cfg->perspectives[i];
		if (d->url != NULL && d->signing_pubkey == NULL)
			return mpic__cfg_error(p, p->lines[CFG_L_ORCH] ?
			    p->lines[CFG_L_ORCH] : p->lines[CFG_L_PERSPECTIVES],
			    "orchestration.require_signed_results",
			    "perspective \"%s\" has no signing_pubkey",
			    d->code);
	}
	return 0;
}

/* Rules that involve more than one key, once the whole file is read. */
static int
cross_check(struct cfg_parser *p)
{
	struct mpic_config *cfg = p->cfg;
	const char *role = mpic__cfg_role_str(cfg->role);
	int rline = p->lines[CFG_L_ROLE], tline = p->lines[CFG_L_TLS];
	size_t i;
	int rc;

	if (cfg->role == MPIC_ROLE_PERSPECTIVE && !cfg->has_identity)
		return mpic__cfg_error(p, rline, "identity",
		    "required with role perspective");
	if (cfg->role != MPIC_ROLE_PERSPECTIVE && cfg->n_perspectives == 0)
		return mpic__cfg_error(p, p->lines[CFG_L_PERSPECTIVES] ?
		    p->lines[CFG_L_PERSPECTIVES] : rline, "perspectives",
		    "at least one perspective is required with role %s",
		    role);
	if (cfg->role != MPIC_ROLE_ALL_IN_ONE && tline == 0)
		return mpic__cfg_error(p, rline, "tls", "required with role "
		    "%s (mutual TLS)", role);
	if (tline != 0 && cfg->tls_cert == NULL)
		return mpic__cfg_error(p, tline, "tls.cert", "required");
	if (tline != 0 && cfg->tls_key == NULL)
		return mpic__cfg_error(p, tline, "tls.key", "required");
	if (cfg->role != MPIC_ROLE_ALL_IN_ONE && cfg->tls_client_ca == NULL)
		return mpic__cfg_error(p, tline, "tls.client_ca", "required "
		    "with role %s (mutual TLS)", role);
	/* A coordinator calls its perspectives with its client certificate
	 * and no x-api-key: keys here would refuse every call (401). */
	if (cfg->role == MPIC_ROLE_PERSPECTIVE && cfg->api_keys_file != NULL)
		return mpic__cfg_error(p, p->lines[CFG_L_API_KEYS],
		    "api_keys_file", "not used with role perspective: the "
		    "coordinator authenticates with its client certificate "
		    "(tls.client_ca, tls.allowed_peers) and sends no x-api-key");
	if ((rc = check_signing(p)) != 0)
		return rc;
	for (i = 0; cfg->has_primary && i < cfg->n_perspectives; i++)
		if (strcmp(cfg->primary.code, cfg->perspectives[i].code) == 0)
			return mpic__cfg_error(p, p->lines[CFG_L_PRIMARY],
			    "primary.code", "\"%s\" is also the code of "
			    "perspectives[%zu]", cfg->primary.code, i);
	return check_primary_distance(p);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

/* The cohort secret: the trimmed contents of hash_secret_file. */
static int
load_secret(struct cfg_parser *p)
{
	struct mpic_config *cfg = p->cfg;
	const char *path = "orchestration.hash_secret_file";
	int line = p->lines[CFG_L_SECRET], fd = -1, rc = MPIC_ECONFIG;
	char buf[SECRET_FILE_MAX + 1];
	size_t n = 0, b, e;
	struct stat st;
	ssize_t r;

	if (cfg->hash_secret_file == NULL) {
		if (cfg->br_lab) {
			cfg->hash_secret_len = sizeof(LAB_SECRET) - 1;
			memcpy(cfg->hash_secret, LAB_SECRET,
			    cfg->hash_secret_len);
			return 0;
		}
		/* A perspective never selects cohorts. */
		if (cfg->role == MPIC_ROLE_PERSPECTIVE)
			return 0;
		return mpic__cfg_error(p, p->lines[CFG_L_ORCH], path,
		    "required unless br_minimums is lab");
	}
	/* Never open a device or a FIFO: opening alone can act or block. */
	if (stat(cfg->hash_secret_file, &st) != 0) {
		mpic__cfg_error(p, line, path, "%s: %s",
		    cfg->hash_secret_file, strerror(errno));
		goto out;
	}
	if (S_ISREG(st.st_mode))
		fd = open(cfg->hash_secret_file, O_RDONLY | O_CLOEXEC |
		    O_NOCTTY | O_NONBLOCK);
	if (S_ISREG(st.st_mode) && (fd < 0 || fstat(fd, &st) != 0)) {
		mpic__cfg_error(p, line, path, "%s: %s",
		    cfg->hash_secret_file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		mpic__cfg_error(p, line, path, "%s: not a regular file",
		    cfg->hash_secret_file);
		goto out;
	}
	while (n < sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) -
	    n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			mpic__cfg_error(p, line, path, "%s: %s",
			    cfg->hash_secret_file, strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	for (b = 0; b < n && is_space(buf[b]); b++)
		;
	for (e = n; e > b && is_space(buf[e - 1]); e--)
		;
	if (e - b < SECRET_MIN || e - b > SECRET_MAX) {
		mpic__cfg_error(p, line, path, "%s: the secret must be %d to "
		    "%d bytes, not %s%zu", cfg->hash_secret_file, SECRET_MIN,
		    SECRET_MAX, n == sizeof(buf) ? "over " : "", e - b);
		goto out;
	}
	memcpy(cfg->hash_secret, buf + b, e - b);
	cfg->hash_secret_len = e - b;
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The first libfyaml error, as "source:line: YAML: message". */
static int
yaml_error(struct cfg_parser *p, struct fy_diag *diag)
{
	struct fy_diag_error *e;
	void *it = NULL;

	e = diag != NULL ? fy_diag_errors_iterate(diag, &it) : NULL;
	if (e == NULL)
		return mpic__cfg_error(p, 0, NULL, "YAML: malformed document");
	return mpic__cfg_error(p, e->line, NULL, "YAML: %s",
	    e->msg != NULL ? e->msg : "malformed document");
}

/* with_secret false: orchestration.hash_secret_file is not read (the
 * daemon's reload, whose user may not read it, needs no new secret). */
static int
config_parse(const char *yaml, size_t len, const char *source,
	     const char *basedir, bool with_secret, struct mpic_config **out,
	     char *err, size_t errlen)
{
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg;
	struct cfg_parser p;
	struct mpic_config *cfg = NULL;
	struct fy_diag *diag = NULL;
	struct fy_parser *fyp = NULL;
	struct fy_document *doc = NULL, *extra = NULL;
	struct fy_node *root;
	int rc = MPIC_ECONFIG;

	if (err == NULL)
		errlen = 0;
	if (errlen > 0)
		err[0] = '\0';
	if (out == NULL || (yaml == NULL && len > 0)) {
		mpic__bufprintf(err, errlen, "invalid argument");
		return MPIC_EINVAL;
	}
	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	p.basedir = basedir;
	if ((cfg = mpic__calloc(1, sizeof(*cfg))) == NULL) {
		mpic__bufprintf(err, errlen, "out of memory");
		return MPIC_ENOMEM;
	}
	mpic__arena_init(&cfg->arena);
	mpic__bufprintf(cfg->source, sizeof(cfg->source), "%s",
	    source != NULL ? source : "config");
	p.cfg = cfg;
	p.input = yaml;
	p.input_len = len;
	if (len > CFG_MAX_FILE) {
		rc = mpic__cfg_error(&p, 0, NULL, "larger than 1 MiB");
		goto out;
	}
	if ((rc = set_defaults(&p)) != 0 ||
	    (rc = mpic__cfg_text_check(&p, yaml, len)) != 0)
		goto out;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.colorize = false;
	memset(&pcfg, 0, sizeof(pcfg));
	pcfg.flags = FYPCF_QUIET | FYPCF_DISABLE_RECYCLING;
	rc = MPIC_ENOMEM;
	if ((diag = fy_diag_create(&dcfg)) == NULL) {
		mpic__cfg_error(&p, 0, NULL, "out of memory");
		goto out;
	}
	fy_diag_set_collect_errors(diag, true);
	pcfg.diag = diag;
	if ((fyp = fy_parser_create(&pcfg)) == NULL ||
	    fy_parser_set_string(fyp, yaml != NULL ? yaml : "", len) != 0) {
		mpic__cfg_error(&p, 0, NULL, "out of memory");
		goto out;
	}
	rc = MPIC_ECONFIG;
	if ((doc = fy_parse_load_document(fyp)) == NULL) {
		if (fy_parser_get_stream_error(fyp))
			yaml_error(&p, diag);
		else
			mpic__cfg_error(&p, 0, NULL, "empty configuration");
		goto out;
	}
	if ((extra = fy_parse_load_document(fyp)) != NULL) {
		mpic__cfg_error(&p, mpic__cfg_line(fy_document_root(extra),
		    0), NULL, "more than one YAML document");
		goto out;
	}
	if (fy_parser_get_stream_error(fyp)) {
		yaml_error(&p, diag);
		goto out;
	}
	root = fy_document_root(doc);
	if (mpic__cfg_is_null(root)) {
		mpic__cfg_error(&p, 0, NULL, "empty configuration");
		goto out;
	}
	if (fy_node_is_alias(root) || fy_node_get_type(root) != FYNT_MAPPING) {
		mpic__cfg_error(&p, mpic__cfg_line(root, 1), NULL,
		    "the top level must be a mapping of keys");
		goto out;
	}
	if ((rc = mpic__cfg_walk(&p, root, "", 1, mpic__cfg_top_keys, cfg,
	    CFG_PASS_EARLY)) != 0)
		goto out;
	cfg->dns.transparent_zones = cfg->dns_transparent;
	cfg->identity.dns = cfg->dns;
	cfg->primary.dns = cfg->dns;
	if ((rc = mpic__cfg_walk(&p, root, "", 1, mpic__cfg_top_keys, cfg,
	    CFG_PASS_LATE)) != 0)
		goto out;
	if ((rc = cross_check(&p)) != 0 ||
	    (with_secret && (rc = load_secret(&p)) != 0) ||
	    (rc = mpic__config_settings_make(cfg)) != 0)
		goto out;
	*out = cfg;
	cfg = NULL;
	rc = 0;
out:
	if (extra != NULL)
		fy_parse_document_destroy(fyp, extra);
	if (doc != NULL)
		fy_parse_document_destroy(fyp, doc);
	if (fyp != NULL)
		fy_parser_destroy(fyp);
	if (diag != NULL)
		fy_diag_destroy(diag);
	mpic_config_free(cfg);
	return rc;
}

int
mpic_config_parse(const char *yaml, size_t len, const char *source_name,
		  struct mpic_config **out, char *err, size_t errlen)
{
	return config_parse(yaml, len, source_name, NULL, true, out, err,
	    errlen);
}

static int
config_load(const char *path, bool with_secret, struct mpic_config **out,
	    char *err, size_t errlen)
{
	char dir[4096], *buf = NULL, *slash;
	struct stat st;
	size_t n = 0, cap;
	ssize_t r;
	int fd = -1, rc = MPIC_EIO;

	if (err == NULL)
		errlen = 0;
	if (errlen > 0)
		err[0] = '\0';
	if (path == NULL || out == NULL) {
		mpic__bufprintf(err, errlen, "invalid argument");
		return MPIC_EINVAL;
	}
	*out = NULL;
	if (strlen(path) >= sizeof(dir)) {
		mpic__bufprintf(err, errlen, "%s: path too long", path);
		return MPIC_ECONFIG;
	}
	/* Never open a device or a FIFO: opening alone can act or block. */
	if (stat(path, &st) != 0) {
		mpic__bufprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0 || fstat(fd, &st) != 0) {
			mpic__bufprintf(err, errlen, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
	}
	rc = MPIC_ECONFIG;
	if (!S_ISREG(st.st_mode)) {
		mpic__bufprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > CFG_MAX_FILE) {
		mpic__bufprintf(err, errlen, "%s: larger than 1 MiB", path);
		goto out;
	}
	/* One byte more than expected tells a file that grew meanwhile. */
	cap = (size_t)st.st_size + 1;
	if ((buf = mpic__malloc(cap)) == NULL) {
		mpic__bufprintf(err, errlen, "out of memory");
		rc = MPIC_ENOMEM;
		goto out;
	}
	while (n < cap && (r = read(fd, buf + n, cap - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			mpic__bufprintf(err, errlen, "%s: %s", path,
			    strerror(errno));
			rc = MPIC_EIO;
			goto out;
		}
		n += (size_t)r;
	}
	if (n == cap) {
		mpic__bufprintf(err, errlen, "%s: changed while being read",
		    path);
		goto out;
	}
	memcpy(dir, path, strlen(path) + 1);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	rc = config_parse(buf, n, path, slash != NULL ? dir : NULL,
	    with_secret, out, err, errlen);
out:
	mpic__free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

int
mpic__config_load(const char *path, bool with_secret,
		  struct mpic_config **out, char *err, size_t errlen)
{
	return config_load(path, with_secret, out, err, errlen);
}

int
mpic_config_load(const char *path, struct mpic_config **out, char *err,
		 size_t errlen)
{
	return config_load(path, true, out, err, errlen);
}

int
mpic_config_reread(const char *path, struct mpic_config **out, char *err,
		    size_t errlen)
{
	return config_load(path, false, out, err, errlen);
}

int
mpic_config_audit_path(const char *path, char *out, size_t outlen,
		       char *err, size_t errlen)
{
	struct mpic_config *cfg = NULL;
	int rc;

	rc = config_load(path, false, &cfg, err, errlen);
	if (rc != 0)
		goto out;
	if (cfg->audit_path == NULL) {
		mpic__bufprintf(err, errlen, "%s: no audit.path", path);
		rc = MPIC_ENOENT;
	} else if (strlen(cfg->audit_path) >= outlen) {
		mpic__bufprintf(err, errlen, "%s: audit.path is too long",
		    path);
		rc = MPIC_ETOOBIG;
	} else {
		memcpy(out, cfg->audit_path, strlen(cfg->audit_path) + 1);
	}
out:
	mpic_config_free(cfg);
	return rc;
}

void
mpic_config_free(struct mpic_config *cfg)
{
	if (cfg == NULL)
		return;
	explicit_bzero(cfg->hash_secret, sizeof(cfg->hash_secret));
	mpic__arena_release(&cfg->arena);
	mpic__free(cfg);
}
