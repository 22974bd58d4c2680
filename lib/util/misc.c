/* misc.c - error strings, encodings (bounded formatting, clocks and
 * SHA-256 are the helper library's: mpicx/misc.c). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

const char *
mpic_strerror(int err)
{
	switch (err) {
#define MPIC_ERRNO_CASE_(name, value, text) \
	case MPIC_##name: return text;
	MPIC_ERRNO_MAP(MPIC_ERRNO_CASE_)
#undef MPIC_ERRNO_CASE_
	default: return "unknown error";
	}
}

const char *
mpic_version(void)
{
	return MPIC_VERSION;
}

static size_t
b64_generic(const uint8_t *in, size_t n, char *out, const char *alpha,
	    bool pad)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		out[o++] = alpha[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

size_t
mpic__b64url_encode(const uint8_t *in, size_t n, char *out)
{
	return b64_generic(in, n, out,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
	    false);
}

size_t
mpic__b64_encode(const uint8_t *in, size_t n, char *out)
{
	return b64_generic(in, n, out,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
	    true);
}

size_t
mpic__b32_lower_encode(const uint8_t *in, size_t n, char *out)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz234567";
	size_t i, o = 0;
	uint32_t buf = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		buf = buf << 8 | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = alpha[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = alpha[(buf << (5 - bits)) & 31];
	out[o] = '\0';
	return o;
}

int
mpic__hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
mpic__is_b64url(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ buckets */

/* Upper bounds in seconds (docs/metrics.md); the last bucket is +Inf. */
static const double bucket_le[MPIC_STATS_BUCKETS - 1] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
	10, 15, 20, 30, 45, 60, 90, 120, 300, 600, 1200, 3600, 7200,
};

double
mpic_stats_bucket_le(size_t i)
{
	return i < MPIC_STATS_BUCKETS - 1 ? bucket_le[i] : INFINITY;
}

size_t
mpic_stats_bucket(uint64_t us)
{
	size_t i;

	for (i = 0; i < MPIC_STATS_BUCKETS - 1 &&
	    (double)us > bucket_le[i] * 1e6; i++)
		;
	return i;
}
