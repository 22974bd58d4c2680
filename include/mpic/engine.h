/*
 * engine.h - the coordinator: the orchestrator over the configured
 * perspectives, running on the caller's event base, answering Open MPIC
 * requests (POST /mpic bodies).
 */
#ifndef MPIC_PUB_ENGINE_H
#define MPIC_PUB_ENGINE_H

#include <mpic/common.h>
#include <mpic/answer.h>

/*
 * Completion of one Open MPIC request.  status is the HTTP status the
 * coordinator answers with (200, 400, 500); body is the response JSON text,
 * NUL-terminated, owned by the library and valid only during the callback.
 */
typedef void (*mpic_request_cb)(void *arg, int status, const char *body,
				size_t len);
/* The same with the typed answer (answer.h), valid during the callback. */
typedef void (*mpic_answer_cb)(void *arg, const struct mpic_answer *ans);

MPIC_BEGIN_DECLS

/*
 * Make an engine.  cfg must outlive it.  With audit.path set (the
 * default), the engine opens the audit log (docs/audit.md) and fails
 * with its reason in err if it cannot (MPIC_EIO, MPIC_EPARSE for a
 * damaged last record); the log adds a persistent event to base.
 * mpic_engine_free() writes every record already queued; requests still
 * in flight are dropped without a callback.  It must not be called from
 * a request's callback.
 */
MPIC_EXTERN int mpic_engine_new(struct event_base *base,
				const struct mpic_config *cfg,
				struct mpic_engine **out, char *err,
				size_t errlen);
MPIC_EXTERN void mpic_engine_free(struct mpic_engine *eng);

/*
 * Start one Open MPIC request (JSON text of the POST /mpic body).  now is
 * the wall-clock time used for the Baseline Requirements calendar.  The
 * callback runs exactly once, possibly before this function returns for
 * requests rejected at once.  With an audit log, a 200 answer (which then
 * carries "audit_id") is given only once the request's records are durable;
 * if they cannot be written the answer is a 500, and so it is if they are
 * not durable within audit.sync_timeout_ms (the records stay queued).
 * While the log is stalled (its oldest record has waited longer than
 * that) or its queue is full, requests are answered 503, at once when the
 * stall is known at submission; after a failed write, 500 at once.
 * Returns 0 or a negative error (the callback then does not run).
 */
MPIC_EXTERN int mpic_engine_submit(struct mpic_engine *eng, const char *body,
				   size_t len, time_t now, mpic_request_cb cb,
				   void *arg);
/* mpic_engine_submit() with the typed answer. */
MPIC_EXTERN int mpic_engine_request(struct mpic_engine *eng,
				    const char *body, size_t len, time_t now,
				    mpic_answer_cb cb, void *arg);
/*
 * mpic_engine_request() with the caller's W3C traceparent header value
 * (NUL-terminated; NULL: none).  A valid one gives the request its trace
 * id; an invalid one is ignored, and the trace id is then made from the
 * request's audit_id.  Every call to a remote perspective carries the
 * trace id with a span id of its own, the audit records hold it
 * ("trace_id"), and the answer gives it (struct mpic_answer trace,
 * traceparent).  Plain mpic_engine_request() is this with NULL.
 */
MPIC_EXTERN int mpic_engine_request_traced(struct mpic_engine *eng,
					   const char *body, size_t len,
					   time_t now,
					   const char *traceparent,
					   mpic_answer_cb cb, void *arg);

/*
 * Put cfg in force (a reload): requests submitted from now on use cfg's
 * perspectives, primary, orchestration defaults, timeouts, CAA issuer
 * domains and DCV settings; requests in flight keep the configuration
 * and perspectives they started with until they end, and those are then
 * freed.  The audit log stays the same object and file (cfg's
 * audit.path is not acted on: the caller names it as needing a restart;
 * audit.sync_timeout_ms and audit.rotate_bytes apply).  On success the
 * engine owns cfg (freed once it is out of force and unused, or with
 * the engine; the caller may read it while it is in force); on failure
 * (MPIC_ENOMEM, a perspective that cannot be made, with err) cfg stays
 * the caller's and nothing changed.  Not from a request's callback.
 */
MPIC_EXTERN int mpic_engine_reconfigure(struct mpic_engine *eng,
					struct mpic_config *cfg, char *err,
					size_t errlen);

/* Number of requests in flight. */
MPIC_EXTERN size_t mpic_engine_inflight(const struct mpic_engine *eng);

/*
 * After the caller's client certificate changed (a reload): connections
 * to the remote perspectives made with the old one are closed once idle,
 * and new calls make new ones.
 */
MPIC_EXTERN void mpic_engine_retire_connections(struct mpic_engine *eng);

/*
 * Rotate the engine's audit log: between two of its writes the file is
 * renamed to PATH.<seq of its first record, 12 digits> and a new PATH
 * continues the chain (docs/audit.md).  Asynchronous; any thread.
 * false when eng keeps no audit log.
 */
MPIC_EXTERN bool mpic_engine_audit_rotate(struct mpic_engine *eng);

/*
 * The quorum the BR table (3.2.2.9) asks of n perspectives: n - 1 for 2
 * to 5, n - 2 from 6; n itself below 2 (a lab's single perspective).
 * mpicd's /readyz compares it with the perspectives it can reach.
 */
MPIC_EXTERN int mpic_quorum_required(int n);

MPIC_END_DECLS
#endif
