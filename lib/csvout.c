//  csvout - CSV fields for spreadsheets: quoting, separator, BOM.
//  Used by the exports (export.h), the site's downloadable tables and the
//  command line's --format csv.

#include "mutsync/csvout.h"

#include <string.h>

void ms_csv_begin(FILE *out, const ms_csv_style_t *style)
{
    if (style->bom)
        fputs("\xEF\xBB\xBF", out);
}

void ms_csv_field(FILE *out, const ms_csv_style_t *style, bool first, const char *text)
{
    if (!first)
        fputc(style->separator, out);
    if (!strpbrk(text, ",;\"\r\n") && !strchr(text, style->separator)) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

void ms_csv_int(FILE *out, const ms_csv_style_t *style, bool first, long long value)
{
    if (!first)
        fputc(style->separator, out);
    fprintf(out, "%lld", value);
}
