/*
 * test_kpcheck.c - what the key process agrees to put through an RSA key
 * (src/mpicd/kpcheck.c): the blocks OpenSSL makes for RSA-PSS and
 * PKCS #1 v1.5 signatures pass; anything else, above all a ciphertext
 * sent to the key, does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "../../../src/mpicd/kpcheck.h"

static EVP_PKEY *keys[3];
/* 1537: a modulus of 8k + 1 bits, whose EM is one octet shorter (the
 * key process takes 2048 bits and more; the check does not care) */
static const int bits[3] = {2048, 1537, 3072};

static int
setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);

		if (c == NULL || EVP_PKEY_keygen_init(c) != 1 ||
		    EVP_PKEY_CTX_set_rsa_keygen_bits(c, bits[i]) != 1 ||
		    EVP_PKEY_keygen(c, &keys[i]) != 1)
			return -1;
		EVP_PKEY_CTX_free(c);
		if (EVP_PKEY_get_bits(keys[i]) != bits[i])
			return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++)
		EVP_PKEY_free(keys[i]);
	return 0;
}

/* The block the private-key operation sees for a signature of a digest
 * (pad: RSA_PKCS1_PSS_PADDING with saltlen, or RSA_PKCS1_PADDING): the
 * signature raised to the public exponent.  Its length, 0 on failure. */
static size_t
block_of(EVP_PKEY *k, const EVP_MD *md, int pad, int saltlen, uint8_t *out)
{
	uint8_t dig[64], sig[1024];
	size_t siglen = sizeof(sig), outlen = 1024;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);

	RAND_bytes(dig, sizeof(dig));
	assert_non_null(c);
	assert_int_equal(EVP_PKEY_sign_init(c), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, pad), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(c, md), 1);
	if (pad == RSA_PKCS1_PSS_PADDING)
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(c, saltlen),
		    1);
	assert_int_equal(EVP_PKEY_sign(c, sig, &siglen, dig,
	    (size_t)EVP_MD_get_size(md)), 1);
	EVP_PKEY_CTX_free(c);
	c = EVP_PKEY_CTX_new(k, NULL);
	assert_int_equal(EVP_PKEY_verify_recover_init(c), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, pad ==
	    RSA_PKCS1_PSS_PADDING ? RSA_NO_PADDING : RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_verify_recover(c, out, &outlen, sig,
	    siglen), 1);
	EVP_PKEY_CTX_free(c);
	return outlen;
}

static void
test_pss_blocks_pass(void **state)
{
	const EVP_MD *mds[3] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
	uint8_t b[1024];
	size_t i, j, n, len;

	(void)state;
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			for (n = 0; n < 5; n++) {
				len = block_of(keys[i], mds[j],
				    RSA_PKCS1_PSS_PADDING,
				    RSA_PSS_SALTLEN_DIGEST, b);
				/* the whole modulus (with a leading zero
				 * when it is 8k + 1 bits) */
				assert_int_equal(len, (bits[i] + 7) / 8);
				if (mpicd_kp_pss_ok(b, len, bits[i]) != 0)
					fail_msg("%d bits, hash %zu: refused",
					    bits[i], j);
				/* but not for a modulus of another size */
				assert_int_equal(mpicd_kp_pss_ok(b, len,
				    bits[i] + 8), -1);
			}
}

static void
test_pss_other_salts_refused(void **state)
{
	uint8_t b[1024];
	size_t len;

	(void)state;
	len = block_of(keys[0], EVP_sha256(), RSA_PKCS1_PSS_PADDING, 0, b);
	assert_int_equal(mpicd_kp_pss_ok(b, len, 2048), -1);
	len = block_of(keys[0], EVP_sha256(), RSA_PKCS1_PSS_PADDING,
	    RSA_PSS_SALTLEN_MAX, b);
	assert_int_equal(mpicd_kp_pss_ok(b, len, 2048), -1);
	len = block_of(keys[0], EVP_sha256(), RSA_PKCS1_PSS_PADDING, 20, b);
	assert_int_equal(mpicd_kp_pss_ok(b, len, 2048), -1);
	/* SHA-1 is not among the hashes */
	len = block_of(keys[0], EVP_sha1(), RSA_PKCS1_PSS_PADDING,
	    RSA_PSS_SALTLEN_DIGEST, b);
	assert_int_equal(mpicd_kp_pss_ok(b, len, 2048), -1);
}

static void
test_pss_altered_blocks_refused(void **state)
{
	uint8_t good[256], b[256];
	size_t len, i;

	(void)state;
	len = block_of(keys[0], EVP_sha256(), RSA_PKCS1_PSS_PADDING,
	    RSA_PSS_SALTLEN_DIGEST, good);
	assert_int_equal(len, 256);
	assert_int_equal(mpicd_kp_pss_ok(good, len, 2048), 0);
	/* any bit of the zero padding, of the hash or of the trailer */
	for (i = 0; i < 8 * 256; i++) {
		size_t byte = i / 8;

		if (byte >= 256 - 32 - 1 - 32 - 1 && byte < 256 - 32 - 1)
			continue;       /* 0x01 || salt: see below */
		memcpy(b, good, sizeof(b));
		b[byte] ^= (uint8_t)(1u << (i % 8));
		if (mpicd_kp_pss_ok(b, len, 2048) == 0)
			fail_msg("bit %zu flipped: still taken", i);
	}
	/* the salt is anything: a flipped salt bit is another salt */
	memcpy(b, good, sizeof(b));
	b[256 - 33 - 5] ^= 0x10;
	assert_int_equal(mpicd_kp_pss_ok(b, len, 2048), 0);
	/* the 0x01 separator */
	memcpy(b, good, sizeof(b));
	b[256 - 33 - 33] ^= 0x01;
	assert_int_equal(mpicd_kp_pss_ok(b, len, 2048), -1);
	/* lengths */
	assert_int_equal(mpicd_kp_pss_ok(good, 255, 2048), -1);
	assert_int_equal(mpicd_kp_pss_ok(good, 0, 2048), -1);
	assert_int_equal(mpicd_kp_pss_ok(NULL, 256, 2048), -1);
}

/* What an attacker would send to decrypt: a ciphertext to the key. */
static void
test_ciphertexts_and_noise_refused(void **state)
{
	uint8_t msg[32], ct[512], b[512];
	size_t ctlen, i, k;
	EVP_PKEY_CTX *c;
	int pads[2] = {RSA_PKCS1_PADDING, RSA_PKCS1_OAEP_PADDING};

	(void)state;
	for (k = 0; k < 2; k++)
		for (i = 0; i < 200; i++) {
			RAND_bytes(msg, sizeof(msg));
			c = EVP_PKEY_CTX_new(keys[0], NULL);
			ctlen = sizeof(ct);
			assert_int_equal(EVP_PKEY_encrypt_init(c), 1);
			assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c,
			    pads[k]), 1);
			assert_int_equal(EVP_PKEY_encrypt(c, ct, &ctlen, msg,
			    sizeof(msg)), 1);
			EVP_PKEY_CTX_free(c);
			assert_int_equal(mpicd_kp_pss_ok(ct, ctlen, 2048),
			    -1);
			assert_int_equal(mpicd_kp_digestinfo_ok(ct, ctlen),
			    -1);
		}
	/* random blocks, even with the trailer and the top bit right */
	for (i = 0; i < 2000; i++) {
		RAND_bytes(b, 256);
		b[0] &= 0x7f;
		b[255] = 0xbc;
		assert_int_equal(mpicd_kp_pss_ok(b, 256, 2048), -1);
		assert_int_equal(mpicd_kp_digestinfo_ok(b, 51), -1);
	}
}

static void
test_digestinfo(void **state)
{
	const EVP_MD *mds[3] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
	uint8_t b[1024];
	size_t i, len;

	(void)state;
	for (i = 0; i < 3; i++) {
		len = block_of(keys[0], mds[i], RSA_PKCS1_PADDING, 0, b);
		assert_int_equal(len, 19 + (size_t)EVP_MD_get_size(mds[i]));
		assert_int_equal(mpicd_kp_digestinfo_ok(b, len), 0);
		assert_int_equal(mpicd_kp_digestinfo_ok(b, len - 1), -1);
		assert_int_equal(mpicd_kp_digestinfo_ok(b, len + 1), -1);
		b[5] ^= 1;
		assert_int_equal(mpicd_kp_digestinfo_ok(b, len), -1);
	}
	/* SHA-1 and MD5 are not taken */
	len = block_of(keys[0], EVP_sha1(), RSA_PKCS1_PADDING, 0, b);
	assert_int_equal(mpicd_kp_digestinfo_ok(b, len), -1);
	assert_int_equal(mpicd_kp_digestinfo_ok(NULL, 51), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pss_blocks_pass),
		cmocka_unit_test(test_pss_other_salts_refused),
		cmocka_unit_test(test_pss_altered_blocks_refused),
		cmocka_unit_test(test_ciphertexts_and_noise_refused),
		cmocka_unit_test(test_digestinfo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
