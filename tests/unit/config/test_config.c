/* test_config.c - mpicd.conf(5) parsing, defaults, errors, the BR check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/util.h"
#include "corroborate/corroborate.h"
#include "config/config.h"
#include "test_config.h"

#define SECRET32 "s3cr3t-0123456789-abcdefghijklmn"

char tmpdir[64];
char secret_path[128];

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mpic-test-config-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(secret_path, sizeof(secret_path), "%s/secret", tmpdir);
	write_file(secret_path, SECRET32 "\n", sizeof(SECRET32));
	return 0;
}

static int
teardown(void **state)
{
	static const char *const files[] = { "secret", "short", "long",
	    "spaced", "mpic.yaml", "big.yaml", "rel-secret" };
	char path[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/dir", tmpdir);
	rmdir(path);
	return rmdir(tmpdir);
}

static char yaml_buf[16384];

static const char *
yaml(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
yaml(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(yaml_buf, sizeof(yaml_buf), fmt, ap);
	va_end(ap);
	return yaml_buf;
}

struct mpic_config *
parse_ok(const char *text)
{
	struct mpic_config *cfg = NULL;
	char err[512];
	int rc;

	rc = mpic_config_parse(text, strlen(text), "t.yaml", &cfg, err,
	    sizeof(err));
	if (rc != 0)
		fail_msg("parse failed (%d): %s\n%s", rc, err, text);
	assert_non_null(cfg);
	return cfg;
}

/* The message starts with want (which includes "t.yaml:LINE: "). */
static void
parse_err(const char *text, const char *want)
{
	struct mpic_config *cfg = (void *)1;
	char err[512];
	int rc;

	rc = mpic_config_parse(text, strlen(text), "t.yaml", &cfg, err,
	    sizeof(err));
	if (rc != MPIC_ECONFIG || strncmp(err, want, strlen(want)) != 0)
		fail_msg("rc %d, error\n  %s\nexpected\n  %s...\nfor\n%s", rc,
		    err, want, text);
	assert_null(cfg);
}

#define LAB_HEAD \
	"role: all-in-one\n" \
	"orchestration: {br_minimums: lab}\n" \
	"perspectives:\n" \
	"  - code: a\n" \
	"    rir: ARIN\n" \
	"    location: {lat: 38.9, lon: -77.4}\n"

static void
test_defaults(void **state)
{
	struct mpic_config *cfg;

	(void)state;
	cfg = parse_ok(LAB_HEAD);
	assert_int_equal(cfg->role, MPIC_ROLE_ALL_IN_ONE);
	assert_string_equal(cfg->listen, "127.0.0.1:8080");
	assert_null(cfg->tls_cert);
	assert_null(cfg->tls_key);
	assert_null(cfg->tls_client_ca);
	assert_null(cfg->api_keys_file);
	assert_false(cfg->has_identity);
	assert_false(cfg->has_primary);
	assert_int_equal(cfg->n_perspectives, 1);
	assert_null(cfg->perspectives[0].url);
	assert_null(cfg->dns.root_hints);
	assert_null(cfg->dns.trust_anchor);
	assert_int_equal(cfg->dns.timeout_ms, 5000);
	assert_true(cfg->dns.cache);
	assert_false(cfg->dns.allow_localhost);
	assert_non_null(cfg->dns_transparent);
	assert_null(cfg->dns_transparent[0]);
	assert_ptr_equal(cfg->dns.transparent_zones, cfg->dns_transparent);
	assert_non_null(cfg->allowed_networks);
	assert_int_equal(cfg->n_allowed_networks, 0);
	assert_int_equal(cfg->http_timeout_ms, 10000);
	assert_int_equal(cfg->max_redirects, 10);
	assert_string_equal(cfg->user_agent, "mpic/" MPIC_VERSION);
	assert_non_null(cfg->issuer_domains);
	assert_int_equal(cfg->n_issuer_domains, 0);
	assert_int_equal(cfg->default_perspective_count, 6);
	assert_int_equal(cfg->max_attempts_cap, 3);
	assert_null(cfg->hash_secret_file);
	assert_true(cfg->br_lab);
	/* Lab without a secret file: the built-in secret. */
	assert_true(cfg->hash_secret_len >= 16);
	assert_false(cfg->early_decision);
	assert_int_equal(cfg->request_timeout_ms, 30000);
	assert_null(cfg->audit_path); /* no default: mpicd requires one */
	assert_int_equal(cfg->audit_sync_timeout_ms, 5000);
	assert_string_equal(cfg->source, "t.yaml");
	/* Each perspective's dns is a copy of the global options. */
	assert_int_equal(cfg->perspectives[0].dns.timeout_ms, 5000);
	assert_true(cfg->perspectives[0].dns.cache);
	mpic_config_free(cfg);
	mpic_config_free(NULL);
}

static void
test_full_coordinator(void **state)
{
	struct mpic_config *cfg;
	const struct mpic__perspective_def *d;

	(void)state;
	cfg = parse_ok(yaml(
	    "role: coordinator\n"
	    "listen: \"[::1]:8443\"\n"
	    "tls: {cert: /etc/mpic/cert.pem, key: /etc/mpic/key.pem, "
	    "client_ca: /etc/mpic/ca.pem}\n"
	    "api_keys_file: /etc/mpic/api_keys\n"
	    "perspectives:\n"
	    "  - code: us-east-1\n"
	    "    rir: ARIN\n"
	    "    location: {lat: 38.9, lon: -77.4}\n"
	    "    url: https://203.0.113.10:8443\n"
	    "    dns: {root_hints: /etc/mpic/hints-us}\n"
	    "  - code: eu-west-1\n"
	    "    rir: RIPE NCC\n"
	    "    location: {lat: 53.3, lon: -6.3}\n"
	    "    url: https://203.0.113.20:8443\n"
	    "    dns: {trust_anchor: /etc/mpic/eu.key}\n"
	    "primary: {code: ca-primary, rir: arin, location: {lat: 41.9, "
	    "lon: -87.6}}\n"
	    "dns:\n"
	    "  root_hints: /etc/mpic/root.hints\n"
	    "  trust_anchor: /etc/mpic/root.key\n"
	    "  timeout_ms: 2500\n"
	    "  cache: false\n"
	    "  allow_localhost: true\n"
	    "  transparent_zones: [test, example.lab.]\n"
	    "dcv:\n"
	    "  allowed_networks: [10.0.0.0/8, \"fd00::/8\"]\n"
	    "  http_timeout_ms: 4000\n"
	    "  user_agent: \"custom-agent/1.0 (+https://ca.example)\"\n"
	    "caa:\n"
	    "  issuer_domains: [ca.example, ca2.example]\n"
	    "orchestration:\n"
	    "  default_perspective_count: 2\n"
	    "  max_attempts_cap: 2\n"
	    "  hash_secret_file: %s\n"
	    "  br_minimums: enforce\n"
	    "  early_decision: true\n"
	    "  request_timeout_ms: 15000\n"
	    "audit:\n"
	    "  path: /tmp/audit.jsonl\n"
	    "  sync_timeout_ms: 250\n", secret_path));
	assert_int_equal(cfg->role, MPIC_ROLE_COORDINATOR);
	assert_string_equal(cfg->listen, "[::1]:8443");
	assert_string_equal(cfg->tls_cert, "/etc/mpic/cert.pem");
	assert_string_equal(cfg->tls_key, "/etc/mpic/key.pem");
	assert_string_equal(cfg->tls_client_ca, "/etc/mpic/ca.pem");
	assert_string_equal(cfg->api_keys_file, "/etc/mpic/api_keys");
	assert_int_equal(cfg->n_perspectives, 2);
	d = &cfg->perspectives[0];
	assert_string_equal(d->code, "us-east-1");
	assert_int_equal(d->rir, MPIC__RIR_ARIN);
	assert_true(d->loc.lat == 38.9 && d->loc.lon == -77.4);
	assert_string_equal(d->url, "https://203.0.113.10:8443");
	/* The override merged over the global options. */
	assert_string_equal(d->dns.root_hints, "/etc/mpic/hints-us");
	assert_string_equal(d->dns.trust_anchor, "/etc/mpic/root.key");
	assert_int_equal(d->dns.timeout_ms, 2500);
	assert_false(d->dns.cache);
	assert_true(d->dns.allow_localhost);
	assert_ptr_equal(d->dns.transparent_zones, cfg->dns_transparent);
	d = &cfg->perspectives[1];
	assert_int_equal(d->rir, MPIC__RIR_RIPE);
	assert_string_equal(d->dns.root_hints, "/etc/mpic/root.hints");
	assert_string_equal(d->dns.trust_anchor, "/etc/mpic/eu.key");
	assert_int_equal(d->dns.timeout_ms, 2500);
	assert_true(cfg->has_primary);
	assert_string_equal(cfg->primary.code, "ca-primary");
	assert_int_equal(cfg->primary.rir, MPIC__RIR_ARIN);
	assert_string_equal(cfg->primary.dns.root_hints,
	    "/etc/mpic/root.hints");
	assert_string_equal(cfg->dns_transparent[0], "test");
	assert_string_equal(cfg->dns_transparent[1], "example.lab.");
	assert_null(cfg->dns_transparent[2]);
	assert_int_equal(cfg->n_allowed_networks, 2);
	assert_string_equal(cfg->allowed_networks[1], "fd00::/8");
	assert_null(cfg->allowed_networks[2]);
	assert_int_equal(cfg->http_timeout_ms, 4000);
	assert_string_equal(cfg->user_agent,
	    "custom-agent/1.0 (+https://ca.example)");
	assert_int_equal(cfg->n_issuer_domains, 2);
	assert_string_equal(cfg->issuer_domains[0], "ca.example");
	assert_int_equal(cfg->default_perspective_count, 2);
	assert_int_equal(cfg->max_attempts_cap, 2);
	assert_string_equal(cfg->hash_secret_file, secret_path);
	assert_int_equal(cfg->hash_secret_len, 32);
	assert_memory_equal(cfg->hash_secret, SECRET32, 32);
	assert_false(cfg->br_lab);
	assert_true(cfg->early_decision);
	assert_int_equal(cfg->request_timeout_ms, 15000);
	assert_string_equal(cfg->audit_path, "/tmp/audit.jsonl");
	assert_int_equal(cfg->audit_sync_timeout_ms, 250);
	mpic_config_free(cfg);
}

static void
test_perspective_role(void **state)
{
	struct mpic_config *cfg;

	(void)state;
	/* No secret needed: a perspective never picks cohorts. */
	cfg = parse_ok(
	    "role: perspective\n"
	    "listen: 0.0.0.0:8443\n"
	    "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem}\n"
	    "identity: {code: ap-south-1, rir: APNIC, location: {lat: 19.1, "
	    "lon: 72.9}}\n"
	    "dns: {timeout_ms: 3000}\n");
	assert_int_equal(cfg->role, MPIC_ROLE_PERSPECTIVE);
	assert_true(cfg->has_identity);
	assert_string_equal(cfg->identity.code, "ap-south-1");
	assert_int_equal(cfg->identity.rir, MPIC__RIR_APNIC);
	assert_int_equal(cfg->identity.dns.timeout_ms, 3000);
	assert_int_equal(cfg->n_perspectives, 0);
	assert_int_equal(cfg->hash_secret_len, 0);
	/* Relative paths stay as written with mpic_config_parse(). */
	assert_string_equal(cfg->tls_cert, "c.pem");
	mpic_config_free(cfg);
}

static void
test_all_in_one_with_secret(void **state)
{
	struct mpic_config *cfg;

	(void)state;
	/* dns comes after perspectives but still applies to them. */
	cfg = parse_ok(yaml(
	    "perspectives:\n"
	    "  - {code: a, rir: ARIN, location: {lat: 38.9, lon: -77.4}}\n"
	    "  - {code: b, rir: LACNIC, location: {lat: -23.5, lon: -46.6}}\n"
	    "orchestration: {hash_secret_file: \"%s\"}\n"
	    "dns: {allow_localhost: true, transparent_zones: [test]}\n"
	    "role: all-in-one\n", secret_path));
	assert_int_equal(cfg->n_perspectives, 2);
	assert_true(cfg->perspectives[1].dns.allow_localhost);
	assert_string_equal(cfg->perspectives[1].dns.transparent_zones[0],
	    "test");
	assert_false(cfg->br_lab);
	assert_int_equal(cfg->hash_secret_len, 32);
	mpic_config_free(cfg);
}

static void
test_errors_general(void **state)
{
	(void)state;
	parse_err(LAB_HEAD "bogus: 1\n", "t.yaml:7: bogus: unknown key");
	parse_err(LAB_HEAD "dns:\n  nope: 1\n", "t.yaml:8: dns.nope: "
	    "unknown key");
	parse_err(LAB_HEAD "dns: {timeout_ms: abc}\n", "t.yaml:7: "
	    "dns.timeout_ms: expected an integer, got \"abc\"");
	parse_err(LAB_HEAD "dns:\n  timeout_ms: \"5000\"\n", "t.yaml:8: "
	    "dns.timeout_ms: expected an integer, got the string \"5000\"");
	parse_err(LAB_HEAD "dns:\n  timeout_ms: 0\n", "t.yaml:8: "
	    "dns.timeout_ms: 0 is out of range");
	parse_err(LAB_HEAD "dns:\n  timeout_ms: 1.5\n", "t.yaml:8: "
	    "dns.timeout_ms: expected an integer");
	parse_err(LAB_HEAD "dns:\n  cache: \"yes\"\n", "t.yaml:8: dns.cache: "
	    "expected a boolean (true or false), got \"yes\"");
	parse_err(LAB_HEAD "dns:\n  cache: yes\n", "t.yaml:8: dns.cache: "
	    "expected a boolean");
	parse_err(LAB_HEAD "dns:\n  cache:\n", "t.yaml:8: dns.cache: "
	    "expected a boolean, got null");
	parse_err(LAB_HEAD "dns: {transparent_zones: [\"a..b\"]}\n",
	    "t.yaml:7: dns.transparent_zones[0]: not a valid DNS name");
	parse_err(LAB_HEAD "tls: [a]\n", "t.yaml:7: tls: expected a "
	    "mapping, got a sequence");
	parse_err(LAB_HEAD "tls: {cert: c.pem}\n", "t.yaml:7: tls.key: "
	    "required");
	parse_err(LAB_HEAD "dcv: {allowed_networks: 10.0.0.0/8}\n",
	    "t.yaml:7: dcv.allowed_networks: expected a sequence, got a "
	    "scalar");
	parse_err(LAB_HEAD "dcv:\n  allowed_networks:\n    - 10.0.0.0/8\n"
	    "    - 10.0.0.1\n", "t.yaml:10: dcv.allowed_networks[1]: "
	    "expected ADDRESS/PREFIX");
	parse_err(LAB_HEAD "dcv: {allowed_networks: [10.0.0.0/33]}\n",
	    "t.yaml:7: dcv.allowed_networks[0]: expected ADDRESS/PREFIX");
	parse_err(LAB_HEAD "dcv: {user_agent: \"a\\nb\"}\n", "t.yaml:7: "
	    "dcv.user_agent: contains a control character");
	parse_err(LAB_HEAD "dcv: {http_timeout_ms: -1}\n", "t.yaml:7: "
	    "dcv.http_timeout_ms: -1 is out of range");
	parse_err(LAB_HEAD "caa: {issuer_domains: [\"bad domain\"]}\n",
	    "t.yaml:7: caa.issuer_domains[0]: not a valid DNS name");
	parse_err(LAB_HEAD "listen: 8080\n", "t.yaml:7: listen: expected "
	    "HOST:PORT");
	parse_err(LAB_HEAD "listen: \"::1:8080\"\n", "t.yaml:7: listen: "
	    "expected HOST:PORT");
	parse_err(LAB_HEAD "listen: \"h:70000\"\n", "t.yaml:7: listen: "
	    "expected HOST:PORT");
	parse_err(LAB_HEAD "audit: {path: true}\n", "t.yaml:7: audit.path: "
	    "expected a string, got a boolean");
	parse_err(LAB_HEAD "audit: {path: \"\"}\n", "t.yaml:7: audit.path: "
	    "must not be empty");
	parse_err(LAB_HEAD "audit: {path: \"a\\0b\"}\n", "t.yaml:7: "
	    "audit.path: contains a control character");
	parse_err(LAB_HEAD "audit: {sync_timeout_ms: 0}\n", "t.yaml:7: "
	    "audit.sync_timeout_ms: 0 is out of range (10 to 600000)");
	parse_err(LAB_HEAD "audit: {sync_timeout_ms: 600001}\n", "t.yaml:7: "
	    "audit.sync_timeout_ms: 600001 is out of range (10 to 600000)");
	parse_err(LAB_HEAD "audit: {sync_timeout_ms: -5}\n", "t.yaml:7: "
	    "audit.sync_timeout_ms:");
	parse_err(LAB_HEAD "audit: {sync_timeout_ms: soon}\n", "t.yaml:7: "
	    "audit.sync_timeout_ms: expected an integer, got \"soon\"");
	parse_err(LAB_HEAD "orchestration: {}\n", "t.yaml:7: YAML: "
	    "duplicate key");
	parse_err("role: leader\n", "t.yaml:1: role: unknown role "
	    "\"leader\"");
	parse_err("orchestration:\n  br_minimums: off\n", "t.yaml:2: "
	    "orchestration.br_minimums: unknown value \"off\"");
	parse_err(LAB_HEAD "orchestration2:\n  default_perspective_count: 0\n",
	    "t.yaml:7: orchestration2: unknown key");
	parse_err("orchestration:\n  br_minimums: lab\n"
	    "  default_perspective_count: 0\n", "t.yaml:3: "
	    "orchestration.default_perspective_count: 0 is out of range");
	parse_err("orchestration:\n  max_attempts_cap: 17\n", "t.yaml:2: "
	    "orchestration.max_attempts_cap: 17 is out of range");
}

/* dcv.max_redirects: 0 to 32 (Open MPIC follows 20); more is an error
 * that names the key, for mpicd -n and the tool alike. */
static void
test_max_redirects(void **state)
{
	struct mpic_config *cfg;
	unsigned i;

	(void)state;
	for (i = 0; i <= 32; i++) {
		cfg = parse_ok(yaml(LAB_HEAD "dcv: {max_redirects: %u}\n", i));
		assert_int_equal(cfg->max_redirects, i);
		mpic_config_free(cfg);
	}
	parse_err(LAB_HEAD "dcv: {max_redirects: 33}\n", "t.yaml:7: "
	    "dcv.max_redirects: 33 is out of range (0 to 32)");
	parse_err(LAB_HEAD "dcv: {max_redirects: 1000000}\n", "t.yaml:7: "
	    "dcv.max_redirects: 1000000 is out of range (0 to 32)");
	parse_err(LAB_HEAD "dcv: {max_redirects: -1}\n", "t.yaml:7: "
	    "dcv.max_redirects: -1 is out of range (0 to 32)");
	parse_err(LAB_HEAD "dcv: {max_redirects: 2.5}\n", "t.yaml:7: "
	    "dcv.max_redirects: expected an integer");
	parse_err(LAB_HEAD "dcv: {max_redirects: [20]}\n", "t.yaml:7: "
	    "dcv.max_redirects: expected");
}

static void
test_errors_yaml(void **state)
{
	struct mpic_config *cfg = NULL;
	char err[512];
	char *big;

	(void)state;
	parse_err("", "t.yaml: empty configuration");
	parse_err("# nothing\n", "t.yaml: empty configuration");
	parse_err("~\n", "t.yaml: empty configuration");
	parse_err("role: all-in-one\ndns: [1\n", "t.yaml:");
	parse_err("role: all-in-one\ndns: [1\n", "t.yaml:3: YAML:");
	parse_err("- a\n- b\n", "t.yaml:1: the top level must be a mapping");
	parse_err(LAB_HEAD "---\nrole: coordinator\n", "t.yaml:8: more than "
	    "one YAML document");
	parse_err(LAB_HEAD "dns: {timeout_ms: &t 10}\ndcv: {http_timeout_ms: "
	    "*t}\n", "t.yaml:8: dcv.http_timeout_ms: aliases are not "
	    "supported");
	parse_err(LAB_HEAD "? [a]\n: 1\n", "t.yaml:7: keys must be strings");
	/* Heavily escaped scalars (libfyaml 0.7.12 leaks on some). */
	parse_err(LAB_HEAD "'''''''''''': 1\n", "t.yaml:7: '' escapes are "
	    "not supported, use double quotes");
	parse_err(LAB_HEAD "''''''''': ': ", "t.yaml:7: '' escapes are not "
	    "supported");
	parse_err(LAB_HEAD "audit: {path: \"\\n\\n\\n\\n\\n\\n\\n\\n\\n\"}\n",
	    "t.yaml:7: audit.path: more than 8 escapes in one value");
	cfg = parse_ok(LAB_HEAD "audit: {path: \"/it's/a'b\"}\n"
	    "dcv: {user_agent: \"x\\x41\\u0042\"}\n"
	    "listen: '127.0.0.2:80'\n");
	assert_string_equal(cfg->audit_path, "/it's/a'b");
	assert_string_equal(cfg->listen, "127.0.0.2:80");
	assert_string_equal(cfg->user_agent, "xAB");
	mpic_config_free(cfg);
	/* Not UTF-8, or characters YAML excludes: refused before parsing. */
	parse_err("%rlene\xa0 !str", "t.yaml:1: not UTF-8 text (byte 6)");
	parse_err("a: 1\nb: \xff\n", "t.yaml:2: not UTF-8 text (byte 8)");
	parse_err("a: \xc0\x80\n", "t.yaml:1: not UTF-8 text");
	parse_err("a: \xed\xa0\x80\n", "t.yaml:1: not UTF-8 text");
	parse_err("a: \xf4\x90\x80\x80\n", "t.yaml:1: not UTF-8 text");
	parse_err("a: 1\n\n\x01\n", "t.yaml:3: character U+0001 is not "
	    "allowed in YAML");
	parse_err("a: \xef\xbf\xbe\n", "t.yaml:1: character U+FFFE");
	/* TAB: refused (libfyaml 0.7.12 corrupts its heap on this one). */
	parse_err("? t:\t?", "t.yaml:1: TAB characters are not allowed, use "
	    "spaces (byte 4)");
	parse_err(LAB_HEAD "# a\tcomment\n", "t.yaml:7: TAB characters");
	assert_int_equal(mpic_config_parse("a\0b", 3, "t.yaml", &cfg, err,
	    sizeof(err)), MPIC_ECONFIG);
	assert_string_equal(err, "t.yaml:1: character U+0000 is not allowed "
	    "in YAML (byte 1)");
	/* A BOM and non-ASCII text are fine. */
	parse_err(LAB_HEAD "dcv: {user_agent: \"caf\xc3\xa9\"}\n",
	    "t.yaml:7: dcv.user_agent: must be printable ASCII");
	cfg = parse_ok("\xef\xbb\xbf" LAB_HEAD
	    "audit: {path: \"/var/lib/mpic/\xe6\x97\xa5\xe5\xbf\x97\"}\n");
	assert_string_equal(cfg->audit_path, "/var/lib/mpic/\xe6\x97\xa5"
	    "\xe5\xbf\x97");
	mpic_config_free(cfg);
	parse_err(LAB_HEAD "\"\\x01\": 1\n", "t.yaml:7: unknown key \"\\x01\"");
	big = malloc(1024 * 1024 + 2);
	assert_non_null(big);
	memset(big, ' ', 1024 * 1024 + 1);
	big[1024 * 1024 + 1] = '\0';
	parse_err(big, "t.yaml: larger than 1 MiB");
	free(big);
}

static void
test_errors_perspectives(void **state)
{
	(void)state;
	/* The example of the specification, line for line. */
	parse_err(
	    "role: all-in-one\n"
	    "orchestration: {br_minimums: lab}\n"
	    "perspectives:\n"
	    "  - code: a\n"
	    "    rir: ARIN\n"
	    "    location: {lat: 38.9, lon: -77.4}\n"
	    "  - code: b\n"
	    "    rir: RIPE\n"
	    "    location: {lat: 53.3, lon: -6.3}\n"
	    "  - code: c\n"
	    "    location: {lat: 1.3, lon: 103.8}\n"
	    "    rir: XYZ\n",
	    "t.yaml:12: perspectives[2].rir: unknown RIR \"XYZ\"");
	parse_err("perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location: {lat: 91, lon: 0}\n",
	    "t.yaml:4: perspectives[0].location.lat: 91 is out of range");
	parse_err("perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location:\n      lat: 0\n      lon: -180.5\n",
	    "t.yaml:6: perspectives[0].location.lon: -180.5 is out of range");
	parse_err("perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location: {lat: north, lon: 0}\n",
	    "t.yaml:4: perspectives[0].location.lat: expected a number, got "
	    "\"north\"");
	parse_err("perspectives:\n  - code: a\n    rir: ARIN\n",
	    "t.yaml:2: perspectives[0].location: required key is missing");
	parse_err("perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location: {lon: 0}\n",
	    "t.yaml:4: perspectives[0].location.lat: required key is missing");
	parse_err("perspectives:\n  - rir: ARIN\n",
	    "t.yaml:2: perspectives[0].code: required key is missing");
	parse_err("perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location: {lat: 0, lon: 0}\n"
	    "  - code: b\n    rir: RIPE\n    location: {lat: 50, lon: 8}\n"
	    "  - rir: APNIC\n    code: a\n    location: {lat: 1, lon: 103}\n",
	    "t.yaml:9: perspectives[2]: duplicate code \"a\"");
	parse_err("perspectives:\n  - code: a b\n",
	    "t.yaml:2: perspectives[0].code: invalid character");
	parse_err(yaml("perspectives:\n  - code: %064d\n", 1),
	    "t.yaml:2: perspectives[0].code: longer than 63");
	parse_err("perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location: {lat: 0, lon: 0}\n"
	    "    url: https://x.example\n",
	    "t.yaml:5: perspectives[0]: url is not allowed with role "
	    "all-in-one");
	parse_err("perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location: {lat: 0, lon: 0}\n"
	    "    dns: {timeout_ms: 5}\n",
	    "t.yaml:5: perspectives[0].dns.timeout_ms: unknown key");
	parse_err("perspectives: {a: 1}\n", "t.yaml:1: perspectives: "
	    "expected a sequence");
	parse_err("perspectives:\n  - foo\n", "t.yaml:2: perspectives[0]: "
	    "expected a mapping, got a scalar");
	parse_err("role: all-in-one\nperspectives: []\n", "t.yaml:2: "
	    "perspectives: at least one perspective is required");
	parse_err("role: all-in-one\n", "t.yaml:1: perspectives: at least "
	    "one perspective is required");
	parse_err(LAB_HEAD "primary: {code: a, rir: ARIN, location: "
	    "{lat: 1, lon: 1}}\n", "t.yaml:7: primary.code: \"a\" is also "
	    "the code of perspectives[0]");
	/* every remote 500 km or more from the primary (BR 3.2.2.9) */
	parse_err(LAB_HEAD "primary: {code: p, rir: ARIN, location: "
	    "{lat: 40.7, lon: -74.0}}\n", "t.yaml:7: primary.location: "
	    "perspectives[0] \"a\" is 353 km from the primary \"p\"; every "
	    "remote perspective must be at least 500 km from the primary");
	parse_err(LAB_HEAD "primary: {code: p, rir: ARIN, location: "
	    "{lat: 38.9, lon: -77.4}}\n", "t.yaml:7: primary.location: "
	    "perspectives[0] \"a\" is 0 km from the primary");
	mpic_config_free(parse_ok(LAB_HEAD "primary: {code: p, rir: ARIN, "
	    "location: {lat: 41.9, lon: -87.6}}\n"));
	parse_err(LAB_HEAD "identity: {code: x, rir: ARIN, location: "
	    "{lat: 1, lon: 1}}\n", "t.yaml:7: identity: only used with role "
	    "perspective");
}

#define COORD_HEAD \
	"role: coordinator\n" \
	"tls: {cert: c.pem, key: k.pem, client_ca: ca.pem}\n" \
	"orchestration: {br_minimums: lab}\n"

static void
test_errors_roles(void **state)
{
	(void)state;
	parse_err("role: coordinator\n"
	    "orchestration: {br_minimums: lab}\n"
	    "perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location: {lat: 0, lon: 0}\n    url: https://a.example\n",
	    "t.yaml:1: tls: required with role coordinator");
	parse_err("role: coordinator\n"
	    "tls: {cert: c.pem, key: k.pem}\n"
	    "orchestration: {br_minimums: lab}\n"
	    "perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location: {lat: 0, lon: 0}\n    url: https://a.example\n",
	    "t.yaml:2: tls.client_ca: required with role coordinator");
	parse_err(COORD_HEAD "perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location: {lat: 0, lon: 0}\n",
	    "t.yaml:5: perspectives[0]: url is required with role "
	    "coordinator");
	parse_err(COORD_HEAD "perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location: {lat: 0, lon: 0}\n    url: http://a.example\n",
	    "t.yaml:8: perspectives[0].url: must be an https:// URL");
	parse_err(COORD_HEAD "perspectives:\n  - code: a\n    rir: ARIN\n"
	    "    location: {lat: 0, lon: 0}\n    url: https://\n",
	    "t.yaml:8: perspectives[0].url: not a valid https:// URL");
	parse_err("role: perspective\n"
	    "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem}\n",
	    "t.yaml:1: identity: required with role perspective");
	parse_err("role: perspective\n"
	    "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem}\n"
	    "identity: {code: x, rir: ARIN, location: {lat: 1, lon: 1}}\n"
	    "perspectives: []\n",
	    "t.yaml:4: perspectives: not used with role perspective");
	parse_err("role: perspective\n"
	    "identity: {code: x, rir: ARIN, location: {lat: 1, lon: 1}, "
	    "url: https://x}\n",
	    "t.yaml:2: identity.url: unknown key");
	parse_err("role: perspective\n"
	    "identity: {code: x, rir: ARIN, location: {lat: 1, lon: 1}}\n",
	    "t.yaml:1: tls: required with role perspective");
	/* the coordinator sends no x-api-key: every call would be a 401 */
	parse_err("role: perspective\n"
	    "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem}\n"
	    "identity: {code: x, rir: ARIN, location: {lat: 1, lon: 1}}\n"
	    "api_keys_file: keys\n",
	    "t.yaml:4: api_keys_file: not used with role perspective: the "
	    "coordinator authenticates with its client certificate "
	    "(tls.client_ca, tls.allowed_peers) and sends no x-api-key");
}

static void
test_secret_file(void **state)
{
	struct mpic_config *cfg;
	char path[256];

	(void)state;
	parse_err("perspectives:\n  - {code: a, rir: ARIN, location: "
	    "{lat: 0, lon: 0}}\n", "t.yaml: orchestration.hash_secret_file: "
	    "required unless br_minimums is lab");
	parse_err("perspectives:\n  - {code: a, rir: ARIN, location: "
	    "{lat: 0, lon: 0}}\norchestration:\n  br_minimums: enforce\n",
	    "t.yaml:3: orchestration.hash_secret_file: required unless "
	    "br_minimums is lab");

	snprintf(path, sizeof(path), "%s/short", tmpdir);
	write_file(path, "0123456789\n", 11);
	parse_err(yaml("perspectives:\n  - {code: a, rir: ARIN, location: "
	    "{lat: 0, lon: 0}}\norchestration:\n  hash_secret_file: %s\n",
	    path), "t.yaml:4: orchestration.hash_secret_file: ");

	snprintf(path, sizeof(path), "%s/long", tmpdir);
	write_file(path, "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789", 80);
	parse_err(yaml("orchestration: {hash_secret_file: %s}\n"
	    "perspectives:\n  - {code: a, rir: ARIN, location: "
	    "{lat: 0, lon: 0}}\n", path), "t.yaml:1: "
	    "orchestration.hash_secret_file: ");

	snprintf(path, sizeof(path), "%s/nonexistent", tmpdir);
	parse_err(yaml("orchestration: {hash_secret_file: %s}\n"
	    "perspectives:\n  - {code: a, rir: ARIN, location: "
	    "{lat: 0, lon: 0}}\n", path), "t.yaml:1: "
	    "orchestration.hash_secret_file: ");

	snprintf(path, sizeof(path), "%s/dir", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	parse_err(yaml("orchestration: {hash_secret_file: %s}\n"
	    "perspectives:\n  - {code: a, rir: ARIN, location: "
	    "{lat: 0, lon: 0}}\n", path), "t.yaml:1: "
	    "orchestration.hash_secret_file: ");

	/* Surrounding whitespace is trimmed; inner bytes are kept. */
	snprintf(path, sizeof(path), "%s/spaced", tmpdir);
	write_file(path, "  \t" SECRET32 "\r\n\n", 3 + 32 + 3);
	cfg = parse_ok(yaml("orchestration: {hash_secret_file: %s, "
	    "br_minimums: lab}\nperspectives:\n  - {code: a, rir: ARIN, "
	    "location: {lat: 0, lon: 0}}\n", path));
	assert_int_equal(cfg->hash_secret_len, 32);
	assert_memory_equal(cfg->hash_secret, SECRET32, 32);
	mpic_config_free(cfg);
}

/* Messages of the secret checks, whole. */
static void
test_secret_messages(void **state)
{
	struct mpic_config *cfg = NULL;
	char err[512], path[256];
	const char *t;

	(void)state;
	snprintf(path, sizeof(path), "%s/short", tmpdir);
	t = yaml("orchestration: {hash_secret_file: %s}\nperspectives:\n"
	    "  - {code: a, rir: ARIN, location: {lat: 0, lon: 0}}\n", path);
	assert_int_equal(mpic_config_parse(t, strlen(t), "t.yaml", &cfg, err,
	    sizeof(err)), MPIC_ECONFIG);
	assert_non_null(strstr(err, "the secret must be 16 to 64 bytes, "
	    "not 10"));
	snprintf(path, sizeof(path), "%s/dir", tmpdir);
	t = yaml("orchestration: {hash_secret_file: %s}\nperspectives:\n"
	    "  - {code: a, rir: ARIN, location: {lat: 0, lon: 0}}\n", path);
	assert_int_equal(mpic_config_parse(t, strlen(t), "t.yaml", &cfg, err,
	    sizeof(err)), MPIC_ECONFIG);
	assert_non_null(strstr(err, "not a regular file"));
	/* A tiny error buffer is never overrun. */
	assert_int_equal(mpic_config_parse(t, strlen(t), "t.yaml", &cfg, err,
	    8), MPIC_ECONFIG);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(mpic_config_parse(t, strlen(t), "t.yaml", &cfg, NULL,
	    0), MPIC_ECONFIG);
}

static void
test_load(void **state)
{
	struct mpic_config *cfg = NULL;
	char err[512], path[256], secret[256], want[512];
	const char *t;
	char *big;

	(void)state;
	snprintf(path, sizeof(path), "%s/missing.yaml", tmpdir);
	assert_int_equal(mpic_config_load(path, &cfg, err, sizeof(err)),
	    MPIC_EIO);
	assert_non_null(strstr(err, "missing.yaml"));
	assert_null(cfg);

	/* Relative file names are relative to the file's directory. */
	snprintf(secret, sizeof(secret), "%s/rel-secret", tmpdir);
	write_file(secret, SECRET32, 32);
	snprintf(path, sizeof(path), "%s/mpic.yaml", tmpdir);
	t = "perspectives:\n"
	    "  - {code: a, rir: ARIN, location: {lat: 0, lon: 0}}\n"
	    "tls: {cert: tls/cert.pem, key: /abs/key.pem}\n"
	    "orchestration: {hash_secret_file: rel-secret}\n";
	write_file(path, t, strlen(t));
	assert_int_equal(mpic_config_load(path, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->hash_secret_file, secret);
	snprintf(want, sizeof(want), "%s/tls/cert.pem", tmpdir);
	assert_string_equal(cfg->tls_cert, want);
	assert_string_equal(cfg->tls_key, "/abs/key.pem");
	assert_string_equal(cfg->source, path);
	mpic_config_free(cfg);
	cfg = NULL;

	/* Errors name the file. */
	t = "role: all-in-one\nbogus: 1\n";
	write_file(path, t, strlen(t));
	assert_int_equal(mpic_config_load(path, &cfg, err, sizeof(err)),
	    MPIC_ECONFIG);
	snprintf(want, sizeof(want), "%s:2: bogus: unknown key", path);
	assert_string_equal(err, want);

	snprintf(path, sizeof(path), "%s/big.yaml", tmpdir);
	big = malloc(1024 * 1024 + 1);
	assert_non_null(big);
	memset(big, '#', 1024 * 1024 + 1);
	write_file(path, big, 1024 * 1024 + 1);
	free(big);
	assert_int_equal(mpic_config_load(path, &cfg, err, sizeof(err)),
	    MPIC_ECONFIG);
	assert_non_null(strstr(err, "larger than 1 MiB"));

	assert_int_equal(mpic_config_load(tmpdir, &cfg, err, sizeof(err)),
	    MPIC_ECONFIG);
	assert_non_null(strstr(err, "not a regular file"));
}

/* Every allocation failure is reported as such, without leaks. */
static void
test_alloc_failures(void **state)
{
	struct mpic_config *cfg;
	char err[512];
	const char *t;
	unsigned long i;
	int rc;

	(void)state;
	t = yaml(LAB_HEAD
	    "  - code: b\n    rir: RIPE\n    location: {lat: 50, lon: 8}\n"
	    "    dns: {root_hints: hints}\n"
	    "dns: {transparent_zones: [test, lab]}\n"
	    "dcv: {allowed_networks: [10.0.0.0/8], user_agent: ua}\n"
	    "caa: {issuer_domains: [ca.example]}\n"
	    "audit: {path: /x}\n");
	for (i = 1; i < 1000; i++) {
		cfg = NULL;
		mpic__alloc_fail_at(i);
		rc = mpic_config_parse(t, strlen(t), "t.yaml", &cfg, err,
		    sizeof(err));
		mpic__alloc_fail_at(0);
		if (rc == 0) {
			mpic_config_free(cfg);
			break;
		}
		assert_int_equal(rc, MPIC_ENOMEM);
		assert_null(cfg);
	}
	assert_true(i > 1 && i < 1000);
}

/* admin_listen: the default, an address, none or empty (no listener),
 * nothing else; limits.admin_max_connections. */
static void
test_admin_listen(void **state)
{
	struct mpic_config *cfg;
	const struct mpic_settings *s;

	(void)state;
	cfg = parse_ok(LAB_HEAD);
	s = mpic_config_settings(cfg);
	assert_string_equal(s->admin_listen, "127.0.0.1:9090");
	assert_true(s->admin_listen_default);
	assert_int_equal(s->admin_max_connections, 16);
	mpic_config_free(cfg);
	cfg = parse_ok(LAB_HEAD "admin_listen: '[::1]:9191'\n"
	    "limits: {admin_max_connections: 2}\n");
	s = mpic_config_settings(cfg);
	assert_string_equal(s->admin_listen, "[::1]:9191");
	assert_false(s->admin_listen_default);
	assert_int_equal(s->admin_max_connections, 2);
	mpic_config_free(cfg);
	cfg = parse_ok(LAB_HEAD "admin_listen: none\n");
	s = mpic_config_settings(cfg);
	assert_null(s->admin_listen);
	assert_false(s->admin_listen_default);
	mpic_config_free(cfg);
	cfg = parse_ok(LAB_HEAD "admin_listen: ''\n");
	assert_null(mpic_config_settings(cfg)->admin_listen);
	mpic_config_free(cfg);
	cfg = parse_ok(LAB_HEAD "admin_listen:\n");
	assert_null(mpic_config_settings(cfg)->admin_listen);
	mpic_config_free(cfg);
	parse_err(LAB_HEAD "admin_listen: 9090\n", "t.yaml:7: admin_listen:");
	parse_err(LAB_HEAD "admin_listen: nowhere\n",
	    "t.yaml:7: admin_listen: expected HOST:PORT, [ADDRESS]:PORT or "
	    "none");
	parse_err(LAB_HEAD "limits: {admin_max_connections: 0}\n",
	    "t.yaml:7: limits.admin_max_connections:");
}

static void
test_daemon_keys(void **state)
{
	struct mpic_config *cfg;

	(void)state;
	cfg = parse_ok(LAB_HEAD);
	assert_null(cfg->user);
	assert_int_equal(cfg->workers, 0);
	assert_int_equal(cfg->max_connections, 1024);
	assert_int_equal(cfg->max_header_bytes, 8192);
	assert_int_equal(cfg->io_timeout_ms, 30000);
	assert_int_equal(cfg->drain_timeout_ms, 10000);
	assert_int_equal(cfg->remote_timeout_ms, 0);
	assert_int_equal(cfg->n_tls_allowed_peers, 0);
	assert_null(cfg->tls_allowed_peers[0]);
	mpic_config_free(cfg);

	cfg = parse_ok(LAB_HEAD "user: mpic\nworkers: 2\n"
	    "limits: {max_connections: 10, max_header_bytes: 4096, "
	    "io_timeout_ms: 5000, drain_timeout_ms: 0}\n"
	    "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem, "
	    "allowed_peers: [coordinator.example, 192.0.2.7, '2001:db8::1']}\n");
	assert_string_equal(cfg->user, "mpic");
	assert_int_equal(cfg->workers, 2);
	assert_int_equal(cfg->max_connections, 10);
	assert_int_equal(cfg->max_header_bytes, 4096);
	assert_int_equal(cfg->io_timeout_ms, 5000);
	assert_int_equal(cfg->drain_timeout_ms, 0);
	assert_int_equal(cfg->n_tls_allowed_peers, 3);
	assert_string_equal(cfg->tls_allowed_peers[1], "192.0.2.7");
	mpic_config_free(cfg);

	/* log.level: info by default, the four levels, nothing else */
	cfg = parse_ok(LAB_HEAD);
	assert_string_equal(mpic_config_settings(cfg)->log_level, "info");
	mpic_config_free(cfg);
	cfg = parse_ok(LAB_HEAD "log: {level: debug}\n");
	assert_string_equal(mpic_config_settings(cfg)->log_level, "debug");
	mpic_config_free(cfg);
	cfg = parse_ok(LAB_HEAD "log:\n  level: error\n");
	assert_string_equal(mpic_config_settings(cfg)->log_level, "error");
	mpic_config_free(cfg);
	parse_err(LAB_HEAD "log: {level: verbose}\n", "t.yaml:7: log.level: "
	    "not a log level (error, warning, info, debug)");
	parse_err(LAB_HEAD "log: {level: WARNING}\n", "t.yaml:7: log.level:");
	parse_err(LAB_HEAD "log: {colour: true}\n", "t.yaml:7: log.colour: "
	    "unknown key");
	parse_err(LAB_HEAD "workers: 65\n", "t.yaml:7: workers:");
	parse_err(LAB_HEAD "workers: -1\n", "t.yaml:7: workers:");
	parse_err(LAB_HEAD "user: 'ro ot'\n", "t.yaml:7: user:");
	parse_err(LAB_HEAD "user: -x\n", "t.yaml:7: user:");
	parse_err(LAB_HEAD "limits: {max_connections: 0}\n",
	    "t.yaml:7: limits.max_connections:");
	parse_err(LAB_HEAD "limits: {max_header_bytes: 100}\n",
	    "t.yaml:7: limits.max_header_bytes:");
	parse_err(LAB_HEAD "limits: {bogus: 1}\n",
	    "t.yaml:7: limits.bogus: unknown key");
	parse_err(LAB_HEAD "tls: {cert: c, key: k, allowed_peers: ['a b']}\n",
	    "t.yaml:7: tls.allowed_peers");
}

/* mpicd's reload re-reads the file without the hash secret (its user may
 * not read it): the rest is parsed and checked as usual. */
static void
test_reread_without_secret(void **state)
{
	struct mpic_config *cfg = NULL;
	char path[256], text[512], err[256];
	int n;

	(void)state;
	snprintf(path, sizeof(path), "%s/mpic.yaml", tmpdir);
	n = snprintf(text, sizeof(text), "perspectives:\n"
	    "  - {code: a, rir: ARIN, location: {lat: 38.9, lon: -77.4}}\n"
	    "orchestration: {hash_secret_file: %s/absent}\n"
	    "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem, "
	    "allowed_peers: [coordinator.example]}\n", tmpdir);
	write_file(path, text, (size_t)n);
	assert_int_not_equal(mpic_config_load(path, &cfg, err, sizeof(err)),
	    0);
	assert_null(cfg);
	assert_non_null(strstr(err, "absent"));
	assert_int_equal(mpic_config_reread(path, &cfg, err, sizeof(err)),
	    0);
	assert_int_equal(cfg->hash_secret_len, 0);
	assert_int_equal(cfg->n_tls_allowed_peers, 1);
	assert_string_equal(cfg->tls_allowed_peers[0], "coordinator.example");
	mpic_config_free(cfg);
	/* anything else wrong still fails */
	write_file(path, "bogus: 1\n", 9);
	assert_int_not_equal(mpic_config_reread(path, &cfg, err,
	    sizeof(err)), 0);
	assert_null(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_coordinator),
		cmocka_unit_test(test_perspective_role),
		cmocka_unit_test(test_all_in_one_with_secret),
		cmocka_unit_test(test_errors_general),
		cmocka_unit_test(test_errors_yaml),
		cmocka_unit_test(test_max_redirects),
		cmocka_unit_test(test_errors_perspectives),
		cmocka_unit_test(test_errors_roles),
		cmocka_unit_test(test_secret_file),
		cmocka_unit_test(test_secret_messages),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_check_br),
		cmocka_unit_test(test_daemon_keys),
		cmocka_unit_test(test_admin_listen),
		cmocka_unit_test(test_reread_without_secret),
		cmocka_unit_test(test_config_changes),
		cmocka_unit_test(test_config_reload_secret),
		cmocka_unit_test(test_config_keep),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
