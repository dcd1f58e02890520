//  cmd_node - init, whoami and child: a node's identity and its children.

#include "cli.h"
#include "commands.h"

#include "mutsync/enrol.h"
#include "mutsync/replica.h"
#include "mutsync/trust.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char init_usage[] =
    N_("usage: mutsync -d DIR init --invite invite.txt [--request-out request.txt]\n"
       "       mutsync -d DIR init --org ID --role mutual|union|secretariat --country CC\n"
       "                           --name NAME [--parent ORG --parent-key KEY\n"
       "                           [--parent-endpoint tcp://HOST:PORT] [--parent-role ROLE]]\n"
       "                           [--root ORG --root-key KEY] [--register-reach N]\n"
       "With --invite, the node is made from its parent's signed invitation (no key to\n"
       "type) and writes request.txt (or --request-out) for the parent's 'child add\n"
       "--request'; it writes nothing before its parent has certified it and its first\n"
       "sync (or restore) told it what the parent holds, so a replacement laptop\n"
       "continues its org's feeds instead of forking them.\n"
       "Creates the node: a key pair (DIR/node.key, mode 0600), the store, and the org\n"
       "card as the first change set of the public feed. KEY is the hex key 'whoami'\n"
       "prints on the parent. --root/--root-key name the secretariat (the trust root)\n"
       "when it is not the parent; without them the node learns the root from its\n"
       "parent's signed chain at its first sync and pins it. --register-reach 1 lets\n"
       "the member register travel to the parent union (default 0: it stays here).\n");

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
    INIT_INVITE,
    INIT_REQUEST_OUT,
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
    {"invite", CLI_TEXT, 0, 0, 0},
    {"request-out", CLI_TEXT, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

//  Writes NODE's signed request to PATH (replacing it) and says so.
static int write_request(ms_node_t *node, const char *path)
{
    char text[MS_ENROL_TEXT_MAX];
    ms_error_t err = {0};
    if (ms_enrol_request(node, text, &err) != 0)
        return cli_fail(&err);
    FILE *out = fopen(path, "w");
    if (!out || fputs(text, out) < 0 || fclose(out) != 0)
        return cli_refuse(_("cannot write %s: %s"), path, strerror(errno));
    char fingerprint[MS_FINGERPRINT_BYTES];
    ms_key_fingerprint(ms_node_identity(node)->key, fingerprint);
    printf(_("request for %s written to %s: give it to %s; key fingerprint %s\n"),
           ms_node_identity(node)->org, path, ms_node_identity(node)->parent, fingerprint);
    return CLI_OK;
}

//  Reads and verifies an invitation file.
static int read_invitation(const char *path, ms_invitation_t *inv)
{
    char text[MS_ENROL_TEXT_MAX + 1];
    size_t len = 0;
    int rc = cli_read_file(path, text, sizeof text, &len);
    if (rc)
        return rc;
    ms_error_t err = {0};
    return ms_enrol_read_invitation(text, len, inv, &err) != 0 ? cli_fail(&err) : CLI_OK;
}

static int init_invited(const char *dir, const char *invite, const char *request_out)
{
    ms_invitation_t inv;
    int rc = read_invitation(invite, &inv);
    if (rc)
        return rc;
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    snprintf(id.org, sizeof id.org, "%s", inv.org);
    id.role = inv.role;
    snprintf(id.country, sizeof id.country, "%s", inv.country);
    snprintf(id.name, sizeof id.name, "%s", inv.name);
    snprintf(id.parent, sizeof id.parent, "%s", inv.parent);
    memcpy(id.parent_key, inv.parent_key, MS_KEY_BYTES);
    id.parent_role = inv.parent_role;
    snprintf(id.parent_endpoint, sizeof id.parent_endpoint, "%s", inv.parent_endpoint);
    snprintf(id.root, sizeof id.root, "%s", inv.root);
    memcpy(id.root_key, inv.root_key, MS_KEY_BYTES);
    ms_error_t err = {0};
    if (ms_node_init_invited(dir, &id, &err) != 0)
        return cli_fail(&err);
    ms_node_t *node;
    if ((rc = cli_open(dir, &node)))
        return rc;
    char parent_fingerprint[MS_FINGERPRINT_BYTES];
    ms_key_fingerprint(inv.parent_key, parent_fingerprint);
    printf(_("created %s (%s, %s) in %s from the invitation of %s (key fingerprint %s)\n"), id.org,
           ms_role_name(id.role), id.country, dir, inv.parent, parent_fingerprint);
    rc = write_request(node, request_out ? request_out : "request.txt");
    ms_node_close(&node);
    return rc;
}

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
    if (args.text[INIT_INVITE]) {
        for (int i = INIT_ORG; i <= INIT_REGISTER_REACH; i++)
            if (args.text[i])
                return cli_usage(init_usage, _("--invite says everything: %s does not go with it"),
                                 init_opts[i].name);
        return init_invited(cli_dir(), args.text[INIT_INVITE], args.text[INIT_REQUEST_OUT]);
    }
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

static const char request_usage[] =
    N_("usage: mutsync -d DIR request [--out FILE]\n"
       "Writes this node's signed request (its org and key) to FILE (default\n"
       "request.txt) for a parent's 'child add --request' or 'child rekey': a move to\n"
       "another union, or a new key.\n");

static const cli_opt_t request_opts[] = {{"out", CLI_TEXT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

int cmd_request(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_parse(argc, argv, request_opts, NULL, request_usage, &args);
    if (rc)
        return rc;
    ms_node_t *node;
    if ((rc = cli_open(cli_dir(), &node)))
        return rc;
    rc = write_request(node, args.text[0] ? args.text[0] : "request.txt");
    ms_node_close(&node);
    return rc;
}

static const char config_usage[] =
    N_("usage: mutsync -d DIR config [--parent-endpoint tcp://HOST:PORT] [--register-reach N]\n"
       "                             [--endpoint tcp://HOST:PORT]\n"
       "       mutsync -d DIR config --parent ORG --parent-key KEY [--parent-endpoint E]\n"
       "       mutsync -d DIR config --invite invite.txt\n"
       "Without options, shows where this node syncs and how far its member register\n"
       "travels. --parent-endpoint changes where the parent is reached (its server\n"
       "moved); --register-reach 1 lets the register go to the parent union from the\n"
       "next sync on (a union that runs a shared register), 0 keeps it here; mutsyncd\n"
       "reads both when it starts. --endpoint is where this node's own children reach\n"
       "it (what 'child invite' writes). --parent/--parent-key, or --invite from the new\n"
       "parent, move the node to another parent (after the old one released its id and\n"
       "the new one certified it): the new parent's key becomes a trust anchor.\n");

typedef struct {
    ms_node_t *node;
    ms_identity_t identity;
} config_ctx_t;

static int save_config(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    config_ctx_t *ctx = arg;
    return ms_node_save_identity(ctx->node, txn, &ctx->identity, err);
}

enum {
    CONFIG_PARENT_ENDPOINT,
    CONFIG_REGISTER_REACH,
    CONFIG_ENDPOINT,
    CONFIG_PARENT,
    CONFIG_PARENT_KEY,
    CONFIG_PARENT_ROLE,
    CONFIG_INVITE
};

static const cli_opt_t config_opts[] = {
    {"parent-endpoint", CLI_TEXT, 0, 0, 0}, {"register-reach", CLI_UINT, 0, 1, 0},
    {"endpoint", CLI_TEXT, 0, 0, 0},        {"parent", CLI_TEXT, 0, 0, 0},
    {"parent-key", CLI_TEXT, 0, 0, 0},      {"parent-role", CLI_TEXT, 0, 0, 0},
    {"invite", CLI_TEXT, 0, 0, 0},          {NULL, 0, 0, 0, 0},
};

typedef struct {
    ms_node_t *node;
    const char *parent;
    uint8_t key[MS_KEY_BYTES];
    ms_role_t role;
    const char *endpoint;
} move_ctx_t;

static int move_txn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    move_ctx_t *m = arg;
    return ms_node_set_parent(m->node, txn, m->parent, m->key, m->role, m->endpoint, err);
}

//  config --parent/--parent-key or --invite: a move to another parent.
static int config_move(const cli_args_t *args)
{
    ms_invitation_t inv;
    memset(&inv, 0, sizeof inv);
    int rc;
    if (args->text[CONFIG_INVITE]) {
        if ((rc = read_invitation(args->text[CONFIG_INVITE], &inv)))
            return rc;
    } else {
        if (!args->text[CONFIG_PARENT] || !args->text[CONFIG_PARENT_KEY])
            return cli_usage(config_usage, _("--parent and --parent-key go together"));
        snprintf(inv.parent, sizeof inv.parent, "%s", args->text[CONFIG_PARENT]);
        if ((rc = parse_key(args->text[CONFIG_PARENT_KEY], inv.parent_key, "--parent-key")))
            return rc;
        inv.parent_role = args->text[CONFIG_PARENT_ROLE]
                              ? ms_role_from_name(args->text[CONFIG_PARENT_ROLE])
                              : MS_ROLE_UNION;
        if (!inv.parent_role)
            return cli_usage(config_usage, _("parent role \"%s\" is unknown"),
                             args->text[CONFIG_PARENT_ROLE]);
        snprintf(inv.parent_endpoint, sizeof inv.parent_endpoint, "%s",
                 args->text[CONFIG_PARENT_ENDPOINT] ? args->text[CONFIG_PARENT_ENDPOINT] : "");
    }
    ms_node_t *node;
    if ((rc = cli_open(cli_dir(), &node)))
        return rc;
    const ms_identity_t *id = ms_node_identity(node);
    ms_error_t err = {0};
    if (ms_org_id_check(inv.parent, &err) != 0) {
        ms_node_close(&node);
        return cli_fail(&err);
    }
    if (args->text[CONFIG_INVITE] && strcmp(inv.org, id->org) != 0) {
        ms_node_close(&node);
        return cli_refuse(_("the invitation is for %s, not %s"), inv.org, id->org);
    }
    move_ctx_t m = {node,
                    inv.parent,
                    {0},
                    inv.parent_role,
                    inv.parent_endpoint[0] ? inv.parent_endpoint : NULL};
    memcpy(m.key, inv.parent_key, MS_KEY_BYTES);
    rc = ms_store_write(ms_node_store(node), move_txn, &m, &err) != 0 ? cli_fail(&err) : CLI_OK;
    if (rc == CLI_OK)
        printf(_("%s now syncs with %s%s%s\n"), id->org, inv.parent,
               inv.parent_endpoint[0] ? _(" at ") : "", inv.parent_endpoint);
    ms_node_close(&node);
    return rc;
}

int cmd_config(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_parse(argc, argv, config_opts, NULL, config_usage, &args);
    if (rc)
        return rc;
    if (args.text[CONFIG_PARENT] || args.text[CONFIG_INVITE])
        return config_move(&args);
    const char *endpoint = args.text[CONFIG_PARENT_ENDPOINT];
    const char *reach = args.text[CONFIG_REGISTER_REACH];
    const char *own = args.text[CONFIG_ENDPOINT];
    if (endpoint && (strlen(endpoint) >= MS_ENDPOINT_MAX || strncmp(endpoint, "tcp://", 6) != 0))
        return cli_usage(config_usage, _("--parent-endpoint must look like tcp://HOST:PORT"));
    if (own && (strlen(own) >= MS_ENDPOINT_MAX || strncmp(own, "tcp://", 6) != 0))
        return cli_usage(config_usage, _("--endpoint must look like tcp://HOST:PORT"));
    ms_node_t *node;
    if ((rc = cli_open(cli_dir(), &node)))
        return rc;
    config_ctx_t ctx = {node, *ms_node_identity(node)};
    if (own) {
        snprintf(ctx.identity.endpoint, sizeof ctx.identity.endpoint, "%s", own);
        ms_error_t err = {0};
        if (ms_store_write(ms_node_store(node), save_config, &ctx, &err) != 0) {
            ms_node_close(&node);
            return cli_fail(&err);
        }
    }
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
