//  syncscope - which feeds travel between a node and a peer, in which
//  order, the digest of their heads for the idle check, and what the node
//  remembers of each peer (the peers table).
//
//  Routing reads the policy table (policy.h), as the receiver's accept rules
//  do: upward, a node sends its own feeds and its descendants' that its
//  parent may hold (public feeds; its own register when its card grants
//  reach 1; never care, never a descendant's register). Downward, its own
//  and its ancestors' feeds of a kind sent down (public), never its other
//  children's. Feeds are sent certifiers first: public feeds by depth in
//  the trust tree, then registers, so a receiver holds each signer's
//  certificate before the change sets it signed.

#ifndef MS_SYNCSCOPE_H
#define MS_SYNCSCOPE_H

#include "mutsync/node.h"
#include "mutsync/replica.h"
#include "mutsync/syncmsg.h"

//  A growable list of heads. Zero-initialise; free with ms_sync_heads_clear.
typedef struct {
    ms_sync_head_t *items;  //  COUNT heads
    size_t count;           //
    size_t capacity;        //
} ms_sync_heads_t;

//  Appends (ORG, FEED, HEAD). Returns 0, MS_EINVAL past MS_SYNC_FEEDS_MAX, or MS_ENOMEM.
MS_MUST_CHECK int ms_sync_heads_add(ms_sync_heads_t *self, const char *org, const char *feed,
                                    const ms_head_t *head, ms_error_t *err);

//  Frees the list and zeroes it. Safe twice.
void ms_sync_heads_clear(ms_sync_heads_t *self);

//  The feeds SELF sends to its parent, in sending order, with SELF's heads.
MS_MUST_CHECK int ms_scope_up(ms_txn_t *txn, const ms_identity_t *self, ms_sync_heads_t *out,
                              ms_error_t *err);

//  The feeds SELF sends to its child CHILD, in sending order, with SELF's
//  heads: depends on whether CHILD certifies others (policy.h); and what
//  SELF holds of CHILD's own feeds, so a child restored from an old copy
//  fetches back what it wrote since, and a fork shows at once.
MS_MUST_CHECK int ms_scope_down(ms_txn_t *txn, const ms_identity_t *self, const char *child,
                                ms_sync_heads_t *out, ms_error_t *err);

//  Whether SELF takes (ORG, FEED) offered by PEER: from a child, a feed of
//  the child or of an org below it (or not yet known here) that the policy
//  lets SELF hold; from the parent, a feed of a kind sent down, and SELF's
//  own feeds (what the parent holds of them: fetch-back). *TAKE false: answer "refused" and say nothing of what SELF
//  holds. What is taken is still checked envelope by envelope.
//  Returns 0 or a store error.
MS_MUST_CHECK int ms_scope_takes(ms_txn_t *txn, const ms_identity_t *self, const char *peer,
                                 bool from_child, const char *org, const char *feed, bool *take,
                                 ms_error_t *err);

//  The idle-check digest: BLAKE2b-128 over the heads this replica holds
//  for SCOPE plus every feed remembered for PEER, in (org, feed) order.
//  Both sides compute it over the same set when nothing changed since
//  their last complete session. DIGEST gets MS_SYNC_DIGEST_BYTES.
MS_MUST_CHECK int ms_scope_digest(ms_txn_t *txn, const char *peer, const ms_sync_heads_t *scope,
                                  uint8_t *digest, ms_error_t *err);

//  Peers table: PEER NUL org NUL feed -> seq(8 BE) hash(32), the head PEER
//  is known to hold. Replaces everything remembered for PEER with HEADS.
MS_MUST_CHECK int ms_scope_save_peer(ms_txn_t *txn, const char *peer, const ms_sync_heads_t *heads,
                                     ms_error_t *err);

//  Appends what is remembered for PEER to OUT, in (org, feed) order.
MS_MUST_CHECK int ms_scope_peer(ms_txn_t *txn, const char *peer, ms_sync_heads_t *out,
                                ms_error_t *err);

#endif
