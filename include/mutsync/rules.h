//  rules - the accept rules as pure functions: change set + what the
//  replica holds in, verdict out. No store, no clock, no keys: every rule
//  is testable with plain values. accept.c gathers the inputs and applies
//  the verdict. Numbers refer to the accept rules of the architecture.

#ifndef MS_RULES_H
#define MS_RULES_H

#include "mutsync/codec.h"
#include "mutsync/record.h"
#include "mutsync/replica.h"

//  Why an envelope was refused. Stored in the quarantine: values are stable.
typedef enum {
    MS_REFUSAL_NONE = 0,
    MS_REFUSAL_MALFORMED = 1,       //  rule 1: does not decode within the bounds
    MS_REFUSAL_UNKNOWN_SIGNER = 2,  //  rule 2: signer not certified for the origin
    MS_REFUSAL_REVOKED = 3,         //  rule 2: signer revoked before this position of the feed
    MS_REFUSAL_BAD_SIGNATURE = 4,   //  rule 3
    MS_REFUSAL_GAP = 5,             //  rule 4: seq beyond head + 1; held back, asked again
    MS_REFUSAL_BAD_PREV = 6,        //  rule 4: seq is next but prev is not the head's id
    MS_REFUSAL_EQUIVOCATION = 7,    //  rule 4: a second change set for a seq already held
    MS_REFUSAL_FROZEN = 8,          //  the feed is frozen after an equivocation
    MS_REFUSAL_AUTHORITY = 9,       //  rule 5: outside the origin's authority
    MS_REFUSAL_BAD_RECORD = 10,     //  set aside: a change's value is not a valid record
    MS_REFUSAL_REACH = 11,          //  the receiver may not hold this feed (policy.h)
    MS_REFUSAL_BAD_VALUE = 12,      //  set aside: a valid record breaking a value rule
    MS_REFUSAL_STORE = 13,          //  the receiver could not store it (disk full...)
    MS_REFUSAL_SUPERSEDED = 14,     //  on the branch a resolution did not keep (resolve.h)
    MS_REFUSAL_COUNT
} ms_refusal_t;

//  "bad-signature"... for files and screens; "unknown" outside the enum.
//  A code: never translated (JSON, CSV and the tests read it).
const char *ms_refusal_name(int reason);

//  What REASON means, for people, in the language of messages (i18n.h):
//  "the feed is frozen after an equivocation". Static.
const char *ms_refusal_text(int reason);

typedef enum {
    MS_SEQ_NEXT,          //  seq == head + 1 and prev == head id: apply
    MS_SEQ_DUPLICATE,     //  seq <= head with the id already held: no-op
    MS_SEQ_EQUIVOCATION,  //  seq <= head with another id: a fork
    MS_SEQ_GAP,           //  seq > head + 1
    MS_SEQ_BAD_PREV,      //  seq == head + 1 but prev differs
} ms_seq_verdict_t;

//  Rule 4. HELD_ID is the id stored at SEQ when SEQ <= head (else ignored).
ms_seq_verdict_t ms_rules_seq(const ms_head_t *head, uint64_t seq, const uint8_t *prev,
                              const uint8_t *id, const uint8_t *held_id);

//  True for the reasons that set one change aside (the change set stays in
//  the chain) rather than refuse the whole change set.
bool ms_refusal_sets_aside(ms_refusal_t reason);

//  Rule 1 for the change set's creation time: informative, but sane
//  (MS_TIME_MIN..MS_TIME_MAX). Returns true when it is.
bool ms_rules_time_sane(int64_t created);

//  True when ISSUER's namespace holds SUBJECT: SUBJECT is ISSUER "-" more.
bool ms_rules_in_namespace(const char *issuer, const char *subject);

//  What rule 5 needs to know besides the change.
typedef struct {
    const char *origin;            //  the writing org
    ms_role_t origin_role;         //  its certified role
    const char *feed;              //  the feed written
    const char *subject_parent;    //  for cert/revocation/release/resolution changes: the
                                   //  parent the replica holds for the subject (NULL if none)
    const char *released_to;       //  the org the subject's id was released to (NULL if none)
    const ms_cert_t *origin_cert;  //  for org cards: the certificate in force for the origin
} ms_authority_t;

//  Rule 5 for one change: returns MS_REFUSAL_NONE, MS_REFUSAL_AUTHORITY
//  (the change set is refused), or MS_REFUSAL_BAD_RECORD / MS_REFUSAL_BAD_VALUE
//  (the change is set aside), with the reason in DETAIL (CAP bytes).
//
//  Certificates: an org id belongs to a namespace, so no org can take
//  another's: a union or the secretariat certifies ids in its own
//  namespace (ML-UTM certifies ML-UTM-009); the secretariat also the
//  top-level ids (one '-': ML-UTM, CI-UNION); anyone an id its holder
//  released to it (a move). Whoever holds an id now (its certified parent)
//  is the only one who may re-certify, withdraw, revoke or release it.
//  An org card must agree with the certificate in force: role, country and
//  parent (BAD_VALUE otherwise). A resolution (key "org|feed|seq") is
//  written by the subject's holder only, never withdrawn, and its value
//  must name the same feed and seq as its key (BAD_RECORD otherwise).
ms_refusal_t ms_rules_authority(const ms_authority_t *who, const ms_change_t *change, char *detail,
                                size_t cap);

#endif
