/*
 * answer.h - a coordinator's answer to one Open MPIC request, typed: the
 * facts a program acts on (metrics, its request log) beside the JSON body
 * it sends, so that it does not parse the body again.
 */
#ifndef MPIC_PUB_ANSWER_H
#define MPIC_PUB_ANSWER_H

#include <mpic/common.h>

/* What became of one perspective's check in the answer's attempt. */
enum mpic_outcome {
	MPIC_OUTCOME_PASSED = 0,   /* the check ran and passed */
	MPIC_OUTCOME_FAILED,       /* it ran and did not pass */
	MPIC_OUTCOME_ERROR,        /* it could not run (lookup, transport) */
	MPIC_OUTCOME_PENDING,      /* no answer when the attempt was decided */
};

/* One perspective of the answer's final attempt ("perspectives"). */
struct mpic_answer_persp {
	const char *code;          /* perspective_code */
	const char *rir;           /* "ARIN", "RIPE NCC", ... */
	enum mpic_outcome outcome;
};

/*
 * The answer.  Made by the library and valid only during the callback
 * that gets it (copy what outlives it); fields are added at the end, so
 * a program never allocates one.  Fields other than status, body, len,
 * trace and traceparent are set only when status is 200 (else false, NULL
 * and 0).
 */
struct mpic_answer {
	int status;                /* HTTP status: 200, 400, 413, 500, 503 */
	const char *body;          /* the response JSON, NUL-terminated */
	size_t len;
	bool valid;                /* "is_valid" */
	const char *check_type;    /* "caa" or "dcv" */
	const char *method;        /* dcv: validation_method; caa: NULL */
	const char *trace_id;      /* trace_identifier; NULL: none given */
	const char *audit_id;      /* "audit_id"; NULL: no audit log */
	const struct mpic_answer_persp *persp; /* the final attempt's */
	size_t n_persp;
	/* how the decision went: "corroborated", "quorum_not_met",
	 * "rir_rule_failed" (quorum met in one RIR only) or "primary_failed"
	 * (the primary perspective did not pass) */
	const char *decision;
	/* W3C trace context (docs/api.md), of every answer: the request's
	 * trace id (32 hex; the caller's, or made from audit_id) and the
	 * traceparent header to send back (this request's span); parent_id
	 * the caller's span id ("" when the trace was made here). */
	const char *trace;
	const char *traceparent;
	const char *parent_id;
};

#endif
