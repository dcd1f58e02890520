//  test_rules - accept rules 4 (seq and prev) and 5 (authority) as the pure
//  functions they are: plain values in, verdict out.

#include "mutsync/i18n.h"
#include "mutsync/policy.h"
#include "mutsync/rules.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

static void hash_of(uint8_t fill, uint8_t *hash)
{
    memset(hash, fill, MS_HASH_BYTES);
}

static void test_seq_next_duplicate_equivocation_gap_bad_prev(void **state)
{
    (void)state;
    ms_head_t head = {.seq = 3};
    uint8_t h3[MS_HASH_BYTES], other[MS_HASH_BYTES], id[MS_HASH_BYTES], held[MS_HASH_BYTES];
    hash_of(0x33, h3);
    hash_of(0x99, other);
    hash_of(0x44, id);
    memcpy(head.hash, h3, MS_HASH_BYTES);

    assert_int_equal(ms_rules_seq(&head, 4, h3, id, NULL), MS_SEQ_NEXT);
    assert_int_equal(ms_rules_seq(&head, 4, other, id, NULL), MS_SEQ_BAD_PREV);
    assert_int_equal(ms_rules_seq(&head, 5, h3, id, NULL), MS_SEQ_GAP);
    assert_int_equal(ms_rules_seq(&head, UINT64_MAX, h3, id, NULL), MS_SEQ_GAP);

    hash_of(0x22, held);
    assert_int_equal(ms_rules_seq(&head, 2, other, held, held), MS_SEQ_DUPLICATE);
    assert_int_equal(ms_rules_seq(&head, 2, other, id, held), MS_SEQ_EQUIVOCATION);
    assert_int_equal(ms_rules_seq(&head, 3, other, h3, h3), MS_SEQ_DUPLICATE);
    id[MS_HASH_BYTES - 1] = 0x33;  //  one byte from the held id
    hash_of(0x44, held);
    assert_int_equal(ms_rules_seq(&head, 3, other, id, held), MS_SEQ_EQUIVOCATION);
}

static void test_seq_of_an_empty_feed_starts_at_1_with_zero_prev(void **state)
{
    (void)state;
    ms_head_t head;
    memset(&head, 0, sizeof head);
    uint8_t zero[MS_HASH_BYTES] = {0}, prev[MS_HASH_BYTES], id[MS_HASH_BYTES];
    hash_of(0x01, prev);
    hash_of(0x02, id);
    assert_int_equal(ms_rules_seq(&head, 1, zero, id, NULL), MS_SEQ_NEXT);
    assert_int_equal(ms_rules_seq(&head, 1, prev, id, NULL), MS_SEQ_BAD_PREV);
    assert_int_equal(ms_rules_seq(&head, 2, zero, id, NULL), MS_SEQ_GAP);
}

static void test_feeds_of_collections(void **state)
{
    (void)state;
    assert_int_equal(ms_policy_feed_of(MS_COLL_MEMBER), MS_FEED_REGISTER);
    assert_int_equal(ms_policy_feed_of(MS_COLL_CONTRIBUTION), MS_FEED_REGISTER);
    assert_int_equal(ms_policy_feed_of(MS_COLL_CLAIM), MS_FEED_CARE);
    assert_int_equal(ms_policy_feed_of(MS_COLL_COMPLAINT), MS_FEED_CARE);
    assert_int_equal(ms_policy_feed_of(MS_COLL_ORG), MS_FEED_PUBLIC);
    assert_int_equal(ms_policy_feed_of(MS_COLL_CERT), MS_FEED_CERTS);
    assert_int_equal(ms_policy_feed_of(MS_COLL_REVOCATION), MS_FEED_PUBLIC);
    assert_int_equal(ms_policy_feed_of(MS_COLL_INDICATOR), MS_FEED_PUBLIC);
    assert_int_equal(ms_policy_feed_of(MS_COLL_RELEASE), MS_FEED_CERTS);
    assert_int_equal(ms_policy_kind("certs"), MS_FEED_CERTS);
    assert_string_equal(ms_policy_feed_name(MS_FEED_REGISTER), "register");
    assert_int_equal(ms_policy_kind("public"), MS_FEED_PUBLIC);
    assert_int_equal(ms_policy_kind("register"), MS_FEED_REGISTER);
    assert_int_equal(ms_policy_kind("care"), MS_FEED_CARE);
    assert_int_equal(ms_policy_kind("Public"), MS_FEED_UNKNOWN);
    assert_int_equal(ms_policy_kind("publi"), MS_FEED_UNKNOWN);
    assert_int_equal(ms_policy_kind(""), MS_FEED_UNKNOWN);
}

//  The hold rule at each replica: register only at the origin and at its
//  direct parent when granted; care only at the origin; public anywhere.
static void test_policy_hold_rule(void **state)
{
    (void)state;
    char detail[160];
    ms_hold_facts_t at_home = {"ML-UTM-001", "ML-UTM-001", "ML-MUT", 0};
    ms_hold_facts_t at_parent = {"ML-MUT", "ML-UTM-001", "ML-MUT", 1};
    ms_hold_facts_t not_granted = {"ML-MUT", "ML-UTM-001", "ML-MUT", 0};
    ms_hold_facts_t at_root = {"WCA-SEC", "ML-UTM-001", "ML-MUT", 1};
    for (int kind = 0; kind < MS_FEED_KIND_COUNT; kind++)
        assert_true(ms_policy_may_hold((ms_feed_kind_t)kind, &at_home, detail, sizeof detail));
    assert_true(ms_policy_may_hold(MS_FEED_REGISTER, &at_parent, detail, sizeof detail));
    assert_false(ms_policy_may_hold(MS_FEED_REGISTER, &not_granted, detail, sizeof detail));
    assert_non_null(strstr(detail, "has not granted"));
    assert_false(ms_policy_may_hold(MS_FEED_REGISTER, &at_root, detail, sizeof detail));
    assert_false(ms_policy_may_hold(MS_FEED_CARE, &at_parent, detail, sizeof detail));
    assert_non_null(strstr(detail, "never leaves"));
    assert_true(ms_policy_may_hold(MS_FEED_PUBLIC, &at_root, detail, sizeof detail));
    assert_false(ms_policy_may_hold(MS_FEED_UNKNOWN, &at_home, detail, sizeof detail));
}

//  Timestamps: informative, but sane.
static void test_time_sanity(void **state)
{
    (void)state;
    assert_false(ms_rules_time_sane(0));
    assert_false(ms_rules_time_sane(-5));
    assert_false(ms_rules_time_sane((int64_t)1 << 62));
    assert_false(ms_rules_time_sane(MS_TIME_MIN - 1));
    assert_true(ms_rules_time_sane(MS_TIME_MIN));
    assert_true(ms_rules_time_sane(MS_TIME_MAX));
    assert_false(ms_rules_time_sane(MS_TIME_MAX + 1));
    assert_true(ms_rules_in_namespace("ML-UTM", "ML-UTM-009"));
    assert_false(ms_rules_in_namespace("ML-UTM", "ML-UTMX-009"));
    assert_false(ms_rules_in_namespace("ML-UTM", "ML-UTM-"));
    assert_false(ms_rules_in_namespace("BJ-UCM", "ML-UTM-009"));
}

static void test_refusal_names_are_stable(void **state)
{
    (void)state;
    static const char *const names[] = {
        "none",       "malformed", "unknown-signer", "revoked", "bad-signature",
        "gap",        "bad-prev",  "equivocation",   "frozen",  "authority",
        "bad-record", "reach",     "bad-value",      "store",   "superseded",
    };
    for (int i = 0; i < MS_REFUSAL_COUNT; i++)
        assert_string_equal(ms_refusal_name(i), names[i]);
    assert_string_equal(ms_refusal_name(MS_REFUSAL_COUNT), "unknown");
    assert_string_equal(ms_refusal_name(-1), "unknown");
    assert_int_equal(MS_REFUSAL_EQUIVOCATION, 7);  //  stored in quarantines
    assert_int_equal(MS_REFUSAL_BAD_RECORD, 10);
}

//  ---- authority --------------------------------------------------------------

typedef struct {
    uint8_t value[1024];
    size_t len;
} value_t;

static value_t org_value(const char *parent)
{
    ms_org_t org;
    memset(&org, 0, sizeof org);
    strcpy(org.name, "Mutuelle");
    strcpy(org.country, "ML");
    org.role = MS_ROLE_MUTUAL;
    strcpy(org.parent, parent);
    value_t v;
    assert_int_equal(ms_org_encode(&org, v.value, sizeof v.value, &v.len), 0);
    return v;
}

static value_t member_value(void)
{
    ms_member_t member;
    memset(&member, 0, sizeof member);
    strcpy(member.household_id, "H-0001");
    member.sex = MS_SEX_M;
    value_t v;
    assert_int_equal(ms_member_encode(&member, v.value, sizeof v.value, &v.len), 0);
    return v;
}

static value_t cert_value(const char *parent, ms_role_t role)
{
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    strcpy(cert.name, "child");
    cert.role = role;
    strcpy(cert.country, "ML");
    strcpy(cert.parent, parent);
    memset(cert.key, 0x5c, MS_KEY_BYTES);
    value_t v;
    assert_int_equal(ms_cert_encode(&cert, v.value, sizeof v.value, &v.len), 0);
    return v;
}

static value_t revocation_value(void)
{
    ms_revocation_t revocation;
    memset(&revocation, 0, sizeof revocation);
    memset(revocation.key, 0x5c, MS_KEY_BYTES);
    revocation.from = 1767225600;
    strcpy(revocation.reason, "laptop stolen");
    value_t v;
    assert_int_equal(ms_revocation_encode(&revocation, v.value, sizeof v.value, &v.len), 0);
    return v;
}

//  Checks WHO writing (COLLECTION, KEY, VALUE) gets EXPECTED, and that the
//  detail names WHY.
static void check(const ms_authority_t *who, ms_collection_t collection, ms_op_t op,
                  const char *key, const value_t *value, ms_refusal_t expected, const char *why)
{
    ms_change_t change = {collection, op, key, value ? value->value : NULL, value ? value->len : 0};
    char detail[200] = "";
    //  The fixtures write from their public feed; trust records belong in certs.
    ms_authority_t in_feed = *who;
    if (strcmp(who->feed, "public") == 0 && ms_policy_feed_of(collection) == MS_FEED_CERTS)
        in_feed.feed = "certs";
    ms_refusal_t reason = ms_rules_authority(&in_feed, &change, detail, sizeof detail);
    if (reason != expected)
        fail_msg("%s %s by %s: expected %s, got %s (%s)", ms_collection_name(collection), key,
                 who->origin, ms_refusal_name((int)expected), ms_refusal_name((int)reason), detail);
    if (why && !strstr(detail, why))
        fail_msg("expected \"%s\" in \"%s\"", why, detail);
}

static const ms_authority_t mutual_public = {"ML-MUT-001", MS_ROLE_MUTUAL, "public",
                                             NULL,         NULL,           NULL};
static const ms_authority_t mutual_register = {"ML-MUT-001", MS_ROLE_MUTUAL, "register",
                                               NULL,         NULL,           NULL};
static const ms_authority_t union_public = {"ML-MUT", MS_ROLE_UNION, "public", NULL, NULL, NULL};
static const ms_authority_t root_public = {"SN-SEC", MS_ROLE_SECRETARIAT, "public", NULL, NULL,
                                           NULL};

static void test_org_card_only_for_the_origin_itself(void **state)
{
    (void)state;
    value_t card = org_value("ML-MUT");
    check(&mutual_public, MS_COLL_ORG, MS_OP_UPSERT, "ML-MUT-001", &card, MS_REFUSAL_NONE, NULL);
    check(&mutual_public, MS_COLL_ORG, MS_OP_UPSERT, "ML-MUT-002", &card, MS_REFUSAL_AUTHORITY,
          "ML-MUT-001 may not write the org card of ML-MUT-002");
    check(&union_public, MS_COLL_ORG, MS_OP_UPSERT, "ML-MUT-001", &card, MS_REFUSAL_AUTHORITY,
          "ML-MUT may not write the org card of ML-MUT-001");
    check(&mutual_public, MS_COLL_ORG, MS_OP_DELETE, "ML-MUT-002", NULL, MS_REFUSAL_AUTHORITY,
          NULL);
}

static void test_each_collection_only_in_its_feed(void **state)
{
    (void)state;
    value_t member = member_value();
    check(&mutual_register, MS_COLL_MEMBER, MS_OP_UPSERT, "M-0001", &member, MS_REFUSAL_NONE, NULL);
    check(&mutual_public, MS_COLL_MEMBER, MS_OP_UPSERT, "M-0001", &member, MS_REFUSAL_AUTHORITY,
          "member records belong in the register feed, not public");
    ms_authority_t care = mutual_public;
    care.feed = "care";
    check(&care, MS_COLL_MEMBER, MS_OP_DELETE, "M-0001", NULL, MS_REFUSAL_AUTHORITY,
          "member records belong in the register feed, not care");
    value_t card = org_value("ML-MUT");
    check(&mutual_register, MS_COLL_ORG, MS_OP_UPSERT, "ML-MUT-001", &card, MS_REFUSAL_AUTHORITY,
          "org records belong in the public feed, not register");
    value_t claim = {{0x0a, 0x06, 'M', '-', '0', '0', '0', '1'}, 8};  //  member_id
    check(&care, MS_COLL_CLAIM, MS_OP_UPSERT, "C-1", &claim, MS_REFUSAL_NONE, NULL);
    check(&mutual_public, MS_COLL_CLAIM, MS_OP_UPSERT, "C-1", &claim, MS_REFUSAL_AUTHORITY,
          "claim records belong in the care feed, not public");
}

static void test_indicator_only_by_the_secretariat(void **state)
{
    (void)state;
    value_t anything = {{0x0a, 0x01, 'x', 0x20, 0x01}, 5};  //  name_fr, aggregation SUM
    check(&root_public, MS_COLL_INDICATOR, MS_OP_UPSERT, "members_active", &anything,
          MS_REFUSAL_NONE, NULL);
    check(&union_public, MS_COLL_INDICATOR, MS_OP_UPSERT, "members_active", &anything,
          MS_REFUSAL_AUTHORITY, "only the secretariat defines indicators, not ML-MUT");
    check(&mutual_public, MS_COLL_INDICATOR, MS_OP_DELETE, "members_active", NULL,
          MS_REFUSAL_AUTHORITY, "only the secretariat");
}

static void test_cert_only_by_a_parent_for_its_own_children(void **state)
{
    (void)state;
    value_t child = cert_value("ML-MUT", MS_ROLE_MUTUAL);
    check(&union_public, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT-001", &child, MS_REFUSAL_NONE, NULL);
    ms_authority_t held = union_public;
    held.subject_parent = "ML-MUT";  //  renewing its own child's certificate
    check(&held, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT-001", &child, MS_REFUSAL_NONE, NULL);

    value_t from_root = cert_value("SN-SEC", MS_ROLE_UNION);
    check(&root_public, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT", &from_root, MS_REFUSAL_NONE, NULL);
}

static void test_cert_by_a_mutual_refused(void **state)
{
    (void)state;
    value_t cert = cert_value("ML-MUT-001", MS_ROLE_MUTUAL);
    check(&mutual_public, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT-009", &cert, MS_REFUSAL_AUTHORITY,
          "a mutual may not certify");
}

static void test_cert_of_a_secretariat_refused(void **state)
{
    (void)state;
    value_t cert = cert_value("ML-MUT", MS_ROLE_SECRETARIAT);
    check(&union_public, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT-ROOT", &cert, MS_REFUSAL_AUTHORITY,
          "a union may not certify a secretariat");
    value_t root = cert_value("SN-SEC", MS_ROLE_SECRETARIAT);
    check(&root_public, MS_COLL_CERT, MS_OP_UPSERT, "SN-SEC-2", &root, MS_REFUSAL_AUTHORITY,
          "a secretariat may not certify a secretariat");
}

//  Org ids cannot be squatted: a union certifies only its own namespace,
//  the secretariat the top-level ids; whatever arrives first.
static void test_cert_squatting_refused_whatever_the_order(void **state)
{
    (void)state;
    ms_authority_t bj = {"BJ-UCM", MS_ROLE_UNION, "public", NULL, NULL, NULL};
    value_t squat = cert_value("BJ-UCM", MS_ROLE_MUTUAL);
    check(&bj, MS_COLL_CERT, MS_OP_UPSERT, "ML-UTM-009", &squat, MS_REFUSAL_AUTHORITY,
          "not in its namespace");
    value_t union_cert = cert_value("BJ-UCM", MS_ROLE_UNION);
    check(&bj, MS_COLL_CERT, MS_OP_UPSERT, "CI-UNION", &union_cert, MS_REFUSAL_AUTHORITY,
          "not in its namespace");
    value_t own = cert_value("BJ-UCM", MS_ROLE_MUTUAL);
    check(&bj, MS_COLL_CERT, MS_OP_UPSERT, "BJ-UCM-001", &own, MS_REFUSAL_NONE, NULL);
    ms_authority_t root = {"WCA-SEC", MS_ROLE_SECRETARIAT, "public", NULL, NULL, NULL};
    value_t top = cert_value("WCA-SEC", MS_ROLE_UNION);
    check(&root, MS_COLL_CERT, MS_OP_UPSERT, "CI-UNION", &top, MS_REFUSAL_NONE, NULL);
    check(&root, MS_COLL_CERT, MS_OP_UPSERT, "ML-UTM-009", &top, MS_REFUSAL_AUTHORITY,
          "not in its namespace");
}

static value_t resolution_value(const char *feed, uint64_t seq)
{
    ms_resolution_t resolution = {.seq = seq};
    snprintf(resolution.feed, sizeof resolution.feed, "%s", feed);
    memset(resolution.keep, 0xab, sizeof resolution.keep);
    value_t value;
    assert_int_equal(ms_resolution_encode(&resolution, value.value, sizeof value.value, &value.len),
                     0);
    return value;
}

//  Only the holder of an org id (its certified parent) ends a fork of its
//  feeds; a sibling union, the org itself or the secretariat above may not.
static void test_resolution_only_by_the_holder(void **state)
{
    (void)state;
    value_t value = resolution_value("register", 7);
    ms_authority_t holder = {"ML-UTM", MS_ROLE_UNION, "public", "ML-UTM", NULL, NULL};
    check(&holder, MS_COLL_RESOLUTION, MS_OP_UPSERT, "ML-UTM-009|register|7", &value,
          MS_REFUSAL_NONE, NULL);
    ms_authority_t stranger = {"BJ-UCM", MS_ROLE_UNION, "public", "ML-UTM", NULL, NULL};
    check(&stranger, MS_COLL_RESOLUTION, MS_OP_UPSERT, "ML-UTM-009|register|7", &value,
          MS_REFUSAL_AUTHORITY, "BJ-UCM may only resolve forks of its own children's feeds");
    ms_authority_t itself = {"ML-UTM-009", MS_ROLE_MUTUAL, "public", "ML-UTM", NULL, NULL};
    check(&itself, MS_COLL_RESOLUTION, MS_OP_UPSERT, "ML-UTM-009|register|7", &value,
          MS_REFUSAL_AUTHORITY, "may only resolve forks of its own children's feeds");
    ms_authority_t root = {"WCA-SEC", MS_ROLE_SECRETARIAT, "public", "ML-UTM", NULL, NULL};
    check(&root, MS_COLL_RESOLUTION, MS_OP_UPSERT, "ML-UTM-009|register|7", &value,
          MS_REFUSAL_AUTHORITY, NULL);
    ms_authority_t released = {"ML-UTM", MS_ROLE_UNION, "public", "ML-UTM", "ML-UNION2", NULL};
    check(&released, MS_COLL_RESOLUTION, MS_OP_UPSERT, "ML-UTM-009|register|7", &value,
          MS_REFUSAL_AUTHORITY, NULL);
    check(&holder, MS_COLL_RESOLUTION, MS_OP_DELETE, "ML-UTM-009|register|7", NULL,
          MS_REFUSAL_AUTHORITY, "cannot be withdrawn");
    //  The value must say what the key says.
    check(&holder, MS_COLL_RESOLUTION, MS_OP_UPSERT, "ML-UTM-009|register|8", &value,
          MS_REFUSAL_BAD_RECORD, "not its key");
    value_t unknown = resolution_value("diary", 7);
    check(&holder, MS_COLL_RESOLUTION, MS_OP_UPSERT, "ML-UTM-009|diary|7", &unknown,
          MS_REFUSAL_BAD_RECORD, "not its key");
    value_t public_value = resolution_value("public", 7);
    check(&holder, MS_COLL_RESOLUTION, MS_OP_UPSERT, "ML-UTM-009|public|7", &public_value,
          MS_REFUSAL_NONE, NULL);
}

//  A move: the holder releases the id to a named new parent; only that
//  parent may certify it next.
static void test_release_lets_only_the_named_parent_adopt(void **state)
{
    (void)state;
    ms_authority_t old_parent = {"ML-UTM", MS_ROLE_UNION, "public", "ML-UTM", NULL, NULL};
    ms_release_t release = {"ML-UNION2", "joins UNION2"};
    uint8_t bytes[256];
    size_t len = 0;
    assert_int_equal(ms_release_encode(&release, bytes, sizeof bytes, &len), 0);
    value_t value;
    memcpy(value.value, bytes, len);
    value.len = len;
    check(&old_parent, MS_COLL_RELEASE, MS_OP_UPSERT, "ML-UTM-009", &value, MS_REFUSAL_NONE, NULL);
    ms_authority_t stranger = {"BJ-UCM", MS_ROLE_UNION, "public", "ML-UTM", NULL, NULL};
    check(&stranger, MS_COLL_RELEASE, MS_OP_UPSERT, "ML-UTM-009", &value, MS_REFUSAL_AUTHORITY,
          "may only release the ids of its own children");

    value_t cert = cert_value("ML-UNION2", MS_ROLE_MUTUAL);
    ms_authority_t adopter = {"ML-UNION2", MS_ROLE_UNION, "public", "ML-UTM", "ML-UNION2", NULL};
    check(&adopter, MS_COLL_CERT, MS_OP_UPSERT, "ML-UTM-009", &cert, MS_REFUSAL_NONE, NULL);
    value_t other_cert = cert_value("BJ-UCM", MS_ROLE_MUTUAL);
    ms_authority_t other = {"BJ-UCM", MS_ROLE_UNION, "public", "ML-UTM", "ML-UNION2", NULL};
    check(&other, MS_COLL_CERT, MS_OP_UPSERT, "ML-UTM-009", &other_cert, MS_REFUSAL_AUTHORITY,
          "not in its namespace nor released to it");
    //  Once released, the old parent cannot take it back on its own.
    value_t back = cert_value("ML-UTM", MS_ROLE_MUTUAL);
    ms_authority_t released = {"ML-UTM", MS_ROLE_UNION, "public", "ML-UTM", "ML-UNION2", NULL};
    check(&released, MS_COLL_CERT, MS_OP_UPSERT, "ML-UTM-009", &back, MS_REFUSAL_AUTHORITY, NULL);
}

//  A card that contradicts the certificate in force is set aside.
static void test_card_must_agree_with_its_certificate(void **state)
{
    (void)state;
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    cert.role = MS_ROLE_MUTUAL;
    strcpy(cert.country, "ML");
    strcpy(cert.parent, "ML-MUT");
    ms_authority_t who = mutual_public;
    who.origin_cert = &cert;
    ms_org_t org;
    memset(&org, 0, sizeof org);
    strcpy(org.name, "Kati");
    org.role = MS_ROLE_MUTUAL;
    strcpy(org.country, "ML");
    strcpy(org.parent, "ML-MUT");
    value_t card;
    assert_int_equal(ms_org_encode(&org, card.value, sizeof card.value, &card.len), 0);
    check(&who, MS_COLL_ORG, MS_OP_UPSERT, "ML-MUT-001", &card, MS_REFUSAL_NONE, NULL);
    org.role = MS_ROLE_UNION;
    assert_int_equal(ms_org_encode(&org, card.value, sizeof card.value, &card.len), 0);
    check(&who, MS_COLL_ORG, MS_OP_UPSERT, "ML-MUT-001", &card, MS_REFUSAL_BAD_VALUE,
          "says role union");
    org.role = MS_ROLE_MUTUAL;
    strcpy(org.country, "SN");
    assert_int_equal(ms_org_encode(&org, card.value, sizeof card.value, &card.len), 0);
    check(&who, MS_COLL_ORG, MS_OP_UPSERT, "ML-MUT-001", &card, MS_REFUSAL_BAD_VALUE,
          "says country SN");
    strcpy(org.country, "ML");
    strcpy(org.parent, "WCA-SEC");
    assert_int_equal(ms_org_encode(&org, card.value, sizeof card.value, &card.len), 0);
    check(&who, MS_COLL_ORG, MS_OP_UPSERT, "ML-MUT-001", &card, MS_REFUSAL_BAD_VALUE,
          "says parent WCA-SEC");
}

static void test_cert_naming_another_parent_refused(void **state)
{
    (void)state;
    value_t cert = cert_value("BJ-UCB", MS_ROLE_MUTUAL);
    check(&union_public, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT-001", &cert, MS_REFUSAL_AUTHORITY,
          "ML-MUT may only certify its direct children (certificate names parent BJ-UCB)");
}

static void test_cert_of_someone_elses_child_refused(void **state)
{
    (void)state;
    value_t cert = cert_value("ML-MUT", MS_ROLE_MUTUAL);
    ms_authority_t who = union_public;
    who.subject_parent = "BJ-UCB";
    check(&who, MS_COLL_CERT, MS_OP_UPSERT, "BJ-MUT-001", &cert, MS_REFUSAL_AUTHORITY,
          "ML-MUT may not certify BJ-MUT-001: the id is not in its namespace nor released to it");
    //  Even inside its namespace, an id another org holds now (it moved) is not its to certify.
    who.subject_parent = "BJ-UCB";
    check(&who, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT-004", &cert, MS_REFUSAL_AUTHORITY,
          "not in its namespace nor released to it");
    check(&who, MS_COLL_CERT, MS_OP_DELETE, "BJ-MUT-001", NULL, MS_REFUSAL_AUTHORITY,
          "ML-MUT may not withdraw the certificate of BJ-MUT-001: not its child");
    who.subject_parent = NULL;  //  unknown subject: nothing to remove
    check(&who, MS_COLL_CERT, MS_OP_DELETE, "BJ-MUT-001", NULL, MS_REFUSAL_AUTHORITY, NULL);
    who.subject_parent = "ML-MUT";
    check(&who, MS_COLL_CERT, MS_OP_DELETE, "ML-MUT-001", NULL, MS_REFUSAL_NONE, NULL);
}

static void test_self_cert_refused(void **state)
{
    (void)state;
    value_t cert = cert_value("ML-MUT", MS_ROLE_UNION);
    check(&union_public, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT", &cert, MS_REFUSAL_AUTHORITY,
          "ML-MUT may not certify itself");
    value_t root = cert_value("SN-SEC", MS_ROLE_UNION);
    check(&root_public, MS_COLL_CERT, MS_OP_UPSERT, "SN-SEC", &root, MS_REFUSAL_AUTHORITY,
          "SN-SEC may not certify itself");
}

static void test_cert_that_does_not_decode_is_a_bad_record(void **state)
{
    (void)state;
    value_t garbage = {{0x0a, 0x7f, 'x'}, 3};
    check(&union_public, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT-001", &garbage, MS_REFUSAL_BAD_RECORD,
          "cert ML-MUT-001: not a valid certificate");
    value_t no_role = cert_value("ML-MUT", MS_ROLE_NONE);
    check(&union_public, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT-001", &no_role, MS_REFUSAL_BAD_RECORD,
          "no valid role");
}

static void test_revocation_only_of_a_direct_child(void **state)
{
    (void)state;
    value_t revocation = revocation_value();
    ms_authority_t who = union_public;
    //  Any key, current or earlier (a succession), of its own child: a
    //  revocation only ever speaks of its subject's feeds.
    who.subject_parent = "ML-MUT";
    check(&who, MS_COLL_REVOCATION, MS_OP_UPSERT, "ML-MUT-001|5c5c", &revocation, MS_REFUSAL_NONE,
          NULL);
    check(&who, MS_COLL_REVOCATION, MS_OP_UPSERT, "ML-MUT-001|1111", &revocation, MS_REFUSAL_NONE,
          NULL);
    who.subject_parent = "BJ-UCB";
    check(&who, MS_COLL_REVOCATION, MS_OP_UPSERT, "BJ-MUT-001|5c5c", &revocation,
          MS_REFUSAL_AUTHORITY, "ML-MUT may only revoke its direct children's keys");
    who.subject_parent = NULL;
    check(&who, MS_COLL_REVOCATION, MS_OP_UPSERT, "XX-UNKNOWN|5c5c", &revocation,
          MS_REFUSAL_AUTHORITY, "ML-MUT may only revoke its direct children's keys");
    value_t garbage = {{0x0a, 0x03, 1, 2, 3}, 5};
    who.subject_parent = "ML-MUT";
    check(&who, MS_COLL_REVOCATION, MS_OP_UPSERT, "ML-MUT-001|5c5c", &garbage,
          MS_REFUSAL_BAD_RECORD, "revoked key is 3 bytes");
}

static void test_record_that_does_not_decode_is_a_bad_record(void **state)
{
    (void)state;
    value_t garbage = {{0xff, 0xff, 0xff}, 3};
    check(&mutual_register, MS_COLL_MEMBER, MS_OP_UPSERT, "M-0001", &garbage, MS_REFUSAL_BAD_RECORD,
          "M-0001 not a valid member record");
    check(&mutual_public, MS_COLL_ORG, MS_OP_UPSERT, "ML-MUT-001", &garbage, MS_REFUSAL_BAD_RECORD,
          "not a valid org record");
    //  A delete carries no record to check.
    check(&mutual_register, MS_COLL_MEMBER, MS_OP_DELETE, "M-0001", NULL, MS_REFUSAL_NONE, NULL);
}

//  A refusal is shown to people in words, in the language of messages; its
//  name, for files and programs, never changes. So is a rule's detail.
static void test_refusals_read_in_the_language_of_messages(void **state)
{
    (void)state;
    for (int reason = MS_REFUSAL_MALFORMED; reason < MS_REFUSAL_COUNT; reason++) {
        assert_true(ms_refusal_text(reason)[0]);
        assert_string_not_equal(ms_refusal_text(reason), ms_refusal_name(reason));
    }
    assert_string_equal(ms_refusal_text(MS_REFUSAL_COUNT), "unknown reason");
    assert_string_equal(ms_refusal_text(MS_REFUSAL_FROZEN),
                        "the feed is frozen after an equivocation");
    assert_int_equal(ms_i18n_init("fr"), 0);
    assert_string_equal(ms_refusal_text(MS_REFUSAL_FROZEN), "le flux est gelé après une équivoque");
    assert_string_equal(ms_refusal_name(MS_REFUSAL_FROZEN), "frozen");
    value_t cert = cert_value("ML-MUT", MS_ROLE_UNION);
    check(&union_public, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT", &cert, MS_REFUSAL_AUTHORITY,
          "ML-MUT ne peut pas se certifier lui-même");
    assert_int_equal(ms_i18n_init("en"), 0);
    check(&union_public, MS_COLL_CERT, MS_OP_UPSERT, "ML-MUT", &cert, MS_REFUSAL_AUTHORITY,
          "ML-MUT may not certify itself");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seq_next_duplicate_equivocation_gap_bad_prev),
        cmocka_unit_test(test_seq_of_an_empty_feed_starts_at_1_with_zero_prev),
        cmocka_unit_test(test_feeds_of_collections),
        cmocka_unit_test(test_policy_hold_rule),
        cmocka_unit_test(test_time_sanity),
        cmocka_unit_test(test_refusal_names_are_stable),
        cmocka_unit_test(test_org_card_only_for_the_origin_itself),
        cmocka_unit_test(test_each_collection_only_in_its_feed),
        cmocka_unit_test(test_indicator_only_by_the_secretariat),
        cmocka_unit_test(test_cert_only_by_a_parent_for_its_own_children),
        cmocka_unit_test(test_cert_by_a_mutual_refused),
        cmocka_unit_test(test_cert_of_a_secretariat_refused),
        cmocka_unit_test(test_cert_naming_another_parent_refused),
        cmocka_unit_test(test_cert_squatting_refused_whatever_the_order),
        cmocka_unit_test(test_release_lets_only_the_named_parent_adopt),
        cmocka_unit_test(test_resolution_only_by_the_holder),
        cmocka_unit_test(test_card_must_agree_with_its_certificate),
        cmocka_unit_test(test_cert_of_someone_elses_child_refused),
        cmocka_unit_test(test_self_cert_refused),
        cmocka_unit_test(test_cert_that_does_not_decode_is_a_bad_record),
        cmocka_unit_test(test_revocation_only_of_a_direct_child),
        cmocka_unit_test(test_record_that_does_not_decode_is_a_bad_record),
        cmocka_unit_test(test_refusals_read_in_the_language_of_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
