/*
 * statement.h - the perspective role's signed statements
 * (docs/evidence.md), signed by the key process (KP_SIGN_STATEMENT).
 */
#ifndef MPICD_STATEMENT_H
#define MPICD_STATEMENT_H

#include "mpicd.h"

/*
 * The signed_statement of res, the result of call c (a POST /caa or /dcv
 * whose request is c->preq), into *out (new reference): signed for the
 * nonce of c's MPIC-Nonce header (none or malformed: all zeros, which no
 * coordinator that sends nonces accepts).  *out NULL and 0 when
 * identity.signing_key is not configured; -1 with err when the key
 * process could not sign.  res must be as the answer will show it.
 */
int mpicd_statement(const struct mpic_config *cfg,
		    const struct mpicd_call *c,
		    const struct mpic__check_result *res, json_t **out,
		    char *err, size_t errlen);

#endif
