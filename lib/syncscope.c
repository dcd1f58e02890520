//  syncscope - routing, digests and the peers table of sync.
//
//  Depth and descent are read from the trust table: an org's chain of
//  certified parents (ms_trust_chain) reaches the root (its depth) and
//  passes this node when the org is a descendant; one walk gives both.
//  Lists are small (a few hundred feeds at the secretariat), so sorting
//  them is cheap.

#include "mutsync/syncscope.h"

#include "mutsync/policy.h"
#include "mutsync/trust.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define PEER_VALUE_BYTES (8 + MS_HASH_BYTES)

int ms_sync_heads_add(ms_sync_heads_t *self, const char *org, const char *feed,
                      const ms_head_t *head, ms_error_t *err)
{
    if (self->count >= MS_SYNC_FEEDS_MAX)
        return ms_error_set(err, MS_EINVAL, "sync", "more than %d feeds in scope",
                            MS_SYNC_FEEDS_MAX);
    if (self->count == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 16;
        ms_sync_head_t *items = realloc(self->items, capacity * sizeof *items);
        if (!items)
            return ms_error_set(err, MS_ENOMEM, "sync", "no memory for heads");
        self->items = items;
        self->capacity = capacity;
    }
    ms_sync_head_t *item = &self->items[self->count++];
    memset(item, 0, sizeof *item);
    snprintf(item->org, sizeof item->org, "%s", org);
    snprintf(item->feed, sizeof item->feed, "%s", feed);
    if (head) {
        item->seq = head->seq;
        memcpy(item->hash, head->hash, MS_HASH_BYTES);
    }
    return 0;
}

void ms_sync_heads_clear(ms_sync_heads_t *self)
{
    free(self->items);
    memset(self, 0, sizeof *self);
}

typedef struct {
    ms_sync_head_t head;
    int rank;  //  sending order: public by depth, then register
} ranked_t;

typedef struct {
    ms_txn_t *txn;
    const ms_identity_t *self;
    bool up;                                                 //  the parent's scope, else a child's
    bool to_certifier;                                       //  down: the child certifies others
    const char *child;                                       //  down: the child, whose own feeds
                                                             //  go back to it (fetch-back)
    char ancestors[MS_TRUST_DEPTH_MAX][MS_ORG_MAX + 1];      //  for down: self's chain to the root
    size_t ancestor_count;                                   //
    char releasers[MS_TRUST_RELEASERS_MAX][MS_ORG_MAX + 1];  //  down: orgs that released
    size_t releaser_count;                                   //  an id to the child
    ranked_t *items;                                         //
    size_t count, capacity;                                  //
    ms_error_t *err;                                         //
} collect_t;

static bool listed(const char list[][MS_ORG_MAX + 1], size_t count, const char *org)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i], org) == 0)
            return true;
    return false;
}

static bool is_ancestor(const collect_t *c, const char *org)
{
    return listed(c->ancestors, c->ancestor_count, org);
}

//  Sets *RANK to the place of (ORG, FEED) in the scope: by the org's depth in
//  the trust tree for public and certs feeds, after them for a register;
//  -1 when the feed is out of scope. Up: own and descendants' feeds the
//  parent may hold (policy). Down: own and ancestors' feeds of a kind sent
//  down. Returns 0 or MS_ESTORE.
static int rank_of(collect_t *c, const char *org, const char *feed, int *rank)
{
    *rank = -1;
    ms_feed_kind_t kind = ms_policy_kind(feed);
    if (kind == MS_FEED_UNKNOWN)
        return 0;
    bool own = strcmp(org, c->self->org) == 0;
    if (!c->up && c->child && strcmp(org, c->child) == 0) {
        //  What this node holds of the child's own feeds goes back to it: a
        //  child restored from an old copy gets back what it wrote since,
        //  and a fork shows at once (sync.c).
        *rank = 2 * MS_TRUST_DEPTH_MAX + 2 + kind;
        return 0;
    }
    ms_down_t down = ms_policy_feed(kind)->down;
    bool own_goes_down =
        down == MS_DOWN_OWN_AND_ANCESTORS || (down == MS_DOWN_TO_CERTIFIERS && c->to_certifier);
    //  A union adopting a moved mutual needs the feeds of the union that
    //  released it: the release and the mutual's certificates are in its
    //  certs feed, the revocations of the mutual's earlier keys in its
    //  public feed (policy.h).
    bool carries_release = (kind == MS_FEED_CERTS || kind == MS_FEED_PUBLIC) &&
                           listed(c->releasers, c->releaser_count, org);
    if (!c->up && (down == MS_DOWN_NEVER || (own && !own_goes_down) ||
                   (!own && !is_ancestor(c, org) && !carries_release)))
        return 0;
    char chain[MS_TRUST_DEPTH_MAX][MS_ORG_MAX + 1];
    size_t count;
    int rc = ms_trust_chain(c->txn, org, chain, &count, c->err);
    if (rc)
        return rc;
    if (c->up) {
        bool descendant = false;
        for (size_t i = 1; i < count && !descendant; i++)
            descendant = strcmp(chain[i], c->self->org) == 0;
        if (!own && !descendant)
            return 0;
        bool may = false;
        char detail[160];
        rc = ms_policy_check_hold(c->txn, c->self->parent, org, kind, &may, detail, sizeof detail,
                                  c->err);
        if (rc || !may)
            return rc;
        if (!own && !ms_policy_feed(kind)->relayed)
            return 0;
    }
    //  An org's certs (depth d) come before the public feeds of its children
    //  (depth d + 1), and every public feed before any register.
    int depth = (int)count - 1;
    *rank = kind == MS_FEED_CERTS    ? 2 * depth
            : kind == MS_FEED_PUBLIC ? 2 * depth + 1
                                     : 2 * MS_TRUST_DEPTH_MAX + 2 + kind;
    return 0;
}

static int collect(const char *org, const char *feed, const ms_head_t *head, void *arg)
{
    collect_t *c = arg;
    int rank = -1;
    int rc = head->seq ? rank_of(c, org, feed, &rank) : 0;
    if (rc || rank < 0)
        return rc;
    if (c->count == c->capacity) {
        size_t capacity = c->capacity ? c->capacity * 2 : 32;
        ranked_t *items = realloc(c->items, capacity * sizeof *items);
        if (!items)
            return ms_error_set(c->err, MS_ENOMEM, "sync", "no memory for the scope");
        c->items = items;
        c->capacity = capacity;
    }
    ranked_t *item = &c->items[c->count++];
    memset(item, 0, sizeof *item);
    snprintf(item->head.org, sizeof item->head.org, "%s", org);
    snprintf(item->head.feed, sizeof item->head.feed, "%s", feed);
    item->head.seq = head->seq;
    memcpy(item->head.hash, head->hash, MS_HASH_BYTES);
    item->rank = rank;
    return 0;
}

static int by_rank(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    int order = strcmp(x->head.org, y->head.org);
    return order ? order : strcmp(x->head.feed, y->head.feed);
}

//  Self's chain of parents up to the root, for the downward scope.
static int find_ancestors(collect_t *c)
{
    c->ancestor_count = 0;
    if (c->self->parent[0]) {
        int rc = ms_trust_chain(c->txn, c->self->parent, c->ancestors, &c->ancestor_count, c->err);
        if (rc)
            return rc;
    }
    if (c->self->root[0] && !is_ancestor(c, c->self->root) &&
        c->ancestor_count < MS_TRUST_DEPTH_MAX)
        snprintf(c->ancestors[c->ancestor_count++], MS_ORG_MAX + 1, "%s", c->self->root);
    return 0;
}

static int scope(ms_txn_t *txn, const ms_identity_t *self, bool up, bool to_certifier,
                 const char *child, ms_sync_heads_t *out, ms_error_t *err)
{
    collect_t *c = calloc(1, sizeof *c);
    if (!c)
        return ms_error_set(err, MS_ENOMEM, "sync", "no memory for the scope");
    c->txn = txn;
    c->self = self;
    c->up = up;
    c->to_certifier = to_certifier;
    c->child = child;
    c->err = err;
    int rc = up ? 0 : find_ancestors(c);
    if (rc == 0 && !up && to_certifier)
        rc = ms_trust_releasers(txn, child, c->releasers, &c->releaser_count, err);
    if (rc == 0)
        rc = ms_replica_feeds(txn, collect, c, err);
    if (rc == 0 && c->count)
        qsort(c->items, c->count, sizeof *c->items, by_rank);
    for (size_t i = 0; rc == 0 && i < c->count; i++) {
        ms_head_t head = {.seq = c->items[i].head.seq};
        memcpy(head.hash, c->items[i].head.hash, MS_HASH_BYTES);
        rc = ms_sync_heads_add(out, c->items[i].head.org, c->items[i].head.feed, &head, err);
    }
    free(c->items);
    free(c);
    return rc;
}

int ms_scope_up(ms_txn_t *txn, const ms_identity_t *self, ms_sync_heads_t *out, ms_error_t *err)
{
    return scope(txn, self, true, false, NULL, out, err);
}

int ms_scope_down(ms_txn_t *txn, const ms_identity_t *self, const char *child, ms_sync_heads_t *out,
                  ms_error_t *err)
{
    ms_trust_entry_t entry;
    int rc = ms_trust_get(txn, child, &entry, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    bool certifier = rc == 0 && entry.cert.role != MS_ROLE_MUTUAL;
    return scope(txn, self, false, certifier, child, out, err);
}

int ms_scope_takes(ms_txn_t *txn, const ms_identity_t *self, const char *peer, bool from_child,
                   const char *org, const char *feed, bool *take, ms_error_t *err)
{
    *take = false;
    ms_feed_kind_t kind = ms_policy_kind(feed);
    if (kind == MS_FEED_UNKNOWN)
        return 0;
    if (!from_child) {
        //  From the parent: what is sent down, and what it holds of our own feeds.
        *take = strcmp(org, self->org) == 0 || ms_policy_feed(kind)->down != MS_DOWN_NEVER;
        return 0;
    }
    if (strcmp(org, self->org) == 0)
        return 0;
    char chain[MS_TRUST_DEPTH_MAX][MS_ORG_MAX + 1];
    size_t count;
    int rc = ms_trust_chain(txn, org, chain, &count, err);
    if (rc)
        return rc;
    ms_trust_entry_t entry;
    rc = ms_trust_get(txn, org, &entry, err);
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    bool below_peer = rc == MS_ENOTFOUND;  //  a new grandchild: its certificate comes with it
    for (size_t i = 0; i < count && !below_peer; i++)
        below_peer = strcmp(chain[i], peer) == 0;
    if (!below_peer)
        return 0;
    //  The reach a child grants is in its card, which may come in this very
    //  session: each envelope is judged on arrival. Here only whether the
    //  feed could ever be held here: register of a direct child, no care.
    const ms_feed_policy_t *policy = ms_policy_feed(kind);
    *take =
        policy->hold == MS_HOLD_TREE || (policy->hold == MS_HOLD_GRANTED && strcmp(org, peer) == 0);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const ms_sync_head_t *x = a, *y = b;
    int order = strcmp(x->org, y->org);
    return order ? order : strcmp(x->feed, y->feed);
}

int ms_scope_digest(ms_txn_t *txn, const char *peer, const ms_sync_heads_t *scope_heads,
                    uint8_t *digest, ms_error_t *err)
{
    ms_sync_heads_t set = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < scope_heads->count; i++)
        rc = ms_sync_heads_add(&set, scope_heads->items[i].org, scope_heads->items[i].feed, NULL,
                               err);
    if (rc == 0)
        rc = ms_scope_peer(txn, peer, &set, err);
    if (rc == 0 && set.count)
        qsort(set.items, set.count, sizeof *set.items, by_name);
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, MS_SYNC_DIGEST_BYTES);
    for (size_t i = 0; rc == 0 && i < set.count; i++) {
        if (i > 0 && by_name(&set.items[i - 1], &set.items[i]) == 0)
            continue;
        ms_head_t head;
        rc = ms_replica_head(txn, set.items[i].org, set.items[i].feed, &head, err);
        uint8_t key[MS_FEED_KEY_MAX + 1], seq[8];
        size_t len = ms_feed_key(set.items[i].org, set.items[i].feed, key);
        key[len++] = 0;
        ms_put_be64(seq, head.seq);
        crypto_generichash_update(&state, key, len);
        crypto_generichash_update(&state, seq, sizeof seq);
        crypto_generichash_update(&state, head.hash, MS_HASH_BYTES);
    }
    crypto_generichash_final(&state, digest, MS_SYNC_DIGEST_BYTES);
    ms_sync_heads_clear(&set);
    return rc;
}

static size_t peer_prefix(const char *peer, uint8_t *out)
{
    size_t len = strnlen(peer, MS_ORG_MAX);
    memcpy(out, peer, len);
    out[len] = 0;
    return len + 1;
}

int ms_scope_save_peer(ms_txn_t *txn, const char *peer, const ms_sync_heads_t *heads,
                       ms_error_t *err)
{
    uint8_t key[MS_ORG_MAX + 1 + MS_FEED_KEY_MAX];
    size_t prefix_len = peer_prefix(peer, key);
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_PEERS, key, prefix_len, &cursor, err);
    ms_val_t k, v;
    //  Delete one entry per pass: LMDB cursors move on after a delete elsewhere.
    while (rc == 0 && (rc = ms_cursor_next(cursor, &k, &v, err)) == 1) {
        uint8_t old[MS_ORG_MAX + 1 + MS_FEED_KEY_MAX];
        size_t old_len = k.len < sizeof old ? k.len : sizeof old;
        memcpy(old, k.data, old_len);
        ms_cursor_close(&cursor);
        rc = ms_txn_del(txn, MS_TABLE_PEERS, old, old_len, err);
        if (rc == 0)
            rc = ms_cursor_open(txn, MS_TABLE_PEERS, key, prefix_len, &cursor, err);
    }
    ms_cursor_close(&cursor);
    for (size_t i = 0; rc == 0 && i < heads->count; i++) {
        size_t len =
            prefix_len + ms_feed_key(heads->items[i].org, heads->items[i].feed, key + prefix_len);
        uint8_t value[PEER_VALUE_BYTES];
        ms_put_be64(value, heads->items[i].seq);
        memcpy(value + 8, heads->items[i].hash, MS_HASH_BYTES);
        rc = ms_txn_put(txn, MS_TABLE_PEERS, key, len, value, sizeof value, 0, err);
    }
    return rc;
}

int ms_scope_peer(ms_txn_t *txn, const char *peer, ms_sync_heads_t *out, ms_error_t *err)
{
    uint8_t prefix[MS_ORG_MAX + 1];
    size_t prefix_len = peer_prefix(peer, prefix);
    ms_cursor_t *cursor;
    int rc = ms_cursor_open(txn, MS_TABLE_PEERS, prefix, prefix_len, &cursor, err);
    ms_val_t k, v;
    while (rc == 0 && (rc = ms_cursor_next(cursor, &k, &v, err)) == 1) {
        rc = 0;
        const uint8_t *org = k.data + prefix_len;
        size_t rest = k.len - prefix_len;
        const uint8_t *nul = memchr(org, 0, rest);
        if (!nul || v.len != PEER_VALUE_BYTES || (size_t)(nul - org) > MS_ORG_MAX ||
            rest - (size_t)(nul - org) - 1 > MS_FEED_NAME_MAX)
            continue;
        char org_text[MS_ORG_MAX + 1] = "", feed_text[MS_FEED_NAME_MAX + 1] = "";
        memcpy(org_text, org, (size_t)(nul - org));
        memcpy(feed_text, nul + 1, rest - (size_t)(nul - org) - 1);
        ms_head_t head = {.seq = ms_get_be64(v.data)};
        memcpy(head.hash, v.data + 8, MS_HASH_BYTES);
        rc = ms_sync_heads_add(out, org_text, feed_text, &head, err);
    }
    ms_cursor_close(&cursor);
    return rc < 0 ? rc : 0;
}
