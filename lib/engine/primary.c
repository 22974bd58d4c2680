/*
 * primary.c - the primary perspective's check: once per request, started
 * with the first attempt and bounded by the deadline of one attempt, on
 * the engine's in-process primary (its own resolver and cache).  A late
 * answer after the deadline is only logged.
 */
#include "engine/engine_int.h"

/* The primary's result is in (or its deadline passed): log it; a failure
 * closes the open attempt at once with early decision; decide if the
 * remote outcome is final. */
static void
primary_in(struct mreq *m)
{
	struct mpic__audit *log = m->eng->audit;

	m->pri.done = true;
	if (m->pri.deadline != NULL)
		evtimer_del(m->pri.deadline);
	/* its record and the decision, if it comes now: one group */
	mpic__audit_batch(log, true);
	mpic__eng_audit_primary(m, &m->pri.res, false);
	if (mpic__eng_primary_failed(m) && m->open != NULL &&
	    m->gen->cfg->early_decision)
		mpic__eng_evaluate(m->open, false);
	mpic__eng_maybe_decide(m);
	mpic__audit_batch(log, false);
}

static void
primary_done(void *arg, struct mpic__check_result *res)
{
	struct mreq *m = arg;
	struct mpic__persp *p = m->gen->primary;

	if (res->passed)
		p->n_passed++;
	else if (res->completed)
		p->n_failed++;
	else
		p->n_errors++;
	m->pri.pending = false;
	mpic__eng_details(m, res);
	if (m->pri.done) {
		/* after its deadline: a straggler, logged as late */
		mpic__eng_audit_primary(m, res, true);
		mpic__check_result_release(res);
	} else {
		m->pri.res = *res;
		primary_in(m);
	}
	mpic__eng_maybe_free(m);
}

static void
primary_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mreq *m = arg;

	(void)fd;
	(void)what;
	if (m->pri.done)
		return;
	mpic__check_result_init(&m->pri.res);
	m->pri.res.timestamp_ns = mpic__now_wall_ns();
	mpic__check_error(&m->pri.res, MPIC__ERR_TIMEOUT, "primary perspective "
	    "did not answer before the deadline");
	mpic__eng_details(m, &m->pri.res);
	primary_in(m);
	mpic__eng_maybe_free(m);
}

/* Start the primary's check: once per request, beside the first attempt,
 * with the deadline of one attempt. */
void
mpic__eng_primary_start(struct mreq *m)
{
	struct mpic_engine *e = m->eng;
	struct timeval tv;
	int rc;

	m->pri.on = true;
	m->pri.pending = true;
	rc = m->gen->primary->ops->start(m->gen->primary, &m->req, m->now, primary_done,
	    m);
	if (rc != 0) {
		m->pri.pending = false;
		mpic__check_result_init(&m->pri.res);
		m->pri.res.timestamp_ns = mpic__now_wall_ns();
		mpic__check_error(&m->pri.res, m->req.check_type ==
		    MPIC__CHECK_CAA ? MPIC__ERR_CAA_LOOKUP : MPIC__ERR_DCV_LOOKUP,
		    "check could not start: %s", mpic_strerror(rc));
		mpic__eng_details(m, &m->pri.res);
		primary_in(m);
		return;
	}
	m->pri.deadline = evtimer_new(e->base, primary_deadline_cb, m);
	mpic__eng_deadline(m, &tv);
	if (m->pri.deadline != NULL)
		evtimer_add(m->pri.deadline, &tv);
}
