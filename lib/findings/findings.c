/*
 * findings.c - the rules that turn disagreeing results into findings
 * (docs/findings.md is their text: keep the two in step).  One table,
 * rules[]: a code, its severity, its advice and the function that decides
 * whether it is raised, whom it names and what its summary says.  Every
 * rule reads the observations of seen.c only; the order of the table is
 * the order of the list.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "findings/findings.h"

#define SUMMARY_MAX 512

struct ctx {
	const struct mpic__findings_input *in;
	struct mpic__obs o[MPIC__FINDINGS_MAX_SEEN];
	size_t n;
	bool dnsish;            /* CAA, or a DNS-based method */
	bool web;               /* HTTP or TLS-ALPN */
	bool http;
	uint64_t raised_refused; /* named by dns_refused_from_some_regions */
};

/* What a rule decided: whom it names, whose evidence it shows, and its
 * summary.  named == 0: not raised. */
struct verdict {
	uint64_t named, shown;
	char summary[SUMMARY_MAX];
};

struct rule {
	const char *code;
	const char *severity;   /* "error": explains a refusal on its own;
	                         * "warning": a risk or a partial cause */
	const char *advice;
	void (*judge)(struct ctx *c, struct verdict *v);
};

#define BIT(i) (UINT64_C(1) << (i))

/* Append to the text in buf (bounded; cut, never overflowed). */
static void
append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static size_t
count(uint64_t m)
{
	size_t n = 0;

	for (; m != 0; m &= m - 1)
		n++;
	return n;
}

/* The perspectives of m, "a, b and c", into buf. */
static void
names(const struct ctx *c, uint64_t m, char *buf, size_t len)
{
	size_t i, k = 0, total = count(m);

	buf[0] = '\0';
	for (i = 0; i < c->n; i++) {
		if (!(m & BIT(i)))
			continue;
		append(buf, len, "%s%s (%s)", k == 0 ? "" :
		    k + 1 == total ? " and " : ", ", c->o[i].s->code,
		    mpic__rir_str(c->o[i].s->rir));
		k++;
	}
}

static uint64_t
all_where(const struct ctx *c, bool (*pred)(const struct mpic__obs *))
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (pred(&c->o[i]))
			m |= BIT(i);
	return m;
}

static bool is_reporting(const struct mpic__obs *o) { return o->reporting; }
static bool is_bogus(const struct mpic__obs *o) { return o->bogus; }
static bool is_pass(const struct mpic__obs *o) { return o->pass; }
static bool is_fail(const struct mpic__obs *o) { return o->fail; }
static bool is_answered(const struct mpic__obs *o)
{
	return o->pass || o->fail;
}

/*
 * Group the perspectives of among by what they saw (web_key when web,
 * else dns_key): the reference answer is what a passing perspective saw,
 * else the most common (the first such on a tie).  Returns the mask of
 * those whose answer differs from it.
 */
static uint64_t
differ(const struct ctx *c, uint64_t among, bool web)
{
	size_t i, j, best = SIZE_MAX, best_n = 0, n;
	uint64_t out = 0;
	const char *ref;

#define KEY(k) (web ? c->o[k].web_key : c->o[k].dns_key)
	for (i = 0; i < c->n; i++) {
		if (!(among & BIT(i)) || KEY(i) == NULL)
			continue;
		/* i's group, from i on: complete for its first member */
		for (j = i, n = 0; j < c->n; j++)
			if ((among & BIT(j)) && KEY(j) != NULL &&
			    strcmp(KEY(i), KEY(j)) == 0)
				n++;
		if (c->o[i].pass && (best == SIZE_MAX || !c->o[best].pass)) {
			best = i;
			best_n = SIZE_MAX;
		} else if (best_n != SIZE_MAX && n > best_n) {
			best = i;
			best_n = n;
		}
	}
	if (best == SIZE_MAX)
		return 0;
	ref = KEY(best);
	for (i = 0; i < c->n; i++)
		if ((among & BIT(i)) && KEY(i) != NULL &&
		    strcmp(KEY(i), ref) != 0)
			out |= BIT(i);
#undef KEY
	return out;
}

static bool
all_secure(const struct ctx *c, uint64_t m)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if ((m & BIT(i)) &&
		    c->o[i].s->res->dnssec != MPIC__DNSSEC_SECURE)
			return false;
	return true;
}

/* ------------------------------------------------------------ rules */

static void
answers_differ(struct ctx *c, struct verdict *v)
{
	uint64_t among = all_where(c, is_answered), d = 0;
	char who[SUMMARY_MAX];
	size_t i;

	if (c->dnsish) {
		d = differ(c, among, false);
	} else if (c->web) {
		/* the addresses the name resolved to; the reference is a
		 * passing perspective's, else the first one's */
		uint64_t addr = 0;
		const char *ref = NULL;

		for (i = 0; i < c->n; i++)
			if (c->o[i].reporting && c->o[i].address != NULL) {
				addr |= BIT(i);
				if (ref == NULL)
					ref = c->o[i].address;
			}
		for (i = 0; i < c->n; i++)
			if ((addr & BIT(i)) && c->o[i].pass) {
				ref = c->o[i].address;
				break;
			}
		for (i = 0; i < c->n && ref != NULL; i++)
			if ((addr & BIT(i)) &&
			    strcmp(c->o[i].address, ref) != 0)
				d |= BIT(i);
		among = addr;
	}
	if (d == 0)
		return;
	v->named = d;
	v->shown = among;
	names(c, d, who, sizeof(who));
	mpic__bufprintf(v->summary, sizeof(v->summary), "%s got %s for %s "
	    "than the other perspectives%s", who, c->dnsish ?
	    "a different DNS answer" : "a different address",
	    mpic__target_base(&c->in->req->target), all_secure(c, among) ?
	    "; the answers are DNSSEC-signed, so they are the zone's own "
	    "regional answers" : "; without DNSSEC this is GeoDNS or an "
	    "attack on the path to those regions");
}

static void
dnssec_some(struct ctx *c, struct verdict *v)
{
	uint64_t rep = all_where(c, is_reporting);
	uint64_t bogus = all_where(c, is_bogus) & rep;
	char who[SUMMARY_MAX];

	if (bogus == 0 || bogus == rep)
		return;
	v->named = bogus;
	v->shown = rep;
	names(c, bogus, who, sizeof(who));
	mpic__bufprintf(v->summary, sizeof(v->summary), "DNSSEC validation "
	    "failed (bogus) at %s while the others validated the same zone: "
	    "the signature of an on-path attack or a broken anycast node",
	    who);
}

static void
dnssec_broken(struct ctx *c, struct verdict *v)
{
	uint64_t rep = all_where(c, is_reporting);
	uint64_t bogus = all_where(c, is_bogus) & rep;

	if (bogus == 0 || bogus != rep)
		return;
	v->named = v->shown = bogus;
	mpic__bufprintf(v->summary, sizeof(v->summary), "DNSSEC validation "
	    "of %s failed (bogus) from every perspective: expired "
	    "signatures or a DS record that matches no key",
	    mpic__target_base(&c->in->req->target));
}

static void
unreachable(struct ctx *c, struct verdict *v)
{
	uint64_t un = 0, reached = 0;
	char who[SUMMARY_MAX];
	size_t i, j;

	if (!c->web)
		return;
	for (i = 0; i < c->n; i++)
		if (c->o[i].status > 0 || (!c->http && c->o[i].fail) ||
		    c->o[i].pass)
			reached |= BIT(i);
	/* unreachable at an address someone else reached (or unknown) */
	for (i = 0; i < c->n && reached != 0; i++) {
		if (!c->o[i].unreachable)
			continue;
		for (j = 0; j < c->n; j++)
			if ((reached & BIT(j)) && (c->o[i].address == NULL ||
			    c->o[j].address == NULL ||
			    strcmp(c->o[i].address, c->o[j].address) == 0))
				un |= BIT(i);
	}
	if (un == 0)
		return;
	v->named = un;
	v->shown = un | reached;
	names(c, un, who, sizeof(who));
	mpic__bufprintf(v->summary, sizeof(v->summary), "%s could not "
	    "connect to the web server that the other perspectives reached: "
	    "geo-blocking or a regional firewall", who);
}

static void
dns_refused(struct ctx *c, struct verdict *v)
{
	uint64_t ref = 0, ans = all_where(c, is_answered);
	char who[SUMMARY_MAX];
	size_t i;

	/* an authoritative server's REFUSED (or silence) reaches a
	 * validating resolver as SERVFAIL or a timeout: any lookup failure
	 * may be a refusal, told by others being answered */
	for (i = 0; i < c->n; i++)
		if (c->o[i].lookup_err)
			ref |= BIT(i);
	if (ref == 0 || ans == 0)
		return;
	c->raised_refused = ref;
	v->named = ref;
	v->shown = ref | ans;
	names(c, ref, who, sizeof(who));
	mpic__bufprintf(v->summary, sizeof(v->summary), "The DNS servers "
	    "of %s refused or did not answer queries from %s, and answered "
	    "the other perspectives", mpic__target_base(&c->in->req->target),
	    who);
}

static void
responses_differ(struct ctx *c, struct verdict *v)
{
	uint64_t among = 0, d;
	const char *ref = NULL;
	char who[SUMMARY_MAX];
	size_t i;

	if (!c->http)
		return;
	/* the same address as the reference (a passing one, else the
	 * first): other addresses are answers_differ_by_region's */
	for (i = 0; i < c->n; i++)
		if (c->o[i].pass && c->o[i].address != NULL) {
			ref = c->o[i].address;
			break;
		}
	for (i = 0; i < c->n && ref == NULL; i++)
		if (c->o[i].status > 0)
			ref = c->o[i].address;
	for (i = 0; i < c->n; i++)
		if (c->o[i].status > 0 && (ref == NULL ||
		    c->o[i].address == NULL ||
		    strcmp(c->o[i].address, ref) == 0))
			among |= BIT(i);
	d = differ(c, among, true);
	if (d == 0)
		return;
	v->named = d;
	v->shown = among;
	names(c, d, who, sizeof(who));
	mpic__bufprintf(v->summary, sizeof(v->summary), "The same URL at "
	    "%s answered %s differently (another status or page) than the "
	    "other perspectives: a route hijack, a CDN node serving a cached "
	    "or stale token, or a regional block page", ref != NULL ? ref :
	    "the same address", who);
}

/* Whether o[i] reached an address a passing perspective reached (or
 * either is unknown: DNS checks have none; or none passed in this
 * attempt, so the passes to compare with are an earlier attempt's). */
static bool
same_address_as_pass(const struct ctx *c, size_t i)
{
	bool any = false;
	size_t j;

	if (c->o[i].address == NULL)
		return true;
	for (j = 0; j < c->n; j++) {
		any |= c->o[j].pass;
		if (c->o[j].pass && (c->o[j].address == NULL ||
		    strcmp(c->o[j].address, c->o[i].address) == 0))
			return true;
	}
	return !any;
}

static void
removed_early(struct ctx *c, struct verdict *v)
{
	uint64_t gone = 0, pass = all_where(c, is_pass);
	uint64_t last_pass = 0, first_gone = UINT64_MAX;
	char who[SUMMARY_MAX];
	size_t i;

	if (c->in->req->check_type != MPIC_CHECK_DCV)
		return;
	/* none passed in this attempt: an earlier one's pass counts */
	if (pass == 0 && c->in->earlier_pass_ns == 0)
		return;
	last_pass = c->in->earlier_pass_ns;
	for (i = 0; i < c->n; i++) {
		const struct mpic__check_result *r = c->o[i].s->res;

		if (c->o[i].pass && r->timestamp_ns > last_pass)
			last_pass = r->timestamp_ns;
		/* at another address it is another server: not removal */
		if (c->o[i].saw_nothing && same_address_as_pass(c, i)) {
			gone |= BIT(i);
			if (r->timestamp_ns < first_gone)
				first_gone = r->timestamp_ns;
		}
	}
	if (gone == 0 || first_gone <= last_pass)
		return;
	v->named = gone;
	v->shown = gone | pass;
	names(c, gone, who, sizeof(who));
	mpic__bufprintf(v->summary, sizeof(v->summary), "The challenge was "
	    "found by the perspectives that checked first%s and was gone "
	    "when %s checked, %llu ms after the last one that found it",
	    pass == 0 ? " (in an earlier attempt)" : "", who,
	    (unsigned long long)((first_gone - last_pass) / 1000000u));
}

/* DCV, nobody passed, every perspective that answered found it lacking */
static uint64_t
all_failed(const struct ctx *c)
{
	uint64_t rep = all_where(c, is_reporting);
	uint64_t fail = all_where(c, is_fail);

	if (c->in->req->check_type != MPIC_CHECK_DCV || fail == 0 ||
	    fail != rep)
		return 0;
	return fail;
}

static void
missing(struct ctx *c, struct verdict *v)
{
	uint64_t fail = all_failed(c);
	size_t i;

	/* found in an earlier attempt: challenge_removed_early says so */
	if (c->in->earlier_pass_ns != 0)
		return;
	for (i = 0; i < c->n && fail != 0; i++)
		if ((fail & BIT(i)) && !c->o[i].saw_nothing)
			return;
	if (fail == 0)
		return;
	v->named = v->shown = fail;
	mpic__bufprintf(v->summary, sizeof(v->summary), "No perspective "
	    "found the challenge for %s: nothing is published where the "
	    "method looks", mpic__target_base(&c->in->req->target));
}

static void
wrong_everywhere(struct ctx *c, struct verdict *v)
{
	uint64_t fail = all_failed(c);
	size_t i;

	for (i = 0; i < c->n && fail != 0; i++)
		if ((fail & BIT(i)) && c->o[i].saw_nothing)
			return;
	if (fail == 0 || differ(c, fail, c->http) != 0)
		return;
	v->named = v->shown = fail;
	mpic__bufprintf(v->summary, sizeof(v->summary), "Every perspective "
	    "found the same value for %s, and it is not the expected "
	    "challenge: the applicant published the wrong token",
	    mpic__target_base(&c->in->req->target));
}

static void
caa_forbids(struct ctx *c, struct verdict *v)
{
	uint64_t m = 0;
	const json_t *d = NULL, *rs;
	const char *at = NULL;
	char recs[256] = "";
	size_t i;

	if (c->in->req->check_type != MPIC__CHECK_CAA)
		return;
	for (i = 0; i < c->n; i++) {
		const json_t *det = c->o[i].s->res->details;

		if (c->o[i].fail && json_is_true(json_object_get(det,
		    "caa_record_present"))) {
			m |= BIT(i);
			if (d == NULL)
				d = det;
		}
	}
	if (m == 0)
		return;
	at = json_string_value(json_object_get(d, "found_at"));
	rs = json_object_get(d, "records_seen");
	for (i = 0; i < json_array_size(rs) && i < 4; i++)
		append(recs, sizeof(recs), "%s%s", i > 0 ? ", " : "",
		    json_string_value(json_array_get(rs, i)) != NULL ?
		    json_string_value(json_array_get(rs, i)) : "?");
	v->named = v->shown = m;
	mpic__bufprintf(v->summary, sizeof(v->summary), "The CAA record set "
	    "at %s (%s) does not authorize this CA to issue for %s",
	    at != NULL ? at : "?", recs,
	    mpic__target_base(&c->in->req->target));
}

static void
quorum_one_rir(struct ctx *c, struct verdict *v)
{
	uint64_t pass = all_where(c, is_pass);
	unsigned rirs = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (pass & BIT(i))
			rirs |= 1u << c->o[i].s->rir;
	if (pass == 0 || c->in->quorum <= 0 ||
	    count(pass) < (size_t)c->in->quorum || count(rirs) >= 2)
		return;
	v->named = v->shown = pass;
	mpic__bufprintf(v->summary, sizeof(v->summary), "%zu perspectives "
	    "agreed, enough for the quorum of %d, but all of them are in "
	    "one RIR region (%s); the BR ask for at least two",
	    count(pass), c->in->quorum,
	    mpic__rir_str(c->o[__builtin_ctzll(pass)].s->rir));
}

static void
lookup_failures(struct ctx *c, struct verdict *v)
{
	uint64_t m = 0, permitted = 0;
	char who[SUMMARY_MAX];
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->o[i].lookup_err && !(c->raised_refused & BIT(i)))
			m |= BIT(i);
		if (c->o[i].permitted)
			permitted |= BIT(i);
	}
	if ((m | permitted) == 0)
		return;
	v->named = v->shown = m | permitted;
	names(c, m | permitted, who, sizeof(who));
	mpic__bufprintf(v->summary, sizeof(v->summary), "DNS lookups failed "
	    "(SERVFAIL, timeouts) at %s; %s", who, permitted == 0 ?
	    "the BR carve-out for lookup failures did not apply" :
	    m == 0 ? "the BR carve-out applied (the zone is provably "
	    "unsigned), so the failure was permitted" : "the BR carve-out "
	    "applied at some of them only");
}

static const struct rule rules[] = {
	{ "dnssec_bogus_in_some_regions", "error",
	  "Treat as a possible attack: compare the zone's signatures from the "
	  "named regions; if the zone owner finds no fault, report the "
	  "network path.", dnssec_some },
	{ "dnssec_broken", "error",
	  "The zone owner must re-sign the zone or fix the DS record at the "
	  "parent (check it with a DNSSEC debugger), then retry.",
	  dnssec_broken },
	{ "answers_differ_by_region", "warning",
	  "Every regional answer must serve the challenge: publish it on "
	  "every address and in every regional view, or sign the zone with "
	  "DNSSEC.", answers_differ },
	{ "dns_refused_from_some_regions", "warning",
	  "The DNS provider must answer queries from every region: lift its "
	  "geographic or rate limits for the named regions.", dns_refused },
	{ "unreachable_from_some_regions", "warning",
	  "Allow the named regions and RIRs through the firewall or "
	  "geo-blocking of the web server, at least for the validation path.",
	  unreachable },
	{ "responses_differ_by_region", "warning",
	  "Serve the validation path from the origin everywhere: bypass CDN "
	  "caches for /.well-known/ and remove regional block pages.",
	  responses_differ },
	{ "challenge_removed_early", "warning",
	  "Keep the challenge published until the CA reports the validation "
	  "complete; do not remove it when the first check succeeds.",
	  removed_early },
	{ "challenge_missing", "error",
	  "Publish the challenge where the method looks (the DNS name or URL "
	  "in the evidence), wait for it to propagate, then retry.", missing },
	{ "challenge_wrong_everywhere", "error",
	  "Publish the token of this order; the value found is another one "
	  "(an old order's, or a typo).", wrong_everywhere },
	{ "caa_forbids", "error",
	  "The domain owner must add this CA's issuer domain to the CAA "
	  "record set named, or the CA must not issue.", caa_forbids },
	{ "quorum_in_one_rir", "error",
	  "The CA must configure perspectives in at least two RIR regions "
	  "that can reach this domain.", quorum_one_rir },
	{ "lookup_failures", "warning",
	  "The zone's DNS servers must answer every query; fix the failing "
	  "servers or their DNSSEC, then retry.", lookup_failures },
};

static int
add(json_t *list, const struct ctx *c, const struct rule *r,
    const struct verdict *v)
{
	json_t *f = NULL, *p, *e, *x;
	size_t i;
	int rc = MPIC_ENOMEM;

	f = json_pack("{s:s, s:s, s:[], s:s, s:[], s:s}", "code", r->code,
	    "severity", r->severity, "perspectives", "summary", v->summary,
	    "evidence", "advice", r->advice);
	if (f == NULL)
		goto out;
	p = json_object_get(f, "perspectives");
	e = json_object_get(f, "evidence");
	for (i = 0; i < c->n; i++) {
		if ((v->named & BIT(i)) && json_array_append_new(p,
		    json_pack("{s:s, s:s}", "code", c->o[i].s->code, "rir",
		    mpic__rir_str(c->o[i].s->rir))) != 0)
			goto out;
		if ((v->shown & BIT(i)) && ((x = mpic__obs_evidence(
		    &c->o[i])) == NULL || json_array_append_new(e, x) != 0))
			goto out;
	}
	rc = json_array_append(list, f) == 0 ? 0 : MPIC_ENOMEM;
out:
	json_decref(f);
	return rc;
}

json_t *
mpic__findings(const struct mpic__findings_input *in)
{
	struct ctx *c = NULL;
	json_t *list = NULL, *out = NULL;
	enum mpic__details_shape shape;
	struct verdict v;
	size_t i;

	if ((c = mpic__calloc(1, sizeof(*c))) == NULL ||
	    (list = json_array()) == NULL)
		goto out;
	c->in = in;
	shape = in->req->check_type == MPIC__CHECK_CAA ? MPIC__DETAILS_DNS :
	    mpic__dcv_method_details(in->req->dcv.method);
	c->dnsish = shape == MPIC__DETAILS_DNS;
	c->http = shape == MPIC__DETAILS_HTTP;
	c->web = c->http || shape == MPIC__DETAILS_TLS_ALPN;
	for (i = 0; i < in->n && i < MPIC__FINDINGS_MAX_SEEN; i++) {
		if (mpic__obs_read(&in->seen[i], in->req->check_type,
		    &c->o[i]) != 0) {
			c->n = i + 1;
			goto out;
		}
		c->n = i + 1;
	}
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		memset(&v, 0, sizeof(v));
		rules[i].judge(c, &v);
		if (v.named != 0 && add(list, c, &rules[i], &v) != 0)
			goto out;
	}
	out = list;
	list = NULL;
out:
	for (i = 0; c != NULL && i < c->n; i++)
		mpic__obs_release(&c->o[i]);
	mpic__free(c);
	json_decref(list);
	return out;
}
