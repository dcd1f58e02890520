//  envelope - domain-separated Ed25519 over change-set ids (or bodies), BLAKE2b ids.

#include "mutsync/envelope.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define DOMAIN_LEN (sizeof MS_SIGN_DOMAIN - 1)
#define DOMAIN_ID_LEN (sizeof MS_SIGN_DOMAIN_ID - 1)

void ms_body_id(const uint8_t *body, size_t body_len, uint8_t *id)
{
    crypto_generichash(id, MS_HASH_BYTES, body, body_len, NULL, 0);
}

//  The message MS_SIGN_SCHEME_ID signs: its domain, then the id of BODY
//  (ID when the caller has it, else computed here).
static void id_message(const uint8_t *body, size_t body_len, const uint8_t *id,
                       uint8_t message[DOMAIN_ID_LEN + MS_HASH_BYTES])
{
    memcpy(message, MS_SIGN_DOMAIN_ID, DOMAIN_ID_LEN);
    if (id)
        memcpy(message + DOMAIN_ID_LEN, id, MS_HASH_BYTES);
    else
        ms_body_id(body, body_len, message + DOMAIN_ID_LEN);
}

int ms_envelope_seal(const ms_keypair_t *keypair, const uint8_t *body, size_t body_len,
                     const uint8_t *id, uint8_t **bytes_p, size_t *len_p, ms_error_t *err)
{
    *bytes_p = NULL;
    *len_p = 0;
    uint8_t message[DOMAIN_ID_LEN + MS_HASH_BYTES];
    id_message(body, body_len, id, message);
    uint8_t signature[MS_SIG_BYTES];
    ms_keypair_sign(keypair, message, sizeof message, signature);
    return ms_envelope_encode(body, body_len, signature, MS_SIGN_SCHEME_ID, bytes_p, len_p, err);
}

//  Ed25519 signs one contiguous message, so for the body scheme the domain
//  and the body are laid side by side.
static bool verify_body(const ms_envelope_t *env, const uint8_t *signer)
{
    uint8_t *message = malloc(DOMAIN_LEN + env->body_len);
    if (!message)
        return false;
    memcpy(message, MS_SIGN_DOMAIN, DOMAIN_LEN);
    memcpy(message + DOMAIN_LEN, env->body, env->body_len);
    bool valid = crypto_sign_verify_detached(env->signature, message, DOMAIN_LEN + env->body_len,
                                             signer) == 0;
    free(message);
    return valid;
}

bool ms_envelope_verify(const ms_envelope_t *env, const uint8_t *id, const uint8_t *signer)
{
    if (env->scheme == MS_SIGN_SCHEME_BODY)
        return verify_body(env, signer);
    if (env->scheme != MS_SIGN_SCHEME_ID)
        return false;
    uint8_t message[DOMAIN_ID_LEN + MS_HASH_BYTES];
    id_message(env->body, env->body_len, id, message);
    return crypto_sign_verify_detached(env->signature, message, sizeof message, signer) == 0;
}
