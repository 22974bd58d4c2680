/*
 * engine_audit.c - what the engine writes to the audit log
 * (docs/audit.md): when an attempt closes, one record per slot (an
 * unfinished slot as the error the response shows); a straggler that
 * answers later adds a "late" record; the primary's check one record
 * marked "primary"; the decision one record.
 *
 * The answer waits in m->body until the log says the decision record is
 * durable.  Log callbacks come in append order, so the first m->gate of
 * them are the records appended before the decision: when the last of
 * those is durable, every record the answer depends on is.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

#define ENGINE_SCRATCH_KEEP (256u * 1024u) /* kept between records */

static void
audit_done(void *arg, int err, uint64_t seq)
{
	struct mreq *m = arg;
	char *body;

	(void)seq;
	m->audit_pending--;
	if (m->eng->closing)
		return; /* mpic_engine_free() frees the request */
	/* gate == 0: a late record, the answer did not wait for it */
	if (m->gate > 0) {
		m->gate--;
		if (err != 0)
			m->audit_failed = true;
		if (m->gate == 0 && m->body != NULL) {
			body = m->body;
			m->body = NULL;
			if (m->audit_failed)
				mpic__eng_reply(m, 500, "{\"error\":"
				    "\"internal-error\",\"message\":"
				    "\"the audit log could not "
				    "record the outcome\"}");
			else
				mpic__eng_reply(m, 200, body);
			mpic__free(body);
		}
	}
	mpic__eng_maybe_free(m);
}

/* Queue the record in e->rec_w (rc: how writing it went); a failure
 * fails the answer, if not given. */
static void
audit_add(struct mreq *m, int rc)
{
	struct mpic_engine *e = m->eng;

	if (rc == 0)
		rc = mpic__audit_append_text(e->audit, e->rec_w.p,
		    e->rec_w.len, audit_done, m);
	/* a big details dump is not kept between records */
	if (e->det_w.cap > ENGINE_SCRATCH_KEEP) {
		mpic__jw_release(&e->det_w);
		mpic__jw_clear(&e->det_w);
	}
	if (rc != 0) {
		if (!m->decided)
			m->audit_failed = true;
		return;
	}
	m->audit_pending++;
	if (!m->decided)
		m->gate++;
}

void
mpic__eng_audit_slot(struct mreq *m, const struct slot *s, bool late)
{
	struct mpic_audit_ctx c = { .req = &m->req, .audit_id = m->audit_id };
	struct mpic_check_result tmp;
	struct mpic_engine *e = m->eng;

	if (e->audit == NULL)
		return;
	audit_add(m, mpic__audit_check_record(&c, s->at->number,
	    e->ps[s->pidx]->def, mpic__eng_slot_result(m, s, &tmp),
	    late ? MPIC_AUDIT_LATE : 0, &e->rec_w, &e->det_w));
	mpic__check_result_release(&tmp);
}

void
mpic__eng_audit_attempt(struct attempt *at)
{
	size_t i;

	for (i = 0; i < at->n; i++)
		mpic__eng_audit_slot(at->m, &at->slots[i], false);
}

/* The decision record; after it, records no longer hold the answer. */
void
mpic__eng_audit_decision(struct mreq *m, bool valid)
{
	struct mpic_audit_ctx c = { .req = &m->req, .audit_id = m->audit_id };
	struct mpic_audit_decision d;

	memset(&d, 0, sizeof(d));
	d.passed = m->fin.passed;
	d.perspective_count = m->count;
	d.quorum_count = m->quorum;
	d.attempts = m->fin.number;
	d.valid = valid;
	d.rir_rule_failed = m->fin.passed >= m->quorum && !m->fin.met;
	d.br_now = m->now;
	d.codes = m->fin.codes;
	d.n_codes = m->fin.n_codes;
	if (m->pri.on) {
		d.primary_code = m->eng->primary->def->code;
		d.primary_passed = m->pri.res.passed;
	}
	audit_add(m, mpic__audit_decision_record(&c, &d, &m->eng->rec_w));
	m->decided = true;
}

/* The primary's perspective record: attempt 1, marked "primary". */
void
mpic__eng_audit_primary(struct mreq *m, const struct mpic_check_result *res,
	      bool late)
{
	struct mpic_audit_ctx c = { .req = &m->req, .audit_id = m->audit_id };
	struct mpic_engine *e = m->eng;

	if (e->audit == NULL)
		return;
	audit_add(m, mpic__audit_check_record(&c, 1, e->primary->def, res,
	    MPIC_AUDIT_PRIMARY | (late ? MPIC_AUDIT_LATE : 0), &e->rec_w,
	    &e->det_w));
}
