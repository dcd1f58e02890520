//  import - registers from spreadsheets into signed change sets, all or nothing.
//
//  DESIGN. The whole file is read inside one write transaction
//  (ms_store_write): rows become records, records that differ from what is
//  stored are gathered MS_IMPORT_BATCH at a time and appended to the
//  node's feed (signed, then through the accept rules). The first bad row
//  fails the function, which discards the transaction: nothing of the file
//  is stored. The map is grown once before the transaction, from the file's
//  size (MAP_BYTES_PER_FILE_BYTE, measured on member registers), so the
//  file is read once; should the estimate fall short, ms_store_write still
//  grows the map and runs the import again from the first row, so all
//  state here is reset at the start of a run.
//  Two threads share the work, which splits in two halves of about the same
//  cost: a reader thread reads the rows, makes the records and encodes and
//  signs each batch as the change set after the one it sealed before (from
//  the feed's head at the start: nothing else writes the feed while the
//  transaction is open, and the accept rules check seq and prev anyway);
//  the calling thread accepts the sealed change sets into the transaction,
//  which alone writes. BATCHES batches go round between them through two
//  handoff queues. To skip unchanged rows the reader looks records up in a
//  read transaction of its own, which sees the store as the import found
//  it: what the writer sees too, since a file's keys are unique or the
//  import fails. A key seen twice in one file is refused, naming both lines.

#include "mutsync/import.h"

#include "mutsync/handoff.h"
#include "mutsync/keyset.h"
#include "mutsync/policy.h"
#include "mutsync/replica.h"
#include "mutsync/rules.h"
#include "mutsync/sheet.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAP_BYTES_PER_FILE_BYTE 3
#define MAP_BYTES_SLACK (4ull << 20)
#define ROW_BYTES_MIN 100  //  bytes of a typical register row, for sizing the key set
#define BATCHES 3          //  one filled, one waiting, one accepted

//  Records waiting to be appended as one change set.
typedef struct {
    ms_change_t changes[MS_IMPORT_BATCH];
    char keys[MS_IMPORT_BATCH][MS_KEY_MAX + 1];
    uint8_t *values;              //  MS_IMPORT_BATCH * MS_VALUE_MAX bytes
    bool fresh[MS_IMPORT_BATCH];  //  no record held under the key
    size_t used;                  //  value bytes used
    size_t count;                 //  changes waiting
    ms_sealed_t sealed;           //  the change set made of them, once sealed
} batch_t;

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
        ms_sealed_free(&(*batch_p)->sealed);
        free((*batch_p)->values);
        free(*batch_p);
        *batch_p = NULL;
    }
}

//  Where records are looked up before they are queued.
typedef struct {
    ms_txn_t *txn;               //  NULL: the node holds no record of the collection
    const char *org;             //  the node's
    ms_collection_t collection;  //
    bool unique;                 //  no key is offered twice (or the import fails)
} lookup_t;

//  Queues one record unless it is identical to the stored one. When keys
//  are unique, a new one is fresh: the views need not look it up again.
static int offer(const lookup_t *lookup, batch_t *batch, const char *key, const uint8_t *value,
                 size_t len, ms_import_stats_t *stats, ms_error_t *err)
{
    ms_stored_record_t stored;
    int rc = lookup->txn ? ms_replica_record(lookup->txn, lookup->collection, lookup->org, key,
                                             &stored, err)
                         : MS_ENOTFOUND;
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
    batch->changes[i] = (ms_change_t){lookup->collection, MS_OP_UPSERT, batch->keys[i],
                                      batch->values + batch->used, len};
    batch->fresh[i] = lookup->unique && rc == MS_ENOTFOUND;
    batch->used += len;
    return 0;
}

static void count_appended(ms_import_stats_t *stats, uint64_t seq)
{
    if (!stats->first_seq)
        stats->first_seq = seq;
    stats->last_seq = seq;
    stats->changesets++;
}

//  Appends the batch's records as one change set, in this thread.
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
    count_appended(stats, verdict.seq);
    batch->count = 0;
    batch->used = 0;
    return 0;
}

int ms_import_records(ms_node_t *node, ms_txn_t *txn, ms_collection_t collection,
                      const char *const *keys, const uint8_t *const *values, const size_t *lens,
                      size_t count, ms_import_stats_t *stats, ms_error_t *err)
{
    memset(stats, 0, sizeof *stats);
    const char *feed = ms_policy_feed_name(ms_policy_feed_of(collection));
    lookup_t lookup = {txn, ms_node_identity(node)->org, collection, false};
    batch_t *batch;
    int rc = batch_new(&batch, err);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        stats->rows++;
        rc = offer(&lookup, batch, keys[i], values[i], lens[i], stats, err);
        if (rc == 0 && batch->count == MS_IMPORT_BATCH)
            rc = flush(node, txn, feed, batch, stats, err);
    }
    if (rc == 0)
        rc = flush(node, txn, feed, batch, stats, err);
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
    ms_import_stats_t *stats;            //  rows..unchanged: the reader's; the rest the writer's
    ms_keyset_t *seen;                   //  keys of the rows read
    batch_t *batches[BATCHES];           //  all of them, wherever they are
    ms_handoff_t *full;                  //  sealed batches, reader to writer
    ms_handoff_t *empty;                 //  batches to fill, writer to reader
    bool started;                        //  a run has read rows: rewind before the next
    bool held;                           //  the node holds records of the collection
    //  The reader's own, for the time it runs:
    lookup_t lookup;  //  its read transaction, when the node holds records
    ms_head_t head;   //  of the feed, after the last change set it sealed
    int reader_rc;    //  how it ended (READER_STOPPED when told to)
    ms_error_t reader_err;
} run_t;

#define READER_STOPPED 1  //  the writer cancelled the queues

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
    int seen = ms_keyset_add(run->seen, row->hash);
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

//  Seals the reader's batch as the next change set, hands it to the writer
//  and takes an empty one in its place. Returns 0, READER_STOPPED or an error.
static int pass(run_t *run, batch_t **batch_p, ms_error_t *err)
{
    batch_t *batch = *batch_p;
    const char *feed = ms_policy_feed_name(ms_policy_feed_of(run->schema->collection));
    ms_sealed_free(&batch->sealed);  //  one a cancelled run left
    int rc = ms_node_seal(run->node, &run->head, feed, batch->changes, batch->fresh, batch->count,
                          &batch->sealed, err);
    if (rc)
        return rc;
    run->head.seq = batch->sealed.cs.seq;
    memcpy(run->head.hash, batch->sealed.id, MS_HASH_BYTES);
    if (!ms_handoff_put(run->full, batch))
        return READER_STOPPED;
    *batch_p = batch = ms_handoff_take(run->empty);
    if (!batch)
        return READER_STOPPED;
    batch->count = 0;
    batch->used = 0;
    return 0;
}

//  The reader's work: every row of the file, into sealed batches.
static int read_rows(run_t *run, ms_error_t *err)
{
    batch_t *batch = ms_handoff_take(run->empty);
    if (!batch)
        return READER_STOPPED;
    batch->count = 0;
    batch->used = 0;
    int rc = run->started ? ms_sheet_rewind(run->sheet, err) : 0;
    if (rc)
        return rc;
    run->started = true;
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
        uint64_t h = rc ? 0 : ms_keyset_hash(key);
        if (rc == 0)
            ms_keyset_prefetch(run->seen, h);
        int waiting = check_key(run, &row, err);
        if (waiting || rc)
            return waiting ? waiting : rc;
        rc = offer(&run->lookup, batch, key, value, len, run->stats, err);
        if (rc == 0 && batch->count == MS_IMPORT_BATCH)
            rc = pass(run, &batch, err);
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
    return batch->count ? pass(run, &batch, err) : 0;
}

//  The reader thread. A failure cancels the queue to the writer, which
//  then stops at once and reports it; the end of the file closes it.
static void *reader_main(void *arg)
{
    run_t *run = arg;
    ms_txn_t *snapshot = NULL;
    int rc = run->held ? ms_store_read(ms_node_store(run->node), &snapshot, &run->reader_err) : 0;
    run->lookup.txn = snapshot;
    if (rc == 0)
        rc = read_rows(run, &run->reader_err);
    ms_txn_abort(&snapshot);
    run->reader_rc = rc;
    if (rc)
        ms_handoff_cancel(run->full);
    else
        ms_handoff_close(run->full);
    return NULL;
}

//  Makes the queues for one run and fills EMPTY with every batch (it has
//  room for all of them, so no put waits or fails).
static int queues_new(run_t *run, ms_error_t *err)
{
    if (ms_handoff_new(BATCHES, &run->full) != 0 || ms_handoff_new(BATCHES, &run->empty) != 0)
        return ms_error_set(err, MS_ENOMEM, "import", "no memory for the queues");
    for (size_t i = 0; i < BATCHES; i++)
        (void)ms_handoff_put(run->empty, run->batches[i]);
    return 0;
}

//  The writer: one run over the file inside TXN (ms_store_write may call it
//  again from the first row, with a larger map).
static int import_rows(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    run_t *run = arg;
    memset(run->stats, 0, sizeof *run->stats);
    ms_keyset_clear(run->seen);
    //  A file's keys are unique or the import fails, so new ones are fresh;
    //  into a register still empty, every key is new without a lookup.
    const char *org = ms_node_identity(run->node)->org;
    const char *feed = ms_policy_feed_name(ms_policy_feed_of(run->schema->collection));
    run->held = false;
    int rc = ms_replica_records(txn, run->schema->collection, org, any_record, &run->held, err);
    if (rc == 0)
        rc = ms_node_may_write(run->node, txn, err);
    if (rc == 0)
        rc = ms_replica_head(txn, org, feed, &run->head, err);
    if (rc == 0)
        rc = queues_new(run, err);
    run->lookup = (lookup_t){NULL, org, run->schema->collection, true};
    run->reader_rc = 0;
    pthread_t reader;
    if (rc == 0 && pthread_create(&reader, NULL, reader_main, run) != 0)
        rc = ms_error_set(err, MS_ENOMEM, "import", "cannot start the thread that reads the file");
    bool reading = rc == 0;
    batch_t *batch;
    while (rc == 0 && (batch = ms_handoff_take(run->full)) != NULL) {
        ms_verdict_t verdict;
        rc = ms_node_accept_sealed(run->node, txn, &batch->sealed, &verdict, err);
        ms_sealed_free(&batch->sealed);
        if (rc == 0)
            count_appended(run->stats, verdict.seq);
        if (rc == 0)
            (void)ms_handoff_put(run->empty, batch);  //  only the writer stops EMPTY
    }
    if (rc && run->full) {
        ms_handoff_cancel(run->full);
        ms_handoff_cancel(run->empty);
    }
    if (reading) {
        pthread_join(reader, NULL);
        if (rc == 0 && run->reader_rc) {
            *err = run->reader_err;
            rc = run->reader_rc;
        }
    }
    ms_handoff_destroy(&run->full);
    ms_handoff_destroy(&run->empty);
    return rc;
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
    run_t run = {.node = node,
                 .path = path,
                 .sheet_options = &sheet_options,
                 .sheet = sheet,
                 .schema = schema,
                 .indices = indices,
                 .options = options,
                 .stats = stats};
    rc = indices ? ms_sheet_require(sheet, schema->columns, indices, err)
                 : ms_error_set(err, MS_ENOMEM, path, "no memory");
    for (size_t i = 0; rc == 0 && i < BATCHES; i++)
        rc = batch_new(&run.batches[i], err);
    struct stat st;
    if (rc == 0 && stat(path, &st) == 0)
        run.file_bytes = (uint64_t)st.st_size;
    //  Sized once for the rows the file may hold, rather than grown (and
    //  copied) as they come: a register's rows are rarely under 100 bytes.
    if (rc == 0 && ms_keyset_new((size_t)(run.file_bytes / ROW_BYTES_MIN), &run.seen) != 0)
        rc = ms_error_set(err, MS_ENOMEM, path, "no memory for the keys of the file");
    if (rc == 0 && run.file_bytes)
        rc = ms_store_reserve(ms_node_store(node),
                              run.file_bytes * MAP_BYTES_PER_FILE_BYTE + MAP_BYTES_SLACK, err);
    if (rc == 0)
        rc = ms_store_write(ms_node_store(node), import_rows, &run, err);
    if (rc)
        memset(stats, 0, sizeof *stats);
    for (size_t i = 0; i < BATCHES; i++)
        batch_destroy(&run.batches[i]);
    ms_keyset_destroy(&run.seen);
    free(indices);
    ms_sheet_close(&sheet);
    return rc;
}
