//  cmd_feed - feed list|verify, quarantine list, bundle export|import.

#include "cli.h"
#include "commands.h"

#include "mutsync/audit.h"
#include "mutsync/bundle.h"
#include "mutsync/date.h"
#include "mutsync/quarantine.h"
#include "mutsync/replica.h"
#include "mutsync/resolve.h"
#include "mutsync/rules.h"
#include "mutsync/views.h"

#include <json-c/json.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

static const char feed_usage[] =
    N_("usage: mutsync -d DIR feed list [--format table|json]\n"
       "       mutsync -d DIR feed verify\n"
       "list shows every feed this node holds: org, feed name, head seq, head hash,\n"
       "and frozen for a feed frozen after an equivocation.\n"
       "verify re-reads every stored envelope and checks signatures, ids, hash chains\n"
       "and heads; it exits 0 only if all hold.\n");

typedef struct {
    cli_format_t format;  //
    json_object *list;    //  CLI_JSON
    cli_table_t *table;   //  CLI_TABLE
} feeds_ctx_t;

//  Starts CTX for FORMAT: a JSON array, or a table with HEADERS. Returns 0,
//  or -1 when out of memory.
static int listing_begin(feeds_ctx_t *ctx, cli_format_t format, size_t columns,
                         const char *const *headers)
{
    ctx->format = format;
    ctx->list = format == CLI_JSON ? json_object_new_array() : NULL;
    ctx->table = format == CLI_TABLE ? cli_table_new(columns, headers) : NULL;
    return ctx->list || ctx->table ? 0 : -1;
}

//  Prints what CTX gathered and frees it.
static void listing_end(feeds_ctx_t *ctx, bool print)
{
    if (print && ctx->list)
        cli_print_json(ctx->list, false);
    if (print && ctx->table)
        cli_table_print(ctx->table, stdout);
    json_object_put(ctx->list);
    cli_table_destroy(&ctx->table);
}

static int print_feed(const char *org, const char *feed, const ms_head_t *head, void *arg)
{
    feeds_ctx_t *ctx = arg;
    char hash[MS_HASH_BYTES * 2 + 1];
    sodium_bin2hex(hash, sizeof hash, head->hash, MS_HASH_BYTES);
    if (ctx->format == CLI_JSON) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "org", json_object_new_string(org));
        json_object_object_add(o, "feed", json_object_new_string(feed));
        json_object_object_add(o, "seq", json_object_new_uint64(head->seq));
        json_object_object_add(o, "hash", json_object_new_string(hash));
        json_object_object_add(o, "frozen", json_object_new_boolean(head->frozen));
        json_object_array_add(ctx->list, o);
        return 0;
    }
    char seq[24];
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)head->seq);
    const char *row[] = {org, feed, seq, hash, head->frozen ? _("frozen") : ""};
    return cli_table_add(ctx->table, row) == 0 ? 0 : MS_ENOMEM;
}

static int feed_list(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *headers[] = {_("org"), _("feed"), _("seq"), _("head hash"), _("state")};
    feeds_ctx_t ctx;
    ms_error_t err = {0};
    ms_txn_t *txn;
    if (listing_begin(&ctx, args->format, 5, headers) != 0)
        return cli_refuse(_("out of memory"));
    if (ctx.table)
        cli_table_align_right(ctx.table, 2);
    int rc = ms_store_read(ms_node_store(node), &txn, &err);
    if (rc == 0) {
        rc = ms_replica_feeds(txn, print_feed, &ctx, &err);
        ms_txn_abort(&txn);
    }
    if (rc == MS_ENOMEM && !err.code)
        ms_error_set(&err, MS_ENOMEM, "feed list", "out of memory");
    listing_end(&ctx, rc == 0);
    return rc ? cli_fail(&err) : CLI_OK;
}

static void print_problem(const char *org, const char *feed, uint64_t seq, const char *problem,
                          void *ctx)
{
    (void)ctx;
    if (seq)
        printf(_("FAIL %s/%s seq %llu: %s\n"), org, feed, (unsigned long long)seq, problem);
    else
        printf(_("FAIL %s/%s head: %s\n"), org, feed, problem);
}

static int feed_verify(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    (void)args;
    ms_error_t err = {0};
    ms_audit_t report;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (ms_audit_run(ms_node_store(node), print_problem, NULL, &report, &err) != 0)
        return cli_fail(&err);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf(_("checked %llu feeds, %llu change sets, %llu changes, %llu bytes in %.3f s: %s\n"),
           (unsigned long long)report.feeds, (unsigned long long)report.envelopes,
           (unsigned long long)report.changes, (unsigned long long)report.bytes, seconds,
           report.failures ? _("FAILED") : _("all signatures, ids and hash chains hold"));
    if (report.failures) {
        printf(_("%llu problems\n"), (unsigned long long)report.failures);
        return CLI_REFUSED;
    }
    return CLI_OK;
}

//  The options of a listing whose only option is --format table|json.
static const cli_opt_t format_opts[] = {{"format", CLI_FORMAT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

int cmd_feed(int argc, char **argv)
{
    static const cli_sub_t subs[] = {{"list", feed_list, format_opts, NULL},
                                     {"verify", feed_verify, NULL, NULL},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, feed_usage, subs, NULL);
}

static const char quarantine_usage[] =
    N_("usage: mutsync -d DIR quarantine list [--format table|json]\n"
       "       mutsync -d DIR quarantine purge [--before YYYY-MM-DD]\n"
       "list shows what this node refused or set aside, with the reason: where it came\n"
       "from, the feed, seq and id it claimed, its size and why. A refused change set\n"
       "is refused whole; a change set aside stayed in its feed's chain but was not\n"
       "applied. Each source has a quota and the list a total cap: past them refusals\n"
       "are counted, not kept, and list says how many. Nothing of a register or care\n"
       "feed is kept. A fork (equivocation) shows the full ids of both change sets\n"
       "at the forked seq, the one held and the one refused, for 'child resolve\n"
       "--keep'; the change sets a resolution superseded are listed last, kept as\n"
       "proof. purge removes the entries received before the date (all without\n"
       "--before) and the counts, never the superseded change sets.\n");

typedef struct {
    feeds_ctx_t out;  //  the table or the JSON list
    ms_txn_t *txn;    //  to read the id held at a fork's seq
} entries_ctx_t;

//  The id held at ENTRY's seq, in hex, when ENTRY is a fork's proof.
static bool held_id(ms_txn_t *txn, const ms_quarantine_entry_t *entry, char *hex, size_t cap)
{
    uint8_t id[MS_HASH_BYTES];
    ms_val_t bytes;
    if (entry->reason != MS_REFUSAL_EQUIVOCATION ||
        ms_replica_envelope(txn, entry->origin, entry->feed, entry->seq, id, &bytes, NULL) != 0)
        return false;
    sodium_bin2hex(hex, cap, id, MS_HASH_BYTES);
    return true;
}

static int print_entry(const ms_quarantine_entry_t *entry, void *arg)
{
    entries_ctx_t *ctx = arg;
    char when[32];
    time_t t = (time_t)entry->when;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char id[2 * MS_HASH_BYTES + 1], held[2 * MS_HASH_BYTES + 1];
    sodium_bin2hex(id, sizeof id, entry->id, MS_HASH_BYTES);
    if (ctx->out.format == CLI_JSON) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "number", json_object_new_uint64(entry->number));
        json_object_object_add(o, "when", json_object_new_string(when));
        json_object_object_add(o, "reason", json_object_new_string(ms_refusal_name(entry->reason)));
        json_object_object_add(o, "origin", json_object_new_string(entry->origin));
        json_object_object_add(o, "feed", json_object_new_string(entry->feed));
        json_object_object_add(o, "seq", json_object_new_uint64(entry->seq));
        json_object_object_add(o, "detail", json_object_new_string(entry->detail));
        json_object_object_add(o, "source", json_object_new_string(entry->source));
        json_object_object_add(o, "id", json_object_new_string(id));
        if (held_id(ctx->txn, entry, held, sizeof held))
            json_object_object_add(o, "held", json_object_new_string(held));
        json_object_object_add(o, "size", json_object_new_uint64(entry->size));
        json_object_object_add(o, "set_aside", json_object_new_boolean(entry->change >= 0));
        if (entry->change >= 0)
            json_object_object_add(o, "change", json_object_new_int(entry->change));
        json_object_object_add(o, "bytes", json_object_new_uint64(entry->envelope_len));
        json_object_array_add(ctx->out.list, o);
        return 0;
    }
    char number[24], seq[24], size[24], feed[2 * MS_ERROR_MSG_BYTES], reason[256];
    snprintf(number, sizeof number, "%llu", (unsigned long long)entry->number);
    snprintf(seq, sizeof seq, "%llu", (unsigned long long)entry->seq);
    snprintf(size, sizeof size, "%llu", (unsigned long long)entry->size);
    snprintf(feed, sizeof feed, "%s/%s", entry->origin[0] ? entry->origin : "?",
             entry->feed[0] ? entry->feed : "?");
    snprintf(reason, sizeof reason, "%s%s%s", ms_refusal_text(entry->reason),
             entry->change >= 0 ? "; " : "",
             entry->change >= 0 ? _("kept in the chain, not applied") : "");
    const char *row[] = {
        number, when, ms_refusal_name(entry->reason),         feed,   seq,
        id,     size, entry->source[0] ? entry->source : "?", reason, entry->detail};
    return cli_table_add(ctx->out.table, row) == 0 ? 0 : MS_ENOMEM;
}

//  After the table, for people: each fork with both ids whole, to copy
//  into 'child resolve --keep'.
static int print_fork(const ms_quarantine_entry_t *entry, void *arg)
{
    entries_ctx_t *ctx = arg;
    char id[2 * MS_HASH_BYTES + 1], held[2 * MS_HASH_BYTES + 1];
    if (!held_id(ctx->txn, entry, held, sizeof held))
        return 0;
    sodium_bin2hex(id, sizeof id, entry->id, MS_HASH_BYTES);
    printf(_("fork at %s/%s seq %llu: held %s, refused %s\n"), entry->origin, entry->feed,
           (unsigned long long)entry->seq, held, id);
    return 0;
}

static int print_superseded(const ms_superseded_t *entry, void *arg)
{
    entries_ctx_t *ctx = arg;
    char id[2 * MS_HASH_BYTES + 1];
    sodium_bin2hex(id, sizeof id, entry->id, MS_HASH_BYTES);
    if (ctx->out.format == CLI_JSON) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "reason", json_object_new_string("superseded"));
        json_object_object_add(o, "origin", json_object_new_string(entry->org));
        json_object_object_add(o, "feed", json_object_new_string(entry->feed));
        json_object_object_add(o, "seq", json_object_new_uint64(entry->seq));
        json_object_object_add(o, "id", json_object_new_string(id));
        json_object_object_add(o, "size", json_object_new_uint64(entry->size));
        json_object_array_add(ctx->out.list, o);
    } else {
        printf(_("superseded %s/%s seq %llu %s %llu B: on a branch of a fork its holder did "
                 "not keep, kept as proof\n"),
               entry->org, entry->feed, (unsigned long long)entry->seq, id,
               (unsigned long long)entry->size);
    }
    return 0;
}

static int print_dropped(const char *source, uint64_t dropped, void *arg)
{
    (void)arg;
    printf(_("%llu more refusals from %s were counted, not kept (quota reached)\n"),
           (unsigned long long)dropped, source);
    return 0;
}

static int quarantine_list(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    const char *headers[] = {_("no."), _("received"), _("code"), _("feed"),   _("seq"),
                             _("id"),  _("bytes"),    _("from"), _("reason"), _("detail")};
    entries_ctx_t ctx = {{0}, NULL};
    ms_error_t err = {0};
    if (listing_begin(&ctx.out, args->format, 10, headers) != 0)
        return cli_refuse(_("out of memory"));
    if (ctx.out.table) {
        cli_table_align_right(ctx.out.table, 0);
        cli_table_align_right(ctx.out.table, 4);
        cli_table_align_right(ctx.out.table, 6);
    }
    int rc = ms_store_read(ms_node_store(node), &ctx.txn, &err);
    if (rc == 0)
        rc = ms_quarantine_list(ctx.txn, print_entry, &ctx, &err);
    if (rc == MS_ENOMEM && !err.code)
        ms_error_set(&err, MS_ENOMEM, "quarantine list", "out of memory");
    bool table = args->format == CLI_TABLE;
    //  JSON: the superseded change sets end the list; a table is printed first.
    if (rc == 0 && !table)
        rc = ms_resolve_list(ctx.txn, NULL, print_superseded, &ctx, &err);
    listing_end(&ctx.out, rc == 0);
    //  Forks, superseded change sets and the counts of refusals not kept
    //  follow the table, for people only.
    if (rc == 0 && table)
        rc = ms_quarantine_list(ctx.txn, print_fork, &ctx, &err);
    if (rc == 0 && table)
        rc = ms_resolve_list(ctx.txn, NULL, print_superseded, &ctx, &err);
    if (rc == 0 && table)
        rc = ms_quarantine_dropped(ctx.txn, print_dropped, NULL, &err);
    ms_txn_abort(&ctx.txn);
    return rc ? cli_fail(&err) : CLI_OK;
}

typedef struct {
    int64_t before;
    uint64_t removed;
} purge_t;

static int purge_txn(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    purge_t *p = arg;
    return ms_quarantine_purge(txn, p->before, &p->removed, err);
}

static const cli_opt_t purge_opts[] = {{"before", CLI_TEXT, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

static int quarantine_purge(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    purge_t p = {0, 0};
    if (args->text[0]) {
        int32_t day = 0;
        if (ms_date_parse(args->text[0], &day) != 0)
            return cli_usage(quarantine_usage, _("--before takes a date YYYY-MM-DD, not \"%s\""),
                             args->text[0]);
        p.before = (int64_t)day * 86400;
    }
    ms_error_t err = {0};
    if (ms_store_write(ms_node_store(node), purge_txn, &p, &err) != 0)
        return cli_fail(&err);
    printf(_("purged %llu quarantine entries\n"), (unsigned long long)p.removed);
    return CLI_OK;
}

int cmd_quarantine(int argc, char **argv)
{
    static const cli_sub_t subs[] = {{"list", quarantine_list, format_opts, NULL},
                                     {"purge", quarantine_purge, purge_opts, NULL},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, quarantine_usage, subs, NULL);
}

static const char bundle_usage[] =
    N_("usage: mutsync -d DIR bundle export FILE\n"
       "       mutsync -d DIR bundle import FILE\n"
       "export writes what the parent may receive (public feeds, and the register\n"
       "when its reach allows; never claims or complaints) to FILE, for a USB key.\n"
       "import applies FILE with the same accept rules as a sync; refusals go to the\n"
       "quarantine; a damaged file imports nothing.\n");

static int bundle_export(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    ms_error_t err = {0};
    ms_bundle_stats_t stats;
    //  ms_bundle_export publishes pending reports first (ms_node_before_leave).
    if (ms_bundle_export(node, args->operand, &stats, &err) != 0)
        return cli_fail(&err);
    printf(_("exported %llu change sets, %llu bytes to %s\n"), (unsigned long long)stats.envelopes,
           (unsigned long long)stats.bytes, args->operand);
    return CLI_OK;
}

static int bundle_import(ms_node_t *node, const cli_args_t *args, const void *ctx_unused)
{
    (void)ctx_unused;
    ms_error_t err = {0};
    ms_bundle_stats_t stats;
    if (ms_bundle_import(node, args->operand, &stats, &err) != 0)
        return cli_fail(&err);
    printf(_("read %llu change sets: %llu applied, %llu already held, %llu refused%s\n"),
           (unsigned long long)stats.envelopes, (unsigned long long)stats.applied,
           (unsigned long long)stats.duplicates, (unsigned long long)stats.refused,
           stats.refused ? _(" (see: mutsync quarantine list)") : "");
    return CLI_OK;
}

int cmd_bundle(int argc, char **argv)
{
    static const cli_sub_t subs[] = {{"export", bundle_export, NULL, "FILE"},
                                     {"import", bundle_import, NULL, "FILE"},
                                     {NULL, NULL, NULL, NULL}};
    return cli_dispatch(argc, argv, bundle_usage, subs, NULL);
}
