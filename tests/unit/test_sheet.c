//  test_sheet - spreadsheet reading, as users see it: every defect is
//  refused with the file, the line and the column in the message.
//  Files are real, in a mkdtemp directory that teardown removes.

#include "mutsync/cell.h"
#include "mutsync/i18n.h"
#include "mutsync/text.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char dir[64];    //  the test's temp directory
    char path[128];  //  the last file written
} fixture_t;

static int setup(void **state)
{
    fixture_t *fixture = calloc(1, sizeof *fixture);
    assert_non_null(fixture);
    snprintf(fixture->dir, sizeof fixture->dir, "/tmp/test_sheet.XXXXXX");
    assert_non_null(mkdtemp(fixture->dir));
    *state = fixture;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fixture = *state;
    DIR *dir = opendir(fixture->dir);
    struct dirent *entry;
    while (dir && (entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", fixture->dir, entry->d_name);
        unlink(path);
    }
    if (dir)
        closedir(dir);
    rmdir(fixture->dir);
    free(fixture);
    return 0;
}

//  Writes LEN bytes of DATA to NAME in the temp directory; returns its path.
static const char *write_file(void **state, const char *name, const void *data, size_t len)
{
    fixture_t *fixture = *state;
    snprintf(fixture->path, sizeof fixture->path, "%s/%s", fixture->dir, name);
    FILE *file = fopen(fixture->path, "wb");
    assert_non_null(file);
    assert_int_equal(fwrite(data, 1, len, file), len);
    assert_int_equal(fclose(file), 0);
    return fixture->path;
}

static const char *write_text(void **state, const char *name, const char *text)
{
    return write_file(state, name, text, strlen(text));
}

//  Opens TEXT written to m.csv; fails the test when it does not open.
static ms_sheet_t *open_text(void **state, const char *text, const ms_sheet_options_t *options)
{
    ms_sheet_t *sheet = NULL;
    ms_error_t err = {0};
    char buf[1024];
    int rc = ms_sheet_open(write_text(state, "m.csv", text), options, &sheet, &err);
    if (rc)
        fail_msg("%s", ms_error_text(&err, buf, sizeof buf));
    return sheet;
}

//  Reads every row of SHEET; returns the code of the call that ended it and
//  leaves "where: message" (file name without its directory) in TEXT.
static int read_all(ms_sheet_t *sheet, char *text, size_t size)
{
    ms_error_t err = {0};
    int rc;
    while ((rc = ms_sheet_next(sheet, &err)) == 1)
        ;
    char buf[1024];
    const char *full = ms_error_text(&err, buf, sizeof buf);
    const char *slash = strrchr(full, '/');
    snprintf(text, size, "%s", rc && slash ? slash + 1 : full);
    return rc;
}

//  Opening TEXT fails with the message EXPECTED (file name without directory).
static void assert_open_fails(void **state, const char *text, const ms_sheet_options_t *options,
                              const char *expected)
{
    ms_sheet_t *sheet = NULL;
    ms_error_t err = {0};
    assert_int_equal(ms_sheet_open(write_text(state, "m.csv", text), options, &sheet, &err),
                     MS_EINVAL);
    assert_null(sheet);
    char buf[1024];
    const char *full = ms_error_text(&err, buf, sizeof buf);
    assert_string_equal(strrchr(full, '/') + 1, expected);
}

//  Reading the rows of TEXT ends with MS_EINVAL and the message EXPECTED.
static void assert_rows_fail(void **state, const char *text, const ms_sheet_options_t *options,
                             const char *expected)
{
    ms_sheet_t *sheet = open_text(state, text, options);
    char message[1024];
    assert_int_equal(read_all(sheet, message, sizeof message), MS_EINVAL);
    assert_string_equal(message, expected);
    ms_sheet_close(&sheet);
}

//  ---------------------------------------------------------------------------
//  Reading

static void test_sheet_reads_rows_and_fields_by_column_name(void **state)
{
    ms_sheet_t *sheet = open_text(state, "id,name,sex\n1,Ba,F\n2,Koné,M\n", NULL);
    assert_int_equal(ms_sheet_column_count(sheet), 3);
    assert_int_equal(ms_sheet_column(sheet, "name"), 1);
    assert_int_equal(ms_sheet_column(sheet, "NAME"), 1);
    assert_int_equal(ms_sheet_column(sheet, "village"), -1);
    assert_string_equal(ms_sheet_column_name(sheet, 2), "sex");
    assert_int_equal(ms_sheet_line(sheet), 1);
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);
    size_t len;
    assert_string_equal(ms_sheet_field(sheet, 1, &len), "Ba");
    assert_int_equal(len, 2);
    assert_int_equal(ms_sheet_line(sheet), 2);
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);
    assert_string_equal(ms_sheet_field(sheet, 1, &len), "Koné");
    assert_int_equal(len, 5);
    assert_string_equal(ms_sheet_where(sheet) + strlen(ms_sheet_where(sheet)) - 7, "m.csv:3");
    assert_int_equal(ms_sheet_next(sheet, NULL), 0);
    assert_int_equal(ms_sheet_next(sheet, NULL), 0);
    ms_sheet_close(&sheet);
    assert_null(sheet);
    ms_sheet_close(&sheet);
}

//  A row read whole (no quote on its line) gives the fields libcsv would.
static void test_sheet_plain_and_quoted_rows_read_the_same(void **state)
{
    const char *plain = "a,b,c,d\nKon\xC3\xA9,,\t x\t,\n1,2,3,\xE2\x82\xAC\n";
    const char *quoted =
        "a,b,c,d\n\"Kon\xC3\xA9\",\"\",\"\t x\t\",\"\"\n\"1\",2,3,\"\xE2\x82\xAC\"\n";
    ms_sheet_t *sheets[2] = {open_text(state, plain, NULL), NULL};
    char copy[128];
    snprintf(copy, sizeof copy, "%s", quoted);
    assert_int_equal(ms_sheet_open_buffer("m.csv", copy, strlen(copy), NULL, &sheets[1], NULL), 0);
    for (int row = 0; row < 2; row++) {
        assert_int_equal(ms_sheet_next(sheets[0], NULL), 1);
        assert_int_equal(ms_sheet_next(sheets[1], NULL), 1);
        assert_int_equal(ms_sheet_line(sheets[0]), (uint64_t)row + 2);
        for (int i = 0; i < 4; i++) {
            size_t len[2];
            const char *field[2] = {ms_sheet_field(sheets[0], i, &len[0]),
                                    ms_sheet_field(sheets[1], i, &len[1])};
            assert_int_equal(len[0], len[1]);
            assert_int_equal(strlen(field[0]), len[0]);
            assert_string_equal(field[0], field[1]);
        }
    }
    assert_string_equal(ms_sheet_field(sheets[0], 0, NULL), "1");
    assert_string_equal(ms_sheet_field(sheets[0], 3, NULL), "\xE2\x82\xAC");
    ms_sheet_close(&sheets[0]);
    ms_sheet_close(&sheets[1]);
    //  A bad byte in a field past the header's width: the width is the fault.
    assert_rows_fail(state, "a,b\n1,2\n1,2,\xFF\n", NULL, "m.csv:3: 3 fields, expected 2");
    assert_rows_fail(state, "a,b\n1,2\n\xFF,2,3\n", NULL,
                     "m.csv:3: column a: not valid UTF-8 (byte 0xFF at offset 0); if the file "
                     "is in Windows-1252, import it with --encoding cp1252");
}

//  Every byte value, at every place of a field read eight bytes at a time:
//  printable ASCII and tab pass, any other byte below 0x80 is named with its
//  offset, and a lone byte from 0x80 on is not UTF-8.
static void test_text_check_names_every_bad_byte_where_it_is(void **state)
{
    (void)state;
    for (int byte = 0; byte < 256; byte++)
        for (size_t at = 0; at < 24; at++) {
            uint8_t field[24];
            memset(field, 'a', sizeof field);
            field[at] = (uint8_t)byte;
            ms_text_fault_t fault = {0};
            bool good = ms_text_check_utf8(field, sizeof field, &fault);
            bool printable = byte >= 0x20 && byte < 0x7F;
            bool allowed = byte == '\t' || byte == '\n' || byte == '\r';
            if (printable || allowed) {
                assert_true(good);
                continue;
            }
            assert_false(good);
            assert_int_equal(fault.offset, at);
            assert_int_equal(fault.value, byte);
            assert_int_equal(fault.kind, byte == 0     ? MS_TEXT_NUL
                                         : byte < 0x80 ? MS_TEXT_CONTROL
                                                       : MS_TEXT_NOT_UTF8);
        }
}

static void test_sheet_skips_byte_order_mark(void **state)
{
    ms_sheet_t *sheet = open_text(state, "\xEF\xBB\xBFid,name\n7,Ba\n", NULL);
    assert_int_equal(ms_sheet_column(sheet, "id"), 0);
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);
    assert_string_equal(ms_sheet_field(sheet, 0, NULL), "7");
    ms_sheet_close(&sheet);
}

static void test_sheet_refuses_byte_order_mark_with_cp1252(void **state)
{
    ms_sheet_options_t cp1252 = {MS_SHEET_CP1252, 0};
    assert_open_fails(state, "\xEF\xBB\xBFid\n1\n", &cp1252,
                      "m.csv:1: the file starts with a UTF-8 byte-order mark: it is in UTF-8, "
                      "not Windows-1252");
    assert_open_fails(state, "\xFF\xFEi\0d\0", NULL,
                      "m.csv:1: the file is in UTF-16 (byte-order mark 0xFF 0xFE); save it as "
                      "CSV UTF-8");
}

static void test_sheet_reads_crlf_and_counts_lines(void **state)
{
    ms_sheet_t *sheet = open_text(state, "id,name\r\n1,Ba\r\n\r\n2,Sow\r\n3\r\n", NULL);
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);
    assert_string_equal(ms_sheet_field(sheet, 1, NULL), "Ba");
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);
    assert_string_equal(ms_sheet_field(sheet, 1, NULL), "Sow");
    assert_int_equal(ms_sheet_line(sheet), 4);  //  the empty line 3 is skipped but counted
    ms_error_t err = {0};
    assert_int_equal(ms_sheet_next(sheet, &err), MS_EINVAL);
    assert_string_equal(err.message, "1 fields, expected 2");
    assert_string_equal(strrchr(err.where, '/') + 1, "m.csv:5");
    ms_sheet_close(&sheet);
}

static void test_sheet_counts_lone_cr_as_line_end(void **state)
{
    assert_rows_fail(state, "a,b\r1,2\r3\r", NULL, "m.csv:3: 1 fields, expected 2");
}

static void test_sheet_detects_semicolon_separator(void **state)
{
    ms_sheet_t *sheet = open_text(state, "id;name;note\n1;Ba;\"a, b; c\"\n", NULL);
    assert_int_equal(ms_sheet_column_count(sheet), 3);
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);
    assert_string_equal(ms_sheet_field(sheet, 2, NULL), "a, b; c");
    ms_sheet_close(&sheet);

    ms_sheet_options_t comma = {MS_SHEET_UTF8, ','};
    sheet = open_text(state, "id;name\n1;Ba\n", &comma);
    assert_int_equal(ms_sheet_column_count(sheet), 1);
    assert_string_equal(ms_sheet_column_name(sheet, 0), "id;name");
    ms_sheet_close(&sheet);
}

static void test_sheet_quoted_fields_keep_line_numbers_right(void **state)
{
    const char *text = "id,note,sex\n"
                       "1,\"two\nlines, and \"\"quotes\"\"\",F\n"
                       "2,\"three\r\nlines\r\n\",M\n"
                       "3,plain\n";
    ms_sheet_t *sheet = open_text(state, text, NULL);
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);
    assert_string_equal(ms_sheet_field(sheet, 1, NULL), "two\nlines, and \"quotes\"");
    assert_int_equal(ms_sheet_line(sheet), 2);
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);
    assert_string_equal(ms_sheet_field(sheet, 1, NULL), "three\r\nlines\r\n");
    assert_int_equal(ms_sheet_line(sheet), 4);
    ms_error_t err = {0};
    assert_int_equal(ms_sheet_next(sheet, &err), MS_EINVAL);
    assert_string_equal(strrchr(err.where, '/') + 1, "m.csv:7");
    assert_string_equal(err.message, "2 fields, expected 3");
    ms_sheet_close(&sheet);
}

static void test_sheet_refuses_wrong_field_count(void **state)
{
    assert_rows_fail(state, "a,b,c\n1,2,3\n1,2,3\n1,2,3,4\n", NULL,
                     "m.csv:4: 4 fields, expected 3");
}

static void test_sheet_refuses_bad_quoting_and_unclosed_quote(void **state)
{
    assert_rows_fail(
        state, "a,b\n1,2\n1,x\"y\n", NULL,
        "m.csv:3: column b: a quote inside an unquoted field, or text after a closing "
        "quote (quote the whole field and double the quotes inside it: \"a \"\"b\"\"\")");
    assert_rows_fail(
        state, "a,b\n1,\"ok\" \n", NULL,
        "m.csv:2: column b: a quote inside an unquoted field, or text after a closing "
        "quote (quote the whole field and double the quotes inside it: \"a \"\"b\"\"\")");
    assert_rows_fail(state, "a,b\n1,2\n3,\"never\nclosed\n", NULL,
                     "m.csv:3: column b: the quote opened on line 3 is never closed");
}

static void test_sheet_reports_missing_and_unused_columns(void **state)
{
    ms_sheet_t *sheet = open_text(state, "member_id,sex,extra,note\n", NULL);
    static const char *const one[] = {"member_id", "birth_date", NULL};
    int indices[4];
    ms_error_t err = {0};
    assert_int_equal(ms_sheet_require(sheet, one, indices, &err), MS_EINVAL);
    assert_string_equal(strrchr(err.where, '/') + 1, "m.csv:1");
    assert_string_equal(err.message, "missing column \"birth_date\"");
    assert_int_equal(indices[0], -1);
    static const char *const three[] = {"birth_date", "sex", "village", "status", NULL};
    assert_int_equal(ms_sheet_require(sheet, three, indices, &err), MS_EINVAL);
    assert_string_equal(err.message,
                        "missing column \"birth_date\" (also missing: \"village\", \"status\")");
    static const char *const present[] = {"SEX", "member_id", NULL};
    assert_int_equal(ms_sheet_require(sheet, present, indices, &err), 0);
    assert_int_equal(indices[0], 1);
    assert_int_equal(indices[1], 0);
    assert_int_equal(ms_sheet_unused(sheet, 0), 2);
    assert_int_equal(ms_sheet_unused(sheet, 3), 3);
    assert_int_equal(ms_sheet_column(sheet, "note"), 3);
    assert_int_equal(ms_sheet_unused(sheet, 3), -1);
    assert_int_equal(ms_sheet_next(sheet, NULL), 0);  //  header only: no rows
    ms_sheet_close(&sheet);
}

static void test_sheet_refuses_duplicate_header(void **state)
{
    assert_open_fails(state, "id,name, Name ,sex\n", NULL,
                      "m.csv:1: column \"Name\" appears twice in the header (columns 2 and 3)");
    ms_sheet_t *sheet = open_text(state, "id,,\n1,,\n", NULL);  //  empty names are no duplicates
    assert_int_equal(ms_sheet_column(sheet, ""), -1);
    ms_sheet_close(&sheet);
}

static void test_sheet_refuses_empty_file(void **state)
{
    assert_open_fails(state, "", NULL,
                      "m.csv: the file is empty: it needs a header row naming the columns");
    assert_open_fails(state, "\xEF\xBB\xBF\r\n\n", NULL,
                      "m.csv: the file is empty: it needs a header row naming the columns");
    ms_sheet_t *sheet = NULL;
    ms_error_t err = {0};
    assert_int_equal(ms_sheet_open("/nonexistent/m.csv", NULL, &sheet, &err), MS_EIO);
    assert_null(sheet);
    assert_string_equal(err.where, "/nonexistent/m.csv");
}

static void test_sheet_refuses_invalid_utf8_naming_byte_and_offset(void **state)
{
    assert_rows_fail(state, "id,family_name\n1,Ba\n2,B\xE2\n", NULL,
                     "m.csv:3: column family_name: not valid UTF-8 (byte 0xE2 at offset 1); if the "
                     "file is in Windows-1252, import it with --encoding cp1252");
    struct {
        const char *bytes;
        const char *why;
    } cases[] = {
        {"\xC0\xAF", "byte 0xC0 at offset 0"},          //  overlong '/'
        {"a\xE0\x80\xAF", "byte 0xE0 at offset 1"},     //  overlong, 3 bytes
        {"\xED\xA0\x80", "byte 0xED at offset 0"},      //  surrogate U+D800
        {"\xF4\x90\x80\x80", "byte 0xF4 at offset 0"},  //  past U+10FFFF
        {"ab\xE2\x82", "byte 0xE2 at offset 2"},        //  cut sequence
        {"\x80", "byte 0x80 at offset 0"},              //  lone continuation
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[64], expected[256];
        snprintf(text, sizeof text, "name\n%s\n", cases[i].bytes);
        snprintf(expected, sizeof expected,
                 "m.csv:2: column name: not valid UTF-8 (%s); if the file is in Windows-1252, "
                 "import it with --encoding cp1252",
                 cases[i].why);
        assert_rows_fail(state, text, NULL, expected);
    }
    ms_sheet_t *sheet = open_text(state, "name\n\xF0\x9F\x98\x80\xEF\xBF\xBD\xE2\x82\xAC\n", NULL);
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);  //  U+1F600, U+FFFD, U+20AC
    ms_sheet_close(&sheet);
}

static void test_sheet_converts_cp1252(void **state)
{
    ms_sheet_options_t cp1252 = {MS_SHEET_CP1252, 0};
    ms_sheet_t *sheet =
        open_text(state, "id;family_name;village\r\n1;B\xE2;S\xE9gou \x80\x9F\r\n", &cp1252);
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);
    assert_string_equal(ms_sheet_field(sheet, 1, NULL), "Bâ");
    assert_string_equal(ms_sheet_field(sheet, 2, NULL), "Ségou €Ÿ");
    ms_sheet_close(&sheet);
    const uint8_t undefined[] = {0x81, 0x8D, 0x8F, 0x90, 0x9D};
    for (size_t i = 0; i < sizeof undefined; i++) {
        char text[32], expected[128];
        snprintf(text, sizeof text, "name\nab%c\n", undefined[i]);
        snprintf(expected, sizeof expected,
                 "m.csv:2: column name: byte 0x%02X at offset 2 is not a Windows-1252 character",
                 undefined[i]);
        assert_rows_fail(state, text, &cp1252, expected);
    }
}

static void test_sheet_refuses_nul_and_control_characters(void **state)
{
    ms_sheet_t *sheet = NULL;
    ms_error_t err = {0};
    const char nul[] = "id,name\n1,a\0b\n";
    assert_int_equal(
        ms_sheet_open(write_file(state, "m.csv", nul, sizeof nul - 1), NULL, &sheet, &err), 0);
    assert_int_equal(ms_sheet_next(sheet, &err), MS_EINVAL);
    assert_string_equal(err.message,
                        "column name: NUL byte at offset 1 (is the file UTF-16, or not text?)");
    ms_sheet_close(&sheet);
    assert_rows_fail(state, "id,name\n1,a\x1B[0m\n", NULL,
                     "m.csv:2: column name: control character 0x1B at offset 1");
    assert_rows_fail(state, "id,name\n1,a\xC2\x85\n", NULL,
                     "m.csv:2: column name: control character U+0085 at offset 1");
    sheet = open_text(state, "id,name\n1,\ta\tb\t\n", NULL);
    assert_int_equal(ms_sheet_next(sheet, NULL), 1);
    assert_string_equal(ms_sheet_field(sheet, 1, NULL), "\ta\tb\t");
    ms_sheet_close(&sheet);
}

static void test_sheet_rewinds_to_first_row(void **state)
{
    ms_sheet_t *sheet = open_text(state, "id\r\n1\r\n\r\n2\r\nx,y\r\n", NULL);
    ms_error_t err = {0};
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(ms_sheet_next(sheet, NULL), 1);
        assert_string_equal(ms_sheet_field(sheet, 0, NULL), "1");
        assert_int_equal(ms_sheet_line(sheet), 2);
        assert_int_equal(ms_sheet_next(sheet, NULL), 1);
        assert_int_equal(ms_sheet_line(sheet), 4);
        assert_int_equal(ms_sheet_next(sheet, &err), MS_EINVAL);
        assert_int_equal(ms_sheet_next(sheet, &err), MS_EINVAL);  //  stays failed
        assert_string_equal(strrchr(err.where, '/') + 1, "m.csv:5");
        assert_int_equal(ms_sheet_rewind(sheet, &err), 0);
    }
    ms_sheet_close(&sheet);
}

//  A file past the 256 KiB read window, with a CRLF cut by the window's end
//  and a quoted line break, still numbers its lines exactly.
static void test_sheet_counts_lines_across_read_windows(void **state)
{
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)sprintf(text, "id,name\r\n");
    uint64_t line = 2;
    while (len < 262144 - 20)
        len += (size_t)sprintf(text + len, "%llu,n\r\n", (unsigned long long)line++);
    text[len] = '9';  //  a row whose CR is byte 262143, the window's last
    text[len + 1] = ',';
    memset(text + len + 2, 'x', 262143 - (len + 2));
    len = 262143;
    len += (size_t)sprintf(text + len, "\r\n");
    line++;
    len += (size_t)sprintf(text + len, "1,\"a\nb\"\r\n");
    line += 2;
    for (int i = 0; i < 20000; i++)
        len += (size_t)sprintf(text + len, "%d,n\r\n", i);
    line += 20000;
    len += (size_t)sprintf(text + len, "bad\r\n");
    ms_sheet_t *sheet = NULL;
    ms_error_t err = {0};
    assert_int_equal(ms_sheet_open(write_file(state, "big.csv", text, len), NULL, &sheet, &err), 0);
    int rc, rows = 0;
    while ((rc = ms_sheet_next(sheet, &err)) == 1)
        rows++;
    assert_int_equal(rc, MS_EINVAL);
    char expected[64];
    snprintf(expected, sizeof expected, "big.csv:%llu", (unsigned long long)line);
    assert_string_equal(strrchr(err.where, '/') + 1, expected);
    assert_int_equal(rows, (int)line - 3);  //  lines 2.. less the quoted line break
    ms_sheet_close(&sheet);
    free(text);
}

//  ---------------------------------------------------------------------------
//  Limits: the largest accepted and the smallest refused

static void test_sheet_field_limit(void **state)
{
    (void)state;
    size_t len = MS_SHEET_FIELD_MAX + 16;
    char *text = malloc(len + 16);
    assert_non_null(text);
    for (int quoted = 0; quoted < 2; quoted++)
        for (int extra = 0; extra < 2; extra++) {
            size_t n = (size_t)sprintf(text, "a,b\n");
            if (quoted)
                text[n++] = '"';
            memset(text + n, 'x', MS_SHEET_FIELD_MAX + (size_t)extra);
            n += MS_SHEET_FIELD_MAX + (size_t)extra;
            if (quoted)
                text[n++] = '"';
            n += (size_t)sprintf(text + n, ",1\n");
            ms_sheet_t *sheet = NULL;
            assert_int_equal(ms_sheet_open_buffer("m.csv", text, n, NULL, &sheet, NULL), 0);
            ms_error_t err = {0};
            int rc = ms_sheet_next(sheet, &err);
            if (extra) {
                assert_int_equal(rc, MS_EINVAL);
                assert_string_equal(err.where, "m.csv:2");
                assert_string_equal(err.message, "column a: field longer than 65536 bytes (a "
                                                 "quote never closed?)");
            } else {
                assert_int_equal(rc, 1);
                size_t field_len;
                ms_sheet_field(sheet, 0, &field_len);
                assert_int_equal(field_len, MS_SHEET_FIELD_MAX);
            }
            ms_sheet_close(&sheet);
        }
    free(text);
}

static void test_sheet_column_limit(void **state)
{
    (void)state;
    char *text = malloc(8 * MS_SHEET_COLUMNS_MAX + 16);
    assert_non_null(text);
    for (int extra = 0; extra < 2; extra++) {
        size_t n = 0;
        for (int i = 0; i < MS_SHEET_COLUMNS_MAX + extra; i++)
            n += (size_t)sprintf(text + n, "%sc%d", i ? "," : "", i);
        text[n++] = '\n';
        ms_sheet_t *sheet = NULL;
        ms_error_t err = {0};
        int rc = ms_sheet_open_buffer("m.csv", text, n, NULL, &sheet, &err);
        if (extra) {
            assert_int_equal(rc, MS_EINVAL);
            assert_string_equal(err.where, "m.csv:1");
            assert_string_equal(err.message, "the header has more than 1024 columns");
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(ms_sheet_column_count(sheet), MS_SHEET_COLUMNS_MAX);
        }
        ms_sheet_close(&sheet);
    }
    free(text);
}

static void test_sheet_row_limit(void **state)
{
    (void)state;
    const int fields = MS_SHEET_ROW_MAX / MS_SHEET_FIELD_MAX;  //  16 full fields fill a row
    char *text = malloc((size_t)(fields + 1) * (MS_SHEET_FIELD_MAX + 8) + 256);
    assert_non_null(text);
    for (int extra = 0; extra < 2; extra++) {
        size_t n = 0;
        for (int i = 0; i <= fields; i++)
            n += (size_t)sprintf(text + n, "%sc%d", i ? "," : "", i);
        text[n++] = '\n';
        for (int i = 0; i < fields; i++) {
            memset(text + n, 'x', MS_SHEET_FIELD_MAX);
            n += MS_SHEET_FIELD_MAX;
            text[n++] = ',';
        }
        if (extra)
            text[n++] = 'y';
        text[n++] = '\n';
        ms_sheet_t *sheet = NULL;
        assert_int_equal(ms_sheet_open_buffer("m.csv", text, n, NULL, &sheet, NULL), 0);
        ms_error_t err = {0};
        int rc = ms_sheet_next(sheet, &err);
        if (extra) {
            assert_int_equal(rc, MS_EINVAL);
            assert_string_equal(err.where, "m.csv:2");
            assert_string_equal(err.message, "row longer than 1048576 bytes");
        } else
            assert_int_equal(rc, 1);
        ms_sheet_close(&sheet);
    }
    free(text);
}

//  The same refusal in French: ms_error_set translates its format, the
//  place (file and line) and the column names stay as they are.
static void test_sheet_refusal_in_french(void **state)
{
    ms_sheet_t *sheet = open_text(state, "member_id,sex\n", NULL);
    static const char *const names[] = {"birth_date", "sex", "village", NULL};
    int indices[3];
    ms_error_t err = {0};
    assert_int_equal(ms_i18n_init("fr"), 0);
    assert_int_equal(ms_sheet_require(sheet, names, indices, &err), MS_EINVAL);
    assert_int_equal(ms_i18n_init("en"), 0);
    assert_string_equal(strrchr(err.where, '/') + 1, "m.csv:1");
    assert_string_equal(err.message,
                        "colonne \"birth_date\" manquante (manquent aussi : \"village\")");
    ms_sheet_close(&sheet);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sheet_reads_rows_and_fields_by_column_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sheet_plain_and_quoted_rows_read_the_same, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sheet_skips_byte_order_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_refuses_byte_order_mark_with_cp1252, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sheet_reads_crlf_and_counts_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_counts_lone_cr_as_line_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_detects_semicolon_separator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_quoted_fields_keep_line_numbers_right, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sheet_refuses_wrong_field_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_refuses_bad_quoting_and_unclosed_quote, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sheet_reports_missing_and_unused_columns, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sheet_refusal_in_french, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_refuses_duplicate_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_refuses_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_refuses_invalid_utf8_naming_byte_and_offset,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_converts_cp1252, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_refuses_nul_and_control_characters, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sheet_rewinds_to_first_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sheet_counts_lines_across_read_windows, setup,
                                        teardown),
        cmocka_unit_test(test_text_check_names_every_bad_byte_where_it_is),
        cmocka_unit_test(test_sheet_field_limit),
        cmocka_unit_test(test_sheet_column_limit),
        cmocka_unit_test(test_sheet_row_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
