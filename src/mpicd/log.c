/*
 * log.c - the daemon's log: one JSON object per line on standard error,
 * for events (mpicd_log) and for requests (mpicd_log_request), at or
 * above the configured level (log.level), with journald's priority
 * prefix when standard error is the journal.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/*
 * The levels, most severe first, with their syslog priorities: journald
 * reads a line's "<N>" prefix as its priority (sd-daemon(3)).
 */
static const struct {
	const char *name;
	int prio;
} levels[] = {
	{ "error", 3 }, { "warning", 4 }, { "info", 6 }, { "debug", 7 },
};
#define LEVEL_INFO 2

/* The one place the level lives: a reload sets it (mpicd_log_set_level),
 * every line reads it. */
static volatile int log_max = LEVEL_INFO;
static bool log_journal;   /* standard error is the journal */

static int
level_index(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(name, levels[i].name) == 0)
			return (int)i;
	return -1;
}

int
mpicd_log_set_level(const char *name)
{
	int i = name != NULL ? level_index(name) : -1;

	if (i < 0)
		return -1;
	log_max = i;
	return 0;
}

bool
mpicd_log_enabled(const char *level)
{
	int i = level_index(level);

	/* an unknown level is never filtered: a line is not lost to a typo */
	return i < 0 || i <= log_max;
}

/*
 * systemd sets JOURNAL_STREAM to "DEVICE:INODE" of the stream it gave as
 * standard output or error (systemd.exec(5)); only when standard error is
 * that stream do the lines get prefixes (a child whose stderr went to a
 * file inherits the variable, not the journal).
 */
static void
journal_check(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;
	char *end;

	if (v == NULL || fstat(STDERR_FILENO, &st) != 0)
		return;
	dev = strtoumax(v, &end, 10);
	if (end == v || *end != ':')
		return;
	v = end + 1;
	ino = strtoumax(v, &end, 10);
	if (end == v || *end != '\0')
		return;
	log_journal = dev == (uintmax_t)st.st_dev &&
	    ino == (uintmax_t)st.st_ino;
}

static void
log_forked(void)
{
	log_pid = 0;
}

static void
log_registered(void)
{
	pthread_atfork(NULL, NULL, log_forked);
	journal_check();
}

/* "<N>" under journald, "time", "level", "pid" */
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
	if (log_journal) {
		int i = level_index(level);
		char prio[8];

		mpicx_bufprintf(prio, sizeof(prio), "<%d>",
		    i < 0 ? 6 : levels[i].prio);
		mpicx_jw_raw(w, prio, strlen(prio));
	}
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

	if (!mpicd_log_enabled(level))
		return;
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

/* The outcome of a request for its log line: the check's when it ran,
 * else what the status says; NULL for a page served. */
static const char *
request_outcome(const struct mpicd_call *c, int status)
{
	if (status >= 500)
		return "error";
	if (status >= 400)
		return "refused";
	return c->outcome;
}

static void
log_opt(struct mpicx_jw *w, const char *key, const char *v)
{
	if (v != NULL && v[0] != '\0') {
		mpicx_jw_key(w, key);
		mpicx_jw_str(w, v);
	}
}

void
mpicd_log_request(const struct mpicd_call *c, int status, uint64_t ms)
{
	/* probes come every few seconds: not worth an info line each */
	const char *level = c->probe ? "debug" : "info";
	char span[17] = "";
	struct mpicx_jw w;

	if (!mpicd_log_enabled(level))
		return;
	mpicx_jw_init(&w, LOG_LINE_MAX, false);
	log_head(&w, level);
	mpicx_jw_key(&w, "remote");
	mpicx_jw_str(&w, c->remote);
	mpicx_jw_key(&w, "method");
	mpicx_jw_str(&w, c->method);
	mpicx_jw_key(&w, "path");
	mpicx_jw_str(&w, c->path);
	mpicx_jw_key(&w, "status");
	mpicx_jw_int(&w, status);
	log_opt(&w, "outcome", request_outcome(c, status));
	log_opt(&w, "quorum", c->quorum);
	mpicx_jw_key(&w, "duration_ms");
	mpicx_jw_int(&w, (long long)ms);
	log_opt(&w, "trace_id", c->w3c_trace);
	/* this request's span (the traceparent answered) and the caller's */
	if (strlen(c->traceparent) == 55) {
		memcpy(span, c->traceparent + 36, 16);
		log_opt(&w, "span_id", span);
	}
	log_opt(&w, "parent_id", c->parent_id);
	log_opt(&w, "audit_id", c->audit_id);
	log_opt(&w, "trace_identifier", c->trace);
	if (c->req == NULL) {
		mpicx_jw_key(&w, "client_gone");
		mpicx_jw_bool(&w, true);
	}
	log_opt(&w, "error", c->error);
	log_write(&w);
}
