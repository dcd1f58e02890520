//  accept - decode, verify, check, apply: accept rules 1 to 5 in order.
//
//  1 bounds (codec), 2 signer certified and not revoked (trust),
//  3 signature (envelope), 4 seq/prev continuity (rules), 5 authority
//  (rules). A duplicate is a no-op; an equivocation keeps the new envelope
//  in the quarantine as proof next to the one already held, and freezes the
//  feed; a gap is refused, never applied out of order. Callers: node
//  (own writes), bundle (imports), sync (peers).

#include "mutsync/accept.h"

#include "mutsync/envelope.h"
#include "mutsync/log.h"
#include "mutsync/trust.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct {
    const uint8_t *bytes;   //  the envelope as received
    size_t len;             //
    const char *source;     //  for the quarantine
    ms_verdict_t *verdict;  //  being filled
} attempt_t;

static int refuse(ms_txn_t *txn, attempt_t *attempt, ms_refusal_t reason, ms_error_t *err,
                  const char *fmt, ...) MS_PRINTF(5, 6);

static int refuse(ms_txn_t *txn, attempt_t *attempt, ms_refusal_t reason, ms_error_t *err,
                  const char *fmt, ...)
{
    ms_verdict_t *verdict = attempt->verdict;
    verdict->outcome = MS_OUTCOME_REFUSED;
    verdict->reason = reason;
    va_list args;
    va_start(args, fmt);
    vsnprintf(verdict->detail, sizeof verdict->detail, fmt, args);
    va_end(args);

    ms_quarantine_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.when = (int64_t)time(NULL);
    entry.reason = reason;
    snprintf(entry.origin, sizeof entry.origin, "%s", verdict->origin);
    snprintf(entry.feed, sizeof entry.feed, "%s", verdict->feed);
    entry.seq = verdict->seq;
    snprintf(entry.detail, sizeof entry.detail, "%s", verdict->detail);
    snprintf(entry.source, sizeof entry.source, "%s", attempt->source ? attempt->source : "");
    entry.envelope = attempt->bytes;
    entry.envelope_len = attempt->len;
    ms_log(reason == MS_REFUSAL_EQUIVOCATION ? MS_LOG_ERROR : MS_LOG_WARN, "accept",
           "refused %s/%s seq=%llu from %s: %s (%s)", verdict->origin[0] ? verdict->origin : "?",
           verdict->feed[0] ? verdict->feed : "?", (unsigned long long)verdict->seq,
           entry.source[0] ? entry.source : "?", ms_refusal_name(reason), verdict->detail);
    return ms_replica_quarantine(txn, &entry, err);
}

static int check_authority(ms_txn_t *txn, const ms_changeset_t *cs, ms_role_t role,
                           attempt_t *attempt, bool *refused, ms_error_t *err)
{
    *refused = false;
    for (size_t i = 0; i < cs->change_count; i++) {
        const ms_change_t *change = &cs->changes[i];
        ms_authority_t who = {cs->origin, role, cs->feed, NULL, NULL};
        ms_trust_entry_t subject;
        if (change->collection == MS_COLL_CERT || change->collection == MS_COLL_REVOCATION) {
            char org[MS_KEY_MAX + 1];
            snprintf(org, sizeof org, "%s", change->key);
            char *bar = strchr(org, '|');
            if (bar)
                *bar = 0;
            int rc = ms_trust_get(txn, org, &subject, err);
            if (rc && rc != MS_ENOTFOUND)
                return rc;
            if (rc == 0 && subject.cert.parent[0]) {
                who.subject_parent = subject.cert.parent;
                who.subject_key = subject.cert.key;
            }
        }
        char detail[200];
        ms_refusal_t reason = ms_rules_authority(&who, change, detail, sizeof detail);
        if (reason != MS_REFUSAL_NONE) {
            *refused = true;
            return refuse(txn, attempt, reason, err, "change %zu: %s", i, detail);
        }
    }
    return 0;
}

static int apply_trust(ms_txn_t *txn, const ms_change_t *change, ms_error_t *err)
{
    if (change->collection == MS_COLL_CERT) {
        if (change->op == MS_OP_DELETE)
            return ms_trust_apply_cert(txn, change->key, NULL, err);
        ms_cert_t cert;
        int rc = ms_cert_decode(change->value, change->value_len, &cert, err);
        return rc ? rc : ms_trust_apply_cert(txn, change->key, &cert, err);
    }
    if (change->collection == MS_COLL_REVOCATION && change->op == MS_OP_UPSERT) {
        ms_revocation_t revocation;
        int rc = ms_revocation_decode(change->value, change->value_len, &revocation, err);
        return rc ? rc : ms_trust_apply_revocation(txn, &revocation, err);
    }
    return 0;
}

static int apply(ms_txn_t *txn, const ms_changeset_t *cs, const uint8_t *id, attempt_t *attempt,
                 const ms_apply_hook_t *hook, ms_error_t *err)
{
    for (size_t i = 0; i < cs->change_count; i++) {
        const ms_change_t *change = &cs->changes[i];
        int rc = 0;
        if (hook && hook->fn) {
            rc = hook->fn(txn, cs->origin, cs->seq, change, hook->ctx, err);
            if (rc)
                return rc;
        }
        if (change->op == MS_OP_UPSERT)
            rc = ms_replica_put_record(txn, change->collection, cs->origin, change->key, cs->seq,
                                       change->value, change->value_len, err);
        else
            rc = ms_replica_del_record(txn, change->collection, cs->origin, change->key, err);
        if (rc == 0)
            rc = apply_trust(txn, change, err);
        if (rc)
            return rc;
    }
    int rc = ms_replica_put_envelope(txn, cs->origin, cs->feed, cs->seq, id, attempt->bytes,
                                     attempt->len, err);
    if (rc)
        return rc;
    ms_head_t head = {.seq = cs->seq, .frozen = false};
    memcpy(head.hash, id, MS_HASH_BYTES);
    rc = ms_replica_set_head(txn, cs->origin, cs->feed, &head, err);
    if (rc == 0 && hook && hook->applied)
        rc = hook->applied(txn, cs->origin, cs->feed, cs->seq, hook->ctx, err);
    if (rc == 0) {
        attempt->verdict->outcome = MS_OUTCOME_APPLIED;
        attempt->verdict->change_count = cs->change_count;
    }
    return rc;
}

//  Rule 4. Returns 0 with *go set when the change set is the next one.
static int check_seq(ms_txn_t *txn, const ms_changeset_t *cs, const uint8_t *id, attempt_t *attempt,
                     bool *go, ms_error_t *err)
{
    *go = false;
    ms_head_t head;
    int rc = ms_replica_head(txn, cs->origin, cs->feed, &head, err);
    if (rc)
        return rc;
    uint8_t held_id[MS_HASH_BYTES] = {0};
    if (cs->seq <= head.seq) {
        ms_val_t held;
        rc = ms_replica_envelope(txn, cs->origin, cs->feed, cs->seq, held_id, &held, err);
        if (rc)
            return rc == MS_ENOTFOUND ? ms_error_set(err, MS_ESTORE, cs->origin,
                                                     "envelope %llu is missing below the head",
                                                     (unsigned long long)cs->seq)
                                      : rc;
    }
    switch (ms_rules_seq(&head, cs->seq, cs->prev, id, held_id)) {
    case MS_SEQ_DUPLICATE:
        attempt->verdict->outcome = MS_OUTCOME_DUPLICATE;
        return 0;
    case MS_SEQ_EQUIVOCATION:
        head.frozen = true;
        rc = ms_replica_set_head(txn, cs->origin, cs->feed, &head, err);
        return rc ? rc
                  : refuse(txn, attempt, MS_REFUSAL_EQUIVOCATION, err,
                           "a second change set for seq %llu; the feed is frozen",
                           (unsigned long long)cs->seq);
    case MS_SEQ_GAP:
        return refuse(txn, attempt, MS_REFUSAL_GAP, err, "seq %llu but the head is %llu",
                      (unsigned long long)cs->seq, (unsigned long long)head.seq);
    case MS_SEQ_BAD_PREV:
        return refuse(txn, attempt, MS_REFUSAL_BAD_PREV, err,
                      "prev does not match the id of seq %llu", (unsigned long long)head.seq);
    case MS_SEQ_NEXT:
        if (head.frozen)
            return refuse(txn, attempt, MS_REFUSAL_FROZEN, err,
                          "the feed is frozen after an equivocation");
        *go = true;
        return 0;
    }
    return 0;
}

//  Rules 2 to 5 and the apply, for a decoded change set. ENV is NULL when
//  the signature need not be checked (ms_accept_own).
static int judge(ms_txn_t *txn, attempt_t *attempt, const ms_envelope_t *env,
                 const ms_changeset_t *cs, const ms_apply_hook_t *hook, ms_error_t *err)
{
    ms_verdict_t *verdict = attempt->verdict;
    snprintf(verdict->origin, sizeof verdict->origin, "%s", cs->origin);
    snprintf(verdict->feed, sizeof verdict->feed, "%s", cs->feed);
    verdict->seq = cs->seq;
    if (!ms_rules_known_feed(cs->feed))
        return refuse(txn, attempt, MS_REFUSAL_MALFORMED, err, "unknown feed \"%s\"", cs->feed);
    ms_trust_entry_t signer;
    ms_refusal_t reason;
    char detail[200];
    int rc = ms_trust_check(txn, cs->origin, cs->signer, cs->created, &signer, &reason, detail,
                            sizeof detail, err);
    if (rc == MS_EREFUSED)
        return refuse(txn, attempt, reason, err, "%s", detail);
    if (rc)
        return rc;
    if (env && !ms_envelope_verify(env, cs->signer))
        return refuse(txn, attempt, MS_REFUSAL_BAD_SIGNATURE, err,
                      "the signature does not verify for the key of %s", cs->origin);
    bool go = false;
    rc = check_seq(txn, cs, verdict->id, attempt, &go, err);
    if (rc || !go)
        return rc;
    bool refused = false;
    rc = check_authority(txn, cs, signer.cert.role, attempt, &refused, err);
    if (rc || refused)
        return rc;
    return apply(txn, cs, verdict->id, attempt, hook, err);
}

int ms_accept(ms_txn_t *txn, const uint8_t *bytes, size_t len, const char *source,
              const ms_apply_hook_t *hook, ms_verdict_t *verdict, ms_error_t *err)
{
    memset(verdict, 0, sizeof *verdict);
    attempt_t attempt = {bytes, len, source, verdict};
    ms_error_t why = {0};
    ms_envelope_t env;
    if (ms_envelope_decode(bytes, len, &env, &why) != 0)
        return refuse(txn, &attempt, MS_REFUSAL_MALFORMED, err, "%s", why.message);
    ms_changeset_t *cs = NULL;
    int rc;
    if (ms_changeset_decode(env.body, env.body_len, &cs, &why) != 0) {
        rc = refuse(txn, &attempt, MS_REFUSAL_MALFORMED, err, "%s", why.message);
    } else {
        ms_body_id(env.body, env.body_len, verdict->id);
        rc = judge(txn, &attempt, &env, cs, hook, err);
    }
    ms_changeset_destroy(&cs);
    ms_envelope_clear(&env);
    return rc;
}

int ms_accept_own(ms_txn_t *txn, const uint8_t *bytes, size_t len, const uint8_t *body,
                  size_t body_len, const ms_changeset_t *cs, const ms_apply_hook_t *hook,
                  ms_verdict_t *verdict, ms_error_t *err)
{
    memset(verdict, 0, sizeof *verdict);
    attempt_t attempt = {bytes, len, "local", verdict};
    ms_body_id(body, body_len, verdict->id);
    return judge(txn, &attempt, NULL, cs, hook, err);
}
