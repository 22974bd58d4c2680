/*
 * regex.c - match_regex on PCRE2 (the 8-bit library).
 *
 * Why these options: Open MPIC runs Python's re.search() on the decoded
 * page, so a client's pattern is a Unicode pattern: PCRE2_UTF and
 * PCRE2_UCP give \d \w \s \b and (?i) their Unicode meaning as in Python.
 * The page is bytes we read, possibly cut inside a character or not UTF-8
 * at all: PCRE2_MATCH_INVALID_UTF lets such bytes match nothing instead of
 * failing the search.  \C (one code unit inside a character) has no
 * Python equivalent and breaks UTF-8 matching: refused.
 *
 * The cost guard is PCRE2's own: the compiled size is bounded by the
 * library (a pattern too large to compile is a compile error), and every
 * search by the match, depth and heap limits of regex.h.  No JIT: the
 * interpreter meets the limits in a few milliseconds on an 8 KiB page,
 * and the JIT ignores the depth limit (it has its own stack instead).
 *
 * Memory goes through mpic__malloc() (the general context), so the
 * allocation-failure tests reach PCRE2's allocations too.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "util/util.h"
#include "util/regex.h"

#define COMPILE_OPTIONS (PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | \
	PCRE2_NEVER_BACKSLASH_C)

struct mpic__regex {
	pcre2_general_context *gc;
	pcre2_code *code;
};

static void *
re_alloc(PCRE2_SIZE n, void *data)
{
	(void)data;
	return mpic__malloc(n);
}

static void
re_free(void *p, void *data)
{
	(void)data;
	mpic__free(p);
}

void
mpic__regex_free(struct mpic__regex *re)
{
	if (re == NULL)
		return;
	pcre2_code_free(re->code);
	pcre2_general_context_free(re->gc);
	mpic__free(re);
}

int
mpic__regex_compile(const char *s, size_t len, struct mpic__regex **out,
		    char *why, size_t whylen)
{
	struct mpic__regex *re;
	pcre2_compile_context *cc = NULL;
	PCRE2_UCHAR msg[128];
	PCRE2_SIZE off = 0;
	int err = 0, rc = 0;

	*out = NULL;
	if (whylen > 0)
		why[0] = '\0';
	re = mpic__calloc(1, sizeof(*re));
	if (re == NULL)
		return MPIC_ENOMEM;
	re->gc = pcre2_general_context_create(re_alloc, re_free, NULL);
	if (re->gc == NULL ||
	    (cc = pcre2_compile_context_create(re->gc)) == NULL) {
		rc = MPIC_ENOMEM;
		goto out;
	}
	re->code = pcre2_compile((PCRE2_SPTR)(s != NULL ? s : ""), len,
	    COMPILE_OPTIONS, &err, &off, cc);
	if (re->code == NULL) {
		if (err == PCRE2_ERROR_HEAP_FAILED) {
			rc = MPIC_ENOMEM;
			goto out;
		}
		if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
			mpic__bufprintf((char *)msg, sizeof(msg), "error %d",
			    err);
		mpic__bufprintf(why, whylen, "%s at offset %zu",
		    (const char *)msg, (size_t)off);
		rc = MPIC_EINVAL;
		goto out;
	}
	*out = re;
	re = NULL;
out:
	pcre2_compile_context_free(cc);
	mpic__regex_free(re);
	return rc;
}

int
mpic__regex_search(const struct mpic__regex *re, const char *subject,
		   size_t len, bool *matched, char *why, size_t whylen)
{
	pcre2_match_context *mc = NULL;
	pcre2_match_data *md = NULL;
	PCRE2_UCHAR msg[128];
	int n, rc = 0;

	*matched = false;
	if (whylen > 0)
		why[0] = '\0';
	/* one pair: whether it matches is all we ask */
	mc = pcre2_match_context_create(re->gc);
	md = pcre2_match_data_create(1, re->gc);
	if (mc == NULL || md == NULL) {
		rc = MPIC_ENOMEM;
		goto out;
	}
	pcre2_set_match_limit(mc, MPIC__REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(mc, MPIC__REGEX_DEPTH_LIMIT);
	pcre2_set_heap_limit(mc, MPIC__REGEX_HEAP_LIMIT_KIB);
	n = pcre2_match(re->code, (PCRE2_SPTR)(subject != NULL ? subject :
	    ""), len, 0, 0, md, mc);
	if (n >= 0) {
		*matched = true;
	} else if (n == PCRE2_ERROR_NOMATCH) {
		/* a miss */
	} else if (n == PCRE2_ERROR_MATCHLIMIT) {
		mpic__bufprintf(why, whylen, "the search hit its match limit "
		    "(%d backtracking steps) before an answer",
		    MPIC__REGEX_MATCH_LIMIT);
		rc = MPIC_ETOOBIG;
	} else if (n == PCRE2_ERROR_DEPTHLIMIT) {
		mpic__bufprintf(why, whylen, "the search hit its depth limit "
		    "(%d nested backtracking points) before an answer",
		    MPIC__REGEX_DEPTH_LIMIT);
		rc = MPIC_ETOOBIG;
	} else if (n == PCRE2_ERROR_HEAPLIMIT) {
		mpic__bufprintf(why, whylen, "the search hit its memory limit "
		    "(%d KiB) before an answer", MPIC__REGEX_HEAP_LIMIT_KIB);
		rc = MPIC_ETOOBIG;
	} else if (n == PCRE2_ERROR_NOMEMORY) {
		rc = MPIC_ENOMEM;
	} else {
		if (pcre2_get_error_message(n, msg, sizeof(msg)) < 0)
			mpic__bufprintf((char *)msg, sizeof(msg), "error %d",
			    n);
		mpic__bufprintf(why, whylen, "%s", (const char *)msg);
		rc = MPIC_EIO;
	}
out:
	pcre2_match_data_free(md);
	pcre2_match_context_free(mc);
	return rc;
}
