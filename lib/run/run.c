/*
 * run.c - starting one check on a perspective: the check's state made,
 * and its checker picked by the method's row (lib/api/methods.c: run by
 * one DNS lookup, by the CAA climb, over HTTP, or by a TLS-ALPN
 * handshake).  Above every checker (lib/check, lib/dcv), which share only
 * lib/check/check.c's helpers below them: nothing calls up into this file
 * but the perspectives that run checks (lib/engine/local.c).
 */
#include "check/check.h"

/* The checker of c's request, by its row. */
static int
start_checker(struct mpic__check *c)
{
	const struct mpic__dcv_query *q;

	if (c->req->check_type == MPIC__CHECK_CAA)
		return mpic__caa_check_start(c);
	if ((q = mpic__dcv_method_query(c->req->dcv.method)) == NULL)
		return MPIC_ENOTSUP;
	switch (q->by) {
	case MPIC__RUN_DNS:
		return mpic__dcv_dns_start(c);
	case MPIC__RUN_CAA:
		return mpic__caa_check_start(c);
	case MPIC__RUN_HTTP:
		return mpic__dcv_http_start(c);
	case MPIC__RUN_TLS_ALPN:
		return mpic__dcv_tls_alpn_start(c);
	}
	return MPIC_ENOTSUP;
}

int
mpic__check_start(const struct mpic__check_env *env,
		  const struct mpic__request *req, time_t now,
		  mpic__check_cb cb, void *arg)
{
	struct mpic__check *c;
	int rc;

	c = mpic__calloc(1, sizeof(*c));
	if (c == NULL)
		return MPIC_ENOMEM;
	c->env = env;
	c->req = req;
	c->now = now;
	c->cb = cb;
	c->arg = arg;
	c->start_ms = mpic__now_mono_ms();
	c->worst = MPIC__DNSSEC_SECURE;
	mpic__check_result_init(&c->res);
	rc = start_checker(c);
	if (rc != 0) {
		mpic__check_result_release(&c->res);
		mpic__free(c);
	}
	return rc;
}
