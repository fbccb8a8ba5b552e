/* The fuel card's command and response APDUs (apdu.h, reference.md section 5). Pure: no I/O,
 * no allocation, no logging. Unit-tested (tests/unit/test_card_apdu.c) and fuzzed
 * (tests/fuzz/fuzz_card_apdu.c).
 *
 * Builders clear the whole struct apdu first, so a command built into a struct that held a
 * VERIFY leaves none of the PIN behind; a builder given arguments outside its command's
 * range (an AID of the wrong length, an SFI or a record number that is none) writes an
 * empty command (n = 0, every byte zero), which is never a valid APDU. Readers write their output
 * only on CA_OK (card_read_holder always leaves a terminated name, "" unless CA_OK). */
#include "apdu.h"

#include <string.h>

#define SW_OK 0x9000
#define INFO_LEN 32
#define HOLDER_LEN 32
#define HOLDER_NAME_LEN 30
#define BALANCE_LEN 4
#define INIT_LEN 16
#define TAC_LEN 4
#define PROOF_LEN 8
#define LOG_LEN 23

/* ---- commands ---- */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Clears the struct and writes the four header bytes. */
static void header(struct apdu *a, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2)
{
    memset(a, 0, sizeof *a);
    a->b[0] = cla;
    a->b[1] = ins;
    a->b[2] = p1;
    a->b[3] = p2;
    a->n = 4;
}

static void put(struct apdu *a, const uint8_t *p, size_t n)
{
    memcpy(a->b + a->n, p, n);
    a->n += n;
}

static void put1(struct apdu *a, uint8_t v)
{
    a->b[a->n++] = v;
}

void apdu_select(struct apdu *a, const uint8_t *aid, size_t n)
{
    if (!aid || n < 5 || n > 16) {
        memset(a, 0, sizeof *a);
        return;
    }
    header(a, 0x00, 0xA4, 0x04, 0x00);
    put1(a, (uint8_t)n);
    put(a, aid, n);
    put1(a, 0x00);
}

void apdu_read_binary(struct apdu *a, int sfi, int len)
{
    if (sfi < 1 || sfi > 30 || len < 1 || len > 256) {
        memset(a, 0, sizeof *a);
        return;
    }
    header(a, 0x00, 0xB0, (uint8_t)(0x80 | sfi), 0x00);
    put1(a, (uint8_t)(len & 0xFF)); /* Le 00 asks for 256 */
}

/* The PIN's length when it is CARD_PIN_MIN to CARD_PIN_MAX decimal digits, else 0. */
static size_t pin_len(const char *pin)
{
    if (!pin)
        return 0;
    size_t n = strnlen(pin, CARD_PIN_MAX + 1);
    if (n < CARD_PIN_MIN || n > CARD_PIN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return 0;
    return n;
}

int apdu_verify(struct apdu *a, const char *pin)
{
    size_t n = pin_len(pin);
    if (!n)
        return -1;
    header(a, 0x00, 0x20, 0x00, 0x00);
    size_t lc = (n + 1) / 2;
    put1(a, (uint8_t)lc);
    for (size_t i = 0; i < lc; i++) {
        unsigned hi = (unsigned)(pin[2 * i] - '0');
        unsigned lo = 2 * i + 1 < n ? (unsigned)(pin[2 * i + 1] - '0') : 0xFu;
        a->b[a->n++] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void apdu_get_balance(struct apdu *a)
{
    header(a, 0x80, 0x5C, 0x00, 0x02);
    put1(a, BALANCE_LEN);
}

void apdu_init_load(struct apdu *a, uint32_t amount_fen, const uint8_t term_id[6])
{
    header(a, 0x80, 0x50, 0x00, 0x02);
    put1(a, 0x0B);
    put1(a, 0x01); /* key index */
    put_be32(a->b + a->n, amount_fen);
    a->n += 4;
    put(a, term_id, 6);
    put1(a, INIT_LEN);
}

void apdu_credit_load(struct apdu *a, const uint8_t date[4], const uint8_t time[3],
                      const uint8_t mac2[4])
{
    header(a, 0x80, 0x52, 0x00, 0x00);
    put1(a, 0x0B);
    put(a, date, 4);
    put(a, time, 3);
    put(a, mac2, 4);
    put1(a, TAC_LEN);
}

void apdu_proof(struct apdu *a, uint16_t serial)
{
    header(a, 0x80, 0x5A, 0x00, CARD_LOAD_TYPE);
    put1(a, 0x02);
    put1(a, (uint8_t)(serial >> 8));
    put1(a, (uint8_t)serial);
    put1(a, PROOF_LEN);
}

void apdu_read_record(struct apdu *a, int rec)
{
    if (rec < 1 || rec > 255) {
        memset(a, 0, sizeof *a);
        return;
    }
    header(a, 0x00, 0xB2, (uint8_t)rec, CARD_SFI_LOG << 3 | 4);
    put1(a, LOG_LEN);
}

/* ---- answers ---- */

int apdu_sw(const uint8_t *r, size_t n)
{
    if (!r || n < 2)
        return -1;
    return r[n - 2] << 8 | r[n - 1];
}

enum card_ans card_status(const uint8_t *r, size_t n, int *tries_left)
{
    int sw = apdu_sw(r, n);
    if (sw < 0)
        return CA_GONE;
    if ((sw & 0xFFF0) == 0x63C0) {
        int x = sw & 0x0F;
        if (tries_left)
            *tries_left = x;
        return x ? CA_WRONG_PIN : CA_PIN_LOCKED;
    }
    switch (sw) {
    case SW_OK:
        return CA_OK;
    case 0x6983:
        if (tries_left)
            *tries_left = 0;
        return CA_PIN_LOCKED;
    case 0x6A82:
        return CA_NOT_FOUND;
    case 0x6A83:
        return CA_NO_RECORD;
    case 0x9302:
        return CA_MAC_INVALID;
    case 0x9406:
        return CA_NO_PROOF;
    case 0x6985:
        return CA_NOT_INIT;
    default:
        return CA_BAD_SW;
    }
}

/* The status, then the data's length: CA_OK when the response is 9000 with exactly `len`
 * bytes of data. */
static enum card_ans check(const uint8_t *r, size_t n, size_t len)
{
    enum card_ans s = card_status(r, n, NULL);
    if (s != CA_OK)
        return s;
    return n - 2 == len ? CA_OK : CA_SHORT;
}

static uint32_t be(const uint8_t *p, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* n BCD bytes as a number; -1 when a nibble is not a digit (n <= 4). */
static int64_t bcd(const uint8_t *p, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned hi = p[i] >> 4, lo = p[i] & 0x0F;
        if (hi > 9 || lo > 9)
            return -1;
        v = v * 100 + hi * 10 + lo;
    }
    return v;
}

/* A date YYYYMMDD of this century that is on the calendar. */
static int date_ok(int64_t d)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = (int)(d / 10000), m = (int)(d / 100 % 100), day = (int)(d % 100);
    if (d < 0 || y < 2000 || y > 2099 || m < 1 || m > 12 || day < 1 || day > mdays[m - 1])
        return 0;
    return m != 2 || day < 29 || y % 4 == 0; /* 2000 is a leap year, 2100 is out */
}

/* 4 BCD bytes YYYYMMDD: the date, or 0 when it is none. */
static uint32_t read_date(const uint8_t *p)
{
    int64_t d = bcd(p, 4);
    return date_ok(d) ? (uint32_t)d : 0;
}

/* 3 BCD bytes hhmmss: the time, or -1 when it is none. */
static int64_t read_time(const uint8_t *p)
{
    int64_t t = bcd(p, 3);
    if (t < 0 || t / 10000 > 23 || t / 100 % 100 > 59 || t % 100 > 59)
        return -1;
    return t;
}

enum card_ans card_read_info(const uint8_t *r, size_t n, struct card_info *out)
{
    enum card_ans s = check(r, n, INFO_LEN);
    if (s != CA_OK)
        return s;
    struct card_info v;
    memset(&v, 0, sizeof v);
    static const char digits[] = "0123456789";
    for (size_t i = 0; i < CARD_NO_LEN / 2; i++) {
        unsigned hi = r[10 + i] >> 4, lo = r[10 + i] & 0x0F;
        if (hi > 9 || lo > 9)
            return CA_BAD_DATA;
        v.card_no[2 * i] = digits[hi];
        v.card_no[2 * i + 1] = digits[lo];
    }
    v.start_date = read_date(r + 18);
    v.expiry_date = read_date(r + 22);
    if (!v.start_date || !v.expiry_date)
        return CA_BAD_DATA;
    if (r[26] < CARD_PERSONAL || r[26] > CARD_STAFF)
        return CA_BAD_DATA;
    v.kind = (enum card_kind)r[26];
    v.blocked = r[27] != 0; /* 00 active; anything else is not */
    *out = v;
    return CA_OK;
}

/* The length of the UTF-8 character at p (n bytes left), or 0 when it is not one: no
 * overlong forms, no surrogates, nothing above U+10FFFF, and no control characters (C0,
 * DEL, C1), which have no place in a name shown on screen and printed on a receipt. */
static size_t utf8_char(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c < 0x20 || c == 0x7F)
        return 0;
    if (c < 0x80)
        return 1;
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        if (c == 0xC2)
            lo = 0xA0; /* U+0080..U+009F are C1 controls */
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* a continuation byte, C0/C1 (overlong), F5..FF */
    }
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return len;
}

enum card_ans card_read_holder(const uint8_t *r, size_t n, char *name, size_t cap)
{
    if (name && cap)
        name[0] = '\0';
    enum card_ans s = check(r, n, HOLDER_LEN);
    if (s != CA_OK || !name || !cap)
        return s;
    const uint8_t *end = memchr(r, 0, HOLDER_NAME_LEN);
    size_t len = end ? (size_t)(end - r) : HOLDER_NAME_LEN;
    size_t keep = 0; /* whole characters that fit in cap - 1 */
    for (size_t i = 0; i < len;) {
        size_t c = utf8_char(r + i, len - i);
        if (!c)
            return CA_OK; /* not text: no name */
        if (i + c < cap)
            keep = i + c;
        i += c;
    }
    memcpy(name, r, keep);
    name[keep] = '\0';
    return CA_OK;
}

enum card_ans card_read_balance(const uint8_t *r, size_t n, uint32_t *fen)
{
    enum card_ans s = check(r, n, BALANCE_LEN);
    if (s == CA_OK)
        *fen = be(r, 4);
    return s;
}

enum card_ans card_read_init(const uint8_t *r, size_t n, struct card_init *out)
{
    enum card_ans s = check(r, n, INIT_LEN);
    if (s != CA_OK)
        return s;
    struct card_init v;
    memset(&v, 0, sizeof v);
    v.old_balance = be(r, 4);
    v.online_serial = (uint16_t)be(r + 4, 2);
    v.key_version = r[6];
    v.algorithm = r[7];
    memcpy(v.random, r + 8, 4);
    memcpy(v.mac1, r + 12, 4);
    *out = v;
    return CA_OK;
}

enum card_ans card_read_tac(const uint8_t *r, size_t n, uint8_t tac[4])
{
    enum card_ans s = check(r, n, TAC_LEN);
    if (s == CA_OK)
        memcpy(tac, r, 4);
    return s;
}

enum card_ans card_read_proof(const uint8_t *r, size_t n, uint8_t mac2[4], uint8_t tac[4])
{
    enum card_ans s = check(r, n, PROOF_LEN);
    if (s == CA_OK) {
        memcpy(mac2, r, 4);
        memcpy(tac, r + 4, 4);
    }
    return s;
}

enum card_ans card_read_log(const uint8_t *r, size_t n, struct card_log *out)
{
    enum card_ans s = check(r, n, LOG_LEN);
    if (s != CA_OK)
        return s;
    size_t zeros = 0;
    while (zeros < LOG_LEN && r[zeros] == 0)
        zeros++;
    if (zeros == LOG_LEN)
        return CA_NO_RECORD; /* an empty slot: some cards answer 9000 past the end */
    struct card_log v;
    memset(&v, 0, sizeof v);
    v.serial = (uint16_t)be(r, 2);
    /* r[2..4]: the overdraft limit, not kept */
    v.amount_fen = be(r + 5, 4);
    v.type = r[9];
    memcpy(v.term_id, r + 10, 6);
    v.date = read_date(r + 16);
    int64_t t = read_time(r + 20);
    if (!v.date || t < 0)
        return CA_BAD_DATA;
    v.time = (uint32_t)t;
    *out = v;
    return CA_OK;
}

void card_hex(const uint8_t *b, size_t n, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 0x0F];
    }
    out[2 * n] = '\0';
}

/* A hex digit's value (either case), or -1. */
static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int card_unhex(const char *hex, uint8_t *b, size_t n)
{
    if (!hex || n > (SIZE_MAX - 1) / 2 || strnlen(hex, 2 * n + 1) != 2 * n)
        return -1;
    for (size_t i = 0; i < 2 * n; i++)
        if (nibble(hex[i]) < 0)
            return -1; /* checked whole before writing: b is untouched on -1 */
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    return 0;
}
