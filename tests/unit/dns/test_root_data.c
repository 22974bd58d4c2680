/*
 * The root trust anchor and hints a resolver uses when the configuration
 * names none: Debian's dns-root-data files (root.key, root.hints) where
 * they can be read, the built-in copies otherwise.  A directory stands in
 * for /usr/share/dns; a file there that libunbound cannot read makes the
 * first lookup fail at once, which shows the file was taken.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "dns/dns.h"
#include "util/util.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	mpic__bufprintf(dir, sizeof(dir), "/tmp/mpic-rootdata.XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static void
put(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	mpic__bufprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
rm(const char *name)
{
	char p[128];

	mpic__bufprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

static int
teardown(void **state)
{
	(void)state;
	rm("root.key");
	rm("root.hints");
	return rmdir(dir);
}

static void
no_cb(void *arg, const struct mpic__dns_answer *ans)
{
	(void)arg;
	(void)ans;
}

/* mpic__resolve's return for a resolver over root_data_dir d: 0 when the
 * lookup started, an error when libunbound could not set itself up. */
static int
start_lookup(const char *d)
{
	struct mpic__dns_opts o = {.root_data_dir = d, .timeout_ms = 1000};
	struct event_base *base = event_base_new();
	struct mpic__resolver *r = NULL;
	char err[256] = "";
	int rc;

	assert_non_null(base);
	assert_int_equal(mpic__resolver_new(base, &o, &r, err, sizeof(err)),
	    0);
	rc = mpic__resolve(r, "example.com", 1, no_cb, NULL);
	mpic__resolver_free(r);
	event_base_free(base);
	return rc;
}

static void
test_root_file_picks_readable_files(void **state)
{
	char buf[128], want[128];

	(void)state;
	assert_null(mpic__dns_root_file(dir, "root.key", buf, sizeof(buf)));
	put("root.key", ". IN DS 20326 8 2 "
	    "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n");
	mpic__bufprintf(want, sizeof(want), "%s/root.key", dir);
	assert_ptr_equal(mpic__dns_root_file(dir, "root.key", buf,
	    sizeof(buf)), buf);
	assert_string_equal(buf, want);
	/* "" turns the lookup off; a name that does not fit is no name */
	assert_null(mpic__dns_root_file("", "root.key", buf, sizeof(buf)));
	assert_null(mpic__dns_root_file(dir, "root.key", buf, 8));
	/* NULL is Debian's place */
	if (mpic__dns_root_file(NULL, "root.hints", buf, sizeof(buf)) != NULL)
		assert_string_equal(buf, MPIC__DNS_ROOT_DATA_DIR "/root.hints");
	rm("root.key");
}

static void
test_resolver_takes_root_key(void **state)
{
	(void)state;
	/* nothing there: the built-in anchor, the lookup starts */
	assert_int_equal(start_lookup(dir), 0);
	put("root.key", "this is not a trust anchor\n");
	assert_int_not_equal(start_lookup(dir), 0);
	/* "": the files are not looked for */
	assert_int_equal(start_lookup(""), 0);
	rm("root.key");
}

static void
test_resolver_takes_root_hints(void **state)
{
	(void)state;
	put("root.hints", "this is not a zone file\n");
	assert_int_not_equal(start_lookup(dir), 0);
	rm("root.hints");
	assert_int_equal(start_lookup(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_file_picks_readable_files),
		cmocka_unit_test(test_resolver_takes_root_key),
		cmocka_unit_test(test_resolver_takes_root_hints),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
