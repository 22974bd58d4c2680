/*
 * test_jw.c - the JSON writer against jansson: random trees (escapes,
 * every UTF-8 length, integers at their limits, reals, nesting, keys
 * that sort by length) must come out byte for byte as json_dumps()
 * writes them, with and without sorted keys and ASCII escapes; then the
 * writer's own rules (invalid UTF-8, limits, rewinding, nesting).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"
#include "util/jw.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A valid UTF-8 string mixing what jansson escapes and what it keeps. */
static json_t *
rnd_string(void)
{
	static const char *const pieces[] = {
		"a", "Z", "0", " ", "\"", "\\", "/", "\b", "\f", "\n", "\r",
		"\t", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xdf\xbf",
		"\xe2\x82\xac", "\xef\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80",
		"\xf0\x9f\x94\x92", "\xf4\x8f\xbf\xbf", "key", "~",
	};
	char buf[256];
	size_t n = 0, k, len = rnd(12);

	while (len-- > 0) {
		const char *p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];

		k = strlen(p);
		if (n + k >= sizeof(buf))
			break;
		memcpy(buf + n, p, k);
		n += k;
	}
	if (rnd(8) == 0 && n + 2 < sizeof(buf)) {
		buf[n++] = '\0'; /* an embedded NUL: \u0000 */
		buf[n++] = 'x';
	}
	return json_stringn(buf, n);
}

static json_t *
rnd_value(int depth)
{
	static const json_int_t ints[] = {0, 1, -1, 42, INT64_MAX, INT64_MIN,
	    1700000000123456789ll, -99};
	static const double reals[] = {0.5, -1.25, 1e300, 3.0, 1e-7, 123456.789};
	unsigned kind = rnd(depth >= 5 ? 6 : 8);
	json_t *v, *k;
	unsigned i, n;

	switch (kind) {
	case 0: return rnd_string();
	case 1: return json_integer(ints[rnd(8)]);
	case 2: return json_real(reals[rnd(6)]);
	case 3: return json_true();
	case 4: return json_false();
	case 5: return json_null();
	case 6:
		v = json_array();
		n = rnd(5);
		for (i = 0; i < n; i++)
			json_array_append_new(v, rnd_value(depth + 1));
		return v;
	default:
		v = json_object();
		n = rnd(6);
		for (i = 0; i < n; i++) {
			k = rnd_string();
			json_object_setn_new(v, json_string_value(k),
			    json_string_length(k), rnd_value(depth + 1));
			json_decref(k);
		}
		/* keys that tie on a prefix: shorter first when sorted */
		if (rnd(2)) {
			json_object_set_new(v, "ab", json_integer(1));
			json_object_set_new(v, "a", json_integer(2));
			json_object_set_new(v, "abc", json_integer(3));
		}
		return v;
	}
}

static void
test_matches_jansson(void **state)
{
	struct mpic__jw w;
	json_t *v;
	char *want;
	int i, f;

	(void)state;
	for (i = 0; i < 3000; i++) {
		v = rnd_value(0);
		for (f = 0; f < 4; f++) {
			bool ascii = f & 1, sorted = f & 2;

			want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
			    (ascii ? JSON_ENSURE_ASCII : 0) |
			    (sorted ? JSON_SORT_KEYS : 0));
			assert_non_null(want);
			mpic__jw_init(&w, 1u << 20, ascii);
			mpic__jw_json(&w, v, sorted);
			assert_false(mpic__jw_failed(&w));
			assert_int_equal(w.len, strlen(want));
			assert_string_equal(w.p, want);
			mpic__jw_release(&w);
			free(want);
		}
		json_decref(v);
	}
}

static void
test_writer_rules(void **state)
{
	struct mpic__jw w;
	struct mpic__jw_mark mk;
	int i;

	(void)state;
	/* keys, commas and the scalar calls */
	mpic__jw_init(&w, 1024, true);
	mpic__jw_open(&w, '{');
	mpic__jw_key(&w, "a");
	mpic__jw_int(&w, -5);
	mpic__jw_key(&w, "b");
	mpic__jw_open(&w, '[');
	mpic__jw_bool(&w, true);
	mpic__jw_null(&w);
	mpic__jw_str(&w, NULL);
	mpic__jw_open(&w, '{');
	mpic__jw_close(&w, '}');
	mpic__jw_close(&w, ']');
	mpic__jw_key(&w, "c");
	/* not UTF-8: a lone continuation byte, a truncated sequence, an
	 * overlong NUL and a surrogate, each byte as U+FFFD */
	mpic__jw_strn(&w, "x\x80y\xe2\x82" "z\xc0\x80\xed\xa0\x80", 11);
	mpic__jw_close(&w, '}');
	assert_false(mpic__jw_failed(&w));
	assert_string_equal(w.p, "{\"a\":-5,\"b\":[true,null,null,{}],"
	    "\"c\":\"x\\uFFFDy\\uFFFD\\uFFFDz\\uFFFD\\uFFFD\\uFFFD\\uFFFD"
	    "\\uFFFD\"}");
	/* without ascii the replacement is the character itself */
	mpic__jw_release(&w);
	mpic__jw_init(&w, 1024, false);
	mpic__jw_strn(&w, "\xff\xc3\xa9", 3);
	assert_string_equal(w.p, "\"\xef\xbf\xbd\xc3\xa9\"");

	/* a limit: failed, and sticky */
	mpic__jw_clear(&w);
	w.max = 10;
	mpic__jw_str(&w, "0123456789");
	assert_true(mpic__jw_failed(&w));
	mpic__jw_int(&w, 1);
	assert_true(mpic__jw_failed(&w));

	/* a rewind drops the text and the limit's failure after the mark */
	mpic__jw_clear(&w);
	w.max = 20;
	mpic__jw_open(&w, '[');
	mpic__jw_int(&w, 1);
	mpic__jw_mark(&w, &mk);
	mpic__jw_str(&w, "a long string past the limit");
	assert_true(mpic__jw_failed(&w));
	mpic__jw_rewind(&w, &mk);
	assert_false(mpic__jw_failed(&w));
	mpic__jw_int(&w, 2);
	mpic__jw_close(&w, ']');
	assert_string_equal(w.p, "[1,2]");

	/* nesting past MPIC__JW_DEPTH fails; closing more than opened too */
	mpic__jw_clear(&w);
	w.max = 1024;
	for (i = 0; i <= MPIC__JW_DEPTH; i++)
		mpic__jw_open(&w, '[');
	assert_true(mpic__jw_failed(&w));
	mpic__jw_clear(&w);
	mpic__jw_close(&w, ']');
	assert_true(mpic__jw_failed(&w));
	mpic__jw_release(&w);
	mpic__jw_release(&w); /* twice is fine */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_jansson),
		cmocka_unit_test(test_writer_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
