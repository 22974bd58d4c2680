/*
 * api_int.h - helpers shared by lib/api's files (the Open MPIC request
 * parser).  Not part of api/model.h: nothing outside lib/api needs them,
 * except the issue-type names, which the engine may reuse for its own
 * 400 answers (include "api/api_int.h").
 */
#ifndef MPIC__API_INT_H
#define MPIC__API_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api/model.h"

/*
 * issue_type strings of the 400 body.  Open MPIC's own names are used
 * where it has one (invalid-perspective-count, invalid-quorum-count,
 * invalid-certificate-type, invalid-validation-method); the rest are ours.
 */
#define MPIC__ISSUE_BODY_TOO_LARGE "body-too-large"
#define MPIC__ISSUE_MALFORMED_JSON "malformed-json"
#define MPIC__ISSUE_JSON_TOO_DEEP "json-too-deep"
#define MPIC__ISSUE_MISSING_FIELD "missing-field"
#define MPIC__ISSUE_UNKNOWN_FIELD "unknown-field"
#define MPIC__ISSUE_FIELD_TYPE "invalid-field-type"
#define MPIC__ISSUE_FIELD_VALUE "invalid-field-value"
#define MPIC__ISSUE_CHECK_TYPE "invalid-check-type"
#define MPIC__ISSUE_TARGET "invalid-target"
#define MPIC__ISSUE_METHOD "invalid-validation-method"
#define MPIC__ISSUE_CERT_TYPE "invalid-certificate-type"
#define MPIC__ISSUE_PERSPECTIVE_COUNT "invalid-perspective-count"
#define MPIC__ISSUE_QUORUM_COUNT "invalid-quorum-count"
#define MPIC__ISSUE_MAX_ATTEMPTS "invalid-max-attempts"
#define MPIC__ISSUE_COHORT "invalid-cohort-for-single-attempt"
#define MPIC__ISSUE_TOO_MANY "too-many-issues"

/* Error text of the 400 body (Open MPIC's key). */
#define MPIC__ISSUES_ERROR "request-validation-failed"

/* Limits on request fields (octets). */
#define API_TARGET_INPUT_MAX 1024
#define API_TRACE_ID_MAX 256
#define API_TOKEN_MAX 256
/* RFC 8555 8.3: a token carries >= 128 bits: 22 base64url characters. */
#define API_TOKEN_MIN 22
/* RFC 8555 8.1: base64url of a SHA-256 JWK thumbprint, no padding. */
#define API_THUMBPRINT_LEN 43
#define API_KEY_AUTHZ_MAX 1024
#define API_PATH_MAX 512
#define API_REGEX_MAX 256
#define API_CHALLENGE_MAX 1024
/*
 * The shortest Random Value (website-change, dns-change) that can carry
 * the 112 bits of entropy BR 1.6.1 requires: 18 printable ASCII characters
 * (95 symbols, log2(95) = 6.57 bits each; 17 carry only 111.7 bits).
 * Counted without leading and trailing spaces.
 */
#define API_RANDOM_VALUE_MIN 18
#define API_URI_MAX 512
#define API_HEADER_NAME_MAX 128
#define API_HEADER_VALUE_MAX 1024
#define API_MAX_PERSPECTIVES 100
#define API_MAX_ATTEMPTS 100
#define API_MAX_COHORT 1000

/* Flags of api__name_check(). */
#define API_NAME_UNDERSCORE 0x1 /* allow '_' in labels (DNS prefixes) */
#define API_NAME_TWO_LABELS 0x2 /* at least two labels */

/*
 * Check an ASCII DNS name in presentation form (no trailing dot, no
 * wildcard): labels of 1..63 letters, digits and hyphens (and underscores
 * with API_NAME_UNDERSCORE), no hyphen at either end, total <= 253.
 * Upper case is allowed (callers lowercase their copy).  Returns 0 or
 * MPIC_EINVAL with the reason in err.
 */
int api__name_check(const char *s, size_t len, unsigned flags, char *err,
		    size_t errlen);

/* Lowercase ASCII letters in place. */
void api__lower(char *s);

/*
 * Parsing state of one request: where issues go and where strings are
 * copied.  nomem is set when an allocation failed (the parse then ends
 * with MPIC_ENOMEM).
 */
struct api_ctx {
	struct mpic__request *req;
	struct mpic__issues *issues;
	bool nomem;
};

/* The value of key in obj; NULL when absent or JSON null (not given). */
json_t *api__field(const json_t *obj, const char *key);

/*
 * Report every key of obj (at path, "" for the top level) that is not in
 * the NULL-terminated list allowed.
 */
void api__unknown_keys(struct api_ctx *c, const json_t *obj, const char *path,
		       const char *const *allowed);

/*
 * Fetch a string field into the request's arena.  Returns 1 when present
 * and a string of 1..maxlen octets (*out set, *outlen if not NULL), 0 when
 * absent (an issue when required), -1 when wrong (an issue added).
 */
int api__get_string(struct api_ctx *c, const json_t *obj, const char *path,
		    const char *key, bool required, size_t maxlen,
		    const char **out, size_t *outlen);
/* Boolean field: 1 and *out set, 0 absent, -1 wrong type (issue added). */
int api__get_bool(struct api_ctx *c, const json_t *obj, const char *path,
		  const char *key, bool *out);

/* Printable ASCII (0x20..0x7e) only; with nospace also no space. */
bool api__printable(const char *s, size_t n, bool nospace);

/*
 * A copy of untrusted text fit for an issue message: printable ASCII, the
 * rest as '?', cut at outlen with "...".
 */
void api__quote(const char *s, size_t n, char *out, size_t outlen);

/* The prefix "path." or "" for messages. */
#define API_DOT(path) ((path)[0] != '\0' ? "." : "")

/*
 * A list of at most max domain names (caa_domains, issuer_domain_names),
 * lowercased into the arena; *n_out counts the good ones.
 */
void api__parse_domain_list(struct api_ctx *c, const json_t *arr,
			    const char *path, const char **out, size_t max,
			    size_t *n_out);

/* dcv_check_parameters (methods.c: the row, then its parser). */
void api__parse_dcv(struct api_ctx *c, const json_t *obj);

/* Which targets a method takes. */
#define API_T_NAME 0x1         /* a domain name */
#define API_T_IP 0x2           /* an IP address */
#define API_T_NO_WILDCARD 0x4  /* BR 3.2.2.4.18-.20: not for wildcards */

/* How the Baseline Requirements and RFC 8657 name a method for one kind
 * of target: its BR section and its validationmethods label (SC-098). */
struct api_method_ref {
	const char *section;      /* "3.2.2.4.19" */
	const char *label;        /* "http-01", "ca-tbr-7" */
};

/*
 * One row of the method table (methods.c; docs/methods.md says what each
 * column is for and how to add a method).  The parse and echo functions
 * get their row and must not look the table up themselves: the table
 * file uses them, not the other way round.
 */
struct api_method {
	const char *name;         /* Open MPIC's validation_method */
	enum mpic__dcv_method method;
	unsigned targets;         /* API_T_* */
	bool exact_case;          /* require_exact_case default */
	const char *const *keys;  /* allowed besides validation_method */
	void (*parse)(struct api_ctx *, const json_t *,
		      const struct api_method *);
	/* the method's fields of the echo, after validation_method and
	 * require_exact_case; 0 or -1 (out of memory) */
	int (*echo)(json_t *, const struct mpic__request *,
		    const struct api_method *);
	struct api_method_ref dns;  /* for a domain name */
	struct api_method_ref ip;   /* for an IP address (BR 3.2.2.5) */
	const char *alt_label;    /* the same mechanism's other label, or
				   * NULL: "ca-tbr-19" for http-01 */
	const char *discouraged;  /* BR: SHOULD NOT from this day, or NULL */
	const char *forbidden;    /* BR: MUST NOT from this day, or NULL */
	enum mpic__adn_rule adn;   /* where its ADN comes from */
	enum mpic__details_shape details;
	struct mpic__dcv_query query;
	const char *tool_rtype;   /* dns_record_type a client fills in when
				   * its user gives none, or NULL */
};

/* The rows, n_out of them (for the unit test that walks the table). */
const struct api_method *api__methods(size_t *n_out);

/* The per-method parsers (dcv_params.c). */
void api__parse_website_change(struct api_ctx *c, const json_t *o,
			       const struct api_method *m);
void api__parse_acme_http(struct api_ctx *c, const json_t *o,
			  const struct api_method *m);
void api__parse_acme_dns(struct api_ctx *c, const json_t *o,
			 const struct api_method *m);
void api__parse_tls_alpn(struct api_ctx *c, const json_t *o,
			 const struct api_method *m);
void api__parse_dns_change(struct api_ctx *c, const json_t *o,
			   const struct api_method *m);
void api__parse_dns_persistent(struct api_ctx *c, const json_t *o,
			       const struct api_method *m);
void api__parse_dns_account(struct api_ctx *c, const json_t *o,
			    const struct api_method *m);
void api__parse_dns_value(struct api_ctx *c, const json_t *o,
			  const struct api_method *m);
void api__parse_ip_address(struct api_ctx *c, const json_t *o,
			   const struct api_method *m);

/* The per-method echoes (echo.c). */
int api__echo_website_change(json_t *o, const struct mpic__request *req,
			     const struct api_method *m);
int api__echo_acme_http(json_t *o, const struct mpic__request *req,
			const struct api_method *m);
int api__echo_acme_dns(json_t *o, const struct mpic__request *req,
		       const struct api_method *m);
int api__echo_tls_alpn(json_t *o, const struct mpic__request *req,
		       const struct api_method *m);
int api__echo_dns_change(json_t *o, const struct mpic__request *req,
			 const struct api_method *m);
int api__echo_dns_persistent(json_t *o, const struct mpic__request *req,
			     const struct api_method *m);
int api__echo_dns_account(json_t *o, const struct mpic__request *req,
			  const struct api_method *m);
int api__echo_dns_value(json_t *o, const struct mpic__request *req,
			const struct api_method *m);

/* "TXT", "CNAME", "CAA", "A", "AAAA", "PTR"; NULL for another type. */
const char *api__rtype_str(uint16_t t);

/*
 * Decode a tls-alpn / dns-01 key authorization hash: 43 base64url
 * characters (canonical, no padding) or, with allow_hex, 64 hex digits.
 * Returns 0 or MPIC_EINVAL.
 */
int api__decode_hash(const char *s, size_t n, bool allow_hex,
		     uint8_t out[32]);

/* A URI: scheme ":" rest, printable ASCII without spaces. */
bool api__uri_ok(const char *s, size_t n);

/* http_headers of website-change / acme-http-01 into req->dcv.headers. */
void api__parse_headers(struct api_ctx *c, const json_t *o);

/* NULL when s is a usable http_token_path, else the reason. */
const char *api__path_problem(const char *s, size_t n);

/*
 * dns-account-01's prefix "_<label>." suffix (suffix: the row's prefix,
 * "_acme-challenge"), label = base32 of the first 10 octets of
 * SHA-256(account URI).  0 or MPIC_ETOOBIG.
 */
int api__account_prefix(const char *account_uri, const char *suffix,
			char *out, size_t outlen);

#endif
