/*
 * proof.h - checking signed statements against records, keys and
 * requests (docs/evidence.md), shared by the audit log's check
 * (audit_sig.c) and evidence bundles (bundle.c).  Internal.
 */
#ifndef MPIC__PROOF_H
#define MPIC__PROOF_H

#include <stdbool.h>

#include "corroborate/corroborate.h"
#include "evidence/evidence.h"
#include "mpic/evidence.h"

/* One perspective as a verifier knows it. */
struct proof_persp {
	char code[64];
	char rir[16];
	struct mpic__location loc;
	EVP_PKEY *k[2];
	size_t nk;
};

struct proof_keys {
	struct proof_persp *p;
	size_t n;
};

/* KEYS (mpic/evidence.h): 0, or MPIC_ECONFIG / MPIC_ENOMEM with err. */
int proof_keys_load(const char *path, struct proof_keys *keys, char *err,
		    size_t errlen);
/* From a bundle's "perspectives" list: 0 or MPIC_EPARSE with err. */
int proof_keys_json(const json_t *list, struct proof_keys *keys, char *err,
		    size_t errlen);
void proof_keys_release(struct proof_keys *keys);
const struct proof_persp *proof_keys_find(const struct proof_keys *keys,
					  const char *code);
/* The keys of keys as a bundle's "perspectives" list (new reference). */
json_t *proof_keys_to_json(const struct proof_keys *keys);

/* The request digest a decision record's perspective_call gives: 0, or
 * -1 (none recorded). */
int proof_call_digest(const json_t *decision,
		      uint8_t out[MPIC__EV_DIGEST_LEN]);

enum proof_verdict {
	PROOF_VERIFIED = 0,     /* a statement that verified */
	PROOF_UNSIGNED_ERROR,   /* result "error", no statement: fine */
	PROOF_BAD,              /* why says what */
};
/*
 * Check perspective record rec against keys and digest (NULL: not
 * known); *st gets the statement when it verified.
 */
enum proof_verdict proof_record_check(const struct proof_keys *keys,
				      const json_t *rec,
				      const uint8_t *digest,
				      struct mpic__ev_signed *st, char *why,
				      size_t whylen);

/* The files of an audit log: path if it exists, then path.wN (N from
 * 0) that exist; into files (mpic__free each), at most max.  How many. */
size_t proof_log_files(const char *path, char **files, size_t max);

#endif
