/*
 * refusal.h - the answers evhttp makes by itself (its HTML error pages),
 * given the Open MPIC error body instead (refusal.c says how and why).
 */
#ifndef MPICD_REFUSAL_H
#define MPICD_REFUSAL_H

#include <stdbool.h>

struct evbuffer;
struct evbuffer_cb_entry;

/* The watch on one connection's output; embedded, zeroed before use. */
struct mpicd_refusal {
	struct evbuffer *out;
	struct evbuffer_cb_entry *cb;
	const bool *ours;       /* true while the daemon writes its own reply */
	bool answered;          /* ours replaced evhttp's; out's end frozen */
};

/*
 * Watch out, the output buffer of a connection evhttp serves: a final
 * answer evhttp writes on its own (not while *ours is true) goes out with
 * the Open MPIC error body, Content-Type application/json and
 * Connection: close, under evhttp's status line.  ours is the caller's
 * and outlives the watch.  0, or -1 (out of memory).
 */
int mpicd_refusal_watch(struct mpicd_refusal *rf, struct evbuffer *out,
			const bool *ours);
/* Stop watching.  out_alive: out is not being freed (its callback is
 * removed then).  Idempotent. */
void mpicd_refusal_release(struct mpicd_refusal *rf, bool out_alive);

#endif
