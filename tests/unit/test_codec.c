//  test_codec - change sets and envelopes to and from their bytes, and every
//  bound of accept rule 1 from both sides.
//
//  Out-of-bound inputs cannot come from our own encoder, so the test writes
//  protobuf by hand (a few lines below, proto3 as protoc-c packs it: fields
//  in number order, zero values left out). Where both can write a message,
//  the test also checks they agree byte for byte, which pins the wire format.

#include "mutsync/codec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  ---- protobuf by hand -------------------------------------------------------

typedef struct {
    uint8_t *data;
    size_t len, cap;
} pb_t;

static void pb_raw(pb_t *pb, const void *bytes, size_t len)
{
    if (pb->len + len > pb->cap) {
        pb->cap = (pb->len + len) * 2 + 64;
        pb->data = realloc(pb->data, pb->cap);
        assert_non_null(pb->data);
    }
    if (len)
        memcpy(pb->data + pb->len, bytes, len);
    pb->len += len;
}

static size_t varint_len(uint64_t value)
{
    size_t len = 1;
    while (value >= 0x80) {
        value >>= 7;
        len++;
    }
    return len;
}

static void pb_varint(pb_t *pb, uint64_t value)
{
    while (value >= 0x80) {
        uint8_t byte = (uint8_t)(value | 0x80);
        pb_raw(pb, &byte, 1);
        value >>= 7;
    }
    uint8_t byte = (uint8_t)value;
    pb_raw(pb, &byte, 1);
}

static void pb_uint(pb_t *pb, unsigned field, uint64_t value)
{
    if (value == 0)
        return;
    pb_varint(pb, field << 3);
    pb_varint(pb, value);
}

static void pb_bytes(pb_t *pb, unsigned field, const void *bytes, size_t len)
{
    if (len == 0)
        return;
    pb_varint(pb, field << 3 | 2);
    pb_varint(pb, len);
    pb_raw(pb, bytes, len);
}

//  A change set as the hand encoder writes it: sizes rather than contents.
typedef struct {
    int collection;
    int op;
    const char *key;
    size_t value_len;  //  bytes of 'v'
} raw_change_t;

typedef struct {
    const char *origin;
    const char *feed;
    size_t signer_len;  //  bytes of 0x11
    uint64_t seq;
    size_t prev_len;  //  bytes of 0x22
    int64_t created;
    size_t change_count;
    raw_change_t *changes;
} raw_cs_t;

static uint8_t value_bytes[MS_VALUE_MAX + 2];
static uint8_t signer_bytes[MS_KEY_BYTES + 2];
static uint8_t prev_bytes[MS_HASH_BYTES + 2];

static size_t change_len(const raw_change_t *change)
{
    size_t len = 0;
    if (change->collection)
        len += 1 + varint_len((uint64_t)change->collection);
    if (change->op)
        len += 1 + varint_len((uint64_t)change->op);
    size_t key_len = strlen(change->key);
    if (key_len)
        len += 1 + varint_len(key_len) + key_len;
    if (change->value_len)
        len += 1 + varint_len(change->value_len) + change->value_len;
    return len;
}

static size_t change_field_len(const raw_change_t *change)
{
    size_t len = change_len(change);
    return 1 + varint_len(len) + len;
}

static pb_t raw_encode(const raw_cs_t *cs)
{
    pb_t pb = {0};
    pb_bytes(&pb, 1, cs->origin, strlen(cs->origin));
    pb_bytes(&pb, 2, cs->feed, strlen(cs->feed));
    pb_bytes(&pb, 3, signer_bytes, cs->signer_len);
    pb_uint(&pb, 4, cs->seq);
    pb_bytes(&pb, 5, prev_bytes, cs->prev_len);
    pb_uint(&pb, 6, (uint64_t)cs->created);
    for (size_t i = 0; i < cs->change_count; i++) {
        const raw_change_t *change = &cs->changes[i];
        pb_varint(&pb, 7 << 3 | 2);
        pb_varint(&pb, change_len(change));
        pb_uint(&pb, 1, (uint64_t)change->collection);
        pb_uint(&pb, 2, (uint64_t)change->op);
        pb_bytes(&pb, 3, change->key, strlen(change->key));
        pb_bytes(&pb, 4, value_bytes, change->value_len);
    }
    return pb;
}

//  The same change set for ms_changeset_encode; CHANGES gets change_count entries.
static ms_changeset_t to_changeset(const raw_cs_t *raw, ms_change_t *changes)
{
    ms_changeset_t cs = {
        .origin = raw->origin,
        .feed = raw->feed,
        .seq = raw->seq,
        .created = raw->created,
        .change_count = raw->change_count,
        .changes = changes,
    };
    memcpy(cs.signer, signer_bytes, MS_KEY_BYTES);
    memcpy(cs.prev, prev_bytes, MS_HASH_BYTES);
    for (size_t i = 0; i < raw->change_count; i++)
        changes[i] = (ms_change_t){
            .collection = (ms_collection_t)raw->changes[i].collection,
            .op = (ms_op_t)raw->changes[i].op,
            .key = raw->changes[i].key,
            .value = raw->changes[i].value_len ? value_bytes : NULL,
            .value_len = raw->changes[i].value_len,
        };
    return cs;
}

static raw_change_t one_change[1];

//  A valid change set with one member upsert.
static raw_cs_t sample(void)
{
    one_change[0] = (raw_change_t){MS_COLL_MEMBER, MS_OP_UPSERT, "M-0001", 40};
    return (raw_cs_t){"ML-MUT-001", "register", MS_KEY_BYTES, 7, MS_HASH_BYTES,
                      1767225600,   1,          one_change};
}

static int setup_group(void **state)
{
    (void)state;
    memset(value_bytes, 'v', sizeof value_bytes);
    memset(signer_bytes, 0x11, sizeof signer_bytes);
    memset(prev_bytes, 0x22, sizeof prev_bytes);
    return 0;
}

//  ---- checks -----------------------------------------------------------------

//  RAW is within every bound: our encoder writes the same bytes and the
//  decoder gives the same fields back.
static void check_accepted(const raw_cs_t *raw)
{
    pb_t pb = raw_encode(raw);
    ms_change_t *changes = calloc(raw->change_count + 1, sizeof *changes);
    assert_non_null(changes);
    ms_changeset_t cs = to_changeset(raw, changes);
    uint8_t *body = NULL;
    size_t len = 0;
    ms_error_t err = {0};
    assert_int_equal(ms_changeset_encode(&cs, &body, &len, &err), 0);
    assert_int_equal(len, pb.len);
    assert_memory_equal(body, pb.data, len);

    ms_changeset_t *decoded = NULL;
    assert_int_equal(ms_changeset_decode(pb.data, pb.len, &decoded, &err), 0);
    assert_string_equal(decoded->origin, raw->origin);
    assert_string_equal(decoded->feed, raw->feed);
    assert_int_equal(decoded->seq, raw->seq);
    assert_int_equal(decoded->created, raw->created);
    assert_memory_equal(decoded->signer, signer_bytes, MS_KEY_BYTES);
    assert_memory_equal(decoded->prev, prev_bytes, MS_HASH_BYTES);
    assert_int_equal(decoded->change_count, raw->change_count);
    for (size_t i = 0; i < raw->change_count; i++) {
        assert_int_equal(decoded->changes[i].collection, raw->changes[i].collection);
        assert_int_equal(decoded->changes[i].op, raw->changes[i].op);
        assert_string_equal(decoded->changes[i].key, raw->changes[i].key);
        assert_int_equal(decoded->changes[i].value_len, raw->changes[i].value_len);
        if (raw->changes[i].value_len)
            assert_memory_equal(decoded->changes[i].value, value_bytes, raw->changes[i].value_len);
        else
            assert_null(decoded->changes[i].value);
    }
    ms_changeset_destroy(&decoded);
    assert_null(decoded);
    free(body);
    free(changes);
    free(pb.data);
}

static void check_decode_refused(const uint8_t *bytes, size_t len, const char *why)
{
    ms_changeset_t *cs = (ms_changeset_t *)&len;  //  must come back NULL
    ms_error_t err = {0};
    assert_int_equal(ms_changeset_decode(bytes, len, &cs, &err), MS_EINVAL);
    assert_null(cs);
    assert_int_equal(err.code, MS_EINVAL);
    if (!strstr(err.message, why))
        fail_msg("expected \"%s\" in \"%s\"", why, err.message);
}

//  RAW breaks a bound: the decoder refuses its bytes, and (when ENCODER_TOO)
//  our encoder refuses to write it; both say WHY.
static void check_refused(const raw_cs_t *raw, bool encoder_too, const char *why)
{
    pb_t pb = raw_encode(raw);
    check_decode_refused(pb.data, pb.len, why);
    free(pb.data);
    if (!encoder_too)
        return;
    ms_change_t *changes = calloc(raw->change_count + 1, sizeof *changes);
    assert_non_null(changes);
    ms_changeset_t cs = to_changeset(raw, changes);
    uint8_t *body = (uint8_t *)changes;
    size_t len = 99;
    ms_error_t err = {0};
    assert_int_equal(ms_changeset_encode(&cs, &body, &len, &err), MS_EINVAL);
    assert_null(body);
    assert_int_equal(len, 0);
    if (!strstr(err.message, why))
        fail_msg("expected \"%s\" in \"%s\"", why, err.message);
    free(changes);
}

static char *text_of(size_t len, char c)
{
    char *text = malloc(len + 1);
    assert_non_null(text);
    memset(text, c, len);
    text[len] = 0;
    return text;
}

//  ---- tests ------------------------------------------------------------------

static void test_changeset_roundtrip_keeps_every_field(void **state)
{
    (void)state;
    raw_change_t changes[3] = {
        {MS_COLL_MEMBER, MS_OP_UPSERT, "M-0001", 40},
        {MS_COLL_MEMBER, MS_OP_DELETE, "M-0002", 0},
        {MS_COLL_CONTRIBUTION, MS_OP_UPSERT, "H-0001|2026-01", 1},
    };
    raw_cs_t raw = {"ML-MUT-001", "register", MS_KEY_BYTES, 300, MS_HASH_BYTES,
                    1767225600,   3,          changes};
    check_accepted(&raw);
    raw.created = -5;  //  before 1970 still travels
    check_accepted(&raw);
    raw.change_count = 0;  //  an empty change set is a valid change set
    check_accepted(&raw);
}

static void test_changeset_origin_of_64_bytes_accepted_65_refused(void **state)
{
    (void)state;
    raw_cs_t raw = sample();
    char *origin = text_of(MS_ORG_MAX, 'O');
    raw.origin = origin;
    check_accepted(&raw);
    free(origin);
    origin = text_of(MS_ORG_MAX + 1, 'O');
    raw.origin = origin;
    check_refused(&raw, true, "origin is 65 bytes, the limit is 64");
    free(origin);
    raw.origin = "";
    check_refused(&raw, true, "origin is empty");
}

static void test_changeset_feed_of_16_bytes_accepted_17_refused(void **state)
{
    (void)state;
    raw_cs_t raw = sample();
    char *feed = text_of(MS_FEED_NAME_MAX, 'f');
    raw.feed = feed;
    check_accepted(&raw);
    free(feed);
    feed = text_of(MS_FEED_NAME_MAX + 1, 'f');
    raw.feed = feed;
    check_refused(&raw, true, "feed name is 17 bytes, the limit is 16");
    free(feed);
    raw.feed = "";
    check_refused(&raw, true, "feed name is empty");
}

static void test_changeset_key_of_128_bytes_accepted_129_refused(void **state)
{
    (void)state;
    raw_cs_t raw = sample();
    char *key = text_of(MS_KEY_MAX, 'k');
    one_change[0].key = key;
    check_accepted(&raw);
    free(key);
    key = text_of(MS_KEY_MAX + 1, 'k');
    one_change[0].key = key;
    check_refused(&raw, true, "change 0: key is 129 bytes, allowed 1..128");
    free(key);
    one_change[0].key = "";
    check_refused(&raw, true, "change 0: key is 0 bytes");
}

static void test_changeset_value_of_max_bytes_accepted_one_more_refused(void **state)
{
    (void)state;
    raw_cs_t raw = sample();
    one_change[0].value_len = MS_VALUE_MAX;
    check_accepted(&raw);
    one_change[0].value_len = MS_VALUE_MAX + 1;
    check_refused(&raw, true, "change 0: value is 8193 bytes, the limit is 8192");
}

static void test_changeset_of_max_changes_accepted_one_more_refused(void **state)
{
    (void)state;
    raw_change_t *changes = calloc(MS_CHANGES_MAX + 1, sizeof *changes);
    assert_non_null(changes);
    for (size_t i = 0; i <= MS_CHANGES_MAX; i++)
        changes[i] = (raw_change_t){MS_COLL_MEMBER, MS_OP_DELETE, "M", 0};
    raw_cs_t raw = sample();
    raw.changes = changes;
    raw.change_count = MS_CHANGES_MAX;
    check_accepted(&raw);
    raw.change_count = MS_CHANGES_MAX + 1;
    check_refused(&raw, true, "10001 changes, the limit is 10000");
    free(changes);
}

//  Fills CHANGES so that RAW encodes to exactly TARGET bytes: full-size
//  values, then a last change whose key and value lengths make up the rest.
static void fill_to(raw_cs_t *raw, raw_change_t *changes, size_t max_changes, char *last_key,
                    size_t target)
{
    raw->change_count = 0;
    raw->changes = changes;
    pb_t header = raw_encode(raw);
    size_t size = header.len;
    free(header.data);
    raw_change_t full = {MS_COLL_MEMBER, MS_OP_UPSERT, "k", MS_VALUE_MAX};
    while (target - size > change_field_len(&full) + 100) {
        assert_true(raw->change_count + 1 < max_changes);
        changes[raw->change_count++] = full;
        size += change_field_len(&full);
    }
    for (size_t key_len = 1; key_len <= MS_KEY_MAX; key_len++) {
        memset(last_key, 'k', key_len);
        last_key[key_len] = 0;
        raw_change_t last = {MS_COLL_MEMBER, MS_OP_UPSERT, last_key, 0};
        for (size_t value_len = 0; value_len <= MS_VALUE_MAX; value_len++) {
            last.value_len = value_len;
            if (size + change_field_len(&last) == target) {
                changes[raw->change_count++] = last;
                return;
            }
        }
    }
    fail_msg("cannot make a change set of %zu bytes", target);
}

static void test_changeset_body_of_max_bytes_accepted_one_more_refused(void **state)
{
    (void)state;
    size_t max_changes = MS_BODY_MAX / MS_VALUE_MAX + 4;
    raw_change_t *changes = calloc(max_changes, sizeof *changes);
    assert_non_null(changes);
    char last_key[MS_KEY_MAX + 1];
    raw_cs_t raw = sample();

    fill_to(&raw, changes, max_changes, last_key, MS_BODY_MAX);
    pb_t pb = raw_encode(&raw);
    assert_int_equal(pb.len, MS_BODY_MAX);
    free(pb.data);
    check_accepted(&raw);

    fill_to(&raw, changes, max_changes, last_key, MS_BODY_MAX + 1);
    pb = raw_encode(&raw);
    assert_int_equal(pb.len, MS_BODY_MAX + 1);
    free(pb.data);
    check_refused(&raw, true, "body is 4194305 bytes, the limit is 4194304");
    free(changes);
}

static void test_changeset_seq_0_refused(void **state)
{
    (void)state;
    raw_cs_t raw = sample();
    raw.seq = 1;
    check_accepted(&raw);
    raw.seq = 0;
    check_refused(&raw, true, "seq is 0");
    raw.seq = UINT64_MAX;
    check_accepted(&raw);
}

static void test_changeset_signer_and_prev_of_wrong_size_refused(void **state)
{
    (void)state;
    raw_cs_t raw = sample();
    raw.signer_len = MS_KEY_BYTES - 1;
    check_refused(&raw, false, "signer is 31 bytes, expected 32");
    raw.signer_len = MS_KEY_BYTES + 1;
    check_refused(&raw, false, "signer is 33 bytes, expected 32");
    raw.signer_len = 0;
    check_refused(&raw, false, "signer is 0 bytes, expected 32");
    raw = sample();
    raw.prev_len = MS_HASH_BYTES - 1;
    check_refused(&raw, false, "prev is 31 bytes, expected 32");
    raw.prev_len = 0;
    check_refused(&raw, false, "prev is 0 bytes, expected 32");
}

static void test_changeset_unknown_collection_or_op_refused(void **state)
{
    (void)state;
    raw_cs_t raw = sample();
    one_change[0].collection = MS_COLL_REVOCATION;
    check_accepted(&raw);
    one_change[0].collection = MS_COLL_COUNT;
    check_refused(&raw, true, "change 0: unknown collection 13");
    one_change[0].collection = MS_COLL_NONE;
    check_refused(&raw, true, "change 0: unknown collection 0");
    one_change[0].collection = 1000;
    check_refused(&raw, true, "change 0: unknown collection 1000");
    raw = sample();
    one_change[0].op = 2;
    check_refused(&raw, true, "change 0: unknown op 2");
}

static void test_changeset_delete_with_a_value_refused(void **state)
{
    (void)state;
    raw_cs_t raw = sample();
    one_change[0].op = MS_OP_DELETE;
    one_change[0].value_len = 0;
    check_accepted(&raw);
    one_change[0].value_len = 1;
    check_refused(&raw, true, "change 0: a delete carries a value");
}

static void test_changeset_names_the_change_at_fault(void **state)
{
    (void)state;
    raw_change_t changes[3] = {
        {MS_COLL_MEMBER, MS_OP_UPSERT, "M-0001", 4},
        {MS_COLL_MEMBER, MS_OP_UPSERT, "M-0002", 4},
        {MS_COLL_MEMBER, 7, "M-0003", 4},
    };
    raw_cs_t raw = sample();
    raw.changes = changes;
    raw.change_count = 3;
    check_refused(&raw, true, "change 2: unknown op 7");
}

static void test_changeset_every_prefix_refused_or_within_bounds(void **state)
{
    (void)state;
    raw_change_t changes[2] = {
        {MS_COLL_MEMBER, MS_OP_UPSERT, "M-0001", 40},
        {MS_COLL_MEMBER, MS_OP_DELETE, "M-0002", 0},
    };
    raw_cs_t raw = sample();
    raw.changes = changes;
    raw.change_count = 2;
    pb_t pb = raw_encode(&raw);
    size_t accepted = 0;
    for (size_t len = 0; len < pb.len; len++) {
        //  A copy of exactly LEN bytes, so a read past the end is caught under ASan.
        uint8_t *prefix = malloc(len ? len : 1);
        assert_non_null(prefix);
        memcpy(prefix, pb.data, len);
        ms_changeset_t *cs = NULL;
        ms_error_t err = {0};
        int rc = ms_changeset_decode(prefix, len, &cs, &err);
        if (rc == 0) {
            accepted++;
            assert_true(strlen(cs->origin) >= 1 && strlen(cs->origin) <= MS_ORG_MAX);
            assert_true(strlen(cs->feed) >= 1 && strlen(cs->feed) <= MS_FEED_NAME_MAX);
            assert_true(cs->seq >= 1);
            assert_true(cs->change_count <= raw.change_count);
            for (size_t i = 0; i < cs->change_count; i++)
                assert_true(cs->changes[i].value_len <= MS_VALUE_MAX);
            ms_changeset_destroy(&cs);
        } else {
            assert_int_equal(rc, MS_EINVAL);
            assert_null(cs);
        }
        free(prefix);
    }
    //  Three prefixes are valid change sets in their own right: the one that
    //  ends after prev (created 0), after created (no changes) and after the
    //  first change. Protobuf has no end marker; the signature is what holds
    //  a body whole.
    assert_int_equal(accepted, 3);
    free(pb.data);
}

static void test_changeset_garbage_refused(void **state)
{
    (void)state;
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0x01};
    check_decode_refused(junk, sizeof junk, "not a valid change set");
    static const uint8_t wrong_type[] = {0x0d, 1, 2, 3, 4};  //  field 1 as fixed32
    check_decode_refused(wrong_type, sizeof wrong_type, "not a valid change set");
    static const uint8_t long_len[] = {0x0a, 0x7f, 'M', 'L'};  //  127 bytes claimed, 2 given
    check_decode_refused(long_len, sizeof long_len, "not a valid change set");
    check_decode_refused(junk, 0, "origin is empty");
    uint8_t *big = calloc(1, (size_t)MS_BODY_MAX + 1);
    assert_non_null(big);
    check_decode_refused(big, (size_t)MS_BODY_MAX + 1, "body is 4194305 bytes");
    free(big);
}

//  ---- envelopes --------------------------------------------------------------

static pb_t raw_envelope(size_t body_len, size_t signature_len)
{
    uint8_t *body = malloc(body_len + 1);
    uint8_t signature[MS_SIG_BYTES + 1];
    assert_non_null(body);
    memset(body, 'b', body_len);
    memset(signature, 's', sizeof signature);
    pb_t pb = {0};
    pb_bytes(&pb, 1, body, body_len);
    pb_bytes(&pb, 2, signature, signature_len);
    free(body);
    return pb;
}

static void check_envelope_refused(const uint8_t *bytes, size_t len, const char *why)
{
    ms_envelope_t env;
    memset(&env, 0x5a, sizeof env);
    ms_error_t err = {0};
    assert_int_equal(ms_envelope_decode(bytes, len, &env, &err), MS_EINVAL);
    assert_null(env.body);
    assert_int_equal(env.body_len, 0);
    static const uint8_t zero[MS_SIG_BYTES];
    assert_memory_equal(env.signature, zero, MS_SIG_BYTES);
    if (!strstr(err.message, why))
        fail_msg("expected \"%s\" in \"%s\"", why, err.message);
}

//  The created time read alone is the one the full decoder gives, for a
//  change set of several changes and for a time before 1970.
static void test_changeset_created_read_alone_equals_decoded(void **state)
{
    (void)state;
    raw_change_t changes[3] = {
        {MS_COLL_MEMBER, MS_OP_UPSERT, "M-0001", 40},
        {MS_COLL_MEMBER, MS_OP_DELETE, "M-0002", 0},
        {MS_COLL_MEMBER, MS_OP_UPSERT, "M-0003", 200},
    };
    int64_t times[] = {1767225600, -86400, 0};
    for (size_t t = 0; t < sizeof times / sizeof times[0]; t++) {
        raw_cs_t raw = sample();
        raw.changes = changes;
        raw.change_count = 3;
        raw.created = times[t];
        pb_t pb = raw_encode(&raw);
        ms_changeset_t *cs = NULL;
        ms_error_t err = {0};
        assert_int_equal(ms_changeset_decode(pb.data, pb.len, &cs, &err), 0);
        int64_t created = 42;
        assert_int_equal(ms_changeset_created(pb.data, pb.len, &created, &err), 0);
        assert_int_equal(created, cs->created);
        assert_int_equal(created, times[t]);
        ms_changeset_destroy(&cs);
        free(pb.data);
    }
}

//  Every prefix of a change set and bytes that are no protobuf: 0 or
//  MS_EINVAL, never a read past the end (a copy of exactly LEN bytes, for ASan).
static void test_changeset_created_refuses_truncated_and_garbage(void **state)
{
    (void)state;
    raw_cs_t raw = sample();
    pb_t pb = raw_encode(&raw);
    size_t refused = 0;
    for (size_t len = 0; len <= pb.len; len++) {
        uint8_t *prefix = malloc(len ? len : 1);
        assert_non_null(prefix);
        memcpy(prefix, pb.data, len);
        int64_t created = 42;
        ms_error_t err = {0};
        int rc = ms_changeset_created(prefix, len, &created, &err);
        if (rc) {
            assert_int_equal(rc, MS_EINVAL);
            assert_int_equal(created, 0);
            refused++;
        }
        free(prefix);
    }
    assert_true(refused > 0);
    const uint8_t garbage[][3] = {{0x37, 0, 0}, {0x30, 0xff, 0xff}, {0x3a, 0x05, 0x01}};
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        int64_t created = 42;
        ms_error_t err = {0};
        assert_int_equal(ms_changeset_created(garbage[i], 3, &created, &err), MS_EINVAL);
        assert_int_equal(created, 0);
    }
    free(pb.data);
}

//  The created time read in place from an envelope is its change set's;
//  every prefix of the envelope gives 0 or MS_EINVAL, never a read past
//  the end (a copy of exactly LEN bytes, for ASan).
static void test_envelope_created_read_in_place(void **state)
{
    (void)state;
    raw_cs_t raw = sample();
    raw.created = 1767225600;
    pb_t pb = raw_encode(&raw);
    uint8_t signature[MS_SIG_BYTES];
    memset(signature, 0x33, sizeof signature);
    uint8_t *bytes = NULL;
    size_t len = 0;
    ms_error_t err = {0};
    assert_int_equal(
        ms_envelope_encode(pb.data, pb.len, signature, MS_SIGN_SCHEME_BODY, &bytes, &len, &err), 0);
    int64_t created = 0;
    assert_int_equal(ms_envelope_created(bytes, len, &created, &err), 0);
    assert_int_equal(created, raw.created);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *prefix = malloc(cut ? cut : 1);
        assert_non_null(prefix);
        memcpy(prefix, bytes, cut);
        created = 42;
        int rc = ms_envelope_created(prefix, cut, &created, &err);
        assert_true(rc == 0 || rc == MS_EINVAL);
        if (rc)
            assert_int_equal(created, 0);
        free(prefix);
    }
    free(bytes);
    free(pb.data);
}

static void test_envelope_roundtrip(void **state)
{
    (void)state;
    uint8_t body[100], signature[MS_SIG_BYTES];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = (uint8_t)i;
    memset(signature, 0x77, sizeof signature);
    uint8_t *bytes = NULL;
    size_t len = 0;
    assert_int_equal(
        ms_envelope_encode(body, sizeof body, signature, MS_SIGN_SCHEME_BODY, &bytes, &len, NULL),
        0);
    pb_t pb = {0};
    pb_bytes(&pb, 1, body, sizeof body);
    pb_bytes(&pb, 2, signature, sizeof signature);
    assert_int_equal(len, pb.len);
    assert_memory_equal(bytes, pb.data, len);
    ms_envelope_t env;
    assert_int_equal(ms_envelope_decode(bytes, len, &env, NULL), 0);
    assert_int_equal(env.body_len, sizeof body);
    assert_memory_equal(env.body, body, sizeof body);
    assert_memory_equal(env.signature, signature, MS_SIG_BYTES);
    ms_envelope_clear(&env);
    assert_null(env.body);
    assert_int_equal(env.body_len, 0);
    free(bytes);
    free(pb.data);
}

static void test_envelope_signature_of_64_bytes_accepted_63_refused(void **state)
{
    (void)state;
    pb_t pb = raw_envelope(10, MS_SIG_BYTES);
    ms_envelope_t env;
    assert_int_equal(ms_envelope_decode(pb.data, pb.len, &env, NULL), 0);
    ms_envelope_clear(&env);
    free(pb.data);
    pb = raw_envelope(10, MS_SIG_BYTES - 1);
    check_envelope_refused(pb.data, pb.len, "signature is 63 bytes, expected 64");
    free(pb.data);
    pb = raw_envelope(10, MS_SIG_BYTES + 1);
    check_envelope_refused(pb.data, pb.len, "signature is 65 bytes, expected 64");
    free(pb.data);
    pb = raw_envelope(10, 0);
    check_envelope_refused(pb.data, pb.len, "signature is 0 bytes, expected 64");
    free(pb.data);
}

static void test_envelope_body_of_max_bytes_accepted_one_more_refused(void **state)
{
    (void)state;
    pb_t pb = raw_envelope(MS_BODY_MAX, MS_SIG_BYTES);
    ms_envelope_t env;
    assert_int_equal(ms_envelope_decode(pb.data, pb.len, &env, NULL), 0);
    assert_int_equal(env.body_len, MS_BODY_MAX);
    ms_envelope_clear(&env);
    free(pb.data);
    pb = raw_envelope(MS_BODY_MAX + 1, MS_SIG_BYTES);
    assert_true(pb.len <= MS_ENVELOPE_MAX);
    check_envelope_refused(pb.data, pb.len, "body is 4194305 bytes, allowed 1..4194304");
    free(pb.data);
    pb = raw_envelope(0, MS_SIG_BYTES);
    check_envelope_refused(pb.data, pb.len, "body is 0 bytes");
    free(pb.data);
}

static void test_envelope_over_max_bytes_refused(void **state)
{
    (void)state;
    size_t len = (size_t)MS_ENVELOPE_MAX + 1;
    uint8_t *bytes = calloc(1, len);
    assert_non_null(bytes);
    check_envelope_refused(bytes, len, "4195329 bytes, the limit is 4195328");
    free(bytes);
}

static void test_envelope_every_prefix_refused_or_within_bounds(void **state)
{
    (void)state;
    pb_t pb = raw_envelope(50, MS_SIG_BYTES);
    for (size_t len = 0; len < pb.len; len++) {
        uint8_t *prefix = malloc(len ? len : 1);
        assert_non_null(prefix);
        memcpy(prefix, pb.data, len);
        ms_envelope_t env;
        int rc = ms_envelope_decode(prefix, len, &env, NULL);
        assert_int_equal(rc, MS_EINVAL);  //  the signature comes last: no prefix holds one
        assert_null(env.body);
        free(prefix);
    }
    free(pb.data);
}

static void test_collection_names_roundtrip(void **state)
{
    (void)state;
    for (int i = MS_COLL_NONE + 1; i < MS_COLL_COUNT; i++)
        assert_int_equal(ms_collection_from_name(ms_collection_name((ms_collection_t)i)), i);
    assert_string_equal(ms_collection_name(MS_COLL_MEMBER), "member");
    assert_string_equal(ms_collection_name(MS_COLL_REVOCATION), "revocation");
    assert_string_equal(ms_collection_name(MS_COLL_COUNT), "unknown");
    assert_string_equal(ms_collection_name(MS_COLL_NONE), "unknown");
    assert_int_equal(ms_collection_from_name("members"), MS_COLL_NONE);
    assert_int_equal(ms_collection_from_name(""), MS_COLL_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changeset_roundtrip_keeps_every_field),
        cmocka_unit_test(test_changeset_origin_of_64_bytes_accepted_65_refused),
        cmocka_unit_test(test_changeset_feed_of_16_bytes_accepted_17_refused),
        cmocka_unit_test(test_changeset_key_of_128_bytes_accepted_129_refused),
        cmocka_unit_test(test_changeset_value_of_max_bytes_accepted_one_more_refused),
        cmocka_unit_test(test_changeset_of_max_changes_accepted_one_more_refused),
        cmocka_unit_test(test_changeset_body_of_max_bytes_accepted_one_more_refused),
        cmocka_unit_test(test_changeset_seq_0_refused),
        cmocka_unit_test(test_changeset_signer_and_prev_of_wrong_size_refused),
        cmocka_unit_test(test_changeset_unknown_collection_or_op_refused),
        cmocka_unit_test(test_changeset_delete_with_a_value_refused),
        cmocka_unit_test(test_changeset_names_the_change_at_fault),
        cmocka_unit_test(test_changeset_every_prefix_refused_or_within_bounds),
        cmocka_unit_test(test_changeset_garbage_refused),
        cmocka_unit_test(test_changeset_created_read_alone_equals_decoded),
        cmocka_unit_test(test_changeset_created_refuses_truncated_and_garbage),
        cmocka_unit_test(test_envelope_created_read_in_place),
        cmocka_unit_test(test_envelope_roundtrip),
        cmocka_unit_test(test_envelope_signature_of_64_bytes_accepted_63_refused),
        cmocka_unit_test(test_envelope_body_of_max_bytes_accepted_one_more_refused),
        cmocka_unit_test(test_envelope_over_max_bytes_refused),
        cmocka_unit_test(test_envelope_every_prefix_refused_or_within_bounds),
        cmocka_unit_test(test_collection_names_roundtrip),
    };
    return cmocka_run_group_tests(tests, setup_group, NULL);
}
