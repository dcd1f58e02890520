//  test_member - what a valid member row is (the same for a file and `member add`).

#include "mutsync/member.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static const char *const good[MS_MEMBER_COLUMNS] = {
    "ML-UTM-001-0000001", "ML-UTM-001-H000001", "Bâ",       "Koto", "M",     "1956-11-16",
    "Sansanding Sud",     "2022-06-05",         "adherent", "self", "active"};

//  Reads GOOD with column COLUMN replaced by VALUE into KEY and MEMBER;
//  returns the code and leaves the message in ERR.
static int parse_with(int column, const char *value, char *key, ms_member_t *member,
                      ms_error_t *err)
{
    const char *fields[MS_MEMBER_COLUMNS];
    memcpy(fields, good, sizeof fields);
    if (column >= 0)
        fields[column] = value;
    uint8_t bytes[MS_VALUE_MAX];
    size_t len = 0;
    memset(member, 0, sizeof *member);
    int rc = ms_member_from_fields(fields, key, bytes, &len, err);
    if (rc == 0)
        assert_int_equal(ms_member_decode(bytes, len, member, NULL), 0);
    return rc;
}

static void test_member_good_row_parses_every_field(void **state)
{
    (void)state;
    char key[MS_KEY_MAX + 1];
    ms_member_t member;
    ms_error_t err = {0};
    assert_int_equal(parse_with(-1, NULL, key, &member, &err), 0);
    assert_string_equal(key, "ML-UTM-001-0000001");
    assert_string_equal(member.household_id, "ML-UTM-001-H000001");
    assert_string_equal(member.family_name, "Bâ");
    assert_string_equal(member.village, "Sansanding Sud");
    assert_int_equal(member.sex, MS_SEX_M);
    char date[11];
    ms_date_format(member.birth_date, date);
    assert_string_equal(date, "1956-11-16");
    ms_date_format(member.enrollment_date, date);
    assert_string_equal(date, "2022-06-05");
    assert_int_equal(member.category, MS_CATEGORY_ADHERENT);
    assert_int_equal(member.relationship, MS_REL_SELF);
    assert_int_equal(member.status, MS_STATUS_ACTIVE);
}

static void test_member_refusals_name_column_and_value(void **state)
{
    (void)state;
    struct {
        int column;
        const char *value;
        const char *message;
    } cases[] = {
        {5, "2019-02-31", "column birth_date: \"2019-02-31\" is not a date"},
        {5, "1899-12-31", "column birth_date: \"1899-12-31\" is out of range"},
        {4, "X", "column sex: \"X\" is not one of F, M"},
        {10, "gone", "column status: \"gone\" is not one of active, suspended, left"},
        {8, "membre", "column category: \"membre\" is not one of adherent, beneficiaire"},
        {9, "cousin", "column relationship: \"cousin\" is not one of self, spouse"},
        {7, "1950-01-01", "column enrollment_date: is before the birth date"},
        {2, "", "column family_name: is empty"},
        {0, "ML 1", "column member_id: may not hold spaces"},
        {0, "ML|1", "may not hold spaces, control characters or '|'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char key[MS_KEY_MAX + 1];
        ms_member_t member;
        ms_error_t err = {0};
        assert_int_equal(parse_with(cases[i].column, cases[i].value, key, &member, &err),
                         MS_EINVAL);
        assert_string_equal(err.where, "member:2");
        if (!strstr(err.message, cases[i].message))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err.message, cases[i].message);
    }
}

static void test_member_accepts_french_spellings_dates_and_quotes(void **state)
{
    (void)state;
    char key[MS_KEY_MAX + 1];
    ms_member_t member;
    ms_error_t err = {0};
    assert_int_equal(parse_with(8, "Bénéficiaire", key, &member, &err), 0);
    assert_int_equal(member.category, MS_CATEGORY_BENEFICIAIRE);
    assert_int_equal(parse_with(8, "adhérent", key, &member, &err), 0);
    assert_int_equal(member.category, MS_CATEGORY_ADHERENT);
    assert_int_equal(parse_with(5, "16/11/1956", key, &member, &err), 0);
    char date[11];
    ms_date_format(member.birth_date, date);
    assert_string_equal(date, "1956-11-16");
    assert_int_equal(parse_with(4, " f ", key, &member, &err), 0);
    assert_int_equal(member.sex, MS_SEX_F);
    //  Typed values with quotes and separators come through as typed.
    assert_int_equal(parse_with(6, "Niono \"Centre\", rive droite", key, &member, &err), 0);
    assert_string_equal(member.village, "Niono \"Centre\", rive droite");
}

static void test_member_id_limit_is_64_bytes(void **state)
{
    (void)state;
    char id[80];
    memset(id, 'A', sizeof id);
    char key[MS_KEY_MAX + 1];
    ms_member_t member;
    ms_error_t err = {0};
    id[64] = 0;
    assert_int_equal(parse_with(0, id, key, &member, &err), 0);
    assert_string_equal(key, id);
    id[64] = 'A';
    id[65] = 0;
    assert_int_equal(parse_with(0, id, key, &member, &err), MS_EINVAL);
    assert_non_null(strstr(err.message, "65 bytes, the limit is 64"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_good_row_parses_every_field),
        cmocka_unit_test(test_member_refusals_name_column_and_value),
        cmocka_unit_test(test_member_accepts_french_spellings_dates_and_quotes),
        cmocka_unit_test(test_member_id_limit_is_64_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
