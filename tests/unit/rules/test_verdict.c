/*
 * test_verdict.c - the verdict of lib/corroborate/verdict.c as a table:
 * every row of the BR 3.2.2.9 quorum table (2 to 12 remotes, every count
 * of corroborations), the two-RIR rule, early decision and the primary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "corroborate/corroborate.h"

#define ARIN (1u << MPIC__RIR_ARIN)
#define RIPE (1u << MPIC__RIR_RIPE)
#define APNIC (1u << MPIC__RIR_APNIC)

/* BR 3.2.2.9: remotes used -> non-corroborations allowed, written out
 * here rather than read from the code under test. */
static int
table_allowed(int n)
{
	return n <= 5 ? 1 : 2;
}

static void
test_quorum_table(void **state)
{
	int n, p;

	(void)state;
	for (n = 2; n <= 12; n++) {
		int k = n - table_allowed(n);

		assert_int_equal(mpic__br_min_quorum(n), k);
		for (p = 0; p <= n; p++) {
			struct mpic__tally t = { .passed = p, .failed = n - p,
			    .rirs_passed = p >= 2 ? ARIN | RIPE : p ? ARIN : 0 };
			struct mpic__quorum_rules r = { .perspectives = n,
			    .quorum = k, .two_rir_rule = true };
			struct mpic__verdict v;
			char want[24];

			/* one corroboration spans one RIR: with 2 remotes
			 * (quorum 1) the RIR rule needs both */
			bool met = p >= k && p >= 2;

			mpic__verdict(&t, &r, &v);
			assert_int_equal(v.met, met);
			assert_int_equal(v.valid, met);
			assert_int_equal(v.hopeless, p < k);
			assert_true(v.final);
			assert_int_equal(v.rir_rule_failed, p >= k && !met);
			snprintf(want, sizeof(want), "%d/%d", p, n);
			assert_string_equal(v.k_n, want);
		}
	}
}

static const struct row {
	const char *what;
	struct mpic__tally t;
	struct mpic__quorum_rules r;
	bool met, hopeless, rir_rule_failed, final, valid;
	const char *k_n;
} rows[] = {
	/* the two-RIR rule */
	{ "quorum from one RIR, rule in force",
	  { 4, 2, 0, ARIN, MPIC__PRIMARY_NONE }, { 6, 4, true, false },
	  false, false, true, true, false, "4/6" },
	{ "quorum from one RIR, advisory phase (no rule)",
	  { 4, 2, 0, ARIN, MPIC__PRIMARY_NONE }, { 6, 4, false, false },
	  true, false, false, true, true, "4/6" },
	{ "quorum from two RIRs",
	  { 4, 2, 0, ARIN | APNIC, MPIC__PRIMARY_NONE }, { 6, 4, true, false },
	  true, false, false, true, true, "4/6" },
	{ "below quorum from one RIR: not the RIR rule's failure",
	  { 3, 3, 0, ARIN, MPIC__PRIMARY_NONE }, { 6, 4, true, false },
	  false, true, false, true, false, "3/6" },
	{ "three RIRs, all 5 of 5",
	  { 5, 0, 0, ARIN | RIPE | APNIC, MPIC__PRIMARY_NONE },
	  { 5, 4, true, false }, true, false, false, true, true, "5/5" },
	/* early decision */
	{ "quorum met, 2 pending, early decision: final",
	  { 4, 0, 2, ARIN | RIPE, MPIC__PRIMARY_NONE }, { 6, 4, true, true },
	  true, false, false, true, true, "4/6" },
	{ "quorum met, 2 pending, waiting for all: not final",
	  { 4, 0, 2, ARIN | RIPE, MPIC__PRIMARY_NONE }, { 6, 4, true, false },
	  true, false, false, false, true, "4/6" },
	{ "3 failed of 6, quorum 4 out of reach, early: final",
	  { 1, 3, 2, ARIN, MPIC__PRIMARY_NONE }, { 6, 4, true, true },
	  false, true, false, true, false, "1/6" },
	{ "2 failed of 6, quorum 4 still possible: not final",
	  { 1, 2, 3, ARIN, MPIC__PRIMARY_NONE }, { 6, 4, true, true },
	  false, false, false, false, false, "1/6" },
	{ "quorum by one RIR with 1 pending, early: not certain",
	  { 4, 1, 1, ARIN, MPIC__PRIMARY_NONE }, { 6, 4, true, true },
	  false, false, true, false, false, "4/6" },
	{ "nothing answered yet", { 0, 0, 6, 0, MPIC__PRIMARY_NONE },
	  { 6, 4, true, true }, false, false, false, false, false, "0/6" },
	/* the primary perspective decides */
	{ "remotes met, primary passed",
	  { 5, 0, 0, ARIN | RIPE, MPIC__PRIMARY_PASSED },
	  { 5, 4, true, false }, true, false, false, true, true, "5/5" },
	{ "remotes met, primary failed: invalid",
	  { 5, 0, 0, ARIN | RIPE, MPIC__PRIMARY_FAILED },
	  { 5, 4, true, false }, true, true, false, true, false, "5/5" },
	{ "primary failed with remotes pending, early: final",
	  { 1, 0, 4, ARIN, MPIC__PRIMARY_FAILED }, { 5, 4, true, true },
	  false, true, false, true, false, "1/5" },
	{ "primary failed with remotes pending, waiting: not final",
	  { 1, 0, 4, ARIN, MPIC__PRIMARY_FAILED }, { 5, 4, true, false },
	  false, true, false, false, false, "1/5" },
	{ "remotes met, primary still out: not valid yet",
	  { 5, 0, 0, ARIN | RIPE, MPIC__PRIMARY_PENDING },
	  { 5, 4, true, false }, true, false, false, true, false, "5/5" },
	/* a request's own quorum_count above the BR minimum */
	{ "quorum_count 6 of 6, one failed",
	  { 5, 1, 0, ARIN | RIPE, MPIC__PRIMARY_NONE }, { 6, 6, true, false },
	  false, true, false, true, false, "5/6" },
};

static void
test_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *w = &rows[i];
		struct mpic__verdict v;

		mpic__verdict(&w->t, &w->r, &v);
		print_message("%s\n", w->what);
		assert_int_equal(v.met, w->met);
		assert_int_equal(v.hopeless, w->hopeless);
		assert_int_equal(v.rir_rule_failed, w->rir_rule_failed);
		assert_int_equal(v.final, w->final);
		assert_int_equal(v.valid, w->valid);
		assert_string_equal(v.k_n, w->k_n);
	}
}

static void
test_tally(void **state)
{
	struct mpic__tally t;

	(void)state;
	memset(&t, 0, sizeof(t));
	mpic__tally_add(&t, true, true, MPIC__RIR_ARIN);
	mpic__tally_add(&t, true, true, MPIC__RIR_ARIN);
	mpic__tally_add(&t, true, false, MPIC__RIR_RIPE);
	mpic__tally_add(&t, false, false, MPIC__RIR_APNIC);
	mpic__tally_add(&t, true, true, MPIC__RIR_APNIC);
	assert_int_equal(t.passed, 3);
	assert_int_equal(t.failed, 1);
	assert_int_equal(t.pending, 1);
	/* a failed or pending perspective's RIR does not count */
	assert_int_equal(t.rirs_passed, ARIN | APNIC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quorum_table),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_tally),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
