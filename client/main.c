//  mutsync - the command-line tool of a node: record data, import
//  spreadsheets, look at feeds and views, sync with the parent.
//  It parses arguments, calls the library, prints. Nothing else.

#include "cli.h"
#include "commands.h"

#include "mutsync/log.h"

#include <stdlib.h>
#include <string.h>

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
                 "  -d DIR   the node directory (default: $MUTSYNC_DIR, else ./mutsync-node)\n"
                 "  -v       log more (repeat for debug)\n\n"
                 "commands:\n");
    for (const cli_command_t *c = commands; c->name; c++)
        fprintf(out, "  %-12s %s\n", c->name, c->summary);
    fprintf(out, "\n'mutsync COMMAND --help' describes each command.\n"
                 "exit status: 0 success, 1 refused input, 2 usage\n");
}

int main(int argc, char **argv)
{
    const char *dir = getenv("MUTSYNC_DIR");
    int verbosity = MS_LOG_WARN;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else if (strcmp(argv[i], "-v") == 0) {
            verbosity++;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("mutsync 0.1.0\n");
            return CLI_OK;
        } else {
            fprintf(stderr, "mutsync: unknown option %s\n", argv[i]);
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    ms_log_set_level(verbosity > MS_LOG_DEBUG ? MS_LOG_DEBUG : (ms_log_level_t)verbosity);
    const cli_command_t *command = cli_find(commands, argv[i]);
    if (!command) {
        fprintf(stderr, "mutsync: unknown command \"%s\"\n", argv[i]);
        usage(stderr);
        return CLI_USAGE;
    }
    return command->fn(dir ? dir : "mutsync-node", argc - i, argv + i);
}
