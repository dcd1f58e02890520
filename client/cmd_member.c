//  cmd_member - the member register: import, add, show, list.

#include "cli.h"
#include "commands.h"

#include "mutsync/import.h"
#include "mutsync/member.h"
#include "mutsync/replica.h"

#include <json-c/json.h>
#include <string.h>

static const char member_usage[] =
    N_("usage: mutsync -d DIR member import FILE.csv [--encoding utf-8|cp1252] [--separator ,|;]\n"
       "       mutsync -d DIR member add --id ID --household ID --family-name NAME\n"
       "                  --given-name NAME --sex F|M --birth-date YYYY-MM-DD --village NAME\n"
       "                  --enrollment-date YYYY-MM-DD --category adherent|beneficiaire\n"
       "                  --relationship self|spouse|child|parent|other\n"
       "                  [--status active|suspended|left]\n"
       "       mutsync -d DIR member show ID [--format table|json]\n"
       "       mutsync -d DIR member list [--format table|csv|json] [--excel]\n"
       "import reads a register with the columns member_id, household_id, family_name,\n"
       "given_name, sex, birth_date, village, enrollment_date, category, relationship,\n"
       "status (',' or ';' separated, UTF-8 with or without BOM, CRLF or LF). A file with\n"
       "any bad row imports nothing; the error names the line, the column and why.\n"
       "Unchanged rows write nothing; changed rows become updates. 'list --format csv'\n"
       "writes the same columns, so its output imports back unchanged.\n");

//  In the order of the register's columns (MS_MEMBER_HEADER).
static const cli_opt_t member_add_opts[] = {
    {"id", CLI_TEXT, 0, 0, 0},          {"household", CLI_TEXT, 0, 0, 0},
    {"family-name", CLI_TEXT, 0, 0, 0}, {"given-name", CLI_TEXT, 0, 0, 0},
    {"sex", CLI_TEXT, 0, 0, 0},         {"birth-date", CLI_TEXT, 0, 0, 0},
    {"village", CLI_TEXT, 0, 0, 0},     {"enrollment-date", CLI_TEXT, 0, 0, 0},
    {"category", CLI_TEXT, 0, 0, 0},    {"relationship", CLI_TEXT, 0, 0, 0},
    {"status", CLI_TEXT, 0, 0, 0},      {NULL, 0, 0, 0, 0},
};

//  The record parser speaks of a spreadsheet's columns ("member:2: column
//  sex: ..."); on the command line the same value came from an option. The
//  prefix is made with the parser's own message, in the language in use.
static int add_error(const ms_error_t *err)
{
    for (int i = 0; i < MS_MEMBER_COLUMNS; i++) {
        char prefix[64];
        int n = snprintf(prefix, sizeof prefix, _("column %s: %s"), ms_member_columns[i], "");
        if (strncmp(err->message, prefix, (size_t)n) == 0)
            return cli_refuse("member add: --%s: %s", member_add_opts[i].name, err->message + n);
    }
    return cli_refuse("member add: %s", err->message);
}

static int member_add(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *fields[MS_MEMBER_COLUMNS];
    for (int i = 0; i < MS_MEMBER_COLUMNS; i++)
        fields[i] = args->text[i];
    if (!fields[10])
        fields[10] = "active";
    for (int i = 0; i < MS_MEMBER_COLUMNS; i++)
        if (!fields[i])
            return cli_usage(member_usage, _("--%s is required"), member_add_opts[i].name);
    char key[MS_KEY_MAX + 1];
    uint8_t value[MS_VALUE_MAX];
    size_t len = 0;
    ms_error_t err = {0};
    if (ms_member_from_fields(fields, key, value, &len, &err) != 0)
        return add_error(&err);
    return cli_add_record(node, MS_COLL_MEMBER, key, value, len);
}

static json_object *member_json(const char *id, const ms_member_t *m)
{
    char birth[11], enrolled[11];
    ms_date_format(m->birth_date, birth);
    ms_date_format(m->enrollment_date, enrolled);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "member_id", json_object_new_string(id));
    json_object_object_add(o, "household_id", json_object_new_string(m->household_id));
    json_object_object_add(o, "family_name", json_object_new_string(m->family_name));
    json_object_object_add(o, "given_name", json_object_new_string(m->given_name));
    json_object_object_add(o, "sex", json_object_new_string(ms_sex_name(m->sex)));
    json_object_object_add(o, "birth_date", json_object_new_string(birth));
    json_object_object_add(o, "village", json_object_new_string(m->village));
    json_object_object_add(o, "enrollment_date", json_object_new_string(enrolled));
    json_object_object_add(o, "category", json_object_new_string(ms_category_name(m->category)));
    json_object_object_add(o, "relationship",
                           json_object_new_string(ms_relationship_name(m->relationship)));
    json_object_object_add(o, "status", json_object_new_string(ms_member_status_name(m->status)));
    return o;
}

static void member_csv(FILE *out, const char *id, const ms_member_t *m)
{
    char birth[11], enrolled[11];
    ms_date_format(m->birth_date, birth);
    ms_date_format(m->enrollment_date, enrolled);
    const char *fields[MS_MEMBER_COLUMNS] = {id,
                                             m->household_id,
                                             m->family_name,
                                             m->given_name,
                                             ms_sex_name(m->sex),
                                             birth,
                                             m->village,
                                             enrolled,
                                             ms_category_name(m->category),
                                             ms_relationship_name(m->relationship),
                                             ms_member_status_name(m->status)};
    for (int i = 0; i < MS_MEMBER_COLUMNS; i++) {
        if (i)
            cli_csv_sep(out);
        cli_csv_field(out, fields[i]);
    }
    fputc('\n', out);
}

typedef struct {
    cli_format_t format;  //
    uint64_t count;       //  members listed
    json_object *array;   //  CLI_JSON
    cli_table_t *table;   //  CLI_TABLE
} list_ctx_t;

static int list_member(const char *owner, const char *key, const ms_stored_record_t *record,
                       void *arg)
{
    (void)owner;
    list_ctx_t *ctx = arg;
    ms_member_t m;
    if (ms_member_decode(record->value, record->value_len, &m, NULL) != 0)
        return 0;
    ctx->count++;
    if (ctx->format == CLI_CSV) {
        member_csv(stdout, key, &m);
    } else if (ctx->format == CLI_JSON) {
        json_object_array_add(ctx->array, member_json(key, &m));
    } else {
        char birth[11];
        ms_date_format(m.birth_date, birth);
        const char *row[] = {key,
                             m.household_id,
                             ms_sex_name(m.sex),
                             birth,
                             ms_member_status_name(m.status),
                             ms_category_name(m.category),
                             m.family_name,
                             m.given_name};
        if (cli_table_add(ctx->table, row) != 0)
            return MS_ENOMEM;
    }
    return 0;
}

static int member_list(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *headers[] = {_("member"), _("household"), _("sex"),         _("born"),
                             _("status"), _("category"),  _("family name"), _("given name")};
    list_ctx_t ctx = {args->format, 0, NULL, NULL};
    if (ctx.format == CLI_JSON)
        ctx.array = json_object_new_array();
    else if (ctx.format == CLI_TABLE)
        ctx.table = cli_table_new(sizeof headers / sizeof headers[0], headers);
    ms_error_t err = {0};
    ms_txn_t *txn;
    int rc = (ctx.format == CLI_JSON && !ctx.array) || (ctx.format == CLI_TABLE && !ctx.table)
                 ? ms_error_set(&err, MS_ENOMEM, "member list", "out of memory")
                 : ms_store_read(ms_node_store(node), &txn, &err);
    if (rc == 0) {
        if (ctx.format == CLI_CSV)
            cli_csv_header(stdout, MS_MEMBER_HEADER);
        rc = ms_replica_records(txn, MS_COLL_MEMBER, ms_node_identity(node)->org, list_member, &ctx,
                                &err);
        ms_txn_abort(&txn);
    }
    if (rc == MS_ENOMEM && !err.code)
        ms_error_set(&err, MS_ENOMEM, "member list", "out of memory");
    if (rc == 0 && ctx.array)
        cli_print_json(ctx.array, true);
    if (rc == 0 && ctx.table) {
        cli_table_print(ctx.table, stdout);
        printf(_("%llu members\n"), (unsigned long long)ctx.count);
    }
    json_object_put(ctx.array);
    cli_table_destroy(&ctx.table);
    return rc ? cli_fail(&err) : CLI_OK;
}

static int member_show(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    cli_format_t format = args->format;
    const char *id = args->operand;
    ms_error_t err = {0};
    ms_txn_t *txn;
    if (ms_store_read(ms_node_store(node), &txn, &err) != 0)
        return cli_fail(&err);
    ms_stored_record_t record;
    ms_member_t m;
    int rc = ms_replica_record(txn, MS_COLL_MEMBER, ms_node_identity(node)->org, id, &record, &err);
    if (rc == 0)
        rc = ms_member_decode(record.value, record.value_len, &m, &err);
    uint64_t seq = record.seq;
    ms_txn_abort(&txn);
    if (rc == MS_ENOTFOUND) {
        return cli_refuse(_("member %s: not in this register"), id);
    }
    if (rc)
        return cli_fail(&err);
    json_object *o = member_json(id, &m);
    if (format == CLI_JSON) {
        json_object_object_add(o, "register_seq", json_object_new_uint64(seq));
        cli_print_json(o, true);
    } else {
        json_object_object_foreach(o, name, value)
            printf("%-16s %s\n", name, json_object_get_string(value));
        printf("%-16s %llu\n", "register_seq", (unsigned long long)seq);
    }
    json_object_put(o);
    return CLI_OK;
}

static int member_import(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    return cli_import(node, &ms_member_schema, member_usage, args);
}

int cmd_member(int argc, char **argv)
{
    static const cli_opt_t show_opts[] = {{"format", CLI_FORMAT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};
    static const cli_opt_t list_opts[] = {{"format", CLI_FORMAT_CSV, 0, 0, 0}, {NULL, 0, 0, 0, 0}};
    static const cli_sub_t subs[] = {{"import", member_import, cli_import_opts, "FILE.csv"},
                                     {"add", member_add, member_add_opts, NULL},
                                     {"show", member_show, show_opts, "ID"},
                                     {"list", member_list, list_opts, NULL},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, member_usage, subs, NULL);
}
