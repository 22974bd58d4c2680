/*
 * test_evidence.c - lib/evidence against the vectors of docs/evidence.md,
 * which scripts/evidence-vectors made with Python's json and cryptography
 * (an independent path): the request and details digests, the encoded
 * statement and the Ed25519 signature byte for byte, the fingerprint; and
 * each way mpic__ev_check() refuses a statement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evidence/evidence.h"

static const char *vectors_path;

static json_t *
vectors(void)
{
	json_error_t je;
	json_t *v = json_load_file(vectors_path, 0, &je);

	if (v == NULL)
		fail_msg("%s: %s", vectors_path, je.text);
	return v;
}

static const char *
s_of(const json_t *c, const char *k)
{
	const char *s = json_string_value(json_object_get(c, k));

	assert_non_null(s);
	return s;
}

static void
hex_equal(const uint8_t *b, size_t n, const char *want)
{
	char got[2 * MPIC_EV_MSG_MAX + 1];

	mpic__ev_hex(b, n, got);
	assert_string_equal(got, want);
}

/* The statement of case c, signed with its key: into *s, key in *k. */
static void
make(const json_t *c, struct mpic__ev_signed *s, EVP_PKEY **k)
{
	uint8_t seed[32];
	size_t len;
	uint8_t msg[MPIC_EV_MSG_MAX];
	enum mpic__ev_verdict v;

	memset(s, 0, sizeof(*s));
	assert_int_equal(mpic__ev_unhex(s_of(c, "seed"), seed, 32), 0);
	*k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	assert_non_null(*k);
	assert_int_equal(mpic__ev_request_digest(s_of(c, "check_type"),
	    json_object_get(c, "body"), s->st.request_digest), 0);
	hex_equal(s->st.request_digest, 32, s_of(c, "request_digest"));
	assert_int_equal(mpic__ev_details_digest(json_object_get(c,
	    "details"), s->st.details_digest), 0);
	hex_equal(s->st.details_digest, 32, s_of(c, "details_digest"));
	assert_int_equal(mpic__ev_unhex(s_of(c, "nonce"), s->st.nonce,
	    MPIC__EV_NONCE_LEN), 0);
	snprintf(s->st.code, sizeof(s->st.code), "%s", s_of(c, "code"));
	snprintf(s->st.rir, sizeof(s->st.rir), "%s", s_of(c, "rir"));
	s->st.time_ns = (uint64_t)json_integer_value(json_object_get(c,
	    "time_ns"));
	v = strcmp(s_of(c, "verdict"), "passed") == 0 ? MPIC__EV_PASSED :
	    strcmp(s_of(c, "verdict"), "failed") == 0 ? MPIC__EV_FAILED :
	    MPIC__EV_NOT_COMPLETED;
	s->st.verdict = v;
	len = mpic__ev_encode(&s->st, msg);
	assert_int_not_equal(len, 0);
	hex_equal(msg, len, s_of(c, "message"));
	assert_int_equal(mpic__ev_sign(*k, msg, len, s->sig), 0);
	hex_equal(s->sig, MPIC__EV_SIG_LEN, s_of(c, "signature"));
	assert_int_equal(mpic__ev_key_fingerprint(*k, s->fingerprint), 0);
	hex_equal(s->fingerprint, 32, s_of(c, "key_fingerprint"));
}

static void
test_vectors(void **state)
{
	json_t *all = vectors(), *c;
	struct mpic__ev_signed s;
	uint8_t pub[MPIC__EV_PUB_LEN];
	EVP_PKEY *k;
	size_t i;

	(void)state;
	assert_true(json_array_size(all) >= 2);
	json_array_foreach(all, i, c) {
		make(c, &s, &k);
		assert_int_equal(mpic__ev_key_raw(k, pub), 0);
		hex_equal(pub, sizeof(pub), s_of(c, "public_key"));
		EVP_PKEY_free(k);
	}
	json_decref(all);
}

/* The JSON form round-trips and verifies; every alteration is named. */
static void
test_check(void **state)
{
	json_t *all = vectors(), *o, *o2;
	struct mpic__ev_signed s, got;
	EVP_PKEY *k, *other, *keys[2];
	char err[256];
	char sig[2 * MPIC__EV_SIG_LEN + 1];

	(void)state;
	make(json_array_get(all, 0), &s, &k);
	other = mpic__ev_key_generate();
	assert_non_null(other);
	o = mpic__ev_signed_json(&s);
	assert_non_null(o);
	/* the right key; the right key second of two (a rotation) */
	keys[0] = k;
	assert_int_equal(mpic__ev_check(o, keys, 1, &got, err, sizeof(err)),
	    MPIC__EV_OK);
	assert_memory_equal(&got, &s, sizeof(s));
	keys[0] = other;
	keys[1] = k;
	assert_int_equal(mpic__ev_check(o, keys, 2, &got, err, sizeof(err)),
	    MPIC__EV_OK);
	/* another key only */
	assert_int_equal(mpic__ev_check(o, keys, 1, &got, err, sizeof(err)),
	    MPIC__EV_UNKNOWN_KEY);
	assert_non_null(strstr(err, "key_fingerprint"));
	/* a field changed: the signature no longer verifies */
	o2 = json_deep_copy(o);
	json_object_set_new(o2, "verdict", json_string("failed"));
	assert_int_equal(mpic__ev_check(o2, keys, 2, &got, err, sizeof(err)),
	    MPIC__EV_BAD_SIGNATURE);
	assert_non_null(strstr(err, "wrong signature"));
	json_object_set_new(o2, "verdict", json_string("passed"));
	json_object_set_new(o2, "timestamp_ns", json_integer(2));
	assert_int_equal(mpic__ev_check(o2, keys, 2, &got, err, sizeof(err)),
	    MPIC__EV_BAD_SIGNATURE);
	/* the signature changed by one bit */
	json_object_set(o2, "timestamp_ns", json_object_get(o,
	    "timestamp_ns"));
	mpic__ev_hex(s.sig, MPIC__EV_SIG_LEN, sig);
	sig[0] = sig[0] == '0' ? '1' : '0';
	json_object_set_new(o2, "signature", json_string(sig));
	assert_int_equal(mpic__ev_check(o2, keys, 2, &got, err, sizeof(err)),
	    MPIC__EV_BAD_SIGNATURE);
	/* malformed, missing */
	json_object_set_new(o2, "signature", json_string("zz"));
	assert_int_equal(mpic__ev_check(o2, keys, 2, &got, err, sizeof(err)),
	    MPIC__EV_MALFORMED);
	assert_non_null(strstr(err, "signature"));
	json_object_del(o2, "nonce");
	assert_int_equal(mpic__ev_check(o2, keys, 2, &got, err, sizeof(err)),
	    MPIC__EV_MALFORMED);
	assert_non_null(strstr(err, "nonce"));
	assert_int_equal(mpic__ev_check(NULL, keys, 2, &got, err,
	    sizeof(err)), MPIC__EV_MISSING);
	json_decref(o2);
	json_decref(o);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
	json_decref(all);
}

/* A code or RIR too long or empty is not encoded (the key process signs
 * nothing but the format). */
static void
test_bounds(void **state)
{
	struct mpic__ev_statement st;
	uint8_t msg[MPIC_EV_MSG_MAX];

	(void)state;
	memset(&st, 0, sizeof(st));
	assert_int_equal(mpic__ev_encode(&st, msg), 0);
	memset(st.code, 'a', MPIC__EV_CODE_MAX);
	memset(st.rir, 'b', MPIC__EV_RIR_MAX);
	st.verdict = MPIC__EV_PASSED;
	assert_int_equal(mpic__ev_encode(&st, msg), MPIC_EV_MSG_MAX);
	st.verdict = (enum mpic__ev_verdict)3;
	assert_int_equal(mpic__ev_encode(&st, msg), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_bounds),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: test_evidence vectors.json\n");
		return 2;
	}
	vectors_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
