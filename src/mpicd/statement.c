/*
 * statement.c - the perspective role's signed statements (contract in
 * statement.h).  The worker builds and encodes the statement; only the
 * key process holds identity.signing_key, and it signs nothing but that
 * encoding.
 */
#include <string.h>

#include <event2/http.h>

#include "engine/perspective.h"
#include "keyproc.h"
#include "statement.h"

/* The coordinator's nonce for this call; zeros when none was sent. */
static void
call_nonce(const struct mpicd_call *c, uint8_t nonce[MPIC_EV_NONCE_LEN])
{
	const char *h = NULL;

	memset(nonce, 0, MPIC_EV_NONCE_LEN);
	if (c->req != NULL)
		h = evhttp_find_header(evhttp_request_get_input_headers(
		    c->req), "MPIC-Nonce");
	if (h == NULL || mpic__ev_unhex(h, nonce, MPIC_EV_NONCE_LEN) != 0)
		memset(nonce, 0, MPIC_EV_NONCE_LEN);
}

int
mpicd_statement(const struct mpic_config *cfg, const struct mpicd_call *c,
		const struct mpic__check_result *res, json_t **out,
		char *err, size_t errlen)
{
	const struct mpic__perspective_def *id = &cfg->identity;
	uint8_t digest[MPIC_EV_DIGEST_LEN], nonce[MPIC_EV_NONCE_LEN];
	uint8_t rep[MPIC_EV_SIG_LEN + MPIC_EV_PUB_LEN];
	struct mpic__ev_signed s;
	struct kp_req req;
	uint32_t gen = 0;
	size_t len = 0, n;
	int st;

	*out = NULL;
	if (id->signing_key == NULL)
		return 0;
	if (mpic__ev_request_digest(c->type == MPIC_CHECK_CAA ? "caa" :
	    "dcv", c->preq.raw, digest) != 0) {
		mpic__bufprintf(err, errlen, "out of memory");
		return -1;
	}
	call_nonce(c, nonce);
	mpic__sig_statement(id->code, id->rir, digest, nonce, res, &s.st);
	memset(&req, 0, sizeof(req));
	req.op = KP_SIGN_STATEMENT;
	if ((n = mpic__ev_encode(&s.st, req.data)) == 0) {
		mpic__bufprintf(err, errlen, "the statement cannot be encoded");
		return -1;
	}
	req.len = (uint32_t)n;
	st = mpicd_keyproxy_call(mpicd_keyproxy_fd(), &req, KP_SIGN_WAIT_MS,
	    &gen, rep, sizeof(rep), &len);
	if (st != KP_OK || len != sizeof(rep)) {
		mpic__bufprintf(err, errlen, "the key process did not sign the "
		    "statement (%s)", st == KP_EUNKNOWNKEY ? "no signing key" :
		    st < 0 ? "no answer" : "refused");
		return -1;
	}
	memcpy(s.sig, rep, MPIC_EV_SIG_LEN);
	mpic__sha256(rep + MPIC_EV_SIG_LEN, MPIC_EV_PUB_LEN, s.fingerprint);
	if ((*out = mpic__ev_signed_json(&s)) == NULL) {
		mpic__bufprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
