//  test_node - a node directory: init, identity, own writes.

#include "mutsync/node.h"
#include "mutsync/replica.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static ms_identity_t mutual(void)
{
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    strcpy(id.org, "BJ-UCMS-001");
    id.role = MS_ROLE_MUTUAL;
    strcpy(id.country, "BJ");
    strcpy(id.name, "Mutuelle de santé de Bembéréké");
    return id;
}

static void test_init_creates_key_0600_and_org_card(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/n", (char *)*state);
    ms_identity_t id = mutual();
    ms_error_t err = {0};
    assert_int_equal(ms_node_init(path, &id, &err), 0);
    char key_path[600];
    snprintf(key_path, sizeof key_path, "%s/node.key", path);
    struct stat st;
    assert_int_equal(stat(key_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);

    ms_node_t *node;
    assert_int_equal(ms_node_open(path, &node, &err), 0);
    const ms_identity_t *held = ms_node_identity(node);
    assert_string_equal(held->org, "BJ-UCMS-001");
    assert_int_equal(held->role, MS_ROLE_MUTUAL);
    assert_string_equal(held->name, "Mutuelle de santé de Bembéréké");
    ms_txn_t *txn;
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    ms_head_t head;
    assert_int_equal(ms_replica_head(txn, "BJ-UCMS-001", "public", &head, &err), 0);
    assert_int_equal(head.seq, 1);
    ms_stored_record_t card;
    assert_int_equal(ms_replica_record(txn, MS_COLL_ORG, "BJ-UCMS-001", "BJ-UCMS-001", &card, &err),
                     0);
    ms_org_t org;
    assert_int_equal(ms_org_decode(card.value, card.value_len, &org, &err), 0);
    assert_string_equal(org.country, "BJ");
    ms_txn_abort(&txn);
    ms_node_close(&node);
    ms_node_close(&node);  //  harmless twice
}

static void test_init_refuses_bad_identity_and_existing_node(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/n", (char *)*state);
    ms_error_t err = {0};
    ms_identity_t id = mutual();
    strcpy(id.org, "BJ UCMS");
    assert_int_equal(ms_node_init(path, &id, &err), MS_EINVAL);
    assert_non_null(strstr(err.message, "may only hold letters"));
    id = mutual();
    strcpy(id.country, "bj");
    assert_int_equal(ms_node_init(path, &id, &err), MS_EINVAL);
    assert_non_null(strstr(err.message, "ISO 3166-1"));
    id = mutual();
    assert_int_equal(ms_node_init(path, &id, &err), 0);
    assert_int_equal(ms_node_init(path, &id, &err), MS_EEXIST);
    ms_node_t *node = NULL;
    char missing[600];
    snprintf(missing, sizeof missing, "%s/none", (char *)*state);
    assert_int_equal(ms_node_open(missing, &node, &err), MS_ENOTFOUND);
    assert_null(node);
}

typedef struct {
    ms_node_t *node;
    ms_verdict_t verdict;
} append_t;

static int append_member(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    append_t *a = arg;
    ms_member_t member;
    memset(&member, 0, sizeof member);
    strcpy(member.household_id, "H1");
    strcpy(member.family_name, "Sow");
    member.sex = MS_SEX_F;
    member.status = MS_STATUS_ACTIVE;
    uint8_t value[512];
    size_t len;
    if (ms_member_encode(&member, value, sizeof value, &len) != 0)
        return MS_EINVAL;
    ms_change_t change = {MS_COLL_MEMBER, MS_OP_UPSERT, "M1", value, len};
    return ms_node_append(a->node, txn, "register", &change, 1, &a->verdict, err);
}

static void test_append_chains_seq_and_prev(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/n", (char *)*state);
    ms_identity_t id = mutual();
    ms_error_t err = {0};
    assert_int_equal(ms_node_init(path, &id, &err), 0);
    ms_node_t *node;
    assert_int_equal(ms_node_open(path, &node, &err), 0);
    append_t a = {node, {0}};
    assert_int_equal(ms_store_write(ms_node_store(node), append_member, &a, &err), 0);
    assert_int_equal(a.verdict.seq, 1);
    uint8_t first[MS_HASH_BYTES];
    memcpy(first, a.verdict.id, sizeof first);
    assert_int_equal(ms_store_write(ms_node_store(node), append_member, &a, &err), 0);
    assert_int_equal(a.verdict.outcome, MS_OUTCOME_APPLIED);
    assert_int_equal(a.verdict.seq, 2);
    ms_txn_t *txn;
    assert_int_equal(ms_store_read(ms_node_store(node), &txn, &err), 0);
    ms_head_t head;
    assert_int_equal(ms_replica_head(txn, "BJ-UCMS-001", "register", &head, &err), 0);
    assert_int_equal(head.seq, 2);
    assert_memory_equal(head.hash, a.verdict.id, MS_HASH_BYTES);
    assert_memory_not_equal(head.hash, first, MS_HASH_BYTES);
    ms_txn_abort(&txn);
    ms_node_close(&node);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_creates_key_0600_and_org_card, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_init_refuses_bad_identity_and_existing_node,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_append_chains_seq_and_prev, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
