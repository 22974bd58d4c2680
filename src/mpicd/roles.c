/*
 * roles.c - the endpoints of the roles: POST /mpic (coordinator,
 * all-in-one) through the orchestrator, POST /caa and /dcv (perspective)
 * running one check on the perspective's own resolver.
 */
#include <string.h>

#include "mpicd.h"

/* ------------------------------------------------------------ /mpic */

/* Labels for metrics and the log from the typed answer. */
static void
label_response(struct mpicd_call *c, const struct mpic_answer *a)
{
	json_t *o;
	const char *tr;

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
	if (a->trace_id != NULL)
		mpicx_bufprintf(c->trace, sizeof(c->trace), "%s", a->trace_id);
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
	rc = mpic_engine_request(d->eng, body, len, time(NULL), mpic_done, c);
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
	/* the coordinator's nonce, signed into the answer's statement */
	rc = mpic_persp_serve(d->self, check_type, body, len, time(NULL),
	    c->req != NULL ? evhttp_find_header(
	    evhttp_request_get_input_headers(c->req), "MPIC-Nonce") : NULL,
	    check_done, c);
	if (rc != 0)
		mpicd_reply_issue(d, c, 500, "internal-error",
		    mpic_strerror(rc));
}
