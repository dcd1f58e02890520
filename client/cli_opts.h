//  cli_opts - the one option parser of mutsync and mutsyncd, on getopt_long.
//
//  A command declares its options as a table of cli_opt_t; cli_parse reads
//  argv against it and fills a cli_args_t, indexed like the table. Both
//  "--opt value" and "--opt=value" work (getopt_long), options and the
//  operand may come in any order, and "--" ends the options.
//
//  The global options are understood by every parse, before or after the
//  command name: -d DIR (the node directory), -v (log more; repeat for
//  debug), --lang fr|en (the language of messages, else the locale's; see
//  i18n.h) and -h/--help. "mutsync member list -d DIR" and "mutsync -d DIR
//  member list" are the same command.
//
//  A table with a CLI_FORMAT_CSV option also takes --excel: CSV written
//  with ';' and a BOM, so a French-locale spreadsheet opens it in columns
//  with accents intact. --excel alone means --format csv; with another
//  format it is a usage error. cli_excel() says whether it was given.
//
//  Numbers are checked once, here: an option of kind CLI_UINT or
//  CLI_DECIMAL refuses an empty value, a sign, trailing characters and a
//  value outside [min, max], naming the option in the message.
//
//  Messages go to stderr as "PROGRAM: message" followed by the usage text.
//  Usage texts are stored untranslated (N_) and translated when printed.

#ifndef MS_CLI_OPTS_H
#define MS_CLI_OPTS_H

#include <stdbool.h>
#include <stdint.h>

//  Exit codes: 0 success, 1 refused input, 2 usage. CLI_HELPED is not an
//  exit code: a parse that printed --help (or --version) returns it, and
//  main exits 0.
enum { CLI_OK = 0, CLI_REFUSED = 1, CLI_USAGE = 2, CLI_HELPED = 3 };

typedef enum { CLI_TABLE, CLI_CSV, CLI_JSON } cli_format_t;

typedef enum {
    CLI_FLAG,        //  no value
    CLI_TEXT,        //  any text
    CLI_UINT,        //  a whole number in [min, max]
    CLI_DECIMAL,     //  a decimal number (digits, at most one '.') in [min, max]
    CLI_FORMAT,      //  table|json
    CLI_FORMAT_CSV,  //  table|csv|json
} cli_kind_t;

typedef struct {
    const char *name;  //  long name without "--"; NULL ends a table
    cli_kind_t kind;   //
    double min, max;   //  CLI_UINT, CLI_DECIMAL: the accepted range
    char letter;       //  a short form ('q' for -q), or 0
} cli_opt_t;

#define CLI_OPTS_MAX 16  //  options in one table

typedef struct {
    const char *text[CLI_OPTS_MAX];  //  the value as given; "" for a flag; NULL when absent
    double number[CLI_OPTS_MAX];     //  CLI_UINT, CLI_DECIMAL: the value, when given
    cli_format_t format;             //  the CLI_FORMAT* option's value; CLI_TABLE when absent
    bool excel;                      //  --excel was given (format is then CLI_CSV)
    const char *operand;             //  the one operand, when the parse wanted one
    int rest_argc;                   //  cli_parse_head: the command and what follows it
    char **rest_argv;                //
} cli_args_t;

//  Names the program in messages ("mutsync", "mutsyncd"). Default "mutsync".
void cli_set_program(const char *name);

//  Returns the name set by cli_set_program.
const char *cli_program(void);

//  Prints "PROGRAM: MESSAGE" and USAGE (translated) to stderr and returns
//  CLI_USAGE. FMT is translated by the caller: _("...").
int cli_usage(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

//  Prints USAGE (translated) to stdout and returns CLI_HELPED.
int cli_help(const char *usage);

//  Parses ARGV[1..ARGC-1] (ARGV[0] is the command's name) against OPTS and
//  the global options. OPERAND names the one operand the command takes
//  ("FILE.csv"), or is NULL when it takes none. Reorders ARGV.
//  Returns 0 with ARGS filled; CLI_HELPED after printing USAGE to stdout
//  for --help; or CLI_USAGE after printing what is wrong and USAGE to stderr.
int cli_parse(int argc, char **argv, const cli_opt_t *opts, const char *operand, const char *usage,
              cli_args_t *args);

//  As cli_parse, but stops at the first operand: the name of a command or
//  subcommand. ARGS->rest_argc and rest_argv hold it and everything after
//  (rest_argc is 0 when there is none).
int cli_parse_head(int argc, char **argv, const cli_opt_t *opts, const char *usage,
                   cli_args_t *args);

//  The node directory: the last -d given, else $MUTSYNC_DIR when set and not
//  empty, else "mutsync-node".
const char *cli_dir(void);

//  As cli_dir, but NULL when neither -d nor $MUTSYNC_DIR gave one.
const char *cli_dir_given(void);

//  The last --lang given, or NULL.
const char *cli_lang_given(void);

//  Whether the last parse saw --excel.
bool cli_excel(void);

//  How many times -v was given.
int cli_verbosity(void);

//  Reads TEXT as a whole number in [MIN, MAX]: digits only (no sign, no
//  space, nothing after). Returns 0 and sets *VALUE, or -1.
int cli_parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *value);

//  Reads TEXT as a decimal number in [MIN, MAX]: digits with at most one '.'
//  and at least one digit (no sign, exponent, space, "inf" or "nan").
//  Returns 0 and sets *VALUE, or -1.
int cli_parse_decimal(const char *text, double min, double max, double *value);

//  Reads "table", "csv" or "json". Returns 0 or -1.
int cli_parse_format(const char *text, cli_format_t *format);

#endif
