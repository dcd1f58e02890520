//  accept - decode, verify, check, apply: accept rules 1 to 5 in order.
//
//  1 bounds (codec) and a sane creation time, reach (policy: may this
//  replica hold the feed at all, decided before anything of it is kept),
//  2 signer certified and not revoked before this position (trust),
//  3 signature (envelope), 4 seq/prev continuity (rules), 5 authority
//  (rules), then the value rules (rules, the hook's check), which set one
//  change aside instead of refusing the change set. A duplicate is a
//  no-op; an equivocation keeps the new envelope in the quarantine as
//  proof next to the one already held, and freezes the feed; a gap is
//  refused, never applied out of order. A change set on a branch a
//  resolution did not keep is refused as superseded, kept as proof, and
//  freezes nothing; a resolution applied ends its fork (resolve.h).
//  Callers: node (own writes, and bundles and peers through ms_node_accept).

#include "mutsync/accept.h"

#include "mutsync/envelope.h"
#include "mutsync/i18n.h"
#include "mutsync/log.h"
#include "mutsync/policy.h"
#include "mutsync/quarantine.h"
#include "mutsync/resolve.h"
#include "mutsync/trust.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *holder;     //  the org of this replica
    const uint8_t *bytes;   //  the envelope as received
    size_t len;             //
    const char *source;     //  for the quarantine
    ms_verdict_t *verdict;  //  being filled
} attempt_t;

static int quarantine(ms_txn_t *txn, attempt_t *attempt, ms_refusal_t reason, int32_t change,
                      const char *detail, ms_error_t *err)
{
    ms_verdict_t *verdict = attempt->verdict;
    ms_quarantine_entry_t entry;
    memset(&entry, 0, sizeof entry);
    entry.when = (int64_t)time(NULL);
    entry.reason = reason;
    snprintf(entry.origin, sizeof entry.origin, "%s", verdict->origin);
    snprintf(entry.feed, sizeof entry.feed, "%s", verdict->feed);
    entry.seq = verdict->seq;
    memcpy(entry.id, verdict->id, MS_HASH_BYTES);
    entry.size = attempt->len;
    entry.change = change;
    snprintf(entry.detail, sizeof entry.detail, "%s", detail);
    snprintf(entry.source, sizeof entry.source, "%s", attempt->source ? attempt->source : "");
    entry.envelope = attempt->bytes;
    entry.envelope_len = attempt->len;
    bool kept = false;
    int rc = ms_quarantine_add(txn, &entry, &kept, err);
    //  The detail of a register or care feed may name a member (a record's
    //  key): logs say what and why, and `quarantine list` the rest.
    ms_feed_kind_t kind = ms_policy_kind(verdict->feed);
    bool personal = kind == MS_FEED_REGISTER || kind == MS_FEED_CARE;
    if (rc == 0 && kept)
        ms_log(reason == MS_REFUSAL_EQUIVOCATION ? MS_LOG_ERROR : MS_LOG_WARN, "accept",
               "%s %s/%s seq=%llu from %s: %s (%s)",
               change < 0 ? "refused" : "set aside a change of",
               verdict->origin[0] ? verdict->origin : "?", verdict->feed[0] ? verdict->feed : "?",
               (unsigned long long)verdict->seq, entry.source[0] ? entry.source : "?",
               ms_refusal_name(reason), personal ? "details in the quarantine" : detail);
    return rc;
}

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
    return quarantine(txn, attempt, reason, -1, verdict->detail, err);
}

//  The subject org a cert, revocation, release or resolution change names.
static void subject_of(const ms_change_t *change, char *org, size_t cap)
{
    snprintf(org, cap, "%s", change->key);
    char *bar = strchr(org, '|');
    if (bar)
        *bar = 0;
}

//  Rule 5 for every change, and the value rules: AUTHORITY refuses the
//  change set (*REFUSED); a value failure marks the change in ASIDE.
static int check_changes(ms_txn_t *txn, const ms_changeset_t *cs, const ms_trust_entry_t *signer,
                         attempt_t *attempt, const ms_apply_hook_t *hook, bool *aside,
                         bool *refused, ms_error_t *err)
{
    *refused = false;
    for (size_t i = 0; i < cs->change_count; i++) {
        const ms_change_t *change = &cs->changes[i];
        //  Anchors were pinned at install with what the operator typed: a
        //  card is held against certificates only.
        ms_authority_t who = {cs->origin, signer->cert.role,
                              cs->feed,   NULL,
                              NULL,       signer->anchor ? NULL : &signer->cert};
        ms_trust_entry_t subject;
        if (change->collection == MS_COLL_CERT || change->collection == MS_COLL_REVOCATION ||
            change->collection == MS_COLL_RELEASE || change->collection == MS_COLL_RESOLUTION) {
            char org[MS_KEY_MAX + 1];
            subject_of(change, org, sizeof org);
            int rc = ms_trust_get(txn, org, &subject, err);
            if (rc && rc != MS_ENOTFOUND)
                return rc;
            if (rc == 0 && subject.cert.parent[0])
                who.subject_parent = subject.cert.parent;
            if (rc == 0 && subject.released_to[0])
                who.released_to = subject.released_to;
        }
        char detail[200];
        ms_refusal_t reason = ms_rules_authority(&who, change, detail, sizeof detail);
        if (reason == MS_REFUSAL_NONE && hook && hook->check) {
            int rc = hook->check(txn, cs->origin, change, hook->ctx, detail, sizeof detail, err);
            if (rc < 0)
                return rc;
            reason = rc ? MS_REFUSAL_BAD_VALUE : MS_REFUSAL_NONE;
        }
        if (ms_refusal_sets_aside(reason)) {
            aside[i] = true;
            char text[300];
            snprintf(text, sizeof text, _("change %zu (%s %.40s): %.200s"), i,
                     ms_collection_name(change->collection), change->key, detail);
            if (!attempt->verdict->detail[0])
                snprintf(attempt->verdict->detail, sizeof attempt->verdict->detail, "%.200s", text);
            int rc = quarantine(txn, attempt, reason, (int32_t)i, text, err);
            if (rc)
                return rc;
        } else if (reason != MS_REFUSAL_NONE) {
            *refused = true;
            return refuse(txn, attempt, reason, err, _("change %zu: %s"), i, detail);
        }
    }
    return 0;
}

//  Drops the feeds of ORG this replica held only as its parent (policy.h).
static int drop_granted(ms_txn_t *txn, const char *org, ms_error_t *err)
{
    int rc = 0;
    for (int kind = 0; rc == 0 && kind < MS_FEED_KIND_COUNT; kind++) {
        if (ms_policy_feed((ms_feed_kind_t)kind)->hold != MS_HOLD_GRANTED)
            continue;
        ms_collection_t collections[MS_COLL_COUNT];
        size_t count = 0;
        for (int c = MS_COLL_NONE + 1; c < MS_COLL_COUNT; c++)
            if (ms_policy_feed_of((ms_collection_t)c) == (ms_feed_kind_t)kind)
                collections[count++] = (ms_collection_t)c;
        rc = ms_replica_drop_feed(txn, org, ms_policy_feed_name((ms_feed_kind_t)kind), collections,
                                  count, err);
    }
    return rc;
}

static int apply_trust(ms_txn_t *txn, const char *holder, const char *origin,
                       const ms_change_t *change, ms_error_t *err)
{
    if (change->collection != MS_COLL_CERT && change->collection != MS_COLL_REVOCATION &&
        change->collection != MS_COLL_RELEASE)
        return 0;
    char subject[MS_KEY_MAX + 1];
    subject_of(change, subject, sizeof subject);
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
        return rc ? rc : ms_trust_apply_revocation(txn, subject, &revocation, err);
    }
    if (change->collection == MS_COLL_RELEASE && change->op == MS_OP_UPSERT) {
        ms_release_t release;
        int rc = ms_release_decode(change->value, change->value_len, &release, err);
        if (rc == 0)
            rc = ms_trust_apply_release(txn, subject, release.to, err);
        //  The parent that lets a child go keeps nothing of what it held only
        //  as that child's parent: the register the child had granted it.
        if (rc == 0 && holder && strcmp(holder, origin) == 0)
            rc = drop_granted(txn, subject, err);
        return rc;
    }
    return 0;
}

//  A resolution ends a fork of its subject's feed here too (resolve.h).
static int apply_resolution(ms_txn_t *txn, const ms_change_t *change, const ms_apply_hook_t *hook,
                            ms_error_t *err)
{
    char subject[MS_KEY_MAX + 1];
    subject_of(change, subject, sizeof subject);
    ms_resolution_t resolution;
    int rc = ms_resolution_decode(change->value, change->value_len, &resolution, err);
    return rc ? rc : ms_resolve_apply(txn, subject, &resolution, hook, NULL, err);
}

static int apply(ms_txn_t *txn, const ms_changeset_t *cs, const bool *aside, attempt_t *attempt,
                 const ms_apply_hook_t *hook, ms_error_t *err)
{
    size_t applied = 0;
    for (size_t i = 0; i < cs->change_count; i++) {
        if (aside[i])
            continue;
        const ms_change_t *change = &cs->changes[i];
        int rc = 0;
        if (hook && hook->fn) {
            rc = hook->fn(txn, cs->origin, cs->seq, change, cs->fresh && cs->fresh[i], hook->ctx,
                          err);
            if (rc)
                return rc;
        }
        if (change->op == MS_OP_UPSERT)
            rc = ms_replica_put_record(txn, change->collection, cs->origin, change->key, cs->seq,
                                       change->value, change->value_len, err);
        else
            rc = ms_replica_del_record(txn, change->collection, cs->origin, change->key, err);
        if (rc == 0)
            rc = apply_trust(txn, attempt->holder, cs->origin, change, err);
        if (rc == 0 && change->collection == MS_COLL_RESOLUTION)
            rc = apply_resolution(txn, change, hook, err);
        if (rc)
            return rc;
        applied++;
    }
    const uint8_t *id = attempt->verdict->id;
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
        attempt->verdict->change_count = applied;
        attempt->verdict->set_aside = cs->change_count - applied;
    }
    return rc;
}

//  The id held at SEQ of the change set's feed, when SEQ is at or below the head.
static int held_id(ms_txn_t *txn, const ms_changeset_t *cs, const ms_head_t *head, uint8_t *id,
                   ms_error_t *err)
{
    memset(id, 0, MS_HASH_BYTES);
    if (cs->seq > head->seq)
        return 0;
    ms_val_t held;
    int rc = ms_replica_envelope(txn, cs->origin, cs->feed, cs->seq, id, &held, err);
    if (rc == MS_ENOTFOUND)
        return ms_error_set(err, MS_ESTORE, cs->origin, "envelope %llu is missing below the head",
                            (unsigned long long)cs->seq);
    return rc;
}

//  Rule 4. Returns 0 with *go set when the change set is the next one.
static int check_seq(ms_txn_t *txn, const ms_changeset_t *cs, const uint8_t *id, attempt_t *attempt,
                     bool *go, ms_error_t *err)
{
    *go = false;
    ms_head_t head;
    int rc = ms_replica_head(txn, cs->origin, cs->feed, &head, err);
    uint8_t held[MS_HASH_BYTES];
    if (rc == 0)
        rc = held_id(txn, cs, &head, held, err);
    if (rc)
        return rc;
    ms_seq_verdict_t seq = ms_rules_seq(&head, cs->seq, cs->prev, id, held);
    bool superseded = false;
    if (seq != MS_SEQ_DUPLICATE)
        rc = ms_resolve_superseded(txn, cs, id, &superseded, err);
    if (rc == 0 && superseded)
        rc = ms_resolve_keep(txn, cs, id, attempt->bytes, attempt->len, err);
    if (rc)
        return rc;
    if (superseded)
        return refuse(txn, attempt, MS_REFUSAL_SUPERSEDED, err,
                      "seq %llu is on a branch of a fork its holder did not keep",
                      (unsigned long long)cs->seq);
    switch (seq) {
    case MS_SEQ_DUPLICATE:
        attempt->verdict->outcome = MS_OUTCOME_DUPLICATE;
        return 0;
    case MS_SEQ_EQUIVOCATION:
        head.frozen = true;
        rc = ms_replica_set_head(txn, cs->origin, cs->feed, &head, err);
        return rc ? rc
                  : refuse(txn, attempt, MS_REFUSAL_EQUIVOCATION, err,
                           _("a second change set for seq %llu; the feed is frozen"),
                           (unsigned long long)cs->seq);
    case MS_SEQ_GAP:
        return refuse(txn, attempt, MS_REFUSAL_GAP, err, _("seq %llu but the head is %llu"),
                      (unsigned long long)cs->seq, (unsigned long long)head.seq);
    case MS_SEQ_BAD_PREV:
        return refuse(txn, attempt, MS_REFUSAL_BAD_PREV, err,
                      _("prev does not match the id of seq %llu"), (unsigned long long)head.seq);
    case MS_SEQ_NEXT:
        if (head.frozen)
            return refuse(txn, attempt, MS_REFUSAL_FROZEN, err,
                          _("the feed is frozen after an equivocation"));
        *go = true;
        return 0;
    }
    return 0;
}

//  A change set a revoked key signed before its position is already held
//  here: a duplicate, not a refusal.
static int already_held(ms_txn_t *txn, const ms_changeset_t *cs, const uint8_t *id, bool *held,
                        ms_error_t *err)
{
    ms_head_t head;
    uint8_t held_id_bytes[MS_HASH_BYTES];
    int rc = ms_replica_head(txn, cs->origin, cs->feed, &head, err);
    if (rc == 0)
        rc = held_id(txn, cs, &head, held_id_bytes, err);
    *held = rc == 0 && cs->seq <= head.seq && memcmp(held_id_bytes, id, MS_HASH_BYTES) == 0;
    return rc;
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
    ms_feed_kind_t kind = ms_policy_kind(cs->feed);
    if (kind == MS_FEED_UNKNOWN)
        return refuse(txn, attempt, MS_REFUSAL_MALFORMED, err, _("unknown feed \"%s\""), cs->feed);
    if (!ms_rules_time_sane(cs->created))
        return refuse(txn, attempt, MS_REFUSAL_MALFORMED, err,
                      _("created %lld is outside 2000-01-01..2200-01-01"), (long long)cs->created);
    char detail[200];
    bool may = false;
    int rc = ms_policy_check_hold(txn, attempt->holder, cs->origin, kind, &may, detail,
                                  sizeof detail, err);
    if (rc)
        return rc;
    if (!may)
        return refuse(txn, attempt, MS_REFUSAL_REACH, err, _("%s may not hold it: %s"),
                      attempt->holder, detail);
    ms_trust_entry_t signer;
    ms_refusal_t reason;
    rc = ms_trust_check(txn, cs->origin, cs->signer, cs->feed, cs->seq, &signer, &reason, detail,
                        sizeof detail, err);
    if (rc == MS_EREFUSED && reason == MS_REFUSAL_REVOKED) {
        bool held = false;
        rc = already_held(txn, cs, verdict->id, &held, err);
        if (rc == 0 && held) {
            verdict->outcome = MS_OUTCOME_DUPLICATE;
            return 0;
        }
        rc = rc ? rc : MS_EREFUSED;
    }
    if (rc == MS_EREFUSED)
        return refuse(txn, attempt, reason, err, "%s", detail);
    if (rc)
        return rc;
    if (env && !ms_envelope_verify(env, verdict->id, cs->signer))
        return refuse(txn, attempt, MS_REFUSAL_BAD_SIGNATURE, err,
                      _("the signature does not verify for the key of %s"), cs->origin);
    bool go = false;
    rc = check_seq(txn, cs, verdict->id, attempt, &go, err);
    if (rc || !go)
        return rc;
    bool *aside = calloc(cs->change_count ? cs->change_count : 1, sizeof *aside);
    if (!aside)
        return ms_error_set(err, MS_ENOMEM, "accept", "no memory");
    bool refused = false;
    rc = check_changes(txn, cs, &signer, attempt, hook, aside, &refused, err);
    if (rc == 0 && !refused)
        rc = apply(txn, cs, aside, attempt, hook, err);
    free(aside);
    return rc;
}

int ms_accept(ms_txn_t *txn, const char *holder, const uint8_t *bytes, size_t len,
              const char *source, const ms_apply_hook_t *hook, ms_verdict_t *verdict,
              ms_error_t *err)
{
    memset(verdict, 0, sizeof *verdict);
    attempt_t attempt = {holder, bytes, len, source, verdict};
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

int ms_accept_own(ms_txn_t *txn, const uint8_t *bytes, size_t len, const uint8_t *id,
                  const ms_changeset_t *cs, const ms_apply_hook_t *hook, ms_verdict_t *verdict,
                  ms_error_t *err)
{
    memset(verdict, 0, sizeof *verdict);
    attempt_t attempt = {cs->origin, bytes, len, "local", verdict};
    memcpy(verdict->id, id, MS_HASH_BYTES);
    return judge(txn, &attempt, NULL, cs, hook, err);
}
