/*
 * test_regex.c - match_regex on PCRE2 (lib/util/regex.c): the Python
 * syntax Open MPIC's clients write, compile errors with their offset,
 * the limits that end a catastrophic search, NULs in the subject.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util/util.h"
#include "util/regex.h"

/* 1 match, 0 miss, else the error code (why in why). */
static int
search(const char *pat, const char *subj, size_t len, char *why,
       size_t whylen)
{
	struct mpic__regex *re = NULL;
	bool m = true;
	int rc;

	rc = mpic__regex_compile(pat, strlen(pat), &re, why, whylen);
	if (rc != 0) {
		assert_null(re);
		return rc;
	}
	rc = mpic__regex_search(re, subj, len, &m, why, whylen);
	mpic__regex_free(re);
	if (rc != 0) {
		assert_false(m);
		return rc;
	}
	return m ? 1 : 0;
}

static int
s(const char *pat, const char *subj)
{
	char why[256];

	return search(pat, subj, strlen(subj), why, sizeof(why));
}

static void
test_python_syntax(void **state)
{
	(void)state;
	/* classes */
	assert_int_equal(s("\\d{3}", "abc123"), 1);
	assert_int_equal(s("^\\d+$", "12a"), 0);
	assert_int_equal(s("^\\w+=\\s*[0-9a-f]{4}$", "key= beef\n"), 1);
	assert_int_equal(s("\\bval\\b", "a val b"), 1);
	assert_int_equal(s("\\bval\\b", "aval b"), 0);
	/* inline flags */
	assert_int_equal(s("(?i)MPIC-lab", "mpic-LAB-validation"), 1);
	assert_int_equal(s("MPIC-lab", "mpic-LAB-validation"), 0);
	assert_int_equal(s("(?s)a.b", "a\nb"), 1);
	assert_int_equal(s("a.b", "a\nb"), 0);
	assert_int_equal(s("(?m)^b$", "a\nb\nc"), 1);
	assert_int_equal(s("^b$", "a\nb\nc"), 0);
	assert_int_equal(s("(?x) a  b  # spaced", "ab"), 1);
	/* lazy quantifiers and named groups */
	assert_int_equal(s("^<b>.+?</b>$", "<b>x</b>"), 1);
	assert_int_equal(s("a{2,3}?c", "aac"), 1);
	assert_int_equal(s("(?P<v>[0-9a-f]{4})-(?P=v)", "beef-beef"), 1);
	assert_int_equal(s("(?P<v>[0-9a-f]{4})-(?P=v)", "beef-cafe"), 0);
	assert_int_equal(s("(?:ab)+(?=c)", "ababc"), 1);
	assert_int_equal(s("(?<!x)abc", "xabc"), 0);
	/* a search, as re.search: anywhere unless anchored */
	assert_int_equal(s("123", "abc123def"), 1);
	/* $ also before a final newline, as in Python */
	assert_int_equal(s("abc$", "abc\n"), 1);
	/* Unicode patterns on a UTF-8 body, as Python's str patterns */
	assert_int_equal(s("^\\w+$", "caf\xc3\xa9"), 1);
	assert_int_equal(s("(?i)CAF\xc3\x89", "caf\xc3\xa9"), 1);
	assert_int_equal(s("^caf.$", "caf\xc3\xa9"), 1);
	assert_int_equal(s("^\\d$", "\xd9\xa3"), 1);   /* ARABIC-INDIC 3 */
}

static void
test_compile_errors(void **state)
{
	struct mpic__regex *re = (void *)1;
	char why[256];

	(void)state;
	assert_int_equal(mpic__regex_compile("a(b", 3, &re, why,
	    sizeof(why)), MPIC_EINVAL);
	assert_null(re);
	assert_string_equal(why, "missing closing parenthesis at offset 3");
	assert_int_equal(mpic__regex_compile("ab)c", 4, &re, why,
	    sizeof(why)), MPIC_EINVAL);
	assert_string_equal(why, "unmatched closing parenthesis at offset 2");
	assert_int_equal(mpic__regex_compile("x*+*", 4, &re, why,
	    sizeof(why)), MPIC_EINVAL);
	assert_string_equal(why, "quantifier does not follow a repeatable "
	    "item at offset 3");
	/* only len octets are the pattern */
	assert_int_equal(mpic__regex_compile("ab(", 2, &re, why,
	    sizeof(why)), 0);
	mpic__regex_free(re);
	/* a short buffer gets a cut message, never an overflow */
	assert_int_equal(mpic__regex_compile("a(b", 3, &re, why, 8),
	    MPIC_EINVAL);
	assert_int_equal(strlen(why), 7);
	mpic__regex_free(NULL);
}

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void
test_limits(void **state)
{
	static char subj[64 * 1024];
	char why[256];
	double t0;
	size_t i, n = 8192;

	(void)state;
	/* (a+)+$ on a...ab: exponential backtracking, stopped in bounded
	 * time by the match limit (a few ms; generous for sanitizers) */
	memset(subj, 'a', n - 1);
	subj[n - 1] = 'b';
	t0 = now_ms();
	assert_int_equal(search("(a+)+$", subj, n, why, sizeof(why)),
	    MPIC_ETOOBIG);
	assert_true(now_ms() - t0 < 2000);
	assert_string_equal(why, "the search hit its match limit (100000 "
	    "backtracking steps) before an answer");
	assert_int_equal(search("(a|aa)+$", subj, n, why, sizeof(why)),
	    MPIC_ETOOBIG);
	/* the same pattern on a short subject answers */
	assert_int_equal(search("(a+)+$", subj + n - 12, 12, why,
	    sizeof(why)), 0);
	/* nesting deeper than the depth limit: one backtracking point
	 * per repetition of a group */
	for (i = 0; i < 40000; i++)
		subj[i] = "ab"[i % 2];
	subj[40000] = 'd';
	assert_int_equal(search("(?:a|b)*d", subj, 40001, why, sizeof(why)),
	    MPIC_ETOOBIG);
	assert_non_null(strstr(why, "depth limit"));
	/* a legitimate search over a full 8 KiB body stays inside them */
	subj[8000] = 'd';
	assert_int_equal(search("(?:a|b)*d", subj, 8001, why, sizeof(why)),
	    1);
}

static void
test_bytes(void **state)
{
	char why[256];

	(void)state;
	/* NUL is an ordinary character: the search runs over len octets */
	assert_int_equal(search("abc\\x00def", "abc\0def", 7, why,
	    sizeof(why)), 1);
	assert_int_equal(search("^abc.def$", "abc\0def", 7, why,
	    sizeof(why)), 1);
	assert_int_equal(search("def$", "abc\0def", 7, why, sizeof(why)), 1);
	assert_int_equal(search("def", "abc\0def", 4, why, sizeof(why)), 0);
	assert_int_equal(search("abc", "", 0, why, sizeof(why)), 0);
	assert_int_equal(search("^$", NULL, 0, why, sizeof(why)), 1);
	/* bytes that are not UTF-8 match nothing, not even '.', and the
	 * search goes on past them */
	assert_int_equal(search("abc", "\xff\xfe" "abc", 5, why,
	    sizeof(why)), 1);
	assert_int_equal(search("^.abc", "\xff" "abc", 4, why, sizeof(why)),
	    0);
	/* a character cut at the end of what was read */
	assert_int_equal(search("caf", "caf\xc3", 4, why, sizeof(why)), 1);
}

static void
test_alloc_failures(void **state)
{
	struct mpic__regex *re;
	char why[256];
	unsigned long i;
	bool m, done = false;
	int rc;

	(void)state;
	for (i = 1; i < 64 && !done; i++) {
		re = NULL;
		mpic__alloc_fail_at(i);
		rc = mpic__regex_compile("(?i)a\\d+b", 8, &re, why,
		    sizeof(why));
		if (rc == 0)
			rc = mpic__regex_search(re, "xxA12b", 6, &m, why,
			    sizeof(why));
		mpic__alloc_fail_at(0);
		mpic__regex_free(re);
		if (rc == 0) {
			assert_true(m);
			done = true;
		} else {
			assert_int_equal(rc, MPIC_ENOMEM);
		}
	}
	assert_true(done);
	assert_true(i > 3);   /* the failures reached PCRE2's allocations */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python_syntax),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
