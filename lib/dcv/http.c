/*
 * http.c - website-change (BR 3.2.2.4.18) and acme-http-01 (BR 3.2.2.4.19,
 * RFC 8555 8.3).  Not implemented yet: a request for these methods is
 * refused as unsupported ("check could not start: not supported").
 */
#include "check/check.h"

int
mpic__dcv_http_start(struct mpic_check *c)
{
	(void)c;
	return MPIC_ENOTSUP;
}
