//  test_views - the mutual's tally and its own view cells, with a real node
//  in a temporary directory.

#include "mutsync/import.h"
#include "mutsync/replica.h"
#include "mutsync/reports.h"
#include "mutsync/tally.h"
#include "mutsync/views.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "digest.h"
#include "tmpdir.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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
    assert_int_equal(ms_reports_value(node, txn, code, month, &value, NULL, NULL, &err), 0);
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

//  The same member changes, one write each or all in one transaction (as a
//  file import makes them), leave the same counters: members move between
//  more households than the tally keeps in memory, leave and come back.
#define CHURN 400

typedef struct {
    ms_node_t *node;
    put_t puts[CHURN];
} churn_t;

static void churn_fill(churn_t *c, ms_node_t *node)
{
    static const ms_member_status_t statuses[] = {
        MS_STATUS_ACTIVE, MS_STATUS_ACTIVE, MS_STATUS_ACTIVE, MS_STATUS_SUSPENDED, MS_STATUS_LEFT};
    uint32_t seed = 12345;
    c->node = node;
    for (int i = 0; i < CHURN; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t r = seed >> 8;
        static char keys[CHURN][8];
        snprintf(keys[i], sizeof keys[i], "M%u", r % 40);
        ms_member_t m;
        memset(&m, 0, sizeof m);
        snprintf(m.household_id, sizeof m.household_id, "H%u", (r >> 6) % 7);
        strcpy(m.family_name, "Keita");
        m.sex = (r >> 9) % 2 ? MS_SEX_F : MS_SEX_M;
        char enrolled[11];
        snprintf(enrolled, sizeof enrolled, "20%02u-%02u-01", 18 + (r >> 10) % 6,
                 1 + (r >> 13) % 12);
        assert_int_equal(ms_date_parse("1980-01-01", &m.birth_date), 0);
        assert_int_equal(ms_date_parse(enrolled, &m.enrollment_date), 0);
        m.category = (r >> 17) % 3 ? MS_CATEGORY_BENEFICIAIRE : MS_CATEGORY_ADHERENT;
        m.relationship = MS_REL_OTHER;
        m.status = statuses[(r >> 19) % 5];
        put_t *p = &c->puts[i];
        *p = (put_t){node, MS_COLL_MEMBER, keys[i], {0}, 0};
        assert_int_equal(ms_member_encode(&m, p->value, sizeof p->value, &p->len), 0);
    }
}

static int churn_all(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    churn_t *c = arg;
    int rc = 0;
    for (int i = 0; rc == 0 && i < CHURN; i++)
        rc = put_one(txn, &c->puts[i], err);
    return rc;
}

static void test_tally_of_one_transaction_equals_one_write_per_change(void **state)
{
    char one[512], many[512];
    snprintf(one, sizeof one, "%s/one", (char *)*state);
    snprintf(many, sizeof many, "%s/many", (char *)*state);
    assert_int_equal(mkdir(one, 0700), 0);
    assert_int_equal(mkdir(many, 0700), 0);
    ms_node_t *a = mutual_node(one), *b = mutual_node(many);
    static churn_t churn_a, churn_b;
    churn_fill(&churn_a, a);
    churn_fill(&churn_b, b);
    ms_error_t err = {0};
    for (int i = 0; i < CHURN; i++)
        assert_int_equal(ms_store_write(ms_node_store(a), put_one, &churn_a.puts[i], &err), 0);
    assert_int_equal(ms_store_write(ms_node_store(b), churn_all, &churn_b, &err), 0);
    static const char *const codes[] = {"beneficiaries", "adherents", "women_beneficiaries",
                                        "households"};
    uint32_t now = this_month();
    double moved = 0;
    for (uint32_t month = 201712; month <= now; month = ms_month_next(month))
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
            double expected = tally(a, codes[i], month);
            assert_true(tally(b, codes[i], month) == expected);
            moved += expected;
        }
    assert_true(moved > 0);
    ms_node_close(&a);
    ms_node_close(&b);
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

//  ---------------------------------------------------------------------------
//  The value check, the writer's rule, exact sums, held months, rebuilds

typedef struct {
    uint8_t value[256];
    ms_change_t change;
} report_change_t;

static void make_report(report_change_t *rc, const char *key, const char *period,
                        const char *indicator, double value, double numerator, double denominator)
{
    ms_report_t r;
    memset(&r, 0, sizeof r);
    snprintf(r.period, sizeof r.period, "%s", period);
    snprintf(r.indicator, sizeof r.indicator, "%s", indicator);
    const char *bar = strrchr(key, '|');  //  the disaggregation, as the key says
    if (bar && ms_code_valid(bar + 1, true))
        snprintf(r.disaggregation, sizeof r.disaggregation, "%s", bar + 1);
    r.value = value;
    r.numerator = numerator;
    r.denominator = denominator;
    size_t len = 0;
    assert_int_equal(ms_report_encode(&r, rc->value, sizeof rc->value, &len), 0);
    rc->change = (ms_change_t){MS_COLL_REPORT, MS_OP_UPSERT, key, rc->value, len};
}

//  The check's verdict on one report, with its reason in DETAIL.
static int check(ms_node_t *node, const char *key, const char *period, const char *indicator,
                 double value, double numerator, double denominator, char *detail)
{
    report_change_t rc;
    make_report(&rc, key, period, indicator, value, numerator, denominator);
    ms_txn_t *txn;
    ms_error_t err = {0};
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    int verdict = ms_views_check(txn, "ML-UTM-001", &rc.change, node, detail, 256, &err);
    ms_txn_abort(&txn);
    return verdict;
}

static void test_check_accepts_whole_figures_up_to_their_bound(void **state)
{
    ms_node_t *node = mutual_node(*state);
    char why[256];
    const char *b = "2026-10|beneficiaries|", *paid = "2026-10|contributions_paid_xof|";
    const char *rate = "2026-10|collection_rate|";
    assert_int_equal(check(node, b, "2026-10", "beneficiaries", 0, 0, 0, why), 0);
    assert_int_equal(check(node, b, "2026-10", "beneficiaries", 1e9, 0, 0, why), 0);
    assert_string_equal(why, "");
    assert_int_equal(check(node, paid, "2026-10", "contributions_paid_xof", 1e12, 0, 0, why), 0);
    assert_int_equal(check(node, rate, "2026-10", "collection_rate", 1, 1e12, 1e12, why), 0);
    assert_int_equal(check(node, rate, "2026-10", "collection_rate", 0, 0, 0, why), 0);
    assert_int_equal(
        check(node, "2026-10|beneficiaries|sex=F", "2026-10", "beneficiaries", 7, 0, 0, why), 0);
    //  A delete and another collection carry no figure to judge.
    ms_change_t del = {MS_COLL_REPORT, MS_OP_DELETE, b, NULL, 0};
    ms_change_t card = {MS_COLL_ORG, MS_OP_UPSERT, "ML-UTM-001", (const uint8_t *)"x", 1};
    ms_txn_t *txn;
    ms_error_t err = {0};
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    assert_int_equal(ms_views_check(txn, "ML-UTM-001", &del, node, why, sizeof why, &err), 0);
    assert_int_equal(ms_views_check(txn, "ML-UTM-001", &card, node, why, sizeof why, &err), 0);
    ms_txn_abort(&txn);
    ms_node_close(&node);
}

static void test_check_sets_aside_each_broken_rule_with_its_reason(void **state)
{
    ms_node_t *node = mutual_node(*state);
    static const struct {
        const char *key, *period, *indicator;
        double value, numerator, denominator;
        const char *reason;
    } cases[] = {
        {"2026-10|beneficiaries|", "2026-10", "beneficiaries", 1e9 + 1, 0, 0, "above the bound"},
        {"2026-10|contributions_paid_xof|", "2026-10", "contributions_paid_xof", 1e12 + 1, 0, 0,
         "above the bound 1000000000000"},
        {"2026-10|claims_covered_xof|", "2026-10", "claims_covered_xof", 1.7e308, 0, 0,
         "above the bound"},
        {"2026-10|beneficiaries|", "2026-10", "beneficiaries", -1000000, 0, 0, "negative"},
        {"2026-10|beneficiaries|", "2026-10", "beneficiaries", -1, 0, 0, "negative"},
        {"2026-10|beneficiaries|", "2026-10", "beneficiaries", 2.5, 0, 0, "not a whole number"},
        {"2026-10|beneficiaries|", "2026-10", "beneficiaries", NAN, 0, 0, "finite"},
        {"2026-10|beneficiaries|", "2026-10", "beneficiaries", INFINITY, 0, 0, "finite"},
        {"2026-10|adherents|", "2026-10", "beneficiaries", 10, 0, 0, "does not name its content"},
        {"2026-09|beneficiaries|", "2026-10", "beneficiaries", 10, 0, 0, "does not name"},
        {"2026-10|beneficiaries", "2026-10", "beneficiaries", 10, 0, 0, "is not YYYY-MM|"},
        {"2026-10|beneficiaries||", "2026-10", "beneficiaries", 10, 0, 0, "is not YYYY-MM|"},
        {"202610|beneficiaries|", "2026-10", "beneficiaries", 10, 0, 0, "is not YYYY-MM|"},
        {"2026-13|beneficiaries|", "2026-10", "beneficiaries", 10, 0, 0, "is not YYYY-MM|"},
        {"2026-10|hectares|", "2026-10", "hectares", 10, 0, 0, "not in the catalogue"},
        {"2026-10|beneficiaries|", "2026-10", "beneficiaries", 10, 10, 20, "is a count"},
        {"2026-10|collection_rate|", "2026-10", "collection_rate", 0.5, 0, 0, "is a ratio"},
        {"2026-10|collection_rate|", "2026-10", "collection_rate", 0.5, 0.5, 1, "numerator"},
        {"2026-10|collection_rate|", "2026-10", "collection_rate", 0, 1, 1e12 + 1, "denominator"},
        {"2026-10|generic_drug_rate|", "2026-10", "generic_drug_rate", 0, 1e9 + 1, 2e9,
         "numerator 1000000001 is above the bound 1000000000"},
        {"2026-10|collection_rate|", "2026-10", "collection_rate", -1, 1, 1, "ratio value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char why[256] = "";
        int verdict = check(node, cases[i].key, cases[i].period, cases[i].indicator, cases[i].value,
                            cases[i].numerator, cases[i].denominator, why);
        if (verdict != 1 || !strstr(why, cases[i].reason))
            fail_msg("case %zu (%s): verdict %d, reason \"%s\"", i, cases[i].key, verdict, why);
    }
    ms_node_close(&node);
}

typedef struct {
    ms_node_t *node;
    ms_change_t *changes;
    size_t count;
} append_t;

static int append_changes(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    append_t *a = arg;
    ms_verdict_t verdict;
    return ms_node_append(a->node, txn, "public", a->changes, a->count, &verdict, err);
}

//  Appends one report to the node's public feed, as a hostile or broken
//  writer would: no writer's rule, only the accept rules and the hook.
static void append_report(ms_node_t *node, const char *key, const char *period,
                          const char *indicator, double value, double numerator, double denominator)
{
    report_change_t rc;
    make_report(&rc, key, period, indicator, value, numerator, denominator);
    append_t a = {node, &rc.change, 1};
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(ms_node_store(node), append_changes, &a, &err), 0);
}

//  As append_report, for a figure the writer's own rules refuse before signing.
static void refused_report(ms_node_t *node, const char *key, const char *period,
                           const char *indicator, double value)
{
    report_change_t rc;
    make_report(&rc, key, period, indicator, value, 0, 0);
    append_t a = {node, &rc.change, 1};
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(ms_node_store(node), append_changes, &a, &err), MS_EREFUSED);
    assert_non_null(strstr(err.message, "break a value rule"));
}

static ms_cell_t cell_of(ms_node_t *node, const char *scope, const char *period,
                         const char *indicator)
{
    ms_txn_t *txn;
    ms_cell_t cell;
    ms_period_t p;
    ms_error_t err = {0};
    assert_int_equal(ms_period_parse(period, &p), 0);
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    assert_int_equal(ms_views_cell(txn, scope, &p, indicator, &cell, &err), 0);
    ms_txn_abort(&txn);
    return cell;
}

static void test_views_sum_exactly_and_never_count_a_huge_value(void **state)
{
    ms_node_t *node = mutual_node(*state);
    const char *scope = "s:ML-UTM-001";
    append_report(node, "2026-01|claims_covered_xof|", "2026-01", "claims_covered_xof",
                  999999999999, 0, 0);
    append_report(node, "2026-02|claims_covered_xof|", "2026-02", "claims_covered_xof",
                  999999999997, 0, 0);
    ms_cell_t year = cell_of(node, scope, "2026", "claims_covered_xof");
    assert_true(year.value == 1999999999996LL);
    assert_int_equal(year.orgs, 1);
    //  1.7e308 twice: the union total became inf and stayed inf. The
    //  writer refuses it now; a receiver sets it aside (test_views_recover).
    refused_report(node, "2026-03|claims_covered_xof|", "2026-03", "claims_covered_xof", 1.7e308);
    refused_report(node, "2026-04|claims_covered_xof|", "2026-04", "claims_covered_xof", 1.7e308);
    year = cell_of(node, scope, "2026", "claims_covered_xof");
    assert_true(year.value == 1999999999996LL);
    assert_int_equal(cell_of(node, scope, "2026-03", "claims_covered_xof").orgs, 0);
    //  Corrected to 5 each: counted exactly.
    append_report(node, "2026-03|claims_covered_xof|", "2026-03", "claims_covered_xof", 5, 0, 0);
    append_report(node, "2026-04|claims_covered_xof|", "2026-04", "claims_covered_xof", 5, 0, 0);
    year = cell_of(node, scope, "2026", "claims_covered_xof");
    assert_true(year.value == 2000000000006LL);
    assert_true(cell_of(node, scope, "2026-03", "claims_covered_xof").value == 5);
    //  A negative count replacing a good one is refused: the good one stays.
    append_report(node, "2026-05|beneficiaries|", "2026-05", "beneficiaries", 120, 0, 0);
    assert_true(cell_of(node, "c:ML", "2026Q2", "beneficiaries").value == 120);
    refused_report(node, "2026-05|beneficiaries|", "2026-05", "beneficiaries", -1000000);
    assert_true(cell_of(node, "c:ML", "2026Q2", "beneficiaries").value == 120);
    assert_int_equal(cell_of(node, "c:ML", "2026Q2", "beneficiaries").orgs, 1);
    //  Ratios: integer sums, divided when read.
    append_report(node, "2026-06|collection_rate|", "2026-06", "collection_rate", 0.75, 3e11, 4e11);
    ms_cell_t rate = cell_of(node, scope, "2026", "collection_rate");
    assert_true(rate.numerator == 300000000000LL && rate.denominator == 400000000000LL);
    const ms_indicator_def_t *defs;
    size_t count = ms_catalogue_default(&defs);
    const ms_indicator_def_t *def = NULL;
    for (size_t i = 0; i < count; i++)
        if (strcmp(defs[i].code, "collection_rate") == 0)
            def = &defs[i];
    assert_non_null(def);
    assert_true(ms_cell_value(&rate, def) == 0.75);
    ms_node_close(&node);
}

static uint32_t month_add(uint32_t month, uint32_t count)
{
    while (count--)
        month = ms_month_next(month);
    return month;
}

typedef struct {
    size_t count;
    uint32_t month;
    char key[MS_KEY_MAX + 1];
} held_list_t;

static int held_one(const char *owner, const char *key, uint32_t month, void *ctx)
{
    held_list_t *h = ctx;
    assert_string_equal(owner, "ML-UTM-001");
    h->count++;
    h->month = month;
    snprintf(h->key, sizeof h->key, "%s", key);
    return 0;
}

static held_list_t held_of(ms_node_t *node)
{
    held_list_t h;
    memset(&h, 0, sizeof h);
    ms_txn_t *txn;
    ms_error_t err = {0};
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    assert_int_equal(ms_views_held(txn, held_one, &h, &err), 0);
    ms_txn_abort(&txn);
    return h;
}

static void test_future_month_is_kept_held_and_counted_when_it_comes(void **state)
{
    ms_node_t *node = mutual_node(*state);
    int64_t now = (int64_t)time(NULL);
    uint32_t next = month_add(this_month(), 1), after = month_add(this_month(), 2);
    char next_text[8], after_text[8], next_key[40], after_key[40];
    ms_month_format(next, next_text);
    ms_month_format(after, after_text);
    snprintf(next_key, sizeof next_key, "%s|complaints|", next_text);
    snprintf(after_key, sizeof after_key, "%s|complaints|", after_text);
    assert_int_equal(ms_views_count_limit(now), next);
    //  Next month is counted (the largest accepted), the one after held.
    append_report(node, next_key, next_text, "complaints", 3, 0, 0);
    append_report(node, after_key, after_text, "complaints", 4, 0, 0);
    assert_true(cell_of(node, "s:ML-UTM-001", next_text, "complaints").value == 3);
    assert_int_equal(cell_of(node, "s:ML-UTM-001", after_text, "complaints").orgs, 0);
    held_list_t h = held_of(node);
    assert_int_equal(h.count, 1);
    assert_int_equal(h.month, after);
    assert_string_equal(h.key, after_key);
    //  Opening the node again changes nothing while the month is ahead.
    ms_error_t err = {0};
    size_t promoted = 9;
    assert_int_equal(ms_views_promote(node, now, &promoted, &err), 0);
    assert_int_equal(promoted, 0);
    //  A rebuild holds it too, and counts the rest.
    ms_views_rebuilt_t done;
    assert_int_equal(ms_views_rebuild(node, now, &done, &err), 0);
    assert_int_equal(done.held, 1);
    assert_int_equal(done.reports, 1);
    assert_int_equal(done.set_aside, 0);
    //  A month later by the node's clock, its month has come.
    int64_t later = now + 32 * 86400;
    assert_int_equal(ms_views_promote(node, later, &promoted, &err), 0);
    assert_int_equal(promoted, 1);
    assert_true(cell_of(node, "s:ML-UTM-001", after_text, "complaints").value == 4);
    assert_int_equal(held_of(node).count, 0);
    //  A rebuild at the real clock holds it again; a correction of a held
    //  report replaces it and stays held until its month.
    assert_int_equal(ms_views_rebuild(node, now, &done, &err), 0);
    assert_int_equal(done.held, 1);
    assert_int_equal(cell_of(node, "s:ML-UTM-001", after_text, "complaints").orgs, 0);
    append_report(node, after_key, after_text, "complaints", 6, 0, 0);
    assert_int_equal(held_of(node).count, 1);
    assert_int_equal(ms_views_rebuild(node, later, &done, &err), 0);
    assert_int_equal(done.held, 0);
    assert_true(cell_of(node, "s:ML-UTM-001", after_text, "complaints").value == 6);
    ms_node_close(&node);
}

//  Appends V as a zigzag varint, as the view rows store their fields.
static size_t put_varint(uint8_t *out, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    size_t len = 0;
    for (; z >= 0x80; z >>= 7)
        out[len++] = (uint8_t)(z | 0x80);
    out[len++] = (uint8_t)z;
    return len;
}

//  Writes huge and negative figures straight into the 2026 rows (year
//  cell: slot 17, value and orgs) of contributions_paid_xof, a stray
//  subtree row a mutual never has, and a row of bytes that decode to no
//  cell (for claims).
static int poison(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    (void)arg;
    static const char *const scopes[] = {"o:ML-UTM-001", "c:ML", "s:ML-UTM-001", "o:ML-UTM-001"};
    const int64_t values[] = {INT64_MAX - 8, INT64_MAX - 3, 5, 0};
    const int64_t orgs[] = {1, -1000000, 1, 0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < 4; i++) {
        uint8_t key[128], row[32] = {17, 0x09};
        int len = snprintf((char *)key, sizeof key, "C%s%c%s%c", scopes[i], 0,
                           i < 3 ? "contributions_paid_xof" : "claims", 0);
        key[len++] = 2026 >> 8;
        key[len++] = 2026 & 0xff;
        size_t row_len = 2 + put_varint(row + 2, values[i]);
        row_len += put_varint(row + row_len, orgs[i]);
        if (i == 3)
            row_len = 3, row[1] = 0x01, row[2] = 0x80;  //  a varint cut short
        rc = ms_txn_put(txn, MS_TABLE_VIEWS, key, (size_t)len, row, row_len, 0, err);
    }
    return rc;
}

static void test_rebuild_restores_the_exact_figures_after_poisoning(void **state)
{
    ms_node_t *node = mutual_node(*state);
    put_member(node, "M1", "H1", MS_SEX_F, MS_CATEGORY_ADHERENT, "2020-03-15", MS_STATUS_ACTIVE);
    put_contribution(node, "H1|2026-10", 202610, 1000, 400);
    put_contribution(node, "H1|2026-11", 202611, 1000, 1000);
    ms_error_t err = {0};
    assert_int_equal(ms_views_publish(node, NULL, &err), 0);
    const ms_table_t views[] = {MS_TABLE_VIEWS};
    uint8_t before[MS_HASH_BYTES], poisoned[MS_HASH_BYTES], after[MS_HASH_BYTES];
    ms_test_digest(ms_node_store(node), views, 1, before);
    assert_true(cell_of(node, "s:ML-UTM-001", "2026", "contributions_paid_xof").value == 1400);

    //  Poisoned in the table itself.
    assert_int_equal(ms_store_write(ms_node_store(node), poison, NULL, &err), 0);
    ms_test_digest(ms_node_store(node), views, 1, poisoned);
    assert_memory_not_equal(before, poisoned, MS_HASH_BYTES);
    assert_true(cell_of(node, "s:ML-UTM-001", "2026", "contributions_paid_xof").value ==
                INT64_MAX - 3);
    assert_true(cell_of(node, "c:ML", "2026", "contributions_paid_xof").value == INT64_MAX - 3);
    ms_txn_t *txn;
    ms_period_t year = {MS_PERIOD_YEAR, 2026, 0};
    ms_cell_t cell;
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    assert_int_equal(ms_views_cell(txn, "o:ML-UTM-001", &year, "claims", &cell, &err), MS_ESTORE);
    assert_non_null(strstr(err.message, "rebuild the views"));
    ms_txn_abort(&txn);
    ms_views_rebuilt_t done;
    assert_int_equal(ms_views_rebuild(node, (int64_t)time(NULL), &done, &err), 0);
    ms_test_digest(ms_node_store(node), views, 1, after);
    assert_memory_equal(before, after, MS_HASH_BYTES);
    assert_true(cell_of(node, "s:ML-UTM-001", "2026", "contributions_paid_xof").value == 1400);
    assert_int_equal(done.set_aside, 0);
    assert_true(done.reports > 0);

    //  Poisoned through a report written with the hook (and its check) off:
    //  the rebuild sets it aside and the figures are a recomputation's.
    ms_node_set_hook(node, NULL);
    append_report(node, "2026-10|contributions_due_xof|", "2026-10", "contributions_due_xof",
                  1.7e308, 0, 0);
    append_report(node, "2026-11|contributions_due_xof|", "2026-11", "contributions_due_xof", -5, 0,
                  0);
    assert_int_equal(ms_views_rebuild(node, (int64_t)time(NULL), &done, &err), 0);
    assert_int_equal(done.set_aside, 2);
    assert_int_equal(cell_of(node, "s:ML-UTM-001", "2026", "contributions_due_xof").orgs, 0);
    assert_true(cell_of(node, "s:ML-UTM-001", "2026", "contributions_paid_xof").value == 1400);
    ms_node_close(&node);
}

static void test_publish_never_signs_a_figure_the_check_sets_aside(void **state)
{
    ms_node_t *node = mutual_node(*state);
    put_contribution(node, "H1|2026-10", 202610, 600000000000ULL, 600000000000ULL);
    ms_error_t err = {0};
    assert_int_equal(ms_views_publish(node, NULL, &err), 0);
    assert_true(cell_of(node, "s:ML-UTM-001", "2026-10", "contributions_due_xof").value ==
                600000000000LL);
    //  A second household in the same month: the month's due passes the bound.
    put_contribution(node, "H2|2026-10", 202610, 600000000000ULL, 0);
    assert_int_equal(ms_views_publish(node, NULL, &err), 0);
    ms_txn_t *txn;
    ms_stored_record_t stored;
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    //  Withheld, and the earlier report withdrawn; the paid sum still fits.
    assert_int_equal(ms_replica_record(txn, MS_COLL_REPORT, "ML-UTM-001",
                                       "2026-10|contributions_due_xof|", &stored, NULL),
                     MS_ENOTFOUND);
    assert_int_equal(ms_replica_record(txn, MS_COLL_REPORT, "ML-UTM-001",
                                       "2026-10|contributions_paid_xof|", &stored, NULL),
                     0);
    ms_txn_abort(&txn);
    assert_int_equal(cell_of(node, "s:ML-UTM-001", "2026-10", "contributions_due_xof").orgs, 0);
    assert_true(cell_of(node, "s:ML-UTM-001", "2026-10", "contributions_paid_xof").value ==
                600000000000LL);
    //  Every report in the feed passes the readers' check.
    ms_views_rebuilt_t done;
    assert_int_equal(ms_views_rebuild(node, (int64_t)time(NULL), &done, &err), 0);
    assert_int_equal(done.set_aside, 0);
    assert_true(done.reports > 0);
    //  Back under the bound: published again.
    put_contribution(node, "H2|2026-10", 202610, 5, 0);
    assert_int_equal(ms_views_publish(node, NULL, &err), 0);
    assert_true(cell_of(node, "s:ML-UTM-001", "2026-10", "contributions_due_xof").value ==
                600000000005LL);
    ms_node_close(&node);
}

//  Bytes of the keys and values of MS_TABLE_VIEWS under PREFIX.
static size_t views_bytes(ms_node_t *node, const char *prefix)
{
    ms_txn_t *txn;
    ms_cursor_t *cursor;
    ms_error_t err = {0};
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    assert_int_equal(ms_cursor_open(txn, MS_TABLE_VIEWS, prefix, strlen(prefix), &cursor, &err), 0);
    ms_val_t key, val;
    size_t bytes = 0;
    while (ms_cursor_next(cursor, &key, &val, &err) == 1)
        bytes += key.len + val.len;
    ms_cursor_close(&cursor);
    ms_txn_abort(&txn);
    return bytes;
}

//  What every level above keeps for one mutual is its own cells: 24 months
//  of the 17 default indicators must stay under 10 KB of keys and values,
//  with no subtree copy of them, and read back exactly.
static void test_a_mutuals_two_years_of_reports_stay_small_in_the_views(void **state)
{
    ms_node_t *node = mutual_node(*state);
    const ms_indicator_def_t *defs;
    size_t count = ms_catalogue_default(&defs);
    assert_true(count >= 17 && count <= 32);
    uint32_t month = ms_month_back(this_month(), 23);
    for (int i = 0; i < 24; i++, month = ms_month_next(month)) {
        report_change_t reports[32];
        ms_change_t changes[32];
        char keys[32][64], period[8];
        ms_month_format(month, period);
        for (size_t d = 0; d < count; d++) {
            bool ratio = defs[d].def.aggregation == MS_AGG_RATIO;
            snprintf(keys[d], sizeof keys[d], "%s|%s|", period, defs[d].code);
            make_report(&reports[d], keys[d], period, defs[d].code, ratio ? 0 : 1000 + i,
                        ratio ? 50 : 0, ratio ? 100 + i : 0);
            changes[d] = reports[d].change;
        }
        append_t a = {node, changes, count};
        ms_error_t err = {0};
        assert_int_equal(ms_store_write(ms_node_store(node), append_changes, &a, &err), 0);
    }
    size_t own = views_bytes(node, "Co:ML-UTM-001");
    assert_true(own > 0);
    assert_true(own < 10000);
    assert_int_equal(views_bytes(node, "Cs:ML-UTM-001"), 0);
    char text[8];
    ms_month_format(ms_month_back(month, 1), text);
    assert_true(cell_of(node, "s:ML-UTM-001", text, "claims").value == 1023);
    assert_int_equal(cell_of(node, "s:ML-UTM-001", text, "claims").orgs, 1);
    assert_true(cell_of(node, "c:ML", text, "loss_ratio").denominator == 123);
    ms_node_close(&node);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tally_stocks_follow_enrolment_and_leaving,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_tally_of_one_transaction_equals_one_write_per_change,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_tally_flows_move_by_the_difference, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(
            test_publish_writes_changed_reports_only_and_view_reads_them, ms_tmpdir_setup,
            ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_views_rebuild_after_a_write_without_the_hook,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_check_accepts_whole_figures_up_to_their_bound,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_check_sets_aside_each_broken_rule_with_its_reason,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_views_sum_exactly_and_never_count_a_huge_value,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_future_month_is_kept_held_and_counted_when_it_comes,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_rebuild_restores_the_exact_figures_after_poisoning,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_publish_never_signs_a_figure_the_check_sets_aside,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_a_mutuals_two_years_of_reports_stay_small_in_the_views,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
