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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sign_and_verify),
        cmocka_unit_test(known_sha256),
        cmocka_unit_test(bad_keys),
        cmocka_unit_test(random_and_wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
