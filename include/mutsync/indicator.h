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
//  Every report is judged against the catalogue before it counts
//  (ms_report_judge): its key, its kind of figure and its bounds.
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

//  ---------------------------------------------------------------------------
//  What a report may carry

//  Bounds of one reported figure, for one org and one month: a count
//  (persons, households, claims, cases, complaints; any unit but "XOF") at
//  most MS_REPORT_COUNT_MAX, an amount in whole XOF at most
//  MS_REPORT_AMOUNT_MAX. Why these: a view cell (views.h) sums at most one
//  figure per org and month of its period, so a year over 100,000 orgs sums
//  at most 1.2e6 of them: 1.2e6 x 1e12 = 1.2e18, below INT64_MAX (9.2e18);
//  the int64 cells cannot overflow before 7.6 million org-months of the
//  largest amount. Both bounds are below 2^53, so the double that carries a
//  figure on the wire holds every allowed value exactly. No real mutual
//  comes near them (1e12 XOF is about 1.5 billion euros in one month).
#define MS_REPORT_COUNT_MAX 1000000000LL      //  10^9
#define MS_REPORT_AMOUNT_MAX 1000000000000LL  //  10^12 XOF

//  The largest figure DEF may report: MS_REPORT_AMOUNT_MAX for unit "XOF",
//  else MS_REPORT_COUNT_MAX (a ratio's own bound is its parts').
int64_t ms_indicator_bound(const ms_indicator_def_t *def);

//  Splits a report key "YYYY-MM|CODE|DISAGGREGATION" (exactly two '|', a
//  real month, a non-empty code, a code or nothing after the second '|').
//  *MONTH gets YYYYMM; INDICATOR and DISAGGREGATION (MS_CODE_MAX + 1 bytes
//  each) the two codes. Returns 0 or MS_EINVAL with the outputs empty.
MS_MUST_CHECK int ms_report_key_parse(const char *key, uint32_t *month, char *indicator,
                                      char *disaggregation);

//  Judges REPORT, stored under KEY, against ROOT's catalogue (the default
//  one when ROOT published none). It may be counted when:
//  - KEY is well formed and names exactly REPORT's period, indicator and
//    disaggregation (a key "adherents" carrying beneficiaries is refused);
//  - the catalogue knows the indicator;
//  - a count or an amount carries a whole VALUE in 0..bound and no
//    numerator or denominator; a ratio carries a whole numerator and
//    denominator, each in 0..the bound of the indicator it names, and a
//    VALUE that is finite and not negative (it is recomputed when read);
//  - no figure is NaN or infinite.
//  Returns 0 when it may be counted; 1 when it must be set aside, with the
//  reason for people in DETAIL (CAP bytes); a negative code when the store
//  failed. The period is never judged here: a future month is valid (views.h
//  holds it back until its month comes).
MS_MUST_CHECK int ms_report_judge(ms_txn_t *txn, const char *root, const char *key,
                                  const ms_report_t *report, char *detail, size_t cap,
                                  ms_error_t *err);

//  ---------------------------------------------------------------------------
//  Periods

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
