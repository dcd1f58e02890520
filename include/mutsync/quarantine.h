//  quarantine - what a replica refused or set aside, and why; bounded.
//
//  Refusals are data: each entry names the change set (origin, feed, seq,
//  id), the reason, where it came from and its size. It keeps only a short
//  prefix of the bytes, nothing of a register or care feed (personal data
//  never stays where its origin did not send it), and the whole envelope
//  only as the proof of an equivocation. Each source (a peer, a bundle,
//  local writes) has a quota and the table a total cap: past them a refusal
//  is counted, not kept, so nothing a peer sends grows the store without
//  bound. Everything here runs inside the caller's transaction.

#ifndef MS_QUARANTINE_H
#define MS_QUARANTINE_H

#include "mutsync/codec.h"
#include "mutsync/store.h"

#define MS_QUARANTINE_MAX 20000        //  entries kept at most
#define MS_QUARANTINE_SOURCE_MAX 1000  //  entries kept per source
#define MS_QUARANTINE_PROOFS_MAX 16    //  whole envelopes kept per source (equivocations)
#define MS_QUARANTINE_PREFIX_BYTES 64  //  bytes kept of a refused envelope otherwise

//  One entry. On the way in, ENVELOPE/ENVELOPE_LEN are the refused bytes
//  (the module decides what to keep); on the way out, what was kept.
typedef struct {
    uint64_t number;                  //  entry number, 1, 2... (assigned)
    int64_t when;                     //  UTC seconds it was received here (informative)
    int reason;                       //  ms_refusal_t
    char origin[MS_ORG_MAX + 1];      //  as claimed by the envelope; may be empty
    char feed[MS_FEED_NAME_MAX + 1];  //
    uint64_t seq;                     //  0 when it could not be read
    uint8_t id[MS_HASH_BYTES];        //  id of the change set (zeros if unreadable)
    uint64_t size;                    //  bytes of the refused envelope or frame
    int32_t change;                   //  the change set aside, or -1: the whole change set
    char detail[256];                 //  the reason for people
    char source[64];                  //  where it came from: "bundle FILE", "peer ORG"...
    const uint8_t *envelope;          //  bytes (borrowed)
    size_t envelope_len;              //
} ms_quarantine_entry_t;

//  Adds ENTRY unless its source's quota or the total cap is reached, in
//  which case the refusal is only counted. *KEPT (may be NULL) says which.
//  Returns 0 or a store error.
MS_MUST_CHECK int ms_quarantine_add(ms_txn_t *txn, const ms_quarantine_entry_t *entry, bool *kept,
                                    ms_error_t *err);

//  Calls FN for each entry, oldest first. FN returning non-zero stops.
typedef int (*ms_quarantine_fn)(const ms_quarantine_entry_t *entry, void *ctx);
MS_MUST_CHECK int ms_quarantine_list(ms_txn_t *txn, ms_quarantine_fn fn, void *ctx,
                                     ms_error_t *err);

//  Calls FN for each source with refusals counted but not kept.
typedef int (*ms_quarantine_dropped_fn)(const char *source, uint64_t dropped, void *ctx);
MS_MUST_CHECK int ms_quarantine_dropped(ms_txn_t *txn, ms_quarantine_dropped_fn fn, void *ctx,
                                        ms_error_t *err);

//  Removes the entries received before BEFORE (UTC seconds; every entry
//  when BEFORE is 0) and the counts of refusals not kept. *REMOVED gets
//  the number of entries removed. Returns 0 or a store error.
MS_MUST_CHECK int ms_quarantine_purge(ms_txn_t *txn, int64_t before, uint64_t *removed,
                                      ms_error_t *err);

#endif
