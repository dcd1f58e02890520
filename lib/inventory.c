//  inventory - mutuals, guarantees and target populations by scope and
//  founding year, moved by org card differences.
//
//  Key in MS_TABLE_VIEWS: "I" scope NUL year (4 digits, "0000" when the
//  card has no founding date) -> entry_t. A row for year Y reads the
//  scope's entries (one per founding year: a bounded scan) and adds those
//  founded on or before Y. "J" scope NUL year (the card's own year, "0000"
//  when never said) -> int64 mutuals: the cards up to date for that year.
//  Called by the views hook for org cards.

#include "mutsync/inventory.h"

#include "mutsync/replica.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    int64_t mutuals;                       //  mutuals founded that year
    int64_t offering[MS_GUARANTEE_COUNT];  //  of which offering each guarantee
    int64_t target_population;             //  persons
} entry_t;

static const char *const guarantee_names[MS_GUARANTEE_COUNT] = {"primary_care", "hospitalization",
                                                                "childbirth", "sonu", "drugs"};

const char *ms_guarantee_name(int guarantee)
{
    return guarantee >= 0 && guarantee < MS_GUARANTEE_COUNT ? guarantee_names[guarantee] : "";
}

static uint32_t founding_year(const ms_org_t *card)
{
    if (!card->created)
        return 0;
    char date[11];
    ms_date_format(card->created, date);
    return (uint32_t)((date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 +
                      (date[3] - '0'));
}

static int entry_add(ms_txn_t *txn, const char *scope, uint32_t year, const ms_org_t *card,
                     int sign, ms_error_t *err)
{
    uint8_t key[MS_SCOPE_MAX + 8];
    int len = snprintf((char *)key, sizeof key, "I%s%c%04u", scope, 0, year);
    entry_t entry;
    memset(&entry, 0, sizeof entry);
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_VIEWS, key, (size_t)len, &val, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    if (rc == 0 && val.len == sizeof entry)
        memcpy(&entry, val.data, sizeof entry);
    const bool offers[MS_GUARANTEE_COUNT] = {card->covers_primary_care,
                                             card->covers_hospitalization, card->covers_childbirth,
                                             card->covers_sonu, card->covers_drugs};
    entry.mutuals += sign;
    for (int i = 0; i < MS_GUARANTEE_COUNT; i++)
        entry.offering[i] += sign * (int64_t)offers[i];
    entry.target_population += sign * (int64_t)card->target_population;
    if (entry.mutuals == 0)
        return ms_txn_del(txn, MS_TABLE_VIEWS, key, (size_t)len, err);
    return ms_txn_put(txn, MS_TABLE_VIEWS, key, (size_t)len, &entry, sizeof entry, 0, err);
}

static int card_year_add(ms_txn_t *txn, const char *scope, uint32_t year, int sign, ms_error_t *err)
{
    uint8_t key[MS_SCOPE_MAX + 8];
    int len = snprintf((char *)key, sizeof key, "J%s%c%04u", scope, 0, year);
    int64_t count = 0;
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_VIEWS, key, (size_t)len, &val, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    if (rc == 0 && val.len == sizeof count)
        memcpy(&count, val.data, sizeof count);
    count += sign;
    if (count <= 0)
        return ms_txn_del(txn, MS_TABLE_VIEWS, key, (size_t)len, err);
    return ms_txn_put(txn, MS_TABLE_VIEWS, key, (size_t)len, &count, sizeof count, 0, err);
}

static int card_apply(ms_txn_t *txn, char path[MS_VIEWS_DEPTH_MAX][MS_ORG_MAX + 1], size_t depth,
                      const char *country, const ms_org_t *card, int sign, ms_error_t *err)
{
    if (card->role != MS_ROLE_MUTUAL)
        return 0;
    uint32_t year = founding_year(card);
    char scope[MS_SCOPE_MAX + 1];
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < depth; i++) {
        snprintf(scope, sizeof scope, "s:%s", path[i]);
        rc = entry_add(txn, scope, year, card, sign, err);
        if (rc == 0)
            rc = card_year_add(txn, scope, card->card_year, sign, err);
    }
    if (rc == 0 && country[0]) {
        snprintf(scope, sizeof scope, "c:%s", country);
        rc = entry_add(txn, scope, year, card, sign, err);
        if (rc == 0)
            rc = card_year_add(txn, scope, card->card_year, sign, err);
    }
    return rc;
}

int ms_inventory_apply(ms_node_t *node, ms_txn_t *txn, const char *owner, const ms_change_t *change,
                       const ms_stored_record_t *old, ms_error_t *err)
{
    char path[MS_VIEWS_DEPTH_MAX][MS_ORG_MAX + 1];
    size_t depth;
    char country[3];
    int rc = ms_views_lineage(txn, ms_node_identity(node)->org, owner, path, &depth, country, err);
    if (rc)
        return rc == MS_ENOTFOUND ? 0 : rc;
    ms_org_t card;
    if (old && ms_org_decode(old->value, old->value_len, &card, NULL) == 0)
        rc = card_apply(txn, path, depth, country, &card, -1, err);
    if (rc == 0 && change->op == MS_OP_UPSERT &&
        ms_org_decode(change->value, change->value_len, &card, NULL) == 0)
        rc = card_apply(txn, path, depth, country, &card, +1, err);
    return rc;
}

int ms_inventory_row(ms_txn_t *txn, const char *scope, uint32_t year, ms_inventory_row_t *row,
                     ms_error_t *err)
{
    memset(row, 0, sizeof *row);
    uint8_t prefix[MS_SCOPE_MAX + 3];
    int len = snprintf((char *)prefix, sizeof prefix, "I%s%c", scope, 0);
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_VIEWS, prefix, (size_t)len, &cursor, err);
    if (rc)
        return rc;
    ms_val_t key, val;
    double age_sum = 0;
    while ((rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        entry_t entry;
        if (key.len != (size_t)len + 4 || val.len != sizeof entry)
            continue;
        memcpy(&entry, val.data, sizeof entry);
        uint32_t founded = 0;
        for (int i = 0; i < 4; i++)
            founded = founded * 10 + (uint32_t)(key.data[len + i] - '0');
        if (founded > year)
            break;
        row->mutuals += (uint64_t)entry.mutuals;
        for (int i = 0; i < MS_GUARANTEE_COUNT; i++)
            row->offering[i] += (uint64_t)entry.offering[i];
        row->target_population += (uint64_t)entry.target_population;
        if (founded) {
            row->dated += (uint64_t)entry.mutuals;
            age_sum += (double)(year - founded) * (double)entry.mutuals;
        }
    }
    ms_cursor_close(&cursor);
    if (row->dated)
        row->average_age = age_sum / (double)row->dated;
    if (rc < 0)
        return rc;
    uint8_t cards_key[MS_SCOPE_MAX + 8];
    len = snprintf((char *)cards_key, sizeof cards_key, "J%s%c%04u", scope, 0, year);
    rc = ms_txn_get(txn, MS_TABLE_VIEWS, cards_key, (size_t)len, &val, err);
    if (rc == 0 && val.len == sizeof(int64_t)) {
        int64_t count;
        memcpy(&count, val.data, sizeof count);
        row->cards_of_year = (uint64_t)count;
    }
    return rc == MS_ENOTFOUND ? 0 : rc;
}
