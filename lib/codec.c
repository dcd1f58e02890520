//  codec - change sets and envelopes, bounded, to and from protobuf.
//
//  protoc-c's types stop here: a decoded change set keeps the unpacked
//  message behind its private `decoded` pointer and exposes plain arrays
//  that point into it, so decoding copies nothing twice. Every bound of
//  accept rule 1 is checked on the way in, before anyone acts on a field.

#include "mutsync/codec.h"

#include "arena.h"
#include "mutsync.pb-c.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK (256 * 1024)

typedef struct {
    Mutsync__ChangeSet *message;  //  what protobuf-c unpacked, in ARENA
    ms_change_t *changes;         //  plain view of message->changes
    ms_arena_t arena;             //  holds the unpacked message
} decoded_t;

static const char *collection_names[MS_COLL_COUNT] = {
    [MS_COLL_NONE] = "",
    [MS_COLL_ORG] = "org",
    [MS_COLL_MEMBER] = "member",
    [MS_COLL_CONTRIBUTION] = "contribution",
    [MS_COLL_PROVIDER] = "provider",
    [MS_COLL_CLAIM] = "claim",
    [MS_COLL_COMPLAINT] = "complaint",
    [MS_COLL_REPORT] = "report",
    [MS_COLL_INDICATOR] = "indicator",
    [MS_COLL_CERT] = "cert",
    [MS_COLL_REVOCATION] = "revocation",
    [MS_COLL_RELEASE] = "release",
    [MS_COLL_RESOLUTION] = "resolution",
};

const char *ms_collection_name(ms_collection_t collection)
{
    return collection > MS_COLL_NONE && collection < MS_COLL_COUNT ? collection_names[collection]
                                                                   : "unknown";
}

ms_collection_t ms_collection_from_name(const char *name)
{
    for (int i = 1; i < MS_COLL_COUNT; i++)
        if (strcmp(collection_names[i], name) == 0)
            return (ms_collection_t)i;
    return MS_COLL_NONE;
}

static int check_text(const char *text, size_t max, const char *what, ms_error_t *err)
{
    size_t len = strlen(text);
    if (len == 0)
        return ms_error_set(err, MS_EINVAL, "change set", "%s is empty", what);
    if (len > max)
        return ms_error_set(err, MS_EINVAL, "change set", "%s is %zu bytes, the limit is %zu", what,
                            len, max);
    return 0;
}

static int check_header(const char *origin, const char *feed, uint64_t seq, size_t change_count,
                        ms_error_t *err)
{
    int rc = check_text(origin, MS_ORG_MAX, "origin", err);
    if (rc == 0)
        rc = check_text(feed, MS_FEED_NAME_MAX, "feed name", err);
    if (rc)
        return rc;
    if (seq == 0)
        return ms_error_set(err, MS_EINVAL, "change set", "seq is 0 (feeds start at 1)");
    if (change_count > MS_CHANGES_MAX)
        return ms_error_set(err, MS_EINVAL, "change set", "%zu changes, the limit is %d",
                            change_count, MS_CHANGES_MAX);
    return 0;
}

static int check_change(size_t index, int collection, int op, const char *key, size_t value_len,
                        ms_error_t *err)
{
    if (collection <= MS_COLL_NONE || collection >= MS_COLL_COUNT)
        return ms_error_set(err, MS_EINVAL, "change set", "change %zu: unknown collection %d",
                            index, collection);
    if (op != MS_OP_UPSERT && op != MS_OP_DELETE)
        return ms_error_set(err, MS_EINVAL, "change set", "change %zu: unknown op %d", index, op);
    size_t key_len = strlen(key);
    if (key_len == 0 || key_len > MS_KEY_MAX)
        return ms_error_set(err, MS_EINVAL, "change set",
                            "change %zu: key is %zu bytes, allowed 1..%d", index, key_len,
                            MS_KEY_MAX);
    if (value_len > MS_VALUE_MAX)
        return ms_error_set(err, MS_EINVAL, "change set",
                            "change %zu: value is %zu bytes, the limit is %d", index, value_len,
                            MS_VALUE_MAX);
    if (op == MS_OP_DELETE && value_len != 0)
        return ms_error_set(err, MS_EINVAL, "change set", "change %zu: a delete carries a value",
                            index);
    return 0;
}

//  The body is written as protobuf-c would write it (fields in order, a
//  zero or empty one left out, every change as a nested message), without
//  its generic passes and the copy of every change into its own structs.
static size_t varint_size(uint64_t value)
{
    size_t size = 1;
    for (; value >= 0x80; value >>= 7)
        size++;
    return size;
}

static uint8_t *put_varint(uint8_t *p, uint64_t value)
{
    for (; value >= 0x80; value >>= 7)
        *p++ = (uint8_t)(value | 0x80);
    *p++ = (uint8_t)value;
    return p;
}

static size_t number_size(uint32_t field, uint64_t value)
{
    return value ? varint_size(field << 3) + varint_size(value) : 0;
}

static uint8_t *put_number(uint8_t *p, uint32_t field, uint64_t value)
{
    return value ? put_varint(put_varint(p, field << 3), value) : p;
}

static size_t bytes_size(uint32_t field, size_t len)
{
    return len ? varint_size(field << 3 | 2) + varint_size(len) + len : 0;
}

static uint8_t *put_bytes(uint8_t *p, uint32_t field, const void *data, size_t len)
{
    if (!len)
        return p;
    p = put_varint(put_varint(p, field << 3 | 2), len);
    memcpy(p, data, len);
    return p + len;
}

static size_t change_size(const ms_change_t *change)
{
    return number_size(1, (uint32_t)change->collection) + number_size(2, (uint32_t)change->op) +
           bytes_size(3, strlen(change->key)) + bytes_size(4, change->value_len);
}

int ms_changeset_encode(const ms_changeset_t *cs, uint8_t **body_p, size_t *len_p, ms_error_t *err)
{
    *body_p = NULL;
    *len_p = 0;
    int rc = check_header(cs->origin, cs->feed, cs->seq, cs->change_count, err);
    size_t len = bytes_size(1, strlen(cs->origin)) + bytes_size(2, strlen(cs->feed)) +
                 bytes_size(3, MS_KEY_BYTES) + number_size(4, cs->seq) +
                 bytes_size(5, MS_HASH_BYTES) + number_size(6, (uint64_t)cs->created);
    for (size_t i = 0; rc == 0 && i < cs->change_count; i++) {
        const ms_change_t *change = &cs->changes[i];
        rc = check_change(i, change->collection, change->op, change->key, change->value_len, err);
        size_t size = rc ? 0 : change_size(change);
        len += varint_size(7 << 3 | 2) + varint_size(size) + size;
    }
    if (rc)
        return rc;
    if (len > MS_BODY_MAX)
        return ms_error_set(err, MS_EINVAL, "change set", "body is %zu bytes, the limit is %d", len,
                            MS_BODY_MAX);
    uint8_t *body = malloc(len ? len : 1);
    if (!body)
        return ms_error_set(err, MS_ENOMEM, "change set", "no memory to encode");
    uint8_t *p = put_bytes(body, 1, cs->origin, strlen(cs->origin));
    p = put_bytes(p, 2, cs->feed, strlen(cs->feed));
    p = put_bytes(p, 3, cs->signer, MS_KEY_BYTES);
    p = put_number(p, 4, cs->seq);
    p = put_bytes(p, 5, cs->prev, MS_HASH_BYTES);
    p = put_number(p, 6, (uint64_t)cs->created);
    for (size_t i = 0; i < cs->change_count; i++) {
        const ms_change_t *change = &cs->changes[i];
        p = put_varint(put_varint(p, 7 << 3 | 2), change_size(change));
        p = put_number(p, 1, (uint32_t)change->collection);
        p = put_number(p, 2, (uint32_t)change->op);
        p = put_bytes(p, 3, change->key, strlen(change->key));
        p = put_bytes(p, 4, change->value, change->value_len);
    }
    assert((size_t)(p - body) == len);
    *body_p = body;
    *len_p = len;
    return 0;
}

int ms_changeset_decode(const uint8_t *body, size_t len, ms_changeset_t **cs_p, ms_error_t *err)
{
    *cs_p = NULL;
    if (len > MS_BODY_MAX)
        return ms_error_set(err, MS_EINVAL, "change set", "body is %zu bytes, the limit is %d", len,
                            MS_BODY_MAX);
    decoded_t *decoded = calloc(1, sizeof *decoded);
    if (!decoded)
        return ms_error_set(err, MS_ENOMEM, "change set", "no memory to decode");
    ms_arena_init(&decoded->arena, NULL, 0, ARENA_BLOCK);
    Mutsync__ChangeSet *message = mutsync__change_set__unpack(&decoded->arena.allocator, len, body);
    if (!message) {
        ms_arena_release(&decoded->arena);
        free(decoded);
        return ms_error_set(err, MS_EINVAL, "change set", "not a valid change set (%zu bytes)",
                            len);
    }
    int rc = check_header(message->origin, message->feed, message->seq, message->n_changes, err);
    if (rc == 0 && message->signer.len != MS_KEY_BYTES)
        rc = ms_error_set(err, MS_EINVAL, "change set", "signer is %zu bytes, expected %d",
                          message->signer.len, MS_KEY_BYTES);
    if (rc == 0 && message->prev.len != MS_HASH_BYTES)
        rc = ms_error_set(err, MS_EINVAL, "change set", "prev is %zu bytes, expected %d",
                          message->prev.len, MS_HASH_BYTES);
    for (size_t i = 0; rc == 0 && i < message->n_changes; i++) {
        const Mutsync__Change *change = message->changes[i];
        rc = check_change(i, change->collection, change->op, change->key, change->value.len, err);
    }
    ms_changeset_t *cs = NULL;
    if (rc == 0) {
        cs = calloc(1, sizeof *cs);
        decoded->changes = calloc(message->n_changes ? message->n_changes : 1, sizeof(ms_change_t));
        if (!cs || !decoded->changes)
            rc = ms_error_set(err, MS_ENOMEM, "change set", "no memory to decode");
    }
    if (rc) {
        free(decoded->changes);
        free(cs);
        mutsync__change_set__free_unpacked(message, &decoded->arena.allocator);
        ms_arena_release(&decoded->arena);
        free(decoded);
        return rc;
    }
    for (size_t i = 0; i < message->n_changes; i++) {
        const Mutsync__Change *change = message->changes[i];
        decoded->changes[i] = (ms_change_t){
            .collection = (ms_collection_t)change->collection,
            .op = (ms_op_t)change->op,
            .key = change->key,
            .value = change->value.len ? change->value.data : NULL,
            .value_len = change->value.len,
        };
    }
    decoded->message = message;
    cs->origin = message->origin;
    cs->feed = message->feed;
    memcpy(cs->signer, message->signer.data, MS_KEY_BYTES);
    cs->seq = message->seq;
    memcpy(cs->prev, message->prev.data, MS_HASH_BYTES);
    cs->created = message->created;
    cs->change_count = message->n_changes;
    cs->changes = decoded->changes;
    cs->decoded = decoded;
    *cs_p = cs;
    return 0;
}

void ms_changeset_destroy(ms_changeset_t **cs_p)
{
    if (!cs_p || !*cs_p)
        return;
    decoded_t *decoded = (*cs_p)->decoded;
    if (decoded) {
        mutsync__change_set__free_unpacked(decoded->message, &decoded->arena.allocator);
        ms_arena_release(&decoded->arena);
        free(decoded->changes);
        free(decoded);
    }
    free(*cs_p);
    *cs_p = NULL;
}

//  Reads a base-128 varint at *at in [*at, end). Returns false if truncated
//  or longer than 10 bytes.
static bool read_varint(const uint8_t **at, const uint8_t *end, uint64_t *value)
{
    *value = 0;
    for (int shift = 0; shift < 70 && *at < end; shift += 7) {
        uint8_t byte = *(*at)++;
        *value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

//  One field of the protobuf wire format.
typedef struct {
    uint64_t number;      //  the field number
    unsigned wire;        //  0 varint, 1 64-bit, 2 length-delimited, 5 32-bit
    uint64_t varint;      //  the value, for wire type 0
    const uint8_t *data;  //  the bytes, for wire type 2 (borrowed)
    size_t size;          //  bytes
} wire_field_t;

//  Reads the field at *at and moves past it. Returns false when the bytes
//  end inside the field or use a wire type protobuf does not have.
static bool wire_next(const uint8_t **at, const uint8_t *end, wire_field_t *field)
{
    uint64_t tag, skip = 0;
    memset(field, 0, sizeof *field);
    if (!read_varint(at, end, &tag))
        return false;
    field->number = tag >> 3;
    field->wire = (unsigned)(tag & 7);
    switch (field->wire) {
    case 0:
        return read_varint(at, end, &field->varint);
    case 1:
        skip = 8;
        break;
    case 2:
        if (!read_varint(at, end, &skip))
            return false;
        break;
    case 5:
        skip = 4;
        break;
    default:
        return false;
    }
    if (skip > (uint64_t)(end - *at))
        return false;
    field->data = *at;
    field->size = (size_t)skip;
    *at += skip;
    return true;
}

//  ChangeSet field 6 is created (int64, a varint); the changes are skipped.
int ms_changeset_created(const uint8_t *body, size_t len, int64_t *created, ms_error_t *err)
{
    *created = 0;
    const uint8_t *at = body, *end = body + len;
    wire_field_t field;
    int64_t value = 0;
    while (at < end) {
        if (!wire_next(&at, end, &field))
            return ms_error_set(err, MS_EINVAL, "change set", "not a valid change set (%zu bytes)",
                                len);
        if (field.number == 6 && field.wire == 0)
            value = (int64_t)field.varint;
    }
    *created = value;
    return 0;
}

//  Envelope field 1 is the body, read in place.
int ms_envelope_created(const uint8_t *bytes, size_t len, int64_t *created, ms_error_t *err)
{
    *created = 0;
    const uint8_t *at = bytes, *end = bytes + len, *body = NULL;
    size_t body_len = 0;
    wire_field_t field;
    while (at < end) {
        if (!wire_next(&at, end, &field))
            return ms_error_set(err, MS_EINVAL, "envelope", "not a valid envelope (%zu bytes)",
                                len);
        if (field.number == 1 && field.wire == 2) {
            body = field.data;
            body_len = field.size;
        }
    }
    if (!body || body_len == 0)
        return ms_error_set(err, MS_EINVAL, "envelope", "has no body");
    return ms_changeset_created(body, body_len, created, err);
}

int ms_envelope_encode(const uint8_t *body, size_t body_len, const uint8_t *signature,
                       uint32_t scheme, uint8_t **bytes_p, size_t *len_p, ms_error_t *err)
{
    Mutsync__Envelope message = MUTSYNC__ENVELOPE__INIT;
    message.body.data = (uint8_t *)body;
    message.body.len = body_len;
    message.signature.data = (uint8_t *)signature;
    message.signature.len = MS_SIG_BYTES;
    //  Scheme 1 is written as it always was, without the field.
    message.scheme = scheme == MS_SIGN_SCHEME_BODY ? 0 : scheme;
    size_t len = mutsync__envelope__get_packed_size(&message);
    uint8_t *bytes = malloc(len);
    if (!bytes)
        return ms_error_set(err, MS_ENOMEM, "envelope", "no memory to encode");
    mutsync__envelope__pack(&message, bytes);
    *bytes_p = bytes;
    *len_p = len;
    return 0;
}

int ms_envelope_decode(const uint8_t *bytes, size_t len, ms_envelope_t *env, ms_error_t *err)
{
    memset(env, 0, sizeof *env);
    if (len > MS_ENVELOPE_MAX)
        return ms_error_set(err, MS_EINVAL, "envelope", "%zu bytes, the limit is %d", len,
                            MS_ENVELOPE_MAX);
    Mutsync__Envelope *message = mutsync__envelope__unpack(NULL, len, bytes);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "envelope", "not a valid envelope (%zu bytes)", len);
    int rc = 0;
    if (message->signature.len != MS_SIG_BYTES)
        rc = ms_error_set(err, MS_EINVAL, "envelope", "signature is %zu bytes, expected %d",
                          message->signature.len, MS_SIG_BYTES);
    else if (message->body.len == 0 || message->body.len > MS_BODY_MAX)
        rc = ms_error_set(err, MS_EINVAL, "envelope", "body is %zu bytes, allowed 1..%d",
                          message->body.len, MS_BODY_MAX);
    else if (message->scheme > MS_SIGN_SCHEME_ID)
        rc = ms_error_set(err, MS_EINVAL, "envelope",
                          "signature scheme %u is unknown (this version knows 1 and 2)",
                          (unsigned)message->scheme);
    if (rc == 0) {
        env->body = malloc(message->body.len);
        if (!env->body)
            rc = ms_error_set(err, MS_ENOMEM, "envelope", "no memory to decode");
    }
    if (rc == 0) {
        memcpy(env->body, message->body.data, message->body.len);
        env->body_len = message->body.len;
        memcpy(env->signature, message->signature.data, MS_SIG_BYTES);
        env->scheme = message->scheme ? message->scheme : MS_SIGN_SCHEME_BODY;
    }
    mutsync__envelope__free_unpacked(message, NULL);
    return rc;
}

void ms_envelope_clear(ms_envelope_t *env)
{
    free(env->body);
    memset(env, 0, sizeof *env);
}
