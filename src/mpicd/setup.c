/*
 * setup.c - what "mpicd -n" checks before a daemon may start: the BR floor
 * of today, the listening address, the TLS files, the API keys file, the
 * user to run as and what that user must be able to read.  The same code
 * runs at every start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/util.h>
#include <openssl/crypto.h>

#include "mpic/evidence.h"
#include "mpicd.h"

#define KEYS_FILE_MAX (256 * 1024)
#define KEY_MIN 16
#define KEY_MAX 256

void
mpicd_keys_release(struct mpicd_keys *keys)
{
	if (keys->digest != NULL)
		explicit_bzero(keys->digest, keys->n * sizeof(*keys->digest));
	mpicx_free(keys->digest);
	keys->digest = NULL;
	keys->n = 0;
}

/* One key per line; blank lines and lines starting with '#' are skipped.
 * Errors name the line, never the key. */
int
mpicd_keys_load(const char *path, struct mpicd_keys *keys, char *err,
		size_t errlen)
{
	struct mpicd_keys k = {0};
	char *buf = NULL, *line, *end;
	struct stat st;
	size_t n = 0, lineno = 0;
	ssize_t r;
	int fd = -1, rc = MPICD_EX_CONFIG;

	errno = 0;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		mpicx_bufprintf(err, errlen, "api_keys_file %s: %s", path,
		    errno ? strerror(errno) : "not a regular file");
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		mpicx_bufprintf(err, errlen, "api_keys_file %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if ((buf = mpicx_malloc(KEYS_FILE_MAX + 1)) == NULL ||
	    (k.digest = mpicx_calloc(MPICD_MAX_API_KEYS,
	    sizeof(*k.digest))) == NULL) {
		mpicx_bufprintf(err, errlen, "out of memory");
		goto out;
	}
	while (n < KEYS_FILE_MAX + 1 && (r = read(fd, buf + n,
	    KEYS_FILE_MAX + 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			mpicx_bufprintf(err, errlen, "api_keys_file %s: %s",
			    path, strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	if (n > KEYS_FILE_MAX) {
		mpicx_bufprintf(err, errlen, "api_keys_file %s: larger than "
		    "%d KiB", path, KEYS_FILE_MAX / 1024);
		goto out;
	}
	buf[n] = '\0';
	for (line = buf; line < buf + n; line = end + 1) {
		size_t len, i;

		lineno++;
		end = memchr(line, '\n', (size_t)(buf + n - line));
		if (end == NULL)
			end = buf + n;
		len = (size_t)(end - line);
		while (len > 0 && (line[len - 1] == '\r' ||
		    line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		while (len > 0 && (*line == ' ' || *line == '\t')) {
			line++;
			len--;
		}
		if (len == 0 || line[0] == '#')
			continue;
		for (i = 0; i < len; i++)
			if (line[i] <= 0x20 || line[i] >= 0x7f)
				break;
		if (i < len || len < KEY_MIN || len > KEY_MAX) {
			mpicx_bufprintf(err, errlen, "api_keys_file %s:%zu: a "
			    "key must be %d to %d printable ASCII characters "
			    "without spaces", path, lineno, KEY_MIN, KEY_MAX);
			goto out;
		}
		if (k.n == MPICD_MAX_API_KEYS) {
			mpicx_bufprintf(err, errlen, "api_keys_file %s: more "
			    "than %d keys", path, MPICD_MAX_API_KEYS);
			goto out;
		}
		mpicx_sha256(line, len, k.digest[k.n++]);
	}
	if (k.n == 0) {
		mpicx_bufprintf(err, errlen, "api_keys_file %s: no key", path);
		goto out;
	}
	mpicd_keys_release(keys);
	*keys = k;
	k.digest = NULL;
	rc = 0;
out:
	if (buf != NULL) {
		explicit_bzero(buf, KEYS_FILE_MAX + 1);
		mpicx_free(buf);
	}
	mpicd_keys_release(&k);
	if (fd >= 0)
		close(fd);
	return rc;
}

bool
mpicd_keys_match(const struct mpicd_keys *keys, const char *key, size_t n)
{
	uint8_t d[32];
	int hit = 0;
	size_t i;

	/* Digests have one length, so the comparison time depends on
	 * neither the key sent nor the keys held; every key is compared. */
	mpicx_sha256(key, n, d);
	for (i = 0; i < keys->n; i++)
		hit |= CRYPTO_memcmp(d, keys->digest[i], sizeof(d)) == 0;
	explicit_bzero(d, sizeof(d));
	return hit != 0;
}

int
mpicd_listen_addr(const char *listen, struct sockaddr_storage *ss,
		  int *sslen, bool *loopback)
{
	*sslen = (int)sizeof(*ss);
	memset(ss, 0, sizeof(*ss));
	if (evutil_parse_sockaddr_port(listen, (struct sockaddr *)ss,
	    sslen) != 0)
		return -1;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		*loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 =
		    (const struct sockaddr_in6 *)ss;

		*loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	} else {
		return -1;
	}
	return 0;
}

/* The files a worker reads after dropping root: what names it, where
 * (distinct ones: perspectives mostly share the global dns files). */
#define USER_FILES_MAX 64
struct user_file {
	const char *what, *path;
};

static size_t
add_file(struct user_file *f, size_t n, size_t cap, const char *what,
	 const char *path)
{
	size_t i;

	if (path == NULL || n == cap)
		return n;
	for (i = 0; i < n; i++)
		if (strcmp(f[i].path, path) == 0)
			return n;
	f[n].what = what;
	f[n].path = path;
	return n + 1;
}

/*
 * Each file the workers read once root is dropped (the API keys, the CA
 * file on reload, the resolvers' files) must be readable by user:, not
 * only by root, which "mpicd -n" and the start-up checks run as.  A child
 * becomes the user and opens them; the first that fails is reported.
 */
static int
check_user_files(const struct mpic_settings *cfg, char *err, size_t errlen)
{
	struct user_file f[USER_FILES_MAX];
	const struct mpic_settings_persp *dns;
	struct passwd *pw;
	size_t n = 0, i;
	int p[2], rep[2] = {-1, 0}, status, fd;
	pid_t pid;

	if (geteuid() != 0 || cfg->user == NULL ||
	    (pw = getpwnam(cfg->user)) == NULL)
		return 0;
	n = add_file(f, n, USER_FILES_MAX, "api_keys_file",
	    cfg->api_keys_file);
	n = add_file(f, n, USER_FILES_MAX, "tls.client_ca",
	    cfg->tls_client_ca);
	/* the resolvers of this role: the identity's, the primary's, the
	 * in-process perspectives' (i == n_perspectives: the first two) */
	for (i = 0; i <= cfg->n_perspectives; i++) {
		if (i == cfg->n_perspectives)
			dns = cfg->role == MPIC_ROLE_PERSPECTIVE ?
			    (cfg->has_identity ? &cfg->identity : NULL) :
			    (cfg->has_primary ? &cfg->primary : NULL);
		else
			dns = cfg->role == MPIC_ROLE_ALL_IN_ONE ?
			    &cfg->perspectives[i] : NULL;
		if (dns == NULL)
			continue;
		n = add_file(f, n, USER_FILES_MAX, "dns.root_hints",
		    dns->root_hints);
		n = add_file(f, n, USER_FILES_MAX, "dns.trust_anchor",
		    dns->trust_anchor);
	}
	if (n == 0)
		return 0;
	if (pipe2(p, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
		mpicx_bufprintf(err, errlen, "cannot check the files as user "
		    "%s: %s", cfg->user, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		if (setgroups(1, &pw->pw_gid) != 0 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
			rep[1] = errno;
			(void)!write(p[1], rep, sizeof(rep));
			_exit(1);
		}
		for (i = 0; i < n; i++) {
			/* O_NONBLOCK: a FIFO must not hang the check */
			if ((fd = open(f[i].path, O_RDONLY | O_NOCTTY |
			    O_NONBLOCK | O_CLOEXEC)) < 0) {
				rep[0] = (int)i;
				rep[1] = errno;
				(void)!write(p[1], rep, sizeof(rep));
				_exit(1);
			}
			close(fd);
		}
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		rep[1] = 0;
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rep[1] == 0)
		return 0;
	if (rep[0] < 0 || (size_t)rep[0] >= n)
		mpicx_bufprintf(err, errlen, "user: cannot become %s to check "
		    "the files it reads: %s", cfg->user, strerror(rep[1]));
	else
		mpicx_bufprintf(err, errlen, "%s %s: not readable by user %s, "
		    "as which the workers read it (%s)", f[rep[0]].what,
		    f[rep[0]].path, cfg->user, strerror(rep[1]));
	return -1;
}

int
mpicd_check(const struct mpic_config *conf, bool with_key, char *err,
	    size_t errlen)
{
	const struct mpic_settings *cfg = mpic_config_settings(conf);
	struct sockaddr_storage ss;
	struct mpicd_keys keys = {0};
	char why[1024] = "";
	bool loopback;
	SSL_CTX *ctx;
	int sslen;

	if (mpic_config_check_br(conf, time(NULL), why, sizeof(why)) != 0) {
		mpicx_bufprintf(err, errlen, "%s: %s", cfg->source, why);
		return MPICD_EX_CONFIG;
	}
	if (why[0] != '\0')
		mpicd_log("warning", why, "config", cfg->source);
	if (mpicd_listen_addr(cfg->listen, &ss, &sslen, &loopback) != 0) {
		mpicx_bufprintf(err, errlen, "%s: listen: \"%s\" is not an "
		    "IP address and port", cfg->source, cfg->listen);
		return MPICD_EX_CONFIG;
	}
	if (cfg->tls_cert == NULL && !loopback) {
		mpicx_bufprintf(err, errlen, "%s: listen: plain HTTP is only "
		    "served on a loopback address; configure tls for %s",
		    cfg->source, cfg->listen);
		return MPICD_EX_CONFIG;
	}
	if (!loopback && cfg->api_keys_file == NULL &&
	    mpicd_client_auth(cfg) != MPICD_CA_REQUIRED) {
		mpicx_bufprintf(err, errlen, "%s: the API on %s would be open "
		    "to anyone: configure api_keys_file or tls.client_ca",
		    cfg->source, cfg->listen);
		return MPICD_EX_CONFIG;
	}
	if (cfg->role != MPIC_ROLE_PERSPECTIVE && cfg->audit_path == NULL) {
		mpicx_bufprintf(err, errlen, "%s: audit.path: required for the "
		    "%s role: every decision is logged before it is answered "
		    "(BR 5.4.1)", cfg->source, cfg->role ==
		    MPIC_ROLE_COORDINATOR ? "coordinator" : "all-in-one");
		return MPICD_EX_CONFIG;
	}
	if (cfg->tls_cert != NULL && with_key) {
		struct mpicd_ident id;

		if (mpicd_tls_ident_files(cfg, &id, why, sizeof(why)) != 0 ||
		    (ctx = mpicd_tls_ctx(cfg, &id, NULL, why, sizeof(why))) ==
		    NULL) {
			mpicd_tls_ident_free(&id);
			mpicx_bufprintf(err, errlen, "%s: %s", cfg->source,
			    why);
			return MPICD_EX_CONFIG;
		}
		mpicd_tls_ident_free(&id);
		SSL_CTX_free(ctx);
	}
	if (with_key && cfg->has_identity && cfg->identity.signing_key !=
	    NULL) {
		struct mpic_signing_key *sk = mpic_signing_key_load(
		    cfg->identity.signing_key, why, sizeof(why));

		if (sk == NULL) {
			mpicx_bufprintf(err, errlen, "%s: identity.signing_key "
			    "%s", cfg->source, why);
			return MPICD_EX_CONFIG;
		}
		mpic_signing_key_free(sk);
	}
	if (cfg->api_keys_file != NULL) {
		if (mpicd_keys_load(cfg->api_keys_file, &keys, why,
		    sizeof(why)) != 0) {
			mpicx_bufprintf(err, errlen, "%s: %s", cfg->source,
			    why);
			return MPICD_EX_CONFIG;
		}
		mpicd_keys_release(&keys);
	}
	if (cfg->user != NULL && getpwnam(cfg->user) == NULL) {
		mpicx_bufprintf(err, errlen, "%s: user: no such user \"%s\"",
		    cfg->source, cfg->user);
		return MPICD_EX_CONFIG;
	}
	if (check_user_files(cfg, why, sizeof(why)) != 0) {
		mpicx_bufprintf(err, errlen, "%s: %s", cfg->source, why);
		return MPICD_EX_CONFIG;
	}
	return 0;
}

int
mpicd_worker_audit(struct mpic_config *conf, int index)
{
	const char *path = mpic_config_settings(conf)->audit_path;
	char *wpath = NULL;
	size_t n;
	int rc = 0;

	if (index < 0 || path == NULL)
		goto out;
	n = strlen(path) + 16;
	rc = -1;
	if ((wpath = mpicx_malloc(n)) == NULL)
		goto out;
	mpicx_bufprintf(wpath, n, "%s.w%d", path, index);
	if (mpic_config_set_audit_path(conf, wpath) == 0)
		rc = 0;
out:
	mpicx_free(wpath);
	return rc;
}
