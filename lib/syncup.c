//  syncup - the upward link: connection, session scheduling, back-off.
//
//  States are implicit in three fields: sockets open or not (DEALER
//  closed while waiting to reconnect), the link up or not (monitor
//  events), a session or none. Only one session runs at a time. Each
//  ended session is logged once, with its counts, at INFO.

#include "mutsync/syncup.h"

#include "mutsync/i18n.h"
#include "mutsync/link.h"
#include "mutsync/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NEVER INT64_MAX
#define HANDSHAKE_GRACE_MS 5000  //  a kick leaves a connection this young to finish

struct ms_uplink {
    void *zctx;                        //  borrowed
    ms_node_t *node;                   //  borrowed
    ms_uplink_options_t options;       //  with defaults filled
    char endpoint[MS_ENDPOINT_MAX];    //
    char parent[MS_ORG_MAX + 1];       //
    uint8_t parent_key[MS_KEY_BYTES];  //
    void *dealer;                      //  NULL while waiting to reconnect
    void *monitor;                     //  its connection events
    int64_t opened_ms;                 //  when the sockets were last opened
    bool up;                           //  handshake done
    ms_sync_t *session;                //  NULL between sessions
    int64_t next_session_ms;           //  when to start one
    int64_t reconnect_ms;              //  when to open the sockets again
    int64_t backoff_ms;                //  next back-off
    bool kicked;                       //  heads changed during a session
    ms_uplink_status_t status;         //
    char reason[600];                  //
    ms_sync_stats_t last;              //
    uint64_t sessions;                 //
    ms_syncstore_cache_t cache;        //  upward heads while the store is unchanged
};

int64_t ms_clock_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static int open_sockets(ms_uplink_t *self, ms_error_t *err)
{
    self->up = false;
    self->opened_ms = ms_clock_ms();
    return ms_link_connect(self->zctx, self->node, self->endpoint, self->parent_key, &self->dealer,
                           &self->monitor, err);
}

static void close_sockets(ms_uplink_t *self)
{
    if (self->dealer)
        zmq_close(self->dealer);
    if (self->monitor)
        zmq_close(self->monitor);
    self->dealer = self->monitor = NULL;
    self->up = false;
}

int ms_uplink_new(void *zctx, ms_node_t *node, const ms_uplink_options_t *options,
                  ms_uplink_t **uplink_p, ms_error_t *err)
{
    *uplink_p = NULL;
    const ms_identity_t *id = ms_node_identity(node);
    static const uint8_t zero[MS_KEY_BYTES];
    const char *endpoint = options->endpoint ? options->endpoint : id->parent_endpoint;
    if (!id->parent[0] || memcmp(id->parent_key, zero, MS_KEY_BYTES) == 0)
        return ms_error_set(err, MS_EINVAL, id->org,
                            "this node has no parent to sync with (init --parent --parent-key)");
    if (!endpoint[0])
        return ms_error_set(err, MS_EINVAL, id->org,
                            "no endpoint for %s (init --parent-endpoint, or sync --endpoint)",
                            id->parent);
    ms_uplink_t *self = calloc(1, sizeof *self);
    if (!self)
        return ms_error_set(err, MS_ENOMEM, "sync", "no memory");
    self->zctx = zctx;
    self->node = node;
    self->options = *options;
    if (self->options.interval_ms <= 0)
        self->options.interval_ms = MS_UPLINK_INTERVAL_MS;
    snprintf(self->endpoint, sizeof self->endpoint, "%s", endpoint);
    snprintf(self->parent, sizeof self->parent, "%s", id->parent);
    memcpy(self->parent_key, id->parent_key, MS_KEY_BYTES);
    self->backoff_ms = MS_UPLINK_BACKOFF_MS;
    self->reconnect_ms = NEVER;
    int rc = open_sockets(self, err);
    if (rc) {
        free(self);
        return rc;
    }
    *uplink_p = self;
    return 0;
}

void ms_uplink_destroy(ms_uplink_t **uplink_p)
{
    if (!uplink_p || !*uplink_p)
        return;
    ms_uplink_t *self = *uplink_p;
    ms_sync_destroy(&self->session);
    close_sockets(self);
    ms_syncstore_cache_clear(&self->cache);
    free(self);
    *uplink_p = NULL;
}

size_t ms_uplink_items(ms_uplink_t *self, zmq_pollitem_t *items)
{
    if (!self->dealer)
        return 0;
    items[0] = (zmq_pollitem_t){self->dealer, 0, ZMQ_POLLIN, 0};
    items[1] = (zmq_pollitem_t){self->monitor, 0, ZMQ_POLLIN, 0};
    return 2;
}

static int send_up(void *ctx, const uint8_t *bytes, size_t len)
{
    ms_uplink_t *self = ctx;
    return self->dealer ? ms_link_send(self->dealer, NULL, 0, bytes, len) : -1;
}

static void schedule_retry(ms_uplink_t *self, int64_t now_ms)
{
    close_sockets(self);
    self->reconnect_ms = now_ms + self->backoff_ms;
    self->backoff_ms = self->backoff_ms * 2 > MS_UPLINK_BACKOFF_MAX_MS ? MS_UPLINK_BACKOFF_MAX_MS
                                                                       : self->backoff_ms * 2;
}

static void session_ended(ms_uplink_t *self, int64_t now_ms)
{
    ms_sync_t *s = self->session;
    const ms_sync_stats_t *st = ms_sync_stats(s);
    self->last = *st;
    self->sessions++;
    if (ms_sync_state(s) == MS_SYNC_DONE) {
        if (st->idle)
            ms_log(MS_LOG_INFO, "sync", "%s: idle, heads already equal (%llu bytes sent)",
                   self->parent, (unsigned long long)st->bytes_sent);
        else
            ms_log(MS_LOG_INFO, "sync",
                   "%s: sent %llu change sets in %llu batches (%llu bytes), received %llu "
                   "(%llu applied, %llu refused)%s",
                   self->parent, (unsigned long long)st->envelopes_sent,
                   (unsigned long long)st->batches_sent, (unsigned long long)st->bytes_sent,
                   (unsigned long long)(st->applied + st->duplicates + st->refused + st->held),
                   (unsigned long long)st->applied, (unsigned long long)st->refused,
                   st->complete ? ", heads equal" : ", heads differ");
        if (st->complete) {
            self->backoff_ms = MS_UPLINK_BACKOFF_MS;
            self->reason[0] = 0;
            self->next_session_ms = self->kicked ? now_ms : now_ms + self->options.interval_ms;
            if (!self->options.watch)
                self->status = MS_UPLINK_SYNCED;
        } else if (st->fork_resolved) {
            //  The branch the parent kept is fetched now.
            self->next_session_ms = now_ms;
        } else {
            snprintf(self->reason, sizeof self->reason,
                     _("heads differ: %llu change sets refused or held by %s, %llu here"),
                     (unsigned long long)(st->peer_refused + st->peer_held), self->parent,
                     (unsigned long long)(st->refused + st->held));
            self->next_session_ms = now_ms + self->options.interval_ms + self->backoff_ms;
            self->backoff_ms = self->backoff_ms * 2 > MS_UPLINK_BACKOFF_MAX_MS
                                   ? MS_UPLINK_BACKOFF_MAX_MS
                                   : self->backoff_ms * 2;
            if (!self->options.watch)
                self->status = MS_UPLINK_INCOMPLETE;
        }
    } else {
        if (ms_sync_failure_code(s) == MS_ESTORE)
            snprintf(self->reason, sizeof self->reason,
                     _("the parent %s could not store the data (%s); nothing was lost here, sync "
                       "again later"),
                     self->parent, ms_sync_failure(s));
        else
            snprintf(self->reason, sizeof self->reason, "%s", ms_sync_failure(s));
        ms_log(MS_LOG_WARN, "sync", "session with %s failed: %s; retrying in %lld ms", self->parent,
               self->reason, (long long)self->backoff_ms);
        if ((ms_sync_failure_code(s) == MS_EREFUSED || ms_sync_failure_code(s) == MS_EFORK) &&
            !self->options.watch)
            self->status = MS_UPLINK_REFUSED;
        schedule_retry(self, now_ms);
        self->next_session_ms = 0;
    }
    self->kicked = false;
    ms_sync_destroy(&self->session);
}

static void check_session(ms_uplink_t *self, int64_t now_ms)
{
    if (!self->session)
        return;
    ms_sync_state_t state = ms_sync_state(self->session);
    if (state == MS_SYNC_DONE || state == MS_SYNC_FAILED)
        session_ended(self, now_ms);
}

static void link_event(ms_uplink_t *self, ms_link_event_t event, int64_t now_ms)
{
    switch (event) {
    case MS_LINK_UP:
        self->up = true;
        ms_log(MS_LOG_INFO, "sync", "link to %s at %s is up", self->parent, self->endpoint);
        break;
    case MS_LINK_LOST_HANDSHAKE:
        //  Retried by libzmq with its back-off; reported only if no session
        //  completes before the caller's timeout, as a link problem.
        snprintf(self->reason, sizeof self->reason,
                 _("the link to %s at %s dropped during the handshake (a thin link or a busy "
                   "parent): retrying"),
                 self->parent, self->endpoint);
        ms_log(MS_LOG_INFO, "sync", "%s", self->reason);
        break;
    case MS_LINK_DOWN:
        self->up = false;
        ms_log(MS_LOG_INFO, "sync", "link to %s at %s is down", self->parent, self->endpoint);
        if (self->session) {
            ms_sync_abort(self->session, _("the link went down"));
            check_session(self, now_ms);
        }
        break;
    case MS_LINK_REFUSED:
    case MS_LINK_BAD_HANDSHAKE:
        snprintf(self->reason, sizeof self->reason, _("%s at %s refused this node: %s"),
                 self->parent, self->endpoint,
                 event == MS_LINK_REFUSED ? _("its key is not certified there, or it was revoked")
                                          : _("the handshake failed (is the parent key right?)"));
        ms_log(MS_LOG_WARN, "sync", "%s", self->reason);
        if (!self->options.watch)
            self->status = MS_UPLINK_REFUSED;
        break;
    case MS_LINK_NONE:
        break;
    }
}

void ms_uplink_handle(ms_uplink_t *self, const zmq_pollitem_t *items, size_t count, int64_t now_ms)
{
    if (count >= 2 && (items[1].revents & ZMQ_POLLIN))
        for (int i = 0; i < 16 && self->monitor; i++) {
            ms_link_event_t event = ms_link_event(self->monitor);
            if (event == MS_LINK_NONE)
                break;
            link_event(self, event, now_ms);
        }
    if (count < 1 || !(items[0].revents & ZMQ_POLLIN))
        return;
    //  Bounded, so a fast peer cannot starve the caller's other sockets.
    for (int i = 0; i < 64 && self->dealer; i++) {
        uint8_t *bytes;
        long len = ms_link_recv(self->dealer, NULL, NULL, NULL, &bytes);
        if (len <= 0 && !bytes)
            break;
        if (self->session)
            ms_sync_recv(self->session, bytes, (size_t)len, now_ms);
        else
            ms_log(MS_LOG_DEBUG, "sync", "dropped a message from %s outside a session",
                   self->parent);
        free(bytes);
        check_session(self, now_ms);
    }
}

static void start_session(ms_uplink_t *self, int64_t now_ms)
{
    ms_error_t err = {0};
    //  The parent must not get stale figures: what is pending is published first
    //  (a month that rolled over while watching, reports not yet signed).
    if (!self->options.backup_only && ms_node_before_leave(self->node, &err) != 0) {
        ms_log(MS_LOG_ERROR, "sync", "cannot publish before syncing: %s", err.message);
        self->next_session_ms = now_ms + self->backoff_ms;
        return;
    }
    if (ms_sync_new(self->node, MS_SYNC_INITIATOR, self->parent, send_up, self, now_ms,
                    &self->session, &err) != 0) {
        ms_log(MS_LOG_ERROR, "sync", "cannot start a session: %s", err.message);
        self->next_session_ms = now_ms + self->backoff_ms;
        return;
    }
    if (self->options.backup_only)
        ms_sync_set_backup_request(self->session);
    if (self->options.window)
        ms_sync_set_window(self->session, self->options.window);
    if (self->options.session_timeout_ms)
        ms_sync_set_timeout(self->session, self->options.session_timeout_ms);
    ms_sync_set_cache(self->session, &self->cache);
    ms_sync_start(self->session, now_ms);
    check_session(self, now_ms);
}

void ms_uplink_tick(ms_uplink_t *self, int64_t now_ms)
{
    if (self->status != MS_UPLINK_RUNNING)
        return;
    if (!self->dealer && now_ms >= self->reconnect_ms) {
        ms_error_t err = {0};
        self->reconnect_ms = NEVER;
        if (open_sockets(self, &err) != 0) {
            ms_log(MS_LOG_ERROR, "sync", "cannot reconnect: %s", err.message);
            schedule_retry(self, now_ms);
        }
    }
    if (self->session) {
        ms_sync_tick(self->session, now_ms);
        check_session(self, now_ms);
    } else if (self->dealer && self->up && now_ms >= self->next_session_ms) {
        start_session(self, now_ms);
    }
}

int64_t ms_uplink_timeout(const ms_uplink_t *self, int64_t now_ms)
{
    int64_t wake = NEVER;
    if (self->session)
        wake = now_ms + MS_UPLINK_SESSION_TICK_MS;
    if (!self->dealer && self->reconnect_ms < wake)
        wake = self->reconnect_ms;
    if (!self->session && self->up && self->next_session_ms < wake)
        wake = self->next_session_ms;
    if (wake == NEVER)
        return -1;
    return wake > now_ms ? wake - now_ms : 0;
}

void ms_uplink_kick(ms_uplink_t *self, int64_t now_ms)
{
    if (self->session)
        self->kicked = true;
    if (self->next_session_ms > now_ms)
        self->next_session_ms = now_ms;
    bool handshaking = self->dealer && now_ms - self->opened_ms < HANDSHAKE_GRACE_MS;
    if (!self->up && !self->session && !handshaking && self->status == MS_UPLINK_RUNNING) {
        //  libzmq or our back-off may wait up to a minute; a write should not.
        close_sockets(self);
        self->reconnect_ms = now_ms;
        self->backoff_ms = MS_UPLINK_BACKOFF_MS;
        ms_log(MS_LOG_DEBUG, "sync", "local heads changed: connecting to %s now", self->parent);
    }
}

ms_uplink_status_t ms_uplink_status(const ms_uplink_t *self)
{
    return self->status;
}

const char *ms_uplink_reason(const ms_uplink_t *self)
{
    return self->reason;
}

const ms_sync_stats_t *ms_uplink_current(const ms_uplink_t *self)
{
    return self->session ? ms_sync_stats(self->session) : NULL;
}

const ms_sync_stats_t *ms_uplink_last(const ms_uplink_t *self)
{
    return &self->last;
}

uint64_t ms_uplink_sessions(const ms_uplink_t *self)
{
    return self->sessions;
}
