/*
 * seen.c - what one perspective saw, read off its result for the rules of
 * findings.c, and written back as a finding's evidence.  Only the result's
 * own fields are read (details, dnssec, errors, timestamps): those are
 * what a remote perspective sends, so the evidence is the same for both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcv/tls_alpn.h"
#include "findings/findings.h"

#define EV_RECORDS_MAX 8        /* records shown per perspective */
#define EV_PAGE_MAX 96          /* base64 characters of a page shown */
#define EV_TEXT_MAX 300         /* an error message shown */

static bool
type_is(const struct mpic__check_result *r, const char *type)
{
	return r->n_errors > 0 && r->errors[0].type != NULL &&
	    strcmp(r->errors[0].type, type) == 0;
}

static const char *
dstr(const json_t *d, const char *key)
{
	return json_string_value(json_object_get(d, key));
}

/* The records seen, sorted, as one string: equal strings, equal answers. */
static char *
records_key(const json_t *d)
{
	const json_t *rs = json_object_get(d, "records_seen");
	json_t *copy = NULL;
	char *out = NULL;
	size_t i, j, n;

	if (!json_is_array(rs) || (n = json_array_size(rs)) == 0)
		return mpic__strdup("[]");
	if ((copy = json_deep_copy(rs)) == NULL)
		goto out;
	/* insertion sort: a handful of records */
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			const char *a = json_string_value(
			    json_array_get(copy, j - 1));
			const char *b = json_string_value(
			    json_array_get(copy, j));
			json_t *t;

			if (a == NULL || b == NULL || strcmp(a, b) <= 0)
				break;
			t = json_incref(json_array_get(copy, j - 1));
			json_array_set(copy, j - 1, json_array_get(copy, j));
			json_array_set_new(copy, j, t);
		}
	out = json_dumps(copy, JSON_COMPACT);
out:
	json_decref(copy);
	return out;
}

int
mpic__obs_read(const struct mpic__seen *s, enum mpic__check_type type,
	       struct mpic__obs *o)
{
	const struct mpic__check_result *r = s->res;
	const json_t *d = r->details;
	const char *ce = dstr(d, "connect_error");
	const char *page = dstr(d, "response_page");
	json_t *sc = json_object_get(d, "response_status_code");
	const json_t *rs = json_object_get(d, "records_seen");
	size_t klen;

	memset(o, 0, sizeof(*o));
	o->s = s;
	o->pass = r->completed && r->passed;
	o->fail = r->completed && !r->passed;
	o->err = !r->completed;
	o->bogus = r->dnssec == MPIC__DNSSEC_BOGUS ||
	    type_is(r, MPIC__ERR_DNSSEC);
	/* a perspective that did not answer saw nothing of the target */
	o->reporting = !(o->err && (type_is(r, MPIC__ERR_TIMEOUT) ||
	    type_is(r, MPIC__ERR_REMOTE)));
	o->lookup_err = o->err && !o->bogus &&
	    (type_is(r, MPIC__ERR_CAA_LOOKUP) || type_is(r, MPIC__ERR_DCV_LOOKUP));
	o->permitted = o->pass && dstr(d, "lookup_failure_permitted") != NULL;
	o->unreachable = o->err && (ce != NULL ||
	    type_is(r, MPIC__ERR_ALPN_CONNECT));
	o->address = dstr(d, "resolved_ip");
	o->status = json_is_integer(sc) ? (long)json_integer_value(sc) : 0;
	/* DCV: nothing at the place of the challenge (no record, 404) */
	if (type == MPIC_CHECK_DCV && o->fail)
		o->saw_nothing = o->status == 404 || o->status == 410 ||
		    (o->status == 0 && json_is_array(rs) &&
		    json_array_size(rs) == 0);
	if (o->fail || o->pass) {
		if ((o->dns_key = records_key(d)) == NULL)
			return MPIC_ENOMEM;
		klen = 32 + (page != NULL ? strlen(page) : 0);
		if ((o->web_key = mpic__malloc(klen)) == NULL)
			return MPIC_ENOMEM;
		snprintf(o->web_key, klen, "%ld %s", o->status,
		    page != NULL ? page : "");
	}
	return 0;
}

void
mpic__obs_release(struct mpic__obs *o)
{
	if (o == NULL)
		return;
	free(o->dns_key);
	mpic__free(o->web_key);
	o->dns_key = o->web_key = NULL;
}

/*
 * to: a copy of d's member from, when it has the type the evidence
 * promises (a remote perspective's details are not ours to trust):
 * JSON_NULL for any type but null.
 */
static int
copy_member(json_t *e, const json_t *d, const char *from, const char *to,
	    json_type type)
{
	json_t *v = json_object_get(d, from);

	if (v == NULL || json_is_null(v) ||
	    (type != JSON_NULL && json_typeof(v) != type))
		return 0;
	return json_object_set(e, to, v);
}

/* The records, at most EV_RECORDS_MAX of them and a note of the rest. */
static int
records_put(json_t *e, const json_t *d)
{
	const json_t *rs = json_object_get(d, "records_seen");
	json_t *l;
	char more[48];
	size_t i, n;

	if (!json_is_array(rs))
		return 0;
	if ((l = json_array()) == NULL ||
	    json_object_set_new(e, "records_seen", l) != 0)
		return MPIC_ENOMEM;
	n = json_array_size(rs);
	for (i = 0; i < n && i < EV_RECORDS_MAX; i++)
		if (json_is_string(json_array_get(rs, i)) &&
		    json_array_append(l, json_array_get(rs, i)) != 0)
			return MPIC_ENOMEM;
	if (n > EV_RECORDS_MAX) {
		snprintf(more, sizeof(more), "...(%zu more)",
		    n - EV_RECORDS_MAX);
		if (json_array_append_new(l, json_string(more)) != 0)
			return MPIC_ENOMEM;
	}
	return 0;
}

json_t *
mpic__obs_evidence(const struct mpic__obs *o)
{
	const struct mpic__check_result *r = o->s->res;
	const json_t *d = r->details;
	const char *page = dstr(d, "response_page");
	json_t *e = json_object(), *v;
	int rc = 0;

	if (e == NULL)
		return NULL;
	rc |= json_object_set_new(e, "perspective_code",
	    json_string(o->s->code));
	rc |= json_object_set_new(e, "rir",
	    json_string(mpic__rir_str(o->s->rir)));
	rc |= json_object_set_new(e, "result", json_string(o->pass ? "pass" :
	    o->fail ? "fail" : "error"));
	rc |= json_object_set_new(e, "dnssec",
	    json_string(mpic__dnssec_str(r->dnssec)));
	if (r->n_errors > 0) {
		v = json_pack("{s:s, s:s%}", "error_type", r->errors[0].type,
		    "error_message", r->errors[0].message,
		    strnlen(r->errors[0].message, EV_TEXT_MAX));
		rc |= v == NULL ? -1 : json_object_set_new(e, "error", v);
	}
	rc |= copy_member(e, d, "response_code", "response_code",
	    JSON_INTEGER);
	rc |= copy_member(e, d, "lookup_failure", "lookup_failure",
	    JSON_STRING);
	rc |= copy_member(e, d, "lookup_failure_permitted",
	    "lookup_failure_permitted", JSON_STRING);
	rc |= copy_member(e, d, "found_at", "found_at", JSON_STRING);
	rc |= records_put(e, d);
	rc |= copy_member(e, d, "resolved_ip", "address", JSON_STRING);
	rc |= copy_member(e, d, "response_status_code", "status",
	    JSON_INTEGER);
	if (page != NULL)
		rc |= json_object_set_new(e, "page",
		    json_stringn(page, strnlen(page, EV_PAGE_MAX)));
	rc |= copy_member(e, d, "cache_headers", "cache_headers",
	    JSON_OBJECT);
	rc |= copy_member(e, d, "connect_error", "connect_error",
	    JSON_STRING);
	rc |= copy_member(e, d, "common_name", "common_name", JSON_STRING);
	rc |= json_object_set_new(e, "timestamp_ns", json_integer(
	    r->timestamp_ns > (uint64_t)INT64_MAX ? INT64_MAX :
	    (json_int_t)r->timestamp_ns));
	rc |= json_object_set_new(e, "duration_ms",
	    json_integer((json_int_t)r->duration_ms));
	if (rc != 0) {
		json_decref(e);
		return NULL;
	}
	return e;
}
