//  commands - the subcommands of mutsync, one function per group, each in
//  its own cmd_<group>.c. main.c lists them in its table. Each parses its
//  own options (cli_opts) and finds the node directory with cli_dir().

#ifndef MS_COMMANDS_H
#define MS_COMMANDS_H

#include "mutsync/node.h"
#include <stdint.h>

int cmd_init(int argc, char **argv);
int cmd_whoami(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_request(int argc, char **argv);
int cmd_child(int argc, char **argv);
int cmd_member(int argc, char **argv);
int cmd_feed(int argc, char **argv);
int cmd_quarantine(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_contribution(int argc, char **argv);
int cmd_claim(int argc, char **argv);
int cmd_provider(int argc, char **argv);
int cmd_complaint(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_indicator(int argc, char **argv);
int cmd_view(int argc, char **argv);
int cmd_inventory(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_site(int argc, char **argv);
int cmd_sync(int argc, char **argv);

//  One session with the parent that only fetches the latest sealed backup
//  it keeps of NODE (into MS_BACKUP_FROM_PARENT). Returns a CLI_ code.
int cli_fetch_backup(ms_node_t *node, int64_t timeout_ms);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

#endif
