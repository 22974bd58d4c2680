/*
 * verdict.c - what a tally of perspective results means under BR 3.2.2.9:
 * the one place that turns counts into "corroborated or not".  The engine
 * asks it when an attempt may close, the response and the decision record
 * ask it for is_valid, rir_rule_failed and "k/n"; none of them derives the
 * outcome again.
 */
#include <string.h>

#include "util/util.h"
#include "corroborate/corroborate.h"

static int
rir_count(unsigned rirs)
{
	int n = 0;

	for (; rirs != 0; rirs &= rirs - 1)
		n++;
	return n;
}

void
mpic__tally_add(struct mpic__tally *t, bool done, bool passed,
		enum mpic__rir rir)
{
	if (!done)
		t->pending++;
	else if (!passed)
		t->failed++;
	else {
		t->passed++;
		if ((int)rir >= 0 && rir < MPIC__RIR__COUNT)
			t->rirs_passed |= 1u << rir;
	}
}

void
mpic__verdict(const struct mpic__tally *t, const struct mpic__quorum_rules *r,
	      struct mpic__verdict *v)
{
	bool enough = t->passed >= r->quorum;
	bool primary_failed = t->primary == MPIC__PRIMARY_FAILED;

	memset(v, 0, sizeof(*v));
	v->met = enough && (!r->two_rir_rule || rir_count(t->rirs_passed) >= 2);
	v->rir_rule_failed = enough && !v->met;
	/* hopeless: the remotes still out cannot lift the count to the
	 * quorum, or the primary, which decides, did not pass */
	v->hopeless = t->passed + t->pending < r->quorum || primary_failed;
	v->final = t->pending == 0 ||
	    (r->early_decision && (v->met || v->hopeless));
	v->valid = v->met && !primary_failed &&
	    t->primary != MPIC__PRIMARY_PENDING;
	mpic__bufprintf(v->k_n, sizeof(v->k_n), "%d/%d", t->passed,
	    r->perspectives);
}
