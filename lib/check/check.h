/*
 * check.h - one check (CAA or a DNS-based DCV method) run by one
 * perspective on its own resolver.
 */
#ifndef MPIC__CHECK_H
#define MPIC__CHECK_H

#include "dns/dns.h"
#include "api/model.h"
#include "config/config.h"

struct mpic__alpn_tls;

struct mpic__check_env {
	struct event_base *base;
	const struct mpic_config *cfg;    /* dcv.* and caa.* settings */
	struct mpic__resolver *resolver;   /* the perspective's own */
	/*
	 * The perspective's HTTP client (lib/dcv/), created on the first
	 * HTTP-based check; the owner of the slot frees it with
	 * mpic__web_free() after freeing the resolver.  NULL: HTTP-based
	 * methods are not supported by this environment.
	 */
	struct mpic__web **web;
	const char *const *issuer_domains; /* configured CAA identities */
	size_t n_issuers;
	/* acme-tls-alpn-01 client state (lib/dcv/tls_alpn.h), or NULL: each
	 * check then makes its own */
	struct mpic__alpn_tls *alpn_tls;
	/* counts of what the checks did (mpic/perspective.h), or NULL */
	struct mpic_check_stats *stats;
};

/*
 * Completion: the result is handed over; the callee owns it from then on
 * (mpic__check_result_release()).  Runs exactly once, never before
 * mpic__check_start() returns.
 */
typedef void (*mpic__check_cb)(void *arg, struct mpic__check_result *res);

struct mpic__check;

/*
 * Start the check that req asks for (lib/run/run.c, by the method's
 * row).  env and req must stay valid until the callback.  now is the
 * request's date (persistUntil is judged against it): the check's own,
 * since a perspective's env serves many requests at once.  Returns 0,
 * MPIC_ENOTSUP for methods this build cannot run, or another negative
 * error (then no callback).
 */
int mpic__check_start(const struct mpic__check_env *env,
		      const struct mpic__request *req, time_t now,
		      mpic__check_cb cb, void *arg);

/* Internals shared by the check files. */
struct mpic__check {
	const struct mpic__check_env *env;
	const struct mpic__request *req;
	time_t now;                     /* the request's date */
	mpic__check_cb cb;
	void *arg;
	struct mpic__check_result res;
	uint64_t start_ms;
	/* CAA-style climbing */
	char name[MPIC__NAME_MAX + 2];   /* original name being climbed */
	const char *cur;                /* label currently queried */
	uint16_t qtype;
	bool climb_contact;             /* contact-*-caa methods */
	/* insecurity proof of a failed CAA lookup */
	const char *proof_cur;
	struct mpic__check_result *pending_fail;
	char fail_reason[512];
	enum mpic__dnssec worst;
};

void mpic__check_finish(struct mpic__check *c);
int mpic__caa_check_start(struct mpic__check *c);
int mpic__dcv_dns_start(struct mpic__check *c);
/* Web-based methods (lib/dcv/): website-change and acme-http-01, and
 * acme-tls-alpn-01.  Same contract as mpic__dcv_dns_start(). */
int mpic__dcv_http_start(struct mpic__check *c);
/* Free a perspective's HTTP client: in-flight HTTP checks are dropped
 * without calling back (as the resolver drops its lookups).  NULL is
 * fine. */
struct mpic__web;
void mpic__web_free(struct mpic__web *w);
int mpic__dcv_tls_alpn_start(struct mpic__check *c);
/* Next label up ("a.b.c" -> "b.c"); NULL past the last label. */
const char *mpic__parent_name(const char *name);
/* records_seen list of a DNS answer's records (new reference). */
json_t *mpic__records_seen(const struct mpic__dns_rr *rrs, size_t n);
/* cname_chain of a DNS answer's details: the alias targets followed, as
 * absolute names with the final dot (new reference, or NULL). */
json_t *mpic__cname_chain_json(const struct mpic__dns_answer *a);
/* Fold a lookup's DNSSEC state into the check's (bogus > indeterminate >
 * insecure > secure). */
void mpic__check_note_dnssec(struct mpic__check *c, enum mpic__dnssec s);
/* Lookup failure text: rcode, error, DNSSEC state, why_bogus. */
void mpic__describe_failure(const struct mpic__dns_answer *a, char *out,
			    size_t outlen);
bool mpic__answer_failed(const struct mpic__dns_answer *a);
/* A failed lookup in one word, for details "lookup_failure" (the
 * findings' evidence): "timeout", "resolver-error", "bogus", "servfail",
 * "refused" or "rcode-N" as "rcode-4"; static. */
const char *mpic__failure_kind(const struct mpic__dns_answer *a);
/* Whether a failed lookup is a failure outside the CA (BR 3.2.2.8), the
 * first condition of the carve-out for lookup failures. */
bool mpic__failure_outside_ca(const struct mpic__dns_answer *a);

#endif
