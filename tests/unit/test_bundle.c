//  test_bundle - change sets carried on a USB key between a mutual and its
//  union: what is exported, what is imported, and that a damaged file
//  imports nothing.

#include "mutsync/bundle.h"
#include "mutsync/envelope.h"
#include "mutsync/log.h"
#include "mutsync/quarantine.h"
#include "mutsync/replica.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "digest.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNION "ML-UTM"
#define MUTUAL "ML-UTM-001"

typedef struct {
    char *dir;
    ms_node_t *union_node;
    ms_node_t *mutual_node;
    char path[512];  //  DIR/out.msb
} fixture_t;

typedef struct {
    ms_node_t *node;
    const char *feed;
    const ms_change_t *changes;
    size_t count;
    ms_verdict_t verdict;
} append_t;

static int append_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    append_t *a = arg;
    return ms_node_append(a->node, txn, a->feed, a->changes, a->count, &a->verdict, err);
}

static void append(ms_node_t *node, const char *feed, const ms_change_t *changes, size_t count)
{
    append_t a = {node, feed, changes, count, {0}};
    ms_error_t err = {0};
    if (ms_store_write(ms_node_store(node), append_fn, &a, &err) != 0)
        fail_msg("append to %s: %s", feed, err.message);
    assert_int_equal(a.verdict.outcome, MS_OUTCOME_APPLIED);
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

//  A union, and a mutual whose parent it is; the union certified the mutual
//  through its own public feed. The mutual wrote its register and care feeds.
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    char path[512];
    if (!f || !(f->dir = strdup("/tmp/ms-test-bundle.XXXXXX")) || !mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/out.msb", f->dir);
    ms_identity_t union_id = identity(UNION, MS_ROLE_UNION);
    snprintf(path, sizeof path, "%s/union", f->dir);
    if (ms_node_init(path, &union_id, NULL) != 0 || ms_node_open(path, &f->union_node, NULL) != 0)
        return -1;
    ms_identity_t mutual_id = identity(MUTUAL, MS_ROLE_MUTUAL);
    strcpy(mutual_id.parent, UNION);
    memcpy(mutual_id.parent_key, ms_node_identity(f->union_node)->key, MS_KEY_BYTES);
    mutual_id.parent_role = MS_ROLE_UNION;
    snprintf(path, sizeof path, "%s/mutual", f->dir);
    if (ms_node_init(path, &mutual_id, NULL) != 0 || ms_node_open(path, &f->mutual_node, NULL) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    ms_node_close(&f->union_node);
    ms_node_close(&f->mutual_node);
    char command[256];
    snprintf(command, sizeof command, "rm -rf '%s'", f->dir);
    int rc = system(command);
    free(f->dir);
    free(f);
    return rc;
}

static void certify_mutual(fixture_t *f)
{
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    strcpy(cert.name, "Mutuelle de Kati");
    cert.role = MS_ROLE_MUTUAL;
    strcpy(cert.country, "ML");
    strcpy(cert.parent, UNION);
    memcpy(cert.key, ms_node_identity(f->mutual_node)->key, MS_KEY_BYTES);
    uint8_t value[512];
    size_t len = 0;
    assert_int_equal(ms_cert_encode(&cert, value, sizeof value, &len), 0);
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, MUTUAL, value, len};
    append(f->union_node, "certs", &change, 1);
}

//  The mutual's register (a member) and care (a claim) feeds, and a second
//  public change set (a contracted provider).
static void mutual_writes(fixture_t *f)
{
    ms_member_t member;
    memset(&member, 0, sizeof member);
    strcpy(member.household_id, "H-0001");
    member.sex = MS_SEX_F;
    uint8_t value[512];
    size_t len = 0;
    assert_int_equal(ms_member_encode(&member, value, sizeof value, &len), 0);
    ms_change_t member_change = {MS_COLL_MEMBER, MS_OP_UPSERT, "M-0001", value, len};
    append(f->mutual_node, "register", &member_change, 1);
    static const uint8_t claim[] = {0x0a, 0x06, 'M', '-', '0', '0', '0', '1'};
    ms_change_t claim_change = {MS_COLL_CLAIM, MS_OP_UPSERT, "CLAIM-0001", claim, sizeof claim};
    append(f->mutual_node, "care", &claim_change, 1);
    static const uint8_t provider[] = {0x0a, 0x0a, 'C', 'S', 'C', 'O',
                                       'M',  ' ',  'K', 'a', 't', 'i'};
    ms_change_t provider_change = {MS_COLL_PROVIDER, MS_OP_UPSERT, "CSCOM-KATI", provider,
                                   sizeof provider};
    append(f->mutual_node, "public", &provider_change, 1);
}

typedef struct {
    ms_node_t *node;
    ms_identity_t *id;
} save_t;

static int save_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    save_t *save = arg;
    return ms_node_save_identity(save->node, txn, save->id, err);
}

//  ---- reading a bundle file -------------------------------------------------------

typedef struct {
    uint8_t *data;
    size_t len;
} file_t;

static file_t read_all(const char *path)
{
    file_t file = {0};
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    assert_int_equal(fseek(in, 0, SEEK_END), 0);
    file.len = (size_t)ftell(in);
    rewind(in);
    file.data = malloc(file.len + 1);
    assert_non_null(file.data);
    assert_int_equal(fread(file.data, 1, file.len, in), file.len);
    fclose(in);
    return file;
}

static void write_all(const char *path, const void *data, size_t len)
{
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(data, 1, len, out), len);
    assert_int_equal(fclose(out), 0);
}

//  Walks the frames of a bundle, decoding each one; counts them by feed.
typedef struct {
    size_t frames;
    size_t by_feed[3];  //  public, register, care
    size_t claims;      //  changes of the claim collection
    size_t last_frame_at;
    char order[8][MS_ORG_MAX + 1];  //  origin of each frame
} contents_t;

static contents_t contents_of(const file_t *file)
{
    contents_t c;
    memset(&c, 0, sizeof c);
    assert_true(file->len >= 8);
    assert_memory_equal(file->data, MS_BUNDLE_MAGIC, 8);
    size_t at = 8;
    while (at < file->len) {
        assert_true(at + 4 <= file->len);
        size_t len = (size_t)file->data[at] << 24 | (size_t)file->data[at + 1] << 16 |
                     (size_t)file->data[at + 2] << 8 | file->data[at + 3];
        assert_true(at + 4 + len <= file->len);
        ms_envelope_t env;
        ms_changeset_t *cs = NULL;
        assert_int_equal(ms_envelope_decode(file->data + at + 4, len, &env, NULL), 0);
        assert_int_equal(ms_changeset_decode(env.body, env.body_len, &cs, NULL), 0);
        assert_true(ms_envelope_verify(&env, NULL, cs->signer));
        if (c.frames < 8)
            snprintf(c.order[c.frames], sizeof c.order[0], "%s", cs->origin);
        if (strcmp(cs->feed, "public") == 0)
            c.by_feed[0]++;
        else if (strcmp(cs->feed, "register") == 0)
            c.by_feed[1]++;
        else
            c.by_feed[2]++;
        for (size_t i = 0; i < cs->change_count; i++)
            c.claims += cs->changes[i].collection == MS_COLL_CLAIM;
        ms_changeset_destroy(&cs);
        ms_envelope_clear(&env);
        c.last_frame_at = at;
        c.frames++;
        at += 4 + len;
    }
    assert_int_equal(at, file->len);
    return c;
}

//  ---- what a replica holds ----------------------------------------------------------

static void digest(ms_node_t *node, uint8_t *out)
{
    static const ms_table_t tables[] = {MS_TABLE_HEADS, MS_TABLE_ENVELOPES, MS_TABLE_RECORDS,
                                        MS_TABLE_TRUST, MS_TABLE_REVOKED,   MS_TABLE_QUARANTINE,
                                        MS_TABLE_VIEWS, MS_TABLE_INDEX};
    ms_test_digest(ms_node_store(node), tables, sizeof tables / sizeof tables[0], out);
}

static ms_head_t head_of(ms_node_t *node, const char *org, const char *feed)
{
    ms_head_t head;
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, NULL), 0);
    assert_int_equal(ms_replica_head(txn, org, feed, &head, NULL), 0);
    ms_txn_abort(&txn);
    return head;
}

//  Imports PATH into NODE expecting a damaged file: MS_EINVAL naming WHY,
//  nothing applied, nothing quarantined.
static void check_damaged(ms_node_t *node, const char *path, const char *why)
{
    uint8_t before[MS_HASH_BYTES], after[MS_HASH_BYTES];
    digest(node, before);
    ms_bundle_stats_t stats;
    memset(&stats, 0xff, sizeof stats);
    ms_error_t err = {0};
    assert_int_equal(ms_bundle_import(node, path, &stats, &err), MS_EINVAL);
    if (!strstr(err.message, why))
        fail_msg("expected \"%s\" in \"%s\"", why, err.message);
    assert_string_equal(err.where, path);
    assert_int_equal(stats.envelopes, 0);
    assert_int_equal(stats.applied, 0);
    assert_int_equal(stats.refused, 0);
    digest(node, after);
    assert_memory_equal(before, after, MS_HASH_BYTES);
}

//  ---- tests -------------------------------------------------------------------------

static void test_bundle_roundtrip_from_mutual_to_union_and_back(void **state)
{
    fixture_t *f = *state;
    certify_mutual(f);
    mutual_writes(f);

    ms_bundle_stats_t stats;
    ms_error_t err = {0};
    assert_int_equal(ms_bundle_export(f->mutual_node, f->path, &stats, &err), 0);
    assert_int_equal(stats.envelopes, 2);  //  the mutual's public feed: card, provider
    file_t file = read_all(f->path);
    assert_int_equal(stats.bytes, file.len);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", f->path);
    assert_int_not_equal(access(tmp, F_OK), 0);  //  renamed into place

    assert_int_equal(ms_bundle_import(f->union_node, f->path, &stats, &err), 0);
    assert_int_equal(stats.envelopes, 2);
    assert_int_equal(stats.applied, 2);
    assert_int_equal(stats.duplicates, 0);
    assert_int_equal(stats.refused, 0);
    assert_int_equal(stats.bytes, file.len);
    ms_head_t held = head_of(f->union_node, MUTUAL, "public");
    ms_head_t own = head_of(f->mutual_node, MUTUAL, "public");
    assert_int_equal(held.seq, 2);
    assert_memory_equal(held.hash, own.hash, MS_HASH_BYTES);
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->union_node), &txn, NULL), 0);
    ms_stored_record_t record;
    assert_int_equal(ms_replica_record(txn, MS_COLL_PROVIDER, MUTUAL, "CSCOM-KATI", &record, NULL),
                     0);
    assert_int_equal(record.seq, 2);
    assert_int_equal(ms_replica_record(txn, MS_COLL_CLAIM, MUTUAL, "CLAIM-0001", &record, NULL),
                     MS_ENOTFOUND);
    ms_txn_abort(&txn);

    //  The same bundle again: all duplicates, nothing changes.
    uint8_t before[MS_HASH_BYTES], after[MS_HASH_BYTES];
    digest(f->union_node, before);
    assert_int_equal(ms_bundle_import(f->union_node, f->path, &stats, &err), 0);
    assert_int_equal(stats.duplicates, 2);
    assert_int_equal(stats.applied, 0);
    digest(f->union_node, after);
    assert_memory_equal(before, after, MS_HASH_BYTES);

    //  The union's bundle (what its parent receives) carries its card and its
    //  certs feed, certifiers first; the mutual's own feed comes back as duplicates.
    assert_int_equal(ms_bundle_export(f->union_node, f->path, &stats, &err), 0);
    assert_int_equal(stats.envelopes, 4);
    free(file.data);
    file = read_all(f->path);
    contents_t c = contents_of(&file);
    assert_string_equal(c.order[0], UNION);
    assert_string_equal(c.order[1], UNION);
    assert_string_equal(c.order[2], MUTUAL);
    assert_int_equal(ms_bundle_import(f->mutual_node, f->path, &stats, &err), 0);
    assert_int_equal(stats.applied, 2);
    assert_int_equal(stats.duplicates, 2);
    assert_int_equal(stats.refused, 0);
    assert_int_equal(head_of(f->mutual_node, UNION, "public").seq, 1);
    assert_int_equal(head_of(f->mutual_node, UNION, "certs").seq, 1);
    free(file.data);
}

static void test_bundle_never_carries_the_care_feed(void **state)
{
    fixture_t *f = *state;
    certify_mutual(f);
    mutual_writes(f);
    assert_int_equal(head_of(f->mutual_node, MUTUAL, "care").seq, 1);
    ms_bundle_stats_t stats;
    assert_int_equal(ms_bundle_export(f->mutual_node, f->path, &stats, NULL), 0);
    file_t file = read_all(f->path);
    contents_t c = contents_of(&file);
    assert_int_equal(c.frames, 2);
    assert_int_equal(c.by_feed[0], 2);
    assert_int_equal(c.by_feed[1], 0);  //  register reach 0: stays at the mutual
    assert_int_equal(c.by_feed[2], 0);
    assert_int_equal(c.claims, 0);
    free(file.data);

    //  With a register reach of 1 the register feed goes up; care still never does.
    ms_identity_t id = *ms_node_identity(f->mutual_node);
    id.register_reach = 1;
    save_t save = {f->mutual_node, &id};
    assert_int_equal(ms_store_write(ms_node_store(f->mutual_node), save_fn, &save, NULL), 0);
    assert_int_equal(ms_bundle_export(f->mutual_node, f->path, &stats, NULL), 0);
    file = read_all(f->path);
    c = contents_of(&file);
    assert_int_equal(c.frames, 4);  //  the card granting the reach, then the register
    assert_int_equal(c.by_feed[1], 1);
    assert_int_equal(c.by_feed[2], 0);
    assert_int_equal(c.claims, 0);
    assert_string_equal(c.order[2], MUTUAL);  //  register after public
    free(file.data);
}

static void test_bundle_with_a_torn_last_frame_imports_nothing(void **state)
{
    fixture_t *f = *state;
    certify_mutual(f);
    mutual_writes(f);
    ms_bundle_stats_t stats;
    assert_int_equal(ms_bundle_export(f->mutual_node, f->path, &stats, NULL), 0);
    file_t file = read_all(f->path);
    contents_t c = contents_of(&file);
    assert_int_equal(c.frames, 2);

    //  Cut inside the last frame's envelope: frame 1 is whole, and still not applied.
    write_all(f->path, file.data, file.len - 10);
    char why[64];
    snprintf(why, sizeof why, "frame 2 at byte %zu is torn", c.last_frame_at);
    check_damaged(f->union_node, f->path, why);
    assert_int_equal(head_of(f->union_node, MUTUAL, "public").seq, 0);

    //  Cut inside the last frame's length.
    write_all(f->path, file.data, c.last_frame_at + 2);
    check_damaged(f->union_node, f->path, why);

    //  Whole again, it imports.
    write_all(f->path, file.data, file.len);
    assert_int_equal(ms_bundle_import(f->union_node, f->path, &stats, NULL), 0);
    assert_int_equal(stats.applied, 2);
    free(file.data);
}

static void test_bundle_frame_claiming_too_many_bytes_refused(void **state)
{
    fixture_t *f = *state;
    uint8_t data[8 + 4 + 16] = MS_BUNDLE_MAGIC;
    size_t claim = (size_t)MS_ENVELOPE_MAX + 1;
    data[8] = (uint8_t)(claim >> 24);
    data[9] = (uint8_t)(claim >> 16);
    data[10] = (uint8_t)(claim >> 8);
    data[11] = (uint8_t)claim;
    write_all(f->path, data, sizeof data);
    check_damaged(f->union_node, f->path, "frame 1 at byte 8 claims 4195329 bytes");
    memset(data + 8, 0, 4);
    write_all(f->path, data, sizeof data);
    check_damaged(f->union_node, f->path, "frame 1 at byte 8 claims 0 bytes");
}

static void test_bundle_bad_magic_refused(void **state)
{
    fixture_t *f = *state;
    certify_mutual(f);
    ms_bundle_stats_t stats;
    assert_int_equal(ms_bundle_export(f->mutual_node, f->path, &stats, NULL), 0);
    file_t file = read_all(f->path);
    file.data[7] = '2';  //  MSBUNDL2
    write_all(f->path, file.data, file.len);
    check_damaged(f->union_node, f->path, "not a mutsync bundle (bad magic)");
    write_all(f->path, "MSBUND", 6);
    check_damaged(f->union_node, f->path, "bad magic");
    write_all(f->path, "", 0);
    check_damaged(f->union_node, f->path, "bad magic");
    free(file.data);
}

static void test_bundle_of_magic_alone_imports_nothing_and_succeeds(void **state)
{
    fixture_t *f = *state;
    write_all(f->path, MS_BUNDLE_MAGIC, 8);
    ms_bundle_stats_t stats;
    assert_int_equal(ms_bundle_import(f->union_node, f->path, &stats, NULL), 0);
    assert_int_equal(stats.envelopes, 0);
    assert_int_equal(stats.bytes, 8);
}

static void test_bundle_missing_file_is_an_io_error(void **state)
{
    fixture_t *f = *state;
    ms_bundle_stats_t stats;
    ms_error_t err = {0};
    assert_int_equal(ms_bundle_import(f->union_node, f->path, &stats, &err), MS_EIO);
    assert_string_equal(err.where, f->path);
    char path[600];
    snprintf(path, sizeof path, "%s/no-such-dir/out.msb", f->dir);
    assert_int_equal(ms_bundle_export(f->union_node, path, &stats, &err), MS_EIO);
}

static int count_quarantine(const ms_quarantine_entry_t *entry, void *ctx)
{
    int *count = ctx;
    assert_string_equal(entry->source, "bundle out.msb");
    assert_int_equal(entry->reason, MS_REFUSAL_UNKNOWN_SIGNER);
    (*count)++;
    return 0;
}

static void test_bundle_refusals_are_counted_and_quarantined(void **state)
{
    fixture_t *f = *state;
    //  The union has not certified the mutual: its envelopes are refused, not lost.
    mutual_writes(f);
    ms_bundle_stats_t stats;
    assert_int_equal(ms_bundle_export(f->mutual_node, f->path, &stats, NULL), 0);
    ms_error_t err = {0};
    assert_int_equal(ms_bundle_import(f->union_node, f->path, &stats, &err), 0);
    assert_int_equal(stats.envelopes, 2);
    assert_int_equal(stats.refused, 2);
    assert_int_equal(stats.applied, 0);
    int count = 0;
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->union_node), &txn, NULL), 0);
    assert_int_equal(ms_quarantine_list(txn, count_quarantine, &count, NULL), 0);
    ms_txn_abort(&txn);
    assert_int_equal(count, 2);
    assert_int_equal(head_of(f->union_node, MUTUAL, "public").seq, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bundle_roundtrip_from_mutual_to_union_and_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bundle_never_carries_the_care_feed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bundle_with_a_torn_last_frame_imports_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bundle_frame_claiming_too_many_bytes_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bundle_bad_magic_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bundle_of_magic_alone_imports_nothing_and_succeeds,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_bundle_missing_file_is_an_io_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bundle_refusals_are_counted_and_quarantined, setup,
                                        teardown),
    };
    ms_log_set_level(MS_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
