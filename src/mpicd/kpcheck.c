/*
 * kpcheck.c - the forms of input the key process signs with an RSA key
 * (kpcheck.h).
 */
#include <stdbool.h>
#include <string.h>

#include <openssl/evp.h>

#include "kpcheck.h"

#define KP_MAX_BLOCK 1024           /* an 8192-bit modulus */

/* mask = MGF1(seed) of len octets (RFC 8017 B.2.1): 0, or -1. */
static int
mgf1(const EVP_MD *md, const uint8_t *seed, size_t slen, uint8_t *mask,
     size_t len)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int hlen;
	uint8_t c[4];
	uint32_t i;
	size_t done = 0, n;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int rc = -1;

	if (ctx == NULL)
		return -1;
	for (i = 0; done < len; i++) {
		c[0] = (uint8_t)(i >> 24);
		c[1] = (uint8_t)(i >> 16);
		c[2] = (uint8_t)(i >> 8);
		c[3] = (uint8_t)i;
		if (EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
		    EVP_DigestUpdate(ctx, seed, slen) != 1 ||
		    EVP_DigestUpdate(ctx, c, sizeof(c)) != 1 ||
		    EVP_DigestFinal_ex(ctx, h, &hlen) != 1)
			goto out;
		n = len - done < hlen ? len - done : hlen;
		memcpy(mask + done, h, n);
		done += n;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* EM (em_len octets, em_bits bits) as EMSA-PSS with md and a salt of
 * the hash's length: true or false. */
static bool
pss_with(const EVP_MD *md, const uint8_t *em, size_t em_len, size_t em_bits)
{
	uint8_t db[KP_MAX_BLOCK] = {0};
	size_t hlen = (size_t)EVP_MD_get_size(md), slen = hlen, db_len, i;
	unsigned top = (unsigned)(8 * em_len - em_bits); /* bits to be 0 */
	uint8_t top_mask = (uint8_t)(0xff >> top);

	if (em_len < hlen + slen + 2 || em[em_len - 1] != 0xbc)
		return false;
	db_len = em_len - hlen - 1;
	if ((em[0] & (uint8_t)~top_mask) != 0)
		return false;
	if (mgf1(md, em + db_len, hlen, db, db_len) != 0)
		return false;
	for (i = 0; i < db_len; i++)
		db[i] ^= em[i];
	db[0] &= top_mask;
	/* DB = PS (zeros) || 0x01 || salt */
	for (i = 0; i < db_len - slen - 1; i++)
		if (db[i] != 0)
			return false;
	return db[db_len - slen - 1] == 0x01;
}

int
mpicd_kp_pss_ok(const uint8_t *block, size_t len, int mod_bits)
{
	const EVP_MD *mds[3];
	size_t em_bits, em_len, i;

	if (mod_bits < 1024 || block == NULL ||
	    len != ((size_t)mod_bits + 7) / 8 || len > KP_MAX_BLOCK)
		return -1;
	em_bits = (size_t)mod_bits - 1;
	em_len = (em_bits + 7) / 8;
	/* When emBits is a multiple of 8, EM is one octet shorter than the
	 * modulus and the block starts with a zero. */
	if (em_len < len) {
		if (block[0] != 0)
			return -1;
		block++;
	}
	mds[0] = EVP_sha256();
	mds[1] = EVP_sha384();
	mds[2] = EVP_sha512();
	for (i = 0; i < 3; i++)
		if (mds[i] != NULL && pss_with(mds[i], block, em_len, em_bits))
			return 0;
	return -1;
}

int
mpicd_kp_digestinfo_ok(const uint8_t *di, size_t len)
{
	/* DER of DigestInfo { AlgorithmIdentifier { id-shaN, NULL },
	 * OCTET STRING (N/8 octets) } up to the digest (RFC 8017 9.2,
	 * note 1) */
	static const uint8_t pre[3][19] = {
		{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
		{0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
		{0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
	};
	static const size_t dlen[3] = {32, 48, 64};
	size_t i;

	if (di == NULL)
		return -1;
	for (i = 0; i < 3; i++)
		if (len == sizeof(pre[i]) + dlen[i] &&
		    memcmp(di, pre[i], sizeof(pre[i])) == 0)
			return 0;
	return -1;
}
