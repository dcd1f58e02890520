//  fieldsplit - frames of protobuf rearranged into one stream per field path.
//
//  DESIGN. The encoder and the decoder walk the same tree in the same
//  order, so they agree on which stream each piece belongs to without
//  naming streams in the output: a stream is numbered when the walk first
//  asks for it (its key is a hash of the path and of the piece's role:
//  tags, value, length, flag, bytes). Past MS_FIELDSPLIT_STREAMS_MAX keys,
//  both sides put further pieces in stream 0. The encoder copies raw
//  bytes (tags and lengths as they were written, even non-minimal ones),
//  and walks into a length-delimited field only when its bytes tile
//  exactly into fields of wire types 0, 1, 2 or 5; the decoder checks every
//  read against its stream and every message against its length, so a
//  hostile input is refused, never read past. Called by syncmsg.c.
//
//  Layout: 4 zero bytes, u32 BE frames' length, u16 BE stream count, one
//  u32 BE length per stream, then the streams back to back.

#include "mutsync/fieldsplit.h"

#include <stdlib.h>
#include <string.h>

#define SLOTS 1024  //  hash index over stream keys, a power of two > STREAMS_MAX
#define HEADER_BYTES (MS_FIELDSPLIT_MAGIC_BYTES + 4 + 2)
#define VARINT_MAX 10

enum { ROLE_TAGS = 1, ROLE_VALUE, ROLE_LEN, ROLE_FLAG, ROLE_BYTES };

typedef struct {
    uint64_t key;   //  path and role
    uint8_t *data;  //  encoder: owned; decoder: points into the input
    size_t len;     //  bytes
    size_t cap;     //  encoder: bytes allocated
    size_t pos;     //  decoder: next byte to read
} stream_t;

typedef struct {
    stream_t streams[MS_FIELDSPLIT_STREAMS_MAX];
    size_t count;          //  streams numbered so far
    int16_t index[SLOTS];  //  stream number + 1, 0 = empty
    bool nomem;            //  an append failed
} streams_t;

static uint64_t path_child(uint64_t path, uint64_t tag)
{
    return (path ^ tag) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
}

static stream_t *stream_of(streams_t *s, uint64_t path, int role)
{
    uint64_t key = path_child(path, (uint64_t)role << 61);
    size_t i = (size_t)(key ^ key >> 29) & (SLOTS - 1);
    for (; s->index[i]; i = (i + 1) & (SLOTS - 1))
        if (s->streams[s->index[i] - 1].key == key)
            return &s->streams[s->index[i] - 1];
    if (s->count == MS_FIELDSPLIT_STREAMS_MAX)
        return &s->streams[0];
    s->index[i] = (int16_t)(s->count + 1);
    s->streams[s->count].key = key;
    return &s->streams[s->count++];
}

//  ---------------------------------------------------------------------------
//  Encoding

static void append(streams_t *s, stream_t *stream, const uint8_t *bytes, size_t len)
{
    if (stream->len + len > stream->cap) {
        size_t cap = stream->cap ? stream->cap : 256;
        while (cap < stream->len + len)
            cap *= 2;
        uint8_t *grown = realloc(stream->data, cap);
        if (!grown) {
            s->nomem = true;
            return;
        }
        stream->data = grown;
        stream->cap = cap;
    }
    memcpy(stream->data + stream->len, bytes, len);
    stream->len += len;
}

//  Length of the varint at P (at most END), or 0 when there is none.
static size_t varint_len(const uint8_t *p, const uint8_t *end)
{
    for (size_t i = 0; i < VARINT_MAX && p + i < end; i++)
        if (!(p[i] & 0x80))
            return i + 1;
    return 0;
}

static uint64_t varint_value(const uint8_t *p, size_t len)
{
    uint64_t value = 0;
    for (size_t i = 0; i < len; i++)
        value |= (uint64_t)(p[i] & 0x7f) << (7 * i);
    return value;
}

//  True when the LEN bytes at P are a sequence of well-formed fields.
static bool is_message(const uint8_t *p, size_t len)
{
    const uint8_t *end = p + len;
    if (len == 0)
        return false;
    while (p < end) {
        size_t n = varint_len(p, end);
        if (!n)
            return false;
        uint64_t tag = varint_value(p, n);
        p += n;
        if (tag >> 3 == 0)
            return false;
        switch (tag & 7) {
        case 0:
            n = varint_len(p, end);
            if (!n)
                return false;
            p += n;
            break;
        case 1:
        case 5:
            if ((size_t)(end - p) < ((tag & 7) == 1 ? 8u : 4u))
                return false;
            p += (tag & 7) == 1 ? 8 : 4;
            break;
        case 2: {
            n = varint_len(p, end);
            if (!n)
                return false;
            uint64_t field = varint_value(p, n);
            p += n;
            if (field > (uint64_t)(end - p))
                return false;
            p += field;
            break;
        }
        default:
            return false;
        }
    }
    return true;
}

static void encode_message(streams_t *s, uint64_t path, const uint8_t *p, size_t len, int depth);

static void encode_bytes(streams_t *s, uint64_t path, const uint8_t *p, size_t len, int depth)
{
    uint8_t flag = depth + 1 < MS_FIELDSPLIT_DEPTH_MAX && is_message(p, len);
    append(s, stream_of(s, path, ROLE_FLAG), &flag, 1);
    if (flag)
        encode_message(s, path, p, len, depth + 1);
    else
        append(s, stream_of(s, path, ROLE_BYTES), p, len);
}

//  P holds LEN bytes that is_message accepted.
static void encode_message(streams_t *s, uint64_t path, const uint8_t *p, size_t len, int depth)
{
    const uint8_t *end = p + len;
    while (p < end && !s->nomem) {
        size_t n = varint_len(p, end);
        uint64_t tag = varint_value(p, n);
        append(s, stream_of(s, path, ROLE_TAGS), p, n);
        p += n;
        uint64_t field = path_child(path, tag);
        switch (tag & 7) {
        case 0:
            n = varint_len(p, end);
            break;
        case 1:
            n = 8;
            break;
        case 5:
            n = 4;
            break;
        default:
            n = varint_len(p, end);
            append(s, stream_of(s, field, ROLE_LEN), p, n);
            size_t bytes = (size_t)varint_value(p, n);
            encode_bytes(s, field, p + n, bytes, depth);
            p += n + bytes;
            continue;
        }
        append(s, stream_of(s, field, ROLE_VALUE), p, n);
        p += n;
    }
}

static void streams_free(streams_t *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->streams[i].data);
    free(s);
}

static void put_be32(uint8_t *out, uint32_t value)
{
    out[0] = (uint8_t)(value >> 24);
    out[1] = (uint8_t)(value >> 16);
    out[2] = (uint8_t)(value >> 8);
    out[3] = (uint8_t)value;
}

static uint32_t get_be32(const uint8_t *in)
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

int ms_fieldsplit_encode(const uint8_t *raw, size_t len, uint8_t **out_p, size_t *out_len,
                         ms_error_t *err)
{
    *out_p = NULL;
    *out_len = 0;
    if (len > UINT32_MAX)
        return ms_error_set(err, MS_EINVAL, "fieldsplit", "frames too large");
    streams_t *s = calloc(1, sizeof *s);
    if (!s)
        return ms_error_set(err, MS_ENOMEM, "fieldsplit", "no memory");
    uint64_t root = path_child(0, 0);
    for (size_t at = 0; at < len && !s->nomem;) {
        uint32_t frame = len - at >= 4 ? get_be32(raw + at) : 0;
        if (frame == 0 || frame > len - at - 4) {
            streams_free(s);
            return ms_error_set(err, MS_EINVAL, "fieldsplit", "not a sequence of frames");
        }
        append(s, stream_of(s, root, ROLE_LEN), raw + at, 4);
        encode_bytes(s, root, raw + at + 4, frame, 0);
        at += 4 + frame;
    }
    size_t total = HEADER_BYTES + 4 * s->count;
    for (size_t i = 0; i < s->count; i++)
        total += s->streams[i].len;
    uint8_t *out = s->nomem ? NULL : malloc(total);
    if (!out) {
        streams_free(s);
        return ms_error_set(err, MS_ENOMEM, "fieldsplit", "no memory");
    }
    memset(out, 0, MS_FIELDSPLIT_MAGIC_BYTES);
    put_be32(out + MS_FIELDSPLIT_MAGIC_BYTES, (uint32_t)len);
    out[MS_FIELDSPLIT_MAGIC_BYTES + 4] = (uint8_t)(s->count >> 8);
    out[MS_FIELDSPLIT_MAGIC_BYTES + 5] = (uint8_t)s->count;
    uint8_t *p = out + HEADER_BYTES;
    for (size_t i = 0; i < s->count; i++, p += 4)
        put_be32(p, (uint32_t)s->streams[i].len);
    for (size_t i = 0; i < s->count; i++) {
        if (s->streams[i].len)
            memcpy(p, s->streams[i].data, s->streams[i].len);
        p += s->streams[i].len;
    }
    streams_free(s);
    *out_p = out;
    *out_len = total;
    return 0;
}

bool ms_fieldsplit_is(const uint8_t *data, size_t len)
{
    static const uint8_t magic[MS_FIELDSPLIT_MAGIC_BYTES];
    return len >= HEADER_BYTES && memcmp(data, magic, sizeof magic) == 0;
}

//  ---------------------------------------------------------------------------
//  Decoding

typedef struct {
    streams_t *s;     //  streams over the input
    size_t declared;  //  streams the input has
    uint8_t *out;     //  the frames, rebuilt
    size_t out_len;   //  bytes written
    size_t out_max;   //  bytes the header announced
} decoder_t;

//  Copies LEN bytes of the stream of (PATH, ROLE) to the output.
static bool copy(decoder_t *d, uint64_t path, int role, size_t len, const uint8_t **at)
{
    stream_t *stream = stream_of(d->s, path, role);
    if ((size_t)(stream - d->s->streams) >= d->declared || len > stream->len - stream->pos ||
        len > d->out_max - d->out_len)
        return false;
    if (at)
        *at = d->out + d->out_len;
    memcpy(d->out + d->out_len, stream->data + stream->pos, len);
    stream->pos += len;
    d->out_len += len;
    return true;
}

//  Copies one varint of the stream of (PATH, ROLE); *VALUE gets its value.
static bool copy_varint(decoder_t *d, uint64_t path, int role, uint64_t *value)
{
    stream_t *stream = stream_of(d->s, path, role);
    if ((size_t)(stream - d->s->streams) >= d->declared || stream->pos == stream->len)
        return false;
    size_t n = varint_len(stream->data + stream->pos, stream->data + stream->len);
    const uint8_t *at;
    if (!n || !copy(d, path, role, n, &at))
        return false;
    *value = varint_value(at, n);
    return true;
}

static bool decode_message(decoder_t *d, uint64_t path, size_t len, int depth);

static bool decode_bytes(decoder_t *d, uint64_t path, size_t len, int depth)
{
    stream_t *stream = stream_of(d->s, path, ROLE_FLAG);
    if ((size_t)(stream - d->s->streams) >= d->declared || stream->pos == stream->len)
        return false;
    uint8_t flag = stream->data[stream->pos++];
    if (flag > 1 || (flag && (depth + 1 >= MS_FIELDSPLIT_DEPTH_MAX || len == 0)))
        return false;
    return flag ? decode_message(d, path, len, depth + 1) : copy(d, path, ROLE_BYTES, len, NULL);
}

static bool decode_message(decoder_t *d, uint64_t path, size_t len, int depth)
{
    if (len > d->out_max - d->out_len)
        return false;
    size_t end = d->out_len + len;
    while (d->out_len < end) {
        uint64_t tag, bytes;
        if (!copy_varint(d, path, ROLE_TAGS, &tag))
            return false;
        uint64_t field = path_child(path, tag);
        bool ok;
        switch (tag & 7) {
        case 0:
            ok = copy_varint(d, field, ROLE_VALUE, &bytes);
            break;
        case 1:
        case 5:
            ok = copy(d, field, ROLE_VALUE, (tag & 7) == 1 ? 8 : 4, NULL);
            break;
        case 2:
            ok = copy_varint(d, field, ROLE_LEN, &bytes) && bytes <= end - d->out_len &&
                 decode_bytes(d, field, (size_t)bytes, depth);
            break;
        default:
            ok = false;
        }
        if (!ok || d->out_len > end)
            return false;
    }
    return true;
}

int ms_fieldsplit_decode(const uint8_t *data, size_t len, size_t max, uint8_t **out_p,
                         size_t *out_len, ms_error_t *err)
{
    *out_p = NULL;
    *out_len = 0;
    if (!ms_fieldsplit_is(data, len))
        return ms_error_set(err, MS_EINVAL, "fieldsplit", "not a split batch");
    size_t total = get_be32(data + MS_FIELDSPLIT_MAGIC_BYTES);
    size_t count =
        (size_t)data[MS_FIELDSPLIT_MAGIC_BYTES + 4] << 8 | data[MS_FIELDSPLIT_MAGIC_BYTES + 5];
    if (total > max || count > MS_FIELDSPLIT_STREAMS_MAX || len - HEADER_BYTES < 4 * count)
        return ms_error_set(err, MS_EINVAL, "fieldsplit", "a split batch has a bad header");
    streams_t *s = calloc(1, sizeof *s);
    decoder_t d = {s, count, malloc(total ? total : 1), 0, total};
    if (!s || !d.out) {
        free(s);
        free(d.out);
        return ms_error_set(err, MS_ENOMEM, "fieldsplit", "no memory");
    }
    size_t at = HEADER_BYTES + 4 * count;
    bool ok = true;
    for (size_t i = 0; ok && i < count; i++) {
        size_t stream_len = get_be32(data + HEADER_BYTES + 4 * i);
        ok = stream_len <= len - at;
        s->streams[i].data = (uint8_t *)data + at;
        s->streams[i].len = ok ? stream_len : 0;
        at += ok ? stream_len : 0;
    }
    ok = ok && at == len;
    uint64_t root = path_child(0, 0);
    while (ok && d.out_len < total) {
        const uint8_t *frame;
        ok = copy(&d, root, ROLE_LEN, 4, &frame) && get_be32(frame) > 0 &&
             decode_bytes(&d, root, get_be32(frame), 0);
    }
    //  Every stream read to its end, no more: one encoding per batch.
    for (size_t i = 0; ok && i < count; i++)
        ok = s->streams[i].pos == s->streams[i].len;
    free(s);
    if (!ok || d.out_len != total) {
        free(d.out);
        return ms_error_set(err, MS_EINVAL, "fieldsplit", "a split batch is inconsistent");
    }
    *out_p = d.out;
    *out_len = total;
    return 0;
}
