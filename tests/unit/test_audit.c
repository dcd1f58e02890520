//  test_audit - `mutsync feed verify`: a clean replica passes, and damage
//  written behind the accept rules' back is found and named by feed and seq.

#include "mutsync/audit.h"
#include "mutsync/policy.h"
#include "mutsync/envelope.h"
#include "mutsync/node.h"
#include "mutsync/replica.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accept_fixture.h"

//  The ids of the mutual's change sets 1..3 (ids[0]: the zeros before seq 1).
static uint8_t ids[4][MS_HASH_BYTES];

//  The accept fixture's union and the mutual it certified, and three
//  change sets of the mutual's public feed (its card) the union accepted.
static int audit_setup(void **state)
{
    if (setup(state) != 0)
        return -1;
    fixture_t *f = *state;
    for (uint64_t seq = 1; seq <= 3; seq++) {
        sealed_t sealed = mutual_card(f, seq, ids[seq - 1], T0 + (int64_t)seq, "Mutuelle");
        ms_verdict_t verdict = accept_bytes(f, sealed.bytes, sealed.len);
        memcpy(ids[seq], sealed.id, MS_HASH_BYTES);
        free(sealed.bytes);
        if (verdict.outcome != MS_OUTCOME_APPLIED)
            return -1;
    }
    return 0;
}

typedef struct {
    int count;
    char org[MS_ORG_MAX + 1];
    char feed[MS_FEED_NAME_MAX + 1];
    uint64_t seqs[8];
    char problems[8][MS_ERROR_MSG_BYTES + 64];
} problems_t;

static void on_problem(const char *org, const char *feed, uint64_t seq, const char *problem,
                       void *ctx)
{
    problems_t *p = ctx;
    if (p->count < 8) {
        snprintf(p->org, sizeof p->org, "%s", org);
        snprintf(p->feed, sizeof p->feed, "%s", feed);
        p->seqs[p->count] = seq;
        snprintf(p->problems[p->count], sizeof p->problems[0], "%s", problem);
    }
    p->count++;
}

static ms_audit_t audit(fixture_t *f, problems_t *problems)
{
    memset(problems, 0, sizeof *problems);
    ms_audit_t report;
    ms_error_t err = {0};
    assert_int_equal(ms_audit_run(ms_node_store(f->node), on_problem, problems, &report, &err), 0);
    assert_int_equal(report.failures, (uint64_t)problems->count);
    return report;
}

//  Changes the envelope stored for (ORG, FEED, SEQ): byte AT of the stored
//  value (id then envelope) is XORed with MASK, written straight into the table.
typedef struct {
    const char *org;
    const char *feed;
    uint64_t seq;
    long at;  //  negative: from the end
    uint8_t mask;
} damage_t;

static int damage_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    damage_t *d = arg;
    uint8_t prefix[MS_FEED_KEY_MAX];
    size_t prefix_len = ms_feed_key(d->org, d->feed, prefix);
    ms_cursor_t *cursor = NULL;
    int rc = ms_cursor_open(txn, MS_TABLE_ENVELOPES, prefix, prefix_len, &cursor, err);
    ms_val_t key, val;
    uint8_t wanted[8];
    ms_put_be64(wanted, d->seq);
    while (rc == 0 && (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
        if (key.len < 8 || memcmp(key.data + key.len - 8, wanted, 8) != 0) {
            rc = 0;
            continue;
        }
        uint8_t *copy_key = malloc(key.len), *copy = malloc(val.len);
        assert_non_null(copy_key);
        assert_non_null(copy);
        memcpy(copy_key, key.data, key.len);
        memcpy(copy, val.data, val.len);
        size_t at = d->at >= 0 ? (size_t)d->at : val.len - (size_t)-d->at;
        assert_true(at < val.len);
        copy[at] ^= d->mask;
        size_t key_len = key.len, val_len = val.len;
        ms_cursor_close(&cursor);
        rc = ms_txn_put(txn, MS_TABLE_ENVELOPES, copy_key, key_len, copy, val_len, 0, err);
        free(copy_key);
        free(copy);
        return rc;
    }
    ms_cursor_close(&cursor);
    return rc < 0 ? rc
                  : ms_error_set(err, MS_ENOTFOUND, d->org, "no envelope %llu",
                                 (unsigned long long)d->seq);
}

static void damage(fixture_t *f, const char *org, uint64_t seq, long at, uint8_t mask)
{
    damage_t d = {org, "public", seq, at, mask};
    assert_int_equal(ms_store_write(ms_node_store(f->node), damage_fn, &d, NULL), 0);
}

static void test_audit_of_a_clean_store_finds_nothing(void **state)
{
    fixture_t *f = *state;
    problems_t problems;
    ms_audit_t report = audit(f, &problems);
    assert_int_equal(report.failures, 0);
    assert_int_equal(report.feeds, 3);      //  the union's public and certs feeds, the mutual's
    assert_int_equal(report.envelopes, 5);  //  org card, certificate; three cards
    assert_int_equal(report.changes, 5);
    assert_true(report.bytes > 5 * (MS_SIG_BYTES + MS_KEY_BYTES));
}

static void test_audit_reports_a_flipped_signature_byte_with_its_seq(void **state)
{
    fixture_t *f = *state;
    damage(f, MUTUAL, 2, -3, 0x01);  //  the signature's last byte: only the scheme follows
    problems_t problems;
    ms_audit_t report = audit(f, &problems);
    assert_int_equal(report.failures, 1);
    assert_string_equal(problems.org, MUTUAL);
    assert_string_equal(problems.feed, "public");
    assert_int_equal(problems.seqs[0], 2);
    assert_string_equal(problems.problems[0], "the signature does not verify");
    assert_int_equal(report.envelopes, 5);  //  it goes on to the end
}

static void test_audit_reports_a_flipped_body_byte_with_its_seq(void **state)
{
    fixture_t *f = *state;
    //  Stored value: id (32), then the envelope: tag, length, body... The
    //  byte at 32 + 10 lies inside the body (the origin string).
    damage(f, MUTUAL, 3, MS_HASH_BYTES + 8 + 10, 0x20);  //  past the id and the receipt time
    problems_t problems;
    ms_audit_t report = audit(f, &problems);
    assert_true(report.failures >= 2);
    for (int i = 0; i < problems.count && i < 8; i++)
        assert_int_equal(problems.seqs[i] == 3 || problems.seqs[i] == 0, 1);
    bool id = false, signature = false;
    for (int i = 0; i < problems.count && i < 8; i++) {
        id = id || strstr(problems.problems[i], "its id does not match") != NULL;
        signature = signature || strstr(problems.problems[i], "signature") != NULL ||
                    strstr(problems.problems[i], "another feed") != NULL;
    }
    assert_true(id);
    assert_true(signature);
}

static void test_audit_reports_a_broken_chain(void **state)
{
    fixture_t *f = *state;
    damage(f, MUTUAL, 1, 0, 0xff);  //  the stored id of seq 1
    problems_t problems;
    ms_audit_t report = audit(f, &problems);
    assert_int_equal(report.failures, 1);
    assert_int_equal(problems.seqs[0], 1);
    assert_string_equal(problems.problems[0], "its id does not match the body stored");
}

static void test_audit_reports_an_envelope_that_does_not_decode(void **state)
{
    fixture_t *f = *state;
    damage(f, UNION, 1, MS_HASH_BYTES + 8, 0x01);  //  first tag 0x0a becomes 0x0b: a group
    problems_t problems;
    ms_audit_t report = audit(f, &problems);
    assert_true(report.failures >= 1);
    assert_string_equal(problems.org, UNION);
    assert_int_equal(problems.seqs[0], 1);
    assert_non_null(strstr(problems.problems[0], "does not decode"));
}

static int set_head_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    const ms_head_t *head = arg;
    return ms_replica_set_head(txn, MUTUAL, "public", head, err);
}

static void test_audit_reports_a_head_that_is_not_the_last_id(void **state)
{
    fixture_t *f = *state;
    ms_head_t head = {.seq = 3, .frozen = true};
    memcpy(head.hash, ids[2], MS_HASH_BYTES);
    assert_int_equal(ms_store_write(ms_node_store(f->node), set_head_fn, &head, NULL), 0);
    problems_t problems;
    ms_audit_t report = audit(f, &problems);
    assert_int_equal(report.failures, 2);
    assert_int_equal(problems.seqs[0], 0);
    assert_string_equal(problems.problems[0],
                        "the head's hash is not the id of its last change set");
    assert_non_null(strstr(problems.problems[1], "frozen"));

    head.seq = 4;  //  one more than is stored
    head.frozen = false;
    memcpy(head.hash, ids[3], MS_HASH_BYTES);
    assert_int_equal(ms_store_write(ms_node_store(f->node), set_head_fn, &head, NULL), 0);
    report = audit(f, &problems);
    assert_true(report.failures >= 1);
    assert_int_equal(problems.seqs[0], 4);
    assert_string_equal(problems.problems[0], "missing below the head");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_audit_of_a_clean_store_finds_nothing, audit_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit_reports_a_flipped_signature_byte_with_its_seq,
                                        audit_setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_reports_a_flipped_body_byte_with_its_seq,
                                        audit_setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_reports_a_broken_chain, audit_setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_reports_an_envelope_that_does_not_decode,
                                        audit_setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_reports_a_head_that_is_not_the_last_id,
                                        audit_setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
