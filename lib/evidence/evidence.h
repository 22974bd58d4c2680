/*
 * evidence.h - signed perspective statements (docs/evidence.md): the
 * canonical encoding a perspective signs with Ed25519, its digests, and
 * the keys (loading, fingerprints, signing, verifying).
 *
 * Internal to libmpic and its programs.  Uses lib/util only; pure
 * functions apart from the key files read by the loaders.
 */
#ifndef MPIC__EVIDENCE_H
#define MPIC__EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

/* The encoding's first bytes: a key signs nothing that does not start
 * with them (the key process checks it). */
#define MPIC__EV_MAGIC "mpic-statement-v1"
#define MPIC__EV_MAGIC_LEN 17
#define MPIC__EV_DIGEST_LEN 32
#define MPIC__EV_NONCE_LEN 16
#define MPIC__EV_SIG_LEN 64
#define MPIC__EV_PUB_LEN 32
#define MPIC__EV_CODE_MAX 63
#define MPIC__EV_RIR_MAX 15
/* magic, 0, digest, nonce, code and rir with their lengths, time,
 * verdict, digest */
#define MPIC_EV_MSG_MAX (MPIC__EV_MAGIC_LEN + 1 + 32 + 16 + 1 + \
	MPIC__EV_CODE_MAX + 1 + MPIC__EV_RIR_MAX + 8 + 1 + 32)

enum mpic__ev_verdict {
	MPIC__EV_NOT_COMPLETED = 0,
	MPIC__EV_FAILED = 1,         /* completed, did not pass */
	MPIC__EV_PASSED = 2,
};

/* What a perspective signs (docs/evidence.md "Statement"). */
struct mpic__ev_statement {
	uint8_t request_digest[MPIC__EV_DIGEST_LEN];
	uint8_t nonce[MPIC__EV_NONCE_LEN];
	char code[MPIC__EV_CODE_MAX + 1];
	char rir[MPIC__EV_RIR_MAX + 1];
	uint64_t time_ns;
	enum mpic__ev_verdict verdict;
	uint8_t details_digest[MPIC__EV_DIGEST_LEN];
};

/* A statement as it travels: the statement, the key's fingerprint and
 * the signature. */
struct mpic__ev_signed {
	struct mpic__ev_statement st;
	uint8_t fingerprint[MPIC__EV_DIGEST_LEN];
	uint8_t sig[MPIC__EV_SIG_LEN];
};

/* Why a statement does not verify (mpic__ev_check). */
enum mpic__ev_fail {
	MPIC__EV_OK = 0,
	MPIC__EV_MISSING,            /* no signed_statement */
	MPIC__EV_MALFORMED,          /* not of the format */
	MPIC__EV_UNKNOWN_KEY,        /* a key none of those given */
	MPIC__EV_BAD_SIGNATURE,      /* the signature does not verify */
};

/*
 * The request digest: SHA-256 of the canonical JSON of
 * {"check_type", "domain_or_ip_target", "<check_type>_check_parameters"}
 * taken from body (a perspective API body; absent keys stay absent),
 * check_type "caa" or "dcv".  0, or -1 (out of memory, bad type).
 */
int mpic__ev_request_digest(const char *check_type, const json_t *body,
			    uint8_t out[MPIC__EV_DIGEST_LEN]);
/* SHA-256 of the canonical JSON of details (NULL: of "null"); 0 or -1. */
int mpic__ev_details_digest(const json_t *details,
			    uint8_t out[MPIC__EV_DIGEST_LEN]);
/* The canonical JSON of j (sorted keys, compact, UTF-8; free()), or
 * NULL when out of memory. */
char *mpic__ev_canonical_json(const json_t *j);
/* The verdict of a result's flags. */
enum mpic__ev_verdict mpic__ev_verdict_of(bool completed, bool passed);
const char *mpic__ev_verdict_str(enum mpic__ev_verdict v);

/* The bytes signed: their length (at most MPIC_EV_MSG_MAX), or 0 when
 * code or rir is empty or too long. */
size_t mpic__ev_encode(const struct mpic__ev_statement *st,
		       uint8_t out[MPIC_EV_MSG_MAX]);

/* Keys: Ed25519 only.  Loaders return a key (EVP_PKEY_free) or NULL
 * with err naming the file. */
EVP_PKEY *mpic__ev_key_load_private(const char *path, char *err,
				    size_t errlen);
EVP_PKEY *mpic__ev_key_load_public(const char *path, char *err,
				   size_t errlen);
EVP_PKEY *mpic__ev_key_generate(void);
EVP_PKEY *mpic__ev_key_from_raw(const uint8_t pub[MPIC__EV_PUB_LEN]);
/* The raw public key (RFC 8032), and its fingerprint: SHA-256 of those
 * 32 bytes.  0 or -1 (not an Ed25519 key). */
int mpic__ev_key_raw(const EVP_PKEY *k, uint8_t pub[MPIC__EV_PUB_LEN]);
int mpic__ev_key_fingerprint(const EVP_PKEY *k,
			     uint8_t fp[MPIC__EV_DIGEST_LEN]);
/* Ed25519 (EVP_DigestSign, no digest) of msg; 0 or -1. */
int mpic__ev_sign(EVP_PKEY *k, const uint8_t *msg, size_t len,
		  uint8_t sig[MPIC__EV_SIG_LEN]);
/* 0 when sig is k's signature of msg, -1 otherwise. */
int mpic__ev_verify(EVP_PKEY *k, const uint8_t *msg, size_t len,
		    const uint8_t sig[MPIC__EV_SIG_LEN]);

/* Lowercase hex of n bytes into out (2n+1); and back: 0 when s is
 * exactly 2n hex digits, else -1. */
void mpic__ev_hex(const uint8_t *in, size_t n, char *out);
int mpic__ev_unhex(const char *s, uint8_t *out, size_t n);

/* The "signed_statement" object (docs/evidence.md; new reference, NULL
 * when out of memory), and back: 0, or -1 with err saying which field. */
json_t *mpic__ev_signed_json(const struct mpic__ev_signed *s);
int mpic__ev_signed_parse(const json_t *o, struct mpic__ev_signed *s,
			  char *err, size_t errlen);

/*
 * Verify a "signed_statement" object o against keys (n of them: a
 * perspective may hold two during a rotation): picked by fingerprint,
 * the signature checked over the canonical encoding.  Fills *s when o
 * parses.  MPIC__EV_OK, or why not, with err.
 */
enum mpic__ev_fail mpic__ev_check(const json_t *o, EVP_PKEY *const *keys,
				  size_t n, struct mpic__ev_signed *s,
				  char *err, size_t errlen);

#endif
