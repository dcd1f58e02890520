//  keys - a node's Ed25519 key pair: create, save, load, sign, and the forms
//  people and CurveZMQ see it in.
//
//  One key identifies a node everywhere: it signs change sets, and its
//  CurveZMQ transport key is derived from it (crypto_sign_ed25519_*_to_curve25519).
//  The secret half lives in guarded memory (sodium_malloc) and is wiped when
//  the key pair is destroyed. Key files hold the 32-byte seed in hex, mode 0600;
//  a key file readable or writable by group or others is refused.

#ifndef MS_KEYS_H
#define MS_KEYS_H

#include "mutsync/error.h"

#include <stddef.h>
#include <stdint.h>

#define MS_KEY_BYTES 32          //  Ed25519 public key
#define MS_SIG_BYTES 64          //  Ed25519 signature
#define MS_CURVE_KEY_BYTES 32    //  X25519 key for CurveZMQ
#define MS_KEY_HEX_BYTES 65      //  64 hex digits and a NUL
#define MS_FINGERPRINT_BYTES 24  //  "3f2a-91c0-5b7e-0d44" and a NUL

typedef struct ms_keypair ms_keypair_t;

//  Makes a new random key pair. Returns 0, MS_ENOMEM or MS_ECRYPTO
//  (libsodium could not start). On failure *keypair_p stays NULL.
MS_MUST_CHECK int ms_keypair_new(ms_keypair_t **keypair_p, ms_error_t *err);

//  Wipes the secret key, frees the pair and sets *keypair_p to NULL. Safe on NULL.
void ms_keypair_destroy(ms_keypair_t **keypair_p);

//  Writes the seed to PATH as hex, created with mode 0600; refuses to
//  overwrite an existing file. Returns 0, MS_EEXIST or MS_EIO.
MS_MUST_CHECK int ms_keypair_save(const ms_keypair_t *self, const char *path, ms_error_t *err);

//  Reads PATH. Returns 0; MS_EPERM when the file is accessible to group or
//  others; MS_EIO when unreadable; MS_EINVAL when it is not a key file.
//  On failure *keypair_p stays NULL.
MS_MUST_CHECK int ms_keypair_load(const char *path, ms_keypair_t **keypair_p, ms_error_t *err);

//  The public key, MS_KEY_BYTES; lives as long as the pair.
const uint8_t *ms_keypair_public(const ms_keypair_t *self);

//  Signs MSG with the secret key (pure Ed25519). SIG gets MS_SIG_BYTES.
void ms_keypair_sign(const ms_keypair_t *self, const uint8_t *msg, size_t msg_len, uint8_t *sig);

//  The CurveZMQ key pair derived from the Ed25519 pair. The caller wipes
//  CURVE_SECRET after use. Returns 0 or MS_ECRYPTO.
MS_MUST_CHECK int ms_keypair_curve(const ms_keypair_t *self, uint8_t *curve_public,
                                   uint8_t *curve_secret, ms_error_t *err);

//  The CurveZMQ public key derived from an Ed25519 public key. Returns 0 or
//  MS_ECRYPTO (not a valid Ed25519 point).
MS_MUST_CHECK int ms_key_curve_public(const uint8_t *key, uint8_t *curve_public, ms_error_t *err);

//  Writes KEY as 64 lowercase hex digits into HEX (MS_KEY_HEX_BYTES).
void ms_key_to_hex(const uint8_t *key, char *hex);

//  Parses 64 hex digits. Returns 0 or MS_EINVAL with the reason.
MS_MUST_CHECK int ms_key_from_hex(const char *hex, uint8_t *key, ms_error_t *err);

//  A short form people read aloud at enrolment: BLAKE2b of the key with an
//  8-byte output, as four groups of hex, "3f2a-91c0-5b7e-0d44".
void ms_key_fingerprint(const uint8_t *key, char *fingerprint);

#endif
