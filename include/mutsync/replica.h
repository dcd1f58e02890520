//  replica - what the store's tables mean: feed heads, stored envelopes,
//  records by (collection, owner, key). The quarantine is quarantine.h.
//
//  A feed is (org, feed name). Its head is the last accepted seq and that
//  change set's id. Envelopes are kept by (feed, seq) with their id, so a
//  duplicate or a fork is recognised without re-hashing. Records are
//  namespaced by their owner: an org can only ever write under its own id.
//  Everything here runs inside the caller's transaction.

#ifndef MS_REPLICA_H
#define MS_REPLICA_H

#include "mutsync/codec.h"
#include "mutsync/store.h"

#define MS_FEED_KEY_MAX (MS_ORG_MAX + MS_FEED_NAME_MAX + 2)
#define MS_RECORD_KEY_MAX (1 + MS_ORG_MAX + 1 + MS_KEY_MAX)

typedef struct {
    uint64_t seq;                 //  0 for a feed never written
    uint8_t hash[MS_HASH_BYTES];  //  id of change set SEQ; zeros when seq is 0
    bool frozen;                  //  an equivocation was seen: nothing more is applied
} ms_head_t;

//  One stored record, borrowed from the transaction.
typedef struct {
    uint64_t seq;          //  seq of the change set that wrote it (in the owner's feed)
    const uint8_t *value;  //  record bytes
    size_t value_len;      //
} ms_stored_record_t;

//  Writes ORG NUL FEED into OUT (MS_FEED_KEY_MAX bytes) and returns its length.
size_t ms_feed_key(const char *org, const char *feed, uint8_t *out);

//  Reads the head of (ORG, FEED); a feed never written has seq 0. Returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_replica_head(ms_txn_t *txn, const char *org, const char *feed, ms_head_t *head,
                                  ms_error_t *err);
MS_MUST_CHECK int ms_replica_set_head(ms_txn_t *txn, const char *org, const char *feed,
                                      const ms_head_t *head, ms_error_t *err);

//  Calls FN for every feed this replica holds, in (org, feed) order. FN
//  returning non-zero stops the walk and is returned.
typedef int (*ms_feed_fn)(const char *org, const char *feed, const ms_head_t *head, void *ctx);
MS_MUST_CHECK int ms_replica_feeds(ms_txn_t *txn, ms_feed_fn fn, void *ctx, ms_error_t *err);

//  Stores envelope SEQ of (ORG, FEED) with its ID. Returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_replica_put_envelope(ms_txn_t *txn, const char *org, const char *feed,
                                          uint64_t seq, const uint8_t *id, const uint8_t *bytes,
                                          size_t len, ms_error_t *err);

//  Reads envelope SEQ: ID gets its id, BYTES the envelope (borrowed).
//  Returns 0, MS_ENOTFOUND or MS_ESTORE.
MS_MUST_CHECK int ms_replica_envelope(ms_txn_t *txn, const char *org, const char *feed,
                                      uint64_t seq, uint8_t *id, ms_val_t *bytes, ms_error_t *err);

//  Removes envelope SEQ of (ORG, FEED) (a fork's superseded branch: the
//  caller keeps it elsewhere). Returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_replica_del_envelope(ms_txn_t *txn, const char *org, const char *feed,
                                          uint64_t seq, ms_error_t *err);

//  Record access, keyed (COLLECTION, OWNER, KEY).
MS_MUST_CHECK int ms_replica_record(ms_txn_t *txn, ms_collection_t collection, const char *owner,
                                    const char *key, ms_stored_record_t *record, ms_error_t *err);
MS_MUST_CHECK int ms_replica_put_record(ms_txn_t *txn, ms_collection_t collection,
                                        const char *owner, const char *key, uint64_t seq,
                                        const uint8_t *value, size_t value_len, ms_error_t *err);
MS_MUST_CHECK int ms_replica_del_record(ms_txn_t *txn, ms_collection_t collection,
                                        const char *owner, const char *key, ms_error_t *err);

//  Calls FN for every record of COLLECTION owned by OWNER (all owners when
//  OWNER is NULL), in key order. FN returning non-zero stops the walk.
typedef int (*ms_record_fn)(const char *owner, const char *key, const ms_stored_record_t *record,
                            void *ctx);
MS_MUST_CHECK int ms_replica_records(ms_txn_t *txn, ms_collection_t collection, const char *owner,
                                     ms_record_fn fn, void *ctx, ms_error_t *err);

//  Drops everything this replica holds of (ORG, FEED): its envelopes, its
//  head, and ORG's records of the COUNT COLLECTIONS that live in FEED (a
//  union that released a mutual no longer holds its register).
//  Returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_replica_drop_feed(ms_txn_t *txn, const char *org, const char *feed,
                                       const ms_collection_t *collections, size_t count,
                                       ms_error_t *err);

//  Counts records of COLLECTION owned by OWNER.
MS_MUST_CHECK int ms_replica_record_count(ms_txn_t *txn, ms_collection_t collection,
                                          const char *owner, uint64_t *count, ms_error_t *err);

#endif
