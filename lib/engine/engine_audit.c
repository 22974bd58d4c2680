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
 *
 * That wait is bounded (audit.sync_timeout_ms, docs/audit.md): a disk
 * whose write or fdatasync hangs must not hold every request, its
 * connection and its memory until the queue fills.  When the bound
 * passes, the answer is a 500 and the records stay queued: they are
 * written in order when the disk answers, the request staying in flight
 * until then.  While the oldest record has waited longer than the bound,
 * new requests are refused at once (503) rather than run for an outcome
 * that could not be given; both end by themselves when the records are
 * durable.  A failed write is different: the log is broken for good.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

#define ENGINE_SCRATCH_KEEP (256u * 1024u) /* kept between records */

static void
notice(struct mpic_engine *e, enum mpic_audit_notice what, uint64_t ms,
       uint64_t refused)
{
	if (e->audit_notice != NULL)
		e->audit_notice(e->audit_notice_arg, what, ms, refused);
}

/* How long the oldest record not yet durable has waited (0: none). */
static uint64_t
waiting_ms(struct mpic_engine *e, struct mpic__audit_stats *st)
{
	uint64_t now = mpic__now_mono_ms();

	mpic__audit_stats(e->audit, st);
	return st->pending_since_ms != 0 && now > st->pending_since_ms ?
	    now - st->pending_since_ms : 0;
}

static void
stall_begins(struct mpic_engine *e, uint64_t waited)
{
	if (!e->audit_stalled) {
		e->audit_stalled = true;
		e->audit_stall_ms = mpic__now_mono_ms();
		e->audit_stall_refused = 0;
		notice(e, MPIC_AUDIT_N_STALLED, waited, 0);
	}
	e->audit_stall_refused++;
}

static void
log_failed(struct mpic_engine *e)
{
	e->audit_stalled = false;
	if (!e->audit_failed) {
		e->audit_failed = true;
		notice(e, MPIC_AUDIT_N_FAILED, 0, 0);
	}
}

/* After a record's callback: has the stall, or the log, ended? */
static void
log_changed(struct mpic_engine *e, int err)
{
	struct mpic__audit_stats st;

	if (err != 0) {
		log_failed(e);
		return;
	}
	if (e->audit_stalled &&
	    waiting_ms(e, &st) <= e->cfg->audit_sync_timeout_ms) {
		e->audit_stalled = false;
		notice(e, MPIC_AUDIT_N_RECOVERED, mpic__now_mono_ms() -
		    e->audit_stall_ms, e->audit_stall_refused);
	}
}

/* Answer m with the error the log causes. */
static void
refuse(struct mreq *m, enum mpic_audit_refusal why, uint64_t waited)
{
	struct mpic_engine *e = m->eng;
	struct mpic__audit_stats st;
	const char *error = "internal-error";
	char msg[512];
	int status = 500;
	json_t *o;

	switch (why) {
	case MPIC_AUDIT_R_TIMEOUT:
		mpic__bufprintf(msg, sizeof(msg), "the audit log was not "
		    "durable within %u ms (audit.sync_timeout_ms): a write or "
		    "fdatasync of the log is stuck, so no outcome is given; "
		    "the records stay queued and are written in order when "
		    "the disk answers", e->cfg->audit_sync_timeout_ms);
		break;
	case MPIC_AUDIT_R_STALLED:
		status = 503;
		error = "service-unavailable";
		mpic__bufprintf(msg, sizeof(msg), "the audit log is stalled: "
		    "its oldest record has waited %llu ms to be durable, more "
		    "than audit.sync_timeout_ms (%u); requests are refused "
		    "until the disk answers", (unsigned long long)waited,
		    e->cfg->audit_sync_timeout_ms);
		break;
	case MPIC_AUDIT_R_FULL:
		status = 503;
		error = "service-unavailable";
		mpic__bufprintf(msg, sizeof(msg), "the audit log's queue is "
		    "full (%d records or %u MiB waiting to be durable), so "
		    "no outcome is given", MPIC__AUDIT_QUEUE_MAX,
		    MPIC__AUDIT_QUEUE_BYTES >> 20);
		break;
	default:
		mpic__audit_stats(e->audit, &st);
		mpic__bufprintf(msg, sizeof(msg), "the audit log could not "
		    "record the outcome: a write to it failed (%s); it takes "
		    "nothing more until mpicd is restarted",
		    st.broken_errno != 0 ? strerror(st.broken_errno) :
		    mpic_strerror(st.broken));
		why = MPIC_AUDIT_R_FAILED;
		log_failed(e);
		break;
	}
	e->audit_refused[why]++;
	o = json_pack("{s:s, s:s}", "error", error, "message", msg);
	mpic__eng_reply_json(m, status, o);
	json_decref(o);
}

static void
audit_done(void *arg, int err, uint64_t seq)
{
	struct mreq *m = arg;
	struct mpic_engine *e = m->eng;
	char *body;

	(void)seq;
	m->audit_pending--;
	if (e->closing)
		return; /* mpic_engine_free() frees the request */
	log_changed(e, err);
	/* gate == 0: a late record, the answer did not wait for it */
	if (m->gate > 0) {
		m->gate--;
		if (err != 0 && m->audit_err == 0)
			m->audit_err = err;
		if (m->gate == 0 && m->body != NULL) {
			body = m->body;
			m->body = NULL;
			if (m->audit_wait != NULL) {
				event_free(m->audit_wait);
				m->audit_wait = NULL;
			}
			if (m->audit_err != 0)
				refuse(m, MPIC_AUDIT_R_FAILED, 0);
			else
				mpic__eng_reply(m, 200, body);
			mpic__free(body);
		}
	}
	mpic__eng_maybe_free(m);
}

static void
wait_tv(uint64_t ms, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ms / 1000);
	tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

/* The bound passed: answer 500; the records stay queued (audit_done). */
static void
wait_expired(evutil_socket_t fd, short what, void *arg)
{
	struct mreq *m = arg;
	struct mpic__audit_stats st;

	struct mpic_engine *e = m->eng;
	struct timeval tv;
	uint64_t waited = mpic__now_mono_ms() - m->audit_wait_ms;

	(void)fd;
	(void)what;
	if (m->body == NULL)
		return;
	/*
	 * libevent times the event on its cached (coarse) clock, which can
	 * run a few ms behind ours: never answer before the bound has passed.
	 */
	if (waited < e->cfg->audit_sync_timeout_ms) {
		wait_tv(e->cfg->audit_sync_timeout_ms - waited + 1, &tv);
		if (evtimer_add(m->audit_wait, &tv) == 0)
			return;
	}
	mpic__free(m->body);
	m->body = NULL;
	stall_begins(m->eng, waiting_ms(m->eng, &st));
	refuse(m, MPIC_AUDIT_R_TIMEOUT, 0);
}

void
mpic__eng_audit_answer(struct mreq *m)
{
	struct mpic_engine *e = m->eng;
	struct timeval tv;

	if (m->body != NULL && m->audit_err == 0 && m->gate > 0) {
		wait_tv(e->cfg->audit_sync_timeout_ms, &tv);
		m->audit_wait_ms = mpic__now_mono_ms();
		m->audit_wait = evtimer_new(e->base, wait_expired, m);
		if (m->audit_wait != NULL && evtimer_add(m->audit_wait,
		    &tv) == 0)
			return; /* audit_done() or wait_expired() answers */
		m->audit_err = MPIC_ENOMEM;
	}
	/* Not recorded (or cannot wait for it): no outcome may be given. */
	mpic__free(m->body);
	m->body = NULL;
	if (m->audit_err == MPIC_EAGAIN)
		refuse(m, MPIC_AUDIT_R_FULL, 0);
	else if (m->audit_err == MPIC_EIO)
		refuse(m, MPIC_AUDIT_R_FAILED, 0);
	else
		mpic__eng_reply(m, 500, "{\"error\":\"internal-error\","
		    "\"message\":\"the audit log could not record the "
		    "outcome (out of memory)\"}");
}

int
mpic__eng_audit_admit(struct mreq *m)
{
	struct mpic_engine *e = m->eng;
	struct mpic__audit_stats st;
	uint64_t waited;

	if (e->audit == NULL)
		return 0;
	waited = waiting_ms(e, &st);
	if (st.broken != 0) {
		refuse(m, MPIC_AUDIT_R_FAILED, 0);
		return 1;
	}
	/* the engine's own state too: the clock is read in whole ms, so a
	 * bound just passed can read as just reached */
	if (e->audit_stalled || waited > e->cfg->audit_sync_timeout_ms) {
		stall_begins(e, waited);
		refuse(m, MPIC_AUDIT_R_STALLED, waited);
		return 1;
	}
	return 0;
}

bool
mpic__engine_audit_info(struct mpic_engine *e, struct mpic_audit_stats *out)
{
	struct mpic__audit_stats st;
	uint64_t now;

	memset(out, 0, sizeof(*out));
	if (e == NULL || e->audit == NULL)
		return false;
	out->waiting_ms = waiting_ms(e, &st);
	now = mpic__now_mono_ms();
	out->sync_timeout_ms = e->cfg->audit_sync_timeout_ms;
	out->io_ms = st.io_since_ms != 0 && now > st.io_since_ms ?
	    now - st.io_since_ms : 0;
	out->stalled = e->audit_stalled ||
	    out->waiting_ms > out->sync_timeout_ms;
	out->failed = st.broken;
	out->failed_errno = st.broken_errno;
	out->pending = st.pending;
	out->pending_bytes = st.pending_bytes;
	out->records = st.records;
	out->groups = st.groups;
	memcpy(out->write_buckets, st.write_buckets,
	    sizeof(out->write_buckets));
	out->write_us = st.write_us;
	memcpy(out->refused, e->audit_refused, sizeof(out->refused));
	return true;
}

void
mpic_engine_audit_notice(struct mpic_engine *e, mpic_audit_notice_cb cb,
			  void *arg)
{
	e->audit_notice = cb;
	e->audit_notice_arg = arg;
}

struct mpic__audit *
mpic__engine_audit(struct mpic_engine *e)
{
	return e->audit;
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
		if (!m->decided && m->audit_err == 0)
			m->audit_err = rc;
		return;
	}
	m->audit_pending++;
	if (!m->decided)
		m->gate++;
}

void
mpic__eng_audit_slot(struct mreq *m, const struct slot *s, bool late)
{
	struct mpic__audit_ctx c = { .req = &m->req, .audit_id = m->audit_id };
	struct mpic__check_result tmp;
	struct mpic_engine *e = m->eng;

	if (e->audit == NULL)
		return;
	audit_add(m, mpic__audit_check_record(&c, s->at->number,
	    m->gen->ps[s->pidx]->def, mpic__eng_slot_result(m, s, &tmp),
	    late ? MPIC__AUDIT_LATE : 0, &e->rec_w, &e->det_w));
	mpic__check_result_release(&tmp);
}

void
mpic__eng_audit_attempt(struct attempt *at)
{
	size_t i;

	for (i = 0; i < at->n; i++)
		mpic__eng_audit_slot(at->m, &at->slots[i], false);
}

/* Note the ADN res shows among the decision's (distinct, bounded). */
static void
adn_note(struct mreq *m, const struct mpic__check_result *res)
{
	struct settled *f = &m->fin;
	char name[MPIC__NAME_MAX + 1];
	size_t i;

	if (!mpic__check_adn(&m->req, res, name, sizeof(name)))
		return;
	for (i = 0; i < f->n_adns; i++)
		if (strcmp(f->adns[i].name, name) == 0)
			break;
	if (i == f->n_adns) {
		if (f->n_adns == ENGINE_MAX_ADNS)
			return;
		memcpy(f->adns[i].name, name, sizeof(name));
		f->adns[i].passed = false;
		f->n_adns++;
	}
	if (res->passed)
		f->adns[i].passed = true;
}

void
mpic__eng_audit_settle(struct mreq *m, const struct attempt *at)
{
	size_t i;

	if (m->eng->audit == NULL)
		return;
	for (i = 0; i < at->n; i++)
		if (at->slots[i].done)
			adn_note(m, &at->slots[i].res);
}

/* The decision record; after it, records no longer hold the answer. */
void
mpic__eng_audit_decision(struct mreq *m)
{
	struct mpic__audit_ctx c = { .req = &m->req, .audit_id = m->audit_id };
	struct mpic__audit_decision d;
	struct mpic__verdict v;
	const char *adns[ENGINE_MAX_ADNS];
	bool any_passed = false;
	size_t i;

	mpic__eng_verdict(m, &v);
	memset(&d, 0, sizeof(d));
	/* the names the deciding results showed: the passing ones (the
	 * primary's among them) or, none passing, every one */
	if (m->pri.on && m->pri.done)
		adn_note(m, &m->pri.res);
	for (i = 0; i < m->fin.n_adns; i++)
		any_passed |= m->fin.adns[i].passed;
	for (i = 0; i < m->fin.n_adns; i++)
		if (m->fin.adns[i].passed || !any_passed)
			adns[d.n_adns++] = m->fin.adns[i].name;
	d.adns = adns;
	d.warning_type = m->warning_type;
	d.warning = m->warning;
	d.findings = m->fin.findings;
	d.passed = m->fin.tally.passed;
	d.perspective_count = m->count;
	d.quorum_count = m->quorum;
	d.attempts = m->fin.number;
	d.valid = v.valid;
	d.rir_rule_failed = v.rir_rule_failed;
	d.br_now = m->now;
	d.codes = m->fin.codes;
	d.n_codes = m->fin.n_codes;
	if (m->pri.on) {
		d.primary_code = m->gen->primary->def->code;
		d.primary_passed = m->pri.res.passed;
	}
	audit_add(m, mpic__audit_decision_record(&c, &d, &m->eng->rec_w));
	m->decided = true;
}

/* The primary's perspective record: attempt 1, marked "primary". */
void
mpic__eng_audit_primary(struct mreq *m, const struct mpic__check_result *res,
	      bool late)
{
	struct mpic__audit_ctx c = { .req = &m->req, .audit_id = m->audit_id };
	struct mpic_engine *e = m->eng;

	if (e->audit == NULL)
		return;
	audit_add(m, mpic__audit_check_record(&c, 1, m->gen->primary->def, res,
	    MPIC__AUDIT_PRIMARY | (late ? MPIC__AUDIT_LATE : 0), &e->rec_w,
	    &e->det_w));
}
