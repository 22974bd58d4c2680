/*
 * admin.c - the admin listener: plain HTTP on admin_listen (default
 * 127.0.0.1:9090), no client certificate, no API key, for the scraper and
 * the service manager's probes.  One request per connection (each answer
 * closes it): GET or HEAD of /metrics, /healthz (liveness), /readyz
 * (readiness) and /configz.  At most limits.admin_max_connections open
 * per worker: one more is closed at once, so that a stuck scraper cannot
 * take a worker's descriptors.  Its requests are neither counted as API
 * requests nor logged (they come every few seconds).
 *
 * The socket is bound once by the main process and shared by every worker
 * (not SO_REUSEPORT: another process of the same user could then bind the
 * same port and take half the scrapes); whichever worker accepts answers
 * for the whole process (admin_metrics.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "admin.h"

#define ADMIN_MAX_HEAD 8192     /* request line and headers */
#define ADMIN_TIMEOUT_S 10      /* to send a request, to read the answer */

struct admin_conn {
	struct mpicd_admin *a;
	struct bufferevent *bev;
	struct admin_conn *prev, *next;
	bool answered;
};

struct mpicd_admin {
	struct mpicd *d;
	struct evconnlistener *lis;
	struct admin_conn *conns;
	unsigned n;
};

static void
conn_free(struct admin_conn *c)
{
	struct mpicd_admin *a = c->a;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		a->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	bufferevent_free(c->bev);
	free(c);
	a->d->admin_conns = --a->n;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

static void
answer(struct admin_conn *c, int status, const char *ctype, const char *body,
       size_t len, bool head)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	c->answered = true;
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
	    status, reason(status), ctype, len);
	if (!head && len > 0)
		evbuffer_add(out, body, len);
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_enable(c->bev, EV_WRITE);
}

static void
answer_error(struct admin_conn *c, int status, const char *msg, bool head)
{
	char body[160];

	mpicx_bufprintf(body, sizeof(body), "{\"error\":\"%s\",\"message\":"
	    "\"%s\"}", status == 404 ? "not-found" : status == 405 ?
	    "method-not-allowed" : "bad-request", msg);
	answer(c, status, "application/json", body, strlen(body), head);
}

/* The page of path (its query ignored) into c's answer. */
static void
route(struct admin_conn *c, const char *path, size_t plen, bool head)
{
	struct mpicd *d = c->a->d;
	int status = 200;
	size_t len = 0;
	char *s = NULL;
	const char *ctype = "application/json";

#define IS(p) (plen == sizeof(p) - 1 && memcmp(path, p, plen) == 0)
	if (IS("/metrics")) {
		s = mpicd_stats_metrics(d, &len);
		ctype = "text/plain; version=0.0.4; charset=utf-8";
	} else if (IS("/healthz")) {
		s = mpicd_healthz(d, &status);
	} else if (IS("/readyz")) {
		s = mpicd_readyz(d, &status);
	} else if (IS("/configz")) {
		s = mpicd_configz(d);
	} else {
		answer_error(c, 404, "no such page", head);
		return;
	}
#undef IS
	if (s == NULL) {
		answer_error(c, 500, "out of memory", head);
		return;
	}
	answer(c, status, ctype, s, len > 0 ? len : strlen(s), head);
	free(s);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct admin_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr end;
	const char *line, *sp, *path, *q;
	size_t n, plen;
	bool head;

	if (c->answered)
		return;
	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos < 0)
		end = evbuffer_search(in, "\n\n", 2, NULL);
	if (end.pos < 0) {
		if (evbuffer_get_length(in) > ADMIN_MAX_HEAD)
			answer_error(c, 431, "request head too large", false);
		return;
	}
	n = (size_t)end.pos;
	if (n > ADMIN_MAX_HEAD) {
		answer_error(c, 431, "request head too large", false);
		return;
	}
	line = (const char *)evbuffer_pullup(in, (ev_ssize_t)n);
	/* METHOD SP PATH SP HTTP/1.x */
	if (line == NULL || (sp = memchr(line, ' ', n)) == NULL) {
		answer_error(c, 400, "not an HTTP request", false);
		return;
	}
	head = (size_t)(sp - line) == 4 && memcmp(line, "HEAD", 4) == 0;
	path = sp + 1;
	q = memchr(path, ' ', n - (size_t)(path - line));
	if (q == NULL || path[0] != '/') {
		answer_error(c, 400, "not an HTTP request", head);
		return;
	}
	plen = strcspn(path, " ?#\r\n");
	if (plen > (size_t)(q - path))
		plen = (size_t)(q - path);
	if (!head && !((size_t)(sp - line) == 3 && memcmp(line, "GET", 3) ==
	    0)) {
		answer_error(c, 405, "use GET", false);
		return;
	}
	route(c, path, plen, head);
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct admin_conn *c = arg;

	if (c->answered && evbuffer_get_length(bufferevent_get_output(bev)) ==
	    0)
		conn_free(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	conn_free(arg);         /* EOF, error or timeout */
}

static void
on_accept(struct evconnlistener *lis, evutil_socket_t fd,
	  struct sockaddr *sa, int salen, void *arg)
{
	struct mpicd_admin *a = arg;
	struct admin_conn *c;
	struct timeval tv = { ADMIN_TIMEOUT_S, 0 };

	(void)lis;
	(void)sa;
	(void)salen;
	if (a->n >= a->d->cfg->admin_max_connections || a->d->draining ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->a = a;
	if ((c->bev = bufferevent_socket_new(a->d->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		free(c);
		return;
	}
	a->d->admin_conns = ++a->n;
	c->next = a->conns;
	if (a->conns != NULL)
		a->conns->prev = c;
	a->conns = c;
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	bufferevent_setwatermark(c->bev, EV_READ, 0, ADMIN_MAX_HEAD + 4);
	bufferevent_enable(c->bev, EV_READ);
}

int
mpicd_admin_bind(const struct mpic_settings *cfg, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	bool loopback;
	int sslen, fd = -1, one = 1;

	if (cfg->admin_listen == NULL)
		return -2;
	if (mpicd_listen_addr(cfg->admin_listen, &ss, &sslen, &loopback) !=
	    0) {
		mpicx_bufprintf(err, errlen, "admin_listen: bad address %s",
		    cfg->admin_listen);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 || bind(fd, (struct sockaddr *)&ss,
	    (socklen_t)sslen) != 0 || listen(fd, 64) != 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		/* the default is a guess: another program (Prometheus's
		 * own default port) may have it */
		mpicx_bufprintf(err, errlen, "admin_listen %s: %s%s",
		    cfg->admin_listen, strerror(e), cfg->admin_listen_default ?
		    " (the default: set admin_listen, or none)" : "");
		return cfg->admin_listen_default && e == EADDRINUSE ? -2 : -1;
	}
	return fd;
}

int
mpicd_admin_start(struct mpicd *d, int fd, char *err, size_t errlen)
{
	struct mpicd_admin *a;

	if (fd < 0)
		return 0;
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		mpicx_bufprintf(err, errlen, "out of memory");
		return -1;
	}
	a->d = d;
	/* not LEV_OPT_CLOSE_ON_FREE: the other workers share the socket */
	a->lis = evconnlistener_new(d->base, on_accept, a,
	    LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (a->lis == NULL) {
		free(a);
		mpicx_bufprintf(err, errlen, "cannot listen on %s",
		    d->cfg->admin_listen);
		return -1;
	}
	d->admin = a;
	return 0;
}

void
mpicd_admin_stop(struct mpicd *d)
{
	struct mpicd_admin *a = d->admin;

	if (a == NULL)
		return;
	while (a->conns != NULL)
		conn_free(a->conns);
	evconnlistener_free(a->lis);
	free(a);
	d->admin = NULL;
}

char *
mpicd_readyz(struct mpicd *d, int *status)
{
	json_t *o = json_object(), *why = json_array();
	size_t i, np;
	int up = 0, need, n;
	char *s = NULL;
	char msg[200];

	*status = 200;
	if (o == NULL || why == NULL)
		goto out;
	if (d->draining) {
		*status = 503;
		json_array_append_new(why, json_string("draining"));
	}
	if (d->eng != NULL) {
		np = mpic_engine_persp_count(d->eng);
		for (i = 0; i < np; i++) {
			const struct mpic_persp_stats *p =
			    mpic_engine_persp_stats(d->eng, i);

			if (p != NULL && (!p->remote ||
			    mpicd_stats_persp_up(d, i) == 1))
				up++;
		}
		n = d->cfg->default_perspective_count;
		need = mpic_quorum_required(n);
		json_object_set_new(o, "perspectives_reachable",
		    json_integer(up));
		json_object_set_new(o, "quorum_required", json_integer(need));
		json_object_set_new(o, "default_perspective_count",
		    json_integer(n));
		if (up < need)
			*status = 503;
		mpicx_bufprintf(msg, sizeof(msg), "%d perspectives reachable, "
		    "the quorum of %d needs %d", up, n, need);
		json_array_append_new(why, json_string(msg));
		if (mpicd_stats_audit_stalled(d)) {
			*status = 503;
			json_array_append_new(why, json_string("the audit log "
			    "is stalled or failed: validations are refused"));
		} else if (d->cfg->audit_path != NULL) {
			json_array_append_new(why, json_string("the audit log "
			    "is writing"));
		}
	} else {
		json_array_append_new(why, json_string("a perspective: ready "
		    "while it serves"));
	}
	json_object_set_new(o, "status", json_string(*status == 200 ? "ready" :
	    "not ready"));
	json_object_set_new(o, "reasons", why);
	why = NULL;
	s = json_dumps(o, JSON_COMPACT);
out:
	json_decref(why);
	json_decref(o);
	return s;
}
