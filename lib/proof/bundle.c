/*
 * bundle.c - evidence bundles (mpic/evidence.h, docs/evidence.md "Bundle"):
 * one request's audit records verbatim (so that each record's hash can be
 * recomputed from its bytes), its perspectives' keys, codes, RIRs and
 * locations, and copies of the request and decision for the reader.
 * Verifying trusts none of the copies: they must equal the decision
 * record, every record's hash must hold, every perspective record's
 * statement must verify, and what the statements prove is worked out from
 * the verified statements alone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proof/proof.h"

#define BUNDLE_FORMAT "mpic-evidence-1"
#define MAX_FILES 1025
#define BUNDLE_MAX_RECORDS 4096

static const char *const request_keys[] = {"target", "identifier",
    "check_type", "method", "method_label", "br_section",
    "perspective_call", NULL};
static const char *const decision_keys[] = {"is_valid", "quorum_result",
    "quorum_count", "perspective_count", "attempts", "perspectives",
    "br_date", NULL};

static json_t *
pick(const json_t *rec, const char *const *keys)
{
	json_t *o = json_object(), *v;
	size_t i;

	for (i = 0; o != NULL && keys[i] != NULL; i++)
		if ((v = json_object_get(rec, keys[i])) != NULL)
			json_object_set(o, keys[i], v);
	return o;
}

/* The lines of audit_id in file, appended to lines; the decision record
 * into *decision (the last one seen). */
static int
collect(const char *file, const char *audit_id, json_t *lines,
	json_t **decision, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	char needle[64], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	json_t *rec;
	const char *type, *s;

	if (f == NULL) {
		mpic__bufprintf(err, errlen, "%s: %s", file, strerror(errno));
		return MPIC_EIO;
	}
	mpic__bufprintf(needle, sizeof(needle), "\"audit_id\":\"%s\"",
	    audit_id);
	while ((n = getline(&line, &cap, f)) > 0) {
		if (n > MPIC_AUDIT_LINE_MAX + 1 || strstr(line, needle) == NULL)
			continue;
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		rec = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
		type = json_string_value(json_object_get(rec, "type"));
		s = json_string_value(json_object_get(rec, "audit_id"));
		if (s != NULL && strcmp(s, audit_id) == 0 &&
		    json_array_size(lines) < BUNDLE_MAX_RECORDS) {
			json_array_append_new(lines, json_stringn(line,
			    (size_t)n));
			if (type != NULL && strcmp(type, "decision") == 0) {
				json_decref(*decision);
				*decision = json_incref(rec);
			}
		}
		json_decref(rec);
	}
	free(line);
	fclose(f);
	return 0;
}

/* The keys of the perspectives the records name, as a bundle lists them. */
static json_t *
named_keys(const struct proof_keys *all, const json_t *lines)
{
	struct proof_keys sub = {0};
	struct proof_persp *p;
	const json_t *l;
	json_t *rec, *out;
	const char *code;
	size_t i;

	if ((sub.p = mpic__calloc(all->n + 1, sizeof(*sub.p))) == NULL)
		return NULL;
	json_array_foreach(lines, i, l) {
		rec = json_loads(json_string_value(l), 0, NULL);
		code = json_string_value(json_object_get(rec,
		    "perspective_code"));
		if (code != NULL && proof_keys_find(&sub, code) == NULL &&
		    proof_keys_find(all, code) != NULL) {
			p = &sub.p[sub.n++];
			*p = *proof_keys_find(all, code);
		}
		json_decref(rec);
	}
	out = proof_keys_to_json(&sub);
	mpic__free(sub.p);          /* the keys are all's */
	return out;
}

int
mpic_evidence_bundle(const char *audit_path, const char *audit_id,
		     const char *keys_file, char **out, char *err,
		     size_t errlen)
{
	struct proof_keys keys = {0};
	char *files[MAX_FILES];
	json_t *lines = json_array(), *decision = NULL, *b = NULL, *ks;
	size_t n, i;
	int rc;

	*out = NULL;
	n = proof_log_files(audit_path, files, MAX_FILES);
	if ((rc = proof_keys_load(keys_file, &keys, err, errlen)) != 0)
		goto out;
	rc = MPIC_ENOENT;
	if (n == 0) {
		mpic__bufprintf(err, errlen, "%s: no such file, nor any "
		    "worker's chain %s.wN", audit_path, audit_path);
		goto out;
	}
	for (i = 0; i < n && lines != NULL; i++)
		if ((rc = collect(files[i], audit_id, lines, &decision, err,
		    errlen)) != 0)
			goto out;
	rc = MPIC_ENOENT;
	if (decision == NULL) {
		mpic__bufprintf(err, errlen, "%s: no decision record of "
		    "audit_id %s", audit_path, audit_id);
		goto out;
	}
	rc = MPIC_ENOMEM;
	ks = named_keys(&keys, lines);
	b = json_pack("{s:s,s:s,s:o,s:o,s:O,s:o}", "format", BUNDLE_FORMAT,
	    "audit_id", audit_id, "request", pick(decision, request_keys),
	    "decision", pick(decision, decision_keys), "records", lines,
	    "perspectives", ks ? ks : json_null());
	if (b == NULL || ks == NULL)
		goto out;
	if ((*out = json_dumps(b, JSON_INDENT(1) | JSON_ENSURE_ASCII)) == NULL)
		goto out;
	rc = 0;
out:
	for (i = 0; i < n; i++)
		mpic__free(files[i]);
	json_decref(b);
	json_decref(lines);
	json_decref(decision);
	proof_keys_release(&keys);
	return rc;
}

/* ------------------------------------------------------------ verify */

struct vctx {
	mpic_evidence_note_cb cb;
	void *arg;
	size_t problems;
};

static void
problem(struct vctx *v, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
problem(struct vctx *v, const char *where, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->problems++;
	v->cb(v->arg, where, msg);
}

/* The copies (request, decision) equal the decision record's fields. */
static void
check_copy(struct vctx *v, const json_t *b, const char *name,
	   const char *const *keys, const json_t *decision)
{
	const json_t *copy = json_object_get(b, name), *x;
	const char *k;
	char where[96];
	size_t i;

	json_object_foreach((json_t *)copy, k, x) {
		for (i = 0; keys[i] != NULL && strcmp(keys[i], k) != 0; i++)
			;
		mpic__bufprintf(where, sizeof(where), "%s.%s", name, k);
		if (keys[i] == NULL || !json_equal(x, json_object_get(decision,
		    k)))
			problem(v, where, "differs from the decision record");
	}
}

/* A bundle's keys against KEYS: the same keys, RIR and location. */
static void
check_against(struct vctx *v, const struct proof_keys *bk,
	      const struct proof_keys *fk)
{
	const struct proof_persp *a, *f;
	uint8_t fa[MPIC__EV_DIGEST_LEN], ff[MPIC__EV_DIGEST_LEN];
	char where[96];
	size_t i, j, k;
	bool found;

	for (i = 0; i < bk->n; i++) {
		a = &bk->p[i];
		mpic__bufprintf(where, sizeof(where), "perspectives[%zu] (%s)",
		    i, a->code);
		if ((f = proof_keys_find(fk, a->code)) == NULL) {
			problem(v, where, "not a perspective of the keys file");
			continue;
		}
		if (strcmp(a->rir, f->rir) != 0 ||
		    mpic__distance_km(a->loc, f->loc) > 1.0)
			problem(v, where, "its rir or location differ from "
			    "the keys file");
		for (j = 0; j < a->nk; j++) {
			found = false;
			(void)mpic__ev_key_fingerprint(a->k[j], fa);
			for (k = 0; k < f->nk; k++)
				found |= mpic__ev_key_fingerprint(f->k[k],
				    ff) == 0 && memcmp(fa, ff, sizeof(fa)) == 0;
			if (!found)
				problem(v, where, "keys[%zu] is not a key the "
				    "keys file gives it", j);
		}
	}
}

/* What the verified passing statements of the deciding attempt prove. */
static void
prove(struct vctx *v, const struct proof_keys *keys, const json_t *decision,
      const char *codes[], size_t n, json_t *digest_hex, char **proves)
{
	const struct proof_persp *p[256];
	char rirs[6][16], fps[256][17];
	size_t nr = 0, i, j, np = 0;
	double km, mind = -1;
	json_int_t quorum = json_integer_value(json_object_get(decision,
	    "quorum_count"));
	bool valid = json_is_true(json_object_get(decision, "is_valid"));
	bool enough, rirs_ok, far;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	uint8_t fp[MPIC__EV_DIGEST_LEN];

	for (i = 0; i < n && np < 256; i++) {
		if ((p[np] = proof_keys_find(keys, codes[i])) == NULL)
			continue;
		for (j = 0; j < nr && strcmp(rirs[j], p[np]->rir) != 0; j++)
			;
		if (j == nr && nr < 6)
			mpic__bufprintf(rirs[nr++], 16, "%s", p[np]->rir);
		np++;
	}
	for (i = 0; i < np; i++)
		for (j = i + 1; j < np; j++) {
			km = mpic__distance_km(p[i]->loc, p[j]->loc);
			if (mind < 0 || km < mind)
				mind = km;
		}
	enough = (json_int_t)np >= quorum && np > 0;
	rirs_ok = nr >= 2 || np < 2;
	far = np < 2 || mind >= MPIC__MIN_DISTANCE_KM;
	if (m == NULL)
		return;
	fprintf(m, "request: %s, request digest %s\n",
	    json_string_value(json_object_get(decision, "target")) ?
	    json_string_value(json_object_get(decision, "target")) : "?",
	    json_string_value(digest_hex) ? json_string_value(digest_hex) :
	    "(none recorded)");
	fprintf(m, "proves: %zu distinct perspectives signed that they "
	    "observed the check pass for this request:\n", np);
	for (i = 0; i < np; i++) {
		fps[i][0] = '\0';
		if (p[i]->nk > 0 && mpic__ev_key_fingerprint(p[i]->k[0],
		    fp) == 0)
			mpic__ev_hex(fp, 8, fps[i]);
		fprintf(m, "  %s (%s, lat %.1f lon %.1f), key %s...\n",
		    p[i]->code, p[i]->rir, p[i]->loc.lat, p[i]->loc.lon,
		    fps[i]);
	}
	fprintf(m, "RIRs: %zu (", nr);
	for (i = 0; i < nr; i++)
		fprintf(m, "%s%s", i ? ", " : "", rirs[i]);
	fprintf(m, "); closest pair by configured locations: ");
	if (mind < 0)
		fprintf(m, "(one perspective)\n");
	else
		fprintf(m, "%.0f km (%s 500 km)\n", mind, far ? ">=" : "<");
	fprintf(m, "decision: is_valid %s, quorum_result %s, quorum_count "
	    "%lld: ", valid ? "true" : "false",
	    json_string_value(json_object_get(decision, "quorum_result")) ?
	    json_string_value(json_object_get(decision, "quorum_result")) :
	    "?", (long long)quorum);
	if (!valid)
		fprintf(m, "not valid: there is nothing to support\n");
	else if (enough && rirs_ok && far)
		fprintf(m, "supported by the signed statements (>= %lld "
		    "distinct perspectives, >= 2 RIRs, >= 500 km apart)\n",
		    (long long)quorum);
	else
		fprintf(m, "NOT supported by the signed statements\n");
	fclose(m);
	if (valid && !(enough && rirs_ok && far))
		problem(v, "decision", "the signed statements do not support "
		    "is_valid true (%zu verified passes, %zu RIRs)", np, nr);
	*proves = text;
}

int
mpic_evidence_verify(const char *text, size_t len, const char *keys_file,
		     mpic_evidence_note_cb cb, void *arg, char **proves,
		     char *err, size_t errlen)
{
	struct vctx v = {cb, arg, 0};
	struct proof_keys bk = {0}, fk = {0};
	const struct proof_keys *use;
	struct mpic_audit_line al;
	struct mpic__ev_signed st;
	json_t *b, *recs, *l, *rec, *decision = NULL, *dhex = NULL;
	const char *s, *type, *id, *codes[256];
	uint8_t digest[MPIC__EV_DIGEST_LEN];
	char where[64], why[512], hex[2 * MPIC__EV_DIGEST_LEN + 1];
	json_int_t attempt, last_seq = 0;
	size_t i, ncodes = 0, j;
	bool have_digest;
	int rc = MPIC_EPARSE;

	*proves = NULL;
	b = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	s = json_string_value(json_object_get(b, "format"));
	id = json_string_value(json_object_get(b, "audit_id"));
	recs = json_object_get(b, "records");
	if (!json_is_object(b) || s == NULL || strcmp(s, BUNDLE_FORMAT) != 0 ||
	    id == NULL || !json_is_array(recs)) {
		mpic__bufprintf(err, errlen, "not an evidence bundle (format "
		    "%s with audit_id and records)", BUNDLE_FORMAT);
		goto out;
	}
	if ((rc = proof_keys_json(json_object_get(b, "perspectives"), &bk,
	    err, errlen)) != 0)
		goto out;
	use = &bk;
	if (keys_file != NULL) {
		if ((rc = proof_keys_load(keys_file, &fk, err, errlen)) != 0)
			goto out;
		check_against(&v, &bk, &fk);
		use = &fk;
	}
	rc = MPIC_EPARSE;
	/* every record: its bytes hash to its hash, of this request */
	json_array_foreach(recs, i, l) {
		mpic__bufprintf(where, sizeof(where), "records[%zu]", i);
		s = json_string_value(l);
		if (s == NULL || mpic_audit_line_parse(s, strlen(s), &al, why,
		    sizeof(why)) != 0) {
			problem(&v, where, "%s", s ? why : "not a string");
			continue;
		}
		rec = json_loads(s, 0, NULL);
		if (!json_equal(json_object_get(rec, "audit_id"),
		    json_object_get(b, "audit_id")))
			problem(&v, where, "a record of another request");
		if ((json_int_t)al.seq <= last_seq)
			problem(&v, where, "seq %llu out of order",
			    (unsigned long long)al.seq);
		last_seq = (json_int_t)al.seq;
		type = json_string_value(json_object_get(rec, "type"));
		if (type != NULL && strcmp(type, "decision") == 0) {
			json_decref(decision);
			decision = json_incref(rec);
		}
		json_decref(rec);
	}
	if (decision == NULL) {
		problem(&v, "records", "no decision record");
		goto done;
	}
	check_copy(&v, b, "request", request_keys, decision);
	check_copy(&v, b, "decision", decision_keys, decision);
	have_digest = proof_call_digest(decision, digest) == 0;
	if (have_digest) {
		mpic__ev_hex(digest, sizeof(digest), hex);
		dhex = json_string(hex);
	}
	attempt = json_integer_value(json_object_get(decision, "attempts"));
	json_array_foreach(recs, i, l) {
		rec = json_loads(json_string_value(l), 0, NULL);
		type = json_string_value(json_object_get(rec, "type"));
		if (type == NULL || strcmp(type, "perspective") != 0) {
			json_decref(rec);
			continue;
		}
		mpic__bufprintf(where, sizeof(where), "records[%zu]", i);
		switch (proof_record_check(use, rec, have_digest ? digest :
		    NULL, &st, why, sizeof(why))) {
		case PROOF_BAD:
			problem(&v, where, "%s", why);
			break;
		case PROOF_UNSIGNED_ERROR:
			break;
		case PROOF_VERIFIED:
			/* the deciding attempt's corroborations, each
			 * perspective once; not the primary, not late */
			if (st.st.verdict != MPIC__EV_PASSED ||
			    json_integer_value(json_object_get(rec,
			    "attempt")) != attempt ||
			    json_is_true(json_object_get(rec, "late")) ||
			    json_is_true(json_object_get(rec, "primary")))
				break;
			for (j = 0; j < ncodes && strcmp(codes[j],
			    st.st.code) != 0; j++)
				;
			if (j == ncodes && ncodes < 256)
				codes[ncodes++] = proof_keys_find(use,
				    st.st.code)->code;
			break;
		}
		json_decref(rec);
	}
	prove(&v, use, decision, codes, ncodes, dhex, proves);
done:
	rc = v.problems == 0 ? 0 : MPIC_EPARSE;
out:
	json_decref(dhex);
	json_decref(decision);
	json_decref(b);
	proof_keys_release(&bk);
	proof_keys_release(&fk);
	return rc;
}
