//  test_notify - what systemd reads on $NOTIFY_SOCKET: READY=1 with a
//  status, STOPPING=1; nothing at all outside systemd.

#include "notify.h"

#include "tmpdir.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

//  A datagram socket at DIR/notify, named by $NOTIFY_SOCKET as systemd does.
static int listen_notify(const char *dir)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int written = snprintf(addr.sun_path, sizeof addr.sun_path, "%s/notify", dir);
    assert_true(written > 0 && (size_t)written < sizeof addr.sun_path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    setenv("NOTIFY_SOCKET", addr.sun_path, 1);
    return fd;
}

static void receive(int fd, char *buf, size_t size)
{
    ssize_t len = recv(fd, buf, size - 1, MSG_DONTWAIT);
    assert_true(len > 0);
    buf[len] = '\0';
}

static void test_notify_ready_then_stopping(void **state)
{
    int fd = listen_notify(*state);
    char text[256];
    assert_int_equal(ms_notify_ready("ML-UTM listening on tcp://127.0.0.1:7301"), 1);
    receive(fd, text, sizeof text);
    assert_string_equal(text, "READY=1\nSTATUS=ML-UTM listening on tcp://127.0.0.1:7301");
    assert_int_equal(ms_notify_stopping(), 1);
    receive(fd, text, sizeof text);
    assert_string_equal(text, "STOPPING=1\nSTATUS=stopping");
    unsetenv("NOTIFY_SOCKET");
    close(fd);
}

static void test_notify_outside_systemd_does_nothing(void **state)
{
    (void)state;
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(ms_notify_ready("x"), 0);
    assert_int_equal(ms_notify_stopping(), 0);
}

static void test_notify_reports_an_unreachable_socket(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/nobody-listens", (const char *)*state);
    setenv("NOTIFY_SOCKET", path, 1);
    assert_true(ms_notify_ready("x") < 0);
    unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_notify_ready_then_stopping, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test(test_notify_outside_systemd_does_nothing),
        cmocka_unit_test_setup_teardown(test_notify_reports_an_unreachable_socket, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
