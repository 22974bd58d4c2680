/*
 * curl_loop.c - libcurl multi-socket on libevent.
 *
 * curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when
 * to wake it (CURLMOPT_TIMERFUNCTION); libevent watches them and we hand
 * each readiness back with curl_multi_socket_action().  Finished
 * transfers are collected with curl_multi_info_read() after every action,
 * outside curl's own callbacks, so a completion callback may start or
 * cancel other transfers freely.
 */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "util/util.h"
#include "util/curl_loop.h"
#include "util/netsock.h"

struct watch {
	struct mpic__curl_loop *loop;
	struct watch *prev, *next;
	curl_socket_t fd;
	struct event *ev;
	short kind;           /* the event's flags */
	bool parked;          /* curl does not watch it; EV_READ kept */
};

struct fdinfo {
	struct watch *w;      /* its watch, or NULL */
	bool conn;            /* opened by open_cb, not yet closed */
	uint32_t epoch;       /* the loop's epoch when it was opened */
};

struct xfer {
	struct xfer *prev, *next;
	CURL *easy;
	mpic__curl_done_cb cb;
	void *arg;
};

struct mpic__curl_loop {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	struct watch *watches;
	struct fdinfo *by_fd; /* by descriptor */
	size_t n_by_fd;
	struct xfer *xfers;   /* running transfers */
	unsigned running;     /* transfers added and not yet finished */
	int active;           /* curl's own count */
	uint32_t epoch;       /* mpic__curl_loop_retire() calls so far */
};

static void
xfer_unlink(struct mpic__curl_loop *loop, struct xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		loop->xfers = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	loop->running--;
}

static void
collect(struct mpic__curl_loop *loop)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(loop->multi, &left)) != NULL) {
		CURL *easy;
		CURLcode res;
		struct xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		/* msg is invalid once the handle is removed: copy first */
		easy = msg->easy_handle;
		res = msg->data.result;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(loop->multi, easy);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		if (x != NULL) {
			struct xfer done = *x;

			xfer_unlink(loop, x);
			mpic__free(x);
			done.cb(done.arg, easy, res);
		}
	}
}

static void watch_free(struct watch *w);

static void
on_socket(evutil_socket_t fd, short what, void *arg)
{
	struct watch *w = arg;
	struct mpic__curl_loop *loop = w->loop;
	int flags = 0;

	if (w->parked) {
		/* an idle connection's news (its close): not curl's business
		 * until it reuses the connection and finds it dead */
		watch_free(w);
		return;
	}
	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(loop->multi, fd, flags, &loop->active);
	collect(loop);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct mpic__curl_loop *loop = arg;

	(void)fd;
	(void)what;
	curl_multi_socket_action(loop->multi, CURL_SOCKET_TIMEOUT, 0,
	    &loop->active);
	collect(loop);
}

static void
watch_free(struct watch *w)
{
	struct mpic__curl_loop *loop = w->loop;

	if (w->fd >= 0 && (size_t)w->fd < loop->n_by_fd &&
	    loop->by_fd[w->fd].w == w)
		loop->by_fd[w->fd].w = NULL;
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		loop->watches = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	if (w->ev != NULL)
		event_free(w->ev);
	mpic__free(w);
}

/* What the loop knows of descriptor s, or NULL; with grow, room for it. */
static struct fdinfo *
fd_info(struct mpic__curl_loop *loop, curl_socket_t s, bool grow)
{
	struct fdinfo *nb;
	size_t n;

	if (s < 0)
		return NULL;
	if ((size_t)s >= loop->n_by_fd) {
		if (!grow)
			return NULL;
		n = loop->n_by_fd ? loop->n_by_fd : 64;
		while (n <= (size_t)s)
			n *= 2;
		if ((nb = mpic__realloc(loop->by_fd, n * sizeof(*nb))) == NULL)
			return NULL;
		memset(nb + loop->n_by_fd, 0, (n - loop->n_by_fd) *
		    sizeof(*nb));
		loop->by_fd = nb;
		loop->n_by_fd = n;
	}
	return &loop->by_fd[s];
}

static int
socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct mpic__curl_loop *loop = userp;
	struct watch *w = socketp;
	struct fdinfo *fi = fd_info(loop, s, false);
	short kind;

	(void)easy;
	if (w == NULL && fi != NULL)
		w = fi->w; /* parked since curl's last transfer on it */
	if (what == CURL_POLL_REMOVE) {
		if (w == NULL)
			return 0;
		curl_multi_assign(loop->multi, s, NULL);
		if (fi != NULL && fi->conn && w->kind == (EV_PERSIST | EV_READ))
			w->parked = true;
		else
			watch_free(w);
		/* idle now, and made before a retire: see there */
		if (fi != NULL && fi->conn && fi->epoch != loop->epoch)
			shutdown(s, SHUT_RDWR);
		return 0;
	}
	if (w == NULL) {
		if ((fi = fd_info(loop, s, true)) == NULL ||
		    (w = mpic__calloc(1, sizeof(*w))) == NULL)
			return -1;
		w->loop = loop;
		w->fd = s;
		w->next = loop->watches;
		if (loop->watches != NULL)
			loop->watches->prev = w;
		loop->watches = w;
		fi->w = w;
	}
	if (w->parked || socketp == NULL)
		curl_multi_assign(loop->multi, s, w);
	w->parked = false;
	kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (w->ev != NULL && kind == w->kind)
		return 0; /* registered as wanted: nothing to change */
	if (w->ev != NULL) {
		event_del(w->ev);
		if (event_assign(w->ev, loop->base, s, kind, on_socket,
		    w) != 0)
			return -1;
	} else if ((w->ev = event_new(loop->base, s, kind, on_socket,
	    w)) == NULL) {
		return -1;
	}
	w->kind = kind;
	return event_add(w->ev, NULL) == 0 ? 0 : -1;
}

/* curl opens a connection's socket (CURLOPT_OPENSOCKETFUNCTION). */
static curl_socket_t
open_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct mpic__curl_loop *loop = clientp;
	struct fdinfo *fi;
	socklen_t len = (socklen_t)addr->addrlen;
	curl_socket_t s;

	(void)purpose;
	/* curl connects to addr->addr after this: the seam may move it */
	s = mpic__net_socket(addr->socktype, addr->protocol, &addr->addr,
	    &len);
	if (s < 0)
		return CURL_SOCKET_BAD;
	if ((fi = fd_info(loop, s, true)) == NULL) {
		close(s);
		return CURL_SOCKET_BAD;
	}
	if (fi->w != NULL) /* a watch from a socket closed behind our back */
		watch_free(fi->w);
	fi->conn = true;
	fi->epoch = loop->epoch;
	return s;
}

/* curl closes a socket: its watch goes first (CURLOPT_CLOSESOCKETFUNCTION). */
static int
close_cb(void *clientp, curl_socket_t s)
{
	struct mpic__curl_loop *loop = clientp;
	struct fdinfo *fi = fd_info(loop, s, false);

	if (fi != NULL) {
		if (fi->w != NULL)
			watch_free(fi->w);
		fi->conn = false;
	}
	return close(s);
}

static int
timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct mpic__curl_loop *loop = userp;
	struct timeval tv;

	(void)multi;
	if (timeout_ms < 0)
		return evtimer_del(loop->timer) == 0 ? 0 : -1;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(loop->timer, &tv) == 0 ? 0 : -1;
}

/*
 * Connections made so far are not to be used for new transfers (they
 * were made with credentials since replaced): each is shut down as soon
 * as no transfer uses it - now for the idle ones, when its transfer ends
 * for the others.  curl finds a shut-down connection dead when it would
 * reuse it, closes it (close_cb) and opens a new one; a transfer running
 * on one is not disturbed.  An idle connection is one curl does not
 * watch, or whose watch is parked.
 */
void
mpic__curl_loop_retire(struct mpic__curl_loop *loop)
{
	size_t i;

	if (loop == NULL)
		return;
	loop->epoch++;
	for (i = 0; i < loop->n_by_fd; i++) {
		struct fdinfo *fi = &loop->by_fd[i];

		if (fi->conn && (fi->w == NULL || fi->w->parked))
			shutdown((int)i, SHUT_RDWR);
	}
}

int
mpic__curl_loop_new(struct event_base *base, struct mpic__curl_loop **out)
{
	struct mpic__curl_loop *loop;

	*out = NULL;
	/* Idempotent; thread-safe in the libcurl we build against (>= 7.84). */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return MPIC_EIO;
	if ((loop = mpic__calloc(1, sizeof(*loop))) == NULL)
		return MPIC_ENOMEM;
	loop->base = base;
	loop->multi = curl_multi_init();
	loop->timer = evtimer_new(base, on_timer, loop);
	if (loop->multi == NULL || loop->timer == NULL) {
		mpic__curl_loop_free(loop);
		return MPIC_ENOMEM;
	}
	curl_multi_setopt(loop->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(loop->multi, CURLMOPT_SOCKETDATA, loop);
	curl_multi_setopt(loop->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(loop->multi, CURLMOPT_TIMERDATA, loop);
	*out = loop;
	return 0;
}

CURLM *
mpic__curl_loop_multi(struct mpic__curl_loop *loop)
{
	return loop->multi;
}

struct event_base *
mpic__curl_loop_base(struct mpic__curl_loop *loop)
{
	return loop->base;
}

unsigned
mpic__curl_loop_running(const struct mpic__curl_loop *loop)
{
	return loop->running;
}

int
mpic__curl_loop_add(struct mpic__curl_loop *loop, CURL *easy,
		    mpic__curl_done_cb cb, void *arg)
{
	struct xfer *x;

	if ((x = mpic__malloc(sizeof(*x))) == NULL)
		return MPIC_ENOMEM;
	x->easy = easy;
	x->cb = cb;
	x->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, open_cb);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, loop);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, close_cb);
	curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, loop);
	if (curl_multi_add_handle(loop->multi, easy) != CURLM_OK) {
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		mpic__free(x);
		return MPIC_EIO;
	}
	x->prev = NULL;
	x->next = loop->xfers;
	if (loop->xfers != NULL)
		loop->xfers->prev = x;
	loop->xfers = x;
	loop->running++;
	return 0;
}

void
mpic__curl_loop_cancel(struct mpic__curl_loop *loop, CURL *easy)
{
	struct xfer *x = NULL;

	if (loop == NULL || easy == NULL)
		return;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	if (x == NULL)
		return;
	curl_multi_remove_handle(loop->multi, easy);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
	xfer_unlink(loop, x);
	mpic__free(x);
}

void
mpic__curl_loop_free(struct mpic__curl_loop *loop)
{
	if (loop == NULL)
		return;
	/* Whatever still runs is dropped without callbacks. */
	while (loop->xfers != NULL)
		mpic__curl_loop_cancel(loop, loop->xfers->easy);
	if (loop->multi != NULL)
		curl_multi_cleanup(loop->multi);
	while (loop->watches != NULL)
		watch_free(loop->watches);
	mpic__free(loop->by_fd);
	if (loop->timer != NULL)
		event_free(loop->timer);
	mpic__free(loop);
}
