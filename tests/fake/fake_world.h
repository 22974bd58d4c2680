/*
 * fake_world.h - a scenario's DNS world (fake_world.c loads it) and the
 * answer a validating resolver would give from it (fake_answer.c); used by
 * fake_unbound.c.
 */
#ifndef MPIC_TEST_FAKE_WORLD_H
#define MPIC_TEST_FAKE_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "fake.h"

#define FAKE_NAME_MAX 256       /* presentation, lowercase, no final dot */
#define FAKE_CHAIN_MAX 8

/* DNSSEC states, from best to worst: the worst along a CNAME chain wins. */
enum { FAKE_SEC_SECURE = 0, FAKE_SEC_INSECURE, FAKE_SEC_BOGUS };

/* A zone's servers, as the resolver sees them. */
enum {
	FAKE_SRV_OK = 0,
	FAKE_SRV_REFUSED,       /* SERVFAIL, the packet says REFUSED */
	FAKE_SRV_SERVFAIL,      /* SERVFAIL */
	FAKE_SRV_UNREACHABLE,   /* SERVFAIL, the packet a NOERROR referral */
	FAKE_SRV_SILENT,        /* no answer: the resolver's deadline */
};

#define FAKE_MAX_VIEWS 8

/* A world, as fake_world.c loads it. */
struct fzone {
	char apex[FAKE_NAME_MAX];       /* "" is the root */
	int sec;                        /* FAKE_SEC_* */
	char *why;                      /* why_bogus, or NULL */
	int server;                     /* FAKE_SRV_* */
	unsigned delay_ms;
	bool sync;
};

struct frec {
	char owner[FAKE_NAME_MAX];
	uint16_t type;
	ldns_rr *rr;
};

struct fans {
	char name[FAKE_NAME_MAX];
	uint16_t type;
	unsigned attempt;               /* 0: every attempt */
	int rcode, pkt_rcode;
	int sec;                        /* -1: the zone's */
	char *why;
	bool tc, silent, sync;
	unsigned delay_ms;
	ldns_rr_list *an, *ns;
};

struct fake_dns {
	const struct fake_dns *parent;
	char view[64];
	struct fzone *zones;
	size_t n_zones;
	struct frec *recs;              /* sorted by owner, then type */
	size_t n_recs;
	char (*names)[FAKE_NAME_MAX];   /* owners and their ancestors, sorted */
	size_t n_names;
	struct fans *ans;
	size_t n_ans;
	struct fake_dns *views[FAKE_MAX_VIEWS];
	size_t n_views;
};

/* Names: presentation form, lowercase, no final dot ("" the root). */
void fake_rdf_name(const ldns_rdf *rdf, char *out, size_t outlen);
const char *fake_name_up(const char *n);        /* NULL above the root */
bool fake_name_under(const char *n, const char *apex);
int fake_name_cmp(const void *a, const void *b);        /* strcmp */

/* The worlds one lookup consults, first to last: a view, then the
 * world in use and its parents. */
struct fake_chain {
	const struct fake_dns *w[FAKE_CHAIN_MAX];
	size_t n;
	const char *view;       /* "" when none */
};
void fake_chain_init(struct fake_chain *c, const struct fake_dns *w,
		     const char *view);

/* One answer, as libunbound's event callback gets it. */
struct fake_reply {
	int err;                /* the callback's rcode */
	int pkt_rcode;          /* the packet's */
	int sec;                /* 0 insecure, 1 bogus, 2 secure */
	char why[640];
	bool has_why;
	bool tc, silent, sync;
	unsigned delay_ms;
	ldns_rr_list *an, *ns;  /* answer and authority sections */
};
/* The answer to qname/qtype (normalised name) on its attempt-th asking
 * (1-based) by one resolver.  Release with fake_reply_release(). */
void fake_answer(const struct fake_chain *c, const char *qname,
		 uint16_t qtype, unsigned attempt, struct fake_reply *r);
void fake_reply_release(struct fake_reply *r);

#endif
