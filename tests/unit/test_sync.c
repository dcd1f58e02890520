//  test_sync - two sessions, a union and its mutual, wired by in-memory
//  queues: what moves, the idle check, refusals, silence, bad frames.

#include "mutsync/backup.h"
#include "mutsync/backupstore.h"
#include "mutsync/replica.h"
#include "mutsync/sync.h"

#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_fixture.h"

#define QUEUE_MAX 256

typedef struct {
    uint8_t *bytes[QUEUE_MAX];
    size_t len[QUEUE_MAX];
    size_t head, count;
} queue_t;

typedef struct {
    char dir[64];
    ms_node_t *union_node, *mutual;
    queue_t up, down;  //  to the union, to the mutual
} fixture_t;

static int push(void *ctx, const uint8_t *bytes, size_t len)
{
    queue_t *q = ctx;
    if (q->count == QUEUE_MAX)
        return -1;
    size_t slot = (q->head + q->count++) % QUEUE_MAX;
    q->bytes[slot] = malloc(len ? len : 1);
    memcpy(q->bytes[slot], bytes, len);
    q->len[slot] = len;
    return 0;
}

//  Delivers the oldest message of Q to S; returns false when Q is empty.
static bool deliver(queue_t *q, ms_sync_t *s)
{
    if (!q->count)
        return false;
    ms_sync_recv(s, q->bytes[q->head], q->len[q->head], 0);
    free(q->bytes[q->head]);
    q->head = (q->head + 1) % QUEUE_MAX;
    q->count--;
    return true;
}

static void drain(queue_t *q)
{
    while (q->count) {
        free(q->bytes[q->head]);
        q->head = (q->head + 1) % QUEUE_MAX;
        q->count--;
    }
}

//  The union certifies ML-UTM-<NUMBER> with KEY.
static void certify(ms_node_t *union_node, int number, const uint8_t *key)
{
    char org[MS_ORG_MAX + 1];
    snprintf(org, sizeof org, "ML-UTM-%03d", number);
    ms_cert_t cert = {.role = MS_ROLE_MUTUAL, .country = "ML", .parent = "ML-UTM"};
    snprintf(cert.name, sizeof cert.name, "%s", org);
    memcpy(cert.key, key, MS_KEY_BYTES);
    uint8_t value[1024];
    size_t len;
    assert_int_equal(ms_cert_encode(&cert, value, sizeof value, &len), 0);
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, org, value, len};
    sync_append_t a = {union_node, "certs", &change, 1};
    assert_int_equal(ms_store_write(ms_node_store(union_node), sync_append, &a, NULL), 0);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/ms-test-sync.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    sync_make_pair(f->dir, &f->union_node, &f->mutual, true);

    sync_add_members(f->mutual, 3, 30);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    drain(&f->up);
    drain(&f->down);
    ms_node_close(&f->union_node);
    ms_node_close(&f->mutual);
    int rc = sync_remove(f->dir);
    free(f);
    return rc;
}

//  As run_session, the mutual keeping its upward heads in CACHE (may be NULL).
static void run_cached(fixture_t *f, const char *as, ms_syncstore_cache_t *cache,
                       ms_sync_t **child_p, ms_sync_t **parent_p)
{
    assert_int_equal(
        ms_sync_new(f->mutual, MS_SYNC_INITIATOR, "ML-UTM", push, &f->up, 0, child_p, NULL), 0);
    assert_int_equal(
        ms_sync_new(f->union_node, MS_SYNC_RESPONDER, as, push, &f->down, 0, parent_p, NULL), 0);
    ms_sync_set_window(*child_p, 1);
    if (cache)
        ms_sync_set_cache(*child_p, cache);
    ms_sync_start(*child_p, 0);
    for (int i = 0; i < 1000 && (deliver(&f->up, *parent_p) || deliver(&f->down, *child_p)); i++)
        ;
}

//  Runs one session between the mutual (initiator) and the union to its end.
static void run_session(fixture_t *f, const char *as, ms_sync_t **child_p, ms_sync_t **parent_p)
{
    run_cached(f, as, NULL, child_p, parent_p);
}

static uint64_t seq_of(ms_node_t *node, const char *org, const char *feed)
{
    ms_txn_t *txn;
    ms_head_t head;
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, NULL), 0);
    assert_int_equal(ms_replica_head(txn, org, feed, &head, NULL), 0);
    ms_txn_abort(&txn);
    return head.seq;
}

static void test_sync_moves_what_each_side_lacks_then_is_idle(void **state)
{
    fixture_t *f = *state;
    ms_sync_t *child, *parent;
    run_session(f, "ML-UTM-001", &child, &parent);
    assert_int_equal(ms_sync_state(child), MS_SYNC_DONE);
    assert_int_equal(ms_sync_state(parent), MS_SYNC_DONE);
    assert_true(ms_sync_stats(child)->complete);
    assert_int_equal(ms_sync_stats(child)->envelopes_sent, 4);  //  public 1 + register 3
    assert_int_equal(ms_sync_stats(parent)->applied, 4);
    //  The union's public feed (its card); never its certs feed, which holds the
    //  mutual's siblings' certificates.
    assert_int_equal(ms_sync_stats(child)->applied, 1);
    assert_int_equal(seq_of(f->union_node, "ML-UTM-001", "register"), 3);
    assert_int_equal(seq_of(f->mutual, "ML-UTM", "public"), 1);
    assert_int_equal(seq_of(f->mutual, "ML-UTM", "certs"), 0);
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);

    run_session(f, "ML-UTM-001", &child, &parent);
    assert_int_equal(ms_sync_state(child), MS_SYNC_DONE);
    assert_true(ms_sync_stats(child)->idle);
    assert_true(ms_sync_stats(child)->bytes_sent + ms_sync_stats(child)->bytes_received <= 40);
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);

    //  200 siblings certified at the union: the mutual downloads none of them.
    for (int i = 0; i < 200; i++) {
        uint8_t key[MS_KEY_BYTES];
        randombytes_buf(key, sizeof key);
        certify(f->union_node, 2 + i, key);
    }
    run_session(f, "ML-UTM-001", &child, &parent);
    assert_int_equal(ms_sync_state(child), MS_SYNC_DONE);
    assert_true(ms_sync_stats(child)->complete);
    assert_int_equal(ms_sync_stats(child)->applied, 0);
    assert_true(ms_sync_stats(child)->bytes_received < 600);
    assert_int_equal(seq_of(f->mutual, "ML-UTM", "certs"), 0);
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);
}

//  A link keeps its upward heads between checks while the store is
//  unchanged, and reads them again after any write: the write goes up.
static void test_sync_cached_heads_follow_every_write(void **state)
{
    fixture_t *f = *state;
    ms_syncstore_cache_t cache = {0};
    ms_sync_t *child, *parent;
    run_cached(f, "ML-UTM-001", &cache, &child, &parent);
    assert_true(ms_sync_stats(child)->complete);
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);
    //  The session's end wrote what the parent holds: the next check reads
    //  the heads once more, then keeps them.
    run_cached(f, "ML-UTM-001", &cache, &child, &parent);
    assert_true(ms_sync_stats(child)->idle);
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);
    uint64_t kept = cache.generation;
    assert_int_equal(kept, ms_store_generation(ms_node_store(f->mutual)));
    run_cached(f, "ML-UTM-001", &cache, &child, &parent);
    assert_true(ms_sync_stats(child)->idle);
    assert_int_equal(cache.generation, kept);
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);

    //  A write: the cached heads are stale, the new change set goes up.
    ms_member_t member = {.sex = MS_SEX_M, .birth_date = 9100, .category = MS_CATEGORY_ADHERENT};
    strcpy(member.household_id, "H2");
    strcpy(member.family_name, "Keita");
    strcpy(member.given_name, "Moussa");
    uint8_t value[128];
    size_t len;
    assert_int_equal(ms_member_encode(&member, value, sizeof value, &len), 0);
    ms_change_t change = {MS_COLL_MEMBER, MS_OP_UPSERT, "M900", value, len};
    sync_append_t a = {f->mutual, "register", &change, 1};
    assert_int_equal(ms_store_write(ms_node_store(f->mutual), sync_append, &a, NULL), 0);
    run_cached(f, "ML-UTM-001", &cache, &child, &parent);
    assert_false(ms_sync_stats(child)->idle);
    assert_int_equal(ms_sync_stats(child)->envelopes_sent, 1);
    assert_int_equal(seq_of(f->union_node, "ML-UTM-001", "register"), 4);
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);
    ms_syncstore_cache_clear(&cache);
}

static void test_sync_refuses_a_peer_that_is_not_a_certified_child(void **state)
{
    fixture_t *f = *state;
    ms_sync_t *child, *parent;
    run_session(f, "ML-OTHER", &child, &parent);
    assert_int_equal(ms_sync_state(parent), MS_SYNC_FAILED);
    assert_int_equal(ms_sync_state(child), MS_SYNC_FAILED);
    assert_int_equal(ms_sync_failure_code(child), MS_EREFUSED);
    assert_non_null(strstr(ms_sync_failure(child), "not a child certified by ML-UTM"));
    assert_int_equal(seq_of(f->union_node, "ML-UTM-001", "register"), 0);
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);
}

static void test_sync_ends_a_session_when_the_peer_is_silent(void **state)
{
    fixture_t *f = *state;
    ms_sync_t *child;
    assert_int_equal(
        ms_sync_new(f->mutual, MS_SYNC_INITIATOR, "ML-UTM", push, &f->up, 0, &child, NULL), 0);
    ms_sync_set_timeout(child, 1000);
    assert_int_equal(ms_sync_start(child, 0), MS_SYNC_HELLO_SENT);
    assert_int_equal(ms_sync_tick(child, 1000), MS_SYNC_HELLO_SENT);
    assert_int_equal(ms_sync_tick(child, 1001), MS_SYNC_FAILED);
    assert_int_equal(ms_sync_failure_code(child), MS_ENET);
    ms_sync_destroy(&child);
}

static void test_sync_fails_on_a_malformed_frame_and_quarantines_it(void **state)
{
    fixture_t *f = *state;
    ms_sync_t *parent;
    assert_int_equal(ms_sync_new(f->union_node, MS_SYNC_RESPONDER, "ML-UTM-001", push, &f->down, 0,
                                 &parent, NULL),
                     0);
    uint8_t garbage[16];
    memset(garbage, 0xff, sizeof garbage);
    assert_int_equal(ms_sync_recv(parent, garbage, sizeof garbage, 0), MS_SYNC_FAILED);
    assert_int_equal(f->down.count, 1);  //  the peer is told why
    ms_txn_t *txn;
    uint64_t count = 0;
    assert_int_equal(ms_store_read(ms_node_store(f->union_node), &txn, NULL), 0);
    assert_int_equal(ms_txn_count(txn, MS_TABLE_QUARANTINE, &count, NULL), 0);
    ms_txn_abort(&txn);
    assert_int_equal(count, 1);
    ms_sync_destroy(&parent);
}

static void test_sync_carries_a_backup_up_and_down_in_chunks(void **state)
{
    fixture_t *f = *state;
    uint8_t *bytes;
    size_t len = sync_make_pending(f->dir, f->mutual, &bytes);
    ms_sync_t *child, *parent;
    run_session(f, "ML-UTM-001", &child, &parent);
    assert_int_equal(ms_sync_state(child), MS_SYNC_DONE);
    assert_int_equal(ms_sync_state(parent), MS_SYNC_DONE);
    assert_true(ms_sync_stats(child)->complete);
    assert_int_equal(ms_sync_stats(parent)->applied, 4);
    assert_true(ms_sync_stats(child)->messages_sent >= 4);  //  hello, 3 chunks
    assert_false(sync_exists(f->dir, "m/" MS_BACKUP_FILE));
    assert_true(sync_holds(f->dir, "u/backups/ML-UTM-001/0000000001.msbk", bytes, len));
    assert_false(sync_exists(f->dir, "u/backups/ML-UTM-001/incoming.tmp"));
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);

    //  restore --from-parent: the same bytes come back down.
    assert_int_equal(
        ms_sync_new(f->mutual, MS_SYNC_INITIATOR, "ML-UTM", push, &f->up, 0, &child, NULL), 0);
    assert_int_equal(ms_sync_new(f->union_node, MS_SYNC_RESPONDER, "ML-UTM-001", push, &f->down, 0,
                                 &parent, NULL),
                     0);
    ms_sync_set_backup_request(child);
    ms_sync_start(child, 0);
    for (int i = 0; i < 100 && (deliver(&f->up, parent) || deliver(&f->down, child)); i++)
        ;
    assert_int_equal(ms_sync_state(child), MS_SYNC_DONE);
    assert_int_equal(ms_sync_state(parent), MS_SYNC_DONE);
    assert_true(sync_holds(f->dir, "m/" MS_BACKUP_FROM_PARENT, bytes, len));
    assert_false(sync_exists(f->dir, "m/" MS_BACKUP_FROM_PARENT ".tmp"));
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);
    free(bytes);
}

static void test_sync_refuses_a_backup_chunk_out_of_place_then_resumes(void **state)
{
    fixture_t *f = *state;
    uint8_t *bytes;
    size_t len = sync_make_pending(f->dir, f->mutual, &bytes);
    ms_sync_t *child, *parent;
    assert_int_equal(
        ms_sync_new(f->mutual, MS_SYNC_INITIATOR, "ML-UTM", push, &f->up, 0, &child, NULL), 0);
    assert_int_equal(ms_sync_new(f->union_node, MS_SYNC_RESPONDER, "ML-UTM-001", push, &f->down, 0,
                                 &parent, NULL),
                     0);
    ms_sync_start(child, 0);
    assert_true(deliver(&f->up, parent));  //  hello
    assert_int_equal(ms_sync_state(parent), MS_SYNC_BACKUP);
    assert_true(deliver(&f->down, child));  //  ack 0: the first chunk goes up
    assert_true(deliver(&f->up, parent));   //  chunk 1
    assert_true(deliver(&f->down, child));  //  ack: chunk 2 goes up
    drain(&f->up);
    //  A chunk that skips ahead, as a confused or hostile child would send.
    ms_msg_t chunk = {.type = MS_MSG_BACKUP_CHUNK,
                      .offset = 2 * MS_SYNC_CHUNK_MAX + 5,
                      .total = len,
                      .data = bytes,
                      .data_len = 100};
    uint8_t digest[MS_SYNC_BLOB_DIGEST_BYTES];
    crypto_generichash(digest, sizeof digest, bytes, len, NULL, 0);
    memcpy(chunk.blob_digest, digest, sizeof digest);
    uint8_t *frame;
    size_t frame_len;
    assert_int_equal(ms_msg_encode(&chunk, &frame, &frame_len, NULL), 0);
    ms_sync_recv(parent, frame, frame_len, 0);
    free(frame);
    assert_int_equal(ms_sync_state(parent), MS_SYNC_FAILED);
    assert_int_equal(ms_sync_failure_code(parent), MS_EINVAL);
    deliver(&f->down, child);  //  the Error
    assert_int_equal(ms_sync_state(child), MS_SYNC_FAILED);
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);
    //  Nothing kept; the incoming file holds the one chunk acknowledged.
    assert_false(sync_exists(f->dir, "u/backups/ML-UTM-001/0000000001.msbk"));
    assert_true(sync_holds(f->dir, "m/" MS_BACKUP_FILE, bytes, len));
    char incoming[4200], dir[128];
    snprintf(dir, sizeof dir, "%s/u", f->dir);
    assert_int_equal(
        ms_backupstore_incoming(dir, "ML-UTM-001", digest, incoming, sizeof incoming, NULL), 0);
    assert_true(sync_holds(f->dir, incoming + strlen(f->dir) + 1, bytes, MS_SYNC_CHUNK_MAX));

    //  The next session resumes after it and completes.
    run_session(f, "ML-UTM-001", &child, &parent);
    assert_int_equal(ms_sync_state(child), MS_SYNC_DONE);
    assert_true(ms_sync_stats(child)->complete);
    assert_true(ms_sync_stats(child)->bytes_sent < len - MS_SYNC_CHUNK_MAX + 4096);
    assert_true(sync_holds(f->dir, "u/backups/ML-UTM-001/0000000001.msbk", bytes, len));
    assert_false(sync_exists(f->dir, incoming + strlen(f->dir) + 1));
    assert_false(sync_exists(f->dir, "m/" MS_BACKUP_FILE));
    ms_sync_destroy(&child);
    ms_sync_destroy(&parent);
    free(bytes);
}

//  An older parent ignores the announcement and answers the Hello: the
//  session goes on and the backup stays pending.
static void test_sync_keeps_the_backup_pending_when_the_parent_does_not_take_it(void **state)
{
    fixture_t *f = *state;
    uint8_t *bytes;
    size_t len = sync_make_pending(f->dir, f->mutual, &bytes);
    ms_sync_t *child;
    assert_int_equal(
        ms_sync_new(f->mutual, MS_SYNC_INITIATOR, "ML-UTM", push, &f->up, 0, &child, NULL), 0);
    ms_sync_start(child, 0);
    drain(&f->up);
    ms_msg_t idle = {.type = MS_MSG_IDLE};
    uint8_t *frame;
    size_t frame_len;
    assert_int_equal(ms_msg_encode(&idle, &frame, &frame_len, NULL), 0);
    ms_sync_recv(child, frame, frame_len, 0);
    free(frame);
    assert_int_equal(ms_sync_state(child), MS_SYNC_DONE);
    assert_true(sync_holds(f->dir, "m/" MS_BACKUP_FILE, bytes, len));
    ms_sync_destroy(&child);
    free(bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sync_carries_a_backup_up_and_down_in_chunks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync_refuses_a_backup_chunk_out_of_place_then_resumes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_sync_keeps_the_backup_pending_when_the_parent_does_not_take_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_cached_heads_follow_every_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_moves_what_each_side_lacks_then_is_idle, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync_refuses_a_peer_that_is_not_a_certified_child,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_ends_a_session_when_the_peer_is_silent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sync_fails_on_a_malformed_frame_and_quarantines_it,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
