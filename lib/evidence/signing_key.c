/*
 * signing_key.c - the public face of a statement signing key
 * (mpic/evidence.h) for the process that holds it: load, sign only a
 * statement's encoding, free.
 */
#include <string.h>

#include "mpic/evidence.h"
#include "util/util.h"
#include "evidence/evidence.h"

_Static_assert(MPIC_STATEMENT_SIG_LEN == MPIC__EV_SIG_LEN, "signature size");
_Static_assert(MPIC_STATEMENT_PUB_LEN == MPIC__EV_PUB_LEN, "key size");
_Static_assert(MPIC_STATEMENT_MAX == MPIC_EV_MSG_MAX, "statement size");

struct mpic_signing_key {
	EVP_PKEY *k;
};

struct mpic_signing_key *
mpic_signing_key_load(const char *path, char *err, size_t errlen)
{
	struct mpic_signing_key *sk;

	if ((sk = mpic__calloc(1, sizeof(*sk))) == NULL) {
		mpic__bufprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((sk->k = mpic__ev_key_load_private(path, err, errlen)) == NULL) {
		mpic__free(sk);
		return NULL;
	}
	return sk;
}

void
mpic_signing_key_free(struct mpic_signing_key *sk)
{
	if (sk == NULL)
		return;
	EVP_PKEY_free(sk->k);
	mpic__free(sk);
}

int
mpic_signing_key_sign_statement(struct mpic_signing_key *sk,
				const uint8_t *msg, size_t len,
				uint8_t sig[MPIC_STATEMENT_SIG_LEN],
				uint8_t pub[MPIC_STATEMENT_PUB_LEN])
{
	if (len <= MPIC__EV_MAGIC_LEN + 1 || len > MPIC_EV_MSG_MAX ||
	    memcmp(msg, MPIC__EV_MAGIC, MPIC__EV_MAGIC_LEN + 1) != 0)
		return MPIC_EINVAL;
	if (mpic__ev_sign(sk->k, msg, len, sig) != 0 ||
	    mpic__ev_key_raw(sk->k, pub) != 0)
		return MPIC_EIO;
	return 0;
}
