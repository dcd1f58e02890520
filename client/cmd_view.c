//  cmd_view - view, inventory and export: this node's aggregated picture.
//
//  Every figure is one cell lookup (views.h); the number of rows is the
//  number of orgs or countries asked for, never the number of members.

#include "cli.h"
#include "commands.h"

#include "mutsync/inventory.h"
#include "mutsync/views.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char view_usage[] =
    N_("usage: mutsync -d DIR view [--period YYYY-MM|YYYYQn|YYYY] [--org ID] [--by org|country]\n"
       "                           [--format table|csv|json]\n"
       "One row per org of this node's subtree (a union's row is its subtree's total),\n"
       "or per country with --by country, then the total; one column per indicator.\n"
       "--org ID shows that org's row only. Over orgs values sum; over time flows sum,\n"
       "stocks take the last month with data, ratios are recomputed from the summed\n"
       "numerators and denominators. Default period: the current year.\n"
       "Reports for a month more than one month past this node's clock are kept but\n"
       "held, not counted, until their month comes; a note on stderr says how many.\n"
       "\n"
       "       mutsync -d DIR view held\n"
       "Lists the held reports: month, org, how many.\n"
       "       mutsync -d DIR view rebuild\n"
       "Drops every aggregate and recomputes it from the stored reports and org cards\n"
       "(one transaction), and says what it counted, held and set aside.\n");

static const char inventory_usage[] =
    N_("usage: mutsync -d DIR inventory [--year YYYY] [--format table|csv|json]\n"
       "The synthesis table of mutuals by country with the total of this node's\n"
       "subtree (the region at the secretariat): mutuals founded by the end of the\n"
       "year, adherents, beneficiaries, target population, penetration, mutuals\n"
       "offering each guarantee, average age. Default year: the current one.\n");

static const char export_usage[] =
    N_("usage: mutsync -d DIR export --format csv|dhis2|adx [--period YYYY-MM|YYYYQn|YYYY]\n"
       "csv: one row per mutual of the subtree (the downloadable inventory): its card\n"
       "and every indicator for the period. dhis2: a DHIS2 dataValueSets JSON document.\n"
       "adx: an IHE ADX XML document. In dhis2 and adx, data elements are the\n"
       "indicator codes and org units the org ids; ratios are left out (they are\n"
       "indicators there, computed from the numerators and denominators sent).\n");

typedef struct {
    ms_node_t *node;
    ms_txn_t *txn;
    ms_period_t period;
    char period_text[MS_PERIOD_TEXT_BYTES];
    cli_format_t format;
    ms_indicator_def_t *defs;  //  the catalogue
    size_t def_count;
    json_object *array;  //  JSON rows
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
    if (out->array)
        json_object_put(out->array);
    ms_node_close(node_p);
}

//  A ratio with 4 decimals; a count or an amount exactly, from its integer.
static void print_number(char *text, size_t size, const ms_cell_t *cell, double value, bool ratio)
{
    if (ratio)
        snprintf(text, size, "%.4f", value);
    else
        snprintf(text, size, "%lld", (long long)cell->value);
}

//  One row of the view: SCOPE's cells for every indicator.
static int view_row(out_t *out, const char *scope, const char *id, const char *name,
                    const char *role, const char *country)
{
    json_object *values = out->format == CLI_JSON ? json_object_new_object() : NULL;
    if (out->format == CLI_TABLE)
        printf("%-16.16s", id);
    else if (out->format == CLI_CSV)
        printf("%s,%s,%s,%s,", id, role, country, out->period_text);
    for (size_t i = 0; i < out->def_count; i++) {
        ms_cell_t cell;
        if (ms_views_cell(out->txn, scope, &out->period, out->defs[i].code, &cell, &out->err) != 0)
            return cli_fail(&out->err);
        bool ratio = out->defs[i].def.aggregation == MS_AGG_RATIO;
        double value = ms_cell_value(&cell, &out->defs[i]);
        char text[48];
        print_number(text, sizeof text, &cell, value, ratio);
        if (values) {
            json_object_object_add(values, out->defs[i].code,
                                   ratio ? json_object_new_double(value)
                                         : json_object_new_int64(cell.value));
        } else if (out->format == CLI_TABLE) {
            printf(" %*s", (int)strlen(out->defs[i].code), text);
        } else {
            fputs(text, stdout);
            if (out->format == CLI_CSV && i + 1 < out->def_count)
                putchar(',');
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
    } else {
        putchar('\n');
    }
    return 0;
}

static void view_header(const out_t *out)
{
    if (out->format == CLI_TABLE) {
        printf("%-16s", "org");
        for (size_t i = 0; i < out->def_count; i++)
            printf(" %s", out->defs[i].code);
        printf("\n");
    } else if (out->format == CLI_CSV) {
        printf("org,role,country,period");
        for (size_t i = 0; i < out->def_count; i++)
            printf(",%s", out->defs[i].code);
        printf("\n");
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

enum { VIEW_PERIOD, VIEW_ORG, VIEW_BY, VIEW_FORMAT };

static const cli_opt_t view_opts[] = {
    {"period", CLI_TEXT, 0, 0, 0},       {"org", CLI_TEXT, 0, 0, 0}, {"by", CLI_TEXT, 0, 0, 0},
    {"format", CLI_FORMAT_CSV, 0, 0, 0}, {NULL, 0, 0, 0, 0},
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
    if ((rc = out_open(&out, cli_dir(), &node)) != 0) {
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
    ms_cell_t adherents, beneficiaries, penetration;
    if (ms_inventory_row(out->txn, scope, out->period.year, &row, &out->err) != 0 ||
        ms_views_cell(out->txn, scope, &out->period, "adherents", &adherents, &out->err) != 0 ||
        ms_views_cell(out->txn, scope, &out->period, "beneficiaries", &beneficiaries, &out->err) !=
            0 ||
        ms_views_cell(out->txn, scope, &out->period, "penetration_rate", &penetration, &out->err) !=
            0)
        return cli_fail(&out->err);
    double rate = penetration.denominator != 0
                      ? (double)penetration.numerator / (double)penetration.denominator
                      : 0;
    if (out->format == CLI_JSON) {
        json_object *o = json_object_new_object(), *g = json_object_new_object();
        json_object_object_add(o, "scope", json_object_new_string(label));
        json_object_object_add(o, "year", json_object_new_int((int)out->period.year));
        json_object_object_add(o, "mutuals", json_object_new_int64((int64_t)row.mutuals));
        json_object_object_add(o, "adherents", json_object_new_int64(adherents.value));
        json_object_object_add(o, "beneficiaries", json_object_new_int64(beneficiaries.value));
        json_object_object_add(o, "target_population",
                               json_object_new_int64((int64_t)row.target_population));
        json_object_object_add(o, "penetration_rate", json_object_new_double(rate));
        for (int i = 0; i < MS_GUARANTEE_COUNT; i++)
            json_object_object_add(g, ms_guarantee_name(i),
                                   json_object_new_int64((int64_t)row.offering[i]));
        json_object_object_add(o, "offering", g);
        json_object_object_add(o, "average_age", json_object_new_double(row.average_age));
        json_object_array_add(out->array, o);
        return 0;
    }
    printf(out->format == CLI_CSV ? "%s,%llu,%lld,%lld,%llu,%.4f"
                                  : "%-8s %7llu %9lld %13lld %10llu %11.4f",
           label, (unsigned long long)row.mutuals, (long long)adherents.value,
           (long long)beneficiaries.value, (unsigned long long)row.target_population, rate);
    for (int i = 0; i < MS_GUARANTEE_COUNT; i++)
        printf(out->format == CLI_CSV ? ",%llu" : " %5llu", (unsigned long long)row.offering[i]);
    printf(out->format == CLI_CSV ? ",%.1f\n" : " %7.1f\n", row.average_age);
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
        if (out.format == CLI_JSON)
            out.array = json_object_new_array();
        else
            printf(out.format == CLI_CSV
                       ? "scope,mutuals,adherents,beneficiaries,target_population,penetration_rate,"
                         "primary_care,hospitalization,childbirth,sonu,drugs,average_age\n"
                       : "%-8s %7s %9s %13s %10s %11s %5s %5s %5s %5s %5s %7s\n",
                   "scope", "mutuals", "adherents", "beneficiaries", "target", "penetration",
                   "prim", "hosp", "birth", "sonu", "drugs", "age");
        rc = ms_views_countries(out.txn, inventory_country, &out, &out.err);
        char scope[MS_SCOPE_MAX + 1];
        snprintf(scope, sizeof scope, "s:%s", ms_node_identity(node)->org);
        if (rc == 0)
            rc = inventory_row(&out, scope, "total");
        if (rc == 0 && out.array)
            cli_print_json(out.array, true);
        if (rc < 0)
            rc = cli_fail(&out.err);
    }
    out_close(&out, &node);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Export

typedef struct {
    out_t *out;
    int kind;             //  0 csv, 1 dhis2, 2 adx
    json_object *values;  //  dhis2: the dataValues
    char dhis2_period[MS_PERIOD_TEXT_BYTES];
    char adx_period[MS_PERIOD_TEXT_BYTES];
    char today[11];
} export_t;

static void decimal(char *buf, size_t size, const ms_cell_t *cell, double value, bool ratio)
{
    if (!ratio)
        snprintf(buf, size, "%lld", (long long)cell->value);
    else if (value == (double)(long long)value)
        snprintf(buf, size, "%lld", (long long)value);
    else
        snprintf(buf, size, "%.6f", value);
}

//  DHIS2 dataValueSets: one value, every field a string.
static json_object *dhis2_value(const char *element, const char *period, const char *org,
                                const char *value)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "dataElement", json_object_new_string(element));
    json_object_object_add(o, "period", json_object_new_string(period));
    json_object_object_add(o, "orgUnit", json_object_new_string(org));
    json_object_object_add(o, "value", json_object_new_string(value));
    return o;
}

static int export_org(const ms_view_org_t *org, void *arg)
{
    export_t *e = arg;
    out_t *out = e->out;
    if (org->role != MS_ROLE_MUTUAL)
        return 0;
    char scope[MS_SCOPE_MAX + 1], value[48];
    snprintf(scope, sizeof scope, "o:%s", org->org);
    if (e->kind == 0) {
        cli_csv_field(stdout, org->org);
        putchar(',');
        cli_csv_field(stdout, org->name);
        printf(",%s,%s,%s", org->country, org->parent, out->period_text);
    } else if (e->kind == 2) {
        //  ADX: one group per org unit and period; org ids hold no XML specials.
        printf("  <group orgUnit=\"%s\" period=\"%s\" completeDate=\"%s\">\n", org->org,
               e->adx_period, e->today);
    }
    for (size_t i = 0; i < out->def_count; i++) {
        const ms_indicator_def_t *def = &out->defs[i];
        ms_cell_t cell;
        if (ms_views_cell(out->txn, scope, &out->period, def->code, &cell, &out->err) != 0)
            return MS_ESTORE;
        bool ratio = def->def.aggregation == MS_AGG_RATIO;
        decimal(value, sizeof value, &cell, ms_cell_value(&cell, def), ratio);
        if (e->kind == 0) {
            printf(",%s", cell.orgs ? value : "");
        } else if (!ratio && cell.orgs) {
            if (e->kind == 1)
                json_object_array_add(e->values,
                                      dhis2_value(def->code, e->dhis2_period, org->org, value));
            else
                printf("    <dataValue dataElement=\"%s\" value=\"%s\"/>\n", def->code, value);
        }
    }
    if (e->kind == 0)
        putchar('\n');
    else if (e->kind == 2)
        printf("  </group>\n");
    return 0;
}

enum { EXPORT_PERIOD, EXPORT_FORMAT };

static const cli_opt_t export_opts[] = {
    {"period", CLI_TEXT, 0, 0, 0}, {"format", CLI_TEXT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

int cmd_export(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_parse(argc, argv, export_opts, NULL, export_usage, &args);
    if (rc)
        return rc;
    out_t out;
    memset(&out, 0, sizeof out);
    default_period(&out.period);
    if (args.text[EXPORT_PERIOD] &&
        (rc = parse_period(args.text[EXPORT_PERIOD], &out.period, export_usage)) != 0)
        return rc;
    const char *format = args.text[EXPORT_FORMAT];
    int kind = !format                        ? -1
               : strcmp(format, "csv") == 0   ? 0
               : strcmp(format, "dhis2") == 0 ? 1
               : strcmp(format, "adx") == 0   ? 2
                                              : -1;
    if (kind < 0)
        return cli_usage(export_usage, _("--format csv, dhis2 or adx is required"));
    ms_node_t *node = NULL;
    rc = out_open(&out, cli_dir(), &node);
    if (rc) {
        out_close(&out, &node);
        return rc;
    }
    export_t e = {&out, kind, kind == 1 ? json_object_new_array() : NULL, "", "", ""};
    ms_period_dhis2(&out.period, e.dhis2_period);
    ms_period_adx(&out.period, e.adx_period);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char exported[32];
    strftime(e.today, sizeof e.today, "%Y-%m-%d", &tm);
    strftime(exported, sizeof exported, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (kind == 0) {
        printf("org,name,country,parent,period");
        for (size_t i = 0; i < out.def_count; i++)
            printf(",%s", out.defs[i].code);
        printf("\n");
    } else if (kind == 2) {
        printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<adx xmlns=\"urn:ihe:qrph:adx:2015\" exported=\"%s\">\n",
               exported);
    }
    rc = ms_views_orgs(out.txn, ms_node_identity(node)->org, export_org, &e, &out.err);
    if (kind == 1 && rc == 0) {
        json_object *doc = json_object_new_object();
        json_object_object_add(doc, "dataValues", json_object_get(e.values));
        printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_SPACED |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(doc);
    } else if (kind == 2) {
        printf("</adx>\n");
    }
    json_object_put(e.values);
    if (rc)
        rc = cli_fail(&out.err);
    out_close(&out, &node);
    return rc;
}
