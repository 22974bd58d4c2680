/*
 * audit_cmd.c - `mpic audit verify [PATH]`: the integrity check of an
 * audit log (docs/audit.md), on the library's mpic_audit_verify().
 *
 * PATH is what a configuration's audit.path names (without PATH: the
 * configuration's, -c or the default).  mpicd with several workers writes
 * one chain per worker, PATH.w0, PATH.w1, ..., and no file at PATH itself:
 * every one of them there is (and PATH, if it exists) is verified, each
 * named in the output.  A rotated log (audit.rotate_bytes, SIGUSR1) keeps
 * a chain in several files, BASE.<seq of its first record> and BASE: the
 * chain is followed across them, in seq order.
 *
 * Exit status: 0 intact, 1 a bad record in any file (the first of each
 * file is named), 2 a file cannot be read (or none exists), 64 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mpic/evidence.h"
#include "mpic/mpic.h"
#include "tool.h"

#define MAX_WORKER_FILES 1024
#define WORKER_INDEX_DIGITS 9

#define MAX_ROTATED_FILES 100000
#define ROTATED_DIGITS 12

/* The seq in a rotated file's name "BASE.<12 digits>", or 0. */
static unsigned long long
rotated_seq(const char *name, const char *base)
{
	size_t blen = strlen(base), i;
	const char *d;
	unsigned long long n = 0;

	if (strncmp(name, base, blen) != 0 || name[blen] != '.')
		return 0;
	d = name + blen + 1;
	for (i = 0; d[i] != '\0'; i++) {
		if (d[i] < '0' || d[i] > '9' || i == ROTATED_DIGITS)
			return 0;
		n = n * 10 + (unsigned long long)(d[i] - '0');
	}
	return i == ROTATED_DIGITS ? n : 0;
}

static int
cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* dir and name of path, into dir (cap bytes); the name is returned. */
static const char *
split_path(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, cap, ".");
	else if (slash == path)
		snprintf(dir, cap, "/");
	else
		snprintf(dir, cap, "%.*s", (int)(slash - path), path);
	return slash != NULL ? slash + 1 : path;
}

/*
 * Verify one chain: the files base was rotated into (base.<first seq>,
 * in seq order) and base itself, when they exist.  named: each line
 * names the file (several chains); otherwise the output is the one-chain
 * form: "ok: N records, ...".
 */
static int
verify(const char *base, bool named)
{
	struct mpic_audit_report rep;
	unsigned long long *seqs = NULL;
	const char **paths = NULL;
	char dir[4096], **names = NULL;
	const char *bname = split_path(base, dir, sizeof(dir));
	struct dirent *de;
	struct stat st;
	size_t n = 0, i, cap = 64;
	unsigned long long k;
	bool has_base = stat(base, &st) == 0;
	DIR *d;
	int rc = 2;

	if ((seqs = malloc(cap * sizeof(*seqs))) == NULL)
		goto oom;
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL && n < MAX_ROTATED_FILES) {
			if ((k = rotated_seq(de->d_name, bname)) == 0)
				continue;
			if (n == cap) {
				unsigned long long *ns = realloc(seqs,
				    2 * cap * sizeof(*seqs));

				if (ns == NULL) {
					closedir(d);
					goto oom;
				}
				seqs = ns;
				cap *= 2;
			}
			seqs[n++] = k;
		}
		closedir(d);
	}
	qsort(seqs, n, sizeof(*seqs), cmp_ull);
	if ((names = calloc(n + 1, sizeof(*names))) == NULL ||
	    (paths = calloc(n + 1, sizeof(*paths))) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		size_t len = strlen(base) + ROTATED_DIGITS + 2;

		if ((names[i] = malloc(len)) == NULL)
			goto oom;
		snprintf(names[i], len, "%s.%0*llu", base, ROTATED_DIGITS,
		    seqs[i]);
		paths[i] = names[i];
	}
	if (has_base || n == 0)
		paths[n++] = base;      /* or its error, when nothing is */
	else if (n > 0)
		names[n] = NULL;
	rc = mpic_audit_verify_files(paths, n, &rep);
	if (rc == 0) {
		printf("ok: %s%s%llu records", named ? base : "",
		    named ? ": " : "", (unsigned long long)rep.records);
		if (n > 1)
			printf(" in %zu files", n);
		if (rep.first_seq > 1)
			printf(" (seq %llu on: the files of the records "
			    "before are not here, the chain starts after "
			    "the hash the first one names)",
			    (unsigned long long)rep.first_seq);
		printf(", last hash %s\n", rep.last_hash);
		rc = 0;
		goto out;
	}
	if (rc != MPIC_EPARSE) {
		fprintf(stderr, "mpic: audit verify: %s\n", rep.problem);
		rc = 2;
		goto out;
	}
	if (rep.seq != 0)
		printf("bad: %s: line %llu (seq %llu): %s\n", paths[rep.file],
		    (unsigned long long)rep.line,
		    (unsigned long long)rep.seq, rep.problem);
	else if (rep.line != 0)
		printf("bad: %s: line %llu: %s\n", paths[rep.file],
		    (unsigned long long)rep.line, rep.problem);
	else
		printf("bad: %s\n", rep.problem);
	printf("%s: %s%s%llu intact records before it, last intact hash %s\n",
	    rep.torn ? "torn" : "bad", named ? base : "", named ? ": " : "",
	    (unsigned long long)rep.records, rep.last_hash);
	rc = 1;
	goto out;
oom:
	fprintf(stderr, "mpic: audit verify: out of memory\n");
	rc = 2;
out:
	for (i = 0; names != NULL && names[i] != NULL; i++)
		free(names[i]);
	free(names);
	free(paths);
	free(seqs);
	return rc;
}

/* The worker index N of a name "BASE.wN", or -1. */
static long
worker_index(const char *name, const char *base)
{
	size_t blen = strlen(base), i;
	const char *d;
	long n = 0;

	if (strncmp(name, base, blen) != 0 || strncmp(name + blen, ".w",
	    2) != 0)
		return -1;
	d = name + blen + 2;
	for (i = 0; d[i] != '\0'; i++) {
		if (d[i] < '0' || d[i] > '9' || i == WORKER_INDEX_DIGITS)
			return -1;
		n = n * 10 + (d[i] - '0');
	}
	return i > 0 ? n : -1;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The workers' files of path (PATH.wN in its directory), sorted by N:
 * their indices into idx.  Returns how many, or -1 (with errno) when the
 * directory cannot be read.
 */
static int
worker_files(const char *path, long *idx, size_t max)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct dirent *de;
	DIR *d;
	size_t n = 0;
	long k;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return errno = ENAMETOOLONG, -1;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL && n < max) {
		k = worker_index(de->d_name, slash != NULL ? slash + 1 : path);
		if (k >= 0)
			idx[n++] = k;
	}
	closedir(d);
	qsort(idx, n, sizeof(idx[0]), cmp_long);
	return (int)n;
}

/* PATH and the workers' chains PATH.wN, whichever exist. */
static int
verify_path(const char *path)
{
	static long idx[MAX_WORKER_FILES];
	char file[4200];
	struct stat st;
	int n, i, rc, worst = 0, bad = 0, unreadable = 0, files = 0;
	bool plain = stat(path, &st) == 0;
	int stat_errno = plain ? 0 : errno;

	n = worker_files(path, idx, MAX_WORKER_FILES);
	if (n == 0 && stat_errno == ENOENT) {
		fprintf(stderr, "mpic: audit verify: %s: no such file, nor "
		    "any worker's chain %s.wN\n", path, path);
		return 2;
	}
	if (n <= 0)
		return verify(path, false); /* PATH alone, or its error */
	if (plain) {
		files++;
		rc = verify(path, true);
		bad += rc == 1;
		unreadable += rc == 2;
	}
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s.w%ld", path, idx[i]);
		files++;
		rc = verify(file, true);
		bad += rc == 1;
		unreadable += rc == 2;
	}
	worst = bad > 0 ? 1 : unreadable > 0 ? 2 : 0;
	printf("%s: %d files of %s: %d intact, %d bad, %d unreadable\n",
	    worst == 0 ? "ok" : "bad", files, path, files - bad - unreadable,
	    bad, unreadable);
	return worst;
}

static void
note(void *arg, const char *where, const char *what)
{
	(void)arg;
	printf("bad signature: %s: %s\n", where, what);
}

/* "verify PATH --keys FILE": the chains, then every signed statement. */
static int
verify_keys(const char *path, const char *keys)
{
	struct mpic_evidence_counts n;
	char err[1024] = "";
	int chains = verify_path(path), rc;

	rc = mpic_audit_verify_signatures(path, keys, note, NULL, &n, err,
	    sizeof(err));
	if (rc != 0 && rc != MPIC_EPARSE) {
		fprintf(stderr, "mpic: audit verify: %s\n", err);
		return 2;
	}
	printf("%s: signatures: %llu perspective records: %llu verified, "
	    "%llu unsigned errors, %llu bad\n", rc == 0 ? "ok" : "bad",
	    (unsigned long long)n.perspective_records,
	    (unsigned long long)n.verified,
	    (unsigned long long)n.unsigned_errors,
	    (unsigned long long)n.bad);
	return chains != 0 ? chains : rc == 0 ? 0 : 1;
}

int
tool_audit(int argc, char **argv, const char *cfgpath)
{
	char path[4096], err[1024] = "";
	const char *keys = NULL;
	int i, j;

	/* --keys FILE anywhere (the tool passes a command's options first) */
	for (i = j = 1; i < argc; i++) {
		if (strcmp(argv[i], "--keys") == 0) {
			if (i + 1 >= argc || keys != NULL)
				goto usage;
			keys = argv[++i];
			continue;
		}
		argv[j++] = argv[i];
	}
	argc = j;
	if (keys != NULL) {
		if (argc == 3 && strcmp(argv[1], "verify") == 0)
			return verify_keys(argv[2], keys);
		goto usage;
	}
	if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
		if (argc == 3 && argv[2][0] != '-')
			return verify_path(argv[2]);
		if (argc == 4 && strcmp(argv[2], "-c") == 0)
			cfgpath = argv[3];
		else if (argc != 2)
			goto usage;
		/* the log the configuration names, as mpicd writes it */
		if (mpic_config_audit_path(cfgpath, path, sizeof(path), err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "mpic: audit verify: %s\n", err);
			return 2;
		}
		return verify_path(path);
	}
usage:
	fprintf(stderr, "usage: mpic [-c FILE] audit verify [PATH | -c FILE]"
	    "\n       mpic audit verify PATH --keys FILE\n");
	return 64;
}
