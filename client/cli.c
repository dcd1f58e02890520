//  cli - shared helpers of the mutsync subcommands.

#include "cli.h"

#include "mutsync/views.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

int cli_fail(const ms_error_t *err)
{
    char text[MS_ERROR_MSG_BYTES + 160];
    fprintf(stderr, "mutsync: %s\n", ms_error_text(err, text, sizeof text));
    return CLI_REFUSED;
}

int cli_usage(const char *usage, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "mutsync: ");
    vfprintf(stderr, fmt, args);
    va_end(args);
    fprintf(stderr, "\n%s", usage);
    return CLI_USAGE;
}

int cli_help(const char *usage)
{
    fputs(usage, stdout);
    return CLI_OK;
}

int cli_format(const char *text, cli_format_t *format)
{
    if (strcmp(text, "table") == 0)
        *format = CLI_TABLE;
    else if (strcmp(text, "csv") == 0)
        *format = CLI_CSV;
    else if (strcmp(text, "json") == 0)
        *format = CLI_JSON;
    else
        return -1;
    return 0;
}

int cli_only_format(int argc, char **argv, const char *usage, bool csv_too, cli_format_t *format)
{
    *format = CLI_TABLE;
    if (argc == 3 && strcmp(argv[1], "--format") == 0) {
        if (cli_format(argv[2], format) != 0 || (*format == CLI_CSV && !csv_too))
            return cli_usage(usage, "unknown format \"%s\" (table%s or json)", argv[2],
                             csv_too ? ", csv" : "");
        return 0;
    }
    if (argc != 1)
        return cli_usage(usage, "unexpected argument \"%s\" (only --format)", argv[1]);
    return 0;
}

int cli_open(const char *dir, ms_node_t **node_p)
{
    ms_error_t err = {0};
    if (ms_node_open(dir, node_p, &err) != 0)
        return cli_fail(&err);
    if (ms_views_attach(*node_p, &err) != 0) {
        ms_node_close(node_p);
        return cli_fail(&err);
    }
    return CLI_OK;
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

void cli_print_json(json_object *o, bool pretty)
{
    int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                (pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN);
    printf("%s\n", json_object_to_json_string_ext(o, flags));
}

void cli_csv_field(FILE *out, const char *text)
{
    if (!strpbrk(text, ",\"\r\n;")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

int cli_dispatch(const char *dir, int argc, char **argv, const char *usage, const cli_sub_t *subs,
                 const void *ctx)
{
    if (cli_wants_help(argc, argv))
        return cli_help(usage);
    const cli_sub_t *sub = subs;
    while (sub->name && (argc < 2 || strcmp(sub->name, argv[1]) != 0))
        sub++;
    if (argc < 2)
        return cli_usage(usage, "%s needs a subcommand", argv[0]);
    if (!sub->name)
        return cli_usage(usage, "unknown %s subcommand \"%s\"", argv[0], argv[1]);
    ms_node_t *node;
    int rc = cli_open(dir, &node);
    if (rc)
        return rc;
    rc = sub->fn(node, argc - 1, argv + 1, ctx);
    ms_node_close(&node);
    return rc;
}

const cli_command_t *cli_find(const cli_command_t *table, const char *name)
{
    for (; table->name; table++)
        if (strcmp(table->name, name) == 0)
            return table;
    return NULL;
}

static void print_import(const char *what, const ms_import_stats_t *stats, size_t reports)
{
    printf("%s: %llu rows, %llu added, %llu updated, %llu unchanged", what,
           (unsigned long long)stats->rows, (unsigned long long)stats->added,
           (unsigned long long)stats->updated, (unsigned long long)stats->unchanged);
    if (stats->changesets)
        printf("; %llu change sets signed (seq %llu..%llu)", (unsigned long long)stats->changesets,
               (unsigned long long)stats->first_seq, (unsigned long long)stats->last_seq);
    printf("; %zu reports published\n", reports);
}

int cli_import(ms_node_t *node, const ms_import_schema_t *schema, const char *usage, int argc,
               char **argv)
{
    static const struct option options[] = {{"encoding", required_argument, 0, 'e'},
                                            {"separator", required_argument, 0, 's'},
                                            {0, 0, 0, 0}};
    ms_import_options_t import_options = {NULL, 0};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'e')
            import_options.encoding = optarg;
        else if (opt == 's' && strlen(optarg) == 1 && (optarg[0] == ',' || optarg[0] == ';'))
            import_options.separator = optarg[0];
        else
            return cli_usage(usage, "bad option (--encoding utf-8|cp1252, --separator ,|;)");
    }
    if (optind != argc - 1)
        return cli_usage(usage, "import needs one FILE.csv");
    ms_error_t err = {0};
    ms_import_stats_t stats;
    size_t reports = 0;
    if (ms_import_file(node, argv[optind], schema, &import_options, &stats, &err) != 0 ||
        ms_views_publish(node, &reports, &err) != 0)
        return cli_fail(&err);
    print_import(argv[optind], &stats, reports);
    return CLI_OK;
}

typedef struct {
    ms_node_t *node;
    ms_collection_t collection;
    const char *key;
    const uint8_t *value;
    size_t len;
    ms_import_stats_t stats;
} add_t;

static int add_one(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    add_t *a = arg;
    return ms_import_records(a->node, txn, a->collection, &a->key, &a->value, &a->len, 1, &a->stats,
                             err);
}

int cli_add_record(ms_node_t *node, ms_collection_t collection, const char *key,
                   const uint8_t *value, size_t len)
{
    add_t a = {node, collection, key, value, len, {0}};
    ms_error_t err = {0};
    if (ms_store_write(ms_node_store(node), add_one, &a, &err) != 0 ||
        ms_views_publish(node, NULL, &err) != 0)
        return cli_fail(&err);
    printf("%s %s %s\n", ms_collection_name(collection), key,
           a.stats.added     ? "added"
           : a.stats.updated ? "updated"
                             : "unchanged");
    return CLI_OK;
}
