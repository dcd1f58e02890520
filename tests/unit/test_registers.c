//  test_registers - register records and periods: reports, contributions,
//  and the period forms of our own, DHIS2 and ADX.

#include "mutsync/indicator.h"
#include "mutsync/record.h"
#include "mutsync/registers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

static void test_report_refuses_non_finite_values_and_bad_months(void **state)
{
    (void)state;
    ms_report_t report = {"2026-10", "beneficiaries", "", 12, 0, 0}, out;
    uint8_t buf[256];
    size_t len;
    ms_error_t err = {0};
    assert_int_equal(ms_report_encode(&report, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_registers_check(MS_COLL_REPORT, buf, len, &err), 0);
    assert_int_equal(ms_report_decode(buf, len, &out, &err), 0);
    assert_string_equal(out.indicator, "beneficiaries");
    report.value = NAN;
    assert_int_equal(ms_report_encode(&report, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_registers_check(MS_COLL_REPORT, buf, len, &err), MS_EINVAL);
    assert_non_null(strstr(err.message, "finite"));
    report.value = 1;
    strcpy(report.period, "2026-13");
    assert_int_equal(ms_report_encode(&report, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_report_decode(buf, len, &out, &err), MS_EINVAL);
    assert_string_equal(out.period, "");
}

static void test_contribution_round_trip_and_bad_period(void **state)
{
    (void)state;
    ms_contribution_t c = {"ML-UTM-001-H000001", 202610, 1000, 500, 20000}, out;
    uint8_t buf[256];
    size_t len;
    assert_int_equal(ms_contribution_encode(&c, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_contribution_decode(buf, len, &out, NULL), 0);
    assert_memory_equal(&c, &out, sizeof c);
    c.period = 202600;
    assert_int_equal(ms_contribution_encode(&c, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_record_check(MS_COLL_CONTRIBUTION, buf, len, NULL), MS_EINVAL);
}

static void test_periods_in_our_dhis2_and_adx_forms(void **state)
{
    (void)state;
    static const struct {
        const char *in, *ours, *dhis2, *adx;
    } cases[] = {
        {"2026-10", "2026-10", "202610", "2026-10-01/P1M"},
        {"202603", "2026-03", "202603", "2026-03-01/P1M"},
        {"2026Q4", "2026Q4", "2026Q4", "2026-10-01/P3M"},
        {"2026", "2026", "2026", "2026-01-01/P1Y"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ms_period_t p;
        char text[MS_PERIOD_TEXT_BYTES];
        assert_int_equal(ms_period_parse(cases[i].in, &p), 0);
        ms_period_format(&p, text);
        assert_string_equal(text, cases[i].ours);
        ms_period_dhis2(&p, text);
        assert_string_equal(text, cases[i].dhis2);
        ms_period_adx(&p, text);
        assert_string_equal(text, cases[i].adx);
    }
    ms_period_t p;
    assert_int_equal(ms_period_parse("2026Q5", &p), MS_EINVAL);
    assert_int_equal(ms_period_parse("2026-00", &p), MS_EINVAL);
    assert_int_equal(ms_period_parse("1899", &p), MS_EINVAL);
    assert_int_equal(ms_month_next(202612), 202701);
    assert_int_equal(ms_month_back(202601, 2), 202511);
}

//  ---------------------------------------------------------------------------
//  A mutual's node

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_refuses_non_finite_values_and_bad_months),
        cmocka_unit_test(test_contribution_round_trip_and_bad_period),
        cmocka_unit_test(test_periods_in_our_dhis2_and_adx_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
