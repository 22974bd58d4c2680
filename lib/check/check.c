/* check.c - starting a check and the helpers its kinds share. */
#include <stdio.h>
#include <string.h>

#include "check.h"

const char *
mpic__parent_name(const char *name)
{
	const char *p = name;

	/* skip one label, honouring \. escapes */
	while (*p != '\0') {
		if (*p == '\\' && p[1] != '\0') {
			p += 2;
			continue;
		}
		if (*p == '.')
			return p[1] != '\0' ? p + 1 : NULL;
		p++;
	}
	return NULL;
}

void
mpic__check_note_dnssec(struct mpic__check *c, enum mpic__dnssec s)
{
	static const int rank[] = {
		[MPIC__DNSSEC_SECURE] = 0,
		[MPIC__DNSSEC_INSECURE] = 1,
		[MPIC__DNSSEC_INDETERMINATE] = 2,
		[MPIC__DNSSEC_BOGUS] = 3,
	};

	if (rank[s] > rank[c->worst])
		c->worst = s;
}

bool
mpic__answer_failed(const struct mpic__dns_answer *a)
{
	return a->err != 0 || a->dnssec == MPIC__DNSSEC_BOGUS ||
	    (a->rcode != MPIC__RCODE_NOERROR && a->rcode != MPIC__RCODE_NXDOMAIN);
}

const char *
mpic__failure_kind(const struct mpic__dns_answer *a)
{
	static const char *const other[] = { "rcode-0", "rcode-1",
	    "servfail", "rcode-3", "rcode-4", "refused" };

	if (a->err == MPIC_ETIMEDOUT)
		return "timeout";
	if (a->err != 0)
		return "resolver-error";
	if (a->dnssec == MPIC__DNSSEC_BOGUS)
		return "bogus";
	return a->rcode >= 0 && a->rcode < 6 ? other[a->rcode] : "rcode-other";
}

void
mpic__describe_failure(const struct mpic__dns_answer *a, char *out,
		       size_t outlen)
{
	static const char *const rcodes[] = {"NOERROR", "FORMERR", "SERVFAIL",
	    "NXDOMAIN", "NOTIMP", "REFUSED"};
	char tb[16];
	const char *rc = a->rcode >= 0 && a->rcode < 6 ? rcodes[a->rcode] :
	    "other rcode";

	if (a->err == MPIC_ETIMEDOUT)
		mpic__bufprintf(out, outlen, "%s %s: %s after %u attempt(s)",
		    a->qname, mpic__dns_type_str(a->qtype, tb),
		    a->err_text ? a->err_text : "timeout", a->attempts);
	else if (a->err != 0)
		mpic__bufprintf(out, outlen, "%s %s: resolver error: %s",
		    a->qname, mpic__dns_type_str(a->qtype, tb),
		    a->err_text ? a->err_text : "unknown");
	else if (a->dnssec == MPIC__DNSSEC_BOGUS)
		mpic__bufprintf(out, outlen,
		    "%s %s: DNSSEC validation failed (bogus): %s", a->qname,
		    mpic__dns_type_str(a->qtype, tb),
		    a->why_bogus ? a->why_bogus : "no reason given");
	else
		mpic__bufprintf(out, outlen,
		    "%s %s: %s (rcode %d, DNSSEC %s) after %u attempt(s)",
		    a->qname, mpic__dns_type_str(a->qtype, tb), rc, a->rcode,
		    mpic__dnssec_str(a->dnssec), a->attempts);
}

json_t *
mpic__records_seen(const struct mpic__dns_rr *rrs, size_t n)
{
	json_t *arr = json_array();
	char buf[4096];
	size_t i;

	if (arr == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (mpic__dns_rdata_str(rrs[i].type, rrs[i].rdata,
		    rrs[i].rdlen, buf, sizeof(buf)) != 0)
			mpic__bufprintf(buf, sizeof(buf),
			    "(record of %u octets not shown)", rrs[i].rdlen);
		json_array_append_new(arr, json_string(buf));
	}
	return arr;
}

json_t *
mpic__cname_chain_json(const struct mpic__dns_answer *a)
{
	json_t *arr = json_array();
	/* the resolver reads a target into MPIC__NAME_MAX + 2 bytes */
	char buf[MPIC__NAME_MAX + 3];
	size_t i;

	if (arr == NULL)
		return NULL;
	/*
	 * The resolver keeps names without the final dot; Open MPIC lists
	 * the targets absolute ("alias.example.com."), and its clients
	 * compare the strings.
	 */
	for (i = 0; i < a->n_cname; i++) {
		if (strlen(a->cname_chain[i]) + 2 > sizeof(buf)) {
			json_decref(arr);
			return NULL;
		}
		mpic__bufprintf(buf, sizeof(buf), "%s.", a->cname_chain[i]);
		if (json_array_append_new(arr, json_string(buf)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

void
mpic__check_finish(struct mpic__check *c)
{
	struct mpic__check_result res = c->res;

	res.dnssec = c->worst;
	res.duration_ms = (unsigned)(mpic__now_mono_ms() - c->start_ms);
	res.timestamp_ns = mpic__now_wall_ns();
	c->cb(c->arg, &res);
	mpic__free(c);
}
