//  chunkfile - a file sent or received in pieces, with a digest of the whole.
//
//  A sealed backup crosses the sync link in chunks (BackupChunk, syncmsg.h)
//  so that neither side ever holds more than one chunk of it in memory. The
//  sender opens the file, learns its size and BLAKE2b-256 once, then reads
//  the chunk at each acknowledged offset. The receiver writes the chunks in
//  order to a temporary file (mode 0600) and, when the last one is in,
//  checks size and digest, fsyncs and renames it where it belongs: the
//  final name holds the whole verified file or nothing. Closing an
//  unfinished receiver removes its temporary file.

#ifndef MS_CHUNKFILE_H
#define MS_CHUNKFILE_H

#include "mutsync/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_CHUNKFILE_DIGEST_BYTES 32  //  BLAKE2b-256

typedef struct ms_chunkfile ms_chunkfile_t;

//  Opens PATH to send it: its size goes to *TOTAL, its digest to DIGEST.
//  Returns 0, MS_ENOTFOUND (no such file), MS_EINVAL (empty or over MAX
//  bytes; nothing is open) or MS_EIO. On failure *SELF_P stays NULL.
MS_MUST_CHECK int ms_chunkfile_open_read(const char *path, uint64_t max, uint64_t *total,
                                         uint8_t *digest, ms_chunkfile_t **self_p, ms_error_t *err);

//  Reads up to CAP bytes at OFFSET into BUF (*LEN_P of them; 0 at the end).
//  Returns 0 or MS_EIO (also when the file shrank under us).
MS_MUST_CHECK int ms_chunkfile_read(ms_chunkfile_t *self, uint64_t offset, uint8_t *buf, size_t cap,
                                    size_t *len_p, ms_error_t *err);

//  Says whether PATH is still the file SELF was opened from (same inode),
//  so that a newer file put in its place is not deleted for it.
bool ms_chunkfile_same(const ms_chunkfile_t *self, const char *path);

//  Opens TMP to receive TOTAL bytes whose digest is DIGEST. Without RESUME
//  TMP starts empty and goes when SELF is closed unfinished. With RESUME the
//  bytes already in TMP (a cut transfer of the same file: the caller names
//  TMP after DIGEST) are hashed and kept, and reception goes on after them
//  (ms_chunkfile_received); TMP then stays when SELF is closed unfinished,
//  for the next attempt, and goes only when finish finds it damaged.
//  Returns 0 or MS_EIO. On failure *SELF_P stays NULL.
MS_MUST_CHECK int ms_chunkfile_open_write(const char *tmp, uint64_t total, const uint8_t *digest,
                                          bool resume, ms_chunkfile_t **self_p, ms_error_t *err);

//  Appends LEN bytes that start at OFFSET. Returns 0, MS_EINVAL when OFFSET
//  is not the number of bytes received so far or the data would pass the
//  total, or MS_EIO.
MS_MUST_CHECK int ms_chunkfile_write(ms_chunkfile_t *self, uint64_t offset, const uint8_t *data,
                                     size_t len, ms_error_t *err);

//  Bytes received (or, for a sender, the size of the file).
uint64_t ms_chunkfile_received(const ms_chunkfile_t *self);

//  Whether every byte of the total was received.
bool ms_chunkfile_complete(const ms_chunkfile_t *self);

//  The receiver's temporary file name (lives as long as SELF).
const char *ms_chunkfile_tmp(const ms_chunkfile_t *self);

//  Checks that the file is complete with the announced digest and makes it
//  durable (fsync). When PATH is not NULL, renames it to PATH. Returns 0,
//  MS_EINVAL (incomplete, or the digest differs: a damaged transfer) or
//  MS_EIO. Close SELF afterwards either way.
MS_MUST_CHECK int ms_chunkfile_finish(ms_chunkfile_t *self, const char *path, ms_error_t *err);

//  Closes the file and sets *SELF_P to NULL; an unfinished or unrenamed
//  receiver's temporary file is removed (a resumable one only when
//  damaged). Safe on NULL and twice.
void ms_chunkfile_close(ms_chunkfile_t **self_p);

#endif
