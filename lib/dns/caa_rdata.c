/*
 * caa_rdata.c - the CAA rdata codec (RFC 8659 4.1): wire to struct and
 * to presentation form.  It lives with the DNS wire code, which prints
 * the CAA records a check saw (msg.c); the CAA policy (lib/caa) reads
 * the same structs.
 */
#include <string.h>

#include "dns/dns.h"

#define CAA_WIRE_TAG_MAX 255

static bool
is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

int
mpic__caa_rr_parse(const uint8_t *rd, size_t len, struct mpic__caa_rr *out)
{
	size_t taglen, i;
	int rc = MPIC_EPARSE;

	if (rd == NULL || out == NULL || len < 2)
		goto out;
	taglen = rd[1];
	if (taglen == 0 || taglen > CAA_WIRE_TAG_MAX || taglen > len - 2)
		goto out;
	for (i = 0; i < taglen; i++)
		if (!is_alnum(rd[2 + i]))
			goto out;
	/* Only now is out written: a failed parse leaves it untouched. */
	memset(out, 0, sizeof(*out));
	out->flags = rd[0];
	memcpy(out->tag, rd + 2, taglen);
	out->tag[taglen] = '\0';
	out->value = rd + 2 + taglen;
	out->value_len = len - 2 - taglen;
	rc = 0;
out:
	return rc;
}

void
mpic__caa_rr_put(struct mpic__sbuf *sb, const struct mpic__caa_rr *rr, size_t vmax)
{
	size_t taglen = strnlen(rr->tag, sizeof(rr->tag));
	size_t vlen = rr->value_len;

	if (rr->value == NULL)
		vlen = 0;
	if (vlen > vmax)
		vlen = vmax;
	mpic__sbuf_put_dec(sb, rr->flags, 1);
	mpic__sbuf_putc(sb, ' ');
	mpic__sbuf_put_escaped(sb, (const uint8_t *)rr->tag, taglen);
	mpic__sbuf_putc(sb, ' ');
	mpic__sbuf_putc(sb, '"');
	if (vlen > 0)
		mpic__sbuf_put_escaped(sb, rr->value, vlen);
	if (vlen < rr->value_len)
		mpic__sbuf_puts(sb, "...");
	mpic__sbuf_putc(sb, '"');
}

int
mpic__caa_rr_str(const struct mpic__caa_rr *rr, char *out, size_t outlen)
{
	struct mpic__sbuf sb = { out, outlen, 0, false };
	int rc = MPIC_ETOOBIG;

	if (out == NULL || outlen == 0)
		goto out;
	out[0] = '\0';
	if (rr == NULL || (rr->value == NULL && rr->value_len > 0)) {
		rc = MPIC_EINVAL;
		goto out;
	}
	mpic__caa_rr_put(&sb, rr, rr->value_len);
	if (sb.full) {
		/* Never hand back a silently shortened string. */
		out[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	return rc;
}
