//  audit - re-reads every stored envelope and checks it still holds:
//  signature, id, hash chain, seq continuity, head, and that its signer is
//  trusted for its origin. What `mutsync feed verify` runs.

#ifndef MS_AUDIT_H
#define MS_AUDIT_H

#include "mutsync/store.h"

typedef struct {
    uint64_t feeds;      //  feeds checked
    uint64_t envelopes;  //  envelopes checked
    uint64_t changes;    //  changes inside them
    uint64_t bytes;      //  envelope bytes read
    uint64_t failures;   //  problems found (each reported through the callback)
} ms_audit_t;

//  Called once per problem: the feed, the seq (0 for the head) and why.
typedef void (*ms_audit_fn)(const char *org, const char *feed, uint64_t seq, const char *problem,
                            void *ctx);

//  Checks every feed of STORE. Returns 0 with REPORT filled (the failures
//  count says whether all held), or a store error.
MS_MUST_CHECK int ms_audit_run(ms_store_t *store, ms_audit_fn fn, void *ctx, ms_audit_t *report,
                               ms_error_t *err);

#endif
