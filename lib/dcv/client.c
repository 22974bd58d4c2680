/*
 * client.c - the HTTP client of one perspective: the transfers of its
 * checks on a curl loop (lib/util/curl_loop.c: libcurl's multi-socket
 * interface on the perspective's libevent base), the checks it must
 * abandon when it is freed, and the parsed allowed networks.  Nothing
 * here blocks: names never reach curl (every transfer is pinned to an
 * address with CURLOPT_CONNECT_TO), so its resolver is never used.
 */
#include <string.h>

#include "util/curl_loop.h"
#include "web.h"

struct mpic__web {
	struct mpic__curl_loop *loop;
	struct mpic__web_xfer *tracked;
	struct mpic__cidr *allowed;
	size_t n_allowed;
};

static void
xfer_done(void *arg, CURL *easy, CURLcode rc)
{
	struct mpic__web_xfer *x = arg;

	(void)easy;
	x->running = false;
	x->done(x, rc);
}

int
mpic__web_new(struct event_base *base, const struct mpic_config *cfg,
	      struct mpic__web **out)
{
	struct mpic__web *w;
	size_t i, n = cfg ? cfg->n_allowed_networks : 0;
	int rc = MPIC_ENOMEM;

	*out = NULL;
	w = mpic__calloc(1, sizeof(*w));
	if (w == NULL)
		return MPIC_ENOMEM;
	if (n > 0) {
		w->allowed = mpic__calloc(n, sizeof(*w->allowed));
		if (w->allowed == NULL)
			goto fail;
		/* the configuration loader checked the syntax already */
		for (i = 0; i < n; i++)
			if (mpic__cidr_parse(cfg->allowed_networks[i],
			    strlen(cfg->allowed_networks[i]),
			    &w->allowed[w->n_allowed]) == 0)
				w->n_allowed++;
	}
	if ((rc = mpic__curl_loop_new(base, &w->loop)) != 0)
		goto fail;
	*out = w;
	return 0;
fail:
	mpic__web_free(w);
	return rc;
}

void
mpic__web_free(struct mpic__web *w)
{
	struct mpic__web_xfer *x;

	if (w == NULL)
		return;
	while ((x = w->tracked) != NULL) {
		mpic__web_remove(w, x);
		mpic__web_untrack(w, x);
		x->abandon(x);
	}
	mpic__curl_loop_free(w->loop);
	mpic__free(w->allowed);
	mpic__free(w);
}

const struct mpic__cidr *
mpic__web_allowed(const struct mpic__web *w, size_t *n)
{
	*n = w->n_allowed;
	return w->allowed;
}

void
mpic__web_track(struct mpic__web *w, struct mpic__web_xfer *x)
{
	if (x->tracked)
		return;
	x->prev = NULL;
	x->next = w->tracked;
	if (w->tracked != NULL)
		w->tracked->prev = x;
	w->tracked = x;
	x->tracked = true;
}

void
mpic__web_untrack(struct mpic__web *w, struct mpic__web_xfer *x)
{
	if (!x->tracked)
		return;
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		w->tracked = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
	x->tracked = false;
}

void
mpic__web_remove(struct mpic__web *w, struct mpic__web_xfer *x)
{
	if (!x->running)
		return;
	mpic__curl_loop_cancel(w->loop, x->easy);
	x->running = false;
}

int
mpic__web_add(struct mpic__web *w, struct mpic__web_xfer *x)
{
	int rc = mpic__curl_loop_add(w->loop, x->easy, xfer_done, x);

	if (rc != 0)
		return rc;
	x->running = true;
	return 0;
}
