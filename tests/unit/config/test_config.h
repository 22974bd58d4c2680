/* test_config.h - shared by the files of the unit-config test. */
#ifndef TEST_CONFIG_H
#define TEST_CONFIG_H

struct mpic_config;

/* A mkdtemp directory, and a 32-byte secret file in it. */
extern char tmpdir[64];
extern char secret_path[128];

/* Parses text as "t.yaml"; fails the test unless it is accepted. */
struct mpic_config *parse_ok(const char *text);

void test_check_br(void **state);
void test_config_changes(void **state);
void test_config_reload_secret(void **state);
void test_config_keep(void **state);

#endif
