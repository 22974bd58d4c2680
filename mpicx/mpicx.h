/*
 * mpicx.h - the helpers libmpic and its programs (mpic, mpicd) both use,
 * as curl's curlx_: allocation (tests fail the Nth), bounded formatting,
 * clocks, SHA-256, and the JSON writer (mpicx/jw.h).  A static library
 * (libmpicx.a) built from these sources alone: linked into libmpic.so,
 * where its names stay hidden (lib/libmpic.map), and into each program,
 * which has its own copy.  Not part of libmpic's public interface.
 */
#ifndef MPICX_H
#define MPICX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpicx/jw.h"

/* Allocation wrapper: tests can make the Nth allocation fail.  Each copy
 * of the library counts its own. */
void *mpicx_malloc(size_t n);
void *mpicx_calloc(size_t nmemb, size_t size);
void *mpicx_realloc(void *p, size_t n);
char *mpicx_strdup(const char *s);
char *mpicx_strndup(const char *s, size_t n);
void mpicx_free(void *p);
/* Fail allocation number n (1-based) from now on; 0 disables. Tests only. */
void mpicx_alloc_fail_at(unsigned long n);

/* Bounded formatted write into a fixed buffer; never overflows. */
void mpicx_bufprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Monotonic and wall-clock time. */
uint64_t mpicx_now_mono_ms(void);
uint64_t mpicx_now_wall_ns(void);

void mpicx_sha256(const void *data, size_t n, uint8_t out[32]);

#endif
