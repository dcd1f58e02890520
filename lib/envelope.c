//  envelope - domain-separated Ed25519 over change-set bodies, BLAKE2b ids.

#include "mutsync/envelope.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define DOMAIN_LEN (sizeof MS_SIGN_DOMAIN - 1)

void ms_body_id(const uint8_t *body, size_t body_len, uint8_t *id)
{
    crypto_generichash(id, MS_HASH_BYTES, body, body_len, NULL, 0);
}

//  Ed25519 signs one contiguous message, so the domain and the body are
//  laid side by side; Ed25519ph would avoid the copy but is another algorithm.
static uint8_t *signed_message(const uint8_t *body, size_t body_len)
{
    uint8_t *message = malloc(DOMAIN_LEN + body_len);
    if (message) {
        memcpy(message, MS_SIGN_DOMAIN, DOMAIN_LEN);
        memcpy(message + DOMAIN_LEN, body, body_len);
    }
    return message;
}

int ms_envelope_seal(const ms_keypair_t *keypair, const uint8_t *body, size_t body_len,
                     uint8_t **bytes_p, size_t *len_p, ms_error_t *err)
{
    *bytes_p = NULL;
    *len_p = 0;
    uint8_t *message = signed_message(body, body_len);
    if (!message)
        return ms_error_set(err, MS_ENOMEM, "envelope", "no memory to sign");
    uint8_t signature[MS_SIG_BYTES];
    ms_keypair_sign(keypair, message, DOMAIN_LEN + body_len, signature);
    free(message);
    return ms_envelope_encode(body, body_len, signature, bytes_p, len_p, err);
}

bool ms_envelope_verify(const ms_envelope_t *env, const uint8_t *signer)
{
    uint8_t *message = signed_message(env->body, env->body_len);
    if (!message)
        return false;
    bool valid = crypto_sign_verify_detached(env->signature, message, DOMAIN_LEN + env->body_len,
                                             signer) == 0;
    free(message);
    return valid;
}
