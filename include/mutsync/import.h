//  import - spreadsheet registers into the node's feeds, all or nothing.
//
//  A register file (members, contributions, claims...) is read with the
//  sheet module; each row becomes one record through the schema's ROW
//  function; changed and new records are appended to the node's feed in
//  change sets of MS_IMPORT_BATCH records, signed. The whole file is one
//  write transaction: a file with any bad row imports nothing, and the
//  error names the line, the column and why. A row whose record is
//  byte-identical to the stored one writes nothing; a changed row is an
//  update. A key appearing twice in one file is an error.

#ifndef MS_IMPORT_H
#define MS_IMPORT_H

#include "mutsync/node.h"

#define MS_IMPORT_BATCH 1000  //  records per change set

typedef struct ms_sheet ms_sheet_t;

//  What a register looks like: its columns and how one row becomes a record.
typedef struct {
    const char *what;            //  "member", for messages
    ms_collection_t collection;  //  where the records go (the feed follows)
    const char *const *columns;  //  required header names, NULL-terminated
    //  Reads the current row of SHEET (column i of COLUMNS is at INDICES[i])
    //  into KEY (MS_KEY_MAX + 1 bytes) and VALUE (MS_VALUE_MAX bytes,
    //  *VALUE_LEN set). Returns 0, or MS_EINVAL with ERR naming line,
    //  column and why.
    int (*row)(ms_sheet_t *sheet, const int *indices, char *key, uint8_t *value, size_t *value_len,
               ms_error_t *err);
} ms_import_schema_t;

//  Told now and then during an import (every MS_IMPORT_BATCH rows): rows
//  read so far, bytes of the file read, bytes of the file in all. It is
//  called from the thread that reads the file, not the caller's (which
//  meanwhile only writes to the store).
typedef void (*ms_import_progress_fn)(void *ctx, uint64_t rows, uint64_t bytes_read,
                                      uint64_t bytes_total);

typedef struct {
    const char *encoding;            //  NULL or "utf-8" (default), or "cp1252" to convert
    char separator;                  //  0: detect from the header (',' or ';')
    ms_import_progress_fn progress;  //  NULL: none
    void *progress_ctx;              //  handed to PROGRESS
} ms_import_options_t;

typedef struct {
    uint64_t rows;        //  data rows read
    uint64_t added;       //  new records
    uint64_t updated;     //  changed records
    uint64_t unchanged;   //  identical to the stored record: nothing written
    uint64_t changesets;  //  change sets appended
    uint64_t first_seq;   //  seq of the first change set appended (0 if none)
    uint64_t last_seq;    //  seq of the last one
} ms_import_stats_t;

//  Imports PATH into NODE following SCHEMA. Returns 0 with STATS filled;
//  MS_EINVAL (bad file, ERR says where and why) or MS_EIO with nothing
//  changed; or a store error.
MS_MUST_CHECK int ms_import_file(ms_node_t *node, const char *path,
                                 const ms_import_schema_t *schema,
                                 const ms_import_options_t *options, ms_import_stats_t *stats,
                                 ms_error_t *err);

//  Appends the given records (all in one collection's feed) in batches, inside TXN,
//  skipping those identical to what is stored. Used by ms_import_file and
//  by single-record commands ("member add"). KEYS[i] and VALUES[i] of LENS[i] bytes.
MS_MUST_CHECK int ms_import_records(ms_node_t *node, ms_txn_t *txn, ms_collection_t collection,
                                    const char *const *keys, const uint8_t *const *values,
                                    const size_t *lens, size_t count, ms_import_stats_t *stats,
                                    ms_error_t *err);

#endif
