/*
 * diagnose_cmd.c - "mpic diagnose NAME [--url URL | --txt NAME] [--expect
 * TEXT]": the pre-flight of mpic/diagnose.h from every configured
 * perspective, in process (-c) or through a coordinator's POST /diagnose
 * (--server), printed as a table, the findings and the verdict (--json:
 * the answer as it came).  Exit 0 ready for MPIC, 1 not ready, 2 could not
 * run, 64 usage, 78 configuration error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>

#include "mpic/mpic.h"
#include "tool.h"

#define MAX_ANSWER (4 * 1024 * 1024)

struct dg {
	int status;
	char *body;
	bool done, ready, timed_out;
	struct event_base *base;
};

static void
on_answer(void *arg, int status, const char *body, size_t len, bool ready)
{
	struct dg *g = arg;

	g->status = status;
	g->body = strndup(body, len);
	g->ready = ready;
	g->done = true;
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct dg *g = arg;

	(void)fd;
	(void)what;
	g->timed_out = true;
	event_base_loopbreak(g->base);
}

static int
run_local(const char *cfgpath, const char *body, int timeout_s, struct dg *g)
{
	struct mpic_config *cfg = NULL;
	struct mpic_diag *d = NULL;
	struct event *timer = NULL;
	struct timeval tv = { timeout_s, 0 };
	char err[1024] = "";
	int rc = 2;

	if (mpic_config_load(cfgpath, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpic: %s\n", err);
		return 78;
	}
	if ((g->base = event_base_new()) == NULL) {
		fprintf(stderr, "mpic: cannot create an event base\n");
		goto out;
	}
	if (mpic_diag_new(g->base, cfg, &d, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpic: %s: %s\n", cfgpath, err);
		rc = 78;
		goto out;
	}
	if (mpic_diag_run(d, body, strlen(body), on_answer, g) != 0) {
		fprintf(stderr, "mpic: cannot start the diagnosis\n");
		goto out;
	}
	if (timeout_s > 0 && ((timer = evtimer_new(g->base, on_timeout, g)) ==
	    NULL || evtimer_add(timer, &tv) != 0)) {
		fprintf(stderr, "mpic: cannot set the timeout\n");
		goto out;
	}
	while (!g->timed_out && !g->done)
		if (event_base_loop(g->base, EVLOOP_ONCE) != 0)
			break;
	if (!g->done) {
		fprintf(stderr, "mpic: no answer within %d s (--timeout)\n",
		    timeout_s);
		goto out;
	}
	rc = 0;
out:
	if (timer != NULL)
		event_free(timer);
	mpic_diag_free(d);
	if (g->base != NULL)
		event_base_free(g->base);
	mpic_config_free(cfg);
	return rc;
}

static size_t
curl_write(char *p, size_t sz, size_t n, void *arg)
{
	struct tool_buf *b = arg;

	if (b->len + sz * n > MAX_ANSWER)
		return 0;
	return tool_buf_add(b, p, sz * n) == 0 ? sz * n : 0;
}

static int
run_remote(const struct tool_diag_args *a, const char *body, struct dg *g)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct tool_buf b = {0};
	const char *key = getenv("MPIC_API_KEY");
	char full[2048], keyhdr[600];
	long status = 0;
	CURLcode cc;

	if (c == NULL)
		return 2;
	snprintf(full, sizeof(full), "%s/diagnose", a->server);
	h = curl_slist_append(h, "Content-Type: application/json");
	if (key != NULL) {
		snprintf(keyhdr, sizeof(keyhdr), "x-api-key: %s", key);
		h = curl_slist_append(h, keyhdr);
	}
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, a->timeout_s > 0 ?
	    (long)a->timeout_s : 120L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (a->cacert != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, a->cacert);
	if (a->cert != NULL)
		curl_easy_setopt(c, CURLOPT_SSLCERT, a->cert);
	if (a->key != NULL)
		curl_easy_setopt(c, CURLOPT_SSLKEY, a->key);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		fprintf(stderr, "mpic: %s: %s\n", full, curl_easy_strerror(cc));
		free(b.p);
		return 2;
	}
	g->status = (int)status;
	g->body = b.p != NULL ? b.p : strdup("");
	g->done = true;
	return 0;
}

static const char *
s(json_t *o, const char *k1, const char *k2)
{
	json_t *v = json_object_get(o, k1);

	if (k2 != NULL)
		v = json_object_get(v, k2);
	return json_string_value(v);
}

/* One perspective's row: what it saw, in a few words per column. */
static void
row(json_t *p)
{
	json_t *tcp = json_object_get(p, "tcp"), *st;
	char addrs[256] = "", ports[32];
	size_t i, open = 0, at = 0;
	const char *fam[] = { "a", "aaaa" }, *caa;
	json_t *txt = json_object_get(json_object_get(p, "txt"), "records");

	if (s(p, "error", NULL) != NULL) {
		printf("%-16s %-9s no answer: %s\n", s(p, "perspective_code",
		    NULL) ?: "?", s(p, "rir", NULL) ?: "?",
		    s(p, "error", NULL));
		return;
	}
	for (i = 0; i < 2; i++) {
		json_t *x = json_object_get(json_object_get(p, fam[i]),
		    "addresses");
		size_t k;

		if (s(p, fam[i], "failure") != NULL && at < sizeof(addrs))
			at += (size_t)snprintf(addrs + at, sizeof(addrs) - at,
			    "%s%s:%s", at ? " " : "", fam[i],
			    s(p, fam[i], "failure"));
		for (k = 0; k < json_array_size(x) && at < sizeof(addrs); k++)
			at += (size_t)snprintf(addrs + at, sizeof(addrs) - at,
			    "%s%s", at ? " " : "", json_string_value(
			    json_array_get(x, k)));
	}
	for (i = 0; i < json_array_size(tcp); i++)
		if (json_is_true(json_object_get(json_array_get(tcp, i),
		    "open")))
			open++;
	snprintf(ports, sizeof(ports), "%zu/%zu", open, json_array_size(tcp));
	st = json_object_get(json_object_get(json_object_get(p, "http"),
	    "details"), "response_status_code");
	caa = json_is_true(json_object_get(json_object_get(p, "caa"),
	    "passed")) ? "permits" : json_is_true(json_object_get(
	    json_object_get(p, "caa"), "completed")) ? "FORBIDS" : "error";
	printf("%-16s %-9s %-13s %-7s %-5s %-4s %-3zu %s", s(p,
	    "perspective_code", NULL) ?: "?", s(p, "rir", NULL) ?: "?",
	    s(p, "a", "dnssec") ?: "?", caa, ports, json_is_integer(st) ?
	    "" : "-", json_array_size(txt), addrs[0] ? addrs : "-");
	if (json_is_integer(st))
		printf(" (HTTP %lld)", (long long)json_integer_value(st));
	if (json_object_get(p, "challenge_url") != NULL ||
	    json_object_get(p, "challenge_txt") != NULL)
		printf(" challenge %s", json_is_true(json_object_get(
		    json_object_get(p, "challenge_url"), "passed")) ?
		    "seen" : "see findings");
	printf("\n");
}

static void
print_text(json_t *ans)
{
	json_t *ps = json_object_get(ans, "perspectives");
	json_t *fs = json_object_get(ans, "findings"), *f;
	size_t i;

	printf("diagnosis of %s\n\n", s(ans, "name", NULL) ?: "?");
	printf("%-16s %-9s %-13s %-7s %-5s %-4s %-3s %s\n", "PERSPECTIVE",
	    "RIR", "DNSSEC", "CAA", "TCP", "", "TXT", "ADDRESSES");
	for (i = 0; i < json_array_size(ps); i++)
		row(json_array_get(ps, i));
	if (json_array_size(fs) > 0)
		printf("\nfindings:\n");
	json_array_foreach(fs, i, f) {
		json_t *w = json_object_get(f, "perspectives"), *x;
		size_t k;

		printf("  %s [%s]: %s\n", s(f, "code", NULL), s(f, "severity",
		    NULL), s(f, "summary", NULL));
		printf("    perspectives:");
		json_array_foreach(w, k, x)
			printf(" %s (%s)", s(x, "code", NULL) ?: "?",
			    s(x, "rir", NULL) ?: "?");
		printf("\n    advice: %s\n", s(f, "advice", NULL));
	}
	printf("\n%s\n", s(ans, "verdict", NULL) ?: "?");
}

int
tool_diagnose(int argc, char **argv, const struct tool_diag_args *a)
{
	static const struct option opts[] = {
		{"url", required_argument, NULL, 'u'},
		{"txt", required_argument, NULL, 't'},
		{"expect", required_argument, NULL, 'e'},
		{NULL, 0, NULL, 0},
	};
	json_t *req = NULL, *ans = NULL;
	struct dg g;
	char *body = NULL;
	int c, rc = 64;

	memset(&g, 0, sizeof(g));
	if ((req = json_object()) == NULL)
		return 2;
	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '?')
			goto out;
		json_object_set_new(req, c == 'u' ? "url" : c == 't' ? "txt" :
		    "expect", json_string(optarg));
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: mpic diagnose NAME [--url URL | --txt "
		    "NAME] [--expect TEXT]\n");
		goto out;
	}
	json_object_set_new(req, "name", json_string(argv[optind]));
	rc = 2;
	if ((body = json_dumps(req, JSON_COMPACT)) == NULL)
		goto out;
	rc = a->server != NULL ? run_remote(a, body, &g) :
	    run_local(a->cfgpath, body, a->timeout_s, &g);
	if (rc != 0)
		goto out;
	rc = 2;
	if (g.status != 200) {
		fprintf(stderr, "mpic: diagnosis not run (HTTP %d): %s\n",
		    g.status, g.body);
		rc = g.status == 400 ? 64 : 2;
		goto out;
	}
	if ((ans = json_loads(g.body, 0, NULL)) == NULL) {
		fprintf(stderr, "mpic: the answer is not JSON\n");
		goto out;
	}
	if (a->json)
		printf("%s\n", g.body);
	else
		print_text(ans);
	rc = json_is_true(json_object_get(ans, "ready")) ? 0 : 1;
out:
	json_decref(req);
	json_decref(ans);
	free(body);
	free(g.body);
	return rc;
}
