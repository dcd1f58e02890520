//  household - a mutual's households as its indicators see them: the
//  interval each member is counted, and their union, the months the
//  household is covered. One index entry per household, read and written
//  once per member change. Used by tally.c inside the accept transaction.

#ifndef MS_HOUSEHOLD_H
#define MS_HOUSEHOLD_H

#include "mutsync/record.h"
#include "mutsync/store.h"

#define MS_COVER_SPANS_MAX 64         //  disjoint intervals in a household's cover
#define MS_HOUSEHOLD_MEMBERS_MAX 255  //  members one household entry holds

//  Months a person is counted: [from, until), months as YYYYMM.
typedef struct {
    uint32_t from;   //  first month counted
    uint32_t until;  //  first month no longer counted; 0 = still counted
} ms_span_t;

//  A union of spans: disjoint, sorted by start.
typedef struct {
    ms_span_t spans[MS_COVER_SPANS_MAX];
    size_t count;
} ms_cover_t;

typedef struct {
    char id[MS_ID_MAX + 1];  //  household id; empty: none
    size_t count;            //  members
    struct {
        ms_span_t span;
        char id[MS_KEY_MAX + 1];  //  member id
    } members[MS_HOUSEHOLD_MEMBERS_MAX];
} ms_household_t;

//  Adds SPAN to COVER, merging what overlaps or touches. Empty spans
//  (until <= from) add nothing.
void ms_cover_add(ms_cover_t *cover, ms_span_t span);

//  Reads household ID into H (no members when it has no entry; ID NULL or
//  empty: an empty household that is never saved). Returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_household_load(ms_txn_t *txn, const char *id, ms_household_t *h,
                                    ms_error_t *err);

//  Writes H back (removes its entry when it has no members). Returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_household_save(ms_txn_t *txn, const ms_household_t *h, ms_error_t *err);

//  Sets member ID's span in H, or removes the member when SPAN is NULL.
//  Returns 0, or MS_EINVAL past MS_HOUSEHOLD_MEMBERS_MAX members.
MS_MUST_CHECK int ms_household_set(ms_household_t *h, const char *id, const ms_span_t *span,
                                   ms_error_t *err);

//  The union of H's members' spans.
void ms_household_cover(const ms_household_t *h, ms_cover_t *cover);

#endif
