//  codec - change sets and envelopes to and from their protobuf bytes.
//
//  This module and record.c are the only ones that see protoc-c's
//  generated types; everyone else sees the plain structs below. Decoding
//  enforces the size bounds of the accept rules (rule 1) so that nothing
//  larger than they allow is ever handed on.

#ifndef MS_CODEC_H
#define MS_CODEC_H

#include "mutsync/error.h"
#include "mutsync/keys.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_HASH_BYTES 32                      //  BLAKE2b-256: change-set ids and prev links
#define MS_ORG_MAX 64                         //  bytes in an org id
#define MS_FEED_NAME_MAX 16                   //  bytes in a feed name
#define MS_KEY_MAX 128                        //  bytes in a record key
#define MS_VALUE_MAX 8192                     //  bytes in one record value
#define MS_CHANGES_MAX 10000                  //  changes in one change set
#define MS_BODY_MAX (4 * 1024 * 1024)         //  bytes in one change-set body
#define MS_ENVELOPE_MAX (MS_BODY_MAX + 1024)  //  bytes in one serialized envelope

//  Collections, as in proto/mutsync.proto.
typedef enum {
    MS_COLL_NONE = 0,
    MS_COLL_ORG = 1,
    MS_COLL_MEMBER = 2,
    MS_COLL_CONTRIBUTION = 3,
    MS_COLL_PROVIDER = 4,
    MS_COLL_CLAIM = 5,
    MS_COLL_COMPLAINT = 6,
    MS_COLL_REPORT = 7,
    MS_COLL_INDICATOR = 8,
    MS_COLL_CERT = 9,
    MS_COLL_REVOCATION = 10,
    MS_COLL_RELEASE = 11,
    MS_COLL_RESOLUTION = 12,
    MS_COLL_COUNT
} ms_collection_t;

typedef enum { MS_OP_UPSERT = 0, MS_OP_DELETE = 1 } ms_op_t;

//  One record written or removed. Pointers are borrowed (see the owner).
typedef struct {
    ms_collection_t collection;
    ms_op_t op;
    const char *key;       //  NUL-terminated
    const uint8_t *value;  //  the record's protobuf bytes; NULL for a delete
    size_t value_len;      //  bytes
} ms_change_t;

//  A change set. Built by callers with borrowed pointers, or made by
//  ms_changeset_decode, in which case it owns everything it points to.
typedef struct {
    const char *origin;            //  writer org id
    const char *feed;              //  "public", "register", "care"
    uint8_t signer[MS_KEY_BYTES];  //  Ed25519 public key
    uint64_t seq;                  //  1, 2, 3...
    uint8_t prev[MS_HASH_BYTES];   //  id of the previous change set; zeros for seq 1
    int64_t created;               //  UTC seconds
    size_t change_count;           //
    const ms_change_t *changes;    //  change_count entries
    const bool *fresh;             //  NULL, or per change: no record is held under its key
                                   //  (the writer's own knowledge, never encoded)
    void *decoded;                 //  private: what ms_changeset_decode allocated
} ms_changeset_t;

//  A decoded envelope: the exact signed body, its signature and what the
//  signature covers (envelope.h).
typedef struct {
    uint8_t *body;                    //  owned; free with ms_envelope_clear
    size_t body_len;                  //  bytes
    uint8_t signature[MS_SIG_BYTES];  //
    uint32_t scheme;                  //  MS_SIGN_SCHEME_BODY or MS_SIGN_SCHEME_ID
} ms_envelope_t;

#define MS_SIGN_SCHEME_BODY 1  //  Ed25519 over "mutsync-changeset-v1" || body
#define MS_SIGN_SCHEME_ID 2    //  Ed25519 over "mutsync-changeset-v2" || id of the body

//  Serializes CS into a new buffer (*body_p, caller frees with free()).
//  Returns 0, MS_EINVAL when CS breaks a bound, or MS_ENOMEM.
MS_MUST_CHECK int ms_changeset_encode(const ms_changeset_t *cs, uint8_t **body_p, size_t *len_p,
                                      ms_error_t *err);

//  Parses BODY. On success *cs_p owns a change set whose strings and values
//  live until ms_changeset_destroy. Refuses (MS_EINVAL, reason in ERR) what
//  is malformed or outside the bounds above: oversized body, too many
//  changes, an org id, feed, key or value too long, a signer or prev of the
//  wrong size, seq 0, an unknown collection or op. *cs_p stays NULL on failure.
MS_MUST_CHECK int ms_changeset_decode(const uint8_t *body, size_t len, ms_changeset_t **cs_p,
                                      ms_error_t *err);

//  Frees a decoded change set and sets *cs_p to NULL. Safe on NULL.
void ms_changeset_destroy(ms_changeset_t **cs_p);

//  Reads only the created time of the change set BODY (stored, already
//  accepted), skipping its changes without decoding them: for readers that
//  need when a feed last moved, not what it holds. Returns 0, or MS_EINVAL
//  when BODY is not a well-formed protobuf message; *created is 0 when the
//  field is absent.
MS_MUST_CHECK int ms_changeset_created(const uint8_t *body, size_t len, int64_t *created,
                                       ms_error_t *err);

//  Serializes (BODY, SIGNATURE, SCHEME) into a new buffer the caller frees.
MS_MUST_CHECK int ms_envelope_encode(const uint8_t *body, size_t body_len, const uint8_t *signature,
                                     uint32_t scheme, uint8_t **bytes_p, size_t *len_p,
                                     ms_error_t *err);

//  Parses an envelope. Refuses MS_EINVAL for malformed bytes, a body over
//  MS_BODY_MAX or a signature that is not MS_SIG_BYTES. On failure ENV is zeroed.
MS_MUST_CHECK int ms_envelope_decode(const uint8_t *bytes, size_t len, ms_envelope_t *env,
                                     ms_error_t *err);

//  The created time of the change set in the envelope BYTES (stored, already
//  verified), read in place as ms_changeset_created reads it, without
//  copying the body. Returns 0 or MS_EINVAL (malformed, or no body).
MS_MUST_CHECK int ms_envelope_created(const uint8_t *bytes, size_t len, int64_t *created,
                                      ms_error_t *err);

//  Frees ENV's body and zeroes it.
void ms_envelope_clear(ms_envelope_t *env);

//  Names: "member"... and back (MS_COLL_NONE when unknown).
const char *ms_collection_name(ms_collection_t collection);
ms_collection_t ms_collection_from_name(const char *name);

#endif
