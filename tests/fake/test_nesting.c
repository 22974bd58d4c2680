/*
 * test_nesting.c - the regression test of commit 04363e5 (lib/dns/
 * resolver.c): an answer libunbound completes inside ub_resolve_event()
 * of another query is delivered from the event loop, not on the stack of
 * the caller that started the new query.
 *
 * The fake libunbound (tests/fake) is told to answer every other
 * scheduled lookup of a context inside each ub_resolve_event(), as the
 * real one does when it finds their answers while it takes a new query.
 * CHAIN lookups are made, IN_FLIGHT at a time, each completion callback
 * starting the next one (bench_dns check does this).  Without the
 * per-resolver deferral each callback ran inside the previous one's
 * ub_resolve_event(): the nesting grew with the lookups in flight (about
 * 430 levels in bench_dns, then a stack overflow).  The test counts how
 * deeply completion callbacks nest and how far apart their frames lie.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>
#include <jansson.h>

#include "dns/dns.h"
#include "fake.h"

#define CHAIN 2000
#define IN_FLIGHT 200
#define MAX_NESTING 1           /* a callback inside another: never */

struct chain {
	struct mpic__resolver *r;
	unsigned started, answered, failed;
	unsigned depth, max_depth;      /* callbacks under way, nested */
	uintptr_t top, low;             /* outermost frame, deepest frame */
};

static int start_next(struct chain *c);

static void
on_answer(void *arg, const struct mpic__dns_answer *a)
{
	struct chain *c = arg;
	uintptr_t here = (uintptr_t)&here;

	c->depth++;
	if (c->depth > c->max_depth)
		c->max_depth = c->depth;
	if (c->depth == 1)
		c->top = here;
	else if (c->low == 0 || here < c->low)
		c->low = here;
	c->answered++;
	if (a->err != 0 || a->n_rrs != 1)
		c->failed++;
	if (c->started < CHAIN && start_next(c) != 0)
		c->failed++;
	c->depth--;
}

static int
start_next(struct chain *c)
{
	char name[64];

	snprintf(name, sizeof(name), "n%u.chain.test", c->started++);
	return mpic__resolve(c->r, name, MPIC__RR_A, on_answer, c);
}

/* CHAIN chained lookups through one resolver; fills c. */
static void
run_chain(struct chain *c, unsigned drain)
{
	const char *spec = "{\"zones\": {\"chain.test\": \"secure\"},"
	    " \"records\": [\"*.chain.test. A 192.0.2.1\"]}";
	struct mpic__dns_opts opts;
	struct event_base *base = event_base_new();
	struct fake_dns *w = NULL;
	json_t *j = json_loads(spec, 0, NULL);
	char err[256];
	unsigned i;

	assert_non_null(base);
	assert_non_null(j);
	assert_int_equal(fake_dns_new(j, NULL, &w, err, sizeof(err)), 0);
	fake_dns_use(w);
	memset(&opts, 0, sizeof(opts));
	opts.timeout_ms = 5000;
	memset(c, 0, sizeof(*c));
	assert_int_equal(mpic__resolver_new(base, &opts, &c->r, err,
	    sizeof(err)), 0);
	/* IN_FLIGHT lookups scheduled first; then each start answers
	 * another inside it */
	for (i = 0; i < IN_FLIGHT; i++)
		assert_int_equal(start_next(c), 0);
	fake_dns_drain_on_resolve(drain);
	while (c->answered < CHAIN &&
	    event_base_loop(base, EVLOOP_ONCE) == 0)
		;
	mpic__resolver_free(c->r);
	fake_dns_drain_on_resolve(0);
	fake_dns_use(NULL);
	fake_dns_free(w);
	json_decref(j);
	event_base_free(base);
	print_message("drain %u: %u answered, %u failed, nesting %u, "
	    "frames %zu bytes apart\n", drain, c->answered, c->failed,
	    c->max_depth, (size_t)(c->low != 0 && c->top > c->low ?
	    c->top - c->low : 0));
}

/* The control: the fake answers each lookup from its own timer. */
static void
test_chain_from_timers(void **state)
{
	struct chain c;

	(void)state;
	run_chain(&c, 0);
	assert_int_equal(c.answered, CHAIN);
	assert_int_equal(c.failed, 0);
	assert_true(c.max_depth <= MAX_NESTING);
}

/* libunbound completing other queries inside ub_resolve_event(). */
static void
test_chain_answered_inside_resolve(void **state)
{
	struct chain c;

	(void)state;
	run_chain(&c, 1);
	assert_int_equal(c.answered, CHAIN);
	assert_int_equal(c.failed, 0);
	assert_true(c.max_depth <= MAX_NESTING);
	/* a few frames, not one per lookup in flight */
	assert_true(c.low == 0 || c.top - c.low < 16 * 1024);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_from_timers),
		cmocka_unit_test(test_chain_answered_inside_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
