/*
 * jw.c - the JSON writer (jw.h).
 *
 * Matching jansson's compact output is what lets the audit log keep its
 * format (and details_sha256 its definition, docs/audit.md) while the
 * records are written without a tree: escapes as jansson writes them
 * (\" \\ \b \f \n \r \t, other controls and, with ascii, everything past
 * U+007F as \u%04X, astral characters as surrogate pairs), keys in
 * insertion order or sorted bytewise (shorter first on a tie), integers
 * in decimal, reals through jansson itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpicx/mpicx.h"

void
mpicx_jw_init(struct mpicx_jw *w, size_t max, bool ascii)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
	w->ascii = ascii;
}

void
mpicx_jw_release(struct mpicx_jw *w)
{
	mpicx_free(w->p);
	w->p = NULL;
	w->len = w->cap = 0;
}

void
mpicx_jw_clear(struct mpicx_jw *w)
{
	w->len = 0;
	if (w->p != NULL)
		w->p[0] = '\0';
	w->oom = w->over = w->after_key = false;
	w->depth = 0;
	w->nonempty = 0;
}

void
mpicx_jw_mark(const struct mpicx_jw *w, struct mpicx_jw_mark *mk)
{
	mk->len = w->len;
	mk->nonempty = w->nonempty;
	mk->depth = w->depth;
	mk->after_key = w->after_key;
}

void
mpicx_jw_rewind(struct mpicx_jw *w, const struct mpicx_jw_mark *mk)
{
	if (w->oom || mk->len > w->len)
		return;
	w->len = mk->len;
	if (w->p != NULL)
		w->p[w->len] = '\0';
	w->nonempty = mk->nonempty;
	w->depth = mk->depth;
	w->after_key = mk->after_key;
	w->over = false;
}

/* Room for n more bytes and the NUL. */
static bool
reserve(struct mpicx_jw *w, size_t n)
{
	size_t want, cap;
	char *np;

	if (w->oom || w->over)
		return false;
	if (n > w->max - w->len || w->len > w->max) {
		w->over = true;
		return false;
	}
	want = w->len + n + 1;
	if (want <= w->cap)
		return true;
	cap = w->cap ? w->cap : 256;
	while (cap < want)
		cap *= 2;
	if ((np = mpicx_realloc(w->p, cap)) == NULL) {
		w->oom = true;
		return false;
	}
	w->p = np;
	w->cap = cap;
	return true;
}

static void
put(struct mpicx_jw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
}

/* The comma before an item that is not its container's first. */
static void
item(struct mpicx_jw *w)
{
	uint32_t bit;

	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	bit = UINT32_C(1) << (w->depth - 1);
	if (w->nonempty & bit)
		put(w, ",", 1);
	w->nonempty |= bit;
}

void
mpicx_jw_open(struct mpicx_jw *w, char bracket)
{
	item(w);
	if (w->depth >= MPICX_JW_DEPTH) {
		w->over = true;
		return;
	}
	put(w, &bracket, 1);
	w->depth++;
	w->nonempty &= ~(UINT32_C(1) << (w->depth - 1));
}

void
mpicx_jw_close(struct mpicx_jw *w, char bracket)
{
	if (w->depth == 0) {
		w->over = true;
		return;
	}
	w->depth--;
	put(w, &bracket, 1);
}

/* The length of a valid UTF-8 sequence at s (n bytes left) and its code
 * point, or 0 (RFC 3629: no overlongs, surrogates or values past 10FFFF). */
static size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static void
put_u(struct mpicx_jw *w, uint32_t cp)
{
	static const char hex[] = "0123456789ABCDEF";
	char b[6] = {'\\', 'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15],
	    hex[(cp >> 4) & 15], hex[cp & 15]};

	put(w, b, 6);
}

static void
put_string(struct mpicx_jw *w, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0, len;
	uint32_t cp;
	const char *esc;

	put(w, "\"", 1);
	while (i < n) {
		/* printable ASCII but '"' and '\\' is written as it is */
		if (s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' &&
		    s[i] != '\\') {
			i++;
			continue;
		}
		len = utf8_seq(s + i, n - i, &cp);
		if (len != 0 && cp > 0x7f && !w->ascii) {
			i += len;
			continue;
		}
		put(w, str + run, i - run);
		if (len == 0) {
			/* not UTF-8: U+FFFD */
			if (w->ascii)
				put_u(w, 0xfffd);
			else
				put(w, "\xef\xbf\xbd", 3);
			i++;
			run = i;
			continue;
		}
		switch (cp) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default: esc = NULL; break;
		}
		if (esc != NULL) {
			put(w, esc, 2);
		} else if (cp < 0x10000) {
			put_u(w, cp);
		} else {
			cp -= 0x10000;
			put_u(w, 0xd800 | (cp >> 10));
			put_u(w, 0xdc00 | (cp & 0x3ff));
		}
		i += len;
		run = i;
	}
	put(w, str + run, i - run);
	put(w, "\"", 1);
}

void
mpicx_jw_key(struct mpicx_jw *w, const char *key)
{
	item(w);
	put_string(w, key, strlen(key));
	put(w, ":", 1);
	w->after_key = true;
}

void
mpicx_jw_strn(struct mpicx_jw *w, const char *s, size_t n)
{
	item(w);
	put_string(w, s, n);
}

void
mpicx_jw_str(struct mpicx_jw *w, const char *s)
{
	if (s == NULL)
		mpicx_jw_null(w);
	else
		mpicx_jw_strn(w, s, strlen(s));
}

void
mpicx_jw_raw(struct mpicx_jw *w, const char *json, size_t n)
{
	item(w);
	put(w, json, n);
}

void
mpicx_jw_int(struct mpicx_jw *w, long long v)
{
	char b[24], *p = b + sizeof(b);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v :
	    (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	item(w);
	put(w, p, (size_t)(b + sizeof(b) - p));
}

void
mpicx_jw_bool(struct mpicx_jw *w, bool v)
{
	item(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void
mpicx_jw_null(struct mpicx_jw *w)
{
	item(w);
	put(w, "null", 4);
}

struct key_ref {
	const char *k;
	size_t n;
	json_t *v;
};

static int
key_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = memcmp(x->k, y->k, x->n < y->n ? x->n : y->n);

	if (c != 0)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

static void
put_object(struct mpicx_jw *w, const json_t *v, bool sorted)
{
	struct key_ref *keys = NULL;
	size_t n = json_object_size(v), i = 0;
	void *it;

	mpicx_jw_open(w, '{');
	if (sorted && n > 1) {
		if ((keys = mpicx_calloc(n, sizeof(*keys))) == NULL) {
			w->oom = true;
			return;
		}
		for (it = json_object_iter((json_t *)v); it != NULL && i < n;
		    it = json_object_iter_next((json_t *)v, it), i++) {
			keys[i].k = json_object_iter_key(it);
			keys[i].n = json_object_iter_key_len(it);
			keys[i].v = json_object_iter_value(it);
		}
		qsort(keys, i, sizeof(*keys), key_cmp);
		n = i;
		for (i = 0; i < n && !mpicx_jw_failed(w); i++) {
			item(w);
			put_string(w, keys[i].k, keys[i].n);
			put(w, ":", 1);
			w->after_key = true;
			mpicx_jw_json(w, keys[i].v, sorted);
		}
		mpicx_free(keys);
	} else {
		for (it = json_object_iter((json_t *)v); it != NULL &&
		    !mpicx_jw_failed(w); it = json_object_iter_next((json_t *)v,
		    it)) {
			item(w);
			put_string(w, json_object_iter_key(it),
			    json_object_iter_key_len(it));
			put(w, ":", 1);
			w->after_key = true;
			mpicx_jw_json(w, json_object_iter_value(it), sorted);
		}
	}
	mpicx_jw_close(w, '}');
}

void
mpicx_jw_json(struct mpicx_jw *w, const json_t *v, bool sorted)
{
	char b[64];
	size_t i, n;

	if (mpicx_jw_failed(w))
		return;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		put_object(w, v, sorted);
		break;
	case JSON_ARRAY:
		mpicx_jw_open(w, '[');
		n = json_array_size(v);
		for (i = 0; i < n && !mpicx_jw_failed(w); i++)
			mpicx_jw_json(w, json_array_get(v, i), sorted);
		mpicx_jw_close(w, ']');
		break;
	case JSON_STRING:
		mpicx_jw_strn(w, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		mpicx_jw_int(w, (long long)json_integer_value(v));
		break;
	case JSON_TRUE:
		mpicx_jw_bool(w, true);
		break;
	case JSON_FALSE:
		mpicx_jw_bool(w, false);
		break;
	case JSON_REAL:
		/* jansson's own formatting of doubles, not redone here */
		n = json_dumpb(v, b, sizeof(b), JSON_ENCODE_ANY | JSON_COMPACT);
		item(w);
		if (n == 0 || n > sizeof(b))
			w->over = true;
		else
			put(w, b, n);
		break;
	case JSON_NULL:
	default:
		mpicx_jw_null(w);
		break;
	}
}
