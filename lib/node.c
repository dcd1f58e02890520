//  node - identity, key and own writes of one node directory.
//
//  The identity is kept in the meta table as "name=value" lines, readable
//  with mdb_dump when something goes wrong. The key pair is loaded lazily:
//  listing feeds or members never touches the secret key. Own writes go
//  through the accept rules like any other envelope (see the header).

#include "mutsync/node.h"

#include "mutsync/envelope.h"
#include "mutsync/i18n.h"
#include "mutsync/log.h"
#include "mutsync/replica.h"
#include "mutsync/trust.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KEY_FILE "node.key"
#define IDENTITY "identity"
#define FORKED "forked"
#define PENDING "pending"
#define PLACE "place"

struct ms_node {
    char *dir;               //  node directory
    ms_store_t *store;       //  its LMDB environment
    ms_identity_t identity;  //  as saved in meta
    ms_keypair_t *keypair;   //  NULL until first needed
    ms_apply_hook_t hook;    //  views, when set
    ms_publish_fn publish;   //  what to write before data leaves, when set
    void *publish_ctx;       //
};

static void put_line(FILE *out, const char *name, const char *value)
{
    fprintf(out, "%s=%s\n", name, value);
}

static void put_key_line(FILE *out, const char *name, const uint8_t *key)
{
    static const uint8_t zero[MS_KEY_BYTES];
    char hex[MS_KEY_HEX_BYTES] = "";
    if (memcmp(key, zero, MS_KEY_BYTES) != 0)
        ms_key_to_hex(key, hex);
    put_line(out, name, hex);
}

static int save_identity(ms_txn_t *txn, const ms_identity_t *id, ms_error_t *err)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return ms_error_set(err, MS_ENOMEM, "node", "no memory for the identity");
    char number[24];
    put_line(out, "org", id->org);
    put_line(out, "role", ms_role_name(id->role));
    put_line(out, "country", id->country);
    put_line(out, "name", id->name);
    put_key_line(out, "key", id->key);
    put_line(out, "parent", id->parent);
    put_key_line(out, "parent_key", id->parent_key);
    put_line(out, "parent_role", ms_role_name(id->parent_role));
    put_line(out, "parent_endpoint", id->parent_endpoint);
    put_line(out, "root", id->root);
    put_key_line(out, "root_key", id->root_key);
    snprintf(number, sizeof number, "%u", id->register_reach);
    put_line(out, "register_reach", number);
    put_line(out, "endpoint", id->endpoint);
    fclose(out);
    int rc = ms_txn_put(txn, MS_TABLE_META, IDENTITY, strlen(IDENTITY), text, len, 0, err);
    free(text);
    return rc;
}

static void set_field(ms_identity_t *id, const char *name, const char *value)
{
#define TEXT(field)                                                                                \
    if (strcmp(name, #field) == 0)                                                                 \
        snprintf(id->field, sizeof id->field, "%s", value);
    TEXT(org)
    TEXT(country)
    TEXT(name)
    TEXT(parent)
    TEXT(parent_endpoint)
    TEXT(root)
    TEXT(endpoint)
#undef TEXT
    if (strcmp(name, "role") == 0)
        id->role = ms_role_from_name(value);
    if (strcmp(name, "parent_role") == 0)
        id->parent_role = ms_role_from_name(value);
    if (strcmp(name, "register_reach") == 0)
        id->register_reach = (uint32_t)strtoul(value, NULL, 10);
    if (value[0] && strcmp(name, "key") == 0 && ms_key_from_hex(value, id->key, NULL) != 0)
        memset(id->key, 0, sizeof id->key);
    if (value[0] && strcmp(name, "parent_key") == 0)
        (void)!ms_key_from_hex(value, id->parent_key, NULL);
    if (value[0] && strcmp(name, "root_key") == 0)
        (void)!ms_key_from_hex(value, id->root_key, NULL);
}

static int load_identity(ms_store_t *store, ms_identity_t *id, ms_error_t *err)
{
    memset(id, 0, sizeof *id);
    ms_txn_t *txn;
    int rc = ms_store_read(store, &txn, err);
    if (rc)
        return rc;
    ms_val_t val;
    rc = ms_txn_get(txn, MS_TABLE_META, IDENTITY, strlen(IDENTITY), &val, err);
    if (rc == 0) {
        char *text = strndup((const char *)val.data, val.len);
        char *save = NULL;
        for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
            char *eq = strchr(line, '=');
            if (eq) {
                *eq = 0;
                set_field(id, line, eq + 1);
            }
        }
        free(text);
    }
    ms_txn_abort(&txn);
    return rc;
}

static char *key_path(const char *dir)
{
    size_t len = strlen(dir) + sizeof KEY_FILE + 2;
    char *path = malloc(len);
    if (path)
        snprintf(path, len, "%s/%s", dir, KEY_FILE);
    return path;
}

typedef struct {
    ms_node_t *node;
    const ms_identity_t *identity;
    bool invited;  //  made from an invitation: no card before the parent certified it
} init_ctx_t;

static void anchor_cert(ms_cert_t *cert, const char *name, ms_role_t role, const char *country,
                        const char *parent, const uint8_t *key)
{
    memset(cert, 0, sizeof *cert);
    snprintf(cert->name, sizeof cert->name, "%s", name);
    cert->role = role;
    snprintf(cert->country, sizeof cert->country, "%s", country);
    snprintf(cert->parent, sizeof cert->parent, "%s", parent);
    memcpy(cert->key, key, MS_KEY_BYTES);
}

static int write_card(ms_node_t *node, ms_txn_t *txn, ms_error_t *err);

static int write_initial(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    init_ctx_t *ctx = arg;
    const ms_identity_t *id = ctx->identity;
    ms_cert_t cert;
    int rc = save_identity(txn, id, err);
    if (rc == 0 && id->root[0] && strcmp(id->root, id->org) != 0) {
        anchor_cert(&cert, "", MS_ROLE_SECRETARIAT, "", "", id->root_key);
        rc = ms_trust_pin(txn, id->root, &cert, err);
    }
    if (rc == 0 && id->parent[0] && strcmp(id->parent, id->root) != 0) {
        anchor_cert(&cert, "", id->parent_role, "", "", id->parent_key);
        rc = ms_trust_pin(txn, id->parent, &cert, err);
    }
    if (rc == 0) {
        anchor_cert(&cert, id->name, id->role, id->country, id->parent, id->key);
        rc = ms_trust_pin(txn, id->org, &cert, err);
    }
    if (rc)
        return rc;
    if (ctx->invited)
        return ms_node_set_pending(ctx->node, txn,
                                   _("made from an invitation: it writes once its parent has "
                                     "certified its key and told it what it holds of its feeds"),
                                   err);
    return write_card(ctx->node, txn, err);
}

//  The org card as seq 1 of the public feed, from the identity.
static int write_card(ms_node_t *node, ms_txn_t *txn, ms_error_t *err)
{
    const ms_identity_t *id = &node->identity;
    ms_org_t org;
    memset(&org, 0, sizeof org);
    snprintf(org.name, sizeof org.name, "%s", id->name);
    snprintf(org.country, sizeof org.country, "%s", id->country);
    org.role = id->role;
    snprintf(org.parent, sizeof org.parent, "%s", id->parent);
    org.register_reach = id->register_reach;
    uint8_t value[MS_VALUE_MAX];
    size_t len = 0;
    if (ms_org_encode(&org, value, sizeof value, &len) != 0)
        return ms_error_set(err, MS_EINVAL, id->org, "org card too large");
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, id->org, value, len};
    ms_verdict_t verdict;
    return ms_node_append(node, txn, "public", &change, 1, &verdict, err);
}

static int check_identity(const ms_identity_t *id, ms_error_t *err)
{
    int rc = ms_org_id_check(id->org, err);
    if (rc)
        return rc;
    if (id->role == MS_ROLE_NONE)
        return ms_error_set(err, MS_EINVAL, "role", "role must be mutual, union or secretariat");
    if (strlen(id->country) != 2 || id->country[0] < 'A' || id->country[0] > 'Z' ||
        id->country[1] < 'A' || id->country[1] > 'Z')
        return ms_error_set(err, MS_EINVAL, "country",
                            "country must be an ISO 3166-1 alpha-2 code such as ML or BJ");
    if (!id->name[0])
        return ms_error_set(err, MS_EINVAL, "name", "name is required");
    if (id->register_reach > 1)
        return ms_error_set(err, MS_EINVAL, "register-reach",
                            "register reach must be 0 or 1, not %u", id->register_reach);
    if (id->role != MS_ROLE_SECRETARIAT && id->parent[0]) {
        rc = ms_org_id_check(id->parent, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int node_init(const char *dir, const ms_identity_t *identity, bool invited, ms_error_t *err);

int ms_node_init(const char *dir, const ms_identity_t *identity, ms_error_t *err)
{
    return node_init(dir, identity, false, err);
}

int ms_node_init_invited(const char *dir, const ms_identity_t *identity, ms_error_t *err)
{
    return node_init(dir, identity, true, err);
}

static int node_init(const char *dir, const ms_identity_t *identity, bool invited, ms_error_t *err)
{
    int rc = check_identity(identity, err);
    if (rc)
        return rc;
    char *path = key_path(dir);
    if (!path)
        return ms_error_set(err, MS_ENOMEM, dir, "no memory");
    if (access(path, F_OK) == 0) {
        free(path);
        return ms_error_set(err, MS_EEXIST, dir, "a node already exists here");
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        free(path);
        return ms_error_set(err, MS_EIO, dir, "cannot create directory: %s", strerror(errno));
    }
    ms_node_t *node = calloc(1, sizeof *node);
    ms_identity_t id = *identity;
    rc =
        node ? ms_keypair_new(&node->keypair, err) : ms_error_set(err, MS_ENOMEM, dir, "no memory");
    if (rc == 0) {
        memcpy(id.key, ms_keypair_public(node->keypair), MS_KEY_BYTES);
        if (id.role == MS_ROLE_SECRETARIAT) {
            snprintf(id.root, sizeof id.root, "%s", id.org);
            memcpy(id.root_key, id.key, MS_KEY_BYTES);
            id.parent[0] = 0;
        } else if (id.parent[0] && !id.root[0]) {
            snprintf(id.root, sizeof id.root, "%s", id.parent);
            memcpy(id.root_key, id.parent_key, MS_KEY_BYTES);
        }
        node->identity = id;
        node->dir = strdup(dir);
        rc = ms_keypair_save(node->keypair, path, err);
    }
    if (rc == 0)
        rc = ms_store_open(dir, &node->store, err);
    if (rc == 0) {
        init_ctx_t ctx = {node, &id, invited};
        rc = ms_store_write(node->store, write_initial, &ctx, err);
    }
    if (rc && node && node->keypair)
        unlink(path);
    free(path);
    ms_node_close(&node);
    return rc;
}

static int flag_set(ms_txn_t *txn, const char *name, const char *reason, ms_error_t *err)
{
    return ms_txn_put(txn, MS_TABLE_META, name, strlen(name), reason, strlen(reason), 0, err);
}

static int flag_get(ms_txn_t *txn, const char *name, char *reason, size_t cap, ms_error_t *err)
{
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_META, name, strlen(name), &val, err);
    if (rc == 0 && cap)
        snprintf(reason, cap, "%.*s", (int)(val.len < cap ? val.len : cap - 1),
                 (const char *)val.data);
    return rc;
}

typedef struct {
    ms_node_t *node;
    const char *place;  //  "dev:inode" of the store's data file now
    bool moved;         //  it was elsewhere before
} place_ctx_t;

static int save_place(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    place_ctx_t *p = arg;
    int rc = flag_set(txn, PLACE, p->place, err);
    if (rc == 0 && p->moved)
        rc =
            ms_node_set_pending(p->node, txn,
                                _("this node's files were copied, moved or restored from a backup; "
                                  "what the parent holds of its feeds comes first, so a copy "
                                  "never forks them"),
                                err);
    return rc;
}

//  A node copied (or restored from a copy) may lack what it wrote since:
//  the store's data file is then another file than the one it recorded.
static int check_place(ms_node_t *node, ms_error_t *err)
{
    char path[4096], place[64], held[64] = "";
    struct stat st;
    snprintf(path, sizeof path, "%s/data.mdb", node->dir);
    if (stat(path, &st) != 0)
        return 0;
    snprintf(place, sizeof place, "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    ms_txn_t *txn;
    int rc = ms_store_read(node->store, &txn, err);
    if (rc)
        return rc;
    rc = flag_get(txn, PLACE, held, sizeof held, err);
    ms_txn_abort(&txn);
    if (rc == 0 && strcmp(held, place) == 0)
        return 0;
    if (rc && rc != MS_ENOTFOUND)
        return rc;
    place_ctx_t p = {node, place, rc == 0};
    return ms_store_write(node->store, save_place, &p, err);
}

int ms_node_open(const char *dir, ms_node_t **node_p, ms_error_t *err)
{
    *node_p = NULL;
    char *path = key_path(dir);
    if (!path)
        return ms_error_set(err, MS_ENOMEM, dir, "no memory");
    int exists = access(path, F_OK) == 0;
    free(path);
    if (!exists)
        return ms_error_set(err, MS_ENOTFOUND, dir,
                            "no node here (create one with: mutsync -d %s init ...)", dir);
    ms_node_t *node = calloc(1, sizeof *node);
    if (!node || !(node->dir = strdup(dir))) {
        free(node);
        return ms_error_set(err, MS_ENOMEM, dir, "no memory");
    }
    int rc = ms_store_open(dir, &node->store, err);
    if (rc == 0)
        rc = load_identity(node->store, &node->identity, err);
    if (rc == MS_ENOTFOUND)
        rc = ms_error_set(err, MS_ESTORE, dir, "the node's identity is missing from its store");
    if (rc == 0)
        rc = check_place(node, err);
    if (rc) {
        ms_node_close(&node);
        return rc;
    }
    *node_p = node;
    return 0;
}

void ms_node_close(ms_node_t **node_p)
{
    if (!node_p || !*node_p)
        return;
    ms_node_t *self = *node_p;
    ms_keypair_destroy(&self->keypair);
    ms_store_close(&self->store);
    free(self->dir);
    free(self);
    *node_p = NULL;
}

const ms_identity_t *ms_node_identity(const ms_node_t *self)
{
    return &self->identity;
}

ms_store_t *ms_node_store(ms_node_t *self)
{
    return self->store;
}

int ms_node_keypair(ms_node_t *self, const ms_keypair_t **keypair_p, ms_error_t *err)
{
    *keypair_p = NULL;
    if (!self->keypair) {
        char *path = key_path(self->dir);
        if (!path)
            return ms_error_set(err, MS_ENOMEM, self->dir, "no memory");
        int rc = ms_keypair_load(path, &self->keypair, err);
        free(path);
        if (rc)
            return rc;
    }
    *keypair_p = self->keypair;
    return 0;
}

void ms_node_set_hook(ms_node_t *self, const ms_apply_hook_t *hook)
{
    self->hook = hook ? *hook : (ms_apply_hook_t){NULL, NULL, NULL, NULL};
}

void ms_node_set_publisher(ms_node_t *self, ms_publish_fn fn, void *ctx)
{
    self->publish = fn;
    self->publish_ctx = ctx;
}

int ms_node_before_leave(ms_node_t *self, ms_error_t *err)
{
    if (!self->publish)
        return 0;
    //  A node that may not write yet (pending, forked) has nothing to publish.
    ms_txn_t *txn;
    int rc = ms_store_read(self->store, &txn, err);
    if (rc)
        return rc;
    rc = ms_node_forked(self, txn, NULL, 0, err);
    if (rc == MS_ENOTFOUND)
        rc = ms_node_pending(self, txn, NULL, 0, err);
    ms_txn_abort(&txn);
    if (rc == 0)
        return 0;
    if (rc != MS_ENOTFOUND)
        return rc;
    return self->publish(self, self->publish_ctx, err);
}

int ms_node_set_forked(ms_node_t *self, ms_txn_t *txn, const char *reason, ms_error_t *err)
{
    (void)self;
    return flag_set(txn, FORKED, reason, err);
}

int ms_node_clear_forked(ms_node_t *self, ms_txn_t *txn, ms_error_t *err)
{
    (void)self;
    return ms_txn_del(txn, MS_TABLE_META, FORKED, strlen(FORKED), err);
}

int ms_node_forked(ms_node_t *self, ms_txn_t *txn, char *reason, size_t cap, ms_error_t *err)
{
    (void)self;
    return flag_get(txn, FORKED, reason, cap, err);
}

int ms_node_set_pending(ms_node_t *self, ms_txn_t *txn, const char *reason, ms_error_t *err)
{
    return self->identity.parent[0] ? flag_set(txn, PENDING, reason, err) : 0;
}

int ms_node_clear_pending(ms_node_t *self, ms_txn_t *txn, ms_error_t *err)
{
    ms_val_t val;
    int rc = ms_txn_get(txn, MS_TABLE_META, PENDING, strlen(PENDING), &val, err);
    if (rc)
        return rc == MS_ENOTFOUND ? 0 : rc;
    rc = ms_txn_del(txn, MS_TABLE_META, PENDING, strlen(PENDING), err);
    //  A new org (its parent held nothing of it) publishes its card now.
    ms_head_t head;
    if (rc == 0)
        rc = ms_replica_head(txn, self->identity.org, "public", &head, err);
    if (rc == 0 && head.seq == 0)
        rc = write_card(self, txn, err);
    return rc;
}

int ms_node_pending(ms_node_t *self, ms_txn_t *txn, char *reason, size_t cap, ms_error_t *err)
{
    (void)self;
    return flag_get(txn, PENDING, reason, cap, err);
}

int ms_node_append(ms_node_t *self, ms_txn_t *txn, const char *feed, const ms_change_t *changes,
                   size_t count, ms_verdict_t *verdict, ms_error_t *err)
{
    return ms_node_append_fresh(self, txn, feed, changes, NULL, count, verdict, err);
}

int ms_node_append_fresh(ms_node_t *self, ms_txn_t *txn, const char *feed,
                         const ms_change_t *changes, const bool *fresh, size_t count,
                         ms_verdict_t *verdict, ms_error_t *err)
{
    memset(verdict, 0, sizeof *verdict);
    ms_head_t head;
    int rc = ms_node_may_write(self, txn, err);
    if (rc == 0)
        rc = ms_replica_head(txn, self->identity.org, feed, &head, err);
    ms_sealed_t sealed = {.bytes = NULL};
    if (rc == 0)
        rc = ms_node_seal(self, &head, feed, changes, fresh, count, &sealed, err);
    if (rc == 0)
        rc = ms_node_accept_sealed(self, txn, &sealed, verdict, err);
    ms_sealed_free(&sealed);
    return rc;
}

int ms_node_may_write(ms_node_t *self, ms_txn_t *txn, ms_error_t *err)
{
    char why[256];
    int rc = ms_node_forked(self, txn, why, sizeof why, err);
    if (rc == 0)
        return ms_error_set(err, MS_EREFUSED, self->identity.org,
                            "this node may not write until its parent resolves a fork: %s", why);
    if (rc == MS_ENOTFOUND)
        rc = ms_node_pending(self, txn, why, sizeof why, err);
    if (rc == 0)
        return ms_error_set(err, MS_EREFUSED, self->identity.org,
                            "sync with the parent %s first (mutsync sync): %s",
                            self->identity.parent, why);
    if (rc != MS_ENOTFOUND)
        return rc;
    const ms_keypair_t *keypair;
    return ms_node_keypair(self, &keypair, err);
}

int ms_node_seal(const ms_node_t *self, const ms_head_t *head, const char *feed,
                 const ms_change_t *changes, const bool *fresh, size_t count, ms_sealed_t *sealed,
                 ms_error_t *err)
{
    memset(sealed, 0, sizeof *sealed);
    if (!self->keypair)
        return ms_error_set(err, MS_EINVAL, self->identity.org, "no key loaded to sign with");
    sealed->cs = (ms_changeset_t){
        .origin = self->identity.org,
        .feed = feed,
        .seq = head->seq + 1,
        .created = (int64_t)time(NULL),
        .change_count = count,
        .changes = changes,
        .fresh = fresh,
    };
    memcpy(sealed->cs.signer, ms_keypair_public(self->keypair), MS_KEY_BYTES);
    memcpy(sealed->cs.prev, head->hash, MS_HASH_BYTES);
    uint8_t *body = NULL;
    size_t body_len = 0;
    int rc = ms_changeset_encode(&sealed->cs, &body, &body_len, err);
    if (rc == 0) {
        ms_body_id(body, body_len, sealed->id);
        rc = ms_envelope_seal(self->keypair, body, body_len, sealed->id, &sealed->bytes,
                              &sealed->len, err);
    }
    free(body);
    return rc;
}

int ms_node_accept_sealed(ms_node_t *self, ms_txn_t *txn, const ms_sealed_t *sealed,
                          ms_verdict_t *verdict, ms_error_t *err)
{
    int rc = ms_accept_own(txn, sealed->bytes, sealed->len, sealed->id, &sealed->cs, &self->hook,
                           verdict, err);
    if (rc == 0 && verdict->outcome != MS_OUTCOME_APPLIED)
        rc = ms_error_set(err, MS_EREFUSED, self->identity.org, "own change set refused: %s (%s)",
                          ms_refusal_name(verdict->reason), verdict->detail);
    //  A receiver would set a bad value aside; the writer refuses it before it
    //  leaves (the caller's transaction, with the signed change set, is dropped).
    if (rc == 0 && verdict->set_aside)
        rc = ms_error_set(err, MS_EREFUSED, self->identity.org,
                          "own change set refused: %zu of its changes break a value rule: %s",
                          verdict->set_aside, verdict->detail);
    return rc;
}

void ms_sealed_free(ms_sealed_t *sealed)
{
    free(sealed->bytes);
    sealed->bytes = NULL;
    sealed->len = 0;
}

//  Its parent's resolution of a fork of this node's feeds has arrived: the
//  fork mark goes, and what the parent holds comes first (the node's feed
//  may have rolled back to the fork, the kept branch still to fetch).
static int own_resolution(ms_node_t *self, ms_txn_t *txn, const ms_change_t *change,
                          ms_error_t *err)
{
    size_t len = strlen(self->identity.org);
    if (change->collection != MS_COLL_RESOLUTION || change->op != MS_OP_UPSERT ||
        strncmp(change->key, self->identity.org, len) != 0 || change->key[len] != '|')
        return 0;
    ms_log(MS_LOG_WARN, "node", "%s resolved a fork of this node's feeds (%s)",
           self->identity.parent, change->key);
    int rc = ms_node_clear_forked(self, txn, err);
    return rc ? rc
              : ms_node_set_pending(self, txn,
                                    "the parent resolved a fork of this node's feeds; the branch "
                                    "it kept comes first",
                                    err);
}

static int hook_apply(ms_txn_t *txn, const char *owner, uint64_t seq, const ms_change_t *change,
                      bool fresh, void *ctx, ms_error_t *err)
{
    ms_node_t *self = ctx;
    int rc = own_resolution(self, txn, change, err);
    if (rc == 0 && self->hook.fn)
        rc = self->hook.fn(txn, owner, seq, change, fresh, self->hook.ctx, err);
    return rc;
}

static int hook_applied(ms_txn_t *txn, const char *origin, const char *feed, uint64_t seq,
                        void *ctx, ms_error_t *err)
{
    ms_node_t *self = ctx;
    return self->hook.applied ? self->hook.applied(txn, origin, feed, seq, self->hook.ctx, err) : 0;
}

static int hook_check(ms_txn_t *txn, const char *owner, const ms_change_t *change, void *ctx,
                      char *detail, size_t cap, ms_error_t *err)
{
    ms_node_t *self = ctx;
    return self->hook.check ? self->hook.check(txn, owner, change, self->hook.ctx, detail, cap, err)
                            : 0;
}

int ms_node_accept(ms_node_t *self, ms_txn_t *txn, const uint8_t *bytes, size_t len,
                   const char *source, ms_verdict_t *verdict, ms_error_t *err)
{
    ms_apply_hook_t hook = {hook_apply, hook_applied, self, hook_check};
    return ms_accept(txn, self->identity.org, bytes, len, source, &hook, verdict, err);
}

//  The register reach an org grants and its parent are part of its signed
//  card, so every receiver reads them from the org itself: a change
//  republishes the card.
static int publish_card(ms_node_t *self, ms_txn_t *txn, uint32_t reach, const char *parent,
                        ms_error_t *err)
{
    const char *org = self->identity.org;
    ms_stored_record_t stored;
    ms_org_t card;
    int rc = ms_replica_record(txn, MS_COLL_ORG, org, org, &stored, err);
    if (rc == MS_ENOTFOUND)
        return 0;  //  no card yet: the first one will say so
    if (rc == 0)
        rc = ms_org_decode(stored.value, stored.value_len, &card, err);
    if (rc || (card.register_reach == reach && strcmp(card.parent, parent) == 0))
        return rc;
    card.register_reach = reach;
    snprintf(card.parent, sizeof card.parent, "%s", parent);
    uint8_t value[MS_VALUE_MAX];
    size_t len = 0;
    if (ms_org_encode(&card, value, sizeof value, &len) != 0)
        return ms_error_set(err, MS_EINVAL, org, "org card too large");
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, org, value, len};
    ms_verdict_t verdict;
    return ms_node_append(self, txn, "public", &change, 1, &verdict, err);
}

int ms_node_set_parent(ms_node_t *self, ms_txn_t *txn, const char *parent, const uint8_t *key,
                       ms_role_t role, const char *endpoint, ms_error_t *err)
{
    ms_identity_t id = self->identity;
    snprintf(id.parent, sizeof id.parent, "%s", parent);
    memcpy(id.parent_key, key, MS_KEY_BYTES);
    id.parent_role = role;
    if (endpoint)
        snprintf(id.parent_endpoint, sizeof id.parent_endpoint, "%s", endpoint);
    ms_cert_t cert;
    anchor_cert(&cert, "", role, "", "", key);
    int rc = strcmp(parent, id.root) != 0 ? ms_trust_pin(txn, parent, &cert, err) : 0;
    ms_trust_entry_t own;
    if (rc == 0)
        rc = ms_trust_get(txn, id.org, &own, err);
    if (rc == 0) {
        snprintf(own.cert.parent, sizeof own.cert.parent, "%s", parent);
        rc = ms_trust_pin(txn, id.org, &own.cert, err);
    }
    if (rc == 0)
        rc = save_identity(txn, &id, err);
    if (rc == 0)
        rc = publish_card(self, txn, id.register_reach, parent, err);
    if (rc == 0)
        self->identity = id;
    return rc;
}

int ms_node_save_identity(ms_node_t *self, ms_txn_t *txn, const ms_identity_t *identity,
                          ms_error_t *err)
{
    int rc = save_identity(txn, identity, err);
    if (rc == 0 && identity->register_reach != self->identity.register_reach)
        rc = publish_card(self, txn, identity->register_reach, identity->parent, err);
    if (rc == 0)
        self->identity = *identity;
    return rc;
}
