/*
 * expect.h - a scenario file's expectations, jq expressions compiled into
 * one program (expect.c).
 */
#ifndef MPIC_TEST_EXPECT_H
#define MPIC_TEST_EXPECT_H

#include <stddef.h>

#include <jansson.h>

struct expect_prog;

/*
 * keys: an array whose i-th element is the list of expressions (strings)
 * to judge on the input given with key i.  0, or -1 with jq's message in
 * err (then compile the keys one by one to find the culprit).
 */
int expect_compile(const json_t *keys, struct expect_prog **out, char *err,
		   size_t errlen);
/*
 * Judge key's expressions on input: -1 when all hold, the index of the
 * first that does not, or -2 when the program failed (why says how).
 */
int expect_eval(struct expect_prog *p, size_t key, const json_t *input,
		char *why, size_t whylen);
void expect_free(struct expect_prog *p);

#endif
