/*
 * bench_alpn.c - acme-tls-alpn-01 checks per second through the library
 * against a local responder, beside a bare OpenSSL loop doing the same
 * handshakes (SNI, ALPN acme-tls/1, no verification, close_notify).
 * Usage:
 *   bench_alpn MODE ADDRESS PORT COUNT INFLIGHT
 * MODE: check (IP-target checks through mpic__check_start, INFLIGHT at
 * a time on one event base), bare (blocking handshakes one after the
 * other: INFLIGHT is ignored).  Prints one line of figures.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "check/check.h"
#include "dcv/tls_alpn.h"

/* SHA-256 of the lab's key authorization (lab/dns/README.md) */
#define KAH "ZTRx1Ckl1-tM05o5zaizTTA0yUy5AGereMgSNWC6Ll8"

struct bench {
	long count, inflight, started, done, passed, failed;
	struct event_base *base;
	struct mpic__check_env env;
	struct mpic__request req;
	char first_error[600];
};

static void start_one(struct bench *b);

static void
on_done(void *arg, struct mpic__check_result *res)
{
	struct bench *b = arg;

	b->done++;
	if (res->passed)
		b->passed++;
	else if (b->failed++ == 0 && res->n_errors > 0)
		snprintf(b->first_error, sizeof(b->first_error), "%s: %s",
		    res->errors[0].type, res->errors[0].message);
	mpic__check_result_release(res);
	if (b->started < b->count)
		start_one(b);
}

static void
start_one(struct bench *b)
{
	b->started++;
	if (mpic__check_start(&b->env, &b->req, time(NULL), on_done, b) != 0) {
		b->done++;
		b->failed++;
	}
}

static double
secs(uint64_t t0)
{
	return (double)(mpic__now_mono_ms() - t0) / 1000.0;
}

static int
run_check(const char *addr, unsigned port, long count, long inflight)
{
	const char *nets[] = {"127.0.0.0/8", "::1/128", NULL};
	struct mpic_config cfg;
	struct mpic__issues is;
	struct bench b;
	char body[512];
	uint64_t t0;
	double s;
	long i;

	memset(&b, 0, sizeof(b));
	memset(&cfg, 0, sizeof(cfg));
	cfg.allowed_networks = nets;
	cfg.http_timeout_ms = 5000;
	cfg.tls_alpn_port = port;
	snprintf(body, sizeof(body), "{\"check_type\":\"dcv\","
	    "\"domain_or_ip_target\":\"%s\",\"dcv_check_parameters\":"
	    "{\"validation_method\":\"acme-tls-alpn-01\","
	    "\"key_authorization_hash\":\"" KAH "\"}}", addr);
	memset(&is, 0, sizeof(is));
	if (mpic__request_parse(body, strlen(body), &b.req, &is) != 0) {
		fprintf(stderr, "bench_alpn: bad target %s\n", addr);
		return 1;
	}
	b.base = event_base_new();
	b.count = count;
	b.inflight = inflight;
	b.env.base = b.base;
	b.env.cfg = &cfg;
	if (b.base == NULL || mpic__alpn_tls_new(&b.env.alpn_tls) != 0)
		return 1;
	t0 = mpic__now_mono_ms();
	for (i = 0; i < inflight && b.started < count; i++)
		start_one(&b);
	while (b.done < count)
		if (event_base_loop(b.base, EVLOOP_ONCE) != 0)
			break;
	s = secs(t0);
	printf("check: %ld checks (%ld in flight) in %.2f s = %.0f per second;"
	    " %ld passed, %ld failed%s%s\n", count, inflight, s,
	    (double)count / s, b.passed, b.failed,
	    b.first_error[0] ? "; first error: " : "", b.first_error);
	mpic__alpn_tls_free(b.env.alpn_tls);
	mpic__request_release(&b.req);
	event_base_free(b.base);
	return b.failed == 0 ? 0 : 1;
}

/* The same handshake, blocking, with nothing around it. */
static int
run_bare(const char *addr, unsigned port, long count)
{
	static const unsigned char protos[] = "\x0a" "acme-tls/1";
	struct sockaddr_in sin;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char sni[64];
	uint8_t a[4];
	uint64_t t0;
	long i, ok = 0;
	double s;

	if (ctx == NULL || inet_pton(AF_INET, addr, a) != 1)
		return 1;
	snprintf(sni, sizeof(sni), "%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
	    a[1], a[0]);
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	memcpy(&sin.sin_addr, a, 4);
	t0 = mpic__now_mono_ms();
	for (i = 0; i < count; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		SSL *ssl = SSL_new(ctx);

		if (fd >= 0 && ssl != NULL &&
		    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
		    SSL_set_fd(ssl, fd) == 1 &&
		    SSL_set_tlsext_host_name(ssl, sni) == 1 &&
		    SSL_set_alpn_protos(ssl, protos, sizeof(protos) - 1) == 0 &&
		    SSL_connect(ssl) == 1 &&
		    SSL_get0_peer_certificate(ssl) != NULL) {
			ok++;
			SSL_shutdown(ssl);
		}
		SSL_free(ssl);
		if (fd >= 0)
			close(fd);
	}
	s = secs(t0);
	printf("bare:  %ld handshakes (one at a time) in %.2f s = %.0f per "
	    "second; %ld completed\n", count, s, (double)count / s, ok);
	SSL_CTX_free(ctx);
	return ok == count ? 0 : 1;
}

int
main(int argc, char **argv)
{
	long count, inflight;
	unsigned port;

	signal(SIGPIPE, SIG_IGN); /* the bare loop writes with write() */
	if (argc != 6) {
		fprintf(stderr, "usage: bench_alpn check|bare ADDRESS PORT "
		    "COUNT INFLIGHT\n");
		return 64;
	}
	port = (unsigned)strtoul(argv[3], NULL, 10);
	count = strtol(argv[4], NULL, 10);
	inflight = strtol(argv[5], NULL, 10);
	if (port == 0 || port > 65535 || count <= 0 || inflight <= 0)
		return 64;
	if (strcmp(argv[1], "bare") == 0)
		return run_bare(argv[2], port, count);
	return run_check(argv[2], port, count, inflight);
}
