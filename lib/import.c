//  import - registers from spreadsheets into signed change sets, all or nothing.
//
//  DESIGN. The whole file is read inside one write transaction
//  (ms_store_write): rows become records, records that differ from what is
//  stored are gathered MS_IMPORT_BATCH at a time and appended to the
//  node's feed (signed, then through the accept rules). The first bad row
//  fails the function, which discards the transaction: nothing of the file
//  is stored. The map is grown once before the transaction, from the file's
//  size (MAP_BYTES_PER_FILE_BYTE, measured on member registers: about 2.5
//  bytes of store per byte of CSV, records, envelopes and views together),
//  so the file is read once. Should the estimate fall short, ms_store_write
//  still grows the map and runs the import again from the first row, so
//  all state here is reset at the start of a run.
//  A key seen twice in one file is refused, naming both lines.

#include "mutsync/import.h"

#include "mutsync/policy.h"
#include "mutsync/replica.h"
#include "mutsync/rules.h"
#include "mutsync/sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define MAP_BYTES_PER_FILE_BYTE 3
#define MAP_BYTES_SLACK (4ull << 20)
#define HUGE_PAGE_BYTES (2u << 20)
#define ROW_BYTES_MIN 100  //  bytes of a typical register row, for sizing the key set

//  Keys seen in this file, as a set of 64-bit hashes (open addressing):
//  8 bytes a row whatever the key, so 10 million rows cost 128 MiB. A hash
//  already in the set is only a suspicion: the caller confirms it by
//  reading the file again up to that row (first_line_of), which only a
//  real duplicate (or a 1-in-2^64 collision) costs.
typedef struct {
    uint64_t *slots;  //  hash of each key, 0 = empty
    size_t capacity;  //  slots, a power of two
    size_t count;     //  keys held
} seen_t;

static uint64_t hash_key(const char *key)
{
    uint64_t h = 1469598103934665603ull;  //  FNV-1a, then a finaliser to spread the low bits
    for (; *key; key++)
        h = (h ^ (uint8_t)*key) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h ? h : 1;
}

//  A zeroed table of CAPACITY slots. Keys land anywhere in it, so each
//  lookup would also miss the address translation cache: past a huge page,
//  the table is mapped apart and asks for huge pages (2 MiB), where the
//  system allows them. Pages no key reached stay unused, as with calloc.
static uint64_t *table_new(size_t capacity)
{
    size_t bytes = capacity * sizeof(uint64_t);
    if (bytes < HUGE_PAGE_BYTES)
        return calloc(capacity, sizeof(uint64_t));
    void *table = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (table == MAP_FAILED)
        return NULL;
    (void)madvise(table, bytes, MADV_HUGEPAGE);
    return table;
}

static void table_free(uint64_t *table, size_t capacity)
{
    size_t bytes = capacity * sizeof(uint64_t);
    if (bytes < HUGE_PAGE_BYTES)
        free(table);
    else if (table)
        munmap(table, bytes);
}

//  Makes room for at least ROOM keys (4096 at first, then twice as many).
static int seen_grow(seen_t *seen, size_t room)
{
    size_t capacity = seen->capacity ? seen->capacity * 2 : 4096;
    while (room * 4 > capacity * 3)
        capacity *= 2;
    uint64_t *slots = table_new(capacity);
    if (!slots)
        return MS_ENOMEM;
    for (size_t i = 0; i < seen->capacity; i++) {
        if (!seen->slots[i])
            continue;
        size_t j = seen->slots[i] & (capacity - 1);
        while (slots[j])
            j = (j + 1) & (capacity - 1);
        slots[j] = seen->slots[i];
    }
    table_free(seen->slots, seen->capacity);
    seen->slots = slots;
    seen->capacity = capacity;
    return 0;
}

//  Asks the processor to bring the slot of hash H in while other work goes
//  on: at a million keys and more the set is far larger than its caches.
static void seen_prefetch(const seen_t *seen, uint64_t h)
{
    if (seen->capacity)
        __builtin_prefetch(&seen->slots[h & (seen->capacity - 1)]);
}

//  Adds the key of hash H. Returns 0, 1 when H was already there, or MS_ENOMEM.
static int seen_add(seen_t *seen, uint64_t h)
{
    if ((seen->count + 1) * 4 > seen->capacity * 3 && seen_grow(seen, seen->count + 1) != 0)
        return MS_ENOMEM;
    size_t i = h & (seen->capacity - 1);
    for (; seen->slots[i]; i = (i + 1) & (seen->capacity - 1))
        if (seen->slots[i] == h)
            return 1;
    seen->slots[i] = h;
    seen->count++;
    return 0;
}

static void seen_reset(seen_t *seen)
{
    if (seen->slots)
        memset(seen->slots, 0, seen->capacity * sizeof *seen->slots);
    seen->count = 0;
}

static void seen_free(seen_t *seen)
{
    table_free(seen->slots, seen->capacity);
}

//  Records waiting to be appended as one change set.
typedef struct {
    ms_change_t changes[MS_IMPORT_BATCH];
    char keys[MS_IMPORT_BATCH][MS_KEY_MAX + 1];
    uint8_t *values;              //  MS_IMPORT_BATCH * MS_VALUE_MAX bytes
    bool fresh[MS_IMPORT_BATCH];  //  no record held under the key
    size_t used;                  //  value bytes used
    size_t count;                 //  changes waiting
    bool unique;                  //  no key is offered twice (or the import fails)
    bool none_held;               //  the node held no record of the collection
} batch_t;

static int flush(ms_node_t *node, ms_txn_t *txn, const char *feed, batch_t *batch,
                 ms_import_stats_t *stats, ms_error_t *err)
{
    if (batch->count == 0)
        return 0;
    ms_verdict_t verdict;
    int rc = ms_node_append_fresh(node, txn, feed, batch->changes, batch->fresh, batch->count,
                                  &verdict, err);
    if (rc)
        return rc;
    if (!stats->first_seq)
        stats->first_seq = verdict.seq;
    stats->last_seq = verdict.seq;
    stats->changesets++;
    batch->count = 0;
    batch->used = 0;
    return 0;
}

//  Queues one record unless it is identical to the stored one. When keys
//  are unique, a new one is fresh: the views need not look it up again.
static int offer(ms_node_t *node, ms_txn_t *txn, ms_collection_t collection, batch_t *batch,
                 const char *key, const uint8_t *value, size_t len, ms_import_stats_t *stats,
                 ms_error_t *err)
{
    ms_stored_record_t stored;
    int rc = batch->none_held ? MS_ENOTFOUND
                              : ms_replica_record(txn, collection, ms_node_identity(node)->org, key,
                                                  &stored, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    if (rc == 0 && stored.value_len == len && memcmp(stored.value, value, len) == 0) {
        stats->unchanged++;
        return 0;
    }
    if (rc == 0)
        stats->updated++;
    else
        stats->added++;
    size_t i = batch->count++;
    size_t key_len = strnlen(key, MS_KEY_MAX);
    memcpy(batch->keys[i], key, key_len);
    batch->keys[i][key_len] = 0;
    memcpy(batch->values + batch->used, value, len);
    batch->changes[i] =
        (ms_change_t){collection, MS_OP_UPSERT, batch->keys[i], batch->values + batch->used, len};
    batch->fresh[i] = batch->unique && rc == MS_ENOTFOUND;
    batch->used += len;
    if (batch->count == MS_IMPORT_BATCH)
        return flush(node, txn, ms_policy_feed_name(ms_policy_feed_of(collection)), batch, stats,
                     err);
    return 0;
}

static int batch_new(batch_t **batch_p, ms_error_t *err)
{
    batch_t *batch = calloc(1, sizeof *batch);
    if (batch)
        batch->values = malloc((size_t)MS_IMPORT_BATCH * MS_VALUE_MAX);
    if (!batch || !batch->values) {
        free(batch);
        *batch_p = NULL;
        return ms_error_set(err, MS_ENOMEM, "import", "no memory for a batch");
    }
    *batch_p = batch;
    return 0;
}

static void batch_destroy(batch_t **batch_p)
{
    if (*batch_p) {
        free((*batch_p)->values);
        free(*batch_p);
        *batch_p = NULL;
    }
}

int ms_import_records(ms_node_t *node, ms_txn_t *txn, ms_collection_t collection,
                      const char *const *keys, const uint8_t *const *values, const size_t *lens,
                      size_t count, ms_import_stats_t *stats, ms_error_t *err)
{
    memset(stats, 0, sizeof *stats);
    batch_t *batch;
    int rc = batch_new(&batch, err);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        stats->rows++;
        rc = offer(node, txn, collection, batch, keys[i], values[i], lens[i], stats, err);
    }
    if (rc == 0)
        rc =
            flush(node, txn, ms_policy_feed_name(ms_policy_feed_of(collection)), batch, stats, err);
    batch_destroy(&batch);
    return rc;
}

typedef struct {
    ms_node_t *node;
    const char *path;
    const ms_sheet_options_t *sheet_options;
    ms_sheet_t *sheet;
    const ms_import_schema_t *schema;
    const int *indices;
    const ms_import_options_t *options;  //  may be NULL
    uint64_t file_bytes;                 //  size of the file, for progress
    ms_import_stats_t *stats;
    seen_t seen;
    batch_t *batch;
    bool started;  //  a run has read rows: rewind before the next
} run_t;

//  The line of the first row before LINE whose key is KEY, read from a
//  second pass over the file; 0 when there is none (a hash collision).
static uint64_t first_line_of(const run_t *run, const char *key, uint64_t line)
{
    ms_sheet_t *sheet = NULL;
    uint64_t found = 0;
    char other[MS_KEY_MAX + 1];
    size_t column_count = 0;
    while (run->schema->columns[column_count])
        column_count++;
    uint8_t *value = malloc(MS_VALUE_MAX);
    int *indices = calloc(column_count + 1, sizeof *indices);
    int rc =
        value && indices ? ms_sheet_open(run->path, run->sheet_options, &sheet, NULL) : MS_ENOMEM;
    if (rc == 0)
        rc = ms_sheet_require(sheet, run->schema->columns, indices, NULL);
    while (rc == 0 && !found && ms_sheet_next(sheet, NULL) == 1 && ms_sheet_line(sheet) < line) {
        size_t len = 0;
        if (run->schema->row(sheet, indices, other, value, &len, NULL) == 0 &&
            strcmp(other, key) == 0)
            found = ms_sheet_line(sheet);
    }
    ms_sheet_close(&sheet);
    free(indices);
    free(value);
    return found;
}

//  A row whose key is yet to be looked for in the set of the file's keys.
typedef struct {
    bool waiting;              //  a row is waiting
    uint64_t hash;             //  of its key
    uint64_t line;             //  where it starts
    char key[MS_KEY_MAX + 1];  //
} unchecked_t;

//  Looks for the waiting row's key among those of the rows before it.
static int check_key(run_t *run, unchecked_t *row, ms_error_t *err)
{
    if (!row->waiting)
        return 0;
    row->waiting = false;
    int seen = seen_add(&run->seen, row->hash);
    if (seen < 0)
        return ms_error_set(err, MS_ENOMEM, "import", "no memory for the keys of the file");
    uint64_t first = seen ? first_line_of(run, row->key, row->line) : 0;
    if (first == 0)
        return 0;
    char where[sizeof err->where];
    snprintf(where, sizeof where, "%s:%llu", ms_sheet_name(run->sheet),
             (unsigned long long)row->line);
    return ms_error_set(err, MS_EINVAL, where,
                        "column %s: %s \"%s\" appears twice in the file (first on line %llu)",
                        run->schema->columns[0], run->schema->what, row->key,
                        (unsigned long long)first);
}

static int any_record(const char *owner, const char *key, const ms_stored_record_t *record,
                      void *ctx)
{
    (void)owner, (void)key, (void)record;
    *(bool *)ctx = true;
    return 1;
}

static int import_rows(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    run_t *run = arg;
    memset(run->stats, 0, sizeof *run->stats);
    seen_reset(&run->seen);
    run->batch->count = 0;
    run->batch->used = 0;
    //  A file's keys are unique or the import fails, so new ones are fresh;
    //  into a register still empty, every key is new without a lookup.
    bool held = false;
    int rc = ms_replica_records(txn, run->schema->collection, ms_node_identity(run->node)->org,
                                any_record, &held, err);
    if (rc)
        return rc;
    run->batch->unique = true;
    run->batch->none_held = !held;
    if (run->started && (rc = ms_sheet_rewind(run->sheet, err)) != 0)
        return rc;
    run->started = true;
    const char *feed = ms_policy_feed_name(ms_policy_feed_of(run->schema->collection));
    char key[MS_KEY_MAX + 1];
    uint8_t value[MS_VALUE_MAX];
    //  A row's key is looked for once the next row is read, its slot
    //  fetched meanwhile: the set is far larger than the caches, and reading
    //  a row hides the wait. The waiting row is checked before anything
    //  else of the next one is reported, so the first fault in the file is
    //  still the one named. A key seen twice fails the whole import, so
    //  what the second one queued is discarded with the rest.
    unchecked_t row = {.waiting = false};
    while ((rc = ms_sheet_next(run->sheet, err)) == 1) {
        size_t len = 0;
        run->stats->rows++;
        rc = run->schema->row(run->sheet, run->indices, key, value, &len, err);
        uint64_t h = rc ? 0 : hash_key(key);
        if (rc == 0)
            seen_prefetch(&run->seen, h);
        int waiting = check_key(run, &row, err);
        if (waiting || rc)
            return waiting ? waiting : rc;
        rc = offer(run->node, txn, run->schema->collection, run->batch, key, value, len, run->stats,
                   err);
        if (rc)
            return rc;
        row.waiting = true;
        row.hash = h;
        row.line = ms_sheet_line(run->sheet);
        size_t key_len = strnlen(key, MS_KEY_MAX);
        memcpy(row.key, key, key_len);
        row.key[key_len] = 0;
        if (run->options && run->options->progress && run->stats->rows % MS_IMPORT_BATCH == 0)
            run->options->progress(run->options->progress_ctx, run->stats->rows,
                                   ms_sheet_offset(run->sheet), run->file_bytes);
    }
    int waiting = check_key(run, &row, err);
    if (waiting || rc < 0)
        return waiting ? waiting : rc;
    return flush(run->node, txn, feed, run->batch, run->stats, err);
}

int ms_import_file(ms_node_t *node, const char *path, const ms_import_schema_t *schema,
                   const ms_import_options_t *options, ms_import_stats_t *stats, ms_error_t *err)
{
    memset(stats, 0, sizeof *stats);
    ms_sheet_options_t sheet_options;
    memset(&sheet_options, 0, sizeof sheet_options);
    if (options && options->encoding && strcmp(options->encoding, "cp1252") == 0)
        sheet_options.encoding = MS_SHEET_CP1252;
    else if (options && options->encoding && strcmp(options->encoding, "utf-8") != 0 &&
             strcmp(options->encoding, "utf8") != 0)
        return ms_error_set(err, MS_EINVAL, path, "unknown encoding \"%s\" (use utf-8 or cp1252)",
                            options->encoding);
    if (options)
        sheet_options.separator = options->separator;
    ms_sheet_t *sheet;
    int rc = ms_sheet_open(path, &sheet_options, &sheet, err);
    if (rc)
        return rc;
    size_t column_count = 0;
    while (schema->columns[column_count])
        column_count++;
    int *indices = calloc(column_count ? column_count : 1, sizeof *indices);
    run_t run = {node,    path, &sheet_options, sheet, schema, indices,
                 options, 0,    stats,          {0},   NULL,   false};
    rc = indices ? ms_sheet_require(sheet, schema->columns, indices, err)
                 : ms_error_set(err, MS_ENOMEM, path, "no memory");
    if (rc == 0)
        rc = batch_new(&run.batch, err);
    struct stat st;
    if (rc == 0 && stat(path, &st) == 0)
        run.file_bytes = (uint64_t)st.st_size;
    //  Sized once for the rows the file may hold, rather than grown (and
    //  copied) as they come: a register's rows are rarely under 100 bytes.
    if (rc == 0 && run.file_bytes / ROW_BYTES_MIN > 0 &&
        seen_grow(&run.seen, (size_t)(run.file_bytes / ROW_BYTES_MIN)) != 0)
        rc = ms_error_set(err, MS_ENOMEM, path, "no memory for the keys of the file");
    if (rc == 0 && run.file_bytes)
        rc = ms_store_reserve(ms_node_store(node),
                              run.file_bytes * MAP_BYTES_PER_FILE_BYTE + MAP_BYTES_SLACK, err);
    if (rc == 0)
        rc = ms_store_write(ms_node_store(node), import_rows, &run, err);
    if (rc)
        memset(stats, 0, sizeof *stats);
    batch_destroy(&run.batch);
    seen_free(&run.seen);
    free(indices);
    ms_sheet_close(&sheet);
    return rc;
}
