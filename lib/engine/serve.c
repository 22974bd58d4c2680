/*
 * serve.c - a perspective of its own (role perspective) serving the
 * perspective API (mpic/perspective.h): one POST /caa or /dcv body in,
 * the check on the perspective's in-process resolver (local.c), the
 * answer (interface.md section 1: check_response with perspective_code
 * and rir) out.  The requests in flight are the library's, freed with
 * their answer or with the perspective.
 */
#include <string.h>

#include "engine/perspective.h"
#include "evidence/evidence.h"
#include "util/trace.h"

/* A perspective's answer: a coordinator reads no more (REMOTE_MAX_ANSWER
 * in remote.c). */
#define SERVE_ANSWER_MAX (1024u * 1024u)

struct serve_req {
	struct mpic_persp *sp;
	struct serve_req *prev, *next;
	enum mpic__check_type type;
	struct mpic__request req;
	uint8_t nonce[MPIC__EV_NONCE_LEN];
	mpic_persp_cb cb;
	void *arg;
	/* W3C: the caller's trace (or a new one) and this check's span */
	struct mpic__trace trace;
	char traceparent[MPIC__TRACEPARENT_LEN + 1];
	char parent_id[17];            /* the caller's span, "" none */
};

struct mpic_persp {
	const struct mpic_config *cfg;
	struct mpic__persp *p;
	struct serve_req *reqs;       /* in flight */
	mpic_persp_signer sign;       /* NULL: unsigned answers */
	void *sign_arg;
};

void
mpic_persp_set_signer(struct mpic_persp *sp, mpic_persp_signer fn, void *arg)
{
	sp->sign = fn;
	sp->sign_arg = arg;
}

int
mpic_persp_new(struct event_base *base, const struct mpic_config *cfg,
	       struct mpic_persp **out, char *err, size_t errlen)
{
	struct mpic_persp *sp;
	int rc;

	*out = NULL;
	if (!cfg->has_identity) {
		mpic__bufprintf(err, errlen, "%s: no identity: a perspective "
		    "needs one", cfg->source);
		return MPIC_EINVAL;
	}
	if ((sp = mpic__calloc(1, sizeof(*sp))) == NULL) {
		mpic__bufprintf(err, errlen, "out of memory");
		return MPIC_ENOMEM;
	}
	sp->cfg = cfg;
	rc = mpic__persp_local_new_unsigned(base, cfg, &cfg->identity,
	    &sp->p, err, errlen);
	if (rc != 0) {
		mpic__free(sp);
		return rc;
	}
	*out = sp;
	return 0;
}

static void
req_free(struct serve_req *r)
{
	struct mpic_persp *sp = r->sp;

	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		sp->reqs = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	mpic__request_release(&r->req);
	mpic__free(r);
}

const struct mpic_check_stats *
mpic_persp_check_stats(struct mpic_persp *sp)
{
	return &sp->p->checks;
}

void
mpic_persp_free(struct mpic_persp *sp)
{
	if (sp == NULL)
		return;
	/* the checks first: they hold the requests */
	sp->p->ops->free(sp->p);
	while (sp->reqs != NULL)
		req_free(sp->reqs);
	mpic__free(sp);
}

/* The facts of r's answer (status, body) for its callback. */
static void
answer(struct serve_req *r, const struct mpic__check_result *res,
       int status, const char *body, size_t len)
{
	struct mpic_persp_answer a;

	memset(&a, 0, sizeof(a));
	a.status = status;
	a.body = body;
	a.len = len;
	a.check_type = r->type == MPIC__CHECK_CAA ? "caa" : "dcv";
	a.method = r->type == MPIC__CHECK_CAA ? NULL :
	    mpic__dcv_method_str(r->req.dcv.method);
	a.trace_id = r->req.trace_identifier;
	a.trace = r->trace.trace_id;
	a.traceparent = r->traceparent;
	a.parent_id = r->parent_id;
	if (res != NULL) {
		a.passed = res->passed;
		a.completed = res->completed;
	}
	r->cb(r->arg, &a);
}

/* A 500 with an Open MPIC error body, as the daemon answers its own
 * faults. */
static void
fault(struct serve_req *r, const char *msg)
{
	static const char oom[] = "{\"error\":\"internal-error\"}";
	char *text = mpic_issue_body("internal-error", msg);

	answer(r, NULL, 500, text != NULL ? text : oom, text != NULL ?
	    strlen(text) : sizeof(oom) - 1);
	mpic__free(text);
}

/*
 * The signed statement of res (docs/evidence.md), signed by the signer:
 * a new reference in *out (NULL: no signer); 0, or -1 with err.  res
 * must be as the answer shows it.
 */
static int
statement(struct serve_req *r, const struct mpic__check_result *res,
	  json_t **out, char *err, size_t errlen)
{
	const struct mpic__perspective_def *id = &r->sp->cfg->identity;
	uint8_t digest[MPIC__EV_DIGEST_LEN], msg[MPIC_EV_MSG_MAX];
	uint8_t pub[MPIC__EV_PUB_LEN];
	struct mpic__ev_signed s;
	size_t n;

	*out = NULL;
	if (r->sp->sign == NULL)
		return 0;
	if (mpic__ev_request_digest(r->type == MPIC__CHECK_CAA ? "caa" :
	    "dcv", r->req.raw, digest) != 0) {
		mpic__bufprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(&s, 0, sizeof(s));
	mpic__sig_statement(id->code, id->rir, digest, r->nonce, res, &s.st);
	if ((n = mpic__ev_encode(&s.st, msg)) == 0) {
		mpic__bufprintf(err, errlen, "the statement cannot be encoded");
		return -1;
	}
	if (r->sp->sign(r->sp->sign_arg, msg, n, s.sig, pub, err,
	    errlen) != 0)
		return -1;
	mpic__sha256(pub, sizeof(pub), s.fingerprint);
	if ((*out = mpic__ev_signed_json(&s)) == NULL) {
		mpic__bufprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void
check_done(void *arg, struct mpic__check_result *res)
{
	struct serve_req *r = arg;
	const struct mpic__perspective_def *id = &r->sp->cfg->identity;
	struct mpic__jw w;
	json_t *signed_st = NULL;
	char err[256];

	/* a check that could not start has no details: the schema's keys */
	(void)mpic__check_details_fill(res, r->type, r->req.dcv.method);
	/* signed as the answer shows it (docs/evidence.md) */
	if (statement(r, res, &signed_st, err, sizeof(err)) != 0) {
		fault(r, err);
		mpic__check_result_release(res);
		req_free(r);
		return;
	}
	mpic__jw_init(&w, SERVE_ANSWER_MAX, false);
	mpic__check_result_open(&w, res, r->type);
	mpic__jw_key(&w, "perspective_code");
	mpic__jw_str(&w, id->code);
	mpic__jw_key(&w, "rir");
	mpic__jw_str(&w, mpic__rir_str(id->rir));
	if (signed_st != NULL) {
		mpic__jw_key(&w, "signed_statement");
		mpic__jw_json(&w, signed_st, true);
		json_decref(signed_st);
	}
	mpic__jw_close(&w, '}');
	if (mpic__jw_failed(&w))
		fault(r, w.oom ? "out of memory building the answer" :
		    "the answer would be larger than 1 MiB");
	else
		answer(r, res, 200, w.p, w.len);
	mpic__jw_release(&w);
	mpic__check_result_release(res);
	req_free(r);
}

/* A request refused at once: the issues' body, 400 or 413 (a 500 when
 * out of memory). */
static void
refuse(struct serve_req *r, int rc, const struct mpic__issues *is)
{
	static const char oom[] = "{\"error\":\"internal-error\"}";
	struct mpic_persp_answer a;
	char *text = mpic__issues_body(is);

	memset(&a, 0, sizeof(a));
	a.status = rc == MPIC_ETOOBIG ? 413 : 400;
	if (text == NULL) {
		a.status = 500;
		text = mpic_issue_body("internal-error", "out of memory");
	}
	a.body = text != NULL ? text : oom;
	a.len = strlen(a.body);
	a.trace = r->trace.trace_id;
	a.traceparent = r->traceparent;
	a.parent_id = r->parent_id;
	r->cb(r->arg, &a);
	mpic__free(text);
}

/*
 * The check's trace: the caller's (a coordinator's call carries its
 * request's trace id), else a new random one; a span of its own.
 */
static int
trace_start(struct serve_req *r, const char *traceparent)
{
	struct mpic__trace *t = &r->trace;
	char hi[17], lo[17];

	if (traceparent == NULL || !mpic__trace_parse(traceparent,
	    strlen(traceparent), t)) {
		if (mpic__trace_new_span(hi) != 0 ||
		    mpic__trace_new_span(lo) != 0)
			return MPIC_EIO;
		mpic__bufprintf(t->trace_id, sizeof(t->trace_id), "%s%s", hi,
		    lo);
		t->flags = 0x01;
	} else
		memcpy(r->parent_id, t->span_id, sizeof(r->parent_id));
	t->flags &= 0x01;
	if (mpic__trace_new_span(t->span_id) != 0)
		return MPIC_EIO;
	mpic__trace_format(t->trace_id, t->span_id, t->flags, r->traceparent,
	    sizeof(r->traceparent));
	return 0;
}

int
mpic_persp_serve(struct mpic_persp *sp, const char *check_type,
		 const char *body, size_t len, time_t now, const char *nonce,
		 mpic_persp_cb cb, void *arg)
{
	return mpic_persp_serve_traced(sp, check_type, body, len, now, nonce,
	    NULL, cb, arg);
}

int
mpic_persp_serve_traced(struct mpic_persp *sp, const char *check_type,
			const char *body, size_t len, time_t now,
			const char *nonce, const char *traceparent,
			mpic_persp_cb cb, void *arg)
{
	struct mpic__issues is;
	struct mpic__check_result res;
	struct serve_req *r;
	int rc;

	rc = MPIC_EINVAL;
	if (check_type == NULL || (strcmp(check_type, "caa") != 0 &&
	    strcmp(check_type, "dcv") != 0))
		goto out;
	rc = MPIC_ENOMEM;
	if ((r = mpic__calloc(1, sizeof(*r))) == NULL)
		goto out;
	r->sp = sp;
	r->type = check_type[0] == 'c' ? MPIC__CHECK_CAA : MPIC_CHECK_DCV;
	r->cb = cb;
	r->arg = arg;
	if (nonce == NULL || mpic__ev_unhex(nonce, r->nonce,
	    sizeof(r->nonce)) != 0)
		memset(r->nonce, 0, sizeof(r->nonce));
	if ((rc = trace_start(r, traceparent)) != 0) {
		mpic__free(r);
		goto out;
	}
	r->next = sp->reqs;
	if (sp->reqs != NULL)
		sp->reqs->prev = r;
	sp->reqs = r;
	memset(&is, 0, sizeof(is));
	rc = mpic__persp_request_parse(r->type, body, len, &r->req, &is);
	if (rc != 0) {
		refuse(r, rc, &is);
		req_free(r);
		rc = 0;
		goto out;
	}
	rc = sp->p->ops->start(sp->p, &r->req, now, check_done, r);
	if (rc != 0) {
		/* As the orchestrator does: a check that cannot start is a
		 * failed check with the reason, not a transport error. */
		mpic__check_result_init(&res);
		res.timestamp_ns = mpic__now_wall_ns();
		mpic__check_error(&res, r->type == MPIC__CHECK_CAA ?
		    MPIC__ERR_CAA_LOOKUP : MPIC__ERR_DCV_LOOKUP,
		    "check could not start: %s", mpic_strerror(rc));
		check_done(r, &res);
		rc = 0;
	}
out:
	return rc;
}
