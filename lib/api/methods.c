/*
 * methods.c - the DCV methods: one row per method of one table, and the
 * readers of its facets.  The request parser, the echo, the details
 * shape, the DNS query, the audit record's labels, CAA validationmethods
 * and the plan's dates all read the row; docs/methods.md lists the
 * columns and the steps to add a method.
 *
 * The table sits with the request parser because the parser must find a
 * row by name; what the checks do is in the row as kinds (struct
 * mpic__dcv_query), which lib/check turns into functions, so that this
 * file reaches nothing above lib/api.
 */
#include <string.h>
#include <time.h>

#include "api/api_int.h"

static const char P[] = "dcv_check_parameters";

static const char *const k_website[] = {"http_token_path", "challenge_value",
    "match_regex", "url_scheme", "require_exact_case", "http_headers", NULL};
static const char *const k_http01[] = {"token", "key_authorization",
    "http_headers", "require_exact_case", NULL};
static const char *const k_dns01[] = {"key_authorization_hash",
    "dns_record_type", "dns_name_prefix", "require_exact_case", NULL};
static const char *const k_alpn[] = {"key_authorization_hash",
    "require_exact_case", NULL};
static const char *const k_change[] = {"challenge_value", "dns_record_type",
    "dns_name_prefix", "require_exact_match", "require_exact_case", NULL};
static const char *const k_persist[] = {"issuer_domain_names",
    "expected_account_uri", "dns_record_type", "dns_name_prefix",
    "require_exact_case", NULL};
static const char *const k_account[] = {"account_uri",
    "key_authorization_hash", "dns_record_type", "dns_name_prefix",
    "require_exact_case", NULL};
static const char *const k_dnsval[] = {"challenge_value", "dns_record_type",
    "dns_name_prefix", "require_exact_case", NULL};

/* The query prefixes, each written once. */
static const char ACME[] = "_acme-challenge";

/* Query facets: how the check runs, what it asks, how it compares. */
#define Q_HTTP {MPIC__RUN_HTTP, NULL, NULL, MPIC__QNAME_FIXED, 0, \
    MPIC__MATCH_NONE}
#define Q_ALPN {MPIC__RUN_TLS_ALPN, NULL, NULL, MPIC__QNAME_FIXED, 0, \
    MPIC__MATCH_NONE}
#define Q_CAA {MPIC__RUN_CAA, NULL, NULL, MPIC__QNAME_FIXED, MPIC__RR_CAA, \
    MPIC__MATCH_NONE}

/*
 * One row per method: its Open MPIC name, its request fields, its BR
 * section and validationmethods label (read by the audit records and by
 * the CAA match: docs/audit.md, "Method labels"), the days from which
 * the BR discourage and forbid it (read by the engine's plan), where its
 * Authorization Domain Name comes from (mpic__check_adn), its details
 * shape and its query.
 *
 * Labels (SC-098): an ACME method's ACME name; any other method of BR
 * 3.2.2.4 "ca-tbr-" and its subsection.  BR 3.2.2.4.22 is ACME's
 * dns-persist-01, also named ca-tbr-22.  A method of BR 3.2.2.5 (IP
 * addresses) that ACME does not name has no label in the BR, and IP
 * addresses have no CAA: "ca-tbr-ip-" and its subsection of 3.2.2.5 is
 * ours, for the audit record only.
 */
static const struct api_method methods[] = {
	{"website-change", MPIC__DCV_WEBSITE_CHANGE,
	    API_T_NAME | API_T_IP | API_T_NO_WILDCARD, true, k_website,
	    api__parse_website_change, api__echo_website_change,
	    {"3.2.2.4.18", "ca-tbr-18"}, {"3.2.2.5.1", "ca-tbr-ip-1"}, NULL,
	    NULL, NULL, MPIC__ADN_NAME, MPIC__DETAILS_HTTP, Q_HTTP, NULL},
	{"acme-http-01", MPIC__DCV_ACME_HTTP_01,
	    API_T_NAME | API_T_IP | API_T_NO_WILDCARD, true, k_http01,
	    api__parse_acme_http, api__echo_acme_http,
	    {"3.2.2.4.19", "http-01"}, {"3.2.2.5.6", "http-01"}, "ca-tbr-19",
	    NULL, NULL, MPIC__ADN_NAME, MPIC__DETAILS_HTTP, Q_HTTP, NULL},
	{"acme-dns-01", MPIC__DCV_ACME_DNS_01, API_T_NAME, true, k_dns01,
	    api__parse_acme_dns, api__echo_acme_dns,
	    {"3.2.2.4.7", "dns-01"}, {"3.2.2.4.7", "dns-01"}, "ca-tbr-7",
	    NULL, NULL, MPIC__ADN_RECORD, MPIC__DETAILS_DNS,
	    {MPIC__RUN_DNS, ACME, NULL, MPIC__QNAME_FIXED, MPIC__RR_TXT,
	    MPIC__MATCH_TXT_HASH}, NULL},
	{"acme-tls-alpn-01", MPIC__DCV_ACME_TLS_ALPN_01,
	    API_T_NAME | API_T_IP | API_T_NO_WILDCARD, false, k_alpn,
	    api__parse_tls_alpn, api__echo_tls_alpn,
	    {"3.2.2.4.20", "tls-alpn-01"}, {"3.2.2.5.7", "tls-alpn-01"},
	    "ca-tbr-20", NULL, NULL, MPIC__ADN_NAME, MPIC__DETAILS_TLS_ALPN,
	    Q_ALPN, NULL},
	{"dns-change", MPIC__DCV_DNS_CHANGE, API_T_NAME, true, k_change,
	    api__parse_dns_change, api__echo_dns_change,
	    {"3.2.2.4.7", "ca-tbr-7"}, {"3.2.2.4.7", "ca-tbr-7"}, NULL, NULL,
	    NULL, MPIC__ADN_RECORD, MPIC__DETAILS_DNS,
	    {MPIC__RUN_DNS, NULL, NULL, MPIC__QNAME_REQUEST, 0,
	    MPIC__MATCH_CHANGE}, "TXT"},
	{"dns-persistent", MPIC__DCV_DNS_PERSISTENT, API_T_NAME | API_T_IP,
	    false, k_persist, api__parse_dns_persistent,
	    api__echo_dns_persistent, {"3.2.2.4.22", "dns-persist-01"},
	    {"3.2.2.5.8", "ca-tbr-ip-8"}, "ca-tbr-22", NULL, NULL,
	    MPIC__ADN_RECORD, MPIC__DETAILS_DNS,
	    {MPIC__RUN_DNS, "_validation-persist", "_ip-validation-persist",
	    MPIC__QNAME_FIXED, MPIC__RR_TXT, MPIC__MATCH_PERSIST}, NULL},
	{"dns-account-01", MPIC__DCV_DNS_ACCOUNT_01, API_T_NAME, true,
	    k_account, api__parse_dns_account, api__echo_dns_account,
	    {"3.2.2.4.21", "dns-account-01"}, {"3.2.2.4.21", "dns-account-01"},
	    "ca-tbr-21", NULL, NULL, MPIC__ADN_RECORD, MPIC__DETAILS_DNS,
	    {MPIC__RUN_DNS, ACME, NULL, MPIC__QNAME_ACCOUNT, MPIC__RR_TXT,
	    MPIC__MATCH_TXT_HASH}, NULL},
	{"contact-email-txt", MPIC__DCV_CONTACT_EMAIL_TXT, API_T_NAME, false,
	    k_dnsval, api__parse_dns_value, api__echo_dns_value,
	    {"3.2.2.4.14", "ca-tbr-14"}, {"3.2.2.4.14", "ca-tbr-14"}, NULL,
	    "2026-03-15", "2028-03-15", MPIC__ADN_RECORD, MPIC__DETAILS_DNS,
	    {MPIC__RUN_DNS, "_validation-contactemail", NULL,
	    MPIC__QNAME_FIXED, MPIC__RR_TXT, MPIC__MATCH_TXT_VALUE}, NULL},
	{"contact-email-caa", MPIC__DCV_CONTACT_EMAIL_CAA, API_T_NAME, false,
	    k_dnsval, api__parse_dns_value, api__echo_dns_value,
	    {"3.2.2.4.13", "ca-tbr-13"}, {"3.2.2.4.13", "ca-tbr-13"}, NULL,
	    "2026-03-15", "2028-03-15", MPIC__ADN_CLIMB, MPIC__DETAILS_DNS,
	    Q_CAA, NULL},
	{"contact-phone-txt", MPIC__DCV_CONTACT_PHONE_TXT, API_T_NAME, false,
	    k_dnsval, api__parse_dns_value, api__echo_dns_value,
	    {"3.2.2.4.16", "ca-tbr-16"}, {"3.2.2.4.16", "ca-tbr-16"}, NULL,
	    "2026-03-15", "2027-03-15", MPIC__ADN_RECORD, MPIC__DETAILS_DNS,
	    {MPIC__RUN_DNS, "_validation-contactphone", NULL,
	    MPIC__QNAME_FIXED, MPIC__RR_TXT, MPIC__MATCH_TXT_VALUE}, NULL},
	{"contact-phone-caa", MPIC__DCV_CONTACT_PHONE_CAA, API_T_NAME, false,
	    k_dnsval, api__parse_dns_value, api__echo_dns_value,
	    {"3.2.2.4.17", "ca-tbr-17"}, {"3.2.2.4.17", "ca-tbr-17"}, NULL,
	    "2026-03-15", "2027-03-15", MPIC__ADN_CLIMB, MPIC__DETAILS_DNS,
	    Q_CAA, NULL},
	{"reverse-address-lookup", MPIC__DCV_REVERSE_ADDRESS_LOOKUP, API_T_IP,
	    false, k_dnsval, api__parse_dns_value, api__echo_dns_value,
	    {"3.2.2.5.3", "ca-tbr-ip-3"}, {"3.2.2.5.3", "ca-tbr-ip-3"}, NULL,
	    NULL, NULL, MPIC__ADN_RECORD, MPIC__DETAILS_DNS,
	    {MPIC__RUN_DNS, NULL, NULL, MPIC__QNAME_FIXED, MPIC__RR_PTR,
	    MPIC__MATCH_PTR}, NULL},
	{"ip-address", MPIC__DCV_IP_ADDRESS, API_T_NAME, false, k_dnsval,
	    api__parse_ip_address, api__echo_dns_value,
	    {"3.2.2.4.8", "ca-tbr-8"}, {"3.2.2.4.8", "ca-tbr-8"}, NULL, NULL,
	    "2026-03-15", MPIC__ADN_RECORD, MPIC__DETAILS_DNS,
	    {MPIC__RUN_DNS, NULL, NULL, MPIC__QNAME_FIXED, 0,
	    MPIC__MATCH_ADDRESS}, "A"},
};

#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

static const struct api_method *
method_row(enum mpic__dcv_method m)
{
	size_t i;

	for (i = 0; i < N_METHODS; i++)
		if (methods[i].method == m)
			return &methods[i];
	return NULL;
}

const char *
mpic__dcv_method_str(enum mpic__dcv_method m)
{
	const struct api_method *r = method_row(m);

	return r != NULL ? r->name : NULL;
}

const char *
mpic__dcv_method_br(enum mpic__dcv_method m, bool ip_target)
{
	const struct api_method *r = method_row(m);

	return r == NULL ? NULL : ip_target ? r->ip.section : r->dns.section;
}

const char *
mpic__dcv_method_label(enum mpic__dcv_method m, bool ip_target)
{
	const struct api_method *r = method_row(m);

	return r == NULL ? NULL : ip_target ? r->ip.label : r->dns.label;
}

/*
 * A method's own label first: "ca-tbr-7" is dns-change's and has no
 * other; it is only dns-01's alternative (a record that allows ca-tbr-7
 * allows dns-01, one that allows dns-01 does not allow dns-change).
 */
const char *
mpic__dcv_label_alt(const char *label)
{
	size_t i;

	if (label == NULL)
		return NULL;
	for (i = 0; i < N_METHODS; i++)
		if (strcmp(methods[i].dns.label, label) == 0)
			return methods[i].alt_label;
	for (i = 0; i < N_METHODS; i++)
		if (methods[i].alt_label != NULL &&
		    strcmp(methods[i].alt_label, label) == 0)
			return methods[i].dns.label;
	return NULL;
}

enum mpic__adn_rule
mpic__dcv_method_adn(enum mpic__dcv_method m)
{
	const struct api_method *r = method_row(m);

	return r != NULL ? r->adn : MPIC__ADN_NAME;
}

bool
mpic__dcv_label_is_acme(const char *s)
{
	size_t i;

	for (i = 0; i < N_METHODS; i++)
		if (strncmp(methods[i].dns.label, "ca-", 3) != 0 &&
		    strcmp(methods[i].dns.label, s) == 0)
			return true;
	return false;
}

enum mpic__method_status
mpic__dcv_method_status(enum mpic__dcv_method m, time_t now,
			const char **since, const char **until)
{
	const struct api_method *r = method_row(m);
	char day[16] = "";
	struct tm tm;

	*since = NULL;
	*until = NULL;
	if (r == NULL)
		return MPIC__METHOD_ALLOWED;
	/* ISO 8601 days compare as strings; each date starts at 00:00 UTC */
	if (gmtime_r(&now, &tm) != NULL)
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (r->forbidden != NULL && strcmp(day, r->forbidden) >= 0) {
		*since = r->forbidden;
		return MPIC__METHOD_FORBIDDEN;
	}
	if (r->discouraged != NULL && strcmp(day, r->discouraged) >= 0) {
		*since = r->discouraged;
		*until = r->forbidden;
		return MPIC__METHOD_DISCOURAGED;
	}
	return MPIC__METHOD_ALLOWED;
}

/* The method's target rules against the parsed target. */
static void
check_target(struct api_ctx *c, const struct api_method *m)
{
	const struct mpic__target *t = &c->req->target;

	if (t->name[0] == '\0')
		return;  /* the target itself was wrong: already reported */
	if (t->is_ip && !(m->targets & API_T_IP))
		mpic__issue_add(c->issues, MPIC__ISSUE_TARGET,
		    "domain_or_ip_target: %s needs a domain name, not an IP "
		    "address", m->name);
	else if (!t->is_ip && !(m->targets & API_T_NAME))
		mpic__issue_add(c->issues, MPIC__ISSUE_TARGET,
		    "domain_or_ip_target: %s needs an IP address, not a "
		    "domain name", m->name);
	else if (t->is_wildcard && (m->targets & API_T_NO_WILDCARD))
		mpic__issue_add(c->issues, MPIC__ISSUE_TARGET,
		    "domain_or_ip_target: %s cannot validate a wildcard name "
		    "(BR 3.2.2.4.18-20)", m->name);
}

static const struct api_method *
method_named(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < N_METHODS; i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

bool
mpic_dcv_method_takes(const char *method, const char *key)
{
	const struct api_method *r = method_named(method);
	size_t i;

	for (i = 0; r != NULL && key != NULL && r->keys[i] != NULL; i++)
		if (strcmp(r->keys[i], key) == 0)
			return true;
	return false;
}

const char *
mpic_dcv_method_default(const char *method, const char *key)
{
	const struct api_method *r = method_named(method);

	if (r == NULL || key == NULL || strcmp(key, "dns_record_type") != 0)
		return NULL;
	return r->tool_rtype;
}

const struct api_method *
api__methods(size_t *n_out)
{
	*n_out = N_METHODS;
	return methods;
}

const struct mpic__dcv_query *
mpic__dcv_method_query(enum mpic__dcv_method m)
{
	const struct api_method *r = method_row(m);

	return r != NULL ? &r->query : NULL;
}

enum mpic__details_shape
mpic__dcv_method_details(enum mpic__dcv_method m)
{
	const struct api_method *r = method_row(m);

	return r != NULL ? r->details : MPIC__DETAILS_NONE;
}

int
mpic__dcv_query_name(const struct mpic__request *req, char *out,
		     size_t outlen, uint16_t *type)
{
	const struct api_method *r = method_row(req->dcv.method);
	const struct mpic__dcv_query *q = r != NULL ? &r->query : NULL;
	const char *base = mpic__target_base(&req->target);
	const char *prefix;
	char rev[MPIC__NAME_MAX + 1], acct[64];

	if (q == NULL || q->by != MPIC__RUN_DNS)
		return MPIC_EINVAL;
	*type = q->rtype != 0 ? q->rtype : req->dcv.dns_record_type;
	prefix = q->prefix;
	if (q->qname == MPIC__QNAME_REQUEST) {
		prefix = req->dcv.dns_name_prefix;
	} else if (q->qname == MPIC__QNAME_ACCOUNT) {
		if (req->dcv.account_uri == NULL ||
		    api__account_prefix(req->dcv.account_uri, q->prefix, acct,
		    sizeof(acct)) != 0)
			return MPIC_EINVAL;
		prefix = acct;
	} else if (req->target.is_ip) {
		/* an IP address is asked about by its reverse name */
		if (mpic__reverse_name(req->target.af, req->target.addr, rev,
		    sizeof(rev)) != 0)
			return MPIC_EINVAL;
		base = rev;
		prefix = q->ip_prefix;
	} else if (q->rtype == MPIC__RR_PTR) {
		return MPIC_EINVAL;  /* a PTR of a name is no address's */
	}
	if (prefix != NULL && prefix[0] != '\0')
		mpic__bufprintf(out, outlen, "%s.%s", prefix, base);
	else
		mpic__bufprintf(out, outlen, "%s", base);
	return 0;
}

/* The echo of dcv_check_parameters: the common fields, then the row's. */
json_t *
mpic__request_echo_dcv(const struct mpic__request *req)
{
	const struct api_method *r = method_row(req->dcv.method);
	json_t *o;
	int rc = 0;

	if (req->check_type != MPIC_CHECK_DCV)
		return NULL;
	o = json_object();
	if (o == NULL)
		return NULL;
	rc |= json_object_set_new(o, "validation_method", r != NULL ?
	    json_string(r->name) : json_null());
	rc |= json_object_set_new(o, "require_exact_case",
	    json_boolean(req->dcv.require_exact_case));
	if (r != NULL)
		rc |= r->echo(o, req, r);
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void
api__parse_dcv(struct api_ctx *c, const json_t *o)
{
	const char *known[24];
	const struct api_method *m = NULL;
	const char *s;
	size_t i, n;
	char q[64];

	if (!json_is_object(o)) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_TYPE,
		    "%s: must be an object", P);
		return;
	}
	if (api__get_string(c, o, P, "validation_method", true, 64, &s,
	    &n) != 1)
		return;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(s, methods[i].name) == 0)
			m = &methods[i];
	if (m == NULL) {
		api__quote(s, n, q, sizeof(q));
		mpic__issue_add(c->issues, MPIC__ISSUE_METHOD,
		    "%s.validation_method: \"%s\" is not a known method", P,
		    q);
		return;
	}
	/* Allowed keys: validation_method and the method's own. */
	known[0] = "validation_method";
	for (i = 0; m->keys[i] != NULL && i + 2 < 24; i++)
		known[i + 1] = m->keys[i];
	known[i + 1] = NULL;
	api__unknown_keys(c, o, P, known);

	c->req->dcv.method = m->method;
	c->req->dcv.require_exact_case = m->exact_case;
	api__get_bool(c, o, P, "require_exact_case",
	    &c->req->dcv.require_exact_case);
	m->parse(c, o, m);
	check_target(c, m);
}

_Static_assert(MPIC_DCV_METHODS == MPIC__DCV__COUNT,
    "mpic/methods.h's MPIC_DCV_METHODS counts the methods");

size_t
mpic_dcv_method_count(void)
{
	return MPIC__DCV__COUNT;
}

const char *
mpic_dcv_method_name(size_t i)
{
	return i < MPIC__DCV__COUNT ?
	    mpic__dcv_method_str((enum mpic__dcv_method)i) : NULL;
}
