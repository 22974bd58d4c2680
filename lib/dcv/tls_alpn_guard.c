/*
 * tls_alpn_guard.c - which addresses a validation may connect to (RFC 8555
 * 10.4, requirements section 3 "SSRF").  Only global unicast addresses
 * outside the IANA special-purpose registries (RFC 6890 and successors),
 * unless a configured allowed_networks entry (labs) covers the address.
 *
 * IPv6 is allowed only inside 2000::/3 (global unicast); the special
 * ranges inside it are listed.  Translation and tunnelling prefixes
 * (NAT64, 6to4, Teredo) are refused: they can carry a private IPv4.
 */
#include <arpa/inet.h>
#include <string.h>

#include "dcv/tls_alpn.h"

struct alpn_range {
	uint8_t net[16];
	unsigned plen;
	const char *what;
};

static const struct alpn_range alpn_v4_special[] = {
	{{0, 0, 0, 0}, 8, "this network (0.0.0.0/8)"},
	{{10, 0, 0, 0}, 8, "private (10.0.0.0/8)"},
	{{100, 64, 0, 0}, 10, "shared address space (100.64.0.0/10)"},
	{{127, 0, 0, 0}, 8, "loopback (127.0.0.0/8)"},
	{{169, 254, 0, 0}, 16, "link-local (169.254.0.0/16)"},
	{{172, 16, 0, 0}, 12, "private (172.16.0.0/12)"},
	{{192, 0, 0, 0}, 24, "IETF protocol assignments (192.0.0.0/24)"},
	{{192, 0, 2, 0}, 24, "documentation (192.0.2.0/24)"},
	{{192, 88, 99, 0}, 24, "6to4 relay anycast (192.88.99.0/24)"},
	{{192, 168, 0, 0}, 16, "private (192.168.0.0/16)"},
	{{198, 18, 0, 0}, 15, "benchmarking (198.18.0.0/15)"},
	{{198, 51, 100, 0}, 24, "documentation (198.51.100.0/24)"},
	{{203, 0, 113, 0}, 24, "documentation (203.0.113.0/24)"},
	{{224, 0, 0, 0}, 4, "multicast (224.0.0.0/4)"},
	{{240, 0, 0, 0}, 4, "reserved (240.0.0.0/4)"},
};

static const struct alpn_range alpn_v6_special[] = {
	{{0x20, 0x01, 0x00, 0x00}, 23,
	    "IETF protocol assignments (2001::/23)"},
	{{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation (2001:db8::/32)"},
	{{0x20, 0x02}, 16, "6to4 (2002::/16)"},
	{{0x3f, 0xff}, 20, "documentation (3fff::/20)"},
};

/* True when the first plen bits of a and b agree. */
static bool
alpn_prefix_eq(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;
	uint8_t mask;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/*
 * One allowed_networks entry ("ADDRESS/PREFIX", checked by the
 * configuration loader); false for an entry of the other family or one
 * that does not parse.
 */
static bool
alpn_cidr_match(const char *cidr, int af, const uint8_t *addr)
{
	const char *slash = strchr(cidr, '/');
	char text[INET6_ADDRSTRLEN + 1];
	uint8_t net[16];
	unsigned plen = 0, max = af == AF_INET ? 32 : 128;
	size_t n;

	if (slash == NULL || (n = (size_t)(slash - cidr)) == 0 ||
	    n >= sizeof(text) || slash[1] == '\0')
		return false;
	memcpy(text, cidr, n);
	text[n] = '\0';
	if (inet_pton(af, text, net) != 1)
		return false;
	for (slash++; *slash != '\0'; slash++) {
		if (*slash < '0' || *slash > '9' || plen > max)
			return false;
		plen = plen * 10 + (unsigned)(*slash - '0');
	}
	return plen <= max && alpn_prefix_eq(net, addr, plen);
}

bool
mpic__alpn_addr_allowed(const struct mpic_config *cfg, int af,
			const uint8_t *addr, char *why, size_t whylen)
{
	const char *what = NULL;
	size_t i;

	if (cfg != NULL && cfg->allowed_networks != NULL)
		for (i = 0; cfg->allowed_networks[i] != NULL; i++)
			if (alpn_cidr_match(cfg->allowed_networks[i], af, addr))
				return true;
	if (af == AF_INET) {
		for (i = 0; i < sizeof(alpn_v4_special) /
		    sizeof(alpn_v4_special[0]); i++)
			if (alpn_prefix_eq(addr, alpn_v4_special[i].net,
			    alpn_v4_special[i].plen))
				what = alpn_v4_special[i].what;
		if (what == NULL && addr[0] == 255 && addr[1] == 255 &&
		    addr[2] == 255 && addr[3] == 255)
			what = "broadcast";
	} else if (af == AF_INET6) {
		if ((addr[0] & 0xe0) != 0x20) {
			/* ::1, ::ffff:0:0/96, fc00::/7, fe80::/10, ff00::/8 ... */
			what = addr[0] == 0xff ? "multicast (ff00::/8)" :
			    (addr[0] & 0xfe) == 0xfc ? "unique local (fc00::/7)" :
			    addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80 ?
			    "link-local (fe80::/10)" :
			    "outside global unicast (2000::/3)";
		} else {
			for (i = 0; i < sizeof(alpn_v6_special) /
			    sizeof(alpn_v6_special[0]); i++)
				if (alpn_prefix_eq(addr, alpn_v6_special[i].net,
				    alpn_v6_special[i].plen))
					what = alpn_v6_special[i].what;
		}
	} else {
		what = "unknown address family";
	}
	if (what == NULL)
		return true;
	mpic__bufprintf(why, whylen, "%s", what);
	return false;
}
