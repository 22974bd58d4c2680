/*
 * statement.h - the perspective role's signed statements
 * (docs/evidence.md): the library builds and encodes each statement
 * (mpic_persp_serve()), the key process signs it (KP_SIGN_STATEMENT): it
 * alone holds identity.signing_key.
 */
#ifndef MPICD_STATEMENT_H
#define MPICD_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

/*
 * An mpic_persp_signer (mpic/perspective.h) through this worker's key
 * process: msg signed into sig, the key's raw public key into pub; 0, or
 * -1 with err when the key process did not sign.  arg is unused.
 */
int mpicd_sign_statement(void *arg, const uint8_t *msg, size_t len,
			 uint8_t sig[64], uint8_t pub[32], char *err,
			 size_t errlen);

#endif
