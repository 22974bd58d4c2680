/*
 * audit.h - the append-only, hash-chained audit log (BR 5.4.1), shared by
 * the engine and the tests.  Format and guarantees: docs/audit.md.
 */
#ifndef MPIC__AUDIT_H
#define MPIC__AUDIT_H

#include "util/util.h"
#include "corroborate/corroborate.h"
#include "api/model.h"
#include "util/jw.h"

/* Back-pressure: records not yet durable (queued or being written)
 * beyond these are refused with MPIC_EAGAIN. */
#define MPIC__AUDIT_QUEUE_MAX 100000
#define MPIC__AUDIT_QUEUE_BYTES (64u * 1024u * 1024u)

#define MPIC__AUDIT_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"

struct event_base;
struct mpic__audit;

/*
 * Completion of one append: err is 0 once the record is durable (written
 * and fdatasync'd), or a negative MPIC_E* when it could not be written.
 * seq is the record's sequence number.  Callbacks run on the event base
 * given to mpic__audit_open(), never before mpic__audit_append() returns,
 * in append order.
 */
typedef void (*mpic__audit_cb)(void *arg, int err, uint64_t seq);

/*
 * Open (or create, mode 0640) the log at path for appending, continuing
 * the chain from its last line.  A log whose last line is incomplete or
 * corrupt is refused (MPIC_EPARSE), as is one held by another process
 * (MPIC_EIO): the reason is in err.  Starts the writer thread and adds
 * one persistent read event to base.  Free with mpic__audit_close().
 */
int mpic__audit_open(struct event_base *base, const char *path,
		     struct mpic__audit **out, char *err, size_t errlen);

/*
 * Queue a record: a JSON object without the keys "seq", "time", "prev"
 * and "hash", which the log adds.  The record is only read during the
 * call (the caller keeps its reference).  May be called from any thread.
 * Returns 0 (cb will run exactly once) or, with no callback:
 * MPIC_EINVAL (not an object, reserved key), MPIC_ETOOBIG (line longer
 * than MPIC_AUDIT_LINE_MAX), MPIC_EAGAIN (MPIC__AUDIT_QUEUE_MAX records or
 * MPIC__AUDIT_QUEUE_BYTES are waiting to be durable: the disk is slow or
 * stuck), MPIC_EIO (an earlier write failed: the log accepts nothing
 * more), MPIC_ENOMEM.  A stuck write or fdatasync is not a failure: the
 * record waits, in order, and cb runs when the call returns.
 */
int mpic__audit_append(struct mpic__audit *a, const json_t *record,
		       mpic__audit_cb cb, void *arg);
/*
 * The same with the record already serialised: text (len bytes) is one
 * compact JSON object, ASCII, without the reserved keys, as the record
 * builders below write it; it is not checked beyond its braces.
 */
int mpic__audit_append_text(struct mpic__audit *a, const char *text,
			    size_t len, mpic__audit_cb cb, void *arg);

/*
 * A batch: records appended between mpic__audit_batch(a, true) and
 * mpic__audit_batch(a, false) go to disk in one group (one write and one
 * fdatasync), not the first of them alone while the rest are still being
 * built.  While a batch is open the writer starts no new group, so keep
 * it short (no waiting inside).  Batches nest; NULL is fine.
 */
void mpic__audit_batch(struct mpic__audit *a, bool open);

/*
 * Write everything queued, stop the writer, run the callbacks still due
 * (from this call), release the event and close the file.  NULL is fine.
 * Must not be called from an audit callback.
 */
void mpic__audit_close(struct mpic__audit *a);

struct mpic__audit_stats {
	uint64_t records;      /* records written and synced */
	uint64_t groups;       /* write + fdatasync rounds */
	uint64_t durable_seq;  /* last seq known durable; 0 none */
	uint64_t next_seq;     /* seq of the next append */
	/* what waits (a snapshot): */
	uint64_t pending;      /* records queued or being written */
	uint64_t pending_bytes;
	uint64_t pending_since_ms; /* mpic__now_mono_ms() at which the oldest
				    * of them was appended; 0: none */
	uint64_t io_since_ms;  /* start of the write + fdatasync under way;
				* 0: the writer is not in one */
	int broken;            /* 0, or the MPIC_E* of the failed write */
	int broken_errno;      /* its errno, when known (else 0) */
	uint64_t rotations;    /* files rotated (mpic__audit_rotate) */
	uint64_t rotate_failures;
	char rotate_error[256]; /* why the last rotation failed; "" after a
				 * rotation that worked */
	/* each write + fdatasync that worked, by its duration
	 * (mpic_stats_bucket()), and their sum */
	uint64_t write_buckets[MPIC_STATS_BUCKETS];
	uint64_t write_us;
};
void mpic__audit_stats(struct mpic__audit *a, struct mpic__audit_stats *st);

/*
 * Rotation: between two groups, the writer renames the log to
 * PATH.<seq of its first record, 12 digits> and goes on in a new PATH;
 * the chain goes on across the files (the new file's first record names
 * the last hash of the old one).  mpic__audit_rotate() asks for one (at
 * once, records or not; an empty file is not rotated);
 * mpic__audit_set_rotate_bytes() rotates whenever the file has reached
 * bytes (0: never).  A failed rotation leaves the log in its file (stats:
 * rotate_failures, rotate_error).  Any thread.
 */
void mpic__audit_rotate(struct mpic__audit *a);
void mpic__audit_set_rotate_bytes(struct mpic__audit *a, uint64_t bytes);

/* Tests only: while held, the writer starts no new group. */
void mpic__audit_test_hold(struct mpic__audit *a, bool hold);
/* Tests only: while stalled, the writer that has written a group waits
 * where it calls fdatasync, as a stuck disk holds it there: the group is
 * taken and written, nothing is durable, later appends queue behind it. */
void mpic__audit_test_stall(struct mpic__audit *a, bool stall);
/* Tests only: the next group fails as if write(2) set errno to errnum. */
void mpic__audit_test_fail(struct mpic__audit *a, int errnum);

/* "2026-01-02T03:04:05.678Z" (RFC 3339, UTC, milliseconds). */
void mpic__audit_time(uint64_t wall_ns, char out[32]);

/*
 * Record builders for the engine: each writes one record (a compact JSON
 * object, ASCII; fields: docs/audit.md) into w, cleared first, for
 * mpic__audit_append_text().  scratch is a second writer for the full
 * details (reused; make it with a high limit).  0, MPIC_ENOMEM or
 * MPIC_ETOOBIG (the record passed w's limit).
 */
struct mpic__audit_ctx {
	const struct mpic__request *req;
	const char *audit_id;
};
#define MPIC__AUDIT_LATE 1u     /* a straggler's record */
#define MPIC__AUDIT_PRIMARY 2u  /* the primary perspective's record */
int mpic__audit_check_record(const struct mpic__audit_ctx *c, int attempt,
			     const struct mpic__perspective_def *def,
			     const struct mpic__check_result *res,
			     unsigned flags, struct mpic__jw *w,
			     struct mpic__jw *scratch);
struct mpic__audit_decision {
	int passed, perspective_count, quorum_count, attempts;
	bool valid;
	bool rir_rule_failed;
	time_t br_now;                /* the day the BR calendar used */
	const char *const *codes;     /* the deciding attempt's perspectives */
	size_t n_codes;
	const char *primary_code;     /* NULL: no primary configured */
	bool primary_passed;
	/* the distinct Authorization Domain Names of the results that
	 * decided (mpic__check_adn): the primary's and the deciding
	 * attempt's passing ones, or, none passing, all of them */
	const char *const *adns;
	size_t n_adns;
	const char *warning_type;     /* NULL, or a warning given with the
				       * answer ("method-discouraged") */
	const char *warning;          /* its message */
	/* the answer's "findings" (lib/findings, docs/findings.md), or
	 * NULL: not written */
	const json_t *findings;
};
int mpic__audit_decision_record(const struct mpic__audit_ctx *c,
				const struct mpic__audit_decision *d,
				struct mpic__jw *w);

#endif
