/*
 * perspective.h - perspectives: the counters and reachability of an
 * engine's perspectives (for a program's health page and metrics), and
 * a perspective of its own (role perspective) serving the perspective
 * API (POST /caa, /dcv; docs/interface.md) one request at a time.
 */
#ifndef MPIC_PUB_PERSPECTIVE_H
#define MPIC_PUB_PERSPECTIVE_H

#include <mpic/common.h>

/* A remote perspective's reachability, from its last call. */
enum mpic_reach {
	MPIC_REACH_UNKNOWN = 0, /* not called yet */
	MPIC_REACH_OK,          /* the last call got a well-formed answer */
	MPIC_REACH_FAILED,      /* the last call failed (see last_error) */
};

/*
 * One perspective of an engine, as it is now.  Owned by the engine
 * (valid until the next call for it or mpic_engine_free()); fields are
 * added at the end.
 */
struct mpic_persp_stats {
	const char *code;          /* perspective code */
	const char *rir;           /* "ARIN", "RIPE NCC", ... */
	bool remote;               /* called over the perspective API */
	uint64_t n_passed, n_failed, n_errors; /* results the engine saw */
	enum mpic_reach reach;     /* remote only */
	uint64_t last_call_ns;     /* wall clock of the last answer; 0 */
	const char *last_error;    /* of a failed last call; "" */
	/* Remote only: each call to it by its end (MPIC_CALL_*), and its
	 * round trip in the buckets of mpic_stats_bucket_le() (counts per
	 * bucket, not cumulative) with their sum in microseconds.  Counted
	 * since the engine was made; probes are not calls. */
	uint64_t calls[5];
	uint64_t call_buckets[MPIC_STATS_BUCKETS];
	uint64_t call_us;
	/* TLS handshakes of the connections to it: full, resumed */
	uint64_t tls_handshakes[2];
};

/* How a call to a remote perspective ended (mpic_persp_stats.calls). */
enum mpic_call_result {
	MPIC_CALL_CORROBORATED = 0, /* a well-formed answer: the check passed */
	MPIC_CALL_FAILED,       /* it did not pass, or the call failed
				 * (connection, TLS, HTTP status) */
	MPIC_CALL_TIMED_OUT,    /* no answer within its timeout */
	MPIC_CALL_MISIDENTIFIED, /* the answer named another perspective
				  * code, RIR or check type */
	MPIC_CALL_BAD_ANSWER,   /* the answer was not a perspective answer */
	MPIC_CALL__N
};

/*
 * What the checks of in-process perspectives did, below the answer: DNS
 * lookups by rcode (0-15; MPIC_STATS_RCODE_TIMEOUT: no answer within
 * dns.timeout_ms; MPIC_STATS_RCODE_FAILED: no answer otherwise) and DNSSEC
 * state (MPIC_STATS_DNSSEC_*), each lookup once with its final answer
 * (a retry is not another lookup); HTTP transfers of acme-http-01 and
 * website-change (every address tried, every redirect followed) and
 * TLS-ALPN-01 handshakes (every address tried) by outcome
 * (MPIC_STATS_OUT_*).  Names for the indices: mpic_stats_rcode_name(),
 * mpic_stats_dnssec_name(), mpic_stats_outcome_name().
 */
#define MPIC_STATS_RCODES 18
#define MPIC_STATS_RCODE_TIMEOUT 16
#define MPIC_STATS_RCODE_FAILED 17
enum { MPIC_STATS_DNSSEC_INDETERMINATE = 0, MPIC_STATS_DNSSEC_INSECURE,
       MPIC_STATS_DNSSEC_SECURE, MPIC_STATS_DNSSEC_BOGUS,
       MPIC_STATS_DNSSEC__N };
enum {
	MPIC_STATS_OUT_2XX = 0,    /* HTTP: a response, by status class */
	MPIC_STATS_OUT_3XX,
	MPIC_STATS_OUT_4XX,
	MPIC_STATS_OUT_5XX,
	MPIC_STATS_OUT_OTHER_STATUS,
	MPIC_STATS_OUT_HANDSHAKE,  /* TLS-ALPN: the handshake completed */
	MPIC_STATS_OUT_CONNECT_FAILED,
	MPIC_STATS_OUT_TLS_FAILED,
	MPIC_STATS_OUT_TIMED_OUT,
	MPIC_STATS_OUT_TOO_LARGE,  /* HTTP: headers or body over the bound */
	MPIC_STATS_OUT_REFUSED,    /* the address is not allowed (SSRF guard) */
	MPIC_STATS_OUT_ERROR,
	MPIC_STATS_OUT__N
};
struct mpic_check_stats {
	uint64_t dns[MPIC_STATS_RCODES][MPIC_STATS_DNSSEC__N];
	uint64_t http[MPIC_STATS_OUT__N];
	uint64_t alpn[MPIC_STATS_OUT__N];
};

/* A perspective serving the perspective API (role perspective). */
struct mpic_persp;

/*
 * A perspective-API request served: status (200, 400, 413, 500) and the
 * JSON body, NUL-terminated, owned by the library and valid during the
 * callback.  For a 200: passed (the check passed), completed (it ran:
 * not passed is a failed check, not an error); check_type "caa" or
 * "dcv", method the validation_method (dcv) or NULL, trace_id the
 * request's trace_identifier or NULL.
 */
struct mpic_persp_answer {
	int status;
	const char *body;
	size_t len;
	bool passed, completed;
	const char *check_type;
	const char *method;
	const char *trace_id;
	/* W3C trace context of every answer (docs/api.md): the trace id the
	 * caller's traceparent header gave (a random one without a valid
	 * header) and the traceparent to send back (this check's span);
	 * parent_id the caller's span id ("" without a valid header). */
	const char *trace;
	const char *traceparent;
	const char *parent_id;
};
typedef void (*mpic_persp_cb)(void *arg, const struct mpic_persp_answer *a);

/*
 * Who signs the perspective's statements (docs/evidence.md): msg (len
 * bytes) is a statement's encoding; fn writes its Ed25519 signature (64
 * bytes) into sig and the raw public key (32 bytes) into pub, and
 * returns 0, or -1 with the reason in err.  mpicd's signer is its key
 * process, which alone holds identity.signing_key.
 */
typedef int (*mpic_persp_signer)(void *arg, const uint8_t *msg, size_t len,
				 uint8_t sig[64], uint8_t pub[32], char *err,
				 size_t errlen);

MPIC_BEGIN_DECLS

/* The engine's remote (and in-process) perspectives, 0 .. count - 1,
 * and its primary (in-process; NULL: none configured).  NULL too for i
 * out of range, or out of memory (the first call allocates). */
MPIC_EXTERN size_t mpic_engine_persp_count(const struct mpic_engine *eng);
MPIC_EXTERN const struct mpic_persp_stats *
mpic_engine_persp_stats(struct mpic_engine *eng, size_t i);
MPIC_EXTERN const struct mpic_persp_stats *
mpic_engine_primary_stats(struct mpic_engine *eng);

/*
 * The perspective cfg's identity names (role perspective), with its own
 * resolver and cache on base; cfg must outlive it.  Returns 0, or an
 * error with the reason in err.  mpic_persp_free() drops the checks
 * still running without their callbacks.
 */
MPIC_EXTERN int mpic_persp_new(struct event_base *base,
			       const struct mpic_config *cfg,
			       struct mpic_persp **out, char *err,
			       size_t errlen);
MPIC_EXTERN void mpic_persp_free(struct mpic_persp *p);

/* Sign every answer's statement with fn (NULL: answers are not signed). */
MPIC_EXTERN void mpic_persp_set_signer(struct mpic_persp *p,
				       mpic_persp_signer fn, void *arg);
/* The counts of the checks p ran, since mpic_persp_new(); owned by p. */
MPIC_EXTERN const struct mpic_check_stats *
mpic_persp_check_stats(struct mpic_persp *p);
/* The sum over eng's in-process perspectives and its primary, since
 * mpic_engine_new() (remote perspectives count their own); owned by eng,
 * valid until the next call or mpic_engine_free(); NULL: out of memory. */
MPIC_EXTERN const struct mpic_check_stats *
mpic_engine_check_stats(struct mpic_engine *eng);
/* Label names of the indices above ("NOERROR", "timeout"; "secure";
 * "2xx", "connect_failed", ...); NULL out of range. */
MPIC_EXTERN const char *mpic_stats_rcode_name(size_t i);
MPIC_EXTERN const char *mpic_stats_dnssec_name(size_t i);
MPIC_EXTERN const char *mpic_stats_outcome_name(size_t i);

/*
 * Serve one perspective-API request: body (len bytes) of a POST /caa
 * (check_type "caa") or /dcv ("dcv") at wall-clock time now; nonce: the
 * call's MPIC-Nonce header (hex; NULL or malformed: zeros, which a
 * coordinator that sends nonces refuses), signed into the answer's
 * statement when a signer is set.  cb runs
 * exactly once, possibly before this returns (a request refused at once);
 * body need not outlive the call.  Returns 0, or (no callback)
 * MPIC_EINVAL for an unknown check_type, MPIC_ENOMEM.  A check that cannot start is a
 * failed check (200) with the reason, as the orchestrator treats it.
 */
MPIC_EXTERN int mpic_persp_serve(struct mpic_persp *p, const char *check_type,
				 const char *body, size_t len, time_t now,
				 const char *nonce, mpic_persp_cb cb,
				 void *arg);
/* mpic_persp_serve() with the caller's traceparent header value
 * (NUL-terminated; NULL or invalid: a new random trace).  Besides the
 * errors above, MPIC_EIO when no random span id could be made (then no
 * callback); mpic_persp_serve() is this with NULL. */
MPIC_EXTERN int mpic_persp_serve_traced(struct mpic_persp *p,
					const char *check_type,
					const char *body, size_t len,
					time_t now, const char *nonce,
					const char *traceparent,
					mpic_persp_cb cb, void *arg);

MPIC_END_DECLS
#endif
