/*
 * roles.c - the endpoints of the roles: POST /mpic (coordinator,
 * all-in-one) through the orchestrator, POST /caa and /dcv (perspective)
 * running one check on the perspective's own resolver.
 */
#include <string.h>

#include "engine/answer.h"
#include "mpicd.h"
#include "statement.h"

/* ------------------------------------------------------------ /mpic */

/* Labels for metrics and the log from a 200 response body. */
static void
label_response(struct mpicd_call *c, int status, const char *body,
	       size_t len)
{
	struct mpic__answer_info ai;
	json_t *o, *p;
	const char *tr;

	if (status != 200) {
		c->result = status >= 500 ? MPICD_R_ERROR : MPICD_R_REJECTED;
		/* Our own faults are logged with their reason (the audit
		 * log's among them); rejections are the client's. */
		if (status >= 500 && (o = json_loadb(body, len, 0,
		    NULL)) != NULL) {
			tr = json_string_value(json_object_get(o, "message"));
			if (tr != NULL)
				mpic__bufprintf(c->error, sizeof(c->error),
				    "%s", tr);
			json_decref(o);
		}
		return;
	}
	/* From the engine: parsing the answer again cost ~6% of the
	 * coordinator's CPU under load. */
	if (mpic__engine_answer_info(c->d->eng, &ai)) {
		c->midx = mpicd_method_index(ai.check_type == MPIC_CHECK_CAA ?
		    "caa" : "dcv", ai.check_type == MPIC_CHECK_CAA ? NULL :
		    mpic__dcv_method_str(ai.method));
		c->result = ai.valid ? MPICD_R_OK : MPICD_R_NO;
		if (ai.trace_identifier != NULL)
			mpic__bufprintf(c->trace, sizeof(c->trace), "%s",
			    ai.trace_identifier);
		return;
	}
	o = json_loadb(body, len, 0, NULL);
	if (o == NULL) {
		c->result = MPICD_R_ERROR;
		return;
	}
	p = json_object_get(o, "dcv_check_parameters");
	c->midx = mpicd_method_index(json_string_value(json_object_get(o,
	    "check_type")), json_string_value(json_object_get(p,
	    "validation_method")));
	c->result = json_is_true(json_object_get(o, "is_valid")) ?
	    MPICD_R_OK : MPICD_R_NO;
	tr = json_string_value(json_object_get(o, "trace_identifier"));
	if (tr != NULL)
		mpic__bufprintf(c->trace, sizeof(c->trace), "%s", tr);
	json_decref(o);
}

static void
mpic_done(void *arg, int status, const char *body, size_t len)
{
	struct mpicd_call *c = arg;

	label_response(c, status, body, len);
	mpicd_reply(c->d, c, status, body, len);
}

void
mpicd_handle_mpic(struct mpicd *d, struct mpicd_call *c, const char *body,
		  size_t len)
{
	int rc;

	mpicd_call_track(c);
	/* The callback may run before submit returns (rejected requests). */
	rc = mpic_engine_submit(d->eng, body, len, time(NULL), mpic_done, c);
	if (rc != 0) {
		c->result = MPICD_R_ERROR;
		mpicd_reply_issue(d, c, 500, "internal-error",
		    mpic_strerror(rc));
	}
}

/* ------------------------------------------------------------ /caa /dcv */

static void
check_done(void *arg, struct mpic__check_result *res)
{
	struct mpicd_call *c = arg;
	struct mpicd *d = c->d;
	const struct mpic__perspective_def *id = &d->cfg->identity;
	struct mpic__jw w;
	json_t *signed_st = NULL;
	char err[256];

	c->result = res->passed ? MPICD_R_OK : res->completed ? MPICD_R_NO :
	    MPICD_R_ERROR;
	/* a check that could not start has no details: the schema's keys */
	(void)mpic__check_details_fill(res, c->type, c->preq.dcv.method);
	/* signed as the answer shows it (docs/evidence.md) */
	if (mpicd_statement(d->cfg, c, res, &signed_st, err,
	    sizeof(err)) != 0) {
		mpic__check_result_release(res);
		c->result = MPICD_R_ERROR;
		mpicd_reply_issue(d, c, 500, "internal-error", err);
		return;
	}
	mpic__jw_init(&w, MPICD_ANSWER_MAX, false);
	mpic__check_result_open(&w, res, c->type);
	mpic__check_result_release(res);
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
	if (mpic__jw_failed(&w)) {
		c->result = MPICD_R_ERROR;
		mpicd_reply_issue(d, c, 500, "internal-error", w.oom ?
		    "out of memory building the answer" :
		    "the answer would be larger than 1 MiB");
		mpic__jw_release(&w);
		return;
	}
	mpicd_reply(d, c, 200, w.p, w.len);
	mpic__jw_release(&w);
}

void
mpicd_handle_check(struct mpicd *d, struct mpicd_call *c,
		   enum mpic__check_type type, const char *body, size_t len)
{
	struct mpic__issues is;
	struct mpic__check_result res;
	char *text;
	int rc;

	memset(&is, 0, sizeof(is));
	c->type = type;
	rc = mpic__persp_request_parse(type, body, len, &c->preq, &is);
	c->has_preq = true;
	if (rc != 0) {
		text = mpic__issues_body(&is);
		if (text == NULL) {
			mpicd_reply_issue(d, c, 500, "internal-error",
			    "out of memory");
			return;
		}
		mpicd_reply(d, c, rc == MPIC_ETOOBIG ? 413 : 400, text,
		    strlen(text));
		mpic__free(text);
		return;
	}
	if (type == MPIC_CHECK_DCV)
		c->midx = mpicd_method_index("dcv",
		    mpic__dcv_method_str(c->preq.dcv.method));
	if (c->preq.trace_identifier != NULL)
		mpic__bufprintf(c->trace, sizeof(c->trace), "%s",
		    c->preq.trace_identifier);
	mpicd_call_track(c);
	rc = d->self->ops->start(d->self, &c->preq, time(NULL), check_done,
	    c);
	if (rc != 0) {
		/* As the orchestrator does: a check that cannot start is a
		 * failed check with the reason, not a transport error. */
		mpic__check_result_init(&res);
		res.timestamp_ns = mpic__now_wall_ns();
		mpic__check_error(&res, type == MPIC_CHECK_CAA ?
		    MPIC_ERR_CAA_LOOKUP : MPIC_ERR_DCV_LOOKUP,
		    "check could not start: %s", mpic_strerror(rc));
		check_done(c, &res);
	}
}
