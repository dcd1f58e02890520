//  sync_fixture - a union ML-UTM and its mutual ML-UTM-001 on real stores in
//  one temporary directory (DIR/u and DIR/m), and the mutual's pending backup,
//  for the unit tests of sync (test_sync), of the backup exchange
//  (test_syncbackup) and of offers and wants (test_syncoffer). Each test
//  keeps its own fixture; these helpers take the directory and the nodes.
//  Include after cmocka.h.
//
//  sync_make_node     inits and opens a node (register reach 1) under a parent
//  sync_append        a store write that appends change sets to a node's feed
//  sync_make_pair     the union and the mutual, the union certifying it or not
//  sync_add_members   change sets of members in the mutual's register
//  sync_remove        removes DIR and all below it
//  sync_make_pending  the mutual's pending sealed backup, three chunks long
//  sync_holds         whether a file under DIR holds exactly some bytes
//  sync_exists        whether a file under DIR exists

#ifndef MS_TEST_SYNC_FIXTURE_H
#define MS_TEST_SYNC_FIXTURE_H

#include "mutsync/backup.h"
#include "mutsync/node.h"
#include "mutsync/record.h"
#include "mutsync/syncmsg.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

//  Inits a node of ORG at PATH, a child of PARENT (a union) unless NULL,
//  letting its register travel one level up, and opens it into *NODE_P.
static inline void sync_make_node(const char *path, const char *org, ms_role_t role,
                                  ms_node_t *parent, ms_node_t **node_p)
{
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    snprintf(id.org, sizeof id.org, "%s", org);
    id.role = role;
    strcpy(id.country, "ML");
    strcpy(id.name, org);
    id.register_reach = 1;
    if (parent) {
        snprintf(id.parent, sizeof id.parent, "%s", ms_node_identity(parent)->org);
        memcpy(id.parent_key, ms_node_identity(parent)->key, MS_KEY_BYTES);
        id.parent_role = MS_ROLE_UNION;
    }
    assert_int_equal(ms_node_init(path, &id, NULL), 0);
    assert_int_equal(ms_node_open(path, node_p, NULL), 0);
}

//  What sync_append appends: COUNT CHANGES to NODE's own FEED.
typedef struct {
    ms_node_t *node;
    const char *feed;
    const ms_change_t *changes;
    size_t count;
} sync_append_t;

//  An ms_store_write callback; ARG is a sync_append_t.
static inline int sync_append(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    sync_append_t *a = arg;
    ms_verdict_t verdict;
    return ms_node_append(a->node, txn, a->feed, a->changes, a->count, &verdict, err);
}

//  The union ML-UTM at DIR/u and its mutual ML-UTM-001 at DIR/m; if CERTIFY,
//  the union's certs feed certifies the mutual's key.
static inline void sync_make_pair(const char *dir, ms_node_t **union_p, ms_node_t **mutual_p,
                                  bool certify)
{
    char path[128];
    snprintf(path, sizeof path, "%s/u", dir);
    sync_make_node(path, "ML-UTM", MS_ROLE_UNION, NULL, union_p);
    snprintf(path, sizeof path, "%s/m", dir);
    sync_make_node(path, "ML-UTM-001", MS_ROLE_MUTUAL, *union_p, mutual_p);
    if (!certify)
        return;
    ms_cert_t cert = {.role = MS_ROLE_MUTUAL, .country = "ML", .parent = "ML-UTM"};
    strcpy(cert.name, "Bamako");
    memcpy(cert.key, ms_node_identity(*mutual_p)->key, MS_KEY_BYTES);
    uint8_t value[1024];
    size_t len;
    assert_int_equal(ms_cert_encode(&cert, value, sizeof value, &len), 0);
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, "ML-UTM-001", value, len};
    sync_append_t a = {*union_p, "certs", &change, 1};
    assert_int_equal(ms_store_write(ms_node_store(*union_p), sync_append, &a, NULL), 0);
}

//  Appends CHANGESETS change sets of PER members each (keys M000, M001...,
//  all alike) to MUTUAL's register, each in its own transaction.
static inline void sync_add_members(ms_node_t *mutual, int changesets, int per)
{
    ms_member_t member = {.sex = MS_SEX_F, .birth_date = 9000, .category = MS_CATEGORY_ADHERENT};
    strcpy(member.household_id, "H1");
    strcpy(member.family_name, "Traoré");
    strcpy(member.given_name, "Awa");
    uint8_t value[128];
    size_t len;
    assert_int_equal(ms_member_encode(&member, value, sizeof value, &len), 0);
    char(*keys)[16] = calloc((size_t)per, sizeof *keys);
    ms_change_t *changes = calloc((size_t)per, sizeof *changes);
    assert_non_null(keys);
    assert_non_null(changes);
    for (int set = 0; set < changesets; set++) {
        for (int i = 0; i < per; i++) {
            snprintf(keys[i], sizeof keys[i], "M%03d", set * per + i);
            changes[i] = (ms_change_t){MS_COLL_MEMBER, MS_OP_UPSERT, keys[i], value, len};
        }
        sync_append_t a = {mutual, "register", changes, (size_t)per};
        assert_int_equal(ms_store_write(ms_node_store(mutual), sync_append, &a, NULL), 0);
    }
    free(changes);
    free(keys);
}

//  Removes DIR and everything below it; returns what system(3) returned.
static inline int sync_remove(const char *dir)
{
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    return system(command);
}

//  The mutual's pending backup at DIR/m: a sealed header of ML-UTM-001 (all
//  a parent can check) and 2.5 MiB more, so it takes three chunks. *BYTES_P
//  gets a copy the caller frees. Returns its size.
static inline size_t sync_make_pending(const char *dir, ms_node_t *mutual, uint8_t **bytes_p)
{
    ms_backup_seal_options_t cheap = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
    uint8_t *blob;
    size_t len;
    assert_int_equal(ms_backup_seal(mutual, "pass", 4, &cheap, &blob, &len, NULL, NULL), 0);
    size_t total = len + 5 * MS_SYNC_CHUNK_MAX / 2;
    uint8_t *bytes = malloc(total);
    assert_non_null(bytes);
    memcpy(bytes, blob, len);
    randombytes_buf(bytes + len, total - len);
    free(blob);
    char path[256];
    snprintf(path, sizeof path, "%s/m/backup", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/m/%s", dir, MS_BACKUP_FILE);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(bytes, 1, total, out), total);
    assert_int_equal(fclose(out), 0);
    *bytes_p = bytes;
    return total;
}

//  Whether the file at DIR/NAME holds LEN BYTES and nothing more.
static inline bool sync_holds(const char *dir, const char *name, const uint8_t *bytes, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *in = fopen(path, "rb");
    if (!in)
        return false;
    uint8_t *got = malloc(len + 1);
    assert_non_null(got);
    size_t n = fread(got, 1, len + 1, in);
    fclose(in);
    bool same = n == len && memcmp(got, bytes, len) == 0;
    free(got);
    return same;
}

static inline bool sync_exists(const char *dir, const char *name)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

#endif
