//  store - LMDB environment, named tables, writes that survive a full map.
//
//  Every write runs inside ms_store_write: one LMDB write transaction,
//  committed with LMDB's default durability (msync before the commit
//  returns), so what a caller acknowledges after ms_store_write is on disk.
//  The environment is opened with MDB_WRITEMAP: dirty pages are written in
//  the file's mapping, not copied in anonymous memory, so a transaction of
//  millions of records costs page cache, not heap. A write through the map
//  to a hole of a sparse file would be a SIGBUS on a full disk, so the
//  whole map is always allocated on disk (posix_fallocate) before it is
//  used: a full disk is then a clear error when the map grows, and the map
//  never shrinks below the file, which another process may have mapped.
//  A writer that knows its size makes room first (ms_store_reserve); when a
//  write still fills the map, the transaction is discarded, the map doubled
//  and the write run again. Another process may have grown the map
//  meanwhile; MDB_MAP_RESIZED at txn begin adopts its size.
//  Called by every module that keeps state: accept, node, views, sync.

#include "mutsync/store.h"

#include "mutsync/i18n.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>

#define INITIAL_MAP_BYTES (16ull << 20)
#define PREFIX_MAX 256

static const char *table_names[MS_TABLE_COUNT] = {
    "meta",    "heads", "envelopes", "records", "quarantine", "trust",
    "revoked", "peers", "views",     "index",   "forks",
};

struct ms_store {
    MDB_env *env;                  //  the environment
    MDB_dbi dbis[MS_TABLE_COUNT];  //  one per table
    char *dir;                     //  node directory
};

struct ms_txn {
    MDB_txn *txn;                    //  the LMDB transaction
    ms_store_t *store;               //  owner
    bool map_full;                   //  a put hit MDB_MAP_FULL: grow and retry
    bool writable;                   //  a write transaction (pending state allowed)
    bool unordered[MS_TABLE_COUNT];  //  a put here did not come after every key
    struct {
        const ms_pending_kind_t *kind;  //  NULL: slot free
        void *state;                    //  owned by the transaction
    } pending[MS_TXN_PENDING_MAX];
};

struct ms_cursor {
    MDB_cursor *cursor;          //  LMDB cursor
    uint8_t prefix[PREFIX_MAX];  //  keys returned start with this
    size_t prefix_len;           //  bytes
    bool started;                //  first next() positions at the prefix
};

static int lmdb_error(ms_error_t *err, int rc, const char *what)
{
    if (rc == ENOSPC || rc == EIO || rc == EFBIG || rc == EDQUOT)
        return ms_error_set(err, MS_EIO, "store",
                            "%s: the disk is full or failing (%s); nothing of this write was kept",
                            what, mdb_strerror(rc));
    return ms_error_set(err, MS_ESTORE, "store", "%s: %s", what, mdb_strerror(rc));
}

static int usage(ms_store_t *self, uint64_t *map_bytes, uint64_t *used_bytes)
{
    MDB_envinfo info;
    MDB_stat stat;
    int rc = mdb_env_info(self->env, &info);
    if (rc == 0)
        rc = mdb_env_stat(self->env, &stat);
    if (rc)
        return rc;
    *map_bytes = info.me_mapsize;
    *used_bytes = (uint64_t)(info.me_last_pgno + 1) * stat.ms_psize;
    return 0;
}

//  Allocates NEXT bytes of file on disk, then maps them: the file is never
//  mapped beyond what is allocated. LMDB's own resize sets the file's size
//  (MDB_WRITEMAP) and cannot be undone when that fails, so the file is
//  grown first; on failure the map is as it was. Returns 0 or an errno /
//  LMDB code.
static int set_map(ms_store_t *self, uint64_t current, uint64_t next)
{
    int fd = -1;
    int rc = mdb_env_get_fd(self->env, &fd);
    if (rc == 0)
        rc = posix_fallocate(fd, 0, (off_t)next);
    if (rc == 0 && next != current)
        rc = mdb_env_set_mapsize(self->env, (size_t)next);
    return rc;
}

static int open_tables(ms_store_t *self, unsigned flags, ms_error_t *err)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(self->env, NULL, flags, &txn);
    if (rc == MDB_MAP_RESIZED) {
        mdb_env_set_mapsize(self->env, 0);
        rc = mdb_txn_begin(self->env, NULL, flags, &txn);
    }
    if (rc)
        return lmdb_error(err, rc, _("cannot begin transaction"));
    for (int i = 0; i < MS_TABLE_COUNT; i++) {
        rc = mdb_dbi_open(txn, table_names[i], flags & MDB_RDONLY ? 0 : MDB_CREATE, &self->dbis[i]);
        if (rc) {
            mdb_txn_abort(txn);
            return rc == MDB_NOTFOUND ? MS_ENOTFOUND : lmdb_error(err, rc, _("cannot open table"));
        }
    }
    rc = mdb_txn_commit(txn);
    return rc ? lmdb_error(err, rc, _("cannot open tables")) : 0;
}

int ms_store_open(const char *dir, ms_store_t **store_p, ms_error_t *err)
{
    *store_p = NULL;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return ms_error_set(err, MS_EIO, dir, "cannot create directory: %s", strerror(errno));
    ms_store_t *self = calloc(1, sizeof *self);
    if (!self || !(self->dir = strdup(dir))) {
        free(self);
        return ms_error_set(err, MS_ENOMEM, dir, "no memory to open the store");
    }
    //  Under MDB_WRITEMAP LMDB sets the file's size to the map's: never
    //  ask for less than the file holds, another process may map all of it.
    uint64_t map_bytes = INITIAL_MAP_BYTES;
    char *data_path = malloc(strlen(dir) + sizeof "/data.mdb");
    struct stat st;
    if (data_path) {
        sprintf(data_path, "%s/data.mdb", dir);
        if (stat(data_path, &st) == 0 && (uint64_t)st.st_size > map_bytes)
            map_bytes = (uint64_t)st.st_size;
        free(data_path);
    }
    int rc = mdb_env_create(&self->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(self->env, MS_TABLE_COUNT);
    if (rc == 0)
        rc = mdb_env_set_mapsize(self->env, map_bytes);
    if (rc == 0)
        rc = mdb_env_open(self->env, dir, MDB_NOTLS | MDB_WRITEMAP, 0600);
    if (rc == 0) {
        //  A new store's file was just extended to the map: allocate it.
        uint64_t map = 0, used = 0;
        rc = usage(self, &map, &used);
        if (rc == 0)
            rc = set_map(self, map, map);
    }
    int status = rc ? ms_error_set(err, rc == ENOSPC ? MS_EIO : MS_ESTORE, dir,
                                   "cannot open the store: %s", mdb_strerror(rc))
                    : 0;
    if (status == 0) {
        status = open_tables(self, MDB_RDONLY, NULL);
        if (status == MS_ENOTFOUND)
            status = open_tables(self, 0, err);
        else if (status)
            status = open_tables(self, MDB_RDONLY, err);
    }
    if (status) {
        ms_store_close(&self);
        return status;
    }
    *store_p = self;
    return 0;
}

void ms_store_close(ms_store_t **store_p)
{
    if (!store_p || !*store_p)
        return;
    ms_store_t *self = *store_p;
    if (self->env)
        mdb_env_close(self->env);
    free(self->dir);
    free(self);
    *store_p = NULL;
}

const char *ms_store_dir(const ms_store_t *self)
{
    return self->dir;
}

static int begin(ms_store_t *self, unsigned flags, MDB_txn **txn, ms_error_t *err)
{
    int rc = mdb_txn_begin(self->env, NULL, flags, txn);
    if (rc == MDB_MAP_RESIZED) {
        mdb_env_set_mapsize(self->env, 0);
        rc = mdb_txn_begin(self->env, NULL, flags, txn);
    }
    return rc ? lmdb_error(err, rc, _("cannot begin transaction")) : 0;
}

static int grow_map(ms_store_t *self, ms_error_t *err)
{
    uint64_t map = 0, used = 0;
    int rc = usage(self, &map, &used);
    if (rc == 0)
        rc = set_map(self, map, map * 2);
    return rc ? lmdb_error(err, rc, _("cannot grow the map")) : 0;
}

int ms_store_reserve(ms_store_t *self, uint64_t bytes, ms_error_t *err)
{
    //  Adopt a map another process grew before measuring.
    MDB_txn *txn;
    int rc = begin(self, MDB_RDONLY, &txn, err);
    if (rc)
        return rc;
    mdb_txn_abort(txn);
    uint64_t map = 0, used = 0;
    rc = usage(self, &map, &used);
    if (rc == 0 && used + bytes > map) {
        uint64_t step = 1ull << 20;
        uint64_t next = (used + bytes + step - 1) / step * step;
        rc = set_map(self, map, next);
    }
    return rc ? lmdb_error(err, rc, _("cannot make room in the map")) : 0;
}

//  Writes what TXN holds pending, then frees it all (on success or not).
static int end_pending(ms_txn_t *txn, bool flush, ms_error_t *err)
{
    int rc = 0;
    for (int i = 0; i < MS_TXN_PENDING_MAX; i++) {
        if (!txn->pending[i].kind)
            continue;
        if (flush && rc == 0)
            rc = txn->pending[i].kind->flush(txn, txn->pending[i].state, err);
        txn->pending[i].kind->destroy(txn->pending[i].state);
        txn->pending[i].kind = NULL;
    }
    return rc;
}

void *ms_txn_pending(ms_txn_t *txn, const ms_pending_kind_t *kind)
{
    for (int i = 0; i < MS_TXN_PENDING_MAX; i++)
        if (txn->pending[i].kind == kind)
            return txn->pending[i].state;
    return NULL;
}

int ms_txn_set_pending(ms_txn_t *txn, const ms_pending_kind_t *kind, void *state, ms_error_t *err)
{
    for (int i = 0; txn->writable && i < MS_TXN_PENDING_MAX; i++)
        if (!txn->pending[i].kind) {
            txn->pending[i].kind = kind;
            txn->pending[i].state = state;
            return 0;
        }
    kind->destroy(state);
    return ms_error_set(err, MS_EINVAL, "store", "no room for pending writes in this transaction");
}

int ms_store_write(ms_store_t *self, ms_write_fn fn, void *ctx, ms_error_t *err)
{
    for (int attempt = 0; attempt < 24; attempt++) {
        ms_txn_t txn = {.store = self, .writable = true};
        int rc = begin(self, 0, &txn.txn, err);
        if (rc)
            return rc;
        rc = fn(&txn, ctx, err);
        int flushed = end_pending(&txn, rc == 0 && !txn.map_full, err);
        if (rc == 0)
            rc = flushed;
        if (rc == 0 && !txn.map_full) {
            int commit_rc = mdb_txn_commit(txn.txn);
            if (commit_rc == 0) {
                ms_error_clear(err);
                return 0;
            }
            if (commit_rc != MDB_MAP_FULL)
                return lmdb_error(err, commit_rc, _("cannot commit"));
        } else {
            mdb_txn_abort(txn.txn);
            if (!txn.map_full)
                return rc;
        }
        rc = grow_map(self, err);
        if (rc)
            return rc;
    }
    return ms_error_set(err, MS_ESTORE, self->dir, "the map cannot grow any further");
}

int ms_store_read(ms_store_t *self, ms_txn_t **txn_p, ms_error_t *err)
{
    *txn_p = NULL;
    ms_txn_t *txn = calloc(1, sizeof *txn);
    if (!txn)
        return ms_error_set(err, MS_ENOMEM, "store", "no memory for a transaction");
    txn->store = self;
    int rc = begin(self, MDB_RDONLY, &txn->txn, err);
    if (rc) {
        free(txn);
        return rc;
    }
    *txn_p = txn;
    return 0;
}

void ms_txn_abort(ms_txn_t **txn_p)
{
    if (!txn_p || !*txn_p)
        return;
    mdb_txn_abort((*txn_p)->txn);
    free(*txn_p);
    *txn_p = NULL;
}

int ms_txn_get(ms_txn_t *txn, ms_table_t table, const void *key, size_t key_len, ms_val_t *val,
               ms_error_t *err)
{
    MDB_val k = {key_len, (void *)key}, v;
    int rc = mdb_get(txn->txn, txn->store->dbis[table], &k, &v);
    if (rc == MDB_NOTFOUND) {
        val->data = NULL;
        val->len = 0;
        return MS_ENOTFOUND;
    }
    if (rc)
        return lmdb_error(err, rc, table_names[table]);
    val->data = v.mv_data;
    val->len = v.mv_size;
    return 0;
}

int ms_txn_put(ms_txn_t *txn, ms_table_t table, const void *key, size_t key_len, const void *value,
               size_t value_len, unsigned flags, ms_error_t *err)
{
    MDB_val k = {key_len, (void *)key}, v = {value_len, (void *)value};
    //  Keys written in order (a register imported by id) are appended: no
    //  search from the root, and a full page is left full. The first key
    //  that does not come last is written in place, and so is every later
    //  one of the transaction, without trying.
    int rc = MDB_KEYEXIST;
    if ((flags & MS_PUT_APPEND) || !txn->unordered[table])
        rc = mdb_put(txn->txn, txn->store->dbis[table], &k, &v, MDB_APPEND);
    if (rc == MDB_KEYEXIST && !(flags & MS_PUT_APPEND)) {
        txn->unordered[table] = true;
        rc = mdb_put(txn->txn, txn->store->dbis[table], &k, &v, 0);
    }
    if (rc == MDB_MAP_FULL)
        txn->map_full = true;
    return rc ? lmdb_error(err, rc, table_names[table]) : 0;
}

int ms_txn_del(ms_txn_t *txn, ms_table_t table, const void *key, size_t key_len, ms_error_t *err)
{
    MDB_val k = {key_len, (void *)key};
    int rc = mdb_del(txn->txn, txn->store->dbis[table], &k, NULL);
    if (rc == MDB_MAP_FULL)
        txn->map_full = true;
    return rc && rc != MDB_NOTFOUND ? lmdb_error(err, rc, table_names[table]) : 0;
}

int ms_txn_del_prefix(ms_txn_t *txn, ms_table_t table, const void *prefix, size_t prefix_len,
                      uint64_t *count, ms_error_t *err)
{
    MDB_cursor *cursor;
    int rc = mdb_cursor_open(txn->txn, txn->store->dbis[table], &cursor);
    if (rc)
        return lmdb_error(err, rc, table_names[table]);
    MDB_val k = {prefix_len, (void *)prefix}, v;
    uint64_t deleted = 0;
    rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size >= prefix_len && memcmp(k.mv_data, prefix, prefix_len) == 0) {
        rc = mdb_cursor_del(cursor, 0);
        if (rc)
            break;
        deleted++;
        //  After a delete LMDB leaves the cursor on the next entry.
        rc = mdb_cursor_get(cursor, &k, &v, MDB_GET_CURRENT);
    }
    mdb_cursor_close(cursor);
    if (count)
        *count = deleted;
    if (rc == MDB_MAP_FULL)
        txn->map_full = true;
    return rc && rc != MDB_NOTFOUND && rc != EINVAL ? lmdb_error(err, rc, table_names[table]) : 0;
}

int ms_txn_count(ms_txn_t *txn, ms_table_t table, uint64_t *count, ms_error_t *err)
{
    MDB_stat stat;
    int rc = mdb_stat(txn->txn, txn->store->dbis[table], &stat);
    *count = rc ? 0 : stat.ms_entries;
    return rc ? lmdb_error(err, rc, table_names[table]) : 0;
}

int ms_cursor_open(ms_txn_t *txn, ms_table_t table, const void *prefix, size_t prefix_len,
                   ms_cursor_t **cursor_p, ms_error_t *err)
{
    *cursor_p = NULL;
    if (prefix_len > PREFIX_MAX)
        return ms_error_set(err, MS_EINVAL, "store", "cursor prefix too long");
    ms_cursor_t *self = calloc(1, sizeof *self);
    if (!self)
        return ms_error_set(err, MS_ENOMEM, "store", "no memory for a cursor");
    int rc = mdb_cursor_open(txn->txn, txn->store->dbis[table], &self->cursor);
    if (rc) {
        free(self);
        return lmdb_error(err, rc, table_names[table]);
    }
    if (prefix_len)
        memcpy(self->prefix, prefix, prefix_len);
    self->prefix_len = prefix_len;
    *cursor_p = self;
    return 0;
}

static int position(ms_cursor_t *self, MDB_val *k, MDB_val *v, MDB_cursor_op op, ms_val_t *key,
                    ms_val_t *val, ms_error_t *err)
{
    int rc = mdb_cursor_get(self->cursor, k, v, op);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return lmdb_error(err, rc, _("cursor"));
    if (k->mv_size < self->prefix_len || memcmp(k->mv_data, self->prefix, self->prefix_len) != 0)
        return 0;
    key->data = k->mv_data;
    key->len = k->mv_size;
    val->data = v->mv_data;
    val->len = v->mv_size;
    return 1;
}

int ms_cursor_next(ms_cursor_t *self, ms_val_t *key, ms_val_t *val, ms_error_t *err)
{
    MDB_val k = {self->prefix_len, self->prefix}, v;
    if (self->started)
        return position(self, &k, &v, MDB_NEXT, key, val, err);
    self->started = true;
    return position(self, &k, &v, self->prefix_len ? MDB_SET_RANGE : MDB_FIRST, key, val, err);
}

int ms_cursor_seek(ms_cursor_t *self, const void *from, size_t from_len, ms_val_t *key,
                   ms_val_t *val, ms_error_t *err)
{
    MDB_val k = {from_len, (void *)from}, v;
    self->started = true;
    return position(self, &k, &v, MDB_SET_RANGE, key, val, err);
}

void ms_cursor_close(ms_cursor_t **cursor_p)
{
    if (!cursor_p || !*cursor_p)
        return;
    mdb_cursor_close((*cursor_p)->cursor);
    free(*cursor_p);
    *cursor_p = NULL;
}

int ms_store_usage(ms_store_t *self, uint64_t *map_bytes, uint64_t *used_bytes, ms_error_t *err)
{
    int rc = usage(self, map_bytes, used_bytes);
    return rc ? lmdb_error(err, rc, _("usage")) : 0;
}

uint64_t ms_store_generation(ms_store_t *self)
{
    MDB_envinfo info;
    return mdb_env_info(self->env, &info) == 0 ? (uint64_t)info.me_last_txnid : 0;
}

//  Spelt out byte by byte, which compilers turn into one swap and one move.
void ms_put_be64(uint8_t *out, uint64_t value)
{
    out[0] = (uint8_t)(value >> 56), out[1] = (uint8_t)(value >> 48);
    out[2] = (uint8_t)(value >> 40), out[3] = (uint8_t)(value >> 32);
    out[4] = (uint8_t)(value >> 24), out[5] = (uint8_t)(value >> 16);
    out[6] = (uint8_t)(value >> 8), out[7] = (uint8_t)value;
}

uint64_t ms_get_be64(const uint8_t *in)
{
    return (uint64_t)in[0] << 56 | (uint64_t)in[1] << 48 | (uint64_t)in[2] << 40 |
           (uint64_t)in[3] << 32 | (uint64_t)in[4] << 24 | (uint64_t)in[5] << 16 |
           (uint64_t)in[6] << 8 | in[7];
}
