//  backup - a sealed copy of a whole node (restore.h rebuilds a node from one).
//
//  A backup is everything a node needs to continue on another machine: every
//  table of its store (identity, heads, envelopes, records, trust,
//  revocations, quarantine, peers' acknowledgements, views and indexes, the
//  mutual's tally among them), read in one LMDB read transaction so it is one
//  consistent snapshot. It is sealed with a key derived from a passphrase, so
//  the parent that keeps it (or whoever finds the USB key) cannot read it.
//
//  What it does not hold: the node's secret key (the seed in node.key). The
//  machine that continues a node gets a new key, which the parent certifies
//  as the successor of the old one (a revocation names, per feed, the last
//  seq the old key validly signed; trust.h): a seed in a blob kept at the
//  parent would be one guessed passphrase away from signing as the mutual,
//  and a laptop restored from an old copy that kept signing with the old key
//  would fork its own feeds wherever the parent already holds later change
//  sets. The backup carries the old key's public half and, in its heads, the
//  positions the succession continues from.
//
//  The sealed file (all integers big-endian):
//      "MSBACKUP"  magic (8)
//      version     1 byte (MS_BACKUP_VERSION)
//      org         1 length byte (1..MS_ORG_MAX) + the org id, in clear, so a
//                  parent can file a blob without the passphrase
//      salt        crypto_pwhash_SALTBYTES (16), Argon2id
//      opslimit    8, memlimit 8 (bytes): Argon2id's cost, as sealed
//      created     8: UTC seconds (informative)
//      stream      crypto_secretstream_xchacha20poly1305_HEADERBYTES (24)
//  then chunks: a 4-byte length and that many bytes of one secretstream
//  message (at most MS_BACKUP_CHUNK plaintext bytes + its 17-byte tag), the
//  whole header above as additional data of each, the last one tagged FINAL
//  and nothing after it. Any changed, added or removed byte fails a tag.
//  The plaintext is one zstd frame of: version (1), org (length byte + id),
//  old key (32), created (8); then per entry a table code (1), key length
//  (4), key, value length (4), value; then the code 0xFF and the entry
//  count (8).

#ifndef MS_BACKUP_H
#define MS_BACKUP_H

#include "mutsync/node.h"

#define MS_BACKUP_MAGIC "MSBACKUP"
#define MS_BACKUP_VERSION 1
#define MS_BACKUP_CHUNK (64 * 1024)           //  plaintext bytes per sealed chunk
#define MS_BACKUP_VALUE_MAX (16 << 20)        //  bytes in one stored value carried
#define MS_BACKUP_PASSPHRASE_MAX 1024         //  bytes in a passphrase, NUL included
#define MS_BACKUP_FILE "backup/pending.msbk"  //  under DIR: the copy waiting for the parent
#define MS_BACKUP_FROM_PARENT "backup/from-parent.msbk"  //  under DIR: fetched from the parent

//  Argon2id's cost when sealing: libsodium's MODERATE (3 passes over 256
//  MiB, about a second on a current laptop). Opening accepts what the
//  header says, between libsodium's MIN and SENSITIVE.
typedef struct {
    unsigned long long opslimit;  //  passes; 0 for crypto_pwhash_OPSLIMIT_MODERATE
    size_t memlimit;              //  bytes; 0 for crypto_pwhash_MEMLIMIT_MODERATE
} ms_backup_seal_options_t;

//  What a backup holds, filled by seal, verify and restore.
typedef struct {
    char org[MS_ORG_MAX + 1];       //  the node backed up
    uint8_t old_key[MS_KEY_BYTES];  //  the key that signed its feeds when it was sealed
    uint8_t key[MS_KEY_BYTES];      //  restore.h: the key in DIR/node.key now
    int64_t created;                //  UTC seconds, when sealed
    uint64_t feeds;                 //  heads
    uint64_t envelopes;             //  change sets
    uint64_t records;               //  records of every collection
    uint64_t entries;               //  stored entries of every table
    uint64_t bytes;                 //  size of the sealed blob
} ms_backup_info_t;

//  Seals a snapshot of NODE with PASSPHRASE (PASSPHRASE_LEN bytes, not
//  empty). OPTS may be NULL (the defaults). On success *BLOB (malloc'd, the
//  caller frees it) holds BLOB_LEN bytes and INFO (may be NULL) what went in.
//  Memory beyond the blob is bounded (a few chunks and zstd's window).
//  Returns 0; MS_EINVAL (empty passphrase, a stored value over
//  MS_BACKUP_VALUE_MAX); MS_ENOMEM; MS_ECRYPTO; or a store error. On failure
//  *BLOB is NULL.
MS_MUST_CHECK int ms_backup_seal(ms_node_t *node, const char *passphrase, size_t passphrase_len,
                                 const ms_backup_seal_options_t *opts, uint8_t **blob,
                                 size_t *blob_len, ms_backup_info_t *info, ms_error_t *err);

//  As ms_backup_seal, streamed to PATH: written to PATH.tmp (mode 0600),
//  fsynced, then renamed over PATH, so PATH is either the old file or the
//  whole new one. Returns as ms_backup_seal, or MS_EIO.
MS_MUST_CHECK int ms_backup_save(ms_node_t *node, const char *passphrase, size_t passphrase_len,
                                 const ms_backup_seal_options_t *opts, const char *path,
                                 ms_backup_info_t *info, ms_error_t *err);

//  Reads the org id from the clear header of BLOB into ORG (MS_ORG_MAX + 1
//  bytes), without the passphrase, for a parent to file the blob. The
//  header is checked whole (magic, version, a valid org id, costs within
//  bounds, room for the stream header), not authenticated: only the
//  passphrase proves it. Returns 0 or MS_EINVAL (ORG is then "").
MS_MUST_CHECK int ms_backup_org(const uint8_t *blob, size_t len, char *org, ms_error_t *err);

//  Decrypts and reads all of BLOB, writing nothing. Returns 0 with INFO
//  filled (may be NULL); MS_ECRYPTO "wrong passphrase or damaged backup"
//  when any byte was changed, added or cut off, or the passphrase is not
//  the one it was sealed with; MS_EINVAL for a malformed header; MS_ENOMEM.
MS_MUST_CHECK int ms_backup_verify(const uint8_t *blob, size_t len, const char *passphrase,
                                   size_t passphrase_len, ms_backup_info_t *info, ms_error_t *err);

//  An opened backup: its header parsed, its key derived; no chunk read yet.
typedef struct ms_backup ms_backup_t;

//  Parses BLOB's header and derives its key from PASSPHRASE (Argon2id with
//  the costs the header names: this is the slow step). BLOB is borrowed and
//  must outlive the backup. On success *BACKUP_P owns the key: close with
//  ms_backup_close. Nothing is authenticated yet: a wrong passphrase shows
//  at the first ms_backup_read. Returns 0; MS_EINVAL (malformed header,
//  empty passphrase); MS_ENOMEM (also: no memory for Argon2id); MS_ECRYPTO.
MS_MUST_CHECK int ms_backup_open(const uint8_t *blob, size_t len, const char *passphrase,
                                 size_t passphrase_len, ms_backup_t **backup_p, ms_error_t *err);

//  Wipes the key, frees the backup, sets *BACKUP_P to NULL. Safe on NULL and twice.
void ms_backup_close(ms_backup_t **backup_p);

//  Called for each stored entry, in the order sealed: table by table, META
//  first, keys in LMDB order within a table. KEY and VAL are borrowed for
//  the call. A non-zero return stops the read and is returned.
typedef int (*ms_backup_entry_fn)(ms_table_t table, const ms_val_t *key, const ms_val_t *val,
                                  void *ctx, ms_error_t *err);

//  Reads the whole backup from its first chunk (again on every call),
//  handing each entry to FN (may be NULL). Each chunk is authenticated
//  before any of its bytes is used, but the backup is proven whole only
//  when this returns 0: a caller that keeps what FN saw must be able to
//  undo it (one transaction), or read twice. Returns 0 with INFO (may be
//  NULL); MS_ECRYPTO "wrong passphrase or damaged backup" when any byte was
//  changed, added or cut off, or the passphrase is not the sealing one;
//  MS_EINVAL for content this version cannot read; MS_ENOMEM; FN's code.
MS_MUST_CHECK int ms_backup_read(ms_backup_t *self, ms_backup_entry_fn fn, void *ctx,
                                 ms_backup_info_t *info, ms_error_t *err);

//  Opens, reads and closes BLOB, writing nothing: does PASSPHRASE open it,
//  and is every byte as sealed? Returns as ms_backup_open and ms_backup_read.
MS_MUST_CHECK int ms_backup_verify(const uint8_t *blob, size_t len, const char *passphrase,
                                   size_t passphrase_len, ms_backup_info_t *info, ms_error_t *err);

//  Reads a passphrase file: its first line, without the line end, into BUF
//  (CAP bytes, NUL-terminated; *LEN gets its length). Refused: a file that
//  group or others may read or write (MS_EPERM, chmod 600), an empty first
//  line (MS_EINVAL), a line of CAP bytes or more (MS_EINVAL). Read with
//  read(2), so no stdio buffer keeps a copy; the caller wipes BUF
//  (sodium_memzero) after use; on failure it is wiped here. Returns 0,
//  MS_EPERM, MS_EINVAL or MS_EIO.
MS_MUST_CHECK int ms_backup_passphrase_load(const char *path, char *buf, size_t cap, size_t *len,
                                            ms_error_t *err);

#endif
