/* PBOC e-purse load cryptography, for the simulators only (the virtual card and the backend
 * simulator; the kiosk holds no card key). reference.md section 5: DES/3DES from nettle,
 * MACs with ISO 9797-1 padding method 2 (always 0x80, then zeros) and a zero IV, the left
 * 4 bytes kept.
 *
 * Keys: each card's load key (DLK) and TAC key (DTK) are diversified from a master key and
 * the card number; the test master keys are PBOC_TEST_MLK and PBOC_TEST_MTK. */
#ifndef SIM_CARD_PBOC_H
#define SIM_CARD_PBOC_H

#include <stddef.h>
#include <stdint.h>

#define PBOC_TEST_MLK "11223344556677888877665544332211"
#define PBOC_TEST_MTK "A1A2A3A4A5A6A7A8B1B2B3B4B5B6B7B8"

/* 32 hex digits into 16 bytes: 0, or -1 when it is not that. */
int pboc_key_hex(const char *hex, uint8_t key[16]);

/* A card key diversified from master key `master` and the 16-digit card number:
 * left = 3DES(master, D), right = 3DES(master, ~D), D = the card number's last 16 digits as
 * 8 BCD bytes. -1 when card_no is not 16 digits. */
int pboc_diversify(const uint8_t master[16], const char *card_no, uint8_t out[16]);

/* The load session key: 3DES(DLK, random(4) || online serial(2, big-endian) || 80 00). */
void pboc_session_key(const uint8_t dlk[16], const uint8_t random[4], uint16_t online_serial,
                      uint8_t sk[8]);

/* MAC1 = MAC(sk, old balance(4) || amount(4) || type(1) || terminal id(6)); type 0x02 for
 * an e-purse load (0x01 e-deposit). Amounts and balances are fen, big-endian. */
void pboc_mac1(const uint8_t sk[8], uint32_t old_balance, uint32_t amount, uint8_t type,
               const uint8_t term_id[6], uint8_t mac[4]);
/* MAC2 = MAC(sk, amount(4) || type(1) || terminal id(6) || date(4 BCD) || time(3 BCD)). */
void pboc_mac2(const uint8_t sk[8], uint32_t amount, uint8_t type, const uint8_t term_id[6],
               const uint8_t date[4], const uint8_t time[3], uint8_t mac[4]);
/* TAC = MAC(DTK left XOR DTK right, new balance(4) || online serial before the load(2) ||
 * amount(4) || type(1) || terminal id(6) || date(4) || time(3)). */
void pboc_tac(const uint8_t dtk[16], uint32_t new_balance, uint16_t online_serial,
              uint32_t amount, uint8_t type, const uint8_t term_id[6], const uint8_t date[4],
              const uint8_t time[3], uint8_t mac[4]);

/* The single-DES CBC MAC under `key` (8 bytes) of data (n bytes), padded by ISO 9797-1
 * method 2, IV zero, left 4 bytes. */
void pboc_des_mac(const uint8_t key[8], const uint8_t *data, size_t n, uint8_t mac[4]);

/* ---- added for the tests and the virtual card ---- */

/* One 8-byte block under single DES (key 8 bytes), ECB. */
void pboc_des_encrypt(const uint8_t key[8], const uint8_t in[8], uint8_t out[8]);
/* One 8-byte block under 2-key 3DES EDE (key K1 K2, used as K1 K2 K1), ECB. */
void pboc_3des_encrypt(const uint8_t key[16], const uint8_t in[8], uint8_t out[8]);
/* ISO 9797-1 padding method 2 of data (n bytes) into out (cap bytes): data, 0x80, then zeros
 * up to a multiple of 8 (8 bytes of data get a whole block 80 00 .. 00). The padded length,
 * or 0 when cap is too small. */
size_t pboc_pad_m2(const uint8_t *data, size_t n, uint8_t *out, size_t cap);

#endif
