//  resolve - a fork ended by the forked org's holder, at every replica.
//
//  A resolution (record.h) names a feed of its subject org, the forked seq
//  and the id of the change set that continues there. Accept applies it,
//  at every replica holding that feed, in the transaction that applies the
//  change set carrying it:
//  - when the change set held at the forked seq is the kept one, the feed
//    unfreezes and goes on;
//  - otherwise the feed rolls back to seq - 1: the change sets from the
//    forked seq on are moved aside as proof (kept and listed, never
//    deleted), the records they wrote get back the values they had before
//    the fork, through the apply hook so the views move by the difference,
//    and the head moves back, unfrozen. The kept branch comes by the next sync.
//  From then on a change set at the forked seq other than the kept one, or
//  one following a superseded change set, is itself superseded: accept
//  refuses it with MS_REFUSAL_SUPERSEDED and keeps it as proof, and it
//  never freezes the feed again. Everything here runs inside the caller's
//  transaction.

#ifndef MS_RESOLVE_H
#define MS_RESOLVE_H

#include "mutsync/accept.h"
#include "mutsync/record.h"

//  Applies RESOLUTION of a feed of ORG (see above); HOOK (may be NULL)
//  sees every record the roll-back changes. *ROLLED_BACK (may be NULL)
//  gets the number of change sets moved aside. Returns 0 or a store error.
MS_MUST_CHECK int ms_resolve_apply(ms_txn_t *txn, const char *org,
                                   const ms_resolution_t *resolution, const ms_apply_hook_t *hook,
                                   uint64_t *rolled_back, ms_error_t *err);

//  Whether change set CS, of id ID, is on a branch a resolution held here
//  did not keep. Returns 0 with *SUPERSEDED set, or a store error.
MS_MUST_CHECK int ms_resolve_superseded(ms_txn_t *txn, const ms_changeset_t *cs, const uint8_t *id,
                                        bool *superseded, ms_error_t *err);

//  Keeps envelope BYTES (LEN) of CS, of id ID, as a superseded change set.
MS_MUST_CHECK int ms_resolve_keep(ms_txn_t *txn, const ms_changeset_t *cs, const uint8_t *id,
                                  const uint8_t *bytes, size_t len, ms_error_t *err);

//  Whether change set ID at SEQ of (ORG, FEED) lost a fork here: a
//  resolution at SEQ keeps another change set, or ID is superseded.
//  Returns 0 with *LOST set, or a store error.
MS_MUST_CHECK int ms_resolve_lost(ms_txn_t *txn, const char *org, const char *feed, uint64_t seq,
                                  const uint8_t *id, bool *lost, ms_error_t *err);

//  Records in the quarantine, once, that a child of this replica holds
//  change set ID at SEQ of its own FEED where this replica holds another:
//  a fork whose other branch has not arrived (the child has fewer change
//  sets than this replica past the fork, so it has nothing to send). The
//  entry (reason equivocation, no bytes) is the child's word, authenticated
//  by its session, and lets its holder resolve the fork (ms_resolve_find).
MS_MUST_CHECK int ms_resolve_note_claim(ms_txn_t *txn, const char *org, const char *feed,
                                        uint64_t seq, const uint8_t *id, const char *source,
                                        ms_error_t *err);

//  One superseded change set, as listed.
typedef struct {
    char org[MS_ORG_MAX + 1];         //
    char feed[MS_FEED_NAME_MAX + 1];  //
    uint64_t seq;                     //
    uint8_t id[MS_HASH_BYTES];        //
    uint64_t size;                    //  bytes of its envelope
} ms_superseded_t;

//  Calls FN for each superseded change set of ORG (every org when NULL),
//  by (org, feed, seq). FN returning non-zero stops the walk and is returned.
typedef int (*ms_superseded_fn)(const ms_superseded_t *entry, void *ctx);
MS_MUST_CHECK int ms_resolve_list(ms_txn_t *txn, const char *org, ms_superseded_fn fn, void *ctx,
                                  ms_error_t *err);

//  The forked seq of (ORG, FEED) at which KEEP is one of the branches this
//  replica knows: the change set held there, or the equivocation kept in
//  the quarantine as proof. Returns 0 with *SEQ set; MS_ENOTFOUND when KEEP
//  is neither at any seq where a fork was seen; or a store error.
MS_MUST_CHECK int ms_resolve_find(ms_txn_t *txn, const char *org, const char *feed,
                                  const uint8_t *keep, uint64_t *seq, ms_error_t *err);

#endif
