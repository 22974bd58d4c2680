/*
 * mpic.h - public interface of libmpic, Multi-Perspective Issuance
 * Corroboration (CA/Browser Forum Baseline Requirements 3.2.2.9): the
 * whole contract, one header per concern.  docs/api.md says how to use it.
 */
#ifndef MPIC_MPIC_H
#define MPIC_MPIC_H

#include <mpic/common.h>
#include <mpic/errors.h>
#include <mpic/methods.h>
#include <mpic/config.h>
#include <mpic/answer.h>
#include <mpic/engine.h>
#include <mpic/perspective.h>
#include <mpic/audit.h>
#include <mpic/diagnose.h>

#endif
