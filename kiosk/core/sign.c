#include "core/sign.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sign_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

int sign_hex_to_bin(const char *hex, uint8_t *out, size_t n)
{
    size_t got = 0;
    if (!hex || strlen(hex) != n * 2)
        return -1;
    if (sodium_hex2bin(out, n, hex, n * 2, NULL, &got, NULL) != 0 || got != n)
        return -1;
    return 0;
}

void sign_bin_to_hex(const uint8_t *in, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, in, n);
}

int sign_key_from_hex(const char *hex, uint8_t key[SIGN_KEY_LEN])
{
    return sign_hex_to_bin(hex, key, SIGN_KEY_LEN);
}

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((struct sign_sha256 *)0)->opaque),
               "struct sign_sha256 holds libsodium's state");

void sign_sha256_init(struct sign_sha256 *s)
{
    crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)s->opaque);
}

void sign_sha256_update(struct sign_sha256 *s, const void *data, size_t len)
{
    if (len)
        crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)s->opaque, data, len);
}

void sign_sha256_final_hex(struct sign_sha256 *s, char out[SIGN_HEX_LEN])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final((crypto_hash_sha256_state *)(void *)s->opaque, h);
    sodium_bin2hex(out, SIGN_HEX_LEN, h, sizeof h);
}

int sign_ed25519_verify(const uint8_t pk[SIGN_ED_PK_LEN], const void *msg, size_t n,
                        const uint8_t sig[SIGN_ED_SIG_LEN])
{
    if (sign_init() != 0)
        return 0;
    return crypto_sign_verify_detached(sig, msg ? msg : (const void *)"", n, pk) == 0;
}

void sign_ed25519_sign(const uint8_t sk[SIGN_ED_SK_LEN], const void *msg, size_t n,
                       uint8_t sig[SIGN_ED_SIG_LEN])
{
    sign_init();
    crypto_sign_detached(sig, NULL, msg ? msg : (const void *)"", n, sk);
}

void sign_ed25519_seed_keypair(const uint8_t seed[32], uint8_t pk[SIGN_ED_PK_LEN],
                               uint8_t sk[SIGN_ED_SK_LEN])
{
    sign_init();
    crypto_sign_seed_keypair(pk, sk, seed);
}

int sign_ed25519_verify_hex(const char *pk_hex, const void *msg, size_t n, const char *sig_hex)
{
    uint8_t pk[SIGN_ED_PK_LEN], sig[SIGN_ED_SIG_LEN];
    if (!pk_hex || !sig_hex || sign_hex_to_bin(pk_hex, pk, sizeof pk) != 0 ||
        sign_hex_to_bin(sig_hex, sig, sizeof sig) != 0)
        return 0;
    return sign_ed25519_verify(pk, msg, n, sig);
}

void sign_sha256_hex(const void *data, size_t len, char out[SIGN_HEX_LEN])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data ? data : (const void *)"", len);
    sodium_bin2hex(out, SIGN_HEX_LEN, h, sizeof h);
}

static void mac(const uint8_t key[SIGN_KEY_LEN], const char *method, const char *path,
                int64_t ts, const void *body, size_t body_len, uint8_t out[32])
{
    char bh[SIGN_HEX_LEN], tsb[24];
    crypto_auth_hmacsha256_state st;
    sign_sha256_hex(body, body_len, bh);
    snprintf(tsb, sizeof tsb, "%lld", (long long)ts);
    crypto_auth_hmacsha256_init(&st, key, SIGN_KEY_LEN);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)method, strlen(method));
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)path, strlen(path));
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)tsb, strlen(tsb));
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)bh, 64);
    crypto_auth_hmacsha256_final(&st, out);
}

void sign_request(const uint8_t key[SIGN_KEY_LEN], const char *method, const char *path,
                  int64_t ts, const void *body, size_t body_len, char out[SIGN_HEX_LEN])
{
    uint8_t m[32];
    mac(key, method, path, ts, body, body_len, m);
    sodium_bin2hex(out, SIGN_HEX_LEN, m, sizeof m);
}

int sign_verify(const uint8_t key[SIGN_KEY_LEN], const char *method, const char *path, int64_t ts,
                const void *body, size_t body_len, const char *sig_hex)
{
    uint8_t m[32], got[32];
    size_t n = 0;
    if (!sig_hex || strlen(sig_hex) != 64 ||
        sodium_hex2bin(got, sizeof got, sig_hex, 64, NULL, &n, NULL) != 0 || n != 32)
        return 0;
    mac(key, method, path, ts, body, body_len, m);
    return sodium_memcmp(m, got, 32) == 0;
}

void sign_random_hex(char *out, size_t n)
{
    uint8_t buf[64];
    if (n > sizeof buf)
        n = sizeof buf;
    randombytes_buf(buf, n);
    sodium_bin2hex(out, n * 2 + 1, buf, n);
}

void sign_random_token(char *out, size_t len)
{
    static const char letters[] = "abcdefghijkmnpqrstuvwxyzABCDEFGH"; /* 32, no digits */
    for (size_t i = 0; i < len; i++)
        out[i] = letters[randombytes_uniform(32)];
    out[len] = '\0';
}

void sign_wipe(void *p, size_t n)
{
    sodium_memzero(p, n);
}

void sign_hmac_hex(const uint8_t key[SIGN_KEY_LEN], const void *data, size_t len,
                   char out[SIGN_HEX_LEN])
{
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    sign_init();
    crypto_auth_hmacsha256_init(&st, key, SIGN_KEY_LEN);
    crypto_auth_hmacsha256_update(&st, data, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, SIGN_HEX_LEN, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}

char *sign_base64(const void *data, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(cap);
    if (out)
        sodium_bin2base64(out, cap, data, len, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

/* The most memory a verifier may ask for: a kiosk has little to spare. */
#define PIN_MEMLIMIT_MAX (64u * 1024 * 1024)

int sign_pin_check(const char *verifier, const char *pin)
{
    const char *prefix = "$argon2id$";
    if (!verifier || strncmp(verifier, prefix, strlen(prefix)) != 0 ||
        strlen(verifier) >= crypto_pwhash_STRBYTES)
        return -1;
    /* m=<KiB> in the verifier's parameters. */
    const char *m = strstr(verifier, "$m=");
    if (!m)
        return -1;
    unsigned long kib = strtoul(m + 3, NULL, 10);
    if (kib == 0 || kib > PIN_MEMLIMIT_MAX / 1024)
        return -1;
    return crypto_pwhash_str_verify(verifier, pin, strlen(pin)) == 0 ? 1 : 0;
}
