/*
 * setup_cmd.c - "mpic setup INVENTORY -o DIR": from one inventory to
 * everything a deployment needs, one directory per host: a private CA,
 * certificates with the names the peers check, each host's mpicd.yaml,
 * the cohort secret and an API key.  "mpic setup renew -o DIR" reissues
 * the leaf certificates near their end with the same CA.
 *
 * The Baseline Requirements floor is the library's: the coordinator's
 * configuration is made in memory first and put through
 * mpic_config_check_br() for the day of --now, so an inventory is refused
 * by the same calendar and cohort rules mpicd applies at start, before
 * anything is written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mpic/mpic.h"
#include "setup.h"

enum { EX_OK = 0, EX_IO = 2, EX_USAGE_ = 64, EX_CONFIG_ = 78 };

#define CA_DIR "ca"
#define COORD_DIR "coordinator"
#define MIN_DISTANCE_KM 500.0     /* BR 3.2.2.9 */
#define SECRET_BYTES 32           /* 64 hex digits: the most mpicd takes */
#define API_KEY_BYTES 24

struct setup_opts {
	const char *inventory;
	const char *out;         /* -o DIR */
	const char *prefix;      /* --prefix: paths of the installed layout */
	int days;                /* leaf validity */
	int ca_days;
	int within;              /* renew: reissue when ending within */
	time_t now;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: mpic [--now DATE] setup INVENTORY -o DIR [--prefix DIR]\n"
"                  [--days N] [--ca-days N]\n"
"       mpic setup renew -o DIR [--within N] [--days N]\n"
"  setup: a private CA, certificates, each host's mpicd.yaml, the cohort\n"
"  secret and an API key under DIR, one directory per host (paths in the\n"
"  configurations under DIR/HOST, or under --prefix for the installed\n"
"  layout); refuses an inventory below the Baseline Requirements floor\n"
"  of the day (--now).  Certificates last --days (365), the CA --ca-days\n"
"  (3650).\n"
"  renew: reissues, with the same CA and new keys, the certificates under\n"
"  DIR that end within --within days (30).\n"
"exit: 0 done, 2 could not read or write, 64 usage, 78 inventory refused\n");
}

/* ------------------------------------------------------- configurations */

static int join(char *out, size_t outlen, const char *a, const char *b);

/* The directory a host's configuration names its files in. */
static int
host_base(const struct setup_opts *o, const char *absout, const char *host,
	  char *out, size_t outlen)
{
	if (o->prefix == NULL)
		return join(out, outlen, absout, host);
	if (strlen(o->prefix) >= outlen) {
		fprintf(stderr, "mpic setup: --prefix too long\n");
		return EX_USAGE_;
	}
	snprintf(out, outlen, "%s", o->prefix);
	return EX_OK;
}

static void
common_keys(FILE *f, const struct inventory *inv)
{
	if (inv->user[0] != '\0')
		fprintf(f, "user: \"%s\"\n", inv->user);
	if (inv->dns != NULL)
		fprintf(f, "dns: %s\n", inv->dns);
	if (inv->issuers != NULL)
		fprintf(f, "caa:\n  issuer_domains: %s\n", inv->issuers);
}

static void
tls_keys(FILE *f, const char *base)
{
	fprintf(f, "tls:\n  cert: \"%s/cert.pem\"\n  key: \"%s/key.pem\"\n"
	    "  client_ca: \"%s/ca.pem\"\n", base, base, base);
}

/* The coordinator's mpicd.yaml; secret is its hash_secret_file; keys:
 * name the perspectives' public keys (not for the BR check, which loads
 * the configuration before the keys exist). */
static void
coordinator_yaml(FILE *f, const struct inventory *inv, const char *base,
		 const char *secret, const char *audit, bool keys)
{
	size_t i;

	fprintf(f, "# mpicd coordinator, made by mpic setup from %s\n"
	    "role: coordinator\nlisten: \"%s\"\n", inv->path,
	    inv->coord_listen);
	tls_keys(f, base);
	fprintf(f, "api_keys_file: \"%s/api-keys\"\nperspectives:\n", base);
	for (i = 0; i < inv->n; i++)
		fprintf(f, "  - {code: \"%s\", rir: \"%s\", location: {lat: "
		    "%.10g, lon: %.10g}, url: \"%s\"%s%s%s%s%s}\n",
		    inv->p[i].code, inv->p[i].rir, inv->p[i].lat,
		    inv->p[i].lon, inv->p[i].url, keys ?
		    ", signing_pubkey: \"" : "", keys ? base : "",
		    keys ? "/signing-" : "", keys ? inv->p[i].code : "",
		    keys ? ".pub\"" : "");
	common_keys(f, inv);
	fprintf(f, "orchestration:\n  default_perspective_count: %d\n"
	    "  hash_secret_file: \"%s\"\n  br_minimums: enforce\n"
	    "audit:\n  path: \"%s\"\n", inv->count > 0 ? inv->count :
	    (int)inv->n, secret, audit);
}

/* Perspective i's mpicd.yaml.  Its allowed peers: the coordinator, and
 * its own name, which its health probe presents (docs/deploy.md). */
static void
perspective_yaml(FILE *f, const struct inventory *inv, size_t i,
		 const char *base)
{
	const struct inv_persp *p = &inv->p[i];

	fprintf(f, "# mpicd perspective %s, made by mpic setup from %s\n"
	    "role: perspective\nlisten: \"%s\"\n", p->code, inv->path,
	    p->listen);
	tls_keys(f, base);
	fprintf(f, "  allowed_peers: [\"%s\", \"%s\"]\n", inv->coord_name,
	    p->host);
	fprintf(f, "identity: {code: \"%s\", rir: \"%s\", location: {lat: "
	    "%.10g, lon: %.10g}, signing_key: \"%s/signing.key\"}\n",
	    p->code, p->rir, p->lat, p->lon, base);
	common_keys(f, inv);
}

/* ------------------------------------------------------------- BR floor */

static double
distance_km(double lat1, double lon1, double lat2, double lon2)
{
	const double r = M_PI / 180.0;
	double dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r, a;

	a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * r) * cos(lat2 * r) *
	    sin(dlon / 2) * sin(dlon / 2);
	return 2 * 6371.0088 * asin(sqrt(a < 1 ? a : 1));
}

/* Which of the inventory's perspectives break the 500 km and 2-RIR
 * rules, by name: the library's message says a cohort cannot be formed,
 * the operator needs to know which entries to change. */
static void
explain_refusal(const struct inventory *inv)
{
	size_t i, j;
	double d;

	for (i = 0; i < inv->n; i++)
		for (j = i + 1; j < inv->n; j++) {
			d = distance_km(inv->p[i].lat, inv->p[i].lon,
			    inv->p[j].lat, inv->p[j].lon);
			if (d < MIN_DISTANCE_KM)
				fprintf(stderr, "mpic setup: perspectives %s "
				    "and %s are %.0f km apart, closer than the "
				    "500 km of BR 3.2.2.9\n", inv->p[i].code,
				    inv->p[j].code, d);
		}
	for (i = 1; i < inv->n; i++)
		if (strcmp(inv->p[i].rir, inv->p[0].rir) != 0)
			return;
	fprintf(stderr, "mpic setup: every perspective is in one RIR (%s): "
	    "BR 3.2.2.9 needs the corroborating perspectives in at least 2 "
	    "RIRs\n", inv->p[0].rir);
}

/*
 * The coordinator's configuration, with a throwaway cohort secret in a
 * memory file (nothing on disk yet), loaded and checked by the library
 * for the day o->now.  EX_OK, or EX_CONFIG_ with the reasons printed.
 */
static int
check_floor(const struct inventory *inv, const struct setup_opts *o)
{
	struct mpic_config *cfg = NULL;
	char secret[2 * SECRET_BYTES + 1], spath[64], err[2048] = "";
	char *text = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int fd = -1, rc = EX_IO;

	if (setup_random_hex(secret, SECRET_BYTES) != 0 ||
	    (fd = memfd_create("mpic-setup-secret", MFD_CLOEXEC)) < 0 ||
	    write(fd, secret, strlen(secret)) != (ssize_t)strlen(secret)) {
		fprintf(stderr, "mpic setup: cannot make a secret: %s\n",
		    strerror(errno));
		goto out;
	}
	snprintf(spath, sizeof(spath), "/proc/self/fd/%d", fd);
	if ((f = open_memstream(&text, &len)) == NULL)
		goto out;
	coordinator_yaml(f, inv, "/nonexistent", spath, "/nonexistent", false);
	if (fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	f = NULL;
	rc = EX_CONFIG_;
	if (mpic_config_parse(text, len, inv->path, &cfg, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "mpic setup: %s: the coordinator's "
		    "configuration would not load: %s\n", inv->path, err);
		goto out;
	}
	if (mpic_config_check_br(cfg, o->now, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpic setup: refused: %s\n", err);
		explain_refusal(inv);
		goto out;
	}
	rc = EX_OK;
out:
	if (f != NULL)
		fclose(f);
	free(text);
	if (fd >= 0)
		close(fd);
	mpic_config_free(cfg);
	explicit_bzero(secret, sizeof(secret));
	return rc;
}

/* ------------------------------------------------------------- writing */

/* A new file (O_EXCL: the output directory is new) with text. */
static int
write_new(const char *path, mode_t mode, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	int rc = EX_IO;

	if (fd < 0)
		goto out;
	if (fchmod(fd, mode) != 0 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) != 0)
		goto out;
	rc = EX_OK;
out:
	if (rc != EX_OK)
		fprintf(stderr, "mpic setup: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static int
join(char *out, size_t outlen, const char *a, const char *b)
{
	int n = snprintf(out, outlen, "%s/%s", a, b);

	if (n < 0 || (size_t)n >= outlen) {
		fprintf(stderr, "mpic setup: %s/%s: name too long\n", a, b);
		return EX_IO;
	}
	return EX_OK;
}

static bool
is_ip_text(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* One host's directory: key, certificate, the CA, and its mpicd.yaml
 * (text). */
static int
write_host(const char *absout, const char *host, const struct setup_ca *ca,
	   const char *cn, const char *san, int days, const char *yaml)
{
	char dir[INV_PATH], path[INV_PATH], err[1024];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int rc = EX_IO;

	if (join(dir, sizeof(dir), absout, host) != EX_OK)
		goto out;
	if (mkdir(dir, 0755) != 0) {
		fprintf(stderr, "mpic setup: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (setup_leaf_issue(ca, cn, san, NULL, days, &key, &cert, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "mpic setup: %s: %s\n", host, err);
		goto out;
	}
	if (join(path, sizeof(path), dir, "key.pem") != EX_OK ||
	    setup_write_key(path, key, err, sizeof(err)) != 0 ||
	    join(path, sizeof(path), dir, "cert.pem") != EX_OK ||
	    setup_write_cert(path, cert, err, sizeof(err)) != 0 ||
	    join(path, sizeof(path), dir, "ca.pem") != EX_OK ||
	    setup_write_cert(path, ca->cert, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpic setup: %s\n", err);
		goto out;
	}
	if (join(path, sizeof(path), dir, "mpicd.yaml") != EX_OK ||
	    write_new(path, 0644, yaml, strlen(yaml)) != EX_OK)
		goto out;
	rc = EX_OK;
out:
	EVP_PKEY_free(key);
	X509_free(cert);
	return rc;
}

/* The text a print function makes, malloc'd; NULL when out of memory. */
#define TEXT_OF(text, len, call) do {                                     \
	FILE *f_ = open_memstream(&(text), &(len));                        \
	if (f_ != NULL) {                                                  \
		call;                                                      \
		if (fclose(f_) != 0) {                                     \
			free(text);                                        \
			(text) = NULL;                                     \
		}                                                          \
	}                                                                  \
} while (0)

static int
generate(const struct inventory *inv, const struct setup_opts *o)
{
	char absout[INV_PATH], base[INV_PATH], path[INV_PATH], err[1024];
	char san[4096], secret[2 * SECRET_BYTES + 2];
	char apikey[2 * API_KEY_BYTES + 64], audit[INV_PATH + 16];
	struct setup_ca ca = {NULL, NULL};
	EVP_PKEY **sk = NULL;
	char *text = NULL;
	size_t len = 0, i, j, n;
	DIR *d;
	int rc = EX_IO;

	/* a new or empty directory only: renew works on an existing one */
	if ((d = opendir(o->out)) != NULL) {
		for (n = 0; readdir(d) != NULL; n++)
			;
		closedir(d);
		if (n > 2) {
			fprintf(stderr, "mpic setup: %s is not empty (mpic "
			    "setup renew reissues certificates there)\n",
			    o->out);
			return EX_IO;
		}
	} else if (mkdir(o->out, 0755) != 0) {
		fprintf(stderr, "mpic setup: %s: %s\n", o->out,
		    strerror(errno));
		return EX_IO;
	}
	if (realpath(o->out, absout) == NULL) {
		fprintf(stderr, "mpic setup: %s: %s\n", o->out,
		    strerror(errno));
		return EX_IO;
	}
	if (strpbrk(absout, "\"\\") != NULL) {
		fprintf(stderr, "mpic setup: %s: quotes and backslashes are "
		    "not allowed in the output path\n", absout);
		return EX_USAGE_;
	}
	/* the CA's key stays here, 0700/0600, and is never in a host's
	 * directory: keep DIR/ca offline once the deployment is made */
	if (join(path, sizeof(path), absout, CA_DIR) != EX_OK)
		goto out;
	if (mkdir(path, 0700) != 0) {
		fprintf(stderr, "mpic setup: %s: %s\n", path,
		    strerror(errno));
		goto out;
	}
	if (setup_ca_new(&ca, "mpic private CA",
	    o->ca_days, err, sizeof(err)) != 0 ||
	    join(path, sizeof(path), absout, CA_DIR "/ca.key") != EX_OK ||
	    setup_write_key(path, ca.key, err, sizeof(err)) != 0 ||
	    join(path, sizeof(path), absout, CA_DIR "/ca.pem") != EX_OK ||
	    setup_write_cert(path, ca.cert, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpic setup: the CA: %s\n", err);
		goto out;
	}

	/* the coordinator: its names on its certificate, which it presents
	 * to the CA's software and, as a client, to the perspectives */
	n = (size_t)snprintf(san, sizeof(san), "DNS:%s", inv->coord_name);
	for (i = 0; i < inv->n_addrs && n < sizeof(san); i++)
		n += (size_t)snprintf(san + n, sizeof(san) - n, ",IP:%s",
		    inv->addrs[i]);
	if (host_base(o, absout, COORD_DIR, base, sizeof(base)) != EX_OK)
		goto out;
	if (inv->audit_path[0] != '\0')
		snprintf(audit, sizeof(audit), "%s", inv->audit_path);
	else if (o->prefix != NULL)
		snprintf(audit, sizeof(audit), "/var/lib/mpic/audit.jsonl");
	else
		snprintf(audit, sizeof(audit), "%s/audit.jsonl", base);
	if (join(path, sizeof(path), base, "cohort-secret") != EX_OK)
		goto out;
	TEXT_OF(text, len, coordinator_yaml(f_, inv, base, path, audit, true));
	if (text == NULL)
		goto out;
	if (write_host(absout, COORD_DIR, &ca, inv->coord_name, san, o->days,
	    text) != EX_OK)
		goto out;
	if (setup_random_hex(secret, SECRET_BYTES) != 0 ||
	    setup_random_hex(apikey, API_KEY_BYTES) != 0)
		goto out;
	n = strlen(secret);
	snprintf(secret + n, sizeof(secret) - n, "\n");
	n = strlen(apikey);
	snprintf(apikey + n, sizeof(apikey) - n, "\n");
	if (join(path, sizeof(path), absout, COORD_DIR "/cohort-secret") !=
	    EX_OK || write_new(path, 0600, secret, strlen(secret)) != EX_OK ||
	    join(path, sizeof(path), absout, COORD_DIR "/api-keys") != EX_OK ||
	    write_new(path, 0600, apikey, strlen(apikey)) != EX_OK)
		goto out;

	/* each perspective's statement signing key (docs/evidence.md): the
	 * private half in its directory, the public half in the
	 * coordinator's, which checks every answer against it */
	if ((sk = calloc(inv->n, sizeof(*sk))) == NULL)
		goto out;
	for (i = 0; i < inv->n; i++) {
		char name[INV_PATH];

		snprintf(name, sizeof(name), COORD_DIR "/signing-%s.pub",
		    inv->p[i].code);
		if ((sk[i] = setup_ed25519_key()) == NULL ||
		    join(path, sizeof(path), absout, name) != EX_OK ||
		    setup_write_pubkey(path, sk[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "mpic setup: the signing key of %s: "
			    "%s\n", inv->p[i].code, sk[i] == NULL ?
			    "cannot make it" : err);
			goto out;
		}
	}
	for (i = 0; i < inv->n; i++) {
		char name[INV_PATH];

		free(text);
		text = NULL;
		if (host_base(o, absout, inv->p[i].code, base,
		    sizeof(base)) != EX_OK)
			goto out;
		TEXT_OF(text, len, perspective_yaml(f_, inv, i, base));
		n = (size_t)snprintf(san, sizeof(san), "%s:%s",
		    inv->p[i].host_ip ? "IP" : "DNS", inv->p[i].host);
		for (j = 0; j < inv->p[i].n_names && n < sizeof(san); j++)
			n += (size_t)snprintf(san + n, sizeof(san) - n,
			    ",%s:%s", is_ip_text(inv->p[i].names[j]) ? "IP" :
			    "DNS", inv->p[i].names[j]);
		if (text == NULL || write_host(absout, inv->p[i].code, &ca,
		    inv->p[i].host, san, o->days, text) != EX_OK)
			goto out;
		snprintf(name, sizeof(name), "%s/signing.key", inv->p[i].code);
		if (join(path, sizeof(path), absout, name) != EX_OK ||
		    setup_write_key(path, sk[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "mpic setup: %s\n", err);
			goto out;
		}
	}
	printf("mpic setup: %s: a CA (%s/ca, keep it offline), the "
	    "coordinator and %zu perspectives, each in %s/HOST with its "
	    "mpicd.yaml; the API key is in %s/coordinator/api-keys\n",
	    absout, absout, inv->n, absout, absout);
	rc = EX_OK;
out:
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(apikey, sizeof(apikey));
	free(text);
	for (i = 0; sk != NULL && i < inv->n; i++)
		EVP_PKEY_free(sk[i]);
	free(sk);
	setup_ca_release(&ca);
	return rc;
}

/* --------------------------------------------------------------- renew */

/* Reissue DIR/host/cert.pem (and a new key.pem) when it ends before
 * limit.  EX_OK whether renewed or kept. */
static int
renew_host(const char *absout, const char *host, const struct setup_ca *ca,
	   time_t limit, int days, int *renewed)
{
	char cpath[INV_PATH], kpath[INV_PATH], err[1024];
	EVP_PKEY *key = NULL;
	X509 *old = NULL, *cert = NULL;
	int rc = EX_IO;

	if (snprintf(cpath, sizeof(cpath), "%s/%s/cert.pem", absout, host) >=
	    (int)sizeof(cpath) || snprintf(kpath, sizeof(kpath),
	    "%s/%s/key.pem", absout, host) >= (int)sizeof(kpath))
		goto out;
	if (access(cpath, F_OK) != 0) {
		rc = EX_OK;     /* not a host's directory */
		goto out;
	}
	if ((old = setup_read_cert(cpath, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mpic setup: %s\n", err);
		goto out;
	}
	if (X509_check_issued(ca->cert, old) != X509_V_OK) {
		fprintf(stderr, "mpic setup: %s: not issued by %s/" CA_DIR
		    "/ca.pem, left alone\n", cpath, absout);
		rc = EX_OK;
		goto out;
	}
	if (X509_cmp_time(X509_get0_notAfter(old), &limit) > 0) {
		printf("kept %s\n", host);
		rc = EX_OK;
		goto out;
	}
	if (setup_leaf_issue(ca, NULL, NULL, old, days, &key, &cert, err,
	    sizeof(err)) != 0 || setup_write_key(kpath, key, err,
	    sizeof(err)) != 0 || setup_write_cert(cpath, cert, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "mpic setup: %s: %s\n", host, err);
		goto out;
	}
	printf("renewed %s\n", host);
	(*renewed)++;
	rc = EX_OK;
out:
	X509_free(old);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

static int
renew(const struct setup_opts *o)
{
	char absout[INV_PATH], cpath[INV_PATH], kpath[INV_PATH], err[1024];
	struct setup_ca ca = {NULL, NULL};
	struct dirent *e;
	DIR *d = NULL;
	time_t limit = time(NULL) + (time_t)o->within * 86400;
	int rc = EX_IO, renewed = 0;

	if (realpath(o->out, absout) == NULL) {
		fprintf(stderr, "mpic setup: %s: %s\n", o->out,
		    strerror(errno));
		goto out;
	}
	if (join(cpath, sizeof(cpath), absout, CA_DIR "/ca.pem") != EX_OK ||
	    join(kpath, sizeof(kpath), absout, CA_DIR "/ca.key") != EX_OK)
		goto out;
	if (setup_ca_load(&ca, cpath, kpath, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpic setup: %s\n", err);
		goto out;
	}
	if (X509_cmp_time(X509_get0_notAfter(ca.cert), &limit) <= 0)
		fprintf(stderr, "mpic setup: warning: the CA itself ends "
		    "within %d days: make a new deployment (docs/deploy.md)\n",
		    o->within);
	if ((d = opendir(absout)) == NULL) {
		fprintf(stderr, "mpic setup: %s: %s\n", absout,
		    strerror(errno));
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, CA_DIR) == 0)
			continue;
		if (renew_host(absout, e->d_name, &ca, limit, o->days,
		    &renewed) != EX_OK)
			goto out;
	}
	printf("mpic setup: %d certificate%s renewed: install them and "
	    "send the daemons SIGHUP (systemctl reload mpicd)\n", renewed,
	    renewed == 1 ? "" : "s");
	rc = EX_OK;
out:
	if (d != NULL)
		closedir(d);
	setup_ca_release(&ca);
	return rc;
}

/* ------------------------------------------------------------ the command */

static int
int_arg(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int
tool_setup(int argc, char **argv, time_t now)
{
	struct setup_opts o = {.days = 365, .ca_days = 3650, .within = 30,
	    .now = now};
	struct inventory *inv = NULL;
	bool is_renew = false;
	int i, rc = EX_USAGE_;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return EX_OK;
		} else if (strcmp(a, "-o") == 0 && v != NULL) {
			o.out = v;
			i++;
		} else if (strcmp(a, "--prefix") == 0 && v != NULL) {
			o.prefix = v;
			i++;
		} else if ((strcmp(a, "--days") == 0 && v != NULL &&
		    int_arg(v, 1, 3650, &o.days) == 0) ||
		    (strcmp(a, "--ca-days") == 0 && v != NULL &&
		    int_arg(v, 1, 36500, &o.ca_days) == 0) ||
		    (strcmp(a, "--within") == 0 && v != NULL &&
		    int_arg(v, 0, 3650, &o.within) == 0)) {
			i++;
		} else if (a[0] == '-') {
			fprintf(stderr, "mpic setup: bad option %s\n", a);
			goto usage;
		} else if (strcmp(a, "renew") == 0 && !is_renew &&
		    o.inventory == NULL) {
			/* the first operand (options may come before it) */
			is_renew = true;
		} else if (o.inventory == NULL && !is_renew) {
			o.inventory = a;
		} else {
			fprintf(stderr, "mpic setup: unexpected %s\n", a);
			goto usage;
		}
	}
	if (o.out == NULL || (!is_renew && o.inventory == NULL) ||
	    (is_renew && o.prefix != NULL))
		goto usage;
	if (o.prefix != NULL && (o.prefix[0] != '/' ||
	    strpbrk(o.prefix, "\"\\") != NULL)) {
		fprintf(stderr, "mpic setup: --prefix must be an absolute "
		    "path without quotes or backslashes\n");
		goto usage;
	}
	if (o.ca_days < o.days) {
		fprintf(stderr, "mpic setup: --ca-days is shorter than "
		    "--days\n");
		goto usage;
	}
	if (is_renew)
		return renew(&o);
	if ((inv = malloc(sizeof(*inv))) == NULL) {
		rc = EX_IO;
		goto out;
	}
	if ((rc = setup_inventory_load(o.inventory, inv)) != EX_OK ||
	    (rc = check_floor(inv, &o)) != EX_OK)
		goto out;
	rc = generate(inv, &o);
	goto out;
usage:
	usage(stderr);
	rc = EX_USAGE_;
out:
	if (inv != NULL)
		setup_inventory_release(inv);
	free(inv);
	return rc;
}
