/*
 * errors.h - libmpic's error codes: 0 is success, a negative MPIC_E*
 * value a failure.  The outcome of a check is data, never an error code.
 */
#ifndef MPIC_PUB_ERRORS_H
#define MPIC_PUB_ERRORS_H

#include <mpic/common.h>

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

MPIC_BEGIN_DECLS

/* Static string describing err; never NULL. */
MPIC_EXTERN const char *mpic_strerror(int err);

/*
 * The Open MPIC error body of one validation issue, as the library
 * writes its 400s: {"error":..,"validation_issues":[{"issue_type":
 * issue_type,"message":message}]} (message cut at 255 bytes, made valid
 * UTF-8).  For a program's own refusals.  NUL-terminated, the caller's:
 * free() it; NULL when out of memory.
 */
MPIC_EXTERN char *mpic_issue_body(const char *issue_type,
				  const char *message);

MPIC_END_DECLS
#endif
