//  tally - per-month counters of a mutual, moved by differences.
//
//  DESIGN. Stocks are kept as difference arrays: a person counting from
//  month E until (not including) month L adds +1 at E and -1 at L, so a
//  member change touches two cells whatever the number of months, and the
//  stock of month M is the sum of the cells up to M (one short scan over
//  months, never over members). Flows are plain sums per month. A member's
//  counted interval follows from its record while it is active (from its
//  enrolment month on); only a member whose interval has an end (it left,
//  or was first seen as not active) keeps it in "Tm", since the month the
//  node learnt of the leaving is history the record does not hold. Each
//  household keeps its members' intervals in one "Th" entry, so a change
//  knows exactly what to take back: a household's coverage is the union
//  of its members' intervals, taken before and after the change. "Tx" holds
//  the range of flow months and the earliest month changed since the last
//  publication.
//  Within one write transaction the counters, "Tx" and the last two
//  households used are kept in memory (pending_t, a pending state of the
//  transaction, store.h) and written once before the commit, or before
//  the tally reads them: an import of a million members then writes each
//  month's cell once, and each household once per run of its members.
//
//  Keys in MS_TABLE_INDEX:
//    "Tc" counter(1) month(4 BE)  -> int64 (difference or sum)
//    "Tm" member id               -> mstate_t + household id (ended intervals only)
//    "Th" household               -> its members and spans (household.c)
//    "Tx"                         -> meta_t
//  Callers: views.c (the hook), reports.c (figures and publication).

#include "mutsync/tally.h"

#include "mutsync/household.h"
#include "mutsync/indicator.h"
#include "mutsync/replica.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    ms_span_t span;
    uint8_t sex;       //  ms_sex_t
    uint8_t category;  //  ms_category_t
} mstate_t;

typedef struct {
    uint32_t first;      //  earliest flow month; 0 = none yet
    uint32_t last;       //  latest flow month
    uint32_t dirty;      //  earliest month changed since publication; 0 = none
    uint32_t pub_first;  //  range published last time
    uint32_t pub_last;   //
} meta_t;

static int counter_write(ms_txn_t *txn, int counter, uint32_t month, int64_t delta, ms_error_t *err)
{
    if (delta == 0)
        return 0;
    uint8_t key[7] = {'T', 'c', (uint8_t)counter, 0, 0, 0, 0};
    key[3] = (uint8_t)(month >> 24), key[4] = (uint8_t)(month >> 16);
    key[5] = (uint8_t)(month >> 8), key[6] = (uint8_t)month;
    ms_val_t val;
    int64_t value = 0;
    int rc = ms_txn_get(txn, MS_TABLE_INDEX, key, sizeof key, &val, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    if (rc == 0 && val.len == sizeof value)
        memcpy(&value, val.data, sizeof value);
    if (__builtin_add_overflow(value, delta, &value))
        return ms_error_set(err, MS_ESTORE, "tally", "counter %d of %u overflows", counter, month);
    return ms_txn_put(txn, MS_TABLE_INDEX, key, sizeof key, &value, sizeof value, 0, err);
}

static int meta_get(ms_txn_t *txn, meta_t *meta, ms_error_t *err)
{
    memset(meta, 0, sizeof *meta);
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_INDEX, "Tx", 2, &val, err);
    if (rc == 0 && val.len == sizeof *meta)
        memcpy(meta, val.data, sizeof *meta);
    return rc == MS_ENOTFOUND ? 0 : rc;
}

static int meta_put(ms_txn_t *txn, const meta_t *meta, ms_error_t *err)
{
    return ms_txn_put(txn, MS_TABLE_INDEX, "Tx", 2, meta, sizeof *meta, 0, err);
}

//  What the tally keeps in memory during one write transaction.
#define PENDING_YEAR_FIRST 1900
#define PENDING_MONTHS (201 * 12)  //  1900-01 to 2100-12; other months are written at once

typedef struct {
    ms_household_t household;  //  as loaded, then changed
    bool changed;              //  to be saved
} home_t;

typedef struct {
    int64_t cells[MS_TALLY_COUNTERS][PENDING_MONTHS];  //  counter moves not yet written
    bool moved;                                        //  some cell is not 0
    meta_t meta;                                       //  "Tx" as it will be
    bool meta_loaded;                                  //  META holds "Tx"
    bool meta_changed;                                 //  META differs from "Tx"
    home_t homes[2];                                   //  the last two households used
    int next_home;                                     //  the one to reuse next
} pending_t;

static int month_index(uint32_t month)
{
    uint32_t year = month / 100, number = month % 100;
    if (year < PENDING_YEAR_FIRST || number < 1 || number > 12)
        return -1;
    uint32_t index = (year - PENDING_YEAR_FIRST) * 12 + number - 1;
    return index < PENDING_MONTHS ? (int)index : -1;
}

static int pending_flush(ms_txn_t *txn, void *state, ms_error_t *err)
{
    pending_t *p = state;
    int rc = 0;
    for (int counter = 0; p->moved && rc == 0 && counter < MS_TALLY_COUNTERS; counter++)
        for (int i = 0; rc == 0 && i < PENDING_MONTHS; i++) {
            if (!p->cells[counter][i])
                continue;
            uint32_t month = (uint32_t)((PENDING_YEAR_FIRST + i / 12) * 100 + i % 12 + 1);
            rc = counter_write(txn, counter, month, p->cells[counter][i], err);
            p->cells[counter][i] = 0;
        }
    p->moved = false;
    if (rc == 0 && p->meta_changed)
        rc = meta_put(txn, &p->meta, err);
    p->meta_loaded = p->meta_changed = false;
    for (int i = 0; rc == 0 && i < 2; i++) {
        if (p->homes[i].changed)
            rc = ms_household_save(txn, &p->homes[i].household, err);
        p->homes[i].changed = false;
        p->homes[i].household.id[0] = 0;
    }
    return rc;
}

static void pending_destroy(void *state)
{
    free(state);
}

static const ms_pending_kind_t pending_kind = {pending_flush, pending_destroy};

//  The pending state of TXN, made on first use.
static int pending_of(ms_txn_t *txn, pending_t **pending_p, ms_error_t *err)
{
    *pending_p = ms_txn_pending(txn, &pending_kind);
    if (*pending_p)
        return 0;
    pending_t *p = calloc(1, sizeof *p);
    if (!p)
        return ms_error_set(err, MS_ENOMEM, "tally", "no memory for the counters");
    int rc = ms_txn_set_pending(txn, &pending_kind, p, err);
    *pending_p = rc ? NULL : p;
    return rc;
}

//  Writes what TXN holds pending, before the tally reads the store.
static int settle(ms_txn_t *txn, ms_error_t *err)
{
    pending_t *p = ms_txn_pending(txn, &pending_kind);
    return p ? pending_flush(txn, p, err) : 0;
}

static int counter_add(pending_t *p, ms_txn_t *txn, int counter, uint32_t month, int64_t delta,
                       ms_error_t *err)
{
    int i = month_index(month);
    if (i < 0)
        return counter_write(txn, counter, month, delta, err);
    if (__builtin_add_overflow(p->cells[counter][i], delta, &p->cells[counter][i]))
        return ms_error_set(err, MS_ESTORE, "tally", "counter %d of %u overflows", counter, month);
    p->moved = true;
    return 0;
}

//  The stock cells one member change moves, netted before any is written:
//  taking a household's cover back and putting it again mostly cancels out.
#define DELTAS_MAX 1024

typedef struct {
    int counter;
    uint32_t month;  //  YYYYMM
    int64_t delta;
} cell_delta_t;

typedef struct {
    cell_delta_t cells[DELTAS_MAX];
    size_t count;
} deltas_t;

static void delta_note(deltas_t *d, int counter, uint32_t month, int64_t delta)
{
    for (size_t i = 0; i < d->count; i++)
        if (d->cells[i].counter == counter && d->cells[i].month == month) {
            d->cells[i].delta += delta;
            return;
        }
    assert(d->count < DELTAS_MAX);  //  2 households x 2 covers x 64 spans x 2 cells, + persons
    d->cells[d->count++] = (cell_delta_t){counter, month, delta};
}

static int deltas_flush(pending_t *p, ms_txn_t *txn, const deltas_t *d, ms_error_t *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < d->count; i++)
        rc = counter_add(p, txn, d->cells[i].counter, d->cells[i].month, d->cells[i].delta, err);
    return rc;
}

static void span_add(deltas_t *d, int counter, ms_span_t span, int sign)
{
    if (span.until && span.until <= span.from)
        return;
    delta_note(d, counter, span.from, sign);
    if (span.until)
        delta_note(d, counter, span.until, -sign);
}

//  Notes that MONTH changed; FLOW months also widen the reported range.
static int touch(pending_t *p, ms_txn_t *txn, uint32_t month, bool flow, ms_error_t *err)
{
    if (!p->meta_loaded) {
        int rc = meta_get(txn, &p->meta, err);
        if (rc)
            return rc;
        p->meta_loaded = true;
    }
    if (!month)
        return 0;
    meta_t *meta = &p->meta;
    meta_t before = *meta;
    if (!meta->dirty || month < meta->dirty)
        meta->dirty = month;
    if (flow && (!meta->first || month < meta->first))
        meta->first = month;
    if (flow && month > meta->last)
        meta->last = month;
    if (memcmp(&before, meta, sizeof *meta) != 0)
        p->meta_changed = true;
    return 0;
}

static void cover_apply(deltas_t *d, const ms_cover_t *cover, int sign)
{
    for (size_t i = 0; i < cover->count; i++)
        span_add(d, MS_TALLY_HOUSEHOLDS, cover->spans[i], sign);
}

//  ---------------------------------------------------------------------------
//  Members

static int member_get(ms_txn_t *txn, const char *id, mstate_t *state, char *household,
                      ms_error_t *err)
{
    uint8_t key[2 + MS_KEY_MAX];
    size_t len = strlen(id);
    memcpy(key, "Tm", 2);
    memcpy(key + 2, id, len);
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_INDEX, key, 2 + len, &val, err);
    if (rc)
        return rc;
    if (val.len < sizeof *state || val.len - sizeof *state > MS_ID_MAX)
        return ms_error_set(err, MS_ESTORE, "tally", "member state of %s is damaged", id);
    memcpy(state, val.data, sizeof *state);
    memcpy(household, val.data + sizeof *state, val.len - sizeof *state);
    household[val.len - sizeof *state] = 0;
    return 0;
}

static int member_put(ms_txn_t *txn, const char *id, const mstate_t *state, const char *household,
                      ms_error_t *err)
{
    uint8_t key[2 + MS_KEY_MAX], value[sizeof *state + MS_ID_MAX];
    size_t len = strlen(id), hlen = strlen(household);
    memcpy(key, "Tm", 2);
    memcpy(key + 2, id, len);
    if (!state || !state->span.until)
        return ms_txn_del(txn, MS_TABLE_INDEX, key, 2 + len, err);
    memcpy(value, state, sizeof *state);
    memcpy(value + sizeof *state, household, hlen);
    return ms_txn_put(txn, MS_TABLE_INDEX, key, 2 + len, value, sizeof *state + hlen, 0, err);
}

static void person_apply(deltas_t *d, const mstate_t *state, int sign)
{
    span_add(d, MS_TALLY_PERSONS, state->span, sign);
    if (state->category == MS_CATEGORY_ADHERENT)
        span_add(d, MS_TALLY_ADHERENTS, state->span, sign);
    if (state->sex == MS_SEX_F)
        span_add(d, MS_TALLY_WOMEN, state->span, sign);
}

//  The month of NOW (UTC seconds).
static uint32_t month_of_now(int64_t now)
{
    return ms_month_of_date((int32_t)(now / 86400));
}

//  The span the rules of the header give the new record.
static ms_span_t next_span(const mstate_t *old, const ms_member_t *member, int64_t now)
{
    uint32_t from = ms_month_of_date(member->enrollment_date);
    ms_span_t span = {from, 0};
    if (member->status == MS_STATUS_ACTIVE)
        return span;
    if (!old) {
        span.until = from;
    } else if (!old->span.until) {
        uint32_t now_month = month_of_now(now);
        span.until = now_month > from ? now_month : from;
    } else {
        span.until = old->span.until > from ? old->span.until : from;
    }
    return span;
}

//  The state a member had before this change: its "Tm" entry when its
//  interval had an end, else what its active record implies. A member
//  without a record has no "Tm" entry: removing the record removes it.
static int old_state(ms_txn_t *txn, const char *id, const ms_stored_record_t *old, mstate_t *state,
                     char *household, ms_error_t *err)
{
    if (!old)
        return MS_ENOTFOUND;
    int rc = member_get(txn, id, state, household, err);
    if (rc != MS_ENOTFOUND)
        return rc;
    ms_member_t member;
    if (!old || ms_member_decode(old->value, old->value_len, &member, NULL) != 0)
        return MS_ENOTFOUND;
    memset(state, 0, sizeof *state);
    state->span.from = ms_month_of_date(member.enrollment_date);
    state->sex = (uint8_t)member.sex;
    state->category = (uint8_t)member.category;
    snprintf(household, MS_ID_MAX + 1, "%s", member.household_id);
    return 0;
}

//  Household ID from the two kept in P (loading it in place of the one
//  that is not OTHER, saved first when changed); ID NULL: NONE, emptied.
static int home_take(pending_t *p, ms_txn_t *txn, const char *id, const char *other,
                     ms_household_t *none, home_t **home_p, ms_household_t **household_p,
                     ms_error_t *err)
{
    *home_p = NULL;
    *household_p = none;
    if (!id)
        return ms_household_load(txn, NULL, none, err);
    for (int i = 0; i < 2; i++)
        if (p->homes[i].household.id[0] && strcmp(p->homes[i].household.id, id) == 0) {
            *home_p = &p->homes[i];
            *household_p = &p->homes[i].household;
            return 0;
        }
    home_t *home = &p->homes[p->next_home];
    if (other && strcmp(home->household.id, other) == 0)
        home = &p->homes[1 - p->next_home];
    p->next_home = (int)(home - p->homes) ^ 1;
    int rc = home->changed ? ms_household_save(txn, &home->household, err) : 0;
    home->changed = false;
    if (rc == 0)
        rc = ms_household_load(txn, id, &home->household, err);
    if (rc) {
        home->household.id[0] = 0;
        return rc;
    }
    *home_p = home;
    *household_p = &home->household;
    return 0;
}

static int apply_member(pending_t *p, ms_txn_t *txn, const ms_change_t *change,
                        const ms_stored_record_t *old_record, int64_t now, ms_error_t *err)
{
    mstate_t old, next;
    char old_household[MS_ID_MAX + 1] = "";
    int rc = old_state(txn, change->key, old_record, &old, old_household, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    bool had = rc == 0;
    ms_member_t member;  //  read only when HAS; the decoder fills it whole
    memset(&next, 0, sizeof next);
    bool has = change->op == MS_OP_UPSERT &&
               ms_member_decode(change->value, change->value_len, &member, NULL) == 0;
    if (has) {
        next.span = next_span(had ? &old : NULL, &member, now);
        next.sex = (uint8_t)member.sex;
        next.category = (uint8_t)member.category;
    }
    //  The households it leaves and joins (one when it stays).
    ms_household_t none[2];  //  35 KiB each
    ms_household_t *households[2];
    home_t *homes[2];
    const char *ids[2] = {had ? old_household : NULL, has ? member.household_id : NULL};
    if (ids[0] && ids[1] && strcmp(ids[0], ids[1]) == 0)
        ids[1] = NULL;
    deltas_t deltas;  //  16 KiB
    deltas.count = 0;
    ms_cover_t cover;
    rc = 0;
    for (int i = 0; rc == 0 && i < 2; i++) {
        rc = home_take(p, txn, ids[i], ids[1 - i], &none[i], &homes[i], &households[i], err);
        if (rc)
            break;
        ms_household_cover(households[i], &cover);
        cover_apply(&deltas, &cover, -1);
    }
    if (had)
        person_apply(&deltas, &old, -1);
    if (has)
        person_apply(&deltas, &next, +1);
    if (rc == 0 && had)
        rc = ms_household_set(households[0], change->key, NULL, err);
    if (rc == 0 && has)
        rc = ms_household_set(households[ids[1] ? 1 : 0], change->key, &next.span, err);
    for (int i = 0; rc == 0 && i < 2; i++) {
        ms_household_cover(households[i], &cover);
        cover_apply(&deltas, &cover, +1);
        if (homes[i])
            homes[i]->changed = true;
    }
    if (rc == 0)
        rc = deltas_flush(p, txn, &deltas, err);
    //  A "Tm" entry exists exactly when the old interval had an end.
    bool stored = had && old.span.until, needed = has && next.span.until;
    if (rc == 0 && (stored || needed))
        rc = member_put(txn, change->key, has ? &next : NULL, has ? member.household_id : "", err);
    uint32_t dirty = 0;
    if (had)
        dirty = old.span.from;
    if (has && (!dirty || next.span.from < dirty))
        dirty = next.span.from;
    if (rc == 0)
        rc = touch(p, txn, dirty, false, err);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Flows

typedef struct {
    uint32_t month;
    int64_t amounts[MS_TALLY_COUNTERS];
} flow_t;

//  What one record adds to the flows of its month (month 0: nothing).
static void flows_of(ms_collection_t collection, const uint8_t *value, size_t len, flow_t *flow)
{
    memset(flow, 0, sizeof *flow);
    if (!value)
        return;
    if (collection == MS_COLL_CONTRIBUTION) {
        ms_contribution_t c;
        if (ms_contribution_decode(value, len, &c, NULL) != 0)
            return;
        flow->month = c.period;
        flow->amounts[MS_TALLY_DUE] = (int64_t)c.amount_due;
        flow->amounts[MS_TALLY_PAID] = (int64_t)c.amount_paid;
    } else if (collection == MS_COLL_CLAIM) {
        ms_claim_t c;
        if (ms_claim_decode(value, len, &c, NULL) != 0 ||
            ms_claim_status_parse(c.status) == MS_CLAIM_STATUS_REJECTED)
            return;
        flow->month = ms_month_of_date(c.care_date);
        flow->amounts[MS_TALLY_CLAIMS] = 1;
        flow->amounts[MS_TALLY_GENERIC] = c.generic_drugs;
        flow->amounts[MS_TALLY_BILLED] = (int64_t)c.billed;
        flow->amounts[MS_TALLY_COVERED] = (int64_t)c.covered;
        flow->amounts[MS_TALLY_SONU] = strcasecmp(c.care_type, "sonu") == 0;
    } else if (collection == MS_COLL_COMPLAINT) {
        ms_complaint_t c;
        if (ms_complaint_decode(value, len, &c, NULL) != 0)
            return;
        flow->month = ms_month_of_date(c.date);
        flow->amounts[MS_TALLY_COMPLAINTS] = 1;
    }
}

static int flow_apply(pending_t *p, ms_txn_t *txn, const flow_t *flow, int sign, ms_error_t *err)
{
    if (!flow->month)
        return 0;
    int rc = 0;
    for (int i = MS_TALLY_STOCKS; rc == 0 && i < MS_TALLY_COUNTERS; i++)
        rc = counter_add(p, txn, i, flow->month, sign * flow->amounts[i], err);
    return rc == 0 ? touch(p, txn, flow->month, true, err) : rc;
}

int ms_tally_apply(ms_node_t *node, ms_txn_t *txn, const ms_change_t *change,
                   const ms_stored_record_t *old, int64_t now, ms_error_t *err)
{
    pending_t *p = NULL;
    switch (change->collection) {
    case MS_COLL_MEMBER:
    case MS_COLL_CONTRIBUTION:
    case MS_COLL_CLAIM:
    case MS_COLL_COMPLAINT:
    case MS_COLL_ORG: {
        int rc = pending_of(txn, &p, err);
        if (rc)
            return rc;
        break;
    }
    default:
        return 0;
    }
    switch (change->collection) {
    case MS_COLL_MEMBER:
        return apply_member(p, txn, change, old, now, err);
    case MS_COLL_CONTRIBUTION:
    case MS_COLL_CLAIM:
    case MS_COLL_COMPLAINT: {
        flow_t before, after;
        flows_of(change->collection, old ? old->value : NULL, old ? old->value_len : 0, &before);
        flows_of(change->collection, change->op == MS_OP_UPSERT ? change->value : NULL,
                 change->value_len, &after);
        int rc = flow_apply(p, txn, &before, -1, err);
        return rc ? rc : flow_apply(p, txn, &after, +1, err);
    }
    case MS_COLL_ORG:
        //  The target population moved: every reported month may change.
        return strcmp(change->key, ms_node_identity(node)->org) == 0
                   ? touch(p, txn, 190001, false, err)
                   : 0;
    default:
        return 0;
    }
}

//  The reported range for META at NOW_MONTH, as the header says.
static void range_of(const meta_t *meta, uint32_t now_month, uint32_t *first, uint32_t *last)
{
    *last = meta->last > now_month ? meta->last : now_month;
    *first = meta->first && meta->first < now_month ? meta->first : now_month;
    uint32_t oldest = ms_month_back(*last, MS_TALLY_MONTHS_MAX - 1);
    if (*first < oldest)
        *first = oldest;
}

int ms_tally_due(ms_txn_t *txn, int64_t now, ms_tally_due_t *due, ms_error_t *err)
{
    meta_t meta = {0};
    memset(due, 0, sizeof *due);
    int rc = settle(txn, err);
    if (rc == 0)
        rc = meta_get(txn, &meta, err);
    if (rc)
        return rc;
    range_of(&meta, ms_month_of_date((int32_t)(now / 86400)), &due->first, &due->last);
    bool moved = due->first != meta.pub_first || due->last != meta.pub_last;
    due->due = meta.dirty != 0 || moved;
    due->start = !moved && meta.dirty > due->first ? meta.dirty : due->first;
    return 0;
}

int ms_tally_pending(ms_txn_t *txn, int64_t now, bool *pending, ms_error_t *err)
{
    ms_tally_due_t due;
    int rc = ms_tally_due(txn, now, &due, err);
    *pending = rc == 0 && due.due;
    return rc;
}

int ms_tally_published(ms_txn_t *txn, const ms_tally_due_t *due, ms_error_t *err)
{
    meta_t meta;
    int rc = settle(txn, err);
    if (rc == 0)
        rc = meta_get(txn, &meta, err);
    if (rc)
        return rc;
    meta.dirty = 0;
    meta.pub_first = due->first;
    meta.pub_last = due->last;
    return meta_put(txn, &meta, err);
}

//  ---------------------------------------------------------------------------
//  Figures

static int stock_at(ms_txn_t *txn, int counter, uint32_t month, int64_t *value, ms_error_t *err)
{
    uint8_t prefix[3] = {'T', 'c', (uint8_t)counter};
    ms_cursor_t *cursor;
    *value = 0;
    int rc = ms_cursor_open(txn, MS_TABLE_INDEX, prefix, sizeof prefix, &cursor, err);
    if (rc)
        return rc;
    ms_val_t key, val;
    int64_t sum = 0;
    while ((rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        uint32_t at = (uint32_t)key.data[3] << 24 | (uint32_t)key.data[4] << 16 |
                      (uint32_t)key.data[5] << 8 | key.data[6];
        if (at > month)
            break;
        int64_t delta = 0;
        if (val.len == sizeof delta)
            memcpy(&delta, val.data, sizeof delta);
        if (__builtin_add_overflow(sum, delta, &sum)) {
            rc = ms_error_set(err, MS_ESTORE, "tally", "stock counter %d overflows", counter);
            break;
        }
    }
    ms_cursor_close(&cursor);
    *value = sum;
    return rc < 0 ? rc : 0;
}

int ms_tally_figures(ms_txn_t *txn, uint32_t month, int64_t figures[MS_TALLY_COUNTERS],
                     ms_error_t *err)
{
    memset(figures, 0, MS_TALLY_COUNTERS * sizeof *figures);
    int rc = settle(txn, err);
    for (int i = 0; rc == 0 && i < MS_TALLY_STOCKS; i++)
        rc = stock_at(txn, i, month, &figures[i], err);
    for (int i = MS_TALLY_STOCKS; rc == 0 && i < MS_TALLY_COUNTERS; i++) {
        uint8_t key[7] = {'T',
                          'c',
                          (uint8_t)i,
                          (uint8_t)(month >> 24),
                          (uint8_t)(month >> 16),
                          (uint8_t)(month >> 8),
                          (uint8_t)month};
        ms_val_t val;
        rc = ms_txn_get(txn, MS_TABLE_INDEX, key, sizeof key, &val, err);
        if (rc == 0 && val.len == sizeof figures[i])
            memcpy(&figures[i], val.data, sizeof figures[i]);
        if (rc == MS_ENOTFOUND)
            rc = 0;
    }
    return rc;
}
