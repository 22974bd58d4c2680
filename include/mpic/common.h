/*
 * common.h - what every public header of libmpic needs: the mark of an
 * exported function, the versions, the C++ guard.  Include <mpic/mpic.h>
 * (all of the contract) or the header of the concern you use.
 *
 * Conventions: 0 is success, negative MPIC_E* values are failures (see
 * mpic_strerror() in <mpic/errors.h>).  The outcome of a check
 * (corroborated or not, with its evidence) is data, never an error code.
 * Functions that return memory say who owns it.  The library never owns
 * the event loop: asynchronous calls take a caller's libevent base.
 */
#ifndef MPIC_PUB_COMMON_H
#define MPIC_PUB_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
#define MPIC_BEGIN_DECLS extern "C" {
#define MPIC_END_DECLS }
#else
#define MPIC_BEGIN_DECLS
#define MPIC_END_DECLS
#endif

/* Exported from libmpic.so: the library is built with hidden visibility
 * and a symbol map (lib/libmpic.map) that exports mpic_ names only. */
#define MPIC_EXTERN __attribute__((visibility("default")))

#define MPIC_VERSION "0.1.0"
#define MPIC_OPEN_MPIC_SPEC_VERSION "3.9.0"
#define MPIC_BR_VERSION "2.2.7" /* SC-099 (2026-07-15) in force */

/* Largest request body the library and mpicd take (bytes). */
#define MPIC_MAX_BODY (64 * 1024)

struct event_base;
struct mpic_config;
struct mpic_engine;

MPIC_BEGIN_DECLS

/* Library version string, static. */
MPIC_EXTERN const char *mpic_version(void);

/*
 * The latency buckets of the library's histograms (a perspective's call
 * round trips, the audit log's writes), shared with the programs so that
 * theirs match: bucket i holds durations up to mpic_stats_bucket_le(i)
 * seconds (and above the one before); the last is unbounded (INFINITY).
 * They reach 7200 s, past the longest deadline a configuration allows
 * (orchestration.request_timeout_ms: 3600 s).  mpic_stats_bucket(): the
 * bucket of a duration in microseconds.
 */
#define MPIC_STATS_BUCKETS 26
MPIC_EXTERN double mpic_stats_bucket_le(size_t i);
MPIC_EXTERN size_t mpic_stats_bucket(uint64_t us);

MPIC_END_DECLS
#endif
