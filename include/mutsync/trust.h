//  trust - who may sign for which org: anchors, certificates, revocations.
//
//  Anchors are pinned at install (the node itself, its parent, the
//  secretariat's root key). Every other org is trusted through a
//  certificate its parent published in its public feed, which this replica
//  accepted, hence verified back to an anchor. A revocation cancels a key
//  for change sets created from its time on. accept.c asks; accept.c and
//  node.c write.

#ifndef MS_TRUST_H
#define MS_TRUST_H

#include "mutsync/record.h"
#include "mutsync/rules.h"
#include "mutsync/store.h"

typedef struct {
    char org[MS_ORG_MAX + 1];
    ms_cert_t cert;  //  name, role, country, parent, key, validity
    bool anchor;     //  pinned at install rather than certified
} ms_trust_entry_t;

//  Pins KEY for ORG (an anchor). Replaces an earlier anchor for ORG.
MS_MUST_CHECK int ms_trust_pin(ms_txn_t *txn, const char *org, const ms_cert_t *cert,
                               ms_error_t *err);

//  Reads the entry for ORG. Returns 0, MS_ENOTFOUND or MS_ESTORE.
MS_MUST_CHECK int ms_trust_get(ms_txn_t *txn, const char *org, ms_trust_entry_t *entry,
                               ms_error_t *err);

//  Rule 2: is SIGNER certified for ORIGIN at CREATED? Returns 0 and fills
//  ENTRY when it is; MS_EREFUSED with *REASON (unknown-signer or revoked)
//  and DETAIL otherwise; MS_ESTORE on failure.
MS_MUST_CHECK int ms_trust_check(ms_txn_t *txn, const char *origin, const uint8_t *signer,
                                 int64_t created, ms_trust_entry_t *entry, ms_refusal_t *reason,
                                 char *detail, size_t cap, ms_error_t *err);

//  Records an accepted certificate of SUBJECT (anchors are never replaced
//  by certificates, only completed by them), or removes it (CERT NULL).
MS_MUST_CHECK int ms_trust_apply_cert(ms_txn_t *txn, const char *subject, const ms_cert_t *cert,
                                      ms_error_t *err);

//  Records an accepted revocation.
MS_MUST_CHECK int ms_trust_apply_revocation(ms_txn_t *txn, const ms_revocation_t *revocation,
                                            ms_error_t *err);

//  When KEY is revoked, sets *FROM to the revocation time and returns 0;
//  MS_ENOTFOUND when it is not.
MS_MUST_CHECK int ms_trust_revoked(ms_txn_t *txn, const uint8_t *key, int64_t *from,
                                   ms_error_t *err);

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
