//  indicator - the default catalogue, published overrides, period codes.
//
//  The default catalogue below is what the secretariat publishes at first
//  and what a node uses until the published one reaches it. Codes are
//  stable: they key reports, view cells and export data elements. The
//  catalogue also says what a report may carry (ms_report_judge), the one
//  rule the views hook, accept's value check and the mutual's own
//  publishing all apply.

#include "mutsync/indicator.h"

#include "mutsync/i18n.h"
#include "mutsync/replica.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STOCK(code, fr, en, unit)                                                                  \
    {                                                                                              \
        code,                                                                                      \
        {                                                                                          \
            fr, en, unit, MS_AGG_LAST, "", ""                                                      \
        }                                                                                          \
    }
#define FLOW(code, fr, en, unit)                                                                   \
    {                                                                                              \
        code,                                                                                      \
        {                                                                                          \
            fr, en, unit, MS_AGG_SUM, "", ""                                                       \
        }                                                                                          \
    }
#define RATIO(code, fr, en, num, den)                                                              \
    {                                                                                              \
        code,                                                                                      \
        {                                                                                          \
            fr, en, "ratio", MS_AGG_RATIO, num, den                                                \
        }                                                                                          \
    }

static const ms_indicator_def_t defaults[] = {
    STOCK("beneficiaries", "Bénéficiaires couverts", "Beneficiaries (persons covered)", "persons"),
    STOCK("adherents", "Adhérents", "Adherents (principal members)", "persons"),
    STOCK("women_beneficiaries", "Bénéficiaires femmes", "Women beneficiaries", "persons"),
    STOCK("households", "Ménages couverts", "Households covered", "households"),
    STOCK("target_population", "Population cible", "Target population", "persons"),
    FLOW("contributions_due_xof", "Cotisations dues", "Contributions due", "XOF"),
    FLOW("contributions_paid_xof", "Cotisations recouvrées", "Contributions paid", "XOF"),
    RATIO("collection_rate", "Taux de recouvrement des cotisations", "Collection rate",
          "contributions_paid_xof", "contributions_due_xof"),
    FLOW("claims", "Prises en charge", "Claims", "claims"),
    FLOW("claims_generic", "Prises en charge avec MEG", "Claims with generic drugs", "claims"),
    FLOW("claims_billed_xof", "Montant facturé", "Claims billed", "XOF"),
    FLOW("claims_covered_xof", "Montant pris en charge", "Claims covered", "XOF"),
    RATIO("loss_ratio", "Ratio de sinistralité", "Loss ratio (covered / contributions paid)",
          "claims_covered_xof", "contributions_paid_xof"),
    RATIO("generic_drug_rate", "Taux de prescription des MEG", "Generic drug rate",
          "claims_generic", "claims"),
    FLOW("sonu_cases", "Cas SONU pris en charge", "SONU cases covered", "cases"),
    FLOW("complaints", "Plaintes enregistrées", "Complaints", "complaints"),
    RATIO("penetration_rate", "Taux de pénétration", "Penetration rate (of target population)",
          "beneficiaries", "target_population"),
};

#define DEFAULT_COUNT (sizeof defaults / sizeof defaults[0])

size_t ms_catalogue_default(const ms_indicator_def_t **defs_p)
{
    *defs_p = defaults;
    return DEFAULT_COUNT;
}

static const ms_indicator_def_t *find_default(const char *code)
{
    for (size_t i = 0; i < DEFAULT_COUNT; i++)
        if (strcmp(defaults[i].code, code) == 0)
            return &defaults[i];
    return NULL;
}

int ms_catalogue_get(ms_txn_t *txn, const char *root, const char *code, ms_indicator_def_t *out,
                     ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    ms_stored_record_t stored;
    int rc = root && root[0] ? ms_replica_record(txn, MS_COLL_INDICATOR, root, code, &stored, err)
                             : MS_ENOTFOUND;
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    if (rc == 0 && ms_indicator_decode(stored.value, stored.value_len, &out->def, NULL) == 0) {
        snprintf(out->code, sizeof out->code, "%s", code);
        return 0;
    }
    const ms_indicator_def_t *def = find_default(code);
    if (!def)
        return MS_ENOTFOUND;
    *out = *def;
    return 0;
}

typedef struct {
    ms_indicator_def_t *defs;
    size_t count;
    size_t cap;
} list_t;

static int add_published(const char *owner, const char *key, const ms_stored_record_t *record,
                         void *arg)
{
    (void)owner;
    list_t *list = arg;
    ms_indicator_def_t def;
    memset(&def, 0, sizeof def);
    if (strlen(key) > MS_CODE_MAX ||
        ms_indicator_decode(record->value, record->value_len, &def.def, NULL) != 0)
        return 0;
    snprintf(def.code, sizeof def.code, "%s", key);
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->defs[i].code, key) == 0) {
            list->defs[i] = def;
            return 0;
        }
    if (list->count == list->cap) {
        size_t cap = list->cap * 2;
        ms_indicator_def_t *defs = realloc(list->defs, cap * sizeof *defs);
        if (!defs)
            return MS_ENOMEM;
        list->defs = defs;
        list->cap = cap;
    }
    list->defs[list->count++] = def;
    return 0;
}

int ms_catalogue_list(ms_txn_t *txn, const char *root, ms_indicator_def_t **defs_p, size_t *count_p,
                      ms_error_t *err)
{
    *defs_p = NULL;
    *count_p = 0;
    list_t list = {malloc(DEFAULT_COUNT * 2 * sizeof *list.defs), DEFAULT_COUNT, DEFAULT_COUNT * 2};
    if (!list.defs)
        return ms_error_set(err, MS_ENOMEM, "catalogue", "no memory");
    memcpy(list.defs, defaults, sizeof defaults);
    int rc = root && root[0]
                 ? ms_replica_records(txn, MS_COLL_INDICATOR, root, add_published, &list, err)
                 : 0;
    if (rc == MS_ENOMEM)
        rc = ms_error_set(err, MS_ENOMEM, "catalogue", "no memory");
    if (rc) {
        free(list.defs);
        return rc;
    }
    *defs_p = list.defs;
    *count_p = list.count;
    return 0;
}

//  ---------------------------------------------------------------------------
//  Judging a report

int64_t ms_indicator_bound(const ms_indicator_def_t *def)
{
    return strcmp(def->def.unit, "XOF") == 0 ? MS_REPORT_AMOUNT_MAX : MS_REPORT_COUNT_MAX;
}

int ms_report_key_parse(const char *key, uint32_t *month, char *indicator, char *disaggregation)
{
    *month = 0;
    indicator[0] = disaggregation[0] = 0;
    const char *bar1 = strchr(key, '|');
    const char *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    if (!bar2 || strchr(bar2 + 1, '|') || bar1 - key != 7 || bar2 - bar1 - 1 > MS_CODE_MAX ||
        strlen(bar2 + 1) > MS_CODE_MAX)
        return MS_EINVAL;
    char period[8], code[MS_CODE_MAX + 1];
    memcpy(period, key, 7);
    period[7] = 0;
    memcpy(code, bar1 + 1, (size_t)(bar2 - bar1 - 1));
    code[bar2 - bar1 - 1] = 0;
    uint32_t yyyymm;
    if (ms_month_parse(period, &yyyymm) != 0 || !ms_code_valid(code, false) ||
        !ms_code_valid(bar2 + 1, true))
        return MS_EINVAL;
    *month = yyyymm;
    memcpy(indicator, code, strlen(code) + 1);
    memcpy(disaggregation, bar2 + 1, strlen(bar2 + 1) + 1);
    return 0;
}

//  Sets DETAIL and returns 1 (set aside).
static int aside(char *detail, size_t cap, const char *fmt, ...) MS_PRINTF(3, 4);
static int aside(char *detail, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (cap)
        vsnprintf(detail, cap, fmt, ap);
    va_end(ap);
    return 1;
}

//  Judges one figure NAME of FIGURE: whole, in 0..BOUND. Returns 0 or 1.
static int judge_figure(const char *key, const char *name, double figure, int64_t bound,
                        char *detail, size_t cap)
{
    if (!isfinite(figure))
        return aside(detail, cap, _("report %s: %s is not a finite number"), key, name);
    if (figure < 0)
        return aside(detail, cap, _("report %s: %s %.17g is negative"), key, name, figure);
    if (figure > (double)bound)
        return aside(detail, cap, _("report %s: %s %.17g is above the bound %lld"), key, name,
                     figure, (long long)bound);
    if ((double)(int64_t)figure != figure)
        return aside(detail, cap, _("report %s: %s %.17g is not a whole number"), key, name,
                     figure);
    return 0;
}

//  The bound of the part CODE of a ratio: its own definition's, or the
//  larger one when the catalogue does not define it.
static int part_bound(ms_txn_t *txn, const char *root, const char *code, int64_t *bound,
                      ms_error_t *err)
{
    ms_indicator_def_t def;
    int rc = ms_catalogue_get(txn, root, code, &def, err);
    *bound = rc == 0 ? ms_indicator_bound(&def) : MS_REPORT_AMOUNT_MAX;
    return rc == MS_ENOTFOUND ? 0 : rc;
}

int ms_report_judge(ms_txn_t *txn, const char *root, const char *key, const ms_report_t *report,
                    char *detail, size_t cap, ms_error_t *err)
{
    if (cap)
        detail[0] = 0;
    uint32_t month;
    char code[MS_CODE_MAX + 1], disaggregation[MS_CODE_MAX + 1], period[8];
    if (ms_report_key_parse(key, &month, code, disaggregation) != 0)
        return aside(detail, cap, _("report key \"%s\" is not YYYY-MM|indicator|disaggregation"),
                     key);
    ms_month_format(month, period);
    if (strcmp(period, report->period) != 0 || strcmp(code, report->indicator) != 0 ||
        strcmp(disaggregation, report->disaggregation) != 0)
        return aside(detail, cap, _("report key \"%s\" does not name its content %s|%s|%s"), key,
                     report->period, report->indicator, report->disaggregation);
    ms_indicator_def_t def;
    int rc = ms_catalogue_get(txn, root, code, &def, err);
    if (rc == MS_ENOTFOUND)
        return aside(detail, cap, _("report %s: indicator %s is not in the catalogue"), key, code);
    if (rc)
        return rc;
    if (def.def.aggregation != MS_AGG_RATIO) {
        if (report->numerator != 0 || report->denominator != 0)
            return aside(detail, cap,
                         _("report %s: %s is a count, it carries a value and no numerator or "
                           "denominator"),
                         key, code);
        return judge_figure(key, "value", report->value, ms_indicator_bound(&def), detail, cap);
    }
    int64_t num_bound, den_bound;
    rc = part_bound(txn, root, def.def.numerator, &num_bound, err);
    if (rc == 0)
        rc = part_bound(txn, root, def.def.denominator, &den_bound, err);
    if (rc)
        return rc;
    if (!isfinite(report->value) || report->value < 0)
        return aside(detail, cap, _("report %s: ratio value %.17g is not a finite number >= 0"),
                     key, report->value);
    if (report->value != 0 && report->denominator == 0)
        return aside(detail, cap,
                     _("report %s: %s is a ratio, it carries a numerator and a denominator"), key,
                     code);
    rc = judge_figure(key, "numerator", report->numerator, num_bound, detail, cap);
    return rc ? rc : judge_figure(key, "denominator", report->denominator, den_bound, detail, cap);
}

//  ---------------------------------------------------------------------------
//  Periods

static bool digits(const char *text, size_t len, uint32_t *value)
{
    *value = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        *value = *value * 10 + (uint32_t)(text[i] - '0');
    }
    return true;
}

int ms_period_parse(const char *text, ms_period_t *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(text);
    uint32_t year, index = 0;
    if (len < 4 || !digits(text, 4, &year) || year < 1900 || year > 2100)
        return MS_EINVAL;
    ms_period_t period = {MS_PERIOD_YEAR, year, 0};
    if (len == 4) {
        *out = period;
        return 0;
    }
    if (len == 6 && (text[4] == 'Q' || text[4] == 'q') && digits(text + 5, 1, &index) &&
        index >= 1 && index <= 4)
        period.kind = MS_PERIOD_QUARTER;
    else if (len == 7 && text[4] == '-' && digits(text + 5, 2, &index) && index >= 1 && index <= 12)
        period.kind = MS_PERIOD_MONTH;
    else if (len == 6 && digits(text + 4, 2, &index) && index >= 1 && index <= 12)
        period.kind = MS_PERIOD_MONTH;
    else
        return MS_EINVAL;
    period.index = index;
    *out = period;
    return 0;
}

ms_period_t ms_period_of_month(uint32_t yyyymm, ms_period_kind_t kind)
{
    uint32_t year = yyyymm / 100, month = yyyymm % 100;
    ms_period_t period = {kind, year, month};
    if (kind == MS_PERIOD_QUARTER)
        period.index = (month - 1) / 3 + 1;
    else if (kind == MS_PERIOD_YEAR)
        period.index = 0;
    return period;
}

uint32_t ms_period_first_month(const ms_period_t *period)
{
    switch (period->kind) {
    case MS_PERIOD_MONTH:
        return period->year * 100 + period->index;
    case MS_PERIOD_QUARTER:
        return period->year * 100 + (period->index - 1) * 3 + 1;
    default:
        return period->year * 100 + 1;
    }
}

uint32_t ms_period_last_month(const ms_period_t *period)
{
    switch (period->kind) {
    case MS_PERIOD_MONTH:
        return period->year * 100 + period->index;
    case MS_PERIOD_QUARTER:
        return period->year * 100 + period->index * 3;
    default:
        return period->year * 100 + 12;
    }
}

uint32_t ms_month_next(uint32_t yyyymm)
{
    return yyyymm % 100 == 12 ? (yyyymm / 100 + 1) * 100 + 1 : yyyymm + 1;
}

uint32_t ms_month_back(uint32_t yyyymm, uint32_t count)
{
    uint32_t months = (yyyymm / 100) * 12 + yyyymm % 100 - 1;
    months = months > count ? months - count : 0;
    return (months / 12) * 100 + months % 12 + 1;
}

void ms_period_format(const ms_period_t *period, char *out)
{
    if (period->kind == MS_PERIOD_MONTH)
        snprintf(out, MS_PERIOD_TEXT_BYTES, "%04u-%02u", period->year, period->index);
    else if (period->kind == MS_PERIOD_QUARTER)
        snprintf(out, MS_PERIOD_TEXT_BYTES, "%04uQ%u", period->year, period->index);
    else
        snprintf(out, MS_PERIOD_TEXT_BYTES, "%04u", period->year);
}

//  DHIS2 period types Monthly (yyyyMM), Quarterly (yyyyQn), Yearly (yyyy).
void ms_period_dhis2(const ms_period_t *period, char *out)
{
    if (period->kind == MS_PERIOD_MONTH)
        snprintf(out, MS_PERIOD_TEXT_BYTES, "%04u%02u", period->year, period->index);
    else
        ms_period_format(period, out);
}

//  ADX (IHE QRPH ADX, ISO 8601): period = start date "/" duration.
void ms_period_adx(const ms_period_t *period, char *out)
{
    uint32_t first = ms_period_first_month(period);
    const char *duration = period->kind == MS_PERIOD_MONTH     ? "P1M"
                           : period->kind == MS_PERIOD_QUARTER ? "P3M"
                                                               : "P1Y";
    snprintf(out, MS_PERIOD_TEXT_BYTES, "%04u-%02u-01/%s", first / 100, first % 100, duration);
}
