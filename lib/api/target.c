/*
 * target.c - domain_or_ip_target: parsing and normalisation of the name or
 * address a request is about, reverse-zone names, name comparison.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <idn2.h>

#include "api/api_int.h"

#define LABEL_MAX 63

void
api__lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Labels are counted from 1 in messages.  first_label shifts the count,
 * so that a wildcard target's labels are numbered as the user sees them.
 */
static int
name_check(const char *s, size_t len, unsigned flags, int first_label,
	   char *err, size_t errlen)
{
	size_t i, start, llen;
	int label = first_label, labels = 0;
	bool all_digits = true;

	if (len == 0) {
		mpic__bufprintf(err, errlen, "is empty");
		return MPIC_EINVAL;
	}
	if (len > MPIC__NAME_MAX) {
		mpic__bufprintf(err, errlen,
		    "is longer than %d octets", MPIC__NAME_MAX);
		return MPIC_EINVAL;
	}
	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			char ch = s[i];

			if (ch == '_' && (flags & API_NAME_UNDERSCORE))
				continue;
			if (!is_alnum(ch) && ch != '-') {
				mpic__bufprintf(err, errlen,
				    "label %d has a character that is not a "
				    "letter, digit or hyphen", label);
				return MPIC_EINVAL;
			}
			continue;
		}
		/* End of a label: s[start..i). */
		llen = i - start;
		if (llen == 0) {
			mpic__bufprintf(err, errlen, "label %d is empty",
			    label);
			return MPIC_EINVAL;
		}
		if (llen > LABEL_MAX) {
			mpic__bufprintf(err, errlen,
			    "label %d is longer than %d octets", label,
			    LABEL_MAX);
			return MPIC_EINVAL;
		}
		if (s[start] == '-' || s[i - 1] == '-') {
			mpic__bufprintf(err, errlen,
			    "label %d begins or ends with a hyphen", label);
			return MPIC_EINVAL;
		}
		/* RFC 5891 4.2.3.1: "??--" is reserved except for A-labels. */
		if (!(flags & API_NAME_UNDERSCORE) && llen >= 4 &&
		    s[start + 2] == '-' && s[start + 3] == '-' &&
		    strncasecmp(s + start, "xn--", 4) != 0) {
			mpic__bufprintf(err, errlen,
			    "label %d has hyphens in the 3rd and 4th "
			    "positions but is not an A-label", label);
			return MPIC_EINVAL;
		}
		all_digits = true;
		for (size_t k = start; k < i; k++)
			if (!is_digit(s[k]))
				all_digits = false;
		labels++;
		label++;
		start = i + 1;
	}
	if ((flags & API_NAME_TWO_LABELS) && labels < 2) {
		mpic__bufprintf(err, errlen,
		    "must have at least two labels (a fully qualified name)");
		return MPIC_EINVAL;
	}
	/* RFC 3696 2: a top-level domain is never all-numeric. */
	if (!(flags & API_NAME_UNDERSCORE) && all_digits) {
		mpic__bufprintf(err, errlen,
		    "is neither an IPv4 address in dotted-quad form nor a "
		    "name (the last label is numeric)");
		return MPIC_EINVAL;
	}
	return 0;
}

int
api__name_check(const char *s, size_t len, unsigned flags, char *err,
		size_t errlen)
{
	return name_check(s, len, flags, 1, err, errlen);
}

static bool
has_a_label(const char *s)
{
	const char *p = s;

	for (;;) {
		if (strncasecmp(p, "xn--", 4) == 0)
			return true;
		p = strchr(p, '.');
		if (p == NULL)
			return false;
		p++;
	}
}

static int
parse_ip(const char *buf, struct mpic__target *t, char *err, size_t errlen)
{
	char text[INET6_ADDRSTRLEN];

	if (strchr(buf, ':') != NULL) {
		if (inet_pton(AF_INET6, buf, t->addr) != 1) {
			mpic__bufprintf(err, errlen,
			    "is not a valid IPv6 address");
			return MPIC_EINVAL;
		}
		t->af = AF_INET6;
	} else {
		if (inet_pton(AF_INET, buf, t->addr) != 1) {
			mpic__bufprintf(err, errlen,
			    "is not a valid IPv4 address (four decimal "
			    "numbers 0-255, no leading zeros)");
			return MPIC_EINVAL;
		}
		t->af = AF_INET;
	}
	if (inet_ntop(t->af, t->addr, text, sizeof(text)) == NULL) {
		mpic__bufprintf(err, errlen, "address cannot be printed");
		return MPIC_EINVAL;
	}
	memcpy(t->name, text, strlen(text) + 1);
	t->is_ip = true;
	return 0;
}

/* IDNA (UTS-46, non-transitional) of base into out; 0 or MPIC_EINVAL. */
static int
to_ascii(const char *base, char *out, size_t outlen, char *err,
	 size_t errlen)
{
	char *a = NULL;
	int rc, ret = MPIC_EINVAL;

	rc = idn2_to_ascii_8z(base, &a, IDN2_NONTRANSITIONAL |
	    IDN2_NFC_INPUT);
	if (rc != IDN2_OK) {
		if (rc == IDN2_MALLOC) {
			ret = MPIC_ENOMEM;
			mpic__bufprintf(err, errlen, "out of memory");
		} else
			mpic__bufprintf(err, errlen,
			    "is not a valid internationalised name: %s",
			    idn2_strerror(rc));
		goto out;
	}
	if (strlen(a) >= outlen) {
		mpic__bufprintf(err, errlen,
		    "is longer than %d octets once IDNA-encoded",
		    MPIC__NAME_MAX);
		goto out;
	}
	memcpy(out, a, strlen(a) + 1);
	ret = 0;
out:
	idn2_free(a);
	return ret;
}

int
mpic__target_parse(const char *in, size_t len, struct mpic__target *t,
		   char *err, size_t errlen)
{
	char buf[API_TARGET_INPUT_MAX + 1];
	char ascii[MPIC__NAME_MAX + 1];
	const char *base;
	size_t i, blen;
	bool non_ascii = false;
	int rc;

	memset(t, 0, sizeof(*t));
	if (in == NULL || len == 0) {
		mpic__bufprintf(err, errlen, "is empty");
		return MPIC_EINVAL;
	}
	if (len > API_TARGET_INPUT_MAX) {
		mpic__bufprintf(err, errlen, "is longer than %d octets",
		    API_TARGET_INPUT_MAX);
		return MPIC_EINVAL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x20 || c == 0x7f) {
			mpic__bufprintf(err, errlen,
			    "has a control character at offset %zu", i);
			return MPIC_EINVAL;
		}
		if (c == ' ') {
			mpic__bufprintf(err, errlen,
			    "has a space at offset %zu", i);
			return MPIC_EINVAL;
		}
		if (c >= 0x80)
			non_ascii = true;
	}
	memcpy(buf, in, len);
	buf[len] = '\0';

	/*
	 * Addresses: anything with a colon is IPv6 (names never have one),
	 * and digits-and-dots must be a strict dotted quad.
	 */
	if (!non_ascii && strchr(buf, ':') != NULL)
		return parse_ip(buf, t, err, errlen);
	if (strspn(buf, "0123456789.") == len)
		return parse_ip(buf, t, err, errlen);

	/* Names: one trailing dot is accepted and dropped. */
	if (buf[len - 1] == '.')
		buf[--len] = '\0';
	base = buf;
	if (len >= 2 && buf[0] == '*' && buf[1] == '.') {
		t->is_wildcard = true;
		base = buf + 2;
	}
	if (strchr(base, '*') != NULL) {
		mpic__bufprintf(err, errlen,
		    "a wildcard is allowed only as the whole first label "
		    "(\"*.\")");
		return MPIC_EINVAL;
	}
	if (base[0] == '\0') {
		mpic__bufprintf(err, errlen, "has no name after the wildcard");
		return MPIC_EINVAL;
	}
	if (non_ascii) {
		rc = to_ascii(base, ascii, sizeof(ascii), err, errlen);
		if (rc != 0)
			return rc;
		blen = strlen(ascii);
		if (blen > 0 && ascii[blen - 1] == '.')
			ascii[--blen] = '\0';  /* a full stop mapped to '.' */
	} else {
		blen = strlen(base);
		if (blen > MPIC__NAME_MAX) {
			mpic__bufprintf(err, errlen,
			    "is longer than %d octets", MPIC__NAME_MAX);
			return MPIC_EINVAL;
		}
		memcpy(ascii, base, blen + 1);
	}
	api__lower(ascii);
	rc = name_check(ascii, blen, API_NAME_TWO_LABELS,
	    t->is_wildcard ? 2 : 1, err, errlen);
	if (rc != 0)
		return rc;
	/* A-labels sent as ASCII must still be valid IDNA. */
	if (!non_ascii && has_a_label(ascii)) {
		char check[MPIC__NAME_MAX + 1];

		rc = to_ascii(ascii, check, sizeof(check), err, errlen);
		if (rc != 0)
			return rc;
	}
	if (blen + (t->is_wildcard ? 2 : 0) > MPIC__NAME_MAX) {
		mpic__bufprintf(err, errlen, "is longer than %d octets",
		    MPIC__NAME_MAX);
		return MPIC_EINVAL;
	}
	mpic__bufprintf(t->name, sizeof(t->name), "%s%s",
	    t->is_wildcard ? "*." : "", ascii);
	t->is_onion = blen >= 6 && strcmp(ascii + blen - 6, ".onion") == 0;
	return 0;
}

const char *
mpic__target_base(const struct mpic__target *t)
{
	if (t->is_wildcard)
		return t->name + 2;
	return t->name;
}
