/* test_api.h - the groups of the unit-api test program and its helpers. */
#ifndef TEST_API_H
#define TEST_API_H

#include <string.h>

#include "api/model.h"

int api_tests_target(void);
int api_tests_request(void);
int api_tests_methods(void);
int api_tests_result(void);
int api_tests_labels(void);
int api_tests_table(void);

/*
 * JSON written with single quotes (readable in C) turned into real JSON
 * in a static buffer; the next call overwrites it.
 */
const char *jq(const char *s);

/* Parse json (real JSON) and require success; req must be released. */
void parse_ok(const char *json, struct mpic__request *req);

/*
 * Parse json and require the failure rc with an issue of the given type
 * whose message contains substr.
 */
void parse_bad_rc(const char *json, size_t len, int rc, const char *type,
		  const char *substr);
#define parse_bad(json, type, substr) \
	parse_bad_rc((json), strlen(json), MPIC_EINVAL, (type), (substr))

#endif
