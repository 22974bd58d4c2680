/*
 * fake_web.c - the web of a scenario (fake.h, docs/testing.md "web"):
 * mpic__net_socket() (lib/util/netsock.h) in place of the library's, so
 * that every connection the web checks make - libcurl's for website-change
 * and acme-http-01, OpenSSL's for acme-tls-alpn-01 - goes to an
 * in-process server on the runner's event base that plays the server the
 * check asked for.  The checks, libcurl and OpenSSL run unchanged: real
 * HTTP/1.1 and real TLS over loopback TCP, no root, no other process.
 *
 * A server the world names gets a listener on 127.0.0.1, port chosen by
 * the kernel; the socket's address is changed to it (an IPv6 target to
 * ::ffff:127.0.0.1, the same listener through an AF_INET6 socket).  An
 * address without a server, or "refused", gets the address of a socket
 * that is bound but does not listen: the connection is refused at once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>

#include "fake_web.h"
#include "util/netsock.h"

#define HEAD_MAX (64 * 1024)
#define BODY_MAX (4 * 1024 * 1024)

struct fake_web {
	const struct fake_web *parent;
	json_t *servers;                /* canonical "ADDR:PORT" -> server */
};

struct lsn {
	struct lsn *next;
	struct evconnlistener *l;
	char target[FAKE_WEB_TARGET_MAX];
	char addr[48];
	unsigned port;                  /* the target's */
	const json_t *server;
	struct sockaddr_in at;          /* where it listens */
};

static const struct fake_web *world;
static struct event_base *wbase;
static struct lsn *listeners;
static struct fake_conn *conns;
static int refuser = -1;                /* bound, never listens */
static struct sockaddr_in refuse_at;
static json_t *rlog;

/* "ADDR:PORT" / "[ADDR]:PORT" into its canonical text; 0 or -1. */
static int
canon_target(const char *key, char *out, size_t outlen)
{
	char a[64];
	uint8_t bin[16];
	const char *colon;
	char *end;
	unsigned long port;
	size_t n;
	int af;

	if (key[0] == '[') {
		colon = strstr(key, "]:");
		if (colon == NULL)
			return -1;
		n = (size_t)(colon - key - 1);
		colon++;
		af = AF_INET6;
	} else {
		colon = strrchr(key, ':');
		if (colon == NULL)
			return -1;
		n = (size_t)(colon - key);
		af = AF_INET;
	}
	if (n == 0 || n >= sizeof(a))
		return -1;
	memcpy(a, key + (af == AF_INET6 ? 1 : 0), n);
	a[n] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port == 0 || port > 65535 ||
	    inet_pton(af, a, bin) != 1 || inet_ntop(af, bin, a,
	    sizeof(a)) == NULL)
		return -1;
	snprintf(out, outlen, af == AF_INET6 ? "[%s]:%lu" : "%s:%lu", a, port);
	return 0;
}

static bool
server_ok(const json_t *s)
{
	const char *t = json_string_value(s);

	if (t != NULL)
		return strcmp(t, "refused") == 0 || strcmp(t, "silent") == 0;
	return json_is_object(s);
}

int
fake_web_new(const json_t *spec, const struct fake_web *parent,
	     struct fake_web **out, char *err, size_t errlen)
{
	struct fake_web *w;
	const char *key;
	json_t *s;
	char t[FAKE_WEB_TARGET_MAX];

	*out = NULL;
	if (spec != NULL && !json_is_object(spec)) {
		snprintf(err, errlen, "web: an object of servers");
		return -1;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->servers = json_object()) == NULL) {
		free(w);
		snprintf(err, errlen, "web: out of memory");
		return -1;
	}
	w->parent = parent;
	json_object_foreach((json_t *)spec, key, s) {
		/* "A:80 A:443 B:80": one server played at each */
		char one[FAKE_WEB_TARGET_MAX];
		const char *p = key;
		size_t n;

		while (*p != '\0') {
			n = strcspn(p, " ");
			snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ?
			    n : sizeof(one) - 1), p);
			if (n == 0 || canon_target(one, t, sizeof(t)) != 0 ||
			    !server_ok(s)) {
				snprintf(err, errlen, "web: %.100s: \"ADDR:PORT"
				    "\" or \"[ADDR]:PORT\" (several: separated by "
				    "spaces) to \"refused\", \"silent\" or an "
				    "object", key);
				fake_web_free(w);
				return -1;
			}
			json_object_set(w->servers, t, s);
			p += n;
			p += strspn(p, " ");
		}
	}
	*out = w;
	return 0;
}

void
fake_web_free(struct fake_web *w)
{
	if (w == NULL)
		return;
	json_decref(w->servers);
	free(w);
}

static const json_t *
find_server(const char *target)
{
	const struct fake_web *w;
	const json_t *s;

	for (w = world; w != NULL; w = w->parent)
		if ((s = json_object_get(w->servers, target)) != NULL)
			return s;
	return NULL;
}

json_t *
fake_web_requests(void)
{
	return json_incref(rlog != NULL ? rlog : json_array());
}

/* ------------------------------------------------------------ answers */

static const char *
reason(long status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 500: return "Internal Server Error";
	default: return "Status";
	}
}

/* The value of request header name in head (static copy), or NULL. */
static const char *
req_header(const char *head, const char *name)
{
	static char v[1024];
	size_t n = strlen(name), l;
	const char *p = strstr(head, "\r\n"), *e;

	while (p != NULL && p[2] != '\0' && p[2] != '\r') {
		p += 2;
		e = strstr(p, "\r\n");
		if (e == NULL)
			break;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			l = (size_t)(e - p);
			snprintf(v, sizeof(v), "%.*s", (int)(l < sizeof(v) ?
			    l : sizeof(v) - 1), p);
			return v;
		}
		p = e;
	}
	return NULL;
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct fake_conn *c = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		fake_web_conn_free(c);
}

/* Write the answer c->resp to c->head. */
static void
answer(struct fake_conn *c)
{
	const json_t *r = c->resp, *h;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	const char *body = json_string_value(json_object_get(r, "body"));
	const char *echo = json_string_value(json_object_get(r, "echo"));
	const char *loc = json_string_value(json_object_get(r, "location"));
	const char *pre = json_string_value(json_object_get(r, "prefix"));
	const char *suf = json_string_value(json_object_get(r, "suffix"));
	long status = json_is_integer(json_object_get(r, "status")) ?
	    (long)json_integer_value(json_object_get(r, "status")) : 200;
	json_int_t repeat = json_integer_value(json_object_get(r, "repeat"));
	json_int_t extra = json_integer_value(json_object_get(r,
	    "short_by"));
	size_t blen, total, i;

	if (echo != NULL) {
		/* a request header's value, or ":path" the request's path */
		body = strcmp(echo, ":path") == 0 ? c->path :
		    req_header(c->head, echo);
		body = body != NULL ? body : "";
	}
	body = body != NULL ? body : "";
	blen = strlen(body);
	if (repeat < 1)
		repeat = 1;
	if (blen > 0 && (size_t)repeat > BODY_MAX / blen)
		repeat = (json_int_t)(BODY_MAX / blen);
	pre = pre != NULL ? pre : "";
	suf = suf != NULL ? suf : "";
	total = strlen(pre) + blen * (size_t)repeat + strlen(suf);
	evbuffer_add_printf(out, "HTTP/1.1 %ld %s\r\n", status, reason(status));
	if (loc != NULL)
		evbuffer_add_printf(out, "Location: %s\r\n", loc);
	json_array_foreach(json_object_get(r, "headers"), i, h)
		if (json_is_string(h))
			evbuffer_add_printf(out, "%s\r\n", json_string_value(h));
	/* short_by: the length says more than comes, the client waits */
	evbuffer_add_printf(out, "Content-Length: %zu\r\nConnection: close\r\n"
	    "\r\n", total + (size_t)(extra > 0 ? extra : 0));
	evbuffer_add(out, pre, strlen(pre));
	for (i = 0; i < (size_t)repeat; i++)
		evbuffer_add(out, body, blen);
	evbuffer_add(out, suf, strlen(suf));
	/* The client closes once it has the whole body (Content-Length,
	 * "Connection: close"); closing first could drop what the TLS layer
	 * still holds.  The connection goes with the client's close. */
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	answer(arg);
}

static void
log_request(const struct fake_conn *c, const char *path)
{
	const char *host = req_header(c->head, "Host");

	if (rlog != NULL)
		json_array_append_new(rlog, json_pack("{s:s, s:b, s:s?, s:s?, "
		    "s:s, s:s?}", "target", c->target, "tls", c->tls, "sni",
		    c->sni[0] ? c->sni : NULL, "alpn", c->proto[0] ? c->proto :
		    NULL, "path", path, "host", host));
}

/* A whole request head is in: find its answer. */
static void
on_request(struct fake_conn *c)
{
	const json_t *paths = json_object_get(c->server, "paths"), *v;
	char *path = c->path;
	const char *sp = strchr(c->head, ' '), *e, *key;
	struct timeval tv;
	json_int_t after;
	size_t n, best = 0;

	path[0] = '\0';
	if (sp != NULL && (e = strpbrk(sp + 1, " ?")) != NULL) {
		n = (size_t)(e - sp - 1);
		snprintf(path, sizeof(c->path), "%.*s", (int)(n <
		    sizeof(c->path) ? n : sizeof(c->path) - 1), sp + 1);
	}
	log_request(c, path);
	c->resp = json_object_get(paths, path);
	/* "PREFIX*": any path under it, the longest prefix first */
	json_object_foreach((json_t *)paths, key, v) {
		n = strlen(key);
		if (c->resp == NULL || best > 0) {
			if (n > 1 && key[n - 1] == '*' && n - 1 > best &&
			    strncmp(path, key, n - 1) == 0) {
				c->resp = v;
				best = n - 1;
			}
		}
	}
	if (c->resp == NULL)
		c->resp = json_object_get(c->server, "default");
	if (c->resp == NULL) {
		static json_t *nf;

		if (nf == NULL)
			nf = json_pack("{s:i, s:s}", "status", 404, "body",
			    "not found\n");
		c->resp = nf;
	}
	if (json_is_true(json_object_get(c->resp, "silent")))
		return;         /* read, never answer: the client's deadline */
	after = json_integer_value(json_object_get(c->resp, "after_ms"));
	if (after <= 0) {
		answer(c);
		return;
	}
	c->timer = evtimer_new(wbase, on_timer, c);
	tv.tv_sec = (time_t)(after / 1000);
	tv.tv_usec = (suseconds_t)(after % 1000) * 1000;
	if (c->timer != NULL)
		evtimer_add(c->timer, &tv);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct fake_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr p;
	size_t n;

	if (c->head != NULL) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	p = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (p.pos < 0) {
		if (evbuffer_get_length(in) > HEAD_MAX)
			fake_web_conn_free(c);
		return;
	}
	n = (size_t)p.pos + 4;
	if ((c->head = malloc(n + 1)) == NULL) {
		fake_web_conn_free(c);
		return;
	}
	evbuffer_remove(in, c->head, n);
	c->head[n] = '\0';
	on_request(c);
}

/* ------------------------------------------------------------ connections */

void
fake_web_conn_free(struct fake_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	if (c->fd >= 0)
		close(c->fd);
	free(c->head);
	free(c);
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
	  int salen, void *arg)
{
	struct lsn *ls = arg;
	const json_t *tls = json_object_get(ls->server, "tls");
	struct fake_conn *c = calloc(1, sizeof(*c));
	SSL *ssl = NULL;

	(void)l;
	(void)sa;
	(void)salen;
	if (c == NULL) {
		close(fd);
		return;
	}
	c->fd = -1;
	c->server = ls->server;
	snprintf(c->target, sizeof(c->target), "%s", ls->target);
	snprintf(c->addr, sizeof(c->addr), "%s", ls->addr);
	c->next = conns;
	if (conns != NULL)
		conns->prev = c;
	conns = c;
	evutil_make_socket_nonblocking(fd);
	if (json_is_string(ls->server)) {
		/* "silent": accepts, never reads, never answers */
		c->fd = fd;
		return;
	}
	c->tls = json_is_boolean(tls) ? json_is_true(tls) : ls->port == 443;
	if (c->tls && (ssl = fake_web_tls_new(c)) == NULL) {
		close(fd);
		fake_web_conn_free(c);
		return;
	}
	c->bev = c->tls ? bufferevent_openssl_socket_new(wbase, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE) :
	    bufferevent_socket_new(wbase, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		if (ssl != NULL)
			SSL_free(ssl);
		close(fd);
		fake_web_conn_free(c);
		return;
	}
	bufferevent_setcb(c->bev, on_read, NULL, on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* The listener playing target (made on first use), or NULL. */
static struct lsn *
listener_for(const char *target, const char *addr, unsigned port,
	     const json_t *server)
{
	struct lsn *l;
	socklen_t len = sizeof(l->at);

	for (l = listeners; l != NULL; l = l->next)
		if (strcmp(l->target, target) == 0)
			return l;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->at.sin_family = AF_INET;
	l->at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l->l = evconnlistener_new_bind(wbase, on_accept, l,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 64,
	    (struct sockaddr *)&l->at, sizeof(l->at));
	if (l->l == NULL || getsockname(evconnlistener_get_fd(l->l),
	    (struct sockaddr *)&l->at, &len) != 0) {
		if (l->l != NULL)
			evconnlistener_free(l->l);
		free(l);
		return NULL;
	}
	snprintf(l->target, sizeof(l->target), "%s", target);
	snprintf(l->addr, sizeof(l->addr), "%s", addr);
	l->port = port;
	l->server = server;
	l->next = listeners;
	listeners = l;
	return l;
}

/* sa (of its family) pointed at 127.0.0.1:port (::ffff:127.0.0.1). */
static void
point_at(struct sockaddr *sa, in_port_t port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)sa;
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)sa;

	if (sa->sa_family == AF_INET6) {
		memset(&s6->sin6_addr, 0, sizeof(s6->sin6_addr));
		s6->sin6_addr.s6_addr[10] = 0xff;
		s6->sin6_addr.s6_addr[11] = 0xff;
		s6->sin6_addr.s6_addr[12] = 127;
		s6->sin6_addr.s6_addr[15] = 1;
		s6->sin6_port = port;
	} else {
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4->sin_port = port;
	}
}

int
mpic__net_socket(int type, int protocol, struct sockaddr *sa,
		 socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)sa;
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)sa;
	char addr[48], target[FAKE_WEB_TARGET_MAX];
	const json_t *server = NULL;
	struct lsn *l = NULL;
	unsigned port;
	int fd, on = 0;

	(void)len;
	fd = socket(sa->sa_family, type | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -1;
	if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr));
		port = ntohs(s6->sin6_port);
		snprintf(target, sizeof(target), "[%s]:%u", addr, port);
		/* ::ffff:127.0.0.1 must reach the IPv4 listener */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	} else {
		inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof(addr));
		port = ntohs(s4->sin_port);
		snprintf(target, sizeof(target), "%s:%u", addr, port);
	}
	if (wbase != NULL)
		server = find_server(target);
	if (server == NULL && wbase != NULL && sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		/* ::ffff:a.b.c.d reaches the IPv4 server, as in the kernel */
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], addr,
		    sizeof(addr));
		snprintf(target, sizeof(target), "%s:%u", addr, port);
		server = find_server(target);
	}
	if (server != NULL && !(json_is_string(server) &&
	    strcmp(json_string_value(server), "refused") == 0))
		l = listener_for(target, addr, port, server);
	point_at(sa, l != NULL ? l->at.sin_port : refuse_at.sin_port);
	return fd;
}

void
fake_web_use(const struct fake_web *w, struct event_base *base)
{
	struct lsn *l;
	socklen_t len = sizeof(refuse_at);

	while (conns != NULL)
		fake_web_conn_free(conns);
	while ((l = listeners) != NULL) {
		listeners = l->next;
		evconnlistener_free(l->l);
		free(l);
	}
	json_decref(rlog);
	rlog = NULL;
	/* The servers write (libevent's writev, OpenSSL's socket BIO) to
	 * clients that may have gone: EPIPE, not the process's death.  Only
	 * while a web is in use; the library's own sockets never raise
	 * SIGPIPE (MSG_NOSIGNAL), and the labs run it without this. */
	signal(SIGPIPE, base != NULL ? SIG_IGN : SIG_DFL);
	world = w;
	wbase = base;
	if (base != NULL)
		rlog = json_array();
	if (refuser < 0 && base != NULL) {
		refuse_at.sin_family = AF_INET;
		refuse_at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		refuser = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (refuser >= 0 && (bind(refuser, (struct sockaddr *)&refuse_at,
		    sizeof(refuse_at)) != 0 || getsockname(refuser,
		    (struct sockaddr *)&refuse_at, &len) != 0)) {
			close(refuser);
			refuser = -1;
		}
	}
	if (base == NULL && refuser >= 0) {
		close(refuser);
		refuser = -1;
		fake_web_tls_cleanup();
	}
}
