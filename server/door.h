//  door - keeps the children's connections under the file descriptors the
//  process may open, so running out of them is never a busy loop.
//
//  Each connection to the ROUTER holds one descriptor. When none is left,
//  libzmq's listener fails accept() with EMFILE and, its socket polled
//  level-triggered, fails it again at once: a core spent doing nothing.
//  The door watches the ROUTER's connection events and keeps the count
//  under a budget taken from RLIMIT_NOFILE at start: past it, each new
//  connection is shut down as soon as it is accepted (the peer retries
//  with its back-off), which costs one accept, not a spin. It says so
//  once, then sums the refusals up once per MS_DOOR_LOG_MS.

#ifndef MS_DOOR_H
#define MS_DOOR_H

#include "mutsync/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_DOOR_HEADROOM 16      //  descriptors kept for the store, the site writer, the uplink
#define MS_DOOR_LOG_MS 60000     //  at most one summary of refusals per interval
#define MS_DOOR_FDS_MAX 1048576  //  descriptors tracked (a larger limit is used up to this)

typedef struct ms_door ms_door_t;

//  Watches ROUTER (in ZCTX) through a monitor socket. The budget is the
//  soft RLIMIT_NOFILE (first raised to the hard limit when allowed), less
//  the descriptors open now and MS_DOOR_HEADROOM; call it once the node's
//  other sockets are open. Logs the budget at INFO. Returns 0, MS_ENET
//  (the monitor could not start) or MS_ENOMEM; *door_p stays NULL on failure.
MS_MUST_CHECK int ms_door_open(void *zctx, void *router, ms_door_t **door_p, ms_error_t *err);

//  Stops watching and sets *door_p to NULL. Safe on NULL and twice.
void ms_door_close(ms_door_t **door_p);

//  The socket to poll for ZMQ_POLLIN; borrowed, lives as long as SELF.
void *ms_door_socket(ms_door_t *self);

//  Reads the waiting connection events (a bounded number): counts the
//  connections, shuts down those past the budget. When accept() failed for
//  want of descriptors anyway, the budget drops to the connections held
//  and the newest past it are shut down.
void ms_door_handle(ms_door_t *self, int64_t now_ms);

//  Writes the summary of refusals since the last line when MS_DOOR_LOG_MS
//  has passed, or now when FINAL. Returns when to call it next (a NOW_MS
//  time), or INT64_MAX when nothing is pending.
int64_t ms_door_tick(ms_door_t *self, int64_t now_ms, bool final);

//  Connections held now, and the most the budget allows.
size_t ms_door_connections(const ms_door_t *self);
size_t ms_door_budget(const ms_door_t *self);

#endif
