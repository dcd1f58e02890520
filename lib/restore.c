//  restore - a node directory rebuilt from a sealed backup.
//
//  The backup is opened once (Argon2id runs once) and read twice: a
//  checking pass that writes nothing and learns what the identity says
//  (the org, whether it is a trust root), then the writing pass inside one
//  ms_store_write, which ms_store_write may run again from the start when
//  the map grows. Entries arrive sorted table by table, so each table is
//  filled with LMDB's append. Only two things differ from the backup: the
//  identity's key line, and, for a successor key, the org's own trust entry
//  (pinned with the new key, the old one valid up to the restored heads)
//  (see restore.h). Called by the `restore` command and by whatever brings
//  a backup back from the parent.

#include "mutsync/restore.h"

#include "mutsync/i18n.h"
#include "mutsync/trust.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define IDENTITY "identity"
#define KEY_FILE "node.key"
#define STORE_KEY_MAX 511  //  LMDB's largest key

static const ms_table_t tables[] = {
    MS_TABLE_META,       MS_TABLE_HEADS, MS_TABLE_ENVELOPES, MS_TABLE_RECORDS,
    MS_TABLE_QUARANTINE, MS_TABLE_TRUST, MS_TABLE_REVOKED,   MS_TABLE_PEERS,
    MS_TABLE_VIEWS,      MS_TABLE_INDEX, MS_TABLE_FORKS,
};
_Static_assert(sizeof tables / sizeof tables[0] == MS_TABLE_COUNT,
               "a new store table: restore clears it too");

static int malformed(ms_error_t *err, const char *why)
{
    return ms_error_set(err, MS_EINVAL, "backup", "damaged backup: %s", why);
}

typedef struct {
    ms_backup_t *backup;             //  opened
    char org[MS_ORG_MAX + 1];        //  from its clear header
    uint8_t node_key[MS_KEY_BYTES];  //  the key DIR continues with
    bool clear;                      //  empty every table first (keep_key)
    bool identity_seen;              //  the backup's META holds an identity
    bool root;                       //  ... of a trust root
    ms_txn_t *txn;                   //  the write transaction; NULL on the checking pass
    ms_backup_info_t info;           //  what was read
} restore_t;

//  Copies the value of line NAME=... of an identity (node.c: "name=value"
//  lines) into OUT; "" when there is none.
static void identity_field(const ms_val_t *val, const char *name, char *out, size_t cap)
{
    const char *p = (const char *)val->data, *end = p + val->len;
    size_t name_len = strlen(name);
    out[0] = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t line = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (line > name_len && memcmp(p, name, name_len) == 0 && p[name_len] == '=') {
            size_t len = line - name_len - 1 < cap - 1 ? line - name_len - 1 : cap - 1;
            memcpy(out, p + name_len + 1, len);
            out[len] = 0;
        }
        p += line + 1;
    }
}

static bool is_identity(ms_table_t table, const ms_val_t *key)
{
    return table == MS_TABLE_META && key->len == strlen(IDENTITY) &&
           memcmp(key->data, IDENTITY, key->len) == 0;
}

static int note_identity(restore_t *r, const ms_val_t *val, ms_error_t *err)
{
    char org[MS_ORG_MAX + 1], root[MS_ORG_MAX + 1];
    identity_field(val, "org", org, sizeof org);
    identity_field(val, "root", root, sizeof root);
    if (strcmp(org, r->org) != 0)
        return malformed(err, _("its identity names another org"));
    r->identity_seen = true;
    r->root = strcmp(root, org) == 0;
    return 0;
}

//  The backup's identity with the key line naming R->node_key.
static int put_identity(restore_t *r, const ms_val_t *key, const ms_val_t *val, ms_error_t *err)
{
    char hex[MS_KEY_HEX_BYTES];
    ms_key_to_hex(r->node_key, hex);
    char *text = malloc(val->len + 2 * MS_KEY_HEX_BYTES);
    if (!text)
        return ms_error_set(err, MS_ENOMEM, "backup", "no memory for the identity");
    const char *p = (const char *)val->data, *end = p + val->len;
    size_t len = 0;
    bool keyed = false;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t line = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (line >= 4 && memcmp(p, "key=", 4) == 0) {
            len += (size_t)sprintf(text + len, "key=%s\n", hex);
            keyed = true;
        } else {
            memcpy(text + len, p, line);
            len += line;
            text[len++] = '\n';
        }
        p += line + 1;
    }
    if (!keyed)
        len += (size_t)sprintf(text + len, "key=%s\n", hex);
    int rc = ms_txn_put(r->txn, MS_TABLE_META, key->data, key->len, text, len, MS_PUT_APPEND, err);
    free(text);
    return rc;
}

static int check_entry(ms_table_t table, const ms_val_t *key, const ms_val_t *val, void *ctx,
                       ms_error_t *err)
{
    return is_identity(table, key) ? note_identity(ctx, val, err) : 0;
}

static int put_entry(ms_table_t table, const ms_val_t *key, const ms_val_t *val, void *ctx,
                     ms_error_t *err)
{
    restore_t *r = ctx;
    if (!is_identity(table, key))
        return ms_txn_put(r->txn, table, key->data, key->len, val->data, val->len, MS_PUT_APPEND,
                          err);
    int rc = note_identity(r, val, err);
    return rc ? rc : put_identity(r, key, val, err);
}

static int clear_tables(ms_txn_t *txn, ms_error_t *err)
{
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        for (;;) {
            uint8_t first[STORE_KEY_MAX];
            size_t first_len = 0;
            ms_cursor_t *cursor;
            ms_val_t key, val;
            int rc = ms_cursor_open(txn, tables[i], NULL, 0, &cursor, err);
            if (rc == 0 && (rc = ms_cursor_next(cursor, &key, &val, err)) == 1) {
                first_len = key.len < sizeof first ? key.len : sizeof first;
                memcpy(first, key.data, first_len);
            }
            ms_cursor_close(&cursor);
            if (rc < 0)
                return rc;
            if (rc == 0)
                break;
            if ((rc = ms_txn_del(txn, tables[i], first, first_len, err)) != 0)
                return rc;
        }
    }
    return 0;
}

//  A successor key: ORG's own entry is pinned again with the new key, and
//  the old key stays valid for what it signed up to the restored heads (a
//  revocation naming no position stops each feed where this replica holds
//  it). The parent's revocation, when it arrives with the public feed, can
//  only move those positions on (trust.c keeps the furthest), so what the
//  old key wrote after the backup, fetched back from the parent, verifies.
static int succeed_key(ms_txn_t *txn, const char *org, const uint8_t *new_key,
                       const uint8_t *old_key, ms_error_t *err)
{
    ms_trust_entry_t entry;
    int rc = ms_trust_get(txn, org, &entry, err);
    if (rc == MS_ENOTFOUND)
        return 0;
    memcpy(entry.cert.key, new_key, MS_KEY_BYTES);
    if (rc == 0)
        rc = ms_trust_pin(txn, org, &entry.cert, err);
    if (rc == 0 && entry.released_to[0])
        rc = ms_trust_apply_release(txn, org, entry.released_to, err);
    ms_revocation_t revocation;
    memset(&revocation, 0, sizeof revocation);
    memcpy(revocation.key, old_key, MS_KEY_BYTES);
    snprintf(revocation.reason, sizeof revocation.reason, "succeeded by a restored node's key");
    if (rc == 0)
        rc = ms_trust_apply_revocation(txn, org, &revocation, err);
    return rc;
}

static int root_refused(const char *org, ms_error_t *err)
{
    return ms_error_set(err, MS_EINVAL, org,
                        "%s is the trust root: nobody can certify a successor key, so its backup "
                        "restores only into a directory holding its own node.key (keep the key)",
                        org);
}

//  Reads the whole backup; on the writing pass (R->txn set) stores it.
static int restore_pass(restore_t *r, ms_error_t *err)
{
    r->identity_seen = false;
    r->root = false;
    int rc = r->txn && r->clear ? clear_tables(r->txn, err) : 0;
    if (rc == 0)
        rc = ms_backup_read(r->backup, r->txn ? put_entry : check_entry, r, &r->info, err);
    if (rc == 0 && !r->identity_seen)
        rc = malformed(err, _("it holds no identity"));
    bool successor = rc == 0 && sodium_memcmp(r->node_key, r->info.old_key, MS_KEY_BYTES) != 0;
    if (successor && r->root)
        rc = root_refused(r->org, err);
    else if (successor && r->txn)
        rc = succeed_key(r->txn, r->org, r->node_key, r->info.old_key, err);
    return rc;
}

static int restore_txn(ms_txn_t *txn, void *ctx, ms_error_t *err)
{
    restore_t *r = ctx;
    r->txn = txn;
    int rc = restore_pass(r, err);
    r->txn = NULL;
    return rc;
}

static char *path_in(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (path)
        snprintf(path, len, "%s/%s", dir, name);
    return path;
}

static void remove_tree(const char *dir)
{
    static const char *const files[] = {KEY_FILE, "data.mdb", "lock.mdb"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = path_in(dir, files[i]);
        if (path)
            unlink(path);
        free(path);
    }
    rmdir(dir);
}

//  DIR absent, or an empty directory.
static int check_new(const char *dir, ms_error_t *err)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return errno == ENOENT ? 0
                               : ms_error_set(err, MS_EIO, dir, "cannot read: %s", strerror(errno));
    DIR *d = S_ISDIR(st.st_mode) ? opendir(dir) : NULL;
    if (!d)
        return ms_error_set(err, MS_EEXIST, dir, "already exists and is not an empty directory");
    struct dirent *entry;
    bool empty = true;
    while (empty && (entry = readdir(d)))
        empty = strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0;
    closedir(d);
    return empty ? 0
                 : ms_error_set(err, MS_EEXIST, dir,
                                "is not empty: restore into a new directory, or one made by "
                                "init --invite that holds no change sets yet");
}

static int restore_new(const char *dir, restore_t *r, ms_error_t *err)
{
    char tmp[4096];
    size_t dir_len = strlen(dir);
    while (dir_len > 1 && dir[dir_len - 1] == '/')
        dir_len--;
    if (snprintf(tmp, sizeof tmp, "%.*s.restore-XXXXXX", (int)dir_len, dir) >= (int)sizeof tmp)
        return ms_error_set(err, MS_EINVAL, dir, "path too long");
    if (!mkdtemp(tmp))
        return ms_error_set(err, MS_EIO, tmp, "cannot create: %s", strerror(errno));
    ms_keypair_t *keypair = NULL;
    ms_store_t *store = NULL;
    char *key_path = path_in(tmp, KEY_FILE);
    int rc =
        key_path ? ms_keypair_new(&keypair, err) : ms_error_set(err, MS_ENOMEM, dir, "no memory");
    if (rc == 0) {
        memcpy(r->node_key, ms_keypair_public(keypair), MS_KEY_BYTES);
        rc = restore_pass(r, err);  //  the checking pass, with the key now known
    }
    if (rc == 0)
        rc = ms_store_open(tmp, &store, err);
    if (rc == 0)
        rc = ms_store_write(store, restore_txn, r, err);
    ms_store_close(&store);
    if (rc == 0)
        rc = ms_keypair_save(keypair, key_path, err);
    ms_keypair_destroy(&keypair);
    free(key_path);
    if (rc == 0 && rename(tmp, dir) != 0)
        rc = ms_error_set(err, MS_EIO, dir, "cannot move the restored node in place: %s",
                          strerror(errno));
    if (rc)
        remove_tree(tmp);
    return rc;
}

//  DIR holds node.key, and a store of the backup's org without change sets, or none.
static int check_keep(const char *dir, restore_t *r, ms_error_t *err)
{
    char *key_path = path_in(dir, KEY_FILE), *data_path = path_in(dir, "data.mdb");
    ms_keypair_t *keypair = NULL;
    int rc = key_path && data_path ? 0 : ms_error_set(err, MS_ENOMEM, dir, "no memory");
    if (rc == 0 && access(key_path, F_OK) != 0)
        rc = ms_error_set(err, MS_ENOTFOUND, dir,
                          "holds no node.key to keep (make one with init --invite)");
    if (rc == 0)
        rc = ms_keypair_load(key_path, &keypair, err);
    if (rc == 0)
        memcpy(r->node_key, ms_keypair_public(keypair), MS_KEY_BYTES);
    ms_keypair_destroy(&keypair);
    ms_store_t *store = NULL;
    ms_txn_t *txn = NULL;
    if (rc == 0 && access(data_path, F_OK) == 0 && (rc = ms_store_open(dir, &store, err)) == 0)
        rc = ms_store_read(store, &txn, err);
    uint64_t heads = 0, envelopes = 0;
    if (rc == 0 && txn)
        rc = ms_txn_count(txn, MS_TABLE_HEADS, &heads, err);
    if (rc == 0 && txn)
        rc = ms_txn_count(txn, MS_TABLE_ENVELOPES, &envelopes, err);
    if (rc == 0 && (heads || envelopes))
        rc = ms_error_set(err, MS_EEXIST, dir,
                          "holds a node with change sets: restore into a new directory, or one "
                          "made by init --invite that holds no change sets yet");
    ms_val_t val;
    char org[MS_ORG_MAX + 1] = "";
    if (rc == 0 && txn &&
        ms_txn_get(txn, MS_TABLE_META, IDENTITY, strlen(IDENTITY), &val, NULL) == 0)
        identity_field(&val, "org", org, sizeof org);
    if (rc == 0 && org[0] && strcmp(org, r->org) != 0)
        rc = ms_error_set(err, MS_EINVAL, dir, "this node is %s, the backup is of %s", org, r->org);
    ms_txn_abort(&txn);
    ms_store_close(&store);
    free(key_path);
    free(data_path);
    return rc;
}

static int restore_keep(const char *dir, restore_t *r, ms_error_t *err)
{
    int rc = restore_pass(r, err);
    ms_store_t *store = NULL;
    if (rc == 0)
        rc = ms_store_open(dir, &store, err);
    r->clear = true;
    if (rc == 0)
        rc = ms_store_write(store, restore_txn, r, err);
    ms_store_close(&store);
    return rc;
}

int ms_restore_blob(const char *dir, const uint8_t *blob, size_t len, const char *passphrase,
                    size_t passphrase_len, const ms_restore_options_t *opts, ms_backup_info_t *info,
                    ms_error_t *err)
{
    if (info)
        memset(info, 0, sizeof *info);
    restore_t r;
    memset(&r, 0, sizeof r);
    bool keep = opts && opts->keep_key;
    int rc = ms_backup_org(blob, len, r.org, err);
    if (rc == 0)
        rc = keep ? check_keep(dir, &r, err) : check_new(dir, err);
    if (rc == 0)
        rc = ms_backup_open(blob, len, passphrase, passphrase_len, &r.backup, err);
    if (rc == 0)
        rc = keep ? restore_keep(dir, &r, err) : restore_new(dir, &r, err);
    ms_backup_close(&r.backup);
    if (rc == 0 && info) {
        *info = r.info;
        memcpy(info->key, r.node_key, MS_KEY_BYTES);
    }
    return rc;
}

int ms_restore_file(const char *dir, const char *path, const char *passphrase,
                    size_t passphrase_len, const ms_restore_options_t *opts, ms_backup_info_t *info,
                    ms_error_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ms_error_set(err, MS_EIO, path, "cannot open: %s", strerror(errno));
    struct stat st;
    void *map = MAP_FAILED;
    int rc = fstat(fd, &st) != 0
                 ? ms_error_set(err, MS_EIO, path, "cannot read: %s", strerror(errno))
             : st.st_size == 0 ? ms_error_set(err, MS_EINVAL, path, "empty: not a mutsync backup")
                               : 0;
    if (rc == 0 &&
        (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
        rc = ms_error_set(err, MS_EIO, path, "cannot map: %s", strerror(errno));
    close(fd);
    if (rc == 0) {
        rc = ms_restore_blob(dir, map, (size_t)st.st_size, passphrase, passphrase_len, opts, info,
                             err);
        munmap(map, (size_t)st.st_size);
    }
    return rc;
}
