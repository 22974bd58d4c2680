/*
 * notify.c - sd_notify(3) states (contract in notify.h).
 *
 * Only the main process (systemd's MAINPID, NotifyAccess=main) sends:
 * with several workers the supervisor, once each worker has said it
 * accepts; with one, that process itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef MPICD_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "mpicd.h"
#include "notify.h"

void
mpicd_notify(enum mpicd_state s)
{
#ifdef MPICD_HAVE_SYSTEMD
	struct timespec ts;
	char msg[64] = "";
	int rc;

	switch (s) {
	case MPICD_READY:
		mpicx_bufprintf(msg, sizeof(msg), "READY=1");
		break;
	case MPICD_RELOADING:
		/* systemd 253+ wants the time of the reload with it */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		mpicx_bufprintf(msg, sizeof(msg),
		    "RELOADING=1\nMONOTONIC_USEC=%llu",
		    (unsigned long long)ts.tv_sec * 1000000ULL +
		    (unsigned long long)ts.tv_nsec / 1000ULL);
		break;
	case MPICD_STOPPING:
		mpicx_bufprintf(msg, sizeof(msg), "STOPPING=1");
		break;
	}
	rc = sd_notify(0, msg);
	if (rc < 0)
		mpicd_log("warning", "cannot tell the service manager",
		    "reason", strerror(-rc));
#else
	(void)s;
#endif
}

/*
 * The readiness pipe: each worker writes its index (one byte) once it
 * accepts; a worker restarted before READY=1 writes again.
 */
#define READY_MAX 256
static int ready_rd = -1, ready_wr = -1;
static bool ready_seen[READY_MAX];
static int ready_n;

int
mpicd_ready_open(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
		return -1;
	ready_rd = p[0];
	ready_wr = p[1];
	memset(ready_seen, 0, sizeof(ready_seen));
	ready_n = 0;
	return 0;
}

void
mpicd_ready_child(void)
{
	if (ready_rd >= 0)
		close(ready_rd);
	ready_rd = -1;
}

void
mpicd_ready_worker(int index)
{
	unsigned char b = (unsigned char)index;

	if (ready_wr < 0)
		return;
	if (index < 0 || index >= READY_MAX || write(ready_wr, &b, 1) != 1)
		mpicd_log("warning", "cannot tell the supervisor this worker "
		    "is ready", "reason", strerror(errno));
	close(ready_wr);
	ready_wr = -1;
}

bool
mpicd_ready_poll(int n, bool stopping)
{
	unsigned char b[64];
	ssize_t got, k;

	if (ready_rd < 0)
		return false;
	while ((got = read(ready_rd, b, sizeof(b))) > 0)
		for (k = 0; k < got; k++)
			if (b[k] < n && !ready_seen[b[k]]) {
				ready_seen[b[k]] = true;
				ready_n++;
			}
	if (ready_n < n)
		return true;
	if (!stopping)
		mpicd_notify(MPICD_READY);
	mpicd_ready_close();
	return false;
}

void
mpicd_ready_close(void)
{
	if (ready_rd >= 0)
		close(ready_rd);
	if (ready_wr >= 0)
		close(ready_wr);
	ready_rd = ready_wr = -1;
}
