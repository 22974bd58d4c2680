/*
 * answer.h - what the answer being given is about, for the daemon's
 * metrics and request log, without parsing the answer's JSON again.
 *
 * Internal to libmpic and mpicd.  Valid only inside an mpic_request_cb
 * of eng with status 200 (the pointers then live until it returns).
 */
#ifndef MPIC_ENGINE_ANSWER_H
#define MPIC_ENGINE_ANSWER_H

#include <stdbool.h>

#include "api/model.h"

struct mpic__answer_info {
	enum mpic__check_type check_type;
	enum mpic__dcv_method method;   /* check_type MPIC_CHECK_DCV only */
	const char *trace_identifier;  /* NULL when the request had none */
	bool valid;                    /* "is_valid" of the answer */
};

/* Fills *out and returns true inside a 200 callback; false otherwise. */
bool mpic__engine_answer_info(const struct mpic_engine *eng,
			      struct mpic__answer_info *out);

#endif
