/*
 * conn.h - a connection's record (conn.c), shared by conn.c, call.c,
 * server.c and tls.c (which counts resumed handshakes on it) only.
 */
#ifndef MPICD_CONN_H
#define MPICD_CONN_H

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>

#include "mpicd.h"
#include "refusal.h"

/* One connection (see conn.c). */
struct mpicd_conn {
	struct mpicd *d;
	struct bufferevent *bev;
	struct evhttp_connection *evcon;  /* once evhttp made it (fresh) */
	struct mpicd_conn *next_fresh;
	unsigned writing;                 /* its replies being written */
	int fd;                           /* its entry in d->byfd, or -1 */
	bool tls;
	bool resumed_counted;             /* in mpicd_tls_resumed_total */
	/* limits.read_deadline_ms: armed while a request is being read */
	struct event *deadline;
	struct evbuffer_cb_entry *input_cb;
	bool reading;
	struct mpicd_refusal refusal;     /* evhttp's own answers in JSON */
};

/* The connection of evcon, or NULL. */
struct mpicd_conn *mpicd_conn_of(struct mpicd *d,
				 struct evhttp_connection *evcon);
/* What a connection leaves behind once evhttp is done with it (see
 * conn.c); idempotent. */
void mpicd_conn_release(struct mpicd_conn *conn, bool bev_alive);
/* The accept callback is done: give each new connection its close
 * callback and its index (an event callback, d->ev_fresh). */
void mpicd_conn_fresh(evutil_socket_t fd, short what, void *arg);
/* Start the read deadline of a new connection or request; a whole
 * request was read (no deadline until the next); the timer's and the
 * input buffer's callbacks. */
void mpicd_conn_deadline_arm(struct mpicd_conn *conn);
void mpicd_conn_request_read(struct mpicd *d, struct evhttp_request *r);
void mpicd_conn_on_deadline(evutil_socket_t fd, short what, void *arg);
void mpicd_conn_on_input(struct evbuffer *buf,
			 const struct evbuffer_cb_info *info, void *arg);
/* The drain ends (the loop exits) once nothing is in flight or being
 * written. */
void mpicd_drain_check(struct mpicd *d);

/* call.c: free a call (after its reply); a JSON error body
 * {"error":..,"message":..} */
void mpicd_call_free(struct mpicd_call *c);
void mpicd_reply_error(struct mpicd *d, struct mpicd_call *c, int status,
		       const char *error, const char *msg);

#endif
