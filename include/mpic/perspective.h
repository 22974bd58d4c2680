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

/*
 * Serve one perspective-API request: body (len bytes) of a POST /caa
 * (check_type "caa") or /dcv ("dcv") at wall-clock time now.  cb runs
 * exactly once, possibly before this returns (a request refused at once);
 * body need not outlive the call.  Returns 0, or (no callback)
 * MPIC_EINVAL for an unknown check_type, MPIC_ENOMEM.  A check that cannot start is a
 * failed check (200) with the reason, as the orchestrator treats it.
 */
MPIC_EXTERN int mpic_persp_serve(struct mpic_persp *p, const char *check_type,
				 const char *body, size_t len, time_t now,
				 mpic_persp_cb cb, void *arg);
/* mpic_persp_serve() with the caller's traceparent header value
 * (NUL-terminated; NULL or invalid: a new random trace).  Besides the
 * errors above, MPIC_EIO when no random span id could be made (then no
 * callback); mpic_persp_serve() is this with NULL. */
MPIC_EXTERN int mpic_persp_serve_traced(struct mpic_persp *p,
					const char *check_type,
					const char *body, size_t len,
					time_t now, const char *traceparent,
					mpic_persp_cb cb, void *arg);

MPIC_END_DECLS
#endif
