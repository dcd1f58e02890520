//  sync - the session state table and what each transition does.
//
//  DESIGN. All the protocol's logic is the table `transitions` below:
//  (side, state, event) -> action, next state (or the action's alternative
//  next state). Anything not in the table is a protocol error: the peer is
//  told, the session fails. Sending is driven by `pump`, which keeps WINDOW
//  batches in flight; feedio.c reads each batch from one read snapshot
//  (never a whole feed in memory) and applies each received batch in one
//  durable write transaction, so an Ack always follows a commit. Acks arrive
//  in order (one connection), so the in-flight batches are a ring.
//  Invariant: a feed is sent only from the head the peer declared (want)
//  or acknowledged, so a resumed session resends nothing acknowledged.
//  Two jobs are done for the actions elsewhere: syncoffer.c decides the
//  want and where each feed is sent from, syncbackup.c carries the sealed
//  backups; the files and marks a session keeps are syncstore.c's.

#include "mutsync/sync.h"

#include "mutsync/anchor.h"
#include "mutsync/feedio.h"
#include "mutsync/i18n.h"
#include "mutsync/log.h"
#include "mutsync/syncbackup.h"
#include "mutsync/syncoffer.h"
#include "mutsync/syncstore.h"
#include "mutsync/trust.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
    EV_START,
    EV_HELLO,
    EV_IDLE,
    EV_HEADS,
    EV_BATCH,
    EV_ACK,
    EV_DONE,
    EV_ERROR,
    EV_BACKUP,
    EV_BACKUP_CHUNK,
    EV_BACKUP_ACK,
    EV_SETTLED,  //  internal: everything sent is acked and the peer is done
} event_t;

typedef struct {
    uint64_t number;  //  batch number
    uint32_t feed;    //  index in the offer
    uint64_t last;    //  last seq in it
} flight_t;

struct ms_sync {
    ms_node_t *node;                       //  borrowed
    ms_sync_side_t side;                   //
    ms_sync_state_t state;                 //
    char peer[MS_ORG_MAX + 1];             //  the peer's org id
    char source[64];                       //  "peer ORG", for the quarantine
    ms_sync_send_fn send;                  //
    void *send_ctx;                        //
    uint32_t window;                       //  batches we keep in flight
    int64_t timeout_ms;                    //
    int64_t last_heard_ms;                 //  when the peer last spoke
    ms_sync_heads_t offer;                 //  what we send, with our heads
    ms_syncoffer_out_t *out;               //  offer.count entries
    size_t cursor;                         //  feed being sent
    ms_sync_heads_t peer_offer;            //  what the peer sends, with its heads
    flight_t flights[MS_SYNC_WINDOW_MAX];  //  ring of batches in flight
    size_t flight_start, in_flight;        //
    uint64_t next_number;                  //  of the next batch sent
    uint64_t expect_number;                //  of the next batch received
    bool done_sent, peer_done;             //
    ms_batch_t *packer;                    //  outgoing batches
    ms_batch_t *unpacker;                  //  incoming batches
    ms_syncstore_cache_t *cache;           //  initiator: upward heads kept across sessions
    ms_syncbackup_t *backups;              //  the sealed backups carried (syncbackup.h)
    uint8_t
        hello_digest[MS_SYNC_DIGEST_BYTES];  //  responder: the child's, answered after its backup
    bool hello_want_chain;                   //  responder: likewise
    bool fork_seen;                          //  initiator: the parent holds another branch of ours
    ms_sync_stats_t stats;                   //
    int failure_code;                        //
    char failure[256];                       //
};

static const char *state_names[] = {"start",     "hello-sent", "wait-hello", "wait-heads",
                                    "streaming", "backup",     "done",       "failed"};

const char *ms_sync_state_name(ms_sync_state_t state)
{
    return state <= MS_SYNC_FAILED ? state_names[state] : "unknown";
}

//  The backup exchange's link to the session (syncbackup.h).
static int backup_send(void *ctx, const ms_msg_t *msg);
static void backup_fail(void *ctx, int code, bool tell, const char *reason);

int ms_sync_new(ms_node_t *node, ms_sync_side_t side, const char *peer, ms_sync_send_fn send,
                void *ctx, int64_t now_ms, ms_sync_t **sync_p, ms_error_t *err)
{
    *sync_p = NULL;
    ms_sync_t *self = calloc(1, sizeof *self);
    if (!self)
        return ms_error_set(err, MS_ENOMEM, "sync", "no memory for a session");
    self->node = node;
    self->side = side;
    self->state = side == MS_SYNC_INITIATOR ? MS_SYNC_START : MS_SYNC_WAIT_HELLO;
    snprintf(self->peer, sizeof self->peer, "%s", peer);
    snprintf(self->source, sizeof self->source, "peer %s", peer);
    self->send = send;
    self->send_ctx = ctx;
    self->window = MS_SYNC_WINDOW;
    self->timeout_ms = MS_SYNC_TIMEOUT_MS;
    self->last_heard_ms = now_ms;
    self->next_number = 1;
    self->expect_number = 1;
    int rc = ms_batch_new(MS_SYNC_ZSTD_LEVEL, &self->packer, err);
    if (rc == 0)
        rc = ms_batch_new(MS_SYNC_ZSTD_LEVEL, &self->unpacker, err);
    ms_syncbackup_link_t link = {backup_send, backup_fail, self};
    if (rc == 0)
        rc = ms_syncbackup_new(node, side == MS_SYNC_RESPONDER, peer, &link, &self->backups, err);
    //  A fork recorded by an earlier session stands until its resolution comes.
    ms_txn_t *txn;
    if (rc == 0 && side == MS_SYNC_INITIATOR &&
        (rc = ms_store_read(ms_node_store(node), &txn, err)) == 0) {
        rc = ms_node_forked(node, txn, NULL, 0, err);
        self->fork_seen = rc == 0;
        rc = rc == MS_ENOTFOUND ? 0 : rc;
        ms_txn_abort(&txn);
    }
    if (rc) {
        ms_sync_destroy(&self);
        return rc;
    }
    *sync_p = self;
    return 0;
}

void ms_sync_destroy(ms_sync_t **sync_p)
{
    if (!sync_p || !*sync_p)
        return;
    ms_sync_t *self = *sync_p;
    ms_sync_heads_clear(&self->offer);
    ms_sync_heads_clear(&self->peer_offer);
    free(self->out);
    ms_batch_destroy(&self->packer);
    ms_batch_destroy(&self->unpacker);
    ms_syncbackup_destroy(&self->backups);
    free(self);
    *sync_p = NULL;
}

void ms_sync_set_window(ms_sync_t *self, uint32_t window)
{
    self->window = window < 1 ? 1 : window > MS_SYNC_WINDOW_MAX ? MS_SYNC_WINDOW_MAX : window;
}

void ms_sync_set_backup_request(ms_sync_t *self)
{
    ms_syncbackup_set_request(self->backups);
}

void ms_sync_set_cache(ms_sync_t *self, ms_syncstore_cache_t *cache)
{
    self->cache = cache;
}

void ms_sync_set_timeout(ms_sync_t *self, int64_t timeout_ms)
{
    self->timeout_ms = timeout_ms > 0 ? timeout_ms : MS_SYNC_TIMEOUT_MS;
}

ms_sync_state_t ms_sync_state(const ms_sync_t *self)
{
    return self->state;
}

const ms_sync_stats_t *ms_sync_stats(const ms_sync_t *self)
{
    return &self->stats;
}

const char *ms_sync_failure(const ms_sync_t *self)
{
    return self->failure;
}

int ms_sync_failure_code(const ms_sync_t *self)
{
    return self->failure_code;
}

//  Records why the session fails; returns -1 so actions can `return fail(...)`.
static int fail(ms_sync_t *self, int code, const char *fmt, ...) MS_PRINTF(3, 4);

static int fail(ms_sync_t *self, int code, const char *fmt, ...)
{
    if (!self->failure[0]) {
        va_list args;
        va_start(args, fmt);
        vsnprintf(self->failure, sizeof self->failure, fmt, args);
        va_end(args);
        self->failure_code = code;
    }
    return -1;
}

static int send_msg(ms_sync_t *self, const ms_msg_t *msg)
{
    uint8_t *bytes;
    size_t len;
    ms_error_t err = {0};
    if (ms_msg_encode(msg, &bytes, &len, &err) != 0)
        return fail(self, err.code, _("cannot encode %s: %s"), ms_msg_name(msg->type), err.message);
    int rc = self->send(self->send_ctx, bytes, len);
    free(bytes);
    if (rc != 0)
        return fail(self, MS_ENET, _("the link to %s cannot take a %s message"), self->peer,
                    ms_msg_name(msg->type));
    self->stats.messages_sent++;
    self->stats.bytes_sent += len;
    return 0;
}

//  Tells the peer why the session ends here, then fails it.
static int refuse(ms_sync_t *self, int code, const char *fmt, ...) MS_PRINTF(3, 4);

static int refuse(ms_sync_t *self, int code, const char *fmt, ...)
{
    ms_msg_t msg = {.type = MS_MSG_ERROR, .code = code};
    va_list args;
    va_start(args, fmt);
    vsnprintf(msg.reason, sizeof msg.reason, fmt, args);
    va_end(args);
    ms_log(MS_LOG_WARN, "sync", "session with %s refused: %s", self->peer, msg.reason);
    (void)send_msg(self, &msg);
    return fail(self, code, "%s", msg.reason);
}

static int backup_send(void *ctx, const ms_msg_t *msg)
{
    return send_msg(ctx, msg);
}

static void backup_fail(void *ctx, int code, bool tell, const char *reason)
{
    if (tell)
        (void)refuse(ctx, code, "%s", reason);
    else
        (void)fail(ctx, code, "%s", reason);
}

//  Keeps a bad frame as evidence (syncstore.h).
static void quarantine_frame(ms_sync_t *self, const uint8_t *bytes, size_t len, const char *detail)
{
    ms_syncstore_quarantine_frame(self->node, self->peer, self->source, bytes, len, detail);
}

//  One of our own feeds differs from our parent's copy: remember it (the
//  node refuses to write until the parent resolves it). Returns 0 or -1.
static int note_fork(ms_sync_t *self, const char *reason)
{
    ms_error_t err = {0};
    if (ms_syncstore_mark_fork(self->node, reason, &err) != 0)
        return fail(self, err.code, _("cannot record the fork: %s"), err.message);
    ms_log(MS_LOG_ERROR, "sync", "%s", reason);
    self->fork_seen = true;
    return 0;
}

//  Remembers the fork and ends the session.
static int forked(ms_sync_t *self, const char *fmt, ...) MS_PRINTF(2, 3);

static int forked(ms_sync_t *self, const char *fmt, ...)
{
    char reason[256];
    va_list args;
    va_start(args, fmt);
    vsnprintf(reason, sizeof reason, fmt, args);
    va_end(args);
    if (note_fork(self, reason) != 0)
        return -1;
    return fail(self, MS_EFORK, "%s", reason);
}

//  At the end of a session that found a fork: it fails unless the parent's
//  resolution arrived meanwhile (the mark is gone); then the branch kept
//  is fetched by the next session. Returns 0 or -1.
static int fork_outcome(ms_sync_t *self)
{
    char reason[400] = "";
    ms_error_t err = {0};
    int rc = ms_syncstore_fork(self->node, reason, sizeof reason, &err);
    if (rc == 0)
        return fail(self, MS_EFORK, "%s", reason);
    if (rc != MS_ENOTFOUND)
        return fail(self, rc, "%s", err.message);
    ms_log(MS_LOG_WARN, "sync", "%s resolved the fork of this node's feeds: syncing again",
           self->peer);
    self->stats.fork_resolved = true;
    return 0;
}

static int read_heads(ms_sync_t *self, bool up, ms_sync_heads_t *scope, uint8_t *digest)
{
    ms_error_t err = {0};
    int rc = ms_syncstore_heads(self->node, self->peer, up, up ? self->cache : NULL, scope, digest,
                                &err);
    return rc ? fail(self, rc, _("cannot read the heads: %s"), err.message) : 0;
}

//  ---------------------------------------------------------------------------
//  Actions. Each returns 0 (take the row's next state), 1 (take its
//  alternative), 2 (its third: a backup in chunks goes on) or -1 (fail).

static int send_hello(ms_sync_t *self, const ms_msg_t *in)
{
    (void)in;
    ms_msg_t msg = {.type = MS_MSG_HELLO,
                    .version = MS_SYNC_VERSION,
                    .window = self->window,
                    .want_chain = ms_anchor_provisional(ms_node_identity(self->node)),
                    .chunks = true};
    if (read_heads(self, true, &self->offer, msg.digest) != 0)
        return -1;
    ms_syncbackup_announce(self->backups, &msg);
    return send_msg(self, &msg);
}

static int answer_hello(ms_sync_t *self, const uint8_t *digest, bool want_chain);

//  What a step of the backup exchange (syncbackup.h) means for the table:
//  0 (go on), 1 (over: the session is complete), 2 (more chunks) or -1;
//  a child's backup kept, the responder answers the Hello it came with.
static int backup_step(ms_sync_t *self, ms_syncbackup_step_t step)
{
    switch (step) {
    case MS_SYNCBACKUP_GO_ON:
        return 0;
    case MS_SYNCBACKUP_OVER:
        self->stats.complete = true;
        return 1;
    case MS_SYNCBACKUP_MORE:
        return 2;
    case MS_SYNCBACKUP_KEPT:
        return answer_hello(self, self->hello_digest, self->hello_want_chain);
    default:
        return -1;
    }
}

static int take_backup_ack(ms_sync_t *self, const ms_msg_t *in)
{
    return backup_step(self, ms_syncbackup_take_ack(self->backups, in));
}

static int take_backup_chunk(ms_sync_t *self, const ms_msg_t *in)
{
    return backup_step(self, ms_syncbackup_take_chunk(self->backups, in));
}

//  Initiator: the parent's latest backup of us, whole, for restore --from-parent.
static int take_parent_backup(ms_sync_t *self, const ms_msg_t *in)
{
    return backup_step(self, ms_syncbackup_take_whole(self->backups, in));
}

//  A child that now holds what its parent holds of its own feeds may write.
static int settle_pending(ms_sync_t *self)
{
    ms_error_t err = {0};
    if (ms_syncstore_settle(self->node, &err) != 0)
        return fail(self, err.code, _("cannot record the sync: %s"), err.message);
    return 0;
}

static int take_idle(ms_sync_t *self, const ms_msg_t *in)
{
    (void)in;
    self->stats.idle = true;
    self->stats.complete = true;
    ms_syncbackup_not_taken(self->backups);
    return settle_pending(self);
}

static int check_peer_key(ms_sync_t *self)
{
    ms_error_t err = {0};
    ms_txn_t *txn;
    ms_trust_entry_t entry;
    int64_t from = 0;
    int rc = ms_store_read(ms_node_store(self->node), &txn, &err);
    if (rc)
        return fail(self, rc, _("cannot read trust: %s"), err.message);
    rc = ms_trust_get(txn, self->peer, &entry, &err);
    bool revoked = rc == 0 && ms_trust_revoked(txn, self->peer, entry.cert.key, &from, NULL) == 0;
    ms_txn_abort(&txn);
    if (rc || strcmp(entry.cert.parent, ms_node_identity(self->node)->org) != 0)
        return refuse(self, MS_EREFUSED, _("%s is not a child certified by %s"), self->peer,
                      ms_node_identity(self->node)->org);
    if (revoked)
        return refuse(self, MS_EREFUSED, _("the key of %s is revoked"), self->peer);
    return 0;
}

//  Responder: the envelopes certifying us up to the root, for a child that
//  was not given the root key.
static int read_chain(ms_sync_t *self, uint8_t **chain, size_t *len)
{
    ms_error_t err = {0};
    int rc = ms_syncstore_chain(self->node, chain, len, &err);
    return rc ? fail(self, rc, _("cannot read this node's chain: %s"), err.message) : 0;
}

//  Initiator: a node that was not given the root key learns it from its
//  parent's chain (anchor.h).
static int learn_root(ms_sync_t *self, const ms_msg_t *in)
{
    ms_error_t err = {0};
    char root[MS_ORG_MAX + 1];
    int rc = ms_anchor_learn(self->node, in->data, in->data_len, root, &err);
    if (rc == MS_EREFUSED)
        return refuse(self, rc, _("%s sent a chain that does not hold: %s"), self->peer,
                      err.message);
    if (rc)
        return fail(self, rc, _("cannot pin the root: %s"), err.message);
    if (root[0])
        ms_log(MS_LOG_INFO, "sync", "learnt the root %s from %s's chain and pinned it", root,
               self->peer);
    return 0;
}

static int take_hello(ms_sync_t *self, const ms_msg_t *in)
{
    if (in->version != MS_SYNC_VERSION)
        return refuse(self, MS_EINVAL, _("protocol version %u is not %d"), in->version,
                      MS_SYNC_VERSION);
    if (check_peer_key(self) != 0)
        return -1;
    if (in->window)
        ms_sync_set_window(self, in->window < self->window ? in->window : self->window);
    memcpy(self->hello_digest, in->digest, MS_SYNC_DIGEST_BYTES);
    self->hello_want_chain = in->want_chain;
    ms_syncbackup_step_t step = ms_syncbackup_take_hello(self->backups, in);
    if (step != MS_SYNCBACKUP_GO_ON)
        return backup_step(self, step);
    return answer_hello(self, in->digest, in->want_chain);
}

//  Responder: Idle when the child's DIGEST of heads is ours (returns 1:
//  done), else our offer (0), with our chain when the child WANTS_CHAIN.
static int answer_hello(ms_sync_t *self, const uint8_t *child_digest, bool want_chain)
{
    uint8_t digest[MS_SYNC_DIGEST_BYTES];
    if (read_heads(self, false, &self->offer, digest) != 0)
        return -1;
    if (sodium_memcmp(digest, child_digest, MS_SYNC_DIGEST_BYTES) == 0) {
        self->stats.idle = true;
        self->stats.complete = true;
        ms_msg_t idle = {.type = MS_MSG_IDLE};
        return send_msg(self, &idle) == 0 ? 1 : -1;
    }
    ms_msg_t msg = {
        .type = MS_MSG_HEADS, .offer = self->offer.items, .offer_count = self->offer.count};
    uint8_t *chain = NULL;
    if (want_chain && read_chain(self, &chain, &msg.data_len) != 0)
        return -1;
    msg.data = chain;
    int rc = send_msg(self, &msg);
    free(chain);
    return rc;
}

//  Takes the peer's offer and answers with what we hold of each feed we
//  take (syncoffer.h); a fork of our own feed is remembered.
static int take_offer(ms_sync_t *self, const ms_msg_t *in, ms_msg_t *answer)
{
    ms_sync_heads_t want = {0};
    char fork[400];
    ms_error_t err = {0};
    int rc = ms_syncoffer_take(self->node, self->peer, self->side == MS_SYNC_RESPONDER, in->offer,
                               in->offer_count, &self->peer_offer, &want, &self->stats.to_receive,
                               fork, sizeof fork, &err);
    if (rc == 0 && fork[0] && note_fork(self, fork) != 0) {
        ms_sync_heads_clear(&want);
        return -1;
    }
    answer->type = MS_MSG_HEADS;
    answer->want = want.items;
    answer->want_count = want.count;
    rc = rc ? fail(self, rc, "%s", err.message) : send_msg(self, answer);
    ms_sync_heads_clear(&want);
    return rc;
}

//  Ends the session when our child's own feeds fork from ours, each fork
//  kept for its resolution: the child refuses to write until it comes.
static int refuse_forks(ms_sync_t *self, const ms_msg_t *in)
{
    size_t first = self->offer.count;
    for (size_t i = 0; i < self->offer.count; i++)
        if (self->out[i].claimed) {
            ms_syncstore_note_claim(self->node, self->source, self->offer.items[i].org,
                                    self->offer.items[i].feed, in->want[i].seq, in->want[i].hash);
            first = first < i ? first : i;
        }
    if (first == self->offer.count)
        return 0;
    const ms_sync_head_t *feed = &self->offer.items[first];
    const char *org = ms_node_identity(self->node)->org;
    return refuse(self, MS_EFORK,
                  _("fork: %s holds another change set than %s at %s/%s seq %llu; %s may not "
                    "write until %s resolves it (child resolve)"),
                  org, self->peer, feed->org, feed->feed, (unsigned long long)in->want[first].seq,
                  self->peer, org);
}

//  Takes the peer's want: where each of our offered feeds starts.
static int take_want(ms_sync_t *self, const ms_msg_t *in)
{
    if (in->want_count != self->offer.count)
        return refuse(self, MS_EINVAL, _("want lists %zu feeds, the offer %zu"), in->want_count,
                      self->offer.count);
    self->out = calloc(self->offer.count ? self->offer.count : 1, sizeof *self->out);
    if (!self->out)
        return fail(self, MS_ENOMEM, _("no memory"));
    ms_error_t err = {0};
    int rc = ms_syncoffer_plan(self->node, self->peer, self->side == MS_SYNC_RESPONDER,
                               &self->offer, in->want, self->out, &self->stats.to_send, &err);
    if (rc == MS_EINVAL)
        return refuse(self, rc, "%s", err.message);
    if (rc)
        return fail(self, rc, "%s", err.message);
    return refuse_forks(self, in);
}

static int answer_offer(ms_sync_t *self, const ms_msg_t *in)
{
    ms_msg_t answer = {0};
    if (self->side == MS_SYNC_INITIATOR) {
        ms_syncbackup_not_taken(self->backups);
        if (in->data_len && learn_root(self, in) != 0)
            return -1;
        answer.offer = self->offer.items;
        answer.offer_count = self->offer.count;
        return take_offer(self, in, &answer);
    }
    if (take_offer(self, in, &answer) != 0)
        return -1;
    return take_want(self, in);
}

static int take_batch(ms_sync_t *self, const ms_msg_t *in)
{
    if (in->number != self->expect_number)
        return refuse(self, MS_EINVAL, _("batch %llu where %llu was expected"),
                      (unsigned long long)in->number, (unsigned long long)self->expect_number);
    if (in->feed >= self->peer_offer.count)
        return refuse(self, MS_EINVAL, _("batch %llu names feed %u, the offer has %zu"),
                      (unsigned long long)in->number, in->feed, self->peer_offer.count);
    self->expect_number++;
    const ms_sync_head_t *feed = &self->peer_offer.items[in->feed];
    if (feed->refused)
        return refuse(self, MS_EREFUSED, _("batch %llu: %s/%s was refused (reach)"),
                      (unsigned long long)in->number, feed->org, feed->feed);
    ms_error_t err = {0};
    if (ms_batch_unpack(self->unpacker, in->data, in->data_len, in->raw_bytes, in->count, &err)) {
        quarantine_frame(self, in->data, in->data_len, err.message);
        return refuse(self, MS_EINVAL, _("batch %llu of %s/%s: %s"), (unsigned long long)in->number,
                      feed->org, feed->feed, err.message);
    }
    ms_feedio_result_t a;
    int rc = ms_feedio_apply(self->node, self->unpacker, feed->org, feed->feed, in->first_seq,
                             self->source, &a, &err);
    if (rc == MS_EREFUSED && a.stray[0]) {
        quarantine_frame(self, in->data, in->data_len, a.stray);
        return refuse(self, MS_EREFUSED, _("batch %llu: %s"), (unsigned long long)in->number,
                      a.stray);
    }
    if (rc)
        return refuse(self, MS_ESTORE, _("%s could not store batch %llu: %s"),
                      ms_node_identity(self->node)->org, (unsigned long long)in->number,
                      err.message);
    ms_msg_t ack = {.type = MS_MSG_ACK,
                    .number = in->number,
                    .applied = a.applied,
                    .duplicates = a.duplicates,
                    .refused = a.refused,
                    .held = a.held,
                    .head = a.head};
    self->stats.batches_received++;
    self->stats.applied += ack.applied;
    self->stats.changes_applied += a.changes;
    self->stats.duplicates += ack.duplicates;
    self->stats.refused += ack.refused;
    self->stats.held += ack.held;
    if (ack.refused || ack.held)
        ms_log(MS_LOG_WARN, "sync", "%s/%s from %s: %u refused, %u held back at head %llu",
               feed->org, feed->feed, self->peer, ack.refused, ack.held,
               (unsigned long long)ack.head);
    ms_log(MS_LOG_DEBUG, "sync", "batch %llu of %s/%s from %s: %u applied, head %llu",
           (unsigned long long)in->number, feed->org, feed->feed, self->peer, ack.applied,
           (unsigned long long)ack.head);
    return send_msg(self, &ack);
}

static int take_ack(ms_sync_t *self, const ms_msg_t *in)
{
    if (!self->in_flight || self->flights[self->flight_start].number != in->number)
        return refuse(self, MS_EINVAL, _("ack %llu for no batch in flight"),
                      (unsigned long long)in->number);
    flight_t *flight = &self->flights[self->flight_start];
    self->flight_start = (self->flight_start + 1) % MS_SYNC_WINDOW_MAX;
    self->in_flight--;
    ms_syncoffer_out_t *out = &self->out[flight->feed];
    const ms_sync_head_t *feed = &self->offer.items[flight->feed];
    if (in->head > out->peer_head)
        out->peer_head = in->head;
    self->stats.peer_applied += in->applied;
    self->stats.peer_duplicates += in->duplicates;
    self->stats.peer_refused += in->refused;
    self->stats.peer_held += in->held;
    if (in->head < flight->last && !out->stalled) {
        out->stalled = true;
        ms_log(MS_LOG_WARN, "sync", "%s did not take %s/%s beyond seq %llu (%u refused): stopped",
               self->peer, feed->org, feed->feed, (unsigned long long)in->head, in->refused);
    }
    return 0;
}

static int take_done(ms_sync_t *self, const ms_msg_t *in)
{
    (void)in;
    self->peer_done = true;
    return 0;
}

static int take_error(ms_sync_t *self, const ms_msg_t *in)
{
    ms_log(MS_LOG_WARN, "sync", "%s ended the session: %s", self->peer, in->reason);
    if (in->code == MS_EFORK && self->side == MS_SYNC_INITIATOR)
        return forked(self, "%s", in->reason);
    int code = in->code == MS_EREFUSED || in->code == MS_ESTORE ? in->code : MS_ENET;
    return fail(self, code, "%s: %s", self->peer, in->reason);
}

//  Both directions are over: remember the scope for the next idle check.
static int finish(ms_sync_t *self, const ms_msg_t *in)
{
    (void)in;
    if (self->fork_seen && fork_outcome(self) != 0)
        return -1;
    self->stats.complete = !self->fork_seen &&
                           ms_syncoffer_met(self->node, &self->offer, self->out, &self->peer_offer);
    ms_sync_heads_t scope = {0};
    ms_error_t err = {0};
    int rc = ms_syncoffer_held(&self->offer, self->out, &self->peer_offer, &scope, &err);
    if (rc == 0)
        rc = ms_syncstore_save_peer(self->node, self->peer, &scope, &err);
    ms_sync_heads_clear(&scope);
    if (rc)
        return fail(self, rc, _("cannot remember %s: %s"), self->peer, err.message);
    return self->side == MS_SYNC_INITIATOR && self->stats.complete ? settle_pending(self) : 0;
}

//  ---------------------------------------------------------------------------
//  The table.

#define ANY_SIDE 2

typedef int (*action_fn)(ms_sync_t *self, const ms_msg_t *msg);

static const struct {
    int side;               //  ms_sync_side_t or ANY_SIDE
    ms_sync_state_t state;  //
    event_t event;          //
    action_fn action;       //
    ms_sync_state_t next;   //  when the action returns 0
    ms_sync_state_t alt;    //  when it returns 1
    ms_sync_state_t more;   //  when it returns 2
} transitions[] = {
    {MS_SYNC_INITIATOR, MS_SYNC_START, EV_START, send_hello, MS_SYNC_HELLO_SENT, 0, 0},
    {MS_SYNC_INITIATOR, MS_SYNC_HELLO_SENT, EV_IDLE, take_idle, MS_SYNC_DONE, 0, 0},
    {MS_SYNC_INITIATOR, MS_SYNC_HELLO_SENT, EV_BACKUP, take_parent_backup, MS_SYNC_DONE,
     MS_SYNC_DONE, 0},
    {MS_SYNC_INITIATOR, MS_SYNC_HELLO_SENT, EV_BACKUP_ACK, take_backup_ack, MS_SYNC_HELLO_SENT,
     MS_SYNC_HELLO_SENT, MS_SYNC_HELLO_SENT},
    {MS_SYNC_INITIATOR, MS_SYNC_HELLO_SENT, EV_BACKUP_CHUNK, take_backup_chunk, MS_SYNC_BACKUP,
     MS_SYNC_DONE, MS_SYNC_BACKUP},
    {MS_SYNC_INITIATOR, MS_SYNC_BACKUP, EV_BACKUP_CHUNK, take_backup_chunk, MS_SYNC_BACKUP,
     MS_SYNC_DONE, MS_SYNC_BACKUP},
    {MS_SYNC_INITIATOR, MS_SYNC_HELLO_SENT, EV_HEADS, answer_offer, MS_SYNC_WAIT_HEADS, 0, 0},
    {MS_SYNC_INITIATOR, MS_SYNC_WAIT_HEADS, EV_HEADS, take_want, MS_SYNC_STREAMING, 0, 0},
    {MS_SYNC_RESPONDER, MS_SYNC_WAIT_HELLO, EV_HELLO, take_hello, MS_SYNC_WAIT_HEADS, MS_SYNC_DONE,
     MS_SYNC_BACKUP},
    {MS_SYNC_RESPONDER, MS_SYNC_BACKUP, EV_BACKUP_CHUNK, take_backup_chunk, MS_SYNC_WAIT_HEADS,
     MS_SYNC_DONE, MS_SYNC_BACKUP},
    {MS_SYNC_RESPONDER, MS_SYNC_BACKUP, EV_BACKUP_ACK, take_backup_ack, MS_SYNC_BACKUP,
     MS_SYNC_DONE, MS_SYNC_BACKUP},
    {MS_SYNC_RESPONDER, MS_SYNC_WAIT_HEADS, EV_HEADS, answer_offer, MS_SYNC_STREAMING, 0, 0},
    {ANY_SIDE, MS_SYNC_STREAMING, EV_BATCH, take_batch, MS_SYNC_STREAMING, 0, 0},
    {ANY_SIDE, MS_SYNC_STREAMING, EV_ACK, take_ack, MS_SYNC_STREAMING, 0, 0},
    {ANY_SIDE, MS_SYNC_STREAMING, EV_DONE, take_done, MS_SYNC_STREAMING, 0, 0},
    {ANY_SIDE, MS_SYNC_STREAMING, EV_SETTLED, finish, MS_SYNC_DONE, 0, 0},
};

static bool settled(const ms_sync_t *self)
{
    return self->done_sent && self->in_flight == 0 && self->peer_done;
}

//  Fills and sends one batch of the feed at the cursor.
static int send_batch(ms_sync_t *self)
{
    const ms_sync_head_t *feed = &self->offer.items[self->cursor];
    ms_syncoffer_out_t *out = &self->out[self->cursor];
    ms_error_t err = {0};
    uint64_t seq = out->next;
    int rc = ms_feedio_fill(self->node, feed->org, feed->feed, out->next, feed->seq,
                            MS_SYNC_BATCH_TARGET, self->packer, &seq, &err);
    if (rc)
        return fail(self, rc, _("cannot read %s/%s seq=%llu: %s"), feed->org, feed->feed,
                    (unsigned long long)seq, err.message);
    ms_msg_t msg = {.type = MS_MSG_BATCH,
                    .number = self->next_number,
                    .feed = (uint32_t)self->cursor,
                    .first_seq = out->next,
                    .count = ms_batch_count(self->packer),
                    .raw_bytes = (uint32_t)ms_batch_raw_bytes(self->packer)};
    if (ms_batch_compress(self->packer, &msg.data, &msg.data_len, &err) != 0)
        return fail(self, err.code, "%s", err.message);
    if (send_msg(self, &msg) != 0)
        return -1;
    flight_t *flight = &self->flights[(self->flight_start + self->in_flight) % MS_SYNC_WINDOW_MAX];
    flight->number = self->next_number++;
    flight->feed = (uint32_t)self->cursor;
    flight->last = seq - 1;
    self->in_flight++;
    out->next = seq;
    self->stats.batches_sent++;
    self->stats.envelopes_sent += msg.count;
    return 0;
}

//  Keeps WINDOW batches in flight; says Done once everything is sent.
static int pump(ms_sync_t *self)
{
    while (!self->done_sent && self->in_flight < self->window) {
        while (self->cursor < self->offer.count &&
               (self->out[self->cursor].stalled ||
                self->out[self->cursor].next > self->offer.items[self->cursor].seq))
            self->cursor++;
        if (self->cursor == self->offer.count) {
            ms_msg_t done = {.type = MS_MSG_DONE, .number = self->next_number - 1};
            if (send_msg(self, &done) != 0)
                return -1;
            self->done_sent = true;
            break;
        }
        if (send_batch(self) != 0)
            return -1;
    }
    return 0;
}

static void dispatch(ms_sync_t *self, event_t event, const ms_msg_t *msg)
{
    if (self->state == MS_SYNC_DONE || self->state == MS_SYNC_FAILED)
        return;
    if (event == EV_ERROR) {
        (void)take_error(self, msg);
        self->state = MS_SYNC_FAILED;
        return;
    }
    size_t i = 0, count = sizeof transitions / sizeof transitions[0];
    while (i < count &&
           !((transitions[i].side == ANY_SIDE || transitions[i].side == (int)self->side) &&
             transitions[i].state == self->state && transitions[i].event == event))
        i++;
    if (i == count) {
        (void)refuse(self, MS_EINVAL, _("unexpected %s message in state %s"),
                     msg ? ms_msg_name(msg->type) : "internal", ms_sync_state_name(self->state));
        self->state = MS_SYNC_FAILED;
        return;
    }
    int outcome = transitions[i].action(self, msg);
    self->state = outcome < 0    ? MS_SYNC_FAILED
                  : outcome == 2 ? transitions[i].more
                  : outcome == 1 ? transitions[i].alt
                                 : transitions[i].next;
    if (self->state == MS_SYNC_STREAMING && event != EV_SETTLED) {
        if (pump(self) != 0)
            self->state = MS_SYNC_FAILED;
        else if (settled(self))
            dispatch(self, EV_SETTLED, NULL);
    }
}

ms_sync_state_t ms_sync_start(ms_sync_t *self, int64_t now_ms)
{
    self->last_heard_ms = now_ms;
    dispatch(self, EV_START, NULL);
    return self->state;
}

static event_t event_of(ms_msg_type_t type)
{
    switch (type) {
    case MS_MSG_HELLO:
        return EV_HELLO;
    case MS_MSG_IDLE:
        return EV_IDLE;
    case MS_MSG_HEADS:
        return EV_HEADS;
    case MS_MSG_BATCH:
        return EV_BATCH;
    case MS_MSG_ACK:
        return EV_ACK;
    case MS_MSG_DONE:
        return EV_DONE;
    case MS_MSG_BACKUP:
        return EV_BACKUP;
    case MS_MSG_BACKUP_CHUNK:
        return EV_BACKUP_CHUNK;
    case MS_MSG_BACKUP_ACK:
        return EV_BACKUP_ACK;
    default:
        return EV_ERROR;
    }
}

ms_sync_state_t ms_sync_recv(ms_sync_t *self, const uint8_t *bytes, size_t len, int64_t now_ms)
{
    if (self->state == MS_SYNC_DONE || self->state == MS_SYNC_FAILED)
        return self->state;
    self->last_heard_ms = now_ms;
    self->stats.bytes_received += len;
    ms_msg_t msg;
    ms_error_t err = {0};
    if (ms_msg_decode(bytes, len, &msg, &err) != 0) {
        quarantine_frame(self, bytes, len, err.message);
        (void)refuse(self, MS_EINVAL, _("malformed frame: %s"), err.message);
        self->state = MS_SYNC_FAILED;
        return self->state;
    }
    dispatch(self, event_of(msg.type), &msg);
    ms_msg_clear(&msg);
    return self->state;
}

ms_sync_state_t ms_sync_tick(ms_sync_t *self, int64_t now_ms)
{
    bool waiting = self->state == MS_SYNC_HELLO_SENT || self->state == MS_SYNC_WAIT_HELLO ||
                   self->state == MS_SYNC_WAIT_HEADS || self->state == MS_SYNC_STREAMING ||
                   self->state == MS_SYNC_BACKUP;
    if (waiting && now_ms - self->last_heard_ms > self->timeout_ms) {
        ms_log(MS_LOG_WARN, "sync", "%s stalled: silent for %lld ms in state %s, session dropped",
               self->peer, (long long)(now_ms - self->last_heard_ms),
               ms_sync_state_name(self->state));
        (void)fail(self, MS_ENET, _("%s was silent for %lld ms (state %s)"), self->peer,
                   (long long)(now_ms - self->last_heard_ms), ms_sync_state_name(self->state));
        self->state = MS_SYNC_FAILED;
    }
    return self->state;
}

void ms_sync_abort(ms_sync_t *self, const char *reason)
{
    if (self->state == MS_SYNC_DONE || self->state == MS_SYNC_FAILED)
        return;
    (void)fail(self, MS_ENET, "%s", reason);
    self->state = MS_SYNC_FAILED;
}
