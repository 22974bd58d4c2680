/*
 * engine.c - the orchestrator's entry points (include/mpic): the engine
 * (its perspectives, HTTP client and audit log), submitting a request,
 * answering it, and freeing it once nothing of it runs.  How a request
 * flows through the other files: engine_int.h.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "engine/engine_int.h"
#include "util/curl_loop.h"

#define ENGINE_DETAILS_MAX (64u * 1024u * 1024u) /* serialised, for the hash */

/* g in force: the engine's own view follows it. */
static void
use_gen(struct mpic_engine *e, struct eng_gen *g)
{
	e->cur = g;
	e->cfg = g->cfg;
	e->ps = g->ps;
	e->n = g->n;
	e->primary = g->primary;
	e->curl = g->curl;
	/* per perspective of the generation in force: made again */
	mpic__free(e->persp_pub);
	e->persp_pub = NULL;
}

int
mpic_engine_new(struct event_base *base, const struct mpic_config *cfg,
		struct mpic_engine **out, char *err, size_t errlen)
{
	struct mpic_engine *e;
	struct eng_gen *g = NULL;
	int rc;

	*out = NULL;
	e = mpic__calloc(1, sizeof(*e));
	if (e == NULL)
		return MPIC_ENOMEM;
	e->base = base;
	e->cfg = cfg;
	mpic__jw_init(&e->rec_w, MPIC_AUDIT_LINE_MAX, true);
	/* the full details: at most an answer (1 MiB) or a local check's,
	 * escaped */
	mpic__jw_init(&e->det_w, ENGINE_DETAILS_MAX, true);
	if ((rc = mpic__eng_gen_new(e, cfg, &g, err, errlen)) != 0) {
		mpic_engine_free(e);
		return rc;
	}
	use_gen(e, g);
	if (cfg->audit_path != NULL) {
		rc = mpic__audit_open(base, cfg->audit_path, &e->audit, err,
		    errlen);
		if (rc != 0) {
			mpic_engine_free(e);
			return rc;
		}
		mpic__audit_set_rotate_bytes(e->audit, cfg->audit_rotate_bytes);
	}
	*out = e;
	return 0;
}

int
mpic_engine_reconfigure(struct mpic_engine *e, struct mpic_config *cfg,
			char *err, size_t errlen)
{
	struct eng_gen *g = NULL, *old;
	int rc;

	if (e == NULL || cfg == NULL) {
		mpic__bufprintf(err, errlen, "invalid argument");
		return MPIC_EINVAL;
	}
	if ((rc = mpic__eng_gen_new(e, cfg, &g, err, errlen)) != 0)
		return rc;
	g->owned = cfg;
	old = e->cur;
	old->next = e->retired;
	e->retired = old;
	use_gen(e, g);
	/* the same log (one writer per file): only its settings change */
	if (e->audit != NULL)
		mpic__audit_set_rotate_bytes(e->audit, cfg->audit_rotate_bytes);
	mpic__eng_gen_unref(old);     /* out of force */
	return 0;
}

void
mpic_engine_free(struct mpic_engine *e)
{
	struct eng_gen *g;

	if (e == NULL)
		return;
	e->closing = true;
	/* Perspectives first: after this no check calls back. */
	mpic__eng_gen_free(e->cur);
	e->cur = NULL;
	while ((g = e->retired) != NULL) {
		e->retired = g->next;
		mpic__eng_gen_free(g);
	}
	/* Write what is queued; requests still waiting are not answered. */
	mpic__audit_close(e->audit);
	while (e->reqs != NULL) {
		e->reqs->gen = NULL;    /* freed above */
		mpic__eng_mreq_free(e->reqs);
	}
	mpic__jw_release(&e->rec_w);
	mpic__jw_release(&e->det_w);
	mpic__free(e->persp_pub);
	mpic__free(e->checks_pub);
	mpic__free(e);
}

size_t
mpic_engine_inflight(const struct mpic_engine *e)
{
	return e->inflight;
}

static void
reply_issues(struct mreq *m, const struct mpic__issues *is)
{
	char *body = mpic__issues_body(is);

	if (body == NULL)
		mpic__eng_reply(m, 500, "{\"error\":\"internal-error\"}");
	else
		mpic__eng_reply(m, 400, body);
	mpic__free(body);
}

/*
 * The request's trace context: the caller's valid traceparent (its
 * trace id, its sampled flag), or a trace of its own whose id is the
 * audit_id (docs/api.md).  A span id of its own either way.
 */
static int
trace_start(struct mreq *m, const char *traceparent)
{
	struct mpic__trace *t = &m->trace;

	if (traceparent == NULL || !mpic__trace_parse(traceparent,
	    strlen(traceparent), t)) {
		mpic__trace_id_from(m->audit_id, t->trace_id);
		t->flags = 0x01;
	} else
		memcpy(m->parent_id, t->span_id, sizeof(m->parent_id));
	/* only bit 0 (sampled) is defined for version 00 */
	t->flags &= 0x01;
	if (mpic__trace_new_span(t->span_id) != 0)
		return MPIC_EIO;
	mpic__trace_format(t->trace_id, t->span_id, t->flags, m->traceparent,
	    sizeof(m->traceparent));
	return 0;
}

static int
submit(struct mpic_engine *e, const char *body, size_t len, time_t now,
       const char *traceparent, mpic_request_cb cb, mpic_answer_cb acb,
       void *arg)
{
	struct mpic__issues is;
	struct mreq *m;
	json_t *ro;
	uint8_t id[16];
	size_t i;

	m = mpic__calloc(1, sizeof(*m));
	if (m == NULL)
		return MPIC_ENOMEM;
	mpic__jw_init(&m->fin.perspectives, ENGINE_RESPONSE_MAX, false);
	mpic__jw_init(&m->previous, ENGINE_RESPONSE_MAX, false);
	if (RAND_bytes(id, sizeof(id)) != 1) {
		mpic__free(m);
		return MPIC_EIO;
	}
	for (i = 0; i < sizeof(id); i++)
		mpic__bufprintf(m->audit_id + 2 * i, 3, "%02x", id[i]);
	if (trace_start(m, traceparent) != 0) {
		mpic__free(m);
		return MPIC_EIO;
	}
	m->eng = e;
	m->gen = e->cur;
	mpic__eng_gen_ref(m->gen);
	m->now = now;
	m->cb = cb;
	m->acb = acb;
	m->arg = arg;
	m->next = e->reqs;
	if (e->reqs != NULL)
		e->reqs->prev = m;
	e->reqs = m;
	e->inflight++;
	memset(&is, 0, sizeof(is));
	if (mpic__request_parse(body, len, &m->req, &is) != 0 ||
	    mpic__eng_plan(m, &is) != 0) {
		reply_issues(m, &is);
		mpic__eng_mreq_free(m);
		return 0;
	}
	/* for the remote calls and the records */
	memcpy(m->req.trace_id, m->trace.trace_id, sizeof(m->req.trace_id));
	m->req.trace_flags = m->trace.flags;
	/* A log that cannot take the records: refused before any check. */
	if (mpic__eng_audit_admit(m) != 0) {
		mpic__eng_mreq_free(m);
		return 0;
	}
	ro = m->req.raw ? json_object_get(m->req.raw,
	    "orchestration_parameters") : NULL;
	m->request_orch = ro ? json_incref(ro) : json_null();
	if (m->gen->primary != NULL)
		mpic__eng_primary_start(m);
	mpic__eng_attempt_start(m);
	return 0;
}

int
mpic_engine_submit(struct mpic_engine *e, const char *body, size_t len,
		   time_t now, mpic_request_cb cb, void *arg)
{
	return submit(e, body, len, now, NULL, cb, NULL, arg);
}

int
mpic_engine_request(struct mpic_engine *e, const char *body, size_t len,
		    time_t now, mpic_answer_cb cb, void *arg)
{
	return submit(e, body, len, now, NULL, NULL, cb, arg);
}

int
mpic_engine_request_traced(struct mpic_engine *e, const char *body,
			   size_t len, time_t now, const char *traceparent,
			   mpic_answer_cb cb, void *arg)
{
	return submit(e, body, len, now, traceparent, NULL, cb, arg);
}
