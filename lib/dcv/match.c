/*
 * match.c - comparing a fetched body with the challenge.  The body is
 * network input of at most MPIC_HTTP_BODY_MAX octets, not NUL-terminated
 * and possibly holding NULs.
 */
#include <regex.h>
#include <string.h>
#include <strings.h>

#include "web.h"

static bool
is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	    ch == '\v' || ch == '\f';
}

bool
mpic__http01_match(const char *body, size_t len, const char *ka)
{
	size_t kl = strlen(ka);

	while (len > 0 && is_ws(body[len - 1]))
		len--;
	return len == kl && memcmp(body, ka, kl) == 0;
}

static bool
contains(const char *hay, size_t hl, const char *needle, bool exact_case)
{
	size_t nl = strlen(needle), i;

	if (nl == 0)
		return true;
	if (nl > hl)
		return false;
	if (exact_case)
		return memmem(hay, hl, needle, nl) != NULL;
	for (i = 0; i + nl <= hl; i++) {
		/* strncasecmp stops at a NUL in the body: no match there */
		if (strncasecmp(hay + i, needle, nl) == 0)
			return true;
	}
	return false;
}

int
mpic__website_match(const char *body, size_t len, const char *value,
		    bool exact_case, const char *regex, bool *matched)
{
	regex_t re;
	char *copy;
	int rc;

	*matched = false;
	/* BR 3.2.2.4.18: the Random Value must be in the body; a regex
	 * narrows the match further, it never replaces the value */
	if (!contains(body, len, value, exact_case))
		return 0;
	if (regex == NULL) {
		*matched = true;
		return 0;
	}
	if (regcomp(&re, regex, REG_EXTENDED | REG_NOSUB) != 0)
		return MPIC_EINVAL;
	copy = mpic__malloc(len + 1);
	if (copy == NULL) {
		regfree(&re);
		return MPIC_ENOMEM;
	}
	memcpy(copy, body, len);
	copy[len] = '\0';
	rc = regexec(&re, copy, 0, NULL, 0);
	*matched = rc == 0;
	mpic__free(copy);
	regfree(&re);
	return 0;
}
