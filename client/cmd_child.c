//  cmd_child - a parent's side of its children: certify (by key or from a
//  request file), invite, rekey, revoke, withdraw, release, resolve a fork
//  and list.

#include "cli.h"
#include "commands.h"

#include "mutsync/enrol.h"
#include "mutsync/policy.h"
#include "mutsync/replica.h"
#include "mutsync/resolve.h"
#include "mutsync/trust.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

//  The options of a command whose only option is --format table|json.
static const cli_opt_t format_opts[] = {{"format", CLI_FORMAT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

static const char child_usage[] = N_(
    "usage: mutsync -d DIR child add --org ID --role mutual|union --country CC --name NAME --key "
    "KEY\n"
    "       mutsync -d DIR child add --request request.txt\n"
    "       mutsync -d DIR child invite --org ID --role mutual|union --country CC --name NAME\n"
    "                                   [--endpoint tcp://HOST:PORT] > invite.txt\n"
    "       mutsync -d DIR child rekey --org ID --request request.txt\n"
    "       mutsync -d DIR child revoke --org ID [--reason TEXT]\n"
    "       mutsync -d DIR child remove --org ID\n"
    "       mutsync -d DIR child release --org ID --to NEWPARENT [--reason TEXT]\n"
    "       mutsync -d DIR child resolve --org ID --feed FEED --keep CHANGESETID [--reason TEXT]\n"
    "       mutsync -d DIR child list [--format table|json]\n"
    "add certifies a direct child's key (KEY as its 'whoami' prints it) in this node's\n"
    "certs feed; ID must be in this node's namespace (ID-of-this-node-...; the\n"
    "secretariat also grants top-level ids such as ML-UTM) or released to it.\n"
    "revoke cancels the key from the positions its feeds have reached here: what it\n"
    "signed before stays valid, anything after is refused everywhere.\n"
    "remove withdraws a certificate given by mistake, for a key that never wrote.\n"
    "release hands the id to NEWPARENT (a mutual moving to another union): only\n"
    "NEWPARENT may certify it next. Certificates and releases travel in the certs\n"
    "feed, revocations in the public feed.\n"
    "invite writes a signed invitation (this node's key and endpoint, the root's key,\n"
    "the new org's facts) for 'mutsync init --invite'; add --request certifies the key\n"
    "of the request.txt that init wrote, and both print the key's fingerprint to\n"
    "compare by phone. rekey certifies a new key for the same org (a lost laptop):\n"
    "the old key is revoked where its feeds have reached here, the new one continues\n"
    "them.\n"
    "resolve ends a fork of a child's feed (two change sets for one seq): the change\n"
    "set CHANGESETID (its full id, as 'quarantine list' and 'feed list' print it)\n"
    "continues; the other branch is kept as proof and taken out of the views at\n"
    "every level, and the child writes on after the kept branch. The resolution\n"
    "travels in the public feed.\n");

typedef struct {
    ms_node_t *node;
    const ms_change_t *change;
    ms_verdict_t verdict;
} append_ctx_t;

//  Appends the change to the feed its collection belongs in (policy.h):
//  certificates and releases in certs, revocations and resolutions in public.
static int append_trust(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    append_ctx_t *ctx = arg;
    const char *feed = ms_policy_feed_name(ms_policy_feed_of(ctx->change->collection));
    return ms_node_append(ctx->node, txn, feed, ctx->change, 1, &ctx->verdict, err);
}

enum { CHILD_ORG, CHILD_ROLE, CHILD_COUNTRY, CHILD_NAME, CHILD_KEY, CHILD_REQUEST };

static const cli_opt_t child_add_opts[] = {
    {"org", CLI_TEXT, 0, 0, 0},  {"role", CLI_TEXT, 0, 0, 0}, {"country", CLI_TEXT, 0, 0, 0},
    {"name", CLI_TEXT, 0, 0, 0}, {"key", CLI_TEXT, 0, 0, 0},  {"request", CLI_TEXT, 0, 0, 0},
    {NULL, 0, 0, 0, 0},
};

//  Reads and verifies the request file PATH, made for this NODE.
static int read_request(ms_node_t *node, const char *path, ms_request_t *req)
{
    char text[MS_ENROL_TEXT_MAX + 1];
    size_t len = 0;
    int rc = cli_read_file(path, text, sizeof text, &len);
    if (rc)
        return rc;
    ms_error_t err = {0};
    if (ms_enrol_read_request(text, len, req, &err) != 0)
        return cli_fail(&err);
    if (strcmp(req->parent, ms_node_identity(node)->org) != 0)
        return cli_refuse(_("%s asks %s, not this node (%s)"), path, req->parent,
                          ms_node_identity(node)->org);
    return CLI_OK;
}

//  Fills CERT for ORG from a request: the org and the key it names.
static int cert_from_request(ms_node_t *node, const char *path, const char *org, ms_cert_t *cert,
                             char *org_out)
{
    ms_request_t req;
    int rc = read_request(node, path, &req);
    if (rc)
        return rc;
    if (org && strcmp(org, req.org) != 0)
        return cli_refuse(_("%s is a request for %s, not %s"), path, req.org, org);
    snprintf(org_out, MS_ORG_MAX + 1, "%s", req.org);
    cert->role = req.role;
    snprintf(cert->country, sizeof cert->country, "%s", req.country);
    snprintf(cert->name, sizeof cert->name, "%s", req.name);
    memcpy(cert->key, req.key, MS_KEY_BYTES);
    return CLI_OK;
}

static int child_add(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *const *text = args->text;
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    char org[MS_ORG_MAX + 1] = "";
    const char *key_text = text[CHILD_KEY];
    ms_error_t err = {0};
    if (text[CHILD_REQUEST]) {
        if (key_text)
            return cli_usage(child_usage, _("--key and --request do not go together"));
        int rc = cert_from_request(node, text[CHILD_REQUEST], text[CHILD_ORG], &cert, org);
        if (rc)
            return rc;
    } else {
        snprintf(org, sizeof org, "%s", text[CHILD_ORG] ? text[CHILD_ORG] : "");
        cert.role = text[CHILD_ROLE] ? ms_role_from_name(text[CHILD_ROLE]) : 0;
        snprintf(cert.country, sizeof cert.country, "%.2s",
                 text[CHILD_COUNTRY] ? text[CHILD_COUNTRY] : "");
        snprintf(cert.name, sizeof cert.name, "%s", text[CHILD_NAME] ? text[CHILD_NAME] : "");
        if (!org[0] || !cert.role || !cert.country[0] || !cert.name[0] || !key_text)
            return cli_usage(child_usage,
                             _("--org, --role, --country, --name and --key are required"));
        if (ms_key_from_hex(key_text, cert.key, &err) != 0)
            return cli_fail(&err);
    }
    if (ms_org_id_check(org, &err) != 0)
        return cli_fail(&err);
    snprintf(cert.parent, sizeof cert.parent, "%s", ms_node_identity(node)->org);
    cert.valid_from = (int64_t)time(NULL);
    uint8_t value[1024];
    size_t len = 0;
    if (ms_cert_encode(&cert, value, sizeof value, &len) != 0)
        return cli_usage(child_usage, _("certificate too large"));
    ms_change_t change = {MS_COLL_CERT, MS_OP_UPSERT, org, value, len};
    append_ctx_t ctx = {node, &change, {0}};
    if (ms_store_write(ms_node_store(node), append_trust, &ctx, &err) != 0)
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
    if (ms_store_write(ms_node_store(node), append_trust, &ctx, &err) != 0)
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
    if (ms_store_write(ms_node_store(node), append_trust, &ctx, &err) != 0)
        return cli_fail(&err);
    printf(_("released %s to %s in certs seq %llu: only %s may certify it now\n"), org, release.to,
           (unsigned long long)ctx.verdict.seq, release.to);
    return CLI_OK;
}

enum { RESOLVE_ORG, RESOLVE_FEED, RESOLVE_KEEP, RESOLVE_REASON };

static const cli_opt_t child_resolve_opts[] = {{"org", CLI_TEXT, 0, 0, 0},
                                               {"feed", CLI_TEXT, 0, 0, 0},
                                               {"keep", CLI_TEXT, 0, 0, 0},
                                               {"reason", CLI_TEXT, 0, 0, 0},
                                               {NULL, 0, 0, 0, 0}};

//  The forked seq of ORG's FEED at which KEEP is one of the branches held here.
static int forked_seq(ms_node_t *node, const char *org, const char *feed, const uint8_t *keep,
                      const char *hex, uint64_t *seq)
{
    ms_error_t err = {0};
    ms_txn_t *txn;
    if (ms_store_read(ms_node_store(node), &txn, &err) != 0)
        return cli_fail(&err);
    int rc = ms_resolve_find(txn, org, feed, keep, seq, &err);
    ms_txn_abort(&txn);
    if (rc == MS_ENOTFOUND)
        return cli_refuse(_("%s is not one of the two change sets at a forked seq of %s/%s held "
                            "here (see 'mutsync quarantine list')"),
                          hex, org, feed);
    return rc ? cli_fail(&err) : CLI_OK;
}

static int child_resolve(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *org = args->text[RESOLVE_ORG], *hex = args->text[RESOLVE_KEEP];
    ms_resolution_t resolution;
    memset(&resolution, 0, sizeof resolution);
    snprintf(resolution.feed, sizeof resolution.feed, "%s",
             args->text[RESOLVE_FEED] ? args->text[RESOLVE_FEED] : "");
    snprintf(resolution.reason, sizeof resolution.reason, "%s",
             args->text[RESOLVE_REASON] ? args->text[RESOLVE_REASON] : "");
    if (!org || !org[0] || !resolution.feed[0] || !hex)
        return cli_usage(child_usage,
                         _("child resolve needs --org ID, --feed FEED and --keep CHANGESETID"));
    if (ms_policy_kind(resolution.feed) == MS_FEED_UNKNOWN)
        return cli_usage(child_usage, _("--feed must be public, register, care or certs"));
    ms_error_t err = {0};
    if (strlen(hex) != 2 * MS_HASH_BYTES || ms_key_from_hex(hex, resolution.keep, &err) != 0)
        return cli_usage(child_usage, _("--keep must be the full id of a change set: 64 hex "
                                        "digits, as 'quarantine list' prints it"));
    ms_trust_entry_t entry;
    int rc = own_child(node, org, &entry);
    if (rc == 0)
        rc = forked_seq(node, org, resolution.feed, resolution.keep, hex, &resolution.seq);
    if (rc)
        return rc;
    uint8_t value[1024];
    size_t len = 0;
    if (ms_resolution_encode(&resolution, value, sizeof value, &len) != 0)
        return cli_usage(child_usage, _("reason too long"));
    char key[MS_KEY_MAX + 1];
    snprintf(key, sizeof key, "%s|%s|%llu", org, resolution.feed,
             (unsigned long long)resolution.seq);
    ms_change_t change = {MS_COLL_RESOLUTION, MS_OP_UPSERT, key, value, len};
    append_ctx_t ctx = {node, &change, {0}};
    if (ms_store_write(ms_node_store(node), append_trust, &ctx, &err) != 0)
        return cli_fail(&err);
    printf(_("resolved the fork of %s/%s at seq %llu in public seq %llu: change set %.16s "
             "continues; the other branch is kept as proof and taken out of the views at every "
             "level it reaches\n"),
           org, resolution.feed, (unsigned long long)resolution.seq,
           (unsigned long long)ctx.verdict.seq, hex);
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
    if (ms_store_write(ms_node_store(node), append_trust, &ctx, &err) != 0)
        return cli_fail(&err);
    printf(_("revoked the key of %s in public seq %llu; it stays valid up to"), org,
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
    json_object *list;   //  CLI_JSON
    cli_table_t *table;  //  CLI_TABLE
} list_ctx_t;

static int print_child(const ms_trust_entry_t *entry, void *arg)
{
    list_ctx_t *ctx = arg;
    if (strcmp(entry->cert.parent, ctx->self) != 0)
        return 0;
    int64_t from = 0;
    bool revoked = ms_trust_revoked(ctx->txn, entry->org, entry->cert.key, &from, NULL) == 0;
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
        return 0;
    }
    const char *row[] = {entry->org,  ms_role_name(entry->cert.role),       entry->cert.country,
                         fingerprint, revoked ? _("revoked") : _("active"), entry->cert.name};
    return cli_table_add(ctx->table, row) == 0 ? 0 : MS_ENOMEM;
}

static int child_list(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *headers[] = {_("org"),   _("role"), _("country"), _("key fingerprint"),
                             _("state"), _("name")};
    list_ctx_t ctx = {NULL, ms_node_identity(node)->org, args->format, NULL, NULL};
    if (ctx.format == CLI_JSON)
        ctx.list = json_object_new_array();
    else
        ctx.table = cli_table_new(sizeof headers / sizeof headers[0], headers);
    ms_error_t err = {0};
    int rc = !ctx.list && !ctx.table ? ms_error_set(&err, MS_ENOMEM, "child list", "out of memory")
                                     : ms_store_read(ms_node_store(node), &ctx.txn, &err);
    if (rc == 0) {
        rc = ms_trust_list(ctx.txn, print_child, &ctx, &err);
        ms_txn_abort(&ctx.txn);
    }
    if (rc == MS_ENOMEM && !err.code)
        ms_error_set(&err, MS_ENOMEM, "child list", "out of memory");
    if (rc == 0 && ctx.list)
        cli_print_json(ctx.list, false);
    if (rc == 0 && ctx.table)
        cli_table_print(ctx.table, stdout);
    json_object_put(ctx.list);
    cli_table_destroy(&ctx.table);
    return rc ? cli_fail(&err) : CLI_OK;
}

enum { INVITE_ORG, INVITE_ROLE, INVITE_COUNTRY, INVITE_NAME, INVITE_ENDPOINT };

static const cli_opt_t child_invite_opts[] = {
    {"org", CLI_TEXT, 0, 0, 0},  {"role", CLI_TEXT, 0, 0, 0},     {"country", CLI_TEXT, 0, 0, 0},
    {"name", CLI_TEXT, 0, 0, 0}, {"endpoint", CLI_TEXT, 0, 0, 0}, {NULL, 0, 0, 0, 0},
};

static int child_invite(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *const *text = args->text;
    const ms_identity_t *id = ms_node_identity(node);
    ms_invitation_t inv;
    memset(&inv, 0, sizeof inv);
    if (!text[INVITE_ORG] || !text[INVITE_ROLE] || !text[INVITE_COUNTRY] || !text[INVITE_NAME])
        return cli_usage(child_usage, _("--org, --role, --country and --name are required"));
    const char *endpoint = text[INVITE_ENDPOINT] ? text[INVITE_ENDPOINT] : id->endpoint;
    if (!endpoint[0] || strncmp(endpoint, "tcp://", 6) != 0 ||
        strlen(endpoint) >= sizeof inv.parent_endpoint)
        return cli_usage(child_usage, _("--endpoint tcp://HOST:PORT is required (where children "
                                        "reach this node; 'config --endpoint' sets a default)"));
    snprintf(inv.org, sizeof inv.org, "%s", text[INVITE_ORG]);
    inv.role = ms_role_from_name(text[INVITE_ROLE]);
    snprintf(inv.country, sizeof inv.country, "%.2s", text[INVITE_COUNTRY]);
    snprintf(inv.name, sizeof inv.name, "%s", text[INVITE_NAME]);
    snprintf(inv.parent_endpoint, sizeof inv.parent_endpoint, "%s", endpoint);
    if (!inv.role || inv.role == MS_ROLE_SECRETARIAT)
        return cli_usage(child_usage, _("--role must be mutual or union"));
    ms_error_t err = {0};
    if (ms_org_id_check(inv.org, &err) != 0)
        return cli_fail(&err);
    char out[MS_ENROL_TEXT_MAX];
    if (ms_enrol_invite(node, &inv, out, &err) != 0)
        return cli_fail(&err);
    fputs(out, stdout);
    char fingerprint[MS_FINGERPRINT_BYTES];
    ms_key_fingerprint(id->key, fingerprint);
    fprintf(stderr, _("invitation of %s by %s, key fingerprint %s\n"), inv.org, id->org,
            fingerprint);
    return CLI_OK;
}

enum { REKEY_ORG, REKEY_REQUEST };

static const cli_opt_t child_rekey_opts[] = {
    {"org", CLI_TEXT, 0, 0, 0}, {"request", CLI_TEXT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

typedef struct {
    ms_node_t *node;
    const ms_change_t *revocation;  //  in the public feed
    const ms_change_t *cert;        //  in the certs feed
    uint64_t public_seq, certs_seq;
} rekey_ctx_t;

//  One transaction: the old key stops where its feeds are here, the new one
//  is certified; a crash leaves both or neither.
static int rekey_txn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    rekey_ctx_t *r = arg;
    ms_verdict_t verdict;
    int rc = ms_node_append(r->node, txn, "public", r->revocation, 1, &verdict, err);
    r->public_seq = verdict.seq;
    if (rc == 0)
        rc = ms_node_append(r->node, txn, "certs", r->cert, 1, &verdict, err);
    r->certs_seq = verdict.seq;
    return rc;
}

static int child_rekey(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *org = args->text[REKEY_ORG];
    if (!org || !args->text[REKEY_REQUEST])
        return cli_usage(child_usage, _("child rekey needs --org ID and --request FILE"));
    ms_trust_entry_t entry;
    int rc = own_child(node, org, &entry);
    if (rc)
        return rc;
    ms_cert_t cert = entry.cert;
    char requested[MS_ORG_MAX + 1];
    rc = cert_from_request(node, args->text[REKEY_REQUEST], org, &cert, requested);
    if (rc)
        return rc;
    if (memcmp(cert.key, entry.cert.key, MS_KEY_BYTES) == 0)
        return cli_refuse(_("%s already holds that key"), org);
    cert.role = entry.cert.role;
    snprintf(cert.country, sizeof cert.country, "%s", entry.cert.country);
    cert.valid_from = (int64_t)time(NULL);
    ms_revocation_t revocation;
    memset(&revocation, 0, sizeof revocation);
    memcpy(revocation.key, entry.cert.key, MS_KEY_BYTES);
    revocation.from = (int64_t)time(NULL);
    snprintf(revocation.reason, sizeof revocation.reason, "succeeded by a new key");
    ms_error_t err = {0};
    if (feed_positions(node, org, &revocation, &err) != 0)
        return cli_fail(&err);
    char key[MS_KEY_MAX + 1], hex[MS_KEY_HEX_BYTES];
    ms_key_to_hex(entry.cert.key, hex);
    snprintf(key, sizeof key, "%s|%s", org, hex);
    uint8_t revocation_value[1024], cert_value[1024];
    size_t revocation_len = 0, cert_len = 0;
    if (ms_revocation_encode(&revocation, revocation_value, sizeof revocation_value,
                             &revocation_len) != 0 ||
        ms_cert_encode(&cert, cert_value, sizeof cert_value, &cert_len) != 0)
        return cli_refuse(_("the certificate is too large"));
    ms_change_t revoke_change = {MS_COLL_REVOCATION, MS_OP_UPSERT, key, revocation_value,
                                 revocation_len};
    ms_change_t cert_change = {MS_COLL_CERT, MS_OP_UPSERT, org, cert_value, cert_len};
    rekey_ctx_t r = {node, &revoke_change, &cert_change, 0, 0};
    if (ms_store_write(ms_node_store(node), rekey_txn, &r, &err) != 0)
        return cli_fail(&err);
    char fingerprint[MS_FINGERPRINT_BYTES];
    ms_key_fingerprint(cert.key, fingerprint);
    printf(_("%s now has the key of fingerprint %s (certs seq %llu); its old key stays valid "
             "up to"),
           org, fingerprint, (unsigned long long)r.certs_seq);
    for (size_t i = 0; i < revocation.position_count; i++)
        printf("%s %s seq %llu", i ? "," : "", revocation.positions[i].feed,
               (unsigned long long)revocation.positions[i].last_seq);
    printf("\n");
    return CLI_OK;
}

int cmd_child(int argc, char **argv)
{
    static const cli_sub_t subs[] = {{"add", child_add, child_add_opts, NULL},
                                     {"revoke", child_revoke, child_revoke_opts, NULL},
                                     {"invite", child_invite, child_invite_opts, NULL},
                                     {"rekey", child_rekey, child_rekey_opts, NULL},
                                     {"remove", child_remove, child_remove_opts, NULL},
                                     {"release", child_release, child_release_opts, NULL},
                                     {"resolve", child_resolve, child_resolve_opts, NULL},
                                     {"list", child_list, format_opts, NULL},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, child_usage, subs, NULL);
}
