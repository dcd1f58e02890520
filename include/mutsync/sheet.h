//  sheet - spreadsheet files (CSV) read row by row, and strict field parsers.
//
//  Registers kept by mutual managers come as CSV exported from a spreadsheet.
//  A sheet streams such a file: one row in memory at a time, whatever the
//  file's size. The first non-empty row is the header and names the columns;
//  every later row must have as many fields as the header.
//
//  What a file may hold:
//  - a UTF-8 byte-order mark (skipped); LF, CRLF or CR line ends; empty lines
//    (skipped, but counted in line numbers);
//  - ',' or ';' between fields, detected from the header line (French-locale
//    spreadsheets write ';'), or forced;
//  - RFC 4180 quoting: "a ""quoted"" field, with ; and line breaks". Fields
//    are given as they are in the file: no spaces are trimmed (the parsers
//    below trim); a quote inside an unquoted field, or anything but a
//    separator or line end after a closing quote, is an error;
//  - text in UTF-8, checked strictly (overlong forms, surrogates and cut
//    sequences are refused), or Windows-1252 converted to UTF-8 on request;
//  - no NUL bytes and no control characters other than tab (and line breaks
//    inside quoted fields).
//
//  Every error names the file, the physical line where the row starts
//  (counting line breaks inside quoted fields) and, when it is about one
//  field, the column: "members.csv:57: column sex: "X" is not one of F, M".
//  Errors carry the value at fault (cut to a few dozen bytes), never a
//  whole row. A sheet is used by one thread at a time.

#ifndef MS_SHEET_H
#define MS_SHEET_H

#include "mutsync/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_SHEET_FIELD_MAX 65536   //  bytes in one field, as UTF-8
#define MS_SHEET_ROW_MAX 1048576   //  bytes in all fields of one row, as UTF-8
#define MS_SHEET_COLUMNS_MAX 1024  //  fields in the header row
//  Dates and months in a sheet lie between these (see cell.h).
#define MS_SHEET_DATE_MIN (-25567)  //  1900-01-01, in days since 1970-01-01
#define MS_SHEET_DATE_MAX 47846     //  2100-12-31, in days since 1970-01-01
#define MS_SHEET_YEAR_MIN 1900      //  first year a date or month may have
#define MS_SHEET_YEAR_MAX 2100      //  last year a date or month may have

typedef struct ms_sheet ms_sheet_t;

typedef enum {
    MS_SHEET_UTF8 = 0,  //  checked strictly; the default
    MS_SHEET_CP1252,    //  Windows-1252, converted to UTF-8 field by field
} ms_sheet_encoding_t;

typedef struct {
    ms_sheet_encoding_t encoding;  //  of the file's text
    char separator;                //  ',', ';' or '\t'; 0: ',' or ';' detected from the header
} ms_sheet_options_t;

//  ---------------------------------------------------------------------------
//  Reading

//  Opens PATH and reads its header row. OPTIONS may be NULL (UTF-8, separator
//  detected). Messages name the file by PATH as given (by its last component
//  when PATH is too long for ms_error_t). On success *sheet_p owns the sheet:
//  close it with ms_sheet_close. On failure *sheet_p stays NULL. Returns 0;
//  MS_EIO when the file cannot be read; MS_EINVAL when it is empty, has a bad
//  header (a duplicate name, bad text, over MS_SHEET_COLUMNS_MAX columns) or
//  bad options; MS_ENOMEM.
MS_MUST_CHECK int ms_sheet_open(const char *path, const ms_sheet_options_t *options,
                                ms_sheet_t **sheet_p, ms_error_t *err);

//  As ms_sheet_open, reading the LEN bytes at DATA, which must stay valid and
//  unchanged until the sheet is closed. NAME stands for the file in messages.
MS_MUST_CHECK int ms_sheet_open_buffer(const char *name, const void *data, size_t len,
                                       const ms_sheet_options_t *options, ms_sheet_t **sheet_p,
                                       ms_error_t *err);

//  Closes the file, frees the sheet and sets *sheet_p to NULL. Safe on NULL
//  and twice.
void ms_sheet_close(ms_sheet_t **sheet_p);

//  Returns the number of columns the header names.
int ms_sheet_column_count(const ms_sheet_t *sheet);

//  Returns the index of the column named NAME (ASCII case ignored, header
//  names taken without surrounding spaces), or -1 when there is none.
//  A column found is marked used (see ms_sheet_unused).
int ms_sheet_column(ms_sheet_t *sheet, const char *name);

//  Returns the header name of column INDEX, without surrounding spaces.
//  Borrowed: valid until the sheet is closed.
const char *ms_sheet_column_name(const ms_sheet_t *sheet, int index);

//  Finds every name of the NULL-terminated NAMES and writes its column index
//  to INDICES[i] (as many entries as NAMES). Returns 0; or MS_EINVAL when
//  some are missing, ERR naming them: members.csv:1: missing column
//  "birth_date". INDICES are then all -1.
MS_MUST_CHECK int ms_sheet_require(ms_sheet_t *sheet, const char *const *names, int *indices,
                                   ms_error_t *err);

//  Returns the first column at or after FROM that no ms_sheet_column or
//  ms_sheet_require call asked for, or -1. Columns the caller does not know
//  are allowed; it decides whether to warn:
//      for (int i = ms_sheet_unused(sheet, 0); i >= 0; i = ms_sheet_unused(sheet, i + 1))
int ms_sheet_unused(const ms_sheet_t *sheet, int from);

//  Reads the next row. Returns 1 with the row's fields ready; 0 at the end
//  of the file; or, naming line and column, MS_EINVAL (a row with the wrong
//  number of fields, bad quoting, bad text, a field over MS_SHEET_FIELD_MAX or
//  a row over MS_SHEET_ROW_MAX bytes), MS_EIO or MS_ENOMEM. After an error the
//  sheet stays failed: each later call returns the same code, until rewound.
MS_MUST_CHECK int ms_sheet_next(ms_sheet_t *sheet, ms_error_t *err);

//  Returns field INDEX (0 <= INDEX < ms_sheet_column_count) of the current
//  row, in UTF-8 and NUL-terminated, with its length in bytes in *LEN when LEN
//  is not NULL. Borrowed: valid until the next ms_sheet_next, ms_sheet_rewind
//  or ms_sheet_close. Only after ms_sheet_next returned 1.
const char *ms_sheet_field(const ms_sheet_t *sheet, int index, size_t *len);

//  Returns the physical line (from 1) where the current row starts; after
//  ms_sheet_open, the header's line.
uint64_t ms_sheet_line(const ms_sheet_t *sheet);

//  Bytes of input fed to the parser so far (the file's offset, for progress).
uint64_t ms_sheet_offset(const ms_sheet_t *sheet);

//  Returns the name messages give the file (PATH, or its last component when
//  too long). Borrowed: valid until the sheet is closed.
const char *ms_sheet_name(const ms_sheet_t *sheet);

//  Returns "name:line" for the current row, as messages begin. Borrowed:
//  valid until the next ms_sheet_next, ms_sheet_rewind or ms_sheet_close.
const char *ms_sheet_where(ms_sheet_t *sheet);

//  Goes back to the first row after the header, so an importer can read the
//  file twice; clears a failed state. Returns 0, or MS_EIO.
MS_MUST_CHECK int ms_sheet_rewind(ms_sheet_t *sheet, ms_error_t *err);

#endif
