/*
 * http.c - website-change (BR 3.2.2.4.18) and acme-http-01 (BR
 * 3.2.2.4.19, RFC 8555 8.3; BR 3.2.2.5.6 and RFC 8738 for addresses).
 *
 * One check is a chain of hops.  For each hop: the URL is checked (url.c),
 * the host is resolved through the perspective's own validating resolver
 * (AAAA, then A; a bogus or failed lookup fails the check), every address
 * passes the SSRF guard (netguard.c), and the transfer is pinned to one
 * address with CURLOPT_CONNECT_TO ("any host, any port" -> that address),
 * so curl never resolves a name itself.  A connection failure moves to the
 * next address: the first IPv6 one, then the IPv4 ones.  Redirects are
 * ours to follow (301, 302, 307, 308 only), at most dcv.max_redirects
 * (default ten), never to a URL seen before.
 *
 * TLS: an https hop sends SNI (the host name) but does not verify the
 * certificate.  The BR do not require it for these methods and RFC 8555
 * 8.3 says a redirect of http-01 to https must not require a valid
 * certificate; what proves control is the content, fetched from the
 * address our resolver returned.
 *
 * Deadlines: each transfer has CURLOPT_CONNECTTIMEOUT_MS and
 * CURLOPT_TIMEOUT_MS of dcv.http_timeout_ms (less when the check's overall
 * deadline, twice that, comes first); a timer enforces the overall
 * deadline also while a lookup is under way.  Body and headers are read
 * up to fixed caps.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "check/check.h"
#include "web.h"

#define HEADERS_MAX (64 * 1024) /* response header octets per hop */
#define DEFAULT_TIMEOUT_MS 10000

struct hcheck {
	struct mpic__web_xfer x;      /* first: the transfer is the check */
	struct mpic__check *c;        /* NULL once the result is delivered */
	struct mpic__web *w;
	struct event *timer;         /* overall deadline, or a deferred end */
	struct curl_slist *headers;
	struct curl_slist *connect_to;
	uint64_t deadline_ms;
	unsigned hop_ms;
	bool dns_pending;
	bool fail_pending;           /* the timer ends the check at once */
	bool started;                /* the timer has started the first hop */
	bool aaaa_phase;
	unsigned redirects;
	unsigned max_redirects;      /* dcv.max_redirects */
	struct mpic__url url;         /* the current hop */
	/* addresses of the current hop, and where we are in them */
	uint8_t v6[MPIC__HTTP_MAX_ADDRS][16];
	uint8_t v4[MPIC__HTTP_MAX_ADDRS][4];
	size_t n6, n4, tried;
	char ip[INET6_ADDRSTRLEN];   /* address of the current attempt */
	/* the response */
	long status;
	char *body;
	size_t len, cap;
	bool body_over;
	size_t header_bytes;
	bool headers_over;
	json_t *history;
	char errbuf[CURL_ERROR_SIZE];
	/* evidence for the findings (docs/findings.md): the cache headers
	 * of the last response, and why no connection was made */
	json_t *cache;
	const char *conn_err;        /* "refused", "timeout", or NULL */
};

static void hop_begin(struct hcheck *h);

static bool
is_http01(const struct hcheck *h)
{
	return h->c->req->dcv.method == MPIC__DCV_ACME_HTTP_01;
}

static void
hcheck_free(struct hcheck *h)
{
	mpic__web_untrack(h->w, &h->x);
	if (h->x.easy != NULL)
		curl_easy_cleanup(h->x.easy);
	curl_slist_free_all(h->headers);
	json_decref(h->cache);
	curl_slist_free_all(h->connect_to);
	if (h->timer != NULL)
		event_free(h->timer);
	json_decref(h->history);
	mpic__free(h->body);
	mpic__free(h);
}

/* The client is going away: drop the check without calling back. */
static void
abandon(struct mpic__web_xfer *x)
{
	struct hcheck *h = (struct hcheck *)(void *)x;

	if (h->c != NULL) {
		mpic__check_result_release(&h->c->res);
		mpic__free(h->c);
		h->c = NULL;
	}
	hcheck_free(h);
}

/* Deliver the result; the check's memory goes when no lookup is left. */
static void
finish(struct hcheck *h)
{
	struct mpic__check *c = h->c;
	json_t *d = c->res.details;
	size_t blen;
	char *b64;

	/* removing the handle ends a transfer without a callback */
	mpic__web_remove(h->w, &h->x);
	json_object_set_new(d, "response_history", json_incref(h->history));
	json_object_set_new(d, "response_url", h->url.text[0] ?
	    json_string(h->url.text) : json_null());
	json_object_set_new(d, "response_status_code", h->status > 0 ?
	    json_integer(h->status) : json_null());
	if (h->status > 0) {
		blen = 4 * ((h->len + 2) / 3) + 1;
		b64 = mpic__malloc(blen);
		if (b64 != NULL) {
			mpic__b64_encode((const uint8_t *)(h->body ? h->body :
			    ""), h->len, b64);
			json_object_set_new(d, "response_page",
			    json_string(b64));
			mpic__free(b64);
		}
	} else {
		json_object_set_new(d, "response_page", json_null());
	}
	json_object_set_new(d, "resolved_ip", h->ip[0] ? json_string(h->ip) :
	    json_null());
	if (h->cache != NULL)
		json_object_set(d, "cache_headers", h->cache);
	if (h->conn_err != NULL)
		json_object_set_new(d, "connect_error",
		    json_string(h->conn_err));
	if (h->timer != NULL)
		evtimer_del(h->timer);
	h->c = NULL;
	mpic__check_finish(c);
	if (!h->dns_pending)
		hcheck_free(h);
}

static void
fail(struct hcheck *h, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A check that could not reach a verdict: completed = false. */
static void
fail(struct hcheck *h, const char *type, const char *fmt, ...)
{
	char msg[sizeof(h->c->res.errors[0].message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	h->c->res.completed = false;
	h->c->res.passed = false;
	mpic__check_error(&h->c->res, type, "%s", msg);
	finish(h);
}

/* Redirect hops fail as invalid redirects, the first hop as HTTP. */
static const char *
hop_err(const struct hcheck *h)
{
	return h->redirects > 0 ? MPIC__ERR_REDIRECT : MPIC__ERR_HTTP;
}

static void
timer_fired(evutil_socket_t fd, short what, void *arg)
{
	struct hcheck *h = arg;
	struct timeval tv;

	(void)fd;
	(void)what;
	if (h->c == NULL)
		return;
	if (h->fail_pending) {
		finish(h);
		return;
	}
	if (h->started && !h->dns_pending && h->status == 0 && h->ip[0])
		h->conn_err = "timeout";
	if (!h->started) {
		/* the first hop, from the loop: never call back from start */
		h->started = true;
		tv.tv_sec = 2 * h->hop_ms / 1000;
		tv.tv_usec = (suseconds_t)(2 * h->hop_ms % 1000) * 1000;
		evtimer_add(h->timer, &tv);
		hop_begin(h);
		return;
	}
	fail(h, MPIC__ERR_HTTP, "GET %s: no answer within the check's "
	    "deadline of %u ms%s", h->url.text, 2 * h->hop_ms,
	    h->dns_pending ? " (while resolving the host)" : "");
}

/* ------------------------------------------------------------ transfer */

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct hcheck *h = arg;
	size_t len = size * n, room = MPIC__HTTP_BODY_MAX - h->len, take, ncap;
	char *nb;

	take = len < room ? len : room;
	if (h->len + take > h->cap) {
		ncap = h->cap ? h->cap * 2 : 1024;
		while (ncap < h->len + take)
			ncap *= 2;
		if (ncap > MPIC__HTTP_BODY_MAX)
			ncap = MPIC__HTTP_BODY_MAX;
		nb = mpic__realloc(h->body, ncap);
		if (nb == NULL)
			return 0;
		h->body = nb;
		h->cap = ncap;
	}
	memcpy(h->body + h->len, p, take);
	h->len += take;
	if (take < len) {
		h->body_over = true;
		return 0;   /* stop reading: CURLE_WRITE_ERROR */
	}
	return len;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct hcheck *h = arg;
	size_t len = size * n;

	(void)p;
	h->header_bytes += len;
	if (h->header_bytes > HEADERS_MAX) {
		h->headers_over = true;
		return 0;
	}
	return len;
}

static int
easy_setup(struct hcheck *h)
{
	const struct mpic_config *cfg = h->c->env->cfg;
	const struct mpic__dcv_params *p = &h->c->req->dcv;
	char line[1024];
	struct curl_slist *l;
	CURL *e;
	size_t i;

	e = h->x.easy = curl_easy_init();
	if (e == NULL)
		return MPIC_ENOMEM;
	l = curl_slist_append(NULL, "Accept: */*");
	for (i = 0; l != NULL && i < p->n_headers; i++) {
		mpic__bufprintf(line, sizeof(line), "%s: %s",
		    p->headers[i].name, p->headers[i].value);
		struct curl_slist *nl = curl_slist_append(l, line);

		if (nl == NULL) {
			curl_slist_free_all(l);
			l = NULL;
		} else {
			l = nl;
		}
	}
	if (l == NULL)
		return MPIC_ENOMEM;
	h->headers = l;
	if (curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers) != CURLE_OK)
		return MPIC_EIO;
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROXY, "");          /* no *_proxy env */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); /* we follow */
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L); /* see the top */
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, cfg && cfg->user_agent ?
	    cfg->user_agent : "mpic/" MPIC_VERSION);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	return 0;
}

/* The next address of this hop: the first IPv6 one, then IPv4. */
static bool
next_addr(struct hcheck *h, int *af, const uint8_t **addr)
{
	size_t i = h->tried;

	if (h->n6 > 0) {
		if (i == 0) {
			*af = AF_INET6;
			*addr = h->v6[0];
			return true;
		}
		i--;
	}
	if (i < h->n4) {
		*af = AF_INET;
		*addr = h->v4[i];
		return true;
	}
	return false;
}

static void
connect_next(struct hcheck *h)
{
	char spec[INET6_ADDRSTRLEN + 16];
	struct curl_slist *ct;
	const uint8_t *addr;
	uint64_t now = mpic__now_mono_ms();
	long ms;
	int af;

	if (!next_addr(h, &af, &addr)) {
		fail(h, hop_err(h), "GET %s: no address left to try",
		    h->url.text);
		return;
	}
	h->tried++;
	if (now >= h->deadline_ms) {
		fail(h, MPIC__ERR_HTTP, "GET %s: the check's deadline passed",
		    h->url.text);
		return;
	}
	ms = (long)(h->deadline_ms - now);
	if (ms > (long)h->hop_ms)
		ms = (long)h->hop_ms;
	inet_ntop(af, addr, h->ip, sizeof(h->ip));
	/* empty HOST and PORT: whatever the URL says goes to this address */
	mpic__bufprintf(spec, sizeof(spec), af == AF_INET6 ? "::[%s]:%u" :
	    "::%s:%u", h->ip, h->url.port);
	ct = curl_slist_append(NULL, spec);
	if (ct == NULL) {
		fail(h, MPIC__ERR_HTTP, "out of memory");
		return;
	}
	curl_slist_free_all(h->connect_to);
	h->connect_to = ct;
	h->len = 0;
	h->body_over = false;
	h->header_bytes = 0;
	h->headers_over = false;
	h->status = 0;
	h->errbuf[0] = '\0';
	curl_easy_setopt(h->x.easy, CURLOPT_URL, h->url.text);
	curl_easy_setopt(h->x.easy, CURLOPT_CONNECT_TO, h->connect_to);
	curl_easy_setopt(h->x.easy, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(h->x.easy, CURLOPT_TIMEOUT_MS, ms);
	if (mpic__web_add(h->w, &h->x) != 0)
		fail(h, MPIC__ERR_HTTP, "GET %s: the transfer could not start",
		    h->url.text);
}

static bool
seen_before(const struct hcheck *h, const char *url)
{
	size_t i;
	json_t *e;

	json_array_foreach(h->history, i, e) {
		const char *u = json_string_value(json_object_get(e,
		    "response_url"));

		if (u != NULL && strcmp(u, url) == 0)
			return true;
	}
	return false;
}

static bool value_in_request(const struct mpic__request *req,
    const char *url);

static void
redirect(struct hcheck *h)
{
	struct curl_header *hd = NULL;
	struct mpic__url next;
	char why[256];
	const char *loc = NULL;
	size_t llen = 0;
	json_t *e;

	if (curl_easy_header(h->x.easy, "Location", 0, CURLH_HEADER, -1,
	    &hd) == CURLHE_OK && hd != NULL && hd->value != NULL) {
		/* field value without surrounding whitespace (RFC 9110 5.5) */
		loc = hd->value;
		llen = strlen(loc);
		while (llen > 0 && strchr(" \t\r\n", loc[0]) != NULL) {
			loc++;
			llen--;
		}
		while (llen > 0 && strchr(" \t\r\n", loc[llen - 1]) != NULL)
			llen--;
	}
	if (hd != NULL && hd->amount > 1) {
		/* one field, one value (RFC 9110 10.2.2): which of several
		 * is "the final value" is anyone's guess */
		fail(h, MPIC__ERR_REDIRECT, "GET %s: %ld with %zu Location "
		    "fields (one is allowed)", h->url.text, h->status,
		    hd->amount);
		return;
	}
	if (llen == 0) {
		fail(h, MPIC__ERR_REDIRECT, "GET %s: %ld without a Location "
		    "(absent or empty)", h->url.text, h->status);
		return;
	}
	e = json_object();
	json_object_set_new(e, "response_status_code",
	    json_integer(h->status));
	json_object_set_new(e, "response_url", json_string(h->url.text));
	json_array_append_new(h->history, e);
	if (h->redirects >= h->max_redirects) {
		fail(h, MPIC__ERR_REDIRECT, "GET %s: %ld to a further hop after "
		    "%u redirects (at most %u are followed: "
		    "dcv.max_redirects)", h->url.text, h->status,
		    h->redirects, h->max_redirects);
		return;
	}
	if (mpic__url_redirect(h->url.text, loc, llen, &next, why,
	    sizeof(why)) != 0) {
		fail(h, MPIC__ERR_REDIRECT, "GET %s: %ld to a refused target: "
		    "%s", h->url.text, h->status, why);
		return;
	}
	if (value_in_request(h->c->req, next.text)) {
		fail(h, MPIC__ERR_REDIRECT, "GET %s: %ld to %s: the challenge "
		    "value appears in the request (BR 3.2.2.4.18 forbids it)",
		    h->url.text, h->status, next.text);
		return;
	}
	if (seen_before(h, next.text)) {
		fail(h, MPIC__ERR_REDIRECT, "GET %s: %ld to %s, seen before "
		    "(redirect loop)", h->url.text, h->status, next.text);
		return;
	}
	h->redirects++;
	h->url = next;
	hop_begin(h);
}

static void
evaluate(struct hcheck *h)
{
	const struct mpic__dcv_params *p = &h->c->req->dcv;
	struct mpic__check_result *r = &h->c->res;
	char why[256];
	bool ok = false;
	int rc;

	r->completed = true;
	if (h->status < 200 || h->status > 299) {
		r->passed = false;
		mpic__check_error(r, MPIC__ERR_HTTP, "GET %s: status %ld (a "
		    "2xx status is required)", h->url.text, h->status);
		finish(h);
		return;
	}
	if (is_http01(h)) {
		ok = mpic__http01_match(h->body ? h->body : "", h->len,
		    p->key_authorization);
	} else {
		rc = mpic__website_match(h->body ? h->body : "", h->len,
		    p->challenge_value, p->require_exact_case, p->match_regex,
		    &ok, why, sizeof(why));
		if (rc != 0) {
			/* a search cut short by a limit is no verdict */
			fail(h, MPIC__ERR_HTTP, "GET %s: match_regex: %s",
			    h->url.text, why[0] ? why : mpic_strerror(rc));
			return;
		}
	}
	r->passed = ok;
	finish(h);
}

/*
 * The headers that tell whether a cache answered (Age, Via, X-Cache and
 * their kin), for a finding that regions saw different pages; values cut
 * at 128 octets.  Absent ones are left out; none: no object.
 */
static void
cache_headers(struct hcheck *h)
{
	static const char *const names[] = { "Age", "Via", "X-Cache",
	    "Cache-Status", "CF-Cache-Status", "X-Served-By" };
	struct curl_header *hd;
	json_t *o = json_object();
	size_t i;

	for (i = 0; o != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
		hd = NULL;
		if (curl_easy_header(h->x.easy, names[i], 0, CURLH_HEADER, -1,
		    &hd) != CURLHE_OK || hd == NULL || hd->value == NULL)
			continue;
		json_object_set_new(o, names[i], json_stringn(hd->value,
		    strnlen(hd->value, 128)));
	}
	json_decref(h->cache);
	h->cache = o != NULL && json_object_size(o) > 0 ? o : NULL;
	if (h->cache == NULL)
		json_decref(o);
}

/* One transfer's label in mpic_check_stats.http. */
static int
fetch_outcome(const struct hcheck *h, CURLcode rc)
{
	if (rc == CURLE_WRITE_ERROR && (h->headers_over || h->body_over))
		return MPIC_STATS_OUT_TOO_LARGE;
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && h->status > 0))
		return h->status >= 200 && h->status < 600 ?
		    MPIC_STATS_OUT_2XX + (int)(h->status / 100 - 2) :
		    MPIC_STATS_OUT_OTHER_STATUS;
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return MPIC_STATS_OUT_CONNECT_FAILED;
	case CURLE_OPERATION_TIMEDOUT:
		return MPIC_STATS_OUT_TIMED_OUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
		return MPIC_STATS_OUT_TLS_FAILED;
	default:
		return MPIC_STATS_OUT_ERROR;
	}
}

static void
xfer_done(struct mpic__web_xfer *x, CURLcode rc)
{
	struct hcheck *h = (struct hcheck *)(void *)x;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &h->status);
	if (h->c != NULL && h->c->env->stats != NULL)
		h->c->env->stats->http[fetch_outcome(h, rc)]++;
	if (rc == CURLE_COULDNT_CONNECT || (rc == CURLE_OPERATION_TIMEDOUT &&
	    h->status == 0 && mpic__now_mono_ms() < h->deadline_ms)) {
		int af;
		const uint8_t *a;

		if (next_addr(h, &af, &a)) {
			connect_next(h);
			return;
		}
	}
	if (rc == CURLE_COULDNT_CONNECT)
		h->conn_err = "refused";
	else if (rc == CURLE_OPERATION_TIMEDOUT && h->status == 0)
		h->conn_err = "timeout";
	if (h->status > 0)
		cache_headers(h);
	if (rc == CURLE_WRITE_ERROR && h->headers_over) {
		fail(h, MPIC__ERR_HTTP, "GET %s (%s): response headers longer "
		    "than %d octets", h->url.text, h->ip, HEADERS_MAX);
		return;
	}
	if (rc == CURLE_WRITE_ERROR && h->body_over) {
		if (is_http01(h) || h->status < 200 || h->status > 299) {
			fail(h, MPIC__ERR_HTTP, "GET %s (%s): status %ld, body "
			    "longer than %d octets", h->url.text, h->ip,
			    h->status, MPIC__HTTP_BODY_MAX);
			return;
		}
		rc = CURLE_OK;   /* website-change looks in what was read */
	}
	if (rc != CURLE_OK) {
		fail(h, MPIC__ERR_HTTP, "GET %s (%s): %s", h->url.text, h->ip,
		    h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
		return;
	}
	if (mpic__redirect_code_ok(h->status)) {
		redirect(h);
		return;
	}
	if (h->status >= 300 && h->status <= 399) {
		fail(h, MPIC__ERR_REDIRECT, "GET %s: status %ld is not a "
		    "redirect that is followed (301, 302, 307, 308)",
		    h->url.text, h->status);
		return;
	}
	evaluate(h);
}

/* ------------------------------------------------------------ lookups */

static void
guard_and_connect(struct hcheck *h)
{
	const struct mpic__cidr *allowed;
	const char *why;
	char text[INET6_ADDRSTRLEN];
	size_t n, i;

	allowed = mpic__web_allowed(h->w, &n);
	for (i = 0; i < h->n6 + h->n4; i++) {
		int af = i < h->n6 ? AF_INET6 : AF_INET;
		const uint8_t *a = i < h->n6 ? h->v6[i] : h->v4[i - h->n6];

		why = mpic__addr_refused(af, a, allowed, n);
		if (why != NULL) {
			inet_ntop(af, a, text, sizeof(text));
			fail(h, hop_err(h), "GET %s: address %s of %s is %s, "
			    "not a public address (and not in "
			    "dcv.allowed_networks)", h->url.text, text,
			    h->url.host, why);
			return;
		}
	}
	h->tried = 0;
	connect_next(h);
}

static void
dns_done(void *arg, const struct mpic__dns_answer *a)
{
	struct hcheck *h = arg;
	char msg[1024];
	size_t i;

	h->dns_pending = false;
	if (h->c == NULL) {      /* the deadline ended the check meanwhile */
		hcheck_free(h);
		return;
	}
	mpic__check_note_dnssec(h->c, a->dnssec);
	if (mpic__answer_failed(a)) {
		mpic__describe_failure(a, msg, sizeof(msg));
		fail(h, a->dnssec == MPIC__DNSSEC_BOGUS ? MPIC__ERR_DNSSEC :
		    MPIC__ERR_DCV_LOOKUP, "GET %s: %s", h->url.text, msg);
		return;
	}
	for (i = 0; i < a->n_rrs; i++) {
		const struct mpic__dns_rr *rr = &a->rrs[i];

		if (rr->type == MPIC__RR_AAAA && rr->rdlen == 16 &&
		    h->n6 < MPIC__HTTP_MAX_ADDRS)
			memcpy(h->v6[h->n6++], rr->rdata, 16);
		else if (rr->type == MPIC__RR_A && rr->rdlen == 4 &&
		    h->n4 < MPIC__HTTP_MAX_ADDRS)
			memcpy(h->v4[h->n4++], rr->rdata, 4);
	}
	if (h->aaaa_phase) {
		h->aaaa_phase = false;
		h->dns_pending = true;
		if (mpic__resolve(h->c->env->resolver, h->url.host, MPIC__RR_A,
		    dns_done, h) != 0) {
			h->dns_pending = false;
			fail(h, MPIC__ERR_DCV_LOOKUP, "GET %s: lookup of %s A "
			    "could not start", h->url.text, h->url.host);
		}
		return;
	}
	if (h->n6 + h->n4 == 0) {
		fail(h, hop_err(h), "GET %s: %s has no AAAA or A records",
		    h->url.text, h->url.host);
		return;
	}
	guard_and_connect(h);
}

static void
hop_begin(struct hcheck *h)
{
	h->n6 = h->n4 = 0;
	h->ip[0] = '\0';
	if (h->url.host_is_ip) {
		if (h->url.af == AF_INET6)
			memcpy(h->v6[h->n6++], h->url.addr, 16);
		else
			memcpy(h->v4[h->n4++], h->url.addr, 4);
		guard_and_connect(h);
		return;
	}
	h->aaaa_phase = true;
	h->dns_pending = true;
	if (mpic__resolve(h->c->env->resolver, h->url.host, MPIC__RR_AAAA,
	    dns_done, h) != 0) {
		h->dns_pending = false;
		fail(h, MPIC__ERR_DCV_LOOKUP, "GET %s: lookup of %s AAAA could "
		    "not start", h->url.text, h->url.host);
	}
}

/* s with its %XX escapes decoded into out (an invalid escape and a
 * decoded NUL are kept as written); true when anything was decoded. */
static bool
pct_decode(const char *s, char *out, size_t outlen)
{
	size_t o = 0;
	bool any = false;
	int hi, lo;

	for (; *s != '\0' && o + 1 < outlen; s++) {
		if (s[0] == '%' && (hi = mpic__hex_digit(s[1])) >= 0 &&
		    (lo = mpic__hex_digit(s[2])) >= 0 && (hi | lo) != 0) {
			out[o++] = (char)(hi << 4 | lo);
			s += 2;
			any = true;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
	return any;
}

/*
 * BR 3.2.2.4.18: the Random Value must not appear in the request.  Looked
 * for in the URL as written and with its escapes decoded, again and again
 * (a server may decode "%2541" twice), and in the configured headers.
 */
static bool
value_in_request(const struct mpic__request *req, const char *url)
{
	const struct mpic__dcv_params *p = &req->dcv;
	char a[MPIC__HTTP_URL_MAX + 1], b[MPIC__HTTP_URL_MAX + 1];
	const char *v = p->challenge_value;
	size_t i;
	int round;

	if (p->method != MPIC__DCV_WEBSITE_CHANGE || v == NULL ||
	    v[0] == '\0')
		return false;
	if (strcasestr(url, v) != NULL)
		return true;
	mpic__bufprintf(a, sizeof(a), "%s", url);
	for (round = 0; round < 4 && pct_decode(a, b, sizeof(b)); round++) {
		if (strcasestr(b, v) != NULL)
			return true;
		memcpy(a, b, sizeof(a));
	}
	for (i = 0; i < p->n_headers; i++)
		if (strcasestr(p->headers[i].name, v) != NULL ||
		    strcasestr(p->headers[i].value, v) != NULL)
			return true;
	return false;
}

int
mpic__dcv_http_start(struct mpic__check *c)
{
	const struct mpic__check_env *env = c->env;
	const struct mpic_config *cfg = env->cfg;
	struct hcheck *h;
	struct timeval tv;
	char first[MPIC__HTTP_URL_MAX + 1], why[256];
	unsigned ms;
	json_t *d;
	int rc;

	if (env->web == NULL)
		return MPIC_ENOTSUP;
	if (*env->web == NULL) {
		rc = mpic__web_new(env->base, cfg, env->web);
		if (rc != 0)
			return rc;
	}
	rc = mpic__http_first_url(c->req, first, sizeof(first));
	if (rc != 0)
		return rc;
	h = mpic__calloc(1, sizeof(*h));
	if (h == NULL)
		return MPIC_ENOMEM;
	h->c = c;
	h->w = *env->web;
	h->x.done = xfer_done;
	h->x.abandon = abandon;
	ms = cfg && cfg->http_timeout_ms ? cfg->http_timeout_ms :
	    DEFAULT_TIMEOUT_MS;
	h->hop_ms = ms;
	h->max_redirects = cfg != NULL ? cfg->max_redirects :
	    MPIC__DEFAULT_MAX_REDIRECTS;
	h->deadline_ms = mpic__now_mono_ms() + 2ull * ms;
	h->history = json_array();
	d = json_object();
	h->timer = evtimer_new(env->base, timer_fired, h);
	if (h->history == NULL || d == NULL || h->timer == NULL) {
		json_decref(d);
		rc = MPIC_ENOMEM;
		goto bad;
	}
	c->res.details = d;
	json_object_set_new(d, "validation_method",
	    json_string(mpic__dcv_method_str(c->req->dcv.method)));
	rc = easy_setup(h);
	if (rc != 0)
		goto bad;
	if (c->req->target.is_ip)
		c->worst = MPIC__DNSSEC_INDETERMINATE; /* no lookup vouches */
	mpic__web_track(h->w, &h->x);
	if (mpic__url_check(first, &h->url, why, sizeof(why)) != 0 ||
	    value_in_request(c->req, first)) {
		/* reported from the loop like any other end */
		mpic__bufprintf(h->url.text, sizeof(h->url.text), "%s", first);
		c->res.completed = false;
		mpic__check_error(&c->res, MPIC__ERR_HTTP, "GET %s: %s", first,
		    value_in_request(c->req, first) ? "the challenge value "
		    "appears in the request (BR 3.2.2.4.18 forbids it)" : why);
		h->fail_pending = true;
	}
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	evtimer_add(h->timer, &tv);
	return 0;
bad:
	hcheck_free(h);
	return rc;
}
