//  syncstore - what a sync session keeps in the node's store and folder,
//  apart from the batches themselves (feedio.h): a bad frame kept as
//  evidence, the mark of a fork of our own feeds and a child's claim of
//  another branch, the end of the pending mark, the scope remembered for
//  the next idle check, the sealed backups sent and received in chunks, and the
//  chain a child without the root key asks for. Each call is one
//  transaction or one file; sync.c keeps the protocol and its state.

#ifndef MS_SYNCSTORE_H
#define MS_SYNCSTORE_H

#include "mutsync/chunkfile.h"
#include "mutsync/node.h"
#include "mutsync/syncscope.h"

#define MS_SYNCSTORE_FRAME_MAX (64 * 1024)  //  bytes of a bad frame kept as evidence

//  Keeps the first MS_SYNCSTORE_FRAME_MAX bytes of a frame from PEER that
//  did not decode, with DETAIL, in the quarantine (SOURCE "peer ORG").
//  Logs, never fails: evidence is best effort.
void ms_syncstore_quarantine_frame(ms_node_t *node, const char *peer, const char *source,
                                   const uint8_t *bytes, size_t len, const char *detail);

//  Marks NODE forked with REASON: it refuses to write until its parent's
//  resolution arrives (node.h). Returns 0 or MS_E*.
MS_MUST_CHECK int ms_syncstore_mark_fork(ms_node_t *node, const char *reason, ms_error_t *err);

//  Reads the fork mark into REASON (CAP bytes): 0 while forked,
//  MS_ENOTFOUND once a resolution cleared it, or MS_ESTORE.
MS_MUST_CHECK int ms_syncstore_fork(ms_node_t *node, char *reason, size_t cap, ms_error_t *err);

//  Keeps a child's word that it holds change set HASH at SEQ of its own
//  FEED (another branch than ours, which it cannot send), for the operator
//  who resolves the fork (resolve.h). Logs, never fails.
void ms_syncstore_note_claim(ms_node_t *node, const char *source, const char *org, const char *feed,
                             uint64_t seq, const uint8_t *hash);

//  A complete session with the parent: NODE may write (node.h, pending).
MS_MUST_CHECK int ms_syncstore_settle(ms_node_t *node, ms_error_t *err);

//  Remembers SCOPE as what PEER held at the end of the session, for the
//  next idle check's digest (syncscope.h).
MS_MUST_CHECK int ms_syncstore_save_peer(ms_node_t *node, const char *peer,
                                         const ms_sync_heads_t *scope, ms_error_t *err);

//  The upward heads and digest of an earlier session, kept by a link that
//  checks with its parent again and again: while the store has not changed
//  (ms_store_generation), the next check reuses them instead of walking
//  every feed below this node (a union's thousand children) once more.
typedef struct {
    uint64_t generation;                   //  of the store they were read at; 0: none
    ms_sync_heads_t scope;                 //
    uint8_t digest[MS_SYNC_DIGEST_BYTES];  //
} ms_syncstore_cache_t;

//  Empties CACHE and frees what it holds.
void ms_syncstore_cache_clear(ms_syncstore_cache_t *cache);

//  Our heads for a session with PEER (UP: the parent's scope, else a
//  child's) and, when DIGEST is not NULL, their idle-check digest. CACHE
//  (may be NULL; UP only) is used and refreshed as its comment says.
MS_MUST_CHECK int ms_syncstore_heads(ms_node_t *node, const char *peer, bool up,
                                     ms_syncstore_cache_t *cache, ms_sync_heads_t *scope,
                                     uint8_t *digest, ms_error_t *err);

//  The sealed backup waiting for the parent (mutsync backup), opened to
//  send in chunks: returns true with *FILE_P, its size and digest, or
//  false when there is none, or it is over MS_SYNC_BACKUP_MAX (logged:
//  it stays for a USB key) or unreadable (logged).
bool ms_syncstore_open_pending_backup(ms_node_t *node, uint64_t *total, uint8_t *digest,
                                      ms_chunkfile_t **file_p);

//  The parent keeps the pending backup sent from FILE: it is removed here,
//  unless a newer one was sealed in its place meanwhile.
void ms_syncstore_backup_delivered(ms_node_t *node, const ms_chunkfile_t *file);

//  Writes the parent's latest backup of NODE, for restore --from-parent
//  (from an older parent, which sends it whole).
MS_MUST_CHECK int ms_syncstore_save_parent_backup(ms_node_t *node, const uint8_t *blob, size_t len,
                                                  ms_error_t *err);

//  Starts receiving the parent's latest backup of NODE (TOTAL bytes, its
//  DIGEST) beside MS_BACKUP_FROM_PARENT; ms_syncstore_finish_parent_backup
//  verifies it and renames it there. Returns 0 or MS_EIO.
MS_MUST_CHECK int ms_syncstore_receive_parent_backup(ms_node_t *node, uint64_t total,
                                                     const uint8_t *digest, ms_chunkfile_t **file_p,
                                                     ms_error_t *err);
MS_MUST_CHECK int ms_syncstore_finish_parent_backup(ms_node_t *node, ms_chunkfile_t *file,
                                                    ms_error_t *err);

//  Starts receiving CHILD's sealed backup (TOTAL bytes, its DIGEST) into its
//  incoming file (backupstore.h), after the bytes a cut transfer of the same
//  backup left there (ms_chunkfile_received). Returns 0 or MS_EIO.
MS_MUST_CHECK int ms_syncstore_receive_backup(ms_node_t *node, const char *child, uint64_t total,
                                              const uint8_t *digest, ms_chunkfile_t **file_p,
                                              ms_error_t *err);

//  Verifies the backup received in FILE (size, digest, a sealed header of
//  CHILD) and keeps it as CHILD's latest. MS_EINVAL when it is not a
//  sealed backup of CHILD or was damaged, MS_ESTORE when it cannot be kept.
MS_MUST_CHECK int ms_syncstore_keep_received(ms_node_t *node, const char *child,
                                             ms_chunkfile_t *file, ms_error_t *err);

//  Keeps CHILD's sealed backup carried whole (older children): MS_EINVAL
//  when it is not a sealed backup of CHILD, MS_ESTORE when it cannot be kept.
MS_MUST_CHECK int ms_syncstore_keep_backup(ms_node_t *node, const char *child, const uint8_t *blob,
                                           size_t len, ms_error_t *err);

//  Opens the latest backup kept for CHILD to send it in chunks. Returns 0,
//  MS_ENOTFOUND (none kept), MS_EINVAL or MS_EIO.
MS_MUST_CHECK int ms_syncstore_open_kept_backup(ms_node_t *node, const char *child, uint64_t *total,
                                                uint8_t *digest, ms_chunkfile_t **file_p,
                                                ms_error_t *err);

//  NODE's chain up to the root (anchor.h), *CHAIN malloc'd (NULL when none).
MS_MUST_CHECK int ms_syncstore_chain(ms_node_t *node, uint8_t **chain, size_t *len,
                                     ms_error_t *err);

#endif
