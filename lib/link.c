//  link - CurveZMQ sockets, the ZAP handler, connection events.
//
//  Keys: the CurveZMQ pair is derived from the node's Ed25519 pair
//  (ms_keypair_curve) and wiped from memory as soon as libzmq holds it.
//  ZAP (RFC 27): the handler runs in the caller's thread, polled with the
//  ROUTER, so admitting a child is one read transaction and never blocks
//  the loop. libzmq applies CURVE and the ZAP answer before any message
//  reaches the ROUTER, so an uncertified key never gets a session.

#include "mutsync/link.h"

#include "mutsync/i18n.h"
#include "mutsync/keyindex.h"
#include "mutsync/log.h"
#include "mutsync/quarantine.h"
#include "mutsync/replica.h"
#include "mutsync/rules.h"
#include "mutsync/trust.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

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
    rc |= set_int(socket, ZMQ_TCP_KEEPALIVE, 1);
    rc |= set_int(socket, ZMQ_TCP_KEEPALIVE_IDLE, MS_LINK_KEEPALIVE_IDLE_S);
    rc |= set_int(socket, ZMQ_TCP_KEEPALIVE_INTVL, MS_LINK_KEEPALIVE_INTVL_S);
    rc |= set_int(socket, ZMQ_TCP_KEEPALIVE_CNT, MS_LINK_KEEPALIVE_CNT);
    rc |= zmq_setsockopt(socket, ZMQ_MAXMSGSIZE, &hard_max, sizeof hard_max);
    return rc;
}

static int curve_keys(ms_node_t *node, uint8_t *public_key, uint8_t *secret_key, ms_error_t *err)
{
    const ms_keypair_t *keypair;
    int rc = ms_node_keypair(node, &keypair, err);
    return rc ? rc : ms_keypair_curve(keypair, public_key, secret_key, err);
}

//  The trust entries of a store, for a one-time index rebuild.
typedef struct {
    char (*orgs)[MS_ORG_MAX + 1];
    uint8_t (*keys)[MS_KEY_BYTES];
    size_t count, cap;
} trusted_t;

static int collect_trusted(const ms_trust_entry_t *entry, void *arg)
{
    trusted_t *all = arg;
    if (all->count == all->cap) {
        size_t cap = all->cap ? all->cap * 2 : 256;
        void *orgs = realloc(all->orgs, cap * sizeof *all->orgs);
        if (orgs)
            all->orgs = orgs;
        void *keys = realloc(all->keys, cap * sizeof *all->keys);
        if (keys)
            all->keys = keys;
        if (!orgs || !keys)
            return MS_ENOMEM;
        all->cap = cap;
    }
    snprintf(all->orgs[all->count], MS_ORG_MAX + 1, "%s", entry->org);
    memcpy(all->keys[all->count++], entry->cert.key, MS_KEY_BYTES);
    return 0;
}

static int write_index(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    trusted_t *all = arg;
    return ms_keyindex_rebuild(txn, (const char(*)[MS_ORG_MAX + 1]) all->orgs,
                               (const uint8_t(*)[MS_KEY_BYTES])all->keys, all->count, err);
}

//  A store written before the key index existed gets it once, here, so
//  every ZAP decision after is one seek.
static int ensure_key_index(ms_node_t *node, ms_error_t *err)
{
    ms_txn_t *txn;
    bool ready = false;
    trusted_t all = {0};
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    if (rc == 0)
        rc = ms_keyindex_ready(txn, &ready, err);
    if (rc == 0 && !ready)
        rc = ms_trust_list(txn, collect_trusted, &all, err);
    ms_txn_abort(&txn);
    if (rc == MS_ENOMEM)
        rc = ms_error_set(err, MS_ENOMEM, "link", "no memory to index the trusted keys");
    if (rc == 0 && !ready) {
        rc = ms_store_write(ms_node_store(node), write_index, &all, err);
        if (rc == 0)
            ms_log(MS_LOG_INFO, "link", "indexed the Curve keys of %zu trusted orgs", all.count);
    }
    free(all.orgs);
    free(all.keys);
    return rc;
}

int ms_link_listen(void *zctx, ms_node_t *node, const char *endpoint, void **router_p, void **zap_p,
                   ms_error_t *err)
{
    *router_p = *zap_p = NULL;
    uint8_t public_key[MS_CURVE_KEY_BYTES], secret_key[MS_CURVE_KEY_BYTES];
    int rc = ensure_key_index(node, err);
    if (rc == 0)
        rc = curve_keys(node, public_key, secret_key, err);
    if (rc)
        return rc;
    void *zap = zmq_socket(zctx, ZMQ_REP);
    void *router = zmq_socket(zctx, ZMQ_ROUTER);
    if (!zap || !router || set_int(zap, ZMQ_LINGER, 0) || zmq_bind(zap, ZAP_ENDPOINT) != 0)
        rc = zmq_fail(err, ZAP_ENDPOINT, _("cannot start the ZAP handler"));
    if (rc == 0 && (set_common(router) || set_int(router, ZMQ_CURVE_SERVER, 1) ||
                    zmq_setsockopt(router, ZMQ_CURVE_SECRETKEY, secret_key, sizeof secret_key) ||
                    zmq_setsockopt(router, ZMQ_ZAP_DOMAIN, "mutsync", 7) ||
                    set_int(router, ZMQ_ROUTER_MANDATORY, 1)))
        rc = zmq_fail(err, endpoint, _("cannot set up the ROUTER"));
    if (rc == 0 && zmq_bind(router, endpoint) != 0)
        rc = zmq_fail(err, endpoint, _("cannot listen"));
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

//  What one ZAP decision found: the child whose Curve key was presented.
typedef struct {
    ms_txn_t *txn;           //  the decision's read transaction
    const char *self;        //  this node's org: only its direct children are admitted
    ms_trust_entry_t found;  //  the child (last candidate seen)
    bool matched;            //  a child of ours holds this key
    bool revoked;            //  and its key is revoked
    int64_t from;            //  since when
} zap_lookup_t;

//  Called for each org the key index names for the presented key (usually
//  one). Stops (returns 1) at an unrevoked direct child.
static int match_child(const char *org, void *arg)
{
    zap_lookup_t *lookup = arg;
    ms_trust_entry_t entry;
    int rc = ms_trust_get(lookup->txn, org, &entry, NULL);
    if (rc == MS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (entry.anchor || strcmp(entry.cert.parent, lookup->self) != 0)
        return 0;
    int64_t from = 0;
    rc = ms_trust_revoked(lookup->txn, org, entry.cert.key, &from, NULL);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    lookup->found = entry;
    lookup->matched = true;
    lookup->revoked = rc == 0;
    lookup->from = from;
    return lookup->revoked ? 0 : 1;
}

//  Refusals, counted rather than logged one by one: a flood of fresh keys
//  costs a counter, not a log line or a store write each. The first refusal
//  after a quiet interval is logged at once (an operator enrolling a mutual
//  sees it); the next ones are summed up in one line per interval. A known
//  but revoked key is named (org, fingerprint) and quarantined once per
//  run; repeats within the interval only count. One ZAP handler per
//  process (libzmq has one ZAP endpoint per context), so this is static.
#define DISTINCT_SLOTS 4096     //  distinct unknown keys counted exactly per interval
#define SKETCH_BITS (1u << 16)  //  beyond them, estimated by linear counting
#define REVOKED_MEMORY 256      //  revoked keys remembered

static struct {
    int64_t last_line_ms;             //  when a refusal line was last written
    uint64_t unknown;                 //  refusals of unknown keys since then
    uint64_t revoked;                 //  refusals of revoked keys since then, not logged
    uint64_t distinct;                //  distinct unknown keys among them
    bool distinct_capped;             //  more than the slots hold: distinct is estimated
    uint64_t slots[DISTINCT_SLOTS];   //  first 8 bytes of each distinct key (0: free)
    uint8_t sketch[SKETCH_BITS / 8];  //  one bit per key hash, for the estimate
    char last_address[64];            //  where the last one came from
    struct {
        uint8_t key[MS_KEY_BYTES];  //  Ed25519
        int64_t logged_ms;          //  last logged
    } revoked_keys[REVOKED_MEMORY];
    size_t revoked_count;  //  entries used (a ring beyond REVOKED_MEMORY)
} refusals = {.last_line_ms = INT64_MIN / 2};

static int64_t clock_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

//  Keys are counted exactly while the table has room (3/4 full), then
//  estimated from the share of bits still clear in the sketch (linear
//  counting, Whang et al. 1990): n = -m ln(clear / m), within about 1 %
//  up to some 200,000 keys.
static void count_distinct(const uint8_t *key)
{
    uint64_t tag, bit;
    memcpy(&tag, key, sizeof tag);
    memcpy(&bit, key + 8, sizeof bit);
    refusals.sketch[bit % SKETCH_BITS / 8] |= (uint8_t)(1u << (bit % 8));
    tag = tag ? tag : 1;
    if (refusals.distinct_capped || refusals.distinct >= DISTINCT_SLOTS * 3 / 4) {
        refusals.distinct_capped = true;
        return;
    }
    size_t i = (size_t)(tag % DISTINCT_SLOTS);
    while (refusals.slots[i] && refusals.slots[i] != tag)
        i = (i + 1) % DISTINCT_SLOTS;
    if (!refusals.slots[i]) {
        refusals.slots[i] = tag;
        refusals.distinct++;
    }
}

//  "4213" -> "4,213", as operators read counts.
static const char *grouped(uint64_t value, char *out, size_t cap)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%llu", (unsigned long long)value);
    size_t j = 0;
    for (int i = 0; i < len && j + 2 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[j++] = ',';
        out[j++] = digits[i];
    }
    out[j] = 0;
    return out;
}

static void note_unknown(const char *self, const uint8_t *curve_key, const char *address,
                         int64_t now_ms)
{
    if (!refusals.unknown && !refusals.revoked &&
        now_ms - refusals.last_line_ms >= MS_LINK_REFUSAL_LOG_MS) {
        ms_log(MS_LOG_WARN, "link",
               "refused a connection from %s: its key is not certified by %s (more refusals of "
               "unknown keys are summed up every %d s)",
               address, self, MS_LINK_REFUSAL_LOG_MS / 1000);
        refusals.last_line_ms = now_ms;
        return;
    }
    refusals.unknown++;
    count_distinct(curve_key);
    snprintf(refusals.last_address, sizeof refusals.last_address, "%s", address);
}

static int write_refusal(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    const ms_quarantine_entry_t *entry = arg;
    return ms_quarantine_add(txn, entry, NULL, err);
}

static void note_revoked(ms_node_t *node, const zap_lookup_t *lookup, const char *address,
                         int64_t now_ms)
{
    const uint8_t *key = lookup->found.cert.key;
    size_t held = refusals.revoked_count < REVOKED_MEMORY ? refusals.revoked_count : REVOKED_MEMORY;
    for (size_t i = 0; i < held; i++) {
        if (memcmp(refusals.revoked_keys[i].key, key, MS_KEY_BYTES) != 0)
            continue;
        if (now_ms - refusals.revoked_keys[i].logged_ms < MS_LINK_REFUSAL_LOG_MS) {
            refusals.revoked++;
            snprintf(refusals.last_address, sizeof refusals.last_address, "%s", address);
        } else {
            refusals.revoked_keys[i].logged_ms = now_ms;
            ms_log(MS_LOG_WARN, "link", "refused %s from %s again: its key is revoked",
                   lookup->found.org, address);
        }
        return;
    }
    size_t slot = refusals.revoked_count++ % REVOKED_MEMORY;
    memcpy(refusals.revoked_keys[slot].key, key, MS_KEY_BYTES);
    refusals.revoked_keys[slot].logged_ms = now_ms;
    char fingerprint[MS_FINGERPRINT_BYTES];
    ms_key_fingerprint(key, fingerprint);
    ms_quarantine_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.when = (int64_t)time(NULL);
    entry.reason = MS_REFUSAL_REVOKED;
    snprintf(entry.origin, sizeof entry.origin, "%s", lookup->found.org);
    snprintf(entry.detail, sizeof entry.detail,
             "the key of %s (fingerprint %s) is revoked since %lld", lookup->found.org, fingerprint,
             (long long)lookup->from);
    snprintf(entry.source, sizeof entry.source, "peer %s", address);
    entry.envelope = key;
    entry.envelope_len = MS_KEY_BYTES;
    ms_log(MS_LOG_WARN, "link", "refused %s from %s: %s", lookup->found.org, address, entry.detail);
    ms_error_t err = {0};
    if (ms_store_write(ms_node_store(node), write_refusal, &entry, &err) != 0)
        ms_log(MS_LOG_ERROR, "link", "cannot quarantine a revoked key: %s", err.message);
}

static uint64_t distinct_keys(void)
{
    if (!refusals.distinct_capped)
        return refusals.distinct;
    size_t clear = 0;
    for (size_t i = 0; i < sizeof refusals.sketch; i++)
        clear += 8 - (size_t)__builtin_popcount(refusals.sketch[i]);
    double m = SKETCH_BITS;
    double estimate = clear ? -m * log((double)clear / m) : m * log(m);
    return estimate > (double)refusals.distinct ? (uint64_t)(estimate + 0.5) : refusals.distinct;
}

int64_t ms_link_zap_tick(int64_t now_ms, bool final)
{
    uint64_t total = refusals.unknown + refusals.revoked;
    if (!total)
        return INT64_MAX;
    int64_t since_ms = now_ms - refusals.last_line_ms;
    if (!final && since_ms < MS_LINK_REFUSAL_LOG_MS)
        return refusals.last_line_ms + MS_LINK_REFUSAL_LOG_MS;
    char connections[32], keys[32], revoked[64] = "";
    uint64_t distinct = distinct_keys();
    if (refusals.revoked)
        snprintf(revoked, sizeof revoked, " and %llu from revoked keys",
                 (unsigned long long)refusals.revoked);
    ms_log(MS_LOG_WARN, "link",
           "refused %s connection%s from %s%s unknown key%s%s in the last %lld s (last from %s)",
           grouped(refusals.unknown, connections, sizeof connections),
           refusals.unknown == 1 ? "" : "s", refusals.distinct_capped ? "about " : "",
           grouped(distinct, keys, sizeof keys), distinct == 1 ? "" : "s", revoked,
           (long long)((since_ms + 999) / 1000), refusals.last_address);
    refusals.unknown = refusals.revoked = refusals.distinct = 0;
    refusals.distinct_capped = false;
    memset(refusals.slots, 0, sizeof refusals.slots);
    memset(refusals.sketch, 0, sizeof refusals.sketch);
    refusals.last_line_ms = now_ms;
    return INT64_MAX;
}

//  Decides on CLIENT_KEY in one read transaction: one index seek, then the
//  trust entry and the revocation of the org it names. Returns true and
//  fills ORG when admitted.
static bool admit(ms_node_t *node, const uint8_t *client_key, const char *address, char *org)
{
    const char *self = ms_node_identity(node)->org;
    zap_lookup_t lookup = {.self = self};
    ms_error_t err = {0};
    if (ms_store_read(ms_node_store(node), &lookup.txn, &err) != 0) {
        ms_log(MS_LOG_ERROR, "link", "cannot read trust: %s", err.message);
        return false;
    }
    int rc = ms_keyindex_find(lookup.txn, client_key, match_child, &lookup, &err);
    ms_txn_abort(&lookup.txn);
    if (rc < 0) {
        ms_log(MS_LOG_ERROR, "link", "cannot read trust: %s", err.message);
        return false;
    }
    int64_t now_ms = clock_ms();
    if (rc == 1) {
        snprintf(org, MS_ORG_MAX + 1, "%s", lookup.found.org);
        ms_log(MS_LOG_INFO, "link", "admitted %s from %s", org, address);
        return true;
    }
    if (lookup.revoked)
        note_revoked(node, &lookup, address, now_ms);
    else
        note_unknown(self, client_key, address, now_ms);
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
            return errno == EAGAIN ? 0 : zmq_fail(err, "zap", _("cannot read a ZAP request"));
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
    return rc ? zmq_fail(err, "zap", _("cannot answer a ZAP request")) : 0;
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
        rc = zmq_fail(err, endpoint, _("cannot set up the link"));
    sodium_memzero(secret_key, sizeof secret_key);
    if (rc == 0 && zmq_connect(dealer, endpoint) != 0)
        rc = zmq_fail(err, endpoint, _("cannot connect"));
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
        return MS_LINK_BAD_HANDSHAKE;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        //  A timeout, a reset, a silent peer: a thin link, not a wrong key.
        return MS_LINK_LOST_HANDSHAKE;
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
