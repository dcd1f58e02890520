//  anchor - the trust root a node learns from its parent's signed chain.

#include "mutsync/anchor.h"

#include "mutsync/envelope.h"
#include "mutsync/policy.h"
#include "mutsync/replica.h"
#include "mutsync/trust.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ms_anchor_provisional(const ms_identity_t *id)
{
    return id->role != MS_ROLE_SECRETARIAT && id->parent[0] &&
           id->parent_role != MS_ROLE_SECRETARIAT && strcmp(id->root, id->parent) == 0;
}

static int frame(FILE *out, const uint8_t *bytes, size_t len)
{
    uint8_t be[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    return fwrite(be, 1, 4, out) == 4 && fwrite(bytes, 1, len, out) == len ? 0 : -1;
}

int ms_anchor_chain(ms_txn_t *txn, const char *org, uint8_t **out_p, size_t *len_p, ms_error_t *err)
{
    *out_p = NULL;
    *len_p = 0;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out)
        return ms_error_set(err, MS_ENOMEM, org, "no memory for the chain");
    const char *certs = ms_policy_feed_name(MS_FEED_CERTS);
    char subject[MS_ORG_MAX + 1];
    snprintf(subject, sizeof subject, "%s", org);
    int rc = 0;
    for (int links = 0; rc == 0 && links < MS_ANCHOR_LINKS_MAX; links++) {
        ms_trust_entry_t entry;
        ms_stored_record_t cert;
        ms_val_t bytes;
        rc = ms_trust_get(txn, subject, &entry, err);
        if (rc == 0 && !entry.cert.parent[0])
            break;  //  the top: no one certified it
        if (rc == 0)
            rc = ms_replica_record(txn, MS_COLL_CERT, entry.cert.parent, subject, &cert, err);
        if (rc == 0)
            rc = ms_replica_envelope(txn, entry.cert.parent, certs, cert.seq, NULL, &bytes, err);
        if (rc == MS_ENOTFOUND) {
            rc = 0;  //  a chain this node does not hold whole: what it holds
            break;
        }
        if (rc == 0 && frame(out, bytes.data, bytes.len) != 0)
            rc = ms_error_set(err, MS_ENOMEM, org, "no memory for the chain");
        snprintf(subject, sizeof subject, "%s", entry.cert.parent);
    }
    fclose(out);
    if (rc || size == 0) {
        free(text);
        return rc;
    }
    *out_p = (uint8_t *)text;
    *len_p = size;
    return 0;
}

//  One link: ENVELOPE is a certs change set that certifies SUBJECT with
//  KEY and names its signer's org as SUBJECT's parent. On success SUBJECT
//  and KEY become the signer's org and key.
static int check_link(const uint8_t *envelope, size_t len, int n, char *subject, uint8_t *key,
                      ms_error_t *err)
{
    ms_envelope_t env;
    ms_changeset_t *cs = NULL;
    int rc = ms_envelope_decode(envelope, len, &env, err);
    if (rc == 0)
        rc = ms_changeset_decode(env.body, env.body_len, &cs, err);
    if (rc == 0 &&
        (!ms_envelope_verify(&env, NULL, cs->signer) || ms_policy_kind(cs->feed) != MS_FEED_CERTS))
        rc = ms_error_set(err, MS_EREFUSED, "chain",
                          "link %d is not a certs change set signed by its writer", n);
    bool found = false;
    for (size_t i = 0; rc == 0 && !found && i < cs->change_count; i++) {
        const ms_change_t *c = &cs->changes[i];
        ms_cert_t cert;
        if (c->collection != MS_COLL_CERT || c->op != MS_OP_UPSERT || strcmp(c->key, subject) != 0)
            continue;
        rc = ms_cert_decode(c->value, c->value_len, &cert, err);
        found = rc == 0 && memcmp(cert.key, key, MS_KEY_BYTES) == 0 &&
                strcmp(cert.parent, cs->origin) == 0;
    }
    if (rc == 0 && !found)
        rc = ms_error_set(err, MS_EREFUSED, "chain",
                          "link %d does not certify %s with the key this node holds for it", n,
                          subject);
    if (rc == 0) {
        snprintf(subject, MS_ORG_MAX + 1, "%s", cs->origin);
        memcpy(key, cs->signer, MS_KEY_BYTES);
    }
    ms_changeset_destroy(&cs);
    ms_envelope_clear(&env);
    if (rc != MS_EINVAL)
        return rc;
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err->message);
    return ms_error_set(err, MS_EREFUSED, "chain", "link %d: %s", n, why);
}

typedef struct {
    ms_node_t *node;
    const char *root;
    const uint8_t *key;
} pin_ctx_t;

static int pin_root(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    pin_ctx_t *ctx = arg;
    ms_identity_t id = *ms_node_identity(ctx->node);
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    cert.role = MS_ROLE_SECRETARIAT;
    memcpy(cert.key, ctx->key, MS_KEY_BYTES);
    int rc = ms_trust_pin(txn, ctx->root, &cert, err);
    //  The parent was pinned as the stand-in root: pin it again as what it is.
    cert.role = id.parent_role;
    memcpy(cert.key, id.parent_key, MS_KEY_BYTES);
    if (rc == 0)
        rc = ms_trust_pin(txn, id.parent, &cert, err);
    snprintf(id.root, sizeof id.root, "%s", ctx->root);
    memcpy(id.root_key, ctx->key, MS_KEY_BYTES);
    return rc ? rc : ms_node_save_identity(ctx->node, txn, &id, err);
}

int ms_anchor_learn(ms_node_t *node, const uint8_t *chain, size_t len, char root[MS_ORG_MAX + 1],
                    ms_error_t *err)
{
    root[0] = 0;
    const ms_identity_t *id = ms_node_identity(node);
    if (!ms_anchor_provisional(id) || len == 0)
        return 0;
    char subject[MS_ORG_MAX + 1];
    uint8_t key[MS_KEY_BYTES];
    snprintf(subject, sizeof subject, "%s", id->parent);
    memcpy(key, id->parent_key, MS_KEY_BYTES);
    size_t at = 0;
    int n = 0;
    while (at < len) {
        if (++n > MS_ANCHOR_LINKS_MAX || len - at < 4)
            return ms_error_set(err, MS_EREFUSED, "chain", "link %d is cut or one too many", n);
        size_t link = (size_t)chain[at] << 24 | (size_t)chain[at + 1] << 16 |
                      (size_t)chain[at + 2] << 8 | chain[at + 3];
        at += 4;
        if (link > len - at)
            return ms_error_set(err, MS_EREFUSED, "chain", "link %d is cut", n);
        int rc = check_link(chain + at, link, n, subject, key, err);
        if (rc)
            return rc;
        at += link;
    }
    pin_ctx_t ctx = {node, subject, key};
    int rc = ms_store_write(ms_node_store(node), pin_root, &ctx, err);
    if (rc == 0)
        snprintf(root, MS_ORG_MAX + 1, "%s", subject);
    return rc;
}
