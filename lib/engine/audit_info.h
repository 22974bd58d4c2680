/*
 * audit_info.h - the state of an engine's audit log (the public struct
 * mpic_audit_stats and notices of mpic/audit.h), for the engine's own
 * tests.  Internal to libmpic.  Everything runs on the engine's base.
 */
#ifndef MPIC__ENGINE_AUDIT_INFO_H
#define MPIC__ENGINE_AUDIT_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "util/util.h"

/* Fill *out and return true; false when eng has no audit log. */
bool mpic__engine_audit_info(struct mpic_engine *eng,
			     struct mpic_audit_stats *out);

/* Tests only: the engine's log (NULL: none), for its test hooks. */
struct mpic__audit *mpic__engine_audit(struct mpic_engine *eng);

#endif
