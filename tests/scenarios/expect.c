/*
 * expect.c - a scenario's expectations: jq expressions, each true or not
 * for one JSON input, as `jq -e` judges (the last output neither false
 * nor null; an error or no output is false).  Compiling a jq program costs
 * tens of milliseconds (libjq compiles its builtins each time), so every
 * expression of a file goes into one program, keyed by a number the
 * input carries: [key, input].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>
#include <jv.h>

#include "expect.h"

struct expect_prog {
	jq_state *jq;
	char msg[512];
};

static void
on_error(void *data, jv msg)
{
	struct expect_prog *p = data;

	if (jv_get_kind(msg) == JV_KIND_STRING)
		snprintf(p->msg, sizeof(p->msg), "%s", jv_string_value(msg));
	else
		snprintf(p->msg, sizeof(p->msg), "jq error");
	jv_free(msg);
}

/* Append s to the growing text *b (length *n, capacity *cap); -1 on ENOMEM. */
static int
add(char **b, size_t *n, size_t *cap, const char *s)
{
	size_t l = strlen(s);

	if (*n + l + 1 > *cap) {
		size_t nc = (*n + l + 1) * 2;
		char *nb = realloc(*b, nc);

		if (nb == NULL)
			return -1;
		*b = nb;
		*cap = nc;
	}
	memcpy(*b + *n, s, l + 1);
	*n += l;
	return 0;
}

int
expect_compile(const json_t *keys, struct expect_prog **out, char *err,
	       size_t errlen)
{
	struct expect_prog *p = calloc(1, sizeof(*p));
	char *text = NULL, num[64];
	size_t n = 0, cap = 0, i, j;
	const json_t *exprs;
	int rc = -1, first = 1;

	*out = NULL;
	if (p == NULL || (p->jq = jq_init()) == NULL)
		goto out;
	jq_set_error_cb(p->jq, on_error, p);
	if (add(&text, &n, &cap, "def _t(f): [try f catch null] | length > 0 "
	    "and (last | . != false and . != null);\n"
	    ".[0] as $k | .[1] | ") != 0)
		goto out;
	json_array_foreach(keys, i, exprs) {
		const json_t *e;

		if (json_array_size(exprs) == 0)
			continue;
		snprintf(num, sizeof(num), "%s $k == %zu then [", first ? "if" :
		    "elif", i);
		first = 0;
		if (add(&text, &n, &cap, num) != 0)
			goto out;
		json_array_foreach(exprs, j, e) {
			if (!json_is_string(e)) {
				snprintf(err, errlen, "an expectation must be "
				    "a string");
				goto out;
			}
			if (add(&text, &n, &cap, j ? ", _t(" : "_t(") != 0 ||
			    add(&text, &n, &cap, json_string_value(e)) != 0 ||
			    add(&text, &n, &cap, "\n)") != 0)
				goto out;
		}
		if (add(&text, &n, &cap, "]\n") != 0)
			goto out;
	}
	if (add(&text, &n, &cap, first ? "null" : "else null end") != 0)
		goto out;
	if (!jq_compile(p->jq, text)) {
		snprintf(err, errlen, "jq: %s", p->msg[0] ? p->msg :
		    "does not compile");
		goto out;
	}
	*out = p;
	p = NULL;
	rc = 0;
out:
	if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "out of memory");
	free(text);
	expect_free(p);
	return rc;
}

int
expect_eval(struct expect_prog *p, size_t key, const json_t *input,
	    char *why, size_t whylen)
{
	char *text = json_dumps(input, JSON_COMPACT | JSON_ENCODE_ANY);
	jv in, res;
	int i, n, bad = -2;

	if (text == NULL) {
		snprintf(why, whylen, "out of memory");
		return -2;
	}
	in = jv_array_append(jv_array_append(jv_array(),
	    jv_number((double)key)), jv_parse(text));
	free(text);
	p->msg[0] = '\0';
	jq_start(p->jq, in, 0);
	res = jq_next(p->jq);
	if (jv_get_kind(res) != JV_KIND_ARRAY) {
		snprintf(why, whylen, "jq: %s", p->msg[0] ? p->msg :
		    "no result");
		goto out;
	}
	n = jv_array_length(jv_copy(res));
	bad = -1;
	for (i = 0; i < n; i++) {
		jv b = jv_array_get(jv_copy(res), i);

		if (jv_get_kind(b) != JV_KIND_TRUE && bad < 0)
			bad = i;
		jv_free(b);
	}
out:
	jv_free(res);
	/* drain whatever else the program would output */
	while (jv_is_valid(res = jq_next(p->jq)))
		jv_free(res);
	jv_free(res);
	return bad;
}

void
expect_free(struct expect_prog *p)
{
	if (p == NULL)
		return;
	if (p->jq != NULL)
		jq_teardown(&p->jq);
	free(p);
}
