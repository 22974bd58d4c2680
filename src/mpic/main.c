/*
 * mpic - the operator's tool: runs one Open MPIC request with in-process
 * perspectives (or against a coordinator with --server) and prints a
 * table or the response JSON.
 *
 * Exit status: 0 corroborated, 1 not corroborated, 2 could not run,
 * 64 usage, 78 configuration error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>

#include "mpic/mpic.h"
#include "setup.h"
#include "tool.h"

#define DEFAULT_CONFIG "/etc/mpic/mpic.yaml"
#define MAX_REQUEST (64 * 1024)

/* --timeout: seconds the tool waits for an answer; 0: its defaults */
static int timeout_s;

enum { EX_VALID = 0, EX_INVALID = 1, EX_NORUN = 2, EX_USAGE_ = 64,
       EX_CONFIG_ = 78 };

static void
usage(FILE *f)
{
	fprintf(f,
"usage: mpic [-c FILE] [--now DATE] [--json] [--timeout S] [--server URL\n"
"            [--cacert FILE] [--cert FILE --key FILE]] COMMAND ...\n"
"            (options before or after the command)\n"
"  mpic request [FILE|-]            run one Open MPIC request body\n"
"  mpic caa TARGET [--caa-domain D]... [--smime] [--account-uri U]\n"
"                  [--method LABEL] [--allow-lookup-failure]\n"
"  mpic dcv METHOD TARGET [--token T] [--key-authorization KA]\n"
"                  [--key-authorization-hash H] [--challenge-value V]\n"
"                  [--record-type TYPE] [--prefix P] [--exact-match]\n"
"                  [--exact-case] [--issuer-domain D]... [--account-uri U]\n"
"                  [--path P] [--regex RE] [--scheme http|https]\n"
"                  [--header NAME:VALUE]...\n"
"common options for caa and dcv: --count N --quorum N --attempts N\n"
"                  --cohort N --trace ID\n"
"  mpic audit verify [PATH | -c FILE]  check an audit log's hash chains:\n"
"                   PATH (default: the configuration's audit.path) and\n"
"                   every worker's PATH.wN (0 intact, 1 bad record,\n"
"                   2 unreadable)\n"
"  mpic explain [--json] [FILE|-]  a response in plain language: the\n"
"                   decision, the findings with their advice, what each\n"
"                   perspective saw; --json: the findings alone\n"
"  mpic explain --audit FILE --id AUDIT_ID  the same from an audit log\n"
"  mpic setup INVENTORY -o DIR [--prefix PATH] [--days N] [--ca-days N]\n"
"                   a deployment's PKI and configurations from an\n"
"                   inventory, refused below the BR floor (mpic(1))\n"
"  mpic setup renew -o DIR [--within N] [--days N]  reissue certificates\n"
"                   that expire within N days, with the same CA\n"
"  mpic audit verify PATH --keys FILE  also every perspective record's\n"
"                   signed statement against FILE's signing_pubkey keys\n"
"  mpic [-c FILE] evidence AUDIT_ID --audit PATH [--keys FILE]\n"
"                   one validation's proof as a JSON bundle (stdout)\n"
"  mpic evidence verify BUNDLE [--keys FILE]  check a bundle offline\n"
"                   (docs/evidence.md; 0 verified, 1 not, 2 cannot read)\n"
"  mpic diagnose NAME [--url URL | --txt NAME] [--expect TEXT]  a pre-\n"
"                   flight from every perspective: a table, the findings,\n"
"                   \"ready for MPIC\" (exit 0) or why not (exit 1)\n"
"  --server URL     post to a coordinator (API key from MPIC_API_KEY)\n"
"  --cacert FILE    CA certificates for the coordinator's TLS certificate\n"
"  --cert, --key    client certificate and key (mutual TLS)\n"
"  --timeout S      give up after S seconds without an answer (1-3600)\n"
"  --now DATE       the day for the Baseline Requirements calendar\n"
"                   (YYYY-MM-DD or Unix seconds; default: now)\n"
"exit: 0 corroborated, 1 not corroborated, 2 could not run, 64 usage,\n"
"      78 configuration error\n");
}

static int
parse_now(const char *s, time_t *out)
{
	struct tm tm;
	char *end;
	long long v;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == '\0') {
		*out = timegm(&tm) + 12 * 3600;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == 0 && *end == '\0' && end != s && v >= 0) {
		*out = (time_t)v;
		return 0;
	}
	return -1;
}

static char *
read_all(FILE *f, size_t *len)
{
	char *buf = malloc(MAX_REQUEST + 1);
	size_t n;

	if (buf == NULL)
		return NULL;
	n = fread(buf, 1, MAX_REQUEST + 1, f);
	if (n > MAX_REQUEST) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

struct run {
	int status;
	char *body;
	bool done;
	bool timed_out;         /* --timeout passed first */
	struct event_base *base;
};

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	(void)fd;
	(void)what;
	r->timed_out = true;
	event_base_loopbreak(r->base);
}

static void
on_done(void *arg, int status, const char *body, size_t len)
{
	struct run *r = arg;

	r->status = status;
	r->body = strndup(body, len);
	r->done = true;
}

static int
run_local(const char *cfgpath, const char *body, size_t len, time_t now,
	  struct run *r)
{
	struct mpic_config *cfg = NULL;
	struct mpic_engine *eng = NULL;
	struct event_base *base = NULL;
	struct event *timer = NULL;
	struct timeval tv = { timeout_s, 0 };
	char err[1024] = "";
	int rc = EX_NORUN;

	if (mpic_config_load(cfgpath, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpic: %s\n", err);
		return EX_CONFIG_;
	}
	err[0] = '\0';
	if (mpic_config_check_br(cfg, now, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpic: %s: %s\n", cfgpath, err);
		rc = EX_CONFIG_;
		goto out;
	}
	if (err[0] != '\0')
		fprintf(stderr, "mpic: warning: %s\n", err);
	base = event_base_new();
	if (base == NULL) {
		fprintf(stderr, "mpic: cannot create an event base\n");
		goto out;
	}
	if (mpic_engine_new(base, cfg, &eng, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpic: %s: %s\n", cfgpath, err);
		rc = EX_CONFIG_;
		goto out;
	}
	if (mpic_engine_submit(eng, body, len, now, on_done, r) != 0) {
		fprintf(stderr, "mpic: cannot start the request\n");
		goto out;
	}
	r->base = base;
	if (timeout_s > 0 && ((timer = evtimer_new(base, on_timeout, r)) ==
	    NULL || evtimer_add(timer, &tv) != 0)) {
		fprintf(stderr, "mpic: cannot set the timeout\n");
		goto out;
	}
	/* Run until answered and every straggler has called back (or the
	 * --timeout passes: stragglers are then dropped). */
	while (!r->timed_out && (!r->done || mpic_engine_inflight(eng) > 0))
		if (event_base_loop(base, EVLOOP_ONCE) != 0)
			break;
	if (!r->done) {
		fprintf(stderr, "mpic: no answer within %d s (--timeout)\n",
		    timeout_s);
		goto out;
	}
	rc = 0;
out:
	if (timer != NULL)
		event_free(timer);
	mpic_engine_free(eng);
	if (base != NULL)
		event_base_free(base);
	mpic_config_free(cfg);
	return rc;
}

static size_t
curl_write(char *p, size_t sz, size_t n, void *arg)
{
	struct tool_buf *b = arg;

	return tool_buf_add(b, p, sz * n) == 0 ? sz * n : 0;
}

struct tls_files {
	const char *cacert, *cert, *key;
};

static int
run_remote(const char *url, const struct tls_files *tf, const char *body,
	   size_t len, struct run *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct tool_buf b = {0};
	char full[2048];
	const char *key = getenv("MPIC_API_KEY");
	char keyhdr[600];
	long status = 0;
	CURLcode cc;

	if (c == NULL)
		return EX_NORUN;
	snprintf(full, sizeof(full), "%s/mpic", url);
	h = curl_slist_append(h, "Content-Type: application/json");
	if (key != NULL) {
		snprintf(keyhdr, sizeof(keyhdr), "x-api-key: %s", key);
		h = curl_slist_append(h, keyhdr);
	}
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s > 0 ? (long)timeout_s :
	    120L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (tf->cacert != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, tf->cacert);
	if (tf->cert != NULL)
		curl_easy_setopt(c, CURLOPT_SSLCERT, tf->cert);
	if (tf->key != NULL)
		curl_easy_setopt(c, CURLOPT_SSLKEY, tf->key);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		fprintf(stderr, "mpic: %s: %s\n", full, curl_easy_strerror(cc));
		free(b.p);
		return EX_NORUN;
	}
	r->status = (int)status;
	r->body = b.p ? b.p : strdup("");
	r->done = true;
	return 0;
}

static int run_command(int argc, char **argv, struct tool_opts *o,
			const char *cfgpath, const char *server,
			const struct tls_files *tf, time_t now);

int
main(int argc, char **argv)
{
	const char *cfgpath = DEFAULT_CONFIG, *server = NULL;
	struct tool_opts o;
	struct tool_args a;
	struct tls_files tf = {getenv("MPIC_CACERT"), getenv("MPIC_CERT"),
	    getenv("MPIC_KEY")};
	time_t now = time(NULL);
	int rc;

	tool_opts_init(&o);
	/* global options anywhere on the line (args.c) */
	if ((rc = tool_args(argc, argv, &a)) != 0)
		return rc;
	if (a.help || a.version) {
		if (a.help)
			usage(stdout);
		else
			printf("mpic %s (Open MPIC API %s, BR %s)\n",
			    mpic_version(), MPIC_OPEN_MPIC_SPEC_VERSION,
			    MPIC_BR_VERSION);
		free(a.cmd_argv);
		return 0;
	}
	if (a.now != NULL && parse_now(a.now, &now) != 0) {
		fprintf(stderr, "mpic: --now: bad date %s\n", a.now);
		free(a.cmd_argv);
		return EX_USAGE_;
	}
	cfgpath = a.cfgpath != NULL ? a.cfgpath : cfgpath;
	server = a.server;
	tf.cacert = a.cacert != NULL ? a.cacert : tf.cacert;
	tf.cert = a.cert != NULL ? a.cert : tf.cert;
	tf.key = a.key != NULL ? a.key : tf.key;
	o.json = a.json;
	o.color = tool_color_wanted();
	timeout_s = a.timeout_s;
	rc = run_command(a.cmd_argc, a.cmd_argv, &o, cfgpath, server, &tf, now);
	free(a.cmd_argv);
	return rc;
}

/* The command of argv[0] with its options and operands. */
static int
run_command(int argc, char **argv, struct tool_opts *o_, const char *cfgpath,
	    const char *server, const struct tls_files *tf_, time_t now)
{
	struct tool_opts o = *o_;
	struct tls_files tf = *tf_;
	struct run r = {0};
	char *body = NULL;
	char *ex[64];
	size_t len = 0;
	int i = 0, rc;

	if (argc < 1) {
		usage(stderr);
		return EX_USAGE_;
	}
	if (strcmp(argv[i], "setup") == 0)
		return tool_setup(argc - i, argv + i, now);
	if (strcmp(argv[i], "audit") == 0)
		return tool_audit(argc - i, argv + i, cfgpath);
	if (strcmp(argv[i], "diagnose") == 0) {
		struct tool_diag_args da = { cfgpath, server, tf.cacert,
		    tf.cert, tf.key, o.json, timeout_s };

		return tool_diagnose(argc - i, argv + i, &da);
	}
	if (strcmp(argv[i], "explain") == 0) {
		/* --json is global; explain prints the findings alone */
		if (!o.json || argc + 1 > (int)(sizeof(ex) / sizeof(ex[0])))
			return tool_explain(argc - i, argv + i);
		memcpy(ex, argv, (size_t)argc * sizeof(*ex));
		ex[argc] = (char *)"--json";
		return tool_explain(argc + 1, ex);
	}
	if (strcmp(argv[i], "evidence") == 0)
		return tool_evidence(argc - i, argv + i, cfgpath);
	if (strcmp(argv[i], "request") == 0) {
		FILE *f = stdin;
		const char *path = i + 1 < argc ? argv[i + 1] : "-";

		o.json = true;
		if (i + 2 < argc) {
			usage(stderr);
			return EX_USAGE_;
		}
		if (strcmp(path, "-") != 0 && (f = fopen(path, "rb")) == NULL) {
			fprintf(stderr, "mpic: %s: %s\n", path, strerror(errno));
			return EX_NORUN;
		}
		body = read_all(f, &len);
		if (f != stdin)
			fclose(f);
		if (body == NULL) {
			fprintf(stderr, "mpic: %s: %s\n", path, errno == EFBIG ?
			    "request larger than 64 KiB" : strerror(errno));
			return EX_NORUN;
		}
	} else if (strcmp(argv[i], "caa") == 0 || strcmp(argv[i], "dcv") == 0) {
		rc = tool_build_request(argc - i, argv + i, &o, &body, &len);
		if (rc != 0)
			return rc;
	} else {
		fprintf(stderr, "mpic: unknown command %s\n", argv[i]);
		usage(stderr);
		return EX_USAGE_;
	}
	rc = server ? run_remote(server, &tf, body, len, &r) :
	    run_local(cfgpath, body, len, now, &r);
	free(body);
	if (rc != 0)
		return rc;
	rc = tool_print(&o, r.status, r.body);
	free(r.body);
	return rc;
}
