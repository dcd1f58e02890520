//  cmd_member - the member register: import, add, show, list.

#include "cli.h"
#include "commands.h"

#include "mutsync/import.h"
#include "mutsync/member.h"
#include "mutsync/replica.h"

#include <getopt.h>
#include <json-c/json.h>
#include <string.h>

static const char member_usage[] =
    "usage: mutsync -d DIR member import FILE.csv [--encoding utf-8|cp1252] [--separator ,|;]\n"
    "       mutsync -d DIR member add --id ID --household ID --family-name NAME\n"
    "                  --given-name NAME --sex F|M --birth-date YYYY-MM-DD --village NAME\n"
    "                  --enrollment-date YYYY-MM-DD --category adherent|beneficiaire\n"
    "                  --relationship self|spouse|child|parent|other\n"
    "                  [--status active|suspended|left]\n"
    "       mutsync -d DIR member show ID [--format table|json]\n"
    "       mutsync -d DIR member list [--format table|csv|json]\n"
    "import reads a register with the columns member_id, household_id, family_name,\n"
    "given_name, sex, birth_date, village, enrollment_date, category, relationship,\n"
    "status (',' or ';' separated, UTF-8 with or without BOM, CRLF or LF). A file with\n"
    "any bad row imports nothing; the error names the line, the column and why.\n"
    "Unchanged rows write nothing; changed rows become updates. 'list --format csv'\n"
    "writes the same columns, so its output imports back unchanged.\n";

static int member_add(ms_node_t *node, int argc, char **argv, const void *ctx_unused)
{
    (void)ctx_unused;
    static const struct option options[] = {
        {"id", required_argument, 0, 0},          {"household", required_argument, 0, 1},
        {"family-name", required_argument, 0, 2}, {"given-name", required_argument, 0, 3},
        {"sex", required_argument, 0, 4},         {"birth-date", required_argument, 0, 5},
        {"village", required_argument, 0, 6},     {"enrollment-date", required_argument, 0, 7},
        {"category", required_argument, 0, 8},    {"relationship", required_argument, 0, 9},
        {"status", required_argument, 0, 10},     {0, 0, 0, 0},
    };
    const char *fields[MS_MEMBER_COLUMNS] = {0};
    fields[10] = "active";
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt < 0 || opt >= MS_MEMBER_COLUMNS)
            return cli_usage(member_usage, "unknown option");
        fields[opt] = optarg;
    }
    for (int i = 0; i < MS_MEMBER_COLUMNS; i++)
        if (!fields[i])
            return cli_usage(member_usage, "--%s is required", options[i].name);
    if (optind != argc)
        return cli_usage(member_usage, "unexpected argument \"%s\"", argv[optind]);
    char key[MS_KEY_MAX + 1];
    uint8_t value[MS_VALUE_MAX];
    size_t len = 0;
    ms_error_t err = {0};
    if (ms_member_from_fields(fields, key, value, &len, &err) != 0)
        return cli_fail(&err);
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
            fputc(',', out);
        cli_csv_field(out, fields[i]);
    }
    fputc('\n', out);
}

typedef struct {
    cli_format_t format;
    uint64_t count;
    bool first;
} list_ctx_t;

static int print_member(const char *owner, const char *key, const ms_stored_record_t *record,
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
        json_object *o = member_json(key, &m);
        printf("%s%s", ctx->first ? "" : ",\n",
               json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        ctx->first = false;
    } else {
        char birth[11];
        ms_date_format(m.birth_date, birth);
        printf("%-20s %-20s %-1s %s %-10s %-9s %s %s\n", key, m.household_id, ms_sex_name(m.sex),
               birth, ms_member_status_name(m.status), ms_category_name(m.category), m.family_name,
               m.given_name);
    }
    return 0;
}

static int member_list(ms_node_t *node, int argc, char **argv, const void *ctx_unused)
{
    (void)ctx_unused;
    list_ctx_t ctx = {CLI_TABLE, 0, true};
    int rc = cli_only_format(argc, argv, member_usage, true, &ctx.format);
    if (rc)
        return rc;
    ms_error_t err = {0};
    ms_txn_t *txn;
    if (ms_store_read(ms_node_store(node), &txn, &err) != 0)
        return cli_fail(&err);
    if (ctx.format == CLI_CSV)
        printf("%s\n", MS_MEMBER_HEADER);
    else if (ctx.format == CLI_JSON)
        printf("[");
    rc = ms_replica_records(txn, MS_COLL_MEMBER, ms_node_identity(node)->org, print_member, &ctx,
                            &err);
    ms_txn_abort(&txn);
    if (ctx.format == CLI_JSON)
        printf("]\n");
    else if (ctx.format == CLI_TABLE)
        printf("%llu members\n", (unsigned long long)ctx.count);
    return rc ? cli_fail(&err) : CLI_OK;
}

static int member_show(ms_node_t *node, int argc, char **argv, const void *ctx_unused)
{
    (void)ctx_unused;
    cli_format_t format = CLI_TABLE;
    if (argc == 4 && strcmp(argv[2], "--format") == 0) {
        if (cli_format(argv[3], &format) != 0 || format == CLI_CSV)
            return cli_usage(member_usage, "unknown format \"%s\"", argv[3]);
    } else if (argc != 2) {
        return cli_usage(member_usage, "member show needs one ID");
    }
    ms_error_t err = {0};
    ms_txn_t *txn;
    if (ms_store_read(ms_node_store(node), &txn, &err) != 0)
        return cli_fail(&err);
    ms_stored_record_t record;
    ms_member_t m;
    int rc =
        ms_replica_record(txn, MS_COLL_MEMBER, ms_node_identity(node)->org, argv[1], &record, &err);
    if (rc == 0)
        rc = ms_member_decode(record.value, record.value_len, &m, &err);
    uint64_t seq = record.seq;
    ms_txn_abort(&txn);
    if (rc == MS_ENOTFOUND) {
        fprintf(stderr, "mutsync: member %s: not in this register\n", argv[1]);
        return CLI_REFUSED;
    }
    if (rc)
        return cli_fail(&err);
    json_object *o = member_json(argv[1], &m);
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

static int member_import(ms_node_t *node, int argc, char **argv, const void *ctx_unused)
{
    (void)ctx_unused;
    return cli_import(node, &ms_member_schema, member_usage, argc, argv);
}

int cmd_member(const char *dir, int argc, char **argv)
{
    static const cli_sub_t subs[] = {{"import", member_import},
                                     {"add", member_add},
                                     {"show", member_show},
                                     {"list", member_list},
                                     {NULL, NULL}};
    return cli_dispatch(dir, argc, argv, member_usage, subs, NULL);
}
