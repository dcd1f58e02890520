//  views - each level's aggregated picture, kept by differences.
//
//  EVERY PROGRAM THAT WRITES TO A NODE CALLS ms_views_attach RIGHT AFTER
//  ms_node_open (the mutsync commands through cli_open, mutsyncd at start).
//  It installs the apply hook through which accept hands every applied
//  change to this module, in the same write transaction as the change:
//  - the node's own registers move the mutual's monthly counters (tally.h);
//  - every `report` from an org of this node's subtree (itself included)
//    moves the view cells by the difference between the report it replaces
//    and the new one;
//  - every org card of the subtree moves the inventory (inventory.h).
//  A write made without the hook would leave the views behind, so a
//  program that forgets the call is wrong. As a safety net, the hook notes
//  the last seq it saw of each feed ("H" keys); ms_views_attach compares
//  them with the feed heads and, when some change set went by unseen, logs
//  a warning and rebuilds the views from the stored org cards and reports
//  (a mutual's own tally cannot be rebuilt that way: it keeps history, such
//  as the month a member left, that the records do not hold).
//
//  A cell holds, for a scope, a period and an indicator: the sum of the
//  values, of the numerators and of the denominators, and the number of
//  orgs reporting. Scopes: "o:ORG" (ORG's own reports), "s:ORG" (ORG's
//  subtree, ORG included, for ORG and every ancestor up to this node),
//  "c:CC" (a country). Over orgs cells sum; over time, cells for quarters
//  and years are kept at update time: flows add up the months, stocks take
//  each org's last month with data in the period, then sum over orgs;
//  ratios are read as sum(numerator) / sum(denominator). One report costs
//  a fixed number of row updates (one row of cells per scope: depth + 1),
//  and reading a cell is one or two lookups, whatever the number of mutuals.
//
//  Who is in the subtree comes from the trust chain: the certificate of
//  each org names its parent, and accept has verified the chain up to the
//  root before any report of that org is applied. Reports from orgs
//  outside the subtree (a sibling's, come down in a bundle) are kept as
//  records but left out of the views.
//
//  Tables: MS_TABLE_VIEWS, keys "C" (rows of cells, viewcell.c), "M" (subtree members), "N"
//  (countries), "I" (inventory, see inventory.h), "H" (seqs seen), "V"
//  (version marker); MS_TABLE_INDEX, keys "T" (the tally, tally.h).

#ifndef MS_VIEWS_H
#define MS_VIEWS_H

#include "mutsync/node.h"
#include "mutsync/viewcell.h"

#define MS_VIEWS_VERSION "views-4"  //  layout of the tables above

//  Installs the hook on NODE and brings the views up to date: the first
//  time (a new node, or one written before views existed) it builds them
//  from the stored records in one write transaction; when change sets were
//  applied without the hook since, it rebuilds them (see above). A secretariat that has
//  not published the indicator catalogue publishes the default one.
//  Returns 0 or a store or signing error (the hook is installed anyway).
MS_MUST_CHECK int ms_views_attach(ms_node_t *node, ms_error_t *err);

//  Publishes the mutual's pending reports (tally.h) in a write transaction
//  of its own; nothing at other nodes or when nothing changed. WHO CALLS
//  IT: every command that writes a mutual's registers, right after the
//  write (so its public feed and view are current), and every path by
//  which data leaves a node (bundle export, sync up) just before it, so
//  the parent never gets stale figures. The view commands call it before
//  reading. *COUNT_P (may be NULL) gets the number of reports appended.
MS_MUST_CHECK int ms_views_publish(ms_node_t *node, size_t *count_p, ms_error_t *err);

//  Appends the default catalogue's definitions that differ from what the
//  secretariat NODE has published. Refused (MS_EINVAL) on other nodes.
MS_MUST_CHECK int ms_views_publish_catalogue(ms_node_t *node, size_t *count_p, ms_error_t *err);

//  Reads the cell (SCOPE, PERIOD, INDICATOR, total disaggregation). A cell
//  never written reads as zeros with orgs 0. Returns 0 or MS_ESTORE.
//  ms_cell_value (viewcell.h) gives the figure a person reads.
MS_MUST_CHECK int ms_views_cell(ms_txn_t *txn, const char *scope, const ms_period_t *period,
                                const char *indicator, ms_cell_t *cell, ms_error_t *err);

//  ---------------------------------------------------------------------------
//  Judging reports, and reports held for a later month

//  The value check accept calls (ms_check_fn, registered by ms_views_attach
//  as the hook's CHECK; CTX is the node): a report upsert whose figures
//  break a rule of ms_report_judge (indicator.h), or that does not decode,
//  returns 1 with the reason in DETAIL (CAP bytes): accept keeps the change
//  set in the chain and sets the change aside. Any other change returns 0.
//  Negative: a store failure.
MS_MUST_CHECK int ms_views_check(ms_txn_t *txn, const char *owner, const ms_change_t *change,
                                 void *ctx, char *detail, size_t cap, ms_error_t *err);

//  The same judgement with ROOT's catalogue and no node, for tests and
//  for writers: 0 (may be counted), 1 (set aside, DETAIL says why) or a
//  negative store error.
MS_MUST_CHECK int ms_views_check_report(ms_txn_t *txn, const char *root, const ms_change_t *change,
                                        char *detail, size_t cap, ms_error_t *err);

//  The last month counted at NOW (UTC seconds): the month after NOW's. A
//  report for a later month is valid and kept, but held out of the views
//  until the node's clock reaches the month before it; the clock decides
//  only what is counted, never what is accepted.
uint32_t ms_views_count_limit(int64_t now);

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

//  What a rebuild found in the stored records.
typedef struct {
    size_t reports;    //  reports counted
    size_t held;       //  reports held until their month comes
    size_t set_aside;  //  reports not counted: a figure or the key breaks a rule
    size_t ignored;    //  reports outside the views (disaggregated, or of other orgs)
    size_t cards;      //  org cards of the subtree
} ms_views_rebuilt_t;

//  Drops every cell, subtree, inventory and held entry of the views and
//  recomputes them from the stored org cards and reports at NOW, in one
//  write transaction: the views are then exactly what the records say,
//  whatever was written into the table before. The mutual's own tally is
//  kept (it holds history the records do not). *OUT (may be NULL) says
//  what was found. Returns 0 or a store error (nothing changed then).
MS_MUST_CHECK int ms_views_rebuild(ms_node_t *node, int64_t now, ms_views_rebuilt_t *out,
                                   ms_error_t *err);

//  An org of the subtree, as the views know it.
typedef struct {
    char org[MS_ORG_MAX + 1];
    char name[MS_NAME_MAX + 1];
    ms_role_t role;
    char country[3];
    char parent[MS_ORG_MAX + 1];
} ms_view_org_t;

//  Calls FN for each org of SELF's subtree (SELF included), in id order.
//  FN returning non-zero stops the walk and is returned.
typedef int (*ms_view_org_fn)(const ms_view_org_t *org, void *ctx);
MS_MUST_CHECK int ms_views_orgs(ms_txn_t *txn, const char *self, ms_view_org_fn fn, void *ctx,
                                ms_error_t *err);

//  Reads what the trust chain says of ORG. Returns 0 or MS_ENOTFOUND.
MS_MUST_CHECK int ms_views_org(ms_txn_t *txn, const char *org, ms_view_org_t *out, ms_error_t *err);

//  Calls FN for each country seen in the subtree, in code order.
typedef int (*ms_view_country_fn)(const char *country, void *ctx);
MS_MUST_CHECK int ms_views_countries(ms_txn_t *txn, ms_view_country_fn fn, void *ctx,
                                     ms_error_t *err);

//  The lineage of ORG up to SELF: PATH[0] = ORG, ..., PATH[*DEPTH_P - 1] =
//  SELF, and ORG's country. Returns 0, MS_ENOTFOUND when ORG is not in
//  SELF's subtree (or its chain is unknown), or MS_ESTORE.
MS_MUST_CHECK int ms_views_lineage(ms_txn_t *txn, const char *self, const char *org,
                                   char path[MS_VIEWS_DEPTH_MAX][MS_ORG_MAX + 1], size_t *depth_p,
                                   char *country, ms_error_t *err);

#endif
