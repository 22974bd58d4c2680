/*
 * audit_info.h - the state of an engine's audit log, for the daemon's
 * /healthz, /metrics and log: how long its oldest record has waited to be
 * durable, and the answers the log made the engine refuse.
 *
 * Internal to libmpic and mpicd.  Everything runs on the engine's base.
 */
#ifndef MPIC_ENGINE_AUDIT_INFO_H
#define MPIC_ENGINE_AUDIT_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "util/util.h"

/* Answers the audit log made the engine refuse, by reason. */
enum mpic__audit_refusal {
	MPIC_AUDIT_R_TIMEOUT = 0, /* 500: not durable within the bound */
	MPIC_AUDIT_R_STALLED,     /* 503 at once: the log is stalled */
	MPIC_AUDIT_R_FULL,        /* 503: its queue is full */
	MPIC_AUDIT_R_FAILED,      /* 500: a write failed earlier */
	MPIC_AUDIT_R__N
};

struct mpic__audit_info {
	unsigned sync_timeout_ms;  /* audit.sync_timeout_ms */
	uint64_t waiting_ms;       /* age of the oldest record not yet
				    * durable; 0: none */
	uint64_t io_ms;            /* age of the write + fdatasync under
				    * way; 0: none */
	bool stalled;              /* waiting_ms > sync_timeout_ms */
	int failed;                /* 0, or the MPIC_E* of a failed write */
	int failed_errno;          /* its errno when known, else 0 */
	uint64_t pending, pending_bytes; /* records not yet durable */
	uint64_t records, groups;  /* written and synced; fdatasync rounds */
	uint64_t refused[MPIC_AUDIT_R__N];
};

/* Fill *out and return true; false when eng has no audit log. */
bool mpic__engine_audit_info(struct mpic_engine *eng,
			     struct mpic__audit_info *out);

/*
 * What the log is doing, told once per change:
 *   STALLED    the first answer refused for a stall; ms: how long the
 *              oldest record had waited;
 *   RECOVERED  a record became durable and nothing has waited longer than
 *              the bound since; ms: how long answers were refused,
 *              refused: how many;
 *   FAILED     a write or fdatasync failed: the log takes nothing more
 *              (mpic__engine_audit_info() says why).
 */
enum mpic__audit_notice { MPIC_AUDIT_N_STALLED, MPIC_AUDIT_N_RECOVERED,
			 MPIC_AUDIT_N_FAILED };
typedef void (*mpic__audit_notice_cb)(void *arg, enum mpic__audit_notice what,
				     uint64_t ms, uint64_t refused);
/* Set (or with NULL, clear) the engine's notice callback. */
void mpic__engine_audit_notice(struct mpic_engine *eng,
			       mpic__audit_notice_cb cb, void *arg);

/* Tests only: the engine's log (NULL: none), for its test hooks. */
struct mpic__audit *mpic__engine_audit(struct mpic_engine *eng);

#endif
