/* Request signing shared by the kiosk's backend client and the backend simulator, and the
 * Ed25519 signatures of what operations push (config, prices, update bundles). The only
 * module that uses libsodium.
 *
 * signature = hex(HMAC-SHA256(key, METHOD "\n" PATH "\n" TIMESTAMP "\n" hex(SHA256(body))))
 * PATH includes the query string; TIMESTAMP is decimal Unix seconds; an empty body hashes
 * the empty string. Keys are 32 bytes, written as 64 hex characters in config. */
#ifndef KIOSK_CORE_SIGN_H
#define KIOSK_CORE_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define SIGN_KEY_LEN 32
#define SIGN_HEX_LEN 65 /* 64 hex characters + NUL */

/* Initialises libsodium once; 0 or -1. Thread-safe. */
int sign_init(void);
/* Parses 64 hex characters into key. 0 or -1 (wrong length or not hex). */
int sign_key_from_hex(const char *hex, uint8_t key[SIGN_KEY_LEN]);
/* Parses exactly 2n hex characters into n bytes. 0 or -1 (wrong length or not hex). */
int sign_hex_to_bin(const char *hex, uint8_t *out, size_t n);
/* n bytes as 2n lowercase hex characters + NUL into out (size >= 2n + 1). */
void sign_bin_to_hex(const uint8_t *in, size_t n, char *out);
/* Writes the request signature (64 hex + NUL) into out. */
void sign_request(const uint8_t key[SIGN_KEY_LEN], const char *method, const char *path,
                  int64_t timestamp, const void *body, size_t body_len, char out[SIGN_HEX_LEN]);
/* Constant-time check of a received signature; 1 if it matches, else 0. */
int sign_verify(const uint8_t key[SIGN_KEY_LEN], const char *method, const char *path,
                int64_t timestamp, const void *body, size_t body_len, const char *sig_hex);
/* hex(SHA256(data)) into out (64 hex + NUL). */
void sign_sha256_hex(const void *data, size_t len, char out[SIGN_HEX_LEN]);
/* hex(HMAC-SHA256(key, data)) into out (64 hex + NUL): a proof of a private value (an ID
 * number) that is never sent itself. */
void sign_hmac_hex(const uint8_t key[SIGN_KEY_LEN], const void *data, size_t len,
                   char out[SIGN_HEX_LEN]);
/* Standard base64 (RFC 4648, padded) of data: malloc'd and NUL-terminated, or NULL (no
 * memory). The caller frees (and wipes, when data was private). */
char *sign_base64(const void *data, size_t len);
/* Random bytes as hex (2*n characters + NUL into out of size >= 2n+1): idempotency keys. */
void sign_random_hex(char *out, size_t n);
/* `len` random letters (5 bits each) + NUL into out (size >= len + 1): unguessable tokens
 * that never look like a number (e-invoice links). */
void sign_random_token(char *out, size_t len);
/* SHA-256 over data that comes in pieces (a downloaded file). */
struct sign_sha256 {
    _Alignas(16) unsigned char opaque[128];
};
void sign_sha256_init(struct sign_sha256 *s);
void sign_sha256_update(struct sign_sha256 *s, const void *data, size_t len);
void sign_sha256_final_hex(struct sign_sha256 *s, char out[SIGN_HEX_LEN]);

/* Ed25519 (RFC 8032, pure): operations sign what they push; the kiosk holds the public key
 * only. Keys and signatures travel as hex: a public key 64 characters, a signature 128. */
#define SIGN_ED_PK_LEN 32
#define SIGN_ED_SK_LEN 64
#define SIGN_ED_SIG_LEN 64
/* 1 when sig is pk's signature of msg, else 0. */
int sign_ed25519_verify(const uint8_t pk[SIGN_ED_PK_LEN], const void *msg, size_t n,
                        const uint8_t sig[SIGN_ED_SIG_LEN]);
/* Signs msg (tools and the simulators: the kiosk signs nothing). */
void sign_ed25519_sign(const uint8_t sk[SIGN_ED_SK_LEN], const void *msg, size_t n,
                       uint8_t sig[SIGN_ED_SIG_LEN]);
/* The key pair of a 32-byte seed (fixed seeds make the test keys). */
void sign_ed25519_seed_keypair(const uint8_t seed[32], uint8_t pk[SIGN_ED_PK_LEN],
                               uint8_t sk[SIGN_ED_SK_LEN]);
/* hex(pk)'s signature `sig_hex` (128 hex) of msg: 1 valid, 0 not (a malformed key or
 * signature is not valid). */
int sign_ed25519_verify_hex(const char *pk_hex, const void *msg, size_t n, const char *sig_hex);

/* Overwrites memory in a way the compiler cannot drop (PINs, payment codes, ID numbers). */
void sign_wipe(void *p, size_t n);
/* Checks a PIN against its Argon2id verifier (crypto_pwhash_str's text, as the backend
 * pushes it): 1 it matches, 0 it does not, -1 not a verifier this kiosk accepts (another
 * algorithm, or limits over 64 MiB of memory). Takes tens of milliseconds: never on the UI
 * thread. */
int sign_pin_check(const char *verifier, const char *pin);

#endif
