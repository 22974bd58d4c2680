/*
 * labwire: a point-to-point link between two network namespaces with a
 * fixed one-way delay, for the network lab (lab/net).
 *
 *   labwire -d MS [-p PIDFILE] NS_A:IF_A NS_B:IF_B
 *
 * Opens a TUN device IF_A inside namespace NS_A and IF_B inside NS_B
 * (/run/netns/NAME, as made by "ip netns add"), then copies every IP
 * packet from one to the other after MS milliseconds.  lab-net uses it
 * where the kernel has no sch_netem ("tc qdisc ... netem delay" fails with
 * "Specified qdisc kind is unknown"): the delay is the same in both
 * directions, packets keep their order, and a full queue drops (as a real
 * router's would).
 *
 * The devices are not persistent: they vanish when the process ends, so
 * killing it (or tearing the namespaces down) leaves nothing behind.  The
 * pid file is written once both devices exist; the caller then gives them
 * addresses and brings them up.  SIGTERM/SIGINT end it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 4096    /* packets in flight per direction */
#define MAXPKT 2048   /* TUN MTU is 1500; room for anything the kernel sends */

struct slot {
	uint64_t due_ns;
	uint16_t len;
	unsigned char data[MAXPKT];
};

struct dir {
	int in, out;                /* read from in, write to out */
	struct slot *q;
	unsigned head, count;       /* FIFO: constant delay keeps due order */
	unsigned long long dropped;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "labwire: %s%s%s: %s\n", what, arg ? " " : "",
	    arg ? arg : "", strerror(errno));
	exit(1);
}

/* Open TUN device IFNAME inside the named namespace; returns its fd. */
static int open_tun(const char *ns, const char *ifname)
{
	char path[PATH_MAX];
	int nsfd, fd;
	struct ifreq ifr;

	if (snprintf(path, sizeof path, "/run/netns/%s", ns) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		die("namespace name", ns);
	}
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		die("open", path);
	if (setns(nsfd, CLONE_NEWNET) < 0)
		die("setns", path);
	close(nsfd);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		die("open", "/dev/net/tun");
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (strlen(ifname) >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		die("interface name", ifname);
	}
	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die("TUNSETIFF", ifname);
	return fd;
}

static void split(char *arg, char **ns, char **ifname)
{
	char *c = strchr(arg, ':');

	if (!c || c == arg || !c[1]) {
		fprintf(stderr, "labwire: expected NAMESPACE:INTERFACE, got '%s'\n", arg);
		exit(64);
	}
	*c = '\0';
	*ns = arg;
	*ifname = c + 1;
}

/* Read what is waiting on d->in into the queue (drop when full). */
static void take(struct dir *d, uint64_t delay_ns)
{
	for (int n = 0; n < 64; n++) {
		struct slot *s;
		unsigned char scratch[MAXPKT];
		ssize_t r;

		if (d->count == SLOTS) {
			r = read(d->in, scratch, sizeof scratch);
			if (r < 0)
				return;
			d->dropped++;
			continue;
		}
		s = &d->q[(d->head + d->count) % SLOTS];
		r = read(d->in, s->data, sizeof s->data);
		if (r <= 0)
			return;
		s->len = (uint16_t)r;
		s->due_ns = now_ns() + delay_ns;
		d->count++;
	}
}

/* Write every due packet; returns ns until the next one is due (or -1). */
static int64_t give(struct dir *d, uint64_t now)
{
	while (d->count) {
		struct slot *s = &d->q[d->head];

		if (s->due_ns > now)
			return (int64_t)(s->due_ns - now);
		if (write(d->out, s->data, s->len) < 0 && errno == EAGAIN)
			return 1000000; /* device queue full: retry in 1 ms */
		d->head = (d->head + 1) % SLOTS;
		d->count--;
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *pidfile = NULL;
	long delay_ms = -1;
	char *ns_a, *if_a, *ns_b, *if_b, *end;
	int opt, home, fa, fb;
	struct dir dirs[2];
	struct sigaction sa;

	while ((opt = getopt(argc, argv, "d:p:")) != -1) {
		switch (opt) {
		case 'd':
			errno = 0;
			delay_ms = strtol(optarg, &end, 10);
			if (errno || *end || delay_ms < 0 || delay_ms > 10000) {
				fprintf(stderr, "labwire: -d wants 0-10000 ms\n");
				return 64;
			}
			break;
		case 'p':
			pidfile = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (delay_ms < 0 || argc - optind != 2)
		goto usage;
	split(argv[optind], &ns_a, &if_a);
	split(argv[optind + 1], &ns_b, &if_b);

	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		die("open", "/proc/self/ns/net");
	fa = open_tun(ns_a, if_a);
	fb = open_tun(ns_b, if_b);
	if (setns(home, CLONE_NEWNET) < 0)
		die("setns", "back home");
	close(home);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	dirs[0] = (struct dir){ .in = fa, .out = fb };
	dirs[1] = (struct dir){ .in = fb, .out = fa };
	for (int i = 0; i < 2; i++) {
		dirs[i].q = malloc(sizeof(struct slot) * SLOTS);
		if (!dirs[i].q)
			die("malloc", NULL);
	}
	if (pidfile) {
		char tmp[PATH_MAX];
		FILE *f;

		if (snprintf(tmp, sizeof tmp, "%s.tmp", pidfile) >= (int)sizeof tmp) {
			errno = ENAMETOOLONG;
			die("pid file", pidfile);
		}
		f = fopen(tmp, "w");
		if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0 ||
		    rename(tmp, pidfile) != 0)
			die("pid file", pidfile);
	}

	while (!stop) {
		struct pollfd p[2] = { { .fd = fa, .events = POLLIN },
				       { .fd = fb, .events = POLLIN } };
		uint64_t t = now_ns();
		int64_t w0 = give(&dirs[0], t), w1 = give(&dirs[1], t), w;
		int timeout;

		w = w0 < 0 ? w1 : (w1 < 0 || w0 < w1 ? w0 : w1);
		/* poll has ms resolution: round up so that nothing leaves early */
		timeout = w < 0 ? 1000 : (int)((w + 999999) / 1000000);
		if (poll(p, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			die("poll", NULL);
		}
		if (p[0].revents & POLLIN)
			take(&dirs[0], (uint64_t)delay_ms * 1000000u);
		if (p[1].revents & POLLIN)
			take(&dirs[1], (uint64_t)delay_ms * 1000000u);
		if ((p[0].revents | p[1].revents) & (POLLERR | POLLHUP | POLLNVAL)) {
			fprintf(stderr, "labwire: device gone\n");
			break;
		}
	}
	if (dirs[0].dropped || dirs[1].dropped)
		fprintf(stderr, "labwire: dropped %llu + %llu packets (queue full)\n",
		    dirs[0].dropped, dirs[1].dropped);
	free(dirs[0].q);
	free(dirs[1].q);
	if (pidfile)
		unlink(pidfile);
	return 0;
usage:
	fprintf(stderr, "usage: labwire -d MS [-p PIDFILE] NS_A:IF_A NS_B:IF_B\n");
	return 64;
}
