//  test_views - register records, periods, the mutual's tally and its own
//  view cells, with a real node in a temporary directory.

#include "mutsync/import.h"
#include "mutsync/tally.h"
#include "mutsync/views.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static ms_node_t *mutual_node(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/n", dir);
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    strcpy(id.org, "ML-UTM-001");
    id.role = MS_ROLE_MUTUAL;
    strcpy(id.country, "ML");
    strcpy(id.name, "Mutuelle de Bamako");
    ms_error_t err = {0};
    ms_node_t *node = NULL;
    assert_int_equal(ms_node_init(path, &id, &err), 0);
    assert_int_equal(ms_node_open(path, &node, &err), 0);
    assert_int_equal(ms_views_attach(node, &err), 0);
    return node;
}

typedef struct {
    ms_node_t *node;
    ms_collection_t collection;
    const char *key;
    uint8_t value[512];
    size_t len;
} put_t;

static int put_one(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    put_t *p = arg;
    const uint8_t *value = p->value;
    ms_import_stats_t stats;
    return ms_import_records(p->node, txn, p->collection, &p->key, &value, &p->len, 1, &stats, err);
}

static void put_member(ms_node_t *node, const char *id, const char *household, ms_sex_t sex,
                       ms_category_t category, const char *enrolled, ms_member_status_t status)
{
    ms_member_t m;
    memset(&m, 0, sizeof m);
    strcpy(m.household_id, household);
    strcpy(m.family_name, "Diarra");
    m.sex = sex;
    assert_int_equal(ms_date_parse("1980-01-01", &m.birth_date), 0);
    assert_int_equal(ms_date_parse(enrolled, &m.enrollment_date), 0);
    m.category = category;
    m.relationship = category == MS_CATEGORY_ADHERENT ? MS_REL_SELF : MS_REL_CHILD;
    m.status = status;
    put_t p = {node, MS_COLL_MEMBER, id, {0}, 0};
    assert_int_equal(ms_member_encode(&m, p.value, sizeof p.value, &p.len), 0);
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(ms_node_store(node), put_one, &p, &err), 0);
}

static void put_contribution(ms_node_t *node, const char *key, uint32_t period, uint64_t due,
                             uint64_t paid)
{
    ms_contribution_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.household_id, sizeof c.household_id, "%.*s", (int)(strchr(key, '|') - key), key);
    c.period = period;
    c.amount_due = due;
    c.amount_paid = paid;
    c.paid_date = paid ? 20000 : 0;
    put_t p = {node, MS_COLL_CONTRIBUTION, key, {0}, 0};
    assert_int_equal(ms_contribution_encode(&c, p.value, sizeof p.value, &p.len), 0);
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(ms_node_store(node), put_one, &p, &err), 0);
}

static double tally(ms_node_t *node, const char *code, uint32_t month)
{
    ms_txn_t *txn;
    double value = -1;
    ms_error_t err = {0};
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    assert_int_equal(ms_tally_value(node, txn, code, month, &value, NULL, NULL, &err), 0);
    ms_txn_abort(&txn);
    return value;
}

static uint32_t this_month(void)
{
    return ms_month_of_date((int32_t)(time(NULL) / 86400));
}

static void test_tally_stocks_follow_enrolment_and_leaving(void **state)
{
    ms_node_t *node = mutual_node(*state);
    put_member(node, "M1", "H1", MS_SEX_F, MS_CATEGORY_ADHERENT, "2020-03-15", MS_STATUS_ACTIVE);
    put_member(node, "M2", "H1", MS_SEX_M, MS_CATEGORY_BENEFICIAIRE, "2021-06-01",
               MS_STATUS_ACTIVE);
    put_member(node, "M3", "H2", MS_SEX_F, MS_CATEGORY_ADHERENT, "2019-01-01", MS_STATUS_LEFT);
    assert_true(tally(node, "beneficiaries", 202002) == 0);
    assert_true(tally(node, "beneficiaries", 202003) == 1);
    assert_true(tally(node, "beneficiaries", 202106) == 2);
    assert_true(tally(node, "women_beneficiaries", 202106) == 1);
    assert_true(tally(node, "adherents", 202106) == 1);
    assert_true(tally(node, "households", 202106) == 1);  //  M3, first seen left, never counts

    //  M1 leaves now: counted before this month, not in it; the household stays (M2).
    put_member(node, "M1", "H1", MS_SEX_F, MS_CATEGORY_ADHERENT, "2020-03-15", MS_STATUS_LEFT);
    uint32_t now = this_month();
    assert_true(tally(node, "beneficiaries", ms_month_back(now, 1)) == 2);
    assert_true(tally(node, "beneficiaries", now) == 1);
    assert_true(tally(node, "households", now) == 1);
    //  M2 moves to household H2: H1 empties from now on, H2 is covered.
    put_member(node, "M2", "H2", MS_SEX_M, MS_CATEGORY_BENEFICIAIRE, "2021-06-01",
               MS_STATUS_ACTIVE);
    assert_true(tally(node, "households", now) == 1);
    assert_true(tally(node, "households", 202106) == 2);  //  H1 via M1, H2 via M2
    //  M1 active again counts from enrolment again.
    put_member(node, "M1", "H1", MS_SEX_F, MS_CATEGORY_ADHERENT, "2020-03-15", MS_STATUS_ACTIVE);
    assert_true(tally(node, "beneficiaries", now) == 2);
    ms_node_close(&node);
}

static void test_tally_flows_move_by_the_difference(void **state)
{
    ms_node_t *node = mutual_node(*state);
    put_contribution(node, "H1|2026-10", 202610, 1000, 0);
    put_contribution(node, "H2|2026-10", 202610, 500, 500);
    assert_true(tally(node, "contributions_due_xof", 202610) == 1500);
    assert_true(tally(node, "contributions_paid_xof", 202610) == 500);
    put_contribution(node, "H1|2026-10", 202610, 1000, 750);  //  corrected
    assert_true(tally(node, "contributions_paid_xof", 202610) == 1250);
    assert_true(fabs(tally(node, "collection_rate", 202610) - 1250.0 / 1500) < 1e-12);
    assert_true(tally(node, "contributions_due_xof", 202609) == 0);
    ms_node_close(&node);
}

static void test_publish_writes_changed_reports_only_and_view_reads_them(void **state)
{
    ms_node_t *node = mutual_node(*state);
    put_contribution(node, "H1|2026-10", 202610, 1000, 400);
    size_t count = 0;
    ms_error_t err = {0};
    assert_int_equal(ms_views_publish(node, &count, &err), 0);
    assert_true(count > 0);
    assert_int_equal(ms_views_publish(node, &count, &err), 0);
    assert_int_equal(count, 0);  //  nothing changed
    put_contribution(node, "H1|2026-10", 202610, 1000, 600);
    assert_int_equal(ms_views_publish(node, &count, &err), 0);
    assert_int_equal(count, 3);  //  paid, collection rate and loss ratio of one month
    ms_txn_t *txn;
    ms_cell_t cell;
    ms_period_t year = {MS_PERIOD_YEAR, 2026, 0};
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    assert_int_equal(
        ms_views_cell(txn, "s:ML-UTM-001", &year, "contributions_paid_xof", &cell, &err), 0);
    assert_true(cell.value == 600);
    assert_int_equal(cell.orgs, 1);
    assert_int_equal(ms_views_cell(txn, "c:ML", &year, "collection_rate", &cell, &err), 0);
    assert_true(cell.numerator == 600 && cell.denominator == 1000);
    ms_txn_abort(&txn);
    ms_node_close(&node);
}

static void test_views_rebuild_after_a_write_without_the_hook(void **state)
{
    ms_node_t *node = mutual_node(*state);
    put_contribution(node, "H1|2026-10", 202610, 1000, 400);
    ms_error_t err = {0};
    assert_int_equal(ms_views_publish(node, NULL, &err), 0);
    ms_node_set_hook(node, NULL);  //  a program that forgot ms_views_attach
    put_contribution(node, "H2|2026-10", 202610, 500, 500);
    assert_int_equal(ms_views_attach(node, &err), 0);  //  notices and rebuilds
    assert_int_equal(ms_views_publish(node, NULL, &err), 0);
    ms_txn_t *txn;
    ms_cell_t cell;
    ms_period_t month = {MS_PERIOD_MONTH, 2026, 10};
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    assert_int_equal(
        ms_views_cell(txn, "s:ML-UTM-001", &month, "contributions_paid_xof", &cell, &err), 0);
    //  The views are whole again; the tally missed the write it never saw.
    assert_true(cell.value == 400);
    assert_int_equal(cell.orgs, 1);
    ms_txn_abort(&txn);
    ms_node_close(&node);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_refuses_non_finite_values_and_bad_months),
        cmocka_unit_test(test_contribution_round_trip_and_bad_period),
        cmocka_unit_test(test_periods_in_our_dhis2_and_adx_forms),
        cmocka_unit_test_setup_teardown(test_tally_stocks_follow_enrolment_and_leaving,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_tally_flows_move_by_the_difference, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(
            test_publish_writes_changed_reports_only_and_view_reads_them, ms_tmpdir_setup,
            ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_views_rebuild_after_a_write_without_the_hook,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
