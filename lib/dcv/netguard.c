/*
 * netguard.c - the SSRF guard (RFC 8555 10.4, BR 3.2.2.4.18/.19): which
 * addresses validation traffic may go to.  The special-purpose ranges are
 * those of the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC
 * 6890 and later), plus multicast and the reserved class E space, and for
 * IPv6 everything outside global unicast (2000::/3); a range is refused
 * unless the configuration's dcv.allowed_networks covers the address
 * (labs).
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "web.h"

struct range {
	const char *cidr;
	const char *what;
};

static const struct range v4_ranges[] = {
	{"0.0.0.0/8", "\"this network\" (0.0.0.0/8)"},
	{"10.0.0.0/8", "private-use (10.0.0.0/8)"},
	{"100.64.0.0/10", "shared address space (100.64.0.0/10)"},
	{"127.0.0.0/8", "loopback (127.0.0.0/8)"},
	{"169.254.0.0/16", "link-local (169.254.0.0/16)"},
	{"172.16.0.0/12", "private-use (172.16.0.0/12)"},
	{"192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)"},
	{"192.0.2.0/24", "documentation (192.0.2.0/24)"},
	{"192.31.196.0/24", "AS112 (192.31.196.0/24)"},
	{"192.52.193.0/24", "AMT (192.52.193.0/24)"},
	{"192.88.99.0/24", "6to4 relay anycast (192.88.99.0/24)"},
	{"192.168.0.0/16", "private-use (192.168.0.0/16)"},
	{"192.175.48.0/24", "AS112 (192.175.48.0/24)"},
	{"198.18.0.0/15", "benchmarking (198.18.0.0/15)"},
	{"198.51.100.0/24", "documentation (198.51.100.0/24)"},
	{"203.0.113.0/24", "documentation (203.0.113.0/24)"},
	{"224.0.0.0/4", "multicast (224.0.0.0/4)"},
	{"240.0.0.0/4", "reserved (240.0.0.0/4)"},
};

static const struct range v6_ranges[] = {
	{"::/128", "unspecified (::/128)"},
	{"::1/128", "loopback (::1/128)"},
	{"::/96", "IPv4-compatible (::/96)"},
	{"::ffff:0:0/96", "IPv4-mapped (::ffff:0:0/96)"},
	{"64:ff9b::/96", "IPv4/IPv6 translation (64:ff9b::/96)"},
	{"64:ff9b:1::/48", "IPv4/IPv6 translation (64:ff9b:1::/48)"},
	{"100::/64", "discard-only (100::/64)"},
	{"2001::/23", "IETF protocol assignments (2001::/23)"},
	{"2001:db8::/32", "documentation (2001:db8::/32)"},
	{"2002::/16", "6to4 (2002::/16)"},
	{"3fff::/20", "documentation (3fff::/20)"},
	{"5f00::/16", "segment routing SIDs (5f00::/16)"},
	{"fc00::/7", "unique-local (fc00::/7)"},
	{"fe80::/10", "link-local (fe80::/10)"},
	{"fec0::/10", "site-local (fec0::/10)"},
	{"ff00::/8", "multicast (ff00::/8)"},
};

int
mpic__cidr_parse(const char *s, size_t len, struct mpic__cidr *out)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = memchr(s, '/', len);
	size_t alen, i, max;
	unsigned long plen = 0;

	memset(out, 0, sizeof(*out));
	if (slash == NULL)
		return MPIC_EINVAL;
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(addr))
		return MPIC_EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->af = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->af = AF_INET6;
		max = 128;
	} else {
		return MPIC_EINVAL;
	}
	i = alen + 1;
	if (i >= len || len - i > 3)
		return MPIC_EINVAL;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return MPIC_EINVAL;
		plen = plen * 10 + (unsigned long)(s[i] - '0');
	}
	if (plen > max)
		return MPIC_EINVAL;
	out->plen = (unsigned)plen;
	return 0;
}

bool
mpic__cidr_contains(const struct mpic__cidr *c, int af, const uint8_t *addr)
{
	unsigned full = c->plen / 8, rest = c->plen % 8;
	uint8_t mask;

	if (c->af != af)
		return false;
	if (memcmp(c->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xffu << (8 - rest));
	return (c->addr[full] & mask) == (addr[full] & mask);
}

static const char *
in_ranges(const struct range *r, size_t n, int af, const uint8_t *addr)
{
	struct mpic__cidr c;
	size_t i;

	for (i = 0; i < n; i++) {
		/* fixed strings: parsing cannot fail */
		if (mpic__cidr_parse(r[i].cidr, strlen(r[i].cidr), &c) == 0 &&
		    mpic__cidr_contains(&c, af, addr))
			return r[i].what;
	}
	return NULL;
}

const char *
mpic__addr_reserved(int af, const uint8_t *addr)
{
	const char *why;

	if (af == AF_INET)
		return in_ranges(v4_ranges, sizeof(v4_ranges) /
		    sizeof(v4_ranges[0]), af, addr);
	if (af == AF_INET6) {
		why = in_ranges(v6_ranges, sizeof(v6_ranges) /
		    sizeof(v6_ranges[0]), af, addr);
		/* only global unicast is the public Internet: 2000::/3
		 * (RFC 4291 2.4), less the special ranges above; the rest of
		 * the space is unassigned or reserved (e.g. ::ffff:0:a.b.c.d,
		 * the SIIT form of an IPv4 address, or 4000::/3) */
		if (why == NULL && (addr[0] & 0xe0) != 0x20)
			why = "outside global unicast (2000::/3)";
		return why;
	}
	return "not an IP address";
}

const char *
mpic__addr_refused(int af, const uint8_t *addr,
		   const struct mpic__cidr *allowed, size_t n)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff};
	const char *why;
	size_t i;

	/* an IPv4-mapped address is IPv4 traffic: judge the IPv4 address */
	if (af == AF_INET6 && memcmp(addr, mapped, 12) == 0) {
		af = AF_INET;
		addr += 12;
	}
	why = mpic__addr_reserved(af, addr);
	if (why == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (mpic__cidr_contains(&allowed[i], af, addr))
			return NULL;
	return why;
}
