/* arena.c - per-request memory, freed at once. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/util.h"

#define ARENA_BLOCK 4096

struct mpic__arena_block {
	struct mpic__arena_block *next;
	size_t size;
	size_t used;
	_Alignas(16) unsigned char data[];
};

void
mpic__arena_init(struct mpic__arena *a)
{
	a->head = NULL;
	a->used = 0;
	a->total = 0;
}

void
mpic__arena_release(struct mpic__arena *a)
{
	struct mpic__arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		mpic__free(b);
	}
	mpic__arena_init(a);
}

void *
mpic__arena_alloc(struct mpic__arena *a, size_t n)
{
	struct mpic__arena_block *b = a->head;
	size_t need = (n + 15) & ~(size_t)15;
	size_t size;
	void *p;

	if (need < n)
		return NULL;
	if (b == NULL || b->size - b->used < need) {
		size = need > ARENA_BLOCK / 2 ? need : ARENA_BLOCK;
		b = mpic__malloc(sizeof(*b) + size);
		if (b == NULL)
			return NULL;
		b->size = size;
		b->used = 0;
		/* A large one-off block goes behind the current one so the
		 * current block's free space stays usable. */
		if (size > ARENA_BLOCK && a->head != NULL) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
		a->total += size;
	}
	p = b->data + b->used;
	b->used += need;
	a->used += need;
	return p;
}

void *
mpic__arena_calloc(struct mpic__arena *a, size_t n)
{
	void *p = mpic__arena_alloc(a, n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

char *
mpic__arena_strndup(struct mpic__arena *a, const char *s, size_t n)
{
	char *p = mpic__arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
mpic__arena_strdup(struct mpic__arena *a, const char *s)
{
	return mpic__arena_strndup(a, s, strlen(s));
}

char *
mpic__arena_printf(struct mpic__arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = mpic__arena_alloc(a, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
