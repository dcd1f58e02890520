//  ms-children - certifies many children at once, for the admission tests
//  and benchmarks.
//
//    ms-children -d DIR --count N [--first I] [--cards]
//        certifies N new children of the node in DIR (mutuals), org ids
//        <org of DIR>-K<I>, <org>-K<I+1>..., each with a fresh random key
//        whose secret is thrown away: they exist only to make the trust
//        table as large as a real union's. The certificates are appended to
//        DIR's public feed through the accept rules (ms_node_append), 500
//        per change set, with the views hook, so they are as real as those
//        of `mutsync child add`. With --cards each child also signs its org
//        card as seq 1 of its own public feed, accepted into DIR as if it
//        had synced: the union then holds one feed per child, as a real one.
//  Prints "certified N children". Exits 0, 1 on failure, 2 on usage.

#include "mutsync/envelope.h"
#include "mutsync/node.h"
#include "mutsync/views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PER_CHANGESET 500

static const char *option(int argc, char **argv, const char *name, const char *fallback)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return fallback;
}

typedef struct {
    ms_node_t *node;
    unsigned first;  //  number of the first child of this change set
    unsigned count;  //  children in this change set
    bool cards;      //  each child also publishes its org card
} batch_t;

//  The child ORG's org card, seq 1 of its public feed, signed with KEYPAIR
//  and accepted into the node's store.
static int accept_card(ms_node_t *node, ms_txn_t *txn, const char *org, const ms_cert_t *cert,
                       const ms_keypair_t *keypair, ms_error_t *err)
{
    ms_org_t card;
    memset(&card, 0, sizeof card);
    snprintf(card.name, sizeof card.name, "%.*s", (int)sizeof card.name - 1, cert->name);
    snprintf(card.country, sizeof card.country, "%s", cert->country);
    snprintf(card.parent, sizeof card.parent, "%s", cert->parent);
    card.role = cert->role;
    uint8_t value[1024];
    size_t len = 0;
    if (ms_org_encode(&card, value, sizeof value, &len) != 0)
        return ms_error_set(err, MS_EINVAL, org, "card too large");
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, org, value, len};
    ms_changeset_t cs = {.origin = org, .feed = "public", .seq = 1, .created = time(NULL)};
    memcpy(cs.signer, ms_keypair_public(keypair), MS_KEY_BYTES);
    cs.change_count = 1;
    cs.changes = &change;
    uint8_t *body = NULL, *bytes = NULL;
    size_t body_len = 0, bytes_len = 0;
    int rc = ms_changeset_encode(&cs, &body, &body_len, err);
    if (rc == 0)
        rc = ms_envelope_seal(keypair, body, body_len, NULL, &bytes, &bytes_len, err);
    ms_verdict_t verdict;
    if (rc == 0)
        rc = ms_node_accept(node, txn, bytes, bytes_len, "ms-children", &verdict, err);
    free(body);
    free(bytes);
    return rc;
}

//  One change set of certificates (and the children's cards); the keys are
//  made inside so that a retried transaction (the map grew) makes the same
//  number of children.
static int certify(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    batch_t *batch = arg;
    const ms_identity_t *id = ms_node_identity(batch->node);
    static char orgs[PER_CHANGESET][MS_ORG_MAX + 1];
    static uint8_t values[PER_CHANGESET][256];
    static ms_cert_t certs[PER_CHANGESET];
    static ms_keypair_t *keypairs[PER_CHANGESET];
    ms_change_t changes[PER_CHANGESET];
    int rc = 0;
    for (unsigned i = 0; rc == 0 && i < batch->count; i++) {
        rc = ms_keypair_new(&keypairs[i], err);
        if (rc)
            break;
        ms_cert_t *cert = &certs[i];
        memset(cert, 0, sizeof *cert);
        cert->role = MS_ROLE_MUTUAL;
        snprintf(cert->country, sizeof cert->country, "%s", id->country);
        snprintf(cert->name, sizeof cert->name, "Mutuelle %u", batch->first + i);
        snprintf(cert->parent, sizeof cert->parent, "%s", id->org);
        memcpy(cert->key, ms_keypair_public(keypairs[i]), MS_KEY_BYTES);
        cert->valid_from = (int64_t)time(NULL);
        snprintf(orgs[i], sizeof orgs[i], "%.50s-K%05u", id->org, batch->first + i);
        size_t len = 0;
        if (ms_cert_encode(cert, values[i], sizeof values[i], &len) != 0)
            rc = ms_error_set(err, MS_EINVAL, orgs[i], "certificate too large");
        changes[i] = (ms_change_t){MS_COLL_CERT, MS_OP_UPSERT, orgs[i], values[i], len};
    }
    ms_verdict_t verdict;
    if (rc == 0)
        rc = ms_node_append(batch->node, txn, "certs", changes, batch->count, &verdict, err);
    for (unsigned i = 0; rc == 0 && batch->cards && i < batch->count; i++)
        rc = accept_card(batch->node, txn, orgs[i], &certs[i], keypairs[i], err);
    for (unsigned i = 0; i < batch->count; i++)
        ms_keypair_destroy(&keypairs[i]);
    return rc;
}

int main(int argc, char **argv)
{
    const char *dir = option(argc, argv, "-d", NULL);
    const char *count_text = option(argc, argv, "--count", NULL);
    if (!dir || !count_text) {
        fprintf(stderr, "usage: ms-children -d DIR --count N [--first I]\n");
        return 2;
    }
    unsigned count = (unsigned)strtoul(count_text, NULL, 10);
    unsigned first = (unsigned)strtoul(option(argc, argv, "--first", "1"), NULL, 10);
    bool cards = false;
    for (int i = 1; i < argc; i++)
        cards = cards || strcmp(argv[i], "--cards") == 0;
    ms_node_t *node;
    ms_error_t err = {0};
    if (ms_node_open(dir, &node, &err) != 0 || ms_views_attach(node, &err) != 0) {
        fprintf(stderr, "ms-children: %s\n", err.message);
        return 1;
    }
    int rc = 0;
    for (unsigned done = 0; rc == 0 && done < count; done += PER_CHANGESET) {
        batch_t batch = {.node = node,
                         .first = first + done,
                         .count = count - done < PER_CHANGESET ? count - done : PER_CHANGESET,
                         .cards = cards};
        rc = ms_store_write(ms_node_store(node), certify, &batch, &err);
    }
    ms_node_close(&node);
    if (rc) {
        fprintf(stderr, "ms-children: %s\n", err.message);
        return 1;
    }
    printf("certified %u children\n", count);
    return 0;
}
