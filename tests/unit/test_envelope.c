//  test_envelope - the signature and the id of a change set.

#include "mutsync/envelope.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    ms_keypair_t *keypair;
    uint8_t *body;
    size_t body_len;
    ms_envelope_t env;  //  sealed and decoded again
} fixture_t;

//  A real change set body, sealed with a fresh key.
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f || ms_keypair_new(&f->keypair, NULL) != 0)
        return -1;
    static const uint8_t value[] = {0x0a, 0x06, 'H', '-', '0', '0', '4', '2'};
    ms_change_t change = {MS_COLL_MEMBER, MS_OP_UPSERT, "M-0001", value, sizeof value};
    ms_changeset_t cs = {
        .origin = "ML-MUT-001",
        .feed = "register",
        .seq = 1,
        .created = 1767225600,
        .change_count = 1,
        .changes = &change,
    };
    memcpy(cs.signer, ms_keypair_public(f->keypair), MS_KEY_BYTES);
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (ms_changeset_encode(&cs, &f->body, &f->body_len, NULL) != 0 ||
        ms_envelope_seal(f->keypair, f->body, f->body_len, NULL, &bytes, &len, NULL) != 0 ||
        ms_envelope_decode(bytes, len, &f->env, NULL) != 0)
        return -1;
    free(bytes);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    ms_keypair_destroy(&f->keypair);
    ms_envelope_clear(&f->env);
    free(f->body);
    free(f);
    return 0;
}

static void test_sealed_envelope_verifies_for_its_signer(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(f->env.body_len, f->body_len);
    assert_memory_equal(f->env.body, f->body, f->body_len);
    assert_true(ms_envelope_verify(&f->env, NULL, ms_keypair_public(f->keypair)));
}

static void test_envelope_does_not_verify_for_another_key(void **state)
{
    fixture_t *f = *state;
    ms_keypair_t *other = NULL;
    assert_int_equal(ms_keypair_new(&other, NULL), 0);
    assert_false(ms_envelope_verify(&f->env, NULL, ms_keypair_public(other)));
    ms_keypair_destroy(&other);
}

static void test_flipping_any_body_byte_breaks_the_signature(void **state)
{
    fixture_t *f = *state;
    const uint8_t *signer = ms_keypair_public(f->keypair);
    for (size_t i = 0; i < f->env.body_len; i++) {
        for (unsigned bit = 0; bit < 8; bit += 7) {
            f->env.body[i] ^= (uint8_t)(1u << bit);
            if (ms_envelope_verify(&f->env, NULL, signer))
                fail_msg("body byte %zu bit %u flipped still verifies", i, bit);
            f->env.body[i] ^= (uint8_t)(1u << bit);
        }
    }
    assert_true(ms_envelope_verify(&f->env, NULL, signer));
}

static void test_flipping_any_signature_byte_breaks_the_signature(void **state)
{
    fixture_t *f = *state;
    const uint8_t *signer = ms_keypair_public(f->keypair);
    for (size_t i = 0; i < MS_SIG_BYTES; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            f->env.signature[i] ^= (uint8_t)(1u << bit);
            if (ms_envelope_verify(&f->env, NULL, signer))
                fail_msg("signature byte %zu bit %u flipped still verifies", i, bit);
            f->env.signature[i] ^= (uint8_t)(1u << bit);
        }
    }
    assert_true(ms_envelope_verify(&f->env, NULL, signer));
}

static void test_truncated_or_extended_body_breaks_the_signature(void **state)
{
    fixture_t *f = *state;
    const uint8_t *signer = ms_keypair_public(f->keypair);
    f->env.body_len--;
    assert_false(ms_envelope_verify(&f->env, NULL, signer));
    f->env.body_len++;
    uint8_t *longer = malloc(f->env.body_len + 1);
    assert_non_null(longer);
    memcpy(longer, f->env.body, f->env.body_len);
    longer[f->env.body_len] = 0;
    ms_envelope_t env = f->env;
    env.body = longer;
    env.body_len++;
    assert_false(ms_envelope_verify(&env, NULL, signer));
    free(longer);
}

//  SIGNATURE := Ed25519 of DOMAIN followed by LEN bytes of WHAT.
static void sign_with(const fixture_t *f, const char *domain, const uint8_t *what, size_t len,
                      uint8_t *signature)
{
    size_t domain_len = strlen(domain);
    uint8_t *message = malloc(domain_len + len + 1);
    assert_non_null(message);
    memcpy(message, domain, domain_len);
    memcpy(message + domain_len, what, len);
    ms_keypair_sign(f->keypair, message, domain_len + len, signature);
    free(message);
}

static void test_signature_without_the_domain_does_not_verify(void **state)
{
    fixture_t *f = *state;
    const uint8_t *signer = ms_keypair_public(f->keypair);
    uint8_t id[MS_HASH_BYTES];
    ms_body_id(f->body, f->body_len, id);
    assert_int_equal(f->env.scheme, MS_SIGN_SCHEME_ID);
    ms_envelope_t env = f->env;

    //  The id alone, or the body alone, signed without a domain.
    ms_keypair_sign(f->keypair, id, sizeof id, env.signature);
    assert_int_equal(crypto_sign_verify_detached(env.signature, id, sizeof id, signer), 0);
    assert_false(ms_envelope_verify(&env, NULL, signer));
    ms_keypair_sign(f->keypair, f->body, f->body_len, env.signature);
    assert_false(ms_envelope_verify(&env, NULL, signer));

    //  The other scheme's domain, or another version's, before the id.
    sign_with(f, MS_SIGN_DOMAIN, id, sizeof id, env.signature);
    assert_false(ms_envelope_verify(&env, NULL, signer));
    sign_with(f, "mutsync-changeset-v3", id, sizeof id, env.signature);
    assert_false(ms_envelope_verify(&env, NULL, signer));

    //  The domain string and the id, signed directly: the envelope's own signature.
    sign_with(f, MS_SIGN_DOMAIN_ID, id, sizeof id, env.signature);
    assert_memory_equal(env.signature, f->env.signature, MS_SIG_BYTES);
    assert_true(ms_envelope_verify(&env, id, signer));
    //  An id that is not the body's does not verify, however it is given.
    id[0] ^= 1;
    assert_false(ms_envelope_verify(&env, id, signer));
}

static void test_a_version_1_envelope_still_verifies(void **state)
{
    fixture_t *f = *state;
    const uint8_t *signer = ms_keypair_public(f->keypair);
    uint8_t signature[MS_SIG_BYTES];
    sign_with(f, MS_SIGN_DOMAIN, f->body, f->body_len, signature);
    uint8_t *bytes = NULL;
    size_t len = 0;
    assert_int_equal(ms_envelope_encode(f->body, f->body_len, signature, MS_SIGN_SCHEME_BODY,
                                        &bytes, &len, NULL),
                     0);
    ms_envelope_t env;
    assert_int_equal(ms_envelope_decode(bytes, len, &env, NULL), 0);
    assert_int_equal(env.scheme, MS_SIGN_SCHEME_BODY);
    assert_true(ms_envelope_verify(&env, NULL, signer));
    //  The same signature claimed for the id scheme, or a scheme 2
    //  signature claimed for the body scheme, does not verify.
    env.scheme = MS_SIGN_SCHEME_ID;
    assert_false(ms_envelope_verify(&env, NULL, signer));
    env.scheme = MS_SIGN_SCHEME_BODY;
    memcpy(env.signature, f->env.signature, MS_SIG_BYTES);
    assert_false(ms_envelope_verify(&env, NULL, signer));
    env.body[0] ^= 1;
    sign_with(f, MS_SIGN_DOMAIN, f->body, f->body_len, env.signature);
    assert_false(ms_envelope_verify(&env, NULL, signer));  //  a changed body
    ms_envelope_clear(&env);
    free(bytes);
}

static void test_an_unknown_scheme_is_refused(void **state)
{
    fixture_t *f = *state;
    uint8_t *bytes = NULL;
    size_t len = 0;
    assert_int_equal(
        ms_envelope_encode(f->body, f->body_len, f->env.signature, 3, &bytes, &len, NULL), 0);
    ms_envelope_t env;
    ms_error_t err = {0};
    assert_int_equal(ms_envelope_decode(bytes, len, &env, &err), MS_EINVAL);
    assert_non_null(strstr(err.message, "signature scheme 3 is unknown"));
    free(bytes);
    env = f->env;
    env.scheme = 7;  //  never verifies, whatever the signature
    assert_false(ms_envelope_verify(&env, NULL, ms_keypair_public(f->keypair)));
}

static void test_id_is_blake2b_256_of_the_body(void **state)
{
    fixture_t *f = *state;
    uint8_t id[MS_HASH_BYTES], expected[MS_HASH_BYTES];
    ms_body_id(f->body, f->body_len, id);
    crypto_generichash(expected, sizeof expected, f->body, f->body_len, NULL, 0);
    assert_memory_equal(id, expected, MS_HASH_BYTES);

    //  Known answer: BLAKE2b-256 of the empty string.
    static const uint8_t empty[MS_HASH_BYTES] = {0x0e, 0x57, 0x51, 0xc0, 0x26, 0xe5, 0x43, 0xb2,
                                                 0xe8, 0xab, 0x2e, 0xb0, 0x60, 0x99, 0xda, 0xa1,
                                                 0xd1, 0xe5, 0xdf, 0x47, 0x77, 0x8f, 0x77, 0x87,
                                                 0xfa, 0xab, 0x45, 0xcd, 0xf1, 0x2f, 0xe3, 0xa8};
    ms_body_id((const uint8_t *)"", 0, id);
    assert_memory_equal(id, empty, MS_HASH_BYTES);
}

static void test_seal_is_deterministic(void **state)
{
    fixture_t *f = *state;
    uint8_t *a = NULL, *b = NULL;
    size_t a_len = 0, b_len = 0;
    assert_int_equal(ms_envelope_seal(f->keypair, f->body, f->body_len, NULL, &a, &a_len, NULL), 0);
    assert_int_equal(ms_envelope_seal(f->keypair, f->body, f->body_len, NULL, &b, &b_len, NULL), 0);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sealed_envelope_verifies_for_its_signer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_envelope_does_not_verify_for_another_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_flipping_any_body_byte_breaks_the_signature, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_flipping_any_signature_byte_breaks_the_signature,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_or_extended_body_breaks_the_signature, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_signature_without_the_domain_does_not_verify, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_version_1_envelope_still_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_unknown_scheme_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_id_is_blake2b_256_of_the_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seal_is_deterministic, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
