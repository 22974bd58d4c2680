/*
 * notify.h - the daemon's state for its service manager (sd_notify(3)),
 * for a Type=notify systemd unit.  Without NOTIFY_SOCKET in the
 * environment (not started by systemd) every call does nothing; without
 * libsystemd at build time too.
 */
#ifndef MPICD_NOTIFY_H
#define MPICD_NOTIFY_H

#include <stdbool.h>

/* What the daemon tells its manager: it serves (every worker accepts),
 * it re-reads its files, it stops. */
enum mpicd_state {
	MPICD_READY,     /* READY=1 */
	MPICD_RELOADING, /* RELOADING=1 with MONOTONIC_USEC (systemd 253+) */
	MPICD_STOPPING,  /* STOPPING=1 */
};

/* Sends the state to $NOTIFY_SOCKET; failures are logged, not fatal (the
 * manager then times out or kills us, as it must). */
void mpicd_notify(enum mpicd_state s);

/*
 * Readiness of several workers: the supervisor calls mpicd_ready_open()
 * before forking them; each forked child calls mpicd_ready_child(), and
 * mpicd_ready_worker(index) once it accepts; the supervisor calls
 * mpicd_ready_poll(n, ...) until it returns false: it sends READY=1 (unless
 * stopping) when all n have reported, and closes the pipe.
 * mpicd_ready_close() closes whatever is left.  0 or -1 (errno) for open.
 */
int mpicd_ready_open(void);
void mpicd_ready_child(void);
void mpicd_ready_worker(int index);
bool mpicd_ready_poll(int n, bool stopping);
void mpicd_ready_close(void);

#endif
