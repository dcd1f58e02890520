//  policy - the routing and reach policy in one table: for each feed kind,
//  who may write it, who may hold it, and who it is sent to; for each
//  collection, the feed it belongs in.
//
//  The same table is read by the sender (syncscope: what goes up, what goes
//  down, what a bundle carries) and by the receiver (accept: what it may
//  store), so an honest sender never offers what an honest receiver would
//  refuse, and a dishonest one is refused with reason `reach`.
//
//    kind      held at                                  sent up      sent down
//    public    anywhere the trust chain verifies it     relayed      own + ancestors', and that of
//                                                                    a union that released an id
//                                                                    to the child
//    certs     anywhere the trust chain verifies it     relayed      own + ancestors' to a union,
//                                                                    and those of a union that
//                                                                    released an id to it;
//                                                                    ancestors' only to a mutual
//    register  its origin; the origin's direct parent   one level    never
//              when the origin's own card grants reach 1
//    care      its origin only                          never        never
//
//  Certificates and releases (moves) are records of their own feed, `certs`:
//  they travel up so
//  every replica above verifies everything back to the root. Down, a node
//  needs the certificate of each ancestor it does not pin (its parent and
//  the root are pinned), found in that ancestor's parent's certs feed, and
//  passes the same on to its own children: a union receives its parent's
//  and ancestors' certs feeds; a mutual, which certifies nobody, only its
//  ancestors' above its parent. So a mutual never downloads its union's
//  certs feed, its siblings' certificates: what it downloads does not grow
//  with the number of its siblings. A union that a mutual moves to also
//  receives, from its parent, the certs and public feeds of the union that
//  released the mutual's id to it (the release, and the revocations of the
//  mutual's earlier keys, are there; syncscope reads the index of moves,
//  trust.h), so the move needs no bundle between the two unions.
//  Revocations are few and a successor key needs its predecessor's to
//  verify its own feed's past: they stay in the public feed, which reaches
//  every child.

#ifndef MS_POLICY_H
#define MS_POLICY_H

#include "mutsync/codec.h"
#include "mutsync/store.h"

typedef enum {
    MS_FEED_PUBLIC = 0,
    MS_FEED_REGISTER = 1,
    MS_FEED_CARE = 2,
    MS_FEED_CERTS = 3,
    MS_FEED_KIND_COUNT,
    MS_FEED_UNKNOWN = -1,
} ms_feed_kind_t;

//  Who may hold a feed of this kind besides its origin.
typedef enum {
    MS_HOLD_TREE,     //  any replica the trust chain verifies it at
    MS_HOLD_GRANTED,  //  the origin's direct parent, when the origin granted it
    MS_HOLD_ORIGIN,   //  nobody else
} ms_hold_t;

//  What a node sends its children of a kind.
typedef enum {
    MS_DOWN_NEVER,              //  nothing
    MS_DOWN_OWN_AND_ANCESTORS,  //  its own feed and its ancestors'
    MS_DOWN_TO_CERTIFIERS,      //  own and ancestors' to a child that certifies (a union);
                                //  ancestors' only to a mutual
} ms_down_t;

typedef struct {
    const char *name;  //  "public", as it appears in change sets
    ms_hold_t hold;    //  who may store it
    bool relayed;      //  sent up beyond the origin's parent
    ms_down_t down;    //  sent to children
} ms_feed_policy_t;

//  The kind of the feed named NAME, or MS_FEED_UNKNOWN.
ms_feed_kind_t ms_policy_kind(const char *name);

//  The row of KIND (a valid kind); lives forever.
const ms_feed_policy_t *ms_policy_feed(ms_feed_kind_t kind);

//  The name of KIND's feed ("public"...); "?" for an invalid kind.
const char *ms_policy_feed_name(ms_feed_kind_t kind);

//  The feed kind COLLECTION's records belong in.
ms_feed_kind_t ms_policy_feed_of(ms_collection_t collection);

//  What the hold rule needs to know about the origin of a feed, as the
//  would-be holder's replica knows it.
typedef struct {
    const char *holder;         //  the org that would store the feed
    const char *origin;         //  the org that writes it
    const char *origin_parent;  //  the origin's certified parent here ("" when unknown)
    uint32_t granted_reach;     //  register reach in the origin's own card (0 when none)
} ms_hold_facts_t;

//  True when FACTS->holder may store a feed of KIND written by
//  FACTS->origin. When not, DETAIL (CAP bytes) says why, without anything
//  of the feed's content.
bool ms_policy_may_hold(ms_feed_kind_t kind, const ms_hold_facts_t *facts, char *detail,
                        size_t cap);

//  Reads the facts about ORIGIN from TXN (its trust entry and its own org
//  card) and answers ms_policy_may_hold for HOLDER. *MAY gets the answer.
//  Returns 0 or a store error.
MS_MUST_CHECK int ms_policy_check_hold(ms_txn_t *txn, const char *holder, const char *origin,
                                       ms_feed_kind_t kind, bool *may, char *detail, size_t cap,
                                       ms_error_t *err);

#endif
