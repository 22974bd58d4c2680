/*
 * request.c - the body of POST /diagnose (diagnose.h): bounded, every key
 * known, the name a DNS name, --url a URL of a challenge path.
 */
#include <string.h>

#include "diagnose/diagnose.h"

static int
get(json_t *o, const char *key, char *out, size_t outlen, char *why,
    size_t whylen)
{
	json_t *v = json_object_get(o, key);

	out[0] = '\0';
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) >= outlen ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		mpic__bufprintf(why, whylen, "%s: a string of at most %zu "
		    "bytes", key, outlen - 1);
		return MPIC_EINVAL;
	}
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static bool
dns_name(const char *s)
{
	uint8_t wire[MPIC__NAME_MAX + 2];

	/* host names (and _labels): no escapes, nothing to quote */
	return s[0] != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == strlen(s) &&
	    mpic__dns_name_to_wire(s, wire, sizeof(wire)) > 1;
}

/* http(s)://HOST/.well-known/{acme-challenge,pki-validation}/X, HOST a
 * name: the paths of the HTTP methods (url_body() in probe.c). */
static bool
challenge_url(const char *u)
{
	static const char *const dirs[] = { "/.well-known/acme-challenge/",
	    "/.well-known/pki-validation/" };
	char host[MPIC__NAME_MAX + 1];
	const char *h, *path;
	size_t i;

	if (strncmp(u, "http://", 7) == 0)
		h = u + 7;
	else if (strncmp(u, "https://", 8) == 0)
		h = u + 8;
	else
		return false;
	path = h + strcspn(h, "/");
	if ((size_t)(path - h) >= sizeof(host) || strpbrk(u, " \t\r\n?#"))
		return false;
	memcpy(host, h, (size_t)(path - h));
	host[path - h] = '\0';
	if (!dns_name(host))
		return false;
	for (i = 0; i < 2; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0 &&
		    path[strlen(dirs[i])] != '\0')
			return true;
	return false;
}

int
mpic__diag_q_parse(const char *body, size_t len, struct mpic__diag_q *q,
		   char *why, size_t whylen)
{
	static const char *const keys[] = { "name", "url", "txt", "expect",
	    "caa_domains" };
	json_t *o = NULL, *v;
	const char *k;
	size_t i;
	int rc = MPIC_EINVAL;

	memset(q, 0, sizeof(*q));
	if (len > MPIC_MAX_BODY) {
		mpic__bufprintf(why, whylen, "body larger than %d bytes",
		    MPIC_MAX_BODY);
		goto out;
	}
	if ((o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(o)) {
		mpic__bufprintf(why, whylen, "the body is not a JSON object");
		goto out;
	}
	json_object_foreach(o, k, v) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0])) {
			mpic__bufprintf(why, whylen, "unknown key %.64s", k);
			goto out;
		}
	}
	if (get(o, "name", q->name, sizeof(q->name), why, whylen) != 0 ||
	    get(o, "url", q->url, sizeof(q->url), why, whylen) != 0 ||
	    get(o, "txt", q->txt, sizeof(q->txt), why, whylen) != 0 ||
	    get(o, "expect", q->expect, sizeof(q->expect), why, whylen) != 0)
		goto out;
	q->has_expect = json_is_string(json_object_get(o, "expect"));
	v = json_object_get(o, "caa_domains");
	if (v != NULL && (!json_is_array(v) || json_array_size(v) >
	    MPIC__DIAG_MAX_CAA)) {
		mpic__bufprintf(why, whylen, "caa_domains: at most %d names",
		    MPIC__DIAG_MAX_CAA);
		goto out;
	}
	for (i = 0; i < json_array_size(v); i++) {
		const char *s = json_string_value(json_array_get(v, i));

		if (s == NULL || strlen(s) > MPIC__NAME_MAX || !dns_name(s)) {
			mpic__bufprintf(why, whylen, "caa_domains: DNS names");
			goto out;
		}
		memcpy(q->caa[q->n_caa++], s, strlen(s) + 1);
	}
	if (!dns_name(q->name)) {
		mpic__bufprintf(why, whylen, "name: a DNS name is required");
		goto out;
	}
	if (q->url[0] != '\0' && !challenge_url(q->url)) {
		mpic__bufprintf(why, whylen, "url: http(s)://NAME/.well-known/"
		    "acme-challenge/TOKEN or .../pki-validation/PATH");
		goto out;
	}
	if (q->txt[0] != '\0' && !dns_name(q->txt)) {
		mpic__bufprintf(why, whylen, "txt: a DNS name");
		goto out;
	}
	if ((q->url[0] != '\0' && q->txt[0] != '\0') || (q->has_expect !=
	    (q->url[0] != '\0' || q->txt[0] != '\0'))) {
		mpic__bufprintf(why, whylen, "expect goes with one of url "
		    "or txt");
		goto out;
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

char *
mpic__diag_q_body(const struct mpic__diag_q *q)
{
	json_t *o = json_pack("{s:s}", "name", q->name);
	char *text = NULL, *copy = NULL;

	if (o == NULL)
		return NULL;
	if (q->url[0] != '\0')
		json_object_set_new(o, "url", json_string(q->url));
	if (q->txt[0] != '\0')
		json_object_set_new(o, "txt", json_string(q->txt));
	if (q->has_expect)
		json_object_set_new(o, "expect", json_string(q->expect));
	if (q->n_caa > 0) {
		json_t *a = json_array();
		size_t i;

		for (i = 0; a != NULL && i < q->n_caa; i++)
			json_array_append_new(a, json_string(q->caa[i]));
		json_object_set_new(o, "caa_domains", a);
	}
	if ((text = json_dumps(o, JSON_COMPACT)) != NULL)
		copy = mpic__strdup(text);
	free(text);
	json_decref(o);
	return copy;
}
