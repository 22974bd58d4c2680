/*
 * stats.c - what a program's health page and metrics read of an engine
 * (mpic/perspective.h, mpic/audit.h): its perspectives' counters and
 * reachability, its audit log's state; copied into structs the engine
 * owns, so that the programs never see the engine's own.
 */
#include <string.h>

#include "engine/engine_int.h"
#include "engine/perspective.h"
#include "util/curl_loop.h"

static const char *const rcode_names[MPIC_STATS_RCODES] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
	"RCODE12", "RCODE13", "RCODE14", "RCODE15", "timeout", "failed",
};
static const char *const dnssec_names[MPIC_STATS_DNSSEC__N] = {
	"indeterminate", "insecure", "secure", "bogus",
};
static const char *const outcome_names[MPIC_STATS_OUT__N] = {
	"2xx", "3xx", "4xx", "5xx", "other_status", "handshake_completed",
	"connect_failed", "tls_failed", "timed_out", "too_large", "refused",
	"error",
};

const char *
mpic_stats_rcode_name(size_t i)
{
	return i < MPIC_STATS_RCODES ? rcode_names[i] : NULL;
}

const char *
mpic_stats_dnssec_name(size_t i)
{
	return i < MPIC_STATS_DNSSEC__N ? dnssec_names[i] : NULL;
}

const char *
mpic_stats_outcome_name(size_t i)
{
	return i < MPIC_STATS_OUT__N ? outcome_names[i] : NULL;
}

static void
checks_add(struct mpic_check_stats *t, const struct mpic_check_stats *s)
{
	size_t i, j;

	for (i = 0; i < MPIC_STATS_RCODES; i++)
		for (j = 0; j < MPIC_STATS_DNSSEC__N; j++)
			t->dns[i][j] += s->dns[i][j];
	for (i = 0; i < MPIC_STATS_OUT__N; i++) {
		t->http[i] += s->http[i];
		t->alpn[i] += s->alpn[i];
	}
}

const struct mpic_check_stats *
mpic_engine_check_stats(struct mpic_engine *e)
{
	size_t i;

	if (e->checks_pub == NULL && (e->checks_pub =
	    mpic__calloc(1, sizeof(*e->checks_pub))) == NULL)
		return NULL;
	memset(e->checks_pub, 0, sizeof(*e->checks_pub));
	for (i = 0; i < e->n; i++)
		checks_add(e->checks_pub, &e->ps[i]->checks);
	if (e->primary != NULL)
		checks_add(e->checks_pub, &e->primary->checks);
	return e->checks_pub;
}

int
mpic_quorum_required(int n)
{
	return n < 2 ? n : mpic__br_min_quorum(n);
}

size_t
mpic_engine_persp_count(const struct mpic_engine *e)
{
	return e->n;
}

/* p's counters into e's public slot i (0 .. n; n: the primary). */
static const struct mpic_persp_stats *
persp_stats(struct mpic_engine *e, size_t i, const struct mpic__persp *p)
{
	struct mpic_persp_stats *st;

	if (e->persp_pub == NULL &&
	    (e->persp_pub = mpic__calloc(e->n + 1, sizeof(*st))) == NULL)
		return NULL;
	st = &e->persp_pub[i];
	st->code = p->def->code;
	st->rir = mpic__rir_str(p->def->rir);
	st->remote = p->def->url != NULL;
	st->n_passed = p->n_passed;
	st->n_failed = p->n_failed;
	st->n_errors = p->n_errors;
	st->reach = p->reach;
	st->last_call_ns = p->last_call_ns;
	st->last_error = p->last_error;
	memcpy(st->calls, p->calls, sizeof(st->calls));
	memcpy(st->call_buckets, p->call_buckets, sizeof(st->call_buckets));
	st->call_us = p->call_us;
	memcpy(st->tls_handshakes, p->tls_hs, sizeof(st->tls_handshakes));
	return st;
}

const struct mpic_persp_stats *
mpic_engine_persp_stats(struct mpic_engine *e, size_t i)
{
	return i < e->n ? persp_stats(e, i, e->ps[i]) : NULL;
}

const struct mpic_persp_stats *
mpic_engine_primary_stats(struct mpic_engine *e)
{
	return e->primary != NULL ? persp_stats(e, e->n, e->primary) : NULL;
}

const struct mpic_audit_stats *
mpic_engine_audit_stats(struct mpic_engine *e)
{
	if (e == NULL || !mpic__engine_audit_info(e, &e->audit_pub))
		return NULL;
	return &e->audit_pub;
}

void
mpic_engine_retire_connections(struct mpic_engine *e)
{
	if (e != NULL)
		mpic__curl_loop_retire(e->curl);
}

bool
mpic_engine_audit_rotate(struct mpic_engine *e)
{
	if (e == NULL || e->audit == NULL)
		return false;
	mpic__audit_rotate(e->audit);
	return true;
}
