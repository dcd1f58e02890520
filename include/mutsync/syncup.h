//  syncup - a node's link to its parent: one DEALER, sessions started one
//  after another, reconnects with back-off.
//
//  Used by `mutsync sync` (one shot, or --watch) and by mutsyncd for its
//  own upward link. The owner polls the items ms_uplink_items fills,
//  passes them to ms_uplink_handle, and calls ms_uplink_tick at least
//  when ms_uplink_timeout says. A session starts as soon as the link is
//  up, then (watching) every INTERVAL or right after ms_uplink_kick. A
//  failed session closes the connection and opens a new one after a
//  back-off that doubles up to MS_UPLINK_BACKOFF_MAX_MS, so stale messages
//  of a dead session never reach the next one.
//
//  Between sessions a watching link costs nothing: the connection stays
//  open without heartbeats (link.h), no timer runs but the next check, and
//  an idle check is one small round trip. A kick while the link is down
//  connects again at once rather than at the end of a back-off, so a local
//  write goes up as soon as the parent can be reached.

#ifndef MS_SYNCUP_H
#define MS_SYNCUP_H

#include "mutsync/sync.h"

#include <zmq.h>

#define MS_UPLINK_INTERVAL_MS 300000    //  watch: between checks (writes go up at once)
#define MS_UPLINK_SESSION_TICK_MS 1000  //  timers of a running session
#define MS_UPLINK_BACKOFF_MS 500        //  first delay after a failure
#define MS_UPLINK_BACKOFF_MAX_MS 60000  //  the longest

typedef struct {
    bool watch;                  //  keep syncing; else stop after one complete session
    int64_t interval_ms;         //  watch: between sessions; 0 for the default
    int64_t session_timeout_ms;  //  peer silence that ends a session; 0 for the default
    uint32_t window;             //  batches in flight; 0 for the default
    const char *endpoint;        //  NULL: the parent endpoint of the node's identity
    bool backup_only;            //  one shot that only fetches the parent's sealed backup of us
} ms_uplink_options_t;

typedef enum {
    MS_UPLINK_RUNNING,     //  still working
    MS_UPLINK_SYNCED,      //  one shot: a session ended with the same heads on both sides
    MS_UPLINK_INCOMPLETE,  //  one shot: a session ended but the peer refused or held some
                           //  (a session in which a fork's resolution arrived is followed
                           //  at once by another, which fetches the kept branch)
    MS_UPLINK_REFUSED,     //  one shot: the parent refused this node (key, revocation), or
                           //  holds another branch of its feed (a fork: MS_EFORK)
} ms_uplink_status_t;

typedef struct ms_uplink ms_uplink_t;

//  Connects NODE to its parent. Returns 0; MS_EINVAL when the node has no
//  parent, parent key or endpoint; MS_ENET. *uplink_p stays NULL on failure.
MS_MUST_CHECK int ms_uplink_new(void *zctx, ms_node_t *node, const ms_uplink_options_t *options,
                                ms_uplink_t **uplink_p, ms_error_t *err);

//  Closes the link (a session in progress is abandoned: what was
//  acknowledged stays acknowledged) and sets *uplink_p to NULL. Safe on NULL.
void ms_uplink_destroy(ms_uplink_t **uplink_p);

//  Fills up to 2 poll items; returns how many (0 while waiting to reconnect).
size_t ms_uplink_items(ms_uplink_t *self, zmq_pollitem_t *items);

//  Reads what the polled ITEMS (COUNT as filled) say is waiting.
void ms_uplink_handle(ms_uplink_t *self, const zmq_pollitem_t *items, size_t count, int64_t now_ms);

//  Timers: session timeouts, the next session, reconnects.
void ms_uplink_tick(ms_uplink_t *self, int64_t now_ms);

//  Milliseconds until ms_uplink_tick has something to do (at most
//  MS_UPLINK_SESSION_TICK_MS while a session runs), or -1 when nothing is
//  due before one of the polled sockets speaks.
int64_t ms_uplink_timeout(const ms_uplink_t *self, int64_t now_ms);

//  Local heads changed: start a session as soon as possible, connecting
//  again at once when the link is down.
void ms_uplink_kick(ms_uplink_t *self, int64_t now_ms);

ms_uplink_status_t ms_uplink_status(const ms_uplink_t *self);

//  Why the link is not synced ("" when nothing went wrong); lives as long as SELF.
const char *ms_uplink_reason(const ms_uplink_t *self);

//  Stats of the session running now, so far; NULL between sessions. Lives
//  until the next call of ms_uplink_handle or ms_uplink_tick.
const ms_sync_stats_t *ms_uplink_current(const ms_uplink_t *self);

//  Stats of the last session that ended, and the number of sessions ended.
const ms_sync_stats_t *ms_uplink_last(const ms_uplink_t *self);
uint64_t ms_uplink_sessions(const ms_uplink_t *self);

//  A monotonic clock in milliseconds, for the NOW_MS arguments.
int64_t ms_clock_ms(void);

#endif
