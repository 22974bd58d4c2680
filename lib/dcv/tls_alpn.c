/*
 * tls_alpn.c - acme-tls-alpn-01 (RFC 8737, BR 3.2.2.4.20; RFC 8738, BR
 * 3.2.2.5.7): resolve the name through the perspective's own resolver
 * (AAAA and A together; a failed or bogus lookup fails the check), then
 * for each address in turn, IPv6 first, that the SSRF guard lets through:
 * a non-blocking connect to port 443 and, on the first connection that
 * succeeds, a TLS handshake offering only "acme-tls/1" with the name as
 * SNI (the reverse name for an IP, RFC 8738 6).  A connection failure
 * falls back to the next address; a handshake failure does not (the
 * server answered).  After the handshake the negotiated protocol and the
 * certificate decide; we send close_notify and no data.
 *
 * Deadlines: each connect and the handshake get dcv.http_timeout_ms, and
 * everything after DNS gets twice that in all.  The DNS lookups carry
 * the resolver's own deadlines.
 *
 * I/O goes through a small BIO of our own over the socket: send() with
 * MSG_NOSIGNAL (a library must not die of SIGPIPE, nor change the
 * process's signal handling) and a cap on the bytes a server can make us
 * read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "check/check.h"
#include "dcv/tls_alpn.h"
#include "util/netsock.h"

#define DEFAULT_TIMEOUT_MS 10000

struct mpic__alpn_tls {
	SSL_CTX *ctx;
	BIO_METHOD *bio_meth;
};

/* The socket under the BIO. */
struct alpn_sock {
	int fd;
	size_t nread;
	bool over;      /* the server sent more than MPIC__ALPN_MAX_READ */
	int err;        /* errno of the last failed send/recv */
};

struct alpn;

struct alpn_dnsq {
	struct alpn *a;
	uint16_t type;
};

struct alpn_addr {
	int af;
	uint8_t a[16];
};

enum alpn_phase { PH_DNS = 0, PH_CONNECT, PH_HANDSHAKE };

struct alpn {
	struct mpic__check *c;
	struct mpic__alpn_tls *tls;
	bool own_tls;
	struct mpic__alpn_want want;
	char sni[MPIC__NAME_MAX + 1];
	unsigned port;
	unsigned timeout_ms;
	/* DNS */
	struct alpn_dnsq q6, q4;
	int dns_pending;
	const char *dns_err_type;     /* first failed lookup, or NULL */
	char dns_err[512];
	struct alpn_addr addrs[2 * MPIC__ALPN_MAX_ADDRS];
	size_t n_addrs, next;
	/* connection */
	enum alpn_phase phase;
	struct event *ev;
	int fd;
	SSL *ssl;
	struct alpn_sock sock;
	uint64_t deadline;            /* of the current phase */
	uint64_t overall;             /* of everything after DNS */
	bool any_allowed;
	char ip[INET6_ADDRSTRLEN];
	char last_err[256];
	json_t *tried;                /* details.addresses_tried */
};

/* ------------------------------------------------------------ TLS state */

static int
alpn_bio_write(BIO *b, const char *buf, int len)
{
	struct alpn_sock *s = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	n = send(s->fd, buf, (size_t)len, MSG_NOSIGNAL);
	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		BIO_set_retry_write(b);
	else
		s->err = errno;
	return -1;
}

static int
alpn_bio_read(BIO *b, char *buf, int len)
{
	struct alpn_sock *s = BIO_get_data(b);
	size_t room = MPIC__ALPN_MAX_READ - s->nread;
	ssize_t n;

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	if (room == 0) {
		s->over = true;
		return -1;
	}
	n = recv(s->fd, buf, (size_t)len < room ? (size_t)len : room, 0);
	if (n > 0) {
		s->nread += (size_t)n;
		return (int)n;
	}
	if (n == 0)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		BIO_set_retry_read(b);
	else
		s->err = errno;
	return -1;
}

static long
alpn_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

int
mpic__alpn_tls_new(struct mpic__alpn_tls **out)
{
	struct mpic__alpn_tls *t;

	*out = NULL;
	t = mpic__calloc(1, sizeof(*t));
	if (t == NULL)
		return MPIC_ENOMEM;
	t->ctx = SSL_CTX_new(TLS_client_method());
	t->bio_meth = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	    "mpic tls-alpn socket");
	if (t->ctx == NULL || t->bio_meth == NULL ||
	    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION) != 1 ||
	    BIO_meth_set_write(t->bio_meth, alpn_bio_write) != 1 ||
	    BIO_meth_set_read(t->bio_meth, alpn_bio_read) != 1 ||
	    BIO_meth_set_ctrl(t->bio_meth, alpn_bio_ctrl) != 1) {
		mpic__alpn_tls_free(t);
		return MPIC_ENOMEM;
	}
	/* The challenge certificate is self-signed: nothing to verify. */
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_max_cert_list(t->ctx, MPIC__ALPN_MAX_CERT_LIST);
	*out = t;
	return 0;
}

void
mpic__alpn_tls_free(struct mpic__alpn_tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	BIO_meth_free(t->bio_meth);
	mpic__free(t);
}

/* ------------------------------------------------------------ the end */

static void
alpn_close(struct alpn *a)
{
	if (a->ev != NULL)
		event_del(a->ev);
	SSL_free(a->ssl);     /* frees the BIO */
	a->ssl = NULL;
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	memset(&a->sock, 0, sizeof(a->sock));
	a->sock.fd = -1;
}

static void
alpn_finish(struct alpn *a)
{
	struct mpic__check *c = a->c;

	alpn_close(a);
	if (a->ev != NULL)
		event_free(a->ev);
	if (a->own_tls)
		mpic__alpn_tls_free(a->tls);
	mpic__free(a);
	mpic__check_finish(c);
}

/* A check that could not complete. */
static void
alpn_fail(struct alpn *a, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
alpn_fail(struct alpn *a, const char *type, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->c->res.completed = false;
	a->c->res.passed = false;
	mpic__check_error(&a->c->res, type, "%s", msg);
	alpn_finish(a);
}

/* One handshake (or address) in mpic_check_stats.alpn. */
static void
alpn_count(struct alpn *a, int outcome)
{
	if (a->c->env->stats != NULL)
		a->c->env->stats->alpn[outcome]++;
}

static void
alpn_note(struct alpn *a, const char *result)
{
	json_t *o = json_object();

	if (o == NULL)
		return;
	json_object_set_new(o, "ip", json_string(a->ip));
	json_object_set_new(o, "result", json_string(result));
	json_array_append_new(a->tried, o);
}

/* ------------------------------------------------------------ connection */

static void alpn_try_next(struct alpn *a);
static void alpn_handshake_step(struct alpn *a);
static void on_event(evutil_socket_t fd, short what, void *arg);

static void
alpn_wait(struct alpn *a, short what)
{
	uint64_t now = mpic__now_mono_ms(), end;
	struct timeval tv;

	end = a->deadline < a->overall ? a->deadline : a->overall;
	end = end > now ? end - now : 0;
	tv.tv_sec = (time_t)(end / 1000);
	tv.tv_usec = (suseconds_t)(end % 1000) * 1000;
	event_del(a->ev);
	event_assign(a->ev, a->c->env->base, a->fd, what, on_event, a);
	if (event_add(a->ev, &tv) != 0)
		alpn_fail(a, MPIC__ERR_ALPN_CONNECT, "cannot wait on the socket");
}

static void
alpn_connect_failed(struct alpn *a, const char *why)
{
	mpic__bufprintf(a->last_err, sizeof(a->last_err), "%s port %u: %s",
	    a->ip, a->port, why);
	alpn_note(a, why);
	alpn_count(a, MPIC_STATS_OUT_CONNECT_FAILED);
	alpn_close(a);
	alpn_try_next(a);
}

static void
alpn_handshake_start(struct alpn *a)
{
	static const unsigned char protos[] = "\x0a" MPIC__ALPN_PROTO;
	BIO *bio;

	alpn_note(a, "connected");
	json_object_set_new(a->c->res.details, "resolved_ip",
	    json_string(a->ip));
	a->ssl = SSL_new(a->tls->ctx);
	bio = a->ssl ? BIO_new(a->tls->bio_meth) : NULL;
	if (bio == NULL) {
		alpn_fail(a, MPIC__ERR_ALPN_TLS, "out of memory for TLS");
		return;
	}
	a->sock.fd = a->fd;
	BIO_set_data(bio, &a->sock);
	BIO_set_init(bio, 1);
	SSL_set_bio(a->ssl, bio, bio);
	/* offer exactly one protocol (RFC 8737 3); set_alpn_protos: 0 = ok */
	if (SSL_set_tlsext_host_name(a->ssl, a->sni) != 1 ||
	    SSL_set_alpn_protos(a->ssl, protos, sizeof(protos) - 1) != 0) {
		alpn_fail(a, MPIC__ERR_ALPN_TLS, "cannot set SNI %s or ALPN",
		    a->sni);
		return;
	}
	SSL_set_connect_state(a->ssl);
	a->phase = PH_HANDSHAKE;
	a->deadline = mpic__now_mono_ms() + a->timeout_ms;
	alpn_handshake_step(a);
}

static void
alpn_connect(struct alpn *a, const struct alpn_addr *ad)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;

	memset(&ss, 0, sizeof(ss));
	if (ad->af == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)a->port);
		memcpy(&s4->sin_addr, ad->a, 4);
		len = sizeof(*s4);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)a->port);
		memcpy(&s6->sin6_addr, ad->a, 16);
		len = sizeof(*s6);
	}
	a->fd = mpic__net_socket(SOCK_STREAM | SOCK_NONBLOCK, 0,
	    (struct sockaddr *)&ss, &len);
	if (a->fd < 0) {
		alpn_connect_failed(a, strerror(errno));
		return;
	}
	a->phase = PH_CONNECT;
	a->deadline = mpic__now_mono_ms() + a->timeout_ms;
	if (connect(a->fd, (struct sockaddr *)&ss, len) == 0)
		alpn_handshake_start(a);
	else if (errno == EINPROGRESS)
		alpn_wait(a, EV_WRITE);
	else
		alpn_connect_failed(a, strerror(errno));
}

static void
alpn_try_next(struct alpn *a)
{
	const struct alpn_addr *ad;
	char why[128], note[192];

	while (a->next < a->n_addrs) {
		if (mpic__now_mono_ms() >= a->overall) {
			alpn_fail(a, MPIC__ERR_TIMEOUT, "no TLS connection to %s "
			    "within %u ms (last: %s)", a->sni,
			    2 * a->timeout_ms, a->last_err);
			return;
		}
		ad = &a->addrs[a->next++];
		inet_ntop(ad->af, ad->a, a->ip, sizeof(a->ip));
		if (!mpic__alpn_addr_allowed(a->c->env->cfg, ad->af, ad->a,
		    why, sizeof(why))) {
			mpic__bufprintf(note, sizeof(note), "not allowed: %s",
			    why);
			alpn_note(a, note);
			alpn_count(a, MPIC_STATS_OUT_REFUSED);
			continue;
		}
		a->any_allowed = true;
		alpn_connect(a, ad);
		return;
	}
	if (!a->any_allowed)
		alpn_fail(a, MPIC__ERR_ALPN_ADDRESS, "no address of %s may be "
		    "contacted (special-purpose ranges; see addresses_tried)",
		    a->want.name ? a->want.name : a->ip);
	else
		alpn_fail(a, MPIC__ERR_ALPN_CONNECT, "could not connect to %s: "
		    "%s", a->want.name ? a->want.name : a->ip, a->last_err);
}

/* Why a handshake failed, from OpenSSL's queue and our socket. */
static void
alpn_tls_error(struct alpn *a, int code, char *out, size_t outlen)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256];

	if (a->sock.over) {
		mpic__bufprintf(out, outlen, "the server sent more than %d "
		    "bytes during the handshake", MPIC__ALPN_MAX_READ);
	} else if (e != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		mpic__bufprintf(out, outlen, "%s", buf);
	} else if (code == SSL_ERROR_SYSCALL && a->sock.err != 0) {
		mpic__bufprintf(out, outlen, "%s", strerror(a->sock.err));
	} else if (code == SSL_ERROR_SYSCALL || code == SSL_ERROR_ZERO_RETURN) {
		mpic__bufprintf(out, outlen, "connection closed by the server");
	} else {
		mpic__bufprintf(out, outlen, "TLS error %d", code);
	}
	ERR_clear_error();
}

static void
alpn_inspect(struct alpn *a)
{
	struct mpic__check_result *res = &a->c->res;
	json_t *d = res->details;
	const unsigned char *proto = NULL;
	unsigned int plen = 0;
	const char *type;

	alpn_count(a, MPIC_STATS_OUT_HANDSHAKE);
	char why[512], shown[64];
	X509 *cert;

	json_object_set_new(d, "tls_version",
	    json_string(SSL_get_version(a->ssl)));
	SSL_get0_alpn_selected(a->ssl, &proto, &plen);
	if (proto != NULL && plen > 0) {
		mpic__bufprintf(shown, sizeof(shown), "%.*s",
		    (int)(plen < 48 ? plen : 48), (const char *)proto);
		json_object_set_new(d, "alpn", json_string(shown));
	}
	cert = SSL_get0_peer_certificate(a->ssl);
	res->completed = true;
	res->passed = false;
	if (cert == NULL) {
		type = MPIC__ERR_ALPN_MALFORMED;
		mpic__bufprintf(why, sizeof(why), "the server sent no "
		    "certificate");
	} else {
		type = mpic__alpn_cert_check(cert, &a->want, d, why,
		    sizeof(why));
	}
	/* The protocol comes first: a server that did not agree to
	 * acme-tls/1 answered another question (RFC 8737 3). */
	if (plen != sizeof(MPIC__ALPN_PROTO) - 1 ||
	    memcmp(proto, MPIC__ALPN_PROTO, plen) != 0) {
		mpic__check_error(res, MPIC__ERR_ALPN_PROTOCOL, "%s port %u "
		    "negotiated %s%s%s instead of " MPIC__ALPN_PROTO, a->ip,
		    a->port, plen ? "\"" : "no protocol", plen ? shown : "",
		    plen ? "\"" : "");
	} else if (type != NULL) {
		mpic__check_error(res, type, "%s port %u: %s", a->ip, a->port,
		    why);
	} else {
		res->passed = true;
	}
	/* close_notify, best effort: we never wait for the server's. */
	ERR_clear_error();
	(void)SSL_shutdown(a->ssl);
	ERR_clear_error();
	alpn_finish(a);
}

static void
alpn_handshake_step(struct alpn *a)
{
	char why[300];
	int r, code;

	ERR_clear_error();
	r = SSL_do_handshake(a->ssl);
	if (r == 1) {
		alpn_inspect(a);
		return;
	}
	code = SSL_get_error(a->ssl, r);
	if (code == SSL_ERROR_WANT_READ) {
		alpn_wait(a, EV_READ);
		return;
	}
	if (code == SSL_ERROR_WANT_WRITE) {
		alpn_wait(a, EV_WRITE);
		return;
	}
	alpn_tls_error(a, code, why, sizeof(why));
	alpn_count(a, MPIC_STATS_OUT_TLS_FAILED);
	alpn_fail(a, MPIC__ERR_ALPN_TLS, "TLS handshake with %s port %u (SNI "
	    "%s) failed: %s", a->ip, a->port, a->sni, why);
}

static void
on_event(evutil_socket_t fd, short what, void *arg)
{
	struct alpn *a = arg;
	int err = 0;
	socklen_t len = sizeof(err);
	char why[64];

	(void)fd;
	if (what & EV_TIMEOUT) {
		if (a->phase == PH_CONNECT) {
			mpic__bufprintf(why, sizeof(why), "connect timed out "
			    "after %u ms", a->timeout_ms);
			alpn_connect_failed(a, why);
		} else {
			alpn_count(a, MPIC_STATS_OUT_TIMED_OUT);
			alpn_fail(a, MPIC__ERR_TIMEOUT, "TLS handshake with %s "
			    "port %u (SNI %s) did not finish in time (%u ms)",
			    a->ip, a->port, a->sni, a->timeout_ms);
		}
		return;
	}
	if (a->phase == PH_CONNECT) {
		if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err != 0)
			alpn_connect_failed(a, strerror(err));
		else
			alpn_handshake_start(a);
		return;
	}
	alpn_handshake_step(a);
}

/* ------------------------------------------------------------ DNS */

static void
alpn_addresses_ready(struct alpn *a)
{
	if (a->dns_err_type != NULL) {
		alpn_fail(a, a->dns_err_type, "%s", a->dns_err);
		return;
	}
	if (a->n_addrs == 0) {
		alpn_fail(a, MPIC__ERR_DCV_LOOKUP, "%s has no AAAA or A record",
		    a->want.name);
		return;
	}
	a->overall = mpic__now_mono_ms() + 2 * (uint64_t)a->timeout_ms;
	alpn_try_next(a);
}

static void
alpn_kick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	alpn_addresses_ready(arg);
}

/* Keep AAAA before A whichever answer comes first. */
static void
alpn_add_addrs(struct alpn *a, int af, const struct mpic__dns_answer *ans)
{
	size_t i, len = af == AF_INET ? 4 : 16, n = 0, at;

	if (af == AF_INET6) {
		at = 0;
		/* make room: move any IPv4 addresses already there */
		for (i = 0; i < ans->n_rrs && n < MPIC__ALPN_MAX_ADDRS; i++)
			if (ans->rrs[i].rdlen == len)
				n++;
		memmove(&a->addrs[n], &a->addrs[0],
		    a->n_addrs * sizeof(a->addrs[0]));
	} else {
		at = a->n_addrs;
	}
	for (i = 0, n = 0; i < ans->n_rrs && n < MPIC__ALPN_MAX_ADDRS; i++) {
		if (ans->rrs[i].rdlen != len)
			continue;
		a->addrs[at + n].af = af;
		memcpy(a->addrs[at + n].a, ans->rrs[i].rdata, len);
		n++;
	}
	a->n_addrs += n;
}

static void
alpn_dns_answer(void *arg, const struct mpic__dns_answer *ans)
{
	struct alpn_dnsq *q = arg;
	struct alpn *a = q->a;

	mpic__check_note_dnssec(a->c, ans->dnssec);
	if (mpic__answer_failed(ans)) {
		if (a->dns_err_type == NULL ||
		    ans->dnssec == MPIC__DNSSEC_BOGUS) {
			mpic__describe_failure(ans, a->dns_err,
			    sizeof(a->dns_err));
			a->dns_err_type = ans->dnssec == MPIC__DNSSEC_BOGUS ?
			    MPIC__ERR_DNSSEC : MPIC__ERR_DCV_LOOKUP;
		}
	} else {
		alpn_add_addrs(a, q->type == MPIC__RR_AAAA ? AF_INET6 : AF_INET,
		    ans);
	}
	if (--a->dns_pending == 0)
		alpn_addresses_ready(a);
}

/* ------------------------------------------------------------ start */

static json_t *
alpn_details(const struct alpn *a)
{
	json_t *d = json_object();

	if (d == NULL)
		return NULL;
	json_object_set_new(d, "validation_method",
	    json_string(mpic__dcv_method_str(MPIC__DCV_ACME_TLS_ALPN_01)));
	json_object_set_new(d, "common_name", json_null());
	json_object_set_new(d, "resolved_ip", json_null());
	json_object_set_new(d, "port", json_integer(a->port));
	json_object_set_new(d, "sni", json_string(a->sni));
	json_object_set_new(d, "alpn", json_null());
	json_object_set_new(d, "tls_version", json_null());
	json_object_set_new(d, "subject_alt_names", json_array());
	json_object_set_new(d, "acme_identifier_critical", json_null());
	json_object_set_new(d, "addresses_tried", json_array());
	return d;
}

int
mpic__dcv_tls_alpn_start(struct mpic__check *c)
{
	const struct mpic__request *req = c->req;
	const struct mpic_config *cfg = c->env->cfg;
	struct alpn *a;
	int rc;

	if (req->target.is_wildcard)
		return MPIC_EINVAL;     /* refused by the API already */
	a = mpic__calloc(1, sizeof(*a));
	if (a == NULL)
		return MPIC_ENOMEM;
	a->c = c;
	a->fd = -1;
	a->sock.fd = -1;
	a->port = cfg != NULL && cfg->tls_alpn_port != 0 ?
	    cfg->tls_alpn_port : MPIC__ALPN_PORT;
	a->timeout_ms = cfg != NULL && cfg->http_timeout_ms != 0 ?
	    cfg->http_timeout_ms : DEFAULT_TIMEOUT_MS;
	a->want.digest = req->dcv.key_authorization_digest;
	if (req->target.is_ip) {
		a->want.af = req->target.af;
		a->want.addr = req->target.addr;
		rc = mpic__reverse_name(req->target.af, req->target.addr,
		    a->sni, sizeof(a->sni));
		if (rc != 0)
			goto fail;
		a->addrs[0].af = req->target.af;
		memcpy(a->addrs[0].a, req->target.addr, 16);
		a->n_addrs = 1;
		c->worst = MPIC__DNSSEC_INDETERMINATE; /* no DNS involved */
	} else {
		a->want.name = req->target.name;
		mpic__bufprintf(a->sni, sizeof(a->sni), "%s",
		    req->target.name);
	}
	rc = MPIC_ENOMEM;
	if (c->env->alpn_tls != NULL) {
		a->tls = c->env->alpn_tls;
	} else {
		if ((rc = mpic__alpn_tls_new(&a->tls)) != 0)
			goto fail;
		a->own_tls = true;
	}
	rc = MPIC_ENOMEM;
	a->ev = event_new(c->env->base, -1, 0, on_event, a);
	c->res.details = alpn_details(a);
	if (a->ev == NULL || c->res.details == NULL)
		goto fail;
	a->tried = json_object_get(c->res.details, "addresses_tried");
	if (req->target.is_ip) {
		/* nothing to resolve; start from the loop, so that the
		 * callback never runs before we return */
		struct timeval now = {0, 0};

		if (event_assign(a->ev, c->env->base, -1, 0, alpn_kick, a) != 0 ||
		    event_add(a->ev, &now) != 0)
			goto fail;
		return 0;
	}
	a->q6.a = a;
	a->q6.type = MPIC__RR_AAAA;
	a->q4.a = a;
	a->q4.type = MPIC__RR_A;
	a->dns_pending = 2;
	rc = mpic__resolve(c->env->resolver, req->target.name, MPIC__RR_AAAA,
	    alpn_dns_answer, &a->q6);
	if (rc != 0)
		goto fail;
	rc = mpic__resolve(c->env->resolver, req->target.name, MPIC__RR_A,
	    alpn_dns_answer, &a->q4);
	if (rc != 0) {
		/* the AAAA lookup will call back; fail then */
		a->dns_pending = 1;
		a->dns_err_type = MPIC__ERR_DCV_LOOKUP;
		mpic__bufprintf(a->dns_err, sizeof(a->dns_err), "%s A: lookup "
		    "could not start: %s", req->target.name,
		    mpic_strerror(rc));
	}
	return 0;
fail:
	if (a->ev != NULL)
		event_free(a->ev);
	if (a->own_tls)
		mpic__alpn_tls_free(a->tls);
	mpic__free(a);
	return rc;
}
