/*
 * msg.c - DNS wire-format parsing (RFC 1035 4.1) with bounds on every read.
 *
 * libunbound hands its answers over as packets; this is the only place that
 * reads them.  Names are followed through compression pointers with a jump
 * limit, rdata names of the well-known types are decompressed so that each
 * record's rdata stands on its own.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"
#include "dns/dns.h"

#define MAX_JUMPS 64

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Append one label in presentation form; returns 0 or MPIC_ETOOBIG. */
static int
put_label(const uint8_t *lab, size_t n, char *out, size_t outlen, size_t *o)
{
	size_t i;
	char esc[8];

	for (i = 0; i < n; i++) {
		uint8_t c = lab[i];
		size_t need;

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		if (c == '.' || c == '\\' || c == '"' || c == ';' ||
		    c == '(' || c == ')' || c == '@' || c == '$') {
			esc[0] = '\\';
			esc[1] = (char)c;
			esc[2] = '\0';
		} else if (c <= 0x20 || c >= 0x7f) {
			snprintf(esc, sizeof(esc), "\\%03u", c);
		} else {
			esc[0] = (char)c;
			esc[1] = '\0';
		}
		need = strlen(esc);
		if (*o + need + 1 > outlen)
			return MPIC_ETOOBIG;
		memcpy(out + *o, esc, need);
		*o += need;
	}
	out[*o] = '\0';
	return 0;
}

int
mpic__dns_name_read(const uint8_t *pkt, size_t len, size_t *off, char *out,
		    size_t outlen)
{
	size_t pos = *off, o = 0, wire = 0, end = 0;
	int jumps = 0;
	bool jumped = false;

	if (outlen == 0)
		return MPIC_ETOOBIG;
	out[0] = '\0';
	for (;;) {
		uint8_t l;

		if (pos >= len)
			return MPIC_EPARSE;
		l = pkt[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++jumps > MAX_JUMPS)
				return MPIC_EPARSE;
			if (!jumped)
				end = pos + 2;
			jumped = true;
			pos = (size_t)(l & 0x3f) << 8 | pkt[pos + 1];
			continue;
		}
		if ((l & 0xc0) != 0)
			return MPIC_EPARSE; /* extended label types */
		if (l == 0) {
			pos++;
			break;
		}
		if (pos + 1 + l > len)
			return MPIC_EPARSE;
		wire += (size_t)l + 1;
		if (wire > 254)
			return MPIC_EPARSE;
		if (o > 0) {
			if (o + 2 > outlen)
				return MPIC_ETOOBIG;
			out[o++] = '.';
			out[o] = '\0';
		}
		if (put_label(pkt + pos + 1, l, out, outlen, &o) != 0)
			return MPIC_ETOOBIG;
		pos += 1 + (size_t)l;
	}
	*off = jumped ? end : pos;
	return 0;
}

int
mpic__dns_rdata_name(const uint8_t *rd, size_t len, char *out, size_t outlen)
{
	size_t off = 0;
	int rc = mpic__dns_name_read(rd, len, &off, out, outlen);

	/* rdata names are stored uncompressed: a pointer here is malformed */
	if (rc == 0 && off > len)
		return MPIC_EPARSE;
	return rc;
}

/*
 * Copy a name from the packet into dst as uncompressed wire form.
 * Returns the wire length or a negative error.
 */
static int
name_to_wire(const uint8_t *pkt, size_t len, size_t *off, uint8_t *dst,
	     size_t dstlen)
{
	size_t pos = *off, o = 0, end = 0;
	int jumps = 0;
	bool jumped = false;

	for (;;) {
		uint8_t l;

		if (pos >= len)
			return MPIC_EPARSE;
		l = pkt[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++jumps > MAX_JUMPS)
				return MPIC_EPARSE;
			if (!jumped)
				end = pos + 2;
			jumped = true;
			pos = (size_t)(l & 0x3f) << 8 | pkt[pos + 1];
			continue;
		}
		if ((l & 0xc0) != 0 || pos + 1 + l > len)
			return MPIC_EPARSE;
		if (o + 1 + l > dstlen || o + 1 + l > 255)
			return MPIC_EPARSE;
		memcpy(dst + o, pkt + pos, (size_t)l + 1);
		o += (size_t)l + 1;
		pos += (size_t)l + 1;
		if (l == 0)
			break;
	}
	*off = jumped ? end : pos;
	return (int)o;
}

/* Number of leading names in the rdata of types whose names compress. */
static int
rdata_names(uint16_t type, size_t *skip)
{
	*skip = 0;
	switch (type) {
	case MPIC__RR_NS:
	case MPIC__RR_CNAME:
	case MPIC__RR_PTR:
	case 39: /* DNAME */
		return 1;
	case 15: /* MX: preference, then a name */
		*skip = 2;
		return 1;
	case MPIC__RR_SOA:
		return 2;
	default:
		return 0;
	}
}

static int
parse_rr(const uint8_t *pkt, size_t len, size_t *off, struct mpic__dns_rr *rr)
{
	size_t pos = *off, rdstart, rdend, skip, p;
	uint16_t rdlen;
	uint8_t buf[2 * 256 + 64];
	int names, i, n;
	size_t o = 0;

	memset(rr, 0, sizeof(*rr));
	if (mpic__dns_name_read(pkt, len, &pos, rr->owner,
	    sizeof(rr->owner)) != 0)
		return MPIC_EPARSE;
	if (pos + 10 > len)
		return MPIC_EPARSE;
	rr->type = get16(pkt + pos);
	rr->rclass = get16(pkt + pos + 2);
	rr->ttl = (uint32_t)get16(pkt + pos + 4) << 16 | get16(pkt + pos + 6);
	rdlen = get16(pkt + pos + 8);
	pos += 10;
	if (pos + rdlen > len)
		return MPIC_EPARSE;
	rdstart = pos;
	rdend = pos + rdlen;
	names = rdata_names(rr->type, &skip);
	if (names == 0) {
		rr->rdata = mpic__malloc(rdlen);
		if (rr->rdata == NULL)
			return MPIC_ENOMEM;
		memcpy(rr->rdata, pkt + rdstart, rdlen);
		rr->rdlen = rdlen;
		*off = rdend;
		return 0;
	}
	/* Decompress the names; copy fixed fields as they are. */
	if (rdstart + skip > rdend)
		return MPIC_EPARSE;
	memcpy(buf, pkt + rdstart, skip);
	o = skip;
	p = rdstart + skip;
	for (i = 0; i < names; i++) {
		n = name_to_wire(pkt, rdend, &p, buf + o, sizeof(buf) - o);
		if (n < 0)
			return MPIC_EPARSE;
		o += (size_t)n;
	}
	if (p > rdend || rdend - p > sizeof(buf) - o)
		return MPIC_EPARSE;
	if (rr->type == MPIC__RR_SOA && rdend - p != 20)
		return MPIC_EPARSE;
	memcpy(buf + o, pkt + p, rdend - p);
	o += rdend - p;
	rr->rdata = mpic__malloc(o);
	if (rr->rdata == NULL)
		return MPIC_ENOMEM;
	memcpy(rr->rdata, buf, o);
	rr->rdlen = (uint16_t)o;
	*off = rdend;
	return 0;
}

static int
parse_section(const uint8_t *pkt, size_t len, size_t *off, unsigned count,
	      struct mpic__dns_rr **out, size_t *nout)
{
	unsigned i;
	int rc;

	*out = NULL;
	*nout = 0;
	if (count == 0)
		return 0;
	if (count > MPIC__DNS_MAX_RR)
		return MPIC_ETOOBIG;
	*out = mpic__calloc(count, sizeof(**out));
	if (*out == NULL)
		return MPIC_ENOMEM;
	for (i = 0; i < count; i++) {
		rc = parse_rr(pkt, len, off, &(*out)[i]);
		if (rc != 0) {
			mpic__free((*out)[i].rdata);
			return rc;
		}
		(*nout)++;
	}
	return 0;
}

int
mpic__dns_msg_parse(const uint8_t *pkt, size_t len, struct mpic__dns_msg *msg)
{
	size_t off = 12;
	unsigned qd, an, ns;
	int rc;

	memset(msg, 0, sizeof(*msg));
	if (len < 12)
		return MPIC_EPARSE;
	msg->id = get16(pkt);
	msg->flags = get16(pkt + 2);
	msg->rcode = msg->flags & 0x0f;
	msg->tc = (msg->flags & 0x0200) != 0;
	msg->aa = (msg->flags & 0x0400) != 0;
	msg->ad = (msg->flags & 0x0020) != 0;
	qd = get16(pkt + 4);
	an = get16(pkt + 6);
	ns = get16(pkt + 8);
	if (qd > 1)
		return MPIC_EPARSE;
	if (qd == 1) {
		if (mpic__dns_name_read(pkt, len, &off, msg->qname,
		    sizeof(msg->qname)) != 0 || off + 4 > len)
			return MPIC_EPARSE;
		msg->qtype = get16(pkt + off);
		off += 4;
	}
	rc = parse_section(pkt, len, &off, an, &msg->an, &msg->n_an);
	if (rc == 0)
		rc = parse_section(pkt, len, &off, ns, &msg->ns, &msg->n_ns);
	if (rc != 0)
		mpic__dns_msg_release(msg);
	return rc;
}

void
mpic__dns_msg_release(struct mpic__dns_msg *msg)
{
	size_t i;

	if (msg == NULL)
		return;
	for (i = 0; i < msg->n_an; i++)
		mpic__free(msg->an[i].rdata);
	for (i = 0; i < msg->n_ns; i++)
		mpic__free(msg->ns[i].rdata);
	mpic__free(msg->an);
	mpic__free(msg->ns);
	msg->an = msg->ns = NULL;
	msg->n_an = msg->n_ns = 0;
}

int
mpic__dns_txt_concat(const uint8_t *rd, size_t len, char *out, size_t outlen)
{
	size_t pos = 0, o = 0;

	if (outlen == 0)
		return MPIC_ETOOBIG;
	while (pos < len) {
		size_t l = rd[pos];

		if (pos + 1 + l > len)
			return MPIC_EPARSE;
		if (o + l + 1 > outlen)
			return MPIC_ETOOBIG;
		memcpy(out + o, rd + pos + 1, l);
		o += l;
		pos += 1 + l;
	}
	out[o] = '\0';
	return (int)o;
}

const char *
mpic__dns_type_str(uint16_t type, char buf[16])
{
	switch (type) {
	case MPIC__RR_A: return "A";
	case MPIC__RR_NS: return "NS";
	case MPIC__RR_CNAME: return "CNAME";
	case MPIC__RR_SOA: return "SOA";
	case MPIC__RR_PTR: return "PTR";
	case MPIC__RR_TXT: return "TXT";
	case MPIC__RR_AAAA: return "AAAA";
	case MPIC__RR_DS: return "DS";
	case MPIC__RR_CAA: return "CAA";
	default:
		snprintf(buf, 16, "TYPE%u", type);
		return buf;
	}
}

/* Quoted character-string with escapes; returns 0 or MPIC_ETOOBIG. */
static int
put_quoted(const uint8_t *s, size_t n, char *out, size_t outlen, size_t *o)
{
	size_t i;
	char esc[8];

	if (*o + 2 > outlen)
		return MPIC_ETOOBIG;
	out[(*o)++] = '"';
	for (i = 0; i < n; i++) {
		uint8_t c = s[i];
		size_t need;

		if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			snprintf(esc, sizeof(esc), "\\%03u", c);
		else
			snprintf(esc, sizeof(esc), "%c", c);
		need = strlen(esc);
		if (*o + need + 2 > outlen)
			return MPIC_ETOOBIG;
		memcpy(out + *o, esc, need);
		*o += need;
	}
	out[(*o)++] = '"';
	out[*o] = '\0';
	return 0;
}

int
mpic__dns_rdata_str(uint16_t type, const uint8_t *rd, size_t len, char *out,
		    size_t outlen)
{
	size_t o = 0, pos = 0;
	char name[MPIC__NAME_MAX + 2];
	struct mpic__caa_rr caa;

	if (outlen == 0)
		return MPIC_ETOOBIG;
	out[0] = '\0';
	switch (type) {
	case MPIC__RR_A:
		if (len != 4)
			return MPIC_EPARSE;
		snprintf(out, outlen, "%u.%u.%u.%u", rd[0], rd[1], rd[2], rd[3]);
		return 0;
	case MPIC__RR_AAAA:
		if (len != 16)
			return MPIC_EPARSE;
		if (inet_ntop(AF_INET6, rd, out, (socklen_t)outlen) == NULL)
			return MPIC_ETOOBIG;
		return 0;
	case MPIC__RR_NS:
	case MPIC__RR_CNAME:
	case MPIC__RR_PTR:
		if (mpic__dns_rdata_name(rd, len, name, sizeof(name)) != 0)
			return MPIC_EPARSE;
		if (strlen(name) + 2 > outlen)
			return MPIC_ETOOBIG;
		snprintf(out, outlen, "%s.", name);
		return 0;
	case MPIC__RR_TXT:
		while (pos < len) {
			size_t l = rd[pos];

			if (pos + 1 + l > len)
				return MPIC_EPARSE;
			if (o > 0) {
				if (o + 2 > outlen)
					return MPIC_ETOOBIG;
				out[o++] = ' ';
			}
			if (put_quoted(rd + pos + 1, l, out, outlen, &o) != 0)
				return MPIC_ETOOBIG;
			pos += 1 + l;
		}
		return 0;
	case MPIC__RR_CAA:
		if (mpic__caa_rr_parse(rd, len, &caa) != 0)
			return MPIC_EPARSE;
		return mpic__caa_rr_str(&caa, out, outlen);
	default:
		/* RFC 3597 generic form */
		if (snprintf(out, outlen, "\\# %zu ", len) >= (int)outlen)
			return MPIC_ETOOBIG;
		o = strlen(out);
		for (pos = 0; pos < len; pos++) {
			if (o + 3 > outlen)
				return MPIC_ETOOBIG;
			snprintf(out + o, outlen - o, "%02x", rd[pos]);
			o += 2;
		}
		return 0;
	}
}
