/*
 * local.c - the in-process perspective: its own libunbound resolver and
 * cache (never shared), running the checkers of lib/check.
 *
 * It signs its results as a remote perspective does (docs/evidence.md),
 * with perspectives[].signing_key or a key made at start, and each
 * statement goes through the coordinator's check (sig.c) with a nonce of
 * its own: the results and audit records have one format everywhere.
 */
#include <string.h>

#include "dcv/tls_alpn.h"
#include "engine/perspective.h"

struct local {
	struct mpic__persp head;
	struct mpic__resolver *resolver;
	struct mpic__web *web;           /* HTTP client, made on first use */
	struct mpic__check_env env;
	EVP_PKEY *key;                   /* signs its statements */
	struct mpic__persp_keys pub;     /* key's public half */
	struct lcall *calls;             /* running */
};

/* One check's call: what its statement signs. */
struct lcall {
	struct local *l;
	struct lcall *prev, *next;
	mpic__check_cb cb;
	void *arg;
	uint8_t nonce[MPIC__EV_NONCE_LEN];
	uint8_t digest[MPIC__EV_DIGEST_LEN];
};

static void
lcall_free(struct lcall *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->l->calls = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	mpic__free(c);
}

static void
local_done(void *arg, struct mpic__check_result *res)
{
	struct lcall *c = arg;
	struct local *l = c->l;
	const struct mpic__perspective_def *def = l->head.def;
	mpic__check_cb cb = c->cb;
	void *cbarg = c->arg;

	if (l->key == NULL) {
		/* unsigned: a perspective role's own check, whose statement
		 * its key process signs (serve.c) */
	} else if (mpic__sig_sign(l->key, def->code, def->rir, c->digest,
	    c->nonce, res) == 0)
		(void)mpic__sig_check(&l->pub, true, def, c->digest, c->nonce,
		    res);
	else {
		/* unsigned, it cannot count (nor be told from a forgery) */
		mpic__check_error(res, MPIC__ERR_REMOTE, "perspective %s: its "
		    "result could not be signed", def->code);
		res->completed = false;
		res->passed = false;
	}
	lcall_free(c);
	cb(cbarg, res);
}

static int
local_start(struct mpic__persp *p, const struct mpic__request *req,
	    time_t now, mpic__check_cb cb, void *arg)
{
	struct local *l = (struct local *)p;
	struct lcall *c;
	int rc;

	if ((c = mpic__calloc(1, sizeof(*c))) == NULL)
		return MPIC_ENOMEM;
	c->l = l;
	c->cb = cb;
	c->arg = arg;
	if (req->has_call_digest)
		memcpy(c->digest, req->call_digest, sizeof(c->digest));
	else if (mpic__ev_request_digest(req->check_type == MPIC__CHECK_CAA ?
	    "caa" : "dcv", req->raw, c->digest) != 0) {
		mpic__free(c);
		return MPIC_ENOMEM;
	}
	if ((rc = mpic__sig_nonce(c->nonce)) != 0) {
		mpic__free(c);
		return rc;
	}
	c->next = l->calls;
	if (l->calls != NULL)
		l->calls->prev = c;
	l->calls = c;
	if ((rc = mpic__check_start(&l->env, req, now, local_done, c)) != 0)
		lcall_free(c);
	return rc;
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
	while (l->calls != NULL)
		lcall_free(l->calls);
	EVP_PKEY_free(l->key);
	mpic__persp_keys_release(&l->pub);
	mpic__free(l);
}

static const struct mpic__persp_ops local_ops = {
	.start = local_start,
	.free = local_free,
};

static int
local_make(struct event_base *base, const struct mpic_config *cfg,
	   const struct mpic__perspective_def *def, bool sign,
	   struct mpic__persp **out, char *err, size_t errlen);

int
mpic__persp_local_new(struct event_base *base, const struct mpic_config *cfg,
		      const struct mpic__perspective_def *def,
		      struct mpic__persp **out, char *err, size_t errlen)
{
	return local_make(base, cfg, def, true, out, err, errlen);
}

int
mpic__persp_local_new_unsigned(struct event_base *base,
			       const struct mpic_config *cfg,
			       const struct mpic__perspective_def *def,
			       struct mpic__persp **out, char *err,
			       size_t errlen)
{
	return local_make(base, cfg, def, false, out, err, errlen);
}

static int
local_make(struct event_base *base, const struct mpic_config *cfg,
	   const struct mpic__perspective_def *def, bool sign,
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
	/* its signing key, and the public half its statements are checked
	 * against */
	l->key = !sign ? NULL : def->signing_key != NULL ?
	    mpic__ev_key_load_private(def->signing_key, err, errlen) :
	    mpic__ev_key_generate();
	if (sign && l->key == NULL) {
		if (def->signing_key == NULL)
			mpic__bufprintf(err, errlen, "perspective %s: no "
			    "signing key could be made", def->code);
		local_free(&l->head);
		return MPIC_ECONFIG;
	}
	if (l->key != NULL) {
		l->pub.k[0] = l->key;
		EVP_PKEY_up_ref(l->key);
		l->pub.n = 1;
	}
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
