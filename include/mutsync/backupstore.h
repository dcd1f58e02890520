//  backupstore - the sealed backups a parent keeps for its children.
//
//  A child's sealed backup (backup.h) travels in its Hello; the parent,
//  which cannot read it, keeps the last MS_BACKUPSTORE_KEEP per child under
//  DIR/backups/ORG/, each written beside and renamed, fsynced before the
//  parent answers. A quota bounds what a child can make its parent store:
//  the frame limit per backup, times the number kept.

#ifndef MS_BACKUPSTORE_H
#define MS_BACKUPSTORE_H

#include "mutsync/error.h"

#include <stddef.h>
#include <stdint.h>

#define MS_BACKUPSTORE_KEEP 3  //  backups kept per child

//  Keeps BLOB (LEN bytes) as ORG's latest backup in the node directory DIR,
//  dropping the oldest past MS_BACKUPSTORE_KEEP. Returns 0 or MS_EIO.
MS_MUST_CHECK int ms_backupstore_put(const char *dir, const char *org, const uint8_t *blob,
                                     size_t len, ms_error_t *err);

//  Reads ORG's latest backup into a new buffer (*BLOB, caller frees).
//  Returns 0, MS_ENOTFOUND (none kept), MS_EIO or MS_ENOMEM.
MS_MUST_CHECK int ms_backupstore_latest(const char *dir, const char *org, uint8_t **blob,
                                        size_t *len, ms_error_t *err);

#endif
