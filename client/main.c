//  mutsync - the command-line tool of a node: record data, import
//  spreadsheets, look at feeds and views, sync with the parent.
//  It parses arguments, calls the library, prints. Nothing else.

#include "cli.h"
#include "commands.h"

#include "mutsync/mutsync.h"

#include <stdio.h>

static const cli_command_t commands[] = {
    {"init", cmd_init, "create a node: its key, its store, its identity"},
    {"whoami", cmd_whoami, "show this node's org, role, country and public key"},
    {"config", cmd_config, "where this node syncs, how far its register travels"},
    {"child", cmd_child, "certify, revoke and list direct children (add|revoke|list)"},
    {"member", cmd_member, "the member register (import|add|show|list)"},
    {"contribution", cmd_contribution, "the contributions book (import|list)"},
    {"claim", cmd_claim, "the claims book, kept at the mutual (import|list)"},
    {"provider", cmd_provider, "contracted health facilities (add|list)"},
    {"complaint", cmd_complaint, "the complaints book, kept at the mutual (add|list)"},
    {"profile", cmd_profile, "this org's inventory card (set|show)"},
    {"indicator", cmd_indicator, "the indicator catalogue (list|publish)"},
    {"view", cmd_view, "this node's aggregated indicators, by org or country"},
    {"inventory", cmd_inventory, "the inventory of mutuals by country, for a year"},
    {"export", cmd_export, "figures as CSV, DHIS2 dataValueSets or IHE ADX"},
    {"feed", cmd_feed, "the feeds this node holds (list|verify)"},
    {"quarantine", cmd_quarantine, "what was refused, and why (list)"},
    {"bundle", cmd_bundle, "carry change sets on a USB key (export|import)"},
    {"sync", cmd_sync, "sync with the parent: one shot, or --watch"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: mutsync [-d DIR] [-v] COMMAND [ARGS...]\n"
                 "       mutsync --version\n"
                 "  -d DIR   the node directory (default: $MUTSYNC_DIR, else ./mutsync-node);\n"
                 "           like -v and --help, it may also follow the command\n"
                 "  -v       log more (repeat for debug)\n\n"
                 "commands:\n");
    for (const cli_command_t *c = commands; c->name; c++)
        fprintf(out, "  %-12s %s\n", c->name, c->summary);
    fprintf(out, "\n'mutsync COMMAND --help' describes each command.\n"
                 "exit status: 0 success, 1 refused input, 2 usage\n");
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
        fprintf(stderr, "mutsync: unknown command \"%s\"\n", args.rest_argv[0]);
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
