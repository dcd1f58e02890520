//  cell - one field of a sheet's current row read as text, a date, a month,
//  a whole number or one of a list. Spaces and tabs around a value are
//  ignored, as spreadsheets keep them; everything else must fit exactly.
//  Messages quote at most VALUE_SHOWN bytes of the value at fault.

#include "mutsync/cell.h"

#include "mutsync/date.h"
#include "mutsync/i18n.h"
#include "mutsync/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define VALUE_SHOWN 40  //  bytes of a bad value quoted in a message

//  Refuses field COLUMN of the current row: "where: column name: <why>".
static int refuse(const ms_sheet_t *sheet, int column, ms_error_t *err, const char *fmt, ...)
    MS_PRINTF(4, 5);
static int refuse(const ms_sheet_t *sheet, int column, ms_error_t *err, const char *fmt, ...)
{
    char where[sizeof((ms_error_t *)0)->where];
    snprintf(where, sizeof where, "%s:%llu", ms_sheet_name(sheet),
             (unsigned long long)ms_sheet_line(sheet));
    char why[MS_ERROR_MSG_BYTES];
    va_list args;
    va_start(args, fmt);
    vsnprintf(why, sizeof why, fmt, args);
    va_end(args);
    char number[16];
    const char *label = ms_sheet_column_name(sheet, column);
    if (!label[0]) {
        snprintf(number, sizeof number, "%d", column + 1);
        label = number;
    }
    return ms_error_set(err, MS_EINVAL, where, "column %s: %s", label, why);
}

//  Writes TEXT into OUT as a message shows it: at most VALUE_SHOWN bytes, cut
//  at a character boundary, line breaks and tabs as spaces.
static const char *shown(const char *text, size_t len, char out[VALUE_SHOWN + 4])
{
    size_t n = len;
    if (n > VALUE_SHOWN) {
        n = VALUE_SHOWN;
        while (n > 0 && ((uint8_t)text[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = text[i] == '\n' || text[i] == '\r' || text[i] == '\t' ? ' ' : text[i];
    if (n < len)
        memcpy(out + n, "...", 4);
    else
        out[n] = '\0';
    return out;
}

//  Sets *TEXT to field COLUMN without surrounding spaces; returns its length.
static size_t trimmed(const ms_sheet_t *sheet, int column, const char **text)
{
    size_t len;
    const char *field = ms_sheet_field(sheet, column, &len);
    return ms_text_trim(field, len, text);
}

int ms_cell_text(const ms_sheet_t *sheet, int column, ms_cell_presence_t presence, char *out,
                 size_t size, ms_error_t *err)
{
    const char *text;
    size_t len = trimmed(sheet, column, &text);
    if (size > 0)
        out[0] = '\0';
    if (len == 0 && presence == MS_CELL_REQUIRED)
        return refuse(sheet, column, err, _("is empty"));
    if (len >= size)
        return refuse(sheet, column, err, _("%zu bytes, the limit is %zu"), len,
                      size ? size - 1 : 0);
    memcpy(out, text, len);
    out[len] = '\0';
    return 0;
}

int ms_cell_date(const ms_sheet_t *sheet, int column, int32_t *days, ms_error_t *err)
{
    *days = 0;
    const char *text;
    size_t len = trimmed(sheet, column, &text);
    char value[VALUE_SHOWN + 4];
    if (len == 0)
        return refuse(sheet, column, err, _("is empty, expected a date (YYYY-MM-DD)"));
    int year, month, day;
    if (!ms_date_split(text, len, &year, &month, &day))
        return refuse(sheet, column, err, _("\"%s\" is not a date (YYYY-MM-DD or DD/MM/YYYY)"),
                      shown(text, len, value));
    if (year < MS_SHEET_YEAR_MIN || year > MS_SHEET_YEAR_MAX)
        return refuse(sheet, column, err, _("\"%s\" is out of range (1900-01-01 to 2100-12-31)"),
                      shown(text, len, value));
    *days = ms_date_days(year, month, day);
    return 0;
}

int ms_cell_month(const ms_sheet_t *sheet, int column, uint32_t *yyyymm, ms_error_t *err)
{
    *yyyymm = 0;
    const char *text;
    size_t len = trimmed(sheet, column, &text);
    char value[VALUE_SHOWN + 4];
    if (len == 0)
        return refuse(sheet, column, err, _("is empty, expected a month (YYYY-MM)"));
    int year, month;
    char first_day[11] = "";
    if (len == 7)
        snprintf(first_day, sizeof first_day, "%.7s-01", text);
    int day;
    if (len != 7 || !ms_date_split(first_day, 10, &year, &month, &day))
        return refuse(sheet, column, err, _("\"%s\" is not a month (YYYY-MM)"),
                      shown(text, len, value));
    if (year < MS_SHEET_YEAR_MIN || year > MS_SHEET_YEAR_MAX)
        return refuse(sheet, column, err, _("\"%s\" is out of range (1900-01 to 2100-12)"),
                      shown(text, len, value));
    *yyyymm = (uint32_t)(year * 100 + month);
    return 0;
}

int ms_cell_uint(const ms_sheet_t *sheet, int column, uint64_t max, uint64_t *value,
                 ms_error_t *err)
{
    *value = 0;
    const char *text;
    size_t len = trimmed(sheet, column, &text);
    char quoted[VALUE_SHOWN + 4];
    if (len == 0)
        return refuse(sheet, column, err, _("is empty, expected a whole number"));
    uint64_t v = 0;
    bool over = false;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return refuse(sheet, column, err, _("\"%s\" is not a whole number (digits only)"),
                          shown(text, len, quoted));
        unsigned digit = (unsigned)(text[i] - '0');
        if (v > (UINT64_MAX - digit) / 10)
            over = true;
        else
            v = v * 10 + digit;
    }
    if (over || v > max)
        return refuse(sheet, column, err, _("\"%s\" is more than %llu"), shown(text, len, quoted),
                      (unsigned long long)max);
    *value = v;
    return 0;
}

//  Whether the A_LEN bytes at A spell B, ignoring the case of ASCII letters.
//  Two bytes differing only in bit 0x20 are one letter in two cases exactly
//  when that letter is a to z (B's NUL never matches: A holds none).
static bool same_text(const char *a, size_t a_len, const char *b)
{
    for (size_t i = 0; i < a_len; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        unsigned char lower = (unsigned char)(x | 0x20);
        if (x != y && ((x ^ y) != 0x20 || lower < 'a' || lower > 'z'))
            return false;
    }
    return b[a_len] == '\0';
}

int ms_cell_enum(const ms_sheet_t *sheet, int column, const char *const *accepted, int *choice,
                 ms_error_t *err)
{
    *choice = 0;
    const char *text;
    size_t len = trimmed(sheet, column, &text);
    for (int i = 0; accepted[i]; i++)
        if (same_text(text, len, accepted[i])) {
            *choice = i;
            return 0;
        }
    char list[256] = "";
    size_t used = 0;
    for (int i = 0; accepted[i] && used < sizeof list; i++)
        used +=
            (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", accepted[i]);
    char value[VALUE_SHOWN + 4];
    if (len == 0)
        return refuse(sheet, column, err, _("is empty, expected one of %s"), list);
    return refuse(sheet, column, err, _("\"%s\" is not one of %s"), shown(text, len, value), list);
}
