/*
 * test_diagnose.c - lib/diagnose without a network: the request parser
 * (mpic__diag_q_parse) and the verdict (mpic__diag_judge) as tables of
 * perspectives' observations, one case per rule of docs/findings.md
 * "Diagnoses", each naming exactly its perspectives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diagnose/diagnose.h"

/* An observation: code, then what it saw (JSON members). */
#define OK_A "\"a\":{\"result\":\"ok\",\"dnssec\":\"secure\",\"addresses\":[\"192.0.2.1\"]}"
#define OK_CAA "\"caa\":{\"passed\":true,\"completed\":true}"
#define OPEN "\"tcp\":[{\"address\":\"192.0.2.1\",\"port\":80,\"open\":true}]"
#define SHUT "\"tcp\":[{\"address\":\"192.0.2.1\",\"port\":80,\"open\":false}]"
#define H404 "\"http\":{\"details\":{\"response_status_code\":404}}"
#define H200 "\"http\":{\"details\":{\"response_status_code\":200}}"
#define P(code, rest) "{\"perspective_code\":\"" code "\",\"rir\":\"ARIN\"," rest "}"

static const struct vcase {
	const char *name;
	const char *persp;         /* JSON array */
	const char *txt, *expect;  /* q */
	const char *code;          /* the finding looked for, NULL: none */
	const char *names;         /* its perspectives, "a b" */
	bool ready;
} cases[] = {
	{ "all agree", "[" P("a", OK_A "," OK_CAA "," OPEN "," H404) ","
	  P("b", OK_A "," OK_CAA "," OPEN "," H404) "]", NULL, NULL, NULL,
	  NULL, true },
	{ "bogus in one region", "[" P("a", OK_A "," OK_CAA) "," P("b",
	  "\"a\":{\"result\":\"failed\",\"failure\":\"bogus\",\"dnssec\":"
	  "\"bogus\"}," OK_CAA) "]", NULL, NULL,
	  "dnssec_bogus_in_some_regions", "b", false },
	{ "refused in one region", "[" P("a", OK_A "," OK_CAA) "," P("b",
	  "\"a\":{\"result\":\"failed\",\"failure\":\"servfail\"}," OK_CAA)
	  "," P("c", OK_A "," OK_CAA) "]", NULL, NULL,
	  "dns_refused_from_some_regions", "b", false },
	{ "GeoDNS", "[" P("a", OK_A "," OK_CAA) "," P("b",
	  "\"a\":{\"result\":\"ok\",\"addresses\":[\"192.0.2.9\"]}," OK_CAA)
	  "]", NULL, NULL, "answers_differ_by_region", "a b", true },
	{ "geo-blocked", "[" P("a", OK_A "," OK_CAA "," OPEN) "," P("b",
	  OK_A "," OK_CAA "," SHUT) "," P("c", OK_A "," OK_CAA "," OPEN)
	  "]", NULL, NULL, "unreachable_from_some_regions", "b", false },
	{ "closed everywhere", "[" P("a", OK_A "," OK_CAA "," SHUT) ","
	  P("b", OK_A "," OK_CAA "," SHUT) "]", NULL, NULL,
	  "web_unreachable", "a b", true },
	{ "a CDN node answers 200", "[" P("a", OK_A "," OK_CAA "," H404) ","
	  P("b", OK_A "," OK_CAA "," H200) "]", NULL, NULL,
	  "responses_differ_by_region", "a b", false },
	{ "challenge seen by some", "[" P("a", OK_A "," OK_CAA
	  ",\"challenge_txt\":{\"records\":[\"tok\"]}") "," P("b", OK_A ","
	  OK_CAA ",\"challenge_txt\":{\"records\":[]}") "]", "x.example",
	  "tok", "challenge_not_seen_everywhere", "b", false },
	{ "a perspective did not answer", "[" P("a", OK_A "," OK_CAA) ","
	  P("b", "\"error\":\"HTTP 404\"") "]", NULL, NULL,
	  "perspective_unavailable", "b", true },
	{ "nobody answered", "[" P("a", "\"error\":\"timeout\"") "]", NULL,
	  NULL, "perspective_unavailable", "a", false },
};

static void
test_judge(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vcase *c = &cases[i];
		struct mpic__diag_q q;
		json_t *p = json_loads(c->persp, 0, NULL), *f, *w, *hit = NULL;
		char why[512], names[256] = "";
		bool ready;

		print_message("case: %s\n", c->name);
		assert_non_null(p);
		memset(&q, 0, sizeof(q));
		if (c->txt != NULL) {
			snprintf(q.txt, sizeof(q.txt), "%s", c->txt);
			snprintf(q.expect, sizeof(q.expect), "%s", c->expect);
			q.has_expect = true;
		}
		f = mpic__diag_judge(&q, p, &ready, why, sizeof(why));
		assert_non_null(f);
		assert_int_equal(ready, c->ready);
		assert_true(ready == (why[0] == '\0'));
		if (c->code == NULL) {
			assert_int_equal(json_array_size(f), 0);
		} else {
			for (k = 0; k < json_array_size(f); k++)
				if (strcmp(json_string_value(json_object_get(
				    json_array_get(f, k), "code")), c->code) == 0)
					hit = json_array_get(f, k);
			assert_non_null(hit);
			json_array_foreach(json_object_get(hit,
			    "perspectives"), k, w)
				snprintf(names + strlen(names), sizeof(names) -
				    strlen(names), "%s%s", k ? " " : "",
				    json_string_value(json_object_get(w,
				    "code")));
			assert_string_equal(names, c->names);
		}
		json_decref(f);
		json_decref(p);
	}
}

static void
test_parse(void **state)
{
	static const struct { const char *body; int rc; } v[] = {
		{ "{\"name\":\"www.example.com\"}", 0 },
		{ "{\"name\":\"www.example.com\",\"txt\":\"_x.example.com\","
		  "\"expect\":\"t\"}", 0 },
		{ "{\"name\":\"a.example\",\"url\":\"https://a.example/"
		  ".well-known/pki-validation/f.txt\",\"expect\":\"t\"}", 0 },
		{ "{\"name\":\"a.example\",\"url\":\"http://a.example/x\","
		  "\"expect\":\"t\"}", MPIC_EINVAL },
		{ "{\"name\":\"a.example\",\"expect\":\"t\"}", MPIC_EINVAL },
		{ "{\"name\":\"a.example\",\"txt\":\"b.example\"}", MPIC_EINVAL },
		{ "{\"name\":\"bad name\"}", MPIC_EINVAL },
		{ "{\"name\":\"a.example\",\"other\":1}", MPIC_EINVAL },
		{ "{\"name\":\"a.example\",\"caa_domains\":[\"ca.example\"]}",
		  0 },
		{ "[1]", MPIC_EINVAL },
	};
	struct mpic__diag_q q;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		print_message("body: %s\n", v[i].body);
		assert_int_equal(mpic__diag_q_parse(v[i].body, strlen(
		    v[i].body), &q, why, sizeof(why)), v[i].rc);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
