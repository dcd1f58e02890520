//  viewcell - the cells of the views and the arithmetic that moves them.
//
//  DESIGN. An org's own month cell ("o:ORG") is set to its report's
//  figures; the difference goes to the same month in every rollup scope
//  (its ancestors' subtrees and its country). The org's quarter and year
//  cells are then brought up to date: a flow by the same difference, a
//  stock from the org's own month cells of that period (its last month
//  with data); their differences go to the rollups in turn. Every sum is
//  an int64 checked for overflow. Nothing here walks all orgs or all
//  reports. Called by views.c.
//
//  STORAGE. What a secretariat keeps grows with its mutuals, so it is kept
//  small. One row holds a scope's cells of one indicator for one year (12
//  months, 4 quarters, the year): one report moves one row per scope. A
//  row stores only its non-empty cells, each as varints. An "s:ORG" row
//  holds the sums of ORG's descendants only: the subtree cell read is that
//  row plus ORG's own cell (counted as one org), so a mutual, which has no
//  descendants, has no subtree rows at all.
//
//  Row key in MS_TABLE_VIEWS: "C" scope NUL indicator NUL year (2 BE).
//  Row value: for each non-empty cell, by slot: the slot (1 byte: months
//  1..12, quarters 13..16, the year 17), a mask (1 byte: which of value,
//  numerator, denominator, orgs, month follow), then each field present
//  as a zigzag varint (the month as YYYYMM minus the row's year x 100).

#include "mutsync/viewcell.h"

#include "mutsync/store.h"

#include <stdio.h>
#include <string.h>

#define ROW_KEY_MAX (1 + MS_SCOPE_MAX + 1 + MS_CODE_MAX + 1 + 2)
#define SLOTS 18       //  slot 0 unused, then months, quarters, the year
#define SLOT_YEAR 17   //
#define FIELDS 5       //  value, numerator, denominator, orgs, month
#define VARINT_MAX 10  //  bytes in a varint of 64 bits
#define ROW_MAX ((SLOTS - 1) * (2 + FIELDS * VARINT_MAX))

//  The cells of one scope, indicator and year.
typedef struct {
    uint8_t key[ROW_KEY_MAX];  //  its key in MS_TABLE_VIEWS
    size_t key_len;            //  bytes in KEY, 0 when the year cannot be stored
    uint32_t year;             //  the year of the row
    ms_cell_t cells[SLOTS];    //  by slot; empty cells are zeros
    bool changed;              //  a cell differs from what the store holds
} row_t;

static size_t slot_of(const ms_period_t *period)
{
    if (period->kind == MS_PERIOD_MONTH)
        return period->index >= 1 && period->index <= 12 ? period->index : 0;
    if (period->kind == MS_PERIOD_QUARTER)
        return period->index >= 1 && period->index <= 4 ? 12 + period->index : 0;
    return SLOT_YEAR;
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

static size_t varint_put(uint8_t *out, int64_t signed_value)
{
    uint64_t value = ((uint64_t)signed_value << 1) ^ (uint64_t)(signed_value >> 63);
    size_t len = 0;
    while (value >= 0x80) {
        out[len++] = (uint8_t)(value | 0x80);
        value >>= 7;
    }
    out[len++] = (uint8_t)value;
    return len;
}

//  Reads a varint at *POS of DATA (LEN bytes); false when it runs past
//  the end or past 64 bits.
static bool varint_get(const uint8_t *data, size_t len, size_t *pos, int64_t *out)
{
    uint64_t value = 0;
    for (unsigned shift = 0; shift < 64 && *pos < len; shift += 7) {
        uint8_t byte = data[(*pos)++];
        value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = (int64_t)(value >> 1) ^ -(int64_t)(value & 1);
            return true;
        }
    }
    return false;
}

//  The month a cell names, relative to its row's year (0 for none).
static int64_t month_offset(uint32_t month, uint32_t year)
{
    return month ? (int64_t)month - (int64_t)year * 100 : 0;
}

static int row_decode(row_t *row, const uint8_t *data, size_t len, ms_error_t *err)
{
    size_t pos = 0;
    bool ok = true;
    while (ok && pos < len) {
        ok = pos + 2 <= len && data[pos] > 0 && data[pos] < SLOTS && !(data[pos + 1] >> FIELDS);
        size_t slot = ok ? data[pos] : 0;
        uint8_t mask = ok ? data[pos + 1] : 0;
        pos += 2;
        int64_t fields[FIELDS] = {0};
        for (int i = 0; ok && i < FIELDS; i++)
            if (mask & (1u << i))
                ok = varint_get(data, len, &pos, &fields[i]);
        int64_t month = fields[4] ? fields[4] + (int64_t)row->year * 100 : 0;
        ok = ok && month >= 0 && month <= UINT32_MAX;
        if (ok)
            row->cells[slot] =
                (ms_cell_t){fields[0], fields[1], fields[2], fields[3], (uint32_t)month};
    }
    if (ok)
        return 0;
    memset(row->cells, 0, sizeof row->cells);
    const char *scope = (const char *)row->key + 1;
    return ms_error_set(err, MS_ESTORE, "views", "damaged view row %s %s %u; rebuild the views",
                        scope, scope + strlen(scope) + 1, row->year);
}

//  Loads the row of (SCOPE, INDICATOR, YEAR); a row never written reads as
//  empty cells. Returns 0, or MS_ESTORE when the store failed or the row is
//  damaged.
static int row_get(ms_txn_t *txn, const char *scope, const char *indicator, uint32_t year,
                   row_t *row, ms_error_t *err)
{
    memset(row, 0, sizeof *row);
    row->year = year;
    int len = snprintf((char *)row->key, sizeof row->key, "C%s%c%s%c", scope, 0, indicator, 0);
    if (len <= 0 || (size_t)len + 2 > sizeof row->key || year > 0xffff)
        return 0;
    row->key[len] = (uint8_t)(year >> 8);
    row->key[len + 1] = (uint8_t)year;
    row->key_len = (size_t)len + 2;
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_VIEWS, row->key, row->key_len, &val, err);
    if (rc == MS_ENOTFOUND)
        return 0;
    return rc ? rc : row_decode(row, val.data, val.len, err);
}

//  Writes ROW back when a cell changed: its non-empty cells, or nothing.
static int row_put(ms_txn_t *txn, row_t *row, ms_error_t *err)
{
    if (!row->changed || row->key_len == 0)
        return 0;
    uint8_t value[ROW_MAX];
    size_t len = 0;
    for (size_t slot = 1; slot < SLOTS; slot++) {
        const ms_cell_t *cell = &row->cells[slot];
        if (cell_empty(cell))
            continue;
        int64_t fields[FIELDS] = {cell->value, cell->numerator, cell->denominator, cell->orgs,
                                  month_offset(cell->month, row->year)};
        size_t mask_at = len + 1;
        value[len] = (uint8_t)slot;
        value[mask_at] = 0;
        len += 2;
        for (int i = 0; i < FIELDS; i++)
            if (fields[i]) {
                value[mask_at] |= (uint8_t)(1u << i);
                len += varint_put(value + len, fields[i]);
            }
    }
    row->changed = false;
    if (len == 0)
        return ms_txn_del(txn, MS_TABLE_VIEWS, row->key, row->key_len, err);
    return ms_txn_put(txn, MS_TABLE_VIEWS, row->key, row->key_len, value, len, 0, err);
}

//  CELL += SIGN * DELTA, every sum checked: the bounds of indicator.h make
//  an overflow impossible below millions of org-months, so one is a damaged
//  store or a federation far past its design, and is said as such.
static int cell_add(ms_cell_t *cell, const ms_cell_t *delta, int64_t sign, const char *scope,
                    const char *indicator, ms_error_t *err)
{
    ms_cell_t sum = *cell;
    int64_t d[4] = {delta->value, delta->numerator, delta->denominator, delta->orgs};
    int64_t *out[4] = {&sum.value, &sum.numerator, &sum.denominator, &sum.orgs};
    for (int i = 0; i < 4; i++) {
        int64_t term;
        if (__builtin_mul_overflow(d[i], sign, &term) ||
            __builtin_add_overflow(*out[i], term, out[i]))
            return ms_error_set(err, MS_ESTORE, "views",
                                "cell %s %s would overflow 64 bits; rebuild the views", scope,
                                indicator);
    }
    *cell = sum;
    return 0;
}

int ms_viewcell_get(ms_txn_t *txn, const char *scope, const ms_period_t *period,
                    const char *indicator, ms_cell_t *cell, ms_error_t *err)
{
    memset(cell, 0, sizeof *cell);
    size_t slot = slot_of(period);
    row_t row;
    int rc = slot ? row_get(txn, scope, indicator, period->year, &row, err) : 0;
    if (rc || !slot)
        return rc;
    *cell = row.cells[slot];
    if (strncmp(scope, "s:", 2) != 0)
        return 0;
    //  A subtree's cell: its descendants' row plus the org's own cell.
    char own[MS_SCOPE_MAX + 1];
    snprintf(own, sizeof own, "o:%s", scope + 2);
    rc = row_get(txn, own, indicator, period->year, &row, err);
    ms_cell_t mine = row.cells[slot];
    mine.orgs = mine.orgs > 0;
    mine.month = 0;
    return rc ? rc : cell_add(cell, &mine, 1, scope, indicator, err);
}

double ms_cell_value(const ms_cell_t *cell, const ms_indicator_def_t *def)
{
    if (def && def->def.aggregation == MS_AGG_RATIO)
        return cell->denominator != 0 ? (double)cell->numerator / (double)cell->denominator : 0;
    return (double)cell->value;
}

//  DELTA = AFTER - BEFORE; orgs counted as presence when COUNT_ORGS.
static int difference(const ms_cell_t *after, const ms_cell_t *before, bool count_orgs,
                      ms_cell_t *delta, const char *scope, const char *indicator, ms_error_t *err)
{
    *delta = *after;
    delta->month = 0;
    int rc = cell_add(delta, before, -1, scope, indicator, err);
    if (count_orgs)
        delta->orgs = (after->orgs > 0) - (before->orgs > 0);
    return rc;
}

//  Sets the org's own cell of the quarter or year at SLOT, holding the
//  months FIRST..LAST (slots), from its month cells: a flow moves by
//  MONTH_DELTA, a stock takes its last month with data. DELTA gets the
//  difference for the rollups.
static int period_update(row_t *own, const ms_cell_target_t *t, size_t slot, size_t first,
                         size_t last, const ms_cell_t *month_delta, ms_cell_t *delta,
                         ms_error_t *err)
{
    ms_cell_t before = own->cells[slot], after = before;
    int rc = 0;
    if (!t->stock) {
        rc = cell_add(&after, month_delta, 1, t->path[0], t->indicator, err);
    } else {
        memset(&after, 0, sizeof after);
        for (size_t m = last; m >= first; m--) {
            const ms_cell_t *cell = &own->cells[m];
            if (cell->orgs > 0 && after.orgs++ == 0) {
                after.value = cell->value;
                after.numerator = cell->numerator;
                after.denominator = cell->denominator;
                after.month = own->year * 100 + (uint32_t)m;
            }
        }
    }
    if (rc == 0)
        rc = difference(&after, &before, true, delta, t->path[0], t->indicator, err);
    own->cells[slot] = after;
    own->changed |= !cell_same(&before, &after);
    return rc;
}

//  Adds the month, quarter and year DELTAS (at SLOTS) to the rows of every
//  scope above the org: its ancestors' subtrees and its country.
static int rollup(ms_txn_t *txn, const ms_cell_target_t *t, uint32_t year, const size_t slots[3],
                  const ms_cell_t deltas[3], ms_error_t *err)
{
    char scope[MS_SCOPE_MAX + 1];
    int rc = 0;
    for (size_t i = 1; rc == 0 && i <= t->depth; i++) {
        if (i < t->depth)
            snprintf(scope, sizeof scope, "s:%s", t->path[i]);
        else if (t->country[0])
            snprintf(scope, sizeof scope, "c:%s", t->country);
        else
            break;
        row_t row;
        rc = row_get(txn, scope, t->indicator, year, &row, err);
        for (int k = 0; rc == 0 && k < 3; k++) {
            ms_cell_t *cell = &row.cells[slots[k]];
            ms_cell_t before = *cell;
            rc = cell_add(cell, &deltas[k], 1, scope, t->indicator, err);
            row.changed |= !cell_same(&before, cell);
        }
        if (rc == 0)
            rc = row_put(txn, &row, err);
    }
    return rc;
}

int ms_viewcell_set_month(ms_txn_t *txn, const ms_cell_target_t *t, uint32_t month,
                          const ms_cell_t *figures, ms_error_t *err)
{
    char own_scope[MS_SCOPE_MAX + 1];
    snprintf(own_scope, sizeof own_scope, "o:%s", t->path[0]);
    uint32_t year = month / 100, index = month % 100;
    if (index < 1 || index > 12)
        return ms_error_set(err, MS_EINVAL, "views", "%u is not a month", month);
    row_t own;
    int rc = row_get(txn, own_scope, t->indicator, year, &own, err);
    if (rc)
        return rc;
    ms_cell_t after;
    memset(&after, 0, sizeof after);
    if (figures) {
        after.value = figures->value;
        after.numerator = figures->numerator;
        after.denominator = figures->denominator;
        after.orgs = 1;
        after.month = month;
    }
    ms_cell_t *cell = &own.cells[index];
    if (cell_same(cell, &after))
        return 0;
    size_t quarter = (index - 1) / 3;
    const size_t slots[3] = {index, 13 + quarter, SLOT_YEAR};
    ms_cell_t deltas[3];
    rc = difference(&after, cell, false, &deltas[0], own_scope, t->indicator, err);
    *cell = after;
    own.changed = true;
    if (rc == 0)
        rc = period_update(&own, t, slots[1], 1 + 3 * quarter, 3 + 3 * quarter, &deltas[0],
                           &deltas[1], err);
    if (rc == 0)
        rc = period_update(&own, t, slots[2], 1, 12, &deltas[0], &deltas[2], err);
    if (rc == 0)
        rc = row_put(txn, &own, err);
    return rc ? rc : rollup(txn, t, year, slots, deltas, err);
}
