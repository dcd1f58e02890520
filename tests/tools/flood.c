//  ms-flood - many CURVE connections with random keys, for the admission tests.
//
//    ms-flood --endpoint E --server-key KEY [--connections N] [--seconds S]
//             [--reconnect-ms R] [--rate P]
//        keeps N connections (default 500) to E in their CURVE handshake for
//        S seconds (default 10): N DEALER sockets, each with its own fresh
//        Curve key pair, whose server key is the CurveZMQ form of KEY (an
//        Ed25519 key as `mutsync whoami` prints it). Each is refused at the
//        handshake (no one certified its key); libzmq does not retry a
//        refused key, so the refused socket is closed and a new one, with a
//        new key, takes its place, at most P a second (default 100: each
//        closed connection lingers a minute in TIME_WAIT on the shared
//        loopback). A connection that could not be made is retried every
//        R ms (default 100). The connections leave from 127.0.0.2 (E names
//        the server: tcp://127.0.0.1:PORT), so their many ephemeral ports
//        never take a port another test on 127.0.0.1 is about to listen on.
//  Prints "flood connections=N handshakes_refused=H seconds=S" (H counted
//  from the sockets' monitors) and exits 0; 1 when nothing could be opened,
//  2 on usage.

#include "mutsync/keys.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define CONNECTIONS_MAX 1000

static const char *option(int argc, char **argv, const char *name, const char *fallback)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return fallback;
}

static int64_t clock_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void *open_one(void *zctx, const char *endpoint, const uint8_t *server_curve,
                      int reconnect_ms, int index, void **monitor_p)
{
    uint8_t public_key[crypto_box_PUBLICKEYBYTES], secret_key[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(public_key, secret_key);
    void *dealer = zmq_socket(zctx, ZMQ_DEALER);
    void *monitor = zmq_socket(zctx, ZMQ_PAIR);
    char monitor_endpoint[64];
    snprintf(monitor_endpoint, sizeof monitor_endpoint, "inproc://ms-flood-%d", index);
    int linger = 0;
    int rc = !dealer || !monitor || zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger) ||
             zmq_setsockopt(monitor, ZMQ_LINGER, &linger, sizeof linger) ||
             zmq_setsockopt(dealer, ZMQ_RECONNECT_IVL, &reconnect_ms, sizeof reconnect_ms) ||
             zmq_setsockopt(dealer, ZMQ_CURVE_SERVERKEY, server_curve, 32) ||
             zmq_setsockopt(dealer, ZMQ_CURVE_PUBLICKEY, public_key, sizeof public_key) ||
             zmq_setsockopt(dealer, ZMQ_CURVE_SECRETKEY, secret_key, sizeof secret_key) ||
             zmq_socket_monitor(dealer, monitor_endpoint, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) ||
             zmq_connect(monitor, monitor_endpoint) || zmq_connect(dealer, endpoint);
    sodium_memzero(secret_key, sizeof secret_key);
    if (rc) {
        if (dealer)
            zmq_close(dealer);
        if (monitor)
            zmq_close(monitor);
        return NULL;
    }
    *monitor_p = monitor;
    return dealer;
}

int main(int argc, char **argv)
{
    const char *endpoint = option(argc, argv, "--endpoint", NULL);
    const char *server_key_hex = option(argc, argv, "--server-key", NULL);
    int connections = atoi(option(argc, argv, "--connections", "500"));
    int seconds = atoi(option(argc, argv, "--seconds", "10"));
    int reconnect_ms = atoi(option(argc, argv, "--reconnect-ms", "100"));
    long rate = atol(option(argc, argv, "--rate", "100"));
    uint8_t server_key[MS_KEY_BYTES], server_curve[MS_CURVE_KEY_BYTES];
    if (!endpoint || !server_key_hex || connections < 1 || connections > CONNECTIONS_MAX ||
        seconds < 1 || seconds > 600 || reconnect_ms < 1 || rate < 0 || sodium_init() < 0 ||
        ms_key_from_hex(server_key_hex, server_key, NULL) != 0 ||
        ms_key_curve_public(server_key, server_curve, NULL) != 0) {
        fprintf(stderr, "usage: see the top of tests/tools/flood.c\n");
        return 2;
    }
    void *zctx = zmq_ctx_new();
    char from_endpoint[300];
    if (strncmp(endpoint, "tcp://", 6) != 0 || strlen(endpoint) > 250) {
        fprintf(stderr, "ms-flood: --endpoint must be tcp://HOST:PORT\n");
        return 2;
    }
    snprintf(from_endpoint, sizeof from_endpoint, "tcp://127.0.0.2:0;%s", endpoint + 6);
    endpoint = from_endpoint;
    int max_sockets = 4 * CONNECTIONS_MAX + 16;
    zmq_ctx_set(zctx, ZMQ_MAX_SOCKETS, max_sockets);
    static void *dealers[CONNECTIONS_MAX], *monitors[CONNECTIONS_MAX];
    static zmq_pollitem_t items[CONNECTIONS_MAX];
    static int slot_of[CONNECTIONS_MAX];
    int opened = 0, made = 0;
    for (int i = 0; i < connections; i++) {
        dealers[opened] =
            open_one(zctx, endpoint, server_curve, reconnect_ms, made++, &monitors[opened]);
        opened += dealers[opened] != NULL;
    }
    long refused = 0;
    int64_t start = clock_ms(), deadline = start + (int64_t)seconds * 1000;
    for (int64_t now = start; now < deadline; now = clock_ms()) {
        //  New connections replace refused ones at RATE a second at most.
        long budget = (long)((now - start) * rate / 1000) + opened - made;
        int count = 0;
        for (int i = 0; i < opened; i++) {
            if (!dealers[i] && budget > 0) {
                dealers[i] =
                    open_one(zctx, endpoint, server_curve, reconnect_ms, made++, &monitors[i]);
                budget--;
            }
            if (dealers[i]) {
                items[count] = (zmq_pollitem_t){monitors[i], 0, ZMQ_POLLIN, 0};
                slot_of[count++] = i;
            }
        }
        long wait = count < opened ? 10 : (long)(deadline - now);
        if (zmq_poll(items, count, wait) < 0)
            break;
        for (int k = 0; k < count; k++) {
            if (!(items[k].revents & ZMQ_POLLIN))
                continue;
            int i = slot_of[k];
            zmq_msg_t part;
            zmq_msg_init(&part);
            int more = 1;
            while (more && zmq_msg_recv(&part, monitors[i], ZMQ_DONTWAIT) >= 0)
                more = zmq_msg_more(&part);
            zmq_msg_close(&part);
            refused++;
            zmq_close(dealers[i]);
            zmq_close(monitors[i]);
            dealers[i] = monitors[i] = NULL;
        }
    }
    for (int i = 0; i < opened; i++) {
        if (dealers[i]) {
            zmq_close(dealers[i]);
            zmq_close(monitors[i]);
        }
    }
    zmq_ctx_term(zctx);
    printf("flood connections=%d handshakes_refused=%ld seconds=%d\n", opened, refused, seconds);
    return opened ? 0 : 1;
}
