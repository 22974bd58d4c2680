/*
 * obs.c - what operators look at: /healthz, /metrics (Prometheus text
 * format 0.0.4) and /configz.  Counters are per worker process (each has
 * its own event loop, resolvers and connections to the perspectives);
 * every series carries the worker's pid so that a scraper sees which.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mpicd.h"

static const double bucket_s[MPICD_BUCKETS - 1] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
};

static const char *
role_str(enum mpic_role r)
{
	return r == MPIC_ROLE_PERSPECTIVE ? "perspective" :
	    r == MPIC_ROLE_COORDINATOR ? "coordinator" : "all-in-one";
}

int
mpicd_method_index(const char *check_type, const char *method)
{
	int i;

	if (check_type != NULL && strcmp(check_type, "caa") == 0)
		return MPICD_M_CAA;
	if (check_type == NULL || strcmp(check_type, "dcv") != 0 ||
	    method == NULL)
		return MPICD_M_UNKNOWN;
	for (i = 0; i < MPIC_DCV_METHODS; i++)
		if (strcmp(method, mpic_dcv_method_name((size_t)i)) == 0)
			return i + 1;
	return MPICD_M_UNKNOWN;
}

void
mpicd_observe(struct mpicd *d, int midx, int result, uint64_t ms)
{
	double s = (double)ms / 1000.0;
	int b;

	if (midx < 0 || midx >= MPICD_M__N || result < 0 ||
	    result >= MPICD_R__N)
		return;
	for (b = 0; b < MPICD_BUCKETS - 1 && s > bucket_s[b]; b++)
		;
	d->m.req[midx][result]++;
	d->m.hist[midx][result][b]++;
	d->m.sum_s[midx][result] += s;
}

static const char *
method_label(int m)
{
	if (m == MPICD_M_CAA)
		return "caa";
	if (m == MPICD_M_UNKNOWN)
		return "unknown";
	return mpic_dcv_method_name((size_t)(m - 1));
}

static const char *
check_label(int m)
{
	return m == MPICD_M_CAA ? "caa" : m == MPICD_M_UNKNOWN ? "unknown" :
	    "dcv";
}

static const char *
result_label(const struct mpicd *d, int r)
{
	bool persp = d->cfg->role == MPIC_ROLE_PERSPECTIVE;

	switch (r) {
	case MPICD_R_OK: return persp ? "passed" : "valid";
	case MPICD_R_NO: return persp ? "failed" : "invalid";
	case MPICD_R_REJECTED: return "rejected";
	default: return "error";
	}
}

/* The mpicd_perspective_checks_total rows of one perspective. */
static void
checks_rows(FILE *f, pid_t pid, const struct mpic_persp_stats *p,
	    bool primary)
{
	static const char *const res[] = { "passed", "failed", "error" };
	const uint64_t n[] = { p->n_passed, p->n_failed, p->n_errors };
	size_t r;

	for (r = 0; r < 3; r++)
		fprintf(f, "mpicd_perspective_checks_total{pid=\"%d\","
		    "primary=\"%s\",perspective=\"%s\",result=\"%s\"} "
		    "%llu\n", (int)pid, primary ? "true" : "false",
		    p->code, res[r], (unsigned long long)n[r]);
}

static const char *const refusal_label[MPIC_AUDIT_R__N] = {
	[MPIC_AUDIT_R_TIMEOUT] = "timeout",
	[MPIC_AUDIT_R_STALLED] = "stalled",
	[MPIC_AUDIT_R_FULL] = "queue_full",
	[MPIC_AUDIT_R_FAILED] = "write_failed",
};

/* The audit log's rows (docs/audit.md, "Bounded waits"). */
static void
audit_metrics(FILE *f, pid_t pid, struct mpicd *d)
{
	const struct mpic_audit_stats *st = mpic_engine_audit_stats(d->eng);
	int r;

	if (st == NULL)
		return;
	fprintf(f, "# HELP mpicd_audit_records_total Audit records written "
	    "and synced.\n# TYPE mpicd_audit_records_total counter\n"
	    "mpicd_audit_records_total{pid=\"%d\"} %llu\n"
	    "# HELP mpicd_audit_syncs_total Audit log write + fdatasync "
	    "rounds (group commits).\n"
	    "# TYPE mpicd_audit_syncs_total counter\n"
	    "mpicd_audit_syncs_total{pid=\"%d\"} %llu\n", (int)pid,
	    (unsigned long long)st->records, (int)pid,
	    (unsigned long long)st->groups);
	fprintf(f, "# HELP mpicd_audit_pending_records Audit records queued "
	    "or being written, not yet durable.\n"
	    "# TYPE mpicd_audit_pending_records gauge\n"
	    "mpicd_audit_pending_records{pid=\"%d\"} %llu\n"
	    "# HELP mpicd_audit_pending_bytes Their size.\n"
	    "# TYPE mpicd_audit_pending_bytes gauge\n"
	    "mpicd_audit_pending_bytes{pid=\"%d\"} %llu\n", (int)pid,
	    (unsigned long long)st->pending, (int)pid,
	    (unsigned long long)st->pending_bytes);
	fprintf(f, "# HELP mpicd_audit_oldest_pending_seconds How long the "
	    "oldest audit record not yet durable has waited (0: none).\n"
	    "# TYPE mpicd_audit_oldest_pending_seconds gauge\n"
	    "mpicd_audit_oldest_pending_seconds{pid=\"%d\"} %.3f\n"
	    "# HELP mpicd_audit_stalled 1 while that wait is longer than "
	    "audit.sync_timeout_ms.\n# TYPE mpicd_audit_stalled gauge\n"
	    "mpicd_audit_stalled{pid=\"%d\"} %d\n"
	    "# HELP mpicd_audit_failed 1 once a write or fdatasync of the "
	    "audit log failed (it takes nothing more).\n"
	    "# TYPE mpicd_audit_failed gauge\n"
	    "mpicd_audit_failed{pid=\"%d\"} %d\n", (int)pid,
	    (double)st->waiting_ms / 1000.0, (int)pid, st->stalled ? 1 : 0,
	    (int)pid, st->failed != 0 ? 1 : 0);
	fprintf(f, "# HELP mpicd_audit_refused_total Requests answered with "
	    "an error because of the audit log: timeout (500, not durable "
	    "within audit.sync_timeout_ms), stalled (503 at once), "
	    "queue_full (503), write_failed (500).\n"
	    "# TYPE mpicd_audit_refused_total counter\n");
	for (r = 0; r < MPIC_AUDIT_R__N; r++)
		fprintf(f, "mpicd_audit_refused_total{pid=\"%d\",reason="
		    "\"%s\"} %llu\n", (int)pid, refusal_label[r],
		    (unsigned long long)st->refused[r]);
}

char *
mpicd_metrics(struct mpicd *d, size_t *len)
{
	const char *role = role_str(d->cfg->role);
	char *buf = NULL;
	size_t n = 0, i;
	FILE *f;
	int m, r, b;
	pid_t pid = getpid();

	if ((f = open_memstream(&buf, &n)) == NULL)
		return NULL;
	fprintf(f, "# HELP mpicd_info The worker process.\n"
	    "# TYPE mpicd_info gauge\n"
	    "mpicd_info{pid=\"%d\",role=\"%s\",version=\"%s\","
	    "spec=\"%s\"} 1\n", (int)pid, role, MPIC_VERSION,
	    MPIC_OPEN_MPIC_SPEC_VERSION);
	fprintf(f, "# HELP mpicd_requests_total API requests by check type, "
	    "method and result.\n# TYPE mpicd_requests_total counter\n");
	for (m = 0; m < MPICD_M__N; m++)
		for (r = 0; r < MPICD_R__N; r++)
			if (d->m.req[m][r] > 0)
				fprintf(f, "mpicd_requests_total{pid=\"%d\","
				    "check_type=\"%s\",method=\"%s\","
				    "result=\"%s\"} %llu\n", (int)pid,
				    check_label(m), method_label(m),
				    result_label(d, r),
				    (unsigned long long)d->m.req[m][r]);
	fprintf(f, "# HELP mpicd_request_duration_seconds API request "
	    "latency.\n# TYPE mpicd_request_duration_seconds histogram\n");
	for (m = 0; m < MPICD_M__N; m++) {
		for (r = 0; r < MPICD_R__N; r++) {
			uint64_t cum = 0;
			char lab[160];

			if (d->m.req[m][r] == 0)
				continue;
			mpicx_bufprintf(lab, sizeof(lab), "pid=\"%d\","
			    "check_type=\"%s\",method=\"%s\",result=\"%s\"",
			    (int)pid, check_label(m), method_label(m),
			    result_label(d, r));
			for (b = 0; b < MPICD_BUCKETS; b++) {
				cum += d->m.hist[m][r][b];
				if (b < MPICD_BUCKETS - 1)
					fprintf(f, "mpicd_request_duration_"
					    "seconds_bucket{%s,le=\"%g\"} "
					    "%llu\n", lab, bucket_s[b],
					    (unsigned long long)cum);
				else
					fprintf(f, "mpicd_request_duration_"
					    "seconds_bucket{%s,le=\"+Inf\"} "
					    "%llu\n", lab,
					    (unsigned long long)cum);
			}
			fprintf(f, "mpicd_request_duration_seconds_sum{%s} "
			    "%.6f\n", lab, d->m.sum_s[m][r]);
			fprintf(f, "mpicd_request_duration_seconds_count{%s} "
			    "%llu\n", lab, (unsigned long long)cum);
		}
	}
	fprintf(f, "# HELP mpicd_requests_in_flight API requests being "
	    "answered.\n# TYPE mpicd_requests_in_flight gauge\n"
	    "mpicd_requests_in_flight{pid=\"%d\"} %u\n", (int)pid,
	    d->inflight);
	fprintf(f, "# HELP mpicd_http_responses_total Responses by status "
	    "class.\n# TYPE mpicd_http_responses_total counter\n");
	for (i = 1; i < 6; i++)
		fprintf(f, "mpicd_http_responses_total{pid=\"%d\",code=\"%zuxx\"}"
		    " %llu\n", (int)pid, i,
		    (unsigned long long)d->m.http_status[i]);
	fprintf(f, "# HELP mpicd_auth_failures_total Requests refused for "
	    "their API key.\n# TYPE mpicd_auth_failures_total counter\n"
	    "mpicd_auth_failures_total{pid=\"%d\",reason=\"missing\"} %llu\n"
	    "mpicd_auth_failures_total{pid=\"%d\",reason=\"wrong\"} %llu\n",
	    (int)pid, (unsigned long long)d->m.auth_missing, (int)pid,
	    (unsigned long long)d->m.auth_wrong);
	if (d->ssl != NULL)
		fprintf(f, "# HELP mpicd_tls_connections TLS connections.\n"
		    "# TYPE mpicd_tls_connections gauge\n"
		    "mpicd_tls_connections{pid=\"%d\"} %u\n"
		    "# TYPE mpicd_tls_connections_total counter\n"
		    "mpicd_tls_connections_total{pid=\"%d\"} %llu\n"
		    "# HELP mpicd_tls_resumed_total TLS handshakes that "
		    "resumed a session (no certificates, no signature).\n"
		    "# TYPE mpicd_tls_resumed_total counter\n"
		    "mpicd_tls_resumed_total{pid=\"%d\"} %llu\n",
		    (int)pid, d->conns, (int)pid,
		    (unsigned long long)d->m.tls_conns_total, (int)pid,
		    (unsigned long long)d->m.tls_resumed_total);
	if (d->eng != NULL) {
		size_t np = mpic_engine_persp_count(d->eng);
		const struct mpic_persp_stats *pri =
		    mpic_engine_primary_stats(d->eng), *p;

		fprintf(f, "# HELP mpicd_perspective_checks_total Checks by "
		    "perspective and result (primary=\"true\": the primary "
		    "perspective, run in-process).\n"
		    "# TYPE mpicd_perspective_checks_total counter\n");
		if (pri != NULL)
			checks_rows(f, pid, pri, true);
		for (i = 0; i < np; i++)
			if ((p = mpic_engine_persp_stats(d->eng, i)) != NULL)
				checks_rows(f, pid, p, false);
		fprintf(f, "# HELP mpicd_perspective_up Remote perspective "
		    "reachable at its last call (1), not (0), not called "
		    "yet (-1).\n# TYPE mpicd_perspective_up gauge\n");
		for (i = 0; i < np; i++) {
			p = mpic_engine_persp_stats(d->eng, i);
			if (p == NULL || !p->remote)
				continue;
			fprintf(f, "mpicd_perspective_up{pid=\"%d\","
			    "perspective=\"%s\"} %d\n", (int)pid, p->code,
			    p->reach == MPIC_REACH_OK ? 1 :
			    p->reach == MPIC_REACH_FAILED ? 0 : -1);
		}
		audit_metrics(f, pid, d);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static char *
dump(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return s;
}

static json_t *
iso_time(uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;
	char buf[32];

	if (ns == 0)
		return json_null();
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/*
 * The primary in /healthz, or null: none configured.  It runs in-process
 * (its own resolver and cache, made when the worker started: a worker
 * whose primary resolver could not be made does not run), so it is ready
 * whenever the worker answers; it has no reachability of its own.
 */
static json_t *
primary_health(struct mpic_engine *eng)
{
	const struct mpic_persp_stats *p = mpic_engine_primary_stats(eng);

	if (p == NULL)
		return json_null();
	return json_pack("{s:s, s:s, s:b, s:b}", "perspective_code",
	    p->code, "rir", p->rir, "remote", 0,
	    "ready", 1);
}

/*
 * The audit log in /healthz, or NULL: none.  *bad when answers cannot be
 * given: a write or fdatasync stuck longer than audit.sync_timeout_ms
 * (until it completes), or a failed write (until a restart).
 */
static json_t *
audit_health(struct mpicd *d, bool *bad)
{
	const struct mpic_audit_stats *st = mpic_engine_audit_stats(d->eng);
	json_t *a;

	if (st == NULL)
		return NULL;
	a = json_pack("{s:s, s:I, s:I, s:I, s:i}", "state", st->failed ?
	    "failed" : st->stalled ? "stalled" : "ok", "waiting_ms",
	    (json_int_t)st->waiting_ms, "io_ms", (json_int_t)st->io_ms,
	    "pending_records", (json_int_t)st->pending, "sync_timeout_ms",
	    (int)st->sync_timeout_ms);
	if (a != NULL && st->failed)
		json_object_set_new(a, "error", json_string(st->failed_errno ?
		    strerror(st->failed_errno) : mpic_strerror(st->failed)));
	*bad = st->failed != 0 || st->stalled;
	return a;
}

void
mpicd_audit_notice(void *arg, enum mpic_audit_notice what, uint64_t ms,
		   uint64_t refused)
{
	struct mpicd *d = arg;
	const struct mpic_audit_stats *st;
	char detail[256];

	switch (what) {
	case MPIC_AUDIT_N_STALLED:
		mpicx_bufprintf(detail, sizeof(detail), "the oldest record "
		    "has waited %llu ms, audit.sync_timeout_ms is %u",
		    (unsigned long long)ms, d->cfg->audit_sync_timeout_ms);
		mpicd_log("error", "audit log stalled: a write or fdatasync "
		    "does not complete; requests are refused until it does",
		    "detail", detail);
		break;
	case MPIC_AUDIT_N_RECOVERED:
		mpicx_bufprintf(detail, sizeof(detail), "requests were "
		    "refused for %llu ms, %llu of them",
		    (unsigned long long)ms, (unsigned long long)refused);
		mpicd_log("info", "audit log durable again", "detail",
		    detail);
		break;
	default:
		st = mpic_engine_audit_stats(d->eng);
		mpicd_log("error", "audit log write failed: every request is "
		    "refused until mpicd is restarted", "reason",
		    st == NULL ? "unknown" : st->failed_errno ?
		    strerror(st->failed_errno) : mpic_strerror(st->failed));
		break;
	}
}

char *
mpicd_healthz(struct mpicd *d, int *status)
{
	json_t *o = json_object(), *list, *audit = NULL;
	bool degraded = false, unhealthy = false;
	size_t i, np;

	*status = d->draining ? 503 : 200;
	json_object_set_new(o, "role", json_string(
	    role_str(d->cfg->role)));
	json_object_set_new(o, "pid", json_integer(getpid()));
	if (d->cfg->role == MPIC_ROLE_PERSPECTIVE) {
		json_object_set_new(o, "perspective_code",
		    json_string(d->cfg->identity.code));
		json_object_set_new(o, "rir", json_string(
		    d->cfg->identity.rir));
	} else if (d->eng != NULL) {
		list = json_array();
		np = mpic_engine_persp_count(d->eng);
		for (i = 0; i < np; i++) {
			const struct mpic_persp_stats *p =
			    mpic_engine_persp_stats(d->eng, i);
			json_t *e;
			bool remote;

			if (p == NULL)
				continue;       /* out of memory */
			e = json_object();
			remote = p->remote;
			json_object_set_new(e, "perspective_code",
			    json_string(p->code));
			json_object_set_new(e, "rir",
			    json_string(p->rir));
			json_object_set_new(e, "remote", json_boolean(remote));
			if (remote) {
				json_object_set_new(e, "reachable",
				    p->reach == MPIC_REACH_UNKNOWN ?
				    json_null() : json_boolean(p->reach ==
				    MPIC_REACH_OK));
				json_object_set_new(e, "last_call",
				    iso_time(p->last_call_ns));
				if (p->reach == MPIC_REACH_FAILED) {
					json_object_set_new(e, "last_error",
					    json_string(p->last_error));
					degraded = true;
				}
			}
			json_array_append_new(list, e);
		}
		json_object_set_new(o, "perspectives", list);
		json_object_set_new(o, "primary", primary_health(d->eng));
		audit = audit_health(d, &unhealthy);
		if (audit != NULL)
			json_object_set_new(o, "audit", audit);
	}
	if (unhealthy)
		*status = 503;
	json_object_set_new(o, "status", json_string(d->draining ?
	    "draining" : unhealthy ? "unhealthy" : degraded ? "degraded" :
	    "ok"));
	return dump(o);
}

char *
mpicd_configz(struct mpicd *d)
{
	const struct mpic_settings *cfg = d->cfg;
	enum mpicd_client_auth ca = mpicd_client_auth(cfg);
	json_t *o = json_object(), *lim, *tls, *orch, *list, *dcv;
	size_t i;

	json_object_set_new(o, "version", json_string(MPIC_VERSION));
	json_object_set_new(o, "open_mpic_spec_version",
	    json_string(MPIC_OPEN_MPIC_SPEC_VERSION));
	json_object_set_new(o, "br_version", json_string(MPIC_BR_VERSION));
	json_object_set_new(o, "role", json_string(
	    role_str(cfg->role)));
	json_object_set_new(o, "listen", json_string(cfg->listen));
	json_object_set_new(o, "api_keys", json_boolean(d->keys.n > 0));
	tls = json_object();
	json_object_set_new(tls, "enabled", json_boolean(d->ssl != NULL));
	json_object_set_new(tls, "min_version", d->ssl == NULL ? json_null() :
	    json_string(cfg->role == MPIC_ROLE_PERSPECTIVE ? "TLSv1.3" :
	    "TLSv1.2"));
	json_object_set_new(tls, "client_certificates", json_string(
	    ca == MPICD_CA_REQUIRED ? "required" : ca == MPICD_CA_OPTIONAL ?
	    "optional" : "none"));
	json_object_set_new(tls, "allowed_peers",
	    json_integer((json_int_t)mpicd_tls_peers_count()));
	json_object_set_new(o, "tls", tls);
	lim = json_object();
	json_object_set_new(lim, "max_body_bytes", json_integer(MPIC_MAX_BODY));
	json_object_set_new(lim, "max_header_bytes",
	    json_integer(cfg->max_header_bytes));
	json_object_set_new(lim, "max_connections",
	    json_integer(cfg->max_connections));
	json_object_set_new(lim, "io_timeout_ms",
	    json_integer(cfg->io_timeout_ms));
	json_object_set_new(lim, "read_deadline_ms",
	    json_integer(cfg->read_deadline_ms));
	json_object_set_new(lim, "drain_timeout_ms",
	    json_integer(cfg->drain_timeout_ms));
	json_object_set_new(lim, "request_timeout_ms",
	    json_integer(cfg->request_timeout_ms));
	json_object_set_new(lim, "remote_timeout_ms",
	    json_integer(cfg->remote_timeout_ms ? cfg->remote_timeout_ms :
	    cfg->request_timeout_ms / 10 * 9));
	if (cfg->role != MPIC_ROLE_PERSPECTIVE)
		json_object_set_new(lim, "audit_sync_timeout_ms",
		    json_integer(cfg->audit_sync_timeout_ms));
	json_object_set_new(o, "limits", lim);
	/* the checks this process runs itself (a perspective's, the
	 * in-process ones, a coordinator's primary) follow this many */
	dcv = json_object();
	json_object_set_new(dcv, "max_redirects",
	    json_integer(cfg->max_redirects));
	json_object_set_new(o, "dcv", dcv);
	if (cfg->role == MPIC_ROLE_PERSPECTIVE) {
		json_object_set_new(o, "identity", json_pack("{s:s, s:s}",
		    "perspective_code", cfg->identity.code, "rir",
		    cfg->identity.rir));
	} else {
		orch = json_object();
		json_object_set_new(orch, "default_perspective_count",
		    json_integer(cfg->default_perspective_count));
		json_object_set_new(orch, "max_attempts_cap",
		    json_integer(cfg->max_attempts_cap));
		json_object_set_new(orch, "br_minimums",
		    json_string(cfg->br_lab ? "lab" : "enforce"));
		json_object_set_new(orch, "early_decision",
		    json_boolean(cfg->early_decision));
		json_object_set_new(o, "orchestration", orch);
		list = json_array();
		for (i = 0; i < cfg->n_perspectives; i++)
			json_array_append_new(list, json_pack("{s:s, s:s, s:b}",
			    "perspective_code", cfg->perspectives[i].code,
			    "rir", cfg->perspectives[i].rir,
			    "remote", cfg->perspectives[i].url != NULL));
		json_object_set_new(o, "perspectives", list);
		json_object_set_new(o, "primary", !cfg->has_primary ?
		    json_null() : json_pack("{s:s, s:s, s:{s:f, s:f}}",
		    "perspective_code", cfg->primary.code, "rir",
		    cfg->primary.rir, "location", "lat",
		    cfg->primary.lat, "lon", cfg->primary.lon));
	}
	return dump(o);
}
