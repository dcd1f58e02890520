//  trust - the trust table (org -> anchor flag + certificate) and the
//  revocation table (key -> subject and positions).
//
//  A trust entry is one flag byte (1 anchor, 2 released), then for a
//  released id one length byte and the org it was released to, then the
//  certificate's protobuf bytes (record.c), so the table holds the same
//  thing the feeds carry. The revocation table is keyed by the key (32
//  bytes) and the subject org it was revoked for, so a revocation only ever
//  speaks of its subject's feeds; an entry is from(8 BE), the subject
//  (length byte + text), a count byte, then per feed a length byte, the
//  feed name and its last valid seq (8 BE).

#include "mutsync/trust.h"

#include "mutsync/i18n.h"
#include "mutsync/keyindex.h"
#include "mutsync/policy.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define ENTRY_MAX 1024
#define FLAG_ANCHOR 1
#define FLAG_RELEASED 2

static int put_entry(ms_txn_t *txn, const char *org, const ms_cert_t *cert, bool anchor,
                     const char *released_to, ms_error_t *err)
{
    uint8_t value[ENTRY_MAX];
    size_t at = 1, len = 0;
    value[0] = anchor ? FLAG_ANCHOR : 0;
    if (released_to && released_to[0]) {
        size_t to_len = strnlen(released_to, MS_ORG_MAX);
        value[0] |= FLAG_RELEASED;
        value[at++] = (uint8_t)to_len;
        memcpy(value + at, released_to, to_len);
        at += to_len;
    }
    if (ms_cert_encode(cert, value + at, sizeof value - at, &len) != 0)
        return ms_error_set(err, MS_EINVAL, org, "certificate too large");
    int rc = ms_txn_put(txn, MS_TABLE_TRUST, org, strlen(org), value, at + len, 0, err);
    return rc ? rc : ms_keyindex_set(txn, org, cert->key, err);
}

int ms_trust_pin(ms_txn_t *txn, const char *org, const ms_cert_t *cert, ms_error_t *err)
{
    return put_entry(txn, org, cert, true, NULL, err);
}

static int decode_entry(const char *org, size_t org_len, const ms_val_t *val,
                        ms_trust_entry_t *entry, ms_error_t *err)
{
    memset(entry, 0, sizeof *entry);
    if (val->len < 1 || org_len > MS_ORG_MAX)
        return ms_error_set(err, MS_ESTORE, "trust", "damaged trust entry");
    memcpy(entry->org, org, org_len);
    entry->anchor = (val->data[0] & FLAG_ANCHOR) != 0;
    size_t at = 1;
    if (val->data[0] & FLAG_RELEASED) {
        size_t to_len = val->len > 1 ? val->data[1] : 0;
        if (to_len > MS_ORG_MAX || 2 + to_len > val->len)
            return ms_error_set(err, MS_ESTORE, "trust", "damaged trust entry");
        memcpy(entry->released_to, val->data + 2, to_len);
        at = 2 + to_len;
    }
    return ms_cert_decode(val->data + at, val->len - at, &entry->cert, err) ? MS_ESTORE : 0;
}

int ms_trust_get(ms_txn_t *txn, const char *org, ms_trust_entry_t *entry, ms_error_t *err)
{
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_TRUST, org, strlen(org), &val, err);
    if (rc) {
        memset(entry, 0, sizeof *entry);
        return rc;
    }
    return decode_entry(org, strlen(org), &val, entry, err);
}

static ms_feed_position_t *position_of(ms_revoked_t *revoked, const char *feed)
{
    for (size_t i = 0; i < revoked->position_count; i++)
        if (strcmp(revoked->positions[i].feed, feed) == 0)
            return &revoked->positions[i];
    return NULL;
}

int ms_trust_check(ms_txn_t *txn, const char *origin, const uint8_t *signer, const char *feed,
                   uint64_t seq, ms_trust_entry_t *entry, ms_refusal_t *reason, char *detail,
                   size_t cap, ms_error_t *err)
{
    *reason = MS_REFUSAL_NONE;
    int rc = ms_trust_get(txn, origin, entry, err);
    if (rc == MS_ENOTFOUND) {
        *reason = MS_REFUSAL_UNKNOWN_SIGNER;
        snprintf(detail, cap, _("no certificate for %s"), origin);
        return MS_EREFUSED;
    }
    if (rc)
        return rc;
    ms_revoked_t revoked;
    rc = ms_trust_revocation(txn, origin, signer, &revoked, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    bool current = sodium_memcmp(entry->cert.key, signer, MS_KEY_BYTES) == 0;
    if (rc == MS_ENOTFOUND) {
        if (current)
            return 0;
        *reason = MS_REFUSAL_UNKNOWN_SIGNER;
        snprintf(detail, cap, _("the signer is not the key certified for %s"), origin);
        return MS_EREFUSED;
    }
    const ms_feed_position_t *position = position_of(&revoked, feed);
    if (position && seq <= position->last_seq)
        return 0;
    *reason = MS_REFUSAL_REVOKED;
    snprintf(detail, cap, _("this key of %s is revoked after %s seq %llu"), origin, feed,
             (unsigned long long)(position ? position->last_seq : 0));
    return MS_EREFUSED;
}

int ms_trust_apply_cert(ms_txn_t *txn, const char *subject, const ms_cert_t *cert, ms_error_t *err)
{
    ms_trust_entry_t held;
    int rc = ms_trust_get(txn, subject, &held, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    if (rc == 0 && held.anchor) {
        //  An anchor keeps its pinned key; a certificate only tells its role and place.
        if (!cert || sodium_memcmp(held.cert.key, cert->key, MS_KEY_BYTES) != 0)
            return 0;
        return put_entry(txn, subject, cert, true, NULL, err);
    }
    if (!cert) {
        rc = ms_txn_del(txn, MS_TABLE_TRUST, subject, strlen(subject), err);
        return rc ? rc : ms_keyindex_remove(txn, subject, err);
    }
    return put_entry(txn, subject, cert, false, NULL, err);
}

//  The index of moves in MS_TABLE_INDEX: "Rt" TO NUL FROM -> "" when FROM
//  released an id to TO.
#define RELEASE_PREFIX "Rt"

static size_t release_key(const char *to, const char *from, char *out)
{
    size_t to_len = strnlen(to, MS_ORG_MAX), from_len = from ? strnlen(from, MS_ORG_MAX) : 0;
    memcpy(out, RELEASE_PREFIX, 2);
    memcpy(out + 2, to, to_len);
    out[2 + to_len] = 0;
    if (from_len)
        memcpy(out + 3 + to_len, from, from_len);
    return 3 + to_len + from_len;
}

int ms_trust_apply_release(ms_txn_t *txn, const char *subject, const char *to, ms_error_t *err)
{
    ms_trust_entry_t held;
    int rc = ms_trust_get(txn, subject, &held, err);
    if (rc)
        return rc == MS_ENOTFOUND ? 0 : rc;
    rc = put_entry(txn, subject, &held.cert, held.anchor, to, err);
    if (rc || !held.cert.parent[0] || !to[0])
        return rc;
    char key[3 + 2 * MS_ORG_MAX];
    size_t len = release_key(to, held.cert.parent, key);
    return ms_txn_put(txn, MS_TABLE_INDEX, key, len, "", 0, 0, err);
}

int ms_trust_releasers(ms_txn_t *txn, const char *to,
                       char releasers[MS_TRUST_RELEASERS_MAX][MS_ORG_MAX + 1], size_t *count,
                       ms_error_t *err)
{
    *count = 0;
    char prefix[3 + 2 * MS_ORG_MAX];
    size_t prefix_len = release_key(to, NULL, prefix);
    ms_cursor_t *cursor = NULL;
    int rc = ms_cursor_open(txn, MS_TABLE_INDEX, prefix, prefix_len, &cursor, err);
    ms_val_t key, val;
    while (rc == 0 && *count < MS_TRUST_RELEASERS_MAX &&
           (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        size_t len = key.len - prefix_len;
        rc = len > 0 && len <= MS_ORG_MAX ? 0 : ms_error_set(err, MS_ESTORE, to, "bad move index");
        if (rc == 0)
            snprintf(releasers[(*count)++], MS_ORG_MAX + 1, "%.*s", (int)len,
                     (const char *)key.data + prefix_len);
    }
    ms_cursor_close(&cursor);
    return rc < 0 ? rc : 0;
}

static size_t revoked_key(const char *subject, const uint8_t *key, uint8_t *out)
{
    size_t len = strnlen(subject, MS_ORG_MAX);
    memcpy(out, key, MS_KEY_BYTES);
    memcpy(out + MS_KEY_BYTES, subject, len);
    return MS_KEY_BYTES + len;
}

static int put_revoked(ms_txn_t *txn, const uint8_t *key, const ms_revoked_t *revoked,
                       ms_error_t *err)
{
    uint8_t
        value[8 + 1 + MS_ORG_MAX + 1 + (MS_REVOCATION_FEEDS_MAX + 3) * (1 + MS_FEED_NAME_MAX + 8)];
    size_t at = 0;
    ms_put_be64(value, (uint64_t)revoked->from);
    at += 8;
    size_t len = strnlen(revoked->subject, MS_ORG_MAX);
    value[at++] = (uint8_t)len;
    memcpy(value + at, revoked->subject, len);
    at += len;
    value[at++] = (uint8_t)revoked->position_count;
    for (size_t i = 0; i < revoked->position_count; i++) {
        len = strnlen(revoked->positions[i].feed, MS_FEED_NAME_MAX);
        value[at++] = (uint8_t)len;
        memcpy(value + at, revoked->positions[i].feed, len);
        at += len;
        ms_put_be64(value + at, revoked->positions[i].last_seq);
        at += 8;
    }
    uint8_t table_key[MS_KEY_BYTES + MS_ORG_MAX];
    return ms_txn_put(txn, MS_TABLE_REVOKED, table_key,
                      revoked_key(revoked->subject, key, table_key), value, at, 0, err);
}

int ms_trust_apply_revocation(ms_txn_t *txn, const char *subject, const ms_revocation_t *revocation,
                              ms_error_t *err)
{
    ms_revoked_t revoked;
    int rc = ms_trust_revocation(txn, subject, revocation->key, &revoked, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    if (rc == MS_ENOTFOUND) {
        memset(&revoked, 0, sizeof revoked);
        snprintf(revoked.subject, sizeof revoked.subject, "%s", subject);
        revoked.from = revocation->from;
    }
    //  A second revocation of the same key (the parent's, after a restore's
    //  own) can only move a position on: the furthest stands.
    for (size_t i = 0; i < revocation->position_count && i < MS_REVOCATION_FEEDS_MAX; i++) {
        ms_feed_position_t *held = position_of(&revoked, revocation->positions[i].feed);
        if (held) {
            if (revocation->positions[i].last_seq > held->last_seq)
                held->last_seq = revocation->positions[i].last_seq;
        } else if (revoked.position_count < MS_REVOCATION_FEEDS_MAX + 3) {
            revoked.positions[revoked.position_count++] = revocation->positions[i];
        }
    }
    for (int kind = 0; kind < MS_FEED_KIND_COUNT; kind++) {
        const char *feed = ms_policy_feed_name((ms_feed_kind_t)kind);
        if (position_of(&revoked, feed))
            continue;
        ms_head_t head;
        rc = ms_replica_head(txn, subject, feed, &head, err);
        if (rc)
            return rc;
        ms_feed_position_t *position = &revoked.positions[revoked.position_count++];
        snprintf(position->feed, sizeof position->feed, "%s", feed);
        position->last_seq = head.seq;
    }
    return put_revoked(txn, revocation->key, &revoked, err);
}

int ms_trust_revocation(ms_txn_t *txn, const char *subject, const uint8_t *key, ms_revoked_t *out,
                        ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    ms_val_t val;
    uint8_t table_key[MS_KEY_BYTES + MS_ORG_MAX];
    int rc = ms_txn_get(txn, MS_TABLE_REVOKED, table_key, revoked_key(subject, key, table_key),
                        &val, err);
    if (rc)
        return rc;
    const uint8_t *p = val.data, *end = val.data + val.len;
    if (val.len < 10)
        return ms_error_set(err, MS_ESTORE, "trust", "damaged revocation entry");
    out->from = (int64_t)ms_get_be64(p);
    p += 8;
    size_t len = *p++;
    if (len > MS_ORG_MAX || (size_t)(end - p) < len + 1)
        return ms_error_set(err, MS_ESTORE, "trust", "damaged revocation entry");
    memcpy(out->subject, p, len);
    p += len;
    size_t count = *p++;
    for (size_t i = 0; i < count && i < MS_REVOCATION_FEEDS_MAX + 3; i++) {
        if (p >= end || (len = *p++) > MS_FEED_NAME_MAX || (size_t)(end - p) < len + 8)
            return ms_error_set(err, MS_ESTORE, "trust", "damaged revocation entry");
        memcpy(out->positions[i].feed, p, len);
        out->positions[i].last_seq = ms_get_be64(p + len);
        p += len + 8;
        out->position_count++;
    }
    return 0;
}

int ms_trust_revoked(ms_txn_t *txn, const char *subject, const uint8_t *key, int64_t *from,
                     ms_error_t *err)
{
    ms_revoked_t revoked;
    int rc = ms_trust_revocation(txn, subject, key, &revoked, err);
    *from = rc == 0 ? revoked.from : 0;
    return rc;
}

int ms_trust_chain(ms_txn_t *txn, const char *org, char chain[MS_TRUST_DEPTH_MAX][MS_ORG_MAX + 1],
                   size_t *count, ms_error_t *err)
{
    snprintf(chain[0], MS_ORG_MAX + 1, "%s", org);
    *count = 1;
    while (*count < MS_TRUST_DEPTH_MAX) {
        ms_trust_entry_t entry;
        int rc = ms_trust_get(txn, chain[*count - 1], &entry, err);
        if (rc == MS_ENOTFOUND || (rc == 0 && !entry.cert.parent[0]))
            return 0;
        if (rc)
            return rc;
        snprintf(chain[(*count)++], MS_ORG_MAX + 1, "%s", entry.cert.parent);
    }
    return 0;
}

int ms_trust_list(ms_txn_t *txn, ms_trust_fn fn, void *ctx, ms_error_t *err)
{
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_TRUST, NULL, 0, &cursor, err);
    ms_val_t key, val;
    while (rc == 0 && (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        ms_trust_entry_t entry;
        rc = decode_entry((const char *)key.data, key.len, &val, &entry, err);
        if (rc == 0)
            rc = fn(&entry, ctx);
    }
    ms_cursor_close(&cursor);
    return rc < 0 || rc > 1 ? rc : 0;
}
