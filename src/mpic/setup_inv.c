/*
 * setup_inv.c - the inventory of "mpic setup" (format in mpic(1)): read
 * strictly, every value checked, so the configurations written from it
 * need no escaping and load as written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libfyaml.h>
#include <openssl/x509.h>

#include "setup.h"

#define EX_CONFIG_ 78

#define INV_MAX_BYTES (1024 * 1024)   /* as mpicd.conf(5) */
/* ------------------------------------------------------------ inventory */

static int
inv_err(const struct inventory *inv, const char *key, const char *what)
{
	fprintf(stderr, "mpic setup: %s: %s: %s\n", inv->path, key, what);
	return EX_CONFIG_;
}

/* A scalar into out: bounded, and free of the characters that would need
 * escaping in the YAML written from it (quotes, backslashes, controls). */
static int
get_str(const struct inventory *inv, struct fy_node *n, const char *key,
	char *out, size_t outlen)
{
	const char *s;
	size_t len, i;

	if (n == NULL || fy_node_is_alias(n) ||
	    fy_node_get_type(n) != FYNT_SCALAR ||
	    (s = fy_node_get_scalar(n, &len)) == NULL || len == 0)
		return inv_err(inv, key, "expected a string");
	if (len >= outlen)
		return inv_err(inv, key, "too long");
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		    s[i] == '"' || s[i] == '\\')
			return inv_err(inv, key, "control characters, "
			    "quotes and backslashes are not allowed");
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

static int
get_num(const struct inventory *inv, struct fy_node *n, const char *key,
	double lo, double hi, double *out)
{
	char buf[64], *end;
	int rc;

	if ((rc = get_str(inv, n, key, buf, sizeof(buf))) != 0)
		return rc;
	errno = 0;
	*out = strtod(buf, &end);
	if (errno != 0 || *end != '\0' || !isfinite(*out) || *out < lo ||
	    *out > hi)
		return inv_err(inv, key, "expected a number in range");
	return 0;
}

/* A mapping whose keys are all in allowed (NULL-terminated). */
static int
check_map(const struct inventory *inv, struct fy_node *n, const char *key,
	  const char *const *allowed)
{
	struct fy_node_pair *pr;
	void *it = NULL;
	const char *k;
	size_t len, i;

	if (n == NULL || fy_node_is_alias(n) ||
	    fy_node_get_type(n) != FYNT_MAPPING)
		return inv_err(inv, key, "expected a mapping");
	while ((pr = fy_node_mapping_iterate(n, &it)) != NULL) {
		k = fy_node_get_scalar(fy_node_pair_key(pr), &len);
		for (i = 0; k != NULL && allowed[i] != NULL; i++)
			if (strlen(allowed[i]) == len &&
			    memcmp(allowed[i], k, len) == 0)
				break;
		if (k == NULL || allowed[i] == NULL) {
			fprintf(stderr, "mpic setup: %s: %s: unknown key "
			    "\"%.*s\"\n", inv->path, key, k ? (int)len : 1,
			    k ? k : "?");
			return EX_CONFIG_;
		}
	}
	return 0;
}

static struct fy_node *
child(struct fy_node *map, const char *key)
{
	return fy_node_mapping_lookup_by_string(map, key, FY_NT);
}

static int
norm_rir(const char *in, char *out, size_t outlen)
{
	static const char *const names[][2] = {
		{"ARIN", "ARIN"}, {"RIPE NCC", "RIPE NCC"},
		{"RIPE", "RIPE NCC"}, {"RIPE-NCC", "RIPE NCC"},
		{"APNIC", "APNIC"}, {"LACNIC", "LACNIC"},
		{"AFRINIC", "AFRINIC"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(in, names[i][0]) == 0) {
			snprintf(out, outlen, "%s", names[i][1]);
			return 0;
		}
	return -1;
}

static bool
is_ip(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* A DNS name as certificates carry it: labels of letters, digits and
 * hyphens. */
static bool
is_dns_name(const char *s)
{
	size_t i, label = 0;

	if (*s == '\0' || strlen(s) > 253)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0;
}

/* https://HOST[:PORT][/...] into host, port. */
static int
parse_url(const char *url, char *host, size_t hostlen, unsigned *port,
	  bool *ip)
{
	const char *h, *e, *p;
	char *end;
	unsigned long v = 443;

	if (strncmp(url, "https://", 8) != 0)
		return -1;
	h = url + 8;
	if (*h == '[') {
		if ((e = strchr(h, ']')) == NULL)
			return -1;
		h++;
		p = e + 1;
	} else {
		e = h + strcspn(h, ":/?#");
		p = e;
	}
	if (e == h || (size_t)(e - h) >= hostlen)
		return -1;
	memcpy(host, h, (size_t)(e - h));
	host[e - h] = '\0';
	if (*p == ':') {
		errno = 0;
		v = strtoul(p + 1, &end, 10);
		if (errno != 0 || end == p + 1 || v < 1 || v > 65535 ||
		    (*end != '\0' && *end != '/'))
			return -1;
	} else if (*p != '\0' && *p != '/') {
		return -1;
	}
	*port = (unsigned)v;
	*ip = is_ip(host);
	return *ip || is_dns_name(host) ? 0 : -1;
}

static int
parse_coordinator(struct inventory *inv, struct fy_node *c)
{
	static const char *const keys[] = {"name", "addresses", "listen",
	    "audit_path", NULL};
	struct fy_node *a, *item;
	void *it = NULL;
	int rc;

	if ((rc = check_map(inv, c, "coordinator", keys)) != 0 ||
	    (rc = get_str(inv, child(c, "name"), "coordinator.name",
	    inv->coord_name, sizeof(inv->coord_name))) != 0)
		return rc;
	if (!is_dns_name(inv->coord_name))
		return inv_err(inv, "coordinator.name", "not a DNS name");
	snprintf(inv->coord_listen, sizeof(inv->coord_listen),
	    "0.0.0.0:8443");
	if (child(c, "listen") != NULL && (rc = get_str(inv,
	    child(c, "listen"), "coordinator.listen", inv->coord_listen,
	    sizeof(inv->coord_listen))) != 0)
		return rc;
	if (child(c, "audit_path") != NULL && (rc = get_str(inv,
	    child(c, "audit_path"), "coordinator.audit_path",
	    inv->audit_path, sizeof(inv->audit_path))) != 0)
		return rc;
	if ((a = child(c, "addresses")) == NULL)
		return 0;
	if (fy_node_get_type(a) != FYNT_SEQUENCE)
		return inv_err(inv, "coordinator.addresses",
		    "expected a list of IP addresses");
	while ((item = fy_node_sequence_iterate(a, &it)) != NULL) {
		if (inv->n_addrs == INV_MAX_ADDRS)
			return inv_err(inv, "coordinator.addresses",
			    "more than 16");
		if ((rc = get_str(inv, item, "coordinator.addresses",
		    inv->addrs[inv->n_addrs], sizeof(inv->addrs[0]))) != 0)
			return rc;
		if (!is_ip(inv->addrs[inv->n_addrs]))
			return inv_err(inv, "coordinator.addresses",
			    "not an IP address");
		inv->n_addrs++;
	}
	return 0;
}

/* names: DNS names or IP addresses, besides the URL's host, for the
 * perspective's certificate (a load balancer's name, a lab's aliases). */
static int
get_names(const struct inventory *inv, struct fy_node *n, const char *key,
	  struct inv_persp *p)
{
	struct fy_node *item;
	void *it = NULL;
	int rc;

	if (fy_node_get_type(n) != FYNT_SEQUENCE)
		return inv_err(inv, key, "expected a list of names");
	while ((item = fy_node_sequence_iterate(n, &it)) != NULL) {
		if (p->n_names == INV_MAX_ADDRS)
			return inv_err(inv, key, "more than 16");
		if ((rc = get_str(inv, item, key, p->names[p->n_names],
		    sizeof(p->names[0]))) != 0)
			return rc;
		if (!is_ip(p->names[p->n_names]) &&
		    !is_dns_name(p->names[p->n_names]))
			return inv_err(inv, key, "not a DNS name or an IP "
			    "address");
		p->n_names++;
	}
	return 0;
}

static int
parse_perspective(struct inventory *inv, struct fy_node *n, size_t i)
{
	static const char *const keys[] = {"code", "rir", "location", "url",
	    "listen", "names", NULL};
	static const char *const loc_keys[] = {"lat", "lon", NULL};
	struct inv_persp *p = &inv->p[i];
	char key[64], rir[INV_STR];
	size_t j;
	int rc;

#define KEY(k) (snprintf(key, sizeof(key), "perspectives[%zu].%s", i, k), key)
	if ((rc = check_map(inv, n, KEY("*"), keys)) != 0 ||
	    (rc = get_str(inv, child(n, "code"), KEY("code"), p->code,
	    sizeof(p->code))) != 0 ||
	    (rc = get_str(inv, child(n, "rir"), KEY("rir"), rir,
	    sizeof(rir))) != 0 ||
	    (rc = check_map(inv, child(n, "location"), KEY("location"),
	    loc_keys)) != 0 ||
	    (rc = get_num(inv, fy_node_by_path(n, "location/lat", FY_NT, 0),
	    KEY("location.lat"), -90, 90, &p->lat)) != 0 ||
	    (rc = get_num(inv, fy_node_by_path(n, "location/lon", FY_NT, 0),
	    KEY("location.lon"), -180, 180, &p->lon)) != 0 ||
	    (rc = get_str(inv, child(n, "url"), KEY("url"), p->url,
	    sizeof(p->url))) != 0)
		return rc;
	if (norm_rir(rir, p->rir, sizeof(p->rir)) != 0)
		return inv_err(inv, KEY("rir"), "not one of ARIN, RIPE NCC, "
		    "APNIC, LACNIC, AFRINIC");
	/* the code names the host's directory and its configuration */
	for (j = 0; p->code[j] != '\0'; j++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._-", p->code[j]) == NULL)
			return inv_err(inv, KEY("code"), "only A-Z a-z 0-9 . _ -");
	if (strcmp(p->code, "ca") == 0 || strcmp(p->code, "coordinator") == 0
	    || p->code[0] == '.')
		return inv_err(inv, KEY("code"), "reserved for a directory of "
		    "the output");
	for (j = 0; j < i; j++)
		if (strcmp(inv->p[j].code, p->code) == 0)
			return inv_err(inv, KEY("code"), "duplicate code");
	if (parse_url(p->url, p->host, sizeof(p->host), &p->port,
	    &p->host_ip) != 0)
		return inv_err(inv, KEY("url"), "expected https://HOST[:PORT] "
		    "with a DNS name or an IP address");
	/* an IP in the URL is this host's: listen there; a name may
	 * resolve to an address the host does not have (NAT, a load
	 * balancer), so listen on every address */
	if (p->host_ip)
		snprintf(p->listen, sizeof(p->listen), strchr(p->host, ':') ?
		    "[%s]:%u" : "%s:%u", p->host, p->port);
	else
		snprintf(p->listen, sizeof(p->listen), "0.0.0.0:%u", p->port);
	if (child(n, "listen") != NULL && (rc = get_str(inv,
	    child(n, "listen"), KEY("listen"), p->listen,
	    sizeof(p->listen))) != 0)
		return rc;
	if (child(n, "names") != NULL && (rc = get_names(inv,
	    child(n, "names"), KEY("names"), p)) != 0)
		return rc;
#undef KEY
	return 0;
}

/* A subtree copied into the configurations as one line of flow YAML. */
static int
get_flow(const struct inventory *inv, struct fy_node *n, const char *key,
	 enum fy_node_type type, char **out)
{
	if (n == NULL)
		return 0;
	if (fy_node_get_type(n) != type)
		return inv_err(inv, key, type == FYNT_MAPPING ?
		    "expected a mapping" : "expected a list");
	if ((*out = fy_emit_node_to_string(n, FYECF_MODE_FLOW_ONELINE |
	    FYECF_WIDTH_INF)) == NULL)
		return inv_err(inv, key, "cannot copy");
	return 0;
}

static int
parse_inventory(struct inventory *inv, const char *text, size_t len)
{
	static const char *const keys[] = {"coordinator", "perspectives",
	    "perspective_count", "issuer_domains", "dns", "user", NULL};
	struct fy_document *doc = NULL;
	struct fy_node *root, *ps, *item;
	void *it = NULL;
	double count;
	size_t i;
	int rc = EX_CONFIG_;

	/* libfyaml 0.7 is kept away from tabs and control bytes, as
	 * lib/config does (it mishandles some) */
	for (i = 0; i < len; i++)
		if (((unsigned char)text[i] < 0x20 && text[i] != '\n' &&
		    text[i] != '\r') || text[i] == 0x7f)
			return inv_err(inv, "file", "tabs and control "
			    "characters are not allowed");
	if ((doc = fy_document_build_from_string(NULL, text, len)) == NULL ||
	    (root = fy_document_root(doc)) == NULL) {
		inv_err(inv, "file", "not a YAML document");
		goto out;
	}
	if ((rc = check_map(inv, root, "top level", keys)) != 0 ||
	    (rc = parse_coordinator(inv, child(root, "coordinator"))) != 0)
		goto out;
	ps = child(root, "perspectives");
	if (ps == NULL || fy_node_get_type(ps) != FYNT_SEQUENCE ||
	    fy_node_sequence_item_count(ps) < 1) {
		rc = inv_err(inv, "perspectives", "expected a list of "
		    "perspectives");
		goto out;
	}
	if (fy_node_sequence_item_count(ps) > INV_MAX_PERSP) {
		rc = inv_err(inv, "perspectives", "more than 128");
		goto out;
	}
	while ((item = fy_node_sequence_iterate(ps, &it)) != NULL)
		if ((rc = parse_perspective(inv, item, inv->n++)) != 0)
			goto out;
	if (child(root, "perspective_count") != NULL) {
		if ((rc = get_num(inv, child(root, "perspective_count"),
		    "perspective_count", 1, INV_MAX_PERSP, &count)) != 0)
			goto out;
		inv->count = (int)count;
	}
	if (child(root, "user") != NULL && (rc = get_str(inv,
	    child(root, "user"), "user", inv->user, sizeof(inv->user))) != 0)
		goto out;
	if ((rc = get_flow(inv, child(root, "dns"), "dns", FYNT_MAPPING,
	    &inv->dns)) != 0 || (rc = get_flow(inv, child(root,
	    "issuer_domains"), "issuer_domains", FYNT_SEQUENCE,
	    &inv->issuers)) != 0)
		goto out;
	rc = 0;
out:
	fy_document_destroy(doc);
	return rc;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n;

	if (f == NULL)
		return NULL;
	if ((buf = malloc(INV_MAX_BYTES + 1)) != NULL) {
		n = fread(buf, 1, INV_MAX_BYTES + 1, f);
		if (n > INV_MAX_BYTES || ferror(f)) {
			free(buf);
			buf = NULL;
			errno = n > INV_MAX_BYTES ? EFBIG : EIO;
		} else {
			buf[n] = '\0';
			*len = n;
		}
	}
	fclose(f);
	return buf;
}

int
setup_inventory_load(const char *path, struct inventory *inv)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(inv, 0, sizeof(*inv));
	inv->path = path;
	if ((text = read_file(path, &len)) == NULL) {
		fprintf(stderr, "mpic setup: %s: %s\n", path, errno == EFBIG ?
		    "larger than 1 MiB" : strerror(errno));
		return EX_CONFIG_;
	}
	rc = parse_inventory(inv, text, len);
	free(text);
	return rc;
}

void
setup_inventory_release(struct inventory *inv)
{
	free(inv->dns);
	free(inv->issuers);
	inv->dns = NULL;
	inv->issuers = NULL;
}
