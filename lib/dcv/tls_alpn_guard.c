/*
 * tls_alpn_guard.c - which addresses a TLS-ALPN-01 validation may connect
 * to: the SSRF guard of the HTTP methods (netguard.c: only ordinary public
 * addresses, unless a configured allowed_networks entry covers the
 * address), applied to the configuration's list.
 */
#include <string.h>

#include "dcv/tls_alpn.h"
#include "dcv/web.h"

#define ALPN_MAX_ALLOWED 64

bool
mpic__alpn_addr_allowed(const struct mpic_config *cfg, int af,
			const uint8_t *addr, char *why, size_t whylen)
{
	struct mpic_cidr allowed[ALPN_MAX_ALLOWED];
	const char *refused;
	size_t i, n = 0;

	/* the configuration loader checked the syntax already */
	for (i = 0; cfg != NULL && cfg->allowed_networks != NULL &&
	    cfg->allowed_networks[i] != NULL && n < ALPN_MAX_ALLOWED; i++)
		if (mpic__cidr_parse(cfg->allowed_networks[i],
		    strlen(cfg->allowed_networks[i]), &allowed[n]) == 0)
			n++;
	refused = mpic__addr_refused(af, addr, allowed, n);
	if (refused == NULL)
		return true;
	mpic__bufprintf(why, whylen, "%s", refused);
	return false;
}
