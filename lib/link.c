//  link - CurveZMQ sockets, the ZAP handler, connection events.
//
//  Keys: the CurveZMQ pair is derived from the node's Ed25519 pair
//  (ms_keypair_curve) and wiped from memory as soon as libzmq holds it.
//  ZAP (RFC 27): the handler runs in the caller's thread, polled with the
//  ROUTER, so admitting a child is one read transaction and never blocks
//  the loop. libzmq applies CURVE and the ZAP answer before any message
//  reaches the ROUTER, so an uncertified key never gets a session.

#include "mutsync/link.h"

#include "mutsync/log.h"
#include "mutsync/quarantine.h"
#include "mutsync/replica.h"
#include "mutsync/rules.h"
#include "mutsync/trust.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define REFUSED_MEMORY 64  //  refused keys remembered, so a retrying peer is quarantined once

static uint8_t refused_keys[REFUSED_MEMORY][MS_CURVE_KEY_BYTES];
static size_t refused_count;

static int zmq_fail(ms_error_t *err, const char *where, const char *what)
{
    return ms_error_set(err, MS_ENET, where, "%s: %s", what, zmq_strerror(zmq_errno()));
}

static int set_int(void *socket, int option, int value)
{
    return zmq_setsockopt(socket, option, &value, sizeof value);
}

static int set_common(void *socket)
{
    int64_t hard_max = MS_LINK_FRAME_HARD_MAX;
    int rc = set_int(socket, ZMQ_LINGER, 0);
    rc |= set_int(socket, ZMQ_HEARTBEAT_IVL, MS_LINK_HEARTBEAT_MS);
    rc |= set_int(socket, ZMQ_HEARTBEAT_TIMEOUT, MS_LINK_HEARTBEAT_TIMEOUT_MS);
    rc |= set_int(socket, ZMQ_HEARTBEAT_TTL, MS_LINK_HEARTBEAT_TIMEOUT_MS);
    rc |= zmq_setsockopt(socket, ZMQ_MAXMSGSIZE, &hard_max, sizeof hard_max);
    return rc;
}

static int curve_keys(ms_node_t *node, uint8_t *public_key, uint8_t *secret_key, ms_error_t *err)
{
    const ms_keypair_t *keypair;
    int rc = ms_node_keypair(node, &keypair, err);
    return rc ? rc : ms_keypair_curve(keypair, public_key, secret_key, err);
}

int ms_link_listen(void *zctx, ms_node_t *node, const char *endpoint, void **router_p, void **zap_p,
                   ms_error_t *err)
{
    *router_p = *zap_p = NULL;
    uint8_t public_key[MS_CURVE_KEY_BYTES], secret_key[MS_CURVE_KEY_BYTES];
    int rc = curve_keys(node, public_key, secret_key, err);
    if (rc)
        return rc;
    void *zap = zmq_socket(zctx, ZMQ_REP);
    void *router = zmq_socket(zctx, ZMQ_ROUTER);
    if (!zap || !router || set_int(zap, ZMQ_LINGER, 0) || zmq_bind(zap, ZAP_ENDPOINT) != 0)
        rc = zmq_fail(err, ZAP_ENDPOINT, "cannot start the ZAP handler");
    if (rc == 0 && (set_common(router) || set_int(router, ZMQ_CURVE_SERVER, 1) ||
                    zmq_setsockopt(router, ZMQ_CURVE_SECRETKEY, secret_key, sizeof secret_key) ||
                    zmq_setsockopt(router, ZMQ_ZAP_DOMAIN, "mutsync", 7) ||
                    set_int(router, ZMQ_ROUTER_MANDATORY, 1)))
        rc = zmq_fail(err, endpoint, "cannot set up the ROUTER");
    if (rc == 0 && zmq_bind(router, endpoint) != 0)
        rc = zmq_fail(err, endpoint, "cannot listen");
    sodium_memzero(secret_key, sizeof secret_key);
    if (rc) {
        if (zap)
            zmq_close(zap);
        if (router)
            zmq_close(router);
        return rc;
    }
    *router_p = router;
    *zap_p = zap;
    return 0;
}

typedef struct {
    const uint8_t *client_key;  //  CurveZMQ key presented
    const char *self;           //  this node's org
    ms_trust_entry_t found;     //  the child whose key it is
    bool matched;               //
} zap_lookup_t;

static int match_child(const ms_trust_entry_t *entry, void *arg)
{
    zap_lookup_t *lookup = arg;
    uint8_t curve[MS_CURVE_KEY_BYTES];
    if (entry->anchor || strcmp(entry->cert.parent, lookup->self) != 0 ||
        ms_key_curve_public(entry->cert.key, curve, NULL) != 0)
        return 0;
    if (sodium_memcmp(curve, lookup->client_key, MS_CURVE_KEY_BYTES) != 0)
        return 0;
    lookup->found = *entry;
    lookup->matched = true;
    return 1;
}

typedef struct {
    int reason;
    const char *org;
    const char *address;
    const char *detail;
    const uint8_t *key;
} refusal_t;

static int write_refusal(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    refusal_t *r = arg;
    ms_quarantine_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.when = (int64_t)time(NULL);
    entry.reason = r->reason;
    snprintf(entry.origin, sizeof entry.origin, "%s", r->org);
    snprintf(entry.detail, sizeof entry.detail, "%s", r->detail);
    snprintf(entry.source, sizeof entry.source, "peer %s", r->address);
    entry.envelope = r->key;
    entry.envelope_len = MS_CURVE_KEY_BYTES;
    return ms_quarantine_add(txn, &entry, NULL, err);
}

static void note_refusal(ms_node_t *node, refusal_t *refusal)
{
    ms_log(MS_LOG_WARN, "link", "refused a connection from %s: %s", refusal->address,
           refusal->detail);
    for (size_t i = 0; i < refused_count && i < REFUSED_MEMORY; i++)
        if (memcmp(refused_keys[i], refusal->key, MS_CURVE_KEY_BYTES) == 0)
            return;
    memcpy(refused_keys[refused_count++ % REFUSED_MEMORY], refusal->key, MS_CURVE_KEY_BYTES);
    ms_error_t err = {0};
    if (ms_store_write(ms_node_store(node), write_refusal, refusal, &err) != 0)
        ms_log(MS_LOG_ERROR, "link", "cannot quarantine a refused key: %s", err.message);
}

//  Decides on CLIENT_KEY. Returns true and fills ORG when admitted.
static bool admit(ms_node_t *node, const uint8_t *client_key, const char *address, char *org)
{
    char hex[MS_KEY_HEX_BYTES], detail[256];
    ms_key_to_hex(client_key, hex);
    zap_lookup_t lookup = {.client_key = client_key, .self = ms_node_identity(node)->org};
    ms_txn_t *txn;
    ms_error_t err = {0};
    if (ms_store_read(ms_node_store(node), &txn, &err) != 0) {
        ms_log(MS_LOG_ERROR, "link", "cannot read trust: %s", err.message);
        return false;
    }
    int64_t from = 0;
    int rc = ms_trust_list(txn, match_child, &lookup, &err);
    bool revoked = lookup.matched && ms_trust_revoked(txn, lookup.found.cert.key, &from, NULL) == 0;
    ms_txn_abort(&txn);
    refusal_t refusal = {MS_REFUSAL_UNKNOWN_SIGNER, "", address, detail, client_key};
    if (rc == 0 && lookup.matched && !revoked) {
        snprintf(org, MS_ORG_MAX + 1, "%s", lookup.found.org);
        ms_log(MS_LOG_INFO, "link", "admitted %s from %s", org, address);
        return true;
    }
    if (revoked) {
        refusal.reason = MS_REFUSAL_REVOKED;
        refusal.org = lookup.found.org;
        snprintf(detail, sizeof detail, "the key of %s (curve key %s) is revoked since %lld",
                 lookup.found.org, hex, (long long)from);
    } else {
        snprintf(detail, sizeof detail, "curve key %s is not certified by %s", hex,
                 ms_node_identity(node)->org);
    }
    note_refusal(node, &refusal);
    return false;
}

int ms_link_zap_handle(void *zap, ms_node_t *node, ms_error_t *err)
{
    enum { FRAMES = 8 };
    zmq_msg_t frames[FRAMES];
    int count = 0, more = 1;
    while (more) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, zap, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&part);
            for (int i = 0; i < count && i < FRAMES; i++)
                zmq_msg_close(&frames[i]);
            return errno == EAGAIN ? 0 : zmq_fail(err, "zap", "cannot read a ZAP request");
        }
        more = zmq_msg_more(&part);
        if (count < FRAMES)
            frames[count] = part;
        else
            zmq_msg_close(&part);
        count++;
    }
    const char *status = "500", *text = "malformed ZAP request";
    char org[MS_ORG_MAX + 1] = "", address[64] = "";
    if (count >= 7 && zmq_msg_size(&frames[6]) == MS_CURVE_KEY_BYTES &&
        zmq_msg_size(&frames[5]) == 5 && memcmp(zmq_msg_data(&frames[5]), "CURVE", 5) == 0) {
        size_t address_len = zmq_msg_size(&frames[3]);
        snprintf(address, sizeof address, "%.*s", (int)(address_len < 63 ? address_len : 63),
                 (const char *)zmq_msg_data(&frames[3]));
        bool ok = admit(node, zmq_msg_data(&frames[6]), address, org);
        status = ok ? "200" : "400";
        text = ok ? "OK" : "key not certified here";
    }
    const void *request_id = count >= 2 ? zmq_msg_data(&frames[1]) : "";
    size_t request_id_len = count >= 2 ? zmq_msg_size(&frames[1]) : 0;
    int rc = zmq_send(zap, "1.0", 3, ZMQ_SNDMORE) < 0 ||
             zmq_send(zap, request_id, request_id_len, ZMQ_SNDMORE) < 0 ||
             zmq_send(zap, status, 3, ZMQ_SNDMORE) < 0 ||
             zmq_send(zap, text, strlen(text), ZMQ_SNDMORE) < 0 ||
             zmq_send(zap, org, strlen(org), ZMQ_SNDMORE) < 0 || zmq_send(zap, "", 0, 0) < 0;
    for (int i = 0; i < count && i < FRAMES; i++)
        zmq_msg_close(&frames[i]);
    return rc ? zmq_fail(err, "zap", "cannot answer a ZAP request") : 0;
}

int ms_link_connect(void *zctx, ms_node_t *node, const char *endpoint, const uint8_t *server_key,
                    void **dealer_p, void **monitor_p, ms_error_t *err)
{
    *dealer_p = *monitor_p = NULL;
    uint8_t public_key[MS_CURVE_KEY_BYTES], secret_key[MS_CURVE_KEY_BYTES];
    uint8_t server_curve[MS_CURVE_KEY_BYTES];
    int rc = curve_keys(node, public_key, secret_key, err);
    if (rc == 0)
        rc = ms_key_curve_public(server_key, server_curve, err);
    if (rc) {
        sodium_memzero(secret_key, sizeof secret_key);
        return rc;
    }
    void *dealer = zmq_socket(zctx, ZMQ_DEALER);
    void *monitor = zmq_socket(zctx, ZMQ_PAIR);
    char monitor_endpoint[64];
    snprintf(monitor_endpoint, sizeof monitor_endpoint, "inproc://ms-link-monitor-%p", dealer);
    if (!dealer || !monitor || set_common(dealer) || set_int(dealer, ZMQ_IMMEDIATE, 1) ||
        set_int(dealer, ZMQ_RECONNECT_IVL, MS_LINK_RECONNECT_MS) ||
        set_int(dealer, ZMQ_RECONNECT_IVL_MAX, MS_LINK_RECONNECT_MAX_MS) ||
        zmq_setsockopt(dealer, ZMQ_CURVE_SERVERKEY, server_curve, sizeof server_curve) ||
        zmq_setsockopt(dealer, ZMQ_CURVE_PUBLICKEY, public_key, sizeof public_key) ||
        zmq_setsockopt(dealer, ZMQ_CURVE_SECRETKEY, secret_key, sizeof secret_key) ||
        set_int(monitor, ZMQ_LINGER, 0) ||
        zmq_socket_monitor(dealer, monitor_endpoint,
                           ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
        zmq_connect(monitor, monitor_endpoint) != 0)
        rc = zmq_fail(err, endpoint, "cannot set up the link");
    sodium_memzero(secret_key, sizeof secret_key);
    if (rc == 0 && zmq_connect(dealer, endpoint) != 0)
        rc = zmq_fail(err, endpoint, "cannot connect");
    if (rc) {
        if (dealer)
            zmq_close(dealer);
        if (monitor)
            zmq_close(monitor);
        return rc;
    }
    *dealer_p = dealer;
    *monitor_p = monitor;
    return 0;
}

ms_link_event_t ms_link_event(void *monitor)
{
    zmq_msg_t head, address;
    zmq_msg_init(&head);
    zmq_msg_init(&address);
    if (zmq_msg_recv(&head, monitor, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&head);
        zmq_msg_close(&address);
        return MS_LINK_NONE;
    }
    uint16_t event = 0;
    if (zmq_msg_size(&head) >= 2)
        memcpy(&event, zmq_msg_data(&head), sizeof event);
    if (zmq_msg_more(&head))
        (void)zmq_msg_recv(&address, monitor, 0);
    zmq_msg_close(&head);
    zmq_msg_close(&address);
    switch (event) {
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        return MS_LINK_UP;
    case ZMQ_EVENT_DISCONNECTED:
        return MS_LINK_DOWN;
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        return MS_LINK_REFUSED;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        return MS_LINK_BAD_HANDSHAKE;
    default:
        return MS_LINK_NONE;
    }
}

static void drop_rest(void *socket)
{
    zmq_msg_t part;
    zmq_msg_init(&part);
    while (zmq_msg_recv(&part, socket, ZMQ_DONTWAIT) >= 0 && zmq_msg_more(&part))
        ;
    zmq_msg_close(&part);
}

long ms_link_recv(void *socket, uint8_t *routing_id, size_t *id_len, char *peer, uint8_t **bytes_p)
{
    *bytes_p = NULL;
    zmq_msg_t part;
    zmq_msg_init(&part);
    if (zmq_msg_recv(&part, socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&part);
        return errno == EAGAIN ? 0 : -1;
    }
    if (routing_id) {
        size_t len = zmq_msg_size(&part);
        *id_len = len < MS_LINK_ROUTING_ID_MAX ? len : MS_LINK_ROUTING_ID_MAX;
        memcpy(routing_id, zmq_msg_data(&part), *id_len);
        if (!zmq_msg_more(&part)) {
            zmq_msg_close(&part);
            return -1;
        }
        zmq_msg_close(&part);
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, socket, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&part);
            return -1;
        }
    }
    if (peer) {
        const char *user = zmq_msg_gets(&part, "User-Id");
        snprintf(peer, MS_ORG_MAX + 1, "%s", user ? user : "");
    }
    if (zmq_msg_more(&part)) {
        zmq_msg_close(&part);
        drop_rest(socket);
        return -1;
    }
    size_t len = zmq_msg_size(&part);
    uint8_t *bytes = malloc(len ? len : 1);
    if (bytes)
        memcpy(bytes, zmq_msg_data(&part), len);
    zmq_msg_close(&part);
    if (!bytes)
        return -1;
    *bytes_p = bytes;
    return (long)len;
}

int ms_link_send(void *socket, const uint8_t *routing_id, size_t id_len, const uint8_t *bytes,
                 size_t len)
{
    if (routing_id && zmq_send(socket, routing_id, id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    return zmq_send(socket, bytes, len, ZMQ_DONTWAIT) < 0 ? -1 : 0;
}
