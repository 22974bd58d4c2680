/*
 * roles.c - the endpoints of the roles: POST /mpic (coordinator,
 * all-in-one) through the orchestrator, POST /caa and /dcv (perspective)
 * running one check on the perspective's own resolver.
 */
#include <string.h>

#include "mpicd.h"

/* ------------------------------------------------------------ /mpic */

/* The W3C trace of an answer, for the log and the response header. */
static void
label_trace(struct mpicd_call *c, const char *trace, const char *tp,
	    const char *parent)
{
	if (parent != NULL)
		mpicx_bufprintf(c->parent_id, sizeof(c->parent_id), "%s",
		    parent);
	if (trace != NULL)
		mpicx_bufprintf(c->w3c_trace, sizeof(c->w3c_trace), "%s",
		    trace);
	if (tp != NULL)
		mpicx_bufprintf(c->traceparent, sizeof(c->traceparent), "%s",
		    tp);
}

/* Labels for metrics and the log from the typed answer. */
static void
label_response(struct mpicd_call *c, const struct mpic_answer *a)
{
	json_t *o;
	const char *tr;
	size_t i, n_passed = 0;

	label_trace(c, a->trace, a->traceparent, a->parent_id);
	if (a->status != 200) {
		c->result = a->status >= 500 ? MPICD_R_ERROR :
		    MPICD_R_REJECTED;
		/* Our own faults are logged with their reason (the audit
		 * log's among them); rejections are the client's. */
		if (a->status >= 500 && (o = json_loadb(a->body, a->len, 0,
		    NULL)) != NULL) {
			tr = json_string_value(json_object_get(o, "message"));
			if (tr != NULL)
				mpicx_bufprintf(c->error, sizeof(c->error),
				    "%s", tr);
			json_decref(o);
		}
		return;
	}
	/* From the engine: parsing the answer again cost ~6% of the
	 * coordinator's CPU under load. */
	c->midx = mpicd_method_index(a->check_type, a->method);
	c->result = a->valid ? MPICD_R_OK : MPICD_R_NO;
	c->decision = a->decision;
	c->outcome = a->valid ? "valid" : "invalid";
	if (a->trace_id != NULL)
		mpicx_bufprintf(c->trace, sizeof(c->trace), "%s", a->trace_id);
	if (a->audit_id != NULL)
		mpicx_bufprintf(c->audit_id, sizeof(c->audit_id), "%s",
		    a->audit_id);
	for (i = 0; i < a->n_persp; i++)
		if (a->persp[i].outcome == MPIC_OUTCOME_PASSED)
			n_passed++;
	if (a->n_persp > 0)
		mpicx_bufprintf(c->quorum, sizeof(c->quorum), "%zu/%zu",
		    n_passed, a->n_persp);
}

static void
mpic_done(void *arg, const struct mpic_answer *a)
{
	struct mpicd_call *c = arg;

	label_response(c, a);
	mpicd_reply(c->d, c, a->status, a->body, a->len);
}

void
mpicd_handle_mpic(struct mpicd *d, struct mpicd_call *c, const char *body,
		  size_t len)
{
	int rc;

	mpicd_call_track(c);
	/* The callback may run before submit returns (rejected requests). */
	rc = mpic_engine_request_traced(d->eng, body, len, time(NULL),
	    c->tp_in[0] != '\0' ? c->tp_in : NULL, mpic_done, c);
	if (rc != 0) {
		c->result = MPICD_R_ERROR;
		mpicd_reply_issue(d, c, 500, "internal-error",
		    mpic_strerror(rc));
	}
}

/* ------------------------------------------------------------ /caa /dcv */

static void
check_done(void *arg, const struct mpic_persp_answer *a)
{
	struct mpicd_call *c = arg;

	label_trace(c, a->trace, a->traceparent, a->parent_id);
	/* labels once the request parsed: refusals (400, 413) have none */
	if (a->check_type != NULL) {
		if (a->method != NULL)
			c->midx = mpicd_method_index(a->check_type,
			    a->method);
		if (a->trace_id != NULL)
			mpicx_bufprintf(c->trace, sizeof(c->trace), "%s",
			    a->trace_id);
		c->result = a->status != 200 ? MPICD_R_ERROR : a->passed ?
		    MPICD_R_OK : a->completed ? MPICD_R_NO : MPICD_R_ERROR;
		c->outcome = c->result == MPICD_R_OK ? "valid" :
		    c->result == MPICD_R_NO ? "invalid" : "error";
	}
	mpicd_reply(c->d, c, a->status, a->body, a->len);
}

void
mpicd_handle_check(struct mpicd *d, struct mpicd_call *c,
		   const char *check_type, const char *body, size_t len)
{
	int rc;

	mpicd_call_track(c);
	/* The callback may run before serve returns (refused requests). */
	/* the coordinator's nonce, signed into the answer's statement, and
	 * its traceparent */
	rc = mpic_persp_serve_traced(d->self, check_type, body, len,
	    time(NULL), c->req != NULL ? evhttp_find_header(
	    evhttp_request_get_input_headers(c->req), "MPIC-Nonce") : NULL,
	    c->tp_in[0] != '\0' ? c->tp_in : NULL, check_done, c);
	if (rc != 0)
		mpicd_reply_issue(d, c, 500, "internal-error",
		    mpic_strerror(rc));
}
