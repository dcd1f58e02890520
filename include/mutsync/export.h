//  export - this node's figures for other systems, written by one
//  implementation that mutsync (export) and the site (site.h) share.
//
//  Three formats, one row or group per mutual of the node's subtree, for
//  one period:
//  - CSV, the downloadable inventory: the mutual's card (founding date, the
//    year the card describes, legal status, commune, the guarantees it
//    offers, target population) and every indicator of the catalogue;
//  - DHIS2 dataValueSets JSON: the document names its data set and the id
//    scheme it uses ("idScheme": "code"), since DHIS2 otherwise reads ids as
//    uids; every value is a string;
//  - IHE ADX XML (urn:ihe:qrph:adx:2015): one <group> per mutual with
//    orgUnit, period and dataSet (all three mandatory for DHIS2), and
//    completeDate only when the period is closed (it ended before the
//    current month).
//  "No data" is not 0: a figure the mutual did not report for the period
//  (its cell counts no org) is an empty CSV field and is absent from DHIS2
//  and ADX; a mutual with no figure at all writes no ADX group. Ratios are
//  left out of DHIS2 and ADX (the other system computes them from the
//  numerators and denominators sent), and are empty in CSV when their
//  denominator is 0. Text in JSON is written by json-c; text in XML
//  attributes is escaped here (& < > " ' and control characters).

#ifndef MS_EXPORT_H
#define MS_EXPORT_H

#include "mutsync/csvout.h"
#include "mutsync/exportmap.h"
#include "mutsync/views.h"

#include <stdio.h>

typedef enum { MS_EXPORT_CSV = 0, MS_EXPORT_DHIS2 = 1, MS_EXPORT_ADX = 2 } ms_export_format_t;

//  The data set code written when none is given.
#define MS_EXPORT_DATA_SET_DEFAULT "MUTSYNC_MHO"

typedef struct {
    ms_export_format_t format;   //
    ms_period_t period;          //  the period exported
    const char *data_set;        //  DHIS2 and ADX: data set code; NULL for the default
    const ms_export_map_t *map;  //  DHIS2 and ADX: names in the other system; NULL for ours
    ms_csv_style_t csv;          //  CSV: separator and BOM
    int64_t now;                 //  UTC seconds: the export's stamp and what is closed
} ms_export_options_t;

//  Writes the export of SELF's subtree (SELF an org id, ROOT the
//  secretariat whose catalogue applies) as OPTIONS say, to OUT, reading
//  in TXN. Nothing is written on failure. Returns 0; MS_ENOTFOUND for an
//  ADX export without a single figure (the ADX schema requires at least
//  one group); MS_ESTORE, MS_ENOMEM or MS_EIO.
MS_MUST_CHECK int ms_export_write(ms_txn_t *txn, const char *self, const char *root,
                                  const ms_export_options_t *options, FILE *out, ms_error_t *err);

//  Writes TEXT into OUT escaped for XML or HTML, as text or as an attribute
//  value in double quotes: & < > " ' as entities, tab, LF and CR as
//  character references, other control characters dropped (XML 1.0 cannot
//  hold them). The export, the site pages and the charts all use this one.
void ms_markup_escape(FILE *out, const char *text);

//  Reads ORG's card from TXN into CARD. Returns 0, MS_ENOTFOUND (no card:
//  CARD zeroed) or MS_ESTORE.
MS_MUST_CHECK int ms_export_card(ms_txn_t *txn, const char *org, ms_org_t *card, ms_error_t *err);

//  The figure of CELL for DEF as a decimal text in OUT (32 bytes): the
//  whole value of a count or amount, a ratio with up to 6 decimals; empty
//  when there is no data (no org counted, or a ratio over 0). Returns
//  whether there is a figure.
bool ms_export_figure(const ms_cell_t *cell, const ms_indicator_def_t *def, char *out);

#endif
