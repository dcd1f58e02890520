//  cmd_node - init, whoami and child: a node's identity and its children.

#include "cli.h"
#include "commands.h"

#include "mutsync/policy.h"
#include "mutsync/replica.h"
#include "mutsync/trust.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char init_usage[] =
    "usage: mutsync -d DIR init --org ID --role mutual|union|secretariat --country CC\n"
    "                           --name NAME [--parent ORG --parent-key KEY\n"
    "                           [--parent-endpoint tcp://HOST:PORT] [--parent-role ROLE]]\n"
    "                           [--root ORG --root-key KEY] [--register-reach N]\n"
    "Creates the node: a key pair (DIR/node.key, mode 0600), the store, and the org\n"
    "card as the first change set of the public feed. KEY is the hex key 'whoami'\n"
    "prints on the parent. --root/--root-key name the secretariat (the trust root)\n"
    "when it is not the parent. --register-reach 1 lets the member register travel\n"
    "to the parent union (default 0: it stays here).\n";

static int parse_key(const char *text, uint8_t *key, const char *what)
{
    ms_error_t err = {0};
    if (ms_key_from_hex(text, key, &err) != 0)
        return cli_usage(init_usage, "%s: %s", what, err.message);
    return 0;
}

int cmd_init(const char *dir, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help(init_usage);
    static const struct option options[] = {
        {"org", required_argument, 0, 'o'},
        {"role", required_argument, 0, 'r'},
        {"country", required_argument, 0, 'c'},
        {"name", required_argument, 0, 'n'},
        {"parent", required_argument, 0, 'p'},
        {"parent-key", required_argument, 0, 'k'},
        {"parent-endpoint", required_argument, 0, 'e'},
        {"parent-role", required_argument, 0, 'R'},
        {"root", required_argument, 0, 't'},
        {"root-key", required_argument, 0, 'K'},
        {"register-reach", required_argument, 0, 'g'},
        {0, 0, 0, 0},
    };
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    bool has_parent_key = false, has_root_key = false;
    int opt, rc;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'o':
            snprintf(id.org, sizeof id.org, "%s", optarg);
            break;
        case 'r':
            if (!(id.role = ms_role_from_name(optarg)))
                return cli_usage(init_usage, "role \"%s\" is not mutual, union or secretariat",
                                 optarg);
            break;
        case 'c':
            snprintf(id.country, sizeof id.country, "%.2s", optarg);
            if (strlen(optarg) != 2)
                return cli_usage(init_usage, "country \"%s\" is not a two-letter code", optarg);
            break;
        case 'n':
            snprintf(id.name, sizeof id.name, "%s", optarg);
            break;
        case 'p':
            snprintf(id.parent, sizeof id.parent, "%s", optarg);
            break;
        case 'k':
            if ((rc = parse_key(optarg, id.parent_key, "--parent-key")))
                return rc;
            has_parent_key = true;
            break;
        case 'e':
            snprintf(id.parent_endpoint, sizeof id.parent_endpoint, "%s", optarg);
            break;
        case 'R':
            if (!(id.parent_role = ms_role_from_name(optarg)))
                return cli_usage(init_usage, "parent role \"%s\" is unknown", optarg);
            break;
        case 't':
            snprintf(id.root, sizeof id.root, "%s", optarg);
            break;
        case 'K':
            if ((rc = parse_key(optarg, id.root_key, "--root-key")))
                return rc;
            has_root_key = true;
            break;
        case 'g':
            id.register_reach = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        default:
            return cli_usage(init_usage, "unknown option");
        }
    }
    if (optind < argc)
        return cli_usage(init_usage, "unexpected argument \"%s\"", argv[optind]);
    if (!id.org[0] || !id.role || !id.country[0] || !id.name[0])
        return cli_usage(init_usage, "--org, --role, --country and --name are required");
    if (id.role != MS_ROLE_SECRETARIAT && (id.parent[0] != 0) != has_parent_key)
        return cli_usage(init_usage, "--parent and --parent-key go together");
    if ((id.root[0] != 0) != has_root_key)
        return cli_usage(init_usage, "--root and --root-key go together");
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
    printf("created %s (%s, %s) in %s\nkey %s\nfingerprint %s\n", id.org, ms_role_name(id.role),
           id.country, dir, hex, fingerprint);
    ms_node_close(&node);
    return CLI_OK;
}

static const char whoami_usage[] =
    "usage: mutsync -d DIR whoami [--format table|json]\n"
    "Shows this node's org, role, country, name, public key and\n"
    "its fingerprint (read it to the parent's operator at enrolment).\n";

int cmd_whoami(const char *dir, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help(whoami_usage);
    cli_format_t format;
    int rc = cli_only_format(argc, argv, whoami_usage, false, &format);
    if (rc)
        return rc;
    ms_node_t *node;
    rc = cli_open(dir, &node);
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
        printf("org          %s\nrole         %s\ncountry      %s\nname         %s\n"
               "key          %s\nfingerprint  %s\n",
               id->org, ms_role_name(id->role), id->country, id->name, hex, fingerprint);
        if (id->parent[0])
            printf("parent       %s%s%s\n", id->parent, id->parent_endpoint[0] ? " at " : "",
                   id->parent_endpoint);
        if (id->root[0])
            printf("root         %s\n", id->root);
        printf("register     reach %u\n", id->register_reach);
    }
    ms_node_close(&node);
    return CLI_OK;
}

static const char child_usage[] =
    "usage: mutsync -d DIR child add --org ID --role mutual|union --country CC --name NAME --key "
    "KEY\n"
    "       mutsync -d DIR child revoke --org ID [--reason TEXT]\n"
    "       mutsync -d DIR child remove --org ID\n"
    "       mutsync -d DIR child release --org ID --to NEWPARENT [--reason TEXT]\n"
    "       mutsync -d DIR child list [--format table|json]\n"
    "add certifies a direct child's key (KEY as its 'whoami' prints it) in this node's\n"
    "public feed; ID must be in this node's namespace (ID-of-this-node-...; the\n"
    "secretariat also grants top-level ids such as ML-UTM) or released to it.\n"
    "revoke cancels the key from the positions its feeds have reached here: what it\n"
    "signed before stays valid, anything after is refused everywhere.\n"
    "remove withdraws a certificate given by mistake, for a key that never wrote.\n"
    "release hands the id to NEWPARENT (a mutual moving to another union): only\n"
    "NEWPARENT may certify it next. All travel with the public feed.\n";

typedef struct {
    ms_node_t *node;
    const ms_change_t *change;
    ms_verdict_t verdict;
} append_ctx_t;

static int append_public(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    append_ctx_t *ctx = arg;
    return ms_node_append(ctx->node, txn, "public", ctx->change, 1, &ctx->verdict, err);
}

static int child_add(ms_node_t *node, int argc, char **argv, const void *ctx_unused)
{
    (void)ctx_unused;
    static const struct option options[] = {
        {"org", required_argument, 0, 'o'},     {"role", required_argument, 0, 'r'},
        {"country", required_argument, 0, 'c'}, {"name", required_argument, 0, 'n'},
        {"key", required_argument, 0, 'k'},     {0, 0, 0, 0},
    };
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    char org[MS_ORG_MAX + 1] = "";
    const char *key_text = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'o')
            snprintf(org, sizeof org, "%s", optarg);
        else if (opt == 'r')
            cert.role = ms_role_from_name(optarg);
        else if (opt == 'c')
            snprintf(cert.country, sizeof cert.country, "%.2s", optarg);
        else if (opt == 'n')
            snprintf(cert.name, sizeof cert.name, "%s", optarg);
        else if (opt == 'k')
            key_text = optarg;
        else
            return cli_usage(child_usage, "unknown option");
    }
    if (!org[0] || !cert.role || !cert.country[0] || !cert.name[0] || !key_text)
        return cli_usage(child_usage, "--org, --role, --country, --name and --key are required");
    ms_error_t err = {0};
    if (ms_org_id_check(org, &err) != 0 || ms_key_from_hex(key_text, cert.key, &err) != 0)
        return cli_fail(&err);
    snprintf(cert.parent, sizeof cert.parent, "%s", ms_node_identity(node)->org);
    cert.valid_from = (int64_t)time(NULL);
    uint8_t value[1024];
    size_t len = 0;
    if (ms_cert_encode(&cert, value, sizeof value, &len) != 0)
        return cli_usage(child_usage, "certificate too large");
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, org, value, len};
    append_ctx_t ctx = {node, &change, {0}};
    if (ms_store_write(ms_node_store(node), append_public, &ctx, &err) != 0)
        return cli_fail(&err);
    char fingerprint[MS_FINGERPRINT_BYTES];
    ms_key_fingerprint(cert.key, fingerprint);
    printf("certified %s (%s, %s) key fingerprint %s in public seq %llu\n", org,
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
         (strcmp(entry->cert.parent, ms_node_identity(node)->org) != 0 || entry->released_to[0]))) {
        fprintf(stderr, "mutsync: %s is not a child certified by this node\n", org);
        return CLI_REFUSED;
    }
    return rc ? cli_fail(&err) : CLI_OK;
}

static int child_remove(ms_node_t *node, int argc, char **argv, const void *ctx_unused)
{
    (void)ctx_unused;
    static const struct option options[] = {{"org", required_argument, 0, 'o'}, {0, 0, 0, 0}};
    char org[MS_ORG_MAX + 1] = "";
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'o')
            snprintf(org, sizeof org, "%s", optarg);
        else
            return cli_usage(child_usage, "unknown option");
    }
    if (!org[0] || optind != argc)
        return cli_usage(child_usage, "child remove needs --org ID");
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
        if (written.positions[i].last_seq) {
            fprintf(stderr,
                    "mutsync: the key of %s wrote %llu change sets of its %s feed: revoke it "
                    "with 'child revoke --org %s' instead\n",
                    org, (unsigned long long)written.positions[i].last_seq,
                    written.positions[i].feed, org);
            return CLI_REFUSED;
        }
    ms_change_t change = {MS_COLL_CERT, MS_OP_DELETE, org, NULL, 0};
    append_ctx_t ctx = {node, &change, {0}};
    if (ms_store_write(ms_node_store(node), append_public, &ctx, &err) != 0)
        return cli_fail(&err);
    printf("withdrew the certificate of %s in public seq %llu\n", org,
           (unsigned long long)ctx.verdict.seq);
    return CLI_OK;
}

static int child_release(ms_node_t *node, int argc, char **argv, const void *ctx_unused)
{
    (void)ctx_unused;
    static const struct option options[] = {{"org", required_argument, 0, 'o'},
                                            {"to", required_argument, 0, 't'},
                                            {"reason", required_argument, 0, 'r'},
                                            {0, 0, 0, 0}};
    char org[MS_ORG_MAX + 1] = "";
    ms_release_t release;
    memset(&release, 0, sizeof release);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'o')
            snprintf(org, sizeof org, "%s", optarg);
        else if (opt == 't')
            snprintf(release.to, sizeof release.to, "%s", optarg);
        else if (opt == 'r')
            snprintf(release.reason, sizeof release.reason, "%s", optarg);
        else
            return cli_usage(child_usage, "unknown option");
    }
    if (!org[0] || !release.to[0] || optind != argc)
        return cli_usage(child_usage, "child release needs --org ID and --to NEWPARENT");
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
        return cli_usage(child_usage, "reason too long");
    ms_change_t change = {MS_COLL_RELEASE, MS_OP_UPSERT, org, value, len};
    append_ctx_t ctx = {node, &change, {0}};
    if (ms_store_write(ms_node_store(node), append_public, &ctx, &err) != 0)
        return cli_fail(&err);
    printf("released %s to %s in public seq %llu: only %s may certify it now\n", org, release.to,
           (unsigned long long)ctx.verdict.seq, release.to);
    return CLI_OK;
}

static int child_revoke(ms_node_t *node, int argc, char **argv, const void *ctx_unused)
{
    (void)ctx_unused;
    static const struct option options[] = {
        {"org", required_argument, 0, 'o'}, {"reason", required_argument, 0, 'r'}, {0, 0, 0, 0}};
    char org[MS_ORG_MAX + 1] = "";
    ms_revocation_t revocation;
    memset(&revocation, 0, sizeof revocation);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'o')
            snprintf(org, sizeof org, "%s", optarg);
        else if (opt == 'r')
            snprintf(revocation.reason, sizeof revocation.reason, "%s", optarg);
        else
            return cli_usage(child_usage, "unknown option");
    }
    if (!org[0])
        return cli_usage(child_usage, "--org is required");
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
        return cli_usage(child_usage, "reason too long");
    ms_change_t change = {MS_COLL_REVOCATION, MS_OP_UPSERT, key, value, len};
    append_ctx_t ctx = {node, &change, {0}};
    if (ms_store_write(ms_node_store(node), append_public, &ctx, &err) != 0)
        return cli_fail(&err);
    printf("revoked the key of %s in public seq %llu; it stays valid up to", org,
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

static int child_list(ms_node_t *node, int argc, char **argv, const void *ctx_unused)
{
    (void)ctx_unused;
    list_ctx_t ctx = {NULL, ms_node_identity(node)->org, CLI_TABLE, NULL};
    int rc = cli_only_format(argc, argv, child_usage, false, &ctx.format);
    if (rc)
        return rc;
    ms_error_t err = {0};
    if (ms_store_read(ms_node_store(node), &ctx.txn, &err) != 0)
        return cli_fail(&err);
    ctx.list = json_object_new_array();
    rc = ms_trust_list(ctx.txn, print_child, &ctx, &err);
    ms_txn_abort(&ctx.txn);
    if (rc == 0 && ctx.format == CLI_JSON)
        cli_print_json(ctx.list, false);
    json_object_put(ctx.list);
    return rc ? cli_fail(&err) : CLI_OK;
}

int cmd_child(const char *dir, int argc, char **argv)
{
    static const cli_sub_t subs[] = {{"add", child_add},       {"revoke", child_revoke},
                                     {"remove", child_remove}, {"release", child_release},
                                     {"list", child_list},     {NULL, NULL}};
    return cli_dispatch(dir, argc, argv, child_usage, subs, NULL);
}

static const char config_usage[] =
    "usage: mutsync -d DIR config [--parent-endpoint tcp://HOST:PORT] [--register-reach N]\n"
    "Without options, shows where this node syncs and how far its member register\n"
    "travels. --parent-endpoint changes where the parent is reached (its server\n"
    "moved); --register-reach 1 lets the register go to the parent union from the\n"
    "next sync on (a union that runs a shared register), 0 keeps it here; mutsyncd\n"
    "reads both when it starts. Who the parent is and which key it has are fixed\n"
    "at init: they are the trust anchors.\n";

typedef struct {
    ms_node_t *node;
    ms_identity_t identity;
} config_ctx_t;

static int save_config(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    config_ctx_t *ctx = arg;
    return ms_node_save_identity(ctx->node, txn, &ctx->identity, err);
}

int cmd_config(const char *dir, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help(config_usage);
    static const struct option options[] = {{"parent-endpoint", required_argument, 0, 'e'},
                                            {"register-reach", required_argument, 0, 'g'},
                                            {0, 0, 0, 0}};
    const char *endpoint = NULL, *reach = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'e')
            endpoint = optarg;
        else if (opt == 'g')
            reach = optarg;
        else
            return cli_usage(config_usage, "unknown option");
    }
    if (optind != argc)
        return cli_usage(config_usage, "unexpected argument \"%s\"", argv[optind]);
    char *end = NULL;
    unsigned long levels = reach ? strtoul(reach, &end, 10) : 0;
    if (reach && (!reach[0] || *end || levels > 1))
        return cli_usage(config_usage, "--register-reach must be 0 or 1, not \"%s\"", reach);
    if (endpoint && (strlen(endpoint) >= MS_ENDPOINT_MAX || strncmp(endpoint, "tcp://", 6) != 0))
        return cli_usage(config_usage, "--parent-endpoint must look like tcp://HOST:PORT");
    ms_node_t *node;
    int rc = cli_open(dir, &node);
    if (rc)
        return rc;
    config_ctx_t ctx = {node, *ms_node_identity(node)};
    if (endpoint || reach) {
        if (!ctx.identity.parent[0]) {
            ms_node_close(&node);
            fprintf(stderr, "mutsync: %s has no parent: nothing to configure\n", ctx.identity.org);
            return CLI_REFUSED;
        }
        if (endpoint)
            snprintf(ctx.identity.parent_endpoint, sizeof ctx.identity.parent_endpoint, "%s",
                     endpoint);
        if (reach)
            ctx.identity.register_reach = (uint32_t)levels;
        ms_error_t err = {0};
        if (ms_store_write(ms_node_store(node), save_config, &ctx, &err) != 0) {
            ms_node_close(&node);
            return cli_fail(&err);
        }
    }
    const ms_identity_t *id = ms_node_identity(node);
    printf("parent           %s\nparent endpoint  %s\nregister reach   %u (%s)\n",
           id->parent[0] ? id->parent : "(none: the root)",
           id->parent_endpoint[0] ? id->parent_endpoint : "(not set)", id->register_reach,
           id->register_reach ? "the member register goes to the parent" : "stays here");
    ms_node_close(&node);
    return CLI_OK;
}
