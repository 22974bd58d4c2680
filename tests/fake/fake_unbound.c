/*
 * fake_unbound.c - the part of libunbound's API that lib/dns/resolver.c
 * calls, answered from the scenario's DNS world (fake_world.c) instead of
 * the network: a context per resolver, each lookup answered by a libevent
 * timer on the context's base after the zone's or answer's delay_ms, with
 * the packet, rcode, security status and why_bogus that libunbound's event
 * callback would give.  Linked in place of libunbound (fake.h).
 *
 * The resolver's own logic (deadline, one retry, CNAME chain, TC) runs as
 * in production: an answer scripted for "attempt": 1 fails only the first
 * asking of a name by a context.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <unbound-event.h>
#include <unbound.h>

#include "fake_world.h"

struct fq;

struct count {
	char name[FAKE_NAME_MAX];
	uint16_t type;
	unsigned n;
};

struct ub_ctx {
	struct event_base *base;
	char view[256];                 /* root-hints: names a view */
	struct fq *queries;             /* scheduled or silent */
	struct count *counts;           /* lookups per name and type */
	size_t n_counts;
};

struct fq {
	struct ub_ctx *ctx;
	struct fq *prev, *next;
	struct event *ev;               /* NULL: never answers */
	ub_event_callback_type cb;
	void *mydata;
	uint8_t *pkt;
	size_t len;
	int err, sec;
	char why[640];
	bool has_why;
};

static const struct fake_dns *world;
static json_t *qlog;
static size_t n_pending;
static unsigned long seq;               /* ties between equal delays */
static int next_id;
static unsigned drain;                  /* fake_dns_drain_on_resolve() */

void
fake_dns_drain_on_resolve(unsigned n)
{
	drain = n;
}

void
fake_dns_use(const struct fake_dns *w)
{
	world = w;
	json_decref(qlog);
	qlog = w != NULL ? json_array() : NULL;
	seq = 0;
}

json_t *
fake_dns_queries(void)
{
	return json_incref(qlog != NULL ? qlog : json_array());
}

size_t
fake_dns_pending(void)
{
	return n_pending;
}

struct ub_ctx *
ub_ctx_create_event(struct event_base *base)
{
	struct ub_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx != NULL)
		ctx->base = base;
	return ctx;
}

int
ub_ctx_set_option(struct ub_ctx *ctx, const char *opt, const char *val)
{
	if (strcmp(opt, "root-hints:") == 0)
		snprintf(ctx->view, sizeof(ctx->view), "%s", val);
	return UB_NOERROR;
}

int
ub_ctx_add_ta(struct ub_ctx *ctx, const char *ta)
{
	(void)ctx;
	(void)ta;
	return UB_NOERROR;
}

int
ub_ctx_add_ta_file(struct ub_ctx *ctx, const char *fname)
{
	(void)ctx;
	(void)fname;
	return UB_NOERROR;
}

int
ub_ctx_zone_add(struct ub_ctx *ctx, const char *zone_name,
		const char *zone_type)
{
	(void)ctx;
	(void)zone_name;
	(void)zone_type;
	return UB_NOERROR;
}

const char *
ub_strerror(int err)
{
	switch (err) {
	case UB_NOERROR: return "no error";
	case UB_NOMEM: return "out of memory";
	case UB_SYNTAX: return "syntax error";
	default: return "fake resolver error";
	}
}

static void
fq_free(struct fq *q)
{
	struct ub_ctx *ctx = q->ctx;

	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		ctx->queries = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	if (q->ev != NULL) {
		event_free(q->ev);
		n_pending--;
	}
	free(q->pkt);
	free(q);
}

void
ub_ctx_delete(struct ub_ctx *ctx)
{
	if (ctx == NULL)
		return;
	/* as libunbound: the lookups still running are dropped unanswered */
	while (ctx->queries != NULL)
		fq_free(ctx->queries);
	free(ctx->counts);
	free(ctx);
}

/* How many times this context has asked name/type, this time included. */
static unsigned
count(struct ub_ctx *ctx, const char *name, uint16_t type)
{
	size_t i;
	struct count *c;

	for (i = 0; i < ctx->n_counts; i++)
		if (ctx->counts[i].type == type &&
		    strcmp(ctx->counts[i].name, name) == 0)
			return ++ctx->counts[i].n;
	c = realloc(ctx->counts, (ctx->n_counts + 1) * sizeof(*c));
	if (c == NULL)
		return 1;
	ctx->counts = c;
	c = &c[ctx->n_counts++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->type = type;
	c->n = 1;
	return 1;
}

/* The reply as a DNS message (wire form, malloc'd); 0 or -1. */
static int
packet(const char *qname, uint16_t qtype, const struct fake_reply *r,
       uint8_t **out, size_t *len)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr *q = ldns_rr_new();
	char full[FAKE_NAME_MAX + 1];
	ldns_rdf *owner;
	size_t i;
	int rc = -1;

	snprintf(full, sizeof(full), "%s.", qname);
	owner = ldns_dname_new_frm_str(full);
	if (p == NULL || q == NULL || owner == NULL) {
		ldns_rdf_deep_free(owner);
		ldns_rr_free(q);
		goto out;
	}
	ldns_rr_set_owner(q, owner);
	ldns_rr_set_type(q, (ldns_rr_type)qtype);
	ldns_rr_set_class(q, LDNS_RR_CLASS_IN);
	ldns_rr_set_question(q, true);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, q);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_rd(p, true);
	ldns_pkt_set_ra(p, true);
	ldns_pkt_set_ad(p, r->sec == 2);
	ldns_pkt_set_tc(p, r->tc);
	ldns_pkt_set_rcode(p, (uint8_t)r->pkt_rcode);
	for (i = 0; i < ldns_rr_list_rr_count(r->an); i++)
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER,
		    ldns_rr_clone(ldns_rr_list_rr(r->an, i)));
	for (i = 0; i < ldns_rr_list_rr_count(r->ns); i++)
		ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY,
		    ldns_rr_clone(ldns_rr_list_rr(r->ns, i)));
	if (ldns_pkt2wire(out, p, len) == LDNS_STATUS_OK)
		rc = 0;
out:
	ldns_pkt_free(p);
	return rc;
}

static void
deliver(struct fq *q)
{
	q->cb(q->mydata, q->err, q->pkt, (int)q->len, q->sec,
	    q->has_why ? q->why : NULL, 0);
}

static void
fire(evutil_socket_t fd, short what, void *arg)
{
	struct fq *q = arg;

	(void)fd;
	(void)what;
	/* unlinked first: the callback may free the context */
	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		q->ctx->queries = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
	event_free(q->ev);
	q->ev = NULL;
	n_pending--;
	deliver(q);
	free(q->pkt);
	free(q);
}

/*
 * As libunbound does when it takes a new query and finds answers for
 * others meanwhile (its cache, replies that arrived): up to `drain` other
 * scheduled lookups of ctx, the oldest first, are answered now, inside
 * ub_resolve_event().  Their callbacks may start lookups, which drain
 * again, nested: the recursion lib/dns/resolver.c must not follow on its
 * caller's stack.  A callback must not delete ctx while it drains.
 */
static void
drain_others(struct ub_ctx *ctx, const struct fq *fresh)
{
	struct fq *o, *old;
	unsigned n;

	for (n = 0; n < drain; n++) {
		old = NULL;
		for (o = ctx->queries; o != NULL; o = o->next)
			if (o != fresh && o->ev != NULL)
				old = o;        /* the list is newest first */
		if (old == NULL)
			return;
		fire(-1, 0, old);
	}
}

static void
log_query(const char *view, const char *name, uint16_t type)
{
	char *t = ldns_rr_type2str((ldns_rr_type)type);

	if (qlog != NULL)
		json_array_append_new(qlog, json_pack("{s:s, s:s, s:s}",
		    "view", view, "name", name, "type", t != NULL ? t : "?"));
	free(t);
}

int
ub_resolve_event(struct ub_ctx *ctx, const char *name, int rrtype,
		 int rrclass, void *mydata, ub_event_callback_type callback,
		 int *async_id)
{
	char qname[FAKE_NAME_MAX];
	struct fake_chain chain;
	struct fake_reply r;
	struct timeval tv;
	struct fq *q = NULL;
	size_t n = strlen(name);
	int rc = UB_NOMEM;

	(void)rrclass;
	memset(&r, 0, sizeof(r));
	if (world == NULL || n == 0 || n >= FAKE_NAME_MAX)
		return UB_SYNTAX;
	snprintf(qname, sizeof(qname), "%.*s", (int)(name[n - 1] == '.' ?
	    n - 1 : n), name);
	for (n = 0; qname[n] != '\0'; n++)
		if (qname[n] >= 'A' && qname[n] <= 'Z')
			qname[n] = (char)(qname[n] - 'A' + 'a');
	fake_chain_init(&chain, world, ctx->view);
	log_query(chain.view, qname, (uint16_t)rrtype);
	fake_answer(&chain, qname, (uint16_t)rrtype,
	    count(ctx, qname, (uint16_t)rrtype), &r);
	if ((q = calloc(1, sizeof(*q))) == NULL)
		goto out;
	q->ctx = ctx;
	q->cb = callback;
	q->mydata = mydata;
	q->err = r.err;
	q->sec = r.sec;
	q->has_why = r.has_why;
	memcpy(q->why, r.why, sizeof(q->why));
	if (!r.silent && packet(qname, (uint16_t)rrtype, &r, &q->pkt,
	    &q->len) != 0)
		goto out;
	if (async_id != NULL)
		*async_id = ++next_id;
	rc = UB_NOERROR;
	if (r.sync && !r.silent) {
		/* answered inside the call, as from libunbound's cache */
		deliver(q);
		free(q->pkt);
		free(q);
		q = NULL;
		goto out;
	}
	if (!r.silent) {
		if ((q->ev = evtimer_new(ctx->base, fire, q)) == NULL) {
			rc = UB_NOMEM;
			goto out;
		}
		tv.tv_sec = r.delay_ms / 1000;
		tv.tv_usec = (suseconds_t)(r.delay_ms % 1000) * 1000 +
		    (suseconds_t)(seq++ % 1000);
		evtimer_add(q->ev, &tv);
		n_pending++;
	}
	q->next = ctx->queries;
	if (ctx->queries != NULL)
		ctx->queries->prev = q;
	ctx->queries = q;
	if (drain > 0)
		drain_others(ctx, q);
	q = NULL;
out:
	if (q != NULL) {
		free(q->pkt);
		free(q);
	}
	fake_reply_release(&r);
	return rc;
}
