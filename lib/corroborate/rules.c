/*
 * rules.c - the numbers of BR 3.2.2.9: RIR names, great-circle distance,
 * the quorum table and the calendar of minimum remote perspectives.
 */
#include <math.h>
#include <stdint.h>
#include <strings.h>

#include "corroborate/corroborate.h"

#include "corroborate/rules_int.h"

static const char *const rir_names[MPIC__RIR__COUNT] = {
	[MPIC__RIR_ARIN] = "ARIN",
	[MPIC__RIR_RIPE] = "RIPE NCC",
	[MPIC__RIR_APNIC] = "APNIC",
	[MPIC__RIR_LACNIC] = "LACNIC",
	[MPIC__RIR_AFRINIC] = "AFRINIC",
};

const char *
mpic__rir_str(enum mpic__rir r)
{
	if ((int)r < 0 || r >= MPIC__RIR__COUNT)
		return "unknown";
	return rir_names[r];
}

int
mpic__rir_parse(const char *s, enum mpic__rir *out)
{
	/* Spellings operators use for the RIPE NCC, besides its name. */
	static const char *const ripe_alias[] = { "RIPE", "RIPE-NCC",
	    "RIPE_NCC" };
	size_t i;

	if (s == NULL || out == NULL)
		return MPIC_EINVAL;
	for (i = 0; i < MPIC__RIR__COUNT; i++) {
		if (strcasecmp(s, rir_names[i]) == 0) {
			*out = (enum mpic__rir)i;
			return 0;
		}
	}
	for (i = 0; i < sizeof(ripe_alias) / sizeof(ripe_alias[0]); i++) {
		if (strcasecmp(s, ripe_alias[i]) == 0) {
			*out = MPIC__RIR_RIPE;
			return 0;
		}
	}
	return MPIC_EINVAL;
}

double
mpic__distance_km(struct mpic__location a, struct mpic__location b)
{
	const double rad = M_PI / 180.0;
	double p1 = a.lat * rad, p2 = b.lat * rad;
	double dp = (b.lat - a.lat) * rad, dl = (b.lon - a.lon) * rad;
	double s1 = sin(dp / 2.0), s2 = sin(dl / 2.0);
	double h = s1 * s1 + cos(p1) * cos(p2) * s2 * s2;

	/* Rounding can push h a hair outside [0, 1] for antipodes. */
	if (h < 0.0)
		h = 0.0;
	if (h > 1.0)
		h = 1.0;
	return 2.0 * MPIC__EARTH_RADIUS_KM * asin(sqrt(h));
}

int
mpic__br_allowed_failures(int n)
{
	if (n < 2)
		return 0;
	if (n <= 5)
		return 1;
	return 2;
}

int
mpic__br_min_quorum(int n)
{
	if (n < 2)
		return -1;
	return n - mpic__br_allowed_failures(n);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's method). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/*
 * The calendar of BR 3.2.2.9, newest first.  Each phase starts at 00:00:00
 * UTC of its date.
 */
static const struct br_row {
	int y;
	unsigned m, d;
	struct mpic__br_phase phase;
} br_calendar[] = {
	{ 2026, 12, 15, { 5, true, true, true, "2026-12-15" } },
	{ 2026, 6, 15, { 4, true, true, true, "2026-06-15" } },
	{ 2026, 3, 15, { 3, true, true, true, "2026-03-15" } },
	{ 2025, 9, 15, { 2, true, false, false, "2025-09-15" } },
	{ 2025, 3, 15, { 2, false, false, false, "2025-03-15" } },
};

void
mpic__br_phase(time_t now, struct mpic__br_phase *out)
{
	const size_t nrows = sizeof(br_calendar) / sizeof(br_calendar[0]);
	int64_t t = (int64_t)now;
	size_t i;

	for (i = 0; i < nrows; i++) {
		const struct br_row *r = &br_calendar[i];

		if (t >= days_from_civil(r->y, r->m, r->d) * 86400) {
			*out = r->phase;
			return;
		}
	}
	/*
	 * Before 2025-03-15 MPIC was not yet required: use the first phase
	 * (advisory quorum) so that the software behaves the same way.
	 */
	*out = br_calendar[nrows - 1].phase;
}
