//  ms-forge - makes the bad envelopes tests need, as one-frame bundles.
//
//    ms-forge -d DIR card OUT --seq N --prev-of S [--name NAME] [--card-org ORG] [--pad BYTES]
//             [--created SECONDS] [--role R] [--country CC] [--parent ORG] [--target N]
//        an org-card change set in DIR's public feed, signed with DIR's key:
//        seq N, prev = id of DIR's public envelope S (0: zeros). --card-org
//        writes another org's card; --pad adds a value of BYTES bytes;
//        --created sets the signer's clock; --role/--country/--parent what
//        the card claims (default: DIR's identity); --target its target population.
//    ms-forge flip IN OUT --frame N --from-end K
//        flips byte K counted from the end of frame N (1: the last byte).
//    ms-forge cut IN OUT --frame N --keep BYTES
//        keeps the first BYTES of frame N's envelope (a truncated protobuf).
//    ms-forge -d DIR report KEY [--value V] [--numerator N] [--denominator D]
//                               [--period P] [--indicator CODE]
//        appends to DIR's public feed, signed with DIR's key, a report under
//        KEY carrying those figures (period and indicator from KEY unless
//        given), past the writer's own rules and without the views hook: what
//        a broken or hostile writer would publish. bundle export carries it.
//  Tests only: it writes what a forger or a broken disk would.

#include "mutsync/bundle.h"
#include "mutsync/envelope.h"
#include "mutsync/registers.h"
#include "mutsync/replica.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int die(const char *message)
{
    fprintf(stderr, "ms-forge: %s\n", message);
    return 2;
}

static const char *option(int argc, char **argv, const char *name, const char *fallback)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return fallback;
}

static int write_bundle(const char *path, const uint8_t *bytes, size_t len)
{
    FILE *out = fopen(path, "wb");
    if (!out)
        return 1;
    uint8_t head[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                       (uint8_t)len};
    fwrite(MS_BUNDLE_MAGIC, 1, strlen(MS_BUNDLE_MAGIC), out);
    fwrite(head, 1, 4, out);
    fwrite(bytes, 1, len, out);
    return fclose(out) == 0 ? 0 : 1;
}

static int card(const char *dir, const char *out, int argc, char **argv)
{
    ms_node_t *node;
    ms_error_t err = {0};
    if (ms_node_open(dir, &node, &err) != 0)
        return die(err.message);
    const ms_identity_t *id = ms_node_identity(node);
    uint64_t seq = strtoull(option(argc, argv, "--seq", "1"), NULL, 10);
    uint64_t prev_of = strtoull(option(argc, argv, "--prev-of", "0"), NULL, 10);
    const char *card_org = option(argc, argv, "--card-org", id->org);
    size_t pad = strtoul(option(argc, argv, "--pad", "0"), NULL, 10);
    int64_t created = strtoll(option(argc, argv, "--created", "0"), NULL, 10);
    ms_changeset_t cs = {
        .origin = id->org, .feed = "public", .seq = seq, .created = created ? created : time(NULL)};
    memcpy(cs.signer, id->key, MS_KEY_BYTES);
    if (prev_of) {
        ms_txn_t *txn;
        ms_val_t bytes;
        if (ms_store_read(ms_node_store(node), &txn, &err) != 0 ||
            ms_replica_envelope(txn, id->org, "public", prev_of, cs.prev, &bytes, &err) != 0)
            return die("no such envelope for --prev-of");
        ms_txn_abort(&txn);
    }
    ms_org_t org;
    memset(&org, 0, sizeof org);
    snprintf(org.name, sizeof org.name, "%s", option(argc, argv, "--name", id->name));
    snprintf(org.country, sizeof org.country, "%s", option(argc, argv, "--country", id->country));
    snprintf(org.parent, sizeof org.parent, "%s", option(argc, argv, "--parent", id->parent));
    const char *role = option(argc, argv, "--role", NULL);
    org.role = role ? ms_role_from_name(role) : id->role;
    org.target_population = strtoull(option(argc, argv, "--target", "0"), NULL, 10);
    org.register_reach = id->register_reach;
    uint8_t *value = calloc(1, pad + MS_VALUE_MAX);
    size_t len = 0;
    if (!value || ms_org_encode(&org, value, MS_VALUE_MAX, &len) != 0)
        return die("cannot encode the card");
    ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, card_org, value, pad ? pad : len};
    cs.change_count = 1;
    cs.changes = &change;
    //  The encoder refuses values above the bound; a forger would not, so an
    //  oversized change is appended by hand as protobuf field 7 (changes).
    uint8_t *body = NULL, *bytes = NULL;
    size_t body_len = 0, bytes_len = 0;
    if (pad > MS_VALUE_MAX) {
        change.value_len = 16;
        if (ms_changeset_encode(&cs, &body, &body_len, &err) != 0)
            return die(err.message);
        size_t inner = 16 + strlen(card_org) + pad;
        uint8_t *grown = malloc(body_len + inner + 16);
        memcpy(grown, body, body_len);
        uint8_t *p = grown + body_len;
        *p++ = 0x3a;  //  field 7, wire type 2
        size_t change_len = 2 + 2 + strlen(card_org) + 3 + pad;
        *p++ = (uint8_t)(0x80 | (change_len & 0x7f));
        *p++ = (uint8_t)(change_len >> 7);
        *p++ = 0x08;  //  collection = ORG
        *p++ = 0x01;
        *p++ = 0x1a;  //  key
        *p++ = (uint8_t)strlen(card_org);
        memcpy(p, card_org, strlen(card_org));
        p += strlen(card_org);
        *p++ = 0x22;  //  value
        *p++ = (uint8_t)(0x80 | (pad & 0x7f));
        *p++ = (uint8_t)(pad >> 7);
        memset(p, 'x', pad);
        p += pad;
        free(body);
        body = grown;
        body_len = (size_t)(p - grown);
    } else if (ms_changeset_encode(&cs, &body, &body_len, &err) != 0) {
        return die(err.message);
    }
    const ms_keypair_t *keypair;
    if (ms_node_keypair(node, &keypair, &err) != 0 ||
        ms_envelope_seal(keypair, body, body_len, NULL, &bytes, &bytes_len, &err) != 0)
        return die(err.message);
    int rc = write_bundle(out, bytes, bytes_len);
    free(body);
    free(bytes);
    free(value);
    ms_node_close(&node);
    return rc;
}

typedef struct {
    ms_node_t *node;
    ms_change_t change;
} append_t;

static int append_one(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    append_t *a = arg;
    ms_verdict_t verdict;
    return ms_node_append(a->node, txn, "public", &a->change, 1, &verdict, err);
}

static int report(const char *dir, const char *key, int argc, char **argv)
{
    ms_node_t *node;
    ms_error_t err = {0};
    if (ms_node_open(dir, &node, &err) != 0)
        return die(err.message);
    ms_report_t r;
    memset(&r, 0, sizeof r);
    const char *bar = strchr(key, '|');
    const char *bar2 = bar ? strchr(bar + 1, '|') : NULL;
    snprintf(r.period, sizeof r.period, "%s", option(argc, argv, "--period", key));
    char code[MS_CODE_MAX + 1] = "";
    if (bar2)
        snprintf(code, sizeof code, "%.*s", (int)(bar2 - bar - 1), bar + 1);
    snprintf(r.indicator, sizeof r.indicator, "%s", option(argc, argv, "--indicator", code));
    r.value = strtod(option(argc, argv, "--value", "0"), NULL);
    r.numerator = strtod(option(argc, argv, "--numerator", "0"), NULL);
    r.denominator = strtod(option(argc, argv, "--denominator", "0"), NULL);
    uint8_t value[256];
    size_t len = 0;
    if (ms_report_encode(&r, value, sizeof value, &len) != 0)
        return die("cannot encode the report");
    append_t a = {node, {MS_COLL_REPORT, MS_OP_UPSERT, key, value, len}};
    int rc = ms_store_write(ms_node_store(node), append_one, &a, &err);
    ms_node_close(&node);
    return rc ? die(err.message) : 0;
}

//  Reads frame N of bundle IN into a new buffer.
static uint8_t *read_frame(const char *in, long frame, size_t *len)
{
    FILE *f = fopen(in, "rb");
    if (!f)
        return NULL;
    char magic[8];
    if (fread(magic, 1, 8, f) != 8) {
        fclose(f);
        return NULL;
    }
    uint8_t *bytes = NULL;
    for (long i = 1; i <= frame; i++) {
        uint8_t head[4];
        if (fread(head, 1, 4, f) != 4)
            break;
        *len = (size_t)head[0] << 24 | (size_t)head[1] << 16 | (size_t)head[2] << 8 | head[3];
        free(bytes);
        bytes = malloc(*len);
        if (!bytes || fread(bytes, 1, *len, f) != *len) {
            free(bytes);
            bytes = NULL;
            break;
        }
    }
    fclose(f);
    return bytes;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    if (argc > 2 && strcmp(argv[1], "-d") == 0) {
        dir = argv[2];
        argc -= 2;
        argv += 2;
    }
    if (argc < 3)
        return die("usage: see the top of tests/tools/forge.c");
    if (strcmp(argv[1], "report") == 0 && dir)
        return report(dir, argv[2], argc - 3, argv + 3);
    if (strcmp(argv[1], "card") == 0 && dir)
        return card(dir, argv[2], argc - 3, argv + 3);
    if (argc < 4)
        return die("flip and cut need IN OUT");
    size_t len = 0;
    long frame = strtol(option(argc, argv, "--frame", "1"), NULL, 10);
    uint8_t *bytes = read_frame(argv[2], frame, &len);
    if (!bytes)
        return die("no such frame");
    if (strcmp(argv[1], "flip") == 0) {
        size_t from_end = strtoul(option(argc, argv, "--from-end", "1"), NULL, 10);
        if (from_end == 0 || from_end > len)
            return die("--from-end out of range");
        bytes[len - from_end] ^= 0x01;
    } else if (strcmp(argv[1], "cut") == 0) {
        size_t keep = strtoul(option(argc, argv, "--keep", "0"), NULL, 10);
        if (keep < len)
            len = keep;
    } else {
        return die("unknown command");
    }
    int rc = write_bundle(argv[3], bytes, len);
    free(bytes);
    return rc;
}
