/*
 * audit.h - the audit log (docs/audit.md): JSON lines, hash-chained.
 * Reading and verifying a log, and the state of an engine's log for a
 * program's health page, metrics and log.
 */
#ifndef MPIC_PUB_AUDIT_H
#define MPIC_PUB_AUDIT_H

#include <mpic/common.h>

/* A line is at most MPIC_AUDIT_LINE_MAX bytes, its final newline
 * excluded. */
#define MPIC_AUDIT_LINE_MAX 65536

/* The chain fields of one audit log line. */
struct mpic_audit_line {
	uint64_t seq;
	char type[16];   /* "perspective", "decision" */
	char prev[65];   /* 64 lowercase hex digits */
	char hash[65];
};

/* What mpic_audit_verify() found. */
struct mpic_audit_report {
	uint64_t records;     /* intact records before the first problem */
	uint64_t line;        /* 1-based line of the first problem; 0: none */
	uint64_t seq;         /* seq of that line when readable, else 0 */
	bool torn;            /* the problem is an incomplete last line */
	char last_hash[65];   /* hash of the last intact record (or zeros) */
	char problem[512];    /* what is wrong; "" when intact */
	/* mpic_audit_verify_files(): */
	uint64_t first_seq;   /* seq of the first record; 0: none */
	size_t file;          /* index of the file of the problem */
};

/* Answers the audit log made the engine refuse, by reason. */
enum mpic_audit_refusal {
	MPIC_AUDIT_R_TIMEOUT = 0, /* 500: not durable within the bound */
	MPIC_AUDIT_R_STALLED,     /* 503 at once: the log is stalled */
	MPIC_AUDIT_R_FULL,        /* 503: its queue is full */
	MPIC_AUDIT_R_FAILED,      /* 500: a write failed earlier */
	MPIC_AUDIT_R__N
};

/*
 * The state of an engine's audit log: how long its oldest record has
 * waited to be durable, and the answers the log made the engine refuse.
 */
struct mpic_audit_stats {
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
	/* each write + fdatasync that worked, by duration (the buckets of
	 * mpic_stats_bucket_le(), not cumulative), and their sum in
	 * microseconds; since the engine was made */
	uint64_t write_buckets[MPIC_STATS_BUCKETS];
	uint64_t write_us;
};

/*
 * What the log is doing, told once per change:
 *   STALLED    the first answer refused for a stall; ms: how long the
 *              oldest record had waited;
 *   RECOVERED  a record became durable and nothing has waited longer than
 *              the bound since; ms: how long answers were refused,
 *              refused: how many;
 *   FAILED     a write or fdatasync failed: the log takes nothing more
 *              (mpic_engine_audit_stats() says why).
 */
enum mpic_audit_notice { MPIC_AUDIT_N_STALLED, MPIC_AUDIT_N_RECOVERED,
			 MPIC_AUDIT_N_FAILED };
typedef void (*mpic_audit_notice_cb)(void *arg, enum mpic_audit_notice what,
				     uint64_t ms, uint64_t refused);

MPIC_BEGIN_DECLS

/*
 * Check one line (len bytes, without its newline): it is a JSON object
 * that ends with the "hash" field, the hash matches the bytes before it,
 * and the chain fields are well-formed.  Returns 0 and fills out, or
 * MPIC_EPARSE / MPIC_ETOOBIG with what is wrong in err.
 */
MPIC_EXTERN int mpic_audit_line_parse(const char *line, size_t len,
				      struct mpic_audit_line *out, char *err,
				      size_t errlen);

/*
 * Verify a whole audit log: every line, seq continuity from 1, and the
 * chain from the genesis value (64 zeros).  Returns 0 when intact,
 * MPIC_EPARSE when a record is bad (rep names the first), MPIC_EIO or
 * MPIC_ENOENT when the file cannot be read (rep->problem says why).
 */
MPIC_EXTERN int mpic_audit_verify(const char *path,
				  struct mpic_audit_report *rep);

/*
 * Verify one chain kept in several files (a log and the files it was
 * rotated into), oldest first: seq and the hash chain run on from each
 * file into the next, and every file but the last must hold at least
 * one record.  The first file may start after seq 1 (older files
 * removed after their retention): its first record's "prev" is then
 * taken as given, and rep->first_seq says where the chain starts; a
 * first record with seq 1 must chain to the genesis value.  rep->file is
 * the index of the file of the first problem, rep->line the line in it.
 * Returns as mpic_audit_verify().
 */
MPIC_EXTERN int mpic_audit_verify_files(const char *const *paths, size_t n,
					struct mpic_audit_report *rep);

/*
 * The state of eng's audit log as it is now, or NULL when eng has none.
 * Owned by eng, valid until the next call for eng or mpic_engine_free().
 * Runs on the engine's base.
 */
MPIC_EXTERN const struct mpic_audit_stats *
mpic_engine_audit_stats(struct mpic_engine *eng);

/* Set (or with NULL, clear) eng's notice callback. */
MPIC_EXTERN void mpic_engine_audit_notice(struct mpic_engine *eng,
					  mpic_audit_notice_cb cb, void *arg);

MPIC_END_DECLS
#endif
