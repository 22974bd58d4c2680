/*
 * match.c - comparing a fetched body with the challenge.  The body is
 * network input of at most MPIC__HTTP_BODY_MAX octets, not NUL-terminated
 * and possibly holding NULs.
 */
#include <string.h>
#include <strings.h>

#include "util/regex.h"
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
		    bool exact_case, const char *regex, bool *matched,
		    char *why, size_t whylen)
{
	struct mpic__regex *re = NULL;
	int rc;

	*matched = false;
	if (whylen > 0)
		why[0] = '\0';
	/* BR 3.2.2.4.18: the Random Value must be in the body; a regex
	 * narrows the match further, it never replaces the value */
	if (!contains(body, len, value, exact_case))
		return 0;
	if (regex == NULL) {
		*matched = true;
		return 0;
	}
	rc = mpic__regex_compile(regex, strlen(regex), &re, why, whylen);
	if (rc == 0)
		rc = mpic__regex_search(re, body, len, matched, why, whylen);
	mpic__regex_free(re);
	return rc;
}
