/*
 * remote.c - a remote perspective: the perspective API (interface.md 2)
 * over mutual TLS 1.3 with libcurl's multi interface on the engine's
 * event base.
 *
 * Every failure to get a well-formed, correctly attributed answer (a
 * timeout, a transport or TLS error, a status other than 200, garbage
 * JSON, a perspective_code or rir other than configured) is a
 * non-corroboration with an MPIC__ERR_REMOTE error naming what went wrong.
 * The multi handle keeps connections to the perspectives open between
 * calls.
 *
 * TLS sessions: a remote's handles share one session cache (a curl share
 * of CURL_LOCK_DATA_SSL_SESSION), and a new connection offers the latest
 * session: a resumed TLS 1.3 handshake needs neither certificates nor
 * signatures, on either side.  This is what keeps a cold burst cheap: when
 * N calls arrive at once and one connection is open, the N - 1 new ones
 * resume the session of the first instead of N - 1 full handshakes (each a
 * signature through the key process on both sides and a chain
 * verification); measured with bench/run-coord's (d).  Two precautions.
 * Sessions made under CA or certificate files that have changed since are
 * never offered (a resumed session is not verified again): the cache and
 * the handles belong to one generation of the files, and a new generation
 * starts a new cache.  And a call whose handshake fails
 * (CURLE_SSL_CONNECT_ERROR: no request was sent) is made once more on a
 * new handle outside the cache, with no session to offer, and the cache is
 * dropped: a server that cannot resume (older mpicd perspectives answered
 * a resumption with an "internal error" alert) costs a failed handshake,
 * not a non-corroboration.
 *
 * Warm-up: a worker that has not yet called a perspective has no session
 * to offer, and the first burst would pay a full handshake per call.  So
 * each remote perspective, once created, makes one small call of its own
 * (GET /healthz) when no check has started first, and again when it has
 * been idle for REMOTE_WARM_IDLE_S (its session would otherwise age out:
 * a ticket lives two hours): the connection and the session it gets are
 * there before the first burst.  A warm-up that fails (the perspective
 * not up yet) is tried again after 1, 2, 4 ... up to
 * REMOTE_WARM_RETRY_MAX_S.
 *
 * The warm-up is also the perspective's probe: idle for REMOTE_WARM_IDLE_S
 * (no call started), it is made again, and its answer sets reachability
 * (mpicd's /readyz and mpic_perspective_up need it without traffic) on a
 * connection of its own, closed after it: a 200 is reachable, anything
 * else not.  A 200 does not undo a call whose
 * answer was malformed or named another perspective: the perspective
 * answers, but not as itself.  It changes no count.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "engine/perspective.h"
#include "engine/remote_tls.h"
#include "util/trace.h"
#include "util/curl_loop.h"

#define REMOTE_MAX_ANSWER (1024 * 1024)
#define REMOTE_CONNECT_MS 5000
#define REMOTE_IDLE_HANDLES 64      /* easy handles kept for reuse */
#define REMOTE_WARM_IDLE_S 5        /* idle this long: probe again */
#define REMOTE_WARM_RETRY_MAX_S 5

struct remote;

/* A session cache shared by handles of one generation of the TLS files. */
struct rshare {
	CURLSH *sh;
	uint64_t tls_gen;
	unsigned refs;              /* handles using it, +1 while current */
};

struct rcall {
	struct remote *r;
	struct rcall *prev, *next;
	CURL *easy;
	const char *body;           /* request body (curl reads it) */
	char *own_body;             /* body, when the request had none */
	char *ans;                  /* answer read so far */
	size_t ans_len;
	bool too_big;
	enum mpic__check_type type;
	mpic__check_cb cb;
	void *arg;
	uint64_t start_ms;
	uint64_t start_ns;          /* wall clock: the answer's time bound */
	uint64_t tls_gen;           /* of the files the handle's sessions saw */
	struct rshare *share;       /* the handle's session cache, or NULL */
	bool retried;               /* a second handshake, without a session */
	char errbuf[CURL_ERROR_SIZE];
	/* signed results (docs/evidence.md): this call's nonce, sent in
	 * the MPIC-Nonce header, and the digest of its body's check */
	uint8_t nonce[MPIC__EV_NONCE_LEN];
	uint8_t digest[MPIC__EV_DIGEST_LEN];
	struct curl_slist *hdrs;    /* r->hdrs and MPIC-Nonce */
	/* its traceparent header (a span of its own, in the request's
	 * trace), appended to hdrs */
	char tp_hdr[sizeof("traceparent: ") + MPIC__TRACEPARENT_LEN];
};

struct remote {
	struct mpic__persp head;
	struct mpic__curl_loop *loop;
	const struct mpic_config *cfg;
	char *url_caa, *url_dcv;
	struct curl_slist *hdrs;
	struct mpic__remote_tls *tls; /* our certificate and key, the CA */
	struct mpic__persp_keys keys; /* that sign its statements */
	struct rcall *calls;        /* in flight */
	struct rshare *share;       /* the current session cache, or NULL */
	struct {                    /* set up, not running */
		CURL *easy;
		uint64_t tls_gen;
		struct rshare *share;
	} idle[REMOTE_IDLE_HANDLES];
	size_t n_idle;
	long timeout_ms;
	/* the warm-up (see the top of the file) */
	char *url_warm;
	struct event *warm_ev;
	CURL *warm_easy;            /* running, or NULL */
	struct rshare *warm_share;
	uint64_t last_use_ms;       /* a call or warm-up last started */
	unsigned warm_retry_s;      /* the next retry's delay */
	bool answer_bad;            /* the last call's answer was malformed or
				     * misidentified: a probe does not undo */
	bool warmed;                /* the first warm-up got its answer */
};

static void
share_unref(struct rshare *sh)
{
	if (sh == NULL || --sh->refs > 0)
		return;
	curl_share_cleanup(sh->sh);
	mpic__free(sh);
}

/* Stop offering the current cache's sessions to new handles. */
static void
share_retire(struct remote *r)
{
	share_unref(r->share);
	r->share = NULL;
}

/* The session cache of generation tls_gen, made when needed; NULL when
 * out of memory (the handle then keeps its own sessions). */
static struct rshare *
share_get(struct remote *r, uint64_t tls_gen)
{
	struct rshare *sh;

	if (r->share != NULL && r->share->tls_gen == tls_gen)
		return r->share;
	share_retire(r);
	if ((sh = mpic__calloc(1, sizeof(*sh))) == NULL)
		return NULL;
	if ((sh->sh = curl_share_init()) == NULL ||
	    curl_share_setopt(sh->sh, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
		curl_share_cleanup(sh->sh);
		mpic__free(sh);
		return NULL;
	}
	sh->tls_gen = tls_gen;
	sh->refs = 1;
	r->share = sh;
	return sh;
}

/* A handle goes, and its hold on its session cache. */
static void
easy_drop(CURL *e, struct rshare *sh)
{
	curl_easy_cleanup(e);
	share_unref(sh);
}

static void
rcall_free(struct rcall *c)
{
	struct remote *r = c->r;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		r->calls = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (c->easy != NULL) {
		mpic__curl_loop_cancel(r->loop, c->easy);
		if (r->n_idle < REMOTE_IDLE_HANDLES) {
			/* nothing may point into the call once it is freed */
			curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, NULL);
			curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, NULL);
			curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, NULL);
			curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, r->hdrs);
			r->idle[r->n_idle].easy = c->easy;
			r->idle[r->n_idle].share = c->share;
			r->idle[r->n_idle++].tls_gen = c->tls_gen;
		} else
			easy_drop(c->easy, c->share);
	}
	curl_slist_free_all(c->hdrs);
	free(c->own_body);
	mpic__free(c->ans);
	mpic__free(c);
}

static size_t
on_data(char *p, size_t sz, size_t n, void *arg)
{
	struct rcall *c = arg;
	size_t len = sz * n;
	char *np;

	if (len > REMOTE_MAX_ANSWER - c->ans_len) {
		c->too_big = true;
		return 0;               /* curl fails with CURLE_WRITE_ERROR */
	}
	if ((np = mpic__realloc(c->ans, c->ans_len + len + 1)) == NULL)
		return 0;
	memcpy(np + c->ans_len, p, len);
	c->ans = np;
	c->ans_len += len;
	c->ans[c->ans_len] = '\0';
	return len;
}

static void
set_reach(struct remote *r, bool ok, const char *why)
{
	r->head.reach = ok ? MPIC_REACH_OK : MPIC_REACH_FAILED;
	r->head.last_call_ns = mpic__now_wall_ns();
	mpic__bufprintf(r->head.last_error, sizeof(r->head.last_error), "%s",
	    ok ? "" : why);
}

/* A call's end and round trip in the perspective's counters (here, not
 * in stats.c, which reads them: no circle of calls). */
void
mpic__persp_call_count(struct mpic__persp *p, enum mpic_call_result end,
		       uint64_t us)
{
	if ((unsigned)end >= MPIC_CALL__N)
		return;
	p->calls[end]++;
	p->call_buckets[mpic_stats_bucket(us)]++;
	p->call_us += us;
}

static int retry_fresh(struct rcall *c);

static void
on_done(void *arg, CURL *easy, CURLcode cc)
{
	struct rcall *c = arg;
	struct remote *r = c->r;
	struct mpic__check_result res;
	long status = 0;
	mpic__check_cb cb = c->cb;
	void *cbarg = c->arg;
	enum mpic_call_result end = MPIC_CALL_FAILED;

	(void)easy;
	if (cc == CURLE_SSL_CONNECT_ERROR && retry_fresh(c) == 0)
		return;
	mpic__check_result_init(&res);
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
	if (cc == CURLE_OPERATION_TIMEDOUT)
		end = MPIC_CALL_TIMED_OUT;
	if (cc == CURLE_SSL_CERTPROBLEM && mpic__remote_tls_error(r->tls)) {
		mpic__check_error(&res, MPIC__ERR_REMOTE, "perspective %s (%s): "
		    "%s: %s", r->head.def->code, r->head.def->url,
		    curl_easy_strerror(cc), mpic__remote_tls_error(r->tls));
	} else if (cc != CURLE_OK) {
		mpic__check_error(&res, MPIC__ERR_REMOTE, "perspective %s (%s): "
		    "%s%s%s", r->head.def->code, r->head.def->url,
		    c->too_big ? "answer larger than 1 MiB" :
		    curl_easy_strerror(cc), c->errbuf[0] && !c->too_big ?
		    ": " : "", c->too_big ? "" : c->errbuf);
	} else if (status != 200) {
		mpic__check_error(&res, MPIC__ERR_REMOTE, "perspective %s (%s): "
		    "HTTP status %ld", r->head.def->code, r->head.def->url,
		    status);
	} else if (mpic__remote_answer(r->head.def, c->type, c->ans ?
	    c->ans : "", c->ans_len, &res) != 0) {
		end = res.misidentified ? MPIC_CALL_MISIDENTIFIED :
		    MPIC_CALL_BAD_ANSWER;
	} else if (mpic__sig_check(&r->keys, r->cfg->require_signed_results,
	    r->head.def, c->digest, c->nonce, &res) != 0) {
		/* checked before the time or details are touched: the
		 * statement signs them as sent; a bad one is a bad answer */
		end = MPIC_CALL_BAD_ANSWER;
	} else if (res.passed) {
		end = MPIC_CALL_CORROBORATED;
	}
	/* A well-formed answer (passed or not) means the perspective is
	 * reachable; anything else is reported on /healthz. */
	set_reach(r, res.n_errors == 0 ||
	    strcmp(res.errors[0].type, MPIC__ERR_REMOTE) != 0,
	    res.n_errors ? res.errors[0].message : "");
	mpic__remote_answer_time(&res, c->start_ns, mpic__now_wall_ns());
	if (res.duration_ms == 0)
		res.duration_ms = (unsigned)(mpic__now_mono_ms() - c->start_ms);
	r->answer_bad = end == MPIC_CALL_MISIDENTIFIED ||
	    end == MPIC_CALL_BAD_ANSWER;
	mpic__persp_call_count(&r->head, end,
	    (mpic__now_mono_ms() - c->start_ms) * 1000u);
	rcall_free(c);
	cb(cbarg, &res);
}

/* The perspective API body: target, trace id, check parameters; and the
 * digest of its check (docs/evidence.md). */
static char *
call_body(const struct mpic_config *cfg, const struct mpic__request *req,
	  uint8_t digest[MPIC__EV_DIGEST_LEN])
{
	bool caa = req->check_type == MPIC__CHECK_CAA;
	const char *pkey = caa ? "caa_check_parameters" :
	    "dcv_check_parameters";
	json_t *o, *params, *given, *doms;
	char *text = NULL;
	size_t i;

	o = json_object();
	given = req->raw != NULL ? json_object_get(req->raw, pkey) : NULL;
	params = json_is_object(given) ? json_deep_copy(given) :
	    json_object();
	if (o == NULL || params == NULL)
		goto out;
	/* The coordinator's CAA identities apply unless the CA sent some. */
	doms = json_object_get(params, "caa_domains");
	if (caa && req->caa.n_caa_domains == 0 && cfg->n_issuer_domains > 0 &&
	    (doms == NULL || json_is_null(doms) || json_array_size(doms) ==
	    0)) {
		doms = json_array();
		for (i = 0; doms != NULL && i < cfg->n_issuer_domains; i++)
			json_array_append_new(doms,
			    json_string(cfg->issuer_domains[i]));
		json_object_set_new(params, "caa_domains", doms);
	}
	json_object_set_new(o, "domain_or_ip_target",
	    json_string(req->target_text));
	json_object_set_new(o, "trace_identifier", req->trace_identifier ?
	    json_string(req->trace_identifier) : json_null());
	json_object_set(o, pkey, params);
	if (mpic__ev_request_digest(caa ? "caa" : "dcv", o, digest) != 0)
		goto out;
	text = json_dumps(o, JSON_COMPACT);
out:
	json_decref(params);
	json_decref(o);
	return text;
}

const char *
mpic__remote_body(const struct mpic_config *cfg, struct mpic__request *req)
{
	uint8_t digest[MPIC__EV_DIGEST_LEN];
	char *text = call_body(cfg, req, digest);

	if (text != NULL && req->remote_body == NULL) {
		req->remote_body = mpic__arena_strdup(&req->arena, text);
		memcpy(req->call_digest, digest, sizeof(digest));
		req->has_call_digest = req->remote_body != NULL;
	}
	free(text);
	return req->remote_body;
}

/*
 * An easy handle with the options every call shares.  Handles are kept
 * for the next calls (setting them up again for every call showed in
 * profiles); the connections themselves live in the multi handle.
 */
static CURL *
easy_new(struct remote *r, struct rshare **sh)
{
	CURL *e;

	if ((e = curl_easy_init()) == NULL)
		return NULL;
	if (*sh != NULL && curl_easy_setopt(e, CURLOPT_SHARE, (*sh)->sh) ==
	    CURLE_OK)
		(*sh)->refs++;
	else
		*sh = NULL;
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    r->timeout_ms < REMOTE_CONNECT_MS ? r->timeout_ms :
	    (long)REMOTE_CONNECT_MS);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	/* Mutual TLS 1.3: our client certificate, the perspective's
	 * certificate checked against the configured CA and the URL's host. */
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_3);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	/* libcurl's TLS session cache stays on, in sh when there is one
	 * (see the top of the file) */
	/* cfg->tls_cert, tls_key and tls_client_ca, decoded once and read
	 * again when they change on disk (certificate rotation) */
	mpic__remote_tls_use(r->tls, e);
	return e;
}

/* An idle handle whose TLS sessions were made under the files of
 * generation tls_gen, or a new one (in the session cache of tls_gen);
 * *sh: its cache. */
static CURL *
easy_get(struct remote *r, uint64_t tls_gen, struct rshare **sh)
{
	CURL *e;

	while (r->n_idle > 0) {
		e = r->idle[--r->n_idle].easy;
		*sh = r->idle[r->n_idle].share;
		if (r->idle[r->n_idle].tls_gen == tls_gen)
			return e;
		easy_drop(e, *sh);      /* and its sessions */
	}
	*sh = share_get(r, tls_gen);
	if ((e = easy_new(r, sh)) == NULL)
		*sh = NULL;
	return e;
}

/* What changes from call to call. */
static void
call_setopt(struct rcall *c, long timeout_ms)
{
	struct remote *r = c->r;
	CURL *e = c->easy;

	curl_easy_setopt(e, CURLOPT_URL, c->type == MPIC__CHECK_CAA ?
	    r->url_caa : r->url_dcv);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(c->body));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
}

/*
 * The call's traceparent header: the request's trace id and flags with
 * a new span id, so that the perspective's log names this call
 * (docs/api.md).  None when the request has no trace (or no random
 * bytes: the call goes on without it).
 */
static void
call_trace(struct rcall *c, const struct mpic__request *req)
{
	char span[17], tp[MPIC__TRACEPARENT_LEN + 1];
	struct curl_slist *n;

	if (req->trace_id[0] == '\0' || mpic__trace_new_span(span) != 0)
		return;
	mpic__trace_format(req->trace_id, span, req->trace_flags, tp,
	    sizeof(tp));
	mpic__bufprintf(c->tp_hdr, sizeof(c->tp_hdr), "traceparent: %s", tp);
	if ((n = curl_slist_append(c->hdrs, c->tp_hdr)) != NULL)
		c->hdrs = n;
}

/*
 * After a failed handshake (no request sent): the same call on a new
 * handle, which has no TLS session to offer, in the time left.  0 when
 * it runs (on_done will be called again), -1 otherwise.
 */
static int
retry_fresh(struct rcall *c)
{
	struct remote *r = c->r;
	uint64_t spent = mpic__now_mono_ms() - c->start_ms;
	struct rshare *none = NULL;
	CURL *e;

	if (c->retried || spent + 50 >= (uint64_t)r->timeout_ms)
		return -1;
	if ((e = easy_new(r, &none)) == NULL)
		return -1;
	c->retried = true;
	/* the session it offered goes, with the cache that held it */
	if (c->share != NULL && c->share == r->share)
		share_retire(r);
	easy_drop(c->easy, c->share);
	c->easy = e;
	c->share = NULL;
	mpic__free(c->ans);
	c->ans = NULL;
	c->ans_len = 0;
	c->too_big = false;
	c->errbuf[0] = '\0';
	call_setopt(c, (long)((uint64_t)r->timeout_ms - spent));
	return mpic__curl_loop_add(r->loop, e, on_done, c) == 0 ? 0 : -1;
}

static size_t
warm_discard(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return sz * n;
}

static void
warm_arm(struct remote *r, unsigned secs)
{
	struct timeval tv = { .tv_sec = secs, .tv_usec = 0 };

	if (r->warm_ev != NULL)
		evtimer_add(r->warm_ev, &tv);
}

static void
warm_done(void *arg, CURL *easy, CURLcode cc)
{
	struct remote *r = arg;
	long status = 0;

	if (cc == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	easy_drop(easy, r->warm_share);
	r->warm_easy = NULL;
	r->warm_share = NULL;
	/* a call that started meanwhile tells better */
	if (r->calls == NULL && (status != 200 || !r->answer_bad))
		set_reach(r, status == 200, cc != CURLE_OK ?
		    curl_easy_strerror(cc) : "probe: HTTP status not 200");
	if (cc == CURLE_OK) {
		r->warmed = true;
		r->warm_retry_s = 1;
		warm_arm(r, REMOTE_WARM_IDLE_S);
		return;
	}
	warm_arm(r, r->warm_retry_s);
	r->warm_retry_s = r->warm_retry_s * 2 > REMOTE_WARM_RETRY_MAX_S ?
	    REMOTE_WARM_RETRY_MAX_S : r->warm_retry_s * 2;
}

/* The timer: warm up unless a call has used the connections lately. */
static void
warm_tick(evutil_socket_t fd, short what, void *arg)
{
	struct remote *r = arg;
	uint64_t now = mpic__now_mono_ms(), idle = now - r->last_use_ms;
	struct rshare *sh;
	CURL *e;

	(void)fd;
	(void)what;
	if (r->warm_easy != NULL)
		return;
	if (r->calls != NULL || (r->last_use_ms != 0 &&
	    idle < REMOTE_WARM_IDLE_S * 1000ull)) {
		warm_arm(r, r->calls != NULL ? REMOTE_WARM_IDLE_S :
		    (unsigned)(REMOTE_WARM_IDLE_S - idle / 1000));
		return;
	}
	sh = share_get(r, mpic__remote_tls_gen(r->tls));
	if ((e = easy_new(r, &sh)) == NULL) {
		warm_arm(r, REMOTE_WARM_RETRY_MAX_S);
		return;
	}
	curl_easy_setopt(e, CURLOPT_URL, r->url_warm);
	curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, warm_discard);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	/* The first warm-up leaves its connection for the first calls; a
	 * probe after it makes a connection of its own (resuming the
	 * session) and closes it, so that probes do not keep an idle
	 * connection open forever (a perspective's limits.max_connections
	 * and io_timeout_ms are its own). */
	if (r->warmed) {
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	}
	r->last_use_ms = now;
	r->warm_easy = e;
	r->warm_share = sh;
	if (mpic__curl_loop_add(r->loop, e, warm_done, r) != 0) {
		easy_drop(e, r->warm_share);
		r->warm_easy = NULL;
		r->warm_share = NULL;
		warm_arm(r, REMOTE_WARM_RETRY_MAX_S);
	}
}

/* The call's headers: the shared ones and its own nonce. */
static int
call_headers(struct rcall *c)
{
	char line[32 + 2 * MPIC__EV_NONCE_LEN];
	const struct curl_slist *h;
	struct curl_slist *n;

	if (mpic__sig_nonce(c->nonce) != 0)
		return -1;
	for (h = c->r->hdrs; h != NULL; h = h->next) {
		if ((n = curl_slist_append(c->hdrs, h->data)) == NULL)
			return -1;
		c->hdrs = n;
	}
	memcpy(line, "MPIC-Nonce: ", 12);
	mpic__ev_hex(c->nonce, MPIC__EV_NONCE_LEN, line + 12);
	if ((n = curl_slist_append(c->hdrs, line)) == NULL)
		return -1;
	c->hdrs = n;
	return 0;
}

static int
remote_start(struct mpic__persp *p, const struct mpic__request *req,
	     time_t now, mpic__check_cb cb, void *arg)
{
	struct remote *r = (struct remote *)p;
	struct rcall *c;
	CURL *e;
	int rc;

	(void)now;
	if ((c = mpic__calloc(1, sizeof(*c))) == NULL)
		return MPIC_ENOMEM;
	c->r = r;
	c->type = req->check_type;
	c->cb = cb;
	c->arg = arg;
	c->start_ms = mpic__now_mono_ms();
	c->start_ns = mpic__now_wall_ns();
	r->last_use_ms = c->start_ms;
	c->next = r->calls;
	if (r->calls != NULL)
		r->calls->prev = c;
	r->calls = c;
	c->tls_gen = mpic__remote_tls_gen(r->tls);
	c->body = req->remote_body;
	if (c->body != NULL && req->has_call_digest)
		memcpy(c->digest, req->call_digest, sizeof(c->digest));
	else
		c->body = c->own_body = call_body(r->cfg, req, c->digest);
	if (c->body == NULL || call_headers(c) != 0 ||
	    (c->easy = e = easy_get(r, c->tls_gen, &c->share)) == NULL) {
		rcall_free(c);
		return MPIC_ENOMEM;
	}
	call_trace(c, req);
	call_setopt(c, r->timeout_ms);
	if ((rc = mpic__curl_loop_add(r->loop, e, on_done, c)) != 0) {
		rcall_free(c);
		return rc;
	}
	return 0;
}

static void
remote_free(struct mpic__persp *p)
{
	struct remote *r = (struct remote *)p;

	if (r == NULL)
		return;
	while (r->calls != NULL)
		rcall_free(r->calls);
	if (r->warm_ev != NULL)
		event_free(r->warm_ev);
	if (r->warm_easy != NULL) {
		mpic__curl_loop_cancel(r->loop, r->warm_easy);
		easy_drop(r->warm_easy, r->warm_share);
	}
	mpic__free(r->url_warm);
	while (r->n_idle > 0) {
		r->n_idle--;
		easy_drop(r->idle[r->n_idle].easy, r->idle[r->n_idle].share);
	}
	share_retire(r);
	curl_slist_free_all(r->hdrs);
	mpic__persp_keys_release(&r->keys);
	mpic__remote_tls_free(r->tls);
	mpic__free(r->url_caa);
	mpic__free(r->url_dcv);
	mpic__free(r);
}

static const struct mpic__persp_ops remote_ops = {
	.start = remote_start,
	.free = remote_free,
};

static char *
join_url(const char *base, const char *path)
{
	size_t n = strlen(base);
	char *s;

	while (n > 0 && base[n - 1] == '/')
		n--;
	if ((s = mpic__malloc(n + strlen(path) + 1)) == NULL)
		return NULL;
	memcpy(s, base, n);
	memcpy(s + n, path, strlen(path) + 1);
	return s;
}

int
mpic__persp_remote_new(struct mpic__curl_loop *loop,
		       const struct mpic_config *cfg,
		       const struct mpic__perspective_def *def,
		       struct mpic__persp **out, char *err, size_t errlen)
{
	struct remote *r;
	struct curl_slist *h;

	*out = NULL;
	if (cfg->tls_cert == NULL || cfg->tls_key == NULL ||
	    cfg->tls_client_ca == NULL) {
		mpic__bufprintf(err, errlen, "perspective %s: remote "
		    "perspectives need tls.cert, tls.key and tls.client_ca",
		    def->code);
		return MPIC_ECONFIG;
	}
	if ((r = mpic__calloc(1, sizeof(*r))) == NULL)
		return MPIC_ENOMEM;
	r->head.ops = &remote_ops;
	r->head.def = def;
	r->loop = loop;
	r->cfg = cfg;
	/* By default a call ends a little before the attempt's deadline, so
	 * that its own error (naming the perspective) is what gets reported. */
	r->timeout_ms = cfg->remote_timeout_ms ? (long)cfg->remote_timeout_ms :
	    (long)(cfg->request_timeout_ms ? cfg->request_timeout_ms : 30000u) /
	    10 * 9;
	if (r->timeout_ms < 1)
		r->timeout_ms = 1;
	if (mpic__persp_keys_load(def, &r->keys, err, errlen) != 0) {
		mpic__free(r);
		return MPIC_ECONFIG;
	}
	r->tls = mpic__remote_tls_new(cfg);
	if (r->tls != NULL)
		mpic__remote_tls_count(r->tls, r->head.tls_hs);
	r->url_caa = join_url(def->url, "/caa");
	r->url_dcv = join_url(def->url, "/dcv");
	r->url_warm = join_url(def->url, "/healthz");
	r->warm_retry_s = 1;
	r->warm_ev = evtimer_new(mpic__curl_loop_base(loop), warm_tick, r);
	h = curl_slist_append(NULL, "Content-Type: application/json");
	if (h != NULL)
		r->hdrs = h;
	/* no "Expect: 100-continue" round trip */
	if (h != NULL && (h = curl_slist_append(r->hdrs, "Expect:")) != NULL)
		r->hdrs = h;
	if (r->url_caa == NULL || r->url_dcv == NULL || h == NULL ||
	    r->tls == NULL || r->url_warm == NULL || r->warm_ev == NULL) {
		remote_free(&r->head);
		return MPIC_ENOMEM;
	}
	warm_arm(r, 0);
	*out = &r->head;
	return 0;
}
