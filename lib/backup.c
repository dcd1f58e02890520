//  backup - seal a node's store into one blob; verify it; rebuild a node.
//
//  DESIGN. Sealing is one pipeline over one LMDB read transaction: entries
//  (table code, key, value) go through a zstd stream into a chunk buffer of
//  MS_BACKUP_CHUNK bytes; each full chunk is sealed as one secretstream
//  message, the clear header as its additional data, and handed to a sink
//  (memory or a file). Opening runs the pipeline backwards with the same
//  bounded buffers: pull a chunk (its tag checked before a byte of it is
//  used), decompress, parse whole entries, hand each to a callback. The
//  key is derived once with Argon2id; the stream is read twice on restore:
//  once to verify every chunk writing nothing, then again inside one LMDB
//  write transaction, so a wrong passphrase or a damaged byte never
//  reaches the store, and a failure of the store itself aborts the whole.
//  Secrets (the derived key, the stream state, the chunk buffers holding
//  personal data) are wiped before they are released.

#include "mutsync/backup.h"

#include "mutsync/i18n.h"
#include "mutsync/keyindex.h"
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
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#define MAGIC_LEN (sizeof MS_BACKUP_MAGIC - 1)
#define SALT_BYTES crypto_pwhash_SALTBYTES
#define STREAM_BYTES crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define TAG_BYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define KEY_BYTES crypto_secretstream_xchacha20poly1305_KEYBYTES
#define HEADER_MAX (MAGIC_LEN + 2 + MS_ORG_MAX + SALT_BYTES + 24 + STREAM_BYTES)
#define SEALED_MAX (4 + MS_BACKUP_CHUNK + TAG_BYTES)
#define STORE_KEY_MAX 511  //  LMDB's largest key
#define END_CODE 0xFF
#define ZSTD_LEVEL 3
#define IDENTITY "identity"

typedef crypto_secretstream_xchacha20poly1305_state stream_t;

//  The tables a backup carries, by codes that stay when ms_table_t changes.
static const struct {
    ms_table_t table;
    uint8_t code;
} tables[] = {
    {MS_TABLE_META, 1},       {MS_TABLE_HEADS, 2},  {MS_TABLE_ENVELOPES, 3}, {MS_TABLE_RECORDS, 4},
    {MS_TABLE_QUARANTINE, 5}, {MS_TABLE_TRUST, 6},  {MS_TABLE_REVOKED, 7},   {MS_TABLE_PEERS, 8},
    {MS_TABLE_VIEWS, 9},      {MS_TABLE_INDEX, 10}, {MS_TABLE_FORKS, 11},
};
_Static_assert(sizeof tables / sizeof tables[0] == MS_TABLE_COUNT,
               "a new store table: decide how backups carry it");

typedef struct {
    uint8_t bytes[HEADER_MAX];    //  as in the file: the additional data of every chunk
    size_t len;                   //  bytes
    char org[MS_ORG_MAX + 1];     //
    const uint8_t *salt;          //  into bytes
    unsigned long long opslimit;  //  Argon2id passes
    size_t memlimit;              //  Argon2id bytes
    int64_t created;              //  UTC seconds
    const uint8_t *stream;        //  into bytes: the secretstream header
} header_t;

static void put_be32(uint8_t *out, uint32_t value)
{
    out[0] = (uint8_t)(value >> 24);
    out[1] = (uint8_t)(value >> 16);
    out[2] = (uint8_t)(value >> 8);
    out[3] = (uint8_t)value;
}

static uint32_t get_be32(const uint8_t *in)
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

static int parse_header(const uint8_t *blob, size_t len, header_t *h, ms_error_t *err)
{
    memset(h, 0, sizeof *h);
    if (len < MAGIC_LEN + 2 || memcmp(blob, MS_BACKUP_MAGIC, MAGIC_LEN) != 0)
        return ms_error_set(err, MS_EINVAL, "backup", "not a mutsync backup (bad magic)");
    if (blob[MAGIC_LEN] != MS_BACKUP_VERSION)
        return ms_error_set(err, MS_EINVAL, "backup", "backup format %u, this program reads %u",
                            blob[MAGIC_LEN], MS_BACKUP_VERSION);
    size_t org_len = blob[MAGIC_LEN + 1], at = MAGIC_LEN + 2;
    if (org_len == 0 || org_len > MS_ORG_MAX || len < at + org_len + SALT_BYTES + 24 + STREAM_BYTES)
        return ms_error_set(err, MS_EINVAL, "backup", "damaged backup: its header is cut short");
    memcpy(h->org, blob + at, org_len);
    if (strlen(h->org) != org_len || ms_org_id_check(h->org, NULL) != 0) {
        h->org[0] = 0;
        return ms_error_set(err, MS_EINVAL, "backup", "damaged backup: no valid org id");
    }
    at += org_len;
    h->salt = h->bytes + at;
    at += SALT_BYTES;
    uint64_t ops = ms_get_be64(blob + at), mem = ms_get_be64(blob + at + 8);
    h->created = (int64_t)ms_get_be64(blob + at + 16);
    at += 24;
    if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_SENSITIVE) {
        h->org[0] = 0;
        return ms_error_set(err, MS_EINVAL, "backup",
                            "damaged backup: Argon2id costs out of bounds");
    }
    h->opslimit = ops;
    h->memlimit = (size_t)mem;
    h->stream = h->bytes + at;
    h->len = at + STREAM_BYTES;
    memcpy(h->bytes, blob, h->len);
    return 0;
}

static int derive_key(const char *passphrase, size_t passphrase_len, const header_t *h,
                      uint8_t *key, ms_error_t *err)
{
    if (sodium_init() < 0)
        return ms_error_set(err, MS_ECRYPTO, "backup", "libsodium could not be initialised");
    if (passphrase_len == 0)
        return ms_error_set(err, MS_EINVAL, "backup", "the passphrase is empty");
    if (crypto_pwhash(key, KEY_BYTES, passphrase, passphrase_len, h->salt, h->opslimit, h->memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return ms_error_set(err, MS_ENOMEM, "backup", "Argon2id could not get %zu MiB of memory",
                            h->memlimit >> 20);
    return 0;
}

//  ---------------------------------------------------------------------------
//  Sealing

typedef int (*sink_fn)(const uint8_t *data, size_t len, void *ctx);  //  0 or -1 (errno set)

typedef struct {
    stream_t stream;         //  secretstream push state
    ZSTD_CCtx *cctx;         //
    uint8_t *packed;         //  MS_BACKUP_CHUNK compressed bytes waiting to be sealed
    size_t packed_len;       //
    uint8_t *sealed;         //  SEALED_MAX: one chunk as written
    const header_t *header;  //
    sink_fn sink;            //
    void *sink_ctx;          //
    uint64_t entries;        //  written
    ms_backup_info_t info;   //  what went in
    ms_error_t *err;         //
} sealer_t;

static int seal_chunk(sealer_t *s, uint8_t tag)
{
    unsigned long long len = 0;
    crypto_secretstream_xchacha20poly1305_push(&s->stream, s->sealed + 4, &len, s->packed,
                                               s->packed_len, s->header->bytes, s->header->len,
                                               tag);
    put_be32(s->sealed, (uint32_t)len);
    s->packed_len = 0;
    s->info.bytes += 4 + len;
    if (s->sink(s->sealed, 4 + (size_t)len, s->sink_ctx) != 0)
        return ms_error_set(s->err, MS_EIO, "backup", "cannot write: %s", strerror(errno));
    return 0;
}

//  Compresses DATA; MODE ZSTD_e_end also flushes the frame and seals the last chunk.
static int feed(sealer_t *s, const void *data, size_t len, ZSTD_EndDirective mode)
{
    ZSTD_inBuffer in = {data, len, 0};
    for (;;) {
        ZSTD_outBuffer out = {s->packed, MS_BACKUP_CHUNK, s->packed_len};
        size_t left = ZSTD_compressStream2(s->cctx, &out, &in, mode);
        if (ZSTD_isError(left))
            return ms_error_set(s->err, MS_ENOMEM, "backup", "zstd: %s", ZSTD_getErrorName(left));
        s->packed_len = out.pos;
        int rc = s->packed_len == MS_BACKUP_CHUNK
                     ? seal_chunk(s, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
                     : 0;
        if (rc)
            return rc;
        if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size)
            break;
    }
    return mode == ZSTD_e_end ? seal_chunk(s, crypto_secretstream_xchacha20poly1305_TAG_FINAL) : 0;
}

static int feed_entry(sealer_t *s, uint8_t code, const ms_val_t *key, const ms_val_t *val)
{
    if (key->len > STORE_KEY_MAX || val->len > MS_BACKUP_VALUE_MAX)
        return ms_error_set(s->err, MS_EINVAL, "backup",
                            "a stored entry of %zu + %zu bytes is over the limits (%d + %d)",
                            key->len, val->len, STORE_KEY_MAX, MS_BACKUP_VALUE_MAX);
    uint8_t head[5], val_len[4];
    head[0] = code;
    put_be32(head + 1, (uint32_t)key->len);
    put_be32(val_len, (uint32_t)val->len);
    int rc = feed(s, head, sizeof head, ZSTD_e_continue);
    if (rc == 0)
        rc = feed(s, key->data, key->len, ZSTD_e_continue);
    if (rc == 0)
        rc = feed(s, val_len, sizeof val_len, ZSTD_e_continue);
    if (rc == 0)
        rc = feed(s, val->data, val->len, ZSTD_e_continue);
    s->entries++;
    return rc;
}

static void count_entry(ms_backup_info_t *info, ms_table_t table)
{
    info->entries++;
    info->feeds += table == MS_TABLE_HEADS;
    info->envelopes += table == MS_TABLE_ENVELOPES;
    info->records += table == MS_TABLE_RECORDS;
}

static int feed_tables(sealer_t *s, ms_txn_t *txn)
{
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        ms_cursor_t *cursor;
        int rc = ms_cursor_open(txn, tables[i].table, NULL, 0, &cursor, s->err);
        ms_val_t key, val;
        while (rc == 0 && (rc = ms_cursor_next(cursor, &key, &val, s->err)) == 1) {
            rc = feed_entry(s, tables[i].code, &key, &val);
            count_entry(&s->info, tables[i].table);
        }
        ms_cursor_close(&cursor);
        if (rc)
            return rc;
    }
    return 0;
}

static int feed_all(sealer_t *s, ms_node_t *node)
{
    const ms_identity_t *id = ms_node_identity(node);
    uint8_t manifest[2 + MS_ORG_MAX + MS_KEY_BYTES + 8];
    size_t org_len = strlen(id->org), at = 0;
    manifest[at++] = MS_BACKUP_VERSION;
    manifest[at++] = (uint8_t)org_len;
    memcpy(manifest + at, id->org, org_len);
    at += org_len;
    memcpy(manifest + at, id->key, MS_KEY_BYTES);
    at += MS_KEY_BYTES;
    ms_put_be64(manifest + at, (uint64_t)s->header->created);
    at += 8;
    ms_txn_t *txn;
    int rc = ms_store_read(ms_node_store(node), &txn, s->err);
    if (rc == 0)
        rc = feed(s, manifest, at, ZSTD_e_continue);
    if (rc == 0)
        rc = feed_tables(s, txn);
    ms_txn_abort(&txn);
    uint8_t end[9] = {END_CODE};
    ms_put_be64(end + 1, s->entries);
    return rc ? rc : feed(s, end, sizeof end, ZSTD_e_end);
}

static int seal_to(ms_node_t *node, const char *passphrase, size_t passphrase_len,
                   const ms_backup_seal_options_t *opts, sink_fn sink, void *sink_ctx,
                   ms_backup_info_t *info, ms_error_t *err)
{
    const ms_identity_t *id = ms_node_identity(node);
    header_t h;
    memset(&h, 0, sizeof h);
    h.opslimit = opts && opts->opslimit ? opts->opslimit : crypto_pwhash_OPSLIMIT_MODERATE;
    h.memlimit = opts && opts->memlimit ? opts->memlimit : crypto_pwhash_MEMLIMIT_MODERATE;
    if (h.opslimit < crypto_pwhash_OPSLIMIT_MIN || h.opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        h.memlimit < crypto_pwhash_MEMLIMIT_MIN || h.memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE)
        return ms_error_set(err, MS_EINVAL, "backup", "Argon2id costs out of bounds");
    //  What leaves the node is current: reports pending since the month
    //  rolled over are signed before the snapshot is taken.
    int published = ms_node_before_leave(node, err);
    if (published)
        return published;
    size_t org_len = strlen(id->org);
    h.created = (int64_t)time(NULL);
    memcpy(h.bytes, MS_BACKUP_MAGIC, MAGIC_LEN);
    h.bytes[MAGIC_LEN] = MS_BACKUP_VERSION;
    h.bytes[MAGIC_LEN + 1] = (uint8_t)org_len;
    memcpy(h.bytes + MAGIC_LEN + 2, id->org, org_len);
    h.len = MAGIC_LEN + 2 + org_len;
    h.salt = h.bytes + h.len;
    if (sodium_init() < 0)
        return ms_error_set(err, MS_ECRYPTO, "backup", "libsodium could not be initialised");
    randombytes_buf(h.bytes + h.len, SALT_BYTES);
    h.len += SALT_BYTES;
    ms_put_be64(h.bytes + h.len, h.opslimit);
    ms_put_be64(h.bytes + h.len + 8, h.memlimit);
    ms_put_be64(h.bytes + h.len + 16, (uint64_t)h.created);
    h.len += 24;
    uint8_t key[KEY_BYTES];
    int rc = derive_key(passphrase, passphrase_len, &h, key, err);
    sealer_t s = {.header = &h, .sink = sink, .sink_ctx = sink_ctx, .err = err};
    if (rc == 0) {
        crypto_secretstream_xchacha20poly1305_init_push(&s.stream, h.bytes + h.len, key);
        h.len += STREAM_BYTES;
        s.packed = malloc(MS_BACKUP_CHUNK);
        s.sealed = malloc(SEALED_MAX);
        s.cctx = ZSTD_createCCtx();
        if (!s.packed || !s.sealed || !s.cctx)
            rc = ms_error_set(err, MS_ENOMEM, "backup", "no memory to seal");
    }
    if (rc == 0 &&
        ZSTD_isError(ZSTD_CCtx_setParameter(s.cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL)))
        rc = ms_error_set(err, MS_ENOMEM, "backup", "zstd refused its level");
    s.info.bytes = h.len;
    if (rc == 0 && sink(h.bytes, h.len, sink_ctx) != 0)
        rc = ms_error_set(err, MS_EIO, "backup", "cannot write: %s", strerror(errno));
    if (rc == 0)
        rc = feed_all(&s, node);
    sodium_memzero(key, sizeof key);
    sodium_memzero(&s.stream, sizeof s.stream);
    if (s.packed)
        sodium_memzero(s.packed, MS_BACKUP_CHUNK);
    free(s.packed);
    free(s.sealed);
    ZSTD_freeCCtx(s.cctx);
    if (rc == 0 && info) {
        *info = s.info;
        snprintf(info->org, sizeof info->org, "%s", id->org);
        memcpy(info->old_key, id->key, MS_KEY_BYTES);
        info->created = h.created;
    }
    return rc;
}

typedef struct {
    uint8_t *data;
    size_t len, cap;
} membuf_t;

static int memory_sink(const uint8_t *data, size_t len, void *ctx)
{
    membuf_t *buf = ctx;
    if (buf->len + len > buf->cap) {
        size_t cap = buf->cap ? buf->cap * 2 : 4 * MS_BACKUP_CHUNK;
        while (cap < buf->len + len)
            cap *= 2;
        uint8_t *data_new = realloc(buf->data, cap);
        if (!data_new) {
            errno = ENOMEM;
            return -1;
        }
        buf->data = data_new;
        buf->cap = cap;
    }
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    return 0;
}

int ms_backup_seal(ms_node_t *node, const char *passphrase, size_t passphrase_len,
                   const ms_backup_seal_options_t *opts, uint8_t **blob, size_t *blob_len,
                   ms_backup_info_t *info, ms_error_t *err)
{
    *blob = NULL;
    *blob_len = 0;
    membuf_t buf = {NULL, 0, 0};
    int rc = seal_to(node, passphrase, passphrase_len, opts, memory_sink, &buf, info, err);
    if (rc) {
        free(buf.data);
        return rc;
    }
    *blob = buf.data;
    *blob_len = buf.len;
    return 0;
}

static int file_sink(const uint8_t *data, size_t len, void *ctx)
{
    return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

int ms_backup_save(ms_node_t *node, const char *passphrase, size_t passphrase_len,
                   const ms_backup_seal_options_t *opts, const char *path, ms_backup_info_t *info,
                   ms_error_t *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return ms_error_set(err, MS_EINVAL, path, "path too long");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!out) {
        int rc = ms_error_set(err, MS_EIO, tmp, "cannot create: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    int rc = seal_to(node, passphrase, passphrase_len, opts, file_sink, out, info, err);
    if ((fflush(out) != 0 || fsync(fd) != 0) && rc == 0)
        rc = ms_error_set(err, MS_EIO, tmp, "cannot write: %s", strerror(errno));
    fclose(out);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = ms_error_set(err, MS_EIO, path, "cannot rename: %s", strerror(errno));
    if (rc)
        unlink(tmp);
    return rc;
}

int ms_backup_org(const uint8_t *blob, size_t len, char *org, ms_error_t *err)
{
    header_t h;
    int rc = parse_header(blob, len, &h, err);
    snprintf(org, MS_ORG_MAX + 1, "%s", rc ? "" : h.org);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Opening

struct ms_backup {
    const uint8_t *blob;     //  borrowed from the caller
    size_t len;              //  bytes
    header_t header;         //  parsed from BLOB
    uint8_t key[KEY_BYTES];  //  derived from the passphrase; wiped by sodium_free
};

typedef struct {
    uint8_t *buf;                   //  decompressed bytes not parsed yet
    size_t len, cap;                //
    bool manifest_done, ended;      //
    uint64_t entries;               //  parsed
    uint8_t old_key[MS_KEY_BYTES];  //  from the manifest
    char org[MS_ORG_MAX + 1];       //
    ms_backup_entry_fn fn;          //
    void *ctx;                      //
    ms_backup_info_t info;          //
} parser_t;

static int malformed(ms_error_t *err, const char *why)
{
    return ms_error_set(err, MS_EINVAL, "backup", "damaged backup: %s", why);
}

static int table_of(uint8_t code, ms_table_t *table)
{
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (tables[i].code == code) {
            *table = tables[i].table;
            return 0;
        }
    return -1;
}

//  Parses one item at the start of P->buf. Returns 1 and sets *USED when
//  one was whole, 0 when more bytes are needed, or a code.
static int parse_item(parser_t *p, const header_t *h, const uint8_t *b, size_t len, size_t *used,
                      ms_error_t *err)
{
    if (p->ended)
        return malformed(err, _("bytes after its end"));
    if (!p->manifest_done) {
        if (len < 2 || len < 2 + (size_t)b[1] + MS_KEY_BYTES + 8)
            return 0;
        if (b[0] != MS_BACKUP_VERSION || b[1] != strlen(h->org) || memcmp(b + 2, h->org, b[1]))
            return malformed(err, _("its contents name another org or format"));
        memcpy(p->org, h->org, sizeof p->org);
        memcpy(p->old_key, b + 2 + b[1], MS_KEY_BYTES);
        p->manifest_done = true;
        *used = 2 + b[1] + MS_KEY_BYTES + 8;
        return 1;
    }
    if (len >= 1 && b[0] == END_CODE) {
        if (len < 9)
            return 0;
        if (ms_get_be64(b + 1) != p->entries)
            return malformed(err, _("its entry count does not match"));
        p->ended = true;
        *used = 9;
        return 1;
    }
    ms_table_t table;
    if (len >= 1 && table_of(b[0], &table) != 0)
        return malformed(err, _("an unknown table"));
    if (len < 5)
        return 0;
    size_t key_len = get_be32(b + 1);
    if (key_len > STORE_KEY_MAX)
        return malformed(err, _("a key over the limit"));
    if (len < 5 + key_len + 4)
        return 0;
    size_t val_len = get_be32(b + 5 + key_len);
    if (val_len > MS_BACKUP_VALUE_MAX)
        return malformed(err, _("a value over the limit"));
    if (len < 9 + key_len + val_len)
        return 0;
    ms_val_t key = {b + 5, key_len}, val = {b + 9 + key_len, val_len};
    p->entries++;
    count_entry(&p->info, table);
    int rc = p->fn ? p->fn(table, &key, &val, p->ctx, err) : 0;
    *used = 9 + key_len + val_len;
    return rc ? rc : 1;
}

static int parse_bytes(parser_t *p, const header_t *h, const uint8_t *data, size_t len,
                       ms_error_t *err)
{
    if (p->len + len > p->cap) {
        size_t cap = p->cap ? p->cap : 2 * MS_BACKUP_CHUNK;
        while (cap < p->len + len)
            cap *= 2;
        uint8_t *buf = malloc(cap);  //  not realloc: the old bytes are wiped
        if (!buf)
            return ms_error_set(err, MS_ENOMEM, "backup", "no memory to read the backup");
        if (p->buf) {
            memcpy(buf, p->buf, p->len);
            sodium_memzero(p->buf, p->cap);
        }
        free(p->buf);
        p->buf = buf;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, data, len);
    p->len += len;
    size_t start = 0;
    for (;;) {
        size_t used = 0;
        int rc = p->len > start ? parse_item(p, h, p->buf + start, p->len - start, &used, err) : 0;
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
        start += used;
    }
    memmove(p->buf, p->buf + start, p->len - start);
    p->len -= start;
    return 0;
}

static int chunk_failed(ms_error_t *err, uint64_t chunk, size_t at, const char *why)
{
    return ms_error_set(err, MS_ECRYPTO, "backup",
                        "wrong passphrase or damaged backup (chunk %llu at byte %zu %s)",
                        (unsigned long long)chunk, at, why);
}

typedef struct {
    stream_t stream;  //  secretstream pull state
    ZSTD_DCtx *dctx;  //
    uint8_t *plain;   //  MS_BACKUP_CHUNK: one opened chunk
    uint8_t *out;     //  ZSTD_DStreamOutSize()
    size_t out_cap;   //
    parser_t parser;  //
} reader_t;

static int read_chunks(reader_t *r, const uint8_t *blob, size_t len, const header_t *h,
                       ms_error_t *err)
{
    size_t at = h->len, left = 1;
    uint64_t chunk = 0;
    bool final = false;
    while (!final) {
        chunk++;
        if (len - at < 4 + TAG_BYTES)
            return chunk_failed(err, chunk, at, _("is missing: the file is cut short"));
        size_t sealed_len = get_be32(blob + at);
        if (sealed_len < TAG_BYTES || sealed_len > MS_BACKUP_CHUNK + TAG_BYTES ||
            len - at - 4 < sealed_len)
            return chunk_failed(err, chunk, at, _("has a bad length"));
        unsigned long long plain_len = 0;
        uint8_t tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&r->stream, r->plain, &plain_len, &tag,
                                                       blob + at + 4, sealed_len, h->bytes,
                                                       h->len) != 0)
            return chunk_failed(err, chunk, at, _("does not authenticate"));
        at += 4 + sealed_len;
        final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
        if (!final && tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
            return chunk_failed(err, chunk, at, _("has an unknown tag"));
        if (final && at != len)
            return chunk_failed(err, chunk, at, _("is followed by bytes that belong to no chunk"));
        ZSTD_inBuffer in = {r->plain, (size_t)plain_len, 0};
        for (;;) {
            ZSTD_outBuffer out = {r->out, r->out_cap, 0};
            left = ZSTD_decompressStream(r->dctx, &out, &in);
            if (ZSTD_isError(left))
                return malformed(err, ZSTD_getErrorName(left));
            int rc = parse_bytes(&r->parser, h, r->out, out.pos, err);
            if (rc)
                return rc;
            if (in.pos == in.size && out.pos < out.size)
                break;
        }
    }
    if (left != 0)
        return malformed(err, _("its compressed stream is cut short"));
    if (!r->parser.ended || r->parser.len)
        return malformed(err, _("it ends before its end marker"));
    return 0;
}

int ms_backup_open(const uint8_t *blob, size_t len, const char *passphrase, size_t passphrase_len,
                   ms_backup_t **backup_p, ms_error_t *err)
{
    *backup_p = NULL;
    if (sodium_init() < 0)
        return ms_error_set(err, MS_ECRYPTO, "backup", "libsodium could not be initialised");
    ms_backup_t *self = sodium_malloc(sizeof *self);
    if (!self)
        return ms_error_set(err, MS_ENOMEM, "backup", "no memory to open the backup");
    self->blob = blob;
    self->len = len;
    int rc = parse_header(blob, len, &self->header, err);
    if (rc == 0)
        rc = derive_key(passphrase, passphrase_len, &self->header, self->key, err);
    if (rc) {
        sodium_free(self);
        return rc;
    }
    *backup_p = self;
    return 0;
}

void ms_backup_close(ms_backup_t **backup_p)
{
    if (backup_p && *backup_p) {
        sodium_free(*backup_p);
        *backup_p = NULL;
    }
}

int ms_backup_read(ms_backup_t *self, ms_backup_entry_fn fn, void *ctx, ms_backup_info_t *info,
                   ms_error_t *err)
{
    const header_t *h = &self->header;
    reader_t r;
    memset(&r, 0, sizeof r);
    r.parser.fn = fn;
    r.parser.ctx = ctx;
    r.out_cap = ZSTD_DStreamOutSize();
    r.plain = malloc(MS_BACKUP_CHUNK);
    r.out = malloc(r.out_cap);
    r.dctx = ZSTD_createDCtx();
    int rc = r.plain && r.out && r.dctx
                 ? 0
                 : ms_error_set(err, MS_ENOMEM, "backup", "no memory to read the backup");
    if (rc == 0 &&
        crypto_secretstream_xchacha20poly1305_init_pull(&r.stream, h->stream, self->key) != 0)
        rc = chunk_failed(err, 0, h->len - STREAM_BYTES, _("(the stream header) is damaged"));
    if (rc == 0)
        rc = read_chunks(&r, self->blob, self->len, h, err);
    if (rc == 0 && info) {
        *info = r.parser.info;
        snprintf(info->org, sizeof info->org, "%s", h->org);
        memcpy(info->old_key, r.parser.old_key, MS_KEY_BYTES);
        info->created = h->created;
        info->bytes = self->len;
    }
    sodium_memzero(&r.stream, sizeof r.stream);
    if (r.plain)
        sodium_memzero(r.plain, MS_BACKUP_CHUNK);
    if (r.out)
        sodium_memzero(r.out, r.out_cap);
    if (r.parser.buf)
        sodium_memzero(r.parser.buf, r.parser.cap);
    free(r.plain);
    free(r.out);
    free(r.parser.buf);
    ZSTD_freeDCtx(r.dctx);
    return rc;
}

int ms_backup_verify(const uint8_t *blob, size_t len, const char *passphrase, size_t passphrase_len,
                     ms_backup_info_t *info, ms_error_t *err)
{
    ms_backup_t *backup;
    int rc = ms_backup_open(blob, len, passphrase, passphrase_len, &backup, err);
    if (rc == 0)
        rc = ms_backup_read(backup, NULL, NULL, info, err);
    ms_backup_close(&backup);
    return rc;
}

int ms_backup_passphrase_load(const char *path, char *buf, size_t cap, size_t *len, ms_error_t *err)
{
    *len = 0;
    memset(buf, 0, cap);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ms_error_set(err, MS_EIO, path, "cannot open: %s", strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = ms_error_set(err, MS_EIO, path, "cannot read: %s", strerror(errno));
    else if (st.st_mode & 077)
        rc = ms_error_set(err, MS_EPERM, path,
                          "other users may read this passphrase file (mode %04o): chmod 600 %s",
                          (unsigned)(st.st_mode & 07777), path);
    size_t got = 0;
    char *nl = NULL;
    while (rc == 0 && !nl && got < cap - 1) {
        ssize_t n = read(fd, buf + got, cap - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = ms_error_set(err, MS_EIO, path, "cannot read: %s", strerror(errno));
        if (n <= 0)
            break;
        got += (size_t)n;
        nl = memchr(buf, '\n', got);
    }
    char more = 0;
    if (rc == 0 && !nl && got == cap - 1 && read(fd, &more, 1) == 1)
        rc = ms_error_set(err, MS_EINVAL, path, "the passphrase is longer than %zu bytes", cap - 1);
    more = 0;
    close(fd);
    size_t line = nl ? (size_t)(nl - buf) : got;
    if (rc == 0 && line && buf[line - 1] == '\r')
        line--;
    if (rc == 0 && line == 0)
        rc = ms_error_set(err, MS_EINVAL, path, "the first line, the passphrase, is empty");
    sodium_memzero(buf + line, cap - line);
    if (rc)
        sodium_memzero(buf, cap);
    else
        *len = line;
    return rc;
}
