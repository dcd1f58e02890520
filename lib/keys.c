//  keys - Ed25519 key pairs in guarded memory, key files, and key forms.
//
//  The secret key is allocated with sodium_malloc (guard pages, mlock) and
//  released with sodium_free, which wipes it. Loading a key file refuses
//  group/other permissions before reading a byte, as ssh does, so a key
//  that may have been exposed is not used silently.

#include "mutsync/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ms_keypair {
    uint8_t public_key[crypto_sign_PUBLICKEYBYTES];  //  Ed25519 public key
    uint8_t secret_key[crypto_sign_SECRETKEYBYTES];  //  seed || public key; wiped on free
};

static int keypair_alloc(ms_keypair_t **keypair_p, ms_error_t *err)
{
    if (sodium_init() < 0)
        return ms_error_set(err, MS_ECRYPTO, "keys", "libsodium could not be initialised");
    *keypair_p = sodium_malloc(sizeof(ms_keypair_t));
    if (!*keypair_p)
        return ms_error_set(err, MS_ENOMEM, "keys", "no memory for a key pair");
    return 0;
}

int ms_keypair_new(ms_keypair_t **keypair_p, ms_error_t *err)
{
    *keypair_p = NULL;
    ms_keypair_t *self;
    int rc = keypair_alloc(&self, err);
    if (rc)
        return rc;
    crypto_sign_keypair(self->public_key, self->secret_key);
    *keypair_p = self;
    return 0;
}

void ms_keypair_destroy(ms_keypair_t **keypair_p)
{
    if (keypair_p && *keypair_p) {
        sodium_free(*keypair_p);
        *keypair_p = NULL;
    }
}

int ms_keypair_save(const ms_keypair_t *self, const char *path, ms_error_t *err)
{
    char hex[crypto_sign_SEEDBYTES * 2 + 2];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return ms_error_set(err, MS_EEXIST, path, "key file already exists; not overwritten");
        return ms_error_set(err, MS_EIO, path, "cannot create key file: %s", strerror(errno));
    }
    sodium_bin2hex(hex, sizeof hex - 1, self->secret_key, crypto_sign_SEEDBYTES);
    size_t len = strlen(hex);
    hex[len++] = '\n';
    ssize_t written = write(fd, hex, len);
    int sync_rc = fsync(fd);
    close(fd);
    sodium_memzero(hex, sizeof hex);
    if (written != (ssize_t)len || sync_rc != 0) {
        unlink(path);
        return ms_error_set(err, MS_EIO, path, "cannot write key file");
    }
    return 0;
}

int ms_keypair_load(const char *path, ms_keypair_t **keypair_p, ms_error_t *err)
{
    *keypair_p = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ms_error_set(err, MS_EIO, path, "cannot open key file: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return ms_error_set(err, MS_EIO, path, "cannot stat key file: %s", strerror(errno));
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        return ms_error_set(err, MS_EPERM, path,
                            "key file is accessible to others (mode %03o); run chmod 600 on it",
                            (unsigned)(st.st_mode & 0777));
    }
    char hex[crypto_sign_SEEDBYTES * 2 + 8];
    ssize_t got = read(fd, hex, sizeof hex - 1);
    close(fd);
    int rc = 0;
    uint8_t seed[crypto_sign_SEEDBYTES];
    size_t seed_len = 0;
    if (got < (ssize_t)crypto_sign_SEEDBYTES * 2) {
        rc = ms_error_set(err, MS_EINVAL, path, "not a key file (too short)");
        goto done;
    }
    hex[got] = 0;
    if (sodium_hex2bin(seed, sizeof seed, hex, (size_t)got, "\n", &seed_len, NULL) != 0 ||
        seed_len != sizeof seed) {
        rc = ms_error_set(err, MS_EINVAL, path, "not a key file (expected 64 hex digits)");
        goto done;
    }
    ms_keypair_t *self;
    rc = keypair_alloc(&self, err);
    if (rc)
        goto done;
    crypto_sign_seed_keypair(self->public_key, self->secret_key, seed);
    *keypair_p = self;
done:
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

const uint8_t *ms_keypair_public(const ms_keypair_t *self)
{
    return self->public_key;
}

void ms_keypair_sign(const ms_keypair_t *self, const uint8_t *msg, size_t msg_len, uint8_t *sig)
{
    crypto_sign_detached(sig, NULL, msg, msg_len, self->secret_key);
}

int ms_keypair_curve(const ms_keypair_t *self, uint8_t *curve_public, uint8_t *curve_secret,
                     ms_error_t *err)
{
    if (crypto_sign_ed25519_pk_to_curve25519(curve_public, self->public_key) != 0 ||
        crypto_sign_ed25519_sk_to_curve25519(curve_secret, self->secret_key) != 0)
        return ms_error_set(err, MS_ECRYPTO, "keys", "cannot derive the CurveZMQ key");
    return 0;
}

int ms_key_curve_public(const uint8_t *key, uint8_t *curve_public, ms_error_t *err)
{
    if (crypto_sign_ed25519_pk_to_curve25519(curve_public, key) != 0)
        return ms_error_set(err, MS_ECRYPTO, "keys", "not a valid Ed25519 public key");
    return 0;
}

void ms_key_to_hex(const uint8_t *key, char *hex)
{
    sodium_bin2hex(hex, MS_KEY_HEX_BYTES, key, MS_KEY_BYTES);
}

int ms_key_from_hex(const char *hex, uint8_t *key, ms_error_t *err)
{
    size_t len = 0;
    const char *end = NULL;
    if (strlen(hex) != MS_KEY_BYTES * 2 ||
        sodium_hex2bin(key, MS_KEY_BYTES, hex, strlen(hex), NULL, &len, &end) != 0 ||
        len != MS_KEY_BYTES || *end != 0) {
        memset(key, 0, MS_KEY_BYTES);
        return ms_error_set(err, MS_EINVAL, "key",
                            "\"%.80s\" is not a public key (expected 64 hex digits)", hex);
    }
    return 0;
}

void ms_key_fingerprint(const uint8_t *key, char *fingerprint)
{
    uint8_t digest[8];
    crypto_generichash(digest, sizeof digest, key, MS_KEY_BYTES, NULL, 0);
    snprintf(fingerprint, MS_FINGERPRINT_BYTES, "%02x%02x-%02x%02x-%02x%02x-%02x%02x", digest[0],
             digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7]);
}
