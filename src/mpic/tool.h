/* tool.h - pieces of the mpic command-line tool. */
#ifndef MPIC_TOOL_H
#define MPIC_TOOL_H

#include <stdbool.h>
#include <stddef.h>

struct option;

struct tool_opts {
	bool json;
	bool color;     /* pass, fail and error in colour (tool_color_wanted) */
};

/* The command line, global options anywhere (args.c). */
struct tool_args {
	const char *cfgpath, *server, *cacert, *cert, *key, *now; /* or NULL */
	bool json, help, version;
	int timeout_s;          /* --timeout; 0: not given */
	/* the command, its own options, its operands (argv's strings);
	 * cmd_argc 0: no command.  The caller frees cmd_argv. */
	int cmd_argc;
	char **cmd_argv;
};
/* Split argv (permuted in place).  0, or an exit status (64 usage, with
 * the reason on stderr). */
int tool_args(int argc, char **argv, struct tool_args *a);
/* Colour on stdout: a terminal, NO_COLOR unset or empty, TERM not dumb. */
bool tool_color_wanted(void);
/* The options of caa and dcv (table.c), ended by a NULL name. */
const struct option *tool_cmd_options(void);

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
/* "evidence AUDIT_ID --audit PATH [--keys FILE]" (keys: FILE, else
 * cfgpath) and "evidence verify BUNDLE [--keys FILE]" (evidence_cmd.c;
 * docs/evidence.md); argv[0] is "evidence". */
int tool_evidence(int argc, char **argv, const char *cfgpath);
/* The global options diagnose reads. */
struct tool_diag_args {
	const char *cfgpath, *server, *cacert, *cert, *key;
	bool json;
	int timeout_s;
};
/* "diagnose NAME [--url URL | --txt NAME] [--expect TEXT]" (argv[0] is
 * "diagnose"): the pre-flight of mpic/diagnose.h, in process or through
 * a->server's POST /diagnose.  Returns the exit status: 0 ready for MPIC,
 * 1 not ready, 2 could not run, 64 usage, 78 configuration error. */
int tool_diagnose(int argc, char **argv, const struct tool_diag_args *a);
/* Print the response; returns the exit status. */
int tool_print(const struct tool_opts *o, int status, const char *body);

#endif
