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
#include <stdlib.h>
#include <string.h>

static const char contribution_usage[] =
    N_("usage: mutsync -d DIR contribution import FILE.csv [--encoding utf-8|cp1252] [--separator "
       ",|;]\n"
       "       mutsync -d DIR contribution list [--format table|csv|json] [--excel]\n"
       "import reads the columns household_id, period (YYYY-MM), amount_due_xof,\n"
       "amount_paid_xof, paid_date (empty when nothing was paid): one row per household\n"
       "and month. A file with any bad row imports nothing. Contributions stay at the\n"
       "mutual (register feed); the indicators they change are published.\n");

static const char claim_usage[] =
    N_("usage: mutsync -d DIR claim import FILE.csv [--encoding utf-8|cp1252] [--separator ,|;]\n"
       "       mutsync -d DIR claim list [--format table|csv|json] [--excel]\n"
       "import reads the columns claim_id, member_id, provider_id, care_date, care_type,\n"
       "billed_xof, covered_xof, generic_drugs (yes/no), status (paid, pending,\n"
       "rejected...). A file with any bad row imports nothing. Claims are in the care\n"
       "feed and never leave the mutual; only the indicators computed from them do.\n");

static const char provider_usage[] =
    N_("usage: mutsync -d DIR provider add --id ID --name NAME [--level CSCOM|CSRef|hospital...]\n"
       "                  [--from YYYY-MM-DD] [--until YYYY-MM-DD]\n"
       "       mutsync -d DIR provider list [--format table|csv|json] [--excel]\n"
       "A contracted health facility and its convention dates (public feed).\n");

static const char complaint_usage[] =
    N_("usage: mutsync -d DIR complaint add --id ID --date YYYY-MM-DD --subject TEXT\n"
       "                  [--provider ID] [--status open|closed]\n"
       "       mutsync -d DIR complaint list [--format table|csv|json] [--excel]\n"
       "The complaints book (care feed: it never leaves the mutual).\n");

//  ---------------------------------------------------------------------------
//  Listing: one walk over the node's own records, three formats. A book
//  names its columns once; a row function turns a record into its cells.

#define COLUMNS_MAX 9
#define CELL_BYTES 512

_Static_assert(MS_TEXT_MAX < CELL_BYTES && MS_NAME_MAX < CELL_BYTES, "a text fits a cell");

typedef struct {
    const char *name;   //  CSV header and JSON key: never translated
    const char *label;  //  table header, N_() and translated when printed
    bool number;        //  a JSON number, right-aligned in the table
} column_t;

//  Fills CELLS from one record; returns 0, or -1 to leave the record out.
typedef int (*row_fn)(const char *key, const uint8_t *value, size_t len, char (*cells)[CELL_BYTES]);

typedef struct {
    const column_t *columns;  //  ended by a NULL name
    row_fn row;               //
    cli_format_t format;      //
    size_t count;             //  columns
    json_object *array;       //  CLI_JSON
    cli_table_t *table;       //  CLI_TABLE
} list_t;

static int list_one(const char *owner, const char *key, const ms_stored_record_t *record, void *arg)
{
    (void)owner;
    list_t *list = arg;
    char cells[COLUMNS_MAX][CELL_BYTES];
    if (list->row(key, record->value, record->value_len, cells) != 0)
        return 0;
    if (list->format == CLI_JSON) {
        json_object *o = json_object_new_object();
        for (size_t i = 0; i < list->count; i++)
            json_object_object_add(o, list->columns[i].name,
                                   list->columns[i].number
                                       ? json_object_new_int64(strtoll(cells[i], NULL, 10))
                                       : json_object_new_string(cells[i]));
        json_object_array_add(list->array, o);
    } else if (list->format == CLI_CSV) {
        for (size_t i = 0; i < list->count; i++) {
            if (i)
                cli_csv_sep(stdout);
            cli_csv_field(stdout, cells[i]);
        }
        putchar('\n');
    } else {
        const char *row[COLUMNS_MAX];
        for (size_t i = 0; i < list->count; i++)
            row[i] = cells[i];
        if (cli_table_add(list->table, row) != 0)
            return MS_ENOMEM;
    }
    return 0;
}

static int list_records(ms_node_t *node, ms_collection_t collection, const column_t *columns,
                        row_fn row, cli_format_t format)
{
    list_t list = {columns, row, format, 0, NULL, NULL};
    const char *headers[COLUMNS_MAX];
    for (; columns[list.count].name; list.count++)
        headers[list.count] = _(columns[list.count].label);
    if (format == CLI_JSON) {
        list.array = json_object_new_array();
    } else if (format == CLI_CSV) {
        char names[512] = "";
        for (size_t i = 0; i < list.count; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? "," : "",
                     columns[i].name);
        cli_csv_header(stdout, names);
    } else if ((list.table = cli_table_new(list.count, headers)) != NULL) {
        for (size_t i = 0; i < list.count; i++)
            if (columns[i].number)
                cli_table_align_right(list.table, i);
    }
    ms_error_t err = {0};
    ms_txn_t *txn;
    int rc = (format == CLI_TABLE && !list.table) || (format == CLI_JSON && !list.array)
                 ? ms_error_set(&err, MS_ENOMEM, "list", "out of memory")
                 : ms_store_read(ms_node_store(node), &txn, &err);
    if (rc == 0) {
        rc =
            ms_replica_records(txn, collection, ms_node_identity(node)->org, list_one, &list, &err);
        ms_txn_abort(&txn);
    }
    if (rc == 0 && list.array)
        cli_print_json(list.array, true);
    if (rc == 0 && list.table)
        cli_table_print(list.table, stdout);
    json_object_put(list.array);
    cli_table_destroy(&list.table);
    if (rc == MS_ENOMEM && !err.code)
        ms_error_set(&err, MS_ENOMEM, "list", "out of memory");
    return rc ? cli_fail(&err) : CLI_OK;
}

static void put_date(char *cell, int32_t days)
{
    cell[0] = 0;
    if (days)
        ms_date_format(days, cell);
}

static void put_text(char *cell, const char *text)
{
    snprintf(cell, CELL_BYTES, "%s", text);
}

static void put_uint(char *cell, uint64_t value)
{
    snprintf(cell, CELL_BYTES, "%llu", (unsigned long long)value);
}

static const column_t contribution_columns[] = {
    {"household_id", N_("household"), false},  {"period", N_("period"), false},
    {"amount_due_xof", N_("due (XOF)"), true}, {"amount_paid_xof", N_("paid (XOF)"), true},
    {"paid_date", N_("paid on"), false},       {NULL, NULL, false},
};

static int contribution_row(const char *key, const uint8_t *value, size_t len,
                            char (*cells)[CELL_BYTES])
{
    (void)key;
    ms_contribution_t c;
    if (ms_contribution_decode(value, len, &c, NULL) != 0)
        return -1;
    put_text(cells[0], c.household_id);
    ms_month_format(c.period, cells[1]);
    put_uint(cells[2], c.amount_due);
    put_uint(cells[3], c.amount_paid);
    put_date(cells[4], c.paid_date);
    return 0;
}

static const column_t claim_columns[] = {
    {"claim_id", N_("claim"), false},
    {"member_id", N_("member"), false},
    {"provider_id", N_("provider"), false},
    {"care_date", N_("care date"), false},
    {"care_type", N_("care type"), false},
    {"billed_xof", N_("billed (XOF)"), true},
    {"covered_xof", N_("covered (XOF)"), true},
    {"generic_drugs", N_("generic drugs"), false},
    {"status", N_("status"), false},
    {NULL, NULL, false},
};

static int claim_row(const char *key, const uint8_t *value, size_t len, char (*cells)[CELL_BYTES])
{
    ms_claim_t c;
    if (ms_claim_decode(value, len, &c, NULL) != 0)
        return -1;
    put_text(cells[0], key);
    put_text(cells[1], c.member_id);
    put_text(cells[2], c.provider_id);
    put_date(cells[3], c.care_date);
    put_text(cells[4], c.care_type);
    put_uint(cells[5], c.billed);
    put_uint(cells[6], c.covered);
    put_text(cells[7], c.generic_drugs ? "yes" : "no");
    put_text(cells[8], c.status);
    return 0;
}

static const column_t provider_columns[] = {
    {"provider_id", N_("provider"), false}, {"name", N_("name"), false},
    {"level", N_("level"), false},          {"convention_start", N_("convention from"), false},
    {"convention_end", N_("until"), false}, {NULL, NULL, false},
};

static int provider_row(const char *key, const uint8_t *value, size_t len,
                        char (*cells)[CELL_BYTES])
{
    ms_provider_t p;
    if (ms_provider_decode(value, len, &p, NULL) != 0)
        return -1;
    put_text(cells[0], key);
    put_text(cells[1], p.name);
    put_text(cells[2], p.level);
    put_date(cells[3], p.convention_start);
    put_date(cells[4], p.convention_end);
    return 0;
}

static const column_t complaint_columns[] = {
    {"complaint_id", N_("complaint"), false}, {"date", N_("date"), false},
    {"provider_id", N_("provider"), false},   {"subject", N_("subject"), false},
    {"status", N_("status"), false},          {NULL, NULL, false},
};

static int complaint_row(const char *key, const uint8_t *value, size_t len,
                         char (*cells)[CELL_BYTES])
{
    ms_complaint_t c;
    if (ms_complaint_decode(value, len, &c, NULL) != 0)
        return -1;
    put_text(cells[0], key);
    put_date(cells[1], c.date);
    put_text(cells[2], c.provider_id);
    put_text(cells[3], c.subject);
    put_text(cells[4], c.status);
    return 0;
}

//  ---------------------------------------------------------------------------
//  Commands

//  One of the mutual's books: its collection, how a file of it is read
//  (NULL: added one entry at a time), and how it is listed.
typedef struct {
    ms_collection_t collection;
    const ms_import_schema_t *schema;
    const column_t *columns;
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
    return list_records(node, book->collection, book->columns, book->row, args->format);
}

static const cli_opt_t list_opts[] = {{"format", CLI_FORMAT_CSV, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

static const cli_sub_t imported[] = {{"import", book_import, cli_import_opts, "FILE.csv"},
                                     {"list", book_list, list_opts, NULL},
                                     {NULL, NULL, NULL, NULL}};

int cmd_contribution(int argc, char **argv)
{
    static const book_t book = {MS_COLL_CONTRIBUTION, &ms_contribution_schema, contribution_columns,
                                contribution_row, contribution_usage};
    return cli_dispatch(argc, argv, contribution_usage, imported, &book);
}

int cmd_claim(int argc, char **argv)
{
    static const book_t book = {MS_COLL_CLAIM, &ms_claim_schema, claim_columns, claim_row,
                                claim_usage};
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
    static const book_t book = {MS_COLL_PROVIDER, NULL, provider_columns, provider_row,
                                provider_usage};
    static const cli_sub_t subs[] = {{"add", provider_add, provider_add_opts, NULL},
                                     {"list", book_list, list_opts, NULL},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, provider_usage, subs, &book);
}

int cmd_complaint(int argc, char **argv)
{
    static const book_t book = {MS_COLL_COMPLAINT, NULL, complaint_columns, complaint_row,
                                complaint_usage};
    static const cli_sub_t subs[] = {{"add", complaint_add, complaint_add_opts, NULL},
                                     {"list", book_list, list_opts, NULL},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, complaint_usage, subs, &book);
}
