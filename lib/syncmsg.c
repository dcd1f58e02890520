//  syncmsg - sync messages through protobuf-c, batches through zstd.
//
//  Decoding copies heads into plain arrays and keeps the unpacked message
//  behind `decoded` only while DATA (a batch's bytes) points into it. Every
//  limit of the protocol is checked here, on the way in, so the session
//  never sees an oversized list, a bad hash length or a batch that lies
//  about its size. The packer keeps its buffers between batches: a session
//  allocates them once, at most MS_SYNC_BATCH_RAW_MAX plus zstd's bound.

#include "mutsync/syncmsg.h"

#include "mutsync/fieldsplit.h"

#include "sync.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

struct ms_batch {
    int level;          //  zstd level
    ZSTD_CCtx *cctx;    //  reused across batches
    ZSTD_DCtx *dctx;    //
    uint8_t *raw;       //  frames, packed or unpacked
    size_t raw_len;     //  bytes used
    size_t raw_cap;     //  bytes allocated
    uint8_t *packed;    //  compressed output
    size_t packed_cap;  //  bytes allocated
    uint32_t count;     //  frames in RAW
    size_t cursor;      //  ms_batch_next's offset in RAW
};

//  Bytes of a split batch at most: a flag per length-delimited field
//  (each at least 2 bytes in the frames) and the stream table.
#define SPLIT_MAX (MS_SYNC_BATCH_RAW_MAX / 2 * 3 + 4 * MS_FIELDSPLIT_STREAMS_MAX + 64)

static const char *names[] = {"none", "hello", "idle",   "heads",        "batch",     "ack",
                              "done", "error", "backup", "backup-chunk", "backup-ack"};

const char *ms_msg_name(ms_msg_type_t type)
{
    return type > MS_MSG_NONE && type <= MS_MSG_BACKUP_ACK ? names[type] : "unknown";
}

static int heads_out(const ms_sync_head_t *heads, size_t count, Mutsync__Sync__Head **slots,
                     Mutsync__Sync__Head **ptrs, ms_error_t *err)
{
    if (count > MS_SYNC_FEEDS_MAX)
        return ms_error_set(err, MS_EINVAL, "sync", "%zu heads, the limit is %d", count,
                            MS_SYNC_FEEDS_MAX);
    Mutsync__Sync__Head *array = count ? calloc(count, sizeof *array) : NULL;
    if (count && !array)
        return ms_error_set(err, MS_ENOMEM, "sync", "no memory for %zu heads", count);
    for (size_t i = 0; i < count; i++) {
        mutsync__sync__head__init(&array[i]);
        array[i].org = (char *)heads[i].org;
        array[i].feed = (char *)heads[i].feed;
        array[i].seq = heads[i].seq;
        array[i].refused = heads[i].refused;
        if (heads[i].seq) {
            array[i].hash.data = (uint8_t *)heads[i].hash;
            array[i].hash.len = MS_HASH_BYTES;
        }
        ptrs[i] = &array[i];
    }
    *slots = array;
    return 0;
}

int ms_msg_encode(const ms_msg_t *msg, uint8_t **bytes_p, size_t *len_p, ms_error_t *err)
{
    *bytes_p = NULL;
    *len_p = 0;
    Mutsync__Sync__Message m = MUTSYNC__SYNC__MESSAGE__INIT;
    Mutsync__Sync__Hello hello = MUTSYNC__SYNC__HELLO__INIT;
    Mutsync__Sync__Idle idle = MUTSYNC__SYNC__IDLE__INIT;
    Mutsync__Sync__Heads heads = MUTSYNC__SYNC__HEADS__INIT;
    Mutsync__Sync__Batch batch = MUTSYNC__SYNC__BATCH__INIT;
    Mutsync__Sync__Ack ack = MUTSYNC__SYNC__ACK__INIT;
    Mutsync__Sync__Done done = MUTSYNC__SYNC__DONE__INIT;
    Mutsync__Sync__Error error = MUTSYNC__SYNC__ERROR__INIT;
    Mutsync__Sync__Backup backup = MUTSYNC__SYNC__BACKUP__INIT;
    Mutsync__Sync__BackupChunk chunk = MUTSYNC__SYNC__BACKUP_CHUNK__INIT;
    Mutsync__Sync__BackupAck backup_ack = MUTSYNC__SYNC__BACKUP_ACK__INIT;
    Mutsync__Sync__Head *offer_slots = NULL, *want_slots = NULL;
    Mutsync__Sync__Head **offer_ptrs = NULL, **want_ptrs = NULL;
    int rc = 0;
    switch (msg->type) {
    case MS_MSG_HELLO:
        hello.version = msg->version;
        hello.window = msg->window;
        hello.digest.data = (uint8_t *)msg->digest;
        hello.digest.len = MS_SYNC_DIGEST_BYTES;
        hello.backup.data = (uint8_t *)msg->data;
        hello.backup.len = msg->data_len;
        hello.want_backup = msg->want_backup;
        hello.want_chain = msg->want_chain;
        hello.chunks = msg->chunks;
        hello.backup_bytes = msg->total;
        if (msg->total) {
            hello.backup_digest.data = (uint8_t *)msg->blob_digest;
            hello.backup_digest.len = MS_SYNC_BLOB_DIGEST_BYTES;
        }
        m.body_case = MUTSYNC__SYNC__MESSAGE__BODY_HELLO;
        m.hello = &hello;
        break;
    case MS_MSG_IDLE:
        m.body_case = MUTSYNC__SYNC__MESSAGE__BODY_IDLE;
        m.idle = &idle;
        break;
    case MS_MSG_HEADS:
        offer_ptrs = calloc(msg->offer_count + 1, sizeof *offer_ptrs);
        want_ptrs = calloc(msg->want_count + 1, sizeof *want_ptrs);
        rc = offer_ptrs && want_ptrs ? 0 : ms_error_set(err, MS_ENOMEM, "sync", "no memory");
        if (rc == 0)
            rc = heads_out(msg->offer, msg->offer_count, &offer_slots, offer_ptrs, err);
        if (rc == 0)
            rc = heads_out(msg->want, msg->want_count, &want_slots, want_ptrs, err);
        heads.n_offer = msg->offer_count;
        heads.offer = offer_ptrs;
        heads.n_want = msg->want_count;
        heads.want = want_ptrs;
        heads.chain.data = (uint8_t *)msg->data;
        heads.chain.len = msg->data_len;
        m.body_case = MUTSYNC__SYNC__MESSAGE__BODY_HEADS;
        m.heads = &heads;
        break;
    case MS_MSG_BATCH:
        batch.number = msg->number;
        batch.feed = msg->feed;
        batch.first_seq = msg->first_seq;
        batch.count = msg->count;
        batch.raw_bytes = msg->raw_bytes;
        batch.data.data = (uint8_t *)msg->data;
        batch.data.len = msg->data_len;
        m.body_case = MUTSYNC__SYNC__MESSAGE__BODY_BATCH;
        m.batch = &batch;
        break;
    case MS_MSG_ACK:
        ack.number = msg->number;
        ack.head = msg->head;
        ack.applied = msg->applied;
        ack.duplicates = msg->duplicates;
        ack.refused = msg->refused;
        ack.held = msg->held;
        m.body_case = MUTSYNC__SYNC__MESSAGE__BODY_ACK;
        m.ack = &ack;
        break;
    case MS_MSG_DONE:
        done.batches = msg->number;
        m.body_case = MUTSYNC__SYNC__MESSAGE__BODY_DONE;
        m.done = &done;
        break;
    case MS_MSG_ERROR:
        error.code = msg->code;
        error.reason = (char *)msg->reason;
        m.body_case = MUTSYNC__SYNC__MESSAGE__BODY_ERROR;
        m.error = &error;
        break;
    case MS_MSG_BACKUP:
        backup.blob.data = (uint8_t *)msg->data;
        backup.blob.len = msg->data_len;
        m.backup = &backup;
        m.body_case = MUTSYNC__SYNC__MESSAGE__BODY_BACKUP;
        break;
    case MS_MSG_BACKUP_CHUNK:
        chunk.offset = msg->offset;
        chunk.total = msg->total;
        chunk.digest.data = (uint8_t *)msg->blob_digest;
        chunk.digest.len = MS_SYNC_BLOB_DIGEST_BYTES;
        chunk.data.data = (uint8_t *)msg->data;
        chunk.data.len = msg->data_len;
        m.backup_chunk = &chunk;
        m.body_case = MUTSYNC__SYNC__MESSAGE__BODY_BACKUP_CHUNK;
        break;
    case MS_MSG_BACKUP_ACK:
        backup_ack.offset = msg->offset;
        m.backup_ack = &backup_ack;
        m.body_case = MUTSYNC__SYNC__MESSAGE__BODY_BACKUP_ACK;
        break;
    default:
        rc = ms_error_set(err, MS_EINVAL, "sync", "cannot encode a message of type %d", msg->type);
    }
    size_t len = rc ? 0 : mutsync__sync__message__get_packed_size(&m);
    if (rc == 0 && len > MS_SYNC_FRAME_MAX)
        rc = ms_error_set(err, MS_EINVAL, "sync", "a %s message of %zu bytes is over the limit",
                          ms_msg_name(msg->type), len);
    uint8_t *bytes = rc ? NULL : malloc(len ? len : 1);
    if (rc == 0 && !bytes)
        rc = ms_error_set(err, MS_ENOMEM, "sync", "no memory for a message");
    if (rc == 0) {
        mutsync__sync__message__pack(&m, bytes);
        *bytes_p = bytes;
        *len_p = len;
    }
    free(offer_slots);
    free(want_slots);
    free(offer_ptrs);
    free(want_ptrs);
    return rc;
}

static int head_in(const Mutsync__Sync__Head *in, ms_sync_head_t *out, ms_error_t *err)
{
    size_t org_len = strlen(in->org), feed_len = strlen(in->feed);
    if (org_len == 0 || org_len > MS_ORG_MAX || feed_len == 0 || feed_len > MS_FEED_NAME_MAX)
        return ms_error_set(err, MS_EINVAL, "sync", "a head names an org or feed of a bad size");
    if (in->seq ? in->hash.len != MS_HASH_BYTES : in->hash.len != 0)
        return ms_error_set(err, MS_EINVAL, "sync", "a head of %s/%s has a hash of %zu bytes",
                            in->org, in->feed, in->hash.len);
    memcpy(out->org, in->org, org_len + 1);
    memcpy(out->feed, in->feed, feed_len + 1);
    out->seq = in->seq;
    out->refused = in->refused;
    if (in->seq)
        memcpy(out->hash, in->hash.data, MS_HASH_BYTES);
    return 0;
}

static int heads_in(Mutsync__Sync__Head **in, size_t count, ms_sync_head_t **out_p, ms_error_t *err)
{
    if (count > MS_SYNC_FEEDS_MAX)
        return ms_error_set(err, MS_EINVAL, "sync", "%zu heads, the limit is %d", count,
                            MS_SYNC_FEEDS_MAX);
    ms_sync_head_t *out = calloc(count ? count : 1, sizeof *out);
    if (!out)
        return ms_error_set(err, MS_ENOMEM, "sync", "no memory for %zu heads", count);
    *out_p = out;
    for (size_t i = 0; i < count; i++) {
        int rc = head_in(in[i], &out[i], err);
        if (rc)
            return rc;
    }
    return 0;
}

//  A chunk lies within its backup: 1..MS_SYNC_CHUNK_MAX bytes at OFFSET,
//  ending at or before TOTAL, which is at most MS_SYNC_BACKUP_MAX.
static int take_chunk(const Mutsync__Sync__BackupChunk *in, ms_msg_t *msg, ms_error_t *err)
{
    msg->type = MS_MSG_BACKUP_CHUNK;
    msg->offset = in->offset;
    msg->total = in->total;
    msg->data = in->data.data;
    msg->data_len = in->data.len;
    if (in->total == 0 || in->total > MS_SYNC_BACKUP_MAX || in->data.len == 0 ||
        in->data.len > MS_SYNC_CHUNK_MAX || in->offset > in->total - in->data.len ||
        in->digest.len != MS_SYNC_BLOB_DIGEST_BYTES)
        return ms_error_set(err, MS_EINVAL, "sync",
                            "backup chunk: %zu bytes at %llu of %llu (limits: %u a chunk, %u in "
                            "all) or a digest of %zu bytes",
                            in->data.len, (unsigned long long)in->offset,
                            (unsigned long long)in->total, MS_SYNC_CHUNK_MAX, MS_SYNC_BACKUP_MAX,
                            in->digest.len);
    memcpy(msg->blob_digest, in->digest.data, MS_SYNC_BLOB_DIGEST_BYTES);
    return 0;
}

static int take_body(Mutsync__Sync__Message *m, ms_msg_t *msg, ms_error_t *err)
{
    switch (m->body_case) {
    case MUTSYNC__SYNC__MESSAGE__BODY_HELLO:
        msg->type = MS_MSG_HELLO;
        if (m->hello->digest.len != MS_SYNC_DIGEST_BYTES)
            return ms_error_set(err, MS_EINVAL, "sync", "hello: the digest is %zu bytes",
                                m->hello->digest.len);
        msg->version = m->hello->version;
        msg->window = m->hello->window;
        memcpy(msg->digest, m->hello->digest.data, MS_SYNC_DIGEST_BYTES);
        msg->data = m->hello->backup.data;
        msg->data_len = m->hello->backup.len;
        msg->want_backup = m->hello->want_backup;
        msg->want_chain = m->hello->want_chain;
        msg->chunks = m->hello->chunks;
        msg->total = m->hello->backup_bytes;
        if (msg->total > MS_SYNC_BACKUP_MAX || msg->data_len > MS_SYNC_BACKUP_INLINE_MAX ||
            (msg->total && m->hello->backup_digest.len != MS_SYNC_BLOB_DIGEST_BYTES))
            return ms_error_set(err, MS_EINVAL, "sync",
                                "hello: a backup of %llu bytes (limit %u) with a digest of %zu "
                                "bytes",
                                (unsigned long long)msg->total, MS_SYNC_BACKUP_MAX,
                                m->hello->backup_digest.len);
        if (msg->total)
            memcpy(msg->blob_digest, m->hello->backup_digest.data, MS_SYNC_BLOB_DIGEST_BYTES);
        return 0;
    case MUTSYNC__SYNC__MESSAGE__BODY_IDLE:
        msg->type = MS_MSG_IDLE;
        return 0;
    case MUTSYNC__SYNC__MESSAGE__BODY_HEADS: {
        msg->type = MS_MSG_HEADS;
        msg->offer_count = m->heads->n_offer;
        msg->want_count = m->heads->n_want;
        msg->data = m->heads->chain.data;
        msg->data_len = m->heads->chain.len;
        int rc = heads_in(m->heads->offer, m->heads->n_offer, &msg->offer, err);
        return rc ? rc : heads_in(m->heads->want, m->heads->n_want, &msg->want, err);
    }
    case MUTSYNC__SYNC__MESSAGE__BODY_BATCH:
        msg->type = MS_MSG_BATCH;
        msg->number = m->batch->number;
        msg->feed = m->batch->feed;
        msg->first_seq = m->batch->first_seq;
        msg->count = m->batch->count;
        msg->raw_bytes = m->batch->raw_bytes;
        msg->data = m->batch->data.data;
        msg->data_len = m->batch->data.len;
        if (msg->count == 0 || msg->count > MS_SYNC_BATCH_ENVELOPES_MAX ||
            msg->raw_bytes > MS_SYNC_BATCH_RAW_MAX || msg->first_seq == 0)
            return ms_error_set(err, MS_EINVAL, "sync",
                                "batch %llu: %u envelopes of %u bytes from seq %llu is out of "
                                "bounds",
                                (unsigned long long)msg->number, msg->count, msg->raw_bytes,
                                (unsigned long long)msg->first_seq);
        return 0;
    case MUTSYNC__SYNC__MESSAGE__BODY_ACK:
        msg->type = MS_MSG_ACK;
        msg->number = m->ack->number;
        msg->head = m->ack->head;
        msg->applied = m->ack->applied;
        msg->duplicates = m->ack->duplicates;
        msg->refused = m->ack->refused;
        msg->held = m->ack->held;
        return 0;
    case MUTSYNC__SYNC__MESSAGE__BODY_DONE:
        msg->type = MS_MSG_DONE;
        msg->number = m->done->batches;
        return 0;
    case MUTSYNC__SYNC__MESSAGE__BODY_ERROR:
        msg->type = MS_MSG_ERROR;
        msg->code = m->error->code;
        snprintf(msg->reason, sizeof msg->reason, "%s", m->error->reason);
        return 0;
    case MUTSYNC__SYNC__MESSAGE__BODY_BACKUP:
        msg->type = MS_MSG_BACKUP;
        msg->data = m->backup->blob.data;
        msg->data_len = m->backup->blob.len;
        return 0;
    case MUTSYNC__SYNC__MESSAGE__BODY_BACKUP_CHUNK:
        return take_chunk(m->backup_chunk, msg, err);
    case MUTSYNC__SYNC__MESSAGE__BODY_BACKUP_ACK:
        msg->type = MS_MSG_BACKUP_ACK;
        msg->offset = m->backup_ack->offset;
        if (msg->offset > MS_SYNC_BACKUP_MAX)
            return ms_error_set(err, MS_EINVAL, "sync", "backup ack: offset %llu is over %u",
                                (unsigned long long)msg->offset, MS_SYNC_BACKUP_MAX);
        return 0;
    default:
        return ms_error_set(err, MS_EINVAL, "sync", "a message with no known body");
    }
}

int ms_msg_decode(const uint8_t *bytes, size_t len, ms_msg_t *msg, ms_error_t *err)
{
    memset(msg, 0, sizeof *msg);
    if (len > MS_SYNC_FRAME_MAX)
        return ms_error_set(err, MS_EINVAL, "sync", "a frame of %zu bytes is over the limit of %u",
                            len, MS_SYNC_FRAME_MAX);
    Mutsync__Sync__Message *m = mutsync__sync__message__unpack(NULL, len, bytes);
    if (!m)
        return ms_error_set(err, MS_EINVAL, "sync", "a frame of %zu bytes is not a message", len);
    int rc = take_body(m, msg, err);
    //  A batch's, a hello's or a backup's bytes point into the unpacked message.
    if (rc == 0 && (msg->type == MS_MSG_BATCH || msg->data_len)) {
        msg->decoded = m;
        return 0;
    }
    mutsync__sync__message__free_unpacked(m, NULL);
    if (rc)
        ms_msg_clear(msg);
    return rc;
}

ms_msg_type_t ms_msg_peek(const uint8_t *bytes, size_t len)
{
    //  A Message holds one oneof field: its tag (field << 3 | 2) comes first.
    if (len < 1 || (bytes[0] & 7) != 2)
        return MS_MSG_NONE;
    unsigned field = bytes[0] >> 3;
    return field >= 1 && field <= 10 ? (ms_msg_type_t)(MS_MSG_HELLO + field - 1) : MS_MSG_NONE;
}

void ms_msg_clear(ms_msg_t *msg)
{
    if (msg->decoded)
        mutsync__sync__message__free_unpacked(msg->decoded, NULL);
    free(msg->offer);
    free(msg->want);
    memset(msg, 0, sizeof *msg);
}

int ms_batch_new(int level, ms_batch_t **batch_p, ms_error_t *err)
{
    *batch_p = NULL;
    ms_batch_t *self = calloc(1, sizeof *self);
    if (!self || !(self->cctx = ZSTD_createCCtx()) || !(self->dctx = ZSTD_createDCtx())) {
        ms_batch_destroy(&self);
        return ms_error_set(err, MS_ENOMEM, "sync", "no memory for zstd");
    }
    self->level = level;
    *batch_p = self;
    return 0;
}

void ms_batch_destroy(ms_batch_t **batch_p)
{
    if (!batch_p || !*batch_p)
        return;
    ms_batch_t *self = *batch_p;
    ZSTD_freeCCtx(self->cctx);
    ZSTD_freeDCtx(self->dctx);
    free(self->raw);
    free(self->packed);
    free(self);
    *batch_p = NULL;
}

void ms_batch_reset(ms_batch_t *self)
{
    self->raw_len = 0;
    self->count = 0;
    self->cursor = 0;
}

static int reserve(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t next = *cap ? *cap : 64 * 1024;
    while (next < need)
        next *= 2;
    uint8_t *grown = realloc(*buf, next);
    if (!grown)
        return MS_ENOMEM;
    *buf = grown;
    *cap = next;
    return 0;
}

int ms_batch_add(ms_batch_t *self, const uint8_t *envelope, size_t len, ms_error_t *err)
{
    if (self->count >= MS_SYNC_BATCH_ENVELOPES_MAX || len > MS_SYNC_BATCH_RAW_MAX ||
        self->raw_len + 4 + len > MS_SYNC_BATCH_RAW_MAX)
        return ms_error_set(err, MS_EINVAL, "sync", "the batch is full");
    if (reserve(&self->raw, &self->raw_cap, self->raw_len + 4 + len) != 0)
        return ms_error_set(err, MS_ENOMEM, "sync", "no memory for a batch");
    uint8_t *p = self->raw + self->raw_len;
    p[0] = (uint8_t)(len >> 24);
    p[1] = (uint8_t)(len >> 16);
    p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
    memcpy(p + 4, envelope, len);
    self->raw_len += 4 + len;
    self->count++;
    return 0;
}

uint32_t ms_batch_count(const ms_batch_t *self)
{
    return self->count;
}

size_t ms_batch_raw_bytes(const ms_batch_t *self)
{
    return self->raw_len;
}

int ms_batch_compress(ms_batch_t *self, const uint8_t **data_p, size_t *len_p, ms_error_t *err)
{
    uint8_t *split = NULL;
    size_t split_len = 0;
    int rc = ms_fieldsplit_encode(self->raw, self->raw_len, &split, &split_len, err);
    if (rc)
        return rc;
    size_t bound = ZSTD_compressBound(split_len);
    if (reserve(&self->packed, &self->packed_cap, bound) != 0) {
        free(split);
        return ms_error_set(err, MS_ENOMEM, "sync", "no memory to compress a batch");
    }
    size_t len = ZSTD_compressCCtx(self->cctx, self->packed, bound, split, split_len, self->level);
    free(split);
    if (ZSTD_isError(len))
        return ms_error_set(err, MS_ENOMEM, "sync", "zstd: %s", ZSTD_getErrorName(len));
    *data_p = self->packed;
    *len_p = len;
    return 0;
}

int ms_batch_unpack(ms_batch_t *self, const uint8_t *data, size_t len, uint32_t raw_bytes,
                    uint32_t count, ms_error_t *err)
{
    ms_batch_reset(self);
    if (raw_bytes > MS_SYNC_BATCH_RAW_MAX || count > MS_SYNC_BATCH_ENVELOPES_MAX)
        return ms_error_set(err, MS_EINVAL, "sync", "a batch declares %u bytes, %u envelopes",
                            raw_bytes, count);
    //  Version 2 frames hold the envelopes split by field (fieldsplit.h),
    //  at most SPLIT_MAX bytes; version 1 frames the envelopes themselves.
    unsigned long long size = ZSTD_getFrameContentSize(data, len);
    if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > SPLIT_MAX)
        return ms_error_set(err, MS_EINVAL, "sync",
                            "a batch declares %u bytes but its zstd frame says otherwise",
                            raw_bytes);
    if (reserve(&self->packed, &self->packed_cap, size ? size : 1) != 0)
        return ms_error_set(err, MS_ENOMEM, "sync", "no memory for a batch");
    size_t got = ZSTD_decompressDCtx(self->dctx, self->packed, size, data, len);
    if (ZSTD_isError(got) || got != size)
        return ms_error_set(err, MS_EINVAL, "sync", "a batch does not decompress: %s",
                            ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short");
    if (ms_fieldsplit_is(self->packed, got)) {
        uint8_t *frames = NULL;
        size_t frames_len = 0;
        int rc = ms_fieldsplit_decode(self->packed, got, raw_bytes, &frames, &frames_len, err);
        if (rc)
            return rc;
        free(self->raw);
        self->raw = frames;
        self->raw_cap = frames_len;
        got = frames_len;
    } else {
        if (reserve(&self->raw, &self->raw_cap, got ? got : 1) != 0)
            return ms_error_set(err, MS_ENOMEM, "sync", "no memory for a batch");
        memcpy(self->raw, self->packed, got);
    }
    if (got != raw_bytes)
        return ms_error_set(err, MS_EINVAL, "sync",
                            "a batch declares %u bytes but its zstd frame says otherwise",
                            raw_bytes);
    uint32_t frames = 0;
    for (size_t at = 0; at < got; frames++) {
        if (got - at < 4)
            return ms_error_set(err, MS_EINVAL, "sync", "a batch ends in a torn frame");
        size_t frame = (size_t)self->raw[at] << 24 | (size_t)self->raw[at + 1] << 16 |
                       (size_t)self->raw[at + 2] << 8 | self->raw[at + 3];
        if (frame == 0 || frame > MS_ENVELOPE_MAX || frame > got - at - 4)
            return ms_error_set(err, MS_EINVAL, "sync", "a batch holds a frame of bad size");
        at += 4 + frame;
    }
    if (frames != count)
        return ms_error_set(err, MS_EINVAL, "sync", "a batch declares %u envelopes but holds %u",
                            count, frames);
    self->raw_len = got;
    self->count = frames;
    return 0;
}

int ms_batch_next(ms_batch_t *self, const uint8_t **envelope_p, size_t *len_p)
{
    if (self->cursor + 4 > self->raw_len)
        return 0;
    const uint8_t *p = self->raw + self->cursor;
    size_t len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
    *envelope_p = p + 4;
    *len_p = len;
    self->cursor += 4 + len;
    return 1;
}

void ms_batch_rewind(ms_batch_t *self)
{
    self->cursor = 0;
}
