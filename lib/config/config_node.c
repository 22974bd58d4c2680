/*
 * config_node.c - typed access to libfyaml document nodes, with errors that
 * name the key path and the line, and a table-driven mapping walker.
 *
 * libfyaml (0.7) exposes source positions only for tokens, so a node's line
 * is that of its first scalar (the scalar itself, a mapping's first key, a
 * sequence's first item); an empty node takes the line of its key.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_int.h"

#define LINE_DEPTH_MAX 64

int
mpic__cfg_line(struct fy_node *n, int fallback)
{
	struct fy_node_pair *pair;
	struct fy_token *t;
	const struct fy_mark *m;
	void *it;
	int depth;

	for (depth = 0; n != NULL && depth < LINE_DEPTH_MAX; depth++) {
		it = NULL;
		switch (fy_node_get_type(n)) {
		case FYNT_SCALAR:
			t = fy_node_get_scalar_token(n);
			m = t != NULL ? fy_token_start_mark(t) : NULL;
			return m != NULL && m->line >= 0 ? m->line + 1 :
			    fallback;
		case FYNT_MAPPING:
			pair = fy_node_mapping_iterate(n, &it);
			n = pair != NULL ? fy_node_pair_key(pair) : NULL;
			break;
		case FYNT_SEQUENCE:
			n = fy_node_sequence_iterate(n, &it);
			break;
		default:
			return fallback;
		}
	}
	return fallback;
}

bool
mpic__cfg_is_null(struct fy_node *n)
{
	const char *s;
	size_t len = 0;

	if (n == NULL)
		return true;
	/* Plain scalars have no escapes: their text is safe to ask for. */
	if (fy_node_get_type(n) != FYNT_SCALAR ||
	    fy_node_get_style(n) != FYNS_PLAIN)
		return false;
	s = fy_node_get_scalar(n, &len);
	if (s == NULL || len == 0)
		return true;
	return (len == 1 && s[0] == '~') ||
	    (len == 4 && (memcmp(s, "null", 4) == 0 ||
	    memcmp(s, "Null", 4) == 0 || memcmp(s, "NULL", 4) == 0));
}

void
mpic__cfg_quote(const char *s, size_t len, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const size_t shown = 40;
	size_t i, o = 0;
	unsigned char c;

	if (size < 16) {
		if (size > 0)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '"';
	for (i = 0; i < len && i < shown && o + 8 < size; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		} else
			buf[o++] = (char)c;
	}
	if (i < len && o + 4 < size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

/*
 * YAML streams are Unicode text of printable characters (YAML 1.2, 5.1):
 * TAB, LF, CR, U+0020..U+007E, U+0085, U+00A0..U+D7FF, U+E000..U+FFFD and
 * U+10000..U+10FFFF, here in well-formed UTF-8.  We refuse TAB as well:
 * YAML forbids it for indentation, our strings refuse control characters,
 * and the libfyaml of Debian 12 (0.7.12) corrupts its heap on some tabs
 * after a "?" key (libfyaml issue #57, fixed upstream).  Checking this
 * first also keeps malformed bytes away from libfyaml, which loops
 * forever on invalid UTF-8 inside a directive.
 */
int
mpic__cfg_text_check(struct cfg_parser *p, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n, k;
	uint32_t c, min;
	int line = 1;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			n = 1;
			min = 0;
		} else if ((c & 0xe0) == 0xc0) {
			n = 2;
			min = 0x80;
			c &= 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 3;
			min = 0x800;
			c &= 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 4;
			min = 0x10000;
			c &= 0x07;
		} else
			goto bad_utf8;
		if (len - i < n)
			goto bad_utf8;
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto bad_utf8;
			c = c << 6 | (s[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			goto bad_utf8;
		if (c == 0x09)
			return mpic__cfg_error(p, line, NULL, "TAB characters "
			    "are not allowed, use spaces (byte %zu)", i);
		if (!(c == 0x0a || c == 0x0d ||
		    (c >= 0x20 && c <= 0x7e) || c == 0x85 ||
		    (c >= 0xa0 && c <= 0xd7ff) ||
		    (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000))
			return mpic__cfg_error(p, line, NULL, "character "
			    "U+%04X is not allowed in YAML (byte %zu)",
			    (unsigned)c, i);
		if (c == 0x0a)
			line++;
		i += n;
	}
	return 0;
bad_utf8:
	return mpic__cfg_error(p, line, NULL, "not UTF-8 text (byte %zu)", i);
}

int
mpic__cfg_error(struct cfg_parser *p, int line, const char *path,
		const char *fmt, ...)
{
	char msg[512];
	const char *src = p->cfg != NULL ? p->cfg->source : "config";
	va_list ap;

	if (p->err == NULL || p->errlen == 0)
		return MPIC_ECONFIG;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path == NULL || path[0] == '\0') {
		if (line > 0)
			mpic__bufprintf(p->err, p->errlen, "%s:%d: %s", src,
			    line, msg);
		else
			mpic__bufprintf(p->err, p->errlen, "%s: %s", src, msg);
	} else if (line > 0)
		mpic__bufprintf(p->err, p->errlen, "%s:%d: %s: %s", src, line,
		    path, msg);
	else
		mpic__bufprintf(p->err, p->errlen, "%s: %s: %s", src, path,
		    msg);
	return MPIC_ECONFIG;
}

static int
nomem(struct cfg_parser *p)
{
	mpic__cfg_error(p, 0, NULL, "out of memory");
	return MPIC_ENOMEM;
}

static const char *
kind_name(struct fy_node *n)
{
	if (mpic__cfg_is_null(n))
		return "null";
	if (fy_node_is_alias(n))
		return "an alias";
	switch (fy_node_get_type(n)) {
	case FYNT_MAPPING:
		return "a mapping";
	case FYNT_SEQUENCE:
		return "a sequence";
	default:
		return "a scalar";
	}
}

/*
 * The text of a scalar.  libfyaml 0.7.12 leaks the chunk array it grows
 * while unescaping the '' of single-quoted scalars (from 4 of them on, or
 * fewer), so such escapes are refused before the text is asked for (a
 * value with a quote can be double-quoted), and so is a double-quoted
 * scalar of more than ESCAPES_MAX backslashes, which configuration values
 * never need.  The token's marks cover the scalar without its quotes.
 */
#define ESCAPES_MAX 8

static int
scalar_text(struct cfg_parser *p, struct fy_node *v, const char *path,
	    int line, const char **s, size_t *len)
{
	struct fy_token *t = fy_node_get_scalar_token(v);
	const struct fy_mark *b, *e;
	size_t i, n = 0;

	if (t != NULL && fy_node_get_style(v) != FYNS_PLAIN) {
		b = fy_token_start_mark(t);
		e = fy_token_end_mark(t);
		if (b == NULL || e == NULL || b->input_pos > e->input_pos ||
		    e->input_pos > p->input_len)
			return mpic__cfg_error(p, line, path,
			    "unreadable scalar");
		for (i = b->input_pos; i < e->input_pos; i++) {
			if (p->input[i] == '\'' &&
			    fy_node_get_style(v) == FYNS_SINGLE_QUOTED)
				return mpic__cfg_error(p, line, path, "'' "
				    "escapes are not supported, use double "
				    "quotes");
			if (p->input[i] == '\\')
				n++;
		}
		if (n > ESCAPES_MAX)
			return mpic__cfg_error(p, line, path, "more than %d "
			    "escapes in one value", ESCAPES_MAX);
	}
	*len = 0;
	*s = fy_node_get_scalar(v, len);
	if (*s == NULL)
		return mpic__cfg_error(p, line, path, "unreadable scalar");
	return 0;
}

/* The text of a non-null scalar, or an error saying what was wanted. */
static int
scalar(struct cfg_parser *p, struct fy_node *v, const char *path, int line,
       const char *want, const char **s, size_t *len)
{
	if (v != NULL && fy_node_is_alias(v))
		return mpic__cfg_error(p, line, path,
		    "aliases are not supported");
	if (mpic__cfg_is_null(v) || fy_node_get_type(v) != FYNT_SCALAR)
		return mpic__cfg_error(p, line, path, "expected %s, got %s",
		    want, kind_name(v));
	return scalar_text(p, v, path, line, s, len);
}

static bool
is_plain(struct fy_node *v)
{
	return fy_node_get_style(v) == FYNS_PLAIN;
}

/* YAML 1.2 core schema booleans: -1 if s is none. */
static int
bool_literal(const char *s, size_t len)
{
	static const char *const t[] = { "true", "True", "TRUE" };
	static const char *const f[] = { "false", "False", "FALSE" };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (len == strlen(t[i]) && memcmp(s, t[i], len) == 0)
			return 1;
		if (len == strlen(f[i]) && memcmp(s, f[i], len) == 0)
			return 0;
	}
	return -1;
}

int
mpic__cfg_str(struct cfg_parser *p, struct fy_node *v, const char *path,
	      int line, size_t maxlen, const char **out)
{
	const char *s;
	size_t len, i;
	char *copy;
	int rc;

	if ((rc = scalar(p, v, path, line, "a string", &s, &len)) != 0)
		return rc;
	if (is_plain(v) && bool_literal(s, len) >= 0)
		return mpic__cfg_error(p, line, path,
		    "expected a string, got a boolean");
	if (len == 0)
		return mpic__cfg_error(p, line, path, "must not be empty");
	if (len > maxlen)
		return mpic__cfg_error(p, line, path,
		    "longer than %zu bytes", maxlen);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return mpic__cfg_error(p, line, path,
			    "contains a control character");
	}
	copy = mpic__arena_strndup(&p->cfg->arena, s, len);
	if (copy == NULL)
		return nomem(p);
	*out = copy;
	return 0;
}

int
mpic__cfg_bool(struct cfg_parser *p, struct fy_node *v, const char *path,
	       int line, bool *out)
{
	const char *s;
	size_t len;
	char q[64];
	int rc, b;

	if ((rc = scalar(p, v, path, line, "a boolean", &s, &len)) != 0)
		return rc;
	b = is_plain(v) ? bool_literal(s, len) : -1;
	if (b < 0) {
		mpic__cfg_quote(s, len, q, sizeof(q));
		return mpic__cfg_error(p, line, path,
		    "expected a boolean (true or false), got %s", q);
	}
	*out = b == 1;
	return 0;
}

/* [+-]?digits, or with integer false also a decimal fraction/exponent. */
static bool
number_syntax(const char *s, bool integer)
{
	size_t digits = 0;

	if (*s == '+' || *s == '-')
		s++;
	while (*s >= '0' && *s <= '9') {
		s++;
		digits++;
	}
	if (integer)
		return digits > 0 && *s == '\0';
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			s++;
			digits++;
		}
	}
	if (digits == 0)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

int
mpic__cfg_num(struct cfg_parser *p, struct fy_node *v, const char *path,
	      int line, bool integer, double min, double max, double *out)
{
	const char *s, *want = integer ? "an integer" : "a number";
	char buf[64], q[64];
	size_t len;
	double d;
	int rc;

	if ((rc = scalar(p, v, path, line, want, &s, &len)) != 0)
		return rc;
	mpic__cfg_quote(s, len, q, sizeof(q));
	if (!is_plain(v))
		return mpic__cfg_error(p, line, path,
		    "expected %s, got the string %s", want, q);
	if (len >= sizeof(buf))
		return mpic__cfg_error(p, line, path, "expected %s, got %s",
		    want, q);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!number_syntax(buf, integer))
		return mpic__cfg_error(p, line, path, "expected %s, got %s",
		    want, q);
	d = strtod(buf, NULL);
	if (!isfinite(d) || d < min || d > max)
		return mpic__cfg_error(p, line, path,
		    "%s is out of range (%.10g to %.10g)", buf, min, max);
	*out = d;
	return 0;
}

const char *
mpic__cfg_path(struct cfg_parser *p, const char *name)
{
	size_t blen;

	if (p->basedir == NULL || p->basedir[0] == '\0' || name[0] == '/')
		return name;
	blen = strlen(p->basedir);
	return mpic__arena_printf(&p->cfg->arena, "%s%s%s", p->basedir,
	    p->basedir[blen - 1] == '/' ? "" : "/", name);
}

static int
walk_list(struct cfg_parser *p, const struct cfg_key *k, struct fy_node *v,
	  const char *path, int line, void *base)
{
	const char **list, *s;
	struct fy_node *item;
	char ipath[CFG_PATH_MAX], why[256];
	void *it = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (v != NULL && fy_node_is_alias(v))
		return mpic__cfg_error(p, line, path,
		    "aliases are not supported");
	if (!mpic__cfg_is_null(v)) {
		if (fy_node_get_type(v) != FYNT_SEQUENCE)
			return mpic__cfg_error(p, line, path,
			    "expected a sequence, got %s", kind_name(v));
		cap = (size_t)fy_node_sequence_item_count(v);
		if (cap > (size_t)k->max)
			return mpic__cfg_error(p, line, path,
			    "more than %.0f entries", k->max);
	}
	list = mpic__arena_calloc(&p->cfg->arena, (cap + 1) * sizeof(*list));
	if (list == NULL)
		return nomem(p);
	while (n < cap && (item = fy_node_sequence_iterate(v, &it)) != NULL) {
		int iline = mpic__cfg_line(item, line);

		mpic__bufprintf(ipath, sizeof(ipath), "%s[%zu]", path, n);
		rc = mpic__cfg_str(p, item, ipath, iline, CFG_STR_MAX, &s);
		if (rc != 0)
			return rc;
		if (k->check != NULL && !k->check(s, why, sizeof(why)))
			return mpic__cfg_error(p, iline, ipath, "%s", why);
		list[n++] = s;
	}
	list[n] = NULL;
	*(const char ***)(void *)((char *)base + k->off) = list;
	if (k->cnt_off != CFG_NOFF)
		*(size_t *)(void *)((char *)base + k->cnt_off) = n;
	return 0;
}

static int
walk_one(struct cfg_parser *p, const struct cfg_key *k, struct fy_node *v,
	 const char *path, int line, void *base)
{
	char *field = (char *)base + k->off, why[256];
	const char *s;
	size_t elen;
	double d;
	int rc;

	switch (k->kind) {
	case CK_STR:
		if ((k->flags & CFG_F_EMPTY_OK) && fy_node_is_scalar(v) &&
		    (s = fy_node_get_scalar(v, &elen)) != NULL && elen == 0) {
			*(const char **)(void *)field = "";
			return 0;
		}
		rc = mpic__cfg_str(p, v, path, line,
		    k->max > 0 ? (size_t)k->max : CFG_STR_MAX, &s);
		if (rc != 0)
			return rc;
		if (k->check != NULL && !k->check(s, why, sizeof(why)))
			return mpic__cfg_error(p, line, path, "%s", why);
		if ((k->flags & CFG_F_PATH) && (s = mpic__cfg_path(p, s)) ==
		    NULL)
			return nomem(p);
		*(const char **)(void *)field = s;
		return 0;
	case CK_BOOL:
		return mpic__cfg_bool(p, v, path, line, (bool *)(void *)field);
	case CK_UINT:
	case CK_INT:
	case CK_DOUBLE:
		rc = mpic__cfg_num(p, v, path, line, k->kind != CK_DOUBLE,
		    k->min, k->max, &d);
		if (rc != 0)
			return rc;
		if (k->kind == CK_UINT)
			*(unsigned *)(void *)field = (unsigned)d;
		else if (k->kind == CK_INT)
			*(int *)(void *)field = (int)d;
		else
			*(double *)(void *)field = d;
		return 0;
	case CK_LIST:
		return walk_list(p, k, v, path, line, base);
	case CK_MAP:
		return mpic__cfg_walk(p, v, path, line, k->sub, base,
		    CFG_PASS_ALL);
	case CK_FN:
		return k->fn(p, v, path, line, base);
	}
	return mpic__cfg_error(p, line, path, "internal: bad key kind");
}

static bool
in_pass(const struct cfg_key *k, enum cfg_pass pass)
{
	if (pass == CFG_PASS_EARLY)
		return (k->flags & CFG_F_EARLY) != 0;
	if (pass == CFG_PASS_LATE)
		return (k->flags & CFG_F_EARLY) == 0;
	return true;
}

static void
child_path(char *buf, size_t size, const char *path, const char *name,
	   size_t len)
{
	if (path[0] == '\0')
		snprintf(buf, size, "%.*s", (int)len, name);
	else
		snprintf(buf, size, "%s.%.*s", path, (int)len, name);
}

/* A key that can be shown in a path as it is. */
static bool
plain_key(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 64)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

int
mpic__cfg_walk(struct cfg_parser *p, struct fy_node *map, const char *path,
	       int line, const struct cfg_key *keys, void *base,
	       enum cfg_pass pass)
{
	struct fy_node_pair *pair;
	struct fy_node *kn, *v;
	char cpath[CFG_PATH_MAX], q[64];
	const char *ks;
	uint64_t seen = 0;
	void *it = NULL;
	size_t klen, i;
	int kline, rc;

	if (map != NULL && fy_node_is_alias(map))
		return mpic__cfg_error(p, line, path,
		    "aliases are not supported");
	if (!mpic__cfg_is_null(map) && fy_node_get_type(map) != FYNT_MAPPING)
		return mpic__cfg_error(p, line, path,
		    "expected a mapping, got %s", kind_name(map));
	while (!mpic__cfg_is_null(map) &&
	    (pair = fy_node_mapping_iterate(map, &it)) != NULL) {
		kn = fy_node_pair_key(pair);
		v = fy_node_pair_value(pair);
		kline = mpic__cfg_line(kn, line);
		if (kn == NULL || fy_node_get_type(kn) != FYNT_SCALAR ||
		    fy_node_is_alias(kn))
			return mpic__cfg_error(p, kline, path,
			    "keys must be strings");
		if ((rc = scalar_text(p, kn, path, kline, &ks, &klen)) != 0)
			return rc;
		for (i = 0; keys[i].name != NULL; i++)
			if (strlen(keys[i].name) == klen &&
			    memcmp(keys[i].name, ks, klen) == 0)
				break;
		if (keys[i].name == NULL) {
			if (pass == CFG_PASS_LATE)
				continue;
			if (plain_key(ks, klen)) {
				child_path(cpath, sizeof(cpath), path, ks,
				    klen);
				return mpic__cfg_error(p, kline, cpath,
				    "unknown key");
			}
			mpic__cfg_quote(ks, klen, q, sizeof(q));
			return mpic__cfg_error(p, kline, path,
			    "unknown key %s", q);
		}
		seen |= (uint64_t)1 << i;
		if (!in_pass(&keys[i], pass))
			continue;
		child_path(cpath, sizeof(cpath), path, ks, klen);
		if (keys[i].slot != CFG_L_NONE)
			p->lines[keys[i].slot] = kline;
		rc = walk_one(p, &keys[i], v, cpath, mpic__cfg_line(v, kline),
		    base);
		if (rc != 0)
			return rc;
	}
	for (i = 0; keys[i].name != NULL; i++) {
		if ((keys[i].flags & CFG_F_REQUIRED) && in_pass(&keys[i], pass)
		    && !(seen & (uint64_t)1 << i)) {
			child_path(cpath, sizeof(cpath), path, keys[i].name,
			    strlen(keys[i].name));
			return mpic__cfg_error(p, line, cpath,
			    "required key is missing");
		}
	}
	return 0;
}
