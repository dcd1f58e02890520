//  test_keys - a node's key pair: key files, the forms people and CurveZMQ
//  see it in.

#include "mutsync/keys.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void path_in(void **state, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", (char *)*state, name);
}

//  Writes TEXT to PATH with MODE (set with chmod, so the umask does not interfere).
static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void read_file(const char *path, char *buf, size_t cap)
{
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    size_t got = fread(buf, 1, cap - 1, in);
    buf[got] = 0;
    fclose(in);
}

static void test_key_file_roundtrip_signs_the_same(void **state)
{
    char path[512];
    path_in(state, "node.key", path, sizeof path);
    ms_error_t err = {0};
    ms_keypair_t *created = NULL, *loaded = NULL;
    assert_int_equal(ms_keypair_new(&created, &err), 0);
    assert_int_equal(ms_keypair_save(created, path, &err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 65);  //  64 hex digits and a newline

    assert_int_equal(ms_keypair_load(path, &loaded, &err), 0);
    assert_memory_equal(ms_keypair_public(created), ms_keypair_public(loaded), MS_KEY_BYTES);
    static const uint8_t message[] = "ML-UTM-001 public 7";
    uint8_t sig_created[MS_SIG_BYTES], sig_loaded[MS_SIG_BYTES];
    ms_keypair_sign(created, message, sizeof message, sig_created);
    ms_keypair_sign(loaded, message, sizeof message, sig_loaded);
    assert_memory_equal(sig_created, sig_loaded, MS_SIG_BYTES);
    assert_int_equal(crypto_sign_verify_detached(sig_loaded, message, sizeof message,
                                                 ms_keypair_public(created)),
                     0);
    ms_keypair_destroy(&created);
    ms_keypair_destroy(&loaded);
    assert_null(loaded);
    ms_keypair_destroy(&loaded);  //  harmless twice
}

static void test_key_pairs_are_new_each_time(void **state)
{
    (void)state;
    ms_keypair_t *a = NULL, *b = NULL;
    assert_int_equal(ms_keypair_new(&a, NULL), 0);
    assert_int_equal(ms_keypair_new(&b, NULL), 0);
    assert_memory_not_equal(ms_keypair_public(a), ms_keypair_public(b), MS_KEY_BYTES);
    ms_keypair_destroy(&a);
    ms_keypair_destroy(&b);
}

static void test_key_save_refuses_to_overwrite(void **state)
{
    char path[512], before[128], after[128];
    path_in(state, "node.key", path, sizeof path);
    ms_keypair_t *first = NULL, *second = NULL;
    ms_error_t err = {0};
    assert_int_equal(ms_keypair_new(&first, &err), 0);
    assert_int_equal(ms_keypair_new(&second, &err), 0);
    assert_int_equal(ms_keypair_save(first, path, &err), 0);
    read_file(path, before, sizeof before);

    assert_int_equal(ms_keypair_save(second, path, &err), MS_EEXIST);
    assert_int_equal(err.code, MS_EEXIST);
    assert_string_equal(err.where, path);
    assert_non_null(strstr(err.message, "not overwritten"));
    read_file(path, after, sizeof after);
    assert_string_equal(before, after);

    ms_keypair_t *loaded = NULL;
    assert_int_equal(ms_keypair_load(path, &loaded, &err), 0);
    assert_memory_equal(ms_keypair_public(loaded), ms_keypair_public(first), MS_KEY_BYTES);
    ms_keypair_destroy(&first);
    ms_keypair_destroy(&second);
    ms_keypair_destroy(&loaded);
}

static void check_mode_refused(void **state, mode_t mode)
{
    char path[512];
    path_in(state, "node.key", path, sizeof path);
    ms_keypair_t *keypair = NULL;
    ms_error_t err = {0};
    assert_int_equal(ms_keypair_new(&keypair, &err), 0);
    assert_int_equal(ms_keypair_save(keypair, path, &err), 0);
    ms_keypair_destroy(&keypair);
    assert_int_equal(chmod(path, mode), 0);

    keypair = (ms_keypair_t *)&err;  //  must come back NULL
    assert_int_equal(ms_keypair_load(path, &keypair, &err), MS_EPERM);
    assert_null(keypair);
    assert_int_equal(err.code, MS_EPERM);
    assert_string_equal(err.where, path);
    assert_non_null(strstr(err.message, "chmod 600"));
    char mode_text[8];
    snprintf(mode_text, sizeof mode_text, "%03o", (unsigned)mode);
    assert_non_null(strstr(err.message, mode_text));
}

static void test_key_load_refuses_group_readable_file(void **state)
{
    check_mode_refused(state, 0640);
}

static void test_key_load_refuses_other_readable_file(void **state)
{
    check_mode_refused(state, 0604);
}

static void test_key_load_refuses_group_writable_file(void **state)
{
    check_mode_refused(state, 0620);
}

static void test_key_load_accepts_owner_read_only_file(void **state)
{
    char path[512];
    path_in(state, "node.key", path, sizeof path);
    ms_keypair_t *keypair = NULL, *loaded = NULL;
    assert_int_equal(ms_keypair_new(&keypair, NULL), 0);
    assert_int_equal(ms_keypair_save(keypair, path, NULL), 0);
    assert_int_equal(chmod(path, 0400), 0);
    assert_int_equal(ms_keypair_load(path, &loaded, NULL), 0);
    assert_memory_equal(ms_keypair_public(loaded), ms_keypair_public(keypair), MS_KEY_BYTES);
    ms_keypair_destroy(&keypair);
    ms_keypair_destroy(&loaded);
}

static void check_not_a_key_file(void **state, const char *text, size_t len)
{
    char path[512];
    path_in(state, "node.key", path, sizeof path);
    write_file(path, text, len, 0600);
    ms_keypair_t *keypair = NULL;
    ms_error_t err = {0};
    assert_int_equal(ms_keypair_load(path, &keypair, &err), MS_EINVAL);
    assert_null(keypair);
    assert_int_equal(err.code, MS_EINVAL);
    assert_non_null(strstr(err.message, "not a key file"));
}

static void test_key_load_refuses_garbage_and_short_files(void **state)
{
    static const char hex63[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1";
    static const char hex66[] =
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n";
    static const char bad_digit[] =
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g\n";
    static const char trailing[] =
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f xyz\n";
    check_not_a_key_file(state, "", 0);
    check_not_a_key_file(state, "abcd\n", 5);
    check_not_a_key_file(state, hex63, strlen(hex63));
    check_not_a_key_file(state, hex66, strlen(hex66));
    check_not_a_key_file(state, bad_digit, strlen(bad_digit));
    check_not_a_key_file(state, trailing, strlen(trailing));
    char junk[200];
    memset(junk, 'Z', sizeof junk);
    check_not_a_key_file(state, junk, sizeof junk);
    uint8_t binary[64];
    for (size_t i = 0; i < sizeof binary; i++)
        binary[i] = (uint8_t)(i * 37);
    check_not_a_key_file(state, (const char *)binary, sizeof binary);
}

static void test_key_load_accepts_seed_without_newline(void **state)
{
    static const char hex64[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    char path[512];
    path_in(state, "node.key", path, sizeof path);
    write_file(path, hex64, strlen(hex64), 0600);
    ms_keypair_t *keypair = NULL;
    assert_int_equal(ms_keypair_load(path, &keypair, NULL), 0);
    uint8_t seed[32], pk[32], sk[64];
    for (int i = 0; i < 32; i++)
        seed[i] = (uint8_t)i;
    crypto_sign_seed_keypair(pk, sk, seed);
    assert_memory_equal(ms_keypair_public(keypair), pk, MS_KEY_BYTES);
    ms_keypair_destroy(&keypair);
}

static void test_key_load_reports_missing_file(void **state)
{
    char path[512];
    path_in(state, "absent.key", path, sizeof path);
    ms_keypair_t *keypair = NULL;
    ms_error_t err = {0};
    assert_int_equal(ms_keypair_load(path, &keypair, &err), MS_EIO);
    assert_null(keypair);
    assert_string_equal(err.where, path);
}

static void test_key_hex_roundtrip(void **state)
{
    (void)state;
    uint8_t key[MS_KEY_BYTES], back[MS_KEY_BYTES];
    for (int i = 0; i < MS_KEY_BYTES; i++)
        key[i] = (uint8_t)(0xf0 + i * 3);
    char hex[MS_KEY_HEX_BYTES];
    ms_key_to_hex(key, hex);
    assert_int_equal(strlen(hex), 64);
    for (int i = 0; i < 64; i++)
        assert_non_null(strchr("0123456789abcdef", hex[i]));
    assert_int_equal(ms_key_from_hex(hex, back, NULL), 0);
    assert_memory_equal(key, back, MS_KEY_BYTES);
    assert_string_equal(hex, "f0f3f6f9fcff0205080b0e1114171a1d202326292c2f3235383b3e4144474a4d");
}

static void check_hex_refused(const char *text)
{
    uint8_t key[MS_KEY_BYTES];
    memset(key, 0xaa, sizeof key);
    ms_error_t err = {0};
    assert_int_equal(ms_key_from_hex(text, key, &err), MS_EINVAL);
    assert_int_equal(err.code, MS_EINVAL);
    assert_non_null(strstr(err.message, "64 hex digits"));
    static const uint8_t zero[MS_KEY_BYTES];
    assert_memory_equal(key, zero, MS_KEY_BYTES);
}

static void test_key_hex_refuses_wrong_length_and_digits(void **state)
{
    (void)state;
    char text[80];
    check_hex_refused("");
    memset(text, 'a', 63);
    text[63] = 0;
    check_hex_refused(text);  //  63 digits
    memset(text, 'a', 65);
    text[65] = 0;
    check_hex_refused(text);  //  65 digits
    memset(text, 'a', 64);
    text[64] = 0;
    text[63] = 'g';
    check_hex_refused(text);  //  not a hex digit
    text[63] = 'a';
    text[10] = ' ';
    check_hex_refused(text);  //  a space inside
    text[10] = ':';
    check_hex_refused(text);
    memset(text, 'a', 64);
    assert_int_equal(ms_key_from_hex(text, (uint8_t[MS_KEY_BYTES]){0}, NULL), 0);
}

static void test_key_fingerprint_is_four_groups_of_hex(void **state)
{
    (void)state;
    uint8_t key[MS_KEY_BYTES];
    for (int i = 0; i < MS_KEY_BYTES; i++)
        key[i] = (uint8_t)i;
    char fingerprint[MS_FINGERPRINT_BYTES];
    memset(fingerprint, 'X', sizeof fingerprint);
    ms_key_fingerprint(key, fingerprint);
    assert_int_equal(strlen(fingerprint), 19);
    for (int i = 0; i < 19; i++) {
        if (i == 4 || i == 9 || i == 14)
            assert_int_equal(fingerprint[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", fingerprint[i]));
    }
    //  BLAKE2b with an 8-byte output, in four groups.
    uint8_t digest[8];
    crypto_generichash(digest, sizeof digest, key, sizeof key, NULL, 0);
    char expected[MS_FINGERPRINT_BYTES];
    snprintf(expected, sizeof expected, "%02x%02x-%02x%02x-%02x%02x-%02x%02x", digest[0], digest[1],
             digest[2], digest[3], digest[4], digest[5], digest[6], digest[7]);
    assert_string_equal(fingerprint, expected);

    char other[MS_FINGERPRINT_BYTES];
    key[31] ^= 1;
    ms_key_fingerprint(key, other);
    assert_string_not_equal(fingerprint, other);
}

static void test_curve_keys_derive_from_the_signing_key(void **state)
{
    (void)state;
    ms_keypair_t *keypair = NULL;
    ms_error_t err = {0};
    assert_int_equal(ms_keypair_new(&keypair, &err), 0);
    uint8_t curve_public[MS_CURVE_KEY_BYTES], curve_secret[MS_CURVE_KEY_BYTES];
    uint8_t from_public[MS_CURVE_KEY_BYTES], computed[MS_CURVE_KEY_BYTES];
    assert_int_equal(ms_keypair_curve(keypair, curve_public, curve_secret, &err), 0);
    assert_int_equal(crypto_scalarmult_base(computed, curve_secret), 0);
    assert_memory_equal(computed, curve_public, MS_CURVE_KEY_BYTES);
    assert_int_equal(ms_key_curve_public(ms_keypair_public(keypair), from_public, &err), 0);
    assert_memory_equal(from_public, curve_public, MS_CURVE_KEY_BYTES);
    sodium_memzero(curve_secret, sizeof curve_secret);
    ms_keypair_destroy(&keypair);
}

static void test_curve_key_refuses_small_order_point(void **state)
{
    (void)state;
    uint8_t identity[MS_KEY_BYTES] = {1};  //  the neutral point: order 1
    uint8_t curve_public[MS_CURVE_KEY_BYTES];
    ms_error_t err = {0};
    assert_int_equal(ms_key_curve_public(identity, curve_public, &err), MS_ECRYPTO);
    assert_int_equal(err.code, MS_ECRYPTO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_file_roundtrip_signs_the_same, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test(test_key_pairs_are_new_each_time),
        cmocka_unit_test_setup_teardown(test_key_save_refuses_to_overwrite, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_key_load_refuses_group_readable_file, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_key_load_refuses_other_readable_file, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_key_load_refuses_group_writable_file, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_key_load_accepts_owner_read_only_file, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_key_load_refuses_garbage_and_short_files,
                                        ms_tmpdir_setup, ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_key_load_accepts_seed_without_newline, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_key_load_reports_missing_file, ms_tmpdir_setup,
                                        ms_tmpdir_teardown),
        cmocka_unit_test(test_key_hex_roundtrip),
        cmocka_unit_test(test_key_hex_refuses_wrong_length_and_digits),
        cmocka_unit_test(test_key_fingerprint_is_four_groups_of_hex),
        cmocka_unit_test(test_curve_keys_derive_from_the_signing_key),
        cmocka_unit_test(test_curve_key_refuses_small_order_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
