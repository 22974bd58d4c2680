/*
 * mreq.c - the bottom of lib/engine: one request's lifecycle and what every
 * layer above reads of it.  Answering (once), freeing when nothing of the
 * request runs any more, the details every kept result carries, what an
 * unanswered slot stands for, the deadline of a check, and the verdict on
 * the settled attempt with the primary as it stands (lib/corroborate).
 * It calls nothing above it in lib/engine.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

void
mpic__eng_mreq_free(struct mreq *m)
{
	struct mpic_engine *e = m->eng;
	struct attempt *at;

	while ((at = m->live) != NULL) {
		m->live = at->next_live;
		mpic__eng_attempt_free(at);
	}
	if (m->prev != NULL)
		m->prev->next = m->next;
	else
		e->reqs = m->next;
	if (m->next != NULL)
		m->next->prev = m->prev;
	e->inflight--;
	mpic__eng_gen_unref(m->gen);
	mpic__jw_release(&m->previous);
	json_decref(m->request_orch);
	mpic__jw_release(&m->fin.perspectives);
	json_decref(m->fin.findings);
	if (m->pri.done)
		mpic__check_result_release(&m->pri.res);
	if (m->pri.deadline != NULL)
		event_free(m->pri.deadline);
	if (m->audit_wait != NULL)
		event_free(m->audit_wait);
	mpic__free(m->body);
	mpic__request_release(&m->req);
	mpic__free(m);
}

void
mpic__eng_maybe_free(struct mreq *m)
{
	if (m->answered && m->live_attempts == 0 && m->audit_pending == 0 &&
	    !m->pri.pending)
		mpic__eng_mreq_free(m);
}

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
mpic__eng_deadline(const struct mreq *m, struct timeval *tv)
{
	const struct mpic_config *cfg = m->gen->cfg;
	unsigned ms = cfg->request_timeout_ms ? cfg->request_timeout_ms :
	    30000;

	tv->tv_sec = ms / 1000;
	tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

void
mpic__eng_reply(struct mreq *m, int status, const char *body)
{
	struct mpic_answer a;

	m->answered = true;
	if (m->acb == NULL) {
		m->cb(m->arg, status, body, strlen(body));
		return;
	}
	memset(&a, 0, sizeof(a));
	a.status = status;
	a.body = body;
	a.len = strlen(body);
	a.trace = m->trace.trace_id;
	a.traceparent = m->traceparent;
	a.parent_id = m->parent_id;
	if (status == 200) {
		a.valid = m->valid;
		a.decision = m->decision;
		a.check_type = m->req.check_type == MPIC__CHECK_CAA ? "caa" :
		    "dcv";
		a.method = m->req.check_type == MPIC__CHECK_CAA ? NULL :
		    mpic__dcv_method_str(m->req.dcv.method);
		a.trace_id = m->req.trace_identifier;
		a.audit_id = m->eng->audit != NULL ? m->audit_id : NULL;
		a.persp = m->fin.done ? m->fin.outs : NULL;
		a.n_persp = m->fin.done ? m->fin.n_codes : 0;
	}
	m->acb(m->arg, &a);
}

void
mpic__eng_reply_json(struct mreq *m, int status, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	if (s == NULL)
		mpic__eng_reply(m, 500, "{\"error\":\"internal-error\","
		    "\"message\":\"out of memory building the response\"}");
	else
		mpic__eng_reply(m, status, s);
	free(s);
}

void
mpic__eng_details(const struct mreq *m, struct mpic__check_result *res)
{
	/* on ENOMEM the details stay as they are ({} when none) */
	(void)mpic__check_details_fill(res, m->req.check_type,
	    m->req.dcv.method);
}

/* What a slot stands for: its result, or (unfinished) a timeout in tmp,
 * which the caller releases. */
const struct mpic__check_result *
mpic__eng_slot_result(const struct mreq *m, const struct slot *s,
	    struct mpic__check_result *tmp)
{
	mpic__check_result_init(tmp);
	if (s->done)
		return &s->res;
	tmp->timestamp_ns = mpic__now_wall_ns();
	/* worded by why its attempt closed, not by the configuration: with
	 * early decision an uncertain attempt still waits for its deadline */
	mpic__check_error(tmp, MPIC__ERR_TIMEOUT, "%s",
	    s->at->closed == AT_EARLY ?
	    "outcome already certain; answer not awaited" :
	    "perspective did not answer before the deadline");
	mpic__eng_details(m, tmp);
	return tmp;
}

enum mpic__primary_state
mpic__eng_primary_state(const struct mreq *m)
{
	if (!m->pri.on)
		return MPIC__PRIMARY_NONE;
	if (!m->pri.done)
		return MPIC__PRIMARY_PENDING;
	return m->pri.res.passed ? MPIC__PRIMARY_PASSED : MPIC__PRIMARY_FAILED;
}

void
mpic__eng_verdict(const struct mreq *m, struct mpic__verdict *v)
{
	struct mpic__tally t = m->fin.tally;
	struct mpic__quorum_rules r;

	/* the primary as it stands now: it may answer after the settling */
	t.primary = mpic__eng_primary_state(m);
	mpic__eng_rules(m, &r);
	mpic__verdict(&t, &r, v);
}

void
mpic__eng_rules(const struct mreq *m, struct mpic__quorum_rules *r)
{
	r->perspectives = m->count;
	r->quorum = m->quorum;
	r->two_rir_rule = m->phase.two_rir_rule;
	r->early_decision = m->gen->cfg->early_decision;
}

bool
mpic__eng_primary_failed(const struct mreq *m)
{
	return mpic__eng_primary_state(m) == MPIC__PRIMARY_FAILED;
}
