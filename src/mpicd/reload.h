/*
 * reload.h - the configuration file read again on SIGHUP (reload.c):
 * checked as "mpicd -n" checks it, then put in force in a worker, or
 * kept by the main process for the workers it restarts.
 */
#ifndef MPICD_RELOAD_H
#define MPICD_RELOAD_H

#include "mpicd.h"

/* This worker's number (its audit log, audit.path.wINDEX), or -1 when
 * it is the only one; before the first mpicd_reload_config(). */
void mpicd_reload_worker(int index);

/*
 * The worker's reload: d->cfg_path is read again and checked; on any
 * error the configuration in force stays and one error line names the
 * file and the problem.  Otherwise it is put in force (the engine's
 * perspectives and settings for new requests, the server's limits; the
 * caller then reloads the certificates and API keys with it), one line
 * names the keys that changed and a warning those that need a restart.
 * Returns true when the new configuration is in force.
 */
bool mpicd_reload_config(struct mpicd *d);

/*
 * The main process's reload: the file read again and checked, its
 * errors not logged (each worker logs its own).  Returns the new configuration (the
 * caller's) for the workers restarted from now on, or NULL: keep
 * running's.
 */
struct mpic_config *mpicd_reload_main(const char *path,
				      const struct mpic_config *running);

/* The worker's configurations read on reloads: freed at its end. */
void mpicd_reload_release(void);

#endif
