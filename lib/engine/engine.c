/*
 * engine.c - the orchestrator: one Open MPIC request in, cohorts of
 * perspectives, attempts, the BR quorum and RIR rules, the response out.
 *
 * Lifetimes: a request (struct mreq) owns its attempts; an attempt owns
 * one slot per perspective of its cohort.  A check cannot be cancelled, so
 * an attempt closed by its deadline (or by an early decision) stays alive
 * until its last check has called back; the request is freed when it has
 * answered and its last attempt is gone.
 *
 * The audit log (docs/audit.md): when an attempt closes, one record per
 * slot (an unfinished slot as the error the response shows); a straggler
 * that answers later adds a "late" record; the decision adds one record.
 * The answer waits in m->body until the log says the decision record is
 * durable.  Log callbacks come in append order, so the first m->gate of
 * them are the records appended before the decision: when the last of
 * those is durable, every record the answer depends on is.
 *
 * The primary perspective (cfg primary:, docs/orchestration.md): when
 * configured, one in-process check per request, started with the first
 * attempt and bounded by the same deadline.  It decides; the remotes
 * corroborate.  So the answer waits for it: an attempt whose remote
 * outcome is final is "settled" (its response parts kept in m->fin), and
 * the request is decided once both the settled attempt and the primary
 * are in.  A failed primary makes the outcome certain: no further cohort
 * is tried, and with early decision the open attempt closes at once.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "audit/audit.h"
#include "engine/perspective.h"
#include "mpic_int.h"
#include "util/curl_loop.h"

#define MAX_COHORTS 32
#define MAX_COHORT_SIZE 64

struct mpic_engine {
	struct event_base *base;
	const struct mpic_config *cfg;
	struct mpic_persp **ps;     /* in-process or remote (perspective.h) */
	struct mpic_persp *primary; /* in-process, or NULL: none configured */
	struct mpic_curl_loop *curl; /* one for every remote, or NULL */
	size_t n;
	size_t inflight;
	struct mreq *reqs;
	struct mpic_audit *audit;   /* NULL: no audit log */
	bool closing;               /* in mpic_engine_free() */
};

struct mreq;

struct slot {
	struct attempt *at;
	size_t pidx;
	bool done;
	struct mpic_check_result res;
};

struct attempt {
	struct mreq *m;
	int number;             /* 1-based */
	size_t n;
	size_t pending;         /* checks not yet called back */
	bool closed;            /* decided; late answers are dropped */
	struct event *deadline;
	struct attempt *next_live; /* the request's attempts still alive */
	struct slot slots[];
};

/* What the response needs of the attempt whose remote outcome is final,
 * kept while the primary is awaited (stragglers may change the slots). */
struct settled {
	bool done;
	bool met;               /* remote quorum and RIR rule */
	int passed;             /* corroborating remotes */
	int number;             /* the attempt's number */
	json_t *perspectives;   /* its "perspectives" list */
	const char *codes[MAX_COHORT_SIZE];
	size_t n_codes;
};

/* The primary's check: once per request. */
struct primary {
	bool on;                /* configured */
	bool done;              /* answered, or its deadline passed */
	bool pending;           /* not yet called back */
	struct mpic_check_result res; /* valid when done */
	struct event *deadline;
};

struct mreq {
	struct mpic_engine *eng;
	struct mreq *prev, *next;
	struct mpic_request req;
	time_t now;
	mpic_request_cb cb;
	void *arg;
	struct mpic_br_phase phase;
	int count, quorum, max_attempts;
	size_t cohorts[MAX_COHORTS * MAX_COHORT_SIZE];
	int n_cohorts;
	int fixed_cohort;       /* 0-based, or -1 */
	int attempts_run;
	size_t live_attempts;
	struct attempt *live;   /* freed with the request by an engine_free */
	bool answered;
	json_t *previous;       /* previous_attempt_results */
	json_t *request_orch;   /* echo of what was sent */
	char audit_id[33];      /* 128 random bits, hex */
	size_t audit_pending;   /* records appended, callback not yet run */
	size_t gate;            /* of those, appended before the decision */
	bool decided;
	bool audit_failed;      /* a record the answer needs was not written */
	char *body;             /* the 200 answer, waiting for the log */
	struct attempt *open;   /* the attempt not yet closed, or NULL */
	struct settled fin;
	struct primary pri;
};

/* ------------------------------------------------------------ engine */

int
mpic_engine_new(struct event_base *base, const struct mpic_config *cfg,
		struct mpic_engine **out, char *err, size_t errlen)
{
	struct mpic_engine *e;
	size_t i;
	int rc;

	*out = NULL;
	e = mpic__calloc(1, sizeof(*e));
	if (e == NULL)
		return MPIC_ENOMEM;
	e->base = base;
	e->cfg = cfg;
	e->n = cfg->n_perspectives;
	e->ps = mpic__calloc(e->n, sizeof(*e->ps));
	if (e->ps == NULL) {
		mpic_engine_free(e);
		return MPIC_ENOMEM;
	}
	for (i = 0; i < e->n; i++) {
		const struct mpic_perspective_def *def = &cfg->perspectives[i];

		if (def->url != NULL && e->curl == NULL &&
		    (rc = mpic__curl_loop_new(base, &e->curl)) != 0) {
			mpic__bufprintf(err, errlen, "cannot start the HTTP "
			    "client: %s", mpic_strerror(rc));
			mpic_engine_free(e);
			return rc;
		}
		/* In-process: one resolver, one cache, never shared. */
		rc = def->url != NULL ?
		    mpic__persp_remote_new(e->curl, cfg, def, &e->ps[i], err,
		    errlen) :
		    mpic__persp_local_new(base, cfg, def, &e->ps[i], err,
		    errlen);
		if (rc != 0) {
			mpic_engine_free(e);
			return rc;
		}
	}
	/* The primary: in-process, with its own resolver and cache. */
	if (cfg->has_primary && (rc = mpic__persp_local_new(base, cfg,
	    &cfg->primary, &e->primary, err, errlen)) != 0) {
		mpic_engine_free(e);
		return rc;
	}
	if (cfg->audit_path != NULL) {
		rc = mpic__audit_open(base, cfg->audit_path, &e->audit, err,
		    errlen);
		if (rc != 0) {
			mpic_engine_free(e);
			return rc;
		}
	}
	/* Keep a connection to every remote open between requests (curl's
	 * default cache shrinks with the number of transfers running). */
	if (e->curl != NULL)
		curl_multi_setopt(mpic__curl_loop_multi(e->curl),
		    CURLMOPT_MAXCONNECTS, (long)(4 * e->n + 8));
	*out = e;
	return 0;
}

static void mreq_free(struct mreq *m);

void
mpic_engine_free(struct mpic_engine *e)
{
	size_t i;

	if (e == NULL)
		return;
	/* Perspectives first: after this no check calls back. */
	for (i = 0; e->ps != NULL && i < e->n; i++)
		if (e->ps[i] != NULL)
			e->ps[i]->ops->free(e->ps[i]);
	if (e->primary != NULL)
		e->primary->ops->free(e->primary);
	mpic__curl_loop_free(e->curl);
	/* Write what is queued; requests still waiting are not answered. */
	e->closing = true;
	mpic__audit_close(e->audit);
	while (e->reqs != NULL)
		mreq_free(e->reqs);
	mpic__free(e->ps);
	mpic__free(e);
}

size_t
mpic_engine_inflight(const struct mpic_engine *e)
{
	return e->inflight;
}

size_t
mpic__engine_persp_count(const struct mpic_engine *e)
{
	return e->n;
}

const struct mpic_persp *
mpic__engine_persp(const struct mpic_engine *e, size_t i)
{
	return i < e->n ? e->ps[i] : NULL;
}

/* ------------------------------------------------------------ requests */

static void
attempt_free(struct attempt *at)
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

static void
mreq_free(struct mreq *m)
{
	struct mpic_engine *e = m->eng;
	struct attempt *at;

	while ((at = m->live) != NULL) {
		m->live = at->next_live;
		attempt_free(at);
	}
	if (m->prev != NULL)
		m->prev->next = m->next;
	else
		e->reqs = m->next;
	if (m->next != NULL)
		m->next->prev = m->prev;
	e->inflight--;
	json_decref(m->previous);
	json_decref(m->request_orch);
	json_decref(m->fin.perspectives);
	if (m->pri.done)
		mpic__check_result_release(&m->pri.res);
	if (m->pri.deadline != NULL)
		event_free(m->pri.deadline);
	free(m->body);
	mpic__request_release(&m->req);
	mpic__free(m);
}

static void
reply(struct mreq *m, int status, const char *body)
{
	m->answered = true;
	m->cb(m->arg, status, body, strlen(body));
}

static void
reply_json(struct mreq *m, int status, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	if (s == NULL)
		reply(m, 500, "{\"error\":\"internal-error\","
		    "\"message\":\"out of memory building the response\"}");
	else
		reply(m, status, s);
	free(s);
}

static void
reply_issues(struct mreq *m, const struct mpic_issues *is)
{
	char *body = mpic__issues_body(is);

	if (body == NULL)
		reply(m, 500, "{\"error\":\"internal-error\"}");
	else
		reply(m, 400, body);
	mpic__free(body);
}

/* What a slot stands for: its result, or (unfinished) a timeout in tmp,
 * which the caller releases. */
static const struct mpic_check_result *
slot_result(const struct mreq *m, const struct slot *s,
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
	cr = mpic__check_result_json(slot_result(m, s, &tmp),
	    m->req.check_type);
	mpic__check_result_release(&tmp);
	if (cr != NULL)
		json_object_set_new(cr, "rir", json_string(
		    mpic__rir_str(def->rir)));
	json_object_set_new(o, "check_response", cr ? cr : json_null());
	return o;
}

static json_t *
attempt_json(const struct attempt *at)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < at->n; i++)
		json_array_append_new(arr, slot_json(at->m->eng, at->m,
		    &at->slots[i]));
	return arr;
}

/* ------------------------------------------------------------ audit */

static void maybe_free(struct mreq *m);

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
				reply(m, 500, "{\"error\":\"internal-error\","
				    "\"message\":\"the audit log could not "
				    "record the outcome\"}");
			else
				reply(m, 200, body);
			free(body);
		}
	}
	maybe_free(m);
}

/* Queue one record (consumed); a failure fails the answer, if not given. */
static void
audit_add(struct mreq *m, json_t *rec)
{
	int rc = rec ? mpic__audit_append(m->eng->audit, rec, audit_done, m) :
	    MPIC_ENOMEM;

	json_decref(rec);
	if (rc != 0) {
		if (!m->decided)
			m->audit_failed = true;
		return;
	}
	m->audit_pending++;
	if (!m->decided)
		m->gate++;
}

static void
audit_slot(struct mreq *m, const struct slot *s, bool late)
{
	struct mpic_audit_ctx c = { .req = &m->req, .audit_id = m->audit_id };
	struct mpic_check_result tmp;

	if (m->eng->audit == NULL)
		return;
	audit_add(m, mpic__audit_check_record(&c, s->at->number,
	    m->eng->ps[s->pidx]->def, slot_result(m, s, &tmp), late));
	mpic__check_result_release(&tmp);
}

static void
audit_attempt(struct attempt *at)
{
	size_t i;

	for (i = 0; i < at->n; i++)
		audit_slot(at->m, &at->slots[i], false);
}

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

static void start_attempt(struct mreq *m);

static bool
primary_failed(const struct mreq *m)
{
	return m->pri.on && m->pri.done && !m->pri.res.passed;
}

/* The decision record; after it, records no longer hold the answer. */
static void
audit_decision(struct mreq *m, bool valid)
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
	audit_add(m, mpic__audit_decision_record(&c, &d));
	m->decided = true;
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
static void
respond(struct mreq *m)
{
	json_t *r = json_object(), *act;
	bool valid = m->fin.met && !primary_failed(m);
	char k_n[32];

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
		if (primary_failed(m))
			json_object_set_new(r, "primary_failed",
			    primary_failed_json(m));
	}
	if (m->eng->audit == NULL) {
		reply_json(m, 200, r);
		json_decref(r);
		return;
	}
	json_object_set_new(r, "audit_id", json_string(m->audit_id));
	audit_decision(m, valid);
	m->body = json_dumps(r, JSON_COMPACT);
	json_decref(r);
	if (m->body == NULL || m->audit_failed || m->gate == 0) {
		/* Not recorded: no outcome may be given. */
		free(m->body);
		m->body = NULL;
		reply(m, 500, "{\"error\":\"internal-error\",\"message\":"
		    "\"the audit log could not record the outcome\"}");
	}
	/* Otherwise audit_done() answers once the log is durable. */
}

static void
maybe_free(struct mreq *m)
{
	if (m->answered && m->live_attempts == 0 && m->audit_pending == 0 &&
	    !m->pri.pending)
		mreq_free(m);
}

/* Decide when both halves are in: the remote outcome and the primary. */
static void
maybe_decide(struct mreq *m)
{
	if (!m->fin.done || m->decided || m->answered)
		return;
	if (m->pri.on && !m->pri.done)
		return; /* the primary decides: wait for it */
	respond(m);
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
	m->fin.perspectives = attempt_json(at);
	for (i = 0; i < at->n; i++)
		m->fin.codes[i] = m->eng->ps[at->slots[i].pidx]->def->code;
	m->fin.n_codes = at->n;
	maybe_decide(m);
}

/* Decide the attempt: final when every check answered (or, with early
 * decision, as soon as the outcome is certain) or at the deadline.  A
 * failed primary makes any attempt's outcome certain (not valid). */
static void
evaluate(struct attempt *at, bool deadline)
{
	struct mreq *m = at->m;
	struct tally t;
	bool met, hopeless;

	if (at->closed)
		return;
	count(at, &t);
	met = quorum_met(m, &t);
	hopeless = t.passed + t.pending < m->quorum || primary_failed(m);
	if (!deadline && t.pending > 0 &&
	    !(m->eng->cfg->early_decision && (met || hopeless)))
		return;
	at->closed = true;
	if (m->open == at)
		m->open = NULL;
	if (at->deadline != NULL)
		evtimer_del(at->deadline);
	audit_attempt(at);
	if (met || primary_failed(m) || m->attempts_run >= m->max_attempts) {
		settle(m, at, &t, met);
		return;
	}
	/* Retry with the next cohort; this attempt's corroborations never
	 * count again.  The primary's check is not repeated. */
	json_array_append_new(m->previous, attempt_json(at));
	start_attempt(m);
}

static void
attempt_release(struct attempt *at)
{
	struct mreq *m = at->m;
	struct attempt **pp;

	if (at->pending > 0 || !at->closed)
		return;
	for (pp = &m->live; *pp != NULL; pp = &(*pp)->next_live)
		if (*pp == at) {
			*pp = at->next_live;
			break;
		}
	attempt_free(at);
	m->live_attempts--;
	maybe_free(m);
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
	s->res = *res;
	s->done = true;
	at->pending--;
	if (!at->closed)
		evaluate(at, false);
	else
		audit_slot(at->m, s, true); /* a straggler */
	attempt_release(at);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct attempt *at = arg;

	(void)fd;
	(void)what;
	evaluate(at, true);
	attempt_release(at);
}

/* ------------------------------------------------------------ primary */

static void
request_deadline(const struct mpic_engine *e, struct timeval *tv)
{
	unsigned ms = e->cfg->request_timeout_ms ? e->cfg->request_timeout_ms :
	    30000;

	tv->tv_sec = ms / 1000;
	tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
}

/* The primary's perspective record: attempt 1, marked "primary". */
static void
audit_primary(struct mreq *m, const struct mpic_check_result *res,
	      bool late)
{
	struct mpic_audit_ctx c = { .req = &m->req, .audit_id = m->audit_id };
	json_t *rec;

	if (m->eng->audit == NULL)
		return;
	rec = mpic__audit_check_record(&c, 1, m->eng->primary->def, res,
	    late);
	if (rec != NULL)
		json_object_set_new(rec, "primary", json_true());
	audit_add(m, rec);
}

/* The primary's result is in (or its deadline passed): log it; a failure
 * closes the open attempt at once with early decision; decide if the
 * remote outcome is final. */
static void
primary_in(struct mreq *m)
{
	m->pri.done = true;
	if (m->pri.deadline != NULL)
		evtimer_del(m->pri.deadline);
	audit_primary(m, &m->pri.res, false);
	if (primary_failed(m) && m->open != NULL &&
	    m->eng->cfg->early_decision)
		evaluate(m->open, false);
	maybe_decide(m);
}

static void
primary_done(void *arg, struct mpic_check_result *res)
{
	struct mreq *m = arg;
	struct mpic_persp *p = m->eng->primary;

	if (res->passed)
		p->n_passed++;
	else if (res->completed)
		p->n_failed++;
	else
		p->n_errors++;
	m->pri.pending = false;
	if (m->pri.done) {
		/* after its deadline: a straggler, logged as late */
		audit_primary(m, res, true);
		mpic__check_result_release(res);
	} else {
		m->pri.res = *res;
		primary_in(m);
	}
	maybe_free(m);
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
	mpic__check_error(&m->pri.res, MPIC_ERR_TIMEOUT, "primary perspective "
	    "did not answer before the deadline");
	primary_in(m);
	maybe_free(m);
}

/* Start the primary's check: once per request, beside the first attempt,
 * with the deadline of one attempt. */
static void
primary_start(struct mreq *m)
{
	struct mpic_engine *e = m->eng;
	struct timeval tv;
	int rc;

	m->pri.on = true;
	m->pri.pending = true;
	rc = e->primary->ops->start(e->primary, &m->req, m->now, primary_done,
	    m);
	if (rc != 0) {
		m->pri.pending = false;
		mpic__check_result_init(&m->pri.res);
		m->pri.res.timestamp_ns = mpic__now_wall_ns();
		mpic__check_error(&m->pri.res, m->req.check_type ==
		    MPIC_CHECK_CAA ? MPIC_ERR_CAA_LOOKUP : MPIC_ERR_DCV_LOOKUP,
		    "check could not start: %s", mpic_strerror(rc));
		primary_in(m);
		return;
	}
	m->pri.deadline = evtimer_new(e->base, primary_deadline_cb, m);
	request_deadline(e, &tv);
	if (m->pri.deadline != NULL)
		evtimer_add(m->pri.deadline, &tv);
}

static void
start_attempt(struct mreq *m)
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
		reply(m, 500, "{\"error\":\"internal-error\","
		    "\"message\":\"out of memory\"}");
		maybe_free(m);
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
			s->done = true;
			at->pending--;
		}
	}
	request_deadline(e, &tv);
	if (at->deadline != NULL)
		evtimer_add(at->deadline, &tv);
	evaluate(at, false);
	attempt_release(at);
}

/* BR table, calendar and cohort checks; fills m or reports issues. */
static int
plan(struct mreq *m, struct mpic_issues *is)
{
	const struct mpic_config *cfg = m->eng->cfg;
	const struct mpic_orch_params *o = &m->req.orch;
	bool lab = cfg->br_lab;
	int min_q;

	mpic__br_phase(m->now, &m->phase);
	m->count = o->perspective_count ? o->perspective_count :
	    cfg->default_perspective_count;
	if ((size_t)m->count > m->eng->n || m->count > MAX_COHORT_SIZE) {
		mpic__issue_add(is, "invalid-perspective-count",
		    "orchestration_parameters.perspective_count: %d exceeds the "
		    "%zu configured perspectives", m->count, m->eng->n);
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
	m->n_cohorts = mpic__cohorts(cfg->perspectives, cfg->n_perspectives,
	    (size_t)m->count, cfg->hash_secret, cfg->hash_secret_len,
	    m->req.target.name, m->cohorts, MAX_COHORTS);
	if (m->n_cohorts <= 0) {
		mpic__issue_add(is, "invalid-perspective-count",
		    "orchestration_parameters.perspective_count: no cohort of "
		    "%d configured perspectives spans 2 RIRs with every pair "
		    "%.0f km apart", m->count, MPIC_MIN_DISTANCE_KM);
		return MPIC_EINVAL;
	}
	m->fixed_cohort = -1;
	if (o->cohort_for_single_attempt) {
		if (o->cohort_for_single_attempt > m->n_cohorts) {
			mpic__issue_add(is, "invalid-cohort",
			    "orchestration_parameters.cohort_for_single_attempt:"
			    " %d, but only %d cohorts of %d exist",
			    o->cohort_for_single_attempt, m->n_cohorts,
			    m->count);
			return MPIC_EINVAL;
		}
		m->fixed_cohort = o->cohort_for_single_attempt - 1;
		m->max_attempts = 1;
	}
	if (m->req.check_type == MPIC_CHECK_DCV &&
	    m->req.dcv.method == MPIC_DCV_IP_ADDRESS &&
	    !m->phase.ip_address_method_allowed && !lab) {
		mpic__issue_add(is, "method-not-permitted",
		    "dcv_check_parameters.validation_method: ip-address (BR "
		    "3.2.2.4.8) may not be used since 2026-03-15");
		return MPIC_EINVAL;
	}
	return 0;
}

int
mpic_engine_submit(struct mpic_engine *e, const char *body, size_t len,
		   time_t now, mpic_request_cb cb, void *arg)
{
	struct mpic_issues is;
	struct mreq *m;
	json_t *ro;
	uint8_t id[16];
	size_t i;

	m = mpic__calloc(1, sizeof(*m));
	if (m == NULL)
		return MPIC_ENOMEM;
	if (RAND_bytes(id, sizeof(id)) != 1) {
		mpic__free(m);
		return MPIC_EIO;
	}
	for (i = 0; i < sizeof(id); i++)
		mpic__bufprintf(m->audit_id + 2 * i, 3, "%02x", id[i]);
	m->eng = e;
	m->now = now;
	m->cb = cb;
	m->arg = arg;
	m->next = e->reqs;
	if (e->reqs != NULL)
		e->reqs->prev = m;
	e->reqs = m;
	e->inflight++;
	memset(&is, 0, sizeof(is));
	if (mpic__request_parse(body, len, &m->req, &is) != 0 ||
	    plan(m, &is) != 0) {
		reply_issues(m, &is);
		mreq_free(m);
		return 0;
	}
	m->previous = json_array();
	ro = m->req.raw ? json_object_get(m->req.raw,
	    "orchestration_parameters") : NULL;
	m->request_orch = ro ? json_incref(ro) : json_null();
	if (e->primary != NULL)
		primary_start(m);
	start_attempt(m);
	return 0;
}
