/*
 * tls_alpn.c - acme-tls-alpn-01 (RFC 8737, BR 3.2.2.4.20).  Not
 * implemented yet: a request for it is refused as unsupported.
 */
#include "check/check.h"

int
mpic__dcv_tls_alpn_start(struct mpic_check *c)
{
	(void)c;
	return MPIC_ENOTSUP;
}
