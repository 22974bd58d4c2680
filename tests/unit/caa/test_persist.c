/*
 * test_persist.c - the persistent TXT value of BR 3.2.2.4.22 / 3.2.2.5.8
 * (draft-ietf-acme-dns-persist-01): mpic__persist_value_ok().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "caa/caa.h"

#define ACCT "https://ca.example/acct/123"
#define FUTURE "4102444800" /* 2100-01-01 */
#define NOW ((time_t)1795392000) /* 2026-11-23 */

static const char *const issuers[] = { "ca.example", "CA2.Example." };

static struct mpic__persist_query
query(bool wildcard)
{
	struct mpic__persist_query q;

	memset(&q, 0, sizeof(q));
	q.issuer_domains = issuers;
	q.n_issuers = 2;
	q.account_uri = ACCT;
	q.is_wildcard = wildcard;
	q.now = NOW;
	return q;
}

/* The verdict on v for q; the reason must equal want_why. */
static void
expect(const char *v, bool wildcard, bool want, const char *want_why)
{
	struct mpic__persist_query q = query(wildcard);
	char why[256];
	bool got;

	memset(why, 'x', sizeof(why));
	got = mpic__persist_value_ok((const uint8_t *)v, strlen(v), &q, why,
	    sizeof(why));
	if (got != want || strcmp(why, want_why) != 0)
		fail_msg("%s (wildcard %d): got %d \"%s\", want %d \"%s\"", v,
		    wildcard, got, why, want, want_why);
}

static void
test_persist_pass(void **state)
{
	(void)state;
	expect("ca.example; accounturi=" ACCT, false, true,
	    "issuer ca.example, accounturi matches");
	expect("ca.example; accounturi=" ACCT "; persistUntil=" FUTURE, false,
	    true, "issuer ca.example, accounturi matches");
	/* issuer names: case and a final dot on either side do not matter */
	expect("Ca2.example; accounturi=" ACCT, false, true,
	    "issuer ca2.example, accounturi matches");
	expect("  ca.example ;accounturi = " ACCT " ", false, true,
	    "issuer ca.example, accounturi matches");
}

/* draft-01: a repeated accounturi, policy or persistUntil is malformed,
 * named in the reason, whatever the copies say and however cased. */
static void
test_persist_repeated(void **state)
{
	(void)state;
	expect("ca.example; accounturi=" ACCT "; accounturi=" ACCT, false,
	    false, "accounturi is repeated");
	expect("ca.example; accounturi=https://ca.example/acct/999; "
	    "accounturi=" ACCT, false, false, "accounturi is repeated");
	expect("ca.example; accounturi=" ACCT "; AccountURI=" ACCT, false,
	    false, "accounturi is repeated");
	expect("ca.example; accounturi=" ACCT "; policy=wildcard; "
	    "policy=wildcard", true, false, "policy is repeated");
	expect("ca.example; accounturi=" ACCT "; policy=wildcard; policy=x",
	    false, false, "policy is repeated");
	expect("ca.example; accounturi=" ACCT "; persistUntil=" FUTURE
	    "; persistUntil=" FUTURE, false, false, "persistUntil is repeated");
	expect("ca.example; accounturi=" ACCT "; persistUntil=" FUTURE
	    "; PERSISTUNTIL=4133980800", false, false,
	    "persistUntil is repeated");
	/* malformed before refused: an expired copy is still "repeated" */
	expect("ca.example; accounturi=" ACCT "; persistUntil=1577836800"
	    "; persistUntil=1577836800", false, false,
	    "persistUntil is repeated");
}

/* Unknown parameters are ignored, repeated or not, including the CAA
 * parameter validationmethods (repeated, a CAA record matches nothing). */
static void
test_persist_unknown_ignored(void **state)
{
	(void)state;
	expect("ca.example; foo=1; accounturi=" ACCT "; foo=2; bar=", false,
	    true, "issuer ca.example, accounturi matches");
	expect("ca.example; accounturi=" ACCT "; validationmethods=dns-01; "
	    "validationmethods=http-01", false, true,
	    "issuer ca.example, accounturi matches");
	expect("ca.example; accounturi=" ACCT "; policyx=wildcard", true,
	    false, "wildcard target needs policy=wildcard");
}

static void
test_persist_accounturi(void **state)
{
	(void)state;
	expect("ca.example; persistUntil=" FUTURE, false, false,
	    "accounturi is missing");
	expect("ca.example", false, false, "accounturi is missing");
	/* RFC 3986 6.2.1 simple string comparison: no case folding */
	expect("ca.example; accounturi=https://ca.example/ACCT/123", false,
	    false, "accounturi does not match");
	expect("ca.example; accounturi=" ACCT "/", false, false,
	    "accounturi does not match");
	expect("ca.example; accounturi=", false, false,
	    "accounturi does not match");
	/* parameter names in any case (RFC 8659 4.1, one rule) */
	expect("ca.example; ACCOUNTURI=" ACCT, false, true,
	    "issuer ca.example, accounturi matches");
}

static void
test_persist_until(void **state)
{
	struct mpic__persist_query q = query(false);
	const char *v = "ca.example; accounturi=" ACCT
	    "; persistUntil=1795392000";
	char why[128];

	(void)state;
	expect("ca.example; accounturi=" ACCT "; persistUntil=1577836800",
	    false, false, "persistUntil 1577836800 has passed");
	expect("ca.example; accounturi=" ACCT "; PersistUntil=1577836800",
	    false, false, "persistUntil 1577836800 has passed");
	expect("ca.example; accounturi=" ACCT "; persistUntil=abc", false,
	    false, "persistUntil is malformed");
	expect("ca.example; accounturi=" ACCT "; persistUntil=-1", false,
	    false, "persistUntil is malformed");
	expect("ca.example; accounturi=" ACCT "; persistUntil=+5", false,
	    false, "persistUntil is malformed");
	expect("ca.example; accounturi=" ACCT "; persistUntil=", false, false,
	    "persistUntil is malformed");
	expect("ca.example; accounturi=" ACCT "; persistUntil=1e9", false,
	    false, "persistUntil is malformed");
	expect("ca.example; accounturi=" ACCT
	    "; persistUntil=99999999999999999999", false, false,
	    "persistUntil is malformed");
	/* usable up to and including its second */
	q.now = 1795392000;
	assert_true(mpic__persist_value_ok((const uint8_t *)v, strlen(v), &q,
	    why, sizeof(why)));
	q.now = 1795392001;
	assert_false(mpic__persist_value_ok((const uint8_t *)v, strlen(v), &q,
	    why, sizeof(why)));
}

/* draft-01 4.1 item 4: a wildcard needs policy=wildcard, the value in any
 * case; any other value counts as no policy. */
static void
test_persist_wildcard(void **state)
{
	(void)state;
	expect("ca.example; accounturi=" ACCT, true, false,
	    "wildcard target needs policy=wildcard");
	expect("ca.example; accounturi=" ACCT "; policy=none", true, false,
	    "wildcard target needs policy=wildcard");
	expect("ca.example; accounturi=" ACCT "; policy=wildcards", true,
	    false, "wildcard target needs policy=wildcard");
	expect("ca.example; accounturi=" ACCT "; policy=wildcard", true, true,
	    "issuer ca.example, accounturi matches, policy=wildcard");
	expect("ca.example; accounturi=" ACCT "; Policy=WildCard", true, true,
	    "issuer ca.example, accounturi matches, policy=wildcard");
	/* a policy does no harm to a plain name */
	expect("ca.example; accounturi=" ACCT "; policy=none", false, true,
	    "issuer ca.example, accounturi matches");
}

static void
test_persist_issuer_and_grammar(void **state)
{
	(void)state;
	expect("other.example; accounturi=" ACCT, false, false,
	    "issuer other.example not recognised");
	expect("; accounturi=" ACCT, false, false,
	    "issuer (none) not recognised");
	expect("ca.example; accounturi=" ACCT ";", false, false,
	    "value does not parse (RFC 8659 4.2 issue-value)");
	expect("ca.example accounturi=" ACCT, false, false,
	    "value does not parse (RFC 8659 4.2 issue-value)");
	expect("", false, false, "issuer (none) not recognised");
}

/* Input by pointer and length; a small reason buffer is never overrun. */
static void
test_persist_bounds(void **state)
{
	struct mpic__persist_query q = query(false);
	const char *v = "ca.example; accounturi=" ACCT "; policy=x; policy=y";
	char why[8 + 1];

	(void)state;
	/* the first len bytes only: the repeated policy is not seen */
	assert_true(mpic__persist_value_ok((const uint8_t *)v,
	    strlen("ca.example; accounturi=" ACCT), &q, why, 8));
	memset(why, 'x', sizeof(why));
	assert_false(mpic__persist_value_ok((const uint8_t *)v, strlen(v), &q,
	    why, 8));
	assert_string_equal(why, "policy ");
	assert_int_equal(why[8], 'x');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_persist_pass),
		cmocka_unit_test(test_persist_repeated),
		cmocka_unit_test(test_persist_unknown_ignored),
		cmocka_unit_test(test_persist_accounturi),
		cmocka_unit_test(test_persist_until),
		cmocka_unit_test(test_persist_wildcard),
		cmocka_unit_test(test_persist_issuer_and_grammar),
		cmocka_unit_test(test_persist_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
