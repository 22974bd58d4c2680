/*
 * persist.c - the persistent TXT value of BR 3.2.2.4.22 and 3.2.2.5.8
 * (draft-ietf-acme-dns-persist-01, as Boulder implements it).  The draft
 * is still moving; its rules are all here.  Pure: no allocation, input
 * by pointer and length.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"
#include "caa/caa.h"

/*
 * The parameters the draft defines, under its spelling (names compare
 * case-insensitively, mpic__caa_param_find).  Each may appear at most
 * once: a repeated one makes the record malformed, whichever copy would
 * have counted.  Any other parameter is ignored (draft 4.1 item 1).
 */
static const char *const persist_params[] = {"accounturi", "policy",
    "persistUntil"};

/* persistUntil: decimal Unix seconds, digits only; false when malformed. */
static bool
parse_unix(const char *s, time_t *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return false;
	*out = (time_t)v;
	return true;
}

bool
mpic__persist_value_ok(const uint8_t *v, size_t len,
		       const struct mpic__persist_query *q, char *why,
		       size_t whylen)
{
	struct mpic__caa_issue_value iv;
	const char *acct, *policy, *until_text, *first;
	bool ok = false, issuer = false;
	time_t until = 0;
	size_t i;

	if (mpic__caa_issue_value_parse(v, len, &iv) != 0 || !iv.valid) {
		mpic__bufprintf(why, whylen,
		    "value does not parse (RFC 8659 4.2 issue-value)");
		goto out;
	}
	for (i = 0; i < q->n_issuers; i++)
		if (q->issuer_domains[i] != NULL &&
		    mpic__caa_name_eq(iv.issuer, q->issuer_domains[i]))
			issuer = true;
	if (!issuer) {
		mpic__bufprintf(why, whylen, "issuer %s not recognised",
		    iv.issuer[0] != '\0' ? iv.issuer : "(none)");
		goto out;
	}
	/* Malformed before refused: a record that says two things says
	 * nothing, even if one of them would have matched. */
	for (i = 0; i < sizeof(persist_params) / sizeof(persist_params[0]);
	    i++) {
		if (mpic__caa_param_find(&iv, persist_params[i], &first) > 1) {
			mpic__bufprintf(why, whylen, "%s is repeated",
			    persist_params[i]);
			goto out;
		}
	}
	(void)mpic__caa_param_find(&iv, "accounturi", &acct);
	(void)mpic__caa_param_find(&iv, "policy", &policy);
	(void)mpic__caa_param_find(&iv, "persistUntil", &until_text);
	if (acct == NULL) {
		mpic__bufprintf(why, whylen, "accounturi is missing");
		goto out;
	}
	if (until_text != NULL && !parse_unix(until_text, &until)) {
		mpic__bufprintf(why, whylen, "persistUntil is malformed");
		goto out;
	}
	/* RFC 3986 6.2.1 simple string comparison: no case folding */
	if (q->account_uri == NULL || strcmp(acct, q->account_uri) != 0) {
		mpic__bufprintf(why, whylen, "accounturi does not match");
		goto out;
	}
	if (until_text != NULL && until < q->now) {
		mpic__bufprintf(why, whylen, "persistUntil %s has passed",
		    until_text);
		goto out;
	}
	/* Any policy value but "wildcard" (any case) counts as no policy. */
	if (q->is_wildcard && (policy == NULL ||
	    strcasecmp(policy, "wildcard") != 0)) {
		mpic__bufprintf(why, whylen,
		    "wildcard target needs policy=wildcard");
		goto out;
	}
	mpic__bufprintf(why, whylen, "issuer %s, accounturi matches%s",
	    iv.issuer, q->is_wildcard ? ", policy=wildcard" : "");
	ok = true;
out:
	return ok;
}
