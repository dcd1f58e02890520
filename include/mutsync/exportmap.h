//  exportmap - the codes another system (a DHIS2 instance) uses for ours.
//
//  A mapping file is CSV (',' or ';', a BOM and CRLF allowed) with the
//  header "kind,code,dhis2" and one row per code to rename: kind is
//  "indicator" (CODE an indicator code of the catalogue) or "org" (CODE an
//  org id); DHIS2 is what the other system calls it. A code without a row
//  keeps its own name. Used by export.h for DHIS2 JSON and ADX.

#ifndef MS_EXPORTMAP_H
#define MS_EXPORTMAP_H

#include "mutsync/error.h"

typedef struct ms_export_map ms_export_map_t;

typedef enum { MS_MAP_INDICATOR = 0, MS_MAP_ORG = 1 } ms_map_kind_t;

#define MS_MAP_TEXT_MAX 128  //  bytes in a code or a DHIS2 name

//  Reads PATH. On success *MAP_P owns the map (ms_export_map_destroy).
//  Returns 0; MS_EIO when the file cannot be read; MS_EINVAL naming the
//  line and column of a bad row (unknown kind, empty or too long field, a
//  code mapped twice); MS_ENOMEM. *MAP_P stays NULL on failure.
MS_MUST_CHECK int ms_export_map_load(const char *path, ms_export_map_t **map_p, ms_error_t *err);

//  Frees the map and sets *MAP_P to NULL. Safe on NULL and twice.
void ms_export_map_destroy(ms_export_map_t **map_p);

//  The name of CODE of KIND in the other system: its mapping, else CODE
//  itself (also when SELF is NULL). Borrowed from SELF or CODE.
const char *ms_export_map_name(const ms_export_map_t *self, ms_map_kind_t kind, const char *code);

#endif
