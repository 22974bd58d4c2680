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
persist_ok(const struct mpic_check *c, const char *v, size_t len,
	   char *why, size_t whylen)
{
	const struct mpic_dcv_params *p = &c->req->dcv;
	struct mpic_persist_query q;

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
record_matches(struct mpic_check *c, const struct mpic_dns_rr *rr,
	       char *why, size_t whylen)
{
	const struct mpic_dcv_params *p = &c->req->dcv;
	char buf[TXT_MAX];
	struct mpic_caa_rr caa;
	uint8_t want[16];
	int n;

	switch (p->method) {
	case MPIC_DCV_ACME_DNS_01:
	case MPIC_DCV_DNS_ACCOUNT_01:
		n = mpic__dns_txt_concat(rr->rdata, rr->rdlen, buf, sizeof(buf));
		return n >= 0 && match_text(buf, (size_t)n,
		    p->key_authorization_hash, true, true);
	case MPIC_DCV_CONTACT_EMAIL_TXT:
	case MPIC_DCV_CONTACT_PHONE_TXT:
		n = mpic__dns_txt_concat(rr->rdata, rr->rdlen, buf, sizeof(buf));
		return n >= 0 && match_text(buf, (size_t)n, p->challenge_value,
		    true, false);
	case MPIC_DCV_DNS_PERSISTENT:
		n = mpic__dns_txt_concat(rr->rdata, rr->rdlen, buf, sizeof(buf));
		if (n < 0) {
			mpic__bufprintf(why, whylen,
			    "TXT data malformed or too long");
			return false;
		}
		return persist_ok(c, buf, (size_t)n, why, whylen);
	case MPIC_DCV_DNS_CHANGE:
		if (rr->type == MPIC_RR_TXT) {
			n = mpic__dns_txt_concat(rr->rdata, rr->rdlen, buf,
			    sizeof(buf));
		} else if (rr->type == MPIC_RR_CNAME) {
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
	case MPIC_DCV_IP_ADDRESS:
		if (rr->type == MPIC_RR_A)
			return rr->rdlen == 4 && inet_pton(AF_INET,
			    p->challenge_value, want) == 1 &&
			    memcmp(want, rr->rdata, 4) == 0;
		return rr->rdlen == 16 && inet_pton(AF_INET6,
		    p->challenge_value, want) == 1 &&
		    memcmp(want, rr->rdata, 16) == 0;
	case MPIC_DCV_REVERSE_ADDRESS_LOOKUP:
		return mpic__dns_rdata_name(rr->rdata, rr->rdlen, buf,
		    sizeof(buf)) == 0 && mpic__name_eq(buf, p->challenge_value);
	default:
		return false;
	}
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
dns_answer(void *arg, const struct mpic_dns_answer *a)
{
	struct mpic_check *c = arg;
	json_t *d = c->res.details;
	char msg[1024], why[256];
	size_t i;

	mpic__check_note_dnssec(c, a->dnssec);
	json_object_set_new(d, "response_code", json_integer(a->rcode));
	json_object_set_new(d, "ad_flag",
	    json_boolean(a->dnssec == MPIC_DNSSEC_SECURE));
	json_object_set_new(d, "cname_chain", mpic__cname_chain_json(a));
	if (mpic__answer_failed(a)) {
		mpic__describe_failure(a, msg, sizeof(msg));
		c->res.completed = false;
		c->res.passed = false;
		mpic__check_error(&c->res, a->dnssec == MPIC_DNSSEC_BOGUS ?
		    MPIC_ERR_DNSSEC : MPIC_ERR_DCV_LOOKUP, "%s", msg);
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
mpic__dcv_dns_start(struct mpic_check *c)
{
	const struct mpic_request *req = c->req;
	const struct mpic_dcv_params *p = &req->dcv;
	const char *base = mpic__target_base(&req->target);
	char name[MPIC_NAME_MAX + 64];
	uint16_t type = MPIC_RR_TXT;
	uint8_t digest[32];
	char label[32];
	json_t *d;

	switch (p->method) {
	case MPIC_DCV_WEBSITE_CHANGE:
	case MPIC_DCV_ACME_HTTP_01:
		return mpic__dcv_http_start(c);
	case MPIC_DCV_ACME_TLS_ALPN_01:
		return mpic__dcv_tls_alpn_start(c);
	case MPIC_DCV_CONTACT_EMAIL_CAA:
	case MPIC_DCV_CONTACT_PHONE_CAA:
		return mpic__caa_check_start(c);
	case MPIC_DCV_ACME_DNS_01:
		mpic__bufprintf(name, sizeof(name), "_acme-challenge.%s", base);
		break;
	case MPIC_DCV_DNS_ACCOUNT_01:
		/* label: base32 of the first 10 octets of SHA-256(account) */
		mpic__sha256(p->account_uri, strlen(p->account_uri), digest);
		mpic__b32_lower_encode(digest, 10, label);
		mpic__bufprintf(name, sizeof(name), "_%s._acme-challenge.%s",
		    label, base);
		break;
	case MPIC_DCV_DNS_PERSISTENT:
		if (req->target.is_ip) {
			char rev[MPIC_NAME_MAX + 1];

			if (mpic__reverse_name(req->target.af, req->target.addr,
			    rev, sizeof(rev)) != 0)
				return MPIC_EINVAL;
			mpic__bufprintf(name, sizeof(name),
			    "_ip-validation-persist.%s", rev);
		} else {
			mpic__bufprintf(name, sizeof(name),
			    "_validation-persist.%s", base);
		}
		break;
	case MPIC_DCV_CONTACT_EMAIL_TXT:
		mpic__bufprintf(name, sizeof(name),
		    "_validation-contactemail.%s", base);
		break;
	case MPIC_DCV_CONTACT_PHONE_TXT:
		mpic__bufprintf(name, sizeof(name),
		    "_validation-contactphone.%s", base);
		break;
	case MPIC_DCV_DNS_CHANGE:
		if (p->dns_name_prefix != NULL && p->dns_name_prefix[0] != '\0')
			mpic__bufprintf(name, sizeof(name), "%s.%s",
			    p->dns_name_prefix, base);
		else
			mpic__bufprintf(name, sizeof(name), "%s", base);
		type = p->dns_record_type;
		break;
	case MPIC_DCV_IP_ADDRESS:
		mpic__bufprintf(name, sizeof(name), "%s", base);
		type = p->dns_record_type == MPIC_RR_AAAA ? MPIC_RR_AAAA :
		    MPIC_RR_A;
		break;
	case MPIC_DCV_REVERSE_ADDRESS_LOOKUP:
		if (!req->target.is_ip || mpic__reverse_name(req->target.af,
		    req->target.addr, name, sizeof(name)) != 0)
			return MPIC_EINVAL;
		type = MPIC_RR_PTR;
		break;
	default:
		return MPIC_ENOTSUP;
	}
	if (strlen(name) > MPIC_NAME_MAX)
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
