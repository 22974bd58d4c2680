/*
 * perspective.h - one perspective as the orchestrator sees it: something
 * that runs one check and calls back with a struct mpic__check_result.
 * Two implementations: in-process (local.c: a resolver and the checkers of
 * lib/check) and remote (remote.c: the perspective API over mutual TLS).
 */
#ifndef MPIC_PERSPECTIVE_H
#define MPIC_PERSPECTIVE_H

#include "check/check.h"
#include "corroborate/corroborate.h"
#include "api/model.h"
#include "config/config.h"

struct mpic__persp;
struct mpic__curl_loop;

struct mpic__persp_ops {
	/*
	 * Start one check of req at wall-clock time now.  req must stay
	 * valid until cb, which runs exactly once and never before start
	 * returns (the mpic__check_start() contract).  Returns 0 or a
	 * negative error (then no callback).
	 */
	int (*start)(struct mpic__persp *p, const struct mpic__request *req,
		     time_t now, mpic__check_cb cb, void *arg);
	/* Free; checks still running are dropped without callbacks. */
	void (*free)(struct mpic__persp *p);
};

/* Reachability is the public enum mpic_reach (mpic/perspective.h). */

/* Common head of every implementation. */
struct mpic__persp {
	const struct mpic__persp_ops *ops;
	const struct mpic__perspective_def *def;
	/* Results seen by the orchestrator (for metrics). */
	uint64_t n_passed, n_failed, n_errors;
	/* Remote perspectives: reachability from the last call. */
	enum mpic_reach reach;
	uint64_t last_call_ns;         /* wall clock of the last answer */
	char last_error[256];
	/* Remote perspectives: calls by end, their round trips (stats.c) */
	uint64_t calls[MPIC_CALL__N];
	uint64_t call_buckets[MPIC_STATS_BUCKETS];
	uint64_t call_us;
	uint64_t tls_hs[2];            /* handshakes: full, resumed */
	/* In-process perspectives: what their checks did */
	struct mpic_check_stats checks;
};

/* Count one call to remote perspective p that ended so, after us
 * microseconds (stats.c). */
void mpic__persp_call_count(struct mpic__persp *p, enum mpic_call_result end,
			    uint64_t us);

/* In-process: its own resolver and cache on base. */
int mpic__persp_local_new(struct event_base *base,
			  const struct mpic_config *cfg,
			  const struct mpic__perspective_def *def,
			  struct mpic__persp **out, char *err, size_t errlen);

/*
 * Remote: POST def->url + "/caa" or "/dcv" over mutual TLS 1.3 (client
 * certificate cfg->tls_cert / tls_key, servers verified against
 * cfg->tls_client_ca) on loop.  loop must outlive the perspective.
 */
int mpic__persp_remote_new(struct mpic__curl_loop *loop,
			   const struct mpic_config *cfg,
			   const struct mpic__perspective_def *def,
			   struct mpic__persp **out, char *err, size_t errlen);

/*
 * Turn a perspective API answer (JSON text) into a result; checks that it
 * names def's code and RIR and the expected check type.  On any problem
 * the result is a failed check with an MPIC_ERR_REMOTE error; returns 0
 * when the answer was well-formed, MPIC_EPARSE otherwise.
 */
/*
 * The body of a call to a remote perspective for req (the same for all of
 * them), in req's arena; NULL when out of memory.  A remote perspective
 * uses req->remote_body when it is set, or builds its own.
 */
const char *mpic__remote_body(const struct mpic_config *cfg,
			      struct mpic__request *req);
int mpic__remote_answer(const struct mpic__perspective_def *def,
			enum mpic__check_type type, const char *body,
			size_t len, struct mpic__check_result *res);

/* How far a remote's clock may be from ours (ns). */
#define MPIC_REMOTE_SKEW_NS (5ull * 1000000000ull)
/*
 * A remote's timestamp_ns is believed only within its call's window,
 * start_ns - MPIC_REMOTE_SKEW_NS .. end_ns + MPIC_REMOTE_SKEW_NS (our wall
 * clock, ns: the call's start and the answer's receipt).  Outside it,
 * res->timestamp_ns becomes end_ns and the remote's value is kept in
 * res->remote_timestamp_ns (for the audit record); none sent: end_ns.
 */
void mpic__remote_answer_time(struct mpic__check_result *res,
			      uint64_t start_ns, uint64_t end_ns);

/*
 * Parse a perspective API body (POST /caa or /dcv) into req: the Open
 * MPIC request checker on the body with check_type added.  Same contract
 * as mpic__request_parse().
 */
int mpic__persp_request_parse(enum mpic__check_type type, const char *body,
			      size_t len, struct mpic__request *req,
			      struct mpic__issues *issues);

#endif
