//  test_resolve - fork resolutions in the accept path, on a union's real
//  store: only the holder of a child's id may resolve a fork of its feeds;
//  keeping the branch held unfreezes the feed; keeping the other rolls the
//  feed back, keeps the lost branch as proof and refuses what a lagging copy
//  sends on it; a child's word stands for a branch it could not send.

#include "mutsync/log.h"
#include "mutsync/resolve.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "accept_fixture.h"

static ms_change_t resolution_change(const char *feed, uint64_t seq, const uint8_t *keep,
                                     value_t *value, char *key, size_t cap)
{
    ms_resolution_t resolution = {.seq = seq};
    snprintf(resolution.feed, sizeof resolution.feed, "%s", feed);
    memcpy(resolution.keep, keep, MS_HASH_BYTES);
    assert_int_equal(
        ms_resolution_encode(&resolution, value->value, sizeof value->value, &value->len), 0);
    snprintf(key, cap, "%s|%s|%llu", MUTUAL, feed, (unsigned long long)seq);
    return (ms_change_t){MS_COLL_RESOLUTION, MS_OP_UPSERT, key, value->value, value->len};
}

static void resolve(fixture_t *f, const char *feed, uint64_t seq, const uint8_t *keep)
{
    value_t value;
    char key[MS_KEY_MAX + 1];
    ms_change_t change = resolution_change(feed, seq, keep, &value, key, sizeof key);
    ms_verdict_t verdict;
    assert_int_equal(union_append(f, "public", &change, 1, &verdict), 0);
    assert_int_equal(verdict.outcome, MS_OUTCOME_APPLIED);
}

typedef struct {
    size_t count;
    ms_superseded_t last;
} superseded_t;

static int count_superseded(const ms_superseded_t *entry, void *ctx)
{
    superseded_t *s = ctx;
    s->count++;
    s->last = *entry;
    return 0;
}

static const char *card_name(fixture_t *f, char *name, size_t cap)
{
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    ms_stored_record_t record;
    ms_org_t org;
    assert_int_equal(ms_replica_record(txn, MS_COLL_ORG, MUTUAL, MUTUAL, &record, NULL), 0);
    assert_int_equal(ms_org_decode(record.value, record.value_len, &org, NULL), 0);
    ms_txn_abort(&txn);
    snprintf(name, cap, "%s", org.name);
    return name;
}

//  A union that is not the mutual's holder may not end its fork: refused
//  with its reason, and the frozen feed stays frozen.
static void test_accept_refuses_a_resolution_by_a_non_holder(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    sealed_t fork = mutual_card(f, 1, NULL, T0 + 1, "Kati bis");
    check_applied(f, &one);
    assert_int_equal(accept_bytes(f, fork.bytes, fork.len).reason, MS_REFUSAL_EQUIVOCATION);
    ms_keypair_t *sibling = NULL;
    assert_int_equal(ms_keypair_new(&sibling, NULL), 0);
    certify(f, "ML-UTM-UCS", MS_ROLE_UNION, ms_keypair_public(sibling));
    value_t value;
    char key[MS_KEY_MAX + 1];
    ms_change_t change = resolution_change("public", 1, fork.id, &value, key, sizeof key);
    sealed_t bad = seal(sibling, "ML-UTM-UCS", "public", 1, NULL, T0, &change, 1);
    check_refused(f, bad.bytes, bad.len, MS_REFUSAL_AUTHORITY,
                  "ML-UTM-UCS may only resolve forks of its own children's feeds (ML-UTM-001)");
    assert_true(head_of(f, MUTUAL, "public").frozen);
    ms_keypair_destroy(&sibling);
    free(one.bytes);
    free(fork.bytes);
    free(bad.bytes);
}

//  The held branch kept: the feed unfreezes and goes on; the other branch,
//  sent again, is superseded and freezes nothing.
static void test_resolution_for_the_held_branch_unfreezes(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    sealed_t fork = mutual_card(f, 1, NULL, T0 + 1, "Kati bis");
    check_applied(f, &one);
    assert_int_equal(accept_bytes(f, fork.bytes, fork.len).reason, MS_REFUSAL_EQUIVOCATION);
    assert_true(head_of(f, MUTUAL, "public").frozen);

    resolve(f, "public", 1, one.id);
    assert_false(head_of(f, MUTUAL, "public").frozen);
    sealed_t two = mutual_card(f, 2, one.id, T0 + 2, "Kati 2");
    check_applied(f, &two);
    sealed_t late = mutual_card(f, 2, fork.id, T0 + 3, "Kati bis 2");
    check_refused(f, fork.bytes, fork.len, MS_REFUSAL_SUPERSEDED, "did not keep");
    check_refused(f, late.bytes, late.len, MS_REFUSAL_SUPERSEDED, "did not keep");
    ms_head_t head = head_of(f, MUTUAL, "public");
    assert_int_equal(head.seq, 2);
    assert_false(head.frozen);
    free(one.bytes);
    free(fork.bytes);
    free(two.bytes);
    free(late.bytes);
}

//  The other branch kept: the held change sets from the forked seq on are
//  moved aside as proof, the records they wrote get their earlier values
//  back, the head moves back unfrozen, and the kept branch then applies.
static void test_resolution_for_the_other_branch_rolls_back(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    sealed_t two = mutual_card(f, 2, one.id, T0 + 1, "Kati A");
    sealed_t three = mutual_card(f, 3, two.id, T0 + 2, "Kati A 3");
    sealed_t fork = mutual_card(f, 2, one.id, T0 + 3, "Kati B");
    check_applied(f, &one);
    check_applied(f, &two);
    check_applied(f, &three);
    assert_int_equal(accept_bytes(f, fork.bytes, fork.len).reason, MS_REFUSAL_EQUIVOCATION);
    char name[MS_TEXT_MAX + 1];
    assert_string_equal(card_name(f, name, sizeof name), "Kati A 3");

    resolve(f, "public", 2, fork.id);
    ms_head_t head = head_of(f, MUTUAL, "public");
    assert_int_equal(head.seq, 1);
    assert_memory_equal(head.hash, one.id, MS_HASH_BYTES);
    assert_false(head.frozen);
    assert_string_equal(card_name(f, name, sizeof name), "Kati");
    superseded_t kept = {0};
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    assert_int_equal(ms_resolve_list(txn, MUTUAL, count_superseded, &kept, NULL), 0);
    ms_txn_abort(&txn);
    assert_int_equal(kept.count, 2);
    assert_string_equal(kept.last.org, MUTUAL);
    assert_string_equal(kept.last.feed, "public");
    assert_int_equal(kept.last.seq, 3);
    assert_memory_equal(kept.last.id, three.id, MS_HASH_BYTES);
    assert_int_equal(kept.last.size, three.len);

    check_applied(f, &fork);
    assert_string_equal(card_name(f, name, sizeof name), "Kati B");
    //  A lagging copy sends the losing branch again: superseded, not a fork.
    check_refused(f, two.bytes, two.len, MS_REFUSAL_SUPERSEDED, "did not keep");
    check_refused(f, three.bytes, three.len, MS_REFUSAL_SUPERSEDED, "did not keep");
    assert_false(head_of(f, MUTUAL, "public").frozen);
    free(one.bytes);
    free(two.bytes);
    free(three.bytes);
    free(fork.bytes);
}

typedef struct {
    const char *org, *feed;
    uint64_t seq;
    const uint8_t *id;
} claim_args_t;

static int claim_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    claim_args_t *c = arg;
    return ms_resolve_note_claim(txn, c->org, c->feed, c->seq, c->id, "peer " MUTUAL, err);
}

static int find_seq(fixture_t *f, const uint8_t *keep, uint64_t *seq)
{
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    int rc = ms_resolve_find(txn, MUTUAL, "public", keep, seq, NULL);
    ms_txn_abort(&txn);
    return rc;
}

//  A child behind its parent past a fork sends only its word (seq and id):
//  kept once, it stands for the fork's other branch, so either branch can
//  be kept; once resolved, the child's branch is known to have lost.
static void test_a_childs_word_stands_for_the_other_branch(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    sealed_t two = mutual_card(f, 2, one.id, T0 + 1, "Kati A");
    check_applied(f, &one);
    check_applied(f, &two);
    uint8_t claimed[MS_HASH_BYTES], stranger[MS_HASH_BYTES];
    memset(claimed, 0x5a, sizeof claimed);
    memset(stranger, 0x11, sizeof stranger);
    uint64_t seq = 0;
    assert_int_equal(find_seq(f, claimed, &seq), MS_ENOTFOUND);
    claim_args_t claim = {MUTUAL, "public", 1, claimed};
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(ms_node_store(f->node), claim_fn, &claim, &err), 0);
    assert_int_equal(ms_store_write(ms_node_store(f->node), claim_fn, &claim, &err), 0);
    assert_int_equal(quarantine_count(f), 1);
    last_t last = quarantine(f);
    assert_int_equal(last.reason, MS_REFUSAL_EQUIVOCATION);
    assert_int_equal(last.envelope_len, 0);
    assert_non_null(strstr(last.detail, "the child's word"));
    free(last.envelope);

    assert_int_equal(find_seq(f, claimed, &seq), 0);
    assert_int_equal(seq, 1);
    assert_int_equal(find_seq(f, one.id, &seq), 0);
    assert_int_equal(seq, 1);
    assert_int_equal(find_seq(f, two.id, &seq), MS_ENOTFOUND);
    assert_int_equal(find_seq(f, stranger, &seq), MS_ENOTFOUND);

    resolve(f, "public", 1, one.id);
    ms_txn_t *txn = NULL;
    bool lost = false;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    assert_int_equal(ms_resolve_lost(txn, MUTUAL, "public", 1, claimed, &lost, NULL), 0);
    assert_true(lost);
    assert_int_equal(ms_resolve_lost(txn, MUTUAL, "public", 1, one.id, &lost, NULL), 0);
    assert_false(lost);
    ms_txn_abort(&txn);
    assert_int_equal(head_of(f, MUTUAL, "public").seq, 2);
    free(one.bytes);
    free(two.bytes);
}

//  KNOWN BUG (rules.c check_cert, trust.c decode_entry): a certificate's
//  subject is the change key, up to MS_KEY_MAX (128) bytes, but the trust
//  table refuses to read back an org id over MS_ORG_MAX (64) as "damaged".
//  The certificate is accepted; from then on listing the trust table fails,
//  and any later change set naming that subject makes ms_accept return a
//  store error instead of a verdict, so an import or sync carrying it fails
//  whole, every time, and nothing is quarantined.

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accept_refuses_a_resolution_by_a_non_holder, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resolution_for_the_held_branch_unfreezes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resolution_for_the_other_branch_rolls_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_childs_word_stands_for_the_other_branch, setup,
                                        teardown),
    };
    ms_log_set_level(MS_LOG_ERROR);  //  refusals are what these tests are about
    return cmocka_run_group_tests(tests, NULL, NULL);
}
