//  cmd_register - the mutual's books: contribution and claim import|list,
//  provider and complaint add|list.
//
//  Every write is followed by the publication of the indicator reports it
//  changed (ms_views_publish), so the mutual's view and its public feed
//  are current when the command returns.

#include "cli.h"
#include "commands.h"

#include "mutsync/ledger.h"
#include "mutsync/replica.h"
#include "mutsync/views.h"

#include <json-c/json.h>
#include <string.h>

static const char contribution_usage[] =
    N_("usage: mutsync -d DIR contribution import FILE.csv [--encoding utf-8|cp1252] [--separator "
       ",|;]\n"
       "       mutsync -d DIR contribution list [--format table|csv|json]\n"
       "import reads the columns household_id, period (YYYY-MM), amount_due_xof,\n"
       "amount_paid_xof, paid_date (empty when nothing was paid): one row per household\n"
       "and month. A file with any bad row imports nothing. Contributions stay at the\n"
       "mutual (register feed); the indicators they change are published.\n");

static const char claim_usage[] =
    N_("usage: mutsync -d DIR claim import FILE.csv [--encoding utf-8|cp1252] [--separator ,|;]\n"
       "       mutsync -d DIR claim list [--format table|csv|json]\n"
       "import reads the columns claim_id, member_id, provider_id, care_date, care_type,\n"
       "billed_xof, covered_xof, generic_drugs (yes/no), status (paid, pending,\n"
       "rejected...). A file with any bad row imports nothing. Claims are in the care\n"
       "feed and never leave the mutual; only the indicators computed from them do.\n");

static const char provider_usage[] =
    N_("usage: mutsync -d DIR provider add --id ID --name NAME [--level CSCOM|CSRef|hospital...]\n"
       "                  [--from YYYY-MM-DD] [--until YYYY-MM-DD]\n"
       "       mutsync -d DIR provider list [--format table|csv|json]\n"
       "A contracted health facility and its convention dates (public feed).\n");

static const char complaint_usage[] =
    N_("usage: mutsync -d DIR complaint add --id ID --date YYYY-MM-DD --subject TEXT\n"
       "                  [--provider ID] [--status open|closed]\n"
       "       mutsync -d DIR complaint list [--format table|csv|json]\n"
       "The complaints book (care feed: it never leaves the mutual).\n");

//  ---------------------------------------------------------------------------
//  Listing: one walk over the node's own records, three formats.

typedef void (*row_fn)(cli_format_t format, const char *key, const uint8_t *value, size_t len,
                       json_object *array);

typedef struct {
    cli_format_t format;
    row_fn row;
    json_object *array;
} list_t;

static int list_one(const char *owner, const char *key, const ms_stored_record_t *record, void *arg)
{
    (void)owner;
    list_t *list = arg;
    list->row(list->format, key, record->value, record->value_len, list->array);
    return 0;
}

static int list_records(ms_node_t *node, ms_collection_t collection, const char *header, row_fn row,
                        cli_format_t format)
{
    ms_error_t err = {0};
    ms_txn_t *txn;
    if (ms_store_read(ms_node_store(node), &txn, &err) != 0)
        return cli_fail(&err);
    list_t list = {format, row, format == CLI_JSON ? json_object_new_array() : NULL};
    if (format != CLI_JSON)
        printf("%s\n", header);
    int rc =
        ms_replica_records(txn, collection, ms_node_identity(node)->org, list_one, &list, &err);
    ms_txn_abort(&txn);
    if (list.array) {
        cli_print_json(list.array, true);
        json_object_put(list.array);
    }
    return rc ? cli_fail(&err) : CLI_OK;
}

static void put_date(json_object *o, const char *name, int32_t days, FILE *out, bool last)
{
    char text[11] = "";
    if (days)
        ms_date_format(days, text);
    if (o)
        json_object_object_add(o, name, json_object_new_string(text));
    else
        fprintf(out, "%s%s", text, last ? "\n" : ",");
}

static void put_text(json_object *o, const char *name, const char *text, FILE *out, bool last)
{
    if (o) {
        json_object_object_add(o, name, json_object_new_string(text));
        return;
    }
    cli_csv_field(out, text);
    fputs(last ? "\n" : ",", out);
}

static void put_uint(json_object *o, const char *name, uint64_t value, FILE *out, bool last)
{
    if (o)
        json_object_object_add(o, name, json_object_new_int64((int64_t)value));
    else
        fprintf(out, "%llu%s", (unsigned long long)value, last ? "\n" : ",");
}

static void contribution_row(cli_format_t format, const char *key, const uint8_t *value, size_t len,
                             json_object *array)
{
    (void)key;
    ms_contribution_t c;
    if (ms_contribution_decode(value, len, &c, NULL) != 0)
        return;
    json_object *o = format == CLI_JSON ? json_object_new_object() : NULL;
    char month[8];
    ms_month_format(c.period, month);
    put_text(o, "household_id", c.household_id, stdout, false);
    put_text(o, "period", month, stdout, false);
    put_uint(o, "amount_due_xof", c.amount_due, stdout, false);
    put_uint(o, "amount_paid_xof", c.amount_paid, stdout, false);
    put_date(o, "paid_date", c.paid_date, stdout, true);
    if (o)
        json_object_array_add(array, o);
}

static void claim_row(cli_format_t format, const char *key, const uint8_t *value, size_t len,
                      json_object *array)
{
    ms_claim_t c;
    if (ms_claim_decode(value, len, &c, NULL) != 0)
        return;
    json_object *o = format == CLI_JSON ? json_object_new_object() : NULL;
    put_text(o, "claim_id", key, stdout, false);
    put_text(o, "member_id", c.member_id, stdout, false);
    put_text(o, "provider_id", c.provider_id, stdout, false);
    put_date(o, "care_date", c.care_date, stdout, false);
    put_text(o, "care_type", c.care_type, stdout, false);
    put_uint(o, "billed_xof", c.billed, stdout, false);
    put_uint(o, "covered_xof", c.covered, stdout, false);
    put_text(o, "generic_drugs", c.generic_drugs ? "yes" : "no", stdout, false);
    put_text(o, "status", c.status, stdout, true);
    if (o)
        json_object_array_add(array, o);
}

static void provider_row(cli_format_t format, const char *key, const uint8_t *value, size_t len,
                         json_object *array)
{
    ms_provider_t p;
    if (ms_provider_decode(value, len, &p, NULL) != 0)
        return;
    json_object *o = format == CLI_JSON ? json_object_new_object() : NULL;
    put_text(o, "provider_id", key, stdout, false);
    put_text(o, "name", p.name, stdout, false);
    put_text(o, "level", p.level, stdout, false);
    put_date(o, "convention_start", p.convention_start, stdout, false);
    put_date(o, "convention_end", p.convention_end, stdout, true);
    if (o)
        json_object_array_add(array, o);
}

static void complaint_row(cli_format_t format, const char *key, const uint8_t *value, size_t len,
                          json_object *array)
{
    ms_complaint_t c;
    if (ms_complaint_decode(value, len, &c, NULL) != 0)
        return;
    json_object *o = format == CLI_JSON ? json_object_new_object() : NULL;
    put_text(o, "complaint_id", key, stdout, false);
    put_date(o, "date", c.date, stdout, false);
    put_text(o, "provider_id", c.provider_id, stdout, false);
    put_text(o, "subject", c.subject, stdout, false);
    put_text(o, "status", c.status, stdout, true);
    if (o)
        json_object_array_add(array, o);
}

//  ---------------------------------------------------------------------------
//  Commands

//  One of the mutual's books: its collection, how a file of it is read
//  (NULL: added one entry at a time), and how it is listed.
typedef struct {
    ms_collection_t collection;
    const ms_import_schema_t *schema;
    const char *header;
    row_fn row;
    const char *usage;
} book_t;

static int book_import(ms_node_t *node, const cli_args_t *args, const void *ctx)
{
    const book_t *book = ctx;
    return cli_import(node, book->schema, book->usage, args);
}

static int book_list(ms_node_t *node, const cli_args_t *args, const void *ctx)
{
    const book_t *book = ctx;
    return list_records(node, book->collection, book->header, book->row, args->format);
}

static const cli_opt_t list_opts[] = {{"format", CLI_FORMAT_CSV, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

static const cli_sub_t imported[] = {{"import", book_import, cli_import_opts, "FILE.csv"},
                                     {"list", book_list, list_opts, NULL},
                                     {NULL, NULL, NULL, NULL}};

int cmd_contribution(int argc, char **argv)
{
    static const book_t book = {MS_COLL_CONTRIBUTION, &ms_contribution_schema,
                                "household_id,period,amount_due_xof,amount_paid_xof,paid_date",
                                contribution_row, contribution_usage};
    return cli_dispatch(argc, argv, contribution_usage, imported, &book);
}

int cmd_claim(int argc, char **argv)
{
    static const book_t book = {MS_COLL_CLAIM, &ms_claim_schema,
                                "claim_id,member_id,provider_id,care_date,care_type,billed_xof,"
                                "covered_xof,generic_drugs,status",
                                claim_row, claim_usage};
    return cli_dispatch(argc, argv, claim_usage, imported, &book);
}

static int parse_date(const char *text, int32_t *days, const char *what, const char *usage)
{
    if (ms_date_parse(text, days) != 0)
        return cli_usage(usage, _("%s \"%s\" is not a date (YYYY-MM-DD)"), what, text);
    return 0;
}

enum { PROVIDER_ID, PROVIDER_NAME, PROVIDER_LEVEL, PROVIDER_FROM, PROVIDER_UNTIL };

static const cli_opt_t provider_add_opts[] = {
    {"id", CLI_TEXT, 0, 0, 0},   {"name", CLI_TEXT, 0, 0, 0},  {"level", CLI_TEXT, 0, 0, 0},
    {"from", CLI_TEXT, 0, 0, 0}, {"until", CLI_TEXT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

static int provider_add(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *const *text = args->text;
    ms_provider_t p;
    memset(&p, 0, sizeof p);
    const char *id = text[PROVIDER_ID];
    snprintf(p.name, sizeof p.name, "%s", text[PROVIDER_NAME] ? text[PROVIDER_NAME] : "");
    snprintf(p.level, sizeof p.level, "%s", text[PROVIDER_LEVEL] ? text[PROVIDER_LEVEL] : "");
    int rc = 0;
    if (text[PROVIDER_FROM])
        rc = parse_date(text[PROVIDER_FROM], &p.convention_start, "--from", provider_usage);
    if (rc == 0 && text[PROVIDER_UNTIL])
        rc = parse_date(text[PROVIDER_UNTIL], &p.convention_end, "--until", provider_usage);
    if (rc)
        return rc;
    if (!id || !ms_record_id_valid(id) || !p.name[0])
        return cli_usage(provider_usage, _("--id (no spaces or '|') and --name are required"));
    uint8_t value[MS_VALUE_MAX];
    size_t len = 0;
    if (ms_provider_encode(&p, value, sizeof value, &len) != 0)
        return cli_usage(provider_usage, _("provider record too large"));
    return cli_add_record(node, MS_COLL_PROVIDER, id, value, len);
}

enum { COMPLAINT_ID, COMPLAINT_DATE, COMPLAINT_SUBJECT, COMPLAINT_PROVIDER, COMPLAINT_STATUS };

static const cli_opt_t complaint_add_opts[] = {
    {"id", CLI_TEXT, 0, 0, 0},       {"date", CLI_TEXT, 0, 0, 0},   {"subject", CLI_TEXT, 0, 0, 0},
    {"provider", CLI_TEXT, 0, 0, 0}, {"status", CLI_TEXT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

static int complaint_add(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *const *text = args->text;
    ms_complaint_t c;
    memset(&c, 0, sizeof c);
    const char *id = text[COMPLAINT_ID];
    snprintf(c.subject, sizeof c.subject, "%s",
             text[COMPLAINT_SUBJECT] ? text[COMPLAINT_SUBJECT] : "");
    snprintf(c.provider_id, sizeof c.provider_id, "%s",
             text[COMPLAINT_PROVIDER] ? text[COMPLAINT_PROVIDER] : "");
    snprintf(c.status, sizeof c.status, "%s",
             text[COMPLAINT_STATUS] ? text[COMPLAINT_STATUS] : "open");
    if (text[COMPLAINT_DATE]) {
        int rc = parse_date(text[COMPLAINT_DATE], &c.date, "--date", complaint_usage);
        if (rc)
            return rc;
    }
    if (!id || !ms_record_id_valid(id) || !c.date || !c.subject[0])
        return cli_usage(complaint_usage, _("--id, --date and --subject are required"));
    uint8_t value[MS_VALUE_MAX];
    size_t len = 0;
    if (ms_complaint_encode(&c, value, sizeof value, &len) != 0)
        return cli_usage(complaint_usage, _("complaint record too large"));
    return cli_add_record(node, MS_COLL_COMPLAINT, id, value, len);
}

int cmd_provider(int argc, char **argv)
{
    static const book_t book = {MS_COLL_PROVIDER, NULL,
                                "provider_id,name,level,convention_start,convention_end",
                                provider_row, provider_usage};
    static const cli_sub_t subs[] = {{"add", provider_add, provider_add_opts, NULL},
                                     {"list", book_list, list_opts, NULL},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, provider_usage, subs, &book);
}

int cmd_complaint(int argc, char **argv)
{
    static const book_t book = {MS_COLL_COMPLAINT, NULL,
                                "complaint_id,date,provider_id,subject,status", complaint_row,
                                complaint_usage};
    static const cli_sub_t subs[] = {{"add", complaint_add, complaint_add_opts, NULL},
                                     {"list", book_list, list_opts, NULL},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, complaint_usage, subs, &book);
}
