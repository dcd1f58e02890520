//  test_mutsyncd_config - mutsyncd.conf: what a good file sets, and each
//  refusal with its file:line and why, leaving the config empty.

#include "config.h"

#include "tmpdir.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse(const char *text, ms_config_t *config, ms_error_t *err)
{
    return ms_config_parse("mutsyncd.conf", text, strlen(text), config, err);
}

static void assert_empty(const ms_config_t *config)
{
    assert_null(config->directory);
    assert_null(config->listen);
    assert_null(config->site);
    assert_true(config->sync_interval == 0);
    assert_false(config->has_log_level);
}

//  TEXT is refused at line LINE with a message containing WHY.
static void assert_refused(const char *text, int line, const char *why)
{
    ms_config_t config = {.listen = NULL};
    ms_error_t err = {0};
    assert_int_equal(parse(text, &config, &err), MS_EINVAL);
    char where[64];
    snprintf(where, sizeof where, "mutsyncd.conf:%d", line);
    assert_string_equal(err.where, where);
    if (!strstr(err.message, why))
        fail_msg("\"%s\" does not say \"%s\"", err.message, why);
    assert_empty(&config);
}

static void test_config_reads_every_key_comments_and_blanks(void **state)
{
    (void)state;
    const char *text = "# mutsyncd settings\n"
                       "\n"
                       "   # indented comment\n"
                       "directory = /var/lib/mutsync\n"
                       "listen=tcp://0.0.0.0:7301\r\n"
                       "\tsync-interval   =  60.5  \n"
                       "site = /var/www/mutsync\n"
                       "log-level = debug";
    ms_config_t config;
    ms_error_t err = {0};
    assert_int_equal(parse(text, &config, &err), 0);
    assert_string_equal(config.directory, "/var/lib/mutsync");
    assert_string_equal(config.listen, "tcp://0.0.0.0:7301");
    assert_true(config.sync_interval == 60.5);
    assert_string_equal(config.site, "/var/www/mutsync");
    assert_true(config.has_log_level);
    assert_int_equal(config.log_level, MS_LOG_DEBUG);
    ms_config_clear(&config);
    assert_empty(&config);
    ms_config_clear(&config);
}

static void test_config_empty_text_sets_nothing(void **state)
{
    (void)state;
    ms_config_t config;
    assert_int_equal(parse("", &config, NULL), 0);
    assert_empty(&config);
    assert_int_equal(parse("# only a comment\n\n", &config, NULL), 0);
    assert_empty(&config);
}

static void test_config_refuses_unknown_twice_and_malformed_lines(void **state)
{
    (void)state;
    assert_refused("listen = tcp://127.0.0.1:1\nport = 7301\n", 2, "port: unknown key");
    assert_refused("site = /a\nsite = /b\n", 2, "site: set twice");
    assert_refused("# c\nlisten tcp://127.0.0.1:1\n", 2, "expected \"key = value\"");
    assert_refused(" = 5\n", 1, "no key before '='");
    assert_refused("log-level =\n", 1, "log-level: has no value");
    assert_refused("Listen = tcp://127.0.0.1:1\n", 1, "unknown key");
    assert_refused("site = /a\tb\x01\n", 1, "control character");
}

static void test_config_refuses_bad_values(void **state)
{
    (void)state;
    assert_refused("directory = var/lib/mutsync\n", 1, "absolute path");
    assert_refused("site = ./site\n", 1, "absolute path");
    assert_refused("listen = 127.0.0.1:7301\n", 1, "tcp://HOST:PORT");
    assert_refused("listen = tcp://127.0.0.1\n", 1, "tcp://HOST:PORT");
    assert_refused("listen = tcp://127.0.0.1:70000\n", 1, "tcp://HOST:PORT");
    assert_refused("listen = tcp://:7301\n", 1, "tcp://HOST:PORT");
    assert_refused("log-level = warning\n", 1, "error, warn, info or debug");
    assert_refused("log-level = INFO\n", 1, "error, warn, info or debug");
    assert_refused("sync-interval = 1m\n", 1, "0.1 to 86400");
    assert_refused("sync-interval = -5\n", 1, "0.1 to 86400");
}

static void test_config_sync_interval_bounds(void **state)
{
    (void)state;
    ms_config_t config;
    assert_int_equal(parse("sync-interval = 0.1\n", &config, NULL), 0);
    assert_true(config.sync_interval == 0.1);
    assert_int_equal(parse("sync-interval = 86400\n", &config, NULL), 0);
    assert_true(config.sync_interval == 86400);
    assert_refused("sync-interval = 0.09\n", 1, "0.1 to 86400");
    assert_refused("sync-interval = 86400.5\n", 1, "0.1 to 86400");
}

static void test_config_endpoints_accepted(void **state)
{
    (void)state;
    const char *good[] = {"tcp://*:7301", "tcp://[::]:7301", "tcp://host.example:65535",
                          "tcp://127.0.0.1:1", "ipc:///run/mutsync/node.sock"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "listen = %s\n", good[i]);
        ms_config_t config;
        assert_int_equal(parse(text, &config, NULL), 0);
        assert_string_equal(config.listen, good[i]);
        ms_config_clear(&config);
    }
}

static void test_config_line_length_limit(void **state)
{
    (void)state;
    static char text[MS_CONFIG_LINE_MAX + 64];
    //  "site = /" then 'a's up to exactly MS_CONFIG_LINE_MAX bytes: accepted.
    size_t prefix = strlen("site = /");
    memcpy(text, "site = /", prefix);
    memset(text + prefix, 'a', MS_CONFIG_LINE_MAX - prefix);
    text[MS_CONFIG_LINE_MAX] = '\n';
    text[MS_CONFIG_LINE_MAX + 1] = '\0';
    ms_config_t config;
    assert_int_equal(parse(text, &config, NULL), 0);
    assert_int_equal(strlen(config.site), MS_CONFIG_LINE_MAX - strlen("site = "));
    ms_config_clear(&config);
    //  One byte more: refused.
    memset(text + prefix, 'a', MS_CONFIG_LINE_MAX + 1 - prefix);
    text[MS_CONFIG_LINE_MAX + 1] = '\n';
    text[MS_CONFIG_LINE_MAX + 2] = '\0';
    assert_refused(text, 1, "longer than 1024 bytes");
}

static void test_config_refuses_nul_byte(void **state)
{
    (void)state;
    const char text[] = "site = /a\0b\n";
    ms_config_t config;
    ms_error_t err = {0};
    assert_int_equal(ms_config_parse("f", text, sizeof text - 1, &config, &err), MS_EINVAL);
    assert_string_equal(err.where, "f:1");
    assert_empty(&config);
}

static void test_config_load_reads_a_file_and_names_it(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/mutsyncd.conf", (const char *)*state);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs("listen = tcp://127.0.0.1:7301\nlog-level = loud\n", file);
    fclose(file);
    ms_config_t config;
    ms_error_t err = {0};
    assert_int_equal(ms_config_load(path, &config, &err), MS_EINVAL);
    char where[600];
    snprintf(where, sizeof where, "%s:2", path);
    assert_string_equal(err.where, where);
    assert_empty(&config);

    file = fopen(path, "w");
    assert_non_null(file);
    fputs("listen = tcp://127.0.0.1:7301\n", file);
    fclose(file);
    assert_int_equal(ms_config_load(path, &config, &err), 0);
    assert_string_equal(config.listen, "tcp://127.0.0.1:7301");
    ms_config_clear(&config);
}

static void test_config_load_refuses_missing_and_oversized_files(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/absent.conf", (const char *)*state);
    ms_config_t config;
    ms_error_t err = {0};
    assert_int_equal(ms_config_load(path, &config, &err), MS_EIO);
    assert_string_equal(err.where, path);
    assert_empty(&config);

    snprintf(path, sizeof path, "%s/big.conf", (const char *)*state);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    for (int i = 0; i <= MS_CONFIG_FILE_MAX / 8; i++)
        fputs("# 45678\n", file);
    fclose(file);
    assert_int_equal(ms_config_load(path, &config, &err), MS_EIO);
    assert_non_null(strstr(err.message, "larger than"));
    assert_empty(&config);
}

static void test_config_default_path_is_under_sysconfdir(void **state)
{
    (void)state;
    const char *path = ms_config_default_path();
    size_t len = strlen(path);
    const char *tail = "/mutsync/mutsyncd.conf";
    assert_true(path[0] == '/' && len > strlen(tail));
    assert_string_equal(path + len - strlen(tail), tail);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_reads_every_key_comments_and_blanks),
        cmocka_unit_test(test_config_empty_text_sets_nothing),
        cmocka_unit_test(test_config_refuses_unknown_twice_and_malformed_lines),
        cmocka_unit_test(test_config_refuses_bad_values),
        cmocka_unit_test(test_config_sync_interval_bounds),
        cmocka_unit_test(test_config_endpoints_accepted),
        cmocka_unit_test(test_config_line_length_limit),
        cmocka_unit_test(test_config_refuses_nul_byte),
        cmocka_unit_test_setup_teardown(test_config_load_reads_a_file_and_names_it, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_config_load_refuses_missing_and_oversized_files,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test(test_config_default_path_is_under_sysconfdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
