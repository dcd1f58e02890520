//  viewreport - reports judged, held while their month is ahead, counted.
//
//  DESIGN. accept asks ms_views_check about each change before writing it
//  (a report that breaks a value rule is set aside); the hook then hands
//  the report to ms_viewreport_apply with the record it replaces still in
//  the store, inside the write transaction. The report sets its org's own
//  cell for the month its key names: to its figures when they may be
//  counted (judged again here, so a store written by a replica that
//  skipped the check still counts nothing bad) and its month has come; to
//  nothing otherwise. A held report is counted by ms_views_promote, which
//  walks the "F" keys month first, so the due ones are a prefix. The cells
//  are thus always what a rebuild computes from the stored records.

#include "mutsync/viewreport.h"

#include "mutsync/i18n.h"
#include "mutsync/replica.h"

#include <stdio.h>
#include <string.h>

//  A held report: "F" month (4 BE) owner NUL key -> "". Month first, so
//  the reports whose month has come are a prefix of the walk.
#define HELD_KEY_MAX (1 + 4 + MS_ORG_MAX + 1 + MS_KEY_MAX)

static size_t held_key(uint32_t month, const char *owner, const char *key, uint8_t *out)
{
    out[0] = 'F';
    out[1] = (uint8_t)(month >> 24), out[2] = (uint8_t)(month >> 16);
    out[3] = (uint8_t)(month >> 8), out[4] = (uint8_t)month;
    int len = snprintf((char *)out + 5, HELD_KEY_MAX - 5, "%s%c%s", owner, 0, key);
    return 5 + (size_t)len;
}

//  Decodes the report upsert CHANGE into REPORT and judges it (indicator.h).
static int judge_upsert(ms_txn_t *txn, const char *root, const ms_change_t *change,
                        ms_report_t *report, char *detail, size_t cap, ms_error_t *err)
{
    ms_error_t why = {0};
    if (ms_report_decode(change->value, change->value_len, report, &why) != 0) {
        snprintf(detail, cap, _("report %s: %.200s"), change->key, why.message);
        return 1;
    }
    return ms_report_judge(txn, root, change->key, report, detail, cap, err);
}

int ms_views_check(ms_txn_t *txn, const char *owner, const ms_change_t *change, void *ctx,
                   char *detail, size_t cap, ms_error_t *err)
{
    (void)owner;
    ms_node_t *node = ctx;
    if (cap)
        detail[0] = 0;
    if (change->collection != MS_COLL_REPORT || change->op != MS_OP_UPSERT)
        return 0;
    ms_report_t report;
    return judge_upsert(txn, ms_node_identity(node)->root, change, &report, detail, cap, err);
}

uint32_t ms_views_count_limit(int64_t now)
{
    return ms_month_next(ms_month_of_date((int32_t)(now / 86400)));
}

int ms_viewreport_apply(ms_node_t *node, ms_txn_t *txn, const char *owner,
                        const ms_change_t *change, int64_t now, ms_viewreport_fate_t *fate,
                        char *detail, size_t cap, ms_error_t *err)
{
    *fate = MS_VIEWREPORT_IGNORED;
    detail[0] = 0;
    uint32_t month;
    char code[MS_CODE_MAX + 1], disaggregation[MS_CODE_MAX + 1];
    if (ms_report_key_parse(change->key, &month, code, disaggregation) != 0) {
        *fate = change->op == MS_OP_UPSERT ? MS_VIEWREPORT_ASIDE : MS_VIEWREPORT_IGNORED;
        snprintf(detail, cap, _("report key \"%s\" is not YYYY-MM|indicator|disaggregation"),
                 change->key);
        return 0;
    }
    if (disaggregation[0])
        return 0;  //  kept; the views count totals only
    ms_cell_target_t t;
    int rc = ms_viewtree_target(node, txn, owner, &t, err);
    if (rc)
        return rc == MS_ENOTFOUND ? 0 : rc;
    const char *root = ms_node_identity(node)->root;
    ms_report_t report;
    bool has = false;
    if (change->op == MS_OP_UPSERT) {
        if ((rc = judge_upsert(txn, root, change, &report, detail, cap, err)) < 0)
            return rc;
        has = rc == 0;
        *fate = has ? MS_VIEWREPORT_COUNTED : MS_VIEWREPORT_ASIDE;
        rc = 0;
    }
    uint8_t held[HELD_KEY_MAX];
    size_t held_len = held_key(month, owner, change->key, held);
    rc = ms_txn_del(txn, MS_TABLE_VIEWS, held, held_len, err);
    if (rc == 0 && has && month > ms_views_count_limit(now)) {
        rc = ms_txn_put(txn, MS_TABLE_VIEWS, held, held_len, "", 0, 0, err);
        has = false;
        *fate = MS_VIEWREPORT_HELD;
    }
    if (rc == 0)
        rc = ms_viewtree_note(txn, &t, true, err);
    ms_indicator_def_t def, numerator;
    bool ratio = false;
    t.indicator = code;
    if (rc == 0 && ms_catalogue_get(txn, root, code, &def, NULL) == 0) {
        t.stock = def.def.aggregation == MS_AGG_LAST;
        ratio = def.def.aggregation == MS_AGG_RATIO;
        if (ratio && ms_catalogue_get(txn, root, def.def.numerator, &numerator, NULL) == 0)
            t.stock = numerator.def.aggregation == MS_AGG_LAST;
    }
    //  ms_report_judge has checked each figure is whole and bounded. A
    //  ratio's cell holds its numerator and denominator only.
    ms_cell_t own;
    memset(&own, 0, sizeof own);
    if (has) {
        own.value = ratio ? 0 : (int64_t)report.value;
        own.numerator = ratio ? (int64_t)report.numerator : 0;
        own.denominator = ratio ? (int64_t)report.denominator : 0;
    }
    return rc ? rc : ms_viewcell_set_month(txn, &t, month, has ? &own : NULL, err);
}

typedef struct {
    ms_node_t *node;
    int64_t now;
    size_t count;  //  reports now counted
} promote_t;

#define HELD_CHUNK 64  //  held keys taken per walk, then counted

//  Copies up to MAX (at most HELD_CHUNK) held keys whose month is at most LIMIT.
static int due_keys(ms_txn_t *txn, uint32_t limit, uint8_t keys[][HELD_KEY_MAX], size_t *lens,
                    size_t max, size_t *count, ms_error_t *err)
{
    *count = 0;
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_VIEWS, "F", 1, &cursor, err);
    ms_val_t key, val;
    while (rc == 0 && *count < max && (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        rc = 0;
        if (key.len < 7 || key.len > HELD_KEY_MAX)
            continue;
        uint32_t month = (uint32_t)key.data[1] << 24 | (uint32_t)key.data[2] << 16 |
                         (uint32_t)key.data[3] << 8 | key.data[4];
        if (month > limit)
            break;
        memcpy(keys[*count], key.data, key.len);
        lens[(*count)++] = key.len;
    }
    ms_cursor_close(&cursor);
    return rc < 0 ? rc : 0;
}

static int promote_due(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    promote_t *p = arg;
    p->count = 0;
    uint8_t keys[HELD_CHUNK][HELD_KEY_MAX];
    size_t lens[HELD_CHUNK], count;
    int rc;
    do {
        rc = due_keys(txn, ms_views_count_limit(p->now), keys, lens, HELD_CHUNK, &count, err);
        for (size_t i = 0; rc == 0 && i < count; i++) {
            //  "F" month(4) owner NUL key, with the key NUL-terminated here.
            char owner[MS_ORG_MAX + 1], key[MS_KEY_MAX + 1];
            const char *o = (const char *)keys[i] + 5;
            size_t olen = strnlen(o, lens[i] - 5);
            size_t klen = lens[i] - 5 - olen - (olen < lens[i] - 5);
            snprintf(owner, sizeof owner, "%.*s", (int)olen, o);
            snprintf(key, sizeof key, "%.*s", (int)klen, o + olen + 1);
            rc = ms_txn_del(txn, MS_TABLE_VIEWS, keys[i], lens[i], err);
            ms_stored_record_t stored;
            int found = rc ? rc : ms_replica_record(txn, MS_COLL_REPORT, owner, key, &stored, err);
            if (found == 0) {
                ms_change_t change = {MS_COLL_REPORT, MS_OP_UPSERT, key, stored.value,
                                      stored.value_len};
                ms_viewreport_fate_t fate;
                char detail[256];
                rc = ms_viewreport_apply(p->node, txn, owner, &change, p->now, &fate, detail,
                                         sizeof detail, err);
                p->count += rc == 0 && fate == MS_VIEWREPORT_COUNTED;
            } else if (found != MS_ENOTFOUND) {
                rc = found;
            }
        }
    } while (rc == 0 && count == HELD_CHUNK);
    return rc;
}

int ms_views_promote(ms_node_t *node, int64_t now, size_t *count_p, ms_error_t *err)
{
    if (count_p)
        *count_p = 0;
    ms_txn_t *txn;
    uint8_t key[1][HELD_KEY_MAX];
    size_t len[1], due = 0;
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    if (rc == 0)
        rc = due_keys(txn, ms_views_count_limit(now), key, len, 1, &due, err);
    ms_txn_abort(&txn);
    if (rc || due == 0)
        return rc;
    promote_t p = {node, now, 0};
    rc = ms_store_write(ms_node_store(node), promote_due, &p, err);
    if (rc == 0 && count_p)
        *count_p = p.count;
    return rc;
}

int ms_views_held(ms_txn_t *txn, ms_view_held_fn fn, void *ctx, ms_error_t *err)
{
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_VIEWS, "F", 1, &cursor, err);
    if (rc)
        return rc;
    ms_val_t key, val;
    while ((rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        char owner[MS_ORG_MAX + 1], report_key[MS_KEY_MAX + 1];
        if (key.len < 7 || key.len > HELD_KEY_MAX)
            continue;
        const char *o = (const char *)key.data + 5;
        size_t olen = strnlen(o, key.len - 5);
        if (olen >= key.len - 5)
            continue;
        snprintf(owner, sizeof owner, "%.*s", (int)olen, o);
        snprintf(report_key, sizeof report_key, "%.*s", (int)(key.len - 6 - olen), o + olen + 1);
        uint32_t month = (uint32_t)key.data[1] << 24 | (uint32_t)key.data[2] << 16 |
                         (uint32_t)key.data[3] << 8 | key.data[4];
        rc = fn(owner, report_key, month, ctx);
        if (rc)
            break;
    }
    ms_cursor_close(&cursor);
    return rc < 0 || rc > 1 ? rc : 0;
}
