//  ledger - contribution and claim rows from spreadsheets.
//
//  Each row function reads its fields with the sheet module's strict
//  parsers (which name the line and the column on failure), checks what
//  ties fields together (covered at most billed, an id fit for a key),
//  and encodes the record. ms_import_file does the rest: all or nothing,
//  unchanged rows write nothing, a key twice in a file is refused.

#include "mutsync/ledger.h"

#include "mutsync/cell.h"
#include "mutsync/i18n.h"

#include <stdio.h>
#include <string.h>

const char *const ms_contribution_columns[] = {"household_id",    "period",    "amount_due_xof",
                                               "amount_paid_xof", "paid_date", NULL};

const char *const ms_claim_columns[] = {"claim_id",  "member_id",  "provider_id", "care_date",
                                        "care_type", "billed_xof", "covered_xof", "generic_drugs",
                                        "status",    NULL};

void ms_contribution_key(const char *household, uint32_t period, char *key)
{
    char month[8];
    ms_month_format(period, month);
    snprintf(key, MS_KEY_MAX + 1, "%s|%s", household, month);
}

static int bad(ms_sheet_t *sheet, const char *column, const char *why, ms_error_t *err)
{
    return ms_error_set(err, MS_EINVAL, ms_sheet_where(sheet), "column %s: %s", column, why);
}

static int id_field(ms_sheet_t *sheet, int index, const char *column, char *out, ms_error_t *err)
{
    int rc = ms_cell_text(sheet, index, MS_CELL_REQUIRED, out, MS_ID_MAX + 1, err);
    if (rc == 0 && !ms_record_id_valid(out))
        rc = bad(sheet, column, _("may not hold spaces, control characters or '|'"), err);
    return rc;
}

//  An optional date: empty gives 0.
static int optional_date(ms_sheet_t *sheet, int index, int32_t *days, ms_error_t *err)
{
    char text[16];
    *days = 0;
    if (ms_cell_text(sheet, index, MS_CELL_OPTIONAL, text, sizeof text, NULL) == 0 && !text[0])
        return 0;
    return ms_cell_date(sheet, index, days, err);
}

static int encoded(ms_sheet_t *sheet, int rc, ms_error_t *err)
{
    return rc ? ms_error_set(err, MS_EINVAL, ms_sheet_where(sheet), "record too large") : 0;
}

static int contribution_row(ms_sheet_t *sheet, const int *indices, char *key, uint8_t *value,
                            size_t *value_len, ms_error_t *err)
{
    ms_contribution_t c;
    memset(&c, 0, sizeof c);
    int rc = id_field(sheet, indices[0], "household_id", c.household_id, err);
    if (rc == 0)
        rc = ms_cell_month(sheet, indices[1], &c.period, err);
    if (rc == 0)
        rc = ms_cell_uint(sheet, indices[2], MS_AMOUNT_MAX, &c.amount_due, err);
    if (rc == 0)
        rc = ms_cell_uint(sheet, indices[3], MS_AMOUNT_MAX, &c.amount_paid, err);
    if (rc == 0)
        rc = optional_date(sheet, indices[4], &c.paid_date, err);
    if (rc == 0 && c.amount_paid > 0 && !c.paid_date)
        rc = bad(sheet, "paid_date", _("is empty but an amount was paid"), err);
    if (rc)
        return rc;
    ms_contribution_key(c.household_id, c.period, key);
    return encoded(sheet, ms_contribution_encode(&c, value, MS_VALUE_MAX, value_len), err);
}

static int claim_row(ms_sheet_t *sheet, const int *indices, char *key, uint8_t *value,
                     size_t *value_len, ms_error_t *err)
{
    static const char *const yes_no[] = {"no", "yes",   "non",  "oui", "0",
                                         "1",  "false", "true", NULL};
    ms_claim_t c;
    memset(&c, 0, sizeof c);
    int rc = id_field(sheet, indices[0], "claim_id", key, err);
    if (rc == 0)
        rc = id_field(sheet, indices[1], "member_id", c.member_id, err);
    if (rc == 0)
        rc = ms_cell_text(sheet, indices[2], MS_CELL_OPTIONAL, c.provider_id, sizeof c.provider_id,
                          err);
    if (rc == 0)
        rc = ms_cell_date(sheet, indices[3], &c.care_date, err);
    if (rc == 0)
        rc =
            ms_cell_text(sheet, indices[4], MS_CELL_REQUIRED, c.care_type, sizeof c.care_type, err);
    if (rc == 0)
        rc = ms_cell_uint(sheet, indices[5], MS_AMOUNT_MAX, &c.billed, err);
    if (rc == 0)
        rc = ms_cell_uint(sheet, indices[6], MS_AMOUNT_MAX, &c.covered, err);
    if (rc == 0 && c.covered > c.billed)
        rc = bad(sheet, "covered_xof", _("is more than billed_xof"), err);
    int choice = 0;
    if (rc == 0)
        rc = ms_cell_enum(sheet, indices[7], yes_no, &choice, err);
    c.generic_drugs = choice % 2 == 1;
    if (rc == 0)
        rc = ms_cell_text(sheet, indices[8], MS_CELL_OPTIONAL, c.status, sizeof c.status, err);
    ms_claim_status_t status = rc == 0 ? ms_claim_status_parse(c.status) : MS_CLAIM_STATUS_NONE;
    if (status == MS_CLAIM_STATUS_UNKNOWN)
        rc = ms_error_set(err, MS_EINVAL, ms_sheet_where(sheet),
                          "column status: \"%s\" is not paid (payé, réglé), pending (en attente) "
                          "or rejected (rejeté, refusé)",
                          c.status);
    else if (rc == 0)
        snprintf(c.status, sizeof c.status, "%s", ms_claim_status_name(status));
    if (rc)
        return rc;
    return encoded(sheet, ms_claim_encode(&c, value, MS_VALUE_MAX, value_len), err);
}

const ms_import_schema_t ms_contribution_schema = {
    .what = "contribution",
    .collection = MS_COLL_CONTRIBUTION,
    .columns = ms_contribution_columns,
    .row = contribution_row,
};

const ms_import_schema_t ms_claim_schema = {
    .what = "claim",
    .collection = MS_COLL_CLAIM,
    .columns = ms_claim_columns,
    .row = claim_row,
};
