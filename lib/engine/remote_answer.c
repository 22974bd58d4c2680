/*
 * remote_answer.c - both ends of the perspective API's bodies: the
 * coordinator reading a perspective's answer into a result, and a
 * perspective reading the coordinator's call into a request.
 */
#include <string.h>

#include "api/api_int.h"
#include "engine/perspective.h"

#define ANSWER_MAX_DEPTH 32

/* Error types keep static storage: known ones map to their constants. */
static const char *const known_types[] = {
	MPIC__ERR_CAA_LOOKUP, MPIC__ERR_DCV_LOOKUP, MPIC__ERR_HTTP,
	MPIC__ERR_REDIRECT, MPIC__ERR_REMOTE, MPIC__ERR_TIMEOUT, MPIC__ERR_DNSSEC,
	NULL,
};

static void
copy_error(struct mpic__check_result *res, const char *code,
	   const json_t *e)
{
	const char *type = json_string_value(json_object_get(e,
	    "error_type"));
	const char *msg = json_string_value(json_object_get(e,
	    "error_message"));
	char qt[96], qm[400];
	size_t i;

	if (type == NULL)
		type = "(no error_type)";
	if (msg == NULL)
		msg = "";
	api__quote(msg, strlen(msg), qm, sizeof(qm));
	for (i = 0; known_types[i] != NULL; i++) {
		if (strcmp(type, known_types[i]) == 0) {
			mpic__check_error(res, known_types[i], "%s", qm);
			return;
		}
	}
	api__quote(type, strlen(type), qt, sizeof(qt));
	mpic__check_error(res, MPIC__ERR_REMOTE, "perspective %s reported "
	    "%s: %s", code, qt, qm);
}

static int
bad(struct mpic__check_result *res, const struct mpic__perspective_def *def,
    const char *why)
{
	mpic__check_result_release(res);
	mpic__check_error(res, MPIC__ERR_REMOTE, "perspective %s (%s): %s",
	    def->code, def->url ? def->url : "in-process", why);
	res->completed = false;
	res->passed = false;
	return MPIC_EPARSE;
}

static bool
depth_ok(const json_t *j, int depth)
{
	const char *k;
	json_t *v;
	size_t i;

	if (depth > ANSWER_MAX_DEPTH)
		return false;
	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v)
			if (!depth_ok(v, depth + 1))
				return false;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (!depth_ok(v, depth + 1))
				return false;
	}
	return true;
}

int
mpic__remote_answer(const struct mpic__perspective_def *def,
		    enum mpic__check_type type, const char *body, size_t len,
		    struct mpic__check_result *res)
{
	json_t *root, *v, *errs, *e;
	json_error_t jerr;
	const char *s;
	enum mpic__rir rir;
	char why[300], q[80];
	size_t i;
	int rc = MPIC_EPARSE;

	mpic__check_result_init(res);
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL || !json_is_object(root) || !depth_ok(root, 0)) {
		mpic__bufprintf(why, sizeof(why), "answer is not a JSON "
		    "object%s%s", root == NULL ? ": " : "",
		    root == NULL ? jerr.text : "");
		bad(res, def, why);
		goto out;
	}
	/* A perspective must answer under its own name (a misrouted or
	 * impersonating backend must not vote). */
	s = json_string_value(json_object_get(root, "perspective_code"));
	if (s == NULL || strcmp(s, def->code) != 0) {
		api__quote(s ? s : "(none)", strlen(s ? s : "(none)"), q,
		    sizeof(q));
		mpic__bufprintf(why, sizeof(why), "answered as perspective_code "
		    "\"%s\", expected \"%s\"", q, def->code);
		bad(res, def, why);
		res->misidentified = true;
		goto out;
	}
	s = json_string_value(json_object_get(root, "rir"));
	if (s == NULL || mpic__rir_parse(s, &rir) != 0 || rir != def->rir) {
		api__quote(s ? s : "(none)", strlen(s ? s : "(none)"), q,
		    sizeof(q));
		mpic__bufprintf(why, sizeof(why), "answered with rir \"%s\", "
		    "expected \"%s\"", q, mpic__rir_str(def->rir));
		bad(res, def, why);
		res->misidentified = true;
		goto out;
	}
	s = json_string_value(json_object_get(root, "check_type"));
	if (s == NULL || strcmp(s, type == MPIC__CHECK_CAA ? "caa" : "dcv")) {
		bad(res, def, "answer has the wrong or no check_type");
		res->misidentified = true;
		goto out;
	}
	v = json_object_get(root, "check_completed");
	e = json_object_get(root, "check_passed");
	if (!json_is_boolean(v) || !json_is_boolean(e)) {
		bad(res, def, "answer lacks check_completed / check_passed");
		goto out;
	}
	res->completed = json_is_true(v);
	res->passed = json_is_true(e) && res->completed;
	errs = json_object_get(root, "errors");
	if (errs != NULL && !json_is_null(errs) && !json_is_array(errs)) {
		bad(res, def, "errors is neither null nor a list");
		goto out;
	}
	json_array_foreach(errs, i, e) {
		if (!json_is_object(e)) {
			bad(res, def, "an entry of errors is not an object");
			goto out;
		}
		copy_error(res, def->code, e);
	}
	v = json_object_get(root, "timestamp_ns");
	if (json_is_integer(v) && json_integer_value(v) > 0)
		res->timestamp_ns = (uint64_t)json_integer_value(v);
	v = json_object_get(root, "duration_ms");
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= 3600000)
		res->duration_ms = (unsigned)json_integer_value(v);
	s = json_string_value(json_object_get(root, "dnssec"));
	if (s != NULL && strcmp(s, "secure") == 0)
		res->dnssec = MPIC__DNSSEC_SECURE;
	else if (s != NULL && strcmp(s, "insecure") == 0)
		res->dnssec = MPIC__DNSSEC_INSECURE;
	else if (s != NULL && strcmp(s, "bogus") == 0)
		res->dnssec = MPIC__DNSSEC_BOGUS;
	v = json_object_get(root, "details");
	if (json_is_object(v))
		res->details = json_incref(v);
	/* checked by the caller against the perspective's keys (sig.c) */
	v = json_object_get(root, "signed_statement");
	if (v != NULL && !json_is_null(v))
		res->statement = json_incref(v);
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void
mpic__remote_answer_time(struct mpic__check_result *res, uint64_t start_ns,
			 uint64_t end_ns)
{
	uint64_t lo = start_ns > MPIC__REMOTE_SKEW_NS ?
	    start_ns - MPIC__REMOTE_SKEW_NS : 0;
	uint64_t hi = end_ns + MPIC__REMOTE_SKEW_NS;
	uint64_t t = res->timestamp_ns;

	res->remote_timestamp_ns = 0;
	if (t != 0 && t >= lo && t <= hi)
		return;
	/* a clock far off (or a perspective backdating its check): the
	 * audit record's time is ours, with theirs beside it */
	res->remote_timestamp_ns = t;
	res->timestamp_ns = end_ns;
}

int
mpic__persp_request_parse(enum mpic__check_type type, const char *body,
			  size_t len, struct mpic__request *req,
			  struct mpic__issues *issues)
{
	static const char caa[] = "{\"check_type\":\"caa\",";
	static const char dcv[] = "{\"check_type\":\"dcv\",";
	const char *pre = type == MPIC__CHECK_CAA ? caa : dcv;
	size_t i = 0, plen = sizeof(caa) - 1, n;
	char *text;
	int rc;

	if (len > MPIC_MAX_BODY)
		return mpic__request_parse(body, len, req, issues);
	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
	    body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i == len || body[i] != '{') {
		memset(req, 0, sizeof(*req));
		mpic__arena_init(&req->arena);
		if (issues != NULL) {
			issues->n = 0;
			mpic__issue_add(issues, MPIC__ISSUE_MALFORMED_JSON,
			    "request body: not a JSON object");
		}
		return MPIC_EINVAL;
	}
	/* The body with check_type first: a check_type sent as well is a
	 * duplicate key, which the request parser refuses. */
	i++;
	n = len - i;
	if ((text = mpic__malloc(plen + n + 2)) == NULL)
		return MPIC_ENOMEM;
	memcpy(text, pre, plen);
	memcpy(text + plen, body + i, n);
	text[plen + n] = '\0';
	/* "{}" becomes {"check_type":"caa",} : drop the comma */
	for (i = plen; i < plen + n && (text[i] == ' ' || text[i] == '\t' ||
	    text[i] == '\r' || text[i] == '\n'); i++)
		;
	if (i < plen + n && text[i] == '}')
		text[plen - 1] = ' ';
	rc = mpic__request_parse(text, plen + n, req, issues);
	mpic__free(text);
	return rc;
}
