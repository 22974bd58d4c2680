/*
 * evidence.c - signed perspective statements (contract in evidence.h,
 * format in docs/evidence.md).
 *
 * Why a binary encoding of digests rather than signing the answer's JSON:
 * the JSON an answer travels in is re-serialised by every hop (the
 * coordinator's audit record, a bundle), while these bytes can be rebuilt
 * from the fields anywhere; and they are short and bounded (at most
 * MPIC_EV_MSG_MAX), so the key process can take them in one fixed-size
 * message.  The magic prefix keeps the signing key from signing anything
 * else.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "evidence/evidence.h"
#include "util/util.h"

#define CANON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS)

char *
mpic__ev_canonical_json(const json_t *j)
{
	return json_dumps(j, CANON_FLAGS | JSON_ENCODE_ANY);
}

static int
digest_of(const json_t *j, uint8_t out[MPIC__EV_DIGEST_LEN])
{
	char *text = mpic__ev_canonical_json(j);

	if (text == NULL)
		return -1;
	mpic__sha256(text, strlen(text), out);
	free(text);
	return 0;
}

int
mpic__ev_request_digest(const char *check_type, const json_t *body,
			uint8_t out[MPIC__EV_DIGEST_LEN])
{
	char pkey[32];
	json_t *o, *v;
	int rc = -1;

	if (strcmp(check_type, "caa") != 0 && strcmp(check_type, "dcv") != 0)
		return -1;
	if ((o = json_object()) == NULL)
		return -1;
	mpic__bufprintf(pkey, sizeof(pkey), "%s_check_parameters",
	    check_type);
	if (json_object_set_new(o, "check_type", json_string(check_type)))
		goto out;
	if ((v = json_object_get(body, "domain_or_ip_target")) != NULL &&
	    json_object_set(o, "domain_or_ip_target", v) != 0)
		goto out;
	if ((v = json_object_get(body, pkey)) != NULL &&
	    json_object_set(o, pkey, v) != 0)
		goto out;
	rc = digest_of(o, out);
out:
	json_decref(o);
	return rc;
}

int
mpic__ev_details_digest(const json_t *details,
			uint8_t out[MPIC__EV_DIGEST_LEN])
{
	json_t *null = json_null();

	return digest_of(details != NULL ? details : null, out);
}

enum mpic__ev_verdict
mpic__ev_verdict_of(bool completed, bool passed)
{
	if (!completed)
		return MPIC__EV_NOT_COMPLETED;
	return passed ? MPIC__EV_PASSED : MPIC__EV_FAILED;
}

const char *
mpic__ev_verdict_str(enum mpic__ev_verdict v)
{
	switch (v) {
	case MPIC__EV_NOT_COMPLETED:
		return "not-completed";
	case MPIC__EV_FAILED:
		return "failed";
	case MPIC__EV_PASSED:
		return "passed";
	}
	return "?";
}

static int
verdict_parse(const char *s, enum mpic__ev_verdict *v)
{
	enum mpic__ev_verdict all[] = {MPIC__EV_NOT_COMPLETED, MPIC__EV_FAILED,
	    MPIC__EV_PASSED};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(s, mpic__ev_verdict_str(all[i])) == 0) {
			*v = all[i];
			return 0;
		}
	}
	return -1;
}

size_t
mpic__ev_encode(const struct mpic__ev_statement *st,
		uint8_t out[MPIC_EV_MSG_MAX])
{
	size_t nc = strnlen(st->code, sizeof(st->code));
	size_t nr = strnlen(st->rir, sizeof(st->rir));
	size_t n = 0;
	int i;

	if (nc == 0 || nc > MPIC__EV_CODE_MAX || nr == 0 ||
	    nr > MPIC__EV_RIR_MAX || (unsigned)st->verdict > MPIC__EV_PASSED)
		return 0;
	memcpy(out, MPIC__EV_MAGIC, MPIC__EV_MAGIC_LEN);
	n = MPIC__EV_MAGIC_LEN;
	out[n++] = 0;
	memcpy(out + n, st->request_digest, MPIC__EV_DIGEST_LEN);
	n += MPIC__EV_DIGEST_LEN;
	memcpy(out + n, st->nonce, MPIC__EV_NONCE_LEN);
	n += MPIC__EV_NONCE_LEN;
	out[n++] = (uint8_t)nc;
	memcpy(out + n, st->code, nc);
	n += nc;
	out[n++] = (uint8_t)nr;
	memcpy(out + n, st->rir, nr);
	n += nr;
	for (i = 7; i >= 0; i--)
		out[n++] = (uint8_t)(st->time_ns >> (i * 8));
	out[n++] = (uint8_t)st->verdict;
	memcpy(out + n, st->details_digest, MPIC__EV_DIGEST_LEN);
	n += MPIC__EV_DIGEST_LEN;
	return n;
}

/* ------------------------------------------------------------ keys */

static EVP_PKEY *
key_load(const char *path, bool private, char *err, size_t errlen)
{
	EVP_PKEY *k = NULL;
	BIO *in;
	char buf[200] = "";
	unsigned long e;

	if ((in = BIO_new_file(path, "r")) == NULL)
		goto out;
	k = private ? PEM_read_bio_PrivateKey(in, NULL, NULL, NULL) :
	    PEM_read_bio_PUBKEY(in, NULL, NULL, NULL);
	BIO_free(in);
	if (k != NULL && EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(k);
		k = NULL;
		mpic__bufprintf(err, errlen, "%s: not an Ed25519 key", path);
		ERR_clear_error();
		return NULL;
	}
out:
	if (k == NULL) {
		if ((e = ERR_peek_last_error()) != 0)
			ERR_error_string_n(e, buf, sizeof(buf));
		mpic__bufprintf(err, errlen, "%s: cannot be loaded as a PEM "
		    "Ed25519 %s key%s%s", path, private ? "private" : "public",
		    buf[0] ? ": " : "", buf);
	}
	ERR_clear_error();
	return k;
}

EVP_PKEY *
mpic__ev_key_load_private(const char *path, char *err, size_t errlen)
{
	return key_load(path, true, err, errlen);
}

EVP_PKEY *
mpic__ev_key_load_public(const char *path, char *err, size_t errlen)
{
	return key_load(path, false, err, errlen);
}

EVP_PKEY *
mpic__ev_key_generate(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
}

EVP_PKEY *
mpic__ev_key_from_raw(const uint8_t pub[MPIC__EV_PUB_LEN])
{
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
	    MPIC__EV_PUB_LEN);
}

int
mpic__ev_key_raw(const EVP_PKEY *k, uint8_t pub[MPIC__EV_PUB_LEN])
{
	size_t n = MPIC__EV_PUB_LEN;

	if (k == NULL || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519 ||
	    EVP_PKEY_get_raw_public_key(k, pub, &n) != 1 ||
	    n != MPIC__EV_PUB_LEN)
		return -1;
	return 0;
}

int
mpic__ev_key_fingerprint(const EVP_PKEY *k, uint8_t fp[MPIC__EV_DIGEST_LEN])
{
	uint8_t pub[MPIC__EV_PUB_LEN];

	if (mpic__ev_key_raw(k, pub) != 0)
		return -1;
	mpic__sha256(pub, sizeof(pub), fp);
	return 0;
}

int
mpic__ev_sign(EVP_PKEY *k, const uint8_t *msg, size_t len,
	      uint8_t sig[MPIC__EV_SIG_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = MPIC__EV_SIG_LEN;
	int rc = -1;

	/* Ed25519 hashes inside: no digest is named (RFC 8032 "pure") */
	if (ctx != NULL && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestSign(ctx, sig, &n, msg, len) == 1 &&
	    n == MPIC__EV_SIG_LEN)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int
mpic__ev_verify(EVP_PKEY *k, const uint8_t *msg, size_t len,
		const uint8_t sig[MPIC__EV_SIG_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1;

	if (ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL,
	    k) == 1 && EVP_DigestVerify(ctx, sig, MPIC__EV_SIG_LEN, msg,
	    len) == 1)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

/* ------------------------------------------------------------ JSON */

void
mpic__ev_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
mpic__ev_unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (s == NULL || strnlen(s, 2 * n + 1) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		hi = mpic__hex_digit(s[2 * i]);
		lo = mpic__hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int
set_hex(json_t *o, const char *key, const uint8_t *v, size_t n)
{
	char buf[2 * MPIC__EV_SIG_LEN + 1];

	mpic__ev_hex(v, n, buf);
	return json_object_set_new(o, key, json_string(buf));
}

json_t *
mpic__ev_signed_json(const struct mpic__ev_signed *s)
{
	const struct mpic__ev_statement *st = &s->st;
	json_t *o = json_object();
	int bad = o == NULL;

	bad = bad || json_object_set_new(o, "version", json_integer(1));
	bad = bad || set_hex(o, "request_digest", st->request_digest,
	    MPIC__EV_DIGEST_LEN);
	bad = bad || set_hex(o, "nonce", st->nonce, MPIC__EV_NONCE_LEN);
	bad = bad || json_object_set_new(o, "perspective_code",
	    json_string(st->code));
	bad = bad || json_object_set_new(o, "rir", json_string(st->rir));
	bad = bad || json_object_set_new(o, "timestamp_ns",
	    json_integer((json_int_t)st->time_ns));
	bad = bad || json_object_set_new(o, "verdict",
	    json_string(mpic__ev_verdict_str(st->verdict)));
	bad = bad || set_hex(o, "details_digest", st->details_digest,
	    MPIC__EV_DIGEST_LEN);
	bad = bad || set_hex(o, "key_fingerprint", s->fingerprint,
	    MPIC__EV_DIGEST_LEN);
	bad = bad || set_hex(o, "signature", s->sig, MPIC__EV_SIG_LEN);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
get_hex(const json_t *o, const char *key, uint8_t *out, size_t n,
	char *err, size_t errlen)
{
	if (mpic__ev_unhex(json_string_value(json_object_get(o, key)), out,
	    n) != 0) {
		mpic__bufprintf(err, errlen, "signed_statement.%s: not %zu "
		    "hex digits", key, 2 * n);
		return -1;
	}
	return 0;
}

static int
get_str(const json_t *o, const char *key, char *out, size_t cap,
	char *err, size_t errlen)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL || s[0] == '\0' || strlen(s) >= cap) {
		mpic__bufprintf(err, errlen, "signed_statement.%s: missing, "
		    "empty or longer than %zu", key, cap - 1);
		return -1;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int
mpic__ev_signed_parse(const json_t *o, struct mpic__ev_signed *s,
		      char *err, size_t errlen)
{
	struct mpic__ev_statement *st = &s->st;
	const json_t *v;
	const char *vs;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(o)) {
		mpic__bufprintf(err, errlen, "signed_statement: not an object");
		return -1;
	}
	v = json_object_get(o, "version");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		mpic__bufprintf(err, errlen, "signed_statement.version: not 1");
		return -1;
	}
	if (get_hex(o, "request_digest", st->request_digest,
	    MPIC__EV_DIGEST_LEN, err, errlen) != 0 ||
	    get_hex(o, "nonce", st->nonce, MPIC__EV_NONCE_LEN, err,
	    errlen) != 0 ||
	    get_str(o, "perspective_code", st->code, sizeof(st->code), err,
	    errlen) != 0 ||
	    get_str(o, "rir", st->rir, sizeof(st->rir), err, errlen) != 0 ||
	    get_hex(o, "details_digest", st->details_digest,
	    MPIC__EV_DIGEST_LEN, err, errlen) != 0 ||
	    get_hex(o, "key_fingerprint", s->fingerprint, MPIC__EV_DIGEST_LEN,
	    err, errlen) != 0 ||
	    get_hex(o, "signature", s->sig, MPIC__EV_SIG_LEN, err,
	    errlen) != 0)
		return -1;
	v = json_object_get(o, "timestamp_ns");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		mpic__bufprintf(err, errlen, "signed_statement.timestamp_ns: "
		    "not a number of nanoseconds");
		return -1;
	}
	st->time_ns = (uint64_t)json_integer_value(v);
	vs = json_string_value(json_object_get(o, "verdict"));
	if (vs == NULL || verdict_parse(vs, &st->verdict) != 0) {
		mpic__bufprintf(err, errlen, "signed_statement.verdict: not "
		    "passed, failed or not-completed");
		return -1;
	}
	return 0;
}

enum mpic__ev_fail
mpic__ev_check(const json_t *o, EVP_PKEY *const *keys, size_t n,
	       struct mpic__ev_signed *s, char *err, size_t errlen)
{
	uint8_t msg[MPIC_EV_MSG_MAX], fp[MPIC__EV_DIGEST_LEN];
	char hex[2 * MPIC__EV_DIGEST_LEN + 1];
	size_t i, len;

	if (o == NULL || json_is_null(o)) {
		mpic__bufprintf(err, errlen, "no signed_statement");
		return MPIC__EV_MISSING;
	}
	if (mpic__ev_signed_parse(o, s, err, errlen) != 0)
		return MPIC__EV_MALFORMED;
	if ((len = mpic__ev_encode(&s->st, msg)) == 0) {
		mpic__bufprintf(err, errlen, "signed_statement: cannot be "
		    "encoded");
		return MPIC__EV_MALFORMED;
	}
	for (i = 0; i < n; i++) {
		if (keys[i] == NULL || mpic__ev_key_fingerprint(keys[i],
		    fp) != 0 || memcmp(fp, s->fingerprint, sizeof(fp)) != 0)
			continue;
		if (mpic__ev_verify(keys[i], msg, len, s->sig) == 0)
			return MPIC__EV_OK;
		mpic__bufprintf(err, errlen, "signed_statement.signature: "
		    "wrong signature");
		return MPIC__EV_BAD_SIGNATURE;
	}
	mpic__ev_hex(s->fingerprint, MPIC__EV_DIGEST_LEN, hex);
	mpic__bufprintf(err, errlen, "signed_statement.key_fingerprint: "
	    "signed with key %s, not a key configured for the perspective",
	    hex);
	return MPIC__EV_UNKNOWN_KEY;
}
