//  household - a mutual's households as the tally sees them: each member's
//  counted interval, kept in one entry per household, and the union of
//  those intervals (the months the household is covered).
//
//  Layout in MS_TABLE_INDEX: "Th" household -> count(1), then per member:
//  ms_span_t, id length(1), id. A change reads its household once and
//  writes it once. Called by tally.c.

#include "mutsync/household.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

//  Whether S holds all of SPAN (a non-empty span).
static bool holds(ms_span_t s, ms_span_t span)
{
    return s.from <= span.from && (!s.until || (span.until && span.until <= s.until));
}

void ms_cover_add(ms_cover_t *cover, ms_span_t span)
{
    if (span.until && span.until <= span.from)
        return;
    //  The usual cases, where merging would give COVER back or SPAN alone:
    //  a household's members mostly share their spans.
    if (cover->count == 0) {
        cover->spans[0] = span;
        cover->count = 1;
        return;
    }
    for (size_t i = 0; i < cover->count; i++)
        if (holds(cover->spans[i], span))
            return;
    size_t out = 0;
    ms_span_t merged = span;
    ms_span_t kept[MS_COVER_SPANS_MAX + 1];
    for (size_t i = 0; i < cover->count; i++) {
        ms_span_t s = cover->spans[i];
        bool before = s.until && s.until < merged.from;
        bool after = merged.until && merged.until < s.from;
        if (before || after) {
            kept[out++] = s;
            continue;
        }
        merged.from = s.from < merged.from ? s.from : merged.from;
        merged.until = (!s.until || !merged.until) ? 0
                       : s.until > merged.until    ? s.until
                                                   : merged.until;
    }
    size_t i = 0;
    while (i < out && kept[i].from < merged.from)
        i++;
    memmove(kept + i + 1, kept + i, (out - i) * sizeof kept[0]);
    kept[i] = merged;
    out++;
    if (out > MS_COVER_SPANS_MAX)
        out = MS_COVER_SPANS_MAX;  //  cannot happen with months: spans merge
    memcpy(cover->spans, kept, out * sizeof kept[0]);
    cover->count = out;
}

static size_t household_key(const char *household, uint8_t *out)
{
    size_t len = strlen(household);
    out[0] = 'T', out[1] = 'h';
    memcpy(out + 2, household, len);
    return 2 + len;
}

int ms_household_load(ms_txn_t *txn, const char *id, ms_household_t *h, ms_error_t *err)
{
    h->count = 0;
    size_t id_len = id ? strnlen(id, MS_ID_MAX) : 0;
    memcpy(h->id, id ? id : "", id_len);
    h->id[id_len] = 0;
    if (!h->id[0])
        return 0;
    uint8_t key[2 + MS_ID_MAX];
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_INDEX, key, household_key(h->id, key), &val, err);
    if (rc)
        return rc == MS_ENOTFOUND ? 0 : rc;
    const uint8_t *p = val.data, *end = val.data + val.len;
    size_t count = val.len ? *p++ : 0;
    for (size_t i = 0; i < count; i++) {
        if (end - p < (ptrdiff_t)(sizeof(ms_span_t) + 1) ||
            (size_t)(end - p) < sizeof(ms_span_t) + 1 + p[sizeof(ms_span_t)] ||
            p[sizeof(ms_span_t)] > MS_KEY_MAX)
            return ms_error_set(err, MS_ESTORE, "household", "household %s is damaged", h->id);
        memcpy(&h->members[i].span, p, sizeof(ms_span_t));
        size_t len = p[sizeof(ms_span_t)];
        memcpy(h->members[i].id, p + sizeof(ms_span_t) + 1, len);
        h->members[i].id[len] = 0;
        p += sizeof(ms_span_t) + 1 + len;
    }
    h->count = count;
    return 0;
}

int ms_household_save(ms_txn_t *txn, const ms_household_t *h, ms_error_t *err)
{
    uint8_t key[2 + MS_ID_MAX];
    size_t key_len = household_key(h->id, key);
    if (h->count == 0)
        return ms_txn_del(txn, MS_TABLE_INDEX, key, key_len, err);
    uint8_t value[1 + MS_HOUSEHOLD_MEMBERS_MAX * (sizeof(ms_span_t) + 1 + MS_KEY_MAX)];
    uint8_t *p = value;
    *p++ = (uint8_t)h->count;
    for (size_t i = 0; i < h->count; i++) {
        size_t len = strlen(h->members[i].id);
        memcpy(p, &h->members[i].span, sizeof(ms_span_t));
        p[sizeof(ms_span_t)] = (uint8_t)len;
        memcpy(p + sizeof(ms_span_t) + 1, h->members[i].id, len);
        p += sizeof(ms_span_t) + 1 + len;
    }
    return ms_txn_put(txn, MS_TABLE_INDEX, key, key_len, value, (size_t)(p - value), 0, err);
}

int ms_household_set(ms_household_t *h, const char *id, const ms_span_t *span, ms_error_t *err)
{
    size_t i = 0;
    while (i < h->count && strcmp(h->members[i].id, id) != 0)
        i++;
    if (!span) {
        if (i < h->count)
            h->members[i] = h->members[--h->count];
        return 0;
    }
    if (i == h->count) {
        if (h->count == MS_HOUSEHOLD_MEMBERS_MAX)
            return ms_error_set(err, MS_EINVAL, "household",
                                "household %s has more than %d members", h->id,
                                MS_HOUSEHOLD_MEMBERS_MAX);
        size_t len = strnlen(id, MS_KEY_MAX);
        memcpy(h->members[h->count].id, id, len);
        h->members[h->count++].id[len] = 0;
    }
    h->members[i].span = *span;
    return 0;
}

void ms_household_cover(const ms_household_t *h, ms_cover_t *cover)
{
    cover->count = 0;
    for (size_t i = 0; i < h->count; i++)
        ms_cover_add(cover, h->members[i].span);
}
