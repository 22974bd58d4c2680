/* test_config_reload.c - mpic_config_reload() (the secret kept while the
 * file is the same) and mpic_config_changes() (the keys that differ). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "test_config.h"

#define SITES \
	"perspectives:\n" \
	"  - {code: us-east, rir: ARIN, location: {lat: 38.9, lon: -77.4}}\n" \
	"  - {code: eu-west, rir: RIPE NCC, location: {lat: 53.3, lon: -6.3}}\n"

struct seen {
	char keys[1024];
};

static void
collect(void *arg, const char *key)
{
	struct seen *s = arg;
	size_t len = strlen(s->keys);

	snprintf(s->keys + len, sizeof(s->keys) - len, "%s%s",
	    len > 0 ? " " : "", key);
}

static const char *
changes(const char *a, const char *b, struct seen *s)
{
	struct mpic_config *ca = parse_ok(a), *cb = parse_ok(b);
	size_t n;

	memset(s, 0, sizeof(*s));
	n = mpic_config_changes(ca, cb, collect, s);
	/* the count matches the keys passed, and a NULL callback counts */
	assert_int_equal(mpic_config_changes(ca, cb, NULL, NULL), n);
	mpic_config_free(ca);
	mpic_config_free(cb);
	return s->keys;
}

void
test_config_changes(void **state)
{
	static const char base[] = "role: all-in-one\nlisten: 127.0.0.1:1\n"
	    SITES "orchestration: {br_minimums: lab, "
	    "default_perspective_count: 2, request_timeout_ms: 1000}\n";
	char coord[1024];
	struct seen s;

	(void)state;
	snprintf(coord, sizeof(coord), "role: coordinator\n"
	    "listen: 127.0.0.1:1\nperspectives:\n"
	    "  - {code: us-east, rir: ARIN, location: {lat: 38.9, lon: -77.4},"
	    " url: 'https://a.test'}\n"
	    "  - {code: eu-west, rir: RIPE NCC, location: {lat: 53.3, "
	    "lon: -6.3}, url: 'https://b.test'}\n"
	    "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem}\n"
	    "orchestration: {default_perspective_count: 2, "
	    "request_timeout_ms: 1000, hash_secret_file: %s}\n", secret_path);
	assert_string_equal(changes(base, base, &s), "");
	assert_string_equal(changes(base, "role: all-in-one\n"
	    "listen: 127.0.0.1:2\n" SITES "orchestration: {br_minimums: lab, "
	    "default_perspective_count: 1, request_timeout_ms: 2000}\n"
	    "limits: {max_connections: 7}\ncaa: {issuer_domains: [x.test]}\n",
	    &s), "listen caa.issuer_domains "
	    "orchestration.default_perspective_count "
	    "orchestration.request_timeout_ms limits.max_connections");
	/* one perspective removed, one added, one moved: each by its code */
	assert_string_equal(changes(base, "role: all-in-one\n"
	    "listen: 127.0.0.1:1\nperspectives:\n"
	    "  - {code: us-east, rir: ARIN, location: {lat: 38.9, lon: -70}}\n"
	    "  - {code: ap-ne, rir: APNIC, location: {lat: 35.7, lon: 139.7}}\n"
	    "orchestration: {br_minimums: lab, default_perspective_count: 2, "
	    "request_timeout_ms: 1000}\n", &s),
	    "perspectives.us-east perspectives.eu-west perspectives.ap-ne");
	/* keys kept by handlers: role, br_minimums */
	assert_string_equal(changes(base, coord, &s),
	    "role tls.cert tls.key tls.client_ca perspectives.us-east "
	    "perspectives.eu-west orchestration.hash_secret_file "
	    "orchestration.br_minimums");
}

/* The secret read at start stays while the file named is the same (the
 * daemon's user may no longer read it); another file is read. */
void
test_config_reload_secret(void **state)
{
	struct mpic_config *run = NULL, *cfg = NULL;
	char path[256], text[512], other[256], err[256];
	FILE *f;
	int n;

	(void)state;
	snprintf(path, sizeof(path), "%s/mpic.yaml", tmpdir);
	n = snprintf(text, sizeof(text), "role: all-in-one\n" SITES
	    "orchestration: {hash_secret_file: %s}\n", secret_path);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, (size_t)n, f), (size_t)n);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(mpic_config_load(path, &run, err, sizeof(err)), 0);
	assert_true(run->hash_secret_len > 0);
	/* the secret file gone: a reload keeps the running secret */
	snprintf(other, sizeof(other), "%s/secret-moved", tmpdir);
	assert_int_equal(rename(secret_path, other), 0);
	assert_int_equal(mpic_config_reload(path, run, &cfg, err, sizeof(err)),
	    0);
	assert_int_equal(cfg->hash_secret_len, run->hash_secret_len);
	assert_memory_equal(cfg->hash_secret, run->hash_secret,
	    run->hash_secret_len);
	mpic_config_free(cfg);
	cfg = NULL;
	/* another file named: read, and an error when it cannot be */
	n = snprintf(text, sizeof(text), "role: all-in-one\n" SITES
	    "orchestration: {hash_secret_file: %s/absent}\n", tmpdir);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, (size_t)n, f), (size_t)n);
	assert_int_equal(fclose(f), 0);
	assert_int_not_equal(mpic_config_reload(path, run, &cfg, err,
	    sizeof(err)), 0);
	assert_null(cfg);
	assert_non_null(strstr(err, "absent"));
	assert_int_equal(rename(other, secret_path), 0);
	/* a YAML error is refused with the file and line */
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs("role: [\n", f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_not_equal(mpic_config_reload(path, run, &cfg, err,
	    sizeof(err)), 0);
	assert_null(cfg);
	assert_non_null(strstr(err, "mpic.yaml"));
	mpic_config_free(run);
}

/* mpic_config_keep(): the value of from, by the key's name; scalar keys
 * and role only. */
void
test_config_keep(void **state)
{
	struct mpic_config *a = parse_ok("role: all-in-one\nlisten: "
	    "127.0.0.1:1\nworkers: 2\n" SITES "orchestration: {br_minimums: "
	    "lab}\naudit: {path: /a.log}\n");
	struct mpic_config *b = parse_ok("role: all-in-one\nlisten: "
	    "127.0.0.1:2\nworkers: 3\n" SITES "orchestration: {br_minimums: "
	    "lab}\naudit: {path: /b.log}\n");

	(void)state;
	assert_int_equal(mpic_config_changes(a, b, NULL, NULL), 3);
	assert_int_equal(mpic_config_keep(b, a, "listen"), 0);
	assert_int_equal(mpic_config_keep(b, a, "workers"), 0);
	assert_int_equal(mpic_config_keep(b, a, "audit.path"), 0);
	assert_int_equal(mpic_config_keep(b, a, "role"), 0);
	assert_int_equal(mpic_config_changes(a, b, NULL, NULL), 0);
	/* the settings a program reads follow */
	assert_string_equal(mpic_config_settings(b)->listen, "127.0.0.1:1");
	assert_string_equal(mpic_config_settings(b)->audit_path, "/a.log");
	assert_int_equal(mpic_config_settings(b)->workers, 2);
	assert_int_equal(mpic_config_keep(b, a, "perspectives"), MPIC_EINVAL);
	assert_int_equal(mpic_config_keep(b, a, "caa.issuer_domains"),
	    MPIC_EINVAL);
	assert_int_equal(mpic_config_keep(b, a, "no.such"), MPIC_EINVAL);
	mpic_config_free(a);
	mpic_config_free(b);
}
