/*
 * respond.c - the 200 response: the Open MPIC fields and our extensions
 * (quorum_result, rir_rule_failed, primary, primary_failed, warnings,
 * audit_id).
 * With an audit log the answer waits in m->body until the log says its
 * records are durable (engine_audit.c).
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "findings/findings.h"

/* {"perspective_code":..,"check_response":{..,"rir":..}} */
static void
slot_write(struct mpic__jw *w, const struct mreq *m, const struct slot *s)
{
	const struct mpic__perspective_def *def = m->gen->ps[s->pidx]->def;
	struct mpic__check_result tmp;

	mpic__jw_open(w, '{');
	mpic__jw_key(w, "perspective_code");
	mpic__jw_str(w, def->code);
	mpic__jw_key(w, "check_response");
	mpic__check_result_open(w, mpic__eng_slot_result(m, s, &tmp),
	    m->req.check_type);
	mpic__check_result_release(&tmp);
	mpic__jw_key(w, "rir");
	mpic__jw_str(w, mpic__rir_str(def->rir));
	mpic__jw_close(w, '}');
	mpic__jw_close(w, '}');
}

void
mpic__eng_attempt_write(const struct attempt *at, struct mpic__jw *w)
{
	size_t i;

	mpic__jw_open(w, '[');
	for (i = 0; i < at->n; i++)
		slot_write(w, at->m, &at->slots[i]);
	mpic__jw_close(w, ']');
}

/*
 * The findings are judged on the slots as the attempt settled, the same
 * results its "perspectives" list shows (stragglers change neither).
 */
void
mpic__eng_findings(struct mreq *m, const struct attempt *at)
{
	struct mpic__seen seen[MAX_COHORT_SIZE];
	struct mpic__check_result *tmp;
	struct mpic__findings_input in = { .req = &m->req, .seen = seen,
	    .quorum = m->quorum, .earlier_pass_ns = m->earlier_pass_ns };
	size_t i, n = at->n < MAX_COHORT_SIZE ? at->n : MAX_COHORT_SIZE;

	json_decref(m->fin.findings);
	m->fin.findings = NULL;
	/* on the heap: a result is 2 KiB and a cohort up to 64 of them */
	if ((tmp = mpic__calloc(n + 1, sizeof(*tmp))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		const struct mpic__perspective_def *def =
		    m->gen->ps[at->slots[i].pidx]->def;

		seen[i].code = def->code;
		seen[i].rir = def->rir;
		seen[i].res = mpic__eng_slot_result(m, &at->slots[i], &tmp[i]);
	}
	in.n = n;
	m->fin.findings = mpic__findings(&in);
	for (i = 0; i < n; i++)
		mpic__check_result_release(&tmp[i]);
	mpic__free(tmp);
}

void
mpic__eng_findings_note(struct mreq *m, const struct attempt *at)
{
	const struct mpic__check_result *r;
	size_t i;

	for (i = 0; i < at->n; i++) {
		r = &at->slots[i].res;
		if (at->slots[i].done && r->completed && r->passed &&
		    r->timestamp_ns > m->earlier_pass_ns)
			m->earlier_pass_ns = r->timestamp_ns;
	}
}

/* The primary's check_response, with its code (interface.md section 1). */
static void
primary_write(struct mpic__jw *w, const struct mreq *m)
{
	const struct mpic__perspective_def *def = m->gen->primary->def;

	mpic__check_result_open(w, &m->pri.res, m->req.check_type);
	mpic__jw_key(w, "rir");
	mpic__jw_str(w, mpic__rir_str(def->rir));
	mpic__jw_key(w, "perspective_code");
	mpic__jw_str(w, def->code);
	mpic__jw_close(w, '}');
}

/* Why a primary that did not pass makes the request invalid. */
static void
primary_failed_write(struct mpic__jw *w, const struct mreq *m)
{
	const struct mpic__check_result *r = &m->pri.res;
	char why[sizeof(r->errors[0].message) + 128];

	mpic__bufprintf(why, sizeof(why), "the primary perspective %s did "
	    "not pass%s%s", m->gen->primary->def->code, r->n_errors > 0 ?
	    ": " : "", r->n_errors > 0 ? r->errors[0].message : "");
	mpic__jw_str(w, why);
}

/* A jansson part of the response (the echoes); NULL as null. */
static void
put_json(struct mpic__jw *w, json_t *v)
{
	if (v == NULL)
		mpic__jw_null(w);
	else
		mpic__jw_json(w, v, false);
	json_decref(v);
}

/* Build the 200 response once the settled attempt and the primary are in:
 * written as text in the field order the jansson tree had. */
void
mpic__eng_respond(struct mreq *m)
{
	struct mpic__verdict v;
	struct mpic__jw w;

	mpic__eng_verdict(m, &v);
	m->valid = v.valid;
	m->decision = v.valid ? "corroborated" : mpic__eng_primary_failed(m) ?
	    "primary_failed" : v.rir_rule_failed ? "rir_rule_failed" :
	    "quorum_not_met";
	mpic__jw_init(&w, ENGINE_RESPONSE_MAX, false);
	mpic__jw_open(&w, '{');
	mpic__jw_key(&w, "mpic_completed");
	mpic__jw_bool(&w, true);
	mpic__jw_key(&w, "is_valid");
	mpic__jw_bool(&w, v.valid);
	mpic__jw_key(&w, "check_type");
	mpic__jw_str(&w, m->req.check_type == MPIC__CHECK_CAA ? "caa" : "dcv");
	mpic__jw_key(&w, "domain_or_ip_target");
	mpic__jw_str(&w, m->req.target_text);
	mpic__jw_key(&w, "trace_identifier");
	mpic__jw_str(&w, m->req.trace_identifier);
	mpic__jw_key(&w, "request_orchestration_parameters");
	mpic__jw_json(&w, m->request_orch, false);
	mpic__jw_key(&w, "actual_orchestration_parameters");
	mpic__jw_open(&w, '{');
	mpic__jw_key(&w, "perspective_count");
	mpic__jw_int(&w, m->count);
	mpic__jw_key(&w, "quorum_count");
	mpic__jw_int(&w, m->quorum);
	mpic__jw_key(&w, "attempt_count");
	mpic__jw_int(&w, m->fin.number);
	mpic__jw_close(&w, '}');
	if (m->req.check_type == MPIC__CHECK_CAA) {
		mpic__jw_key(&w, "caa_check_parameters");
		put_json(&w, mpic__request_echo_caa(&m->req,
		    m->gen->cfg->issuer_domains,
		    m->gen->cfg->n_issuer_domains));
	} else {
		mpic__jw_key(&w, "dcv_check_parameters");
		put_json(&w, mpic__request_echo_dcv(&m->req));
	}
	mpic__jw_key(&w, "perspectives");
	if (mpic__jw_failed(&m->fin.perspectives))
		w.oom = true;
	else
		mpic__jw_raw(&w, m->fin.perspectives.p,
		    m->fin.perspectives.len);
	mpic__jw_key(&w, "previous_attempt_results");
	if (mpic__jw_len(&m->previous) == 0) {
		mpic__jw_null(&w);
	} else {
		mpic__jw_close(&m->previous, ']');
		if (mpic__jw_failed(&m->previous))
			w.oom = true;
		else
			mpic__jw_raw(&w, m->previous.p, m->previous.len);
	}
	mpic__jw_key(&w, "quorum_result");
	mpic__jw_str(&w, v.k_n);
	if (v.rir_rule_failed) {
		mpic__jw_key(&w, "rir_rule_failed");
		mpic__jw_str(&w, "the corroborating perspectives span fewer "
		    "than 2 RIRs");
	}
	if (m->pri.on) {
		mpic__jw_key(&w, "primary");
		primary_write(&w, m);
		if (mpic__eng_primary_failed(m)) {
			mpic__jw_key(&w, "primary_failed");
			primary_failed_write(&w, m);
		}
	}
	if (m->warning_type != NULL) {
		mpic__jw_key(&w, "warnings");
		mpic__jw_open(&w, '[');
		mpic__jw_open(&w, '{');
		mpic__jw_key(&w, "warning_type");
		mpic__jw_str(&w, m->warning_type);
		mpic__jw_key(&w, "message");
		mpic__jw_str(&w, m->warning);
		mpic__jw_close(&w, '}');
		mpic__jw_close(&w, ']');
	}
	/* an extension (docs/findings.md): [] when all agree */
	mpic__jw_key(&w, "findings");
	if (m->fin.findings == NULL)
		w.oom = true;
	else
		mpic__jw_json(&w, m->fin.findings, false);
	if (m->eng->audit != NULL) {
		mpic__jw_key(&w, "audit_id");
		mpic__jw_str(&w, m->audit_id);
	}
	mpic__jw_close(&w, '}');
	if (mpic__jw_failed(&w)) {
		mpic__jw_release(&w);
		mpic__eng_reply(m, 500, "{\"error\":\"internal-error\","
		    "\"message\":\"out of memory building the response\"}");
		return;
	}
	if (m->eng->audit == NULL) {
		mpic__eng_reply(m, 200, w.p);
		mpic__jw_release(&w);
		return;
	}
	mpic__eng_audit_decision(m);
	m->body = w.p; /* the writer's text, now the request's */
	/* Answered once the log is durable, within the bound. */
	mpic__eng_audit_answer(m);
}
