/*
 * fields.c - reading the fields of a request's JSON (a string, a bool, a
 * list of names, the unknown keys) and collecting the issues found, with
 * the 400 body that lists them.  Below every parser of lib/api: the
 * parsers use these, these use no parser.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"

void
mpic__issue_add(struct mpic__issues *is, const char *type, const char *fmt,
		...)
{
	struct mpic__issue *v;
	va_list ap;

	if (is == NULL || is->n >= MPIC__MAX_ISSUES)
		return;
	v = &is->v[is->n++];
	/* The last slot says that more were left out. */
	if (is->n == MPIC__MAX_ISSUES) {
		mpic__bufprintf(v->type, sizeof(v->type), "%s",
		    MPIC__ISSUE_TOO_MANY);
		mpic__bufprintf(v->message, sizeof(v->message),
		    "further issues were left out");
		return;
	}
	mpic__bufprintf(v->type, sizeof(v->type), "%s", type);
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
}

char *
mpic__issues_body(const struct mpic__issues *issues)
{
	json_t *root = NULL, *list = NULL, *item;
	char type[sizeof(issues->v[0].type)];
	char msg[sizeof(issues->v[0].message)];
	char *text = NULL;
	size_t i, n;

	root = json_object();
	list = json_array();
	if (root == NULL || list == NULL)
		goto out;
	for (i = 0; issues != NULL && i < issues->n; i++) {
		/* Messages quote parser output: keep the body valid UTF-8. */
		api__quote(issues->v[i].type, strnlen(issues->v[i].type,
		    sizeof(issues->v[i].type)), type, sizeof(type));
		api__quote(issues->v[i].message, strnlen(issues->v[i].message,
		    sizeof(issues->v[i].message)), msg, sizeof(msg));
		item = json_pack("{s:s, s:s}", "issue_type", type,
		    "message", msg);
		if (item == NULL || json_array_append_new(list, item) != 0)
			goto out;
	}
	if (json_object_set_new(root, "error",
	    json_string(MPIC__ISSUES_ERROR)) != 0)
		goto out;
	if (json_object_set(root, "validation_issues", list) != 0)
		goto out;
	n = json_dumpb(root, NULL, 0, JSON_COMPACT);
	if (n == 0)
		goto out;
	text = mpic__malloc(n + 1);
	if (text == NULL)
		goto out;
	if (json_dumpb(root, text, n, JSON_COMPACT) != n) {
		mpic__free(text);
		text = NULL;
		goto out;
	}
	text[n] = '\0';
out:
	json_decref(list);
	json_decref(root);
	return text;
}

bool
api__printable(const char *s, size_t n, bool nospace)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || (nospace && c == ' '))
			return false;
	}
	return true;
}

void
api__quote(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, lim;

	if (outlen == 0)
		return;
	if (n < outlen)
		lim = n;
	else
		lim = outlen > 4 ? outlen - 4 : outlen - 1;
	for (i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c >= 0x20 && c <= 0x7e) ? (char)c : '?';
	}
	if (lim < n && outlen > 4) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

json_t *
api__field(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	return v;
}

void
api__unknown_keys(struct api_ctx *c, const json_t *obj, const char *path,
		  const char *const *allowed)
{
	const char *key;
	json_t *v;
	size_t i;
	char q[64];

	json_object_foreach((json_t *)obj, key, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] != NULL)
			continue;
		api__quote(key, strlen(key), q, sizeof(q));
		mpic__issue_add(c->issues, MPIC__ISSUE_UNKNOWN_FIELD,
		    "%s%s%s: unknown field", path, API_DOT(path), q);
	}
}

int
api__get_string(struct api_ctx *c, const json_t *obj, const char *path,
		const char *key, bool required, size_t maxlen,
		const char **out, size_t *outlen)
{
	json_t *v = api__field(obj, key);
	const char *s;
	size_t n;

	if (v == NULL) {
		if (required)
			mpic__issue_add(c->issues, MPIC__ISSUE_MISSING_FIELD,
			    "%s%s%s: required", path, API_DOT(path), key);
		return 0;
	}
	if (!json_is_string(v)) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_TYPE,
		    "%s%s%s: must be a string", path, API_DOT(path), key);
		return -1;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s%s%s: must not be empty", path, API_DOT(path), key);
		return -1;
	}
	if (n > maxlen) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s%s%s: longer than %zu octets", path, API_DOT(path),
		    key, maxlen);
		return -1;
	}
	if (memchr(s, '\0', n) != NULL) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s%s%s: contains a NUL character", path, API_DOT(path),
		    key);
		return -1;
	}
	*out = mpic__arena_strndup(&c->req->arena, s, n);
	if (*out == NULL) {
		c->nomem = true;
		return -1;
	}
	if (outlen != NULL)
		*outlen = n;
	return 1;
}

int
api__get_bool(struct api_ctx *c, const json_t *obj, const char *path,
	      const char *key, bool *out)
{
	json_t *v = api__field(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v)) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_TYPE,
		    "%s%s%s: must be true or false", path, API_DOT(path), key);
		return -1;
	}
	*out = json_is_true(v);
	return 1;
}

void
api__parse_domain_list(struct api_ctx *c, const json_t *arr, const char *path,
		  const char **out, size_t max, size_t *n_out)
{
	char err[128], q[64];
	json_t *v;
	size_t i;
	char *d;

	if (!json_is_array(arr)) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_TYPE,
		    "%s: must be a list of domain names", path);
		return;
	}
	if (json_array_size(arr) > max) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s: more than %zu names", path, max);
		return;
	}
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v)) {
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_TYPE,
			    "%s[%zu]: must be a string", path, i);
			continue;
		}
		if (api__name_check(json_string_value(v),
		    json_string_length(v), 0, err, sizeof(err)) != 0 ||
		    memchr(json_string_value(v), '\0',
		    json_string_length(v)) != NULL) {
			api__quote(json_string_value(v),
			    json_string_length(v), q, sizeof(q));
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
			    "%s[%zu]: \"%s\" is not a domain name: %s", path,
			    i, q, err);
			continue;
		}
		d = mpic__arena_strndup(&c->req->arena, json_string_value(v),
		    json_string_length(v));
		if (d == NULL) {
			c->nomem = true;
			return;
		}
		api__lower(d);
		out[(*n_out)++] = d;
	}
}

char *
mpic_issue_body(const char *issue_type, const char *message)
{
	struct mpic__issues is;

	memset(&is, 0, sizeof(is));
	mpic__issue_add(&is, issue_type, "%s", message);
	return mpic__issues_body(&is);
}
