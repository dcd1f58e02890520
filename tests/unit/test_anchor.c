//  test_anchor - a mutual made without the root key learns it from its
//  union's signed chain, once, and refuses a chain that does not hold.

#include "mutsync/anchor.h"
#include "mutsync/replica.h"

#include "tmpdir.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

typedef struct {
    ms_node_t *node;
    const ms_change_t *change;
} append_t;

static int append(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    append_t *a = arg;
    ms_verdict_t verdict;
    return ms_node_append(a->node, txn, "certs", a->change, 1, &verdict, err);
}

//  CERTIFIER writes a certificate of SUBJECT (a union) with KEY in its certs feed.
static void certify(ms_node_t *certifier, const char *subject, const uint8_t *key)
{
    ms_cert_t cert = {.role = MS_ROLE_UNION, .country = "ML"};
    snprintf(cert.name, sizeof cert.name, "%s", subject);
    snprintf(cert.parent, sizeof cert.parent, "%s", ms_node_identity(certifier)->org);
    memcpy(cert.key, key, MS_KEY_BYTES);
    uint8_t value[1024];
    size_t len;
    assert_int_equal(ms_cert_encode(&cert, value, sizeof value, &len), 0);
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, subject, value, len};
    append_t a = {certifier, &change};
    assert_int_equal(ms_store_write(ms_node_store(certifier), append, &a, NULL), 0);
}

typedef struct {
    ms_node_t *to;
    ms_node_t *from;
    const char *feed;
    uint64_t seq;
    ms_verdict_t verdict;
} copy_t;

static int copy_txn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    copy_t *c = arg;
    ms_txn_t *read;
    ms_val_t bytes;
    int rc = ms_store_read(ms_node_store(c->from), &read, err);
    if (rc == 0)
        rc = ms_replica_envelope(read, ms_node_identity(c->from)->org, c->feed, c->seq, NULL,
                                 &bytes, err);
    if (rc == 0)
        rc = ms_node_accept(c->to, txn, bytes.data, bytes.len, "peer", &c->verdict, err);
    ms_txn_abort(&read);
    return rc;
}

//  Hands FROM's change set SEQ of FEED to TO's accept path; returns the outcome.
static ms_outcome_t copy(ms_node_t *to, ms_node_t *from, const char *feed, uint64_t seq)
{
    copy_t c = {to, from, feed, seq, {0}};
    assert_int_equal(ms_store_write(ms_node_store(to), copy_txn, &c, NULL), 0);
    return c.verdict.outcome;
}

static ms_node_t *make_node(const char *dir, const char *name, const char *org, ms_role_t role,
                            ms_node_t *parent)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    snprintf(id.org, sizeof id.org, "%s", org);
    id.role = role;
    strcpy(id.country, "ML");
    snprintf(id.name, sizeof id.name, "%s", org);
    if (parent) {
        snprintf(id.parent, sizeof id.parent, "%s", ms_node_identity(parent)->org);
        memcpy(id.parent_key, ms_node_identity(parent)->key, MS_KEY_BYTES);
        id.parent_role = ms_node_identity(parent)->role;
    }
    ms_node_t *node = NULL;
    assert_int_equal(ms_node_init(path, &id, NULL), 0);
    assert_int_equal(ms_node_open(path, &node, NULL), 0);
    return node;
}

typedef struct {
    ms_node_t *root, *union_node, *mutual;
    uint8_t *chain;
    size_t len;
} level_t;

//  RS-SEC certifies ML-UTM; the union holds that; the mutual was made
//  with only its union's key. LEVEL gets the union's chain.
static void three_levels(const char *dir, level_t *l)
{
    l->root = make_node(dir, "s", "RS-SEC", MS_ROLE_SECRETARIAT, NULL);
    l->union_node = make_node(dir, "u", "ML-UTM", MS_ROLE_UNION, l->root);
    l->mutual = make_node(dir, "m", "ML-UTM-001", MS_ROLE_MUTUAL, l->union_node);
    certify(l->root, "ML-UTM", ms_node_identity(l->union_node)->key);
    assert_int_equal(copy(l->union_node, l->root, "certs", 1), MS_OUTCOME_APPLIED);
    ms_txn_t *txn;
    assert_int_equal(ms_store_read(ms_node_store(l->union_node), &txn, NULL), 0);
    assert_int_equal(ms_anchor_chain(txn, "ML-UTM", &l->chain, &l->len, NULL), 0);
    ms_txn_abort(&txn);
    assert_non_null(l->chain);
}

static void close_levels(level_t *l)
{
    free(l->chain);
    ms_node_close(&l->root);
    ms_node_close(&l->union_node);
    ms_node_close(&l->mutual);
}

static void test_anchor_learns_the_root_from_the_chain_and_pins_it(void **state)
{
    level_t l;
    three_levels(*state, &l);
    assert_true(ms_anchor_provisional(ms_node_identity(l.mutual)));
    assert_false(ms_anchor_provisional(ms_node_identity(l.union_node)));
    //  Before: the secretariat's feed is refused, its signer unknown.
    assert_int_equal(copy(l.mutual, l.root, "certs", 1), MS_OUTCOME_REFUSED);

    char root[MS_ORG_MAX + 1];
    assert_int_equal(ms_anchor_learn(l.mutual, l.chain, l.len, root, NULL), 0);
    assert_string_equal(root, "RS-SEC");
    const ms_identity_t *id = ms_node_identity(l.mutual);
    assert_string_equal(id->root, "RS-SEC");
    assert_memory_equal(id->root_key, ms_node_identity(l.root)->key, MS_KEY_BYTES);
    assert_false(ms_anchor_provisional(id));
    assert_int_equal(copy(l.mutual, l.root, "certs", 1), MS_OUTCOME_APPLIED);

    //  Pinned once: a later chain teaches nothing.
    assert_int_equal(ms_anchor_learn(l.mutual, l.chain, l.len, root, NULL), 0);
    assert_string_equal(root, "");
    close_levels(&l);
}

static void test_anchor_refuses_a_chain_that_does_not_hold(void **state)
{
    level_t l;
    three_levels(*state, &l);
    char root[MS_ORG_MAX + 1];
    ms_error_t err = {0};

    //  One byte changed in the signed body.
    l.chain[l.len - 70] ^= 1;
    assert_int_equal(ms_anchor_learn(l.mutual, l.chain, l.len, root, &err), MS_EREFUSED);
    l.chain[l.len - 70] ^= 1;
    //  Cut short.
    assert_int_equal(ms_anchor_learn(l.mutual, l.chain, l.len - 1, root, &err), MS_EREFUSED);
    assert_non_null(strstr(err.message, "cut"));

    //  Another "secretariat" certifying another key for the union.
    ms_node_t *rogue = make_node(*state, "x", "RS-SEC", MS_ROLE_SECRETARIAT, NULL);
    certify(rogue, "ML-UTM", ms_node_identity(rogue)->key);
    ms_txn_t *txn;
    ms_val_t bytes;
    assert_int_equal(ms_store_read(ms_node_store(rogue), &txn, NULL), 0);
    assert_int_equal(ms_replica_envelope(txn, "RS-SEC", "certs", 1, NULL, &bytes, NULL), 0);
    uint8_t forged[2048];
    size_t n = bytes.len;
    forged[0] = (uint8_t)(n >> 24), forged[1] = (uint8_t)(n >> 16);
    forged[2] = (uint8_t)(n >> 8), forged[3] = (uint8_t)n;
    memcpy(forged + 4, bytes.data, n);
    ms_txn_abort(&txn);
    assert_int_equal(ms_anchor_learn(l.mutual, forged, n + 4, root, &err), MS_EREFUSED);
    assert_non_null(strstr(err.message, "does not certify ML-UTM"));

    //  Nothing was pinned: the real secretariat's feed is still refused.
    assert_true(ms_anchor_provisional(ms_node_identity(l.mutual)));
    assert_int_equal(copy(l.mutual, l.root, "certs", 1), MS_OUTCOME_REFUSED);
    ms_node_close(&rogue);
    close_levels(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_anchor_learns_the_root_from_the_chain_and_pins_it,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_anchor_refuses_a_chain_that_does_not_hold,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
