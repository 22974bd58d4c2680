/*
 * diagnose.c - POST /diagnose (every role: a coordinator fans out, a
 * perspective probes as itself; mpic/diagnose.h) and GET /diagnose, the
 * diagnosis page (coordinator, all-in-one; diagnose_page.c).  Diagnoses
 * are not validations: nothing reaches the audit log, they are logged in
 * the request log, and each API key gets limits.diagnose_per_minute of
 * them per worker and minute (429 past it).
 */
#include <stdlib.h>
#include <string.h>

#include "mpicd.h"

#define RL_SLOTS 64             /* API keys tracked; more share the last */

struct rl_slot {
	uint8_t key[32];        /* SHA-256 of the API key: no secret kept */
	uint64_t window;        /* the minute (monotonic) counted */
	unsigned n;
	bool used;
};

struct mpicd_diagnose {
	struct mpic_diag *diag;
	struct rl_slot slots[RL_SLOTS];
};

int
mpicd_diagnose_new(struct mpicd *d, char *err, size_t errlen)
{
	struct mpicd_diagnose *x;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		mpicx_bufprintf(err, errlen, "out of memory");
		return MPIC_ENOMEM;
	}
	if (mpic_diag_new(d->base, d->conf, &x->diag, err, errlen) != 0) {
		free(x);
		return MPIC_EINVAL;
	}
	d->dx = x;
	return 0;
}

void
mpicd_diagnose_free(struct mpicd *d)
{
	if (d->dx == NULL)
		return;
	mpic_diag_free(d->dx->diag);
	free(d->dx);
	d->dx = NULL;
}

/* One more diagnosis for key (NULL: none sent, one shared budget)? */
static bool
rl_take(struct mpicd_diagnose *x, const char *key, unsigned per_minute)
{
	uint8_t h[32];
	uint64_t now = mpicx_now_mono_ms() / 60000;
	struct rl_slot *s = NULL;
	size_t i;

	mpicx_sha256(key != NULL ? key : "", key != NULL ? strlen(key) : 0,
	    h);
	for (i = 0; i < RL_SLOTS && s == NULL; i++)
		if (!x->slots[i].used || memcmp(x->slots[i].key, h, 32) == 0)
			s = &x->slots[i];
	if (s == NULL)
		s = &x->slots[RL_SLOTS - 1];
	if (!s->used || memcmp(s->key, h, 32) != 0 || s->window != now) {
		memcpy(s->key, h, 32);
		s->used = true;
		s->window = now;
		s->n = 0;
	}
	if (s->n >= per_minute)
		return false;
	s->n++;
	return true;
}

static void
diag_done(void *arg, int status, const char *body, size_t len, bool ready)
{
	struct mpicd_call *c = arg;

	(void)ready;
	c->diagnosing = false;
	mpicd_reply(c->d, c, status, body, len);
}

void
mpicd_diagnose_reload(struct mpicd *d)
{
	struct mpicd_call *c, *next;
	char err[512];

	if (d->dx == NULL)
		return;
	/* the diagnoser reads the configuration, which the reload replaced
	 * (the old one is freed once the engine is done with it): the
	 * diagnoses running on it are dropped and answered */
	mpicd_diagnose_free(d);
	for (c = d->calls; c != NULL; c = next) {
		next = c->next;
		if (!c->diagnosing)
			continue;
		c->diagnosing = false;
		mpicd_reply_issue(d, c, 503, "service-unavailable", "the "
		    "configuration was reloaded during the diagnosis; run it "
		    "again");
	}
	if (mpicd_diagnose_new(d, err, sizeof(err)) != 0)
		mpicd_log("error", "reload: POST /diagnose is unavailable "
		    "until a restart", "reason", err);
}

void
mpicd_handle_diagnose(struct mpicd *d, struct mpicd_call *c,
		      const char *body, size_t len)
{
	const char *key = c->req != NULL ? evhttp_find_header(
	    evhttp_request_get_input_headers(c->req), "x-api-key") : NULL;
	int rc;

	/* not a validation: kept out of the validations' counters */
	c->result = -1;
	if (d->dx == NULL) {
		mpicd_reply_issue(d, c, 500, "internal-error", "no diagnoser");
		return;
	}
	if (!rl_take(d->dx, key, d->cfg->diagnose_per_minute)) {
		mpicd_reply_issue(d, c, 429, "too-many-requests", "diagnoses: "
		    "limits.diagnose_per_minute reached for this API key");
		return;
	}
	mpicd_call_track(c);
	c->diagnosing = true;
	/* The callback may run before run returns (refused bodies). */
	rc = mpic_diag_run(d->dx->diag, body, len, diag_done, c);
	if (rc != 0 && c->diagnosing) {
		c->diagnosing = false;
		mpicd_reply_issue(d, c, 500, "internal-error",
		    mpic_strerror(rc));
	}
}
