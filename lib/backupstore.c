//  backupstore - numbered files DIR/backups/ORG/NNNNNNNNNN.msbk; the
//  highest number is the latest. Numbers come from the files themselves,
//  so a crash between write and rename leaves only an incoming file, which
//  is never listed: named after the digest of the backup it receives, it
//  is resumed by the next transfer of the same backup, removed by that of
//  another.

#include "mutsync/backupstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  The numbers of ORG's backups, sorted: *COUNT of them (at most CAP).
static size_t numbers(const char *path, unsigned long *out, size_t cap)
{
    size_t count = 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        unsigned long n = 0;
        char tail[8] = "";
        if (sscanf(e->d_name, "%10lu.%7s", &n, tail) == 2 && strcmp(tail, "msbk") == 0 &&
            count < cap)
            out[count++] = n;
    }
    closedir(d);
    for (size_t i = 1; i < count; i++)
        for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
            unsigned long t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return count;
}

static int make_dirs(const char *dir, const char *org, char *path, size_t cap, ms_error_t *err)
{
    snprintf(path, cap, "%s/backups", dir);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return ms_error_set(err, MS_EIO, path, "cannot create: %s", strerror(errno));
    snprintf(path, cap, "%s/backups/%s", dir, org);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return ms_error_set(err, MS_EIO, path, "cannot create: %s", strerror(errno));
    return 0;
}

//  Removes the incoming files of the folder PATH other than KEEP: at most
//  one transfer per child is ever held.
static void drop_incoming(const char *path, const char *keep)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    char file[4400];
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "incoming", 8) != 0 || len < 12 ||
            strcmp(e->d_name + len - 4, ".tmp") != 0)
            continue;
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        if (strcmp(file, keep) != 0)
            unlink(file);
    }
    closedir(d);
}

int ms_backupstore_incoming(const char *dir, const char *org, const uint8_t *digest, char *tmp,
                            size_t cap, ms_error_t *err)
{
    char path[4096], name[64] = "incoming.tmp";
    int rc = make_dirs(dir, org, path, sizeof path, err);
    if (rc)
        return rc;
    if (digest) {
        char hex[33];
        sodium_bin2hex(hex, sizeof hex, digest, 16);
        snprintf(name, sizeof name, "incoming-%s.tmp", hex);
    }
    if (snprintf(tmp, cap, "%s/%s", path, name) >= (int)cap)
        return ms_error_set(err, MS_EIO, path, "the path is too long");
    drop_incoming(path, tmp);
    return 0;
}

static uint64_t size_of(const char *file)
{
    struct stat st;
    return stat(file, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

int ms_backupstore_keep(const char *dir, const char *org, const char *tmp, ms_error_t *err)
{
    char path[4096], file[4200];
    int rc = make_dirs(dir, org, path, sizeof path, err);
    if (rc)
        return rc;
    unsigned long held[64];
    size_t count = numbers(path, held, 64);
    unsigned long next = count ? held[count - 1] + 1 : 1;
    snprintf(file, sizeof file, "%s/%010lu.msbk", path, next);
    if (rename(tmp, file) != 0)
        return ms_error_set(err, MS_EIO, file, "cannot keep the backup: %s", strerror(errno));
    //  The newest stays; older ones go, oldest first, past the count or the quota.
    uint64_t bytes = size_of(file);
    size_t kept = 1;
    bool full = false;
    for (size_t i = count; i-- > 0;) {
        snprintf(file, sizeof file, "%s/%010lu.msbk", path, held[i]);
        uint64_t size = size_of(file);
        full = full || kept == MS_BACKUPSTORE_KEEP || bytes + size > MS_BACKUPSTORE_QUOTA;
        if (full) {
            unlink(file);
        } else {
            kept++;
            bytes += size;
        }
    }
    return 0;
}

int ms_backupstore_put(const char *dir, const char *org, const uint8_t *blob, size_t len,
                       ms_error_t *err)
{
    char tmp[4200];
    int rc = ms_backupstore_incoming(dir, org, NULL, tmp, sizeof tmp, err);
    if (rc)
        return rc;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return ms_error_set(err, MS_EIO, tmp, "cannot write: %s", strerror(errno));
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, blob + done, len - done);
        if (n <= 0) {
            int saved = errno;
            close(fd);
            unlink(tmp);
            return ms_error_set(err, MS_EIO, tmp, "cannot write: %s", strerror(saved));
        }
        done += (size_t)n;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(tmp);
        return ms_error_set(err, MS_EIO, tmp, "cannot write: %s", strerror(errno));
    }
    rc = ms_backupstore_keep(dir, org, tmp, err);
    if (rc)
        unlink(tmp);
    return rc;
}

int ms_backupstore_latest_path(const char *dir, const char *org, char *file, size_t cap,
                               ms_error_t *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/backups/%s", dir, org);
    unsigned long held[64];
    size_t count = numbers(path, held, 64);
    if (!count)
        return ms_error_set(err, MS_ENOTFOUND, org, "no backup kept for %s", org);
    if (snprintf(file, cap, "%s/%010lu.msbk", path, held[count - 1]) >= (int)cap)
        return ms_error_set(err, MS_EIO, path, "the path is too long");
    return 0;
}

int ms_backupstore_latest(const char *dir, const char *org, uint8_t **blob, size_t *len,
                          ms_error_t *err)
{
    *blob = NULL;
    *len = 0;
    char file[4200];
    int rc = ms_backupstore_latest_path(dir, org, file, sizeof file, err);
    if (rc)
        return rc;
    FILE *in = fopen(file, "rb");
    struct stat st;
    if (!in || fstat(fileno(in), &st) != 0) {
        if (in)
            fclose(in);
        return ms_error_set(err, MS_EIO, file, "cannot read: %s", strerror(errno));
    }
    uint8_t *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf) {
        fclose(in);
        return ms_error_set(err, MS_ENOMEM, file, "no memory");
    }
    size_t got = fread(buf, 1, (size_t)st.st_size, in);
    fclose(in);
    if (got != (size_t)st.st_size) {
        free(buf);
        return ms_error_set(err, MS_EIO, file, "short read");
    }
    *blob = buf;
    *len = got;
    return 0;
}
