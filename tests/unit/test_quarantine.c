//  test_quarantine - refusals are bounded: a prefix of the bytes, nothing of
//  personal feeds, a quota per source, a cap in all, and purge.

#include "mutsync/quarantine.h"
#include "mutsync/rules.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"

typedef struct {
    const char *source;
    const char *feed;
    int reason;
    size_t count;
    size_t bytes;
} add_t;

static uint8_t junk[4096];

static int add_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    add_t *a = arg;
    for (size_t i = 0; i < a->count; i++) {
        ms_quarantine_entry_t entry;
        memset(&entry, 0, sizeof entry);
        entry.when = 1700000000 + (int64_t)i;
        entry.reason = a->reason;
        strcpy(entry.origin, "ML-UTM-001");
        snprintf(entry.feed, sizeof entry.feed, "%s", a->feed);
        entry.seq = i + 1;
        entry.change = -1;
        snprintf(entry.source, sizeof entry.source, "%s", a->source);
        entry.envelope = junk;
        entry.envelope_len = a->bytes;
        int rc = ms_quarantine_add(txn, &entry, NULL, err);
        if (rc)
            return rc;
    }
    return 0;
}

typedef struct {
    size_t entries;
    size_t kept_bytes;
    uint64_t dropped;
} tally_t;

static int count_entry(const ms_quarantine_entry_t *entry, void *ctx)
{
    tally_t *t = ctx;
    t->entries++;
    t->kept_bytes += entry->envelope_len;
    assert_true(entry->size > 0);
    return 0;
}

static int count_dropped(const char *source, uint64_t dropped, void *ctx)
{
    (void)source;
    ((tally_t *)ctx)->dropped += dropped;
    return 0;
}

static tally_t tally(ms_store_t *store)
{
    tally_t t = {0, 0, 0};
    ms_txn_t *txn;
    assert_int_equal(ms_store_read(store, &txn, NULL), 0);
    assert_int_equal(ms_quarantine_list(txn, count_entry, &t, NULL), 0);
    assert_int_equal(ms_quarantine_dropped(txn, count_dropped, &t, NULL), 0);
    ms_txn_abort(&txn);
    return t;
}

static void add(ms_store_t *store, add_t a)
{
    assert_int_equal(ms_store_write(store, add_fn, &a, NULL), 0);
}

static void test_quarantine_keeps_a_prefix_and_nothing_personal(void **state)
{
    ms_store_t *store;
    assert_int_equal(ms_store_open(*state, &store, NULL), 0);
    add(store, (add_t){"peer A", "public", MS_REFUSAL_BAD_SIGNATURE, 3, 4096});
    tally_t t = tally(store);
    assert_int_equal(t.entries, 3);
    assert_int_equal(t.kept_bytes, 3 * MS_QUARANTINE_PREFIX_BYTES);
    add(store, (add_t){"peer A", "register", MS_REFUSAL_REACH, 2, 4096});
    add(store, (add_t){"peer A", "care", MS_REFUSAL_REACH, 2, 4096});
    t = tally(store);
    assert_int_equal(t.entries, 7);
    assert_int_equal(t.kept_bytes, 3 * MS_QUARANTINE_PREFIX_BYTES);
    //  The proof of a fork is kept whole.
    add(store, (add_t){"peer A", "public", MS_REFUSAL_EQUIVOCATION, 1, 4096});
    assert_int_equal(tally(store).kept_bytes, 3 * MS_QUARANTINE_PREFIX_BYTES + 4096);
    ms_store_close(&store);
}

typedef struct {
    int64_t before;
    uint64_t removed;
} purge_t;

static int purge_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    purge_t *p = arg;
    return ms_quarantine_purge(txn, p->before, &p->removed, err);
}

static void test_quarantine_quota_per_source_then_purge(void **state)
{
    ms_store_t *store;
    assert_int_equal(ms_store_open(*state, &store, NULL), 0);
    add(store, (add_t){"peer A", "public", MS_REFUSAL_GAP, MS_QUARANTINE_SOURCE_MAX + 5, 10});
    add(store, (add_t){"peer B", "public", MS_REFUSAL_GAP, 7, 10});
    tally_t t = tally(store);
    assert_int_equal(t.entries, MS_QUARANTINE_SOURCE_MAX + 7);
    assert_int_equal(t.dropped, 5);
    //  Purge the entries received before a time: each source's first 500 seconds.
    purge_t p = {1700000000 + 500, 0};
    assert_int_equal(ms_store_write(store, purge_fn, &p, NULL), 0);
    assert_int_equal(p.removed, 500 + 7);
    t = tally(store);
    assert_int_equal(t.entries, MS_QUARANTINE_SOURCE_MAX - 500);
    assert_int_equal(t.dropped, 0);
    //  Room again for peer A.
    add(store, (add_t){"peer A", "public", MS_REFUSAL_GAP, 3, 10});
    assert_int_equal(tally(store).entries, MS_QUARANTINE_SOURCE_MAX - 497);
    p.before = 0;
    assert_int_equal(ms_store_write(store, purge_fn, &p, NULL), 0);
    assert_int_equal(tally(store).entries, 0);
    ms_store_close(&store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_quarantine_keeps_a_prefix_and_nothing_personal,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_quarantine_quota_per_source_then_purge,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
