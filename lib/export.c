//  export - CSV, DHIS2 dataValueSets and IHE ADX from the view cells.
//
//  DESIGN. One walk over the mutuals of the subtree (views.h), one cell
//  lookup per mutual and indicator, whatever the format; the format only
//  decides how a row or group is written. The document is written into
//  memory first and copied to the caller's stream only when complete, so
//  a failure (or an ADX export with nothing to say) writes nothing.
//  Called by mutsync's export command and by the site (site.h).

#include "mutsync/export.h"

#include "mutsync/inventory.h"
#include "mutsync/replica.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    ms_txn_t *txn;                       //
    const ms_export_options_t *options;  //
    const ms_indicator_def_t *defs;      //  the catalogue
    size_t def_count;                    //
    FILE *out;                           //  the memory stream
    json_object *values;                 //  DHIS2: the dataValues array
    char period[MS_PERIOD_TEXT_BYTES];   //  in the format's form
    char complete[11];                   //  ADX completeDate, "" while the period is open
    const char *data_set;                //
    size_t groups;                       //  ADX groups written
    ms_error_t *err;                     //
} export_t;

//  True for the bytes ms_markup_escape writes as they are.
static bool markup_plain(unsigned char c)
{
    return c >= 0x20 && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
}

//  Runs of plain bytes go out in one fwrite: a page is mostly plain text.
void ms_markup_escape(FILE *out, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        const unsigned char *run = p;
        while (markup_plain(*p))
            p++;
        if (p > run)
            fwrite(run, 1, (size_t)(p - run), out);
        switch (*p) {
        case 0:
            return;
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        case '\t':
        case '\n':
        case '\r':
            fprintf(out, "&#%d;", *p);
            break;
        default:
            break;
        }
        p++;
    }
}

int ms_export_card(ms_txn_t *txn, const char *org, ms_org_t *card, ms_error_t *err)
{
    memset(card, 0, sizeof *card);
    ms_stored_record_t stored;
    int rc = ms_replica_record(txn, MS_COLL_ORG, org, org, &stored, err);
    if (rc)
        return rc;
    if (ms_org_decode(stored.value, stored.value_len, card, NULL) != 0)
        return MS_ENOTFOUND;
    return 0;
}

bool ms_export_figure(const ms_cell_t *cell, const ms_indicator_def_t *def, char *out)
{
    out[0] = 0;
    if (cell->orgs == 0)
        return false;
    if (def->def.aggregation != MS_AGG_RATIO) {
        snprintf(out, 32, "%lld", (long long)cell->value);
        return true;
    }
    if (cell->denominator == 0)
        return false;
    double value = ms_cell_value(cell, def);
    if (value == (double)(long long)value)
        snprintf(out, 32, "%lld", (long long)value);
    else
        snprintf(out, 32, "%.6f", value);
    return true;
}

static void csv_header(export_t *e)
{
    static const char *const card[] = {"org",
                                       "name",
                                       "country",
                                       "parent",
                                       "period",
                                       "created",
                                       "card_year",
                                       "legal_status",
                                       "commune",
                                       "offers_primary_care",
                                       "offers_hospitalization",
                                       "offers_childbirth",
                                       "offers_sonu",
                                       "offers_drugs",
                                       "card_target_population"};
    const ms_csv_style_t *style = &e->options->csv;
    ms_csv_begin(e->out, style);
    for (size_t i = 0; i < sizeof card / sizeof card[0]; i++)
        ms_csv_field(e->out, style, i == 0, card[i]);
    for (size_t i = 0; i < e->def_count; i++)
        ms_csv_field(e->out, style, false, e->defs[i].code);
    fputs("\r\n", e->out);
}

static void csv_card(export_t *e, const ms_view_org_t *org, const ms_org_t *card)
{
    const ms_csv_style_t *style = &e->options->csv;
    char created[11] = "", year[12] = "";
    if (card->created)
        ms_date_format(card->created, created);
    if (card->card_year)
        snprintf(year, sizeof year, "%u", card->card_year);
    ms_period_format(&e->options->period, e->period);
    ms_csv_field(e->out, style, true, org->org);
    ms_csv_field(e->out, style, false, card->name[0] ? card->name : org->name);
    ms_csv_field(e->out, style, false, org->country);
    ms_csv_field(e->out, style, false, org->parent);
    ms_csv_field(e->out, style, false, e->period);
    ms_csv_field(e->out, style, false, created);
    ms_csv_field(e->out, style, false, year);
    ms_csv_field(e->out, style, false, card->legal_status);
    ms_csv_field(e->out, style, false, card->commune);
    const bool offers[MS_GUARANTEE_COUNT] = {card->covers_primary_care,
                                             card->covers_hospitalization, card->covers_childbirth,
                                             card->covers_sonu, card->covers_drugs};
    for (int i = 0; i < MS_GUARANTEE_COUNT; i++)
        ms_csv_int(e->out, style, false, offers[i]);
    ms_csv_int(e->out, style, false, (long long)card->target_population);
}

//  One ADX group or a series of DHIS2 values for ORG; CSV: one row.
static int export_org(const ms_view_org_t *org, void *arg)
{
    export_t *e = arg;
    if (org->role != MS_ROLE_MUTUAL)
        return 0;
    ms_export_format_t format = e->options->format;
    ms_org_t card;
    int rc = ms_export_card(e->txn, org->org, &card, e->err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    if (format == MS_EXPORT_CSV)
        csv_card(e, org, &card);
    const char *unit = ms_export_map_name(e->options->map, MS_MAP_ORG, org->org);
    char scope[MS_SCOPE_MAX + 1], value[32];
    snprintf(scope, sizeof scope, "o:%s", org->org);
    size_t values = 0;
    for (size_t i = 0; i < e->def_count; i++) {
        const ms_indicator_def_t *def = &e->defs[i];
        ms_cell_t cell;
        if ((rc = ms_views_cell(e->txn, scope, &e->options->period, def->code, &cell, e->err)) != 0)
            return rc;
        bool figure = ms_export_figure(&cell, def, value);
        if (format == MS_EXPORT_CSV) {
            ms_csv_field(e->out, &e->options->csv, false, value);
            continue;
        }
        if (!figure || def->def.aggregation == MS_AGG_RATIO)
            continue;
        const char *element = ms_export_map_name(e->options->map, MS_MAP_INDICATOR, def->code);
        if (format == MS_EXPORT_DHIS2) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "dataElement", json_object_new_string(element));
            json_object_object_add(o, "period", json_object_new_string(e->period));
            json_object_object_add(o, "orgUnit", json_object_new_string(unit));
            json_object_object_add(o, "value", json_object_new_string(value));
            json_object_array_add(e->values, o);
            continue;
        }
        if (values++ == 0) {
            //  ADX: the group opens with its first value, so no group is empty.
            fputs("  <group orgUnit=\"", e->out);
            ms_markup_escape(e->out, unit);
            fprintf(e->out, "\" period=\"%s\" dataSet=\"", e->period);
            ms_markup_escape(e->out, e->data_set);
            if (e->complete[0])
                fprintf(e->out, "\" completeDate=\"%s", e->complete);
            fputs("\">\n", e->out);
        }
        fputs("    <dataValue dataElement=\"", e->out);
        ms_markup_escape(e->out, element);
        fprintf(e->out, "\" value=\"%s\"/>\n", value);
    }
    if (format == MS_EXPORT_CSV)
        fputs("\r\n", e->out);
    else if (format == MS_EXPORT_ADX && values) {
        fputs("  </group>\n", e->out);
        e->groups++;
    }
    return 0;
}

static void begin(export_t *e, struct tm *now_tm)
{
    const ms_export_options_t *o = e->options;
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", now_tm);
    uint32_t this_month = (uint32_t)(now_tm->tm_year + 1900) * 100 + (uint32_t)now_tm->tm_mon + 1;
    if (ms_period_last_month(&o->period) < this_month)
        strftime(e->complete, sizeof e->complete, "%Y-%m-%d", now_tm);
    if (o->format == MS_EXPORT_CSV) {
        csv_header(e);
    } else if (o->format == MS_EXPORT_DHIS2) {
        ms_period_dhis2(&o->period, e->period);
        e->values = json_object_new_array();
    } else {
        ms_period_adx(&o->period, e->period);
        fprintf(e->out,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\"%s\">\n",
                stamp);
    }
}

static int finish(export_t *e)
{
    const ms_export_options_t *o = e->options;
    if (o->format == MS_EXPORT_DHIS2) {
        json_object *doc = json_object_new_object();
        //  DHIS2 reads ids as uids unless told: ours are codes.
        json_object_object_add(doc, "dataSet", json_object_new_string(e->data_set));
        json_object_object_add(doc, "idScheme", json_object_new_string("code"));
        json_object_object_add(doc, "dataValues", json_object_get(e->values));
        fprintf(e->out, "%s\n",
                json_object_to_json_string_ext(doc, JSON_C_TO_STRING_SPACED |
                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(doc);
    } else if (o->format == MS_EXPORT_ADX) {
        if (e->groups == 0) {
            char period[MS_PERIOD_TEXT_BYTES];
            ms_period_format(&o->period, period);
            return ms_error_set(e->err, MS_ENOTFOUND, "export",
                                "no figure for %s: an ADX document needs at least one", period);
        }
        fputs("</adx>\n", e->out);
    }
    return 0;
}

int ms_export_write(ms_txn_t *txn, const char *self, const char *root,
                    const ms_export_options_t *options, FILE *out, ms_error_t *err)
{
    export_t e;
    memset(&e, 0, sizeof e);
    e.txn = txn;
    e.options = options;
    e.err = err;
    e.data_set = options->data_set ? options->data_set : MS_EXPORT_DATA_SET_DEFAULT;
    ms_indicator_def_t *defs = NULL;
    int rc = ms_catalogue_list(txn, root, &defs, &e.def_count, err);
    if (rc)
        return rc;
    e.defs = defs;
    char *buf = NULL;
    size_t len = 0;
    e.out = open_memstream(&buf, &len);
    if (!e.out) {
        free(defs);
        return ms_error_set(err, MS_ENOMEM, "export", "out of memory");
    }
    time_t now = (time_t)options->now;
    struct tm now_tm;
    gmtime_r(&now, &now_tm);
    begin(&e, &now_tm);
    rc = ms_views_orgs(txn, self, export_org, &e, err);
    if (rc == 0)
        rc = finish(&e);
    json_object_put(e.values);
    fclose(e.out);
    if (rc == 0 && fwrite(buf, 1, len, out) != len)
        rc = ms_error_set(err, MS_EIO, "export", "could not write the document");
    free(buf);
    free(defs);
    return rc;
}
