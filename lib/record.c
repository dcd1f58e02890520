//  record - typed record values to and from protobuf.
//
//  Like codec.c this file sees protoc-c's types; they never leave it. A
//  decoder copies the unpacked message into the caller's plain struct and
//  frees it at once, refusing any text that would not fit.

#include "mutsync/record.h"

#include "arena.h"
#include "mutsync/registers.h"
#include "mutsync.pb-c.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static int copy_text(char *dst, size_t cap, const char *src, const char *field, ms_error_t *err)
{
    size_t len = strlen(src);
    if (len >= cap)
        return ms_error_set(err, MS_EINVAL, "record", "%s is %zu bytes, the limit is %zu", field,
                            len, cap - 1);
    memcpy(dst, src, len + 1);
    return 0;
}

//  Record values are at most MS_VALUE_MAX bytes: their unpacked form fits
//  a stack block and decoding costs no malloc.
#define ARENA_BYTES (MS_VALUE_MAX * 2 + 2048)

#define PACK(type, message, buf, cap, len_p)                                                       \
    do {                                                                                           \
        size_t packed_ = type##__get_packed_size(message);                                         \
        if (packed_ > (cap))                                                                       \
            return MS_EINVAL;                                                                      \
        *(len_p) = type##__pack(message, buf);                                                     \
        return 0;                                                                                  \
    } while (0)

//  A member is written in the canonical form, byte for byte as protobuf-c
//  writes it (fields in order, a zero or empty one left out) without its
//  generic two passes: a stored record then compares equal to the same
//  row imported again, whichever wrote it.
typedef struct {
    uint8_t *buf;  //  output
    size_t cap;    //  bytes
    size_t len;    //  bytes written
    bool full;     //  CAP was too small
} writer_t;

static void put_varint_long(writer_t *w, uint32_t value)
{
    do {
        if (w->len == w->cap) {
            w->full = true;
            return;
        }
        w->buf[w->len++] = (uint8_t)(value >= 0x80 ? value | 0x80 : value);
        value >>= 7;
    } while (value);
}

//  Tags, lengths and enums fit one byte: that case is written in line.
static inline void put_varint(writer_t *w, uint32_t value)
{
    if (value < 0x80 && w->len < w->cap)
        w->buf[w->len++] = (uint8_t)value;
    else
        put_varint_long(w, value);
}

static void put_number(writer_t *w, uint32_t field, uint32_t value)
{
    if (value) {
        put_varint(w, field << 3);
        put_varint(w, value);
    }
}

static void put_text(writer_t *w, uint32_t field, const char *text)
{
    size_t len = strlen(text);
    if (!len)
        return;
    put_varint(w, field << 3 | 2);
    put_varint(w, (uint32_t)len);
    if (w->full || len > w->cap - w->len) {
        w->full = true;
        return;
    }
    memcpy(w->buf + w->len, text, len);
    w->len += len;
}

static uint32_t zigzag32(int32_t value)
{
    return ((uint32_t)value << 1) ^ (uint32_t)(value >> 31);
}

int ms_member_encode(const ms_member_t *member, uint8_t *buf, size_t cap, size_t *len_p)
{
    //  Enums out of range (a caller's bug) are left to protobuf-c, below.
    if ((uint32_t)member->sex <= MS_SEX_M &&
        (uint32_t)member->category <= MS_CATEGORY_BENEFICIAIRE &&
        (uint32_t)member->relationship <= MS_REL_OTHER &&
        (uint32_t)member->status <= MS_STATUS_LEFT) {
        writer_t w = {buf, cap, 0, false};
        put_text(&w, 1, member->household_id);
        put_text(&w, 2, member->family_name);
        put_text(&w, 3, member->given_name);
        put_number(&w, 4, (uint32_t)member->sex);
        put_number(&w, 5, zigzag32(member->birth_date));
        put_text(&w, 6, member->village);
        put_number(&w, 7, zigzag32(member->enrollment_date));
        put_number(&w, 8, (uint32_t)member->category);
        put_number(&w, 9, (uint32_t)member->relationship);
        put_number(&w, 10, (uint32_t)member->status);
        *len_p = w.full ? 0 : w.len;
        return w.full ? MS_EINVAL : 0;
    }
    Mutsync__Member message = MUTSYNC__MEMBER__INIT;
    message.household_id = (char *)member->household_id;
    message.family_name = (char *)member->family_name;
    message.given_name = (char *)member->given_name;
    message.sex = (Mutsync__Sex)member->sex;
    message.birth_date = member->birth_date;
    message.village = (char *)member->village;
    message.enrollment_date = member->enrollment_date;
    message.category = (Mutsync__Category)member->category;
    message.relationship = (Mutsync__Relationship)member->relationship;
    message.status = (Mutsync__MemberStatus)member->status;
    PACK(mutsync__member, &message, buf, cap, len_p);
}

//  A varint of at most 5 bytes whose value fits 32 bits, at *POS; false
//  for anything longer (left to protobuf-c, below).
static bool varint32(const uint8_t *value, size_t len, size_t *pos, uint32_t *out)
{
    uint32_t v = 0;
    for (int shift = 0; shift < 35 && *pos < len; shift += 7) {
        uint8_t byte = value[(*pos)++];
        if (shift == 28 && byte > 0x0f)
            return false;
        v |= (uint32_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

//  Tags of a member's fields: number << 3 | wire type (2 bytes, 0 varint).
#define TEXT_TAG(number) ((uint8_t)((number) << 3 | 2))
#define VARINT_TAG(number) ((uint8_t)((number) << 3))

//  When the byte at *POS is TAG, reads the varint after it into *NUMBER;
//  otherwise the field is not there and *NUMBER is 0 (its default). False
//  on a varint that does not fit 32 bits.
static inline bool take_varint(const uint8_t *value, size_t len, size_t *pos, uint8_t tag,
                               uint32_t *number)
{
    *number = 0;
    if (*pos == len || value[*pos] != tag)
        return true;
    (*pos)++;
    if (*pos < len && value[*pos] < 0x80) {
        *number = value[(*pos)++];
        return true;
    }
    return varint32(value, len, pos, number);
}

//  When the byte at *POS is TAG, reads the text after it: under CAP bytes
//  with its NUL, without NUL inside, copied to OUT unless OUT is NULL.
static inline bool take_text(const uint8_t *value, size_t len, size_t *pos, uint8_t tag, size_t cap,
                             char *out)
{
    size_t at = *pos;
    uint32_t number;
    if (!take_varint(value, len, pos, tag, &number))
        return false;
    if (*pos == at)
        return true;
    if (number >= cap || number > len - *pos || memchr(value + *pos, 0, number))
        return false;
    if (out) {
        memcpy(out, value + *pos, number);
        out[number] = 0;
    }
    *pos += number;
    return true;
}

static int32_t unzigzag32(uint32_t number)
{
    return (int32_t)(number >> 1) ^ -(int32_t)(number & 1);
}

//  Reads the form ms_member_encode writes: each field at most once, in
//  field order, no other field, strings without NUL that fit, enums and
//  dates within 32 bits, enums known. Every member record an import or a
//  peer writes has it, and there protobuf-c's generic unpack costs as much
//  as the rest of the member's way through accept and the tally. Returns
//  false on anything else, which protobuf-c then reads: both give the same
//  member for the same bytes, as the tests check. Each field in turn is
//  there or not, so any other tag (unknown, repeated, out of order, of the
//  wrong wire type) is left unread and refuses the whole. With OUT NULL it
//  only checks, as ms_record_check needs: true then means
//  ms_member_decode succeeds.
static bool member_canonical(const uint8_t *value, size_t len, ms_member_t *out)
{
    size_t pos = 0;
    uint32_t sex, birth, enrolled, category, relationship, status;
    if (!take_text(value, len, &pos, TEXT_TAG(1), sizeof out->household_id,
                   out ? out->household_id : NULL) ||
        !take_text(value, len, &pos, TEXT_TAG(2), sizeof out->family_name,
                   out ? out->family_name : NULL) ||
        !take_text(value, len, &pos, TEXT_TAG(3), sizeof out->given_name,
                   out ? out->given_name : NULL) ||
        !take_varint(value, len, &pos, VARINT_TAG(4), &sex) ||
        !take_varint(value, len, &pos, VARINT_TAG(5), &birth) ||
        !take_text(value, len, &pos, TEXT_TAG(6), sizeof out->village, out ? out->village : NULL) ||
        !take_varint(value, len, &pos, VARINT_TAG(7), &enrolled) ||
        !take_varint(value, len, &pos, VARINT_TAG(8), &category) ||
        !take_varint(value, len, &pos, VARINT_TAG(9), &relationship) ||
        !take_varint(value, len, &pos, VARINT_TAG(10), &status) || pos != len ||
        sex > MUTSYNC__SEX__M || category > MUTSYNC__CATEGORY__BENEFICIAIRE ||
        relationship > MUTSYNC__RELATIONSHIP__OTHER || status > MUTSYNC__MEMBER_STATUS__LEFT)
        return false;
    if (out) {
        out->sex = (ms_sex_t)sex;
        out->birth_date = unzigzag32(birth);
        out->enrollment_date = unzigzag32(enrolled);
        out->category = (ms_category_t)category;
        out->relationship = (ms_relationship_t)relationship;
        out->status = (ms_member_status_t)status;
    }
    return true;
}

int ms_member_decode(const uint8_t *value, size_t len, ms_member_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    if (member_canonical(value, len, out))
        return 0;
    memset(out, 0, sizeof *out);
    uint8_t block[ARENA_BYTES];
    ms_arena_t arena;
    ms_arena_init(&arena, block, sizeof block, 0);
    Mutsync__Member *message = mutsync__member__unpack(&arena.allocator, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid member record");
    int rc = copy_text(out->household_id, sizeof out->household_id, message->household_id,
                       "household_id", err);
    if (rc == 0)
        rc = copy_text(out->family_name, sizeof out->family_name, message->family_name,
                       "family_name", err);
    if (rc == 0)
        rc = copy_text(out->given_name, sizeof out->given_name, message->given_name, "given_name",
                       err);
    if (rc == 0)
        rc = copy_text(out->village, sizeof out->village, message->village, "village", err);
    if (rc == 0 &&
        (message->sex > MUTSYNC__SEX__M || message->category > MUTSYNC__CATEGORY__BENEFICIAIRE ||
         message->relationship > MUTSYNC__RELATIONSHIP__OTHER ||
         message->status > MUTSYNC__MEMBER_STATUS__LEFT))
        rc = ms_error_set(err, MS_EINVAL, "record", "member has an unknown enum value");
    out->sex = (ms_sex_t)message->sex;
    out->birth_date = message->birth_date;
    out->enrollment_date = message->enrollment_date;
    out->category = (ms_category_t)message->category;
    out->relationship = (ms_relationship_t)message->relationship;
    out->status = (ms_member_status_t)message->status;
    mutsync__member__free_unpacked(message, &arena.allocator);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_org_encode(const ms_org_t *org, uint8_t *buf, size_t cap, size_t *len_p)
{
    char *providers[MS_ORG_PROVIDERS_MAX];
    Mutsync__Org message = MUTSYNC__ORG__INIT;
    message.name = (char *)org->name;
    message.country = (char *)org->country;
    message.role = (Mutsync__Role)org->role;
    message.parent = (char *)org->parent;
    message.created = org->created;
    message.legal_status = (char *)org->legal_status;
    message.commune = (char *)org->commune;
    message.target_population = org->target_population;
    message.covers_primary_care = org->covers_primary_care;
    message.covers_hospitalization = org->covers_hospitalization;
    message.covers_childbirth = org->covers_childbirth;
    message.covers_sonu = org->covers_sonu;
    message.covers_drugs = org->covers_drugs;
    message.contribution_scheme = (char *)org->contribution_scheme;
    message.support_partner = (char *)org->support_partner;
    size_t count =
        org->provider_count < MS_ORG_PROVIDERS_MAX ? org->provider_count : MS_ORG_PROVIDERS_MAX;
    for (size_t i = 0; i < count; i++)
        providers[i] = (char *)org->providers[i];
    message.n_providers = count;
    message.providers = providers;
    message.governance_members = org->governance_members;
    message.governance_women = org->governance_women;
    message.focal_point = (char *)org->focal_point;
    message.register_reach = org->register_reach;
    message.card_year = org->card_year;
    PACK(mutsync__org, &message, buf, cap, len_p);
}

int ms_org_decode(const uint8_t *value, size_t len, ms_org_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    uint8_t block[ARENA_BYTES];
    ms_arena_t arena;
    ms_arena_init(&arena, block, sizeof block, 0);
    Mutsync__Org *message = mutsync__org__unpack(&arena.allocator, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid org record");
    int rc = copy_text(out->name, sizeof out->name, message->name, "name", err);
    if (rc == 0)
        rc = copy_text(out->country, sizeof out->country, message->country, "country", err);
    if (rc == 0)
        rc = copy_text(out->parent, sizeof out->parent, message->parent, "parent", err);
    if (rc == 0)
        rc = copy_text(out->legal_status, sizeof out->legal_status, message->legal_status,
                       "legal_status", err);
    if (rc == 0)
        rc = copy_text(out->commune, sizeof out->commune, message->commune, "commune", err);
    if (rc == 0)
        rc = copy_text(out->contribution_scheme, sizeof out->contribution_scheme,
                       message->contribution_scheme, "contribution_scheme", err);
    if (rc == 0)
        rc = copy_text(out->support_partner, sizeof out->support_partner, message->support_partner,
                       "support_partner", err);
    if (rc == 0)
        rc = copy_text(out->focal_point, sizeof out->focal_point, message->focal_point,
                       "focal_point", err);
    if (rc == 0 && message->n_providers > MS_ORG_PROVIDERS_MAX)
        rc = ms_error_set(err, MS_EINVAL, "record", "%zu providers, the limit is %d",
                          message->n_providers, MS_ORG_PROVIDERS_MAX);
    for (size_t i = 0; rc == 0 && i < message->n_providers; i++)
        rc = copy_text(out->providers[i], sizeof out->providers[i], message->providers[i],
                       "provider", err);
    if (rc == 0 && message->role > MUTSYNC__ROLE__SECRETARIAT)
        rc = ms_error_set(err, MS_EINVAL, "record", "unknown role %d", message->role);
    out->provider_count = rc == 0 ? message->n_providers : 0;
    out->role = (ms_role_t)message->role;
    out->created = message->created;
    out->target_population = message->target_population;
    out->covers_primary_care = message->covers_primary_care;
    out->covers_hospitalization = message->covers_hospitalization;
    out->covers_childbirth = message->covers_childbirth;
    out->covers_sonu = message->covers_sonu;
    out->covers_drugs = message->covers_drugs;
    out->governance_members = message->governance_members;
    out->governance_women = message->governance_women;
    out->register_reach = message->register_reach;
    out->card_year = message->card_year;
    if (rc == 0 && out->card_year && (out->card_year < 1900 || out->card_year > 2100))
        rc = ms_error_set(err, MS_EINVAL, "record", "card_year %u is not a year", out->card_year);
    if (rc == 0 && out->register_reach > 1)
        rc = ms_error_set(err, MS_EINVAL, "record", "register_reach %u is not 0 or 1",
                          out->register_reach);
    mutsync__org__free_unpacked(message, &arena.allocator);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_cert_encode(const ms_cert_t *cert, uint8_t *buf, size_t cap, size_t *len_p)
{
    Mutsync__Cert message = MUTSYNC__CERT__INIT;
    message.name = (char *)cert->name;
    message.role = (Mutsync__Role)cert->role;
    message.country = (char *)cert->country;
    message.parent = (char *)cert->parent;
    message.key.data = (uint8_t *)cert->key;
    message.key.len = MS_KEY_BYTES;
    message.valid_from = cert->valid_from;
    message.valid_until = cert->valid_until;
    PACK(mutsync__cert, &message, buf, cap, len_p);
}

int ms_cert_decode(const uint8_t *value, size_t len, ms_cert_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    uint8_t block[ARENA_BYTES];
    ms_arena_t arena;
    ms_arena_init(&arena, block, sizeof block, 0);
    Mutsync__Cert *message = mutsync__cert__unpack(&arena.allocator, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid certificate");
    int rc = copy_text(out->name, sizeof out->name, message->name, "name", err);
    if (rc == 0)
        rc = copy_text(out->country, sizeof out->country, message->country, "country", err);
    if (rc == 0)
        rc = copy_text(out->parent, sizeof out->parent, message->parent, "parent", err);
    if (rc == 0 && message->key.len != MS_KEY_BYTES)
        rc = ms_error_set(err, MS_EINVAL, "record", "certificate key is %zu bytes, expected %d",
                          message->key.len, MS_KEY_BYTES);
    if (rc == 0 &&
        (message->role < MUTSYNC__ROLE__MUTUAL || message->role > MUTSYNC__ROLE__SECRETARIAT))
        rc = ms_error_set(err, MS_EINVAL, "record", "certificate has no valid role");
    if (rc == 0) {
        out->role = (ms_role_t)message->role;
        memcpy(out->key, message->key.data, MS_KEY_BYTES);
        out->valid_from = message->valid_from;
        out->valid_until = message->valid_until;
    }
    mutsync__cert__free_unpacked(message, &arena.allocator);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_revocation_encode(const ms_revocation_t *revocation, uint8_t *buf, size_t cap, size_t *len_p)
{
    Mutsync__Revocation message = MUTSYNC__REVOCATION__INIT;
    message.key.data = (uint8_t *)revocation->key;
    message.key.len = MS_KEY_BYTES;
    message.from = revocation->from;
    message.reason = (char *)revocation->reason;
    Mutsync__FeedPosition positions[MS_REVOCATION_FEEDS_MAX];
    Mutsync__FeedPosition *position_ptrs[MS_REVOCATION_FEEDS_MAX];
    size_t count = revocation->position_count < MS_REVOCATION_FEEDS_MAX ? revocation->position_count
                                                                        : MS_REVOCATION_FEEDS_MAX;
    for (size_t i = 0; i < count; i++) {
        mutsync__feed_position__init(&positions[i]);
        positions[i].feed = (char *)revocation->positions[i].feed;
        positions[i].last_seq = revocation->positions[i].last_seq;
        position_ptrs[i] = &positions[i];
    }
    message.n_positions = count;
    message.positions = position_ptrs;
    PACK(mutsync__revocation, &message, buf, cap, len_p);
}

int ms_revocation_decode(const uint8_t *value, size_t len, ms_revocation_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    uint8_t block[ARENA_BYTES];
    ms_arena_t arena;
    ms_arena_init(&arena, block, sizeof block, 0);
    Mutsync__Revocation *message = mutsync__revocation__unpack(&arena.allocator, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid revocation");
    int rc = copy_text(out->reason, sizeof out->reason, message->reason, "reason", err);
    if (rc == 0 && message->key.len != MS_KEY_BYTES)
        rc = ms_error_set(err, MS_EINVAL, "record", "revoked key is %zu bytes, expected %d",
                          message->key.len, MS_KEY_BYTES);
    if (rc == 0 && message->n_positions > MS_REVOCATION_FEEDS_MAX)
        rc = ms_error_set(err, MS_EINVAL, "record", "revocation names %zu feeds, at most %d",
                          message->n_positions, MS_REVOCATION_FEEDS_MAX);
    for (size_t i = 0; rc == 0 && i < message->n_positions; i++) {
        rc = copy_text(out->positions[i].feed, sizeof out->positions[i].feed,
                       message->positions[i]->feed, "feed", err);
        out->positions[i].last_seq = message->positions[i]->last_seq;
    }
    if (rc == 0) {
        memcpy(out->key, message->key.data, MS_KEY_BYTES);
        out->from = message->from;
        out->position_count = message->n_positions;
    }
    mutsync__revocation__free_unpacked(message, &arena.allocator);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_release_encode(const ms_release_t *release, uint8_t *buf, size_t cap, size_t *len_p)
{
    Mutsync__Release message = MUTSYNC__RELEASE__INIT;
    message.to = (char *)release->to;
    message.reason = (char *)release->reason;
    PACK(mutsync__release, &message, buf, cap, len_p);
}

int ms_release_decode(const uint8_t *value, size_t len, ms_release_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    uint8_t block[ARENA_BYTES];
    ms_arena_t arena;
    ms_arena_init(&arena, block, sizeof block, 0);
    Mutsync__Release *message = mutsync__release__unpack(&arena.allocator, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid release");
    int rc = copy_text(out->to, sizeof out->to, message->to, "to", err);
    if (rc == 0)
        rc = copy_text(out->reason, sizeof out->reason, message->reason, "reason", err);
    if (rc == 0)
        rc = ms_org_id_check(out->to, err);
    mutsync__release__free_unpacked(message, &arena.allocator);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_resolution_encode(const ms_resolution_t *resolution, uint8_t *buf, size_t cap, size_t *len_p)
{
    Mutsync__Resolution message = MUTSYNC__RESOLUTION__INIT;
    message.feed = (char *)resolution->feed;
    message.seq = resolution->seq;
    message.keep.data = (uint8_t *)resolution->keep;
    message.keep.len = MS_HASH_BYTES;
    message.reason = (char *)resolution->reason;
    PACK(mutsync__resolution, &message, buf, cap, len_p);
}

int ms_resolution_decode(const uint8_t *value, size_t len, ms_resolution_t *out, ms_error_t *err)
{
    memset(out, 0, sizeof *out);
    uint8_t block[ARENA_BYTES];
    ms_arena_t arena;
    ms_arena_init(&arena, block, sizeof block, 0);
    Mutsync__Resolution *message = mutsync__resolution__unpack(&arena.allocator, len, value);
    if (!message)
        return ms_error_set(err, MS_EINVAL, "record", "not a valid resolution");
    int rc = copy_text(out->feed, sizeof out->feed, message->feed, "feed", err);
    if (rc == 0)
        rc = copy_text(out->reason, sizeof out->reason, message->reason, "reason", err);
    if (rc == 0 && message->seq == 0)
        rc = ms_error_set(err, MS_EINVAL, "record", "resolution: seq must be 1 or more");
    if (rc == 0 && message->keep.len != MS_HASH_BYTES)
        rc = ms_error_set(err, MS_EINVAL, "record", "resolution: keep must be %d bytes",
                          MS_HASH_BYTES);
    if (rc == 0) {
        out->seq = message->seq;
        memcpy(out->keep, message->keep.data, MS_HASH_BYTES);
    }
    mutsync__resolution__free_unpacked(message, &arena.allocator);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int ms_record_check(ms_collection_t collection, const uint8_t *value, size_t len, ms_error_t *err)
{
    union {
        ms_member_t member;
        ms_org_t org;
        ms_cert_t cert;
        ms_revocation_t revocation;
        ms_release_t release;
        ms_resolution_t resolution;
    } scratch;
    switch (collection) {
    case MS_COLL_MEMBER:
        return member_canonical(value, len, NULL)
                   ? 0
                   : ms_member_decode(value, len, &scratch.member, err);
    case MS_COLL_ORG:
        return ms_org_decode(value, len, &scratch.org, err);
    case MS_COLL_CERT:
        return ms_cert_decode(value, len, &scratch.cert, err);
    case MS_COLL_REVOCATION:
        return ms_revocation_decode(value, len, &scratch.revocation, err);
    case MS_COLL_RELEASE:
        return ms_release_decode(value, len, &scratch.release, err);
    case MS_COLL_RESOLUTION:
        return ms_resolution_decode(value, len, &scratch.resolution, err);
    default:
        return ms_registers_check(collection, value, len, err);
    }
}

int ms_org_id_check(const char *org, ms_error_t *err)
{
    size_t len = strlen(org);
    if (len == 0 || len > MS_ORG_MAX)
        return ms_error_set(err, MS_EINVAL, "org", "org id must be 1 to %d characters", MS_ORG_MAX);
    for (size_t i = 0; i < len; i++) {
        char c = org[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return ms_error_set(err, MS_EINVAL, "org",
                                "org id \"%.64s\" may only hold letters, digits, '-', '_' and '.'",
                                org);
    }
    return 0;
}

bool ms_record_id_valid(const char *id)
{
    size_t len = 0;
    for (; id[len]; len++) {
        unsigned char c = (unsigned char)id[len];
        if (c < 0x21 || c == '|' || c == 0x7f)
            return false;
    }
    return len > 0 && len <= MS_ID_MAX;
}

static const char *name_of(const char *const *names, size_t count, int value)
{
    return value >= 0 && (size_t)value < count && names[value] ? names[value] : "";
}

static const char *const role_names[] = {"", "mutual", "union", "secretariat"};
static const char *const sex_names[] = {"", "F", "M"};
static const char *const category_names[] = {"", "adherent", "beneficiaire"};
static const char *const relationship_names[] = {"", "self", "spouse", "child", "parent", "other"};
static const char *const status_names[] = {"", "active", "suspended", "left"};
#define COUNT(a) (sizeof(a) / sizeof(a)[0])

const char *ms_role_name(ms_role_t role)
{
    return name_of(role_names, COUNT(role_names), role);
}

ms_role_t ms_role_from_name(const char *name)
{
    for (size_t i = 1; i < COUNT(role_names); i++)
        if (strcmp(role_names[i], name) == 0)
            return (ms_role_t)i;
    return MS_ROLE_NONE;
}

const char *ms_sex_name(ms_sex_t sex)
{
    return name_of(sex_names, COUNT(sex_names), sex);
}

const char *ms_category_name(ms_category_t category)
{
    return name_of(category_names, COUNT(category_names), category);
}

const char *ms_relationship_name(ms_relationship_t relationship)
{
    return name_of(relationship_names, COUNT(relationship_names), relationship);
}

const char *ms_member_status_name(ms_member_status_t status)
{
    return name_of(status_names, COUNT(status_names), status);
}
