//  cli - what every mutsync subcommand shares: exit codes, error printing,
//  output formats, opening the node, and the command table.
//
//  Exit codes: 0 success, 1 refused input (with a message on stderr),
//  2 usage. stdout carries only what the user asked for (tables, CSV, JSON).

#ifndef MS_CLI_H
#define MS_CLI_H

#include "cli_opts.h"
#include "cli_table.h"

#include "mutsync/csvout.h"
#include "mutsync/i18n.h"
#include "mutsync/import.h"
#include "mutsync/node.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

//  A command: ARGV[0] is its name. The node directory is cli_dir().
typedef int (*cli_command_fn)(int argc, char **argv);

typedef struct {
    const char *name;     //  "member"
    cli_command_fn fn;    //
    const char *summary;  //  one line for `mutsync --help`
} cli_command_t;

//  Prints "mutsync: WHERE: MESSAGE" to stderr and returns CLI_REFUSED.
int cli_fail(const ms_error_t *err);

//  Prints "mutsync: MESSAGE" to stderr and returns CLI_REFUSED. FMT is
//  translated by the caller: _("...").
int cli_refuse(const char *fmt, ...) MS_PRINTF(1, 2);

//  Prints PAD spaces so that TEXT, already printed, fills WIDTH columns.
void cli_pad(const char *text, size_t width);

//  Prints COUNT lines "LABEL  VALUE" with the values aligned: labels are
//  padded to the widest of them, and to at least MIN_WIDTH columns.
void cli_print_pairs(const char *(*pairs)[2], size_t count, size_t min_width);

//  Opens the node in DIR with its views attached (ms_views_attach: every
//  write keeps the views current), printing the reason on failure.
//  Returns 0 or CLI_REFUSED.
int cli_open(const char *dir, ms_node_t **node_p);

//  Prints O as JSON and a newline on stdout: on one line, or indented for
//  people reading it (PRETTY). Slashes are not escaped.
void cli_print_json(json_object *o, bool pretty);

//  Writes TEXT as a CSV field (quoted when it holds , ; " or a line break).
void cli_csv_field(FILE *out, const char *text);

//  Writes the CSV separator: ',' or, after --excel, ';'.
void cli_csv_sep(FILE *out);

//  Writes the header line of a CSV output: the BOM first after --excel,
//  then NAMES (comma separated, as written in the code) with the
//  separator in use, and a line break.
void cli_csv_header(FILE *out, const char *names);

//  The CSV style of this run (csvout.h): plain, or MS_CSV_EXCEL after --excel.
ms_csv_style_t cli_csv_style(void);

//  The options of "import FILE.csv": --encoding utf-8|cp1252, --separator ,|;
extern const cli_opt_t cli_import_opts[];

//  Imports ARGS->operand for SCHEMA, ARGS parsed with cli_import_opts (all or
//  nothing), publishes the indicator reports it changed, prints what
//  happened. Returns a CLI_ code.
int cli_import(ms_node_t *node, const ms_import_schema_t *schema, const char *usage,
               const cli_args_t *args);

//  Writes one record (KEY, VALUE of LEN bytes) to COLLECTION through the
//  importer (an unchanged record writes nothing), publishes the reports it
//  changed, prints "<collection> KEY added|updated|unchanged".
int cli_add_record(ms_node_t *node, ms_collection_t collection, const char *key,
                   const uint8_t *value, size_t len);

//  A subcommand of a group ("member list"): runs with the node open and
//  its options parsed; CTX is what the group passed to cli_dispatch.
typedef int (*cli_sub_fn)(ms_node_t *node, const cli_args_t *args, const void *ctx);

typedef struct {
    const char *name;       //  "list"
    cli_sub_fn fn;          //
    const cli_opt_t *opts;  //  its options, or NULL for none
    const char *operand;    //  the one operand it takes ("ID"), or NULL
} cli_sub_t;

//  Runs "GROUP [global options] SUB ARGS...": prints USAGE for --help or a
//  missing or unknown SUB; otherwise parses ARGS with SUB's options (and the
//  global ones, -d among them), opens the node in cli_dir(), runs SUB from
//  SUBS (ended by a zero entry) with CTX, and closes the node.
//  Returns a CLI_ code.
int cli_dispatch(int argc, char **argv, const char *usage, const cli_sub_t *subs, const void *ctx);

//  Finds the subcommand NAME in TABLE (NULL-terminated by a zero entry).
const cli_command_t *cli_find(const cli_command_t *table, const char *name);

//  Reads the whole file PATH (at most CAP - 1 bytes) into BUF, NUL-terminated;
//  *LEN gets its size. Prints why and returns CLI_REFUSED when it cannot.
int cli_read_file(const char *path, char *buf, size_t cap, size_t *len);

#endif
