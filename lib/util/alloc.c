/* alloc.c - the one allocation wrapper, with failure injection for tests. */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static unsigned long alloc_count;
static unsigned long alloc_fail_at;

void
mpic__alloc_fail_at(unsigned long n)
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
mpic__malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *
mpic__calloc(size_t nmemb, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(nmemb ? nmemb : 1, size ? size : 1);
}

void *
mpic__realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

char *
mpic__strndup(const char *s, size_t n)
{
	char *p = mpic__malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
mpic__strdup(const char *s)
{
	return mpic__strndup(s, strlen(s));
}

void
mpic__free(void *p)
{
	free(p);
}
