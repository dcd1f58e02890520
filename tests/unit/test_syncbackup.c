//  test_syncbackup - the backup exchange alone: a union and its mutual,
//  each exchange's messages kept in a queue the test hands to the other,
//  with no session and no socket.

#include "mutsync/backup.h"
#include "mutsync/syncbackup.h"

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

#define QUEUE_MAX 16

//  One side's link: the messages it sent (their data copied) and its failure.
typedef struct {
    ms_msg_t sent[QUEUE_MAX];
    uint8_t *data[QUEUE_MAX];  //  of each message sent
    size_t count;
    uint8_t *taken;  //  the data of the message last taken
    int code;        //  of the failure; 0 while none
    bool told;
    char reason[512];
} side_t;

typedef struct {
    char dir[64];
    ms_node_t *union_node, *mutual;
    side_t up, down;  //  sent by the mutual, by the union
    ms_syncbackup_t *child, *parent;
} fixture_t;

static int record(void *ctx, const ms_msg_t *msg)
{
    side_t *side = ctx;
    if (side->count == QUEUE_MAX)
        return -1;
    side->data[side->count] = malloc(msg->data_len ? msg->data_len : 1);
    if (msg->data_len)
        memcpy(side->data[side->count], msg->data, msg->data_len);
    side->sent[side->count] = *msg;
    side->sent[side->count].data = side->data[side->count];
    side->count++;
    return 0;
}

static void record_failure(void *ctx, int code, bool tell, const char *reason)
{
    side_t *side = ctx;
    side->code = code;
    side->told = tell;
    snprintf(side->reason, sizeof side->reason, "%s", reason);
}

//  Takes the oldest message SIDE sent into *MSG, its data good until the next take.
static bool take(side_t *side, ms_msg_t *msg)
{
    free(side->taken);
    side->taken = NULL;
    if (!side->count)
        return false;
    *msg = side->sent[0];
    side->taken = side->data[0];
    side->count--;
    memmove(side->sent, side->sent + 1, side->count * sizeof *side->sent);
    memmove(side->data, side->data + 1, side->count * sizeof *side->data);
    return true;
}

static void drain(side_t *side)
{
    ms_msg_t msg;
    while (take(side, &msg))
        ;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/ms-test-syncbackup.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    sync_make_pair(f->dir, &f->union_node, &f->mutual, false);
    ms_syncbackup_link_t up = {record, record_failure, &f->up};
    ms_syncbackup_link_t down = {record, record_failure, &f->down};
    assert_int_equal(ms_syncbackup_new(f->mutual, false, "ML-UTM", &up, &f->child, NULL), 0);
    assert_int_equal(ms_syncbackup_new(f->union_node, true, "ML-UTM-001", &down, &f->parent, NULL),
                     0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    drain(&f->up);
    drain(&f->down);
    ms_syncbackup_destroy(&f->child);
    ms_syncbackup_destroy(&f->parent);
    ms_syncbackup_destroy(&f->parent);  //  harmless twice
    ms_node_close(&f->union_node);
    ms_node_close(&f->mutual);
    int rc = sync_remove(f->dir);
    free(f);
    return rc;
}

//  The child announces its pending backup; the parent acknowledges it.
static void announce(fixture_t *f, size_t len)
{
    ms_msg_t hello = {.type = MS_MSG_HELLO, .chunks = true};
    ms_syncbackup_announce(f->child, &hello);
    assert_false(hello.want_backup);
    assert_int_equal(hello.total, len);
    assert_int_equal(ms_syncbackup_take_hello(f->parent, &hello), MS_SYNCBACKUP_MORE);
}

static void test_syncbackup_carries_the_pending_backup_up_and_removes_it(void **state)
{
    fixture_t *f = *state;
    uint8_t *bytes;
    size_t len = sync_make_pending(f->dir, f->mutual, &bytes);
    announce(f, len);
    ms_msg_t msg;
    int chunks = 0, kept = 0;
    //  Ack 0, chunk, ack, chunk, ack, chunk, the ack of it all.
    for (int i = 0; i < 10 && (f->up.count || f->down.count); i++) {
        if (take(&f->down, &msg)) {
            assert_int_equal(msg.type, MS_MSG_BACKUP_ACK);
            ms_syncbackup_step_t step = ms_syncbackup_take_ack(f->child, &msg);
            assert_int_equal(step, msg.offset == len ? MS_SYNCBACKUP_GO_ON : MS_SYNCBACKUP_MORE);
        } else if (take(&f->up, &msg)) {
            assert_int_equal(msg.type, MS_MSG_BACKUP_CHUNK);
            chunks++;
            ms_syncbackup_step_t step = ms_syncbackup_take_chunk(f->parent, &msg);
            kept += step == MS_SYNCBACKUP_KEPT;
            assert_true(step == MS_SYNCBACKUP_MORE || step == MS_SYNCBACKUP_KEPT);
        }
    }
    assert_int_equal(chunks, 3);
    assert_int_equal(kept, 1);
    assert_int_equal(f->up.code, 0);
    assert_int_equal(f->down.code, 0);
    assert_false(sync_exists(f->dir, "m/" MS_BACKUP_FILE));
    assert_true(sync_holds(f->dir, "u/backups/ML-UTM-001/0000000001.msbk", bytes, len));
    free(bytes);
}

static void test_syncbackup_sends_the_kept_backup_back_down_on_request(void **state)
{
    fixture_t *f = *state;
    uint8_t *bytes;
    size_t len = sync_make_pending(f->dir, f->mutual, &bytes);
    announce(f, len);
    ms_msg_t msg;
    for (int i = 0; i < 10 && (f->up.count || f->down.count); i++) {
        if (take(&f->down, &msg))
            (void)ms_syncbackup_take_ack(f->child, &msg);
        else if (take(&f->up, &msg))
            (void)ms_syncbackup_take_chunk(f->parent, &msg);
    }
    drain(&f->up);
    drain(&f->down);
    ms_syncbackup_destroy(&f->child);
    ms_syncbackup_destroy(&f->parent);
    ms_syncbackup_link_t up = {record, record_failure, &f->up};
    ms_syncbackup_link_t down = {record, record_failure, &f->down};
    assert_int_equal(ms_syncbackup_new(f->mutual, false, "ML-UTM", &up, &f->child, NULL), 0);
    assert_int_equal(ms_syncbackup_new(f->union_node, true, "ML-UTM-001", &down, &f->parent, NULL),
                     0);

    //  restore --from-parent: the Hello asks, the chunks come down unasked for.
    ms_syncbackup_set_request(f->child);
    ms_msg_t hello = {.type = MS_MSG_HELLO, .chunks = true};
    ms_syncbackup_announce(f->child, &hello);
    assert_true(hello.want_backup);
    assert_int_equal(hello.total, 0);
    assert_int_equal(ms_syncbackup_take_hello(f->parent, &hello), MS_SYNCBACKUP_MORE);
    ms_syncbackup_step_t parent_step = MS_SYNCBACKUP_MORE, child_step = MS_SYNCBACKUP_MORE;
    for (int i = 0; i < 10 && (f->up.count || f->down.count); i++) {
        if (take(&f->down, &msg))
            child_step = ms_syncbackup_take_chunk(f->child, &msg);
        else if (take(&f->up, &msg))
            parent_step = ms_syncbackup_take_ack(f->parent, &msg);
    }
    assert_int_equal(parent_step, MS_SYNCBACKUP_OVER);
    assert_int_equal(child_step, MS_SYNCBACKUP_OVER);
    assert_true(sync_holds(f->dir, "m/" MS_BACKUP_FROM_PARENT, bytes, len));
    assert_false(sync_exists(f->dir, "m/" MS_BACKUP_FROM_PARENT ".tmp"));
    free(bytes);
}

//  A chunk that skips ahead is refused, the peer told, and nothing kept.
static void test_syncbackup_refuses_a_chunk_that_does_not_follow(void **state)
{
    fixture_t *f = *state;
    uint8_t *bytes;
    size_t len = sync_make_pending(f->dir, f->mutual, &bytes);
    announce(f, len);
    drain(&f->down);
    ms_msg_t chunk = {.type = MS_MSG_BACKUP_CHUNK,
                      .offset = MS_SYNC_CHUNK_MAX + 5,
                      .total = len,
                      .data = bytes,
                      .data_len = 100};
    crypto_generichash(chunk.blob_digest, sizeof chunk.blob_digest, bytes, len, NULL, 0);
    assert_int_equal(ms_syncbackup_take_chunk(f->parent, &chunk), MS_SYNCBACKUP_FAILED);
    assert_int_equal(f->down.code, MS_EINVAL);
    assert_true(f->down.told);
    assert_int_equal(f->down.count, 0);  //  no acknowledgement
    assert_false(sync_exists(f->dir, "u/backups/ML-UTM-001/0000000001.msbk"));
    assert_true(sync_holds(f->dir, "m/" MS_BACKUP_FILE, bytes, len));

    //  A chunk nobody announced, likewise.
    ms_msg_t stray = {.type = MS_MSG_BACKUP_CHUNK, .total = 7, .data = bytes, .data_len = 7};
    assert_int_equal(ms_syncbackup_take_chunk(f->child, &stray), MS_SYNCBACKUP_FAILED);
    assert_int_equal(f->up.code, MS_EINVAL);
    assert_string_equal(f->up.reason, "a backup chunk at 0 of 7 bytes that was not announced");
    free(bytes);
}

static void test_syncbackup_refuses_an_acknowledgement_out_of_place(void **state)
{
    fixture_t *f = *state;
    uint8_t *bytes;
    size_t len = sync_make_pending(f->dir, f->mutual, &bytes);
    announce(f, len);
    drain(&f->down);
    ms_msg_t ack = {.type = MS_MSG_BACKUP_ACK, .offset = len + 1};
    assert_int_equal(ms_syncbackup_take_ack(f->child, &ack), MS_SYNCBACKUP_FAILED);
    assert_int_equal(f->up.code, MS_EINVAL);
    assert_true(f->up.told);
    assert_int_equal(f->up.count, 0);
    assert_true(sync_holds(f->dir, "m/" MS_BACKUP_FILE, bytes, len));
    free(bytes);
}

//  An older parent answers the Hello without taking the backup: it stays.
static void test_syncbackup_keeps_the_backup_pending_when_not_taken(void **state)
{
    fixture_t *f = *state;
    uint8_t *bytes;
    size_t len = sync_make_pending(f->dir, f->mutual, &bytes);
    ms_msg_t hello = {.type = MS_MSG_HELLO};
    ms_syncbackup_announce(f->child, &hello);
    assert_int_equal(hello.total, len);
    ms_syncbackup_not_taken(f->child);
    ms_syncbackup_not_taken(f->child);  //  harmless twice
    ms_msg_t ack = {.type = MS_MSG_BACKUP_ACK, .offset = 0};
    assert_int_equal(ms_syncbackup_take_ack(f->child, &ack), MS_SYNCBACKUP_FAILED);
    assert_true(sync_holds(f->dir, "m/" MS_BACKUP_FILE, bytes, len));
    free(bytes);
}

//  A Hello with no backup in it leaves the parent nothing to do.
static void test_syncbackup_goes_on_without_a_backup(void **state)
{
    fixture_t *f = *state;
    ms_msg_t hello = {.type = MS_MSG_HELLO, .chunks = true};
    ms_syncbackup_announce(f->child, &hello);
    assert_int_equal(hello.total, 0);
    assert_false(hello.want_backup);
    assert_int_equal(ms_syncbackup_take_hello(f->parent, &hello), MS_SYNCBACKUP_GO_ON);
    assert_int_equal(f->down.count, 0);

    //  Asked for a backup it does not keep, the parent refuses and says so.
    hello.want_backup = true;
    assert_int_equal(ms_syncbackup_take_hello(f->parent, &hello), MS_SYNCBACKUP_FAILED);
    assert_int_equal(f->down.code, MS_ENOTFOUND);
    assert_true(f->down.told);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_syncbackup_carries_the_pending_backup_up_and_removes_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syncbackup_sends_the_kept_backup_back_down_on_request,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_syncbackup_refuses_a_chunk_that_does_not_follow, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_syncbackup_refuses_an_acknowledgement_out_of_place,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_syncbackup_keeps_the_backup_pending_when_not_taken,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_syncbackup_goes_on_without_a_backup, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
