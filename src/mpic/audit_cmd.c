/*
 * audit_cmd.c - `mpic audit verify FILE`: the integrity check of an audit
 * log (docs/audit.md), on the library's mpic_audit_verify().
 *
 * Exit status: 0 intact, 1 a bad record (the first is named), 2 the file
 * cannot be read, 64 usage.
 */
#include <stdio.h>
#include <string.h>

#include "mpic/mpic.h"
#include "tool.h"

static int
verify(const char *path)
{
	struct mpic_audit_report rep;
	int rc;

	rc = mpic_audit_verify(path, &rep);
	if (rc == 0) {
		printf("ok: %llu records, last hash %s\n",
		    (unsigned long long)rep.records, rep.last_hash);
		return 0;
	}
	if (rc != MPIC_EPARSE) {
		fprintf(stderr, "mpic: audit verify: %s\n", rep.problem);
		return 2;
	}
	if (rep.seq != 0)
		printf("bad: %s: line %llu (seq %llu): %s\n", path,
		    (unsigned long long)rep.line,
		    (unsigned long long)rep.seq, rep.problem);
	else
		printf("bad: %s: line %llu: %s\n", path,
		    (unsigned long long)rep.line, rep.problem);
	printf("%s: %llu intact records before it, last intact hash %s\n",
	    rep.torn ? "torn" : "bad", (unsigned long long)rep.records,
	    rep.last_hash);
	return 1;
}

int
tool_audit(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "verify") == 0)
		return verify(argv[2]);
	fprintf(stderr, "usage: mpic audit verify FILE\n");
	return 64;
}
