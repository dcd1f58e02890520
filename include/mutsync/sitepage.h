//  sitepage - the pages of the static site (site.h): one HTML5 document per
//  file (valid: tidy reports nothing on any page, which the browser test
//  checks), in French or English, with figures people and programs both read.
//
//  Every page opens with the same header (a navigation bar and a language
//  switch to the same page in the other language), links one stylesheet
//  at the site's root (screen, narrow screens and print), and closes with
//  the same footer. Text is escaped. A figure is written as a table cell
//  or a span holding the value formatted for the page's locale ("1 234" and
//  "0,083" in French, "1,234" and "0.083" in English) and the plain value
//  in data-value ("" when there is no data, which shows as an en dash),
//  with data-ref naming where the figure comes from, so tests and tools
//  read the page without parsing numbers. The site's words are in a table
//  here, in both languages, since one run writes both.

#ifndef MS_SITEPAGE_H
#define MS_SITEPAGE_H

#include "mutsync/error.h"

#include "mutsync/record.h"

#include <stdbool.h>
#include <stdio.h>

typedef enum { MS_LANG_FR = 0, MS_LANG_EN = 1 } ms_lang_t;

//  "fr" or "en".
const char *ms_lang_code(ms_lang_t lang);

//  The site's word KEY in LANG (KEY itself when the table lacks it).
const char *ms_site_word(ms_lang_t lang, const char *key);

//  Writes the guarantees CARD offers, in LANG, separated by ", ".
void ms_site_guarantees(FILE *out, ms_lang_t lang, const ms_org_t *card);

typedef struct {
    FILE *out;            //  the page being written, in memory
    ms_lang_t lang;       //
    char top[16];         //  from this page to the site's root: "", "../", "../../"
    char here[128];       //  this page's path inside its language directory
    char path[4096];      //  the file, for messages
    char previous[4096];  //  the same page in the site being replaced; "" if none
    char *bytes;          //  what OUT holds once closed (open_memstream)
    size_t len;           //  bytes
} ms_page_t;

//  Starts the page ROOT/LANGDIR/HERE (LANGDIR "fr" or "en"; AT_ROOT: the
//  file ROOT/HERE instead, for the home page at the root) and writes its
//  head with TITLE. PREVIOUS is the site this one replaces (NULL if none).
//  The page is built in memory and written by ms_page_close. Returns 0 or
//  MS_ENOMEM.
MS_MUST_CHECK int ms_page_open(ms_page_t *page, const char *root, const char *previous,
                               ms_lang_t lang, bool at_root, const char *here, const char *title,
                               ms_error_t *err);

//  Writes the footer and puts the page in its file. A page equal, byte for
//  byte, to the same page of the previous site is a hard link to that file
//  rather than a new one: a site rewritten after a change creates files
//  only for the pages that changed (and where links cannot be made, as on
//  a FAT key, every page is written). Returns 0, MS_ENOMEM or MS_EIO.
MS_MUST_CHECK int ms_page_close(ms_page_t *page, ms_error_t *err);

//  Writes the link target for TARGET, a path inside the page's language
//  directory ("countries/ML.html"), relative to this page.
void ms_page_href(const ms_page_t *page, const char *target);

//  Formats VALUE for LANG into OUT (48 bytes): whole (DECIMALS 0) with the
//  locale's thousands separator, or with DECIMALS decimals and its decimal mark.
void ms_site_number(ms_lang_t lang, double value, int decimals, char *out);

//  Writes a figure: <td> (CELL) or <span>, with data-value (VALUE printed
//  as a whole number when DECIMALS is 0, else with 17 significant digits),
//  data-ref REF (may be NULL), and the locale's text; HAS false: no data.
void ms_page_figure(const ms_page_t *page, bool cell, const char *ref, bool has, double value,
                    int decimals);

//  The stylesheet every page links: written once at the site's root.
extern const char ms_site_css[];

#endif
