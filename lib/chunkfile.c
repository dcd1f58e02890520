//  chunkfile - a file sent or received in pieces, with a digest of the whole.
//
//  One struct serves both ends: a sender only reads (FD, TOTAL); a receiver
//  appends in order and hashes as it goes, so verifying at the end needs no
//  second pass (a resumed file is hashed once, when opened). A receiver's
//  temporary file is removed on close unless finish renamed it, or it is
//  resumable and not found damaged: a half file is never renamed, and only
//  a resumable one outlives a failed transfer, under its temporary name.

#include "mutsync/chunkfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ms_chunkfile {
    int fd;                                     //
    bool writing;                               //  a receiver
    bool kept;                                  //  receiver: renamed, keep it
    bool resumable;                             //  receiver: keep a partial file
    bool damaged;                               //  receiver: the digest did not match
    uint64_t total;                             //  bytes of the whole file
    uint64_t received;                          //  receiver: bytes written so far
    ino_t inode;                                //  sender: the file opened
    dev_t device;                               //
    uint8_t digest[MS_CHUNKFILE_DIGEST_BYTES];  //  announced (receiver) or computed
    crypto_generichash_state hash;              //  receiver: of the bytes so far
    char tmp[4096];                             //  receiver: temporary file
};

static int io_error(ms_error_t *err, const char *path, const char *what)
{
    return ms_error_set(err, MS_EIO, path, "%s: %s", what, strerror(errno));
}

int ms_chunkfile_open_read(const char *path, uint64_t max, uint64_t *total, uint8_t *digest,
                           ms_chunkfile_t **self_p, ms_error_t *err)
{
    *self_p = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? ms_error_set(err, MS_ENOTFOUND, path, "no such file")
                               : io_error(err, path, "cannot open");
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int rc = io_error(err, path, "cannot read");
        close(fd);
        return rc;
    }
    if (st.st_size <= 0 || (uint64_t)st.st_size > max) {
        close(fd);
        return ms_error_set(err, MS_EINVAL, path, "%lld bytes: the limit is %llu",
                            (long long)st.st_size, (unsigned long long)max);
    }
    ms_chunkfile_t *self = calloc(1, sizeof *self);
    uint8_t *buf = malloc(1 << 16);
    if (!self || !buf) {
        free(self);
        free(buf);
        close(fd);
        return ms_error_set(err, MS_ENOMEM, path, "no memory");
    }
    self->fd = fd;
    self->total = (uint64_t)st.st_size;
    self->inode = st.st_ino;
    self->device = st.st_dev;
    crypto_generichash_init(&self->hash, NULL, 0, MS_CHUNKFILE_DIGEST_BYTES);
    uint64_t done = 0;
    int rc = 0;
    while (rc == 0 && done < self->total) {
        size_t got = 0;
        rc = ms_chunkfile_read(self, done, buf, 1 << 16, &got, err);
        if (rc == 0 && got == 0)
            rc = ms_error_set(err, MS_EIO, path, "the file shrank while being read");
        crypto_generichash_update(&self->hash, buf, got);
        done += got;
    }
    free(buf);
    if (rc) {
        ms_chunkfile_close(&self);
        return rc;
    }
    crypto_generichash_final(&self->hash, self->digest, MS_CHUNKFILE_DIGEST_BYTES);
    memcpy(digest, self->digest, MS_CHUNKFILE_DIGEST_BYTES);
    *total = self->total;
    *self_p = self;
    return 0;
}

int ms_chunkfile_read(ms_chunkfile_t *self, uint64_t offset, uint8_t *buf, size_t cap,
                      size_t *len_p, ms_error_t *err)
{
    *len_p = 0;
    if (offset >= self->total)
        return 0;
    size_t want = self->total - offset < cap ? (size_t)(self->total - offset) : cap;
    while (*len_p < want) {
        ssize_t n = pread(self->fd, buf + *len_p, want - *len_p, (off_t)(offset + *len_p));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? io_error(err, "backup", "cannot read")
                         : ms_error_set(err, MS_EIO, "backup", "the file shrank while being sent");
        *len_p += (size_t)n;
    }
    return 0;
}

bool ms_chunkfile_same(const ms_chunkfile_t *self, const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_ino == self->inode && st.st_dev == self->device;
}

//  The bytes already in a resumed file: hashed, and the file positioned
//  after them; a file as long as the whole or longer starts again.
static int take_partial(ms_chunkfile_t *self, ms_error_t *err)
{
    struct stat st;
    if (fstat(self->fd, &st) != 0)
        return io_error(err, self->tmp, "cannot read");
    uint64_t size = (uint64_t)st.st_size;
    if (size >= self->total) {
        if (ftruncate(self->fd, 0) != 0)
            return io_error(err, self->tmp, "cannot truncate");
        size = 0;
    }
    uint8_t buf[16384];
    while (self->received < size) {
        size_t want =
            size - self->received < sizeof buf ? (size_t)(size - self->received) : sizeof buf;
        ssize_t n = pread(self->fd, buf, want, (off_t)self->received);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return io_error(err, self->tmp, "cannot read");
        crypto_generichash_update(&self->hash, buf, (size_t)n);
        self->received += (uint64_t)n;
    }
    if (lseek(self->fd, (off_t)size, SEEK_SET) < 0)
        return io_error(err, self->tmp, "cannot seek");
    return 0;
}

int ms_chunkfile_open_write(const char *tmp, uint64_t total, const uint8_t *digest, bool resume,
                            ms_chunkfile_t **self_p, ms_error_t *err)
{
    *self_p = NULL;
    ms_chunkfile_t *self = calloc(1, sizeof *self);
    if (!self)
        return ms_error_set(err, MS_ENOMEM, tmp, "no memory");
    if (snprintf(self->tmp, sizeof self->tmp, "%s", tmp) >= (int)sizeof self->tmp) {
        free(self);
        return ms_error_set(err, MS_EIO, tmp, "the path is too long");
    }
    self->fd = open(tmp, O_RDWR | O_CREAT | (resume ? 0 : O_TRUNC) | O_CLOEXEC, 0600);
    if (self->fd < 0) {
        int rc = io_error(err, tmp, "cannot create");
        free(self);
        return rc;
    }
    self->writing = true;
    self->resumable = resume;
    self->total = total;
    memcpy(self->digest, digest, MS_CHUNKFILE_DIGEST_BYTES);
    crypto_generichash_init(&self->hash, NULL, 0, MS_CHUNKFILE_DIGEST_BYTES);
    int rc = resume ? take_partial(self, err) : 0;
    if (rc) {
        self->damaged = true;
        ms_chunkfile_close(&self);
        return rc;
    }
    *self_p = self;
    return 0;
}

int ms_chunkfile_write(ms_chunkfile_t *self, uint64_t offset, const uint8_t *data, size_t len,
                       ms_error_t *err)
{
    if (!self->writing || offset != self->received || len > self->total - self->received)
        return ms_error_set(err, MS_EINVAL, "backup",
                            "%zu bytes at %llu do not follow the %llu held (of %llu)", len,
                            (unsigned long long)offset, (unsigned long long)self->received,
                            (unsigned long long)self->total);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(self->fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return io_error(err, self->tmp, "cannot write");
        done += (size_t)n;
    }
    crypto_generichash_update(&self->hash, data, len);
    self->received += len;
    return 0;
}

uint64_t ms_chunkfile_received(const ms_chunkfile_t *self)
{
    return self->writing ? self->received : self->total;
}

bool ms_chunkfile_complete(const ms_chunkfile_t *self)
{
    return ms_chunkfile_received(self) == self->total;
}

const char *ms_chunkfile_tmp(const ms_chunkfile_t *self)
{
    return self->tmp;
}

int ms_chunkfile_finish(ms_chunkfile_t *self, const char *path, ms_error_t *err)
{
    if (!self->writing || self->received != self->total)
        return ms_error_set(err, MS_EINVAL, "backup", "%llu of %llu bytes received",
                            (unsigned long long)self->received, (unsigned long long)self->total);
    uint8_t digest[MS_CHUNKFILE_DIGEST_BYTES];
    crypto_generichash_final(&self->hash, digest, sizeof digest);
    crypto_generichash_init(&self->hash, NULL, 0, MS_CHUNKFILE_DIGEST_BYTES);
    self->damaged = sodium_memcmp(digest, self->digest, sizeof digest) != 0;
    if (self->damaged)
        return ms_error_set(err, MS_EINVAL, "backup",
                            "the %llu bytes received do not match the announced digest",
                            (unsigned long long)self->total);
    if (fsync(self->fd) != 0)
        return io_error(err, self->tmp, "cannot sync");
    if (path && rename(self->tmp, path) != 0)
        return io_error(err, path, "cannot rename into place");
    self->kept = path != NULL;
    return 0;
}

void ms_chunkfile_close(ms_chunkfile_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    ms_chunkfile_t *self = *self_p;
    if (self->fd >= 0)
        close(self->fd);
    if (self->writing && !self->kept && (!self->resumable || self->damaged))
        unlink(self->tmp);
    free(self);
    *self_p = NULL;
}
