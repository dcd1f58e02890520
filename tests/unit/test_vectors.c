//  test_vectors - known answers that guard the wire format and the
//  algorithms: golden envelopes signed once and committed, one per
//  signature scheme (see tests/vectors/README.md), and RFC 8032's Ed25519
//  test vectors through our own key files and signing call.
//
//  If a test here fails, an envelope signed by an earlier version no longer
//  reads or verifies the same: that is a change of wire format, not a test
//  to update.

#include "mutsync/envelope.h"
#include "mutsync/record.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef MS_VECTORS_DIR
#error "MS_VECTORS_DIR must name tests/vectors"
#endif

#define GOLDEN_PATH MS_VECTORS_DIR "/golden_envelope.bin"        //  scheme 1, by version 1
#define GOLDEN_V2_PATH MS_VECTORS_DIR "/golden_envelope_v2.bin"  //  scheme 2, the same body

//  BLAKE2b-256 of the golden body, and the public key of seed 00 01 .. 1f.
#define GOLDEN_ID_HEX "09163195b6857e086414e6052e0a74b541662aca35c6df88edb1b4b3c4b2f3f8"
#define GOLDEN_KEY_HEX "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
#define GOLDEN_SEED_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define GOLDEN_CREATED 1767225600  //  2026-01-01T00:00:00Z

//  A key pair from SEED_HEX, through a key file as a node would load it.
static ms_keypair_t *keypair_from_seed(const char *dir, const char *seed_hex)
{
    char path[512];
    snprintf(path, sizeof path, "%s/seed.key", dir);
    remove(path);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fprintf(out, "%s\n", seed_hex);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(chmod(path, 0600), 0);
    ms_keypair_t *keypair = NULL;
    ms_error_t err = {0};
    assert_int_equal(ms_keypair_load(path, &keypair, &err), 0);
    return keypair;
}

static void from_hex(const char *hex, uint8_t *bin, size_t len)
{
    size_t got = 0;
    assert_int_equal(sodium_hex2bin(bin, len, hex, strlen(hex), NULL, &got, NULL), 0);
    assert_int_equal(got, len);
}

static ms_member_t golden_member(void)
{
    ms_member_t member;
    memset(&member, 0, sizeof member);
    strcpy(member.household_id, "H-0001");
    strcpy(member.family_name, "Diarra");
    strcpy(member.given_name, "Awa");
    member.sex = MS_SEX_F;
    member.birth_date = 7378;  //  1990-03-15
    strcpy(member.village, "Kati");
    member.enrollment_date = 19732;  //  2024-01-10
    member.category = MS_CATEGORY_ADHERENT;
    member.relationship = MS_REL_SELF;
    member.status = MS_STATUS_ACTIVE;
    return member;
}

//  The golden change set, encoded by today's code. The caller frees *BODY_P.
static void golden_body(const uint8_t *signer, uint8_t **body_p, size_t *len_p)
{
    ms_member_t member = golden_member();
    uint8_t value[512];
    size_t value_len = 0;
    assert_int_equal(ms_member_encode(&member, value, sizeof value, &value_len), 0);
    ms_change_t change = {MS_COLL_MEMBER, MS_OP_UPSERT, "M-0001", value, value_len};
    ms_changeset_t cs = {
        .origin = "ML-MUT-001",
        .feed = "register",
        .seq = 1,
        .created = GOLDEN_CREATED,
        .change_count = 1,
        .changes = &change,
    };
    memcpy(cs.signer, signer, MS_KEY_BYTES);
    assert_int_equal(ms_changeset_encode(&cs, body_p, len_p, NULL), 0);
}

static uint8_t *read_golden(const char *path, size_t *len_p)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        fail_msg("cannot open %s", path);
    uint8_t *bytes = malloc(4096);
    assert_non_null(bytes);
    *len_p = fread(bytes, 1, 4096, in);
    assert_true(*len_p > 0 && *len_p < 4096);
    fclose(in);
    return bytes;
}

static void check_golden(const char *path, uint32_t scheme)
{
    size_t len = 0;
    uint8_t *bytes = read_golden(path, &len);
    ms_envelope_t env;
    ms_error_t err = {0};
    assert_int_equal(ms_envelope_decode(bytes, len, &env, &err), 0);
    assert_int_equal(env.scheme, scheme);

    uint8_t id[MS_HASH_BYTES], expected_id[MS_HASH_BYTES], key[MS_KEY_BYTES];
    ms_body_id(env.body, env.body_len, id);
    from_hex(GOLDEN_ID_HEX, expected_id, sizeof expected_id);
    assert_memory_equal(id, expected_id, MS_HASH_BYTES);
    from_hex(GOLDEN_KEY_HEX, key, sizeof key);
    assert_true(ms_envelope_verify(&env, NULL, key));

    ms_changeset_t *cs = NULL;
    assert_int_equal(ms_changeset_decode(env.body, env.body_len, &cs, &err), 0);
    assert_string_equal(cs->origin, "ML-MUT-001");
    assert_string_equal(cs->feed, "register");
    assert_int_equal(cs->seq, 1);
    assert_int_equal(cs->created, GOLDEN_CREATED);
    assert_memory_equal(cs->signer, key, MS_KEY_BYTES);
    static const uint8_t zero[MS_HASH_BYTES];
    assert_memory_equal(cs->prev, zero, MS_HASH_BYTES);
    assert_int_equal(cs->change_count, 1);
    assert_int_equal(cs->changes[0].collection, MS_COLL_MEMBER);
    assert_int_equal(cs->changes[0].op, MS_OP_UPSERT);
    assert_string_equal(cs->changes[0].key, "M-0001");
    ms_member_t member, expected = golden_member();
    assert_int_equal(
        ms_member_decode(cs->changes[0].value, cs->changes[0].value_len, &member, &err), 0);
    assert_memory_equal(&member, &expected, sizeof member);
    ms_changeset_destroy(&cs);
    ms_envelope_clear(&env);
    free(bytes);
}

static void test_golden_envelopes_decode_verify_and_keep_their_id(void **state)
{
    (void)state;
    check_golden(GOLDEN_PATH, MS_SIGN_SCHEME_BODY);
    check_golden(GOLDEN_V2_PATH, MS_SIGN_SCHEME_ID);
}

static void test_golden_change_set_encodes_to_the_same_bytes(void **state)
{
    size_t len = 0, v2_len = 0;
    uint8_t *bytes = read_golden(GOLDEN_PATH, &len);
    uint8_t *v2 = read_golden(GOLDEN_V2_PATH, &v2_len);
    ms_envelope_t env;
    assert_int_equal(ms_envelope_decode(bytes, len, &env, NULL), 0);
    uint8_t key[MS_KEY_BYTES];
    from_hex(GOLDEN_KEY_HEX, key, sizeof key);
    uint8_t *body = NULL;
    size_t body_len = 0;
    golden_body(key, &body, &body_len);
    assert_int_equal(body_len, env.body_len);
    assert_memory_equal(body, env.body, body_len);

    //  Ed25519 is deterministic: sealing it again gives the scheme 2 file,
    //  byte for byte.
    ms_keypair_t *keypair = keypair_from_seed(*state, GOLDEN_SEED_HEX);
    assert_memory_equal(ms_keypair_public(keypair), key, MS_KEY_BYTES);
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    assert_int_equal(ms_envelope_seal(keypair, body, body_len, NULL, &sealed, &sealed_len, NULL),
                     0);
    assert_int_equal(sealed_len, v2_len);
    assert_memory_equal(sealed, v2, v2_len);
    free(sealed);

    //  And version 1's signature, the domain then the body, with the
    //  envelope written as version 1 wrote it, gives the scheme 1 file.
    static const char domain[] = MS_SIGN_DOMAIN;
    uint8_t *message = malloc(sizeof domain - 1 + body_len);
    assert_non_null(message);
    memcpy(message, domain, sizeof domain - 1);
    memcpy(message + sizeof domain - 1, body, body_len);
    uint8_t signature[MS_SIG_BYTES];
    ms_keypair_sign(keypair, message, sizeof domain - 1 + body_len, signature);
    assert_int_equal(ms_envelope_encode(body, body_len, signature, MS_SIGN_SCHEME_BODY, &sealed,
                                        &sealed_len, NULL),
                     0);
    assert_int_equal(sealed_len, len);
    assert_memory_equal(sealed, bytes, len);
    free(sealed);
    free(message);
    ms_keypair_destroy(&keypair);
    free(body);
    ms_envelope_clear(&env);
    free(v2);
    free(bytes);
}

static void check_any_byte_changed(const char *path)
{
    size_t len = 0;
    uint8_t *bytes = read_golden(path, &len);
    uint8_t key[MS_KEY_BYTES];
    from_hex(GOLDEN_KEY_HEX, key, sizeof key);
    for (size_t i = 0; i < len; i++) {
        bytes[i] ^= 0x04;
        ms_envelope_t env;
        if (ms_envelope_decode(bytes, len, &env, NULL) == 0) {
            if (ms_envelope_verify(&env, NULL, key))
                fail_msg("%s: byte %zu changed and the envelope still verifies", path, i);
            ms_envelope_clear(&env);
        }
        bytes[i] ^= 0x04;
    }
    //  Without its scheme (the last two bytes), a scheme 2 envelope reads as
    //  scheme 1 and does not verify either.
    ms_envelope_t env;
    if (ms_envelope_decode(bytes, len - 2, &env, NULL) == 0) {
        if (ms_envelope_verify(&env, NULL, key) && strcmp(path, GOLDEN_V2_PATH) == 0)
            fail_msg("%s: its scheme removed, the envelope still verifies", path);
        ms_envelope_clear(&env);
    }
    free(bytes);
}

static void test_golden_envelope_with_any_byte_changed_does_not_verify(void **state)
{
    (void)state;
    check_any_byte_changed(GOLDEN_PATH);
    check_any_byte_changed(GOLDEN_V2_PATH);
}

//  RFC 8032 §7.1, Ed25519: SECRET KEY is the 32-byte seed.
typedef struct {
    const char *seed;
    const char *public_key;
    const char *message;  //  hex
    const char *signature;
} rfc8032_t;

static const rfc8032_t rfc8032[] = {
    {
        //  TEST 1: the empty message
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c"
        "f9b46bd25bf5f0595bbe24655141438e7a100b",
    },
    {
        //  TEST 2: one byte
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0"
        "f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    },
};

static void test_rfc8032_vectors_through_our_key_files(void **state)
{
    for (size_t i = 0; i < sizeof rfc8032 / sizeof rfc8032[0]; i++) {
        ms_keypair_t *keypair = keypair_from_seed(*state, rfc8032[i].seed);
        uint8_t public_key[MS_KEY_BYTES], expected[MS_SIG_BYTES], signature[MS_SIG_BYTES];
        uint8_t message[64];
        size_t message_len = strlen(rfc8032[i].message) / 2;
        from_hex(rfc8032[i].public_key, public_key, sizeof public_key);
        from_hex(rfc8032[i].signature, expected, sizeof expected);
        if (message_len)
            from_hex(rfc8032[i].message, message, message_len);
        assert_memory_equal(ms_keypair_public(keypair), public_key, MS_KEY_BYTES);
        ms_keypair_sign(keypair, message, message_len, signature);
        assert_memory_equal(signature, expected, MS_SIG_BYTES);
        ms_keypair_destroy(&keypair);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_envelopes_decode_verify_and_keep_their_id),
        cmocka_unit_test_setup_teardown(test_golden_change_set_encodes_to_the_same_bytes,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test(test_golden_envelope_with_any_byte_changed_does_not_verify),
        cmocka_unit_test_setup_teardown(test_rfc8032_vectors_through_our_key_files, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
