/*
 * log.c - the daemon's log: one JSON object per line on standard error,
 * for events (mpicd_log) and for requests (mpicd_log_request).
 */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mpicd.h"

/*
 * The log lines: one JSON object per line, written with one write(2) so
 * that the lines of several workers never mix.  Written as text (a jansson
 * tree per line, getpid() and strftime() per line showed in profiles: a
 * line per request).  Values from the network that are not UTF-8 come
 * out with U+FFFD where a byte was wrong, never as a lost line.
 */
#define LOG_LINE_MAX 8192

static pid_t log_pid;      /* getpid(), again after a fork */

static void
log_forked(void)
{
	log_pid = 0;
}

static void
log_registered(void)
{
	pthread_atfork(NULL, NULL, log_forked);
}

/* "time", "level", "pid" */
static void
log_head(struct mpicx_jw *w, const char *level)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	static _Thread_local time_t last_sec = -1;
	static _Thread_local char last[24];
	struct timespec ts;
	struct tm tm;
	char when[40];

	pthread_once(&once, log_registered);
	if (log_pid == 0)
		log_pid = getpid();
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != last_sec) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(last, sizeof(last), "%Y-%m-%dT%H:%M:%S", &tm);
		last_sec = ts.tv_sec;
	}
	mpicx_bufprintf(when, sizeof(when), "%s.%03ldZ", last,
	    ts.tv_nsec / 1000000);
	mpicx_jw_open(w, '{');
	mpicx_jw_key(w, "time");
	mpicx_jw_str(w, when);
	mpicx_jw_key(w, "level");
	mpicx_jw_str(w, level);
	mpicx_jw_key(w, "pid");
	mpicx_jw_int(w, (long long)log_pid);
}

static void
log_write(struct mpicx_jw *w)
{
	mpicx_jw_close(w, '}');
	mpicx_jw_raw(w, "\n", 1);
	if (!mpicx_jw_failed(w) && write(STDERR_FILENO, w->p, w->len) < 0) {
		/* nowhere to report it */
	}
	mpicx_jw_release(w);
}

void
mpicd_log(const char *level, const char *msg, const char *k1, const char *v1)
{
	struct mpicx_jw w;

	mpicx_jw_init(&w, LOG_LINE_MAX, false);
	log_head(&w, level);
	mpicx_jw_key(&w, "msg");
	mpicx_jw_str(&w, msg);
	if (k1 != NULL && v1 != NULL) {
		mpicx_jw_key(&w, k1);
		mpicx_jw_str(&w, v1);
	}
	log_write(&w);
}

void
mpicd_log_request(const struct mpicd_call *c, int status, uint64_t ms)
{
	struct mpicx_jw w;

	mpicx_jw_init(&w, LOG_LINE_MAX, false);
	log_head(&w, "info");
	mpicx_jw_key(&w, "remote");
	mpicx_jw_str(&w, c->remote);
	mpicx_jw_key(&w, "method");
	mpicx_jw_str(&w, c->method);
	mpicx_jw_key(&w, "path");
	mpicx_jw_str(&w, c->path);
	mpicx_jw_key(&w, "status");
	mpicx_jw_int(&w, status);
	mpicx_jw_key(&w, "duration_ms");
	mpicx_jw_int(&w, (long long)ms);
	if (c->trace[0] != '\0') {
		mpicx_jw_key(&w, "trace_id");
		mpicx_jw_str(&w, c->trace);
	}
	if (c->req == NULL) {
		mpicx_jw_key(&w, "client_gone");
		mpicx_jw_bool(&w, true);
	}
	if (c->error[0] != '\0') {
		mpicx_jw_key(&w, "error");
		mpicx_jw_str(&w, c->error);
	}
	log_write(&w);
}
