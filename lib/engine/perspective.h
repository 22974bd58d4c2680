/*
 * perspective.h - one perspective as the orchestrator sees it: something
 * that runs one check and calls back with a struct mpic__check_result.
 * Two implementations: in-process (local.c: a resolver and the checkers of
 * lib/check) and remote (remote.c: the perspective API over mutual TLS).
 */
#ifndef MPIC__PERSPECTIVE_H
#define MPIC__PERSPECTIVE_H

#include "check/check.h"
#include "corroborate/corroborate.h"
#include "api/model.h"
#include "config/config.h"
#include "evidence/evidence.h"

struct mpic__persp;
struct mpic__curl_loop;

struct mpic__persp_ops {
	/*
	 * Start one check of req at wall-clock time now.  req must stay
	 * valid until cb, which runs exactly once and never before start
	 * returns (the mpic__check_start() contract).  Returns 0 or a
	 * negative error (then no callback).
	 */
	int (*start)(struct mpic__persp *p, const struct mpic__request *req,
		     time_t now, mpic__check_cb cb, void *arg);
	/* Free; checks still running are dropped without callbacks. */
	void (*free)(struct mpic__persp *p);
};

/* Reachability is the public enum mpic_reach (mpic/perspective.h). */

/* Common head of every implementation. */
struct mpic__persp {
	const struct mpic__persp_ops *ops;
	const struct mpic__perspective_def *def;
	/* Results seen by the orchestrator (for metrics). */
	uint64_t n_passed, n_failed, n_errors;
	/* Remote perspectives: reachability from the last call. */
	enum mpic_reach reach;
	uint64_t last_call_ns;         /* wall clock of the last answer */
	char last_error[256];
	/* Remote perspectives: calls by end, their round trips (stats.c) */
	uint64_t calls[MPIC_CALL__N];
	uint64_t call_buckets[MPIC_STATS_BUCKETS];
	uint64_t call_us;
	uint64_t tls_hs[2];            /* handshakes: full, resumed */
	/* In-process perspectives: what their checks did */
	struct mpic_check_stats checks;
};

/* Count one call to remote perspective p that ended so, after us
 * microseconds (stats.c). */
void mpic__persp_call_count(struct mpic__persp *p, enum mpic_call_result end,
			    uint64_t us);

/* In-process: its own resolver and cache on base. */
int mpic__persp_local_new(struct event_base *base,
			  const struct mpic_config *cfg,
			  const struct mpic__perspective_def *def,
			  struct mpic__persp **out, char *err, size_t errlen);
/* The same without signing its results: the perspective role's own
 * check (serve.c), whose statement the daemon's key process signs; the
 * worker never reads def's signing_key. */
int mpic__persp_local_new_unsigned(struct event_base *base,
				   const struct mpic_config *cfg,
				   const struct mpic__perspective_def *def,
				   struct mpic__persp **out, char *err,
				   size_t errlen);

/*
 * Remote: POST def->url + "/caa" or "/dcv" over mutual TLS 1.3 (client
 * certificate cfg->tls_cert / tls_key, servers verified against
 * cfg->tls_client_ca) on loop.  loop must outlive the perspective.
 */
int mpic__persp_remote_new(struct mpic__curl_loop *loop,
			   const struct mpic_config *cfg,
			   const struct mpic__perspective_def *def,
			   struct mpic__persp **out, char *err, size_t errlen);

/*
 * Turn a perspective API answer (JSON text) into a result; checks that it
 * names def's code and RIR and the expected check type.  On any problem
 * the result is a failed check with an MPIC__ERR_REMOTE error; returns 0
 * when the answer was well-formed, MPIC_EPARSE otherwise.
 */
/*
 * The body of a call to a remote perspective for req (the same for all of
 * them), in req's arena; NULL when out of memory.  A remote perspective
 * uses req->remote_body when it is set, or builds its own.
 */
const char *mpic__remote_body(const struct mpic_config *cfg,
			      struct mpic__request *req);
int mpic__remote_answer(const struct mpic__perspective_def *def,
			enum mpic__check_type type, const char *body,
			size_t len, struct mpic__check_result *res);

/* How far a remote's clock may be from ours (ns). */
#define MPIC__REMOTE_SKEW_NS (5ull * 1000000000ull)
/*
 * A remote's timestamp_ns is believed only within its call's window,
 * start_ns - MPIC__REMOTE_SKEW_NS .. end_ns + MPIC__REMOTE_SKEW_NS (our wall
 * clock, ns: the call's start and the answer's receipt).  Outside it,
 * res->timestamp_ns becomes end_ns and the remote's value is kept in
 * res->remote_timestamp_ns (for the audit record); none sent: end_ns.
 */
void mpic__remote_answer_time(struct mpic__check_result *res,
			      uint64_t start_ns, uint64_t end_ns);

/*
 * Parse a perspective API body (POST /caa or /dcv) into req: the Open
 * MPIC request checker on the body with check_type added.  Same contract
 * as mpic__request_parse().
 */
int mpic__persp_request_parse(enum mpic__check_type type, const char *body,
			      size_t len, struct mpic__request *req,
			      struct mpic__issues *issues);

/*
 * sig.c: signed results (docs/evidence.md).
 *
 * The keys that may sign a perspective's statements: its signing_pubkey
 * and, during a rotation, signing_pubkey_previous.
 */
struct mpic__persp_keys {
	EVP_PKEY *k[2];
	size_t n;
};
/* Load def's public key files (none: n 0); 0, or MPIC_ECONFIG with err. */
int mpic__persp_keys_load(const struct mpic__perspective_def *def,
			  struct mpic__persp_keys *keys, char *err,
			  size_t errlen);
void mpic__persp_keys_release(struct mpic__persp_keys *keys);
/* A fresh nonce (RAND_bytes); 0 or MPIC_EIO. */
int mpic__sig_nonce(uint8_t nonce[MPIC__EV_NONCE_LEN]);
/* The statement a perspective of code and rir signs for res, a check of
 * the request whose digest is digest, called with nonce. */
void mpic__sig_statement(const char *code, enum mpic__rir rir,
			 const uint8_t digest[MPIC__EV_DIGEST_LEN],
			 const uint8_t nonce[MPIC__EV_NONCE_LEN],
			 const struct mpic__check_result *res,
			 struct mpic__ev_statement *st);
/* Sign res with k (in process): res->statement set; 0 or MPIC_ENOMEM /
 * MPIC_EINVAL. */
int mpic__sig_sign(EVP_PKEY *k, const char *code, enum mpic__rir rir,
		   const uint8_t digest[MPIC__EV_DIGEST_LEN],
		   const uint8_t nonce[MPIC__EV_NONCE_LEN],
		   struct mpic__check_result *res);
/*
 * The coordinator's check of an answer's res->statement (as received:
 * before its details or time are touched): signed by one of keys, for
 * this nonce and request digest, by def, saying what res says.  No keys
 * and not required: unchecked, 0.  On failure res becomes a failed check
 * with an MPIC__ERR_REMOTE error saying which (and no statement) and
 * MPIC_EPARSE is returned.
 */
int mpic__sig_check(const struct mpic__persp_keys *keys, bool required,
		    const struct mpic__perspective_def *def,
		    const uint8_t digest[MPIC__EV_DIGEST_LEN],
		    const uint8_t nonce[MPIC__EV_NONCE_LEN],
		    struct mpic__check_result *res);

#endif
