//  commands - the subcommands of mutsync, one function per group, each in
//  its own cmd_<group>.c. main.c lists them in its table.

#ifndef MS_COMMANDS_H
#define MS_COMMANDS_H

int cmd_init(const char *dir, int argc, char **argv);
int cmd_whoami(const char *dir, int argc, char **argv);
int cmd_config(const char *dir, int argc, char **argv);
int cmd_child(const char *dir, int argc, char **argv);
int cmd_member(const char *dir, int argc, char **argv);
int cmd_feed(const char *dir, int argc, char **argv);
int cmd_quarantine(const char *dir, int argc, char **argv);
int cmd_bundle(const char *dir, int argc, char **argv);
int cmd_contribution(const char *dir, int argc, char **argv);
int cmd_claim(const char *dir, int argc, char **argv);
int cmd_provider(const char *dir, int argc, char **argv);
int cmd_complaint(const char *dir, int argc, char **argv);
int cmd_profile(const char *dir, int argc, char **argv);
int cmd_indicator(const char *dir, int argc, char **argv);
int cmd_view(const char *dir, int argc, char **argv);
int cmd_inventory(const char *dir, int argc, char **argv);
int cmd_export(const char *dir, int argc, char **argv);
int cmd_sync(const char *dir, int argc, char **argv);

#endif
