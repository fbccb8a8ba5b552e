/* The virtual fuel card's application: one command APDU in, its answer out (vcard.h). The
 * files and records are laid out as kiosk/services/card/apdu.h documents; the load's
 * cryptography is pboc.h's. Status words, as the card gives them:
 *   9000 done                         6700 wrong length (Lc, or an APDU of under 4 bytes)
 *   6A82 no such application or file 6A83 no such record (past the end of the log)
 *   6A86 wrong P1 P2                  6A80 wrong data (an amount of 0, a balance over
 *   6985 conditions not satisfied:         0x7FFFFFFF, a PIN that is not BCD digits)
 *        our application is not selected, or CREDIT FOR LOAD without INITIALIZE FOR LOAD
 *   6982 INITIALIZE FOR LOAD without a right PIN since the SELECT
 *   63Cx wrong PIN, x tries left      6983 PIN locked (0 tries left)
 *   6A81 the issuer blocked the application (INITIALIZE FOR LOAD)
 *   9403 key index not supported      9302 MAC2 wrong (the pending load is dropped)
 *   9406 GET TRANSACTION PROOF: no load brought the card to that serial
 *   6D00 instruction not supported    6E00 class not supported
 * A SELECT (right or wrong) forgets the PIN and a pending load, as a real card's security
 * state does; so do a power-up, a reset and a power-off. */
#include "vcard.h"

#include <string.h>

#include "pboc.h"

enum {
    SW_OK = 0x9000,
    SW_WRONG_LENGTH = 0x6700,
    SW_SECURITY = 0x6982,
    SW_PIN_LOCKED = 0x6983,
    SW_CONDITIONS = 0x6985,
    SW_WRONG_DATA = 0x6A80,
    SW_FUNCTION = 0x6A81,
    SW_NOT_FOUND = 0x6A82,
    SW_NO_RECORD = 0x6A83,
    SW_WRONG_P1P2 = 0x6A86,
    SW_NO_INS = 0x6D00,
    SW_NO_CLA = 0x6E00,
    SW_MAC_INVALID = 0x9302,
    SW_KEY_INDEX = 0x9403,
    SW_NO_PROOF = 0x9406,
};

/* A command APDU taken apart (ISO 7816-4 short cases 1 to 4). */
struct cmd {
    uint8_t cla, ins, p1, p2;
    size_t lc;
    const uint8_t *data;
    int has_le;
    size_t le; /* 1..256 (00 = 256) */
};

static size_t put_sw(uint8_t *r, size_t k, unsigned sw)
{
    r[k] = (uint8_t)(sw >> 8);
    r[k + 1] = (uint8_t)sw;
    return k + 2;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 8 decimal digits (YYYYMMDD) as 4 BCD bytes. */
static void put_bcd8(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--) {
        p[i] = (uint8_t)((v / 10 % 10) << 4 | v % 10);
        v /= 100;
    }
}

/* splitmix64: a fixed generator, so every run of a test gets the same randoms. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void log_record(uint8_t r[VC_LOG_REC], uint16_t serial, uint32_t amount, uint8_t type,
                       const uint8_t term[6], const uint8_t date[4], const uint8_t time[3])
{
    r[0] = (uint8_t)(serial >> 8);
    r[1] = (uint8_t)serial;
    memset(r + 2, 0, 3); /* overdraft limit */
    put_u32(r + 5, amount);
    r[9] = type;
    memcpy(r + 10, term, 6);
    memcpy(r + 16, date, 4);
    memcpy(r + 20, time, 3);
}

static void log_prepend(struct vc_state *st, const uint8_t r[VC_LOG_REC])
{
    int keep = st->nlog < VC_LOG_MAX ? st->nlog : VC_LOG_MAX - 1;
    memmove(st->log[1], st->log[0], (size_t)keep * VC_LOG_REC);
    memcpy(st->log[0], r, VC_LOG_REC);
    st->nlog = keep + 1;
}

void vc_state_fresh(const struct vc_def *def, struct vc_state *st)
{
    static const uint32_t amounts[] = {20000, 15000, 25000};
    static const uint8_t station[6] = {0, 0, 0, 0, 0, 0x09};
    memset(st, 0, sizeof *st);
    st->balance = def->balance;
    st->tries = def->tries;
    /* FNV-1a of the card number: each card its own, fixed, sequence */
    st->rng = 0xCBF29CE484222325ull;
    for (const char *c = def->card_no; *c; c++)
        st->rng = (st->rng ^ (uint8_t)*c) * 0x100000001B3ull;
    /* purchases at the station's pump terminal in November 2026, oldest first (record
     * i = 0 is the newest: offline serial n, 28 Nov) */
    int n = def->log < VC_LOG_MAX ? def->log : VC_LOG_MAX;
    for (int i = n - 1; i >= 0; i--) {
        uint8_t r[VC_LOG_REC], date[4], time[3];
        unsigned hh = 8 + (unsigned)(i * 3) % 12, mm = (unsigned)(i * 17) % 60;
        unsigned ss = (unsigned)(i * 29) % 60;
        put_bcd8(date, 20261128u - 3u * (unsigned)i);
        time[0] = (uint8_t)(hh / 10 << 4 | hh % 10);
        time[1] = (uint8_t)(mm / 10 << 4 | mm % 10);
        time[2] = (uint8_t)(ss / 10 << 4 | ss % 10);
        log_record(r, (uint16_t)(n - i), amounts[i % 3], VC_PURCHASE_TYPE, station, date, time);
        log_prepend(st, r);
    }
}

void vc_card_reset(struct vc_card *c)
{
    c->selected = c->pin_ok = c->pending = 0;
    memset(c->p_sk, 0, sizeof c->p_sk);
}

void vc_file_info(const struct vc_def *def, uint8_t out[32])
{
    memset(out, 0, 32);
    /* issuer id: the card number's first 8 digits, BCD, then zeros */
    for (int i = 0; i < 8; i++) {
        uint8_t bcd = (uint8_t)((def->card_no[2 * i] - '0') << 4 | (def->card_no[2 * i + 1] - '0'));
        if (i < 4)
            out[i] = bcd;
        out[10 + i] = bcd; /* the card number */
    }
    out[8] = 0x02; /* app type: e-purse */
    out[9] = 0x01; /* app version */
    put_bcd8(out + 18, def->start);
    put_bcd8(out + 22, def->expiry);
    out[26] = (uint8_t)def->kind;
    out[27] = def->blocked ? 0x01 : 0x00;
}

void vc_file_holder(const struct vc_def *def, uint8_t out[32])
{
    memset(out, 0, 32);
    memcpy(out, def->holder, strnlen(def->holder, VC_HOLDER_MAX));
}

/* Takes a command apart: 0, or -1 when its lengths do not add up. */
static int parse(const uint8_t *a, size_t n, struct cmd *c)
{
    if (n < 4)
        return -1;
    memset(c, 0, sizeof *c);
    c->cla = a[0];
    c->ins = a[1];
    c->p1 = a[2];
    c->p2 = a[3];
    if (n == 4)
        return 0;
    if (n == 5) {
        c->has_le = 1;
        c->le = a[4] ? a[4] : 256;
        return 0;
    }
    c->lc = a[4];
    if (c->lc == 0) /* an extended length: not supported */
        return -1;
    c->data = a + 5;
    if (n == 5 + c->lc)
        return 0;
    if (n == 6 + c->lc) {
        c->has_le = 1;
        c->le = a[5 + c->lc] ? a[5 + c->lc] : 256;
        return 0;
    }
    return -1;
}

static size_t do_select(struct vc_card *k, const struct cmd *c, uint8_t *r)
{
    vc_card_reset(k);
    int ours;
    if (c->p1 == 0x04 && (c->p2 == 0x00 || c->p2 == 0x0C))
        ours = c->lc == k->aid_n && memcmp(c->data, k->aid, k->aid_n) == 0;
    else if (c->p1 == 0x00 && (c->p2 == 0x00 || c->p2 == 0x0C))
        ours = c->lc == 2 && c->data[0] == 0x10 && c->data[1] == 0x01; /* the ADF, 1001 */
    else
        return put_sw(r, 0, SW_WRONG_P1P2);
    if (!ours || k->def->other_app)
        return put_sw(r, 0, SW_NOT_FOUND);
    k->selected = 1;
    return put_sw(r, 0, SW_OK);
}

static size_t do_read_binary(struct vc_card *k, const struct cmd *c, uint8_t *r)
{
    uint8_t file[32];
    if (c->lc)
        return put_sw(r, 0, SW_WRONG_LENGTH);
    if (!(c->p1 & 0x80))
        return put_sw(r, 0, SW_WRONG_P1P2); /* no current file to read by offset */
    switch (c->p1 & 0x1F) {
    case 0x15:
        vc_file_info(k->def, file);
        break;
    case 0x16:
        vc_file_holder(k->def, file);
        break;
    default:
        return put_sw(r, 0, SW_NOT_FOUND);
    }
    size_t off = c->p2, want = c->has_le ? c->le : sizeof file;
    if (off > sizeof file)
        return put_sw(r, 0, SW_WRONG_P1P2);
    size_t n = sizeof file - off < want ? sizeof file - off : want;
    memcpy(r, file + off, n);
    return put_sw(r, n, SW_OK);
}

/* The PIN's digits from BCD padded with F: 0, or -1 when it is not that. */
static int pin_digits(const struct cmd *c, char *out, size_t cap)
{
    size_t n = 0;
    int ended = 0;
    for (size_t i = 0; i < 2 * c->lc; i++) {
        unsigned d = i % 2 ? c->data[i / 2] & 0x0F : c->data[i / 2] >> 4;
        if (d == 0xF) {
            ended = 1;
        } else if (d > 9 || ended || n + 1 >= cap) {
            return -1;
        } else {
            out[n++] = (char)('0' + d);
        }
    }
    out[n] = '\0';
    return n >= 4 ? 0 : -1;
}

static size_t do_verify(struct vc_card *k, const struct cmd *c, uint8_t *r, int *changed)
{
    char pin[2 * 8 + 1];
    if (c->p1 != 0x00 || c->p2 != 0x00)
        return put_sw(r, 0, SW_WRONG_P1P2);
    if (k->st.tries <= 0)
        return put_sw(r, 0, SW_PIN_LOCKED);
    if (!c->lc) /* no PIN: the tries left */
        return put_sw(r, 0, 0x63C0u | (unsigned)k->st.tries);
    if (c->lc > 8 || pin_digits(c, pin, sizeof pin) != 0)
        return put_sw(r, 0, SW_WRONG_DATA);
    int right = strcmp(pin, k->def->pin) == 0;
    memset(pin, 0, sizeof pin);
    if (right) {
        if (k->st.tries != VC_TRIES)
            *changed = 1;
        k->st.tries = VC_TRIES;
        k->pin_ok = 1;
        return put_sw(r, 0, SW_OK);
    }
    k->pin_ok = 0;
    k->st.tries--;
    *changed = 1;
    return put_sw(r, 0, k->st.tries ? 0x63C0u | (unsigned)k->st.tries : SW_PIN_LOCKED);
}

static size_t do_balance(struct vc_card *k, const struct cmd *c, uint8_t *r)
{
    if (c->p1 != 0x00 || c->p2 != 0x02)
        return put_sw(r, 0, SW_WRONG_P1P2);
    if (c->lc)
        return put_sw(r, 0, SW_WRONG_LENGTH);
    put_u32(r, k->st.balance);
    return put_sw(r, 4, SW_OK);
}

static size_t do_init_load(struct vc_card *k, const struct cmd *c, uint8_t *r)
{
    if (c->p1 != 0x00 || c->p2 != 0x02)
        return put_sw(r, 0, SW_WRONG_P1P2);
    if (c->lc != 11)
        return put_sw(r, 0, SW_WRONG_LENGTH);
    k->pending = 0;
    if (k->def->blocked)
        return put_sw(r, 0, SW_FUNCTION);
    if (!k->pin_ok)
        return put_sw(r, 0, SW_SECURITY);
    if (c->data[0] != 0x01)
        return put_sw(r, 0, SW_KEY_INDEX);
    uint32_t amount = get_u32(c->data + 1);
    if (amount == 0 || amount > 0x7FFFFFFFu - k->st.balance || k->st.serial == 0xFFFF)
        return put_sw(r, 0, SW_WRONG_DATA);

    uint8_t random[4];
    put_u32(random, (uint32_t)(rng_next(&k->st.rng) >> 32));
    k->p_amount = amount;
    k->p_serial = k->st.serial;
    memcpy(k->p_term, c->data + 5, 6);
    pboc_session_key(k->def->dlk, random, k->p_serial, k->p_sk);
    k->pending = 1;

    put_u32(r, k->st.balance);
    r[4] = (uint8_t)(k->p_serial >> 8);
    r[5] = (uint8_t)k->p_serial;
    r[6] = 0x01; /* key version */
    r[7] = 0x00; /* algorithm: DES */
    memcpy(r + 8, random, 4);
    pboc_mac1(k->p_sk, k->st.balance, amount, VC_LOAD_TYPE, k->p_term, r + 12);
    return put_sw(r, 16, SW_OK);
}

static size_t do_credit(struct vc_card *k, const struct cmd *c, uint8_t *r, int *changed)
{
    if (c->p1 != 0x00 || c->p2 != 0x00)
        return put_sw(r, 0, SW_WRONG_P1P2);
    if (c->lc != 11)
        return put_sw(r, 0, SW_WRONG_LENGTH);
    if (!k->pending)
        return put_sw(r, 0, SW_CONDITIONS);
    const uint8_t *date = c->data, *time = c->data + 4, *mac2 = c->data + 7;
    uint8_t want[4];
    pboc_mac2(k->p_sk, k->p_amount, VC_LOAD_TYPE, k->p_term, date, time, want);
    k->pending = 0;
    memset(k->p_sk, 0, sizeof k->p_sk);
    if (memcmp(want, mac2, 4) != 0)
        return put_sw(r, 0, SW_MAC_INVALID);

    struct vc_state *st = &k->st;
    uint8_t rec[VC_LOG_REC];
    st->balance += k->p_amount;
    st->serial = (uint16_t)(k->p_serial + 1);
    log_record(rec, k->p_serial, k->p_amount, VC_LOAD_TYPE, k->p_term, date, time);
    log_prepend(st, rec);
    if (st->nproof == VC_PROOF_MAX) {
        memmove(st->proof, st->proof + 1, (VC_PROOF_MAX - 1) * sizeof st->proof[0]);
        st->nproof--;
    }
    struct vc_proof *p = &st->proof[st->nproof++];
    p->serial = st->serial;
    memcpy(p->mac2, mac2, 4);
    pboc_tac(k->def->dtk, st->balance, k->p_serial, k->p_amount, VC_LOAD_TYPE, k->p_term, date,
             time, p->tac);
    *changed = 1;
    memcpy(r, p->tac, 4);
    return put_sw(r, 4, SW_OK);
}

static size_t do_proof(struct vc_card *k, const struct cmd *c, uint8_t *r)
{
    if (c->p1 != 0x00)
        return put_sw(r, 0, SW_WRONG_P1P2);
    if (c->lc != 2)
        return put_sw(r, 0, SW_WRONG_LENGTH);
    uint16_t serial = (uint16_t)(c->data[0] << 8 | c->data[1]);
    for (int i = k->st.nproof - 1; c->p2 == VC_LOAD_TYPE && i >= 0; i--) {
        const struct vc_proof *p = &k->st.proof[i];
        if (p->serial == serial) {
            memcpy(r, p->mac2, 4);
            memcpy(r + 4, p->tac, 4);
            return put_sw(r, 8, SW_OK);
        }
    }
    return put_sw(r, 0, SW_NO_PROOF);
}

static size_t do_read_record(struct vc_card *k, const struct cmd *c, uint8_t *r)
{
    if ((c->p2 & 0x07) != 0x04 || c->p1 == 0)
        return put_sw(r, 0, SW_WRONG_P1P2);
    if (c->lc)
        return put_sw(r, 0, SW_WRONG_LENGTH);
    if (c->p2 >> 3 != 0x18)
        return put_sw(r, 0, SW_NOT_FOUND);
    if (c->p1 > k->st.nlog)
        return put_sw(r, 0, SW_NO_RECORD);
    memcpy(r, k->st.log[c->p1 - 1], VC_LOG_REC);
    return put_sw(r, VC_LOG_REC, SW_OK);
}

size_t vc_apdu(struct vc_card *k, const uint8_t *a, size_t n, uint8_t *r, int *changed)
{
    struct cmd c;
    *changed = 0;
    if (n >= 1 && a[0] != 0x00 && a[0] != 0x80)
        return put_sw(r, 0, SW_NO_CLA);
    if (parse(a, n, &c) != 0)
        return put_sw(r, 0, SW_WRONG_LENGTH);
    uint8_t want_cla;
    switch (c.ins) {
    case 0xA4: /* SELECT */
    case 0xB0: /* READ BINARY */
    case 0x20: /* VERIFY */
    case 0xB2: /* READ RECORD */
        want_cla = 0x00;
        break;
    case 0x5C: /* GET BALANCE */
    case 0x50: /* INITIALIZE FOR LOAD */
    case 0x52: /* CREDIT FOR LOAD */
    case 0x5A: /* GET TRANSACTION PROOF */
        want_cla = 0x80;
        break;
    default:
        return put_sw(r, 0, SW_NO_INS);
    }
    if (c.cla != want_cla)
        return put_sw(r, 0, SW_NO_CLA);
    if (c.ins == 0xA4)
        return do_select(k, &c, r);
    if (!k->selected)
        return put_sw(r, 0, SW_CONDITIONS);
    switch (c.ins) {
    case 0xB0:
        return do_read_binary(k, &c, r);
    case 0x20:
        return do_verify(k, &c, r, changed);
    case 0xB2:
        return do_read_record(k, &c, r);
    case 0x5C:
        return do_balance(k, &c, r);
    case 0x50:
        return do_init_load(k, &c, r);
    case 0x52:
        return do_credit(k, &c, r, changed);
    default:
        return do_proof(k, &c, r);
    }
}
