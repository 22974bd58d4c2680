/*
 * evidence_cmd.c - `mpic evidence AUDIT_ID --audit PATH [--keys FILE]`
 * writes one validation's evidence bundle to stdout; `mpic evidence
 * verify BUNDLE [--keys FILE]` checks one offline and prints what it
 * proves (docs/evidence.md).  Both on mpic/evidence.h.
 *
 * Exit status: 0 written / verified, 1 the bundle does not verify (each
 * problem named), 2 a file cannot be read or the request is not in the
 * log, 64 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpic/evidence.h"
#include "mpic/mpic.h"
#include "tool.h"

#define BUNDLE_MAX (64u * 1024u * 1024u)

static void
note(void *arg, const char *where, const char *what)
{
	(void)arg;
	printf("bad: %s: %s\n", where, what);
}

/* The whole of path (at most BUNDLE_MAX bytes) into *text (free()). */
static int
slurp(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, got;
	int rc = -1;

	*text = NULL;
	if (f == NULL)
		return -1;
	if ((buf = malloc(BUNDLE_MAX + 1)) == NULL)
		goto out;
	while ((got = fread(buf + n, 1, BUNDLE_MAX + 1 - n, f)) > 0)
		n += got;
	if (ferror(f) || n > BUNDLE_MAX)
		goto out;
	buf[n] = '\0';
	*text = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

static int
verify(const char *bundle, const char *keys)
{
	char err[1024] = "", *text = NULL, *proves = NULL;
	size_t len = 0;
	int rc;

	if (slurp(bundle, &text, &len) != 0) {
		fprintf(stderr, "mpic: evidence verify: %s: cannot be read "
		    "(or larger than 64 MiB)\n", bundle);
		return 2;
	}
	rc = mpic_evidence_verify(text, len, keys, note, NULL, &proves, err,
	    sizeof(err));
	free(text);
	if (rc != 0 && proves == NULL && err[0] != '\0') {
		fprintf(stderr, "mpic: evidence verify: %s: %s\n", bundle,
		    err);
		return rc == MPIC_EPARSE ? 1 : 2;
	}
	if (proves != NULL)
		fputs(proves, stdout);
	free(proves);
	printf("%s: %s\n", rc == 0 ? "ok" : "bad", bundle);
	return rc == 0 ? 0 : 1;
}

int
tool_evidence(int argc, char **argv, const char *cfgpath)
{
	const char *audit = NULL, *keys = NULL, *id = NULL;
	char err[1024] = "", *out = NULL;
	int i, rc;

	const char *bundle = NULL;
	bool verifying = false;

	/* options anywhere (the tool passes a command's options first) */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--audit") == 0 && i + 1 < argc)
			audit = argv[++i];
		else if (strcmp(argv[i], "--keys") == 0 && i + 1 < argc)
			keys = argv[++i];
		else if (strcmp(argv[i], "verify") == 0 && !verifying &&
		    id == NULL)
			verifying = true;
		else if (argv[i][0] != '-' && verifying && bundle == NULL)
			bundle = argv[i];
		else if (argv[i][0] != '-' && !verifying && id == NULL)
			id = argv[i];
		else
			goto usage;
	}
	if (verifying) {
		if (bundle == NULL || audit != NULL)
			goto usage;
		return verify(bundle, keys);
	}
	if (id == NULL || audit == NULL)
		goto usage;
	rc = mpic_evidence_bundle(audit, id, keys != NULL ? keys : cfgpath,
	    &out, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "mpic: evidence: %s\n", err);
		return 2;
	}
	printf("%s\n", out);
	free(out);
	return 0;
usage:
	fprintf(stderr, "usage: mpic [-c FILE] evidence AUDIT_ID --audit PATH "
	    "[--keys FILE]\n       mpic evidence verify BUNDLE [--keys FILE]"
	    "\n");
	return 64;
}
