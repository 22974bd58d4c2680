/*
 * fake_world.c - the DNS world of a scenario (docs/testing.md, "dns"):
 * zones with their DNSSEC state and server behaviour, records in
 * zone-file syntax, answers given outright, and views (another world for
 * the resolvers configured with root_hints: VIEW).  What a validating
 * resolver would hand back for one lookup is made here; fake_unbound.c
 * hands it over as libunbound's event API does.
 *
 * Not an authoritative server: a name is answered from its zone (the
 * deepest declared zone above it; for DS at a zone's apex, the parent's),
 * CNAMEs are followed inside the data, a name that owns no record and has
 * no record below it is NXDOMAIN, and "*.X" records answer for names under
 * X that do not exist.  Denial proofs (NSEC, NSEC3) are given with an
 * answer's authority section.  Worlds chain: a view, then a case's world,
 * then its file's; the first that has a record set for a name and type
 * hides the others' (so a view or a case replaces a set).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "fake_world.h"

#define MAX_REPEAT 5000

/* ------------------------------------------------------------ names */

/* "Permit.CAA.lab." -> "permit.caa.lab"; "." -> "". */
static void
name_norm(const char *in, char *out, size_t outlen)
{
	size_t i, n = strlen(in);

	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n >= outlen)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = '\0';
}

void
fake_rdf_name(const ldns_rdf *rdf, char *out, size_t outlen)
{
	char *s = ldns_rdf2str(rdf);

	name_norm(s != NULL ? s : "", out, outlen);
	free(s);
}

/* Next name up; NULL above the root. */
const char *
fake_name_up(const char *n)
{
	const char *dot;

	if (*n == '\0')
		return NULL;
	dot = strchr(n, '.');
	return dot != NULL ? dot + 1 : "";
}

/* Is n at or under apex? */
bool
fake_name_under(const char *n, const char *apex)
{
	size_t ln = strlen(n), la = strlen(apex);

	if (la == 0)
		return true;
	if (ln < la || strcmp(n + ln - la, apex) != 0)
		return false;
	return ln == la || n[ln - la - 1] == '.';
}

int
fake_name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int
cmp_rec(const void *a, const void *b)
{
	const struct frec *x = a, *y = b;
	int c = strcmp(x->owner, y->owner);

	return c != 0 ? c : (int)x->type - (int)y->type;
}

/* ------------------------------------------------------------ parsing */

static int
sec_parse(const char *s, int *out)
{
	if (strcmp(s, "secure") == 0)
		*out = FAKE_SEC_SECURE;
	else if (strcmp(s, "insecure") == 0)
		*out = FAKE_SEC_INSECURE;
	else if (strcmp(s, "bogus") == 0)
		*out = FAKE_SEC_BOGUS;
	else
		return -1;
	return 0;
}

static int
rcode_parse(const char *s, int *out)
{
	static const char *const names[] = {"NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	return -1;
}

static int
server_parse(const char *s, int *out)
{
	static const char *const names[] = {
		[FAKE_SRV_OK] = "ok", [FAKE_SRV_REFUSED] = "refused",
		[FAKE_SRV_SERVFAIL] = "servfail",
		[FAKE_SRV_UNREACHABLE] = "unreachable",
		[FAKE_SRV_SILENT] = "silent",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	return -1;
}

/* "OWNER [TTL] [CLASS] TYPE \# LEN HEX...": RFC 3597's form, which ldns
 * reads for unknown types only; here for any type (malformed rdata). */
static ldns_rr *
rr_generic(const char *line, const char *mark)
{
	char head[FAKE_NAME_MAX + 64], *tok, *save = NULL, *owner = NULL;
	char *type = NULL;
	uint8_t data[4096];
	const char *p = mark + 2;
	size_t n = 0, want;
	ldns_rr *rr = NULL;
	ldns_rdf *o = NULL;
	char *end;
	int hi = -1;

	if ((size_t)(mark - line) >= sizeof(head))
		return NULL;
	memcpy(head, line, (size_t)(mark - line));
	head[mark - line] = '\0';
	for (tok = strtok_r(head, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (owner == NULL)
			owner = tok;
		else
			type = tok;
	}
	want = (size_t)strtoul(p, &end, 10);
	if (owner == NULL || type == NULL || end == p || want > sizeof(data))
		return NULL;
	for (p = end; *p != '\0'; p++) {
		int v;

		if (isspace((unsigned char)*p))
			continue;
		if (!isxdigit((unsigned char)*p))
			return NULL;
		v = isdigit((unsigned char)*p) ? *p - '0' :
		    tolower((unsigned char)*p) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == sizeof(data))
			return NULL;
		data[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0 || n != want || ldns_get_rr_type_by_name(type) == 0 ||
	    (o = ldns_dname_new_frm_str(owner)) == NULL)
		return NULL;
	rr = ldns_rr_new();
	ldns_rr_set_owner(rr, o);
	ldns_rr_set_type(rr, ldns_get_rr_type_by_name(type));
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, 300);
	if (n > 0)
		ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN,
		    n, data));
	return rr;
}

static ldns_rr *
rr_parse(const char *line, char *err, size_t errlen)
{
	const char *mark = strstr(line, " \\# ");
	ldns_rr *rr = NULL;
	ldns_status s;

	if (mark != NULL) {
		if ((rr = rr_generic(line, mark + 1)) == NULL)
			snprintf(err, errlen, "record \"%s\": bad \\# rdata",
			    line);
		return rr;
	}
	s = ldns_rr_new_frm_str(&rr, line, 300, NULL, NULL);
	if (s != LDNS_STATUS_OK) {
		snprintf(err, errlen, "record \"%s\": %s", line,
		    ldns_get_errorstr_by_id(s));
		return NULL;
	}
	return rr;
}

/* "{}" in pattern replaced by i, zero-padded to width. */
static int
expand(const char *pattern, unsigned long i, int width, char *out,
       size_t outlen)
{
	const char *at = strstr(pattern, "{}");
	int n;

	if (at == NULL)
		return -1;
	n = snprintf(out, outlen, "%.*s%0*lu%s", (int)(at - pattern), pattern,
	    width, i, at + 2);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static int
add_rr(struct fake_dns *w, ldns_rr *rr, size_t *cap)
{
	struct frec *r;

	if (w->n_recs == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;

		if ((r = realloc(w->recs, nc * sizeof(*r))) == NULL)
			return -1;
		w->recs = r;
		*cap = nc;
	}
	r = &w->recs[w->n_recs++];
	fake_rdf_name(ldns_rr_owner(rr), r->owner, sizeof(r->owner));
	r->type = ldns_rr_get_type(rr);
	r->rr = rr;
	return 0;
}

static int
load_records(struct fake_dns *w, const json_t *list, char *err, size_t errlen)
{
	size_t i, cap = 0;
	json_t *it;

	json_array_foreach(list, i, it) {
		char line[8192];
		unsigned long from = 1, to = 1, k;
		int width = 0;
		const char *pat;

		if (json_is_string(it)) {
			pat = json_string_value(it);
		} else if (json_is_object(it) &&
		    json_is_string(json_object_get(it, "rr"))) {
			pat = json_string_value(json_object_get(it, "rr"));
			from = (unsigned long)json_integer_value(
			    json_object_get(it, "from"));
			to = (unsigned long)json_integer_value(
			    json_object_get(it, "to"));
			width = (int)json_integer_value(json_object_get(it,
			    "width"));
			if (to < from || to - from >= MAX_REPEAT) {
				snprintf(err, errlen, "records[%zu]: from..to "
				    "must hold 1 to %d values", i, MAX_REPEAT);
				return -1;
			}
		} else {
			snprintf(err, errlen, "records[%zu]: a string or "
			    "{rr, from, to, width}", i);
			return -1;
		}
		for (k = from; k <= to; k++) {
			ldns_rr *rr;

			if (!json_is_string(it)) {
				if (expand(pat, k, width, line,
				    sizeof(line)) != 0) {
					snprintf(err, errlen, "records[%zu]: "
					    "rr needs one {}", i);
					return -1;
				}
			} else {
				snprintf(line, sizeof(line), "%s", pat);
			}
			if ((rr = rr_parse(line, err, errlen)) == NULL)
				return -1;
			if (add_rr(w, rr, &cap) != 0) {
				ldns_rr_free(rr);
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
	}
	return 0;
}

/* Every owner and every name above it, sorted, without repeats. */
static int
index_names(struct fake_dns *w)
{
	size_t i, n = 0, cap = 0;

	for (i = 0; i < w->n_recs + w->n_zones; i++) {
		const char *nm = i < w->n_recs ? w->recs[i].owner :
		    w->zones[i - w->n_recs].apex;

		for (; nm != NULL; nm = fake_name_up(nm)) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 128;
				void *p = realloc(w->names, nc *
				    sizeof(*w->names));

				if (p == NULL)
					return -1;
				w->names = p;
				cap = nc;
			}
			snprintf(w->names[n++], FAKE_NAME_MAX, "%s", nm);
		}
	}
	if (n > 0)      /* a world of views only: no names, NULL */
		qsort(w->names, n, sizeof(*w->names), fake_name_cmp);
	w->n_names = 0;
	for (i = 0; i < n; i++)
		if (w->n_names == 0 ||
		    strcmp(w->names[w->n_names - 1], w->names[i]) != 0)
			memmove(w->names[w->n_names++], w->names[i],
			    FAKE_NAME_MAX);
	if (w->n_recs > 0)
		qsort(w->recs, w->n_recs, sizeof(*w->recs), cmp_rec);
	return 0;
}

static int
load_zones(struct fake_dns *w, const json_t *zones, char *err, size_t errlen)
{
	const char *apex;
	json_t *z;

	if ((w->zones = calloc(json_object_size(zones) + 1,
	    sizeof(*w->zones))) == NULL)
		return -1;
	json_object_foreach((json_t *)zones, apex, z) {
		struct fzone *fz = &w->zones[w->n_zones++];
		const char *s;

		name_norm(apex, fz->apex, sizeof(fz->apex));
		fz->sec = FAKE_SEC_SECURE;
		s = json_is_string(z) ? json_string_value(z) :
		    json_string_value(json_object_get(z, "dnssec"));
		if (s != NULL && sec_parse(s, &fz->sec) != 0) {
			snprintf(err, errlen, "zone %s: dnssec %s", apex, s);
			return -1;
		}
		if (!json_is_object(z))
			continue;
		s = json_string_value(json_object_get(z, "why_bogus"));
		if (s != NULL && (fz->why = strdup(s)) == NULL)
			return -1;
		s = json_string_value(json_object_get(z, "server"));
		if (s != NULL && server_parse(s, &fz->server) != 0) {
			snprintf(err, errlen, "zone %s: server %s", apex, s);
			return -1;
		}
		fz->delay_ms = (unsigned)json_integer_value(json_object_get(z,
		    "delay_ms"));
		fz->sync = json_is_true(json_object_get(z, "sync"));
	}
	return 0;
}

static int
rr_list(const json_t *lines, ldns_rr_list **out, char *err, size_t errlen)
{
	size_t i;
	json_t *it;

	*out = ldns_rr_list_new();
	json_array_foreach(lines, i, it) {
		ldns_rr *rr;

		if (!json_is_string(it)) {
			snprintf(err, errlen, "a record must be a string");
			return -1;
		}
		if ((rr = rr_parse(json_string_value(it), err, errlen)) == NULL)
			return -1;
		ldns_rr_list_push_rr(*out, rr);
	}
	return 0;
}

static int
load_answers(struct fake_dns *w, const json_t *list, char *err, size_t errlen)
{
	size_t i;
	json_t *a;

	if ((w->ans = calloc(json_array_size(list) + 1,
	    sizeof(*w->ans))) == NULL)
		return -1;
	json_array_foreach(list, i, a) {
		struct fans *fa = &w->ans[w->n_ans++];
		const char *name = json_string_value(json_object_get(a, "name"));
		const char *type = json_string_value(json_object_get(a, "type"));
		const char *s;

		fa->sec = -1;
		fa->an = fa->ns = NULL;
		if (name == NULL || type == NULL ||
		    (fa->type = ldns_get_rr_type_by_name(type)) == 0) {
			snprintf(err, errlen, "answers[%zu]: needs a name and "
			    "a type", i);
			return -1;
		}
		name_norm(name, fa->name, sizeof(fa->name));
		fa->attempt = (unsigned)json_integer_value(json_object_get(a,
		    "attempt"));
		s = json_string_value(json_object_get(a, "rcode"));
		if (s != NULL && rcode_parse(s, &fa->rcode) != 0) {
			snprintf(err, errlen, "answers[%zu]: rcode %s", i, s);
			return -1;
		}
		fa->pkt_rcode = fa->rcode;
		s = json_string_value(json_object_get(a, "packet_rcode"));
		if (s != NULL && rcode_parse(s, &fa->pkt_rcode) != 0) {
			snprintf(err, errlen, "answers[%zu]: packet_rcode %s",
			    i, s);
			return -1;
		}
		s = json_string_value(json_object_get(a, "dnssec"));
		if (s != NULL && sec_parse(s, &fa->sec) != 0) {
			snprintf(err, errlen, "answers[%zu]: dnssec %s", i, s);
			return -1;
		}
		s = json_string_value(json_object_get(a, "why_bogus"));
		if (s != NULL && (fa->why = strdup(s)) == NULL)
			return -1;
		fa->tc = json_is_true(json_object_get(a, "tc"));
		fa->silent = json_is_true(json_object_get(a, "silent"));
		fa->sync = json_is_true(json_object_get(a, "sync"));
		fa->delay_ms = (unsigned)json_integer_value(json_object_get(a,
		    "delay_ms"));
		if (rr_list(json_object_get(a, "answer"), &fa->an, err,
		    errlen) != 0 || rr_list(json_object_get(a, "authority"),
		    &fa->ns, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static int world_load(struct fake_dns *w, const json_t *spec, char *err,
		      size_t errlen);

static int
load_views(struct fake_dns *w, const json_t *views, char *err, size_t errlen)
{
	const char *name;
	json_t *v;

	json_object_foreach((json_t *)views, name, v) {
		struct fake_dns *vw;

		if (w->n_views == FAKE_MAX_VIEWS) {
			snprintf(err, errlen, "at most %d views", FAKE_MAX_VIEWS);
			return -1;
		}
		if ((vw = calloc(1, sizeof(*vw))) == NULL)
			return -1;
		w->views[w->n_views++] = vw;
		snprintf(vw->view, sizeof(vw->view), "%s", name);
		if (world_load(vw, v, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static int
world_load(struct fake_dns *w, const json_t *spec, char *err, size_t errlen)
{
	static const char *const keys[] = {"zones", "records", "answers",
	    "views", "comment"};
	const char *k;
	json_t *v;
	size_t i;

	if (spec != NULL && !json_is_object(spec)) {
		snprintf(err, errlen, "dns: must be an object");
		return -1;
	}
	json_object_foreach((json_t *)spec, k, v) {
		for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (i == sizeof(keys) / sizeof(*keys)) {
			snprintf(err, errlen, "dns: unknown key %s", k);
			return -1;
		}
	}
	if (load_zones(w, json_object_get(spec, "zones"), err, errlen) != 0 ||
	    load_records(w, json_object_get(spec, "records"), err,
	    errlen) != 0 ||
	    load_answers(w, json_object_get(spec, "answers"), err,
	    errlen) != 0 ||
	    load_views(w, json_object_get(spec, "views"), err, errlen) != 0 ||
	    index_names(w) != 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
fake_dns_new(const json_t *spec, const struct fake_dns *parent,
	     struct fake_dns **out, char *err, size_t errlen)
{
	struct fake_dns *w = calloc(1, sizeof(*w));

	*out = NULL;
	err[0] = '\0';
	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->parent = parent;
	if (world_load(w, spec, err, errlen) != 0) {
		fake_dns_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

void
fake_dns_free(struct fake_dns *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n_recs; i++)
		ldns_rr_free(w->recs[i].rr);
	for (i = 0; i < w->n_zones; i++)
		free(w->zones[i].why);
	for (i = 0; i < w->n_ans; i++) {
		free(w->ans[i].why);
		ldns_rr_list_deep_free(w->ans[i].an);
		ldns_rr_list_deep_free(w->ans[i].ns);
	}
	for (i = 0; i < w->n_views; i++)
		fake_dns_free(w->views[i]);
	free(w->recs);
	free(w->names);
	free(w->zones);
	free(w->ans);
	free(w);
}

