//  test_store - the LMDB environment as named tables: reads, writes that
//  commit or discard as one, prefix cursors, a map that grows instead of
//  failing, and several processes on one directory.

#include "mutsync/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static ms_store_t *open_store(void **state)
{
    ms_store_t *store = NULL;
    ms_error_t err = {0};
    assert_int_equal(ms_store_open((char *)*state, &store, &err), 0);
    assert_non_null(store);
    return store;
}

typedef struct {
    const char *key;
    const char *value;
    size_t key_len;  //  0: strlen(key)
} pair_t;

typedef struct {
    ms_table_t table;
    const pair_t *pairs;
    size_t count;
    int result;  //  what FN returns after writing
    int runs;    //  times FN ran
} put_t;

static int put_pairs(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    put_t *put = arg;
    put->runs++;
    for (size_t i = 0; i < put->count; i++) {
        const pair_t *pair = &put->pairs[i];
        int rc = ms_txn_put(txn, put->table, pair->key,
                            pair->key_len ? pair->key_len : strlen(pair->key), pair->value,
                            strlen(put->pairs[i].value), 0, err);
        if (rc)
            return rc;
    }
    return put->result ? ms_error_set(err, put->result, "test", "refused on purpose") : 0;
}

static void put_all(ms_store_t *store, ms_table_t table, const pair_t *pairs, size_t count)
{
    put_t put = {table, pairs, count, 0, 0};
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(store, put_pairs, &put, &err), 0);
    assert_int_equal(err.code, 0);
}

static int get_text(ms_store_t *store, ms_table_t table, const char *key, char *out, size_t cap)
{
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(store, &txn, NULL), 0);
    ms_val_t val = {(const uint8_t *)"x", 1};
    int rc = ms_txn_get(txn, table, key, strlen(key), &val, NULL);
    if (rc == 0) {
        assert_true(val.len < cap);
        memcpy(out, val.data, val.len);
        out[val.len] = 0;
    } else {
        assert_null(val.data);
        assert_int_equal(val.len, 0);
    }
    ms_txn_abort(&txn);
    return rc;
}

static uint64_t count_of(ms_store_t *store, ms_table_t table)
{
    ms_txn_t *txn = NULL;
    uint64_t count = 0;
    assert_int_equal(ms_store_read(store, &txn, NULL), 0);
    assert_int_equal(ms_txn_count(txn, table, &count, NULL), 0);
    ms_txn_abort(&txn);
    return count;
}

static void test_store_put_get_del(void **state)
{
    ms_store_t *store = open_store(state);
    assert_string_equal(ms_store_dir(store), (char *)*state);
    static const pair_t pairs[] = {{"ML-UTM-001", "union", 0}, {"BJ-UCMS-001", "mutual", 0}};
    put_all(store, MS_TABLE_META, pairs, 2);
    char value[64];
    assert_int_equal(get_text(store, MS_TABLE_META, "ML-UTM-001", value, sizeof value), 0);
    assert_string_equal(value, "union");
    assert_int_equal(get_text(store, MS_TABLE_META, "ML-UTM-00", value, sizeof value),
                     MS_ENOTFOUND);
    //  Tables are separate name spaces.
    assert_int_equal(get_text(store, MS_TABLE_RECORDS, "ML-UTM-001", value, sizeof value),
                     MS_ENOTFOUND);
    assert_int_equal(count_of(store, MS_TABLE_META), 2);

    static const pair_t replaced[] = {{"ML-UTM-001", "union nationale", 0}};
    put_all(store, MS_TABLE_META, replaced, 1);
    assert_int_equal(get_text(store, MS_TABLE_META, "ML-UTM-001", value, sizeof value), 0);
    assert_string_equal(value, "union nationale");
    assert_int_equal(count_of(store, MS_TABLE_META), 2);

    ms_store_close(&store);
    store = open_store(state);
    assert_int_equal(get_text(store, MS_TABLE_META, "BJ-UCMS-001", value, sizeof value), 0);
    assert_string_equal(value, "mutual");
    ms_store_close(&store);
    assert_null(store);
    ms_store_close(&store);  //  harmless twice
}

//  Keys in order, then one that is not, then in order again, and the last
//  key written twice: each is where a reader looks for it, with its value.
static void test_store_keys_in_any_order_all_land(void **state)
{
    ms_store_t *store = open_store(state);
    static const pair_t pairs[] = {{"k03", "three", 0}, {"k05", "five", 0}, {"k09", "nine", 0},
                                   {"k01", "one", 0},   {"k10", "ten", 0},  {"k10", "TEN", 0},
                                   {"k05", "FIVE", 0}};
    put_all(store, MS_TABLE_RECORDS, pairs, sizeof pairs / sizeof pairs[0]);
    static const pair_t more[] = {{"k11", "eleven", 0}, {"k11", "ELEVEN", 0}, {"k00", "zero", 0}};
    put_all(store, MS_TABLE_RECORDS, more, sizeof more / sizeof more[0]);
    static const pair_t expected[] = {{"k00", "zero", 0},  {"k01", "one", 0},  {"k03", "three", 0},
                                      {"k05", "FIVE", 0},  {"k09", "nine", 0}, {"k10", "TEN", 0},
                                      {"k11", "ELEVEN", 0}};
    char value[64];
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        assert_int_equal(get_text(store, MS_TABLE_RECORDS, expected[i].key, value, sizeof value),
                         0);
        assert_string_equal(value, expected[i].value);
    }
    assert_int_equal(count_of(store, MS_TABLE_RECORDS), 7);
    ms_store_close(&store);
}

static int del_key(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    const char *key = arg;
    int rc = ms_txn_del(txn, MS_TABLE_META, key, strlen(key), err);
    if (rc == 0)  //  an absent key is no error
        rc = ms_txn_del(txn, MS_TABLE_META, "absent", 6, err);
    return rc;
}

static void test_store_delete_removes_one_key(void **state)
{
    ms_store_t *store = open_store(state);
    static const pair_t pairs[] = {{"a", "1", 0}, {"b", "2", 0}};
    put_all(store, MS_TABLE_META, pairs, 2);
    assert_int_equal(ms_store_write(store, del_key, "a", NULL), 0);
    char value[8];
    assert_int_equal(get_text(store, MS_TABLE_META, "a", value, sizeof value), MS_ENOTFOUND);
    assert_int_equal(get_text(store, MS_TABLE_META, "b", value, sizeof value), 0);
    assert_int_equal(count_of(store, MS_TABLE_META), 1);
    ms_store_close(&store);
}

static void test_store_write_discards_everything_when_fn_fails(void **state)
{
    ms_store_t *store = open_store(state);
    static const pair_t before[] = {{"kept", "yes", 0}};
    put_all(store, MS_TABLE_RECORDS, before, 1);
    static const pair_t pairs[] = {
        {"kept", "overwritten", 0}, {"new-1", "x", 0}, {"new-2", "y", 0}};
    put_t put = {MS_TABLE_RECORDS, pairs, 3, MS_EINVAL, 0};
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(store, put_pairs, &put, &err), MS_EINVAL);
    assert_int_equal(put.runs, 1);
    assert_string_equal(err.message, "refused on purpose");
    char value[32];
    assert_int_equal(get_text(store, MS_TABLE_RECORDS, "kept", value, sizeof value), 0);
    assert_string_equal(value, "yes");
    assert_int_equal(get_text(store, MS_TABLE_RECORDS, "new-1", value, sizeof value), MS_ENOTFOUND);
    assert_int_equal(count_of(store, MS_TABLE_RECORDS), 1);

    //  Nothing survives a reopen either.
    ms_store_close(&store);
    store = open_store(state);
    assert_int_equal(count_of(store, MS_TABLE_RECORDS), 1);
    ms_store_close(&store);
}

//  Reads every entry under PREFIX into TEXT as "key=value;" (NUL shown as '.').
static void walk(ms_store_t *store, ms_table_t table, const void *prefix, size_t prefix_len,
                 char *text, size_t cap)
{
    ms_txn_t *txn = NULL;
    ms_cursor_t *cursor = NULL;
    assert_int_equal(ms_store_read(store, &txn, NULL), 0);
    assert_int_equal(ms_cursor_open(txn, table, prefix, prefix_len, &cursor, NULL), 0);
    size_t len = 0;
    text[0] = 0;
    ms_val_t key, val;
    int rc;
    while ((rc = ms_cursor_next(cursor, &key, &val, NULL)) == 1) {
        for (size_t i = 0; i < key.len && len + 1 < cap; i++)
            text[len++] = key.data[i] ? (char)key.data[i] : '.';
        len += (size_t)snprintf(text + len, cap - len, "=%.*s;", (int)val.len, val.data);
        assert_true(len < cap);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(ms_cursor_next(cursor, &key, &val, NULL), 0);  //  stays at the end
    ms_cursor_close(&cursor);
    assert_null(cursor);
    ms_txn_abort(&txn);
    assert_null(txn);
}

static void test_store_cursor_walks_one_prefix_in_key_order(void **state)
{
    ms_store_t *store = open_store(state);
    static const pair_t pairs[] = {
        {"org\0b", "2", 5}, {"org", "0", 0},    {"orf\xff", "-", 0}, {"org\0a", "1", 5},
        {"orh", "+", 0},    {"org\0c", "3", 5}, {"org\xff", "z", 0}, {"org\0\xff", "4", 5},
    };
    put_all(store, MS_TABLE_HEADS, pairs, sizeof pairs / sizeof pairs[0]);
    char text[256];
    walk(store, MS_TABLE_HEADS, "org\0", 4, text, sizeof text);
    assert_string_equal(text, "org.a=1;org.b=2;org.c=3;org.\xff=4;");
    walk(store, MS_TABLE_HEADS, "org", 3, text, sizeof text);
    assert_string_equal(text, "org=0;org.a=1;org.b=2;org.c=3;org.\xff=4;org\xff=z;");
    walk(store, MS_TABLE_HEADS, "orh", 3, text, sizeof text);
    assert_string_equal(text, "orh=+;");
    walk(store, MS_TABLE_HEADS, "ori", 3, text, sizeof text);
    assert_string_equal(text, "");
    walk(store, MS_TABLE_HEADS, "orz", 3, text, sizeof text);  //  past the last key
    assert_string_equal(text, "");
    walk(store, MS_TABLE_HEADS, NULL, 0, text, sizeof text);
    assert_string_equal(text,
                        "orf\xff=-;org=0;org.a=1;org.b=2;org.c=3;org.\xff=4;org\xff=z;orh=+;");
    walk(store, MS_TABLE_META, NULL, 0, text, sizeof text);
    assert_string_equal(text, "");

    //  Seek starts at the first key >= FROM, within the prefix.
    ms_txn_t *txn = NULL;
    ms_cursor_t *cursor = NULL;
    assert_int_equal(ms_store_read(store, &txn, NULL), 0);
    assert_int_equal(ms_cursor_open(txn, MS_TABLE_HEADS, "org\0", 4, &cursor, NULL), 0);
    ms_val_t key, val;
    assert_int_equal(ms_cursor_seek(cursor, "org\0b", 5, &key, &val, NULL), 1);
    assert_int_equal(key.len, 5);
    assert_memory_equal(key.data, "org\0b", 5);
    assert_int_equal(ms_cursor_next(cursor, &key, &val, NULL), 1);
    assert_memory_equal(key.data, "org\0c", 5);
    assert_int_equal(ms_cursor_seek(cursor, "org\0bb", 6, &key, &val, NULL), 1);
    assert_memory_equal(key.data, "org\0c", 5);
    assert_int_equal(ms_cursor_seek(cursor, "org\x01", 4, &key, &val, NULL), 0);
    ms_cursor_close(&cursor);
    ms_cursor_close(&cursor);  //  harmless twice
    ms_txn_abort(&txn);
    ms_txn_abort(&txn);

    uint8_t long_prefix[300] = {0};
    assert_int_equal(ms_store_read(store, &txn, NULL), 0);
    ms_error_t err = {0};
    assert_int_equal(
        ms_cursor_open(txn, MS_TABLE_HEADS, long_prefix, sizeof long_prefix, &cursor, &err),
        MS_EINVAL);
    assert_null(cursor);
    ms_txn_abort(&txn);
    ms_store_close(&store);
}

//  4 KiB pages less LMDB's 16-byte page header: each value fills one overflow
//  page exactly, so the test writes 66 MiB of values in 66 MiB of pages.
#define BIG_VALUE_BYTES 4080
#define BIG_VALUE_COUNT 17000

typedef struct {
    int runs;
    uint8_t value[BIG_VALUE_BYTES];
} big_t;

static void big_value(uint32_t i, uint8_t *value)
{
    memset(value, (int)(i % 251), BIG_VALUE_BYTES);
    memcpy(value, &i, sizeof i);
}

static int put_big(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    big_t *big = arg;
    big->runs++;
    for (uint32_t i = 0; i < BIG_VALUE_COUNT; i++) {
        uint8_t key[8];
        ms_put_be64(key, i);
        big_value(i, big->value);
        int rc = ms_txn_put(txn, MS_TABLE_RECORDS, key, sizeof key, big->value, BIG_VALUE_BYTES,
                            MS_PUT_APPEND, err);
        if (rc)
            return rc;
    }
    return 0;
}

static void test_store_map_grows_when_a_write_fills_it(void **state)
{
    ms_store_t *store = open_store(state);
    uint64_t map_before = 0, used_before = 0, map_after = 0, used_after = 0;
    assert_int_equal(ms_store_usage(store, &map_before, &used_before, NULL), 0);
    assert_int_equal(map_before, 16ull << 20);

    big_t *big = calloc(1, sizeof *big);
    assert_non_null(big);
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(store, put_big, big, &err), 0);
    assert_int_equal(err.code, 0);  //  the full map is not an error anyone sees
    assert_true(big->runs >= 2);
    assert_int_equal(ms_store_usage(store, &map_after, &used_after, NULL), 0);
    assert_true(map_after >= 2 * map_before);
    assert_true(used_after > (uint64_t)BIG_VALUE_COUNT * BIG_VALUE_BYTES);
    assert_true(used_after <= map_after);
    ms_store_close(&store);

    store = open_store(state);
    assert_int_equal(count_of(store, MS_TABLE_RECORDS), BIG_VALUE_COUNT);
    uint64_t map_reopened = 0, used_reopened = 0;
    assert_int_equal(ms_store_usage(store, &map_reopened, &used_reopened, NULL), 0);
    //  LMDB opens with the map it is asked for or, when the data is larger, the data's size.
    assert_true(map_reopened >= used_after);
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(store, &txn, NULL), 0);
    static const uint32_t probes[] = {0, 1, 8191, 16383, BIG_VALUE_COUNT - 1};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        uint8_t key[8];
        ms_put_be64(key, probes[i]);
        ms_val_t val;
        assert_int_equal(ms_txn_get(txn, MS_TABLE_RECORDS, key, sizeof key, &val, NULL), 0);
        assert_int_equal(val.len, BIG_VALUE_BYTES);
        big_value(probes[i], big->value);
        assert_memory_equal(val.data, big->value, BIG_VALUE_BYTES);
    }
    ms_txn_abort(&txn);
    //  And it still takes small writes.
    static const pair_t pairs[] = {{"after", "grown", 0}};
    put_all(store, MS_TABLE_META, pairs, 1);
    ms_store_close(&store);
    free(big);
}

//  Runs BODY in a child process with its own handle on DIR; returns its exit status.
static int in_child(const char *dir, int (*body)(ms_store_t *store))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ms_store_t *store = NULL;
        int status = ms_store_open(dir, &store, NULL) == 0 ? body(store) : 90;
        ms_store_close(&store);
        _exit(status);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int child_writes(ms_store_t *store)
{
    static const pair_t pairs[] = {{"from-child", "written by another process", 0}};
    put_t put = {MS_TABLE_META, pairs, 1, 0, 0};
    return ms_store_write(store, put_pairs, &put, NULL) == 0 ? 0 : 91;
}

static int child_reads(ms_store_t *store)
{
    ms_txn_t *txn = NULL;
    if (ms_store_read(store, &txn, NULL) != 0)
        return 92;
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_META, "from-parent", 11, &val, NULL);
    int status = rc == 0 && val.len == 3 && memcmp(val.data, "yes", 3) == 0 ? 0 : 93;
    ms_txn_abort(&txn);
    return status;
}

static int child_grows_the_map(ms_store_t *store)
{
    big_t *big = calloc(1, sizeof *big);
    int rc = big ? ms_store_write(store, put_big, big, NULL) : -1;
    free(big);
    return rc == 0 ? 0 : 94;
}

static void test_store_handles_in_two_processes_see_each_others_commits(void **state)
{
    const char *dir = *state;
    ms_store_t *store = open_store(state);
    //  A read transaction begun before the other commit keeps its snapshot.
    ms_txn_t *old = NULL;
    assert_int_equal(ms_store_read(store, &old, NULL), 0);

    assert_int_equal(in_child(dir, child_writes), 0);
    char value[64];
    assert_int_equal(get_text(store, MS_TABLE_META, "from-child", value, sizeof value), 0);
    assert_string_equal(value, "written by another process");
    ms_val_t val;
    assert_int_equal(ms_txn_get(old, MS_TABLE_META, "from-child", 10, &val, NULL), MS_ENOTFOUND);
    ms_txn_abort(&old);

    static const pair_t pairs[] = {{"from-parent", "yes", 0}};
    put_all(store, MS_TABLE_META, pairs, 1);
    assert_int_equal(in_child(dir, child_reads), 0);

    //  The other process grows the map; this handle adopts the new size.
    assert_int_equal(in_child(dir, child_grows_the_map), 0);
    static const pair_t more[] = {{"after-growth", "ok", 0}};
    put_all(store, MS_TABLE_META, more, 1);
    assert_int_equal(count_of(store, MS_TABLE_RECORDS), BIG_VALUE_COUNT);
    assert_int_equal(get_text(store, MS_TABLE_META, "after-growth", value, sizeof value), 0);
    ms_store_close(&store);
}

static void test_store_generation_moves_with_any_process_commit_only(void **state)
{
    const char *dir = *state;
    ms_store_t *store = open_store(state);
    uint64_t before = ms_store_generation(store);
    //  Reading does not move it.
    char value[64];
    (void)get_text(store, MS_TABLE_META, "absent", value, sizeof value);
    assert_true(ms_store_generation(store) == before);
    //  A commit by another process on the same directory does, seen from this handle.
    assert_int_equal(in_child(dir, child_writes), 0);
    uint64_t after_child = ms_store_generation(store);
    assert_true(after_child > before);
    //  And a commit through this handle.
    static const pair_t pairs[] = {{"generation", "moves", 0}};
    put_all(store, MS_TABLE_META, pairs, 1);
    assert_true(ms_store_generation(store) > after_child);
    ms_store_close(&store);
}

static void test_store_open_refuses_a_file_for_a_directory(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/file", (char *)*state);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    ms_store_t *store = NULL;
    ms_error_t err = {0};
    int rc = ms_store_open(path, &store, &err);
    assert_true(rc == MS_ESTORE || rc == MS_EIO);
    assert_null(store);
    assert_string_equal(err.where, path);
}

//  A pending counter: moved in memory, written by its flush.
typedef struct {
    int64_t value;   //  moves not yet written
    int *destroyed;  //  counts destroys
} tally_state_t;

static int tally_flush(ms_txn_t *txn, void *state, ms_error_t *err)
{
    tally_state_t *t = state;
    return ms_txn_put(txn, MS_TABLE_INDEX, "count", 5, &t->value, sizeof t->value, 0, err);
}

static void tally_destroy(void *state)
{
    tally_state_t *t = state;
    (*t->destroyed)++;
    free(t);
}

static const ms_pending_kind_t tally_kind = {tally_flush, tally_destroy};

typedef struct {
    int destroyed;
    int result;  //  what FN returns
} pending_run_t;

static int add_pending(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    pending_run_t *run = arg;
    for (int i = 0; i < 1000; i++) {
        tally_state_t *t = ms_txn_pending(txn, &tally_kind);
        if (!t) {
            t = calloc(1, sizeof *t);
            assert_non_null(t);
            t->destroyed = &run->destroyed;
            int rc = ms_txn_set_pending(txn, &tally_kind, t, err);
            if (rc)
                return rc;
        }
        t->value++;
    }
    return run->result ? ms_error_set(err, run->result, "test", "refused on purpose") : 0;
}

static void test_store_writes_pending_state_once_before_the_commit(void **state)
{
    ms_store_t *store = open_store(state);
    ms_error_t err = {0};
    pending_run_t run = {0, 0};
    assert_int_equal(ms_store_write(store, add_pending, &run, &err), 0);
    assert_int_equal(run.destroyed, 1);
    ms_txn_t *txn = NULL;
    ms_val_t val;
    int64_t value = 0;
    assert_int_equal(ms_store_read(store, &txn, &err), 0);
    assert_int_equal(ms_txn_get(txn, MS_TABLE_INDEX, "count", 5, &val, &err), 0);
    assert_int_equal(val.len, sizeof value);
    memcpy(&value, val.data, sizeof value);
    assert_int_equal(value, 1000);
    //  A read transaction holds no pending state.
    tally_state_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    int destroyed = 0;
    t->destroyed = &destroyed;
    assert_null(ms_txn_pending(txn, &tally_kind));
    assert_int_equal(ms_txn_set_pending(txn, &tally_kind, t, &err), MS_EINVAL);
    assert_int_equal(destroyed, 1);
    ms_txn_abort(&txn);
    ms_store_close(&store);
}

static void test_store_drops_pending_state_of_a_failed_write(void **state)
{
    ms_store_t *store = open_store(state);
    ms_error_t err = {0};
    pending_run_t run = {0, MS_EINVAL};
    assert_int_equal(ms_store_write(store, add_pending, &run, &err), MS_EINVAL);
    assert_int_equal(run.destroyed, 1);
    ms_txn_t *txn = NULL;
    ms_val_t val;
    assert_int_equal(ms_store_read(store, &txn, &err), 0);
    assert_int_equal(ms_txn_get(txn, MS_TABLE_INDEX, "count", 5, &val, &err), MS_ENOTFOUND);
    ms_txn_abort(&txn);
    ms_store_close(&store);
}

static void test_big_endian_helpers_sort_by_number(void **state)
{
    (void)state;
    uint8_t a[8], b[8];
    ms_put_be64(a, 255);
    ms_put_be64(b, 256);
    assert_true(memcmp(a, b, 8) < 0);
    static const uint8_t expected[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    ms_put_be64(a, 0x0102030405060708ull);
    assert_memory_equal(a, expected, 8);
    assert_true(ms_get_be64(a) == 0x0102030405060708ull);
    ms_put_be64(a, UINT64_MAX);
    assert_true(ms_get_be64(a) == UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_put_get_del, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_store_keys_in_any_order_all_land, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_store_delete_removes_one_key, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_store_write_discards_everything_when_fn_fails,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_store_cursor_walks_one_prefix_in_key_order,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_store_map_grows_when_a_write_fills_it, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_store_handles_in_two_processes_see_each_others_commits,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_store_generation_moves_with_any_process_commit_only,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_store_open_refuses_a_file_for_a_directory,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_store_writes_pending_state_once_before_the_commit,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_store_drops_pending_state_of_a_failed_write,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test(test_big_endian_helpers_sort_by_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
