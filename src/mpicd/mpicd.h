/*
 * mpicd.h - the daemon's pieces: setup checks (setup.c), TLS (tls.c), the
 * HTTP server and its limits (server.c), the log (log.c), the roles'
 * endpoints (roles.c), health, metrics and configuration pages (obs.c),
 * and the worker processes (main.c).
 */
#ifndef MPICD_H
#define MPICD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include <event2/http.h>
#include <openssl/ssl.h>

#include <jansson.h>

#include <mpic/mpic.h>

#include "mpicx/mpicx.h"

#define MPICD_EX_CONFIG 78
#define MPICD_MAX_API_KEYS 1024
#define MPICD_BODY_HARD_MAX (4 * MPIC_MAX_BODY) /* evhttp's own 413 above */

struct bufferevent;
struct evhttp;
struct evhttp_request;
struct evconnlistener;
struct event;
struct event_base;

/* API keys: SHA-256 of each, compared in constant time. */
struct mpicd_keys {
	uint8_t (*digest)[32];
	size_t n;
};

/* Result labels of the request counters. */
enum { MPICD_R_OK = 0,   /* corroborated / check passed */
       MPICD_R_NO,       /* not corroborated / check failed */
       MPICD_R_REJECTED, /* 4xx */
       MPICD_R_ERROR,    /* 5xx, or the check could not run */
       MPICD_R__N };
/* Method index: 0 CAA, 1 + the method's index (mpic_dcv_method_name()),
 * then "unknown". */
#define MPICD_M_CAA 0
#define MPICD_M_UNKNOWN (MPIC_DCV_METHODS + 1)
#define MPICD_M__N (MPIC_DCV_METHODS + 2)
#define MPICD_BUCKETS 13

struct mpicd_metrics {
	uint64_t req[MPICD_M__N][MPICD_R__N];
	uint64_t hist[MPICD_M__N][MPICD_R__N][MPICD_BUCKETS]; /* cumulative */
	double sum_s[MPICD_M__N][MPICD_R__N];
	uint64_t http_status[6];        /* by class: 1xx..5xx */
	uint64_t auth_missing, auth_wrong;
	uint64_t tls_conns_total;
	uint64_t tls_resumed_total;     /* handshakes that resumed */
};

struct mpicd_call;
struct mpicd_admin;
struct mpicd_shm;

struct mpicd {
	const struct mpic_settings *cfg; /* conf's (mpic/config.h) */
	struct mpic_config *conf;
	const char *cfg_path;
	struct event_base *base;
	struct evhttp *http;
	struct evconnlistener *listener;
	SSL_CTX *ssl;                /* NULL: plain HTTP (all-in-one) */
	struct mpicd_keys keys;
	struct mpic_engine *eng;     /* coordinator, all-in-one */
	struct mpic_persp *self;     /* perspective */
	struct mpicd_call *calls;    /* in flight */
	unsigned inflight;
	unsigned writing;            /* replies being sent */
	bool replying;               /* in evhttp_send_reply (refusal.h) */
	unsigned conns;              /* connections open */
	struct mpicd_conn *fresh;    /* connections just accepted */
	struct event *ev_fresh;
	struct mpicd_conn **byfd;    /* open connections by socket */
	size_t n_byfd;
	bool paused;                 /* listener disabled: max_connections */
	bool draining;
	struct event *ev_term, *ev_int, *ev_hup, *ev_usr1, *drain_timer;
	int kfd;                     /* socket to the key process, or -1 */
	struct mpicd_keyproc *kp;    /* workers: 1 only: reloads, death */
	uint32_t reloads;            /* SIGHUPs: the ticket key generation */
	struct event *ev_kp;
	bool kp_died;
	struct mpicd_metrics m;
	uint64_t started_ns;
	/* the admin listener and the whole process's metrics (admin.h) */
	struct mpicd_admin *admin;
	unsigned admin_conns;        /* open on the admin listener */
	struct mpicd_shm *shm;       /* NULL: not counted */
	int slot;                    /* this worker's in shm */
	struct event *ev_publish;
	struct mpicd_diagnose *dx;   /* POST /diagnose (diagnose.c) */
};

/* setup.c: everything that -n checks; messages name the file. */
int mpicd_keys_load(const char *path, struct mpicd_keys *keys, char *err,
		    size_t errlen);
void mpicd_keys_release(struct mpicd_keys *keys);
/* True when key (length n) is one of keys; constant time in the keys. */
bool mpicd_keys_match(const struct mpicd_keys *keys, const char *key,
		      size_t n);
/* Every check of "mpicd -n": returns 0 or MPICD_EX_CONFIG with err.
 * with_key: also load tls.key and build the TLS context (mpicd -n; a
 * running daemon leaves the key to its key process, which checks it). */
int mpicd_check(const struct mpic_config *conf, bool with_key, char *err,
		size_t errlen);
/* Worker index's own audit log, audit.path.wN (index >= 0; -1: the
 * only worker keeps audit.path): 0, or -1 (out of memory). */
int mpicd_worker_audit(struct mpic_config *conf, int index);
/* Address of cfg->listen; true when it is a loopback address. */
int mpicd_listen_addr(const char *listen, struct sockaddr_storage *ss,
		      int *sslen, bool *loopback);

/* tls.c */
/* Client certificates: required (perspective API, or a coordinator
 * without API keys), optional, or not asked for. */
enum mpicd_client_auth { MPICD_CA_NONE, MPICD_CA_OPTIONAL, MPICD_CA_REQUIRED };
enum mpicd_client_auth mpicd_client_auth(const struct mpic_settings *cfg);
/* A certificate chain and its private key (in the key process: a proxy). */
struct mpicd_ident {
	X509 *cert;
	STACK_OF(X509) *chain;
	EVP_PKEY *pkey;
};
/* From the key process over fd: 0, or -1 with err. */
int mpicd_tls_ident_fetch(int fd, struct mpicd_ident *id, char *err,
			  size_t errlen);
/* From the files themselves (mpicd -n only): 0, or -1 with err. */
int mpicd_tls_ident_files(const struct mpic_settings *cfg,
			  struct mpicd_ident *id, char *err, size_t errlen);
void mpicd_tls_ident_free(struct mpicd_ident *id);
/* The server's context for identity id: NULL with err when it cannot be
 * made.  old: the context in force (a reload) or NULL; when tls.client_ca
 * does not load, the new context keeps old's CA store and names, and err
 * says why (the context is returned: log err when not empty). */
SSL_CTX *mpicd_tls_ctx(const struct mpic_settings *cfg,
		       const struct mpicd_ident *id, SSL_CTX *old, char *err,
		       size_t errlen);
/* Our client certificate for remote perspectives: mpicd_tls_client_set
 * takes id over; mpicd_tls_client_ctx is the configuration's
 * tls_client_ctx hook that puts it into libcurl's SSL_CTX. */
void mpicd_tls_client_set(struct mpicd_ident *id);
int mpicd_tls_client_ctx(void *ssl_ctx, void *arg);
/* The client certificate in use (for its expiry), or NULL. */
X509 *mpicd_tls_client_cert(void);
/* The allow-list of client certificate names in force in this process
 * (tls.allowed_peers): set at start and on reload; names are copied; 0,
 * or -1 (out of memory: the old list stays).  Until it is set, every
 * client certificate is refused. */
int mpicd_tls_peers_set(const char *const *names, size_t n);
void mpicd_tls_peers_clear(void);
/* Connections opened before a reload: conn_checked marks ssl as accepted
 * under the policy in force (at its creation); policy_changed says a new
 * context is in force (an allow-list set says so itself); recheck checks
 * a connection's client certificate again, once per connection and
 * policy, against the allow-list and ctx's CA store: 0, or -1 with why. */
void mpicd_tls_conn_checked(SSL *ssl);
void mpicd_tls_policy_changed(void);
int mpicd_tls_recheck(SSL *ssl, SSL_CTX *ctx, char *why, size_t len);
size_t mpicd_tls_peers_count(void);
/* Session tickets (TLS 1.3): init makes the random secret (the main
 * process, before it forks the workers, which inherit it) and the keys of
 * generation 0; rotate derives generation gen's keys (each reload
 * advances it; tickets of another generation make a full handshake).
 * 0, or -1: no tickets are issued (a full handshake every time). */
int mpicd_tls_tickets_init(void);
int mpicd_tls_tickets_rotate(uint32_t gen);
void mpicd_tls_tickets_clear(void);
/* Counts TLS connections of d (index of SSL ex_data); once per process. */
int mpicd_tls_init(void);
extern int mpicd_tls_conn_idx;

/* server.c */
int mpicd_server_start(struct mpicd *d, int fd, char *err, size_t errlen);
void mpicd_server_stop(struct mpicd *d);
/* A connection (server.c): closed calls it when it is freed (a TLS one
 * from its SSL's ex_data, mpicd_tls_conn_idx); server gives its worker. */
struct mpicd_conn;
void mpicd_conn_closed(struct mpicd_conn *conn);
struct mpicd *mpicd_conn_server(const struct mpicd_conn *conn);
/* After evhttp_free: the connections not yet handed to evhttp, the
 * index of the others. */
void mpicd_server_release(struct mpicd *d);
/* Reply with a JSON body (NUL-terminated) and log the request. */
void mpicd_reply(struct mpicd *d, struct mpicd_call *c, int status,
		 const char *body, size_t len);
void mpicd_reply_issue(struct mpicd *d, struct mpicd_call *c, int status,
		       const char *type, const char *msg);
/* A traceparent header longer than this is ignored (version 00 is 55). */
#define MPICD_TRACEPARENT_MAX 255
/* A request in flight, from its arrival to its reply. */
struct mpicd_call {
	struct mpicd *d;
	struct mpicd_call *prev, *next;
	struct evhttp_request *req;  /* NULL once the client went away */
	uint64_t start_ms;
	const char *path;            /* static */
	const char *method;          /* static */
	const char *allow;           /* its route's method, for a 405's Allow */
	char remote[64];
	char trace[128];             /* Open MPIC trace_identifier, the CA's */
	/* W3C trace context (docs/api.md): the caller's traceparent header
	 * (bounded; "" none or too long), the request's trace id and the
	 * traceparent sent back ("" until the library answered) */
	char tp_in[MPICD_TRACEPARENT_MAX + 1];
	char w3c_trace[33];
	char traceparent[64];
	char parent_id[17];          /* the caller's span id, "" none */
	char audit_id[33];           /* the answer's, for the log; "" none */
	char quorum[16];             /* "4/6": passed / perspectives asked */
	const char *outcome;         /* static: "valid", "invalid" or
				      * "error" once checked; NULL before */
	bool probe;                  /* a page (health, metrics): what
				      * probes ask, logged at debug */
	char error[256];             /* a 5xx answer's message, for the log */
	int midx, result;            /* metrics labels */
	bool diagnosing;             /* waiting for a diagnosis (diagnose.c) */
	const char *decision;        /* static: mpic_answer's, or NULL */
	bool tracked;                /* on d->calls */
};
struct mpicd_call *mpicd_call_new(struct mpicd *d, struct evhttp_request *r);
/* c is the GET of the page at path (its answer is HTML). */
bool mpicd_is_page(const struct mpicd_call *c, const char *path);
/* Make c asynchronous: tracked until mpicd_reply(). */
void mpicd_call_track(struct mpicd_call *c);
/* log.c: an event (a message and one optional key and value), a
 * request's line once answered */
void mpicd_log(const char *level, const char *msg, const char *k1,
	       const char *v1);
void mpicd_log_request(const struct mpicd_call *c, int status, uint64_t ms);
/* The level lines are written at or above (log.level): "error",
 * "warning", "info" (the default) or "debug"; 0, or -1 for another name
 * (the level stays).  A reload calls it again. */
int mpicd_log_set_level(const char *name);
/* Whether a line of level would be written now. */
bool mpicd_log_enabled(const char *level);

/* routes.c: every endpoint, one row each.  An API row has api (the call
 * is authenticated, its JSON body handed over), a page row page (a text
 * the daemon makes; status preset to 200, len 0 for a string). */
typedef void (*mpicd_api_fn)(struct mpicd *d, struct mpicd_call *c,
			     const char *body, size_t len);
typedef char *(*mpicd_page_fn)(struct mpicd *d, int *status, size_t *len);
struct mpicd_route {
	const char *path;               /* static: logs and metrics use it */
	enum evhttp_cmd_type method;    /* the one it answers; 405 otherwise */
	unsigned roles;                 /* bit per enum mpic_role serving it */
	int midx;                       /* metrics label until the body tells */
	mpicd_api_fn api;               /* or */
	mpicd_page_fn page;
};
/* The route of uri's path (query and fragment ignored) and method in
 * role; a row of the path with another method when none has method (405);
 * NULL (404: unknown, or not served in this role). */
const struct mpicd_route *mpicd_route(const char *uri,
				      enum evhttp_cmd_type method,
				      enum mpic_role role);

/* diagnose.c: the diagnoser of the worker's role (mpic/diagnose.h) and
 * its per-API-key limit; POST /diagnose; GET /diagnose's page
 * (diagnose_page.c, HTML, NULL when out of memory). */
int mpicd_diagnose_new(struct mpicd *d, char *err, size_t errlen);
void mpicd_diagnose_free(struct mpicd *d);
/* After a reload: a diagnoser for the new configuration; the diagnoses
 * still running are answered 503 (run them again). */
void mpicd_diagnose_reload(struct mpicd *d);
void mpicd_handle_diagnose(struct mpicd *d, struct mpicd_call *c,
			   const char *body, size_t len);
char *mpicd_diagnose_page(struct mpicd *d, int *status, size_t *len);

/* roles.c */
void mpicd_handle_mpic(struct mpicd *d, struct mpicd_call *c,
		       const char *body, size_t len);
/* check_type: "caa" or "dcv" */
void mpicd_handle_check(struct mpicd *d, struct mpicd_call *c,
			const char *check_type, const char *body, size_t len);

/* obs.c */
void mpicd_observe(struct mpicd *d, int midx, int result, uint64_t ms);
int mpicd_method_index(const char *check_type, const char *method);
char *mpicd_healthz(struct mpicd *d, int *status);
char *mpicd_metrics(struct mpicd *d, size_t *len);
char *mpicd_configz(struct mpicd *d);
/* The engine's audit log notices (audit_info.h), logged; arg: d. */
void mpicd_audit_notice(void *arg, enum mpic_audit_notice what, uint64_t ms,
			uint64_t refused);

#endif
