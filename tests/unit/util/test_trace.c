/*
 * test_trace.c - W3C traceparent headers (lib/util/trace.c): what is read
 * (version 00 exactly, later versions by their first four fields, spaces
 * around), what is ignored (all-zero ids, uppercase, version ff, wrong
 * lengths or separators), the trace id made from a request's id, new
 * span ids and the header made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"
#include "util/trace.h"

#define TID "4bf92f3577b34da6a3ce929d0e0e4736"
#define SID "00f067aa0ba902b7"

static bool
parse(const char *s, struct mpic__trace *t)
{
	return mpic__trace_parse(s, strlen(s), t);
}

static void
test_valid(void **state)
{
	struct mpic__trace t;

	(void)state;
	assert_true(parse("00-" TID "-" SID "-01", &t));
	assert_string_equal(t.trace_id, TID);
	assert_string_equal(t.span_id, SID);
	assert_int_equal(t.flags, 1);
	/* surrounding whitespace is not the value's */
	assert_true(parse(" \t00-" TID "-" SID "-00 ", &t));
	assert_int_equal(t.flags, 0);
	/* a later version: the first four fields, more after a '-' */
	assert_true(parse("cc-" TID "-" SID "-09-what-comes-later", &t));
	assert_string_equal(t.trace_id, TID);
	assert_int_equal(t.flags, 9);
	assert_true(parse("01-" TID "-" SID "-01", &t));
	/* not NUL-terminated: only len bytes are read */
	assert_true(mpic__trace_parse("00-" TID "-" SID "-01XYZ", 55, &t));
}

static void
test_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"00",
		"00-00000000000000000000000000000000-" SID "-01",
		"00-" TID "-0000000000000000-01",
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-" SID "-01",
		"00-" TID "-00F067AA0BA902B7-01",
		"00-" TID "-" SID "-0A",
		"ff-" TID "-" SID "-01",
		"0g-" TID "-" SID "-01",
		"00-" TID "-" SID "-01-",            /* 00 has four fields */
		"00-" TID "-" SID "-1",
		"00-" TID "0-" SID "-01",
		"00_" TID "-" SID "-01",
		"00-" TID "_" SID "-01",
		"00-" TID "-" SID "_01",
		"cc-" TID "-" SID "-01x",            /* later: '-' after 55 */
		"00-4bf92f3577b34da6a3ce929d0e0e473g-" SID "-01",
	};
	struct mpic__trace t;
	size_t i;

	(void)state;
	memset(&t, 'x', sizeof(t));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(parse(bad[i], &t));
	assert_false(mpic__trace_parse(NULL, 0, &t));
	/* untouched when refused */
	assert_int_equal(t.trace_id[0], 'x');
	/* len shorter than the text: too short */
	assert_false(mpic__trace_parse("00-" TID "-" SID "-01", 54, &t));
}

static void
test_id_from(void **state)
{
	char out[33];
	uint8_t d[32];
	char want[33];
	size_t i;

	(void)state;
	/* an audit id (128 bits, lowercase hex) is the trace id itself */
	mpic__trace_id_from(TID, out);
	assert_string_equal(out, TID);
	/* anything else: SHA-256's first 128 bits, the same every time */
	mpicx_sha256("CA-Order-4711", 13, d);
	for (i = 0; i < 16; i++)
		mpic__bufprintf(want + 2 * i, 3, "%02x", d[i]);
	mpic__trace_id_from("CA-Order-4711", out);
	assert_string_equal(out, want);
	mpic__trace_id_from("4BF92F3577B34DA6A3CE929D0E0E4736", out);
	assert_string_not_equal(out, "4BF92F3577B34DA6A3CE929D0E0E4736");
	assert_int_equal(strlen(out), 32);
	/* all zeros is no trace id */
	mpic__trace_id_from("00000000000000000000000000000000", out);
	assert_string_not_equal(out, "00000000000000000000000000000000");
}

static void
test_span_format(void **state)
{
	char a[17], b[17], tp[MPIC__TRACEPARENT_LEN + 1];
	struct mpic__trace t;

	(void)state;
	assert_int_equal(mpic__trace_new_span(a), 0);
	assert_int_equal(mpic__trace_new_span(b), 0);
	assert_int_equal(strlen(a), 16);
	assert_string_not_equal(a, b);
	mpic__trace_format(TID, a, 1, tp, sizeof(tp));
	assert_int_equal(strlen(tp), MPIC__TRACEPARENT_LEN);
	assert_true(parse(tp, &t));
	assert_string_equal(t.trace_id, TID);
	assert_string_equal(t.span_id, a);
	assert_int_equal(t.flags, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_id_from),
		cmocka_unit_test(test_span_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
