/*
 * args.c - the tool's command line as people type it: the global options
 * (-c, --server, --now, --json, --timeout, ...) anywhere on the line, before
 * or after the command (getopt_long with GNU's permutation), and the
 * command's own options passed on to it.  The command options are read
 * from their one table (table.c) so that an option's value is never taken
 * for an option of ours.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

enum {
	G_SERVER = 1000, G_CACERT, G_CERT, G_KEY, G_NOW, G_JSON, G_TIMEOUT,
	G_HELP, G_VERSION, G_PASS
};

static const struct option globals[] = {
	{"config", required_argument, NULL, 'c'},
	{"server", required_argument, NULL, G_SERVER},
	{"cacert", required_argument, NULL, G_CACERT},
	{"cert", required_argument, NULL, G_CERT},
	{"key", required_argument, NULL, G_KEY},
	{"now", required_argument, NULL, G_NOW},
	{"json", no_argument, NULL, G_JSON},
	{"timeout", required_argument, NULL, G_TIMEOUT},
	{"help", no_argument, NULL, G_HELP},
	{"version", no_argument, NULL, G_VERSION},
};
#define N_GLOBALS (sizeof(globals) / sizeof(globals[0]))

/* the options of the commands that parse their own (explain_cmd.c,
 * diagnose_cmd.c, audit_cmd.c, evidence_cmd.c, setup_cmd.c), passed on
 * to them; and setup's -o DIR, the one short option besides ours */
static const struct option explain_opts[] = {
	{"audit", required_argument, NULL, 0},
	{"id", required_argument, NULL, 0},
	{"url", required_argument, NULL, 0},
	{"txt", required_argument, NULL, 0},
	{"expect", required_argument, NULL, 0},
	{"keys", required_argument, NULL, 0},
	{"prefix", required_argument, NULL, 0},
	{"days", required_argument, NULL, 0},
	{"ca-days", required_argument, NULL, 0},
	{"within", required_argument, NULL, 0},
};
#define N_EXPLAIN (sizeof(explain_opts) / sizeof(explain_opts[0]))

static bool
is_global(const char *name)
{
	size_t i;

	for (i = 0; i < N_GLOBALS; i++)
		if (strcmp(globals[i].name, name) == 0)
			return true;
	return false;
}

bool
tool_color_wanted(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	/* no-color.org: NO_COLOR set and not empty turns colour off */
	if (nc != NULL && nc[0] != '\0')
		return false;
	if (term != NULL && strcmp(term, "dumb") == 0)
		return false;
	return isatty(STDOUT_FILENO) == 1;
}

int
tool_args(int argc, char **argv, struct tool_args *a)
{
	const struct option *cmd = tool_cmd_options();
	struct option *all = NULL;
	char **pass = NULL;
	size_t n_cmd = 0, n = 0, np = 0, i;
	char *end;
	long v;
	int c, rc = 64;

	memset(a, 0, sizeof(*a));
	while (cmd[n_cmd].name != NULL)
		n_cmd++;
	/* globals, then the commands' own options not shadowed by one */
	all = calloc(N_GLOBALS + n_cmd + N_EXPLAIN + 1, sizeof(*all));
	pass = calloc((size_t)argc * 2 + 2, sizeof(*pass));
	if (all == NULL || pass == NULL) {
		fprintf(stderr, "mpic: out of memory\n");
		rc = 2;
		goto out;
	}
	for (i = 0; i < N_GLOBALS; i++)
		all[n++] = globals[i];
	for (i = 0; i < n_cmd + N_EXPLAIN; i++) {
		const struct option *o = i < n_cmd ? &cmd[i] :
		    &explain_opts[i - n_cmd];

		if (is_global(o->name))
			continue;
		all[n] = *o;
		all[n].flag = NULL;
		all[n].val = G_PASS + (int)i;
		n++;
	}
	optind = 0;     /* a fresh scan (glibc) */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "c:ho:", all, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->cfgpath = optarg;
			break;
		case 'o':       /* setup's output directory */
			pass[np++] = (char *)"-o";
			pass[np++] = optarg;
			break;
		case G_SERVER:
			a->server = optarg;
			break;
		case G_CACERT:
			a->cacert = optarg;
			break;
		case G_CERT:
			a->cert = optarg;
			break;
		case G_KEY:
			a->key = optarg;
			break;
		case G_NOW:
			a->now = optarg;
			break;
		case G_JSON:
			a->json = true;
			break;
		case G_TIMEOUT:
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 ||
			    v > 3600) {
				fprintf(stderr, "mpic: --timeout: seconds, 1 "
				    "to 3600: %s\n", optarg);
				goto out;
			}
			a->timeout_s = (int)v;
			break;
		case 'h':
		case G_HELP:
			a->help = true;
			break;
		case G_VERSION:
			a->version = true;
			break;
		default:
			if (c < G_PASS)
				goto out;       /* getopt said why */
			/* "--name VALUE" (two words) or "--name[=VALUE]" */
			if (optarg != NULL && optind >= 2 &&
			    optarg == argv[optind - 1])
				pass[np++] = argv[optind - 2];
			pass[np++] = argv[optind - 1];
			break;
		}
	}
	/* the command, its options, then its operands in their order */
	a->cmd_argv = calloc((size_t)(np + (size_t)(argc - optind)) + 1,
	    sizeof(char *));
	if (a->cmd_argv == NULL) {
		fprintf(stderr, "mpic: out of memory\n");
		rc = 2;
		goto out;
	}
	if (optind < argc) {
		a->cmd_argv[a->cmd_argc++] = argv[optind];
		for (i = 0; i < np; i++)
			a->cmd_argv[a->cmd_argc++] = pass[i];
		for (c = optind + 1; c < argc; c++)
			a->cmd_argv[a->cmd_argc++] = argv[c];
	} else if (np > 0) {
		fprintf(stderr, "mpic: %s without a command\n", pass[0]);
		goto out;
	}
	rc = 0;
out:
	free(all);
	free(pass);
	return rc;
}
