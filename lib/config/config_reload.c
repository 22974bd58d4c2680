/*
 * config_reload.c - a running program's configuration file read again
 * (mpic_config_reload) and what changed between two configurations
 * (mpic_config_changes), by walking the same key table the parser
 * walks (config_schema.c), so that a key added there is compared too.
 */
#include <string.h>

#include "config/config_int.h"

/* Both NULL, or the same text. */
static bool
str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
list_same(const char *const *a, const char *const *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return (a == NULL || a[0] == NULL) && (b == NULL ||
		    b[0] == NULL);
	for (i = 0; a[i] != NULL && b[i] != NULL; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return a[i] == NULL && b[i] == NULL;
}

/* The value of key k at base a and b (kinds with a member only). */
static bool
value_same(const struct cfg_key *k, const void *a, const void *b)
{
	const char *pa = (const char *)a + k->off;
	const char *pb = (const char *)b + k->off;

	switch (k->kind) {
	case CK_STR:
		return str_same(*(const char *const *)(const void *)pa,
		    *(const char *const *)(const void *)pb);
	case CK_BOOL:
		return *(const bool *)(const void *)pa ==
		    *(const bool *)(const void *)pb;
	case CK_UINT:
		return *(const unsigned *)(const void *)pa ==
		    *(const unsigned *)(const void *)pb;
	case CK_INT:
		return *(const int *)(const void *)pa ==
		    *(const int *)(const void *)pb;
	case CK_DOUBLE:
		return memcmp(pa, pb, sizeof(double)) == 0;
	case CK_LIST:
		return list_same(*(const char *const *const *)(const void *)pa,
		    *(const char *const *const *)(const void *)pb);
	case CK_MAP:
	case CK_FN:
		break;
	}
	return true;
}

static bool
def_same(const struct mpic__perspective_def *a,
	 const struct mpic__perspective_def *b)
{
	return strcmp(a->code, b->code) == 0 && a->rir == b->rir &&
	    memcmp(&a->loc, &b->loc, sizeof(a->loc)) == 0 &&
	    str_same(a->url, b->url) &&
	    str_same(a->dns.root_hints, b->dns.root_hints) &&
	    str_same(a->dns.trust_anchor, b->dns.trust_anchor);
}

static const struct mpic__perspective_def *
def_find(const struct mpic_config *c, const char *code)
{
	size_t i;

	for (i = 0; i < c->n_perspectives; i++)
		if (strcmp(c->perspectives[i].code, code) == 0)
			return &c->perspectives[i];
	return NULL;
}

struct diff {
	mpic_config_change_cb cb;
	void *arg;
	size_t n;
};

static void
changed(struct diff *d, const char *prefix, const char *name)
{
	char key[CFG_PATH_MAX];

	mpic__bufprintf(key, sizeof(key), "%s%s%s", prefix,
	    prefix[0] != '\0' ? "." : "", name);
	d->n++;
	if (d->cb != NULL)
		d->cb(d->arg, key);
}

/* perspectives.CODE for each perspective added, removed or changed. */
static void
perspectives_diff(struct diff *d, const struct mpic_config *a,
		  const struct mpic_config *b)
{
	const struct mpic__perspective_def *o;
	size_t i;

	for (i = 0; i < a->n_perspectives; i++)
		if ((o = def_find(b, a->perspectives[i].code)) == NULL ||
		    !def_same(&a->perspectives[i], o))
			changed(d, "perspectives", a->perspectives[i].code);
	for (i = 0; i < b->n_perspectives; i++)
		if (def_find(a, b->perspectives[i].code) == NULL)
			changed(d, "perspectives", b->perspectives[i].code);
}

/* The keys whose values the parser keeps elsewhere than a member. */
static void
custom_diff(struct diff *d, const char *prefix, const struct cfg_key *k,
	    const struct mpic_config *a, const struct mpic_config *b)
{
	bool same = true;

	if (strcmp(k->name, "perspectives") == 0 && prefix[0] == '\0') {
		perspectives_diff(d, a, b);
		return;
	}
	if (strcmp(k->name, "role") == 0)
		same = a->role == b->role;
	else if (strcmp(k->name, "identity") == 0)
		same = a->has_identity == b->has_identity &&
		    (!a->has_identity || def_same(&a->identity, &b->identity));
	else if (strcmp(k->name, "primary") == 0)
		same = a->has_primary == b->has_primary &&
		    (!a->has_primary || def_same(&a->primary, &b->primary));
	else if (strcmp(k->name, "br_minimums") == 0)
		same = a->br_lab == b->br_lab;
	if (!same)
		changed(d, prefix, k->name);
}

static void
walk(struct diff *d, const char *prefix, const struct cfg_key *keys,
     const struct mpic_config *a, const struct mpic_config *b)
{
	char sub[CFG_PATH_MAX];
	const struct cfg_key *k;

	for (k = keys; k->name != NULL; k++) {
		if (k->kind == CK_MAP) {
			mpic__bufprintf(sub, sizeof(sub), "%s%s%s", prefix,
			    prefix[0] != '\0' ? "." : "", k->name);
			walk(d, sub, k->sub, a, b);
		} else if (k->kind == CK_FN) {
			custom_diff(d, prefix, k, a, b);
		} else if (!value_same(k, a, b)) {
			changed(d, prefix, k->name);
		}
	}
}

size_t
mpic_config_changes(const struct mpic_config *old,
		    const struct mpic_config *new_cfg, mpic_config_change_cb cb,
		    void *arg)
{
	struct diff d = { .cb = cb, .arg = arg, .n = 0 };

	if (old == NULL || new_cfg == NULL)
		return 0;
	walk(&d, "", mpic__cfg_top_keys, old, new_cfg);
	return d.n;
}

int
mpic_config_reload(const char *path, const struct mpic_config *running,
		   struct mpic_config **out, char *err, size_t errlen)
{
	struct mpic_config *cfg = NULL;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (running == NULL || out == NULL) {
		mpic__bufprintf(err, errlen, "invalid argument");
		return MPIC_EINVAL;
	}
	if ((rc = mpic__config_load(path, false, &cfg, err, errlen)) != 0)
		goto out;
	/*
	 * The same secret file: the secret read at start stays (the user a
	 * daemon runs as after dropping root may not read it).  Another
	 * file (or none, or br_minimums changed from lab): read as at start.
	 */
	if (str_same(cfg->hash_secret_file, running->hash_secret_file) &&
	    cfg->br_lab == running->br_lab) {
		memcpy(cfg->hash_secret, running->hash_secret,
		    sizeof(cfg->hash_secret));
		cfg->hash_secret_len = running->hash_secret_len;
	} else {
		mpic_config_free(cfg);
		cfg = NULL;
		if ((rc = mpic__config_load(path, true, &cfg, err,
		    errlen)) != 0)
			goto out;
	}
	cfg->tls_client_ctx = running->tls_client_ctx;
	cfg->tls_client_arg = running->tls_client_arg;
	*out = cfg;
	cfg = NULL;
out:
	mpic_config_free(cfg);
	return rc;
}

/* The entry of the dotted key in keys, or NULL. */
static const struct cfg_key *
key_find(const struct cfg_key *keys, const char *key)
{
	const struct cfg_key *k;
	const char *dot = strchr(key, '.');
	size_t len = dot != NULL ? (size_t)(dot - key) : strlen(key);

	for (k = keys; k->name != NULL; k++) {
		if (strlen(k->name) != len || strncmp(k->name, key, len) != 0)
			continue;
		if (dot == NULL)
			return k;
		return k->kind == CK_MAP ? key_find(k->sub, dot + 1) : NULL;
	}
	return NULL;
}

int
mpic_config_keep(struct mpic_config *cfg, const struct mpic_config *from,
		 const char *key)
{
	const struct cfg_key *k;
	const char *src;
	char *dst;
	const char *s;
	size_t size = 0;

	if (cfg == NULL || from == NULL || key == NULL ||
	    (k = key_find(mpic__cfg_top_keys, key)) == NULL)
		return MPIC_EINVAL;
	src = (const char *)from + k->off;
	dst = (char *)cfg + k->off;
	switch (k->kind) {
	case CK_STR:
		s = *(const char *const *)(const void *)src;
		if (s != NULL && (s = mpic__arena_strdup(&cfg->arena,
		    s)) == NULL)
			return MPIC_ENOMEM;
		memcpy(dst, &s, sizeof(s));
		break;
	case CK_BOOL: size = sizeof(bool); break;
	case CK_UINT: size = sizeof(unsigned); break;
	case CK_INT: size = sizeof(int); break;
	case CK_DOUBLE: size = sizeof(double); break;
	case CK_FN:
		if (strcmp(key, "role") != 0)
			return MPIC_EINVAL;
		cfg->role = from->role;
		break;
	case CK_LIST:
	case CK_MAP:
		return MPIC_EINVAL;
	}
	if (size > 0)
		memcpy(dst, src, size);
	/* the settings view again, from the values now in cfg */
	return mpic__config_settings_make(cfg);
}
