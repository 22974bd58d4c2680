/*
 * local.c - the in-process perspective: its own libunbound resolver and
 * cache (never shared), running the checkers of lib/check.
 */
#include "dcv/tls_alpn.h"
#include "engine/perspective.h"

struct local {
	struct mpic__persp head;
	struct mpic__resolver *resolver;
	struct mpic__web *web;           /* HTTP client, made on first use */
	struct mpic__check_env env;
};

static int
local_start(struct mpic__persp *p, const struct mpic__request *req,
	    time_t now, mpic__check_cb cb, void *arg)
{
	struct local *l = (struct local *)p;

	return mpic__check_start(&l->env, req, now, cb, arg);
}

static void
local_free(struct mpic__persp *p)
{
	struct local *l = (struct local *)p;

	if (l == NULL)
		return;
	/* After this no check calls back: the resolver, then the HTTP
	 * client, which drops the checks still in flight. */
	mpic__resolver_free(l->resolver);
	mpic__web_free(l->web);
	mpic__alpn_tls_free(l->env.alpn_tls);
	mpic__free(l);
}

static const struct mpic__persp_ops local_ops = {
	.start = local_start,
	.free = local_free,
};

int
mpic__persp_local_new(struct event_base *base, const struct mpic_config *cfg,
		      const struct mpic__perspective_def *def,
		      struct mpic__persp **out, char *err, size_t errlen)
{
	struct local *l;
	int rc;

	*out = NULL;
	if ((l = mpic__calloc(1, sizeof(*l))) == NULL)
		return MPIC_ENOMEM;
	l->head.ops = &local_ops;
	l->head.def = def;
	rc = mpic__resolver_new(base, &def->dns, &l->resolver, err, errlen);
	if (rc != 0) {
		mpic__free(l);
		return rc;
	}
	l->env.base = base;
	l->env.cfg = cfg;
	l->env.resolver = l->resolver;
	l->env.web = &l->web;
	l->env.stats = &l->head.checks;
	mpic__resolver_count(l->resolver, &l->head.checks);
	l->env.issuer_domains = cfg->issuer_domains;
	l->env.n_issuers = cfg->n_issuer_domains;
	/* TLS client state of its own too (no session shared) */
	rc = mpic__alpn_tls_new(&l->env.alpn_tls);
	if (rc != 0) {
		mpic__bufprintf(err, errlen, "out of memory");
		local_free(&l->head);
		return rc;
	}
	*out = &l->head;
	return 0;
}
