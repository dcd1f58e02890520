//  test_handoff - the queue between the import's reader and its writer:
//  everything put arrives once and in order across threads, a full or an
//  empty queue waits, and a cancel wakes whoever waits.

#include "mutsync/error.h"
#include "mutsync/handoff.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#define ITEMS 20000

typedef struct {
    ms_handoff_t *queue;
    size_t put;    //  items the producer got in
    bool refused;  //  a put failed
} producer_t;

static void *produce(void *arg)
{
    producer_t *p = arg;
    for (uintptr_t i = 1; i <= ITEMS; i++) {
        if (!ms_handoff_put(p->queue, (void *)i)) {
            p->refused = true;
            break;
        }
        p->put++;
    }
    ms_handoff_close(p->queue);
    return NULL;
}

static void test_items_arrive_once_in_order(void **state)
{
    (void)state;
    producer_t p = {NULL, 0, false};
    assert_int_equal(ms_handoff_new(3, &p.queue), 0);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, produce, &p), 0);
    uintptr_t expected = 1;
    void *item;
    while ((item = ms_handoff_take(p.queue)) != NULL)
        assert_int_equal((uintptr_t)item, expected++);
    pthread_join(thread, NULL);
    assert_int_equal(expected, ITEMS + 1);
    assert_int_equal(p.put, ITEMS);
    assert_false(p.refused);
    assert_null(ms_handoff_take(p.queue));  //  closed and empty stays so
    ms_handoff_destroy(&p.queue);
    assert_null(p.queue);
    ms_handoff_destroy(&p.queue);  //  safe twice
}

static void test_cancel_wakes_a_waiting_producer(void **state)
{
    (void)state;
    producer_t p = {NULL, 0, false};
    assert_int_equal(ms_handoff_new(1, &p.queue), 0);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, produce, &p), 0);
    //  The producer fills the one slot and then waits; taking one lets it
    //  put exactly one more before it waits again.
    assert_int_equal((uintptr_t)ms_handoff_take(p.queue), 1);
    ms_handoff_cancel(p.queue);
    pthread_join(thread, NULL);
    assert_true(p.refused);
    assert_true(p.put >= 1 && p.put <= 2);
    assert_null(ms_handoff_take(p.queue));  //  cancelled: queued items are dropped
    ms_handoff_destroy(&p.queue);
}

static void *consume_one(void *arg)
{
    return ms_handoff_take(arg);
}

static void test_cancel_wakes_a_waiting_consumer(void **state)
{
    (void)state;
    ms_handoff_t *queue;
    assert_int_equal(ms_handoff_new(2, &queue), 0);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, consume_one, queue), 0);
    ms_handoff_cancel(queue);
    void *got = (void *)1;
    pthread_join(thread, &got);
    assert_null(got);
    assert_false(ms_handoff_put(queue, (void *)7));
    ms_handoff_destroy(&queue);
}

static void test_close_drains_then_ends(void **state)
{
    (void)state;
    ms_handoff_t *queue;
    assert_int_equal(ms_handoff_new(4, &queue), 0);
    assert_true(ms_handoff_put(queue, (void *)1));
    assert_true(ms_handoff_put(queue, (void *)2));
    ms_handoff_close(queue);
    assert_false(ms_handoff_put(queue, (void *)3));
    assert_int_equal((uintptr_t)ms_handoff_take(queue), 1);
    assert_int_equal((uintptr_t)ms_handoff_take(queue), 2);
    assert_null(ms_handoff_take(queue));
    ms_handoff_destroy(&queue);
}

static void test_no_room_is_refused(void **state)
{
    (void)state;
    ms_handoff_t *queue = (ms_handoff_t *)1;
    assert_int_equal(ms_handoff_new(0, &queue), MS_EINVAL);
    assert_null(queue);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items_arrive_once_in_order),
        cmocka_unit_test(test_cancel_wakes_a_waiting_producer),
        cmocka_unit_test(test_cancel_wakes_a_waiting_consumer),
        cmocka_unit_test(test_close_drains_then_ends),
        cmocka_unit_test(test_no_room_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
