//  fuzz_sheet - a spreadsheet file from anywhere: open it (UTF-8 or
//  Windows-1252, by the input's size being even or odd), read every row, and run every
//  field parser on every column. Nothing may crash, leak or read astray,
//  and every error must carry a message.

#include "fuzz.h"

#include "mutsync/cell.h"

#include <stdlib.h>

static void check_error(int rc, const ms_error_t *err)
{
    if (rc != 0 && (err->code != rc || err->message[0] == '\0'))
        abort();
}

static void parse_fields(ms_sheet_t *sheet)
{
    static const char *const choices[] = {"F", "M", "adhérent", NULL};
    for (int i = 0; i < ms_sheet_column_count(sheet); i++) {
        ms_error_t err = {0};
        int32_t days;
        uint32_t month;
        uint64_t number;
        int choice;
        char text[16];
        check_error(ms_cell_date(sheet, i, &days, &err), &err);
        check_error(ms_cell_month(sheet, i, &month, &err), &err);
        check_error(ms_cell_uint(sheet, i, 1000000, &number, &err), &err);
        check_error(ms_cell_enum(sheet, i, choices, &choice, &err), &err);
        check_error(ms_cell_text(sheet, i, MS_CELL_REQUIRED, text, sizeof text, &err), &err);
        if (days < MS_SHEET_DATE_MIN || days > MS_SHEET_DATE_MAX)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_sheet_options_t options = {MS_SHEET_UTF8, 0};
    if (size & 1)
        options.encoding = MS_SHEET_CP1252;
    ms_sheet_t *sheet;
    ms_error_t err = {0};
    int rc = ms_sheet_open_buffer("fuzz.csv", data, size, &options, &sheet, &err);
    check_error(rc, &err);
    if (rc)
        return 0;
    static const char *const wanted[] = {"a", "b", NULL};
    int indices[2];
    check_error(ms_sheet_require(sheet, wanted, indices, &err), &err);
    for (int pass = 0; pass < 2; pass++) {
        while ((rc = ms_sheet_next(sheet, &err)) == 1)
            parse_fields(sheet);
        check_error(rc, &err);
        if (ms_sheet_rewind(sheet, &err) != 0)
            break;
    }
    ms_sheet_close(&sheet);
    return 0;
}
