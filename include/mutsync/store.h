//  store - the node's LMDB environment as a set of named tables.
//
//  One environment per node directory (DIR/data.mdb). Several processes
//  may open it: one writer at a time, many readers. The store knows tables,
//  keys and bytes, not what they mean; the modules above it (accept, node,
//  views, sync) give them meaning. A write goes through ms_store_write,
//  which runs the caller's function in one write transaction, commits
//  durably (msync) and, when the map is full, grows it and runs the
//  function again from the start, so the map never makes a write fail.
//  A writer that knows how much it will write (a file import) makes room
//  first with ms_store_reserve, so it runs once. The map is written in
//  place (MDB_WRITEMAP) and always allocated on disk: a full disk is an
//  error when the map grows, never a signal in the middle of a write.

#ifndef MS_STORE_H
#define MS_STORE_H

#include "mutsync/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MS_TABLE_META,        //  node identity and settings: name -> bytes
    MS_TABLE_HEADS,       //  feed key -> ms_head_t
    MS_TABLE_ENVELOPES,   //  feed key + seq (8 bytes BE) -> id (32) + envelope bytes
    MS_TABLE_RECORDS,     //  collection (1) + owner + NUL + key -> seq (8 BE) + value
    MS_TABLE_QUARANTINE,  //  entry number (8 BE) -> quarantine entry
    MS_TABLE_TRUST,       //  org id -> trust entry (anchors and certificates)
    MS_TABLE_REVOKED,     //  Ed25519 key (32) -> revocation time (8 BE)
    MS_TABLE_PEERS,       //  peer org + NUL + feed key -> acknowledged head
    MS_TABLE_VIEWS,       //  view cells, owned by the views module
    MS_TABLE_INDEX,       //  derived indexes, owned by the module that writes them
    MS_TABLE_FORKS,       //  fork resolutions in force and superseded change sets (resolve.h)
    MS_TABLE_COUNT
} ms_table_t;

typedef struct ms_store ms_store_t;
typedef struct ms_txn ms_txn_t;
typedef struct ms_cursor ms_cursor_t;

//  Bytes handed out by the store: valid until the transaction ends or the
//  next write in it, as LMDB's mdb_get says. Copy what must live longer.
typedef struct {
    const uint8_t *data;
    size_t len;
} ms_val_t;

//  Opens DIR (created if missing, mode 0700). On success *store_p owns it:
//  close with ms_store_close. On failure *store_p stays NULL.
//  Returns 0, MS_EIO or MS_ESTORE.
MS_MUST_CHECK int ms_store_open(const char *dir, ms_store_t **store_p, ms_error_t *err);

//  Closes the store and sets *store_p to NULL. Safe on NULL and twice.
void ms_store_close(ms_store_t **store_p);

//  The directory the store was opened on; lives as long as the store.
const char *ms_store_dir(const ms_store_t *self);

//  Runs FN(txn, ctx, err) in one write transaction. When FN returns 0 the
//  transaction is committed durably and ms_store_write returns 0; when FN
//  fails everything it wrote is discarded and its code is returned. When
//  the map fills up, the map is doubled and FN runs again from the start,
//  so FN must not keep effects outside the transaction between runs.
typedef int (*ms_write_fn)(ms_txn_t *txn, void *ctx, ms_error_t *err);
MS_MUST_CHECK int ms_store_write(ms_store_t *self, ms_write_fn fn, void *ctx, ms_error_t *err);

//  Writes a module gathers in memory during one write transaction and
//  makes once, before the commit (a counter moved by thousands of changes
//  is written once). FLUSH writes them into TXN; it runs just before the
//  commit, and its failure fails the transaction like FN's. DESTROY frees
//  the state when the transaction ends, committed or not. A module that
//  reads what it keeps pending flushes it first.
typedef struct {
    int (*flush)(ms_txn_t *txn, void *state, ms_error_t *err);
    void (*destroy)(void *state);
} ms_pending_kind_t;

#define MS_TXN_PENDING_MAX 2  //  kinds of pending state one transaction holds

//  The state TXN holds for KIND, or NULL (always NULL in a read transaction).
void *ms_txn_pending(ms_txn_t *txn, const ms_pending_kind_t *kind);

//  Gives STATE, of KIND, to the write transaction TXN, which destroys it
//  when it ends. Returns 0, or MS_EINVAL in a read transaction or when TXN
//  holds MS_TXN_PENDING_MAX kinds already (STATE is then destroyed).
MS_MUST_CHECK int ms_txn_set_pending(ms_txn_t *txn, const ms_pending_kind_t *kind, void *state,
                                     ms_error_t *err);

//  Makes sure the map has room for BYTES more than the data it holds,
//  growing it and allocating the file on disk if needed. Call it outside
//  any transaction. Returns 0, or MS_EIO when the disk has no room (nothing
//  is changed), or MS_ESTORE.
MS_MUST_CHECK int ms_store_reserve(ms_store_t *self, uint64_t bytes, ms_error_t *err);

//  Starts a read-only transaction; end it with ms_txn_abort.
MS_MUST_CHECK int ms_store_read(ms_store_t *self, ms_txn_t **txn_p, ms_error_t *err);

//  Ends a read transaction (or abandons a write one). Safe on NULL.
void ms_txn_abort(ms_txn_t **txn_p);

//  Looks KEY up in TABLE. Returns 0 and fills VAL, MS_ENOTFOUND, or MS_ESTORE.
MS_MUST_CHECK int ms_txn_get(ms_txn_t *txn, ms_table_t table, const void *key, size_t key_len,
                             ms_val_t *val, ms_error_t *err);

//  Writes KEY -> VALUE. MS_PUT_APPEND promises KEY sorts after every key
//  in TABLE (LMDB's fast append). Returns 0 or MS_ESTORE.
#define MS_PUT_APPEND 1u
MS_MUST_CHECK int ms_txn_put(ms_txn_t *txn, ms_table_t table, const void *key, size_t key_len,
                             const void *value, size_t value_len, unsigned flags, ms_error_t *err);

//  Removes KEY. Returns 0 (also when KEY was absent) or MS_ESTORE.
MS_MUST_CHECK int ms_txn_del(ms_txn_t *txn, ms_table_t table, const void *key, size_t key_len,
                             ms_error_t *err);

//  Removes every entry of TABLE whose key starts with PREFIX; *COUNT (may
//  be NULL) gets how many. Returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_txn_del_prefix(ms_txn_t *txn, ms_table_t table, const void *prefix,
                                    size_t prefix_len, uint64_t *count, ms_error_t *err);

//  Number of entries in TABLE.
MS_MUST_CHECK int ms_txn_count(ms_txn_t *txn, ms_table_t table, uint64_t *count, ms_error_t *err);

//  Opens a cursor over the entries of TABLE whose keys start with PREFIX
//  (PREFIX_LEN 0: all). It lives until ms_cursor_close or the end of TXN.
MS_MUST_CHECK int ms_cursor_open(ms_txn_t *txn, ms_table_t table, const void *prefix,
                                 size_t prefix_len, ms_cursor_t **cursor_p, ms_error_t *err);

//  Moves to the next entry (the first on the first call). Returns 1 and
//  fills KEY and VAL, 0 at the end of the prefix, or MS_ESTORE.
MS_MUST_CHECK int ms_cursor_next(ms_cursor_t *self, ms_val_t *key, ms_val_t *val, ms_error_t *err);

//  Like ms_cursor_next but starts at the first key >= FROM (within the prefix).
MS_MUST_CHECK int ms_cursor_seek(ms_cursor_t *self, const void *from, size_t from_len,
                                 ms_val_t *key, ms_val_t *val, ms_error_t *err);

//  Closes the cursor and sets *cursor_p to NULL. Safe on NULL.
void ms_cursor_close(ms_cursor_t **cursor_p);

//  Map size in bytes (it grows when full) and bytes used by data pages.
MS_MUST_CHECK int ms_store_usage(ms_store_t *self, uint64_t *map_bytes, uint64_t *used_bytes,
                                 ms_error_t *err);

//  A number that moves whenever any process commits a write to the store:
//  LMDB's last committed transaction id (mdb_env_info's me_last_txnid),
//  read from the shared map without a transaction, so it costs the same
//  whatever the store holds. Equal values from two calls mean no commit
//  between them; read transactions do not move it.
uint64_t ms_store_generation(ms_store_t *self);

//  Big-endian helpers for keys that must sort by number.
void ms_put_be64(uint8_t *out, uint64_t value);
uint64_t ms_get_be64(const uint8_t *in);

#endif
