/* PBOC e-purse load cryptography for the simulators (pboc.h). nettle does the DES; this file
 * only lays out the data and chains the blocks. */
#include "pboc.h"

#include <string.h>

#include <nettle/des.h>

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int pboc_key_hex(const char *hex, uint8_t key[16])
{
    uint8_t k[16];
    if (!hex || strlen(hex) != 32)
        return -1;
    for (int i = 0; i < 16; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        k[i] = (uint8_t)(hi << 4 | lo);
    }
    memcpy(key, k, sizeof k);
    return 0;
}

void pboc_des_encrypt(const uint8_t key[8], const uint8_t in[8], uint8_t out[8])
{
    struct des_ctx ctx;
    /* nettle ignores the parity bits; its return value only flags the four weak keys,
     * which it still sets up (a session key can be one by chance, as on a real card). */
    (void)des_set_key(&ctx, key);
    des_encrypt(&ctx, DES_BLOCK_SIZE, out, in);
    memset(&ctx, 0, sizeof ctx);
}

void pboc_3des_encrypt(const uint8_t key[16], const uint8_t in[8], uint8_t out[8])
{
    uint8_t k3[DES3_KEY_SIZE];
    struct des3_ctx ctx;
    memcpy(k3, key, 16);
    memcpy(k3 + 16, key, 8); /* 2-key EDE: K1 K2 K1 */
    (void)des3_set_key(&ctx, k3);
    des3_encrypt(&ctx, DES3_BLOCK_SIZE, out, in);
    memset(&ctx, 0, sizeof ctx);
    memset(k3, 0, sizeof k3);
}

size_t pboc_pad_m2(const uint8_t *data, size_t n, uint8_t *out, size_t cap)
{
    size_t padded = (n / 8 + 1) * 8;
    if (padded > cap)
        return 0;
    if (n)
        memmove(out, data, n);
    out[n] = 0x80;
    memset(out + n + 1, 0, padded - n - 1);
    return padded;
}

void pboc_des_mac(const uint8_t key[8], const uint8_t *data, size_t n, uint8_t mac[4])
{
    struct des_ctx ctx;
    uint8_t chain[8] = {0}; /* IV zero */
    size_t fill = 0;
    (void)des_set_key(&ctx, key);
    for (size_t i = 0; i < n; i++) {
        chain[fill++] ^= data[i];
        if (fill == 8) {
            des_encrypt(&ctx, 8, chain, chain);
            fill = 0;
        }
    }
    chain[fill] ^= 0x80; /* method 2: 80 then zeros (XOR with zero changes nothing) */
    des_encrypt(&ctx, 8, chain, chain);
    memcpy(mac, chain, 4);
    memset(&ctx, 0, sizeof ctx);
    memset(chain, 0, sizeof chain);
}

int pboc_diversify(const uint8_t master[16], const char *card_no, uint8_t out[16])
{
    uint8_t d[8], nd[8];
    if (!card_no || strlen(card_no) != 16)
        return -1;
    for (int i = 0; i < 16; i++)
        if (card_no[i] < '0' || card_no[i] > '9')
            return -1;
    for (int i = 0; i < 8; i++) {
        d[i] = (uint8_t)((card_no[2 * i] - '0') << 4 | (card_no[2 * i + 1] - '0'));
        nd[i] = (uint8_t)~d[i];
    }
    pboc_3des_encrypt(master, d, out);
    pboc_3des_encrypt(master, nd, out + 8);
    return 0;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void pboc_session_key(const uint8_t dlk[16], const uint8_t random[4], uint16_t online_serial,
                      uint8_t sk[8])
{
    uint8_t in[8];
    memcpy(in, random, 4);
    in[4] = (uint8_t)(online_serial >> 8);
    in[5] = (uint8_t)online_serial;
    in[6] = 0x80;
    in[7] = 0x00;
    pboc_3des_encrypt(dlk, in, sk);
}

void pboc_mac1(const uint8_t sk[8], uint32_t old_balance, uint32_t amount, uint8_t type,
               const uint8_t term_id[6], uint8_t mac[4])
{
    uint8_t in[15];
    put_u32(in, old_balance);
    put_u32(in + 4, amount);
    in[8] = type;
    memcpy(in + 9, term_id, 6);
    pboc_des_mac(sk, in, sizeof in, mac);
}

void pboc_mac2(const uint8_t sk[8], uint32_t amount, uint8_t type, const uint8_t term_id[6],
               const uint8_t date[4], const uint8_t time[3], uint8_t mac[4])
{
    uint8_t in[18];
    put_u32(in, amount);
    in[4] = type;
    memcpy(in + 5, term_id, 6);
    memcpy(in + 11, date, 4);
    memcpy(in + 15, time, 3);
    pboc_des_mac(sk, in, sizeof in, mac);
}

void pboc_tac(const uint8_t dtk[16], uint32_t new_balance, uint16_t online_serial, uint32_t amount,
              uint8_t type, const uint8_t term_id[6], const uint8_t date[4], const uint8_t time[3],
              uint8_t mac[4])
{
    uint8_t key[8], in[24];
    for (int i = 0; i < 8; i++)
        key[i] = dtk[i] ^ dtk[8 + i];
    put_u32(in, new_balance);
    in[4] = (uint8_t)(online_serial >> 8);
    in[5] = (uint8_t)online_serial;
    put_u32(in + 6, amount);
    in[10] = type;
    memcpy(in + 11, term_id, 6);
    memcpy(in + 17, date, 4);
    memcpy(in + 21, time, 3);
    pboc_des_mac(key, in, sizeof in, mac);
    memset(key, 0, sizeof key);
}
