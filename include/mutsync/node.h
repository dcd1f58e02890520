//  node - a node directory: its identity, its key, its store, and its own
//  writes.
//
//  DIR holds node.key (the Ed25519 seed, mode 0600) and the LMDB files.
//  The identity (org, role, country, name, parent and where to reach it)
//  lives in the store's meta table. The node's own change sets are built,
//  signed and then passed through the same accept rules as anyone else's,
//  so a node cannot write what its replicas would refuse.

#ifndef MS_NODE_H
#define MS_NODE_H

#include "mutsync/accept.h"
#include "mutsync/keys.h"
#include "mutsync/record.h"
#include "mutsync/replica.h"
#include "mutsync/store.h"

#define MS_ENDPOINT_MAX 256

typedef struct {
    char org[MS_ORG_MAX + 1];
    ms_role_t role;
    char country[3];
    char name[MS_NAME_MAX + 1];
    uint8_t key[MS_KEY_BYTES];              //  this node's public key
    char parent[MS_ORG_MAX + 1];            //  empty at the root
    uint8_t parent_key[MS_KEY_BYTES];       //  pinned at init
    ms_role_t parent_role;                  //
    char parent_endpoint[MS_ENDPOINT_MAX];  //  e.g. tcp://127.0.0.1:7301
    char root[MS_ORG_MAX + 1];              //  the secretariat's org id
    uint8_t root_key[MS_KEY_BYTES];         //  the trust root
    uint32_t register_reach;                //  levels the register feed travels up (default 0)
    char endpoint[MS_ENDPOINT_MAX];         //  where this node's children reach it ("" unset)
} ms_identity_t;

typedef struct ms_node ms_node_t;

//  Creates a node in DIR (which must not hold one): a new key pair, the
//  store, the identity, trust anchors (self, parent, root) and the org
//  card as seq 1 of the public feed. A secretariat is its own root.
//  Returns 0, MS_EEXIST, MS_EINVAL (what is wrong with ID) or a store error.
MS_MUST_CHECK int ms_node_init(const char *dir, const ms_identity_t *identity, ms_error_t *err);

//  As ms_node_init, for a node made from its parent's invitation: no org
//  card and no change set at all until it is pending no more (a complete
//  sync with its parent, or a restore, clears it and publishes the card
//  when the parent held none), so the same invitation serves a new mutual
//  and a replacement laptop without forking.
MS_MUST_CHECK int ms_node_init_invited(const char *dir, const ms_identity_t *identity,
                                       ms_error_t *err);

//  Opens the node in DIR. The secret key is read only when first needed.
//  Returns 0, MS_ENOTFOUND (no node there) or a store error.
MS_MUST_CHECK int ms_node_open(const char *dir, ms_node_t **node_p, ms_error_t *err);

//  Closes the node; wipes the secret key. Safe on NULL and twice.
void ms_node_close(ms_node_t **node_p);

//  The identity and the store; both live as long as the node.
const ms_identity_t *ms_node_identity(const ms_node_t *self);
ms_store_t *ms_node_store(ms_node_t *self);

//  The key pair, loaded from DIR/node.key on first use (refused when the
//  file's mode lets others read it). Returns 0 or the load error.
MS_MUST_CHECK int ms_node_keypair(ms_node_t *self, const ms_keypair_t **keypair_p, ms_error_t *err);

//  Sets the hook accept calls for every change applied (the views).
void ms_node_set_hook(ms_node_t *self, const ms_apply_hook_t *hook);

//  What must be written before anything leaves the node (the views'
//  pending reports): FN(node, ctx, err), set once by whoever attaches the
//  views. Every path by which data leaves (sync, bundle export, backup)
//  calls ms_node_before_leave, so a parent never gets stale figures.
typedef int (*ms_publish_fn)(ms_node_t *node, void *ctx, ms_error_t *err);
void ms_node_set_publisher(ms_node_t *self, ms_publish_fn fn, void *ctx);

//  Runs the publisher, if any. Returns 0 or its error.
MS_MUST_CHECK int ms_node_before_leave(ms_node_t *self, ms_error_t *err);

//  A fork of one of this node's own feeds: its parent holds another change
//  set than this node at some seq (a node restored from a copy that wrote
//  on, a copied key). While one is recorded the node refuses to write
//  (ms_node_append fails with MS_EREFUSED and REASON), until its parent's
//  resolution arrives: ms_node_accept, applying a resolution of one of
//  this node's feeds, clears the mark and makes the node pending (below),
//  so the branch its parent kept comes first. REASON is for people. Inside TXN.
MS_MUST_CHECK int ms_node_set_forked(ms_node_t *self, ms_txn_t *txn, const char *reason,
                                     ms_error_t *err);
MS_MUST_CHECK int ms_node_clear_forked(ms_node_t *self, ms_txn_t *txn, ms_error_t *err);

//  Reads the recorded fork into REASON (CAP bytes). Returns 0 when there is
//  one, MS_ENOTFOUND when not, or a store error.
MS_MUST_CHECK int ms_node_forked(ms_node_t *self, ms_txn_t *txn, char *reason, size_t cap,
                                 ms_error_t *err);

//  A node that must learn from its parent what it already holds of this
//  node's own feeds before it writes: one made from an invitation or a
//  backup, or whose files were copied or moved (ms_node_open notices: the
//  store's file is not the one it was). While pending, ms_node_append
//  refuses with REASON; a complete sync with the parent clears it, so a
//  restored node continues its feeds instead of forking them. Inside TXN.
MS_MUST_CHECK int ms_node_set_pending(ms_node_t *self, ms_txn_t *txn, const char *reason,
                                      ms_error_t *err);
MS_MUST_CHECK int ms_node_clear_pending(ms_node_t *self, ms_txn_t *txn, ms_error_t *err);
MS_MUST_CHECK int ms_node_pending(ms_node_t *self, ms_txn_t *txn, char *reason, size_t cap,
                                  ms_error_t *err);

//  Appends COUNT changes to this node's FEED inside TXN: next seq, prev =
//  head id, signed, then accepted. Returns 0; MS_EREFUSED (VERDICT says
//  why) when the accept rules refuse it; or a store error.
MS_MUST_CHECK int ms_node_append(ms_node_t *self, ms_txn_t *txn, const char *feed,
                                 const ms_change_t *changes, size_t count, ms_verdict_t *verdict,
                                 ms_error_t *err);

//  As ms_node_append, where FRESH[i] says that no record is held under the
//  key of change i (the caller looked, or knows the register empty): the
//  views then skip their lookup of the record it replaces. A key appearing
//  twice among the changes must not be marked fresh.
MS_MUST_CHECK int ms_node_append_fresh(ms_node_t *self, ms_txn_t *txn, const char *feed,
                                       const ms_change_t *changes, const bool *fresh, size_t count,
                                       ms_verdict_t *verdict, ms_error_t *err);

//  A change set sealed ahead of the transaction that accepts it, so that
//  encoding and signing may run in a thread apart (see import).
typedef struct {
    ms_changeset_t cs;          //  what it says; its changes stay the caller's
    uint8_t *bytes;             //  the envelope, owned
    size_t len;                 //  bytes
    uint8_t id[MS_HASH_BYTES];  //  of the body: the feed's head once accepted
} ms_sealed_t;

//  Returns 0 when this node may write its feeds now (its key loaded), or
//  MS_EREFUSED (a fork to be resolved, a sync with the parent first; ERR
//  says which), or a store error. Inside TXN.
MS_MUST_CHECK int ms_node_may_write(ms_node_t *self, ms_txn_t *txn, ms_error_t *err);

//  Encodes and signs COUNT changes (FRESH as for ms_node_append_fresh, may
//  be NULL) as the change set that follows HEAD in this node's FEED, into
//  *SEALED (release with ms_sealed_free). Reads only the node's identity
//  and its key, loaded by ms_node_may_write: once that returned 0, it may
//  run in another thread while TXN is open. CHANGES, FRESH and FEED must
//  outlive *SEALED. Returns 0, MS_ENOMEM or a codec error.
MS_MUST_CHECK int ms_node_seal(const ms_node_t *self, const ms_head_t *head, const char *feed,
                               const ms_change_t *changes, const bool *fresh, size_t count,
                               ms_sealed_t *sealed, ms_error_t *err);

//  Accepts SEALED inside TXN, as ms_node_append_fresh does once it sealed:
//  its seq and prev must follow the feed's head there. Same returns.
MS_MUST_CHECK int ms_node_accept_sealed(ms_node_t *self, ms_txn_t *txn, const ms_sealed_t *sealed,
                                        ms_verdict_t *verdict, ms_error_t *err);

//  Frees what *SEALED owns. Safe twice.
void ms_sealed_free(ms_sealed_t *sealed);

//  Accepts an envelope from elsewhere (bundle, peer) with the node's hook
//  (and the fork mark cleared by a resolution of this node's feeds, above).
MS_MUST_CHECK int ms_node_accept(ms_node_t *self, ms_txn_t *txn, const uint8_t *bytes, size_t len,
                                 const char *source, ms_verdict_t *verdict, ms_error_t *err);

//  Makes PARENT (its KEY pinned as a trust anchor, ROLE, ENDPOINT) this
//  node's parent: a move to another union, once the old one released the
//  id and the new one certified it. The org card is republished naming the
//  new parent, so it agrees with the new certificate. Inside TXN.
MS_MUST_CHECK int ms_node_set_parent(ms_node_t *self, ms_txn_t *txn, const char *parent,
                                     const uint8_t *key, ms_role_t role, const char *endpoint,
                                     ms_error_t *err);

//  Saves a changed identity (parent endpoint, register reach) in TXN.
MS_MUST_CHECK int ms_node_save_identity(ms_node_t *self, ms_txn_t *txn,
                                        const ms_identity_t *identity, ms_error_t *err);

#endif
