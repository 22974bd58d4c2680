/*
 * server.c - the HTTP server: libevent's evhttp on our own listener, TLS
 * through bufferevent_openssl, the limits (body, headers, connections,
 * timeouts), authentication, routing, one log line per request (log.c).
 *
 * Limits: bodies over 64 KiB get a 413 with the Open MPIC error body (over
 * MPICD_BODY_HARD_MAX evhttp refuses them itself, unread); header blocks
 * over limits.max_header_bytes are refused by evhttp (a 400); what evhttp
 * answers itself carries the same body (refusal.c); at
 * limits.max_connections open connections the listener stops accepting
 * until one closes (the kernel's backlog holds the rest);
 * limits.io_timeout_ms bounds every read and write and idle keep-alive,
 * limits.read_deadline_ms the whole of each request (see deadline_arm).
 * Each connection has a struct mpicd_conn from new_bev until it is freed:
 * a TLS one is counted until OpenSSL frees its SSL (ex_data), a plain one
 * (all-in-one on loopback) until evhttp closes it (its close callback, see
 * conn_fresh).  The replies being written on it are counted there too, so
 * that a connection that fails in the middle of one (the client reset
 * it: evhttp frees the request without its completion callback) does not
 * leave the drain waiting for it.
 */
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "mpicd.h"
#include "refusal.h"

/* ------------------------------------------------------------ calls */

/* One connection (see the top of the file). */
struct mpicd_conn {
	struct mpicd *d;
	struct bufferevent *bev;
	struct evhttp_connection *evcon;  /* once evhttp made it (fresh) */
	struct mpicd_conn *next_fresh;
	unsigned writing;                 /* its replies being written */
	int fd;                           /* its entry in d->byfd, or -1 */
	bool tls;
	/* limits.read_deadline_ms: armed while a request is being read */
	struct event *deadline;
	struct evbuffer_cb_entry *input_cb;
	bool reading;
	struct mpicd_refusal refusal;     /* evhttp's own answers in JSON */
};

/* The connection of evcon, or NULL. */
static struct mpicd_conn *
conn_of(struct mpicd *d, struct evhttp_connection *evcon)
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

static void drain_check(struct mpicd *d);
static void deadline_met(struct mpicd *d, struct evhttp_request *r);

/* What a connection leaves behind once evhttp is done with it: its
 * replies no longer being written, its entry, its deadline and (bev_alive:
 * its bufferevent is not being freed) its input callback.  Idempotent. */
static void
conn_release(struct mpicd_conn *conn, bool bev_alive)
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
		drain_check(d);
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
	conn_release(conn, true);
	if (!conn->tls)
		mpicd_conn_closed(conn);
}

struct mpicd_call *
mpicd_call_new(struct mpicd *d, struct evhttp_request *r)
{
	struct mpicd_call *c = mpic__calloc(1, sizeof(*c));
	struct evhttp_connection *evcon = evhttp_request_get_connection(r);
	char *addr = NULL;
	ev_uint16_t port = 0;

	if (c == NULL)
		return NULL;
	c->d = d;
	c->req = r;
	c->start_ms = mpic__now_mono_ms();
	c->path = "other";
	c->method = "other";
	c->midx = MPICD_M_UNKNOWN;
	c->result = -1;
	if (evcon != NULL)
		evhttp_connection_get_peer(evcon, &addr, &port);
	mpic__bufprintf(c->remote, sizeof(c->remote), "%s:%u",
	    addr ? addr : "?", (unsigned)port);
	return c;
}

void
mpicd_call_track(struct mpicd_call *c)
{
	struct mpicd *d = c->d;

	if (c->tracked || c->req == NULL)
		return;
	c->tracked = true;
	c->next = d->calls;
	if (d->calls != NULL)
		d->calls->prev = c;
	d->calls = c;
	d->inflight++;
	/* evhttp frees the request with its connection: conn_gone, set
	 * on every connection (conn_fresh), learns of it */
}

static void
call_free(struct mpicd_call *c)
{
	struct mpicd *d = c->d;

	if (c->tracked) {
		if (c->prev != NULL)
			c->prev->next = c->next;
		else
			d->calls = c->next;
		if (c->next != NULL)
			c->next->prev = c->prev;
		d->inflight--;
	}
	if (c->has_preq)
		mpic__request_release(&c->preq);
	mpic__free(c);
	if (d->draining)
		drain_check(d);
}

/* A reply written whole (evhttp's completion callback; never called
 * when the write fails: conn_release counts it then). */
static void
reply_sent(struct evhttp_request *r, void *arg)
{
	struct mpicd_conn *conn = arg;
	struct mpicd *d = conn->d;

	(void)r;
	if (conn->writing > 0) {
		conn->writing--;
		d->writing--;
	}
	if (d->draining)
		drain_check(d);
}

/*
 * One TLS record for a small reply, not two: evhttp queues the head and
 * the body as separate chains, and bufferevent_openssl makes a record of
 * each (SSL_write per chain).  The write happens later in the loop, so
 * joining the chains here halves the records, the peer's reads and our
 * writes per answer (six answers per request reach a coordinator).
 */
#define COALESCE_MAX (64 * 1024)

static void
coalesce(struct evhttp_connection *evcon)
{
	struct bufferevent *bev = evcon != NULL ?
	    evhttp_connection_get_bufferevent(evcon) : NULL;
	struct evbuffer *out = bev != NULL ? bufferevent_get_output(bev) : NULL;
	size_t n = out != NULL ? evbuffer_get_length(out) : 0;

	if (n > 0 && n <= COALESCE_MAX)
		(void)evbuffer_pullup(out, -1);
}

void
mpicd_reply(struct mpicd *d, struct mpicd_call *c, int status,
	    const char *body, size_t len)
{
	uint64_t ms = mpic__now_mono_ms() - c->start_ms;
	struct evhttp_connection *evcon;
	struct mpicd_conn *conn;
	struct evkeyvalq *h;
	struct evbuffer *b;

	if (status >= 100 && status < 600)
		d->m.http_status[status / 100]++;
	if (c->result >= 0)
		mpicd_observe(d, c->midx, c->result, ms);
	if (c->req != NULL) {
		h = evhttp_request_get_output_headers(c->req);
		evhttp_add_header(h, "Content-Type", strncmp(c->path,
		    "/metrics", 8) == 0 ? "text/plain; version=0.0.4" :
		    "application/json");
		evhttp_add_header(h, "Cache-Control", "no-store");
		evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
		if (status == 405)
			evhttp_add_header(h, "Allow", strcmp(c->path,
			    "/healthz") == 0 || strcmp(c->path, "/metrics") ==
			    0 || strcmp(c->path, "/configz") == 0 ? "GET" :
			    "POST");
		if (d->draining)
			evhttp_add_header(h, "Connection", "close");
		b = evhttp_request_get_output_buffer(c->req);
		evbuffer_add(b, body, len);
		/* a drain ends when the replies are written, not queued */
		evcon = evhttp_request_get_connection(c->req);
		if ((conn = conn_of(d, evcon)) != NULL) {
			conn->writing++;
			d->writing++;
			evhttp_request_set_on_complete_cb(c->req, reply_sent,
			    conn);
		}
		d->replying = true;
		evhttp_send_reply(c->req, status, NULL, NULL);
		d->replying = false;
		coalesce(evcon);
	}
	mpicd_log_request(c, status, ms);
	call_free(c);
}

void
mpicd_reply_issue(struct mpicd *d, struct mpicd_call *c, int status,
		  const char *type, const char *msg)
{
	struct mpic_issues is;
	char *body;

	memset(&is, 0, sizeof(is));
	mpic__issue_add(&is, type, "%s", msg);
	body = mpic__issues_body(&is);
	if (body == NULL) {
		static const char oom[] = "{\"error\":\"internal-error\"}";

		mpicd_reply(d, c, 500, oom, sizeof(oom) - 1);
		return;
	}
	mpicd_reply(d, c, status, body, strlen(body));
	mpic__free(body);
}

static void
reply_error(struct mpicd *d, struct mpicd_call *c, int status,
	    const char *error, const char *msg)
{
	json_t *o = json_pack("{s:s, s:s}", "error", error, "message", msg);
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	if (s != NULL)
		mpicd_reply(d, c, status, s, strlen(s));
	else
		mpicd_reply(d, c, 500, "{\"error\":\"internal-error\"}", 26);
	free(s);
	json_decref(o);
}

/* ------------------------------------------------------------ routing */

static const char *
method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_TRACE: return "TRACE";
	case EVHTTP_REQ_CONNECT: return "CONNECT";
	case EVHTTP_REQ_PATCH: return "PATCH";
	default: return "other";
	}
}

/* API key check; replies 401/403 itself and returns false. */
static bool
authorized(struct mpicd *d, struct mpicd_call *c)
{
	const char *key;

	if (d->keys.n == 0)
		return true;
	key = evhttp_find_header(evhttp_request_get_input_headers(c->req),
	    "x-api-key");
	if (key == NULL || key[0] == '\0') {
		d->m.auth_missing++;
		c->result = -1;
		reply_error(d, c, 401, "unauthorized", "the x-api-key header "
		    "is required");
		return false;
	}
	if (!mpicd_keys_match(&d->keys, key, strlen(key))) {
		d->m.auth_wrong++;
		c->result = -1;
		reply_error(d, c, 403, "forbidden", "the API key is not "
		    "valid");
		return false;
	}
	return true;
}

static bool
json_content(struct evhttp_request *r)
{
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(r),
	    "Content-Type");
	size_t n = sizeof("application/json") - 1;

	return ct != NULL && strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void
serve_page(struct mpicd *d, struct mpicd_call *c, mpicd_page_fn page)
{
	char *s;
	size_t len = 0;
	int status = 200;

	if ((s = page(d, &status, &len)) == NULL) {
		reply_error(d, c, 500, "internal-error", "out of memory");
		return;
	}
	mpicd_reply(d, c, status, s, len ? len : strlen(s));
	free(s);
}

/*
 * On a TLS connection opened before a reload, the client certificate is
 * checked again under the reloaded allow-list and CA (mpicd_tls_recheck);
 * refused, the request gets a 403 and the connection is closed after it.
 */
static bool
still_allowed(struct mpicd *d, struct mpicd_call *c)
{
	struct evhttp_connection *evcon;
	struct bufferevent *bev;
	SSL *ssl;
	char why[300];

	if (d->ssl == NULL || c->req == NULL ||
	    (evcon = evhttp_request_get_connection(c->req)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL ||
	    mpicd_tls_recheck(ssl, d->ssl, why, sizeof(why)) == 0)
		return true;
	evhttp_add_header(evhttp_request_get_output_headers(c->req),
	    "Connection", "close");
	reply_error(d, c, 403, "forbidden", why);
	return false;
}

static void
on_request(struct evhttp_request *r, void *arg)
{
	struct mpicd *d = arg;
	struct mpicd_call *c;
	const struct mpicd_route *rt;
	enum evhttp_cmd_type m = evhttp_request_get_command(r);
	struct evbuffer *in;
	size_t len;

	deadline_met(d, r);
	if ((c = mpicd_call_new(d, r)) == NULL) {
		evhttp_send_error(r, 500, NULL);        /* JSON: refusal.c */
		return;
	}
	c->method = method_name(m);
	if (!still_allowed(d, c))
		return;
	if ((rt = mpicd_route(evhttp_request_get_uri(r), d->cfg->role)) == NULL) {
		reply_error(d, c, 404, "not-found", "no such endpoint");
		return;
	}
	c->path = rt->path;
	if (m != rt->method) {
		reply_error(d, c, 405, "method-not-allowed",
		    rt->method == EVHTTP_REQ_POST ? "use POST" : "use GET");
		return;
	}
	if (rt->page != NULL) {
		serve_page(d, c, rt->page);
		return;
	}
	c->result = MPICD_R_REJECTED;
	c->midx = rt->midx;
	if (!authorized(d, c))
		return;
	if (d->draining) {
		c->result = MPICD_R_ERROR;
		reply_error(d, c, 503, "shutting-down", "the server is "
		    "shutting down");
		return;
	}
	if (!json_content(r)) {
		mpicd_reply_issue(d, c, 415, "unsupported-media-type",
		    "request body: Content-Type must be application/json");
		return;
	}
	in = evhttp_request_get_input_buffer(r);
	len = evbuffer_get_length(in);
	if (len > MPIC_MAX_BODY) {
		char msg[128];

		mpic__bufprintf(msg, sizeof(msg), "request body: %zu octets, "
		    "more than the %d allowed", len, MPIC_MAX_BODY);
		mpicd_reply_issue(d, c, 413, "body-too-large", msg);
		return;
	}
	rt->api(d, c, (const char *)evbuffer_pullup(in, -1), len);
}

/* ------------------------------------------------------------ connections */

static void
pause_listener(struct mpicd *d)
{
	if (!d->paused && d->listener != NULL) {
		evconnlistener_disable(d->listener);
		d->paused = true;
	}
}

void
mpicd_conn_closed(struct mpicd_conn *conn)
{
	struct mpicd *d = conn->d;

	/* (a TLS connection: its bufferevent is being freed) */
	conn_release(conn, false);
	mpic__free(conn);
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

/* conn's entry in d->byfd, for conn_of(); false when out of memory (the
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
		if ((nb = mpic__realloc(d->byfd, n * sizeof(*nb))) == NULL)
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
static void
conn_fresh(evutil_socket_t fd, short what, void *arg)
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
			conn_release(conn, true);
			if (!conn->tls)
				mpicd_conn_closed(conn);
			/* else freed with its SSL */
		}
		bufferevent_decref(bev);
	}
}

void
mpicd_server_release(struct mpicd *d)
{
	struct mpicd_conn *conn;
	struct bufferevent *bev;

	while ((conn = d->fresh) != NULL) {
		d->fresh = conn->next_fresh;
		bev = conn->bev;
		conn_release(conn, true);
		if (!conn->tls)
			mpicd_conn_closed(conn);
		bufferevent_decref(bev);
	}
	if (d->ev_fresh != NULL)
		event_free(d->ev_fresh);
	d->ev_fresh = NULL;
	mpic__free(d->byfd);
	d->byfd = NULL;
	d->n_byfd = 0;
}

/*
 * limits.read_deadline_ms: io_timeout_ms is an inactivity timeout, which a
 * client sending a byte now and then never meets; so each request has a
 * deadline for the whole of it, from the accept (the TLS handshake
 * included) or, on a kept-alive connection, from its first byte, to its
 * last.  Past it the connection is closed, whatever the client has shown
 * of itself (a slot held before authenticating is the point).
 */
static void
deadline_arm(struct mpicd_conn *conn)
{
	unsigned ms = conn->d->cfg->read_deadline_ms;
	struct timeval tv = {(time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000};

	conn->reading = true;
	if (conn->deadline != NULL)
		evtimer_add(conn->deadline, &tv);
}

/* Bytes came in: the first of a new request starts its deadline. */
static void
on_input(struct evbuffer *buf, const struct evbuffer_cb_info *info,
	 void *arg)
{
	struct mpicd_conn *conn = arg;

	(void)buf;
	if (info->n_added > 0 && !conn->reading)
		deadline_arm(conn);
}

/* A whole request was read (on_request): no deadline until the next. */
static void
deadline_met(struct mpicd *d, struct evhttp_request *r)
{
	struct mpicd_conn *conn = conn_of(d, evhttp_request_get_connection(r));

	if (conn == NULL)
		return;
	conn->reading = false;
	if (conn->deadline != NULL)
		evtimer_del(conn->deadline);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
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
		mpic__bufprintf(peer, sizeof(peer), "%s:%u", addr ? addr :
		    "?", (unsigned)port);
		mpicd_log("warning", "closing a connection: no whole request "
		    "within limits.read_deadline_ms", "remote", peer);
	}
	evhttp_connection_free(conn->evcon);    /* conn_gone frees conn */
}

static void
conn_opened(struct mpicd *d)
{
	d->conns++;
	if (d->conns >= d->cfg->max_connections)
		pause_listener(d);
}

static struct bufferevent *
new_bev(struct event_base *base, void *arg)
{
	struct mpicd *d = arg;
	struct mpicd_conn *conn;
	struct bufferevent *bev;
	SSL *ssl = NULL;

	/*
	 * evhttp falls back to a socket of its own when this returns NULL:
	 * never let that happen on a TLS port, nor serve a connection we do
	 * not count.
	 */
	if ((conn = mpic__calloc(1, sizeof(*conn))) == NULL) {
		mpicd_log("error", "out of memory for a connection; exiting",
		    NULL, NULL);
		abort();
	}
	conn->d = d;
	conn->fd = -1;
	if (d->ssl == NULL) {
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	} else {
		if ((ssl = SSL_new(d->ssl)) == NULL) {
			mpicd_log("error", "out of memory for a TLS session; "
			    "exiting", NULL, NULL);
			abort();
		}
		bev = bufferevent_openssl_socket_new(base, -1, ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	}
	if (bev == NULL) {
		mpicd_log("error", "cannot create a bufferevent; exiting", NULL,
		    NULL);
		abort();
	}
	conn->bev = bev;
	if ((conn->deadline = evtimer_new(base, on_deadline, conn)) == NULL ||
	    (conn->input_cb = evbuffer_add_cb(bufferevent_get_input(bev),
	    on_input, conn)) == NULL || mpicd_refusal_watch(&conn->refusal,
	    bufferevent_get_output(bev), &d->replying) != 0) {
		mpicd_log("error", "out of memory for a connection; exiting",
		    NULL, NULL);
		abort();
	}
	deadline_arm(conn);
	if (ssl != NULL) {
		conn->tls = true;
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
		SSL_set_ex_data(ssl, mpicd_tls_conn_idx, conn);
		mpicd_tls_conn_checked(ssl);
		d->m.tls_conns_total++;
	}
	bufferevent_incref(bev);
	conn->next_fresh = d->fresh;
	d->fresh = conn;
	event_active(d->ev_fresh, EV_TIMEOUT, 0);
	conn_opened(d);
	return bev;
}

int
mpicd_server_start(struct mpicd *d, int fd, char *err, size_t errlen)
{
	struct timeval tv;

	if (mpicd_tls_init() != 0 || (d->http = evhttp_new(d->base)) ==
	    NULL) {
		mpic__bufprintf(err, errlen, "cannot create the HTTP server");
		return -1;
	}
	evhttp_set_max_body_size(d->http, MPICD_BODY_HARD_MAX);
	evhttp_set_max_headers_size(d->http, d->cfg->max_header_bytes);
	tv.tv_sec = d->cfg->io_timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(d->cfg->io_timeout_ms % 1000) * 1000;
	evhttp_set_timeout_tv(d->http, &tv);
	/* every method reaches on_request, which answers 405 itself */
	evhttp_set_allowed_methods(d->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(d->http, "application/json");
	evhttp_set_gencb(d->http, on_request, d);
	if ((d->ev_fresh = event_new(d->base, -1, 0, conn_fresh, d)) ==
	    NULL) {
		mpic__bufprintf(err, errlen, "cannot create the HTTP server");
		return -1;
	}
	evhttp_set_bevcb(d->http, new_bev, d);
	d->listener = evconnlistener_new(d->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (d->listener == NULL || evhttp_bind_listener(d->http,
	    d->listener) == NULL) {
		mpic__bufprintf(err, errlen, "cannot listen on %s",
		    d->cfg->listen);
		return -1;
	}
	return 0;
}

/* Stop accepting; the loop ends when the last request has answered. */
void
mpicd_server_stop(struct mpicd *d)
{
	pause_listener(d);
	drain_check(d);
}

static void
drain_check(struct mpicd *d)
{
	if (d->inflight == 0 && d->writing == 0)
		event_base_loopexit(d->base, NULL);
}
