/*
 * gen.c - an engine's generations (engine_int.h): the perspectives, the
 * primary and the HTTP client made from one configuration.  A request
 * holds the generation it started on until it is freed; a reconfigure
 * (mpic_engine_reconfigure) puts a new generation in force and the old
 * one is freed once its last request is gone.  Below mreq.c: it calls
 * only the perspectives (local.c, remote.c).
 */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/curl_loop.h"

#define ENGINE_CONNS_PER_REMOTE 128 /* idle connections kept per remote */

/* Drop what runs: no check of g calls back after this. */
static void
gen_stop(struct eng_gen *g)
{
	size_t i;

	for (i = 0; g->ps != NULL && i < g->n; i++)
		if (g->ps[i] != NULL)
			g->ps[i]->ops->free(g->ps[i]);
	mpic__free(g->ps);
	g->ps = NULL;
	g->n = 0;
	if (g->primary != NULL)
		g->primary->ops->free(g->primary);
	g->primary = NULL;
	mpic__curl_loop_free(g->curl);
	g->curl = NULL;
}

void
mpic__eng_gen_free(struct eng_gen *g)
{
	if (g == NULL)
		return;
	gen_stop(g);
	if (g->reap != NULL)
		event_free(g->reap);
	mpic_config_free(g->owned);
	mpic__free(g);
}

/* A retired generation whose last request is gone, one turn of the loop
 * later: its last check's callback may still be on the stack when the
 * request is freed, and a perspective is not freed from its callback. */
static void
reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eng_gen *g = arg;
	struct eng_gen **pp;

	(void)fd;
	(void)what;
	for (pp = &g->eng->retired; *pp != NULL && *pp != g; pp = &(*pp)->next)
		;
	if (*pp == g)
		*pp = g->next;
	mpic__eng_gen_free(g);
}

int
mpic__eng_gen_new(struct mpic_engine *e, const struct mpic_config *cfg,
		  struct eng_gen **out, char *err, size_t errlen)
{
	struct eng_gen *g;
	size_t i;
	int rc = MPIC_ENOMEM;

	*out = NULL;
	if ((g = mpic__calloc(1, sizeof(*g))) == NULL)
		return MPIC_ENOMEM;
	g->eng = e;
	g->cfg = cfg;
	g->n = cfg->n_perspectives;
	if ((g->reap = evtimer_new(e->base, reap_cb, g)) == NULL ||
	    (g->ps = mpic__calloc(g->n + 1, sizeof(*g->ps))) == NULL) {
		mpic__bufprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < g->n; i++) {
		const struct mpic__perspective_def *def = &cfg->perspectives[i];

		if (def->url != NULL && g->curl == NULL &&
		    (rc = mpic__curl_loop_new(e->base, &g->curl)) != 0) {
			mpic__bufprintf(err, errlen, "cannot start the HTTP "
			    "client: %s", mpic_strerror(rc));
			goto out;
		}
		/* In-process: one resolver, one cache, never shared. */
		rc = def->url != NULL ?
		    mpic__persp_remote_new(g->curl, cfg, def, &g->ps[i], err,
		    errlen) :
		    mpic__persp_local_new(e->base, cfg, def, &g->ps[i], err,
		    errlen);
		if (rc != 0)
			goto out;
	}
	/* The primary: in-process, with its own resolver and cache. */
	if (cfg->has_primary && (rc = mpic__persp_local_new(e->base, cfg,
	    &cfg->primary, &g->primary, err, errlen)) != 0)
		goto out;
	/* Keep the connections to the remotes open between requests: one
	 * HTTP/1.1 connection carries one call at a time, so a burst of N
	 * requests opens N per remote, and a cache smaller than that closes
	 * them after the burst and pays the mutual TLS handshakes again on
	 * the next one (curl's default cache shrinks with the transfers
	 * running; 4 * n measured ~25 requests/s under load, this ~40x). */
	if (g->curl != NULL)
		curl_multi_setopt(mpic__curl_loop_multi(g->curl),
		    CURLMOPT_MAXCONNECTS,
		    (long)(ENGINE_CONNS_PER_REMOTE * g->n + 8));
	g->refs = 1;    /* in force */
	*out = g;
	g = NULL;
	rc = 0;
out:
	mpic__eng_gen_free(g);
	return rc;
}

void
mpic__eng_gen_ref(struct eng_gen *g)
{
	g->refs++;
}

void
mpic__eng_gen_unref(struct eng_gen *g)
{
	struct timeval now = {0, 0};

	if (g == NULL || g->refs == 0 || --g->refs > 0)
		return;
	/* in mpic_engine_free(), which frees every generation itself */
	if (g->eng->closing)
		return;
	evtimer_add(g->reap, &now);
}
