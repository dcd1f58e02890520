//  reports - a mutual's indicators from its tally's counters (tally.h),
//  and their publication as `report` records of its public feed.
//
//  Publishing compares each month's values with the reports already in
//  the public feed and appends only those that changed. It judges each
//  report as every reader will (ms_report_judge, indicator.h): a figure
//  past its bound is withheld with a warning, and an earlier report for
//  its key withdrawn (deleted), so the node never signs a value a reader
//  would set aside, and no level above keeps a stale one.

#ifndef MS_REPORTS_H
#define MS_REPORTS_H

#include "mutsync/node.h"

#define MS_REPORTS_BATCH 1000  //  reports per change set

//  Appends to the public feed, inside TXN, the reports whose value changed
//  since they were last published (nothing at a node that is not a
//  mutual). *COUNT_P gets the number of reports written. Returns 0, or a
//  store or signing error.
MS_MUST_CHECK int ms_reports_publish(ms_node_t *node, ms_txn_t *txn, int64_t now, size_t *count_p,
                                     ms_error_t *err);

//  The value of indicator CODE for month YYYYMM as the tally holds it now
//  (NUMERATOR and DENOMINATOR for ratios; may be NULL). Returns 0 or
//  MS_ENOTFOUND for a code the tally does not compute.
MS_MUST_CHECK int ms_reports_value(ms_node_t *node, ms_txn_t *txn, const char *code,
                                   uint32_t yyyymm, double *value, double *numerator,
                                   double *denominator, ms_error_t *err);

#endif
