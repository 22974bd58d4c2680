/*
 * audit_sig.c - mpic_audit_verify_signatures() (mpic/evidence.h): every
 * perspective record's signed statement checked again, offline, against
 * the perspectives' public keys.
 *
 * Two passes over each file: the decision records first (each names the
 * body its perspectives were called with, whose digest their statements
 * must sign; a straggler's record may follow its decision), then the
 * perspective records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proof/proof.h"

#define MAX_FILES 1025

/* Each line of f (at most MPIC_AUDIT_LINE_MAX bytes) parsed: fn(rec,
 * seq) for every JSON object; lines that are not are the chain check's
 * business and skipped here. */
static int
each_record(const char *file, void (*fn)(void *, json_t *, json_int_t),
	    void *arg, char *err, size_t errlen)
{
	FILE *f = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	json_t *rec;

	if (f == NULL) {
		mpic__bufprintf(err, errlen, "%s: %s", file, strerror(errno));
		return MPIC_EIO;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		if (n > MPIC_AUDIT_LINE_MAX + 1)
			continue;
		rec = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
		if (json_is_object(rec))
			fn(arg, rec, json_integer_value(json_object_get(rec,
			    "seq")));
		json_decref(rec);
	}
	free(line);
	fclose(f);
	return 0;
}

struct pass {
	const struct proof_keys *keys;
	json_t *digests;            /* audit_id -> hex digest */
	const char *file;
	mpic_evidence_note_cb cb;
	void *arg;
	struct mpic_evidence_counts *counts;
};

static void
note_decision(void *arg, json_t *rec, json_int_t seq)
{
	struct pass *p = arg;
	const char *type = json_string_value(json_object_get(rec, "type"));
	const char *id = json_string_value(json_object_get(rec, "audit_id"));
	uint8_t d[MPIC__EV_DIGEST_LEN];
	char hex[2 * MPIC__EV_DIGEST_LEN + 1];

	(void)seq;
	if (type == NULL || strcmp(type, "decision") != 0 || id == NULL ||
	    proof_call_digest(rec, d) != 0)
		return;
	mpic__ev_hex(d, sizeof(d), hex);
	json_object_set_new(p->digests, id, json_string(hex));
}

static void
check_perspective(void *arg, json_t *rec, json_int_t seq)
{
	struct pass *p = arg;
	const char *type = json_string_value(json_object_get(rec, "type"));
	const char *id = json_string_value(json_object_get(rec, "audit_id"));
	const char *hex = id != NULL ? json_string_value(json_object_get(
	    p->digests, id)) : NULL;
	uint8_t d[MPIC__EV_DIGEST_LEN];
	struct mpic__ev_signed st;
	char where[4300], why[512];

	if (type == NULL || strcmp(type, "perspective") != 0)
		return;
	p->counts->perspective_records++;
	switch (proof_record_check(p->keys, rec, hex != NULL &&
	    mpic__ev_unhex(hex, d, sizeof(d)) == 0 ? d : NULL, &st, why,
	    sizeof(why))) {
	case PROOF_VERIFIED:
		p->counts->verified++;
		break;
	case PROOF_UNSIGNED_ERROR:
		p->counts->unsigned_errors++;
		break;
	case PROOF_BAD:
		p->counts->bad++;
		mpic__bufprintf(where, sizeof(where), "%s: seq %lld "
		    "(audit_id %s)", p->file, (long long)seq, id ? id : "?");
		p->cb(p->arg, where, why);
		break;
	}
}

int
mpic_audit_verify_signatures(const char *path, const char *keys_file,
			     mpic_evidence_note_cb cb, void *arg,
			     struct mpic_evidence_counts *counts, char *err,
			     size_t errlen)
{
	struct proof_keys keys;
	struct pass p;
	char *files[MAX_FILES];
	size_t n, i;
	int rc;

	memset(counts, 0, sizeof(*counts));
	if ((rc = proof_keys_load(keys_file, &keys, err, errlen)) != 0)
		return rc;
	n = proof_log_files(path, files, MAX_FILES);
	if (n == 0) {
		mpic__bufprintf(err, errlen, "%s: no such file, nor any "
		    "worker's chain %s.wN", path, path);
		proof_keys_release(&keys);
		return MPIC_ENOENT;
	}
	memset(&p, 0, sizeof(p));
	p.keys = &keys;
	p.cb = cb;
	p.arg = arg;
	p.counts = counts;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		if ((p.digests = json_object()) == NULL) {
			rc = MPIC_ENOMEM;
			break;
		}
		p.file = files[i];
		rc = each_record(files[i], note_decision, &p, err, errlen);
		if (rc == 0)
			rc = each_record(files[i], check_perspective, &p, err,
			    errlen);
		json_decref(p.digests);
	}
	for (i = 0; i < n; i++)
		mpic__free(files[i]);
	proof_keys_release(&keys);
	if (rc == 0 && counts->bad > 0)
		rc = MPIC_EPARSE;
	return rc;
}
