/*
 * name.c - DNS names as text: comparison, and the reverse-zone name of an
 * address; the DNSSEC state's name.  The lowest part of lib/dns: the
 * request model and every check use it.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "dns/dns.h"

int
mpic__reverse_name(int af, const uint8_t *addr, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, need;
	int i, n;

	if (af == AF_INET) {
		need = (size_t)snprintf(NULL, 0, "%u.%u.%u.%u.in-addr.arpa",
		    addr[3], addr[2], addr[1], addr[0]);
		if (need >= outlen)
			return MPIC_ETOOBIG;
		snprintf(out, outlen, "%u.%u.%u.%u.in-addr.arpa", addr[3],
		    addr[2], addr[1], addr[0]);
		return 0;
	}
	if (af != AF_INET6)
		return MPIC_EINVAL;
	/* 32 nibbles with dots, then "ip6.arpa". */
	if (outlen < 64 + sizeof("ip6.arpa"))
		return MPIC_ETOOBIG;
	for (i = 15; i >= 0; i--) {
		n = addr[i];
		out[o++] = hex[n & 0xf];
		out[o++] = '.';
		out[o++] = hex[n >> 4];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

bool
mpic__name_eq(const char *a, const char *b)
{
	size_t la, lb, i;

	if (a == NULL || b == NULL)
		return false;
	la = strlen(a);
	lb = strlen(b);
	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	if (la != lb)
		return false;
	for (i = 0; i < la; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

const char *
mpic__dnssec_str(enum mpic__dnssec s)
{
	switch (s) {
	case MPIC__DNSSEC_SECURE: return "secure";
	case MPIC__DNSSEC_INSECURE: return "insecure";
	case MPIC__DNSSEC_BOGUS: return "bogus";
	default: return "indeterminate";
	}
}
