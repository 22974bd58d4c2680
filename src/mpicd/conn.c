/*
 * conn.c - one connection's record (struct mpicd_conn) from the accept
 * until it is freed: a TLS one is counted until OpenSSL frees its SSL
 * (ex_data, tls.c), a plain one (all-in-one on loopback) until evhttp
 * closes it (its close callback, set by mpicd_conn_fresh).  The replies
 * being written on it are counted there too, so that a connection that
 * fails in the middle of one (the client reset it: evhttp frees the
 * request without its completion callback) does not leave the drain
 * waiting for it; and each request's read deadline
 * (limits.read_deadline_ms) is kept here.  The bottom of mpicd's HTTP
 * side: it calls nothing of the files above it (call.c, server.c).
 */
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "conn.h"

/* The connection of evcon, or NULL. */
struct mpicd_conn *
mpicd_conn_of(struct mpicd *d, struct evhttp_connection *evcon)
{
	struct bufferevent *bev = evcon != NULL ?
	    evhttp_connection_get_bufferevent(evcon) : NULL;
	evutil_socket_t fd = bev != NULL ? bufferevent_getfd(bev) : -1;
	struct mpicd_conn *conn;

	if (fd < 0 || (size_t)fd >= d->n_byfd)
		return NULL;
	conn = d->byfd[fd];
	return conn != NULL && conn->evcon == evcon ? conn : NULL;
}

void
mpicd_drain_check(struct mpicd *d)
{
	if (d->inflight == 0 && d->writing == 0)
		event_base_loopexit(d->base, NULL);
}

/* What a connection leaves behind once evhttp is done with it: its
 * replies no longer being written, its entry, its deadline and (bev_alive:
 * its bufferevent is not being freed) its input callback.  Idempotent. */
void
mpicd_conn_release(struct mpicd_conn *conn, bool bev_alive)
{
	struct mpicd *d = conn->d;
	unsigned lost = conn->writing;

	if (conn->deadline != NULL)
		event_free(conn->deadline);
	conn->deadline = NULL;
	if (conn->input_cb != NULL && bev_alive)
		evbuffer_remove_cb_entry(bufferevent_get_input(conn->bev),
		    conn->input_cb);
	conn->input_cb = NULL;
	mpicd_refusal_release(&conn->refusal, bev_alive);

	d->writing -= lost;
	conn->writing = 0;
	if (conn->fd >= 0 && (size_t)conn->fd < d->n_byfd &&
	    d->byfd[conn->fd] == conn)
		d->byfd[conn->fd] = NULL;
	conn->fd = -1;
	conn->evcon = NULL;
	if (lost > 0 && d->draining)
		mpicd_drain_check(d);
}

/* evhttp's one close callback of a connection: the calls waiting on it
 * lose their request (evhttp frees it), its replies stop counting (a
 * reply whose write failed never completes), a plain connection stops
 * counting. */
static void
conn_gone(struct evhttp_connection *evcon, void *arg)
{
	struct mpicd_conn *conn = arg;
	struct mpicd *d = conn->d;
	struct mpicd_call *c;

	for (c = d->calls; c != NULL; c = c->next)
		if (c->req != NULL && evhttp_request_get_connection(c->req) ==
		    evcon)
			c->req = NULL;
	mpicd_conn_release(conn, true);
	if (!conn->tls)
		mpicd_conn_closed(conn);
}

void
mpicd_conn_closed(struct mpicd_conn *conn)
{
	struct mpicd *d = conn->d;

	/* (a TLS connection: its bufferevent is being freed) */
	mpicd_conn_release(conn, false);
	mpicx_free(conn);
	d->conns--;
	if (d->paused && !d->draining && d->conns < d->cfg->max_connections) {
		evconnlistener_enable(d->listener);
		d->paused = false;
	}
}

struct mpicd *
mpicd_conn_server(const struct mpicd_conn *conn)
{
	return conn->d;
}

/* conn's entry in d->byfd, for mpicd_conn_of(); false when out of memory (the
 * connection is served, its replies not counted). */
static bool
conn_index(struct mpicd *d, struct mpicd_conn *conn)
{
	evutil_socket_t fd = bufferevent_getfd(conn->bev);
	struct mpicd_conn **nb;
	size_t n;

	if (fd < 0)
		return false;
	if ((size_t)fd >= d->n_byfd) {
		n = d->n_byfd * 2 > (size_t)fd + 1 ? d->n_byfd * 2 :
		    (size_t)fd + 64;
		if ((nb = mpicx_realloc(d->byfd, n * sizeof(*nb))) == NULL)
			return false;
		memset(nb + d->n_byfd, 0, (n - d->n_byfd) * sizeof(*nb));
		d->byfd = nb;
		d->n_byfd = n;
	}
	d->byfd[fd] = conn;
	conn->fd = fd;
	return true;
}

/*
 * A new connection's evhttp_connection does not exist yet when new_bev
 * runs (evhttp makes it around our bufferevent, then sets the
 * bufferevent's callbacks with the connection as their argument, all
 * before the accept callback returns).  So new_bev notes the connection,
 * and this event, made active there, runs once the accept callback is
 * done: it finds each one's evhttp_connection, gives it conn_gone and
 * indexes it by socket.  (A filter bufferevent's free callback would have
 * told us as well, but evhttp over a filter lost replies now and then.)
 * The note holds a reference: should evhttp free the bufferevent in the
 * meantime (out of memory), it is still there to see that its callbacks
 * are gone.
 */
void
mpicd_conn_fresh(evutil_socket_t fd, short what, void *arg)
{
	struct mpicd *d = arg;
	struct mpicd_conn *conn;
	struct bufferevent *bev;
	void *evcon;

	(void)fd;
	(void)what;
	while ((conn = d->fresh) != NULL) {
		d->fresh = conn->next_fresh;
		bev = conn->bev;
		evcon = NULL;
		bufferevent_getcb(bev, NULL, NULL, NULL, &evcon);
		if (evcon != NULL) {
			conn->evcon = evcon;
			evhttp_connection_set_closecb(evcon, conn_gone, conn);
			(void)conn_index(d, conn);
		} else {
			mpicd_conn_release(conn, true);
			if (!conn->tls)
				mpicd_conn_closed(conn);
			/* else freed with its SSL */
		}
		bufferevent_decref(bev);
	}
}

/*
 * limits.read_deadline_ms: io_timeout_ms is an inactivity timeout, which a
 * client sending a byte now and then never meets; so each request has a
 * deadline for the whole of it, from the accept (the TLS handshake
 * included) or, on a kept-alive connection, from its first byte, to its
 * last.  Past it the connection is closed, whatever the client has shown
 * of itself (a slot held before authenticating is the point).
 */
void
mpicd_conn_deadline_arm(struct mpicd_conn *conn)
{
	unsigned ms = conn->d->cfg->read_deadline_ms;
	struct timeval tv = {(time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000};

	conn->reading = true;
	if (conn->deadline != NULL)
		evtimer_add(conn->deadline, &tv);
}

/* Bytes came in: the first of a new request starts its deadline. */
void
mpicd_conn_on_input(struct evbuffer *buf, const struct evbuffer_cb_info *info,
	 void *arg)
{
	struct mpicd_conn *conn = arg;

	(void)buf;
	if (info->n_added > 0 && !conn->reading)
		mpicd_conn_deadline_arm(conn);
}

/* A whole request was read (on_request): no deadline until the next. */
void
mpicd_conn_request_read(struct mpicd *d, struct evhttp_request *r)
{
	struct mpicd_conn *conn;

	conn = mpicd_conn_of(d, evhttp_request_get_connection(r));

	if (conn == NULL)
		return;
	conn->reading = false;
	if (conn->deadline != NULL)
		evtimer_del(conn->deadline);
}

void
mpicd_conn_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct mpicd_conn *conn = arg;
	static time_t last;
	char *addr = NULL, peer[64];
	ev_uint16_t port = 0;
	time_t now = time(NULL);

	(void)fd;
	(void)what;
	if (conn->evcon == NULL || !conn->reading)
		return;
	if (now != last) {      /* a flood is not logged line by line */
		last = now;
		evhttp_connection_get_peer(conn->evcon, &addr, &port);
		mpicx_bufprintf(peer, sizeof(peer), "%s:%u", addr ? addr :
		    "?", (unsigned)port);
		mpicd_log("warning", "closing a connection: no whole request "
		    "within limits.read_deadline_ms", "remote", peer);
	}
	evhttp_connection_free(conn->evcon);    /* conn_gone frees conn */
}
