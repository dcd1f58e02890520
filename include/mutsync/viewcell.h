//  viewcell - the cells of the views: integer sums per scope, period and
//  indicator, moved by differences when one org's month changes.
//
//  A cell holds, for a scope, a period and an indicator: the sum of the
//  values, of the numerators and of the denominators, and the number of
//  orgs reporting. Scopes: "o:ORG" (ORG's own reports), "s:ORG" (ORG's
//  subtree, ORG included), "c:CC" (a country). Over orgs cells sum; over
//  time, quarters and years are kept at update time: flows add up the
//  months, stocks take each org's last month with data in the period, then
//  sum over orgs. Every figure is an integer (counts, whole XOF): sums are
//  exact, and each is checked for overflow, which the bounds of
//  indicator.h make impossible below millions of org-months. A ratio is
//  never stored: its cell holds the sums of its numerators and
//  denominators, and ms_cell_value divides them when read. Reading a cell
//  costs one row lookup (two for a subtree: its descendants and the org
//  itself), whatever the number of orgs. Used by views.h.

#ifndef MS_VIEWCELL_H
#define MS_VIEWCELL_H

#include "mutsync/indicator.h"

#define MS_VIEWS_DEPTH_MAX 8           //  levels from an org up to this node
#define MS_SCOPE_MAX (MS_ORG_MAX + 3)  //  bytes in a scope, "s:" + org id

typedef struct {
    int64_t value;        //  sum of values (0 for ratios)
    int64_t numerator;    //  sum of numerators (ratios only)
    int64_t denominator;  //  sum of denominators (ratios only)
    int64_t orgs;         //  orgs with data in the period (for "o:" cells: months with data)
    uint32_t month;       //  "o:" cells of stocks: the month the value comes from
} ms_cell_t;

//  The value a person reads: VALUE, or numerator / denominator for a ratio
//  (0 when the denominator is 0), computed now from the integer sums.
double ms_cell_value(const ms_cell_t *cell, const ms_indicator_def_t *def);

//  Reads the cell (SCOPE, PERIOD, INDICATOR). A cell never written reads
//  as zeros. Returns 0, or MS_ESTORE when the store failed or the stored
//  cells are damaged (a rebuild repairs them).
MS_MUST_CHECK int ms_viewcell_get(ms_txn_t *txn, const char *scope, const ms_period_t *period,
                                  const char *indicator, ms_cell_t *cell, ms_error_t *err);

//  Where one org's figure counts and how it aggregates over time.
typedef struct {
    char path[MS_VIEWS_DEPTH_MAX][MS_ORG_MAX + 1];  //  the org, its parent... up to this node
    size_t depth;                                   //  entries in PATH
    char country[3];                                //  the org's country ("" for none)
    const char *indicator;                          //  the code, borrowed
    bool stock;                                     //  last month over time (else sum)
} ms_cell_target_t;

//  Sets T's own cell ("o:" PATH[0]) for MONTH (YYYYMM) to FIGURES (their
//  value, numerator and denominator; NULL: nothing counted) and moves the
//  month, quarter and year cells of every scope above by the difference.
//  Returns 0, MS_EINVAL when MONTH is not a month, or MS_ESTORE when the
//  store failed or a sum would overflow.
MS_MUST_CHECK int ms_viewcell_set_month(ms_txn_t *txn, const ms_cell_target_t *t, uint32_t month,
                                        const ms_cell_t *figures, ms_error_t *err);

#endif
