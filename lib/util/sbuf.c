/*
 * sbuf.c - a bounded string builder that records overflow instead of
 * truncating (util/util.h), and presentation escaping: the CAA rdata
 * codec (lib/dns) and the CAA policy's reasons (lib/caa) write with it.
 */
#include <string.h>

#include "util/util.h"

void
mpic__sbuf_putc(struct mpic__sbuf *sb, char c)
{
	if (sb->full || sb->len + 1 >= sb->size) {
		sb->full = true;
		return;
	}
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void
mpic__sbuf_puts(struct mpic__sbuf *sb, const char *s)
{
	while (*s != '\0')
		mpic__sbuf_putc(sb, *s++);
}

void
mpic__sbuf_put_dec(struct mpic__sbuf *sb, unsigned v, int min_digits)
{
	char d[8];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && n < (int)sizeof(d));
	while (n < min_digits && n < (int)sizeof(d))
		d[n++] = '0';
	while (n > 0)
		mpic__sbuf_putc(sb, d[--n]);
}

/*
 * Presentation escaping (RFC 1035 5.1 style, as RFC 8659 4.1.1 uses):
 * '"' and '\' get a backslash, printable ASCII stands, the rest is \DDD.
 */
void
mpic__sbuf_put_escaped(struct mpic__sbuf *sb, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && !sb->full; i++) {
		if (p[i] == '"' || p[i] == '\\') {
			mpic__sbuf_putc(sb, '\\');
			mpic__sbuf_putc(sb, (char)p[i]);
		} else if (p[i] >= 0x20 && p[i] <= 0x7e) {
			mpic__sbuf_putc(sb, (char)p[i]);
		} else {
			mpic__sbuf_putc(sb, '\\');
			mpic__sbuf_put_dec(sb, p[i], 3);
		}
	}
}
