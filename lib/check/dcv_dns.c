/*
 * dcv_dns.c - the DNS-based domain-control methods (BR 3.2.2.4.7, .13,
 * .14, .16, .17, .21, .22, 3.2.2.5.3): one lookup through the
 * perspective's resolver, then a comparison with the challenge.  The
 * contact-*-caa methods climb like CAA and live in caa_check.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check.h"

#define TXT_MAX 4096

static bool
match_text(const char *have, size_t hlen, const char *want, bool exact,
	   bool exact_case)
{
	size_t wlen = strlen(want), i;

	if (exact)
		return hlen == wlen && (exact_case ?
		    memcmp(have, want, wlen) == 0 :
		    strncasecmp(have, want, wlen) == 0);
	if (wlen > hlen)
		return false;
	for (i = 0; i + wlen <= hlen; i++)
		if (exact_case ? memcmp(have + i, want, wlen) == 0 :
		    strncasecmp(have + i, want, wlen) == 0)
			return true;
	return false;
}

/*
 * A CNAME target is a name, which the resolver hands over without its
 * final dot; the value may be written either way ("value." or "value",
 * as Open MPIC's records_seen shows it absolute).  So the target matches
 * in its relative form or in its absolute form: "value." and "value" both
 * equal the target "value.", and a substring ending in "." is found in the
 * absolute form.  TXT and CAA data keep their byte semantics.
 */
static bool
match_name(const char *target, const char *want, bool exact,
	   bool exact_case)
{
	char abs[TXT_MAX];
	size_t n = strlen(target);

	if (match_text(target, n, want, exact, exact_case))
		return true;
	if (n + 2 > sizeof(abs))
		return false;
	memcpy(abs, target, n);
	abs[n] = '.';
	abs[n + 1] = '\0';
	return match_text(abs, n + 1, want, exact, exact_case);
}

/* BR 3.2.2.4.22 / 3.2.2.5.8: one _validation-persist TXT value. */
static bool
persist_ok(const struct mpic__check *c, const char *v, size_t len,
	   char *why, size_t whylen)
{
	const struct mpic__dcv_params *p = &c->req->dcv;
	struct mpic__persist_query q;

	memset(&q, 0, sizeof(q));
	q.issuer_domains = p->issuer_domain_names;
	q.n_issuers = p->n_issuer_domain_names;
	q.account_uri = p->expected_account_uri;
	q.is_wildcard = c->req->target.is_wildcard;
	q.now = c->now;
	return mpic__persist_value_ok((const uint8_t *)v, len, &q, why,
	    whylen);
}

/*
 * Compare one record with the challenge.  Methods whose records are
 * judged by rules (the persistent TXT) say why in why; the others leave
 * it alone.
 */
static bool
record_matches(struct mpic__check *c, const struct mpic__dns_rr *rr,
	       char *why, size_t whylen)
{
	const struct mpic__dcv_params *p = &c->req->dcv;
	char buf[TXT_MAX];
	struct mpic__caa_rr caa;
	uint8_t want[16];
	int n;

	/* by the match kind of the method's row (lib/api/methods.c) */
	switch (mpic__dcv_method_query(p->method)->match) {
	case MPIC__MATCH_TXT_HASH:
		n = mpic__dns_txt_concat(rr->rdata, rr->rdlen, buf, sizeof(buf));
		return n >= 0 && match_text(buf, (size_t)n,
		    p->key_authorization_hash, true, true);
	case MPIC__MATCH_TXT_VALUE:
		n = mpic__dns_txt_concat(rr->rdata, rr->rdlen, buf, sizeof(buf));
		return n >= 0 && match_text(buf, (size_t)n, p->challenge_value,
		    true, false);
	case MPIC__MATCH_PERSIST:
		n = mpic__dns_txt_concat(rr->rdata, rr->rdlen, buf, sizeof(buf));
		if (n < 0) {
			mpic__bufprintf(why, whylen,
			    "TXT data malformed or too long");
			return false;
		}
		return persist_ok(c, buf, (size_t)n, why, whylen);
	case MPIC__MATCH_CHANGE:
		if (rr->type == MPIC__RR_TXT) {
			n = mpic__dns_txt_concat(rr->rdata, rr->rdlen, buf,
			    sizeof(buf));
		} else if (rr->type == MPIC__RR_CNAME) {
			return mpic__dns_rdata_name(rr->rdata, rr->rdlen, buf,
			    sizeof(buf)) == 0 && match_name(buf,
			    p->challenge_value, p->require_exact_match,
			    p->require_exact_case);
		} else {
			if (mpic__caa_rr_parse(rr->rdata, rr->rdlen, &caa) != 0 ||
			    caa.value_len >= sizeof(buf))
				return false;
			memcpy(buf, caa.value, caa.value_len);
			n = (int)caa.value_len;
		}
		return n >= 0 && match_text(buf, (size_t)n, p->challenge_value,
		    p->require_exact_match, p->require_exact_case);
	case MPIC__MATCH_ADDRESS:
		if (rr->type == MPIC__RR_A)
			return rr->rdlen == 4 && inet_pton(AF_INET,
			    p->challenge_value, want) == 1 &&
			    memcmp(want, rr->rdata, 4) == 0;
		return rr->rdlen == 16 && inet_pton(AF_INET6,
		    p->challenge_value, want) == 1 &&
		    memcmp(want, rr->rdata, 16) == 0;
	case MPIC__MATCH_PTR:
		return mpic__dns_rdata_name(rr->rdata, rr->rdlen, buf,
		    sizeof(buf)) == 0 && mpic__name_eq(buf, p->challenge_value);
	case MPIC__MATCH_NONE:
		return false;
	}
	return false;
}

/* Append "record i of n: why" to a reason line; "..." when it is full. */
static void
reason_add(char *reason, size_t size, size_t i, size_t n, const char *why)
{
	size_t used = strlen(reason);
	int k;

	if (used + 1 >= size)
		return;
	k = snprintf(reason + used, size - used, "%srecord %zu of %zu: %s",
	    used > 0 ? "; " : "", i + 1, n, why);
	if ((k < 0 || (size_t)k >= size - used) && size >= 4)
		memcpy(reason + size - 4, "...", 4);
}

static void
dns_answer(void *arg, const struct mpic__dns_answer *a)
{
	struct mpic__check *c = arg;
	json_t *d = c->res.details;
	char msg[1024], why[256];
	size_t i;

	mpic__check_note_dnssec(c, a->dnssec);
	json_object_set_new(d, "response_code", json_integer(a->rcode));
	json_object_set_new(d, "ad_flag",
	    json_boolean(a->dnssec == MPIC__DNSSEC_SECURE));
	json_object_set_new(d, "cname_chain", mpic__cname_chain_json(a));
	if (mpic__answer_failed(a)) {
		mpic__describe_failure(a, msg, sizeof(msg));
		json_object_set_new(d, "lookup_failure",
		    json_string(mpic__failure_kind(a)));
		c->res.completed = false;
		c->res.passed = false;
		mpic__check_error(&c->res, a->dnssec == MPIC__DNSSEC_BOGUS ?
		    MPIC__ERR_DNSSEC : MPIC__ERR_DCV_LOOKUP, "%s", msg);
		mpic__check_finish(c);
		return;
	}
	c->res.completed = true;
	c->res.passed = false;
	if (a->n_rrs > 0) {
		json_object_set_new(d, "found_at", json_string(a->canonname));
		json_object_set_new(d, "records_seen",
		    mpic__records_seen(a->rrs, a->n_rrs));
	}
	msg[0] = '\0';
	for (i = 0; i < a->n_rrs; i++) {
		why[0] = '\0';
		if (record_matches(c, &a->rrs[i], why, sizeof(why)))
			c->res.passed = true;
		if (why[0] != '\0')
			reason_add(msg, sizeof(msg), i, a->n_rrs, why);
	}
	/* which record a rule refused, and why (as CAA's details say) */
	if (msg[0] != '\0')
		json_object_set_new(d, "reason", json_string(msg));
	mpic__check_finish(c);
}

int
mpic__dcv_dns_start(struct mpic__check *c)
{
	const struct mpic__dcv_params *p = &c->req->dcv;
	const struct mpic__dcv_query *q = mpic__dcv_method_query(p->method);
	char name[MPIC__NAME_MAX + 64];
	uint16_t type;
	json_t *d;
	int rc;

	/* lib/run/run.c starts only the methods run by one lookup here */
	if (q == NULL || q->by != MPIC__RUN_DNS)
		return MPIC_ENOTSUP;
	rc = mpic__dcv_query_name(c->req, name, sizeof(name), &type);
	if (rc != 0)
		return rc;
	if (strlen(name) > MPIC__NAME_MAX)
		return MPIC_ETOOBIG;
	d = json_object();
	if (d == NULL)
		return MPIC_ENOMEM;
	c->res.details = d;
	json_object_set_new(d, "validation_method",
	    json_string(mpic__dcv_method_str(p->method)));
	json_object_set_new(d, "records_seen", json_array());
	json_object_set_new(d, "response_code", json_null());
	json_object_set_new(d, "ad_flag", json_null());
	json_object_set_new(d, "found_at", json_null());
	json_object_set_new(d, "cname_chain", json_array());
	json_object_set_new(d, "queried", json_string(name));
	return mpic__resolve(c->env->resolver, name, type, dns_answer, c);
}
