/* table.c - building requests from arguments and printing responses. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mpic/mpic.h"
#include "tool.h"

#define TOOL_BUF_MAX (16 * 1024 * 1024)

void
tool_opts_init(struct tool_opts *o)
{
	memset(o, 0, sizeof(*o));
}

int
tool_buf_add(struct tool_buf *b, const char *s, size_t n)
{
	char *p;

	if (b->len + n > TOOL_BUF_MAX)
		return -1;
	p = realloc(b->p, b->len + n + 1);
	if (p == NULL)
		return -1;
	memcpy(p + b->len, s, n);
	b->len += n;
	p[b->len] = '\0';
	b->p = p;
	return 0;
}

enum {
	O_CAA_DOMAIN = 256, O_SMIME, O_ACCOUNT_URI, O_METHOD, O_ALLOW_LF,
	O_TOKEN, O_KA, O_KAH, O_CHALLENGE, O_RTYPE, O_PREFIX, O_EXACT_MATCH,
	O_EXACT_CASE, O_ISSUER, O_PATH, O_REGEX, O_SCHEME, O_COUNT, O_QUORUM,
	O_ATTEMPTS, O_COHORT, O_TRACE, O_JSON, O_HEADER
};

static const struct option longopts[] = {
	{"caa-domain", required_argument, NULL, O_CAA_DOMAIN},
	{"smime", no_argument, NULL, O_SMIME},
	{"account-uri", required_argument, NULL, O_ACCOUNT_URI},
	{"method", required_argument, NULL, O_METHOD},
	{"allow-lookup-failure", no_argument, NULL, O_ALLOW_LF},
	{"token", required_argument, NULL, O_TOKEN},
	{"key-authorization", required_argument, NULL, O_KA},
	{"key-authorization-hash", required_argument, NULL, O_KAH},
	{"challenge-value", required_argument, NULL, O_CHALLENGE},
	{"record-type", required_argument, NULL, O_RTYPE},
	{"prefix", required_argument, NULL, O_PREFIX},
	{"exact-match", no_argument, NULL, O_EXACT_MATCH},
	{"exact-case", no_argument, NULL, O_EXACT_CASE},
	{"issuer-domain", required_argument, NULL, O_ISSUER},
	{"path", required_argument, NULL, O_PATH},
	{"regex", required_argument, NULL, O_REGEX},
	{"scheme", required_argument, NULL, O_SCHEME},
	{"count", required_argument, NULL, O_COUNT},
	{"quorum", required_argument, NULL, O_QUORUM},
	{"attempts", required_argument, NULL, O_ATTEMPTS},
	{"cohort", required_argument, NULL, O_COHORT},
	{"trace", required_argument, NULL, O_TRACE},
	{"json", no_argument, NULL, O_JSON},
	{"header", required_argument, NULL, O_HEADER},
	{NULL, 0, NULL, 0},
};

const struct option *
tool_cmd_options(void)
{
	return longopts;
}

static int
num(const char *opt, const char *s, json_int_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 1000) {
		fprintf(stderr, "mpic: --%s: not a number: %s\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

int
tool_build_request(int argc, char **argv, struct tool_opts *o, char **body,
		   size_t *len)
{
	bool caa = strcmp(argv[0], "caa") == 0;
	json_t *req = json_object(), *orch = json_object(), *p = json_object();
	json_t *domains = json_array(), *issuers = json_array();
	json_t *headers = json_object();
	const char *colon;
	char hname[256];
	json_int_t n;
	const char *target, *rtype;
	int c, rc = 64;

	optind = 0;     /* a fresh scan: args.c scanned another argv */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_CAA_DOMAIN:
			json_array_append_new(domains, json_string(optarg));
			break;
		case O_SMIME:
			json_object_set_new(p, "certificate_type",
			    json_string("s-mime"));
			break;
		case O_ACCOUNT_URI:
			json_object_set_new(p, caa ? "account_uri" :
			    "account_uri", json_string(optarg));
			if (!caa)
				json_object_set_new(p, "expected_account_uri",
				    json_string(optarg));
			break;
		case O_METHOD:
			json_object_set_new(p, "validation_method",
			    json_string(optarg));
			break;
		case O_ALLOW_LF:
			json_object_set_new(p, "allow_lookup_failure",
			    json_true());
			break;
		case O_TOKEN:
			json_object_set_new(p, "token", json_string(optarg));
			break;
		case O_KA:
			json_object_set_new(p, "key_authorization",
			    json_string(optarg));
			break;
		case O_KAH:
			json_object_set_new(p, "key_authorization_hash",
			    json_string(optarg));
			break;
		case O_CHALLENGE:
			json_object_set_new(p, "challenge_value",
			    json_string(optarg));
			break;
		case O_RTYPE:
			json_object_set_new(p, "dns_record_type",
			    json_string(optarg));
			break;
		case O_PREFIX:
			json_object_set_new(p, "dns_name_prefix",
			    json_string(optarg));
			break;
		case O_EXACT_MATCH:
			json_object_set_new(p, "require_exact_match",
			    json_true());
			break;
		case O_EXACT_CASE:
			json_object_set_new(p, "require_exact_case",
			    json_true());
			break;
		case O_ISSUER:
			json_array_append_new(issuers, json_string(optarg));
			break;
		case O_PATH:
			json_object_set_new(p, "http_token_path",
			    json_string(optarg));
			break;
		case O_REGEX:
			json_object_set_new(p, "match_regex",
			    json_string(optarg));
			break;
		case O_SCHEME:
			json_object_set_new(p, "url_scheme",
			    json_string(optarg));
			break;
		case O_COUNT:
		case O_QUORUM:
		case O_ATTEMPTS:
		case O_COHORT:
			if (num("count", optarg, &n) != 0)
				goto out;
			json_object_set_new(orch, c == O_COUNT ?
			    "perspective_count" : c == O_QUORUM ?
			    "quorum_count" : c == O_ATTEMPTS ? "max_attempts" :
			    "cohort_for_single_attempt", json_integer(n));
			break;
		case O_TRACE:
			json_object_set_new(req, "trace_identifier",
			    json_string(optarg));
			break;
		case O_JSON:
			o->json = true;
			break;
		case O_HEADER:
			/* NAME:VALUE, one header of http_headers */
			colon = strchr(optarg, ':');
			if (colon == NULL || colon == optarg ||
			    (size_t)(colon - optarg) >= sizeof(hname)) {
				fprintf(stderr, "mpic: --header: expected "
				    "NAME:VALUE, got %s\n", optarg);
				goto out;
			}
			memcpy(hname, optarg, (size_t)(colon - optarg));
			hname[colon - optarg] = '\0';
			colon++;
			while (*colon == ' ')
				colon++;
			json_object_set_new(headers, hname, json_string(colon));
			break;
		default:
			goto out;
		}
	}
	if (optind + (caa ? 1 : 2) != argc) {
		fprintf(stderr, "mpic: usage: mpic %s\n", caa ?
		    "caa TARGET [options]" : "dcv METHOD TARGET [options]");
		goto out;
	}
	target = argv[argc - 1];
	json_object_set_new(req, "check_type", json_string(caa ? "caa" : "dcv"));
	json_object_set_new(req, "domain_or_ip_target", json_string(target));
	if (json_object_size(orch) > 0)
		json_object_set(req, "orchestration_parameters", orch);
	if (caa) {
		if (json_array_size(domains) > 0)
			json_object_set(p, "caa_domains", domains);
		if (json_object_size(p) > 0)
			json_object_set(req, "caa_check_parameters", p);
	} else {
		json_object_set_new(p, "validation_method",
		    json_string(argv[optind]));
		/* the API requires a record type of some methods; the tool
		 * fills in the method's default (its row, docs/methods.md) */
		rtype = mpic_dcv_method_default(argv[optind],
		    "dns_record_type");
		if (json_object_get(p, "dns_record_type") == NULL &&
		    rtype != NULL)
			json_object_set_new(p, "dns_record_type",
			    json_string(rtype));
		if (json_array_size(issuers) > 0)
			json_object_set(p, "issuer_domain_names", issuers);
		if (json_object_size(headers) > 0)
			json_object_set(p, "http_headers", headers);
		/* --account-uri fills the field the method uses */
		if (mpic_dcv_method_takes(argv[optind],
		    "expected_account_uri"))
			json_object_del(p, "account_uri");
		else
			json_object_del(p, "expected_account_uri");
		json_object_set(req, "dcv_check_parameters", p);
	}
	*body = json_dumps(req, JSON_COMPACT);
	if (*body == NULL)
		goto out;
	*len = strlen(*body);
	rc = 0;
out:
	json_decref(req);
	json_decref(orch);
	json_decref(p);
	json_decref(domains);
	json_decref(issuers);
	json_decref(headers);
	return rc;
}

/* One line of evidence for a perspective. */
static void
detail_line(json_t *cr, char *out, size_t outlen)
{
	json_t *errs = json_object_get(cr, "errors");
	json_t *d = json_object_get(cr, "details");
	json_t *seen = d ? json_object_get(d, "records_seen") : NULL;
	const char *s;

	out[0] = '\0';
	if (json_is_array(errs) && json_array_size(errs) > 0) {
		s = json_string_value(json_object_get(json_array_get(errs, 0),
		    "error_message"));
		snprintf(out, outlen, "%s", s ? s : "error");
		return;
	}
	if ((s = json_string_value(json_object_get(d, "reason"))) != NULL) {
		snprintf(out, outlen, "%s", s);
		return;
	}
	/* acme-tls-alpn-01: what the server presented, and where */
	if (json_is_array(json_object_get(d, "subject_alt_names")) &&
	    json_is_string(json_object_get(d, "resolved_ip"))) {
		json_t *sans = json_object_get(d, "subject_alt_names");

		s = json_string_value(json_array_get(sans, 0));
		snprintf(out, outlen, "%s %s%s at %s (%s)",
		    json_string_value(json_object_get(d, "alpn")) ?: "no ALPN",
		    s ? s : "no SAN", json_array_size(sans) > 1 ? " (+more)" :
		    "", json_string_value(json_object_get(d, "resolved_ip")),
		    json_string_value(json_object_get(d, "tls_version")) ?: "?");
		return;
	}
	/* website-change and acme-http-01: the final answer, and where */
	if (json_is_integer(json_object_get(d, "response_status_code"))) {
		json_t *hist = json_object_get(d, "response_history");

		snprintf(out, outlen, "HTTP %lld %s at %s%s%s%s",
		    (long long)json_integer_value(json_object_get(d,
		    "response_status_code")),
		    json_string_value(json_object_get(d, "response_url")) ?: "?",
		    json_string_value(json_object_get(d, "resolved_ip")) ?: "?",
		    json_array_size(hist) > 0 ? " (redirected from " : "",
		    json_array_size(hist) > 0 ? json_string_value(
		    json_object_get(json_array_get(hist, 0), "response_url")) ?:
		    "?" : "", json_array_size(hist) > 0 ? ")" : "");
		return;
	}
	if (json_is_array(seen) && json_array_size(seen) > 0) {
		s = json_string_value(json_array_get(seen, 0));
		snprintf(out, outlen, "saw %s%s", s ? s : "?",
		    json_array_size(seen) > 1 ? " (+more)" : "");
		return;
	}
	snprintf(out, outlen, "no records");
}

/* One row of the table: a perspective's check_response. */
/* ANSI SGR colours (ECMA-48): green, red, yellow; reset */
#define C_PASS "\033[32m"
#define C_FAIL "\033[31m"
#define C_ERROR "\033[33m"
#define C_OFF "\033[0m"

static void
print_row(const struct tool_opts *o, int width, const char *code, json_t *cr)
{
	const char *rir = json_string_value(json_object_get(cr, "rir"));
	const char *sec = json_string_value(json_object_get(cr, "dnssec"));
	bool passed = json_is_true(json_object_get(cr, "check_passed"));
	bool done = json_is_true(json_object_get(cr, "check_completed"));
	char line[512];

	detail_line(cr, line, sizeof(line));
	/* the colour around the padded cell keeps the columns aligned */
	printf("%-*s %-9s %s%-6s%s %-13s %6lld  %s\n", width, code ? code : "?",
	    rir ? rir : "?", !o->color ? "" : passed ? C_PASS : done ? C_FAIL :
	    C_ERROR, passed ? "pass" : done ? "FAIL" : "ERROR",
	    o->color ? C_OFF : "", sec ? sec : "-",
	    (long long)json_integer_value(json_object_get(cr, "duration_ms")),
	    line);
}

/* The response's warnings (a method the BR discourage), on stderr. */
static void
print_warnings(json_t *r)
{
	json_t *ws = json_object_get(r, "warnings"), *w;
	size_t i;

	json_array_foreach(ws, i, w)
		fprintf(stderr, "mpic: warning: %s\n", json_string_value(
		    json_object_get(w, "message")) ?: "(no message)");
}

int
tool_print(const struct tool_opts *o, int status, const char *body)
{
	json_t *r, *ps, *pri;
	json_error_t je;
	char code[80];
	int width;
	size_t i;
	int valid;

	if (o->json || status != 200) {
		printf("%s\n", body);
		if (status != 200)
			fprintf(stderr, "mpic: request not run (HTTP %d)\n",
			    status);
		if (status != 200)
			return 2;
		r = json_loads(body, 0, &je);
		valid = r && json_is_true(json_object_get(r, "is_valid"));
		print_warnings(r);
		json_decref(r);
		return valid ? 0 : 1;
	}
	r = json_loads(body, 0, &je);
	if (r == NULL) {
		fprintf(stderr, "mpic: unreadable response: %s\n", je.text);
		return 2;
	}
	print_warnings(r);
	ps = json_object_get(r, "perspectives");
	/* The primary decides: its row comes first, marked. */
	pri = json_object_get(r, "primary");
	if (json_is_object(pri))
		snprintf(code, sizeof(code), "%s (primary)", json_string_value(
		    json_object_get(pri, "perspective_code")) ?: "?");
	width = json_is_object(pri) && strlen(code) > 16 ?
	    (int)strlen(code) : 16;
	printf("%-*s %-9s %-6s %-13s %6s  %s\n", width, "PERSPECTIVE", "RIR",
	    "RESULT", "DNSSEC", "MS", "EVIDENCE");
	if (json_is_object(pri))
		print_row(o, width, code, pri);
	for (i = 0; i < json_array_size(ps); i++) {
		json_t *p = json_array_get(ps, i);

		print_row(o, width, json_string_value(json_object_get(p,
		    "perspective_code")), json_object_get(p, "check_response"));
	}
	valid = json_is_true(json_object_get(r, "is_valid"));
	printf("%s%s%s %s (quorum %lld of %lld, attempt %lld)\n",
	    !o->color ? "" : valid ? C_PASS : C_FAIL,
	    valid ? "CORROBORATED" : "NOT CORROBORATED", o->color ? C_OFF : "",
	    json_string_value(json_object_get(r, "quorum_result")) ?: "?",
	    (long long)json_integer_value(json_object_get(json_object_get(r,
	    "actual_orchestration_parameters"), "quorum_count")),
	    (long long)json_integer_value(json_object_get(json_object_get(r,
	    "actual_orchestration_parameters"), "perspective_count")),
	    (long long)json_integer_value(json_object_get(json_object_get(r,
	    "actual_orchestration_parameters"), "attempt_count")));
	if (json_is_string(json_object_get(r, "primary_failed")))
		printf("%s\n", json_string_value(json_object_get(r,
		    "primary_failed")));
	json_decref(r);
	return valid ? 0 : 1;
}
