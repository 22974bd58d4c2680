/*
 * util.h - lib/util: the allocation wrapper (tests fail the Nth
 * allocation), the arena, bounded formatting, clocks, encodings and
 * SHA-256.  The JSON writer is util/jw.h.  Internal (mpic__).
 */
#ifndef MPIC__UTIL_H
#define MPIC__UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "mpic/mpic.h"
#include "mpicx/mpicx.h"
#include "util/jw.h"

/*
 * The helpers shared with the programs are the mpicx_ library
 * (mpicx/mpicx.h: allocation, bounded formatting, clocks, SHA-256, the
 * JSON writer); lib's code names them by their internal names, mapped
 * here, so that moving them out changed no file of lib but this one.
 */
#define mpic__malloc mpicx_malloc
#define mpic__calloc mpicx_calloc
#define mpic__realloc mpicx_realloc
#define mpic__strdup mpicx_strdup
#define mpic__strndup mpicx_strndup
#define mpic__free mpicx_free
#define mpic__alloc_fail_at mpicx_alloc_fail_at
#define mpic__bufprintf mpicx_bufprintf
#define mpic__now_mono_ms mpicx_now_mono_ms
#define mpic__now_wall_ns mpicx_now_wall_ns
#define mpic__sha256 mpicx_sha256

/*
 * Arena: many small allocations freed at once (one per request).  Blocks
 * are chained; mpic__arena_release() frees them all.  Allocations are
 * 16-byte aligned.  Returns NULL when out of memory.
 */
struct mpic__arena {
	struct mpic__arena_block *head;
	size_t used;
	size_t total;
};
void mpic__arena_init(struct mpic__arena *a);
void mpic__arena_release(struct mpic__arena *a);
void *mpic__arena_alloc(struct mpic__arena *a, size_t n);
void *mpic__arena_calloc(struct mpic__arena *a, size_t n);
char *mpic__arena_strdup(struct mpic__arena *a, const char *s);
char *mpic__arena_strndup(struct mpic__arena *a, const char *s, size_t n);
char *mpic__arena_printf(struct mpic__arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* base64url without padding (RFC 4648 5); out must hold 4*ceil(n/3)+1. */
size_t mpic__b64url_encode(const uint8_t *in, size_t n, char *out);
/* standard base64 with padding; out must hold 4*ceil(n/3)+1. */
size_t mpic__b64_encode(const uint8_t *in, size_t n, char *out);
/* lowercase base32 without padding (RFC 4648 6); out 8*ceil(n/5)+1. */
size_t mpic__b32_lower_encode(const uint8_t *in, size_t n, char *out);
/* True when s (length n) is only base64url alphabet characters. */
bool mpic__is_b64url(const char *s, size_t n);
/* Value of a hexadecimal digit (either case), or -1. */
int mpic__hex_digit(char c);

/*
 * A bounded string builder (sbuf.c): writes into buf (size bytes, always
 * NUL-terminated) and, rather than truncating silently, sets full once a
 * character did not fit.  Initialise as { buf, size, 0, false }.
 */
struct mpic__sbuf {
	char *buf;
	size_t size;
	size_t len;
	bool full;
};
void mpic__sbuf_putc(struct mpic__sbuf *sb, char c);
void mpic__sbuf_puts(struct mpic__sbuf *sb, const char *s);
/* v in decimal, at least min_digits digits (zero-padded). */
void mpic__sbuf_put_dec(struct mpic__sbuf *sb, unsigned v, int min_digits);
/* Presentation escaping (RFC 1035 5.1, as RFC 8659 4.1.1 uses): '"' and
 * '\' get a backslash, printable ASCII stands, the rest is \DDD. */
void mpic__sbuf_put_escaped(struct mpic__sbuf *sb, const uint8_t *p,
			    size_t n);

#endif
