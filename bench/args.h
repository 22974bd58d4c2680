/*
 * args.h - the benchmarks' command-line numbers.
 */
#ifndef MPIC_BENCH_ARGS_H
#define MPIC_BENCH_ARGS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* A count from the command line (0 or more), or exit 64 naming it. */
static inline long
count_arg(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0) {
		fprintf(stderr, "%s: not a number: %s\n", what, s);
		exit(64);
	}
	return v;
}

#endif
