//  site - a static website of what this node holds, in French and English,
//  that opens from a USB key or any plain web server, offline: no server
//  code, no external script, font or CDN; charts are inline SVG drawn here.
//
//  Layout of DIR: site.css; index.html (the home page in the language the
//  options name); fr/ and en/ with the same pages: index.html (the home),
//  directory.html (the mutuals, filterable by country), data.html (the
//  downloads and the citation), countries/CC.html, mutuals/ORG.html; and
//  inventory.csv, mutuals.csv (UTF-8 with a BOM) and mutsync.sqlite, the
//  same tables as a SQLite database.
//  - At the secretariat the home page is the inventory: the synthesis by
//    country for the year and year by year, trend charts, and how many
//    cards are up to date (a mutual's card is up to date for year Y only
//    if it describes Y), with the late mutuals named.
//  - At a union it is the network: the subtree's indicators by month,
//    quarter and year, who has reported and synced and when last, links to
//    each mutual's page.
//  - At a mutual, its own indicators and its card: nothing personal.
//  Every figure is the one view or inventory --format json gives for the
//  same node and period (views.h, inventory.h), in data-value, with
//  data-ref "view:PERIOD:ROW:CODE" (ROW an org id, or "total" for this
//  node) or "inventory:YEAR:SCOPE:FIELD" (SCOPE a country or "total").
//
//  ms_site_write builds the whole site in a directory beside DIR, then
//  swaps it in with one rename (renameat2 RENAME_EXCHANGE when DIR exists),
//  so a reader never sees half a site. A page equal to the same page of the
//  site it replaces is a hard link to that file (sitepage.h), so a rewrite
//  after a change writes only the pages that changed. No file is synced to
//  disk: the site is made again from the node at any time. Used by mutsync
//  site and mutsyncd --site.

#ifndef MS_SITE_H
#define MS_SITE_H

#include "mutsync/node.h"

typedef struct {
    const char *lang;  //  "fr" (default when NULL) or "en": the language index.html opens in
    uint32_t year;     //  the inventory's year; 0: the current year at NOW
    int64_t now;       //  UTC seconds: the node's clock
} ms_site_options_t;

//  Writes the site of NODE into DIR (created or replaced), reading in one
//  read transaction. Returns 0; MS_EINVAL (a bad language or year); MS_EIO
//  (DIR or its parent cannot be written: the old site, if any, is kept);
//  MS_ESTORE or MS_ENOMEM.
MS_MUST_CHECK int ms_site_write(ms_node_t *node, const char *dir, const ms_site_options_t *options,
                                ms_error_t *err);

//  Keeping a site current in a long-running program (mutsyncd --site): the
//  program notes each change of the node's data, and ticks; the site is
//  rewritten MS_SITE_DELAY_MS after a change, at most once every
//  MS_SITE_INTERVAL_MS, and once at the first tick.
#define MS_SITE_DELAY_MS 2000
#define MS_SITE_INTERVAL_MS 10000

typedef struct {
    const char *dir;         //  the site; NULL: keep none
    ms_site_options_t base;  //  lang and year (now is set at each write)
    int64_t due_ms;          //  when to write next; 0: nothing pending
    int64_t last_ms;         //  when it was last written; 0: never
    bool started;            //  the first write was scheduled
} ms_site_keeper_t;

//  Notes that the node's data changed at NOW_MS (a monotonic clock).
void ms_site_keeper_note(ms_site_keeper_t *keeper, int64_t now_ms);

//  Writes the site when it is due. Returns 0 (written or not due) or the
//  error of ms_site_write (the old site is kept; the write is due again
//  after MS_SITE_INTERVAL_MS).
MS_MUST_CHECK int ms_site_keeper_tick(ms_site_keeper_t *keeper, ms_node_t *node, int64_t now_ms,
                                      ms_error_t *err);

#endif
