/*
 * explain_cmd.c - "mpic explain": a response (or a decision and its
 * perspective records from an audit log) told in plain language: the
 * decision, each finding with its advice (docs/findings.md), and what each
 * perspective saw.  Reads only JSON: the same text for an answer from
 * mpicd, from the tool, or from the log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tool.h"

#define EXPLAIN_INPUT_MAX (64u * 1024u * 1024u) /* a response, as mpicd's */
#define AUDIT_LINE_MAX (1024u * 1024u)          /* records are <= 64 KiB */
#define SAW_MAX 72                              /* a table cell */

static void
usage(void)
{
	fprintf(stderr, "usage: mpic explain [--json] [FILE|-]\n"
	    "       mpic explain [--json] --audit FILE --id AUDIT_ID\n");
}

/* The whole of f, at most EXPLAIN_INPUT_MAX octets; NULL (errno set). */
static char *
slurp(FILE *f, size_t *len)
{
	char *buf = NULL, *nb;
	size_t cap = 0, n = 0, got;

	for (;;) {
		if (n == cap) {
			if (cap >= EXPLAIN_INPUT_MAX) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap == 0 ? 65536 : cap * 2;
			if ((nb = realloc(buf, cap + 1)) == NULL)
				goto fail;
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	return NULL;
}

/* What one check_response saw, in a few words, into out. */
static void
saw(const json_t *cr, char *out, size_t len)
{
	const json_t *d = json_object_get(cr, "details");
	const json_t *errs = json_object_get(cr, "errors");
	const json_t *rs = json_object_get(d, "records_seen");
	const json_t *st = json_object_get(d, "response_status_code");
	const json_t *ch = json_object_get(d, "cache_headers");
	const char *ip = json_string_value(json_object_get(d, "resolved_ip"));
	const char *at = json_string_value(json_object_get(d, "found_at"));
	const char *cn = json_string_value(json_object_get(d, "common_name"));
	const char *k;
	json_t *v;
	size_t i, used;

	out[0] = '\0';
	if (json_array_size(errs) > 0) {
		snprintf(out, len, "%s", json_string_value(json_object_get(
		    json_array_get(errs, 0), "error_message")) ?: "error");
	} else if (json_is_integer(st)) {
		snprintf(out, len, "HTTP %lld from %s",
		    (long long)json_integer_value(st), ip ? ip : "?");
		json_object_foreach((json_t *)ch, k, v) {
			used = strlen(out);
			snprintf(out + used, len - used, " %s: %s", k,
			    json_string_value(v) ?: "");
		}
	} else if (cn != NULL) {
		snprintf(out, len, "certificate for %s from %s", cn,
		    ip ? ip : "?");
	} else if (json_is_array(rs)) {
		if (json_array_size(rs) == 0)
			snprintf(out, len, "no record");
		for (i = 0; i < json_array_size(rs); i++) {
			used = strlen(out);
			snprintf(out + used, len - used, "%s%s", i ? ", " : "",
			    json_string_value(json_array_get(rs, i)) ?: "?");
		}
		if (at != NULL && json_array_size(rs) > 0) {
			used = strlen(out);
			snprintf(out + used, len - used, " at %s", at);
		}
	}
	if (strlen(out) > SAW_MAX && len > SAW_MAX)
		memcpy(out + SAW_MAX - 3, "...", 4);
}

static const char *
outcome(const json_t *cr)
{
	if (!json_is_true(json_object_get(cr, "check_completed")))
		return "error";
	return json_is_true(json_object_get(cr, "check_passed")) ? "pass" :
	    "fail";
}

static void
print_findings(const json_t *f)
{
	const json_t *one, *p;
	size_t i, j;

	if (json_array_size(f) == 0) {
		printf("No findings: every perspective saw the same thing.\n");
		return;
	}
	printf("Findings (%zu):\n", json_array_size(f));
	json_array_foreach(f, i, one) {
		printf("  [%s] %s:", json_string_value(json_object_get(one,
		    "severity")) ?: "?", json_string_value(json_object_get(one,
		    "code")) ?: "?");
		json_array_foreach(json_object_get(one, "perspectives"), j, p)
			printf("%s %s (%s)", j ? "," : "",
			    json_string_value(json_object_get(p, "code")) ?: "?",
			    json_string_value(json_object_get(p, "rir")) ?: "?");
		printf("\n    %s.\n    Advice: %s\n",
		    json_string_value(json_object_get(one, "summary")) ?: "",
		    json_string_value(json_object_get(one, "advice")) ?: "");
	}
}

/* A response (or one rebuilt from the audit log) in plain language. */
static int
print_response(const json_t *r)
{
	const json_t *ps = json_object_get(r, "perspectives"), *p, *cr;
	const json_t *aop = json_object_get(r, "actual_orchestration_parameters");
	const char *why = json_string_value(json_object_get(r,
	    "rir_rule_failed"));
	const char *pf = json_string_value(json_object_get(r,
	    "primary_failed"));
	char cell[SAW_MAX + 1];
	size_t i;

	printf("Decision: %s: %s check of %s, %s perspectives agreed "
	    "(%lld asked, quorum %lld), attempt %lld.\n",
	    json_is_true(json_object_get(r, "is_valid")) ? "VALID" :
	    "NOT VALID", json_string_value(json_object_get(r,
	    "check_type")) ?: "?", json_string_value(json_object_get(r,
	    "domain_or_ip_target")) ?: "?", json_string_value(
	    json_object_get(r, "quorum_result")) ?: "?",
	    (long long)json_integer_value(json_object_get(aop,
	    "perspective_count")), (long long)json_integer_value(
	    json_object_get(aop, "quorum_count")), (long long)
	    json_integer_value(json_object_get(aop, "attempt_count")));
	if (why != NULL)
		printf("  Refused: %s.\n", why);
	if (pf != NULL)
		printf("  Refused: %s.\n", pf);
	if (json_string_value(json_object_get(r, "audit_id")) != NULL)
		printf("  audit_id %s\n", json_string_value(json_object_get(r,
		    "audit_id")));
	printf("\n");
	print_findings(json_object_get(r, "findings"));
	printf("\n%-16s %-9s %-6s %-13s %s\n", "PERSPECTIVE", "RIR", "RESULT",
	    "DNSSEC", "SAW");
	json_array_foreach(ps, i, p) {
		cr = json_object_get(p, "check_response");
		saw(cr, cell, sizeof(cell));
		printf("%-16s %-9s %-6s %-13s %s\n",
		    json_string_value(json_object_get(p, "perspective_code")) ?:
		    "?", json_string_value(json_object_get(cr, "rir")) ?: "?",
		    outcome(cr), json_string_value(json_object_get(cr,
		    "dnssec")) ?: "?", cell);
	}
	return 0;
}

/*
 * The response-like object of audit_id's decision in the log at path:
 * its outcome, findings, and the deciding attempt's perspective records
 * as check_responses.  NULL with a message when there is none.
 */
static json_t *
from_audit(const char *path, const char *id)
{
	FILE *f = fopen(path, "r");
	json_t *recs = json_array(), *dec = NULL, *out = NULL, *ps, *rec;
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t n;
	long long attempt;

	if (f == NULL) {
		fprintf(stderr, "mpic explain: %s: %s\n", path,
		    strerror(errno));
		goto out;
	}
	while (recs != NULL && (n = getline(&line, &cap, f)) > 0) {
		if ((size_t)n > AUDIT_LINE_MAX) {
			fprintf(stderr, "mpic explain: %s: a line longer than "
			    "%u octets\n", path, AUDIT_LINE_MAX);
			goto out;
		}
		if (strstr(line, id) == NULL ||
		    (rec = json_loadb(line, (size_t)n, 0, NULL)) == NULL)
			continue;
		if (strcmp(json_string_value(json_object_get(rec,
		    "audit_id")) ?: "", id) != 0) {
			json_decref(rec);
			continue;
		}
		if (strcmp(json_string_value(json_object_get(rec, "type")) ?:
		    "", "decision") == 0) {
			json_decref(dec);
			dec = rec;
		} else {
			json_array_append_new(recs, rec);
		}
	}
	if (dec == NULL) {
		fprintf(stderr, "mpic explain: %s: no decision record with "
		    "audit_id %s\n", path, id);
		goto out;
	}
	attempt = json_integer_value(json_object_get(dec, "attempts"));
	out = json_pack("{s:O, s:s?, s:s?, s:O?, s:{s:O?, s:O?, s:I}, s:[], "
	    "s:O?, s:s, s:o}", "is_valid", json_object_get(dec, "is_valid"),
	    "check_type", json_string_value(json_object_get(dec,
	    "check_type")), "domain_or_ip_target", json_string_value(
	    json_object_get(dec, "target")), "quorum_result",
	    json_object_get(dec, "quorum_result"),
	    "actual_orchestration_parameters", "perspective_count",
	    json_object_get(dec, "perspective_count"), "quorum_count",
	    json_object_get(dec, "quorum_count"), "attempt_count",
	    (json_int_t)attempt, "perspectives", "findings",
	    json_object_get(dec, "findings"), "audit_id", id,
	    "rir_rule_failed", json_is_true(json_object_get(dec,
	    "rir_rule_failed")) ? json_string("the corroborating "
	    "perspectives span fewer than 2 RIRs") : json_null());
	if (out == NULL)
		goto out;
	ps = json_object_get(out, "perspectives");
	/* the deciding attempt's records, its stragglers' too */
	json_array_foreach(recs, i, rec) {
		if (json_integer_value(json_object_get(rec, "attempt")) !=
		    attempt || json_is_true(json_object_get(rec, "primary")))
			continue;
		json_array_append_new(ps, json_pack("{s:O?, s:{s:b, s:b, "
		    "s:O?, s:O?, s:O?, s:O?}}", "perspective_code",
		    json_object_get(rec, "perspective_code"), "check_response",
		    "check_completed", strcmp(json_string_value(
		    json_object_get(rec, "result")) ?: "", "error") != 0,
		    "check_passed", strcmp(json_string_value(json_object_get(
		    rec, "result")) ?: "", "pass") == 0, "errors",
		    json_object_get(rec, "errors"), "details",
		    json_object_get(rec, "details"), "dnssec",
		    json_object_get(rec, "dnssec"), "rir",
		    json_object_get(rec, "rir")));
	}
out:
	free(line);
	if (f != NULL)
		fclose(f);
	json_decref(recs);
	json_decref(dec);
	return out;
}

int
tool_explain(int argc, char **argv)
{
	const char *path = "-", *audit = NULL, *id = NULL;
	FILE *f = NULL;
	json_t *r = NULL;
	json_error_t jerr;
	char *text = NULL;
	bool json = false;
	size_t len = 0;
	int i, rc = 2;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--audit") == 0 && i + 1 < argc) {
			audit = argv[++i];
		} else if (strcmp(argv[i], "--id") == 0 && i + 1 < argc) {
			id = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			usage();
			return 64;
		} else {
			path = argv[i];
		}
	}
	if ((audit == NULL) != (id == NULL)) {
		usage();
		return 64;
	}
	if (audit != NULL) {
		if ((r = from_audit(audit, id)) == NULL)
			goto out;
	} else {
		f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
		if (f == NULL || (text = slurp(f, &len)) == NULL) {
			fprintf(stderr, "mpic explain: %s: %s\n", path,
			    strerror(errno));
			goto out;
		}
		if ((r = json_loadb(text, len, 0, &jerr)) == NULL ||
		    !json_is_object(r)) {
			fprintf(stderr, "mpic explain: %s: not a response: "
			    "%s\n", path, r == NULL ? jerr.text :
			    "not an object");
			goto out;
		}
	}
	if (!json_is_array(json_object_get(r, "perspectives"))) {
		fprintf(stderr, "mpic explain: %s: not an MPIC response (no "
		    "perspectives)\n", audit != NULL ? audit : path);
		goto out;
	}
	if (json) {
		json_t *fl = json_object_get(r, "findings");

		/* a response from before findings: none known */
		if (fl == NULL)
			printf("[]");
		else if (json_dumpf(fl, stdout, JSON_INDENT(1)) != 0)
			goto out;
		printf("\n");
		rc = 0;
		goto out;
	}
	rc = print_response(r);
out:
	if (f != NULL && f != stdin)
		fclose(f);
	free(text);
	json_decref(r);
	return rc;
}
