/*
 * util.h - lib/util: the allocation wrapper (tests fail the Nth
 * allocation), the arena, bounded formatting, clocks, encodings and
 * SHA-256.  The JSON writer is util/jw.h.  Internal (mpic__).
 */
#ifndef MPIC_UTIL_H
#define MPIC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "mpic/mpic.h"
#include "util/jw.h"

/* Allocation wrapper: tests can make the Nth allocation fail. */
void *mpic__malloc(size_t n);
void *mpic__calloc(size_t nmemb, size_t size);
void *mpic__realloc(void *p, size_t n);
char *mpic__strdup(const char *s);
char *mpic__strndup(const char *s, size_t n);
void mpic__free(void *p);
/* Fail allocation number n (1-based) from now on; 0 disables. Tests only. */
void mpic__alloc_fail_at(unsigned long n);

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

/* Bounded formatted append into a fixed buffer; never overflows. */
void mpic__bufprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Monotonic and wall-clock time. */
uint64_t mpic__now_mono_ms(void);
uint64_t mpic__now_wall_ns(void);

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
void mpic__sha256(const void *data, size_t n, uint8_t out[32]);

#endif
