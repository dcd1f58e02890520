//  enrol - invitation and request files: writing, parsing, signatures.
//
//  Parsing is strict: a known name per line, each once, values checked
//  with the same checks as the CLI and the accept rules, and the signature
//  line last. Nothing in a file is trusted before its signature verifies.

#include "mutsync/enrol.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define INVITATION_DOMAIN "mutsync-invitation-v1\n"
#define REQUEST_DOMAIN "mutsync-request-v1\n"

typedef struct {
    char *out;
    size_t len;
    bool full;
} text_t;

static void put(text_t *t, const char *name, const char *fmt, ...) MS_PRINTF(3, 4);

static void put(text_t *t, const char *name, const char *fmt, ...)
{
    char value[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(value, sizeof value, fmt, args);
    va_end(args);
    int n = snprintf(t->out + t->len, MS_ENROL_TEXT_MAX - t->len, "%s %s\n", name, value);
    if (n < 0 || (size_t)n >= MS_ENROL_TEXT_MAX - t->len)
        t->full = true;
    else
        t->len += (size_t)n;
}

static void put_key(text_t *t, const char *name, const uint8_t *key)
{
    char hex[MS_KEY_HEX_BYTES];
    ms_key_to_hex(key, hex);
    put(t, name, "%s", hex);
}

//  Appends the signature line over DOMAIN and the text so far.
static int sign(text_t *t, const ms_keypair_t *keypair, const char *domain, ms_error_t *err)
{
    size_t domain_len = strlen(domain);
    uint8_t message[sizeof INVITATION_DOMAIN + MS_ENROL_TEXT_MAX];
    memcpy(message, domain, domain_len);
    memcpy(message + domain_len, t->out, t->len);
    uint8_t sig[MS_SIG_BYTES];
    ms_keypair_sign(keypair, message, domain_len + t->len, sig);
    char hex[2 * MS_SIG_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, sig, sizeof sig);
    put(t, "signature", "%s", hex);
    return t->full ? ms_error_set(err, MS_EINVAL, "enrol", "the file would be too long") : 0;
}

int ms_enrol_invite(ms_node_t *parent, ms_invitation_t *inv, char *out, ms_error_t *err)
{
    const ms_identity_t *id = ms_node_identity(parent);
    const ms_keypair_t *keypair;
    int rc = ms_node_keypair(parent, &keypair, err);
    if (rc)
        return rc;
    snprintf(inv->parent, sizeof inv->parent, "%s", id->org);
    inv->parent_role = id->role;
    memcpy(inv->parent_key, id->key, MS_KEY_BYTES);
    snprintf(inv->root, sizeof inv->root, "%s", id->root[0] ? id->root : id->org);
    memcpy(inv->root_key, id->root[0] ? id->root_key : id->key, MS_KEY_BYTES);
    text_t t = {out, 0, false};
    put(&t, "mutsync-invitation", "1");
    put(&t, "org", "%s", inv->org);
    put(&t, "role", "%s", ms_role_name(inv->role));
    put(&t, "country", "%s", inv->country);
    put(&t, "name", "%s", inv->name);
    put(&t, "parent", "%s", inv->parent);
    put(&t, "parent-role", "%s", ms_role_name(inv->parent_role));
    put_key(&t, "parent-key", inv->parent_key);
    put(&t, "parent-endpoint", "%s", inv->parent_endpoint);
    put(&t, "root", "%s", inv->root);
    put_key(&t, "root-key", inv->root_key);
    return sign(&t, keypair, INVITATION_DOMAIN, err);
}

int ms_enrol_request(ms_node_t *node, char *out, ms_error_t *err)
{
    const ms_identity_t *id = ms_node_identity(node);
    const ms_keypair_t *keypair;
    int rc = ms_node_keypair(node, &keypair, err);
    if (rc)
        return rc;
    text_t t = {out, 0, false};
    put(&t, "mutsync-request", "1");
    put(&t, "org", "%s", id->org);
    put(&t, "role", "%s", ms_role_name(id->role));
    put(&t, "country", "%s", id->country);
    put(&t, "name", "%s", id->name);
    put(&t, "parent", "%s", id->parent);
    put_key(&t, "key", id->key);
    return sign(&t, keypair, REQUEST_DOMAIN, err);
}

//  One parsed file: its lines by name, and where the signed part ends.
typedef struct {
    const char *names[16];
    char values[16][MS_NAME_MAX + MS_ENDPOINT_MAX];
    size_t count;
    size_t signed_len;  //  bytes before the signature line
    uint8_t sig[MS_SIG_BYTES];
} parsed_t;

static int parse(const char *text, size_t len, const char *magic, const char *const *names,
                 size_t name_count, parsed_t *p, ms_error_t *err)
{
    memset(p, 0, sizeof *p);
    if (len > MS_ENROL_TEXT_MAX)
        return ms_error_set(err, MS_EINVAL, magic, "the file is over %d bytes", MS_ENROL_TEXT_MAX);
    size_t at = 0, line = 0;
    bool signed_seen = false;
    while (at < len) {
        const char *end = memchr(text + at, '\n', len - at);
        size_t line_len = end ? (size_t)(end - (text + at)) : len - at;
        line++;
        const char *space = memchr(text + at, ' ', line_len);
        if (!space || signed_seen)
            return ms_error_set(err, MS_EINVAL, magic, "line %zu is not \"name value\"", line);
        size_t name_len = (size_t)(space - (text + at)), value_len = line_len - name_len - 1;
        char name[32] = "";
        if (name_len >= sizeof name)
            return ms_error_set(err, MS_EINVAL, magic, "line %zu: name too long", line);
        memcpy(name, text + at, name_len);
        if (line == 1 && (strcmp(name, magic) != 0 || value_len != 1 || space[1] != '1'))
            return ms_error_set(err, MS_EINVAL, magic, "not a %s file (version 1)", magic);
        if (strcmp(name, "signature") == 0) {
            char hex[2 * MS_SIG_BYTES + 1] = "";
            size_t bin_len = 0;
            if (value_len != 2 * MS_SIG_BYTES)
                return ms_error_set(err, MS_EINVAL, magic, "line %zu: a bad signature", line);
            memcpy(hex, space + 1, value_len);
            if (sodium_hex2bin(p->sig, sizeof p->sig, hex, value_len, NULL, &bin_len, NULL) != 0 ||
                bin_len != MS_SIG_BYTES)
                return ms_error_set(err, MS_EINVAL, magic, "line %zu: a bad signature", line);
            p->signed_len = at;
            signed_seen = true;
        } else if (line > 1) {
            size_t i = 0;
            while (i < name_count && strcmp(names[i], name) != 0)
                i++;
            if (i == name_count)
                return ms_error_set(err, MS_EINVAL, magic, "line %zu: unknown name \"%s\"", line,
                                    name);
            if (p->names[i])
                return ms_error_set(err, MS_EINVAL, magic, "line %zu: %s given twice", line, name);
            if (value_len >= sizeof p->values[i])
                return ms_error_set(err, MS_EINVAL, magic, "line %zu: %s too long", line, name);
            p->names[i] = names[i];
            memcpy(p->values[i], space + 1, value_len);
        }
        at += line_len + (end ? 1 : 0);
    }
    if (!signed_seen)
        return ms_error_set(err, MS_EINVAL, magic, "the file is not signed");
    for (size_t i = 0; i < name_count; i++)
        if (!p->names[i])
            return ms_error_set(err, MS_EINVAL, magic, "%s is missing", names[i]);
    return 0;
}

static int verify(const char *text, const parsed_t *p, const char *domain, const uint8_t *key,
                  const char *what, ms_error_t *err)
{
    size_t domain_len = strlen(domain);
    uint8_t message[sizeof INVITATION_DOMAIN + MS_ENROL_TEXT_MAX];
    memcpy(message, domain, domain_len);
    memcpy(message + domain_len, text, p->signed_len);
    if (crypto_sign_verify_detached(p->sig, message, domain_len + p->signed_len, key) != 0)
        return ms_error_set(err, MS_EINVAL, what,
                            "the signature does not verify: the file was altered");
    return 0;
}

//  Copies VALUE into DST (CAP bytes) or says it is too long.
static int take(char *dst, size_t cap, const char *value, const char *what, const char *name,
                ms_error_t *err)
{
    size_t len = strlen(value);
    if (len >= cap)
        return ms_error_set(err, MS_EINVAL, what, "%s is too long (%zu bytes)", name, len);
    memcpy(dst, value, len + 1);
    return 0;
}

static int check_org(const char *org, const char *what, ms_error_t *err)
{
    ms_error_t why = {0};
    return ms_org_id_check(org, &why) ? ms_error_set(err, MS_EINVAL, what, "%s", why.message) : 0;
}

static int check_country(const char *country, const char *what, ms_error_t *err)
{
    if (strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' ||
        country[1] > 'Z')
        return ms_error_set(err, MS_EINVAL, what, "country \"%s\" is not a two-letter code",
                            country);
    return 0;
}

int ms_enrol_read_invitation(const char *text, size_t len, ms_invitation_t *inv, ms_error_t *err)
{
    static const char *const names[] = {"org",    "role",        "country",    "name",
                                        "parent", "parent-role", "parent-key", "parent-endpoint",
                                        "root",   "root-key"};
    memset(inv, 0, sizeof *inv);
    parsed_t p;
    const char *what = "invitation";
    int rc = parse(text, len, "mutsync-invitation", names, 10, &p, err);
    if (rc)
        return rc;
    inv->role = ms_role_from_name(p.values[1]);
    inv->parent_role = ms_role_from_name(p.values[5]);
    rc = take(inv->org, sizeof inv->org, p.values[0], what, "org", err);
    if (rc == 0)
        rc = take(inv->country, sizeof inv->country, p.values[2], what, "country", err);
    if (rc == 0)
        rc = take(inv->name, sizeof inv->name, p.values[3], what, "name", err);
    if (rc == 0)
        rc = take(inv->parent, sizeof inv->parent, p.values[4], what, "parent", err);
    if (rc == 0)
        rc = take(inv->parent_endpoint, sizeof inv->parent_endpoint, p.values[7], what,
                  "parent-endpoint", err);
    if (rc == 0)
        rc = take(inv->root, sizeof inv->root, p.values[8], what, "root", err);
    ms_error_t why = {0};
    if (rc == 0 && (ms_key_from_hex(p.values[6], inv->parent_key, &why) != 0 ||
                    ms_key_from_hex(p.values[9], inv->root_key, &why) != 0))
        rc = ms_error_set(err, MS_EINVAL, what, "a key is not valid: %s", why.message);
    if (rc == 0)
        rc = verify(text, &p, INVITATION_DOMAIN, inv->parent_key, what, err);
    if (rc == 0)
        rc = check_org(inv->org, what, err);
    if (rc == 0)
        rc = check_org(inv->parent, what, err);
    if (rc == 0)
        rc = check_org(inv->root, what, err);
    if (rc == 0)
        rc = check_country(p.values[2], what, err);
    if (rc == 0 && (!inv->role || inv->role == MS_ROLE_SECRETARIAT || !inv->parent_role))
        rc = ms_error_set(err, MS_EINVAL, what, "the roles are not a child's and a parent's");
    if (rc == 0 && !inv->name[0])
        rc = ms_error_set(err, MS_EINVAL, what, "the name is empty");
    if (rc)
        memset(inv, 0, sizeof *inv);
    return rc;
}

int ms_enrol_read_request(const char *text, size_t len, ms_request_t *req, ms_error_t *err)
{
    static const char *const names[] = {"org", "role", "country", "name", "parent", "key"};
    memset(req, 0, sizeof *req);
    parsed_t p;
    const char *what = "request";
    int rc = parse(text, len, "mutsync-request", names, 6, &p, err);
    if (rc)
        return rc;
    req->role = ms_role_from_name(p.values[1]);
    rc = take(req->org, sizeof req->org, p.values[0], what, "org", err);
    if (rc == 0)
        rc = take(req->country, sizeof req->country, p.values[2], what, "country", err);
    if (rc == 0)
        rc = take(req->name, sizeof req->name, p.values[3], what, "name", err);
    if (rc == 0)
        rc = take(req->parent, sizeof req->parent, p.values[4], what, "parent", err);
    ms_error_t why = {0};
    if (rc == 0 && ms_key_from_hex(p.values[5], req->key, &why) != 0)
        rc = ms_error_set(err, MS_EINVAL, what, "the key is not valid: %s", why.message);
    if (rc == 0)
        rc = verify(text, &p, REQUEST_DOMAIN, req->key, what, err);
    if (rc == 0)
        rc = check_org(req->org, what, err);
    if (rc == 0)
        rc = check_country(p.values[2], what, err);
    if (rc == 0 && (!req->role || req->role == MS_ROLE_SECRETARIAT))
        rc = ms_error_set(err, MS_EINVAL, what, "role \"%s\" is not a child's", p.values[1]);
    if (rc)
        memset(req, 0, sizeof *req);
    return rc;
}
