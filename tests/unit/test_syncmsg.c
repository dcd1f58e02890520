//  test_syncmsg - sync messages and batches: round trips and every limit.

#include "mutsync/syncmsg.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static void roundtrip(const ms_msg_t *in, ms_msg_t *out)
{
    uint8_t *bytes;
    size_t len;
    assert_int_equal(ms_msg_encode(in, &bytes, &len, NULL), 0);
    assert_int_equal(ms_msg_peek(bytes, len), in->type);
    assert_int_equal(ms_msg_decode(bytes, len, out, NULL), 0);
    free(bytes);
    assert_int_equal(out->type, in->type);
}

static void test_hello_is_small_and_round_trips(void **state)
{
    (void)state;
    ms_msg_t hello = {.type = MS_MSG_HELLO, .version = MS_SYNC_VERSION, .window = 4};
    memset(hello.digest, 0xab, sizeof hello.digest);
    uint8_t *bytes;
    size_t len;
    assert_int_equal(ms_msg_encode(&hello, &bytes, &len, NULL), 0);
    assert_true(len <= 32);
    free(bytes);
    ms_msg_t out;
    roundtrip(&hello, &out);
    assert_int_equal(out.window, 4);
    assert_memory_equal(out.digest, hello.digest, MS_SYNC_DIGEST_BYTES);
    ms_msg_clear(&out);
}

static void test_heads_keep_names_seqs_and_hashes(void **state)
{
    (void)state;
    ms_sync_head_t heads[2] = {{.org = "ML-UTM", .feed = "public", .seq = 7},
                               {.org = "ML-UTM-001", .feed = "register", .seq = 0}};
    memset(heads[0].hash, 0x11, MS_HASH_BYTES);
    ms_msg_t msg = {
        .type = MS_MSG_HEADS, .offer = heads, .offer_count = 2, .want = heads, .want_count = 1};
    ms_msg_t out;
    roundtrip(&msg, &out);
    assert_int_equal(out.offer_count, 2);
    assert_int_equal(out.want_count, 1);
    assert_string_equal(out.offer[1].org, "ML-UTM-001");
    assert_string_equal(out.offer[1].feed, "register");
    assert_int_equal(out.offer[0].seq, 7);
    assert_memory_equal(out.offer[0].hash, heads[0].hash, MS_HASH_BYTES);
    ms_msg_clear(&out);
}

static void test_decode_refuses_garbage_and_oversized_frames(void **state)
{
    (void)state;
    uint8_t garbage[40];
    memset(garbage, 0xff, sizeof garbage);
    ms_msg_t out;
    ms_error_t err = {0};
    assert_int_equal(ms_msg_decode(garbage, sizeof garbage, &out, &err), MS_EINVAL);
    assert_int_equal(out.type, MS_MSG_NONE);
    assert_int_equal(ms_msg_decode(garbage, MS_SYNC_FRAME_MAX + 1, &out, &err), MS_EINVAL);
    assert_non_null(strstr(err.message, "over the limit"));
    assert_int_equal(ms_msg_peek(garbage, sizeof garbage), MS_MSG_NONE);
}

static void test_decode_refuses_a_hash_of_the_wrong_size(void **state)
{
    (void)state;
    //  Heads{offer: Head{org "A", feed "public", seq 1, hash 1 byte}}
    static const uint8_t bytes[] = {0x1a, 0x12, 0x0a, 0x10, 0x0a, 0x01, 'A',  0x12, 0x06, 'p',
                                    'u',  'b',  'l',  'i',  'c',  0x18, 0x01, 0x22, 0x01, 0x00};
    ms_msg_t out;
    ms_error_t err = {0};
    assert_int_equal(ms_msg_decode(bytes, sizeof bytes, &out, &err), MS_EINVAL);
    assert_non_null(strstr(err.message, "hash of 1 bytes"));
}

static void test_batch_round_trips_envelopes_in_order(void **state)
{
    (void)state;
    ms_batch_t *batch;
    assert_int_equal(ms_batch_new(MS_SYNC_ZSTD_LEVEL, &batch, NULL), 0);
    uint8_t envelope[300];
    for (int i = 0; i < 10; i++) {
        memset(envelope, 'a' + i, sizeof envelope);
        assert_int_equal(ms_batch_add(batch, envelope, 100 + (size_t)i, NULL), 0);
    }
    const uint8_t *data;
    size_t len;
    uint32_t raw = (uint32_t)ms_batch_raw_bytes(batch);
    assert_int_equal(ms_batch_compress(batch, &data, &len, NULL), 0);
    assert_true(len < raw / 4);
    uint8_t *copy = malloc(len);
    memcpy(copy, data, len);
    ms_batch_t *reader;
    assert_int_equal(ms_batch_new(MS_SYNC_ZSTD_LEVEL, &reader, NULL), 0);
    assert_int_equal(ms_batch_unpack(reader, copy, len, raw, 10, NULL), 0);
    const uint8_t *got;
    size_t got_len;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(ms_batch_next(reader, &got, &got_len), 1);
        assert_int_equal(got_len, 100 + (size_t)i);
        assert_int_equal(got[0], 'a' + i);
    }
    assert_int_equal(ms_batch_next(reader, &got, &got_len), 0);
    ms_batch_rewind(reader);
    assert_int_equal(ms_batch_next(reader, &got, &got_len), 1);
    assert_int_equal(got[0], 'a');
    //  A batch that lies about its size or its count is refused.
    ms_error_t err = {0};
    assert_int_equal(ms_batch_unpack(reader, copy, len, raw + 1, 10, &err), MS_EINVAL);
    assert_int_equal(ms_batch_unpack(reader, copy, len, raw, 9, &err), MS_EINVAL);
    assert_int_equal(ms_batch_unpack(reader, copy, len / 2, raw, 10, &err), MS_EINVAL);
    assert_int_equal(ms_batch_unpack(reader, copy, len, MS_SYNC_BATCH_RAW_MAX + 1, 10, &err),
                     MS_EINVAL);
    free(copy);
    ms_batch_destroy(&reader);
    ms_batch_destroy(&batch);
}

//  A frame compressed as version 1 wrote it (the envelopes' frames as they
//  are) still reads.
static void test_batch_reads_a_version_1_batch(void **state)
{
    (void)state;
    uint8_t frames[2 * (4 + 50)];
    for (int i = 0; i < 2; i++) {
        uint8_t *p = frames + i * (4 + 50);
        memcpy(p, "\0\0\0\x32", 4);
        memset(p + 4, 'x' + i, 50);
    }
    uint8_t packed[256];
    size_t len = ZSTD_compress(packed, sizeof packed, frames, sizeof frames, 6);
    assert_false(ZSTD_isError(len));
    ms_batch_t *reader;
    assert_int_equal(ms_batch_new(MS_SYNC_ZSTD_LEVEL, &reader, NULL), 0);
    assert_int_equal(ms_batch_unpack(reader, packed, len, sizeof frames, 2, NULL), 0);
    const uint8_t *got;
    size_t got_len;
    assert_int_equal(ms_batch_next(reader, &got, &got_len), 1);
    assert_int_equal(got_len, 50);
    assert_int_equal(got[0], 'x');
    assert_int_equal(ms_batch_next(reader, &got, &got_len), 1);
    assert_int_equal(got[49], 'y');
    assert_int_equal(ms_batch_next(reader, &got, &got_len), 0);
    ms_batch_destroy(&reader);
}

static void test_batch_holds_at_most_its_envelope_limit(void **state)
{
    (void)state;
    ms_batch_t *batch;
    assert_int_equal(ms_batch_new(1, &batch, NULL), 0);
    uint8_t byte = 1;
    for (int i = 0; i < MS_SYNC_BATCH_ENVELOPES_MAX; i++)
        assert_int_equal(ms_batch_add(batch, &byte, 1, NULL), 0);
    assert_int_equal(ms_batch_add(batch, &byte, 1, NULL), MS_EINVAL);
    assert_int_equal(ms_batch_count(batch), MS_SYNC_BATCH_ENVELOPES_MAX);
    ms_batch_destroy(&batch);
}

static void test_backup_chunk_round_trips(void **state)
{
    (void)state;
    uint8_t data[1000];
    memset(data, 0x5a, sizeof data);
    ms_msg_t chunk = {.type = MS_MSG_BACKUP_CHUNK,
                      .offset = 3000,
                      .total = 4000,
                      .data = data,
                      .data_len = sizeof data};
    memset(chunk.blob_digest, 0x42, MS_SYNC_BLOB_DIGEST_BYTES);
    ms_msg_t out;
    roundtrip(&chunk, &out);
    assert_int_equal(out.offset, 3000);
    assert_int_equal(out.total, 4000);
    assert_int_equal(out.data_len, sizeof data);
    assert_memory_equal(out.data, data, sizeof data);
    assert_memory_equal(out.blob_digest, chunk.blob_digest, MS_SYNC_BLOB_DIGEST_BYTES);
    ms_msg_clear(&out);
    ms_msg_t ack = {.type = MS_MSG_BACKUP_ACK, .offset = 4000};
    roundtrip(&ack, &out);
    assert_int_equal(out.offset, 4000);
    ms_msg_clear(&out);
    ms_msg_t hello = {
        .type = MS_MSG_HELLO, .version = MS_SYNC_VERSION, .total = 12345678, .chunks = true};
    memset(hello.blob_digest, 0x17, MS_SYNC_BLOB_DIGEST_BYTES);
    roundtrip(&hello, &out);
    assert_int_equal(out.total, 12345678);
    assert_true(out.chunks);
    assert_memory_equal(out.blob_digest, hello.blob_digest, MS_SYNC_BLOB_DIGEST_BYTES);
    ms_msg_clear(&out);
}

//  Encodes IN (encode does not check a chunk's bounds) and expects decode
//  to refuse it.
static void refused(const ms_msg_t *in)
{
    uint8_t *bytes;
    size_t len;
    assert_int_equal(ms_msg_encode(in, &bytes, &len, NULL), 0);
    ms_msg_t out;
    ms_error_t err = {0};
    assert_int_equal(ms_msg_decode(bytes, len, &out, &err), MS_EINVAL);
    assert_int_equal(out.type, MS_MSG_NONE);
    assert_true(err.message[0] != 0);
    free(bytes);
}

static void test_decode_refuses_a_backup_chunk_out_of_bounds(void **state)
{
    (void)state;
    uint8_t *data = calloc(1, MS_SYNC_CHUNK_MAX + 1);
    assert_non_null(data);
    ms_msg_t chunk = {.type = MS_MSG_BACKUP_CHUNK, .total = 100, .data = data, .data_len = 10};
    chunk.offset = 91;  //  ends past the total
    refused(&chunk);
    chunk.offset = UINT64_MAX - 5;  //  wraps around
    refused(&chunk);
    chunk.offset = 0;
    chunk.total = (uint64_t)MS_SYNC_BACKUP_MAX + 1;  //  over the limit
    refused(&chunk);
    chunk.total = 0;
    refused(&chunk);
    chunk.total = (uint64_t)MS_SYNC_CHUNK_MAX * 4;
    chunk.data_len = MS_SYNC_CHUNK_MAX + 1;  //  one chunk too big
    refused(&chunk);
    chunk.data_len = 0;  //  empty
    refused(&chunk);
    free(data);
    ms_msg_t hello = {.type = MS_MSG_HELLO, .total = (uint64_t)MS_SYNC_BACKUP_MAX + 1};
    refused(&hello);
    ms_msg_t ack = {.type = MS_MSG_BACKUP_ACK, .offset = (uint64_t)MS_SYNC_BACKUP_MAX + 1};
    refused(&ack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_is_small_and_round_trips),
        cmocka_unit_test(test_heads_keep_names_seqs_and_hashes),
        cmocka_unit_test(test_decode_refuses_garbage_and_oversized_frames),
        cmocka_unit_test(test_decode_refuses_a_hash_of_the_wrong_size),
        cmocka_unit_test(test_batch_round_trips_envelopes_in_order),
        cmocka_unit_test(test_batch_reads_a_version_1_batch),
        cmocka_unit_test(test_batch_holds_at_most_its_envelope_limit),
        cmocka_unit_test(test_backup_chunk_round_trips),
        cmocka_unit_test(test_decode_refuses_a_backup_chunk_out_of_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
