/*
 * web.c - placeholder entry points of the web-based DCV methods until
 * their checkers land: a request for them is refused as unsupported
 * (the engine reports "check could not start: not supported").
 */
#include "check/check.h"

int
mpic__dcv_http_start(struct mpic_check *c)
{
	(void)c;
	return MPIC_ENOTSUP;
}

int
mpic__dcv_tls_alpn_start(struct mpic_check *c)
{
	(void)c;
	return MPIC_ENOTSUP;
}
