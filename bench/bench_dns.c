/*
 * bench_dns.c - DNS-based checks per second through the library, beside a
 * bare libunbound loop resolving the same kind of names on the same kind
 * of event base.  Usage:
 *   bench_dns MODE ROOT_HINTS TRUST_ANCHOR ZONE COUNT INFLIGHT
 * MODE: bare (ub_resolve_event only), check (acme-dns-01 checks through
 * mpic__check_start, each request parsed from JSON, unique names: cache
 * misses), warm (16 names, parsed once, checked again and again: cache
 * hits), warmparse (the same with the JSON request parsed every time),
 * synth (bare with libunbound's RFC 8198 synthesis on, as in mpicd: names
 * under an NSEC-signed wildcard are answered from the cache; the rrset
 * cache's size from BENCH_DNS_RRSET_CACHE, e.g. 4m, or libunbound's 1 MB:
 * docs/dns.md, "The cache and answers synthesized from NSEC records").
 * Prints one line of figures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <unbound-event.h>
#include <unbound.h>

#include "args.h"
#include "check/check.h"
#include "util/util.h"
#include "dns/dns.h"
#include "api/model.h"

struct bench {
	const char *mode;
	const char *zone;
	long count, inflight, started, done, passed, failed;
	struct event_base *base;
	struct ub_ctx *ub;
	struct mpic__resolver *res;
	struct mpic__check_env env;
	uint64_t t0;
	unsigned run_id;
};

static void start_one(struct bench *b);

static void
start_later_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bench *b = arg;

	(void)fd;
	(void)what;
	/* several answers may have scheduled a start before any ran */
	if (b->started < b->count)
		start_one(b);
}

/* libunbound may answer inside ub_resolve_event(): never recurse. */
static void
start_later(struct bench *b)
{
	struct timeval zero = {0, 0};

	event_base_once(b->base, -1, EV_TIMEOUT, start_later_cb, b, &zero);
}

static void
bare_cb(void *arg, int err, void *pkt, int len, int sec, char *why,
	int rl)
{
	struct bench *b = arg;

	(void)pkt;
	(void)len;
	(void)why;
	(void)rl;
	b->done++;
	if (err == 0 && sec == 2)
		b->passed++;
	else
		b->failed++;
	if (b->started < b->count)
		start_later(b);
}

struct onecheck {
	struct bench *b;
	struct mpic__request req;
	bool shared;     /* a pre-parsed request of the warm set */
};

/* warm mode: 16 names parsed once, checked again and again */
static struct onecheck warm_set[16];

static void
check_cb(void *arg, struct mpic__check_result *res)
{
	struct onecheck *oc = arg;
	struct bench *b = oc->b;

	b->done++;
	if (res->completed && res->dnssec == MPIC__DNSSEC_SECURE)
		b->passed++;
	else
		b->failed++;
	mpic__check_result_release(res);
	if (!oc->shared) {
		mpic__request_release(&oc->req);
		free(oc);
	}
	if (b->started < b->count)
		start_one(b);
}

static void
start_one(struct bench *b)
{
	char name[300], body[600];
	long i = b->started++;
	int id;

	if (strncmp(b->mode, "warm", 4) == 0)
		snprintf(name, sizeof(name), "w%ld.%s", i % 16, b->zone);
	else
		snprintf(name, sizeof(name), "u%u-%ld.%s", b->run_id, i,
		    b->zone);
	if (strcmp(b->mode, "bare") == 0 || strcmp(b->mode, "synth") == 0) {
		char q[320];

		snprintf(q, sizeof(q), "_acme-challenge.%s", name);
		if (ub_resolve_event(b->ub, q, MPIC__RR_TXT, 1, b, bare_cb,
		    &id) != 0) {
			b->done++;
			b->failed++;
		}
		return;
	}
	if (strcmp(b->mode, "warm") == 0 && warm_set[i % 16].shared) {
		if (mpic__check_start(&b->env, &warm_set[i % 16].req, time(NULL), check_cb,
		    &warm_set[i % 16]) != 0) {
			fprintf(stderr, "bench: cannot start a check\n");
			exit(2);
		}
		return;
	}
	{
		struct onecheck *oc = calloc(1, sizeof(*oc));
		struct mpic__issues is;

		memset(&is, 0, sizeof(is));
		oc->b = b;
		snprintf(body, sizeof(body), "{\"check_type\":\"dcv\","
		    "\"domain_or_ip_target\":\"%s\",\"dcv_check_parameters\":"
		    "{\"validation_method\":\"acme-dns-01\","
		    "\"key_authorization_hash\":"
		    "\"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0\"}}", name);
		if (mpic__request_parse(body, strlen(body), &oc->req, &is) != 0
		    || mpic__check_start(&b->env, &oc->req, time(NULL), check_cb, oc) != 0) {
			fprintf(stderr, "bench: cannot start a check\n");
			exit(2);
		}
	}
}


int
main(int argc, char **argv)
{
	struct bench b;
	struct mpic__dns_opts o;
	char err[256];
	double secs;
	long i;

	if (argc != 7) {
		fprintf(stderr, "usage: bench_dns bare|synth|check|warm HINTS ANCHOR "
		    "ZONE COUNT INFLIGHT\n");
		return 64;
	}
	memset(&b, 0, sizeof(b));
	b.mode = argv[1];
	b.zone = argv[4];
	b.count = count_arg(argv[5], "COUNT");
	b.inflight = count_arg(argv[6], "INFLIGHT");
	b.run_id = (unsigned)mpic__now_wall_ns();
	b.base = event_base_new();
	memset(&o, 0, sizeof(o));
	o.root_hints = argv[2];
	o.trust_anchor = argv[3];
	o.timeout_ms = 5000;
	o.cache = true;
	o.allow_localhost = true;
	/* names under a wildcard would be synthesised from cached NSEC
	 * records (RFC 8198): switch that off so that they miss the cache */
	o.no_aggressive_nsec = true;
	if (strcmp(b.mode, "bare") == 0 || strcmp(b.mode, "synth") == 0) {
		const char *rc = getenv("BENCH_DNS_RRSET_CACHE");

		b.ub = ub_ctx_create_event(b.base);
		ub_ctx_set_option(b.ub, "do-not-query-localhost:", "no");
		ub_ctx_set_option(b.ub, "num-queries-per-thread:", "4096");
		if (strcmp(b.mode, "bare") == 0)
			ub_ctx_set_option(b.ub, "aggressive-nsec:", "no");
		else if (rc != NULL && ub_ctx_set_option(b.ub,
		    "rrset-cache-size:", rc) != 0) {
			fprintf(stderr, "bench: rrset-cache-size %s\n", rc);
			return 64;
		}
		ub_ctx_set_option(b.ub, "root-hints:", argv[2]);
		ub_ctx_add_ta_file(b.ub, argv[3]);
	} else if (mpic__resolver_new(b.base, &o, &b.res, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	b.env.base = b.base;
	b.env.resolver = b.res;
	if (strncmp(b.mode, "warm", 4) == 0) {
		/* fill the cache first */
		long keep = b.count;

		b.count = 16;
		for (i = 0; i < 16; i++)
			start_one(&b);
		while (b.done < 16)
			event_base_loop(b.base, EVLOOP_ONCE);
		b.count = keep;
		b.started = b.done = b.passed = b.failed = 0;
		for (i = 0; i < 16 && strcmp(b.mode, "warm") == 0; i++) {
			struct mpic__issues is;
			char body[600];

			memset(&is, 0, sizeof(is));
			snprintf(body, sizeof(body), "{\"check_type\":\"dcv\","
			    "\"domain_or_ip_target\":\"w%ld.%s\","
			    "\"dcv_check_parameters\":{\"validation_method\":"
			    "\"acme-dns-01\",\"key_authorization_hash\":"
			    "\"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0\"}}",
			    i, b.zone);
			warm_set[i].b = &b;
			warm_set[i].shared = true;
			if (mpic__request_parse(body, strlen(body),
			    &warm_set[i].req, &is) != 0)
				return 2;
		}
	}
	b.t0 = mpic__now_mono_ms();
	for (i = 0; i < b.inflight && b.started < b.count; i++)
		start_one(&b);
	while (b.done < b.count)
		if (event_base_loop(b.base, EVLOOP_ONCE) != 0)
			break;
	secs = (double)(mpic__now_mono_ms() - b.t0) / 1000.0;
	printf("%s: %ld lookups in %.2f s = %.0f per second (%ld secure, "
	    "%ld other)\n", b.mode, b.done, secs, (double)b.done / secs,
	    b.passed, b.failed);
	for (i = 0; i < 16; i++)
		if (warm_set[i].shared)
			mpic__request_release(&warm_set[i].req);
	if (b.ub != NULL)
		ub_ctx_delete(b.ub);
	mpic__resolver_free(b.res);
	event_base_free(b.base);
	return b.failed > b.done / 100 ? 1 : 0;
}
