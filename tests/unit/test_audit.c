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

#define UNION "ML-UTM"
#define MUTUAL "ML-UTM-001"
#define T0 1767225600

typedef struct {
    char *dir;
    ms_node_t *node;
    ms_keypair_t *mutual;
    uint8_t ids[4][MS_HASH_BYTES];  //  of the mutual's change sets 1..3
} fixture_t;

typedef struct {
    ms_node_t *node;
    const ms_change_t *change;
    const uint8_t *bytes;
    size_t len;
    ms_verdict_t verdict;
} write_t;

static int append_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    write_t *w = arg;
    const char *feed = ms_policy_feed_name(ms_policy_feed_of(w->change->collection));
    return ms_node_append(w->node, txn, feed, w->change, 1, &w->verdict, err);
}

static int accept_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    write_t *w = arg;
    return ms_node_accept(w->node, txn, w->bytes, w->len, "test", &w->verdict, err);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    char path[512];
    if (!f || !(f->dir = strdup("/tmp/ms-test-audit.XXXXXX")) || !mkdtemp(f->dir))
        return -1;
    snprintf(path, sizeof path, "%s/union", f->dir);
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    strcpy(id.org, UNION);
    id.role = MS_ROLE_UNION;
    strcpy(id.country, "ML");
    strcpy(id.name, "Union");
    if (ms_node_init(path, &id, NULL) != 0 || ms_node_open(path, &f->node, NULL) != 0 ||
        ms_keypair_new(&f->mutual, NULL) != 0)
        return -1;

    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    strcpy(cert.name, "Mutuelle");
    cert.role = MS_ROLE_MUTUAL;
    strcpy(cert.parent, UNION);
    memcpy(cert.key, ms_keypair_public(f->mutual), MS_KEY_BYTES);
    uint8_t value[512];
    size_t len = 0;
    if (ms_cert_encode(&cert, value, sizeof value, &len) != 0)
        return -1;
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, MUTUAL, value, len};
    write_t w = {f->node, &change, NULL, 0, {0}};
    if (ms_store_write(ms_node_store(f->node), append_fn, &w, NULL) != 0)
        return -1;

    //  Three change sets of the mutual, signed here.
    ms_org_t org;
    memset(&org, 0, sizeof org);
    strcpy(org.name, "Mutuelle");
    org.role = MS_ROLE_MUTUAL;
    strcpy(org.parent, UNION);
    if (ms_org_encode(&org, value, sizeof value, &len) != 0)
        return -1;
    ms_change_t card = {MS_COLL_ORG, MS_OP_UPSERT, MUTUAL, value, len};
    for (uint64_t seq = 1; seq <= 3; seq++) {
        ms_changeset_t cs = {.origin = MUTUAL,
                             .feed = "public",
                             .seq = seq,
                             .created = T0 + (int64_t)seq,
                             .change_count = 1,
                             .changes = &card};
        memcpy(cs.signer, ms_keypair_public(f->mutual), MS_KEY_BYTES);
        memcpy(cs.prev, f->ids[seq - 1], MS_HASH_BYTES);
        uint8_t *body = NULL, *bytes = NULL;
        size_t body_len = 0, bytes_len = 0;
        if (ms_changeset_encode(&cs, &body, &body_len, NULL) != 0 ||
            ms_envelope_seal(f->mutual, body, body_len, NULL, &bytes, &bytes_len, NULL) != 0)
            return -1;
        ms_body_id(body, body_len, f->ids[seq]);
        write_t a = {f->node, NULL, bytes, bytes_len, {0}};
        int rc = ms_store_write(ms_node_store(f->node), accept_fn, &a, NULL);
        free(body);
        free(bytes);
        if (rc != 0 || a.verdict.outcome != MS_OUTCOME_APPLIED)
            return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    ms_node_close(&f->node);
    ms_keypair_destroy(&f->mutual);
    char command[256];
    snprintf(command, sizeof command, "rm -rf '%s'", f->dir);
    int rc = system(command);
    free(f->dir);
    free(f);
    return rc;
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
    memcpy(head.hash, f->ids[2], MS_HASH_BYTES);
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
    memcpy(head.hash, f->ids[3], MS_HASH_BYTES);
    assert_int_equal(ms_store_write(ms_node_store(f->node), set_head_fn, &head, NULL), 0);
    report = audit(f, &problems);
    assert_true(report.failures >= 1);
    assert_int_equal(problems.seqs[0], 4);
    assert_string_equal(problems.problems[0], "missing below the head");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_audit_of_a_clean_store_finds_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_reports_a_flipped_signature_byte_with_its_seq,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_reports_a_flipped_body_byte_with_its_seq, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit_reports_a_broken_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_reports_an_envelope_that_does_not_decode, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit_reports_a_head_that_is_not_the_last_id, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
