/*
 * verify.c - reading the audit log back: one line's chain fields and hash
 * (also used when the writer reopens a log), and the whole-file check
 * behind `mpic audit verify`.
 *
 * The hash is over the exact bytes of the line before ,"hash":" so that a
 * verifier needs no canonical JSON form, only the bytes (docs/audit.md).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"

#define HASH_FIELD ",\"hash\":\""
#define HASH_FIELD_LEN (sizeof(HASH_FIELD) - 1)
#define SUFFIX_LEN (HASH_FIELD_LEN + 64 + 2) /* ,"hash":"<64>"} */

static bool
is_hex64(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void
hex32(const uint8_t *d, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[64] = '\0';
}

int
mpic_audit_line_parse(const char *line, size_t len,
		      struct mpic_audit_line *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *j = NULL, *v;
	const char *type, *h;
	char computed[65];
	uint8_t d[32];
	json_int_t seq;
	int rc = MPIC_EPARSE;

	memset(out, 0, sizeof(*out));
	if (len > MPIC_AUDIT_LINE_MAX) {
		mpic__bufprintf(err, errlen, "longer than %d bytes",
		    MPIC_AUDIT_LINE_MAX);
		return MPIC_ETOOBIG;
	}
	j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		mpic__bufprintf(err, errlen, "not valid JSON: %s (column %d)",
		    jerr.text, jerr.column);
		goto out;
	}
	if (!json_is_object(j)) {
		mpic__bufprintf(err, errlen, "not a JSON object");
		goto out;
	}
	h = len >= SUFFIX_LEN + 1 ? line + len - SUFFIX_LEN + HASH_FIELD_LEN :
	    NULL;
	if (h == NULL ||
	    memcmp(line + len - SUFFIX_LEN, HASH_FIELD, HASH_FIELD_LEN) != 0 ||
	    memcmp(line + len - 2, "\"}", 2) != 0 || !is_hex64(h, 64)) {
		mpic__bufprintf(err, errlen, "does not end with the \"hash\" "
		    "field (64 lowercase hex digits)");
		goto out;
	}
	memcpy(out->hash, h, 64);
	v = json_object_get(j, "seq");
	seq = json_is_integer(v) ? json_integer_value(v) : 0;
	if (seq < 1) {
		mpic__bufprintf(err, errlen, "\"seq\" is missing or not a "
		    "positive integer");
		goto out;
	}
	out->seq = (uint64_t)seq;
	mpic__sha256(line, len - SUFFIX_LEN, d);
	hex32(d, computed);
	if (strcmp(computed, out->hash) != 0) {
		mpic__bufprintf(err, errlen, "hash mismatch: the record's "
		    "bytes hash to %s, the line says %s (the record was "
		    "altered)", computed, out->hash);
		goto out;
	}
	v = json_object_get(j, "prev");
	if (!json_is_string(v) ||
	    !is_hex64(json_string_value(v), json_string_length(v))) {
		mpic__bufprintf(err, errlen, "\"prev\" is missing or not 64 "
		    "lowercase hex digits");
		goto out;
	}
	memcpy(out->prev, json_string_value(v), 64);
	if (!json_is_string(json_object_get(j, "time"))) {
		mpic__bufprintf(err, errlen, "\"time\" is missing");
		goto out;
	}
	type = json_string_value(json_object_get(j, "type"));
	if (type == NULL || (strcmp(type, "perspective") != 0 &&
	    strcmp(type, "decision") != 0)) {
		mpic__bufprintf(err, errlen, "\"type\" is missing or not "
		    "\"perspective\" or \"decision\"");
		goto out;
	}
	mpic__bufprintf(out->type, sizeof(out->type), "%s", type);
	if (!json_is_string(json_object_get(j, "audit_id"))) {
		mpic__bufprintf(err, errlen, "\"audit_id\" is missing");
		goto out;
	}
	rc = 0;
out:
	json_decref(j);
	return rc;
}

/*
 * Read one line into buf (at most cap bytes, without its newline).
 * Returns 1 for a whole line, 0 at EOF before any byte, 2 for bytes
 * without a final newline at EOF, 3 for a line longer than cap, -1 on a
 * read error.
 */
static int
read_line(FILE *f, char *buf, size_t cap, size_t *len)
{
	int c;

	*len = 0;
	while ((c = getc_unlocked(f)) != EOF) {
		if (c == '\n')
			return 1;
		if (*len == cap)
			return 3;
		buf[(*len)++] = (char)c;
	}
	if (ferror(f))
		return -1;
	return *len > 0 ? 2 : 0;
}

/*
 * One file of a chain, continuing from rep (records, last_hash,
 * first_seq).  any_start: the file's first record may start the chain at
 * any seq, its "prev" taken as given (the oldest file left of a rotated
 * log); otherwise the next seq is first_seq + records (1 from genesis).
 */
static int
verify_file(const char *path, struct mpic_audit_report *rep, bool any_start)
{
	struct mpic_audit_line ln;
	FILE *f = NULL;
	char *buf = NULL, why[400];
	size_t len;
	uint64_t lineno = 0, expect;
	int rc = MPIC_EPARSE, r;

	rep->line = 0;
	rep->seq = 0;
	f = fopen(path, "re");
	if (f == NULL) {
		rc = errno == ENOENT ? MPIC_ENOENT : MPIC_EIO;
		mpic__bufprintf(rep->problem, sizeof(rep->problem),
		    "%s: %s", path, strerror(errno));
		goto out;
	}
	buf = mpic__malloc(MPIC_AUDIT_LINE_MAX);
	if (buf == NULL) {
		rc = MPIC_ENOMEM;
		mpic__bufprintf(rep->problem, sizeof(rep->problem),
		    "out of memory");
		goto out;
	}
	for (;;) {
		r = read_line(f, buf, MPIC_AUDIT_LINE_MAX, &len);
		if (r == 0)
			break;
		lineno++;
		rep->line = lineno;
		if (r < 0) {
			rc = MPIC_EIO;
			mpic__bufprintf(rep->problem, sizeof(rep->problem),
			    "%s: read error: %s", path, strerror(errno));
			goto out;
		}
		if (r == 2) {
			rep->torn = true;
			mpic__bufprintf(rep->problem, sizeof(rep->problem),
			    "incomplete last line (%zu bytes, no final "
			    "newline): a torn write; the %llu records before "
			    "it are intact", len,
			    (unsigned long long)rep->records);
			goto out;
		}
		if (r == 3) {
			mpic__bufprintf(rep->problem, sizeof(rep->problem),
			    "longer than %d bytes", MPIC_AUDIT_LINE_MAX);
			goto out;
		}
		if (mpic_audit_line_parse(buf, len, &ln, why,
		    sizeof(why)) != 0) {
			rep->seq = ln.seq;
			mpic__bufprintf(rep->problem, sizeof(rep->problem),
			    "%s", why);
			goto out;
		}
		rep->seq = ln.seq;
		if (rep->first_seq == 0 && any_start && ln.seq > 1) {
			/* the chain starts here: earlier files are gone */
			rep->first_seq = ln.seq;
			memcpy(rep->last_hash, ln.prev,
			    sizeof(rep->last_hash));
		} else if (rep->first_seq == 0) {
			rep->first_seq = 1;
		}
		expect = rep->first_seq + rep->records;
		if (ln.seq != expect) {
			mpic__bufprintf(rep->problem, sizeof(rep->problem),
			    "seq %llu where %llu was expected: a record is "
			    "missing, repeated or out of order",
			    (unsigned long long)ln.seq,
			    (unsigned long long)expect);
			goto out;
		}
		if (strcmp(ln.prev, rep->last_hash) != 0) {
			mpic__bufprintf(rep->problem, sizeof(rep->problem),
			    "\"prev\" is %s but the previous record's hash "
			    "is %s: the chain is broken", ln.prev,
			    rep->last_hash);
			goto out;
		}
		rep->records++;
		memcpy(rep->last_hash, ln.hash, sizeof(rep->last_hash));
	}
	rep->line = 0;
	rep->seq = 0;
	rc = 0;
out:
	mpic__free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

static void
report_init(struct mpic_audit_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	memcpy(rep->last_hash, MPIC__AUDIT_GENESIS, sizeof(rep->last_hash));
}

int
mpic_audit_verify(const char *path, struct mpic_audit_report *rep)
{
	report_init(rep);
	return verify_file(path, rep, false);
}

int
mpic_audit_verify_files(const char *const *paths, size_t n,
			struct mpic_audit_report *rep)
{
	uint64_t before;
	size_t i;
	int rc = 0;

	report_init(rep);
	for (i = 0; i < n; i++) {
		rep->file = i;
		before = rep->records;
		if ((rc = verify_file(paths[i], rep, i == 0)) != 0)
			return rc;
		if (i + 1 < n && rep->records == before) {
			mpic__bufprintf(rep->problem, sizeof(rep->problem),
			    "%s: no records, but a later file follows: a "
			    "rotated file is empty (emptied?)", paths[i]);
			return MPIC_EPARSE;
		}
	}
	return rc;
}
