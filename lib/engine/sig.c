/*
 * sig.c - signed results (docs/evidence.md; contract in perspective.h):
 * the statement of a result, signing it in process, and the
 * coordinator's check of a perspective's statement.
 *
 * The check compares the statement with what the coordinator knows
 * before the signature, so that the error says what is wrong: a statement
 * for another nonce is a replay of an earlier answer, one for another
 * request digest answers another request; only then is the signature
 * checked (a statement that says other things than its answer is
 * refused too: the answer's fields are what the coordinator counts).
 */
#include <string.h>

#include <openssl/rand.h>

#include "engine/perspective.h"

int
mpic__persp_keys_load(const struct mpic__perspective_def *def,
		      struct mpic__persp_keys *keys, char *err, size_t errlen)
{
	const char *files[2] = {def->signing_pubkey,
	    def->signing_pubkey_previous};
	size_t i;

	memset(keys, 0, sizeof(*keys));
	for (i = 0; i < 2 && files[i] != NULL; i++) {
		keys->k[i] = mpic__ev_key_load_public(files[i], err, errlen);
		if (keys->k[i] == NULL) {
			mpic__persp_keys_release(keys);
			return MPIC_ECONFIG;
		}
		keys->n = i + 1;
	}
	return 0;
}

void
mpic__persp_keys_release(struct mpic__persp_keys *keys)
{
	size_t i;

	for (i = 0; i < 2; i++)
		EVP_PKEY_free(keys->k[i]);
	memset(keys, 0, sizeof(*keys));
}

int
mpic__sig_nonce(uint8_t nonce[MPIC__EV_NONCE_LEN])
{
	return RAND_bytes(nonce, MPIC__EV_NONCE_LEN) == 1 ? 0 : MPIC_EIO;
}

void
mpic__sig_statement(const char *code, enum mpic__rir rir,
		    const uint8_t digest[MPIC__EV_DIGEST_LEN],
		    const uint8_t nonce[MPIC__EV_NONCE_LEN],
		    const struct mpic__check_result *res,
		    struct mpic__ev_statement *st)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->request_digest, digest, MPIC__EV_DIGEST_LEN);
	memcpy(st->nonce, nonce, MPIC__EV_NONCE_LEN);
	mpic__bufprintf(st->code, sizeof(st->code), "%s", code);
	mpic__bufprintf(st->rir, sizeof(st->rir), "%s", mpic__rir_str(rir));
	st->time_ns = res->timestamp_ns;
	st->verdict = mpic__ev_verdict_of(res->completed, res->passed);
	/* out of memory leaves the digest zero: the statement then
	 * matches no answer and fails its check, never passes it */
	(void)mpic__ev_details_digest(res->details, st->details_digest);
}

int
mpic__sig_sign(EVP_PKEY *k, const char *code, enum mpic__rir rir,
	       const uint8_t digest[MPIC__EV_DIGEST_LEN],
	       const uint8_t nonce[MPIC__EV_NONCE_LEN],
	       struct mpic__check_result *res)
{
	struct mpic__ev_signed s;
	uint8_t msg[MPIC_EV_MSG_MAX];
	size_t len;

	mpic__sig_statement(code, rir, digest, nonce, res, &s.st);
	if ((len = mpic__ev_encode(&s.st, msg)) == 0 ||
	    mpic__ev_key_fingerprint(k, s.fingerprint) != 0 ||
	    mpic__ev_sign(k, msg, len, s.sig) != 0)
		return MPIC_EINVAL;
	json_decref(res->statement);
	res->statement = mpic__ev_signed_json(&s);
	return res->statement != NULL ? 0 : MPIC_ENOMEM;
}

static int
refuse(const struct mpic__perspective_def *def,
       struct mpic__check_result *res, const char *what, const char *why)
{
	/* a refused statement is not kept: the audit record holds only
	 * statements the coordinator verified, and says why not instead */
	mpic__check_result_release(res);
	mpic__check_error(res, MPIC__ERR_REMOTE, "perspective %s: signed "
	    "statement %s%s%s", def->code, what, why[0] ? ": " : "", why);
	res->completed = false;
	res->passed = false;
	return MPIC_EPARSE;
}

int
mpic__sig_check(const struct mpic__persp_keys *keys, bool required,
		const struct mpic__perspective_def *def,
		const uint8_t digest[MPIC__EV_DIGEST_LEN],
		const uint8_t nonce[MPIC__EV_NONCE_LEN],
		struct mpic__check_result *res)
{
	struct mpic__ev_signed s;
	struct mpic__ev_statement want;
	char err[256] = "";
	enum mpic__ev_fail f;

	if (keys->n == 0) {
		if (required)
			return refuse(def, res, "cannot be checked", "no "
			    "signing_pubkey configured");
		return 0;
	}
	if (res->statement == NULL)
		return refuse(def, res, "missing", required ? "signed results "
		    "are required" : "a signing_pubkey is configured");
	if (mpic__ev_signed_parse(res->statement, &s, err, sizeof(err)) != 0)
		return refuse(def, res, "malformed", err);
	mpic__sig_statement(def->code, def->rir, digest, nonce, res, &want);
	if (memcmp(s.st.nonce, nonce, MPIC__EV_NONCE_LEN) != 0)
		return refuse(def, res, "for another nonce", "a replayed "
		    "answer");
	if (memcmp(s.st.request_digest, digest, MPIC__EV_DIGEST_LEN) != 0)
		return refuse(def, res, "for another request", "its "
		    "request_digest is not of this call");
	if (strcmp(s.st.code, want.code) != 0 ||
	    strcmp(s.st.rir, want.rir) != 0)
		return refuse(def, res, "of another perspective", "its "
		    "perspective_code or rir differ");
	if (s.st.time_ns != want.time_ns || s.st.verdict != want.verdict ||
	    memcmp(s.st.details_digest, want.details_digest,
	    MPIC__EV_DIGEST_LEN) != 0)
		return refuse(def, res, "does not match the answer", "its "
		    "timestamp_ns, verdict or details_digest differ");
	f = mpic__ev_check(res->statement, keys->k, keys->n, &s, err,
	    sizeof(err));
	if (f == MPIC__EV_UNKNOWN_KEY)
		return refuse(def, res, "by an unknown key", err);
	if (f != MPIC__EV_OK)
		return refuse(def, res, f == MPIC__EV_BAD_SIGNATURE ?
		    "with a wrong signature" : "malformed", err);
	return 0;
}
