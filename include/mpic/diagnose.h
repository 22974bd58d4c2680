/*
 * diagnose.h - a pre-flight before a renewal (docs/findings.md,
 * "Diagnoses"): what every configured perspective sees of a name (A/AAAA,
 * CAA against the configured issuer domains, NS, TXT at _acme-challenge,
 * DNSSEC, TCP 80/443 at every address, an HTTP GET of a random
 * acme-challenge path, optionally a published challenge), the findings
 * and a verdict.  A diagnosis is not a validation: nothing of it enters
 * the audit log.
 *
 * The request body (POST /diagnose, the same for a coordinator and a
 * perspective): {"name": NAME, "url": URL?, "txt": NAME?, "expect": TEXT?}
 * (url or txt only with expect).
 */
#ifndef MPIC_PUB_DIAGNOSE_H
#define MPIC_PUB_DIAGNOSE_H

#include <mpic/common.h>

struct mpic_diag;

/*
 * A diagnosis answered: status (200; 400 for a body refused; 500) and the
 * JSON body, NUL-terminated, owned by the library and valid during the
 * callback.  For a 200, ready tells the verdict (always false for a
 * perspective's own probe, which judges nothing).
 */
typedef void (*mpic_diag_cb)(void *arg, int status, const char *body,
			     size_t len, bool ready);

MPIC_BEGIN_DECLS

/*
 * A diagnoser for cfg on base (cfg must outlive it): role perspective
 * probes as its identity; the other roles fan out to the configured
 * perspectives, in process (each with its own resolver) or over the
 * perspective API (POST URL/diagnose, mutual TLS as for checks).
 * Returns 0, or an error with the reason in err.  mpic_diag_free() drops
 * the diagnoses still running without their callbacks.
 */
MPIC_EXTERN int mpic_diag_new(struct event_base *base,
			      const struct mpic_config *cfg,
			      struct mpic_diag **out, char *err,
			      size_t errlen);
MPIC_EXTERN void mpic_diag_free(struct mpic_diag *d);

/*
 * Run one diagnosis of body (len bytes; see above).  Role perspective:
 * the answer is this perspective's own observations; other roles: every
 * perspective's, the findings and the verdict.  cb runs exactly once,
 * possibly before this returns (a refused body).  Returns 0, or
 * MPIC_ENOMEM (then no callback).
 */
MPIC_EXTERN int mpic_diag_run(struct mpic_diag *d, const char *body,
			      size_t len, mpic_diag_cb cb, void *arg);

/* Diagnoses in flight. */
MPIC_EXTERN size_t mpic_diag_inflight(const struct mpic_diag *d);

MPIC_END_DECLS

#endif
