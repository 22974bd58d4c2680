/*
 * misc.c - the helper library's bounded formatting, clocks and SHA-256
 * (mpicx.h).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "mpicx/mpicx.h"

void
mpicx_bufprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

uint64_t
mpicx_now_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t
mpicx_now_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * OpenSSL 3's SHA256() looks the algorithm up in the provider tables (a
 * fetch, with its locks) on every call; the audit log hashes every record
 * and the profile showed the look-up, not the hashing.  So it is fetched
 * once; should that fail, SHA256() still does the work.
 */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void
mpicx_sha256(const void *data, size_t n, uint8_t out[32])
{
	pthread_once(&sha256_once, sha256_fetch);
	if (sha256_md == NULL ||
	    EVP_Digest(data, n, out, NULL, sha256_md, NULL) != 1)
		SHA256(data, n, out);
}
