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
//  Publishing compares each month's values with the reports already in
//  the public feed and appends only those that changed. It judges each
//  report as every reader will (ms_report_judge, indicator.h): a figure
//  past its bound is withheld with a warning, and an earlier report for
//  its key withdrawn (deleted), so the node never signs a value a reader
//  would set aside, and no level above keeps a stale one.

#ifndef MS_TALLY_H
#define MS_TALLY_H

#include "mutsync/node.h"
#include "mutsync/registers.h"

#define MS_TALLY_MONTHS_MAX 120  //  months reported, back from the latest
#define MS_TALLY_BATCH 1000      //  reports per change set

//  Applies one change of the node's own records (any collection; those the
//  tally does not count are ignored). NOW is the UTC time the change is
//  applied. Returns 0 or a store error.
MS_MUST_CHECK int ms_tally_apply(ms_node_t *node, ms_txn_t *txn, const ms_change_t *change,
                                 const ms_stored_record_t *old, int64_t now, ms_error_t *err);

//  True when reports wait to be published at NOW (changed months, or the
//  reported range moved with the clock). A read transaction is enough.
MS_MUST_CHECK int ms_tally_pending(ms_txn_t *txn, int64_t now, bool *pending, ms_error_t *err);

//  Appends to the public feed, inside TXN, the reports whose value changed
//  since they were last published (nothing at a node that is not a
//  mutual). *COUNT_P gets the number of reports written. Returns 0, or a
//  store or signing error.
MS_MUST_CHECK int ms_tally_publish(ms_node_t *node, ms_txn_t *txn, int64_t now, size_t *count_p,
                                   ms_error_t *err);

//  The value of indicator CODE for month YYYYMM as the tally holds it now
//  (NUMERATOR and DENOMINATOR for ratios; may be NULL). Returns 0 or
//  MS_ENOTFOUND for a code the tally does not compute.
MS_MUST_CHECK int ms_tally_value(ms_node_t *node, ms_txn_t *txn, const char *code, uint32_t yyyymm,
                                 double *value, double *numerator, double *denominator,
                                 ms_error_t *err);

#endif
