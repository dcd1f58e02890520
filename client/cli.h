//  cli - what every mutsync subcommand shares: exit codes, error printing,
//  output formats, opening the node, and the command table.
//
//  Exit codes: 0 success, 1 refused input (with a message on stderr),
//  2 usage. stdout carries only what the user asked for (tables, CSV, JSON).

#ifndef MS_CLI_H
#define MS_CLI_H

#include "mutsync/import.h"
#include "mutsync/node.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

enum { CLI_OK = 0, CLI_REFUSED = 1, CLI_USAGE = 2 };

typedef enum { CLI_TABLE, CLI_CSV, CLI_JSON } cli_format_t;

//  A subcommand: DIR is the node directory (-d), ARGV[0] the command name.
typedef int (*cli_command_fn)(const char *dir, int argc, char **argv);

typedef struct {
    const char *name;     //  "member"
    cli_command_fn fn;    //
    const char *summary;  //  one line for `mutsync --help`
} cli_command_t;

//  Prints "mutsync: WHERE: MESSAGE" to stderr and returns CLI_REFUSED.
int cli_fail(const ms_error_t *err);

//  Prints "mutsync: MESSAGE" and USAGE to stderr and returns CLI_USAGE.
int cli_usage(const char *usage, const char *fmt, ...) MS_PRINTF(2, 3);

//  Prints USAGE to stdout and returns CLI_OK (for --help).
int cli_help(const char *usage);

//  Parses "table", "csv" or "json". Returns 0 or -1.
int cli_format(const char *text, cli_format_t *format);

//  For a subcommand (ARGV[0]) whose only option is "--format F": sets
//  *FORMAT (table when absent; csv only when CSV_TOO). Returns 0, or prints
//  USAGE and returns CLI_USAGE.
int cli_only_format(int argc, char **argv, const char *usage, bool csv_too, cli_format_t *format);

//  Opens the node in DIR with its views attached (ms_views_attach: every
//  write keeps the views current), printing the reason on failure.
//  Returns 0 or CLI_REFUSED.
int cli_open(const char *dir, ms_node_t **node_p);

//  True when ARGV holds "--help" or "-h" before any "--".
int cli_wants_help(int argc, char **argv);

//  Prints O as JSON and a newline on stdout: on one line, or indented for
//  people reading it (PRETTY). Slashes are not escaped.
void cli_print_json(json_object *o, bool pretty);

//  Writes TEXT as a CSV field (quoted when it holds , " or a line break).
void cli_csv_field(FILE *out, const char *text);

//  "IMPORT FILE.csv [--encoding utf-8|cp1252] [--separator ,|;]" for SCHEMA:
//  imports the file (all or nothing), publishes the indicator reports it
//  changed, prints what happened. ARGV[0] is "import". Returns a CLI_ code.
int cli_import(ms_node_t *node, const ms_import_schema_t *schema, const char *usage, int argc,
               char **argv);

//  Writes one record (KEY, VALUE of LEN bytes) to COLLECTION through the
//  importer (an unchanged record writes nothing), publishes the reports it
//  changed, prints "<collection> KEY added|updated|unchanged".
int cli_add_record(ms_node_t *node, ms_collection_t collection, const char *key,
                   const uint8_t *value, size_t len);

//  A subcommand of a group ("member list"): runs with the node open.
//  ARGV[0] is its name; CTX is what the group passed to cli_dispatch.
typedef int (*cli_sub_fn)(ms_node_t *node, int argc, char **argv, const void *ctx);

typedef struct {
    const char *name;  //  "list"
    cli_sub_fn fn;     //
} cli_sub_t;

//  Runs "GROUP SUB ARGS...": prints USAGE for --help or a missing or unknown
//  SUB, otherwise opens the node in DIR, runs SUB from SUBS (ended by a zero
//  entry) with CTX, and closes the node. Returns a CLI_ code.
int cli_dispatch(const char *dir, int argc, char **argv, const char *usage, const cli_sub_t *subs,
                 const void *ctx);

//  Finds the subcommand NAME in TABLE (NULL-terminated by a zero entry).
const cli_command_t *cli_find(const cli_command_t *table, const char *name);

#endif
