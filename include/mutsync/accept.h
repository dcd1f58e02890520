//  accept - the accept rules applied: one envelope in, applied or refused.
//
//  The same code runs at every replica, for the node's own writes, for
//  bundles and for what peers send. An envelope is applied inside the
//  caller's write transaction together with its head update, its records,
//  the trust changes it carries and whatever the apply hook writes (the
//  views), so after a crash all of them are there or none. A refused
//  envelope goes to the quarantine, in the same transaction, with its reason.

#ifndef MS_ACCEPT_H
#define MS_ACCEPT_H

#include "mutsync/rules.h"
#include "mutsync/store.h"

typedef enum {
    MS_OUTCOME_APPLIED,    //  new: stored, head moved, records written
    MS_OUTCOME_DUPLICATE,  //  already held: nothing written
    MS_OUTCOME_REFUSED,    //  quarantined with REASON
} ms_outcome_t;

typedef struct {
    ms_outcome_t outcome;
    ms_refusal_t reason;              //  when refused
    char origin[MS_ORG_MAX + 1];      //  empty when the envelope could not be read
    char feed[MS_FEED_NAME_MAX + 1];  //
    uint64_t seq;                     //
    uint8_t id[MS_HASH_BYTES];        //  id of the change set (zeros if unreadable)
    size_t change_count;              //  changes applied
    size_t set_aside;                 //  changes kept in the chain but not applied (bad-value)
    char detail[256];                 //  the reason for people (the first set aside, if any)
} ms_verdict_t;

//  Called for each change about to be applied, before the record is
//  written: the store still holds the record it replaces, for the hook to
//  read when it needs it, unless FRESH says there is none (the writer knew
//  the key to be new: no need to look). Returning non-zero aborts the
//  whole write (a store failure), never refuses the envelope.
typedef int (*ms_apply_fn)(ms_txn_t *txn, const char *owner, uint64_t seq,
                           const ms_change_t *change, bool fresh, void *ctx, ms_error_t *err);

//  Called once per envelope applied, after its changes and its head.
typedef int (*ms_applied_fn)(ms_txn_t *txn, const char *origin, const char *feed, uint64_t seq,
                             void *ctx, ms_error_t *err);

//  Called for each change of an authentic, authorized change set before
//  anything is written, to judge its value (a report's figure, a range).
//  Returns 0 to apply it, 1 to set it aside: the change set stays in the
//  chain (its head moves, the feed goes on) but this change is neither
//  written nor counted, and the quarantine lists it with DETAIL (CAP bytes)
//  as bad-value. A negative code is a store failure and aborts the write.
typedef int (*ms_check_fn)(ms_txn_t *txn, const char *owner, const ms_change_t *change, void *ctx,
                           char *detail, size_t cap, ms_error_t *err);

typedef struct {
    ms_apply_fn fn;         //  may be NULL
    ms_applied_fn applied;  //  may be NULL
    void *ctx;
    ms_check_fn check;  //  may be NULL
} ms_apply_hook_t;

//  Applies or refuses the envelope BYTES inside TXN, at the replica of org
//  HOLDER (whose reach rules apply: policy.h). SOURCE says where it came
//  from for the quarantine ("bundle x.msb", "peer ML-UTM"). Returns 0 with
//  VERDICT filled, whatever the outcome; a negative code only when the
//  store failed (then the caller discards the transaction).
MS_MUST_CHECK int ms_accept(ms_txn_t *txn, const char *holder, const uint8_t *bytes, size_t len,
                            const char *source, const ms_apply_hook_t *hook, ms_verdict_t *verdict,
                            ms_error_t *err);

//  As ms_accept, for a change set this node has just built (CS), encoded
//  (its body has id ID) and sealed (BYTES) itself: decoding and the
//  signature check are skipped, since the bytes were made from CS a moment
//  ago; the trust, seq, authority and record rules run as for anyone else's.
MS_MUST_CHECK int ms_accept_own(ms_txn_t *txn, const uint8_t *bytes, size_t len, const uint8_t *id,
                                const ms_changeset_t *cs, const ms_apply_hook_t *hook,
                                ms_verdict_t *verdict, ms_error_t *err);

#endif
