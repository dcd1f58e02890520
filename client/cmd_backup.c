//  cmd_backup - backup (a sealed copy of the whole node) and restore (a node
//  rebuilt from one). The passphrase comes from a file, never from argv
//  (which other users can read in ps), and is wiped after use.

#include "cli.h"
#include "commands.h"

#include "mutsync/backup.h"
#include "mutsync/restore.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char backup_usage[] =
    N_("usage: mutsync -d DIR backup --passphrase-file FILE [--out FILE]\n"
       "Seals a copy of the whole node (registers, books, feeds, certificates: all it\n"
       "needs to continue on another machine) with a key made from the passphrase, the\n"
       "first line of the passphrase file (readable by you only: chmod 600). Without\n"
       "--out the copy waits in DIR/backup/pending.msbk for the parent, which keeps it\n"
       "and cannot read it; --out writes it to FILE instead (a USB key). Keep the\n"
       "passphrase apart from the copy: without it nobody can open the copy.\n");

static const char restore_usage[] =
    N_("usage: mutsync -d NEW restore --file FILE --passphrase-file FILE\n"
       "       mutsync -d NEW restore --from-parent --passphrase-file FILE\n"
       "Rebuilds a node from a copy made by 'backup': from a file, or the latest one\n"
       "the parent keeps (sent up by 'sync' after 'backup'; NEW must then be made by\n"
       "'init --invite' and certified by the parent). NEW is a new or empty directory\n"
       "(the node gets a new key), or one made by 'init --invite' (its key is kept).\n"
       "A wrong passphrase or a damaged copy is refused and nothing is written. The\n"
       "old feeds verify as before; the new key signs nothing until the parent\n"
       "certifies it as the successor of the old one (docs/OPERATIONS.md).\n");

enum { OPT_PASSPHRASE_FILE, OPT_OUT };
enum { OPT_RESTORE_PASSPHRASE_FILE, OPT_FILE, OPT_FROM_PARENT };

//  Reads the passphrase file into PASS; prints why on failure.
static int load_passphrase(const char *path, char *pass, size_t cap, size_t *len)
{
    ms_error_t err = {0};
    if (ms_backup_passphrase_load(path, pass, cap, len, &err) != 0)
        return cli_fail(&err);
    return CLI_OK;
}

static void print_counts(const ms_backup_info_t *info)
{
    printf(_("%llu feeds, %llu change sets, %llu records, %llu bytes\n"),
           (unsigned long long)info->feeds, (unsigned long long)info->envelopes,
           (unsigned long long)info->records, (unsigned long long)info->bytes);
}

//  DIR/backup, made if missing.
static int pending_path(const char *dir, char *path, size_t cap)
{
    char folder[4096];
    if (snprintf(folder, sizeof folder, "%s/backup", dir) >= (int)sizeof folder ||
        snprintf(path, cap, "%s/%s", dir, MS_BACKUP_FILE) >= (int)cap)
        return cli_refuse(_("%s: path too long"), dir);
    if (mkdir(folder, 0700) != 0 && errno != EEXIST)
        return cli_refuse(_("%s: cannot create: %s"), folder, strerror(errno));
    return CLI_OK;
}

int cmd_backup(int argc, char **argv)
{
    static const cli_opt_t opts[] = {
        {"passphrase-file", CLI_TEXT, 0, 0, 0},
        {"out", CLI_TEXT, 0, 0, 0},
        {NULL, 0, 0, 0, 0},
    };
    cli_args_t args;
    int rc = cli_parse(argc, argv, opts, NULL, backup_usage, &args);
    if (rc)
        return rc;
    if (!args.text[OPT_PASSPHRASE_FILE])
        return cli_usage(backup_usage, _("--passphrase-file is required"));
    const char *dir = cli_dir();
    char path[4096];
    if (args.text[OPT_OUT])
        snprintf(path, sizeof path, "%s", args.text[OPT_OUT]);
    else if ((rc = pending_path(dir, path, sizeof path)))
        return rc;
    char pass[MS_BACKUP_PASSPHRASE_MAX];
    size_t pass_len = 0;
    if ((rc = load_passphrase(args.text[OPT_PASSPHRASE_FILE], pass, sizeof pass, &pass_len)))
        return rc;
    ms_node_t *node;
    if ((rc = cli_open(dir, &node))) {
        sodium_memzero(pass, sizeof pass);
        return rc;
    }
    ms_error_t err = {0};
    ms_backup_info_t info;
    rc = ms_backup_save(node, pass, pass_len, NULL, path, &info, &err);
    sodium_memzero(pass, sizeof pass);
    ms_node_close(&node);
    if (rc)
        return cli_fail(&err);
    printf(_("sealed a backup of %s: "), info.org);
    print_counts(&info);
    printf(_("key made from the passphrase with Argon2id: %llu passes over %llu MiB\n"),
           (unsigned long long)crypto_pwhash_OPSLIMIT_MODERATE,
           (unsigned long long)(crypto_pwhash_MEMLIMIT_MODERATE >> 20));
    if (args.text[OPT_OUT])
        printf(_("written to %s\n"), path);
    else
        printf(_("written to %s: it waits there for the parent\n"), path);
    return CLI_OK;
}

//  Asks the parent of the (invited, not yet synced) node in DIR for the
//  latest sealed backup it keeps of it; PATH gets where it was written.
static int fetch_from_parent(const char *dir, char *path, size_t cap)
{
    ms_node_t *node;
    int rc = cli_open(dir, &node);
    if (rc)
        return rc;
    rc = cli_fetch_backup(node, 120000);
    ms_node_close(&node);
    if (rc)
        return rc;
    snprintf(path, cap, "%s/%s", dir, MS_BACKUP_FROM_PARENT);
    return access(path, F_OK) == 0 ? CLI_OK : cli_refuse(_("the parent sent no backup"));
}

int cmd_restore(int argc, char **argv)
{
    static const cli_opt_t opts[] = {
        {"passphrase-file", CLI_TEXT, 0, 0, 0},
        {"file", CLI_TEXT, 0, 0, 0},
        {"from-parent", CLI_FLAG, 0, 0, 0},
        {NULL, 0, 0, 0, 0},
    };
    cli_args_t args;
    int rc = cli_parse(argc, argv, opts, NULL, restore_usage, &args);
    if (rc)
        return rc;
    bool from_parent = args.text[OPT_FROM_PARENT] != NULL;
    if ((!args.text[OPT_FILE]) == !from_parent || !args.text[OPT_RESTORE_PASSPHRASE_FILE])
        return cli_usage(restore_usage,
                         _("--passphrase-file and one of --file or --from-parent are required"));
    const char *dir = cli_dir();
    char fetched[4096];
    const char *file = args.text[OPT_FILE];
    if (from_parent) {
        if ((rc = fetch_from_parent(dir, fetched, sizeof fetched)))
            return rc;
        file = fetched;
    }
    char key_path[4096];
    if (snprintf(key_path, sizeof key_path, "%s/node.key", dir) >= (int)sizeof key_path)
        return cli_refuse(_("%s: path too long"), dir);
    ms_restore_options_t options = {access(key_path, F_OK) == 0};
    char pass[MS_BACKUP_PASSPHRASE_MAX];
    size_t pass_len = 0;
    if ((rc =
             load_passphrase(args.text[OPT_RESTORE_PASSPHRASE_FILE], pass, sizeof pass, &pass_len)))
        return rc;
    ms_error_t err = {0};
    ms_backup_info_t info;
    rc = ms_restore_file(dir, file, pass, pass_len, &options, &info, &err);
    if (from_parent)
        unlink(fetched);
    sodium_memzero(pass, sizeof pass);
    if (rc)
        return cli_fail(&err);
    char when[32], hex[MS_KEY_HEX_BYTES], fingerprint[MS_FINGERPRINT_BYTES];
    time_t created = (time_t)info.created;
    struct tm tm;
    gmtime_r(&created, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf(_("restored %s in %s from a backup sealed %s: "), info.org, dir, when);
    print_counts(&info);
    ms_key_to_hex(info.key, hex);
    ms_key_fingerprint(info.key, fingerprint);
    if (sodium_memcmp(info.key, info.old_key, MS_KEY_BYTES) == 0) {
        printf(_("key %s (kept: the one that signed the backup)\n"), hex);
        return CLI_OK;
    }
    printf(_("key %s (%s)\nfingerprint %s\n"), hex,
           options.keep_key ? _("kept from this directory") : _("new"), fingerprint);
    printf(_("This key signs nothing until the parent certifies it as the successor of the\n"
             "old one: read it the fingerprint above.\n"));
    return CLI_OK;
}
