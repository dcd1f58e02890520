//  cmd_view - view, inventory and export: this node's aggregated picture.
//
//  Every figure is one or two row lookups (views.h); the number of rows is the
//  number of orgs or countries asked for, never the number of members.
//  "No data" is not 0: a cell no org reported into prints empty (null in
//  JSON). The exports are written by the library (export.h).

#include "cli.h"
#include "commands.h"

#include "mutsync/export.h"
#include "mutsync/inventory.h"
#include "mutsync/views.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char view_usage[] =
    N_("usage: mutsync -d DIR view [--period YYYY-MM|YYYYQn|YYYY] [--org ID] [--by org|country]\n"
       "                           [--indicators CODE,CODE...|all] [--format table|csv|json]\n"
       "                           [--excel]\n"
       "One row per org of this node's subtree (a union's row is its subtree's total),\n"
       "or per country with --by country, then the total; one column per indicator.\n"
       "--org ID shows that org's row only. Over orgs values sum; over time flows sum,\n"
       "stocks take the last month with data, ratios are recomputed from the summed\n"
       "numerators and denominators. Default period: the current year.\n"
       "A figure nobody reported for the period is empty (null in JSON), not 0.\n"
       "The table shows the indicators' names and, by default, six of them;\n"
       "--indicators chooses the columns (codes from mutsync indicator list, or all).\n"
       "CSV and JSON carry every indicator unless --indicators is given.\n"
       "--excel writes CSV with ';' and a BOM for a French-locale spreadsheet.\n"
       "Reports for a month more than one month past this node's clock are kept but\n"
       "held, not counted, until their month comes; a note on stderr says how many.\n"
       "\n"
       "       mutsync -d DIR view held\n"
       "Lists the held reports: month, org, how many.\n"
       "       mutsync -d DIR view rebuild\n"
       "Drops every aggregate and recomputes it from the stored reports and org cards\n"
       "(one transaction), and says what it counted, held and set aside.\n");

static const char inventory_usage[] =
    N_("usage: mutsync -d DIR inventory [--year YYYY] [--format table|csv|json] [--excel]\n"
       "The synthesis table of mutuals by country with the total of this node's\n"
       "subtree (the region at the secretariat): mutuals founded by the end of the\n"
       "year, adherents, beneficiaries, target population and penetration (both of\n"
       "the mutuals that reported, as in view --by country), mutuals offering each\n"
       "guarantee, average age, and how many cards describe the year itself.\n"
       "Default year: the current one.\n");

static const char export_usage[] =
    N_("usage: mutsync -d DIR export --format csv|dhis2|adx [--period YYYY-MM|YYYYQn|YYYY]\n"
       "                             [--data-set CODE] [--map FILE] [--excel]\n"
       "csv: one row per mutual of the subtree (the downloadable inventory): its card\n"
       "(founding date, card year, guarantees...) and every indicator for the period.\n"
       "dhis2: a DHIS2 dataValueSets JSON document (\"idScheme\": \"code\").\n"
       "adx: an IHE ADX XML document; completeDate only for closed periods.\n"
       "In dhis2 and adx, data elements are the indicator codes and org units the org\n"
       "ids; ratios and figures nobody reported are left out. --data-set names the\n"
       "DHIS2 data set (default MUTSYNC_MHO). --map FILE renames codes for an instance\n"
       "whose codes differ: CSV with the columns kind,code,dhis2, kind indicator or org.\n"
       "--excel writes CSV with ';' and a BOM for a French-locale spreadsheet.\n");

typedef struct {
    ms_node_t *node;
    ms_txn_t *txn;
    ms_period_t period;
    char period_text[MS_PERIOD_TEXT_BYTES];
    cli_format_t format;
    ms_indicator_def_t *defs;  //  the catalogue
    size_t def_count;
    size_t *shown;  //  indices into DEFS of the columns shown
    size_t shown_count;
    json_object *array;  //  JSON rows
    cli_table_t *table;  //  CLI_TABLE
    ms_error_t err;
} out_t;

static void default_period(ms_period_t *period)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    *period = (ms_period_t){MS_PERIOD_YEAR, (uint32_t)tm.tm_year + 1900, 0};
}

static int out_open(out_t *out, const char *dir, ms_node_t **node_p)
{
    int rc = cli_open(dir, node_p);
    if (rc)
        return rc;
    out->node = *node_p;
    ms_period_format(&out->period, out->period_text);
    if (ms_views_publish(out->node, NULL, &out->err) != 0 ||
        ms_store_read(ms_node_store(out->node), &out->txn, &out->err) != 0 ||
        ms_catalogue_list(out->txn, ms_node_identity(out->node)->root, &out->defs, &out->def_count,
                          &out->err) != 0)
        return cli_fail(&out->err);
    return 0;
}

static void out_close(out_t *out, ms_node_t **node_p)
{
    ms_txn_abort(&out->txn);
    free(out->defs);
    free(out->shown);
    if (out->array)
        json_object_put(out->array);
    cli_table_destroy(&out->table);
    ms_node_close(node_p);
}

//  The columns shown: LIST (codes, comma separated, or "all"), else every
//  indicator in CSV and JSON and a readable few in a table.
static int choose_columns(out_t *out, const char *list)
{
    static const char *const few[] = {"beneficiaries",   "adherents", "contributions_paid_xof",
                                      "collection_rate", "claims",    "loss_ratio"};
    out->shown = calloc(out->def_count + 1, sizeof *out->shown);
    if (!out->shown)
        return cli_refuse(_("out of memory"));
    bool all = list ? strcmp(list, "all") == 0 : out->format != CLI_TABLE;
    if (all) {
        for (size_t i = 0; i < out->def_count; i++)
            out->shown[out->shown_count++] = i;
        return 0;
    }
    char copy[1024];
    if (list)
        snprintf(copy, sizeof copy, "%s", list);
    size_t wanted = list ? 0 : sizeof few / sizeof few[0];
    char *save = NULL, *code = list ? strtok_r(copy, ",", &save) : NULL;
    for (size_t w = 0; list ? code != NULL : w < wanted; w++) {
        const char *name = list ? code : few[w];
        size_t i = 0;
        while (i < out->def_count && strcmp(out->defs[i].code, name) != 0)
            i++;
        if (i == out->def_count && list)
            return cli_usage(view_usage, _("--indicators: unknown indicator \"%s\""), name);
        if (i < out->def_count && out->shown_count < out->def_count)
            out->shown[out->shown_count++] = i;
        if (list)
            code = strtok_r(NULL, ",", &save);
    }
    if (out->shown_count == 0)
        return cli_usage(view_usage, _("--indicators: no indicator given"));
    return 0;
}

static const char *def_name(const ms_indicator_def_t *def)
{
    return strcmp(ms_i18n_lang(), "fr") == 0 ? def->def.name_fr : def->def.name_en;
}

//  One row of the view: SCOPE's cells for every indicator shown.
static int view_row(out_t *out, const char *scope, const char *id, const char *name,
                    const char *role, const char *country)
{
    json_object *values = out->format == CLI_JSON ? json_object_new_object() : NULL;
    const char *cells[CLI_TABLE_COLUMNS_MAX];
    char texts[CLI_TABLE_COLUMNS_MAX][32];
    if (out->format == CLI_CSV) {
        const char *fields[] = {id, role, country, out->period_text};
        for (size_t i = 0; i < 4; i++) {
            if (i)
                cli_csv_sep(stdout);
            cli_csv_field(stdout, fields[i]);
        }
    }
    cells[0] = id;
    for (size_t k = 0; k < out->shown_count; k++) {
        const ms_indicator_def_t *def = &out->defs[out->shown[k]];
        ms_cell_t cell;
        if (ms_views_cell(out->txn, scope, &out->period, def->code, &cell, &out->err) != 0)
            return cli_fail(&out->err);
        bool ratio = def->def.aggregation == MS_AGG_RATIO;
        char text[32];
        bool figure = ms_export_figure(&cell, def, text);
        if (figure && ratio)
            snprintf(text, sizeof text, "%.4f", ms_cell_value(&cell, def));
        if (values) {
            json_object_object_add(values, def->code,
                                   !figure ? NULL
                                   : ratio ? json_object_new_double(ms_cell_value(&cell, def))
                                           : json_object_new_int64(cell.value));
        } else if (out->format == CLI_TABLE) {
            if (k + 1 < CLI_TABLE_COLUMNS_MAX) {
                snprintf(texts[k], sizeof texts[k], "%s", text);
                cells[k + 1] = texts[k];
            }
        } else {
            cli_csv_sep(stdout);
            fputs(text, stdout);
        }
    }
    if (values) {
        json_object *row = json_object_new_object();
        json_object_object_add(row, "org", json_object_new_string(id));
        json_object_object_add(row, "name", json_object_new_string(name));
        json_object_object_add(row, "role", json_object_new_string(role));
        json_object_object_add(row, "country", json_object_new_string(country));
        json_object_object_add(row, "period", json_object_new_string(out->period_text));
        json_object_object_add(row, "values", values);
        json_object_array_add(out->array, row);
    } else if (out->format == CLI_TABLE) {
        if (out->table && cli_table_add(out->table, cells) != 0)
            return cli_refuse(_("out of memory"));
    } else {
        putchar('\n');
    }
    return 0;
}

static void view_header(out_t *out)
{
    if (out->format == CLI_TABLE) {
        const char *headers[CLI_TABLE_COLUMNS_MAX];
        size_t columns = 1;
        headers[0] = _("org");
        for (size_t k = 0; k < out->shown_count && columns < CLI_TABLE_COLUMNS_MAX; k++)
            headers[columns++] = def_name(&out->defs[out->shown[k]]);
        out->table = cli_table_new(columns, headers);
        for (size_t i = 1; out->table && i < columns; i++)
            cli_table_align_right(out->table, i);
    } else if (out->format == CLI_CSV) {
        char names[2048] = "org,role,country,period";
        for (size_t k = 0; k < out->shown_count; k++)
            snprintf(names + strlen(names), sizeof names - strlen(names), ",%s",
                     out->defs[out->shown[k]].code);
        cli_csv_header(stdout, names);
    }
}

static int view_org(const ms_view_org_t *org, void *arg)
{
    out_t *out = arg;
    if (strcmp(org->org, ms_node_identity(out->node)->org) == 0)
        return 0;
    char scope[MS_SCOPE_MAX + 1];
    snprintf(scope, sizeof scope, "s:%s", org->org);
    return view_row(out, scope, org->org, org->name, ms_role_name(org->role), org->country);
}

static int view_country(const char *country, void *arg)
{
    char scope[MS_SCOPE_MAX + 1];
    snprintf(scope, sizeof scope, "c:%s", country);
    return view_row(arg, scope, country, country, "country", country);
}

static int parse_period(const char *text, ms_period_t *period, const char *usage)
{
    if (ms_period_parse(text, period) != 0)
        return cli_usage(usage, _("period \"%s\" is not YYYY-MM, YYYYQn or YYYY"), text);
    return 0;
}

enum { VIEW_PERIOD, VIEW_ORG, VIEW_BY, VIEW_FORMAT, VIEW_INDICATORS };

static const cli_opt_t view_opts[] = {
    {"period", CLI_TEXT, 0, 0, 0},     {"org", CLI_TEXT, 0, 0, 0},
    {"by", CLI_TEXT, 0, 0, 0},         {"format", CLI_FORMAT_CSV, 0, 0, 0},
    {"indicators", CLI_TEXT, 0, 0, 0}, {NULL, 0, 0, 0, 0},
};

static int view_rebuild(ms_node_t *node, const cli_args_t *args, const void *ctx)
{
    (void)ctx;
    (void)args;
    ms_views_rebuilt_t done;
    ms_error_t err = {0};
    if (ms_views_rebuild(node, (int64_t)time(NULL), &done, &err) != 0)
        return cli_fail(&err);
    printf(_("views of %s rebuilt from the stored records: %zu reports counted, %zu held for a "
             "later month, %zu set aside (bad value), %zu outside the views, %zu org cards\n"),
           ms_node_identity(node)->org, done.reports, done.held, done.set_aside, done.ignored,
           done.cards);
    return 0;
}

//  Held reports, grouped by month and org (the order they are walked in).
typedef struct {
    char owner[MS_ORG_MAX + 1];
    uint32_t month;
    size_t group;  //  reports in the current (month, owner)
    size_t total;
    bool print;
} held_t;

static void held_flush(held_t *h)
{
    if (h->print && h->group)
        printf(_("%04u-%02u  %-16s %zu reports\n"), h->month / 100, h->month % 100, h->owner,
               h->group);
    h->group = 0;
}

static int held_one(const char *owner, const char *key, uint32_t month, void *ctx)
{
    (void)key;
    held_t *h = ctx;
    if (month != h->month || strcmp(owner, h->owner) != 0) {
        held_flush(h);
        h->month = month;
        snprintf(h->owner, sizeof h->owner, "%s", owner);
    }
    h->group++;
    h->total++;
    return 0;
}

static int held_walk(ms_txn_t *txn, bool print, size_t *total, ms_error_t *err)
{
    held_t h;
    memset(&h, 0, sizeof h);
    h.print = print;
    int rc = ms_views_held(txn, held_one, &h, err);
    held_flush(&h);
    *total = h.total;
    return rc;
}

static int view_held(ms_node_t *node, const cli_args_t *args, const void *ctx)
{
    (void)ctx;
    (void)args;
    ms_txn_t *txn;
    ms_error_t err = {0};
    size_t total = 0;
    int rc = ms_store_read(ms_node_store(node), &txn, &err);
    if (rc == 0)
        rc = held_walk(txn, true, &total, &err);
    ms_txn_abort(&txn);
    if (rc)
        return cli_fail(&err);
    uint32_t limit = ms_views_count_limit((int64_t)time(NULL));
    printf(_("%zu reports held; months up to %04u-%02u are counted\n"), total, limit / 100,
           limit % 100);
    return 0;
}

int cmd_view(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "rebuild") == 0 || strcmp(argv[1], "held") == 0)) {
        static const cli_sub_t subs[] = {{"rebuild", view_rebuild, NULL, NULL},
                                         {"held", view_held, NULL, NULL},
                                         {NULL, NULL, NULL, NULL}};
        return cli_dispatch(argc, argv, view_usage, subs, NULL);
    }
    cli_args_t args;
    int rc = cli_parse(argc, argv, view_opts, NULL, view_usage, &args);
    if (rc)
        return rc;
    out_t out;
    memset(&out, 0, sizeof out);
    default_period(&out.period);
    out.format = args.format;
    const char *only = args.text[VIEW_ORG], *by = args.text[VIEW_BY];
    if (args.text[VIEW_PERIOD] &&
        (rc = parse_period(args.text[VIEW_PERIOD], &out.period, view_usage)) != 0)
        return rc;
    if (by && strcmp(by, "org") != 0 && strcmp(by, "country") != 0)
        return cli_usage(view_usage, _("--by must be org or country, not \"%s\""), by);
    bool by_country = by && strcmp(by, "country") == 0;
    ms_node_t *node = NULL;
    if ((rc = out_open(&out, cli_dir(), &node)) != 0 ||
        (rc = choose_columns(&out, args.text[VIEW_INDICATORS])) != 0) {
        out_close(&out, &node);
        return rc;
    }
    if (out.format == CLI_JSON)
        out.array = json_object_new_array();
    view_header(&out);
    const ms_identity_t *id = ms_node_identity(node);
    char scope[MS_SCOPE_MAX + 1];
    ms_view_org_t info;
    if (only) {
        char path[MS_VIEWS_DEPTH_MAX][MS_ORG_MAX + 1], country[3];
        size_t depth;
        if (ms_views_lineage(out.txn, id->org, only, path, &depth, country, &out.err) != 0 ||
            ms_views_org(out.txn, only, &info, &out.err) != 0) {
            rc = cli_refuse(_("%s is not in the subtree of %s"), only, id->org);
        } else {
            snprintf(scope, sizeof scope, "s:%s", only);
            rc = view_row(&out, scope, only, info.name, ms_role_name(info.role), info.country);
        }
    } else {
        rc = by_country ? ms_views_countries(out.txn, view_country, &out, &out.err)
                        : ms_views_orgs(out.txn, id->org, view_org, &out, &out.err);
        if (rc < 0 && rc != CLI_REFUSED)
            rc = cli_fail(&out.err);
        snprintf(scope, sizeof scope, "s:%s", id->org);
        if (rc == 0)
            rc = view_row(&out, scope, "total", id->name, ms_role_name(id->role), id->country);
    }
    if (rc == 0 && out.array)
        cli_print_json(out.array, true);
    if (rc == 0 && out.table)
        cli_table_print(out.table, stdout);
    size_t held = 0;
    if (rc == 0 && held_walk(out.txn, false, &held, &out.err) == 0 && held > 0)
        fprintf(stderr,
                _("mutsync: %zu reports for a month ahead of this node's clock are held, "
                  "not counted (mutsync view held)\n"),
                held);
    out_close(&out, &node);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Inventory

static int inventory_row(out_t *out, const char *scope, const char *label)
{
    ms_inventory_row_t row;
    ms_cell_t adherents, beneficiaries, target, penetration;
    if (ms_inventory_row(out->txn, scope, out->period.year, &row, &out->err) != 0 ||
        ms_views_cell(out->txn, scope, &out->period, "adherents", &adherents, &out->err) != 0 ||
        ms_views_cell(out->txn, scope, &out->period, "beneficiaries", &beneficiaries, &out->err) !=
            0 ||
        ms_views_cell(out->txn, scope, &out->period, "target_population", &target, &out->err) !=
            0 ||
        ms_views_cell(out->txn, scope, &out->period, "penetration_rate", &penetration, &out->err) !=
            0)
        return cli_fail(&out->err);
    //  The penetration's own sums: the beneficiaries and target population
    //  of the same mutuals, the ones that reported both.
    bool has_rate = penetration.orgs && penetration.denominator != 0;
    double rate = has_rate ? (double)penetration.numerator / (double)penetration.denominator : 0;
    if (out->format == CLI_JSON) {
        json_object *o = json_object_new_object(), *g = json_object_new_object();
        json_object_object_add(o, "scope", json_object_new_string(label));
        json_object_object_add(o, "year", json_object_new_int((int)out->period.year));
        json_object_object_add(o, "mutuals", json_object_new_int64((int64_t)row.mutuals));
        json_object_object_add(o, "adherents",
                               adherents.orgs ? json_object_new_int64(adherents.value) : NULL);
        json_object_object_add(o, "beneficiaries",
                               beneficiaries.orgs ? json_object_new_int64(beneficiaries.value)
                                                  : NULL);
        json_object_object_add(o, "target_population",
                               target.orgs ? json_object_new_int64(target.value) : NULL);
        json_object_object_add(o, "penetration_rate",
                               has_rate ? json_object_new_double(rate) : NULL);
        for (int i = 0; i < MS_GUARANTEE_COUNT; i++)
            json_object_object_add(g, ms_guarantee_name(i),
                                   json_object_new_int64((int64_t)row.offering[i]));
        json_object_object_add(o, "offering", g);
        json_object_object_add(o, "average_age",
                               row.dated ? json_object_new_double(row.average_age) : NULL);
        json_object_object_add(o, "cards_of_year",
                               json_object_new_int64((int64_t)row.cards_of_year));
        json_object_array_add(out->array, o);
        return 0;
    }
    char texts[14][32];
    snprintf(texts[0], sizeof texts[0], "%s", label);
    snprintf(texts[1], sizeof texts[1], "%llu", (unsigned long long)row.mutuals);
    const ms_cell_t *counts[] = {&adherents, &beneficiaries, &target};
    for (int i = 0; i < 3; i++)
        if (counts[i]->orgs)
            snprintf(texts[2 + i], sizeof texts[2 + i], "%lld", (long long)counts[i]->value);
        else
            texts[2 + i][0] = 0;
    if (has_rate)
        snprintf(texts[5], sizeof texts[5], "%.4f", rate);
    else
        texts[5][0] = 0;
    for (int i = 0; i < MS_GUARANTEE_COUNT; i++)
        snprintf(texts[6 + i], sizeof texts[6 + i], "%llu", (unsigned long long)row.offering[i]);
    if (row.dated)
        snprintf(texts[11], sizeof texts[11], "%.1f", row.average_age);
    else
        texts[11][0] = 0;
    snprintf(texts[12], sizeof texts[12], "%llu", (unsigned long long)row.cards_of_year);
    const char *cells[13];
    for (int i = 0; i < 13; i++)
        cells[i] = texts[i];
    if (out->format == CLI_TABLE)
        return cli_table_add(out->table, cells) == 0 ? 0 : cli_refuse(_("out of memory"));
    for (int i = 0; i < 13; i++) {
        if (i)
            cli_csv_sep(stdout);
        cli_csv_field(stdout, cells[i]);
    }
    putchar('\n');
    return 0;
}

static int inventory_country(const char *country, void *arg)
{
    char scope[MS_SCOPE_MAX + 1];
    snprintf(scope, sizeof scope, "c:%s", country);
    return inventory_row(arg, scope, country);
}

enum { INVENTORY_YEAR, INVENTORY_FORMAT };

static const cli_opt_t inventory_opts[] = {
    {"year", CLI_TEXT, 0, 0, 0}, {"format", CLI_FORMAT_CSV, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

int cmd_inventory(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_parse(argc, argv, inventory_opts, NULL, inventory_usage, &args);
    if (rc)
        return rc;
    out_t out;
    memset(&out, 0, sizeof out);
    default_period(&out.period);
    out.format = args.format;
    const char *year = args.text[INVENTORY_YEAR];
    if (year && (ms_period_parse(year, &out.period) != 0 || out.period.kind != MS_PERIOD_YEAR))
        return cli_usage(inventory_usage, _("year \"%s\" is not YYYY"), year);
    ms_node_t *node = NULL;
    rc = out_open(&out, cli_dir(), &node);
    if (rc == 0) {
        if (out.format == CLI_JSON) {
            out.array = json_object_new_array();
        } else if (out.format == CLI_CSV) {
            cli_csv_header(stdout, "scope,mutuals,adherents,beneficiaries,target_population,"
                                   "penetration_rate,primary_care,hospitalization,childbirth,"
                                   "sonu,drugs,average_age,cards_of_year");
        } else {
            const char *headers[] = {
                _("scope"),       _("mutuals"), _("adherents"), _("beneficiaries"), _("target"),
                _("penetration"), _("prim"),    _("hosp"),      _("birth"),         _("sonu"),
                _("drugs"),       _("age"),     _("cards")};
            out.table = cli_table_new(13, headers);
            for (size_t i = 1; out.table && i < 13; i++)
                cli_table_align_right(out.table, i);
            if (!out.table)
                rc = cli_refuse(_("out of memory"));
        }
        if (rc == 0)
            rc = ms_views_countries(out.txn, inventory_country, &out, &out.err);
        char scope[MS_SCOPE_MAX + 1];
        snprintf(scope, sizeof scope, "s:%s", ms_node_identity(node)->org);
        if (rc == 0)
            rc = inventory_row(&out, scope, "total");
        if (rc == 0 && out.array)
            cli_print_json(out.array, true);
        if (rc == 0 && out.table)
            cli_table_print(out.table, stdout);
        if (rc < 0)
            rc = cli_fail(&out.err);
    }
    out_close(&out, &node);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Export

enum { EXPORT_PERIOD, EXPORT_FORMAT, EXPORT_DATA_SET, EXPORT_MAP, EXPORT_EXCEL };

static const cli_opt_t export_opts[] = {
    {"period", CLI_TEXT, 0, 0, 0}, {"format", CLI_TEXT, 0, 0, 0}, {"data-set", CLI_TEXT, 0, 0, 0},
    {"map", CLI_TEXT, 0, 0, 0},    {"excel", CLI_FLAG, 0, 0, 0},  {NULL, 0, 0, 0, 0}};

int cmd_export(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_parse(argc, argv, export_opts, NULL, export_usage, &args);
    if (rc)
        return rc;
    ms_export_options_t options;
    memset(&options, 0, sizeof options);
    default_period(&options.period);
    if (args.text[EXPORT_PERIOD] &&
        (rc = parse_period(args.text[EXPORT_PERIOD], &options.period, export_usage)) != 0)
        return rc;
    const char *format = args.text[EXPORT_FORMAT];
    int kind = !format                        ? -1
               : strcmp(format, "csv") == 0   ? MS_EXPORT_CSV
               : strcmp(format, "dhis2") == 0 ? MS_EXPORT_DHIS2
               : strcmp(format, "adx") == 0   ? MS_EXPORT_ADX
                                              : -1;
    if (kind < 0)
        return cli_usage(export_usage, _("--format csv, dhis2 or adx is required"));
    if (args.text[EXPORT_EXCEL] && kind != MS_EXPORT_CSV)
        return cli_usage(export_usage, _("--excel writes CSV: use it with --format csv"));
    const char *data_set = args.text[EXPORT_DATA_SET];
    if (data_set && (!data_set[0] || strlen(data_set) > MS_MAP_TEXT_MAX))
        return cli_usage(export_usage, _("--data-set must be 1 to %d characters"), MS_MAP_TEXT_MAX);
    options.format = (ms_export_format_t)kind;
    options.data_set = data_set;
    options.csv = args.text[EXPORT_EXCEL] ? MS_CSV_EXCEL : MS_CSV_PLAIN;
    options.now = (int64_t)time(NULL);
    ms_error_t err = {0};
    ms_export_map_t *map = NULL;
    if (args.text[EXPORT_MAP] && ms_export_map_load(args.text[EXPORT_MAP], &map, &err) != 0)
        return cli_fail(&err);
    options.map = map;
    ms_node_t *node = NULL;
    ms_txn_t *txn = NULL;
    rc = cli_open(cli_dir(), &node);
    if (rc == 0) {
        const ms_identity_t *id = ms_node_identity(node);
        if (ms_views_publish(node, NULL, &err) != 0 ||
            ms_store_read(ms_node_store(node), &txn, &err) != 0 ||
            ms_export_write(txn, id->org, id->root, &options, stdout, &err) != 0)
            rc = cli_fail(&err);
    }
    ms_txn_abort(&txn);
    ms_node_close(&node);
    ms_export_map_destroy(&map);
    return rc;
}
