/*
 * fake_web.h - the parts of the fake web (fake_web.c, fake_web_tls.c)
 * shared between its two files: a connection to one of the world's
 * servers, served on the runner's event base.
 */
#ifndef MPIC_TEST_FAKE_WEB_H
#define MPIC_TEST_FAKE_WEB_H

#include <stdbool.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <jansson.h>
#include <openssl/ssl.h>

#include "fake.h"

#define FAKE_WEB_TARGET_MAX 64          /* "ADDR:PORT", "[ADDR]:PORT" */

struct fake_conn {
	struct fake_conn *prev, *next;
	struct bufferevent *bev;
	int fd;                         /* a silent server's, else -1 */
	struct event *timer;            /* a delayed answer */
	const json_t *server;           /* the world's, borrowed */
	char target[FAKE_WEB_TARGET_MAX];
	char addr[48];                  /* the address the client wanted */
	bool tls, acme;                 /* client offered acme-tls/1 */
	char sni[256];
	char proto[64];                 /* the protocol picked, ALPN */
	char *head;                     /* the request's head, once read */
	char path[2048];                /* its path, without the query */
	const json_t *resp;             /* the answer being given */
};

/* TLS on c's socket: the server's certificate and ALPN behaviour
 * (fake_web_tls.c).  NULL on failure. */
SSL *fake_web_tls_new(struct fake_conn *c);
/* A connection is over: free it (fake_web.c). */
void fake_web_conn_free(struct fake_conn *c);
/* Free what fake_web_tls.c keeps (the key, the context). */
void fake_web_tls_cleanup(void);

#endif
