/*
 * plan.c - a request's plan before any check runs: the perspective and
 * quorum counts against the BR table and calendar (unless br_minimums:
 * lab), max_attempts and its cap, the cohorts and
 * cohort_for_single_attempt, and the method's dates in the method table.
 */
#include "api/api_int.h"
#include "engine/engine_int.h"

/*
 * The method's dates (the method table, BR 3.2.2.4): one it MUST NOT use
 * on the request's day is refused, unless br_minimums: lab lets it run
 * with a warning; one it SHOULD NOT use runs with a warning, which the
 * response and the decision record carry.
 */
static int
method_dates(struct mreq *m, struct mpic__issues *is)
{
	const struct mpic__request *req = &m->req;
	enum mpic__method_status st;
	const char *name, *br, *since, *until;

	if (req->check_type != MPIC_CHECK_DCV)
		return 0;
	st = mpic__dcv_method_status(req->dcv.method, m->now, &since, &until);
	name = mpic__dcv_method_str(req->dcv.method);
	br = mpic__dcv_method_br(req->dcv.method, req->target.is_ip);
	if (st == MPIC__METHOD_FORBIDDEN && !m->gen->cfg->br_lab) {
		mpic__issue_add(is, "method-not-permitted",
		    "dcv_check_parameters.validation_method: %s (BR %s) may "
		    "not be used since %s", name, br, since);
		return MPIC_EINVAL;
	}
	if (st != MPIC__METHOD_ALLOWED)
		m->warning_type = st == MPIC__METHOD_FORBIDDEN ?
		    "method-not-permitted" : "method-discouraged";
	if (st == MPIC__METHOD_FORBIDDEN)
		mpic__bufprintf(m->warning, sizeof(m->warning), "%s (BR %s) "
		    "MUST NOT be used since %s; run only because of "
		    "br_minimums: lab", name, br, since);
	else if (st == MPIC__METHOD_DISCOURAGED)
		mpic__bufprintf(m->warning, sizeof(m->warning), "%s (BR %s) "
		    "SHOULD NOT be used since %s%s%s", name, br, since,
		    until != NULL ? "; it MUST NOT be used from " : "",
		    until != NULL ? until : "");
	return 0;
}

/* BR table, calendar and cohort checks; fills m or reports issues. */
int
mpic__eng_plan(struct mreq *m, struct mpic__issues *is)
{
	const struct mpic_config *cfg = m->gen->cfg;
	const struct mpic__orch_params *o = &m->req.orch;
	bool lab = cfg->br_lab;
	int min_q;

	mpic__br_phase(m->now, &m->phase);
	m->count = o->perspective_count ? o->perspective_count :
	    cfg->default_perspective_count;
	if ((size_t)m->count > m->gen->n || m->count > MAX_COHORT_SIZE) {
		mpic__issue_add(is, "invalid-perspective-count",
		    "orchestration_parameters.perspective_count: %d exceeds the "
		    "%zu configured perspectives", m->count, m->gen->n);
		return MPIC_EINVAL;
	}
	if (!lab && m->count < m->phase.min_remotes) {
		mpic__issue_add(is, "invalid-perspective-count",
		    "orchestration_parameters.perspective_count: %d is below "
		    "the Baseline Requirements minimum of %d remote "
		    "perspectives in force since %s", m->count,
		    m->phase.min_remotes, m->phase.since);
		return MPIC_EINVAL;
	}
	min_q = mpic__br_min_quorum(m->count);
	if (min_q < 1)
		min_q = m->count;
	m->quorum = o->quorum_count ? o->quorum_count : min_q;
	if (m->quorum > m->count) {
		mpic__issue_add(is, "invalid-quorum-count",
		    "orchestration_parameters.quorum_count: %d is larger than "
		    "the perspective count %d", m->quorum, m->count);
		return MPIC_EINVAL;
	}
	if (!lab && m->quorum < min_q) {
		mpic__issue_add(is, "invalid-quorum-count",
		    "orchestration_parameters.quorum_count: %d is below the "
		    "Baseline Requirements quorum of %d for %d perspectives",
		    m->quorum, min_q, m->count);
		return MPIC_EINVAL;
	}
	m->max_attempts = o->max_attempts ? o->max_attempts : 1;
	if (cfg->max_attempts_cap > 0 && m->max_attempts > cfg->max_attempts_cap)
		m->max_attempts = cfg->max_attempts_cap;
	/* Every cohort there is (disjoint: they fit in m->cohorts), so that
	 * any of them can be asked for by cohort_for_single_attempt.  Keyed
	 * by the name that is validated, without a wildcard's "*.": a name
	 * and its wildcard are checked from the same perspectives. */
	m->n_cohorts = mpic__cohorts(cfg->perspectives, cfg->n_perspectives,
	    (size_t)m->count, cfg->hash_secret, cfg->hash_secret_len,
	    mpic__target_base(&m->req.target), m->cohorts,
	    sizeof(m->cohorts) / sizeof(m->cohorts[0]) / (size_t)m->count);
	if (m->n_cohorts <= 0) {
		mpic__issue_add(is, "invalid-perspective-count",
		    "orchestration_parameters.perspective_count: no cohort of "
		    "%d configured perspectives spans 2 RIRs with every pair "
		    "%.0f km apart", m->count, MPIC__MIN_DISTANCE_KM);
		return MPIC_EINVAL;
	}
	m->fixed_cohort = -1;
	if (o->cohort_for_single_attempt) {
		if (o->cohort_for_single_attempt > m->n_cohorts) {
			mpic__issue_add(is, MPIC__ISSUE_COHORT,
			    "orchestration_parameters.cohort_for_single_attempt:"
			    " %d, but only %d cohorts of %d exist",
			    o->cohort_for_single_attempt, m->n_cohorts,
			    m->count);
			return MPIC_EINVAL;
		}
		m->fixed_cohort = o->cohort_for_single_attempt - 1;
		m->max_attempts = 1;
	}
	return method_dates(m, is);
}
