//  resolve - fork resolutions applied, superseded branches kept as proof.
//
//  The forks table holds two kinds of entries, keyed by feed and seq:
//    'K' org NUL feed NUL seq (8 BE)          -> id kept at that seq (32)
//    'S' org NUL feed NUL seq (8 BE) id (32)  -> the superseded envelope
//  A roll-back reads everything it needs first (the superseded envelopes,
//  then the value each touched record had before the fork, from one pass
//  over the feed below the forked seq), copies it out of the transaction,
//  and only then writes: values borrowed from LMDB do not survive a write.
//  Called by accept (the resolution records it applies, and the superseded
//  check of rule 4) and by the CLI (listing, finding a branch).

#include "mutsync/resolve.h"

#include "mutsync/log.h"
#include "mutsync/quarantine.h"
#include "mutsync/replica.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FORK_KEY_MAX (1 + MS_FEED_KEY_MAX + 1 + 8 + MS_HASH_BYTES)

static size_t fork_key(char kind, const char *org, const char *feed, uint64_t seq,
                       const uint8_t *id, uint8_t *out)
{
    out[0] = (uint8_t)kind;
    size_t len = 1 + ms_feed_key(org, feed, out + 1);
    out[len++] = 0;
    ms_put_be64(out + len, seq);
    len += 8;
    if (id) {
        memcpy(out + len, id, MS_HASH_BYTES);
        len += MS_HASH_BYTES;
    }
    return len;
}

//  A change set of the branch being superseded, copied out.
typedef struct {
    uint64_t seq;
    uint8_t id[MS_HASH_BYTES];
    uint8_t *bytes;
    size_t len;
} loser_t;

//  A record the superseded branch wrote, and the value it had before.
typedef struct {
    ms_collection_t collection;
    char key[MS_KEY_MAX + 1];
    uint64_t seq;    //  of the change set that last wrote it before the fork; 0 if none
    uint8_t *value;  //  NULL: absent before the fork (or deleted)
    size_t len;      //
} touched_t;

typedef struct {
    loser_t *losers;
    size_t loser_count;
    touched_t *touched;
    size_t touched_count, touched_cap;
} rollback_t;

static void rollback_clear(rollback_t *r)
{
    for (size_t i = 0; i < r->loser_count; i++)
        free(r->losers[i].bytes);
    for (size_t i = 0; i < r->touched_count; i++)
        free(r->touched[i].value);
    free(r->losers);
    free(r->touched);
}

static int compare_touched(const void *a, const void *b)
{
    const touched_t *x = a, *y = b;
    if (x->collection != y->collection)
        return x->collection < y->collection ? -1 : 1;
    return strcmp(x->key, y->key);
}

//  Decodes envelope BYTES; *CS_P is NULL when it does not decode (a stored
//  envelope always does).
static int decode(const uint8_t *bytes, size_t len, ms_changeset_t **cs_p, ms_error_t *err)
{
    ms_envelope_t env;
    int rc = ms_envelope_decode(bytes, len, &env, err);
    if (rc == 0)
        rc = ms_changeset_decode(env.body, env.body_len, cs_p, err);
    ms_envelope_clear(&env);
    return rc;
}

static int add_touched(rollback_t *r, const ms_change_t *change, ms_error_t *err)
{
    if (r->touched_count == r->touched_cap) {
        size_t cap = r->touched_cap ? r->touched_cap * 2 : 64;
        touched_t *grown = realloc(r->touched, cap * sizeof *grown);
        if (!grown)
            return ms_error_set(err, MS_ENOMEM, "resolve", "no memory");
        r->touched = grown;
        r->touched_cap = cap;
    }
    touched_t *t = &r->touched[r->touched_count++];
    memset(t, 0, sizeof *t);
    t->collection = change->collection;
    snprintf(t->key, sizeof t->key, "%s", change->key);
    return 0;
}

//  Copies the change sets FROM..HEAD out and notes every record they touch.
static int read_losers(ms_txn_t *txn, const char *org, const char *feed, uint64_t from,
                       uint64_t head, rollback_t *r, ms_error_t *err)
{
    r->losers = calloc(head - from + 1, sizeof *r->losers);
    if (!r->losers)
        return ms_error_set(err, MS_ENOMEM, "resolve", "no memory");
    int rc = 0;
    for (uint64_t seq = from; rc == 0 && seq <= head; seq++) {
        loser_t *l = &r->losers[r->loser_count];
        ms_val_t bytes;
        rc = ms_replica_envelope(txn, org, feed, seq, l->id, &bytes, err);
        if (rc == 0 && !(l->bytes = malloc(bytes.len ? bytes.len : 1)))
            rc = ms_error_set(err, MS_ENOMEM, "resolve", "no memory");
        if (rc)
            break;
        memcpy(l->bytes, bytes.data, bytes.len);
        l->len = bytes.len;
        l->seq = seq;
        r->loser_count++;
        ms_changeset_t *cs = NULL;
        rc = decode(l->bytes, l->len, &cs, err);
        for (size_t i = 0; rc == 0 && i < cs->change_count; i++)
            rc = add_touched(r, &cs->changes[i], err);
        ms_changeset_destroy(&cs);
    }
    if (rc == 0 && r->touched_count) {
        qsort(r->touched, r->touched_count, sizeof *r->touched, compare_touched);
        size_t kept = 1;
        for (size_t i = 1; i < r->touched_count; i++)
            if (compare_touched(&r->touched[i], &r->touched[kept - 1]) != 0)
                r->touched[kept++] = r->touched[i];
        r->touched_count = kept;
    }
    return rc;
}

//  One pass over seqs 1..BEFORE-1: the last value each touched record had.
static int read_before(ms_txn_t *txn, const char *org, const char *feed, uint64_t before,
                       rollback_t *r, ms_error_t *err)
{
    int rc = 0;
    for (uint64_t seq = 1; rc == 0 && seq < before; seq++) {
        ms_val_t bytes;
        ms_changeset_t *cs = NULL;
        rc = ms_replica_envelope(txn, org, feed, seq, NULL, &bytes, err);
        if (rc == 0)
            rc = decode(bytes.data, bytes.len, &cs, err);
        for (size_t i = 0; rc == 0 && i < cs->change_count; i++) {
            const ms_change_t *change = &cs->changes[i];
            touched_t probe = {.collection = change->collection};
            snprintf(probe.key, sizeof probe.key, "%s", change->key);
            touched_t *t =
                bsearch(&probe, r->touched, r->touched_count, sizeof *r->touched, compare_touched);
            if (!t)
                continue;
            free(t->value);
            t->value = NULL;
            t->len = 0;
            t->seq = seq;
            if (change->op == MS_OP_DELETE)
                continue;
            if (!(t->value = malloc(change->value_len ? change->value_len : 1)))
                rc = ms_error_set(err, MS_ENOMEM, "resolve", "no memory");
            else
                memcpy(t->value, change->value, change->value_len);
            t->len = change->value_len;
        }
        ms_changeset_destroy(&cs);
    }
    return rc;
}

//  Puts every touched record back as it was before the fork, the hook first
//  (it reads the record being replaced, so the views move by the difference).
static int restore_records(ms_txn_t *txn, const char *org, const rollback_t *r,
                           const ms_apply_hook_t *hook, ms_error_t *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < r->touched_count; i++) {
        const touched_t *t = &r->touched[i];
        ms_change_t change = {t->collection, t->value ? MS_OP_UPSERT : MS_OP_DELETE, t->key,
                              t->value, t->len};
        if (hook && hook->fn)
            rc = hook->fn(txn, org, t->seq, &change, false, hook->ctx, err);
        if (rc == 0 && t->value)
            rc = ms_replica_put_record(txn, t->collection, org, t->key, t->seq, t->value, t->len,
                                       err);
        else if (rc == 0)
            rc = ms_replica_del_record(txn, t->collection, org, t->key, err);
    }
    return rc;
}

static int roll_back(ms_txn_t *txn, const char *org, const char *feed, uint64_t from,
                     const ms_head_t *head, const ms_apply_hook_t *hook, ms_error_t *err)
{
    rollback_t r = {0};
    int rc = read_losers(txn, org, feed, from, head->seq, &r, err);
    if (rc == 0)
        rc = read_before(txn, org, feed, from, &r, err);
    for (size_t i = 0; rc == 0 && i < r.loser_count; i++) {
        uint8_t key[FORK_KEY_MAX];
        const loser_t *l = &r.losers[i];
        rc = ms_txn_put(txn, MS_TABLE_FORKS, key, fork_key('S', org, feed, l->seq, l->id, key),
                        l->bytes, l->len, 0, err);
        if (rc == 0)
            rc = ms_replica_del_envelope(txn, org, feed, l->seq, err);
    }
    if (rc == 0)
        rc = restore_records(txn, org, &r, hook, err);
    ms_head_t back = {.seq = from - 1, .frozen = false};
    ms_val_t bytes;
    if (rc == 0 && from > 1)
        rc = ms_replica_envelope(txn, org, feed, from - 1, back.hash, &bytes, err);
    if (rc == 0)
        rc = ms_replica_set_head(txn, org, feed, &back, err);
    if (rc == 0)
        ms_log(MS_LOG_WARN, "resolve",
               "%s/%s: the fork at seq %llu was resolved for another branch: %zu change sets "
               "superseded (kept as proof, %zu records put back), head back at %llu",
               org, feed, (unsigned long long)from, r.loser_count, r.touched_count,
               (unsigned long long)back.seq);
    rollback_clear(&r);
    return rc;
}

int ms_resolve_apply(ms_txn_t *txn, const char *org, const ms_resolution_t *resolution,
                     const ms_apply_hook_t *hook, uint64_t *rolled_back, ms_error_t *err)
{
    if (rolled_back)
        *rolled_back = 0;
    uint8_t key[FORK_KEY_MAX];
    int rc = ms_txn_put(txn, MS_TABLE_FORKS, key,
                        fork_key('K', org, resolution->feed, resolution->seq, NULL, key),
                        resolution->keep, MS_HASH_BYTES, 0, err);
    ms_head_t head;
    if (rc == 0)
        rc = ms_replica_head(txn, org, resolution->feed, &head, err);
    if (rc || head.seq < resolution->seq)
        return rc;
    uint8_t held[MS_HASH_BYTES];
    ms_val_t bytes;
    rc = ms_replica_envelope(txn, org, resolution->feed, resolution->seq, held, &bytes, err);
    if (rc)
        return rc;
    if (memcmp(held, resolution->keep, MS_HASH_BYTES) == 0) {
        if (head.frozen)
            ms_log(MS_LOG_INFO, "resolve",
                   "%s/%s: the fork at seq %llu was resolved for the "
                   "branch held here: the feed goes on",
                   org, resolution->feed, (unsigned long long)resolution->seq);
        head.frozen = false;
        return ms_replica_set_head(txn, org, resolution->feed, &head, err);
    }
    if (rolled_back)
        *rolled_back = head.seq - resolution->seq + 1;
    return roll_back(txn, org, resolution->feed, resolution->seq, &head, hook, err);
}

int ms_resolve_superseded(ms_txn_t *txn, const ms_changeset_t *cs, const uint8_t *id,
                          bool *superseded, ms_error_t *err)
{
    *superseded = false;
    uint8_t key[FORK_KEY_MAX];
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_FORKS, key,
                        fork_key('K', cs->origin, cs->feed, cs->seq, NULL, key), &val, err);
    if (rc == 0) {
        *superseded = val.len != MS_HASH_BYTES || memcmp(val.data, id, MS_HASH_BYTES) != 0;
        return 0;
    }
    if (rc != MS_ENOTFOUND || cs->seq < 2)
        return rc == MS_ENOTFOUND ? 0 : rc;
    rc = ms_txn_get(txn, MS_TABLE_FORKS, key,
                    fork_key('S', cs->origin, cs->feed, cs->seq - 1, cs->prev, key), &val, err);
    *superseded = rc == 0;
    return rc == MS_ENOTFOUND ? 0 : rc;
}

int ms_resolve_keep(ms_txn_t *txn, const ms_changeset_t *cs, const uint8_t *id,
                    const uint8_t *bytes, size_t len, ms_error_t *err)
{
    uint8_t key[FORK_KEY_MAX];
    return ms_txn_put(txn, MS_TABLE_FORKS, key,
                      fork_key('S', cs->origin, cs->feed, cs->seq, id, key), bytes, len, 0, err);
}

int ms_resolve_lost(ms_txn_t *txn, const char *org, const char *feed, uint64_t seq,
                    const uint8_t *id, bool *lost, ms_error_t *err)
{
    *lost = false;
    uint8_t key[FORK_KEY_MAX];
    ms_val_t val;
    int rc =
        ms_txn_get(txn, MS_TABLE_FORKS, key, fork_key('K', org, feed, seq, NULL, key), &val, err);
    if (rc == 0) {
        *lost = val.len != MS_HASH_BYTES || memcmp(val.data, id, MS_HASH_BYTES) != 0;
        return 0;
    }
    if (rc != MS_ENOTFOUND)
        return rc;
    rc = ms_txn_get(txn, MS_TABLE_FORKS, key, fork_key('S', org, feed, seq, id, key), &val, err);
    *lost = rc == 0;
    return rc == MS_ENOTFOUND ? 0 : rc;
}

typedef struct {
    const char *org, *feed;
    uint64_t seq;
    const uint8_t *id;
    bool found;
} claim_t;

static int same_claim(const ms_quarantine_entry_t *entry, void *ctx)
{
    claim_t *c = ctx;
    c->found = entry->reason == MS_REFUSAL_EQUIVOCATION && entry->seq == c->seq &&
               strcmp(entry->origin, c->org) == 0 && strcmp(entry->feed, c->feed) == 0 &&
               memcmp(entry->id, c->id, MS_HASH_BYTES) == 0;
    return c->found ? 1 : 0;
}

int ms_resolve_note_claim(ms_txn_t *txn, const char *org, const char *feed, uint64_t seq,
                          const uint8_t *id, const char *source, ms_error_t *err)
{
    claim_t c = {org, feed, seq, id, false};
    int rc = ms_quarantine_list(txn, same_claim, &c, err);
    if (rc || c.found)
        return rc;
    ms_quarantine_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.when = (int64_t)time(NULL);
    entry.reason = MS_REFUSAL_EQUIVOCATION;
    snprintf(entry.origin, sizeof entry.origin, "%s", org);
    snprintf(entry.feed, sizeof entry.feed, "%s", feed);
    entry.seq = seq;
    memcpy(entry.id, id, MS_HASH_BYTES);
    entry.change = -1;
    snprintf(entry.detail, sizeof entry.detail,
             "%s holds this change set at seq %llu, this node another: a fork (the child's word; "
             "its change set has not arrived)",
             org, (unsigned long long)seq);
    snprintf(entry.source, sizeof entry.source, "%s", source);
    return ms_quarantine_add(txn, &entry, NULL, err);
}

//  Reads an 'S' key back; false when it is not one.
static bool parse_superseded(const ms_val_t *key, ms_superseded_t *out)
{
    const uint8_t *p = key->data, *end = p + key->len;
    memset(out, 0, sizeof *out);
    if (key->len < 1 + 1 + 1 + 8 + MS_HASH_BYTES || p[0] != 'S')
        return false;
    const uint8_t *org = p + 1, *nul = memchr(org, 0, (size_t)(end - org));
    if (!nul || (size_t)(nul - org) > MS_ORG_MAX)
        return false;
    const uint8_t *feed = nul + 1, *tail = end - 8 - MS_HASH_BYTES;
    if (tail < feed + 1 || tail[-1] != 0 || (size_t)(tail - 1 - feed) > MS_FEED_NAME_MAX)
        return false;
    memcpy(out->org, org, (size_t)(nul - org));
    memcpy(out->feed, feed, (size_t)(tail - 1 - feed));
    out->seq = ms_get_be64(tail);
    memcpy(out->id, tail + 8, MS_HASH_BYTES);
    return true;
}

int ms_resolve_list(ms_txn_t *txn, const char *org, ms_superseded_fn fn, void *ctx, ms_error_t *err)
{
    uint8_t prefix[1 + MS_ORG_MAX + 1];
    size_t prefix_len = 1;
    prefix[0] = 'S';
    if (org) {
        size_t len = strnlen(org, MS_ORG_MAX);
        memcpy(prefix + 1, org, len);
        prefix[1 + len] = 0;
        prefix_len += len + 1;
    }
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_FORKS, prefix, prefix_len, &cursor, err);
    ms_val_t key, val;
    while (rc == 0 && (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        ms_superseded_t entry;
        rc = 0;
        if (!parse_superseded(&key, &entry))
            continue;
        entry.size = val.len;
        rc = fn(&entry, ctx);
    }
    ms_cursor_close(&cursor);
    return rc < 0 ? rc : rc == 1 ? 0 : rc;
}

typedef struct {
    ms_txn_t *txn;
    const char *org, *feed;
    const uint8_t *keep;
    uint64_t seq;  //  found, or 0
    ms_error_t *err;
} find_t;

static int find_fn(const ms_quarantine_entry_t *entry, void *ctx)
{
    find_t *f = ctx;
    if (entry->reason != MS_REFUSAL_EQUIVOCATION || strcmp(entry->origin, f->org) != 0 ||
        strcmp(entry->feed, f->feed) != 0)
        return 0;
    uint8_t held[MS_HASH_BYTES];
    ms_val_t bytes;
    bool is_held =
        ms_replica_envelope(f->txn, f->org, f->feed, entry->seq, held, &bytes, NULL) == 0 &&
        memcmp(held, f->keep, MS_HASH_BYTES) == 0;
    if (is_held || memcmp(entry->id, f->keep, MS_HASH_BYTES) == 0) {
        f->seq = entry->seq;
        return 1;
    }
    return 0;
}

int ms_resolve_find(ms_txn_t *txn, const char *org, const char *feed, const uint8_t *keep,
                    uint64_t *seq, ms_error_t *err)
{
    find_t f = {txn, org, feed, keep, 0, err};
    *seq = 0;
    int rc = ms_quarantine_list(txn, find_fn, &f, err);
    if (rc < 0)
        return rc;
    if (!f.seq)
        return MS_ENOTFOUND;
    *seq = f.seq;
    return 0;
}
