//  viewtree - the subtree as the views know it.
//
//  DESIGN. The trust chain says who is in the subtree and where (each
//  certificate names its parent, verified up to the root by accept). The
//  views note the orgs and countries they have seen ("M" ancestor NUL org,
//  "N" country in MS_TABLE_VIEWS) as the hook applies cards and reports,
//  so a listing is a prefix walk of those keys; names and roles are read
//  from the trust entry and the org card when listed. Called by views.c
//  and viewreport.c (writes) and by every reader of the views.

#include "mutsync/viewtree.h"

#include "mutsync/replica.h"
#include "mutsync/trust.h"

#include <stdio.h>
#include <string.h>

int ms_views_cell(ms_txn_t *txn, const char *scope, const ms_period_t *period,
                  const char *indicator, ms_cell_t *cell, ms_error_t *err)
{
    return ms_viewcell_get(txn, scope, period, indicator, cell, err);
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
        if (depth > 0 && strcmp(chain[depth], self) == 0) {
            //  A child this node released to another parent is no longer
            //  below it, even before that parent's certificate arrives here.
            ms_trust_entry_t child = entry;
            rc = depth == 1 ? 0 : ms_trust_get(txn, chain[depth - 1], &child, err);
            if (rc)
                return rc;
            if (child.released_to[0] && strcmp(child.released_to, self) != 0)
                return MS_ENOTFOUND;
        }
        if (strcmp(chain[depth], self) == 0) {
            snprintf(country, 3, "%s", entry.cert.country);
            *depth_p = depth + 1;
            return 0;
        }
    }
    return MS_ENOTFOUND;
}

int ms_viewtree_target(ms_node_t *node, ms_txn_t *txn, const char *org, ms_cell_target_t *t,
                       ms_error_t *err)
{
    memset(t, 0, sizeof *t);
    return ms_views_lineage(txn, ms_node_identity(node)->org, org, t->path, &t->depth, t->country,
                            err);
}

int ms_viewtree_note(ms_txn_t *txn, const ms_cell_target_t *t, bool with_country, ms_error_t *err)
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
