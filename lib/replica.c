//  replica - feed heads, envelopes and records as table entries.
//
//  Layouts (all integers big-endian so keys sort by number):
//    heads       org NUL feed                -> seq(8) hash(32) frozen(1)
//    envelopes   org NUL feed NUL seq(8)     -> id(32) received(8) envelope
//    records     collection(1) owner NUL key -> seq(8) value
//  Called by accept (writes), node, audit, sync and the CLI (reads).

#include "mutsync/replica.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HEAD_BYTES (8 + MS_HASH_BYTES + 1)
#define ENVELOPE_PREFIX (MS_HASH_BYTES + 8)  //  id, then the receipt time (informative)

size_t ms_feed_key(const char *org, const char *feed, uint8_t *out)
{
    size_t org_len = strnlen(org, MS_ORG_MAX);
    size_t feed_len = strnlen(feed, MS_FEED_NAME_MAX);
    memcpy(out, org, org_len);
    out[org_len] = 0;
    memcpy(out + org_len + 1, feed, feed_len);
    return org_len + 1 + feed_len;
}

static void decode_head(const ms_val_t *val, ms_head_t *head)
{
    memset(head, 0, sizeof *head);
    if (val->len < HEAD_BYTES)
        return;
    head->seq = ms_get_be64(val->data);
    memcpy(head->hash, val->data + 8, MS_HASH_BYTES);
    head->frozen = val->data[8 + MS_HASH_BYTES] != 0;
}

int ms_replica_head(ms_txn_t *txn, const char *org, const char *feed, ms_head_t *head,
                    ms_error_t *err)
{
    uint8_t key[MS_FEED_KEY_MAX];
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_HEADS, key, ms_feed_key(org, feed, key), &val, err);
    memset(head, 0, sizeof *head);
    if (rc == MS_ENOTFOUND)
        return 0;
    if (rc == 0)
        decode_head(&val, head);
    return rc;
}

int ms_replica_set_head(ms_txn_t *txn, const char *org, const char *feed, const ms_head_t *head,
                        ms_error_t *err)
{
    uint8_t key[MS_FEED_KEY_MAX];
    uint8_t value[HEAD_BYTES];
    ms_put_be64(value, head->seq);
    memcpy(value + 8, head->hash, MS_HASH_BYTES);
    value[8 + MS_HASH_BYTES] = head->frozen;
    return ms_txn_put(txn, MS_TABLE_HEADS, key, ms_feed_key(org, feed, key), value, sizeof value, 0,
                      err);
}

int ms_replica_feeds(ms_txn_t *txn, ms_feed_fn fn, void *ctx, ms_error_t *err)
{
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_HEADS, NULL, 0, &cursor, err);
    ms_val_t key, val;
    while (rc == 0 && (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        char org[MS_ORG_MAX + 1] = "", feed[MS_FEED_NAME_MAX + 1] = "";
        const uint8_t *nul = memchr(key.data, 0, key.len);
        rc = 0;
        if (!nul || (size_t)(nul - key.data) > MS_ORG_MAX ||
            key.len - (size_t)(nul - key.data) - 1 > MS_FEED_NAME_MAX)
            continue;
        memcpy(org, key.data, (size_t)(nul - key.data));
        memcpy(feed, nul + 1, key.len - (size_t)(nul - key.data) - 1);
        ms_head_t head;
        decode_head(&val, &head);
        rc = fn(org, feed, &head, ctx);
    }
    ms_cursor_close(&cursor);
    return rc < 0 || rc > 1 ? rc : 0;
}

static size_t envelope_key(const char *org, const char *feed, uint64_t seq, uint8_t *out)
{
    size_t len = ms_feed_key(org, feed, out);
    out[len++] = 0;
    ms_put_be64(out + len, seq);
    return len + 8;
}

int ms_replica_put_envelope(ms_txn_t *txn, const char *org, const char *feed, uint64_t seq,
                            const uint8_t *id, const uint8_t *bytes, size_t len, ms_error_t *err)
{
    uint8_t key[MS_FEED_KEY_MAX + 9];
    uint8_t *value = malloc(ENVELOPE_PREFIX + len);
    if (!value)
        return ms_error_set(err, MS_ENOMEM, "replica", "no memory to store an envelope");
    memcpy(value, id, MS_HASH_BYTES);
    ms_put_be64(value + MS_HASH_BYTES, (uint64_t)time(NULL));
    memcpy(value + ENVELOPE_PREFIX, bytes, len);
    int rc = ms_txn_put(txn, MS_TABLE_ENVELOPES, key, envelope_key(org, feed, seq, key), value,
                        ENVELOPE_PREFIX + len, 0, err);
    free(value);
    return rc;
}

int ms_replica_envelope(ms_txn_t *txn, const char *org, const char *feed, uint64_t seq, uint8_t *id,
                        ms_val_t *bytes, ms_error_t *err)
{
    uint8_t key[MS_FEED_KEY_MAX + 9];
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_ENVELOPES, key, envelope_key(org, feed, seq, key), &val, err);
    if (rc)
        return rc;
    if (val.len < ENVELOPE_PREFIX)
        return ms_error_set(err, MS_ESTORE, "replica", "envelope %s/%s:%llu is damaged", org, feed,
                            (unsigned long long)seq);
    if (id)
        memcpy(id, val.data, MS_HASH_BYTES);
    bytes->data = val.data + ENVELOPE_PREFIX;
    bytes->len = val.len - ENVELOPE_PREFIX;
    return 0;
}

int ms_replica_del_envelope(ms_txn_t *txn, const char *org, const char *feed, uint64_t seq,
                            ms_error_t *err)
{
    uint8_t key[MS_FEED_KEY_MAX + 9];
    return ms_txn_del(txn, MS_TABLE_ENVELOPES, key, envelope_key(org, feed, seq, key), err);
}

static size_t record_key(ms_collection_t collection, const char *owner, const char *key,
                         uint8_t *out)
{
    size_t owner_len = strnlen(owner, MS_ORG_MAX);
    size_t key_len = key ? strnlen(key, MS_KEY_MAX) : 0;
    out[0] = (uint8_t)collection;
    memcpy(out + 1, owner, owner_len);
    out[1 + owner_len] = 0;
    if (key_len)
        memcpy(out + 2 + owner_len, key, key_len);
    return 2 + owner_len + key_len;
}

int ms_replica_record(ms_txn_t *txn, ms_collection_t collection, const char *owner, const char *key,
                      ms_stored_record_t *record, ms_error_t *err)
{
    uint8_t k[MS_RECORD_KEY_MAX];
    ms_val_t val;
    memset(record, 0, sizeof *record);
    int rc = ms_txn_get(txn, MS_TABLE_RECORDS, k, record_key(collection, owner, key, k), &val, err);
    if (rc)
        return rc;
    if (val.len < 8)
        return ms_error_set(err, MS_ESTORE, "replica", "a %s record of %s is damaged",
                            ms_collection_name(collection), owner);
    record->seq = ms_get_be64(val.data);
    record->value = val.data + 8;
    record->value_len = val.len - 8;
    return 0;
}

int ms_replica_put_record(ms_txn_t *txn, ms_collection_t collection, const char *owner,
                          const char *key, uint64_t seq, const uint8_t *value, size_t value_len,
                          ms_error_t *err)
{
    uint8_t k[MS_RECORD_KEY_MAX];
    uint8_t buf[8 + MS_VALUE_MAX];
    if (value_len > MS_VALUE_MAX)
        return ms_error_set(err, MS_EINVAL, "replica", "record value too large");
    ms_put_be64(buf, seq);
    if (value_len)
        memcpy(buf + 8, value, value_len);
    return ms_txn_put(txn, MS_TABLE_RECORDS, k, record_key(collection, owner, key, k), buf,
                      8 + value_len, 0, err);
}

int ms_replica_del_record(ms_txn_t *txn, ms_collection_t collection, const char *owner,
                          const char *key, ms_error_t *err)
{
    uint8_t k[MS_RECORD_KEY_MAX];
    return ms_txn_del(txn, MS_TABLE_RECORDS, k, record_key(collection, owner, key, k), err);
}

static int walk_records(ms_txn_t *txn, ms_collection_t collection, const char *owner,
                        ms_record_fn fn, void *ctx, uint64_t *count, ms_error_t *err)
{
    uint8_t prefix[MS_RECORD_KEY_MAX];
    size_t prefix_len = owner ? record_key(collection, owner, NULL, prefix) : 1;
    prefix[0] = (uint8_t)collection;
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_RECORDS, prefix, prefix_len, &cursor, err);
    ms_val_t key, val;
    while (rc == 0 && (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        rc = 0;
        if (count)
            (*count)++;
        if (!fn)
            continue;
        char owner_buf[MS_ORG_MAX + 1] = "", key_buf[MS_KEY_MAX + 1] = "";
        const uint8_t *nul = memchr(key.data + 1, 0, key.len - 1);
        if (!nul || val.len < 8)
            continue;
        size_t owner_len = (size_t)(nul - key.data - 1);
        size_t key_len = key.len - owner_len - 2;
        if (owner_len > MS_ORG_MAX || key_len > MS_KEY_MAX)
            continue;
        memcpy(owner_buf, key.data + 1, owner_len);
        memcpy(key_buf, nul + 1, key_len);
        ms_stored_record_t record = {ms_get_be64(val.data), val.data + 8, val.len - 8};
        rc = fn(owner_buf, key_buf, &record, ctx);
    }
    ms_cursor_close(&cursor);
    return rc < 0 || rc > 1 ? rc : 0;
}

int ms_replica_records(ms_txn_t *txn, ms_collection_t collection, const char *owner,
                       ms_record_fn fn, void *ctx, ms_error_t *err)
{
    return walk_records(txn, collection, owner, fn, ctx, NULL, err);
}

int ms_replica_record_count(ms_txn_t *txn, ms_collection_t collection, const char *owner,
                            uint64_t *count, ms_error_t *err)
{
    *count = 0;
    return walk_records(txn, collection, owner, NULL, NULL, count, err);
}

int ms_replica_drop_feed(ms_txn_t *txn, const char *org, const char *feed,
                         const ms_collection_t *collections, size_t count, ms_error_t *err)
{
    uint8_t key[MS_RECORD_KEY_MAX + MS_FEED_KEY_MAX + 2];
    size_t len = ms_feed_key(org, feed, key);
    int rc = ms_txn_del(txn, MS_TABLE_HEADS, key, len, err);
    key[len] = 0;
    if (rc == 0)
        rc = ms_txn_del_prefix(txn, MS_TABLE_ENVELOPES, key, len + 1, NULL, err);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        size_t prefix_len = record_key(collections[i], org, NULL, key);
        rc = ms_txn_del_prefix(txn, MS_TABLE_RECORDS, key, prefix_len, NULL, err);
    }
    return rc;
}
