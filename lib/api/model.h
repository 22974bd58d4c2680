/*
 * model.h - lib/api: the request and result model: targets, the Open
 * MPIC request and its parser and echo, validation issues, check results
 * and their details, and the DCV method table (methods.c).  Internal.
 */
#ifndef MPIC__MODEL_H
#define MPIC__MODEL_H

#include "caa/caa.h"
#include "corroborate/corroborate.h"
#include "dns/dns.h"
#include "util/util.h"

/*
 * A validated target: a DNS name (IDNA A-labels, lowercase, no trailing
 * dot) or an IP address.
 */
struct mpic__target {
	char name[MPIC__NAME_MAX + 1]; /* normalised; for IPs the canonical text */
	bool is_ip;
	int af;                       /* AF_INET / AF_INET6 for IPs */
	uint8_t addr[16];
	bool is_wildcard;             /* name began with "*." (kept in name) */
	bool is_onion;
};

/*
 * Parse and normalise a target (domain_or_ip_target).  Unicode names are
 * converted with libidn2 (UTS-46, non-transitional).  Returns 0 or
 * MPIC_EINVAL with a reason in err.
 */
int mpic__target_parse(const char *in, size_t len, struct mpic__target *t,
		       char *err, size_t errlen);

/* The name without a leading "*." (for CAA and DNS methods). */
const char *mpic__target_base(const struct mpic__target *t);


enum mpic__check_type { MPIC__CHECK_CAA = 0, MPIC_CHECK_DCV };

enum mpic__dcv_method {
	MPIC__DCV_WEBSITE_CHANGE = 0,
	MPIC__DCV_ACME_HTTP_01,
	MPIC__DCV_ACME_DNS_01,
	MPIC__DCV_ACME_TLS_ALPN_01,
	MPIC__DCV_DNS_CHANGE,
	MPIC__DCV_DNS_PERSISTENT,
	MPIC__DCV_DNS_ACCOUNT_01,
	MPIC__DCV_CONTACT_EMAIL_TXT,
	MPIC__DCV_CONTACT_EMAIL_CAA,
	MPIC__DCV_CONTACT_PHONE_TXT,
	MPIC__DCV_CONTACT_PHONE_CAA,
	MPIC__DCV_REVERSE_ADDRESS_LOOKUP,
	MPIC__DCV_IP_ADDRESS,
	MPIC__DCV__COUNT
};
/*
 * The facets of a method, from its row of the one method table
 * (lib/api/methods.c, docs/methods.md); static strings, NULL for
 * out-of-range.
 */
/* "acme-dns-01" etc. */
const char *mpic__dcv_method_str(enum mpic__dcv_method m);
/* BR section of a method, e.g. "3.2.2.4.19" ("3.2.2.5.6" for an IP). */
const char *mpic__dcv_method_br(enum mpic__dcv_method m, bool ip_target);
/* Its RFC 8657 validationmethods label (SC-098): "http-01", "ca-tbr-7". */
const char *mpic__dcv_method_label(enum mpic__dcv_method m, bool ip_target);
/*
 * The other label of the mechanism a validationmethods label names, which
 * a CAA record may list instead (SC-098, BR 4.2.2.1: "http-01" and
 * "ca-tbr-19"); NULL when it has none or is unknown.
 */
const char *mpic__dcv_label_alt(const char *label);
/* True for an ACME method's label ("http-01", ..., "dns-persist-01"). */
bool mpic__dcv_label_is_acme(const char *label);
/* Where a method's Authorization Domain Name comes from (mpic__check_adn). */
enum mpic__adn_rule {
	MPIC__ADN_NAME = 0,  /* the name validated itself (web methods) */
	MPIC__ADN_RECORD,    /* the DNS record's owner, without leading '_'
			     * labels */
	MPIC__ADN_CLIMB,     /* the name climbing found the CAA set at */
};
enum mpic__adn_rule mpic__dcv_method_adn(enum mpic__dcv_method m);

/* What the BR allow of a method on a day (BR 3.2.2.4, requirements 6). */
enum mpic__method_status {
	MPIC__METHOD_ALLOWED = 0,
	MPIC__METHOD_DISCOURAGED,  /* SHOULD NOT */
	MPIC__METHOD_FORBIDDEN,    /* MUST NOT */
};
/*
 * The method's status on the UTC day of now.  *since: the day that
 * status began (NULL when allowed); *until: for a discouraged method the
 * day it becomes forbidden, or NULL.
 */
enum mpic__method_status mpic__dcv_method_status(enum mpic__dcv_method m,
						time_t now,
						const char **since,
						const char **until);

/*
 * How a method's check runs and what it asks the DNS, from its row.  The
 * row lives with the request parser (lib/api), which must find it without
 * reaching up into the checks; so the check-level facets are named by
 * kind here and lib/check turns a kind into its function (several
 * methods share one).
 */
enum mpic__dcv_run {
	MPIC__RUN_DNS = 0,    /* one lookup, lib/check/dcv_dns.c */
	MPIC__RUN_HTTP,       /* lib/dcv/http.c */
	MPIC__RUN_TLS_ALPN,   /* lib/dcv/tls_alpn.c */
	MPIC__RUN_CAA,        /* the CAA climb, lib/check/caa_check.c */
};
/* How one DNS record is compared with the challenge (dcv_dns.c). */
enum mpic__dcv_match {
	MPIC__MATCH_NONE = 0,    /* not a lookup of MPIC__RUN_DNS */
	MPIC__MATCH_TXT_HASH,    /* TXT equals key_authorization_hash */
	MPIC__MATCH_TXT_VALUE,   /* TXT equals challenge_value, any case */
	MPIC__MATCH_PERSIST,     /* TXT judged by BR 3.2.2.4.22's rules */
	MPIC__MATCH_CHANGE,      /* TXT/CNAME/CAA per require_exact_* */
	MPIC__MATCH_ADDRESS,     /* A/AAAA equals the address given */
	MPIC__MATCH_PTR,         /* PTR names challenge_value */
};
/* Where the queried name comes from. */
enum mpic__dcv_qname {
	MPIC__QNAME_FIXED = 0,   /* prefix "." name, ip_prefix "." reverse */
	MPIC__QNAME_REQUEST,     /* the request's dns_name_prefix "." name */
	MPIC__QNAME_ACCOUNT,     /* "_" account label "." prefix "." name */
};
struct mpic__dcv_query {
	enum mpic__dcv_run by;
	const char *prefix;     /* before a domain name, or NULL */
	const char *ip_prefix;  /* before an IP address's reverse name */
	enum mpic__dcv_qname qname;
	uint16_t rtype;         /* 0: the request's dns_record_type */
	enum mpic__dcv_match match;
};
/* The method's query facet; NULL for an unknown method. */
const struct mpic__dcv_query *mpic__dcv_method_query(enum mpic__dcv_method m);

/* The details shape of a DCV check's result (lib/api/result.c). */
enum mpic__details_shape {
	MPIC__DETAILS_NONE = 0,  /* an unknown method */
	MPIC__DETAILS_DNS,
	MPIC__DETAILS_HTTP,
	MPIC__DETAILS_TLS_ALPN,
};
enum mpic__details_shape mpic__dcv_method_details(enum mpic__dcv_method m);

#define MPIC__MAX_CAA_DOMAINS 16
#define MPIC__MAX_HTTP_HEADERS 16
#define MPIC__MAX_ISSUER_NAMES 16

struct mpic__orch_params {
	int perspective_count;  /* 0 = not given */
	int quorum_count;       /* 0 = not given */
	int max_attempts;       /* 0 = not given */
	int cohort_for_single_attempt; /* 0 = not given; 1-based */
};

struct mpic__caa_params {
	enum mpic__cert_type cert_type;
	const char *caa_domains[MPIC__MAX_CAA_DOMAINS];
	size_t n_caa_domains;   /* 0 = use the configured issuer_domains */
	bool allow_lookup_failure;
	const char *account_uri;       /* extension, or NULL */
	const char *validation_method; /* extension, or NULL */
};

struct mpic__http_header {
	const char *name;
	const char *value;
};

enum mpic__dns_rtype_param {
	MPIC__DNSTYPE_TXT = MPIC__RR_TXT,
	MPIC__DNSTYPE_CNAME = MPIC__RR_CNAME,
	MPIC__DNSTYPE_CAA = MPIC__RR_CAA,
	MPIC__DNSTYPE_A = MPIC__RR_A,
	MPIC__DNSTYPE_AAAA = MPIC__RR_AAAA,
};

struct mpic__dcv_params {
	enum mpic__dcv_method method;
	/* website-change, dns-change, reverse-address-lookup, ip-address */
	const char *challenge_value;
	/* website-change */
	const char *http_token_path;
	const char *match_regex;  /* or NULL */
	const char *url_scheme;   /* "http" | "https" */
	bool require_exact_case;  /* website-change and dns-change */
	/* acme-http-01 */
	const char *token;
	const char *key_authorization;
	/* website-change, acme-http-01 */
	struct mpic__http_header headers[MPIC__MAX_HTTP_HEADERS];
	size_t n_headers;
	/* acme-dns-01, acme-tls-alpn-01, dns-account-01: 43 base64url chars */
	const char *key_authorization_hash;
	uint8_t key_authorization_digest[32]; /* decoded, for tls-alpn */
	/* dns-change, ip-address */
	uint16_t dns_record_type;
	const char *dns_name_prefix; /* or NULL */
	bool require_exact_match;
	/* dns-persistent */
	const char *issuer_domain_names[MPIC__MAX_ISSUER_NAMES];
	size_t n_issuer_domain_names;
	const char *expected_account_uri;
	/* dns-account-01 */
	const char *account_uri;
};

/*
 * A validated Open MPIC request.  Strings live in the request's arena;
 * raw is the parsed body (a reference held by the request).
 */
struct mpic__request {
	struct mpic__arena arena;
	json_t *raw;
	enum mpic__check_type check_type;
	struct mpic__target target;
	const char *target_text;       /* as sent, for the echo */
	const char *trace_identifier;  /* or NULL */
	/* W3C trace context (util/trace.h), set by the engine after the
	 * parse: the trace id ("" none) and the flags the remote calls
	 * carry */
	char trace_id[33];
	uint8_t trace_flags;
	struct mpic__orch_params orch;
	bool has_orch;
	struct mpic__caa_params caa;
	struct mpic__dcv_params dcv;
	/* the perspective API body (interface.md 2), the same for every
	 * remote perspective of the request: built once by the engine
	 * (mpic__remote_body()), in the arena; NULL until then */
	const char *remote_body;
	/* the digest of that body's check (docs/evidence.md "Statement"),
	 * set with it: what every perspective's statement must sign */
	uint8_t call_digest[32];
	bool has_call_digest;
};

/*
 * The name a DNS method's check asks for and the type it asks, from the
 * method's row (docs/methods.md): into out (outlen octets, truncated
 * names are refused).  0, MPIC_EINVAL (no such name for this target or
 * method) or MPIC_ETOOBIG.
 */
int mpic__dcv_query_name(const struct mpic__request *req, char *out,
			 size_t outlen, uint16_t *type);

/* Validation problems, for the 400 body. */
#define MPIC__MAX_ISSUES 16
struct mpic__issue {
	char type[64];     /* e.g. "invalid-field-value", "missing-field" */
	char message[256]; /* names the field */
};
struct mpic__issues {
	struct mpic__issue v[MPIC__MAX_ISSUES];
	size_t n;
};
void mpic__issue_add(struct mpic__issues *is, const char *type,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define MPIC_MAX_BODY (64 * 1024)
#define MPIC__MAX_JSON_DEPTH 16

/*
 * Parse and validate a POST /mpic body.  On success returns 0 and fills
 * req (release with mpic__request_release()).  Otherwise returns
 * MPIC_EINVAL (or MPIC_ETOOBIG for an over-long body) and fills issues.
 * Orchestration numbers are checked against the BR table by the engine,
 * not here.
 */
int mpic__request_parse(const char *body, size_t len,
			struct mpic__request *req, struct mpic__issues *issues);
void mpic__request_release(struct mpic__request *req);

/* The 400 body {"error":"request-validation-failed",...}; caller frees. */
char *mpic__issues_body(const struct mpic__issues *issues);

/*
 * Echo of the check parameters with defaults filled in (new reference;
 * NULL for the other check type or out of memory).  The CAA echo names the
 * caa_domains applied: the request's, or when it gives none the n_issuers
 * configured issuers (caa.issuer_domains; the list is empty when neither
 * names any).
 */
json_t *mpic__request_echo_caa(const struct mpic__request *req,
			       const char *const *issuers, size_t n_issuers);
json_t *mpic__request_echo_dcv(const struct mpic__request *req);

#define MPIC__MAX_CHECK_ERRORS 4

struct mpic__check_error {
	const char *type;   /* static: "mpic_error:caa_checker:lookup", ... */
	char message[512];
};

/* One perspective's answer to one check. */
struct mpic__check_result {
	bool completed;
	bool passed;
	struct mpic__check_error errors[MPIC__MAX_CHECK_ERRORS];
	size_t n_errors;
	uint64_t timestamp_ns;
	uint64_t remote_timestamp_ns; /* a remote's own timestamp_ns, when it
	                               * was outside its call's window and
	                               * replaced (mpic__remote_answer_time);
	                               * else 0 */
	enum mpic__dnssec dnssec;
	unsigned duration_ms;
	json_t *details;    /* owned by the result */
	json_t *statement;  /* the perspective's signed_statement
	                     * (docs/evidence.md), owned; NULL: unsigned */
	bool misidentified; /* a remote answered under another perspective
			     * code, RIR or check type (metrics) */
};
void mpic__check_result_init(struct mpic__check_result *r);
void mpic__check_result_release(struct mpic__check_result *r);
void mpic__check_error(struct mpic__check_result *r, const char *type,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * The check_response object (interface.md) written into w, left open
 * after its last member so that the caller can add keys (rir,
 * perspective_code) and close it.
 */
void mpic__check_result_open(struct mpic__jw *w,
			     const struct mpic__check_result *r,
			     enum mpic__check_type type);
/*
 * Give r the "details" keys the Open MPIC schema requires for the check
 * (docs/orchestration.md): a result without details (a check that could
 * not start, timed out, or whose perspective sent a bad answer or none)
 * gets the whole shape with nothing observed (null, [], and
 * caa_record_present false), a details object that lacks some required
 * keys gets those.  Present keys are kept.  For DCV, method picks the
 * shape (HTTP, DNS, TLS-ALPN) and is the validation_method filled in.
 * 0, or MPIC_ENOMEM (r->details as far as it got; NULL is written {}).
 */
int mpic__check_details_fill(struct mpic__check_result *r,
			     enum mpic__check_type type,
			     enum mpic__dcv_method method);
/*
 * The Authorization Domain Name r shows for req (BR 1.6.1; recorded per
 * SC-099, docs/audit.md): the name whose control the found record
 * proves.  DNS methods: where the record set was found (details found_at,
 * or the name queried when aliases were followed), without its leading
 * underscore labels ("_acme-challenge.example.com" is example.com's);
 * contact-*-caa and CAA: the name whose CAA set was relevant (found_at);
 * web methods: the name itself.  Written into out (lowercase, no final
 * dot); false when there is none: an IP address target, nothing found
 * where climbing decides the name, or a name over MPIC__NAME_MAX.
 */
bool mpic__check_adn(const struct mpic__request *req,
		     const struct mpic__check_result *r, char *out,
		     size_t outlen);
/* Its "errors" list, [{error_type, error_message}, ...] ([] for none). */
void mpic__check_errors_write(struct mpic__jw *w,
			      const struct mpic__check_result *r);

/* Error types (Open MPIC strings). */
#define MPIC__ERR_CAA_LOOKUP "mpic_error:caa_checker:lookup"
#define MPIC__ERR_DCV_LOOKUP "mpic_error:dcv_checker:lookup"
#define MPIC__ERR_HTTP "mpic_error:http"
#define MPIC__ERR_REDIRECT "mpic_error:redirect:invalid"
#define MPIC__ERR_REMOTE "mpic_error:coordinator:remote_check"
#define MPIC__ERR_TIMEOUT "mpic_error:timeout"
#define MPIC__ERR_DNSSEC "mpic_error:dnssec:bogus"

#endif
