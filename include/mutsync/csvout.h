//  csvout - writing CSV that spreadsheets open as they are.
//
//  A field is quoted when it holds the separator, a quote, a ',' or ';', or
//  a line break; quotes inside are doubled (RFC 4180). A BOM first makes
//  Excel and LibreOffice read the file as UTF-8, so accents survive; the
//  separator ';' is what a French-locale spreadsheet splits columns on.

#ifndef MS_CSVOUT_H
#define MS_CSVOUT_H

#include <stdbool.h>
#include <stdio.h>

//  How a CSV file is written.
typedef struct {
    char separator;  //  ',' or ';'
    bool bom;        //  start with the UTF-8 byte order mark
} ms_csv_style_t;

//  The plain style (',' and no BOM) and the spreadsheet style for French
//  locales (';' and a BOM: "--excel").
#define MS_CSV_PLAIN ((ms_csv_style_t){',', false})
#define MS_CSV_EXCEL ((ms_csv_style_t){';', true})

//  Writes the BOM when STYLE asks for one. Call once, before the header.
void ms_csv_begin(FILE *out, const ms_csv_style_t *style);

//  Writes TEXT as one field, quoted when needed; SEPARATOR first unless FIRST.
void ms_csv_field(FILE *out, const ms_csv_style_t *style, bool first, const char *text);

//  Writes a whole number as one field (SEPARATOR first unless FIRST).
void ms_csv_int(FILE *out, const ms_csv_style_t *style, bool first, long long value);

#endif
