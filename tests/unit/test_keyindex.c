//  test_keyindex - the Curve key -> org index follows the trust table:
//  a pinned or certified key is found by its Curve form, a replaced key is
//  no longer found, a removed certificate takes its key with it, an
//  anchor's pinned key survives a certificate naming another, and a store
//  written before the index existed is completed by a rebuild.

#include "mutsync/keyindex.h"
#include "mutsync/trust.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *org;  //  the entry written (NULL: none)
    const uint8_t *key;
    bool anchor;   //  pin rather than certify
    bool remove;   //  apply a removal (CERT NULL)
    bool rebuild;  //  ms_keyindex_rebuild of ORG -> KEY
} op_t;

static void make_cert(const uint8_t *key, ms_cert_t *cert)
{
    memset(cert, 0, sizeof *cert);
    cert->role = MS_ROLE_MUTUAL;
    snprintf(cert->country, sizeof cert->country, "ML");
    snprintf(cert->name, sizeof cert->name, "Mutuelle");
    snprintf(cert->parent, sizeof cert->parent, "ML-UTM");
    memcpy(cert->key, key, MS_KEY_BYTES);
}

static int run_op(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    const op_t *op = arg;
    static const uint8_t no_key[MS_KEY_BYTES];
    ms_cert_t cert;
    make_cert(op->key ? op->key : no_key, &cert);
    if (op->rebuild) {
        char orgs[1][MS_ORG_MAX + 1];
        uint8_t keys[1][MS_KEY_BYTES];
        snprintf(orgs[0], sizeof orgs[0], "%s", op->org);
        memcpy(keys[0], op->key, MS_KEY_BYTES);
        return ms_keyindex_rebuild(txn, (const char(*)[MS_ORG_MAX + 1]) orgs,
                                   (const uint8_t(*)[MS_KEY_BYTES])keys, 1, err);
    }
    if (op->remove)
        return ms_trust_apply_cert(txn, op->org, NULL, err);
    if (op->anchor)
        return ms_trust_pin(txn, op->org, &cert, err);
    return ms_trust_apply_cert(txn, op->org, &cert, err);
}

static void write_op(ms_store_t *store, op_t op)
{
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(store, run_op, &op, &err), 0);
}

typedef struct {
    char orgs[4][MS_ORG_MAX + 1];
    size_t count;
} found_t;

static int note(const char *org, void *arg)
{
    found_t *found = arg;
    if (found->count < 4)
        snprintf(found->orgs[found->count], MS_ORG_MAX + 1, "%s", org);
    found->count++;
    return 0;
}

//  The orgs the index names for the Curve form of KEY.
static found_t find(ms_store_t *store, const uint8_t *key)
{
    uint8_t curve[MS_CURVE_KEY_BYTES];
    assert_int_equal(ms_key_curve_public(key, curve, NULL), 0);
    found_t found = {0};
    ms_txn_t *txn;
    assert_int_equal(ms_store_read(store, &txn, NULL), 0);
    assert_int_equal(ms_keyindex_find(txn, curve, note, &found, NULL), 0);
    ms_txn_abort(&txn);
    return found;
}

static void new_key(uint8_t *key)
{
    uint8_t secret[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(key, secret);
    sodium_memzero(secret, sizeof secret);
}

static ms_store_t *open_store(void **state)
{
    ms_store_t *store = NULL;
    assert_int_equal(ms_store_open((char *)*state, &store, NULL), 0);
    return store;
}

static void test_keyindex_finds_a_certified_child_by_its_curve_key(void **state)
{
    ms_store_t *store = open_store(state);
    uint8_t a[MS_KEY_BYTES], b[MS_KEY_BYTES], stranger[MS_KEY_BYTES];
    new_key(a);
    new_key(b);
    new_key(stranger);
    write_op(store, (op_t){.org = "ML-UTM-001", .key = a});
    write_op(store, (op_t){.org = "ML-UTM-002", .key = b});
    found_t found = find(store, a);
    assert_int_equal(found.count, 1);
    assert_string_equal(found.orgs[0], "ML-UTM-001");
    found = find(store, b);
    assert_int_equal(found.count, 1);
    assert_string_equal(found.orgs[0], "ML-UTM-002");
    assert_int_equal(find(store, stranger).count, 0);
    ms_store_close(&store);
}

static void test_keyindex_forgets_a_replaced_key(void **state)
{
    ms_store_t *store = open_store(state);
    uint8_t old_key[MS_KEY_BYTES], new_key_[MS_KEY_BYTES];
    new_key(old_key);
    new_key(new_key_);
    write_op(store, (op_t){.org = "ML-UTM-001", .key = old_key});
    write_op(store, (op_t){.org = "ML-UTM-001", .key = new_key_});
    assert_int_equal(find(store, old_key).count, 0);
    found_t found = find(store, new_key_);
    assert_int_equal(found.count, 1);
    assert_string_equal(found.orgs[0], "ML-UTM-001");
    ms_store_close(&store);
}

static void test_keyindex_forgets_a_removed_certificate(void **state)
{
    ms_store_t *store = open_store(state);
    uint8_t key[MS_KEY_BYTES], other[MS_KEY_BYTES];
    new_key(key);
    new_key(other);
    write_op(store, (op_t){.org = "ML-UTM-001", .key = key});
    write_op(store, (op_t){.org = "ML-UTM-002", .key = other});
    write_op(store, (op_t){.org = "ML-UTM-001", .remove = true});
    assert_int_equal(find(store, key).count, 0);
    assert_int_equal(find(store, other).count, 1);
    ms_store_close(&store);
}

static void test_keyindex_names_both_orgs_of_a_shared_key(void **state)
{
    ms_store_t *store = open_store(state);
    uint8_t key[MS_KEY_BYTES];
    new_key(key);
    write_op(store, (op_t){.org = "ML-UTM-001", .key = key});
    write_op(store, (op_t){.org = "ML-UTM-002", .key = key});
    found_t found = find(store, key);
    assert_int_equal(found.count, 2);
    assert_string_equal(found.orgs[0], "ML-UTM-001");
    assert_string_equal(found.orgs[1], "ML-UTM-002");
    write_op(store, (op_t){.org = "ML-UTM-001", .remove = true});
    found = find(store, key);
    assert_int_equal(found.count, 1);
    assert_string_equal(found.orgs[0], "ML-UTM-002");
    ms_store_close(&store);
}

static void test_keyindex_keeps_an_anchor_pinned_key(void **state)
{
    ms_store_t *store = open_store(state);
    uint8_t pinned[MS_KEY_BYTES], other[MS_KEY_BYTES];
    new_key(pinned);
    new_key(other);
    write_op(store, (op_t){.org = "ML-UTM", .key = pinned, .anchor = true});
    //  A certificate naming another key does not replace an anchor's key.
    write_op(store, (op_t){.org = "ML-UTM", .key = other});
    assert_int_equal(find(store, pinned).count, 1);
    assert_int_equal(find(store, other).count, 0);
    ms_store_close(&store);
}

static void test_keyindex_skips_a_key_with_no_curve_form(void **state)
{
    ms_store_t *store = open_store(state);
    uint8_t good[MS_KEY_BYTES], bad[MS_KEY_BYTES], curve[MS_CURVE_KEY_BYTES];
    new_key(good);
    memset(bad, 0, sizeof bad);  //  the identity point: libsodium refuses to convert it
    assert_int_not_equal(ms_key_curve_public(bad, curve, NULL), 0);
    write_op(store, (op_t){.org = "ML-UTM-001", .key = good});
    write_op(store, (op_t){.org = "ML-UTM-001", .key = bad});
    assert_int_equal(find(store, good).count, 0);
    ms_store_close(&store);
}

static void test_keyindex_is_ready_only_after_a_rebuild(void **state)
{
    ms_store_t *store = open_store(state);
    uint8_t key[MS_KEY_BYTES];
    new_key(key);
    ms_txn_t *txn;
    bool ready = true;
    assert_int_equal(ms_store_read(store, &txn, NULL), 0);
    assert_int_equal(ms_keyindex_ready(txn, &ready, NULL), 0);
    ms_txn_abort(&txn);
    assert_false(ready);
    write_op(store, (op_t){.org = "ML-UTM-009", .key = key, .rebuild = true});
    assert_int_equal(ms_store_read(store, &txn, NULL), 0);
    assert_int_equal(ms_keyindex_ready(txn, &ready, NULL), 0);
    ms_txn_abort(&txn);
    assert_true(ready);
    assert_int_equal(find(store, key).count, 1);
    ms_store_close(&store);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keyindex_finds_a_certified_child_by_its_curve_key,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_keyindex_forgets_a_replaced_key, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_keyindex_forgets_a_removed_certificate,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_keyindex_names_both_orgs_of_a_shared_key,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_keyindex_keeps_an_anchor_pinned_key, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_keyindex_skips_a_key_with_no_curve_form,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_keyindex_is_ready_only_after_a_rebuild,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
