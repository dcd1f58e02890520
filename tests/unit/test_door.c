//  test_door - a ROUTER's connections kept under the descriptor budget:
//  past it, a new connection is closed as soon as it is accepted, the ones
//  held stay open, and the budget frees as connections close.

#include "door.h"

#include "mutsync/log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define EXTRA 3  //  connections past the budget

static size_t open_now(void)
{
    DIR *dir = opendir("/proc/self/fd");
    assert_non_null(dir);
    size_t count = 0;
    for (struct dirent *entry; (entry = readdir(dir));)
        count += entry->d_name[0] != '.';
    closedir(dir);
    return count - 1;
}

static int64_t now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    return fd;
}

//  Whether the server closed FD (end of stream or reset), past the ZMTP
//  greeting it may have sent first.
static bool closed_by_server(int fd)
{
    char bytes[256];
    for (;;) {
        struct pollfd item = {.fd = fd, .events = POLLIN};
        if (poll(&item, 1, 100) != 1)
            return false;
        ssize_t len = recv(fd, bytes, sizeof bytes, MSG_DONTWAIT);
        if (len == 0 || (len < 0 && errno != EAGAIN))
            return true;
    }
}

//  Runs the door's events for up to MS milliseconds or until DONE holds.
static void pump(ms_door_t *door, int ms, bool (*done)(ms_door_t *, size_t), size_t arg)
{
    int64_t deadline = now_ms() + ms;
    while (now_ms() < deadline && !done(door, arg)) {
        zmq_pollitem_t item = {ms_door_socket(door), 0, ZMQ_POLLIN, 0};
        (void)zmq_poll(&item, 1, 50);
        if (item.revents & ZMQ_POLLIN)
            ms_door_handle(door, now_ms());
    }
}

static bool held_at_least(ms_door_t *door, size_t count)
{
    return ms_door_connections(door) >= count;
}

static bool held_at_most(ms_door_t *door, size_t count)
{
    return ms_door_connections(door) <= count;
}

static void test_door_refuses_connections_past_the_budget(void **state)
{
    (void)state;
    void *zctx = zmq_ctx_new();
    void *router = zmq_socket(zctx, ZMQ_ROUTER);
    int linger = 0;
    assert_int_equal(zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger), 0);
    assert_int_equal(zmq_bind(router, "tcp://127.0.0.1:*"), 0);
    char endpoint[64];
    size_t size = sizeof endpoint;
    assert_int_equal(zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
    int port = atoi(strrchr(endpoint, ':') + 1);
    //  Room for the door's own sockets, a few connections and their clients.
    rlim_t limit = (rlim_t)(open_now() + MS_DOOR_HEADROOM + 12);
    struct rlimit low = {.rlim_cur = limit, .rlim_max = limit};
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);

    ms_door_t *door = NULL;
    ms_error_t err = {0};
    assert_int_equal(ms_door_open(zctx, router, &door, &err), 0);
    size_t budget = ms_door_budget(door);
    assert_true(budget >= 2 && budget <= 12);

    int clients[16];
    size_t count = budget + EXTRA;
    for (size_t i = 0; i < count; i++)
        clients[i] = connect_to(port);
    pump(door, 3000, held_at_least, count);  //  all accepted; EXTRA of them refused...
    pump(door, 3000, held_at_most, budget);  //  ...and closed by libzmq
    assert_int_equal(ms_door_connections(door), budget);
    size_t refused = 0;
    for (size_t i = 0; i < count; i++)
        refused += closed_by_server(clients[i]);
    assert_int_equal(refused, EXTRA);

    //  Connections that close give their room back.
    for (size_t i = 0; i < count; i++)
        close(clients[i]);
    pump(door, 3000, held_at_most, 0);
    assert_int_equal(ms_door_connections(door), 0);
    assert_int_equal(ms_door_tick(door, now_ms(), true), INT64_MAX);

    ms_door_close(&door);
    ms_door_close(&door);
    zmq_close(router);
    zmq_ctx_term(zctx);
}

int main(void)
{
    ms_log_set_level(MS_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_door_refuses_connections_past_the_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
