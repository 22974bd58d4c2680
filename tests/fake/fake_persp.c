/*
 * fake_persp.c - mpic__persp_local_new() for the scenario runner: the real
 * in-process perspective (lib/engine/local.c, compiled again with its
 * constructor renamed mpic__fake_local_real_new), wrapped so that a
 * scenario can script what a perspective answers (fake.h, docs/testing.md
 * "perspectives"): pass, fail, error, never, or refuse to start, after
 * after_ms.  A perspective without a script of its own takes the steps of
 * "*" in the order the checks start, or runs the real check.  The
 * engine (retries, early decision, deadlines, the primary, the audit
 * gate) runs unchanged on top.
 */
#include <string.h>

#include <event2/event.h>

#include "engine/perspective.h"
#include "fake.h"

/* lib/engine/local.c's constructor, renamed by the build. */
int mpic__fake_local_real_new(struct event_base *base,
			      const struct mpic_config *cfg,
			      const struct mpic__perspective_def *def,
			      struct mpic__persp **out, char *err,
			      size_t errlen);

struct scall;

struct scripted {
	struct mpic__persp head;
	struct mpic__persp *inner;       /* the real in-process perspective */
	struct event_base *base;
	struct scall *calls;            /* scripted, not yet answered */
	size_t n_started;               /* scripted calls so far */
};

struct scall {
	struct scripted *s;
	struct scall *prev, *next;
	struct event *ev;               /* NULL: never answers */
	mpic__check_cb cb;
	void *arg;
	struct mpic__check_result res;
};

static const json_t *scripts;
static size_t n_timed, n_silent;
static size_t n_any;                    /* checks that took a "*" step */
static unsigned long seq;

void
fake_persp_script(const json_t *s)
{
	scripts = s;
	seq = 0;
	n_any = 0;
}

size_t
fake_persp_timed(void)
{
	return n_timed;
}

size_t
fake_persp_silent(void)
{
	return n_silent;
}

static void
unlink_call(struct scall *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->s->calls = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	if (c->ev != NULL) {
		event_free(c->ev);
		n_timed--;
	} else {
		n_silent--;
	}
}

static void
fire(evutil_socket_t fd, short what, void *arg)
{
	struct scall *c = arg;
	struct mpic__check_result res = c->res;

	(void)fd;
	(void)what;
	unlink_call(c);
	res.timestamp_ns = mpic__now_wall_ns();
	c->cb(c->arg, &res);
	mpic__free(c);
}

/* One step of a script: its string or object form, read into a result. */
static int
step_result(const json_t *step, const struct mpic__request *req,
	    struct mpic__check_result *res, bool *silent, unsigned *after_ms)
{
	const char *what = json_is_string(step) ? json_string_value(step) :
	    json_string_value(json_object_get(step, "result"));
	const char *etype = json_string_value(json_object_get(step,
	    "error_type"));
	const char *msg = json_string_value(json_object_get(step, "message"));
	const char *sec = json_string_value(json_object_get(step, "dnssec"));
	const char *type;
	json_t *det = json_object_get(step, "details");

	*silent = false;
	*after_ms = (unsigned)json_integer_value(json_object_get(step,
	    "after_ms"));
	if (what == NULL)
		return MPIC_EINVAL;
	if (strcmp(what, "refuse") == 0)
		return MPIC_EIO;        /* the check cannot start */
	mpic__check_result_init(res);
	res->duration_ms = *after_ms;
	if (sec != NULL) {
		res->dnssec = strcmp(sec, "secure") == 0 ? MPIC__DNSSEC_SECURE :
		    strcmp(sec, "insecure") == 0 ? MPIC__DNSSEC_INSECURE :
		    strcmp(sec, "bogus") == 0 ? MPIC__DNSSEC_BOGUS :
		    MPIC__DNSSEC_INDETERMINATE;
	}
	if (json_is_object(det))
		res->details = json_deep_copy(det);
	if (strcmp(what, "pass") == 0) {
		res->completed = res->passed = true;
	} else if (strcmp(what, "fail") == 0) {
		res->completed = true;
	} else if (strcmp(what, "error") == 0 || strcmp(what, "silent") == 0) {
		*silent = strcmp(what, "silent") == 0;
		type = req->check_type == MPIC__CHECK_CAA ? MPIC__ERR_CAA_LOOKUP :
		    MPIC__ERR_DCV_LOOKUP;
		if (etype != NULL && strcmp(etype, "timeout") == 0)
			type = MPIC__ERR_TIMEOUT;
		else if (etype != NULL && strcmp(etype, "remote") == 0)
			type = MPIC__ERR_REMOTE;
		else if (etype != NULL && strcmp(etype, "dnssec") == 0)
			type = MPIC__ERR_DNSSEC;
		else if (etype != NULL && strcmp(etype, "http") == 0)
			type = MPIC__ERR_HTTP;
		if (!*silent)
			mpic__check_error(res, type, "%s", msg != NULL ? msg :
			    "scripted error");
	} else {
		mpic__check_result_release(res);
		return MPIC_EINVAL;
	}
	return 0;
}

static int
scripted_start(struct mpic__persp *p, const struct mpic__request *req,
	       time_t now, mpic__check_cb cb, void *arg)
{
	struct scripted *s = (struct scripted *)p;
	const json_t *script = json_object_get(scripts, p->def->code);
	const json_t *step;
	struct scall *c = NULL;
	struct timeval tv;
	unsigned after_ms;
	size_t *n = &s->n_started;
	bool silent;
	int rc;

	if (script == NULL) {
		/* "*": the others, step by step in the order they start */
		script = json_object_get(scripts, "*");
		n = &n_any;
	}
	step = script;
	if (json_is_array(script) && json_array_size(script) > 0)
		step = json_array_get(script, *n < json_array_size(script) ?
		    *n : json_array_size(script) - 1);
	if (step == NULL || (json_is_string(step) &&
	    strcmp(json_string_value(step), "real") == 0))
		return s->inner->ops->start(s->inner, req, now, cb, arg);
	(*n)++;
	if ((c = mpic__calloc(1, sizeof(*c))) == NULL)
		return MPIC_ENOMEM;
	rc = step_result(step, req, &c->res, &silent, &after_ms);
	if (rc != 0) {
		mpic__free(c);
		return rc;
	}
	c->s = s;
	c->cb = cb;
	c->arg = arg;
	if (!silent) {
		if ((c->ev = evtimer_new(s->base, fire, c)) == NULL) {
			mpic__check_result_release(&c->res);
			mpic__free(c);
			return MPIC_ENOMEM;
		}
		/* ties in the order the checks were started */
		tv.tv_sec = after_ms / 1000;
		tv.tv_usec = (suseconds_t)(after_ms % 1000) * 1000 +
		    (suseconds_t)(seq++ % 1000);
		evtimer_add(c->ev, &tv);
		n_timed++;
	} else {
		n_silent++;
	}
	c->next = s->calls;
	if (s->calls != NULL)
		s->calls->prev = c;
	s->calls = c;
	return 0;
}

static void
scripted_free(struct mpic__persp *p)
{
	struct scripted *s = (struct scripted *)p;

	if (s == NULL)
		return;
	while (s->calls != NULL) {
		struct scall *c = s->calls;

		unlink_call(c);
		mpic__check_result_release(&c->res);
		mpic__free(c);
	}
	if (s->inner != NULL)
		s->inner->ops->free(s->inner);
	mpic__free(s);
}

static const struct mpic__persp_ops scripted_ops = {
	.start = scripted_start,
	.free = scripted_free,
};

int
mpic__persp_local_new(struct event_base *base, const struct mpic_config *cfg,
		      const struct mpic__perspective_def *def,
		      struct mpic__persp **out, char *err, size_t errlen)
{
	struct scripted *s;
	int rc;

	*out = NULL;
	if ((s = mpic__calloc(1, sizeof(*s))) == NULL)
		return MPIC_ENOMEM;
	s->head.ops = &scripted_ops;
	s->head.def = def;
	s->base = base;
	rc = mpic__fake_local_real_new(base, cfg, def, &s->inner, err, errlen);
	if (rc != 0) {
		mpic__free(s);
		return rc;
	}
	*out = &s->head;
	return 0;
}
