/*
 * refusal.c - evhttp (libevent 2.1.12, Debian 12) refuses some requests
 * itself, before on_request sees them, with evhttp_send_error's HTML
 * page: 400 for a request line or header it cannot parse (a header block
 * over limits.max_header_bytes, a bad Content-Length or
 * Transfer-Encoding), 413 for a body over MPICD_BODY_HARD_MAX (refused
 * unread), 417 for an Expect other than 100-continue, 501 for a method it
 * does not know (or CONNECT); our own evhttp_send_error (out of memory)
 * makes one too.  Clients of an Open MPIC API expect JSON.
 *
 * libevent 2.1 has no hook for these (no error callback: evhttp calls its
 * own handler, which clears the request's URI and headers first), and
 * catching the conditions before evhttp would mean parsing HTTP a second
 * time.  What it does have is evbuffer callbacks, run as bytes are added,
 * before any is written.  So each connection's output buffer is watched:
 * evhttp writes a response head one evbuffer_add per line, status line
 * first, and when it adds, on its own (not while mpicd_reply is writing),
 * a lone status line of a final response, the rest of our answer --
 * headers and the Open MPIC error body, the same as mpicd_reply_issue's --
 * is added after it at once and the buffer's end frozen: the headers and
 * page evhttp adds next fail (it does not check; they are freed with the
 * request).  The end thaws once the buffer has been written.  A
 * 100 Continue is left alone, and so is anything else that is not a lone
 * status line: should a later libevent add a head whole, its page goes
 * out as it is, and the daemon tests say so.  evhttp closes the
 * connection after such a page (but for CONNECT); our answer says
 * Connection: close, and its Content-Length delimits it either way.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include <mpic/mpic.h>

#include "mpicx/mpicx.h"
#include "refusal.h"

/* The Open MPIC issue of each status evhttp refuses with (mpicd's own 413
 * says "request body: N octets, more than the 65536 allowed"). */
static const struct {
	int status;
	const char *type;
	const char *message;
} refusals[] = {
	{400, "malformed-request", "request: the request line or a header "
	    "(Content-Length, Transfer-Encoding...) is malformed, or the "
	    "header block is larger than the server accepts"},
	{413, "body-too-large", "request body: more than the 65536 octets "
	    "allowed"},
	{417, "expectation-failed", "request: Expect must be 100-continue"},
	{500, "internal-error", "out of memory"},
	{501, "method-not-implemented", "request method: not one the server "
	    "implements (POST for the API, GET for the operator pages)"},
};
_Static_assert(MPIC_MAX_BODY == 65536, "the 413 message names the limit");

/* Longer additions are not a status line of evhttp's. */
#define LINE_MAX_LEN 256

/*
 * The status of a lone status line ("HTTP/1.1 413 Reason\r\n", exactly
 * len octets) and its reason phrase; -1 when s is anything else.
 */
static int
status_line(const char *s, size_t len, const char **reason, size_t *rlen)
{
	const char *p, *end;
	int st;

	if (len < 15)
		return -1;
	p = s + 9;
	end = s + len - 2;
	if (memcmp(s, "HTTP/", 5) != 0 || s[8] != ' ' || p[0] < '1' ||
	    p[0] > '5' || p[1] < '0' || p[1] > '9' || p[2] < '0' ||
	    p[2] > '9' || p[3] != ' ' ||
	    memcmp(end, "\r\n", 2) != 0 || memchr(s, '\n', len - 1) != NULL)
		return -1;
	st = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	*reason = p + 4;
	*rlen = (size_t)(end - *reason);
	return st;
}

/* After evhttp's status line: our headers and body; the end frozen. */
static void
answer(struct mpicd_refusal *rf, int status, const char *reason,
       size_t rlen)
{
	static const char oom[] = "{\"error\":\"internal-error\"}";
	char msg[256];          /* an issue's message: 255 bytes at most */
	char date[64] = "";
	char *body = NULL;
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (refusals[i].status == status)
			break;
	if (i < sizeof(refusals) / sizeof(refusals[0])) {
		body = mpic_issue_body(refusals[i].type, refusals[i].message);
	} else {
		mpicx_bufprintf(msg, sizeof(msg), "%.*s", (int)rlen, reason);
		body = mpic_issue_body("http-error", msg);
	}
	if (gmtime_r(&now, &tm) != NULL)
		(void)strftime(date, sizeof(date),
		    "%a, %d %b %Y %H:%M:%S GMT", &tm);
	rf->answered = true;    /* (our own addition calls us back) */
	if (evbuffer_add_printf(rf->out, "Content-Type: application/json\r\n"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "Connection: close\r\nDate: %s\r\nContent-Length: %zu\r\n\r\n%s",
	    date, body != NULL ? strlen(body) : sizeof(oom) - 1,
	    body != NULL ? body : oom) < 0)
		rf->answered = false;   /* evhttp's page follows, as it was */
	else
		evbuffer_freeze(rf->out, 0);
	mpicx_free(body);
}

/*
 * The last n octets of out, into line.  (evbuffer_copyout_from would do,
 * but a socket bufferevent keeps its output's front frozen, which it
 * refuses; evbuffer_peek does not mind.)
 */
static bool
copy_end(struct evbuffer *out, char *line, size_t n)
{
	struct evbuffer_iovec v[4];
	struct evbuffer_ptr at;
	size_t got = 0;
	int i, nv;

	if (evbuffer_ptr_set(out, &at, evbuffer_get_length(out) - n,
	    EVBUFFER_PTR_SET) != 0)
		return false;
	nv = evbuffer_peek(out, (ev_ssize_t)n, &at, v, 4);
	for (i = 0; i < nv && i < 4 && got < n; i++) {
		size_t k = v[i].iov_len < n - got ? v[i].iov_len : n - got;

		memcpy(line + got, v[i].iov_base, k);
		got += k;
	}
	return got == n;
}

static void
on_output(struct evbuffer *out, const struct evbuffer_cb_info *info,
	  void *arg)
{
	struct mpicd_refusal *rf = arg;
	size_t len = evbuffer_get_length(out), rlen = 0;
	char line[LINE_MAX_LEN];
	const char *reason = NULL;
	int st;

	if (info->n_added == 0) {
		if (rf->answered && len == 0) {
			evbuffer_unfreeze(out, 0);
			rf->answered = false;
		}
		return;
	}
	if (*rf->ours || rf->answered || info->n_added > sizeof(line) ||
	    info->n_added > len || !copy_end(out, line, info->n_added))
		return;
	st = status_line(line, info->n_added, &reason, &rlen);
	if (st >= 200)
		answer(rf, st, reason, rlen);
}

int
mpicd_refusal_watch(struct mpicd_refusal *rf, struct evbuffer *out,
		    const bool *ours)
{
	rf->out = out;
	rf->ours = ours;
	rf->answered = false;
	rf->cb = evbuffer_add_cb(out, on_output, rf);
	return rf->cb != NULL ? 0 : -1;
}

void
mpicd_refusal_release(struct mpicd_refusal *rf, bool out_alive)
{
	if (rf->cb != NULL && out_alive)
		evbuffer_remove_cb_entry(rf->out, rf->cb);
	rf->cb = NULL;
}
