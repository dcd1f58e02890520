//  digest - a hash of what a store holds in some tables, so a test can say
//  "unchanged" after a refusal by comparing two digests. Include after
//  cmocka.h (it asserts).

#ifndef MS_TEST_DIGEST_H
#define MS_TEST_DIGEST_H

#include "mutsync/codec.h"
#include "mutsync/store.h"

#include <sodium.h>
#include <string.h>

//  Hashes every key and value of TABLES (COUNT of them) in STORE into OUT
//  (MS_HASH_BYTES), each table and each length marked so nothing can shift.
static void ms_test_digest(ms_store_t *store, const ms_table_t *tables, size_t count, uint8_t *out)
{
    crypto_generichash_state hash;
    crypto_generichash_init(&hash, NULL, 0, MS_HASH_BYTES);
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(store, &txn, NULL), 0);
    for (size_t i = 0; i < count; i++) {
        ms_cursor_t *cursor = NULL;
        assert_int_equal(ms_cursor_open(txn, tables[i], NULL, 0, &cursor, NULL), 0);
        uint8_t marker[8];
        ms_put_be64(marker, (uint64_t)tables[i]);
        crypto_generichash_update(&hash, marker, 8);
        ms_val_t key, val;
        while (ms_cursor_next(cursor, &key, &val, NULL) == 1) {
            //  The quarantine's own counters move with every refusal, by design.
            if (tables[i] == MS_TABLE_INDEX && key.len >= 2 && memcmp(key.data, "q", 2) == 0)
                continue;
            ms_put_be64(marker, key.len);
            crypto_generichash_update(&hash, marker, 8);
            crypto_generichash_update(&hash, key.data, key.len);
            ms_put_be64(marker, val.len);
            crypto_generichash_update(&hash, marker, 8);
            crypto_generichash_update(&hash, val.data, val.len);
        }
        ms_cursor_close(&cursor);
    }
    ms_txn_abort(&txn);
    crypto_generichash_final(&hash, out, MS_HASH_BYTES);
}

#endif
