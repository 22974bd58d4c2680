/*
 * config_br.c - can a configuration meet the Baseline Requirements floor
 * (BR 3.2.2.9) in force on a given day?
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/config_int.h"

#define LAB_WARNING "br_minimums: lab \xe2\x80\x94 Baseline Requirements " \
	"floors NOT enforced: "

/* Appends "; "-separated problems to a bounded buffer. */
static void
problem(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
problem(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strnlen(buf, size);
	va_list ap;

	if (used + 3 >= size)
		return;
	if (used > 0) {
		memcpy(buf + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

int
mpic_config_check_br(const struct mpic_config *cfg, time_t now, char *err,
		     size_t errlen)
{
	size_t cohort[CFG_MAX_PERSPECTIVES];
	struct mpic__br_phase ph;
	char why[1024];
	size_t n;
	int k;

	if (err == NULL)
		errlen = 0;
	if (errlen > 0)
		err[0] = '\0';
	if (cfg == NULL)
		return MPIC_EINVAL;
	/* A perspective answers checks; it never chooses remotes.  Of the
	 * floors, only the port of its TLS-ALPN-01 checks is its own. */
	if (cfg->role == MPIC_ROLE_PERSPECTIVE && cfg->tls_alpn_port == 443)
		return 0;

	why[0] = '\0';
	mpic__br_phase(now, &ph);
	if (cfg->role == MPIC_ROLE_PERSPECTIVE)
		goto alpn;
	n = cfg->n_perspectives;
	k = cfg->default_perspective_count;
	if (k < 1 || (size_t)k > n)
		problem(why, sizeof(why), "%zu perspective%s configured, "
		    "fewer than default_perspective_count %d", n,
		    n == 1 ? "" : "s", k);
	if (k < ph.min_remotes)
		problem(why, sizeof(why), "default_perspective_count %d is "
		    "below the minimum of %d remote perspectives in force "
		    "since %s", k, ph.min_remotes, ph.since);
	if (ph.two_rir_rule && k >= 1 && (size_t)k <= n &&
	    mpic__cohorts(cfg->perspectives, n, (size_t)k, cfg->hash_secret,
	    cfg->hash_secret_len, "", cohort, 1) < 1)
		problem(why, sizeof(why), "the %zu perspectives cannot form "
		    "one cohort of %d spanning at least 2 RIRs with every "
		    "pair at least %.0f km apart (rule in force since "
		    "2026-03-15)", n, k, MPIC__MIN_DISTANCE_KM);
alpn:
	if (cfg->tls_alpn_port != 443)
		problem(why, sizeof(why), "dcv.tls_alpn_port is %u; RFC 8737 "
		    "and BR 3.2.2.4.20 require port 443", cfg->tls_alpn_port);

	if (cfg->br_lab) {
		if (why[0] == '\0')
			mpic__bufprintf(err, errlen, LAB_WARNING "none of "
			    "the floors in force since %s is violated today, "
			    "but none is checked", ph.since);
		else
			mpic__bufprintf(err, errlen, LAB_WARNING "%s", why);
		return 0;
	}
	if (why[0] == '\0')
		return 0;
	mpic__bufprintf(err, errlen, "%s: Baseline Requirements floor in "
	    "force since %s not met: %s", cfg->source, ph.since, why);
	return MPIC_EPOLICY;
}
