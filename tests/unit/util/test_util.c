/* test_util.c - encodings, arena, allocation wrapper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"

static void
test_b64url(void **state)
{
	char out[64];
	const uint8_t in[] = {0xfb, 0xff, 0x01};

	(void)state;
	mpic__b64url_encode(in, 3, out);
	assert_string_equal(out, "-_8B");
	mpic__b64url_encode((const uint8_t *)"ab", 2, out);
	assert_string_equal(out, "YWI");
	mpic__b64_encode((const uint8_t *)"ab", 2, out);
	assert_string_equal(out, "YWI=");
	assert_true(mpic__is_b64url("abc-_09", 7));
	assert_false(mpic__is_b64url("ab=", 3));
}

static void
test_b32_account_label(void **state)
{
	/* draft-ietf-acme-dns-account-label test vector. */
	const char *url = "https://example.com/acme/acct/ExampleAccount";
	uint8_t d[32];
	char out[32];

	(void)state;
	mpic__sha256(url, strlen(url), d);
	mpic__b32_lower_encode(d, 10, out);
	assert_string_equal(out, "ujmmovf2vn55tgye");
}

static void
test_arena(void **state)
{
	struct mpic__arena a;
	char *s, *big;
	int i;

	(void)state;
	mpic__arena_init(&a);
	for (i = 0; i < 1000; i++) {
		s = mpic__arena_printf(&a, "item-%d", i);
		assert_non_null(s);
		assert_int_equal(((uintptr_t)s) % 16, 0);
	}
	assert_string_equal(s, "item-999");
	big = mpic__arena_calloc(&a, 100000);
	assert_non_null(big);
	assert_int_equal(big[99999], 0);
	mpic__arena_release(&a);
	assert_null(a.head);
}

static void
test_alloc_failure(void **state)
{
	struct mpic__arena a;

	(void)state;
	mpic__arena_init(&a);
	mpic__alloc_fail_at(1);
	assert_null(mpic__arena_alloc(&a, 10));
	assert_null(mpic__strdup("x"));
	mpic__alloc_fail_at(0);
	assert_non_null(mpic__arena_alloc(&a, 10));
	mpic__arena_release(&a);
}

/* Every code of the error list has its own text; unknown codes one too. */
static void
test_strerror(void **state)
{
	static const struct {
		int code;
		const char *text;
	} list[] = {
#define X_(name, value, text) { MPIC_##name, text },
		MPIC_ERRNO_MAP(X_)
#undef X_
	};
	size_t i, j, n = sizeof(list) / sizeof(list[0]);

	(void)state;
	assert_int_equal(MPIC_OK, 0);
	assert_int_equal(MPIC_EAGAIN, -13);
	assert_string_equal(mpic_strerror(MPIC_ENOMEM), "out of memory");
	for (i = 0; i < n; i++) {
		assert_string_equal(mpic_strerror(list[i].code), list[i].text);
		for (j = i + 1; j < n; j++) {
			assert_int_not_equal(list[i].code, list[j].code);
			assert_string_not_equal(list[i].text, list[j].text);
		}
	}
	assert_string_equal(mpic_strerror(-1000), "unknown error");
	assert_string_equal(mpic_strerror(1), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64url),
		cmocka_unit_test(test_b32_account_label),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_alloc_failure),
		cmocka_unit_test(test_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
