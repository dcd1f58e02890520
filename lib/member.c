//  member - validation of member rows, shared by file import and `member add`.
//
//  One function, ms_member_from_fields, decides what a valid member is;
//  both the spreadsheet importer and the single-record command call it,
//  so a row refused in a file is refused the same way typed by hand.

#include "mutsync/member.h"

#include "mutsync/sheet.h"
#include "mutsync/text.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *const ms_member_columns[MS_MEMBER_COLUMNS + 1] = {
    "member_id", "household_id",    "family_name", "given_name",   "sex",    "birth_date",
    "village",   "enrollment_date", "category",    "relationship", "status", NULL,
};

enum {
    ID,
    HOUSEHOLD,
    FAMILY,
    GIVEN,
    SEX,
    BIRTH,
    VILLAGE,
    ENROLLED,
    CATEGORY,
    RELATIONSHIP,
    STATUS
};

static int bad(ms_error_t *err, const char *where, int column, const char *value, const char *why)
{
    return ms_error_set(err, MS_EINVAL, where, "column %s: \"%.80s\" %s", ms_member_columns[column],
                        value, why);
}

static int text(const char *const *fields, int column, char *out, size_t cap, bool required,
                const char *where, ms_error_t *err)
{
    const char *value = fields[column];
    size_t len = strlen(value);
    if (required && len == 0)
        return ms_error_set(err, MS_EINVAL, where, "column %s: is empty",
                            ms_member_columns[column]);
    if (len >= cap)
        return ms_error_set(err, MS_EINVAL, where, "column %s: %zu bytes, the limit is %zu",
                            ms_member_columns[column], len, cap - 1);
    memcpy(out, value, len + 1);
    return 0;
}

//  Returns the index of VALUE in NAMES (case-insensitive), or 0 when absent.
static int pick(const char *value, const char *const *names)
{
    for (int i = 1; names[i]; i++)
        if (strcasecmp(value, names[i]) == 0)
            return i;
    return 0;
}

static int choice(const char *const *fields, int column, const char *const *names,
                  const char *accepted, int *out, const char *where, ms_error_t *err)
{
    *out = pick(fields[column], names);
    return *out ? 0 : bad(err, where, column, fields[column], accepted);
}

static int date(const char *const *fields, int column, int32_t *out, const char *where,
                ms_error_t *err)
{
    return ms_date_parse(fields[column], out) == 0
               ? 0
               : bad(err, where, column, fields[column],
                     "is not a date (YYYY-MM-DD, between 1900-01-01 and 2100-12-31)");
}

static bool valid_id(const char *id)
{
    for (const char *p = id; *p; p++)
        if ((unsigned char)*p < 0x21 || *p == '|' || *p == 0x7f)
            return false;
    return true;
}

//  Copies each field without surrounding spaces and tabs (spreadsheets keep
//  them) into TRIMMED. Returns 0 or MS_EINVAL for a field over MS_NAME_MAX.
static int trim_fields(const char *const *fields, char trimmed[][MS_NAME_MAX + 1], const char **out,
                       const char *where, ms_error_t *err)
{
    for (int i = 0; i < MS_MEMBER_COLUMNS; i++) {
        const char *field = fields[i] ? fields[i] : "";
        const char *start;
        size_t len = ms_text_trim(field, strlen(field), &start);
        if (len > MS_NAME_MAX)
            return ms_error_set(err, MS_EINVAL, where, "column %s: %zu bytes, the limit is %d",
                                ms_member_columns[i], len,
                                i <= HOUSEHOLD ? MS_ID_MAX : MS_NAME_MAX);
        memcpy(trimmed[i], start, len);
        trimmed[i][len] = 0;
        out[i] = trimmed[i];
    }
    return 0;
}

int ms_member_from_fields(const char *const *raw, const char *where, char *key, ms_member_t *member,
                          ms_error_t *err)
{
    static const char *const sexes[] = {"", "F", "M", NULL};
    static const char *const categories[] = {"", "adherent", "beneficiaire", NULL};
    static const char *const categories_fr[] = {"", "adhérent", "bénéficiaire", NULL};
    static const char *const relationships[] = {"",       "self",  "spouse", "child",
                                                "parent", "other", NULL};
    static const char *const statuses[] = {"", "active", "suspended", "left", NULL};
    memset(member, 0, sizeof *member);
    char trimmed[MS_MEMBER_COLUMNS][MS_NAME_MAX + 1];
    const char *fields[MS_MEMBER_COLUMNS];
    int rc = trim_fields(raw, trimmed, fields, where, err);
    if (rc)
        return rc;
    rc = text(fields, ID, key, MS_ID_MAX + 1, true, where, err);
    if (rc == 0 && !valid_id(key))
        rc = bad(err, where, ID, key, "may not hold spaces, control characters or '|'");
    if (rc == 0)
        rc = text(fields, HOUSEHOLD, member->household_id, sizeof member->household_id, true, where,
                  err);
    if (rc == 0)
        rc =
            text(fields, FAMILY, member->family_name, sizeof member->family_name, true, where, err);
    if (rc == 0)
        rc = text(fields, GIVEN, member->given_name, sizeof member->given_name, false, where, err);
    int value = 0;
    if (rc == 0)
        rc = choice(fields, SEX, sexes, "is not a sex (F or M)", &value, where, err);
    member->sex = (ms_sex_t)value;
    if (rc == 0)
        rc = date(fields, BIRTH, &member->birth_date, where, err);
    if (rc == 0)
        rc = text(fields, VILLAGE, member->village, sizeof member->village, false, where, err);
    if (rc == 0)
        rc = date(fields, ENROLLED, &member->enrollment_date, where, err);
    if (rc == 0 && member->enrollment_date < member->birth_date)
        rc = bad(err, where, ENROLLED, fields[ENROLLED], "is before the birth date");
    if (rc == 0) {
        value = pick(fields[CATEGORY], categories);
        if (!value)
            value = pick(fields[CATEGORY], categories_fr);
        if (!value)
            rc = bad(err, where, CATEGORY, fields[CATEGORY],
                     "is not a category (adherent or beneficiaire)");
    }
    member->category = (ms_category_t)value;
    if (rc == 0)
        rc = choice(fields, RELATIONSHIP, relationships,
                    "is not a relationship (self, spouse, child, parent or other)", &value, where,
                    err);
    member->relationship = (ms_relationship_t)value;
    if (rc == 0)
        rc = choice(fields, STATUS, statuses, "is not a status (active, suspended or left)", &value,
                    where, err);
    member->status = (ms_member_status_t)value;
    if (rc)
        memset(member, 0, sizeof *member);
    return rc;
}

static int member_row(ms_sheet_t *sheet, const int *indices, char *key, uint8_t *value,
                      size_t *value_len, ms_error_t *err)
{
    const char *fields[MS_MEMBER_COLUMNS];
    for (int i = 0; i < MS_MEMBER_COLUMNS; i++)
        fields[i] = ms_sheet_field(sheet, indices[i], NULL);
    ms_member_t member;
    int rc = ms_member_from_fields(fields, ms_sheet_where(sheet), key, &member, err);
    if (rc)
        return rc;
    if (ms_member_encode(&member, value, MS_VALUE_MAX, value_len) != 0)
        return ms_error_set(err, MS_EINVAL, ms_sheet_where(sheet), "member record too large");
    return 0;
}

const ms_import_schema_t ms_member_schema = {
    .what = "member",
    .collection = MS_COLL_MEMBER,
    .columns = ms_member_columns,
    .row = member_row,
};
