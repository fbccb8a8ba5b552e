/* The simulators' PBOC crypto (pboc.h) against known answers. Where the expected bytes come
 * from:
 *  - DES: FIPS 81's example, "Now is the time for all " under 0123456789ABCDEF (ECB);
 *  - the load (圈存) worked example published on Chinese smart-card pages ("基于PBOC的电子钱包
 *    的圈存过程"): load key 11223344556677888877665544332211, random 11223344, online serial
 *    0000, balance 0, amount 00001000, type 01, terminal 001122334455, 2011-12-21 21:48:22
 *    -> session key 9B1D924E05595603, MAC1 2988AE5A, MAC2 3A845BF0;
 *  - the diversified keys and a TAC: worked out independently with `openssl enc
 *    -des-ede-ecb` / `-des-cbc -iv 0` on the padded data (no published example was found). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pboc.h"

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    assert_int_equal(strlen(hex), 2 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char c = hex[2 * i + (size_t)j];
            v = v << 4 | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        out[i] = (uint8_t)v;
    }
}

#define assert_hex(bytes, n, hex)                                                                  \
    do {                                                                                           \
        uint8_t want_[64];                                                                         \
        unhex(hex, want_, n);                                                                      \
        assert_memory_equal(bytes, want_, n);                                                      \
    } while (0)

static void test_des_fips81(void **state)
{
    (void)state;
    uint8_t key[8], out[8];
    const char *text = "Now is the time for all ";
    const char *want[3] = {"3FA40E8A984D4815", "6A271787AB8883F9", "893D51EC4B563B53"};
    unhex("0123456789ABCDEF", key, 8);
    for (int i = 0; i < 3; i++) {
        pboc_des_encrypt(key, (const uint8_t *)text + 8 * i, out);
        assert_hex(out, 8, want[i]);
    }
}

static void test_key_hex(void **state)
{
    (void)state;
    uint8_t k[16], keep[16];
    assert_int_equal(pboc_key_hex(PBOC_TEST_MLK, k), 0);
    assert_hex(k, 16, "11223344556677888877665544332211");
    assert_int_equal(pboc_key_hex("a1a2a3a4a5a6a7a8b1b2b3b4b5b6b7b8", k), 0);
    assert_hex(k, 16, PBOC_TEST_MTK);
    memcpy(keep, k, 16);
    assert_int_equal(pboc_key_hex("A1A2A3A4A5A6A7A8B1B2B3B4B5B6B7B", k), -1);   /* 31 */
    assert_int_equal(pboc_key_hex("A1A2A3A4A5A6A7A8B1B2B3B4B5B6B7B80", k), -1); /* 33 */
    assert_int_equal(pboc_key_hex("A1A2A3A4A5A6A7A8B1B2B3B4B5B6B7G8", k), -1);
    assert_int_equal(pboc_key_hex("", k), -1);
    assert_int_equal(pboc_key_hex(NULL, k), -1);
    assert_memory_equal(k, keep, 16); /* nothing written on a refusal */
}

static void test_pad_m2(void **state)
{
    (void)state;
    uint8_t buf[32];
    const uint8_t eight[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    /* exactly 8 bytes: a whole extra block */
    assert_int_equal(pboc_pad_m2(eight, 8, buf, sizeof buf), 16);
    assert_memory_equal(buf, eight, 8);
    assert_hex(buf + 8, 8, "8000000000000000");
    /* 7 bytes: one block, 80 last */
    assert_int_equal(pboc_pad_m2(eight, 7, buf, sizeof buf), 8);
    assert_hex(buf, 8, "0102030405060780");
    /* nothing: one block 80 00 .. 00 */
    assert_int_equal(pboc_pad_m2(NULL, 0, buf, sizeof buf), 8);
    assert_hex(buf, 8, "8000000000000000");
    /* 15 bytes: 16 */
    assert_int_equal(pboc_pad_m2(buf, 15, buf, sizeof buf), 16);
    assert_int_equal(buf[15], 0x80);
    /* no room */
    assert_int_equal(pboc_pad_m2(eight, 8, buf, 15), 0);
}

static void test_mac_padding(void **state)
{
    (void)state;
    uint8_t key[8], data[8], mac[4], b1[8], b2[8];
    unhex("0123456789ABCDEF", key, 8);
    unhex("0123456789ABCDEF", data, 8);
    /* 8 bytes of data: DES(DES(data) XOR 80 00 .. 00), left 4 bytes */
    pboc_des_mac(key, data, 8, mac);
    assert_hex(mac, 4, "3D626F27");
    pboc_des_encrypt(key, data, b1);
    b1[0] ^= 0x80;
    pboc_des_encrypt(key, b1, b2);
    assert_memory_equal(mac, b2, 4);
    /* 7 bytes: one block only, 80 in the last byte */
    uint8_t seven[8];
    memcpy(seven, data, 7);
    seven[7] = 0x80;
    pboc_des_encrypt(key, seven, b1);
    pboc_des_mac(key, data, 7, mac);
    assert_memory_equal(mac, b1, 4);
}

/* The published 圈存 example, byte for byte. */
static void test_load_worked_example(void **state)
{
    (void)state;
    uint8_t dlk[16], random[4], term[6], date[4], time[3], sk[8], mac[4];
    unhex("11223344556677888877665544332211", dlk, 16);
    unhex("11223344", random, 4);
    unhex("001122334455", term, 6);
    unhex("20111221", date, 4);
    unhex("214822", time, 3);
    pboc_session_key(dlk, random, 0x0000, sk);
    assert_hex(sk, 8, "9B1D924E05595603");
    pboc_mac1(sk, 0, 0x1000, 0x01, term, mac);
    assert_hex(mac, 4, "2988AE5A");
    pboc_mac2(sk, 0x1000, 0x01, term, date, time, mac);
    assert_hex(mac, 4, "3A845BF0");
}

static void test_diversify(void **state)
{
    (void)state;
    uint8_t mlk[16], mtk[16], dlk[16], dtk[16];
    assert_int_equal(pboc_key_hex(PBOC_TEST_MLK, mlk), 0);
    assert_int_equal(pboc_key_hex(PBOC_TEST_MTK, mtk), 0);
    assert_int_equal(pboc_diversify(mlk, "1000113300002001", dlk), 0);
    assert_hex(dlk, 16, "7CE1FF587AB9236E1FCCF54B27C9AB11");
    assert_int_equal(pboc_diversify(mtk, "1000113300002001", dtk), 0);
    assert_hex(dtk, 16, "79B4B8FF65C8DD3A478D38A8C643F7E7");
    assert_int_equal(pboc_diversify(mlk, "100011330000200", dlk), -1);
    assert_int_equal(pboc_diversify(mlk, "10001133000020011", dlk), -1);
    assert_int_equal(pboc_diversify(mlk, "100011330000200A", dlk), -1);
    assert_int_equal(pboc_diversify(mlk, NULL, dlk), -1);
}

static void test_tac(void **state)
{
    (void)state;
    uint8_t mtk[16], dtk[16], term[6], date[4], time[3], tac[4];
    assert_int_equal(pboc_key_hex(PBOC_TEST_MTK, mtk), 0);
    assert_int_equal(pboc_diversify(mtk, "1000113300002001", dtk), 0);
    unhex("000000000001", term, 6);
    unhex("20261130", date, 4);
    unhex("141503", time, 3);
    /* 8800 on the chip, 20000 loaded at online serial 0 */
    pboc_tac(dtk, 28800, 0, 20000, 0x02, term, date, time, tac);
    assert_hex(tac, 4, "E1C0D6A0");
}

/* The card and the host compute the same MACs from what each holds: the card from its DLK,
 * the host from the master key and the card number. */
static void test_round_trip(void **state)
{
    (void)state;
    const char *card_no = "1000113300005678";
    uint8_t mlk[16], card_dlk[16], host_dlk[16], random[4] = {0xA5, 0x5A, 0x01, 0xFE};
    uint8_t term[6] = {0, 0, 0, 0, 0, 0x09}, date[4] = {0x20, 0x26, 0x11, 0x30};
    uint8_t time[3] = {0x14, 0x15, 0x03};
    uint8_t card_sk[8], host_sk[8], mac1[4], host_mac1[4], mac2[4], card_mac2[4];
    assert_int_equal(pboc_key_hex(PBOC_TEST_MLK, mlk), 0);
    assert_int_equal(pboc_diversify(mlk, card_no, card_dlk), 0);

    /* card: INITIALIZE FOR LOAD */
    pboc_session_key(card_dlk, random, 41, card_sk);
    pboc_mac1(card_sk, 2000, 30000, 0x02, term, mac1);
    /* host: check MAC1, give MAC2 */
    assert_int_equal(pboc_diversify(mlk, card_no, host_dlk), 0);
    pboc_session_key(host_dlk, random, 41, host_sk);
    pboc_mac1(host_sk, 2000, 30000, 0x02, term, host_mac1);
    assert_memory_equal(mac1, host_mac1, 4);
    pboc_mac2(host_sk, 30000, 0x02, term, date, time, mac2);
    /* card: CREDIT FOR LOAD checks MAC2 */
    pboc_mac2(card_sk, 30000, 0x02, term, date, time, card_mac2);
    assert_memory_equal(mac2, card_mac2, 4);

    /* anything else changed: another MAC */
    pboc_mac1(host_sk, 2000, 30001, 0x02, term, host_mac1);
    assert_memory_not_equal(mac1, host_mac1, 4);
    pboc_session_key(host_dlk, random, 42, host_sk);
    pboc_mac1(host_sk, 2000, 30000, 0x02, term, host_mac1);
    assert_memory_not_equal(mac1, host_mac1, 4);
    assert_int_equal(pboc_diversify(mlk, "1000113300005679", host_dlk), 0);
    assert_memory_not_equal(card_dlk, host_dlk, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_des_fips81),
        cmocka_unit_test(test_key_hex),
        cmocka_unit_test(test_pad_m2),
        cmocka_unit_test(test_mac_padding),
        cmocka_unit_test(test_load_worked_example),
        cmocka_unit_test(test_diversify),
        cmocka_unit_test(test_tac),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
