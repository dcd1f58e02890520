//  mutsyncd - the long-running node of a union or the secretariat.
//
//  One thread, one zmq_poll loop over: the ROUTER its children connect to
//  (CurveZMQ server), the ZAP socket that admits only certified children,
//  a signalfd (SIGTERM, SIGINT: stop cleanly), the ROUTER's connection
//  events (door.h: connections kept under the descriptor budget) and the
//  upward link when the node has a parent. It sleeps until one of them has
//  something or a timer is due: an idle node with no parent never wakes.
//  With a parent, a slow timer (every 1 to 8 s) compares the store's
//  generation (one read of LMDB's last txn id) to notice change sets
//  written into the directory by `mutsync` or applied from children, and
//  only when it moved compares a digest of the heads, which kicks the
//  upward link; the link itself only checks with the parent every
//  --sync-interval (300 s by default) and sends nothing in between. Each
//  child has at most one session (sync.c's state table); a new Hello from
//  a child replaces its old session. The views hook is
//  attached at start, so what children send moves this level's views in
//  the same transaction. Nothing a child sends can block the loop or stop
//  it serving the others: a batch is one bounded write transaction, a bad
//  frame ends only that child's session.
//  kill -9 at any moment loses nothing acknowledged: an Ack follows a
//  durable commit.

#include "cli_opts.h"
#include "config.h"
#include "door.h"
#include "notify.h"

#include "mutsync/i18n.h"
#include "mutsync/link.h"
#include "mutsync/log.h"
#include "mutsync/mutsync.h"
#include "mutsync/replica.h"
#include "mutsync/site.h"
#include "mutsync/sync.h"
#include "mutsync/syncup.h"
#include "mutsync/views.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <zmq.h>

#define LOCAL_WRITES_POLL_MS 1000      //  store generation compared this often after a change
#define LOCAL_WRITES_POLL_MAX_MS 8000  //  and, doubling while nothing changes, at most this seldom
#define SESSION_TICK_MS 1000           //  how often sessions are checked for stalls while any run
#define CHILDREN_MAX 4096              //  children remembered
#define SESSIONS_MAX 256               //  sessions at once

static const char usage_text[] =
    N_("usage: mutsyncd -d DIR --listen ENDPOINT [--sync-interval SECONDS]\n"
       "                [--session-timeout SECONDS] [--window N] [-v] [-q] [--lang fr|en]\n"
       "                [--config FILE] [--site DIR] [--log-level error|warn|info|debug]\n"
       "       mutsyncd --version\n"
       "Runs the node in DIR (a union or the secretariat): accepts its certified\n"
       "children on ENDPOINT (e.g. tcp://127.0.0.1:7301) and, when the node has a\n"
       "parent, keeps its own link to it, syncing every --sync-interval seconds\n"
       "(default 300) and as soon as local heads change. -d may be left to\n"
       "$MUTSYNC_DIR. --site names the directory of the public site. Settings\n"
       "not given as flags are read from --config FILE (by default mutsyncd.conf\n"
       "in SYSCONFDIR/mutsync, /etc/mutsync when installed under /usr, if it\n"
       "exists; see mutsyncd(8)).\n"
       "Logs go to stderr (in English, for the operators' tools).\n"
       "SIGTERM or SIGINT stops it cleanly.\n");

static ms_site_keeper_t site;  //  --site, or the settings file's site

typedef struct {
    char org[MS_ORG_MAX + 1];                    //  the child (ZAP User-Id)
    uint8_t routing_id[MS_LINK_ROUTING_ID_MAX];  //  its current connection
    size_t routing_id_len;                       //
    ms_sync_t *session;                          //  NULL between sessions
    void *router;                                //  for sending
} child_t;

typedef struct {
    ms_node_t *node;
    void *router;
    ms_door_t *door;  //  its connections under the descriptor budget
    bool applied;     //  a child's session applied change sets since the last look
    child_t *children[CHILDREN_MAX];
    size_t child_count;
    size_t session_count;
    int64_t session_timeout_ms;
    uint32_t window;
} server_t;

static int send_down(void *ctx, const uint8_t *bytes, size_t len)
{
    child_t *child = ctx;
    return ms_link_send(child->router, child->routing_id, child->routing_id_len, bytes, len);
}

static child_t *find_child(server_t *server, const char *org, bool create)
{
    for (size_t i = 0; i < server->child_count; i++)
        if (strcmp(server->children[i]->org, org) == 0)
            return server->children[i];
    if (!create || server->child_count == CHILDREN_MAX)
        return NULL;
    child_t *child = calloc(1, sizeof *child);
    if (!child)
        return NULL;
    snprintf(child->org, sizeof child->org, "%s", org);
    child->router = server->router;
    server->children[server->child_count++] = child;
    return child;
}

static void reply_error(server_t *server, const uint8_t *routing_id, size_t id_len, int code,
                        const char *reason)
{
    ms_msg_t msg = {.type = MS_MSG_ERROR, .code = code};
    snprintf(msg.reason, sizeof msg.reason, "%s", reason);
    uint8_t *bytes;
    size_t len;
    if (ms_msg_encode(&msg, &bytes, &len, NULL) == 0) {
        (void)!ms_link_send(server->router, routing_id, id_len, bytes, len);
        free(bytes);
    }
}

static void end_session(server_t *server, child_t *child)
{
    const ms_sync_stats_t *st = ms_sync_stats(child->session);
    if (st->applied)
        server->applied = true;
    //  Every watching child checks every few minutes: its idle checks are not news.
    if (ms_sync_state(child->session) == MS_SYNC_DONE && st->idle)
        ms_log(MS_LOG_DEBUG, "sync", "%s: idle, heads already equal", child->org);
    else if (ms_sync_state(child->session) == MS_SYNC_DONE)
        ms_log(MS_LOG_INFO, "sync",
               "%s: received %llu change sets (%llu applied, %llu already held, %llu refused, "
               "%llu held back), sent %llu in %llu batches, %s",
               child->org,
               (unsigned long long)(st->applied + st->duplicates + st->refused + st->held),
               (unsigned long long)st->applied, (unsigned long long)st->duplicates,
               (unsigned long long)st->refused, (unsigned long long)st->held,
               (unsigned long long)st->envelopes_sent, (unsigned long long)st->batches_sent,
               st->complete ? "heads equal" : "heads differ");
    else
        ms_log(MS_LOG_WARN, "sync", "%s: session failed: %s", child->org,
               ms_sync_failure(child->session));
    ms_sync_destroy(&child->session);
    server->session_count--;
}

static void check_child(server_t *server, child_t *child)
{
    ms_sync_state_t state = child->session ? ms_sync_state(child->session) : MS_SYNC_DONE;
    if (child->session && (state == MS_SYNC_DONE || state == MS_SYNC_FAILED))
        end_session(server, child);
}

static void start_session(server_t *server, child_t *child, int64_t now_ms)
{
    if (child->session) {
        ms_log(MS_LOG_INFO, "sync", "%s: a new session replaces the one in state %s", child->org,
               ms_sync_state_name(ms_sync_state(child->session)));
        ms_sync_abort(child->session, "replaced by a new session");
        end_session(server, child);
    }
    ms_error_t err = {0};
    if (server->session_count >= SESSIONS_MAX ||
        ms_sync_new(server->node, MS_SYNC_RESPONDER, child->org, send_down, child, now_ms,
                    &child->session, &err) != 0) {
        ms_log(MS_LOG_WARN, "sync", "%s: no session: %s", child->org,
               err.message[0] ? err.message : "too many sessions at once");
        reply_error(server, child->routing_id, child->routing_id_len, MS_ENOMEM,
                    "busy: too many sessions, try again later");
        return;
    }
    server->session_count++;
    if (server->window)
        ms_sync_set_window(child->session, server->window);
    if (server->session_timeout_ms)
        ms_sync_set_timeout(child->session, server->session_timeout_ms);
}

static void child_message(server_t *server, const uint8_t *routing_id, size_t id_len,
                          const char *org, const uint8_t *bytes, size_t len, int64_t now_ms)
{
    if (!org[0]) {
        ms_log(MS_LOG_WARN, "sync", "a message without an authenticated peer was dropped");
        return;
    }
    ms_msg_type_t type = ms_msg_peek(bytes, len);
    bool hello = type == MS_MSG_HELLO;
    //  Junk gets a session of its own, whose first act is to refuse and quarantine it.
    bool junk = type == MS_MSG_NONE || len > MS_SYNC_FRAME_MAX;
    child_t *child = find_child(server, org, hello || junk);
    bool same_link = child && child->session && id_len == child->routing_id_len &&
                     memcmp(routing_id, child->routing_id, id_len) == 0;
    if (!child || (!hello && !junk && !same_link)) {
        ms_log(MS_LOG_WARN, "sync", "%s: a %s message outside a session was refused", org,
               ms_msg_name(type));
        reply_error(server, routing_id, id_len, MS_EINVAL, "no session: start with hello");
        return;
    }
    if (hello || (junk && !same_link)) {
        memcpy(child->routing_id, routing_id, id_len);
        child->routing_id_len = id_len;
        start_session(server, child, now_ms);
    }
    if (child->session) {
        ms_sync_recv(child->session, bytes, len, now_ms);
        check_child(server, child);
    }
}

static void read_children(server_t *server, int64_t now_ms)
{
    //  Bounded, so one busy child cannot starve the timer and the others.
    for (int i = 0; i < 64; i++) {
        uint8_t routing_id[MS_LINK_ROUTING_ID_MAX];
        size_t id_len = 0;
        char org[MS_ORG_MAX + 1] = "";
        uint8_t *bytes;
        long len = ms_link_recv(server->router, routing_id, &id_len, org, &bytes);
        if (len < 0) {
            ms_log(MS_LOG_WARN, "sync", "%s: a message of several frames was dropped",
                   org[0] ? org : "a peer");
            continue;
        }
        if (!bytes)
            break;
        child_message(server, routing_id, id_len, org, bytes, (size_t)len, now_ms);
        free(bytes);
    }
}

static void tick_children(server_t *server, int64_t now_ms)
{
    for (size_t i = 0; i < server->child_count; i++) {
        child_t *child = server->children[i];
        if (child->session) {
            ms_sync_tick(child->session, now_ms);
            check_child(server, child);
        }
    }
}

static int feed_digest(const char *org, const char *feed, const ms_head_t *head, void *ctx)
{
    uint8_t seq[8];
    ms_put_be64(seq, head->seq);
    crypto_generichash_update(ctx, (const uint8_t *)org, strlen(org) + 1);
    crypto_generichash_update(ctx, (const uint8_t *)feed, strlen(feed) + 1);
    crypto_generichash_update(ctx, seq, sizeof seq);
    return 0;
}

//  A digest of every head: it changes when anyone (this process or
//  `mutsync` in the same directory) commits a change set.
static void heads_digest(ms_node_t *node, uint8_t *digest)
{
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, 16);
    ms_txn_t *txn;
    if (ms_store_read(ms_node_store(node), &txn, NULL) == 0) {
        (void)!ms_replica_feeds(txn, feed_digest, &state, NULL);
        ms_txn_abort(&txn);
    }
    crypto_generichash_final(&state, digest, 16);
}

typedef struct {
    const char *dir;
    const char *listen;
    const char *site;  //  where the public site is written; NULL: none
    int64_t interval_ms;
    int64_t session_timeout_ms;
    uint32_t window;
    ms_log_level_t level;
} options_t;

enum {
    OPT_LISTEN,
    OPT_SYNC_INTERVAL,
    OPT_SESSION_TIMEOUT,
    OPT_WINDOW,
    OPT_QUIET,
    OPT_VERSION,
    OPT_CONFIG,
    OPT_SITE,
    OPT_LOG_LEVEL
};

static const cli_opt_t option_table[] = {
    {"listen", CLI_TEXT, 0, 0, 0},
    {"sync-interval", CLI_DECIMAL, 0.1, 86400, 0},
    {"session-timeout", CLI_DECIMAL, 0.1, 86400, 0},
    {"window", CLI_UINT, 1, MS_SYNC_WINDOW_MAX, 0},
    {"quiet", CLI_FLAG, 0, 0, 'q'},
    {"version", CLI_FLAG, 0, 0, 0},
    {"config", CLI_TEXT, 0, 0, 0},
    {"site", CLI_TEXT, 0, 0, 0},
    {"log-level", CLI_TEXT, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

//  Returns 0, or the exit status (usage: 2, a refused config file: 1) after
//  saying why. --help and --version print and exit 0. Flags win over
//  CONFIG, which O's strings may borrow from.
static int parse(int argc, char **argv, options_t *o, ms_config_t *config)
{
    cli_set_program("mutsyncd");
    cli_args_t args;
    int rc = cli_parse(argc, argv, option_table, NULL, usage_text, &args);
    if (rc == CLI_HELPED)
        exit(0);
    if (rc)
        return rc;
    if (args.text[OPT_VERSION]) {
        printf("mutsyncd %s\n", MS_VERSION_TEXT);
        exit(0);
    }
    ms_error_t err = {0};
    if (ms_config_load(args.text[OPT_CONFIG], config, &err) != 0) {
        char text[MS_ERROR_MSG_BYTES + 160];
        fprintf(stderr, "%smutsyncd: %s\n", ms_log_priority_prefix(MS_LOG_ERROR),
                ms_error_text(&err, text, sizeof text));
        return CLI_REFUSED;
    }
    o->level = config->has_log_level ? config->log_level : MS_LOG_INFO;
    if (args.text[OPT_LOG_LEVEL] && ms_log_level_parse(args.text[OPT_LOG_LEVEL], &o->level) != 0)
        return cli_usage(usage_text, _("--log-level must be error, warn, info or debug"));
    if (!args.text[OPT_LOG_LEVEL] && args.text[OPT_QUIET])
        o->level = MS_LOG_WARN;
    else if (!args.text[OPT_LOG_LEVEL] && cli_verbosity())
        o->level = MS_LOG_DEBUG;
    o->dir = cli_dir_given() ? cli_dir_given() : config->directory;
    o->listen = args.text[OPT_LISTEN] ? args.text[OPT_LISTEN] : config->listen;
    o->site = args.text[OPT_SITE] ? args.text[OPT_SITE] : config->site;
    site.dir = o->site;
    site.base.lang = cli_lang_given();
    double interval =
        args.text[OPT_SYNC_INTERVAL] ? args.number[OPT_SYNC_INTERVAL] : config->sync_interval;
    o->interval_ms = (int64_t)(interval * 1000);
    o->session_timeout_ms = (int64_t)(args.number[OPT_SESSION_TIMEOUT] * 1000);
    o->window = (uint32_t)args.number[OPT_WINDOW];
    if (!o->dir || !o->listen)
        return cli_usage(usage_text,
                         _("-d DIR (or $MUTSYNC_DIR) and --listen ENDPOINT are required"));
    return 0;
}

//  What the loop knows of local writes: the store generation and the heads
//  digest last seen.
typedef struct {
    uint64_t generation;  //  ms_store_generation when last compared
    uint8_t digest[16];   //  heads_digest then
    int64_t next_ms;      //  when to compare again
    int64_t every_ms;     //  the current spacing of the looks
} local_writes_t;

//  Kicks the upward link when someone (this process or `mutsync` in the
//  same directory) committed new change sets. Costs one read of the
//  generation unless something was committed. The looks space out while
//  nothing changes (an idle node wakes a few times a minute, not every
//  second) and come back to every second after a change; a child's session
//  that applied something brings the next look forward at once.
static void notice_local_writes(server_t *server, local_writes_t *seen, ms_uplink_t *uplink,
                                int64_t now)
{
    server->applied = false;
    uint64_t generation = ms_store_generation(ms_node_store(server->node));
    if (generation == seen->generation) {
        seen->every_ms = seen->every_ms * 2 < LOCAL_WRITES_POLL_MAX_MS ? seen->every_ms * 2
                                                                       : LOCAL_WRITES_POLL_MAX_MS;
        seen->next_ms = now + seen->every_ms;
        return;
    }
    seen->every_ms = LOCAL_WRITES_POLL_MS;
    seen->next_ms = now + seen->every_ms;
    seen->generation = generation;
    ms_site_keeper_note(&site, now);  //  any commit: children's data too
    if (!uplink)
        return;
    uint8_t digest[16];
    heads_digest(server->node, digest);
    if (memcmp(digest, seen->digest, sizeof digest) != 0) {
        memcpy(seen->digest, digest, sizeof digest);
        ms_log(MS_LOG_DEBUG, "mutsyncd", "local heads changed");
        ms_uplink_kick(uplink, now);
    }
}

//  Milliseconds zmq_poll may sleep: until the first timer due, or -1
//  (until an event) when none is.
static long poll_timeout(const server_t *server, const local_writes_t *seen,
                         const ms_uplink_t *uplink, int64_t now)
{
    int64_t wake = ms_link_zap_tick(now, false);
    int64_t door_wake = ms_door_tick(server->door, now, false);
    if (door_wake < wake)
        wake = door_wake;
    if (server->session_count && now + SESSION_TICK_MS < wake)
        wake = now + SESSION_TICK_MS;
    if ((uplink || site.dir) && seen->next_ms < wake)
        wake = seen->next_ms;
    if (site.dir && site.due_ms && site.due_ms < wake)
        wake = site.due_ms;
    int64_t uplink_ms = uplink ? ms_uplink_timeout(uplink, now) : -1;
    if (uplink_ms >= 0 && now + uplink_ms < wake)
        wake = now + uplink_ms;
    if (wake == INT64_MAX)
        return -1;
    return wake > now ? (long)(wake - now) : 0;
}

static int serve(server_t *server, void *zap, ms_uplink_t *uplink, int signal_fd)
{
    local_writes_t seen = {.generation = ms_store_generation(ms_node_store(server->node)),
                           .next_ms = ms_clock_ms() + LOCAL_WRITES_POLL_MS,
                           .every_ms = LOCAL_WRITES_POLL_MS};
    if (uplink)
        heads_digest(server->node, seen.digest);
    for (;;) {
        zmq_pollitem_t items[6] = {
            {server->router, 0, ZMQ_POLLIN, 0},
            {zap, 0, ZMQ_POLLIN, 0},
            {NULL, signal_fd, ZMQ_POLLIN, 0},
            {ms_door_socket(server->door), 0, ZMQ_POLLIN, 0},
        };
        size_t up_count = uplink ? ms_uplink_items(uplink, &items[4]) : 0;
        long timeout = poll_timeout(server, &seen, uplink, ms_clock_ms());
        if (zmq_poll(items, (int)(4 + up_count), timeout) < 0 && zmq_errno() != EINTR) {
            ms_log(MS_LOG_ERROR, "mutsyncd", "poll failed: %s", zmq_strerror(zmq_errno()));
            return 1;
        }
        int64_t now = ms_clock_ms();
        if (items[2].revents & ZMQ_POLLIN) {
            struct signalfd_siginfo info;
            if (read(signal_fd, &info, sizeof info) == (ssize_t)sizeof info) {
                ms_log(MS_LOG_INFO, "mutsyncd", "signal %u: stopping", info.ssi_signo);
                (void)ms_link_zap_tick(now, true);
                (void)ms_door_tick(server->door, now, true);
                return 0;
            }
        }
        for (int i = 0; i < 16 && (items[1].revents & ZMQ_POLLIN); i++) {
            ms_error_t err = {0};
            if (ms_link_zap_handle(zap, server->node, &err) != 0)
                ms_log(MS_LOG_ERROR, "link", "%s", err.message);
            int events = 0;
            size_t size = sizeof events;
            if (zmq_getsockopt(zap, ZMQ_EVENTS, &events, &size) != 0 || !(events & ZMQ_POLLIN))
                break;
        }
        if (items[3].revents & ZMQ_POLLIN)
            ms_door_handle(server->door, now);
        if (items[0].revents & ZMQ_POLLIN)
            read_children(server, now);
        if (uplink)
            ms_uplink_handle(uplink, &items[4], up_count, now);
        tick_children(server, now);
        if ((uplink || site.dir) && (now >= seen.next_ms || server->applied))
            notice_local_writes(server, &seen, uplink, now);
        ms_error_t site_err = {0};
        if (ms_site_keeper_tick(&site, server->node, now, &site_err) != 0)
            ms_log(MS_LOG_WARN, "site", "%s: %s", site_err.where, site_err.message);
        if (uplink)
            ms_uplink_tick(uplink, now);
    }
}

int main(int argc, char **argv)
{
    options_t o = {.level = MS_LOG_INFO};
    ms_config_t config = {0};
    ms_log_set_journal(ms_log_stderr_is_journal());
    int rc = parse(argc, argv, &o, &config);
    if (rc) {
        ms_config_clear(&config);
        return rc;
    }
    ms_log_set_level(o.level);
    //  From here on everything is a log line, and logs are in English: the
    //  library's messages they quote too, whatever --lang or the locale said.
    (void)!ms_i18n_init("en");
    if (sodium_init() < 0)
        return 1;
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    signal(SIGPIPE, SIG_IGN);
    int signal_fd = -1;
    if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0 || (signal_fd = signalfd(-1, &mask, 0)) < 0) {
        ms_log(MS_LOG_ERROR, "mutsyncd", "cannot watch signals: %s", strerror(errno));
        return 1;
    }
    ms_error_t err = {0};
    server_t server = {.session_timeout_ms = o.session_timeout_ms, .window = o.window};
    const ms_keypair_t *keypair;
    void *zctx = NULL, *zap = NULL;
    ms_uplink_t *uplink = NULL;
    rc = ms_node_open(o.dir, &server.node, &err);
    if (rc == 0)
        rc = ms_views_attach(server.node, &err);
    if (rc == 0)
        rc = ms_node_keypair(server.node, &keypair, &err);
    if (rc == 0 && !(zctx = zmq_ctx_new()))
        rc = ms_error_set(&err, MS_ENET, "zmq", "cannot create a context");
    if (rc == 0)
        rc = ms_link_listen(zctx, server.node, o.listen, &server.router, &zap, &err);
    const ms_identity_t *id = rc == 0 ? ms_node_identity(server.node) : NULL;
    if (rc == 0 && id->parent[0] && id->parent_endpoint[0]) {
        ms_uplink_options_t up = {.watch = true,
                                  .interval_ms = o.interval_ms,
                                  .session_timeout_ms = o.session_timeout_ms,
                                  .window = o.window};
        rc = ms_uplink_new(zctx, server.node, &up, &uplink, &err);
    }
    if (rc == 0)
        rc = ms_door_open(zctx, server.router, &server.door, &err);
    int status = 1;
    if (rc == 0) {
        ms_log(MS_LOG_INFO, "mutsyncd", "%s (%s, %s) listening on %s%s%s%s%s", id->org,
               ms_role_name(id->role), id->country, o.listen, uplink ? "; parent " : "",
               uplink ? id->parent : "", uplink ? " at " : "", uplink ? id->parent_endpoint : "");
        if (o.site)
            ms_log(MS_LOG_INFO, "mutsyncd", "site directory %s", o.site);
        char ready[256];
        snprintf(ready, sizeof ready, "%s listening on %s", id->org, o.listen);
        if (ms_notify_ready(ready) < 0)
            ms_log(MS_LOG_WARN, "mutsyncd", "could not tell systemd it is ready");
        status = serve(&server, zap, uplink, signal_fd);
        (void)ms_notify_stopping();
    } else {
        char text[MS_ERROR_MSG_BYTES + 160];
        ms_log(MS_LOG_ERROR, "mutsyncd", "%s", ms_error_text(&err, text, sizeof text));
    }
    for (size_t i = 0; i < server.child_count; i++) {
        ms_sync_destroy(&server.children[i]->session);
        free(server.children[i]);
    }
    ms_uplink_destroy(&uplink);
    ms_door_close(&server.door);
    if (server.router)
        zmq_close(server.router);
    if (zap)
        zmq_close(zap);
    if (zctx)
        zmq_ctx_term(zctx);
    ms_node_close(&server.node);
    close(signal_fd);
    if (status == 0)
        ms_log(MS_LOG_INFO, "mutsyncd", "stopped");
    ms_config_clear(&config);
    return status;
}
