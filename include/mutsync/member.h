//  member - the member register: what a valid member row is, and the
//  import schema for register files.
//
//  Columns (the spreadsheet a mutual keeps): member_id, household_id,
//  family_name, given_name, sex (F/M), birth_date, village,
//  enrollment_date, category (adherent/beneficiaire), relationship
//  (self/spouse/child/parent/other), status (active/suspended/left).
//  Dates are YYYY-MM-DD (DD/MM/YYYY, as French spreadsheets export, is
//  accepted too); category also in French (adhérent, bénéficiaire).

#ifndef MS_MEMBER_H
#define MS_MEMBER_H

#include "mutsync/import.h"
#include "mutsync/record.h"

#define MS_MEMBER_COLUMNS 11
#define MS_MEMBER_HEADER                                                                           \
    "member_id,household_id,family_name,given_name,sex,birth_date,village,enrollment_date,"        \
    "category,relationship,status"

//  The schema ms_import_file uses for member registers.
extern const ms_import_schema_t ms_member_schema;

//  Column names in file order, NULL-terminated.
extern const char *const ms_member_columns[MS_MEMBER_COLUMNS + 1];

//  Makes the member record of one row given as MS_MEMBER_COLUMNS text
//  fields in column order (`member add`), with the same parsers and checks
//  as a file row: KEY (MS_KEY_MAX + 1 bytes) gets the member id, VALUE
//  (MS_VALUE_MAX bytes) the encoded record. Returns 0, or MS_EINVAL with ERR
//  naming the column and why ("member:2: column sex: "X" is not one of F, M").
MS_MUST_CHECK int ms_member_from_fields(const char *const *fields, char *key, uint8_t *value,
                                        size_t *value_len, ms_error_t *err);

#endif
