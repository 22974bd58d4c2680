/* test_config_br.c - mpic_config_check_br() on each phase of the calendar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "config/config.h"
#include "test_config.h"

static time_t
utc(int y, int mo, int d)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	return timegm(&tm);
}

static const char *const sites[] = {
	"{code: us-east, rir: ARIN, location: {lat: 38.9, lon: -77.4}}",
	"{code: eu-west, rir: RIPE NCC, location: {lat: 53.3, lon: -6.3}}",
	"{code: ap-ne, rir: APNIC, location: {lat: 35.7, lon: 139.7}}",
	"{code: sa-east, rir: LACNIC, location: {lat: -23.5, lon: -46.6}}",
	"{code: af-south, rir: AFRINIC, location: {lat: -33.9, lon: 18.4}}",
	"{code: us-west, rir: ARIN, location: {lat: 45.6, lon: -121.2}}",
};
static const char *const arin_sites[] = {
	"{code: us-east, rir: ARIN, location: {lat: 38.9, lon: -77.4}}",
	"{code: us-west, rir: ARIN, location: {lat: 45.6, lon: -121.2}}",
	"{code: ca-central, rir: ARIN, location: {lat: 45.5, lon: -73.6}}",
};

/* New York and a RIPE site 50 km away; the rest ARIN. */
static const char *const close_sites[] = {
	"{code: a, rir: ARIN, location: {lat: 40.7, lon: -74.0}}",
	"{code: b, rir: RIPE, location: {lat: 41.0, lon: -73.5}}",
	"{code: c, rir: ARIN, location: {lat: 34.0, lon: -118.2}}",
	"{code: d, rir: ARIN, location: {lat: 41.9, lon: -87.6}}",
	"{code: e, rir: ARIN, location: {lat: 29.8, lon: -95.4}}",
};

static struct mpic_config *
br_config(const char *const *s, size_t n, int count, bool lab)
{
	char buf[4096];
	size_t i, o;

	o = (size_t)snprintf(buf, sizeof(buf), "orchestration:\n"
	    "  default_perspective_count: %d\n  br_minimums: %s\n"
	    "  hash_secret_file: %s\nperspectives:\n", count,
	    lab ? "lab" : "enforce", secret_path);
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "  - %s\n",
		    s[i]);
	return parse_ok(buf);
}

static void
br_expect(const struct mpic_config *cfg, time_t t, int want_rc,
	  const char *want_text)
{
	char err[1024];
	int rc;

	rc = mpic_config_check_br(cfg, t, err, sizeof(err));
	if (rc != want_rc || (want_text == NULL && err[0] != '\0') ||
	    (want_text != NULL && strstr(err, want_text) == NULL))
		fail_msg("check_br: rc %d (want %d), err \"%s\" (want \"%s\")",
		    rc, want_rc, err, want_text ? want_text : "");
}

void
test_check_br(void **state)
{
	struct mpic_config *cfg;

	(void)state;
	/* 2 remotes suffice until 2026-03-15, whatever their RIRs. */
	cfg = br_config(arin_sites, 2, 2, false);
	br_expect(cfg, utc(2025, 1, 1), 0, NULL);
	br_expect(cfg, utc(2025, 6, 1), 0, NULL);
	br_expect(cfg, utc(2026, 3, 14), 0, NULL);
	br_expect(cfg, utc(2026, 3, 15), MPIC_EPOLICY, "below the minimum "
	    "of 3 remote perspectives in force since 2026-03-15");
	mpic_config_free(cfg);

	/* One count below the floor at any time. */
	cfg = br_config(sites, 2, 1, false);
	br_expect(cfg, utc(2024, 1, 1), MPIC_EPOLICY, "below the minimum of "
	    "2 remote perspectives in force since 2025-03-15");
	mpic_config_free(cfg);

	/* Three of one RIR: fine before the 2-RIR rule, refused after. */
	cfg = br_config(arin_sites, 3, 3, false);
	br_expect(cfg, utc(2026, 3, 14), 0, NULL);
	br_expect(cfg, utc(2026, 3, 15), MPIC_EPOLICY, "cannot form one "
	    "cohort of 3 spanning at least 2 RIRs");
	mpic_config_free(cfg);

	cfg = br_config(sites, 3, 3, false);
	br_expect(cfg, utc(2026, 3, 15), 0, NULL);
	br_expect(cfg, utc(2026, 6, 14), 0, NULL);
	br_expect(cfg, utc(2026, 6, 15), MPIC_EPOLICY, "below the minimum "
	    "of 4 remote perspectives in force since 2026-06-15");
	mpic_config_free(cfg);

	cfg = br_config(sites, 4, 4, false);
	br_expect(cfg, utc(2026, 6, 15), 0, NULL);
	br_expect(cfg, utc(2026, 12, 14), 0, NULL);
	br_expect(cfg, utc(2026, 12, 15), MPIC_EPOLICY, "below the minimum "
	    "of 5 remote perspectives in force since 2026-12-15");
	mpic_config_free(cfg);

	cfg = br_config(sites, 5, 5, false);
	br_expect(cfg, utc(2026, 12, 15), 0, NULL);
	br_expect(cfg, utc(2035, 1, 1), 0, NULL);
	mpic_config_free(cfg);

	/* The default count of 6 with only 5 perspectives. */
	cfg = br_config(sites, 5, 6, false);
	br_expect(cfg, utc(2026, 12, 15), MPIC_EPOLICY, "5 perspectives "
	    "configured, fewer than default_perspective_count 6");
	mpic_config_free(cfg);

	/* Five sites, two RIRs only via two too close together. */
	cfg = br_config(close_sites, 5, 5, false);
	br_expect(cfg, utc(2026, 3, 14), 0, NULL);
	br_expect(cfg, utc(2026, 3, 15), MPIC_EPOLICY, "cannot form one "
	    "cohort of 5");
	mpic_config_free(cfg);

	/* Lab: never refused, always loud. */
	cfg = br_config(arin_sites, 2, 2, true);
	br_expect(cfg, utc(2026, 12, 15), 0, "br_minimums: lab \xe2\x80\x94 "
	    "Baseline Requirements floors NOT enforced: default_perspective_"
	    "count 2 is below the minimum of 5");
	br_expect(cfg, utc(2025, 6, 1), 0, "br_minimums: lab \xe2\x80\x94 "
	    "Baseline Requirements floors NOT enforced: ");
	mpic_config_free(cfg);

	/* A perspective has no floor of its own, but the port of the
	 * TLS-ALPN-01 checks it runs: 443, or lab. */
	cfg = parse_ok("role: perspective\n"
	    "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem}\n"
	    "identity: {code: x, rir: ARIN, location: {lat: 1, lon: 1}}\n");
	br_expect(cfg, utc(2026, 12, 15), 0, NULL);
	mpic_config_free(cfg);
	cfg = parse_ok("role: perspective\n"
	    "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem}\n"
	    "identity: {code: x, rir: ARIN, location: {lat: 1, lon: 1}}\n"
	    "dcv: {tls_alpn_port: 8443}\n");
	br_expect(cfg, utc(2026, 12, 15), MPIC_EPOLICY, "dcv.tls_alpn_port "
	    "is 8443; RFC 8737 and BR 3.2.2.4.20 require port 443");
	mpic_config_free(cfg);
	cfg = parse_ok("role: perspective\n"
	    "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem}\n"
	    "identity: {code: x, rir: ARIN, location: {lat: 1, lon: 1}}\n"
	    "dcv: {tls_alpn_port: 8443}\n"
	    "orchestration: {br_minimums: lab}\n");
	br_expect(cfg, utc(2026, 12, 15), 0, "br_minimums: lab \xe2\x80\x94 "
	    "Baseline Requirements floors NOT enforced: dcv.tls_alpn_port is "
	    "8443");
	mpic_config_free(cfg);
	assert_int_equal(mpic_config_check_br(NULL, 0, NULL, 0), MPIC_EINVAL);
}
