/*
 * caa.h - lib/caa: CAA policy (RFC 8659, 8657): the issue-value grammar, the relevant-set decision, and the persistent-TXT
 * rules (BR 3.2.2.4.22) that share the grammar.  Internal.
 */
#ifndef MPIC__CAA_H
#define MPIC__CAA_H

#include "dns/dns.h"
#include "util/util.h"

#define MPIC__CAA_MAX_PARAMS 16

/* The CAA rdata codec (struct mpic__caa_rr, parse, presentation) is the
 * DNS wire code's: dns/dns.h. */

struct mpic__caa_param {
	char tag[64];
	char value[1024];
};

/* An issue / issuewild / issuemail value (RFC 8659 4.2). */
struct mpic__caa_issue_value {
	bool valid;                 /* false: fails the grammar => empty issuer */
	char issuer[MPIC__NAME_MAX + 1]; /* "" when no issuer (a prohibition) */
	struct mpic__caa_param params[MPIC__CAA_MAX_PARAMS];
	size_t n_params;
};
int mpic__caa_issue_value_parse(const uint8_t *v, size_t len,
				struct mpic__caa_issue_value *out);
/*
 * How many parameters of iv are named tag, and the first one's value in
 * *first (NULL when none).  The one rule for parameter names, of CAA
 * values and of persistent TXT values alike: compared ASCII
 * case-insensitively (RFC 8659 4.1; draft-ietf-acme-dns-persist-01).
 */
size_t mpic__caa_param_find(const struct mpic__caa_issue_value *iv,
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
struct mpic__persist_query {
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
			    const struct mpic__persist_query *q, char *why,
			    size_t whylen);

enum mpic__cert_type { MPIC__CERT_TLS_SERVER = 0, MPIC_CERT_SMIME };

struct mpic__caa_query {
	bool is_wildcard;
	enum mpic__cert_type cert_type;
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
bool mpic__caa_permits(const struct mpic__caa_rr *set, size_t n,
		       const struct mpic__caa_query *q, char *reason,
		       size_t reasonlen);

#endif
