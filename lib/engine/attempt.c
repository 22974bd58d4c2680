/*
 * attempt.c - the attempt state machine: an attempt's cohort's checks
 * started together, each slot called back exactly once, the attempt's
 * deadline, and when it is decided and what follows.  A check cannot be
 * cancelled, so an attempt closed by its deadline (or an early decision)
 * lives on until its last check has called back; such a straggler only
 * adds a "late" audit record.
 *
 * An attempt is decided when every check has answered, at its deadline,
 * or with early decision as soon as the outcome is certain.  A failed
 * attempt is followed by the next cohort while attempts remain; otherwise
 * the remote outcome is "settled" (what the response needs is kept in
 * m->fin, since stragglers may still change the slots).
 *
 * The primary perspective (docs/orchestration.md) decides; the remotes
 * corroborate.  So the request is decided once both the settled attempt
 * and the primary are in.  A failed primary makes the outcome certain: no
 * further cohort is tried, and with early decision the open attempt
 * closes at once.
 */
#include <string.h>

#include "engine/engine_int.h"

static void
attempt_release(struct attempt *at)
{
	struct mreq *m = at->m;
	struct attempt **pp;

	if (at->pending > 0 || at->closed == AT_OPEN)
		return;
	for (pp = &m->live; *pp != NULL; pp = &(*pp)->next_live)
		if (*pp == at) {
			*pp = at->next_live;
			break;
		}
	mpic__eng_attempt_free(at);
	m->live_attempts--;
	mpic__eng_maybe_free(m);
}

static void
check_done(void *arg, struct mpic__check_result *res)
{
	struct slot *s = arg;
	struct attempt *at = s->at;
	struct mpic__persp *p = at->m->gen->ps[s->pidx];

	if (res->passed)
		p->n_passed++;
	else if (res->completed)
		p->n_failed++;
	else
		p->n_errors++;
	mpic__eng_details(at->m, res);
	s->res = *res;
	s->done = true;
	at->pending--;
	if (at->closed == AT_OPEN)
		mpic__eng_evaluate(at, false);
	else
		mpic__eng_audit_slot(at->m, s, true); /* a straggler */
	attempt_release(at);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct attempt *at = arg;

	(void)fd;
	(void)what;
	mpic__eng_evaluate(at, true);
	attempt_release(at);
}

void
mpic__eng_attempt_start(struct mreq *m)
{
	struct mpic_engine *e = m->eng;
	struct attempt *at;
	const size_t *cohort;
	struct timeval tv;
	size_t i;
	int c, rc;

	c = m->fixed_cohort >= 0 ? m->fixed_cohort :
	    m->attempts_run % m->n_cohorts;
	cohort = &m->cohorts[(size_t)c * (size_t)m->count];
	at = mpic__calloc(1, sizeof(*at) + (size_t)m->count *
	    sizeof(struct slot));
	if (at == NULL) {
		mpic__eng_reply(m, 500, "{\"error\":\"internal-error\","
		    "\"message\":\"out of memory\"}");
		mpic__eng_maybe_free(m);
		return;
	}
	m->attempts_run++;
	m->live_attempts++;
	at->next_live = m->live;
	m->live = at;
	m->open = at;
	at->m = m;
	at->number = m->attempts_run;
	at->n = (size_t)m->count;
	at->deadline = evtimer_new(e->base, deadline_cb, at);
	for (i = 0; i < at->n; i++) {
		at->slots[i].at = at;
		at->slots[i].pidx = cohort[i];
	}
	/* one body for every remote call of the request (remote.c builds
	 * its own if this fails), and the digest every perspective's
	 * statement signs, in-process ones too */
	if (m->req.remote_body == NULL)
		(void)mpic__remote_body(m->gen->cfg, &m->req);
	/* count every check as pending before any can call back */
	at->pending = at->n;
	for (i = 0; i < at->n; i++) {
		struct mpic__persp *p = m->gen->ps[cohort[i]];

		rc = p->ops->start(p, &m->req, m->now, check_done,
		    &at->slots[i]);
		if (rc != 0) {
			struct slot *s = &at->slots[i];

			mpic__check_result_init(&s->res);
			s->res.timestamp_ns = mpic__now_wall_ns();
			mpic__check_error(&s->res, m->req.check_type ==
			    MPIC__CHECK_CAA ? MPIC__ERR_CAA_LOOKUP :
			    MPIC__ERR_DCV_LOOKUP, "check could not start: %s",
			    mpic_strerror(rc));
			mpic__eng_details(m, &s->res);
			s->done = true;
			at->pending--;
		}
	}
	mpic__eng_deadline(m, &tv);
	if (at->deadline != NULL)
		evtimer_add(at->deadline, &tv);
	mpic__eng_evaluate(at, false);
	attempt_release(at);
}

/* The attempt's tally, with the primary's state (lib/corroborate). */
static void
count(const struct attempt *at, struct mpic__tally *t)
{
	const struct mreq *m = at->m;
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < at->n; i++) {
		const struct slot *s = &at->slots[i];

		mpic__tally_add(t, s->done, s->res.passed,
		    m->gen->ps[s->pidx]->def->rir);
	}
	t->primary = mpic__eng_primary_state(m);
}

/* Decide when both halves are in: the remote outcome and the primary. */
void
mpic__eng_maybe_decide(struct mreq *m)
{
	if (!m->fin.done || m->decided || m->answered)
		return;
	if (m->pri.on && !m->pri.done)
		return; /* the primary decides: wait for it */
	mpic__eng_respond(m);
}

/* Keep what the response needs of the attempt whose outcome is final. */
static void
settle(struct mreq *m, const struct attempt *at, const struct mpic__tally *t)
{
	size_t i;

	m->fin.done = true;
	m->fin.tally = *t;
	m->fin.number = at->number;
	mpic__eng_attempt_write(at, &m->fin.perspectives);
	mpic__eng_findings(m, at);
	for (i = 0; i < at->n; i++) {
		const struct slot *s = &at->slots[i];
		const struct mpic__perspective_def *def =
		    m->gen->ps[s->pidx]->def;

		m->fin.codes[i] = def->code;
		m->fin.outs[i].code = def->code;
		m->fin.outs[i].rir = mpic__rir_str(def->rir);
		m->fin.outs[i].outcome = !s->done ? MPIC_OUTCOME_PENDING :
		    s->res.passed ? MPIC_OUTCOME_PASSED : s->res.completed ?
		    MPIC_OUTCOME_FAILED : MPIC_OUTCOME_ERROR;
	}
	m->fin.n_codes = at->n;
	mpic__eng_audit_settle(m, at);
	mpic__eng_maybe_decide(m);
}

/* Decide the attempt: final when every check answered (or, with early
 * decision, as soon as the outcome is certain) or at the deadline.  A
 * failed primary makes any attempt's outcome certain (not valid). */
void
mpic__eng_evaluate(struct attempt *at, bool deadline)
{
	struct mreq *m = at->m;
	struct mpic__audit *log = m->eng->audit;
	struct mpic__quorum_rules r;
	struct mpic__tally t;
	struct mpic__verdict v;

	if (at->closed != AT_OPEN)
		return;
	count(at, &t);
	mpic__eng_rules(m, &r);
	mpic__verdict(&t, &r, &v);
	if (!deadline && !v.final)
		return;
	at->closed = t.pending == 0 ? AT_ANSWERED : deadline ? AT_DEADLINE :
	    AT_EARLY;
	if (m->open == at)
		m->open = NULL;
	if (at->deadline != NULL)
		evtimer_del(at->deadline);
	/* The attempt's records and the decision record go to the log as
	 * one group: one fdatasync before the answer, not one for the first
	 * record and another for the rest (the writer woke on the first). */
	mpic__audit_batch(log, true);
	mpic__eng_audit_attempt(at);
	if (v.met || mpic__eng_primary_failed(m) ||
	    m->attempts_run >= m->max_attempts) {
		settle(m, at, &t);
		mpic__audit_batch(log, false);
		return;
	}
	mpic__audit_batch(log, false);
	/* Retry with the next cohort; this attempt's corroborations never
	 * count again.  The primary's check is not repeated. */
	if (mpic__jw_len(&m->previous) == 0)
		mpic__jw_open(&m->previous, '[');
	mpic__eng_attempt_write(at, &m->previous);
	mpic__eng_findings_note(m, at);
	mpic__eng_attempt_start(m);
}
