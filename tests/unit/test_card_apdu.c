/* The fuel card's APDUs (card/apdu.h): every command byte for byte, every answer read on
 * good data, on each error status word, truncated at every length, and on data that makes
 * no sense. Answers are copied into buffers of exactly their length, so a reader that reads
 * past `n` shows under ASan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "apdu.h"

#define RESP_MAX 64
#define NAME_BUF 64

static void expect_apdu(const struct apdu *a, const uint8_t *want, size_t n)
{
    assert_int_equal(a->n, n);
    assert_memory_equal(a->b, want, n);
    for (size_t i = n; i < APDU_MAX; i++)
        assert_int_equal(a->b[i], 0); /* nothing left behind after the command */
}
#define EXPECT_APDU(a, ...)                                                                        \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        expect_apdu(a, want_, sizeof want_);                                                       \
    } while (0)

/* A response: `data` (n bytes) then SW, into a heap buffer of exactly that size. */
static uint8_t *resp(const uint8_t *data, size_t n, int sw, size_t *len)
{
    uint8_t *r = malloc(n + 2);
    assert_non_null(r);
    if (n)
        memcpy(r, data, n);
    r[n] = (uint8_t)(sw >> 8);
    r[n + 1] = (uint8_t)sw;
    *len = n + 2;
    return r;
}

/* ---- every reader behind one signature, for the tests that treat them all alike ---- */

union out {
    struct card_info info;
    char name[NAME_BUF];
    uint32_t fen;
    struct card_init init;
    uint8_t tac[4];
    struct {
        uint8_t mac2[4], tac[4];
    } proof;
    struct card_log log;
};

static enum card_ans rd_info(const uint8_t *r, size_t n, union out *o)
{
    return card_read_info(r, n, &o->info);
}
static enum card_ans rd_holder(const uint8_t *r, size_t n, union out *o)
{
    return card_read_holder(r, n, o->name, sizeof o->name);
}
static enum card_ans rd_balance(const uint8_t *r, size_t n, union out *o)
{
    return card_read_balance(r, n, &o->fen);
}
static enum card_ans rd_init(const uint8_t *r, size_t n, union out *o)
{
    return card_read_init(r, n, &o->init);
}
static enum card_ans rd_tac(const uint8_t *r, size_t n, union out *o)
{
    return card_read_tac(r, n, o->tac);
}
static enum card_ans rd_proof(const uint8_t *r, size_t n, union out *o)
{
    return card_read_proof(r, n, o->proof.mac2, o->proof.tac);
}
static enum card_ans rd_log(const uint8_t *r, size_t n, union out *o)
{
    return card_read_log(r, n, &o->log);
}

/* Good data of each file and answer (the card number is a test number). */
/* clang-format off */
static const uint8_t INFO[32] = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* issuer */
    0x02, 0x01,                                     /* app type, version */
    0x99, 0x99, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, /* card number */
    0x20, 0x24, 0x01, 0x01,                         /* start */
    0x20, 0x29, 0x12, 0x31,                         /* expiry */
    0x01, 0x00,                                     /* personal, active */
    0x00, 0x00, 0x00, 0x00};
static const uint8_t HOLDER[32] = {0xE5, 0xBC, 0xA0, 0xE4, 0xB8, 0x89, /* 张三 */
                                   ' ',  'L',  'i',  ' ',  'S',  'a',  'n'};
static const uint8_t BALANCE[4] = {0x00, 0x01, 0x86, 0xA0}; /* 1000.00 yuan */
static const uint8_t INIT[16] = {0x00, 0x00, 0x27, 0x10, 0x00, 0x07, 0x01, 0x00,
                                 0xA1, 0xB2, 0xC3, 0xD4, 0x29, 0x88, 0xAE, 0x5A};
static const uint8_t TAC[4] = {0x3A, 0x84, 0x5B, 0xF0};
static const uint8_t PROOF[8] = {0x3A, 0x84, 0x5B, 0xF0, 0x11, 0x22, 0x33, 0x44};
static const uint8_t LOG[23] = {0x00, 0x08,                         /* serial */
                                0x00, 0x00, 0x00,                   /* overdraft */
                                0x00, 0x00, 0x13, 0x88,             /* 50.00 yuan */
                                0x02,                               /* load */
                                0x10, 0x00, 0x00, 0x00, 0x00, 0x01, /* terminal */
                                0x20, 0x26, 0x11, 0x23,             /* date */
                                0x14, 0x05, 0x09};                  /* time */
/* clang-format on */

static const struct reader {
    const char *name;
    enum card_ans (*read)(const uint8_t *r, size_t n, union out *o);
    const uint8_t *good;
    size_t len;
} readers[] = {
    {"info", rd_info, INFO, sizeof INFO}, {"holder", rd_holder, HOLDER, sizeof HOLDER},
    {"balance", rd_balance, BALANCE, 4},  {"init", rd_init, INIT, sizeof INIT},
    {"tac", rd_tac, TAC, sizeof TAC},     {"proof", rd_proof, PROOF, sizeof PROOF},
    {"log", rd_log, LOG, sizeof LOG},
};
#define NREADERS (sizeof readers / sizeof readers[0])

/* Runs reader `rd` on data (n bytes) + sw. The output is left as it was unless CA_OK (the
 * holder's name is "" unless CA_OK). */
static enum card_ans run(const struct reader *rd, const uint8_t *data, size_t n, int sw,
                         union out *o)
{
    size_t len;
    uint8_t *r = resp(data, n, sw, &len);
    memset(o, 0xA5, sizeof *o);
    enum card_ans s = rd->read(r, len, o);
    free(r);
    return s;
}

static void expect_untouched(const struct reader *rd, const union out *o)
{
    union out fill;
    memset(&fill, 0xA5, sizeof fill);
    if (rd->read == rd_holder) {
        assert_int_equal(o->name[0], '\0');
        assert_memory_equal(o->name + 1, fill.name + 1, sizeof o->name - 1);
    } else {
        assert_memory_equal(o, &fill, sizeof fill);
    }
}

/* ---- commands ---- */

static void select_by_aid(void **state)
{
    (void)state;
    struct apdu a;
    static const uint8_t aid[] = {0xA0, 0x00, 0x00, 0x00, 0x03, 0x86, 0x98, 0x07, 0x01};
    apdu_select(&a, aid, sizeof aid);
    EXPECT_APDU(&a, 0x00, 0xA4, 0x04, 0x00, 0x09, 0xA0, 0x00, 0x00, 0x00, 0x03, 0x86, 0x98, 0x07,
                0x01, 0x00);
    static const uint8_t aid16[16] = {0xD1, 0x56};
    apdu_select(&a, aid16, 16);
    assert_int_equal(a.n, 22);
    assert_int_equal(a.b[4], 16);
    assert_int_equal(a.b[21], 0x00);
    apdu_select(&a, aid, 5);
    EXPECT_APDU(&a, 0x00, 0xA4, 0x04, 0x00, 0x05, 0xA0, 0x00, 0x00, 0x00, 0x03, 0x00);
    /* no AID of another length: an empty command */
    apdu_select(&a, aid, 4);
    assert_int_equal(a.n, 0);
    apdu_select(&a, aid16, 17);
    assert_int_equal(a.n, 0);
    apdu_select(&a, NULL, 5);
    assert_int_equal(a.n, 0);
}

static void read_binary_of_sfi(void **state)
{
    (void)state;
    struct apdu a;
    apdu_read_binary(&a, CARD_SFI_INFO, 32);
    EXPECT_APDU(&a, 0x00, 0xB0, 0x95, 0x00, 0x20);
    apdu_read_binary(&a, CARD_SFI_HOLDER, 32);
    EXPECT_APDU(&a, 0x00, 0xB0, 0x96, 0x00, 0x20);
    apdu_read_binary(&a, 1, 256);
    EXPECT_APDU(&a, 0x00, 0xB0, 0x81, 0x00, 0x00);
    apdu_read_binary(&a, 30, 1);
    EXPECT_APDU(&a, 0x00, 0xB0, 0x9E, 0x00, 0x01);
    const int bad[][2] = {{0, 32}, {31, 32}, {-1, 32}, {0x15, 0}, {0x15, 257}, {0x15, -1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        apdu_read_binary(&a, bad[i][0], bad[i][1]);
        assert_int_equal(a.n, 0);
    }
}

static void verify_pin_bcd(void **state)
{
    (void)state;
    struct apdu a;
    assert_int_equal(apdu_verify(&a, "123456"), 0);
    EXPECT_APDU(&a, 0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x56);
    assert_int_equal(apdu_verify(&a, "12345"), 0);
    EXPECT_APDU(&a, 0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x5F);
    assert_int_equal(apdu_verify(&a, "0000"), 0);
    EXPECT_APDU(&a, 0x00, 0x20, 0x00, 0x00, 0x02, 0x00, 0x00);
    assert_int_equal(apdu_verify(&a, "9876543210987"), -1);
    assert_int_equal(apdu_verify(&a, "987654321098"), 0);
    EXPECT_APDU(&a, 0x00, 0x20, 0x00, 0x00, 0x06, 0x98, 0x76, 0x54, 0x32, 0x10, 0x98);
    assert_int_equal(apdu_verify(&a, "98765432109"), 0);
    EXPECT_APDU(&a, 0x00, 0x20, 0x00, 0x00, 0x06, 0x98, 0x76, 0x54, 0x32, 0x10, 0x9F);

    /* Not a PIN: nothing written. */
    static const char *const bad[] = {"",      "123",      "1234567890123", "12a4",
                                      "12 34", " 1234",    "1234\n",        "123456789012345678",
                                      "-1234", "１２３４", "12345F",        "\xff\xff\xff\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&a, 0x5A, sizeof a);
        assert_int_equal(apdu_verify(&a, bad[i]), -1);
        for (size_t k = 0; k < sizeof a.b; k++)
            assert_int_equal(a.b[k], 0x5A);
    }
    assert_int_equal(apdu_verify(&a, NULL), -1);
}

static void commands_leave_no_pin(void **state)
{
    (void)state;
    struct apdu a;
    assert_int_equal(apdu_verify(&a, "135792468024"), 0);
    apdu_get_balance(&a); /* shorter than the VERIFY it overwrites */
    EXPECT_APDU(&a, 0x80, 0x5C, 0x00, 0x02, 0x04);
    assert_int_equal(apdu_verify(&a, "135792468024"), 0);
    apdu_read_binary(&a, 0, 0); /* even a refused command clears it */
    assert_int_equal(a.n, 0);
    for (size_t k = 0; k < sizeof a.b; k++)
        assert_int_equal(a.b[k], 0);
}

static void get_balance(void **state)
{
    (void)state;
    struct apdu a;
    apdu_get_balance(&a);
    EXPECT_APDU(&a, 0x80, 0x5C, 0x00, 0x02, 0x04);
}

static void initialize_for_load(void **state)
{
    (void)state;
    struct apdu a;
    static const uint8_t tid[6] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
    apdu_init_load(&a, 0xAAAAAAAAu, tid);
    EXPECT_APDU(&a, 0x80, 0x50, 0x00, 0x02, 0x0B, 0x01, 0xAA, 0xAA, 0xAA, 0xAA, 0x11, 0x22, 0x33,
                0x44, 0x55, 0x66, 0x10);
    apdu_init_load(&a, 10000, tid); /* 100.00 yuan, big-endian */
    EXPECT_APDU(&a, 0x80, 0x50, 0x00, 0x02, 0x0B, 0x01, 0x00, 0x00, 0x27, 0x10, 0x11, 0x22, 0x33,
                0x44, 0x55, 0x66, 0x10);
}

static void credit_for_load(void **state)
{
    (void)state;
    struct apdu a;
    static const uint8_t date[4] = {0x20, 0x26, 0x11, 0x23}, time[3] = {0x14, 0x05, 0x09},
                         mac2[4] = {0x3A, 0x84, 0x5B, 0xF0};
    apdu_credit_load(&a, date, time, mac2);
    EXPECT_APDU(&a, 0x80, 0x52, 0x00, 0x00, 0x0B, 0x20, 0x26, 0x11, 0x23, 0x14, 0x05, 0x09, 0x3A,
                0x84, 0x5B, 0xF0, 0x04);
}

static void transaction_proof(void **state)
{
    (void)state;
    struct apdu a;
    apdu_proof(&a, 0x1234);
    EXPECT_APDU(&a, 0x80, 0x5A, 0x00, 0x02, 0x02, 0x12, 0x34, 0x08);
    apdu_proof(&a, 0);
    EXPECT_APDU(&a, 0x80, 0x5A, 0x00, 0x02, 0x02, 0x00, 0x00, 0x08);
    apdu_proof(&a, 0xFFFF);
    EXPECT_APDU(&a, 0x80, 0x5A, 0x00, 0x02, 0x02, 0xFF, 0xFF, 0x08);
}

static void read_record_of_log(void **state)
{
    (void)state;
    struct apdu a;
    apdu_read_record(&a, 1);
    EXPECT_APDU(&a, 0x00, 0xB2, 0x01, 0xC4, 0x17);
    apdu_read_record(&a, CARD_LOG_MAX);
    EXPECT_APDU(&a, 0x00, 0xB2, 0x0A, 0xC4, 0x17);
    apdu_read_record(&a, 255);
    EXPECT_APDU(&a, 0x00, 0xB2, 0xFF, 0xC4, 0x17);
    apdu_read_record(&a, 0);
    assert_int_equal(a.n, 0);
    apdu_read_record(&a, 256);
    assert_int_equal(a.n, 0);
    apdu_read_record(&a, -1);
    assert_int_equal(a.n, 0);
}

/* ---- status words ---- */

static void status_words(void **state)
{
    (void)state;
    static const struct {
        int sw;
        enum card_ans want;
    } cases[] = {
        {0x9000, CA_OK},          {0x6A82, CA_NOT_FOUND},  {0x6A83, CA_NO_RECORD},
        {0x9302, CA_MAC_INVALID}, {0x9406, CA_NO_PROOF},   {0x6985, CA_NOT_INIT},
        {0x6983, CA_PIN_LOCKED},  {0x63C0, CA_PIN_LOCKED}, {0x63C1, CA_WRONG_PIN},
        {0x63CF, CA_WRONG_PIN},   {0x6300, CA_BAD_SW},     {0x63B2, CA_BAD_SW},
        {0x6D00, CA_BAD_SW},      {0x6E00, CA_BAD_SW},     {0x9401, CA_BAD_SW},
        {0x9403, CA_BAD_SW},      {0x6100, CA_BAD_SW},     {0x6C04, CA_BAD_SW},
        {0x9001, CA_BAD_SW},      {0x0090, CA_BAD_SW},     {0x0000, CA_BAD_SW},
        {0xFFFF, CA_BAD_SW},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t data = 0; data <= 3; data += 3) { /* with and without data before */
            size_t n;
            static const uint8_t some[3] = {0x90, 0x00, 0x63};
            uint8_t *r = resp(some, data, cases[i].sw, &n);
            assert_int_equal(apdu_sw(r, n), cases[i].sw);
            assert_int_equal(card_status(r, n, NULL), cases[i].want);
            free(r);
        }
    }
}

static void pin_tries(void **state)
{
    (void)state;
    size_t n;
    int tries = -1;
    uint8_t *r = resp(NULL, 0, 0x63C2, &n);
    assert_int_equal(card_status(r, n, &tries), CA_WRONG_PIN);
    assert_int_equal(tries, 2);
    free(r);
    r = resp(NULL, 0, 0x63C0, &n);
    tries = -1;
    assert_int_equal(card_status(r, n, &tries), CA_PIN_LOCKED);
    assert_int_equal(tries, 0);
    free(r);
    r = resp(NULL, 0, 0x6983, &n);
    tries = -1;
    assert_int_equal(card_status(r, n, &tries), CA_PIN_LOCKED);
    assert_int_equal(tries, 0);
    assert_int_equal(card_status(r, n, NULL), CA_PIN_LOCKED);
    free(r);
    r = resp(NULL, 0, 0x9000, &n);
    tries = 7;
    assert_int_equal(card_status(r, n, &tries), CA_OK);
    assert_int_equal(tries, 7); /* only a PIN answer sets it */
    free(r);
}

static void card_gone(void **state)
{
    (void)state;
    assert_int_equal(apdu_sw(NULL, 0), -1);
    assert_int_equal(card_status(NULL, 0, NULL), CA_GONE);
    uint8_t *one = malloc(1);
    assert_non_null(one);
    one[0] = 0x90;
    assert_int_equal(apdu_sw(one, 1), -1);
    assert_int_equal(card_status(one, 1, NULL), CA_GONE);
    for (size_t i = 0; i < NREADERS; i++) {
        union out o;
        memset(&o, 0xA5, sizeof o);
        assert_int_equal(readers[i].read(one, 1, &o), CA_GONE);
        expect_untouched(&readers[i], &o);
        assert_int_equal(readers[i].read(NULL, 0, &o), CA_GONE);
        expect_untouched(&readers[i], &o);
    }
    free(one);
}

/* ---- every reader alike ---- */

/* Each error SW, with the data the command asks for and without any: that status, the
 * output untouched. */
static void readers_on_error_sw(void **state)
{
    (void)state;
    static const struct {
        int sw;
        enum card_ans want;
    } errs[] = {
        {0x63C2, CA_WRONG_PIN}, {0x63C0, CA_PIN_LOCKED}, {0x6983, CA_PIN_LOCKED},
        {0x6A82, CA_NOT_FOUND}, {0x6A83, CA_NO_RECORD},  {0x9302, CA_MAC_INVALID},
        {0x9406, CA_NO_PROOF},  {0x6985, CA_NOT_INIT},   {0x6D00, CA_BAD_SW},
        {0x6700, CA_BAD_SW},    {0x9401, CA_BAD_SW},
    };
    for (size_t i = 0; i < NREADERS; i++) {
        const struct reader *rd = &readers[i];
        for (size_t k = 0; k < sizeof errs / sizeof errs[0]; k++) {
            union out o;
            assert_int_equal(run(rd, rd->good, rd->len, errs[k].sw, &o), errs[k].want);
            expect_untouched(rd, &o);
            assert_int_equal(run(rd, NULL, 0, errs[k].sw, &o), errs[k].want);
            expect_untouched(rd, &o);
        }
    }
}

/* The good data cut to every shorter length, or one byte longer, then 9000: CA_SHORT. The
 * whole good answer cut at every length: whatever its last two bytes say, never CA_OK. */
static void readers_on_truncated(void **state)
{
    (void)state;
    for (size_t i = 0; i < NREADERS; i++) {
        const struct reader *rd = &readers[i];
        union out o;
        uint8_t longer[RESP_MAX] = {0};
        memcpy(longer, rd->good, rd->len);
        for (size_t len = 0; len < rd->len; len++) {
            assert_int_equal(run(rd, rd->good, len, 0x9000, &o), CA_SHORT);
            expect_untouched(rd, &o);
        }
        assert_int_equal(run(rd, longer, rd->len + 1, 0x9000, &o), CA_SHORT);
        expect_untouched(rd, &o);

        size_t full;
        uint8_t *whole = resp(rd->good, rd->len, 0x9000, &full);
        for (size_t n = 0; n < full; n++) {
            uint8_t *cut = malloc(n ? n : 1);
            assert_non_null(cut);
            memcpy(cut, whole, n);
            memset(&o, 0xA5, sizeof o);
            enum card_ans s = rd->read(cut, n, &o), st = card_status(cut, n, NULL);
            if (n < 2)
                assert_int_equal(s, CA_GONE);
            else
                assert_int_equal(s, st == CA_OK ? CA_SHORT : st);
            expect_untouched(rd, &o);
            free(cut);
        }
        free(whole);
    }
}

static void readers_on_good_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < NREADERS; i++) {
        union out o;
        assert_int_equal(run(&readers[i], readers[i].good, readers[i].len, 0x9000, &o), CA_OK);
    }
}

/* ---- each reader's content ---- */

static void info_read(void **state)
{
    (void)state;
    size_t n;
    struct card_info ci;
    uint8_t *r = resp(INFO, sizeof INFO, 0x9000, &n);
    assert_int_equal(card_read_info(r, n, &ci), CA_OK);
    assert_string_equal(ci.card_no, "9999000000001234");
    assert_int_equal(ci.start_date, 20240101);
    assert_int_equal(ci.expiry_date, 20291231);
    assert_int_equal(ci.kind, CARD_PERSONAL);
    assert_int_equal(ci.blocked, 0);
    free(r);

    uint8_t d[32];
    memcpy(d, INFO, sizeof d);
    d[26] = 0x03;
    d[27] = 0x01;
    r = resp(d, sizeof d, 0x9000, &n);
    assert_int_equal(card_read_info(r, n, &ci), CA_OK);
    assert_int_equal(ci.kind, CARD_SUB);
    assert_int_equal(ci.blocked, 1);
    free(r);
    d[26] = 0x02;
    d[27] = 0x7F; /* any status but 00 is not active */
    r = resp(d, sizeof d, 0x9000, &n);
    assert_int_equal(card_read_info(r, n, &ci), CA_OK);
    assert_int_equal(ci.kind, CARD_MAIN);
    assert_int_equal(ci.blocked, 1);
    free(r);
}

static enum card_ans info_with(size_t at, const uint8_t *bytes, size_t k)
{
    uint8_t d[32];
    memcpy(d, INFO, sizeof d);
    memcpy(d + at, bytes, k);
    size_t n;
    uint8_t *r = resp(d, sizeof d, 0x9000, &n);
    struct card_info ci;
    memset(&ci, 0xA5, sizeof ci);
    enum card_ans s = card_read_info(r, n, &ci);
    free(r);
    if (s != CA_OK) {
        struct card_info fill;
        memset(&fill, 0xA5, sizeof fill);
        assert_memory_equal(&ci, &fill, sizeof ci);
    }
    return s;
}

static void info_bad_bcd(void **state)
{
    (void)state;
    /* every nibble of the card number, made A..F in turn */
    for (size_t byte = 10; byte < 18; byte++) {
        for (uint8_t v = 0xA; v <= 0xF; v++) {
            uint8_t hi = (uint8_t)(v << 4 | (INFO[byte] & 0x0F));
            uint8_t lo = (uint8_t)((INFO[byte] & 0xF0) | v);
            assert_int_equal(info_with(byte, &hi, 1), CA_BAD_DATA);
            assert_int_equal(info_with(byte, &lo, 1), CA_BAD_DATA);
        }
    }
    static const uint8_t fpad[] = {0x99, 0x99, 0x00, 0x00, 0x00, 0x12, 0x34, 0xFF};
    assert_int_equal(info_with(10, fpad, sizeof fpad), CA_BAD_DATA);
}

static void info_bad_dates(void **state)
{
    (void)state;
    static const uint8_t bad[][4] = {
        {0x20, 0x24, 0x13, 0x01},                           /* month 13 */
        {0x20, 0x24, 0x00, 0x01},                           /* month 0 */
        {0x20, 0x24, 0x01, 0x00},                           /* day 0 */
        {0x20, 0x24, 0x01, 0x32},                           /* day 32 */
        {0x20, 0x24, 0x04, 0x31},                           /* 31 April */
        {0x20, 0x23, 0x02, 0x29},                           /* not a leap year */
        {0x20, 0x24, 0x02, 0x30}, {0x19, 0x99, 0x12, 0x31}, /* before 2000 */
        {0x21, 0x00, 0x01, 0x01},                           /* after 2099 */
        {0x20, 0x24, 0x0A, 0x01},                           /* not BCD */
        {0x20, 0x24, 0x01, 0x1F}, {0x2A, 0x24, 0x01, 0x01},
        {0x00, 0x00, 0x00, 0x00}, {0xFF, 0xFF, 0xFF, 0xFF},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(info_with(18, bad[i], 4), CA_BAD_DATA);
        assert_int_equal(info_with(22, bad[i], 4), CA_BAD_DATA);
    }
    static const uint8_t good[][4] = {
        {0x20, 0x24, 0x02, 0x29}, {0x20, 0x00, 0x02, 0x29}, {0x20, 0x00, 0x01, 0x01},
        {0x20, 0x99, 0x12, 0x31}, {0x20, 0x25, 0x04, 0x30},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(info_with(18, good[i], 4), CA_OK);
        assert_int_equal(info_with(22, good[i], 4), CA_OK);
    }
}

static void info_bad_kind(void **state)
{
    (void)state;
    static const uint8_t bad[] = {0x00, 0x05, 0x10, 0x80, 0xFF};
    for (size_t i = 0; i < sizeof bad; i++)
        assert_int_equal(info_with(26, &bad[i], 1), CA_BAD_DATA);
}

/* The holder read from a 30-byte name field (zero-padded), into name (NAME_BUF bytes, filled
 * with A5 first) given as `cap` bytes. */
static enum card_ans holder_of(const void *field, size_t k, char *name, size_t cap)
{
    uint8_t d[32] = {0};
    memcpy(d, field, k);
    size_t n;
    uint8_t *r = resp(d, sizeof d, 0x9000, &n);
    memset(name, 0xA5, NAME_BUF);
    enum card_ans s = card_read_holder(r, n, name, cap);
    free(r);
    return s;
}

static void holder_read(void **state)
{
    (void)state;
    char name[NAME_BUF];
    assert_int_equal(holder_of(HOLDER, sizeof HOLDER, name, sizeof name), CA_OK);
    assert_string_equal(name, "张三 Li San");
    assert_int_equal(holder_of("", 0, name, sizeof name), CA_OK);
    assert_string_equal(name, "");
    /* a name of all 30 bytes, no zero: the RFU bytes are not part of it */
    const char *full = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcd";
    uint8_t d[32];
    memcpy(d, full, 30);
    d[30] = 'x';
    d[31] = 'y';
    assert_int_equal(holder_of(d, 32, name, sizeof name), CA_OK);
    assert_string_equal(name, full);
    /* cut at the first zero, whatever follows */
    assert_int_equal(holder_of("Wang\0\xff\xfe garbage", 15, name, sizeof name), CA_OK);
    assert_string_equal(name, "Wang");
    /* ten 3-byte characters fill the field exactly */
    const char *ten = "中国石化加油站卡片名";
    assert_int_equal(strlen(ten), 30);
    assert_int_equal(holder_of(ten, 30, name, sizeof name), CA_OK);
    assert_string_equal(name, ten);
    /* 4-byte characters, and the highest code points allowed */
    assert_int_equal(
        holder_of("\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xEF\xBF\xBD\xC2\xA0", 13, name, sizeof name),
        CA_OK);
    assert_string_equal(name, "\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xEF\xBF\xBD\xC2\xA0");
}

static void holder_cut_to_cap(void **state)
{
    (void)state;
    char name[NAME_BUF];
    /* "张三 Li San" = 6 + 7 bytes; a buffer of cap keeps the whole characters that fit */
    static const struct {
        size_t cap;
        const char *want;
    } cases[] = {
        {1, ""},     {2, ""},      {3, ""},       {4, "张"},           {6, "张"},
        {7, "张三"}, {8, "张三 "}, {9, "张三 L"}, {14, "张三 Li San"}, {13, "张三 Li Sa"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(holder_of(HOLDER, sizeof HOLDER, name, cases[i].cap), CA_OK);
        assert_string_equal(name, cases[i].want);
        for (size_t k = cases[i].cap; k < sizeof name; k++)
            assert_int_equal((uint8_t)name[k], 0xA5); /* nothing past cap */
    }
    /* cap 0: nothing written at all */
    size_t n;
    uint8_t *r = resp(HOLDER, sizeof HOLDER, 0x9000, &n);
    memset(name, 0xA5, sizeof name);
    assert_int_equal(card_read_holder(r, n, name, 0), CA_OK);
    assert_int_equal((uint8_t)name[0], 0xA5);
    assert_int_equal(card_read_holder(r, n, NULL, 0), CA_OK);
    free(r);
}

static void holder_not_utf8(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\xC0\xAF",         /* overlong '/' */
        "\xC1\xBF",         /* overlong */
        "\xE0\x80\xAF",     /* overlong, 3 bytes */
        "\xE0\x9F\xBF",     /* overlong, highest */
        "\xF0\x80\x80\xAF", /* overlong, 4 bytes */
        "\xF0\x8F\xBF\xBF", /* overlong, highest */
        "\xED\xA0\x80",     /* surrogate D800 */
        "\xED\xBF\xBF",     /* surrogate DFFF */
        "\xF4\x90\x80\x80", /* above U+10FFFF */
        "\xF5\x80\x80\x80", /* no such lead byte */
        "\xFF",             /* no such byte */
        "\xFE",             /* no such byte */
        "\x80",             /* stray continuation */
        "A\xBF",            /* stray continuation after a character */
        "\xE5\xBC",         /* cut short before the end */
        "\xE5\xBC\x41",     /* cut short by an ASCII byte */
        "\xF0\x9F\x98",     /* cut short, 4 bytes */
        "\xC3",             /* lead byte, nothing after */
        "Li\x1B[2J",        /* a control character (ESC) */
        "Li\nSan",          /* a newline */
        "\x7F",             /* DEL */
        "\xC2\x80",         /* a C1 control */
        "\xC2\x9B",         /* CSI */
        "\xA0\xA1",         /* GBK, not UTF-8 */
        "\xD5\xC5\xC8\xFD", /* 张三 in GBK */
    };
    char name[NAME_BUF];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(holder_of(bad[i], strlen(bad[i]), name, sizeof name), CA_OK);
        assert_string_equal(name, "");
    }
    /* a character cut by the end of the 30-byte field */
    uint8_t d[32] = {0};
    memset(d, 'A', 29);
    d[29] = 0xE5;
    d[30] = 0xBC; /* the RFU bytes do not finish it */
    d[31] = 0xA0;
    assert_int_equal(holder_of(d, 32, name, sizeof name), CA_OK);
    assert_string_equal(name, "");
}

static void balance_init_tac_proof(void **state)
{
    (void)state;
    size_t n;
    uint32_t fen = 0;
    uint8_t *r = resp(BALANCE, sizeof BALANCE, 0x9000, &n);
    assert_int_equal(card_read_balance(r, n, &fen), CA_OK);
    assert_int_equal(fen, 100000);
    free(r);
    static const uint8_t max[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    r = resp(max, 4, 0x9000, &n);
    assert_int_equal(card_read_balance(r, n, &fen), CA_OK);
    assert_int_equal(fen, 0xFFFFFFFFu);
    free(r);

    struct card_init ci;
    r = resp(INIT, sizeof INIT, 0x9000, &n);
    assert_int_equal(card_read_init(r, n, &ci), CA_OK);
    assert_int_equal(ci.old_balance, 10000);
    assert_int_equal(ci.online_serial, 7);
    assert_int_equal(ci.key_version, 1);
    assert_int_equal(ci.algorithm, 0);
    assert_memory_equal(ci.random, INIT + 8, 4);
    assert_memory_equal(ci.mac1, INIT + 12, 4);
    free(r);

    uint8_t tac[4], mac2[4];
    r = resp(TAC, sizeof TAC, 0x9000, &n);
    assert_int_equal(card_read_tac(r, n, tac), CA_OK);
    assert_memory_equal(tac, TAC, 4);
    free(r);

    r = resp(PROOF, sizeof PROOF, 0x9000, &n);
    assert_int_equal(card_read_proof(r, n, mac2, tac), CA_OK);
    assert_memory_equal(mac2, PROOF, 4);
    assert_memory_equal(tac, PROOF + 4, 4);
    free(r);
    r = resp(NULL, 0, 0x9406, &n);
    assert_int_equal(card_read_proof(r, n, mac2, tac), CA_NO_PROOF);
    free(r);
}

static enum card_ans log_of(const uint8_t *d, struct card_log *lg)
{
    size_t n;
    uint8_t *r = resp(d, 23, 0x9000, &n);
    memset(lg, 0xA5, sizeof *lg);
    enum card_ans s = card_read_log(r, n, lg);
    free(r);
    return s;
}

static void log_read(void **state)
{
    (void)state;
    struct card_log lg;
    assert_int_equal(log_of(LOG, &lg), CA_OK);
    assert_int_equal(lg.serial, 8);
    assert_int_equal(lg.amount_fen, 5000);
    assert_int_equal(lg.type, CARD_LOAD_TYPE);
    assert_memory_equal(lg.term_id, LOG + 10, 6);
    assert_int_equal(lg.date, 20261123);
    assert_int_equal(lg.time, 140509);

    uint8_t d[23];
    memcpy(d, LOG, sizeof d);
    d[9] = 0x06; /* a purchase */
    d[20] = d[21] = d[22] = 0x00;
    assert_int_equal(log_of(d, &lg), CA_OK);
    assert_int_equal(lg.type, 0x06);
    assert_int_equal(lg.time, 0);
    d[20] = 0x23;
    d[21] = 0x59;
    d[22] = 0x59;
    assert_int_equal(log_of(d, &lg), CA_OK);
    assert_int_equal(lg.time, 235959);
}

static void log_empty_and_bad(void **state)
{
    (void)state;
    struct card_log lg, fill;
    memset(&fill, 0xA5, sizeof fill);
    uint8_t zero[23] = {0};
    assert_int_equal(log_of(zero, &lg), CA_NO_RECORD);
    assert_memory_equal(&lg, &fill, sizeof lg);
    for (size_t i = 0; i < sizeof zero; i++) { /* one byte set: a record, so a bad date */
        zero[i] = 1;
        assert_int_equal(log_of(zero, &lg), CA_BAD_DATA);
        zero[i] = 0;
    }
    size_t n;
    uint8_t *r = resp(NULL, 0, 0x6A83, &n);
    assert_int_equal(card_read_log(r, n, &lg), CA_NO_RECORD);
    free(r);

    static const struct {
        size_t at;
        uint8_t v[4];
        size_t k;
    } bad[] = {
        {16, {0x20, 0x26, 0x13, 0x01}, 4}, {16, {0x20, 0x26, 0x11, 0x31}, 4},
        {16, {0x19, 0x99, 0x12, 0x31}, 4}, {16, {0x20, 0x2A, 0x11, 0x23}, 4},
        {20, {0x24, 0x00, 0x00}, 3},       {20, {0x12, 0x60, 0x00}, 3},
        {20, {0x12, 0x00, 0x60}, 3},       {20, {0x1A, 0x00, 0x00}, 3},
        {20, {0x12, 0x00, 0x0F}, 3},       {20, {0xFF, 0xFF, 0xFF}, 3},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t d[23];
        memcpy(d, LOG, sizeof d);
        memcpy(d + bad[i].at, bad[i].v, bad[i].k);
        assert_int_equal(log_of(d, &lg), CA_BAD_DATA);
        assert_memory_equal(&lg, &fill, sizeof lg);
    }
}

/* ---- hex ---- */

static void hex_round_trip(void **state)
{
    (void)state;
    uint8_t all[256], back[256];
    for (size_t i = 0; i < sizeof all; i++)
        all[i] = (uint8_t)i;
    char hex[2 * sizeof all + 1];
    card_hex(all, sizeof all, hex);
    assert_int_equal(strlen(hex), 512);
    assert_memory_equal(hex, "000102", 6);
    assert_string_equal(hex + 500, "FAFBFCFDFEFF");
    assert_int_equal(card_unhex(hex, back, sizeof back), 0);
    assert_memory_equal(back, all, sizeof all);

    card_hex(TAC, 4, hex);
    assert_string_equal(hex, "3A845BF0");
    card_hex(NULL, 0, hex);
    assert_string_equal(hex, "");
    assert_int_equal(card_unhex("", back, 0), 0);

    uint8_t b[4];
    assert_int_equal(card_unhex("3a845bF0", b, 4), 0); /* either case */
    assert_memory_equal(b, TAC, 4);
}

static void unhex_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "3A845BF",                             /* odd: 7 digits */
        "3A845BF00",                           /* 9 digits */
        "3A845B",                              /* too short */
        "3A845BF0A1", "",          "3G845BF0", /* not hex */
        "3A845BF ",   " 3A845BF",  "3A84-5BF",
        "0x3A845B",   "3A845BF\n", "3A\00045BF0", /* a zero (\000) inside */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t b[8];
        memset(b, 0xA5, sizeof b);
        assert_int_equal(card_unhex(bad[i], b, 4), -1);
        for (size_t k = 0; k < sizeof b; k++)
            assert_int_equal(b[k], 0xA5); /* untouched */
    }
    uint8_t b[1];
    assert_int_equal(card_unhex(NULL, b, 1), -1);
    assert_int_equal(card_unhex("A", b, 0), -1);
    assert_int_equal(card_unhex("AB", b, SIZE_MAX), -1); /* no overflow of 2n */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(select_by_aid),
        cmocka_unit_test(read_binary_of_sfi),
        cmocka_unit_test(verify_pin_bcd),
        cmocka_unit_test(commands_leave_no_pin),
        cmocka_unit_test(get_balance),
        cmocka_unit_test(initialize_for_load),
        cmocka_unit_test(credit_for_load),
        cmocka_unit_test(transaction_proof),
        cmocka_unit_test(read_record_of_log),
        cmocka_unit_test(status_words),
        cmocka_unit_test(pin_tries),
        cmocka_unit_test(card_gone),
        cmocka_unit_test(readers_on_error_sw),
        cmocka_unit_test(readers_on_truncated),
        cmocka_unit_test(readers_on_good_answers),
        cmocka_unit_test(info_read),
        cmocka_unit_test(info_bad_bcd),
        cmocka_unit_test(info_bad_dates),
        cmocka_unit_test(info_bad_kind),
        cmocka_unit_test(holder_read),
        cmocka_unit_test(holder_cut_to_cap),
        cmocka_unit_test(holder_not_utf8),
        cmocka_unit_test(balance_init_tac_proof),
        cmocka_unit_test(log_read),
        cmocka_unit_test(log_empty_and_bad),
        cmocka_unit_test(hex_round_trip),
        cmocka_unit_test(unhex_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
