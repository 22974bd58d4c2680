/*
 * values.c - checks of single request values: key authorization hashes,
 * URIs, HTTP header fields, the website-change path.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"

static const char P[] = "dcv_check_parameters";

static int
b64url_val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '-')
		return 62;
	if (ch == '_')
		return 63;
	return -1;
}

int
api__decode_hash(const char *s, size_t n, bool allow_hex, uint8_t out[32])
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0, v, hi, lo;

	if (n == 43) {
		for (i = 0; i < n; i++) {
			v = b64url_val(s[i]);
			if (v < 0)
				return MPIC_EINVAL;
			acc = (acc << 6 | (uint32_t)v) & 0xffffff;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				out[o++] = (uint8_t)(acc >> bits);
			}
		}
		/* 43 characters carry 258 bits: the last 2 must be zero. */
		if ((acc & ((1u << bits) - 1)) != 0)
			return MPIC_EINVAL;
		return o == 32 ? 0 : MPIC_EINVAL;
	}
	if (allow_hex && n == 64) {
		for (i = 0; i < 32; i++) {
			hi = mpic__hex_digit(s[2 * i]);
			lo = mpic__hex_digit(s[2 * i + 1]);
			if (hi < 0 || lo < 0)
				return MPIC_EINVAL;
			out[i] = (uint8_t)(hi << 4 | lo);
		}
		return 0;
	}
	return MPIC_EINVAL;
}

/* A URI: a scheme (ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")) and ':'. */
bool
api__uri_ok(const char *s, size_t n)
{
	size_t i;

	if (!api__printable(s, n, true) || n < 2)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (i = 1; i < n; i++) {
		char ch = s[i];

		if (ch == ':')
			return i + 1 < n;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' ||
		      ch == '.'))
			return false;
	}
	return false;
}

int
api__account_prefix(const char *account_uri, const char *suffix,
		    char *out, size_t outlen)
{
	uint8_t digest[32];
	char label[32];

	mpic__sha256(account_uri, strlen(account_uri), digest);
	mpic__b32_lower_encode(digest, 10, label);
	if ((size_t)snprintf(out, outlen, "_%s.%s", label, suffix) >= outlen)
		return MPIC_ETOOBIG;
	return 0;
}

const char *
api__rtype_str(uint16_t t)
{
	switch (t) {
	case MPIC__RR_TXT: return "TXT";
	case MPIC__RR_CNAME: return "CNAME";
	case MPIC__RR_CAA: return "CAA";
	case MPIC__RR_A: return "A";
	case MPIC__RR_AAAA: return "AAAA";
	case MPIC__RR_PTR: return "PTR";
	default: return NULL;
	}
}

/* RFC 9110 5.6.2 tchar. */
static bool
is_tchar(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || (ch != '\0' &&
	    strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* ------------------------------------------------------ HTTP fields */

static bool
header_forbidden(const char *name)
{
	static const char *const deny[] = {"host", "content-length",
	    "transfer-encoding", "connection", "upgrade", "te", "trailer",
	    "keep-alive", "proxy-connection", NULL};
	size_t i;

	for (i = 0; deny[i] != NULL; i++)
		if (strcasecmp(name, deny[i]) == 0)
			return true;
	return false;
}

void
api__parse_headers(struct api_ctx *c, const json_t *o)
{
	struct mpic__dcv_params *d = &c->req->dcv;
	json_t *h = api__field(o, "http_headers"), *v;
	const char *name, *val;
	size_t i, k, nlen, vlen;
	char q[64];

	if (h == NULL)
		return;
	if (!json_is_object(h)) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_TYPE,
		    "%s.http_headers: must be an object of strings", P);
		return;
	}
	if (json_object_size(h) > MPIC__MAX_HTTP_HEADERS) {
		mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
		    "%s.http_headers: more than %d headers", P,
		    MPIC__MAX_HTTP_HEADERS);
		return;
	}
	json_object_foreach(h, name, v) {
		nlen = strlen(name);
		api__quote(name, nlen, q, sizeof(q));
		for (i = 0; i < nlen && is_tchar(name[i]); i++)
			;
		if (nlen == 0 || nlen > API_HEADER_NAME_MAX || i < nlen) {
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
			    "%s.http_headers: \"%s\" is not a header name "
			    "(RFC 9110 token, at most %d characters)", P, q,
			    API_HEADER_NAME_MAX);
			continue;
		}
		if (header_forbidden(name)) {
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
			    "%s.http_headers.%s: may not be set", P, q);
			continue;
		}
		if (!json_is_string(v)) {
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_TYPE,
			    "%s.http_headers.%s: must be a string", P, q);
			continue;
		}
		val = json_string_value(v);
		vlen = json_string_length(v);
		for (i = 0; i < vlen; i++) {
			unsigned char ch = (unsigned char)val[i];

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
				break;
		}
		if (i < vlen || vlen > API_HEADER_VALUE_MAX) {
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
			    "%s.http_headers.%s: value has CR, LF, NUL or "
			    "another control character, or is longer than "
			    "%d octets", P, q, API_HEADER_VALUE_MAX);
			continue;
		}
		for (k = 0; k < d->n_headers; k++)
			if (strcasecmp(d->headers[k].name, name) == 0)
				break;
		if (k < d->n_headers) {
			mpic__issue_add(c->issues, MPIC__ISSUE_FIELD_VALUE,
			    "%s.http_headers.%s: given twice", P, q);
			continue;
		}
		d->headers[d->n_headers].name =
		    mpic__arena_strndup(&c->req->arena, name, nlen);
		d->headers[d->n_headers].value =
		    mpic__arena_strndup(&c->req->arena, val, vlen);
		if (d->headers[d->n_headers].name == NULL ||
		    d->headers[d->n_headers].value == NULL) {
			c->nomem = true;
			return;
		}
		d->n_headers++;
	}
}

/*
 * The path under /.well-known/pki-validation/: RFC 3986 path (and query)
 * characters, relative, never leaving the directory.
 */
const char *
api__path_problem(const char *s, size_t n)
{
	size_t i;

	if (s[0] == '/')
		return "must be relative to /.well-known/pki-validation/ "
		    "(no leading '/')";
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '%') {
			if (i + 2 >= n || mpic__hex_digit(s[i + 1]) < 0 ||
			    mpic__hex_digit(s[i + 2]) < 0)
				return "has a '%' that is not followed by two "
				    "hex digits";
			if (strncasecmp(s + i, "%2e", 3) == 0 ||
			    strncasecmp(s + i, "%2f", 3) == 0 ||
			    strncasecmp(s + i, "%5c", 3) == 0 ||
			    strncasecmp(s + i, "%00", 3) == 0)
				return "has an encoded '.', '/', '\\' or NUL";
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') ||
		      strchr("-._~!$&'()*+,;=:@/?", ch) != NULL))
			return "has a character not allowed in a URL path "
			    "(control, space, '\\', '#', non-ASCII, ...)";
	}
	if (strstr(s, "..") != NULL)
		return "must not contain \"..\"";
	return NULL;
}
