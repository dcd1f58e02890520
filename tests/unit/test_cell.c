//  test_cell - the field parsers: dates, months, whole numbers, the values
//  of a list, texts; each refusal names the value and the column.

#include "mutsync/cell.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Opens a one-column sheet whose single row holds VALUE, positioned on it.
static ms_sheet_t *one_value(const char *column, const char *value)
{
    static char text[256];
    snprintf(text, sizeof text, "%s\n\"%s\"\n", column, value);
    ms_sheet_t *sheet = NULL;
    assert_int_equal(ms_sheet_open_buffer("m.csv", text, strlen(text), NULL, &sheet, NULL), 0);
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);
    return sheet;
}

static int date_of(const char *value, int32_t *days, char *message, size_t size)
{
    ms_sheet_t *sheet = one_value("birth_date", value);
    ms_error_t err = {0};
    int rc = ms_cell_date(sheet, 0, days, &err);
    ms_error_text(&err, message, size);
    ms_sheet_close(&sheet);
    return rc;
}

static void test_cell_date_checks_the_calendar(void **state)
{
    (void)state;
    int32_t days;
    char message[600];
    assert_int_equal(date_of("1970-01-01", &days, message, sizeof message), 0);
    assert_int_equal(days, 0);
    assert_int_equal(date_of("2000-03-01", &days, message, sizeof message), 0);
    assert_int_equal(days, 11017);
    assert_int_equal(date_of("  2024-02-29 ", &days, message, sizeof message), 0);
    assert_int_equal(days, 19782);
    assert_int_equal(date_of("2000-02-29", &days, message, sizeof message), 0);
    assert_int_equal(date_of("29/02/2024", &days, message, sizeof message), 0);
    assert_int_equal(days, 19782);
    assert_int_equal(date_of("5/3/2019", &days, message, sizeof message), 0);
    assert_int_equal(days, 17960);  //  2019-03-05
    const char *refused[] = {"2023-02-29", "1900-02-29", "2019-02-31",  "2019-04-31", "2019-13-01",
                             "2019-00-10", "2019-01-00", "2019-1-01",   "31/04/2019", "2019/01/01",
                             "01/01/19",   "20190101",   "2019-01-01x", "+019-01-01", "123/1/2019"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(date_of(refused[i], &days, message, sizeof message), MS_EINVAL);
        assert_int_equal(days, 0);
        char expected[200];
        snprintf(expected, sizeof expected,
                 "m.csv:2: column birth_date: \"%s\" is not a date (YYYY-MM-DD or DD/MM/YYYY)",
                 refused[i]);
        assert_string_equal(message, expected);
    }
}

static void test_cell_date_range(void **state)
{
    (void)state;
    int32_t days;
    char message[600];
    assert_int_equal(date_of("1900-01-01", &days, message, sizeof message), 0);
    assert_int_equal(days, MS_SHEET_DATE_MIN);
    assert_int_equal(date_of("2100-12-31", &days, message, sizeof message), 0);
    assert_int_equal(days, MS_SHEET_DATE_MAX);
    assert_int_equal(date_of("1899-12-31", &days, message, sizeof message), MS_EINVAL);
    assert_string_equal(message, "m.csv:2: column birth_date: \"1899-12-31\" is out of range "
                                 "(1900-01-01 to 2100-12-31)");
    assert_int_equal(date_of("01/01/2101", &days, message, sizeof message), MS_EINVAL);
    assert_string_equal(message, "m.csv:2: column birth_date: \"01/01/2101\" is out of range "
                                 "(1900-01-01 to 2100-12-31)");
    assert_int_equal(date_of("", &days, message, sizeof message), MS_EINVAL);
    assert_string_equal(message, "m.csv:2: column birth_date: is empty, expected a date "
                                 "(YYYY-MM-DD)");
}

static void test_cell_month(void **state)
{
    (void)state;
    const char *cases[] = {"2024-03", "1900-01", "2100-12", "2024-13",
                           "2024-3",  "1899-12", "2101-01"};
    const int expected[] = {202403, 190001, 210012, -1, -1, -2, -2};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ms_sheet_t *sheet = one_value("period", cases[i]);
        uint32_t month;
        ms_error_t err = {0};
        int rc = ms_cell_month(sheet, 0, &month, &err);
        char message[128];
        if (expected[i] > 0) {
            assert_int_equal(rc, 0);
            assert_int_equal(month, (uint32_t)expected[i]);
        } else {
            assert_int_equal(rc, MS_EINVAL);
            assert_int_equal(month, 0);
            snprintf(message, sizeof message,
                     expected[i] == -1 ? "column period: \"%s\" is not a month (YYYY-MM)"
                                       : "column period: \"%s\" is out of range (1900-01 to "
                                         "2100-12)",
                     cases[i]);
            assert_string_equal(err.message, message);
        }
        ms_sheet_close(&sheet);
    }
}

static int uint_of(const char *value, uint64_t max, uint64_t *out, char *message, size_t size)
{
    ms_sheet_t *sheet = one_value("amount", value);
    ms_error_t err = {0};
    int rc = ms_cell_uint(sheet, 0, max, out, &err);
    snprintf(message, size, "%s", err.message);
    ms_sheet_close(&sheet);
    return rc;
}

static void test_cell_uint_limits_and_junk(void **state)
{
    (void)state;
    uint64_t value;
    char message[600];
    assert_int_equal(uint_of("1000", 1000, &value, message, sizeof message), 0);
    assert_int_equal(value, 1000);
    assert_int_equal(uint_of(" 007 ", 1000, &value, message, sizeof message), 0);
    assert_int_equal(value, 7);
    assert_int_equal(uint_of("1001", 1000, &value, message, sizeof message), MS_EINVAL);
    assert_string_equal(message, "column amount: \"1001\" is more than 1000");
    assert_int_equal(uint_of("18446744073709551615", UINT64_MAX, &value, message, sizeof message),
                     0);
    assert_true(value == UINT64_MAX);
    assert_int_equal(uint_of("18446744073709551616", UINT64_MAX, &value, message, sizeof message),
                     MS_EINVAL);
    assert_int_equal(value, 0);
    assert_string_equal(
        message, "column amount: \"18446744073709551616\" is more than 18446744073709551615");
    assert_int_equal(
        uint_of("99999999999999999999999", UINT64_MAX, &value, message, sizeof message), MS_EINVAL);
    const char *junk[] = {"-1", "+1", "1.5", "1 000", "12a", "0x10", "1e3"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        assert_int_equal(uint_of(junk[i], UINT64_MAX, &value, message, sizeof message), MS_EINVAL);
        char expected[128];
        snprintf(expected, sizeof expected,
                 "column amount: \"%s\" is not a whole number (digits only)", junk[i]);
        assert_string_equal(message, expected);
    }
    assert_int_equal(uint_of("", 10, &value, message, sizeof message), MS_EINVAL);
    assert_string_equal(message, "column amount: is empty, expected a whole number");
}

static void test_cell_enum_lists_accepted_values(void **state)
{
    (void)state;
    static const char *const sexes[] = {"F", "M", NULL};
    ms_sheet_t *sheet = one_value("sex", " m ");
    int choice = -1;
    ms_error_t err = {0};
    assert_int_equal(ms_cell_enum(sheet, 0, sexes, &choice, &err), 0);
    assert_int_equal(choice, 1);
    ms_sheet_close(&sheet);
    sheet = one_value("sex", "X");
    assert_int_equal(ms_cell_enum(sheet, 0, sexes, &choice, &err), MS_EINVAL);
    assert_string_equal(err.where, "m.csv:2");
    assert_string_equal(err.message, "column sex: \"X\" is not one of F, M");
    ms_sheet_close(&sheet);
    sheet = one_value("sex", "Ms");
    assert_int_equal(ms_cell_enum(sheet, 0, sexes, &choice, &err), MS_EINVAL);
    ms_sheet_close(&sheet);
    sheet = one_value("sex", "");
    assert_int_equal(ms_cell_enum(sheet, 0, sexes, &choice, &err), MS_EINVAL);
    assert_string_equal(err.message, "column sex: is empty, expected one of F, M");
    ms_sheet_close(&sheet);
    //  Case is ignored for the ASCII letters only: bytes 0x20 apart that are
    //  not a letter in two cases ('[' and '{', UTF-8's \x89 and \xA9 in É and
    //  é) differ.
    static const char *const words[] = {"adh\xC3\xA9rent", "a[b", "self", NULL};
    static const struct {
        const char *value;
        int choice;  //  -1: refused
    } cases[] = {
        {"ADH\xC3\xA9RENT", 0},
        {"Adh\xC3\xA9rent", 0},
        {"ADH\xC3\x89RENT", -1},
        {"A[B", 1},
        {"a{b", -1},
        {"SeLF", 2},
        {"sel", -1},
        {"selfs", -1},
        {"self@", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sheet = one_value("word", cases[i].value);
        int rc = ms_cell_enum(sheet, 0, words, &choice, &err);
        if (cases[i].choice < 0) {
            assert_int_equal(rc, MS_EINVAL);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(choice, cases[i].choice);
        }
        ms_sheet_close(&sheet);
    }
}

static void test_cell_text_trims_and_limits(void **state)
{
    (void)state;
    char out[6];
    ms_error_t err = {0};
    ms_sheet_t *sheet = one_value("family_name", "  Koné ");  //  5 bytes: the limit
    assert_int_equal(ms_cell_text(sheet, 0, MS_CELL_REQUIRED, out, sizeof out, &err), 0);
    assert_string_equal(out, "Koné");
    ms_sheet_close(&sheet);
    sheet = one_value("family_name", "Konés");
    assert_int_equal(ms_cell_text(sheet, 0, MS_CELL_REQUIRED, out, sizeof out, &err), MS_EINVAL);
    assert_string_equal(out, "");
    assert_string_equal(err.where, "m.csv:2");
    assert_string_equal(err.message, "column family_name: 6 bytes, the limit is 5");
    ms_sheet_close(&sheet);
    sheet = one_value("family_name", "   ");
    assert_int_equal(ms_cell_text(sheet, 0, MS_CELL_OPTIONAL, out, sizeof out, &err), 0);
    assert_string_equal(out, "");
    assert_int_equal(ms_cell_text(sheet, 0, MS_CELL_REQUIRED, out, sizeof out, &err), MS_EINVAL);
    assert_string_equal(err.message, "column family_name: is empty");
    ms_sheet_close(&sheet);
}

static void test_cell_long_bad_value_is_cut_in_message(void **state)
{
    (void)state;
    char value[128];
    memset(value, 'a', sizeof value);
    memcpy(value + 39, "é", 2);  //  the cut falls inside the é, so it moves before it
    value[100] = '\0';
    ms_sheet_t *sheet = one_value("amount", value);
    uint64_t number;
    ms_error_t err = {0};
    assert_int_equal(ms_cell_uint(sheet, 0, 10, &number, &err), MS_EINVAL);
    char expected[128];
    snprintf(expected, sizeof expected,
             "column amount: \"%.39s...\" is not a whole number (digits only)", value);
    assert_string_equal(err.message, expected);
    ms_sheet_close(&sheet);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cell_date_checks_the_calendar),
        cmocka_unit_test(test_cell_date_range),
        cmocka_unit_test(test_cell_month),
        cmocka_unit_test(test_cell_uint_limits_and_junk),
        cmocka_unit_test(test_cell_enum_lists_accepted_values),
        cmocka_unit_test(test_cell_text_trims_and_limits),
        cmocka_unit_test(test_cell_long_bad_value_is_cut_in_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
