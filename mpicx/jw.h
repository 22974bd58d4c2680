/*
 * jw.h - a JSON writer: compact JSON text appended to one growing buffer,
 * for the hot paths (the audit records) where building a jansson tree
 * only to serialise it cost more than the rest of the record.
 *
 * The text is byte for byte what jansson's json_dumps() writes with
 * JSON_COMPACT (plus JSON_ENSURE_ASCII when the writer is made with
 * ascii): tests/unit/util/test_jw.c compares the two.  Strings given as C
 * strings need not be valid UTF-8: a byte that does not start a valid
 * sequence is written as U+FFFD (jansson would refuse the whole value).
 *
 * Errors are sticky: after an allocation failure, or once the text would
 * pass the writer's limit, every call does nothing and mpicx_jw_failed()
 * is true.  Commas are the writer's job: a value or key written inside an
 * object or array is preceded by one when it is not the first.
 */
#ifndef MPICX_JW_H
#define MPICX_JW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MPICX_JW_DEPTH 32   /* containers open at once */

struct mpicx_jw {
	char *p;            /* the text, NUL-terminated; owned */
	size_t len, cap;
	size_t max;         /* limit on len; beyond it the writer fails */
	bool ascii;         /* escape non-ASCII as \uXXXX */
	bool oom;           /* an allocation failed */
	bool over;          /* the text would have passed max */
	bool after_key;     /* the next value follows "key": */
	int depth;
	uint32_t nonempty;  /* bit d: the container at depth d has an item */
};

/* Start empty (no allocation until the first write). */
void mpicx_jw_init(struct mpicx_jw *w, size_t max, bool ascii);
/* Free the text.  Safe on an initialised writer, failed or not. */
void mpicx_jw_release(struct mpicx_jw *w);
/* Back to empty, keeping the buffer (for a writer reused per record). */
void mpicx_jw_clear(struct mpicx_jw *w);
static inline bool
mpicx_jw_failed(const struct mpicx_jw *w)
{
	return w->oom || w->over;
}

void mpicx_jw_open(struct mpicx_jw *w, char bracket);   /* '{' or '[' */
void mpicx_jw_close(struct mpicx_jw *w, char bracket);  /* '}' or ']' */
void mpicx_jw_key(struct mpicx_jw *w, const char *key);
void mpicx_jw_str(struct mpicx_jw *w, const char *s);   /* NULL: null */
void mpicx_jw_strn(struct mpicx_jw *w, const char *s, size_t n);
void mpicx_jw_int(struct mpicx_jw *w, long long v);
void mpicx_jw_bool(struct mpicx_jw *w, bool v);
void mpicx_jw_null(struct mpicx_jw *w);
/* Text that is already one JSON value (not checked). */
void mpicx_jw_raw(struct mpicx_jw *w, const char *json, size_t n);
/*
 * A jansson value, as json_dumps() writes it with JSON_COMPACT (and
 * JSON_SORT_KEYS when sorted), nested at most MPICX_JW_DEPTH deep in all.
 */
void mpicx_jw_json(struct mpicx_jw *w, const json_t *v, bool sorted);

static inline size_t
mpicx_jw_len(const struct mpicx_jw *w)
{
	return w->len;
}

/*
 * A place in the text to come back to: mpicx_jw_rewind() drops what was
 * written after mpicx_jw_mark(), and the failure of having passed max
 * with it (not an allocation failure).
 */
struct mpicx_jw_mark {
	size_t len;
	uint32_t nonempty;
	int depth;
	bool after_key;
};
void mpicx_jw_mark(const struct mpicx_jw *w, struct mpicx_jw_mark *mk);
void mpicx_jw_rewind(struct mpicx_jw *w, const struct mpicx_jw_mark *mk);

#endif
