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

struct tally {
	int passed, failed, pending;
	bool rirs[MPIC_RIR__COUNT];
	int n_rirs;
};

static void
count(const struct attempt *at, struct tally *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < at->n; i++) {
		const struct slot *s = &at->slots[i];
		enum mpic_rir r = at->m->eng->ps[s->pidx]->def->rir;

		if (!s->done) {
			t->pending++;
		} else if (s->res.passed) {
			t->passed++;
			if (!t->rirs[r]) {
				t->rirs[r] = true;
				t->n_rirs++;
			}
		} else {
			t->failed++;
		}
	}
}

static bool
quorum_met(const struct mreq *m, const struct tally *t)
{
	return t->passed >= m->quorum &&
	    (!m->phase.two_rir_rule || t->n_rirs >= 2);
}

bool
mpic__eng_primary_failed(const struct mreq *m)
{
	return m->pri.on && m->pri.done && !m->pri.res.passed;
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
settle(struct mreq *m, const struct attempt *at, const struct tally *t,
       bool met)
{
	size_t i;

	m->fin.done = true;
	m->fin.met = met;
	m->fin.passed = t->passed;
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
	struct tally t;
	bool met, hopeless;

	if (at->closed != AT_OPEN)
		return;
	count(at, &t);
	met = quorum_met(m, &t);
	hopeless = t.passed + t.pending < m->quorum ||
	    mpic__eng_primary_failed(m);
	if (!deadline && t.pending > 0 &&
	    !(m->eng->cfg->early_decision && (met || hopeless)))
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
	if (met || mpic__eng_primary_failed(m) ||
	    m->attempts_run >= m->max_attempts) {
		settle(m, at, &t, met);
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
