//  registers - contribution, provider, claim, complaint, report and
//  indicator values to and from protobuf.
//
//  Like record.c this file sees protoc-c's types and lets none escape: a
//  decoder copies the unpacked message into the caller's struct, frees it
//  at once and refuses text that would not fit, months that are not
//  months, report values that are not finite numbers (a NaN would poison
//  every sum above it) and unknown enum values.

#include "mutsync/registers.h"

#include "mutsync.pb-c.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int copy_text(char *dst, size_t cap, const char *src, const char *field, ms_error_t *err)
{
    size_t len = strlen(src);
    if (len >= cap)
        return ms_error_set(err, MS_EINVAL, "record", "%s is %zu bytes, the limit is %zu", field,
                            len, cap - 1);
    memcpy(dst, src, len + 1);
    return 0;
}

#define TEXT(out, message, field, rc, err)                                                         \
    if ((rc) == 0)                                                                                 \
    (rc) = copy_text((out)->field, sizeof(out)->field, (message)->field, #field, err)

#define PACK(type, message, buf, cap, len_p)                                                       \
    do {                                                                                           \
        size_t packed_ = type##__get_packed_size(message);                                         \
        if (packed_ > (cap))                                                                       \
            return MS_EINVAL;                                                                      \
        *(len_p) = type##__pack(message, buf);                                                     \
        return 0;                                                                                  \
    } while (0)

static bool month_valid(uint32_t yyyymm)
{
    uint32_t year = yyyymm / 100, month = yyyymm % 100;
    return year >= 1900 && year <= 2100 && month >= 1 && month <= 12;
}

int ms_month_parse(const char *text, uint32_t *yyyymm)
{
    *yyyymm = 0;
    if (strlen(text) != 7 || text[4] != '-')
        return MS_EINVAL;
    uint32_t value = 0;
    for (int i = 0; i < 7; i++) {
        if (i == 4)
            continue;
        if (text[i] < '0' || text[i] > '9')
            return MS_EINVAL;
        value = value * 10 + (uint32_t)(text[i] - '0');
    }
    if (!month_valid(value))
        return MS_EINVAL;
    *yyyymm = value;
    return 0;
}

void ms_month_format(uint32_t yyyymm, char *out)
{
    snprintf(out, 8, "%04u-%02u", (yyyymm / 100) % 10000, yyyymm % 100);
}

uint32_t ms_month_of_date(int32_t days)
{
    int year, month, day;
    ms_date_civil(days, &year, &month, &day);
    //  The month its date is written with (ms_date_format: four digits of
    //  the year), where it is a valid one.
    uint32_t yyyymm = year < 0 ? 0 : (uint32_t)(year % 10000) * 100 + (uint32_t)month;
    return month_valid(yyyymm) ? yyyymm : 0;
}

//  Folds TEXT to lower-case ASCII into OUT (CAP bytes): the Latin-1 accented
//  letters French uses (U+00C0..U+00FF, two UTF-8 bytes) lose their accent.
static void fold(const char *text, char *out, size_t cap)
{
    static const char latin[] = "aaaaaaaceeeeiiiidnooooo/ouuuuypsaaaaaaaceeeeiiiidnooooo/ouuuuypy";
    size_t n = 0;
    while (*text == ' ')
        text++;
    for (const unsigned char *p = (const unsigned char *)text; *p && n + 1 < cap; p++) {
        if (p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
            out[n++] = latin[p[1] - 0x80];
            p++;
        } else {
            out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        }
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = 0;
}

ms_claim_status_t ms_claim_status_parse(const char *text)
{
    static const struct {
        const char *word;
        ms_claim_status_t status;
    } words[] = {
        {"", MS_CLAIM_STATUS_NONE},
        {"paid", MS_CLAIM_STATUS_PAID},
        {"paye", MS_CLAIM_STATUS_PAID},
        {"regle", MS_CLAIM_STATUS_PAID},
        {"pending", MS_CLAIM_STATUS_PENDING},
        {"en attente", MS_CLAIM_STATUS_PENDING},
        {"rejected", MS_CLAIM_STATUS_REJECTED},
        {"rejete", MS_CLAIM_STATUS_REJECTED},
        {"refuse", MS_CLAIM_STATUS_REJECTED},
    };
    char folded[MS_LABEL_MAX + 1];
    fold(text, folded, sizeof folded);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(folded, words[i].word) == 0)
            return words[i].status;
    return MS_CLAIM_STATUS_UNKNOWN;
}

const char *ms_claim_status_name(ms_claim_status_t status)
{
    switch (status) {
    case MS_CLAIM_STATUS_PAID:
        return "paid";
    case MS_CLAIM_STATUS_PENDING:
        return "pending";
    case MS_CLAIM_STATUS_REJECTED:
        return "rejected";
    default:
        return "";
    }
}

bool ms_code_valid(const char *code, bool may_be_empty)
{
    size_t len = strlen(code);
    if (len > MS_CODE_MAX || (len == 0 && !may_be_empty))
        return false;
    for (const char *p = code; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '=' || *p == '.'))
            return false;
    return true;
}

int ms_contribution_encode(const ms_contribution_t *in, uint8_t *buf, size_t cap, size_t *len_p)
{
    Mutsync__Contribution message = MUTSYNC__CONTRIBUTION__INIT;
    message.household_id = (char *)in->household_id;
    message.period = in->period;
    message.amount_due = in->amount_due;
    message.amount_paid = in->amount_paid;
    message.paid_date = in->paid_date;
    PACK(mutsync__contribution, &message, buf, cap, len_p);
}

int ms_contribution_decode(const uint8_t *value, size_t len, ms_contribution_t *out,
                           ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    Mutsync__Contribution *message = mutsync__contribution__unpack(NULL, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid contribution record");
    int rc = 0;
    TEXT(out, message, household_id, rc, err);
    if (rc == 0 && !month_valid(message->period))
        rc = ms_error_set(err, MS_EINVAL, "record", "contribution period %u is not a month",
                          message->period);
    out->period = message->period;
    out->amount_due = message->amount_due;
    out->amount_paid = message->amount_paid;
    out->paid_date = message->paid_date;
    mutsync__contribution__free_unpacked(message, NULL);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_provider_encode(const ms_provider_t *in, uint8_t *buf, size_t cap, size_t *len_p)
{
    Mutsync__Provider message = MUTSYNC__PROVIDER__INIT;
    message.name = (char *)in->name;
    message.level = (char *)in->level;
    message.convention_start = in->convention_start;
    message.convention_end = in->convention_end;
    PACK(mutsync__provider, &message, buf, cap, len_p);
}

int ms_provider_decode(const uint8_t *value, size_t len, ms_provider_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    Mutsync__Provider *message = mutsync__provider__unpack(NULL, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid provider record");
    int rc = 0;
    TEXT(out, message, name, rc, err);
    TEXT(out, message, level, rc, err);
    out->convention_start = message->convention_start;
    out->convention_end = message->convention_end;
    mutsync__provider__free_unpacked(message, NULL);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_claim_encode(const ms_claim_t *in, uint8_t *buf, size_t cap, size_t *len_p)
{
    Mutsync__Claim message = MUTSYNC__CLAIM__INIT;
    message.member_id = (char *)in->member_id;
    message.provider_id = (char *)in->provider_id;
    message.care_date = in->care_date;
    message.care_type = (char *)in->care_type;
    message.billed = in->billed;
    message.covered = in->covered;
    message.generic_drugs = in->generic_drugs;
    message.status = (char *)in->status;
    PACK(mutsync__claim, &message, buf, cap, len_p);
}

int ms_claim_decode(const uint8_t *value, size_t len, ms_claim_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    Mutsync__Claim *message = mutsync__claim__unpack(NULL, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid claim record");
    int rc = 0;
    TEXT(out, message, member_id, rc, err);
    TEXT(out, message, provider_id, rc, err);
    TEXT(out, message, care_type, rc, err);
    TEXT(out, message, status, rc, err);
    out->care_date = message->care_date;
    out->billed = message->billed;
    out->covered = message->covered;
    out->generic_drugs = message->generic_drugs;
    mutsync__claim__free_unpacked(message, NULL);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_complaint_encode(const ms_complaint_t *in, uint8_t *buf, size_t cap, size_t *len_p)
{
    Mutsync__Complaint message = MUTSYNC__COMPLAINT__INIT;
    message.date = in->date;
    message.provider_id = (char *)in->provider_id;
    message.subject = (char *)in->subject;
    message.status = (char *)in->status;
    PACK(mutsync__complaint, &message, buf, cap, len_p);
}

int ms_complaint_decode(const uint8_t *value, size_t len, ms_complaint_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    Mutsync__Complaint *message = mutsync__complaint__unpack(NULL, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid complaint record");
    int rc = 0;
    TEXT(out, message, provider_id, rc, err);
    TEXT(out, message, subject, rc, err);
    TEXT(out, message, status, rc, err);
    out->date = message->date;
    mutsync__complaint__free_unpacked(message, NULL);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_report_encode(const ms_report_t *in, uint8_t *buf, size_t cap, size_t *len_p)
{
    Mutsync__Report message = MUTSYNC__REPORT__INIT;
    message.period = (char *)in->period;
    message.indicator = (char *)in->indicator;
    message.disaggregation = (char *)in->disaggregation;
    message.value = in->value;
    message.numerator = in->numerator;
    message.denominator = in->denominator;
    PACK(mutsync__report, &message, buf, cap, len_p);
}

int ms_report_decode(const uint8_t *value, size_t len, ms_report_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    Mutsync__Report *message = mutsync__report__unpack(NULL, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid report record");
    int rc = 0;
    TEXT(out, message, period, rc, err);
    TEXT(out, message, indicator, rc, err);
    TEXT(out, message, disaggregation, rc, err);
    uint32_t month;
    if (rc == 0 && ms_month_parse(out->period, &month) != 0)
        rc = ms_error_set(err, MS_EINVAL, "record", "report period \"%s\" is not YYYY-MM",
                          out->period);
    if (rc == 0 &&
        (!ms_code_valid(out->indicator, false) || !ms_code_valid(out->disaggregation, true)))
        rc = ms_error_set(err, MS_EINVAL, "record",
                          "report indicator or disaggregation is not a code");
    if (rc == 0 && (!isfinite(message->value) || !isfinite(message->numerator) ||
                    !isfinite(message->denominator)))
        rc = ms_error_set(err, MS_EINVAL, "record", "report value is not a finite number");
    out->value = message->value;
    out->numerator = message->numerator;
    out->denominator = message->denominator;
    mutsync__report__free_unpacked(message, NULL);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_indicator_encode(const ms_indicator_t *in, uint8_t *buf, size_t cap, size_t *len_p)
{
    Mutsync__Indicator message = MUTSYNC__INDICATOR__INIT;
    message.name_fr = (char *)in->name_fr;
    message.name_en = (char *)in->name_en;
    message.unit = (char *)in->unit;
    message.aggregation = (Mutsync__Aggregation)in->aggregation;
    message.numerator = (char *)in->numerator;
    message.denominator = (char *)in->denominator;
    PACK(mutsync__indicator, &message, buf, cap, len_p);
}

int ms_indicator_decode(const uint8_t *value, size_t len, ms_indicator_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    Mutsync__Indicator *message = mutsync__indicator__unpack(NULL, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid indicator record");
    int rc = 0;
    TEXT(out, message, name_fr, rc, err);
    TEXT(out, message, name_en, rc, err);
    TEXT(out, message, unit, rc, err);
    TEXT(out, message, numerator, rc, err);
    TEXT(out, message, denominator, rc, err);
    if (rc == 0 && (message->aggregation < MUTSYNC__AGGREGATION__SUM ||
                    message->aggregation > MUTSYNC__AGGREGATION__RATIO))
        rc = ms_error_set(err, MS_EINVAL, "record", "indicator has no known aggregation");
    if (rc == 0 && message->aggregation == MUTSYNC__AGGREGATION__RATIO &&
        (!ms_code_valid(out->numerator, false) || !ms_code_valid(out->denominator, false)))
        rc = ms_error_set(err, MS_EINVAL, "record", "a ratio names its numerator and denominator");
    out->aggregation = (ms_aggregation_t)message->aggregation;
    mutsync__indicator__free_unpacked(message, NULL);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_registers_check(ms_collection_t collection, const uint8_t *value, size_t len,
                       ms_error_t *err)
{
    union {
        ms_contribution_t contribution;
        ms_provider_t provider;
        ms_claim_t claim;
        ms_complaint_t complaint;
        ms_report_t report;
        ms_indicator_t indicator;
    } scratch;
    switch (collection) {
    case MS_COLL_CONTRIBUTION:
        return ms_contribution_decode(value, len, &scratch.contribution, err);
    case MS_COLL_PROVIDER:
        return ms_provider_decode(value, len, &scratch.provider, err);
    case MS_COLL_CLAIM:
        return ms_claim_decode(value, len, &scratch.claim, err);
    case MS_COLL_COMPLAINT:
        return ms_complaint_decode(value, len, &scratch.complaint, err);
    case MS_COLL_REPORT:
        return ms_report_decode(value, len, &scratch.report, err);
    case MS_COLL_INDICATOR:
        return ms_indicator_decode(value, len, &scratch.indicator, err);
    default:
        return 0;
    }
}
