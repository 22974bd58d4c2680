/*
 * call.c - one API or page call: made when evhttp hands over a request,
 * tracked while the engine works on it, answered once (headers, metrics,
 * the request log line) and freed.  Above conn.c (a reply counts on its
 * connection until written), below the routes and roles that answer.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "admin.h"
#include "conn.h"

bool
mpicd_is_page(const struct mpicd_call *c, const char *path)
{
	return c->path != NULL && c->allow != NULL && strcmp(c->allow,
	    "GET") == 0 && strcmp(c->path, path) == 0;
}

struct mpicd_call *
mpicd_call_new(struct mpicd *d, struct evhttp_request *r)
{
	struct mpicd_call *c = mpicx_calloc(1, sizeof(*c));
	struct evhttp_connection *evcon = evhttp_request_get_connection(r);
	const char *tp = evhttp_find_header(evhttp_request_get_input_headers(r),
	    "traceparent");
	char *addr = NULL;
	ev_uint16_t port = 0;

	if (c == NULL)
		return NULL;
	c->d = d;
	c->req = r;
	c->start_ms = mpicx_now_mono_ms();
	c->path = "other";
	c->method = "other";
	c->midx = MPICD_M_UNKNOWN;
	c->result = -1;
	if (evcon != NULL)
		evhttp_connection_get_peer(evcon, &addr, &port);
	mpicx_bufprintf(c->remote, sizeof(c->remote), "%s:%u",
	    addr ? addr : "?", (unsigned)port);
	/* the library reads it; one too long for any version is ignored,
	 * as an invalid one is */
	if (tp != NULL && strlen(tp) <= MPICD_TRACEPARENT_MAX)
		mpicx_bufprintf(c->tp_in, sizeof(c->tp_in), "%s", tp);
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
	/* evhttp frees the request with its connection: conn.c's conn_gone, set
	 * on every connection (mpicd_conn_fresh), learns of it */
}

void
mpicd_call_free(struct mpicd_call *c)
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
	mpicx_free(c);
	if (d->draining)
		mpicd_drain_check(d);
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
		mpicd_drain_check(d);
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
	uint64_t ms = mpicx_now_mono_ms() - c->start_ms;
	struct evhttp_connection *evcon;
	struct mpicd_conn *conn;
	struct evkeyvalq *h;
	struct evbuffer *b;

	if (status >= 100 && status < 600)
		d->m.http_status[status / 100]++;
	if (c->result >= 0)
		mpicd_observe(d, c->midx, c->result, ms);
	mpicd_stats_request(d, c, status, ms);
	if (c->req != NULL) {
		h = evhttp_request_get_output_headers(c->req);
		evhttp_add_header(h, "Content-Type", strncmp(c->path,
		    "/metrics", 8) == 0 ? "text/plain; version=0.0.4" :
		    mpicd_is_page(c, "/diagnose") ? "text/html; charset=utf-8" :
		    "application/json");
		/* the diagnosis page: its own inline script and style, its
		 * calls to this server, nothing else (diagnose_page.c) */
		if (mpicd_is_page(c, "/diagnose") && status == 200)
			evhttp_add_header(h, "Content-Security-Policy",
			    "default-src 'none'; script-src 'unsafe-inline'; "
			    "style-src 'unsafe-inline'; connect-src 'self'; "
			    "img-src data:; base-uri 'none'; form-action "
			    "'none'; frame-ancestors 'none'");
		evhttp_add_header(h, "Cache-Control", "no-store");
		evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
		if (status == 405 && c->allow != NULL)
			evhttp_add_header(h, "Allow", c->allow);
		if (c->traceparent[0] != '\0')
			evhttp_add_header(h, "traceparent", c->traceparent);
		if (d->draining)
			evhttp_add_header(h, "Connection", "close");
		b = evhttp_request_get_output_buffer(c->req);
		evbuffer_add(b, body, len);
		/* a drain ends when the replies are written, not queued */
		evcon = evhttp_request_get_connection(c->req);
		if ((conn = mpicd_conn_of(d, evcon)) != NULL) {
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
	mpicd_call_free(c);
}

void
mpicd_reply_issue(struct mpicd *d, struct mpicd_call *c, int status,
		  const char *type, const char *msg)
{
	char *body = mpic_issue_body(type, msg);

	if (body == NULL) {
		static const char oom[] = "{\"error\":\"internal-error\"}";

		mpicd_reply(d, c, 500, oom, sizeof(oom) - 1);
		return;
	}
	mpicd_reply(d, c, status, body, strlen(body));
	mpicx_free(body);
}

void
mpicd_reply_error(struct mpicd *d, struct mpicd_call *c, int status,
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
