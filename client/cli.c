//  cli - shared helpers of the mutsync subcommands.

#include "cli.h"

#include "mutsync/views.h"

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

const cli_command_t *cli_find(const cli_command_t *table, const char *name)
{
    for (; table->name; table++)
        if (strcmp(table->name, name) == 0)
            return table;
    return NULL;
}
