/*
 * config_schema.c - the keys of mpicd.conf(5): their types, ranges,
 * defaults' companions (validators) and the handlers of structured values
 * (roles, perspective definitions).  Defaults are set in config.c.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/config_int.h"

static const char *const role_names[] = {
	[MPIC_ROLE_ALL_IN_ONE] = "all-in-one",
	[MPIC_ROLE_COORDINATOR] = "coordinator",
	[MPIC_ROLE_PERSPECTIVE] = "perspective",
};

const char *
mpic__cfg_role_str(enum mpic_role r)
{
	if ((unsigned)r >= sizeof(role_names) / sizeof(role_names[0]))
		return "unknown";
	return role_names[r];
}

/* ------------------------------------------------------------ validators */

static bool
check_code(const char *s, char *why, size_t n)
{
	size_t i, len = strlen(s);

	if (len > 63) {
		mpic__bufprintf(why, n, "longer than 63 characters");
		return false;
	}
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-')) {
			mpic__bufprintf(why, n, "invalid character in "
			    "perspective code (allowed: A-Z a-z 0-9 . _ -)");
			return false;
		}
	}
	return true;
}

static bool
port_ok(const char *s)
{
	unsigned long v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	return v >= 1 && v <= 65535;
}

static bool
check_listen(const char *s, char *why, size_t n)
{
	const char *colon;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close == s + 1 || close[1] != ':' ||
		    !port_ok(close + 2))
			goto bad;
		return true;
	}
	colon = strrchr(s, ':');
	if (colon == NULL || colon == s || memchr(s, ':', (size_t)(colon -
	    s)) != NULL || strchr(s, ' ') != NULL || !port_ok(colon + 1))
		goto bad;
	return true;
bad:
	mpic__bufprintf(why, n, "expected HOST:PORT or [ADDRESS]:PORT");
	return false;
}

/* admin_listen: an address as listen's, or none (or empty): no admin
 * listener. */
static bool
check_admin_listen(const char *s, char *why, size_t n)
{
	if (s[0] == '\0' || strcmp(s, "none") == 0)
		return true;
	if (check_listen(s, why, n))
		return true;
	mpic__bufprintf(why, n, "expected HOST:PORT, [ADDRESS]:PORT or none");
	return false;
}

static bool
check_url(const char *s, char *why, size_t n)
{
	if (strncasecmp(s, "https://", 8) != 0) {
		mpic__bufprintf(why, n, "must be an https:// URL");
		return false;
	}
	if (s[8] == '\0' || s[8] == '/' || s[8] == ':' ||
	    strchr(s, ' ') != NULL) {
		mpic__bufprintf(why, n, "not a valid https:// URL");
		return false;
	}
	return true;
}

static bool
check_cidr(const char *s, char *why, size_t n)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned char buf[16];
	unsigned long plen = 0, max;
	size_t alen;
	const char *d;

	if (slash == NULL || (alen = (size_t)(slash - s)) == 0 ||
	    alen >= sizeof(addr) || slash[1] == '\0' || strlen(slash) > 4)
		goto bad;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, buf) == 1)
		max = 32;
	else if (inet_pton(AF_INET6, addr, buf) == 1)
		max = 128;
	else
		goto bad;
	for (d = slash + 1; *d != '\0'; d++) {
		if (*d < '0' || *d > '9')
			goto bad;
		plen = plen * 10 + (unsigned long)(*d - '0');
	}
	if (plen > max)
		goto bad;
	return true;
bad:
	mpic__bufprintf(why, n, "expected ADDRESS/PREFIX (CIDR)");
	return false;
}

/* A DNS name of LDH (and '_') labels; a final dot is allowed. */
static bool
check_dname(const char *s, char *why, size_t n)
{
	size_t len = strlen(s), label = 0, i;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > MPIC__NAME_MAX)
		goto bad;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				goto bad;
			label = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			goto bad;
		if (++label > 63)
			goto bad;
	}
	if (label == 0)
		goto bad;
	return true;
bad:
	mpic__bufprintf(why, n, "not a valid DNS name");
	return false;
}

static bool
check_user_agent(const char *s, char *why, size_t n)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x7f) {
			mpic__bufprintf(why, n, "must be printable ASCII");
			return false;
		}
	}
	return true;
}

/* A peer name of the allow-list: a DNS name or an IP address. */
static bool
check_peer(const char *s, char *why, size_t n)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1)
		return true;
	if (check_dname(s, why, n))
		return true;
	mpic__bufprintf(why, n, "not a DNS name or an IP address");
	return false;
}

/* mpicd's log levels (mpicd.conf(5) log.level), most severe first. */
static bool
check_log_level(const char *s, char *why, size_t n)
{
	static const char *const levels[] = { "error", "warning", "info",
	    "debug" };
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(s, levels[i]) == 0)
			return true;
	mpic__bufprintf(why, n, "not a log level (error, warning, info, "
	    "debug)");
	return false;
}

/* A POSIX portable user name. */
static bool
check_user(const char *s, char *why, size_t n)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    (c == '-' && i > 0))) {
			mpic__bufprintf(why, n, "not a valid user name");
			return false;
		}
	}
	if (i == 0) {
		mpic__bufprintf(why, n, "empty user name");
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ handlers */

static int
parse_role(struct cfg_parser *p, struct fy_node *v, const char *path,
	   int line, void *base)
{
	struct mpic_config *cfg = base;
	const char *s;
	char q[64];
	size_t i;
	int rc;

	if ((rc = mpic__cfg_str(p, v, path, line, 64, &s)) != 0)
		return rc;
	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
		if (strcmp(s, role_names[i]) == 0) {
			cfg->role = (enum mpic_role)i;
			return 0;
		}
	}
	mpic__cfg_quote(s, strlen(s), q, sizeof(q));
	return mpic__cfg_error(p, line, path, "unknown role %s (expected "
	    "all-in-one, coordinator or perspective)", q);
}

static int
parse_br(struct cfg_parser *p, struct fy_node *v, const char *path,
	 int line, void *base)
{
	struct mpic_config *cfg = base;
	const char *s;
	char q[64];
	int rc;

	if ((rc = mpic__cfg_str(p, v, path, line, 64, &s)) != 0)
		return rc;
	if (strcmp(s, "enforce") == 0 || strcmp(s, "lab") == 0) {
		cfg->br_lab = s[0] == 'l';
		return 0;
	}
	mpic__cfg_quote(s, strlen(s), q, sizeof(q));
	return mpic__cfg_error(p, line, path, "unknown value %s (expected "
	    "enforce or lab)", q);
}

static int
parse_code(struct cfg_parser *p, struct fy_node *v, const char *path,
	   int line, void *base)
{
	struct mpic__perspective_def *d = base;
	const char *s;
	char why[128];
	int rc;

	p->lines[CFG_L_CODE] = line;
	if ((rc = mpic__cfg_str(p, v, path, line, 256, &s)) != 0)
		return rc;
	if (!check_code(s, why, sizeof(why)))
		return mpic__cfg_error(p, line, path, "%s", why);
	memcpy(d->code, s, strlen(s) + 1);
	return 0;
}

static int
parse_rir(struct cfg_parser *p, struct fy_node *v, const char *path,
	  int line, void *base)
{
	struct mpic__perspective_def *d = base;
	const char *s;
	char q[64];
	int rc;

	if ((rc = mpic__cfg_str(p, v, path, line, 64, &s)) != 0)
		return rc;
	if (mpic__rir_parse(s, &d->rir) != 0) {
		mpic__cfg_quote(s, strlen(s), q, sizeof(q));
		return mpic__cfg_error(p, line, path, "unknown RIR %s "
		    "(expected ARIN, RIPE NCC, APNIC, LACNIC or AFRINIC)", q);
	}
	return 0;
}

/* A boolean whose absence means something else than false. */
static int
parse_require_signed(struct cfg_parser *p, struct fy_node *v,
		     const char *path, int line, void *base)
{
	struct mpic_config *cfg = p->cfg;
	int rc;

	(void)base;
	if ((rc = mpic__cfg_bool(p, v, path, line,
	    &cfg->require_signed_results)) != 0)
		return rc;
	cfg->require_signed_set = true;
	return 0;
}

#define DEF_OFF(m) offsetof(struct mpic__perspective_def, m)
#define CFG_OFF(m) offsetof(struct mpic_config, m)

static const struct cfg_key location_keys[] = {
	{ .name = "lat", .kind = CK_DOUBLE, .off = DEF_OFF(loc.lat),
	  .min = -90, .max = 90, .flags = CFG_F_REQUIRED },
	{ .name = "lon", .kind = CK_DOUBLE, .off = DEF_OFF(loc.lon),
	  .min = -180, .max = 180, .flags = CFG_F_REQUIRED },
	{ .name = NULL },
};

static const struct cfg_key def_dns_keys[] = {
	{ .name = "root_hints", .kind = CK_STR,
	  .off = DEF_OFF(dns.root_hints), .flags = CFG_F_PATH },
	{ .name = "trust_anchor", .kind = CK_STR,
	  .off = DEF_OFF(dns.trust_anchor), .flags = CFG_F_PATH },
	{ .name = NULL },
};

#define DEF_COMMON_KEYS \
	{ .name = "code", .kind = CK_FN, .fn = parse_code, \
	  .flags = CFG_F_REQUIRED }, \
	{ .name = "rir", .kind = CK_FN, .fn = parse_rir, \
	  .flags = CFG_F_REQUIRED }, \
	{ .name = "location", .kind = CK_MAP, .sub = location_keys, \
	  .flags = CFG_F_REQUIRED }

static const struct cfg_key perspective_keys[] = {
	DEF_COMMON_KEYS,
	{ .name = "url", .kind = CK_STR, .off = DEF_OFF(url), .max = 2048,
	  .check = check_url, .slot = CFG_L_URL },
	{ .name = "dns", .kind = CK_MAP, .sub = def_dns_keys },
	/* docs/evidence.md: a remote's public keys; an in-process one's
	 * private key (made at start when not given) */
	{ .name = "signing_pubkey", .kind = CK_STR,
	  .off = DEF_OFF(signing_pubkey), .flags = CFG_F_PATH },
	{ .name = "signing_pubkey_previous", .kind = CK_STR,
	  .off = DEF_OFF(signing_pubkey_previous), .flags = CFG_F_PATH },
	{ .name = "signing_key", .kind = CK_STR,
	  .off = DEF_OFF(signing_key), .flags = CFG_F_PATH },
	{ .name = NULL },
};

static const struct cfg_key primary_keys[] = {
	DEF_COMMON_KEYS,
	{ .name = "dns", .kind = CK_MAP, .sub = def_dns_keys },
	{ .name = NULL },
};

static const struct cfg_key identity_keys[] = {
	DEF_COMMON_KEYS,
	/* read by mpicd's key process only */
	{ .name = "signing_key", .kind = CK_STR,
	  .off = DEF_OFF(signing_key), .flags = CFG_F_PATH },
	{ .name = NULL },
};

/* One perspective definition; its dns starts as the global options. */
static int
parse_def(struct cfg_parser *p, struct fy_node *v, const char *path,
	  int line, const struct cfg_key *keys,
	  struct mpic__perspective_def *d)
{
	memset(d, 0, sizeof(*d));
	d->dns = p->cfg->dns;
	p->lines[CFG_L_URL] = 0;
	p->lines[CFG_L_CODE] = line;
	return mpic__cfg_walk(p, v, path, line, keys, d, CFG_PASS_ALL);
}

static int
parse_identity(struct cfg_parser *p, struct fy_node *v, const char *path,
	       int line, void *base)
{
	struct mpic_config *cfg = base;
	int rc;

	if (cfg->role != MPIC_ROLE_PERSPECTIVE)
		return mpic__cfg_error(p, line, path, "only used with role "
		    "perspective (this is %s)", role_names[cfg->role]);
	if ((rc = parse_def(p, v, path, line, identity_keys,
	    &cfg->identity)) != 0)
		return rc;
	cfg->has_identity = true;
	return 0;
}

static int
parse_primary(struct cfg_parser *p, struct fy_node *v, const char *path,
	      int line, void *base)
{
	struct mpic_config *cfg = base;
	int rc;

	if (cfg->role == MPIC_ROLE_PERSPECTIVE)
		return mpic__cfg_error(p, line, path, "not used with role "
		    "perspective");
	if ((rc = parse_def(p, v, path, line, primary_keys,
	    &cfg->primary)) != 0)
		return rc;
	cfg->has_primary = true;
	return 0;
}

static int
parse_perspectives(struct cfg_parser *p, struct fy_node *v,
		   const char *path, int line, void *base)
{
	struct mpic_config *cfg = base;
	struct mpic__perspective_def *defs, *d;
	struct fy_node *item;
	char ipath[CFG_PATH_MAX];
	void *it = NULL;
	size_t n = 0, cap, j;
	int rc, iline;

	if (cfg->role == MPIC_ROLE_PERSPECTIVE)
		return mpic__cfg_error(p, line, path, "not used with role "
		    "perspective (see identity)");
	if (mpic__cfg_is_null(v))
		return 0;
	if (fy_node_is_alias(v) || fy_node_get_type(v) != FYNT_SEQUENCE)
		return mpic__cfg_error(p, line, path, "expected a sequence "
		    "of perspectives");
	cap = (size_t)fy_node_sequence_item_count(v);
	if (cap > CFG_MAX_PERSPECTIVES)
		return mpic__cfg_error(p, line, path, "more than %d "
		    "perspectives", CFG_MAX_PERSPECTIVES);
	defs = mpic__arena_calloc(&cfg->arena, (cap ? cap : 1) *
	    sizeof(*defs));
	if (defs == NULL) {
		mpic__cfg_error(p, 0, NULL, "out of memory");
		return MPIC_ENOMEM;
	}
	while (n < cap && (item = fy_node_sequence_iterate(v, &it)) != NULL) {
		d = &defs[n];
		iline = mpic__cfg_line(item, line);
		mpic__bufprintf(ipath, sizeof(ipath), "%s[%zu]", path, n);
		if ((rc = parse_def(p, item, ipath, iline, perspective_keys,
		    d)) != 0)
			return rc;
		if (cfg->role == MPIC_ROLE_ALL_IN_ONE && d->url != NULL)
			return mpic__cfg_error(p, p->lines[CFG_L_URL], ipath,
			    "url is not allowed with role all-in-one (its "
			    "perspectives run in-process)");
		if (cfg->role == MPIC_ROLE_COORDINATOR && d->url == NULL)
			return mpic__cfg_error(p, iline, ipath, "url is "
			    "required with role coordinator");
		for (j = 0; j < n; j++)
			if (strcmp(defs[j].code, d->code) == 0)
				return mpic__cfg_error(p,
				    p->lines[CFG_L_CODE], ipath, "duplicate "
				    "code \"%s\" (also perspectives[%zu])",
				    d->code, j);
		n++;
	}
	cfg->perspectives = defs;
	cfg->n_perspectives = n;
	return 0;
}

/* ------------------------------------------------------------ tables */

static const struct cfg_key tls_keys[] = {
	{ .name = "cert", .kind = CK_STR, .off = CFG_OFF(tls_cert),
	  .flags = CFG_F_PATH },
	{ .name = "key", .kind = CK_STR, .off = CFG_OFF(tls_key),
	  .flags = CFG_F_PATH },
	{ .name = "client_ca", .kind = CK_STR, .off = CFG_OFF(tls_client_ca),
	  .flags = CFG_F_PATH },
	{ .name = "allowed_peers", .kind = CK_LIST,
	  .off = CFG_OFF(tls_allowed_peers),
	  .cnt_off = CFG_OFF(n_tls_allowed_peers), .max = 256,
	  .check = check_peer },
	{ .name = NULL },
};

static const struct cfg_key dns_keys[] = {
	{ .name = "root_hints", .kind = CK_STR,
	  .off = CFG_OFF(dns.root_hints), .flags = CFG_F_PATH },
	{ .name = "trust_anchor", .kind = CK_STR,
	  .off = CFG_OFF(dns.trust_anchor), .flags = CFG_F_PATH },
	{ .name = "timeout_ms", .kind = CK_UINT,
	  .off = CFG_OFF(dns.timeout_ms), .min = 1, .max = 600000 },
	{ .name = "cache", .kind = CK_BOOL, .off = CFG_OFF(dns.cache) },
	{ .name = "allow_localhost", .kind = CK_BOOL,
	  .off = CFG_OFF(dns.allow_localhost) },
	{ .name = "transparent_zones", .kind = CK_LIST,
	  .off = CFG_OFF(dns_transparent), .cnt_off = CFG_NOFF, .max = 64,
	  .check = check_dname },
	{ .name = NULL },
};

static const struct cfg_key dcv_keys[] = {
	{ .name = "allowed_networks", .kind = CK_LIST,
	  .off = CFG_OFF(allowed_networks),
	  .cnt_off = CFG_OFF(n_allowed_networks), .max = 256,
	  .check = check_cidr },
	{ .name = "http_timeout_ms", .kind = CK_UINT,
	  .off = CFG_OFF(http_timeout_ms), .min = 1, .max = 600000 },
	/* Open MPIC follows 20; a long chain is slow, never more proof */
	{ .name = "max_redirects", .kind = CK_UINT,
	  .off = CFG_OFF(max_redirects), .min = 0,
	  .max = MPIC__CFG_MAX_REDIRECTS },
	/* labs only: mpic_config_check_br() refuses anything but 443 */
	{ .name = "tls_alpn_port", .kind = CK_UINT,
	  .off = CFG_OFF(tls_alpn_port), .min = 1, .max = 65535 },
	{ .name = "user_agent", .kind = CK_STR, .off = CFG_OFF(user_agent),
	  .max = 256, .check = check_user_agent },
	{ .name = NULL },
};

static const struct cfg_key caa_keys[] = {
	{ .name = "issuer_domains", .kind = CK_LIST,
	  .off = CFG_OFF(issuer_domains),
	  .cnt_off = CFG_OFF(n_issuer_domains), .max = MPIC__MAX_CAA_DOMAINS,
	  .check = check_dname },
	{ .name = NULL },
};

static const struct cfg_key orch_keys[] = {
	{ .name = "default_perspective_count", .kind = CK_INT,
	  .off = CFG_OFF(default_perspective_count), .min = 1,
	  .max = CFG_MAX_PERSPECTIVES },
	{ .name = "max_attempts_cap", .kind = CK_INT,
	  .off = CFG_OFF(max_attempts_cap), .min = 1, .max = 16 },
	{ .name = "hash_secret_file", .kind = CK_STR,
	  .off = CFG_OFF(hash_secret_file), .flags = CFG_F_PATH,
	  .slot = CFG_L_SECRET },
	{ .name = "br_minimums", .kind = CK_FN, .fn = parse_br },
	{ .name = "early_decision", .kind = CK_BOOL,
	  .off = CFG_OFF(early_decision) },
	{ .name = "request_timeout_ms", .kind = CK_UINT,
	  .off = CFG_OFF(request_timeout_ms), .min = 1, .max = 3600000 },
	{ .name = "remote_timeout_ms", .kind = CK_UINT,
	  .off = CFG_OFF(remote_timeout_ms), .min = 1, .max = 3600000 },
	{ .name = "require_signed_results", .kind = CK_FN,
	  .fn = parse_require_signed },
	{ .name = NULL },
};

static const struct cfg_key limits_keys[] = {
	{ .name = "max_connections", .kind = CK_UINT,
	  .off = CFG_OFF(max_connections), .min = 1, .max = 1000000 },
	{ .name = "max_header_bytes", .kind = CK_UINT,
	  .off = CFG_OFF(max_header_bytes), .min = 1024, .max = 1048576 },
	{ .name = "io_timeout_ms", .kind = CK_UINT,
	  .off = CFG_OFF(io_timeout_ms), .min = 100, .max = 3600000 },
	{ .name = "read_deadline_ms", .kind = CK_UINT,
	  .off = CFG_OFF(read_deadline_ms), .min = 100, .max = 3600000 },
	{ .name = "drain_timeout_ms", .kind = CK_UINT,
	  .off = CFG_OFF(drain_timeout_ms), .min = 0, .max = 3600000 },
	{ .name = "admin_max_connections", .kind = CK_UINT,
	  .off = CFG_OFF(admin_max_connections), .min = 1, .max = 1024 },
	/* diagnoses (not validations) per API key and minute, per worker */
	{ .name = "diagnose_per_minute", .kind = CK_UINT,
	  .off = CFG_OFF(diagnose_per_minute), .min = 1, .max = 100000 },
	{ .name = NULL },
};

static const struct cfg_key audit_keys[] = {
	{ .name = "path", .kind = CK_STR, .off = CFG_OFF(audit_path),
	  .flags = CFG_F_PATH },
	{ .name = "sync_timeout_ms", .kind = CK_UINT,
	  .off = CFG_OFF(audit_sync_timeout_ms), .min = 10, .max = 600000 },
	/* rotate a worker's file once it has reached this size; 0: only on
	 * SIGUSR1 (docs/audit.md) */
	{ .name = "rotate_bytes", .kind = CK_UINT,
	  .off = CFG_OFF(audit_rotate_bytes), .min = 0, .max = 4294967295u },
	{ .name = NULL },
};

static const struct cfg_key log_keys[] = {
	{ .name = "level", .kind = CK_STR, .off = CFG_OFF(log_level),
	  .max = 16, .check = check_log_level },
	{ .name = NULL },
};

const struct cfg_key mpic__cfg_top_keys[] = {
	{ .name = "role", .kind = CK_FN, .fn = parse_role,
	  .flags = CFG_F_EARLY, .slot = CFG_L_ROLE },
	{ .name = "listen", .kind = CK_STR, .off = CFG_OFF(listen),
	  .max = 300, .check = check_listen },
	{ .name = "admin_listen", .kind = CK_STR, .off = CFG_OFF(admin_listen),
	  .max = 300, .check = check_admin_listen, .flags = CFG_F_EMPTY_OK },
	{ .name = "tls", .kind = CK_MAP, .sub = tls_keys,
	  .slot = CFG_L_TLS },
	{ .name = "api_keys_file", .kind = CK_STR,
	  .off = CFG_OFF(api_keys_file), .flags = CFG_F_PATH,
	  .slot = CFG_L_API_KEYS },
	{ .name = "identity", .kind = CK_FN, .fn = parse_identity,
	  .slot = CFG_L_IDENTITY },
	{ .name = "perspectives", .kind = CK_FN, .fn = parse_perspectives,
	  .slot = CFG_L_PERSPECTIVES },
	{ .name = "primary", .kind = CK_FN, .fn = parse_primary,
	  .slot = CFG_L_PRIMARY },
	{ .name = "dns", .kind = CK_MAP, .sub = dns_keys,
	  .flags = CFG_F_EARLY },
	{ .name = "dcv", .kind = CK_MAP, .sub = dcv_keys },
	{ .name = "caa", .kind = CK_MAP, .sub = caa_keys },
	{ .name = "orchestration", .kind = CK_MAP, .sub = orch_keys,
	  .slot = CFG_L_ORCH },
	{ .name = "audit", .kind = CK_MAP, .sub = audit_keys },
	{ .name = "user", .kind = CK_STR, .off = CFG_OFF(user), .max = 32,
	  .check = check_user },
	{ .name = "workers", .kind = CK_INT, .off = CFG_OFF(workers),
	  .min = 0, .max = 64 },
	{ .name = "limits", .kind = CK_MAP, .sub = limits_keys },
	{ .name = "log", .kind = CK_MAP, .sub = log_keys },
	{ .name = NULL },
};
