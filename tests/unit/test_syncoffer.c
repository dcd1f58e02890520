//  test_syncoffer - the offer and want decided from a union's and its
//  mutual's stores, without a session: what is taken, what is refused,
//  where each feed is sent from, forks, and what is remembered at the end.

#include "mutsync/replica.h"
#include "mutsync/syncoffer.h"
#include "mutsync/syncstore.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_fixture.h"

typedef struct {
    char dir[64];
    ms_node_t *union_node, *mutual;
    ms_sync_heads_t offer, peer_offer, want;  //  as a session holds them
    uint64_t count;                           //  to_receive or to_send
    char fork[400];
} fixture_t;

//  A union that certified its mutual ML-UTM-001, which wrote three change
//  sets to its register.
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/ms-test-syncoffer.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    sync_make_pair(f->dir, &f->union_node, &f->mutual, true);

    sync_add_members(f->mutual, 3, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    ms_sync_heads_clear(&f->offer);
    ms_sync_heads_clear(&f->peer_offer);
    ms_sync_heads_clear(&f->want);
    ms_node_close(&f->union_node);
    ms_node_close(&f->mutual);
    int rc = sync_remove(f->dir);
    free(f);
    return rc;
}

//  The mutual's offer to its union, into F->offer; returns the index of
//  its register in it.
static size_t offer_up(fixture_t *f)
{
    assert_int_equal(ms_syncstore_heads(f->mutual, "ML-UTM", true, NULL, &f->offer, NULL, NULL), 0);
    for (size_t i = 0; i < f->offer.count; i++)
        if (strcmp(f->offer.items[i].org, "ML-UTM-001") == 0 &&
            strcmp(f->offer.items[i].feed, "register") == 0)
            return i;
    fail_msg("the mutual does not offer its register");
    return 0;
}

//  The id of change set SEQ of the mutual's register, as NODE holds it.
static void id_of(ms_node_t *node, uint64_t seq, uint8_t *id)
{
    ms_txn_t *txn;
    ms_val_t bytes;
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, NULL), 0);
    assert_int_equal(ms_replica_envelope(txn, "ML-UTM-001", "register", seq, id, &bytes, NULL), 0);
    ms_txn_abort(&txn);
}

//  A want that says the peer holds SEQ of the mutual's register (with the
//  id the mutual holds) and all of the rest of the offer.
static void want_at(fixture_t *f, uint64_t seq)
{
    ms_sync_heads_clear(&f->want);
    for (size_t i = 0; i < f->offer.count; i++) {
        const ms_sync_head_t *h = &f->offer.items[i];
        ms_head_t head = {.seq = h->seq};
        memcpy(head.hash, h->hash, MS_HASH_BYTES);
        if (strcmp(h->org, "ML-UTM-001") == 0 && strcmp(h->feed, "register") == 0) {
            head = (ms_head_t){.seq = seq};
            if (seq)
                id_of(f->mutual, seq, head.hash);
        }
        assert_int_equal(ms_sync_heads_add(&f->want, h->org, h->feed, &head, NULL), 0);
    }
}

static void test_syncoffer_takes_the_childs_feeds_and_refuses_a_stray_one(void **state)
{
    fixture_t *f = *state;
    size_t reg = offer_up(f);
    //  The union's own certs, which it holds and no child sends it.
    ms_head_t stray = {.seq = 5};
    memset(stray.hash, 7, MS_HASH_BYTES);
    assert_int_equal(ms_sync_heads_add(&f->offer, "ML-UTM", "certs", &stray, NULL), 0);
    assert_int_equal(ms_syncoffer_take(f->union_node, "ML-UTM-001", true, f->offer.items,
                                       f->offer.count, &f->peer_offer, &f->want, &f->count, f->fork,
                                       sizeof f->fork, NULL),
                     0);
    assert_int_equal(f->want.count, f->offer.count);
    assert_int_equal(f->peer_offer.count, f->offer.count);
    assert_string_equal(f->fork, "");
    //  The child's register: the union holds nothing of it and lacks 3.
    assert_false(f->want.items[reg].refused);
    assert_int_equal(f->want.items[reg].seq, 0);
    assert_true(f->count >= 3);
    //  The stray: refused, with nothing said of what the union holds.
    const ms_sync_head_t *last = &f->want.items[f->want.count - 1];
    assert_string_equal(last->org, "ML-UTM");
    assert_true(last->refused);
    assert_int_equal(last->seq, 0);
    assert_true(f->peer_offer.items[f->peer_offer.count - 1].refused);
}

static void test_syncoffer_plans_each_feed_from_the_peers_head(void **state)
{
    fixture_t *f = *state;
    size_t reg = offer_up(f);
    assert_int_equal(f->offer.items[reg].seq, 3);
    want_at(f, 1);
    f->want.items[0].refused = reg != 0;  //  another feed the parent does not take
    ms_syncoffer_out_t *out = calloc(f->offer.count, sizeof *out);
    assert_int_equal(ms_syncoffer_plan(f->mutual, "ML-UTM", false, &f->offer, f->want.items, out,
                                       &f->count, NULL),
                     0);
    assert_int_equal(out[reg].peer_head, 1);
    assert_int_equal(out[reg].next, 2);
    assert_false(out[reg].stalled);
    assert_int_equal(f->count, 2);
    if (reg != 0) {
        assert_true(out[0].refused);
        assert_true(out[0].stalled);
    }

    //  A want that does not follow the offer is refused, saying which entry.
    memset(out, 0, f->offer.count * sizeof *out);
    strcpy(f->want.items[reg].feed, "claims");
    ms_error_t err = {0};
    assert_int_equal(ms_syncoffer_plan(f->mutual, "ML-UTM", false, &f->offer, f->want.items, out,
                                       &f->count, &err),
                     MS_EINVAL);
    char expected[64];
    snprintf(expected, sizeof expected, "want entry %zu is not the feed offered", reg);
    assert_string_equal(err.message, expected);
    free(out);
}

//  The parent holds another change set at seq 2 of the mutual's own feed.
static void test_syncoffer_sends_our_own_branch_of_a_fork_as_its_proof(void **state)
{
    fixture_t *f = *state;
    size_t reg = offer_up(f);
    want_at(f, 2);
    f->want.items[reg].hash[0] ^= 1;
    ms_syncoffer_out_t *out = calloc(f->offer.count, sizeof *out);
    assert_int_equal(ms_syncoffer_plan(f->mutual, "ML-UTM", false, &f->offer, f->want.items, out,
                                       &f->count, NULL),
                     0);
    assert_int_equal(out[reg].next, 2);  //  from the forked seq, not after it
    assert_false(out[reg].stalled);
    assert_false(out[reg].claimed);
    free(out);

    //  Offered that branch back, the mutual does not take it and says why.
    ms_head_t theirs = {.seq = 2};
    memcpy(theirs.hash, f->want.items[reg].hash, MS_HASH_BYTES);
    ms_sync_heads_t parent_offer = {0};
    assert_int_equal(ms_sync_heads_add(&parent_offer, "ML-UTM-001", "register", &theirs, NULL), 0);
    assert_int_equal(ms_syncoffer_take(f->mutual, "ML-UTM", false, parent_offer.items, 1,
                                       &f->peer_offer, &f->want, &f->count, f->fork, sizeof f->fork,
                                       NULL),
                     0);
    ms_sync_heads_clear(&parent_offer);
    assert_true(f->want.items[f->want.count - 1].refused);
    assert_string_equal(f->fork, "fork: ML-UTM holds another change set than this node at "
                                 "ML-UTM-001/register seq 2; this node may not write until ML-UTM "
                                 "resolves it (child resolve)");
}

static void test_syncoffer_says_when_heads_met_and_what_the_peer_holds(void **state)
{
    fixture_t *f = *state;
    size_t reg = offer_up(f);
    want_at(f, 1);
    ms_syncoffer_out_t *out = calloc(f->offer.count, sizeof *out);
    assert_int_equal(ms_syncoffer_plan(f->mutual, "ML-UTM", false, &f->offer, f->want.items, out,
                                       &f->count, NULL),
                     0);
    assert_false(ms_syncoffer_met(f->mutual, &f->offer, out, &f->peer_offer));
    out[reg].peer_head = 3;  //  as the acks say
    assert_true(ms_syncoffer_met(f->mutual, &f->offer, out, &f->peer_offer));

    //  A feed the parent offers beyond what the mutual holds: not met.
    ms_head_t ahead = {.seq = 9};
    assert_int_equal(ms_sync_heads_add(&f->peer_offer, "ML-UTM", "certs", &ahead, NULL), 0);
    assert_false(ms_syncoffer_met(f->mutual, &f->offer, out, &f->peer_offer));

    ms_sync_heads_t scope = {0};
    assert_int_equal(ms_syncoffer_held(&f->offer, out, &f->peer_offer, &scope, NULL), 0);
    assert_int_equal(scope.count, f->offer.count + 1);
    assert_int_equal(scope.items[reg].seq, 3);
    assert_string_equal(scope.items[scope.count - 1].feed, "certs");
    assert_int_equal(scope.items[scope.count - 1].seq, 9);
    ms_sync_heads_clear(&scope);

    //  What the peer refused is not remembered as held.
    out[reg].refused = true;
    f->peer_offer.items[f->peer_offer.count - 1].refused = true;
    assert_int_equal(ms_syncoffer_held(&f->offer, out, &f->peer_offer, &scope, NULL), 0);
    assert_int_equal(scope.count, f->offer.count - 1);
    ms_sync_heads_clear(&scope);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_syncoffer_takes_the_childs_feeds_and_refuses_a_stray_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syncoffer_plans_each_feed_from_the_peers_head, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_syncoffer_sends_our_own_branch_of_a_fork_as_its_proof,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_syncoffer_says_when_heads_met_and_what_the_peer_holds,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
