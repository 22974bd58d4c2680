/* test_util.c - encodings, arena, allocation wrapper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mpic_int.h"

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
	struct mpic_arena a;
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
	struct mpic_arena a;

	(void)state;
	mpic__arena_init(&a);
	mpic__alloc_fail_at(1);
	assert_null(mpic__arena_alloc(&a, 10));
	assert_null(mpic__strdup("x"));
	mpic__alloc_fail_at(0);
	assert_non_null(mpic__arena_alloc(&a, 10));
	mpic__arena_release(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64url),
		cmocka_unit_test(test_b32_account_label),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_alloc_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
