/*
 * alpn_responder.c - the lab's acme-tls-alpn-01 responder for the cases
 * pebble-challtestsrv cannot serve: one behaviour per listening address.
 *
 *   alpn_responder -k HEXDIGEST -l ADDR,PORT,CASE [-l ...]
 *
 * Cases: good (SAN = the SNI, or the listening address when the SNI is a
 * reverse name; a critical acmeIdentifier with the digest), upper (the
 * SAN in capitals), noalpn, wrongalpn, noncrit, wrongdigest, shortvalue,
 * twosans, othername, ipsan (an iPAddress SAN for a name), noext,
 * dupext, dupacme, tls11 (TLS 1.1 at most), slow (accepts TCP and never
 * answers), big (a certificate chain over 64 KiB).  Every case insists
 * on an SNI and on the client offering "acme-tls/1" and nothing else:
 * a client that does otherwise gets a fatal alert, so the good case
 * proves the client's side of RFC 8737 too.  One thread per
 * connection, blocking I/O with timeouts; logs a line per connection to
 * stderr.  Test code: not part of libmpic.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "alpn_testcert.h"

#define MAX_LISTEN 64
#define ALPN_WIRE "\x0a" "acme-tls/1"

enum kase {
	C_GOOD, C_UPPER, C_NOALPN, C_WRONGALPN, C_NONCRIT, C_WRONGDIGEST,
	C_SHORTVALUE, C_TWOSANS, C_OTHERNAME, C_IPSAN, C_NOEXT, C_DUPEXT,
	C_DUPACME, C_TLS11, C_SLOW, C_BIG, C__COUNT
};

static const char *const case_names[C__COUNT] = {
	"good", "upper", "noalpn", "wrongalpn", "noncrit", "wrongdigest",
	"shortvalue", "twosans", "othername", "ipsan", "noext", "dupext",
	"dupacme", "tls11", "slow", "big",
};

struct listener {
	int fd;
	enum kase kase;
	char text[80];
};

struct conn {
	int fd;
	enum kase kase;
	struct sockaddr_storage local;
	char sni[256];
	char offered[64];
	int alpn_ok;            /* the client offered exactly acme-tls/1 */
};

static uint8_t digest[32];
static EVP_PKEY *key;
static SSL_CTX *ctx_modern, *ctx_tls11;
static int conn_index;

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
is_reverse(const char *s)
{
	size_t n = strlen(s);

	return (n > 13 && strcmp(s + n - 13, ".in-addr.arpa") == 0) ||
	    (n > 9 && strcmp(s + n - 9, ".ip6.arpa") == 0);
}

/* The certificate for this case and SNI. */
static X509 *
make_cert(struct conn *c)
{
	struct testcert_opts o;
	uint8_t wrong[32];
	char san[600], ip[INET6_ADDRSTRLEN], upper[256];
	size_t i;

	memset(&o, 0, sizeof(o));
	o.cn = strlen(c->sni) <= 64 ? c->sni : NULL; /* CN ub: 64 */
	o.digest = digest;
	o.critical = 1;
	if (is_reverse(c->sni)) {
		if (c->local.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&c->local)->
			    sin_addr, ip, sizeof(ip));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&c->local)->
			    sin6_addr, ip, sizeof(ip));
		snprintf(san, sizeof(san), "IP:%s", ip);
	} else {
		snprintf(san, sizeof(san), "DNS:%s", c->sni);
	}
	o.san = san;
	switch (c->kase) {
	case C_UPPER:
		for (i = 0; c->sni[i] != '\0' && i + 1 < sizeof(upper); i++)
			upper[i] = (char)(c->sni[i] >= 'a' && c->sni[i] <= 'z' ?
			    c->sni[i] - 32 : c->sni[i]);
		upper[i] = '\0';
		snprintf(san, sizeof(san), "DNS:%s", upper);
		break;
	case C_NONCRIT:
		o.critical = 0;
		break;
	case C_WRONGDIGEST:
		for (i = 0; i < 32; i++)
			wrong[i] = (uint8_t)(digest[i] ^ 0x5a);
		o.digest = wrong;
		break;
	case C_SHORTVALUE:
		/* the bare digest, without the OCTET STRING header */
		o.raw_value = digest;
		o.raw_len = 32;
		break;
	case C_TWOSANS:
		snprintf(san, sizeof(san), "DNS:%s,DNS:other.alpn.lab", c->sni);
		break;
	case C_OTHERNAME:
		snprintf(san, sizeof(san), "DNS:other.alpn.lab");
		break;
	case C_IPSAN:
		snprintf(san, sizeof(san), "IP:127.0.0.1");
		break;
	case C_NOEXT:
		o.digest = NULL;
		break;
	case C_DUPEXT:
		o.dup_ext = 1;
		break;
	case C_DUPACME:
		o.dup_acme = 1;
		break;
	default:
		break;
	}
	return testcert_make(key, &o);
}

static int
on_sni(SSL *ssl, int *alert, void *arg)
{
	struct conn *c = SSL_get_ex_data(ssl, conn_index);
	const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	X509 *x;
	int i, ok;

	(void)arg;
	if (sni == NULL || strlen(sni) >= sizeof(c->sni)) {
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	snprintf(c->sni, sizeof(c->sni), "%s", sni);
	x = make_cert(c);
	if (x == NULL) {
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	ok = SSL_use_certificate(ssl, x) == 1 &&
	    SSL_use_PrivateKey(ssl, key) == 1;
	if (ok && c->kase == C_BIG)
		/* pad the chain with copies until it passes 64 KiB */
		for (i = 0; i < 160 && ok; i++)
			ok = SSL_add1_chain_cert(ssl, x) == 1;
	X509_free(x);
	if (!ok) {
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	return SSL_TLSEXT_ERR_OK;
}

static int
on_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
	const unsigned char *in, unsigned int inlen, void *arg)
{
	struct conn *c = SSL_get_ex_data(ssl, conn_index);
	static const unsigned char h11[] = "http/1.1";
	unsigned int i;

	(void)arg;
	for (i = 0; i < inlen && i + 1 < sizeof(c->offered); i++)
		c->offered[i] = in[i] >= 0x20 && in[i] < 0x7f ? (char)in[i] :
		    ',';
	c->offered[i] = '\0';
	c->alpn_ok = inlen == sizeof(ALPN_WIRE) - 1 &&
	    memcmp(in, ALPN_WIRE, inlen) == 0;
	if (!c->alpn_ok)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	if (c->kase == C_NOALPN)
		return SSL_TLSEXT_ERR_NOACK;
	if (c->kase == C_WRONGALPN) {
		*out = h11;
		*outlen = sizeof(h11) - 1;
		return SSL_TLSEXT_ERR_OK;
	}
	*out = in + 1;
	*outlen = in[0];
	return SSL_TLSEXT_ERR_OK;
}

static void *
serve(void *arg)
{
	struct conn *c = arg;
	struct timeval tv = {10, 0};
	socklen_t len = sizeof(c->local);
	char buf[256];
	SSL *ssl = NULL;
	int r;

	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	getsockname(c->fd, (struct sockaddr *)&c->local, &len);
	if (c->kase == C_SLOW) {
		/* never answer: wait for the client to give up */
		tv.tv_sec = 60;
		setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		while (recv(c->fd, buf, sizeof(buf), 0) > 0)
			;
		fprintf(stderr, "alpn_responder: slow: client gave up\n");
		goto out;
	}
	ssl = SSL_new(c->kase == C_TLS11 ? ctx_tls11 : ctx_modern);
	if (ssl == NULL || SSL_set_ex_data(ssl, conn_index, c) != 1 ||
	    SSL_set_fd(ssl, c->fd) != 1)
		goto out;
	r = SSL_accept(ssl);
	ERR_error_string_n(ERR_peek_last_error(), buf, sizeof(buf));
	fprintf(stderr, "alpn_responder: %s: sni=%s alpn_offered=%s %s %s\n",
	    case_names[c->kase], c->sni[0] ? c->sni : "(none)",
	    c->offered[0] ? c->offered : "(none)", SSL_get_version(ssl),
	    r == 1 ? "handshake ok" : buf);
	if (r == 1) {
		/* the client sends no data: read until its close_notify */
		while (SSL_read(ssl, buf, sizeof(buf)) > 0)
			;
		SSL_shutdown(ssl);
	}
out:
	SSL_free(ssl);
	close(c->fd);
	free(c);
	ERR_clear_error();
	return NULL;
}

static int
listen_on(struct listener *l, const char *spec)
{
	char addr[64], kase[32];
	unsigned port;
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	int one = 1, i;
	socklen_t len;

	if (sscanf(spec, "%63[^,],%u,%31s", addr, &port, kase) != 3 ||
	    port == 0 || port > 65535) {
		fprintf(stderr, "alpn_responder: bad -l %s\n", spec);
		return -1;
	}
	for (i = 0; i < C__COUNT && strcmp(kase, case_names[i]) != 0; i++)
		;
	if (i == C__COUNT) {
		fprintf(stderr, "alpn_responder: unknown case %s\n", kase);
		return -1;
	}
	l->kase = (enum kase)i;
	snprintf(l->text, sizeof(l->text), "%s port %u", addr, port);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		len = sizeof(*s6);
	} else {
		fprintf(stderr, "alpn_responder: bad address %s\n", addr);
		return -1;
	}
	l->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0 ||
	    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l->fd, (struct sockaddr *)&ss, len) != 0 ||
	    listen(l->fd, 512) != 0) {
		fprintf(stderr, "alpn_responder: %s: %s\n", l->text,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static SSL_CTX *
make_ctx(int tls11)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL)
		return NULL;
	if (tls11) {
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_min_proto_version(ctx, TLS1_1_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
		SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
	}
	SSL_CTX_set_tlsext_servername_callback(ctx, on_sni);
	SSL_CTX_set_alpn_select_cb(ctx, on_alpn, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

int
main(int argc, char **argv)
{
	struct listener ls[MAX_LISTEN];
	struct pollfd pfd[MAX_LISTEN];
	const char *hex = NULL;
	pthread_attr_t attr;
	pthread_t th;
	size_t n = 0, i;
	int opt, hi, lo;

	signal(SIGPIPE, SIG_IGN);
	while ((opt = getopt(argc, argv, "k:l:")) != -1) {
		if (opt == 'k') {
			hex = optarg;
		} else if (opt == 'l' && n < MAX_LISTEN) {
			if (listen_on(&ls[n], optarg) != 0)
				return 1;
			n++;
		} else {
			fprintf(stderr, "usage: alpn_responder -k HEXDIGEST "
			    "-l ADDR,PORT,CASE ...\n");
			return 64;
		}
	}
	if (hex == NULL || strlen(hex) != 64 || n == 0) {
		fprintf(stderr, "alpn_responder: need -k (64 hex digits) and "
		    "at least one -l\n");
		return 64;
	}
	for (i = 0; i < 32; i++) {
		hi = hexval(hex[2 * i]);
		lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return 64;
		digest[i] = (uint8_t)(hi << 4 | lo);
	}
	conn_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	key = testcert_key();
	ctx_modern = make_ctx(0);
	ctx_tls11 = make_ctx(1);
	if (key == NULL || ctx_modern == NULL || ctx_tls11 == NULL) {
		fprintf(stderr, "alpn_responder: OpenSSL setup failed\n");
		return 1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (i = 0; i < n; i++) {
		pfd[i].fd = ls[i].fd;
		pfd[i].events = POLLIN;
		fprintf(stderr, "alpn_responder: %s: %s\n", ls[i].text,
		    case_names[ls[i].kase]);
	}
	fprintf(stderr, "alpn_responder: ready\n");
	for (;;) {
		if (poll(pfd, (nfds_t)n, -1) < 0 && errno != EINTR)
			return 1;
		for (i = 0; i < n; i++) {
			struct conn *c;
			int fd;

			if (!(pfd[i].revents & POLLIN))
				continue;
			fd = accept4(ls[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			c = calloc(1, sizeof(*c));
			if (c == NULL) {
				close(fd);
				continue;
			}
			c->fd = fd;
			c->kase = ls[i].kase;
			if (pthread_create(&th, &attr, serve, c) != 0) {
				close(fd);
				free(c);
			}
		}
	}
}
