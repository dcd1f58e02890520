//  cli_table - rows kept as one array of copied cells, header first; the
//  widths are measured when printing.

#include "cli_table.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct cli_table {
    size_t columns;                     //  cells per row
    char **cells;                       //  row-major, header row first
    size_t rows;                        //  rows held, header included
    size_t capacity;                    //  rows room was made for
    bool right[CLI_TABLE_COLUMNS_MAX];  //  right-aligned columns
};

size_t cli_width(const char *text)
{
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        width += (*p & 0xC0) != 0x80;
    return width;
}

cli_table_t *cli_table_new(size_t columns, const char *const *headers)
{
    if (columns == 0 || columns > CLI_TABLE_COLUMNS_MAX)
        return NULL;
    cli_table_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->columns = columns;
    if (cli_table_add(self, headers) != 0)
        cli_table_destroy(&self);
    return self;
}

void cli_table_align_right(cli_table_t *self, size_t column)
{
    if (column < self->columns)
        self->right[column] = true;
}

int cli_table_add(cli_table_t *self, const char *const *cells)
{
    if (self->rows == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 64;
        char **grown = realloc(self->cells, capacity * self->columns * sizeof *grown);
        if (!grown)
            return -1;
        self->cells = grown;
        self->capacity = capacity;
    }
    char **row = self->cells + self->rows * self->columns;
    for (size_t i = 0; i < self->columns; i++) {
        row[i] = strdup(cells[i] ? cells[i] : "");
        if (!row[i]) {
            while (i--)
                free(row[i]);
            return -1;
        }
    }
    self->rows++;
    return 0;
}

void cli_table_print(const cli_table_t *self, FILE *out)
{
    size_t widths[CLI_TABLE_COLUMNS_MAX] = {0};
    for (size_t r = 0; r < self->rows; r++)
        for (size_t i = 0; i < self->columns; i++) {
            size_t width = cli_width(self->cells[r * self->columns + i]);
            if (width > widths[i])
                widths[i] = width;
        }
    for (size_t r = 0; r < self->rows; r++) {
        char **row = self->cells + r * self->columns;
        //  No trailing spaces: empty trailing cells are left out, the last unpadded.
        size_t last = self->columns;
        while (last > 1 && !row[last - 1][0] && !self->right[last - 1])
            last--;
        for (size_t i = 0; i < last; i++) {
            size_t pad = widths[i] - cli_width(row[i]);
            if (i)
                fputs("  ", out);
            if (self->right[i])
                fprintf(out, "%*s", (int)pad, "");
            fputs(row[i], out);
            if (!self->right[i] && i + 1 < last)
                fprintf(out, "%*s", (int)pad, "");
        }
        fputc('\n', out);
    }
}

void cli_table_destroy(cli_table_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cli_table_t *self = *self_p;
    for (size_t i = 0; i < self->rows * self->columns; i++)
        free(self->cells[i]);
    free(self->cells);
    free(self);
    *self_p = NULL;
}
