//  text - UTF-8 checking and Windows-1252 conversion, byte by byte, with
//  the offset of the first fault. Called by sheet.c for every field.

#include "mutsync/text.h"

#include <string.h>

//  Windows-1252 0x80..0x9F to Unicode; 0 where the code page defines nothing.
//  0xA0..0xFF are U+00A0..U+00FF, 0x00..0x7F are ASCII.
static const uint16_t cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  //  80-87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,       //  88-8F
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  //  90-97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,  //  98-9F
};

static bool fault_at(ms_text_fault_t *fault, ms_text_fault_kind_t kind, size_t offset,
                     uint32_t value)
{
    fault->kind = kind;
    fault->offset = offset;
    fault->value = value;
    return false;
}

//  Line breaks are allowed inside (quoted) fields, tab anywhere.
static bool control_allowed(uint8_t c)
{
    return c == '\t' || c == '\n' || c == '\r';
}

//  Checks an ASCII control byte C at OFFSET.
static bool control_ok(uint8_t c, size_t offset, ms_text_fault_t *fault)
{
    if (control_allowed(c))
        return true;
    return fault_at(fault, c == 0 ? MS_TEXT_NUL : MS_TEXT_CONTROL, offset, c);
}

//  Returns the length of the well-formed UTF-8 sequence at P, or 0.
static size_t utf8_sequence(const uint8_t *p, size_t avail)
{
    uint8_t c = p[0];
    uint8_t low = 0x80, high = 0xBF;
    size_t n;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            low = 0xA0;
        else if (c == 0xED)
            high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            low = 0x90;
        else if (c == 0xF4)
            high = 0x8F;
    } else {
        return 0;
    }
    if (avail < n || p[1] < low || p[1] > high)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

//  True when the 8 bytes at P are all printable ASCII (0x20 to 0x7E). A
//  byte of 0x80 or more shows in X's high bits; below 0x20, subtracting
//  0x20 wraps it to 0xE0 or more; 0x7F plus one is 0x80. A borrow or a
//  carry crosses into the next byte only from a byte already seen bad.
static bool printable8(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    return ((x | (x - 0x20 * ones) | (x + ones)) & highs) == 0;
}

bool ms_text_check_utf8(const uint8_t *in, size_t len, ms_text_fault_t *fault)
{
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8 && printable8(in + i)) {
            i += 8;
            continue;
        }
        uint8_t c = in[i];
        if (c >= 0x20 && c < 0x7F) {
            i++;
            continue;
        }
        if (c < 0x80) {
            if (!control_ok(c, i, fault))
                return false;
            i++;
            continue;
        }
        size_t n = utf8_sequence(in + i, len - i);
        if (n == 0)
            return fault_at(fault, MS_TEXT_NOT_UTF8, i, c);
        if (c == 0xC2 && in[i + 1] < 0xA0)
            return fault_at(fault, MS_TEXT_C1_CONTROL, i, in[i + 1]);
        i += n;
    }
    return true;
}

bool ms_text_copy_utf8(const uint8_t *in, size_t len, char *out, ms_text_fault_t *fault)
{
    if (!ms_text_check_utf8(in, len, fault))
        return false;
    memcpy(out, in, len);
    return true;
}

bool ms_text_from_cp1252(const uint8_t *in, size_t len, char *out, size_t *out_len,
                         ms_text_fault_t *fault)
{
    uint8_t *o = (uint8_t *)out;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (c < 0x80) {
            if ((c < 0x20 || c == 0x7F) && !control_ok(c, i, fault))
                return false;
            *o++ = c;
            continue;
        }
        uint32_t code = c >= 0xA0 ? c : cp1252_high[c - 0x80];
        if (code == 0)
            return fault_at(fault, MS_TEXT_NOT_CP1252, i, c);
        if (code < 0x800) {
            *o++ = (uint8_t)(0xC0 | code >> 6);
            *o++ = (uint8_t)(0x80 | (code & 0x3F));
        } else {
            *o++ = (uint8_t)(0xE0 | code >> 12);
            *o++ = (uint8_t)(0x80 | (code >> 6 & 0x3F));
            *o++ = (uint8_t)(0x80 | (code & 0x3F));
        }
    }
    *out_len = (size_t)(o - (uint8_t *)out);
    return true;
}

size_t ms_text_trim(const char *text, size_t len, const char **start)
{
    *start = text;
    if (len > 0 && (uint8_t)text[0] > ' ' && (uint8_t)text[len - 1] > ' ')
        return len;  //  the usual value: nothing around it
    while (len > 0 && (*text == ' ' || *text == '\t')) {
        text++;
        len--;
    }
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    *start = text;
    return len;
}
