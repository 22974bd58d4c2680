/*
 * findings.h - lib/findings: why perspectives disagreed, in words.  From
 * the results of the deciding attempt's perspectives, a list of findings
 * (docs/findings.md: one rule per code), each
 *
 *   {code, severity, perspectives: [{code, rir}], summary, evidence:
 *    [{perspective_code, rir, result, dnssec, ...what it saw}], advice}
 *
 * empty when every perspective saw the same thing.  It sits above the
 * results (lib/api, lib/check) and below the engine, which adds the list to
 * the answer and to the decision record.  Internal (mpic__).
 */
#ifndef MPIC__FINDINGS_H
#define MPIC__FINDINGS_H

#include "api/model.h"
#include "corroborate/corroborate.h"

/* At most this many perspectives are judged (one attempt's cohort). */
#define MPIC__FINDINGS_MAX_SEEN 64

/* One perspective's result, as the engine keeps it. */
struct mpic__seen {
	const char *code;               /* perspective code */
	enum mpic__rir rir;
	const struct mpic__check_result *res;
};

struct mpic__findings_input {
	const struct mpic__request *req;
	const struct mpic__seen *seen;  /* the deciding attempt's results */
	size_t n;                       /* <= MPIC__FINDINGS_MAX_SEEN; more
	                                 * are not judged */
	int quorum;                     /* the quorum count applied */
	uint64_t earlier_pass_ns;       /* the latest pass (timestamp_ns) of
	                                 * an earlier attempt of the request,
	                                 * 0: none passed */
};

/*
 * The findings of in, a JSON array (new reference, the caller's; [] when
 * all agree); NULL when out of memory.  Reads only what the results carry
 * (details, dnssec, errors, timestamps), so the same list comes out in the
 * coordinator whether the perspectives ran in process or remote.
 */
json_t *mpic__findings(const struct mpic__findings_input *in);

/* Internal to lib/findings (seen.c, for findings.c). */
struct mpic__obs {
	const struct mpic__seen *s;
	bool pass, fail, err;           /* completed+passed, completed, not */
	bool bogus;
	bool reporting;                 /* not a perspective that never
	                                 * answered (timeout, remote error) */
	bool lookup_err;                /* a DNS lookup failed (not bogus):
	                                 * SERVFAIL, REFUSED, no answer */
	bool permitted;                 /* CAA lookup failure permitted */
	bool unreachable;               /* connection refused / timed out */
	bool saw_nothing;               /* DCV: no record / 404, 410 */
	const char *address;            /* resolved_ip, or NULL */
	long status;                    /* HTTP status, 0: none */
	char *dns_key;                  /* records seen, canonical (malloc) */
	char *web_key;                  /* status and page (malloc) */
};
int mpic__obs_read(const struct mpic__seen *s, enum mpic__check_type type,
		   struct mpic__obs *o);
void mpic__obs_release(struct mpic__obs *o);
/* What o saw, as an evidence entry (new reference; NULL: out of memory). */
json_t *mpic__obs_evidence(const struct mpic__obs *o);

#endif
