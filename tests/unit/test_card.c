/* The fuel-card flow (card/flow.h), driven directly: pure state machine, made-up times. The
 * test plays the card (response APDUs built from the files' layout in apdu.h, each in a heap
 * buffer of exactly its length) and the backend (answers filled by hand). Each step checks
 * the command the flow sent (its INS byte) before the card's answer goes in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/log.h"
#include "effects_find.h"
#include "flow.h"

/* The INS byte of each command the flow sends. */
#define INS_SELECT 0xA4
#define INS_READ 0xB0
#define INS_VERIFY 0x20
#define INS_BALANCE 0x5C
#define INS_INIT 0x50
#define INS_CREDIT 0x52
#define INS_PROOF 0x5A
#define INS_RECORD 0xB2

#define TODAY 20261130u
#define TXN "T0001-20261130-000001"
#define MAC2_HEX "3A845BF0"
#define TAC_HEX "11223344"

/* A card as its files hold it. */
struct chip {
    const char *no; /* 16 digits */
    uint32_t start, expiry;
    uint8_t kind, status; /* 1 personal, 2 main, 3 sub; 0 active */
    const char *holder;
    uint32_t balance; /* the e-purse, fen */
};

static const struct chip LIU = {"1000113300002001", 20240101, 20301231, 1, 0, "刘洋", 8800};
static const struct chip CHEN = {"1000113300002002", 20240101, 20301231, 1, 0, "陈静", 1500};
static const struct chip MAIN = {"1000113300001234",     20240101, 20301231, 2, 0,
                                 "北京京华运输有限公司", 0};

static const uint8_t AID[] = {0xA0, 0x00, 0x00, 0x00, 0x03, 0x86, 0x98, 0x07, 0x01};

static struct effects fx;
static struct cd_answer A; /* the answer being sent */
static int64_t now_ms;     /* the step's time: each step 10 ms after the last */

static void config(struct cd_config *c)
{
    memset(c, 0, sizeof *c);
    memcpy(c->aid, AID, sizeof AID);
    c->aid_len = sizeof AID;
    static const uint8_t tid[6] = {0, 0, 0, 0, 0, 1};
    memcpy(c->term_id, tid, 6);
    c->terminal = "T0001";
    c->presets_fen[0] = 5000;
    c->presets_fen[1] = 10000;
    c->presets_fen[2] = 20000;
    c->presets_fen[3] = 50000;
    c->pin_len = 6;
    c->today = TODAY;
}

static void init(struct cd_flow *f)
{
    struct cd_config c;
    config(&c);
    cd_init(f, &c);
    now_ms = 1796000000000;
}

/* ---- steps ------------------------------------------------------------------------------- */

static int pos(enum effect_kind k, int64_t i)
{
    return effects_find(&fx, k, i);
}

static int has(enum effect_kind k, int64_t i)
{
    return pos(k, i) >= 0;
}

static int count(enum effect_kind k)
{
    int n = 0;
    for (int i = 0; i < fx.n; i++)
        n += fx.v[i].kind == k;
    return n;
}

static void step(struct cd_flow *f, struct cd_event e)
{
    now_ms += 10;
    fx.n = 0;
    cd_step(f, &e, now_ms, &fx);
    assert_true(fx.n <= EFFECTS_MAX);
}

static void go(struct cd_flow *f, enum cd_input in)
{
    step(f, (struct cd_event){.in = in});
}

static void go_index(struct cd_flow *f, enum cd_input in, int index)
{
    step(f, (struct cd_event){.in = in, .index = index});
}

static void card_event(struct cd_flow *f, int present)
{
    step(f, (struct cd_event){.in = CD_IN_CARD, .ok = present});
}

static void key(struct cd_flow *f, const char *k)
{
    step(f, (struct cd_event){.in = CD_IN_KEY, .text = k});
}

/* Each character of s as its own key. */
static void keys(struct cd_flow *f, const char *s)
{
    for (; *s; s++) {
        char k[2] = {*s, '\0'};
        key(f, k);
    }
}

static void journal(struct cd_flow *f, int ok)
{
    step(f, (struct cd_event){.in = CD_IN_JOURNAL, .ok = ok});
}

static void answer(struct cd_flow *f, enum cd_call k, const struct cd_answer *a)
{
    step(f, (struct cd_event){.in = CD_IN_ANSWER, .call = k, .answer = a});
}

static void tick(struct cd_flow *f, int64_t at)
{
    now_ms = at - 10; /* step() adds its 10 */
    go(f, CD_IN_TICK);
}

/* The card answers the command in flight: n bytes of data and the status word, in a buffer
 * of exactly that length. */
static void card_says(struct cd_flow *f, const void *data, size_t n, int sw)
{
    uint8_t *r = malloc(n + 2);
    assert_non_null(r);
    if (n)
        memcpy(r, data, n);
    r[n] = (uint8_t)(sw >> 8);
    r[n + 1] = (uint8_t)sw;
    step(f, (struct cd_event){.in = CD_IN_APDU, .ok = 1, .data = r, .len = n + 2});
    free(r);
}

/* Exactly these bytes, whatever they are (a card gone mid-answer). */
static void card_raw(struct cd_flow *f, const uint8_t *b, size_t n)
{
    uint8_t *r = malloc(n ? n : 1);
    assert_non_null(r);
    memcpy(r, b, n);
    step(f, (struct cd_event){.in = CD_IN_APDU, .ok = 1, .data = r, .len = n});
    free(r);
}

static void card_sw(struct cd_flow *f, int sw)
{
    card_says(f, NULL, 0, sw);
}

/* The command the step sent: exactly one EFF_APDU, with INS `ins`. */
static const struct apdu *sent(uint8_t ins)
{
    assert_int_equal(count(EFF_APDU), 1);
    int p = pos(EFF_APDU, -1);
    assert_int_equal(fx.v[p].ndata, sizeof(struct apdu));
    const struct apdu *a = (const struct apdu *)fx.v[p].data;
    if (a->b[1] != ins)
        fail_msg("sent INS %02X, not %02X", a->b[1], ins);
    return a;
}

static void expect_bytes(const struct apdu *a, const uint8_t *want, size_t n)
{
    assert_int_equal(a->n, n);
    assert_memory_equal(a->b, want, n);
}
#define EXPECT_APDU(a, ...)                                                                        \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        expect_bytes(a, want_, sizeof want_);                                                      \
    } while (0)

/* The request the step's call of kind k carries. */
static const struct cd_request *req(enum cd_call k)
{
    int p = pos(EFF_CALL, k);
    assert_true(p >= 0);
    assert_int_equal(fx.v[p].ndata, sizeof(struct cd_request));
    const struct cd_request *rq = (const struct cd_request *)fx.v[p].data;
    assert_int_equal(rq->call, k);
    return rq;
}

/* The load record EFF_INTENT or EFF_TXN carries. */
static const struct cd_load_record *rec(enum effect_kind k)
{
    assert_int_equal(count(k), 1);
    int p = pos(k, -1);
    assert_int_equal(fx.v[p].ndata, sizeof(struct cd_load_record));
    return (const struct cd_load_record *)fx.v[p].data;
}

/* ---- the card's side --------------------------------------------------------------------- */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Decimal digits (an even number of them) as BCD. */
static void put_bcd(uint8_t *p, const char *digits)
{
    for (size_t i = 0; digits[2 * i]; i++)
        p[i] = (uint8_t)((digits[2 * i] - '0') << 4 | (digits[2 * i + 1] - '0'));
}

static void put_date(uint8_t *p, uint32_t yyyymmdd)
{
    char d[9];
    snprintf(d, sizeof d, "%08u", (unsigned)yyyymmdd);
    put_bcd(p, d);
}

/* SFI 0x15: issuer (8), app type, version, number (8 BCD), start, expiry (4 BCD each),
 * kind, status, RFU (4). */
static void info_file(const struct chip *c, uint8_t out[32])
{
    static const uint8_t issuer[8] = {0x10, 0x00, 0x11, 0x33, 0xFF, 0xFF, 0xFF, 0xFF};
    memset(out, 0, 32);
    memcpy(out, issuer, 8);
    out[8] = 0x02;
    out[9] = 0x01;
    put_bcd(out + 10, c->no);
    put_date(out + 18, c->start);
    put_date(out + 22, c->expiry);
    out[26] = c->kind;
    out[27] = c->status;
}

static void card_info(struct cd_flow *f, const struct chip *c)
{
    uint8_t b[32];
    info_file(c, b);
    card_says(f, b, sizeof b, 0x9000);
}

static void card_holder(struct cd_flow *f, const char *name)
{
    uint8_t b[32] = {0};
    memcpy(b, name, strlen(name));
    card_says(f, b, sizeof b, 0x9000);
}

static void card_balance(struct cd_flow *f, uint32_t fen)
{
    uint8_t b[4];
    put_be32(b, fen);
    card_says(f, b, sizeof b, 0x9000);
}

/* INITIALIZE FOR LOAD: old balance, online serial, key version 01, algorithm 00, random,
 * MAC1. */
static void card_init(struct cd_flow *f, uint32_t old_balance, uint16_t serial)
{
    uint8_t b[16] = {0};
    put_be32(b, old_balance);
    b[4] = (uint8_t)(serial >> 8);
    b[5] = (uint8_t)serial;
    b[6] = 0x01;
    b[7] = 0x00;
    static const uint8_t rnd_mac1[8] = {0x1A, 0x2B, 0x3C, 0x4D, 0x29, 0x88, 0xAE, 0x5A};
    memcpy(b + 8, rnd_mac1, 8);
    card_says(f, b, sizeof b, 0x9000);
}

static void card_tac(struct cd_flow *f)
{
    static const uint8_t tac[4] = {0x11, 0x22, 0x33, 0x44};
    card_says(f, tac, sizeof tac, 0x9000);
}

static void card_proof(struct cd_flow *f)
{
    static const uint8_t proof[8] = {0x3A, 0x84, 0x5B, 0xF0, 0x11, 0x22, 0x33, 0x44};
    card_says(f, proof, sizeof proof, 0x9000);
}

/* A log record: serial, overdraft (3), amount, type, terminal (6), date (4), time (3). */
static void card_log(struct cd_flow *f, uint16_t serial, uint32_t fen, uint8_t type)
{
    uint8_t b[23] = {0};
    b[0] = (uint8_t)(serial >> 8);
    b[1] = (uint8_t)serial;
    put_be32(b + 5, fen);
    b[9] = type;
    b[15] = 0x01;
    put_date(b + 16, 20261129);
    put_bcd(b + 20, "101500");
    card_says(f, b, sizeof b, 0x9000);
}

/* ---- the backend's side ------------------------------------------------------------------ */

/* GET card: an active account of `kind` holding `account` (and `allocation`), cap ¥5000 on
 * the chip and ¥5000 a day, nothing recharged today, no pending load. */
static struct cd_answer *account(const char *kind, int64_t account, int64_t allocation)
{
    memset(&A, 0, sizeof A);
    A.ok = 1;
    A.status = 200;
    struct cd_account *c = &A.account;
    snprintf(c->no_masked, sizeof c->no_masked, "1000********2001");
    snprintf(c->holder_masked, sizeof c->holder_masked, "刘*");
    snprintf(c->kind, sizeof c->kind, "%s", kind);
    snprintf(c->status, sizeof c->status, "active");
    snprintf(c->invoice_mode, sizeof c->invoice_mode, "recharge");
    c->account_fen = account;
    c->allocation_fen = allocation;
    c->balance_cap_fen = 500000;
    c->daily_cap_fen = 500000;
    return &A;
}

static void add_pending(struct cd_answer *a, const char *id, int64_t fen, int serial)
{
    struct cd_pending *p = &a->account.pending[a->account.npending++];
    snprintf(p->load_id, sizeof p->load_id, "%s", id);
    p->amount_fen = fen;
    p->online_serial = serial;
    snprintf(p->source, sizeof p->source, "account");
}

static const struct cd_answer *mac2_answer(void)
{
    memset(&A, 0, sizeof A);
    A.ok = 1;
    A.status = 201;
    snprintf(A.mac2, sizeof A.mac2, MAC2_HEX);
    snprintf(A.date, sizeof A.date, "20261130");
    snprintf(A.time, sizeof A.time, "141503");
    return &A;
}

static const struct cd_answer *ok_answer(void)
{
    memset(&A, 0, sizeof A);
    A.ok = 1;
    A.status = 200;
    return &A;
}

/* An error answer (status 0: none at all). */
static const struct cd_answer *refused(int status, const char *code)
{
    memset(&A, 0, sizeof A);
    A.status = status;
    A.transport = status == 0;
    snprintf(A.code, sizeof A.code, "%s", code);
    return &A;
}

/* ---- journeys ------------------------------------------------------------------------------ */

/* `c` on the reader and the tile chosen: SELECT, info, holder, balance, then GET card. */
static void read_card(struct cd_flow *f, const struct chip *c)
{
    step(f, (struct cd_event){.in = CD_IN_START, .ok = 1});
    assert_int_equal(f->state, CD_READING);
    sent(INS_SELECT);
    card_sw(f, 0x9000);
    const struct apdu *a = sent(INS_READ);
    assert_int_equal(a->b[2], 0x80 | CARD_SFI_INFO);
    card_info(f, c);
    a = sent(INS_READ);
    assert_int_equal(a->b[2], 0x80 | CARD_SFI_HOLDER);
    card_holder(f, c->holder);
    sent(INS_BALANCE);
    card_balance(f, c->balance);
    assert_int_equal(f->state, CD_LOOKUP);
    assert_string_equal(req(CD_CALL_CARD)->card_no, c->no);
}

/* The PIN 123456, verified. */
static void pin_ok(struct cd_flow *f)
{
    assert_int_equal(f->state, CD_PIN);
    keys(f, "123456");
    key(f, "ok");
    sent(INS_VERIFY);
    card_sw(f, 0x9000);
}

/* Read, looked up (answer `a`), the PIN: the menu (no pending load). */
static void to_menu(struct cd_flow *f, const struct chip *c, const struct cd_answer *a)
{
    read_card(f, c);
    answer(f, CD_CALL_CARD, a);
    pin_ok(f);
    assert_int_equal(f->state, CD_MENU);
}

/* CHEN at the menu: ¥300 in the account, ¥15 on the chip, a cap of ¥5000. */
static void chen_menu(struct cd_flow *f)
{
    init(f);
    to_menu(f, &CHEN, account("personal", 30000, 0));
}

/* From the menu, "load what is waiting" driven until the load's step is `upto` (its command
 * or call just sent). */
static void load_until(struct cd_flow *f, enum cd_step upto)
{
    go(f, CD_IN_LOAD);
    assert_int_equal(f->state, CD_LOADING);
    assert_int_equal(f->step, CS_INIT);
    sent(INS_INIT);
    if (upto == CS_INIT)
        return;
    card_init(f, 1500, 7);
    assert_int_equal(f->step, CS_MAC2);
    if (upto == CS_MAC2)
        return;
    answer(f, CD_CALL_LOAD, mac2_answer());
    assert_int_equal(f->step, CS_INTENT);
    if (upto == CS_INTENT)
        return;
    journal(f, 1);
    sent(INS_CREDIT);
    assert_int_equal(f->step, CS_CREDIT);
    if (upto == CS_CREDIT)
        return;
    card_tac(f);
    assert_int_equal(f->step, CS_RECORD);
    if (upto == CS_RECORD)
        return;
    journal(f, 1);
    assert_int_equal(f->step, CS_CONFIRM);
    if (upto == CS_CONFIRM)
        return;
    answer(f, CD_CALL_CONFIRM, ok_answer());
    assert_int_equal(f->step, CS_BALANCE);
    sent(INS_BALANCE);
}

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

/* ---- 1, 2: reading the card, the PIN ----------------------------------------------------- */

static void insert_read_and_pin(void **state)
{
    (void)state;
    static struct cd_flow f;
    init(&f);
    assert_int_equal(cd_deadline(&f), INT64_MAX);
    /* the tile without a card: "insert your card"; the card arrives */
    step(&f, (struct cd_event){.in = CD_IN_START, .ok = 0});
    assert_int_equal(f.state, CD_INSERT);
    assert_string_equal(cd_screen_name(&f), "card_insert");
    assert_false(has(EFF_APDU, -1));
    card_event(&f, 1);
    assert_int_equal(f.state, CD_READING);
    assert_true(f.present);
    assert_true(f.busy);
    assert_int_equal(cd_deadline(&f), now_ms + CD_APDU_MS);
    EXPECT_APDU(sent(INS_SELECT), 0x00, 0xA4, 0x04, 0x00, 0x09, 0xA0, 0x00, 0x00, 0x00, 0x03, 0x86,
                0x98, 0x07, 0x01, 0x00);
    card_sw(&f, 0x9000);
    EXPECT_APDU(sent(INS_READ), 0x00, 0xB0, 0x95, 0x00, 0x20);
    card_info(&f, &LIU);
    assert_string_equal(f.info.card_no, LIU.no);
    assert_int_equal(f.info.expiry_date, 20301231);
    assert_int_equal(f.info.kind, CARD_PERSONAL);
    EXPECT_APDU(sent(INS_READ), 0x00, 0xB0, 0x96, 0x00, 0x20);
    card_holder(&f, "刘洋");
    assert_string_equal(f.holder, "刘洋");
    EXPECT_APDU(sent(INS_BALANCE), 0x80, 0x5C, 0x00, 0x02, 0x04);
    card_balance(&f, 8800);
    assert_int_equal(f.balance_fen, 8800);
    /* four APDUs, then the backend's side */
    assert_int_equal(f.state, CD_LOOKUP);
    assert_false(has(EFF_APDU, -1));
    assert_string_equal(req(CD_CALL_CARD)->card_no, LIU.no);
    assert_int_equal(cd_deadline(&f), now_ms + CD_CALL_MS);
    assert_false(cd_busy(&f)); /* no money moving */
    answer(&f, CD_CALL_CARD, account("personal", 0, 0));
    assert_int_equal(f.state, CD_PIN);
    assert_string_equal(cd_screen_name(&f), "card_pin");
    assert_true(f.have_account);
    assert_false(f.busy);
    assert_int_equal(cd_deadline(&f), INT64_MAX);

    /* five digits are not a PIN */
    keys(&f, "12345");
    assert_string_equal(f.pin, "12345");
    assert_true(has(EFF_REDRAW, -1));
    key(&f, "ok");
    assert_int_equal(f.note, CD_NOTE_PIN_SHORT);
    assert_int_equal(f.state, CD_PIN);
    assert_false(has(EFF_APDU, -1));
    /* the sixth digit; a seventh is not taken; del and the digit again */
    key(&f, "6");
    assert_int_equal(f.note, CD_NOTE_NONE);
    key(&f, "7");
    assert_string_equal(f.pin, "123456");
    key(&f, "del");
    assert_string_equal(f.pin, "12345");
    key(&f, "x"); /* not a key of the keypad */
    key(&f, "66");
    assert_string_equal(f.pin, "12345");
    key(&f, "6");
    key(&f, "ok");
    assert_int_equal(f.state, CD_VERIFYING);
    EXPECT_APDU(sent(INS_VERIFY), 0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x56);
    assert_true(all_zero(f.pin, sizeof f.pin)); /* wiped when the command was built */
    card_sw(&f, 0x9000);
    assert_true(f.verified);
    assert_int_equal(f.state, CD_MENU);
    assert_string_equal(cd_screen_name(&f), "card_menu");
    assert_false(has(EFF_APDU, -1));
    assert_false(has(EFF_CALL, -1));
    assert_int_equal(cd_deadline(&f), INT64_MAX);

    /* "clear" empties the PIN */
    init(&f);
    read_card(&f, &LIU);
    answer(&f, CD_CALL_CARD, account("personal", 0, 0));
    keys(&f, "1234");
    key(&f, "clear");
    assert_string_equal(f.pin, "");
    assert_true(all_zero(f.pin, sizeof f.pin));
    key(&f, "ok");
    assert_int_equal(f.note, CD_NOTE_PIN_SHORT);
    /* back from the PIN: home */
    go(&f, CD_IN_BACK);
    assert_true(has(EFF_HOME, -1));
}

static void wrong_pin_then_locked(void **state)
{
    (void)state;
    static struct cd_flow f;
    init(&f);
    read_card(&f, &LIU);
    answer(&f, CD_CALL_CARD, account("personal", 0, 0));
    assert_int_equal(f.pin_tries_left, -1);
    keys(&f, "654321");
    key(&f, "ok");
    sent(INS_VERIFY);
    card_sw(&f, 0x63C2);
    assert_int_equal(f.state, CD_PIN);
    assert_int_equal(f.note, CD_NOTE_WRONG_PIN);
    assert_int_equal(f.pin_tries_left, 2);
    assert_false(f.verified);
    assert_string_equal(f.pin, "");
    assert_false(has(EFF_APDU, -1));
    /* a digit clears nothing of the count; the next wrong PIN locks it */
    keys(&f, "111111");
    assert_int_equal(f.pin_tries_left, 2);
    key(&f, "ok");
    EXPECT_APDU(sent(INS_VERIFY), 0x00, 0x20, 0x00, 0x00, 0x03, 0x11, 0x11, 0x11);
    card_sw(&f, 0x6983);
    assert_int_equal(f.state, CD_LOCKED);
    assert_string_equal(cd_screen_name(&f), "card_locked");
    assert_false(f.verified);
    assert_false(has(EFF_APDU, -1));
    /* taken at the end: home */
    card_event(&f, 0);
    assert_true(has(EFF_HOME, -1));

    /* 63C0 is locked too; anything else from VERIFY is a bad card */
    init(&f);
    read_card(&f, &LIU);
    answer(&f, CD_CALL_CARD, account("personal", 0, 0));
    keys(&f, "123456");
    key(&f, "ok");
    card_sw(&f, 0x63C0);
    assert_int_equal(f.state, CD_LOCKED);
    init(&f);
    read_card(&f, &LIU);
    answer(&f, CD_CALL_CARD, account("personal", 0, 0));
    keys(&f, "123456");
    key(&f, "ok");
    card_sw(&f, 0x6F00);
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_BAD_CARD);
}

/* ---- 3: a load ----------------------------------------------------------------------------- */

static void load_what_is_waiting(void **state)
{
    (void)state;
    static struct cd_flow f;
    chen_menu(&f);
    const char *src = NULL;
    assert_int_equal(cd_waiting(&f, &src), 30000);
    assert_string_equal(src, "account");

    go(&f, CD_IN_LOAD);
    assert_int_equal(f.state, CD_LOADING);
    assert_string_equal(cd_screen_name(&f), "card_loading");
    assert_int_equal(f.step, CS_INIT);
    assert_true(cd_busy(&f));
    /* INITIALIZE FOR LOAD: key 01, ¥300 (0x7530), the terminal */
    EXPECT_APDU(sent(INS_INIT), 0x80, 0x50, 0x00, 0x02, 0x0B, 0x01, 0x00, 0x00, 0x75, 0x30, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x01, 0x10);
    char load_id[40];
    snprintf(load_id, sizeof load_id, "%s", f.load.load_id);
    assert_true(strncmp(load_id, "L-T0001-", 8) == 0);
    assert_string_equal(f.load.source, "account");
    assert_int_equal(f.load.amount_fen, 30000);

    card_init(&f, 1500, 7);
    assert_int_equal(f.step, CS_MAC2);
    assert_false(has(EFF_APDU, -1));
    assert_false(has(EFF_INTENT, -1));
    const struct cd_request *rq = req(CD_CALL_LOAD);
    assert_string_equal(rq->card_no, CHEN.no);
    assert_string_equal(rq->load_id, load_id);
    assert_int_equal(rq->amount_fen, 30000);
    assert_string_equal(rq->source, "account");
    assert_int_equal(rq->card_balance_fen, 1500);
    assert_int_equal(rq->online_serial, 7);
    assert_int_equal(rq->key_version, 1);
    assert_int_equal(rq->algorithm, 0);
    assert_string_equal(rq->random, "1A2B3C4D");
    assert_string_equal(rq->mac1, "2988AE5A");
    assert_string_equal(rq->term_hex, "000000000001");
    struct cd_http h;
    assert_int_equal(cd_api_http(rq, &h), 0); /* the flow's request builds */
    assert_string_equal(h.path, "/v1/cards/1000113300002002/loads");
    cd_api_http_free(&h);
    assert_int_equal(cd_deadline(&f), now_ms + CD_CALL_MS);

    /* MAC2: nothing goes to the card before the intent is durable */
    answer(&f, CD_CALL_LOAD, mac2_answer());
    assert_int_equal(f.step, CS_INTENT);
    assert_false(has(EFF_APDU, -1));
    const struct cd_load_record *r = rec(EFF_INTENT);
    assert_string_equal(r->card_no, CHEN.no);
    assert_string_equal(r->load_id, load_id);
    assert_int_equal(r->amount_fen, 30000);
    assert_int_equal(r->online_serial, 7);
    assert_string_equal(r->source, "account");
    assert_int_equal(r->balance_before_fen, 1500);
    assert_string_equal(r->date, "20261130");
    assert_string_equal(r->time, "141503");
    assert_string_equal(r->term_hex, "000000000001");
    assert_int_equal(cd_deadline(&f), now_ms + CD_JOURNAL_MS);
    assert_true(cd_busy(&f));

    /* durable: CREDIT FOR LOAD with the backend's date, time and MAC2 */
    journal(&f, 1);
    assert_int_equal(f.step, CS_CREDIT);
    EXPECT_APDU(sent(INS_CREDIT), 0x80, 0x52, 0x00, 0x00, 0x0B, 0x20, 0x26, 0x11, 0x30, 0x14, 0x15,
                0x03, 0x3A, 0x84, 0x5B, 0xF0, 0x04);
    assert_int_equal(cd_deadline(&f), now_ms + CD_APDU_MS);

    /* the TAC: the record (settles the intent) before the confirm */
    card_tac(&f);
    assert_int_equal(f.step, CS_RECORD);
    assert_false(has(EFF_CALL, -1));
    assert_false(has(EFF_APDU, -1));
    r = rec(EFF_TXN);
    assert_string_equal(r->card_no, CHEN.no);
    assert_string_equal(r->load_id, load_id);
    assert_int_equal(r->amount_fen, 30000);
    assert_int_equal(r->online_serial, 7);
    assert_int_equal(r->balance_before_fen, 1500);
    assert_int_equal(r->balance_after_fen, 31500);
    assert_string_equal(r->tac, TAC_HEX);
    assert_int_equal(cd_deadline(&f), now_ms + CD_JOURNAL_MS);

    journal(&f, 1);
    assert_int_equal(f.step, CS_CONFIRM);
    rq = req(CD_CALL_CONFIRM);
    assert_string_equal(rq->card_no, CHEN.no);
    assert_string_equal(rq->load_id, load_id);
    assert_string_equal(rq->tac, TAC_HEX);

    memset(&A, 0, sizeof A);
    A.ok = 1;
    A.status = 200;
    answer(&f, CD_CALL_CONFIRM, &A);
    assert_int_equal(f.step, CS_BALANCE);
    sent(INS_BALANCE);
    assert_int_equal(f.loaded_fen, 30000);
    assert_int_equal(f.acct.account_fen, 0);
    assert_false(has(EFF_PRINT, -1));

    card_balance(&f, 31500);
    assert_int_equal(f.state, CD_DONE);
    assert_string_equal(cd_screen_name(&f), "card_done");
    assert_int_equal(f.balance_fen, 31500);
    assert_int_equal(f.loaded_fen, 30000);
    assert_int_equal(f.resolved_fen, 0);
    assert_true(has(EFF_PRINT, 0));
    assert_true(f.printed);
    assert_false(f.busy);
    assert_false(cd_busy(&f));
    assert_int_equal(cd_deadline(&f), INT64_MAX);
    /* the receipt again on request; taken at the end: home */
    go(&f, CD_IN_PRINT);
    assert_true(has(EFF_PRINT, 1));
    go(&f, CD_IN_FINISH);
    assert_true(has(EFF_HOME, -1));
    card_event(&f, 0);
    assert_true(has(EFF_HOME, -1));

    /* a journal write of the record that fails: the confirm is sent anyway (the money is on
     * the card) */
    chen_menu(&f);
    load_until(&f, CS_RECORD);
    journal(&f, 0);
    assert_int_equal(f.step, CS_CONFIRM);
    assert_string_equal(req(CD_CALL_CONFIRM)->tac, TAC_HEX);
    /* the confirm not answered: the journal's record tells the backend later */
    answer(&f, CD_CALL_CONFIRM, refused(0, ""));
    sent(INS_BALANCE);
    card_balance(&f, 31500);
    assert_int_equal(f.state, CD_DONE);
    assert_int_equal(f.loaded_fen, 30000);
}

/* ---- 4, 5, 6: the card pulled, gone mid-APDU, silent --------------------------------------- */

static void card_pulled_during_the_load(void **state)
{
    (void)state;
    static struct cd_flow f;
    /* before the card gave MAC1: nothing left the account */
    chen_menu(&f);
    load_until(&f, CS_INIT);
    card_event(&f, 0);
    assert_int_equal(f.state, CD_REMOVED);
    assert_string_equal(cd_screen_name(&f), "card_removed");
    assert_int_equal(f.removed, CD_GONE_IN_ACCOUNT);
    assert_false(f.present);
    assert_false(cd_busy(&f));
    assert_int_equal(cd_deadline(&f), INT64_MAX);
    card_init(&f, 1500, 7); /* a late answer: dropped */
    assert_int_equal(fx.n, 0);
    assert_int_equal(f.state, CD_REMOVED);

    /* from the MAC2 call on, a pending load: finished when the card is back */
    static const enum cd_step pending_steps[] = {CS_MAC2, CS_INTENT, CS_CREDIT};
    for (size_t i = 0; i < sizeof pending_steps / sizeof pending_steps[0]; i++) {
        chen_menu(&f);
        load_until(&f, pending_steps[i]);
        card_event(&f, 0);
        assert_int_equal(f.state, CD_REMOVED);
        assert_int_equal(f.removed, CD_GONE_PENDING);
        assert_int_equal(f.step, CS_NONE);
        assert_false(f.busy);
        assert_int_equal(cd_deadline(&f), INT64_MAX);
        assert_int_equal(f.loaded_fen, 0);
        /* whatever comes late moves nothing */
        answer(&f, CD_CALL_LOAD, mac2_answer());
        assert_false(has(EFF_INTENT, -1));
        journal(&f, 1);
        assert_false(has(EFF_APDU, -1));
        card_tac(&f);
        assert_false(has(EFF_TXN, -1));
        assert_int_equal(f.state, CD_REMOVED);
        /* the card back: read again from the start */
        card_event(&f, 1);
        assert_int_equal(f.state, CD_READING);
        sent(INS_SELECT);
        assert_int_equal(f.removed, CD_GONE_NOTHING);
    }

    /* after the TAC the money is on the card: the record, the confirm and the done screen
     * without it, no command after */
    static const enum cd_step on_card[] = {CS_RECORD, CS_CONFIRM};
    for (size_t i = 0; i < sizeof on_card / sizeof on_card[0]; i++) {
        chen_menu(&f);
        load_until(&f, on_card[i]);
        card_event(&f, 0);
        assert_int_equal(f.state, CD_LOADING);
        assert_false(f.present);
        assert_int_equal(fx.n, 0);
        assert_true(cd_busy(&f));
        if (on_card[i] == CS_RECORD) {
            journal(&f, 1);
            assert_false(has(EFF_APDU, -1));
            assert_string_equal(req(CD_CALL_CONFIRM)->tac, TAC_HEX);
        }
        answer(&f, CD_CALL_CONFIRM, ok_answer());
        assert_false(has(EFF_APDU, -1));
        assert_int_equal(f.state, CD_DONE);
        assert_true(has(EFF_PRINT, 0));
        assert_int_equal(f.balance_fen, 1500 + 30000);
        assert_int_equal(f.loaded_fen, 30000);
        assert_int_equal(f.removed, CD_GONE_NOTHING);
        assert_false(cd_busy(&f));
        assert_int_equal(cd_deadline(&f), INT64_MAX);
    }

    /* pulled while the balance is read back: the balance it must hold */
    chen_menu(&f);
    load_until(&f, CS_BALANCE);
    card_event(&f, 0);
    assert_int_equal(f.state, CD_LOADING);
    step(&f, (struct cd_event){.in = CD_IN_APDU, .ok = 0});
    assert_int_equal(f.state, CD_DONE);
    assert_int_equal(f.balance_fen, 31500);
    assert_false(has(EFF_APDU, -1));
    assert_true(has(EFF_PRINT, 0));
}

static void credit_answers(void **state)
{
    (void)state;
    static struct cd_flow f;
    /* a single byte: the card went away mid-APDU, the outcome is on the card */
    chen_menu(&f);
    load_until(&f, CS_CREDIT);
    static const uint8_t half[1] = {0x90};
    card_raw(&f, half, sizeof half);
    assert_int_equal(f.state, CD_REMOVED);
    assert_int_equal(f.removed, CD_GONE_PENDING);
    assert_false(has(EFF_TXN, -1));
    assert_false(f.present);
    /* nothing at all (the reader's error) is the same */
    chen_menu(&f);
    load_until(&f, CS_CREDIT);
    step(&f, (struct cd_event){.in = CD_IN_APDU, .ok = 0});
    assert_int_equal(f.state, CD_REMOVED);
    assert_int_equal(f.removed, CD_GONE_PENDING);

    /* 93 02: the card refused MAC2, nothing was loaded */
    chen_menu(&f);
    load_until(&f, CS_CREDIT);
    card_sw(&f, 0x9302);
    assert_int_equal(f.state, CD_FAILED);
    assert_string_equal(cd_screen_name(&f), "card_failed");
    assert_int_equal(f.error, CD_ERR_MAC2);
    assert_false(has(EFF_TXN, -1));
    assert_false(cd_busy(&f));
    assert_int_equal(cd_deadline(&f), INT64_MAX);
    /* 90 00 without the TAC: a bad card */
    chen_menu(&f);
    load_until(&f, CS_CREDIT);
    card_sw(&f, 0x9000);
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_BAD_CARD);
    assert_false(has(EFF_TXN, -1));
}

static void apdu_timeout(void **state)
{
    (void)state;
    static struct cd_flow f;
    /* SELECT never answered: the card is gone, nothing was under way */
    init(&f);
    step(&f, (struct cd_event){.in = CD_IN_START, .ok = 1});
    sent(INS_SELECT);
    int64_t d = cd_deadline(&f);
    assert_int_equal(d, now_ms + CD_APDU_MS);
    tick(&f, d - 1);
    assert_int_equal(f.state, CD_READING);
    assert_int_equal(fx.n, 0);
    tick(&f, d);
    assert_int_equal(f.state, CD_REMOVED);
    assert_int_equal(f.removed, CD_GONE_NOTHING);
    assert_int_equal(cd_deadline(&f), INT64_MAX);
    card_sw(&f, 0x9000); /* too late */
    assert_int_equal(fx.n, 0);

    /* CREDIT never answered: a pending load */
    chen_menu(&f);
    load_until(&f, CS_CREDIT);
    d = cd_deadline(&f);
    tick(&f, d - 1);
    assert_int_equal(f.step, CS_CREDIT);
    tick(&f, d + 1000);
    assert_int_equal(f.state, CD_REMOVED);
    assert_int_equal(f.removed, CD_GONE_PENDING);
    assert_false(has(EFF_TXN, -1));
    card_tac(&f); /* too late */
    assert_int_equal(fx.n, 0);

    /* the backend silent: offline */
    init(&f);
    read_card(&f, &LIU);
    tick(&f, cd_deadline(&f));
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_OFFLINE);
    chen_menu(&f);
    load_until(&f, CS_MAC2);
    tick(&f, cd_deadline(&f));
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_OFFLINE);
    assert_false(has(EFF_INTENT, -1));
    /* the journal silent on the intent: this kiosk cannot record, nothing to the card */
    chen_menu(&f);
    load_until(&f, CS_INTENT);
    tick(&f, cd_deadline(&f));
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_KIOSK);
    assert_false(has(EFF_APDU, -1));
    journal(&f, 1); /* durable after all, too late: still no CREDIT */
    assert_false(has(EFF_APDU, -1));
    /* ... on the record: the confirm goes anyway */
    chen_menu(&f);
    load_until(&f, CS_RECORD);
    tick(&f, cd_deadline(&f));
    assert_int_equal(f.step, CS_CONFIRM);
    assert_true(has(EFF_CALL, CD_CALL_CONFIRM));
    /* ... on the confirm: the load is done all the same */
    tick(&f, cd_deadline(&f));
    assert_int_equal(f.step, CS_BALANCE);
    sent(INS_BALANCE);
}

/* A late answer nobody waits for leaves the deadline of what is in flight alone. */
static void late_answer_keeps_the_deadline(void **state)
{
    (void)state;
    static struct cd_flow f;
    chen_menu(&f);
    load_until(&f, CS_CREDIT);
    int64_t d = cd_deadline(&f);
    answer(&f, CD_CALL_HISTORY, ok_answer()); /* asked before, answered now */
    assert_int_equal(f.step, CS_CREDIT);
    assert_int_equal(cd_deadline(&f), d);
    assert_true(f.busy);
    journal(&f, 1); /* a journal event nobody waits for */
    assert_int_equal(cd_deadline(&f), d);
    /* the card stays silent: it is gone, and said so */
    tick(&f, d);
    assert_int_equal(f.state, CD_REMOVED);
    assert_int_equal(f.removed, CD_GONE_PENDING);

    /* the same while the intent is written */
    chen_menu(&f);
    load_until(&f, CS_INTENT);
    d = cd_deadline(&f);
    answer(&f, CD_CALL_CARD, account("personal", 0, 0));
    assert_int_equal(cd_deadline(&f), d);
}

/* ---- 7: a load left unfinished, resolved at insertion ------------------------------------- */

static void resolve_pending_load(void **state)
{
    (void)state;
    static struct cd_flow f;
    /* credited before (the chip holds 1500 + 20000): the proof gives the TAC */
    static const struct chip credited = {
        "1000113300002002", 20240101, 20301231, 1, 0, "陈静", 21500};
    init(&f);
    read_card(&f, &credited);
    struct cd_answer *a = account("personal", 0, 0);
    add_pending(a, "L-T0002-1795000000000-3", 20000, 7);
    answer(&f, CD_CALL_CARD, a);
    assert_int_equal(f.state, CD_PIN);
    keys(&f, "123456");
    key(&f, "ok");
    card_sw(&f, 0x9000);
    assert_int_equal(f.state, CD_RESOLVING);
    assert_int_equal(f.step, CS_PROOF);
    assert_int_equal(f.resolving, 0);
    assert_true(cd_busy(&f));
    /* the serial INITIALIZE FOR LOAD gave, plus one */
    EXPECT_APDU(sent(INS_PROOF), 0x80, 0x5A, 0x00, 0x02, 0x02, 0x00, 0x08, 0x08);
    card_proof(&f);
    assert_int_equal(f.step, CS_RECORD);
    const struct cd_load_record *r = rec(EFF_TXN);
    assert_string_equal(r->load_id, "L-T0002-1795000000000-3");
    assert_string_equal(r->card_no, credited.no);
    assert_int_equal(r->amount_fen, 20000);
    assert_int_equal(r->online_serial, 7);
    assert_int_equal(r->balance_before_fen, 1500);
    assert_int_equal(r->balance_after_fen, 21500);
    assert_string_equal(r->tac, TAC_HEX);
    assert_false(has(EFF_INTENT, -1)); /* no new intent: another kiosk's, or the journal's */
    journal(&f, 1);
    const struct cd_request *rq = req(CD_CALL_CONFIRM);
    assert_string_equal(rq->load_id, "L-T0002-1795000000000-3");
    assert_string_equal(rq->tac, TAC_HEX);
    answer(&f, CD_CALL_CONFIRM, ok_answer());
    sent(INS_BALANCE);
    card_balance(&f, 21500);
    assert_int_equal(f.state, CD_MENU);
    assert_int_equal(f.resolved_fen, 20000);
    assert_int_equal(f.loaded_fen, 0);
    assert_int_equal(f.balance_fen, 21500);
    assert_int_equal(f.resolving, -1);
    assert_false(has(EFF_PRINT, -1));
    assert_false(cd_busy(&f));

    /* not credited (9406): the same load again, with its load id */
    init(&f);
    read_card(&f, &CHEN);
    a = account("personal", 0, 0);
    add_pending(a, "L-T0002-1795000000000-3", 20000, 7);
    answer(&f, CD_CALL_CARD, a);
    pin_ok(&f);
    sent(INS_PROOF);
    card_sw(&f, 0x9406);
    assert_int_equal(f.state, CD_RESOLVING);
    assert_int_equal(f.step, CS_INIT);
    assert_true(f.retried);
    assert_false(has(EFF_TXN, -1));
    EXPECT_APDU(sent(INS_INIT), 0x80, 0x50, 0x00, 0x02, 0x0B, 0x01, 0x00, 0x00, 0x4E, 0x20, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x01, 0x10);
    card_init(&f, 1500, 7);
    rq = req(CD_CALL_LOAD);
    assert_string_equal(rq->load_id, "L-T0002-1795000000000-3");
    assert_int_equal(rq->amount_fen, 20000);
    assert_int_equal(rq->online_serial, 7);
    assert_string_equal(rq->source, "account");
    answer(&f, CD_CALL_LOAD, mac2_answer());
    r = rec(EFF_INTENT);
    assert_string_equal(r->load_id, "L-T0002-1795000000000-3");
    assert_int_equal(r->online_serial, 7);
    journal(&f, 1);
    sent(INS_CREDIT);
    card_tac(&f);
    r = rec(EFF_TXN);
    assert_int_equal(r->balance_before_fen, 1500);
    assert_int_equal(r->balance_after_fen, 21500);
    journal(&f, 1);
    assert_string_equal(req(CD_CALL_CONFIRM)->load_id, "L-T0002-1795000000000-3");
    answer(&f, CD_CALL_CONFIRM, ok_answer());
    sent(INS_BALANCE);
    card_balance(&f, 21500);
    assert_int_equal(f.state, CD_MENU);
    assert_int_equal(f.resolved_fen, 20000);
    assert_int_equal(f.loaded_fen, 0);
    assert_int_equal(f.acct.account_fen, 0); /* a pending load is not the account's */

    /* confirmed meanwhile (LOAD_DONE): the next one, here the menu */
    init(&f);
    read_card(&f, &CHEN);
    a = account("personal", 0, 0);
    add_pending(a, "L-T0002-1795000000000-3", 20000, 7);
    answer(&f, CD_CALL_CARD, a);
    pin_ok(&f);
    card_sw(&f, 0x9406);
    card_init(&f, 1500, 7);
    answer(&f, CD_CALL_LOAD, refused(409, "LOAD_DONE"));
    assert_int_equal(f.state, CD_MENU);
    assert_false(has(EFF_INTENT, -1));

    /* two pending loads: each in turn, then the menu */
    static const struct chip both = {"1000113300002002", 20240101, 20301231, 1, 0, "陈静",
                                     1500 + 20000 + 5000};
    init(&f);
    read_card(&f, &both);
    a = account("personal", 0, 0);
    add_pending(a, "L-A", 20000, 7);
    add_pending(a, "L-B", 5000, 8);
    answer(&f, CD_CALL_CARD, a);
    pin_ok(&f);
    EXPECT_APDU(sent(INS_PROOF), 0x80, 0x5A, 0x00, 0x02, 0x02, 0x00, 0x08, 0x08);
    card_proof(&f);
    assert_string_equal(rec(EFF_TXN)->load_id, "L-A");
    journal(&f, 1);
    answer(&f, CD_CALL_CONFIRM, ok_answer());
    card_balance(&f, both.balance);
    assert_int_equal(f.state, CD_RESOLVING);
    assert_int_equal(f.resolving, 1);
    EXPECT_APDU(sent(INS_PROOF), 0x80, 0x5A, 0x00, 0x02, 0x02, 0x00, 0x09, 0x08);
    card_proof(&f);
    assert_string_equal(rec(EFF_TXN)->load_id, "L-B");
    journal(&f, 1);
    answer(&f, CD_CALL_CONFIRM, ok_answer());
    card_balance(&f, both.balance);
    assert_int_equal(f.state, CD_MENU);
    assert_int_equal(f.resolved_fen, 25000);

    /* pulled while resolving: the load stays pending */
    init(&f);
    read_card(&f, &CHEN);
    a = account("personal", 0, 0);
    add_pending(a, "L-A", 20000, 7);
    answer(&f, CD_CALL_CARD, a);
    pin_ok(&f);
    card_event(&f, 0);
    assert_int_equal(f.state, CD_REMOVED);
    assert_int_equal(f.removed, CD_GONE_PENDING);
}

/* The card pulled after the proof gave the TAC: the balance is the one read at insertion
 * (it held the load already), and no command goes to a card that is not there. */
static void resolve_then_pulled(void **state)
{
    (void)state;
    static struct cd_flow f;
    static const struct chip credited = {
        "1000113300002002", 20240101, 20301231, 1, 0, "陈静", 21500};
    /* pulled while the record is written */
    init(&f);
    read_card(&f, &credited);
    struct cd_answer *a = account("personal", 0, 0);
    add_pending(a, "L-A", 20000, 7);
    answer(&f, CD_CALL_CARD, a);
    pin_ok(&f);
    card_proof(&f);
    card_event(&f, 0);
    journal(&f, 1);
    answer(&f, CD_CALL_CONFIRM, ok_answer());
    assert_false(has(EFF_APDU, -1));
    assert_int_equal(f.resolved_fen, 20000);
    assert_int_equal(f.balance_fen, 21500);
}

static void resolve_then_pulled_reading_balance(void **state)
{
    (void)state;
    static struct cd_flow f;
    static const struct chip credited = {
        "1000113300002002", 20240101, 20301231, 1, 0, "陈静", 21500};
    /* pulled while the balance is read back, another pending load after it */
    init(&f);
    read_card(&f, &credited);
    struct cd_answer *a = account("personal", 0, 0);
    add_pending(a, "L-A", 20000, 7);
    add_pending(a, "L-B", 5000, 8);
    answer(&f, CD_CALL_CARD, a);
    pin_ok(&f);
    card_proof(&f);
    journal(&f, 1);
    answer(&f, CD_CALL_CONFIRM, ok_answer());
    sent(INS_BALANCE);
    card_event(&f, 0);
    step(&f, (struct cd_event){.in = CD_IN_APDU, .ok = 0});
    assert_false(has(EFF_APDU, -1)); /* no PROOF of L-B to a card that is gone */
    assert_int_not_equal(f.state, CD_MENU);
    assert_int_equal(f.resolved_fen, 20000);

    /* the only pending load: not the menu of a card that is not there */
    init(&f);
    read_card(&f, &credited);
    a = account("personal", 0, 0);
    add_pending(a, "L-A", 20000, 7);
    answer(&f, CD_CALL_CARD, a);
    pin_ok(&f);
    card_proof(&f);
    journal(&f, 1);
    answer(&f, CD_CALL_CONFIRM, ok_answer());
    card_event(&f, 0);
    step(&f, (struct cd_event){.in = CD_IN_APDU, .ok = 0});
    assert_int_not_equal(f.state, CD_MENU);
    assert_false(has(EFF_APDU, -1));
    assert_int_equal(f.resolved_fen, 20000);
    assert_int_equal(f.balance_fen, 21500); /* it held the load at insertion already */
}

/* ---- 8: refusals --------------------------------------------------------------------------- */

static void load_refusals(void **state)
{
    (void)state;
    static struct cd_flow f;
    static const struct {
        int status;
        const char *code;
        enum cd_error want;
    } cases[] = {
        {409, "MAC1_MISMATCH", CD_ERR_TAMPERED},
        {409, "BALANCE_CAP", CD_ERR_CAP},
        {409, "INSUFFICIENT_BALANCE", CD_ERR_NOTHING},
        {409, "CARD_BLOCKED", CD_ERR_BLOCKED},
        {409, "CARD_EXPIRED", CD_ERR_EXPIRED},
        {409, "LOAD_MISMATCH", CD_ERR_NOT_ALLOWED},
        {0, "", CD_ERR_OFFLINE},
        {500, "INTERNAL", CD_ERR_UNUSABLE},
        {200, "UNUSABLE", CD_ERR_UNUSABLE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        chen_menu(&f);
        load_until(&f, CS_MAC2);
        answer(&f, CD_CALL_LOAD, refused(cases[i].status, cases[i].code));
        if (f.state != CD_FAILED || f.error != cases[i].want)
            fail_msg("%s: state %d error %d", cases[i].code, f.state, f.error);
        assert_false(has(EFF_INTENT, -1));
        assert_false(has(EFF_APDU, -1));
        assert_false(cd_busy(&f));
        assert_int_equal(cd_deadline(&f), INT64_MAX);
        assert_int_equal(f.loaded_fen, 0);
    }
    /* a MAC2 answer that is not one */
    chen_menu(&f);
    load_until(&f, CS_MAC2);
    struct cd_answer bad = *mac2_answer();
    snprintf(bad.mac2, sizeof bad.mac2, "3A845BFZ");
    answer(&f, CD_CALL_LOAD, &bad);
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_UNUSABLE);
    assert_false(has(EFF_INTENT, -1));
    chen_menu(&f);
    load_until(&f, CS_MAC2);
    bad = *mac2_answer();
    snprintf(bad.date, sizeof bad.date, "2026113");
    answer(&f, CD_CALL_LOAD, &bad);
    assert_int_equal(f.error, CD_ERR_UNUSABLE);

    /* the intent's journal write fails: nothing goes to the card */
    chen_menu(&f);
    load_until(&f, CS_INTENT);
    journal(&f, 0);
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_KIOSK);
    assert_false(has(EFF_APDU, -1));
    assert_false(cd_busy(&f));
    card_tac(&f);
    assert_int_equal(fx.n, 0);

    /* INITIALIZE FOR LOAD refused by the card */
    chen_menu(&f);
    load_until(&f, CS_INIT);
    card_sw(&f, 0x6985);
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_BAD_CARD);
    assert_false(has(EFF_CALL, -1));

    /* nothing waiting: nothing to load */
    init(&f);
    to_menu(&f, &LIU, account("personal", 0, 0));
    go(&f, CD_IN_LOAD);
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_NOTHING);
    assert_false(has(EFF_APDU, -1));
}

/* ---- 9: cards that are not ours, or not usable --------------------------------------------- */

static void card_refusals(void **state)
{
    (void)state;
    static struct cd_flow f;
    /* SELECT refused: not a fuel card of ours */
    init(&f);
    step(&f, (struct cd_event){.in = CD_IN_START, .ok = 1});
    card_sw(&f, 0x6A82);
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_UNKNOWN_CARD);
    assert_false(has(EFF_APDU, -1));
    /* another card put on after the failure: read from the start */
    card_event(&f, 1);
    assert_int_equal(f.state, CD_READING);
    sent(INS_SELECT);

    /* garbage: 7 bytes and 90 00 to READ BINARY */
    init(&f);
    step(&f, (struct cd_event){.in = CD_IN_START, .ok = 1});
    card_sw(&f, 0x9000);
    static const uint8_t junk[7] = {0x4B, 0x07, 0xE1, 0x99, 0x00, 0x3C, 0xF2};
    card_says(&f, junk, sizeof junk, 0x9000);
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_BAD_CARD);
    /* 32 bytes whose number is not BCD */
    init(&f);
    step(&f, (struct cd_event){.in = CD_IN_START, .ok = 1});
    card_sw(&f, 0x9000);
    uint8_t b[32];
    info_file(&LIU, b);
    b[12] = 0xAB;
    card_says(&f, b, sizeof b, 0x9000);
    assert_int_equal(f.error, CD_ERR_BAD_CARD);
    /* the holder file garbage, the balance short */
    init(&f);
    step(&f, (struct cd_event){.in = CD_IN_START, .ok = 1});
    card_sw(&f, 0x9000);
    card_info(&f, &LIU);
    card_says(&f, junk, sizeof junk, 0x9000);
    assert_int_equal(f.error, CD_ERR_BAD_CARD);
    init(&f);
    step(&f, (struct cd_event){.in = CD_IN_START, .ok = 1});
    card_sw(&f, 0x9000);
    card_info(&f, &LIU);
    card_holder(&f, "刘洋");
    card_says(&f, junk, 3, 0x9000);
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_BAD_CARD);
    assert_false(has(EFF_CALL, -1));

    /* expired on the chip */
    struct chip old = LIU;
    old.expiry = TODAY - 1;
    init(&f);
    step(&f, (struct cd_event){.in = CD_IN_START, .ok = 1});
    card_sw(&f, 0x9000);
    card_info(&f, &old);
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_EXPIRED);
    assert_false(has(EFF_APDU, -1));
    /* its last day is still good */
    old.expiry = TODAY;
    init(&f);
    step(&f, (struct cd_event){.in = CD_IN_START, .ok = 1});
    card_sw(&f, 0x9000);
    card_info(&f, &old);
    assert_int_equal(f.state, CD_READING);
    sent(INS_READ);
    /* blocked by the issuer on the chip */
    struct chip blocked = LIU;
    blocked.status = 0x01;
    init(&f);
    step(&f, (struct cd_event){.in = CD_IN_START, .ok = 1});
    card_sw(&f, 0x9000);
    card_info(&f, &blocked);
    assert_int_equal(f.state, CD_FAILED);
    assert_int_equal(f.error, CD_ERR_BLOCKED);

    /* the backend's refusals of GET card */
    static const struct {
        int status;
        const char *code;
        enum cd_error want;
    } cases[] = {
        {404, "CARD_NOT_FOUND", CD_ERR_UNKNOWN_CARD}, {409, "CARD_BLOCKED", CD_ERR_BLOCKED},
        {409, "CARD_EXPIRED", CD_ERR_EXPIRED},        {0, "", CD_ERR_OFFLINE},
        {200, "UNUSABLE", CD_ERR_UNUSABLE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        init(&f);
        read_card(&f, &LIU);
        answer(&f, CD_CALL_CARD, refused(cases[i].status, cases[i].code));
        assert_int_equal(f.state, CD_FAILED);
        assert_int_equal(f.error, cases[i].want);
        assert_false(f.have_account);
    }
    /* an account reported lost, or blocked */
    static const char *const states[] = {"lost", "blocked"};
    for (size_t i = 0; i < 2; i++) {
        init(&f);
        read_card(&f, &LIU);
        struct cd_answer *a = account("personal", 12345, 0);
        snprintf(a->account.status, sizeof a->account.status, "%s", states[i]);
        answer(&f, CD_CALL_CARD, a);
        assert_int_equal(f.state, CD_FAILED);
        assert_int_equal(f.error, CD_ERR_BLOCKED);
    }
}

/* ---- 10: recharge and load ----------------------------------------------------------------- */

static void recharge(void **state)
{
    (void)state;
    static struct cd_flow f;
    init(&f);
    to_menu(&f, &LIU, account("personal", 0, 0));
    go(&f, CD_IN_RECHARGE);
    assert_int_equal(f.state, CD_AMOUNT);
    assert_string_equal(cd_screen_name(&f), "card_amount");
    /* ¥5000 a day, ¥5000 on the chip with ¥88 on it */
    assert_int_equal(cd_recharge_max(&f), 500000 - 8800);
    /* a preset, a keypad that takes no leading zero */
    go_index(&f, CD_IN_PRESET, 1);
    assert_string_equal(f.amount_digits, "100");
    go_index(&f, CD_IN_PRESET, CD_NPRESETS);
    assert_string_equal(f.amount_digits, "100");
    key(&f, "clear");
    keys(&f, "0");
    assert_string_equal(f.amount_digits, "");
    /* under ¥1 */
    go(&f, CD_IN_PAY);
    assert_int_equal(f.note, CD_NOTE_AMOUNT_LOW);
    assert_false(has(EFF_HAND_OVER, -1));
    /* over what may be recharged */
    keys(&f, "99999");
    keys(&f, "9"); /* five digits at most */
    assert_string_equal(f.amount_digits, "99999");
    go(&f, CD_IN_PAY);
    assert_int_equal(f.state, CD_AMOUNT);
    assert_int_equal(f.note, CD_NOTE_AMOUNT_HIGH);
    assert_false(has(EFF_HAND_OVER, -1));
    key(&f, "clear");
    keys(&f, "4912"); /* ¥4912 = exactly what is left */
    go(&f, CD_IN_PAY);
    assert_int_equal(f.state, CD_PAYING);
    key(&f, "clear");                                       /* keys on another screen: nothing */
    step(&f, (struct cd_event){.in = CD_IN_PAID, .ok = 0}); /* could not start */
    assert_int_equal(f.state, CD_AMOUNT);
    assert_int_equal(f.note, CD_NOTE_OFFLINE);
    key(&f, "clear");
    go_index(&f, CD_IN_PRESET, 1);
    go(&f, CD_IN_PAY);
    assert_int_equal(f.state, CD_PAYING);
    assert_int_equal(f.recharge_fen, 10000);
    int p = pos(EFF_HAND_OVER, -1);
    assert_true(p >= 0);
    assert_string_equal(fx.v[p].arg, "checkout.recharge");
    assert_string_equal((const char *)fx.v[p].data, "1000113300002001 10000");
    assert_int_equal(fx.v[p].ndata, strlen("1000113300002001 10000") + 1);

    /* checkout hands the customer back, paid: the card read again (no SELECT), then the
     * account, then the load by itself */
    card_event(&f, 0); /* checkout has the customer; the card may be off a moment */
    assert_int_equal(f.state, CD_PAYING);
    assert_int_equal(fx.n, 0);
    card_event(&f, 1);
    step(&f, (struct cd_event){.in = CD_IN_PAID, .ok = 1, .text = TXN});
    assert_int_equal(f.state, CD_REFRESH);
    assert_string_equal(f.recharge_txn, TXN);
    assert_true(cd_busy(&f));
    const struct apdu *a = sent(INS_READ);
    assert_int_equal(a->b[2], 0x80 | CARD_SFI_INFO);
    card_info(&f, &LIU);
    sent(INS_BALANCE);
    card_balance(&f, 8800);
    assert_int_equal(f.state, CD_REFRESH);
    assert_string_equal(req(CD_CALL_CARD)->card_no, LIU.no);
    answer(&f, CD_CALL_CARD, account("personal", 10000, 0));
    assert_int_equal(f.state, CD_LOADING);
    assert_string_equal(f.load.source, "account");
    EXPECT_APDU(sent(INS_INIT), 0x80, 0x50, 0x00, 0x02, 0x0B, 0x01, 0x00, 0x00, 0x27, 0x10, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x01, 0x10);
    assert_true(f.verified); /* the PIN holds */
    card_init(&f, 8800, 3);
    answer(&f, CD_CALL_LOAD, mac2_answer());
    journal(&f, 1);
    sent(INS_CREDIT);
    card_tac(&f);
    assert_int_equal(rec(EFF_TXN)->balance_after_fen, 18800);
    journal(&f, 1);
    answer(&f, CD_CALL_CONFIRM, ok_answer());
    card_balance(&f, 18800);
    assert_int_equal(f.state, CD_DONE);
    assert_int_equal(f.loaded_fen, 10000);
    assert_string_equal(f.recharge_txn, TXN); /* for the invoice offer */

    /* nothing paid: the menu, nothing loaded */
    init(&f);
    to_menu(&f, &LIU, account("personal", 0, 0));
    go(&f, CD_IN_RECHARGE);
    go_index(&f, CD_IN_PRESET, 0);
    go(&f, CD_IN_PAY);
    step(&f, (struct cd_event){.in = CD_IN_PAID, .ok = 1, .text = ""});
    assert_int_equal(f.state, CD_REFRESH);
    card_info(&f, &LIU);
    card_balance(&f, 8800);
    answer(&f, CD_CALL_CARD, account("personal", 0, 0));
    assert_int_equal(f.state, CD_MENU);
    assert_false(has(EFF_APDU, -1));
    assert_int_equal(f.loaded_fen, 0);

    /* pulled while read again: the money paid waits in the account */
    init(&f);
    to_menu(&f, &LIU, account("personal", 0, 0));
    go(&f, CD_IN_RECHARGE);
    go_index(&f, CD_IN_PRESET, 0);
    go(&f, CD_IN_PAY);
    step(&f, (struct cd_event){.in = CD_IN_PAID, .ok = 1, .text = TXN});
    card_event(&f, 0);
    assert_int_equal(f.state, CD_REMOVED);
    assert_int_equal(f.removed, CD_GONE_IN_ACCOUNT);
    assert_false(has(EFF_APDU, -1));
    /* gone while paying, back to no card: the read finds none */
    init(&f);
    to_menu(&f, &LIU, account("personal", 0, 0));
    go(&f, CD_IN_RECHARGE);
    go_index(&f, CD_IN_PRESET, 0);
    go(&f, CD_IN_PAY);
    card_event(&f, 0);
    step(&f, (struct cd_event){.in = CD_IN_PAID, .ok = 1, .text = TXN});
    sent(INS_READ);
    step(&f, (struct cd_event){.in = CD_IN_APDU, .ok = 0});
    assert_int_equal(f.state, CD_REMOVED);
    assert_int_equal(f.removed, CD_GONE_IN_ACCOUNT);

    /* another card on the reader when back: read from the start */
    init(&f);
    to_menu(&f, &LIU, account("personal", 0, 0));
    go(&f, CD_IN_RECHARGE);
    go_index(&f, CD_IN_PRESET, 0);
    go(&f, CD_IN_PAY);
    step(&f, (struct cd_event){.in = CD_IN_PAID, .ok = 1, .text = TXN});
    card_info(&f, &CHEN);
    assert_int_equal(f.state, CD_READING);
    sent(INS_SELECT);
    assert_false(f.verified);

    /* the daily limit: what is left of it */
    init(&f);
    struct cd_answer *acc = account("personal", 0, 0);
    acc->account.recharged_today_fen = 480000;
    to_menu(&f, &LIU, acc);
    go(&f, CD_IN_RECHARGE);
    assert_int_equal(cd_recharge_max(&f), 20000);
    keys(&f, "201");
    go(&f, CD_IN_PAY);
    assert_int_equal(f.note, CD_NOTE_AMOUNT_HIGH);
    key(&f, "del");
    keys(&f, "0");
    go(&f, CD_IN_PAY);
    assert_int_equal(f.state, CD_PAYING);
    /* back from the amount: the menu */
    init(&f);
    to_menu(&f, &LIU, account("personal", 0, 0));
    go(&f, CD_IN_RECHARGE);
    go(&f, CD_IN_BACK);
    assert_int_equal(f.state, CD_MENU);
}

/* ---- 11: allocation ------------------------------------------------------------------------ */

static const struct cd_answer *subs_answer(int n)
{
    static const char *const nos[] = {"1000113300005678", "1000113300005679", "1000113300005680"};
    memset(&A, 0, sizeof A);
    A.ok = 1;
    A.status = 200;
    A.nsubs = n;
    for (int i = 0; i < n; i++) {
        snprintf(A.subs[i].card_no, sizeof A.subs[i].card_no, "%s", nos[i % 3]);
        snprintf(A.subs[i].status, sizeof A.subs[i].status, "active");
        A.subs[i].allocation_fen = 100 * i;
        A.subs[i].amount_fen = 999; /* the backend's answer does not set the amounts */
    }
    return &A;
}

static void allocation(void **state)
{
    (void)state;
    static struct cd_flow f;
    init(&f);
    to_menu(&f, &MAIN, account("main", 500000, 0));
    go(&f, CD_IN_ALLOCATE);
    assert_int_equal(f.state, CD_SUBCARDS);
    assert_string_equal(cd_screen_name(&f), "card_subcards");
    assert_string_equal(req(CD_CALL_SUBCARDS)->card_no, MAIN.no);
    assert_true(f.busy);
    go(&f, CD_IN_SPLIT); /* not while asking */
    assert_int_equal(f.state, CD_SUBCARDS);
    answer(&f, CD_CALL_SUBCARDS, subs_answer(3));
    assert_int_equal(f.nsubs, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(f.subs[i].amount_fen, 0);
    assert_int_equal(f.subs[2].allocation_fen, 200);
    /* nothing on any sub-card */
    go(&f, CD_IN_NEXT);
    assert_int_equal(f.note, CD_NOTE_ALLOC_EMPTY);
    assert_int_equal(f.state, CD_SUBCARDS);
    /* ¥1000 split evenly: to the fen */
    go(&f, CD_IN_SPLIT);
    assert_int_equal(f.state, CD_ALLOC_KEYPAD);
    assert_int_equal(f.editing, -1);
    keys(&f, "1000");
    key(&f, "ok");
    assert_int_equal(f.state, CD_SUBCARDS);
    assert_int_equal(f.subs[0].amount_fen, 33334);
    assert_int_equal(f.subs[1].amount_fen, 33333);
    assert_int_equal(f.subs[2].amount_fen, 33333);
    assert_int_equal(cd_alloc_total(&f), 100000);
    /* one sub-card typed over what the account holds */
    go_index(&f, CD_IN_SUB, 0);
    assert_int_equal(f.state, CD_ALLOC_KEYPAD);
    assert_int_equal(f.editing, 0);
    key(&f, "clear");
    keys(&f, "99999");
    go(&f, CD_IN_NEXT);
    assert_int_equal(f.state, CD_SUBCARDS);
    assert_int_equal(f.subs[0].amount_fen, 9999900);
    go(&f, CD_IN_NEXT);
    assert_int_equal(f.note, CD_NOTE_ALLOC_HIGH);
    assert_int_equal(f.state, CD_SUBCARDS);
    assert_false(has(EFF_CALL, -1));
    go_index(&f, CD_IN_SUB, 3); /* no such sub-card */
    assert_int_equal(f.state, CD_SUBCARDS);
    /* split again, confirm */
    go(&f, CD_IN_SPLIT);
    keys(&f, "1000");
    key(&f, "ok");
    go(&f, CD_IN_NEXT);
    assert_int_equal(f.state, CD_ALLOC_CONFIRM);
    assert_string_equal(cd_screen_name(&f), "card_alloc_confirm");
    go(&f, CD_IN_NEXT);
    assert_int_equal(f.state, CD_ALLOCATING);
    assert_true(cd_busy(&f));
    const struct cd_request *rq = req(CD_CALL_ALLOCATE);
    char alloc_id[40];
    snprintf(alloc_id, sizeof alloc_id, "%s", rq->alloc_id);
    assert_true(strncmp(alloc_id, "A-T0001-", 8) == 0);
    assert_string_equal(rq->card_no, MAIN.no);
    assert_int_equal(rq->nlines, 3);
    assert_string_equal(rq->lines[0].card_no, "1000113300005678");
    assert_int_equal(rq->lines[0].amount_fen, 33334);
    assert_string_equal(rq->lines[2].card_no, "1000113300005680");
    assert_int_equal(rq->lines[1].amount_fen + rq->lines[2].amount_fen, 66666);
    struct cd_http h;
    assert_int_equal(cd_api_http(rq, &h), 0);
    assert_string_equal(h.key, alloc_id);
    cd_api_http_free(&h);
    /* no answer: back to confirm; the retry is the same allocation */
    answer(&f, CD_CALL_ALLOCATE, refused(0, ""));
    assert_int_equal(f.state, CD_ALLOC_CONFIRM);
    assert_int_equal(f.note, CD_NOTE_OFFLINE);
    go(&f, CD_IN_NEXT);
    assert_int_equal(f.state, CD_ALLOCATING);
    assert_string_equal(req(CD_CALL_ALLOCATE)->alloc_id, alloc_id);
    /* the wait runs out: the same again */
    tick(&f, cd_deadline(&f));
    assert_int_equal(f.state, CD_ALLOC_CONFIRM);
    go(&f, CD_IN_NEXT);
    assert_string_equal(req(CD_CALL_ALLOCATE)->alloc_id, alloc_id);
    memset(&A, 0, sizeof A);
    A.ok = 1;
    A.status = 200;
    A.main_account_fen = 400000;
    answer(&f, CD_CALL_ALLOCATE, &A);
    assert_int_equal(f.state, CD_ALLOCATED);
    assert_string_equal(cd_screen_name(&f), "card_allocated");
    assert_int_equal(f.acct.account_fen, 400000);
    assert_false(cd_busy(&f));

    /* a sub-card amount left empty is no line */
    init(&f);
    to_menu(&f, &MAIN, account("main", 500000, 0));
    go(&f, CD_IN_ALLOCATE);
    answer(&f, CD_CALL_SUBCARDS, subs_answer(3));
    go_index(&f, CD_IN_SUB, 1);
    keys(&f, "200");
    key(&f, "ok");
    assert_int_equal(f.subs[1].amount_fen, 20000);
    go_index(&f, CD_IN_SUB, 1); /* shown again as typed */
    assert_string_equal(f.amount_digits, "200");
    go(&f, CD_IN_BACK);
    assert_int_equal(f.state, CD_SUBCARDS);
    go(&f, CD_IN_NEXT);
    go(&f, CD_IN_NEXT);
    rq = req(CD_CALL_ALLOCATE);
    assert_int_equal(rq->nlines, 1);
    assert_string_equal(rq->lines[0].card_no, "1000113300005679");
    /* refused: back to the list, a new id next time */
    answer(&f, CD_CALL_ALLOCATE, refused(409, "INSUFFICIENT_BALANCE"));
    assert_int_equal(f.state, CD_SUBCARDS);
    assert_int_equal(f.note, CD_NOTE_ALLOC_HIGH);
    assert_string_equal(f.alloc_id, "");

    /* the sub-cards could not be listed */
    init(&f);
    to_menu(&f, &MAIN, account("main", 500000, 0));
    go(&f, CD_IN_ALLOCATE);
    answer(&f, CD_CALL_SUBCARDS, refused(0, ""));
    assert_int_equal(f.state, CD_MENU);
    assert_int_equal(f.note, CD_NOTE_OFFLINE);

    /* only a main card allocates */
    init(&f);
    to_menu(&f, &LIU, account("personal", 500000, 0));
    go(&f, CD_IN_ALLOCATE);
    assert_int_equal(f.state, CD_MENU);
    assert_false(has(EFF_CALL, -1));
}

/* ---- 12: history --------------------------------------------------------------------------- */

static void history(void **state)
{
    (void)state;
    static struct cd_flow f;
    init(&f);
    to_menu(&f, &LIU, account("personal", 0, 0));
    go(&f, CD_IN_HISTORY);
    assert_int_equal(f.state, CD_HISTORY);
    assert_string_equal(cd_screen_name(&f), "card_history");
    EXPECT_APDU(sent(INS_RECORD), 0x00, 0xB2, 0x01, 0xC4, 0x17);
    card_log(&f, 5, 20000, 0x02);
    EXPECT_APDU(sent(INS_RECORD), 0x00, 0xB2, 0x02, 0xC4, 0x17);
    card_log(&f, 4, 3550, 0x06);
    EXPECT_APDU(sent(INS_RECORD), 0x00, 0xB2, 0x03, 0xC4, 0x17);
    card_sw(&f, 0x6A83);
    assert_false(has(EFF_APDU, -1));
    assert_string_equal(req(CD_CALL_HISTORY)->card_no, LIU.no);
    assert_int_equal(f.nlog, 2);
    assert_int_equal(f.log[0].serial, 5);
    assert_int_equal(f.log[0].amount_fen, 20000);
    assert_int_equal(f.log[0].type, 0x02);
    assert_int_equal(f.log[1].amount_fen, 3550);
    assert_int_equal(f.log[1].date, 20261129);
    assert_int_equal(f.log[1].time, 101500);
    memset(&A, 0, sizeof A);
    A.ok = 1;
    A.status = 200;
    A.nmoves = 2;
    A.moves[0].amount_fen = 20000;
    snprintf(A.moves[0].kind, sizeof A.moves[0].kind, "load");
    A.moves[1].amount_fen = 20000;
    snprintf(A.moves[1].kind, sizeof A.moves[1].kind, "recharge");
    answer(&f, CD_CALL_HISTORY, &A);
    assert_int_equal(f.state, CD_HISTORY);
    assert_int_equal(f.nmoves, 2);
    assert_string_equal(f.moves[1].kind, "recharge");
    assert_false(f.busy);
    go(&f, CD_IN_BACK);
    assert_int_equal(f.state, CD_MENU);

    /* a full log: ten records, no eleventh asked */
    go(&f, CD_IN_HISTORY);
    for (int i = 0; i < CARD_LOG_MAX; i++) {
        const struct apdu *a = sent(INS_RECORD);
        assert_int_equal(a->b[2], i + 1);
        card_log(&f, (uint16_t)(20 - i), 100, 0x06);
    }
    assert_false(has(EFF_APDU, -1));
    assert_true(has(EFF_CALL, CD_CALL_HISTORY));
    assert_int_equal(f.nlog, CARD_LOG_MAX);
    /* the account's side not there: the log alone, a note */
    answer(&f, CD_CALL_HISTORY, refused(0, ""));
    assert_int_equal(f.state, CD_HISTORY);
    assert_int_equal(f.note, CD_NOTE_OFFLINE);

    /* an empty log (9000 and zeros past the end) */
    go(&f, CD_IN_BACK);
    go(&f, CD_IN_HISTORY);
    assert_int_equal(f.nlog, 0);
    static const uint8_t zeros[23] = {0};
    card_says(&f, zeros, sizeof zeros, 0x9000);
    assert_true(has(EFF_CALL, CD_CALL_HISTORY));
    assert_int_equal(f.nlog, 0);
    /* back before the answer: a late one changes nothing */
    go(&f, CD_IN_BACK);
    assert_int_equal(f.state, CD_MENU);
    answer(&f, CD_CALL_HISTORY, &A);
    assert_int_equal(f.state, CD_MENU);
    /* pulled during the log */
    go(&f, CD_IN_HISTORY);
    card_event(&f, 0);
    assert_int_equal(f.state, CD_REMOVED);
}

/* ---- 13: the arithmetic -------------------------------------------------------------------- */

static void shuffle(void **state)
{
    (void)state;
    static struct cd_flow f;
    init(&f);
    /* unshuffled: the phone keypad's 1..9, 0 */
    static const uint8_t plain[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
    assert_memory_equal(f.pin_order, plain, 10);
    uint8_t first[10];
    int differ = 0;
    for (uint64_t seed = 0; seed < 200; seed++) {
        cd_shuffle(&f, seed * 0x9E3779B97F4A7C15ull + seed);
        int seen[10] = {0};
        for (int i = 0; i < 10; i++) {
            assert_true(f.pin_order[i] < 10);
            seen[f.pin_order[i]]++;
        }
        for (int i = 0; i < 10; i++)
            assert_int_equal(seen[i], 1); /* a permutation */
        if (seed == 0)
            memcpy(first, f.pin_order, 10);
        else
            differ += memcmp(first, f.pin_order, 10) != 0;
    }
    assert_true(differ >= 190);
    /* the same seed, the same order */
    uint8_t a[10];
    cd_shuffle(&f, 42);
    memcpy(a, f.pin_order, 10);
    cd_shuffle(&f, 43);
    assert_memory_not_equal(a, f.pin_order, 10);
    cd_shuffle(&f, 42);
    assert_memory_equal(a, f.pin_order, 10);
    /* each digit lands in every position over many seeds */
    int where[10][10] = {{0}};
    for (uint64_t s = 1; s <= 2000; s++) {
        cd_shuffle(&f, s);
        for (int i = 0; i < 10; i++)
            where[f.pin_order[i]][i]++;
    }
    for (int d = 0; d < 10; d++)
        for (int i = 0; i < 10; i++)
            assert_true(where[d][i] > 0);
}

static void mask_no(void **state)
{
    (void)state;
    char out[32];
    cd_mask_no("1000113300002001", out, sizeof out);
    assert_string_equal(out, "1000 **** **** 2001");
    cd_mask_no("100011330000200", out, sizeof out);
    assert_string_equal(out, "****");
    cd_mask_no("", out, sizeof out);
    assert_string_equal(out, "****");
    cd_mask_no("10001133000020011", out, sizeof out);
    assert_string_equal(out, "****");
    /* cut short, terminated, never past its room */
    for (size_t cap = 1; cap < 21; cap++) {
        memset(out, '#', sizeof out);
        cd_mask_no("1000113300002001", out, cap);
        assert_true(strlen(out) < cap);
        assert_int_equal(out[cap], '#');
        assert_memory_equal(out, "1000 **** **** 2001", strlen(out));
    }
}

static void limits(void **state)
{
    (void)state;
    static struct cd_flow f;
    const char *src;
    init(&f);
    f.acct.balance_cap_fen = 500000;
    f.acct.daily_cap_fen = 500000;
    /* room on the card and the day's limit, whichever is less */
    f.balance_fen = 8800;
    assert_int_equal(cd_recharge_max(&f), 491200);
    f.acct.recharged_today_fen = 450000;
    assert_int_equal(cd_recharge_max(&f), 50000);
    f.acct.recharged_today_fen = 0;
    f.balance_fen = 480000;
    assert_int_equal(cd_recharge_max(&f), 20000);
    /* what waits takes room too */
    f.acct.account_fen = 15000;
    assert_int_equal(cd_recharge_max(&f), 5000);
    f.acct.allocation_fen = 5000;
    assert_int_equal(cd_recharge_max(&f), 0);
    f.acct.allocation_fen = 10000;
    assert_int_equal(cd_recharge_max(&f), 0); /* never negative */
    f.balance_fen = 600000;                   /* over the cap already */
    assert_int_equal(cd_recharge_max(&f), 0);
    f.acct.recharged_today_fen = 600000; /* over the day's limit */
    f.balance_fen = 0;
    f.acct.account_fen = f.acct.allocation_fen = 0;
    assert_int_equal(cd_recharge_max(&f), 0);

    /* waiting: the account, within the room on the card */
    memset(&f.acct, 0, sizeof f.acct);
    f.acct.balance_cap_fen = 500000;
    f.balance_fen = 1500;
    f.acct.account_fen = 30000;
    assert_int_equal(cd_waiting(&f, &src), 30000);
    assert_string_equal(src, "account");
    f.balance_fen = 490000;
    assert_int_equal(cd_waiting(&f, &src), 10000);
    f.balance_fen = 500000;
    assert_int_equal(cd_waiting(&f, NULL), 0);
    /* a sub-card: its allocation when the account holds nothing */
    f.balance_fen = 2000;
    f.acct.account_fen = 0;
    f.acct.allocation_fen = 20000;
    assert_int_equal(cd_waiting(&f, &src), 20000);
    assert_string_equal(src, "allocation");
    f.acct.account_fen = 100; /* the account first */
    assert_int_equal(cd_waiting(&f, &src), 100);
    assert_string_equal(src, "account");
    f.acct.account_fen = 0;
    f.acct.allocation_fen = 0;
    assert_int_equal(cd_waiting(&f, &src), 0);

    /* a sub-card's allocation loaded: the allocation goes down, not the account */
    init(&f);
    static const struct chip sub = {"1000113300005678", 20240101, 20301231, 3, 0, "王师傅", 2000};
    to_menu(&f, &sub, account("sub", 0, 20000));
    go(&f, CD_IN_LOAD);
    assert_string_equal(f.load.source, "allocation");
    card_init(&f, 2000, 11);
    assert_string_equal(req(CD_CALL_LOAD)->source, "allocation");
    answer(&f, CD_CALL_LOAD, mac2_answer());
    assert_string_equal(rec(EFF_INTENT)->source, "allocation");
    journal(&f, 1);
    card_tac(&f);
    journal(&f, 1);
    answer(&f, CD_CALL_CONFIRM, ok_answer());
    card_balance(&f, 22000);
    assert_int_equal(f.state, CD_DONE);
    assert_int_equal(f.acct.allocation_fen, 0);
    assert_int_equal(f.acct.account_fen, 0);
    assert_int_equal(f.loaded_fen, 20000);
}

/* ---- 14: wipe ------------------------------------------------------------------------------ */

/* 1 if the n bytes at p hold `s` anywhere. */
static int holds(const void *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    const uint8_t *b = p;
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(b + i, s, k))
            return 1;
    return 0;
}

static void wipe(void **state)
{
    (void)state;
    static struct cd_flow f;
    init(&f);
    read_card(&f, &LIU);
    answer(&f, CD_CALL_CARD, account("personal", 0, 0));
    keys(&f, "97531");
    assert_true(holds(&f, sizeof f, "97531"));
    assert_true(holds(&f, sizeof f, LIU.no));
    int seq = f.seq;
    cd_wipe(&f);
    assert_false(holds(&f, sizeof f, "97531"));
    assert_false(holds(&f, sizeof f, LIU.no));
    assert_false(holds(&f, sizeof f, "刘洋"));
    assert_true(all_zero(f.pin, sizeof f.pin));
    assert_int_equal(f.state, CD_IDLE);
    assert_false(f.have_account);
    assert_int_equal(f.balance_fen, 0);
    assert_int_equal(f.seq, seq);       /* ids stay unique over sessions */
    assert_int_equal(f.cfg.pin_len, 6); /* the config stays */
    assert_int_equal(f.resolving, -1);
    assert_int_equal(cd_deadline(&f), INT64_MAX);

    /* after a load: no card number, no load id made from it stays */
    chen_menu(&f);
    load_until(&f, CS_BALANCE);
    card_balance(&f, 31500);
    seq = f.seq;
    assert_true(seq > 0);
    cd_wipe(&f);
    assert_false(holds(&f, sizeof f, CHEN.no));
    assert_false(holds(&f, sizeof f, "L-T0001"));
    assert_false(holds(&f, sizeof f, "陈静"));
    assert_int_equal(f.seq, seq);
    /* the next load's id is another */
    chen_menu(&f);
    f.seq = seq;
    go(&f, CD_IN_LOAD);
    char want[40];
    snprintf(want, sizeof want, "-%d", seq + 1);
    assert_true(strstr(f.load.load_id, want) != NULL);

    /* the card pulled at the PIN: the digits typed are gone at once */
    init(&f);
    read_card(&f, &LIU);
    answer(&f, CD_CALL_CARD, account("personal", 0, 0));
    keys(&f, "97531");
    card_event(&f, 0);
    assert_int_equal(f.state, CD_REMOVED);
    assert_false(holds(&f, sizeof f, "97531"));
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(insert_read_and_pin),
        cmocka_unit_test(wrong_pin_then_locked),
        cmocka_unit_test(load_what_is_waiting),
        cmocka_unit_test(card_pulled_during_the_load),
        cmocka_unit_test(credit_answers),
        cmocka_unit_test(apdu_timeout),
        cmocka_unit_test(late_answer_keeps_the_deadline),
        cmocka_unit_test(resolve_pending_load),
        cmocka_unit_test(resolve_then_pulled),
        cmocka_unit_test(resolve_then_pulled_reading_balance),
        cmocka_unit_test(load_refusals),
        cmocka_unit_test(card_refusals),
        cmocka_unit_test(recharge),
        cmocka_unit_test(allocation),
        cmocka_unit_test(history),
        cmocka_unit_test(shuffle),
        cmocka_unit_test(mask_no),
        cmocka_unit_test(limits),
        cmocka_unit_test(wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
