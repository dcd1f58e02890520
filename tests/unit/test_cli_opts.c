//  test_cli_opts - the option parser: numbers, --x=y and --x y, operands,
//  and the global options wherever they stand on the line.

#include "cli_opts.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_NAME, OPT_REACH, OPT_TIMEOUT, OPT_WATCH, OPT_FORMAT };

static const cli_opt_t opts[] = {
    {"name", CLI_TEXT, 0, 0, 0},          {"register-reach", CLI_UINT, 0, 1, 0},
    {"timeout", CLI_DECIMAL, 0.1, 60, 0}, {"watch", CLI_FLAG, 0, 0, 'w'},
    {"format", CLI_FORMAT_CSV, 0, 0, 0},  {NULL, 0, 0, 0, 0},
};

//  Parses the words of LINE (at most 15, space separated) with OPERAND. The
//  words live on until four more lines are parsed, so two results compare.
static int parse_line(const char *line, const char *operand, cli_args_t *args)
{
    static char buffers[4][512];
    static char *argvs[4][16];
    static int turn;
    char *buffer = buffers[turn], **argv = argvs[turn];
    turn = (turn + 1) % 4;
    snprintf(buffer, sizeof buffers[0], "%s", line);
    int argc = 0;
    for (char *word = strtok(buffer, " "); word && argc < 15; word = strtok(NULL, " "))
        argv[argc++] = word;
    argv[argc] = NULL;
    return cli_parse(argc, argv, opts, operand, "usage\n", args);
}

static void test_uint_accepts_digits_within_range(void **state)
{
    (void)state;
    uint64_t value = 99;
    assert_int_equal(cli_parse_uint("0", 0, 1, &value), 0);
    assert_int_equal(value, 0);
    assert_int_equal(cli_parse_uint("1", 0, 1, &value), 0);
    assert_int_equal(value, 1);
    assert_int_equal(cli_parse_uint("64", 1, 64, &value), 0);
    assert_int_equal(value, 64);
}

static void test_uint_refuses_junk_signs_and_range(void **state)
{
    (void)state;
    uint64_t value = 5;
    const char *bad[] = {
        "", "-1", "+1", " 1", "1 ", "1x", "0x1", "1.0", "2", "7", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cli_parse_uint(bad[i], 0, 1, &value), -1);
    assert_int_equal(cli_parse_uint("0", 1, 64, &value), -1);
    assert_int_equal(cli_parse_uint("65", 1, 64, &value), -1);
    assert_int_equal(value, 5);
}

static void test_decimal_accepts_plain_numbers(void **state)
{
    (void)state;
    double value = 0;
    assert_int_equal(cli_parse_decimal("0.3", 0.1, 60, &value), 0);
    assert_true(value > 0.299 && value < 0.301);
    assert_int_equal(cli_parse_decimal("60", 0.1, 60, &value), 0);
    assert_true(value == 60);
    assert_int_equal(cli_parse_decimal(".5", 0.1, 60, &value), 0);
    assert_int_equal(cli_parse_decimal("2.", 0.1, 60, &value), 0);
    assert_true(value == 2);
}

static void test_decimal_refuses_junk_signs_and_range(void **state)
{
    (void)state;
    double value = 7;
    const char *bad[] = {"",     ".",     "-1",  "+1",  "1e3", "inf", "nan",  "0x10",
                         "1..2", "1.2.3", "abc", "10s", " 1",  "0",   "0.05", "60.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cli_parse_decimal(bad[i], 0.1, 60, &value), -1);
    assert_true(value == 7);
}

//  Runs first: no -d has been seen yet in this process.
static void test_dir_comes_from_env_then_default(void **state)
{
    (void)state;
    setenv("MUTSYNC_DIR", "/srv/node-env", 1);
    assert_string_equal(cli_dir(), "/srv/node-env");
    setenv("MUTSYNC_DIR", "", 1);
    assert_string_equal(cli_dir(), "mutsync-node");
    assert_null(cli_dir_given());
    unsetenv("MUTSYNC_DIR");
    assert_string_equal(cli_dir(), "mutsync-node");
}

static void test_equals_and_space_forms_give_the_same_args(void **state)
{
    (void)state;
    cli_args_t spaced, joined;
    assert_int_equal(parse_line("init --name Ségou --register-reach 1 --timeout 2.5 --format json",
                                NULL, &spaced),
                     0);
    assert_int_equal(parse_line("init --name=Ségou --register-reach=1 --timeout=2.5 --format=json",
                                NULL, &joined),
                     0);
    assert_string_equal(spaced.text[OPT_NAME], "Ségou");
    assert_string_equal(joined.text[OPT_NAME], "Ségou");
    assert_true(spaced.number[OPT_REACH] == 1 && joined.number[OPT_REACH] == 1);
    assert_true(spaced.number[OPT_TIMEOUT] == 2.5 && joined.number[OPT_TIMEOUT] == 2.5);
    assert_int_equal(spaced.format, CLI_JSON);
    assert_int_equal(joined.format, CLI_JSON);
    assert_null(spaced.text[OPT_WATCH]);
}

static void test_bad_numbers_are_usage_errors(void **state)
{
    (void)state;
    cli_args_t args;
    assert_int_equal(parse_line("init --register-reach 7", NULL, &args), CLI_USAGE);
    assert_int_equal(parse_line("init --register-reach=-1", NULL, &args), CLI_USAGE);
    assert_int_equal(parse_line("sync --timeout 1x", NULL, &args), CLI_USAGE);
    assert_int_equal(parse_line("sync --timeout", NULL, &args), CLI_USAGE);
    assert_int_equal(parse_line("list --format xml", NULL, &args), CLI_USAGE);
}

static void test_flags_short_forms_and_unknown_options(void **state)
{
    (void)state;
    cli_args_t args;
    assert_int_equal(parse_line("sync -w", NULL, &args), 0);
    assert_string_equal(args.text[OPT_WATCH], "");
    assert_int_equal(parse_line("sync --watch=yes", NULL, &args), CLI_USAGE);
    assert_int_equal(parse_line("sync --frobnicate", NULL, &args), CLI_USAGE);
    assert_int_equal(parse_line("sync -x", NULL, &args), CLI_USAGE);
    assert_int_equal(parse_line("sync --watch --help", NULL, &args), CLI_HELPED);
    assert_int_equal(parse_line("sync --frobnicate -h", NULL, &args), CLI_HELPED);
}

static void test_operand_is_found_anywhere_and_counted(void **state)
{
    (void)state;
    cli_args_t args;
    assert_int_equal(parse_line("show ID-1 --format json", "ID", &args), 0);
    assert_string_equal(args.operand, "ID-1");
    assert_int_equal(parse_line("show --format json ID-2", "ID", &args), 0);
    assert_string_equal(args.operand, "ID-2");
    assert_int_equal(parse_line("show -- --odd-id", "ID", &args), 0);
    assert_string_equal(args.operand, "--odd-id");
    assert_int_equal(parse_line("show", "ID", &args), CLI_USAGE);
    assert_int_equal(parse_line("show A B", "ID", &args), CLI_USAGE);
    assert_int_equal(parse_line("list extra", NULL, &args), CLI_USAGE);
}

static void test_dir_is_read_before_and_after_the_command(void **state)
{
    (void)state;
    char line[] = "mutsync -d /srv/a member list --format csv";
    char *argv[8];
    int argc = 0;
    for (char *word = strtok(line, " "); word; word = strtok(NULL, " "))
        argv[argc++] = word;
    cli_args_t head, args;
    assert_int_equal(cli_parse_head(argc, argv, NULL, "usage\n", &head), 0);
    assert_string_equal(cli_dir(), "/srv/a");
    assert_int_equal(head.rest_argc, 4);
    assert_string_equal(head.rest_argv[0], "member");
    assert_int_equal(cli_parse_head(head.rest_argc, head.rest_argv, NULL, "usage\n", &head), 0);
    assert_string_equal(head.rest_argv[0], "list");
    assert_int_equal(cli_parse(head.rest_argc, head.rest_argv, opts, NULL, "usage\n", &args), 0);
    assert_int_equal(args.format, CLI_CSV);

    assert_int_equal(parse_line("list -d /srv/b --format csv", NULL, &args), 0);
    assert_string_equal(cli_dir(), "/srv/b");
    assert_int_equal(args.format, CLI_CSV);
    setenv("MUTSYNC_DIR", "/srv/env", 1);
    assert_string_equal(cli_dir(), "/srv/b");
    unsetenv("MUTSYNC_DIR");
}

static void test_a_value_that_looks_like_an_option_stays_a_value(void **state)
{
    (void)state;
    cli_args_t args;
    assert_int_equal(parse_line("add --name -d", NULL, &args), 0);
    assert_string_equal(args.text[OPT_NAME], "-d");
    assert_string_equal(cli_dir(), "/srv/b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dir_comes_from_env_then_default),
        cmocka_unit_test(test_uint_accepts_digits_within_range),
        cmocka_unit_test(test_uint_refuses_junk_signs_and_range),
        cmocka_unit_test(test_decimal_accepts_plain_numbers),
        cmocka_unit_test(test_decimal_refuses_junk_signs_and_range),
        cmocka_unit_test(test_equals_and_space_forms_give_the_same_args),
        cmocka_unit_test(test_bad_numbers_are_usage_errors),
        cmocka_unit_test(test_flags_short_forms_and_unknown_options),
        cmocka_unit_test(test_operand_is_found_anywhere_and_counted),
        cmocka_unit_test(test_dir_is_read_before_and_after_the_command),
        cmocka_unit_test(test_a_value_that_looks_like_an_option_stays_a_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
