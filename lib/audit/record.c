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

#include <stdio.h>

#include "audit/audit.h"

#define DETAIL_STR_MAX 256     /* bytes of one string kept */
#define DETAIL_ARRAY_MAX 16    /* elements of one list kept */
#define DETAIL_KEYS_MAX 32     /* keys of one object kept */
#define DETAIL_DEPTH_MAX 4
#define DETAIL_DUMP_MAX 16384  /* the bounded copy, serialised */
#define FINDINGS_DUMP_MAX 24576 /* a decision's findings, serialised */

/*
 * The bounded copy of a details value, written in place: strings cut at
 * DETAIL_STR_MAX bytes (on a UTF-8 character boundary) with the full
 * length noted, lists at DETAIL_ARRAY_MAX elements and a count, objects
 * at DETAIL_KEYS_MAX keys, DETAIL_DEPTH_MAX levels.
 */
static void
bounded(struct mpic__jw *w, const json_t *v, int depth)
{
	const char *s;
	char note[64], buf[DETAIL_STR_MAX + 64];
	size_t i, n, cut, len;
	void *it;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		if (n <= DETAIL_STR_MAX) {
			mpic__jw_strn(w, s, n);
			return;
		}
		i = DETAIL_STR_MAX;
		while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
			i--; /* cut on a UTF-8 character boundary */
		cut = strnlen(s, i);
		len = (size_t)snprintf(note, sizeof(note),
		    "...(%zu bytes in all)", n);
		memcpy(buf, s, cut);
		memcpy(buf + cut, note, len);
		mpic__jw_strn(w, buf, cut + len);
		return;
	case JSON_ARRAY:
		if (depth >= DETAIL_DEPTH_MAX) {
			mpic__jw_str(w, "...");
			return;
		}
		mpic__jw_open(w, '[');
		n = json_array_size(v);
		for (i = 0; i < n && i < DETAIL_ARRAY_MAX; i++)
			bounded(w, json_array_get(v, i), depth + 1);
		if (n > DETAIL_ARRAY_MAX) {
			len = (size_t)snprintf(note, sizeof(note),
			    "...(%zu more)", n - DETAIL_ARRAY_MAX);
			mpic__jw_strn(w, note, len);
		}
		mpic__jw_close(w, ']');
		return;
	case JSON_OBJECT:
		if (depth >= DETAIL_DEPTH_MAX) {
			mpic__jw_str(w, "...");
			return;
		}
		mpic__jw_open(w, '{');
		i = 0;
		for (it = json_object_iter((json_t *)v); it != NULL &&
		    i < DETAIL_KEYS_MAX; it = json_object_iter_next(
		    (json_t *)v, it), i++) {
			mpic__jw_key(w, json_object_iter_key(it));
			bounded(w, json_object_iter_value(it), depth + 1);
		}
		mpic__jw_close(w, '}');
		return;
	default:
		mpic__jw_json(w, v, false);
		return;
	}
}

static void
sha256_hex(const char *s, size_t n, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[32];
	size_t i;

	mpic__sha256(s, n, d);
	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[64] = '\0';
}

/*
 * Opens the record and writes the fields every record of a request has:
 * what was validated, how (SC-099, BR 5.4.1: the method by its BR
 * section and its label, both from the method table), and the
 * Authorization Domain Names used (none: null; one: the name; several,
 * which only a decision can show: the list).
 */
static void
common(struct mpic__jw *w, const struct mpic__audit_ctx *c, const char *type,
       const char *const *adns, size_t n_adns)
{
	const struct mpic__request *req = c->req;
	bool caa = req->check_type == MPIC__CHECK_CAA;
	const char *br = caa ? "3.2.2.8" :
	    mpic__dcv_method_br(req->dcv.method, req->target.is_ip);
	const char *method = caa ? "caa" : mpic__dcv_method_str(req->dcv.method);
	/* CAA: the label the validationmethods match was made for */
	const char *label = caa ? req->caa.validation_method :
	    mpic__dcv_method_label(req->dcv.method, req->target.is_ip);
	size_t i;

	mpic__jw_clear(w);
	mpic__jw_open(w, '{');
	mpic__jw_key(w, "type");
	mpic__jw_str(w, type);
	mpic__jw_key(w, "audit_id");
	mpic__jw_str(w, c->audit_id);
	mpic__jw_key(w, "trace_identifier");
	mpic__jw_str(w, req->trace_identifier);
	/* the W3C trace id (docs/api.md): joins the logs to the records */
	mpic__jw_key(w, "trace_id");
	mpic__jw_str(w, req->trace_id[0] != '\0' ? req->trace_id : NULL);
	mpic__jw_key(w, "target");
	mpic__jw_str(w, req->target.name);
	mpic__jw_key(w, "identifier");
	mpic__jw_str(w, mpic__target_base(&req->target));
	mpic__jw_key(w, "check_type");
	mpic__jw_str(w, caa ? "caa" : "dcv");
	mpic__jw_key(w, "method");
	mpic__jw_str(w, method);
	mpic__jw_key(w, "method_label");
	mpic__jw_str(w, label);
	mpic__jw_key(w, "br_version");
	mpic__jw_str(w, MPIC_BR_VERSION);
	mpic__jw_key(w, "br_section");
	mpic__jw_str(w, br);
	mpic__jw_key(w, "authorization_domain_name");
	if (n_adns == 1) {
		mpic__jw_str(w, adns[0]);
	} else if (n_adns == 0) {
		mpic__jw_null(w);
	} else {
		mpic__jw_open(w, '[');
		for (i = 0; i < n_adns; i++)
			mpic__jw_str(w, adns[i]);
		mpic__jw_close(w, ']');
	}
}

/*
 * "perspective_call": the body every perspective of the request was
 * called with (mpic__remote_body()), whose digest their statements sign;
 * absent when the request has none.
 */
static void
perspective_call(struct mpic__jw *w, const struct mpic__request *req)
{
	json_t *o;

	if (req->remote_body == NULL ||
	    (o = json_loads(req->remote_body, 0, NULL)) == NULL)
		return;
	mpic__jw_key(w, "perspective_call");
	mpic__jw_json(w, o, true);
	json_decref(o);
}

static int
finish(struct mpic__jw *w)
{
	mpic__jw_close(w, '}');
	return w->oom ? MPIC_ENOMEM : w->over ? MPIC_ETOOBIG : 0;
}

/*
 * "findings", as in the answer; when that is over FINDINGS_DUMP_MAX
 * bytes, without each finding's evidence (every perspective record has
 * its details) and with "evidence_omitted": true, so that the decision
 * always fits a record.
 */
static void
findings(struct mpic__jw *w, const json_t *f)
{
	struct mpic__jw_mark mk;
	const char *k;
	json_t *v, *one;
	size_t i;

	mpic__jw_mark(w, &mk);
	mpic__jw_key(w, "findings");
	mpic__jw_json(w, f, false);
	if (!w->over && w->len - mk.len <= FINDINGS_DUMP_MAX)
		return;
	mpic__jw_rewind(w, &mk);
	mpic__jw_key(w, "findings");
	mpic__jw_open(w, '[');
	json_array_foreach(f, i, one) {
		mpic__jw_open(w, '{');
		json_object_foreach((json_t *)one, k, v) {
			if (strcmp(k, "evidence") == 0)
				continue;
			mpic__jw_key(w, k);
			mpic__jw_json(w, v, false);
		}
		mpic__jw_key(w, "evidence_omitted");
		mpic__jw_bool(w, true);
		mpic__jw_close(w, '}');
	}
	mpic__jw_close(w, ']');
}

/*
 * "details" and "details_sha256".  The hash is over the full details as
 * docs/audit.md defines it (compact, sorted keys, ASCII escapes); the
 * bounded copy is dropped for a note when it is still over
 * DETAIL_DUMP_MAX bytes as written.
 */
static void
details(struct mpic__jw *w, const json_t *det, struct mpic__jw *scratch)
{
	struct mpic__jw_mark mk;
	char h[65];

	mpic__jw_key(w, "details");
	if (det == NULL) {
		mpic__jw_open(w, '{');
		mpic__jw_close(w, '}');
		sha256_hex("{}", 2, h);
	} else {
		mpic__jw_clear(scratch);
		mpic__jw_json(scratch, det, true);
		if (mpic__jw_failed(scratch)) {
			w->oom = true;
			return;
		}
		sha256_hex(scratch->p, scratch->len, h);
		mpic__jw_mark(w, &mk);
		bounded(w, det, 0);
		if (w->over || w->len - mk.len > DETAIL_DUMP_MAX) {
			mpic__jw_rewind(w, &mk);
			mpic__jw_open(w, '{');
			mpic__jw_key(w, "omitted");
			mpic__jw_str(w, "too large; see details_sha256");
			mpic__jw_close(w, '}');
		}
	}
	mpic__jw_key(w, "details_sha256");
	mpic__jw_strn(w, h, 64);
}

int
mpic__audit_check_record(const struct mpic__audit_ctx *c, int attempt,
			 const struct mpic__perspective_def *def,
			 const struct mpic__check_result *res, unsigned flags,
			 struct mpic__jw *w, struct mpic__jw *scratch)
{
	char t[32], adn[MPIC__NAME_MAX + 1];
	const char *adns[1] = {adn};

	common(w, c, "perspective", adns, mpic__check_adn(c->req, res, adn,
	    sizeof(adn)) ? 1 : 0);
	mpic__jw_key(w, "attempt");
	mpic__jw_int(w, attempt);
	mpic__jw_key(w, "perspective_code");
	mpic__jw_str(w, def->code);
	mpic__jw_key(w, "rir");
	mpic__jw_str(w, mpic__rir_str(def->rir));
	mpic__jw_key(w, "result");
	mpic__jw_str(w, !res->completed ? "error" : res->passed ? "pass" :
	    "fail");
	if (flags & MPIC__AUDIT_LATE) {
		mpic__jw_key(w, "late");
		mpic__jw_bool(w, true);
	}
	mpic__jw_key(w, "dnssec");
	mpic__jw_str(w, mpic__dnssec_str(res->dnssec));
	mpic__jw_key(w, "errors");
	mpic__check_errors_write(w, res);
	mpic__jw_key(w, "duration_ms");
	mpic__jw_int(w, res->duration_ms);
	mpic__audit_time(res->timestamp_ns, t);
	mpic__jw_key(w, "checked_at");
	mpic__jw_str(w, t);
	if (res->remote_timestamp_ns != 0) {
		/* what a remote claimed, outside its call's window: checked_at
		 * is our time of receipt instead */
		mpic__jw_key(w, "remote_timestamp_ns");
		mpic__jw_int(w, res->remote_timestamp_ns > (uint64_t)INT64_MAX ?
		    INT64_MAX : (long long)res->remote_timestamp_ns);
	}
	details(w, res->details, scratch);
	/* what the perspective signed, verified by the engine: `mpic audit
	 * verify --keys` and bundles check it again (docs/evidence.md) */
	if (res->statement != NULL) {
		mpic__jw_key(w, "signed_statement");
		mpic__jw_json(w, res->statement, true);
	}
	if (flags & MPIC__AUDIT_PRIMARY) {
		mpic__jw_key(w, "primary");
		mpic__jw_bool(w, true);
	}
	return finish(w);
}

int
mpic__audit_decision_record(const struct mpic__audit_ctx *c,
			    const struct mpic__audit_decision *d,
			    struct mpic__jw *w)
{
	char k_n[32], day[16];
	struct tm tm;
	size_t i;

	common(w, c, "decision", d->adns, d->n_adns);
	mpic__bufprintf(k_n, sizeof(k_n), "%d/%d", d->passed,
	    d->perspective_count);
	mpic__jw_key(w, "is_valid");
	mpic__jw_bool(w, d->valid);
	mpic__jw_key(w, "quorum_result");
	mpic__jw_str(w, k_n);
	mpic__jw_key(w, "quorum_count");
	mpic__jw_int(w, d->quorum_count);
	mpic__jw_key(w, "perspective_count");
	mpic__jw_int(w, d->perspective_count);
	mpic__jw_key(w, "attempts");
	mpic__jw_int(w, d->attempts);
	mpic__jw_key(w, "perspectives");
	mpic__jw_open(w, '[');
	for (i = 0; i < d->n_codes; i++)
		mpic__jw_str(w, d->codes[i]);
	mpic__jw_close(w, ']');
	if (d->rir_rule_failed) {
		mpic__jw_key(w, "rir_rule_failed");
		mpic__jw_bool(w, true);
	}
	if (d->primary_code != NULL) {
		mpic__jw_key(w, "primary_perspective");
		mpic__jw_str(w, d->primary_code);
		mpic__jw_key(w, "primary_passed");
		mpic__jw_bool(w, d->primary_passed);
	}
	if (gmtime_r(&d->br_now, &tm) != NULL &&
	    strftime(day, sizeof(day), "%Y-%m-%d", &tm) > 0) {
		mpic__jw_key(w, "br_date");
		mpic__jw_str(w, day);
	}
	if (d->warning_type != NULL) {
		/* as the response's "warnings" */
		mpic__jw_key(w, "warnings");
		mpic__jw_open(w, '[');
		mpic__jw_open(w, '{');
		mpic__jw_key(w, "warning_type");
		mpic__jw_str(w, d->warning_type);
		mpic__jw_key(w, "message");
		mpic__jw_str(w, d->warning);
		mpic__jw_close(w, '}');
		mpic__jw_close(w, ']');
	}
	if (d->findings != NULL)
		findings(w, d->findings);
	perspective_call(w, c->req);
	return finish(w);
}
