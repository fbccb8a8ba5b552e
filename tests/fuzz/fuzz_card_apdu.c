/* The fuel card's answers (card/apdu.h) as a card, or a card pulled mid-answer, could give
 * them. The first byte picks the reader, the rest is the response APDU, copied into a buffer
 * of exactly its length so a read past `n` shows under ASan:
 *   S status  I info  H holder (next byte: the name buffer's size)  B balance  N init
 *   T TAC  P proof  L log record  X hex and unhex  V VERIFY of the rest as a PIN
 *   C the other commands, their arguments from the rest; any other byte: every reader.
 *
 * Each answer is checked against a model written here from the header alone: a reader's
 * status is card_status()'s unless that is CA_OK, then CA_SHORT unless the data is exactly
 * the file's length, then the content rules (16 BCD digits, calendar dates of 2000-2099,
 * times of day, kinds 1-4 (4: staff), a log record of all zeros is none). What it reads equals the
 * bytes. Outputs sit between guard bytes, and stay untouched unless CA_OK; the holder's name
 * is always terminated inside its buffer, valid UTF-8 without control characters, and a
 * prefix of the name on the card cut between characters. */
#include <stdlib.h>
#include <string.h>

#include "apdu.h"
#include "fuzz.h"

#define FILL 0xA5
#define GUARD 16

/* An output between guard bytes, filled with FILL. */
#define GUARDED(T)                                                                                 \
    struct {                                                                                       \
        uint8_t pre[GUARD];                                                                        \
        T v;                                                                                       \
        uint8_t post[GUARD];                                                                       \
    }

typedef char name_buf[48];
typedef uint8_t four[4];

static int all(const void *p, uint8_t byte, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != byte)
            return 0;
    return 1;
}

#define CHECK_GUARDS(g)                                                                            \
    do {                                                                                           \
        if (!all((g).pre, FILL, GUARD) || !all((g).post, FILL, GUARD))                             \
            abort();                                                                               \
    } while (0)

static uint32_t be(const uint8_t *p, size_t n)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 256 + p[i];
    return v;
}

/* ---- the model ---- */

/* The status word's meaning, from the table in the header. */
static enum card_ans model_status(const uint8_t *r, size_t n)
{
    if (n < 2)
        return CA_GONE;
    unsigned sw1 = r[n - 2], sw2 = r[n - 1];
    if (sw1 == 0x63 && sw2 >= 0xC1 && sw2 <= 0xCF)
        return CA_WRONG_PIN;
    if ((sw1 == 0x63 && sw2 == 0xC0) || (sw1 == 0x69 && sw2 == 0x83))
        return CA_PIN_LOCKED;
    if (sw1 == 0x90 && sw2 == 0x00)
        return CA_OK;
    if (sw1 == 0x6A && sw2 == 0x82)
        return CA_NOT_FOUND;
    if (sw1 == 0x6A && sw2 == 0x83)
        return CA_NO_RECORD;
    if (sw1 == 0x93 && sw2 == 0x02)
        return CA_MAC_INVALID;
    if (sw1 == 0x94 && sw2 == 0x06)
        return CA_NO_PROOF;
    if (sw1 == 0x69 && sw2 == 0x85)
        return CA_NOT_INIT;
    return CA_BAD_SW;
}

/* The status any reader of a `len`-byte answer gives before looking at the content. */
static enum card_ans model_frame(const uint8_t *r, size_t n, size_t len)
{
    enum card_ans s = model_status(r, n);
    if (s == CA_OK && n - 2 != len)
        return CA_SHORT;
    return s;
}

/* Digit k (0 = first) of BCD bytes, or -1 when that nibble is no digit. */
static int digit(const uint8_t *p, size_t k)
{
    int v = k % 2 ? p[k / 2] & 0x0F : p[k / 2] >> 4;
    return v <= 9 ? v : -1;
}

/* The number in `ndig` BCD digits, or -1. */
static long number(const uint8_t *p, size_t ndig)
{
    long v = 0;
    for (size_t k = 0; k < ndig; k++) {
        int d = digit(p, k);
        if (d < 0)
            return -1;
        v = v * 10 + d;
    }
    return v;
}

static int days_in(int y, int m)
{
    switch (m) {
    case 2:
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28;
    case 4:
    case 6:
    case 9:
    case 11:
        return 30;
    default:
        return 31;
    }
}

/* 4 BCD bytes that are a date of 2000-2099: the date, else 0. */
static long model_date(const uint8_t *p)
{
    long d = number(p, 8);
    if (d < 0)
        return 0;
    int y = (int)(d / 10000), m = (int)(d / 100 % 100), day = (int)(d % 100);
    if (y < 2000 || y > 2099 || m < 1 || m > 12 || day < 1 || day > days_in(y, m))
        return 0;
    return d;
}

/* 3 BCD bytes that are a time of day: the time, else -1. */
static long model_time(const uint8_t *p)
{
    long t = number(p, 6);
    if (t < 0 || t / 10000 >= 24 || t / 100 % 100 >= 60 || t % 100 >= 60)
        return -1;
    return t;
}

/* The length of the code point at p (n bytes left) when it is one a name may hold: the
 * shortest form, no surrogate, at most U+10FFFF, no C0/DEL/C1 control; else 0. */
static size_t model_char(const uint8_t *p, size_t n)
{
    static const struct {
        uint8_t mask, lead;
        size_t len;
        uint32_t min;
    } forms[] = {{0x80, 0x00, 1, 0},
                 {0xE0, 0xC0, 2, 0x80},
                 {0xF0, 0xE0, 3, 0x800},
                 {0xF8, 0xF0, 4, 0x10000}};
    size_t f = 0;
    while (f < 4 && (p[0] & forms[f].mask) != forms[f].lead)
        f++;
    if (f == 4)
        return 0;
    size_t len = forms[f].len;
    uint32_t cp = p[0] & (uint8_t)~forms[f].mask, min = forms[f].min;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return 0;
    return len;
}

/* n bytes are all characters a name may hold. */
static int model_text(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t c = model_char(p + i, n - i);
        if (!c)
            return 0;
        i += c;
    }
    return 1;
}

/* ---- each reader against the model ---- */

static void check_status(const uint8_t *r, size_t n)
{
    int tries = -7;
    enum card_ans s = card_status(r, n, &tries);
    int sw = apdu_sw(r, n);
    if (s != model_status(r, n) || (sw < 0) != (n < 2))
        abort();
    if (sw >= 0 && sw != (r[n - 2] << 8 | r[n - 1]))
        abort();
    if (s == CA_WRONG_PIN && tries != (sw & 0x0F))
        abort();
    if (s == CA_PIN_LOCKED && tries != 0)
        abort();
    if (s != CA_WRONG_PIN && s != CA_PIN_LOCKED && tries != -7)
        abort();
    if (card_status(r, n, NULL) != s)
        abort();
}

static void check_info(const uint8_t *r, size_t n)
{
    GUARDED(struct card_info) g;
    memset(&g, FILL, sizeof g);
    enum card_ans s = card_read_info(r, n, &g.v), want = model_frame(r, n, 32);
    if (want == CA_OK) {
        long start = model_date(r + 18), expiry = model_date(r + 22);
        if (number(r + 10, 16) < 0 || !start || !expiry || r[26] < 1 || r[26] > 4)
            want = CA_BAD_DATA;
    }
    CHECK_GUARDS(g);
    if (s != want)
        abort();
    if (s != CA_OK) {
        if (!all(&g.v, FILL, sizeof g.v))
            abort();
        return;
    }
    char hex[17];
    card_hex(r + 10, 8, hex); /* BCD digits are their own hex */
    if (g.v.card_no[CARD_NO_LEN] != '\0' || strcmp(g.v.card_no, hex) != 0)
        abort();
    if (g.v.start_date != (uint32_t)model_date(r + 18) ||
        g.v.expiry_date != (uint32_t)model_date(r + 22))
        abort();
    if ((int)g.v.kind != r[26] || g.v.blocked != (r[27] != 0))
        abort();
}

static void check_holder(const uint8_t *r, size_t n, size_t cap)
{
    GUARDED(name_buf) g;
    memset(&g, FILL, sizeof g);
    enum card_ans s = card_read_holder(r, n, g.v, cap);
    CHECK_GUARDS(g);
    if (s != model_frame(r, n, 32))
        abort();
    if (!all(g.v + cap, FILL, sizeof g.v - cap))
        abort(); /* written past cap */
    if (cap == 0)
        return;
    size_t len = strnlen(g.v, cap);
    if (len == cap)
        abort(); /* not terminated inside its buffer */
    if (s != CA_OK) {
        if (len != 0)
            abort();
        return;
    }
    const uint8_t *z = memchr(r, 0, 30);
    size_t card_len = z ? (size_t)(z - r) : 30;
    if (!model_text((const uint8_t *)g.v, len))
        abort();
    if (!model_text(r, card_len)) {
        if (len != 0)
            abort(); /* a name that is not text, shown */
        return;
    }
    if (len > card_len || memcmp(g.v, r, len) != 0)
        abort(); /* not the name on the card */
    if (card_len < cap && len != card_len)
        abort(); /* cut though it fits */
    if (len < card_len && (len + 4 < cap || (r[len] & 0xC0) == 0x80))
        abort(); /* cut shorter than it needs, or inside a character */
}

static void check_balance(const uint8_t *r, size_t n)
{
    GUARDED(uint32_t) g;
    memset(&g, FILL, sizeof g);
    enum card_ans s = card_read_balance(r, n, &g.v);
    CHECK_GUARDS(g);
    if (s != model_frame(r, n, 4))
        abort();
    if (s == CA_OK ? g.v != be(r, 4) : !all(&g.v, FILL, sizeof g.v))
        abort();
}

static void check_init(const uint8_t *r, size_t n)
{
    GUARDED(struct card_init) g;
    memset(&g, FILL, sizeof g);
    enum card_ans s = card_read_init(r, n, &g.v);
    CHECK_GUARDS(g);
    if (s != model_frame(r, n, 16))
        abort();
    if (s != CA_OK) {
        if (!all(&g.v, FILL, sizeof g.v))
            abort();
        return;
    }
    if (g.v.old_balance != be(r, 4) || g.v.online_serial != be(r + 4, 2) ||
        g.v.key_version != r[6] || g.v.algorithm != r[7] || memcmp(g.v.random, r + 8, 4) ||
        memcmp(g.v.mac1, r + 12, 4))
        abort();
}

static void check_tac(const uint8_t *r, size_t n)
{
    GUARDED(four) g;
    memset(&g, FILL, sizeof g);
    enum card_ans s = card_read_tac(r, n, g.v);
    CHECK_GUARDS(g);
    if (s != model_frame(r, n, 4))
        abort();
    if (s == CA_OK ? memcmp(g.v, r, 4) != 0 : !all(g.v, FILL, 4))
        abort();
}

static void check_proof(const uint8_t *r, size_t n)
{
    GUARDED(four) mac2;
    GUARDED(four) tac;
    memset(&mac2, FILL, sizeof mac2);
    memset(&tac, FILL, sizeof tac);
    enum card_ans s = card_read_proof(r, n, mac2.v, tac.v);
    CHECK_GUARDS(mac2);
    CHECK_GUARDS(tac);
    if (s != model_frame(r, n, 8))
        abort();
    if (s == CA_OK ? memcmp(mac2.v, r, 4) || memcmp(tac.v, r + 4, 4)
                   : !all(mac2.v, FILL, 4) || !all(tac.v, FILL, 4))
        abort();
}

static void check_log(const uint8_t *r, size_t n)
{
    GUARDED(struct card_log) g;
    memset(&g, FILL, sizeof g);
    enum card_ans s = card_read_log(r, n, &g.v), want = model_frame(r, n, 23);
    if (want == CA_OK) {
        if (all(r, 0, 23))
            want = CA_NO_RECORD;
        else if (!model_date(r + 16) || model_time(r + 20) < 0)
            want = CA_BAD_DATA;
    }
    CHECK_GUARDS(g);
    if (s != want)
        abort();
    if (s != CA_OK) {
        if (!all(&g.v, FILL, sizeof g.v))
            abort();
        return;
    }
    if (g.v.serial != be(r, 2) || g.v.amount_fen != be(r + 5, 4) || g.v.type != r[9] ||
        memcmp(g.v.term_id, r + 10, 6) || g.v.date != (uint32_t)model_date(r + 16) ||
        g.v.time != (uint32_t)model_time(r + 20))
        abort();
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* card_hex and back; then the bytes as text into card_unhex. */
static void check_hex(const uint8_t *r, size_t n)
{
    char *hex = malloc(2 * n + 1);
    uint8_t *back = malloc(n + 1);
    char *text = malloc(n + 1);
    if (!hex || !back || !text)
        abort();
    card_hex(r, n, hex);
    if (strlen(hex) != 2 * n || card_unhex(hex, back, n) != 0 || memcmp(back, r, n))
        abort();
    for (size_t i = 0; i < 2 * n; i++)
        if (hexval((uint8_t)hex[i]) < 0 || (hex[i] >= 'a' && hex[i] <= 'f'))
            abort(); /* upper case hex only */
    memcpy(text, r, n);
    text[n] = '\0';
    size_t len = strlen(text), m = len / 2;
    int ok = len % 2 == 0;
    for (size_t i = 0; i < len; i++)
        ok = ok && hexval((uint8_t)text[i]) >= 0;
    memset(back, FILL, n + 1);
    int got = card_unhex(text, back, m);
    if (got != (ok ? 0 : -1))
        abort();
    for (size_t i = 0; ok && i < m; i++)
        if (back[i] != (hexval((uint8_t)text[2 * i]) << 4 | hexval((uint8_t)text[2 * i + 1])))
            abort();
    if (!all(back + (ok ? m : 0), FILL, n + 1 - (ok ? m : 0)))
        abort(); /* written past n, or written at all on -1 */
    if (card_unhex(text, back, m + 1) != -1)
        abort(); /* too few digits for m + 1 bytes */
    free(text);
    free(back);
    free(hex);
}

/* The bytes as a PIN: VERIFY when they are 4 to 12 digits, nothing written otherwise. */
static void check_verify(const uint8_t *r, size_t n)
{
    char *pin = malloc(n + 1);
    if (!pin)
        abort();
    memcpy(pin, r, n);
    pin[n] = '\0';
    size_t len = strlen(pin);
    int ok = len >= CARD_PIN_MIN && len <= CARD_PIN_MAX;
    for (size_t i = 0; i < len; i++)
        ok = ok && pin[i] >= '0' && pin[i] <= '9';
    struct apdu a;
    memset(&a, 0x5A, sizeof a);
    int got = apdu_verify(&a, pin);
    if (got != (ok ? 0 : -1))
        abort();
    if (!ok) {
        if (!all(&a, 0x5A, sizeof a))
            abort();
        free(pin);
        return;
    }
    size_t lc = (len + 1) / 2;
    static const uint8_t head[4] = {0x00, 0x20, 0x00, 0x00};
    if (a.n != 5 + lc || memcmp(a.b, head, 4) || a.b[4] != lc)
        abort();
    for (size_t k = 0; k < 2 * lc; k++) {
        int nib = k % 2 ? a.b[5 + k / 2] & 0x0F : a.b[5 + k / 2] >> 4;
        if (nib != (k < len ? pin[k] - '0' : 0xF))
            abort();
    }
    if (!all(a.b + a.n, 0, APDU_MAX - a.n))
        abort();
    memset(&a, 0, sizeof a); /* the PIN is the caller's to wipe */
    free(pin);
}

/* The other commands, from arguments taken from the bytes: right length, nothing behind. */
static void check_commands(const uint8_t *r, size_t n)
{
    uint8_t arg[16] = {0};
    memcpy(arg, r, n < sizeof arg ? n : sizeof arg);
    struct apdu a;
    apdu_select(&a, r, n);
    if (a.n != (n >= 5 && n <= 16 ? n + 6 : 0) || !all(a.b + a.n, 0, APDU_MAX - a.n))
        abort();
    if (a.n && (a.b[4] != n || memcmp(a.b + 5, r, n) || a.b[5 + n] != 0))
        abort();
    int sfi = (int8_t)arg[0], len = (int16_t)(arg[1] << 8 | arg[2]);
    apdu_read_binary(&a, sfi, len);
    int ok = sfi >= 1 && sfi <= 30 && len >= 1 && len <= 256;
    if (a.n != (ok ? 5u : 0u) || !all(a.b + a.n, 0, APDU_MAX - a.n))
        abort();
    if (ok && (a.b[2] != (0x80 | sfi) || a.b[4] != (len & 0xFF)))
        abort();
    int rec = (int16_t)(arg[3] << 8 | arg[4]);
    apdu_read_record(&a, rec);
    ok = rec >= 1 && rec <= 255;
    if (a.n != (ok ? 5u : 0u) || (ok && (a.b[2] != rec || a.b[3] != 0xC4 || a.b[4] != 23)))
        abort();
    apdu_init_load(&a, be(arg, 4), arg + 4);
    if (a.n != 17 || be(a.b + 6, 4) != be(arg, 4) || memcmp(a.b + 10, arg + 4, 6))
        abort();
    apdu_credit_load(&a, arg, arg + 4, arg + 7);
    if (a.n != 17 || memcmp(a.b + 5, arg, 11) || a.b[16] != 4)
        abort();
    apdu_proof(&a, (uint16_t)be(arg, 2));
    if (a.n != 8 || a.b[5] != arg[0] || a.b[6] != arg[1] || a.b[7] != 8)
        abort();
    apdu_get_balance(&a);
    if (a.n != 5 || !all(a.b + 5, 0, APDU_MAX - 5))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cap = 0;
    size_t skip = 1;
    if (data[0] == 'H' && size >= 2) {
        cap = data[1] % 41; /* 0 to 40 of the 48 bytes */
        skip = 2;
    }
    size_t n = size - skip;
    uint8_t *r = malloc(n ? n : 1); /* exactly the answer: reading past it shows */
    if (!r)
        return 0;
    memcpy(r, data + skip, n);
    switch (data[0]) {
    case 'S':
        check_status(r, n);
        break;
    case 'I':
        check_info(r, n);
        break;
    case 'H':
        check_holder(r, n, cap);
        break;
    case 'B':
        check_balance(r, n);
        break;
    case 'N':
        check_init(r, n);
        break;
    case 'T':
        check_tac(r, n);
        break;
    case 'P':
        check_proof(r, n);
        break;
    case 'L':
        check_log(r, n);
        break;
    case 'X':
        check_hex(r, n);
        break;
    case 'V':
        check_verify(r, n);
        break;
    case 'C':
        check_commands(r, n);
        break;
    default:
        check_status(r, n);
        check_info(r, n);
        check_holder(r, n, 31);
        check_balance(r, n);
        check_init(r, n);
        check_tac(r, n);
        check_proof(r, n);
        check_log(r, n);
        break;
    }
    free(r);
    return 0;
}
