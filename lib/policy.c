//  policy - the feed table and the hold rule (see the header's table).
//
//  The table is the only place feed names and reach live: a new kind of
//  feed is one row here and its rule in ms_policy_may_hold. The facts the
//  rule needs come from the holder's own replica (the trust table for the
//  origin's parent, the origin's signed org card for the reach it
//  granted), never from what a sender claims.

#include "mutsync/policy.h"

#include "mutsync/i18n.h"
#include "mutsync/record.h"
#include "mutsync/replica.h"
#include "mutsync/trust.h"

#include <stdio.h>
#include <string.h>

static const ms_feed_policy_t feeds[MS_FEED_KIND_COUNT] = {
    [MS_FEED_PUBLIC] = {"public", MS_HOLD_TREE, true, MS_DOWN_OWN_AND_ANCESTORS},
    [MS_FEED_REGISTER] = {"register", MS_HOLD_GRANTED, false, MS_DOWN_NEVER},
    [MS_FEED_CARE] = {"care", MS_HOLD_ORIGIN, false, MS_DOWN_NEVER},
    [MS_FEED_CERTS] = {"certs", MS_HOLD_TREE, true, MS_DOWN_TO_CERTIFIERS},
};

ms_feed_kind_t ms_policy_kind(const char *name)
{
    for (int i = 0; i < MS_FEED_KIND_COUNT; i++)
        if (strcmp(feeds[i].name, name) == 0)
            return (ms_feed_kind_t)i;
    return MS_FEED_UNKNOWN;
}

const ms_feed_policy_t *ms_policy_feed(ms_feed_kind_t kind)
{
    return &feeds[kind];
}

const char *ms_policy_feed_name(ms_feed_kind_t kind)
{
    return kind >= 0 && kind < MS_FEED_KIND_COUNT ? feeds[kind].name : "?";
}

ms_feed_kind_t ms_policy_feed_of(ms_collection_t collection)
{
    switch (collection) {
    case MS_COLL_MEMBER:
    case MS_COLL_CONTRIBUTION:
        return MS_FEED_REGISTER;
    case MS_COLL_CLAIM:
    case MS_COLL_COMPLAINT:
        return MS_FEED_CARE;
    case MS_COLL_CERT:
    case MS_COLL_RELEASE:
        return MS_FEED_CERTS;
    default:
        return MS_FEED_PUBLIC;
    }
}

bool ms_policy_may_hold(ms_feed_kind_t kind, const ms_hold_facts_t *facts, char *detail, size_t cap)
{
    if (kind < 0 || kind >= MS_FEED_KIND_COUNT) {
        snprintf(detail, cap, _("unknown feed kind"));
        return false;
    }
    if (strcmp(facts->holder, facts->origin) == 0)
        return true;
    switch (feeds[kind].hold) {
    case MS_HOLD_TREE:
        return true;
    case MS_HOLD_GRANTED:
        if (strcmp(facts->origin_parent, facts->holder) != 0) {
            snprintf(detail, cap, _("the %s feed of %s stays at %s and its direct parent"),
                     feeds[kind].name, facts->origin, facts->origin);
            return false;
        }
        if (facts->granted_reach < 1) {
            snprintf(detail, cap, _("%s has not granted its %s feed to %s (register reach 0)"),
                     facts->origin, feeds[kind].name, facts->holder);
            return false;
        }
        return true;
    case MS_HOLD_ORIGIN:
        snprintf(detail, cap, _("the %s feed of %s never leaves %s"), feeds[kind].name,
                 facts->origin, facts->origin);
        return false;
    }
    return false;
}

int ms_policy_check_hold(ms_txn_t *txn, const char *holder, const char *origin, ms_feed_kind_t kind,
                         bool *may, char *detail, size_t cap, ms_error_t *err)
{
    ms_hold_facts_t facts = {holder, origin, "", 0};
    *may = false;
    if (kind >= 0 && kind < MS_FEED_KIND_COUNT && feeds[kind].hold == MS_HOLD_GRANTED &&
        strcmp(holder, origin) != 0) {
        ms_trust_entry_t entry;
        int rc = ms_trust_get(txn, origin, &entry, err);
        if (rc && rc != MS_ENOTFOUND)
            return rc;
        if (rc == 0)
            facts.origin_parent = entry.cert.parent;
        ms_stored_record_t card;
        rc = ms_replica_record(txn, MS_COLL_ORG, origin, origin, &card, err);
        if (rc && rc != MS_ENOTFOUND)
            return rc;
        ms_org_t org;
        if (rc == 0 && ms_org_decode(card.value, card.value_len, &org, NULL) == 0)
            facts.granted_reach = org.register_reach;
        *may = ms_policy_may_hold(kind, &facts, detail, cap);
        return 0;
    }
    *may = ms_policy_may_hold(kind, &facts, detail, cap);
    return 0;
}
