//  reports - a mutual's indicators from its tally, published as reports.

#include "mutsync/reports.h"

#include "mutsync/indicator.h"
#include "mutsync/log.h"
#include "mutsync/replica.h"
#include "mutsync/tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  A month's counters and the target population (persons, from the card).
typedef struct {
    int64_t counter[MS_TALLY_COUNTERS];
    int64_t target;
} figures_t;

//  Indicator CODE from the figures; false for a code the tally does not know.
static bool indicator_of(const figures_t *f, const char *code, double *value, double *num,
                         double *den)
{
    static const struct {
        const char *code;
        int counter;  //  -1: a ratio, -2: the target population
        int numerator;
        int denominator;
    } map[] = {
        {"beneficiaries", MS_TALLY_PERSONS, 0, 0},
        {"adherents", MS_TALLY_ADHERENTS, 0, 0},
        {"women_beneficiaries", MS_TALLY_WOMEN, 0, 0},
        {"households", MS_TALLY_HOUSEHOLDS, 0, 0},
        {"target_population", -2, 0, 0},
        {"contributions_due_xof", MS_TALLY_DUE, 0, 0},
        {"contributions_paid_xof", MS_TALLY_PAID, 0, 0},
        {"collection_rate", -1, MS_TALLY_PAID, MS_TALLY_DUE},
        {"claims", MS_TALLY_CLAIMS, 0, 0},
        {"claims_generic", MS_TALLY_GENERIC, 0, 0},
        {"claims_billed_xof", MS_TALLY_BILLED, 0, 0},
        {"claims_covered_xof", MS_TALLY_COVERED, 0, 0},
        {"loss_ratio", -1, MS_TALLY_COVERED, MS_TALLY_PAID},
        {"generic_drug_rate", -1, MS_TALLY_GENERIC, MS_TALLY_CLAIMS},
        {"sonu_cases", MS_TALLY_SONU, 0, 0},
        {"complaints", MS_TALLY_COMPLAINTS, 0, 0},
        {"penetration_rate", -1, MS_TALLY_PERSONS, -2},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(map[i].code, code) != 0)
            continue;
        *num = *den = 0;
        //  Every figure a report may carry is below 2^53 (indicator.h), so
        //  the doubles below hold them exactly; larger ones are withheld.
        int c = map[i].counter;
        if (c >= 0) {
            *value = (double)f->counter[c];
            return true;
        }
        if (c == -2) {
            *value = (double)f->target;
            return true;
        }
        int n = map[i].numerator, d = map[i].denominator;
        *num = (double)f->counter[n];
        *den = (double)(d == -2 ? f->target : f->counter[d]);
        *value = *den != 0 ? *num / *den : 0;
        return true;
    }
    return false;
}

static int target_of(ms_node_t *node, ms_txn_t *txn, int64_t *target, ms_error_t *err)
{
    const char *org = ms_node_identity(node)->org;
    ms_stored_record_t stored;
    *target = 0;
    int rc = ms_replica_record(txn, MS_COLL_ORG, org, org, &stored, err);
    if (rc == MS_ENOTFOUND)
        return 0;
    ms_org_t card;
    if (rc == 0 && ms_org_decode(stored.value, stored.value_len, &card, NULL) == 0)
        *target = card.target_population > INT64_MAX ? INT64_MAX : (int64_t)card.target_population;
    return rc;
}

//  The figures of month YYYYMM.
static int figures_of(ms_node_t *node, ms_txn_t *txn, uint32_t yyyymm, figures_t *f,
                      ms_error_t *err)
{
    int rc = target_of(node, txn, &f->target, err);
    return rc ? rc : ms_tally_figures(txn, yyyymm, f->counter, err);
}

int ms_reports_value(ms_node_t *node, ms_txn_t *txn, const char *code, uint32_t yyyymm,
                     double *value, double *numerator, double *denominator, ms_error_t *err)
{
    figures_t f;
    double num, den;
    int rc = figures_of(node, txn, yyyymm, &f, err);
    if (rc)
        return rc;
    if (!indicator_of(&f, code, value, &num, &den))
        return ms_error_set(err, MS_ENOTFOUND, "tally", "no indicator %s", code);
    if (numerator)
        *numerator = num;
    if (denominator)
        *denominator = den;
    return 0;
}

typedef struct {
    ms_change_t changes[MS_REPORTS_BATCH];
    char keys[MS_REPORTS_BATCH][MS_KEY_MAX + 1];
    uint8_t values[MS_REPORTS_BATCH][160];
    size_t count;
} batch_t;

static int flush(ms_node_t *node, ms_txn_t *txn, batch_t *batch, ms_error_t *err)
{
    if (batch->count == 0)
        return 0;
    ms_verdict_t verdict;
    int rc = ms_node_append(node, txn, "public", batch->changes, batch->count, &verdict, err);
    batch->count = 0;
    return rc;
}

//  Queues the report for (MONTH, CODE) unless the feed already holds it.
static int offer(ms_node_t *node, ms_txn_t *txn, batch_t *batch, const char *month,
                 const char *code, const figures_t *f, size_t *count, ms_error_t *err)
{
    ms_report_t report;
    memset(&report, 0, sizeof report);
    snprintf(report.period, sizeof report.period, "%s", month);
    snprintf(report.indicator, sizeof report.indicator, "%s", code);
    if (!indicator_of(f, code, &report.value, &report.numerator, &report.denominator))
        return 0;
    size_t i = batch->count;
    snprintf(batch->keys[i], sizeof batch->keys[i], "%s|%s|", month, code);
    size_t len = 0;
    if (ms_report_encode(&report, batch->values[i], sizeof batch->values[i], &len) != 0)
        return ms_error_set(err, MS_EINVAL, "tally", "report %s too large", batch->keys[i]);
    //  The writer's rule: never sign a figure every reader would set aside.
    //  Such a figure is withheld, and an earlier report for its key withdrawn,
    //  so no level above keeps a stale value for it.
    char detail[256];
    const ms_identity_t *id = ms_node_identity(node);
    int rc = ms_report_judge(txn, id->root, batch->keys[i], &report, detail, sizeof detail, err);
    if (rc < 0)
        return rc;
    bool withheld = rc == 1;
    if (withheld)
        ms_log(MS_LOG_WARN, "tally", "%s: withheld %s", id->org, detail);
    ms_stored_record_t stored;
    rc = ms_replica_record(txn, MS_COLL_REPORT, id->org, batch->keys[i], &stored, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    if (withheld && rc == MS_ENOTFOUND)
        return 0;
    if (!withheld && rc == 0 && stored.value_len == len &&
        memcmp(stored.value, batch->values[i], len) == 0)
        return 0;
    batch->changes[i] =
        withheld
            ? (ms_change_t){MS_COLL_REPORT, MS_OP_DELETE, batch->keys[i], NULL, 0}
            : (ms_change_t){MS_COLL_REPORT, MS_OP_UPSERT, batch->keys[i], batch->values[i], len};
    batch->count++;
    (*count)++;
    return batch->count == MS_REPORTS_BATCH ? flush(node, txn, batch, err) : 0;
}

int ms_reports_publish(ms_node_t *node, ms_txn_t *txn, int64_t now, size_t *count_p,
                       ms_error_t *err)
{
    *count_p = 0;
    if (ms_node_identity(node)->role != MS_ROLE_MUTUAL)
        return 0;
    ms_tally_due_t due;
    int rc = ms_tally_due(txn, now, &due, err);
    if (rc || !due.due)
        return rc;
    const ms_indicator_def_t *defs;
    size_t def_count = ms_catalogue_default(&defs);
    batch_t *batch = calloc(1, sizeof *batch);
    if (!batch)
        rc = ms_error_set(err, MS_ENOMEM, "tally", "no memory for a batch of reports");
    for (uint32_t month = due.start; rc == 0 && month <= due.last; month = ms_month_next(month)) {
        figures_t f;
        char text[8];
        ms_month_format(month, text);
        rc = figures_of(node, txn, month, &f, err);
        for (size_t i = 0; rc == 0 && i < def_count; i++)
            rc = offer(node, txn, batch, text, defs[i].code, &f, count_p, err);
    }
    if (rc == 0)
        rc = flush(node, txn, batch, err);
    free(batch);
    return rc ? rc : ms_tally_published(txn, &due, err);
}
