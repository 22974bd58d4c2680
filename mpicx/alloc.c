/* alloc.c - the one allocation wrapper, with failure injection for tests. */
#include <stdlib.h>
#include <string.h>

#include "mpicx/mpicx.h"

static unsigned long alloc_count;
static unsigned long alloc_fail_at;

void
mpicx_alloc_fail_at(unsigned long n)
{
	alloc_count = 0;
	alloc_fail_at = n;
}

static bool
should_fail(void)
{
	if (alloc_fail_at == 0)
		return false;
	return ++alloc_count >= alloc_fail_at;
}

void *
mpicx_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *
mpicx_calloc(size_t nmemb, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(nmemb ? nmemb : 1, size ? size : 1);
}

void *
mpicx_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

char *
mpicx_strndup(const char *s, size_t n)
{
	char *p = mpicx_malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
mpicx_strdup(const char *s)
{
	return mpicx_strndup(s, strlen(s));
}

void
mpicx_free(void *p)
{
	free(p);
}
