/*
 * tls_alpn_guard.c - which addresses a TLS-ALPN-01 validation may connect
 * to: the SSRF guard of the HTTP methods (netguard.c: only ordinary public
 * addresses, unless a configured allowed_networks entry covers the
 * address), applied to the configuration's list.
 */
#include <string.h>

#include "dcv/tls_alpn.h"
#include "dcv/web.h"

bool
mpic__alpn_addr_allowed(const struct mpic_config *cfg, int af,
			const uint8_t *addr, char *why, size_t whylen)
{
	struct mpic__cidr net;
	const char *refused;
	size_t i;

	refused = mpic__addr_refused(af, addr, NULL, 0);
	/*
	 * Only a special-purpose address needs the allow-list: every entry
	 * of it, one at a time (the configuration takes as many as it
	 * accepts; a fixed array here once dropped those past the 64th).
	 * The configuration loader checked the syntax already.
	 */
	for (i = 0; refused != NULL && cfg != NULL &&
	    cfg->allowed_networks != NULL &&
	    cfg->allowed_networks[i] != NULL; i++)
		if (mpic__cidr_parse(cfg->allowed_networks[i],
		    strlen(cfg->allowed_networks[i]), &net) == 0 &&
		    mpic__addr_refused(af, addr, &net, 1) == NULL)
			refused = NULL;
	if (refused == NULL)
		return true;
	mpic__bufprintf(why, whylen, "%s", refused);
	return false;
}
