/*
 * proof.c - a signed statement checked against what a verifier knows
 * (contract in proof.h): the perspectives' keys and locations from a
 * configuration or a bundle, the record that holds the statement, the
 * request it must be about.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "proof/proof.h"

#define PROOF_MAX_WORKERS 1024

void
proof_keys_release(struct proof_keys *keys)
{
	size_t i, j;

	for (i = 0; keys->p != NULL && i < keys->n; i++)
		for (j = 0; j < keys->p[i].nk; j++)
			EVP_PKEY_free(keys->p[i].k[j]);
	mpic__free(keys->p);
	keys->p = NULL;
	keys->n = 0;
}

int
proof_keys_load(const char *path, struct proof_keys *keys, char *err,
		size_t errlen)
{
	struct mpic_config *cfg = NULL;
	const struct mpic__perspective_def *d;
	struct proof_persp *p;
	const char *files[2];
	size_t i, j;
	int rc;

	memset(keys, 0, sizeof(*keys));
	/* without reading its hash secret: not needed here */
	if ((rc = mpic_config_reread(path, &cfg, err, errlen)) != 0)
		return rc;
	rc = MPIC_ENOMEM;
	if (cfg->n_perspectives > 0 && (keys->p = mpic__calloc(
	    cfg->n_perspectives, sizeof(*keys->p))) == NULL)
		goto out;
	for (i = 0; i < cfg->n_perspectives; i++) {
		d = &cfg->perspectives[i];
		p = &keys->p[keys->n++];
		mpic__bufprintf(p->code, sizeof(p->code), "%s", d->code);
		mpic__bufprintf(p->rir, sizeof(p->rir), "%s",
		    mpic__rir_str(d->rir));
		p->loc = d->loc;
		files[0] = d->signing_pubkey;
		files[1] = d->signing_pubkey_previous;
		for (j = 0; j < 2 && files[j] != NULL; j++) {
			p->k[j] = mpic__ev_key_load_public(files[j], err,
			    errlen);
			if (p->k[j] == NULL) {
				rc = MPIC_ECONFIG;
				goto out;
			}
			p->nk = j + 1;
		}
	}
	rc = 0;
out:
	if (rc != 0)
		proof_keys_release(keys);
	mpic_config_free(cfg);
	return rc;
}

const struct proof_persp *
proof_keys_find(const struct proof_keys *keys, const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < keys->n; i++)
		if (strcmp(keys->p[i].code, code) == 0)
			return &keys->p[i];
	return NULL;
}

json_t *
proof_keys_to_json(const struct proof_keys *keys)
{
	uint8_t pub[MPIC__EV_PUB_LEN], fp[MPIC__EV_DIGEST_LEN];
	char hp[2 * MPIC__EV_PUB_LEN + 1], hf[2 * MPIC__EV_DIGEST_LEN + 1];
	json_t *list = json_array(), *o, *ks;
	size_t i, j;

	for (i = 0; list != NULL && i < keys->n; i++) {
		const struct proof_persp *p = &keys->p[i];

		ks = json_array();
		for (j = 0; ks != NULL && j < p->nk; j++) {
			if (mpic__ev_key_raw(p->k[j], pub) != 0)
				continue;
			mpic__sha256(pub, sizeof(pub), fp);
			mpic__ev_hex(pub, sizeof(pub), hp);
			mpic__ev_hex(fp, sizeof(fp), hf);
			json_array_append_new(ks, json_pack("{s:s,s:s}",
			    "public_key", hp, "fingerprint", hf));
		}
		o = json_pack("{s:s,s:s,s:{s:f,s:f},s:o}", "code", p->code,
		    "rir", p->rir, "location", "lat", p->loc.lat, "lon",
		    p->loc.lon, "keys", ks ? ks : json_array());
		if (o == NULL || json_array_append_new(list, o) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

int
proof_keys_json(const json_t *list, struct proof_keys *keys, char *err,
		size_t errlen)
{
	struct proof_persp *p;
	const json_t *o, *k;
	const char *code, *rir;
	uint8_t pub[MPIC__EV_PUB_LEN];
	size_t i, j;
	double lat, lon;

	memset(keys, 0, sizeof(*keys));
	if (!json_is_array(list) || json_array_size(list) > 256) {
		mpic__bufprintf(err, errlen, "perspectives: not a list (of at "
		    "most 256)");
		return MPIC_EPARSE;
	}
	if (json_array_size(list) > 0 && (keys->p = mpic__calloc(
	    json_array_size(list), sizeof(*keys->p))) == NULL)
		return MPIC_ENOMEM;
	json_array_foreach(list, i, o) {
		p = &keys->p[keys->n++];
		if (json_unpack((json_t *)o, "{s:s,s:s,s:{s:F,s:F}}", "code",
		    &code, "rir", &rir, "location", "lat", &lat, "lon",
		    &lon) != 0 || strlen(code) >= sizeof(p->code) ||
		    strlen(rir) >= sizeof(p->rir)) {
			mpic__bufprintf(err, errlen, "perspectives[%zu]: code, "
			    "rir or location missing", i);
			goto bad;
		}
		mpic__bufprintf(p->code, sizeof(p->code), "%s", code);
		mpic__bufprintf(p->rir, sizeof(p->rir), "%s", rir);
		p->loc.lat = lat;
		p->loc.lon = lon;
		json_array_foreach(json_object_get(o, "keys"), j, k) {
			if (j >= 2 || mpic__ev_unhex(json_string_value(
			    json_object_get(k, "public_key")), pub,
			    sizeof(pub)) != 0 ||
			    (p->k[j] = mpic__ev_key_from_raw(pub)) == NULL) {
				mpic__bufprintf(err, errlen, "perspectives[%zu]"
				    ".keys[%zu]: not a raw Ed25519 public key "
				    "in hex (at most 2 keys)", i, j);
				goto bad;
			}
			p->nk = j + 1;
		}
	}
	return 0;
bad:
	proof_keys_release(keys);
	return MPIC_EPARSE;
}

int
proof_call_digest(const json_t *decision, uint8_t out[MPIC__EV_DIGEST_LEN])
{
	const json_t *call = json_object_get(decision, "perspective_call");
	const char *type = json_string_value(json_object_get(decision,
	    "check_type"));

	if (!json_is_object(call) || type == NULL)
		return -1;
	return mpic__ev_request_digest(type, call, out);
}

/* The verdict a record's result stands for. */
static int
result_verdict(const char *result, enum mpic__ev_verdict *v)
{
	if (result == NULL)
		return -1;
	if (strcmp(result, "pass") == 0)
		*v = MPIC__EV_PASSED;
	else if (strcmp(result, "fail") == 0)
		*v = MPIC__EV_FAILED;
	else if (strcmp(result, "error") == 0)
		*v = MPIC__EV_NOT_COMPLETED;
	else
		return -1;
	return 0;
}

enum proof_verdict
proof_record_check(const struct proof_keys *keys, const json_t *rec,
		   const uint8_t *digest, struct mpic__ev_signed *st,
		   char *why, size_t whylen)
{
	const char *code = json_string_value(json_object_get(rec,
	    "perspective_code"));
	const char *rir = json_string_value(json_object_get(rec, "rir"));
	const char *result = json_string_value(json_object_get(rec,
	    "result"));
	const json_t *so = json_object_get(rec, "signed_statement");
	const struct proof_persp *p;
	enum mpic__ev_verdict v;
	char err[256];

	if (code == NULL || rir == NULL || result_verdict(result, &v) != 0) {
		mpic__bufprintf(why, whylen, "perspective_code, rir or result "
		    "missing or unknown");
		return PROOF_BAD;
	}
	if (so == NULL || json_is_null(so)) {
		if (v == MPIC__EV_NOT_COMPLETED)
			return PROOF_UNSIGNED_ERROR;
		mpic__bufprintf(why, whylen, "perspective %s: result \"%s\" "
		    "but no signed_statement: a record the perspective never "
		    "signed", code, result);
		return PROOF_BAD;
	}
	if ((p = proof_keys_find(keys, code)) == NULL || p->nk == 0) {
		mpic__bufprintf(why, whylen, "perspective %s: no key for it "
		    "in the keys given", code);
		return PROOF_BAD;
	}
	switch (mpic__ev_check(so, p->k, p->nk, st, err, sizeof(err))) {
	case MPIC__EV_OK:
		break;
	case MPIC__EV_MISSING:
	case MPIC__EV_MALFORMED:
	case MPIC__EV_UNKNOWN_KEY:
	case MPIC__EV_BAD_SIGNATURE:
		mpic__bufprintf(why, whylen, "perspective %s: %s", code, err);
		return PROOF_BAD;
	}
	if (strcmp(st->st.code, code) != 0 || strcmp(st->st.rir, rir) != 0 ||
	    strcmp(p->rir, rir) != 0) {
		mpic__bufprintf(why, whylen, "perspective %s: the statement's "
		    "perspective_code or rir (%s, %s) differ from the record's "
		    "or the keys'", code, st->st.code, st->st.rir);
		return PROOF_BAD;
	}
	if (st->st.verdict != v) {
		mpic__bufprintf(why, whylen, "perspective %s: the record says "
		    "\"%s\" but the signed verdict is \"%s\"", code, result,
		    mpic__ev_verdict_str(st->st.verdict));
		return PROOF_BAD;
	}
	if (digest != NULL && memcmp(digest, st->st.request_digest,
	    MPIC__EV_DIGEST_LEN) != 0) {
		mpic__bufprintf(why, whylen, "perspective %s: the statement is "
		    "for another request (request_digest differs from the "
		    "decision's perspective_call)", code);
		return PROOF_BAD;
	}
	return PROOF_VERIFIED;
}

size_t
proof_log_files(const char *path, char **files, size_t max)
{
	struct stat sb;
	char name[4200];
	size_t n = 0, misses = 0, w;

	if (stat(path, &sb) == 0 && n < max)
		files[n++] = mpic__strdup(path);
	/* the workers' chains: numbered from 0; stop after a gap of 64 */
	for (w = 0; w < PROOF_MAX_WORKERS && misses < 64 && n < max; w++) {
		mpic__bufprintf(name, sizeof(name), "%s.w%zu", path, w);
		if (stat(name, &sb) != 0) {
			misses++;
			continue;
		}
		misses = 0;
		files[n++] = mpic__strdup(name);
	}
	while (n > 0 && files[n - 1] == NULL)
		n--;
	return n;
}
