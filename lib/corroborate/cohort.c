/*
 * cohort.c - deterministic, secret-keyed cohorts of remote perspectives.
 *
 * Construction (version 1):
 *
 *   seed   = HMAC-SHA256(secret, target)
 *   rank_i = SHA-256(seed || code_i)        for each perspective i
 *
 * The perspectives are ordered by rank_i (bytewise, ties by index, which
 * cannot happen for distinct codes short of a SHA-256 collision).  Without
 * the secret an attacker cannot compute seed, so cannot tell which
 * perspectives a target will be checked from.  Codes are unique, so the
 * ranking of a perspective does not depend on its position in the
 * configuration; adding one perspective moves the others only relative to
 * it.
 *
 * Cohorts are then formed greedily: the first cohort is the
 * lexicographically smallest k-subset of rank positions that spans at least
 * two RIRs and whose members are pairwise at least MPIC__MIN_DISTANCE_KM
 * apart; its members are removed and the next cohort is searched among the
 * rest, and so on.  The search is a depth-first backtracking over bitsets of
 * candidates, pruned by distance (a candidate must be far from every member
 * already picked), by count (not enough candidates left) and by RIR (if the
 * members so far share one RIR, some candidate of another RIR must remain).
 * A budget of visited nodes bounds the work on adversarial layouts; when it
 * runs out no further cohort is formed (fewer cohorts, never a wrong one).
 *
 * At most COHORT_MAX_DEFS perspectives are supported (the configuration
 * enforces the same limit); with more, or with k < 2, no cohort is formed.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "corroborate/corroborate.h"
#include "corroborate/rules_int.h"

#define COHORT_MAX_DEFS MPIC__COHORT_MAX_DEFS
#define COHORT_WORDS (COHORT_MAX_DEFS / 64)
#define COHORT_BUDGET 250000UL

struct bitset {
	uint64_t w[COHORT_WORDS];
};

struct rank {
	uint8_t h[32];
	size_t idx;
};

struct cstate {
	size_t m;                          /* perspectives considered */
	size_t k;                          /* cohort size */
	size_t order[COHORT_MAX_DEFS];     /* rank position -> def index */
	unsigned rir[COHORT_MAX_DEFS];     /* by rank position */
	struct bitset far[COHORT_MAX_DEFS]; /* pairs >= 500 km apart */
	struct bitset of_rir[MPIC__RIR__COUNT];
	size_t pick[COHORT_MAX_DEFS];
	unsigned long budget;
};

static void
bs_set(struct bitset *b, size_t i)
{
	b->w[i / 64] |= (uint64_t)1 << (i % 64);
}

static void
bs_clear(struct bitset *b, size_t i)
{
	b->w[i / 64] &= ~((uint64_t)1 << (i % 64));
}

static size_t
bs_count(const struct bitset *b)
{
	size_t i, n = 0;

	for (i = 0; i < COHORT_WORDS; i++)
		n += (size_t)__builtin_popcountll(b->w[i]);
	return n;
}

static struct bitset
bs_and(struct bitset a, const struct bitset *b)
{
	size_t i;

	for (i = 0; i < COHORT_WORDS; i++)
		a.w[i] &= b->w[i];
	return a;
}

static struct bitset
bs_andnot(struct bitset a, const struct bitset *b)
{
	size_t i;

	for (i = 0; i < COHORT_WORDS; i++)
		a.w[i] &= ~b->w[i];
	return a;
}

/* Lowest set bit, or SIZE_MAX when empty. */
static size_t
bs_first(const struct bitset *b)
{
	size_t i;

	for (i = 0; i < COHORT_WORDS; i++)
		if (b->w[i] != 0)
			return i * 64 + (size_t)__builtin_ctzll(b->w[i]);
	return SIZE_MAX;
}

static int
rank_cmp(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;
	int c = memcmp(x->h, y->h, sizeof(x->h));

	if (c != 0)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The single RIR of a mask with exactly one bit set, else -1. */
static int
single_rir(unsigned mask)
{
	if (mask == 0 || (mask & (mask - 1)) != 0)
		return -1;
	return __builtin_ctz(mask);
}

/*
 * Pick members depth..k-1 from cand (positions above the last pick that are
 * far from every pick so far).  rmask holds the RIRs picked so far.
 */
static bool
search(struct cstate *st, struct bitset cand, size_t depth, unsigned rmask)
{
	size_t need = st->k - depth, pos;
	int r;

	if (depth == st->k)
		return __builtin_popcount(rmask) >= 2;
	if (bs_count(&cand) < need)
		return false;
	if ((r = single_rir(rmask)) >= 0) {
		struct bitset other = bs_andnot(cand, &st->of_rir[r]);

		if (bs_count(&other) == 0)
			return false;
		if (need == 1)
			cand = other;
	}
	while ((pos = bs_first(&cand)) != SIZE_MAX) {
		struct bitset next;

		if (st->budget == 0)
			return false;
		st->budget--;
		bs_clear(&cand, pos);
		next = bs_and(cand, &st->far[pos]);
		st->pick[depth] = pos;
		if (search(st, next, depth + 1, rmask | 1u << st->rir[pos]))
			return true;
		if (bs_count(&cand) < need)
			return false;
	}
	return false;
}

/*
 * Which pairs are at least MPIC__MIN_DISTANCE_KM apart.  Comparing dot
 * products of unit vectors with the cosine of the minimum central angle is
 * ~20 times cheaper than a haversine per pair; pairs within a hair of the
 * threshold are decided by mpic__distance_km() itself, so both agree.
 */
static void
far_pairs(struct cstate *st, const struct mpic__perspective_def *defs)
{
	const double rad = M_PI / 180.0;
	const double cos_min = cos(MPIC__MIN_DISTANCE_KM /
	    MPIC__EARTH_RADIUS_KM);
	double v[COHORT_MAX_DEFS][3], dot;
	size_t i, j;
	bool far;

	for (i = 0; i < st->m; i++) {
		struct mpic__location l = defs[st->order[i]].loc;

		v[i][0] = cos(l.lat * rad) * cos(l.lon * rad);
		v[i][1] = cos(l.lat * rad) * sin(l.lon * rad);
		v[i][2] = sin(l.lat * rad);
	}
	for (i = 0; i < st->m; i++) {
		for (j = i + 1; j < st->m; j++) {
			dot = v[i][0] * v[j][0] + v[i][1] * v[j][1] +
			    v[i][2] * v[j][2];
			/* NaN coordinates compare false: never far. */
			if (dot < cos_min - 1e-9)
				far = true;
			else if (dot > cos_min + 1e-9)
				far = false;
			else
				far = mpic__distance_km(
				    defs[st->order[i]].loc,
				    defs[st->order[j]].loc) >=
				    MPIC__MIN_DISTANCE_KM;
			if (far && !isnan(dot)) {
				bs_set(&st->far[i], j);
				bs_set(&st->far[j], i);
			}
		}
	}
}

/*
 * Rank the perspectives; false if OpenSSL fails.  One explicitly fetched
 * digest and a context copied per code keep this at a few microseconds for
 * 64 perspectives (one-shot SHA256() fetches the algorithm every call).
 */
static bool
rank_defs(const struct mpic__perspective_def *defs, size_t n,
	  const uint8_t *secret, size_t secret_len, const char *target,
	  struct rank *ranks)
{
	static const uint8_t empty_key[1];
	EVP_MD *md = NULL;
	EVP_MD_CTX *base = NULL, *c = NULL;
	uint8_t seed[32];
	unsigned int len = 0;
	size_t i;
	bool ok = false;

	if (secret == NULL || secret_len == 0) {
		secret = empty_key;
		secret_len = 0;
	}
	if (target == NULL)
		target = "";
	if ((md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (base = EVP_MD_CTX_new()) == NULL ||
	    (c = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (HMAC(md, secret, (int)secret_len, (const unsigned char *)target,
	    strlen(target), seed, &len) == NULL || len != sizeof(seed))
		goto out;
	if (EVP_DigestInit_ex(base, md, NULL) != 1 ||
	    EVP_DigestUpdate(base, seed, sizeof(seed)) != 1)
		goto out;
	for (i = 0; i < n; i++) {
		if (EVP_MD_CTX_copy_ex(c, base) != 1 ||
		    EVP_DigestUpdate(c, defs[i].code, strnlen(defs[i].code,
		    sizeof(defs[i].code))) != 1 ||
		    EVP_DigestFinal_ex(c, ranks[i].h, &len) != 1 ||
		    len != sizeof(ranks[i].h))
			goto out;
		ranks[i].idx = i;
	}
	ok = true;
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	EVP_MD_CTX_free(c);
	EVP_MD_CTX_free(base);
	EVP_MD_free(md);
	return ok;
}

int
mpic__cohorts(const struct mpic__perspective_def *defs, size_t n, size_t k,
	      const uint8_t *secret, size_t secret_len, const char *target,
	      size_t *out, size_t max_cohorts)
{
	struct cstate st;
	struct rank ranks[COHORT_MAX_DEFS];
	struct bitset avail;
	size_t i, j, c = 0;

	if (defs == NULL || out == NULL || k < 2 || k > n ||
	    n > COHORT_MAX_DEFS || max_cohorts == 0)
		return 0;
	if (secret_len > 0 && secret == NULL)
		return 0;
	if (secret_len > INT32_MAX)
		return 0;
	if (!rank_defs(defs, n, secret, secret_len, target, ranks))
		return 0;
	qsort(ranks, n, sizeof(ranks[0]), rank_cmp);

	memset(&st, 0, sizeof(st));
	memset(&avail, 0, sizeof(avail));
	st.m = n;
	st.k = k;
	st.budget = COHORT_BUDGET;
	for (i = 0; i < n; i++) {
		const struct mpic__perspective_def *d = &defs[ranks[i].idx];

		st.order[i] = ranks[i].idx;
		st.rir[i] = (unsigned)d->rir;
		/* A perspective with an impossible RIR never serves. */
		if ((unsigned)d->rir >= MPIC__RIR__COUNT)
			continue;
		bs_set(&st.of_rir[d->rir], i);
		bs_set(&avail, i);
	}
	far_pairs(&st, defs);

	while (c < max_cohorts && search(&st, avail, 0, 0)) {
		for (j = 0; j < k; j++) {
			out[c * k + j] = st.order[st.pick[j]];
			bs_clear(&avail, st.pick[j]);
		}
		c++;
	}
	return (int)c;
}
