/*
 * trace.c - W3C Trace Context headers (trace.h).  The rules are the
 * specification's (section 3.2 traceparent, 4.3 versioning): lowercase
 * hex only, all-zero ids invalid, version ff invalid, a later version
 * read by its first four fields.
 */
#include <string.h>

#include <openssl/rand.h>

#include "util/util.h"
#include "util/trace.h"

static bool
lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool
all_zero(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != '0')
			return false;
	return true;
}

static unsigned
hex_val(char c)
{
	return c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
}

bool
mpic__trace_parse(const char *s, size_t len, struct mpic__trace *t)
{
	if (s == NULL)
		return false;
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len < MPIC__TRACEPARENT_LEN || !lower_hex(s, 2) ||
	    memcmp(s, "ff", 2) == 0)
		return false;
	/* version 00 has exactly four fields; a later one may add some */
	if (memcmp(s, "00", 2) == 0 ? len != MPIC__TRACEPARENT_LEN :
	    len > MPIC__TRACEPARENT_LEN && s[MPIC__TRACEPARENT_LEN] != '-')
		return false;
	if (s[2] != '-' || s[35] != '-' || s[52] != '-' ||
	    !lower_hex(s + 3, 32) || !lower_hex(s + 36, 16) ||
	    !lower_hex(s + 53, 2) || all_zero(s + 3, 32) ||
	    all_zero(s + 36, 16))
		return false;
	memcpy(t->trace_id, s + 3, 32);
	t->trace_id[32] = '\0';
	memcpy(t->span_id, s + 36, 16);
	t->span_id[16] = '\0';
	t->flags = (uint8_t)(hex_val(s[53]) << 4 | hex_val(s[54]));
	return true;
}

void
mpic__trace_id_from(const char *id, char out[33])
{
	uint8_t d[32];
	size_t i;

	if (strlen(id) == 32 && lower_hex(id, 32) && !all_zero(id, 32)) {
		memcpy(out, id, 33);
		return;
	}
	mpic__sha256(id, strlen(id), d);
	for (i = 0; i < 16; i++)
		mpic__bufprintf(out + 2 * i, 3, "%02x", d[i]);
	/* 2^-128, but an all-zero id would be ignored downstream */
	if (all_zero(out, 32))
		out[31] = '1';
}

int
mpic__trace_new_span(char out[17])
{
	uint8_t b[8];
	size_t i;

	do {
		if (RAND_bytes(b, sizeof(b)) != 1)
			return MPIC_EIO;
		for (i = 0; i < sizeof(b); i++)
			mpic__bufprintf(out + 2 * i, 3, "%02x", b[i]);
	} while (all_zero(out, 16));
	return 0;
}

void
mpic__trace_format(const char *trace_id, const char *span_id,
		   uint8_t flags, char *out, size_t outlen)
{
	mpic__bufprintf(out, outlen, "00-%s-%s-%02x", trace_id, span_id,
	    (unsigned)flags);
}
