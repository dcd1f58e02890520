//  enrol - enrolment by files: the parent's signed invitation and the new
//  node's signed request, so nobody types a 64-hex-digit key.
//
//  Both are short text files of "name value" lines, then a "signature"
//  line: Ed25519 over a domain string ("mutsync-invitation-v1\n" or
//  "mutsync-request-v1\n") followed by every byte before the signature line.
//  The invitation is signed by the parent and carries its key, where to
//  reach it, the root's org and key and the new org's facts; the request is
//  signed by the new node's key (proof it holds it) and names its org. Both
//  sides print the same short fingerprint of the new key, to compare by
//  phone. The same invitation serves a new mutual and a replacement laptop.

#ifndef MS_ENROL_H
#define MS_ENROL_H

#include "mutsync/node.h"

#define MS_ENROL_TEXT_MAX 4096  //  bytes in an invitation or a request

typedef struct {
    char org[MS_ORG_MAX + 1];  //  the invited org
    ms_role_t role;            //
    char country[3];           //
    char name[MS_NAME_MAX + 1];
    char parent[MS_ORG_MAX + 1];  //  the inviting org
    ms_role_t parent_role;        //
    uint8_t parent_key[MS_KEY_BYTES];
    char parent_endpoint[MS_ENDPOINT_MAX];  //  where children reach it
    char root[MS_ORG_MAX + 1];              //  the secretariat
    uint8_t root_key[MS_KEY_BYTES];         //
} ms_invitation_t;

typedef struct {
    char org[MS_ORG_MAX + 1];  //  the org the key is for
    ms_role_t role;            //
    char country[3];           //
    char name[MS_NAME_MAX + 1];
    char parent[MS_ORG_MAX + 1];  //  the parent it asks
    uint8_t key[MS_KEY_BYTES];    //  the new key
} ms_request_t;

//  Writes the invitation INV, signed with the key of PARENT (the node that
//  invites), into OUT (MS_ENROL_TEXT_MAX bytes). INV's parent fields are
//  filled from PARENT. Returns 0 or the key's load error.
MS_MUST_CHECK int ms_enrol_invite(ms_node_t *parent, ms_invitation_t *inv, char *out,
                                  ms_error_t *err);

//  Reads TEXT (LEN bytes): every field present and valid, and the signature
//  verifies with the parent key it carries. Returns 0 or MS_EINVAL (what is
//  wrong, and on which line).
MS_MUST_CHECK int ms_enrol_read_invitation(const char *text, size_t len, ms_invitation_t *inv,
                                           ms_error_t *err);

//  Writes NODE's request (its org, facts, parent and key), signed with its
//  key, into OUT (MS_ENROL_TEXT_MAX bytes).
MS_MUST_CHECK int ms_enrol_request(ms_node_t *node, char *out, ms_error_t *err);

//  Reads and verifies a request (signed by the key it carries).
MS_MUST_CHECK int ms_enrol_read_request(const char *text, size_t len, ms_request_t *req,
                                        ms_error_t *err);

#endif
