/*
 * mpic_int.h - types and functions shared between libmpic's files.
 * Nothing here is exported; names are mpic__ (internal across files).
 */
#ifndef MPIC_INT_H
#define MPIC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "util/jw.h"

#include "mpic/mpic.h"

/* ---------------------------------------------------------------- util */

/* Allocation wrapper: tests can make the Nth allocation fail. */
void *mpic__malloc(size_t n);
void *mpic__calloc(size_t nmemb, size_t size);
void *mpic__realloc(void *p, size_t n);
char *mpic__strdup(const char *s);
char *mpic__strndup(const char *s, size_t n);
void mpic__free(void *p);
/* Fail allocation number n (1-based) from now on; 0 disables. Tests only. */
void mpic__alloc_fail_at(unsigned long n);

/*
 * Arena: many small allocations freed at once (one per request).  Blocks
 * are chained; mpic__arena_release() frees them all.  Allocations are
 * 16-byte aligned.  Returns NULL when out of memory.
 */
struct mpic_arena {
	struct mpic_arena_block *head;
	size_t used;
	size_t total;
};
void mpic__arena_init(struct mpic_arena *a);
void mpic__arena_release(struct mpic_arena *a);
void *mpic__arena_alloc(struct mpic_arena *a, size_t n);
void *mpic__arena_calloc(struct mpic_arena *a, size_t n);
char *mpic__arena_strdup(struct mpic_arena *a, const char *s);
char *mpic__arena_strndup(struct mpic_arena *a, const char *s, size_t n);
char *mpic__arena_printf(struct mpic_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Bounded formatted append into a fixed buffer; never overflows. */
void mpic__bufprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Monotonic and wall-clock time. */
uint64_t mpic__now_mono_ms(void);
uint64_t mpic__now_wall_ns(void);

/* base64url without padding (RFC 4648 5); out must hold 4*ceil(n/3)+1. */
size_t mpic__b64url_encode(const uint8_t *in, size_t n, char *out);
/* standard base64 with padding; out must hold 4*ceil(n/3)+1. */
size_t mpic__b64_encode(const uint8_t *in, size_t n, char *out);
/* lowercase base32 without padding (RFC 4648 6); out 8*ceil(n/5)+1. */
size_t mpic__b32_lower_encode(const uint8_t *in, size_t n, char *out);
/* True when s (length n) is only base64url alphabet characters. */
bool mpic__is_b64url(const char *s, size_t n);
/* Value of a hexadecimal digit (either case), or -1. */
int mpic__hex_digit(char c);
void mpic__sha256(const void *data, size_t n, uint8_t out[32]);

/* ---------------------------------------------------------------- names */

#define MPIC_NAME_MAX 253 /* presentation form, without trailing dot */

/*
 * A validated target: a DNS name (IDNA A-labels, lowercase, no trailing
 * dot) or an IP address.
 */
struct mpic_target {
	char name[MPIC_NAME_MAX + 1]; /* normalised; for IPs the canonical text */
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
int mpic__target_parse(const char *in, size_t len, struct mpic_target *t,
		       char *err, size_t errlen);

/* The name without a leading "*." (for CAA and DNS methods). */
const char *mpic__target_base(const struct mpic_target *t);

/* Reverse-zone name for an address (in-addr.arpa / ip6.arpa), no dot. */
int mpic__reverse_name(int af, const uint8_t *addr, char *out, size_t outlen);

/* Case-insensitive ASCII comparison of DNS names, ignoring a final dot. */
bool mpic__name_eq(const char *a, const char *b);

/* ---------------------------------------------------------------- DNS */

enum mpic_dnssec {
	MPIC_DNSSEC_INDETERMINATE = 0,
	MPIC_DNSSEC_INSECURE,
	MPIC_DNSSEC_SECURE,
	MPIC_DNSSEC_BOGUS,
};
const char *mpic__dnssec_str(enum mpic_dnssec s);

enum {
	MPIC_RR_A = 1,
	MPIC_RR_NS = 2,
	MPIC_RR_CNAME = 5,
	MPIC_RR_SOA = 6,
	MPIC_RR_PTR = 12,
	MPIC_RR_TXT = 16,
	MPIC_RR_AAAA = 28,
	MPIC_RR_DS = 43,
	MPIC_RR_NSEC = 47,
	MPIC_RR_NSEC3 = 50,
	MPIC_RR_CAA = 257,
};

enum {
	MPIC_RCODE_NOERROR = 0,
	MPIC_RCODE_SERVFAIL = 2,
	MPIC_RCODE_NXDOMAIN = 3,
	MPIC_RCODE_REFUSED = 5,
};

#define MPIC_DNS_MAX_RR 4096
#define MPIC_DNS_MAX_CNAME 16

/* One resource record; rdata is uncompressed wire form. */
struct mpic_dns_rr {
	char owner[MPIC_NAME_MAX + 2];
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t *rdata;
};

/*
 * A parsed DNS message.  Every pointer is owned by the message:
 * mpic__dns_msg_release().  Names are presentation form without the final
 * dot, lowercase, with \DDD escapes for unusual bytes.  Names inside rdata
 * of NS/CNAME/PTR/SOA/DNAME/MX are decompressed so rdata stands alone.
 */
struct mpic_dns_msg {
	uint16_t id;
	uint16_t flags;
	int rcode;
	bool tc, ad, aa;
	char qname[MPIC_NAME_MAX + 2];
	uint16_t qtype;
	struct mpic_dns_rr *an;
	size_t n_an;
	struct mpic_dns_rr *ns;
	size_t n_ns;
};
int mpic__dns_msg_parse(const uint8_t *pkt, size_t len,
			struct mpic_dns_msg *msg);
void mpic__dns_msg_release(struct mpic_dns_msg *msg);

/*
 * Read a (possibly compressed) name at *off in pkt into out (presentation,
 * lowercase, no final dot; "." root becomes "").  Advances *off past the
 * name as it stands in the message.  Returns 0 or MPIC_EPARSE.
 */
int mpic__dns_name_read(const uint8_t *pkt, size_t len, size_t *off,
			char *out, size_t outlen);
/* Name in uncompressed rdata at offset 0; returns 0 or MPIC_EPARSE. */
int mpic__dns_rdata_name(const uint8_t *rd, size_t len, char *out,
			 size_t outlen);
/*
 * TXT rdata: concatenation of its character-strings into out (NUL-ended).
 * Returns the length or MPIC_EPARSE / MPIC_ETOOBIG.
 */
int mpic__dns_txt_concat(const uint8_t *rd, size_t len, char *out,
			 size_t outlen);
/* Presentation text of a record's rdata (for records_seen). */
int mpic__dns_rdata_str(uint16_t type, const uint8_t *rd, size_t len,
			char *out, size_t outlen);
const char *mpic__dns_type_str(uint16_t type, char buf[16]);
/* Presentation name to uncompressed wire form (lowercased); returns the
 * length or MPIC_EINVAL / MPIC_ETOOBIG. */
int mpic__dns_name_to_wire(const char *name, uint8_t *out, size_t outlen);
/* RFC 5155 hash of name, base32hex lowercase into out (>= 33 bytes). */
int mpic__nsec3_hash(const char *name, const uint8_t *salt, size_t saltlen,
		     unsigned iterations, char *out, size_t outlen);
/*
 * Does the (validated) authority section of msg, an answer denying DS at
 * name, show name to be an unsigned delegation: an NSEC at name, or an
 * NSEC3 matching name's hash, whose bitmap has NS and lacks SOA and DS?
 */
bool mpic__dns_proves_unsigned_delegation(const struct mpic_dns_msg *msg,
					  const char *name);

/*
 * The answer to one lookup, as the DNS engine hands it to checkers.
 * Owned by the engine; valid only during the completion callback.
 */
struct mpic_dns_answer {
	const char *qname;
	uint16_t qtype;
	int err;               /* 0, or MPIC_ETIMEDOUT / MPIC_EDNS: no answer */
	const char *err_text;  /* resolver's text when err != 0 */
	int rcode;             /* DNS rcode from the answer packet */
	enum mpic_dnssec dnssec;
	const char *why_bogus; /* or NULL */
	bool tc;
	const char *canonname; /* final name after CNAMEs (= qname if none) */
	const char *cname_chain[MPIC_DNS_MAX_CNAME];
	size_t n_cname;
	const struct mpic_dns_rr *rrs; /* records of qtype at canonname */
	size_t n_rrs;
	const struct mpic_dns_msg *msg; /* the whole answer */
	unsigned duration_ms;
	unsigned attempts;
};

struct mpic_dns_opts {
	const char *root_hints;   /* file, or NULL for the built-in IANA hints */
	const char *trust_anchor; /* file of DS/DNSKEY lines, NULL for IANA */
	unsigned timeout_ms;      /* per lookup; default 5000 */
	bool cache;               /* default true */
	bool allow_localhost;     /* do-not-query-localhost: no (labs) */
	bool no_aggressive_nsec;  /* RFC 8198 synthesis off (benchmarks) */
	const char *const *transparent_zones; /* NULL-terminated, or NULL */
};

struct event_base;
struct mpic_resolver;
typedef void (*mpic_dns_cb)(void *arg, const struct mpic_dns_answer *ans);

/* One resolver (own libunbound context and cache) per perspective. */
int mpic__resolver_new(struct event_base *base,
		       const struct mpic_dns_opts *opts,
		       struct mpic_resolver **out, char *err, size_t errlen);
void mpic__resolver_free(struct mpic_resolver *r);
/*
 * Resolve name/type.  The callback runs exactly once, never before this
 * returns.  A failed lookup (an rcode other than NOERROR/NXDOMAIN, or a
 * timeout) is retried once, except a bogus answer (recorded
 * in attempts).  Returns 0 or a negative error (then no callback).
 */
int mpic__resolve(struct mpic_resolver *r, const char *name, uint16_t type,
		  mpic_dns_cb cb, void *arg);

/* ---------------------------------------------------------------- CAA */

#define MPIC_CAA_TAG_MAX 255
#define MPIC_CAA_MAX_PARAMS 16

struct mpic_caa_rr {
	uint8_t flags;
	char tag[MPIC_CAA_TAG_MAX + 1];   /* as in the record, NUL-ended */
	const uint8_t *value;             /* points into the rdata */
	size_t value_len;
};

/* Parse CAA rdata.  Returns 0 or MPIC_EPARSE. */
int mpic__caa_rr_parse(const uint8_t *rd, size_t len, struct mpic_caa_rr *out);

/* Presentation form: 0 issue "ca.example; accounturi=..." into out. */
int mpic__caa_rr_str(const struct mpic_caa_rr *rr, char *out, size_t outlen);

struct mpic_caa_param {
	char tag[64];
	char value[1024];
};

/* An issue / issuewild / issuemail value (RFC 8659 4.2). */
struct mpic_caa_issue_value {
	bool valid;                 /* false: fails the grammar => empty issuer */
	char issuer[MPIC_NAME_MAX + 1]; /* "" when no issuer (a prohibition) */
	struct mpic_caa_param params[MPIC_CAA_MAX_PARAMS];
	size_t n_params;
};
int mpic__caa_issue_value_parse(const uint8_t *v, size_t len,
				struct mpic_caa_issue_value *out);
/*
 * How many parameters of iv are named tag, and the first one's value in
 * *first (NULL when none).  The one rule for parameter names, of CAA
 * values and of persistent TXT values alike: compared ASCII
 * case-insensitively (RFC 8659 4.1; draft-ietf-acme-dns-persist-01).
 */
size_t mpic__caa_param_find(const struct mpic_caa_issue_value *iv,
			    const char *tag, const char **first);
/* DNS names compared ASCII case-insensitively, each ignoring one final
 * dot; an empty name equals nothing. */
bool mpic__caa_name_eq(const char *a, const char *b);

/*
 * The persistent TXT value of BR 3.2.2.4.22 and 3.2.2.5.8
 * (_validation-persist, _ip-validation-persist), as
 * draft-ietf-acme-dns-persist-01 and Boulder read it.  Every rule of the
 * draft is in mpic__persist_value_ok(), so that its next revision
 * changes one function.
 */
struct mpic_persist_query {
	const char *const *issuer_domains; /* recognised issuer domain names */
	size_t n_issuers;
	const char *account_uri;  /* the applicant's; compared byte for byte */
	bool is_wildcard;         /* the target is *.name */
	time_t now;               /* persistUntil before this has passed */
};

/*
 * Whether the TXT value v (len bytes, need not end in NUL) lets q's
 * applicant validate.  Writes a one-line reason into why (NULL when
 * whylen is 0): what refused the value ("persistUntil is repeated",
 * "accounturi does not match", ...), or what it grants.
 */
bool mpic__persist_value_ok(const uint8_t *v, size_t len,
			    const struct mpic_persist_query *q, char *why,
			    size_t whylen);

enum mpic_cert_type { MPIC_CERT_TLS_SERVER = 0, MPIC_CERT_SMIME };

struct mpic_caa_query {
	bool is_wildcard;
	enum mpic_cert_type cert_type;
	const char *const *issuer_domains; /* our identities */
	size_t n_issuers;
	const char *account_uri;        /* RFC 8657, or NULL */
	const char *validation_method;  /* RFC 8657 label, or NULL */
	const char *validation_method_alt; /* the same mechanism's other
					    * label (SC-098), or NULL */
};

/*
 * Decide on a relevant record set (n may be 0: no records, issuance
 * permitted).  Returns true when issuance is permitted; writes a one-line
 * reason naming the deciding record or rule.
 */
bool mpic__caa_permits(const struct mpic_caa_rr *set, size_t n,
		       const struct mpic_caa_query *q, char *reason,
		       size_t reasonlen);

/* ---------------------------------------------------------------- requests */

enum mpic_check_type { MPIC_CHECK_CAA = 0, MPIC_CHECK_DCV };

enum mpic_dcv_method {
	MPIC_DCV_WEBSITE_CHANGE = 0,
	MPIC_DCV_ACME_HTTP_01,
	MPIC_DCV_ACME_DNS_01,
	MPIC_DCV_ACME_TLS_ALPN_01,
	MPIC_DCV_DNS_CHANGE,
	MPIC_DCV_DNS_PERSISTENT,
	MPIC_DCV_DNS_ACCOUNT_01,
	MPIC_DCV_CONTACT_EMAIL_TXT,
	MPIC_DCV_CONTACT_EMAIL_CAA,
	MPIC_DCV_CONTACT_PHONE_TXT,
	MPIC_DCV_CONTACT_PHONE_CAA,
	MPIC_DCV_REVERSE_ADDRESS_LOOKUP,
	MPIC_DCV_IP_ADDRESS,
	MPIC_DCV__COUNT
};
/*
 * The facets of a method, from its row of the one method table
 * (lib/api/methods.c, docs/methods.md); static strings, NULL for
 * out-of-range.
 */
/* "acme-dns-01" etc. */
const char *mpic__dcv_method_str(enum mpic_dcv_method m);
/* BR section of a method, e.g. "3.2.2.4.19" ("3.2.2.5.6" for an IP). */
const char *mpic__dcv_method_br(enum mpic_dcv_method m, bool ip_target);
/* Its RFC 8657 validationmethods label (SC-098): "http-01", "ca-tbr-7". */
const char *mpic__dcv_method_label(enum mpic_dcv_method m, bool ip_target);
/*
 * The other label of the mechanism a validationmethods label names, which
 * a CAA record may list instead (SC-098, BR 4.2.2.1: "http-01" and
 * "ca-tbr-19"); NULL when it has none or is unknown.
 */
const char *mpic__dcv_label_alt(const char *label);
/* True for an ACME method's label ("http-01", ..., "dns-persist-01"). */
bool mpic__dcv_label_is_acme(const char *label);
/* Where a method's Authorization Domain Name comes from (mpic__check_adn). */
enum mpic_adn_rule {
	MPIC_ADN_NAME = 0,  /* the name validated itself (web methods) */
	MPIC_ADN_RECORD,    /* the DNS record's owner, without leading '_'
			     * labels */
	MPIC_ADN_CLIMB,     /* the name climbing found the CAA set at */
};
enum mpic_adn_rule mpic__dcv_method_adn(enum mpic_dcv_method m);

/* What the BR allow of a method on a day (BR 3.2.2.4, requirements 6). */
enum mpic_method_status {
	MPIC_METHOD_ALLOWED = 0,
	MPIC_METHOD_DISCOURAGED,  /* SHOULD NOT */
	MPIC_METHOD_FORBIDDEN,    /* MUST NOT */
};
/*
 * The method's status on the UTC day of now.  *since: the day that
 * status began (NULL when allowed); *until: for a discouraged method the
 * day it becomes forbidden, or NULL.
 */
enum mpic_method_status mpic__dcv_method_status(enum mpic_dcv_method m,
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
enum mpic_dcv_run {
	MPIC_RUN_DNS = 0,    /* one lookup, lib/check/dcv_dns.c */
	MPIC_RUN_HTTP,       /* lib/dcv/http.c */
	MPIC_RUN_TLS_ALPN,   /* lib/dcv/tls_alpn.c */
	MPIC_RUN_CAA,        /* the CAA climb, lib/check/caa_check.c */
};
/* How one DNS record is compared with the challenge (dcv_dns.c). */
enum mpic_dcv_match {
	MPIC_MATCH_NONE = 0,    /* not a lookup of MPIC_RUN_DNS */
	MPIC_MATCH_TXT_HASH,    /* TXT equals key_authorization_hash */
	MPIC_MATCH_TXT_VALUE,   /* TXT equals challenge_value, any case */
	MPIC_MATCH_PERSIST,     /* TXT judged by BR 3.2.2.4.22's rules */
	MPIC_MATCH_CHANGE,      /* TXT/CNAME/CAA per require_exact_* */
	MPIC_MATCH_ADDRESS,     /* A/AAAA equals the address given */
	MPIC_MATCH_PTR,         /* PTR names challenge_value */
};
/* Where the queried name comes from. */
enum mpic_dcv_qname {
	MPIC_QNAME_FIXED = 0,   /* prefix "." name, ip_prefix "." reverse */
	MPIC_QNAME_REQUEST,     /* the request's dns_name_prefix "." name */
	MPIC_QNAME_ACCOUNT,     /* "_" account label "." prefix "." name */
};
struct mpic_dcv_query {
	enum mpic_dcv_run by;
	const char *prefix;     /* before a domain name, or NULL */
	const char *ip_prefix;  /* before an IP address's reverse name */
	enum mpic_dcv_qname qname;
	uint16_t rtype;         /* 0: the request's dns_record_type */
	enum mpic_dcv_match match;
};
/* The method's query facet; NULL for an unknown method. */
const struct mpic_dcv_query *mpic__dcv_method_query(enum mpic_dcv_method m);

/* The details shape of a DCV check's result (lib/api/result.c). */
enum mpic_details_shape {
	MPIC_DETAILS_NONE = 0,  /* an unknown method */
	MPIC_DETAILS_DNS,
	MPIC_DETAILS_HTTP,
	MPIC_DETAILS_TLS_ALPN,
};
enum mpic_details_shape mpic__dcv_method_details(enum mpic_dcv_method m);

#define MPIC_MAX_CAA_DOMAINS 16
#define MPIC_MAX_HTTP_HEADERS 16
#define MPIC_MAX_ISSUER_NAMES 16

struct mpic_orch_params {
	int perspective_count;  /* 0 = not given */
	int quorum_count;       /* 0 = not given */
	int max_attempts;       /* 0 = not given */
	int cohort_for_single_attempt; /* 0 = not given; 1-based */
};

struct mpic_caa_params {
	enum mpic_cert_type cert_type;
	const char *caa_domains[MPIC_MAX_CAA_DOMAINS];
	size_t n_caa_domains;   /* 0 = use the configured issuer_domains */
	bool allow_lookup_failure;
	const char *account_uri;       /* extension, or NULL */
	const char *validation_method; /* extension, or NULL */
};

struct mpic_http_header {
	const char *name;
	const char *value;
};

enum mpic_dns_rtype_param {
	MPIC_DNSTYPE_TXT = MPIC_RR_TXT,
	MPIC_DNSTYPE_CNAME = MPIC_RR_CNAME,
	MPIC_DNSTYPE_CAA = MPIC_RR_CAA,
	MPIC_DNSTYPE_A = MPIC_RR_A,
	MPIC_DNSTYPE_AAAA = MPIC_RR_AAAA,
};

struct mpic_dcv_params {
	enum mpic_dcv_method method;
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
	struct mpic_http_header headers[MPIC_MAX_HTTP_HEADERS];
	size_t n_headers;
	/* acme-dns-01, acme-tls-alpn-01, dns-account-01: 43 base64url chars */
	const char *key_authorization_hash;
	uint8_t key_authorization_digest[32]; /* decoded, for tls-alpn */
	/* dns-change, ip-address */
	uint16_t dns_record_type;
	const char *dns_name_prefix; /* or NULL */
	bool require_exact_match;
	/* dns-persistent */
	const char *issuer_domain_names[MPIC_MAX_ISSUER_NAMES];
	size_t n_issuer_domain_names;
	const char *expected_account_uri;
	/* dns-account-01 */
	const char *account_uri;
};

/*
 * A validated Open MPIC request.  Strings live in the request's arena;
 * raw is the parsed body (a reference held by the request).
 */
struct mpic_request {
	struct mpic_arena arena;
	json_t *raw;
	enum mpic_check_type check_type;
	struct mpic_target target;
	const char *target_text;       /* as sent, for the echo */
	const char *trace_identifier;  /* or NULL */
	struct mpic_orch_params orch;
	bool has_orch;
	struct mpic_caa_params caa;
	struct mpic_dcv_params dcv;
	/* the perspective API body (interface.md 2), the same for every
	 * remote perspective of the request: built once by the engine
	 * (mpic__remote_body()), in the arena; NULL until then */
	const char *remote_body;
};

/*
 * The name a DNS method's check asks for and the type it asks, from the
 * method's row (docs/methods.md): into out (outlen octets, truncated
 * names are refused).  0, MPIC_EINVAL (no such name for this target or
 * method) or MPIC_ETOOBIG.
 */
int mpic__dcv_query_name(const struct mpic_request *req, char *out,
			 size_t outlen, uint16_t *type);

/* Validation problems, for the 400 body. */
#define MPIC_MAX_ISSUES 16
struct mpic_issue {
	char type[64];     /* e.g. "invalid-field-value", "missing-field" */
	char message[256]; /* names the field */
};
struct mpic_issues {
	struct mpic_issue v[MPIC_MAX_ISSUES];
	size_t n;
};
void mpic__issue_add(struct mpic_issues *is, const char *type,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define MPIC_MAX_BODY (64 * 1024)
#define MPIC_MAX_JSON_DEPTH 16

/*
 * Parse and validate a POST /mpic body.  On success returns 0 and fills
 * req (release with mpic__request_release()).  Otherwise returns
 * MPIC_EINVAL (or MPIC_ETOOBIG for an over-long body) and fills issues.
 * Orchestration numbers are checked against the BR table by the engine,
 * not here.
 */
int mpic__request_parse(const char *body, size_t len,
			struct mpic_request *req, struct mpic_issues *issues);
void mpic__request_release(struct mpic_request *req);

/* The 400 body {"error":"request-validation-failed",...}; caller frees. */
char *mpic__issues_body(const struct mpic_issues *issues);

/*
 * Echo of the check parameters with defaults filled in (new reference;
 * NULL for the other check type or out of memory).  The CAA echo names the
 * caa_domains applied: the request's, or when it gives none the n_issuers
 * configured issuers (caa.issuer_domains; the list is empty when neither
 * names any).
 */
json_t *mpic__request_echo_caa(const struct mpic_request *req,
			       const char *const *issuers, size_t n_issuers);
json_t *mpic__request_echo_dcv(const struct mpic_request *req);

/* ---------------------------------------------------------------- results */

#define MPIC_MAX_CHECK_ERRORS 4

struct mpic_check_error {
	const char *type;   /* static: "mpic_error:caa_checker:lookup", ... */
	char message[512];
};

/* One perspective's answer to one check. */
struct mpic_check_result {
	bool completed;
	bool passed;
	struct mpic_check_error errors[MPIC_MAX_CHECK_ERRORS];
	size_t n_errors;
	uint64_t timestamp_ns;
	uint64_t remote_timestamp_ns; /* a remote's own timestamp_ns, when it
	                               * was outside its call's window and
	                               * replaced (mpic__remote_answer_time);
	                               * else 0 */
	enum mpic_dnssec dnssec;
	unsigned duration_ms;
	json_t *details;    /* owned by the result */
};
void mpic__check_result_init(struct mpic_check_result *r);
void mpic__check_result_release(struct mpic_check_result *r);
void mpic__check_error(struct mpic_check_result *r, const char *type,
		       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * The check_response object (interface.md) written into w, left open
 * after its last member so that the caller can add keys (rir,
 * perspective_code) and close it.
 */
void mpic__check_result_open(struct mpic_jw *w,
			     const struct mpic_check_result *r,
			     enum mpic_check_type type);
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
int mpic__check_details_fill(struct mpic_check_result *r,
			     enum mpic_check_type type,
			     enum mpic_dcv_method method);
/*
 * The Authorization Domain Name r shows for req (BR 1.6.1; recorded per
 * SC-099, docs/audit.md): the name whose control the found record
 * proves.  DNS methods: where the record set was found (details found_at,
 * or the name queried when aliases were followed), without its leading
 * underscore labels ("_acme-challenge.example.com" is example.com's);
 * contact-*-caa and CAA: the name whose CAA set was relevant (found_at);
 * web methods: the name itself.  Written into out (lowercase, no final
 * dot); false when there is none: an IP address target, nothing found
 * where climbing decides the name, or a name over MPIC_NAME_MAX.
 */
bool mpic__check_adn(const struct mpic_request *req,
		     const struct mpic_check_result *r, char *out,
		     size_t outlen);
/* Its "errors" list, [{error_type, error_message}, ...] ([] for none). */
void mpic__check_errors_write(struct mpic_jw *w,
			      const struct mpic_check_result *r);

/* Error types (Open MPIC strings). */
#define MPIC_ERR_CAA_LOOKUP "mpic_error:caa_checker:lookup"
#define MPIC_ERR_DCV_LOOKUP "mpic_error:dcv_checker:lookup"
#define MPIC_ERR_HTTP "mpic_error:http"
#define MPIC_ERR_REDIRECT "mpic_error:redirect:invalid"
#define MPIC_ERR_REMOTE "mpic_error:coordinator:remote_check"
#define MPIC_ERR_TIMEOUT "mpic_error:timeout"
#define MPIC_ERR_DNSSEC "mpic_error:dnssec:bogus"

/* ---------------------------------------------------------------- rules */

enum mpic_rir {
	MPIC_RIR_ARIN = 0,
	MPIC_RIR_RIPE,
	MPIC_RIR_APNIC,
	MPIC_RIR_LACNIC,
	MPIC_RIR_AFRINIC,
	MPIC_RIR__COUNT
};
const char *mpic__rir_str(enum mpic_rir r);         /* "ARIN", "RIPE NCC"... */
int mpic__rir_parse(const char *s, enum mpic_rir *out); /* 0 / MPIC_EINVAL */

struct mpic_location {
	double lat, lon;
};
/* Great-circle distance in km (haversine, mean Earth radius 6371.0088). */
double mpic__distance_km(struct mpic_location a, struct mpic_location b);
#define MPIC_MIN_DISTANCE_KM 500.0

/* Non-corroborations allowed with n remote perspectives (BR table). */
int mpic__br_allowed_failures(int n);
/* Minimum quorum for n remotes: n - allowed failures; -1 if n < 2. */
int mpic__br_min_quorum(int n);

/*
 * The verdict (lib/corroborate/verdict.c): a tally of one attempt's
 * results and the rules in force in, the outcome out.  Pure: no clock, no
 * I/O; the decision, the response and the audit record all read it.
 */
enum mpic__primary_state {
	MPIC__PRIMARY_NONE,     /* no primary perspective configured */
	MPIC__PRIMARY_PENDING,
	MPIC__PRIMARY_PASSED,
	MPIC__PRIMARY_FAILED,   /* failed, or its deadline passed */
};
struct mpic__tally {
	int passed, failed, pending;
	unsigned rirs_passed;   /* bit (1 << enum mpic_rir) per passed RIR */
	enum mpic__primary_state primary;
};
struct mpic__quorum_rules {
	int perspectives;       /* n, the cohort's size: the "n" of "k/n" */
	int quorum;             /* k needed (BR table, or the request's) */
	bool two_rir_rule;      /* the corroborating remotes span >= 2 RIRs */
	bool early_decision;    /* close as soon as the outcome is certain */
};
struct mpic__verdict {
	bool met;               /* remote quorum and RIR rule hold */
	bool hopeless;          /* can no longer be met, or the primary failed */
	bool rir_rule_failed;   /* quorum reached by one RIR only */
	bool final;             /* nothing pending, or certain (early decision) */
	bool valid;             /* met, and the primary (if any) passed */
	char k_n[24];           /* "passed/perspectives" */
};
/* Count one result into *t (zeroed by the caller first). */
void mpic__tally_add(struct mpic__tally *t, bool done, bool passed,
		     enum mpic_rir rir);
void mpic__verdict(const struct mpic__tally *t,
		   const struct mpic__quorum_rules *r, struct mpic__verdict *v);

/* The BR calendar on a given day (UTC). */
struct mpic_br_phase {
	int min_remotes;      /* 2, 3, 4, 5 */
	bool quorum_blocks;   /* false during the advisory phase */
	bool two_rir_rule;    /* corroborating remotes span >= 2 RIRs */
	bool dnssec_required; /* SC-085 */
	const char *since;    /* "2026-12-15" */
};
void mpic__br_phase(time_t now, struct mpic_br_phase *out);

/* One perspective as configured. */
struct mpic_perspective_def {
	char code[64];
	enum mpic_rir rir;
	struct mpic_location loc;
	const char *url;         /* NULL: in-process */
	struct mpic_dns_opts dns; /* effective (global merged with override) */
};

/*
 * Cohorts: partition of the perspectives into disjoint groups of size k,
 * ordered by HMAC-SHA256(secret, target), each spanning >= 2 RIRs with
 * every pair >= 500 km apart.  Writes up to max_cohorts cohorts of k
 * indices each into out (row-major).  Returns the number of cohorts.
 * At most MPIC_COHORT_MAX_DEFS perspectives (none formed with more), so
 * the cohorts never hold more than that many indices in all.
 */
#define MPIC_COHORT_MAX_DEFS 128
int mpic__cohorts(const struct mpic_perspective_def *defs, size_t n,
		  size_t k, const uint8_t *secret, size_t secret_len,
		  const char *target, size_t *out, size_t max_cohorts);

/* ---------------------------------------------------------------- config */

enum mpic_role { MPIC_ROLE_ALL_IN_ONE = 0, MPIC_ROLE_COORDINATOR,
		 MPIC_ROLE_PERSPECTIVE };

/* dcv.max_redirects: the default (Let's Encrypt's VA follows 10, Open
 * MPIC 20) and the most a configuration may ask for */
#define MPIC_DEFAULT_MAX_REDIRECTS 10
#define MPIC_CFG_MAX_REDIRECTS 32

struct mpic_config {
	struct mpic_arena arena;
	char source[256];
	enum mpic_role role;
	const char *listen;
	const char *tls_cert, *tls_key, *tls_client_ca;
	const char *api_keys_file;
	bool has_identity;
	struct mpic_perspective_def identity;
	struct mpic_perspective_def *perspectives;
	size_t n_perspectives;
	bool has_primary;
	struct mpic_perspective_def primary;
	struct mpic_dns_opts dns;        /* global defaults */
	const char **dns_transparent;    /* NULL-terminated */
	/* dcv */
	const char **allowed_networks;   /* NULL-terminated CIDR strings */
	size_t n_allowed_networks;
	unsigned http_timeout_ms;
	unsigned max_redirects;          /* 0..MPIC_CFG_MAX_REDIRECTS */
	unsigned tls_alpn_port;          /* 443; labs only may change it */
	const char *user_agent;
	/* caa */
	const char **issuer_domains;
	size_t n_issuer_domains;
	/* orchestration */
	int default_perspective_count;
	int max_attempts_cap;
	const char *hash_secret_file;
	uint8_t hash_secret[64];
	size_t hash_secret_len;
	bool br_lab;                     /* br_minimums: lab */
	bool early_decision;
	unsigned request_timeout_ms;
	/* audit */
	const char *audit_path;
	unsigned audit_sync_timeout_ms;  /* an answer waits at most this for
					  * its records to be durable */
	/* mpicd: the daemon's own settings (mpicd.conf(5)) */
	const char **tls_allowed_peers;  /* NULL-terminated; empty: any */
	size_t n_tls_allowed_peers;
	const char *user;                /* drop root to this user */
	int workers;                     /* processes; 0 = one per CPU */
	unsigned remote_timeout_ms;      /* per remote call; 0 = request */
	unsigned max_connections;        /* per worker */
	unsigned max_header_bytes;
	unsigned io_timeout_ms;          /* read / write / idle */
	unsigned read_deadline_ms;       /* a whole request, from accept or
					  * its first byte */
	unsigned drain_timeout_ms;       /* SIGTERM: wait for requests */
	/* Set by mpicd, whose key is in another process: puts the client
	 * certificate and key into libcurl's SSL_CTX (0 ok) for the calls
	 * to remote perspectives.  NULL: libcurl reads tls_cert, tls_key. */
	int (*tls_client_ctx)(void *ssl_ctx, void *arg);
	void *tls_client_arg;
};

/* mpic_config_load() without reading orchestration.hash_secret_file
 * (hash_secret stays empty): for a daemon that re-reads its
 * configuration for a setting or two after dropping root.  The caller
 * frees *out with mpic_config_free(). */
int mpic__config_reread(const char *path, struct mpic_config **out,
			char *err, size_t errlen);

#endif
