//  viewcell - the cells of the views and the arithmetic that moves them.
//
//  DESIGN. An org's own month cell ("o:ORG") is set to its report's
//  figures; the difference goes to the same month in every rollup scope
//  (its subtree ancestors and its country). The org's quarter and year
//  cells are then brought up to date: a flow by the same difference, a
//  stock by reading the org's own month cells of that period (at most 12
//  lookups) to find its last month with data; their differences go to the
//  rollups in turn. Every sum is an int64 checked for overflow. Nothing
//  here walks all orgs or all reports. Called by views.c.
//
//  Cell key in MS_TABLE_VIEWS: "C" scope NUL period NUL indicator NUL;
//  value: an ms_cell_t as bytes (padding zeroed).

#include "mutsync/viewcell.h"

#include "mutsync/store.h"

#include <stdio.h>
#include <string.h>

#define CELL_KEY_MAX (1 + MS_SCOPE_MAX + 1 + MS_PERIOD_TEXT_BYTES + MS_CODE_MAX * 2 + 3)

static size_t cell_key(const char *scope, const char *period, const char *indicator, uint8_t *out)
{
    int len =
        snprintf((char *)out, CELL_KEY_MAX, "C%s%c%s%c%s%c", scope, 0, period, 0, indicator, 0);
    return len > 0 && len < CELL_KEY_MAX ? (size_t)len : 0;
}

static bool cell_empty(const ms_cell_t *cell)
{
    return cell->orgs == 0 && cell->value == 0 && cell->numerator == 0 && cell->denominator == 0;
}

static bool cell_same(const ms_cell_t *a, const ms_cell_t *b)
{
    return a->value == b->value && a->numerator == b->numerator &&
           a->denominator == b->denominator && a->orgs == b->orgs && a->month == b->month;
}

int ms_viewcell_get(ms_txn_t *txn, const char *scope, const char *period, const char *indicator,
                    ms_cell_t *cell, ms_error_t *err)
{
    memset(cell, 0, sizeof *cell);
    uint8_t key[CELL_KEY_MAX];
    size_t len = cell_key(scope, period, indicator, key);
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_VIEWS, key, len, &val, err);
    if (rc == 0 && val.len == sizeof *cell)
        memcpy(cell, val.data, sizeof *cell);
    return rc == MS_ENOTFOUND ? 0 : rc;
}

static int cell_put(ms_txn_t *txn, const char *scope, const char *period, const char *indicator,
                    const ms_cell_t *cell, ms_error_t *err)
{
    uint8_t key[CELL_KEY_MAX];
    size_t len = cell_key(scope, period, indicator, key);
    if (cell_empty(cell))
        return ms_txn_del(txn, MS_TABLE_VIEWS, key, len, err);
    ms_cell_t stored;
    memset(&stored, 0, sizeof stored);  //  no stray padding bytes in the store
    stored.value = cell->value;
    stored.numerator = cell->numerator;
    stored.denominator = cell->denominator;
    stored.orgs = cell->orgs;
    stored.month = cell->month;
    return ms_txn_put(txn, MS_TABLE_VIEWS, key, len, &stored, sizeof stored, 0, err);
}

double ms_cell_value(const ms_cell_t *cell, const ms_indicator_def_t *def)
{
    if (def && def->def.aggregation == MS_AGG_RATIO)
        return cell->denominator != 0 ? (double)cell->numerator / (double)cell->denominator : 0;
    return (double)cell->value;
}

//  CELL += SIGN * DELTA, every sum checked: the bounds of indicator.h make
//  an overflow impossible below millions of org-months, so one is a damaged
//  store or a federation far past its design, and is said as such.
static int cell_add(ms_cell_t *cell, const ms_cell_t *delta, int64_t sign, const char *scope,
                    const char *period, const char *indicator, ms_error_t *err)
{
    ms_cell_t sum = *cell;
    int64_t d[4] = {delta->value, delta->numerator, delta->denominator, delta->orgs};
    int64_t *out[4] = {&sum.value, &sum.numerator, &sum.denominator, &sum.orgs};
    for (int i = 0; i < 4; i++) {
        int64_t term;
        if (__builtin_mul_overflow(d[i], sign, &term) ||
            __builtin_add_overflow(*out[i], term, out[i]))
            return ms_error_set(err, MS_ESTORE, "views",
                                "cell %s %s %s would overflow 64 bits; rebuild the views", scope,
                                period, indicator);
    }
    *cell = sum;
    return 0;
}

static int rollup(ms_txn_t *txn, const ms_cell_target_t *t, const char *period,
                  const ms_cell_t *delta, ms_error_t *err)
{
    char scope[MS_SCOPE_MAX + 1];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i <= t->depth; i++) {
        if (i < t->depth)
            snprintf(scope, sizeof scope, "s:%s", t->path[i]);
        else if (t->country[0])
            snprintf(scope, sizeof scope, "c:%s", t->country);
        else
            break;
        ms_cell_t cell;
        rc = ms_viewcell_get(txn, scope, period, t->indicator, &cell, err);
        if (rc == 0)
            rc = cell_add(&cell, delta, 1, scope, period, t->indicator, err);
        if (rc == 0)
            rc = cell_put(txn, scope, period, t->indicator, &cell, err);
    }
    return rc;
}

//  DELTA = AFTER - BEFORE; orgs counted as presence when COUNT_ORGS.
static int difference(const ms_cell_t *after, const ms_cell_t *before, bool count_orgs,
                      ms_cell_t *delta, const char *period, const char *indicator, ms_error_t *err)
{
    memset(delta, 0, sizeof *delta);
    *delta = *after;
    delta->month = 0;
    int rc = cell_add(delta, before, -1, "(difference)", period, indicator, err);
    if (count_orgs)
        delta->orgs = (after->orgs > 0) - (before->orgs > 0);
    return rc;
}

//  Brings the org's cell for the quarter or year holding MONTH up to date.
static int period_update(ms_txn_t *txn, const ms_cell_target_t *t, const char *own, uint32_t month,
                         ms_period_kind_t kind, const ms_cell_t *month_delta, ms_error_t *err)
{
    ms_period_t period = ms_period_of_month(month, kind);
    char text[MS_PERIOD_TEXT_BYTES];
    ms_period_format(&period, text);
    ms_cell_t before, after;
    int rc = ms_viewcell_get(txn, own, text, t->indicator, &before, err);
    if (rc)
        return rc;
    after = before;
    if (!t->stock) {
        rc = cell_add(&after, month_delta, 1, own, text, t->indicator, err);
    } else {
        memset(&after, 0, sizeof after);
        uint32_t first = ms_period_first_month(&period);
        for (uint32_t m = ms_period_last_month(&period); rc == 0 && m >= first; m--) {
            ms_period_t one = ms_period_of_month(m, MS_PERIOD_MONTH);
            char month_text[MS_PERIOD_TEXT_BYTES];
            ms_period_format(&one, month_text);
            ms_cell_t cell;
            rc = ms_viewcell_get(txn, own, month_text, t->indicator, &cell, err);
            if (rc == 0 && cell.orgs > 0 && after.orgs++ == 0) {
                after.value = cell.value;
                after.numerator = cell.numerator;
                after.denominator = cell.denominator;
                after.month = m;
            }
        }
    }
    if (rc == 0)
        rc = cell_put(txn, own, text, t->indicator, &after, err);
    ms_cell_t delta;
    if (rc == 0)
        rc = difference(&after, &before, true, &delta, text, t->indicator, err);
    return rc ? rc : rollup(txn, t, text, &delta, err);
}

int ms_viewcell_set_month(ms_txn_t *txn, const ms_cell_target_t *t, uint32_t month,
                          const ms_cell_t *figures, ms_error_t *err)
{
    char period[8];
    ms_month_format(month, period);
    char own[MS_SCOPE_MAX + 1];
    snprintf(own, sizeof own, "o:%s", t->path[0]);
    ms_cell_t before, after;
    memset(&after, 0, sizeof after);
    int rc = ms_viewcell_get(txn, own, period, t->indicator, &before, err);
    if (rc)
        return rc;
    if (figures) {
        after.value = figures->value;
        after.numerator = figures->numerator;
        after.denominator = figures->denominator;
        after.orgs = 1;
        after.month = month;
    }
    if (cell_same(&before, &after))
        return 0;
    rc = cell_put(txn, own, period, t->indicator, &after, err);
    ms_cell_t delta;
    if (rc == 0)
        rc = difference(&after, &before, false, &delta, period, t->indicator, err);
    if (rc == 0)
        rc = rollup(txn, t, period, &delta, err);
    if (rc == 0)
        rc = period_update(txn, t, own, month, MS_PERIOD_QUARTER, &delta, err);
    if (rc == 0)
        rc = period_update(txn, t, own, month, MS_PERIOD_YEAR, &delta, err);
    return rc;
}
