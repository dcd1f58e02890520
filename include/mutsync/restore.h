//  restore - a node directory rebuilt from a sealed backup (backup.h).
//
//  Two ways in. A new directory: the node gets a new key pair. A directory
//  that already holds the key to continue with (made by `init --invite`, so
//  the parent could certify the key first) and no change sets yet: that
//  key is kept. Either way the store becomes the backup's, every table of
//  it, and the identity is the backup's with the key of DIR/node.key.
//
//  A key that is not the one that signed the backup's feeds is a successor.
//  The org's own trust entry then stops being an anchor and stays the old
//  key's certificate: the old feeds verify as before (`feed verify`), and
//  the new key signs nothing this node accepts until the parent's
//  certificate of it and its revocation of the old key arrive, by sync or
//  bundle, as at every other replica; the revocation's positions (the last
//  seq the old key signed in each feed, whatever the parent holds past the
//  backup) are where the new key continues. A trust root (a secretariat)
//  has nobody to certify a successor: its backup restores only into a
//  directory holding its own old node.key.
//
//  Nothing is written until every chunk has been verified: the backup is
//  read once writing nothing, then again into one LMDB write transaction
//  (for a new directory, in a directory beside it that is renamed to DIR at
//  the end). A refusal leaves DIR as it was.

#ifndef MS_RESTORE_H
#define MS_RESTORE_H

#include "mutsync/backup.h"

typedef struct {
    //  false: DIR must not exist, or be an empty directory; the restored
    //  node gets a new key pair (DIR/node.key, mode 0600).
    //  true: DIR holds node.key (kept), and at most a store without change
    //  sets whose identity, when there is one, names the backup's org.
    bool keep_key;
} ms_restore_options_t;

//  Rebuilds in DIR the node sealed in BLOB (LEN bytes) with PASSPHRASE.
//  OPTS may be NULL (keep_key false). Returns 0 with INFO (may be NULL;
//  INFO->key is the key the node now has); MS_ECRYPTO "wrong passphrase or
//  damaged backup"; MS_EINVAL (malformed, another org than DIR's, a trust
//  root with a new key, an empty passphrase); MS_EEXIST (DIR is not empty,
//  or holds change sets); MS_ENOTFOUND (keep_key and no DIR/node.key);
//  MS_EPERM (node.key readable by others); MS_EIO; MS_ENOMEM; or a store
//  error. On failure DIR is as it was.
MS_MUST_CHECK int ms_restore_blob(const char *dir, const uint8_t *blob, size_t len,
                                  const char *passphrase, size_t passphrase_len,
                                  const ms_restore_options_t *opts, ms_backup_info_t *info,
                                  ms_error_t *err);

//  As ms_restore_blob, from the sealed file at PATH (mapped, not copied
//  into memory). Returns as ms_restore_blob, or MS_EIO / MS_EINVAL (empty).
MS_MUST_CHECK int ms_restore_file(const char *dir, const char *path, const char *passphrase,
                                  size_t passphrase_len, const ms_restore_options_t *opts,
                                  ms_backup_info_t *info, ms_error_t *err);

#endif
