/*
 * test_sig.c - the coordinator's check of a perspective's signed
 * statement (lib/engine/sig.c, docs/evidence.md): a statement signed in
 * process passes, and each way of getting it wrong is a failed check
 * whose error says which, without the statement kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/perspective.h"

struct fix {
	struct mpic__perspective_def def;
	EVP_PKEY *key, *other;
	struct mpic__persp_keys keys;
	uint8_t digest[MPIC__EV_DIGEST_LEN], nonce[MPIC__EV_NONCE_LEN];
	struct mpic__check_result res;
};

static void
fix_init(struct fix *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->def.code, sizeof(f->def.code), "us-east-1");
	f->def.rir = MPIC__RIR_ARIN;
	f->key = mpic__ev_key_generate();
	f->other = mpic__ev_key_generate();
	assert_non_null(f->key);
	assert_non_null(f->other);
	f->keys.k[0] = f->key;
	EVP_PKEY_up_ref(f->key);
	f->keys.n = 1;
	memset(f->digest, 0xab, sizeof(f->digest));
	assert_int_equal(mpic__sig_nonce(f->nonce), 0);
	mpic__check_result_init(&f->res);
	f->res.completed = true;
	f->res.passed = true;
	f->res.timestamp_ns = 1765000000000000000ull;
	f->res.details = json_pack("{s:b,s:s}", "caa_record_present", 1,
	    "found_at", "example.com");
}

static void
fix_release(struct fix *f)
{
	mpic__check_result_release(&f->res);
	mpic__persp_keys_release(&f->keys);
	EVP_PKEY_free(f->key);
	EVP_PKEY_free(f->other);
}

/* Sign f's result with k, then check it: the first error's text, or ""
 * when it passed. */
static const char *
sign_check(struct fix *f, EVP_PKEY *k, const struct mpic__persp_keys *keys,
	   bool required)
{
	int rc;

	assert_int_equal(mpic__sig_sign(k, f->def.code, f->def.rir,
	    f->digest, f->nonce, &f->res), 0);
	rc = mpic__sig_check(keys, required, &f->def, f->digest, f->nonce,
	    &f->res);
	if (rc == 0) {
		assert_true(f->res.passed);
		assert_non_null(f->res.statement);
		return "";
	}
	assert_int_equal(rc, MPIC_EPARSE);
	assert_false(f->res.passed);
	assert_false(f->res.completed);
	assert_null(f->res.statement);
	assert_int_equal(f->res.n_errors, 1);
	assert_string_equal(f->res.errors[0].type, MPIC__ERR_REMOTE);
	return f->res.errors[0].message;
}

static void
expect_error(const char *msg, const char *want)
{
	if (strstr(msg, want) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", msg, want);
}

static void
test_good(void **state)
{
	struct fix f;
	struct mpic__persp_keys two = {0};

	(void)state;
	fix_init(&f);
	assert_string_equal(sign_check(&f, f.key, &f.keys, true), "");
	/* a rotation: the key second of two */
	two.k[0] = f.other;
	two.k[1] = f.key;
	two.n = 2;
	assert_string_equal(sign_check(&f, f.key, &two, true), "");
	fix_release(&f);
}

static void
test_unknown_key(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f);
	expect_error(sign_check(&f, f.other, &f.keys, true),
	    "us-east-1: signed statement by an unknown key");
	fix_release(&f);
}

static void
test_missing(void **state)
{
	struct fix f;
	struct mpic__persp_keys none = {0};

	(void)state;
	fix_init(&f);
	assert_int_equal(mpic__sig_check(&f.keys, false, &f.def, f.digest,
	    f.nonce, &f.res), MPIC_EPARSE);
	expect_error(f.res.errors[0].message, "signed statement missing");
	mpic__check_result_release(&f.res);
	/* no keys: unchecked unless required */
	f.res.completed = f.res.passed = true;
	assert_int_equal(mpic__sig_check(&none, false, &f.def, f.digest,
	    f.nonce, &f.res), 0);
	assert_int_equal(mpic__sig_check(&none, true, &f.def, f.digest,
	    f.nonce, &f.res), MPIC_EPARSE);
	expect_error(f.res.errors[0].message, "no signing_pubkey configured");
	fix_release(&f);
}

/* Signed right, then one thing the coordinator knows differs. */
static void
test_mismatches(void **state)
{
	struct fix f;
	int rc;

	(void)state;
	fix_init(&f);
	/* another nonce: a replay */
	assert_int_equal(mpic__sig_sign(f.key, f.def.code, f.def.rir,
	    f.digest, f.nonce, &f.res), 0);
	f.nonce[0] ^= 1;
	rc = mpic__sig_check(&f.keys, true, &f.def, f.digest, f.nonce,
	    &f.res);
	assert_int_equal(rc, MPIC_EPARSE);
	expect_error(f.res.errors[0].message, "for another nonce: a replayed");
	fix_release(&f);

	fix_init(&f);
	assert_int_equal(mpic__sig_sign(f.key, f.def.code, f.def.rir,
	    f.digest, f.nonce, &f.res), 0);
	f.digest[5] ^= 1;
	assert_int_equal(mpic__sig_check(&f.keys, true, &f.def, f.digest,
	    f.nonce, &f.res), MPIC_EPARSE);
	expect_error(f.res.errors[0].message, "for another request");
	fix_release(&f);

	fix_init(&f);
	assert_int_equal(mpic__sig_sign(f.key, "eu-west-1", MPIC__RIR_RIPE,
	    f.digest, f.nonce, &f.res), 0);
	assert_int_equal(mpic__sig_check(&f.keys, true, &f.def, f.digest,
	    f.nonce, &f.res), MPIC_EPARSE);
	expect_error(f.res.errors[0].message, "of another perspective");
	fix_release(&f);

	/* the answer says pass, the statement failed */
	fix_init(&f);
	f.res.passed = false;
	assert_int_equal(mpic__sig_sign(f.key, f.def.code, f.def.rir,
	    f.digest, f.nonce, &f.res), 0);
	f.res.passed = true;
	assert_int_equal(mpic__sig_check(&f.keys, true, &f.def, f.digest,
	    f.nonce, &f.res), MPIC_EPARSE);
	expect_error(f.res.errors[0].message, "does not match the answer");
	fix_release(&f);

	/* details changed after signing */
	fix_init(&f);
	assert_int_equal(mpic__sig_sign(f.key, f.def.code, f.def.rir,
	    f.digest, f.nonce, &f.res), 0);
	json_object_set_new(f.res.details, "found_at", json_string("x.example"));
	assert_int_equal(mpic__sig_check(&f.keys, true, &f.def, f.digest,
	    f.nonce, &f.res), MPIC_EPARSE);
	expect_error(f.res.errors[0].message, "does not match the answer");
	fix_release(&f);
}

static void
test_bad_signature_and_malformed(void **state)
{
	struct fix f;
	char sig[2 * MPIC__EV_SIG_LEN + 1];
	const char *s;

	(void)state;
	fix_init(&f);
	assert_int_equal(mpic__sig_sign(f.key, f.def.code, f.def.rir,
	    f.digest, f.nonce, &f.res), 0);
	s = json_string_value(json_object_get(f.res.statement, "signature"));
	snprintf(sig, sizeof(sig), "%s", s);
	sig[10] = sig[10] == '0' ? '1' : '0';
	json_object_set_new(f.res.statement, "signature", json_string(sig));
	assert_int_equal(mpic__sig_check(&f.keys, true, &f.def, f.digest,
	    f.nonce, &f.res), MPIC_EPARSE);
	expect_error(f.res.errors[0].message, "with a wrong signature");
	fix_release(&f);

	fix_init(&f);
	f.res.statement = json_string("not an object");
	assert_int_equal(mpic__sig_check(&f.keys, true, &f.def, f.digest,
	    f.nonce, &f.res), MPIC_EPARSE);
	expect_error(f.res.errors[0].message, "signed statement malformed: "
	    "signed_statement: not an object");
	fix_release(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_mismatches),
		cmocka_unit_test(test_bad_signature_and_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
