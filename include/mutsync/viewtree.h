//  viewtree - the subtree as the views know it: who is in it, where each
//  org's figures count, and reading its cells.
//
//  Who is in the subtree comes from the trust chain: the certificate of
//  each org names its parent, and accept has verified the chain up to the
//  root before any report of that org is applied. Reports from orgs
//  outside the subtree (a sibling's, come down in a bundle) are kept as
//  records but left out of the views. The views note each org of the
//  subtree once it has a card or a report ("M" keys in MS_TABLE_VIEWS:
//  ancestor NUL org), and each country a mutual reports from ("N" country),
//  so that listings walk those keys, not the trust table. Used by views.h
//  (which includes this header) and its readers.

#ifndef MS_VIEWTREE_H
#define MS_VIEWTREE_H

#include "mutsync/node.h"
#include "mutsync/viewcell.h"

//  Reads the cell (SCOPE, PERIOD, INDICATOR, total disaggregation). A cell
//  never written reads as zeros with orgs 0. Returns 0 or MS_ESTORE.
//  ms_cell_value (viewcell.h) gives the figure a person reads.
MS_MUST_CHECK int ms_views_cell(ms_txn_t *txn, const char *scope, const ms_period_t *period,
                                const char *indicator, ms_cell_t *cell, ms_error_t *err);

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
//  SELF's subtree (or its chain is unknown; or SELF released the child of
//  it on ORG's path to another parent), or MS_ESTORE.
MS_MUST_CHECK int ms_views_lineage(ms_txn_t *txn, const char *self, const char *org,
                                   char path[MS_VIEWS_DEPTH_MAX][MS_ORG_MAX + 1], size_t *depth_p,
                                   char *country, ms_error_t *err);

//  Sets T (zeroed first; no indicator yet) to where ORG's figures count at
//  NODE: its lineage up to NODE's org and its country. Returns 0,
//  MS_ENOTFOUND when ORG is outside NODE's subtree, or MS_ESTORE.
MS_MUST_CHECK int ms_viewtree_target(ms_node_t *node, ms_txn_t *txn, const char *org,
                                     ms_cell_target_t *t, ms_error_t *err);

//  Notes T's org (PATH[0]) as a member of each subtree on its path and,
//  when WITH_COUNTRY (a reporting org), its country among those the views
//  show. Returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_viewtree_note(ms_txn_t *txn, const ms_cell_target_t *t, bool with_country,
                                   ms_error_t *err);

#endif
