/*
 * trace.h - W3C Trace Context (https://www.w3.org/TR/trace-context/):
 * reading a traceparent header, making one, and the trace id of a
 * request that came without one (docs/api.md, "Trace context").
 * Internal (mpic__).
 */
#ifndef MPIC__UTIL_TRACE_H
#define MPIC__UTIL_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "00-" 32 "-" 16 "-" 2: the length of a version-00 header */
#define MPIC__TRACEPARENT_LEN 55

/* A trace context: lowercase hex, NUL-terminated; never all zeros. */
struct mpic__trace {
	char trace_id[33];
	char span_id[17];       /* the parent-id field of a header */
	uint8_t flags;          /* trace-flags (bit 0: sampled) */
};

/*
 * Read the traceparent header value s (len bytes, not NUL-terminated;
 * surrounding spaces and tabs are ignored).  Version 00 must be exactly
 * 55 characters; a later version (not ff) at least 55, with a '-' after
 * them when longer, and only its first four fields are read.  Returns
 * true and fills t, or false (t untouched) for anything else: an
 * invalid header is ignored, as the specification asks.
 */
bool mpic__trace_parse(const char *s, size_t len, struct mpic__trace *t);

/*
 * The trace id of a request that came without a valid header, from its
 * id (NUL-terminated): id itself when it is 32 lowercase hex digits and
 * not all zeros, else the first 128 bits of SHA-256(id) in hex (never all
 * zeros), so that a record holding both can be checked.
 */
void mpic__trace_id_from(const char *id, char out[33]);

/* A new random span id (16 hex digits, never all zeros): 0, or
 * MPIC_EIO when the random generator fails. */
int mpic__trace_new_span(char out[17]);

/* The version-00 header value of trace_id, span_id and flags into out
 * (at least MPIC__TRACEPARENT_LEN + 1 bytes). */
void mpic__trace_format(const char *trace_id, const char *span_id,
			uint8_t flags, char *out, size_t outlen);

#endif
