/*
 * record.c - the engine's audit records (fields: docs/audit.md).
 *
 * A record line is bounded (MPIC_AUDIT_LINE_MAX), but a check's details
 * are not (a CAA set of 4,096 records, a web page in base64).  So the
 * record carries a bounded copy of the details for the reader and the
 * SHA-256 of the full details as emitted in the response, which binds the
 * log to the exact evidence the caller was given.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

#define DETAIL_STR_MAX 256     /* bytes of one string kept */
#define DETAIL_ARRAY_MAX 16    /* elements of one list kept */
#define DETAIL_KEYS_MAX 32     /* keys of one object kept */
#define DETAIL_DEPTH_MAX 4
#define DETAIL_DUMP_MAX 16384  /* the bounded copy, serialised */
#define DETAIL_SMALL 4096      /* details this small always fit */

static json_t *
bounded(const json_t *v, int depth)
{
	json_t *o, *e;
	const char *k, *s;
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		if (n <= DETAIL_STR_MAX)
			return json_stringn(s, n);
		i = DETAIL_STR_MAX;
		while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
			i--; /* cut on a UTF-8 character boundary */
		return json_sprintf("%.*s...(%zu bytes in all)", (int)i, s, n);
	case JSON_ARRAY:
		if (depth >= DETAIL_DEPTH_MAX)
			return json_string("...");
		o = json_array();
		n = json_array_size(v);
		for (i = 0; o != NULL && i < n && i < DETAIL_ARRAY_MAX; i++)
			json_array_append_new(o, bounded(json_array_get(v, i),
			    depth + 1));
		if (o != NULL && n > DETAIL_ARRAY_MAX)
			json_array_append_new(o, json_sprintf("...(%zu more)",
			    n - DETAIL_ARRAY_MAX));
		return o;
	case JSON_OBJECT:
		if (depth >= DETAIL_DEPTH_MAX)
			return json_string("...");
		o = json_object();
		i = 0;
		json_object_foreach((json_t *)v, k, e) {
			if (o == NULL || i++ == DETAIL_KEYS_MAX)
				break;
			json_object_set_new(o, k, bounded(e, depth + 1));
		}
		return o;
	default:
		return json_deep_copy(v);
	}
}

static void
sha256_hex(const char *s, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[32];
	size_t i;

	mpic__sha256(s, strlen(s), d);
	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[64] = '\0';
}

/* Fields every record of a request carries. */
static json_t *
common(const struct mpic_audit_ctx *c, const char *type)
{
	const struct mpic_request *req = c->req;
	bool caa = req->check_type == MPIC_CHECK_CAA;
	const char *br = caa ? "3.2.2.8" :
	    mpic__dcv_method_br(req->dcv.method, req->target.is_ip);
	const char *method = caa ? "caa" : mpic__dcv_method_str(req->dcv.method);
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "audit_id", json_string(c->audit_id));
	json_object_set_new(o, "trace_identifier", req->trace_identifier ?
	    json_string(req->trace_identifier) : json_null());
	json_object_set_new(o, "target", json_string(req->target.name));
	json_object_set_new(o, "check_type", json_string(caa ? "caa" : "dcv"));
	json_object_set_new(o, "method", method ? json_string(method) :
	    json_null());
	json_object_set_new(o, "br_version", json_string(MPIC_BR_VERSION));
	json_object_set_new(o, "br_section", br ? json_string(br) : json_null());
	return o;
}

json_t *
mpic__audit_check_record(const struct mpic_audit_ctx *c, int attempt,
			 const struct mpic_perspective_def *def,
			 const struct mpic_check_result *res, bool late)
{
	json_t *o = common(c, "perspective"), *errs, *e, *det = NULL;
	char t[32], h[65];
	char *full = NULL, *cut = NULL;
	size_t i;

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "attempt", json_integer(attempt));
	json_object_set_new(o, "perspective_code", json_string(def->code));
	json_object_set_new(o, "rir", json_string(mpic__rir_str(def->rir)));
	json_object_set_new(o, "result", json_string(!res->completed ?
	    "error" : res->passed ? "pass" : "fail"));
	if (late)
		json_object_set_new(o, "late", json_true());
	json_object_set_new(o, "dnssec", json_string(
	    mpic__dnssec_str(res->dnssec)));
	errs = json_array();
	for (i = 0; errs != NULL && i < res->n_errors; i++) {
		e = json_object();
		json_object_set_new(e, "error_type",
		    json_string(res->errors[i].type));
		json_object_set_new(e, "error_message",
		    json_string(res->errors[i].message));
		json_array_append_new(errs, e);
	}
	json_object_set_new(o, "errors", errs);
	json_object_set_new(o, "duration_ms", json_integer(res->duration_ms));
	mpic__audit_time(res->timestamp_ns, t);
	json_object_set_new(o, "checked_at", json_string(t));

	/* Same serialisation as docs/audit.md gives for details_sha256. */
	if (res->details == NULL) {
		full = strdup("{}");
		det = json_object();
	} else {
		full = json_dumps(res->details, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENSURE_ASCII);
		det = bounded(res->details, 0);
		/* The bounded copy can outgrow the original by at most ~3.6x
		 * (per node: a cut string +37 bytes, a cut list +33, a cut
		 * level +3; each node takes at least 2 bytes of the original,
		 * 17 * 2 for a cut list, 259 for a cut string): with a small
		 * original, its size need not be measured (a dump per record
		 * saved; measured in bench/run-coord). */
		cut = det == NULL || (full != NULL && strlen(full) <=
		    DETAIL_SMALL) ? NULL : json_dumps(det, JSON_COMPACT);
		if (det == NULL || full == NULL || (cut == NULL &&
		    strlen(full) > DETAIL_SMALL) || (cut != NULL &&
		    strlen(cut) > DETAIL_DUMP_MAX)) {
			json_decref(det);
			det = json_pack("{s:s}", "omitted",
			    "too large; see details_sha256");
		}
	}
	json_object_set_new(o, "details", det ? det : json_null());
	if (full != NULL) {
		sha256_hex(full, h);
		json_object_set_new(o, "details_sha256", json_string(h));
	}
	free(full);
	free(cut);
	if (full == NULL || det == NULL || errs == NULL) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
mpic__audit_decision_record(const struct mpic_audit_ctx *c,
			    const struct mpic_audit_decision *d)
{
	json_t *o = common(c, "decision"), *codes;
	char k_n[32], day[16];
	struct tm tm;
	size_t i;

	if (o == NULL)
		return NULL;
	mpic__bufprintf(k_n, sizeof(k_n), "%d/%d", d->passed,
	    d->perspective_count);
	json_object_set_new(o, "is_valid", json_boolean(d->valid));
	json_object_set_new(o, "quorum_result", json_string(k_n));
	json_object_set_new(o, "quorum_count", json_integer(d->quorum_count));
	json_object_set_new(o, "perspective_count",
	    json_integer(d->perspective_count));
	json_object_set_new(o, "attempts", json_integer(d->attempts));
	codes = json_array();
	for (i = 0; codes != NULL && i < d->n_codes; i++)
		json_array_append_new(codes, json_string(d->codes[i]));
	json_object_set_new(o, "perspectives", codes);
	if (d->rir_rule_failed)
		json_object_set_new(o, "rir_rule_failed", json_true());
	if (d->primary_code != NULL) {
		json_object_set_new(o, "primary_perspective",
		    json_string(d->primary_code));
		json_object_set_new(o, "primary_passed",
		    json_boolean(d->primary_passed));
	}
	if (gmtime_r(&d->br_now, &tm) != NULL &&
	    strftime(day, sizeof(day), "%Y-%m-%d", &tm) > 0)
		json_object_set_new(o, "br_date", json_string(day));
	if (codes == NULL) {
		json_decref(o);
		return NULL;
	}
	return o;
}
