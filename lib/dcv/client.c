/*
 * client.c - libcurl's multi-socket interface on a libevent base.
 *
 * curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when
 * to wake it (CURLMOPT_TIMERFUNCTION); libevent watches them and we hand
 * the readiness back with curl_multi_socket_action().  Nothing here
 * blocks: names never reach curl (every transfer is pinned to an address
 * with CURLOPT_CONNECT_TO), so its resolver is never used.
 *
 * Finished transfers are collected with curl_multi_info_read() after each
 * socket_action, outside curl's callbacks, so a done callback may start
 * the next transfer (a redirect hop) at once.
 */
#include <pthread.h>
#include <string.h>

#include <event2/event.h>

#include "web.h"

struct mpic_web {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	struct mpic_web_xfer *tracked;
	struct mpic_cidr *allowed;
	size_t n_allowed;
};

/* What we attach to a socket curl asked us to watch. */
struct wsock {
	struct event *ev;
	struct mpic_web *w;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void
global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void
collect(struct mpic_web *w)
{
	struct mpic_web_xfer *x;
	CURLMsg *msg;
	CURLcode rc;
	char *priv;
	int left;

	while ((msg = curl_multi_info_read(w->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		x = (struct mpic_web_xfer *)(void *)priv;
		/* msg is invalid once the handle is removed */
		rc = msg->data.result;
		curl_multi_remove_handle(w->multi, msg->easy_handle);
		if (x == NULL)
			continue;
		x->running = false;
		x->done(x, rc);
	}
}

static void
sock_event(evutil_socket_t fd, short what, void *arg)
{
	struct wsock *ws = arg;
	struct mpic_web *w = ws->w;
	int flags = 0, running;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(w->multi, fd, flags, &running);
	collect(w);
}

static void
timer_event(evutil_socket_t fd, short what, void *arg)
{
	struct mpic_web *w = arg;
	int running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	collect(w);
}

static int
sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct mpic_web *w = userp;
	struct wsock *ws = sockp;
	short kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (ws != NULL) {
			event_free(ws->ev);
			mpic__free(ws);
		}
		return 0;
	}
	kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (ws == NULL) {
		ws = mpic__calloc(1, sizeof(*ws));
		if (ws == NULL)
			return -1;
		ws->w = w;
		ws->ev = event_new(w->base, s, kind, sock_event, ws);
		if (ws->ev == NULL) {
			mpic__free(ws);
			return -1;
		}
		curl_multi_assign(w->multi, s, ws);
	} else {
		event_del(ws->ev);
		if (event_assign(ws->ev, w->base, s, kind, sock_event, ws) != 0)
			return -1;
	}
	return event_add(ws->ev, NULL) == 0 ? 0 : -1;
}

static int
timer_cb(CURLM *multi, long ms, void *userp)
{
	struct mpic_web *w = userp;
	struct timeval tv;

	(void)multi;
	if (ms < 0) {
		evtimer_del(w->timer);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	return evtimer_add(w->timer, &tv) == 0 ? 0 : -1;
}

int
mpic__web_new(struct event_base *base, const struct mpic_config *cfg,
	      struct mpic_web **out)
{
	struct mpic_web *w;
	size_t i, n = cfg ? cfg->n_allowed_networks : 0;

	*out = NULL;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return MPIC_EIO;
	w = mpic__calloc(1, sizeof(*w));
	if (w == NULL)
		return MPIC_ENOMEM;
	w->base = base;
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
	w->multi = curl_multi_init();
	w->timer = evtimer_new(base, timer_event, w);
	if (w->multi == NULL || w->timer == NULL)
		goto fail;
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
	*out = w;
	return 0;
fail:
	mpic__web_free(w);
	return MPIC_ENOMEM;
}

void
mpic__web_free(struct mpic_web *w)
{
	struct mpic_web_xfer *x;

	if (w == NULL)
		return;
	while ((x = w->tracked) != NULL) {
		if (x->running) {
			curl_multi_remove_handle(w->multi, x->easy);
			x->running = false;
		}
		mpic__web_untrack(w, x);
		x->abandon(x);
	}
	if (w->multi != NULL)
		curl_multi_cleanup(w->multi);
	if (w->timer != NULL)
		event_free(w->timer);
	mpic__free(w->allowed);
	mpic__free(w);
}

const struct mpic_cidr *
mpic__web_allowed(const struct mpic_web *w, size_t *n)
{
	*n = w->n_allowed;
	return w->allowed;
}

void
mpic__web_track(struct mpic_web *w, struct mpic_web_xfer *x)
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
mpic__web_untrack(struct mpic_web *w, struct mpic_web_xfer *x)
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
mpic__web_remove(struct mpic_web *w, struct mpic_web_xfer *x)
{
	if (!x->running)
		return;
	curl_multi_remove_handle(w->multi, x->easy);
	x->running = false;
}

int
mpic__web_add(struct mpic_web *w, struct mpic_web_xfer *x)
{
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, (char *)x);
	if (curl_multi_add_handle(w->multi, x->easy) != CURLM_OK)
		return MPIC_EIO;
	x->running = true;
	return 0;
}
