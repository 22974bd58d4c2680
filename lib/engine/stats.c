/*
 * stats.c - what a program's health page and metrics read of an engine
 * (mpic/perspective.h, mpic/audit.h): its perspectives' counters and
 * reachability, its audit log's state; copied into structs the engine
 * owns, so that the programs never see the engine's own.
 */
#include "engine/engine_int.h"
#include "util/curl_loop.h"

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
