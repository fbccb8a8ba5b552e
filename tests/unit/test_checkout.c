#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kiosk/core/log.h"
#include "kiosk/flows/checkout.h"

static struct effects fx;

static int has(enum effect_kind k, int64_t i)
{
    for (int n = 0; n < fx.n; n++)
        if (fx.v[n].kind == k && (i < 0 || fx.v[n].i == i))
            return 1;
    return 0;
}

/* index of the first effect of kind k, or -1 */
static int pos(enum effect_kind k)
{
    for (int n = 0; n < fx.n; n++)
        if (fx.v[n].kind == k)
            return n;
    return -1;
}

static void step(struct checkout *c, struct co_event e, int64_t now)
{
    fx.n = 0;
    checkout_step(c, &e, now, &fx);
}

/* Up to the bill: pump 3 with one sale, locked, priced at 331.18. */
static void to_review(struct checkout *c)
{
    static struct co_pump pumps[2];
    memset(pumps, 0, sizeof pumps);
    pumps[0].pump = 1;
    pumps[1].pump = 3;
    pumps[1].nsales = 1;
    strcpy(pumps[1].sales[0].id, "S1003");
    pumps[1].sales[0].amount_fen = 33118;
    step(c, (struct co_event){.in = CI_START, .text = "T0001-20261123-000042"}, 0);
    assert_true(has(EFF_CALL, CALL_PUMPS));
    step(c, (struct co_event){.in = CI_PUMPS, .pumps = pumps, .npumps = 2}, 10);
    assert_int_equal(c->state, CO_PUMPS);
    step(c, (struct co_event){.in = CI_PICK_PUMP, .index = 0}, 20); /* no sale there */
    assert_int_equal(c->state, CO_PUMPS);
    step(c, (struct co_event){.in = CI_PICK_PUMP, .index = 1}, 30);
    assert_int_equal(c->state, CO_LOCKING);
    assert_string_equal(fx.v[pos(EFF_CALL)].arg, "S1003");
    step(c, (struct co_event){.in = CI_LOCKED}, 40);
    assert_int_equal(c->state, CO_PRICING);
    step(c, (struct co_event){.in = CI_PRICED, .amount = 33118}, 50);
    assert_int_equal(c->state, CO_REVIEW);
    assert_int_equal(c->total_fen, 33118);
}

static void qr_happy_path(void **state)
{
    (void)state;
    struct checkout c;
    to_review(&c);
    step(&c, (struct co_event){.in = CI_PAY_QR, .text = "alipay"}, 100);
    /* journal first, then the call */
    assert_true(pos(EFF_INTENT) >= 0 && pos(EFF_INTENT) < pos(EFF_CALL));
    assert_string_equal(c.otn, "T0001-20261123-000042-P1");
    step(&c, (struct co_event){.in = CI_PAYMENT, .text = "CREATED", .text2 = "weixin://x"}, 200);
    assert_int_equal(c.state, CO_QR);
    assert_string_equal(c.code_url, "weixin://x");
    step(&c, (struct co_event){.in = CI_TICK}, 200 + CO_QR_POLL_MS);
    assert_true(has(EFF_CALL, CALL_QUERY));
    step(&c, (struct co_event){.in = CI_PAYMENT, .text = "PAID"}, 2300);
    assert_int_equal(c.state, CO_COMPLETING);
    assert_true(has(EFF_OUTCOME, 1));
    assert_true(has(EFF_CALL, CALL_COMPLETE));
    step(&c, (struct co_event){.in = CI_COMPLETED}, 2400);
    assert_int_equal(c.state, CO_DONE);
    assert_true(pos(EFF_TXN) >= 0 && pos(EFF_TXN) < pos(EFF_PRINT));
    /* reprints: not while printing, then within the window only */
    c.reprint_ms = 180000;
    step(&c, (struct co_event){.in = CI_REPRINT}, 2500);
    assert_false(has(EFF_PRINT, -1));
    step(&c, (struct co_event){.in = CI_PRINTED, .ok = 1}, 3000);
    assert_true(checkout_can_reprint(&c, 3000));
    step(&c, (struct co_event){.in = CI_REPRINT}, 3100);
    assert_true(has(EFF_PRINT, -1));
    step(&c, (struct co_event){.in = CI_PRINTED, .ok = 1}, 4000);
    assert_false(checkout_can_reprint(&c, 2400 + 180000));
    step(&c, (struct co_event){.in = CI_REPRINT}, 2400 + 180000);
    assert_false(has(EFF_PRINT, -1));
}

static void code_refused_locally_then_paid(void **state)
{
    (void)state;
    struct checkout c;
    to_review(&c);
    step(&c, (struct co_event){.in = CI_PAY_CODE}, 100);
    assert_int_equal(c.state, CO_CODE);
    step(&c, (struct co_event){.in = CI_SCAN, .text = "6901234567892"}, 110);
    assert_int_equal(c.state, CO_CODE);
    assert_int_equal(c.message, CO_NOTE_NOT_PAYCODE);
    assert_false(has(EFF_INTENT, -1)); /* nothing sent, nothing journaled */
    step(&c, (struct co_event){.in = CI_SCAN, .text = "134567890123451234"}, 120);
    assert_int_equal(c.state, CO_PAYING);
    assert_string_equal(c.code_masked, "1345**********1234");
    assert_string_equal(c.auth_code, "134567890123451234"); /* for the request being built */
    checkout_forget_code(&c);
    for (size_t i = 0; i < sizeof c.auth_code; i++)
        assert_int_equal(c.auth_code[i], 0); /* wiped once the request is built */
    step(&c, (struct co_event){.in = CI_PAYMENT, .text = "PAID"}, 130);
    assert_int_equal(c.state, CO_COMPLETING);
}

static void userpaying_then_timeout_cancels(void **state)
{
    (void)state;
    struct checkout c;
    to_review(&c);
    step(&c, (struct co_event){.in = CI_PAY_CODE}, 100);
    step(&c, (struct co_event){.in = CI_SCAN, .text = "134567890123459992"}, 110);
    step(&c, (struct co_event){.in = CI_PAYMENT, .text = "USERPAYING"}, 200);
    assert_int_equal(c.state, CO_USERPAYING);
    assert_int_equal(checkout_deadline(&c), 200 + CO_USERPAYING_POLL_MS);
    int queries = 0;
    int64_t t = 200;
    while (c.state == CO_USERPAYING && t < 200 + CO_USERPAYING_MAX_MS + 10000) {
        t = checkout_deadline(&c);
        step(&c, (struct co_event){.in = CI_TICK}, t);
        if (has(EFF_CALL, CALL_QUERY)) {
            queries++;
            step(&c, (struct co_event){.in = CI_PAYMENT, .text = "USERPAYING"}, t + 10);
        }
    }
    assert_true(queries >= 10);
    assert_int_equal(c.state, CO_CANCELLING);
    assert_true(has(EFF_CALL, CALL_CANCEL));
    step(&c, (struct co_event){.in = CI_PAYMENT, .text = "CLOSED"}, t + 100);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_NOT_CONFIRMED);
    assert_int_equal(c.money_moved, 0);
    assert_true(has(EFF_OUTCOME, 2));
}

static void lost_answer_is_queried_not_resent(void **state)
{
    (void)state;
    struct checkout c;
    to_review(&c);
    step(&c, (struct co_event){.in = CI_PAY_CODE}, 100);
    step(&c, (struct co_event){.in = CI_SCAN, .text = "134567890123451234"}, 110);
    step(&c, (struct co_event){.in = CI_CALL_FAILED, .call = CALL_PAY, .unknown = 1}, 200);
    assert_int_equal(c.state, CO_USERPAYING);
    assert_false(has(EFF_CALL, CALL_PAY));
    step(&c, (struct co_event){.in = CI_TICK}, 200 + CO_RETRY_MS);
    assert_true(has(EFF_CALL, CALL_QUERY));
    assert_string_equal(fx.v[pos(EFF_CALL)].arg, "T0001-20261123-000042-P1"); /* same otn */
    step(&c, (struct co_event){.in = CI_PAYMENT, .text = "PAID"}, 5300);
    assert_int_equal(c.state, CO_COMPLETING);
}

static void cancel_and_declines(void **state)
{
    (void)state;
    struct checkout c;
    to_review(&c);
    step(&c, (struct co_event){.in = CI_PAY_QR, .text = "wechat"}, 100);
    step(&c, (struct co_event){.in = CI_PAYMENT, .text = "CREATED", .text2 = "u"}, 200);
    step(&c, (struct co_event){.in = CI_CANCEL}, 300);
    assert_int_equal(c.state, CO_CANCELLING);
    /* paid just before the cancel: the cancel reverses it and the money goes back */
    step(&c, (struct co_event){.in = CI_PAYMENT, .text = "REVERSED"}, 400);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_REVERSED);
    assert_int_equal(c.money_moved, -1);

    to_review(&c);
    step(&c, (struct co_event){.in = CI_PAY_CODE}, 100);
    step(&c, (struct co_event){.in = CI_SCAN, .text = "134567890123459993"}, 110);
    step(&c, (struct co_event){.in = CI_PAYMENT, .text = "CLOSED"}, 200);
    assert_int_equal(c.error, CO_ERR_DECLINED);
    step(&c, (struct co_event){.in = CI_FINISH}, 300);
    assert_true(has(EFF_CALL, CALL_UNLOCK));
    assert_true(has(EFF_HOME, -1));

    /* a second attempt after a decline uses a new out_trade_no */
    to_review(&c);
    step(&c, (struct co_event){.in = CI_PAY_QR, .text = "wechat"}, 100);
    step(&c, (struct co_event){.in = CI_TICK}, 100);
    assert_string_equal(c.otn, "T0001-20261123-000042-P1");
}

static void sale_taken(void **state)
{
    (void)state;
    struct checkout c;
    to_review(&c);
    checkout_init(&c);
    static struct co_pump p[1];
    memset(p, 0, sizeof p);
    p[0].pump = 5;
    p[0].nsales = 2;
    strcpy(p[0].sales[0].id, "S1");
    p[0].sales[0].locked_elsewhere = 1;
    strcpy(p[0].sales[1].id, "S2");
    step(&c, (struct co_event){.in = CI_START, .text = "T1"}, 0);
    step(&c, (struct co_event){.in = CI_PUMPS, .pumps = p, .npumps = 1}, 0);
    step(&c, (struct co_event){.in = CI_PICK_PUMP, .index = 0}, 0);
    assert_int_equal(c.state, CO_SALES);
    step(&c, (struct co_event){.in = CI_PICK_SALE, .index = 0}, 0);
    assert_int_equal(c.state, CO_SALES); /* held by another terminal */
    step(&c, (struct co_event){.in = CI_PICK_SALE, .index = 1}, 0);
    step(&c, (struct co_event){.in = CI_CALL_FAILED, .call = CALL_LOCK, .err_code = "SALE_LOCKED"}, 0);
    assert_int_equal(c.state, CO_FAILED);
    assert_int_equal(c.error, CO_ERR_SALE_TAKEN);
    assert_false(checkout_busy(&c));
}

static void shop_goods(void **state)
{
    (void)state;
    struct checkout c;
    step(&c, (struct co_event){.in = CI_START, .text = "T0001-20261123-000050", .index = 1}, 0);
    assert_int_equal(c.state, CO_REVIEW); /* shop only: an empty bill */
    assert_false(c.has_sale);
    step(&c, (struct co_event){.in = CI_PAY_CODE}, 1);
    assert_int_equal(c.state, CO_REVIEW); /* nothing to pay yet */
    step(&c, (struct co_event){.in = CI_SCAN, .text = "6920000010008"}, 2);
    assert_int_equal(c.message, CO_NOTE_NOT_BARCODE); /* bad check digit: refused locally */
    assert_false(has(EFF_CALL, -1));
    step(&c, (struct co_event){.in = CI_SCAN, .text = "6920000010004"}, 3);
    assert_int_equal(c.state, CO_LOOKUP);
    assert_true(has(EFF_CALL, CALL_PRODUCT));
    step(&c, (struct co_event){.in = CI_PRODUCT, .text = "水", .text2 = "Water", .amount = 200}, 4);
    assert_int_equal(c.nitems, 1);
    assert_int_equal(c.state, CO_PRICING);
    assert_int_equal(c.pricing_round, 1);
    step(&c, (struct co_event){.in = CI_PRICED, .amount = 200}, 5);
    /* the same barcode again adds one more, a new pricing request */
    step(&c, (struct co_event){.in = CI_SCAN, .text = "6920000010004"}, 6);
    step(&c, (struct co_event){.in = CI_PRODUCT, .text = "水", .text2 = "Water", .amount = 200}, 7);
    assert_int_equal(c.nitems, 1);
    assert_int_equal(c.items[0].qty, 2);
    assert_int_equal(c.pricing_round, 2);
    step(&c, (struct co_event){.in = CI_PRICED, .amount = 400}, 8);
    /* an unknown product says so and keeps the bill */
    step(&c, (struct co_event){.in = CI_SCAN, .text = "4006381333931"}, 9);
    step(&c, (struct co_event){.in = CI_CALL_FAILED, .call = CALL_PRODUCT,
                               .err_code = "PRODUCT_NOT_FOUND"}, 10);
    assert_int_equal(c.state, CO_REVIEW);
    assert_int_equal(c.message, CO_NOTE_UNKNOWN_ITEM);
    assert_int_equal(c.total_fen, 400);
    /* less, less: removed, the bill is empty again and nothing is priced */
    step(&c, (struct co_event){.in = CI_ITEM_LESS, .index = 0}, 11);
    step(&c, (struct co_event){.in = CI_PRICED, .amount = 200}, 12);
    step(&c, (struct co_event){.in = CI_ITEM_LESS, .index = 0}, 13);
    assert_int_equal(c.nitems, 0);
    assert_int_equal(c.state, CO_REVIEW);
    assert_int_equal(c.total_fen, 0);
    /* cancelling a shop-only bill unlocks nothing */
    step(&c, (struct co_event){.in = CI_CANCEL}, 14);
    assert_false(has(EFF_CALL, CALL_UNLOCK));
    assert_true(has(EFF_HOME, -1));
}

int main(void)
{
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qr_happy_path),
        cmocka_unit_test(code_refused_locally_then_paid),
        cmocka_unit_test(userpaying_then_timeout_cancels),
        cmocka_unit_test(lost_answer_is_queried_not_resent),
        cmocka_unit_test(cancel_and_declines),
        cmocka_unit_test(sale_taken),
        cmocka_unit_test(shop_goods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
