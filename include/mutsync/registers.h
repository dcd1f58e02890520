//  registers - the typed values of a mutual's books and of the indicator
//  reports: contributions, providers, claims, complaints, reports and
//  indicator definitions.
//
//  Each is a plain struct with bounded text fields, encoded to and decoded
//  from its protobuf message (proto/mutsync.proto), as record.h does for
//  members and org cards. A decoder fills the whole struct or refuses with
//  the reason, so what the accept rules let through is always complete:
//  months are real months, report values are finite numbers, enum values
//  are known. Amounts are whole XOF; dates are days since 1970-01-01.
//
//  Keys, as the proto comments say: contribution "HOUSEHOLD|YYYY-MM",
//  provider, claim and complaint their id, report
//  "YYYY-MM|INDICATOR|DISAGGREGATION", indicator its code.

#ifndef MS_REGISTERS_H
#define MS_REGISTERS_H

#include "mutsync/record.h"

#define MS_CODE_MAX 48   //  bytes in an indicator code or a disaggregation
#define MS_LABEL_MAX 32  //  bytes in a level, care type, status or unit

typedef struct {
    char household_id[MS_ID_MAX + 1];
    uint32_t period;       //  YYYYMM
    uint64_t amount_due;   //  XOF
    uint64_t amount_paid;  //  XOF
    int32_t paid_date;     //  days since 1970-01-01; 0 when unpaid
} ms_contribution_t;

typedef struct {
    char name[MS_NAME_MAX + 1];
    char level[MS_LABEL_MAX + 1];  //  CSCOM, CSRef, hospital...
    int32_t convention_start;      //  days since 1970-01-01; 0 if unknown
    int32_t convention_end;        //  days since 1970-01-01; 0 = open-ended
} ms_provider_t;

typedef struct {
    char member_id[MS_ID_MAX + 1];
    char provider_id[MS_ID_MAX + 1];
    int32_t care_date;                 //  days since 1970-01-01
    char care_type[MS_LABEL_MAX + 1];  //  consultation, sonu, hospitalisation...
    uint64_t billed;                   //  XOF
    uint64_t covered;                  //  XOF, taken in charge by the mutual
    bool generic_drugs;                //  generic essential drugs (MEG) prescribed
    char status[MS_LABEL_MAX + 1];     //  paid, pending, rejected
} ms_claim_t;

typedef struct {
    int32_t date;  //  days since 1970-01-01
    char provider_id[MS_ID_MAX + 1];
    char subject[MS_TEXT_MAX + 1];
    char status[MS_LABEL_MAX + 1];  //  open, closed...
} ms_complaint_t;

//  An indicator value an org publishes about itself for one month.
typedef struct {
    char period[8];  //  "YYYY-MM"
    char indicator[MS_CODE_MAX + 1];
    char disaggregation[MS_CODE_MAX + 1];  //  "" for the total
    double value;                          //  for a ratio: numerator / denominator (0 if none)
    double numerator;                      //  ratios only
    double denominator;                    //  ratios only
} ms_report_t;

typedef enum {
    MS_AGG_NONE = 0,
    MS_AGG_SUM = 1,    //  flows: summed over orgs and over time
    MS_AGG_LAST = 2,   //  stocks: summed over orgs, last month over time
    MS_AGG_RATIO = 3,  //  sum(numerator) / sum(denominator)
} ms_aggregation_t;

typedef struct {
    char name_fr[MS_NAME_MAX + 1];
    char name_en[MS_NAME_MAX + 1];
    char unit[MS_LABEL_MAX + 1];  //  persons, households, XOF, ratio...
    ms_aggregation_t aggregation;
    char numerator[MS_CODE_MAX + 1];    //  RATIO: the indicator code summed on top
    char denominator[MS_CODE_MAX + 1];  //  RATIO: the one below
} ms_indicator_t;

//  Each encode writes into BUF of CAP bytes and sets *len_p; returns 0 or
//  MS_EINVAL when CAP is too small. Each decode fills OUT completely and
//  returns 0, or MS_EINVAL naming the bad field with OUT zeroed.
MS_MUST_CHECK int ms_contribution_encode(const ms_contribution_t *in, uint8_t *buf, size_t cap,
                                         size_t *len_p);
MS_MUST_CHECK int ms_contribution_decode(const uint8_t *value, size_t len, ms_contribution_t *out,
                                         ms_error_t *err);
MS_MUST_CHECK int ms_provider_encode(const ms_provider_t *in, uint8_t *buf, size_t cap,
                                     size_t *len_p);
MS_MUST_CHECK int ms_provider_decode(const uint8_t *value, size_t len, ms_provider_t *out,
                                     ms_error_t *err);
MS_MUST_CHECK int ms_claim_encode(const ms_claim_t *in, uint8_t *buf, size_t cap, size_t *len_p);
MS_MUST_CHECK int ms_claim_decode(const uint8_t *value, size_t len, ms_claim_t *out,
                                  ms_error_t *err);
MS_MUST_CHECK int ms_complaint_encode(const ms_complaint_t *in, uint8_t *buf, size_t cap,
                                      size_t *len_p);
MS_MUST_CHECK int ms_complaint_decode(const uint8_t *value, size_t len, ms_complaint_t *out,
                                      ms_error_t *err);
MS_MUST_CHECK int ms_report_encode(const ms_report_t *in, uint8_t *buf, size_t cap, size_t *len_p);
MS_MUST_CHECK int ms_report_decode(const uint8_t *value, size_t len, ms_report_t *out,
                                   ms_error_t *err);
MS_MUST_CHECK int ms_indicator_encode(const ms_indicator_t *in, uint8_t *buf, size_t cap,
                                      size_t *len_p);
MS_MUST_CHECK int ms_indicator_decode(const uint8_t *value, size_t len, ms_indicator_t *out,
                                      ms_error_t *err);

//  Checks that VALUE decodes as COLLECTION's record type, for the six
//  collections above (0 for any other). ms_record_check calls it.
MS_MUST_CHECK int ms_registers_check(ms_collection_t collection, const uint8_t *value, size_t len,
                                     ms_error_t *err);

//  Checks a month "YYYY-MM" (years 1900..2100) and returns it as YYYYMM in
//  *YYYYMM. Returns 0 or MS_EINVAL.
MS_MUST_CHECK int ms_month_parse(const char *text, uint32_t *yyyymm);

//  Writes YYYYMM as "YYYY-MM" into OUT (8 bytes).
void ms_month_format(uint32_t yyyymm, char *out);

//  The month (YYYYMM) holding DAYS since 1970-01-01.
uint32_t ms_month_of_date(int32_t days);

//  A claim's status, as spreadsheets write it in French or English.
typedef enum {
    MS_CLAIM_STATUS_UNKNOWN = -1,  //  none of the words below
    MS_CLAIM_STATUS_NONE = 0,      //  empty: not said (counted as accepted)
    MS_CLAIM_STATUS_PAID = 1,      //  paid, payé, réglé
    MS_CLAIM_STATUS_PENDING = 2,   //  pending, en attente
    MS_CLAIM_STATUS_REJECTED = 3,  //  rejected, rejeté, refusé
} ms_claim_status_t;

//  Reads TEXT whatever its case and accents ("Rejeté", "REFUSE", "réglé"),
//  with spaces around ignored. Returns MS_CLAIM_STATUS_UNKNOWN for any
//  other word. A rejected claim counts in no indicator (tally.h).
ms_claim_status_t ms_claim_status_parse(const char *text);

//  "", "paid", "pending" or "rejected": the form imports store.
const char *ms_claim_status_name(ms_claim_status_t status);

//  Checks an indicator code or disaggregation: 0..MS_CODE_MAX bytes of
//  a-z A-Z 0-9 _ - = . (an indicator code must not be empty).
bool ms_code_valid(const char *code, bool may_be_empty);

#endif
