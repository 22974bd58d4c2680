/*
 * denial.c - reading DNSSEC denial-of-existence records (NSEC, RFC 4034 4;
 * NSEC3, RFC 5155) that a validated answer carries in its authority
 * section.  Used to prove a delegation unsigned (RFC 4035 4.3, Insecure)
 * for the BR's CAA lookup-failure carve-out.  The records themselves were
 * validated by libunbound; this only reads what they say.
 *
 * NSEC3 opt-out is deliberately not read here: an unsigned delegation in an
 * opt-out span has no NSEC3 of its own, and libunbound, which checks the
 * closest-encloser proof (RFC 5155 8.6), reports such a DS denial Insecure
 * rather than secure (RFC 5155 9.2), so the caller accepts it from that
 * status.  A *secure* answer whose only denial is an opt-out span is not a
 * proof (fail closed).  See docs/dns.md, "Denial proofs".
 */
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "dns/dns.h"

int
mpic__dns_name_to_wire(const char *name, uint8_t *out, size_t outlen)
{
	const char *p = name;
	size_t o = 0, lab = 0;

	if (outlen < 1)
		return MPIC_ETOOBIG;
	out[o++] = 0; /* length of the first label, filled in below */
	while (*p != '\0') {
		unsigned c = (unsigned char)*p++;

		if (c == '.') {
			if (out[lab] == 0)
				return MPIC_EINVAL; /* empty label */
			lab = o;
			if (o >= outlen)
				return MPIC_ETOOBIG;
			out[o++] = 0;
			continue;
		}
		if (c == '\\') {
			if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' &&
			    p[1] <= '9' && p[2] >= '0' && p[2] <= '9') {
				c = (unsigned)((p[0] - '0') * 100 +
				    (p[1] - '0') * 10 + (p[2] - '0'));
				if (c > 255)
					return MPIC_EINVAL;
				p += 3;
			} else if (*p != '\0') {
				c = (unsigned char)*p++;
			} else {
				return MPIC_EINVAL;
			}
		}
		if (o >= outlen || out[lab] == 63 || o >= 255)
			return MPIC_ETOOBIG;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		out[o++] = (uint8_t)c;
		out[lab]++;
	}
	if (o > 1 && out[lab] == 0)
		o--; /* "name." : drop the empty label the dot opened */
	if (o == 1 && out[0] == 0)
		return 1; /* the root */
	if (o >= outlen)
		return MPIC_ETOOBIG;
	out[o++] = 0;
	return (int)o;
}

/* Does a type bitmap (RFC 4034 4.1.2) list type? */
static bool
bitmap_has(const uint8_t *bm, size_t len, uint16_t type)
{
	size_t pos = 0;

	while (pos + 2 <= len) {
		unsigned win = bm[pos], blen = bm[pos + 1];
		unsigned byte = (type & 0xff) / 8;

		if (blen == 0 || blen > 32 || pos + 2 + blen > len)
			return false;
		if (win == (unsigned)(type >> 8))
			return byte < blen &&
			    (bm[pos + 2 + byte] & (0x80 >> (type & 7))) != 0;
		pos += 2 + blen;
	}
	return false;
}

/* NS present, SOA and DS absent: an unsigned delegation point. */
static bool
unsigned_delegation(const uint8_t *bm, size_t len)
{
	return bitmap_has(bm, len, MPIC__RR_NS) &&
	    !bitmap_has(bm, len, MPIC__RR_SOA) && !bitmap_has(bm, len, MPIC__RR_DS);
}

int
mpic__nsec3_hash(const char *name, const uint8_t *salt, size_t saltlen,
		 unsigned iterations, char *out, size_t outlen)
{
	static const char b32hex[] = "0123456789abcdefghijklmnopqrstuv";
	uint8_t wire[256], buf[256 + 255], h[SHA_DIGEST_LENGTH];
	int n = mpic__dns_name_to_wire(name, wire, sizeof(wire));
	unsigned i;
	size_t o = 0, bits = 0;
	uint32_t acc = 0;

	if (n < 0)
		return n;
	if (iterations > 2500 || outlen < 33)
		return MPIC_ETOOBIG;
	memcpy(buf, wire, (size_t)n);
	memcpy(buf + n, salt, saltlen);
	SHA1(buf, (size_t)n + saltlen, h);
	for (i = 0; i < iterations; i++) {
		memcpy(buf, h, sizeof(h));
		memcpy(buf + sizeof(h), salt, saltlen);
		SHA1(buf, sizeof(h) + saltlen, h);
	}
	for (i = 0; i < sizeof(h); i++) {
		acc = acc << 8 | h[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32hex[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[o] = '\0';
	return 0;
}

/* NSEC3 rdata: does it match name's hash and deny DS at a delegation? */
static bool
nsec3_proves(const struct mpic__dns_rr *rr, const char *name)
{
	const uint8_t *rd = rr->rdata;
	size_t len = rr->rdlen, pos, saltlen, hashlen;
	unsigned iterations;
	char hash[40];
	const char *dot = strchr(rr->owner, '.');

	if (len < 5 || rd[0] != 1 || dot == NULL)
		return false; /* only SHA-1 is defined */
	iterations = (unsigned)(rd[2] << 8 | rd[3]);
	saltlen = rd[4];
	pos = 5 + saltlen;
	if (pos >= len)
		return false;
	hashlen = rd[pos];
	pos += 1 + hashlen;
	if (pos > len)
		return false;
	/* the record must belong to the zone that contains name */
	if (!mpic__name_eq(dot + 1, name) &&
	    (strlen(name) <= strlen(dot + 1) ||
	    !mpic__name_eq(name + strlen(name) - strlen(dot + 1), dot + 1) ||
	    name[strlen(name) - strlen(dot + 1) - 1] != '.'))
		return false;
	if (mpic__nsec3_hash(name, rd + 5, saltlen, iterations, hash,
	    sizeof(hash)) != 0)
		return false;
	if ((size_t)(dot - rr->owner) != strlen(hash) ||
	    strncasecmp(rr->owner, hash, strlen(hash)) != 0)
		return false;
	return unsigned_delegation(rd + pos, len - pos);
}

bool
mpic__dns_proves_unsigned_delegation(const struct mpic__dns_msg *msg,
				     const char *name)
{
	char next[MPIC__NAME_MAX + 2];
	size_t i, pos;

	if (msg == NULL)
		return false;
	for (i = 0; i < msg->n_ns; i++) {
		const struct mpic__dns_rr *rr = &msg->ns[i];

		if (rr->type == MPIC__RR_NSEC && mpic__name_eq(rr->owner, name)) {
			pos = 0;
			if (mpic__dns_name_read(rr->rdata, rr->rdlen, &pos, next,
			    sizeof(next)) != 0)
				return false;
			return unsigned_delegation(rr->rdata + pos,
			    rr->rdlen - pos);
		}
		if (rr->type == MPIC__RR_NSEC3 && nsec3_proves(rr, name))
			return true;
	}
	return false;
}
