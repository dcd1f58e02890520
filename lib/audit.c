//  audit - a full re-verification of the replica, read-only.
//
//  Walks each feed from seq 1 to its head in one read transaction, so
//  what it checks is one consistent snapshot even while a writer commits.

#include "mutsync/audit.h"

#include "mutsync/envelope.h"
#include "mutsync/i18n.h"
#include "mutsync/replica.h"
#include "mutsync/trust.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    ms_txn_t *txn;
    ms_audit_fn fn;
    void *ctx;
    ms_audit_t *report;
    ms_error_t *err;
} walk_t;

static void problem(walk_t *walk, const char *org, const char *feed, uint64_t seq, const char *text)
{
    walk->report->failures++;
    if (walk->fn)
        walk->fn(org, feed, seq, text, walk->ctx);
}

//  Checks envelope SEQ; PREV holds the id of SEQ - 1 and gets this one's.
static int check_envelope(walk_t *walk, const char *org, const char *feed, uint64_t seq,
                          uint8_t *prev)
{
    uint8_t stored_id[MS_HASH_BYTES];
    ms_val_t bytes;
    int rc = ms_replica_envelope(walk->txn, org, feed, seq, stored_id, &bytes, walk->err);
    if (rc == MS_ENOTFOUND) {
        problem(walk, org, feed, seq, _("missing below the head"));
        return 0;
    }
    if (rc)
        return rc;
    walk->report->envelopes++;
    walk->report->bytes += bytes.len;
    ms_envelope_t env;
    ms_changeset_t *cs = NULL;
    ms_error_t why = {0};
    char text[MS_ERROR_MSG_BYTES + 32];
    if (ms_envelope_decode(bytes.data, bytes.len, &env, &why) != 0 ||
        ms_changeset_decode(env.body, env.body_len, &cs, &why) != 0) {
        snprintf(text, sizeof text, _("does not decode: %s"), why.message);
        problem(walk, org, feed, seq, text);
        ms_envelope_clear(&env);
        memset(prev, 0, MS_HASH_BYTES);
        return 0;
    }
    uint8_t id[MS_HASH_BYTES];
    ms_body_id(env.body, env.body_len, id);
    if (memcmp(id, stored_id, MS_HASH_BYTES) != 0)
        problem(walk, org, feed, seq, _("its id does not match the body stored"));
    if (strcmp(cs->origin, org) != 0 || strcmp(cs->feed, feed) != 0 || cs->seq != seq)
        problem(walk, org, feed, seq, _("stored under another feed or seq than it names"));
    if (memcmp(cs->prev, prev, MS_HASH_BYTES) != 0)
        problem(walk, org, feed, seq, _("prev is not the id of the change set before it"));
    if (!ms_envelope_verify(&env, id, cs->signer))
        problem(walk, org, feed, seq, _("the signature does not verify"));
    ms_trust_entry_t entry;
    ms_refusal_t reason;
    char detail[200];
    rc = ms_trust_check(walk->txn, org, cs->signer, feed, seq, &entry, &reason, detail,
                        sizeof detail, walk->err);
    if (rc == MS_EREFUSED) {
        snprintf(text, sizeof text, _("signer not trusted: %s"), detail);
        problem(walk, org, feed, seq, text);
        rc = 0;
    }
    walk->report->changes += cs->change_count;
    memcpy(prev, id, MS_HASH_BYTES);
    ms_changeset_destroy(&cs);
    ms_envelope_clear(&env);
    return rc;
}

static int check_feed(const char *org, const char *feed, const ms_head_t *head, void *arg)
{
    walk_t *walk = arg;
    walk->report->feeds++;
    uint8_t prev[MS_HASH_BYTES] = {0};
    for (uint64_t seq = 1; seq <= head->seq; seq++) {
        int rc = check_envelope(walk, org, feed, seq, prev);
        if (rc)
            return rc;
    }
    if (head->seq && memcmp(prev, head->hash, MS_HASH_BYTES) != 0)
        problem(walk, org, feed, 0, _("the head's hash is not the id of its last change set"));
    if (head->frozen)
        problem(walk, org, feed, 0, _("frozen after an equivocation (see quarantine list)"));
    return 0;
}

int ms_audit_run(ms_store_t *store, ms_audit_fn fn, void *ctx, ms_audit_t *report, ms_error_t *err)
{
    memset(report, 0, sizeof *report);
    walk_t walk = {NULL, fn, ctx, report, err};
    int rc = ms_store_read(store, &walk.txn, err);
    if (rc)
        return rc;
    rc = ms_replica_feeds(walk.txn, check_feed, &walk, err);
    ms_txn_abort(&walk.txn);
    return rc;
}
