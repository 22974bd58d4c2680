/* test_rules.c - RIRs, distances, quorum table, BR calendar, cohorts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "corroborate/corroborate.h"

static time_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm);
}

static void
test_rir(void **state)
{
	static const struct {
		const char *in;
		enum mpic__rir want;
	} good[] = {
		{ "ARIN", MPIC__RIR_ARIN }, { "arin", MPIC__RIR_ARIN },
		{ "RIPE NCC", MPIC__RIR_RIPE }, { "ripe ncc", MPIC__RIR_RIPE },
		{ "RIPE", MPIC__RIR_RIPE }, { "Ripe-Ncc", MPIC__RIR_RIPE },
		{ "APNIC", MPIC__RIR_APNIC }, { "apnic", MPIC__RIR_APNIC },
		{ "LACNIC", MPIC__RIR_LACNIC }, { "LacNic", MPIC__RIR_LACNIC },
		{ "AFRINIC", MPIC__RIR_AFRINIC },
		{ "afrinic", MPIC__RIR_AFRINIC },
	};
	static const char *const bad[] = { "", "XYZ", "RIPE  NCC", "ARIN ",
	    "NCC", "RIPENCCX" };
	enum mpic__rir r;
	size_t i;

	(void)state;
	assert_string_equal(mpic__rir_str(MPIC__RIR_ARIN), "ARIN");
	assert_string_equal(mpic__rir_str(MPIC__RIR_RIPE), "RIPE NCC");
	assert_string_equal(mpic__rir_str(MPIC__RIR_APNIC), "APNIC");
	assert_string_equal(mpic__rir_str(MPIC__RIR_LACNIC), "LACNIC");
	assert_string_equal(mpic__rir_str(MPIC__RIR_AFRINIC), "AFRINIC");
	assert_string_equal(mpic__rir_str(MPIC__RIR__COUNT), "unknown");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		r = MPIC__RIR__COUNT;
		assert_int_equal(mpic__rir_parse(good[i].in, &r), 0);
		assert_int_equal(r, good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mpic__rir_parse(bad[i], &r), MPIC_EINVAL);
	assert_int_equal(mpic__rir_parse(NULL, &r), MPIC_EINVAL);
	/* Every name round-trips. */
	for (i = 0; i < MPIC__RIR__COUNT; i++) {
		assert_int_equal(mpic__rir_parse(mpic__rir_str(i), &r), 0);
		assert_int_equal(r, i);
	}
}

static void
near(double got, double want, double rel)
{
	double d = got > want ? got - want : want - got;

	if (d > want * rel)
		fail_msg("distance %.1f km, expected %.1f km within %.1f%%",
		    got, want, rel * 100);
}

static void
test_distance(void **state)
{
	struct mpic__location london = { 51.5074, -0.1278 };
	struct mpic__location paris = { 48.8566, 2.3522 };
	struct mpic__location berlin = { 52.5200, 13.4050 };
	struct mpic__location nyc = { 40.7128, -74.0060 };
	struct mpic__location la = { 34.0522, -118.2437 };
	struct mpic__location sydney = { -33.8688, 151.2093 };
	struct mpic__location tokyo = { 35.6762, 139.6503 };
	struct mpic__location n_pole = { 90, 0 }, s_pole = { -90, 0 };
	struct mpic__location a = { 0, 179.5 }, b = { 0, -179.5 };

	(void)state;
	/* Published great-circle distances between city centres. */
	near(mpic__distance_km(london, paris), 344, 0.01);
	near(mpic__distance_km(berlin, paris), 878, 0.01);
	near(mpic__distance_km(nyc, la), 3936, 0.01);
	near(mpic__distance_km(sydney, tokyo), 7823, 0.01);
	/* Half the circumference of the mean sphere. */
	near(mpic__distance_km(n_pole, s_pole), 20015.1, 0.0001);
	/* Across the antimeridian: one degree of longitude at the equator. */
	near(mpic__distance_km(a, b), 111.2, 0.001);
	assert_true(mpic__distance_km(london, london) < 1e-9);
	assert_true(mpic__distance_km(nyc, la) == mpic__distance_km(la, nyc));
	assert_true(mpic__distance_km(london, paris) < MPIC__MIN_DISTANCE_KM);
	assert_true(mpic__distance_km(berlin, paris) >= MPIC__MIN_DISTANCE_KM);
}

static void
test_quorum_table(void **state)
{
	static const struct {
		int n, allowed, quorum;
	} rows[] = {
		{ -1, 0, -1 }, { 0, 0, -1 }, { 1, 0, -1 },
		{ 2, 1, 1 }, { 3, 1, 2 }, { 4, 1, 3 }, { 5, 1, 4 },
		{ 6, 2, 4 }, { 7, 2, 5 }, { 8, 2, 6 }, { 1000, 2, 998 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(mpic__br_allowed_failures(rows[i].n),
		    rows[i].allowed);
		assert_int_equal(mpic__br_min_quorum(rows[i].n),
		    rows[i].quorum);
	}
}

static void
check_phase(time_t t, int min, bool blocks, bool rir, bool dnssec,
	    const char *since)
{
	struct mpic__br_phase ph;

	memset(&ph, 0xa5, sizeof(ph));
	mpic__br_phase(t, &ph);
	assert_int_equal(ph.min_remotes, min);
	assert_int_equal(ph.quorum_blocks, blocks);
	assert_int_equal(ph.two_rir_rule, rir);
	assert_int_equal(ph.dnssec_required, dnssec);
	assert_string_equal(ph.since, since);
}

static void
test_calendar(void **state)
{
	(void)state;
	/* Before MPIC was required: the first, advisory phase. */
	check_phase(0, 2, false, false, false, "2025-03-15");
	check_phase(utc(2024, 1, 1, 0, 0, 0), 2, false, false, false,
	    "2025-03-15");
	check_phase(utc(2025, 3, 14, 23, 59, 59), 2, false, false, false,
	    "2025-03-15");
	/* 2025-03-15: two remotes, quorum advisory. */
	check_phase(utc(2025, 3, 15, 0, 0, 0), 2, false, false, false,
	    "2025-03-15");
	check_phase(utc(2025, 9, 14, 12, 0, 0), 2, false, false, false,
	    "2025-03-15");
	check_phase(utc(2025, 9, 14, 23, 59, 59), 2, false, false, false,
	    "2025-03-15");
	/* 2025-09-15: quorum blocks issuance. */
	check_phase(utc(2025, 9, 15, 0, 0, 0), 2, true, false, false,
	    "2025-09-15");
	check_phase(utc(2026, 3, 14, 23, 59, 59), 2, true, false, false,
	    "2025-09-15");
	/* 2026-03-15: three remotes, two RIRs, DNSSEC. */
	check_phase(utc(2026, 3, 15, 0, 0, 0), 3, true, true, true,
	    "2026-03-15");
	check_phase(utc(2026, 6, 14, 23, 59, 59), 3, true, true, true,
	    "2026-03-15");
	/* 2026-06-15: four. */
	check_phase(utc(2026, 6, 15, 0, 0, 0), 4, true, true, true,
	    "2026-06-15");
	check_phase(utc(2026, 12, 14, 12, 0, 0), 4, true, true, true,
	    "2026-06-15");
	check_phase(utc(2026, 12, 14, 23, 59, 59), 4, true, true, true,
	    "2026-06-15");
	/* 2026-12-15: five, and from then on. */
	check_phase(utc(2026, 12, 15, 0, 0, 0), 5, true, true, true,
	    "2026-12-15");
	check_phase(utc(2040, 1, 1, 0, 0, 0), 5, true, true, true,
	    "2026-12-15");
}

/* ------------------------------------------------------------ cohorts */

struct city {
	const char *code;
	enum mpic__rir rir;
	double lat, lon;
};

static const struct city world[] = {
	{ "us-east-1", MPIC__RIR_ARIN, 38.9, -77.4 },
	{ "us-west-2", MPIC__RIR_ARIN, 45.6, -121.2 },
	{ "ca-central-1", MPIC__RIR_ARIN, 45.5, -73.6 },
	{ "eu-west-1", MPIC__RIR_RIPE, 53.3, -6.3 },
	{ "eu-central-1", MPIC__RIR_RIPE, 50.1, 8.7 },
	{ "eu-north-1", MPIC__RIR_RIPE, 59.3, 18.1 },
	{ "ap-northeast-1", MPIC__RIR_APNIC, 35.7, 139.7 },
	{ "ap-southeast-1", MPIC__RIR_APNIC, 1.35, 103.8 },
	{ "ap-south-1", MPIC__RIR_APNIC, 19.1, 72.9 },
	{ "ap-southeast-2", MPIC__RIR_APNIC, -33.9, 151.2 },
	{ "sa-east-1", MPIC__RIR_LACNIC, -23.5, -46.6 },
	{ "af-south-1", MPIC__RIR_AFRINIC, -33.9, 18.4 },
};
#define NWORLD (sizeof(world) / sizeof(world[0]))

static void
make_defs(struct mpic__perspective_def *defs, const struct city *c, size_t n)
{
	size_t i;

	memset(defs, 0, n * sizeof(*defs));
	for (i = 0; i < n; i++) {
		snprintf(defs[i].code, sizeof(defs[i].code), "%s", c[i].code);
		defs[i].rir = c[i].rir;
		defs[i].loc.lat = c[i].lat;
		defs[i].loc.lon = c[i].lon;
	}
}

static const uint8_t secret_a[] = "0123456789abcdef0123456789abcdef";
static const uint8_t secret_b[] = "0123456789abcdef0123456789abcdeF";

/* Every cohort valid, disjoint, indices in range. */
static void
check_cohorts(const struct mpic__perspective_def *defs, size_t n, size_t k,
	      const size_t *out, int nc)
{
	bool used[256] = { false };
	size_t c, i, j;
	unsigned rirs;

	assert_true(nc >= 0);
	for (c = 0; c < (size_t)nc; c++) {
		const size_t *co = out + c * k;

		rirs = 0;
		for (i = 0; i < k; i++) {
			assert_true(co[i] < n);
			assert_false(used[co[i]]);
			used[co[i]] = true;
			rirs |= 1u << defs[co[i]].rir;
			for (j = i + 1; j < k; j++)
				assert_true(mpic__distance_km(defs[co[i]].loc,
				    defs[co[j]].loc) >= MPIC__MIN_DISTANCE_KM);
		}
		assert_true(__builtin_popcount(rirs) >= 2);
	}
}

static void
test_cohorts_valid(void **state)
{
	struct mpic__perspective_def defs[NWORLD];
	size_t out[NWORLD * NWORLD], k;
	int nc;

	(void)state;
	make_defs(defs, world, NWORLD);
	for (k = 2; k <= NWORLD; k++) {
		nc = mpic__cohorts(defs, NWORLD, k, secret_a,
		    sizeof(secret_a) - 1, "example.com", out, NWORLD);
		check_cohorts(defs, NWORLD, k, out, nc);
		assert_true((size_t)nc <= NWORLD / k);
		/* Pairwise distances all exceed 500 km here: full use. */
		assert_int_equal(nc, (int)(NWORLD / k));
	}
	/* max_cohorts bounds what is written. */
	out[2] = 12345;
	assert_int_equal(mpic__cohorts(defs, NWORLD, 2, secret_a,
	    sizeof(secret_a) - 1, "example.com", out, 1), 1);
	assert_int_equal(out[2], 12345);
}

static void
test_cohorts_deterministic(void **state)
{
	struct mpic__perspective_def defs[NWORLD], rev[NWORLD];
	struct city rcity[NWORLD];
	size_t o1[NWORLD], o2[NWORLD], o3[NWORLD], i;
	int n1, n2, n3;

	(void)state;
	make_defs(defs, world, NWORLD);
	n1 = mpic__cohorts(defs, NWORLD, 3, secret_a, sizeof(secret_a) - 1,
	    "www.example.org", o1, 4);
	n2 = mpic__cohorts(defs, NWORLD, 3, secret_a, sizeof(secret_a) - 1,
	    "www.example.org", o2, 4);
	assert_int_equal(n1, 4);
	assert_int_equal(n1, n2);
	assert_memory_equal(o1, o2, sizeof(size_t) * 12);
	/* The configured order does not matter: ranks come from codes. */
	for (i = 0; i < NWORLD; i++)
		rcity[i] = world[NWORLD - 1 - i];
	make_defs(rev, rcity, NWORLD);
	n3 = mpic__cohorts(rev, NWORLD, 3, secret_a, sizeof(secret_a) - 1,
	    "www.example.org", o3, 4);
	assert_int_equal(n3, n1);
	for (i = 0; i < 12; i++)
		assert_string_equal(defs[o1[i]].code, rev[o3[i]].code);
}

static void
test_cohorts_secret(void **state)
{
	struct mpic__perspective_def defs[NWORLD];
	size_t o1[NWORLD], o2[NWORLD], o3[NWORLD];
	char target[64];
	int i, diff_secret = 0, diff_target = 0;

	(void)state;
	make_defs(defs, world, NWORLD);
	for (i = 0; i < 32; i++) {
		snprintf(target, sizeof(target), "host%d.example.net", i);
		assert_int_equal(mpic__cohorts(defs, NWORLD, 4, secret_a,
		    sizeof(secret_a) - 1, target, o1, 1), 1);
		assert_int_equal(mpic__cohorts(defs, NWORLD, 4, secret_b,
		    sizeof(secret_b) - 1, target, o2, 1), 1);
		assert_int_equal(mpic__cohorts(defs, NWORLD, 4, secret_a,
		    sizeof(secret_a) - 1, "other.example", o3, 1), 1);
		check_cohorts(defs, NWORLD, 4, o1, 1);
		check_cohorts(defs, NWORLD, 4, o2, 1);
		diff_secret += memcmp(o1, o2, 4 * sizeof(size_t)) != 0;
		diff_target += memcmp(o1, o3, 4 * sizeof(size_t)) != 0;
	}
	/* 495 possible first cohorts: collisions are rare. */
	assert_true(diff_secret >= 24);
	assert_true(diff_target >= 24);
	/* An empty secret still works (labs), deterministically. */
	assert_int_equal(mpic__cohorts(defs, NWORLD, 4, NULL, 0, "x", o1, 1),
	    1);
	assert_int_equal(mpic__cohorts(defs, NWORLD, 4, NULL, 0, "x", o2, 1),
	    1);
	assert_memory_equal(o1, o2, 4 * sizeof(size_t));
}

static void
test_cohorts_impossible(void **state)
{
	struct mpic__perspective_def defs[NWORLD];
	size_t out[NWORLD * 4];
	static const struct city one_rir[] = {
		{ "a", MPIC__RIR_ARIN, 38.9, -77.4 },
		{ "b", MPIC__RIR_ARIN, 45.6, -121.2 },
		{ "c", MPIC__RIR_ARIN, 45.5, -73.6 },
		{ "d", MPIC__RIR_ARIN, 29.8, -95.4 },
	};
	static const struct city close[] = {
		{ "london", MPIC__RIR_RIPE, 51.5074, -0.1278 },
		{ "paris", MPIC__RIR_RIPE, 48.8566, 2.3522 },
		{ "nyc", MPIC__RIR_ARIN, 40.7128, -74.0060 },
		{ "boston", MPIC__RIR_ARIN, 42.36, -71.06 },
	};
	/* Two RIRs, but only via a pair that is too close. */
	static const struct city tight[] = {
		{ "seville", MPIC__RIR_RIPE, 37.39, -5.98 },
		{ "dublin", MPIC__RIR_RIPE, 53.35, -6.26 },
		{ "tangier", MPIC__RIR_AFRINIC, 35.77, -5.80 },
	};
	int nc;

	(void)state;
	make_defs(defs, one_rir, 4);
	assert_int_equal(mpic__cohorts(defs, 4, 2, secret_a, 32, "t", out,
	    4), 0);
	make_defs(defs, close, 4);
	/* k=3 needs three far-apart sites: only two clusters exist. */
	assert_int_equal(mpic__cohorts(defs, 4, 3, secret_a, 32, "t", out,
	    4), 0);
	/* k=2 works: one from each side of the Atlantic, twice. */
	nc = mpic__cohorts(defs, 4, 2, secret_a, 32, "t", out, 4);
	assert_int_equal(nc, 2);
	check_cohorts(defs, 4, 2, out, nc);
	make_defs(defs, tight, 3);
	assert_true(mpic__distance_km(defs[0].loc, defs[2].loc) < 500);
	assert_int_equal(mpic__cohorts(defs, 3, 3, secret_a, 32, "t", out,
	    4), 0);
	nc = mpic__cohorts(defs, 3, 2, secret_a, 32, "t", out, 4);
	assert_int_equal(nc, 1);
	check_cohorts(defs, 3, 2, out, nc);
	/* Degenerate arguments. */
	make_defs(defs, world, NWORLD);
	assert_int_equal(mpic__cohorts(defs, NWORLD, 1, secret_a, 32, "t",
	    out, 4), 0);
	assert_int_equal(mpic__cohorts(defs, NWORLD, 0, secret_a, 32, "t",
	    out, 4), 0);
	assert_int_equal(mpic__cohorts(defs, 3, 4, secret_a, 32, "t", out,
	    4), 0);
	assert_int_equal(mpic__cohorts(defs, NWORLD, 2, secret_a, 32, "t",
	    out, 0), 0);
	assert_int_equal(mpic__cohorts(NULL, 0, 2, secret_a, 32, "t", out,
	    4), 0);
	/* A bad RIR value is never selected. */
	defs[0].rir = (enum mpic__rir)77;
	nc = mpic__cohorts(defs, NWORLD, 2, secret_a, 32, "t", out, NWORLD);
	assert_int_equal(nc, (int)(NWORLD - 1) / 2);
	for (size_t i = 0; i < (size_t)nc * 2; i++)
		assert_int_not_equal(out[i], 0);
}

/* 64 perspectives on a grid, some clustered; k up to 7. */
static void
test_cohorts_large(void **state)
{
	static struct mpic__perspective_def defs[129];
	static size_t out[128 * 8];
	size_t i, k;
	int nc;

	(void)state;
	memset(defs, 0, sizeof(defs));
	for (i = 0; i < 64; i++) {
		snprintf(defs[i].code, sizeof(defs[i].code), "p%02zu", i);
		defs[i].rir = (enum mpic__rir)(i % 3 == 0 ? MPIC__RIR_RIPE :
		    MPIC__RIR_ARIN);
		/* Pairs of sites 100 km apart, 8 x 4 grid of pairs. */
		defs[i].loc.lat = -60.0 + (double)((i / 2) % 8) * 15.0 +
		    (i % 2) * 0.9;
		defs[i].loc.lon = -170.0 + (double)((i / 2) / 8) * 80.0;
	}
	for (k = 2; k <= 7; k++) {
		nc = mpic__cohorts(defs, 64, k, secret_a, 32, "big.example",
		    out, 128);
		assert_true(nc >= 1);
		check_cohorts(defs, 64, k, out, nc);
	}
	/* All of one RIR: nothing, and quickly. */
	for (i = 0; i < 64; i++)
		defs[i].rir = MPIC__RIR_APNIC;
	assert_int_equal(mpic__cohorts(defs, 64, 5, secret_a, 32, "x", out,
	    128), 0);
	/* All within one city: nothing. */
	for (i = 0; i < 64; i++) {
		defs[i].rir = (enum mpic__rir)(i % 5);
		defs[i].loc.lat = 50.0 + (double)i * 0.01;
		defs[i].loc.lon = 8.0;
	}
	assert_int_equal(mpic__cohorts(defs, 64, 5, secret_a, 32, "x", out,
	    128), 0);
	/* More than supported: refused. */
	for (i = 0; i < 128; i++) {
		snprintf(defs[i].code, sizeof(defs[i].code), "q%03zu", i);
		defs[i].rir = (enum mpic__rir)(i % 5);
		defs[i].loc.lat = -80.0 + (double)i * 1.25;
		defs[i].loc.lon = (double)(i % 9) * 40.0 - 170.0;
	}
	nc = mpic__cohorts(defs, 128, 5, secret_a, 32, "x", out, 128);
	assert_true(nc >= 1);
	check_cohorts(defs, 128, 5, out, nc);
	assert_int_equal(mpic__cohorts(defs, 129, 5, secret_a, 32, "x", out,
	    128), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rir),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_quorum_table),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_cohorts_valid),
		cmocka_unit_test(test_cohorts_deterministic),
		cmocka_unit_test(test_cohorts_secret),
		cmocka_unit_test(test_cohorts_impossible),
		cmocka_unit_test(test_cohorts_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
