/* The e-invoice flow, driven directly: pure state machine, made-up times, no backend. The
 * answers are built by hand or read from the backend's JSON by inv_api_answer(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "core/codes.h"
#include "core/log.h"
#include "core/sign.h"
#include "effects_find.h"
#include "flow.h"

#define TXN42 "T0001-20261123-000042"
#define TXN43 "T0001-20261123-000043"
#define TXN44 "T0001-20261123-000044"
#define PAID INT64_C(1795420800)      /* 2026-11-23 16:00 China time */
#define DEC_CST INT64_C(1796054400)   /* 2026-12-01 00:00 China time (11-30 16:00 UTC) */
#define DEC_UTC INT64_C(1796083200)   /* 2026-12-01 00:00 UTC (08:00 China time) */
#define NUMBER "26110000000000000012" /* an invoice number: 20 digits */
#define OLD_NUMBER "26110000000000000007"
#define COMPANY_ID "91350100MA2Y7K3B3K" /* GB 32100 check character right */

static struct effects fx;
static struct inv_answer A; /* the answer being sent (big: a sale's lines) */

static int has(enum effect_kind k, int64_t i)
{
    return effects_find(&fx, k, i) >= 0;
}

/* index of the first effect of kind k (and i, unless i < 0), or -1 */
static int pos(enum effect_kind k, int64_t i)
{
    return effects_find(&fx, k, i);
}

/* The request the step's call of kind k carries. */
static const struct inv_request *req(enum inv_call k)
{
    int p = pos(EFF_CALL, k);
    assert_true(p >= 0);
    assert_int_equal(fx.v[p].ndata, sizeof(struct inv_request));
    const struct inv_request *rq = (const struct inv_request *)fx.v[p].data;
    assert_int_equal(rq->call, k);
    return rq;
}

static void step(struct inv_flow *f, struct inv_event e, int64_t now)
{
    fx.n = 0;
    inv_step(f, &e, now, &fx);
    assert_true(fx.n <= EFFECTS_MAX);
}

static void go(struct inv_flow *f, enum inv_input in, int64_t now)
{
    step(f, (struct inv_event){.in = in}, now);
}

static void scan(struct inv_flow *f, const char *code, int64_t now)
{
    step(f, (struct inv_event){.in = INV_IN_SCAN, .text = code, .ok = 1}, now);
}

static void key(struct inv_flow *f, const char *k, int64_t now)
{
    step(f, (struct inv_event){.in = INV_IN_KEY, .text = k}, now);
}

/* Each character of s as its own key. */
static void keys(struct inv_flow *f, const char *s, int64_t now)
{
    for (; *s; s++) {
        char k[2] = {*s, '\0'};
        key(f, k, now);
    }
}

static void answer(struct inv_flow *f, enum inv_call k, const struct inv_answer *a, int64_t now)
{
    step(f, (struct inv_event){.in = INV_IN_ANSWER, .call = k, .answer = a}, now);
}

/* A sale that adds up: 38.5 L of 92# with a discount on it and two bottles of water, or
 * (fuel 0) the water alone. The backend's usual rules. */
static struct inv_sale mksale(const char *txn, const char *station, int64_t paid, int fuel)
{
    struct inv_sale s;
    memset(&s, 0, sizeof s);
    snprintf(s.txn_no, sizeof s.txn_no, "%s", txn);
    snprintf(s.station, sizeof s.station, "%s", station);
    s.paid_unix = paid;
    s.max_merge = 5;
    s.window_days = 30;
    s.fuel_same_month = 1;
    s.reissue_limit = 1;
    s.counter_over_fen = 1000000;
    if (fuel) {
        s.lines[s.nlines++] = (struct inv_line){.name = "*汽油*92号车用汽油",
                                                .unit = "升",
                                                .qty_ml = 38500,
                                                .price_fen = 781,
                                                .rate_pct = 13,
                                                .amount_fen = 26610,
                                                .tax_fen = 3459};
        s.has_fuel = 1;
    }
    s.lines[s.nlines++] = (struct inv_line){.name = "*饮料*农夫山泉 550ml",
                                            .unit = "瓶",
                                            .qty = 2,
                                            .price_fen = 200,
                                            .rate_pct = 13,
                                            .amount_fen = 354,
                                            .tax_fen = 46};
    if (fuel)
        s.lines[s.nlines++] = (struct inv_line){.name = "*汽油*92号车用汽油",
                                                .discount = 1,
                                                .rate_pct = 13,
                                                .amount_fen = -681,
                                                .tax_fen = -89};
    for (int i = 0; i < s.nlines; i++) {
        s.amount_fen += s.lines[i].amount_fen;
        s.tax_fen += s.lines[i].tax_fen;
    }
    s.total_fen = s.amount_fen + s.tax_fen;
    return s;
}

static const struct inv_answer *sale_answer(const struct inv_sale *s)
{
    memset(&A, 0, sizeof A);
    A.ok = 1;
    A.status = 200;
    A.sale = *s;
    return &A;
}

/* An error answer (status 0: none at all). */
static const struct inv_answer *failed(int status, const char *code)
{
    memset(&A, 0, sizeof A);
    A.status = status;
    A.transport = status == 0;
    snprintf(A.code, sizeof A.code, "%s", code);
    return &A;
}

/* An issue or status answer: ISSUED with `number`, PENDING without. */
static const struct inv_answer *issue_answer(const char *status, const char *number)
{
    memset(&A, 0, sizeof A);
    A.ok = 1;
    A.status = 200;
    snprintf(A.issue_status, sizeof A.issue_status, "%s", status);
    snprintf(A.invoice.status, sizeof A.invoice.status, "%s", status);
    snprintf(A.invoice.number, sizeof A.invoice.number, "%s", number);
    if (number[0])
        snprintf(A.invoice.url, sizeof A.invoice.url, "https://inv.example/d/%s", number);
    return &A;
}

/* The answer the backend's JSON makes (code: the error's code, as the client found it). */
static const struct inv_answer *json_answer(enum inv_call k, int status, const char *text,
                                            const char *code)
{
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    if (text)
        assert_non_null(j);
    inv_api_answer(k, status, j, code, &A);
    cJSON_Delete(j);
    return &A;
}

/* The sale of docs/backend-api.md: its lines add up. */
#include "invoice_sale.h"

static const char already_json[] =
    "{\"error\":{\"code\":\"ALREADY_INVOICED\",\"message\":\"invoiced already\","
    "\"retryable\":false,\"details\":{\"txn_no\":\"" TXN42
    "\",\"invoice\":{\"invoice_no\":\"" OLD_NUMBER
    "\",\"status\":\"ISSUED\",\"issued_unix\":1795420900,\"buyer_name\":\"个人\","
    "\"delivery\":\"138****8000\",\"download_url\":\"https://inv.example/d/7\","
    "\"by\":\"phone\",\"reissues_left\":1}}}}";

/* Looks up `txn` (scanned as a release slip's text) and answers it with `s`. */
static void add_sale(struct inv_flow *f, const struct inv_sale *s, int64_t now)
{
    scan(f, s->txn_no, now);
    assert_string_equal(req(INV_CALL_SALE)->subject, s->txn_no);
    answer(f, INV_CALL_SALE, sale_answer(s), now + 10);
}

/* Start, the sale 42 looked up, an individual (the default title), a phone: the preview. */
static void to_preview(struct inv_flow *f)
{
    struct inv_sale s = mksale(TXN42, "ST001", PAID, 1);
    inv_init(f);
    go(f, INV_IN_START, 0);
    add_sale(f, &s, 10);
    assert_int_equal(f->nsales, 1);
    go(f, INV_IN_NEXT, 30);
    assert_int_equal(f->state, INV_DELIVERY);
    keys(f, "13800138000", 50);
    go(f, INV_IN_NEXT, 60);
    assert_int_equal(f->state, INV_PREVIEW);
}

/* From the preview: Issue, the intent on disk, the call made. */
static void to_issuing(struct inv_flow *f, int64_t now)
{
    go(f, INV_IN_ISSUE, now);
    assert_int_equal(f->state, INV_ISSUING);
    assert_true(has(EFF_INTENT, -1));
    assert_false(has(EFF_CALL, -1)); /* nothing asked before the intent is durable */
    step(f, (struct inv_event){.in = INV_IN_INTENT_WRITTEN, .ok = 1}, now + 5);
    assert_string_equal(req(INV_CALL_ISSUE)->subject,
                        f->correcting ? f->existing.number : f->idem_key);
}

static void individual_by_receipt_qr(void **state)
{
    (void)state;
    static struct inv_flow f;
    inv_init(&f);
    go(&f, INV_IN_START, 0);
    assert_int_equal(f.state, INV_COLLECT);
    assert_string_equal(f.buyer.name, "个人");
    assert_true(has(EFF_REDRAW, -1));
    assert_string_equal(inv_screen_name(&f), "inv_collect");
    /* the receipt's QR: its token is looked up */
    scan(&f, "https://inv.example/t/AbCdEfGhIjKlMnOpQrSt", 10);
    assert_string_equal(req(INV_CALL_SALE)->subject, "AbCdEfGhIjKlMnOpQrSt");
    assert_false(req(INV_CALL_SALE)->reissue);
    assert_true(f.busy);
    assert_int_equal(f.waiting, INV_CALL_SALE);
    go(&f, INV_IN_NEXT, 15); /* nothing on the list yet, and asking */
    assert_int_equal(f.state, INV_COLLECT);
    answer(&f, INV_CALL_SALE, json_answer(INV_CALL_SALE, 200, sale_json, NULL), 20);
    assert_false(f.busy);
    assert_int_equal(f.state, INV_COLLECT); /* scanned here: the customer may add more */
    assert_int_equal(f.nsales, 1);
    assert_string_equal(f.sales[0].txn_no, TXN42);
    assert_int_equal(f.sales[0].total_fen, 29699);
    assert_int_equal(f.sales[0].nexcluded, 1);
    int64_t amount, tax, total;
    inv_totals(&f, &amount, &tax, &total);
    assert_int_equal(amount, 26283);
    assert_int_equal(tax, 3416);
    assert_int_equal(total, 29699);
    go(&f, INV_IN_NEXT, 30);
    /* the title is on the delivery screen: an individual unless the customer says otherwise */
    assert_int_equal(f.state, INV_DELIVERY);
    assert_string_equal(inv_screen_name(&f), "inv_delivery");
    assert_false(f.buyer.organisation);
    assert_string_equal(f.buyer.name, "个人");
    assert_int_equal(f.field, 0);
    go(&f, INV_IN_INDIVIDUAL, 40); /* says so: the same title, the same screen */
    assert_int_equal(f.state, INV_DELIVERY);
    assert_false(f.buyer.organisation);
    assert_string_equal(f.buyer.name, "个人");
    assert_int_equal(f.field, 0);

    /* a phone that is no mobile number */
    keys(&f, "12345678901", 50);
    assert_string_equal(f.phone, "12345678901");
    keys(&f, "9", 51); /* 11 digits at most */
    assert_string_equal(f.phone, "12345678901");
    go(&f, INV_IN_NEXT, 52);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_int_equal(f.note, INV_NOTE_PHONE_BAD);
    assert_int_equal(f.field, 0);
    for (int i = 0; i < 11; i++)
        key(&f, "del", 53);
    key(&f, "a", 54); /* the phone takes digits only */
    assert_string_equal(f.phone, "");
    assert_int_equal(f.note, INV_NOTE_NONE);
    /* an email that is no address */
    step(&f, (struct inv_event){.in = INV_IN_FIELD, .index = 1}, 55);
    assert_int_equal(f.field, 1);
    step(&f, (struct inv_event){.in = INV_IN_FIELD, .index = 2}, 55); /* no such field */
    assert_int_equal(f.field, 1);
    keys(&f, "a@b", 56);
    key(&f, "ok", 57);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_int_equal(f.note, INV_NOTE_EMAIL_BAD);
    assert_int_equal(f.field, 1);
    for (int i = 0; i < 3; i++)
        key(&f, "del", 58);
    key(&f, "del", 58); /* nothing left to delete */
    assert_string_equal(f.email, "");
    /* neither */
    go(&f, INV_IN_NEXT, 59);
    assert_int_equal(f.note, INV_NOTE_NO_DELIVERY);
    assert_int_equal(f.state, INV_DELIVERY);
    /* a phone, and an email with capitals (the keyboard's shift sends them) */
    step(&f, (struct inv_event){.in = INV_IN_FIELD, .index = 0}, 60);
    keys(&f, "13800138000", 61);
    step(&f, (struct inv_event){.in = INV_IN_FIELD, .index = 1}, 62);
    go(&f, INV_IN_SHIFT, 63);
    assert_true(f.shift);
    key(&f, "Z", 64);
    go(&f, INV_IN_SHIFT, 65);
    assert_false(f.shift);
    keys(&f, "hang@qq", 66);
    key(&f, ".com", 67); /* a key may type more than one character */
    assert_string_equal(f.email, "Zhang@qq.com");
    key(&f, "ok", 68);
    assert_int_equal(f.state, INV_PREVIEW);
    assert_int_equal(f.note, INV_NOTE_NONE);
    assert_string_equal(inv_screen_name(&f), "inv_preview");

    /* Issue: the intent first, the call once it is durable */
    assert_int_equal(inv_deadline(&f), INT64_MAX);
    go(&f, INV_IN_NEXT, 1000);
    assert_int_equal(f.state, INV_ISSUING);
    int in = pos(EFF_INTENT, -1);
    assert_true(in >= 0);
    assert_string_equal(fx.v[in].arg, f.idem_key);
    assert_false(has(EFF_CALL, -1));
    assert_true(f.intent_open);
    assert_int_equal(inv_deadline(&f), INT64_MAX); /* nothing asked yet: no wait runs */
    assert_int_equal(strlen(f.idem_key), 44);
    go(&f, INV_IN_ISSUE, 1001); /* issuing already: not again */
    assert_false(has(EFF_INTENT, -1));
    step(&f, (struct inv_event){.in = INV_IN_INTENT_WRITTEN, .ok = 1}, 1010);
    const struct inv_request *rq = req(INV_CALL_ISSUE);
    assert_string_equal(rq->subject, f.idem_key);
    assert_int_equal(inv_deadline(&f), 1000 + INV_WAIT_MS);
    assert_false(rq->reissue);
    assert_false(has(EFF_INTENT, -1));
    assert_int_equal(f.state, INV_ISSUING);
    assert_string_equal(inv_screen_name(&f), "inv_issuing");

    /* issued: recorded (and the intent settled) in one go */
    answer(&f, INV_CALL_ISSUE,
           json_answer(INV_CALL_ISSUE, 201,
                       "{\"request_id\":\"r1\",\"status\":\"ISSUED\",\"invoice_no\":\"" NUMBER
                       "\",\"download_url\":\"https://inv.example/d/12\",\"amount_fen\":26283,"
                       "\"tax_fen\":3416,\"total_fen\":29699}",
                       NULL),
           2000);
    assert_int_equal(f.state, INV_ISSUED);
    int t = pos(EFF_TXN, -1);
    assert_true(t >= 0);
    assert_string_equal(fx.v[t].arg, f.idem_key);
    assert_false(has(EFF_OUTCOME, -1));
    assert_false(has(EFF_SETTLE, -1));
    assert_false(f.intent_open);
    assert_string_equal(f.result.number, NUMBER);
    assert_string_equal(f.result.status, "ISSUED");
    assert_string_equal(f.result.url, "https://inv.example/d/12");
    assert_int_equal(inv_deadline(&f), INT64_MAX);
    assert_string_equal(inv_screen_name(&f), "inv_issued");
    /* the slip, once */
    go(&f, INV_IN_PRINT, 2100);
    assert_true(has(EFF_PRINT, -1));
    go(&f, INV_IN_PRINT, 2200);
    assert_false(has(EFF_PRINT, -1));
    go(&f, INV_IN_FINISH, 2300);
    assert_true(has(EFF_HOME, -1));
}

/* A release slip's barcode, the full number and 18 typed digits name the same kind of ref. */
static void release_barcode_and_typed_digits(void **state)
{
    (void)state;
    static struct inv_flow f;
    struct inv_sale s42 = mksale(TXN42, "ST001", PAID, 1);
    struct inv_sale s43 = mksale(TXN43, "ST001", PAID + 60, 1);
    struct inv_sale s44 = mksale(TXN44, "ST001", PAID + 120, 0);
    inv_init(&f);
    go(&f, INV_IN_START, 0);
    scan(&f, "T000120261123000042", 10);
    assert_string_equal(req(INV_CALL_SALE)->subject, TXN42);
    answer(&f, INV_CALL_SALE, sale_answer(&s42), 20);
    assert_int_equal(f.nsales, 1);
    /* the keypad */
    go(&f, INV_IN_TYPE_TXN, 30);
    assert_int_equal(f.state, INV_TXN);
    assert_string_equal(inv_screen_name(&f), "inv_txn");
    keys(&f, "00012026112300004", 31); /* 17 digits */
    key(&f, "x", 32);                  /* not a digit */
    key(&f, "12", 32);                 /* not one key */
    assert_string_equal(f.txn_digits, "00012026112300004");
    key(&f, "ok", 33);
    assert_int_equal(f.state, INV_TXN);
    assert_int_equal(f.note, INV_NOTE_TXN_SHORT);
    assert_false(has(EFF_CALL, -1));
    keys(&f, "39", 34); /* the 18th digit, and one too many */
    assert_string_equal(f.txn_digits, "000120261123000043");
    assert_int_equal(f.note, INV_NOTE_NONE);
    key(&f, "del", 35);
    key(&f, "3", 35);
    key(&f, "ok", 36);
    assert_int_equal(f.state, INV_COLLECT);
    assert_string_equal(req(INV_CALL_SALE)->subject, TXN43);
    assert_string_equal(f.txn_digits, "");
    answer(&f, INV_CALL_SALE, sale_answer(&s43), 40);
    assert_int_equal(f.nsales, 2);
    /* the full number, and scanned while the keypad is open */
    go(&f, INV_IN_TYPE_TXN, 50);
    scan(&f, TXN44, 51);
    assert_int_equal(f.state, INV_COLLECT);
    assert_string_equal(req(INV_CALL_SALE)->subject, TXN44);
    go(&f, INV_IN_TYPE_TXN, 52); /* not while asking */
    assert_int_equal(f.state, INV_COLLECT);
    answer(&f, INV_CALL_SALE, sale_answer(&s44), 53);
    assert_int_equal(f.nsales, 3);
    /* the keypad's back, and taking one off the list */
    go(&f, INV_IN_TYPE_TXN, 60);
    keys(&f, "123", 61);
    go(&f, INV_IN_BACK, 62);
    assert_int_equal(f.state, INV_COLLECT);
    step(&f, (struct inv_event){.in = INV_IN_REMOVE, .index = 3}, 63); /* no such line */
    assert_int_equal(f.nsales, 3);
    step(&f, (struct inv_event){.in = INV_IN_REMOVE, .index = -1}, 63);
    assert_int_equal(f.nsales, 3);
    step(&f, (struct inv_event){.in = INV_IN_REMOVE, .index = 1}, 64);
    assert_int_equal(f.nsales, 2);
    assert_string_equal(f.sales[0].txn_no, TXN42);
    assert_string_equal(f.sales[1].txn_no, TXN44);
    go(&f, INV_IN_TYPE_TXN, 70);
    keys(&f, "000120261123000042", 71);
    key(&f, "ok", 72); /* on the list already */
    assert_int_equal(f.note, INV_NOTE_DUPLICATE);
    assert_false(has(EFF_CALL, -1));
}

/* PENDING: the request is the backend's (settled), and asked after until ISSUED. */
static void pending_then_polled(void **state)
{
    (void)state;
    static struct inv_flow f;
    to_preview(&f);
    to_issuing(&f, 1000);
    answer(&f, INV_CALL_ISSUE, issue_answer("PENDING", ""), 1200);
    assert_int_equal(f.state, INV_ISSUING);
    int t = pos(EFF_TXN, -1);
    assert_true(t >= 0);
    assert_string_equal(fx.v[t].arg, f.idem_key);
    assert_false(f.intent_open);
    assert_string_equal(f.result.status, "PENDING");
    assert_int_equal(inv_deadline(&f), 1200 + INV_POLL_MS);
    go(&f, INV_IN_TICK, 1300); /* too early */
    assert_false(has(EFF_CALL, -1));
    go(&f, INV_IN_TICK, 1200 + INV_POLL_MS);
    assert_string_equal(req(INV_CALL_STATUS)->subject, f.idem_key);
    assert_false(f.busy); /* the screen keeps its spinner, the customer may not act */
    answer(&f, INV_CALL_STATUS, failed(404, "NOT_FOUND"), 2800); /* not seen yet */
    assert_int_equal(f.state, INV_ISSUING);
    answer(&f, INV_CALL_STATUS, issue_answer("PENDING", ""), 2900);
    assert_int_equal(f.state, INV_ISSUING);
    assert_false(has(EFF_TXN, -1)); /* recorded once */
    go(&f, INV_IN_TICK, inv_deadline(&f));
    assert_true(has(EFF_CALL, INV_CALL_STATUS));
    answer(&f, INV_CALL_STATUS, issue_answer("ISSUED", NUMBER), 4500);
    assert_int_equal(f.state, INV_ISSUED);
    assert_false(has(EFF_TXN, -1));
    assert_string_equal(f.result.number, NUMBER);
}

/* Still PENDING after INV_WAIT_MS: "submitted", the backend sends it; nobody waits. */
static void pending_past_the_wait(void **state)
{
    (void)state;
    static struct inv_flow f;
    to_preview(&f);
    to_issuing(&f, 1000);
    answer(&f, INV_CALL_ISSUE, issue_answer("PENDING", ""), 1100);
    int64_t now = 1100;
    int polls = 0;
    while (f.state == INV_ISSUING) {
        now = inv_deadline(&f);
        assert_true(now <= 1000 + INV_WAIT_MS);
        go(&f, INV_IN_TICK, now);
        polls += has(EFF_CALL, INV_CALL_STATUS);
    }
    assert_int_equal(now, 1000 + INV_WAIT_MS);
    assert_int_equal(f.state, INV_SUBMITTED);
    assert_true(polls >= 5);
    assert_false(has(EFF_CALL, -1));
    assert_int_equal(inv_deadline(&f), INT64_MAX);
    assert_string_equal(inv_screen_name(&f), "inv_submitted");
    go(&f, INV_IN_TICK, now + INV_POLL_MS);
    assert_false(has(EFF_CALL, -1));
    /* a late answer changes nothing on screen */
    answer(&f, INV_CALL_STATUS, issue_answer("ISSUED", NUMBER), now + 2000);
    assert_int_equal(f.state, INV_SUBMITTED);
    assert_false(has(EFF_TXN, -1));

    /* no answer at all within the wait: the intent stays open for the glue to hand over,
     * and a late answer still settles it */
    to_preview(&f);
    to_issuing(&f, 1000);
    go(&f, INV_IN_TICK, 1000 + INV_WAIT_MS);
    assert_int_equal(f.state, INV_SUBMITTED);
    assert_true(f.intent_open);
    answer(&f, INV_CALL_ISSUE, issue_answer("ISSUED", NUMBER), 1000 + INV_WAIT_MS + 500);
    assert_int_equal(f.state, INV_SUBMITTED);
    assert_true(has(EFF_TXN, -1));
    assert_false(f.intent_open);

    /* a journal slower than the wait: the customer is not told "submitted" of what was not
     * sent; once the intent is durable the issue is asked and gets 5 s of the wait */
    to_preview(&f);
    go(&f, INV_IN_ISSUE, 1000);
    assert_true(has(EFF_INTENT, -1));
    go(&f, INV_IN_TICK, 1000 + INV_WAIT_MS);
    assert_int_equal(f.state, INV_ISSUING);
    assert_false(has(EFF_CALL, -1));
    step(&f, (struct inv_event){.in = INV_IN_INTENT_WRITTEN, .ok = 1}, 1000 + 3 * INV_WAIT_MS);
    assert_string_equal(req(INV_CALL_ISSUE)->subject, f.idem_key);
    assert_int_equal(inv_deadline(&f), 1000 + 3 * INV_WAIT_MS + INV_WAIT_MS / 2);
    step(&f, (struct inv_event){.in = INV_IN_INTENT_WRITTEN, .ok = 1}, 1000 + 3 * INV_WAIT_MS);
    assert_false(has(EFF_CALL, -1)); /* asked once */
    go(&f, INV_IN_TICK, 1000 + 3 * INV_WAIT_MS + INV_WAIT_MS / 2);
    assert_int_equal(f.state, INV_SUBMITTED);
    answer(&f, INV_CALL_ISSUE, failed(422, "COUNTER_ONLY"), 1000 + 4 * INV_WAIT_MS);
    assert_int_equal(f.state, INV_SUBMITTED); /* the customer has gone on */
    assert_true(has(EFF_OUTCOME, -1));
    assert_false(f.intent_open);
    /* the journal failed after the wait: nothing was asked, and the customer still there is
     * told so */
    to_preview(&f);
    go(&f, INV_IN_ISSUE, 1000);
    go(&f, INV_IN_TICK, 1000 + INV_WAIT_MS);
    step(&f, (struct inv_event){.in = INV_IN_INTENT_WRITTEN, .ok = 0}, 1000 + INV_WAIT_MS + 2000);
    assert_false(has(EFF_CALL, -1));
    assert_false(f.intent_open);
    assert_int_equal(f.state, INV_REFUSED);
    assert_int_equal(f.refusal, INV_REF_JOURNAL);
}

/* No answer (down, timeout, 5xx, 429), or a 2xx that does not read: not known whether it was
 * issued; the background finds out. */
static void no_answer_goes_to_the_background(void **state)
{
    (void)state;
    static struct inv_flow f;
    static const int statuses[] = {0, 500, 503, 429};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        to_preview(&f);
        to_issuing(&f, 1000);
        answer(&f, INV_CALL_ISSUE, failed(statuses[i], statuses[i] ? "UNAVAILABLE" : ""), 1500);
        assert_int_equal(f.state, INV_SUBMITTED);
        int s = pos(EFF_SETTLE, -1);
        assert_true(s >= 0);
        assert_string_equal(fx.v[s].arg, f.idem_key);
        assert_false(has(EFF_OUTCOME, -1));
        assert_false(has(EFF_TXN, -1));
        assert_true(f.offline);
        assert_false(f.intent_open);
    }
    /* an ISSUED without its number does not read: unknown, not failed */
    to_preview(&f);
    to_issuing(&f, 1000);
    answer(&f, INV_CALL_ISSUE,
           json_answer(INV_CALL_ISSUE, 201,
                       "{\"status\":\"ISSUED\",\"invoice_no\":\"\","
                       "\"download_url\":\"https://inv.example/d/1\"}",
                       NULL),
           1500);
    assert_false(A.ok);
    assert_string_equal(A.code, "UNUSABLE");
    assert_int_equal(f.state, INV_SUBMITTED);
    assert_true(has(EFF_SETTLE, -1));
    assert_false(has(EFF_OUTCOME, -1));
    /* the intent could not be written: nothing asked, nothing to settle */
    to_preview(&f);
    go(&f, INV_IN_ISSUE, 1000);
    step(&f, (struct inv_event){.in = INV_IN_INTENT_WRITTEN, .ok = 0}, 1010);
    assert_int_equal(f.state, INV_REFUSED);
    assert_int_equal(f.refusal, INV_REF_JOURNAL);
    assert_false(has(EFF_CALL, -1));
    assert_false(has(EFF_OUTCOME, -1));
    step(&f, (struct inv_event){.in = INV_IN_INTENT_WRITTEN, .ok = 1}, 1020);
    assert_false(has(EFF_CALL, -1));
}

/* 409 ALREADY_INVOICED: that invoice; sent again to the delivery typed. */
static void already_invoiced_then_resent(void **state)
{
    (void)state;
    static struct inv_flow f;
    to_preview(&f);
    to_issuing(&f, 1000);
    answer(&f, INV_CALL_ISSUE, json_answer(INV_CALL_ISSUE, 409, already_json, "ALREADY_INVOICED"),
           1100);
    assert_int_equal(f.state, INV_EXISTING);
    int o = pos(EFF_OUTCOME, 2);
    assert_true(o >= 0);
    assert_string_equal(fx.v[o].arg, "ALREADY_INVOICED");
    assert_false(f.intent_open);
    assert_string_equal(f.existing.number, OLD_NUMBER);
    assert_string_equal(f.existing.by, "phone");
    assert_string_equal(f.existing.delivery, "138****8000");
    assert_int_equal(f.existing.reissues_left, 1);
    assert_string_equal(inv_screen_name(&f), "inv_existing");
    /* resend: the delivery screen, Back returns */
    go(&f, INV_IN_RESEND, 1200);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_true(f.resending);
    go(&f, INV_IN_BACK, 1210);
    assert_int_equal(f.state, INV_EXISTING);
    assert_false(f.resending);
    go(&f, INV_IN_RESEND, 1220);
    assert_string_equal(f.phone, "13800138000"); /* what was typed is offered again */
    /* the invoice's title is what it is: no title to choose, no title QR taken */
    go(&f, INV_IN_ORGANISATION, 1221);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_int_equal(fx.n, 0);
    go(&f, INV_IN_INDIVIDUAL, 1222);
    assert_int_equal(fx.n, 0);
    scan(&f, "https://wx.example/invoice-title/T100", 1223);
    assert_int_equal(f.note, INV_NOTE_TITLE_UNKNOWN);
    assert_false(has(EFF_CALL, -1));
    assert_false(f.busy);
    assert_true(f.resending);
    go(&f, INV_IN_NEXT, 1230);
    assert_int_equal(f.state, INV_DELIVERY);
    const struct inv_request *rq = req(INV_CALL_RESEND);
    assert_string_equal(rq->subject, OLD_NUMBER);
    assert_true(f.busy);
    assert_int_equal(f.waiting, INV_CALL_RESEND);
    go(&f, INV_IN_BACK, 1240); /* not while asking */
    assert_int_equal(f.state, INV_DELIVERY);
    /* a title answer meanwhile (late, or never asked) changes nothing while resending */
    answer(&f, INV_CALL_TITLE,
           json_answer(INV_CALL_TITLE, 200,
                       "{\"buyer_type\":\"organization\",\"name\":\"福建闽运物流有限公司\","
                       "\"tax_id\":\"" COMPANY_ID "\",\"address\":\"\",\"phone\":\"\","
                       "\"bank\":\"\",\"account\":\"\"}",
                       NULL),
           1245);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_false(f.buyer.organisation);
    assert_true(f.busy); /* still the resend's */
    answer(&f, INV_CALL_RESEND, failed(0, ""), 1300);
    assert_int_equal(f.note, INV_NOTE_OFFLINE);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_false(f.busy);
    go(&f, INV_IN_NEXT, 1400);
    assert_true(has(EFF_CALL, INV_CALL_RESEND));
    answer(&f, INV_CALL_RESEND, json_answer(INV_CALL_RESEND, 409, NULL, "NOT_ISSUED"), 1500);
    assert_int_equal(f.note, INV_NOTE_UNUSABLE);
    go(&f, INV_IN_NEXT, 1600);
    answer(&f, INV_CALL_RESEND, json_answer(INV_CALL_RESEND, 200, "{\"sent\":true}", NULL), 1700);
    assert_int_equal(f.state, INV_RESENT);
    assert_int_equal(f.note, INV_NOTE_NONE);
    assert_string_equal(inv_screen_name(&f), "inv_resent");
    /* a late resend answer elsewhere changes nothing */
    answer(&f, INV_CALL_RESEND, failed(0, ""), 1800);
    assert_int_equal(f.state, INV_RESENT);
    assert_int_equal(f.note, INV_NOTE_NONE);
    go(&f, INV_IN_FINISH, 1900);
    assert_true(has(EFF_HOME, -1));

    /* a sale looked up that is invoiced already, nothing on the list: its invoice at once,
     * the sale on the list (a correction invoices it again); on a list: not taken */
    struct inv_sale s = mksale(TXN42, "ST001", PAID, 1);
    s.invoiced = 1;
    s.invoice = (struct inv_invoice){
        .number = OLD_NUMBER, .status = "ISSUED", .by = "counter", .reissues_left = 0};
    inv_init(&f);
    go(&f, INV_IN_START, 0);
    add_sale(&f, &s, 10);
    assert_int_equal(f.state, INV_EXISTING);
    assert_int_equal(f.nsales, 1);
    assert_string_equal(f.sales[0].txn_no, TXN42);
    assert_string_equal(f.existing.number, OLD_NUMBER);
    assert_string_equal(f.existing.by, "counter");
    go(&f, INV_IN_CORRECT, 30); /* no corrections left */
    assert_int_equal(f.state, INV_EXISTING);
    assert_false(f.correcting);
    go(&f, INV_IN_BACK, 40); /* scanned here: the list emptied, scan another */
    assert_int_equal(f.state, INV_COLLECT);
    assert_int_equal(f.nsales, 0);
    assert_false(has(EFF_HOME, -1));
    struct inv_sale other = mksale(TXN43, "ST001", PAID, 1);
    add_sale(&f, &other, 50);
    assert_int_equal(f.nsales, 1);
    add_sale(&f, &s, 70);
    assert_int_equal(f.state, INV_COLLECT);
    assert_int_equal(f.note, INV_NOTE_INVOICED);
    assert_int_equal(f.nsales, 1);
    assert_string_equal(f.sales[0].txn_no, TXN43);

    /* an invoice the tax system has not numbered yet: nothing to send again, nothing to
     * correct */
    s.invoice = (struct inv_invoice){.status = "PENDING", .by = "phone", .reissues_left = 1};
    go(&f, INV_IN_START, 100);
    add_sale(&f, &s, 110);
    assert_int_equal(f.state, INV_EXISTING);
    assert_string_equal(f.existing.number, "");
    go(&f, INV_IN_RESEND, 120);
    assert_int_equal(f.state, INV_EXISTING);
    assert_false(f.resending);
    go(&f, INV_IN_CORRECT, 130);
    assert_int_equal(f.state, INV_EXISTING);
    assert_false(f.correcting);
}

/* A wrong title corrected: red-letter and reissue, keyed by the invoice it replaces. */
static void correct_the_title(void **state)
{
    (void)state;
    static struct inv_flow f;
    struct inv_sale s = mksale(TXN42, "ST001", PAID, 1);
    s.invoiced = 1;
    s.invoice = (struct inv_invoice){
        .number = OLD_NUMBER, .status = "ISSUED", .by = "phone", .reissues_left = 1};
    inv_init(&f);
    go(&f, INV_IN_START, 0);
    add_sale(&f, &s, 10);
    assert_int_equal(f.state, INV_EXISTING);
    assert_int_equal(f.nsales, 1); /* the sale the correction invoices again */
    go(&f, INV_IN_CORRECT, 30);
    assert_int_equal(f.state, INV_DELIVERY); /* the title and delivery, on one screen */
    assert_true(f.correcting);
    assert_false(f.buyer.organisation);
    assert_string_equal(f.buyer.name, "个人");
    go(&f, INV_IN_BACK, 40); /* back to the invoice being corrected */
    assert_int_equal(f.state, INV_EXISTING);
    assert_false(f.correcting);
    assert_int_equal(f.nsales, 1);
    go(&f, INV_IN_CORRECT, 50);
    assert_true(f.correcting);
    go(&f, INV_IN_ORGANISATION, 60);
    assert_int_equal(f.state, INV_TAXID);
    keys(&f, COMPANY_ID, 70);
    key(&f, "ok", 80);
    assert_string_equal(req(INV_CALL_COMPANY)->subject, COMPANY_ID);
    answer(&f, INV_CALL_COMPANY,
           json_answer(INV_CALL_COMPANY, 200,
                       "{\"tax_id\":\"" COMPANY_ID "\",\"name\":\"福建闽运物流有限公司\","
                       "\"address\":\"\",\"phone\":\"\",\"bank\":\"\",\"account\":\"\"}",
                       NULL),
           90);
    assert_int_equal(f.state, INV_COMPANY);
    assert_false(f.buyer.extras); /* nothing to add */
    go(&f, INV_IN_NEXT, 100);
    assert_int_equal(f.state, INV_DELIVERY);
    keys(&f, "13900139000", 110);
    go(&f, INV_IN_NEXT, 120);
    assert_int_equal(f.state, INV_PREVIEW);
    int64_t amount, tax, total; /* the preview shows the sale corrected */
    inv_totals(&f, &amount, &tax, &total);
    assert_int_equal(total, s.total_fen);
    go(&f, INV_IN_ISSUE, 1000);
    assert_true(has(EFF_INTENT, -1));
    assert_string_equal(f.idem_key, "rei-" OLD_NUMBER);
    step(&f, (struct inv_event){.in = INV_IN_INTENT_WRITTEN, .ok = 1}, 1010);
    const struct inv_request *rq = req(INV_CALL_ISSUE);
    assert_true(rq->reissue);
    assert_string_equal(rq->subject, OLD_NUMBER);
    answer(&f, INV_CALL_ISSUE, issue_answer("ISSUED", NUMBER), 1500);
    assert_int_equal(f.state, INV_ISSUED);
    int t = pos(EFF_TXN, -1);
    assert_true(t >= 0);
    assert_string_equal(fx.v[t].arg, "rei-" OLD_NUMBER);
    assert_string_equal(f.result.number, NUMBER);

    /* from an issue refused as invoiced already, with its one sale; corrected too often */
    to_preview(&f);
    to_issuing(&f, 1000);
    answer(&f, INV_CALL_ISSUE, json_answer(INV_CALL_ISSUE, 409, already_json, "ALREADY_INVOICED"),
           1100);
    go(&f, INV_IN_CORRECT, 1200);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_true(f.correcting);
    go(&f, INV_IN_INDIVIDUAL, 1210);
    assert_int_equal(f.state, INV_DELIVERY);
    go(&f, INV_IN_NEXT, 1220); /* the phone typed before */
    assert_int_equal(f.state, INV_PREVIEW);
    to_issuing(&f, 2000);
    assert_true(req(INV_CALL_ISSUE)->reissue);
    answer(&f, INV_CALL_ISSUE, failed(409, "REISSUE_LIMIT"), 2100);
    assert_int_equal(f.state, INV_REFUSED);
    assert_int_equal(f.refusal, INV_REF_REISSUE_LIMIT);
    assert_true(has(EFF_OUTCOME, 2));
    /* Back to the list, and another receipt: a new invoice, no correction of the old one */
    go(&f, INV_IN_BACK, 2200);
    assert_int_equal(f.state, INV_COLLECT);
    assert_int_equal(f.nsales, 0);
    assert_false(f.correcting);
    struct inv_sale s43 = mksale(TXN43, "ST001", PAID, 1);
    add_sale(&f, &s43, 2300);
    go(&f, INV_IN_NEXT, 2310);
    go(&f, INV_IN_NEXT, 2320); /* the phone typed before */
    assert_int_equal(f.state, INV_PREVIEW);
    to_issuing(&f, 3000);
    assert_false(req(INV_CALL_ISSUE)->reissue);
    assert_memory_equal(f.idem_key, "inv-", 4);

    /* several sales on one invoice: no correction from here */
    to_preview(&f);
    go(&f, INV_IN_BACK, 0);
    go(&f, INV_IN_BACK, 0);
    assert_int_equal(f.state, INV_COLLECT);
    add_sale(&f, &s43, 10);
    go(&f, INV_IN_NEXT, 20);
    go(&f, INV_IN_NEXT, 20);
    assert_int_equal(f.state, INV_PREVIEW);
    to_issuing(&f, 1000);
    answer(&f, INV_CALL_ISSUE, json_answer(INV_CALL_ISSUE, 409, already_json, "ALREADY_INVOICED"),
           1100);
    assert_int_equal(f.state, INV_EXISTING);
    go(&f, INV_IN_CORRECT, 1200);
    assert_int_equal(f.state, INV_EXISTING);
}

/* What each refusal of an issue tells the customer. */
static void refusals(void **state)
{
    (void)state;
    static struct inv_flow f;
    static const struct {
        int status;
        const char *code;
        enum inv_refusal r;
    } cases[] = {
        {422, "REFINED_OIL_STOCK", INV_REF_STOCK}, {422, "RECHARGE_INVOICED", INV_REF_RECHARGE},
        {422, "COUNTER_ONLY", INV_REF_COUNTER},    {422, "OUT_OF_WINDOW", INV_REF_WINDOW},
        {422, "MERGE_NOT_ALLOWED", INV_REF_MERGE}, {409, "REISSUE_LIMIT", INV_REF_REISSUE_LIMIT},
        {422, "OTHER_STATION", INV_REF_OTHER},     {422, "NOT_PAID", INV_REF_OTHER},
        {400, "INVALID_ARGUMENT", INV_REF_OTHER},  {400, "INVALID_TAX_ID", INV_REF_OTHER},
        {404, "NOT_FOUND", INV_REF_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        to_preview(&f);
        to_issuing(&f, 1000);
        answer(&f, INV_CALL_ISSUE, failed(cases[i].status, cases[i].code), 1100);
        assert_int_equal(f.state, INV_REFUSED);
        assert_int_equal(f.refusal, cases[i].r);
        int o = pos(EFF_OUTCOME, 2);
        assert_true(o >= 0);
        assert_string_equal(fx.v[o].arg, cases[i].code);
        assert_false(has(EFF_TXN, -1));
        assert_false(has(EFF_SETTLE, -1));
        assert_false(f.intent_open);
        assert_string_equal(inv_screen_name(&f), "inv_refused");
        go(&f, INV_IN_BACK, 1200); /* not handed over: the list emptied, another receipt */
        assert_int_equal(f.state, INV_COLLECT);
        assert_int_equal(f.nsales, 0);
        assert_false(has(EFF_HOME, -1));
    }
    /* the product short of stock is named */
    to_preview(&f);
    to_issuing(&f, 1000);
    answer(&f, INV_CALL_ISSUE,
           json_answer(INV_CALL_ISSUE, 422,
                       "{\"error\":{\"code\":\"REFINED_OIL_STOCK\",\"message\":\"m\","
                       "\"details\":{\"name\":\"*汽油*92号车用汽油\"}}}",
                       "REFINED_OIL_STOCK"),
           1100);
    assert_int_equal(f.refusal, INV_REF_STOCK);
    assert_string_equal(f.refusal_detail, "*汽油*92号车用汽油");
    /* refused after PENDING (asked after): no intent left to settle */
    to_preview(&f);
    to_issuing(&f, 1000);
    answer(&f, INV_CALL_ISSUE, issue_answer("PENDING", ""), 1100);
    go(&f, INV_IN_TICK, 1100 + INV_POLL_MS);
    answer(&f, INV_CALL_STATUS,
           json_answer(INV_CALL_STATUS, 200,
                       "{\"request_id\":\"r\",\"status\":\"REFUSED\",\"invoice_no\":\"\","
                       "\"download_url\":\"\",\"code\":\"COUNTER_ONLY\"}",
                       NULL),
           2700);
    assert_int_equal(f.state, INV_REFUSED);
    assert_int_equal(f.refusal, INV_REF_COUNTER);
    assert_false(has(EFF_OUTCOME, -1));
    /* a 200 REFUSED to the issue itself */
    to_preview(&f);
    to_issuing(&f, 1000);
    answer(&f, INV_CALL_ISSUE,
           json_answer(INV_CALL_ISSUE, 200, "{\"status\":\"REFUSED\",\"code\":\"OUT_OF_WINDOW\"}",
                       NULL),
           1100);
    assert_int_equal(f.refusal, INV_REF_WINDOW);
    assert_true(has(EFF_OUTCOME, 2));
    /* the delivery refused: back to it, the field marked */
    static const struct {
        const char *code;
        enum inv_note n;
    } delivery[] = {{"INVALID_PHONE", INV_NOTE_PHONE_BAD}, {"INVALID_EMAIL", INV_NOTE_EMAIL_BAD}};
    for (size_t i = 0; i < 2; i++) {
        to_preview(&f);
        to_issuing(&f, 1000);
        answer(&f, INV_CALL_ISSUE, failed(400, delivery[i].code), 1100);
        assert_int_equal(f.state, INV_DELIVERY);
        assert_int_equal(f.note, delivery[i].n);
        assert_true(has(EFF_OUTCOME, 2));
    }
}

/* An organisation: its tax ID typed, checked here, the company found, its extras. */
static void organisation(void **state)
{
    (void)state;
    static struct inv_flow f;
    to_preview(&f);
    go(&f, INV_IN_BACK, 0);
    assert_int_equal(f.state, INV_DELIVERY);
    go(&f, INV_IN_ORGANISATION, 10);
    assert_int_equal(f.state, INV_TAXID);
    assert_string_equal(inv_screen_name(&f), "inv_taxid");
    /* only the GB 32100 set: no I, O, S, V, Z, no lower case, one character a key */
    keys(&f, "IOSVZa", 20);
    key(&f, "91", 20);
    assert_string_equal(f.taxid, "");
    keys(&f, "91350100MA2Y7K", 21); /* 14 */
    key(&f, "ok", 22);
    assert_int_equal(f.note, INV_NOTE_TAXID_LENGTH);
    assert_false(has(EFF_CALL, -1));
    /* 18 characters, the check character wrong: refused here, nothing sent */
    keys(&f, "3B3J", 23);
    assert_false(code_taxid_valid(f.taxid));
    key(&f, "ok", 24);
    assert_int_equal(f.note, INV_NOTE_TAXID_CHECK);
    assert_false(has(EFF_CALL, -1));
    assert_false(f.busy);
    assert_int_equal(f.state, INV_TAXID);
    key(&f, "del", 25);
    key(&f, "K", 26);
    assert_int_equal(f.note, INV_NOTE_NONE);
    assert_true(code_taxid_valid(f.taxid));
    key(&f, "ok", 27);
    assert_string_equal(req(INV_CALL_COMPANY)->subject, COMPANY_ID);
    assert_true(f.busy);
    key(&f, "del", 28); /* not while asking */
    assert_string_equal(f.taxid, COMPANY_ID);
    go(&f, INV_IN_BACK, 28);
    assert_int_equal(f.state, INV_TAXID);
    /* not found, a check the backend refused, no answer, an answer that does not read */
    answer(&f, INV_CALL_COMPANY, failed(404, "COMPANY_NOT_FOUND"), 30);
    assert_int_equal(f.note, INV_NOTE_COMPANY_UNKNOWN);
    assert_int_equal(f.state, INV_TAXID);
    assert_false(f.busy);
    answer(&f, INV_CALL_COMPANY, failed(400, "INVALID_TAX_ID"), 31);
    assert_int_equal(f.note, INV_NOTE_TAXID_CHECK);
    answer(&f, INV_CALL_COMPANY, failed(0, ""), 32);
    assert_int_equal(f.note, INV_NOTE_OFFLINE);
    answer(&f, INV_CALL_COMPANY,
           json_answer(INV_CALL_COMPANY, 200, "{\"tax_id\":\"91350100MA2Y7K3B3J\",\"name\":\"x\"}",
                       NULL),
           33);
    assert_int_equal(f.note, INV_NOTE_UNUSABLE);
    assert_int_equal(f.state, INV_TAXID);
    /* found */
    key(&f, "ok", 40);
    answer(&f, INV_CALL_COMPANY,
           json_answer(INV_CALL_COMPANY, 200,
                       "{\"tax_id\":\"" COMPANY_ID "\",\"name\":\"福建闽运物流有限公司\","
                       "\"address\":\"福建省福州市鼓楼区五四路158号\",\"phone\":\"0591-87654321\","
                       "\"bank\":\"中国银行福州分行\",\"account\":\"4070 5820 1234\"}",
                       NULL),
           50);
    assert_int_equal(f.state, INV_COMPANY);
    assert_string_equal(inv_screen_name(&f), "inv_company");
    assert_true(f.buyer.organisation);
    assert_string_equal(f.buyer.name, "福建闽运物流有限公司");
    assert_string_equal(f.buyer.tax_id, COMPANY_ID);
    assert_false(f.buyer.extras); /* the directory has them: on the invoice when asked for */
    go(&f, INV_IN_EXTRAS, 60);
    assert_true(f.buyer.extras);
    go(&f, INV_IN_EXTRAS, 61);
    assert_false(f.buyer.extras);
    go(&f, INV_IN_EXTRAS, 62);
    assert_true(f.buyer.extras);
    go(&f, INV_IN_NEXT, 70);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_true(f.buyer.organisation); /* the delivery screen shows the company's title */
    go(&f, INV_IN_BACK, 71);           /* delivery's Back: the list, the title kept */
    assert_int_equal(f.state, INV_COLLECT);
    assert_int_equal(f.nsales, 1);
    go(&f, INV_IN_NEXT, 72);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_string_equal(f.buyer.name, "福建闽运物流有限公司");
    /* the company's screen and the keypad go back the way they came */
    go(&f, INV_IN_ORGANISATION, 73);
    key(&f, "ok", 73);
    answer(&f, INV_CALL_COMPANY,
           json_answer(INV_CALL_COMPANY, 200,
                       "{\"tax_id\":\"" COMPANY_ID "\",\"name\":\"福建闽运物流有限公司\","
                       "\"address\":\"福建省福州市鼓楼区五四路158号\",\"phone\":\"\","
                       "\"bank\":\"\",\"account\":\"\"}",
                       NULL),
           73);
    assert_int_equal(f.state, INV_COMPANY);
    go(&f, INV_IN_BACK, 74);
    assert_int_equal(f.state, INV_TAXID);
    go(&f, INV_IN_BACK, 74);
    assert_int_equal(f.state, INV_DELIVERY);
    /* the extras toggle on the company's screen, not elsewhere */
    go(&f, INV_IN_EXTRAS, 75);
    assert_false(f.buyer.extras);
    assert_int_equal(fx.n, 0);
    /* the customer's own title after all: an individual, on the same screen */
    go(&f, INV_IN_INDIVIDUAL, 76);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_false(f.buyer.organisation);
    assert_string_equal(f.buyer.name, "个人");
    assert_string_equal(f.buyer.tax_id, "");
    assert_false(f.buyer.extras);
    go(&f, INV_IN_ORGANISATION, 80);
    key(&f, "ok", 81);
    answer(&f, INV_CALL_COMPANY,
           json_answer(INV_CALL_COMPANY, 200,
                       "{\"tax_id\":\"" COMPANY_ID "\",\"name\":\"福建闽运物流有限公司\","
                       "\"address\":\"a\",\"phone\":\"\",\"bank\":\"\",\"account\":\"\"}",
                       NULL),
           82);
    go(&f, INV_IN_NEXT, 83);
    go(&f, INV_IN_NEXT, 84);
    assert_int_equal(f.state, INV_PREVIEW);
    go(&f, INV_IN_EXTRAS, 85); /* the preview shows; it does not change the title */
    assert_false(f.buyer.extras);
    assert_int_equal(fx.n, 0);
    /* 15..20 characters other than 18 have no check character: asked */
    go(&f, INV_IN_BACK, 90);
    assert_int_equal(f.state, INV_DELIVERY);
    go(&f, INV_IN_ORGANISATION, 90);
    assert_int_equal(f.state, INV_TAXID);
    for (int i = 0; i < 18; i++)
        key(&f, "del", 91);
    keys(&f, "110108123456789", 92);
    key(&f, "ok", 93);
    assert_string_equal(req(INV_CALL_COMPANY)->subject, "110108123456789");
    answer(&f, INV_CALL_COMPANY, failed(404, "COMPANY_NOT_FOUND"), 94);
    keys(&f, "012345", 95); /* 20 at most */
    assert_int_equal(strlen(f.taxid), INV_TAXID_LEN);
}

/* A WeChat/Alipay invoice-title QR scanned on the delivery screen (or the tax ID keypad):
 * only a web address is asked about. */
static void title_qr(void **state)
{
    (void)state;
    static struct inv_flow f;
    static const char title[] = "https://wx.example/invoice-title/T100";
    to_preview(&f);
    go(&f, INV_IN_BACK, 0);
    assert_int_equal(f.state, INV_DELIVERY);
    scan(&f, title, 10);
    assert_string_equal(req(INV_CALL_TITLE)->subject, title);
    assert_false(req(INV_CALL_TITLE)->reissue);
    assert_true(f.busy);
    assert_int_equal(f.waiting, INV_CALL_TITLE);
    go(&f, INV_IN_ORGANISATION, 11); /* not while asking */
    assert_int_equal(f.state, INV_DELIVERY);
    go(&f, INV_IN_BACK, 11);
    assert_int_equal(f.state, INV_DELIVERY);
    scan(&f, title, 12); /* one question at a time */
    assert_false(has(EFF_CALL, -1));
    answer(&f, INV_CALL_TITLE, failed(404, "TITLE_NOT_FOUND"), 20);
    assert_int_equal(f.note, INV_NOTE_TITLE_UNKNOWN);
    assert_false(f.busy);
    assert_int_equal(f.state, INV_DELIVERY);
    scan(&f, title, 21);
    answer(&f, INV_CALL_TITLE, failed(400, "INVALID_ARGUMENT"), 22);
    assert_int_equal(f.note, INV_NOTE_TITLE_UNKNOWN);
    scan(&f, title, 23);
    answer(&f, INV_CALL_TITLE, failed(503, "UNAVAILABLE"), 24);
    assert_int_equal(f.note, INV_NOTE_OFFLINE);
    /* a person's title: that name, the same screen */
    scan(&f, title, 30);
    answer(&f, INV_CALL_TITLE,
           json_answer(INV_CALL_TITLE, 200,
                       "{\"buyer_type\":\"individual\",\"name\":\"张三\",\"tax_id\":\"\","
                       "\"address\":\"\",\"phone\":\"\",\"bank\":\"\",\"account\":\"\"}",
                       NULL),
           31);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_int_equal(f.note, INV_NOTE_NONE);
    assert_false(f.buyer.organisation);
    assert_string_equal(f.buyer.name, "张三");
    /* a company's title, on the tax ID keypad too */
    go(&f, INV_IN_ORGANISATION, 40);
    assert_int_equal(f.state, INV_TAXID);
    scan(&f, title, 41);
    assert_string_equal(req(INV_CALL_TITLE)->subject, title);
    answer(&f, INV_CALL_TITLE,
           json_answer(INV_CALL_TITLE, 200,
                       "{\"buyer_type\":\"organization\",\"name\":\"福建闽运物流有限公司\","
                       "\"tax_id\":\"" COMPANY_ID "\",\"address\":\"\",\"phone\":\"\","
                       "\"bank\":\"中国银行\",\"account\":\"1\"}",
                       NULL),
           42);
    assert_int_equal(f.state, INV_COMPANY);
    assert_true(f.buyer.organisation);
    assert_true(f.buyer.extras);
    go(&f, INV_IN_BACK, 50);
    go(&f, INV_IN_BACK, 50);
    assert_int_equal(f.state, INV_DELIVERY);
    /* anything that is no web address is no title QR: said so, nothing sent, on either
     * screen (a receipt's number here is not looked up either) */
    static const char *const not_titles[] = {
        "hello",
        "6901234567892",
        "13800138000",
        "91110000710926094P",
        TXN43,
        "T100",
        "ftp://wx.example/T1",
        "wx.example/invoice-title/T100",
        "HTTPS://wx.example/invoice-title/T100",
    };
    for (int screen = 0; screen < 2; screen++) {
        for (size_t i = 0; i < sizeof not_titles / sizeof not_titles[0]; i++) {
            f.note = INV_NOTE_NONE;
            scan(&f, not_titles[i], 51);
            assert_int_equal(f.state, screen ? INV_TAXID : INV_DELIVERY);
            if (f.note != INV_NOTE_TITLE_UNKNOWN)
                fail_msg("\"%s\": note %d", not_titles[i], f.note);
            assert_false(has(EFF_CALL, -1));
            assert_false(f.busy);
        }
        go(&f, INV_IN_ORGANISATION, 52);
    }
    assert_int_equal(f.state, INV_TAXID);
    go(&f, INV_IN_BACK, 53);
    assert_int_equal(f.state, INV_DELIVERY);
    /* a payment code is said to be one, and never sent */
    scan(&f, "134567890123451234", 54);
    assert_int_equal(f.note, INV_NOTE_PAYMENT_CODE);
    assert_false(has(EFF_CALL, -1));
    /* a web address too long to be a scan, or for the request: not sent; the longest
     * scan is */
    char longer[sizeof((struct inv_request *)0)->subject + 1];
    assert_true(CODE_SCAN_MAX < sizeof longer - 1);
    memset(longer, 'q', sizeof longer - 1);
    memcpy(longer, "https://wx.example/", 19);
    longer[sizeof longer - 1] = '\0';
    scan(&f, longer, 55);
    assert_int_equal(f.note, INV_NOTE_TITLE_UNKNOWN);
    assert_false(has(EFF_CALL, -1));
    longer[CODE_SCAN_MAX + 1] = '\0';
    scan(&f, longer, 55);
    assert_int_equal(f.note, INV_NOTE_TITLE_UNKNOWN);
    assert_false(has(EFF_CALL, -1));
    longer[CODE_SCAN_MAX] = '\0';
    scan(&f, longer, 56);
    assert_string_equal(req(INV_CALL_TITLE)->subject, longer);
    answer(&f, INV_CALL_TITLE, failed(404, "TITLE_NOT_FOUND"), 57);
    /* a late title answer on a screen that does not take it */
    go(&f, INV_IN_NEXT, 61); /* the phone typed before */
    assert_int_equal(f.state, INV_PREVIEW);
    assert_int_equal(f.note, INV_NOTE_NONE);
    answer(&f, INV_CALL_TITLE,
           json_answer(INV_CALL_TITLE, 200,
                       "{\"buyer_type\":\"individual\",\"name\":\"李四\",\"tax_id\":\"\","
                       "\"address\":\"\",\"phone\":\"\",\"bank\":\"\",\"account\":\"\"}",
                       NULL),
           62);
    assert_int_equal(f.state, INV_PREVIEW);
    assert_true(f.buyer.organisation);
    assert_string_equal(f.buyer.name, "福建闽运物流有限公司");
    answer(&f, INV_CALL_TITLE, failed(404, "TITLE_NOT_FOUND"), 63);
    assert_int_equal(f.state, INV_PREVIEW);
    assert_int_equal(f.note, INV_NOTE_NONE);
}

/* Payment codes are never sent anywhere; what is no receipt says so. */
static void scans_that_are_no_receipt(void **state)
{
    (void)state;
    static struct inv_flow f;
    inv_init(&f);
    go(&f, INV_IN_START, 0);
    static const char *const paycodes[] = {"134567890123451234", "284567890123451234"};
    for (size_t i = 0; i < 2; i++) {
        scan(&f, paycodes[i], 10);
        assert_int_equal(f.note, INV_NOTE_PAYMENT_CODE);
        assert_false(has(EFF_CALL, -1));
    }
    step(&f, (struct inv_event){.in = INV_IN_SCAN, .text = "\x01", .ok = 0}, 20);
    assert_int_equal(f.note, INV_NOTE_NOT_RECEIPT);
    scan(&f, "6901234567892", 21);
    assert_int_equal(f.note, INV_NOTE_NOT_RECEIPT);
    scan(&f, "https://inv.example/t/short", 22);
    assert_int_equal(f.note, INV_NOTE_NOT_RECEIPT);
    assert_false(has(EFF_CALL, -1));
    /* on the delivery screen (where a title QR is taken): not a title either */
    struct inv_sale s = mksale(TXN42, "ST001", PAID, 1);
    add_sale(&f, &s, 30);
    go(&f, INV_IN_NEXT, 40);
    assert_int_equal(f.state, INV_DELIVERY);
    scan(&f, paycodes[0], 41);
    assert_int_equal(f.note, INV_NOTE_PAYMENT_CODE);
    assert_false(has(EFF_CALL, -1));
    /* while a lookup is on its way, scans wait */
    go(&f, INV_IN_BACK, 50);
    assert_int_equal(f.state, INV_COLLECT);
    scan(&f, TXN43, 51);
    assert_true(f.busy);
    scan(&f, TXN44, 52);
    assert_false(has(EFF_CALL, -1)); /* the first is still asked about, alone */
    /* the lookup's refusals */
    static const struct {
        int status;
        const char *code;
        enum inv_note n;
    } cases[] = {
        {404, "SALE_NOT_FOUND", INV_NOTE_NOT_FOUND},
        {422, "OUT_OF_WINDOW", INV_NOTE_OUT_OF_WINDOW},
        {422, "RECHARGE_INVOICED", INV_NOTE_NOTHING_LEFT},
        {422, "OTHER_STATION", INV_NOTE_OTHER_STATION},
        {422, "NOT_PAID", INV_NOTE_NOT_PAID},
        {0, "", INV_NOTE_OFFLINE},
        {502, "BAD_GATEWAY", INV_NOTE_OFFLINE},
        {429, "RATE_LIMITED", INV_NOTE_OFFLINE},
        {200, "UNUSABLE", INV_NOTE_UNUSABLE},
        /* a refusal the kiosk does not know is a no, not "try again" */
        {422, "INVOICED_PER_SALE", INV_NOTE_REFUSED},
        {418, "TEAPOT", INV_NOTE_REFUSED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scan(&f, TXN43, 60);
        answer(&f, INV_CALL_SALE, failed(cases[i].status, cases[i].code), 61);
        assert_int_equal(f.note, cases[i].n);
        assert_int_equal(f.nsales, 1);
        assert_false(f.busy);
    }
    /* lines that do not add up: not shown, not issued */
    struct inv_sale bad = mksale(TXN43, "ST001", PAID, 1);
    bad.tax_fen++;
    bad.total_fen++;
    scan(&f, TXN43, 70);
    answer(&f, INV_CALL_SALE, sale_answer(&bad), 71);
    assert_int_equal(f.note, INV_NOTE_BAD_SUMS);
    assert_int_equal(f.nsales, 1);
}

/* The same receipt twice, by its number or by its token. */
static void duplicate_receipt(void **state)
{
    (void)state;
    static struct inv_flow f;
    struct inv_sale s = mksale(TXN42, "ST001", PAID, 1);
    inv_init(&f);
    go(&f, INV_IN_START, 0);
    add_sale(&f, &s, 10);
    scan(&f, TXN42, 20);
    assert_int_equal(f.note, INV_NOTE_DUPLICATE);
    assert_false(has(EFF_CALL, -1));
    scan(&f, "T000120261123000042", 21);
    assert_int_equal(f.note, INV_NOTE_DUPLICATE);
    scan(&f, "https://inv.example/t/AbCdEfGhIjKlMnOpQrSt", 22);
    assert_true(has(EFF_CALL, INV_CALL_SALE)); /* a token: only the answer tells */
    answer(&f, INV_CALL_SALE, sale_answer(&s), 23);
    assert_int_equal(f.note, INV_NOTE_DUPLICATE);
    assert_int_equal(f.nsales, 1);
}

/* What may go on one invoice: one station, fuel of one month (China time), max_merge. */
static void merge_rules(void **state)
{
    (void)state;
    static struct inv_flow f;
    struct inv_sale a = mksale(TXN42, "ST001", PAID, 1);
    struct inv_sale b = mksale(TXN43, "ST002", PAID, 1);
    inv_init(&f);
    go(&f, INV_IN_START, 0);
    add_sale(&f, &a, 10);
    add_sale(&f, &b, 20);
    assert_int_equal(f.note, INV_NOTE_OTHER_STATION);
    assert_int_equal(f.nsales, 1);

    /* 23:59 and 00:01 China time either side of 1 December: the same UTC day, two months */
    a = mksale(TXN42, "ST001", DEC_CST - 60, 1);
    b = mksale(TXN43, "ST001", DEC_CST + 60, 1);
    go(&f, INV_IN_START, 0);
    add_sale(&f, &a, 10);
    add_sale(&f, &b, 20);
    assert_int_equal(f.note, INV_NOTE_OTHER_MONTH);
    assert_int_equal(f.nsales, 1);
    /* the other way round too */
    go(&f, INV_IN_START, 0);
    add_sale(&f, &b, 10);
    add_sale(&f, &a, 20);
    assert_int_equal(f.note, INV_NOTE_OTHER_MONTH);
    /* goods only: any month */
    struct inv_sale c = mksale(TXN44, "ST001", DEC_CST + 60, 0);
    go(&f, INV_IN_START, 0);
    add_sale(&f, &a, 10);
    add_sale(&f, &c, 20);
    assert_int_equal(f.note, INV_NOTE_NONE);
    assert_int_equal(f.nsales, 2);
    /* the backend does not ask for the same month */
    a.fuel_same_month = b.fuel_same_month = 0;
    go(&f, INV_IN_START, 0);
    add_sale(&f, &a, 10);
    add_sale(&f, &b, 20);
    assert_int_equal(f.nsales, 2);
    /* either side of 1 December UTC: 1 December in China for both */
    a = mksale(TXN42, "ST001", DEC_UTC - 60, 1);
    b = mksale(TXN43, "ST001", DEC_UTC + 60, 1);
    go(&f, INV_IN_START, 0);
    add_sale(&f, &a, 10);
    add_sale(&f, &b, 20);
    assert_int_equal(f.note, INV_NOTE_NONE);
    assert_int_equal(f.nsales, 2);
    /* max_merge sales at most */
    a = mksale(TXN42, "ST001", PAID, 1);
    a.max_merge = 2;
    b = mksale(TXN43, "ST001", PAID, 1);
    c = mksale(TXN44, "ST001", PAID, 1);
    go(&f, INV_IN_START, 0);
    add_sale(&f, &a, 10);
    add_sale(&f, &b, 20);
    add_sale(&f, &c, 30);
    assert_int_equal(f.note, INV_NOTE_TOO_MANY);
    assert_int_equal(f.nsales, 2);
    /* and never more than the kiosk holds, whatever the backend allows */
    go(&f, INV_IN_START, 0);
    for (int i = 0; i <= INV_MAX_SALES; i++) {
        char txn[32];
        snprintf(txn, sizeof txn, "T0001-20261123-%06d", 100 + i);
        struct inv_sale s = mksale(txn, "ST001", PAID, 1);
        s.max_merge = 100;
        add_sale(&f, &s, 10 * i);
    }
    assert_int_equal(f.nsales, INV_MAX_SALES);
    assert_int_equal(f.note, INV_NOTE_TOO_MANY);
    /* more than the kiosk may invoice: said on the list, before anything is typed; a
     * receipt taken off, it may go on */
    a = mksale(TXN42, "ST001", PAID, 1);
    b = mksale(TXN43, "ST001", PAID, 1);
    a.counter_over_fen = b.counter_over_fen = a.total_fen + b.total_fen - 1;
    go(&f, INV_IN_START, 0);
    add_sale(&f, &a, 10);
    add_sale(&f, &b, 20);
    go(&f, INV_IN_NEXT, 30);
    assert_int_equal(f.state, INV_COLLECT);
    assert_int_equal(f.note, INV_NOTE_OVER_LIMIT);
    assert_false(has(EFF_CALL, -1));
    step(&f, (struct inv_event){.in = INV_IN_REMOVE, .index = 1}, 40);
    go(&f, INV_IN_NEXT, 50);
    assert_int_equal(f.state, INV_DELIVERY);
}

/* The sale checkout's done screen hands over: looked up, and on to the title and delivery
 * by itself. For an individual to a phone: 3 taps and 11 digits from the done screen. */
static void handed_over_sale(void **state)
{
    (void)state;
    static struct inv_flow f;
    struct inv_sale s = mksale(TXN42, "ST001", PAID, 1);
    int taps = 0, digits = 0;
    inv_init(&f);
    step(&f, (struct inv_event){.in = INV_IN_TAKE, .text = TXN42}, 0); /* the done screen */
    taps++;
    assert_int_equal(f.state, INV_COLLECT);
    assert_true(f.handed);
    assert_string_equal(req(INV_CALL_SALE)->subject, TXN42);
    answer(&f, INV_CALL_SALE, sale_answer(&s), 10);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_int_equal(f.nsales, 1);
    assert_false(f.buyer.organisation); /* an individual, unless the customer says */
    assert_string_equal(f.buyer.name, "个人");
    assert_int_equal(f.field, 0); /* the phone, ready to type */
    for (const char *d = "13800138000"; *d; d++, digits++) {
        char k[2] = {*d, '\0'};
        key(&f, k, 20 + digits);
    }
    go(&f, INV_IN_NEXT, 40);
    taps++;
    assert_int_equal(f.state, INV_PREVIEW);
    go(&f, INV_IN_ISSUE, 50);
    taps++;
    assert_int_equal(f.state, INV_ISSUING);
    assert_true(has(EFF_INTENT, -1));
    assert_int_equal(taps, 3);
    assert_int_equal(digits, 11);
    step(&f, (struct inv_event){.in = INV_IN_INTENT_WRITTEN, .ok = 1}, 60);
    assert_string_equal(req(INV_CALL_ISSUE)->subject, f.idem_key);
    answer(&f, INV_CALL_ISSUE, issue_answer("ISSUED", NUMBER), 70);
    assert_int_equal(f.state, INV_ISSUED);
    assert_true(has(EFF_TXN, -1));

    /* Back from delivery: the list, where another receipt may join */
    step(&f, (struct inv_event){.in = INV_IN_TAKE, .text = TXN42}, 100);
    assert_int_equal(f.nsales, 0);
    assert_string_equal(f.phone, ""); /* a new session: nothing typed before */
    answer(&f, INV_CALL_SALE, sale_answer(&s), 110);
    assert_int_equal(f.state, INV_DELIVERY);
    go(&f, INV_IN_BACK, 120);
    assert_int_equal(f.state, INV_COLLECT);
    assert_int_equal(f.nsales, 1);
    struct inv_sale s43 = mksale(TXN43, "ST001", PAID, 1);
    add_sale(&f, &s43, 130);
    assert_int_equal(f.state, INV_COLLECT); /* only the first goes on by itself */
    assert_int_equal(f.nsales, 2);
    /* handed over, invoiced already: its invoice, the sale on the list to correct it; Back
     * from the correction returns to it, Back from it ends the service */
    s.invoiced = 1;
    s.invoice = (struct inv_invoice){.number = OLD_NUMBER, .status = "ISSUED", .reissues_left = 1};
    step(&f, (struct inv_event){.in = INV_IN_TAKE, .text = TXN42}, 140);
    assert_int_equal(f.nsales, 0);
    answer(&f, INV_CALL_SALE, sale_answer(&s), 150);
    assert_int_equal(f.state, INV_EXISTING);
    assert_int_equal(f.nsales, 1);
    assert_string_equal(f.existing.number, OLD_NUMBER);
    go(&f, INV_IN_CORRECT, 160);
    assert_int_equal(f.state, INV_DELIVERY);
    assert_true(f.correcting);
    go(&f, INV_IN_BACK, 170);
    assert_int_equal(f.state, INV_EXISTING);
    assert_false(f.correcting);
    go(&f, INV_IN_BACK, 180);
    assert_true(has(EFF_HOME, -1));
    /* refused, handed over: Back ends the service too */
    s.invoiced = 0;
    step(&f, (struct inv_event){.in = INV_IN_TAKE, .text = TXN42}, 200);
    answer(&f, INV_CALL_SALE, sale_answer(&s), 210);
    keys(&f, "13800138000", 220);
    go(&f, INV_IN_NEXT, 230);
    to_issuing(&f, 240);
    answer(&f, INV_CALL_ISSUE, failed(422, "COUNTER_ONLY"), 250);
    assert_int_equal(f.state, INV_REFUSED);
    go(&f, INV_IN_BACK, 260);
    assert_true(has(EFF_HOME, -1));
    assert_int_equal(f.state, INV_REFUSED);
    /* handed over with nothing to look up */
    step(&f, (struct inv_event){.in = INV_IN_TAKE, .text = NULL}, 300);
    assert_int_equal(f.state, INV_COLLECT);
    assert_false(has(EFF_CALL, -1));
    step(&f, (struct inv_event){.in = INV_IN_TAKE, .text = "S1003"}, 310);
    assert_false(has(EFF_CALL, -1));
}

/* Back from each screen. */
static void back_navigation(void **state)
{
    (void)state;
    static struct inv_flow f;
    to_preview(&f);
    go(&f, INV_IN_BACK, 100);
    assert_int_equal(f.state, INV_DELIVERY);
    go(&f, INV_IN_BACK, 101);
    assert_int_equal(f.state, INV_COLLECT);
    assert_int_equal(f.nsales, 1);               /* the list is kept */
    assert_string_equal(f.phone, "13800138000"); /* and what was typed */
    go(&f, INV_IN_NEXT, 102);
    assert_int_equal(f.state, INV_DELIVERY);
    go(&f, INV_IN_ORGANISATION, 102);
    assert_int_equal(f.state, INV_TAXID);
    go(&f, INV_IN_BACK, 103);
    assert_int_equal(f.state, INV_DELIVERY);
    go(&f, INV_IN_BACK, 104);
    assert_int_equal(f.state, INV_COLLECT);
    assert_int_equal(f.nsales, 1);
    go(&f, INV_IN_TYPE_TXN, 105);
    go(&f, INV_IN_BACK, 106);
    assert_int_equal(f.state, INV_COLLECT);
    go(&f, INV_IN_BACK, 107);
    assert_true(has(EFF_HOME, -1));
    assert_int_equal(f.state, INV_COLLECT);
    /* nothing on the list: no Next */
    go(&f, INV_IN_START, 200);
    go(&f, INV_IN_NEXT, 201);
    assert_int_equal(f.state, INV_COLLECT);
    /* a note goes with the screen it was on */
    scan(&f, "nonsense", 202);
    assert_int_equal(f.note, INV_NOTE_NOT_RECEIPT);
    go(&f, INV_IN_TYPE_TXN, 203);
    assert_int_equal(f.note, INV_NOTE_NONE);
    /* the screens after issuing have no way back */
    to_preview(&f);
    to_issuing(&f, 1000);
    go(&f, INV_IN_BACK, 1001);
    assert_int_equal(f.state, INV_ISSUING);
    assert_false(has(EFF_HOME, -1));
    answer(&f, INV_CALL_ISSUE, issue_answer("ISSUED", NUMBER), 1100);
    go(&f, INV_IN_BACK, 1101);
    assert_int_equal(f.state, INV_ISSUED);
    assert_int_equal(fx.n, 0);
    /* the screen names */
    static const char *const names[INV_STATE_LAST] = {
        [INV_IDLE] = "inv_collect",      [INV_COLLECT] = "inv_collect",
        [INV_TXN] = "inv_txn",           [INV_TAXID] = "inv_taxid",
        [INV_COMPANY] = "inv_company",   [INV_DELIVERY] = "inv_delivery",
        [INV_PREVIEW] = "inv_preview",   [INV_ISSUING] = "inv_issuing",
        [INV_ISSUED] = "inv_issued",     [INV_SUBMITTED] = "inv_submitted",
        [INV_EXISTING] = "inv_existing", [INV_RESENT] = "inv_resent",
        [INV_REFUSED] = "inv_refused",
    };
    for (int s = INV_IDLE; s < INV_STATE_LAST; s++) {
        f.state = (enum inv_state)s;
        assert_non_null(names[s]); /* every state has its screen */
        assert_string_equal(inv_screen_name(&f), names[s]);
    }
}

static void all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        assert_int_equal(b[i], 0);
}

/* What the customer typed is wiped, not only cut short. */
static void wipe(void **state)
{
    (void)state;
    static struct inv_flow f;
    to_preview(&f);
    snprintf(f.email, sizeof f.email, "zhang.san@qq.com");
    snprintf(f.buyer.address, sizeof f.buyer.address, "福建省福州市鼓楼区五四路158号");
    snprintf(f.taxid, sizeof f.taxid, "%s", COMPANY_ID);
    snprintf(f.txn_digits, sizeof f.txn_digits, "000120261123000042");
    assert_string_equal(f.phone, "13800138000");
    inv_wipe(&f);
    all_zero(f.phone, sizeof f.phone);
    all_zero(f.email, sizeof f.email);
    all_zero(&f.buyer, sizeof f.buyer);
    all_zero(f.taxid, sizeof f.taxid);
    all_zero(f.txn_digits, sizeof f.txn_digits);
    /* a new session starts from nothing */
    to_preview(&f);
    go(&f, INV_IN_START, 0);
    assert_string_equal(f.phone, "");
    assert_int_equal(f.nsales, 0);
    assert_string_equal(f.buyer.name, "个人");
}

static void ref_of(void **state)
{
    (void)state;
    static const struct {
        const char *text, *ref;
    } good[] = {
        {TXN42, TXN42},
        {"T000120261123000042", TXN42},
        {"T9999-20991231-999999", "T9999-20991231-999999"},
        {"https://inv.example/t/AbCdEfGhIjKlMnOp", "AbCdEfGhIjKlMnOp"},
        {"http://inv.example/t/a/b/QWERTYUIOPASDFGHJKLZ", "QWERTYUIOPASDFGHJKLZ"},
        {"https://i.example/0123456789abcdefghijABCDEFGHIJ0123456789",
         "0123456789abcdefghijABCDEFGHIJ0123456789"},
    };
    static const char *const bad[] = {
        "",
        "T0001-20261123-00004",   /* short */
        "T0001-20261123-0000421", /* long */
        "T0001_20261123_000042",  /* not its dashes */
        "T00012-0261123-000042",  /* dashes elsewhere */
        "T0001-2026112A-000042",
        "X0001-20261123-000042",
        "T00012026112300004A",
        "t000120261123000042",
        "000120261123000042",  /* bare digits: a payment code is 18 digits too */
        "134567890123451234",  /* one */
        "00012026112300004",   /* 17 digits */
        "0001202611230000421", /* 19 digits */
        "00012026112300004 ",
        "https://inv.example/t/AbCdEfGhIjKlMnO",                       /* 15 */
        "https://i.example/0123456789abcdefghijABCDEFGHIJ0123456789X", /* 41 */
        "https://inv.example/t/AbCdEfGh-jKlMnOpQr",
        "https://inv.example/t/AbCdEfGh_jKlMnOpQr",
        "https://inv.example/t/AbCdEfGhIjKlMnOp?x=1",
        "https://inv.example/t/",
        "ftp://inv.example/t/AbCdEfGhIjKlMnOpQrSt",
        "AbCdEfGhIjKlMnOpQrSt",
    };
    char out[48];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        out[0] = '\0';
        assert_true(inv_ref_of(good[i].text, out, sizeof out));
        assert_string_equal(out, good[i].ref);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (inv_ref_of(bad[i], out, sizeof out))
            fail_msg("\"%s\" taken as %s", bad[i], out);
}

static void email_valid(void **state)
{
    (void)state;
    char longest[INV_EMAIL_LEN + 2];
    static const char *const good[] = {
        "a@b.cn",
        "zhang.san+inv@qq.com",
        "Zhang_San@Mail.Example.com.cn",
        "13800138000@163.com",
        "x-y@a-b.org",
    };
    static const char *const bad[] = {
        "",
        "a",
        "@qq.com",
        "a@",
        "a@b",
        "a@.com",
        "a@b.",
        "a@b.c",
        "a@@b.com",
        "a@b@c.com",
        "a b@qq.com",
        " a@qq.com",
        "a..b@qq.com",
        "a@b..com",
        "a@b.com.",
        "张三@qq.com",
        "a(b)@qq.com",
        "a,b@qq.com",
        "a<b>@qq.com",
        "a\"b@qq.com",
        "a;b@qq.com",
        "a@b.com\n",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!inv_email_valid(good[i]))
            fail_msg("\"%s\" refused", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (inv_email_valid(bad[i]))
            fail_msg("\"%s\" taken", bad[i]);
    /* 64 characters at most */
    memset(longest, 'a', sizeof longest);
    memcpy(longest + INV_EMAIL_LEN - 7, "@qq.com", 8);
    assert_int_equal(strlen(longest), INV_EMAIL_LEN);
    assert_true(inv_email_valid(longest));
    memset(longest, 'a', sizeof longest);
    memcpy(longest + INV_EMAIL_LEN - 6, "@qq.com", 8);
    assert_int_equal(strlen(longest), INV_EMAIL_LEN + 1);
    assert_false(inv_email_valid(longest));
}

/* The sale's sums made those of its lines. */
static void resum(struct inv_sale *s)
{
    s->amount_fen = s->tax_fen = 0;
    for (int i = 0; i < s->nlines; i++) {
        s->amount_fen += s->lines[i].amount_fen;
        s->tax_fen += s->lines[i].tax_fen;
    }
    s->total_fen = s->amount_fen + s->tax_fen;
}

static void sale_adds_up(void **state)
{
    (void)state;
    struct inv_sale s = mksale(TXN42, "ST001", PAID, 1);
    assert_true(inv_sale_adds_up(&s));
    s = mksale(TXN42, "ST001", PAID, 0);
    assert_true(inv_sale_adds_up(&s));
    /* a line's tax one fen off the rate's share (rounded another way): within a fen, taken */
    s = mksale(TXN42, "ST001", PAID, 1);
    s.lines[0].tax_fen += 1;
    s.lines[0].amount_fen -= 1;
    resum(&s);
    assert_true(inv_sale_adds_up(&s));
    s.lines[1].tax_fen -= 1; /* 45 of 400 at 13 %: 46.02 */
    s.lines[1].amount_fen += 1;
    resum(&s);
    assert_true(inv_sale_adds_up(&s));
    /* two fen off: not */
    s.lines[0].tax_fen += 1;
    s.lines[0].amount_fen -= 1;
    resum(&s);
    assert_false(inv_sale_adds_up(&s));
    /* the sale's sums are not its lines' */
    s = mksale(TXN42, "ST001", PAID, 1);
    s.lines[1].tax_fen += 1; /* the line is right (401 gross: 46.13), the sums not */
    assert_false(inv_sale_adds_up(&s));
    resum(&s);
    assert_true(inv_sale_adds_up(&s));
    s = mksale(TXN42, "ST001", PAID, 1);
    s.amount_fen += 1;
    assert_false(inv_sale_adds_up(&s));
    s.total_fen += 1; /* the total agrees with the amount, the amount not with the lines */
    assert_false(inv_sale_adds_up(&s));
    s = mksale(TXN42, "ST001", PAID, 1);
    s.tax_fen -= 1;
    assert_false(inv_sale_adds_up(&s));
    s = mksale(TXN42, "ST001", PAID, 1);
    s.total_fen += 1;
    assert_false(inv_sale_adds_up(&s));
    /* a discount line that adds money */
    s = mksale(TXN42, "ST001", PAID, 1);
    s.lines[2].amount_fen = 681;
    s.lines[2].tax_fen = 89;
    resum(&s);
    assert_false(inv_sale_adds_up(&s));
    s.lines[2].discount = 0; /* the same line as goods is fine */
    assert_true(inv_sale_adds_up(&s));
    /* a goods line that takes money off */
    s = mksale(TXN42, "ST001", PAID, 1);
    s.lines[2].discount = 0;
    assert_false(inv_sale_adds_up(&s));
    /* nothing, or nothing to pay */
    s = mksale(TXN42, "ST001", PAID, 0);
    s.nlines = 0;
    assert_false(inv_sale_adds_up(&s));
    s = mksale(TXN42, "ST001", PAID, 0);
    s.lines[0].rate_pct = 0;
    s.lines[0].amount_fen = 0;
    s.lines[0].tax_fen = 0;
    resum(&s);
    assert_false(inv_sale_adds_up(&s));
    /* tax-free goods */
    s.lines[0].amount_fen = 400;
    resum(&s);
    assert_true(inv_sale_adds_up(&s));
    /* tax on a tax-free line */
    s.lines[0].amount_fen = 354;
    s.lines[0].tax_fen = 46;
    resum(&s);
    assert_false(inv_sale_adds_up(&s));
}

/* The list as it is issued, in whatever order it was scanned. */
static void key_of(struct inv_flow *f, const char *const *txns, int n, char *out, size_t cap)
{
    inv_init(f);
    go(f, INV_IN_START, 0);
    for (int i = 0; i < n; i++) {
        struct inv_sale s = mksale(txns[i], "ST001", PAID, 1);
        add_sale(f, &s, 10 * i);
    }
    assert_int_equal(f->nsales, n);
    go(f, INV_IN_NEXT, 100);
    keys(f, "13800138000", 100);
    go(f, INV_IN_NEXT, 100);
    go(f, INV_IN_ISSUE, 1000);
    assert_true(has(EFF_INTENT, -1));
    snprintf(out, cap, "%s", f->idem_key);
}

static void idempotency_key(void **state)
{
    (void)state;
    static struct inv_flow f;
    static const char *const abc[] = {TXN42, TXN43, TXN44};
    static const char *const cab[] = {TXN44, TXN42, TXN43};
    static const char *const bca[] = {TXN43, TXN44, TXN42};
    char k1[48], k2[48], k3[48], k4[48], hex[SIGN_HEX_LEN], want[48];
    key_of(&f, abc, 3, k1, sizeof k1);
    key_of(&f, cab, 3, k2, sizeof k2);
    key_of(&f, bca, 3, k3, sizeof k3);
    assert_string_equal(k1, k2);
    assert_string_equal(k1, k3);
    assert_int_equal(strlen(k1), 44);
    assert_memory_equal(k1, "inv-", 4);
    for (int i = 4; i < 44; i++)
        assert_non_null(strchr("0123456789abcdef", k1[i]));
    /* the first 40 hex digits of SHA-256 of the sorted numbers joined by ',' */
    static const char joined[] = TXN42 "," TXN43 "," TXN44;
    sign_sha256_hex(joined, strlen(joined), hex);
    snprintf(want, sizeof want, "inv-%.40s", hex);
    assert_string_equal(k1, want);
    /* another set, another request */
    key_of(&f, abc, 2, k4, sizeof k4);
    assert_string_not_equal(k1, k4);
    sign_sha256_hex(TXN42 "," TXN43, strlen(TXN42 "," TXN43), hex);
    snprintf(want, sizeof want, "inv-%.40s", hex);
    assert_string_equal(k4, want);
    /* one sale: its number alone */
    key_of(&f, abc, 1, k4, sizeof k4);
    sign_sha256_hex(TXN42, strlen(TXN42), hex);
    snprintf(want, sizeof want, "inv-%.40s", hex);
    assert_string_equal(k4, want);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(individual_by_receipt_qr),
        cmocka_unit_test(release_barcode_and_typed_digits),
        cmocka_unit_test(pending_then_polled),
        cmocka_unit_test(pending_past_the_wait),
        cmocka_unit_test(no_answer_goes_to_the_background),
        cmocka_unit_test(already_invoiced_then_resent),
        cmocka_unit_test(correct_the_title),
        cmocka_unit_test(refusals),
        cmocka_unit_test(organisation),
        cmocka_unit_test(title_qr),
        cmocka_unit_test(scans_that_are_no_receipt),
        cmocka_unit_test(duplicate_receipt),
        cmocka_unit_test(merge_rules),
        cmocka_unit_test(handed_over_sale),
        cmocka_unit_test(back_navigation),
        cmocka_unit_test(wipe),
        cmocka_unit_test(ref_of),
        cmocka_unit_test(email_valid),
        cmocka_unit_test(sale_adds_up),
        cmocka_unit_test(idempotency_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
