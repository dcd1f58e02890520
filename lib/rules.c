//  rules - accept rules 4 and 5 as pure functions (rules 1-3 are the
//  decoder's bounds, the trust table and the signature check).
//
//  Authority, rule 5: an org writes records only under its own id (the
//  replica namespaces records by owner, so this holds by construction);
//  its org card only under its own id; each collection only in its feed
//  (policy.h); certificates only for ids of its namespace or released to
//  it, and only a union or the secretariat certifies; only the secretariat
//  publishes indicator definitions (region-wide reference data).
//  Authority failures refuse the change set; value failures (a record that
//  does not decode, a card contradicting its certificate) set one change
//  aside, so an authentic feed never stalls on a bad value.

#include "mutsync/rules.h"

#include "mutsync/i18n.h"
#include "mutsync/policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *refusal_names[MS_REFUSAL_COUNT] = {
    "none",       "malformed", "unknown-signer", "revoked", "bad-signature",
    "gap",        "bad-prev",  "equivocation",   "frozen",  "authority",
    "bad-record", "reach",     "bad-value",      "store",   "superseded",
};

const char *ms_refusal_name(int reason)
{
    return reason >= 0 && reason < MS_REFUSAL_COUNT ? refusal_names[reason] : "unknown";
}

static const char *refusal_texts[MS_REFUSAL_COUNT] = {
    N_("not refused"),
    N_("does not decode within the bounds"),
    N_("the signer is not certified for this org"),
    N_("the signer's key was revoked"),
    N_("the signature does not verify"),
    N_("change sets are missing before it; asked again"),
    N_("it does not follow the feed's head"),
    N_("a second change set for a seq already held"),
    N_("the feed is frozen after an equivocation"),
    N_("outside the writer's authority"),
    N_("a change is not a valid record"),
    N_("this node may not hold this feed"),
    N_("a record breaks a value rule"),
    N_("this node could not store it"),
    N_("on a branch of a fork its holder did not keep"),
};

const char *ms_refusal_text(int reason)
{
    return reason >= 0 && reason < MS_REFUSAL_COUNT ? _(refusal_texts[reason])
                                                    : _("unknown reason");
}

ms_seq_verdict_t ms_rules_seq(const ms_head_t *head, uint64_t seq, const uint8_t *prev,
                              const uint8_t *id, const uint8_t *held_id)
{
    if (seq <= head->seq)
        return memcmp(id, held_id, MS_HASH_BYTES) == 0 ? MS_SEQ_DUPLICATE : MS_SEQ_EQUIVOCATION;
    if (seq > head->seq + 1)
        return MS_SEQ_GAP;
    return memcmp(prev, head->hash, MS_HASH_BYTES) == 0 ? MS_SEQ_NEXT : MS_SEQ_BAD_PREV;
}

bool ms_refusal_sets_aside(ms_refusal_t reason)
{
    return reason == MS_REFUSAL_BAD_RECORD || reason == MS_REFUSAL_BAD_VALUE;
}

bool ms_rules_time_sane(int64_t created)
{
    return created >= MS_TIME_MIN && created <= MS_TIME_MAX;
}

bool ms_rules_in_namespace(const char *issuer, const char *subject)
{
    size_t len = strlen(issuer);
    return strncmp(subject, issuer, len) == 0 && subject[len] == '-' && subject[len + 1];
}

//  A top-level id: exactly one '-' (ML-UTM), granted by the secretariat.
static bool top_level(const char *subject)
{
    const char *dash = strchr(subject, '-');
    return dash && dash != subject && dash[1] && !strchr(dash + 1, '-');
}

static ms_refusal_t refuse(char *detail, size_t cap, ms_refusal_t reason, const char *fmt, ...)
    MS_PRINTF(4, 5);

static ms_refusal_t refuse(char *detail, size_t cap, ms_refusal_t reason, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(detail, cap, fmt, args);
    va_end(args);
    return reason;
}

static bool may_certify(ms_role_t issuer, ms_role_t subject)
{
    if (issuer == MS_ROLE_SECRETARIAT)
        return subject == MS_ROLE_UNION || subject == MS_ROLE_MUTUAL;
    if (issuer == MS_ROLE_UNION)
        return subject == MS_ROLE_UNION || subject == MS_ROLE_MUTUAL;
    return false;
}

static bool may_grant(const ms_authority_t *who, const char *subject)
{
    if (ms_rules_in_namespace(who->origin, subject))
        return true;
    if (who->origin_role == MS_ROLE_SECRETARIAT && top_level(subject))
        return true;
    return who->released_to && strcmp(who->released_to, who->origin) == 0;
}

//  Whether ORIGIN holds SUBJECT now: it is the subject's certified parent
//  and has not released it.
static bool holds(const ms_authority_t *who)
{
    return who->subject_parent && strcmp(who->subject_parent, who->origin) == 0 &&
           !(who->released_to && who->released_to[0]);
}

static ms_refusal_t check_cert(const ms_authority_t *who, const ms_change_t *change, char *detail,
                               size_t cap)
{
    ms_error_t err = {0};
    if (ms_org_id_check(change->key, &err) != 0)
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY, _("cert: %s"), err.message);
    if (strcmp(change->key, who->origin) == 0)
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY, _("%s may not certify itself"),
                      who->origin);
    if (!may_certify(who->origin_role, MS_ROLE_MUTUAL))
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY, _("a %s may not certify"),
                      ms_role_name(who->origin_role));
    if (change->op == MS_OP_DELETE) {
        if (!holds(who))
            return refuse(detail, cap, MS_REFUSAL_AUTHORITY,
                          _("%s may not withdraw the certificate of %s: not its child"),
                          who->origin, change->key);
        return MS_REFUSAL_NONE;
    }
    //  A released id goes to the named org and no other; otherwise the id
    //  must be free or already ours, and in our namespace.
    bool held_by_other = who->subject_parent && who->subject_parent[0] &&
                         strcmp(who->subject_parent, who->origin) != 0;
    bool allowed = who->released_to && who->released_to[0]
                       ? strcmp(who->released_to, who->origin) == 0
                       : !held_by_other && may_grant(who, change->key);
    if (!allowed)
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY,
                      _("%s may not certify %s: the id is not in its namespace nor released to it"),
                      who->origin, change->key);
    ms_cert_t cert;
    if (ms_cert_decode(change->value, change->value_len, &cert, &err) != 0)
        return refuse(detail, cap, MS_REFUSAL_BAD_RECORD, _("cert %s: %s"), change->key,
                      err.message);
    if (strcmp(cert.parent, who->origin) != 0)
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY,
                      _("%s may only certify its direct children (certificate names parent %s)"),
                      who->origin, cert.parent);
    if (!may_certify(who->origin_role, cert.role)) {
        snprintf(detail, cap, _("a %s may not certify a %s"), ms_role_name(who->origin_role),
                 ms_role_name(cert.role));
        return MS_REFUSAL_AUTHORITY;
    }
    if (cert.valid_from && !ms_rules_time_sane(cert.valid_from))
        return refuse(detail, cap, MS_REFUSAL_BAD_VALUE, _("cert %s: valid_from %lld is not sane"),
                      change->key, (long long)cert.valid_from);
    return MS_REFUSAL_NONE;
}

static ms_refusal_t check_release(const ms_authority_t *who, const ms_change_t *change,
                                  char *detail, size_t cap)
{
    ms_error_t err = {0};
    if (ms_org_id_check(change->key, &err) != 0)
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY, _("release: %s"), err.message);
    if (change->op == MS_OP_DELETE || !holds(who))
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY,
                      _("%s may only release the ids of its own children (%s)"), who->origin,
                      change->key);
    ms_release_t release;
    if (ms_release_decode(change->value, change->value_len, &release, &err) != 0)
        return refuse(detail, cap, MS_REFUSAL_BAD_RECORD, _("release %s: %s"), change->key,
                      err.message);
    if (strcmp(release.to, who->origin) == 0 || strcmp(release.to, change->key) == 0)
        return refuse(detail, cap, MS_REFUSAL_BAD_VALUE, _("release %s to %s: not a new parent"),
                      change->key, release.to);
    return MS_REFUSAL_NONE;
}

static ms_refusal_t check_card(const ms_authority_t *who, const ms_change_t *change, char *detail,
                               size_t cap)
{
    if (strcmp(change->key, who->origin) != 0)
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY, _("%s may not write the org card of %s"),
                      who->origin, change->key);
    if (change->op == MS_OP_DELETE)
        return MS_REFUSAL_NONE;
    ms_org_t card;
    ms_error_t err = {0};
    if (ms_org_decode(change->value, change->value_len, &card, &err) != 0)
        return refuse(detail, cap, MS_REFUSAL_BAD_RECORD, "%s %s", change->key, err.message);
    const ms_cert_t *cert = who->origin_cert;
    if (!cert)
        return MS_REFUSAL_NONE;
    if (cert->role && card.role != cert->role)
        return refuse(detail, cap, MS_REFUSAL_BAD_VALUE,
                      _("the card of %s says role %s, its certificate %s"), who->origin,
                      ms_role_name(card.role), ms_role_name(cert->role));
    if (cert->country[0] && strcmp(card.country, cert->country) != 0)
        return refuse(detail, cap, MS_REFUSAL_BAD_VALUE,
                      _("the card of %s says country %s, its certificate %s"), who->origin,
                      card.country, cert->country);
    if (cert->parent[0] && strcmp(card.parent, cert->parent) != 0)
        return refuse(detail, cap, MS_REFUSAL_BAD_VALUE,
                      _("the card of %s says parent %s, its certificate %s"), who->origin,
                      card.parent[0] ? card.parent : "(none)", cert->parent);
    return MS_REFUSAL_NONE;
}

//  The org a "subject|..." key speaks of, checked as an org id.
static int key_subject(const ms_change_t *change, char subject[MS_KEY_MAX + 1], ms_error_t *err)
{
    snprintf(subject, MS_KEY_MAX + 1, "%s", change->key);
    char *bar = strchr(subject, '|');
    if (bar)
        *bar = 0;
    return ms_org_id_check(subject, err);
}

//  A revocation's key is "subject|key hex"; only the subject's holder (its
//  certified parent) may write it, for any key of that subject.
static ms_refusal_t check_revocation(const ms_authority_t *who, const ms_change_t *change,
                                     char *detail, size_t cap)
{
    char subject[MS_KEY_MAX + 1];
    ms_error_t err = {0};
    if (key_subject(change, subject, &err) != 0)
        return refuse(detail, cap, MS_REFUSAL_BAD_RECORD, _("revocation: %s"), err.message);
    //  A replica that does not hold the subject (a mutual hearing of its
    //  sibling) judges by namespace, which does not depend on what arrived first.
    bool allowed = who->subject_parent ? strcmp(who->subject_parent, who->origin) == 0
                                       : may_grant(who, subject);
    if (!allowed)
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY,
                      _("%s may only revoke its direct children's keys (%s)"), who->origin,
                      subject);
    if (!may_certify(who->origin_role, MS_ROLE_MUTUAL))
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY, _("a %s may not revoke"),
                      ms_role_name(who->origin_role));
    if (change->op == MS_OP_DELETE)
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY, _("a revocation cannot be withdrawn (%s)"),
                      subject);
    ms_revocation_t revocation;
    if (ms_revocation_decode(change->value, change->value_len, &revocation, &err) != 0)
        return refuse(detail, cap, MS_REFUSAL_BAD_RECORD, _("revocation %s: %s"), subject,
                      err.message);
    //  Any key, past or present, of its own child: a revocation only ever
    //  speaks of its subject's feeds (trust.c keys it by key and subject),
    //  so naming another org's key harms nobody.
    return MS_REFUSAL_NONE;
}

//  A resolution's key is "org|feed|seq": only the org's holder ends a fork
//  of its feeds, for good.
static ms_refusal_t check_resolution(const ms_authority_t *who, const ms_change_t *change,
                                     char *detail, size_t cap)
{
    char subject[MS_KEY_MAX + 1];
    ms_error_t err = {0};
    if (key_subject(change, subject, &err) != 0)
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY, _("resolution: %s"), err.message);
    if (!holds(who))
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY,
                      _("%s may only resolve forks of its own children's feeds (%s)"), who->origin,
                      subject);
    if (change->op == MS_OP_DELETE)
        return refuse(detail, cap, MS_REFUSAL_AUTHORITY, _("a resolution cannot be withdrawn (%s)"),
                      change->key);
    ms_resolution_t resolution;
    if (ms_resolution_decode(change->value, change->value_len, &resolution, &err) != 0)
        return refuse(detail, cap, MS_REFUSAL_BAD_RECORD, _("resolution %s: %s"), change->key,
                      err.message);
    char key[MS_KEY_MAX + MS_FEED_NAME_MAX + 24];
    snprintf(key, sizeof key, "%s|%s|%llu", subject, resolution.feed,
             (unsigned long long)resolution.seq);
    if (strcmp(key, change->key) != 0 || ms_policy_kind(resolution.feed) == MS_FEED_UNKNOWN)
        return refuse(detail, cap, MS_REFUSAL_BAD_RECORD,
                      _("resolution %s names feed %s seq %llu: not its key"), change->key,
                      resolution.feed, (unsigned long long)resolution.seq);
    return MS_REFUSAL_NONE;
}

ms_refusal_t ms_rules_authority(const ms_authority_t *who, const ms_change_t *change, char *detail,
                                size_t cap)
{
    const char *home = ms_policy_feed_name(ms_policy_feed_of(change->collection));
    if (strcmp(home, who->feed) != 0) {
        snprintf(detail, cap, _("%s records belong in the %s feed, not %s"),
                 ms_collection_name(change->collection), home, who->feed);
        return MS_REFUSAL_AUTHORITY;
    }
    switch (change->collection) {
    case MS_COLL_ORG:
        return check_card(who, change, detail, cap);
    case MS_COLL_RELEASE:
        return check_release(who, change, detail, cap);
    case MS_COLL_INDICATOR:
        if (who->origin_role != MS_ROLE_SECRETARIAT)
            return refuse(detail, cap, MS_REFUSAL_AUTHORITY,
                          _("only the secretariat defines indicators, not %s"), who->origin);
        break;
    case MS_COLL_CERT:
        return check_cert(who, change, detail, cap);
    case MS_COLL_REVOCATION:
        return check_revocation(who, change, detail, cap);
    case MS_COLL_RESOLUTION:
        return check_resolution(who, change, detail, cap);
    default:
        break;
    }
    if (change->op == MS_OP_UPSERT) {
        //  Once per record: only the message is read, and only on failure.
        ms_error_t err;
        err.message[0] = '\0';
        if (ms_record_check(change->collection, change->value, change->value_len, &err) != 0)
            return refuse(detail, cap, MS_REFUSAL_BAD_RECORD, "%s %s", change->key, err.message);
    }
    return MS_REFUSAL_NONE;
}
