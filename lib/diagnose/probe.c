/*
 * probe.c - one perspective's probes of a diagnosis (diagnose.h): A, AAAA,
 * NS (climbing to the zone's apex), TXT at _acme-challenge.NAME and the
 * TXT of --txt as raw lookups on the perspective's own resolver; CAA and
 * the HTTP GETs as ordinary checks of lib/check (the same tree climbing,
 * issuer matching, SSRF guard and redirects as a validation); then a TCP
 * connect to ports 80 and 443 of every address the lookups gave.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "dcv/web.h"
#include "diagnose/diagnose.h"

#define NS_CLIMB_MAX 16
#define TCP_TIMEOUT_MS 3000

struct conn {
	struct mpic__diag_probe *p;
	struct event *ev;
	int fd;
	char addr[INET6_ADDRSTRLEN];
	unsigned port;
	json_t *obs;                    /* its entry of "tcp" */
	int err;                        /* connect() failed at once */
};

/* One sub-probe in flight: a lookup or a check, back into the probe. */
struct sub {
	struct mpic__diag_probe *p;
	const char *key;                /* its member of the observations */
	struct mpic__request req;       /* for checks */
	bool has_req;
};

struct mpic__diag_probe {
	const struct mpic__check_env *env;
	const struct mpic__perspective_def *def;
	const struct mpic__diag_q *q;
	mpic__diag_probe_cb cb;
	void *arg;
	json_t *obs;
	unsigned pending;
	bool addrs_done[2];             /* A, AAAA answered */
	struct conn conns[2 * 2 * MPIC__DIAG_MAX_ADDRS];
	size_t n_conns;
	struct sub subs[8];
	size_t n_subs;
	char ns_name[MPIC__NAME_MAX + 2]; /* NS: the name asked now */
	unsigned ns_steps;
	char token[64];                 /* "mpic-diagnose-" and 32 hex digits */
	char ka[128];                   /* token "." and a thumbprint's shape */
	struct event *defer;            /* an answer with nothing started */
};

static void finish_one(struct mpic__diag_probe *p);

static struct sub *
sub_new(struct mpic__diag_probe *p, const char *key)
{
	struct sub *s;

	if (p->n_subs >= sizeof(p->subs) / sizeof(p->subs[0]))
		return NULL;
	s = &p->subs[p->n_subs++];
	memset(s, 0, sizeof(*s));
	s->p = p;
	s->key = key;
	return s;
}

/* The lookup's outcome, as every DNS observation starts. */
static json_t *
lookup_obs(const struct mpic__dns_answer *a)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "dnssec", json_string(mpic__dnssec_str(
	    a->dnssec)));
	json_object_set_new(o, "rcode", json_integer(a->rcode));
	if (mpic__answer_failed(a)) {
		char why[600];

		mpic__describe_failure(a, why, sizeof(why));
		json_object_set_new(o, "result", json_string("failed"));
		json_object_set_new(o, "failure", json_string(
		    mpic__failure_kind(a)));
		json_object_set_new(o, "error", json_string(why));
	} else {
		json_object_set_new(o, "result", json_string(
		    a->rcode == MPIC__RCODE_NXDOMAIN ? "nxdomain" :
		    a->n_rrs == 0 ? "nodata" : "ok"));
	}
	return o;
}

static json_t *
records(const struct mpic__dns_answer *a)
{
	json_t *arr = json_array();
	char buf[4096];
	size_t i;

	for (i = 0; arr != NULL && i < a->n_rrs; i++) {
		const struct mpic__dns_rr *rr = &a->rrs[i];

		if (mpic__dns_rdata_str(rr->type, rr->rdata, rr->rdlen, buf,
		    sizeof(buf)) >= 0)
			json_array_append_new(arr, json_string(buf));
	}
	return arr;
}

/* ------------------------------------------------------------ TCP */

static void
conn_done(struct conn *c, const char *err)
{
	json_object_set_new(c->obs, "open", json_boolean(err == NULL));
	json_object_set_new(c->obs, "error", err != NULL ? json_string(err) :
	    json_null());
	if (c->ev != NULL)
		event_free(c->ev);
	c->ev = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	finish_one(c->p);
}

static void
conn_ev(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	int e = 0;
	socklen_t el = sizeof(e);

	if (c->err != 0) {
		conn_done(c, c->err == ECONNREFUSED ? "refused" :
		    strerror(c->err));
		return;
	}
	if (what & EV_TIMEOUT) {
		conn_done(c, "timed out");
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
		e = errno;
	conn_done(c, e == 0 ? NULL : e == ECONNREFUSED ? "refused" :
	    strerror(e));
}

/* Connect to addr:port; the outcome is the entry's, never an error of
 * the probe (the SSRF guard's refusal included). */
static void
conn_start(struct mpic__diag_probe *p, int af, const uint8_t *addr,
	   unsigned port, json_t *tcp)
{
	struct conn *c;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct timeval tv = { TCP_TIMEOUT_MS / 1000,
	    (TCP_TIMEOUT_MS % 1000) * 1000 };
	const struct mpic__cidr *allowed;
	const char *refused;
	size_t n_allowed = 0;

	if (p->n_conns >= sizeof(p->conns) / sizeof(p->conns[0]))
		return;
	c = &p->conns[p->n_conns++];
	memset(c, 0, sizeof(*c));
	c->p = p;
	c->fd = -1;
	c->port = port;
	inet_ntop(af, addr, c->addr, sizeof(c->addr));
	c->obs = json_pack("{s:s, s:i}", "address", c->addr, "port",
	    (int)port);
	if (c->obs == NULL)
		return;
	json_array_append_new(tcp, c->obs);
	p->pending++;
	allowed = mpic__web_allowed(*p->env->web, &n_allowed);
	if ((refused = mpic__addr_refused(af, addr, allowed, n_allowed)) !=
	    NULL) {
		/* the guard of validations: not contacted */
		c->fd = -1;
		json_object_set_new(c->obs, "open", json_false());
		json_object_set_new(c->obs, "error", json_sprintf(
		    "not contacted: %s", refused));
		p->pending--;
		return;
	}
	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, addr, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, addr, 16);
		sl = sizeof(*s6);
	}
	c->fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || (connect(c->fd, (struct sockaddr *)&ss, sl) != 0 &&
	    errno != EINPROGRESS)) {
		/* deferred: the callback never runs before start returns */
		c->err = errno != 0 ? errno : EIO;
		c->ev = evtimer_new(p->env->base, conn_ev, c);
		tv.tv_sec = 0;
		tv.tv_usec = 0;
	} else {
		c->ev = event_new(p->env->base, c->fd, EV_WRITE, conn_ev, c);
	}
	if (c->ev == NULL || event_add(c->ev, &tv) != 0) {
		json_object_set_new(c->obs, "open", json_false());
		json_object_set_new(c->obs, "error", json_string(
		    "cannot connect: out of memory"));
		if (c->ev != NULL)
			event_free(c->ev);
		c->ev = NULL;
		p->pending--;
	}
}

/* Both address lookups answered: connect to what they gave. */
static void
tcp_start(struct mpic__diag_probe *p)
{
	static const char *const fam[] = { "a", "aaaa" };
	static const unsigned ports[] = { 80, 443 };
	json_t *tcp = json_array();
	size_t f, i, k;

	if (tcp == NULL)
		return;
	json_object_set_new(p->obs, "tcp", tcp);
	for (f = 0; f < 2; f++) {
		json_t *addrs = json_object_get(json_object_get(p->obs,
		    fam[f]), "addresses");
		int af = f == 0 ? AF_INET : AF_INET6;

		for (i = 0; i < json_array_size(addrs) &&
		    i < MPIC__DIAG_MAX_ADDRS; i++) {
			uint8_t a[16];

			if (inet_pton(af, json_string_value(json_array_get(
			    addrs, i)), a) != 1)
				continue;
			for (k = 0; k < 2; k++)
				conn_start(p, af, a, ports[k], tcp);
		}
	}
}

/* ------------------------------------------------------------ DNS */

static void
addr_done(void *arg, const struct mpic__dns_answer *a)
{
	struct sub *s = arg;
	struct mpic__diag_probe *p = s->p;
	json_t *o = lookup_obs(a), *addrs = json_array();
	char buf[INET6_ADDRSTRLEN];
	size_t i;

	/* a failed (bogus) answer's addresses are not used, as a
	 * validation would not use them */
	for (i = 0; addrs != NULL && !mpic__answer_failed(a) && i < a->n_rrs;
	    i++) {
		const struct mpic__dns_rr *rr = &a->rrs[i];
		int af = rr->type == MPIC__RR_A ? AF_INET : AF_INET6;

		if (rr->rdlen == (af == AF_INET ? 4 : 16) &&
		    inet_ntop(af, rr->rdata, buf, sizeof(buf)) != NULL)
			json_array_append_new(addrs, json_string(buf));
	}
	if (o != NULL) {
		json_object_set_new(o, "addresses", addrs);
		if (a->why_bogus != NULL)
			json_object_set_new(o, "why_bogus", json_string(
			    a->why_bogus));
		json_object_set_new(p->obs, s->key, o);
	} else {
		json_decref(addrs);
	}
	p->addrs_done[a->qtype == MPIC__RR_A ? 0 : 1] = true;
	if (p->addrs_done[0] && p->addrs_done[1])
		tcp_start(p);
	finish_one(p);
}

static void
txt_done(void *arg, const struct mpic__dns_answer *a)
{
	struct sub *s = arg;
	json_t *o = lookup_obs(a);
	char buf[4096];
	json_t *vals = json_array();
	size_t i;

	/* TXT values as published (the strings joined), for --expect */
	for (i = 0; vals != NULL && i < a->n_rrs; i++)
		if (mpic__dns_txt_concat(a->rrs[i].rdata, a->rrs[i].rdlen,
		    buf, sizeof(buf)) >= 0)
			json_array_append_new(vals, json_string(buf));
	if (o != NULL) {
		json_object_set_new(o, "name", json_string(a->qname));
		json_object_set_new(o, "records", vals);
		json_object_set_new(s->p->obs, s->key, o);
	} else {
		json_decref(vals);
	}
	finish_one(s->p);
}

static void
ns_done(void *arg, const struct mpic__dns_answer *a)
{
	struct sub *s = arg;
	struct mpic__diag_probe *p = s->p;
	const char *up;
	json_t *o;

	/* Not the apex (no NS, no failure): ask the parent. */
	if (!mpic__answer_failed(a) && a->n_rrs == 0 &&
	    ++p->ns_steps < NS_CLIMB_MAX &&
	    (up = mpic__parent_name(p->ns_name)) != NULL) {
		memmove(p->ns_name, up, strlen(up) + 1);
		if (mpic__resolve(p->env->resolver, p->ns_name, MPIC__RR_NS,
		    ns_done, s) == 0)
			return;
	}
	if ((o = lookup_obs(a)) != NULL) {
		json_object_set_new(o, "zone", json_string(a->qname));
		json_object_set_new(o, "servers", records(a));
		json_object_set_new(o, "answered", json_boolean(
		    !mpic__answer_failed(a)));
		json_object_set_new(p->obs, s->key, o);
	}
	finish_one(p);
}

static int
resolve(struct mpic__diag_probe *p, const char *key, const char *name,
	uint16_t type, mpic__dns_cb cb)
{
	struct sub *s = sub_new(p, key);
	int rc;

	if (s == NULL)
		return MPIC_ENOMEM;
	if ((rc = mpic__resolve(p->env->resolver, name, type, cb, s)) == 0)
		p->pending++;
	else
		json_object_set_new(p->obs, key, json_pack("{s:s, s:s}",
		    "result", "failed", "error", mpic_strerror(rc)));
	return 0;
}

/* ------------------------------------------------------------ checks */

static void
check_done(void *arg, struct mpic__check_result *res)
{
	struct sub *s = arg;
	json_t *o, *errs = json_array();
	size_t i;

	for (i = 0; errs != NULL && i < res->n_errors; i++)
		json_array_append_new(errs, json_string(
		    res->errors[i].message));
	o = json_pack("{s:b, s:b, s:s, s:o, s:O}", "passed", res->passed,
	    "completed", res->completed, "dnssec", mpic__dnssec_str(
	    res->dnssec), "errors", errs != NULL ? errs : json_array(),
	    "details", res->details != NULL ? res->details : json_null());
	if (o != NULL)
		json_object_set_new(s->p->obs, s->key, o);
	mpic__check_result_release(res);
	finish_one(s->p);
}

/* Start the check of an Open MPIC body (made here: never the client's). */
static int
check(struct mpic__diag_probe *p, const char *key, json_t *body)
{
	struct mpic__issues is;
	struct sub *s = sub_new(p, key);
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	int rc = MPIC_ENOMEM;

	json_decref(body);
	if (s == NULL || text == NULL)
		goto out;
	memset(&is, 0, sizeof(is));
	rc = mpic__request_parse(text, strlen(text), &s->req, &is);
	if (rc == 0)
		s->has_req = true;
	if (rc == 0)
		rc = mpic__check_start(p->env, &s->req, time(NULL), check_done,
		    s);
	if (rc == 0)
		p->pending++;
	else
		json_object_set_new(p->obs, key, json_pack("{s:b, s:b, s:[s]}",
		    "passed", 0, "completed", 0, "errors", is.n > 0 ?
		    is.v[0].message : mpic_strerror(rc)));
	rc = 0;
out:
	free(text);
	return rc;
}

/* The challenge of --url: acme-http-01 under acme-challenge/, else
 * website-change under pki-validation/ (mpic__diag_q_parse checked). */
static json_t *
url_body(const struct mpic__diag_q *q)
{
	static const char acme[] = "/.well-known/acme-challenge/";
	static const char pki[] = "/.well-known/pki-validation/";
	const char *host = strstr(q->url, "://") + 3;
	const char *path = host + strcspn(host, "/");
	char h[MPIC__NAME_MAX + 1];

	mpic__bufprintf(h, sizeof(h), "%.*s", (int)(path - host), host);
	if (strncmp(path, acme, sizeof(acme) - 1) == 0)
		return json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "check_type",
		    "dcv", "domain_or_ip_target", h, "dcv_check_parameters",
		    "validation_method", "acme-http-01", "token",
		    path + sizeof(acme) - 1, "key_authorization", q->expect);
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "check_type",
	    "dcv", "domain_or_ip_target", h, "dcv_check_parameters",
	    "validation_method", "website-change", "challenge_value",
	    q->expect, "http_token_path", path + sizeof(pki) - 1,
	    "url_scheme", strncmp(q->url, "https:", 6) == 0 ? "https" :
	    "http");
}

/* The CAA check, with the issuer domains of q when it has some. */
static json_t *
caa_body(const struct mpic__diag_q *q)
{
	json_t *b = json_pack("{s:s, s:s}", "check_type", "caa",
	    "domain_or_ip_target", q->name), *a;
	size_t i;

	if (b == NULL || q->n_caa == 0 || (a = json_array()) == NULL)
		return b;
	for (i = 0; i < q->n_caa; i++)
		json_array_append_new(a, json_string(q->caa[i]));
	json_object_set_new(b, "caa_check_parameters", json_pack("{s:o}",
	    "caa_domains", a));
	return b;
}

static void
deferred(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	finish_one(arg);
}

int
mpic__diag_probe_start(const struct mpic__check_env *env,
		       const struct mpic__perspective_def *def,
		       const struct mpic__diag_q *q, mpic__diag_probe_cb cb,
		       void *arg, struct mpic__diag_probe **out)
{
	struct mpic__diag_probe *p;
	uint8_t rnd[16];
	char acme[MPIC__NAME_MAX + 20];
	size_t i;
	int rc = MPIC_ENOMEM;

	*out = NULL;
	if ((p = mpic__calloc(1, sizeof(*p))) == NULL)
		goto out;
	p->env = env;
	p->def = def;
	p->q = q;
	p->cb = cb;
	p->arg = arg;
	p->obs = json_pack("{s:s, s:s}", "perspective_code", def->code, "rir",
	    mpic__rir_str(def->rir));
	if (p->obs == NULL || RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	/* the random path nobody published: the same status everywhere */
	memcpy(p->token, "mpic-diagnose-", 14);
	for (i = 0; i < sizeof(rnd); i++)
		mpic__bufprintf(p->token + 14 + 2 * i, 3, "%02x", rnd[i]);
	mpic__bufprintf(p->ka, sizeof(p->ka), "%s.%.43s", p->token,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	/* held until every start below is made: no early finish */
	p->pending = 1;
	mpic__bufprintf(p->ns_name, sizeof(p->ns_name), "%s", q->name);
	mpic__bufprintf(acme, sizeof(acme), "_acme-challenge.%s", q->name);
	if ((rc = resolve(p, "a", q->name, MPIC__RR_A, addr_done)) != 0 ||
	    (rc = resolve(p, "aaaa", q->name, MPIC__RR_AAAA, addr_done)) != 0 ||
	    (rc = resolve(p, "ns", q->name, MPIC__RR_NS, ns_done)) != 0 ||
	    (rc = resolve(p, "txt", acme, MPIC__RR_TXT, txt_done)) != 0 ||
	    (q->txt[0] != '\0' && (rc = resolve(p, "challenge_txt", q->txt,
	    MPIC__RR_TXT, txt_done)) != 0))
		goto out;
	if ((rc = check(p, "caa", caa_body(q))) != 0 ||
	    (rc = check(p, "http", json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}",
	    "check_type", "dcv", "domain_or_ip_target", q->name,
	    "dcv_check_parameters", "validation_method", "acme-http-01",
	    "token", p->token, "key_authorization", p->ka))) != 0)
		goto out;
	if (q->url[0] != '\0' && (rc = check(p, "challenge_url",
	    url_body(q))) != 0)
		goto out;
	/* A lookup or check that could not start left its entry; if the
	 * addresses never come, connect to none. */
	if (json_object_get(p->obs, "a") != NULL)
		p->addrs_done[0] = true;
	if (json_object_get(p->obs, "aaaa") != NULL)
		p->addrs_done[1] = true;
	if (p->addrs_done[0] && p->addrs_done[1])
		tcp_start(p);
	if (p->pending == 1) {
		/* nothing started at all: answer from the loop */
		struct timeval zero = { 0, 0 };

		rc = MPIC_ENOMEM;
		if ((p->defer = evtimer_new(env->base, deferred, p)) == NULL ||
		    evtimer_add(p->defer, &zero) != 0)
			goto out;
	} else {
		p->pending--;
	}
	*out = p;
	p = NULL;
	rc = 0;
out:
	if (p != NULL)
		mpic__diag_probe_free(p);
	return rc;
}

static void
finish_one(struct mpic__diag_probe *p)
{
	json_t *obs;

	if (--p->pending > 0)
		return;
	obs = p->obs;
	p->obs = NULL;
	/* the callee may free the probe */
	p->cb(p->arg, obs);
}

void
mpic__diag_probe_free(struct mpic__diag_probe *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (p->defer != NULL)
		event_free(p->defer);
	for (i = 0; i < p->n_conns; i++) {
		if (p->conns[i].ev != NULL)
			event_free(p->conns[i].ev);
		if (p->conns[i].fd >= 0)
			close(p->conns[i].fd);
	}
	for (i = 0; i < p->n_subs; i++)
		if (p->subs[i].has_req)
			mpic__request_release(&p->subs[i].req);
	json_decref(p->obs);
	mpic__free(p);
}
