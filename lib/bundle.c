//  bundle - export and import of envelope files.
//
//  A bundle carries what a sync to the parent would (ms_scope_up), in the
//  same order: certifiers' public feeds first, so the importer holds each
//  signer's certificate before the change sets it signed. Import reads the
//  file frame by frame (each bounded by MS_ENVELOPE_MAX) inside one write
//  transaction.

#include "mutsync/bundle.h"

#include "mutsync/replica.h"
#include "mutsync/syncscope.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC_LEN (sizeof MS_BUNDLE_MAGIC - 1)

static int write_frame(FILE *out, const ms_val_t *bytes)
{
    uint8_t len[4] = {(uint8_t)(bytes->len >> 24), (uint8_t)(bytes->len >> 16),
                      (uint8_t)(bytes->len >> 8), (uint8_t)bytes->len};
    return fwrite(len, 1, 4, out) == 4 && fwrite(bytes->data, 1, bytes->len, out) == bytes->len
               ? 0
               : MS_EIO;
}

static int write_feeds(ms_txn_t *txn, const ms_sync_heads_t *scope, FILE *out,
                       ms_bundle_stats_t *stats, ms_error_t *err)
{
    for (size_t i = 0; i < scope->count; i++) {
        const ms_sync_head_t *feed = &scope->items[i];
        for (uint64_t seq = 1; seq <= feed->seq; seq++) {
            ms_val_t bytes;
            int rc = ms_replica_envelope(txn, feed->org, feed->feed, seq, NULL, &bytes, err);
            if (rc)
                return rc;
            if (write_frame(out, &bytes) != 0)
                return ms_error_set(err, MS_EIO, "bundle", "cannot write: %s", strerror(errno));
            stats->envelopes++;
            stats->bytes += 4 + bytes.len;
        }
    }
    return 0;
}

int ms_bundle_export(ms_node_t *node, const char *path, ms_bundle_stats_t *stats, ms_error_t *err)
{
    memset(stats, 0, sizeof *stats);
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return ms_error_set(err, MS_EINVAL, path, "path too long");
    int rc = ms_node_before_leave(node, err);
    if (rc)
        return rc;
    ms_txn_t *txn;
    rc = ms_store_read(ms_node_store(node), &txn, err);
    if (rc)
        return rc;
    ms_sync_heads_t scope = {0};
    rc = ms_scope_up(txn, ms_node_identity(node), &scope, err);
    FILE *out = NULL;
    if (rc == 0) {
        out = fopen(tmp, "wb");
        if (!out)
            rc = ms_error_set(err, MS_EIO, tmp, "cannot create: %s", strerror(errno));
    }
    if (rc == 0 && fwrite(MS_BUNDLE_MAGIC, 1, MAGIC_LEN, out) != MAGIC_LEN)
        rc = ms_error_set(err, MS_EIO, tmp, "cannot write: %s", strerror(errno));
    stats->bytes = MAGIC_LEN;
    if (rc == 0)
        rc = write_feeds(txn, &scope, out, stats, err);
    ms_txn_abort(&txn);
    ms_sync_heads_clear(&scope);
    if (out) {
        if (fflush(out) != 0 || fsync(fileno(out)) != 0)
            rc = rc ? rc : ms_error_set(err, MS_EIO, tmp, "cannot write: %s", strerror(errno));
        fclose(out);
    }
    if (rc == 0 && rename(tmp, path) != 0)
        rc = ms_error_set(err, MS_EIO, path, "cannot rename: %s", strerror(errno));
    if (rc)
        unlink(tmp);
    return rc;
}

typedef struct {
    ms_node_t *node;
    FILE *in;
    const char *path;
    const char *source;
    ms_bundle_stats_t *stats;
    uint8_t *frame;  //  MS_ENVELOPE_MAX bytes
} import_t;

static int import_frames(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    import_t *im = arg;
    memset(im->stats, 0, sizeof *im->stats);
    char magic[MAGIC_LEN];
    rewind(im->in);
    if (fread(magic, 1, MAGIC_LEN, im->in) != MAGIC_LEN ||
        memcmp(magic, MS_BUNDLE_MAGIC, MAGIC_LEN))
        return ms_error_set(err, MS_EINVAL, im->path, "not a mutsync bundle (bad magic)");
    uint64_t offset = MAGIC_LEN;
    for (;;) {
        uint8_t head[4];
        size_t got = fread(head, 1, 4, im->in);
        if (got == 0 && feof(im->in))
            break;
        if (got != 4)
            return ms_error_set(err, MS_EINVAL, im->path, "frame %llu at byte %llu is torn",
                                (unsigned long long)im->stats->envelopes + 1,
                                (unsigned long long)offset);
        size_t len = (size_t)head[0] << 24 | (size_t)head[1] << 16 | (size_t)head[2] << 8 | head[3];
        if (len == 0 || len > MS_ENVELOPE_MAX)
            return ms_error_set(err, MS_EINVAL, im->path,
                                "frame %llu at byte %llu claims %zu bytes (limit %d)",
                                (unsigned long long)im->stats->envelopes + 1,
                                (unsigned long long)offset, len, MS_ENVELOPE_MAX);
        if (fread(im->frame, 1, len, im->in) != len)
            return ms_error_set(err, MS_EINVAL, im->path, "frame %llu at byte %llu is torn",
                                (unsigned long long)im->stats->envelopes + 1,
                                (unsigned long long)offset);
        offset += 4 + len;
        im->stats->envelopes++;
        ms_verdict_t verdict;
        int rc = ms_node_accept(im->node, txn, im->frame, len, im->source, &verdict, err);
        if (rc)
            return rc;
        if (verdict.outcome == MS_OUTCOME_APPLIED)
            im->stats->applied++;
        else if (verdict.outcome == MS_OUTCOME_DUPLICATE)
            im->stats->duplicates++;
        else
            im->stats->refused++;
    }
    im->stats->bytes = offset;
    return 0;
}

int ms_bundle_import(ms_node_t *node, const char *path, ms_bundle_stats_t *stats, ms_error_t *err)
{
    memset(stats, 0, sizeof *stats);
    FILE *in = fopen(path, "rb");
    if (!in)
        return ms_error_set(err, MS_EIO, path, "cannot open: %s", strerror(errno));
    char source[64];
    const char *base = strrchr(path, '/');
    snprintf(source, sizeof source, "bundle %s", base ? base + 1 : path);
    import_t im = {node, in, path, source, stats, malloc(MS_ENVELOPE_MAX)};
    int rc = im.frame ? ms_store_write(ms_node_store(node), import_frames, &im, err)
                      : ms_error_set(err, MS_ENOMEM, path, "no memory");
    if (rc)
        memset(stats, 0, sizeof *stats);
    free(im.frame);
    fclose(in);
    return rc;
}
