/*
 * dcv_params.c - dcv_check_parameters of an Open MPIC request, one parser
 * per validation_method.
 *
 * Every method accepts the fields Open MPIC's reference implementation
 * serialises for it, including the ones whose value is fixed by the
 * method (acme-dns-01's dns_record_type "TXT", contact-email-txt's
 * dns_name_prefix "_validation-contactemail", ...): a fixed field must
 * carry its fixed value.  Anything else is an unknown field.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "api/api_int.h"
#include "util/regex.h"

static const char P[] = "dcv_check_parameters";

/* Which targets a method takes. */
#define T_NAME 0x1         /* a domain name */
#define T_IP 0x2           /* an IP address */
#define T_NO_WILDCARD 0x4  /* BR 3.2.2.4.18-.20: not for wildcards */

/* How the Baseline Requirements and RFC 8657 name a method for one kind
 * of target: its BR section and its validationmethods label (SC-098). */
struct method_ref {
	const char *section;      /* "3.2.2.4.19" */
	const char *label;        /* "http-01", "ca-tbr-7" */
};

struct method_def {
	const char *name;
	enum mpic_dcv_method method;
	unsigned targets;
	bool exact_case;          /* require_exact_case default */
	const char *const *keys;  /* allowed besides validation_method */
	void (*parse)(struct api_ctx *, const json_t *,
		      const struct method_def *);
	struct method_ref dns;    /* for a domain name */
	struct method_ref ip;     /* for an IP address (BR 3.2.2.5) */
	const char *alt_label;    /* the same mechanism's other label, or
				   * NULL: "ca-tbr-19" for http-01 */
	const char *discouraged;  /* BR: SHOULD NOT from this day, or NULL */
	const char *forbidden;    /* BR: MUST NOT from this day, or NULL */
	enum mpic_adn_rule adn;   /* where its ADN comes from */
};

/* True when the string field key is present as "" (taken as not given). */
static bool
empty_string(const json_t *o, const char *key)
{
	json_t *v = api__field(o, key);

	return v != NULL && json_is_string(v) && json_string_length(v) == 0;
}

/*
 * A field the method fixes: absent, null, or one of the accepted values
 * (NULL-terminated; an empty list accepts only "" and null).
 */
static void
fixed_field(struct api_ctx *c, const json_t *o, const char *key,
	    const struct method_def *m, const char *const *accepted)
{
	json_t *v = api__field(o, key);
	size_t i;

	if (v == NULL)
		return;
	if (json_is_string(v)) {
		if (json_string_length(v) == 0 && accepted[0] == NULL)
			return;
		for (i = 0; accepted[i] != NULL; i++)
			if (strcmp(json_string_value(v), accepted[i]) == 0)
				return;
	}
	if (accepted[0] == NULL)
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.%s: must be null or empty for %s", P, key, m->name);
	else
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.%s: must be \"%s\" for %s", P, key, accepted[0],
		    m->name);
}

/*
 * challenge_value: printable ASCII.  With random_value it is a BR Random
 * Value (website-change, dns-change) and must be long enough to carry 112
 * bits in any encoding we accept: printable ASCII is the richest, so the
 * floor is API_RANDOM_VALUE_MIN characters.  Leading and trailing spaces
 * do not count (a CA's generator does not pad with them, and they would
 * let a short value through).  A length is all we can check: a long value
 * of low entropy ("aaaa...") is the CA's fault, not something we can see.
 * The other methods' challenge_value is an address, a number or a name.
 */
static const char *
get_challenge(struct api_ctx *c, const json_t *o, bool random_value)
{
	const char *s;
	size_t n, a, b;

	if (api__get_string(c, o, P, "challenge_value", true,
	    API_CHALLENGE_MAX, &s, &n) != 1)
		return NULL;
	if (!api__printable(s, n, false)) {
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.challenge_value: must be printable ASCII", P);
		return NULL;
	}
	if (!random_value)
		return s;
	for (a = 0; a < n && s[a] == ' '; a++)
		;
	for (b = n; b > a && s[b - 1] == ' '; b--)
		;
	if (b - a < API_RANDOM_VALUE_MIN) {
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.challenge_value: a Random Value needs at least %d "
		    "characters besides surrounding spaces (112 bits of "
		    "entropy, BR 1.6.1), this one has %zu", P,
		    API_RANDOM_VALUE_MIN, b - a);
		return NULL;
	}
	return s;
}

static void
get_hash(struct api_ctx *c, const json_t *o, bool allow_hex)
{
	struct mpic_dcv_params *d = &c->req->dcv;
	const char *s;
	size_t n;

	if (api__get_string(c, o, P, "key_authorization_hash", true, 64, &s,
	    &n) != 1)
		return;
	if (api__decode_hash(s, n, allow_hex,
	    d->key_authorization_digest) != 0) {
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.key_authorization_hash: must be %s", P, allow_hex ?
		    "43 base64url characters (no padding) or 64 hex digits "
		    "of a SHA-256 digest" :
		    "43 base64url characters (no padding) of a SHA-256 "
		    "digest");
		return;
	}
	d->key_authorization_hash = s;
}

static void
get_account_uri(struct api_ctx *c, const json_t *o, const char *key,
		const char **out)
{
	const char *s;
	size_t n;

	if (api__get_string(c, o, P, key, true, API_URI_MAX, &s, &n) != 1)
		return;
	if (!api__uri_ok(s, n)) {
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.%s: must be a URI (scheme:rest, printable ASCII, no "
		    "spaces)", P, key);
		return;
	}
	*out = s;
}

/* dns_name_prefix of dns-change and ip-address: "" or null = none. */
static void
get_prefix(struct api_ctx *c, const json_t *o)
{
	struct mpic_request *req = c->req;
	const char *s;
	size_t n;
	char err[128];
	char *p;

	if (empty_string(o, "dns_name_prefix"))
		return;
	if (api__get_string(c, o, P, "dns_name_prefix", false, MPIC_NAME_MAX,
	    &s, &n) != 1)
		return;
	if (api__name_check(s, n, API_NAME_UNDERSCORE, err,
	    sizeof(err)) != 0) {
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.dns_name_prefix: %s", P, err);
		return;
	}
	if (req->target.name[0] != '\0' && !req->target.is_ip &&
	    n + 1 + strlen(mpic__target_base(&req->target)) > MPIC_NAME_MAX) {
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.dns_name_prefix: prefix and target together are "
		    "longer than %d octets", P, MPIC_NAME_MAX);
		return;
	}
	p = (char *)s;
	api__lower(p);
	req->dcv.dns_name_prefix = p;
}

/* dns_record_type among the NULL-terminated names, with their types. */
static void
get_rtype(struct api_ctx *c, const json_t *o, const char *const *names,
	  const uint16_t *types, const char *list)
{
	const char *s;
	size_t n, i;
	char q[32];

	if (api__get_string(c, o, P, "dns_record_type", true, 16, &s,
	    &n) != 1)
		return;
	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(s, names[i]) == 0) {
			c->req->dcv.dns_record_type = types[i];
			return;
		}
	}
	api__quote(s, n, q, sizeof(q));
	mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
	    "%s.dns_record_type: \"%s\" is not one of %s", P, q, list);
}

static void
parse_website_change(struct api_ctx *c, const json_t *o,
		     const struct method_def *m)
{
	struct mpic_dcv_params *d = &c->req->dcv;
	struct mpic_regex *re = NULL;
	const char *s, *why;
	char rerr[192];
	size_t n;
	int rc;

	d->challenge_value = get_challenge(c, o, true);
	if (api__get_string(c, o, P, "http_token_path", true, API_PATH_MAX,
	    &s, &n) == 1) {
		why = api__path_problem(s, n);
		if (why != NULL)
			mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
			    "%s.http_token_path: %s", P, why);
		else
			d->http_token_path = s;
	}
	d->url_scheme = "http";
	if (api__get_string(c, o, P, "url_scheme", false, 8, &s, &n) == 1) {
		if (strcmp(s, "http") == 0 || strcmp(s, "https") == 0)
			d->url_scheme = s;
		else
			mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
			    "%s.url_scheme: must be http or https", P);
	}
	/* Compiled here only to refuse a bad pattern with a 400; each check
	 * compiles it again (microseconds, beside an HTTP exchange), since
	 * a remote perspective gets the text anyway. */
	if (!empty_string(o, "match_regex") &&
	    api__get_string(c, o, P, "match_regex", false, API_REGEX_MAX, &s,
	    &n) == 1) {
		rc = mpic__regex_compile(s, n, &re, rerr, sizeof(rerr));
		if (rc == MPIC_EINVAL)
			mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
			    "%s.match_regex: %s", P, rerr);
		else if (rc != 0)
			c->nomem = true;
		else
			d->match_regex = s;
		mpic__regex_free(re);
	}
	api__parse_headers(c, o);
	(void)m;
}

/*
 * acme-http-01.  RFC 8555 8.3: the token is base64url without padding and
 * carries at least 128 bits, so it has at least API_TOKEN_MIN characters.
 * 8.1: the key authorization is token "." base64url(JWK thumbprint), the
 * thumbprint a SHA-256 digest (API_THUMBPRINT_LEN characters).  A key
 * authorization of another shape is nothing a conforming ACME server
 * issued, and one for another token would pass a fetch of this token's
 * path with another challenge's answer.
 */
static void
get_token(struct api_ctx *c, const json_t *o)
{
	const char *s;
	size_t n;

	if (api__get_string(c, o, P, "token", true, API_TOKEN_MAX, &s,
	    &n) != 1)
		return;
	if (!mpic__is_b64url(s, n))
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.token: must be base64url (A-Z a-z 0-9 - _, no "
		    "padding)", P);
	else if (n < API_TOKEN_MIN)
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.token: must have at least %d base64url characters "
		    "(128 bits, RFC 8555 8.3), this one has %zu", P,
		    API_TOKEN_MIN, n);
	else
		c->req->dcv.token = s;
}

/* After get_token(): checked against the token when that was good. */
static void
get_key_authorization(struct api_ctx *c, const json_t *o)
{
	struct mpic_dcv_params *d = &c->req->dcv;
	const char *s, *dot;
	size_t n, tn;

	if (api__get_string(c, o, P, "key_authorization", true,
	    API_KEY_AUTHZ_MAX, &s, &n) != 1)
		return;
	dot = memchr(s, '.', n);
	tn = dot != NULL ? (size_t)(dot - s) : 0;
	if (dot == NULL || tn == 0 || !mpic__is_b64url(s, tn) ||
	    n - tn - 1 != API_THUMBPRINT_LEN ||
	    !mpic__is_b64url(dot + 1, API_THUMBPRINT_LEN))
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.key_authorization: must be the token, \".\" and the "
		    "%d base64url characters of a SHA-256 JWK thumbprint "
		    "(RFC 8555 8.1)", P, API_THUMBPRINT_LEN);
	else if (d->token != NULL && (tn != strlen(d->token) ||
	    memcmp(s, d->token, tn) != 0))
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.key_authorization: must begin with the token and "
		    "\".\" (RFC 8555 8.1)", P);
	else
		d->key_authorization = s;
}

static void
parse_acme_http(struct api_ctx *c, const json_t *o,
		const struct method_def *m)
{
	get_token(c, o);
	get_key_authorization(c, o);
	api__parse_headers(c, o);
	(void)m;
}

static void
parse_acme_dns(struct api_ctx *c, const json_t *o, const struct method_def *m)
{
	static const char *const txt[] = {"TXT", NULL};
	static const char *const prefix[] = {"_acme-challenge", NULL};

	get_hash(c, o, false);
	fixed_field(c, o, "dns_record_type", m, txt);
	fixed_field(c, o, "dns_name_prefix", m, prefix);
	c->req->dcv.dns_record_type = MPIC_RR_TXT;
}

static void
parse_tls_alpn(struct api_ctx *c, const json_t *o, const struct method_def *m)
{
	get_hash(c, o, true);
	(void)m;
}

static void
parse_dns_change(struct api_ctx *c, const json_t *o,
		 const struct method_def *m)
{
	static const char *const names[] = {"TXT", "CNAME", "CAA", NULL};
	static const uint16_t types[] = {MPIC_RR_TXT, MPIC_RR_CNAME,
	    MPIC_RR_CAA};
	struct mpic_dcv_params *d = &c->req->dcv;

	d->challenge_value = get_challenge(c, o, true);
	get_rtype(c, o, names, types, "TXT, CNAME, CAA");
	get_prefix(c, o);
	api__get_bool(c, o, P, "require_exact_match", &d->require_exact_match);
	/* As Open MPIC: case only matters in TXT data, not in names. */
	if (d->dns_record_type != 0 && d->dns_record_type != MPIC_RR_TXT)
		d->require_exact_case = false;
	(void)m;
}

static void
parse_dns_persistent(struct api_ctx *c, const json_t *o,
		     const struct method_def *m)
{
	static const char *const txt[] = {"TXT", NULL};
	static const char *const prefix[] = {"_validation-persist",
	    "_ip-validation-persist", NULL};
	struct mpic_dcv_params *d = &c->req->dcv;
	json_t *v = api__field(o, "issuer_domain_names");

	if (v == NULL)
		mpic__issue_add(c->issues, MPIC_ISSUE_MISSING_FIELD,
		    "%s.issuer_domain_names: required", P);
	else if (json_is_array(v) && json_array_size(v) == 0)
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.issuer_domain_names: must not be empty", P);
	else
		api__parse_domain_list(c, v, "dcv_check_parameters."
		    "issuer_domain_names", d->issuer_domain_names,
		    MPIC_MAX_ISSUER_NAMES, &d->n_issuer_domain_names);
	get_account_uri(c, o, "expected_account_uri",
	    &d->expected_account_uri);
	fixed_field(c, o, "dns_record_type", m, txt);
	fixed_field(c, o, "dns_name_prefix", m, prefix);
	d->dns_record_type = MPIC_RR_TXT;
}

static void
parse_dns_account(struct api_ctx *c, const json_t *o,
		  const struct method_def *m)
{
	static const char *const txt[] = {"TXT", NULL};

	struct mpic_dcv_params *d = &c->req->dcv;
	const char *prefix[2] = {NULL, NULL};
	char want[64];

	get_account_uri(c, o, "account_uri", &d->account_uri);
	get_hash(c, o, false);
	fixed_field(c, o, "dns_record_type", m, txt);
	d->dns_record_type = MPIC_RR_TXT;
	/* The echo's dns_name_prefix may come back: it must be the label. */
	if (d->account_uri != NULL &&
	    api__account_prefix(d->account_uri, want, sizeof(want)) == 0) {
		prefix[0] = want;
		fixed_field(c, o, "dns_name_prefix", m, prefix);
	}
}

static void
parse_contact(struct api_ctx *c, const json_t *o, const struct method_def *m)
{
	static const char *const txt[] = {"TXT", NULL};
	static const char *const caa[] = {"CAA", NULL};
	static const char *const none[] = {NULL};
	static const char *const email[] = {"_validation-contactemail", NULL};
	static const char *const phone[] = {"_validation-contactphone", NULL};
	struct mpic_dcv_params *d = &c->req->dcv;

	d->challenge_value = get_challenge(c, o, false);
	switch (m->method) {
	case MPIC_DCV_CONTACT_EMAIL_TXT:
		fixed_field(c, o, "dns_record_type", m, txt);
		fixed_field(c, o, "dns_name_prefix", m, email);
		d->dns_record_type = MPIC_RR_TXT;
		break;
	case MPIC_DCV_CONTACT_PHONE_TXT:
		fixed_field(c, o, "dns_record_type", m, txt);
		fixed_field(c, o, "dns_name_prefix", m, phone);
		d->dns_record_type = MPIC_RR_TXT;
		break;
	default:
		fixed_field(c, o, "dns_record_type", m, caa);
		fixed_field(c, o, "dns_name_prefix", m, none);
		d->dns_record_type = MPIC_RR_CAA;
		break;
	}
}

static void
parse_reverse(struct api_ctx *c, const json_t *o, const struct method_def *m)
{
	static const char *const ptr[] = {"PTR", NULL};
	static const char *const none[] = {NULL};

	c->req->dcv.challenge_value = get_challenge(c, o, false);
	fixed_field(c, o, "dns_record_type", m, ptr);
	fixed_field(c, o, "dns_name_prefix", m, none);
	c->req->dcv.dns_record_type = MPIC_RR_PTR;
}

static void
parse_ip_address(struct api_ctx *c, const json_t *o,
		 const struct method_def *m)
{
	static const char *const names[] = {"A", "AAAA", NULL};
	static const uint16_t types[] = {MPIC_RR_A, MPIC_RR_AAAA};
	struct mpic_dcv_params *d = &c->req->dcv;
	uint8_t a[16];
	int af = 0;

	d->challenge_value = get_challenge(c, o, false);
	get_rtype(c, o, names, types, "A, AAAA");
	get_prefix(c, o);
	if (d->challenge_value == NULL)
		return;
	if (inet_pton(AF_INET, d->challenge_value, a) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, d->challenge_value, a) == 1)
		af = AF_INET6;
	if (af == 0)
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.challenge_value: must be an IP address for %s", P,
		    m->name);
	else if ((d->dns_record_type == MPIC_RR_A && af != AF_INET) ||
	    (d->dns_record_type == MPIC_RR_AAAA && af != AF_INET6))
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_VALUE,
		    "%s.challenge_value: an IPv%d address cannot be found "
		    "with dns_record_type %s", P, af == AF_INET ? 4 : 6,
		    d->dns_record_type == MPIC_RR_A ? "A" : "AAAA");
}

/* ------------------------------------------------------------ methods */

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

/*
 * One row per method: its Open MPIC name, its request fields, its BR
 * section and validationmethods label (read by the audit records and by
 * the CAA match: docs/audit.md, "Method labels"), the days from which
 * the BR discourage and forbid it (read by the engine's plan), and where
 * its Authorization Domain Name comes from (mpic__check_adn).
 *
 * Labels (SC-098): an ACME method's ACME name; any other method of BR
 * 3.2.2.4 "ca-tbr-" and its subsection.  BR 3.2.2.4.22 is ACME's
 * dns-persist-01, also named ca-tbr-22.  A method of BR 3.2.2.5 (IP
 * addresses) that ACME does not name has no label in the BR, and IP
 * addresses have no CAA: "ca-tbr-ip-" and its subsection of 3.2.2.5 is
 * ours, for the audit record only.
 */
static const struct method_def methods[] = {
	{"website-change", MPIC_DCV_WEBSITE_CHANGE,
	    T_NAME | T_IP | T_NO_WILDCARD, true, k_website,
	    parse_website_change, {"3.2.2.4.18", "ca-tbr-18"},
	    {"3.2.2.5.1", "ca-tbr-ip-1"}, NULL, NULL, NULL, MPIC_ADN_NAME},
	{"acme-http-01", MPIC_DCV_ACME_HTTP_01,
	    T_NAME | T_IP | T_NO_WILDCARD, true, k_http01, parse_acme_http,
	    {"3.2.2.4.19", "http-01"}, {"3.2.2.5.6", "http-01"}, "ca-tbr-19",
	    NULL, NULL, MPIC_ADN_NAME},
	{"acme-dns-01", MPIC_DCV_ACME_DNS_01, T_NAME, true, k_dns01,
	    parse_acme_dns, {"3.2.2.4.7", "dns-01"}, {"3.2.2.4.7", "dns-01"},
	    "ca-tbr-7", NULL, NULL, MPIC_ADN_RECORD},
	{"acme-tls-alpn-01", MPIC_DCV_ACME_TLS_ALPN_01,
	    T_NAME | T_IP | T_NO_WILDCARD, false, k_alpn, parse_tls_alpn,
	    {"3.2.2.4.20", "tls-alpn-01"}, {"3.2.2.5.7", "tls-alpn-01"},
	    "ca-tbr-20", NULL, NULL, MPIC_ADN_NAME},
	{"dns-change", MPIC_DCV_DNS_CHANGE, T_NAME, true, k_change,
	    parse_dns_change, {"3.2.2.4.7", "ca-tbr-7"},
	    {"3.2.2.4.7", "ca-tbr-7"}, NULL, NULL, NULL, MPIC_ADN_RECORD},
	{"dns-persistent", MPIC_DCV_DNS_PERSISTENT, T_NAME | T_IP, false,
	    k_persist, parse_dns_persistent,
	    {"3.2.2.4.22", "dns-persist-01"}, {"3.2.2.5.8", "ca-tbr-ip-8"},
	    "ca-tbr-22", NULL, NULL, MPIC_ADN_RECORD},
	{"dns-account-01", MPIC_DCV_DNS_ACCOUNT_01, T_NAME, true, k_account,
	    parse_dns_account, {"3.2.2.4.21", "dns-account-01"},
	    {"3.2.2.4.21", "dns-account-01"}, "ca-tbr-21", NULL, NULL,
	    MPIC_ADN_RECORD},
	{"contact-email-txt", MPIC_DCV_CONTACT_EMAIL_TXT, T_NAME, false,
	    k_dnsval, parse_contact, {"3.2.2.4.14", "ca-tbr-14"},
	    {"3.2.2.4.14", "ca-tbr-14"}, NULL, "2026-03-15", "2028-03-15",
	    MPIC_ADN_RECORD},
	{"contact-email-caa", MPIC_DCV_CONTACT_EMAIL_CAA, T_NAME, false,
	    k_dnsval, parse_contact, {"3.2.2.4.13", "ca-tbr-13"},
	    {"3.2.2.4.13", "ca-tbr-13"}, NULL, "2026-03-15", "2028-03-15",
	    MPIC_ADN_CLIMB},
	{"contact-phone-txt", MPIC_DCV_CONTACT_PHONE_TXT, T_NAME, false,
	    k_dnsval, parse_contact, {"3.2.2.4.16", "ca-tbr-16"},
	    {"3.2.2.4.16", "ca-tbr-16"}, NULL, "2026-03-15", "2027-03-15",
	    MPIC_ADN_RECORD},
	{"contact-phone-caa", MPIC_DCV_CONTACT_PHONE_CAA, T_NAME, false,
	    k_dnsval, parse_contact, {"3.2.2.4.17", "ca-tbr-17"},
	    {"3.2.2.4.17", "ca-tbr-17"}, NULL, "2026-03-15", "2027-03-15",
	    MPIC_ADN_CLIMB},
	{"reverse-address-lookup", MPIC_DCV_REVERSE_ADDRESS_LOOKUP, T_IP,
	    false, k_dnsval, parse_reverse, {"3.2.2.5.3", "ca-tbr-ip-3"},
	    {"3.2.2.5.3", "ca-tbr-ip-3"}, NULL, NULL, NULL, MPIC_ADN_RECORD},
	{"ip-address", MPIC_DCV_IP_ADDRESS, T_NAME, false, k_dnsval,
	    parse_ip_address, {"3.2.2.4.8", "ca-tbr-8"},
	    {"3.2.2.4.8", "ca-tbr-8"}, NULL, NULL, "2026-03-15",
	    MPIC_ADN_RECORD},
};

#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

static const struct method_def *
method_row(enum mpic_dcv_method m)
{
	size_t i;

	for (i = 0; i < N_METHODS; i++)
		if (methods[i].method == m)
			return &methods[i];
	return NULL;
}

const char *
mpic__dcv_method_str(enum mpic_dcv_method m)
{
	const struct method_def *r = method_row(m);

	return r != NULL ? r->name : NULL;
}

const char *
mpic__dcv_method_br(enum mpic_dcv_method m, bool ip_target)
{
	const struct method_def *r = method_row(m);

	return r == NULL ? NULL : ip_target ? r->ip.section : r->dns.section;
}

const char *
mpic__dcv_method_label(enum mpic_dcv_method m, bool ip_target)
{
	const struct method_def *r = method_row(m);

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

enum mpic_adn_rule
mpic__dcv_method_adn(enum mpic_dcv_method m)
{
	const struct method_def *r = method_row(m);

	return r != NULL ? r->adn : MPIC_ADN_NAME;
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

enum mpic_method_status
mpic__dcv_method_status(enum mpic_dcv_method m, time_t now,
			const char **since, const char **until)
{
	const struct method_def *r = method_row(m);
	char day[16] = "";
	struct tm tm;

	*since = NULL;
	*until = NULL;
	if (r == NULL)
		return MPIC_METHOD_ALLOWED;
	/* ISO 8601 days compare as strings; each date starts at 00:00 UTC */
	if (gmtime_r(&now, &tm) != NULL)
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (r->forbidden != NULL && strcmp(day, r->forbidden) >= 0) {
		*since = r->forbidden;
		return MPIC_METHOD_FORBIDDEN;
	}
	if (r->discouraged != NULL && strcmp(day, r->discouraged) >= 0) {
		*since = r->discouraged;
		*until = r->forbidden;
		return MPIC_METHOD_DISCOURAGED;
	}
	return MPIC_METHOD_ALLOWED;
}

/* The method's target rules against the parsed target. */
static void
check_target(struct api_ctx *c, const struct method_def *m)
{
	const struct mpic_target *t = &c->req->target;

	if (t->name[0] == '\0')
		return;  /* the target itself was wrong: already reported */
	if (t->is_ip && !(m->targets & T_IP))
		mpic__issue_add(c->issues, MPIC_ISSUE_TARGET,
		    "domain_or_ip_target: %s needs a domain name, not an IP "
		    "address", m->name);
	else if (!t->is_ip && !(m->targets & T_NAME))
		mpic__issue_add(c->issues, MPIC_ISSUE_TARGET,
		    "domain_or_ip_target: %s needs an IP address, not a "
		    "domain name", m->name);
	else if (t->is_wildcard && (m->targets & T_NO_WILDCARD))
		mpic__issue_add(c->issues, MPIC_ISSUE_TARGET,
		    "domain_or_ip_target: %s cannot validate a wildcard name "
		    "(BR 3.2.2.4.18-20)", m->name);
}

void
api__parse_dcv(struct api_ctx *c, const json_t *o)
{
	const char *known[24];
	const struct method_def *m = NULL;
	const char *s;
	size_t i, n;
	char q[64];

	if (!json_is_object(o)) {
		mpic__issue_add(c->issues, MPIC_ISSUE_FIELD_TYPE,
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
		mpic__issue_add(c->issues, MPIC_ISSUE_METHOD,
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
