//  syncoffer - what a sync session takes of its peer's offer and where it
//  sends each feed of its own from, decided from both sides' heads.
//
//  Each side offers its feeds in scope with its heads (syncscope.h); the
//  other answers with what it holds of each feed it takes (its want) and
//  "refused" for a feed outside its reach or a fork of its own feed. A
//  side then sends each feed from the head the peer declared. At the end,
//  what the peer holds is remembered for the next idle check. These
//  functions read the store and decide; the session (sync.c) sends and
//  keeps the state. They log what they decide against (reach, forks).

#ifndef MS_SYNCOFFER_H
#define MS_SYNCOFFER_H

#include "mutsync/node.h"
#include "mutsync/syncscope.h"

//  How one feed of our offer is sent.
typedef struct {
    uint64_t next;       //  next seq to send
    uint64_t peer_head;  //  seq the peer holds (want, then acks)
    bool stalled;        //  the peer did not take a batch of it: send no more
    bool refused;        //  the peer does not take this feed at all (reach)
    bool claimed;        //  responder: the child's own feed, another branch than ours
} ms_syncoffer_out_t;

//  Takes the offer of PEER (COUNT heads) to NODE; RESPONDER: PEER is our
//  child. Each feed offered is added to PEER_OFFER with its head, and to
//  WANT with what we hold of it, or marked refused in both (nothing of
//  ours said) when we do not take it or it is a fork of our own feed; a
//  fork's reason goes to FORK (CAP bytes, "" when none: the first only).
//  *TO_RECEIVE grows by what we lack. Returns 0 or MS_E*.
MS_MUST_CHECK int ms_syncoffer_take(ms_node_t *node, const char *peer, bool responder,
                                    const ms_sync_head_t *offer, size_t count,
                                    ms_sync_heads_t *peer_offer, ms_sync_heads_t *want,
                                    uint64_t *to_receive, char *fork, size_t cap, ms_error_t *err);

//  Where each feed of NODE's OFFER to PEER is sent from, given the peer's
//  WANT (one entry per feed offered, in order): fills OUT (OFFER->count
//  entries, zeroed) and grows *TO_SEND by what the peer lacks. A fork sends
//  our own branch from the forked seq as its proof (initiator) or stops
//  the feed; a responder marks the child's own forked feed claimed.
//  Returns 0, MS_EINVAL (a want entry is not the feed offered) or MS_E*.
MS_MUST_CHECK int ms_syncoffer_plan(ms_node_t *node, const char *peer, bool responder,
                                    const ms_sync_heads_t *offer, const ms_sync_head_t *want,
                                    ms_syncoffer_out_t *out, uint64_t *to_send, ms_error_t *err);

//  Whether both sides now hold the same heads: the peer acknowledged each
//  feed of OFFER it takes (OUT), and NODE holds each of PEER_OFFER it took.
bool ms_syncoffer_met(ms_node_t *node, const ms_sync_heads_t *offer, const ms_syncoffer_out_t *out,
                      const ms_sync_heads_t *peer_offer);

//  What the peer holds at the end, into SCOPE (appended): each feed of
//  OFFER it takes at the head it acknowledged, each of PEER_OFFER we took
//  at the head offered. Returns 0, or as ms_sync_heads_add (syncscope.h).
MS_MUST_CHECK int ms_syncoffer_held(const ms_sync_heads_t *offer, const ms_syncoffer_out_t *out,
                                    const ms_sync_heads_t *peer_offer, ms_sync_heads_t *scope,
                                    ms_error_t *err);

#endif
