//  cmd_node - init, whoami and child: a node's identity and its children.

#include "cli.h"
#include "commands.h"

#include "mutsync/policy.h"
#include "mutsync/replica.h"
#include "mutsync/trust.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char init_usage[] =
    N_("usage: mutsync -d DIR init --org ID --role mutual|union|secretariat --country CC\n"
       "                           --name NAME [--parent ORG --parent-key KEY\n"
       "                           [--parent-endpoint tcp://HOST:PORT] [--parent-role ROLE]]\n"
       "                           [--root ORG --root-key KEY] [--register-reach N]\n"
       "Creates the node: a key pair (DIR/node.key, mode 0600), the store, and the org\n"
       "card as the first change set of the public feed. KEY is the hex key 'whoami'\n"
       "prints on the parent. --root/--root-key name the secretariat (the trust root)\n"
       "when it is not the parent. --register-reach 1 lets the member register travel\n"
       "to the parent union (default 0: it stays here).\n");

static int parse_key(const char *text, uint8_t *key, const char *what)
{
    ms_error_t err = {0};
    if (ms_key_from_hex(text, key, &err) != 0)
        return cli_usage(init_usage, _("%s: %s"), what, err.message);
    return 0;
}

enum {
    INIT_ORG,
    INIT_ROLE,
    INIT_COUNTRY,
    INIT_NAME,
    INIT_PARENT,
    INIT_PARENT_KEY,
    INIT_PARENT_ENDPOINT,
    INIT_PARENT_ROLE,
    INIT_ROOT,
    INIT_ROOT_KEY,
    INIT_REGISTER_REACH,
};

static const cli_opt_t init_opts[] = {
    {"org", CLI_TEXT, 0, 0, 0},
    {"role", CLI_TEXT, 0, 0, 0},
    {"country", CLI_TEXT, 0, 0, 0},
    {"name", CLI_TEXT, 0, 0, 0},
    {"parent", CLI_TEXT, 0, 0, 0},
    {"parent-key", CLI_TEXT, 0, 0, 0},
    {"parent-endpoint", CLI_TEXT, 0, 0, 0},
    {"parent-role", CLI_TEXT, 0, 0, 0},
    {"root", CLI_TEXT, 0, 0, 0},
    {"root-key", CLI_TEXT, 0, 0, 0},
    {"register-reach", CLI_UINT, 0, 1, 0},
    {NULL, 0, 0, 0, 0},
};

//  Fills ID from the parsed options; returns 0 or CLI_USAGE.
static int init_identity(const cli_args_t *args, ms_identity_t *id)
{
    const char *const *text = args->text;
    int rc;
    if (text[INIT_ROLE] && !(id->role = ms_role_from_name(text[INIT_ROLE])))
        return cli_usage(init_usage, _("role \"%s\" is not mutual, union or secretariat"),
                         text[INIT_ROLE]);
    if (text[INIT_COUNTRY] && strlen(text[INIT_COUNTRY]) != 2)
        return cli_usage(init_usage, _("country \"%s\" is not a two-letter code"),
                         text[INIT_COUNTRY]);
    if (text[INIT_PARENT_ROLE] && !(id->parent_role = ms_role_from_name(text[INIT_PARENT_ROLE])))
        return cli_usage(init_usage, _("parent role \"%s\" is unknown"), text[INIT_PARENT_ROLE]);
    if (text[INIT_PARENT_KEY] &&
        (rc = parse_key(text[INIT_PARENT_KEY], id->parent_key, "--parent-key")))
        return rc;
    if (text[INIT_ROOT_KEY] && (rc = parse_key(text[INIT_ROOT_KEY], id->root_key, "--root-key")))
        return rc;
    snprintf(id->org, sizeof id->org, "%s", text[INIT_ORG] ? text[INIT_ORG] : "");
    snprintf(id->country, sizeof id->country, "%s", text[INIT_COUNTRY] ? text[INIT_COUNTRY] : "");
    snprintf(id->name, sizeof id->name, "%s", text[INIT_NAME] ? text[INIT_NAME] : "");
    snprintf(id->parent, sizeof id->parent, "%s", text[INIT_PARENT] ? text[INIT_PARENT] : "");
    snprintf(id->parent_endpoint, sizeof id->parent_endpoint, "%s",
             text[INIT_PARENT_ENDPOINT] ? text[INIT_PARENT_ENDPOINT] : "");
    snprintf(id->root, sizeof id->root, "%s", text[INIT_ROOT] ? text[INIT_ROOT] : "");
    id->register_reach = (uint32_t)args->number[INIT_REGISTER_REACH];
    return 0;
}

int cmd_init(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_parse(argc, argv, init_opts, NULL, init_usage, &args);
    if (rc)
        return rc;
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    if ((rc = init_identity(&args, &id)))
        return rc;
    bool has_parent_key = args.text[INIT_PARENT_KEY] != NULL;
    bool has_root_key = args.text[INIT_ROOT_KEY] != NULL;
    const char *dir = cli_dir();
    if (!id.org[0] || !id.role || !id.country[0] || !id.name[0])
        return cli_usage(init_usage, _("--org, --role, --country and --name are required"));
    if (id.role != MS_ROLE_SECRETARIAT && (id.parent[0] != 0) != has_parent_key)
        return cli_usage(init_usage, _("--parent and --parent-key go together"));
    if ((id.root[0] != 0) != has_root_key)
        return cli_usage(init_usage, _("--root and --root-key go together"));
    if (id.parent[0] && !id.parent_role)
        id.parent_role = id.role == MS_ROLE_MUTUAL ? MS_ROLE_UNION : MS_ROLE_SECRETARIAT;
    if (id.parent_role == MS_ROLE_SECRETARIAT && !id.root[0]) {
        snprintf(id.root, sizeof id.root, "%s", id.parent);
        memcpy(id.root_key, id.parent_key, MS_KEY_BYTES);
    }
    ms_error_t err = {0};
    if (ms_node_init(dir, &id, &err) != 0)
        return cli_fail(&err);
    ms_node_t *node;
    if ((rc = cli_open(dir, &node)))
        return rc;
    char hex[MS_KEY_HEX_BYTES], fingerprint[MS_FINGERPRINT_BYTES];
    ms_key_to_hex(ms_node_identity(node)->key, hex);
    ms_key_fingerprint(ms_node_identity(node)->key, fingerprint);
    printf(_("created %s (%s, %s) in %s\nkey %s\nfingerprint %s\n"), id.org, ms_role_name(id.role),
           id.country, dir, hex, fingerprint);
    ms_node_close(&node);
    return CLI_OK;
}

static const char whoami_usage[] =
    N_("usage: mutsync -d DIR whoami [--format table|json]\n"
       "Shows this node's org, role, country, name, public key and\n"
       "its fingerprint (read it to the parent's operator at enrolment).\n");

//  The options of a command whose only option is --format table|json.
static const cli_opt_t format_opts[] = {{"format", CLI_FORMAT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

int cmd_whoami(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_parse(argc, argv, format_opts, NULL, whoami_usage, &args);
    if (rc)
        return rc;
    cli_format_t format = args.format;
    ms_node_t *node;
    rc = cli_open(cli_dir(), &node);
    if (rc)
        return rc;
    const ms_identity_t *id = ms_node_identity(node);
    char hex[MS_KEY_HEX_BYTES], fingerprint[MS_FINGERPRINT_BYTES];
    ms_key_to_hex(id->key, hex);
    ms_key_fingerprint(id->key, fingerprint);
    if (format == CLI_JSON) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "org", json_object_new_string(id->org));
        json_object_object_add(o, "role", json_object_new_string(ms_role_name(id->role)));
        json_object_object_add(o, "country", json_object_new_string(id->country));
        json_object_object_add(o, "name", json_object_new_string(id->name));
        json_object_object_add(o, "key", json_object_new_string(hex));
        json_object_object_add(o, "fingerprint", json_object_new_string(fingerprint));
        json_object_object_add(o, "parent", json_object_new_string(id->parent));
        json_object_object_add(o, "parent_endpoint", json_object_new_string(id->parent_endpoint));
        json_object_object_add(o, "root", json_object_new_string(id->root));
        json_object_object_add(o, "register_reach", json_object_new_int((int)id->register_reach));
        cli_print_json(o, false);
        json_object_put(o);
    } else {
        char parent[MS_ORG_MAX + MS_ENDPOINT_MAX + 16], reach[48];
        snprintf(parent, sizeof parent, id->parent_endpoint[0] ? _("%s at %s") : "%s", id->parent,
                 id->parent_endpoint);
        snprintf(reach, sizeof reach, _("reach %u"), id->register_reach);
        const char *pairs[][2] = {
            {_("org"), id->org},
            {_("role"), ms_role_name(id->role)},
            {_("country"), id->country},
            {_("name"), id->name},
            {_("key"), hex},
            {_("fingerprint"), fingerprint},
            {_("parent"), parent},
            {_("root"), id->root},
            {_("register"), reach},
        };
        const char *shown[sizeof pairs / sizeof pairs[0]][2];
        size_t count = 0;
        for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
            if (pairs[i][1][0]) {  //  parent and root only when there is one
                shown[count][0] = pairs[i][0];
                shown[count++][1] = pairs[i][1];
            }
        cli_print_pairs(shown, count, 12);
    }
    ms_node_close(&node);
    return CLI_OK;
}

static const char child_usage[] = N_(
    "usage: mutsync -d DIR child add --org ID --role mutual|union --country CC --name NAME --key "
    "KEY\n"
    "       mutsync -d DIR child revoke --org ID [--reason TEXT]\n"
    "       mutsync -d DIR child remove --org ID\n"
    "       mutsync -d DIR child release --org ID --to NEWPARENT [--reason TEXT]\n"
    "       mutsync -d DIR child list [--format table|json]\n"
    "add certifies a direct child's key (KEY as its 'whoami' prints it) in this node's\n"
    "certs feed; ID must be in this node's namespace (ID-of-this-node-...; the\n"
    "secretariat also grants top-level ids such as ML-UTM) or released to it.\n"
    "revoke cancels the key from the positions its feeds have reached here: what it\n"
    "signed before stays valid, anything after is refused everywhere.\n"
    "remove withdraws a certificate given by mistake, for a key that never wrote.\n"
    "release hands the id to NEWPARENT (a mutual moving to another union): only\n"
    "NEWPARENT may certify it next. All travel in the certs feed.\n");

typedef struct {
    ms_node_t *node;
    const ms_change_t *change;
    ms_verdict_t verdict;
} append_ctx_t;

//  Certificates, revocations and releases go in the certs feed (policy.h).
static int append_certs(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    append_ctx_t *ctx = arg;
    return ms_node_append(ctx->node, txn, ms_policy_feed_name(MS_FEED_CERTS), ctx->change, 1,
                          &ctx->verdict, err);
}

enum { CHILD_ORG, CHILD_ROLE, CHILD_COUNTRY, CHILD_NAME, CHILD_KEY };

static const cli_opt_t child_add_opts[] = {
    {"org", CLI_TEXT, 0, 0, 0},  {"role", CLI_TEXT, 0, 0, 0}, {"country", CLI_TEXT, 0, 0, 0},
    {"name", CLI_TEXT, 0, 0, 0}, {"key", CLI_TEXT, 0, 0, 0},  {NULL, 0, 0, 0, 0},
};

static int child_add(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *const *text = args->text;
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    char org[MS_ORG_MAX + 1] = "";
    const char *key_text = text[CHILD_KEY];
    snprintf(org, sizeof org, "%s", text[CHILD_ORG] ? text[CHILD_ORG] : "");
    cert.role = text[CHILD_ROLE] ? ms_role_from_name(text[CHILD_ROLE]) : 0;
    snprintf(cert.country, sizeof cert.country, "%.2s",
             text[CHILD_COUNTRY] ? text[CHILD_COUNTRY] : "");
    snprintf(cert.name, sizeof cert.name, "%s", text[CHILD_NAME] ? text[CHILD_NAME] : "");
    if (!org[0] || !cert.role || !cert.country[0] || !cert.name[0] || !key_text)
        return cli_usage(child_usage, _("--org, --role, --country, --name and --key are required"));
    ms_error_t err = {0};
    if (ms_org_id_check(org, &err) != 0 || ms_key_from_hex(key_text, cert.key, &err) != 0)
        return cli_fail(&err);
    snprintf(cert.parent, sizeof cert.parent, "%s", ms_node_identity(node)->org);
    cert.valid_from = (int64_t)time(NULL);
    uint8_t value[1024];
    size_t len = 0;
    if (ms_cert_encode(&cert, value, sizeof value, &len) != 0)
        return cli_usage(child_usage, _("certificate too large"));
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, org, value, len};
    append_ctx_t ctx = {node, &change, {0}};
    if (ms_store_write(ms_node_store(node), append_certs, &ctx, &err) != 0)
        return cli_fail(&err);
    char fingerprint[MS_FINGERPRINT_BYTES];
    ms_key_fingerprint(cert.key, fingerprint);
    printf(_("certified %s (%s, %s) key fingerprint %s in certs seq %llu\n"), org,
           ms_role_name(cert.role), cert.country, fingerprint, (unsigned long long)ctx.verdict.seq);
    return CLI_OK;
}

//  Where each feed of ORG this node holds has reached: the revocation's positions.
static int feed_positions(ms_node_t *node, const char *org, ms_revocation_t *revocation,
                          ms_error_t *err)
{
    ms_txn_t *txn;
    int rc = ms_store_read(ms_node_store(node), &txn, err);
    for (int kind = 0; rc == 0 && kind < MS_FEED_KIND_COUNT; kind++) {
        const char *feed = ms_policy_feed_name((ms_feed_kind_t)kind);
        ms_head_t head;
        rc = ms_replica_head(txn, org, feed, &head, err);
        if (rc == 0 && (head.seq || kind == MS_FEED_PUBLIC)) {
            ms_feed_position_t *p = &revocation->positions[revocation->position_count++];
            snprintf(p->feed, sizeof p->feed, "%s", feed);
            p->last_seq = head.seq;
        }
    }
    ms_txn_abort(&txn);
    return rc;
}

//  Reads ORG's trust entry; refuses (CLI_REFUSED) unless this node holds it as its child.
static int own_child(ms_node_t *node, const char *org, ms_trust_entry_t *entry)
{
    ms_error_t err = {0};
    ms_txn_t *txn;
    if (ms_store_read(ms_node_store(node), &txn, &err) != 0)
        return cli_fail(&err);
    int rc = ms_trust_get(txn, org, entry, &err);
    ms_txn_abort(&txn);
    if (rc == MS_ENOTFOUND ||
        (rc == 0 &&
         (strcmp(entry->cert.parent, ms_node_identity(node)->org) != 0 || entry->released_to[0])))
        return cli_refuse(_("%s is not a child certified by this node"), org);
    return rc ? cli_fail(&err) : CLI_OK;
}

static const cli_opt_t child_remove_opts[] = {{"org", CLI_TEXT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

static int child_remove(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *org = args->text[0];
    if (!org || !org[0])
        return cli_usage(child_usage, _("child remove needs --org ID"));
    ms_trust_entry_t entry;
    int rc = own_child(node, org, &entry);
    if (rc)
        return rc;
    ms_revocation_t written;
    memset(&written, 0, sizeof written);
    ms_error_t err = {0};
    if (feed_positions(node, org, &written, &err) != 0)
        return cli_fail(&err);
    for (size_t i = 0; i < written.position_count; i++)
        if (written.positions[i].last_seq)
            return cli_refuse(_("the key of %s wrote %llu change sets of its %s feed: revoke it "
                                "with 'child revoke --org %s' instead"),
                              org, (unsigned long long)written.positions[i].last_seq,
                              written.positions[i].feed, org);
    ms_change_t change = {MS_COLL_CERT, MS_OP_DELETE, org, NULL, 0};
    append_ctx_t ctx = {node, &change, {0}};
    if (ms_store_write(ms_node_store(node), append_certs, &ctx, &err) != 0)
        return cli_fail(&err);
    printf(_("withdrew the certificate of %s in certs seq %llu\n"), org,
           (unsigned long long)ctx.verdict.seq);
    return CLI_OK;
}

enum { RELEASE_ORG, RELEASE_TO, RELEASE_REASON };

static const cli_opt_t child_release_opts[] = {{"org", CLI_TEXT, 0, 0, 0},
                                               {"to", CLI_TEXT, 0, 0, 0},
                                               {"reason", CLI_TEXT, 0, 0, 0},
                                               {NULL, 0, 0, 0, 0}};

static int child_release(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *org = args->text[RELEASE_ORG];
    ms_release_t release;
    memset(&release, 0, sizeof release);
    snprintf(release.to, sizeof release.to, "%s",
             args->text[RELEASE_TO] ? args->text[RELEASE_TO] : "");
    snprintf(release.reason, sizeof release.reason, "%s",
             args->text[RELEASE_REASON] ? args->text[RELEASE_REASON] : "");
    if (!org || !org[0] || !release.to[0])
        return cli_usage(child_usage, _("child release needs --org ID and --to NEWPARENT"));
    ms_error_t err = {0};
    if (ms_org_id_check(release.to, &err) != 0)
        return cli_fail(&err);
    ms_trust_entry_t entry;
    int rc = own_child(node, org, &entry);
    if (rc)
        return rc;
    uint8_t value[1024];
    size_t len = 0;
    if (ms_release_encode(&release, value, sizeof value, &len) != 0)
        return cli_usage(child_usage, _("reason too long"));
    ms_change_t change = {MS_COLL_RELEASE, MS_OP_UPSERT, org, value, len};
    append_ctx_t ctx = {node, &change, {0}};
    if (ms_store_write(ms_node_store(node), append_certs, &ctx, &err) != 0)
        return cli_fail(&err);
    printf(_("released %s to %s in certs seq %llu: only %s may certify it now\n"), org, release.to,
           (unsigned long long)ctx.verdict.seq, release.to);
    return CLI_OK;
}

enum { REVOKE_ORG, REVOKE_REASON };

static const cli_opt_t child_revoke_opts[] = {
    {"org", CLI_TEXT, 0, 0, 0}, {"reason", CLI_TEXT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

static int child_revoke(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    char org[MS_ORG_MAX + 1] = "";
    ms_revocation_t revocation;
    memset(&revocation, 0, sizeof revocation);
    snprintf(org, sizeof org, "%s", args->text[REVOKE_ORG] ? args->text[REVOKE_ORG] : "");
    snprintf(revocation.reason, sizeof revocation.reason, "%s",
             args->text[REVOKE_REASON] ? args->text[REVOKE_REASON] : "");
    if (!org[0])
        return cli_usage(child_usage, _("--org is required"));
    ms_error_t err = {0};
    ms_trust_entry_t entry;
    int rc = own_child(node, org, &entry);
    if (rc)
        return rc;
    memcpy(revocation.key, entry.cert.key, MS_KEY_BYTES);
    revocation.from = (int64_t)time(NULL);
    if (feed_positions(node, org, &revocation, &err) != 0)
        return cli_fail(&err);
    char key[MS_KEY_MAX + 1], hex[MS_KEY_HEX_BYTES];
    ms_key_to_hex(entry.cert.key, hex);
    snprintf(key, sizeof key, "%s|%s", org, hex);
    uint8_t value[1024];
    size_t len = 0;
    if (ms_revocation_encode(&revocation, value, sizeof value, &len) != 0)
        return cli_usage(child_usage, _("reason too long"));
    ms_change_t change = {MS_COLL_REVOCATION, MS_OP_UPSERT, key, value, len};
    append_ctx_t ctx = {node, &change, {0}};
    if (ms_store_write(ms_node_store(node), append_certs, &ctx, &err) != 0)
        return cli_fail(&err);
    printf(_("revoked the key of %s in certs seq %llu; it stays valid up to"), org,
           (unsigned long long)ctx.verdict.seq);
    for (size_t i = 0; i < revocation.position_count; i++)
        printf("%s %s seq %llu", i ? "," : "", revocation.positions[i].feed,
               (unsigned long long)revocation.positions[i].last_seq);
    printf("\n");
    return CLI_OK;
}

typedef struct {
    ms_txn_t *txn;
    const char *self;
    cli_format_t format;
    json_object *list;
} list_ctx_t;

static int print_child(const ms_trust_entry_t *entry, void *arg)
{
    list_ctx_t *ctx = arg;
    if (strcmp(entry->cert.parent, ctx->self) != 0)
        return 0;
    int64_t from = 0;
    bool revoked = ms_trust_revoked(ctx->txn, entry->cert.key, &from, NULL) == 0;
    char hex[MS_KEY_HEX_BYTES], fingerprint[MS_FINGERPRINT_BYTES];
    ms_key_to_hex(entry->cert.key, hex);
    ms_key_fingerprint(entry->cert.key, fingerprint);
    if (ctx->format == CLI_JSON) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "org", json_object_new_string(entry->org));
        json_object_object_add(o, "role", json_object_new_string(ms_role_name(entry->cert.role)));
        json_object_object_add(o, "country", json_object_new_string(entry->cert.country));
        json_object_object_add(o, "name", json_object_new_string(entry->cert.name));
        json_object_object_add(o, "key", json_object_new_string(hex));
        json_object_object_add(o, "revoked", json_object_new_boolean(revoked));
        json_object_array_add(ctx->list, o);
    } else {
        printf("%-20s %-8s %-3s %s %s %s\n", entry->org, ms_role_name(entry->cert.role),
               entry->cert.country, fingerprint, revoked ? "revoked" : "active", entry->cert.name);
    }
    return 0;
}

static int child_list(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    list_ctx_t ctx = {NULL, ms_node_identity(node)->org, args->format, NULL};
    ms_error_t err = {0};
    if (ms_store_read(ms_node_store(node), &ctx.txn, &err) != 0)
        return cli_fail(&err);
    ctx.list = json_object_new_array();
    int rc = ms_trust_list(ctx.txn, print_child, &ctx, &err);
    ms_txn_abort(&ctx.txn);
    if (rc == 0 && ctx.format == CLI_JSON)
        cli_print_json(ctx.list, false);
    json_object_put(ctx.list);
    return rc ? cli_fail(&err) : CLI_OK;
}

int cmd_child(int argc, char **argv)
{
    static const cli_sub_t subs[] = {{"add", child_add, child_add_opts, NULL},
                                     {"revoke", child_revoke, child_revoke_opts, NULL},
                                     {"remove", child_remove, child_remove_opts, NULL},
                                     {"release", child_release, child_release_opts, NULL},
                                     {"list", child_list, format_opts, NULL},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, child_usage, subs, NULL);
}

static const char config_usage[] =
    N_("usage: mutsync -d DIR config [--parent-endpoint tcp://HOST:PORT] [--register-reach N]\n"
       "Without options, shows where this node syncs and how far its member register\n"
       "travels. --parent-endpoint changes where the parent is reached (its server\n"
       "moved); --register-reach 1 lets the register go to the parent union from the\n"
       "next sync on (a union that runs a shared register), 0 keeps it here; mutsyncd\n"
       "reads both when it starts. Who the parent is and which key it has are fixed\n"
       "at init: they are the trust anchors.\n");

typedef struct {
    ms_node_t *node;
    ms_identity_t identity;
} config_ctx_t;

static int save_config(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    config_ctx_t *ctx = arg;
    return ms_node_save_identity(ctx->node, txn, &ctx->identity, err);
}

enum { CONFIG_PARENT_ENDPOINT, CONFIG_REGISTER_REACH };

static const cli_opt_t config_opts[] = {
    {"parent-endpoint", CLI_TEXT, 0, 0, 0},
    {"register-reach", CLI_UINT, 0, 1, 0},
    {NULL, 0, 0, 0, 0},
};

int cmd_config(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_parse(argc, argv, config_opts, NULL, config_usage, &args);
    if (rc)
        return rc;
    const char *endpoint = args.text[CONFIG_PARENT_ENDPOINT];
    const char *reach = args.text[CONFIG_REGISTER_REACH];
    if (endpoint && (strlen(endpoint) >= MS_ENDPOINT_MAX || strncmp(endpoint, "tcp://", 6) != 0))
        return cli_usage(config_usage, _("--parent-endpoint must look like tcp://HOST:PORT"));
    ms_node_t *node;
    if ((rc = cli_open(cli_dir(), &node)))
        return rc;
    config_ctx_t ctx = {node, *ms_node_identity(node)};
    if (endpoint || reach) {
        if (!ctx.identity.parent[0]) {
            ms_node_close(&node);
            return cli_refuse(_("%s has no parent: nothing to configure"), ctx.identity.org);
        }
        if (endpoint)
            snprintf(ctx.identity.parent_endpoint, sizeof ctx.identity.parent_endpoint, "%s",
                     endpoint);
        if (reach)
            ctx.identity.register_reach = (uint32_t)args.number[CONFIG_REGISTER_REACH];
        ms_error_t err = {0};
        if (ms_store_write(ms_node_store(node), save_config, &ctx, &err) != 0) {
            ms_node_close(&node);
            return cli_fail(&err);
        }
    }
    const ms_identity_t *id = ms_node_identity(node);
    char reach_text[160];
    snprintf(reach_text, sizeof reach_text, "%u (%s)", id->register_reach,
             id->register_reach ? _("the member register goes to the parent") : _("stays here"));
    const char *pairs[][2] = {
        {_("parent"), id->parent[0] ? id->parent : _("(none: the root)")},
        {_("parent endpoint"), id->parent_endpoint[0] ? id->parent_endpoint : _("(not set)")},
        {_("register reach"), reach_text},
    };
    cli_print_pairs(pairs, 3, 16);
    ms_node_close(&node);
    return CLI_OK;
}
