//  accept_fixture - a union's replica on a real store, a mutual it
//  certified whose key the test holds, and envelopes signed by hand, for the
//  unit tests of the accept path (test_accept), of fork resolutions
//  (test_resolve) and of the audit (test_audit). Include after cmocka.h.

#ifndef MS_TEST_ACCEPT_FIXTURE_H
#define MS_TEST_ACCEPT_FIXTURE_H

#include "mutsync/accept.h"
#include "mutsync/envelope.h"
#include "mutsync/node.h"
#include "mutsync/quarantine.h"
#include "mutsync/replica.h"

#include "digest.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static inline int append_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    write_t *w = arg;
    return ms_node_append(w->f->node, txn, w->feed, w->changes, w->count, &w->verdict, err);
}

static inline int accept_fn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    write_t *w = arg;
    return ms_node_accept(w->f->node, txn, w->bytes, w->len, "test", &w->verdict, err);
}

//  The union appends to its own feed; returns the ms_store_write code.
static inline int union_append(fixture_t *f, const char *feed, const ms_change_t *changes,
                               size_t count, ms_verdict_t *verdict)
{
    write_t w = {f, feed, changes, count, NULL, 0, {0}};
    ms_error_t err = {0};
    int rc = ms_store_write(ms_node_store(f->node), append_fn, &w, &err);
    if (verdict)
        *verdict = w.verdict;
    return rc;
}

static inline ms_verdict_t accept_bytes(fixture_t *f, const uint8_t *bytes, size_t len)
{
    write_t w = {f, NULL, NULL, 0, bytes, len, {0}};
    ms_error_t err = {0};
    assert_int_equal(ms_store_write(ms_node_store(f->node), accept_fn, &w, &err), 0);
    return w.verdict;
}

static inline void certify(fixture_t *f, const char *subject, ms_role_t role, const uint8_t *key)
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

static inline int setup(void **state)
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

static inline int teardown(void **state)
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

static inline sealed_t seal(const ms_keypair_t *keypair, const char *origin, const char *feed,
                            uint64_t seq, const uint8_t *prev, int64_t created,
                            const ms_change_t *changes, size_t count)
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
    assert_int_equal(
        ms_envelope_seal(keypair, body, body_len, NULL, &sealed.bytes, &sealed.len, NULL), 0);
    free(body);
    return sealed;
}

typedef struct {
    uint8_t value[1024];
    size_t len;
} value_t;

static inline value_t card_value(const char *name)
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
static inline sealed_t mutual_card(fixture_t *f, uint64_t seq, const uint8_t *prev, int64_t created,
                                   const char *name)
{
    value_t card = card_value(name);
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, MUTUAL, card.value, card.len};
    return seal(f->mutual, MUTUAL, "public", seq, prev, created, &change, 1);
}

//  ---- what the replica holds ----------------------------------------------------

//  BLAKE2b over every entry of the tables an envelope may change, quarantine aside.
static inline void digest(fixture_t *f, uint8_t *out)
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

static inline int keep_last(const ms_quarantine_entry_t *entry, void *ctx)
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

static inline last_t quarantine(fixture_t *f)
{
    last_t last;
    memset(&last, 0, sizeof last);
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    assert_int_equal(ms_quarantine_list(txn, keep_last, &last, NULL), 0);
    ms_txn_abort(&txn);
    return last;
}

static inline ms_head_t head_of(fixture_t *f, const char *org, const char *feed)
{
    ms_head_t head;
    ms_txn_t *txn = NULL;
    assert_int_equal(ms_store_read(ms_node_store(f->node), &txn, NULL), 0);
    assert_int_equal(ms_replica_head(txn, org, feed, &head, NULL), 0);
    ms_txn_abort(&txn);
    return head;
}

static inline void check_applied(fixture_t *f, const sealed_t *sealed)
{
    ms_verdict_t verdict = accept_bytes(f, sealed->bytes, sealed->len);
    if (verdict.outcome != MS_OUTCOME_APPLIED)
        fail_msg("refused: %s (%s)", ms_refusal_name(verdict.reason), verdict.detail);
}

//  BYTES are refused for REASON (the detail holds WHY), the replica is
//  unchanged, and one new quarantine entry holds the envelope and the reason.
static inline void check_refused(fixture_t *f, const uint8_t *bytes, size_t len,
                                 ms_refusal_t reason, const char *why)
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

static inline uint64_t quarantine_count(fixture_t *f)
{
    last_t last = quarantine(f);
    free(last.envelope);
    return last.count;
}

#endif
