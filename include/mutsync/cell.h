//  cell - strict parsers for one field of a spreadsheet row (sheet.h).
//
//  Each parses field COLUMN of the current row. Spaces and tabs around the
//  value are ignored; anything else that does not fit is refused. On failure
//  the output is zeroed, and ERR reads: members.csv:5001: column birth_date:
//  "2019-02-31" is not a date ... Each returns 0 or MS_EINVAL.

#ifndef MS_CELL_H
#define MS_CELL_H

#include "mutsync/sheet.h"

typedef enum {
    MS_CELL_OPTIONAL = 0,  //  an empty field is accepted
    MS_CELL_REQUIRED,      //  an empty field is an error ("is empty")
} ms_cell_presence_t;

//  Copies the field without its surrounding spaces and tabs into OUT, of SIZE
//  bytes, NUL-terminated: at most SIZE - 1 bytes fit. An empty value is
//  refused when PRESENCE is MS_CELL_REQUIRED.
MS_MUST_CHECK int ms_cell_text(const ms_sheet_t *sheet, int column, ms_cell_presence_t presence,
                               char *out, size_t size, ms_error_t *err);

//  Parses a calendar date, "YYYY-MM-DD" or, as French spreadsheets export,
//  "DD/MM/YYYY" (one-digit day and month accepted there), between 1900-01-01
//  and 2100-12-31 (MS_SHEET_DATE_MIN..MAX), Feb 29 only in leap years, into
//  *DAYS since 1970-01-01.
MS_MUST_CHECK int ms_cell_date(const ms_sheet_t *sheet, int column, int32_t *days, ms_error_t *err);

//  Parses a month, "YYYY-MM" with the year in MS_SHEET_YEAR_MIN..MAX, into
//  *YYYYMM (2024-03 gives 202403).
MS_MUST_CHECK int ms_cell_month(const ms_sheet_t *sheet, int column, uint32_t *yyyymm,
                                ms_error_t *err);

//  Parses a non-negative decimal integer no larger than MAX: digits only (no
//  sign, no separators, no decimals), at least one. Values past UINT64_MAX
//  are refused, not wrapped.
MS_MUST_CHECK int ms_cell_uint(const ms_sheet_t *sheet, int column, uint64_t max, uint64_t *value,
                               ms_error_t *err);

//  Finds the field among the NULL-terminated ACCEPTED spellings, ASCII case
//  ignored, and sets *CHOICE to its index. The error lists the spellings:
//  column sex: "X" is not one of F, M.
MS_MUST_CHECK int ms_cell_enum(const ms_sheet_t *sheet, int column, const char *const *accepted,
                               int *choice, ms_error_t *err);

#endif
