//  trust - who may sign for which org: anchors, certificates, revocations.
//
//  Anchors are pinned at install (the node itself, its parent, the
//  secretariat's root key). Every other org is trusted through a
//  certificate its parent published in its public feed, which this replica
//  accepted, hence verified back to an anchor. A revocation cancels a key
//  from a position in each of the subject's feeds on (the last seq it
//  validly signed), never from a time: no device's clock decides validity.
//  A revoked key stays valid for what it signed up to those positions, so
//  a successor key certified for the same org continues the same feeds.
//  accept.c asks; accept.c and node.c write.

#ifndef MS_TRUST_H
#define MS_TRUST_H

#include "mutsync/record.h"
#include "mutsync/rules.h"
#include "mutsync/store.h"

typedef struct {
    char org[MS_ORG_MAX + 1];
    ms_cert_t cert;                    //  name, role, country, parent, key
    bool anchor;                       //  pinned at install rather than certified
    char released_to[MS_ORG_MAX + 1];  //  the org the holder released this id to, or ""
} ms_trust_entry_t;

//  A revoked key: whose it was and where it stops.
typedef struct {
    char subject[MS_ORG_MAX + 1];  //  the org the key was certified for
    int64_t from;                  //  the revoker's clock, informative only
    size_t position_count;         //
    ms_feed_position_t positions[MS_REVOCATION_FEEDS_MAX + 3];  //  per feed: last valid seq
} ms_revoked_t;

//  Pins KEY for ORG (an anchor). Replaces an earlier anchor for ORG.
MS_MUST_CHECK int ms_trust_pin(ms_txn_t *txn, const char *org, const ms_cert_t *cert,
                               ms_error_t *err);

//  Reads the entry for ORG. Returns 0, MS_ENOTFOUND or MS_ESTORE.
MS_MUST_CHECK int ms_trust_get(ms_txn_t *txn, const char *org, ms_trust_entry_t *entry,
                               ms_error_t *err);

//  Rule 2: may SIGNER sign seq SEQ of ORIGIN's FEED? Yes when it is the key
//  certified for ORIGIN and not revoked before that position, or an
//  earlier key of ORIGIN revoked after it (a succession). Returns 0 and
//  fills ENTRY (ORIGIN's entry) when it may; MS_EREFUSED with *REASON
//  (unknown-signer or revoked) and DETAIL otherwise; MS_ESTORE on failure.
MS_MUST_CHECK int ms_trust_check(ms_txn_t *txn, const char *origin, const uint8_t *signer,
                                 const char *feed, uint64_t seq, ms_trust_entry_t *entry,
                                 ms_refusal_t *reason, char *detail, size_t cap, ms_error_t *err);

//  Records an accepted certificate of SUBJECT (anchors are never replaced
//  by certificates, only completed by them), or removes it (CERT NULL).
MS_MUST_CHECK int ms_trust_apply_cert(ms_txn_t *txn, const char *subject, const ms_cert_t *cert,
                                      ms_error_t *err);

//  Records an accepted revocation of SUBJECT's key. Each of SUBJECT's feeds
//  this replica holds that the revocation does not name stops at the head
//  held here now (only the origin itself holds such feeds: care, a register
//  kept at home). Re-revoking a key keeps, per feed, the furthest position.
MS_MUST_CHECK int ms_trust_apply_revocation(ms_txn_t *txn, const char *subject,
                                            const ms_revocation_t *revocation, ms_error_t *err);

//  Records an accepted release of SUBJECT's id to TO, and indexes that
//  SUBJECT's certifier released an id to TO (ms_trust_releasers).
MS_MUST_CHECK int ms_trust_apply_release(ms_txn_t *txn, const char *subject, const char *to,
                                         ms_error_t *err);

#define MS_TRUST_RELEASERS_MAX 16  //  orgs listed by ms_trust_releasers

//  Fills RELEASERS with the orgs that released an id to TO (their certs
//  feed carries the release TO needs to adopt it), at most
//  MS_TRUST_RELEASERS_MAX, in org order. Returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_trust_releasers(ms_txn_t *txn, const char *to,
                                     char releasers[MS_TRUST_RELEASERS_MAX][MS_ORG_MAX + 1],
                                     size_t *count, ms_error_t *err);

//  When KEY is revoked for SUBJECT, sets *FROM to the revoker's
//  (informative) time and returns 0; MS_ENOTFOUND when it is not.
MS_MUST_CHECK int ms_trust_revoked(ms_txn_t *txn, const char *subject, const uint8_t *key,
                                   int64_t *from, ms_error_t *err);

//  As ms_trust_revoked, with where the key stops. Returns 0, MS_ENOTFOUND or MS_ESTORE.
MS_MUST_CHECK int ms_trust_revocation(ms_txn_t *txn, const char *subject, const uint8_t *key,
                                      ms_revoked_t *out, ms_error_t *err);

#define MS_TRUST_DEPTH_MAX 16  //  orgs a chain of certified parents may hold

//  Fills CHAIN with ORG, then the parent its certificate names, then that
//  parent's parent, and so on: up to an org with no parent, a parent this
//  replica holds no entry for (it is the last one listed), or
//  MS_TRUST_DEPTH_MAX orgs, so a damaged or cyclic table cannot loop.
//  *COUNT gets the number of orgs (at least 1). Returns 0 or MS_ESTORE.
MS_MUST_CHECK int ms_trust_chain(ms_txn_t *txn, const char *org,
                                 char chain[MS_TRUST_DEPTH_MAX][MS_ORG_MAX + 1], size_t *count,
                                 ms_error_t *err);

//  Calls FN for every org the replica trusts, in org order.
typedef int (*ms_trust_fn)(const ms_trust_entry_t *entry, void *ctx);
MS_MUST_CHECK int ms_trust_list(ms_txn_t *txn, ms_trust_fn fn, void *ctx, ms_error_t *err);

#endif
