//  cmd_sync - sync with the parent: one shot, or --watch.

#include "cli.h"
#include "commands.h"

#include "mutsync/log.h"
#include "mutsync/replica.h"
#include "mutsync/resolve.h"
#include "mutsync/sync.h"
#include "mutsync/syncup.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char sync_usage[] =
    N_("usage: mutsync -d DIR sync [--watch] [--interval SECONDS] [--timeout SECONDS]\n"
       "                           [--endpoint tcp://HOST:PORT] [--window N]\n"
       "Syncs this node with its parent (set at init): sends what the parent lacks\n"
       "of this node's feeds in scope (and its descendants'), receives the parent's\n"
       "and ancestors' public feeds. One shot by default: exits 0 once both sides\n"
       "hold the same heads, 1 when the parent refused this node or some change\n"
       "sets, or when --timeout (default 120) passes first; a cut link is retried.\n"
       "--watch keeps the link open and checks every --interval seconds (default\n"
       "300), and syncs within a second or two of a local write, reconnecting at\n"
       "once if the link was down, until SIGTERM or SIGINT. An idle watch sends\n"
       "nothing between checks (no heartbeats); each check is one small round trip.\n");

#define LOCAL_WRITES_POLL_MS 1000  //  watching: how often the store generation is compared

static volatile sig_atomic_t stopping;

static void on_signal(int signo)
{
    (void)signo;
    stopping = 1;
}

static int heads_fn(const char *org, const char *feed, const ms_head_t *head, void *ctx)
{
    crypto_generichash_update(ctx, (const uint8_t *)org, strlen(org) + 1);
    crypto_generichash_update(ctx, (const uint8_t *)feed, strlen(feed) + 1);
    crypto_generichash_update(ctx, head->hash, MS_HASH_BYTES);
    return 0;
}

static void heads_digest(ms_node_t *node, uint8_t *digest)
{
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, 16);
    ms_txn_t *txn;
    if (ms_store_read(ms_node_store(node), &txn, NULL) == 0) {
        (void)!ms_replica_feeds(txn, heads_fn, &state, NULL);
        ms_txn_abort(&txn);
    }
    crypto_generichash_final(&state, digest, 16);
}

static void print_outcome(const ms_identity_t *id, const char *endpoint, const ms_sync_stats_t *st)
{
    if (st->idle) {
        printf(_("synced with %s at %s: idle, heads already equal (%llu bytes sent, %llu "
                 "received)\n"),
               id->parent, endpoint, (unsigned long long)st->bytes_sent,
               (unsigned long long)st->bytes_received);
        return;
    }
    printf(_("synced with %s at %s: sent %llu change sets in %llu batches (%llu applied there), "
             "received %llu (%llu applied, %llu already held, %llu refused, %llu held back); "
             "%llu bytes sent, %llu received; %s\n"),
           id->parent, endpoint, (unsigned long long)st->envelopes_sent,
           (unsigned long long)st->batches_sent, (unsigned long long)st->peer_applied,
           (unsigned long long)(st->applied + st->duplicates + st->refused + st->held),
           (unsigned long long)st->applied, (unsigned long long)st->duplicates,
           (unsigned long long)st->refused, (unsigned long long)st->held,
           (unsigned long long)st->bytes_sent, (unsigned long long)st->bytes_received,
           st->complete ? _("heads equal") : _("heads differ"));
}

//  Progress of a one-shot sync on a terminal: change sets sent and received
//  of those the heads showed missing, rate, time left, on one line of stderr
//  rewritten at most five times a second; nothing when stderr is not a
//  terminal (a script, a log).
typedef struct {
    int64_t start_ms;  //  when the command began
    int64_t shown_ms;  //  when the line was last written, 0 = never
} progress_t;

static void show_progress(progress_t *p, const ms_sync_stats_t *st, int64_t now_ms)
{
    uint64_t total = st ? st->to_send + st->to_receive : 0;
    if (!total || now_ms - p->start_ms < 500 || now_ms - p->shown_ms < 200)
        return;
    uint64_t done = st->envelopes_sent + st->applied + st->duplicates + st->refused + st->held;
    if (done > total)
        done = total;
    p->shown_ms = now_ms;
    double rate = (double)done * 1000.0 / (double)(now_ms - p->start_ms);
    double left = rate > 0 ? (double)(total - done) / rate : 0;
    fputc('\r', stderr);
    fprintf(stderr, _("%llu of %llu change sets, %.0f/s, about %.0f s left "),
            (unsigned long long)done, (unsigned long long)total, rate, left);
    fflush(stderr);
}

typedef struct {
    ms_uplink_options_t up;
    int64_t timeout_ms;
} sync_options_t;

enum { SYNC_WATCH, SYNC_INTERVAL, SYNC_TIMEOUT, SYNC_ENDPOINT, SYNC_WINDOW, SYNC_SESSION_TIMEOUT };

static const cli_opt_t sync_opts[] = {
    {"watch", CLI_FLAG, 0, 0, 0},
    {"interval", CLI_DECIMAL, 0.1, 86400, 0},
    {"timeout", CLI_DECIMAL, 0.1, 604800, 0},
    {"endpoint", CLI_TEXT, 0, 0, 0},
    {"window", CLI_UINT, 1, MS_SYNC_WINDOW_MAX, 0},
    {"session-timeout", CLI_DECIMAL, 0.1, 86400, 0},
    {NULL, 0, 0, 0, 0},
};

static int parse(int argc, char **argv, sync_options_t *o)
{
    cli_args_t args;
    int rc = cli_parse(argc, argv, sync_opts, NULL, sync_usage, &args);
    if (rc)
        return rc;
    o->up.watch = args.text[SYNC_WATCH] != NULL;
    o->up.interval_ms = (int64_t)(args.number[SYNC_INTERVAL] * 1000);
    o->timeout_ms = (int64_t)(args.number[SYNC_TIMEOUT] * 1000);
    o->up.endpoint = args.text[SYNC_ENDPOINT];
    o->up.window = (uint32_t)args.number[SYNC_WINDOW];
    o->up.session_timeout_ms = (int64_t)(args.number[SYNC_SESSION_TIMEOUT] * 1000);
    if (o->timeout_ms <= 0)
        o->timeout_ms = 120000;
    return 0;
}

//  What the watch loop knows of local writes, as mutsyncd does: the store
//  generation (one read of LMDB's last txn id) compared every
//  LOCAL_WRITES_POLL_MS, and the heads digest only when it moved.
typedef struct {
    uint64_t generation;  //  ms_store_generation when last compared
    uint8_t digest[16];   //  heads_digest then
    int64_t next_ms;      //  when to compare again
} local_writes_t;

static void notice_local_writes(ms_node_t *node, local_writes_t *seen, ms_uplink_t *uplink,
                                int64_t now)
{
    seen->next_ms = now + LOCAL_WRITES_POLL_MS;
    uint64_t generation = ms_store_generation(ms_node_store(node));
    if (generation == seen->generation)
        return;
    seen->generation = generation;
    uint8_t digest[16];
    heads_digest(node, digest);
    if (memcmp(digest, seen->digest, sizeof digest) != 0) {
        memcpy(seen->digest, digest, sizeof digest);
        ms_uplink_kick(uplink, now);
    }
}

//  Milliseconds to sleep: until the uplink's next timer, the next look at
//  local writes (watching) or the deadline (one shot).
static long poll_timeout(const ms_uplink_t *uplink, const local_writes_t *seen, bool watch,
                         int64_t deadline, int64_t now)
{
    int64_t wake = watch ? seen->next_ms : deadline;
    int64_t uplink_ms = ms_uplink_timeout(uplink, now);
    if (uplink_ms >= 0 && now + uplink_ms < wake)
        wake = now + uplink_ms;
    return wake > now ? (long)(wake - now) : 0;
}

static int run(ms_node_t *node, void *zctx, const sync_options_t *o)
{
    ms_error_t err = {0};
    ms_uplink_t *uplink;
    if (ms_uplink_new(zctx, node, &o->up, &uplink, &err) != 0)
        return cli_fail(&err);
    const ms_identity_t *id = ms_node_identity(node);
    const char *endpoint = o->up.endpoint ? o->up.endpoint : id->parent_endpoint;
    int64_t deadline = ms_clock_ms() + o->timeout_ms;
    local_writes_t seen = {.generation = ms_store_generation(ms_node_store(node)),
                           .next_ms = ms_clock_ms() + LOCAL_WRITES_POLL_MS};
    heads_digest(node, seen.digest);
    uint64_t reported = 0;
    progress_t progress = {ms_clock_ms(), 0};
    bool on_terminal = !o->up.watch && isatty(STDERR_FILENO);
    while (!stopping && ms_uplink_status(uplink) == MS_UPLINK_RUNNING &&
           (o->up.watch || ms_clock_ms() < deadline)) {
        zmq_pollitem_t items[2];
        size_t count = ms_uplink_items(uplink, items);
        long timeout = poll_timeout(uplink, &seen, o->up.watch, deadline, ms_clock_ms());
        if (on_terminal && timeout > 250)
            timeout = 250;  //  the progress line moves even while the peer is quiet
        if (zmq_poll(items, (int)count, timeout) < 0 && zmq_errno() != EINTR)
            break;
        int64_t now = ms_clock_ms();
        ms_uplink_handle(uplink, items, count, now);
        if (o->up.watch && now >= seen.next_ms)
            notice_local_writes(node, &seen, uplink, now);
        ms_uplink_tick(uplink, now);
        if (on_terminal)
            show_progress(&progress, ms_uplink_current(uplink), now);
        if (o->up.watch && ms_uplink_sessions(uplink) != reported) {
            reported = ms_uplink_sessions(uplink);
            if (!ms_uplink_last(uplink)->idle)
                print_outcome(id, endpoint, ms_uplink_last(uplink));
            fflush(stdout);
        }
    }
    if (progress.shown_ms)
        fputs("\r\033[K", stderr);  //  the progress line goes; the outcome follows
    ms_uplink_status_t status = ms_uplink_status(uplink);
    int rc = CLI_OK;
    if (status == MS_UPLINK_SYNCED) {
        print_outcome(id, endpoint, ms_uplink_last(uplink));
    } else if (!o->up.watch || !stopping) {
        if (status == MS_UPLINK_INCOMPLETE)
            print_outcome(id, endpoint, ms_uplink_last(uplink));
        const char *reason = ms_uplink_reason(uplink);
        rc = cli_refuse(
            _("sync with %s at %s: %s"), id->parent, endpoint,
            reason[0] ? reason
                      : _("no complete session before the timeout (is mutsyncd running there?)"));
    }
    ms_uplink_destroy(&uplink);
    return rc;
}

int cli_fetch_backup(ms_node_t *node, int64_t timeout_ms)
{
    sync_options_t o = {0};
    o.up.backup_only = true;
    o.timeout_ms = timeout_ms;
    void *zctx = zmq_ctx_new();
    int rc = zctx ? run(node, zctx, &o) : CLI_REFUSED;
    if (zctx)
        zmq_ctx_term(zctx);
    return rc;
}

//  Where this node stands on forks of its own feeds.
typedef struct {
    bool forked;          //  a fork is recorded
    uint64_t superseded;  //  of its own change sets, kept as proof
} fork_state_t;

static int count_own(const ms_superseded_t *entry, void *ctx)
{
    (void)entry;
    (*(uint64_t *)ctx)++;
    return 0;
}

static fork_state_t fork_state(ms_node_t *node)
{
    fork_state_t state = {false, 0};
    ms_txn_t *txn;
    if (ms_store_read(ms_node_store(node), &txn, NULL) != 0)
        return state;
    state.forked = ms_node_forked(node, txn, NULL, 0, NULL) == 0;
    (void)!ms_resolve_list(txn, ms_node_identity(node)->org, count_own, &state.superseded, NULL);
    ms_txn_abort(&txn);
    return state;
}

//  Says in plain words what a resolution of this node's fork did here.
static void tell_resolution(const fork_state_t *before, const fork_state_t *after)
{
    if (after->superseded > before->superseded)
        printf(_("the parent resolved the fork of this node's feeds for the other branch: %llu "
                 "change sets written here were set aside, kept as proof ('quarantine list'), "
                 "their figures taken out; this node continues after the branch the parent "
                 "kept\n"),
               (unsigned long long)(after->superseded - before->superseded));
    else if (before->forked && !after->forked)
        printf(_("the parent resolved the fork of this node's feeds for the branch written "
                 "here: this node writes on\n"));
}

int cmd_sync(int argc, char **argv)
{
    sync_options_t o = {0};
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc;
    if (o.up.watch && ms_log_level() < MS_LOG_INFO)
        ms_log_set_level(MS_LOG_INFO);
    ms_node_t *node;
    if ((rc = cli_open(cli_dir(), &node)))
        return rc;
    struct sigaction action = {.sa_handler = on_signal};
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    fork_state_t before = fork_state(node);
    void *zctx = zmq_ctx_new();
    rc = zctx ? run(node, zctx, &o) : CLI_REFUSED;
    if (zctx)
        zmq_ctx_term(zctx);
    fork_state_t after = fork_state(node);
    tell_resolution(&before, &after);
    ms_node_close(&node);
    return rc;
}
