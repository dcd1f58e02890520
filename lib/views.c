//  views - the apply hook, the first build, rebuilds and publication.
//
//  DESIGN. ms_views_attach installs the hook through which accept hands
//  every applied change to the views, inside its write transaction, with
//  the record it replaces still in the store: the node's own registers go
//  to the tally (tally.h), reports to viewreport.h (judged, held or
//  counted), org cards to the subtree (viewtree.h) and the inventory
//  (inventory.h). The hook notes the last seq it saw of each feed, so that
//  attach can tell when change sets went by without it and rebuild; a
//  rebuild recomputes everything from the stored records, so the views
//  are always what the records say.
//
//  Keys in MS_TABLE_VIEWS: "C" cells (viewcell.c), "M" ancestor NUL org
//  (subtree membership) and "N" country (viewtree.c), "F" held reports
//  (viewreport.c), "I" and "J" inventory (inventory.c), "H" feed -> last
//  seq seen, the one-byte key "M" (an org moved: rebuild), "V" layout
//  version.

#include "mutsync/views.h"

#include "mutsync/inventory.h"
#include "mutsync/log.h"
#include "mutsync/replica.h"
#include "mutsync/reports.h"
#include "mutsync/tally.h"
#include "mutsync/trust.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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
        ms_viewreport_fate_t fate;
        char detail[256];
        rc = ms_viewreport_apply(node, txn, owner, change, now, &fate, detail, sizeof detail, err);
        if (rc == 0 && stats)
            *(fate == MS_VIEWREPORT_COUNTED ? &stats->reports
              : fate == MS_VIEWREPORT_HELD  ? &stats->held
              : fate == MS_VIEWREPORT_ASIDE ? &stats->set_aside
                                            : &stats->ignored) += 1;
        else if (rc == 0 && fate == MS_VIEWREPORT_ASIDE)
            ms_log(MS_LOG_WARN, "views", "%s: not counted: %s", owner, detail);
    }
    if (rc == 0 && change->collection == MS_COLL_ORG) {
        ms_cell_target_t t;
        rc = ms_viewtree_target(node, txn, owner, &t, err);
        ms_org_t card;
        bool mutual = change->op == MS_OP_UPSERT &&
                      ms_org_decode(change->value, change->value_len, &card, NULL) == 0 &&
                      card.role == MS_ROLE_MUTUAL;
        if (rc == 0)
            rc = ms_viewtree_note(txn, &t, mutual, err);
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
//  record about to be replaced is still in the store (none when FRESH).
static int on_apply(ms_txn_t *txn, const char *owner, uint64_t seq, const ms_change_t *change,
                    bool fresh, void *ctx, ms_error_t *err)
{
    (void)seq;
    ms_node_t *node = ctx;
    if (change->collection == MS_COLL_CERT)
        return note_move(txn, change, err);
    //  A child this node released counts here no more (ms_views_lineage).
    if (change->collection == MS_COLL_RELEASE && change->op == MS_OP_UPSERT &&
        strcmp(owner, ms_node_identity(node)->org) == 0)
        return ms_txn_put(txn, MS_TABLE_VIEWS, MOVED_KEY, 1, "1", 1, 0, err);
    if (strcmp(owner, ms_node_identity(node)->org) != 0 && change->collection != MS_COLL_REPORT &&
        change->collection != MS_COLL_ORG)
        return 0;
    ms_stored_record_t held;
    int rc = fresh ? MS_ENOTFOUND
                   : ms_replica_record(txn, change->collection, owner, change->key, &held, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    return apply_change(node, txn, owner, change, rc == 0 ? &held : NULL, (int64_t)time(NULL), NULL,
                        err);
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
    return ms_reports_publish(p->node, txn, (int64_t)time(NULL), &p->count, err);
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
