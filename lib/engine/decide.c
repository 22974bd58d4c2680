/*
 * decide.c - when an attempt is decided, what follows, and when the
 * request is.
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

static enum mpic__primary_state
primary_state(const struct mreq *m)
{
	if (!m->pri.on)
		return MPIC__PRIMARY_NONE;
	if (!m->pri.done)
		return MPIC__PRIMARY_PENDING;
	return m->pri.res.passed ? MPIC__PRIMARY_PASSED : MPIC__PRIMARY_FAILED;
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
		    m->eng->ps[s->pidx]->def->rir);
	}
	t->primary = primary_state(m);
}

void
mpic__eng_verdict(const struct mreq *m, struct mpic__verdict *v)
{
	struct mpic__tally t = m->fin.tally;
	struct mpic__quorum_rules r;

	/* the primary as it stands now: it may answer after the settling */
	t.primary = primary_state(m);
	mpic__eng_rules(m, &r);
	mpic__verdict(&t, &r, v);
}

void
mpic__eng_rules(const struct mreq *m, struct mpic__quorum_rules *r)
{
	r->perspectives = m->count;
	r->quorum = m->quorum;
	r->two_rir_rule = m->phase.two_rir_rule;
	r->early_decision = m->eng->cfg->early_decision;
}

bool
mpic__eng_primary_failed(const struct mreq *m)
{
	return primary_state(m) == MPIC__PRIMARY_FAILED;
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
	for (i = 0; i < at->n; i++)
		m->fin.codes[i] = m->eng->ps[at->slots[i].pidx]->def->code;
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
	struct mpic_audit *log = m->eng->audit;
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
	mpic__eng_attempt_start(m);
}
