//  ms-syncpeer - a misbehaving child, for the sync tests.
//
//    ms-syncpeer -d DIR --endpoint E raw --size N [--byte B]
//        sends one frame of N bytes (all B, default 0xff) and prints the reply.
//    ms-syncpeer -d DIR --endpoint E bundle FILE
//        opens a session and sends every envelope of the bundle FILE as one
//        batch of the feed its first envelope names; prints the Ack.
//    ms-syncpeer -d DIR --endpoint E stall --seconds S
//        opens a session, offers 100 change sets it never sends, stays silent S seconds.
//  It speaks as the node in DIR (its key), to DIR's parent key.
//  Prints one line: "reply TYPE ..." or "ack applied=.. refused=.. held=.. head=..".
//  Exits 0 when it got a reply, 1 when nothing came within 10 s, 2 on usage.

#include "mutsync/bundle.h"
#include "mutsync/envelope.h"
#include "mutsync/link.h"
#include "mutsync/syncup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static void *dealer, *monitor;

static const char *option(int argc, char **argv, const char *name, const char *fallback)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return fallback;
}

static int send_msg(const ms_msg_t *msg)
{
    uint8_t *bytes;
    size_t len;
    if (ms_msg_encode(msg, &bytes, &len, NULL) != 0)
        return -1;
    int rc = ms_link_send(dealer, NULL, 0, bytes, len);
    free(bytes);
    return rc;
}

//  Waits up to 10 s for a message of TYPE (others are skipped); fills MSG.
static int wait_for(ms_msg_type_t type, ms_msg_t *msg)
{
    int64_t deadline = ms_clock_ms() + 10000;
    while (ms_clock_ms() < deadline) {
        zmq_pollitem_t items[2] = {{dealer, 0, ZMQ_POLLIN, 0}, {monitor, 0, ZMQ_POLLIN, 0}};
        if (zmq_poll(items, 2, 200) < 0)
            return -1;
        if (items[1].revents & ZMQ_POLLIN && ms_link_event(monitor) == MS_LINK_REFUSED) {
            printf("refused by the server (ZAP)\n");
            return -1;
        }
        uint8_t *bytes;
        long len = ms_link_recv(dealer, NULL, NULL, NULL, &bytes);
        if (!bytes)
            continue;
        int rc = ms_msg_decode(bytes, (size_t)len, msg, NULL);
        free(bytes);
        if (rc)
            continue;
        if (msg->type == type || msg->type == MS_MSG_ERROR || type == MS_MSG_NONE)
            return 0;
        ms_msg_clear(msg);
    }
    printf("no reply\n");
    return -1;
}

static int print_reply(ms_msg_t *msg)
{
    if (msg->type == MS_MSG_ERROR)
        printf("reply error code=%d reason=%s\n", msg->code, msg->reason);
    else if (msg->type == MS_MSG_ACK)
        printf("ack applied=%u duplicates=%u refused=%u held=%u head=%llu\n", msg->applied,
               msg->duplicates, msg->refused, msg->held, (unsigned long long)msg->head);
    else
        printf("reply %s\n", ms_msg_name(msg->type));
    ms_msg_clear(msg);
    return 0;
}

//  Hello, then the parent's offer; answers "I hold all you offer" and offers OFFER.
static int open_session(const ms_sync_head_t *offer, size_t count)
{
    ms_msg_t hello = {.type = MS_MSG_HELLO, .version = MS_SYNC_VERSION, .window = 4};
    ms_msg_t theirs;
    if (send_msg(&hello) != 0 || wait_for(MS_MSG_HEADS, &theirs) != 0)
        return -1;
    if (theirs.type == MS_MSG_ERROR)
        return print_reply(&theirs), -1;
    ms_msg_t mine = {.type = MS_MSG_HEADS,
                     .offer = (ms_sync_head_t *)offer,
                     .offer_count = count,
                     .want = theirs.offer,
                     .want_count = theirs.offer_count};
    int rc = send_msg(&mine);
    ms_msg_clear(&theirs);
    ms_msg_t want;
    if (rc == 0 && wait_for(MS_MSG_HEADS, &want) == 0) {
        if (want.type == MS_MSG_ERROR)
            return print_reply(&want), -1;
        ms_msg_clear(&want);
        return 0;
    }
    return -1;
}

static int send_bundle(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return -1;
    ms_batch_t *batch;
    if (ms_batch_new(MS_SYNC_ZSTD_LEVEL, &batch, NULL) != 0)
        return -1;
    ms_sync_head_t head = {0};
    uint64_t first = 0;
    char magic[8];
    uint8_t len_bytes[4];
    uint8_t *frame = malloc(MS_ENVELOPE_MAX);
    if (!frame || fread(magic, 1, 8, in) != 8)
        return -1;
    while (fread(len_bytes, 1, 4, in) == 4) {
        size_t len = (size_t)len_bytes[0] << 24 | (size_t)len_bytes[1] << 16 |
                     (size_t)len_bytes[2] << 8 | len_bytes[3];
        if (len > MS_ENVELOPE_MAX || fread(frame, 1, len, in) != len)
            break;
        ms_envelope_t env;
        ms_changeset_t *cs = NULL;
        if (!first && ms_envelope_decode(frame, len, &env, NULL) == 0) {
            if (ms_changeset_decode(env.body, env.body_len, &cs, NULL) == 0) {
                snprintf(head.org, sizeof head.org, "%s", cs->origin);
                snprintf(head.feed, sizeof head.feed, "%s", cs->feed);
                first = cs->seq;
            }
            ms_changeset_destroy(&cs);
            ms_envelope_clear(&env);
        }
        if (ms_batch_add(batch, frame, len, NULL) != 0)
            break;
    }
    fclose(in);
    free(frame);
    head.seq = first + ms_batch_count(batch) - 1;
    ms_msg_t msg = {.type = MS_MSG_BATCH,
                    .number = 1,
                    .first_seq = first ? first : 1,
                    .count = ms_batch_count(batch),
                    .raw_bytes = (uint32_t)ms_batch_raw_bytes(batch)};
    int rc = open_session(&head, 1);
    if (rc == 0)
        rc = ms_batch_compress(batch, &msg.data, &msg.data_len, NULL);
    ms_msg_t done = {.type = MS_MSG_DONE, .number = 1};
    if (rc == 0)
        rc = send_msg(&msg) == 0 && send_msg(&done) == 0 ? 0 : -1;
    ms_msg_t reply;
    if (rc == 0 && (rc = wait_for(MS_MSG_ACK, &reply)) == 0)
        print_reply(&reply);
    ms_batch_destroy(&batch);
    return rc;
}

int main(int argc, char **argv)
{
    const char *dir = option(argc, argv, "-d", NULL);
    const char *endpoint = option(argc, argv, "--endpoint", NULL);
    const char *mode = argc > 5 ? argv[5] : NULL;
    if (!dir || !endpoint || !mode) {
        fprintf(stderr, "usage: see the top of tests/tools/syncpeer.c\n");
        return 2;
    }
    ms_node_t *node;
    ms_error_t err = {0};
    if (ms_node_open(dir, &node, &err) != 0) {
        fprintf(stderr, "ms-syncpeer: %s\n", err.message);
        return 2;
    }
    void *zctx = zmq_ctx_new();
    if (ms_link_connect(zctx, node, endpoint, ms_node_identity(node)->parent_key, &dealer, &monitor,
                        &err) != 0) {
        fprintf(stderr, "ms-syncpeer: %s\n", err.message);
        return 2;
    }
    int64_t deadline = ms_clock_ms() + 10000;
    ms_link_event_t event = MS_LINK_NONE;
    while (event != MS_LINK_UP && event != MS_LINK_REFUSED && ms_clock_ms() < deadline) {
        zmq_pollitem_t item = {monitor, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 200) > 0)
            event = ms_link_event(monitor);
    }
    int rc = -1;
    if (event != MS_LINK_UP) {
        printf("%s\n", event == MS_LINK_REFUSED ? "refused by the server (ZAP)" : "no link");
    } else if (strcmp(mode, "raw") == 0) {
        size_t size = strtoul(option(argc, argv, "--size", "16"), NULL, 10);
        int byte = (int)strtol(option(argc, argv, "--byte", "255"), NULL, 0);
        uint8_t *bytes = malloc(size ? size : 1);
        memset(bytes, byte, size);
        ms_msg_t reply;
        rc = ms_link_send(dealer, NULL, 0, bytes, size);
        free(bytes);
        if (rc == 0 && (rc = wait_for(MS_MSG_NONE, &reply)) == 0)
            print_reply(&reply);
    } else if (strcmp(mode, "bundle") == 0 && argc > 6) {
        rc = send_bundle(argv[6]);
    } else if (strcmp(mode, "stall") == 0) {
        ms_sync_head_t head = {0};
        snprintf(head.org, sizeof head.org, "%s", ms_node_identity(node)->org);
        snprintf(head.feed, sizeof head.feed, "public");
        head.seq = 100;
        rc = open_session(&head, 1);
        if (rc == 0) {
            printf("stalling\n");
            fflush(stdout);
            sleep((unsigned)strtoul(option(argc, argv, "--seconds", "5"), NULL, 10));
        }
    }
    zmq_close(dealer);
    zmq_close(monitor);
    zmq_ctx_term(zctx);
    ms_node_close(&node);
    return rc == 0 ? 0 : 1;
}
