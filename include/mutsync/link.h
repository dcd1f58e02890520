//  link - the ZeroMQ transport of sync: CurveZMQ keys derived from the
//  node's Ed25519 key, the ZAP handler that admits only this node's
//  certified children, dead-link detection, reconnect back-off and frame
//  limits.
//
//  A parent binds a ROUTER (CurveZMQ server) and a ZAP socket; a child
//  connects a DEALER (CurveZMQ client) that pins the parent's key from its
//  identity, so both ends authenticate each other. The ZAP handler answers
//  with the child's org id as the User-Id, which the parent reads from
//  every message (ms_link_recv), so a session always knows who speaks.
//  Sockets are plain libzmq handles (void *); their owner polls them and
//  closes them with zmq_close. Nothing here blocks except where stated.
//
//  An idle link sends nothing: no ZMTP heartbeats (on a metered 2G link a
//  PING and its PONG every few seconds cost megabytes a day, and waking
//  for them costs the parent CPU for every watching child). A connection
//  whose peer vanished is found by TCP keepalive, in the kernel, after
//  MS_LINK_KEEPALIVE_IDLE_S of silence (the child's periodic check keeps a
//  live one from ever being that quiet), and during a session by the
//  session's own timeout (sync.h).

#ifndef MS_LINK_H
#define MS_LINK_H

#include "mutsync/node.h"
#include "mutsync/syncmsg.h"

#define MS_LINK_KEEPALIVE_IDLE_S 900    //  TCP silence before the kernel probes the peer
#define MS_LINK_KEEPALIVE_INTVL_S 60    //  between probes
#define MS_LINK_KEEPALIVE_CNT 5         //  unanswered probes that close the connection
#define MS_LINK_RECONNECT_MS 200        //  first reconnect delay
#define MS_LINK_RECONNECT_MAX_MS 30000  //  reconnect back-off cap
#define MS_LINK_FRAME_HARD_MAX (2 * (int64_t)MS_SYNC_FRAME_MAX)  //  libzmq drops the peer beyond
#define MS_LINK_ROUTING_ID_MAX 256                               //  bytes in a ROUTER routing id

//  Binds ROUTER on ENDPOINT as NODE's CurveZMQ server, after binding the
//  ZAP handler socket (*zap_p) in ZCTX. Frames up to MS_LINK_FRAME_HARD_MAX
//  are received (larger ones cut the connection inside libzmq); the
//  receiver refuses anything over MS_SYNC_FRAME_MAX itself, with a reason.
//  Returns 0, MS_ENET (ERR names the endpoint and why) or the key's error.
MS_MUST_CHECK int ms_link_listen(void *zctx, ms_node_t *node, const char *endpoint, void **router_p,
                                 void **zap_p, ms_error_t *err);

//  Answers one ZAP request waiting on ZAP: admits a key only when it is the
//  key of a child this node certified and did not revoke; the User-Id is
//  the child's org. The decision is one read transaction: a seek in the key
//  index (keyindex.h), the child's trust entry and its revocation, so it
//  costs the same at 10 or 10,000 children and nothing is written for an
//  unknown key. Refusals of unknown keys are counted, not logged one by
//  one: the first after a quiet MS_LINK_REFUSAL_LOG_MS is logged at once,
//  the next ones in one summary line (ms_link_zap_tick). A revoked child's
//  key is logged with its org and fingerprint and quarantined once per
//  process. Returns 0, or MS_ENET when the socket failed.
MS_MUST_CHECK int ms_link_zap_handle(void *zap, ms_node_t *node, ms_error_t *err);

#define MS_LINK_REFUSAL_LOG_MS 60000  //  at most one summary of refusals per interval

//  Writes the summary of the refusals counted since the last line
//  ("refused 4,213 connections from 4,213 unknown keys in the last 60 s")
//  when MS_LINK_REFUSAL_LOG_MS has passed since that line, or now when
//  FINAL (at exit). Returns when it should be called next (a NOW_MS-based
//  time) or INT64_MAX when nothing is pending. NOW_MS is ms_clock_ms().
int64_t ms_link_zap_tick(int64_t now_ms, bool final);

//  Connects a DEALER to ENDPOINT as NODE's CurveZMQ client, pinning
//  SERVER_KEY (the parent's Ed25519 key). *monitor_p is a PAIR socket that
//  receives the DEALER's connection events (ms_link_event). Messages are
//  queued only while a connection is up (ZMQ_IMMEDIATE).
MS_MUST_CHECK int ms_link_connect(void *zctx, ms_node_t *node, const char *endpoint,
                                  const uint8_t *server_key, void **dealer_p, void **monitor_p,
                                  ms_error_t *err);

typedef enum {
    MS_LINK_NONE,           //  an event this module does not report
    MS_LINK_UP,             //  handshake done: the peer is authenticated
    MS_LINK_DOWN,           //  the connection closed
    MS_LINK_REFUSED,        //  the peer refused our key (ZAP said no)
    MS_LINK_BAD_HANDSHAKE,  //  a protocol error in the handshake: wrong server key, not mutsync
    MS_LINK_LOST_HANDSHAKE  //  the handshake did not complete (timed out, dropped): retry
} ms_link_event_t;

//  Reads one event from MONITOR (call when it is readable).
ms_link_event_t ms_link_event(void *monitor);

//  Receives one message (one frame) without blocking. On a ROUTER, the
//  routing id goes to ROUTING_ID (*id_len) and the sender's User-Id (its
//  org) to PEER; pass NULLs on a DEALER. Returns the message length and
//  sets *bytes_p (caller frees), 0 when nothing was waiting, or -1 for a
//  message with extra frames (dropped) or a socket failure.
MS_MUST_CHECK long ms_link_recv(void *socket, uint8_t *routing_id, size_t *id_len, char *peer,
                                uint8_t **bytes_p);

//  Sends BYTES as one message, without blocking; on a ROUTER ROUTING_ID
//  names the peer. Returns 0, or -1 when the peer is gone or its queue is full.
MS_MUST_CHECK int ms_link_send(void *socket, const uint8_t *routing_id, size_t id_len,
                               const uint8_t *bytes, size_t len);

#endif
