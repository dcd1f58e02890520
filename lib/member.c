//  member - what a valid member row is, for file imports and `member add`.
//
//  A row is read with the same strict cell parsers as the other registers
//  (cell.h); `member add` writes its arguments as a one-row sheet and reads
//  it with the same row function, so a member refused in a file is refused
//  the same way typed on the command line, with the same message.

#include "mutsync/member.h"

#include "mutsync/cell.h"
#include "mutsync/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

//  Spellings in enum order (index + 1 is the value); categories also in French.
static const char *const sexes[] = {"F", "M", NULL};
static const char *const categories[] = {"adherent", "beneficiaire", "adhérent", "bénéficiaire",
                                         NULL};
static const char *const relationships[] = {"self", "spouse", "child", "parent", "other", NULL};
static const char *const statuses[] = {"active", "suspended", "left", NULL};

static int refuse(ms_sheet_t *sheet, int column, const char *why, ms_error_t *err)
{
    return ms_error_set(err, MS_EINVAL, ms_sheet_where(sheet), "column %s: %s",
                        ms_member_columns[column], why);
}

//  Field COLUMN of the row as one of ACCEPTED; *VALUE gets its index + 1.
static int choice(ms_sheet_t *sheet, const int *indices, int column, const char *const *accepted,
                  int *value, ms_error_t *err)
{
    int rc = ms_cell_enum(sheet, indices[column], accepted, value, err);
    *value = rc ? 0 : *value + 1;
    return rc;
}

static int read_member(ms_sheet_t *sheet, const int *indices, char *key, ms_member_t *m,
                       ms_error_t *err)
{
    memset(m, 0, sizeof *m);
    int rc = ms_cell_text(sheet, indices[ID], MS_CELL_REQUIRED, key, MS_ID_MAX + 1, err);
    if (rc == 0 && !ms_record_id_valid(key))
        rc = refuse(sheet, ID, _("may not hold spaces, control characters or '|'"), err);
    if (rc == 0)
        rc = ms_cell_text(sheet, indices[HOUSEHOLD], MS_CELL_REQUIRED, m->household_id,
                          sizeof m->household_id, err);
    if (rc == 0)
        rc = ms_cell_text(sheet, indices[FAMILY], MS_CELL_REQUIRED, m->family_name,
                          sizeof m->family_name, err);
    if (rc == 0)
        rc = ms_cell_text(sheet, indices[GIVEN], MS_CELL_OPTIONAL, m->given_name,
                          sizeof m->given_name, err);
    int value = 0;
    if (rc == 0)
        rc = choice(sheet, indices, SEX, sexes, &value, err);
    m->sex = (ms_sex_t)value;
    if (rc == 0)
        rc = ms_cell_date(sheet, indices[BIRTH], &m->birth_date, err);
    if (rc == 0)
        rc = ms_cell_text(sheet, indices[VILLAGE], MS_CELL_OPTIONAL, m->village, sizeof m->village,
                          err);
    if (rc == 0)
        rc = ms_cell_date(sheet, indices[ENROLLED], &m->enrollment_date, err);
    if (rc == 0 && m->enrollment_date < m->birth_date)
        rc = refuse(sheet, ENROLLED, _("is before the birth date"), err);
    if (rc == 0)
        rc = choice(sheet, indices, CATEGORY, categories, &value, err);
    m->category = (ms_category_t)(value ? (value - 1) % 2 + 1 : 0);
    if (rc == 0)
        rc = choice(sheet, indices, RELATIONSHIP, relationships, &value, err);
    m->relationship = (ms_relationship_t)value;
    if (rc == 0)
        rc = choice(sheet, indices, STATUS, statuses, &value, err);
    m->status = (ms_member_status_t)value;
    return rc;
}

static int member_row(ms_sheet_t *sheet, const int *indices, char *key, uint8_t *value,
                      size_t *value_len, ms_error_t *err)
{
    ms_member_t member;
    int rc = read_member(sheet, indices, key, &member, err);
    if (rc == 0 && ms_member_encode(&member, value, MS_VALUE_MAX, value_len) != 0)
        rc = ms_error_set(err, MS_EINVAL, ms_sheet_where(sheet), "member record too large");
    return rc;
}

const ms_import_schema_t ms_member_schema = {
    .what = "member",
    .collection = MS_COLL_MEMBER,
    .columns = ms_member_columns,
    .row = member_row,
};

//  Writes FIELDS as the CSV a spreadsheet would: the header, then one row
//  with every field quoted. Returns a new buffer, or NULL without memory.
static char *one_row(const char *const *fields, size_t *len_p)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, len_p);
    if (!out)
        return NULL;
    fputs(MS_MEMBER_HEADER "\n", out);
    for (int i = 0; i < MS_MEMBER_COLUMNS; i++) {
        fputs(i ? ",\"" : "\"", out);
        for (const char *p = fields[i] ? fields[i] : ""; *p; p++) {
            if (*p == '"')
                fputc('"', out);
            fputc(*p, out);
        }
        fputc('"', out);
    }
    fputc('\n', out);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

int ms_member_from_fields(const char *const *fields, char *key, uint8_t *value, size_t *value_len,
                          ms_error_t *err)
{
    size_t len = 0;
    char *text = one_row(fields, &len);
    if (!text)
        return ms_error_set(err, MS_ENOMEM, "member", "no memory");
    ms_sheet_t *sheet = NULL;
    int indices[MS_MEMBER_COLUMNS];
    int rc = ms_sheet_open_buffer("member", text, len, NULL, &sheet, err);
    if (rc == 0)
        rc = ms_sheet_require(sheet, ms_member_columns, indices, err);
    if (rc == 0 && (rc = ms_sheet_next(sheet, err)) == 1)
        rc = member_row(sheet, indices, key, value, value_len, err);
    else if (rc == 0)
        rc = ms_error_set(err, MS_EINVAL, "member", "no row");
    ms_sheet_close(&sheet);
    free(text);
    return rc;
}
