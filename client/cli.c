//  cli - shared helpers of the mutsync subcommands.

#include "cli.h"

#include "mutsync/views.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_fail(const ms_error_t *err)
{
    char text[MS_ERROR_MSG_BYTES + 160];
    fprintf(stderr, "mutsync: %s\n", ms_error_text(err, text, sizeof text));
    return CLI_REFUSED;
}

int cli_refuse(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fputs("mutsync: ", stderr);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    return CLI_REFUSED;
}

void cli_pad(const char *text, size_t width)
{
    for (size_t used = cli_width(text); used < width; used++)
        putchar(' ');
}

void cli_print_pairs(const char *(*pairs)[2], size_t count, size_t min_width)
{
    size_t width = min_width;
    for (size_t i = 0; i < count; i++)
        if (cli_width(pairs[i][0]) > width)
            width = cli_width(pairs[i][0]);
    for (size_t i = 0; i < count; i++) {
        fputs(pairs[i][0], stdout);
        cli_pad(pairs[i][0], width);
        printf(" %s\n", pairs[i][1]);
    }
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

void cli_print_json(json_object *o, bool pretty)
{
    int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                (pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN);
    printf("%s\n", json_object_to_json_string_ext(o, flags));
}

ms_csv_style_t cli_csv_style(void)
{
    return cli_excel() ? MS_CSV_EXCEL : MS_CSV_PLAIN;
}

void cli_csv_field(FILE *out, const char *text)
{
    ms_csv_style_t style = cli_csv_style();
    ms_csv_field(out, &style, true, text);
}

void cli_csv_sep(FILE *out)
{
    fputc(cli_excel() ? ';' : ',', out);
}

void cli_csv_header(FILE *out, const char *names)
{
    ms_csv_style_t style = cli_csv_style();
    ms_csv_begin(out, &style);
    for (const char *p = names; *p; p++)
        fputc(*p == ',' ? style.separator : *p, out);
    fputc('\n', out);
}

int cli_dispatch(int argc, char **argv, const char *usage, const cli_sub_t *subs, const void *ctx)
{
    cli_args_t head;
    int rc = cli_parse_head(argc, argv, NULL, usage, &head);
    if (rc)
        return rc;
    if (head.rest_argc == 0)
        return cli_usage(usage, _("%s needs a subcommand"), argv[0]);
    const cli_sub_t *sub = subs;
    while (sub->name && strcmp(sub->name, head.rest_argv[0]) != 0)
        sub++;
    if (!sub->name)
        return cli_usage(usage, _("unknown %s subcommand \"%s\""), argv[0], head.rest_argv[0]);
    cli_args_t args;
    rc = cli_parse(head.rest_argc, head.rest_argv, sub->opts, sub->operand, usage, &args);
    if (rc)
        return rc;
    ms_node_t *node;
    if ((rc = cli_open(cli_dir(), &node)))
        return rc;
    rc = sub->fn(node, &args, ctx);
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
    printf(_("%s: %llu rows, %llu added, %llu updated, %llu unchanged"), what,
           (unsigned long long)stats->rows, (unsigned long long)stats->added,
           (unsigned long long)stats->updated, (unsigned long long)stats->unchanged);
    if (stats->changesets)
        printf(_("; %llu change sets signed (seq %llu..%llu)"),
               (unsigned long long)stats->changesets, (unsigned long long)stats->first_seq,
               (unsigned long long)stats->last_seq);
    printf(_("; %zu reports published\n"), reports);
}

enum { IMPORT_ENCODING, IMPORT_SEPARATOR };

const cli_opt_t cli_import_opts[] = {
    {"encoding", CLI_TEXT, 0, 0, 0},
    {"separator", CLI_TEXT, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

//  Progress of a long import on a terminal: rows, rate, time left, on one
//  line of stderr rewritten at most five times a second; nothing when
//  stderr is not a terminal (a script, a log).
typedef struct {
    double start;  //  monotonic seconds
    double shown;  //  when the line was last written, 0 = never
} progress_t;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(void *ctx, uint64_t rows, uint64_t bytes_read, uint64_t bytes_total)
{
    progress_t *p = ctx;
    double now = now_seconds(), elapsed = now - p->start;
    if (elapsed < 0.5 || now - p->shown < 0.2)
        return;
    p->shown = now;
    double rate = (double)rows / elapsed;
    double left = bytes_read && bytes_total > bytes_read
                      ? elapsed * (double)(bytes_total - bytes_read) / (double)bytes_read
                      : 0;
    fputc('\r', stderr);
    fprintf(stderr, _("%llu rows, %.0f rows/s, about %.0f s left "), (unsigned long long)rows, rate,
            left);
    fflush(stderr);
}

int cli_import(ms_node_t *node, const ms_import_schema_t *schema, const char *usage,
               const cli_args_t *args)
{
    ms_import_options_t import_options = {args->text[IMPORT_ENCODING], 0, NULL, NULL};
    progress_t progress = {now_seconds(), 0};
    if (isatty(STDERR_FILENO)) {
        import_options.progress = show_progress;
        import_options.progress_ctx = &progress;
    }
    const char *separator = args->text[IMPORT_SEPARATOR];
    if (separator) {
        if (strcmp(separator, ",") != 0 && strcmp(separator, ";") != 0)
            return cli_usage(usage, _("--separator must be , or ;"));
        import_options.separator = separator[0];
    }
    ms_error_t err = {0};
    ms_import_stats_t stats;
    size_t reports = 0;
    int rc = ms_import_file(node, args->operand, schema, &import_options, &stats, &err);
    if (progress.shown)
        fputs("\r\033[K", stderr);  //  the progress line goes; the summary follows
    if (rc != 0 || ms_views_publish(node, &reports, &err) != 0)
        return cli_fail(&err);
    print_import(args->operand, &stats, reports);
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
           a.stats.added     ? _("added")
           : a.stats.updated ? _("updated")
                             : _("unchanged"));
    return CLI_OK;
}

int cli_read_file(const char *path, char *buf, size_t cap, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return cli_refuse(_("cannot read %s: %s"), path, strerror(errno));
    *len = fread(buf, 1, cap - 1, in);
    bool more = fgetc(in) != EOF;
    fclose(in);
    buf[*len] = 0;
    if (more)
        return cli_refuse(_("%s is too large (more than %zu bytes)"), path, cap - 1);
    return CLI_OK;
}
