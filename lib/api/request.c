/*
 * request.c - the POST /mpic body: JSON limits, the top level, the
 * orchestration and CAA parameters.  dcv_check_parameters are in
 * methods.c and dcv_params.c; the field readers and the issues in
 * fields.c.
 *
 * Optional fields may be JSON null, meaning "not given": Open MPIC's own
 * clients serialise unset optional fields that way.
 */
#include <stdio.h>
#include <string.h>

#include "api/api_int.h"

/*
 * Nesting depth of JSON text, counted before parsing so that a deep
 * document costs nothing but this scan.  Brackets inside strings do not
 * count.  Stops early once max is passed.
 */
static int
json_depth(const char *s, size_t n, int max)
{
	bool in_str = false, esc = false;
	int depth = 0, deepest = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"')
			in_str = true;
		else if (ch == '[' || ch == '{') {
			if (++depth > deepest)
				deepest = depth;
			if (deepest > max)
				break;
		} else if ((ch == ']' || ch == '}') && depth > 0)
			depth--;
	}
	return deepest;
}

/* An integer field in [lo, hi]: 1 and *out set, 0 absent, -1 wrong. */
static int
get_int(struct api_ctx *c, const json_t *obj, const char *path,
	const char *key, const char *itype, json_int_t lo, json_int_t hi,
	int *out)
{
	json_t *v = api__field(obj, key);
	json_int_t n;

	if (v == NULL)
		return 0;
	if (!json_is_integer(v)) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_TYPE,
		    "%s.%s: must be an integer", path, key);
		return -1;
	}
	n = json_integer_value(v);
	if (n < lo || n > hi) {
		mpic__issue_add(c->issues, itype,
		    "%s.%s: %lld is outside %lld..%lld", path, key,
		    (long long)n, (long long)lo, (long long)hi);
		return -1;
	}
	*out = (int)n;
	return 1;
}

static void
parse_orch(struct api_ctx *c, const json_t *o)
{
	static const char *const keys[] = {"perspective_count",
	    "quorum_count", "max_attempts", "cohort_for_single_attempt", NULL};
	static const char path[] = "orchestration_parameters";
	struct mpic__orch_params *p = &c->req->orch;
	json_t *q;

	if (!json_is_object(o)) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_TYPE,
		    "%s: must be an object", path);
		return;
	}
	c->req->has_orch = true;
	api__unknown_keys(c, o, path, keys);
	get_int(c, o, path, "perspective_count",
	    MPIC__ISSUE_PERSPECTIVE_COUNT, 1, API_MAX_PERSPECTIVES,
	    &p->perspective_count);
	/* quorum_count 0 is Open MPIC's monitoring mode: refused here. */
	q = api__field(o, "quorum_count");
	if (q != NULL && json_is_integer(q) && json_integer_value(q) == 0)
		mpic__issue_add(c->issues, MPIC__ISSUE_QUORUM_COUNT,
		    "%s.quorum_count: 0 (monitoring mode, always valid) is "
		    "not supported", path);
	else if (get_int(c, o, path, "quorum_count",
	    MPIC__ISSUE_QUORUM_COUNT, 1, API_MAX_PERSPECTIVES,
	    &p->quorum_count) == 1 && p->perspective_count > 0 &&
	    p->quorum_count > p->perspective_count)
		mpic__issue_add(c->issues, MPIC__ISSUE_QUORUM_COUNT,
		    "%s.quorum_count: %d is more than perspective_count %d",
		    path, p->quorum_count, p->perspective_count);
	get_int(c, o, path, "max_attempts", MPIC__ISSUE_MAX_ATTEMPTS, 1,
	    API_MAX_ATTEMPTS, &p->max_attempts);
	get_int(c, o, path, "cohort_for_single_attempt", MPIC__ISSUE_COHORT,
	    1, API_MAX_COHORT, &p->cohort_for_single_attempt);
}

/* RFC 8657 validationmethods label: an ACME method's (the method table's)
 * or a "ca-" label. */
static bool
caa_method_ok(const char *s, size_t n)
{
	size_t i;

	if (mpic__dcv_label_is_acme(s))
		return true;
	if (n <= 3 || n > 63 || strncmp(s, "ca-", 3) != 0)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
	}
	return s[n - 1] != '-';
}

static void
parse_caa(struct api_ctx *c, const json_t *o)
{
	static const char *const keys[] = {"certificate_type", "caa_domains",
	    "allow_lookup_failure", "account_uri", "validation_method", NULL};
	static const char path[] = "caa_check_parameters";
	struct mpic__caa_params *p = &c->req->caa;
	const char *s;
	size_t n;
	json_t *v;
	char q[64];

	if (!json_is_object(o)) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_TYPE,
		    "%s: must be an object", path);
		return;
	}
	api__unknown_keys(c, o, path, keys);
	if (api__get_string(c, o, path, "certificate_type", false, 64, &s,
	    &n) == 1) {
		if (strcmp(s, "tls-server") == 0)
			p->cert_type = MPIC__CERT_TLS_SERVER;
		else if (strcmp(s, "s-mime") == 0)
			p->cert_type = MPIC_CERT_SMIME;
		else {
			api__quote(s, n, q, sizeof(q));
			mpic__issue_add(c->issues, MPIC__ISSUE_CERT_TYPE,
			    "%s.certificate_type: \"%s\" is not tls-server "
			    "or s-mime", path, q);
		}
	}
	v = api__field(o, "caa_domains");
	if (v != NULL)
		api__parse_domain_list(c, v, "caa_check_parameters.caa_domains",
		    p->caa_domains, MPIC__MAX_CAA_DOMAINS, &p->n_caa_domains);
	api__get_bool(c, o, path, "allow_lookup_failure",
	    &p->allow_lookup_failure);
	if (api__get_string(c, o, path, "account_uri", false, API_URI_MAX,
	    &s, &n) == 1) {
		if (!api__uri_ok(s, n))
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
			    "%s.account_uri: must be a URI (scheme:rest, "
			    "printable ASCII, no spaces)", path);
		else
			p->account_uri = s;
	}
	if (api__get_string(c, o, path, "validation_method", false, 63, &s,
	    &n) == 1) {
		if (!caa_method_ok(s, n)) {
			api__quote(s, n, q, sizeof(q));
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
			    "%s.validation_method: \"%s\" is not an ACME "
			    "method label (http-01, dns-01, tls-alpn-01, "
			    "dns-account-01, dns-persist-01) or a ca- label",
			    path, q);
		} else
			p->validation_method = s;
	}
}

static void
parse_target(struct api_ctx *c, const json_t *root)
{
	const char *s;
	size_t n;
	char err[128], q[64];

	if (api__get_string(c, root, "", "domain_or_ip_target", true,
	    API_TARGET_INPUT_MAX, &s, &n) != 1)
		return;
	c->req->target_text = s;
	if (mpic__target_parse(s, n, &c->req->target, err,
	    sizeof(err)) != 0) {
		api__quote(s, n, q, sizeof(q));
		mpic__issue_add(c->issues, MPIC__ISSUE_TARGET,
		    "domain_or_ip_target: \"%s\" %s", q, err);
		return;
	}
	/*
	 * An Onion Domain Name (RFC 7686) has no DNS to ask nor Internet
	 * route to compare: the BR exempt it from MPIC (3.2.2.9) and from
	 * CAA, and validate it under Appendix B instead.  An answer here,
	 * for any check type, could only be a meaningless failure.
	 */
	if (c->req->target.is_onion) {
		api__quote(s, n, q, sizeof(q));
		mpic__issue_add(c->issues, MPIC__ISSUE_TARGET,
		    "domain_or_ip_target: \"%s\" is an Onion Domain Name: "
		    "MPIC does not apply to it (BR 3.2.2.9; validate it per "
		    "BR Appendix B)", q);
	}
}

static void
parse_top(struct api_ctx *c, const json_t *root)
{
	static const char *const keys[] = {"check_type",
	    "domain_or_ip_target", "trace_identifier",
	    "orchestration_parameters", "caa_check_parameters",
	    "dcv_check_parameters", NULL};
	struct mpic__request *req = c->req;
	const char *s;
	size_t n;
	json_t *v;
	bool type_ok = false;
	char q[64];

	api__unknown_keys(c, root, "", keys);
	if (api__get_string(c, root, "", "check_type", true, 16, &s,
	    &n) == 1) {
		if (strcmp(s, "caa") == 0) {
			req->check_type = MPIC__CHECK_CAA;
			type_ok = true;
		} else if (strcmp(s, "dcv") == 0) {
			req->check_type = MPIC_CHECK_DCV;
			type_ok = true;
		} else {
			api__quote(s, n, q, sizeof(q));
			mpic__issue_add(c->issues, MPIC__ISSUE_CHECK_TYPE,
			    "check_type: \"%s\" is not caa or dcv", q);
		}
	}
	parse_target(c, root);
	if (api__get_string(c, root, "", "trace_identifier", false,
	    API_TRACE_ID_MAX, &s, &n) == 1) {
		if (!api__printable(s, n, false))
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
			    "trace_identifier: must be printable ASCII");
		else
			req->trace_identifier = s;
	}
	v = api__field(root, "orchestration_parameters");
	if (v != NULL)
		parse_orch(c, v);
	if (!type_ok)
		return;
	if (req->check_type == MPIC__CHECK_CAA) {
		if (api__field(root, "dcv_check_parameters") != NULL)
			mpic__issue_add(c->issues, MPIC__ISSUE_UNKNOWN_FIELD,
			    "dcv_check_parameters: not allowed with "
			    "check_type caa");
		v = api__field(root, "caa_check_parameters");
		if (v != NULL)
			parse_caa(c, v);
		return;
	}
	if (api__field(root, "caa_check_parameters") != NULL)
		mpic__issue_add(c->issues, MPIC__ISSUE_UNKNOWN_FIELD,
		    "caa_check_parameters: not allowed with check_type dcv");
	v = api__field(root, "dcv_check_parameters");
	if (v == NULL) {
		mpic__issue_add(c->issues, MPIC__ISSUE_MISSING_FIELD,
		    "dcv_check_parameters: required with check_type dcv");
		return;
	}
	api__parse_dcv(c, v);
}

int
mpic__request_parse(const char *body, size_t len, struct mpic__request *req,
		    struct mpic__issues *issues)
{
	struct mpic__issues scratch;
	struct api_ctx c;
	json_error_t jerr;
	json_t *root = NULL;
	char text[sizeof(jerr.text)];
	int ret = MPIC_EINVAL;

	memset(req, 0, sizeof(*req));
	mpic__arena_init(&req->arena);
	if (issues == NULL)
		issues = &scratch;
	issues->n = 0;
	c.req = req;
	c.issues = issues;
	c.nomem = false;

	if (len > MPIC_MAX_BODY) {
		mpic__issue_add(issues, MPIC__ISSUE_BODY_TOO_LARGE,
		    "request body: %zu octets, more than the %d allowed", len,
		    MPIC_MAX_BODY);
		ret = MPIC_ETOOBIG;
		goto out;
	}
	if (body == NULL || len == 0) {
		mpic__issue_add(issues, MPIC__ISSUE_MALFORMED_JSON,
		    "request body: empty");
		goto out;
	}
	if (json_depth(body, len, MPIC__MAX_JSON_DEPTH) > MPIC__MAX_JSON_DEPTH) {
		mpic__issue_add(issues, MPIC__ISSUE_JSON_TOO_DEEP,
		    "request body: nested deeper than %d levels",
		    MPIC__MAX_JSON_DEPTH);
		goto out;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		if (json_error_code(&jerr) == json_error_out_of_memory) {
			ret = MPIC_ENOMEM;
			goto out;
		}
		api__quote(jerr.text, strlen(jerr.text), text, sizeof(text));
		mpic__issue_add(issues, MPIC__ISSUE_MALFORMED_JSON,
		    "request body: %s at line %d column %d", text, jerr.line,
		    jerr.column);
		goto out;
	}
	if (!json_is_object(root)) {
		mpic__issue_add(issues, MPIC__ISSUE_MALFORMED_JSON,
		    "request body: must be a JSON object");
		goto out;
	}
	req->raw = root;
	root = NULL;
	parse_top(&c, req->raw);
	if (c.nomem)
		ret = MPIC_ENOMEM;
	else if (issues->n == 0)
		ret = 0;
out:
	json_decref(root);
	if (ret != 0)
		mpic__request_release(req);
	return ret;
}

void
mpic__request_release(struct mpic__request *req)
{
	if (req == NULL)
		return;
	json_decref(req->raw);
	mpic__arena_release(&req->arena);
	memset(req, 0, sizeof(*req));
	mpic__arena_init(&req->arena);
}
