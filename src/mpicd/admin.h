/*
 * admin.h - the admin listener (admin.c: plain HTTP on admin_listen,
 * /metrics /healthz /readyz /configz) and the metrics of the whole
 * process (admin_metrics.c: one shared memory region, a slot per worker).
 *
 * The main process maps the region (MAP_SHARED | MAP_ANONYMOUS) before it
 * forks the workers; each worker writes only its own slot, and whichever
 * worker a scrape reaches sums every slot.  Counters a worker counts
 * itself (requests, decisions) go straight into its slot; what the
 * library counts per engine (perspective calls, the audit log) is copied
 * in by mpicd_stats_publish() on top of what the slot held when the
 * worker started, so that a restarted worker's counters go on rising.
 * Every value is a 64-bit word read and written with relaxed atomics: a
 * scrape may see one worker's row a moment old, never a torn one.
 */
#ifndef MPICD_ADMIN_H
#define MPICD_ADMIN_H

#include <stdint.h>

#include "mpicd.h"

#define MPICD_SLOTS 64          /* main.c's MAX_WORKERS */
#define MPICD_SLOT_PERSP 64     /* perspectives counted per slot */
#define MPICD_B MPIC_STATS_BUCKETS

/* mpic_requests_total's endpoint and outcome labels */
enum { MPICD_EP_MPIC = 0, MPICD_EP_CAA, MPICD_EP_DCV, MPICD_EP_DIAGNOSE,
       MPICD_EP__N };
enum { MPICD_O_VALID = 0, MPICD_O_INVALID, MPICD_O_ERROR, MPICD_O_REFUSED,
       MPICD_O__N };
/* mpic_decisions_total's check_type (caa, dcv, unknown) and result */
#define MPICD_CT__N 3
enum { MPICD_D_CORROBORATED = 0, MPICD_D_QUORUM_NOT_MET,
       MPICD_D_RIR_RULE_FAILED, MPICD_D_PRIMARY_FAILED, MPICD_D_ERROR,
       MPICD_D__N };

/* One remote perspective as one worker sees it. */
struct mpicd_pslot {
	uint64_t calls[MPIC_CALL__N];
	uint64_t b[MPICD_B];
	uint64_t us;
	uint64_t hs[2];         /* TLS handshakes out: full, resumed */
	uint64_t up;            /* 0 unknown, 1 down, 2 up */
	uint64_t seen_ns;       /* wall clock of that state */
};

/* What the library counts per engine (copied, base-adjusted). */
struct mpicd_libslot {
	struct mpicd_pslot p[MPICD_SLOT_PERSP];
	uint64_t audit_records, audit_stalls;
	uint64_t audit_b[MPICD_B], audit_us;
	struct mpic_check_stats checks;
};

struct mpicd_wslot {
	uint64_t pid;           /* 0: no worker */
	uint64_t req[MPICD_EP__N][MPICD_M__N][MPICD_O__N];
	uint64_t dec[MPICD_CT__N][MPICD_D__N];
	uint64_t dec_b[MPICD_CT__N][MPICD_B];
	uint64_t dec_us[MPICD_CT__N];
	uint64_t tls_in, tls_in_resumed;
	/* gauges, as the worker last published them */
	uint64_t conns_api, conns_admin;
	uint64_t audit_q_records, audit_q_bytes, audit_stalled, audit_on;
	uint64_t was_stalled;   /* the worker's last published state */
	uint64_t cert_server, cert_client; /* notAfter, Unix time; 0 none */
	struct mpicd_libslot lib;
};

struct mpicd_shm {
	uint64_t main_pid;
	uint64_t start_ns;      /* the main process's start, wall clock */
	uint64_t key_pid;
	struct mpicd_wslot w[MPICD_SLOTS];
};

/* main.c: the region, made before the first fork (NULL: out of memory,
 * no whole-process metrics); index: the worker's slot. */
struct mpicd_shm *mpicd_shm_new(void);
void mpicd_shm_free(struct mpicd_shm *shm);

/* admin_metrics.c */
/* The worker's slot: takes it over (its pid, the base of the library's
 * counters); shm NULL: counts nothing. */
void mpicd_stats_attach(struct mpicd *d, struct mpicd_shm *shm, int index);
/* A reply: the request counters (API routes only) and the decision. */
void mpicd_stats_request(struct mpicd *d, const struct mpicd_call *c,
			 int status, uint64_t ms);
/* Copy the engine's counters and the gauges into the slot. */
void mpicd_stats_publish(struct mpicd *d);
/* The text of /metrics on the admin listener, *len its length; NULL:
 * out of memory. */
char *mpicd_stats_metrics(struct mpicd *d, size_t *len);
/* The whole process's view of remote perspective i: 1 up, 0 down, -1
 * unknown (the freshest worker's). */
int mpicd_stats_persp_up(struct mpicd *d, size_t i);
/* True when some worker's audit log is stalled or failed. */
bool mpicd_stats_audit_stalled(struct mpicd *d);

/* admin.c */
/* The main process: bind admin_listen (plain TCP, not SO_REUSEPORT):
 * the socket, -1 with err (fatal), or -2: not wanted (admin_listen:
 * none), or the default address is taken (err says so: a warning). */
int mpicd_admin_bind(const struct mpic_settings *cfg, char *err,
		     size_t errlen);
/* Serve the admin listener on fd (bound by the main process; shared by
 * every worker): 0, or -1 with err.  fd < 0: no admin listener. */
int mpicd_admin_start(struct mpicd *d, int fd, char *err, size_t errlen);
/* Close the listener and every admin connection. */
void mpicd_admin_stop(struct mpicd *d);
/* /readyz: JSON, *status 200 or 503. */
char *mpicd_readyz(struct mpicd *d, int *status);

#endif
