/*
 * regex.h - website-change's match_regex: PCRE2, the dialect Open MPIC's
 * clients write (Python's re: \d \w \s, (?i) (?s), lazy quantifiers,
 * (?P<name>...)), on a body of bytes that may hold NULs.
 *
 * Patterns are UTF-8 with Unicode classes and case folding (as Python's
 * str patterns); the subject is the bytes read, by length: a NUL is an
 * ordinary character and bytes that are not UTF-8 match nothing.  A
 * search (not anchored unless the pattern says so) is bounded by match,
 * depth and heap limits, so a pattern that backtracks catastrophically
 * ends with MPIC_ETOOBIG instead of holding the event loop.
 */
#ifndef MPIC__UTIL_REGEX_H
#define MPIC__UTIL_REGEX_H

#include <stdbool.h>
#include <stddef.h>

/* calls of PCRE2's internal match function: about 15 ms of one core */
#define MPIC__REGEX_MATCH_LIMIT 100000
/* nested backtracking frames: two per byte of an 8 KiB body */
#define MPIC__REGEX_DEPTH_LIMIT 20000
/* KiB of backtracking memory */
#define MPIC__REGEX_HEAP_LIMIT_KIB 8192

struct mpic__regex;

/*
 * Compile the pattern s (len octets, not NUL-terminated).  On success
 * *out is a new regex (free with mpic__regex_free()).  MPIC_EINVAL with
 * PCRE2's reason and the position in why ("missing closing parenthesis
 * at offset 3"), or MPIC_ENOMEM.
 */
int mpic__regex_compile(const char *s, size_t len, struct mpic__regex **out,
			char *why, size_t whylen);
/*
 * Search subject (len octets; NULs included) for re.  0 with *matched
 * set; MPIC_ETOOBIG when a limit stopped the search (which limit in why:
 * the search did not finish, so it is neither a match nor a miss);
 * MPIC_ENOMEM; MPIC_EIO for any other PCRE2 failure (in why).
 */
int mpic__regex_search(const struct mpic__regex *re, const char *subject,
		       size_t len, bool *matched, char *why, size_t whylen);
/* NULL is fine. */
void mpic__regex_free(struct mpic__regex *re);

#endif
