//  envelope - the signature and the id of a change set.
//
//  A change set's id is BLAKE2b-256 of its serialized body; `prev` links
//  carry it. The signature is pure Ed25519 over a domain string followed by
//  what the envelope's scheme says:
//  - MS_SIGN_SCHEME_ID (what this version signs with): the body's id, so
//    signing and checking cost the same for any body. The id already
//    stands for the body everywhere (prev links, duplicates, forks), so
//    signing it binds the same bytes and adds no assumption.
//  - MS_SIGN_SCHEME_BODY (versions before 2 signed so; still verified):
//    the body itself, which Ed25519 hashes twice.
//  The domains differ, so a signature made for anything else, or for the
//  other scheme, never verifies here. What is signed is the bytes (or
//  their hash): replicas store and forward the body they received and
//  never re-encode it.

#ifndef MS_ENVELOPE_H
#define MS_ENVELOPE_H

#include "mutsync/codec.h"
#include "mutsync/keys.h"

#define MS_SIGN_DOMAIN "mutsync-changeset-v1"     //  MS_SIGN_SCHEME_BODY
#define MS_SIGN_DOMAIN_ID "mutsync-changeset-v2"  //  MS_SIGN_SCHEME_ID

//  Writes the id of BODY (MS_HASH_BYTES) into ID.
void ms_body_id(const uint8_t *body, size_t body_len, uint8_t *id);

//  Signs BODY with KEYPAIR under MS_SIGN_SCHEME_ID and serializes the
//  envelope into a new buffer (*bytes_p, caller frees). ID is the body's id
//  (ms_body_id) when the caller has it, or NULL to have it computed here.
//  Returns 0 or MS_ENOMEM.
MS_MUST_CHECK int ms_envelope_seal(const ms_keypair_t *keypair, const uint8_t *body,
                                   size_t body_len, const uint8_t *id, uint8_t **bytes_p,
                                   size_t *len_p, ms_error_t *err);

//  True when ENV's signature verifies for SIGNER (an Ed25519 public key),
//  under the scheme ENV names. ID is the id of ENV's body (the caller
//  computed it), or NULL to have it computed here.
bool ms_envelope_verify(const ms_envelope_t *env, const uint8_t *id, const uint8_t *signer);

#endif
