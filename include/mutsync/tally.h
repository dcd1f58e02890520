//  tally - a mutual's own indicators, per month, kept by differences as its
//  registers change, and published as `report` records.
//
//  The views hook (views.h) calls ms_tally_apply for every change the node
//  applies to its own member, contribution, claim and complaint records
//  and to its own org card, with the record replaced. Each call moves a
//  few per-month counters (MS_TABLE_INDEX, keys starting with "T") by the
//  difference between the old and the new record: no rescan of the
//  registers, whatever their size.
//
//  Stocks (beneficiaries, adherents, women_beneficiaries, households) are
//  the register as of each month's end. A member counts in month M when
//  enrolled on or before the end of M and active in M, where:
//  - a member recorded as active counts from the enrolment month on;
//  - a member first recorded as suspended or left never counts (when they
//    were covered is not known);
//  - an active member later recorded as suspended or left stops counting
//    from the month this node applies the change (the node's clock): they
//    count in the months before it, not in it, as the register at the end
//    of that month no longer holds them;
//  - a member made active again counts from the enrolment month again.
//  A household counts in month M when one of its members does.
//  Flows are sums over the month: contributions by their period; claims
//  (all but status "rejected") by care date; complaints by date.
//
//  Reported months run from the earliest month holding a contribution,
//  claim or complaint (or the current month) to the later of the latest
//  such month and the current month, at most MS_TALLY_MONTHS_MAX of them.
//  reports.h turns the counters into indicators and publishes them; the
//  tally tells it which months are due (ms_tally_due) and records what
//  was published (ms_tally_published).

#ifndef MS_TALLY_H
#define MS_TALLY_H

#include "mutsync/node.h"
#include "mutsync/registers.h"

#define MS_TALLY_MONTHS_MAX 120  //  months reported, back from the latest

//  The counters, stocks first.
typedef enum {
    MS_TALLY_PERSONS,     //  stock: beneficiaries
    MS_TALLY_ADHERENTS,   //  stock
    MS_TALLY_WOMEN,       //  stock: women beneficiaries
    MS_TALLY_HOUSEHOLDS,  //  stock
    MS_TALLY_DUE,         //  flows: contributions due (XOF)
    MS_TALLY_PAID,        //  contributions paid (XOF)
    MS_TALLY_CLAIMS,      //  claims not rejected
    MS_TALLY_GENERIC,     //  of which generic drugs
    MS_TALLY_BILLED,      //  billed (XOF)
    MS_TALLY_COVERED,     //  covered (XOF)
    MS_TALLY_SONU,        //  emergency obstetric care cases
    MS_TALLY_COMPLAINTS,  //
    MS_TALLY_COUNTERS
} ms_tally_counter_t;
#define MS_TALLY_STOCKS 4

//  Applies one change of the node's own records (any collection; those the
//  tally does not count are ignored). NOW is the UTC time the change is
//  applied. Returns 0 or a store error.
MS_MUST_CHECK int ms_tally_apply(ms_node_t *node, ms_txn_t *txn, const ms_change_t *change,
                                 const ms_stored_record_t *old, int64_t now, ms_error_t *err);

//  True when reports wait to be published at NOW (changed months, or the
//  reported range moved with the clock). A read transaction is enough.
MS_MUST_CHECK int ms_tally_pending(ms_txn_t *txn, int64_t now, bool *pending, ms_error_t *err);

//  The value of every counter for month YYYYMM, as the tally holds it now.
MS_MUST_CHECK int ms_tally_figures(ms_txn_t *txn, uint32_t yyyymm,
                                   int64_t figures[MS_TALLY_COUNTERS], ms_error_t *err);

//  What is to be published at NOW: the reported range FIRST..LAST, and
//  whether reports wait (DUE) from month START on.
typedef struct {
    uint32_t first, last;  //  YYYYMM
    uint32_t start;        //  YYYYMM
    bool due;              //
} ms_tally_due_t;
MS_MUST_CHECK int ms_tally_due(ms_txn_t *txn, int64_t now, ms_tally_due_t *due, ms_error_t *err);

//  Records that DUE was published.
MS_MUST_CHECK int ms_tally_published(ms_txn_t *txn, const ms_tally_due_t *due, ms_error_t *err);

#endif
