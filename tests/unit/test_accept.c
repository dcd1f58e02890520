//  test_accept - the accept rules applied to real envelopes on a real store.
//
//  A union node (ms_node_init) certifies a mutual whose key the test holds;
//  the test then signs the mutual's change sets by hand, good and bad, and
//  hands them to the union's replica. After every refusal the replica's
//  records, heads, envelopes and trust are byte for byte what they were, and
//  exactly one quarantine entry says why.

#include "mutsync/accept.h"
#include "mutsync/envelope.h"
#include "mutsync/log.h"
#include "mutsync/node.h"
#include "mutsync/quarantine.h"
#include "mutsync/resolve.h"
#include "mutsync/trust.h"

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
#include <time.h>

#define UNION "ML-UTM"
#define MUTUAL "ML-UTM-001"
#define T0 1767225600  //  2026-01-01T00:00:00Z

typedef struct {
    char *dir;
    ms_node_t *node;         //  the union's replica
    ms_keypair_t *mutual;    //  the mutual's key, certified by the union
    ms_keypair_t *stranger;  //  certified by no one
} fixture_t;

//  ---- the union node and the envelopes it is handed ----------------------------

typedef struct {
    fixture_t *f;
    const char *feed;
    const ms_change_t *changes;
    size_t count;
    const uint8_t *bytes;
    size_t len;
    ms_verdict_t verdict;
} write_t;

static int append_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    write_t *w = arg;
    return ms_node_append(w->f->node, txn, w->feed, w->changes, w->count, &w->verdict, err);
}

static int accept_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    write_t *w = arg;
    return ms_node_accept(w->f->node, txn, w->bytes, w->len, "test", &w->verdict, err);
}

//  The union appends to its own feed; returns the ms_store_write code.
static int union_append(fixture_t *f, const char *feed, const ms_change_t *changes, size_t count,
                        ms_verdict_t *verdict)
{
    write_t w = {f, feed, changes, count, NULL, 0, {0}};
    ms_error_t err = {0};
    int rc = ms_store_write(ms_node_store(f->node), append_fn, &w, &err);
    if (verdict)
        *verdict = w.verdict;
    return rc;
}

static ms_verdict_t accept_bytes(fixture_t *f, const uint8_t *bytes, size_t len)
{
    write_t w = {f, NULL, NULL, 0, bytes, len, {0}};
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(ms_node_store(f->node), accept_fn, &w, &err), 0);
    return w.verdict;
}

static void certify(fixture_t *f, const char *subject, ms_role_t role, const uint8_t *key)
{
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    snprintf(cert.name, sizeof cert.name, "%s", subject);
    cert.role = role;
    strcpy(cert.country, "ML");
    strcpy(cert.parent, UNION);
    memcpy(cert.key, key, MS_KEY_BYTES);
    uint8_t value[512];
    size_t len = 0;
    assert_int_equal(ms_cert_encode(&cert, value, sizeof value, &len), 0);
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, subject, value, len};
    ms_verdict_t verdict;
    assert_int_equal(union_append(f, "certs", &change, 1, &verdict), 0);
    assert_int_equal(verdict.outcome, MS_OUTCOME_APPLIED);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    char path[512];
    if (!f || !(f->dir = strdup("/tmp/ms-test-accept.XXXXXX")) || !mkdtemp(f->dir))
        return -1;
    snprintf(path, sizeof path, "%s/union", f->dir);
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    strcpy(id.org, UNION);
    id.role = MS_ROLE_UNION;
    strcpy(id.country, "ML");
    strcpy(id.name, "Union Technique de la Mutualité");
    if (ms_node_init(path, &id, NULL) != 0 || ms_node_open(path, &f->node, NULL) != 0 ||
        ms_keypair_new(&f->mutual, NULL) != 0 || ms_keypair_new(&f->stranger, NULL) != 0)
        return -1;
    certify(f, MUTUAL, MS_ROLE_MUTUAL, ms_keypair_public(f->mutual));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    ms_node_close(&f->node);
    ms_keypair_destroy(&f->mutual);
    ms_keypair_destroy(&f->stranger);
    char command[256];
    snprintf(command, sizeof command, "rm -rf '%s'", f->dir);
    int rc = system(command);
    free(f->dir);
    free(f);
    return rc;
}

//  An envelope of ORIGIN/FEED signed by KEYPAIR, and its id; the caller frees BYTES.
typedef struct {
    uint8_t *bytes;
    size_t len;
    uint8_t id[MS_HASH_BYTES];
} sealed_t;

static sealed_t seal(const ms_keypair_t *keypair, const char *origin, const char *feed,
                     uint64_t seq, const uint8_t *prev, int64_t created, const ms_change_t *changes,
                     size_t count)
{
    ms_changeset_t cs = {
        .origin = origin,
        .feed = feed,
        .seq = seq,
        .created = created,
        .change_count = count,
        .changes = changes,
    };
    memcpy(cs.signer, ms_keypair_public(keypair), MS_KEY_BYTES);
    if (prev)
        memcpy(cs.prev, prev, MS_HASH_BYTES);
    uint8_t *body = NULL;
    size_t body_len = 0;
    sealed_t sealed = {0};
    assert_int_equal(ms_changeset_encode(&cs, &body, &body_len, NULL), 0);
    ms_body_id(body, body_len, sealed.id);
    assert_int_equal(ms_envelope_seal(keypair, body, body_len, &sealed.bytes, &sealed.len, NULL),
                     0);
    free(body);
    return sealed;
}

typedef struct {
    uint8_t value[1024];
    size_t len;
} value_t;

static value_t card_value(const char *name)
{
    ms_org_t org;
    memset(&org, 0, sizeof org);
    snprintf(org.name, sizeof org.name, "%s", name);
    strcpy(org.country, "ML");
    org.role = MS_ROLE_MUTUAL;
    strcpy(org.parent, UNION);
    value_t v;
    assert_int_equal(ms_org_encode(&org, v.value, sizeof v.value, &v.len), 0);
    return v;
}

//  The mutual's org card as change set SEQ of its public feed.
static sealed_t mutual_card(fixture_t *f, uint64_t seq, const uint8_t *prev, int64_t created,
                            const char *name)
{
    value_t card = card_value(name);
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, MUTUAL, card.value, card.len};
    return seal(f->mutual, MUTUAL, "public", seq, prev, created, &change, 1);
}

//  ---- what the replica holds ----------------------------------------------------

//  BLAKE2b over every entry of the tables an envelope may change, quarantine aside.
static void digest(fixture_t *f, uint8_t *out)
{
    static const ms_table_t tables[] = {MS_TABLE_META,    MS_TABLE_HEADS, MS_TABLE_ENVELOPES,
                                        MS_TABLE_RECORDS, MS_TABLE_TRUST, MS_TABLE_REVOKED,
                                        MS_TABLE_VIEWS,   MS_TABLE_INDEX};
    ms_test_digest(ms_node_store(f->node), tables, sizeof tables / sizeof tables[0], out);
}

typedef struct {
    uint64_t count;
    int reason;
    uint64_t seq;
    char origin[MS_ORG_MAX + 1];
    char feed[MS_FEED_NAME_MAX + 1];
    char detail[256];
    char source[64];
    uint8_t *envelope;
    size_t envelope_len;
    uint64_t size;
} last_t;

static int keep_last(const ms_quarantine_entry_t *entry, void *ctx)
{
    last_t *last = ctx;
    last->count++;
    last->reason = entry->reason;
    last->seq = entry->seq;
    strcpy(last->origin, entry->origin);
    strcpy(last->feed, entry->feed);
    strcpy(last->detail, entry->detail);
    strcpy(last->source, entry->source);
    free(last->envelope);
    last->envelope = malloc(entry->envelope_len + 1);
    assert_non_null(last->envelope);
    memcpy(last->envelope, entry->envelope, entry->envelope_len);
    last->envelope_len = entry->envelope_len;
    last->size = entry->size;
    return 0;
}

static last_t quarantine(fixture_t *f)
{
    last_t last;
    memset(&last, 0, sizeof last);
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    assert_int_equal(ms_quarantine_list(txn, keep_last, &last, NULL), 0);
    ms_txn_abort(&txn);
    return last;
}

static ms_head_t head_of(fixture_t *f, const char *org, const char *feed)
{
    ms_head_t head;
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    assert_int_equal(ms_replica_head(txn, org, feed, &head, NULL), 0);
    ms_txn_abort(&txn);
    return head;
}

static void check_applied(fixture_t *f, const sealed_t *sealed)
{
    ms_verdict_t verdict = accept_bytes(f, sealed->bytes, sealed->len);
    if (verdict.outcome != MS_OUTCOME_APPLIED)
        fail_msg("refused: %s (%s)", ms_refusal_name(verdict.reason), verdict.detail);
}

//  BYTES are refused for REASON (the detail holds WHY), the replica is
//  unchanged, and one new quarantine entry holds the envelope and the reason.
static void check_refused(fixture_t *f, const uint8_t *bytes, size_t len, ms_refusal_t reason,
                          const char *why)
{
    uint8_t before[MS_HASH_BYTES], after[MS_HASH_BYTES];
    digest(f, before);
    last_t held = quarantine(f);
    free(held.envelope);

    ms_verdict_t verdict = accept_bytes(f, bytes, len);
    assert_int_equal(verdict.outcome, MS_OUTCOME_REFUSED);
    if (verdict.reason != reason)
        fail_msg("expected %s, got %s (%s)", ms_refusal_name((int)reason),
                 ms_refusal_name((int)verdict.reason), verdict.detail);
    if (why && !strstr(verdict.detail, why))
        fail_msg("expected \"%s\" in \"%s\"", why, verdict.detail);
    assert_int_equal(verdict.change_count, 0);

    digest(f, after);
    assert_memory_equal(before, after, MS_HASH_BYTES);
    last_t last = quarantine(f);
    assert_int_equal(last.count, held.count + 1);
    assert_int_equal(last.reason, reason);
    assert_string_equal(last.detail, verdict.detail);
    assert_string_equal(last.source, "test");
    //  Only the proof of a fork is kept whole; otherwise a short prefix, and
    //  nothing of a feed that carries personal data.
    size_t kept = reason == MS_REFUSAL_EQUIVOCATION                                            ? len
                  : strcmp(verdict.feed, "register") == 0 || strcmp(verdict.feed, "care") == 0 ? 0
                  : len < MS_QUARANTINE_PREFIX_BYTES                                           ? len
                                                     : MS_QUARANTINE_PREFIX_BYTES;
    assert_int_equal(last.size, len);
    assert_int_equal(last.envelope_len, kept);
    assert_memory_equal(last.envelope, bytes, kept);
    free(last.envelope);
}

static uint64_t quarantine_count(fixture_t *f)
{
    last_t last = quarantine(f);
    free(last.envelope);
    return last.count;
}

//  ---- tests ---------------------------------------------------------------------

//  An accepted certificate makes its subject's chain reach the certifier.
static void test_trust_chain_follows_certified_parents(void **state)
{
    fixture_t *f = *state;
    ms_txn_t *txn;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    char chain[MS_TRUST_DEPTH_MAX][MS_ORG_MAX + 1];
    size_t count = 0;
    assert_int_equal(ms_trust_chain(txn, MUTUAL, chain, &count, NULL), 0);
    assert_int_equal(count, 2);
    assert_string_equal(chain[0], MUTUAL);
    assert_string_equal(chain[1], UNION);
    assert_int_equal(ms_trust_chain(txn, "XX-UNKNOWN", chain, &count, NULL), 0);
    assert_int_equal(count, 1);
    assert_string_equal(chain[0], "XX-UNKNOWN");
    ms_txn_abort(&txn);
}

static void test_accept_applies_the_next_change_set(void **state)
{
    fixture_t *f = *state;
    uint8_t before[MS_HASH_BYTES], after[MS_HASH_BYTES];
    digest(f, before);
    sealed_t one = mutual_card(f, 1, NULL, T0, "Mutuelle de Kati");
    ms_verdict_t verdict = accept_bytes(f, one.bytes, one.len);
    assert_int_equal(verdict.outcome, MS_OUTCOME_APPLIED);
    digest(f, after);
    //  What the refusal tests call "unchanged" does see an applied change.
    assert_memory_not_equal(before, after, MS_HASH_BYTES);
    assert_string_equal(verdict.origin, MUTUAL);
    assert_string_equal(verdict.feed, "public");
    assert_int_equal(verdict.seq, 1);
    assert_int_equal(verdict.change_count, 1);
    assert_memory_equal(verdict.id, one.id, MS_HASH_BYTES);

    ms_head_t head = head_of(f, MUTUAL, "public");
    assert_int_equal(head.seq, 1);
    assert_memory_equal(head.hash, one.id, MS_HASH_BYTES);
    assert_false(head.frozen);
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    ms_stored_record_t record;
    assert_int_equal(ms_replica_record(txn, MS_COLL_ORG, MUTUAL, MUTUAL, &record, NULL), 0);
    assert_int_equal(record.seq, 1);
    ms_org_t org;
    assert_int_equal(ms_org_decode(record.value, record.value_len, &org, NULL), 0);
    assert_string_equal(org.name, "Mutuelle de Kati");
    uint8_t id[MS_HASH_BYTES];
    ms_val_t stored;
    assert_int_equal(ms_replica_envelope(txn, MUTUAL, "public", 1, id, &stored, NULL), 0);
    assert_memory_equal(id, one.id, MS_HASH_BYTES);
    assert_int_equal(stored.len, one.len);
    assert_memory_equal(stored.data, one.bytes, one.len);  //  kept as received
    ms_txn_abort(&txn);

    sealed_t two = mutual_card(f, 2, one.id, T0 + 60, "Mutuelle de santé de Kati");
    check_applied(f, &two);
    assert_int_equal(head_of(f, MUTUAL, "public").seq, 2);
    assert_int_equal(quarantine_count(f), 0);
    free(one.bytes);
    free(two.bytes);
}

static void test_accept_duplicate_is_a_no_op(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    sealed_t two = mutual_card(f, 2, one.id, T0 + 1, "Kati II");
    check_applied(f, &one);
    check_applied(f, &two);
    uint8_t before[MS_HASH_BYTES], after[MS_HASH_BYTES];
    digest(f, before);
    for (int i = 0; i < 2; i++) {
        const sealed_t *again = i ? &two : &one;
        ms_verdict_t verdict = accept_bytes(f, again->bytes, again->len);
        assert_int_equal(verdict.outcome, MS_OUTCOME_DUPLICATE);
        assert_int_equal(verdict.seq, i ? 2 : 1);
        assert_int_equal(verdict.change_count, 0);
    }
    digest(f, after);
    assert_memory_equal(before, after, MS_HASH_BYTES);
    assert_int_equal(quarantine_count(f), 0);
    assert_int_equal(head_of(f, MUTUAL, "public").seq, 2);
    free(one.bytes);
    free(two.bytes);
}

static void test_accept_equivocation_keeps_both_and_freezes_the_feed(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    sealed_t fork = mutual_card(f, 1, NULL, T0 + 1, "Kati bis");
    check_applied(f, &one);

    ms_verdict_t verdict = accept_bytes(f, fork.bytes, fork.len);
    assert_int_equal(verdict.outcome, MS_OUTCOME_REFUSED);
    assert_int_equal(verdict.reason, MS_REFUSAL_EQUIVOCATION);
    assert_memory_equal(verdict.id, fork.id, MS_HASH_BYTES);

    //  The held envelope stays; the new one is in the quarantine as proof.
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    uint8_t id[MS_HASH_BYTES];
    ms_val_t stored;
    assert_int_equal(ms_replica_envelope(txn, MUTUAL, "public", 1, id, &stored, NULL), 0);
    assert_memory_equal(id, one.id, MS_HASH_BYTES);
    assert_memory_equal(stored.data, one.bytes, one.len);
    ms_stored_record_t record;
    assert_int_equal(ms_replica_record(txn, MS_COLL_ORG, MUTUAL, MUTUAL, &record, NULL), 0);
    ms_org_t org;
    assert_int_equal(ms_org_decode(record.value, record.value_len, &org, NULL), 0);
    assert_string_equal(org.name, "Kati");
    ms_txn_abort(&txn);
    last_t last = quarantine(f);
    assert_int_equal(last.count, 1);
    assert_int_equal(last.reason, MS_REFUSAL_EQUIVOCATION);
    assert_string_equal(last.origin, MUTUAL);
    assert_string_equal(last.feed, "public");
    assert_int_equal(last.seq, 1);
    assert_int_equal(last.envelope_len, fork.len);
    assert_memory_equal(last.envelope, fork.bytes, fork.len);
    free(last.envelope);

    ms_head_t head = head_of(f, MUTUAL, "public");
    assert_int_equal(head.seq, 1);
    assert_memory_equal(head.hash, one.id, MS_HASH_BYTES);
    assert_true(head.frozen);

    //  Nothing more is applied to a frozen feed, even the true next one.
    sealed_t two = mutual_card(f, 2, one.id, T0 + 2, "Kati");
    check_refused(f, two.bytes, two.len, MS_REFUSAL_FROZEN, "frozen");
    //  The held one is still a duplicate, not a second fork.
    verdict = accept_bytes(f, one.bytes, one.len);
    assert_int_equal(verdict.outcome, MS_OUTCOME_DUPLICATE);
    free(one.bytes);
    free(fork.bytes);
    free(two.bytes);
}

static void test_accept_refuses_a_gap(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    check_applied(f, &one);
    uint8_t unknown[MS_HASH_BYTES];
    memset(unknown, 0x42, sizeof unknown);
    sealed_t three = mutual_card(f, 3, unknown, T0 + 2, "Kati");
    check_refused(f, three.bytes, three.len, MS_REFUSAL_GAP, "seq 3 but the head is 1");
    assert_int_equal(head_of(f, MUTUAL, "public").seq, 1);
    free(one.bytes);
    free(three.bytes);
}

static void test_accept_refuses_a_gap_in_an_empty_feed(void **state)
{
    fixture_t *f = *state;
    sealed_t two = mutual_card(f, 2, NULL, T0, "Kati");
    check_refused(f, two.bytes, two.len, MS_REFUSAL_GAP, "seq 2 but the head is 0");
    assert_int_equal(head_of(f, MUTUAL, "public").seq, 0);
    free(two.bytes);
}

static void test_accept_refuses_a_wrong_prev(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    check_applied(f, &one);
    uint8_t wrong[MS_HASH_BYTES];
    memcpy(wrong, one.id, MS_HASH_BYTES);
    wrong[0] ^= 1;
    sealed_t two = mutual_card(f, 2, wrong, T0 + 1, "Kati");
    check_refused(f, two.bytes, two.len, MS_REFUSAL_BAD_PREV, "prev does not match");
    free(one.bytes);
    free(two.bytes);
}

static void test_accept_refuses_a_tampered_signature(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    //  The signature is the envelope's last field: its bytes end the envelope.
    one.bytes[one.len - 1] ^= 0x01;
    check_refused(f, one.bytes, one.len, MS_REFUSAL_BAD_SIGNATURE,
                  "the signature does not verify for the key of ML-UTM-001");
    one.bytes[one.len - 1] ^= 0x01;
    one.bytes[one.len - MS_SIG_BYTES] ^= 0x80;
    check_refused(f, one.bytes, one.len, MS_REFUSAL_BAD_SIGNATURE, NULL);
    one.bytes[one.len - MS_SIG_BYTES] ^= 0x80;
    check_applied(f, &one);
    free(one.bytes);
}

static void test_accept_refuses_a_changed_body(void **state)
{
    fixture_t *f = *state;
    //  Same signature, body edited by a relay: the name in the card changes.
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    size_t at = 0;
    while (at + 4 <= one.len && memcmp(one.bytes + at, "Kati", 4) != 0)
        at++;
    assert_true(at + 4 <= one.len);
    one.bytes[at] = 'L';
    check_refused(f, one.bytes, one.len, MS_REFUSAL_BAD_SIGNATURE, NULL);
    free(one.bytes);
}

static void test_accept_refuses_an_unknown_signer(void **state)
{
    fixture_t *f = *state;
    //  A key no one certified, claiming to be the mutual.
    value_t card = card_value("Kati");
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, MUTUAL, card.value, card.len};
    sealed_t forged = seal(f->stranger, MUTUAL, "public", 1, NULL, T0, &change, 1);
    check_refused(f, forged.bytes, forged.len, MS_REFUSAL_UNKNOWN_SIGNER,
                  "the signer is not the key certified for ML-UTM-001");
    //  An org no one certified.
    ms_change_t own = {MS_COLL_ORG, MS_OP_UPSERT, "ML-UTM-999", card.value, card.len};
    sealed_t unknown = seal(f->stranger, "ML-UTM-999", "public", 1, NULL, T0, &own, 1);
    check_refused(f, unknown.bytes, unknown.len, MS_REFUSAL_UNKNOWN_SIGNER,
                  "no certificate for ML-UTM-999");
    //  The union's own key signing as the mutual.
    const ms_keypair_t *union_key = NULL;
    assert_int_equal(ms_node_keypair(f->node, &union_key, NULL), 0);
    sealed_t relayed = seal(union_key, MUTUAL, "public", 1, NULL, T0, &change, 1);
    check_refused(f, relayed.bytes, relayed.len, MS_REFUSAL_UNKNOWN_SIGNER, NULL);
    free(forged.bytes);
    free(unknown.bytes);
    free(relayed.bytes);
}

static void revoke(fixture_t *f, const char *subject, const uint8_t *key, int64_t from,
                   ms_verdict_t *verdict)
{
    ms_revocation_t revocation;
    memset(&revocation, 0, sizeof revocation);
    memcpy(revocation.key, key, MS_KEY_BYTES);
    revocation.from = from;
    strcpy(revocation.reason, "key lost");
    uint8_t value[512];
    size_t len = 0;
    assert_int_equal(ms_revocation_encode(&revocation, value, sizeof value, &len), 0);
    char hex[MS_KEY_HEX_BYTES], change_key[MS_KEY_MAX + 1];
    ms_key_to_hex(key, hex);
    snprintf(change_key, sizeof change_key, "%s|%s", subject, hex);
    ms_change_t change = {MS_COLL_REVOCATION, MS_OP_UPSERT, change_key, value, len};
    int rc = union_append(f, "public", &change, 1, verdict);
    assert_true(rc == 0 || rc == MS_EREFUSED);
}

static void test_accept_refuses_a_revoked_signer_from_the_revocation_on(void **state)
{
    fixture_t *f = *state;
    sealed_t before = mutual_card(f, 1, NULL, T0, "Kati");
    check_applied(f, &before);
    //  The revocation names no position: it stops where this replica holds
    //  the mutual's public feed now (seq 1), whatever any clock says.
    ms_verdict_t verdict;
    revoke(f, MUTUAL, ms_keypair_public(f->mutual), T0 + 3600, &verdict);
    assert_int_equal(verdict.outcome, MS_OUTCOME_APPLIED);

    sealed_t back = mutual_card(f, 2, before.id, T0 - 86400, "Kati");  //  its clock a day back
    check_refused(f, back.bytes, back.len, MS_REFUSAL_REVOKED,
                  "this key of ML-UTM-001 is revoked after public seq 1");
    sealed_t old = mutual_card(f, 2, before.id, 946684800 + 1, "Kati");  //  in 2000
    check_refused(f, old.bytes, old.len, MS_REFUSAL_REVOKED, NULL);
    //  What it signed before the position stays valid: a duplicate, not a refusal.
    ms_verdict_t again = accept_bytes(f, before.bytes, before.len);
    assert_int_equal(again.outcome, MS_OUTCOME_DUPLICATE);
    free(before.bytes);
    free(back.bytes);
    free(old.bytes);
}

//  A change set created at an insane time is refused whole (rule 1).
static void test_accept_refuses_an_insane_creation_time(void **state)
{
    fixture_t *f = *state;
    const int64_t bad[] = {0, -5, (int64_t)1 << 62};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sealed_t one = mutual_card(f, 1, NULL, bad[i], "Kati");
        check_refused(f, one.bytes, one.len, MS_REFUSAL_MALFORMED, "outside 2000-01-01");
        free(one.bytes);
    }
}

static void test_accept_refuses_writing_another_orgs_card(void **state)
{
    fixture_t *f = *state;
    value_t card = card_value("Union captured");
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, UNION, card.value, card.len};
    sealed_t one = seal(f->mutual, MUTUAL, "public", 1, NULL, T0, &change, 1);
    check_refused(f, one.bytes, one.len, MS_REFUSAL_AUTHORITY,
                  "change 0: ML-UTM-001 may not write the org card of ML-UTM");
    assert_int_equal(head_of(f, MUTUAL, "public").seq, 0);
    free(one.bytes);
}

static void test_accept_refuses_a_change_set_with_one_bad_change(void **state)
{
    fixture_t *f = *state;
    value_t card = card_value("Kati");
    ms_change_t changes[2] = {
        {MS_COLL_ORG, MS_OP_UPSERT, MUTUAL, card.value, card.len},
        {MS_COLL_ORG, MS_OP_UPSERT, "ML-UTM-002", card.value, card.len},
    };
    sealed_t one = seal(f->mutual, MUTUAL, "public", 1, NULL, T0, changes, 2);
    check_refused(f, one.bytes, one.len, MS_REFUSAL_AUTHORITY, "change 1:");
    free(one.bytes);
}

//  The writer's own rules refuse a bad value before it leaves: nothing is signed into the feed.
static void test_own_write_with_a_bad_value_is_refused(void **state)
{
    fixture_t *f = *state;
    static const uint8_t garbage[] = {0x0a, 0x7f, 'K'};
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, "ML-UTM-002", garbage, sizeof garbage};
    uint64_t before = head_of(f, UNION, "public").seq;
    ms_verdict_t verdict;
    assert_int_equal(union_append(f, "public", &change, 1, &verdict), MS_EREFUSED);
    assert_int_equal(head_of(f, UNION, "public").seq, before);
}

//  A bad member record is set aside like any other, but the log line says
//  only what and why: the member's id (the change's key) stays out of logs.
static void test_accept_log_names_no_member_of_a_register_feed(void **state)
{
    fixture_t *f = *state;
    static const uint8_t garbage[] = {0x0a, 0x7f, 'K'};
    ms_change_t change = {MS_COLL_MEMBER, MS_OP_UPSERT, "ML-UTM-001-0000042", garbage,
                          sizeof garbage};
    //  The mutual's card lets its register come to the union (reach 1).
    ms_org_t org;
    memset(&org, 0, sizeof org);
    strcpy(org.name, "Kati");
    strcpy(org.country, "ML");
    org.role = MS_ROLE_MUTUAL;
    strcpy(org.parent, UNION);
    org.register_reach = 1;
    value_t card = {.len = 0};
    assert_int_equal(ms_org_encode(&org, card.value, sizeof card.value, &card.len), 0);
    ms_change_t grant = {MS_COLL_ORG, MS_OP_UPSERT, MUTUAL, card.value, card.len};
    sealed_t granted = seal(f->mutual, MUTUAL, "public", 1, NULL, T0, &grant, 1);
    check_applied(f, &granted);
    free(granted.bytes);
    sealed_t one = seal(f->mutual, MUTUAL, "register", 1, NULL, T0, &change, 1);
    //  glibc's stderr is a variable: the log lines go to memory for a while.
    char *text = NULL;
    size_t len = 0;
    FILE *saved = stderr;
    stderr = open_memstream(&text, &len);
    assert_non_null(stderr);
    ms_log_set_level(MS_LOG_WARN);
    ms_verdict_t verdict = accept_bytes(f, one.bytes, one.len);
    ms_log_set_level(MS_LOG_ERROR);
    fclose(stderr);
    stderr = saved;
    assert_int_equal(verdict.set_aside, 1);
    assert_non_null(text);
    assert_non_null(strstr(text, "set aside a change of ML-UTM-001/register seq=1"));
    assert_non_null(strstr(text, "bad-record"));
    if (strstr(text, "0000042"))
        fail_msg("a member id in the log: %s", text);
    free(text);
    free(one.bytes);
}

//  An authentic change set with a value that does not decode stays in the
//  chain (the feed goes on) but that change is set aside and listed.
static void test_accept_sets_aside_a_record_that_does_not_decode(void **state)
{
    fixture_t *f = *state;
    static const uint8_t garbage[] = {0x0a, 0x7f, 'K'};
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, MUTUAL, garbage, sizeof garbage};
    sealed_t one = seal(f->mutual, MUTUAL, "public", 1, NULL, T0, &change, 1);
    ms_verdict_t verdict = accept_bytes(f, one.bytes, one.len);
    assert_int_equal(verdict.outcome, MS_OUTCOME_APPLIED);
    assert_int_equal(verdict.change_count, 0);
    assert_int_equal(verdict.set_aside, 1);
    assert_int_equal(head_of(f, MUTUAL, "public").seq, 1);
    last_t last = quarantine(f);
    assert_int_equal(last.reason, MS_REFUSAL_BAD_RECORD);
    assert_non_null(strstr(last.detail, "not a valid org record"));
    free(last.envelope);
    //  The next change set applies: nothing stalls behind a bad value.
    sealed_t two = mutual_card(f, 2, one.id, T0 + 1, "Kati");
    check_applied(f, &two);
    free(one.bytes);
    free(two.bytes);
}

static void test_accept_refuses_an_unknown_feed(void **state)
{
    fixture_t *f = *state;
    value_t card = card_value("Kati");
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, MUTUAL, card.value, card.len};
    sealed_t one = seal(f->mutual, MUTUAL, "private", 1, NULL, T0, &change, 1);
    check_refused(f, one.bytes, one.len, MS_REFUSAL_MALFORMED, "unknown feed \"private\"");
    free(one.bytes);
}

static void test_accept_refuses_truncated_protobuf(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    for (size_t cut = 1; cut <= 3; cut++)
        check_refused(f, one.bytes, one.len - cut, MS_REFUSAL_MALFORMED, "not a valid envelope");
    check_refused(f, one.bytes, 0, MS_REFUSAL_MALFORMED, NULL);
    last_t last = quarantine(f);
    assert_string_equal(last.origin, "");  //  nothing could be read
    assert_int_equal(last.seq, 0);
    free(last.envelope);
    check_applied(f, &one);
    free(one.bytes);
}

static void test_accept_refuses_oversized_protobuf(void **state)
{
    fixture_t *f = *state;
    //  A body one byte over the limit, inside an envelope the envelope limit admits.
    size_t body_len = (size_t)MS_BODY_MAX + 1;
    uint8_t *body = malloc(body_len);
    assert_non_null(body);
    memset(body, 0, body_len);
    uint8_t signature[MS_SIG_BYTES] = {0};
    uint8_t *bytes = NULL;
    size_t len = 0;
    assert_int_equal(ms_envelope_encode(body, body_len, signature, &bytes, &len, NULL), 0);
    check_refused(f, bytes, len, MS_REFUSAL_MALFORMED, "body is 4194305 bytes");
    free(bytes);
    //  More bytes than any envelope may have.
    len = (size_t)MS_ENVELOPE_MAX + 1;
    bytes = calloc(1, len);
    assert_non_null(bytes);
    check_refused(f, bytes, len, MS_REFUSAL_MALFORMED, "the limit is 4195328");
    free(bytes);
    free(body);
}

static void test_accept_refuses_a_body_that_is_not_a_change_set(void **state)
{
    fixture_t *f = *state;
    static const uint8_t body[] = {0x0a, 0x02, 'M', 'L'};  //  an origin and nothing else
    uint8_t signature[MS_SIG_BYTES];
    memset(signature, 1, sizeof signature);
    uint8_t *bytes = NULL;
    size_t len = 0;
    assert_int_equal(ms_envelope_encode(body, sizeof body, signature, &bytes, &len, NULL), 0);
    check_refused(f, bytes, len, MS_REFUSAL_MALFORMED, "feed name is empty");
    free(bytes);
}

static void test_accept_keeps_the_feeds_of_other_orgs_apart(void **state)
{
    fixture_t *f = *state;
    ms_keypair_t *second = NULL;
    assert_int_equal(ms_keypair_new(&second, NULL), 0);
    certify(f, "ML-UTM-002", MS_ROLE_MUTUAL, ms_keypair_public(second));
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    check_applied(f, &one);
    value_t card = card_value("Ségou");
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, "ML-UTM-002", card.value, card.len};
    sealed_t other = seal(second, "ML-UTM-002", "public", 1, NULL, T0, &change, 1);
    check_applied(f, &other);
    assert_int_equal(head_of(f, MUTUAL, "public").seq, 1);
    assert_int_equal(head_of(f, "ML-UTM-002", "public").seq, 1);
    //  One mutual's seq 1 replayed under the other's name does not verify.
    ms_keypair_destroy(&second);
    free(one.bytes);
    free(other.bytes);
}

static void test_own_writes_pass_the_same_rules(void **state)
{
    fixture_t *f = *state;
    //  The union may not write into its child's name.
    value_t card = card_value("Kati");
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, MUTUAL, card.value, card.len};
    ms_verdict_t verdict;
    uint64_t held = quarantine_count(f);
    assert_int_equal(union_append(f, "public", &change, 1, &verdict), MS_EREFUSED);
    assert_int_equal(verdict.outcome, MS_OUTCOME_REFUSED);
    assert_int_equal(verdict.reason, MS_REFUSAL_AUTHORITY);
    //  A refused own write leaves nothing behind, not even a quarantine entry.
    assert_int_equal(quarantine_count(f), held);
    assert_int_equal(head_of(f, UNION, "public").seq, 1);  //  its org card
}

static int count_trusted(const ms_trust_entry_t *entry, void *ctx)
{
    (void)entry;
    (*(int *)ctx)++;
    return 0;
}

//  KNOWN BUG (accept.c check_authority): a revocation is checked only
//  against the org named in its change key, never against the key inside
//  the record, so a union can name its own child and revoke any key at all:
//  here a child union revokes its own parent's key, after which the
//  parent's own writes are refused at this replica.
static void test_accept_refuses_revoking_a_key_that_is_not_the_childs(void **state)
{
    fixture_t *f = *state;
    ms_keypair_t *child_union = NULL, *grandchild = NULL;
    assert_int_equal(ms_keypair_new(&child_union, NULL), 0);
    assert_int_equal(ms_keypair_new(&grandchild, NULL), 0);
    certify(f, "ML-UTM-UCS", MS_ROLE_UNION, ms_keypair_public(child_union));

    //  ML-UCS certifies its own child, then "revokes" it with the union's key inside.
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    strcpy(cert.name, "grandchild");
    cert.role = MS_ROLE_MUTUAL;
    strcpy(cert.country, "ML");
    strcpy(cert.parent, "ML-UTM-UCS");
    memcpy(cert.key, ms_keypair_public(grandchild), MS_KEY_BYTES);
    uint8_t cert_value[512];
    size_t cert_len = 0;
    assert_int_equal(ms_cert_encode(&cert, cert_value, sizeof cert_value, &cert_len), 0);
    ms_change_t certify_change = {MS_COLL_CERT, MS_OP_UPSERT, "ML-UTM-UCS-777", cert_value,
                                  cert_len};
    sealed_t one = seal(child_union, "ML-UTM-UCS", "certs", 1, NULL, T0, &certify_change, 1);
    check_applied(f, &one);

    const ms_keypair_t *union_key = NULL;
    assert_int_equal(ms_node_keypair(f->node, &union_key, NULL), 0);
    ms_revocation_t revocation;
    memset(&revocation, 0, sizeof revocation);
    memcpy(revocation.key, ms_keypair_public(union_key), MS_KEY_BYTES);
    revocation.from = 0;
    uint8_t value[512];
    size_t len = 0;
    assert_int_equal(ms_revocation_encode(&revocation, value, sizeof value, &len), 0);
    ms_change_t revoke_change = {MS_COLL_REVOCATION, MS_OP_UPSERT, "ML-UTM-UCS-777|parent", value,
                                 len};
    //  In the certs feed it is refused outright (revocations go in public).
    sealed_t two = seal(child_union, "ML-UTM-UCS", "certs", 2, one.id, T0, &revoke_change, 1);
    check_refused(f, two.bytes, two.len, MS_REFUSAL_AUTHORITY, "belong in the public feed");
    //  In its public feed, a revocation names its subject: the union's key is
    //  "revoked" for ML-UTM-UCS-777 only, which harms nobody.
    sealed_t three = seal(child_union, "ML-UTM-UCS", "public", 1, NULL, T0, &revoke_change, 1);
    check_applied(f, &three);
    free(three.bytes);

    value_t card = card_value("still mine");
    ms_change_t own = {MS_COLL_ORG, MS_OP_UPSERT, UNION, card.value, card.len};
    ms_verdict_t verdict;
    assert_int_equal(union_append(f, "public", &own, 1, &verdict), 0);
    ms_keypair_destroy(&child_union);
    ms_keypair_destroy(&grandchild);
    free(one.bytes);
    free(two.bytes);
}

//  ---- fork resolutions ----------------------------------------------------------

static ms_change_t resolution_change(const char *feed, uint64_t seq, const uint8_t *keep,
                                     value_t *value, char *key, size_t cap)
{
    ms_resolution_t resolution = {.seq = seq};
    snprintf(resolution.feed, sizeof resolution.feed, "%s", feed);
    memcpy(resolution.keep, keep, MS_HASH_BYTES);
    assert_int_equal(
        ms_resolution_encode(&resolution, value->value, sizeof value->value, &value->len), 0);
    snprintf(key, cap, "%s|%s|%llu", MUTUAL, feed, (unsigned long long)seq);
    return (ms_change_t){MS_COLL_RESOLUTION, MS_OP_UPSERT, key, value->value, value->len};
}

static void resolve(fixture_t *f, const char *feed, uint64_t seq, const uint8_t *keep)
{
    value_t value;
    char key[MS_KEY_MAX + 1];
    ms_change_t change = resolution_change(feed, seq, keep, &value, key, sizeof key);
    ms_verdict_t verdict;
    assert_int_equal(union_append(f, "public", &change, 1, &verdict), 0);
    assert_int_equal(verdict.outcome, MS_OUTCOME_APPLIED);
}

typedef struct {
    size_t count;
    ms_superseded_t last;
} superseded_t;

static int count_superseded(const ms_superseded_t *entry, void *ctx)
{
    superseded_t *s = ctx;
    s->count++;
    s->last = *entry;
    return 0;
}

static const char *card_name(fixture_t *f, char *name, size_t cap)
{
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    ms_stored_record_t record;
    ms_org_t org;
    assert_int_equal(ms_replica_record(txn, MS_COLL_ORG, MUTUAL, MUTUAL, &record, NULL), 0);
    assert_int_equal(ms_org_decode(record.value, record.value_len, &org, NULL), 0);
    ms_txn_abort(&txn);
    snprintf(name, cap, "%s", org.name);
    return name;
}

//  A union that is not the mutual's holder may not end its fork: refused
//  with its reason, and the frozen feed stays frozen.
static void test_accept_refuses_a_resolution_by_a_non_holder(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    sealed_t fork = mutual_card(f, 1, NULL, T0 + 1, "Kati bis");
    check_applied(f, &one);
    assert_int_equal(accept_bytes(f, fork.bytes, fork.len).reason, MS_REFUSAL_EQUIVOCATION);
    ms_keypair_t *sibling = NULL;
    assert_int_equal(ms_keypair_new(&sibling, NULL), 0);
    certify(f, "ML-UTM-UCS", MS_ROLE_UNION, ms_keypair_public(sibling));
    value_t value;
    char key[MS_KEY_MAX + 1];
    ms_change_t change = resolution_change("public", 1, fork.id, &value, key, sizeof key);
    sealed_t bad = seal(sibling, "ML-UTM-UCS", "public", 1, NULL, T0, &change, 1);
    check_refused(f, bad.bytes, bad.len, MS_REFUSAL_AUTHORITY,
                  "ML-UTM-UCS may only resolve forks of its own children's feeds (ML-UTM-001)");
    assert_true(head_of(f, MUTUAL, "public").frozen);
    ms_keypair_destroy(&sibling);
    free(one.bytes);
    free(fork.bytes);
    free(bad.bytes);
}

//  The held branch kept: the feed unfreezes and goes on; the other branch,
//  sent again, is superseded and freezes nothing.
static void test_resolution_for_the_held_branch_unfreezes(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    sealed_t fork = mutual_card(f, 1, NULL, T0 + 1, "Kati bis");
    check_applied(f, &one);
    assert_int_equal(accept_bytes(f, fork.bytes, fork.len).reason, MS_REFUSAL_EQUIVOCATION);
    assert_true(head_of(f, MUTUAL, "public").frozen);

    resolve(f, "public", 1, one.id);
    assert_false(head_of(f, MUTUAL, "public").frozen);
    sealed_t two = mutual_card(f, 2, one.id, T0 + 2, "Kati 2");
    check_applied(f, &two);
    sealed_t late = mutual_card(f, 2, fork.id, T0 + 3, "Kati bis 2");
    check_refused(f, fork.bytes, fork.len, MS_REFUSAL_SUPERSEDED, "did not keep");
    check_refused(f, late.bytes, late.len, MS_REFUSAL_SUPERSEDED, "did not keep");
    ms_head_t head = head_of(f, MUTUAL, "public");
    assert_int_equal(head.seq, 2);
    assert_false(head.frozen);
    free(one.bytes);
    free(fork.bytes);
    free(two.bytes);
    free(late.bytes);
}

//  The other branch kept: the held change sets from the forked seq on are
//  moved aside as proof, the records they wrote get their earlier values
//  back, the head moves back unfrozen, and the kept branch then applies.
static void test_resolution_for_the_other_branch_rolls_back(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    sealed_t two = mutual_card(f, 2, one.id, T0 + 1, "Kati A");
    sealed_t three = mutual_card(f, 3, two.id, T0 + 2, "Kati A 3");
    sealed_t fork = mutual_card(f, 2, one.id, T0 + 3, "Kati B");
    check_applied(f, &one);
    check_applied(f, &two);
    check_applied(f, &three);
    assert_int_equal(accept_bytes(f, fork.bytes, fork.len).reason, MS_REFUSAL_EQUIVOCATION);
    char name[MS_TEXT_MAX + 1];
    assert_string_equal(card_name(f, name, sizeof name), "Kati A 3");

    resolve(f, "public", 2, fork.id);
    ms_head_t head = head_of(f, MUTUAL, "public");
    assert_int_equal(head.seq, 1);
    assert_memory_equal(head.hash, one.id, MS_HASH_BYTES);
    assert_false(head.frozen);
    assert_string_equal(card_name(f, name, sizeof name), "Kati");
    superseded_t kept = {0};
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    assert_int_equal(ms_resolve_list(txn, MUTUAL, count_superseded, &kept, NULL), 0);
    ms_txn_abort(&txn);
    assert_int_equal(kept.count, 2);
    assert_string_equal(kept.last.org, MUTUAL);
    assert_string_equal(kept.last.feed, "public");
    assert_int_equal(kept.last.seq, 3);
    assert_memory_equal(kept.last.id, three.id, MS_HASH_BYTES);
    assert_int_equal(kept.last.size, three.len);

    check_applied(f, &fork);
    assert_string_equal(card_name(f, name, sizeof name), "Kati B");
    //  A lagging copy sends the losing branch again: superseded, not a fork.
    check_refused(f, two.bytes, two.len, MS_REFUSAL_SUPERSEDED, "did not keep");
    check_refused(f, three.bytes, three.len, MS_REFUSAL_SUPERSEDED, "did not keep");
    assert_false(head_of(f, MUTUAL, "public").frozen);
    free(one.bytes);
    free(two.bytes);
    free(three.bytes);
    free(fork.bytes);
}

typedef struct {
    const char *org, *feed;
    uint64_t seq;
    const uint8_t *id;
} claim_args_t;

static int claim_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    claim_args_t *c = arg;
    return ms_resolve_note_claim(txn, c->org, c->feed, c->seq, c->id, "peer " MUTUAL, err);
}

static int find_seq(fixture_t *f, const uint8_t *keep, uint64_t *seq)
{
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    int rc = ms_resolve_find(txn, MUTUAL, "public", keep, seq, NULL);
    ms_txn_abort(&txn);
    return rc;
}

//  A child behind its parent past a fork sends only its word (seq and id):
//  kept once, it stands for the fork's other branch, so either branch can
//  be kept; once resolved, the child's branch is known to have lost.
static void test_a_childs_word_stands_for_the_other_branch(void **state)
{
    fixture_t *f = *state;
    sealed_t one = mutual_card(f, 1, NULL, T0, "Kati");
    sealed_t two = mutual_card(f, 2, one.id, T0 + 1, "Kati A");
    check_applied(f, &one);
    check_applied(f, &two);
    uint8_t claimed[MS_HASH_BYTES], stranger[MS_HASH_BYTES];
    memset(claimed, 0x5a, sizeof claimed);
    memset(stranger, 0x11, sizeof stranger);
    uint64_t seq = 0;
    assert_int_equal(find_seq(f, claimed, &seq), MS_ENOTFOUND);
    claim_args_t claim = {MUTUAL, "public", 1, claimed};
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(ms_node_store(f->node), claim_fn, &claim, &err), 0);
    assert_int_equal(ms_store_write(ms_node_store(f->node), claim_fn, &claim, &err), 0);
    assert_int_equal(quarantine_count(f), 1);
    last_t last = quarantine(f);
    assert_int_equal(last.reason, MS_REFUSAL_EQUIVOCATION);
    assert_int_equal(last.envelope_len, 0);
    assert_non_null(strstr(last.detail, "the child's word"));
    free(last.envelope);

    assert_int_equal(find_seq(f, claimed, &seq), 0);
    assert_int_equal(seq, 1);
    assert_int_equal(find_seq(f, one.id, &seq), 0);
    assert_int_equal(seq, 1);
    assert_int_equal(find_seq(f, two.id, &seq), MS_ENOTFOUND);
    assert_int_equal(find_seq(f, stranger, &seq), MS_ENOTFOUND);

    resolve(f, "public", 1, one.id);
    ms_txn_t *txn = NULL;
    bool lost = false;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    assert_int_equal(ms_resolve_lost(txn, MUTUAL, "public", 1, claimed, &lost, NULL), 0);
    assert_true(lost);
    assert_int_equal(ms_resolve_lost(txn, MUTUAL, "public", 1, one.id, &lost, NULL), 0);
    assert_false(lost);
    ms_txn_abort(&txn);
    assert_int_equal(head_of(f, MUTUAL, "public").seq, 2);
    free(one.bytes);
    free(two.bytes);
}

//  KNOWN BUG (rules.c check_cert, trust.c decode_entry): a certificate's
//  subject is the change key, up to MS_KEY_MAX (128) bytes, but the trust
//  table refuses to read back an org id over MS_ORG_MAX (64) as "damaged".
//  The certificate is accepted; from then on listing the trust table fails,
//  and any later change set naming that subject makes ms_accept return a
//  store error instead of a verdict, so an import or sync carrying it fails
//  whole, every time, and nothing is quarantined.
static void test_accept_refuses_a_cert_for_a_subject_that_is_not_an_org_id(void **state)
{
    fixture_t *f = *state;
    char subject[MS_ORG_MAX + 2];
    memset(subject, 'S', MS_ORG_MAX + 1);
    subject[MS_ORG_MAX + 1] = 0;
    ms_keypair_t *other = NULL;
    assert_int_equal(ms_keypair_new(&other, NULL), 0);
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    strcpy(cert.name, "long");
    cert.role = MS_ROLE_MUTUAL;
    strcpy(cert.parent, UNION);
    memcpy(cert.key, ms_keypair_public(other), MS_KEY_BYTES);
    uint8_t value[512];
    size_t len = 0;
    assert_int_equal(ms_cert_encode(&cert, value, sizeof value, &len), 0);
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, subject, value, len};
    ms_verdict_t verdict;
    assert_int_equal(union_append(f, "certs", &change, 1, &verdict), MS_EREFUSED);

    //  Whatever happened, the replica stays readable and writable.
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    assert_int_equal(ms_trust_list(txn, count_trusted, &(int){0}, NULL), 0);
    ms_txn_abort(&txn);
    int rc = union_append(f, "certs", &change, 1, &verdict);
    assert_true(rc == 0 || rc == MS_EREFUSED);
    ms_keypair_destroy(&other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_trust_chain_follows_certified_parents, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accept_applies_the_next_change_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_duplicate_is_a_no_op, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_a_resolution_by_a_non_holder, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resolution_for_the_held_branch_unfreezes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resolution_for_the_other_branch_rolls_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_childs_word_stands_for_the_other_branch, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accept_equivocation_keeps_both_and_freezes_the_feed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_a_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_a_gap_in_an_empty_feed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_a_wrong_prev, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_a_tampered_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_a_changed_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_an_unknown_signer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_a_revoked_signer_from_the_revocation_on,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_an_insane_creation_time, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_own_write_with_a_bad_value_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_writing_another_orgs_card, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_a_change_set_with_one_bad_change, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accept_log_names_no_member_of_a_register_feed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accept_sets_aside_a_record_that_does_not_decode, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_an_unknown_feed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_truncated_protobuf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_oversized_protobuf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_a_body_that_is_not_a_change_set, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_accept_keeps_the_feeds_of_other_orgs_apart, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_own_writes_pass_the_same_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accept_refuses_revoking_a_key_that_is_not_the_childs,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_accept_refuses_a_cert_for_a_subject_that_is_not_an_org_id, setup, teardown),
    };
    ms_log_set_level(MS_LOG_ERROR);  //  refusals are what these tests are about
    return cmocka_run_group_tests(tests, NULL, NULL);
}
