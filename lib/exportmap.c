//  exportmap - a sorted table of (kind, code) -> name read from a small CSV.
//  Lookups are binary searches, so an export of thousands of orgs and
//  indicators stays linear in what it writes.

#include "mutsync/exportmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    ms_map_kind_t kind;
    char code[MS_MAP_TEXT_MAX + 1];
    char name[MS_MAP_TEXT_MAX + 1];
    unsigned line;  //  where it was read, for "mapped twice"
} entry_t;

struct ms_export_map {
    entry_t *entries;  //  sorted by kind, then code
    size_t count;      //
};

static int compare(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return strcmp(x->code, y->code);
}

static char *trim(char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r' ||
                   text[len - 1] == '\n'))
        text[--len] = 0;
    if (len >= 2 && text[0] == '"' && text[len - 1] == '"') {
        text[len - 1] = 0;
        text++;
    }
    return text;
}

//  Splits LINE into exactly three fields at SEPARATOR. Returns the count found.
static int split(char *line, char separator, char *fields[3])
{
    int count = 0;
    char *p = line;
    while (count < 3) {
        fields[count++] = p;
        char *next = strchr(p, separator);
        if (!next)
            break;
        *next = 0;
        p = next + 1;
        if (count == 3 && *p)
            return 4;
    }
    for (int i = 0; i < count; i++)
        fields[i] = trim(fields[i]);
    return count;
}

static int read_rows(FILE *file, const char *path, ms_export_map_t *map, ms_error_t *err)
{
    char line[3 * MS_MAP_TEXT_MAX + 64], where[512];
    size_t cap = 0;
    char separator = ',';
    for (unsigned number = 1; fgets(line, sizeof line, file); number++) {
        snprintf(where, sizeof where, "%s:%u", path, number);
        char *text = line;
        if (number == 1 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
            text += 3;
        if (number == 1) {
            separator = strchr(text, ';') ? ';' : ',';
            char *fields[3];
            if (split(text, separator, fields) != 3 || strcmp(fields[0], "kind") != 0 ||
                strcmp(fields[1], "code") != 0 || strcmp(fields[2], "dhis2") != 0)
                return ms_error_set(err, MS_EINVAL, where, "the header must be kind,code,dhis2");
            continue;
        }
        if (!strchr(text, '\n') && !feof(file))
            return ms_error_set(err, MS_EINVAL, where, "line too long");
        if (!trim(text)[0])
            continue;
        char *fields[3];
        if (split(text, separator, fields) != 3)
            return ms_error_set(err, MS_EINVAL, where, "expected 3 columns: kind,code,dhis2");
        entry_t entry = {0};
        entry.line = number;
        if (strcmp(fields[0], "indicator") == 0)
            entry.kind = MS_MAP_INDICATOR;
        else if (strcmp(fields[0], "org") == 0)
            entry.kind = MS_MAP_ORG;
        else
            return ms_error_set(err, MS_EINVAL, where,
                                "column kind: \"%s\" is not indicator or org", fields[0]);
        for (int i = 1; i < 3; i++) {
            if (!fields[i][0] || strlen(fields[i]) > MS_MAP_TEXT_MAX)
                return ms_error_set(err, MS_EINVAL, where, "column %s: empty or longer than %d",
                                    i == 1 ? "code" : "dhis2", MS_MAP_TEXT_MAX);
        }
        snprintf(entry.code, sizeof entry.code, "%s", fields[1]);
        snprintf(entry.name, sizeof entry.name, "%s", fields[2]);
        if (map->count == cap) {
            cap = cap ? cap * 2 : 64;
            entry_t *grown = realloc(map->entries, cap * sizeof *grown);
            if (!grown)
                return ms_error_set(err, MS_ENOMEM, path, "out of memory");
            map->entries = grown;
        }
        map->entries[map->count++] = entry;
    }
    if (map->count)
        qsort(map->entries, map->count, sizeof *map->entries, compare);
    for (size_t i = 1; i < map->count; i++)
        if (compare(&map->entries[i - 1], &map->entries[i]) == 0) {
            unsigned line_no = map->entries[i].line > map->entries[i - 1].line
                                   ? map->entries[i].line
                                   : map->entries[i - 1].line;
            snprintf(where, sizeof where, "%s:%u", path, line_no);
            return ms_error_set(err, MS_EINVAL, where, "column code: \"%s\" is mapped twice",
                                map->entries[i].code);
        }
    return 0;
}

int ms_export_map_load(const char *path, ms_export_map_t **map_p, ms_error_t *err)
{
    *map_p = NULL;
    FILE *file = fopen(path, "r");
    if (!file)
        return ms_error_set(err, MS_EIO, path, "cannot be read");
    ms_export_map_t *map = calloc(1, sizeof *map);
    int rc =
        map ? read_rows(file, path, map, err) : ms_error_set(err, MS_ENOMEM, path, "no memory");
    fclose(file);
    if (rc) {
        ms_export_map_destroy(&map);
        return rc;
    }
    *map_p = map;
    return 0;
}

void ms_export_map_destroy(ms_export_map_t **map_p)
{
    if (!map_p || !*map_p)
        return;
    free((*map_p)->entries);
    free(*map_p);
    *map_p = NULL;
}

const char *ms_export_map_name(const ms_export_map_t *self, ms_map_kind_t kind, const char *code)
{
    if (!self || !self->count || strlen(code) > MS_MAP_TEXT_MAX)
        return code;
    entry_t key;
    key.kind = kind;
    snprintf(key.code, sizeof key.code, "%s", code);
    const entry_t *found =
        bsearch(&key, self->entries, self->count, sizeof *self->entries, compare);
    return found ? found->name : code;
}
