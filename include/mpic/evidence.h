/*
 * mpic/evidence.h - checking signed perspective results offline
 * (docs/evidence.md): the signatures in an audit log, and evidence
 * bundles (one validation's proof in one file).
 *
 * KEYS below names a file whose `perspectives` list gives each
 * perspective's code, RIR, location and signing_pubkey (and
 * signing_pubkey_previous): a coordinator's configuration, or a file
 * holding only that list.
 */
#ifndef MPIC_EVIDENCE_PUBLIC_H
#define MPIC_EVIDENCE_PUBLIC_H

#include <stddef.h>
#include <stdint.h>

#include "mpic/mpic.h"

/* One finding: where (a file and record, or a bundle's field) and what
 * is wrong there.  Called once per problem found. */
typedef void (*mpic_evidence_note_cb)(void *arg, const char *where,
				      const char *what);

struct mpic_evidence_counts {
	uint64_t perspective_records; /* seen */
	uint64_t verified;            /* with a statement that verified */
	uint64_t unsigned_errors;     /* result "error" without a statement:
	                               * nothing claimed, nothing to check */
	uint64_t bad;                 /* reported through the callback */
};

/*
 * Check the signed statement of every perspective record of the audit
 * log at path (and of its workers' chains path.wN) against the keys of
 * KEYS: each statement's signature, its perspective, its verdict against
 * the record's result, its request digest against the request's
 * perspective_call.  A record whose result is pass or fail without a
 * statement is bad (nobody signed it).  The hash chain is not checked
 * here (mpic_audit_verify()).  0: every record good; MPIC_EPARSE: some
 * bad (each reported through cb); MPIC_EIO / MPIC_ECONFIG / MPIC_ENOENT
 * with err.
 */
MPIC_EXTERN int mpic_audit_verify_signatures(const char *path,
					     const char *keys,
					     mpic_evidence_note_cb cb,
					     void *arg,
					     struct mpic_evidence_counts *counts,
					     char *err, size_t errlen);

/*
 * The evidence bundle of request audit_id from the audit log at
 * audit_path (and path.wN), with the perspectives' keys, codes, RIRs and
 * locations from KEYS: into *out (JSON text, NUL-terminated; free()).
 * 0, or MPIC_ENOENT (no such request) / MPIC_EIO / MPIC_ECONFIG with err.
 */
MPIC_EXTERN int mpic_evidence_bundle(const char *audit_path,
				     const char *audit_id, const char *keys,
				     char **out, char *err, size_t errlen);

/*
 * Check a bundle (text, len bytes) offline: each record's hash, every
 * signed statement against the bundle's keys (or, keys not NULL, against
 * KEYS, whose perspectives must then hold the bundle's keys), the
 * statements against the records and the request; and what they prove
 * of the decision.  *proves (free()) gets the summary lines.  0: the
 * bundle verifies and its statements support the decision; MPIC_EPARSE:
 * not (each problem reported through cb); MPIC_ECONFIG / MPIC_ENOMEM
 * with err.
 */
MPIC_EXTERN int mpic_evidence_verify(const char *text, size_t len,
				     const char *keys,
				     mpic_evidence_note_cb cb, void *arg,
				     char **proves, char *err,
				     size_t errlen);

/*
 * A perspective's statement signing key (identity.signing_key: a PEM
 * Ed25519 private key, as `openssl genpkey -algorithm ed25519` writes
 * it), for the process that holds it (mpicd's key process).
 */
#define MPIC_STATEMENT_SIG_LEN 64   /* an Ed25519 signature */
#define MPIC_STATEMENT_PUB_LEN 32   /* a raw Ed25519 public key */
#define MPIC_STATEMENT_MAX 187      /* the longest statement encoding */
struct mpic_signing_key;

/* Load path; NULL with the reason in err (names the file). */
MPIC_EXTERN struct mpic_signing_key *mpic_signing_key_load(const char *path,
							   char *err,
							   size_t errlen);
MPIC_EXTERN void mpic_signing_key_free(struct mpic_signing_key *k);
/*
 * Sign msg (len bytes), which must be a statement's encoding
 * (docs/evidence.md: it begins "mpic-statement-v1" and a zero byte, at
 * most MPIC_STATEMENT_MAX bytes): the signature into sig, k's raw public
 * key into pub.  0; MPIC_EINVAL when msg is not a statement (nothing
 * else is ever signed with the key); MPIC_EIO when signing failed.
 */
MPIC_EXTERN int mpic_signing_key_sign_statement(
    struct mpic_signing_key *k, const uint8_t *msg, size_t len,
    uint8_t sig[MPIC_STATEMENT_SIG_LEN], uint8_t pub[MPIC_STATEMENT_PUB_LEN]);

#endif
