#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/sign.h"

static const char *key_hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static void sign_and_verify(void **state)
{
    (void)state;
    uint8_t key[SIGN_KEY_LEN];
    char sig[SIGN_HEX_LEN];
    assert_int_equal(sign_init(), 0);
    assert_int_equal(sign_key_from_hex(key_hex, key), 0);
    const char *body = "{\"a\":1}";
    sign_request(key, "POST", "/v1/orders", 1790000000, body, strlen(body), sig);
    assert_int_equal(strlen(sig), 64);
    assert_true(sign_verify(key, "POST", "/v1/orders", 1790000000, body, strlen(body), sig));
    /* Any change to method, path, time or body breaks it. */
    assert_false(sign_verify(key, "PUT", "/v1/orders", 1790000000, body, strlen(body), sig));
    assert_false(sign_verify(key, "POST", "/v1/order", 1790000000, body, strlen(body), sig));
    assert_false(sign_verify(key, "POST", "/v1/orders", 1790000001, body, strlen(body), sig));
    assert_false(sign_verify(key, "POST", "/v1/orders", 1790000000, "{}", 2, sig));
    assert_false(sign_verify(key, "POST", "/v1/orders", 1790000000, body, strlen(body), "zz"));
    assert_false(sign_verify(key, "POST", "/v1/orders", 1790000000, body, strlen(body), NULL));
}

static void known_sha256(void **state)
{
    (void)state;
    char h[SIGN_HEX_LEN];
    sign_sha256_hex("", 0, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void bad_keys(void **state)
{
    (void)state;
    uint8_t key[SIGN_KEY_LEN];
    assert_int_equal(sign_key_from_hex("abcd", key), -1);
    assert_int_equal(sign_key_from_hex(NULL, key), -1);
    char bad[65];
    memset(bad, 'g', 64);
    bad[64] = '\0';
    assert_int_equal(sign_key_from_hex(bad, key), -1);
}

static void random_and_wipe(void **state)
{
    (void)state;
    char a[33], b[33];
    sign_random_hex(a, 16);
    sign_random_hex(b, 16);
    assert_int_equal(strlen(a), 32);
    assert_string_not_equal(a, b);
    char pin[8] = "123456";
    sign_wipe(pin, sizeof pin);
    for (size_t i = 0; i < sizeof pin; i++)
        assert_int_equal(pin[i], 0);
}

/* RFC 8032, section 7.1, test 1 (the empty message). */
static void ed25519_rfc8032(void **state)
{
    (void)state;
    uint8_t seed[32], pk[SIGN_ED_PK_LEN], sk[SIGN_ED_SK_LEN], sig[SIGN_ED_SIG_LEN], want[32];
    assert_int_equal(sign_hex_to_bin("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                                     seed, sizeof seed), 0);
    sign_ed25519_seed_keypair(seed, pk, sk);
    assert_int_equal(sign_hex_to_bin("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                                     want, sizeof want), 0);
    assert_memory_equal(pk, want, 32);
    sign_ed25519_sign(sk, "", 0, sig);
    const char *sig_hex = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb882"
                          "1590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    const char *pk_hex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    uint8_t wsig[64];
    assert_int_equal(sign_hex_to_bin(sig_hex, wsig, sizeof wsig), 0);
    assert_memory_equal(sig, wsig, 64);
    assert_int_equal(sign_ed25519_verify(pk, "", 0, sig), 1);
    assert_int_equal(sign_ed25519_verify_hex(pk_hex, "", 0, sig_hex), 1);
    assert_int_equal(sign_ed25519_verify_hex(pk_hex, "x", 1, sig_hex), 0);
    assert_int_equal(sign_ed25519_verify_hex(pk_hex, "", 0, "00"), 0);
    assert_int_equal(sign_ed25519_verify_hex("zz", "", 0, sig_hex), 0);
    assert_int_equal(sign_ed25519_verify_hex(NULL, "", 0, sig_hex), 0);
    sig[10] ^= 1;
    assert_int_equal(sign_ed25519_verify(pk, "", 0, sig), 0);
}

static void sha256_in_pieces(void **state)
{
    (void)state;
    struct sign_sha256 s;
    char hex[SIGN_HEX_LEN];
    sign_sha256_init(&s);
    sign_sha256_update(&s, "a", 1);
    sign_sha256_update(&s, NULL, 0);
    sign_sha256_update(&s, "bc", 2);
    sign_sha256_final_hex(&s, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sign_and_verify),
        cmocka_unit_test(known_sha256),
        cmocka_unit_test(bad_keys),
        cmocka_unit_test(random_and_wipe),
        cmocka_unit_test(ed25519_rfc8032),
        cmocka_unit_test(sha256_in_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
