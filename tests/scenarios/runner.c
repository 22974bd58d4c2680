/*
 * runner.c - the in-process scenario runner (docs/testing.md): every case
 * of every scenario file runs the library's engine, checks and resolver
 * against the fakes of tests/fake (a DNS world and a web from the file,
 * scripted perspectives), on one event base, without root or network, and is judged
 * by its expectations (jq expressions, expect.c).
 *
 *   runner [-v] [-d] [-o DIR] FILE.json|DIR...
 *
 * -v prints the response of every case, -d the DNS lookups and the web
 * requests made, -o DIR writes each response to DIR/FILE-N.json (N: the
 * case's index, then ".R" for its R-th request; to compare with the labs'
 * answers).  ONLY (a substring) and ONLY_RE (an extended regular
 * expression) select cases by name, as tests/integration/run does.  Prints
 * "ok"/"FAIL" per case and ends with "N passed, N failed"; exits 1 when a
 * case failed.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "expect.h"
#include "fake.h"
#include "mpic/mpic.h"

#define CASE_LIMIT_S 20         /* a case that takes longer has failed */
#define MAX_FILES 64
#define MAX_REQUESTS 16
#define DEFAULT_NOW "2026-11-23"

struct answer {
	const char *audit_path; /* the log, read when answered */
	bool answered;
	int status;
	char *body;
	char audit_id[64];
	json_t *at_answer;      /* its audit records when it was answered */
};

struct runner {
	struct event_base *base;
	char dir[PATH_MAX];     /* scratch: the audit log */
	char audit[PATH_MAX + 16];
	bool verbose, dns_log;
	const char *out_dir;    /* -o */
	const char *only;
	bool has_re;
	regex_t re;
	int passed, failed;
};

/* "2026-11-23" (noon UTC, as the mpic tool) or Unix seconds. */
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
	if (errno != 0 || *end != '\0' || end == s || v < 0)
		return -1;
	*out = (time_t)v;
	return 0;
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

/* text with every @NAME@ of the table replaced (malloc'd). */
static char *
substitute(const char *text, const char *const (*tab)[2], size_t n)
{
	size_t cap = strlen(text) * 2 + 4096, len = 0, i;
	char *out = malloc(cap);
	const char *p = text;

	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		const char *rep = NULL;
		size_t klen = 0;

		for (i = 0; i < n && *p == '@'; i++) {
			klen = strlen(tab[i][0]);
			if (strncmp(p, tab[i][0], klen) == 0) {
				rep = tab[i][1];
				break;
			}
		}
		if (rep == NULL) {
			rep = p;
			klen = 1;
		}
		if (len + strlen(rep) + 2 > cap) {
			char *nb = realloc(out, cap = (len + strlen(rep)) * 2 +
			    16);

			if (nb == NULL) {
				free(out);
				return NULL;
			}
			out = nb;
		}
		if (rep == p) {
			out[len++] = *p;
		} else {
			memcpy(out + len, rep, strlen(rep));
			len += strlen(rep);
		}
		p += klen;
	}
	out[len] = '\0';
	return out;
}

/* The configuration: a name under CONFDIR (NAME.yaml) or YAML text. */
static int
load_config(struct runner *r, const char *confdir, const char *spec,
	    struct mpic_config **cfg, char *err, size_t errlen)
{
	char path[PATH_MAX + 64], *raw = NULL, *text = NULL;
	const char *const tab[][2] = { {"@DIR@", confdir}, {"@RUN@", r->dir} };
	int rc = -1;

	if (strchr(spec, '\n') == NULL) {
		snprintf(path, sizeof(path), "%s/%s.yaml", confdir, spec);
		if ((raw = read_file(path)) == NULL) {
			snprintf(err, errlen, "config %.700s: %s", path,
			    strerror(errno));
			return -1;
		}
		spec = raw;
	}
	text = substitute(spec, tab, 2);
	if (text != NULL && mpic_config_parse(text, strlen(text), "scenario",
	    cfg, err, errlen) == 0)
		rc = 0;
	free(raw);
	free(text);
	return rc;
}

/* The audit records of id in the log now (new reference; [] if none). */
static json_t *
audit_records(const char *path, const char *id)
{
	json_t *all = json_array();
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	if (f == NULL)
		return all;
	while (getline(&line, &cap, f) > 0) {
		json_t *o = json_loads(line, 0, NULL);
		const char *a = json_string_value(json_object_get(o,
		    "audit_id"));

		if (o != NULL && (id == NULL || (a != NULL &&
		    strcmp(a, id) == 0)))
			json_array_append(all, o);
		json_decref(o);
	}
	free(line);
	fclose(f);
	return all;
}

static void
on_answer(void *arg, int status, const char *body, size_t len)
{
	struct answer *a = arg;
	json_t *o;

	a->answered = true;
	a->status = status;
	a->body = strndup(body, len);
	o = json_loadb(body, len, 0, NULL);
	snprintf(a->audit_id, sizeof(a->audit_id), "%s",
	    json_string_value(json_object_get(o, "audit_id")) ?
	    json_string_value(json_object_get(o, "audit_id")) : "");
	json_decref(o);
	/* what the log holds at the moment of the answer (the audit gate) */
	if (a->audit_id[0] != '\0')
		a->at_answer = audit_records(a->audit_path, a->audit_id);
}

static void
on_limit(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(bool *)arg = true;
}

static bool
all_answered(const struct answer *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!a[i].answered)
			return false;
	return true;
}

/* Run the loop until every request is answered and nothing of them runs,
 * but for scripted checks that never answer; false past the limit. */
static bool
pump(struct runner *r, struct mpic_engine *eng, const struct answer *a,
     size_t n)
{
	struct timeval tv = {CASE_LIMIT_S, 0};
	bool over = false;
	struct event *limit = evtimer_new(r->base, on_limit, &over);

	if (limit == NULL)
		return false;
	evtimer_add(limit, &tv);
	while (!over) {
		if (all_answered(a, n) && (mpic_engine_inflight(eng) == 0 ||
		    (fake_persp_silent() > 0 && fake_persp_timed() == 0 &&
		    fake_dns_pending() == 0)))
			break;
		event_base_loop(r->base, EVLOOP_ONCE);
	}
	event_free(limit);
	return !over;
}

/* mpic's exit status for an answer (mpic(1)). */
static int
exit_of(const struct answer *a)
{
	json_t *o;
	int e;

	if (a->status != 200)
		return a->status == 78 ? 78 : 2;
	o = json_loads(a->body, 0, NULL);
	e = json_is_true(json_object_get(o, "is_valid")) ? 0 : 1;
	json_decref(o);
	return e;
}

static const char *
str_or(const json_t *o, const char *k, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : dflt;
}

static bool
has_decision(const json_t *records, const char *id)
{
	const json_t *o;
	size_t i;

	json_array_foreach(records, i, o)
		if (strcmp(str_or(o, "type", ""), "decision") == 0 &&
		    strcmp(str_or(o, "audit_id", ""), id) == 0)
			return true;
	return false;
}

struct judge {
	struct expect_prog *prog;
	char why[1024];
};

/* Judge exprs (key k) on in; false with the reason in j->why. */
static bool
judge(struct judge *j, size_t k, const json_t *exprs, const json_t *in,
      const char *what)
{
	char why[512] = "";
	int bad;

	if (json_array_size(exprs) == 0)
		return true;
	bad = expect_eval(j->prog, k, in, why, sizeof(why));
	if (bad == -1)
		return true;
	if (bad >= 0)
		snprintf(j->why, sizeof(j->why), "%s false: %s", what,
		    json_string_value(json_array_get(exprs, (size_t)bad)));
	else
		snprintf(j->why, sizeof(j->why), "%s: %s", what, why);
	return false;
}

/* The requests of a case: its "requests", or the case itself. */
static size_t
requests_of(const json_t *c, const json_t **out)
{
	const json_t *list = json_object_get(c, "requests");
	size_t i, n = 0;

	if (!json_is_array(list)) {
		out[0] = c;
		return 1;
	}
	for (i = 0; i < json_array_size(list) && n < MAX_REQUESTS; i++)
		out[n++] = json_array_get(list, i);
	return n;
}

/* Every expectation list of the file in key order (see case_keys). */
static json_t *
file_keys(const json_t *cases)
{
	json_t *keys = json_array(), *c;
	const json_t *reqs[MAX_REQUESTS];
	size_t i, j, n;

	json_array_foreach(cases, i, c) {
		n = requests_of(c, reqs);
		for (j = 0; j < n; j++) {
			json_t *e = json_object_get(reqs[j], "expect");
			json_t *ea = json_object_get(reqs[j], "expect_audit");

			json_array_append_new(keys, e ? json_incref(e) :
			    json_array());
			json_array_append_new(keys, ea ? json_incref(ea) :
			    json_array());
		}
		json_array_append_new(keys, json_object_get(c,
		    "expect_queries") ? json_incref(json_object_get(c,
		    "expect_queries")) : json_array());
	}
	return keys;
}

struct file {
	const char *path, *label;
	char confdir[PATH_MAX];
	json_t *root;
	struct fake_dns *world;
	struct fake_web *web;
	struct judge j;
};

/*
 * -o: the answers of case number idx into the output directory, one file
 * each, and a line each in DIR/index.tsv (file, endpoint, status, case):
 * the form tests/lib/openapi_check.py validates against the Open MPIC
 * spec (200 and 400 answers only).
 */
static void
write_answers(const struct runner *r, const struct file *f, size_t idx,
	      const char *name, const struct answer *a, size_t n)
{
	char path[PATH_MAX * 2], base[PATH_MAX];
	size_t i;
	FILE *o, *index;

	snprintf(path, sizeof(path), "%s/index.tsv", r->out_dir);
	index = fopen(path, "a");
	for (i = 0; i < n; i++) {
		if (n == 1)
			snprintf(base, sizeof(base), "%.*s-%zu.json",
			    (int)(strlen(f->label) - 5), f->label, idx);
		else
			snprintf(base, sizeof(base), "%.*s-%zu.%zu.json",
			    (int)(strlen(f->label) - 5), f->label, idx, i);
		snprintf(path, sizeof(path), "%s/%s", r->out_dir, base);
		if (a[i].body == NULL || (o = fopen(path, "w")) == NULL)
			continue;
		fputs(a[i].body, o);
		fclose(o);
		if (index != NULL && (a[i].status == 200 || a[i].status == 400))
			fprintf(index, "%s\t/mpic\t%d\t%.*s: %s\n", base,
			    a[i].status, (int)(strlen(f->label) - 5), f->label,
			    name);
	}
	if (index != NULL)
		fclose(index);
}

/* Run one case; true when it passed (why otherwise). */

static bool
run_case(struct runner *r, struct file *f, json_t *c, size_t key0,
	 size_t idx)
{
	const json_t *reqs[MAX_REQUESTS];
	struct answer ans[MAX_REQUESTS];
	struct mpic_config *cfg = NULL;
	struct mpic_engine *eng = NULL;
	struct fake_dns *cw = NULL;
	struct fake_web *cweb = NULL;
	json_t *queries = NULL, *webreq = NULL, *final = NULL, *ain = NULL;
	char err[1024] = "", *body;
	const char *conf;
	time_t now;
	size_t n, i;
	bool ok = false, gone;
	int want;

	memset(ans, 0, sizeof(ans));
	n = requests_of(c, reqs);
	f->j.why[0] = '\0';
	conf = str_or(c, "config", str_or(f->root, "config", "default"));
	if (load_config(r, f->confdir, conf, &cfg, err, sizeof(err)) != 0) {
		snprintf(f->j.why, sizeof(f->j.why), "config: %.900s", err);
		goto out;
	}
	if (json_object_get(c, "dns") != NULL && fake_dns_new(json_object_get(c,
	    "dns"), f->world, &cw, err, sizeof(err)) != 0) {
		snprintf(f->j.why, sizeof(f->j.why), "dns: %.900s", err);
		goto out;
	}
	if (json_object_get(c, "web") != NULL && fake_web_new(json_object_get(c,
	    "web"), f->web, &cweb, err, sizeof(err)) != 0) {
		snprintf(f->j.why, sizeof(f->j.why), "%.900s", err);
		goto out;
	}
	fake_dns_use(cw != NULL ? cw : f->world);
	fake_web_use(cweb != NULL ? cweb : f->web, r->base);
	fake_persp_script(json_object_get(c, "perspectives") ?
	    json_object_get(c, "perspectives") :
	    json_object_get(f->root, "perspectives"));
	unlink(r->audit);
	for (i = 0; i < n; i++)
		ans[i].audit_path = r->audit;
	if (parse_now(str_or(reqs[0], "now", str_or(c, "now", str_or(f->root,
	    "now", DEFAULT_NOW))), &now) != 0) {
		snprintf(f->j.why, sizeof(f->j.why), "now: a date or seconds");
		goto out;
	}
	err[0] = '\0';
	if (mpic_config_check_br(cfg, now, err, sizeof(err)) != 0 ||
	    mpic_engine_new(r->base, cfg, &eng, err, sizeof(err)) != 0) {
		/* as the mpic tool: a configuration error, exit 78 */
		for (i = 0; i < n; i++) {
			ans[i].answered = true;
			ans[i].status = 78;
			ans[i].body = strdup(err);
		}
	}
	for (i = 0; eng != NULL && i < n; i++) {
		const json_t *rq = json_object_get(reqs[i], "request");
		const char *t = json_string_value(json_object_get(reqs[i],
		    "request_text"));

		if (parse_now(str_or(reqs[i], "now", str_or(c, "now",
		    str_or(f->root, "now", DEFAULT_NOW))), &now) != 0) {
			snprintf(f->j.why, sizeof(f->j.why), "bad now");
			goto out;
		}
		body = t != NULL ? strdup(t) : json_dumps(rq, JSON_COMPACT);
		if (body == NULL || mpic_engine_submit(eng, body, strlen(body),
		    now, on_answer, &ans[i]) != 0) {
			free(body);
			snprintf(f->j.why, sizeof(f->j.why), "submit failed");
			goto out;
		}
		free(body);
	}
	gone = eng == NULL || pump(r, eng, ans, n);
	queries = fake_dns_queries();
	webreq = fake_web_requests();
	mpic_engine_free(eng);
	eng = NULL;
	if (!gone) {
		snprintf(f->j.why, sizeof(f->j.why), "not done within %d s",
		    CASE_LIMIT_S);
		goto out;
	}
	if (access(r->audit, F_OK) == 0) {
		struct mpic_audit_report rep;

		final = audit_records(r->audit, NULL);
		if (mpic_audit_verify(r->audit, &rep) != 0) {
			snprintf(f->j.why, sizeof(f->j.why), "audit log: %s",
			    rep.problem);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		json_t *o = json_loads(ans[i].body, 0, NULL);

		want = (int)json_integer_value(json_object_get(reqs[i],
		    "exit"));
		if (exit_of(&ans[i]) != want) {
			snprintf(f->j.why, sizeof(f->j.why), "exit %d, expected "
			    "%d", exit_of(&ans[i]), want);
			json_decref(o);
			goto out;
		}
		if (!judge(&f->j, key0 + 2 * i, json_object_get(reqs[i],
		    "expect"), o != NULL ? o : json_null(), "expectation")) {
			json_decref(o);
			goto out;
		}
		json_decref(o);
		if (ans[i].audit_id[0] == '\0') {
			if (json_array_size(json_object_get(reqs[i],
			    "expect_audit")) > 0) {
				snprintf(f->j.why, sizeof(f->j.why), "audit "
				    "expectations, but no audit_id answered");
				goto out;
			}
			continue;
		}
		/* every answer that names an audit_id has its decision */
		if (!has_decision(final, ans[i].audit_id)) {
			snprintf(f->j.why, sizeof(f->j.why), "audit_id %s has "
			    "no decision record", ans[i].audit_id);
			goto out;
		}
		json_decref(ain);
		ain = json_pack("{s:O?, s:O?}", "at_answer", ans[i].at_answer,
		    "final", final);
		if (!judge(&f->j, key0 + 2 * i + 1, json_object_get(reqs[i],
		    "expect_audit"), ain, "audit expectation"))
			goto out;
	}
	if (!judge(&f->j, key0 + 2 * n, json_object_get(c, "expect_queries"),
	    queries, "query expectation"))
		goto out;
	ok = true;
out:
	if (r->out_dir != NULL)
		write_answers(r, f, idx, json_string_value(json_object_get(c,
		    "name")), ans, n);
	if (!ok || r->verbose)
		for (i = 0; i < n; i++)
			if (ans[i].body != NULL)
				printf("     out: %.3000s\n", ans[i].body);
	if ((!ok || r->dns_log) && queries != NULL) {
		char *q = json_dumps(queries, JSON_COMPACT);

		printf("     dns: %.3000s\n", q != NULL ? q : "");
		free(q);
	}
	if ((!ok || r->dns_log) && json_array_size(webreq) > 0) {
		char *q = json_dumps(webreq, JSON_COMPACT);

		printf("     web: %.3000s\n", q != NULL ? q : "");
		free(q);
	}
	for (i = 0; i < n; i++) {
		free(ans[i].body);
		json_decref(ans[i].at_answer);
	}
	json_decref(ain);
	json_decref(final);
	json_decref(queries);
	json_decref(webreq);
	mpic_engine_free(eng);
	fake_dns_use(NULL);
	fake_web_use(NULL, NULL);
	fake_persp_script(NULL);
	fake_dns_free(cw);
	fake_web_free(cweb);
	mpic_config_free(cfg);
	return ok;
}

static bool
selected(const struct runner *r, const char *name)
{
	if (r->only != NULL && r->only[0] != '\0' && strstr(name, r->only) ==
	    NULL)
		return false;
	return !r->has_re || regexec(&r->re, name, 0, NULL, 0) == 0;
}

/* Compile the file's expectations: one program, or (a broken expression)
 * none, and every case is judged failed naming jq's complaint. */
static int
compile_file(struct file *f, char *err, size_t errlen)
{
	json_t *keys = file_keys(json_object_get(f->root, "cases"));
	int rc = expect_compile(keys, &f->j.prog, err, errlen);

	json_decref(keys);
	return rc;
}

static void
run_file(struct runner *r, const char *path)
{
	struct file f;
	json_error_t je;
	char err[1024] = "", *slash;
	const json_t *reqs[MAX_REQUESTS];
	json_t *cases, *c;
	size_t i, key = 0, n;
	bool ok;

	memset(&f, 0, sizeof(f));
	f.path = path;
	f.label = (slash = strrchr(path, '/')) != NULL ? slash + 1 : path;
	snprintf(f.confdir, sizeof(f.confdir), "%.*s/configs",
	    slash != NULL ? (int)(slash - path) : 1, slash != NULL ? path :
	    ".");
	f.root = json_load_file(path, 0, &je);
	cases = json_object_get(f.root, "cases");
	if (!json_is_array(cases)) {
		printf("FAIL %s: %s\n", f.label, f.root == NULL ? je.text :
		    "no \"cases\" list");
		r->failed++;
		goto out;
	}
	if (fake_dns_new(json_object_get(f.root, "dns"), NULL, &f.world, err,
	    sizeof(err)) != 0 || fake_web_new(json_object_get(f.root, "web"),
	    NULL, &f.web, err, sizeof(err)) != 0 ||
	    compile_file(&f, err, sizeof(err)) != 0) {
		printf("FAIL %s: %s\n", f.label, err);
		r->failed++;
		goto out;
	}
	json_array_foreach(cases, i, c) {
		const char *name = str_or(c, "name", "(no name)");

		n = requests_of(c, reqs);
		if (selected(r, name)) {
			ok = run_case(r, &f, c, key, i);
			if (ok) {
				r->passed++;
				printf("ok   %.*s: %s\n", (int)(strlen(f.label) -
				    5), f.label, name);
			} else {
				r->failed++;
				printf("FAIL %.*s: %s: %s\n", (int)(strlen(
				    f.label) - 5), f.label, name, f.j.why);
			}
			fflush(stdout);
		}
		key += 2 * n + 1;
	}
out:
	expect_free(f.j.prog);
	fake_dns_free(f.world);
	fake_web_free(f.web);
	json_decref(f.root);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .json files of dir, sorted, into list (malloc'd names). */
static size_t
dir_files(const char *dir, char **list, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, l;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < max) {
		l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0 &&
		    asprintf(&list[n], "%s/%s", dir, e->d_name) > 0)
			n++;
	}
	closedir(d);
	qsort(list, n, sizeof(*list), cmp_str);
	return n;
}

int
main(int argc, char **argv)
{
	struct runner r;
	char *files[MAX_FILES];
	const char *re = getenv("ONLY_RE");
	size_t n = 0, i;
	int a;

	memset(&r, 0, sizeof(r));
	r.only = getenv("ONLY");
	for (a = 1; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "-v") == 0)
			r.verbose = true;
		else if (strcmp(argv[a], "-d") == 0)
			r.dns_log = true;
		else if (strcmp(argv[a], "-o") == 0 && a + 1 < argc)
			r.out_dir = argv[++a];
	}
	if (a == argc) {
		fprintf(stderr, "usage: runner [-v] [-d] [-o DIR] "
		    "FILE.json|DIR...\n");
		return 64;
	}
	if (re != NULL && re[0] != '\0') {
		if (regcomp(&r.re, re, REG_EXTENDED | REG_NOSUB) != 0) {
			fprintf(stderr, "runner: ONLY_RE does not compile\n");
			return 64;
		}
		r.has_re = true;
	}
	for (; a < argc && n < MAX_FILES; a++) {
		size_t l = strlen(argv[a]);

		if (l > 5 && strcmp(argv[a] + l - 5, ".json") == 0)
			files[n++] = strdup(argv[a]);
		else
			n += dir_files(argv[a], files + n, MAX_FILES - n);
	}
	snprintf(r.dir, sizeof(r.dir), "%s", access("/dev/shm", W_OK) == 0 ?
	    "/dev/shm/mpic-scen.XXXXXX" : "/tmp/mpic-scen.XXXXXX");
	r.base = event_base_new();
	if (mkdtemp(r.dir) == NULL || r.base == NULL) {
		fprintf(stderr, "runner: cannot set up: %s\n", strerror(errno));
		return 1;
	}
	snprintf(r.audit, sizeof(r.audit), "%s/audit.jsonl", r.dir);
	for (i = 0; i < n; i++) {
		run_file(&r, files[i]);
		free(files[i]);
	}
	unlink(r.audit);
	rmdir(r.dir);
	event_base_free(r.base);
	if (r.has_re)
		regfree(&r.re);
	fake_dns_use(NULL);
	printf("%d passed, %d failed\n", r.passed, r.failed);
	return r.failed == 0 && r.passed > 0 ? 0 : 1;
}
