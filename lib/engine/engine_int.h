/*
 * engine_int.h - the orchestrator's request state, shared by the files of
 * lib/engine that run one Open MPIC request.  They form a stack; each
 * calls only those below it (scripts/layers checks):
 *
 *   engine.c        entry points: the engine, submitting a request
 *   plan.c          the BR table, calendar and cohort checks of a request
 *   attempt.c       the attempt state machine: fan-out, deadline, decide,
 *   primary.c         retry or settle; the primary perspective's check
 *   respond.c       writers: the 200 response JSON,
 *   engine_audit.c    the audit records of a request
 *   mreq.c          the request's lifecycle: answer, free, the verdict
 *   gen.c           the generations: perspectives of one configuration
 *   local.c remote.c  the perspectives (perspective.h), beside the stack
 *
 * Lifetimes: a request (struct mreq) owns its attempts; an attempt owns
 * one slot per perspective of its cohort.  A check cannot be cancelled, so
 * an attempt closed by its deadline (or by an early decision) stays alive
 * until its last check has called back; the request is freed
 * (mpic__eng_maybe_free) when it has answered, its last attempt is gone,
 * its primary check has called back and its audit records are written.
 * Everything runs on the engine's event base, one thread.
 */
#ifndef MPIC__ENGINE_INT_H
#define MPIC__ENGINE_INT_H

#include <event2/event.h>

#include "audit/audit.h"
#include "engine/audit_info.h"
#include "engine/perspective.h"
#include "util/util.h"
#include "util/trace.h"
#include "dns/dns.h"
#include "corroborate/corroborate.h"
#include "api/model.h"
#include "config/config.h"

#define MAX_COHORT_SIZE 64
#define ENGINE_MAX_ADNS 8

/*
 * A generation: what one configuration makes of the engine.  The one in
 * force takes new requests; each request holds (refs) the one it started
 * on, whose configuration and perspectives it uses until it is freed
 * (m->gen, never m->eng->cfg or ->ps); a generation put out of force by
 * mpic_engine_reconfigure() waits on e->retired for its last request.
 */
struct eng_gen {
	struct mpic_engine *eng;
	const struct mpic_config *cfg;
	struct mpic_config *owned;   /* freed with it, or NULL (the caller's) */
	struct mpic__persp **ps;     /* in-process or remote (perspective.h) */
	struct mpic__persp *primary; /* in-process, or NULL: none configured */
	struct mpic__curl_loop *curl; /* one for every remote, or NULL */
	size_t n;
	size_t refs;                 /* requests on it, + 1 while in force */
	struct event *reap;          /* frees it, retired and unused */
	struct eng_gen *next;        /* on e->retired */
};

struct mpic_engine {
	struct event_base *base;
	struct eng_gen *cur;         /* in force */
	struct eng_gen *retired;     /* out of force, requests still on them */
	/* cur's, for what is the engine's rather than a request's (stats,
	 * the audit log's settings) */
	const struct mpic_config *cfg;
	struct mpic__persp **ps;
	struct mpic__persp *primary;
	struct mpic__curl_loop *curl;
	size_t n;
	size_t inflight;
	struct mreq *reqs;
	struct mpic__audit *audit;   /* NULL: no audit log */
	struct mpic__jw rec_w;       /* an audit record being written */
	struct mpic__jw det_w;       /* its full details, for the hash */
	/* answers the log made us refuse (engine_audit.c) */
	uint64_t audit_refused[MPIC_AUDIT_R__N];
	bool audit_stalled;         /* answers are being refused for a stall */
	uint64_t audit_stall_ms;    /* since when (monotonic) */
	uint64_t audit_stall_refused; /* how many since */
	bool audit_failed;          /* FAILED was noticed */
	mpic_audit_notice_cb audit_notice;
	void *audit_notice_arg;
	bool closing;               /* in mpic_engine_free() */
	/* what mpic_engine_audit_stats() and _persp_stats() return */
	struct mpic_audit_stats audit_pub;
	struct mpic_persp_stats *persp_pub; /* n + 1: the primary's last */
	struct mpic_check_stats *checks_pub; /* mpic_engine_check_stats() */
};

struct slot {
	struct attempt *at;
	size_t pidx;
	bool done;
	struct mpic__check_result res;
};

/* Why an attempt was decided: what its unanswered slots show. */
enum attempt_close {
	AT_OPEN = 0,            /* not yet decided */
	AT_ANSWERED,            /* every check answered */
	AT_EARLY,               /* early decision: the outcome was certain */
	AT_DEADLINE,            /* its deadline passed */
};

struct attempt {
	struct mreq *m;
	int number;             /* 1-based */
	size_t n;
	size_t pending;         /* checks not yet called back */
	enum attempt_close closed; /* decided (not AT_OPEN): late answers
	                            * only add audit records */
	struct event *deadline;
	struct attempt *next_live; /* the request's attempts still alive */
	struct slot slots[];
};

/* What the response needs of the attempt whose remote outcome is final,
 * kept while the primary is awaited (stragglers may change the slots). */
struct settled {
	bool done;
	struct mpic__tally tally; /* the attempt's, when it closed */
	int number;             /* the attempt's number */
	struct mpic__jw perspectives; /* its "perspectives" list, as text */
	json_t *findings;       /* why its results disagree (lib/findings),
	                         * or NULL: out of memory */
	const char *codes[MAX_COHORT_SIZE];
	size_t n_codes;
	/* the same perspectives with their outcomes, for the typed answer */
	struct mpic_answer_persp outs[MAX_COHORT_SIZE];
	/* the distinct Authorization Domain Names its results showed, for
	 * the decision record (engine_audit.c); more are not kept */
	struct settled_adn {
		char name[MPIC__NAME_MAX + 1];
		bool passed;    /* shown by a result that passed */
	} adns[ENGINE_MAX_ADNS];
	size_t n_adns;
};

/* The primary's check: once per request. */
struct primary {
	bool on;                /* configured */
	bool done;              /* answered, or its deadline passed */
	bool pending;           /* not yet called back */
	struct mpic__check_result res; /* valid when done */
	struct event *deadline;
};

struct mreq {
	struct mpic_engine *eng;
	struct eng_gen *gen;    /* the generation it started on (held) */
	struct mreq *prev, *next;
	struct mpic__request req;
	time_t now;
	mpic_request_cb cb;     /* or */
	mpic_answer_cb acb;     /* the typed answer (mpic_engine_request) */
	void *arg;
	struct mpic__br_phase phase;
	int count, quorum, max_attempts;
	/* every cohort of count perspectives, row-major: disjoint, so at
	 * most every configured perspective once */
	size_t cohorts[MPIC__COHORT_MAX_DEFS];
	int n_cohorts;
	int fixed_cohort;       /* 0-based, or -1 */
	int attempts_run;
	size_t live_attempts;
	struct attempt *live;   /* freed with the request by an engine_free */
	bool answered;
	struct mpic__jw previous; /* previous_attempt_results: "[" and one
	                          * list per retried attempt; empty: none */
	json_t *request_orch;   /* echo of what was sent */
	uint64_t earlier_pass_ns; /* the latest pass of a retried attempt
				   * (timestamp_ns), for the findings; 0:
				   * none */
	const char *warning_type; /* NULL, or a warning on the method
				   * (plan.c), in the answer and the
				   * decision record: */
	char warning[256];        /* its message */
	char audit_id[33];      /* 128 random bits, hex */
	struct mpic__trace trace; /* W3C: the caller's header or made from
				   * audit_id; span_id is this request's */
	char traceparent[MPIC__TRACEPARENT_LEN + 1]; /* sent back */
	char parent_id[17];     /* the caller's span id, "" none */
	size_t audit_pending;   /* records appended, callback not yet run */
	size_t gate;            /* of those, appended before the decision */
	bool decided;
	bool valid;             /* the answer's is_valid, once responded */
	const char *decision;   /* static: mpic_answer's, once responded */
	int audit_err;          /* a record the answer needs was not
				 * written: why (MPIC_E*), else 0 */
	char *body;             /* the 200 answer, waiting for the log */
	struct event *audit_wait; /* bounds that wait, or NULL */
	uint64_t audit_wait_ms;   /* when that wait began (monotonic ms) */
	struct attempt *open;   /* the attempt not yet closed, or NULL */
	struct settled fin;
	struct primary pri;
};

/* mreq.c: the request's lifecycle (the bottom of the stack) */
/* Answer once (status, body); the request is not freed. */
void mpic__eng_reply(struct mreq *m, int status, const char *body);
/* Answer with j serialised (a 500 if that fails); j stays the caller's. */
void mpic__eng_reply_json(struct mreq *m, int status, json_t *j);
/* Bound on a response's text (and its parts) built in memory. */
#define ENGINE_RESPONSE_MAX (64u * 1024u * 1024u)
/* Free m if it has answered and nothing of it is still running; free it
 * now (a request refused before any check started). */
void mpic__eng_maybe_free(struct mreq *m);
void mpic__eng_mreq_free(struct mreq *m);
void mpic__eng_attempt_free(struct attempt *at);
/* The details keys of the request's check on res (mpic__check_details_fill):
 * every result the engine keeps or shows has them. */
void mpic__eng_details(const struct mreq *m, struct mpic__check_result *res);
/* What a slot stands for: its result, or (unfinished) a timeout in tmp,
 * which the caller releases. */
const struct mpic__check_result *mpic__eng_slot_result(const struct mreq *m,
    const struct slot *s, struct mpic__check_result *tmp);
/* The deadline of one attempt of m (and of its primary's check). */
void mpic__eng_deadline(const struct mreq *m, struct timeval *tv);
/* The primary's state now; failed (or timed out). */
enum mpic__primary_state mpic__eng_primary_state(const struct mreq *m);
bool mpic__eng_primary_failed(const struct mreq *m);
/* The rules in force for m, and the verdict on its settled attempt with
 * the primary as it stands (lib/corroborate/verdict.c). */
void mpic__eng_rules(const struct mreq *m, struct mpic__quorum_rules *r);
void mpic__eng_verdict(const struct mreq *m, struct mpic__verdict *v);

/* gen.c: a generation of e from cfg (in force: refs 1), or an error
 * with err; ref / unref by a request; the last unref of a generation out
 * of force frees it on the next turn of the loop. */
int mpic__eng_gen_new(struct mpic_engine *e, const struct mpic_config *cfg,
		      struct eng_gen **out, char *err, size_t errlen);
void mpic__eng_gen_ref(struct eng_gen *g);
void mpic__eng_gen_unref(struct eng_gen *g);
void mpic__eng_gen_free(struct eng_gen *g);

/* plan.c: fill m's counts, quorum, attempts and cohorts from its request
 * and the configuration, or add the issues (then MPIC_EINVAL). */
int mpic__eng_plan(struct mreq *m, struct mpic__issues *is);

/* attempt.c: the attempt state machine */
/* Start the next attempt (the next cohort) of m; answers 500 on ENOMEM. */
void mpic__eng_attempt_start(struct mreq *m);
/* Close the attempt if it is decided (deadline: it is); then retry with
 * the next cohort or settle the remote outcome. */
void mpic__eng_evaluate(struct attempt *at, bool deadline);
/* Respond once the settled attempt and the primary (if any) are in. */
void mpic__eng_maybe_decide(struct mreq *m);

/* respond.c */
/* The "perspectives" list of an attempt (new reference). */
void mpic__eng_attempt_write(const struct attempt *at, struct mpic__jw *w);
/* The findings of the settled attempt at (lib/findings), in m->fin. */
void mpic__eng_findings(struct mreq *m, const struct attempt *at);
/* Note what a retried attempt at saw that the findings of a later one
 * need (a challenge found, then gone). */
void mpic__eng_findings_note(struct mreq *m, const struct attempt *at);
/* Build the 200 response; with an audit log it waits in m->body for the
 * records to be durable. */
void mpic__eng_respond(struct mreq *m);

/* engine_audit.c: queue a request's records (no-ops without a log) */
void mpic__eng_audit_slot(struct mreq *m, const struct slot *s, bool late);
void mpic__eng_audit_attempt(struct attempt *at);
void mpic__eng_audit_primary(struct mreq *m,
    const struct mpic__check_result *res, bool late);
/* Keep the Authorization Domain Names the settled attempt's results show
 * (in m->fin), for the decision record. */
void mpic__eng_audit_settle(struct mreq *m, const struct attempt *at);
/* The decision record; after it, records no longer hold the answer. */
void mpic__eng_audit_decision(struct mreq *m);
/* Give the answer in m->body once its records are durable, at most
 * audit.sync_timeout_ms from now; or now, an error, if one failed. */
void mpic__eng_audit_answer(struct mreq *m);
/* At submission: 0, or answer m at once (500, 503) and return nonzero
 * when the log cannot take the request's records now. */
int mpic__eng_audit_admit(struct mreq *m);

/* primary.c: start the primary's check (once per request). */
void mpic__eng_primary_start(struct mreq *m);

#endif
