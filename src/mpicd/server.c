/*
 * server.c - the HTTP server: libevent's evhttp on our own listener, TLS
 * through bufferevent_openssl, the limits (body, headers, connections,
 * timeouts), authentication, and each request routed by the table of
 * routes.c.  The top of mpicd's HTTP side: below it call.c (a call and
 * its reply, with the log line of log.c) and conn.c (a connection's
 * record and read deadline).
 *
 * Limits: bodies over 64 KiB get a 413 with the Open MPIC error body (over
 * MPICD_BODY_HARD_MAX evhttp refuses them itself, unread); header blocks
 * over limits.max_header_bytes are refused by evhttp (a 400); what evhttp
 * answers itself carries the same body (refusal.c); at
 * limits.max_connections open connections the listener stops accepting
 * until one closes (the kernel's backlog holds the rest);
 * limits.io_timeout_ms bounds every read and write and idle keep-alive,
 * limits.read_deadline_ms the whole of each request (conn.c).
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
#include "conn.h"















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
		mpicd_reply_error(d, c, 401, "unauthorized",
		    "the x-api-key header is required");
		return false;
	}
	if (!mpicd_keys_match(&d->keys, key, strlen(key))) {
		d->m.auth_wrong++;
		c->result = -1;
		mpicd_reply_error(d, c, 403, "forbidden", "the API key is not "
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
		mpicd_reply_error(d, c, 500, "internal-error", "out of memory");
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
	mpicd_reply_error(d, c, 403, "forbidden", why);
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

	mpicd_conn_request_read(d, r);
	if ((c = mpicd_call_new(d, r)) == NULL) {
		evhttp_send_error(r, 500, NULL);        /* JSON: refusal.c */
		return;
	}
	c->method = method_name(m);
	if (!still_allowed(d, c))
		return;
	rt = mpicd_route(evhttp_request_get_uri(r), m, d->cfg->role);
	if (rt == NULL) {
		mpicd_reply_error(d, c, 404, "not-found", "no such endpoint");
		return;
	}
	c->path = rt->path;
	c->probe = rt->page != NULL;
	c->allow = rt->method == EVHTTP_REQ_POST ? "POST" : "GET";
	if (m != rt->method) {
		mpicd_reply_error(d, c, 405, "method-not-allowed",
		    rt->method == EVHTTP_REQ_POST ? "use POST" : "use GET");
		return;
	}
	if (rt->page != NULL) {
		/* the admin listener serves them now (admin.c); here for one
		 * more release (mpicd(8)) */
		evhttp_add_header(evhttp_request_get_output_headers(r),
		    "Deprecation", "true");
		serve_page(d, c, rt->page);
		return;
	}
	c->result = MPICD_R_REJECTED;
	c->midx = rt->midx;
	if (!authorized(d, c))
		return;
	if (d->draining) {
		c->result = MPICD_R_ERROR;
		mpicd_reply_error(d, c, 503, "shutting-down", "the server is "
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

		mpicx_bufprintf(msg, sizeof(msg), "request body: %zu octets, "
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
mpicd_server_release(struct mpicd *d)
{
	struct mpicd_conn *conn;
	struct bufferevent *bev;

	while ((conn = d->fresh) != NULL) {
		d->fresh = conn->next_fresh;
		bev = conn->bev;
		mpicd_conn_release(conn, true);
		if (!conn->tls)
			mpicd_conn_closed(conn);
		bufferevent_decref(bev);
	}
	if (d->ev_fresh != NULL)
		event_free(d->ev_fresh);
	d->ev_fresh = NULL;
	mpicx_free(d->byfd);
	d->byfd = NULL;
	d->n_byfd = 0;
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
	if ((conn = mpicx_calloc(1, sizeof(*conn))) == NULL) {
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
	conn->deadline = evtimer_new(base, mpicd_conn_on_deadline, conn);
	conn->input_cb = evbuffer_add_cb(bufferevent_get_input(bev),
	    mpicd_conn_on_input, conn);
	if (conn->deadline == NULL || conn->input_cb == NULL ||
	    mpicd_refusal_watch(&conn->refusal, bufferevent_get_output(bev),
	    &d->replying) != 0) {
		mpicd_log("error", "out of memory for a connection; exiting",
		    NULL, NULL);
		abort();
	}
	mpicd_conn_deadline_arm(conn);
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
		mpicx_bufprintf(err, errlen, "cannot create the HTTP server");
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
	if ((d->ev_fresh = event_new(d->base, -1, 0, mpicd_conn_fresh, d)) ==
	    NULL) {
		mpicx_bufprintf(err, errlen, "cannot create the HTTP server");
		return -1;
	}
	evhttp_set_bevcb(d->http, new_bev, d);
	d->listener = evconnlistener_new(d->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (d->listener == NULL || evhttp_bind_listener(d->http,
	    d->listener) == NULL) {
		mpicx_bufprintf(err, errlen, "cannot listen on %s",
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
	mpicd_drain_check(d);
}

