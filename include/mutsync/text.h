//  text - what may stand in a register's text: strict UTF-8, or
//  Windows-1252 converted to it.
//
//  Registers are typed by people in spreadsheets; a file saved in the
//  wrong encoding must be refused or converted, never stored as broken
//  text. Line breaks and tabs are allowed (quoted fields hold them); other
//  control characters, NUL, and C1 controls (U+0080..U+009F) are not.

#ifndef MS_TEXT_H
#define MS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MS_TEXT_NUL,         //  a NUL byte (UTF-16, or not text)
    MS_TEXT_CONTROL,     //  an ASCII control character other than tab and line breaks
    MS_TEXT_C1_CONTROL,  //  U+0080..U+009F, encoded in UTF-8
    MS_TEXT_NOT_UTF8,    //  a byte that does not start a well-formed UTF-8 sequence
    MS_TEXT_NOT_CP1252,  //  a byte Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)
} ms_text_fault_kind_t;

typedef struct {
    ms_text_fault_kind_t kind;
    size_t offset;   //  of the byte at fault, in the input
    uint32_t value;  //  the byte, or the C1 code point
} ms_text_fault_t;

//  Checks the LEN bytes at IN as UTF-8 (Unicode 15 table 3-7: no overlong
//  forms, no surrogates, nothing past U+10FFFF) without the control
//  characters refused above. Returns true, or false with FAULT filled.
bool ms_text_check_utf8(const uint8_t *in, size_t len, ms_text_fault_t *fault);

//  Checks the LEN bytes at IN as ms_text_check_utf8 does and copies them to
//  OUT. Returns true, or false with FAULT filled.
bool ms_text_copy_utf8(const uint8_t *in, size_t len, char *out, ms_text_fault_t *fault);

//  Converts the LEN Windows-1252 bytes at IN to UTF-8 at OUT (room for
//  3 * LEN bytes) and sets *OUT_LEN. Returns true, or false with FAULT filled.
bool ms_text_from_cp1252(const uint8_t *in, size_t len, char *out, size_t *out_len,
                         ms_text_fault_t *fault);

//  Sets *START past the spaces and tabs that begin the LEN bytes at TEXT and
//  returns the length without those that end them (spreadsheets keep both).
size_t ms_text_trim(const char *text, size_t len, const char **start);

#endif
