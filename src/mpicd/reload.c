/*
 * reload.c - SIGHUP reloads the whole configuration, as nginx and knot
 * do: the file is read and checked first (mpicd_check(), what "mpicd -n"
 * checks, without the private key, which the key process reloads), and
 * a configuration with any error changes nothing.  A coordinator's
 * engine takes the new one for new requests while requests in flight
 * finish on the old (mpic_engine_reconfigure); the audit log stays the
 * same object (one writer per file, held with flock).  The keys that a
 * running process cannot change (the socket, the processes, the user,
 * the audit file) are named as needing a restart; the rest applies.
 */
#include <string.h>

#include <event2/http.h>

#include "reload.h"

#define RELOAD_KEYS_MAX 2048   /* the changed keys, for the log line */

static int worker_index = -1;
/* role perspective: the configuration read on the last reload (its
 * perspective, d->self, keeps the one it was made with) */
static struct mpic_config *owned;

void
mpicd_reload_worker(int index)
{
	worker_index = index;
}

void
mpicd_reload_release(void)
{
	mpic_config_free(owned);
	owned = NULL;
}

/* What a running process cannot change; prefix matches end in '.'. */
static bool
needs_restart(const char *key, enum mpic_role role)
{
	static const char *const always[] = { "listen", "workers", "user",
	    "role", "audit.path", "admin_listen", NULL };
	/* a perspective's own checks are made at start (mpic_persp_new) */
	static const char *const persp[] = { "identity", "dns.", "dcv.",
	    "caa.", NULL };
	size_t i;

	for (i = 0; always[i] != NULL; i++)
		if (strcmp(key, always[i]) == 0)
			return true;
	for (i = 0; role == MPIC_ROLE_PERSPECTIVE && persp[i] != NULL; i++)
		if (strncmp(key, persp[i], strlen(persp[i])) == 0)
			return true;
	return false;
}

struct changes {
	enum mpic_role role;
	bool keys_switched;     /* api_keys_file set or unset */
	struct mpic_config *nc;         /* the new one, */
	const struct mpic_config *old;  /* the one in force */
	bool unkept;            /* a key needing a restart could not be kept */
	char applied[RELOAD_KEYS_MAX];
	char restart[RELOAD_KEYS_MAX];
};

static void
append(char *buf, size_t cap, const char *key)
{
	size_t len = strlen(buf);

	if (len + strlen(key) + 3 >= cap) {
		/* a longer list is cut, visibly */
		if (len + 4 < cap && strcmp(buf + (len > 3 ? len - 3 : 0),
		    "...") != 0)
			mpicx_bufprintf(buf + len, cap - len, "%s...",
			    len > 0 ? ", " : "");
		return;
	}
	mpicx_bufprintf(buf + len, cap - len, "%s%s", len > 0 ? ", " : "",
	    key);
}

static void
on_change(void *arg, const char *key)
{
	struct changes *c = arg;

	/* API keys turned on or off: the workers keep the keys in force
	 * (with the TLS context of the old kind they could open the API) */
	if (needs_restart(key, c->role) || (c->keys_switched &&
	    strcmp(key, "api_keys_file") == 0)) {
		append(c->restart, sizeof(c->restart), key);
		/* the value in force stays until the restart: what the
		 * process reports, and what a restarted worker starts with */
		if (mpic_config_keep(c->nc, c->old, key) != 0)
			c->unkept = true;
	} else
		append(c->applied, sizeof(c->applied), key);
}

/* The changes from old to nc into c; the keys needing a restart keep
 * old's values in nc (c->unkept: not all could). */
static size_t
compare(struct changes *c, struct mpic_config *nc,
	const struct mpic_config *old)
{
	c->role = mpic_config_settings(old)->role;
	c->nc = nc;
	c->old = old;
	c->keys_switched = (mpic_config_settings(old)->api_keys_file ==
	    NULL) != (mpic_config_settings(nc)->api_keys_file == NULL);
	return mpic_config_changes(old, nc, on_change, c);
}

/* The file read again and checked: the new configuration, or NULL with
 * the reason (naming the file) in err. */
static struct mpic_config *
read_checked(const char *path, const struct mpic_config *running, char *err,
	     size_t errlen)
{
	struct mpic_config *nc = NULL;
	char why[1024];

	if (mpic_config_reload(path, running, &nc, why, sizeof(why)) != 0) {
		/* the parser's messages start with the file's name */
		if (strncmp(why, path, strlen(path)) == 0)
			mpicx_bufprintf(err, errlen, "%s", why);
		else
			mpicx_bufprintf(err, errlen, "%s: %s", path, why);
		goto out;
	}
	if (mpicd_check(nc, false, err, errlen) != 0) {
		mpic_config_free(nc);
		nc = NULL;
	}
out:
	return nc;
}

struct mpic_config *
mpicd_reload_main(const char *path, const struct mpic_config *running)
{
	struct mpic_config *nc;
	struct changes *c = NULL;
	char err[1024];

	if ((nc = read_checked(path, running, err, sizeof(err))) == NULL)
		goto out;
	/* a restarted worker must not start with what the others keep
	 * until the restart (another role, audit file...): when that
	 * cannot be kept, it starts with the configuration before */
	if ((c = mpicx_calloc(1, sizeof(*c))) == NULL ||
	    (compare(c, nc, running), c->unkept)) {
		mpic_config_free(nc);
		nc = NULL;
	}
out:
	mpicx_free(c);
	return nc;
}

/* The server's limits that evhttp holds (server.c sets them at start). */
static void
server_limits(struct mpicd *d)
{
	struct timeval tv;

	if (d->http == NULL)
		return;
	evhttp_set_max_headers_size(d->http, d->cfg->max_header_bytes);
	tv.tv_sec = d->cfg->io_timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(d->cfg->io_timeout_ms % 1000) * 1000;
	evhttp_set_timeout_tv(d->http, &tv);
}

bool
mpicd_reload_config(struct mpicd *d)
{
	struct mpic_config *nc = NULL;
	struct changes *c = NULL;
	char err[1024];
	size_t n;
	bool ok = false;

	if (d->cfg_path == NULL || d->conf == NULL)
		goto out;
	if ((nc = read_checked(d->cfg_path, d->conf, err,
	    sizeof(err))) == NULL) {
		mpicd_log("error", "reload: keeping the old configuration",
		    "reason", err);
		goto out;
	}
	if ((c = mpicx_calloc(1, sizeof(*c))) == NULL ||
	    mpicd_worker_audit(nc, worker_index) != 0) {
		mpicd_log("error", "reload: keeping the old configuration",
		    "reason", "out of memory");
		goto out;
	}
	/* audit.path, like the others needing a restart, keeps the value
	 * in force (this worker's file, PATH.wN) */
	n = compare(c, nc, d->conf);
	if (d->eng != NULL) {
		if (mpic_engine_reconfigure(d->eng, nc, err,
		    sizeof(err)) != 0) {
			mpicd_log("error", "reload: keeping the old "
			    "configuration", "reason", err);
			goto out;
		}
		/* the engine's now: freed once out of force and unused */
	} else {
		mpic_config_free(owned);
		owned = nc;
	}
	d->conf = nc;
	d->cfg = mpic_config_settings(nc);
	nc = NULL;
	server_limits(d);
	(void)mpicd_log_set_level(d->cfg->log_level);
	mpicd_diagnose_reload(d);
	mpicd_log("info", "reload: configuration loaded", "changed",
	    n == 0 ? "none" : c->applied[0] != '\0' ? c->applied :
	    "none that apply");
	if (c->restart[0] != '\0') {
		char msg[RELOAD_KEYS_MAX + 64];

		mpicx_bufprintf(msg, sizeof(msg), "reload: needs a restart: "
		    "%s", c->restart);
		mpicd_log("warning", msg, "config", d->cfg_path);
	}
	ok = true;
out:
	mpic_config_free(nc);
	mpicx_free(c);
	return ok;
}
