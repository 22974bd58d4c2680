/*
 * respond.c - the 200 response: the Open MPIC fields and our extensions
 * (quorum_result, rir_rule_failed, primary, primary_failed, audit_id).
 * With an audit log the answer waits in m->body until the log says its
 * records are durable (engine_audit.c).
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

/* What a slot stands for: its result, or (unfinished) a timeout in tmp,
 * which the caller releases. */
const struct mpic_check_result *
mpic__eng_slot_result(const struct mreq *m, const struct slot *s,
	    struct mpic_check_result *tmp)
{
	mpic__check_result_init(tmp);
	if (s->done)
		return &s->res;
	tmp->timestamp_ns = mpic__now_wall_ns();
	mpic__check_error(tmp, MPIC_ERR_TIMEOUT, s->at->closed &&
	    m->eng->cfg->early_decision ?
	    "outcome already certain; answer not awaited" :
	    "perspective did not answer before the deadline");
	return tmp;
}

static json_t *
slot_json(const struct mpic_engine *e, const struct mreq *m,
	  const struct slot *s)
{
	const struct mpic_perspective_def *def = e->ps[s->pidx]->def;
	struct mpic_check_result tmp;
	json_t *o, *cr;

	o = json_object();
	json_object_set_new(o, "perspective_code", json_string(def->code));
	cr = mpic__check_result_json(mpic__eng_slot_result(m, s, &tmp),
	    m->req.check_type);
	mpic__check_result_release(&tmp);
	if (cr != NULL)
		json_object_set_new(cr, "rir", json_string(
		    mpic__rir_str(def->rir)));
	json_object_set_new(o, "check_response", cr ? cr : json_null());
	return o;
}

json_t *
mpic__eng_attempt_json(const struct attempt *at)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < at->n; i++)
		json_array_append_new(arr, slot_json(at->m->eng, at->m,
		    &at->slots[i]));
	return arr;
}

/* The primary's check_response, with its code (interface.md section 1). */
static json_t *
primary_json(const struct mreq *m)
{
	const struct mpic_perspective_def *def = m->eng->primary->def;
	json_t *cr = mpic__check_result_json(&m->pri.res, m->req.check_type);

	if (cr == NULL)
		return json_null();
	json_object_set_new(cr, "rir", json_string(mpic__rir_str(def->rir)));
	json_object_set_new(cr, "perspective_code", json_string(def->code));
	return cr;
}

/* Why a primary that did not pass makes the request invalid. */
static json_t *
primary_failed_json(const struct mreq *m)
{
	const struct mpic_check_result *r = &m->pri.res;

	return json_sprintf("the primary perspective %s did not pass%s%s",
	    m->eng->primary->def->code, r->n_errors > 0 ? ": " : "",
	    r->n_errors > 0 ? r->errors[0].message : "");
}

/* Build the 200 response once the settled attempt and the primary are in. */
void
mpic__eng_respond(struct mreq *m)
{
	json_t *r = json_object(), *act;
	bool valid = m->fin.met && !mpic__eng_primary_failed(m);
	char k_n[32];

	m->valid = valid;
	json_object_set_new(r, "mpic_completed", json_true());
	json_object_set_new(r, "is_valid", json_boolean(valid));
	json_object_set_new(r, "check_type", json_string(
	    m->req.check_type == MPIC_CHECK_CAA ? "caa" : "dcv"));
	json_object_set_new(r, "domain_or_ip_target",
	    json_string(m->req.target_text));
	json_object_set_new(r, "trace_identifier", m->req.trace_identifier ?
	    json_string(m->req.trace_identifier) : json_null());
	json_object_set(r, "request_orchestration_parameters",
	    m->request_orch);
	act = json_object();
	json_object_set_new(act, "perspective_count", json_integer(m->count));
	json_object_set_new(act, "quorum_count", json_integer(m->quorum));
	json_object_set_new(act, "attempt_count",
	    json_integer(m->fin.number));
	json_object_set_new(r, "actual_orchestration_parameters", act);
	if (m->req.check_type == MPIC_CHECK_CAA)
		json_object_set_new(r, "caa_check_parameters",
		    mpic__request_echo_caa(&m->req));
	else
		json_object_set_new(r, "dcv_check_parameters",
		    mpic__request_echo_dcv(&m->req));
	json_object_set(r, "perspectives", m->fin.perspectives);
	json_object_set(r, "previous_attempt_results",
	    json_array_size(m->previous) ? m->previous : json_null());
	mpic__bufprintf(k_n, sizeof(k_n), "%d/%d", m->fin.passed, m->count);
	json_object_set_new(r, "quorum_result", json_string(k_n));
	if (m->fin.passed >= m->quorum && !m->fin.met)
		json_object_set_new(r, "rir_rule_failed", json_string(
		    "the corroborating perspectives span fewer than 2 RIRs"));
	if (m->pri.on) {
		json_object_set_new(r, "primary", primary_json(m));
		if (mpic__eng_primary_failed(m))
			json_object_set_new(r, "primary_failed",
			    primary_failed_json(m));
	}
	if (m->eng->audit == NULL) {
		mpic__eng_reply_json(m, 200, r);
		json_decref(r);
		return;
	}
	json_object_set_new(r, "audit_id", json_string(m->audit_id));
	mpic__eng_audit_decision(m, valid);
	m->body = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	if (m->body == NULL && m->audit_err == 0)
		m->audit_err = MPIC_ENOMEM;
	/* Answered once the log is durable, within the bound. */
	mpic__eng_audit_answer(m);
}
