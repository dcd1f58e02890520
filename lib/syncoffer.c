//  syncoffer - the offer and want of a sync session, decided from heads.
//
//  DESIGN. Each function reads the store in one read snapshot and keeps no
//  state: the session (sync.c) owns the offers and the per-feed plan and
//  sends what these decide. Invariants: a feed we do not take is answered
//  "refused" with nothing of what we hold of it, so a child offering a
//  sibling's feed learns nothing; a feed is sent from the head the peer
//  declared, so a resumed session resends nothing acknowledged; a fork of
//  our own feed is never taken (the parent's resolution decides).

#include "mutsync/syncoffer.h"

#include "mutsync/i18n.h"
#include "mutsync/log.h"
#include "mutsync/replica.h"
#include "mutsync/resolve.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int ms_syncoffer_take(ms_node_t *node, const char *peer, bool responder,
                      const ms_sync_head_t *offer, size_t count, ms_sync_heads_t *peer_offer,
                      ms_sync_heads_t *want, uint64_t *to_receive, char *fork, size_t cap,
                      ms_error_t *err)
{
    const ms_identity_t *id = ms_node_identity(node);
    fork[0] = '\0';
    ms_txn_t *txn;
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    if (rc)
        return rc;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        const ms_sync_head_t *h = &offer[i];
        bool take = false;
        rc = ms_scope_takes(txn, id, peer, responder, h->org, h->feed, &take, err);
        ms_head_t theirs = {.seq = h->seq}, ours = {0};
        memcpy(theirs.hash, h->hash, MS_HASH_BYTES);
        if (rc == 0)
            rc = ms_sync_heads_add(peer_offer, h->org, h->feed, &theirs, err);
        if (rc == 0 && take)
            rc = ms_replica_head(txn, h->org, h->feed, &ours, err);
        uint8_t held[MS_HASH_BYTES];
        ms_val_t bytes;
        //  A fork of our own feed: that feed is not taken, the rest is (the
        //  parent's resolution may be on its way), and the session fails at
        //  its end unless the resolution came.
        bool forked_here =
            rc == 0 && take && strcmp(h->org, id->org) == 0 && h->seq && h->seq <= ours.seq &&
            ms_replica_envelope(txn, h->org, h->feed, h->seq, held, &bytes, NULL) == 0 &&
            sodium_memcmp(held, h->hash, MS_HASH_BYTES) != 0;
        if (forked_here && !fork[0])
            snprintf(fork, cap,
                     _("fork: %s holds another change set than this node at %s/%s seq %llu; "
                       "this node may not write until %s resolves it (child resolve)"),
                     peer, h->org, h->feed, (unsigned long long)h->seq, peer);
        if (rc == 0 && take && !forked_here && h->seq > ours.seq)
            *to_receive += h->seq - ours.seq;
        if (rc == 0)
            rc = ms_sync_heads_add(want, h->org, h->feed, take && !forked_here ? &ours : NULL, err);
        if (rc == 0 && (!take || forked_here)) {
            peer_offer->items[peer_offer->count - 1].refused = true;
            want->items[want->count - 1].refused = true;
            if (!take)
                ms_log(MS_LOG_WARN, "sync",
                       "%s offered %s/%s, which this node does not take (reach)", peer, h->org,
                       h->feed);
        }
    }
    ms_txn_abort(&txn);
    return rc;
}

//  A fork at THEIRS of MINE, a feed we offer: sets how OUT goes on.
static void plan_fork(ms_txn_t *txn, ms_node_t *node, const char *peer, bool responder,
                      const ms_sync_head_t *mine, const ms_sync_head_t *theirs,
                      ms_syncoffer_out_t *out)
{
    //  Our own branch goes up from the forked seq as the fork's proof: the
    //  parent freezes the feed (or refuses it as superseded once it
    //  resolved the fork). Anyone else's is not ours to send.
    bool own = !responder && strcmp(mine->org, ms_node_identity(node)->org) == 0;
    ms_log(MS_LOG_ERROR, "sync",
           "%s holds another change set than ours at %s/%s seq=%llu: a fork, %s", peer, mine->org,
           mine->feed, (unsigned long long)theirs->seq, own ? "sent as proof" : "not sent");
    if (own)
        out->next = theirs->seq;
    else
        out->stalled = true;
    //  The child's own feed, unless a resolution here already took its
    //  branch out (the child learns it in this session).
    bool lost = false;
    out->claimed =
        responder && strcmp(mine->org, peer) == 0 &&
        ms_resolve_lost(txn, mine->org, mine->feed, theirs->seq, theirs->hash, &lost, NULL) == 0 &&
        !lost;
}

int ms_syncoffer_plan(ms_node_t *node, const char *peer, bool responder,
                      const ms_sync_heads_t *offer, const ms_sync_head_t *want,
                      ms_syncoffer_out_t *out, uint64_t *to_send, ms_error_t *err)
{
    ms_txn_t *txn;
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < offer->count; i++) {
        const ms_sync_head_t *mine = &offer->items[i], *theirs = &want[i];
        if (strcmp(mine->org, theirs->org) != 0 || strcmp(mine->feed, theirs->feed) != 0) {
            ms_txn_abort(&txn);
            return ms_error_set(err, MS_EINVAL, "sync", "want entry %zu is not the feed offered",
                                i);
        }
        out[i].peer_head = theirs->seq;
        out[i].next = theirs->seq + 1;
        if (theirs->refused) {
            out[i].refused = true;
            ms_log(MS_LOG_WARN, "sync", "%s does not take %s/%s (reach): not sent", peer, mine->org,
                   mine->feed);
            out[i].stalled = true;
            continue;
        }
        if (mine->seq > theirs->seq)
            *to_send += mine->seq - theirs->seq;
        uint8_t id[MS_HASH_BYTES];
        ms_val_t bytes;
        if (theirs->seq && theirs->seq <= mine->seq &&
            ms_replica_envelope(txn, mine->org, mine->feed, theirs->seq, id, &bytes, NULL) == 0 &&
            sodium_memcmp(id, theirs->hash, MS_HASH_BYTES) != 0)
            plan_fork(txn, node, peer, responder, mine, theirs, &out[i]);
    }
    ms_txn_abort(&txn);
    return 0;
}

bool ms_syncoffer_met(ms_node_t *node, const ms_sync_heads_t *offer, const ms_syncoffer_out_t *out,
                      const ms_sync_heads_t *peer_offer)
{
    for (size_t i = 0; i < offer->count; i++)
        if (out[i].peer_head < offer->items[i].seq && !out[i].refused)
            return false;
    ms_txn_t *txn;
    if (ms_store_read(ms_node_store(node), &txn, NULL) != 0)
        return false;
    bool match = true;
    for (size_t i = 0; match && i < peer_offer->count; i++) {
        const ms_sync_head_t *theirs = &peer_offer->items[i];
        if (theirs->refused)
            continue;
        ms_head_t head;
        match = ms_replica_head(txn, theirs->org, theirs->feed, &head, NULL) == 0 &&
                head.seq >= theirs->seq;
    }
    ms_txn_abort(&txn);
    return match;
}

int ms_syncoffer_held(const ms_sync_heads_t *offer, const ms_syncoffer_out_t *out,
                      const ms_sync_heads_t *peer_offer, ms_sync_heads_t *scope, ms_error_t *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < offer->count; i++) {
        if (out[i].refused)
            continue;
        ms_head_t head = {.seq = out[i].peer_head};
        rc = ms_sync_heads_add(scope, offer->items[i].org, offer->items[i].feed, &head, err);
    }
    for (size_t i = 0; rc == 0 && i < peer_offer->count; i++) {
        const ms_sync_head_t *theirs = &peer_offer->items[i];
        if (theirs->refused)
            continue;
        ms_head_t head = {.seq = theirs->seq};
        memcpy(head.hash, theirs->hash, MS_HASH_BYTES);
        rc = ms_sync_heads_add(scope, theirs->org, theirs->feed, &head, err);
    }
    return rc;
}
