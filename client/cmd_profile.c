//  cmd_profile - the org card of the inventory (profile set|show) and the
//  indicator catalogue (indicator list|publish).

#include "cli.h"
#include "commands.h"

#include "mutsync/inventory.h"
#include "mutsync/replica.h"
#include "mutsync/views.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char profile_usage[] =
    N_("usage: mutsync -d DIR profile set [--name NAME] [--created YYYY-MM-DD]\n"
       "                  [--legal-status TEXT] [--commune NAME] [--target-population N]\n"
       "                  [--guarantees LIST] [--contribution-scheme TEXT]\n"
       "                  [--support-partner NAME] [--providers ID,ID...]\n"
       "                  [--governance-members N] [--governance-women N] [--focal-point TEXT]\n"
       "                  [--year YYYY]\n"
       "       mutsync -d DIR profile show [--format table|json]\n"
       "The org card of the regional inventory, in the public feed: it travels up to\n"
       "the union and the secretariat. LIST names the guarantees offered, comma\n"
       "separated, among primary_care, hospitalization, childbirth, sonu, drugs (or\n"
       "'none'). Options not given keep their value.\n"
       "The card is updated once a year: --year says which year it describes\n"
       "(default: the current year); every profile set stamps it. The inventory\n"
       "counts a mutual as up to date for year Y only if its card is of year Y.\n");

static const char indicator_usage[] =
    N_("usage: mutsync -d DIR indicator list [--format table|csv|json] [--excel]\n"
       "       mutsync -d DIR indicator publish\n"
       "list shows the catalogue this node uses: the secretariat's published\n"
       "definitions, else the default ones. publish (secretariat only) writes the\n"
       "default catalogue's definitions that differ into its public feed.\n");

static int read_card(ms_node_t *node, ms_org_t *card, ms_error_t *err)
{
    const char *org = ms_node_identity(node)->org;
    ms_txn_t *txn;
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    ms_stored_record_t stored;
    if (rc == 0)
        rc = ms_replica_record(txn, MS_COLL_ORG, org, org, &stored, err);
    if (rc == MS_ENOTFOUND)
        rc = ms_error_set(err, MS_ENOTFOUND, org,
                          "no org card yet (a node made from an invitation gets it at its first "
                          "sync): sync with the parent %s first (mutsync sync)",
                          ms_node_identity(node)->parent);
    if (rc == 0)
        rc = ms_org_decode(stored.value, stored.value_len, card, err);
    ms_txn_abort(&txn);
    return rc;
}

static int set_guarantees(ms_org_t *card, const char *list)
{
    bool *flags[MS_GUARANTEE_COUNT] = {&card->covers_primary_care, &card->covers_hospitalization,
                                       &card->covers_childbirth, &card->covers_sonu,
                                       &card->covers_drugs};
    for (int i = 0; i < MS_GUARANTEE_COUNT; i++)
        *flags[i] = false;
    char *copy = strdup(list), *save = NULL;
    int rc = copy ? 0 : -1;
    for (char *word = copy ? strtok_r(copy, ",", &save) : NULL; word && rc == 0;
         word = strtok_r(NULL, ",", &save)) {
        int found = strcmp(word, "none") == 0 ? 0 : -1;
        for (int i = 0; i < MS_GUARANTEE_COUNT; i++)
            if (strcmp(word, ms_guarantee_name(i)) == 0)
                *flags[i] = true, found = 0;
        rc = found;
    }
    free(copy);
    return rc;
}

static int set_providers(ms_org_t *card, const char *list)
{
    card->provider_count = 0;
    char *copy = strdup(list), *save = NULL;
    if (!copy)
        return -1;
    for (char *word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
        if (card->provider_count == MS_ORG_PROVIDERS_MAX || strlen(word) > MS_ID_MAX) {
            free(copy);
            return -1;
        }
        snprintf(card->providers[card->provider_count++], MS_ID_MAX + 1, "%s", word);
    }
    free(copy);
    return 0;
}

enum {
    PROFILE_NAME,
    PROFILE_CREATED,
    PROFILE_LEGAL_STATUS,
    PROFILE_COMMUNE,
    PROFILE_TARGET_POPULATION,
    PROFILE_GUARANTEES,
    PROFILE_CONTRIBUTION_SCHEME,
    PROFILE_SUPPORT_PARTNER,
    PROFILE_PROVIDERS,
    PROFILE_GOVERNANCE_MEMBERS,
    PROFILE_GOVERNANCE_WOMEN,
    PROFILE_FOCAL_POINT,
    PROFILE_YEAR,
};

static const cli_opt_t profile_set_opts[] = {
    {"name", CLI_TEXT, 0, 0, 0},
    {"created", CLI_TEXT, 0, 0, 0},
    {"legal-status", CLI_TEXT, 0, 0, 0},
    {"commune", CLI_TEXT, 0, 0, 0},
    {"target-population", CLI_UINT, 0, 1000000000, 0},
    {"guarantees", CLI_TEXT, 0, 0, 0},
    {"contribution-scheme", CLI_TEXT, 0, 0, 0},
    {"support-partner", CLI_TEXT, 0, 0, 0},
    {"providers", CLI_TEXT, 0, 0, 0},
    {"governance-members", CLI_UINT, 0, 100000, 0},
    {"governance-women", CLI_UINT, 0, 100000, 0},
    {"focal-point", CLI_TEXT, 0, 0, 0},
    {"year", CLI_UINT, 1900, 2100, 0},
    {NULL, 0, 0, 0, 0},
};

//  Applies option OPT (a PROFILE_ index) of ARGS to CARD; returns 0 or CLI_USAGE.
static int set_option(ms_org_t *card, int opt, const cli_args_t *args)
{
    const char *arg = args->text[opt];
    switch (opt) {
#define TEXT(index, field)                                                                         \
    case index:                                                                                    \
        if (strlen(arg) >= sizeof card->field)                                                     \
            return cli_usage(profile_usage, _("%s is too long"), #field);                          \
        snprintf(card->field, sizeof card->field, "%s", arg);                                      \
        return 0;
        TEXT(PROFILE_NAME, name)
        TEXT(PROFILE_LEGAL_STATUS, legal_status)
        TEXT(PROFILE_COMMUNE, commune)
        TEXT(PROFILE_CONTRIBUTION_SCHEME, contribution_scheme)
        TEXT(PROFILE_SUPPORT_PARTNER, support_partner)
        TEXT(PROFILE_FOCAL_POINT, focal_point)
#undef TEXT
    case PROFILE_CREATED:
        return ms_date_parse(arg, &card->created) == 0
                   ? 0
                   : cli_usage(profile_usage, _("--created \"%s\" is not a date"), arg);
    case PROFILE_TARGET_POPULATION:
        card->target_population = (uint64_t)args->number[opt];
        return 0;
    case PROFILE_GUARANTEES:
        return set_guarantees(card, arg) == 0
                   ? 0
                   : cli_usage(profile_usage, _("--guarantees: unknown guarantee in \"%s\""), arg);
    case PROFILE_PROVIDERS:
        return set_providers(card, arg) == 0
                   ? 0
                   : cli_usage(profile_usage, _("--providers: too many or too long ids"));
    case PROFILE_GOVERNANCE_MEMBERS:
        card->governance_members = (uint32_t)args->number[opt];
        return 0;
    case PROFILE_GOVERNANCE_WOMEN:
        card->governance_women = (uint32_t)args->number[opt];
        return 0;
    case PROFILE_YEAR:
        card->card_year = (uint32_t)args->number[opt];
        return 0;
    default:
        return 0;
    }
}

typedef struct {
    ms_node_t *node;
    const uint8_t *value;
    size_t len;
} card_write_t;

static int write_card(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    card_write_t *w = arg;
    const char *org = ms_node_identity(w->node)->org;
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, org, w->value, w->len};
    ms_verdict_t verdict;
    return ms_node_append(w->node, txn, "public", &change, 1, &verdict, err);
}

static int profile_set(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    ms_error_t err = {0};
    ms_org_t card;
    if (read_card(node, &card, &err) != 0)
        return cli_fail(&err);
    ms_org_t before = card;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    card.card_year = (uint32_t)tm.tm_year + 1900;
    for (int i = 0; profile_set_opts[i].name; i++) {
        int rc = args->text[i] ? set_option(&card, i, args) : 0;
        if (rc)
            return rc;
    }
    if (card.governance_women > card.governance_members)
        return cli_usage(profile_usage, _("--governance-women is more than --governance-members"));
    if (memcmp(&before, &card, sizeof card) == 0) {
        printf(_("profile unchanged\n"));
        return CLI_OK;
    }
    uint8_t value[MS_VALUE_MAX];
    card_write_t w = {node, value, 0};
    if (ms_org_encode(&card, value, sizeof value, &w.len) != 0)
        return cli_usage(profile_usage, _("org card too large"));
    if (ms_store_write(ms_node_store(node), write_card, &w, &err) != 0 ||
        ms_views_publish(node, NULL, &err) != 0)
        return cli_fail(&err);
    printf(_("profile updated\n"));
    return CLI_OK;
}

static json_object *card_json(const char *org, const ms_org_t *card)
{
    char created[11] = "";
    if (card->created)
        ms_date_format(card->created, created);
    json_object *o = json_object_new_object(), *g = json_object_new_array();
    json_object *p = json_object_new_array();
    const bool offers[MS_GUARANTEE_COUNT] = {card->covers_primary_care,
                                             card->covers_hospitalization, card->covers_childbirth,
                                             card->covers_sonu, card->covers_drugs};
    for (int i = 0; i < MS_GUARANTEE_COUNT; i++)
        if (offers[i])
            json_object_array_add(g, json_object_new_string(ms_guarantee_name(i)));
    for (size_t i = 0; i < card->provider_count; i++)
        json_object_array_add(p, json_object_new_string(card->providers[i]));
    json_object_object_add(o, "org", json_object_new_string(org));
    json_object_object_add(o, "name", json_object_new_string(card->name));
    json_object_object_add(o, "country", json_object_new_string(card->country));
    json_object_object_add(o, "role", json_object_new_string(ms_role_name(card->role)));
    json_object_object_add(o, "parent", json_object_new_string(card->parent));
    json_object_object_add(o, "created", json_object_new_string(created));
    json_object_object_add(o, "legal_status", json_object_new_string(card->legal_status));
    json_object_object_add(o, "commune", json_object_new_string(card->commune));
    json_object_object_add(o, "target_population",
                           json_object_new_int64((int64_t)card->target_population));
    json_object_object_add(o, "guarantees", g);
    json_object_object_add(o, "contribution_scheme",
                           json_object_new_string(card->contribution_scheme));
    json_object_object_add(o, "support_partner", json_object_new_string(card->support_partner));
    json_object_object_add(o, "providers", p);
    json_object_object_add(o, "governance_members",
                           json_object_new_int64(card->governance_members));
    json_object_object_add(o, "governance_women", json_object_new_int64(card->governance_women));
    json_object_object_add(o, "focal_point", json_object_new_string(card->focal_point));
    json_object_object_add(o, "card_year", json_object_new_int64(card->card_year));
    return o;
}

static int profile_show(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    cli_format_t format = args->format;
    ms_error_t err = {0};
    ms_org_t card;
    if (read_card(node, &card, &err) != 0)
        return cli_fail(&err);
    json_object *o = card_json(ms_node_identity(node)->org, &card);
    if (format == CLI_JSON) {
        cli_print_json(o, true);
    } else {
        json_object_object_foreach(o, name, field)
        {
            const char *text = json_object_get_type(field) == json_type_string
                                   ? json_object_get_string(field)
                                   : json_object_to_json_string_ext(field, JSON_C_TO_STRING_PLAIN);
            printf("%-20s %s\n", name, text);
        }
    }
    json_object_put(o);
    return CLI_OK;
}

int cmd_profile(int argc, char **argv)
{
    static const cli_opt_t show_opts[] = {{"format", CLI_FORMAT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};
    static const cli_sub_t subs[] = {{"set", profile_set, profile_set_opts, NULL},
                                     {"show", profile_show, show_opts, NULL},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, profile_usage, subs, NULL);
}

static const char *aggregation_name(ms_aggregation_t aggregation)
{
    return aggregation == MS_AGG_SUM     ? "sum"
           : aggregation == MS_AGG_LAST  ? "last"
           : aggregation == MS_AGG_RATIO ? "ratio"
                                         : "";
}

static int indicator_list(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    cli_format_t format = args->format;
    ms_error_t err = {0};
    ms_txn_t *txn;
    ms_indicator_def_t *defs = NULL;
    size_t count = 0;
    int rc = ms_store_read(ms_node_store(node), &txn, &err);
    if (rc == 0)
        rc = ms_catalogue_list(txn, ms_node_identity(node)->root, &defs, &count, &err);
    ms_txn_abort(&txn);
    if (rc)
        return cli_fail(&err);
    json_object *array = format == CLI_JSON ? json_object_new_array() : NULL;
    const char *headers[] = {_("code"), _("aggregation"), _("unit"), _("name")};
    cli_table_t *table = format == CLI_TABLE ? cli_table_new(4, headers) : NULL;
    if ((format == CLI_JSON && !array) || (format == CLI_TABLE && !table)) {
        free(defs);
        return cli_refuse(_("out of memory"));
    }
    bool french = strcmp(ms_i18n_lang(), "fr") == 0;
    if (format == CLI_CSV)
        cli_csv_header(stdout, "code,aggregation,unit,numerator,denominator,name_fr,name_en");
    for (size_t i = 0; i < count; i++) {
        const ms_indicator_t *d = &defs[i].def;
        if (format == CLI_TABLE) {
            const char *row[] = {defs[i].code, aggregation_name(d->aggregation), d->unit,
                                 french || !d->name_en[0] ? d->name_fr : d->name_en};
            if (cli_table_add(table, row) != 0) {
                rc = cli_refuse(_("out of memory"));
                break;
            }
        } else if (format == CLI_CSV) {
            const char *fields[] = {defs[i].code,   aggregation_name(d->aggregation),
                                    d->unit,        d->numerator,
                                    d->denominator, d->name_fr,
                                    d->name_en};
            for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
                if (f)
                    cli_csv_sep(stdout);
                cli_csv_field(stdout, fields[f]);
            }
            putchar('\n');
        } else {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "code", json_object_new_string(defs[i].code));
            json_object_object_add(o, "name_fr", json_object_new_string(d->name_fr));
            json_object_object_add(o, "name_en", json_object_new_string(d->name_en));
            json_object_object_add(o, "unit", json_object_new_string(d->unit));
            json_object_object_add(o, "aggregation",
                                   json_object_new_string(aggregation_name(d->aggregation)));
            json_object_object_add(o, "numerator", json_object_new_string(d->numerator));
            json_object_object_add(o, "denominator", json_object_new_string(d->denominator));
            json_object_array_add(array, o);
        }
    }
    if (array) {
        cli_print_json(array, true);
        json_object_put(array);
    }
    if (table && rc == 0)
        cli_table_print(table, stdout);
    cli_table_destroy(&table);
    free(defs);
    return rc;
}

static int indicator_publish(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    (void)args;
    ms_error_t err = {0};
    size_t count = 0;
    if (ms_views_publish_catalogue(node, &count, &err) != 0)
        return cli_fail(&err);
    printf(_("%zu indicator definitions published\n"), count);
    return CLI_OK;
}

int cmd_indicator(int argc, char **argv)
{
    static const cli_opt_t list_opts[] = {{"format", CLI_FORMAT_CSV, 0, 0, 0}, {NULL, 0, 0, 0, 0}};
    static const cli_sub_t subs[] = {{"list", indicator_list, list_opts, NULL},
                                     {"publish", indicator_publish, NULL, NULL},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, indicator_usage, subs, NULL);
}
