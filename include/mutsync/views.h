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
//  The cells (viewcell.h) hold, for a scope ("o:ORG" an org's own reports,
//  "s:ORG" its subtree, "c:CC" a country), a period and an indicator, the
//  sums a person reads; one report costs a fixed number of row updates
//  and reading a cell one or two lookups, whatever the number of mutuals.
//  Which reports count and when: viewreport.h. Who is in the subtree and
//  reading it: viewtree.h. This header includes both, so a reader of the
//  views includes this one.
//
//  Tables: MS_TABLE_VIEWS, keys "C" (rows of cells, viewcell.c), "M"
//  (subtree members) and "N" (countries, viewtree.c), "F" (held reports,
//  viewreport.c), "I" and "J" (inventory, inventory.h), "H" (seqs seen),
//  "V" (version marker); MS_TABLE_INDEX, keys "T" (the tally, tally.h).

#ifndef MS_VIEWS_H
#define MS_VIEWS_H

#include "mutsync/node.h"
#include "mutsync/viewreport.h"
#include "mutsync/viewtree.h"

#define MS_VIEWS_VERSION "views-4"  //  layout of the tables above

//  Installs the hook on NODE and brings the views up to date: the first
//  time (a new node, or one written before views existed) it builds them
//  from the stored records in one write transaction; when change sets were
//  applied without the hook since, or by an older layout, it rebuilds them
//  (see above). A secretariat that has not published the indicator
//  catalogue publishes the default one.
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

#endif
