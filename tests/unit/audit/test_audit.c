/*
 * test_audit.c - the audit log: chain across reopen, group commit,
 * callbacks only after durability, write failures, a stuck fdatasync
 * (records wait in order, the queue is bounded), refusal of a damaged
 * tail, verification of tampered logs, concurrent appends, records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "audit/audit.h"

struct fix {
	char dir[64];
	char path[128];
	struct event_base *base;
};

struct cbstate {
	struct mpic__audit *a;
	int calls;
	int errors;
	int early;           /* callbacks that ran before durability */
	uint64_t last_seq;
	bool out_of_order;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mpic-audit.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/audit.jsonl", f->dir);
	f->base = event_base_new();
	assert_non_null(f->base);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char p[160];

	unlink(f->path);
	snprintf(p, sizeof(p), "%s.bad", f->path);
	unlink(p);
	rmdir(f->dir);
	event_base_free(f->base);
	free(f);
	return 0;
}

static void
on_durable(void *arg, int err, uint64_t seq)
{
	struct cbstate *s = arg;
	struct mpic__audit_stats st;

	s->calls++;
	if (err != 0)
		s->errors++;
	if (err == 0) {
		mpic__audit_stats(s->a, &st);
		if (st.durable_seq < seq)
			s->early++;
	}
	if (seq <= s->last_seq)
		s->out_of_order = true;
	s->last_seq = seq;
}

static json_t *
rec(int i)
{
	return json_pack("{s:s, s:s, s:i, s:s}", "type", "perspective",
	    "audit_id", "0123456789abcdef0123456789abcdef", "n", i, "result",
	    "pass");
}

static void
append_n(struct mpic__audit *a, struct cbstate *s, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		json_t *r = rec(i);

		assert_int_equal(mpic__audit_append(a, r, on_durable, s), 0);
		json_decref(r);
	}
}

static void
pump(struct event_base *b, struct cbstate *s, int want)
{
	while (s->calls < want)
		assert_int_equal(event_base_loop(b, EVLOOP_ONCE), 0);
}

/* A log of n records at f->path. */
static void
make_log(struct fix *f, int n)
{
	struct cbstate s = {0};
	char err[512] = "";

	assert_int_equal(mpic__audit_open(f->base, f->path, &s.a, err,
	    sizeof(err)), 0);
	append_n(s.a, &s, n);
	pump(f->base, &s, n);
	assert_int_equal(s.errors, 0);
	mpic__audit_close(s.a);
}

static void
test_chain_across_reopen(void **state)
{
	struct fix *f = *state;
	struct mpic_audit_report rep;
	struct mpic__audit_stats st;
	struct cbstate s = {0};
	char err[512] = "";

	make_log(f, 3);
	assert_int_equal(mpic__audit_open(f->base, f->path, &s.a, err,
	    sizeof(err)), 0);
	mpic__audit_stats(s.a, &st);
	assert_int_equal(st.next_seq, 4);
	append_n(s.a, &s, 2);
	pump(f->base, &s, 2);
	assert_int_equal(s.last_seq, 5);
	mpic__audit_close(s.a);
	assert_int_equal(mpic_audit_verify(f->path, &rep), 0);
	assert_int_equal(rep.records, 5);
	assert_string_equal(rep.problem, "");
}

static void
test_group_commit_and_durability(void **state)
{
	struct fix *f = *state;
	struct mpic__audit_stats st;
	struct cbstate s = {0};
	char err[512] = "";
	int i;

	assert_int_equal(mpic__audit_open(f->base, f->path, &s.a, err,
	    sizeof(err)), 0);
	mpic__audit_test_hold(s.a, true);
	append_n(s.a, &s, 100);
	/* Held: nothing is durable, so no callback may run. */
	for (i = 0; i < 5; i++) {
		usleep(10000);
		event_base_loop(f->base, EVLOOP_NONBLOCK);
	}
	assert_int_equal(s.calls, 0);
	mpic__audit_stats(s.a, &st);
	assert_int_equal(st.groups, 0);
	assert_int_equal(st.durable_seq, 0);
	mpic__audit_test_hold(s.a, false);
	pump(f->base, &s, 100);
	mpic__audit_stats(s.a, &st);
	/* All 100 queued while the writer was held: one write + fdatasync. */
	assert_int_equal(st.records, 100);
	assert_int_equal(st.groups, 1);
	assert_int_equal(st.durable_seq, 100);
	assert_int_equal(s.early, 0);
	assert_int_equal(s.errors, 0);
	assert_false(s.out_of_order);
	mpic__audit_close(s.a);
}

static void
test_write_failure_is_sticky(void **state)
{
	struct fix *f = *state;
	struct mpic_audit_report rep;
	struct cbstate s = {0};
	char err[512] = "";
	json_t *r;

	assert_int_equal(mpic__audit_open(f->base, f->path, &s.a, err,
	    sizeof(err)), 0);
	append_n(s.a, &s, 2);
	pump(f->base, &s, 2);
	assert_int_equal(s.errors, 0);
	mpic__audit_test_hold(s.a, true);
	append_n(s.a, &s, 3);
	mpic__audit_test_fail(s.a, EIO);
	mpic__audit_test_hold(s.a, false);
	pump(f->base, &s, 5);
	assert_int_equal(s.errors, 3);
	r = rec(9);
	assert_int_equal(mpic__audit_append(s.a, r, on_durable, &s), MPIC_EIO);
	json_decref(r);
	mpic__audit_close(s.a);
	assert_int_equal(s.calls, 5);
	assert_int_equal(mpic_audit_verify(f->path, &rep), 0);
	assert_int_equal(rep.records, 2);
}

static void
test_append_refusals(void **state)
{
	struct fix *f = *state;
	struct cbstate s = {0};
	char err[512] = "", *big;
	json_t *r;

	assert_int_equal(mpic__audit_open(f->base, f->path, &s.a, err,
	    sizeof(err)), 0);
	r = json_pack("{s:s}", "hash", "x");
	assert_int_equal(mpic__audit_append(s.a, r, on_durable, &s),
	    MPIC_EINVAL);
	json_decref(r);
	r = json_array();
	assert_int_equal(mpic__audit_append(s.a, r, on_durable, &s),
	    MPIC_EINVAL);
	json_decref(r);
	big = calloc(1, MPIC_AUDIT_LINE_MAX);
	assert_non_null(big);
	memset(big, 'x', MPIC_AUDIT_LINE_MAX - 1);
	r = json_pack("{s:s}", "big", big);
	assert_int_equal(mpic__audit_append(s.a, r, on_durable, &s),
	    MPIC_ETOOBIG);
	json_decref(r);
	free(big);
	mpic__audit_close(s.a);
	assert_int_equal(s.calls, 0);
}

/* ------------------------------------------------------------ stalls */

/* Wait (at most 5 s) until the writer is inside a write + fdatasync. */
static void
wait_in_io(struct mpic__audit *a)
{
	struct mpic__audit_stats st;
	int i;

	for (i = 0; i < 500; i++) {
		mpic__audit_stats(a, &st);
		if (st.io_since_ms != 0)
			return;
		usleep(10000);
	}
	fail_msg("the writer never started a group");
}

/*
 * A stuck fdatasync (the stall hook holds the writer where it calls
 * fdatasync, after its write): nothing is acknowledged, the age of the
 * oldest record grows, later appends queue behind it; when the call
 * returns, every record is durable, acknowledged in order, the chain
 * intact.  A stall is not a failure: appends go on being accepted.
 */
static void
test_stuck_sync_keeps_order(void **state)
{
	struct fix *f = *state;
	struct mpic_audit_report rep;
	struct mpic__audit_stats st;
	struct cbstate s = {0};
	char err[512] = "";
	uint64_t t0;
	int i;

	assert_int_equal(mpic__audit_open(f->base, f->path, &s.a, err,
	    sizeof(err)), 0);
	/* one group for these two, however soon the writer wakes */
	mpic__audit_batch(s.a, true);
	append_n(s.a, &s, 2);
	mpic__audit_batch(s.a, false);
	pump(f->base, &s, 2);
	mpic__audit_stats(s.a, &st);
	assert_int_equal(st.pending, 0);
	assert_true(st.pending_since_ms == 0 && st.io_since_ms == 0);

	mpic__audit_test_stall(s.a, true);
	t0 = mpic__now_mono_ms();
	append_n(s.a, &s, 3);
	wait_in_io(s.a);
	append_n(s.a, &s, 4);   /* behind the stuck group */
	for (i = 0; i < 15; i++) {
		usleep(10000);
		event_base_loop(f->base, EVLOOP_NONBLOCK);
	}
	assert_int_equal(s.calls, 2);
	mpic__audit_stats(s.a, &st);
	assert_int_equal(st.pending, 7);
	assert_true(st.pending_bytes > 7 * 100);
	assert_int_equal(st.durable_seq, 2);
	assert_int_equal(st.next_seq, 10);
	assert_int_equal(st.broken, 0);
	assert_true(st.pending_since_ms >= t0);
	assert_true(mpic__now_mono_ms() - st.pending_since_ms >= 150);
	assert_true(st.io_since_ms >= st.pending_since_ms);

	mpic__audit_test_stall(s.a, false);
	pump(f->base, &s, 9);
	assert_int_equal(s.errors, 0);
	assert_int_equal(s.early, 0);
	assert_false(s.out_of_order);
	mpic__audit_stats(s.a, &st);
	assert_int_equal(st.pending, 0);
	assert_int_equal(st.pending_since_ms, 0);
	assert_int_equal(st.durable_seq, 9);
	/* the stuck group, then the 4 queued behind it */
	assert_int_equal(st.groups, 3);
	mpic__audit_close(s.a);
	assert_int_equal(mpic_audit_verify(f->path, &rep), 0);
	assert_int_equal(rep.records, 9);
}

/*
 * While stuck, the queue is bounded: appends beyond MPIC__AUDIT_QUEUE_MAX
 * records not yet durable (the stuck group counts) are refused at once
 * with MPIC_EAGAIN, without a callback and without taking a seq; when the
 * disk answers, every accepted record is written and appends work again.
 */
static void
test_queue_bound_while_stuck(void **state)
{
	struct fix *f = *state;
	struct mpic_audit_report rep;
	struct mpic__audit_stats st;
	struct cbstate s = {0};
	char err[512] = "";
	json_t *r = rec(1);
	int n = 1, rc;

	assert_int_equal(mpic__audit_open(f->base, f->path, &s.a, err,
	    sizeof(err)), 0);
	mpic__audit_test_stall(s.a, true);
	assert_int_equal(mpic__audit_append(s.a, r, on_durable, &s), 0);
	wait_in_io(s.a);
	while ((rc = mpic__audit_append(s.a, r, on_durable, &s)) == 0)
		n++;
	assert_int_equal(rc, MPIC_EAGAIN);
	assert_int_equal(n, MPIC__AUDIT_QUEUE_MAX);
	mpic__audit_stats(s.a, &st);
	assert_int_equal(st.pending, MPIC__AUDIT_QUEUE_MAX);
	assert_int_equal(st.next_seq, (uint64_t)MPIC__AUDIT_QUEUE_MAX + 1);
	assert_int_equal(st.broken, 0);
	mpic__audit_test_stall(s.a, false);
	pump(f->base, &s, n);
	assert_int_equal(s.errors, 0);
	assert_false(s.out_of_order);
	assert_int_equal(mpic__audit_append(s.a, r, on_durable, &s), 0);
	pump(f->base, &s, n + 1);
	json_decref(r);
	mpic__audit_close(s.a);
	assert_int_equal(mpic_audit_verify(f->path, &rep), 0);
	assert_int_equal(rep.records, (uint64_t)n + 1);
}

/* Closing while stuck waits for the disk, then acknowledges everything. */
static void
test_close_while_stuck(void **state)
{
	struct fix *f = *state;
	struct mpic_audit_report rep;
	struct cbstate s = {0};
	char err[512] = "";

	assert_int_equal(mpic__audit_open(f->base, f->path, &s.a, err,
	    sizeof(err)), 0);
	mpic__audit_test_stall(s.a, true);
	append_n(s.a, &s, 2);
	wait_in_io(s.a);
	append_n(s.a, &s, 3);
	mpic__audit_close(s.a);
	assert_int_equal(s.calls, 5);
	assert_int_equal(s.errors, 0);
	assert_int_equal(mpic_audit_verify(f->path, &rep), 0);
	assert_int_equal(rep.records, 5);
}

/* ------------------------------------------------------------ files */

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;

	assert_non_null(fp);
	buf = calloc(1, 1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, fp);
	fclose(fp);
	return buf;
}

static void
spit(const char *path, const char *buf, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	fclose(fp);
}

/* Split into lines (each with its '\n'); returns the count. */
static int
lines(char *buf, size_t len, char **start, size_t *llen, int max)
{
	size_t i, b = 0;
	int n = 0;

	for (i = 0; i < len && n < max; i++)
		if (buf[i] == '\n') {
			start[n] = buf + b;
			llen[n++] = i + 1 - b;
			b = i + 1;
		}
	return n;
}

/* Rewrite f->path as the given lines of the original, in order. */
static void
rewrite(struct fix *f, char **start, size_t *llen, const int *pick, int n)
{
	FILE *fp = fopen(f->path, "wb");
	int i;

	assert_non_null(fp);
	for (i = 0; i < n; i++)
		fwrite(start[pick[i]], 1, llen[pick[i]], fp);
	fclose(fp);
}

static void
expect_bad(struct fix *f, uint64_t line, uint64_t seq, const char *what)
{
	struct mpic_audit_report rep;

	assert_int_equal(mpic_audit_verify(f->path, &rep), MPIC_EPARSE);
	assert_int_equal(rep.line, line);
	assert_int_equal(rep.seq, seq);
	if (strstr(rep.problem, what) == NULL)
		fail_msg("problem \"%s\" does not mention \"%s\"", rep.problem,
		    what);
}

static void
test_verify_detects_tampering(void **state)
{
	struct fix *f = *state;
	struct mpic_audit_report rep;
	char *orig, *copy, *start[8], *p;
	size_t len, llen[8];
	int n;

	make_log(f, 5);
	orig = slurp(f->path, &len);
	n = lines(orig, len, start, llen, 8);
	assert_int_equal(n, 5);
	assert_int_equal(mpic_audit_verify(f->path, &rep), 0);
	assert_int_equal(rep.records, 5);

	/* a modified field */
	copy = malloc(len);
	memcpy(copy, orig, len);
	p = strstr(copy + (start[2] - orig), "\"pass\"");
	assert_non_null(p);
	memcpy(p, "\"fail\"", 6);
	spit(f->path, copy, len);
	expect_bad(f, 3, 3, "hash mismatch");
	free(copy);

	/* a deleted line */
	rewrite(f, start, llen, (const int[]){0, 1, 3, 4}, 4);
	expect_bad(f, 3, 4, "seq 4 where 3 was expected");
	/* the first line deleted */
	rewrite(f, start, llen, (const int[]){1, 2, 3, 4}, 4);
	expect_bad(f, 1, 2, "seq 2 where 1 was expected");
	/* reordered lines */
	rewrite(f, start, llen, (const int[]){0, 2, 1, 3, 4}, 5);
	expect_bad(f, 2, 3, "seq 3 where 2 was expected");
	/* a repeated line */
	rewrite(f, start, llen, (const int[]){0, 1, 1, 2}, 4);
	expect_bad(f, 3, 2, "seq 2 where 3 was expected");

	/* a torn last line */
	spit(f->path, orig, len - 10);
	assert_int_equal(mpic_audit_verify(f->path, &rep), MPIC_EPARSE);
	assert_true(rep.torn);
	assert_int_equal(rep.line, 5);
	assert_int_equal(rep.records, 4);
	assert_non_null(strstr(rep.problem, "torn"));

	/* not JSON */
	spit(f->path, "{\"seq\":1,\n", 10);
	expect_bad(f, 1, 0, "not valid JSON");
	/* no hash field */
	spit(f->path, "{\"seq\":1}\n", 10);
	expect_bad(f, 1, 0, "\"hash\" field");
	free(orig);
}

/* prev changed and the line's hash recomputed: only the chain shows it. */
static void
test_verify_detects_bad_prev(void **state)
{
	struct fix *f = *state;
	char *orig, *start[8], *p, line[4096], hex[65];
	size_t len, llen[8], cut;
	uint8_t d[32];
	FILE *fp;
	int i;

	make_log(f, 3);
	orig = slurp(f->path, &len);
	assert_int_equal(lines(orig, len, start, llen, 8), 3);
	assert_true(llen[1] < sizeof(line));
	memcpy(line, start[1], llen[1]);
	line[llen[1]] = '\0';
	p = strstr(line, "\"prev\":\"");
	assert_non_null(p);
	p[8] = p[8] == 'a' ? 'b' : 'a';
	cut = (size_t)(strstr(line, ",\"hash\":\"") - line);
	mpic__sha256(line, cut, d);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	fp = fopen(f->path, "wb");
	assert_non_null(fp);
	fwrite(start[0], 1, llen[0], fp);
	fprintf(fp, "%.*s,\"hash\":\"%s\"}\n", (int)cut, line, hex);
	fclose(fp);
	expect_bad(f, 2, 2, "the chain is broken");
	free(orig);
}

static void
test_open_refuses_damaged_tail(void **state)
{
	struct fix *f = *state;
	struct mpic__audit *a = NULL, *b = NULL;
	char err[512] = "", *orig, *copy, *p;
	size_t len;

	make_log(f, 2);
	orig = slurp(f->path, &len);
	/* torn */
	spit(f->path, orig, len - 1);
	assert_int_equal(mpic__audit_open(f->base, f->path, &a, err,
	    sizeof(err)), MPIC_EPARSE);
	assert_null(a);
	assert_non_null(strstr(err, "incomplete"));
	/* altered */
	copy = malloc(len);
	memcpy(copy, orig, len);
	p = strstr(copy + len / 2, "\"pass\"");
	assert_non_null(p);
	memcpy(p, "\"fail\"", 6);
	spit(f->path, copy, len);
	err[0] = '\0';
	assert_int_equal(mpic__audit_open(f->base, f->path, &a, err,
	    sizeof(err)), MPIC_EPARSE);
	assert_non_null(strstr(err, "corrupt"));
	free(copy);
	/* intact, but held by another writer */
	spit(f->path, orig, len);
	assert_int_equal(mpic__audit_open(f->base, f->path, &a, err,
	    sizeof(err)), 0);
	assert_int_equal(mpic__audit_open(f->base, f->path, &b, err,
	    sizeof(err)), MPIC_EIO);
	assert_non_null(strstr(err, "in use"));
	mpic__audit_close(a);
	free(orig);
}

static void
test_verify_unreadable(void **state)
{
	struct fix *f = *state;
	struct mpic_audit_report rep;

	assert_int_equal(mpic_audit_verify(f->path, &rep), MPIC_ENOENT);
	assert_int_not_equal(rep.problem[0], '\0');
	spit(f->path, "", 0);
	assert_int_equal(mpic_audit_verify(f->path, &rep), 0);
	assert_int_equal(rep.records, 0);
	assert_string_equal(rep.last_hash, MPIC__AUDIT_GENESIS);
}

/* ------------------------------------------------------------ threads */

#define THREADS 8
#define PER_THREAD 250

struct worker {
	struct mpic__audit *a;
	struct cbstate *s;
	int refused;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		json_t *r = rec(i);

		if (mpic__audit_append(w->a, r, on_durable, w->s) != 0)
			w->refused++;
		json_decref(r);
	}
	return NULL;
}

static void
test_concurrent_appends(void **state)
{
	struct fix *f = *state;
	struct mpic_audit_report rep;
	struct mpic__audit_stats st;
	struct worker w[THREADS];
	pthread_t t[THREADS];
	struct cbstate s = {0};
	char err[512] = "";
	int i;

	assert_int_equal(mpic__audit_open(f->base, f->path, &s.a, err,
	    sizeof(err)), 0);
	for (i = 0; i < THREADS; i++) {
		w[i].a = s.a;
		w[i].s = &s;
		w[i].refused = 0;
		assert_int_equal(pthread_create(&t[i], NULL, worker_main,
		    &w[i]), 0);
	}
	/* The loop runs callbacks while the workers append. */
	pump(f->base, &s, THREADS * PER_THREAD);
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].refused, 0);
	}
	assert_int_equal(s.errors, 0);
	assert_int_equal(s.early, 0);
	assert_false(s.out_of_order);
	mpic__audit_stats(s.a, &st);
	assert_int_equal(st.records, THREADS * PER_THREAD);
	assert_true(st.groups >= 1 && st.groups <= st.records);
	mpic__audit_close(s.a);
	assert_int_equal(mpic_audit_verify(f->path, &rep), 0);
	assert_int_equal(rep.records, THREADS * PER_THREAD);
}

/* A batch goes to disk as one group, however the writer is woken. */
static void
test_batch_is_one_group(void **state)
{
	struct fix *f = *state;
	struct cbstate s = {0};
	struct mpic__audit_stats st;
	char err[512] = "";
	int round;

	assert_int_equal(mpic__audit_open(f->base, f->path, &s.a, err,
	    sizeof(err)), 0);
	for (round = 1; round <= 3; round++) {
		mpic__audit_batch(s.a, true);
		mpic__audit_batch(s.a, true); /* nested */
		append_n(s.a, &s, 4);
		usleep(20000); /* time the writer had to take a part */
		mpic__audit_stats(s.a, &st);
		assert_int_equal(st.groups, (uint64_t)(round - 1));
		append_n(s.a, &s, 3);
		mpic__audit_batch(s.a, false);
		usleep(20000);
		mpic__audit_stats(s.a, &st);
		assert_int_equal(st.groups, (uint64_t)(round - 1));
		mpic__audit_batch(s.a, false);
		pump(f->base, &s, 7 * round);
		mpic__audit_stats(s.a, &st);
		assert_int_equal(st.groups, (uint64_t)round);
		assert_int_equal(st.records, (uint64_t)(7 * round));
	}
	assert_int_equal(s.errors, 0);
	assert_int_equal(s.early, 0);
	assert_false(s.out_of_order);
	mpic__audit_batch(NULL, true); /* NULL is fine */
	mpic__audit_close(s.a);
}

/* ------------------------------------------------------------ records */

/*
 * A record the builders wrote, parsed; it must be one compact ASCII
 * object, byte for byte what jansson writes for it (the format the log
 * had when records were jansson trees), without the reserved keys.
 */
static json_t *
record(int rc, const struct mpic__jw *w)
{
	json_error_t jerr;
	json_t *r;
	char *again;
	size_t i;

	assert_int_equal(rc, 0);
	assert_false(mpic__jw_failed(w));
	for (i = 0; i < w->len; i++)
		assert_true((unsigned char)w->p[i] < 0x80);
	r = json_loadb(w->p, w->len, JSON_REJECT_DUPLICATES, &jerr);
	assert_non_null(r);
	again = json_dumps(r, JSON_COMPACT | JSON_ENSURE_ASCII);
	assert_string_equal(again, w->p);
	free(again);
	assert_null(json_object_get(r, "seq"));
	assert_null(json_object_get(r, "hash"));
	return r;
}

static void
test_records(void **state)
{
	struct mpic__jw w, scratch;
	struct mpic__request req;
	struct mpic__issues is;
	struct mpic__perspective_def def;
	struct mpic__check_result res;
	struct mpic__audit_ctx c;
	struct mpic__audit_decision d;
	const char *codes[] = {"us-east-1", "eu-west-1"};
	const char *body = "{\"check_type\":\"dcv\",\"domain_or_ip_target\":"
	    "\"Example.COM\",\"trace_identifier\":\"tr-1\","
	    "\"dcv_check_parameters\":{\"validation_method\":\"acme-dns-01\","
	    "\"key_authorization_hash\":"
	    "\"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0\"}}";
	json_t *r, *seen;
	char *dump, hex[65];
	uint8_t dg[32];
	int i;

	(void)state;
	mpic__jw_init(&w, MPIC_AUDIT_LINE_MAX, true);
	mpic__jw_init(&scratch, 1u << 24, true);
	memset(&is, 0, sizeof(is));
	assert_int_equal(mpic__request_parse(body, strlen(body), &req, &is), 0);
	c.req = &req;
	c.audit_id = "00112233445566778899aabbccddeeff";
	memset(&def, 0, sizeof(def));
	snprintf(def.code, sizeof(def.code), "us-east-1");
	def.rir = MPIC__RIR_ARIN;
	mpic__check_result_init(&res);
	res.completed = true;
	res.passed = false;
	res.timestamp_ns = 1700000000123456789ull;
	seen = json_array();
	for (i = 0; i < 100; i++)
		json_array_append_new(seen, json_sprintf("\"txt-%d\"", i));
	res.details = json_pack("{s:o, s:s}", "records_seen", seen,
	    "validation_method", "acme-dns-01");
	r = record(mpic__audit_check_record(&c, 2, &def, &res,
	    MPIC__AUDIT_LATE, &w, &scratch), &w);
	assert_string_equal(json_string_value(json_object_get(r, "result")),
	    "fail");
	assert_string_equal(json_string_value(json_object_get(r, "target")),
	    "example.com");
	assert_string_equal(json_string_value(json_object_get(r,
	    "br_section")), "3.2.2.4.7");
	assert_string_equal(json_string_value(json_object_get(r, "method")),
	    "acme-dns-01");
	assert_string_equal(json_string_value(json_object_get(r,
	    "checked_at")), "2023-11-14T22:13:20.123Z");
	assert_int_equal(json_integer_value(json_object_get(r, "attempt")), 2);
	assert_true(json_is_true(json_object_get(r, "late")));
	/* bounded copy: 16 records and a count */
	assert_int_equal(json_array_size(json_object_get(json_object_get(r,
	    "details"), "records_seen")), 17);
	dump = json_dumps(res.details, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_ENSURE_ASCII);
	mpic__sha256(dump, strlen(dump), dg);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", dg[i]);
	assert_string_equal(json_string_value(json_object_get(r,
	    "details_sha256")), hex);
	free(dump);
	json_decref(r);
	mpic__check_result_release(&res);

	/* an unfinished slot: no details, an error (and no leak) */
	mpic__check_result_init(&res);
	mpic__check_error(&res, MPIC__ERR_TIMEOUT, "not awaited");
	r = record(mpic__audit_check_record(&c, 1, &def, &res, 0, &w,
	    &scratch), &w);
	assert_string_equal(json_string_value(json_object_get(r, "result")),
	    "error");
	assert_null(json_object_get(r, "late"));
	assert_int_equal(json_object_size(json_object_get(r, "details")), 0);
	mpic__sha256("{}", 2, dg);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", dg[i]);
	assert_string_equal(json_string_value(json_object_get(r,
	    "details_sha256")), hex);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(json_object_get(r, "errors"), 0), "error_type")),
	    MPIC__ERR_TIMEOUT);
	json_decref(r);
	mpic__check_result_release(&res);

	/* a long non-ASCII string is cut on a character boundary; a bounded
	 * copy still over 16 KiB is replaced by a note; the primary's mark */
	{
		char big[601], key[16];
		json_t *arr, *v;
		void *it;
		int k, j;

		for (k = 0; k < 300; k++)
			memcpy(big + 2 * k, "\xc3\xa9", 2);
		big[600] = '\0';
		mpic__check_result_init(&res);
		res.completed = true;
		res.passed = true;
		res.details = json_pack("{s:s}", "page", big);
		r = record(mpic__audit_check_record(&c, 1, &def, &res,
		    MPIC__AUDIT_PRIMARY, &w, &scratch), &w);
		v = json_object_get(json_object_get(r, "details"), "page");
		assert_int_equal(json_string_length(v), 256 +
		    strlen("...(600 bytes in all)"));
		assert_memory_equal(json_string_value(v), big, 256);
		assert_string_equal(json_string_value(v) + 256,
		    "...(600 bytes in all)");
		assert_true(json_is_true(json_object_get(r, "primary")));
		/* "primary" comes last */
		it = json_object_iter(r);
		while (json_object_iter_next(r, it) != NULL)
			it = json_object_iter_next(r, it);
		assert_string_equal(json_object_iter_key(it), "primary");
		json_decref(r);
		mpic__check_result_release(&res);

		mpic__check_result_init(&res);
		res.details = json_object();
		for (k = 0; k < 40; k++) {
			arr = json_array();
			for (j = 0; j < 20; j++)
				json_array_append_new(arr, json_string(big));
			snprintf(key, sizeof(key), "k%02d", k);
			json_object_set_new(res.details, key, arr);
		}
		r = record(mpic__audit_check_record(&c, 1, &def, &res, 0, &w,
		    &scratch), &w);
		assert_string_equal(json_string_value(json_object_get(
		    json_object_get(r, "details"), "omitted")),
		    "too large; see details_sha256");
		dump = json_dumps(res.details, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENSURE_ASCII);
		mpic__sha256(dump, strlen(dump), dg);
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", dg[i]);
		assert_string_equal(json_string_value(json_object_get(r,
		    "details_sha256")), hex);
		free(dump);
		assert_null(json_object_get(r, "primary"));
		json_decref(r);
		mpic__check_result_release(&res);
	}

	memset(&d, 0, sizeof(d));
	d.passed = 1;
	d.perspective_count = 2;
	d.quorum_count = 2;
	d.attempts = 1;
	d.codes = codes;
	d.n_codes = 2;
	d.br_now = 1795392000; /* 2026-11-23 */
	r = record(mpic__audit_decision_record(&c, &d, &w), &w);
	assert_string_equal(json_string_value(json_object_get(r,
	    "quorum_result")), "1/2");
	assert_true(json_is_false(json_object_get(r, "is_valid")));
	assert_string_equal(json_string_value(json_object_get(r, "br_date")),
	    "2026-11-23");
	assert_int_equal(json_array_size(json_object_get(r, "perspectives")),
	    2);
	assert_null(json_object_get(r, "primary_perspective"));
	assert_null(json_object_get(r, "primary_passed"));
	json_decref(r);

	/* with a primary: its code and whether it passed */
	d.primary_code = "ca-primary";
	d.primary_passed = false;
	r = record(mpic__audit_decision_record(&c, &d, &w), &w);
	assert_string_equal(json_string_value(json_object_get(r,
	    "primary_perspective")), "ca-primary");
	assert_true(json_is_false(json_object_get(r, "primary_passed")));
	json_decref(r);
	mpic__request_release(&req);
	mpic__jw_release(&w);
	mpic__jw_release(&scratch);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_across_reopen,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_group_commit_and_durability, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_is_sticky,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_is_one_group,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stuck_sync_keeps_order,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_bound_while_stuck,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_while_stuck, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verify_detects_tampering,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_detects_bad_prev,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_damaged_tail,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_unreadable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_appends, setup,
		    teardown),
		cmocka_unit_test(test_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
