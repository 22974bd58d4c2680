/*
 * test_refusal.c - the watch on a connection's output (src/mpicd/
 * refusal.c), fed the way evhttp 2.1 writes an error page (a line per
 * evbuffer_add, then the page): the page goes out as the Open MPIC error
 * body under evhttp's status line; the daemon's own replies, a 100
 * Continue and a head added whole are left as they are; the buffer takes
 * new answers once written.  The daemon tests (tests/integration/daemon,
 * "refusals") send the requests evhttp refuses, for real.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <jansson.h>

#include "../../../src/mpicd/refusal.h"

struct fix {
	struct evbuffer *out;
	struct mpicd_refusal rf;
	bool ours;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->out = evbuffer_new()) == NULL)
		return -1;
	if (mpicd_refusal_watch(&f->rf, f->out, &f->ours) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	mpicd_refusal_release(&f->rf, true);
	evbuffer_free(f->out);
	free(f);
	return 0;
}

/* What evhttp_send_error adds for status st (http.c, 2.1.12). */
static void
evhttp_page(struct evbuffer *out, int st, const char *reason)
{
	struct evbuffer *page = evbuffer_new();

	assert_non_null(page);
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n", st, reason);
	evbuffer_add_printf(out, "%s: %s\r\n", "Content-Type", "text/html");
	evbuffer_add_printf(out, "%s: %s\r\n", "Connection", "close");
	evbuffer_add_printf(out, "%s: %s\r\n", "Date",
	    "Mon, 07 Dec 2026 10:00:00 GMT");
	evbuffer_add_printf(page, "<HTML><HEAD>\n<TITLE>%d %s</TITLE>\n"
	    "</HEAD><BODY>\n<H1>%s</H1>\n</BODY></HTML>\n", st, reason, reason);
	evbuffer_add_printf(out, "%s: %zu\r\n", "Content-Length",
	    evbuffer_get_length(page));
	evbuffer_add(out, "\r\n", 2);
	evbuffer_add_buffer(out, page);
	evbuffer_free(page);
}

/* out's contents, NUL-terminated (caller frees). */
static char *
text(struct evbuffer *out)
{
	size_t n = evbuffer_get_length(out);
	char *s = malloc(n + 1);

	assert_non_null(s);
	assert_int_equal(evbuffer_copyout(out, s, n), (ev_ssize_t)n);
	s[n] = '\0';
	return s;
}

/* s from offset at: one HTTP answer with status st whose JSON body has
 * the issue type; returns the offset past it. */
static size_t
check_answer(const char *s, size_t at, int st, const char *type)
{
	char line[64];
	const char *head = s + at, *body = strstr(head, "\r\n\r\n");
	const char *cl;
	json_t *o, *v;
	size_t n;

	assert_non_null(body);
	body += 4;
	snprintf(line, sizeof(line), "HTTP/1.1 %d ", st);
	assert_memory_equal(head, line, strlen(line));
	assert_non_null(strstr(head, "\r\nContent-Type: application/json\r\n"));
	assert_non_null(strstr(head, "\r\nConnection: close\r\n"));
	assert_null(strstr(s, "text/html"));
	assert_null(strstr(s, "<HTML>"));
	cl = strstr(head, "\r\nContent-Length: ");
	assert_non_null(cl);
	n = strtoul(cl + 18, NULL, 10);
	assert_true(strlen(body) >= n);
	o = json_loadb(body, n, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "error")),
	    "request-validation-failed");
	v = json_array_get(json_object_get(o, "validation_issues"), 0);
	assert_string_equal(json_string_value(json_object_get(v,
	    "issue_type")), type);
	assert_non_null(json_string_value(json_object_get(v, "message")));
	json_decref(o);
	return (size_t)(body - s) + n;
}

static void
test_pages_become_json(void **state)
{
	static const struct {
		int st;
		const char *reason, *type;
	} t[] = {
		{413, "Request Entity Too Large", "body-too-large"},
		{400, "Bad Request", "malformed-request"},
		{501, "Not Implemented", "method-not-implemented"},
		{417, "Expectation Failed", "expectation-failed"},
		{500, "Internal Server Error", "internal-error"},
		{404, "Not Found", "http-error"},
	};
	struct fix *f = *state;
	size_t i, n;
	char *s;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		evhttp_page(f->out, t[i].st, t[i].reason);
		s = text(f->out);
		n = check_answer(s, 0, t[i].st, t[i].type);
		assert_int_equal(n, strlen(s));  /* nothing of evhttp's after */
		free(s);
		/* written: the next answer is added as usual */
		evbuffer_drain(f->out, evbuffer_get_length(f->out));
	}
	/* an unknown status keeps evhttp's reason phrase as the message */
	evhttp_page(f->out, 404, "Not Found");
	s = text(f->out);
	assert_non_null(strstr(s, "\"message\":\"Not Found\""));
	free(s);
}

static void
test_ours_untouched(void **state)
{
	static const char reply[] = "HTTP/1.1 405 Method Not Allowed\r\n";
	struct fix *f = *state;
	char *s;

	f->ours = true;
	evbuffer_add(f->out, reply, sizeof(reply) - 1);
	evbuffer_add(f->out, "Content-Type: text/html\r\n\r\n<p>", 30);
	f->ours = false;
	s = text(f->out);
	assert_string_equal(s, "HTTP/1.1 405 Method Not Allowed\r\n"
	    "Content-Type: text/html\r\n\r\n<p>");
	free(s);
}

/* A 100 Continue stays, and a refusal after it (a chunked body over the
 * limit) is answered after it. */
static void
test_continue_then_refusal(void **state)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct fix *f = *state;
	char *s;

	evbuffer_add(f->out, cont, sizeof(cont) - 1);
	s = text(f->out);
	assert_string_equal(s, cont);
	free(s);
	evhttp_page(f->out, 413, "Request Entity Too Large");
	s = text(f->out);
	assert_memory_equal(s, cont, sizeof(cont) - 1);
	assert_int_equal(check_answer(s, sizeof(cont) - 1, 413,
	    "body-too-large"), strlen(s));
	free(s);
}

/* Not a lone status line: left as it is (fail safe). */
static void
test_whole_head_untouched(void **state)
{
	static const char head[] = "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Type: text/html\r\n\r\n";
	struct fix *f = *state;
	char *s;

	evbuffer_add(f->out, head, sizeof(head) - 1);
	evbuffer_add(f->out, "<HTML>", 6);
	s = text(f->out);
	assert_string_equal(s, "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Type: text/html\r\n\r\n<HTML>");
	free(s);
}

/* Released: the buffer is the caller's again. */
static void
test_released(void **state)
{
	struct fix *f = *state;
	char *s;

	mpicd_refusal_release(&f->rf, true);
	mpicd_refusal_release(&f->rf, true);
	evbuffer_add_printf(f->out, "HTTP/1.1 %d %s\r\n", 400, "Bad Request");
	s = text(f->out);
	assert_string_equal(s, "HTTP/1.1 400 Bad Request\r\n");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pages_become_json, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ours_untouched, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_continue_then_refusal,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_whole_head_untouched,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_released, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
