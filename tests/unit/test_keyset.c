//  test_keyset - the set of a file's keys: a key offered twice is told
//  apart from a new one, past the first room and after growing, and a
//  cleared set forgets.

#include "mutsync/keyset.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#define KEYS 300000  //  past the 4,096 slots it starts with, and a huge page

static uint64_t hash_of(size_t i)
{
    char key[32];
    snprintf(key, sizeof key, "ML-UTM-001-%07zu", i);
    return ms_keyset_hash(key);
}

static void test_second_sight_is_told(void **state)
{
    (void)state;
    ms_keyset_t *set;
    assert_int_equal(ms_keyset_new(0, &set), 0);
    for (size_t i = 0; i < KEYS; i++) {
        ms_keyset_prefetch(set, hash_of(i));
        assert_int_equal(ms_keyset_add(set, hash_of(i)), 0);
    }
    for (size_t i = 0; i < KEYS; i += 997)
        assert_int_equal(ms_keyset_add(set, hash_of(i)), 1);
    assert_int_equal(ms_keyset_add(set, hash_of(KEYS)), 0);
    ms_keyset_clear(set);
    assert_int_equal(ms_keyset_add(set, hash_of(5)), 0);
    assert_int_equal(ms_keyset_add(set, hash_of(5)), 1);
    ms_keyset_destroy(&set);
    assert_null(set);
    ms_keyset_destroy(&set);
}

static void test_room_given_ahead(void **state)
{
    (void)state;
    ms_keyset_t *set;
    assert_int_equal(ms_keyset_new(KEYS, &set), 0);
    for (size_t i = 0; i < KEYS; i++)
        assert_int_equal(ms_keyset_add(set, hash_of(i)), 0);
    assert_int_equal(ms_keyset_add(set, hash_of(KEYS - 1)), 1);
    ms_keyset_destroy(&set);
}

static void test_hash_is_never_empty(void **state)
{
    (void)state;
    assert_int_not_equal(ms_keyset_hash(""), 0);
    assert_int_not_equal(ms_keyset_hash("a"), ms_keyset_hash("b"));
    assert_int_equal(ms_keyset_hash("ML-UTM-001-0000001"), ms_keyset_hash("ML-UTM-001-0000001"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_sight_is_told),
        cmocka_unit_test(test_room_given_ahead),
        cmocka_unit_test(test_hash_is_never_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
