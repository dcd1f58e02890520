//  quarantine - bounded entries and per-source counters.
//
//  Entries: number(8 BE) -> when(8) reason(4) seq(8) id(32) size(8)
//  change(4) then length-prefixed origin, feed, detail, source, kept bytes.
//  Counters live in the index table under "q\0": "q\0next" the next entry
//  number (numbers are never reused, even after a purge), and
//  "q\0s\0SOURCE" -> kept(8) proofs(8) dropped(8).

#include "mutsync/quarantine.h"

#include "mutsync/policy.h"
#include "mutsync/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTER_PREFIX "q\0s\0"
#define COUNTER_PREFIX_LEN 4
#define NEXT_KEY "q\0next"
#define NEXT_KEY_LEN 6

typedef struct {
    uint64_t kept, proofs, dropped;
} counters_t;

static size_t counter_key(const char *source, uint8_t *out)
{
    size_t len = strnlen(source, 63);
    memcpy(out, COUNTER_PREFIX, COUNTER_PREFIX_LEN);
    memcpy(out + COUNTER_PREFIX_LEN, source, len);
    return COUNTER_PREFIX_LEN + len;
}

static int get_counters(ms_txn_t *txn, const char *source, counters_t *c, ms_error_t *err)
{
    memset(c, 0, sizeof *c);
    uint8_t key[COUNTER_PREFIX_LEN + 64];
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_INDEX, key, counter_key(source, key), &val, err);
    if (rc == 0 && val.len == 24) {
        c->kept = ms_get_be64(val.data);
        c->proofs = ms_get_be64(val.data + 8);
        c->dropped = ms_get_be64(val.data + 16);
    }
    return rc == MS_ENOTFOUND ? 0 : rc;
}

static int put_counters(ms_txn_t *txn, const char *source, const counters_t *c, ms_error_t *err)
{
    uint8_t key[COUNTER_PREFIX_LEN + 64], value[24];
    ms_put_be64(value, c->kept);
    ms_put_be64(value + 8, c->proofs);
    ms_put_be64(value + 16, c->dropped);
    return ms_txn_put(txn, MS_TABLE_INDEX, key, counter_key(source, key), value, sizeof value, 0,
                      err);
}

static uint8_t *put_text(uint8_t *p, const char *text)
{
    size_t len = strnlen(text, 255);
    *p++ = (uint8_t)len;
    memcpy(p, text, len);
    return p + len;
}

static const uint8_t *get_text(const uint8_t *p, const uint8_t *end, char *out, size_t cap)
{
    if (!p || p >= end || (size_t)(end - p - 1) < *p || *p >= cap)
        return NULL;
    memcpy(out, p + 1, *p);
    out[*p] = 0;
    return p + 1 + *p;
}

//  What is kept of the refused bytes: the proof of a fork whole, nothing
//  of a feed that carries personal data, else a short prefix.
static size_t kept_bytes(const ms_quarantine_entry_t *entry, bool proof)
{
    if (proof)
        return entry->envelope_len;
    ms_feed_kind_t kind = ms_policy_kind(entry->feed);
    if (kind == MS_FEED_REGISTER || kind == MS_FEED_CARE)
        return 0;
    return entry->envelope_len < MS_QUARANTINE_PREFIX_BYTES ? entry->envelope_len
                                                            : MS_QUARANTINE_PREFIX_BYTES;
}

static int next_number(ms_txn_t *txn, uint64_t *number, ms_error_t *err)
{
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_INDEX, NEXT_KEY, NEXT_KEY_LEN, &val, err);
    *number = rc == 0 && val.len == 8 ? ms_get_be64(val.data) : 1;
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    uint8_t next[8];
    ms_put_be64(next, *number + 1);
    return ms_txn_put(txn, MS_TABLE_INDEX, NEXT_KEY, NEXT_KEY_LEN, next, sizeof next, 0, err);
}

int ms_quarantine_add(ms_txn_t *txn, const ms_quarantine_entry_t *entry, bool *kept,
                      ms_error_t *err)
{
    if (kept)
        *kept = false;
    counters_t c;
    uint64_t total = 0;
    int rc = get_counters(txn, entry->source, &c, err);
    if (rc == 0)
        rc = ms_txn_count(txn, MS_TABLE_QUARANTINE, &total, err);
    if (rc)
        return rc;
    bool proof = entry->reason == MS_REFUSAL_EQUIVOCATION && c.proofs < MS_QUARANTINE_PROOFS_MAX;
    if (c.kept >= MS_QUARANTINE_SOURCE_MAX || total >= MS_QUARANTINE_MAX) {
        c.dropped++;
        return put_counters(txn, entry->source, &c, err);
    }
    size_t keep = kept_bytes(entry, proof);
    uint8_t *value = malloc(8 + 4 + 8 + MS_HASH_BYTES + 8 + 4 + 4 * 256 + 4 + keep);
    if (!value)
        return ms_error_set(err, MS_ENOMEM, "quarantine", "no memory");
    uint8_t *p = value;
    ms_put_be64(p, (uint64_t)entry->when);
    p += 8;
    for (int i = 3; i >= 0; i--)
        *p++ = (uint8_t)((uint32_t)entry->reason >> (8 * i));
    ms_put_be64(p, entry->seq);
    p += 8;
    memcpy(p, entry->id, MS_HASH_BYTES);
    p += MS_HASH_BYTES;
    ms_put_be64(p, entry->size ? entry->size : entry->envelope_len);
    p += 8;
    for (int i = 3; i >= 0; i--)
        *p++ = (uint8_t)((uint32_t)entry->change >> (8 * i));
    p = put_text(p, entry->origin);
    p = put_text(p, entry->feed);
    p = put_text(p, entry->detail);
    p = put_text(p, entry->source);
    for (int i = 3; i >= 0; i--)
        *p++ = (uint8_t)((uint32_t)keep >> (8 * i));
    if (keep)
        memcpy(p, entry->envelope, keep);
    p += keep;
    uint64_t number = 0;
    uint8_t key[8];
    rc = next_number(txn, &number, err);
    ms_put_be64(key, number);
    if (rc == 0)
        rc = ms_txn_put(txn, MS_TABLE_QUARANTINE, key, sizeof key, value, (size_t)(p - value),
                        MS_PUT_APPEND, err);
    free(value);
    c.kept++;
    c.proofs += proof;
    if (rc == 0)
        rc = put_counters(txn, entry->source, &c, err);
    if (rc == 0 && kept)
        *kept = true;
    return rc;
}

static int decode(const ms_val_t *key, const ms_val_t *val, ms_quarantine_entry_t *entry)
{
    memset(entry, 0, sizeof *entry);
    const uint8_t *p = val->data, *end = val->data + val->len;
    const size_t fixed = 8 + 4 + 8 + MS_HASH_BYTES + 8 + 4;
    if (key->len != 8 || val->len < fixed)
        return -1;
    entry->number = ms_get_be64(key->data);
    entry->when = (int64_t)ms_get_be64(p);
    entry->reason =
        (int)((uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11]);
    entry->seq = ms_get_be64(p + 12);
    memcpy(entry->id, p + 20, MS_HASH_BYTES);
    entry->size = ms_get_be64(p + 20 + MS_HASH_BYTES);
    const uint8_t *c = p + 28 + MS_HASH_BYTES;
    entry->change =
        (int32_t)((uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3]);
    p += fixed;
    p = get_text(p, end, entry->origin, sizeof entry->origin);
    p = get_text(p, end, entry->feed, sizeof entry->feed);
    p = get_text(p, end, entry->detail, sizeof entry->detail);
    p = get_text(p, end, entry->source, sizeof entry->source);
    if (!p || end - p < 4)
        return -1;
    entry->envelope_len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    entry->envelope = p + 4;
    return entry->envelope_len > (size_t)(end - p - 4) ? -1 : 0;
}

int ms_quarantine_list(ms_txn_t *txn, ms_quarantine_fn fn, void *ctx, ms_error_t *err)
{
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_QUARANTINE, NULL, 0, &cursor, err);
    ms_val_t key, val;
    while (rc == 0 && (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        ms_quarantine_entry_t entry;
        rc = decode(&key, &val, &entry) == 0 ? fn(&entry, ctx) : 0;
    }
    ms_cursor_close(&cursor);
    return rc < 0 || rc > 1 ? rc : 0;
}

int ms_quarantine_dropped(ms_txn_t *txn, ms_quarantine_dropped_fn fn, void *ctx, ms_error_t *err)
{
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_INDEX, COUNTER_PREFIX, COUNTER_PREFIX_LEN, &cursor, err);
    ms_val_t key, val;
    while (rc == 0 && (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        rc = 0;
        char source[64] = "";
        size_t len = key.len - COUNTER_PREFIX_LEN;
        if (len >= sizeof source || val.len != 24 || !ms_get_be64(val.data + 16))
            continue;
        memcpy(source, (const uint8_t *)key.data + COUNTER_PREFIX_LEN, len);
        rc = fn(source, ms_get_be64(val.data + 16), ctx);
    }
    ms_cursor_close(&cursor);
    return rc < 0 || rc > 1 ? rc : 0;
}

//  Deletes the entries kept before BEFORE (all of them when 0), a batch of
//  keys per pass (LMDB cursors move on after a delete elsewhere).
#define DELETE_BATCH 512

static bool entry_before(const ms_val_t *val, int64_t before)
{
    return before == 0 || (val->len >= 8 && (int64_t)ms_get_be64(val->data) < before);
}

static int delete_older(ms_txn_t *txn, int64_t before, uint64_t *removed, ms_error_t *err)
{
    uint8_t(*victims)[8] = malloc(DELETE_BATCH * sizeof *victims);
    if (!victims)
        return ms_error_set(err, MS_ENOMEM, "quarantine", "no memory");
    int rc = 0;
    size_t count;
    do {
        count = 0;
        ms_cursor_t *cursor;
        rc = ms_cursor_open(txn, MS_TABLE_QUARANTINE, NULL, 0, &cursor, err);
        ms_val_t key, val;
        while (rc == 0 && count < DELETE_BATCH &&
               (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
            rc = 0;
            if (key.len == sizeof victims[0] && entry_before(&val, before))
                memcpy(victims[count++], key.data, key.len);
        }
        ms_cursor_close(&cursor);
        rc = rc < 0 ? rc : 0;
        for (size_t i = 0; rc == 0 && i < count; i++)
            rc = ms_txn_del(txn, MS_TABLE_QUARANTINE, victims[i], sizeof victims[i], err);
        *removed += count;
    } while (rc == 0 && count == DELETE_BATCH);
    free(victims);
    return rc;
}

typedef struct {
    ms_txn_t *txn;
    ms_error_t *err;
} recount_t;

static int recount(const ms_quarantine_entry_t *entry, void *arg)
{
    recount_t *r = arg;
    counters_t c;
    int rc = get_counters(r->txn, entry->source, &c, r->err);
    c.kept++;
    c.proofs += entry->reason == MS_REFUSAL_EQUIVOCATION &&
                entry->envelope_len > MS_QUARANTINE_PREFIX_BYTES;
    return rc ? rc : put_counters(r->txn, entry->source, &c, r->err);
}

int ms_quarantine_purge(ms_txn_t *txn, int64_t before, uint64_t *removed, ms_error_t *err)
{
    *removed = 0;
    int rc = delete_older(txn, before, removed, err);
    if (rc == 0)
        rc = ms_txn_del_prefix(txn, MS_TABLE_INDEX, COUNTER_PREFIX, COUNTER_PREFIX_LEN, NULL, err);
    recount_t r = {txn, err};
    return rc ? rc : ms_quarantine_list(txn, recount, &r, err);
}
