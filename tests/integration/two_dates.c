/*
 * two_dates.c - two requests of different dates in flight at once on one
 * engine (so on the same in-process perspectives): each check must judge
 * persistUntil against its own request's date.  A perspective that kept
 * "the" date in state shared by its requests judged the first request
 * against the second's date.  Uses only the public library.
 *
 * usage: two_dates CONFIG TARGET ISSUER ACCOUNT_URI UNTIL
 *   TARGET's persistent TXT names ISSUER, ACCOUNT_URI and persistUntil
 *   UNTIL (Unix seconds).  Request A is dated a day before UNTIL and must
 *   be valid, request B a day after and must not be; A is submitted
 *   first, so its answers arrive while B is in flight.
 * Exit 0 when both hold, 1 when not, 2 when the test could not run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include <mpic/mpic.h>

struct outcome {
	const char *name;
	int status;
	int valid;              /* -1: no is_valid in the answer */
	int done;
};

static int left = 2;
static struct event_base *base;

static void
on_answer(void *arg, int status, const char *body, size_t len)
{
	struct outcome *o = arg;

	(void)len;
	o->status = status;
	o->valid = strstr(body, "\"is_valid\":true") != NULL ? 1 :
	    strstr(body, "\"is_valid\":false") != NULL ? 0 : -1;
	o->done = 1;
	printf("%s: status %d: %.300s\n", o->name, status, body);
	if (--left == 0)
		event_base_loopbreak(base);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	fprintf(stderr, "two_dates: no answer within 60 s\n");
	event_base_loopbreak(base);
}

int
main(int argc, char **argv)
{
	struct outcome a = { "A (a day before persistUntil)", 0, -1, 0 };
	struct outcome b = { "B (a day after persistUntil)", 0, -1, 0 };
	struct mpic_config *cfg = NULL;
	struct mpic_engine *eng = NULL;
	struct timeval limit = { 60, 0 };
	struct event *timer = NULL;
	char body[1024], err[256];
	long long until;
	int rc = 2;

	if (argc != 6) {
		fprintf(stderr, "usage: two_dates CONFIG TARGET ISSUER "
		    "ACCOUNT_URI UNTIL\n");
		return 2;
	}
	until = strtoll(argv[5], NULL, 10);
	snprintf(body, sizeof(body), "{\"check_type\":\"dcv\","
	    "\"domain_or_ip_target\":\"%s\",\"dcv_check_parameters\":"
	    "{\"validation_method\":\"dns-persistent\","
	    "\"issuer_domain_names\":[\"%s\"],"
	    "\"expected_account_uri\":\"%s\"}}", argv[2], argv[3], argv[4]);
	if ((base = event_base_new()) == NULL)
		goto out;
	if (mpic_config_load(argv[1], &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "two_dates: %s\n", err);
		goto out;
	}
	if (mpic_engine_new(base, cfg, &eng, err, sizeof(err)) != 0) {
		fprintf(stderr, "two_dates: %s\n", err);
		goto out;
	}
	if (mpic_engine_submit(eng, body, strlen(body),
	    (time_t)(until - 86400), on_answer, &a) != 0 ||
	    mpic_engine_submit(eng, body, strlen(body),
	    (time_t)(until + 86400), on_answer, &b) != 0) {
		fprintf(stderr, "two_dates: submit failed\n");
		goto out;
	}
	timer = evtimer_new(base, on_timeout, NULL);
	if (timer == NULL || evtimer_add(timer, &limit) != 0)
		goto out;
	if (left > 0)
		event_base_dispatch(base);
	if (!a.done || !b.done)
		goto out;
	rc = a.status == 200 && a.valid == 1 && b.status == 200 &&
	    b.valid == 0 ? 0 : 1;
	printf("two_dates: %s\n", rc == 0 ? "each request judged by its own "
	    "date" : "a request was judged by another's date");
out:
	if (timer != NULL)
		event_free(timer);
	mpic_engine_free(eng);
	mpic_config_free(cfg);
	if (base != NULL)
		event_base_free(base);
	return rc;
}
