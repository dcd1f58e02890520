//  trust - the trust table (org -> anchor flag + certificate) and the
//  revocation table (key -> time).
//
//  An entry is one flag byte followed by the certificate's protobuf bytes
//  (record.c), so the table holds the same thing the feeds carry.

#include "mutsync/trust.h"

#include "mutsync/keyindex.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define ENTRY_MAX 1024

static int put_entry(ms_txn_t *txn, const char *org, const ms_cert_t *cert, bool anchor,
                     ms_error_t *err)
{
    uint8_t value[ENTRY_MAX];
    size_t len = 0;
    if (ms_cert_encode(cert, value + 1, sizeof value - 1, &len) != 0)
        return ms_error_set(err, MS_EINVAL, org, "certificate too large");
    value[0] = anchor;
    int rc = ms_txn_put(txn, MS_TABLE_TRUST, org, strlen(org), value, len + 1, 0, err);
    return rc ? rc : ms_keyindex_set(txn, org, cert->key, err);
}

int ms_trust_pin(ms_txn_t *txn, const char *org, const ms_cert_t *cert, ms_error_t *err)
{
    return put_entry(txn, org, cert, true, err);
}

static int decode_entry(const char *org, size_t org_len, const ms_val_t *val,
                        ms_trust_entry_t *entry, ms_error_t *err)
{
    memset(entry, 0, sizeof *entry);
    if (val->len < 1 || org_len > MS_ORG_MAX)
        return ms_error_set(err, MS_ESTORE, "trust", "damaged trust entry");
    memcpy(entry->org, org, org_len);
    entry->anchor = val->data[0] != 0;
    return ms_cert_decode(val->data + 1, val->len - 1, &entry->cert, err) ? MS_ESTORE : 0;
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

int ms_trust_check(ms_txn_t *txn, const char *origin, const uint8_t *signer, int64_t created,
                   ms_trust_entry_t *entry, ms_refusal_t *reason, char *detail, size_t cap,
                   ms_error_t *err)
{
    *reason = MS_REFUSAL_NONE;
    int rc = ms_trust_get(txn, origin, entry, err);
    if (rc == MS_ENOTFOUND) {
        *reason = MS_REFUSAL_UNKNOWN_SIGNER;
        snprintf(detail, cap, "no certificate for %s", origin);
        return MS_EREFUSED;
    }
    if (rc)
        return rc;
    if (sodium_memcmp(entry->cert.key, signer, MS_KEY_BYTES) != 0) {
        *reason = MS_REFUSAL_UNKNOWN_SIGNER;
        snprintf(detail, cap, "the signer is not the key certified for %s", origin);
        return MS_EREFUSED;
    }
    int64_t from = 0;
    rc = ms_trust_revoked(txn, signer, &from, err);
    if (rc == 0 && created >= from) {
        *reason = MS_REFUSAL_REVOKED;
        snprintf(detail, cap, "the key of %s is revoked since %lld", origin, (long long)from);
        return MS_EREFUSED;
    }
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    if (!entry->anchor && entry->cert.valid_until && created > entry->cert.valid_until) {
        *reason = MS_REFUSAL_UNKNOWN_SIGNER;
        snprintf(detail, cap, "the certificate of %s expired at %lld", origin,
                 (long long)entry->cert.valid_until);
        return MS_EREFUSED;
    }
    return 0;
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
        return put_entry(txn, subject, cert, true, err);
    }
    if (!cert) {
        rc = ms_txn_del(txn, MS_TABLE_TRUST, subject, strlen(subject), err);
        return rc ? rc : ms_keyindex_remove(txn, subject, err);
    }
    return put_entry(txn, subject, cert, false, err);
}

int ms_trust_apply_revocation(ms_txn_t *txn, const ms_revocation_t *revocation, ms_error_t *err)
{
    uint8_t value[8];
    ms_put_be64(value, (uint64_t)revocation->from);
    return ms_txn_put(txn, MS_TABLE_REVOKED, revocation->key, MS_KEY_BYTES, value, sizeof value, 0,
                      err);
}

int ms_trust_revoked(ms_txn_t *txn, const uint8_t *key, int64_t *from, ms_error_t *err)
{
    ms_val_t val;
    *from = 0;
    int rc = ms_txn_get(txn, MS_TABLE_REVOKED, key, MS_KEY_BYTES, &val, err);
    if (rc == 0 && val.len == 8)
        *from = (int64_t)ms_get_be64(val.data);
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
