//  cli_opts - the one option parser of mutsync and mutsyncd.
//
//  Each parse builds getopt_long's tables from the command's cli_opt_t
//  table plus the global options, runs getopt_long over the whole line
//  (permuting, or stopping at the command name for cli_parse_head), then
//  checks the values. Problems are noted during the walk and reported after
//  it, so a --help anywhere wins over them. The globals (-d, -v) live here
//  for the life of the process: a later parse adds to what an earlier one
//  saw, which is how "mutsync -v member list -d DIR" reaches them all.
//  Every parse ends by choosing the language (ms_i18n_init with the last
//  --lang, else the environment), so its own messages are already in it.

#include "cli_opts.h"

#include "mutsync/i18n.h"
#include "mutsync/log.h"

#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    const char *program;  //  for messages
    const char *dir;      //  the last -d, or NULL
    const char *lang;     //  the last --lang, or NULL
    int verbosity;        //  -v count
    bool excel;           //  the last parse saw --excel
} globals = {"mutsync", NULL, NULL, 0, false};

enum {
    TABLE_BASE = 256,       //  getopt_long value of the table's option i: TABLE_BASE + i
    GLOBAL_LANG = 1 << 12,  //  --lang
    GLOBAL_EXCEL,           //  --excel, with a CLI_FORMAT_CSV option
};

typedef enum {
    PROBLEM_NONE,
    PROBLEM_UNKNOWN,     //  an option not in the table
    PROBLEM_NO_VALUE,    //  an option wanting a value got none
    PROBLEM_UNEXPECTED,  //  an operand too many
    PROBLEM_MISSING,     //  no operand where one is needed
    PROBLEM_LANG,        //  --lang neither fr nor en
} problem_t;

void cli_set_program(const char *name)
{
    globals.program = name;
}

const char *cli_program(void)
{
    return globals.program;
}

const char *cli_dir_given(void)
{
    if (globals.dir)
        return globals.dir;
    const char *env = getenv("MUTSYNC_DIR");
    return env && env[0] ? env : NULL;
}

const char *cli_dir(void)
{
    const char *dir = cli_dir_given();
    return dir ? dir : "mutsync-node";
}

const char *cli_lang_given(void)
{
    return globals.lang;
}

bool cli_excel(void)
{
    return globals.excel;
}

int cli_verbosity(void)
{
    return globals.verbosity;
}

int cli_usage(const char *usage, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "%s: ", globals.program);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fprintf(stderr, "\n%s", usage[0] ? _(usage) : "");
    return CLI_USAGE;
}

int cli_help(const char *usage)
{
    fputs(usage[0] ? _(usage) : "", stdout);
    return CLI_HELPED;
}

int cli_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *value)
{
    if (!text[0] || strspn(text, "0123456789") != strlen(text))
        return -1;
    char *end;
    unsigned long long n = strtoull(text, &end, 10);
    if (n == ULLONG_MAX || n < min || n > max)
        return -1;
    *value = n;
    return 0;
}

int cli_parse_decimal(const char *text, double min, double max, double *value)
{
    size_t digits = strspn(text, "0123456789");
    size_t len = strlen(text);
    if (text[digits] == '.')
        digits += 1 + strspn(text + digits + 1, "0123456789");
    if (len == 0 || digits != len || strcmp(text, ".") == 0)
        return -1;
    double n = strtod(text, NULL);
    if (!isfinite(n) || n < min || n > max)
        return -1;
    *value = n;
    return 0;
}

int cli_parse_format(const char *text, cli_format_t *format)
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

//  Checks the value of option I; returns 0 or CLI_USAGE after saying why.
static int check_value(const cli_opt_t *opt, int i, const char *usage, cli_args_t *args)
{
    const char *text = args->text[i];
    uint64_t whole;
    switch (opt->kind) {
    case CLI_UINT:
        if (cli_parse_uint(text, (uint64_t)opt->min, (uint64_t)opt->max, &whole) != 0)
            return cli_usage(usage, _("--%s must be a whole number from %.0f to %.0f, not \"%s\""),
                             opt->name, opt->min, opt->max, text);
        args->number[i] = (double)whole;
        return 0;
    case CLI_DECIMAL:
        if (cli_parse_decimal(text, opt->min, opt->max, &args->number[i]) != 0)
            return cli_usage(usage, _("--%s must be a number from %g to %g, not \"%s\""), opt->name,
                             opt->min, opt->max, text);
        return 0;
    case CLI_FORMAT:
        if (cli_parse_format(text, &args->format) != 0 || args->format == CLI_CSV)
            return cli_usage(usage, _("--%s must be table or json, not \"%s\""), opt->name, text);
        return 0;
    case CLI_FORMAT_CSV:
        if (cli_parse_format(text, &args->format) != 0)
            return cli_usage(usage, _("--%s must be table, csv or json, not \"%s\""), opt->name,
                             text);
        return 0;
    default:
        return 0;
    }
}

//  The option getopt_long just refused, as the person wrote it.
static const char *refused_option(char **argv, char *letter_text)
{
    if (optopt > 0 && optopt < TABLE_BASE) {
        snprintf(letter_text, 3, "-%c", optopt);
        return letter_text;
    }
    return argv[optind - 1];
}

static int parse(int argc, char **argv, const cli_opt_t *opts, bool head, const char *operand,
                 const char *usage, cli_args_t *args)
{
    memset(args, 0, sizeof *args);
    struct option longs[CLI_OPTS_MAX + 4];
    char shorts[16 + 2 * CLI_OPTS_MAX];
    snprintf(shorts, sizeof shorts, "%s:d:vh", head ? "+" : "");
    size_t count = 0;
    for (; opts && opts[count].name; count++) {
        bool value = opts[count].kind != CLI_FLAG;
        longs[count] = (struct option){opts[count].name, value ? required_argument : no_argument,
                                       NULL, TABLE_BASE + (int)count};
        size_t len = strlen(shorts);
        if (opts[count].letter) {
            shorts[len++] = opts[count].letter;
            if (value)
                shorts[len++] = ':';
            shorts[len] = 0;
        }
    }
    longs[count] = (struct option){"help", no_argument, NULL, 'h'};
    longs[count + 1] = (struct option){"lang", required_argument, NULL, GLOBAL_LANG};
    longs[count + 2] = (struct option){0, 0, 0, 0};
    bool csv_format = false;
    for (size_t i = 0; i < count; i++)
        csv_format = csv_format || opts[i].kind == CLI_FORMAT_CSV;
    if (csv_format) {
        longs[count + 2] = (struct option){"excel", no_argument, NULL, GLOBAL_EXCEL};
        longs[count + 3] = (struct option){0, 0, 0, 0};
    }
    globals.excel = false;

    problem_t problem = PROBLEM_NONE;
    const char *subject = NULL;
    char letter_text[3];
    bool help = false;
    int opt;
    optind = 0;  //  glibc: start afresh, as this may be a new argv
    opterr = 0;
    while ((opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        int index = opt - TABLE_BASE;
        for (size_t i = 0; opt < TABLE_BASE && i < count; i++)
            if (opts[i].letter && opts[i].letter == opt)
                index = (int)i;
        if (index >= 0 && index < (int)count) {
            args->text[index] = optarg ? optarg : "";
        } else if (opt == 'h') {
            help = true;
        } else if (opt == 'd') {
            globals.dir = optarg;
        } else if (opt == 'v') {
            globals.verbosity++;
        } else if (opt == GLOBAL_LANG) {
            globals.lang = optarg;
        } else if (opt == GLOBAL_EXCEL) {
            args->excel = globals.excel = true;
        } else if (problem == PROBLEM_NONE) {
            problem = opt == ':' ? PROBLEM_NO_VALUE : PROBLEM_UNKNOWN;
            subject = refused_option(argv, letter_text);
        }
    }
    //  The language first: every message below is in it.
    if (ms_i18n_init(globals.lang) != 0) {
        (void)!ms_i18n_init(NULL);
        if (problem == PROBLEM_NONE) {
            problem = PROBLEM_LANG;
            subject = globals.lang;
        }
        globals.lang = NULL;
    }
    int level = MS_LOG_WARN + globals.verbosity;
    ms_log_set_level(level > MS_LOG_DEBUG ? MS_LOG_DEBUG : (ms_log_level_t)level);
    if (head) {
        args->rest_argc = argc - optind;
        args->rest_argv = argv + optind;
    } else if (problem == PROBLEM_NONE && optind < argc && (!operand || optind + 1 < argc)) {
        problem = PROBLEM_UNEXPECTED;
        subject = argv[operand ? optind + 1 : optind];
    } else if (problem == PROBLEM_NONE && operand && optind == argc) {
        problem = PROBLEM_MISSING;
    } else if (operand) {
        args->operand = argv[optind];
    }

    if (help)
        return cli_help(usage);
    switch (problem) {
    case PROBLEM_UNKNOWN:
        return cli_usage(usage, _("unknown option %s"), subject);
    case PROBLEM_NO_VALUE:
        return cli_usage(usage, _("option %s needs a value"), subject);
    case PROBLEM_UNEXPECTED:
        return cli_usage(usage, _("unexpected argument \"%s\""), subject);
    case PROBLEM_MISSING:
        return cli_usage(usage, _("%s needs %s"), argv[0], operand);
    case PROBLEM_LANG:
        return cli_usage(usage, _("--lang must be fr or en, not \"%s\""), subject);
    case PROBLEM_NONE:
        break;
    }
    for (size_t i = 0; i < count; i++) {
        int rc = args->text[i] ? check_value(&opts[i], (int)i, usage, args) : 0;
        if (rc)
            return rc;
        if (args->excel && opts[i].kind == CLI_FORMAT_CSV && args->text[i] &&
            args->format != CLI_CSV)
            return cli_usage(usage, _("--excel writes CSV: use it with --format csv or alone"));
    }
    if (args->excel)
        args->format = CLI_CSV;
    return 0;
}

int cli_parse(int argc, char **argv, const cli_opt_t *opts, const char *operand, const char *usage,
              cli_args_t *args)
{
    return parse(argc, argv, opts, false, operand, usage, args);
}

int cli_parse_head(int argc, char **argv, const cli_opt_t *opts, const char *usage,
                   cli_args_t *args)
{
    return parse(argc, argv, opts, true, NULL, usage, args);
}
