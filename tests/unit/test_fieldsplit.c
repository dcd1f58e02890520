//  test_fieldsplit - batches split by field: the same bytes back, smaller
//  after zstd, and every inconsistency refused.

#include "mutsync/fieldsplit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

typedef struct {
    uint8_t bytes[1 << 16];
    size_t len;
} buf_t;

static void put(buf_t *b, const void *p, size_t n)
{
    assert_true(b->len + n <= sizeof b->bytes);
    memcpy(b->bytes + b->len, p, n);
    b->len += n;
}

static void put_varint(buf_t *b, uint64_t v)
{
    do {
        uint8_t byte = (uint8_t)(v & 0x7f) | (v > 0x7f ? 0x80 : 0);
        put(b, &byte, 1);
        v >>= 7;
    } while (v);
}

static void put_field(buf_t *b, unsigned field, const buf_t *value)
{
    put_varint(b, (uint64_t)field << 3 | 2);
    put_varint(b, value->len);
    put(b, value->bytes, value->len);
}

static void put_text(buf_t *b, unsigned field, const char *text)
{
    put_varint(b, (uint64_t)field << 3 | 2);
    put_varint(b, strlen(text));
    put(b, text, strlen(text));
}

//  Frames shaped as ours: an envelope whose body is a change set of
//  COUNT changes, each with a member-like record; then two frames that are
//  not protobuf at all.
static void frames_of(buf_t *raw, int count)
{
    static buf_t body, change, value, envelope;
    memset(&body, 0, sizeof body);
    put_text(&body, 1, "ML-UTM-001");
    put_text(&body, 2, "register");
    for (int i = 0; i < count; i++) {
        char id[32];
        change.len = value.len = 0;
        snprintf(id, sizeof id, "ML-UTM-001-H%06d", i / 4);
        put_text(&value, 1, id);
        put_text(&value, 2, i % 3 ? "Diarra" : "Traoré");
        put_varint(&value, 4 << 3);
        put_varint(&value, 1 + (uint64_t)i % 2);
        put_varint(&value, 5 << 3);
        put_varint(&value, (uint64_t)(i * 7919) % 40000);
        put_varint(&change, 1 << 3);
        put_varint(&change, 3);
        snprintf(id, sizeof id, "ML-UTM-001-%07d", i);
        put_text(&change, 3, id);
        put_field(&change, 4, &value);
        put_field(&body, 7, &change);
    }
    envelope.len = 0;
    put_field(&envelope, 1, &body);
    uint8_t signature[64];
    memset(signature, 0x5a, sizeof signature);
    put_varint(&envelope, 2 << 3 | 2);
    put_varint(&envelope, sizeof signature);
    put(&envelope, signature, sizeof signature);
    static const char *others[] = {"not protobuf \xff\xff\xff", "\x08"};
    uint8_t len[4] = {0, 0, (uint8_t)(envelope.len >> 8), (uint8_t)envelope.len};
    put(raw, len, 4);
    put(raw, envelope.bytes, envelope.len);
    for (int i = 0; i < 2; i++) {
        uint8_t n[4] = {0, 0, 0, (uint8_t)strlen(others[i])};
        put(raw, n, 4);
        put(raw, others[i], strlen(others[i]));
    }
}

static void test_split_gives_the_same_bytes_back(void **state)
{
    (void)state;
    static buf_t raw;
    raw.len = 0;
    frames_of(&raw, 300);
    uint8_t *split, *back;
    size_t split_len, back_len;
    assert_int_equal(ms_fieldsplit_encode(raw.bytes, raw.len, &split, &split_len, NULL), 0);
    assert_true(ms_fieldsplit_is(split, split_len));
    assert_int_equal(ms_fieldsplit_decode(split, split_len, raw.len, &back, &back_len, NULL), 0);
    assert_int_equal(back_len, raw.len);
    assert_memory_equal(back, raw.bytes, raw.len);
    //  And zstd finds more to share in it than in the frames themselves.
    size_t bound = ZSTD_compressBound(raw.len + split_len);
    uint8_t *packed = malloc(bound);
    size_t plain = ZSTD_compress(packed, bound, raw.bytes, raw.len, 6);
    size_t columns = ZSTD_compress(packed, bound, split, split_len, 6);
    assert_false(ZSTD_isError(plain) || ZSTD_isError(columns));
    assert_true(columns < plain);
    free(packed);
    free(back);
    free(split);
}

static void test_split_refuses_what_is_not_frames(void **state)
{
    (void)state;
    static const uint8_t torn[] = {0, 0, 0, 9, 1, 2};
    static const uint8_t empty_frame[] = {0, 0, 0, 0};
    uint8_t *split = (uint8_t *)"x";
    size_t split_len = 1;
    assert_int_equal(ms_fieldsplit_encode(torn, sizeof torn, &split, &split_len, NULL), MS_EINVAL);
    assert_null(split);
    assert_int_equal(
        ms_fieldsplit_encode(empty_frame, sizeof empty_frame, &split, &split_len, NULL), MS_EINVAL);
    assert_false(ms_fieldsplit_is(torn, sizeof torn));
}

//  Every single-byte change and every truncation is refused or decodes to
//  some bytes within the limit: never a read outside the input.
static void test_split_decode_refuses_damage(void **state)
{
    (void)state;
    static buf_t raw;
    raw.len = 0;
    frames_of(&raw, 3);
    uint8_t *split, *back;
    size_t split_len, back_len;
    assert_int_equal(ms_fieldsplit_encode(raw.bytes, raw.len, &split, &split_len, NULL), 0);
    ms_error_t err = {0};
    assert_int_equal(ms_fieldsplit_decode(split, split_len, raw.len - 1, &back, &back_len, &err),
                     MS_EINVAL);
    assert_null(back);
    for (size_t cut = 0; cut < split_len; cut++) {
        assert_int_equal(ms_fieldsplit_decode(split, cut, raw.len, &back, &back_len, NULL),
                         MS_EINVAL);
        assert_null(back);
    }
    uint8_t *copy = malloc(split_len + 1);
    memcpy(copy, split, split_len);
    copy[split_len] = 0;
    assert_int_equal(ms_fieldsplit_decode(copy, split_len + 1, raw.len, &back, &back_len, NULL),
                     MS_EINVAL);
    for (size_t i = 0; i < split_len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            memcpy(copy, split, split_len);
            copy[i] ^= (uint8_t)(1 << bit);
            int rc = ms_fieldsplit_decode(copy, split_len, 1 << 20, &back, &back_len, NULL);
            assert_true(rc == 0 || rc == MS_EINVAL);
            if (rc == 0)
                assert_true(back_len <= 1 << 20);
            free(back);
        }
    }
    free(copy);
    free(split);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_gives_the_same_bytes_back),
        cmocka_unit_test(test_split_refuses_what_is_not_frames),
        cmocka_unit_test(test_split_decode_refuses_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
