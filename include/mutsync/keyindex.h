//  keyindex - which trusted org holds a CurveZMQ key, in one B-tree seek.
//
//  A parent's ZAP handler sees only the Curve25519 key a connection
//  presents; the trust table is keyed by org and holds Ed25519 keys. This
//  index maps the Curve key derived from each trusted org's key back to the
//  org, so admitting or refusing a connection costs O(log n) whatever the
//  number of children, and no key is converted while a handshake waits.
//
//  trust.c keeps it: every write of a trust entry sets the entry's key here,
//  every removal removes it, in the same transaction, so the index never
//  disagrees with the table. It lives in MS_TABLE_INDEX under keys starting
//  with "C":
//      "Ck" + Curve key (32) + org  -> nothing     (lookup: a prefix seek)
//      "Co" + org                   -> Curve key   (what to remove on a change)
//      "Cv"                         -> version (1) (the index covers every entry)
//  Stores written before the index existed are completed once by
//  ms_keyindex_rebuild (mutsyncd does it when it starts listening).

#ifndef MS_KEYINDEX_H
#define MS_KEYINDEX_H

#include "mutsync/codec.h"
#include "mutsync/keys.h"
#include "mutsync/store.h"

//  Records that ORG's key is KEY (Ed25519), replacing what the index held
//  for ORG. A KEY that is not a valid Ed25519 point has no Curve form: ORG
//  is then only removed, as no CurveZMQ peer can present it. Returns 0 or
//  MS_ESTORE.
MS_MUST_CHECK int ms_keyindex_set(ms_txn_t *txn, const char *org, const uint8_t *key,
                                  ms_error_t *err);

//  Forgets ORG's key. Returns 0 (also when ORG was not indexed) or MS_ESTORE.
MS_MUST_CHECK int ms_keyindex_remove(ms_txn_t *txn, const char *org, ms_error_t *err);

//  Calls FN(org, ctx) for each org whose key has the Curve form CURVE_KEY
//  (usually one, none for an unknown key), in org order, until FN returns
//  non-zero. ORG is borrowed for the call. Returns 0, FN's non-zero value,
//  or MS_ESTORE.
typedef int (*ms_keyindex_fn)(const char *org, void *ctx);
MS_MUST_CHECK int ms_keyindex_find(ms_txn_t *txn, const uint8_t *curve_key, ms_keyindex_fn fn,
                                   void *ctx, ms_error_t *err);

//  Whether the index covers every trust entry (ms_keyindex_rebuild ran on
//  this store). Sets *READY; returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_keyindex_ready(ms_txn_t *txn, bool *ready, ms_error_t *err);

//  Indexes ORG -> KEY for each of COUNT entries and marks the index ready:
//  the one O(n) pass, for a store whose trust table was written before the
//  index existed. ORGS[i] and KEYS[i] come from the trust table (the caller
//  lists it, so this module stays below trust). Returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_keyindex_rebuild(ms_txn_t *txn, const char (*orgs)[MS_ORG_MAX + 1],
                                      const uint8_t (*keys)[MS_KEY_BYTES], size_t count,
                                      ms_error_t *err);

#endif
