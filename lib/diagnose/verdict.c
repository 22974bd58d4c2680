/*
 * verdict.c - judging a diagnosis (diagnose.h): the perspectives'
 * observations side by side, a finding for each way a validation of the
 * name would fail or split (docs/findings.md "Diagnoses": the rules), and
 * the verdict: ready unless a finding of severity "error" stands.
 */
#include <string.h>

#include "diagnose/diagnose.h"

#define MAX_P 128

struct judge {
	json_t *findings;
	json_t *p[MAX_P];                  /* the perspectives that answered */
	size_t n;
	bool ready;
	char *why;
	size_t whylen;
};

static const char *
str(json_t *o, const char *path1, const char *path2)
{
	json_t *v = json_object_get(o, path1);

	if (path2 != NULL)
		v = json_object_get(v, path2);
	return json_string_value(v);
}

/* Add a finding over the perspectives whose bit is set in sel. */
static void
add(struct judge *j, const char *code, const char *severity,
    const bool *sel, json_t *evidence, const char *advice,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void
add(struct judge *j, const char *code, const char *severity,
    const bool *sel, json_t *evidence, const char *advice,
    const char *fmt, ...)
{
	json_t *who = json_array(), *f;
	char summary[1024];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(summary, sizeof(summary), fmt, ap);
	va_end(ap);
	for (i = 0; who != NULL && i < j->n; i++)
		if (sel == NULL || sel[i])
			json_array_append_new(who, json_pack("{s:s?, s:s?}",
			    "code", str(j->p[i], "perspective_code", NULL),
			    "rir", str(j->p[i], "rir", NULL)));
	f = json_pack("{s:s, s:s, s:o, s:s, s:o, s:s}", "code", code,
	    "severity", severity, "perspectives", who != NULL ? who :
	    json_array(), "summary", summary, "evidence", evidence != NULL ?
	    evidence : json_array(), "advice", advice);
	if (f != NULL)
		json_array_append_new(j->findings, f);
	if (strcmp(severity, "error") == 0 && j->ready) {
		j->ready = false;
		mpic__bufprintf(j->why, j->whylen, "not ready: %s: %s", code,
		    summary);
	}
}

/* The codes of the selected perspectives, "a, b" (for summaries). */
static void
names(struct judge *j, const bool *sel, char *out, size_t outlen)
{
	size_t i, at = 0;

	out[0] = '\0';
	for (i = 0; i < j->n; i++)
		if (sel[i] && at < outlen)
			at += (size_t)snprintf(out + at, outlen - at, "%s%s",
			    at ? ", " : "", str(j->p[i], "perspective_code",
			    NULL));
}

static json_t *
ev(struct judge *j, size_t i, const char *key, json_t *what)
{
	return json_pack("{s:s?, s:s?, s:o}", "perspective_code", str(j->p[i],
	    "perspective_code", NULL), "rir", str(j->p[i], "rir", NULL), key,
	    what != NULL ? what : json_null());
}

static void
dns(struct judge *j)
{
	bool bogus[MAX_P] = {0}, fail[MAX_P] = {0};
	size_t i, nb = 0, nf = 0, nok = 0;
	json_t *evb = json_array(), *evf = json_array();
	char who[512];

	for (i = 0; i < j->n; i++) {
		json_t *a = json_object_get(j->p[i], "a");
		const char *fk = str(a, "failure", NULL);
		const char *nsf = str(j->p[i], "ns", "failure");

		if ((fk != NULL && strcmp(fk, "bogus") == 0) ||
		    strcmp(str(a, "dnssec", NULL) ? str(a, "dnssec", NULL) :
		    "", "bogus") == 0) {
			bogus[i] = true;
			nb++;
			json_array_append_new(evb, ev(j, i, "why_bogus",
			    json_string(str(a, "why_bogus", NULL) ?
			    str(a, "why_bogus", NULL) : str(a, "error",
			    NULL))));
		} else if (fk != NULL || (nsf != NULL &&
		    strcmp(nsf, "bogus") != 0)) {
			fail[i] = true;
			nf++;
			json_array_append_new(evf, ev(j, i, "failure",
			    json_string(fk != NULL ? str(a, "error", NULL) :
			    str(j->p[i], "ns", "error"))));
		} else {
			nok++;
		}
	}
	if (nb > 0 && nb == j->n)
		add(j, "dnssec_broken", "error", bogus, json_incref(evb),
		    "Fix the zone's DNSSEC (re-sign it, or make the DS in the "
		    "parent match a key): every validating resolver rejects "
		    "it.",
		    "DNSSEC validation fails for this name from every "
		    "perspective.");
	else if (nb > 0) {
		names(j, bogus, who, sizeof(who));
		add(j, "dnssec_bogus_in_some_regions", "error", bogus,
		    json_incref(evb), "Check every anycast node of the "
		    "authoritative servers; if they all serve the signed zone, "
		    "report the regions to the CA: this is what an on-path "
		    "attack looks like.", "The zone validates in some regions "
		    "and is bogus from %s.", who);
	}
	if (nf > 0 && nok > 0) {
		names(j, fail, who, sizeof(who));
		add(j, "dns_refused_from_some_regions", "error", fail,
		    json_incref(evf), "Let the authoritative servers answer "
		    "queries from every region (no geographic ACL or rate "
		    "limit on resolvers).", "The authoritative servers did not "
		    "answer %s (refused, SERVFAIL or no answer), and answered "
		    "the others.", who);
	} else if (nf > 0) {
		add(j, "lookup_failures", "error", fail, json_incref(evf),
		    "Make the name resolve: check the delegation (NS, glue) "
		    "and the servers.", "The name's lookups failed from every "
		    "perspective that was not bogus.");
	}
	json_decref(evb);
	json_decref(evf);
}

/* A perspective's addresses as one sorted text (the answer's key). */
static void
addr_key(json_t *o, char *out, size_t outlen)
{
	const char *v[2 * MPIC__DIAG_MAX_ADDRS];
	size_t n = 0, i, k, at = 0;
	static const char *const fam[] = { "a", "aaaa" };

	for (k = 0; k < 2; k++) {
		json_t *arr = json_object_get(json_object_get(o, fam[k]),
		    "addresses");

		for (i = 0; i < json_array_size(arr) &&
		    n < sizeof(v) / sizeof(v[0]); i++)
			v[n++] = json_string_value(json_array_get(arr, i));
	}
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && strcmp(v[k - 1], v[k]) > 0; k--) {
			const char *t = v[k];

			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	out[0] = '\0';
	for (i = 0; i < n && at < outlen; i++)
		at += (size_t)snprintf(out + at, outlen - at, "%s%s",
		    i ? " " : "", v[i]);
}

static void
answers(struct judge *j)
{
	char first[1024] = "", k[1024];
	bool any = false, have = false;
	json_t *e = json_array();
	size_t i;

	for (i = 0; i < j->n; i++) {
		if (str(j->p[i], "a", "failure") != NULL)
			continue;
		addr_key(j->p[i], k, sizeof(k));
		json_array_append_new(e, ev(j, i, "addresses", json_string(k)));
		if (!have) {
			memcpy(first, k, sizeof(first));
			have = true;
		} else if (strcmp(first, k) != 0) {
			any = true;
		}
	}
	if (any)
		add(j, "answers_differ_by_region", "warning", NULL,
		    json_incref(e), "Every regional answer must serve the "
		    "challenge (the same file or record at every address).",
		    "Perspectives got different addresses for the name: "
		    "GeoDNS, or (without DNSSEC) what an attack would look "
		    "like.");
	json_decref(e);
}

static void
caa(struct judge *j)
{
	bool sel[MAX_P] = {0};
	size_t i, n = 0;
	json_t *e = json_array();

	for (i = 0; i < j->n; i++) {
		json_t *c = json_object_get(j->p[i], "caa");

		if (json_is_true(json_object_get(c, "completed")) &&
		    !json_is_true(json_object_get(c, "passed"))) {
			sel[i] = true;
			n++;
			json_array_append_new(e, ev(j, i, "caa", json_incref(
			    json_object_get(c, "errors"))));
		}
	}
	if (n > 0)
		add(j, "caa_forbids", "error", sel, json_incref(e),
		    "Add a CAA issue record naming the CA (or remove the one "
		    "that forbids it).", "The name's CAA records do not permit "
		    "the configured issuer domains (%zu of %zu perspectives).",
		    n, j->n);
	json_decref(e);
}

static void
tcp(struct judge *j)
{
	json_t *t0 = NULL, *e = json_array();
	bool sel[MAX_P] = {0}, reported = false;
	size_t i, k, m, open_any = 0, closed_any = 0;
	char who[512];

	for (i = 0; i < j->n && t0 == NULL; i++)
		if (json_array_size(json_object_get(j->p[i], "tcp")) > 0)
			t0 = json_object_get(j->p[i], "tcp");
	/* each address:port the first perspective tried, everywhere */
	for (k = 0; k < json_array_size(t0); k++) {
		const char *addr = str(json_array_get(t0, k), "address", NULL);
		json_int_t port = json_integer_value(json_object_get(
		    json_array_get(t0, k), "port"));
		bool cl[MAX_P] = {0};
		size_t no = 0, nc = 0;

		for (i = 0; i < j->n; i++) {
			json_t *t = json_object_get(j->p[i], "tcp");

			for (m = 0; m < json_array_size(t); m++) {
				json_t *x = json_array_get(t, m);

				if (strcmp(str(x, "address", NULL), addr) ||
				    json_integer_value(json_object_get(x,
				    "port")) != port)
					continue;
				if (json_is_true(json_object_get(x, "open")))
					no++;
				else
					cl[i] = true, nc++;
			}
		}
		open_any += no;
		closed_any += nc;
		if (no > 0 && nc > 0) {
			for (i = 0; i < j->n; i++)
				if (cl[i]) {
					sel[i] = true;
					json_array_append_new(e, json_pack(
					    "{s:s?, s:s?, s:s, s:I, s:b}",
					    "perspective_code", str(j->p[i],
					    "perspective_code", NULL), "rir",
					    str(j->p[i], "rir", NULL),
					    "address", addr, "port", port,
					    "open", 0));
				}
			reported = true;
		}
	}
	if (reported) {
		names(j, sel, who, sizeof(who));
		add(j, "unreachable_from_some_regions", "error", sel,
		    json_incref(e), "Allow the CA's perspectives through the "
		    "firewall or geo-blocking: every region must reach ports "
		    "80 and 443.", "Connections from %s were refused or timed "
		    "out to an address that other perspectives reached.", who);
	} else if (t0 != NULL && open_any == 0 && closed_any > 0) {
		add(j, "web_unreachable", "warning", NULL, NULL,
		    "Only DNS-based methods (dns-01, dns-change) can succeed; "
		    "open ports 80/443 for http-01 or tls-alpn-01.", "No "
		    "perspective reached port 80 or 443 at any address of the "
		    "name.");
	}
	json_decref(e);
}

static json_int_t
http_status(json_t *o)
{
	json_t *s = json_object_get(json_object_get(json_object_get(o,
	    "http"), "details"), "response_status_code");

	return json_is_integer(s) ? json_integer_value(s) : 0;
}

static void
http(struct judge *j)
{
	json_t *e = json_array();
	bool differ = false;
	size_t i;

	for (i = 0; i < j->n; i++) {
		json_array_append_new(e, ev(j, i, "status", http_status(
		    j->p[i]) ? json_integer(http_status(j->p[i])) :
		    json_null()));
		if (http_status(j->p[i]) != http_status(j->p[0]))
			differ = true;
	}
	if (differ)
		add(j, "responses_differ_by_region", "error", NULL,
		    json_incref(e), "Serve the same content to every region: "
		    "check CDN nodes, caches and regional block pages.",
		    "The same random acme-challenge URL got different answers "
		    "in different regions.");
	json_decref(e);
}

static bool
saw_challenge(const struct mpic__diag_q *q, json_t *o, const char **wrong)
{
	json_t *r;
	size_t i;

	*wrong = NULL;
	if (q->url[0] != '\0')
		return json_is_true(json_object_get(json_object_get(o,
		    "challenge_url"), "passed"));
	r = json_object_get(json_object_get(o, "challenge_txt"), "records");
	for (i = 0; i < json_array_size(r); i++) {
		if (strcmp(json_string_value(json_array_get(r, i)), q->expect)
		    == 0)
			return true;
		*wrong = json_string_value(json_array_get(r, i));
	}
	return false;
}

static void
challenge(struct judge *j, const struct mpic__diag_q *q)
{
	bool miss[MAX_P] = {0};
	size_t i, nm = 0, nwrong = 0;
	const char *w, *w0 = NULL;
	char who[512];

	if (!q->has_expect)
		return;
	for (i = 0; i < j->n; i++)
		if (!saw_challenge(q, j->p[i], &w)) {
			miss[i] = true;
			nm++;
			if (w != NULL && (w0 == NULL || strcmp(w, w0) == 0)) {
				w0 = w;
				nwrong++;
			}
		}
	if (nm == 0)
		return;
	names(j, miss, who, sizeof(who));
	if (nm < j->n)
		add(j, "challenge_not_seen_everywhere", "error", miss, NULL,
		    "Publish the challenge at every server and address (and "
		    "keep it until the CA has validated).", "%s did not see "
		    "the published challenge that the others saw.", who);
	else if (nwrong == j->n)
		add(j, "challenge_wrong_everywhere", "error", NULL, NULL,
		    "Publish the value the CA gave you.", "Every perspective "
		    "found the same other value: \"%.200s\".", w0);
	else
		add(j, "challenge_missing", "error", NULL, NULL, "Publish the "
		    "challenge where the method looks for it.", "No "
		    "perspective found the challenge.");
}

json_t *
mpic__diag_judge(const struct mpic__diag_q *q, json_t *persp, bool *ready,
		 char *why, size_t whylen)
{
	struct judge j;
	bool gone[MAX_P] = {0};
	size_t i, ngone = 0;
	json_t *all = json_array();

	memset(&j, 0, sizeof(j));
	j.ready = true;
	j.why = why;
	j.whylen = whylen;
	why[0] = '\0';
	if ((j.findings = json_array()) == NULL || all == NULL)
		goto out;
	for (i = 0; i < json_array_size(persp) && i < MAX_P; i++) {
		json_t *o = json_array_get(persp, i);

		json_array_append(all, o);
		if (json_object_get(o, "error") != NULL)
			gone[i] = true, ngone++;
		else
			j.p[j.n++] = o;
	}
	if (ngone > 0) {
		struct judge g = j;

		/* named over all of them, those that did not answer marked */
		memset(g.p, 0, sizeof(g.p));
		for (i = 0; i < json_array_size(all); i++)
			g.p[i] = json_array_get(all, i);
		g.n = json_array_size(all);
		add(&g, "perspective_unavailable", j.n == 0 ? "error" :
		    "warning", gone, NULL, "The CA should check these "
		    "perspectives; a validation now would run without them.",
		    "%zu perspective(s) did not answer the diagnosis.", ngone);
		j.ready = g.ready;
	}
	if (j.n > 0) {
		dns(&j);
		answers(&j);
		caa(&j);
		tcp(&j);
		http(&j);
		challenge(&j, q);
	}
out:
	json_decref(all);
	*ready = j.ready && j.findings != NULL;
	return j.findings;
}
