/* tool.h - pieces of the mpic command-line tool. */
#ifndef MPIC_TOOL_H
#define MPIC_TOOL_H

#include <stdbool.h>
#include <stddef.h>

struct tool_opts {
	bool json;
};

struct tool_buf {
	char *p;
	size_t len;
};

void tool_opts_init(struct tool_opts *o);
int tool_buf_add(struct tool_buf *b, const char *s, size_t n);
/* Build a request body from "caa ..." or "dcv ..." arguments; returns 0
 * or an exit status (64 usage). *body is malloc'd. */
int tool_build_request(int argc, char **argv, struct tool_opts *o,
		       char **body, size_t *len);
/* "audit verify [PATH | -c FILE]" (argv[0] is "audit"); without PATH the
 * audit.path of the configuration (-c FILE, else cfgpath).  Verifies PATH
 * and every worker's chain PATH.wN.  Returns the exit status: 0 intact,
 * 1 bad record, 2 unreadable, 64 usage. */
int tool_audit(int argc, char **argv, const char *cfgpath);
/* "explain [--json] [FILE|-]" or "explain [--json] --audit FILE --id ID"
 * (argv[0] is "explain"): a response or an audited decision in plain
 * language (docs/findings.md); --json prints its findings alone.  Returns
 * the exit status: 0, 2 unreadable or not a response, 64 usage. */
int tool_explain(int argc, char **argv);
/* Print the response; returns the exit status. */
int tool_print(const struct tool_opts *o, int status, const char *body);

#endif
