/*
 * curl_loop.h - libcurl's multi-socket interface driven by a libevent
 * base: one CURLM per loop, its sockets and its timer as libevent events,
 * and a completion callback per transfer.
 *
 * Internal to libmpic (mpic__ names).  The caller owns its easy handles;
 * the loop owns CURLOPT_PRIVATE, CURLOPT_OPENSOCKETFUNCTION/DATA and
 * CURLOPT_CLOSESOCKETFUNCTION/DATA of every handle it runs (do not set
 * them).
 */
#ifndef MPIC__CURL_LOOP_H
#define MPIC__CURL_LOOP_H

#include <curl/curl.h>

struct event_base;
struct mpic__curl_loop;

/*
 * Completion of one transfer: result is the transfer's CURLcode.  The
 * handle has already been removed from the loop; the callee may clean it
 * up or add it again.  Runs from the event loop, never from inside
 * mpic__curl_loop_add().
 */
typedef void (*mpic__curl_done_cb)(void *arg, CURL *easy, CURLcode result);

/* New loop on base.  Returns 0 or MPIC_ENOMEM; *out is the caller's
 * (mpic__curl_loop_free()). */
int mpic__curl_loop_new(struct event_base *base, struct mpic__curl_loop **out);

/*
 * Free the loop.  Transfers still running are removed without their
 * callbacks; their easy handles stay the callers'.  NULL is accepted.
 */
void mpic__curl_loop_free(struct mpic__curl_loop *loop);

/* The multi handle, for CURLMOPT_* settings (connection cache sizes). */
CURLM *mpic__curl_loop_multi(struct mpic__curl_loop *loop);

/* The event base the loop runs on (for the callers' own timers). */
struct event_base *mpic__curl_loop_base(struct mpic__curl_loop *loop);

/*
 * Start a transfer.  cb runs exactly once, unless the transfer is
 * cancelled first.  Returns 0, or MPIC_ENOMEM / MPIC_EIO (then no
 * callback).
 */
int mpic__curl_loop_add(struct mpic__curl_loop *loop, CURL *easy,
			mpic__curl_done_cb cb, void *arg);

/* Stop a running transfer without its callback.  The handle stays the
 * caller's. */
void mpic__curl_loop_cancel(struct mpic__curl_loop *loop, CURL *easy);

/* After a change of credentials (a reload): the connections open now are
 * closed as soon as no transfer uses them, so that new transfers make new
 * ones (with the new client certificate).  NULL is accepted. */
void mpic__curl_loop_retire(struct mpic__curl_loop *loop);

/* Number of transfers running. */
unsigned mpic__curl_loop_running(const struct mpic__curl_loop *loop);

#endif
