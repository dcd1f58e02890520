//  test_log - level names, and the journal's priority prefixes: written
//  only when stderr is the stream $JOURNAL_STREAM names.

#include "mutsync/log.h"

#include "tmpdir.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  Points fd 2 at DIR/NAME (created empty); returns the saved fd 2.
static int redirect_stderr(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    assert_int_equal(dup2(fd, 2), 2);
    close(fd);
    return saved;
}

static void restore_stderr(int saved)
{
    fflush(stderr);
    assert_int_equal(dup2(saved, 2), 2);
    close(saved);
}

//  Sets $JOURNAL_STREAM to the device:inode of DIR/NAME.
static void set_journal_stream(const char *dir, const char *name)
{
    char path[512], value[64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    snprintf(value, sizeof value, "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    setenv("JOURNAL_STREAM", value, 1);
}

static void read_file(const char *dir, const char *name, char *buf, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    size_t len = fread(buf, 1, size - 1, file);
    buf[len] = '\0';
    fclose(file);
}

static void test_log_level_names_parse_and_print(void **state)
{
    (void)state;
    const char *names[] = {"error", "warn", "info", "debug"};
    const char *shown[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    for (int i = 0; i < 4; i++) {
        ms_log_level_t level = MS_LOG_WARN;
        assert_int_equal(ms_log_level_parse(names[i], &level), 0);
        assert_int_equal(level, i);
        assert_string_equal(ms_log_level_name(level), shown[i]);
    }
    ms_log_level_t level = MS_LOG_INFO;
    const char *bad[] = {"", "ERROR", "warning", "info ", "7", "crit"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ms_log_level_parse(bad[i], &level), MS_EINVAL);
        assert_int_equal(level, MS_LOG_INFO);
    }
}

static void test_log_stderr_is_journal_only_when_the_stream_matches(void **state)
{
    const char *dir = *state;
    int saved = redirect_stderr(dir, "journal");
    unsetenv("JOURNAL_STREAM");
    bool without = ms_log_stderr_is_journal();
    set_journal_stream(dir, "journal");
    bool matching = ms_log_stderr_is_journal();
    setenv("JOURNAL_STREAM", "0:0", 1);
    bool zero = ms_log_stderr_is_journal();
    setenv("JOURNAL_STREAM", "12:junk", 1);
    bool junk = ms_log_stderr_is_journal();
    //  A stream systemd gave, but stderr since redirected to another file.
    char other[512];
    snprintf(other, sizeof other, "%s/other", dir);
    FILE *file = fopen(other, "w");
    assert_non_null(file);
    fclose(file);
    set_journal_stream(dir, "other");
    bool redirected = ms_log_stderr_is_journal();
    restore_stderr(saved);
    unsetenv("JOURNAL_STREAM");
    assert_false(without);
    assert_true(matching);
    assert_false(zero);
    assert_false(junk);
    assert_false(redirected);
}

static void test_log_journal_lines_carry_syslog_priorities(void **state)
{
    const char *dir = *state;
    int saved = redirect_stderr(dir, "journal");
    ms_log_set_level(MS_LOG_DEBUG);
    ms_log_set_journal(true);
    ms_log(MS_LOG_ERROR, "store", "disk %s", "full");
    ms_log(MS_LOG_WARN, "sync", "gap seq=%d..%d", 41, 44);
    ms_log(MS_LOG_INFO, "mutsyncd", "listening");
    ms_log(MS_LOG_DEBUG, "mutsyncd", "heads");
    assert_string_equal(ms_log_priority_prefix(MS_LOG_ERROR), "<3>");
    assert_string_equal(ms_log_priority_prefix(MS_LOG_DEBUG), "<7>");
    ms_log_set_journal(false);
    assert_string_equal(ms_log_priority_prefix(MS_LOG_ERROR), "");
    ms_log(MS_LOG_WARN, "sync", "plain");
    ms_log_set_level(MS_LOG_WARN);
    ms_log(MS_LOG_INFO, "sync", "not written");
    restore_stderr(saved);
    char text[1024];
    read_file(dir, "journal", text, sizeof text);
    const char *expected = "<3>ERROR store: disk full\n"
                           "<4>WARN sync: gap seq=41..44\n"
                           "<6>INFO mutsyncd: listening\n"
                           "<7>DEBUG mutsyncd: heads\n";
    assert_memory_equal(text, expected, strlen(expected));
    //  Without the journal: "YYYY-MM-DDTHH:MM:SSZ WARN sync: plain".
    const char *plain = text + strlen(expected);
    assert_int_equal(strlen(plain), strlen("2026-11-22T10:15:03Z WARN sync: plain\n"));
    assert_true(plain[4] == '-' && plain[10] == 'T' && plain[19] == 'Z');
    assert_string_equal(plain + 20, " WARN sync: plain\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_level_names_parse_and_print),
        cmocka_unit_test_setup_teardown(test_log_stderr_is_journal_only_when_the_stream_matches,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_log_journal_lines_carry_syslog_priorities,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
