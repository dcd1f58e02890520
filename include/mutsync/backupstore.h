//  backupstore - the sealed backups a parent keeps for its children.
//
//  A child's sealed backup (backup.h) travels in chunks after its Hello
//  (older children: inside it); the parent, which cannot read it, receives
//  it into an incoming file of DIR/backups/ORG/ and, once complete, verified and
//  fsynced, renames it among the kept ones under DIR/backups/ORG/, before it
//  acknowledges it. A quota bounds what a child can make its parent store:
//  at most MS_BACKUPSTORE_KEEP backups and MS_BACKUPSTORE_QUOTA bytes kept
//  (the newest always stays; it is at most MS_SYNC_BACKUP_MAX, syncmsg.h),
//  plus the one incoming file.

#ifndef MS_BACKUPSTORE_H
#define MS_BACKUPSTORE_H

#include "mutsync/error.h"

#include <stddef.h>
#include <stdint.h>

#define MS_BACKUPSTORE_KEEP 3                        //  backups kept per child
#define MS_BACKUPSTORE_QUOTA (512ull * 1024 * 1024)  //  bytes kept per child

//  Makes DIR/backups/ORG/ if needed and writes into TMP (CAP bytes) the
//  name of the file a backup of ORG whose BLAKE2b-256 is DIGEST is received
//  into: incoming-HEX.tmp (HEX: 16 bytes of DIGEST), or incoming.tmp when
//  DIGEST is NULL. Other incoming files of ORG are removed: a cut transfer
//  of the same backup can be resumed, and one child holds at most one.
//  Returns 0 or MS_EIO.
MS_MUST_CHECK int ms_backupstore_incoming(const char *dir, const char *org, const uint8_t *digest,
                                          char *tmp, size_t cap, ms_error_t *err);

//  Renames TMP (a complete, fsynced backup of ORG) to ORG's latest, then
//  drops the oldest past MS_BACKUPSTORE_KEEP or MS_BACKUPSTORE_QUOTA.
//  Returns 0 or MS_EIO (TMP is then left for the caller to remove).
MS_MUST_CHECK int ms_backupstore_keep(const char *dir, const char *org, const char *tmp,
                                      ms_error_t *err);

//  The file of ORG's latest backup into FILE (CAP bytes). Returns 0,
//  MS_ENOTFOUND (none kept) or MS_EIO.
MS_MUST_CHECK int ms_backupstore_latest_path(const char *dir, const char *org, char *file,
                                             size_t cap, ms_error_t *err);

//  Keeps BLOB (LEN bytes) as ORG's latest backup in the node directory DIR,
//  as ms_backupstore_keep does. Returns 0 or MS_EIO.
MS_MUST_CHECK int ms_backupstore_put(const char *dir, const char *org, const uint8_t *blob,
                                     size_t len, ms_error_t *err);

//  Reads ORG's latest backup into a new buffer (*BLOB, caller frees).
//  Returns 0, MS_ENOTFOUND (none kept), MS_EIO or MS_ENOMEM.
MS_MUST_CHECK int ms_backupstore_latest(const char *dir, const char *org, uint8_t **blob,
                                        size_t *len, ms_error_t *err);

#endif
