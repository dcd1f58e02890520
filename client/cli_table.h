//  cli_table - a table for people: a header row, then rows whose columns
//  line up, measured in characters (UTF-8), not bytes, so "Ségou" and
//  French headers align. Rows are kept until printed, since a column is as
//  wide as its widest cell. Used for the default --format table; CSV and
//  JSON never go through here.

#ifndef MS_CLI_TABLE_H
#define MS_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#define CLI_TABLE_COLUMNS_MAX 24

typedef struct cli_table cli_table_t;

//  The columns TEXT takes on a terminal: its UTF-8 characters, not its bytes.
size_t cli_width(const char *text);

//  A table of COLUMNS columns (at most CLI_TABLE_COLUMNS_MAX) with HEADERS
//  (copied; translate them first). Returns NULL when out of memory.
cli_table_t *cli_table_new(size_t columns, const char *const *headers);

//  Right-aligns COLUMN (numbers).
void cli_table_align_right(cli_table_t *self, size_t column);

//  Adds a row of COLUMNS cells (copied; NULL prints as empty). Returns 0,
//  or -1 when out of memory.
int cli_table_add(cli_table_t *self, const char *const *cells);

//  Writes the header row and every row to OUT: two spaces between columns,
//  no trailing spaces.
void cli_table_print(const cli_table_t *self, FILE *out);

//  Frees the table and sets *SELF_P to NULL. Safe on NULL and twice.
void cli_table_destroy(cli_table_t **self_p);

#endif
