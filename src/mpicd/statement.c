/*
 * statement.c - the perspective role's signer (contract in statement.h):
 * the statement's bytes go to the key process, which signs nothing but a
 * statement's encoding with identity.signing_key.
 */
#include <string.h>

#include "keyproc.h"
#include "mpic/evidence.h"
#include "mpicd.h"
#include "statement.h"

int
mpicd_sign_statement(void *arg, const uint8_t *msg, size_t len,
		     uint8_t sig[64], uint8_t pub[32], char *err,
		     size_t errlen)
{
	uint8_t rep[MPIC_STATEMENT_SIG_LEN + MPIC_STATEMENT_PUB_LEN];
	struct kp_req req;
	uint32_t gen = 0;
	size_t got = 0;
	int st;

	(void)arg;
	if (len > sizeof(req.data) || len > MPIC_STATEMENT_MAX) {
		mpicx_bufprintf(err, errlen, "the statement is too long");
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.op = KP_SIGN_STATEMENT;
	memcpy(req.data, msg, len);
	req.len = (uint32_t)len;
	st = mpicd_keyproxy_call(mpicd_keyproxy_fd(), &req, KP_SIGN_WAIT_MS,
	    &gen, rep, sizeof(rep), &got);
	if (st != KP_OK || got != sizeof(rep)) {
		mpicx_bufprintf(err, errlen, "the key process did not sign the "
		    "statement (%s)", st == KP_EUNKNOWNKEY ? "no signing key" :
		    st < 0 ? "no answer" : "refused");
		return -1;
	}
	memcpy(sig, rep, MPIC_STATEMENT_SIG_LEN);
	memcpy(pub, rep + MPIC_STATEMENT_SIG_LEN, MPIC_STATEMENT_PUB_LEN);
	return 0;
}
