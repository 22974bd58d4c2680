/*
 * admin_metrics.c - the metrics of the whole process (docs/metrics.md):
 * the shared region of admin.h, each worker's slot, and the text of the
 * admin listener's /metrics, summed over every worker, without a pid.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "admin.h"

#define LD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ST(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)

/* The library's counters in the slot when this worker took it over. */
static struct mpicd_libslot base;

struct mpicd_shm *
mpicd_shm_new(void)
{
	void *p = mmap(NULL, sizeof(struct mpicd_shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	return p;       /* zeroed */
}

void
mpicd_shm_free(struct mpicd_shm *shm)
{
	if (shm != NULL)
		munmap(shm, sizeof(*shm));
}

static struct mpicd_wslot *
myslot(struct mpicd *d)
{
	return d->shm != NULL ? &d->shm->w[d->slot] : NULL;
}

static void
copy_words(uint64_t *dst, const uint64_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = LD(&src[i]);
}

void
mpicd_stats_attach(struct mpicd *d, struct mpicd_shm *shm, int index)
{
	struct mpicd_wslot *w;

	d->shm = shm;
	d->slot = index < 0 ? 0 : index;
	if (shm == NULL || d->slot >= MPICD_SLOTS) {
		d->shm = NULL;
		return;
	}
	w = myslot(d);
	copy_words((uint64_t *)(void *)&base, (const uint64_t *)(void *)&w->lib,
	    sizeof(base) / sizeof(uint64_t));
	ST(&w->pid, (uint64_t)getpid());
}

static int
endpoint_of(const char *path)
{
	if (strcmp(path, "/mpic") == 0)
		return MPICD_EP_MPIC;
	if (strcmp(path, "/caa") == 0)
		return MPICD_EP_CAA;
	if (strcmp(path, "/dcv") == 0)
		return MPICD_EP_DCV;
	if (strcmp(path, "/diagnose") == 0)
		return MPICD_EP_DIAGNOSE;
	return -1;
}

static int
check_type_of(int midx)
{
	return midx == MPICD_M_CAA ? 0 : midx == MPICD_M_UNKNOWN ? 2 : 1;
}

static int
decision_of(const char *s)
{
	static const char *const names[] = { "corroborated", "quorum_not_met",
	    "rir_rule_failed", "primary_failed" };
	int i;

	for (i = 0; s != NULL && i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return MPICD_D_ERROR;
}

void
mpicd_stats_request(struct mpicd *d, const struct mpicd_call *c, int status,
		    uint64_t ms)
{
	struct mpicd_wslot *w = myslot(d);
	int ep, o, ct, midx = c->midx;

	if (w == NULL || (ep = endpoint_of(c->path)) < 0)
		return;
	if (midx < 0 || midx >= MPICD_M__N)
		midx = MPICD_M_UNKNOWN;
	o = status >= 500 || c->result == MPICD_R_ERROR ? MPICD_O_ERROR :
	    status >= 400 || c->result < 0 || c->result == MPICD_R_REJECTED ?
	    MPICD_O_REFUSED : c->result == MPICD_R_OK ? MPICD_O_VALID :
	    MPICD_O_INVALID;
	ADD(&w->req[ep][midx][o], 1);
	/* a decision: a coordinator's 200, or its own failure (5xx) */
	if (ep != MPICD_EP_MPIC || (status != 200 && status < 500))
		return;
	ct = check_type_of(midx);
	ADD(&w->dec[ct][status == 200 ? decision_of(c->decision) :
	    MPICD_D_ERROR], 1);
	ADD(&w->dec_b[ct][mpic_stats_bucket(ms * 1000u)], 1);
	ADD(&w->dec_us[ct], ms * 1000u);
	mpicd_stats_publish(d);
}

static uint64_t
not_after(X509 *x)
{
	const ASN1_TIME *t = x != NULL ? X509_get0_notAfter(x) : NULL;
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (uint64_t)timegm(&tm);
}

/* The library's check counts into w, on top of the base. */
static void
checks_publish(struct mpicd_wslot *w, const struct mpic_check_stats *st)
{
	const struct mpic_check_stats *b = &base.checks;
	size_t i, j;

	if (st == NULL)
		return;
	for (i = 0; i < MPIC_STATS_RCODES; i++)
		for (j = 0; j < MPIC_STATS_DNSSEC__N; j++)
			ST(&w->lib.checks.dns[i][j], b->dns[i][j] +
			    st->dns[i][j]);
	for (i = 0; i < MPIC_STATS_OUT__N; i++) {
		ST(&w->lib.checks.http[i], b->http[i] + st->http[i]);
		ST(&w->lib.checks.alpn[i], b->alpn[i] + st->alpn[i]);
	}
}

void
mpicd_stats_publish(struct mpicd *d)
{
	struct mpicd_wslot *w = myslot(d);
	const struct mpic_audit_stats *au;
	size_t i, k, np;

	if (w == NULL)
		return;
	ST(&w->conns_api, (uint64_t)d->conns);
	ST(&w->conns_admin, (uint64_t)d->admin_conns);
	ST(&w->tls_in, d->m.tls_conns_total);
	ST(&w->tls_in_resumed, d->m.tls_resumed_total);
	ST(&w->cert_server, d->ssl != NULL ?
	    not_after(SSL_CTX_get0_certificate(d->ssl)) : 0);
	ST(&w->cert_client, d->eng != NULL ?
	    not_after(mpicd_tls_client_cert()) : 0);
	checks_publish(w, d->eng != NULL ? mpic_engine_check_stats(d->eng) :
	    d->self != NULL ? mpic_persp_check_stats(d->self) : NULL);
	if (d->eng == NULL)
		return;
	np = mpic_engine_persp_count(d->eng);
	for (i = 0; i < np && i < MPICD_SLOT_PERSP; i++) {
		const struct mpic_persp_stats *p =
		    mpic_engine_persp_stats(d->eng, i);
		struct mpicd_pslot *s = &w->lib.p[i];
		const struct mpicd_pslot *b = &base.p[i];

		if (p == NULL || !p->remote)
			continue;
		for (k = 0; k < MPIC_CALL__N; k++)
			ST(&s->calls[k], b->calls[k] + p->calls[k]);
		for (k = 0; k < MPICD_B; k++)
			ST(&s->b[k], b->b[k] + p->call_buckets[k]);
		ST(&s->us, b->us + p->call_us);
		ST(&s->hs[0], b->hs[0] + p->tls_handshakes[0]);
		ST(&s->hs[1], b->hs[1] + p->tls_handshakes[1]);
		ST(&s->up, p->reach == MPIC_REACH_OK ? 2u :
		    p->reach == MPIC_REACH_FAILED ? 1u : 0u);
		ST(&s->seen_ns, p->last_call_ns);
	}
	if ((au = mpic_engine_audit_stats(d->eng)) == NULL)
		return;
	ST(&w->audit_on, 1);
	ST(&w->lib.audit_records, base.audit_records + au->records);
	for (i = 0; i < MPICD_B; i++)
		ST(&w->lib.audit_b[i], base.audit_b[i] + au->write_buckets[i]);
	ST(&w->lib.audit_us, base.audit_us + au->write_us);
	/* a stall counted once, when this worker first sees it */
	if (au->stalled && !LD(&w->was_stalled))
		ADD(&w->lib.audit_stalls, 1);
	ST(&w->was_stalled, au->stalled ? 1u : 0u);
	ST(&w->audit_stalled, au->stalled || au->failed ? 1u : 0u);
	ST(&w->audit_q_records, au->pending);
	ST(&w->audit_q_bytes, au->pending_bytes);
}

/* Slots of workers alive now (a dead one's gauges are stale). */
static bool
live(const struct mpicd_wslot *w)
{
	uint64_t pid = LD(&w->pid);

	return pid != 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int
mpicd_stats_persp_up(struct mpicd *d, size_t i)
{
	const struct mpicd_wslot *w;
	uint64_t best = 0, up = 0;
	int k;

	if (d->shm == NULL || i >= MPICD_SLOT_PERSP) {
		const struct mpic_persp_stats *p = d->eng != NULL ?
		    mpic_engine_persp_stats(d->eng, i) : NULL;

		return p == NULL || p->reach == MPIC_REACH_UNKNOWN ? -1 :
		    p->reach == MPIC_REACH_OK;
	}
	mpicd_stats_publish(d);
	for (k = 0; k < MPICD_SLOTS; k++) {
		w = &d->shm->w[k];
		if (!live(w) || LD(&w->lib.p[i].up) == 0)
			continue;
		if (up == 0 || LD(&w->lib.p[i].seen_ns) > best) {
			best = LD(&w->lib.p[i].seen_ns);
			up = LD(&w->lib.p[i].up);
		}
	}
	return up == 0 ? -1 : up == 2 ? 1 : 0;
}

bool
mpicd_stats_audit_stalled(struct mpicd *d)
{
	const struct mpic_audit_stats *au;
	int k;

	if (d->shm == NULL) {
		au = d->eng != NULL ? mpic_engine_audit_stats(d->eng) : NULL;
		return au != NULL && (au->stalled || au->failed);
	}
	mpicd_stats_publish(d);
	for (k = 0; k < MPICD_SLOTS; k++)
		if (live(&d->shm->w[k]) && LD(&d->shm->w[k].audit_stalled))
			return true;
	return false;
}

/* ------------------------------------------------------------ /metrics */

static const char *const ep_label[MPICD_EP__N] = { "mpic", "caa", "dcv",
	"diagnose" };
static const char *const o_label[MPICD_O__N] = { "valid", "invalid", "error",
	"refused" };
static const char *const ct_label[MPICD_CT__N] = { "caa", "dcv", "unknown" };
static const char *const d_label[MPICD_D__N] = { "corroborated",
	"quorum_not_met", "rir_rule_failed", "primary_failed", "error" };
static const char *const call_label[MPIC_CALL__N] = { "corroborated",
	"failed", "timed_out", "misidentified", "bad_answer" };

static const char *
role_label(enum mpic_role r)
{
	return r == MPIC_ROLE_PERSPECTIVE ? "perspective" :
	    r == MPIC_ROLE_COORDINATOR ? "coordinator" : "all-in-one";
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

/* A label value: backslash, quote and newline escaped. */
static void
put_value(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A histogram's rows from per-bucket counts b (not cumulative); labels
 * (may be "") go before le. */
static void
histogram(FILE *f, const char *name, const char *labels, const uint64_t *b,
	  uint64_t us)
{
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i < MPICD_B; i++) {
		cum += b[i];
		if (i < MPICD_B - 1)
			fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name,
			    labels, labels[0] ? "," : "",
			    mpic_stats_bucket_le(i), (unsigned long long)cum);
		else
			fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name,
			    labels, labels[0] ? "," : "",
			    (unsigned long long)cum);
	}
	fprintf(f, "%s_sum%s%s%s %.6f\n%s_count%s%s%s %llu\n", name,
	    labels[0] ? "{" : "", labels, labels[0] ? "}" : "",
	    (double)us / 1e6, name, labels[0] ? "{" : "", labels,
	    labels[0] ? "}" : "", (unsigned long long)cum);
}

/* The sum over the slots of word off (bytes into a slot); live: only the
 * workers alive now (gauges). */
static uint64_t
sum(const struct mpicd_shm *shm, size_t off, bool only_live)
{
	uint64_t t = 0;
	int k;

	for (k = 0; k < MPICD_SLOTS; k++) {
		const struct mpicd_wslot *w = &shm->w[k];

		if (LD(&w->pid) == 0 || (only_live && !live(w)))
			continue;
		t += LD((const uint64_t *)(const void *)((const char *)w +
		    off));
	}
	return t;
}

#define SUM(field) sum(d->shm, offsetof(struct mpicd_wslot, field), false)
#define GAUGE(field) sum(d->shm, offsetof(struct mpicd_wslot, field), true)

static uint64_t
max_live(const struct mpicd_shm *shm, size_t off)
{
	uint64_t t = 0, v;
	int k;

	for (k = 0; k < MPICD_SLOTS; k++) {
		const struct mpicd_wslot *w = &shm->w[k];

		if (!live(w))
			continue;
		v = LD((const uint64_t *)(const void *)((const char *)w + off));
		if (v > t)
			t = v;
	}
	return t;
}

static void
requests(FILE *f, struct mpicd *d)
{
	int ep, m, o;
	uint64_t n;

	family(f, "mpic_requests_total", "counter", "API requests answered, "
	    "by endpoint, check type, method and outcome (refused: a 4xx).");
	for (ep = 0; ep < MPICD_EP__N; ep++)
		for (m = 0; m < MPICD_M__N; m++)
			for (o = 0; o < MPICD_O__N; o++)
				if ((n = SUM(req[ep][m][o])) > 0)
					fprintf(f, "mpic_requests_total{"
					    "endpoint=\"%s\",check_type=\"%s\","
					    "method=\"%s\",outcome=\"%s\"} "
					    "%llu\n", ep_label[ep],
					    ct_label[check_type_of(m)],
					    method_label(m), o_label[o],
					    (unsigned long long)n);
}

static void
decisions(FILE *f, struct mpicd *d)
{
	uint64_t b[MPICD_B];
	int ct, r;
	size_t i;
	char lab[64];

	family(f, "mpic_decisions_total", "counter", "MPIC decisions by check "
	    "type and result.");
	for (ct = 0; ct < MPICD_CT__N; ct++)
		for (r = 0; r < MPICD_D__N; r++)
			if (ct < 2 || SUM(dec[ct][r]) > 0)
				fprintf(f, "mpic_decisions_total{check_type="
				    "\"%s\",result=\"%s\"} %llu\n",
				    ct_label[ct], d_label[r],
				    (unsigned long long)SUM(dec[ct][r]));
	family(f, "mpic_decision_duration_seconds", "histogram", "From a "
	    "request's arrival to its decision.");
	for (ct = 0; ct < MPICD_CT__N; ct++) {
		for (i = 0; i < MPICD_B; i++)
			b[i] = SUM(dec_b[ct][i]);
		if (ct == 2 && b[MPICD_B - 1] == 0 && SUM(dec_us[ct]) == 0)
			continue;
		mpicx_bufprintf(lab, sizeof(lab), "check_type=\"%s\"",
		    ct_label[ct]);
		histogram(f, "mpic_decision_duration_seconds", lab, b,
		    SUM(dec_us[ct]));
	}
}

static void
perspectives(FILE *f, struct mpicd *d)
{
	size_t np = mpic_engine_persp_count(d->eng), i, k;
	uint64_t b[MPICD_B];
	char lab[200];
	int up;

	family(f, "mpic_perspective_calls_total", "counter", "Calls to each "
	    "remote perspective by how they ended.");
	for (i = 0; i < np && i < MPICD_SLOT_PERSP; i++) {
		const struct mpic_persp_stats *p =
		    mpic_engine_persp_stats(d->eng, i);

		if (p == NULL || !p->remote)
			continue;
		for (k = 0; k < MPIC_CALL__N; k++) {
			fputs("mpic_perspective_calls_total{perspective=\"", f);
			put_value(f, p->code);
			fputs("\",rir=\"", f);
			put_value(f, p->rir);
			fprintf(f, "\",result=\"%s\"} %llu\n", call_label[k],
			    (unsigned long long)SUM(lib.p[i].calls[k]));
		}
	}
	family(f, "mpic_perspective_call_duration_seconds", "histogram",
	    "One call's round trip, by remote perspective.");
	for (i = 0; i < np && i < MPICD_SLOT_PERSP; i++) {
		const struct mpic_persp_stats *p =
		    mpic_engine_persp_stats(d->eng, i);

		if (p == NULL || !p->remote || strchr(p->code, '"') != NULL ||
		    strchr(p->code, '\\') != NULL)
			continue;       /* codes are [a-z0-9-] in practice */
		for (k = 0; k < MPICD_B; k++)
			b[k] = SUM(lib.p[i].b[k]);
		mpicx_bufprintf(lab, sizeof(lab), "perspective=\"%s\","
		    "rir=\"%s\"", p->code, p->rir);
		histogram(f, "mpic_perspective_call_duration_seconds", lab, b,
		    SUM(lib.p[i].us));
	}
	family(f, "mpic_perspective_up", "gauge", "1: the last call or probe "
	    "of the remote perspective got a well-formed answer; 0: it did "
	    "not, or none yet.");
	for (i = 0; i < np; i++) {
		const struct mpic_persp_stats *p =
		    mpic_engine_persp_stats(d->eng, i);

		if (p == NULL || !p->remote)
			continue;
		up = mpicd_stats_persp_up(d, i);
		fputs("mpic_perspective_up{perspective=\"", f);
		put_value(f, p->code);
		fputs("\",rir=\"", f);
		put_value(f, p->rir);
		fprintf(f, "\"} %d\n", up == 1 ? 1 : 0);
	}
}

static void
audit(FILE *f, struct mpicd *d)
{
	uint64_t b[MPICD_B];
	size_t i;

	family(f, "mpic_audit_records_total", "counter", "Audit records made "
	    "durable.");
	fprintf(f, "mpic_audit_records_total %llu\n",
	    (unsigned long long)SUM(lib.audit_records));
	family(f, "mpic_audit_write_duration_seconds", "histogram", "One "
	    "write and fdatasync of the audit log (a group of records).");
	for (i = 0; i < MPICD_B; i++)
		b[i] = SUM(lib.audit_b[i]);
	histogram(f, "mpic_audit_write_duration_seconds", "", b,
	    SUM(lib.audit_us));
	family(f, "mpic_audit_queue_records", "gauge", "Audit records waiting "
	    "to be durable.");
	fprintf(f, "mpic_audit_queue_records %llu\n",
	    (unsigned long long)GAUGE(audit_q_records));
	family(f, "mpic_audit_queue_bytes", "gauge", "Their size.");
	fprintf(f, "mpic_audit_queue_bytes %llu\n",
	    (unsigned long long)GAUGE(audit_q_bytes));
	family(f, "mpic_audit_stalled", "gauge", "1 while a worker's audit "
	    "log is past audit.sync_timeout_ms or failed: validations are "
	    "refused.");
	fprintf(f, "mpic_audit_stalled %d\n", mpicd_stats_audit_stalled(d) ?
	    1 : 0);
	family(f, "mpic_audit_stalls_total", "counter", "Stalls so far.");
	fprintf(f, "mpic_audit_stalls_total %llu\n",
	    (unsigned long long)SUM(lib.audit_stalls));
}

/* DNS lookups, HTTP fetches and TLS-ALPN handshakes of the checks. */
static void
checks(FILE *f, struct mpicd *d)
{
	size_t i, j;
	uint64_t n;

	family(f, "mpic_dns_lookups_total", "counter", "DNS lookups of the "
	    "checks run in this process, by final rcode (timeout, failed: "
	    "none) and DNSSEC state.");
	for (i = 0; i < MPIC_STATS_RCODES; i++)
		for (j = 0; j < MPIC_STATS_DNSSEC__N; j++)
			if ((n = SUM(lib.checks.dns[i][j])) > 0)
				fprintf(f, "mpic_dns_lookups_total{rcode=\"%s\","
				    "dnssec=\"%s\"} %llu\n",
				    mpic_stats_rcode_name(i),
				    mpic_stats_dnssec_name(j),
				    (unsigned long long)n);
	family(f, "mpic_http_fetches_total", "counter", "HTTP transfers of "
	    "acme-http-01 and website-change (each address, each redirect), "
	    "by outcome.");
	for (i = 0; i < MPIC_STATS_OUT__N; i++)
		if ((n = SUM(lib.checks.http[i])) > 0)
			fprintf(f, "mpic_http_fetches_total{outcome=\"%s\"} "
			    "%llu\n", mpic_stats_outcome_name(i),
			    (unsigned long long)n);
	family(f, "mpic_tls_alpn_handshakes_total", "counter", "TLS-ALPN-01 "
	    "handshakes (each address), by outcome.");
	for (i = 0; i < MPIC_STATS_OUT__N; i++)
		if ((n = SUM(lib.checks.alpn[i])) > 0)
			fprintf(f, "mpic_tls_alpn_handshakes_total{outcome="
			    "\"%s\"} %llu\n", mpic_stats_outcome_name(i),
			    (unsigned long long)n);
}

/* utime + stime (ticks), RSS (bytes) and open descriptors of pid. */
static bool
proc_read(pid_t pid, uint64_t *ticks, uint64_t *rss, uint64_t *fds)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0, pages = 0;
	struct dirent *e;
	FILE *fp;
	DIR *dir;
	size_t n;

	mpicx_bufprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* after the command's closing parenthesis: field 3 on */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2, "%*c %*d %*d "
	    "%*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return false;
	mpicx_bufprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fscanf(fp, "%*u %llu", &pages) != 1)
			pages = 0;
		fclose(fp);
	}
	*ticks += ut + st;
	*rss += pages * (uint64_t)sysconf(_SC_PAGESIZE);
	mpicx_bufprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((dir = opendir(path)) != NULL) {
		while ((e = readdir(dir)) != NULL)
			if (e->d_name[0] != '.')
				(*fds)++;
		closedir(dir);
		if (pid == getpid())
			(*fds)--;       /* the directory's own */
	}
	return true;
}

static void
process(FILE *f, struct mpicd *d)
{
	uint64_t ticks = 0, rss = 0, fds = 0, mainpid = LD(&d->shm->main_pid);
	long hz = sysconf(_SC_CLK_TCK);
	int k;

	if (mainpid != 0)
		proc_read((pid_t)mainpid, &ticks, &rss, &fds);
	for (k = 0; k < MPICD_SLOTS; k++) {
		const struct mpicd_wslot *w = &d->shm->w[k];
		uint64_t pid = LD(&w->pid);

		if (pid != 0 && pid != mainpid && live(w))
			proc_read((pid_t)pid, &ticks, &rss, &fds);
	}
	family(f, "process_cpu_seconds_total", "counter", "CPU time of the "
	    "main process and the workers alive now.");
	fprintf(f, "process_cpu_seconds_total %.2f\n", (double)ticks /
	    (double)(hz > 0 ? hz : 100));
	family(f, "process_resident_memory_bytes", "gauge", "Their resident "
	    "memory.");
	fprintf(f, "process_resident_memory_bytes %llu\n",
	    (unsigned long long)rss);
	family(f, "process_open_fds", "gauge", "Their open descriptors.");
	fprintf(f, "process_open_fds %llu\n", (unsigned long long)fds);
	family(f, "process_start_time_seconds", "gauge", "The main process's "
	    "start, Unix time.");
	fprintf(f, "process_start_time_seconds %.3f\n",
	    (double)LD(&d->shm->start_ns) / 1e9);
}

char *
mpicd_stats_metrics(struct mpicd *d, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	uint64_t t;
	FILE *f;

	if (d->shm == NULL)
		return mpicd_metrics(d, len);   /* no region: this worker's */
	mpicd_stats_publish(d);
	if ((f = open_memstream(&buf, &n)) == NULL)
		return NULL;
	family(f, "mpic_build_info", "gauge", "The build and the rules it "
	    "implements.");
	fprintf(f, "mpic_build_info{version=\"%s\",br_version=\"%s\","
	    "open_mpic_version=\"%s\",role=\"%s\"} 1\n", mpic_version(),
	    MPIC_BR_VERSION, MPIC_OPEN_MPIC_SPEC_VERSION,
	    role_label(d->cfg->role));
	requests(f, d);
	if (d->eng != NULL) {
		decisions(f, d);
		perspectives(f, d);
	}
	checks(f, d);
	family(f, "mpic_tls_handshakes_total", "counter", "TLS handshakes of "
	    "mpicd's own connections (in: accepted).");
	t = SUM(tls_in);
	fprintf(f, "mpic_tls_handshakes_total{direction=\"in\",resumed="
	    "\"true\"} %llu\nmpic_tls_handshakes_total{direction=\"in\","
	    "resumed=\"false\"} %llu\n",
	    (unsigned long long)SUM(tls_in_resumed),
	    (unsigned long long)(t - SUM(tls_in_resumed)));
	if (d->eng != NULL) {
		uint64_t hs[2] = { 0, 0 };
		size_t i;

		for (i = 0; i < MPICD_SLOT_PERSP; i++) {
			hs[0] += SUM(lib.p[i].hs[0]);
			hs[1] += SUM(lib.p[i].hs[1]);
		}
		fprintf(f, "mpic_tls_handshakes_total{direction=\"out\","
		    "resumed=\"true\"} %llu\nmpic_tls_handshakes_total{"
		    "direction=\"out\",resumed=\"false\"} %llu\n",
		    (unsigned long long)hs[1], (unsigned long long)hs[0]);
	}
	family(f, "mpic_connections_open", "gauge", "Connections open now.");
	fprintf(f, "mpic_connections_open{listener=\"api\"} %llu\n"
	    "mpic_connections_open{listener=\"admin\"} %llu\n",
	    (unsigned long long)GAUGE(conns_api),
	    (unsigned long long)GAUGE(conns_admin));
	family(f, "mpic_tls_certificate_expiry_timestamp_seconds", "gauge",
	    "notAfter of the mutual-TLS certificates in use.");
	if ((t = max_live(d->shm, offsetof(struct mpicd_wslot,
	    cert_server))) != 0)
		fprintf(f, "mpic_tls_certificate_expiry_timestamp_seconds{use="
		    "\"server\"} %llu\n", (unsigned long long)t);
	if ((t = max_live(d->shm, offsetof(struct mpicd_wslot,
	    cert_client))) != 0)
		fprintf(f, "mpic_tls_certificate_expiry_timestamp_seconds{use="
		    "\"client\"} %llu\n", (unsigned long long)t);
	if (d->eng != NULL && d->cfg->audit_path != NULL)
		audit(f, d);
	process(f, d);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}
