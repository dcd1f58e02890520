//  mutsync - the command-line tool of a node: record data, import
//  spreadsheets, look at feeds and views, sync with the parent.
//  It parses arguments, calls the library, prints. Nothing else.

#include "cli.h"
#include "commands.h"

#include "mutsync/mutsync.h"

#include <stdio.h>

static const cli_command_t commands[] = {
    {"init", cmd_init, N_("create a node: its key, its store, its identity")},
    {"whoami", cmd_whoami, N_("show this node's org, role, country and public key")},
    {"config", cmd_config, N_("where this node syncs, how far its register travels")},
    {"request", cmd_request,
     N_("write this node's signed request for a parent (a move, a new key)")},
    {"child", cmd_child, N_("certify, revoke, remove, release and list direct children")},
    {"member", cmd_member, N_("the member register (import|add|show|list)")},
    {"contribution", cmd_contribution, N_("the contributions book (import|list)")},
    {"claim", cmd_claim, N_("the claims book, kept at the mutual (import|list)")},
    {"provider", cmd_provider, N_("contracted health facilities (add|list)")},
    {"complaint", cmd_complaint, N_("the complaints book, kept at the mutual (add|list)")},
    {"profile", cmd_profile, N_("this org's inventory card (set|show)")},
    {"indicator", cmd_indicator, N_("the indicator catalogue (list|publish)")},
    {"view", cmd_view, N_("this node's aggregated indicators, by org or country")},
    {"inventory", cmd_inventory, N_("the inventory of mutuals by country, for a year")},
    {"export", cmd_export, N_("figures as CSV, DHIS2 dataValueSets or IHE ADX")},
    {"site", cmd_site, N_("a static website of what this node holds, French and English")},
    {"feed", cmd_feed, N_("the feeds this node holds (list|verify)")},
    {"quarantine", cmd_quarantine, N_("what was refused or set aside, and why (list|purge)")},
    {"bundle", cmd_bundle, N_("carry change sets on a USB key (export|import)")},
    {"sync", cmd_sync, N_("sync with the parent: one shot, or --watch")},
    {"backup", cmd_backup, N_("seal a copy of the whole node with a passphrase")},
    {"restore", cmd_restore, N_("rebuild a node from a sealed copy")},
    {NULL, NULL, NULL},
};

static const char usage_head[] =
    N_("usage: mutsync [-d DIR] [-v] [--lang fr|en] COMMAND [ARGS...]\n"
       "       mutsync --version\n"
       "  -d DIR     the node directory (default: $MUTSYNC_DIR, else ./mutsync-node)\n"
       "  -v         log more (repeat for debug)\n"
       "  --lang L   messages in French (fr) or English (en); default: the locale's\n"
       "  -d, -v and --lang may also follow the command.\n"
       "\n"
       "commands:\n");

static const char usage_tail[] = N_("\n'mutsync COMMAND --help' describes each command.\n"
                                    "exit status: 0 success, 1 refused input, 2 usage\n");

static void usage(FILE *out)
{
    fputs(_(usage_head), out);
    for (const cli_command_t *c = commands; c->name; c++)
        fprintf(out, "  %-12s %s\n", c->name, _(c->summary));
    fputs(_(usage_tail), out);
}

static int run(int argc, char **argv)
{
    static const cli_opt_t options[] = {{"version", CLI_FLAG, 0, 0, 0}, {NULL, 0, 0, 0, 0}};
    cli_args_t args;
    int rc = cli_parse_head(argc, argv, options, "", &args);
    if (rc == CLI_HELPED || (rc == 0 && args.rest_argc == 0 && !args.text[0])) {
        usage(rc == CLI_HELPED ? stdout : stderr);
        return rc == CLI_HELPED ? CLI_OK : CLI_USAGE;
    }
    if (rc) {
        usage(stderr);
        return rc;
    }
    if (args.text[0]) {
        printf("mutsync %s\n", MS_VERSION_TEXT);
        return CLI_OK;
    }
    const cli_command_t *command = cli_find(commands, args.rest_argv[0]);
    if (!command) {
        cli_refuse(_("unknown command \"%s\""), args.rest_argv[0]);
        usage(stderr);
        return CLI_USAGE;
    }
    return command->fn(args.rest_argc, args.rest_argv);
}

int main(int argc, char **argv)
{
    int rc = run(argc, argv);
    return rc == CLI_HELPED ? CLI_OK : rc;
}
