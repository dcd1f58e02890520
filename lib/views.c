//  views - the apply hook, report cells by differences, and their reading.
//
//  DESIGN. accept calls on_apply for each change before writing it, with
//  the record it replaces, inside the write transaction. A report moves
//  the reporting org's own month cell ("o:ORG") from the old value to the
//  new one; the difference goes to the same month in every rollup scope
//  (its subtree ancestors and its country). The org's quarter and year
//  cells are then brought up to date: a flow by the same difference, a
//  stock by reading the org's own month cells of that period (at most 12
//  lookups) to find its last month with data; their differences go to the
//  rollups in turn. Nothing here ever walks all orgs or all reports,
//  except the one-time build of a node whose views were never built.
//
//  Cell key: "C" scope NUL period NUL indicator NUL disaggregation; value:
//  an ms_cell_t as bytes. Subtree membership: "M" ancestor NUL org.
//  Countries: "N" code. Version: "V".

#include "mutsync/views.h"

#include "mutsync/inventory.h"
#include "mutsync/log.h"
#include "mutsync/replica.h"
#include "mutsync/tally.h"
#include "mutsync/trust.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define CELL_KEY_MAX (1 + MS_SCOPE_MAX + 1 + MS_PERIOD_TEXT_BYTES + MS_CODE_MAX * 2 + 3)

int ms_views_lineage(ms_txn_t *txn, const char *self, const char *org,
                     char path[MS_VIEWS_DEPTH_MAX][MS_ORG_MAX + 1], size_t *depth_p, char *country,
                     ms_error_t *err)
{
    *depth_p = 0;
    country[0] = 0;
    ms_trust_entry_t entry;
    int rc = ms_trust_get(txn, org, &entry, NULL);
    if (rc == MS_ENOTFOUND)
        return MS_ENOTFOUND;
    if (rc)
        return ms_error_set(err, rc, "views", "cannot read the trust entry of %s", org);
    char chain[MS_TRUST_DEPTH_MAX][MS_ORG_MAX + 1];
    size_t count;
    rc = ms_trust_chain(txn, org, chain, &count, err);
    if (rc)
        return rc;
    for (size_t depth = 0; depth < count && depth < MS_VIEWS_DEPTH_MAX; depth++) {
        memcpy(path[depth], chain[depth], MS_ORG_MAX + 1);
        if (strcmp(chain[depth], self) == 0) {
            snprintf(country, 3, "%s", entry.cert.country);
            *depth_p = depth + 1;
            return 0;
        }
    }
    return MS_ENOTFOUND;
}

//  ---------------------------------------------------------------------------
//  Cells

static size_t cell_key(const char *scope, const char *period, const char *indicator, uint8_t *out)
{
    int len =
        snprintf((char *)out, CELL_KEY_MAX, "C%s%c%s%c%s%c", scope, 0, period, 0, indicator, 0);
    return len > 0 && len < CELL_KEY_MAX ? (size_t)len : 0;
}

static int cell_get(ms_txn_t *txn, const char *scope, const char *period, const char *indicator,
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
    if (cell->orgs == 0 && cell->value == 0 && cell->numerator == 0 && cell->denominator == 0)
        return ms_txn_del(txn, MS_TABLE_VIEWS, key, len, err);
    return ms_txn_put(txn, MS_TABLE_VIEWS, key, len, cell, sizeof *cell, 0, err);
}

int ms_views_cell(ms_txn_t *txn, const char *scope, const ms_period_t *period,
                  const char *indicator, ms_cell_t *cell, ms_error_t *err)
{
    char text[MS_PERIOD_TEXT_BYTES];
    ms_period_format(period, text);
    return cell_get(txn, scope, text, indicator, cell, err);
}

double ms_cell_value(const ms_cell_t *cell, const ms_indicator_def_t *def)
{
    if (def && def->def.aggregation == MS_AGG_RATIO)
        return cell->denominator != 0 ? cell->numerator / cell->denominator : 0;
    return cell->value;
}

//  What one report moves: where it counts and how it aggregates over time.
typedef struct {
    char path[MS_VIEWS_DEPTH_MAX][MS_ORG_MAX + 1];  //  the org, up to this node
    size_t depth;                                   //
    char country[3];                                //
    const char *indicator;                          //
    bool stock;                                     //  last month over time
} target_t;

static int rollup(ms_txn_t *txn, const target_t *t, const char *period, const ms_cell_t *delta,
                  ms_error_t *err)
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
        rc = cell_get(txn, scope, period, t->indicator, &cell, err);
        if (rc)
            break;
        cell.value += delta->value;
        cell.numerator += delta->numerator;
        cell.denominator += delta->denominator;
        cell.orgs += delta->orgs;
        rc = cell_put(txn, scope, period, t->indicator, &cell, err);
    }
    return rc;
}

static void difference(const ms_cell_t *after, const ms_cell_t *before, bool count_orgs,
                       ms_cell_t *delta)
{
    memset(delta, 0, sizeof *delta);
    delta->value = after->value - before->value;
    delta->numerator = after->numerator - before->numerator;
    delta->denominator = after->denominator - before->denominator;
    delta->orgs = count_orgs ? (after->orgs > 0) - (before->orgs > 0) : after->orgs - before->orgs;
}

//  Brings the org's cell for the quarter or year holding MONTH up to date.
static int period_update(ms_txn_t *txn, const target_t *t, const char *own, uint32_t month,
                         ms_period_kind_t kind, const ms_cell_t *month_delta, ms_error_t *err)
{
    ms_period_t period = ms_period_of_month(month, kind);
    char text[MS_PERIOD_TEXT_BYTES];
    ms_period_format(&period, text);
    ms_cell_t before, after;
    int rc = cell_get(txn, own, text, t->indicator, &before, err);
    if (rc)
        return rc;
    after = before;
    if (!t->stock) {
        after.value += month_delta->value;
        after.numerator += month_delta->numerator;
        after.denominator += month_delta->denominator;
        after.orgs += month_delta->orgs;
    } else {
        memset(&after, 0, sizeof after);
        uint32_t first = ms_period_first_month(&period);
        for (uint32_t m = ms_period_last_month(&period); rc == 0 && m >= first; m--) {
            ms_period_t one = ms_period_of_month(m, MS_PERIOD_MONTH);
            char month_text[MS_PERIOD_TEXT_BYTES];
            ms_period_format(&one, month_text);
            ms_cell_t cell;
            rc = cell_get(txn, own, month_text, t->indicator, &cell, err);
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
    difference(&after, &before, true, &delta);
    return rc ? rc : rollup(txn, t, text, &delta, err);
}

//  Sets the org's own cell for MONTH to REPORT (NULL: no report) and moves
//  every cell above by the difference.
static int month_set(ms_txn_t *txn, const target_t *t, const char *period,
                     const ms_report_t *report, ms_error_t *err)
{
    uint32_t month;
    if (ms_month_parse(period, &month) != 0)
        return 0;
    char own[MS_SCOPE_MAX + 1];
    snprintf(own, sizeof own, "o:%s", t->path[0]);
    ms_cell_t before, after;
    memset(&after, 0, sizeof after);
    int rc = cell_get(txn, own, period, t->indicator, &before, err);
    if (rc)
        return rc;
    if (report) {
        after.value = report->value;
        after.numerator = report->numerator;
        after.denominator = report->denominator;
        after.orgs = 1;
        after.month = month;
    }
    if (memcmp(&before, &after, sizeof before) == 0)
        return 0;
    rc = cell_put(txn, own, period, t->indicator, &after, err);
    ms_cell_t delta;
    difference(&after, &before, false, &delta);
    if (rc == 0)
        rc = rollup(txn, t, period, &delta, err);
    if (rc == 0)
        rc = period_update(txn, t, own, month, MS_PERIOD_QUARTER, &delta, err);
    if (rc == 0)
        rc = period_update(txn, t, own, month, MS_PERIOD_YEAR, &delta, err);
    return rc;
}

//  Records ORG (PATH[0]) as a member of each subtree on its path, and its
//  country among those the views show when WITH_COUNTRY (a reporting org).
static int note_member(ms_txn_t *txn, const target_t *t, bool with_country, ms_error_t *err)
{
    uint8_t key[2 + 2 * MS_ORG_MAX + 2];
    ms_val_t val;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < t->depth; i++) {
        int len = snprintf((char *)key, sizeof key, "M%s%c%s", t->path[i], 0, t->path[0]);
        rc = ms_txn_get(txn, MS_TABLE_VIEWS, key, (size_t)len, &val, err);
        if (rc == MS_ENOTFOUND)
            rc = ms_txn_put(txn, MS_TABLE_VIEWS, key, (size_t)len, "", 0, 0, err);
    }
    if (rc == 0 && with_country && t->country[0]) {
        int len = snprintf((char *)key, sizeof key, "N%s", t->country);
        rc = ms_txn_get(txn, MS_TABLE_VIEWS, key, (size_t)len, &val, err);
        if (rc == MS_ENOTFOUND)
            rc = ms_txn_put(txn, MS_TABLE_VIEWS, key, (size_t)len, "", 0, 0, err);
    }
    return rc;
}

static int target_of(ms_node_t *node, ms_txn_t *txn, const char *org, target_t *t, ms_error_t *err)
{
    memset(t, 0, sizeof *t);
    return ms_views_lineage(txn, ms_node_identity(node)->org, org, t->path, &t->depth, t->country,
                            err);
}

static int report_apply(ms_node_t *node, ms_txn_t *txn, const char *owner,
                        const ms_change_t *change, const ms_stored_record_t *old, ms_error_t *err)
{
    ms_report_t before, after;
    bool had = old && ms_report_decode(old->value, old->value_len, &before, NULL) == 0 &&
               !before.disaggregation[0];
    bool has = change->op == MS_OP_UPSERT &&
               ms_report_decode(change->value, change->value_len, &after, NULL) == 0 &&
               !after.disaggregation[0];
    if (!had && !has)
        return 0;
    target_t t;
    int rc = target_of(node, txn, owner, &t, err);
    if (rc)
        return rc == MS_ENOTFOUND ? 0 : rc;
    rc = note_member(txn, &t, true, err);
    const char *root = ms_node_identity(node)->root;
    ms_indicator_def_t def, numerator;
    for (int pass = 0; rc == 0 && pass < 2; pass++) {
        const ms_report_t *report = pass == 0 ? &before : &after;
        if (pass == 0 && (!had || (has && strcmp(before.period, after.period) == 0 &&
                                   strcmp(before.indicator, after.indicator) == 0)))
            continue;
        if (pass == 1 && !has)
            continue;
        t.indicator = report->indicator;
        t.stock = false;
        if (ms_catalogue_get(txn, root, report->indicator, &def, NULL) == 0) {
            t.stock = def.def.aggregation == MS_AGG_LAST;
            if (def.def.aggregation == MS_AGG_RATIO &&
                ms_catalogue_get(txn, root, def.def.numerator, &numerator, NULL) == 0)
                t.stock = numerator.def.aggregation == MS_AGG_LAST;
        }
        rc = month_set(txn, &t, report->period, pass == 0 ? NULL : report, err);
    }
    return rc;
}

//  The last seq of each feed the hook saw: "H" feed key -> seq (8 BE). A
//  feed whose head is past it was written without the hook.
static int seen_put(ms_txn_t *txn, const char *org, const char *feed, uint64_t seq, ms_error_t *err)
{
    uint8_t key[1 + MS_FEED_KEY_MAX], value[8];
    key[0] = 'H';
    size_t len = 1 + ms_feed_key(org, feed, key + 1);
    ms_put_be64(value, seq);
    return ms_txn_put(txn, MS_TABLE_VIEWS, key, len, value, sizeof value, 0, err);
}

static int seen_get(ms_txn_t *txn, const char *org, const char *feed, uint64_t *seq,
                    ms_error_t *err)
{
    uint8_t key[1 + MS_FEED_KEY_MAX];
    key[0] = 'H';
    size_t len = 1 + ms_feed_key(org, feed, key + 1);
    ms_val_t val;
    *seq = 0;
    int rc = ms_txn_get(txn, MS_TABLE_VIEWS, key, len, &val, err);
    if (rc == 0 && val.len == 8)
        *seq = ms_get_be64(val.data);
    return rc == MS_ENOTFOUND ? 0 : rc;
}

static int on_applied(ms_txn_t *txn, const char *origin, const char *feed, uint64_t seq, void *ctx,
                      ms_error_t *err)
{
    (void)ctx;
    return seen_put(txn, origin, feed, seq, err);
}

//  Moves the counters, views and inventory by CHANGE, which replaces OLD
//  (NULL: a new record).
static int apply_change(ms_node_t *node, ms_txn_t *txn, const char *owner,
                        const ms_change_t *change, const ms_stored_record_t *old, ms_error_t *err)
{
    int rc = 0;
    if (strcmp(owner, ms_node_identity(node)->org) == 0)
        rc = ms_tally_apply(node, txn, change, old, (int64_t)time(NULL), err);
    if (rc == 0 && change->collection == MS_COLL_REPORT)
        rc = report_apply(node, txn, owner, change, old, err);
    if (rc == 0 && change->collection == MS_COLL_ORG) {
        target_t t;
        rc = target_of(node, txn, owner, &t, err);
        ms_org_t card;
        bool mutual = change->op == MS_OP_UPSERT &&
                      ms_org_decode(change->value, change->value_len, &card, NULL) == 0 &&
                      card.role == MS_ROLE_MUTUAL;
        if (rc == 0)
            rc = note_member(txn, &t, mutual, err);
        if (rc == 0)
            rc = ms_inventory_apply(node, txn, owner, change, old, err);
        if (rc == MS_ENOTFOUND)
            rc = 0;
    }
    return rc;
}

//  The hook: another org's registers count nowhere here; for the rest, the
//  record about to be replaced is still in the store.
static int on_apply(ms_txn_t *txn, const char *owner, uint64_t seq, const ms_change_t *change,
                    void *ctx, ms_error_t *err)
{
    (void)seq;
    ms_node_t *node = ctx;
    if (strcmp(owner, ms_node_identity(node)->org) != 0 && change->collection != MS_COLL_REPORT &&
        change->collection != MS_COLL_ORG)
        return 0;
    ms_stored_record_t held;
    int rc = ms_replica_record(txn, change->collection, owner, change->key, &held, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    return apply_change(node, txn, owner, change, rc == 0 ? &held : NULL, err);
}

//  ---------------------------------------------------------------------------
//  Attaching: the hook, the first build, pending publications.

typedef struct {
    ms_node_t *node;
    ms_txn_t *txn;
    ms_collection_t collection;
    int rc;
    ms_error_t *err;
} build_t;

static int build_one(const char *owner, const char *key, const ms_stored_record_t *record,
                     void *arg)
{
    build_t *b = arg;
    ms_change_t change = {b->collection, MS_OP_UPSERT, key, record->value, record->value_len};
    b->rc = apply_change(b->node, b->txn, owner, &change, NULL, b->err);
    return b->rc;
}

typedef struct {
    ms_txn_t *txn;
    ms_error_t *err;
    int rc;
} heads_t;

static int mark_seen(const char *org, const char *feed, const ms_head_t *head, void *arg)
{
    heads_t *h = arg;
    h->rc = seen_put(h->txn, org, feed, head->seq, h->err);
    return h->rc;
}

#define BEHIND 2  //  lagging's verdict (ms_replica_feeds passes on values above 1)

static int lagging(const char *org, const char *feed, const ms_head_t *head, void *arg)
{
    heads_t *h = arg;
    uint64_t seq;
    h->rc = seen_get(h->txn, org, feed, &seq, h->err);
    return h->rc ? h->rc : seq < head->seq ? BEHIND : 0;
}

//  Removes every key of MS_TABLE_VIEWS, a thousand at a time.
static int clear_views(ms_txn_t *txn, ms_error_t *err)
{
    enum { CHUNK = 1000 };
    static uint8_t keys[CHUNK][CELL_KEY_MAX + 8];
    static size_t lens[CHUNK];
    for (;;) {
        ms_cursor_t *cursor;
        int rc = ms_cursor_open(txn, MS_TABLE_VIEWS, NULL, 0, &cursor, err);
        if (rc)
            return rc;
        size_t count = 0;
        ms_val_t key, val;
        while (count < CHUNK && (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
            lens[count] = key.len < sizeof keys[0] ? key.len : sizeof keys[0];
            memcpy(keys[count], key.data, lens[count]);
            count++;
        }
        ms_cursor_close(&cursor);
        if (rc < 0)
            return rc;
        for (size_t i = 0; i < count; i++)
            if ((rc = ms_txn_del(txn, MS_TABLE_VIEWS, keys[i], lens[i], err)) != 0)
                return rc;
        if (count < CHUNK)
            return 0;
    }
}

//  Builds the views from the stored records. FULL: the first build, which
//  also runs the node's own registers through the tally; otherwise the
//  views are rebuilt from org cards and reports only (the tally's history,
//  such as when a member left, is kept).
static int build_from_records(ms_node_t *node, ms_txn_t *txn, bool full, ms_error_t *err)
{
    static const ms_collection_t order[] = {MS_COLL_ORG,   MS_COLL_MEMBER,    MS_COLL_CONTRIBUTION,
                                            MS_COLL_CLAIM, MS_COLL_COMPLAINT, MS_COLL_REPORT};
    build_t b = {node, txn, MS_COLL_NONE, 0, err};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof order / sizeof order[0]; i++) {
        if (!full && order[i] != MS_COLL_ORG && order[i] != MS_COLL_REPORT)
            continue;
        b.collection = order[i];
        rc = ms_replica_records(txn, order[i], NULL, build_one, &b, err);
        if (rc == 0 && b.rc)
            rc = b.rc;
    }
    heads_t h = {txn, err, 0};
    if (rc == 0)
        rc = ms_replica_feeds(txn, mark_seen, &h, err);
    if (rc == 0 && h.rc)
        rc = h.rc;
    return rc ? rc
              : ms_txn_put(txn, MS_TABLE_VIEWS, "V", 1, MS_VIEWS_VERSION, strlen(MS_VIEWS_VERSION),
                           0, err);
}

static int build(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_VIEWS, "V", 1, &val, err);
    return rc == MS_ENOTFOUND ? build_from_records(arg, txn, true, err) : rc;
}

static int rebuild(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    int rc = clear_views(txn, err);
    return rc ? rc : build_from_records(arg, txn, false, err);
}

typedef struct {
    ms_node_t *node;
    size_t count;
} publish_t;

static int publish_reports(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    publish_t *p = arg;
    return ms_tally_publish(p->node, txn, (int64_t)time(NULL), &p->count, err);
}

int ms_views_publish(ms_node_t *node, size_t *count_p, ms_error_t *err)
{
    if (count_p)
        *count_p = 0;
    if (ms_node_identity(node)->role != MS_ROLE_MUTUAL)
        return 0;
    ms_txn_t *txn;
    bool pending = false;
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    if (rc == 0)
        rc = ms_tally_pending(txn, (int64_t)time(NULL), &pending, err);
    ms_txn_abort(&txn);
    if (rc || !pending)
        return rc;
    publish_t p = {node, 0};
    rc = ms_store_write(ms_node_store(node), publish_reports, &p, err);
    if (rc == 0 && count_p)
        *count_p = p.count;
    return rc;
}

static int publish_definitions(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    publish_t *p = arg;
    p->count = 0;
    const ms_indicator_def_t *defs;
    size_t count = ms_catalogue_default(&defs);
    const char *org = ms_node_identity(p->node)->org;
    ms_change_t changes[64];
    char keys[64][MS_CODE_MAX + 1];
    uint8_t values[64][1024];
    for (size_t i = 0; i < count && p->count < 64; i++) {
        size_t len = 0;
        if (ms_indicator_encode(&defs[i].def, values[p->count], sizeof values[0], &len) != 0)
            return ms_error_set(err, MS_EINVAL, "catalogue", "%s too large", defs[i].code);
        ms_stored_record_t stored;
        int rc = ms_replica_record(txn, MS_COLL_INDICATOR, org, defs[i].code, &stored, err);
        if (rc && rc != MS_ENOTFOUND)
            return rc;
        if (rc == 0 && stored.value_len == len && memcmp(stored.value, values[p->count], len) == 0)
            continue;
        snprintf(keys[p->count], sizeof keys[0], "%s", defs[i].code);
        changes[p->count] =
            (ms_change_t){MS_COLL_INDICATOR, MS_OP_UPSERT, keys[p->count], values[p->count], len};
        p->count++;
    }
    if (p->count == 0)
        return 0;
    ms_verdict_t verdict;
    return ms_node_append(p->node, txn, "public", changes, p->count, &verdict, err);
}

int ms_views_publish_catalogue(ms_node_t *node, size_t *count_p, ms_error_t *err)
{
    if (count_p)
        *count_p = 0;
    if (ms_node_identity(node)->role != MS_ROLE_SECRETARIAT)
        return ms_error_set(err, MS_EINVAL, ms_node_identity(node)->org,
                            "only the secretariat publishes indicator definitions");
    publish_t p = {node, 0};
    int rc = ms_store_write(ms_node_store(node), publish_definitions, &p, err);
    if (rc == 0 && count_p)
        *count_p = p.count;
    return rc;
}

int ms_views_attach(ms_node_t *node, ms_error_t *err)
{
    ms_apply_hook_t hook = {on_apply, on_applied, node, NULL};
    ms_node_set_hook(node, &hook);
    ms_txn_t *txn;
    ms_val_t val;
    uint64_t published = 0;
    const ms_identity_t *id = ms_node_identity(node);
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    int built = rc ? rc : ms_txn_get(txn, MS_TABLE_VIEWS, "V", 1, &val, err);
    if (rc == 0 && id->role == MS_ROLE_SECRETARIAT)
        rc = ms_replica_record_count(txn, MS_COLL_INDICATOR, id->org, &published, err);
    ms_txn_abort(&txn);
    if (rc)
        return rc;
    if (built == MS_ENOTFOUND)
        rc = ms_store_write(ms_node_store(node), build, node, err);
    else if (built)
        return built;
    bool behind = false;
    if (rc == 0 && (rc = ms_store_read(ms_node_store(node), &txn, err)) == 0) {
        heads_t h = {txn, err, 0};
        rc = ms_replica_feeds(txn, lagging, &h, err);
        behind = rc == BEHIND;
        rc = rc == BEHIND ? h.rc : rc;
        ms_txn_abort(&txn);
    }
    if (rc == 0 && behind) {
        ms_log(MS_LOG_WARN, "views",
               "%s: change sets were applied without the views hook (a program that writes "
               "must call ms_views_attach); rebuilding the views from the records",
               id->org);
        rc = ms_store_write(ms_node_store(node), rebuild, node, err);
    }
    if (rc == 0 && id->role == MS_ROLE_SECRETARIAT && published == 0)
        rc = ms_views_publish_catalogue(node, NULL, err);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Reading the subtree

int ms_views_org(ms_txn_t *txn, const char *org, ms_view_org_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    ms_trust_entry_t entry;
    int rc = ms_trust_get(txn, org, &entry, NULL);
    if (rc)
        return rc == MS_ENOTFOUND ? MS_ENOTFOUND
                                  : ms_error_set(err, rc, "views", "cannot read org %s", org);
    snprintf(out->org, sizeof out->org, "%s", org);
    snprintf(out->name, sizeof out->name, "%s", entry.cert.name);
    out->role = entry.cert.role;
    snprintf(out->country, sizeof out->country, "%s", entry.cert.country);
    snprintf(out->parent, sizeof out->parent, "%s", entry.cert.parent);
    ms_stored_record_t stored;
    ms_org_t card;
    if (ms_replica_record(txn, MS_COLL_ORG, org, org, &stored, NULL) == 0 &&
        ms_org_decode(stored.value, stored.value_len, &card, NULL) == 0 && card.name[0])
        snprintf(out->name, sizeof out->name, "%s", card.name);
    return 0;
}

int ms_views_orgs(ms_txn_t *txn, const char *self, ms_view_org_fn fn, void *ctx, ms_error_t *err)
{
    uint8_t prefix[MS_ORG_MAX + 3];
    int len = snprintf((char *)prefix, sizeof prefix, "M%s%c", self, 0);
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_VIEWS, prefix, (size_t)len, &cursor, err);
    if (rc)
        return rc;
    ms_val_t key, val;
    while ((rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        char org[MS_ORG_MAX + 1];
        size_t org_len = key.len - (size_t)len;
        if (org_len > MS_ORG_MAX)
            continue;
        memcpy(org, key.data + len, org_len);
        org[org_len] = 0;
        ms_view_org_t info;
        if (ms_views_org(txn, org, &info, err) != 0)
            continue;
        rc = fn(&info, ctx);
        if (rc)
            break;
    }
    ms_cursor_close(&cursor);
    return rc < 0 || rc > 1 ? rc : 0;
}

int ms_views_countries(ms_txn_t *txn, ms_view_country_fn fn, void *ctx, ms_error_t *err)
{
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_VIEWS, "N", 1, &cursor, err);
    if (rc)
        return rc;
    ms_val_t key, val;
    while ((rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        char country[3] = {0};
        if (key.len == 3)
            memcpy(country, key.data + 1, 2);
        rc = country[0] ? fn(country, ctx) : 0;
        if (rc)
            break;
    }
    ms_cursor_close(&cursor);
    return rc < 0 || rc > 1 ? rc : 0;
}
