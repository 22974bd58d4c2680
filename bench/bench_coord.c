/*
 * bench_coord.c - load generator for mpicd: CAA requests over kept-alive
 * HTTPS connections, a fixed number in flight for a fixed time; prints the
 * rate and the latency percentiles.  Usage:
 *
 *   bench_coord [options] coord URL          POST URL/mpic (the coordinator)
 *   bench_coord [options] fanout URL...      POST URL/caa to every URL at
 *       once and wait for all (what the coordinator does, done here)
 *
 *   -c N    requests in flight (default 1); one connection each (per URL)
 *   -r R    open loop: start R requests per second on a fixed schedule,
 *           up to N in flight (a request due with none free is counted
 *           as "missed" and not sent); without -r, closed loop: N always
 *           in flight
 *   -d S    seconds measured (default 5), after -w S seconds of warm-up (1)
 *   -n W    names: "warm" (16 names again and again: cache hits) or
 *           "miss" (a new name for every request: cache misses)
 *   -z Z    zone (bench.lab); names are wN.Z (warm) or TAG-N.Z (miss)
 *   -t TAG  miss names' tag (default: pid), so runs never share names
 *   -k KEY  x-api-key (coord), --cacert: -C FILE, client cert: -E FILE
 *           and -K FILE (fanout: mutual TLS as the coordinator)
 *
 * coord mode also prints, per request, the added latency: the latency this
 * program saw minus the largest check_response.duration_ms among the
 * perspectives in the response (integer milliseconds as reported).
 * Output: one "key value" line per figure, for bench/run-coord to pick up.
 * Exit status 0 when every request got a 200 with the expected shape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#define MAX_URLS 16
#define MAX_ANSWER (1 << 20)

struct opts {
	long conc, secs, warm_secs;
	double rate;                /* open loop: requests/s; 0: closed */
	int miss;
	const char *zone, *tag, *key, *cacert, *cert, *keyfile;
	int fanout;
	int n_urls;
	const char *urls[MAX_URLS];
};

struct sample {
	double lat_ms;
	double added_ms;            /* coord mode; < -1e8 when unknown */
};

struct slot;

struct sub {                    /* one transfer of a slot */
	struct slot *s;
	CURL *easy;
	char *ans;
	size_t len;
	int done;
};

struct slot {
	struct sub sub[MAX_URLS];
	int n_sub, left;
	double t0;
	char body[512];
};

struct run {
	struct opts o;
	CURLM *multi;
	struct curl_slist *hdrs;
	struct slot *slots;
	long seq;                   /* requests started */
	double t_start, t_measure, t_end;
	struct sample *samples;
	size_t n, cap;
	long errors, shape_errors;
	long active;                /* slots with transfers out */
	struct slot **free_slots;   /* open loop: idle slots, a ring (FIFO,
	                             * so that every slot's connections are
	                             * made in the warm-up, not when a burst
	                             * first reaches it) */
	long free_head, n_free, missed;
	double next_due;            /* open loop: the next request's time */
	char first_error[256];
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static size_t
on_data(char *p, size_t sz, size_t n, void *arg)
{
	struct sub *u = arg;
	size_t len = sz * n;
	char *np;

	if (len > MAX_ANSWER - u->len)
		return 0;
	if ((np = realloc(u->ans, u->len + len + 1)) == NULL)
		return 0;
	memcpy(np + u->len, p, len);
	u->ans = np;
	u->len += len;
	u->ans[u->len] = '\0';
	return len;
}

static void
note_error(struct run *r, const char *what)
{
	if (r->first_error[0] == '\0')
		snprintf(r->first_error, sizeof(r->first_error), "%s", what);
}

static void start_slot(struct run *r, struct slot *s);

/* Open loop: start every request now due; the ms until the next (1 to
 * 100).  Never 0: curl_multi_poll() takes whole milliseconds, and a 0 ms
 * wait for a request due in 0.4 ms would spin (the load generator then
 * used ~0.7 ms of CPU per request at ~1,000/s, competing with what it
 * measures); a request may start up to 1 ms late, its latency counted
 * from when it starts. */
static int
open_loop(struct run *r)
{
	double t = now_ms();

	while (r->next_due <= t && r->next_due < r->t_end) {
		if (r->n_free > 0) {
			struct slot *s = r->free_slots[r->free_head];

			r->free_head = (r->free_head + 1) % r->o.conc;
			r->n_free--;
			start_slot(r, s);
		}
		else if (r->next_due >= r->t_measure)
			r->missed++;
		r->next_due += 1e3 / r->o.rate;
	}
	if (r->next_due >= r->t_end)
		return 100;
	return r->next_due - t < 99 ? (int)(r->next_due - t) + 1 : 100;
}

/* The largest perspective duration_ms in a coordinator answer, or -1. */
static long
max_persp_ms(struct run *r, const char *ans)
{
	json_t *root, *ps, *p, *v;
	size_t i;
	long m = -1;

	if ((root = json_loads(ans, 0, NULL)) == NULL) {
		note_error(r, "coordinator answer is not JSON");
		return -1;
	}
	ps = json_object_get(root, "perspectives");
	json_array_foreach(ps, i, p) {
		v = json_object_get(json_object_get(p, "check_response"),
		    "duration_ms");
		if (json_is_integer(v) && json_integer_value(v) > m)
			m = (long)json_integer_value(v);
	}
	if (!json_is_true(json_object_get(root, "is_valid"))) {
		char *why = NULL;

		json_array_foreach(ps, i, p) {
			v = json_object_get(json_object_get(p,
			    "check_response"), "errors");
			if (json_array_size(v) > 0) {
				why = json_dumps(v, JSON_COMPACT);
				break;
			}
		}
		note_error(r, why ? why : ans);
		free(why);
		m = -1;
	}
	json_decref(root);
	return m;
}

static void
slot_done(struct run *r, struct slot *s)
{
	double t1 = now_ms(), added = -1e9;
	int ok = 1, i;
	long st;

	for (i = 0; i < s->n_sub; i++) {
		st = 0;
		curl_easy_getinfo(s->sub[i].easy, CURLINFO_RESPONSE_CODE, &st);
		if (st != 200) {
			ok = 0;
			note_error(r, s->sub[i].ans ? s->sub[i].ans :
			    "no answer");
		}
	}
	if (ok && !r->o.fanout) {
		long m = max_persp_ms(r, s->sub[0].ans ? s->sub[0].ans : "");

		if (m < 0)
			r->shape_errors++;
		else
			added = (t1 - s->t0) - (double)m;
	}
	if (s->t0 >= r->t_measure && t1 <= r->t_end) {
		if (!ok)
			r->errors++;
		else {
			if (r->n == r->cap) {
				r->cap = r->cap ? r->cap * 2 : 4096;
				r->samples = realloc(r->samples,
				    r->cap * sizeof(*r->samples));
				if (r->samples == NULL) {
					fprintf(stderr, "bench: out of memory\n");
					exit(2);
				}
			}
			r->samples[r->n].lat_ms = t1 - s->t0;
			r->samples[r->n].added_ms = added;
			r->n++;
		}
	}
	r->active--;
	if (r->o.rate > 0)
		r->free_slots[(r->free_head + r->n_free++) % r->o.conc] = s;
	else if (t1 < r->t_end)
		start_slot(r, s);
}

static void
start_slot(struct run *r, struct slot *s)
{
	long i = r->seq++;
	char name[256];
	int k;

	if (r->o.miss)
		snprintf(name, sizeof(name), "%s-%ld.%s", r->o.tag, i,
		    r->o.zone);
	else
		snprintf(name, sizeof(name), "w%ld.%s", i % 16, r->o.zone);
	if (r->o.fanout)
		snprintf(s->body, sizeof(s->body), "{\"domain_or_ip_target\":"
		    "\"%s\",\"caa_check_parameters\":{\"caa_domains\":"
		    "[\"ca.example\"]}}", name);
	else
		snprintf(s->body, sizeof(s->body), "{\"check_type\":\"caa\","
		    "\"domain_or_ip_target\":\"%s\"}", name);
	s->left = s->n_sub;
	r->active++;
	s->t0 = now_ms();
	for (k = 0; k < s->n_sub; k++) {
		struct sub *u = &s->sub[k];

		free(u->ans);
		u->ans = NULL;
		u->len = 0;
		u->done = 0;
		curl_easy_setopt(u->easy, CURLOPT_POSTFIELDS, s->body);
		curl_easy_setopt(u->easy, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(s->body));
		curl_multi_add_handle(r->multi, u->easy);
	}
}

static void
setup_easy(struct run *r, struct sub *u, const char *url)
{
	char full[512];
	CURL *e = curl_easy_init();

	if (e == NULL) {
		fprintf(stderr, "bench: curl_easy_init failed\n");
		exit(2);
	}
	u->easy = e;
	snprintf(full, sizeof(full), "%s%s", url, r->o.fanout ? "/caa" :
	    "/mpic");
	curl_easy_setopt(e, CURLOPT_URL, full);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, u);
	curl_easy_setopt(e, CURLOPT_PRIVATE, u);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_3);
	/* No TLS session offered: mpicd used to answer a resumption with an
	 * "internal error" alert (docs/bench.md), and full handshakes keep
	 * the open loop's late connections comparable with the figures
	 * measured then */
	curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	if (r->o.cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, r->o.cacert);
	if (r->o.cert)
		curl_easy_setopt(e, CURLOPT_SSLCERT, r->o.cert);
	if (r->o.keyfile)
		curl_easy_setopt(e, CURLOPT_SSLKEY, r->o.keyfile);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* "NAME p50 p90 p99 max" in milliseconds over v[0..n) (sorted here). */
static void
print_dist(const char *name, double *v, size_t n)
{
	if (n == 0) {
		printf("%s none\n", name);
		return;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	printf("%s p50 %.3f p90 %.3f p99 %.3f max %.3f\n", name,
	    v[(n - 1) / 2], v[(n * 90 - 1) / 100], v[(n * 99 - 1) / 100],
	    v[n - 1]);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_coord [-c N] [-d S] [-w S] [-n warm|miss]"
	    " [-r RATE]"
	    " [-z ZONE] [-t TAG] [-k KEY] [-C CA] [-E CERT -K KEY]\n"
	    "       coord URL | fanout URL...\n");
	exit(2);
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	static char tag[32];
	int ch;

	o->conc = 1;
	o->secs = 5;
	o->warm_secs = 1;
	o->zone = "bench.lab";
	snprintf(tag, sizeof(tag), "b%ld", (long)getpid());
	o->tag = tag;
	while ((ch = getopt(argc, argv, "c:d:w:n:z:t:k:C:E:K:r:")) != -1) {
		switch (ch) {
		case 'c': o->conc = strtol(optarg, NULL, 10); break;
		case 'd': o->secs = strtol(optarg, NULL, 10); break;
		case 'r': o->rate = strtod(optarg, NULL); break;
		case 'w': o->warm_secs = strtol(optarg, NULL, 10); break;
		case 'n': o->miss = strcmp(optarg, "miss") == 0; break;
		case 'z': o->zone = optarg; break;
		case 't': o->tag = optarg; break;
		case 'k': o->key = optarg; break;
		case 'C': o->cacert = optarg; break;
		case 'E': o->cert = optarg; break;
		case 'K': o->keyfile = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || o->conc < 1 || o->conc > 4096 || o->secs < 1 ||
	    o->rate < 0 || o->rate > 1e6)
		usage();
	o->fanout = strcmp(argv[0], "fanout") == 0;
	if (!o->fanout && (strcmp(argv[0], "coord") != 0 || argc != 2))
		usage();
	for (o->n_urls = 0; o->n_urls + 1 < argc && o->n_urls < MAX_URLS;
	    o->n_urls++)
		o->urls[o->n_urls] = argv[o->n_urls + 1];
}

int
main(int argc, char **argv)
{
	struct run r;
	char hkey[300];
	double *v;
	size_t i, na = 0;
	long k;
	int j, running;
	struct rusage ru;

	memset(&r, 0, sizeof(r));
	parse_args(&r.o, argc, argv);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r.multi = curl_multi_init();
	/* keep one connection per slot and URL open for the whole run */
	curl_multi_setopt(r.multi, CURLMOPT_MAXCONNECTS,
	    r.o.conc * r.o.n_urls + 16);
	r.hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	r.hdrs = curl_slist_append(r.hdrs, "Expect:");
	if (r.o.key) {
		snprintf(hkey, sizeof(hkey), "x-api-key: %s", r.o.key);
		r.hdrs = curl_slist_append(r.hdrs, hkey);
	}
	r.slots = calloc((size_t)r.o.conc, sizeof(*r.slots));
	r.free_slots = calloc((size_t)r.o.conc, sizeof(*r.free_slots));
	if (r.slots == NULL || r.free_slots == NULL || r.hdrs == NULL || r.multi == NULL)
		return 2;
	for (k = 0; k < r.o.conc; k++) {
		r.slots[k].n_sub = r.o.n_urls;
		for (j = 0; j < r.o.n_urls; j++) {
			r.slots[k].sub[j].s = &r.slots[k];
			setup_easy(&r, &r.slots[k].sub[j], r.o.urls[j]);
		}
	}
	r.t_start = now_ms();
	r.t_measure = r.t_start + r.o.warm_secs * 1e3;
	r.t_end = r.t_measure + r.o.secs * 1e3;
	r.next_due = r.t_start;
	for (k = 0; k < r.o.conc; k++)
		if (r.o.rate > 0)
			r.free_slots[r.n_free++] = &r.slots[k];
		else
			start_slot(&r, &r.slots[k]);
	do {
		int wait_ms = r.o.rate > 0 ? open_loop(&r) : 100;

		CURLMsg *m;
		int left;

		curl_multi_perform(r.multi, &running);
		while ((m = curl_multi_info_read(r.multi, &left)) != NULL) {
			struct sub *u = NULL;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			    (char **)&u);
			if (m->data.result != CURLE_OK)
				note_error(&r, curl_easy_strerror(
				    m->data.result));
			curl_multi_remove_handle(r.multi, u->easy);
			u->done = 1;
			if (--u->s->left == 0)
				slot_done(&r, u->s);
		}
		if (r.active > 0 || (r.o.rate > 0 && now_ms() < r.t_end))
			curl_multi_poll(r.multi, NULL, 0, wait_ms, NULL);
		/* bounded: every transfer has a 30 s timeout, and the open
		 * loop starts nothing after t_end */
	} while (r.active > 0 || (r.o.rate > 0 && now_ms() < r.t_end));
	printf("mode %s names %s inflight %ld urls %d seconds %ld\n",
	    r.o.fanout ? "fanout" : "coord", r.o.miss ? "miss" : "warm",
	    r.o.conc, r.o.n_urls, r.o.secs);
	printf("requests %zu errors %ld rate %.0f\n", r.n, r.errors + r.shape_errors,
	    (double)r.n / (double)r.o.secs);
	if ((v = malloc((r.n + 1) * sizeof(*v))) == NULL)
		return 2;
	for (i = 0; i < r.n; i++)
		v[i] = r.samples[i].lat_ms;
	print_dist("latency_ms", v, r.n);
	for (i = 0; i < r.n; i++)
		if (r.samples[i].added_ms > -1e8)
			v[na++] = r.samples[i].added_ms;
	if (!r.o.fanout)
		print_dist("added_ms", v, na);
	printf("started %ld\n", r.seq);
	/* our own CPU, whole run over every request started (as run-coord
	 * counts the daemons'): the fan-out's six exchanges per request are
	 * the load generator's, so its cost is part of that baseline */
	if (getrusage(RUSAGE_SELF, &ru) == 0 && r.seq > 0)
		printf("loadgen_cpu_ms_per_request %.3f\n", (ru.ru_utime.tv_sec +
		    ru.ru_stime.tv_sec) * 1e3 / (double)r.seq +
		    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3 /
		    (double)r.seq);
	if (r.o.rate > 0)
		printf("open_loop rate %.0f missed %ld\n", r.o.rate, r.missed);
	if (r.first_error[0] != '\0')
		printf("first_error %.250s\n", r.first_error);
	free(v);
	return r.errors + r.shape_errors + r.missed == 0 && r.n > 0 ? 0 : 1;
}
