/*
 * dcv_params.c - dcv_check_parameters of an Open MPIC request, one parser
 * per validation_method; each gets its row of the method table (methods.c)
 * and reads its fixed fields from it.
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
	    const struct api_method *m, const char *const *accepted)
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
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s.%s: must be null or empty for %s", P, key, m->name);
	else
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s.%s: must be \"%s\" for %s", P, key, accepted[0],
		    m->name);
}

/*
 * dns_record_type and dns_name_prefix of a method whose row fixes them:
 * the row's type, and its prefixes (none when it has none).
 */
static void
fixed_query(struct api_ctx *c, const json_t *o, const struct api_method *m)
{
	const char *type[2] = {api__rtype_str(m->query.rtype), NULL};
	const char *prefix[3] = {m->query.prefix, NULL, NULL};

	if (m->query.prefix != NULL)
		prefix[1] = m->query.ip_prefix;
	fixed_field(c, o, "dns_record_type", m, type);
	fixed_field(c, o, "dns_name_prefix", m, prefix);
	c->req->dcv.dns_record_type = m->query.rtype;
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
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
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
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
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
	struct mpic__dcv_params *d = &c->req->dcv;
	const char *s;
	size_t n;

	if (api__get_string(c, o, P, "key_authorization_hash", true, 64, &s,
	    &n) != 1)
		return;
	if (api__decode_hash(s, n, allow_hex,
	    d->key_authorization_digest) != 0) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
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
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
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
	struct mpic__request *req = c->req;
	const char *s;
	size_t n;
	char err[128];
	char *p;

	if (empty_string(o, "dns_name_prefix"))
		return;
	if (api__get_string(c, o, P, "dns_name_prefix", false, MPIC__NAME_MAX,
	    &s, &n) != 1)
		return;
	if (api__name_check(s, n, API_NAME_UNDERSCORE, err,
	    sizeof(err)) != 0) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s.dns_name_prefix: %s", P, err);
		return;
	}
	if (req->target.name[0] != '\0' && !req->target.is_ip &&
	    n + 1 + strlen(mpic__target_base(&req->target)) > MPIC__NAME_MAX) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s.dns_name_prefix: prefix and target together are "
		    "longer than %d octets", P, MPIC__NAME_MAX);
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
	mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
	    "%s.dns_record_type: \"%s\" is not one of %s", P, q, list);
}

void
api__parse_website_change(struct api_ctx *c, const json_t *o,
			  const struct api_method *m)
{
	struct mpic__dcv_params *d = &c->req->dcv;
	struct mpic__regex *re = NULL;
	const char *s, *why;
	char rerr[192];
	size_t n;
	int rc;

	d->challenge_value = get_challenge(c, o, true);
	if (api__get_string(c, o, P, "http_token_path", true, API_PATH_MAX,
	    &s, &n) == 1) {
		why = api__path_problem(s, n);
		if (why != NULL)
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
			    "%s.http_token_path: %s", P, why);
		else
			d->http_token_path = s;
	}
	d->url_scheme = "http";
	if (api__get_string(c, o, P, "url_scheme", false, 8, &s, &n) == 1) {
		if (strcmp(s, "http") == 0 || strcmp(s, "https") == 0)
			d->url_scheme = s;
		else
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
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
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
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
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s.token: must be base64url (A-Z a-z 0-9 - _, no "
		    "padding)", P);
	else if (n < API_TOKEN_MIN)
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
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
	struct mpic__dcv_params *d = &c->req->dcv;
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
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s.key_authorization: must be the token, \".\" and the "
		    "%d base64url characters of a SHA-256 JWK thumbprint "
		    "(RFC 8555 8.1)", P, API_THUMBPRINT_LEN);
	else if (d->token != NULL && (tn != strlen(d->token) ||
	    memcmp(s, d->token, tn) != 0))
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s.key_authorization: must begin with the token and "
		    "\".\" (RFC 8555 8.1)", P);
	else
		d->key_authorization = s;
}

void
api__parse_acme_http(struct api_ctx *c, const json_t *o,
		     const struct api_method *m)
{
	get_token(c, o);
	get_key_authorization(c, o);
	api__parse_headers(c, o);
	(void)m;
}

void
api__parse_acme_dns(struct api_ctx *c, const json_t *o,
		    const struct api_method *m)
{
	get_hash(c, o, false);
	fixed_query(c, o, m);
}

void
api__parse_tls_alpn(struct api_ctx *c, const json_t *o,
		    const struct api_method *m)
{
	get_hash(c, o, true);
	(void)m;
}

void
api__parse_dns_change(struct api_ctx *c, const json_t *o,
		      const struct api_method *m)
{
	static const char *const names[] = {"TXT", "CNAME", "CAA", NULL};
	static const uint16_t types[] = {MPIC__RR_TXT, MPIC__RR_CNAME,
	    MPIC__RR_CAA};
	struct mpic__dcv_params *d = &c->req->dcv;

	d->challenge_value = get_challenge(c, o, true);
	get_rtype(c, o, names, types, "TXT, CNAME, CAA");
	get_prefix(c, o);
	api__get_bool(c, o, P, "require_exact_match", &d->require_exact_match);
	/* As Open MPIC: case only matters in TXT data, not in names. */
	if (d->dns_record_type != 0 && d->dns_record_type != MPIC__RR_TXT)
		d->require_exact_case = false;
	(void)m;
}

void
api__parse_dns_persistent(struct api_ctx *c, const json_t *o,
			  const struct api_method *m)
{
	struct mpic__dcv_params *d = &c->req->dcv;
	json_t *v = api__field(o, "issuer_domain_names");

	if (v == NULL)
		mpic__issue_add(c->issues, MPIC__ISSUE_MISSING_FIELD,
		    "%s.issuer_domain_names: required", P);
	else if (json_is_array(v) && json_array_size(v) == 0)
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s.issuer_domain_names: must not be empty", P);
	else
		api__parse_domain_list(c, v, "dcv_check_parameters."
		    "issuer_domain_names", d->issuer_domain_names,
		    MPIC__MAX_ISSUER_NAMES, &d->n_issuer_domain_names);
	get_account_uri(c, o, "expected_account_uri",
	    &d->expected_account_uri);
	fixed_query(c, o, m);
}

void
api__parse_dns_account(struct api_ctx *c, const json_t *o,
		       const struct api_method *m)
{
	const char *txt[2] = {api__rtype_str(m->query.rtype), NULL};
	struct mpic__dcv_params *d = &c->req->dcv;
	const char *prefix[2] = {NULL, NULL};
	char want[64];

	get_account_uri(c, o, "account_uri", &d->account_uri);
	get_hash(c, o, false);
	fixed_field(c, o, "dns_record_type", m, txt);
	d->dns_record_type = m->query.rtype;
	/* The echo's dns_name_prefix may come back: it must be the label. */
	if (d->account_uri != NULL && api__account_prefix(d->account_uri,
	    m->query.prefix, want, sizeof(want)) == 0) {
		prefix[0] = want;
		fixed_field(c, o, "dns_name_prefix", m, prefix);
	}
}

/*
 * The contact methods and reverse-address-lookup: a challenge_value to
 * find, in a record whose type and name the row fixes.
 */
void
api__parse_dns_value(struct api_ctx *c, const json_t *o,
		     const struct api_method *m)
{
	c->req->dcv.challenge_value = get_challenge(c, o, false);
	fixed_query(c, o, m);
}

void
api__parse_ip_address(struct api_ctx *c, const json_t *o,
		      const struct api_method *m)
{
	static const char *const names[] = {"A", "AAAA", NULL};
	static const uint16_t types[] = {MPIC__RR_A, MPIC__RR_AAAA};
	struct mpic__dcv_params *d = &c->req->dcv;
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
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s.challenge_value: must be an IP address for %s", P,
		    m->name);
	else if ((d->dns_record_type == MPIC__RR_A && af != AF_INET) ||
	    (d->dns_record_type == MPIC__RR_AAAA && af != AF_INET6))
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s.challenge_value: an IPv%d address cannot be found "
		    "with dns_record_type %s", P, af == AF_INET ? 4 : 6,
		    d->dns_record_type == MPIC__RR_A ? "A" : "AAAA");
}
