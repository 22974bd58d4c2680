/*
 * diagnose.h - lib/diagnose: the pre-flight of mpic/diagnose.h.  probe.c
 * runs one perspective's probes on its check environment (the raw
 * lookups, the CAA check and an HTTP check of lib/check, TCP connects);
 * diagnose.c fans a diagnosis out to the perspectives (in process or
 * POST /diagnose) and verdict.c judges what they saw.  Internal.
 */
#ifndef MPIC__DIAGNOSE_H
#define MPIC__DIAGNOSE_H

#include "check/check.h"
#include "corroborate/corroborate.h"

#define MPIC__DIAG_URL_MAX 2048
#define MPIC__DIAG_EXPECT_MAX 1024
#define MPIC__DIAG_MAX_ADDRS 8       /* addresses connected to, per family */
#define MPIC__DIAG_MAX_CAA 16        /* issuer domains judged */

/* A diagnosis request, parsed and bounded (mpic__diag_q_parse). */
struct mpic__diag_q {
	char name[MPIC__NAME_MAX + 1];
	char url[MPIC__DIAG_URL_MAX + 1];     /* "" when absent */
	char txt[MPIC__NAME_MAX + 1];         /* "" when absent */
	char expect[MPIC__DIAG_EXPECT_MAX + 1];
	bool has_expect;
	/* the issuer domains CAA must permit: a coordinator sends its own
	 * to its perspectives (which have none configured); none: the
	 * configuration's */
	char caa[MPIC__DIAG_MAX_CAA][MPIC__NAME_MAX + 1];
	size_t n_caa;
};

/*
 * Parse a POST /diagnose body (len bytes, at most MPIC_MAX_BODY) into q.
 * 0, or MPIC_EINVAL with the reason in why.
 */
int mpic__diag_q_parse(const char *body, size_t len, struct mpic__diag_q *q,
		       char *why, size_t whylen);
/* The body for a remote perspective (new string, mpic__free; NULL: out
 * of memory). */
char *mpic__diag_q_body(const struct mpic__diag_q *q);

struct mpic__diag_probe;
/* A perspective's observations (a JSON object, handed over). */
typedef void (*mpic__diag_probe_cb)(void *arg, json_t *obs);

/*
 * Probe q from the perspective def on env (its resolver, its HTTP client;
 * env->web must be set up).  cb runs exactly once, never before this
 * returns, unless the probe is freed first with mpic__diag_probe_free()
 * (which must come after the resolver and HTTP client of env are freed,
 * or while nothing of it runs: it drops what still runs).  env, def and
 * q must outlive the probe.  0 or MPIC_ENOMEM (no callback).
 */
int mpic__diag_probe_start(const struct mpic__check_env *env,
			   const struct mpic__perspective_def *def,
			   const struct mpic__diag_q *q, mpic__diag_probe_cb cb,
			   void *arg, struct mpic__diag_probe **out);
void mpic__diag_probe_free(struct mpic__diag_probe *p);

/*
 * Judge the perspectives' observations (an array of the objects probe.c
 * makes, or {"perspective_code", "rir", "error"} for one that did not
 * answer): the findings (new reference, docs/findings.md "Diagnoses"),
 * *ready, and in why the first reason it will fail ("" when ready).
 * NULL when out of memory.
 */
json_t *mpic__diag_judge(const struct mpic__diag_q *q, json_t *persp,
			 bool *ready, char *why, size_t whylen);

#endif
