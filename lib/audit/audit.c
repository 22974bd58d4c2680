/*
 * audit.c - the audit log writer: records are chained and queued on the
 * caller's thread, written and fdatasync'd in groups by one writer thread,
 * and acknowledged on the caller's event base.
 *
 * Why a thread: fdatasync blocks for milliseconds, and the event loop
 * serves every request.  Why groups: one fdatasync covers every record
 * queued while the previous one ran, so the cost per record falls as the
 * load rises (group commit).  Why a pipe: libevent is not built with
 * threading here, so the writer cannot touch the base; it writes one byte
 * to a pipe whose read end is an event on the base, and the callbacks run
 * there.
 *
 * Chain order is queue order: seq and prev are assigned under the lock at
 * append time, and the writer never reorders the queue.  After a failed
 * write or fdatasync the log is "broken": the file is cut back to its last
 * durable size (best effort), every queued record fails, and so does every
 * later append.  A restart reopens the file and checks its last line.
 *
 * A stuck write or fdatasync (a dying disk, a hung NFS or iSCSI volume) is
 * not a failure: nothing is lost, the records stay queued and are written
 * in order when the call returns.  The log only says how long its oldest
 * record has waited (mpic__audit_stats); the engine bounds how long an
 * answer waits (audit.sync_timeout_ms).
 *
 * Rotation (mpic__audit_rotate(), or a file past rotate_bytes): between
 * two groups the writer renames the file to PATH.<seq of its first
 * record, 12 digits> and opens a new PATH.  The chain does not restart:
 * records are chained when they are appended, so the new file's first
 * record names the hash of the old file's last one, and seq goes on.
 * `mpic audit verify` follows a chain across its files in seq order.  A
 * rotation that fails (rename, open) leaves the log writing to the file
 * it had, chain intact, and says why in the stats.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <event2/event.h>

#include "audit/audit.h"

struct rec {
	struct rec *next;
	char *line;        /* with its final '\n' */
	size_t len;
	uint64_t seq;
	uint64_t queued_ms;  /* monotonic, at append */
	int err;
	mpic__audit_cb cb;
	void *arg;
};

struct recq {
	struct rec *head, *tail;
};

struct mpic__audit {
	int fd;
	int pipe_rd, pipe_wr;
	struct event *ev;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu: */
	struct recq queue;        /* appended, not yet taken by the writer */
	size_t queued, queued_bytes;
	struct rec *writing;      /* the group being written, or NULL */
	size_t writing_n, writing_bytes;
	uint64_t io_since_ms;     /* monotonic start of its write; 0 idle */
	struct recq done;         /* written (or failed), callbacks due */
	bool notified;            /* a byte is in the pipe */
	bool stop, hold, stall;
	unsigned batch;          /* open mpic__audit_batch() scopes */
	int broken;               /* 0, or the MPIC_E* of the failure */
	int broken_errno;
	int test_fail_errno;
	uint64_t next_seq;
	char prev[65];
	struct mpic__audit_stats st;
	bool rotate_req;          /* mpic__audit_rotate() asked */
	uint64_t rotate_bytes;    /* rotate past this size; 0: never */
	/* writer only: */
	off_t good_size;
	char *path;
	uint64_t file_first_seq;  /* seq of the file's first record; 0: none
				   * yet */
};

static void
recq_push(struct recq *q, struct rec *r)
{
	r->next = NULL;
	if (q->tail != NULL)
		q->tail->next = r;
	else
		q->head = r;
	q->tail = r;
}

static void
hex(const uint8_t *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void
mpic__audit_time(uint64_t wall_ns, char out[32])
{
	time_t t = (time_t)(wall_ns / 1000000000u);
	unsigned ms = (unsigned)(wall_ns / 1000000u % 1000u);
	struct tm tm;
	char day[24];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		mpic__bufprintf(day, sizeof(day), "1970-01-01T00:00:00");
	mpic__bufprintf(out, 32, "%s.%03uZ", day, ms);
}

/* ------------------------------------------------------------ writer */

/* Write every line of the group with writev, resuming partial writes. */
static int
write_group(int fd, struct rec *r)
{
	struct iovec iov[64];
	size_t skip = 0; /* bytes of r already written */
	int n;
	ssize_t w;

	while (r != NULL) {
		struct rec *p = r;
		size_t off = skip;

		for (n = 0; n < 64 && p != NULL; n++, p = p->next) {
			iov[n].iov_base = p->line + off;
			iov[n].iov_len = p->len - off;
			off = 0;
		}
		w = writev(fd, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		/* Advance past what was written. */
		while (r != NULL && w > 0) {
			size_t left = r->len - skip;

			if ((size_t)w >= left) {
				w -= (ssize_t)left;
				r = r->next;
				skip = 0;
			} else {
				skip += (size_t)w;
				w = 0;
			}
		}
	}
	return 0;
}

static void
notify(struct mpic__audit *a)
{
	char c = 1;

	/* under mu */
	if (a->notified)
		return;
	a->notified = true;
	while (write(a->pipe_wr, &c, 1) < 0 && errno == EINTR)
		;
}

/*
 * Where fdatasync is called, after the group's write: the test hook
 * mpic__audit_test_stall() blocks here as a stuck disk blocks in
 * fdatasync (the group is taken, written, not yet durable).  Returns 0.
 */
static int
stall_point(struct mpic__audit *a)
{
	pthread_mutex_lock(&a->mu);
	while (a->stall && !a->stop)
		pthread_cond_wait(&a->cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
	errno = 0;
	return 0;
}

static void sync_dir(const char *path);

/* Record a rotation's failure (writer thread). */
static void
rotate_failed(struct mpic__audit *a, const char *what, int errnum)
{
	pthread_mutex_lock(&a->mu);
	a->st.rotate_failures++;
	mpic__bufprintf(a->st.rotate_error, sizeof(a->st.rotate_error),
	    "%s: %s", what, strerror(errnum));
	pthread_mutex_unlock(&a->mu);
}

/*
 * Writer thread, between groups: PATH becomes PATH.<first seq> and a new
 * PATH takes the next records.  An empty file is not rotated.  On any
 * failure the log goes on in the file it has.
 */
static void
rotate(struct mpic__audit *a)
{
	char old[PATH_MAX];
	int fd;

	if (a->good_size == 0 || a->path == NULL)
		return;
	if (snprintf(old, sizeof(old), "%s.%012llu", a->path,
	    (unsigned long long)a->file_first_seq) >= (int)sizeof(old)) {
		rotate_failed(a, "the rotated file's name is too long",
		    ENAMETOOLONG);
		return;
	}
	if (access(old, F_OK) == 0) {
		rotate_failed(a, old, EEXIST);
		return;
	}
	if (rename(a->path, old) != 0) {
		rotate_failed(a, "rename", errno);
		return;
	}
	fd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC,
	    0640);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		/* put it back: the log goes on where it was */
		if (fd >= 0)
			close(fd);
		if (fd >= 0)
			(void)unlink(a->path);
		(void)rename(old, a->path);
		rotate_failed(a, "a new file", e);
		return;
	}
	sync_dir(a->path);
	close(a->fd);            /* the old file, durable already */
	a->fd = fd;
	a->good_size = 0;
	a->file_first_seq = 0;
	pthread_mutex_lock(&a->mu);
	a->st.rotations++;
	a->st.rotate_error[0] = '\0';
	pthread_mutex_unlock(&a->mu);
}

static void *
writer_main(void *arg)
{
	struct mpic__audit *a = arg;
	struct rec *group, *r, *last;
	size_t n, bytes;
	int fail, err, errnum;
	uint64_t io_start;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->stop && !(a->rotate_req && a->batch == 0) &&
		    (a->queue.head == NULL || a->hold || a->batch > 0))
			pthread_cond_wait(&a->cv, &a->mu);
		/* between groups: rotate when asked or past the size */
		if (a->broken == 0 && a->batch == 0 && (a->rotate_req ||
		    (a->rotate_bytes > 0 &&
		    (uint64_t)a->good_size >= a->rotate_bytes))) {
			a->rotate_req = false;
			pthread_mutex_unlock(&a->mu);
			rotate(a);
			pthread_mutex_lock(&a->mu);
		}
		if (a->queue.head == NULL) {
			if (a->stop)
				break; /* stopping, and drained */
			continue;
		}
		if (!a->stop && (a->hold || a->batch > 0))
			continue;
		group = a->queue.head;
		last = a->queue.tail;
		n = a->queued;
		bytes = a->queued_bytes;
		a->queue.head = a->queue.tail = NULL;
		a->queued = a->queued_bytes = 0;
		a->writing = group;
		a->writing_n = n;
		a->writing_bytes = bytes;
		a->io_since_ms = mpic__now_mono_ms();
		io_start = a->io_since_ms;
		fail = a->test_fail_errno;
		a->test_fail_errno = 0;
		err = a->broken;
		pthread_mutex_unlock(&a->mu);

		errnum = 0;
		if (err == 0) {
			if (fail != 0)
				errnum = fail;
			else if (write_group(a->fd, group) != 0 ||
			    stall_point(a) != 0 || fdatasync(a->fd) != 0)
				errnum = errno != 0 ? errno : EIO;
			if (errnum != 0)
				err = MPIC_EIO;
			if (err != 0) {
				/* Leave the file ending on a whole record
				 * (best effort: the log is broken anyway). */
				if (ftruncate(a->fd, a->good_size) == 0)
					(void)fdatasync(a->fd);
			} else {
				if (a->good_size == 0)
					a->file_first_seq = group->seq;
				a->good_size += (off_t)bytes;
			}
		}

		pthread_mutex_lock(&a->mu);
		a->writing = NULL;
		a->writing_n = a->writing_bytes = 0;
		a->io_since_ms = 0;
		if (err != 0) {
			if (a->broken == 0)
				a->broken_errno = errnum;
			a->broken = err;
		} else {
			uint64_t us = (mpic__now_mono_ms() - io_start) * 1000u;

			a->st.write_buckets[mpic_stats_bucket(us)]++;
			a->st.write_us += us;
			a->st.records += n;
			a->st.groups++;
			a->st.durable_seq = last->seq;
		}
		for (r = group; r != NULL; ) {
			struct rec *next = r->next;

			r->err = err;
			recq_push(&a->done, r);
			r = next;
		}
		notify(a);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

/* ------------------------------------------------------------ loop side */

static void
rec_free(struct rec *r)
{
	if (r == NULL)
		return;
	mpic__free(r->line);
	mpic__free(r);
}

static void
run_done(struct mpic__audit *a)
{
	struct rec *r, *next;
	char buf[64];

	while (read(a->pipe_rd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&a->mu);
	r = a->done.head;
	a->done.head = a->done.tail = NULL;
	a->notified = false;
	pthread_mutex_unlock(&a->mu);
	for (; r != NULL; r = next) {
		next = r->next;
		r->cb(r->arg, r->err, r->seq);
		rec_free(r);
	}
}

static void
pipe_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	run_done(arg);
}

/* ------------------------------------------------------------ open */

/* Read the last line of a non-empty log: the chain continues from it. */
static int
read_tail(struct mpic__audit *a, const char *path, off_t size, char *err,
	  size_t errlen)
{
	struct mpic_audit_line ln;
	size_t want = (size_t)size < MPIC_AUDIT_LINE_MAX + 2 ?
	    (size_t)size : MPIC_AUDIT_LINE_MAX + 2;
	char *buf = NULL, *start, why[256];
	ssize_t got;
	size_t len;
	int rc = MPIC_EPARSE;

	buf = mpic__malloc(want);
	if (buf == NULL)
		return MPIC_ENOMEM;
	got = pread(a->fd, buf, want, size - (off_t)want);
	if (got < 0 || (size_t)got != want) {
		mpic__bufprintf(err, errlen, "audit log %s: cannot read its "
		    "last line: %s", path, got < 0 ? strerror(errno) :
		    "short read");
		rc = MPIC_EIO;
		goto out;
	}
	if (buf[want - 1] != '\n') {
		mpic__bufprintf(err, errlen, "audit log %s: the last line is "
		    "incomplete (no final newline; a torn write?); refusing to "
		    "extend the chain: check it with `mpic audit verify %s`",
		    path, path);
		goto out;
	}
	len = want - 1;
	start = memrchr(buf, '\n', len);
	if (start != NULL) {
		start++;
		len -= (size_t)(start - buf);
	} else if ((size_t)size > want - 1) {
		mpic__bufprintf(err, errlen, "audit log %s: the last line is "
		    "longer than %d bytes; refusing to extend the chain",
		    path, MPIC_AUDIT_LINE_MAX);
		goto out;
	} else {
		start = buf;
	}
	if (mpic_audit_line_parse(start, len, &ln, why, sizeof(why)) != 0) {
		mpic__bufprintf(err, errlen, "audit log %s: the last record "
		    "is corrupt (%s); refusing to extend the chain: check it "
		    "with `mpic audit verify %s`", path, why, path);
		goto out;
	}
	a->next_seq = ln.seq + 1;
	memcpy(a->prev, ln.hash, sizeof(a->prev));
	rc = 0;
out:
	mpic__free(buf);
	return rc;
}

/* The seq of an existing file's first record, for its rotated name. */
static int
read_first_seq(struct mpic__audit *a, const char *path, char *err,
	       size_t errlen)
{
	char buf[40];
	ssize_t got = pread(a->fd, buf, sizeof(buf) - 1, 0);
	unsigned long long seq;

	if (got <= 0) {
		mpic__bufprintf(err, errlen, "audit log %s: cannot read its "
		    "first line: %s", path, got < 0 ? strerror(errno) :
		    "empty");
		return MPIC_EIO;
	}
	buf[got] = '\0';
	if (sscanf(buf, "{\"seq\":%llu,", &seq) != 1 || seq == 0) {
		mpic__bufprintf(err, errlen, "audit log %s: its first line "
		    "does not start with a seq; check it with `mpic audit "
		    "verify %s`", path, path);
		return MPIC_EPARSE;
	}
	a->file_first_seq = seq;
	return 0;
}

/* Make a new file's directory entry durable. */
static void
sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL)
		mpic__bufprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		mpic__bufprintf(dir, sizeof(dir), "/");
	else
		mpic__bufprintf(dir, sizeof(dir), "%.*s",
		    (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int
mpic__audit_open(struct event_base *base, const char *path,
		 struct mpic__audit **out, char *err, size_t errlen)
{
	struct mpic__audit *a;
	struct stat sb;
	bool created = false;
	int fds[2], rc;

	*out = NULL;
	a = mpic__calloc(1, sizeof(*a));
	if (a == NULL)
		return MPIC_ENOMEM;
	a->fd = a->pipe_rd = a->pipe_wr = -1;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	a->next_seq = 1;
	memcpy(a->prev, MPIC__AUDIT_GENESIS, sizeof(a->prev));

	a->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC,
	    0640);
	if (a->fd >= 0)
		created = true;
	else if (errno == EEXIST)
		a->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (a->fd < 0) {
		mpic__bufprintf(err, errlen, "audit log %s: cannot open: %s",
		    path, strerror(errno));
		rc = MPIC_EIO;
		goto fail;
	}
	/* One writer per file, or two chains would interleave. */
	if (flock(a->fd, LOCK_EX | LOCK_NB) != 0) {
		mpic__bufprintf(err, errlen, "audit log %s: %s", path,
		    errno == EWOULDBLOCK ? "in use by another process" :
		    strerror(errno));
		rc = MPIC_EIO;
		goto fail;
	}
	if (fstat(a->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		mpic__bufprintf(err, errlen, "audit log %s: not a regular "
		    "file", path);
		rc = MPIC_EIO;
		goto fail;
	}
	if (sb.st_size > 0) {
		rc = read_tail(a, path, sb.st_size, err, errlen);
		if (rc != 0)
			goto fail;
	}
	a->good_size = sb.st_size;
	if (sb.st_size > 0 && (rc = read_first_seq(a, path, err, errlen)) != 0)
		goto fail;
	if ((a->path = mpic__strdup(path)) == NULL) {
		rc = MPIC_ENOMEM;
		goto fail;
	}
	if (created)
		sync_dir(path);
	a->st.next_seq = a->next_seq;
	a->st.durable_seq = a->next_seq - 1;

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
		mpic__bufprintf(err, errlen, "audit log: pipe: %s",
		    strerror(errno));
		rc = MPIC_EIO;
		goto fail;
	}
	a->pipe_rd = fds[0];
	a->pipe_wr = fds[1];
	a->ev = event_new(base, a->pipe_rd, EV_READ | EV_PERSIST, pipe_cb, a);
	if (a->ev == NULL || event_add(a->ev, NULL) != 0) {
		rc = MPIC_ENOMEM;
		goto fail;
	}
	if (pthread_create(&a->thread, NULL, writer_main, a) != 0) {
		mpic__bufprintf(err, errlen, "audit log: cannot start the "
		    "writer thread");
		rc = MPIC_ENOMEM;
		goto fail;
	}
	a->thread_started = true;
	*out = a;
	return 0;
fail:
	mpic__audit_close(a);
	return rc;
}

/* ------------------------------------------------------------ append */

/* The caller's fields, "{...}" without its braces ("" for {}). */
static int
check_record(const json_t *record)
{
	static const char *const reserved[] = {"seq", "time", "prev", "hash"};
	size_t i;

	if (!json_is_object(record))
		return MPIC_EINVAL;
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (json_object_get(record, reserved[i]) != NULL)
			return MPIC_EINVAL;
	return 0;
}

int
mpic__audit_append(struct mpic__audit *a, const json_t *record,
		   mpic__audit_cb cb, void *arg)
{
	char *text;
	int rc;

	rc = check_record(record);
	if (rc != 0)
		return rc;
	if ((text = json_dumps(record, JSON_COMPACT | JSON_ENSURE_ASCII)) ==
	    NULL)
		return MPIC_ENOMEM;
	rc = mpic__audit_append_text(a, text, strlen(text), cb, arg);
	free(text);
	return rc;
}

int
mpic__audit_append_text(struct mpic__audit *a, const char *text, size_t len,
			mpic__audit_cb cb, void *arg)
{
	/* {"seq":N,"time":"T",<fields>,"prev":"P","hash":"H"}\n */
	static const size_t overhead = sizeof("{\"seq\":18446744073709551615,"
	    "\"time\":\"2026-01-02T03:04:05.678Z\",,\"prev\":\"\",\"hash\":\""
	    "\"}\n") + 64 + 64;
	struct rec *r = NULL;
	const char *fields;
	char t[32], seqbuf[32];
	size_t flen, off;
	uint8_t d[32];
	int rc = 0;

	if (len < 2 || text[0] != '{' || text[len - 1] != '}')
		return MPIC_EINVAL;
	/* the fields, without the braces */
	fields = text + 1;
	flen = len - 2;
	if (flen + overhead > MPIC_AUDIT_LINE_MAX)
		return MPIC_ETOOBIG;
	r = mpic__calloc(1, sizeof(*r));
	if (r == NULL || (r->line = mpic__malloc(flen + overhead)) == NULL) {
		rec_free(r);
		return MPIC_ENOMEM;
	}
	r->cb = cb;
	r->arg = arg;
	pthread_mutex_lock(&a->mu);
	if (a->broken != 0) {
		rc = a->broken;
	} else if (a->queued + a->writing_n >= MPIC__AUDIT_QUEUE_MAX ||
	    a->queued_bytes + a->writing_bytes + flen + overhead >
	    MPIC__AUDIT_QUEUE_BYTES) {
		rc = MPIC_EAGAIN;
	} else {
		r->seq = a->next_seq;
		mpic__audit_time(mpic__now_wall_ns(), t);
		mpic__bufprintf(seqbuf, sizeof(seqbuf), "%llu",
		    (unsigned long long)r->seq);
		off = 0;
#define PUT(s, n) (memcpy(r->line + off, (s), (n)), off += (n))
#define PUTS(s) PUT((s), strlen(s))
		PUTS("{\"seq\":");
		PUTS(seqbuf);
		PUTS(",\"time\":\"");
		PUTS(t);
		PUTS("\"");
		if (flen > 0) {
			PUTS(",");
			PUT(fields, flen);
		}
		PUTS(",\"prev\":\"");
		PUT(a->prev, 64);
		PUTS("\"");
		/* The hash covers every byte before ,"hash": */
		mpic__sha256(r->line, off, d);
		PUTS(",\"hash\":\"");
		hex(d, 32, r->line + off);
		off += 64;
		PUTS("\"}\n");
#undef PUT
#undef PUTS
		r->len = off;
		r->queued_ms = mpic__now_mono_ms();
		memcpy(a->prev, r->line + off - 67, 64);
		a->next_seq++;
		a->st.next_seq = a->next_seq;
		recq_push(&a->queue, r);
		a->queued++;
		a->queued_bytes += r->len;
		if (a->batch == 0)
			pthread_cond_signal(&a->cv);
		r = NULL;
	}
	pthread_mutex_unlock(&a->mu);
	rec_free(r);
	return rc;
}

void
mpic__audit_rotate(struct mpic__audit *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->rotate_req = true;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

void
mpic__audit_set_rotate_bytes(struct mpic__audit *a, uint64_t bytes)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->rotate_bytes = bytes;
	pthread_mutex_unlock(&a->mu);
}

void
mpic__audit_batch(struct mpic__audit *a, bool open)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	if (open) {
		a->batch++;
	} else if (a->batch > 0 && --a->batch == 0 && a->queue.head != NULL) {
		pthread_cond_signal(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
}

/* ------------------------------------------------------------ close */

void
mpic__audit_close(struct mpic__audit *a)
{
	if (a == NULL)
		return;
	if (a->thread_started) {
		pthread_mutex_lock(&a->mu);
		a->stop = true;
		a->hold = false;
		a->batch = 0;
		a->stall = false;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		pthread_join(a->thread, NULL);
	}
	if (a->pipe_rd >= 0)
		run_done(a);
	if (a->ev != NULL)
		event_free(a->ev);
	if (a->pipe_rd >= 0)
		close(a->pipe_rd);
	if (a->pipe_wr >= 0)
		close(a->pipe_wr);
	if (a->fd >= 0)
		close(a->fd); /* releases the flock */
	mpic__free(a->path);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	mpic__free(a);
}

/* ------------------------------------------------------------ tests */

void
mpic__audit_stats(struct mpic__audit *a, struct mpic__audit_stats *st)
{
	const struct rec *oldest;

	pthread_mutex_lock(&a->mu);
	*st = a->st;
	st->pending = a->queued + a->writing_n;
	st->pending_bytes = a->queued_bytes + a->writing_bytes;
	oldest = a->writing != NULL ? a->writing : a->queue.head;
	st->pending_since_ms = oldest != NULL ? oldest->queued_ms : 0;
	st->io_since_ms = a->io_since_ms;
	st->broken = a->broken;
	st->broken_errno = a->broken_errno;
	pthread_mutex_unlock(&a->mu);
}

void
mpic__audit_test_hold(struct mpic__audit *a, bool hold)
{
	pthread_mutex_lock(&a->mu);
	a->hold = hold;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

void
mpic__audit_test_stall(struct mpic__audit *a, bool stall)
{
	pthread_mutex_lock(&a->mu);
	a->stall = stall;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

void
mpic__audit_test_fail(struct mpic__audit *a, int errnum)
{
	pthread_mutex_lock(&a->mu);
	a->test_fail_errno = errnum;
	pthread_mutex_unlock(&a->mu);
}
