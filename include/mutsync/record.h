//  record - the typed values inside changes: org cards, members, certificates.
//
//  Each record type is a plain struct with bounded text fields, encoded to
//  and decoded from its protobuf message (proto/mutsync.proto). Decoding
//  refuses text longer than the struct holds, so a decoded record is always
//  complete. Dates are days since 1970-01-01.

#ifndef MS_RECORD_H
#define MS_RECORD_H

#include "mutsync/codec.h"
#include "mutsync/date.h"

#define MS_ID_MAX 64     //  bytes in an id (member, household, provider...)
#define MS_NAME_MAX 128  //  bytes in a name or village
#define MS_TEXT_MAX 256  //  bytes in a free-text field

typedef enum {
    MS_ROLE_NONE = 0,
    MS_ROLE_MUTUAL = 1,
    MS_ROLE_UNION = 2,
    MS_ROLE_SECRETARIAT = 3
} ms_role_t;
typedef enum { MS_SEX_NONE = 0, MS_SEX_F = 1, MS_SEX_M = 2 } ms_sex_t;
typedef enum {
    MS_CATEGORY_NONE = 0,
    MS_CATEGORY_ADHERENT = 1,
    MS_CATEGORY_BENEFICIAIRE = 2
} ms_category_t;
typedef enum {
    MS_REL_NONE = 0,
    MS_REL_SELF = 1,
    MS_REL_SPOUSE = 2,
    MS_REL_CHILD = 3,
    MS_REL_PARENT = 4,
    MS_REL_OTHER = 5
} ms_relationship_t;
typedef enum {
    MS_STATUS_NONE = 0,
    MS_STATUS_ACTIVE = 1,
    MS_STATUS_SUSPENDED = 2,
    MS_STATUS_LEFT = 3
} ms_member_status_t;

typedef struct {
    char household_id[MS_ID_MAX + 1];
    char family_name[MS_NAME_MAX + 1];
    char given_name[MS_NAME_MAX + 1];
    ms_sex_t sex;
    int32_t birth_date;  //  days since 1970-01-01
    char village[MS_NAME_MAX + 1];
    int32_t enrollment_date;  //  days since 1970-01-01
    ms_category_t category;
    ms_relationship_t relationship;
    ms_member_status_t status;
} ms_member_t;

#define MS_ORG_PROVIDERS_MAX 32

typedef struct {
    char name[MS_NAME_MAX + 1];
    char country[3];  //  ISO 3166-1 alpha-2
    ms_role_t role;
    char parent[MS_ORG_MAX + 1];  //  empty at the root
    int32_t created;              //  founding date, days since 1970-01-01; 0 if unknown
    char legal_status[MS_NAME_MAX + 1];
    char commune[MS_NAME_MAX + 1];
    uint64_t target_population;  //  persons
    bool covers_primary_care;
    bool covers_hospitalization;
    bool covers_childbirth;
    bool covers_sonu;
    bool covers_drugs;
    char contribution_scheme[MS_TEXT_MAX + 1];
    char support_partner[MS_NAME_MAX + 1];
    size_t provider_count;
    char providers[MS_ORG_PROVIDERS_MAX][MS_ID_MAX + 1];
    uint32_t governance_members;
    uint32_t governance_women;
    char focal_point[MS_NAME_MAX + 1];
    uint32_t register_reach;  //  levels the org lets its register travel up: 0 or 1
    uint32_t card_year;       //  the year the card describes (updated yearly); 0 if never said
} ms_org_t;

typedef struct {
    char name[MS_NAME_MAX + 1];
    ms_role_t role;
    char country[3];
    char parent[MS_ORG_MAX + 1];  //  the certifying org
    uint8_t key[MS_KEY_BYTES];    //  the subject's Ed25519 key
    int64_t valid_from;           //  UTC seconds
    int64_t valid_until;          //  UTC seconds; 0 = no end
} ms_cert_t;

#define MS_REVOCATION_FEEDS_MAX 8  //  feed positions one revocation names

typedef struct {
    char feed[MS_FEED_NAME_MAX + 1];  //  a feed of the subject org
    uint64_t last_seq;                //  the last seq of FEED the revoked key validly signed
} ms_feed_position_t;

typedef struct {
    uint8_t key[MS_KEY_BYTES];  //  the revoked key
    int64_t from;               //  UTC seconds, informative only: validity never reads it
    char reason[MS_TEXT_MAX + 1];
    size_t position_count;                                  //
    ms_feed_position_t positions[MS_REVOCATION_FEEDS_MAX];  //  where the key stops, per feed
} ms_revocation_t;

typedef struct {
    char to[MS_ORG_MAX + 1];  //  the only org that may certify the released id next
    char reason[MS_TEXT_MAX + 1];
} ms_release_t;

//  A fork ended by the subject's holder: at SEQ of FEED, KEEP continues.
typedef struct {
    char feed[MS_FEED_NAME_MAX + 1];  //  a feed of the subject org
    uint64_t seq;                     //  the forked seq, 1 or more
    uint8_t keep[MS_HASH_BYTES];      //  id of the change set that continues
    char reason[MS_TEXT_MAX + 1];     //
} ms_resolution_t;

//  Instants (UTC seconds) outside [MS_TIME_MIN, MS_TIME_MAX] are not sane:
//  2000-01-01 to 2200-01-01. 0 means "not set" where a field allows it.
#define MS_TIME_MIN 946684800LL
#define MS_TIME_MAX 7258118400LL

//  Each encode writes into BUF of CAP bytes and sets *len_p; returns 0 or
//  MS_EINVAL when CAP is too small. Each decode fills OUT completely (zeroes
//  first) and returns 0 or MS_EINVAL naming the bad field; OUT is zeroed on failure.
MS_MUST_CHECK int ms_member_encode(const ms_member_t *member, uint8_t *buf, size_t cap,
                                   size_t *len_p);
MS_MUST_CHECK int ms_member_decode(const uint8_t *value, size_t len, ms_member_t *out,
                                   ms_error_t *err);
MS_MUST_CHECK int ms_org_encode(const ms_org_t *org, uint8_t *buf, size_t cap, size_t *len_p);
MS_MUST_CHECK int ms_org_decode(const uint8_t *value, size_t len, ms_org_t *out, ms_error_t *err);
MS_MUST_CHECK int ms_cert_encode(const ms_cert_t *cert, uint8_t *buf, size_t cap, size_t *len_p);
MS_MUST_CHECK int ms_cert_decode(const uint8_t *value, size_t len, ms_cert_t *out, ms_error_t *err);
MS_MUST_CHECK int ms_revocation_encode(const ms_revocation_t *revocation, uint8_t *buf, size_t cap,
                                       size_t *len_p);
MS_MUST_CHECK int ms_revocation_decode(const uint8_t *value, size_t len, ms_revocation_t *out,
                                       ms_error_t *err);
MS_MUST_CHECK int ms_release_encode(const ms_release_t *release, uint8_t *buf, size_t cap,
                                    size_t *len_p);
MS_MUST_CHECK int ms_release_decode(const uint8_t *value, size_t len, ms_release_t *out,
                                    ms_error_t *err);
MS_MUST_CHECK int ms_resolution_encode(const ms_resolution_t *resolution, uint8_t *buf, size_t cap,
                                       size_t *len_p);
MS_MUST_CHECK int ms_resolution_decode(const uint8_t *value, size_t len, ms_resolution_t *out,
                                       ms_error_t *err);

//  Checks that VALUE decodes as COLLECTION's record type. Returns 0 or
//  MS_EINVAL with the reason; collections without a decoder here are
//  checked by the module that owns them.
MS_MUST_CHECK int ms_record_check(ms_collection_t collection, const uint8_t *value, size_t len,
                                  ms_error_t *err);

//  Checks an id used in record keys (member, household, claim, provider,
//  complaint): 1..MS_ID_MAX bytes, no spaces, control characters or '|'.
bool ms_record_id_valid(const char *id);

//  Checks an org id: 1..64 bytes of A-Z a-z 0-9 - _ . Returns 0 or MS_EINVAL.
MS_MUST_CHECK int ms_org_id_check(const char *org, ms_error_t *err);

//  Names used in files and on screen, and back. The parsers return 0 when
//  the name is unknown.
const char *ms_role_name(ms_role_t role);
ms_role_t ms_role_from_name(const char *name);
const char *ms_sex_name(ms_sex_t sex);
const char *ms_category_name(ms_category_t category);
const char *ms_relationship_name(ms_relationship_t relationship);
const char *ms_member_status_name(ms_member_status_t status);

#endif
