/*
 * corroborate.h - lib/corroborate: the rules of BR 3.2.2.9: RIRs,
 * distances, the quorum table and calendar, cohorts, and the verdict.
 * Internal.
 */
#ifndef MPIC__CORROBORATE_H
#define MPIC__CORROBORATE_H

#include "dns/dns.h"
#include "util/util.h"

enum mpic__rir {
	MPIC__RIR_ARIN = 0,
	MPIC__RIR_RIPE,
	MPIC__RIR_APNIC,
	MPIC__RIR_LACNIC,
	MPIC__RIR_AFRINIC,
	MPIC__RIR__COUNT
};
const char *mpic__rir_str(enum mpic__rir r);         /* "ARIN", "RIPE NCC"... */
int mpic__rir_parse(const char *s, enum mpic__rir *out); /* 0 / MPIC_EINVAL */

struct mpic__location {
	double lat, lon;
};
/* Great-circle distance in km (haversine, mean Earth radius 6371.0088). */
double mpic__distance_km(struct mpic__location a, struct mpic__location b);
#define MPIC__MIN_DISTANCE_KM 500.0

/* Non-corroborations allowed with n remote perspectives (BR table). */
int mpic__br_allowed_failures(int n);
/* Minimum quorum for n remotes: n - allowed failures; -1 if n < 2. */
int mpic__br_min_quorum(int n);

/*
 * The verdict (lib/corroborate/verdict.c): a tally of one attempt's
 * results and the rules in force in, the outcome out.  Pure: no clock, no
 * I/O; the decision, the response and the audit record all read it.
 */
enum mpic__primary_state {
	MPIC__PRIMARY_NONE,     /* no primary perspective configured */
	MPIC__PRIMARY_PENDING,
	MPIC__PRIMARY_PASSED,
	MPIC__PRIMARY_FAILED,   /* failed, or its deadline passed */
};
struct mpic__tally {
	int passed, failed, pending;
	unsigned rirs_passed;   /* bit (1 << enum mpic__rir) per passed RIR */
	enum mpic__primary_state primary;
};
struct mpic__quorum_rules {
	int perspectives;       /* n, the cohort's size: the "n" of "k/n" */
	int quorum;             /* k needed (BR table, or the request's) */
	bool two_rir_rule;      /* the corroborating remotes span >= 2 RIRs */
	bool early_decision;    /* close as soon as the outcome is certain */
};
struct mpic__verdict {
	bool met;               /* remote quorum and RIR rule hold */
	bool hopeless;          /* can no longer be met, or the primary failed */
	bool rir_rule_failed;   /* quorum reached by one RIR only */
	bool final;             /* nothing pending, or certain (early decision) */
	bool valid;             /* met, and the primary (if any) passed */
	char k_n[24];           /* "passed/perspectives" */
};
/* Count one result into *t (zeroed by the caller first). */
void mpic__tally_add(struct mpic__tally *t, bool done, bool passed,
		     enum mpic__rir rir);
void mpic__verdict(const struct mpic__tally *t,
		   const struct mpic__quorum_rules *r, struct mpic__verdict *v);

/* The BR calendar on a given day (UTC). */
struct mpic__br_phase {
	int min_remotes;      /* 2, 3, 4, 5 */
	bool quorum_blocks;   /* false during the advisory phase */
	bool two_rir_rule;    /* corroborating remotes span >= 2 RIRs */
	bool dnssec_required; /* SC-085 */
	const char *since;    /* "2026-12-15" */
};
void mpic__br_phase(time_t now, struct mpic__br_phase *out);

/* One perspective as configured. */
struct mpic__perspective_def {
	char code[64];
	enum mpic__rir rir;
	struct mpic__location loc;
	const char *url;         /* NULL: in-process */
	struct mpic__dns_opts dns; /* effective (global merged with override) */
	/* signed results (docs/evidence.md): PEM files, or NULL */
	const char *signing_key;    /* identity, in-process: private key */
	const char *signing_pubkey; /* remote: its public key, and */
	const char *signing_pubkey_previous; /* the one before a rotation */
};

/*
 * Cohorts: partition of the perspectives into disjoint groups of size k,
 * ordered by HMAC-SHA256(secret, target), each spanning >= 2 RIRs with
 * every pair >= 500 km apart.  Writes up to max_cohorts cohorts of k
 * indices each into out (row-major).  Returns the number of cohorts.
 * At most MPIC__COHORT_MAX_DEFS perspectives (none formed with more), so
 * the cohorts never hold more than that many indices in all.
 */
#define MPIC__COHORT_MAX_DEFS 128
int mpic__cohorts(const struct mpic__perspective_def *defs, size_t n,
		  size_t k, const uint8_t *secret, size_t secret_len,
		  const char *target, size_t *out, size_t max_cohorts);

#endif
