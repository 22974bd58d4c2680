/*
 * mpicd - the MPIC daemon: one binary, three roles (perspective,
 * coordinator, all-in-one) chosen by its configuration.
 *
 *   mpicd -c FILE      run
 *   mpicd -n -c FILE   check the configuration: exit 0 good, 78 bad
 *
 * Processes: the parent loads and checks the configuration, forks the
 * key process (keyproc.h: the only one that reads the private key), builds
 * the TLS context with the key process's certificate and a proxy of its
 * key, binds one SO_REUSEPORT socket per worker, drops root, and forks
 * the workers; the kernel spreads new connections over the workers'
 * sockets.  Each worker has its own event
 * loop, HTTP server, resolvers (one per in-process perspective, or the
 * perspective's own) and connections to remote perspectives: caches and
 * counters are per worker.  The parent only supervises: it forwards
 * SIGTERM / SIGINT / SIGHUP (a reload asks the key process first, then
 * the workers, so that they fetch the new certificate), restarts a worker
 * that died (at most RESTART_MAX times a minute) and exits 0 once every
 * worker has drained.  A worker gets SIGTERM (and drains) if the parent
 * dies.  With workers: 1 the single process does all of
 * this itself; the key process is still apart.
 *
 * The key process cannot be restarted: it needs root (or the key file)
 * and the main process no longer has either.  When it dies, handshakes
 * fail (the workers log why), and the daemon stops with status 1 so that
 * the service manager (Restart=on-failure) starts it afresh.
 */
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "admin.h"
#include "keyproc.h"
#include "mpicd.h"
#include "statement.h"
#include "notify.h"
#include "reload.h"

#define MAX_WORKERS 64
#define RESTART_MAX 5

static void
usage(FILE *f)
{
	fprintf(f, "usage: mpicd [-n] -c FILE\n"
	    "  -c FILE  configuration (mpicd.conf(5))\n"
	    "  -n       check the configuration and exit (0 good, 78 bad)\n"
	    "  -V       print the version\n");
}

/* ------------------------------------------------------------ worker */

/* One worker: it is the main process and tells systemd itself. */
static bool notify_self;

/* The signals that stop or reload the daemon, or rotate its audit log. */
static void
stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
}

static void
on_term(evutil_socket_t fd, short what, void *arg)
{
	struct mpicd *d = arg;
	struct timeval tv;

	(void)fd;
	(void)what;
	if (d->draining)
		return;
	d->draining = true;
	if (notify_self)
		mpicd_notify(MPICD_STOPPING);
	mpicd_log("info", "draining: no new connections", NULL, NULL);
	tv.tv_sec = d->cfg->drain_timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(d->cfg->drain_timeout_ms % 1000) * 1000;
	evtimer_add(d->drain_timer, &tv);
	mpicd_server_stop(d);
}

static void
on_drain_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct mpicd *d = arg;
	char n[16];

	(void)fd;
	(void)what;
	mpicx_bufprintf(n, sizeof(n), "%u", d->inflight);
	mpicd_log("warning", "drain timeout: abandoning requests in flight",
	    "requests", n);
	event_base_loopexit(d->base, NULL);
}

/*
 * A reload: with conf the configuration file (reload.c: checked first,
 * refused whole on any error), then the certificates, keys and CA (a new
 * SSL_CTX), the allow-list of client certificate names, the session
 * ticket keys of generation gen (those of the tickets issued before no
 * longer decrypt), and with api_keys the API keys.  A part that fails to
 * load keeps the old one.
 */
static void
reload(struct mpicd *d, uint32_t gen, bool conf, bool api_keys)
{
	struct mpicd_keys keys = {0};
	char err[512];
	SSL_CTX *ctx;
	bool newconf, peers;

	/* workers: 1: this process is also the one that tells the key
	 * process to re-read its files (first, as the main process does) */
	if (d->kp != NULL && mpicd_keyproc_reload(d->kp, err,
	    sizeof(err)) != 0)
		mpicd_log("error", "reload: the key process keeps the old "
		    "certificate and key", "reason", err);
	newconf = conf && mpicd_reload_config(d);
	/* a restarted worker (!conf) inherited the main process's allow-list
	 * of its start: the one of its configuration is the one in force */
	peers = conf ? newconf : true;
	if (d->ssl != NULL) {
		struct mpicd_ident id, cid;

		if (peers && mpicd_tls_peers_set(d->cfg->tls_allowed_peers,
		    d->cfg->n_tls_allowed_peers) != 0) {
			mpicd_log("error", "reload: keeping the old "
			    "tls.allowed_peers", "reason", "out of memory");
		} else if (peers) {
			char n[16];

			mpicx_bufprintf(n, sizeof(n), "%zu",
			    d->cfg->n_tls_allowed_peers);
			mpicd_log("info", "reload: tls.allowed_peers loaded",
			    "names", n);
		}
		if (mpicd_tls_tickets_rotate(gen) != 0)
			mpicd_log("error", "reload: no TLS session tickets "
			    "until the next reload", NULL, NULL);
		/* New connections get the new context; open ones keep the
		 * old, which lives until its last connection closes. */
		if (mpicd_tls_ident_fetch(d->kfd, &id, err, sizeof(err)) !=
		    0 || (ctx = mpicd_tls_ctx(d->cfg, &id, d->ssl, err,
		    sizeof(err))) == NULL) {
			mpicd_log("error", "reload: keeping the old "
			    "certificates", "reason", err);
		} else {
			if (err[0] != '\0')
				mpicd_log("error", "reload: keeping the old "
				    "tls.client_ca", "reason", err);
			SSL_CTX_free(d->ssl);
			d->ssl = ctx;
			mpicd_tls_policy_changed();
			if (d->cfg->role != MPIC_ROLE_PERSPECTIVE &&
			    mpicd_tls_ident_fetch(d->kfd, &cid, err,
			    sizeof(err)) == 0) {
				mpicd_tls_client_set(&cid);
				/* calls go out with the new certificate */
				mpic_engine_retire_connections(d->eng);
			}
			mpicd_log("info", "reload: certificates and keys "
			    "loaded", NULL, NULL);
		}
		mpicd_tls_ident_free(&id);
	}
	if (api_keys && d->cfg->api_keys_file != NULL) {
		if (mpicd_keys_load(d->cfg->api_keys_file, &keys, err,
		    sizeof(err)) != 0) {
			mpicd_log("error", "reload: keeping the old API keys",
			    "reason", err);
		} else {
			mpicd_keys_release(&d->keys);
			d->keys = keys;
			mpicd_log("info", "reload: API keys loaded", NULL,
			    NULL);
		}
	}
}

static void
on_hup(evutil_socket_t fd, short what, void *arg)
{
	struct mpicd *d = arg;

	(void)fd;
	(void)what;
	if (notify_self)
		mpicd_notify(MPICD_RELOADING);
	reload(d, ++d->reloads, true, true);
	if (notify_self)
		mpicd_notify(MPICD_READY);
}

/* SIGUSR1: rotate the audit log (docs/audit.md), as logrotate's
 * postrotate or an operator asks. */
static void
on_usr1(evutil_socket_t fd, short what, void *arg)
{
	struct mpicd *d = arg;

	(void)fd;
	(void)what;
	if (mpic_engine_audit_rotate(d->eng))
		mpicd_log("info", "audit log: rotating", "path",
		    d->cfg->audit_path);
	else
		mpicd_log("info", "SIGUSR1: no audit log to rotate", NULL,
		    NULL);
}

/* workers: 1: the control socket closes when the key process dies. */
static void
on_keyproc(evutil_socket_t fd, short what, void *arg)
{
	struct mpicd *d = arg;
	char buf[64];

	(void)what;
	if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) != 0)
		return;         /* a late answer to a reload, or nothing */
	event_del(d->ev_kp);
	d->kp_died = true;
	mpicd_log("error", "the key process died: TLS handshakes fail; "
	    "stopping", NULL, NULL);
	on_term(-1, 0, d);
}

/* The configuration file (for the reloads). */
static const char *conf_path;
/* The admin listener's socket (shared by the workers, -1: none) and the
 * whole process's metrics (admin.h), made before the first fork. */
static int admin_fd = -1;
static struct mpicd_shm *shm;

/* The worker's slot counters published every second (the gauges, what
 * the library counts), so that a scrape of another worker sees them. */
static void
on_publish(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	mpicd_stats_publish(arg);
}

/*
 * One worker: returns the exit status.  index is the worker's number when
 * there are several: each then keeps its own audit log, PATH.wINDEX (the
 * log is one writer's hash chain; workers are separate processes).
 * reloads: how many reloads the daemon has had; a worker started after
 * one (a restart) does one itself first, so that it serves what the
 * others serve rather than ssl, made at start.
 */
static int
worker(struct mpic_config *conf, SSL_CTX *ssl, int fd, int index, int kfd,
       struct mpicd_keyproc *kp, uint32_t reloads)
{
	const struct mpic_settings *cfg = mpic_config_settings(conf);
	const struct mpic_audit_stats *ai;
	struct mpicd d;
	struct mpicd_call *c;
	char err[1024] = "";
	int rc = 1;

	memset(&d, 0, sizeof(d));
	d.cfg = cfg;
	d.conf = conf;
	d.ssl = ssl;
	d.kfd = kfd;
	d.kp = kp;
	d.cfg_path = conf_path;
	d.reloads = reloads;
	d.started_ns = mpicx_now_wall_ns();
	mpicd_keyproxy_use(kfd);
	mpicd_reload_worker(index);
	/* conf is already the configuration in force (the main process's
	 * last good reload): the certificates only */
	if (reloads > 0)
		reload(&d, reloads, false, false);
	if (cfg->api_keys_file != NULL && mpicd_keys_load(cfg->api_keys_file,
	    &d.keys, err, sizeof(err)) != 0) {
		mpicd_log("error", err, NULL, NULL);
		goto out;
	}
	if ((d.base = event_base_new()) == NULL) {
		mpicd_log("error", "cannot create an event base", NULL, NULL);
		goto out;
	}
	if (mpicd_worker_audit(conf, index) != 0) {
		mpicd_log("error", "out of memory", NULL, NULL);
		goto out;
	}
	if (cfg->role == MPIC_ROLE_PERSPECTIVE) {
		if (mpic_persp_new(d.base, conf, &d.self, err,
		    sizeof(err)) != 0) {
			mpicd_log("error", err, NULL, NULL);
			goto out;
		}
		/* its statements signed by the key process */
		if (cfg->has_identity && cfg->identity.signing_key != NULL)
			mpic_persp_set_signer(d.self, mpicd_sign_statement,
			    NULL);
	} else if (mpic_engine_new(d.base, conf, &d.eng, err,
	    sizeof(err)) != 0) {
		mpicd_log("error", err, NULL, NULL);
		goto out;
	} else {
		mpic_engine_audit_notice(d.eng, mpicd_audit_notice, &d);
	}
	if (mpicd_diagnose_new(&d, err, sizeof(err)) != 0) {
		mpicd_log("error", err, NULL, NULL);
		goto out;
	}
	d.ev_term = evsignal_new(d.base, SIGTERM, on_term, &d);
	d.ev_int = evsignal_new(d.base, SIGINT, on_term, &d);
	d.ev_hup = evsignal_new(d.base, SIGHUP, on_hup, &d);
	d.ev_usr1 = evsignal_new(d.base, SIGUSR1, on_usr1, &d);
	d.drain_timer = evtimer_new(d.base, on_drain_timeout, &d);
	if (d.ev_term == NULL || d.ev_int == NULL || d.ev_hup == NULL ||
	    d.ev_usr1 == NULL ||
	    d.drain_timer == NULL || evsignal_add(d.ev_term, NULL) != 0 ||
	    evsignal_add(d.ev_int, NULL) != 0 ||
	    evsignal_add(d.ev_hup, NULL) != 0 ||
	    evsignal_add(d.ev_usr1, NULL) != 0) {
		mpicd_log("error", "cannot set up signals", NULL, NULL);
		goto out;
	}
	{
		/* blocked since main(): those that came meanwhile are
		 * delivered now, to the events above */
		sigset_t stop;

		stop_signals(&stop);
		sigprocmask(SIG_UNBLOCK, &stop, NULL);
	}
	if (kp != NULL && kp->ctl >= 0 && ((d.ev_kp = event_new(d.base,
	    kp->ctl, EV_READ | EV_PERSIST, on_keyproc, &d)) == NULL ||
	    event_add(d.ev_kp, NULL) != 0)) {
		mpicd_log("error", "cannot watch the key process", NULL, NULL);
		goto out;
	}
	if (mpicd_server_start(&d, fd, err, sizeof(err)) != 0) {
		mpicd_log("error", err, NULL, NULL);
		goto out;
	}
	fd = -1;        /* the listener owns it */
	mpicd_stats_attach(&d, shm, index);
	if (mpicd_admin_start(&d, admin_fd, err, sizeof(err)) != 0) {
		mpicd_log("error", err, NULL, NULL);
		goto out;
	}
	{
		struct timeval sec = { 1, 0 };

		if ((d.ev_publish = event_new(d.base, -1, EV_PERSIST,
		    on_publish, &d)) == NULL || event_add(d.ev_publish,
		    &sec) != 0) {
			mpicd_log("error", "cannot set up the metrics", NULL,
			    NULL);
			goto out;
		}
	}
	mpicd_log("info", "worker ready", "listen", cfg->listen);
	if (notify_self)
		mpicd_notify(MPICD_READY);
	else
		mpicd_ready_worker(index);
	if (event_base_dispatch(d.base) < 0) {
		mpicd_log("error", "event loop failed", NULL, NULL);
		goto out;
	}
	rc = d.kp_died ? 1 : 0;
out:
	d.draining = true;
	/* Drop checks still running (no callbacks), then the calls that
	 * waited for them, then the connections. */
	mpicd_diagnose_free(&d);
	mpic_persp_free(d.self);
	if (d.eng != NULL && (ai = mpic_engine_audit_stats(d.eng)) != NULL &&
	    ai->pending > 0 && ai->failed == 0) {
		/* mpic_engine_free() writes them: on a stuck disk, it waits
		 * for the disk (docs/audit.md) */
		mpicx_bufprintf(err, sizeof(err), "%llu records, the oldest "
		    "waiting for %llu ms", (unsigned long long)ai->pending,
		    (unsigned long long)ai->waiting_ms);
		mpicd_log("warning", "stopping: waiting for the audit log to "
		    "make its queued records durable", "detail", err);
	}
	/* the configurations of reloads are the engine's (freed with it)
	 * or reload.c's: what runs after this reads the one of the start */
	d.conf = conf;
	d.cfg = cfg;
	mpic_engine_free(d.eng);
	d.self = NULL;
	d.eng = NULL;
	while ((c = d.calls) != NULL) {
		static const char gone[] = "{\"error\":\"shutting-down\","
		    "\"message\":\"the server stopped before the answer\"}";

		c->result = MPICD_R_ERROR;
		mpicd_reply(&d, c, 503, gone, sizeof(gone) - 1);
	}
	mpicd_admin_stop(&d);
	if (d.ev_publish != NULL)
		event_free(d.ev_publish);
	d.listener = NULL;
	if (d.http != NULL)
		evhttp_free(d.http);
	if (fd >= 0)
		close(fd);
	if (d.ev_term != NULL)
		event_free(d.ev_term);
	if (d.ev_int != NULL)
		event_free(d.ev_int);
	if (d.ev_hup != NULL)
		event_free(d.ev_hup);
	if (d.ev_usr1 != NULL)
		event_free(d.ev_usr1);
	if (d.drain_timer != NULL)
		event_free(d.drain_timer);
	if (d.ev_kp != NULL)
		event_free(d.ev_kp);
	mpicd_server_release(&d);
	if (d.base != NULL)
		event_base_free(d.base);
	if (d.ssl != NULL)
		SSL_CTX_free(d.ssl);
	mpicd_keys_release(&d.keys);
	mpicd_reload_release();
	if (rc == 0)
		mpicd_log("info", "worker stopped", NULL, NULL);
	return rc;
}

/* ------------------------------------------------------------ parent */

static int
bind_socket(const struct mpic_settings *cfg, bool reuseport, char *err,
	    size_t errlen)
{
	struct sockaddr_storage ss;
	bool loopback;
	int sslen, fd, one = 1;

	if (mpicd_listen_addr(cfg->listen, &ss, &sslen, &loopback) != 0) {
		mpicx_bufprintf(err, errlen, "listen: bad address %s",
		    cfg->listen);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 || (reuseport && setsockopt(fd, SOL_SOCKET,
	    SO_REUSEPORT, &one, sizeof(one)) != 0) ||
	    /*
	     * Accepted sockets inherit TCP_NODELAY.  Without it, an answer
	     * written in two pieces (headers, then body) waits for the peer's
	     * ACK of the first: one more round trip per remote call, measured
	     * in the network lab (bench/run-net).
	     */
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&ss, (socklen_t)sslen) != 0 ||
	    listen(fd, 1024) != 0) {
		mpicx_bufprintf(err, errlen, "listen %s: %s", cfg->listen,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Least privilege: once the ports are bound, never root again. */
static int
drop_root(const struct mpic_settings *cfg, char *err, size_t errlen)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if (cfg->user == NULL) {
		mpicd_log("warning", "running as root: set user: in the "
		    "configuration", NULL, NULL);
		return 0;
	}
	if ((pw = getpwnam(cfg->user)) == NULL) {
		mpicx_bufprintf(err, errlen, "user %s: no such user",
		    cfg->user);
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) != 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
		mpicx_bufprintf(err, errlen, "cannot become %s: %s", cfg->user,
		    strerror(errno));
		return -1;
	}
	if (setuid(0) == 0 || seteuid(0) == 0) {
		mpicx_bufprintf(err, errlen, "could regain root after "
		    "dropping it");
		return -1;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	mpicd_log("info", "dropped root", "user", cfg->user);
	return 0;
}

struct slot {
	pid_t pid;
	int fd;
	unsigned restarts;
	time_t window;
};

static pid_t
spawn(struct mpic_config *conf, SSL_CTX *ssl, struct mpicd_keyproc *kp,
      struct slot *slots, int n, int i, const sigset_t *old,
      uint32_t reloads)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	int j, rc;

	if (pid != 0)
		return pid;
	/*
	 * A worker whose supervisor is gone (kill -9, the OOM killer) drains
	 * and exits: unsupervised, it would hold the port and its audit
	 * log's lock against the mpicd started in its place.  SIGTERM stays
	 * blocked until the mask is restored below, so a supervisor that
	 * died before this line is caught by the getppid() check.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0 ||
	    getppid() != parent)
		_exit(1);
	/* the child: its own sockets only */
	for (j = 0; j < n; j++)
		if (j != i) {
			close(slots[j].fd);
			if (kp->fds != NULL)
				close(kp->fds[j]);
		}
	if (kp->ctl >= 0)
		close(kp->ctl);
	mpicd_ready_child();
	/* SIGCHLD as usual; SIGTERM, SIGINT and SIGHUP stay blocked (since
	 * main()) until worker() has their events */
	sigprocmask(SIG_SETMASK, old, NULL);
	rc = worker(conf, ssl, slots[i].fd, n > 1 ? i : -1, kp->fds != NULL ?
	    kp->fds[i] : -1, NULL, reloads);
	mpic_config_free(conf);
	mpicd_tls_peers_clear();
	mpicd_tls_tickets_clear();
	curl_global_cleanup();
	exit(rc);
}

static int
supervise(struct mpic_config *conf, SSL_CTX *ssl, struct mpicd_keyproc *kp,
	  struct slot *slots, int n)
{
	const struct mpic_settings *cfg = mpic_config_settings(conf);
	struct mpic_config *cur = conf, *nc, *owned = NULL;
	sigset_t set, old;
	struct timespec tick = {1, 0}, fast = {0, 20 * 1000 * 1000};
	bool starting;
	bool stopping = false;
	time_t deadline = 0;
	uint32_t reloads = 0;   /* the workers count theirs alike */
	int i, live = 0, rc = 0, sig, status;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (mpicd_ready_open() != 0)
		mpicd_log("warning", "no readiness pipe: the service manager "
		    "will not hear READY=1", "reason", strerror(errno));
	for (i = 0; i < n; i++) {
		slots[i].pid = spawn(conf, ssl, kp, slots, n, i, &old, 0);
		if (slots[i].pid < 0) {
			mpicd_log("error", "fork failed", "reason",
			    strerror(errno));
			stopping = true;
			rc = 1;
			break;
		}
		live++;
	}
	if (stopping)
		for (i = 0; i < n; i++)
			if (slots[i].pid > 0)
				kill(slots[i].pid, SIGTERM);
	starting = true;
	while (live > 0) {
		/* while the workers start, look at their pipe often */
		sig = sigtimedwait(&set, NULL, starting ? &fast : &tick);
		starting = starting && mpicd_ready_poll(n, stopping);
		if (sig == SIGHUP) {
			reloads++;
			/* a worker restarted from now on starts with the
			 * configuration the others reload (or keep) */
			if ((nc = mpicd_reload_main(conf_path, cur)) != NULL) {
				mpic_config_free(owned);
				owned = cur = nc;
			}
		}
		if (sig == SIGUSR1)     /* the workers rotate their logs */
			for (i = 0; i < n; i++)
				if (slots[i].pid > 0)
					kill(slots[i].pid, SIGUSR1);
		if (sig == SIGHUP && !starting)
			mpicd_notify(MPICD_RELOADING);
		if (sig == SIGHUP && kp->ctl >= 0) {
			char err[512];

			if (mpicd_keyproc_reload(kp, err, sizeof(err)) != 0)
				mpicd_log("error", "reload: the key process "
				    "keeps the old certificate and key",
				    "reason", err);
		}
		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
			if (sig != SIGHUP && !stopping) {
				stopping = true;
				mpicd_notify(MPICD_STOPPING);
				deadline = time(NULL) + 5 +
				    (time_t)(cfg->drain_timeout_ms / 1000);
			}
			for (i = 0; i < n; i++)
				if (slots[i].pid > 0)
					kill(slots[i].pid, sig == SIGHUP ?
					    SIGHUP : SIGTERM);
			/* the workers reload in their own loops */
			if (sig == SIGHUP && !starting && !stopping)
				mpicd_notify(MPICD_READY);
		}
		if (stopping && deadline != 0 && time(NULL) > deadline) {
			mpicd_log("warning", "workers did not stop in time; "
			    "killing them", NULL, NULL);
			for (i = 0; i < n; i++)
				if (slots[i].pid > 0)
					kill(slots[i].pid, SIGKILL);
			deadline = 0;
			rc = 1;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid == kp->pid) {
				kp->pid = 0;
				mpicd_log("error", "the key process died: TLS "
				    "handshakes fail; stopping", NULL, NULL);
				rc = 1;
				if (stopping)
					continue;
				stopping = true;
				mpicd_notify(MPICD_STOPPING);
				deadline = time(NULL) + 5 +
				    (time_t)(cfg->drain_timeout_ms / 1000);
				for (i = 0; i < n; i++)
					if (slots[i].pid > 0)
						kill(slots[i].pid, SIGTERM);
				continue;
			}
			for (i = 0; i < n && slots[i].pid != pid; i++)
				;
			if (i == n)
				continue;
			slots[i].pid = 0;
			live--;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				char what[64];

				mpicx_bufprintf(what, sizeof(what), "%s %d",
				    WIFSIGNALED(status) ? "signal" : "status",
				    WIFSIGNALED(status) ? WTERMSIG(status) :
				    WEXITSTATUS(status));
				mpicd_log("error", "worker died", "how", what);
				if (stopping) {
					rc = 1;
					continue;
				}
				if (time(NULL) - slots[i].window > 60) {
					slots[i].window = time(NULL);
					slots[i].restarts = 0;
				}
				if (++slots[i].restarts > RESTART_MAX) {
					mpicd_log("error", "worker keeps dying;"
					    " stopping", NULL, NULL);
					stopping = true;
					mpicd_notify(MPICD_STOPPING);
					rc = 1;
					deadline = time(NULL) + 5 + (time_t)(
					    cfg->drain_timeout_ms / 1000);
					for (i = 0; i < n; i++)
						if (slots[i].pid > 0)
							kill(slots[i].pid,
							    SIGTERM);
					continue;
				}
				slots[i].pid = spawn(cur, ssl, kp, slots, n, i,
				    &old, reloads);
				if (slots[i].pid > 0)
					live++;
			} else if (!stopping) {
				/* a worker exits 0 only when told to stop */
				mpicd_log("warning", "worker exited", NULL,
				    NULL);
			}
		}
	}
	mpicd_ready_close();
	sigprocmask(SIG_SETMASK, &old, NULL);
	mpic_config_free(owned);
	mpicd_log("info", "stopped", NULL, NULL);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *cfgpath = NULL;
	struct mpic_config *conf = NULL;
	const struct mpic_settings *cfg;
	struct slot slots[MAX_WORKERS];
	struct mpicd_keyproc kp = {.ctl = -1};
	SSL_CTX *ssl = NULL;
	char err[1024] = "";
	bool check_only = false;
	long ncpu;
	int opt, n = 0, i, rc = MPICD_EX_CONFIG;

	/* before the first goto out, which closes the slots' sockets */
	memset(slots, 0, sizeof(slots));
	for (i = 0; i < MAX_WORKERS; i++)
		slots[i].fd = -1;
	while ((opt = getopt(argc, argv, "c:nVh")) != -1) {
		switch (opt) {
		case 'c': cfgpath = optarg; break;
		case 'n': check_only = true; break;
		case 'V':
			printf("mpicd %s (Open MPIC API %s, BR %s)\n",
			    mpic_version(), MPIC_OPEN_MPIC_SPEC_VERSION,
			    MPIC_BR_VERSION);
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 64;
		}
	}
	if (cfgpath == NULL || optind != argc) {
		usage(stderr);
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	/*
	 * A SIGHUP or SIGTERM that comes while the daemon starts must wait
	 * for its handler, not take the default action (end the process):
	 * blocked here, inherited across fork by the workers, unblocked by
	 * each worker once its loop's signal events are in place (and by
	 * the key process, which ignores them); the supervisor takes them
	 * with sigtimedwait.
	 */
	if (!check_only) {
		sigset_t stop;

		stop_signals(&stop);
		sigprocmask(SIG_BLOCK, &stop, NULL);
	}
	conf_path = cfgpath;
	if (mpic_config_load(cfgpath, &conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpicd: %s\n", err);
		return MPICD_EX_CONFIG;
	}
	cfg = mpic_config_settings(conf);
	/* before the first line; the workers inherit it */
	(void)mpicd_log_set_level(cfg->log_level);
	if (mpicd_check(conf, check_only, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpicd: %s\n", err);
		goto out;
	}
	if (check_only) {
		fprintf(stderr, "mpicd: %s: configuration OK (role %s)\n",
		    cfgpath, cfg->role == MPIC_ROLE_PERSPECTIVE ?
		    "perspective" : cfg->role == MPIC_ROLE_COORDINATOR ?
		    "coordinator" : "all-in-one");
		rc = 0;
		goto out;
	}
	rc = 1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		mpicd_log("error", "cannot initialise libcurl", NULL, NULL);
		goto out;
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	n = cfg->workers > 0 ? cfg->workers : ncpu > 0 ? (int)ncpu : 1;
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	/* The private key is read by the key process, before root is
	 * dropped; this process gets the certificate and a proxy. */
	if (cfg->tls_cert != NULL) {
		struct mpicd_ident id, cid;

		if (mpicd_keyproc_start(cfg, n, &kp, err, sizeof(err)) != 0) {
			mpicd_log("error", err, NULL, NULL);
			rc = MPICD_EX_CONFIG;
			goto out;
		}
		mpicd_keyproxy_use(kp.fds[0]);
		/* after the key process's fork: it needs neither */
		if (mpicd_tls_peers_set(cfg->tls_allowed_peers,
		    cfg->n_tls_allowed_peers) != 0) {
			mpicd_log("error", "out of memory", NULL, NULL);
			goto out;
		}
		if (mpicd_tls_tickets_init() != 0)
			mpicd_log("error", "no TLS session tickets (no random "
			    "secret for their keys): every handshake is a full "
			    "one", NULL, NULL);
		if (mpicd_tls_ident_fetch(kp.fds[0], &id, err,
		    sizeof(err)) != 0 || (ssl = mpicd_tls_ctx(cfg, &id, NULL, err,
		    sizeof(err))) == NULL) {
			mpicd_tls_ident_free(&id);
			mpicd_log("error", err, NULL, NULL);
			goto out;
		}
		mpicd_tls_ident_free(&id);
		if (cfg->role != MPIC_ROLE_PERSPECTIVE) {
			if (mpicd_tls_ident_fetch(kp.fds[0], &cid, err,
			    sizeof(err)) != 0) {
				mpicd_log("error", err, NULL, NULL);
				goto out;
			}
			mpicd_tls_client_set(&cid);
			mpic_config_set_tls_client_ctx(conf,
			    mpicd_tls_client_ctx, NULL);
		}
		{
			char p[16];

			mpicx_bufprintf(p, sizeof(p), "%d", (int)kp.pid);
			mpicd_log("info", "key process ready", "key_pid", p);
		}
	}
	for (i = 0; i < n; i++) {
		if ((slots[i].fd = bind_socket(cfg, n > 1, err,
		    sizeof(err))) < 0) {
			mpicd_log("error", err, NULL, NULL);
			goto out;
		}
	}
	if ((admin_fd = mpicd_admin_bind(cfg, err, sizeof(err))) == -1) {
		mpicd_log("error", err, NULL, NULL);
		goto out;
	}
	if (admin_fd == -2) {
		if (err[0] != '\0')
			mpicd_log("warning", "no admin listener", "reason",
			    err);
		admin_fd = -1;
	}
	if ((shm = mpicd_shm_new()) == NULL) {
		mpicd_log("warning", "no shared memory for the metrics: each "
		    "scrape shows one worker", NULL, NULL);
	} else {
		shm->main_pid = (uint64_t)getpid();
		shm->start_ns = mpicx_now_wall_ns();
	}
	if (drop_root(cfg, err, sizeof(err)) != 0) {
		mpicd_log("error", err, NULL, NULL);
		goto out;
	}
	{
		char w[16];

		mpicx_bufprintf(w, sizeof(w), "%d", n);
		mpicd_log("info", cfg->role == MPIC_ROLE_PERSPECTIVE ?
		    "starting perspective" : cfg->role ==
		    MPIC_ROLE_COORDINATOR ? "starting coordinator" :
		    "starting all-in-one", "workers", w);
	}
	if (n == 1) {
		notify_self = true;
		rc = worker(conf, ssl, slots[0].fd, -1, kp.fds != NULL ?
		    kp.fds[0] : -1, kp.fds != NULL ? &kp : NULL, 0);
		ssl = NULL;     /* the worker freed it */
		slots[0].fd = -1;
	} else {
		rc = supervise(conf, ssl, &kp, slots, n);
	}
out:
	for (i = 0; i < MAX_WORKERS; i++)
		if (slots[i].fd >= 0)
			close(slots[i].fd);
	if (ssl != NULL)
		SSL_CTX_free(ssl);
	{
		struct mpicd_ident none = {0};

		mpicd_tls_client_set(&none);
	}
	mpicd_tls_peers_clear();
	mpicd_tls_tickets_clear();
	mpicd_keyproc_close(&kp);
	if (admin_fd >= 0)
		close(admin_fd);
	mpicd_shm_free(shm);
	mpic_config_free(conf);
	curl_global_cleanup();
	return rc;
}
