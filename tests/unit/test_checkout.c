/* The checkout flow, driven directly: pure state machine, made-up times, no devices; and a
 * sale's receipt drawn again from its journaled record (a reprint). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <SDL.h>

#include "core/log.h"
#include "effects_find.h"
#include "flow.h"
#include "receipt.h"
#include "record.h"

static struct effects fx;
static const struct co_config cfg = {.reprint_ms = 180000, .member_prefix = "MQR-",
                                     .coupon_prefix = "CPN-"};

static int has(enum effect_kind k, int64_t i)
{
    return effects_find(&fx, k, i) >= 0;
}

/* index of the first effect of kind k (and call kind i, unless i < 0), or -1 */
static int pos(enum effect_kind k, int64_t i)
{
    return effects_find(&fx, k, i);
}

/* The journal answers at once that what the flow waits for is on disk (its effects are
 * added to the same list, after those that asked), unless a test looks at that wait. */
static int journal_answers = 1;

static void step(struct co_flow *c, struct co_event e, int64_t now)
{
    fx.n = 0;
    co_step(c, &e, now, &fx);
    if (journal_answers && c->state == CO_JOURNALING) {
        struct co_event j = {.in = CO_IN_JOURNALED, .ok = 1};
        co_step(c, &j, now, &fx);
    }
}

/* A payment status answering the call the flow waits for (the create, a query or the
 * cancel). */
static void answer(struct co_flow *c, const char *status, const char *url, int64_t now)
{
    enum co_call k = co_waits_for(c, CO_CALL_PAY)      ? CO_CALL_PAY
                     : co_waits_for(c, CO_CALL_CANCEL) ? CO_CALL_CANCEL
                                                          : CO_CALL_QUERY;
    step(c, (struct co_event){.in = CO_IN_PAYMENT, .call = k, .text = status, .text2 = url}, now);
}

static void scan(struct co_flow *c, const char *code, int64_t now)
{
    step(c, (struct co_event){.in = CO_IN_SCAN, .text = code, .ok = 1}, now);
}

static struct co_priced priced(int64_t subtotal, int64_t total)
{
    struct co_priced p;
    memset(&p, 0, sizeof p);
    p.subtotal_fen = subtotal;
    p.total_fen = total;
    return p;
}

static void price(struct co_flow *c, int64_t total, int64_t now)
{
    struct co_priced p = priced(total, total);
    step(c, (struct co_event){.in = CO_IN_PRICED, .priced = &p}, now);
}

/* Up to the bill: pump 3 with one sale, locked, priced at 331.18. */
static void to_review(struct co_flow *c)
{
    static struct co_pump pumps[2];
    memset(pumps, 0, sizeof pumps);
    pumps[0].pump = 1;
    pumps[1].pump = 3;
    pumps[1].nsales = 1;
    strcpy(pumps[1].sales[0].id, "S1003");
    pumps[1].sales[0].amount_fen = 33118;
    step(c, (struct co_event){.in = CO_IN_START, .text = "T0001-20261123-000042", .cfg = &cfg}, 0);
    assert_true(has(EFF_CALL, CO_CALL_PUMPS));
    step(c, (struct co_event){.in = CO_IN_PUMPS, .pumps = pumps, .npumps = 2}, 10);
    assert_int_equal(c->state, CO_PUMPS);
    step(c, (struct co_event){.in = CO_IN_PICK_PUMP, .index = 0}, 20); /* no sale there */
    assert_int_equal(c->state, CO_PUMPS);
    step(c, (struct co_event){.in = CO_IN_PICK_PUMP, .index = 1}, 30);
    assert_int_equal(c->state, CO_LOCKING);
    assert_string_equal(fx.v[pos(EFF_CALL, -1)].arg, "S1003");
    step(c, (struct co_event){.in = CO_IN_LOCKED}, 40);
    assert_int_equal(c->state, CO_PRICING);
    price(c, 33118, 50);
    assert_int_equal(c->state, CO_REVIEW);
    assert_int_equal(c->total_fen, 33118);
}

/* Pay button -> the printer is asked first; it answers `ok`. */
static void choose(struct co_flow *c, struct co_event pay, int printer_ok, int64_t now)
{
    step(c, pay, now);
    assert_int_equal(c->state, CO_PRINTER_CHECK);
    assert_true(has(EFF_PRINTER_CHECK, -1));
    assert_false(has(EFF_INTENT, -1)); /* no money before the printer has answered */
    step(c, (struct co_event){.in = CO_IN_PRINTER, .ok = printer_ok}, now + 5);
}

static void qr_happy_path(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "alipay"}, 1, 100);
    /* the order, then the intent, are journaled before the call */
    assert_true(pos(EFF_ORDER, -1) >= 0 && pos(EFF_ORDER, -1) < pos(EFF_INTENT, -1));
    assert_true(pos(EFF_INTENT, -1) < pos(EFF_CALL, CO_CALL_PAY));
    assert_string_equal(c.otn, "T0001-20261123-000042-P1");
    assert_int_equal(c.state, CO_QR_WAIT);
    answer(&c, "CREATED", "weixin://x", 200);
    assert_int_equal(c.state, CO_QR);
    assert_string_equal(c.code_url, "weixin://x");
    step(&c, (struct co_event){.in = CO_IN_TICK}, 200 + CO_QR_POLL_MS);
    assert_true(has(EFF_CALL, CO_CALL_QUERY));
    answer(&c, "PAID", NULL, 2300);
    assert_int_equal(c.state, CO_COMPLETING);
    assert_false(has(EFF_OUTCOME, -1)); /* settled with the sale, not before */
    assert_true(has(EFF_CALL, CO_CALL_COMPLETE));
    assert_true(co_busy(&c));
    step(&c, (struct co_event){.in = CO_IN_COMPLETED}, 2400);
    assert_int_equal(c.state, CO_DONE);
    assert_true(pos(EFF_TXN, -1) >= 0 && pos(EFF_TXN, -1) < pos(EFF_PRINT, -1));
    assert_false(c.intent_open);
    /* reprints: not while printing, then within the window only, as copies */
    step(&c, (struct co_event){.in = CO_IN_REPRINT}, 2500);
    assert_false(has(EFF_PRINT, -1));
    step(&c, (struct co_event){.in = CO_IN_PRINTED, .ok = 1}, 3000);
    assert_int_equal(c.printed, 1);
    assert_true(co_can_reprint(&c, 3000));
    step(&c, (struct co_event){.in = CO_IN_REPRINT}, 3100);
    assert_true(has(EFF_PRINT, 1));
    step(&c, (struct co_event){.in = CO_IN_PRINTED, .ok = 1}, 4000);
    assert_false(co_can_reprint(&c, 2400 + 180000));
    step(&c, (struct co_event){.in = CO_IN_REPRINT}, 2400 + 180000);
    assert_false(has(EFF_PRINT, -1));
    struct sale_record r;
    record_from_flow(&c, &r);
    assert_string_equal(r.channel, "alipay");
    assert_string_equal(r.mode, "native");
    assert_int_equal(r.total_fen, 33118);
    assert_int_equal(r.pump, 0); /* the test's sale has no pump number */
    assert_true(r.has_fuel);
}

static void code_refused_locally_then_paid(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    assert_int_equal(c.state, CO_CODE);
    scan(&c, "6901234567892", 110);
    assert_int_equal(c.state, CO_CODE);
    assert_int_equal(c.message, CO_NOTE_NOT_PAYCODE);
    assert_false(has(EFF_INTENT, -1)); /* nothing sent, nothing journaled */
    scan(&c, "284567890123451234", 120);
    assert_int_equal(c.state, CO_PAYING);
    assert_string_equal(c.channel, "alipay");
    assert_string_equal(c.code_masked, "2845**********1234");
    /* the code moved into the payment's request: the flow keeps no copy */
    const struct co_request *rq = (const struct co_request *)fx.v[pos(EFF_CALL, CO_CALL_PAY)].data;
    assert_string_equal(rq->auth_code, "284567890123451234");
    for (size_t i = 0; i < sizeof c.auth_code; i++)
        assert_int_equal(c.auth_code[i], 0);
    answer(&c, "PAID", NULL, 130);
    assert_int_equal(c.state, CO_COMPLETING);
}

/* A payment code presented while the bill is up pays straight away: 3 taps + 1 scan. */
static void code_on_the_bill_pays(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    scan(&c, "134567890123451234", 100);
    assert_int_equal(c.state, CO_PRINTER_CHECK);
    assert_string_equal(c.channel, "wechat");
    step(&c, (struct co_event){.in = CO_IN_PRINTER, .ok = 1}, 110);
    assert_int_equal(c.state, CO_PAYING);
    assert_true(has(EFF_CALL, CO_CALL_PAY));
}

static void no_printer_e_receipt_or_back(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    /* the customer goes back: the code is forgotten, nothing was journaled */
    scan(&c, "134567890123451234", 100);
    step(&c, (struct co_event){.in = CO_IN_PRINTER, .ok = 0}, 110);
    assert_int_equal(c.state, CO_NO_PRINTER);
    step(&c, (struct co_event){.in = CO_IN_CANCEL}, 120);
    assert_int_equal(c.state, CO_REVIEW);
    assert_int_equal(c.auth_code[0], 0);
    assert_false(has(EFF_INTENT, -1));
    /* the printer never answers: after the check's timeout it counts as unable */
    step(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "wechat"}, 200);
    assert_int_equal(co_deadline(&c), 200 + CO_PRINTER_CHECK_MS);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 200 + CO_PRINTER_CHECK_MS);
    assert_int_equal(c.state, CO_NO_PRINTER);
    /* the customer pays anyway, with the receipt on screen: nothing goes to the printer */
    step(&c, (struct co_event){.in = CO_IN_CONTINUE}, 4000);
    assert_int_equal(c.state, CO_QR_WAIT);
    assert_true(c.e_receipt);
    answer(&c, "CREATED", "u", 4100);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 4100 + CO_QR_POLL_MS);
    answer(&c, "PAID", NULL, 4200 + CO_QR_POLL_MS);
    step(&c, (struct co_event){.in = CO_IN_COMPLETED}, 4300 + CO_QR_POLL_MS);
    assert_int_equal(c.state, CO_DONE);
    assert_true(has(EFF_TXN, -1));
    assert_false(has(EFF_PRINT, -1));
    assert_int_equal(c.printed, -1);
    assert_false(co_can_reprint(&c, 4400 + CO_QR_POLL_MS));
    struct sale_record r;
    record_from_flow(&c, &r);
    assert_true(r.e_receipt);
}

static void userpaying_then_timeout_cancels(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    scan(&c, "134567890123459992", 110);
    answer(&c, "USERPAYING", NULL, 200);
    assert_int_equal(c.state, CO_USERPAYING);
    assert_int_equal(co_deadline(&c), 200 + CO_USERPAYING_POLL_MS);
    int queries = 0;
    int64_t t = 200;
    while (c.state == CO_USERPAYING && t < 200 + CO_USERPAYING_MAX_MS + 10000) {
        t = co_deadline(&c);
        step(&c, (struct co_event){.in = CO_IN_TICK}, t);
        if (has(EFF_CALL, CO_CALL_QUERY)) {
            queries++;
            answer(&c, "USERPAYING", NULL, t + 10);
        }
    }
    assert_true(queries >= 10);
    assert_int_equal(c.state, CO_CANCELLING);
    assert_true(has(EFF_CALL, CO_CALL_CANCEL));
    answer(&c, "CLOSED", NULL, t + 100);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_NOT_CONFIRMED);
    assert_int_equal(c.money_moved, 0);
    assert_true(has(EFF_OUTCOME, 2));
    /* nothing moved: the customer may try another way, with a new out_trade_no */
    step(&c, (struct co_event){.in = CO_IN_RETRY}, t + 200);
    assert_int_equal(c.state, CO_REVIEW);
    choose(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "wechat"}, 1, t + 300);
    assert_string_equal(c.otn, "T0001-20261123-000042-P2");
}

static void lost_answer_is_queried_not_resent(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    scan(&c, "134567890123451234", 110);
    step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_PAY, .unknown = 1}, 200);
    assert_int_equal(c.state, CO_CHECKING);
    assert_false(has(EFF_CALL, CO_CALL_PAY));
    assert_true(co_busy(&c));
    step(&c, (struct co_event){.in = CO_IN_TICK}, 200 + CO_RETRY_MS);
    assert_true(has(EFF_CALL, CO_CALL_QUERY));
    assert_string_equal(fx.v[pos(EFF_CALL, -1)].arg, "T0001-20261123-000042-P1"); /* same otn */
    answer(&c, "PAID", NULL, 5300);
    assert_int_equal(c.state, CO_COMPLETING);
}

/* A 5xx to the payment: unknown. The query finds nothing, so the number is closed for good
 * (a late create cannot take money) and the customer is told nothing was charged. */
static void server_error_then_not_found_closes(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    scan(&c, "134567890123451234", 110);
    step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_PAY, .err_code = "INJECTED_FAULT",
                               .unknown = 1},
         200);
    assert_int_equal(c.state, CO_CHECKING);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 200 + CO_RETRY_MS);
    step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_QUERY,
                               .err_code = "PAYMENT_NOT_FOUND"},
         5300);
    assert_int_equal(c.state, CO_CANCELLING);
    assert_true(has(EFF_CALL, CO_CALL_CANCEL));
    answer(&c, "CLOSED", NULL, 5400);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_NOT_MADE);
    assert_int_equal(c.money_moved, 0);
    assert_true(has(EFF_OUTCOME, 2));
}

/* The station system stops answering while a payment is being cancelled: after a while the
 * customer is told, and the cancel goes on in the background. */
static void cancel_without_answer_goes_to_background(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "wechat"}, 1, 100);
    answer(&c, "CREATED", "u", 200);
    step(&c, (struct co_event){.in = CO_IN_CANCEL}, 300);
    assert_int_equal(c.state, CO_CANCELLING);
    int64_t t = 300;
    int cancels = 1;
    while (c.state == CO_CANCELLING && t < 300 + CO_CANCEL_MAX_MS + 1000) {
        step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_CANCEL}, t + 10);
        t = co_deadline(&c);
        step(&c, (struct co_event){.in = CO_IN_TICK}, t);
        cancels += has(EFF_CALL, CO_CALL_CANCEL);
    }
    assert_true(cancels >= 5);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_UNSETTLED);
    assert_true(has(EFF_SETTLE, -1));
    assert_false(c.intent_open);
    /* the sale is not released here: the settlement releases it once the money is */
    assert_false(c.locked);
    step(&c, (struct co_event){.in = CO_IN_FINISH}, t + 1);
    assert_false(has(EFF_RELEASE, -1));
    assert_true(has(EFF_HOME, -1));
}

static void cancel_and_declines(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "wechat"}, 1, 100);
    answer(&c, "CREATED", "u", 200);
    step(&c, (struct co_event){.in = CO_IN_CANCEL}, 300);
    assert_int_equal(c.state, CO_CANCELLING);
    /* paid just before the cancel: the cancel reverses it and the money goes back */
    answer(&c, "REVERSED", NULL, 400);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_REVERSED);
    assert_int_equal(c.money_moved, -1);

    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    scan(&c, "134567890123459993", 110);
    answer(&c, "CLOSED", NULL, 200);
    assert_int_equal(c.error, CO_ERR_DECLINED);
    step(&c, (struct co_event){.in = CO_IN_FINISH}, 300);
    assert_true(has(EFF_RELEASE, -1));
    assert_true(has(EFF_HOME, -1));

    /* cancelled while the payment's answer is still on its way: the number is cancelled
     * (closed, or reversed if it went through); the late answer changes nothing */
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    scan(&c, "134567890123451234", 110);
    step(&c, (struct co_event){.in = CO_IN_CANCEL}, 120);
    assert_int_equal(c.state, CO_CANCELLING);
    assert_true(has(EFF_CALL, CO_CALL_CANCEL));
    step(&c, (struct co_event){.in = CO_IN_PAYMENT, .call = CO_CALL_PAY, .text = "PAID"}, 130);
    assert_int_equal(c.state, CO_CANCELLING); /* the create's late answer: not waited for */
    answer(&c, "REVERSED", NULL, 140);
    assert_int_equal(c.error, CO_ERR_REVERSED);
    assert_int_equal(c.money_moved, -1);

    /* refused outright (a 4xx): nothing charged, the intent settled as failed */
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    scan(&c, "134567890123451234", 110);
    step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_PAY, .err_code = "SALE_PAID"}, 200);
    assert_int_equal(c.error, CO_ERR_SALE_TAKEN);
    assert_true(has(EFF_OUTCOME, 2));

    /* the journal cannot write: no money moves */
    to_review(&c);
    journal_answers = 0;
    choose(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "wechat"}, 1, 100);
    assert_int_equal(c.state, CO_JOURNALING);
    step(&c, (struct co_event){.in = CO_IN_JOURNALED, .ok = 0}, 110);
    journal_answers = 1;
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_KIOSK);
    assert_false(c.intent_open);
    assert_false(has(EFF_CALL, CO_CALL_PAY));
}

static void sale_taken(void **state)
{
    (void)state;
    struct co_flow c;
    co_init(&c);
    static struct co_pump p[1];
    memset(p, 0, sizeof p);
    p[0].pump = 5;
    p[0].nsales = 2;
    strcpy(p[0].sales[0].id, "S1");
    p[0].sales[0].locked_elsewhere = 1;
    strcpy(p[0].sales[1].id, "S2");
    step(&c, (struct co_event){.in = CO_IN_START, .text = "T1", .cfg = &cfg}, 0);
    step(&c, (struct co_event){.in = CO_IN_PUMPS, .pumps = p, .npumps = 1}, 0);
    step(&c, (struct co_event){.in = CO_IN_PICK_PUMP, .index = 0}, 0);
    assert_int_equal(c.state, CO_SALES);
    step(&c, (struct co_event){.in = CO_IN_PICK_SALE, .index = 0}, 0);
    assert_int_equal(c.state, CO_SALES); /* held by another terminal */
    step(&c, (struct co_event){.in = CO_IN_PICK_SALE, .index = 1}, 0);
    step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_LOCK, .err_code = "SALE_LOCKED"}, 0);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_SALE_TAKEN);
    assert_false(co_busy(&c));
}

static void shop_goods(void **state)
{
    (void)state;
    struct co_flow c;
    step(&c, (struct co_event){.in = CO_IN_START, .text = "T0001-20261123-000050", .index = 1,
                               .cfg = &cfg},
         0);
    assert_int_equal(c.state, CO_REVIEW); /* shop only: an empty bill */
    assert_false(c.has_sale);
    step(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1);
    assert_int_equal(c.state, CO_REVIEW); /* nothing to pay yet */
    scan(&c, "134567890123451234", 1);
    assert_int_equal(c.message, CO_NOTE_PAY_FIRST);
    scan(&c, "6920000010008", 2);
    assert_int_equal(c.message, CO_NOTE_NOT_BARCODE); /* bad check digit: refused locally */
    assert_false(has(EFF_CALL, -1));
    scan(&c, "hello world", 2);
    assert_int_equal(c.message, CO_NOTE_UNKNOWN_CODE);
    scan(&c, "MQR-a/../b", 2);
    assert_int_equal(c.message, CO_NOTE_UNKNOWN_CODE); /* not a token: never in a URL */
    assert_false(has(EFF_CALL, -1));
    scan(&c, "6920000010004", 3);
    assert_int_equal(c.state, CO_LOOKUP);
    assert_true(has(EFF_CALL, CO_CALL_PRODUCT));
    step(&c, (struct co_event){.in = CO_IN_PRODUCT, .text = "水", .text2 = "Water", .amount = 200}, 4);
    assert_int_equal(c.nitems, 1);
    assert_int_equal(c.state, CO_PRICING);
    assert_int_equal(c.pricing_round, 1);
    price(&c, 200, 5);
    /* the same barcode again adds one more, a new pricing request */
    scan(&c, "6920000010004", 6);
    step(&c, (struct co_event){.in = CO_IN_PRODUCT, .text = "水", .text2 = "Water", .amount = 200}, 7);
    assert_int_equal(c.nitems, 1);
    assert_int_equal(c.items[0].qty, 2);
    assert_int_equal(c.pricing_round, 2);
    price(&c, 400, 8);
    /* an unknown product says so and keeps the bill */
    scan(&c, "4006381333931", 9);
    step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_PRODUCT,
                               .err_code = "PRODUCT_NOT_FOUND"}, 10);
    assert_int_equal(c.state, CO_REVIEW);
    assert_int_equal(c.message, CO_NOTE_UNKNOWN_ITEM);
    assert_int_equal(c.total_fen, 400);
    /* less, less: removed, the bill is empty again and nothing is priced */
    step(&c, (struct co_event){.in = CO_IN_ITEM_LESS, .index = 0}, 11);
    price(&c, 200, 12);
    step(&c, (struct co_event){.in = CO_IN_ITEM_LESS, .index = 0}, 13);
    assert_int_equal(c.nitems, 0);
    assert_int_equal(c.state, CO_REVIEW);
    assert_int_equal(c.total_fen, 0);
    /* cancelling a shop-only bill unlocks nothing */
    step(&c, (struct co_event){.in = CO_IN_CANCEL}, 14);
    assert_false(has(EFF_RELEASE, -1));
    assert_true(has(EFF_HOME, -1));
}

static void member_coupons_points(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    step(&c, (struct co_event){.in = CO_IN_OPEN_MEMBER}, 100);
    assert_int_equal(c.state, CO_MEMBER);
    /* a short number is refused here */
    const char *digits = "1380013800";
    for (const char *d = digits; *d; d++) {
        char k[2] = {*d, 0};
        step(&c, (struct co_event){.in = CO_IN_KEY, .text = k}, 110);
    }
    step(&c, (struct co_event){.in = CO_IN_PHONE_OK}, 120);
    assert_int_equal(c.message, CO_NOTE_BAD_PHONE);
    assert_false(has(EFF_CALL, -1));
    step(&c, (struct co_event){.in = CO_IN_KEY, .text = "0"}, 130);
    step(&c, (struct co_event){.in = CO_IN_KEY, .text = "9"}, 131); /* the 12th digit: ignored */
    assert_string_equal(c.phone, "13800138000");
    step(&c, (struct co_event){.in = CO_IN_KEY, .text = "del"}, 132);
    step(&c, (struct co_event){.in = CO_IN_KEY, .text = "0"}, 133);
    step(&c, (struct co_event){.in = CO_IN_PHONE_OK}, 140);
    assert_int_equal(c.state, CO_LOOKUP);
    assert_string_equal(fx.v[pos(EFF_CALL, CO_CALL_MEMBER_PHONE)].arg, "13800138000");
    assert_int_equal(c.phone[0], 0); /* the typed number is not kept */
    struct co_member m = {.id = "M001", .name_masked = "张**", .phone_masked = "138****8000",
                          .level = "gold", .points = 2380, .point_value_fen = 100};
    struct co_coupon cps[2] = {{.id = "C100", .off_fen = 1000, .min_spend_fen = 20000},
                               {.id = "C101", .off_fen = 500}};
    step(&c, (struct co_event){.in = CO_IN_MEMBER, .member = &m, .coupons = cps, .ncoupons = 2}, 150);
    assert_true(c.has_member);
    assert_int_equal(c.ncoupons, 2);
    assert_int_equal(c.state, CO_PRICING);
    assert_int_equal(c.page, CO_MEMBER);
    price(&c, 32216, 160); /* member discount */
    assert_int_equal(c.state, CO_MEMBER);
    /* a coupon that does not apply is undone with a notice */
    step(&c, (struct co_event){.in = CO_IN_TOGGLE_COUPON, .index = 1}, 170);
    assert_true(c.coupons[1].selected);
    step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_PRICE,
                               .err_code = "COUPON_NOT_APPLICABLE"}, 180);
    assert_false(c.coupons[1].selected);
    assert_int_equal(c.message, CO_NOTE_COUPON_NOT_APPLICABLE);
    assert_int_equal(c.state, CO_PRICING);
    price(&c, 32216, 190);
    step(&c, (struct co_event){.in = CO_IN_TOGGLE_COUPON, .index = 0}, 200);
    price(&c, 31216, 210);
    step(&c, (struct co_event){.in = CO_IN_TOGGLE_POINTS}, 220);
    assert_int_equal(co_points_wanted(&c), 2380);
    struct co_priced p = priced(33118, 15608);
    p.ndiscounts = 3;
    p.discounts[0] = (struct co_discount){"member", "会员优惠", "Member discount", -902};
    p.discounts[1] = (struct co_discount){"coupon", "满200减10", "¥10 off ¥200", -1000};
    p.discounts[2] = (struct co_discount){"points", "积分抵扣", "Points", -15608};
    p.points_used = 156;
    p.points_earned = 156;
    step(&c, (struct co_event){.in = CO_IN_PRICED, .priced = &p}, 230);
    /* a scanned coupon joins, selected */
    scan(&c, "CPN-5OFF-0001", 240);
    assert_true(has(EFF_CALL, CO_CALL_COUPON));
    struct co_coupon sc = {.id = "C900", .off_fen = 500};
    step(&c, (struct co_event){.in = CO_IN_COUPON, .coupons = &sc, .ncoupons = 1}, 250);
    assert_int_equal(c.ncoupons, 3);
    assert_true(c.coupons[2].selected && c.coupons[2].scanned);
    step(&c, (struct co_event){.in = CO_IN_PRICED, .priced = &p}, 260);
    step(&c, (struct co_event){.in = CO_IN_MEMBER_DONE}, 270);
    assert_int_equal(c.state, CO_REVIEW);
    struct sale_record r;
    record_from_flow(&c, &r);
    assert_int_equal(r.ndiscounts, 3);
    assert_int_equal(r.points_used, 156);
    assert_string_equal(r.member_phone, "138****8000");
    /* the member goes; their coupons go, the scanned one stays */
    step(&c, (struct co_event){.in = CO_IN_MEMBER_FORGET}, 280);
    assert_false(c.has_member);
    assert_int_equal(c.ncoupons, 1);
    assert_string_equal(c.coupons[0].id, "C900");
    assert_int_equal(co_points_wanted(&c), 0);
}

/* Issue 8, finding 1: a 200 whose status the flow cannot use in its state (no status, a
 * number, NOTPAY, CREATED to a payment code, USERPAYING to a QR) means "outcome unknown":
 * the payment goes on the query schedule, and neither the customer's cancel nor a timeout
 * reverses it before a query has answered. Here it went through: the sale is completed. */
static void unusable_answers_are_asked_about(void **state)
{
    (void)state;
    static const struct {
        enum co_input pay;
        const char *status;
    } cases[] = {{CO_IN_PAY_CODE, ""},         {CO_IN_PAY_CODE, "NOTPAY"}, {CO_IN_PAY_CODE, "CREATED"},
                 {CO_IN_PAY_QR, "USERPAYING"}, {CO_IN_PAY_QR, ""},         {CO_IN_PAY_QR, "7"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct co_flow c;
        to_review(&c);
        choose(&c, (struct co_event){.in = cases[k].pay, .text = "wechat"}, 1, 100);
        if (cases[k].pay == CO_IN_PAY_CODE)
            scan(&c, "134567890123451234", 110);
        step(&c, (struct co_event){.in = CO_IN_PAYMENT, .call = CO_CALL_PAY, .text = cases[k].status},
             200);
        assert_int_equal(c.state, CO_CHECKING);
        assert_true(c.unusable);
        assert_int_equal(co_deadline(&c), 200 + CO_RETRY_MS); /* asked again soon */
        /* the customer cancels at once: the payment is asked about, not cancelled */
        step(&c, (struct co_event){.in = CO_IN_CANCEL}, 300);
        assert_int_equal(c.state, CO_CANCELLING);
        assert_false(has(EFF_CALL, CO_CALL_CANCEL));
        assert_true(has(EFF_CALL, CO_CALL_QUERY));
        assert_true(co_deadline(&c) < INT64_MAX);
        /* it went through: completed, never reversed */
        step(&c, (struct co_event){.in = CO_IN_PAYMENT, .call = CO_CALL_QUERY, .text = "PAID"}, 400);
        assert_int_equal(c.state, CO_COMPLETING);
        assert_false(has(EFF_CALL, CO_CALL_CANCEL));
    }
    /* still open when asked: then, and only then, it is cancelled */
    struct co_flow c;
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    scan(&c, "134567890123451234", 110);
    step(&c, (struct co_event){.in = CO_IN_PAYMENT, .call = CO_CALL_PAY, .text = "NOTPAY"}, 200);
    /* the query schedule runs out with nothing usable: cancelling asks first too */
    int64_t t = 200;
    while (c.state == CO_CHECKING) {
        t = co_deadline(&c);
        step(&c, (struct co_event){.in = CO_IN_TICK}, t);
        assert_false(has(EFF_CALL, CO_CALL_CANCEL));
        if (has(EFF_CALL, CO_CALL_QUERY))
            step(&c, (struct co_event){.in = CO_IN_PAYMENT, .call = CO_CALL_QUERY, .text = "{}"}, t + 1);
    }
    assert_int_equal(c.state, CO_CANCELLING);
    if (!co_waits_for(&c, CO_CALL_QUERY)) { /* the next question goes out on time */
        t = co_deadline(&c);
        step(&c, (struct co_event){.in = CO_IN_TICK}, t);
    }
    assert_true(co_waits_for(&c, CO_CALL_QUERY));
    step(&c, (struct co_event){.in = CO_IN_PAYMENT, .call = CO_CALL_QUERY, .text = "USERPAYING"}, t + 2);
    assert_true(has(EFF_CALL, CO_CALL_CANCEL));
    step(&c, (struct co_event){.in = CO_IN_PAYMENT, .call = CO_CALL_CANCEL, .text = "CLOSED"}, t + 3);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.money_moved, 0);
}

/* Issue 8, finding 3: while the backend is blackholed a query takes long to fail; no new
 * one starts while one is on its way. */
static void one_query_at_a_time(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    scan(&c, "134567890123459992", 110);
    answer(&c, "USERPAYING", NULL, 200);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 200 + CO_USERPAYING_POLL_MS);
    assert_true(has(EFF_CALL, CO_CALL_QUERY));
    for (int64_t t = 200 + 2 * CO_USERPAYING_POLL_MS; t < 200 + 8 * CO_USERPAYING_POLL_MS;
         t += CO_USERPAYING_POLL_MS) {
        step(&c, (struct co_event){.in = CO_IN_TICK}, t);
        assert_false(has(EFF_CALL, CO_CALL_QUERY));
    }
    step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_QUERY}, 40000);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 40000 + CO_RETRY_MS);
    assert_true(has(EFF_CALL, CO_CALL_QUERY));
}

/* Every state that waits for an answer has a deadline, and moves on when it passes. */
static void waiting_states_have_deadlines(void **state)
{
    (void)state;
    struct co_flow c;
    step(&c, (struct co_event){.in = CO_IN_START, .text = "T1", .cfg = &cfg}, 0);
    assert_int_equal(c.state, CO_LOADING);
    assert_int_equal(co_deadline(&c), CO_ANSWER_MAX_MS);
    step(&c, (struct co_event){.in = CO_IN_TICK}, CO_ANSWER_MAX_MS);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_OFFLINE);
    /* a payment whose create never answers is asked about (and the create withdrawn) */
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    scan(&c, "134567890123451234", 110);
    assert_int_equal(co_deadline(&c), 110 + CO_ANSWER_MAX_MS);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 110 + CO_ANSWER_MAX_MS);
    assert_int_equal(c.state, CO_CHECKING);
    assert_false(co_waits_for(&c, CO_CALL_PAY));
    step(&c, (struct co_event){.in = CO_IN_TICK}, 110 + CO_ANSWER_MAX_MS);
    assert_true(has(EFF_CALL, CO_CALL_QUERY));
    answer(&c, "PAID", NULL, 50000);
    /* the order's completion never answers: the sale is recorded, the outbox completes it */
    assert_int_equal(c.state, CO_COMPLETING);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 50000 + CO_ANSWER_MAX_MS);
    assert_int_equal(c.state, CO_DONE);
    assert_true(has(EFF_TXN, -1));
    /* a lookup that never answers gives the bill back with a notice */
    to_review(&c);
    scan(&c, "6920000010004", 100);
    assert_int_equal(c.state, CO_LOOKUP);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 100 + CO_ANSWER_MAX_MS);
    assert_int_equal(c.state, CO_REVIEW);
    assert_int_equal(c.message, CO_NOTE_LOOKUP_FAILED);
}

/* Issue 8, findings 4 and 14: the lock is journaled before it is asked for, renewed while
 * the sale is the kiosk's, and released exactly once on the way out. */
/* Transaction `txn` at pump 3, whose one sale S1003 (¥331.18) is picked at t = 20 ms. */
static void pick_pump_3(struct co_flow *c, const char *txn)
{
    static struct co_pump pumps[1];
    memset(pumps, 0, sizeof pumps);
    pumps[0].pump = 3;
    pumps[0].nsales = 1;
    strcpy(pumps[0].sales[0].id, "S1003");
    pumps[0].sales[0].amount_fen = 33118;
    step(c, (struct co_event){.in = CO_IN_START, .text = txn, .cfg = &cfg}, 0);
    step(c, (struct co_event){.in = CO_IN_PUMPS, .pumps = pumps, .npumps = 1}, 10);
    step(c, (struct co_event){.in = CO_IN_PICK_PUMP, .index = 0}, 20);
}

static void lock_journaled_renewed_released_once(void **state)
{
    (void)state;
    struct co_flow c;
    pick_pump_3(&c, "T1");
    assert_true(pos(EFF_LOCK, -1) >= 0 && pos(EFF_LOCK, -1) < pos(EFF_CALL, CO_CALL_LOCK));
    assert_true(c.locked);
    step(&c, (struct co_event){.in = CO_IN_LOCKED, .amount = 60000}, 30);
    price(&c, 33118, 40);
    assert_int_equal(co_deadline(&c), 30 + 30000); /* renewed at half the lease */
    step(&c, (struct co_event){.in = CO_IN_TICK}, 30030);
    assert_true(has(EFF_CALL, CO_CALL_RENEW));
    step(&c, (struct co_event){.in = CO_IN_CANCEL}, 30100);
    assert_int_equal(pos(EFF_RELEASE, -1), fx.n - 2); /* released, then home */
    assert_true(has(EFF_HOME, -1));
    assert_false(c.locked); /* the app has nothing left to release */
    step(&c, (struct co_event){.in = CO_IN_CANCEL}, 30200);
    assert_false(has(EFF_RELEASE, -1));
    /* the lease ran out and another terminal took the sale: said before any money moves */
    to_review(&c);
    step(&c, (struct co_event){.in = CO_IN_TICK}, CO_LEASE_MS / 2 + 100);
    step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_RENEW, .err_code = "SALE_LOCKED"},
         CO_LEASE_MS / 2 + 200);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_SALE_TAKEN);
    assert_true(has(EFF_RELEASE, -1));
    /* the pumps could not be read: nothing was locked, nothing to release */
    step(&c, (struct co_event){.in = CO_IN_START, .text = "T2", .cfg = &cfg}, 0);
    step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_PUMPS}, 10);
    step(&c, (struct co_event){.in = CO_IN_FINISH}, 20);
    assert_false(has(EFF_RELEASE, -1));
}

/* Issue 8, finding 8: a payment code scanned while the bill is being repriced is held, then
 * taken as soon as the bill is back. */
static void scan_held_while_pricing(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    step(&c, (struct co_event){.in = CO_IN_TOGGLE_POINTS}, 100); /* no member: nothing */
    scan(&c, "6920000010004", 110);
    step(&c, (struct co_event){.in = CO_IN_PRODUCT, .text = "水", .text2 = "Water", .amount = 200},
         120);
    assert_int_equal(c.state, CO_PRICING);
    scan(&c, "134567890123451234", 130);
    assert_int_equal(c.state, CO_PRICING);
    assert_false(has(EFF_PRINTER_CHECK, -1));
    price(&c, 33318, 1600);
    assert_int_equal(c.state, CO_PRINTER_CHECK); /* taken: the printer is asked first */
    assert_int_equal(c.held_scan[0], 0);
    assert_string_equal(c.auth_code, "134567890123451234");
    assert_int_equal(c.total_fen, 33318);
}

/* Issue 8, findings 7 and 9: a scan holding what no code can contain is refused whole; a
 * scan where the step takes none says what to do instead. */
static void scans_everywhere_get_an_answer(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    step(&c, (struct co_event){.in = CO_IN_SCAN, .text = "", .ok = 0}, 100);
    assert_int_equal(c.message, CO_NOTE_BAD_SCAN);
    assert_int_equal(c.state, CO_REVIEW);
    assert_false(has(EFF_CALL, -1));
    step(&c, (struct co_event){.in = CO_IN_START, .text = "T2", .cfg = &cfg}, 0);
    static struct co_pump pumps[1];
    memset(pumps, 0, sizeof pumps);
    pumps[0].pump = 1;
    step(&c, (struct co_event){.in = CO_IN_PUMPS, .pumps = pumps, .npumps = 1}, 10);
    scan(&c, "134567890123451234", 20);
    assert_int_equal(c.message, CO_NOTE_PICK_PUMP_FIRST);
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "wechat"}, 1, 100);
    answer(&c, "CREATED", "u", 200);
    scan(&c, "134567890123451234", 300);
    assert_int_equal(c.message, CO_NOTE_QR_ONLY);
    assert_int_equal(c.state, CO_QR);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 200 + CO_QR_POLL_MS);
    answer(&c, "PAID", NULL, 2300);
    assert_int_equal(c.message, CO_NOTE_NONE); /* the step changed: the hint went with it */
    step(&c, (struct co_event){.in = CO_IN_COMPLETED}, 2400);
    scan(&c, "6920000010004", 2500);
    assert_int_equal(c.message, CO_NOTE_SALE_DONE);
}

/* Issue 8, finding 10: the station system refuses the kiosk itself (401): nothing was
 * charged, and it is not the customer's payment that was declined. */
static void kiosk_refused_is_not_a_decline(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    scan(&c, "134567890123451234", 110);
    step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_PAY, .err_code = "BAD_SIGNATURE"},
         200);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_TERMINAL);
    assert_int_equal(c.money_moved, 0);
    assert_true(has(EFF_OUTCOME, 2));
    assert_true(has(EFF_RELEASE, -1));
    step(&c, (struct co_event){.in = CO_IN_RETRY}, 300);
    assert_int_equal(c.state, CO_FAILED); /* no "try another way": the kiosk is at fault */
}

/* Issue 9: journal writes leave the UI thread. The flow waits in CO_JOURNALING until what
 * it asked to be written is on disk: nothing goes out before, a write that does not answer
 * in time fails the sale with nothing sent, and nothing can be taken back halfway. */
static void journal_writes_before_anything_goes_out(void **state)
{
    (void)state;
    struct co_flow c;
    journal_answers = 0;
    pick_pump_3(&c, "T1");
    assert_int_equal(c.state, CO_JOURNALING);
    int l = pos(EFF_LOCK, -1);
    assert_true(l >= 0);
    const struct co_lock *lk = (const struct co_lock *)fx.v[l].data;
    assert_int_equal(fx.v[l].ndata, sizeof *lk);
    assert_string_equal(lk->sale_id, "S1003");
    assert_string_equal(lk->txn_no, "T1");
    assert_false(has(EFF_CALL, CO_CALL_LOCK));
    assert_int_equal(co_deadline(&c), 20 + CO_JOURNAL_MAX_MS);
    /* a cancel now: the lock was never asked for, so there is nothing to release */
    struct co_flow k = c;
    step(&k, (struct co_event){.in = CO_IN_CANCEL}, 25);
    assert_true(has(EFF_HOME, -1));
    assert_false(has(EFF_RELEASE, -1));
    assert_false(k.locked);
    /* ... and when the lock's record lands after that, the lock is not asked for (found by
     * the libFuzzer run: the sale was locked for a customer who had gone) */
    step(&k, (struct co_event){.in = CO_IN_JOURNALED, .ok = 1}, 27);
    assert_false(has(EFF_CALL, CO_CALL_LOCK));
    assert_false(k.locked);
    step(&c, (struct co_event){.in = CO_IN_JOURNALED, .ok = 1}, 30);
    assert_int_equal(c.state, CO_LOCKING);
    assert_true(has(EFF_CALL, CO_CALL_LOCK));
    step(&c, (struct co_event){.in = CO_IN_LOCKED}, 40);
    price(&c, 33118, 50);
    /* the payment: the order and intent first, the request only once they are written */
    step(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "wechat"}, 100);
    step(&c, (struct co_event){.in = CO_IN_PRINTER, .ok = 1}, 105);
    assert_int_equal(c.state, CO_JOURNALING);
    assert_true(has(EFF_ORDER, -1) && has(EFF_INTENT, -1));
    const struct co_intent *in = (const struct co_intent *)fx.v[pos(EFF_INTENT, -1)].data;
    assert_string_equal(in->order_id, c.order_id);
    assert_int_equal(in->amount_fen, 33118);
    assert_true(in->native);
    assert_false(has(EFF_CALL, CO_CALL_PAY));
    assert_true(co_busy(&c));
    /* a cancel now: nothing was sent, nothing charged, the bill can be paid another way */
    k = c;
    step(&k, (struct co_event){.in = CO_IN_CANCEL}, 106);
    assert_int_equal(k.state, CO_FAILED);
    assert_int_equal(k.error, CO_ERR_CANCELLED);
    assert_int_equal(k.money_moved, 0);
    assert_false(k.intent_open);
    assert_false(has(EFF_CALL, -1));
    assert_false(has(EFF_SETTLE, -1));
    /* the write never answers: the sale fails, nothing was sent, nothing is owed */
    step(&c, (struct co_event){.in = CO_IN_TICK}, 105 + CO_JOURNAL_MAX_MS);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_KIOSK);
    assert_int_equal(c.money_moved, 0);
    assert_false(c.intent_open);
    assert_false(has(EFF_CALL, CO_CALL_PAY));
    /* ... and an answer after that changes nothing */
    step(&c, (struct co_event){.in = CO_IN_JOURNALED, .ok = 1}, 20000);
    assert_int_equal(c.state, CO_FAILED);
    assert_false(has(EFF_CALL, -1));
    /* the lock itself could not be written: never asked for, so never released */
    pick_pump_3(&c, "T2");
    step(&c, (struct co_event){.in = CO_IN_JOURNALED, .ok = 0}, 30);
    assert_int_equal(c.state, CO_FAILED);
    assert_false(c.locked);
    step(&c, (struct co_event){.in = CO_IN_FINISH}, 40);
    assert_false(has(EFF_RELEASE, -1));
    journal_answers = 1;
}

/* The customer's session ends (inactivity, finish, the kiosk stops): a payment in flight is
 * handed to the background with everything it needs, a lock is released, and the flow
 * forgets the sale. */
static void leaving_hands_over_or_releases(void **state)
{
    (void)state;
    struct co_flow c;
    /* on the bill: the lock is released */
    to_review(&c);
    step(&c, (struct co_event){.in = CO_IN_LEAVE}, 200);
    assert_int_equal(c.state, CO_IDLE);
    int r = pos(EFF_RELEASE, -1);
    assert_true(r >= 0);
    const struct co_lock *lk = (const struct co_lock *)fx.v[r].data;
    assert_string_equal(lk->sale_id, "S1003");
    assert_int_equal(lk->lease_ms, CO_LEASE_MS);
    assert_false(has(EFF_SETTLE, -1));
    /* paying: the payment goes to the background (asked first, completed if paid), with
     * the lock, which it releases once the payment is closed */
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_CODE}, 1, 100);
    scan(&c, "134567890123451234", 110);
    assert_int_equal(c.state, CO_PAYING);
    const struct co_request *rq = (const struct co_request *)fx.v[pos(EFF_CALL, CO_CALL_PAY)].data;
    assert_string_equal(rq->auth_code, "134567890123451234"); /* the request carries it */
    assert_string_equal(c.auth_code, "");                     /* the flow keeps no copy */
    step(&c, (struct co_event){.in = CO_IN_LEAVE}, 200);
    int h = pos(EFF_SETTLE, -1);
    assert_true(h >= 0);
    assert_int_equal(fx.v[h].i, 0);
    const struct co_handover *ho = (const struct co_handover *)fx.v[h].data;
    assert_string_equal(ho->otn, "T0001-20261123-000042-P1");
    assert_string_equal(ho->intent.sale_id, "S1003");
    assert_int_equal(ho->intent.amount_fen, 33118);
    assert_true(ho->locked);
    assert_false(has(EFF_RELEASE, -1));
    assert_int_equal(c.state, CO_IDLE);
    /* while the intent is being written: it was never sent; only the lock goes back */
    to_review(&c);
    journal_answers = 0;
    choose(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "wechat"}, 1, 100);
    assert_int_equal(c.state, CO_JOURNALING);
    step(&c, (struct co_event){.in = CO_IN_LEAVE}, 200);
    assert_false(has(EFF_SETTLE, -1));
    assert_true(has(EFF_RELEASE, -1));
    journal_answers = 1;
}

/* ---- a fuel card's recharge (handed over by the fuel-card service) ---------------------- */

#define CARD "1000113300002001"

/* The hand-back in this step's effects: the transaction number it carries ("" unpaid), or
 * NULL when there is none. */
static const char *handed_back(void)
{
    int h = pos(EFF_HAND_OVER, -1);
    if (h < 0)
        return NULL;
    assert_string_equal(fx.v[h].arg, CO_RECHARGED);
    assert_int_equal(fx.v[h].ndata, strlen((const char *)fx.v[h].data) + 1);
    return (const char *)fx.v[h].data;
}

/* A recharge's priced answer: its one line, nothing off. */
static struct co_priced recharge_priced(int64_t fen)
{
    struct co_priced p = priced(fen, fen);
    p.recharge_fen = fen;
    snprintf(p.recharge_masked, sizeof p.recharge_masked, "1000********2001");
    return p;
}

/* Started as a recharge of `fen`: priced at once, with the card and the amount only. */
static void recharge_to_review(struct co_flow *c, int64_t fen)
{
    step(c, (struct co_event){.in = CO_IN_START, .text = "T0001-20261130-000007",
                              .index = CO_START_RECHARGE, .text2 = CARD, .amount = fen,
                              .cfg = &cfg},
         0);
    assert_int_equal(c->state, CO_PRICING);
    assert_true(c->recharge);
    assert_false(has(EFF_LOCK, -1)); /* no pump sale to lock */
    const struct co_request *rq = (const struct co_request *)fx.v[pos(EFF_CALL, CO_CALL_PRICE)].data;
    assert_string_equal(rq->recharge_card, CARD);
    assert_int_equal(rq->recharge_fen, fen);
    assert_string_equal(rq->sale_id, "");
    assert_int_equal(rq->nitems, 0);
    assert_int_equal(rq->ncoupons, 0);
    assert_int_equal(rq->points, 0);
    struct co_priced p = recharge_priced(fen);
    step(c, (struct co_event){.in = CO_IN_PRICED, .priced = &p}, 10);
    assert_int_equal(c->state, CO_REVIEW);
    assert_int_equal(c->total_fen, fen);
}

/* Start -> priced -> a product, member or coupon scan gets a notice and nothing is sent ->
 * a payment code pays -> paid -> completed -> done -> the receipt prints -> back to the
 * card with the transaction number. */
static void recharge_paid_and_handed_back(void **state)
{
    (void)state;
    struct co_flow c;
    recharge_to_review(&c, 20000);
    static const char *const refused[] = {"6920000010004", "MQR-7F3A91", "CPN-5OFF-0001",
                                          "hello"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        scan(&c, refused[i], 20);
        assert_int_equal(c.state, CO_REVIEW);
        assert_int_equal(c.message, CO_NOTE_RECHARGE_ONLY);
        assert_false(has(EFF_CALL, -1));
    }
    step(&c, (struct co_event){.in = CO_IN_OPEN_MEMBER}, 21); /* no member on a recharge */
    assert_int_equal(c.state, CO_REVIEW);
    step(&c, (struct co_event){.in = CO_IN_ITEM_MORE, .index = 0}, 22); /* no items */
    assert_false(has(EFF_CALL, -1));
    /* a payment code on the bill pays, by the usual rules */
    scan(&c, "134567890123451234", 30);
    assert_int_equal(c.state, CO_PRINTER_CHECK);
    step(&c, (struct co_event){.in = CO_IN_PRINTER, .ok = 1}, 40);
    assert_true(pos(EFF_ORDER, -1) >= 0 && pos(EFF_ORDER, -1) < pos(EFF_INTENT, -1));
    assert_true(pos(EFF_INTENT, -1) < pos(EFF_CALL, CO_CALL_PAY));
    const struct co_intent *in = (const struct co_intent *)fx.v[pos(EFF_INTENT, -1)].data;
    assert_int_equal(in->amount_fen, 20000);
    assert_string_equal(in->sale_id, "");
    assert_int_equal(c.state, CO_PAYING);
    assert_true(co_busy(&c));
    answer(&c, "PAID", NULL, 50);
    assert_int_equal(c.state, CO_COMPLETING);
    assert_true(has(EFF_CALL, CO_CALL_COMPLETE));
    step(&c, (struct co_event){.in = CO_IN_COMPLETED}, 60);
    assert_int_equal(c.state, CO_DONE);
    assert_true(pos(EFF_TXN, -1) >= 0 && pos(EFF_TXN, -1) < pos(EFF_PRINT, -1));
    assert_null(handed_back()); /* not before the receipt's outcome */
    assert_false(has(EFF_HOME, -1));
    /* the record carries the recharge, the card grouped (no run of 16 digits) */
    struct sale_record r, back;
    record_from_flow(&c, &r);
    assert_true(r.has_recharge);
    assert_false(r.has_fuel);
    assert_string_equal(r.recharge_card, "1000 1133 0000 2001");
    assert_int_equal(r.recharge_fen, 20000);
    char *text = record_encode(&r);
    assert_non_null(text);
    assert_null(strstr(text, CARD));
    assert_int_equal(record_decode(text, &back), 0);
    assert_true(back.has_recharge);
    assert_string_equal(back.recharge_card, "1000 1133 0000 2001");
    assert_int_equal(back.recharge_fen, 20000);
    free(text);
    /* no Finish while the receipt prints: it goes back by itself when it is out */
    scan(&c, "6920000010004", 69);
    assert_int_equal(c.message, CO_NOTE_IN_PROGRESS);
    step(&c, (struct co_event){.in = CO_IN_FINISH}, 70);
    assert_int_equal(c.state, CO_DONE);
    assert_null(handed_back());
    step(&c, (struct co_event){.in = CO_IN_PRINTED, .ok = 1}, 80);
    const char *txn = handed_back();
    assert_non_null(txn);
    assert_string_equal(txn, "T0001-20261130-000007");
    assert_false(has(EFF_HOME, -1));
    assert_int_equal(c.state, CO_IDLE);
    assert_false(co_busy(&c));
    /* handed back once: nothing more comes of it */
    static const enum co_input after[] = {CO_IN_CANCEL, CO_IN_FINISH, CO_IN_PRINTED,
                                          CO_IN_REPRINT, CO_IN_RETRY};
    for (size_t i = 0; i < sizeof after / sizeof after[0]; i++) {
        step(&c, (struct co_event){.in = after[i]}, 90);
        assert_int_equal(fx.n, 0);
    }
}

/* A receipt that cannot be printed is a final outcome too; without a printer (e-receipt)
 * there is none to wait for. */
static void recharge_receipt_not_printed(void **state)
{
    (void)state;
    struct co_flow c;
    recharge_to_review(&c, 5000);
    choose(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "wechat"}, 1, 100);
    answer(&c, "CREATED", "weixin://x", 110);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 110 + CO_QR_POLL_MS); /* asked: paid? */
    answer(&c, "PAID", NULL, 120 + CO_QR_POLL_MS);
    step(&c, (struct co_event){.in = CO_IN_COMPLETED}, 130 + CO_QR_POLL_MS);
    assert_int_equal(c.state, CO_DONE);
    step(&c, (struct co_event){.in = CO_IN_PRINTED, .ok = 0}, 140);
    assert_string_equal(handed_back(), "T0001-20261130-000007");

    recharge_to_review(&c, 5000);
    choose(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "alipay"}, 0, 100);
    assert_int_equal(c.state, CO_NO_PRINTER);
    step(&c, (struct co_event){.in = CO_IN_CONTINUE}, 110);
    answer(&c, "CREATED", "alipay://x", 120);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 120 + CO_QR_POLL_MS);
    answer(&c, "PAID", NULL, 130 + CO_QR_POLL_MS);
    step(&c, (struct co_event){.in = CO_IN_COMPLETED}, 140 + CO_QR_POLL_MS);
    assert_true(has(EFF_TXN, -1));
    assert_false(has(EFF_PRINT, -1));
    assert_string_equal(handed_back(), "T0001-20261130-000007");
    struct sale_record r; /* the record (EFF_TXN, run after the step) is still whole */
    record_from_flow(&c, &r);
    assert_true(r.has_recharge && r.e_receipt);
    assert_int_equal(r.total_fen, 5000);
}

/* The backend refuses the recharge when pricing it: the failure screen says why, nothing
 * was charged, and finishing hands the customer back unpaid. */
static void recharge_refused(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        enum co_error err;
    } cases[] = {
        {"RECHARGE_LIMIT", CO_ERR_RECHARGE_LIMIT}, {"CARD_BLOCKED", CO_ERR_CARD_BLOCKED},
        {"CARD_NOT_FOUND", CO_ERR_CARD_UNKNOWN},   {"CARD_EXPIRED", CO_ERR_CARD_EXPIRED},
        {"INVALID_ARGUMENT", CO_ERR_SALE_TAKEN},   {"", CO_ERR_OFFLINE},
        {"BAD_RESPONSE", CO_ERR_OFFLINE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct co_flow c;
        step(&c, (struct co_event){.in = CO_IN_START, .text = "T1", .index = CO_START_RECHARGE,
                                   .text2 = CARD, .amount = 600000, .cfg = &cfg},
             0);
        step(&c, (struct co_event){.in = CO_IN_CALL_FAILED, .call = CO_CALL_PRICE,
                                   .err_code = cases[i].code},
             10);
        assert_int_equal(c.state, CO_FAILED);
        assert_int_equal(c.error, cases[i].err);
        assert_int_equal(c.money_moved, 0);
        assert_false(has(EFF_CALL, -1));
        step(&c, (struct co_event){.in = CO_IN_RETRY}, 20); /* nothing to try again with */
        assert_int_equal(c.state, CO_FAILED);
        step(&c, (struct co_event){.in = CO_IN_FINISH}, 30);
        assert_string_equal(handed_back(), "");
        assert_false(has(EFF_HOME, -1));
        assert_int_equal(c.state, CO_IDLE);
    }
    /* an answer that is not the recharge asked for is never charged */
    struct co_priced wrong[4];
    wrong[0] = recharge_priced(19999);          /* another amount */
    wrong[1] = priced(20000, 20000);            /* no recharge line */
    wrong[2] = recharge_priced(20000);
    wrong[2].ndiscounts = 1;                    /* something off */
    wrong[2].discounts[0].amount_fen = -100;
    wrong[2].total_fen = 19900;
    wrong[3] = recharge_priced(20000);
    wrong[3].total_fen = 20001;                 /* a total the line does not explain */
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        struct co_flow c;
        step(&c, (struct co_event){.in = CO_IN_START, .text = "T1", .index = CO_START_RECHARGE,
                                   .text2 = CARD, .amount = 20000, .cfg = &cfg},
             0);
        step(&c, (struct co_event){.in = CO_IN_PRICED, .priced = &wrong[i]}, 10);
        assert_int_equal(c.state, CO_FAILED);
        assert_int_equal(c.error, CO_ERR_OFFLINE);
        assert_false(c.priced);
    }
    /* and a shop bill that comes back as a recharge is not charged either */
    struct co_flow c;
    struct co_priced odd = recharge_priced(200);
    step(&c, (struct co_event){.in = CO_IN_START, .text = "T2", .index = CO_START_SHOP,
                               .cfg = &cfg},
         70);
    scan(&c, "6920000010004", 71);
    step(&c, (struct co_event){.in = CO_IN_PRODUCT, .text = "水", .text2 = "Water", .amount = 200}, 72);
    assert_int_equal(c.state, CO_PRICING);
    step(&c, (struct co_event){.in = CO_IN_PRICED, .priced = &odd}, 73);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_OFFLINE);
}

/* Handed over wrong, or the customer backs out before paying: back at once, unpaid. */
static void recharge_start_and_back_out(void **state)
{
    (void)state;
    struct co_flow c;
    static const struct {
        const char *card;
        int64_t fen;
    } bad[] = {{"100011330000200", 20000},   {"10001133000020011", 20000},
               {"1000 1133 0000 20", 20000}, {CARD, 99},
               {CARD, 100000001},            {NULL, 20000}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        step(&c, (struct co_event){.in = CO_IN_START, .text = "T1", .index = CO_START_RECHARGE,
                                   .text2 = bad[i].card, .amount = bad[i].fen, .cfg = &cfg},
             0);
        assert_string_equal(handed_back(), "");
        assert_false(has(EFF_CALL, -1));
        assert_int_equal(c.state, CO_IDLE);
    }
    /* cancelled while it is priced, or on the bill */
    step(&c, (struct co_event){.in = CO_IN_START, .text = "T1", .index = CO_START_RECHARGE,
                               .text2 = CARD, .amount = 100, .cfg = &cfg},
         0);
    step(&c, (struct co_event){.in = CO_IN_CANCEL}, 5);
    assert_string_equal(handed_back(), "");
    assert_int_equal(c.state, CO_IDLE);
    assert_false(co_waits_for(&c, CO_CALL_PRICE)); /* the pricing is withdrawn */
    recharge_to_review(&c, 100000000);
    step(&c, (struct co_event){.in = CO_IN_CANCEL}, 20);
    assert_string_equal(handed_back(), "");
    assert_false(has(EFF_RELEASE, -1));
    /* cancelled while paying: failed, then finished: unpaid */
    recharge_to_review(&c, 20000);
    choose(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "wechat"}, 1, 100);
    answer(&c, "CREATED", "weixin://x", 110);
    step(&c, (struct co_event){.in = CO_IN_CANCEL}, 120);
    assert_int_equal(c.state, CO_CANCELLING);
    assert_true(co_busy(&c)); /* money in flight: the session stays */
    assert_null(handed_back());
    answer(&c, "CLOSED", NULL, 130);
    assert_int_equal(c.state, CO_FAILED);
    step(&c, (struct co_event){.in = CO_IN_CANCEL}, 140);
    assert_string_equal(handed_back(), "");
    /* the customer's session ends on the bill: forgotten, nobody to hand back to */
    recharge_to_review(&c, 20000);
    step(&c, (struct co_event){.in = CO_IN_LEAVE}, 200);
    assert_null(handed_back());
    assert_int_equal(c.state, CO_IDLE);
    assert_false(c.recharge);
}

/* What the fuel-card service hands over, and the card number as it is shown and kept. */
static void recharge_arg_and_card_format(void **state)
{
    (void)state;
    char card[CO_CARD_NO_LEN + 1], out[24];
    int64_t fen;
    assert_int_equal(co_recharge_parse(CARD " 20000", card, &fen), 0);
    assert_string_equal(card, CARD);
    assert_int_equal(fen, 20000);
    assert_int_equal(co_recharge_parse(CARD " 100", card, &fen), 0);
    assert_int_equal(co_recharge_parse(CARD " 100000000", card, &fen), 0);
    static const char *const bad[] = {
        NULL, "", CARD, CARD " ", CARD " 99", CARD " 100000001", CARD " 9999999999999",
        CARD "  20000", CARD " 20000 ", CARD " -20000", CARD " +20000", CARD " 200.00",
        CARD "0 20000", "100011330000200 20000", "1000a13300002001 20000", CARD "\t20000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(co_recharge_parse(bad[i], card, &fen), -1);
        assert_string_equal(card, "");
        assert_int_equal(fen, 0);
    }
    co_card_format(CARD, 0, out, sizeof out);
    assert_string_equal(out, "1000 **** **** 2001");
    co_card_format(CARD, 1, out, sizeof out);
    assert_string_equal(out, "1000 1133 0000 2001");
    co_card_format("12345", 0, out, sizeof out);
    assert_string_equal(out, "");
}

/* An attendant's reprint: the sale's record as it is journaled (record_encode) decodes, and
 * its receipt is drawn from it marked as a copy: as wide, as sane a length, not the same
 * picture as the first print. */
static void reprint_from_record(void **state)
{
    (void)state;
    struct co_flow c;
    to_review(&c);
    choose(&c, (struct co_event){.in = CO_IN_PAY_QR, .text = "wechat"}, 1, 100);
    answer(&c, "CREATED", "weixin://x", 200);
    step(&c, (struct co_event){.in = CO_IN_TICK}, 200 + CO_QR_POLL_MS);
    answer(&c, "PAID", NULL, 2300);
    step(&c, (struct co_event){.in = CO_IN_COMPLETED}, 2400);
    assert_int_equal(c.state, CO_DONE);
    struct sale_record r, back;
    record_from_flow(&c, &r);
    r.pump = 3;            /* the test's sale has none; a record has one */
    r.paid_unix = 1795932903;
    snprintf(r.invoice_token, sizeof r.invoice_token, "AbCdEfGhIjKlMnOpQrStUvWx");
    char *text = record_encode(&r);
    assert_non_null(text);
    assert_int_equal(record_decode(text, &back), 0);
    free(text);
    assert_string_equal(back.txn_no, r.txn_no);
    assert_int_equal(back.total_fen, r.total_fen);

    SDL_Surface *sf = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *rd = sf ? SDL_CreateSoftwareRenderer(sf) : NULL;
    char err[256];
    struct text_engine *te = rd ? text_create(rd, "", "Noto Sans CJK SC", err, sizeof err) : NULL;
    assert_non_null(te);
    struct kiosk_config kc;
    memset(&kc, 0, sizeof kc);
    snprintf(kc.station_name, sizeof kc.station_name, "朝阳路加油站");
    snprintf(kc.terminal_id, sizeof kc.terminal_id, "T0001");
    static const int widths[] = {576, 384};
    for (int w = 0; w < 2; w++)
        for (int l = 0; l < 2; l++) {
            const char *lang = l ? "en_US" : "zh_CN";
            kc.paper_width_dots = widths[w];
            struct slip *first = receipt_sale(te, &kc, "https://inv.example/t/", lang, &back, 0);
            struct slip *copy = receipt_sale(te, &kc, "https://inv.example/t/", lang, &back, 1);
            assert_non_null(first);
            assert_non_null(copy);
            const struct bitmap *a = slip_bitmap(first), *b = slip_bitmap(copy);
            assert_int_equal(b->width, widths[w]);
            assert_in_range(b->height, 600, 8000);
            assert_true(a->height != b->height ||
                        memcmp(a->bits, b->bits, (size_t)a->stride * (size_t)a->height));
            slip_destroy(first);
            slip_destroy(copy);
        }
    text_destroy(te);
    SDL_DestroyRenderer(rd);
    SDL_FreeSurface(sf);
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qr_happy_path),
        cmocka_unit_test(code_refused_locally_then_paid),
        cmocka_unit_test(code_on_the_bill_pays),
        cmocka_unit_test(no_printer_e_receipt_or_back),
        cmocka_unit_test(userpaying_then_timeout_cancels),
        cmocka_unit_test(lost_answer_is_queried_not_resent),
        cmocka_unit_test(server_error_then_not_found_closes),
        cmocka_unit_test(cancel_without_answer_goes_to_background),
        cmocka_unit_test(cancel_and_declines),
        cmocka_unit_test(sale_taken),
        cmocka_unit_test(shop_goods),
        cmocka_unit_test(member_coupons_points),
        cmocka_unit_test(unusable_answers_are_asked_about),
        cmocka_unit_test(one_query_at_a_time),
        cmocka_unit_test(waiting_states_have_deadlines),
        cmocka_unit_test(lock_journaled_renewed_released_once),
        cmocka_unit_test(scan_held_while_pricing),
        cmocka_unit_test(scans_everywhere_get_an_answer),
        cmocka_unit_test(kiosk_refused_is_not_a_decline),
        cmocka_unit_test(journal_writes_before_anything_goes_out),
        cmocka_unit_test(leaving_hands_over_or_releases),
        cmocka_unit_test(recharge_paid_and_handed_back),
        cmocka_unit_test(recharge_receipt_not_printed),
        cmocka_unit_test(recharge_refused),
        cmocka_unit_test(recharge_start_and_back_out),
        cmocka_unit_test(recharge_arg_and_card_format),
        cmocka_unit_test(reprint_from_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
