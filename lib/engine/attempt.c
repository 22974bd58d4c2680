/*
 * attempt.c - one attempt: its cohort's checks started together, each
 * slot called back exactly once, the attempt's deadline.  A check cannot
 * be cancelled, so an attempt closed by its deadline (or an early
 * decision) lives on until its last check has called back; such a
 * straggler only adds a "late" audit record.
 */
#include "engine/engine_int.h"

void
mpic__eng_attempt_free(struct attempt *at)
{
	size_t i;

	if (at == NULL)
		return;
	for (i = 0; i < at->n; i++)
		if (at->slots[i].done)
			mpic__check_result_release(&at->slots[i].res);
	if (at->deadline != NULL)
		event_free(at->deadline);
	mpic__free(at);
}

void
mpic__eng_deadline(const struct mpic_engine *e, struct timeval *tv)
{
	unsigned ms = e->cfg->request_timeout_ms ? e->cfg->request_timeout_ms :
	    30000;

	tv->tv_sec = ms / 1000;
	tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

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
check_done(void *arg, struct mpic_check_result *res)
{
	struct slot *s = arg;
	struct attempt *at = s->at;
	struct mpic_persp *p = at->m->eng->ps[s->pidx];

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
	 * its own if this fails) */
	if (e->curl != NULL && m->req.remote_body == NULL)
		(void)mpic__remote_body(e->cfg, &m->req);
	/* count every check as pending before any can call back */
	at->pending = at->n;
	for (i = 0; i < at->n; i++) {
		struct mpic_persp *p = e->ps[cohort[i]];

		rc = p->ops->start(p, &m->req, m->now, check_done,
		    &at->slots[i]);
		if (rc != 0) {
			struct slot *s = &at->slots[i];

			mpic__check_result_init(&s->res);
			s->res.timestamp_ns = mpic__now_wall_ns();
			mpic__check_error(&s->res, m->req.check_type ==
			    MPIC_CHECK_CAA ? MPIC_ERR_CAA_LOOKUP :
			    MPIC_ERR_DCV_LOOKUP, "check could not start: %s",
			    mpic_strerror(rc));
			mpic__eng_details(m, &s->res);
			s->done = true;
			at->pending--;
		}
	}
	mpic__eng_deadline(e, &tv);
	if (at->deadline != NULL)
		evtimer_add(at->deadline, &tv);
	mpic__eng_evaluate(at, false);
	attempt_release(at);
}
