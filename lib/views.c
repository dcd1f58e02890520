//  views - the apply hook, reports judged, held or counted, and rebuilds.
//
//  DESIGN. accept asks ms_views_check about each change before writing it
//  (a report that breaks a value rule is set aside), then calls on_apply
//  with the record it replaces still in the store, inside the write
//  transaction. A report sets the reporting org's own cell for the month
//  its key names (viewcell.h moves everything above by the difference):
//  to its figures when they may be counted (judged again here, so a store
//  written by a replica that skipped the check still counts nothing bad)
//  and its month has come; to nothing otherwise. A report more than one
//  month ahead of this node's clock is held ("F" keys) and counted when
//  the node is next opened in or after the month before it. The views are
//  thus always what ms_views_rebuild computes from the stored records.
//
//  Keys in MS_TABLE_VIEWS: "C" cells (viewcell.c), "M" ancestor NUL org
//  (subtree membership), "N" country, "I" inventory, "H" feed -> last seq
//  seen, "F" month owner NUL key (held reports), "V" layout version.

#include "mutsync/views.h"

#include "mutsync/i18n.h"
#include "mutsync/inventory.h"
#include "mutsync/log.h"
#include "mutsync/replica.h"
#include "mutsync/tally.h"
#include "mutsync/trust.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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
//  Cells and the subtree

int ms_views_cell(ms_txn_t *txn, const char *scope, const ms_period_t *period,
                  const char *indicator, ms_cell_t *cell, ms_error_t *err)
{
    char text[MS_PERIOD_TEXT_BYTES];
    ms_period_format(period, text);
    return ms_viewcell_get(txn, scope, text, indicator, cell, err);
}

//  Records ORG (PATH[0]) as a member of each subtree on its path, and its
//  country among those the views show when WITH_COUNTRY (a reporting org).
static int note_member(ms_txn_t *txn, const ms_cell_target_t *t, bool with_country, ms_error_t *err)
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

static int target_of(ms_node_t *node, ms_txn_t *txn, const char *org, ms_cell_target_t *t,
                     ms_error_t *err)
{
    memset(t, 0, sizeof *t);
    return ms_views_lineage(txn, ms_node_identity(node)->org, org, t->path, &t->depth, t->country,
                            err);
}

//  ---------------------------------------------------------------------------
//  Reports: judged, held while their month is ahead, counted.

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

uint32_t ms_views_count_limit(int64_t now)
{
    return ms_month_next(ms_month_of_date((int32_t)(now / 86400)));
}

typedef enum { R_NONE, R_COUNTED, R_HELD, R_ASIDE } report_fate_t;

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

//  Moves the cells by the report change CHANGE of OWNER at NOW: the cell its
//  key names takes the new report's figures when they may be counted and
//  its month has come, and nothing otherwise (the report it replaces is
//  taken back by the same difference). *FATE says which; DETAIL (CAP
//  bytes) why a report was set aside.
static int report_apply(ms_node_t *node, ms_txn_t *txn, const char *owner,
                        const ms_change_t *change, int64_t now, report_fate_t *fate, char *detail,
                        size_t cap, ms_error_t *err)
{
    *fate = R_NONE;
    detail[0] = 0;
    uint32_t month;
    char code[MS_CODE_MAX + 1], disaggregation[MS_CODE_MAX + 1];
    if (ms_report_key_parse(change->key, &month, code, disaggregation) != 0) {
        *fate = change->op == MS_OP_UPSERT ? R_ASIDE : R_NONE;
        snprintf(detail, cap, _("report key \"%s\" is not YYYY-MM|indicator|disaggregation"),
                 change->key);
        return 0;
    }
    if (disaggregation[0])
        return 0;  //  kept; the views count totals only
    ms_cell_target_t t;
    int rc = target_of(node, txn, owner, &t, err);
    if (rc)
        return rc == MS_ENOTFOUND ? 0 : rc;
    const char *root = ms_node_identity(node)->root;
    ms_report_t report;
    bool has = false;
    if (change->op == MS_OP_UPSERT) {
        if ((rc = judge_upsert(txn, root, change, &report, detail, cap, err)) < 0)
            return rc;
        has = rc == 0;
        *fate = has ? R_COUNTED : R_ASIDE;
        rc = 0;
    }
    uint8_t held[HELD_KEY_MAX];
    size_t held_len = held_key(month, owner, change->key, held);
    rc = ms_txn_del(txn, MS_TABLE_VIEWS, held, held_len, err);
    if (rc == 0 && has && month > ms_views_count_limit(now)) {
        rc = ms_txn_put(txn, MS_TABLE_VIEWS, held, held_len, "", 0, 0, err);
        has = false;
        *fate = R_HELD;
    }
    if (rc == 0)
        rc = note_member(txn, &t, true, err);
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

int ms_views_check_report(ms_txn_t *txn, const char *root, const ms_change_t *change, char *detail,
                          size_t cap, ms_error_t *err)
{
    if (cap)
        detail[0] = 0;
    if (change->collection != MS_COLL_REPORT || change->op != MS_OP_UPSERT)
        return 0;
    ms_report_t report;
    return judge_upsert(txn, root, change, &report, detail, cap, err);
}

int ms_views_check(ms_txn_t *txn, const char *owner, const ms_change_t *change, void *ctx,
                   char *detail, size_t cap, ms_error_t *err)
{
    (void)owner;
    ms_node_t *node = ctx;
    return ms_views_check_report(txn, ms_node_identity(node)->root, change, detail, cap, err);
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

typedef struct {
    ms_node_t *node;
    int64_t now;
    ms_views_rebuilt_t stats;
} rebuild_t;

//  An org that moved (a certificate naming another parent than the one
//  held) changes which subtree every one of its periods counts in: the
//  views follow the current hierarchy, as DHIS2 does, so they are rebuilt
//  once the change set has been applied (trust then names the new parent).
#define MOVED_KEY "M"

static int note_move(ms_txn_t *txn, const ms_change_t *change, ms_error_t *err)
{
    ms_cert_t cert;
    ms_trust_entry_t held;
    if (change->op != MS_OP_UPSERT ||
        ms_cert_decode(change->value, change->value_len, &cert, NULL) != 0)
        return 0;
    int rc = ms_trust_get(txn, change->key, &held, err);
    if (rc == MS_ENOTFOUND || (rc == 0 && strcmp(held.cert.parent, cert.parent) == 0))
        return 0;
    return rc ? rc : ms_txn_put(txn, MS_TABLE_VIEWS, MOVED_KEY, 1, "1", 1, 0, err);
}

static int rebuild(ms_txn_t *txn, void *arg, ms_error_t *err);

static int on_applied(ms_txn_t *txn, const char *origin, const char *feed, uint64_t seq, void *ctx,
                      ms_error_t *err)
{
    ms_node_t *node = ctx;
    int rc = seen_put(txn, origin, feed, seq, err);
    ms_val_t val;
    if (rc == 0 && ms_txn_get(txn, MS_TABLE_VIEWS, MOVED_KEY, 1, &val, NULL) == 0) {
        ms_log(MS_LOG_INFO, "views", "an org moved (%s/%s seq=%llu): rebuilding the views", origin,
               feed, (unsigned long long)seq);
        rebuild_t r = {node, (int64_t)time(NULL), {0}};
        rc = ms_txn_del(txn, MS_TABLE_VIEWS, MOVED_KEY, 1, err);
        if (rc == 0)
            rc = rebuild(txn, &r, err);
    }
    return rc;
}

//  Moves the counters, views and inventory by CHANGE, which replaces OLD
//  (NULL: a new record), at NOW. STATS (NULL in the hook) counts what
//  happened to reports; without it a report not counted for its figures
//  is logged, as accept's check should have set it aside.
static int apply_change(ms_node_t *node, ms_txn_t *txn, const char *owner,
                        const ms_change_t *change, const ms_stored_record_t *old, int64_t now,
                        ms_views_rebuilt_t *stats, ms_error_t *err)
{
    int rc = 0;
    if (strcmp(owner, ms_node_identity(node)->org) == 0)
        rc = ms_tally_apply(node, txn, change, old, now, err);
    if (rc == 0 && change->collection == MS_COLL_REPORT) {
        report_fate_t fate;
        char detail[256];
        rc = report_apply(node, txn, owner, change, now, &fate, detail, sizeof detail, err);
        if (rc == 0 && stats)
            *(fate == R_COUNTED ? &stats->reports
              : fate == R_HELD  ? &stats->held
              : fate == R_ASIDE ? &stats->set_aside
                                : &stats->ignored) += 1;
        else if (rc == 0 && fate == R_ASIDE)
            ms_log(MS_LOG_WARN, "views", "%s: not counted: %s", owner, detail);
    }
    if (rc == 0 && change->collection == MS_COLL_ORG) {
        ms_cell_target_t t;
        rc = target_of(node, txn, owner, &t, err);
        ms_org_t card;
        bool mutual = change->op == MS_OP_UPSERT &&
                      ms_org_decode(change->value, change->value_len, &card, NULL) == 0 &&
                      card.role == MS_ROLE_MUTUAL;
        if (rc == 0)
            rc = note_member(txn, &t, mutual, err);
        if (rc == 0)
            rc = ms_inventory_apply(node, txn, owner, change, old, err);
        if (rc == 0 && stats)
            stats->cards++;
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
    if (change->collection == MS_COLL_CERT)
        return note_move(txn, change, err);
    if (strcmp(owner, ms_node_identity(node)->org) != 0 && change->collection != MS_COLL_REPORT &&
        change->collection != MS_COLL_ORG)
        return 0;
    ms_stored_record_t held;
    int rc = ms_replica_record(txn, change->collection, owner, change->key, &held, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    return apply_change(node, txn, owner, change, rc == 0 ? &held : NULL, (int64_t)time(NULL), NULL,
                        err);
}

//  ---------------------------------------------------------------------------
//  Held reports: counted once their month comes.

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
                report_fate_t fate;
                char detail[256];
                rc = report_apply(p->node, txn, owner, &change, p->now, &fate, detail,
                                  sizeof detail, err);
                p->count += rc == 0 && fate == R_COUNTED;
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

//  ---------------------------------------------------------------------------
//  Attaching: the hook, the first build, pending publications.

typedef struct {
    ms_node_t *node;
    ms_txn_t *txn;
    ms_collection_t collection;
    int64_t now;
    ms_views_rebuilt_t *stats;
    int rc;
    ms_error_t *err;
} build_t;

static int build_one(const char *owner, const char *key, const ms_stored_record_t *record,
                     void *arg)
{
    build_t *b = arg;
    ms_change_t change = {b->collection, MS_OP_UPSERT, key, record->value, record->value_len};
    b->rc = apply_change(b->node, b->txn, owner, &change, NULL, b->now, b->stats, b->err);
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
#define VIEW_KEY_MAX 512  //  bytes in any key of the table (LMDB's limit is 511)

static int clear_views(ms_txn_t *txn, ms_error_t *err)
{
    enum { CHUNK = 1000 };
    static uint8_t keys[CHUNK][VIEW_KEY_MAX];
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

//  Builds the views from the stored records at NOW. FULL: the first build,
//  which also runs the node's own registers through the tally; otherwise
//  the views are rebuilt from org cards and reports only (the tally's
//  history, such as when a member left, is kept).
static int build_from_records(ms_node_t *node, ms_txn_t *txn, bool full, int64_t now,
                              ms_views_rebuilt_t *stats, ms_error_t *err)
{
    static const ms_collection_t order[] = {MS_COLL_ORG,   MS_COLL_MEMBER,    MS_COLL_CONTRIBUTION,
                                            MS_COLL_CLAIM, MS_COLL_COMPLAINT, MS_COLL_REPORT};
    build_t b = {node, txn, MS_COLL_NONE, now, stats, 0, err};
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
    rebuild_t *r = arg;
    memset(&r->stats, 0, sizeof r->stats);
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_VIEWS, "V", 1, &val, err);
    return rc == MS_ENOTFOUND ? build_from_records(r->node, txn, true, r->now, &r->stats, err) : rc;
}

static int rebuild(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    rebuild_t *r = arg;
    memset(&r->stats, 0, sizeof r->stats);
    int rc = clear_views(txn, err);
    return rc ? rc : build_from_records(r->node, txn, false, r->now, &r->stats, err);
}

int ms_views_rebuild(ms_node_t *node, int64_t now, ms_views_rebuilt_t *out, ms_error_t *err)
{
    rebuild_t r = {node, now, {0}};
    int rc = ms_store_write(ms_node_store(node), rebuild, &r, err);
    if (out)
        *out = rc == 0 ? r.stats : (ms_views_rebuilt_t){0};
    return rc;
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

//  Whether the views were built (*BUILT), with this layout (*CURRENT).
static int views_version(ms_txn_t *txn, bool *built, bool *current, ms_error_t *err)
{
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_VIEWS, "V", 1, &val, err);
    *built = rc == 0;
    *current = rc == 0 && val.len == strlen(MS_VIEWS_VERSION) &&
               memcmp(val.data, MS_VIEWS_VERSION, val.len) == 0;
    return rc == MS_ENOTFOUND ? 0 : rc;
}

static int publish_pending(ms_node_t *node, void *ctx, ms_error_t *err)
{
    (void)ctx;
    return ms_views_publish(node, NULL, err);
}

int ms_views_attach(ms_node_t *node, ms_error_t *err)
{
    ms_apply_hook_t hook = {on_apply, on_applied, node, ms_views_check};
    ms_node_set_hook(node, &hook);
    ms_node_set_publisher(node, publish_pending, NULL);
    ms_txn_t *txn;
    uint64_t published = 0;
    bool built = false, current = false;
    const ms_identity_t *id = ms_node_identity(node);
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    if (rc == 0)
        rc = views_version(txn, &built, &current, err);
    if (rc == 0 && id->role == MS_ROLE_SECRETARIAT)
        rc = ms_replica_record_count(txn, MS_COLL_INDICATOR, id->org, &published, err);
    ms_txn_abort(&txn);
    if (rc)
        return rc;
    rebuild_t r = {node, (int64_t)time(NULL), {0}};
    if (!built)
        rc = ms_store_write(ms_node_store(node), build, &r, err);
    bool behind = false;
    if (rc == 0 && built && current && (rc = ms_store_read(ms_node_store(node), &txn, err)) == 0) {
        heads_t h = {txn, err, 0};
        rc = ms_replica_feeds(txn, lagging, &h, err);
        behind = rc == BEHIND;
        rc = rc == BEHIND ? h.rc : rc;
        ms_txn_abort(&txn);
    }
    if (rc == 0 && behind)
        ms_log(MS_LOG_WARN, "views",
               "%s: change sets were applied without the views hook (a program that writes "
               "must call ms_views_attach); rebuilding the views from the records",
               id->org);
    else if (rc == 0 && built && !current)
        ms_log(MS_LOG_INFO, "views", "%s: views written by an older layout; rebuilding them",
               id->org);
    if (rc == 0 && built && (behind || !current))
        rc = ms_store_write(ms_node_store(node), rebuild, &r, err);
    if (rc == 0)
        rc = ms_views_promote(node, r.now, NULL, err);
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
