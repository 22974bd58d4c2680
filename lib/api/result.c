/*
 * result.c - one perspective's check_response: building it, recording
 * errors, its JSON form, the Authorization Domain Name it shows.
 * (mpic__dnssec_str lives in lib/dns/resolver.c.)
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"

void
mpic__check_result_init(struct mpic__check_result *r)
{
	memset(r, 0, sizeof(*r));
	r->dnssec = MPIC__DNSSEC_INDETERMINATE;
	r->details = NULL;
	r->statement = NULL;
}

void
mpic__check_result_release(struct mpic__check_result *r)
{
	if (r == NULL)
		return;
	json_decref(r->details);
	json_decref(r->statement);
	mpic__check_result_init(r);
}

/*
 * Only the first MPIC__MAX_CHECK_ERRORS errors are kept; the flags
 * (completed, passed) are the caller's to set.
 */
void
mpic__check_error(struct mpic__check_result *r, const char *type,
		  const char *fmt, ...)
{
	struct mpic__check_error *e;
	va_list ap;

	if (r == NULL || r->n_errors >= MPIC__MAX_CHECK_ERRORS)
		return;
	e = &r->errors[r->n_errors++];
	e->type = type != NULL ? type : "mpic_error";
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

/*
 * The details shapes of openapi.yaml (Open MPIC 3.9.0): CheckResponseCAA
 * details, HTTPMethodCheckResponseDetails, DNSMethodCheckResponseDetails,
 * TLSALPNMethodCheckResponseDetails; plus validation_method, which Open
 * MPIC's models (open-mpic-core) require of every DCV details.  The
 * values are what our own checkers start from before observing anything
 * (lib/check, lib/dcv), so "nothing observed" has one shape whatever the
 * reason; check_completed and errors say the reason.
 */
enum dval { DV_NULL, DV_FALSE, DV_LIST, DV_METHOD };

struct dkey {
	const char *key;
	enum dval v;
	bool required;          /* by the schema: added to a partial object */
};

static const struct dkey caa_keys[] = {
	{ "caa_record_present", DV_FALSE, true },
	{ "found_at", DV_NULL, true },
	{ "records_seen", DV_LIST, true },
	{ NULL, DV_NULL, false },
};

static const struct dkey http_keys[] = {
	{ "validation_method", DV_METHOD, true },
	{ "response_history", DV_LIST, true },
	{ "response_url", DV_NULL, true },
	{ "response_status_code", DV_NULL, true },
	{ "response_page", DV_NULL, true },
	{ "resolved_ip", DV_NULL, false },
	{ NULL, DV_NULL, false },
};

static const struct dkey dns_keys[] = {
	{ "validation_method", DV_METHOD, true },
	{ "records_seen", DV_LIST, true },
	{ "response_code", DV_NULL, true },
	{ "ad_flag", DV_NULL, true },
	{ "found_at", DV_NULL, true },
	{ "cname_chain", DV_LIST, false },
	{ NULL, DV_NULL, false },
};

static const struct dkey alpn_keys[] = {
	{ "validation_method", DV_METHOD, true },
	{ "common_name", DV_NULL, true },
	{ NULL, DV_NULL, false },
};

static const struct dkey *
details_keys(enum mpic__check_type type, enum mpic__dcv_method method)
{
	/* by the details shape of the method's row (methods.c) */
	static const struct dkey *const shapes[] = {
		[MPIC__DETAILS_NONE] = NULL,
		[MPIC__DETAILS_DNS] = dns_keys,
		[MPIC__DETAILS_HTTP] = http_keys,
		[MPIC__DETAILS_TLS_ALPN] = alpn_keys,
	};

	if (type == MPIC__CHECK_CAA)
		return caa_keys;
	return shapes[mpic__dcv_method_details(method)];
}

int
mpic__check_details_fill(struct mpic__check_result *r,
			 enum mpic__check_type type,
			 enum mpic__dcv_method method)
{
	const struct dkey *k = details_keys(type, method);
	bool fresh = false;
	json_t *v;

	if (r == NULL || k == NULL)
		return 0;
	if (!json_is_object(r->details)) {
		json_decref(r->details);
		if ((r->details = json_object()) == NULL)
			return MPIC_ENOMEM;
		fresh = true;
	}
	for (; k->key != NULL; k++) {
		if (!fresh && (!k->required ||
		    json_object_get(r->details, k->key) != NULL))
			continue;
		switch (k->v) {
		case DV_FALSE:
			v = json_false();
			break;
		case DV_LIST:
			v = json_array();
			break;
		case DV_METHOD:
			v = json_string(mpic__dcv_method_str(method));
			break;
		default:
			v = json_null();
			break;
		}
		if (v == NULL || json_object_set_new(r->details, k->key, v) != 0)
			return MPIC_ENOMEM;
	}
	return 0;
}

void
mpic__check_errors_write(struct mpic__jw *w, const struct mpic__check_result *r)
{
	size_t i;

	mpic__jw_open(w, '[');
	for (i = 0; i < r->n_errors; i++) {
		mpic__jw_open(w, '{');
		mpic__jw_key(w, "error_type");
		mpic__jw_str(w, r->errors[i].type);
		mpic__jw_key(w, "error_message");
		mpic__jw_str(w, r->errors[i].message);
		mpic__jw_close(w, '}');
	}
	mpic__jw_close(w, ']');
}

void
mpic__check_result_open(struct mpic__jw *w, const struct mpic__check_result *r,
			enum mpic__check_type type)
{

	mpic__jw_open(w, '{');
	mpic__jw_key(w, "check_completed");
	mpic__jw_bool(w, r->completed);
	mpic__jw_key(w, "check_passed");
	mpic__jw_bool(w, r->passed);
	mpic__jw_key(w, "errors");
	if (r->n_errors > 0)
		mpic__check_errors_write(w, r);
	else
		mpic__jw_null(w);
	/* timestamp_ns is an int64 in the spec; clamp rather than wrap. */
	mpic__jw_key(w, "timestamp_ns");
	mpic__jw_int(w, r->timestamp_ns > (uint64_t)INT64_MAX ? INT64_MAX :
	    (long long)r->timestamp_ns);
	mpic__jw_key(w, "check_type");
	mpic__jw_str(w, type == MPIC__CHECK_CAA ? "caa" : "dcv");
	mpic__jw_key(w, "details");
	if (r->details != NULL) {
		mpic__jw_json(w, r->details, false);
	} else {
		mpic__jw_open(w, '{');
		mpic__jw_close(w, '}');
	}
	mpic__jw_key(w, "dnssec");
	mpic__jw_str(w, mpic__dnssec_str(r->dnssec));
	mpic__jw_key(w, "duration_ms");
	mpic__jw_int(w, (long long)r->duration_ms);
}

/* A name from details (a string of 1..MPIC__NAME_MAX octets, a final dot
 * dropped); NULL otherwise. */
static const char *
detail_name(const json_t *d, const char *key, size_t *len)
{
	const json_t *v = json_object_get(d, key);
	size_t n;

	if (!json_is_string(v))
		return NULL;
	n = json_string_length(v);
	if (n > 0 && json_string_value(v)[n - 1] == '.')
		n--;
	if (n == 0 || n > MPIC__NAME_MAX)
		return NULL;
	*len = n;
	return json_string_value(v);
}

bool
mpic__check_adn(const struct mpic__request *req,
		const struct mpic__check_result *r, char *out, size_t outlen)
{
	const json_t *d = r->details, *chain;
	const char *s = NULL, *dot;
	enum mpic__adn_rule rule;
	size_t n = 0, i;
	bool aliased;

	if (outlen == 0 || req->target.is_ip)
		return false;
	/* CAA: the name whose set was relevant, as climbing found it */
	rule = req->check_type == MPIC__CHECK_CAA ? MPIC__ADN_CLIMB :
	    mpic__dcv_method_adn(req->dcv.method);
	switch (rule) {
	case MPIC__ADN_NAME:
		s = mpic__target_base(&req->target);
		n = strlen(s);
		break;
	case MPIC__ADN_CLIMB:
		s = detail_name(d, "found_at", &n);
		break;
	case MPIC__ADN_RECORD:
		/*
		 * found_at is where the records were, after aliases; with an
		 * alias the name the record proves is the one asked for: the
		 * name queried.
		 */
		chain = json_object_get(d, "cname_chain");
		aliased = json_is_array(chain) && json_array_size(chain) > 0;
		if (!aliased)
			s = detail_name(d, "found_at", &n);
		if (s == NULL)
			s = detail_name(d, "queried", &n);
		/* BR 3.2.2.4.7: a record at the ADN or at the ADN prefixed
		 * with labels beginning with '_' */
		while (s != NULL && n > 0 && s[0] == '_' &&
		    (dot = memchr(s, '.', n)) != NULL) {
			n -= (size_t)(dot + 1 - s);
			s = dot + 1;
		}
		if (s != NULL && s[0] == '_')
			s = NULL;
		break;
	}
	if (s == NULL || n == 0 || n >= outlen)
		return false;
	for (i = 0; i < n; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') :
		    s[i];
	out[n] = '\0';
	return true;
}
