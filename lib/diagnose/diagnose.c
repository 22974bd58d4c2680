/*
 * diagnose.c - mpic/diagnose.h: a diagnosis fanned out to the configured
 * perspectives (each in process with its own resolver and HTTP client, or
 * POST URL/diagnose over the perspective API's mutual TLS), their
 * observations judged (verdict.c); in role perspective, the probe of its
 * identity alone.  Nothing here writes the audit log: a diagnosis is not
 * a validation.
 */
#include <string.h>

#include <curl/curl.h>

#include "diagnose/diagnose.h"
#include "dcv/web.h"
#include "engine/remote_tls.h"
#include "util/curl_loop.h"

/* A perspective's answer to POST /diagnose: no more is read. */
#define DIAG_ANSWER_MAX (256u * 1024u)
#define DIAG_REMOTE_TIMEOUT_MS 30000u

struct prober {
	const struct mpic__perspective_def *def;
	struct mpic__resolver *resolver;   /* in process; NULL: remote */
	struct mpic__web *web;
	struct mpic__check_env env;
	char url[MPIC__DIAG_URL_MAX + 16];  /* remote: URL/diagnose */
};

struct run;

/* One perspective's part of a run. */
struct part {
	struct run *run;
	size_t i;
	struct mpic__diag_probe *probe;
	CURL *easy;
	struct curl_slist *hdr;
	char *buf;
	size_t len;
	bool over;                         /* answer past DIAG_ANSWER_MAX */
};

struct run {
	struct mpic_diag *d;
	struct run *prev, *next;
	struct mpic__diag_q q;
	char *body;                        /* for the remotes */
	json_t *persp;                     /* array, one slot per prober */
	struct part *parts;
	size_t pending;
	mpic_diag_cb cb;
	void *arg;
};

struct mpic_diag {
	struct event_base *base;
	const struct mpic_config *cfg;
	bool self;                         /* role perspective */
	struct prober *pr;
	size_t n;
	struct mpic__curl_loop *loop;      /* remotes only */
	struct mpic__remote_tls *tls;
	struct run *runs;
	size_t inflight;
};

static int
prober_local(struct mpic_diag *d, struct prober *p, char *err, size_t errlen)
{
	int rc;

	rc = mpic__resolver_new(d->base, &p->def->dns, &p->resolver, err,
	    errlen);
	if (rc != 0)
		return rc;
	if ((rc = mpic__web_new(d->base, d->cfg, &p->web)) != 0) {
		mpic__bufprintf(err, errlen, "cannot make an HTTP client");
		return rc;
	}
	p->env.base = d->base;
	p->env.cfg = d->cfg;
	p->env.resolver = p->resolver;
	p->env.web = &p->web;
	p->env.issuer_domains = d->cfg->issuer_domains;
	p->env.n_issuers = d->cfg->n_issuer_domains;
	return 0;
}

int
mpic_diag_new(struct event_base *base, const struct mpic_config *cfg,
	      struct mpic_diag **out, char *err, size_t errlen)
{
	struct mpic_diag *d;
	size_t i, ul;
	int rc = MPIC_ENOMEM;

	*out = NULL;
	if ((d = mpic__calloc(1, sizeof(*d))) == NULL)
		goto out;
	d->base = base;
	d->cfg = cfg;
	d->self = cfg->role == MPIC_ROLE_PERSPECTIVE;
	d->n = d->self ? 1 : cfg->n_perspectives;
	if (d->self && !cfg->has_identity) {
		mpic__bufprintf(err, errlen, "%s: no identity", cfg->source);
		rc = MPIC_EINVAL;
		goto out;
	}
	if ((d->pr = mpic__calloc(d->n ? d->n : 1, sizeof(*d->pr))) == NULL)
		goto out;
	for (i = 0; i < d->n; i++) {
		struct prober *p = &d->pr[i];

		p->def = d->self ? &cfg->identity : &cfg->perspectives[i];
		if (p->def->url == NULL || d->self) {
			if ((rc = prober_local(d, p, err, errlen)) != 0)
				goto out;
			continue;
		}
		ul = strlen(p->def->url);
		if (ul > 0 && p->def->url[ul - 1] == '/')
			ul--;
		mpic__bufprintf(p->url, sizeof(p->url), "%.*s/diagnose",
		    (int)ul, p->def->url);
		rc = MPIC_ENOMEM;
		if (d->loop == NULL && (mpic__curl_loop_new(base, &d->loop) !=
		    0 || (d->tls = mpic__remote_tls_new(cfg)) == NULL)) {
			mpic__bufprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	*out = d;
	d = NULL;
	rc = 0;
out:
	mpic_diag_free(d);
	return rc;
}

static void
run_free(struct run *r)
{
	struct mpic_diag *d = r->d;
	size_t i;

	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		d->runs = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	d->inflight--;
	for (i = 0; r->parts != NULL && i < d->n; i++) {
		struct part *pt = &r->parts[i];

		mpic__diag_probe_free(pt->probe);
		if (pt->easy != NULL) {
			mpic__curl_loop_cancel(d->loop, pt->easy);
			curl_easy_cleanup(pt->easy);
		}
		curl_slist_free_all(pt->hdr);
		mpic__free(pt->buf);
	}
	mpic__free(r->parts);
	mpic__free(r->body);
	json_decref(r->persp);
	mpic__free(r);
}

void
mpic_diag_free(struct mpic_diag *d)
{
	size_t i;

	if (d == NULL)
		return;
	/* the resolvers and HTTP clients first: then nothing calls back */
	for (i = 0; d->pr != NULL && i < d->n; i++) {
		mpic__resolver_free(d->pr[i].resolver);
		mpic__web_free(d->pr[i].web);
	}
	while (d->runs != NULL)
		run_free(d->runs);
	mpic__curl_loop_free(d->loop);
	mpic__remote_tls_free(d->tls);
	mpic__free(d->pr);
	mpic__free(d);
}

size_t
mpic_diag_inflight(const struct mpic_diag *d)
{
	return d != NULL ? d->inflight : 0;
}

/* Every part answered: the run's answer. */
static void
run_answer(struct run *r)
{
	static const char oom[] = "{\"error\":\"internal-error\"}";
	json_t *ans = NULL, *findings = NULL;
	char why[1024] = "";
	bool ready = false;
	char *text = NULL;

	if (r->d->self) {
		ans = json_incref(json_array_get(r->persp, 0));
	} else if ((findings = mpic__diag_judge(&r->q, r->persp, &ready, why,
	    sizeof(why))) != NULL) {
		ans = json_pack("{s:s, s:O, s:o, s:b, s:s}", "name", r->q.name,
		    "perspectives", r->persp, "findings", findings, "ready",
		    ready, "verdict", ready ? "ready for MPIC" : why);
	}
	if (ans != NULL)
		text = json_dumps(ans, JSON_COMPACT);
	json_decref(ans);
	if (text == NULL)
		r->cb(r->arg, 500, oom, sizeof(oom) - 1, false);
	else
		r->cb(r->arg, 200, text, strlen(text), ready);
	free(text);
	run_free(r);
}

static void
part_set(struct part *pt, json_t *obs)
{
	struct run *r = pt->run;

	json_array_set_new(r->persp, pt->i, obs != NULL ? obs :
	    json_pack("{s:s}", "error", "out of memory"));
	if (--r->pending == 0)
		run_answer(r);
}

static void
probe_done(void *arg, json_t *obs)
{
	struct part *pt = arg;

	mpic__diag_probe_free(pt->probe);
	pt->probe = NULL;
	part_set(pt, obs);
}

/* A perspective that did not answer: its name and why. */
static json_t *
no_answer(const struct mpic__perspective_def *def, const char *why)
{
	return json_pack("{s:s, s:s, s:s}", "perspective_code", def->code,
	    "rir", mpic__rir_str(def->rir), "error", why);
}

static size_t
on_data(char *p, size_t sz, size_t n, void *arg)
{
	struct part *pt = arg;
	char *nb;

	if (pt->len + sz * n > DIAG_ANSWER_MAX) {
		pt->over = true;
		return 0;
	}
	if ((nb = mpic__realloc(pt->buf, pt->len + sz * n + 1)) == NULL)
		return 0;
	pt->buf = nb;
	memcpy(pt->buf + pt->len, p, sz * n);
	pt->len += sz * n;
	pt->buf[pt->len] = '\0';
	return sz * n;
}

static void
remote_done(void *arg, CURL *easy, CURLcode cc)
{
	struct part *pt = arg;
	const struct mpic__perspective_def *def = pt->run->d->pr[pt->i].def;
	long status = 0;
	json_t *o = NULL;
	char why[512];

	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(easy);
	pt->easy = NULL;
	if (cc != CURLE_OK)
		mpic__bufprintf(why, sizeof(why), "%s", pt->over ?
		    "answer too large" : curl_easy_strerror(cc));
	else if (status != 200)
		mpic__bufprintf(why, sizeof(why), "HTTP %ld", status);
	else if ((o = json_loadb(pt->buf ? pt->buf : "", pt->len, 0, NULL)) ==
	    NULL || !json_is_object(o))
		mpic__bufprintf(why, sizeof(why), "malformed answer");
	else if (json_string_value(json_object_get(o, "perspective_code")) ==
	    NULL || strcmp(json_string_value(json_object_get(o,
	    "perspective_code")), def->code) != 0 ||
	    json_string_value(json_object_get(o, "rir")) == NULL ||
	    strcmp(json_string_value(json_object_get(o, "rir")),
	    mpic__rir_str(def->rir)) != 0)
		/* a misrouted backend cannot speak under another's name */
		mpic__bufprintf(why, sizeof(why), "answer names another "
		    "perspective");
	else {
		part_set(pt, o);
		return;
	}
	json_decref(o);
	part_set(pt, no_answer(def, why));
}

static int
remote_start(struct part *pt)
{
	struct mpic_diag *d = pt->run->d;
	const struct prober *p = &d->pr[pt->i];
	unsigned ms = d->cfg->remote_timeout_ms ? d->cfg->remote_timeout_ms :
	    DIAG_REMOTE_TIMEOUT_MS;

	if ((pt->easy = curl_easy_init()) == NULL || (pt->hdr =
	    curl_slist_append(NULL, "Content-Type: application/json")) ==
	    NULL)
		return MPIC_ENOMEM;
	curl_easy_setopt(pt->easy, CURLOPT_URL, p->url);
	curl_easy_setopt(pt->easy, CURLOPT_HTTPHEADER, pt->hdr);
	curl_easy_setopt(pt->easy, CURLOPT_POSTFIELDS, pt->run->body);
	curl_easy_setopt(pt->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(pt->easy, CURLOPT_WRITEDATA, pt);
	curl_easy_setopt(pt->easy, CURLOPT_TIMEOUT_MS, (long)ms);
	curl_easy_setopt(pt->easy, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(pt->easy, CURLOPT_NOSIGNAL, 1L);
	mpic__remote_tls_use(d->tls, pt->easy);
	if (mpic__curl_loop_add(d->loop, pt->easy, remote_done, pt) != 0)
		return MPIC_EIO;
	return 0;
}

int
mpic_diag_run(struct mpic_diag *d, const char *body, size_t len,
	      mpic_diag_cb cb, void *arg)
{
	struct run *r;
	char why[512];
	size_t i;
	int rc = MPIC_ENOMEM;

	if ((r = mpic__calloc(1, sizeof(*r))) == NULL)
		return MPIC_ENOMEM;
	r->d = d;
	r->cb = cb;
	r->arg = arg;
	r->next = d->runs;
	if (d->runs != NULL)
		d->runs->prev = r;
	d->runs = r;
	d->inflight++;
	if (mpic__diag_q_parse(body, len, &r->q, why, sizeof(why)) != 0) {
		char *text = mpic_issue_body("malformed-request", why);

		if (text == NULL)
			goto out;
		cb(arg, 400, text, strlen(text), false);
		mpic__free(text);
		run_free(r);
		return 0;
	}
	if (!d->self) {
		/* the issuer domains are the coordinator's, whatever a
		 * client sent: its perspectives judge CAA against them */
		r->q.n_caa = 0;
		for (i = 0; i < d->cfg->n_issuer_domains &&
		    i < MPIC__DIAG_MAX_CAA; i++)
			mpic__bufprintf(r->q.caa[r->q.n_caa++], sizeof(
			    r->q.caa[0]), "%s", d->cfg->issuer_domains[i]);
	}
	if ((r->persp = json_array()) == NULL || (r->body =
	    mpic__diag_q_body(&r->q)) == NULL || (r->parts = mpic__calloc(
	    d->n ? d->n : 1, sizeof(*r->parts))) == NULL)
		goto out;
	for (i = 0; i < d->n; i++)
		if (json_array_append_new(r->persp, json_null()) != 0)
			goto out;
	/* held: no answer before every part started */
	r->pending = d->n + 1;
	for (i = 0; i < d->n; i++) {
		struct part *pt = &r->parts[i];
		struct prober *p = &d->pr[i];

		pt->run = r;
		pt->i = i;
		if (p->resolver != NULL)
			rc = mpic__diag_probe_start(&p->env, p->def, &r->q,
			    probe_done, pt, &pt->probe);
		else
			rc = remote_start(pt);
		if (rc != 0)
			json_array_set_new(r->persp, i, no_answer(p->def,
			    mpic_strerror(rc)));
		if (rc != 0)
			r->pending--;
	}
	/* the answer from the loop even when nothing started */
	if (--r->pending == 0)
		run_answer(r);
	return 0;
out:
	run_free(r);
	return rc;
}
