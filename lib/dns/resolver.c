/*
 * resolver.c - one validating recursive resolver per perspective:
 * libunbound in event mode on the caller's libevent base.
 *
 * Each lookup has a deadline of its own (a libevent timer); a lookup that
 * fails (any rcode but NOERROR/NXDOMAIN, or past its deadline) is retried
 * once, so that the
 * Baseline Requirements' "retried at least once" holds for every failure
 * we report.  libunbound cannot cancel an event-mode query, so a query
 * that passed its deadline is abandoned: its token stays on a list until
 * libunbound answers it or the resolver is freed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <unbound-event.h>
#include <unbound.h>

#include "util/util.h"
#include "dns/dns.h"

/* The IANA root trust anchors (KSK-2017 and KSK-2024). */
static const char *const iana_root_ds[] = {
	". IN DS 20326 8 2 "
	"E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
	". IN DS 38696 8 2 "
	"683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
};

struct dnsq;

/* What libunbound holds a pointer to; outlives an abandoned query. */
struct ubtok {
	struct dnsq *q;            /* NULL once abandoned */
	struct mpic__resolver *r;
	struct ubtok *prev, *next; /* on r->tokens */
};

struct dnsq {
	struct mpic__resolver *r;
	char name[MPIC__NAME_MAX + 2];
	uint16_t type;
	mpic__dns_cb cb;
	void *arg;
	struct event *timer;
	struct ubtok *tok;
	unsigned attempt;
	uint64_t start_ms;
	int starting;     /* depth of ub_resolve_event() calls under way */
	bool done;        /* answer ready, delivery pending */
	/* the answer */
	struct mpic__dns_msg msg;
	bool have_msg;
	int err;
	char err_text[128];
	int sec;
	int rcode_nopkt;  /* rcode of an answer without a packet */
	char why_bogus[512];
	bool have_why;
	struct mpic__dns_rr *rrs;
	size_t n_rrs;
	char *chain[MPIC__DNS_MAX_CNAME]; /* malloc'd names */
	size_t n_chain;
	struct dnsq *prev, *next;  /* on r->queries */
};

struct mpic__resolver {
	struct event_base *base;
	struct ub_ctx *ctx;
	unsigned timeout_ms;
	struct ubtok *tokens;
	struct dnsq *queries;
	int starting;     /* depth of ub_resolve_event() calls under way */
	struct mpic_check_stats *stats; /* or NULL */
};

const char *
mpic__dns_root_file(const char *dir, const char *name, char *buf, size_t len)
{
	int n;

	if (dir == NULL)
		dir = MPIC__DNS_ROOT_DATA_DIR;
	if (dir[0] == '\0' || len == 0)
		return NULL;
	n = snprintf(buf, len, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= len || access(buf, R_OK) != 0)
		return NULL;
	return buf;
}

void
mpic__resolver_count(struct mpic__resolver *r, struct mpic_check_stats *st)
{
	r->stats = st;
}

static int
set_opt(struct ub_ctx *ctx, const char *opt, const char *val, char *err,
	size_t errlen)
{
	int rc = ub_ctx_set_option(ctx, opt, val);

	if (rc != 0) {
		mpic__bufprintf(err, errlen, "resolver option %s %s: %s", opt,
		    val, ub_strerror(rc));
		return MPIC_ECONFIG;
	}
	return 0;
}

int
mpic__resolver_new(struct event_base *base, const struct mpic__dns_opts *opts,
		   struct mpic__resolver **out, char *err, size_t errlen)
{
	struct mpic__resolver *r = NULL;
	const char *hints = opts->root_hints, *ta = opts->trust_anchor;
	char rtt[16], hbuf[512], tbuf[512];
	size_t i;
	int rc = MPIC_ENOMEM;

	*out = NULL;
	r = mpic__calloc(1, sizeof(*r));
	if (r == NULL)
		goto out;
	r->base = base;
	r->timeout_ms = opts->timeout_ms ? opts->timeout_ms : 5000;
	r->ctx = ub_ctx_create_event(base);
	if (r->ctx == NULL) {
		mpic__bufprintf(err, errlen, "cannot create resolver context");
		goto out;
	}
	rc = MPIC_ECONFIG;
	if (opts->allow_localhost &&
	    (set_opt(r->ctx, "do-not-query-localhost:", "no", err, errlen) ||
	     set_opt(r->ctx, "do-not-query-address:", "::1", err, errlen)))
		goto out;
	/* Give up on an unresponsive server well inside our own deadline,
	 * so that a dead server shows as SERVFAIL, not as our timeout. */
	mpic__bufprintf(rtt, sizeof(rtt), "%u", r->timeout_ms / 3 < 1000 ?
	    1000 : r->timeout_ms / 3);
	if (set_opt(r->ctx, "infra-cache-max-rtt:", rtt, err, errlen))
		goto out;
	if (set_opt(r->ctx, "num-queries-per-thread:", "4096", err, errlen) ||
	    set_opt(r->ctx, "val-log-level:", "2", err, errlen))
		goto out;
	if (opts->no_aggressive_nsec &&
	    set_opt(r->ctx, "aggressive-nsec:", "no", err, errlen))
		goto out;
	if (!opts->cache &&
	    (set_opt(r->ctx, "cache-max-ttl:", "0", err, errlen) ||
	     set_opt(r->ctx, "cache-max-negative-ttl:", "0", err, errlen)))
		goto out;
	if (hints == NULL)
		hints = mpic__dns_root_file(opts->root_data_dir, "root.hints",
		    hbuf, sizeof(hbuf));
	if (ta == NULL)
		ta = mpic__dns_root_file(opts->root_data_dir, "root.key", tbuf,
		    sizeof(tbuf));
	if (hints != NULL &&
	    set_opt(r->ctx, "root-hints:", hints, err, errlen))
		goto out;
	if (ta != NULL) {
		int u = ub_ctx_add_ta_file(r->ctx, ta);

		if (u != 0) {
			mpic__bufprintf(err, errlen, "trust anchor %s: %s",
			    ta, ub_strerror(u));
			goto out;
		}
	} else {
		for (i = 0; i < sizeof(iana_root_ds) / sizeof(*iana_root_ds);
		    i++) {
			if (ub_ctx_add_ta(r->ctx, iana_root_ds[i]) != 0) {
				mpic__bufprintf(err, errlen,
				    "cannot add the IANA root trust anchor");
				goto out;
			}
		}
	}
	for (i = 0; opts->transparent_zones != NULL &&
	    opts->transparent_zones[i] != NULL; i++) {
		int u = ub_ctx_zone_add(r->ctx, opts->transparent_zones[i],
		    "transparent");

		if (u != 0) {
			mpic__bufprintf(err, errlen, "transparent zone %s: %s",
			    opts->transparent_zones[i], ub_strerror(u));
			goto out;
		}
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	mpic__resolver_free(r);
	return rc;
}

static void
clear_chain(struct dnsq *q)
{
	size_t i;

	for (i = 0; i < q->n_chain; i++)
		mpic__free(q->chain[i]);
	q->n_chain = 0;
}

static void
query_free(struct dnsq *q)
{
	if (q == NULL)
		return;
	if (q->timer != NULL)
		event_free(q->timer);
	mpic__dns_msg_release(&q->msg);
	mpic__free(q->rrs);
	clear_chain(q);
	mpic__free(q);
}

static void
unlink_query(struct dnsq *q)
{
	struct mpic__resolver *r = q->r;

	if (q->prev != NULL)
		q->prev->next = q->next;
	else if (r->queries == q)
		r->queries = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	q->prev = q->next = NULL;
}

static void
tok_free(struct ubtok *t)
{
	struct mpic__resolver *r = t->r;

	if (t->prev != NULL)
		t->prev->next = t->next;
	else if (r->tokens == t)
		r->tokens = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	mpic__free(t);
}

void
mpic__resolver_free(struct mpic__resolver *r)
{
	struct dnsq *q, *qn;

	if (r == NULL)
		return;
	/* Deleting the context drops its queries without callbacks. */
	if (r->ctx != NULL)
		ub_ctx_delete(r->ctx);
	while (r->tokens != NULL)
		tok_free(r->tokens);
	for (q = r->queries; q != NULL; q = qn) {
		qn = q->next;
		query_free(q);
	}
	mpic__free(r);
}

static void
deliver(struct dnsq *q)
{
	struct mpic__dns_answer a;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.qname = q->name;
	a.qtype = q->type;
	a.err = q->err;
	a.err_text = q->err ? q->err_text : NULL;
	a.rcode = q->have_msg ? q->msg.rcode : q->rcode_nopkt;
	if (q->sec == 2)
		a.dnssec = MPIC__DNSSEC_SECURE;
	else if (q->sec == 1)
		a.dnssec = MPIC__DNSSEC_BOGUS;
	else if (q->err == 0 && (a.rcode == MPIC__RCODE_NOERROR ||
	    a.rcode == MPIC__RCODE_NXDOMAIN))
		a.dnssec = MPIC__DNSSEC_INSECURE;
	else
		a.dnssec = MPIC__DNSSEC_INDETERMINATE;
	a.why_bogus = q->have_why ? q->why_bogus : NULL;
	a.tc = q->have_msg && q->msg.tc;
	a.canonname = q->n_chain ? q->chain[q->n_chain - 1] : q->name;
	for (i = 0; i < q->n_chain; i++)
		a.cname_chain[i] = q->chain[i];
	a.n_cname = q->n_chain;
	a.rrs = q->rrs;
	a.n_rrs = q->n_rrs;
	a.msg = q->have_msg ? &q->msg : NULL;
	a.duration_ms = (unsigned)(mpic__now_mono_ms() - q->start_ms);
	a.attempts = q->attempt;
	if (q->r->stats != NULL) {
		int rc = a.err == MPIC_ETIMEDOUT ? MPIC_STATS_RCODE_TIMEOUT :
		    a.err != 0 && !q->have_msg ? MPIC_STATS_RCODE_FAILED :
		    a.rcode >= 0 && a.rcode < 16 ? a.rcode :
		    MPIC_STATS_RCODE_FAILED;

		/* lib/dns's enum is the public order */
		q->r->stats->dns[rc][a.dnssec]++;
	}
	unlink_query(q);
	q->cb(q->arg, &a);
	query_free(q);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg);

static void ub_cb(void *arg, int err, void *pkt, int len, int sec,
		  char *why_bogus, int ratelimited);

static int
start_attempt(struct dnsq *q)
{
	struct mpic__resolver *r = q->r;
	struct ubtok *t;
	struct timeval tv;
	int id = 0, u;

	t = mpic__calloc(1, sizeof(*t));
	if (t == NULL)
		return MPIC_ENOMEM;
	t->q = q;
	t->r = r;
	t->next = r->tokens;
	if (r->tokens != NULL)
		r->tokens->prev = t;
	r->tokens = t;
	q->tok = t;
	q->attempt++;
	tv.tv_sec = r->timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(r->timeout_ms % 1000) * 1000;
	evtimer_add(q->timer, &tv);
	/* libunbound may answer (and we may retry) inside this call: q
	 * stays alive until every nested call has returned (see finish()) */
	q->starting++;
	r->starting++;
	u = ub_resolve_event(r->ctx, q->name, q->type, 1, t, ub_cb, &id);
	r->starting--;
	q->starting--;
	if (u != 0) {
		/* libunbound did not take the token: no lookup was made, so
		 * this attempt does not count (the carve-out for lookup
		 * failures needs a real retry) */
		q->attempt--;
		if (q->tok == t) {
			q->tok = NULL;
			tok_free(t);
		}
		evtimer_del(q->timer);
		mpic__bufprintf(q->err_text, sizeof(q->err_text), "%s",
		    ub_strerror(u));
		return MPIC_EDNS;
	}
	return 0;
}

/* Release the previous attempt's answer before a retry. */
static void
reset_answer(struct dnsq *q)
{
	mpic__dns_msg_release(&q->msg);
	q->have_msg = false;
	mpic__free(q->rrs);
	q->rrs = NULL;
	q->n_rrs = 0;
	clear_chain(q);
	q->err = 0;
	q->sec = 0;
	q->rcode_nopkt = MPIC__RCODE_SERVFAIL;
	q->have_why = false;
}

static void
finish(struct dnsq *q)
{
	struct timeval zero = {0, 0};

	q->done = true;
	evtimer_del(q->timer);
	if (q->starting > 0 || q->r->starting > 0) {
		/* answered inside ub_resolve_event(), this query's or another
		 * one's (libunbound completes other queries while it takes a
		 * new one): deliver from the loop so that the caller's stack
		 * unwinds first.  Otherwise a callback that starts the next
		 * lookup recursed without bound (bench_dns, 500 in flight,
		 * overflowed the stack of the plain build) */
		evtimer_add(q->timer, &zero);
		return;
	}
	deliver(q);
}

/* Retry once; keeps the failed answer when no retry is possible. */
static void
finish_or_retry(struct dnsq *q, bool retryable)
{
	int err = q->err;
	char text[sizeof(q->err_text)];

	if (retryable && q->attempt < 2) {
		memcpy(text, q->err_text, sizeof(text));
		reset_answer(q);
		if (start_attempt(q) == 0)
			return;
		/* the retry could not start: report the first failure */
		q->err = err ? err : MPIC_EDNS;
		if (err)
			memcpy(q->err_text, text, sizeof(text));
	}
	finish(q);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dnsq *q = arg;

	(void)fd;
	(void)what;
	if (q->done) {
		deliver(q);
		return;
	}
	/* Deadline: abandon the attempt; libunbound still owns the token. */
	if (q->tok != NULL) {
		q->tok->q = NULL;
		q->tok = NULL;
	}
	reset_answer(q);
	q->err = MPIC_ETIMEDOUT;
	mpic__bufprintf(q->err_text, sizeof(q->err_text),
	    "no answer within %u ms (attempt %u)", q->r->timeout_ms,
	    q->attempt);
	finish_or_retry(q, true);
}

/* Follow the CNAME chain from qname; collect the records of qtype. */
static int
digest_answer(struct dnsq *q)
{
	const char *cur = q->name;
	size_t i, n = 0, hops;
	bool moved;

	for (hops = 0; hops < MPIC__DNS_MAX_CNAME; hops++) {
		moved = false;
		for (i = 0; i < q->msg.n_an; i++) {
			struct mpic__dns_rr *rr = &q->msg.an[i];
			char target[MPIC__NAME_MAX + 2];

			if (rr->type != MPIC__RR_CNAME || q->type ==
			    MPIC__RR_CNAME || !mpic__name_eq(rr->owner, cur))
				continue;
			if (mpic__dns_rdata_name(rr->rdata, rr->rdlen, target,
			    sizeof(target)) != 0)
				return MPIC_EPARSE;
			q->chain[q->n_chain] = mpic__strdup(target);
			if (q->chain[q->n_chain] == NULL)
				return MPIC_ENOMEM;
			cur = q->chain[q->n_chain++];
			moved = true;
			break;
		}
		if (!moved)
			break;
	}
	for (i = 0; i < q->msg.n_an; i++)
		if (q->msg.an[i].type == q->type &&
		    mpic__name_eq(q->msg.an[i].owner, cur))
			n++;
	if (n == 0)
		return 0;
	q->rrs = mpic__calloc(n, sizeof(*q->rrs));
	if (q->rrs == NULL)
		return MPIC_ENOMEM;
	for (i = 0; i < q->msg.n_an; i++)
		if (q->msg.an[i].type == q->type &&
		    mpic__name_eq(q->msg.an[i].owner, cur))
			q->rrs[q->n_rrs++] = q->msg.an[i];
	return 0;
}

static void
ub_cb(void *arg, int err, void *pkt, int len, int sec, char *why_bogus,
      int ratelimited)
{
	struct ubtok *t = arg;
	struct dnsq *q = t->q;
	bool retry;
	int rcode;

	(void)ratelimited;
	tok_free(t);
	if (q == NULL)
		return; /* abandoned after its deadline */
	q->tok = NULL;
	q->sec = sec;
	if (why_bogus != NULL) {
		mpic__bufprintf(q->why_bogus, sizeof(q->why_bogus), "%s",
		    why_bogus);
		q->have_why = true;
	}
	if (err > 0 && (pkt == NULL || len < 4 ||
	    (((const uint8_t *)pkt)[3] & 0x0f) != err)) {
		/* In event mode a positive code is the answer's DNS rcode.
		 * On a failure (SERVFAIL) libunbound may hand over a packet
		 * that says NOERROR: that packet is not the answer, and
		 * reading it would turn a failure into "no records". */
		q->rcode_nopkt = err;
	} else if (err < 0) {
		q->err = MPIC_EDNS;
		mpic__bufprintf(q->err_text, sizeof(q->err_text), "%s",
		    ub_strerror(err));
	} else if (pkt == NULL || len <= 0 ||
	    mpic__dns_msg_parse(pkt, (size_t)len, &q->msg) != 0) {
		q->err = MPIC_EDNS;
		mpic__bufprintf(q->err_text, sizeof(q->err_text),
		    "malformed answer from the resolver");
	} else {
		q->have_msg = true;
		if (q->msg.tc) {
			/* libunbound fetched over TCP what did not fit over
			 * UDP; TC from it means the answer it made for us
			 * (CNAME chain, signatures and all) did not fit its
			 * 64 KiB and a record set was left out: reading the
			 * rest as the whole answer could turn "records
			 * present" into "none" (RFC 8659: a failure) */
			q->err = MPIC_EDNS;
			mpic__bufprintf(q->err_text, sizeof(q->err_text),
			    "truncated answer (TC): a record set did not fit "
			    "in the resolver's answer");
		} else if (digest_answer(q) != 0) {
			q->err = MPIC_EDNS;
			mpic__bufprintf(q->err_text, sizeof(q->err_text),
			    "malformed CNAME chain in the answer");
		}
	}
	rcode = q->have_msg ? q->msg.rcode : q->rcode_nopkt;
	retry = sec != 1 && (q->err != 0 || (rcode != MPIC__RCODE_NOERROR &&
	    rcode != MPIC__RCODE_NXDOMAIN));
	finish_or_retry(q, retry);
}

int
mpic__resolve(struct mpic__resolver *r, const char *name, uint16_t type,
	      mpic__dns_cb cb, void *arg)
{
	struct dnsq *q;
	size_t n = strlen(name);
	int rc;

	if (n == 0 || n > MPIC__NAME_MAX + 1)
		return MPIC_EINVAL;
	q = mpic__calloc(1, sizeof(*q));
	if (q == NULL)
		return MPIC_ENOMEM;
	memcpy(q->name, name, n + 1);
	q->r = r;
	q->type = type;
	q->cb = cb;
	q->arg = arg;
	q->start_ms = mpic__now_mono_ms();
	q->rcode_nopkt = MPIC__RCODE_SERVFAIL;
	q->timer = evtimer_new(r->base, timer_cb, q);
	if (q->timer == NULL) {
		query_free(q);
		return MPIC_ENOMEM;
	}
	q->next = r->queries;
	if (r->queries != NULL)
		r->queries->prev = q;
	r->queries = q;
	rc = start_attempt(q);
	if (rc != 0) {
		unlink_query(q);
		query_free(q);
		return rc;
	}
	return 0;
}
