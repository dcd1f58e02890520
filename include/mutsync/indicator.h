//  indicator - the catalogue of indicator definitions, and the periods
//  indicators are reported and viewed for.
//
//  The catalogue is data: the secretariat publishes each definition as an
//  `indicator` record (key = code) in its public feed, and every node
//  below receives it. A default catalogue ships in the code; the
//  secretariat's node publishes it the first time it is opened with the
//  views attached, and any node that has not yet received the published
//  one falls back on it. A published definition overrides the default one
//  with the same code.
//
//  Time aggregation follows the definition: SUM (flows) add up over the
//  months of a quarter or a year; LAST (stocks) take the last month with
//  data; a RATIO is recomputed from its summed numerator and denominator,
//  which are flows or stocks as the numerator's own definition says.
//
//  Periods: a month "2026-10", a quarter "2026Q4", a year "2026". DHIS2
//  writes them "202610", "2026Q4", "2026"; ADX (ISO 8601 start/duration)
//  "2026-10-01/P1M", "2026-10-01/P3M", "2026-01-01/P1Y".

#ifndef MS_INDICATOR_H
#define MS_INDICATOR_H

#include "mutsync/registers.h"
#include "mutsync/store.h"

//  One definition with its code.
typedef struct {
    char code[MS_CODE_MAX + 1];
    ms_indicator_t def;
} ms_indicator_def_t;

//  The default catalogue: *DEFS_P points to static storage. Returns the count.
size_t ms_catalogue_default(const ms_indicator_def_t **defs_p);

//  Finds CODE: ROOT's published definition when this replica holds one,
//  else the default. Returns 0, MS_ENOTFOUND or MS_ESTORE.
MS_MUST_CHECK int ms_catalogue_get(ms_txn_t *txn, const char *root, const char *code,
                                   ms_indicator_def_t *out, ms_error_t *err);

//  The whole catalogue: the default codes in their order (published
//  definitions replacing them), then codes only ROOT published. *DEFS_P is
//  a new array the caller frees with free(). Returns 0, MS_ENOMEM or MS_ESTORE.
MS_MUST_CHECK int ms_catalogue_list(ms_txn_t *txn, const char *root, ms_indicator_def_t **defs_p,
                                    size_t *count_p, ms_error_t *err);

typedef enum { MS_PERIOD_MONTH = 0, MS_PERIOD_QUARTER = 1, MS_PERIOD_YEAR = 2 } ms_period_kind_t;

typedef struct {
    ms_period_kind_t kind;
    uint32_t year;   //  1900..2100
    uint32_t index;  //  month 1..12, quarter 1..4, 0 for a year
} ms_period_t;

#define MS_PERIOD_TEXT_BYTES 24  //  room for any period form below, NUL included

//  Parses "YYYY-MM", "YYYYMM", "YYYYQn" or "YYYY". Returns 0 or MS_EINVAL.
MS_MUST_CHECK int ms_period_parse(const char *text, ms_period_t *out);

//  The period of KIND holding the month YYYYMM.
ms_period_t ms_period_of_month(uint32_t yyyymm, ms_period_kind_t kind);

//  First and last month (YYYYMM) of PERIOD.
uint32_t ms_period_first_month(const ms_period_t *period);
uint32_t ms_period_last_month(const ms_period_t *period);

//  The month after YYYYMM, and the one COUNT months before it.
uint32_t ms_month_next(uint32_t yyyymm);
uint32_t ms_month_back(uint32_t yyyymm, uint32_t count);

//  Writes PERIOD into OUT (MS_PERIOD_TEXT_BYTES): our form ("2026-10",
//  "2026Q4", "2026"), DHIS2's ("202610", "2026Q4", "2026") or ADX's
//  ("2026-10-01/P1M", "2026-10-01/P3M", "2026-01-01/P1Y").
void ms_period_format(const ms_period_t *period, char *out);
void ms_period_dhis2(const ms_period_t *period, char *out);
void ms_period_adx(const ms_period_t *period, char *out);

#endif
