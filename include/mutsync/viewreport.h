//  viewreport - reports judged, held while their month is ahead, counted.
//
//  A report counts only when ms_report_judge (indicator.h) lets it, and
//  only in its month: a report more than one month ahead of this node's
//  clock is valid and kept, but held ("F" keys in MS_TABLE_VIEWS: month
//  (4 BE) owner NUL key) until the node is opened in or after the month
//  before it. Counting a report sets the reporting org's own cell for the
//  month its key names (viewcell.h moves everything above by the
//  difference). Used by views.c (the hook, rebuilds) and by views.h's
//  readers; views.h includes this header.

#ifndef MS_VIEWREPORT_H
#define MS_VIEWREPORT_H

#include "mutsync/viewtree.h"

//  The value check accept calls (ms_check_fn, registered by ms_views_attach
//  as the hook's CHECK; CTX is the node): a report upsert whose figures
//  break a rule of ms_report_judge (indicator.h), or that does not decode,
//  returns 1 with the reason in DETAIL (CAP bytes): accept keeps the change
//  set in the chain and sets the change aside. Any other change returns 0.
//  Negative: a store failure.
MS_MUST_CHECK int ms_views_check(ms_txn_t *txn, const char *owner, const ms_change_t *change,
                                 void *ctx, char *detail, size_t cap, ms_error_t *err);

//  The last month counted at NOW (UTC seconds): the month after NOW's. A
//  report for a later month is valid and kept, but held out of the views
//  until the node's clock reaches the month before it; the clock decides
//  only what is counted, never what is accepted.
uint32_t ms_views_count_limit(int64_t now);

//  What became of a report change in the views.
typedef enum {
    MS_VIEWREPORT_IGNORED,  //  outside the views: disaggregated, another subtree's, a delete
    MS_VIEWREPORT_COUNTED,  //  its figures are in the cells
    MS_VIEWREPORT_HELD,     //  kept until its month comes
    MS_VIEWREPORT_ASIDE,    //  a figure or the key breaks a rule: not counted
} ms_viewreport_fate_t;

//  Moves the cells by the report change CHANGE of OWNER at NOW, inside
//  NODE's write transaction TXN: the cell its key names takes the new
//  report's figures when they may be counted and its month has come, and
//  nothing otherwise (the report it replaces is taken back by the same
//  difference). *FATE says which; DETAIL (CAP bytes) why a report was set
//  aside. Returns 0 or a store error.
MS_MUST_CHECK int ms_viewreport_apply(ms_node_t *node, ms_txn_t *txn, const char *owner,
                                      const ms_change_t *change, int64_t now,
                                      ms_viewreport_fate_t *fate, char *detail, size_t cap,
                                      ms_error_t *err);

//  Counts the held reports whose month has come by NOW, in one write
//  transaction (none when nothing is due). ms_views_attach calls it, so
//  every program that opens the node counts them. *COUNT_P (may be NULL)
//  gets the number of reports now counted.
MS_MUST_CHECK int ms_views_promote(ms_node_t *node, int64_t now, size_t *count_p, ms_error_t *err);

//  Calls FN for each held report, by month then org then key: OWNER, the
//  record KEY and its MONTH (YYYYMM). FN returning non-zero stops the walk
//  and is returned.
typedef int (*ms_view_held_fn)(const char *owner, const char *key, uint32_t month, void *ctx);
MS_MUST_CHECK int ms_views_held(ms_txn_t *txn, ms_view_held_fn fn, void *ctx, ms_error_t *err);

#endif
