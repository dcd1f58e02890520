//  sheet - CSV registers read row by row, with line-exact errors.
//
//  DESIGN. libcsv does the RFC 4180 quoting; this module decides what the
//  bytes mean. Input comes in windows (256 KiB reads, or the caller's
//  buffer) and is fed to libcsv one physical line at a time: a segment ends
//  just after a line break (LF, CRLF or CR). So at most one row can end per
//  segment, ms_sheet_next can stop as soon as it has one, and the line
//  counter is exact without asking libcsv where it is (a whole line with no
//  quote, most rows of a register, is split at its separators directly,
//  as libcsv would split it): a row starts on the
//  line of the first segment with content fed while no row was open. libcsv
//  hands each field to on_field, which checks its text (UTF-8, or converts
//  Windows-1252) and appends it to the row buffer; buffers grow to the
//  largest row seen and are reused, so a row costs no allocation.
//  Invariants: memory is bounded by MS_SHEET_ROW_MAX, MS_SHEET_FIELD_MAX and
//  the header's width whatever the input; the first error is kept and
//  returned again until a rewind.

#include "mutsync/sheet.h"

#include "mutsync/i18n.h"
#include "mutsync/text.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK_BYTES (256 * 1024)  //  one read from a file
#define CSV_BLOCK_BYTES 4096      //  libcsv's field buffer grows by this
#define NAME_BYTES 100            //  room for the file's name in messages

struct ms_sheet {
    //  input
    int fd;                 //  the file, or -1 when reading a caller's buffer
    const uint8_t *data;    //  the caller's buffer, when fd is -1
    size_t data_len;        //  bytes in data
    uint8_t *chunk;         //  read buffer of CHUNK_BYTES, file sheets only
    const uint8_t *in;      //  current window: chunk or data
    size_t in_len;          //  bytes in the window
    size_t in_pos;          //  next byte of the window to feed
    uint64_t in_offset;     //  file offset of in[0]
    bool cr_pending;        //  the last segment ended with a CR at the window's end
    struct csv_parser csv;  //  libcsv state, with its field buffer
    bool csv_ready;         //  csv was initialised (csv_free needed)
    ms_sheet_encoding_t encoding;
    char separator;  //  ',', ';' or '\t'
    //  position
    uint64_t line;        //  physical line of the next byte fed, from 1
    uint64_t row_line;    //  line where the current (or last) row starts
    uint64_t field_line;  //  line where the current field starts
    bool in_row;          //  libcsv has begun a row it has not ended
    //  current row
    char *row;         //  fields back to back, each NUL-terminated
    size_t row_len;    //  bytes used in row
    size_t row_cap;    //  bytes allocated
    size_t row_text;   //  bytes of field text in row (NULs not counted)
    uint32_t *starts;  //  offset of each field in row
    uint32_t *lens;    //  bytes of each field
    int field_cap;     //  entries in starts and lens
    int field_count;   //  fields seen in this row (may pass columns)
    bool row_done;     //  libcsv ended the row
    //  header
    int columns;           //  fields in the header; 0 while reading it
    char **names;          //  each column's name, trimmed
    char *name_text;       //  the names back to back
    bool *used;            //  a caller asked for the column
    uint64_t header_line;  //  line where the header row starts
    uint64_t body_offset;  //  input offset just after the header row
    uint64_t body_line;    //  line there
    bool body_cr_pending;  //  cr_pending there
    //  errors
    int failed;                   //  sticky MS_E* code, 0 while healthy
    ms_error_t error;             //  the sticky error
    char name[NAME_BYTES];        //  the file as messages name it
    char where[NAME_BYTES + 24];  //  "name:line" for ms_sheet_where
    uint64_t where_line;          //  line where was made for, 0 for none
};

//  ---------------------------------------------------------------------------
//  Failures

static void set_name(ms_sheet_t *sheet, const char *name)
{
    const char *shown = name;
    if (strlen(name) >= NAME_BYTES) {
        const char *slash = strrchr(name, '/');
        shown = slash ? slash + 1 : name;
    }
    snprintf(sheet->name, sizeof sheet->name, "%s", shown);
}

//  Records the sheet's first failure at LINE (0: the file as a whole).
static int fail(ms_sheet_t *sheet, int code, uint64_t line, const char *fmt, ...) MS_PRINTF(4, 5);
static int fail(ms_sheet_t *sheet, int code, uint64_t line, const char *fmt, ...)
{
    if (sheet->failed)
        return sheet->failed;
    char where[sizeof sheet->where];
    if (line)
        snprintf(where, sizeof where, "%s:%llu", sheet->name, (unsigned long long)line);
    else
        snprintf(where, sizeof where, "%s", sheet->name);
    char message[MS_ERROR_MSG_BYTES];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    sheet->failed = ms_error_set(&sheet->error, code, where, "%s", message);
    return code;
}

static int report(const ms_sheet_t *sheet, ms_error_t *err)
{
    if (err)
        *err = sheet->error;
    return sheet->failed;
}

//  Writes how messages name column INDEX: its header name, or its number.
static const char *column_label(const ms_sheet_t *sheet, int index, char *buf, size_t size)
{
    if (index < sheet->columns && sheet->names[index][0])
        return sheet->names[index];
    snprintf(buf, size, "%d", index + 1);
    return buf;
}

//  ---------------------------------------------------------------------------
//  Field text: checked UTF-8, or Windows-1252 converted (text.h)

//  Fails the sheet for FAULT in field INDEX.
static int bad_text(ms_sheet_t *sheet, int index, const ms_text_fault_t *fault)
{
    char label[16];
    const char *column = column_label(sheet, index, label, sizeof label);
    switch (fault->kind) {
    case MS_TEXT_NUL:
        return fail(sheet, MS_EINVAL, sheet->row_line,
                    _("column %s: NUL byte at offset %zu (is the file UTF-16, or not text?)"),
                    column, fault->offset);
    case MS_TEXT_CONTROL:
        return fail(sheet, MS_EINVAL, sheet->row_line,
                    _("column %s: control character 0x%02X at offset %zu"), column, fault->value,
                    fault->offset);
    case MS_TEXT_C1_CONTROL:
        return fail(sheet, MS_EINVAL, sheet->row_line,
                    _("column %s: control character U+%04X at offset %zu"), column, fault->value,
                    fault->offset);
    case MS_TEXT_NOT_UTF8:
        return fail(sheet, MS_EINVAL, sheet->row_line,
                    _("column %s: not valid UTF-8 (byte 0x%02X at offset %zu); if the file is "
                      "in Windows-1252, import it with --encoding cp1252"),
                    column, fault->value, fault->offset);
    case MS_TEXT_NOT_CP1252:
    default:
        return fail(sheet, MS_EINVAL, sheet->row_line,
                    _("column %s: byte 0x%02X at offset %zu is not a Windows-1252 character"),
                    column, fault->value, fault->offset);
    }
}

//  ---------------------------------------------------------------------------
//  libcsv callbacks

static bool grow_fields(ms_sheet_t *sheet, int need)
{
    if (need <= sheet->field_cap)
        return true;
    int cap = sheet->field_cap ? sheet->field_cap * 2 : 16;
    while (cap < need)
        cap *= 2;
    uint32_t *starts = realloc(sheet->starts, (size_t)cap * sizeof *starts);
    if (!starts)
        return false;
    sheet->starts = starts;
    uint32_t *lens = realloc(sheet->lens, (size_t)cap * sizeof *lens);
    if (!lens)
        return false;
    sheet->lens = lens;
    sheet->field_cap = cap;
    return true;
}

static bool grow_row(ms_sheet_t *sheet, size_t need)
{
    if (need <= sheet->row_cap)
        return true;
    size_t cap = sheet->row_cap ? sheet->row_cap * 2 : 4096;
    while (cap < need)
        cap *= 2;
    char *row = realloc(sheet->row, cap);
    if (!row)
        return false;
    sheet->row = row;
    sheet->row_cap = cap;
    return true;
}

static int too_long(ms_sheet_t *sheet, int index)
{
    char label[16];
    return fail(sheet, MS_EINVAL, sheet->row_line,
                _("column %s: field longer than %d bytes (a quote never closed?)"),
                column_label(sheet, index, label, sizeof label), MS_SHEET_FIELD_MAX);
}

static void on_field(void *field, size_t len, void *arg)
{
    ms_sheet_t *sheet = arg;
    sheet->field_line = sheet->line;
    if (sheet->failed)
        return;
    int index = sheet->field_count++;
    if (sheet->columns && index >= sheet->columns)
        return;  //  counted; ms_sheet_next reports the row's width
    if (!sheet->columns && index >= MS_SHEET_COLUMNS_MAX) {
        fail(sheet, MS_EINVAL, sheet->row_line, _("the header has more than %d columns"),
             MS_SHEET_COLUMNS_MAX);
        return;
    }
    if (len > MS_SHEET_FIELD_MAX) {
        too_long(sheet, index);
        return;
    }
    size_t room = sheet->encoding == MS_SHEET_CP1252 ? 3 * len : len;
    if (!grow_fields(sheet, index + 1) || !grow_row(sheet, sheet->row_len + room + 1)) {
        fail(sheet, MS_ENOMEM, sheet->row_line, _("no memory for a row"));
        return;
    }
    char *out = sheet->row + sheet->row_len;
    size_t out_len = len;
    ms_text_fault_t fault;
    bool good = sheet->encoding == MS_SHEET_CP1252
                    ? ms_text_from_cp1252(field, len, out, &out_len, &fault)
                    : ms_text_copy_utf8(field, len, out, &fault);
    if (!good) {
        bad_text(sheet, index, &fault);
        return;
    }
    if (out_len > MS_SHEET_FIELD_MAX) {
        too_long(sheet, index);
        return;
    }
    if (sheet->row_text + out_len > MS_SHEET_ROW_MAX) {
        fail(sheet, MS_EINVAL, sheet->row_line, _("row longer than %d bytes"), MS_SHEET_ROW_MAX);
        return;
    }
    out[out_len] = '\0';
    sheet->starts[index] = (uint32_t)sheet->row_len;
    sheet->lens[index] = (uint32_t)out_len;
    sheet->row_len += out_len + 1;
    sheet->row_text += out_len;
}

static void on_row(int terminator, void *arg)
{
    (void)terminator;
    ms_sheet_t *sheet = arg;
    sheet->row_done = true;
    sheet->in_row = false;
}

//  ---------------------------------------------------------------------------
//  Feeding libcsv

//  Fields are taken as they are: no space is trimmed around them.
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

//  Bounds libcsv's field buffer: past it, csv_parse stops with CSV_ENOMEM.
//  Two bytes over MS_SHEET_FIELD_MAX hold a closing quote and let libcsv
//  look at the byte after it.
static void *field_realloc(void *ptr, size_t size)
{
    return size > MS_SHEET_FIELD_MAX + 2 ? NULL : realloc(ptr, size);
}

static int csv_start(ms_sheet_t *sheet)
{
    if (sheet->csv_ready)
        csv_free(&sheet->csv);
    sheet->csv_ready = false;
    if (csv_init(&sheet->csv, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return fail(sheet, MS_ENOMEM, 0, _("cannot start the CSV parser"));
    csv_set_delim(&sheet->csv, (unsigned char)sheet->separator);
    csv_set_space_func(&sheet->csv, no_space);
    csv_set_realloc_func(&sheet->csv, field_realloc);
    csv_set_blk_size(&sheet->csv, CSV_BLOCK_BYTES);
    sheet->csv_ready = true;
    return 0;
}

//  Makes the window hold unread bytes. Returns 1, 0 at the end, or fails.
static int refill(ms_sheet_t *sheet)
{
    if (sheet->fd < 0)
        return sheet->in_pos < sheet->in_len ? 1 : 0;
    sheet->in_offset += sheet->in_len;
    sheet->in_len = sheet->in_pos = 0;
    for (;;) {
        ssize_t got = read(sheet->fd, sheet->chunk, CHUNK_BYTES);
        if (got >= 0) {
            sheet->in_len = (size_t)got;
            return got > 0;
        }
        if (errno != EINTR)
            return fail(sheet, MS_EIO, 0, _("cannot read: %s"), strerror(errno));
    }
}

static void parse_failed(ms_sheet_t *sheet)
{
    char label[16];
    const char *column = column_label(sheet, sheet->field_count, label, sizeof label);
    int status = csv_error(&sheet->csv);
    if (status == CSV_EPARSE)
        fail(sheet, MS_EINVAL, sheet->row_line,
             _("column %s: a quote inside an unquoted field, or text after a closing quote "
               "(quote the whole field and double the quotes inside it: \"a \"\"b\"\"\")"),
             column);
    else if (csv_get_buffer_size(&sheet->csv) > MS_SHEET_FIELD_MAX)
        too_long(sheet, sheet->field_count);
    else
        fail(sheet, MS_ENOMEM, sheet->row_line, _("no memory for a field"));
}

//  The usual row of a UTF-8 register, taken whole: its text is checked in
//  one pass (a separator is ASCII, so no UTF-8 sequence spans two fields
//  and the line is good exactly when each field is), copied once, and cut
//  at its separators. Returns false, having kept nothing, for anything
//  on_field would refuse or set apart (bad text, too many fields, a field
//  or the row too long, no memory): field by field then finds the same
//  fault and says it the same way.
static bool take_line(ms_sheet_t *sheet, const uint8_t *p, size_t len)
{
    ms_text_fault_t fault;
    if (sheet->encoding != MS_SHEET_UTF8 || !sheet->columns || sheet->failed ||
        sheet->field_count || sheet->row_len || len > MS_SHEET_ROW_MAX ||
        !grow_fields(sheet, sheet->columns) || !grow_row(sheet, len + 1) ||
        !ms_text_check_utf8(p, len, &fault))
        return false;
    char *row = sheet->row;
    memcpy(row, p, len);
    row[len] = '\0';
    int count = 0;
    size_t start = 0;
    for (;;) {
        char *sep = memchr(row + start, sheet->separator, len - start);
        size_t stop = sep ? (size_t)(sep - row) : len;
        if (count == sheet->columns || stop - start > MS_SHEET_FIELD_MAX)
            return false;
        sheet->starts[count] = (uint32_t)start;
        sheet->lens[count] = (uint32_t)(stop - start);
        count++;
        if (!sep)
            break;
        *sep = '\0';
        start = stop + 1;
    }
    sheet->field_line = sheet->line;
    sheet->field_count = count;
    sheet->row_len = len + 1;
    sheet->row_text = len + 1 - (size_t)count;
    return true;
}

//  A whole line without quotes, starting a row: its fields are the bytes
//  between separators, as libcsv would hand them over, without its copy.
static void split_line(ms_sheet_t *sheet, const uint8_t *p, size_t len)
{
    if (take_line(sheet, p, len)) {
        on_row('\n', sheet);
        return;
    }
    const uint8_t *end = p + len;
    for (;;) {
        const uint8_t *sep = memchr(p, sheet->separator, (size_t)(end - p));
        const uint8_t *stop = sep ? sep : end;
        on_field((void *)p, (size_t)(stop - p), sheet);
        if (!sep)
            break;
        p = sep + 1;
    }
    on_row('\n', sheet);
}

//  Feeds the next segment, up to and including one line break, to libcsv,
//  or splits it at once when it is a whole line without quotes.
static void feed_segment(ms_sheet_t *sheet)
{
    const uint8_t *p = sheet->in + sheet->in_pos;
    size_t avail = sheet->in_len - sheet->in_pos;
    size_t n, content;
    bool line_break = true;
    if (sheet->cr_pending && p[0] == '\n') {
        n = 1;  //  the LF of a CRLF cut by the window's end: the line was counted
        content = 0;
        line_break = false;
    } else {
        const uint8_t *lf = memchr(p, '\n', avail);
        const uint8_t *cr = memchr(p, '\r', lf ? (size_t)(lf - p) : avail);
        if (cr) {
            content = (size_t)(cr - p);
            n = content + 1;
            if (n < avail && p[n] == '\n')
                n++;
        } else if (lf) {
            content = (size_t)(lf - p);
            n = content + 1;
        } else {
            content = n = avail;
            line_break = false;
        }
    }
    sheet->cr_pending = line_break && p[n - 1] == '\r' && n == avail;
    bool starts_row = !sheet->in_row && content > 0;
    if (starts_row) {
        sheet->in_row = true;
        sheet->row_line = sheet->field_line = sheet->line;
    }
    if (starts_row && line_break && !memchr(p, '"', content)) {
        split_line(sheet, p, content);
    } else {
        size_t done = csv_parse(&sheet->csv, p, n, on_field, on_row, sheet);
        if (done < n && !sheet->failed)
            parse_failed(sheet);
    }
    sheet->in_pos += n;
    if (line_break)
        sheet->line++;
}

//  Reads one row into the row buffer. Returns 1, 0 at the end, or the failure.
static int read_row(ms_sheet_t *sheet)
{
    sheet->row_len = sheet->row_text = 0;
    sheet->field_count = 0;
    sheet->row_done = false;
    while (!sheet->row_done && !sheet->failed) {
        if (sheet->in_pos == sheet->in_len) {
            int rc = refill(sheet);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                if (csv_fini(&sheet->csv, on_field, on_row, sheet) != 0) {
                    char label[16];
                    return fail(sheet, MS_EINVAL, sheet->row_line,
                                _("column %s: the quote opened on line %llu is never closed"),
                                column_label(sheet, sheet->field_count, label, sizeof label),
                                (unsigned long long)sheet->field_line);
                }
                if (!sheet->row_done)
                    return sheet->failed;
                break;
            }
        }
        feed_segment(sheet);
    }
    return sheet->failed ? sheet->failed : 1;
}

//  ---------------------------------------------------------------------------
//  Opening: byte-order mark, separator, header

//  Picks ',' or ';', whichever the first non-empty line holds more of
//  outside quotes; ',' on a tie.
static char detect_separator(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len && (p[i] == '\r' || p[i] == '\n'))
        i++;
    size_t commas = 0, semicolons = 0;
    bool quoted = false;
    for (; i < len; i++) {
        if (p[i] == '"')
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (p[i] == ',')
            commas++;
        else if (p[i] == ';')
            semicolons++;
        else if (p[i] == '\r' || p[i] == '\n')
            break;
    }
    return semicolons > commas ? ';' : ',';
}

//  Fills the first window with at least 4 bytes, unless the file is shorter.
static int prime(ms_sheet_t *sheet)
{
    if (sheet->fd < 0)
        return 0;
    while (sheet->in_len < 4) {
        ssize_t got = read(sheet->fd, sheet->chunk + sheet->in_len, CHUNK_BYTES - sheet->in_len);
        if (got == 0)
            break;
        if (got < 0 && errno != EINTR)
            return fail(sheet, MS_EIO, 0, _("cannot read: %s"), strerror(errno));
        if (got > 0)
            sheet->in_len += (size_t)got;
    }
    return 0;
}

static int skip_byte_order_mark(ms_sheet_t *sheet)
{
    const uint8_t *p = sheet->in;
    size_t len = sheet->in_len;
    if (len >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
        return fail(
            sheet, MS_EINVAL, 1,
            _("the file is in UTF-16 (byte-order mark 0x%02X 0x%02X); save it as CSV UTF-8"), p[0],
            p[1]);
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        if (sheet->encoding == MS_SHEET_CP1252)
            return fail(sheet, MS_EINVAL, 1,
                        _("the file starts with a UTF-8 byte-order mark: it is in UTF-8, "
                          "not Windows-1252"));
        sheet->in_pos = 3;
    }
    return 0;
}

static bool same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

//  Keeps the header row's names and checks that none appears twice.
static int take_header(ms_sheet_t *sheet)
{
    int count = sheet->field_count;
    sheet->names = calloc((size_t)count, sizeof *sheet->names);
    sheet->used = calloc((size_t)count, sizeof *sheet->used);
    sheet->name_text = malloc(sheet->row_len + 1);
    if (!sheet->names || !sheet->used || !sheet->name_text)
        return fail(sheet, MS_ENOMEM, 0, _("no memory for the header"));
    char *out = sheet->name_text;
    for (int i = 0; i < count; i++) {
        const char *name;
        size_t len = ms_text_trim(sheet->row + sheet->starts[i], sheet->lens[i], &name);
        memcpy(out, name, len);
        out[len] = '\0';
        sheet->names[i] = out;
        out += len + 1;
        for (int j = 0; j < i && len > 0; j++)
            if (same_name(sheet->names[j], sheet->names[i]))
                return fail(sheet, MS_EINVAL, sheet->row_line,
                            _("column \"%.60s\" appears twice in the header (columns %d and %d)"),
                            sheet->names[i], j + 1, i + 1);
    }
    sheet->columns = count;
    sheet->header_line = sheet->row_line;
    sheet->body_offset = sheet->in_offset + sheet->in_pos;
    sheet->body_line = sheet->line;
    sheet->body_cr_pending = sheet->cr_pending;
    return 0;
}

static int start(ms_sheet_t *sheet, const ms_sheet_options_t *options)
{
    ms_sheet_options_t defaults = {MS_SHEET_UTF8, 0};
    if (!options)
        options = &defaults;
    if (options->encoding != MS_SHEET_UTF8 && options->encoding != MS_SHEET_CP1252)
        return fail(sheet, MS_EINVAL, 0, _("unknown encoding %d"), (int)options->encoding);
    if (options->separator && options->separator != ',' && options->separator != ';' &&
        options->separator != '\t')
        return fail(sheet, MS_EINVAL, 0, _("the separator must be ',', ';' or a tab"));
    sheet->encoding = options->encoding;
    sheet->line = 1;
    int rc = prime(sheet);
    if (rc == 0)
        rc = skip_byte_order_mark(sheet);
    if (rc)
        return rc;
    sheet->separator = options->separator ? options->separator
                                          : detect_separator(sheet->in + sheet->in_pos,
                                                             sheet->in_len - sheet->in_pos);
    rc = csv_start(sheet);
    if (rc)
        return rc;
    rc = read_row(sheet);
    if (rc == 0)
        return fail(sheet, MS_EINVAL, 0,
                    _("the file is empty: it needs a header row naming the columns"));
    if (rc < 0)
        return rc;
    return take_header(sheet);
}

static int finish_open(ms_sheet_t *sheet, const ms_sheet_options_t *options, ms_sheet_t **sheet_p,
                       ms_error_t *err)
{
    int rc = start(sheet, options);
    if (rc) {
        report(sheet, err);
        ms_sheet_close(&sheet);
        return rc;
    }
    *sheet_p = sheet;
    return 0;
}

static ms_sheet_t *sheet_new(const char *name, ms_error_t *err)
{
    ms_sheet_t *sheet = calloc(1, sizeof *sheet);
    if (!sheet) {
        ms_error_set(err, MS_ENOMEM, name, "no memory for a sheet");
        return NULL;
    }
    sheet->fd = -1;
    set_name(sheet, name);
    return sheet;
}

int ms_sheet_open(const char *path, const ms_sheet_options_t *options, ms_sheet_t **sheet_p,
                  ms_error_t *err)
{
    *sheet_p = NULL;
    ms_sheet_t *sheet = sheet_new(path, err);
    if (!sheet)
        return MS_ENOMEM;
    sheet->chunk = malloc(CHUNK_BYTES);
    if (!sheet->chunk) {
        ms_sheet_close(&sheet);
        return ms_error_set(err, MS_ENOMEM, path, "no memory for a read buffer");
    }
    sheet->in = sheet->chunk;
    sheet->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (sheet->fd < 0) {
        int rc = ms_error_set(err, MS_EIO, sheet->name, "cannot open: %s", strerror(errno));
        ms_sheet_close(&sheet);
        return rc;
    }
    return finish_open(sheet, options, sheet_p, err);
}

int ms_sheet_open_buffer(const char *name, const void *data, size_t len,
                         const ms_sheet_options_t *options, ms_sheet_t **sheet_p, ms_error_t *err)
{
    *sheet_p = NULL;
    ms_sheet_t *sheet = sheet_new(name, err);
    if (!sheet)
        return MS_ENOMEM;
    sheet->data = data;
    sheet->data_len = len;
    sheet->in = data;
    sheet->in_len = len;
    return finish_open(sheet, options, sheet_p, err);
}

void ms_sheet_close(ms_sheet_t **sheet_p)
{
    if (!sheet_p || !*sheet_p)
        return;
    ms_sheet_t *sheet = *sheet_p;
    if (sheet->fd >= 0)
        close(sheet->fd);
    if (sheet->csv_ready)
        csv_free(&sheet->csv);
    free(sheet->chunk);
    free(sheet->row);
    free(sheet->starts);
    free(sheet->lens);
    free(sheet->names);
    free(sheet->name_text);
    free(sheet->used);
    free(sheet);
    *sheet_p = NULL;
}

//  ---------------------------------------------------------------------------
//  Columns

int ms_sheet_column_count(const ms_sheet_t *sheet)
{
    return sheet->columns;
}

int ms_sheet_column(ms_sheet_t *sheet, const char *name)
{
    for (int i = 0; i < sheet->columns; i++)
        if (sheet->names[i][0] && same_name(sheet->names[i], name)) {
            sheet->used[i] = true;
            return i;
        }
    return -1;
}

const char *ms_sheet_column_name(const ms_sheet_t *sheet, int index)
{
    return index >= 0 && index < sheet->columns ? sheet->names[index] : NULL;
}

int ms_sheet_require(ms_sheet_t *sheet, const char *const *names, int *indices, ms_error_t *err)
{
    const char *first = NULL;
    char others[256] = "";
    size_t others_len = 0;
    size_t count = 0;
    for (size_t i = 0; names[i]; i++) {
        indices[i] = ms_sheet_column(sheet, names[i]);
        count++;
        if (indices[i] >= 0)
            continue;
        if (!first)
            first = names[i];
        else if (others_len < sizeof others)
            others_len += (size_t)snprintf(others + others_len, sizeof others - others_len,
                                           "%s\"%s\"", others_len ? ", " : "", names[i]);
    }
    if (!first)
        return 0;
    for (size_t i = 0; i < count; i++)
        indices[i] = -1;
    char where[sizeof sheet->where];
    snprintf(where, sizeof where, "%s:%llu", sheet->name, (unsigned long long)sheet->header_line);
    if (others_len)
        return ms_error_set(err, MS_EINVAL, where, "missing column \"%s\" (also missing: %s)",
                            first, others);
    return ms_error_set(err, MS_EINVAL, where, "missing column \"%s\"", first);
}

int ms_sheet_unused(const ms_sheet_t *sheet, int from)
{
    for (int i = from < 0 ? 0 : from; i < sheet->columns; i++)
        if (!sheet->used[i])
            return i;
    return -1;
}

//  ---------------------------------------------------------------------------
//  Rows

int ms_sheet_next(ms_sheet_t *sheet, ms_error_t *err)
{
    if (sheet->failed)
        return report(sheet, err);
    int rc = read_row(sheet);
    if (rc == 1 && sheet->field_count != sheet->columns)
        rc = fail(sheet, MS_EINVAL, sheet->row_line, _("%d fields, expected %d"),
                  sheet->field_count, sheet->columns);
    if (rc < 0)
        return report(sheet, err);
    return rc;
}

const char *ms_sheet_field(const ms_sheet_t *sheet, int index, size_t *len)
{
    if (index < 0 || index >= sheet->columns || !sheet->row_done || sheet->failed) {
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = sheet->lens[index];
    return sheet->row + sheet->starts[index];
}

uint64_t ms_sheet_line(const ms_sheet_t *sheet)
{
    return sheet->row_line;
}

uint64_t ms_sheet_offset(const ms_sheet_t *sheet)
{
    return sheet->in_offset + sheet->in_pos;
}

const char *ms_sheet_where(ms_sheet_t *sheet)
{
    if (sheet->where_line != sheet->row_line) {
        snprintf(sheet->where, sizeof sheet->where, "%s:%llu", sheet->name,
                 (unsigned long long)sheet->row_line);
        sheet->where_line = sheet->row_line;
    }
    return sheet->where;
}

int ms_sheet_rewind(ms_sheet_t *sheet, ms_error_t *err)
{
    sheet->failed = 0;
    ms_error_clear(&sheet->error);
    if (sheet->fd >= 0) {
        if (lseek(sheet->fd, (off_t)sheet->body_offset, SEEK_SET) < 0) {
            fail(sheet, MS_EIO, 0, _("cannot rewind: %s"), strerror(errno));
            return report(sheet, err);
        }
        sheet->in_offset = sheet->body_offset;
        sheet->in_len = sheet->in_pos = 0;
    } else
        sheet->in_pos = (size_t)sheet->body_offset;
    sheet->line = sheet->body_line;
    sheet->cr_pending = sheet->body_cr_pending;
    sheet->in_row = false;
    sheet->row_done = false;
    sheet->row_len = sheet->row_text = 0;
    sheet->field_count = 0;
    if (csv_start(sheet) != 0)
        return report(sheet, err);
    return 0;
}

const char *ms_sheet_name(const ms_sheet_t *sheet)
{
    return sheet->name;
}
