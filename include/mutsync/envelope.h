//  envelope - the signature and the id of a change set.
//
//  A change set's id is BLAKE2b-256 of its serialized body; `prev` links
//  carry it. The signature is pure Ed25519 over the domain string followed
//  by the body, so a signature made for anything else never verifies here.
//  What is signed is the bytes: replicas store and forward the body they
//  received and never re-encode it.

#ifndef MS_ENVELOPE_H
#define MS_ENVELOPE_H

#include "mutsync/codec.h"
#include "mutsync/keys.h"

#define MS_SIGN_DOMAIN "mutsync-changeset-v1"

//  Writes the id of BODY (MS_HASH_BYTES) into ID.
void ms_body_id(const uint8_t *body, size_t body_len, uint8_t *id);

//  Signs BODY with KEYPAIR and serializes the envelope into a new buffer
//  (*bytes_p, caller frees). Returns 0 or MS_ENOMEM.
MS_MUST_CHECK int ms_envelope_seal(const ms_keypair_t *keypair, const uint8_t *body,
                                   size_t body_len, uint8_t **bytes_p, size_t *len_p,
                                   ms_error_t *err);

//  True when ENV's signature verifies for SIGNER (an Ed25519 public key).
bool ms_envelope_verify(const ms_envelope_t *env, const uint8_t *signer);

#endif
