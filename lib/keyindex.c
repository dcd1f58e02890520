//  keyindex - Curve key -> org, kept beside the trust table.
//
//  Two entries per org: the forward key ("Ck" + curve + org), so that a
//  lookup is one cursor seek on a prefix and two orgs certified with the
//  same key (a mistake, but possible) are both found; and the reverse one
//  ("Co" + org -> curve), so that replacing or removing an org's key finds
//  the forward entry to delete without converting the old key again.
//  Writers: trust.c (every put and delete of a trust entry, same txn) and
//  ms_keyindex_rebuild. Reader: link.c's ZAP handler.

#include "mutsync/keyindex.h"

#include <string.h>

#define FORWARD "Ck"
#define REVERSE "Co"
#define VERSION_KEY "Cv"
#define VERSION 1
#define PREFIX_BYTES 2

static size_t forward_key(const uint8_t *curve, const char *org, uint8_t *out)
{
    size_t org_len = strlen(org);
    memcpy(out, FORWARD, PREFIX_BYTES);
    memcpy(out + PREFIX_BYTES, curve, MS_CURVE_KEY_BYTES);
    memcpy(out + PREFIX_BYTES + MS_CURVE_KEY_BYTES, org, org_len);
    return PREFIX_BYTES + MS_CURVE_KEY_BYTES + org_len;
}

static size_t reverse_key(const char *org, uint8_t *out)
{
    size_t org_len = strlen(org);
    memcpy(out, REVERSE, PREFIX_BYTES);
    memcpy(out + PREFIX_BYTES, org, org_len);
    return PREFIX_BYTES + org_len;
}

int ms_keyindex_remove(ms_txn_t *txn, const char *org, ms_error_t *err)
{
    if (strlen(org) > MS_ORG_MAX)
        return 0;
    uint8_t reverse[PREFIX_BYTES + MS_ORG_MAX],
        forward[PREFIX_BYTES + MS_CURVE_KEY_BYTES + MS_ORG_MAX];
    size_t reverse_len = reverse_key(org, reverse);
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_INDEX, reverse, reverse_len, &val, err);
    if (rc == MS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (val.len == MS_CURVE_KEY_BYTES) {
        size_t forward_len = forward_key(val.data, org, forward);
        rc = ms_txn_del(txn, MS_TABLE_INDEX, forward, forward_len, err);
    }
    return rc ? rc : ms_txn_del(txn, MS_TABLE_INDEX, reverse, reverse_len, err);
}

int ms_keyindex_set(ms_txn_t *txn, const char *org, const uint8_t *key, ms_error_t *err)
{
    if (strlen(org) > MS_ORG_MAX)
        return 0;
    int rc = ms_keyindex_remove(txn, org, err);
    uint8_t curve[MS_CURVE_KEY_BYTES];
    if (rc || ms_key_curve_public(key, curve, NULL) != 0)
        return rc;
    uint8_t reverse[PREFIX_BYTES + MS_ORG_MAX],
        forward[PREFIX_BYTES + MS_CURVE_KEY_BYTES + MS_ORG_MAX];
    size_t forward_len = forward_key(curve, org, forward);
    size_t reverse_len = reverse_key(org, reverse);
    rc = ms_txn_put(txn, MS_TABLE_INDEX, forward, forward_len, "", 0, 0, err);
    return rc ? rc
              : ms_txn_put(txn, MS_TABLE_INDEX, reverse, reverse_len, curve, sizeof curve, 0, err);
}

int ms_keyindex_find(ms_txn_t *txn, const uint8_t *curve_key, ms_keyindex_fn fn, void *ctx,
                     ms_error_t *err)
{
    uint8_t prefix[PREFIX_BYTES + MS_CURVE_KEY_BYTES];
    memcpy(prefix, FORWARD, PREFIX_BYTES);
    memcpy(prefix + PREFIX_BYTES, curve_key, MS_CURVE_KEY_BYTES);
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_INDEX, prefix, sizeof prefix, &cursor, err);
    ms_val_t key, val;
    while (rc == 0 && (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        size_t org_len = key.len - sizeof prefix;
        char org[MS_ORG_MAX + 1];
        if (org_len == 0 || org_len > MS_ORG_MAX) {
            rc = 0;
            continue;
        }
        memcpy(org, key.data + sizeof prefix, org_len);
        org[org_len] = 0;
        rc = fn(org, ctx);
        if (rc)
            break;
    }
    ms_cursor_close(&cursor);
    return rc;
}

int ms_keyindex_ready(ms_txn_t *txn, bool *ready, ms_error_t *err)
{
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_INDEX, VERSION_KEY, PREFIX_BYTES, &val, err);
    *ready = rc == 0 && val.len == 1 && val.data[0] == VERSION;
    return rc == MS_ENOTFOUND ? 0 : rc;
}

int ms_keyindex_rebuild(ms_txn_t *txn, const char (*orgs)[MS_ORG_MAX + 1],
                        const uint8_t (*keys)[MS_KEY_BYTES], size_t count, ms_error_t *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = ms_keyindex_set(txn, orgs[i], keys[i], err);
    uint8_t version = VERSION;
    return rc ? rc
              : ms_txn_put(txn, MS_TABLE_INDEX, VERSION_KEY, PREFIX_BYTES, &version, 1, 0, err);
}
