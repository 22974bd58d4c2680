/*
 * bench_http.c - acme-http-01 checks through the library's check layer
 * (one perspective: one resolver, one HTTP client, a new connection per
 * check) against the web lab's nginx.  Usage:
 *   bench_http rate ROOT_HINTS TRUST_ANCHOR NAME TOKEN KEYAUTH COUNT INFLIGHT
 *   bench_http mem  ROOT_HINTS TRUST_ANCHOR NAME TOKEN KEYAUTH COUNT SECONDS
 * rate: COUNT checks, INFLIGHT at a time; prints checks per second.
 * mem: COUNT checks started at once against a slow responder (TOKEN names
 * a path nginx sends at 1 byte/s), the loop run for SECONDS, then the
 * growth of the resident set divided by COUNT.  The checks still in
 * flight are dropped by freeing the client (the engine's shutdown path).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/event.h>

#include "args.h"
#include "check/check.h"
#include "util/util.h"
#include "dns/dns.h"
#include "api/model.h"
#include "config/config.h"

/* lab/web/lab-web's fast path: 200 with this token's key authorization */
#define WARM_TOKEN "bench-mpic-lab-http01-token"

struct bench {
	long count, inflight, started, done, passed;
	struct event_base *base;
	struct mpic__check_env env;
	struct mpic__request req;
	char first_error[512];
};

static void start_one(struct bench *b);

static void
done_cb(void *arg, struct mpic__check_result *res)
{
	struct bench *b = arg;

	b->done++;
	if (res->passed)
		b->passed++;
	else if (b->first_error[0] == '\0' && res->n_errors > 0)
		snprintf(b->first_error, sizeof(b->first_error), "%s",
		    res->errors[0].message);
	mpic__check_result_release(res);
	if (b->started < b->count)
		start_one(b);
}

static void
start_one(struct bench *b)
{
	b->started++;
	if (mpic__check_start(&b->env, &b->req, time(NULL), done_cb, b) != 0) {
		fprintf(stderr, "bench_http: check did not start\n");
		exit(2);
	}
}

static long
rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int
parse_req(struct mpic__request *req, const char *name, const char *token,
	  const char *ka)
{
	struct mpic__issues is;
	char body[1024];

	snprintf(body, sizeof(body), "{\"check_type\":\"dcv\","
	    "\"domain_or_ip_target\":\"%s\",\"dcv_check_parameters\":{"
	    "\"validation_method\":\"acme-http-01\",\"token\":\"%s\","
	    "\"key_authorization\":\"%s\"}}", name, token, ka);
	memset(&is, 0, sizeof(is));
	if (mpic__request_parse(body, strlen(body), req, &is) != 0) {
		fprintf(stderr, "bench_http: bad request\n");
		return -1;
	}
	return 0;
}

/* ESTABLISHED client sockets to port 80 (every one is ours in a lab) */
static long
established_to_80(void)
{
	char line[512];
	unsigned rport, st;
	long n = 0;
	FILE *f = fopen("/proc/self/net/tcp", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " %*u: %*x:%*x %*x:%x %x", &rport, &st) == 2 &&
		    rport == 80 && st == 1)
			n++;
	fclose(f);
	return n;
}


int
main(int argc, char **argv)
{
	static const char yaml[] =
	    "role: all-in-one\n"
	    "perspectives:\n"
	    "  - {code: bench, rir: ARIN, location: {lat: 0, lon: 0}}\n"
	    "orchestration: {br_minimums: lab}\n"
	    "dcv: {allowed_networks: [\"127.0.0.0/8\", \"::1/128\"],"
	    " http_timeout_ms: 60000}\n";
	struct mpic__dns_opts o;
	struct mpic_config *cfg = NULL;
	struct mpic__resolver *res = NULL;
	struct mpic__web *web = NULL;
	struct bench b;
	struct rlimit rl;
	struct timeval tv;
	char err[512], warm_ka[512];
	const char *thumb;
	bool mem;
	long i, rss0, rss1;
	uint64_t t0;
	double secs;

	if (argc != 9) {
		fprintf(stderr, "usage: bench_http rate|mem ROOT_HINTS "
		    "TRUST_ANCHOR NAME TOKEN KEYAUTH COUNT INFLIGHT|SECONDS\n");
		return 64;
	}
	mem = strcmp(argv[1], "mem") == 0;
	memset(&b, 0, sizeof(b));
	b.inflight = mem ? count_arg(argv[7], "INFLIGHT") :
	    count_arg(argv[8], "INFLIGHT");
	/* one socket per check in flight */
	rl.rlim_cur = rl.rlim_max = (rlim_t)b.inflight + 1024;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		perror("bench_http: setrlimit (continuing)");
	if (mpic_config_parse(yaml, sizeof(yaml) - 1, "bench", &cfg, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "bench_http: %s\n", err);
		return 2;
	}
	b.base = event_base_new();
	memset(&o, 0, sizeof(o));
	o.root_hints = argv[2];
	o.trust_anchor = argv[3];
	o.timeout_ms = 5000;
	o.cache = true;
	o.allow_localhost = true;
	if (mpic__resolver_new(b.base, &o, &res, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_http: %s\n", err);
		return 2;
	}
	b.env.base = b.base;
	b.env.cfg = cfg;
	b.env.resolver = res;
	b.env.web = &web;
	/* warm up on the lab's fast path (token WARM_TOKEN, with KEYAUTH's
	 * thumbprint): the resolver's cache, curl's and OpenSSL's global
	 * state, one whole check */
	thumb = strchr(argv[6], '.');
	snprintf(warm_ka, sizeof(warm_ka), "%s%s", WARM_TOKEN,
	    thumb != NULL ? thumb : "");
	if (parse_req(&b.req, argv[4], WARM_TOKEN, warm_ka) != 0)
		return 2;
	b.count = 1;
	start_one(&b);
	while (b.done < 1)
		event_base_loop(b.base, EVLOOP_ONCE);
	if (b.passed != 1) {
		fprintf(stderr, "bench_http: warm-up check failed: %s\n",
		    b.first_error);
		return 1;
	}
	mpic__request_release(&b.req);
	b.count = count_arg(argv[7], "COUNT");
	b.started = b.done = b.passed = 0;
	if (parse_req(&b.req, argv[4], argv[5], argv[6]) != 0)
		return 2;
	rss0 = rss_kib();
	t0 = mpic__now_mono_ms();
	for (i = 0; i < b.inflight && b.started < b.count; i++)
		start_one(&b);
	if (mem) {
		tv.tv_sec = count_arg(argv[8], "SECONDS");
		tv.tv_usec = 0;
		event_base_loopexit(b.base, &tv);
		event_base_dispatch(b.base);
		rss1 = rss_kib();
		printf("mem: %ld checks in flight (%ld finished early, %ld "
		    "connections established to port 80), RSS %ld KiB -> "
		    "%ld KiB: %.1f KiB per in-flight check\n",
		    b.count - b.done, b.done, established_to_80(), rss0, rss1,
		    (double)(rss1 - rss0) / (double)(b.count - b.done));
	} else {
		while (b.done < b.count)
			if (event_base_loop(b.base, EVLOOP_ONCE) != 0)
				break;
		secs = (double)(mpic__now_mono_ms() - t0) / 1000.0;
		printf("rate: %ld acme-http-01 checks in %.2f s = %.0f per "
		    "second (%ld passed, %ld in flight)%s%s\n", b.done, secs,
		    (double)b.done / secs, b.passed, b.inflight,
		    b.first_error[0] ? "; first error: " : "", b.first_error);
	}
	/* the engine's order: resolver, then the HTTP client */
	t0 = mpic__now_mono_ms();
	mpic__resolver_free(res);
	mpic__web_free(web);
	if (mem)
		printf("mem: freeing the client with them in flight took %.2f "
		    "s\n", (double)(mpic__now_mono_ms() - t0) / 1000.0);
	mpic__request_release(&b.req);
	event_base_free(b.base);
	mpic_config_free(cfg);
	return 0;
}
