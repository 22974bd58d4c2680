/*
 * caa_check.c - CAA processing (BR 3.2.2.8, RFC 8659): find the relevant
 * record set by climbing the original name's parents, decide with
 * mpic__caa_permits(), and fail closed on every lookup failure except the
 * one carve-out: allow_lookup_failure, a failure outside the CA, a lookup
 * that was retried, and a domain proven Insecure (RFC 4035 4.3).  The
 * contact-email-caa / contact-phone-caa methods climb the same way.
 */
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "check.h"

static void caa_answer(void *arg, const struct mpic__dns_answer *a);
static void ds_answer(void *arg, const struct mpic__dns_answer *a);

static void
deferred_finish(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	mpic__check_finish(arg);
}

static int
finish_later(struct mpic__check *c)
{
	struct timeval zero = {0, 0};

	if (event_base_once(c->env->base, -1, EV_TIMEOUT, deferred_finish, c,
	    &zero) != 0)
		return MPIC_ENOMEM;
	return 0;
}

static void
fail_now(struct mpic__check *c, const char *type, const char *msg)
{
	c->res.completed = false;
	c->res.passed = false;
	mpic__check_error(&c->res, type, "%s", msg);
	mpic__check_finish(c);
}

static void
query(struct mpic__check *c, const char *name, uint16_t type, mpic__dns_cb cb)
{
	int rc = mpic__resolve(c->env->resolver, name, type, cb, c);
	char msg[256];

	if (rc != 0) {
		mpic__bufprintf(msg, sizeof(msg), "cannot start lookup of %s: %s",
		    name, mpic_strerror(rc));
		fail_now(c, c->climb_contact ? MPIC__ERR_DCV_LOOKUP :
		    MPIC__ERR_CAA_LOOKUP, msg);
	}
}

int
mpic__caa_check_start(struct mpic__check *c)
{
	const struct mpic__request *req = c->req;
	json_t *d;

	c->climb_contact = req->check_type == MPIC_CHECK_DCV;
	d = json_object();
	if (d == NULL)
		return MPIC_ENOMEM;
	c->res.details = d;
	if (c->climb_contact) {
		json_object_set_new(d, "validation_method", json_string(
		    mpic__dcv_method_str(req->dcv.method)));
		json_object_set_new(d, "records_seen", json_array());
		json_object_set_new(d, "response_code", json_null());
		json_object_set_new(d, "ad_flag", json_null());
		json_object_set_new(d, "found_at", json_null());
		json_object_set_new(d, "cname_chain", json_array());
	} else {
		json_object_set_new(d, "caa_record_present", json_false());
		json_object_set_new(d, "found_at", json_null());
		json_object_set_new(d, "records_seen", json_array());
	}
	if (req->target.is_ip && !c->climb_contact) {
		/* IP address targets have no CAA step. */
		c->res.completed = true;
		c->res.passed = true;
		return finish_later(c);
	}
	mpic__bufprintf(c->name, sizeof(c->name), "%s",
	    mpic__target_base(&req->target));
	c->cur = c->name;
	return mpic__resolve(c->env->resolver, c->cur, MPIC__RR_CAA,
	    caa_answer, c);
}

/*
 * Outside the CA (BR 3.2.2.8): only SERVFAIL, which is how libunbound
 * reports the zone's servers failing (dead, mute, REFUSED or SERVFAIL
 * upstream: infra-cache-max-rtt makes a silent server a SERVFAIL inside our
 * deadline), and not from a bogus answer.  Not our own deadline passing
 * (that may be our loop or our resolver), not a REFUSED libunbound made
 * itself (local policy), not an error of our own resolver or a truncated
 * answer: those fail closed.
 */
bool
mpic__failure_outside_ca(const struct mpic__dns_answer *a)
{
	return a->err == 0 && a->rcode == MPIC__RCODE_SERVFAIL &&
	    a->dnssec != MPIC__DNSSEC_BOGUS;
}

static void
lookup_failed(struct mpic__check *c, const struct mpic__dns_answer *a)
{
	const struct mpic__request *req = c->req;
	bool outside;

	mpic__describe_failure(a, c->fail_reason, sizeof(c->fail_reason));
	json_object_set_new(c->res.details, "lookup_failure",
	    json_string(mpic__failure_kind(a)));
	outside = mpic__failure_outside_ca(a);
	if (c->climb_contact || !req->caa.allow_lookup_failure || !outside ||
	    a->dnssec == MPIC__DNSSEC_BOGUS || a->attempts < 2) {
		fail_now(c, a->dnssec == MPIC__DNSSEC_BOGUS ? MPIC__ERR_DNSSEC :
		    c->climb_contact ? MPIC__ERR_DCV_LOOKUP : MPIC__ERR_CAA_LOOKUP,
		    c->fail_reason);
		return;
	}
	/* allow_lookup_failure: permitted only if the domain is provably
	 * Insecure.  Walk DS upwards from the failing name. */
	c->proof_cur = c->cur;
	query(c, c->proof_cur, MPIC__RR_DS, ds_answer);
}

static void
proof_done(struct mpic__check *c, bool insecure, const char *why)
{
	char msg[1024];

	if (!insecure) {
		mpic__bufprintf(msg, sizeof(msg),
		    "%s; lookup failure not permitted: %s", c->fail_reason, why);
		fail_now(c, MPIC__ERR_CAA_LOOKUP, msg);
		return;
	}
	c->res.completed = true;
	c->res.passed = true;
	json_object_set_new(c->res.details, "lookup_failure_permitted",
	    json_string(c->fail_reason));
	json_object_set_new(c->res.details, "insecure_proof", json_string(why));
	c->worst = MPIC__DNSSEC_INSECURE;
	mpic__check_finish(c);
}

static void
ds_answer(void *arg, const struct mpic__dns_answer *a)
{
	struct mpic__check *c = arg;
	char why[512];

	if (a->dnssec == MPIC__DNSSEC_BOGUS) {
		mpic__bufprintf(why, sizeof(why), "DS %s is bogus", a->qname);
		proof_done(c, false, why);
		return;
	}
	if (!mpic__answer_failed(a)) {
		if (a->dnssec == MPIC__DNSSEC_INSECURE) {
			mpic__bufprintf(why, sizeof(why),
			    "DS %s answered in an insecure part of the tree",
			    a->qname);
			proof_done(c, true, why);
			return;
		}
		if (a->dnssec == MPIC__DNSSEC_SECURE && a->n_rrs > 0) {
			mpic__bufprintf(why, sizeof(why),
			    "%s is a signed zone (secure DS)", a->qname);
			proof_done(c, false, why);
			return;
		}
		if (a->dnssec == MPIC__DNSSEC_SECURE &&
		    mpic__dns_proves_unsigned_delegation(a->msg,
		    a->qname)) {
			mpic__bufprintf(why, sizeof(why),
			    "secure denial of DS proves %s an unsigned delegation",
			    a->qname);
			proof_done(c, true, why);
			return;
		}
	}
	c->proof_cur = mpic__parent_name(c->proof_cur);
	if (c->proof_cur == NULL) {
		proof_done(c, false, "no delegation on the path is provably "
		    "unsigned");
		return;
	}
	query(c, c->proof_cur, MPIC__RR_DS, ds_answer);
}

static void
evaluate_caa(struct mpic__check *c, const struct mpic__dns_answer *a)
{
	const struct mpic__request *req = c->req;
	struct mpic__caa_rr *set;
	struct mpic__caa_query q;
	char reason[512];
	size_t i, n = 0;

	/* n_rrs is bounded by MPIC__DNS_MAX_RR (sets of 1001 exist) */
	set = mpic__calloc(a->n_rrs, sizeof(*set));
	if (set == NULL) {
		fail_now(c, MPIC__ERR_CAA_LOOKUP, "out of memory");
		return;
	}
	for (i = 0; i < a->n_rrs; i++) {
		if (mpic__caa_rr_parse(a->rrs[i].rdata, a->rrs[i].rdlen,
		    &set[n]) != 0) {
			/* fail closed on a record we cannot read */
			mpic__bufprintf(reason, sizeof(reason),
			    "CAA set at %s has a malformed record (record %zu "
			    "of %zu)", c->cur, i + 1, a->n_rrs);
			mpic__free(set);
			fail_now(c, MPIC__ERR_CAA_LOOKUP, reason);
			return;
		}
		n++;
	}
	memset(&q, 0, sizeof(q));
	q.is_wildcard = req->target.is_wildcard;
	q.cert_type = req->caa.cert_type;
	if (req->caa.n_caa_domains > 0) {
		q.issuer_domains = req->caa.caa_domains;
		q.n_issuers = req->caa.n_caa_domains;
	} else {
		q.issuer_domains = c->env->issuer_domains;
		q.n_issuers = c->env->n_issuers;
	}
	q.account_uri = req->caa.account_uri;
	q.validation_method = req->caa.validation_method;
	/* SC-098: either label of the mechanism allows it (one table) */
	q.validation_method_alt = mpic__dcv_label_alt(
	    req->caa.validation_method);
	c->res.completed = true;
	c->res.passed = mpic__caa_permits(set, n, &q, reason, sizeof(reason));
	mpic__free(set);
	json_object_set_new(c->res.details, "reason", json_string(reason));
	mpic__check_finish(c);
}

static void
evaluate_contact(struct mpic__check *c, const struct mpic__dns_answer *a)
{
	const struct mpic__request *req = c->req;
	const char *want_tag = req->dcv.method == MPIC__DCV_CONTACT_EMAIL_CAA ?
	    "contactemail" : "contactphone";
	struct mpic__caa_rr rr;
	size_t i;

	c->res.completed = true;
	c->res.passed = false;
	for (i = 0; i < a->n_rrs; i++) {
		if (mpic__caa_rr_parse(a->rrs[i].rdata, a->rrs[i].rdlen,
		    &rr) != 0 || strcasecmp(rr.tag, want_tag) != 0)
			continue;
		if (rr.value_len == strlen(req->dcv.challenge_value) &&
		    strncasecmp((const char *)rr.value,
		    req->dcv.challenge_value, rr.value_len) == 0)
			c->res.passed = true;
	}
	mpic__check_finish(c);
}

static void
caa_answer(void *arg, const struct mpic__dns_answer *a)
{
	struct mpic__check *c = arg;
	json_t *d = c->res.details;

	mpic__check_note_dnssec(c, a->dnssec);
	if (c->climb_contact) {
		json_object_set_new(d, "response_code", json_integer(a->rcode));
		json_object_set_new(d, "ad_flag",
		    json_boolean(a->dnssec == MPIC__DNSSEC_SECURE));
	}
	if (mpic__answer_failed(a)) {
		lookup_failed(c, a);
		return;
	}
	if (a->n_rrs > 0) {
		/* The relevant record set (aliases followed by the resolver;
		 * the alias target's parents are never climbed). */
		json_object_set_new(d, c->climb_contact ? "found_at" :
		    "found_at", json_string(c->cur));
		json_object_set_new(d, "records_seen",
		    mpic__records_seen(a->rrs, a->n_rrs));
		if (!c->climb_contact)
			json_object_set_new(d, "caa_record_present",
			    json_true());
		if (a->n_cname > 0)
			json_object_set_new(d, "cname_chain",
			    mpic__cname_chain_json(a));
		if (c->climb_contact)
			evaluate_contact(c, a);
		else
			evaluate_caa(c, a);
		return;
	}
	if (a->rcode == MPIC__RCODE_NXDOMAIN &&
	    mpic__parent_name(c->cur) == NULL) {
		char msg[512];

		mpic__bufprintf(msg, sizeof(msg),
		    "top-level domain %s does not exist (NXDOMAIN)", c->cur);
		fail_now(c, c->climb_contact ? MPIC__ERR_DCV_LOOKUP :
		    MPIC__ERR_CAA_LOOKUP, msg);
		return;
	}
	c->cur = mpic__parent_name(c->cur);
	if (c->cur == NULL) {
		/* No CAA anywhere up to the TLD: issuance permitted; the
		 * contact methods found nothing. */
		c->res.completed = true;
		c->res.passed = !c->climb_contact;
		if (!c->climb_contact)
			json_object_set_new(d, "reason", json_string(
			    "no CAA record set up to the top-level domain"));
		mpic__check_finish(c);
		return;
	}
	query(c, c->cur, MPIC__RR_CAA, caa_answer);
}
