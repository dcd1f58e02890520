//  sync - one sync session between a node and one peer, as a state table.
//
//  A session knows nothing of sockets: the caller hands it each message
//  received from the peer (ms_sync_recv), calls ms_sync_tick from its loop,
//  and gives it a function that sends one message. The child starts the
//  session (the initiator, ms_sync_start); the parent answers (the
//  responder). The exchange: Hello with a digest of heads; Idle when both
//  sides already hold the same heads; otherwise each side offers its
//  feeds in scope (syncscope) with its heads and says what it holds of the
//  other's offer, then each sends what the other lacks, oldest first, in
//  batches with at most WINDOW in flight. A received batch is applied in
//  one durable write transaction, through the accept rules, and only then
//  acknowledged, so a resumed session never resends what was acknowledged.
//  docs/PROTOCOL.md describes the messages, states, errors and limits.
//
//  Not thread-safe: one session is driven by one thread.

#ifndef MS_SYNC_H
#define MS_SYNC_H

#include "mutsync/node.h"
#include "mutsync/syncmsg.h"
#include "mutsync/syncstore.h"

#define MS_SYNC_WINDOW 4                    //  batches in flight, default
#define MS_SYNC_WINDOW_MAX 64               //  the most a peer may ask for
#define MS_SYNC_BATCH_TARGET (1024 * 1024)  //  raw bytes a batch is filled to
#define MS_SYNC_TIMEOUT_MS 30000            //  silence from a peer that ends a session

typedef enum { MS_SYNC_INITIATOR, MS_SYNC_RESPONDER } ms_sync_side_t;

typedef enum {
    MS_SYNC_START,       //  initiator: nothing sent yet
    MS_SYNC_HELLO_SENT,  //  initiator: waiting for Idle or the parent's offer
    MS_SYNC_WAIT_HELLO,  //  responder: waiting for Hello
    MS_SYNC_WAIT_HEADS,  //  waiting for the peer's Heads
    MS_SYNC_STREAMING,   //  batches both ways until both sides are done
    MS_SYNC_BACKUP,      //  a sealed backup in chunks: the parent receives the child's (then
                         //  answers its Hello) or sends its latest; the child receives it
    MS_SYNC_DONE,        //  over; ms_sync_stats says whether heads now match
    MS_SYNC_FAILED,      //  over; ms_sync_failure says why
} ms_sync_state_t;

//  What a session did. Counts are envelopes (change sets) unless named.
typedef struct {
    bool idle;                  //  ended by the idle check
    bool complete;              //  both sides hold the same heads for the scope
    bool fork_resolved;         //  a fork of ours was found and its resolution arrived
    uint64_t messages_sent;     //
    uint64_t bytes_sent;        //  message bytes handed to the transport
    uint64_t bytes_received;    //
    uint64_t batches_sent;      //
    uint64_t envelopes_sent;    //
    uint64_t batches_received;  //
    uint64_t applied;           //  received and applied here
    uint64_t changes_applied;   //  records in them
    uint64_t duplicates;        //  received, already held
    uint64_t refused;           //  received, quarantined
    uint64_t held;              //  received after a gap or for a frozen feed: not applied
    uint64_t peer_applied;      //  sent and applied by the peer (from its acks)
    uint64_t peer_duplicates;   //
    uint64_t peer_refused;      //
    uint64_t peer_held;         //
    uint64_t to_send;           //  what the peer lacked of ours when the heads were known
    uint64_t to_receive;        //  what we lacked of the peer's offer then
} ms_sync_stats_t;

typedef struct ms_sync ms_sync_t;

//  Sends one message to the peer: returns 0, or -1 when the link cannot take it.
typedef int (*ms_sync_send_fn)(void *ctx, const uint8_t *bytes, size_t len);

//  Makes a session of NODE with PEER (the peer's org id) on SIDE. SEND and
//  CTX carry its messages; NOW_MS is a monotonic clock in milliseconds.
//  A responder starts in MS_SYNC_WAIT_HELLO. Returns 0 or MS_ENOMEM.
MS_MUST_CHECK int ms_sync_new(ms_node_t *node, ms_sync_side_t side, const char *peer,
                              ms_sync_send_fn send, void *ctx, int64_t now_ms, ms_sync_t **sync_p,
                              ms_error_t *err);

//  Frees the session and sets *sync_p to NULL. Safe on NULL.
void ms_sync_destroy(ms_sync_t **sync_p);

//  Batches in flight (1..MS_SYNC_WINDOW_MAX) and the silence that ends
//  the session, in milliseconds. Set before ms_sync_start.
void ms_sync_set_window(ms_sync_t *self, uint32_t window);
void ms_sync_set_timeout(ms_sync_t *self, int64_t timeout_ms);

//  Initiator: the upward heads of earlier sessions, kept by the caller
//  across sessions (syncstore.h); set before ms_sync_start.
void ms_sync_set_cache(ms_sync_t *self, ms_syncstore_cache_t *cache);

//  Initiator: the session only fetches the latest sealed backup the parent
//  keeps of this node (into MS_BACKUP_FROM_PARENT, backup.h) and ends. Set before
//  ms_sync_start. Otherwise a session announces the node's pending backup
//  (MS_BACKUP_FILE, backup.h) in its Hello, sends it in chunks before the
//  heads, and deletes it once the parent acknowledged it whole and kept.
void ms_sync_set_backup_request(ms_sync_t *self);

//  Initiator: sends Hello. Returns the new state.
ms_sync_state_t ms_sync_start(ms_sync_t *self, int64_t now_ms);

//  Handles one message from the peer and sends what follows from it.
//  A malformed or unexpected message fails the session (the peer is told
//  why, the frame is quarantined). Returns the new state.
ms_sync_state_t ms_sync_recv(ms_sync_t *self, const uint8_t *bytes, size_t len, int64_t now_ms);

//  Fails the session when the peer has been silent longer than the timeout
//  while we wait for it. Returns the new state.
ms_sync_state_t ms_sync_tick(ms_sync_t *self, int64_t now_ms);

//  Fails the session from outside (link lost, shutting down): REASON is kept.
void ms_sync_abort(ms_sync_t *self, const char *reason);

ms_sync_state_t ms_sync_state(const ms_sync_t *self);
const char *ms_sync_state_name(ms_sync_state_t state);
const ms_sync_stats_t *ms_sync_stats(const ms_sync_t *self);

//  Why the session failed ("" otherwise); lives as long as the session.
const char *ms_sync_failure(const ms_sync_t *self);

//  The code of the failure (MS_E*): MS_EREFUSED when the peer refused us,
//  MS_ENET for a silent or lost peer, MS_EINVAL for a protocol error.
int ms_sync_failure_code(const ms_sync_t *self);

#endif
