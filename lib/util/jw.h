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
 * pass the writer's limit, every call does nothing and mpic__jw_failed()
 * is true.  Commas are the writer's job: a value or key written inside an
 * object or array is preceded by one when it is not the first.
 */
#ifndef MPIC_JW_H
#define MPIC_JW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MPIC_JW_DEPTH 32   /* containers open at once */

struct mpic__jw {
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
void mpic__jw_init(struct mpic__jw *w, size_t max, bool ascii);
/* Free the text.  Safe on an initialised writer, failed or not. */
void mpic__jw_release(struct mpic__jw *w);
/* Back to empty, keeping the buffer (for a writer reused per record). */
void mpic__jw_clear(struct mpic__jw *w);
static inline bool
mpic__jw_failed(const struct mpic__jw *w)
{
	return w->oom || w->over;
}

void mpic__jw_open(struct mpic__jw *w, char bracket);   /* '{' or '[' */
void mpic__jw_close(struct mpic__jw *w, char bracket);  /* '}' or ']' */
void mpic__jw_key(struct mpic__jw *w, const char *key);
void mpic__jw_str(struct mpic__jw *w, const char *s);   /* NULL: null */
void mpic__jw_strn(struct mpic__jw *w, const char *s, size_t n);
void mpic__jw_int(struct mpic__jw *w, long long v);
void mpic__jw_bool(struct mpic__jw *w, bool v);
void mpic__jw_null(struct mpic__jw *w);
/* Text that is already one JSON value (not checked). */
void mpic__jw_raw(struct mpic__jw *w, const char *json, size_t n);
/*
 * A jansson value, as json_dumps() writes it with JSON_COMPACT (and
 * JSON_SORT_KEYS when sorted), nested at most MPIC_JW_DEPTH deep in all.
 */
void mpic__jw_json(struct mpic__jw *w, const json_t *v, bool sorted);

static inline size_t
mpic__jw_len(const struct mpic__jw *w)
{
	return w->len;
}

/*
 * A place in the text to come back to: mpic__jw_rewind() drops what was
 * written after mpic__jw_mark(), and the failure of having passed max
 * with it (not an allocation failure).
 */
struct mpic__jw_mark {
	size_t len;
	uint32_t nonempty;
	int depth;
	bool after_key;
};
void mpic__jw_mark(const struct mpic__jw *w, struct mpic__jw_mark *mk);
void mpic__jw_rewind(struct mpic__jw *w, const struct mpic__jw_mark *mk);

#endif
