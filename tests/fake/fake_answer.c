/*
 * fake_answer.c - what a validating resolver would answer from a
 * scenario's DNS world (fake_world.c) for one lookup: the rules are in
 * fake_world.c's header and docs/testing.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_world.h"

static const struct fzone root_zone = { .apex = "", .sec = FAKE_SEC_SECURE };

void
fake_chain_init(struct fake_chain *c, const struct fake_dns *w,
		const char *view)
{
	const struct fake_dns *p;
	size_t i;

	c->n = 0;
	c->view = "";
	for (p = w; view != NULL && view[0] != '\0' && p != NULL;
	    p = p->parent)
		for (i = 0; i < p->n_views; i++)
			if (strcmp(p->views[i]->view, view) == 0 &&
			    c->n == 0) {
				c->w[c->n++] = p->views[i];
				c->view = p->views[i]->view;
			}
	for (p = w; p != NULL && c->n < FAKE_CHAIN_MAX; p = p->parent)
		c->w[c->n++] = p;
}

/* The zone answering name/type: the deepest declared zone at or above it;
 * for DS at a zone's apex, the one above (the parent holds the DS). */
static const struct fzone *
zone_of(const struct fake_chain *c, const char *name, uint16_t type)
{
	const struct fzone *best = &root_zone;
	size_t i, j, blen = 0;
	bool found = false;

	for (i = 0; i < c->n; i++)
		for (j = 0; j < c->w[i]->n_zones; j++) {
			const struct fzone *z = &c->w[i]->zones[j];
			size_t l = strlen(z->apex);

			if (!fake_name_under(name, z->apex) || (type == LDNS_RR_TYPE_DS &&
			    z->apex[0] != '\0' && strcmp(z->apex, name) == 0))
				continue;
			if (!found || l > blen) {
				best = z;
				blen = l;
				found = true;
			}
		}
	return best;
}

static bool
exists(const struct fake_chain *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->w[i]->n_names > 0 && bsearch(name, c->w[i]->names,
		    c->w[i]->n_names, FAKE_NAME_MAX, fake_name_cmp) != NULL)
			return true;
	return false;
}

/* Append clones of owner/type's records to list (owned as "as"); the
 * number appended.  The first world of the chain that has such records
 * hides the others' (a view or a case replaces a record set). */
static size_t
gather(const struct fake_chain *c, const char *owner, uint16_t type,
       const char *as, ldns_rr_list *list)
{
	size_t i, k, n = 0;

	for (i = 0; i < c->n && n == 0; i++) {
		const struct fake_dns *w = c->w[i];
		size_t lo = 0, hi = w->n_recs;

		while (lo < hi) {       /* first record of owner */
			size_t mid = (lo + hi) / 2;

			if (strcmp(w->recs[mid].owner, owner) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (k = lo; k < w->n_recs &&
		    strcmp(w->recs[k].owner, owner) == 0; k++) {
			ldns_rr *rr;

			if (w->recs[k].type != type)
				continue;
			rr = ldns_rr_clone(w->recs[k].rr);
			if (as != NULL) {
				char full[FAKE_NAME_MAX + 1];

				snprintf(full, sizeof(full), "%s.", as);
				ldns_rdf_deep_free(ldns_rr_owner(rr));
				ldns_rr_set_owner(rr,
				    ldns_dname_new_frm_str(full));
			}
			ldns_rr_list_push_rr(list, rr);
			n++;
		}
	}
	return n;
}

/* Records of name/type, from a wildcard when name does not exist. */
static size_t
lookup(const struct fake_chain *c, const char *name, uint16_t type,
       ldns_rr_list *list, bool *wild_exists)
{
	char wild[FAKE_NAME_MAX + 2];
	const char *ce;

	*wild_exists = false;
	if (exists(c, name))
		return gather(c, name, type, NULL, list);
	for (ce = fake_name_up(name); ce != NULL && !exists(c, ce);
	    ce = fake_name_up(ce))
		;
	if (ce == NULL)
		return 0;
	snprintf(wild, sizeof(wild), ce[0] ? "*.%s" : "*", ce);
	if (!exists(c, wild))
		return 0;
	*wild_exists = true;
	return gather(c, wild, type, name, list);
}

static const struct fans *
answer_of(const struct fake_chain *c, const char *name, uint16_t type,
	  unsigned attempt)
{
	const struct fans *any = NULL;
	size_t i, j;

	for (i = 0; i < c->n; i++)
		for (j = 0; j < c->w[i]->n_ans; j++) {
			const struct fans *a = &c->w[i]->ans[j];

			if (a->type != type || strcmp(a->name, name) != 0)
				continue;
			if (a->attempt == attempt)
				return a;
			if (a->attempt == 0 && any == NULL)
				any = a;
		}
	return any;
}

static int
ub_sec(int sec)
{
	return sec == FAKE_SEC_SECURE ? 2 : sec == FAKE_SEC_BOGUS ? 1 : 0;
}

static void
why_text(struct fake_reply *r, const char *qname, uint16_t qtype,
	 const char *why)
{
	char *ts = ldns_rr_type2str((ldns_rr_type)qtype);

	snprintf(r->why, sizeof(r->why), "validation failure <%s. %s IN>: %s",
	    qname, ts != NULL ? ts : "?", why != NULL ? why :
	    "no signatures");
	r->has_why = true;
	free(ts);
}

/* Clones of from's records at the end of to. */
static void
append(ldns_rr_list *to, const ldns_rr_list *from)
{
	ldns_rr_list *copy = ldns_rr_list_clone(from);

	ldns_rr_list_cat(to, copy);
	ldns_rr_list_free(copy);        /* the container; to owns the rrs */
}

static void
from_answer(struct fake_reply *r, const struct fake_chain *c,
	    const struct fans *a, const char *qname, uint16_t qtype)
{
	int sec = a->sec >= 0 ? a->sec : zone_of(c, qname, qtype)->sec;

	r->err = a->rcode;
	r->pkt_rcode = a->pkt_rcode;
	r->sec = ub_sec(sec);
	if (sec == FAKE_SEC_BOGUS)
		why_text(r, qname, qtype, a->why);
	r->tc = a->tc;
	r->silent = a->silent;
	r->sync = a->sync;
	r->delay_ms = a->delay_ms;
	append(r->an, a->an);
	append(r->ns, a->ns);
}

void
fake_answer(const struct fake_chain *c, const char *qname, uint16_t qtype,
	    unsigned attempt, struct fake_reply *r)
{
	char cur[FAKE_NAME_MAX];
	const char *bogus = NULL;
	const struct fans *a;
	int worst = FAKE_SEC_SECURE;
	bool wild;
	size_t hops;

	memset(r, 0, sizeof(*r));
	r->an = ldns_rr_list_new();
	r->ns = ldns_rr_list_new();
	if ((a = answer_of(c, qname, qtype, attempt)) != NULL) {
		from_answer(r, c, a, qname, qtype);
		return;
	}
	snprintf(cur, sizeof(cur), "%s", qname);
	r->err = LDNS_RCODE_SERVFAIL;   /* a CNAME loop */
	for (hops = 0; hops < 16; hops++) {
		const struct fzone *z = zone_of(c, cur, qtype);
		ldns_rr_list *cn;

		if (z->delay_ms > r->delay_ms)
			r->delay_ms = z->delay_ms;
		r->sync |= z->sync;
		if (z->sec > worst)
			worst = z->sec;
		if (z->sec == FAKE_SEC_BOGUS && bogus == NULL)
			bogus = z->why != NULL ? z->why : "";
		if (z->server != FAKE_SRV_OK) {
			/* as libunbound reports a failing server: SERVFAIL
			 * whatever the packet says, not validated */
			r->err = LDNS_RCODE_SERVFAIL;
			r->pkt_rcode = z->server == FAKE_SRV_REFUSED ?
			    LDNS_RCODE_REFUSED : z->server ==
			    FAKE_SRV_SERVFAIL ? LDNS_RCODE_SERVFAIL : 0;
			r->silent = z->server == FAKE_SRV_SILENT;
			ldns_rr_list_deep_free(r->an);
			r->an = ldns_rr_list_new();
			return;
		}
		if (lookup(c, cur, qtype, r->an, &wild) > 0) {
			r->err = LDNS_RCODE_NOERROR;
			break;
		}
		if (qtype != LDNS_RR_TYPE_CNAME) {
			cn = ldns_rr_list_new();
			if (lookup(c, cur, LDNS_RR_TYPE_CNAME, cn, &wild) > 0) {
				ldns_rr *rr = ldns_rr_list_pop_rr(cn);

				fake_rdf_name(ldns_rr_rdf(rr, 0), cur, sizeof(cur));
				ldns_rr_list_push_rr(r->an, rr);
				ldns_rr_list_deep_free(cn);
				continue;
			}
			ldns_rr_list_deep_free(cn);
		}
		r->err = exists(c, cur) || wild ? LDNS_RCODE_NOERROR :
		    LDNS_RCODE_NXDOMAIN;
		break;
	}
	r->pkt_rcode = r->err;
	r->sec = ub_sec(worst);
	if (worst == FAKE_SEC_BOGUS)
		why_text(r, qname, qtype, bogus[0] ? bogus : NULL);
}

void
fake_reply_release(struct fake_reply *r)
{
	ldns_rr_list_deep_free(r->an);
	ldns_rr_list_deep_free(r->ns);
	r->an = r->ns = NULL;
}
