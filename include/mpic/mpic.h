/*
 * mpic.h - public interface of libmpic, Multi-Perspective Issuance
 * Corroboration (CA/Browser Forum Baseline Requirements 3.2.2.9).
 *
 * Conventions: 0 is success, negative MPIC_E* values are failures (see
 * mpic_strerror()).  The outcome of a check (corroborated or not, with its
 * evidence) is data, never an error code.  Functions that return memory say
 * who owns it.  The library never owns the event loop: asynchronous calls
 * take a caller's libevent base.
 */
#ifndef MPIC_MPIC_H
#define MPIC_MPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MPIC_EXTERN __attribute__((visibility("default")))

#define MPIC_VERSION "0.1.0"
#define MPIC_OPEN_MPIC_SPEC_VERSION "3.9.0"
#define MPIC_BR_VERSION "2.2.7" /* SC-099 (2026-07-15) in force */

/*
 * Error codes: the one list, XX(NAME, value, description), from which the
 * enum below (MPIC_NAME = value) and mpic_strerror()'s texts are made.
 */
#define MPIC_ERRNO_MAP(XX)                                                   \
	XX(OK, 0, "success")                                                 \
	XX(ENOMEM, -1, "out of memory")                                      \
	XX(EINVAL, -2, "invalid argument")            /* or invalid input */ \
	XX(ETOOBIG, -3, "input exceeds a limit")   /* configured or built-in */ \
	XX(EPARSE, -4, "malformed data")                                     \
	XX(ETIMEDOUT, -5, "deadline passed")                                 \
	XX(EDNS, -6, "resolver failure")                                     \
	XX(ECONFIG, -7, "configuration error")                               \
	XX(EIO, -8, "input/output error")         /* or a system call's */   \
	XX(ECANCELED, -9, "operation cancelled")                             \
	XX(EPOLICY, -10, "refused by a Baseline Requirements rule")          \
	XX(ENOTSUP, -11, "not supported")                                    \
	XX(ENOENT, -12, "no such item")                                      \
	XX(EAGAIN, -13, "temporarily unavailable; try again later") /* full */

enum {
#define MPIC_ERRNO_ENUM_(name, value, text) MPIC_##name = (value),
	MPIC_ERRNO_MAP(MPIC_ERRNO_ENUM_)
#undef MPIC_ERRNO_ENUM_
};

/* Static string describing err; never NULL. */
MPIC_EXTERN const char *mpic_strerror(int err);

/* Library version string, static. */
MPIC_EXTERN const char *mpic_version(void);

/*
 * What the method named (Open MPIC's validation_method) does with a
 * field of dcv_check_parameters, from the method's row (docs/methods.md),
 * for clients building requests such as `mpic dcv`: whether it takes
 * key, and the value a client fills in when its user gives none (the
 * API requires dns_record_type of dns-change and ip-address), or NULL.
 * Unknown methods take nothing and have no defaults; static strings.
 */
MPIC_EXTERN bool mpic_dcv_method_takes(const char *method, const char *key);
MPIC_EXTERN const char *mpic_dcv_method_default(const char *method,
						const char *key);

struct event_base;
struct mpic_config;
struct mpic_engine;

/*
 * Configuration (YAML, see mpicd.conf(5)).  On failure returns MPIC_ECONFIG
 * (or MPIC_ENOMEM, MPIC_EIO) and writes a message naming the key and line
 * into err.  *out is owned by the caller: mpic_config_free().
 */
MPIC_EXTERN int mpic_config_load(const char *path, struct mpic_config **out,
				 char *err, size_t errlen);
MPIC_EXTERN int mpic_config_parse(const char *yaml, size_t len,
				  const char *source_name,
				  struct mpic_config **out, char *err,
				  size_t errlen);
MPIC_EXTERN void mpic_config_free(struct mpic_config *cfg);

/*
 * The audit.path the configuration file at path names, into out (a
 * NUL-terminated copy), for a tool that reads the log.  The file is read
 * without orchestration.hash_secret_file.  Returns 0; MPIC_ENOENT when it
 * names none; MPIC_ETOOBIG when out is too small; a mpic_config_load()
 * error otherwise; the reason is in err.
 */
MPIC_EXTERN int mpic_config_audit_path(const char *path, char *out,
				       size_t outlen, char *err,
				       size_t errlen);

/*
 * Check that cfg can serve requests on the given day under the Baseline
 * Requirements calendar.  Returns 0, or MPIC_EPOLICY with the reason in err.
 * A configuration with br_minimums: lab passes, with a warning in err.
 */
MPIC_EXTERN int mpic_config_check_br(const struct mpic_config *cfg,
				     time_t now, char *err, size_t errlen);

/*
 * The engine: the orchestrator over the configured perspectives, running on
 * the caller's event base.  cfg must outlive the engine.  With audit.path
 * set (the default), the engine opens the audit log (docs/audit.md) and
 * fails with its reason in err if it cannot (MPIC_EIO, MPIC_EPARSE for a
 * damaged last record); the log adds a persistent event to base.
 * mpic_engine_free() writes every record already queued; requests still in
 * flight are dropped without a callback.  It must not be called from a
 * request's callback.
 */
MPIC_EXTERN int mpic_engine_new(struct event_base *base,
				const struct mpic_config *cfg,
				struct mpic_engine **out, char *err,
				size_t errlen);
MPIC_EXTERN void mpic_engine_free(struct mpic_engine *eng);

/*
 * Rotate the engine's audit log: between two of its writes the file is
 * renamed to PATH.<seq of its first record, 12 digits> and a new PATH
 * continues the chain (docs/audit.md).  Asynchronous; any thread.
 * false when eng keeps no audit log.
 */
MPIC_EXTERN bool mpic_engine_audit_rotate(struct mpic_engine *eng);

/*
 * Completion of one Open MPIC request.  status is the HTTP status the
 * coordinator answers with (200, 400, 500); body is the response JSON text,
 * NUL-terminated, owned by the library and valid only during the callback.
 */
typedef void (*mpic_request_cb)(void *arg, int status, const char *body,
				size_t len);

/*
 * Start one Open MPIC request (JSON text of the POST /mpic body).  now is
 * the wall-clock time used for the Baseline Requirements calendar.  The
 * callback runs exactly once, possibly before this function returns for
 * requests rejected at once.  With an audit log, a 200 answer (which then
 * carries "audit_id") is given only once the request's records are durable;
 * if they cannot be written the answer is a 500, and so it is if they are
 * not durable within audit.sync_timeout_ms (the records stay queued).
 * While the log is stalled (its oldest record has waited longer than
 * that) or its queue is full, requests are answered 503, at once when the
 * stall is known at submission; after a failed write, 500 at once.
 * Returns 0 or a negative error (the callback then does not run).
 */
MPIC_EXTERN int mpic_engine_submit(struct mpic_engine *eng, const char *body,
				   size_t len, time_t now, mpic_request_cb cb,
				   void *arg);

/* Number of requests in flight. */
MPIC_EXTERN size_t mpic_engine_inflight(const struct mpic_engine *eng);

/*
 * The audit log (docs/audit.md): JSON lines, hash-chained.  A line is at
 * most MPIC_AUDIT_LINE_MAX bytes, its final newline excluded.
 */
#define MPIC_AUDIT_LINE_MAX 65536

/* The chain fields of one audit log line. */
struct mpic_audit_line {
	uint64_t seq;
	char type[16];   /* "perspective", "decision" */
	char prev[65];   /* 64 lowercase hex digits */
	char hash[65];
};

/*
 * Check one line (len bytes, without its newline): it is a JSON object
 * that ends with the "hash" field, the hash matches the bytes before it,
 * and the chain fields are well-formed.  Returns 0 and fills out, or
 * MPIC_EPARSE / MPIC_ETOOBIG with what is wrong in err.
 */
MPIC_EXTERN int mpic_audit_line_parse(const char *line, size_t len,
				      struct mpic_audit_line *out, char *err,
				      size_t errlen);

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

#ifdef __cplusplus
}
#endif
#endif
