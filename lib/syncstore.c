//  syncstore - what a sync session keeps in the node's store and folder.

#include "mutsync/syncstore.h"

#include "mutsync/anchor.h"
#include "mutsync/backup.h"
#include "mutsync/backupstore.h"
#include "mutsync/chunkfile.h"
#include "mutsync/log.h"
#include "mutsync/quarantine.h"
#include "mutsync/resolve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const char *peer, *source;
    const uint8_t *bytes;
    size_t len;
    const char *detail;
} frame_t;

static int write_frame(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    frame_t *f = arg;
    ms_quarantine_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.when = (int64_t)time(NULL);
    entry.reason = MS_REFUSAL_MALFORMED;
    snprintf(entry.origin, sizeof entry.origin, "%s", f->peer);
    snprintf(entry.detail, sizeof entry.detail, "%s", f->detail);
    snprintf(entry.source, sizeof entry.source, "%s", f->source);
    entry.envelope = f->bytes;
    entry.envelope_len = f->len < MS_SYNCSTORE_FRAME_MAX ? f->len : MS_SYNCSTORE_FRAME_MAX;
    return ms_quarantine_add(txn, &entry, NULL, err);
}

void ms_syncstore_quarantine_frame(ms_node_t *node, const char *peer, const char *source,
                                   const uint8_t *bytes, size_t len, const char *detail)
{
    frame_t f = {peer, source, bytes, len, detail};
    ms_error_t err = {0};
    if (ms_store_write(ms_node_store(node), write_frame, &f, &err) != 0)
        ms_log(MS_LOG_ERROR, "sync", "cannot quarantine a frame from %s: %s", peer, err.message);
}

typedef struct {
    ms_node_t *node;
    const char *reason;
} fork_t;

static int write_fork(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    fork_t *f = arg;
    return ms_node_set_forked(f->node, txn, f->reason, err);
}

int ms_syncstore_mark_fork(ms_node_t *node, const char *reason, ms_error_t *err)
{
    fork_t f = {node, reason};
    return ms_store_write(ms_node_store(node), write_fork, &f, err);
}

int ms_syncstore_fork(ms_node_t *node, char *reason, size_t cap, ms_error_t *err)
{
    ms_txn_t *txn;
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    if (rc == 0)
        rc = ms_node_forked(node, txn, reason, cap, err);
    ms_txn_abort(&txn);
    return rc;
}

typedef struct {
    const char *source, *org, *feed;
    uint64_t seq;
    const uint8_t *hash;
} claim_t;

static int write_claim(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    claim_t *c = arg;
    return ms_resolve_note_claim(txn, c->org, c->feed, c->seq, c->hash, c->source, err);
}

void ms_syncstore_note_claim(ms_node_t *node, const char *source, const char *org, const char *feed,
                             uint64_t seq, const uint8_t *hash)
{
    claim_t c = {source, org, feed, seq, hash};
    ms_error_t err = {0};
    if (ms_store_write(ms_node_store(node), write_claim, &c, &err) != 0)
        ms_log(MS_LOG_ERROR, "sync", "cannot record the fork of %s: %s", org, err.message);
}

static int clear_pending(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    return ms_node_clear_pending(arg, txn, err);
}

int ms_syncstore_settle(ms_node_t *node, ms_error_t *err)
{
    return ms_store_write(ms_node_store(node), clear_pending, node, err);
}

typedef struct {
    const char *peer;
    const ms_sync_heads_t *scope;
} peer_t;

static int write_peer(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    peer_t *p = arg;
    return ms_scope_save_peer(txn, p->peer, p->scope, err);
}

int ms_syncstore_save_peer(ms_node_t *node, const char *peer, const ms_sync_heads_t *scope,
                           ms_error_t *err)
{
    peer_t p = {peer, scope};
    return ms_store_write(ms_node_store(node), write_peer, &p, err);
}

void ms_syncstore_cache_clear(ms_syncstore_cache_t *cache)
{
    ms_sync_heads_clear(&cache->scope);
    memset(cache, 0, sizeof *cache);
}

static int heads_copy(ms_sync_heads_t *to, const ms_sync_heads_t *from, ms_error_t *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < from->count; i++) {
        ms_head_t head = {.seq = from->items[i].seq};
        memcpy(head.hash, from->items[i].hash, MS_HASH_BYTES);
        rc = ms_sync_heads_add(to, from->items[i].org, from->items[i].feed, &head, err);
    }
    return rc;
}

int ms_syncstore_heads(ms_node_t *node, const char *peer, bool up, ms_syncstore_cache_t *cache,
                       ms_sync_heads_t *scope, uint8_t *digest, ms_error_t *err)
{
    //  The generation is read before the snapshot: a write in between makes
    //  the cache look older than it is (read again next time), never newer.
    uint64_t generation = ms_store_generation(ms_node_store(node));
    bool cached = up && digest && cache && generation;
    if (cached && cache->generation == generation) {
        memcpy(digest, cache->digest, MS_SYNC_DIGEST_BYTES);
        return heads_copy(scope, &cache->scope, err);
    }
    ms_txn_t *txn;
    const ms_identity_t *id = ms_node_identity(node);
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    if (rc == 0)
        rc = up ? ms_scope_up(txn, id, scope, err) : ms_scope_down(txn, id, peer, scope, err);
    if (rc == 0 && digest)
        rc = ms_scope_digest(txn, peer, scope, digest, err);
    ms_txn_abort(&txn);
    if (rc || !cached)
        return rc;
    ms_syncstore_cache_clear(cache);
    if (heads_copy(&cache->scope, scope, NULL) != 0) {
        ms_syncstore_cache_clear(cache);  //  no memory: no cache, the heads are right
        return 0;
    }
    memcpy(cache->digest, digest, MS_SYNC_DIGEST_BYTES);
    cache->generation = generation;
    return 0;
}

static void backup_path(ms_node_t *node, const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", ms_store_dir(ms_node_store(node)), name);
}

bool ms_syncstore_open_pending_backup(ms_node_t *node, uint64_t *total, uint8_t *digest,
                                      ms_chunkfile_t **file_p)
{
    char path[4096];
    ms_error_t err = {0};
    backup_path(node, MS_BACKUP_FILE, path, sizeof path);
    int rc = ms_chunkfile_open_read(path, MS_SYNC_BACKUP_MAX, total, digest, file_p, &err);
    if (rc == MS_EINVAL)
        ms_log(MS_LOG_WARN, "sync",
               "the sealed backup is empty or over %u bytes: too large for the link, keep it on "
               "a USB key (mutsync backup --out FILE)",
               MS_SYNC_BACKUP_MAX);
    else if (rc && rc != MS_ENOTFOUND)
        ms_log(MS_LOG_WARN, "sync", "cannot read the pending backup: %s", err.message);
    return rc == 0;
}

void ms_syncstore_backup_delivered(ms_node_t *node, const ms_chunkfile_t *file)
{
    char path[4096];
    backup_path(node, MS_BACKUP_FILE, path, sizeof path);
    if (ms_chunkfile_same(file, path))
        unlink(path);
}

//  Makes the node's backup folder and names the parent's backup (PATH)
//  and the file it is written to first (TMP).
static int parent_backup_paths(ms_node_t *node, char path[4096], char tmp[4200], ms_error_t *err)
{
    backup_path(node, "backup", path, 4096);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return ms_error_set(err, MS_EIO, path, "cannot create the folder: %s", strerror(errno));
    backup_path(node, MS_BACKUP_FROM_PARENT, path, 4096);
    snprintf(tmp, 4200, "%s.tmp", path);
    return 0;
}

int ms_syncstore_save_parent_backup(ms_node_t *node, const uint8_t *blob, size_t len,
                                    ms_error_t *err)
{
    char path[4096], tmp[4200];
    int rc = parent_backup_paths(node, path, tmp, err);
    if (rc)
        return rc;
    FILE *out = fopen(tmp, "wb");
    bool ok = out && fwrite(blob, 1, len, out) == len;
    if (out && fclose(out) != 0)
        ok = false;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return ms_error_set(err, MS_EIO, path, "cannot write the parent's backup");
    }
    return 0;
}

int ms_syncstore_receive_parent_backup(ms_node_t *node, uint64_t total, const uint8_t *digest,
                                       ms_chunkfile_t **file_p, ms_error_t *err)
{
    char path[4096], tmp[4200];
    int rc = parent_backup_paths(node, path, tmp, err);
    return rc ? rc : ms_chunkfile_open_write(tmp, total, digest, false, file_p, err);
}

int ms_syncstore_finish_parent_backup(ms_node_t *node, ms_chunkfile_t *file, ms_error_t *err)
{
    char path[4096];
    backup_path(node, MS_BACKUP_FROM_PARENT, path, sizeof path);
    return ms_chunkfile_finish(file, path, err);
}

//  The org named in the clear header of the backup received into FILE.
static int received_org(ms_chunkfile_t *file, char *org, ms_error_t *err)
{
    uint8_t head[512];
    FILE *in = fopen(ms_chunkfile_tmp(file), "rb");
    size_t len = in ? fread(head, 1, sizeof head, in) : 0;
    if (in)
        fclose(in);
    return ms_backup_org(head, len, org, err);
}

static int check_org(const char *child, const char *org, int rc, ms_error_t *err)
{
    return rc || strcmp(org, child) != 0
               ? ms_error_set(err, MS_EINVAL, child, "this is not a sealed backup of %s", child)
               : 0;
}

int ms_syncstore_receive_backup(ms_node_t *node, const char *child, uint64_t total,
                                const uint8_t *digest, ms_chunkfile_t **file_p, ms_error_t *err)
{
    char tmp[4200];
    int rc = ms_backupstore_incoming(ms_store_dir(ms_node_store(node)), child, digest, tmp,
                                     sizeof tmp, err);
    return rc ? rc : ms_chunkfile_open_write(tmp, total, digest, true, file_p, err);
}

//  The backup store refused CHILD's backup (ERR says why): MS_ESTORE, the
//  reason kept (copied first: ms_error_set writes over ERR's message).
static int not_kept(ms_node_t *node, const char *child, ms_error_t *err)
{
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err->message);
    return ms_error_set(err, MS_ESTORE, child, "%s could not keep the backup: %s",
                        ms_node_identity(node)->org, why);
}

int ms_syncstore_keep_received(ms_node_t *node, const char *child, ms_chunkfile_t *file,
                               ms_error_t *err)
{
    char org[MS_ORG_MAX + 1];
    int rc = ms_chunkfile_finish(file, NULL, err);
    if (rc == 0)
        rc = check_org(child, org, received_org(file, org, err), err);
    if (rc == 0 && ms_backupstore_keep(ms_store_dir(ms_node_store(node)), child,
                                       ms_chunkfile_tmp(file), err) != 0)
        rc = not_kept(node, child, err);
    return rc;
}

int ms_syncstore_keep_backup(ms_node_t *node, const char *child, const uint8_t *blob, size_t len,
                             ms_error_t *err)
{
    char org[MS_ORG_MAX + 1];
    int rc = check_org(child, org, ms_backup_org(blob, len, org, err), err);
    if (rc)
        return rc;
    rc = ms_backupstore_put(ms_store_dir(ms_node_store(node)), child, blob, len, err);
    return rc ? not_kept(node, child, err) : 0;
}

int ms_syncstore_open_kept_backup(ms_node_t *node, const char *child, uint64_t *total,
                                  uint8_t *digest, ms_chunkfile_t **file_p, ms_error_t *err)
{
    char file[4200];
    int rc = ms_backupstore_latest_path(ms_store_dir(ms_node_store(node)), child, file, sizeof file,
                                        err);
    return rc ? rc : ms_chunkfile_open_read(file, MS_SYNC_BACKUP_MAX, total, digest, file_p, err);
}

int ms_syncstore_chain(ms_node_t *node, uint8_t **chain, size_t *len, ms_error_t *err)
{
    ms_txn_t *txn;
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    if (rc == 0)
        rc = ms_anchor_chain(txn, ms_node_identity(node)->org, chain, len, err);
    ms_txn_abort(&txn);
    return rc;
}
