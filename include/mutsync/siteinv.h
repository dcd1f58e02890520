//  siteinv - the site's inventory: what site.c gathered from the node, and
//  the pages and files made of the inventory (the secretariat's home, the
//  country pages, the directory, the downloads).
//
//  A site is written from one ms_site_data_t, filled once by site.c in one
//  read transaction and then written twice (French and English).

#ifndef MS_SITEINV_H
#define MS_SITEINV_H

#include "mutsync/inventory.h"
#include "mutsync/sitepage.h"

#define MS_SITE_YEARS 10  //  years shown year by year: the inventory's year and 9 before

//  A mutual of the subtree.
typedef struct {
    ms_view_org_t info;   //  id, name, country, parent (from the trust chain)
    ms_org_t card;        //  its card; zeroed when none was received
    bool has_card;        //
    uint32_t last_month;  //  YYYYMM of its last reported month; 0 if none
    int64_t last_sync;    //  UTC seconds its last public change set was signed; 0 if none
} ms_site_mutual_t;

//  The inventory of one scope for one year, as inventory --format json says it.
typedef struct {
    ms_inventory_row_t row;  //  from the cards
    ms_cell_t adherents;     //  report cells for the year
    ms_cell_t beneficiaries;
    ms_cell_t target;
    ms_cell_t penetration;
} ms_site_inv_t;

typedef struct {
    ms_txn_t *txn;              //  the read transaction
    const ms_identity_t *id;    //  this node
    const char *dir;            //  where the site is being built
    const char *previous;       //  the site it replaces; NULL if none
    ms_lang_t home_lang;        //  the language of DIR/index.html
    uint32_t year;              //  the inventory's year
    int64_t now;                //  UTC seconds
    char today[11];             //  YYYY-MM-DD at NOW
    ms_indicator_def_t *defs;   //  the catalogue
    size_t def_count;           //
    ms_site_mutual_t *mutuals;  //  in id order
    size_t mutual_count;        //
    char (*countries)[3];       //  in code order
    size_t country_count;       //
    ms_site_inv_t *inv;         //  [(country_count + 1) * MS_SITE_YEARS]: countries, then total
} ms_site_data_t;

//  The inventory of scope I (a country index, or country_count for the
//  total) for year index K (0 = the oldest of the MS_SITE_YEARS years).
const ms_site_inv_t *ms_siteinv_at(const ms_site_data_t *data, size_t i, size_t k);

//  Reads the inventory cells of every country and the total into DATA->inv.
MS_MUST_CHECK int ms_siteinv_load(ms_site_data_t *data, ms_error_t *err);

//  Writes the inventory section (synthesis for the year, completeness,
//  year by year, charts) into PAGE.
void ms_siteinv_home(const ms_site_data_t *data, ms_page_t *page);

//  Writes directory.html, countries/CC.html and data.html in LANG.
MS_MUST_CHECK int ms_siteinv_pages(const ms_site_data_t *data, ms_lang_t lang, ms_error_t *err);

//  Writes inventory.csv, mutuals.csv and mutsync.sqlite into DATA->dir.
MS_MUST_CHECK int ms_siteinv_files(const ms_site_data_t *data, ms_error_t *err);

#endif
