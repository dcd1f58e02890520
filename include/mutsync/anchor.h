//  anchor - the trust root a node learns from its parent's signed chain.
//
//  A node made without the secretariat's key (init --parent ... with no
//  --root-key) starts with its parent as a provisional root, so the
//  secretariat's feeds would be refused as unknown-signer for good. In its
//  next sync it asks its parent for its chain: the envelope by which the
//  parent's own parent certified the parent's key, then the one that
//  certified that parent, up to an org no one certified. Each link must
//  verify under the key the link before it names, starting from the parent
//  key pinned at init, and name its signer's org as the certified org's
//  parent; the top of a chain that holds is pinned as the root, once. Only
//  the pinned parent, over its authenticated session, is asked: a bundle
//  cannot teach a root.

#ifndef MS_ANCHOR_H
#define MS_ANCHOR_H

#include "mutsync/node.h"

#define MS_ANCHOR_LINKS_MAX 8  //  envelopes in one chain

//  True when ID's root is only its parent, standing in for a root it was
//  not given (its parent is not a secretariat).
bool ms_anchor_provisional(const ms_identity_t *id);

//  The chain of ORG (this node): the framed envelopes (4-byte big-endian
//  length, then the bytes) certifying ORG, its parent, and so on, in a new
//  buffer (*out_p, caller frees; *len_p 0 and *out_p NULL when this node
//  holds no certificate of itself). Inside TXN. Returns 0 or MS_E*.
MS_MUST_CHECK int ms_anchor_chain(ms_txn_t *txn, const char *org, uint8_t **out_p, size_t *len_p,
                                  ms_error_t *err);

//  Verifies CHAIN (as ms_anchor_chain writes it) from NODE's pinned parent
//  key and, when it holds and NODE's root is provisional, pins its top as
//  NODE's root (ROOT gets its org id). Returns 0 (ROOT empty when nothing
//  was learnt), MS_EREFUSED with the broken link in ERR, or MS_ESTORE.
MS_MUST_CHECK int ms_anchor_learn(ms_node_t *node, const uint8_t *chain, size_t len,
                                  char root[MS_ORG_MAX + 1], ms_error_t *err);

#endif
