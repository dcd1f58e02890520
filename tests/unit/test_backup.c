//  test_backup - a mutual sealed with a passphrase, rebuilt elsewhere: every
//  table back, the key a successor's; a wrong passphrase, any changed,
//  added or missing byte refused with nothing written; the clear header;
//  passphrase files; a successor key taking over once its parent certifies it.

#include "mutsync/audit.h"
#include "mutsync/backup.h"
#include "mutsync/member.h"
#include "mutsync/replica.h"
#include "mutsync/restore.h"
#include "mutsync/trust.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "digest.h"
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNION "ML-UTM"
#define MUTUAL "ML-UTM-001"
#define PASS "mil neuf cent soixante, Ségou"
#define MEMBERS 1600  //  enough change sets for several sealed chunks

//  Argon2id at its cheapest: the tests open many blobs.
static const ms_backup_seal_options_t fast = {crypto_pwhash_OPSLIMIT_MIN,
                                              crypto_pwhash_MEMLIMIT_MIN};

typedef struct {
    char *dir;
    ms_node_t *union_node;
    ms_node_t *mutual_node;
    uint8_t *blob;  //  the mutual, sealed with PASS
    size_t len;
    char target[512];  //  DIR/restored: not there yet
} fixture_t;

typedef struct {
    ms_node_t *node;
    const char *feed;
    const ms_change_t *changes;
    size_t count;   //  changes per change set
    size_t times;   //  change sets
    size_t offset;  //  first member number
} append_t;

static int append_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    append_t *a = arg;
    for (size_t i = 0; i < a->times; i++) {
        ms_verdict_t verdict;
        int rc = a->changes
                     ? ms_node_append(a->node, txn, a->feed, a->changes, a->count, &verdict, err)
                     : 0;
        if (!a->changes) {
            ms_member_t member;
            memset(&member, 0, sizeof member);
            snprintf(member.household_id, sizeof member.household_id, "H-%05zu",
                     (a->offset + i) / 4);
            member.sex = i % 2 ? MS_SEX_F : MS_SEX_M;
            uint8_t value[512];
            size_t len = 0;
            char key[32];
            snprintf(key, sizeof key, "M-%05zu", a->offset + i);
            if (ms_member_encode(&member, value, sizeof value, &len) != 0)
                return MS_EINVAL;
            ms_change_t change = {MS_COLL_MEMBER, MS_OP_UPSERT, key, value, len};
            rc = ms_node_append(a->node, txn, "register", &change, 1, &verdict, err);
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int settle_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    return ms_node_clear_pending(arg, txn, err);
}

static void append(ms_node_t *node, const char *feed, const ms_change_t *change)
{
    append_t a = {node, feed, change, 1, 1, 0};
    ms_error_t err = {0};
    if (ms_store_write(ms_node_store(node), append_fn, &a, &err) != 0)
        fail_msg("append to %s: %s", feed, err.message);
}

static void add_members(ms_node_t *node, size_t count, size_t offset)
{
    append_t a = {node, "register", NULL, 0, count, offset};
    ms_error_t err = {0};
    if (ms_store_write(ms_node_store(node), append_fn, &a, &err) != 0)
        fail_msg("members: %s", err.message);
}

static ms_identity_t identity(const char *org, ms_role_t role)
{
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    strcpy(id.org, org);
    id.role = role;
    strcpy(id.country, "ML");
    strcpy(id.name, org);
    return id;
}

static void certify(ms_node_t *union_node, const uint8_t *key)
{
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    strcpy(cert.name, "Mutuelle de Ségou");
    cert.role = MS_ROLE_MUTUAL;
    strcpy(cert.country, "ML");
    strcpy(cert.parent, UNION);
    memcpy(cert.key, key, MS_KEY_BYTES);
    uint8_t value[512];
    size_t len = 0;
    assert_int_equal(ms_cert_encode(&cert, value, sizeof value, &len), 0);
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, MUTUAL, value, len};
    append(union_node, "certs", &change);
}

typedef struct {
    ms_node_t *from, *to;
    const char *feed;
    uint64_t first, last;
} carry_t;

static int carry_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    carry_t *c = arg;
    ms_txn_t *read = NULL;
    int rc = ms_store_read(ms_node_store(c->from), &read, err);
    for (uint64_t seq = c->first; rc == 0 && seq <= c->last; seq++) {
        ms_val_t bytes;
        ms_verdict_t verdict;
        rc = ms_replica_envelope(read, UNION, c->feed, seq, NULL, &bytes, err);
        if (rc == 0)
            rc = ms_node_accept(c->to, txn, bytes.data, bytes.len, "test", &verdict, err);
        if (rc == 0 && verdict.outcome != MS_OUTCOME_APPLIED)
            rc = ms_error_set(err, MS_EREFUSED, "carry", "seq %llu: %s", (unsigned long long)seq,
                              verdict.detail);
    }
    ms_txn_abort(&read);
    return rc;
}

//  The union's FEED seqs FIRST..LAST, accepted by TO (as a sync would).
static void carry(ms_node_t *from, ms_node_t *to, const char *feed, uint64_t first, uint64_t last)
{
    carry_t c = {from, to, feed, first, last};
    ms_error_t err = {0};
    if (ms_store_write(ms_node_store(to), carry_fn, &c, &err) != 0)
        fail_msg("carry %s: %s", feed, err.message);
}

//  A union; a mutual it certified, holding that certificate, with a register
//  of MEMBERS change sets and a claim; the mutual sealed with PASS.
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    char path[512];
    if (!f || !(f->dir = strdup("/tmp/ms-test-backup.XXXXXX")) || !mkdtemp(f->dir))
        return -1;
    snprintf(f->target, sizeof f->target, "%s/restored", f->dir);
    ms_identity_t union_id = identity(UNION, MS_ROLE_UNION);
    snprintf(path, sizeof path, "%s/union", f->dir);
    if (ms_node_init(path, &union_id, NULL) != 0 || ms_node_open(path, &f->union_node, NULL) != 0)
        return -1;
    ms_identity_t mutual_id = identity(MUTUAL, MS_ROLE_MUTUAL);
    strcpy(mutual_id.parent, UNION);
    memcpy(mutual_id.parent_key, ms_node_identity(f->union_node)->key, MS_KEY_BYTES);
    mutual_id.parent_role = MS_ROLE_UNION;
    strcpy(mutual_id.parent_endpoint, "tcp://127.0.0.1:7301");
    snprintf(path, sizeof path, "%s/mutual", f->dir);
    if (ms_node_init(path, &mutual_id, NULL) != 0 || ms_node_open(path, &f->mutual_node, NULL) != 0)
        return -1;
    certify(f->union_node, ms_node_identity(f->mutual_node)->key);
    carry(f->union_node, f->mutual_node, "certs", 1, 1);
    add_members(f->mutual_node, MEMBERS, 0);
    static const uint8_t claim[] = {0x0a, 0x06, 'M', '-', '0', '0', '0', '1'};
    ms_change_t claim_change = {MS_COLL_CLAIM, MS_OP_UPSERT, "CLAIM-0001", claim, sizeof claim};
    append(f->mutual_node, "care", &claim_change);
    ms_error_t err = {0};
    if (ms_backup_seal(f->mutual_node, PASS, strlen(PASS), &fast, &f->blob, &f->len, NULL, &err))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    ms_node_close(&f->union_node);
    ms_node_close(&f->mutual_node);
    free(f->blob);
    char command[256];
    snprintf(command, sizeof command, "rm -rf '%s'", f->dir);
    int rc = system(command);
    free(f->dir);
    free(f);
    return rc;
}

//  Every table but the identity and the trust table, which restore changes on purpose.
//  The node's data; not its trust bookkeeping (identity, trust, revoked,
//  indexes), which a successor key changes on purpose.
static void digest(ms_node_t *node, uint8_t *out)
{
    static const ms_table_t tables[] = {MS_TABLE_HEADS,      MS_TABLE_ENVELOPES, MS_TABLE_RECORDS,
                                        MS_TABLE_QUARANTINE, MS_TABLE_PEERS,     MS_TABLE_VIEWS};
    ms_test_digest(ms_node_store(node), tables, sizeof tables / sizeof tables[0], out);
}

static uint64_t audit_failures(ms_node_t *node)
{
    ms_audit_t report;
    assert_int_equal(ms_audit_run(ms_node_store(node), NULL, NULL, &report, NULL), 0);
    assert_true(report.envelopes > MEMBERS);
    return report.failures;
}

//  What the parent directory of the target holds besides the nodes made by setup.
static size_t strays(const fixture_t *f)
{
    size_t count = 0;
    DIR *d = opendir(f->dir);
    assert_non_null(d);
    struct dirent *entry;
    while ((entry = readdir(d)))
        count += strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..") &&
                 strcmp(entry->d_name, "union") && strcmp(entry->d_name, "mutual");
    closedir(d);
    return count;
}

static void test_backup_round_trip_gives_back_every_table(void **state)
{
    fixture_t *f = *state;
    ms_backup_info_t info;
    ms_error_t err = {0};
    assert_true(f->len > 2 * MS_BACKUP_CHUNK);  //  the tests below need three chunks or more
    assert_int_equal(
        ms_restore_blob(f->target, f->blob, f->len, PASS, strlen(PASS), NULL, &info, &err), 0);
    assert_string_equal(info.org, MUTUAL);
    assert_int_equal(info.feeds, 3 + 1);  //  public, register, care; the union's certs
    assert_int_equal(info.records, MEMBERS + 1 + 1 + 1);  //  members, card, claim, cert
    assert_int_equal(info.bytes, f->len);
    ms_node_t *restored = NULL;
    assert_int_equal(ms_node_open(f->target, &restored, NULL), 0);
    uint8_t before[MS_HASH_BYTES], after[MS_HASH_BYTES];
    digest(f->mutual_node, before);
    digest(restored, after);
    assert_memory_equal(before, after, MS_HASH_BYTES);
    //  Same identity, a new key; the old feeds still verify.
    const ms_identity_t *old = ms_node_identity(f->mutual_node), *now = ms_node_identity(restored);
    assert_memory_equal(info.old_key, old->key, MS_KEY_BYTES);
    assert_memory_equal(info.key, now->key, MS_KEY_BYTES);
    assert_memory_not_equal(now->key, old->key, MS_KEY_BYTES);
    assert_string_equal(now->parent, UNION);
    assert_string_equal(now->parent_endpoint, "tcp://127.0.0.1:7301");
    assert_memory_equal(now->parent_key, old->parent_key, MS_KEY_BYTES);
    assert_int_equal(audit_failures(restored), 0);
    struct stat st;
    char key_path[600];
    snprintf(key_path, sizeof key_path, "%s/node.key", f->target);
    assert_int_equal(stat(key_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(strays(f), 1);  //  the target, nothing beside it
    ms_node_close(&restored);
}

static void test_backup_verify_counts_without_writing(void **state)
{
    fixture_t *f = *state;
    ms_backup_info_t info;
    assert_int_equal(ms_backup_verify(f->blob, f->len, PASS, strlen(PASS), &info, NULL), 0);
    assert_int_equal(info.envelopes, 1 + MEMBERS + 1 + 1);  //  card, members, claim, cert
    assert_int_equal(strays(f), 0);
}

static void check_refused(fixture_t *f, const uint8_t *blob, size_t len, const char *pass, int want,
                          const char *what)
{
    ms_error_t err = {0};
    ms_backup_info_t info;
    int rc = ms_restore_blob(f->target, blob, len, pass, strlen(pass), NULL, &info, &err);
    if (rc == 0 || (want && rc != want))
        fail_msg("%s: restore returned %d (%s), wanted %d", what, rc, err.message, want);
    assert_true(rc == MS_ECRYPTO || rc == MS_EINVAL);
    if (rc == MS_ECRYPTO)
        assert_non_null(strstr(err.message, "wrong passphrase or damaged backup"));
    assert_int_equal(strays(f), 0);
    assert_int_equal(access(f->target, F_OK), -1);
}

static void test_backup_refuses_a_wrong_passphrase(void **state)
{
    fixture_t *f = *state;
    check_refused(f, f->blob, f->len, "mil neuf cent soixante, Segou", MS_ECRYPTO, "wrong");
    check_refused(f, f->blob, f->len, "", MS_EINVAL, "empty");
    assert_int_equal(ms_backup_verify(f->blob, f->len, "x", 1, NULL, NULL), MS_ECRYPTO);
}

//  Chunk K starts at STARTS[K]; returns the count. The header ends at STARTS[0].
static size_t chunk_starts(const fixture_t *f, size_t *starts, size_t cap)
{
    size_t org_len = f->blob[9];
    size_t at = 8 + 2 + org_len + crypto_pwhash_SALTBYTES + 24 +
                crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    size_t count = 0;
    while (at < f->len && count < cap) {
        starts[count++] = at;
        at += 4 + ((size_t)f->blob[at] << 24 | (size_t)f->blob[at + 1] << 16 |
                   (size_t)f->blob[at + 2] << 8 | f->blob[at + 3]);
    }
    assert_int_equal(at, f->len);
    return count;
}

static void test_backup_refuses_any_changed_byte(void **state)
{
    fixture_t *f = *state;
    size_t starts[64] = {0};
    size_t chunks = chunk_starts(f, starts, 64);
    assert_true(chunks >= 3);
    uint8_t *copy = malloc(f->len + 1);
    assert_non_null(copy);
    //  Every byte of the clear header: magic, version, org, salt, costs, stream header.
    for (size_t at = 0; at < starts[0]; at++) {
        memcpy(copy, f->blob, f->len);
        copy[at] ^= 0x01;
        check_refused(f, copy, f->len, PASS, 0, "header");
    }
    //  Each chunk: its length, its first, middle and last bytes.
    for (size_t k = 0; k < chunks; k++) {
        size_t end = k + 1 < chunks ? starts[k + 1] : f->len;
        size_t spots[] = {starts[k], starts[k] + 3, starts[k] + 4, (starts[k] + end) / 2, end - 1};
        for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
            memcpy(copy, f->blob, f->len);
            copy[spots[i]] ^= 0x80;
            check_refused(f, copy, f->len, PASS, MS_ECRYPTO, "chunk");
        }
    }
    //  Two chunks swapped.
    {
        size_t a = starts[0], b = starts[1], c = starts[2];
        memcpy(copy, f->blob, f->len);
        memcpy(copy + a, f->blob + b, c - b);
        memcpy(copy + a + (c - b), f->blob + a, b - a);
        check_refused(f, copy, f->len, PASS, MS_ECRYPTO, "swapped");
    }
    //  Cut anywhere: in the header, at a chunk's start, inside one, the last byte.
    size_t cuts[] = {0,
                     8,
                     starts[0] - 1,
                     starts[0],
                     starts[0] + 2,
                     starts[1],
                     starts[1] + 100,
                     starts[chunks - 1],
                     f->len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        check_refused(f, f->blob, cuts[i], PASS, cuts[i] < starts[0] ? MS_EINVAL : MS_ECRYPTO,
                      "cut");
    //  A byte added at the end.
    memcpy(copy, f->blob, f->len);
    copy[f->len] = 0;
    check_refused(f, copy, f->len + 1, PASS, MS_ECRYPTO, "added");
    free(copy);
}

//  A directory made by `init --invite`: a new key, an identity, no change sets.
static void make_invited(const char *dir, ms_keypair_t **keypair_p)
{
    assert_int_equal(mkdir(dir, 0700), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/node.key", dir);
    assert_int_equal(ms_keypair_new(keypair_p, NULL), 0);
    assert_int_equal(ms_keypair_save(*keypair_p, path, NULL), 0);
}

//  Every table of the store in DIR.
static void digest_dir(const char *dir, uint8_t *out)
{
    static const ms_table_t all[] = {
        MS_TABLE_META,  MS_TABLE_HEADS,   MS_TABLE_ENVELOPES, MS_TABLE_RECORDS, MS_TABLE_QUARANTINE,
        MS_TABLE_TRUST, MS_TABLE_REVOKED, MS_TABLE_PEERS,     MS_TABLE_VIEWS,   MS_TABLE_INDEX};
    ms_store_t *store = NULL;
    assert_int_equal(ms_store_open(dir, &store, NULL), 0);
    ms_test_digest(store, all, sizeof all / sizeof all[0], out);
    ms_store_close(&store);
}

typedef struct {
    const char *text;
} meta_t;

static int put_identity_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    meta_t *m = arg;
    return ms_txn_put(txn, MS_TABLE_META, "identity", 8, m->text, strlen(m->text), 0, err);
}

static void put_identity(const char *dir, const char *text)
{
    ms_store_t *store = NULL;
    assert_int_equal(ms_store_open(dir, &store, NULL), 0);
    meta_t m = {text};
    assert_int_equal(ms_store_write(store, put_identity_fn, &m, NULL), 0);
    ms_store_close(&store);
}

static void test_backup_keeps_the_key_of_an_invited_directory(void **state)
{
    fixture_t *f = *state;
    ms_keypair_t *keypair = NULL;
    make_invited(f->target, &keypair);
    put_identity(f->target, "org=ML-UTM-009\nrole=mutual\n");
    ms_restore_options_t keep = {true};
    ms_error_t err = {0};
    //  Another org's directory: refused before the passphrase is even tried.
    assert_int_equal(
        ms_restore_blob(f->target, f->blob, f->len, PASS, strlen(PASS), &keep, NULL, &err),
        MS_EINVAL);
    assert_non_null(strstr(err.message, "the backup is of ML-UTM-001"));
    put_identity(f->target, "org=ML-UTM-001\nrole=mutual\nparent_endpoint=tcp://new:7301\n");
    //  A wrong passphrase, a damaged last chunk: the invited directory stays as it was.
    uint8_t before[MS_HASH_BYTES], after[MS_HASH_BYTES];
    digest_dir(f->target, before);
    assert_int_equal(ms_restore_blob(f->target, f->blob, f->len, "nope", 4, &keep, NULL, &err),
                     MS_ECRYPTO);
    f->blob[f->len - 1] ^= 1;
    assert_int_equal(
        ms_restore_blob(f->target, f->blob, f->len, PASS, strlen(PASS), &keep, NULL, &err),
        MS_ECRYPTO);
    f->blob[f->len - 1] ^= 1;
    digest_dir(f->target, after);
    assert_memory_equal(before, after, MS_HASH_BYTES);
    ms_backup_info_t info;
    assert_int_equal(
        ms_restore_blob(f->target, f->blob, f->len, PASS, strlen(PASS), &keep, &info, &err), 0);
    assert_memory_equal(info.key, ms_keypair_public(keypair), MS_KEY_BYTES);
    ms_node_t *restored = NULL;
    assert_int_equal(ms_node_open(f->target, &restored, NULL), 0);
    assert_memory_equal(ms_node_identity(restored)->key, ms_keypair_public(keypair), MS_KEY_BYTES);
    assert_string_equal(ms_node_identity(restored)->parent_endpoint, "tcp://127.0.0.1:7301");
    digest(f->mutual_node, before);
    digest(restored, after);
    assert_memory_equal(before, after, MS_HASH_BYTES);
    assert_int_equal(audit_failures(restored), 0);
    ms_node_close(&restored);
    //  Now it holds change sets: a second restore over it is refused.
    assert_int_equal(
        ms_restore_blob(f->target, f->blob, f->len, PASS, strlen(PASS), &keep, NULL, &err),
        MS_EEXIST);
    ms_keypair_destroy(&keypair);
}

static void test_backup_refuses_a_directory_in_use(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(mkdir(f->target, 0700), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/notes.txt", f->target);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fclose(out);
    ms_error_t err = {0};
    assert_int_equal(
        ms_restore_blob(f->target, f->blob, f->len, PASS, strlen(PASS), NULL, NULL, &err),
        MS_EEXIST);
    //  keep_key without a key to keep.
    ms_restore_options_t keep = {true};
    assert_int_equal(
        ms_restore_blob(f->target, f->blob, f->len, PASS, strlen(PASS), &keep, NULL, &err),
        MS_ENOTFOUND);
    assert_int_equal(access(path, F_OK), 0);
    //  An empty directory is a new one.
    assert_int_equal(unlink(path), 0);
    assert_int_equal(
        ms_restore_blob(f->target, f->blob, f->len, PASS, strlen(PASS), NULL, NULL, &err), 0);
}

//  The parent certifies the successor key and revokes the old one at the
//  positions it signed up to: the restored node writes again, and its old
//  feeds still verify.
static void test_backup_successor_key_writes_once_certified(void **state)
{
    fixture_t *f = *state;
    ms_backup_info_t info;
    assert_int_equal(
        ms_restore_blob(f->target, f->blob, f->len, PASS, strlen(PASS), NULL, &info, NULL), 0);
    ms_node_t *restored = NULL;
    assert_int_equal(ms_node_open(f->target, &restored, NULL), 0);
    //  Its own entry is pinned with the new key; the old one stays valid up to
    //  the restored heads, so its feeds verify; it may not write before a
    //  complete sync with its parent (a restored node is pending).
    ms_txn_t *txn = NULL;
    ms_trust_entry_t entry;
    assert_int_equal(ms_store_read(ms_node_store(restored), &txn, NULL), 0);
    assert_int_equal(ms_trust_get(txn, MUTUAL, &entry, NULL), 0);
    ms_txn_abort(&txn);
    assert_true(entry.anchor);
    assert_memory_equal(entry.cert.key, info.key, MS_KEY_BYTES);
    assert_int_equal(audit_failures(restored), 0);
    append_t a = {restored, "register", NULL, 0, 1, MEMBERS};
    assert_int_equal(ms_store_write(ms_node_store(restored), append_fn, &a, NULL), MS_EREFUSED);

    ms_revocation_t revocation;
    memset(&revocation, 0, sizeof revocation);
    memcpy(revocation.key, info.old_key, MS_KEY_BYTES);
    revocation.from = 1800000000;
    strcpy(revocation.reason, "laptop stolen");
    const char *feeds[] = {"public", "register", "care"};
    const uint64_t seqs[] = {1, MEMBERS, 1};
    for (size_t i = 0; i < 3; i++) {
        strcpy(revocation.positions[i].feed, feeds[i]);
        revocation.positions[i].last_seq = seqs[i];
    }
    revocation.position_count = 3;
    uint8_t value[512];
    size_t len = 0;
    assert_int_equal(ms_revocation_encode(&revocation, value, sizeof value, &len), 0);
    char hex[MS_KEY_HEX_BYTES], change_key[MS_KEY_MAX + 1];
    ms_key_to_hex(info.old_key, hex);
    snprintf(change_key, sizeof change_key, "%s|%s", MUTUAL, hex);
    ms_change_t change = {MS_COLL_REVOCATION, MS_OP_UPSERT, change_key, value, len};
    append(f->union_node, "public", &change);  //  revocations travel in the public feed
    certify(f->union_node, info.key);
    carry(f->union_node, restored, "public", 1, 2);
    carry(f->union_node, restored, "certs", 2, 2);
    //  A restored node is pending until a complete sync with its parent, as
    //  the one just carried here would be.
    assert_int_equal(ms_store_write(ms_node_store(restored), settle_fn, restored, NULL), 0);

    add_members(restored, 1, MEMBERS);
    assert_int_equal(audit_failures(restored), 0);
    ms_node_close(&restored);
}

//  A secretariat is the trust root: nobody certifies a successor.
static void test_backup_trust_root_restores_only_with_its_key(void **state)
{
    fixture_t *f = *state;
    char sec_dir[600], key_path[700], target_key[700];
    snprintf(sec_dir, sizeof sec_dir, "%s/sec", f->dir);
    ms_identity_t sec_id = identity("WCA-SEC", MS_ROLE_SECRETARIAT);
    strcpy(sec_id.country, "SN");
    ms_node_t *sec = NULL;
    assert_int_equal(ms_node_init(sec_dir, &sec_id, NULL), 0);
    assert_int_equal(ms_node_open(sec_dir, &sec, NULL), 0);
    uint8_t *blob = NULL;
    size_t len = 0;
    assert_int_equal(ms_backup_seal(sec, PASS, strlen(PASS), &fast, &blob, &len, NULL, NULL), 0);
    ms_error_t err = {0};
    assert_int_equal(ms_restore_blob(f->target, blob, len, PASS, strlen(PASS), NULL, NULL, &err),
                     MS_EINVAL);
    assert_non_null(strstr(err.message, "trust root"));
    assert_int_equal(access(f->target, F_OK), -1);
    //  With its own key file, it comes back as it was, anchor and all.
    assert_int_equal(mkdir(f->target, 0700), 0);
    snprintf(key_path, sizeof key_path, "%s/node.key", sec_dir);
    snprintf(target_key, sizeof target_key, "%s/node.key", f->target);
    ms_keypair_t *keypair = NULL;
    assert_int_equal(ms_keypair_load(key_path, &keypair, NULL), 0);
    assert_int_equal(ms_keypair_save(keypair, target_key, NULL), 0);
    ms_keypair_destroy(&keypair);
    ms_restore_options_t keep = {true};
    assert_int_equal(ms_restore_blob(f->target, blob, len, PASS, strlen(PASS), &keep, NULL, &err),
                     0);
    ms_node_t *restored = NULL;
    assert_int_equal(ms_node_open(f->target, &restored, NULL), 0);
    assert_memory_equal(ms_node_identity(restored)->key, ms_node_identity(sec)->key, MS_KEY_BYTES);
    ms_txn_t *txn = NULL;
    ms_trust_entry_t entry;
    assert_int_equal(ms_store_read(ms_node_store(restored), &txn, NULL), 0);
    assert_int_equal(ms_trust_get(txn, "WCA-SEC", &entry, NULL), 0);
    ms_txn_abort(&txn);
    assert_true(entry.anchor);
    ms_node_close(&restored);
    ms_node_close(&sec);
    free(blob);
}

static void test_backup_org_reads_the_clear_header_only(void **state)
{
    fixture_t *f = *state;
    char org[MS_ORG_MAX + 1];
    assert_int_equal(ms_backup_org(f->blob, f->len, org, NULL), 0);
    assert_string_equal(org, MUTUAL);
    size_t header_len = 8 + 2 + strlen(MUTUAL) + 16 + 24 + 24;
    assert_int_equal(ms_backup_org(f->blob, header_len, org, NULL), 0);  //  the header is enough
    assert_int_equal(ms_backup_org(f->blob, header_len - 1, org, NULL), MS_EINVAL);
    uint8_t copy[128];
    memcpy(copy, f->blob, sizeof copy);
    assert_int_equal(ms_backup_org(copy, 30, org, NULL), MS_EINVAL);  //  cut short
    assert_string_equal(org, "");
    copy[0] = 'X';
    assert_int_equal(ms_backup_org(copy, sizeof copy, org, NULL), MS_EINVAL);
    memcpy(copy, f->blob, sizeof copy);
    copy[8] = 2;  //  a version this program does not read
    assert_int_equal(ms_backup_org(copy, sizeof copy, org, NULL), MS_EINVAL);
    memcpy(copy, f->blob, sizeof copy);
    copy[9] = 0;  //  no org
    assert_int_equal(ms_backup_org(copy, sizeof copy, org, NULL), MS_EINVAL);
    memcpy(copy, f->blob, sizeof copy);
    copy[12] = '/';  //  not an org id
    assert_int_equal(ms_backup_org(copy, sizeof copy, org, NULL), MS_EINVAL);
    memcpy(copy, f->blob, sizeof copy);
    copy[9] = MS_ORG_MAX + 1;
    assert_int_equal(ms_backup_org(copy, sizeof copy, org, NULL), MS_EINVAL);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fputs(text, out);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_backup_passphrase_file_rules(void **state)
{
    fixture_t *f = *state;
    char path[600], buf[MS_BACKUP_PASSPHRASE_MAX];
    size_t len = 99;
    ms_error_t err = {0};
    snprintf(path, sizeof path, "%s/pass", f->dir);
    write_file(path, "sept mangues\r\nsecond line\n", 0600);
    assert_int_equal(ms_backup_passphrase_load(path, buf, sizeof buf, &len, &err), 0);
    assert_int_equal(len, 12);
    assert_string_equal(buf, "sept mangues");
    write_file(path, "no line end", 0400);
    assert_int_equal(ms_backup_passphrase_load(path, buf, sizeof buf, &len, &err), 0);
    assert_string_equal(buf, "no line end");
    write_file(path, "sept mangues\n", 0640);
    assert_int_equal(ms_backup_passphrase_load(path, buf, sizeof buf, &len, &err), MS_EPERM);
    assert_non_null(strstr(err.message, "chmod 600"));
    assert_int_equal(len, 0);
    assert_string_equal(buf, "");
    write_file(path, "sept mangues\n", 0604);
    assert_int_equal(ms_backup_passphrase_load(path, buf, sizeof buf, &len, &err), MS_EPERM);
    write_file(path, "\nsept mangues\n", 0600);
    assert_int_equal(ms_backup_passphrase_load(path, buf, sizeof buf, &len, &err), MS_EINVAL);
    write_file(path, "", 0600);
    assert_int_equal(ms_backup_passphrase_load(path, buf, sizeof buf, &len, &err), MS_EINVAL);
    //  The longest line that fits, and one byte more.
    char line[24];
    memset(line, 'a', sizeof line);
    line[sizeof line - 1] = 0;
    write_file(path, line, 0600);
    assert_int_equal(ms_backup_passphrase_load(path, buf, 23, &len, &err), MS_EINVAL);
    assert_int_equal(ms_backup_passphrase_load(path, buf, 24, &len, &err), 0);
    assert_int_equal(len, 23);
    snprintf(path, sizeof path, "%s/missing", f->dir);
    assert_int_equal(ms_backup_passphrase_load(path, buf, sizeof buf, &len, &err), MS_EIO);
}

//  A file sealed by ms_backup_save is the same format, readable by restore_file.
static void test_backup_save_writes_a_file_restore_reads(void **state)
{
    fixture_t *f = *state;
    char path[600];
    snprintf(path, sizeof path, "%s/usb.msbk", f->dir);
    ms_backup_info_t saved, restored;
    assert_int_equal(ms_backup_save(f->mutual_node, PASS, strlen(PASS), &fast, path, &saved, NULL),
                     0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal((uint64_t)st.st_size, saved.bytes);
    assert_int_equal(ms_restore_file(f->target, path, PASS, strlen(PASS), NULL, &restored, NULL),
                     0);
    assert_int_equal(restored.entries, saved.entries);
    assert_int_equal(restored.records, saved.records);
    assert_int_equal(unlink(path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_backup_round_trip_gives_back_every_table, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backup_verify_counts_without_writing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_refuses_a_wrong_passphrase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_refuses_any_changed_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_keeps_the_key_of_an_invited_directory, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backup_refuses_a_directory_in_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_successor_key_writes_once_certified, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backup_trust_root_restores_only_with_its_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backup_org_reads_the_clear_header_only, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backup_passphrase_file_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_save_writes_a_file_restore_reads, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
