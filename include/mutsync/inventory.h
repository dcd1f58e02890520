//  inventory - the secretariat's synthesis of mutuals from their org cards,
//  kept by differences.
//
//  Every org card of a mutual in the node's subtree counts, through the
//  views hook, in the inventory cells of its country ("c:CC") and of each
//  org from itself up to this node ("s:ORG"), under its founding year: one
//  mutual, the guarantees it offers, its target population. A changed card
//  takes its old figures back and adds the new ones. A row for year Y sums
//  the founding years up to Y (cards without a date always count), so the
//  trend over years costs the same bounded scan as one year.
//  Members, beneficiaries, target population and penetration come from the
//  report cells of views.h, for the same scope and year (so the target
//  population and the penetration rate are those of the same mutuals: the
//  ones that reported). Each card also counts under the year it describes
//  (its yearly update, record.h's card_year), so "cards of year Y" is one
//  lookup.

#ifndef MS_INVENTORY_H
#define MS_INVENTORY_H

#include "mutsync/views.h"

enum {
    MS_GUARANTEE_PRIMARY_CARE,
    MS_GUARANTEE_HOSPITALIZATION,
    MS_GUARANTEE_CHILDBIRTH,
    MS_GUARANTEE_SONU,
    MS_GUARANTEE_DRUGS,
    MS_GUARANTEE_COUNT
};

//  "primary_care", "hospitalization", "childbirth", "sonu", "drugs".
const char *ms_guarantee_name(int guarantee);

typedef struct {
    uint64_t mutuals;                       //  founded on or before the year, or undated
    uint64_t offering[MS_GUARANTEE_COUNT];  //  of which offering each guarantee
    uint64_t target_population;             //  persons, summed over those mutuals
    uint64_t dated;                         //  mutuals with a founding date
    double average_age;                     //  years, over dated mutuals; 0 if none
    uint64_t cards_of_year;                 //  mutuals whose card describes the year itself
} ms_inventory_row_t;

//  Applies an org card change from OWNER (OLD is the card it replaces, or
//  NULL). Called by the views hook. Returns 0 or a store error.
MS_MUST_CHECK int ms_inventory_apply(ms_node_t *node, ms_txn_t *txn, const char *owner,
                                     const ms_change_t *change, const ms_stored_record_t *old,
                                     ms_error_t *err);

//  The inventory of SCOPE ("c:CC" or "s:ORG") for YEAR.
MS_MUST_CHECK int ms_inventory_row(ms_txn_t *txn, const char *scope, uint32_t year,
                                   ms_inventory_row_t *row, ms_error_t *err);

#endif
