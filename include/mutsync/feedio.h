//  feedio - a run of one feed's envelopes, out of the store into a batch
//  and from a received batch into the store through the accept rules.
//
//  The sync session (sync.c) decides what to send and when; this module
//  does the store side of a batch. Filling reads one read transaction's
//  snapshot and never more than the batch target, so a feed is never held
//  in memory whole. Applying runs in one durable write transaction: the
//  session acknowledges only after ms_feedio_apply returned.

#ifndef MS_FEEDIO_H
#define MS_FEEDIO_H

#include "mutsync/node.h"
#include "mutsync/syncmsg.h"

//  Appends envelopes of (ORG, FEED) from seq FROM to seq TO to BATCH (reset
//  first), stopping once BATCH holds TARGET raw bytes. *NEXT gets the seq
//  after the last one added. Returns 0 or a store error.
MS_MUST_CHECK int ms_feedio_fill(ms_node_t *node, const char *org, const char *feed, uint64_t from,
                                 uint64_t to, size_t target, ms_batch_t *batch, uint64_t *next,
                                 ms_error_t *err);

//  What applying a batch did.
typedef struct {
    uint32_t applied;     //  new change sets
    uint32_t duplicates;  //  already held
    uint32_t refused;     //  quarantined
    uint32_t held;        //  beyond a gap or on a frozen feed: not applied, asked again later
    uint64_t changes;     //  changes inside the applied ones
    uint64_t head;        //  the feed's head once committed
    char stray[400];      //  set when an envelope belonged to another feed
} ms_feedio_result_t;

//  Applies the envelopes of BATCH (unpacked), which claim to be (ORG, FEED)
//  from FIRST_SEQ on, in one durable write transaction. SOURCE names the
//  peer for the quarantine. Returns 0 with RESULT; MS_EREFUSED with
//  RESULT->stray set (nothing applied) when an envelope is of another feed;
//  or a store error.
MS_MUST_CHECK int ms_feedio_apply(ms_node_t *node, ms_batch_t *batch, const char *org,
                                  const char *feed, uint64_t first_seq, const char *source,
                                  ms_feedio_result_t *result, ms_error_t *err);

#endif
