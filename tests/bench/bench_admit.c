//  ms-bench-admit - what one ZAP decision costs a union, by children held.
//
//    ms-bench-admit DIR [SAMPLES]
//
//  DIR is a union with certified children (mutsync init, then ms-children).
//  The node listens on tcp://127.0.0.1:* as mutsyncd does (nothing connects)
//  and this program sends ZAP requests (RFC 27) straight to its handler over
//  inproc, as libzmq does once per CURVE handshake: the Curve key of the
//  first certified child (in org order), of the last one, and fresh random
//  keys, as a flood sends them. Only ms_link_zap_handle is timed, SAMPLES
//  times each (default 200); logging is off (level ERROR).
//  Prints one line:
//      bench_admit children=N first_child_us=M last_child_us=M unknown_key_us=M
//  (medians, microseconds) and exits 0, or 1 when a decision was wrong.

#include "mutsync/link.h"
#include "mutsync/log.h"
#include "mutsync/trust.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

typedef struct {
    const char *self;             //  the union's org
    size_t count;                 //  its children
    uint8_t first[MS_KEY_BYTES];  //  Ed25519 key of the first child in org order
    uint8_t last[MS_KEY_BYTES];   //  and of the last
} children_t;

static int note_child(const ms_trust_entry_t *entry, void *arg)
{
    children_t *children = arg;
    if (entry->anchor || strcmp(entry->cert.parent, children->self) != 0)
        return 0;
    if (children->count++ == 0)
        memcpy(children->first, entry->cert.key, MS_KEY_BYTES);
    memcpy(children->last, entry->cert.key, MS_KEY_BYTES);
    return 0;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

//  One ZAP request for CURVE_KEY; returns the handler's time in µs, or -1
//  when the answer was not EXPECTED ("200" admitted, "400" refused).
static double decide(void *req, void *zap, ms_node_t *node, const uint8_t *curve_key,
                     const char *expected)
{
    const char *frames[] = {"1.0", "1", "mutsync", "127.0.0.1", "", "CURVE"};
    for (size_t i = 0; i < 6; i++)
        if (zmq_send(req, frames[i], strlen(frames[i]), ZMQ_SNDMORE) < 0)
            return -1;
    if (zmq_send(req, curve_key, MS_CURVE_KEY_BYTES, 0) < 0)
        return -1;
    zmq_pollitem_t item = {zap, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, 1000) != 1)
        return -1;
    ms_error_t err = {0};
    double start = now_us();
    int rc = ms_link_zap_handle(zap, node, &err);
    double took = now_us() - start;
    char status[8] = "";
    int more = 1, part = 0;
    while (more) {
        char buf[256];
        int len = zmq_recv(req, buf, sizeof buf, 0);
        if (len < 0)
            return -1;
        if (part++ == 2)
            snprintf(status, sizeof status, "%.*s", len < 7 ? len : 7, buf);
        size_t size = sizeof more;
        zmq_getsockopt(req, ZMQ_RCVMORE, &more, &size);
    }
    return rc == 0 && strcmp(status, expected) == 0 ? took : -1;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

//  Median of SAMPLES decisions on KEY (NULL: a new random key each time).
static double median_us(void *req, void *zap, ms_node_t *node, const uint8_t *key,
                        const char *expected, int samples)
{
    double *times = calloc((size_t)samples, sizeof *times);
    uint8_t curve[MS_CURVE_KEY_BYTES];
    if (key && ms_key_curve_public(key, curve, NULL) != 0)
        return -1;
    for (int i = 0; i < samples; i++) {
        if (!key)
            randombytes_buf(curve, sizeof curve);
        times[i] = decide(req, zap, node, curve, expected);
        if (times[i] < 0) {
            free(times);
            return -1;
        }
    }
    qsort(times, (size_t)samples, sizeof *times, by_value);
    double median = times[samples / 2];
    free(times);
    return median;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ms-bench-admit DIR [SAMPLES]\n");
        return 2;
    }
    int samples = argc > 2 ? atoi(argv[2]) : 200;
    if (samples < 1 || sodium_init() < 0)
        return 2;
    ms_log_set_level(MS_LOG_ERROR);
    ms_node_t *node;
    ms_error_t err = {0};
    if (ms_node_open(argv[1], &node, &err) != 0) {
        fprintf(stderr, "ms-bench-admit: %s\n", err.message);
        return 1;
    }
    children_t children = {.self = ms_node_identity(node)->org};
    ms_txn_t *txn;
    if (ms_store_read(ms_node_store(node), &txn, &err) != 0 ||
        ms_trust_list(txn, note_child, &children, &err) != 0 || children.count == 0) {
        fprintf(stderr, "ms-bench-admit: no children in %s %s\n", argv[1], err.message);
        return 1;
    }
    ms_txn_abort(&txn);
    void *zctx = zmq_ctx_new(), *router = NULL, *zap = NULL;
    if (ms_link_listen(zctx, node, "tcp://127.0.0.1:*", &router, &zap, &err) != 0) {
        fprintf(stderr, "ms-bench-admit: %s\n", err.message);
        return 1;
    }
    void *req = zmq_socket(zctx, ZMQ_REQ);
    int linger = 0;
    zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
    int rc = zmq_connect(req, "inproc://zeromq.zap.01");
    double first = rc ? -1 : median_us(req, zap, node, children.first, "200", samples);
    double last = rc ? -1 : median_us(req, zap, node, children.last, "200", samples);
    double unknown = rc ? -1 : median_us(req, zap, node, NULL, "400", samples);
    printf("bench_admit children=%zu first_child_us=%.1f last_child_us=%.1f unknown_key_us=%.1f\n",
           children.count, first, last, unknown);
    zmq_close(req);
    zmq_close(router);
    zmq_close(zap);
    zmq_ctx_term(zctx);
    ms_node_close(&node);
    return first < 0 || last < 0 || unknown < 0 ? 1 : 0;
}
