/* The checkout flow under random input: the bytes choose customer actions, scanned codes
 * (QR payloads of any shape), backend answers and time. Whatever comes, the money rules
 * hold: no payment call without the order and the intent journaled first in the same
 * effects, a payment code never outlives the request that carries it, and an open intent
 * only while money is in flight. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kiosk/core/log.h"
#include "kiosk/flows/checkout.h"

const char *const fuzz_seeds[] = {
    "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13",
    "\x03\x07\x0b\x13\x17\x1b\x1f\x23\x27\x2b\x2f\x33\x37\x3b\x3f\x43",
    "\x05\x05\x05\x09\x09\x11\x21\x41\x81\x01\x02\x04\x08\x10\x20\x40\x80",
    NULL,
};

static const char *const codes[] = {
    "134567890123451234", "284567890123456789", "6920000010004", "6920000010008",
    "MQR-7F3A91", "CPN-5OFF-0001", "MQR-../x", "", "hello", "13800138000",
    "134567890123459992", "CPN-", "12345678",
};
static const char *const statuses[] = {"PAID", "CLOSED", "REVERSED", "USERPAYING", "CREATED",
                                       "", "WEIRD"};
static const char *const errors[] = {"", "PAYMENT_NOT_FOUND", "COUPON_NOT_APPLICABLE",
                                     "SALE_LOCKED", "MEMBER_NOT_FOUND", "INJECTED_FAULT",
                                     "BAD_RESPONSE"};

static void check(const struct checkout *c, const struct effects *fx)
{
    int order = 0, intent = 0;
    for (int i = 0; i < fx->n; i++) {
        if (fx->v[i].kind == EFF_ORDER)
            order = 1;
        if (fx->v[i].kind == EFF_INTENT) {
            if (!order)
                abort(); /* the intent before its order */
            intent = 1;
        }
        if (fx->v[i].kind == EFF_CALL && fx->v[i].i == CALL_PAY && !intent)
            abort(); /* money asked for without the intent journaled first */
    }
    if (c->intent_open && !(c->state >= CO_QR_WAIT && c->state <= CO_COMPLETING))
        abort(); /* an open intent outside money in flight */
    if (c->auth_code[0] && c->state != CO_PRINTER_CHECK && c->state != CO_NO_PRINTER)
        abort(); /* a payment code kept longer than it is needed */
}

/* Mostly what could come next in this state (so that runs reach the money), sometimes
 * anything at all. */
static enum co_input next_input(const struct checkout *c, uint8_t b)
{
    static const enum co_input likely[CO_LAST][3] = {
        [CO_LOADING] = {CI_PUMPS, CI_CALL_FAILED, CI_CANCEL},
        [CO_PUMPS] = {CI_PICK_PUMP, CI_PICK_PUMP, CI_CANCEL},
        [CO_SALES] = {CI_PICK_SALE, CI_PICK_SALE, CI_CANCEL},
        [CO_LOCKING] = {CI_LOCKED, CI_LOCKED, CI_CALL_FAILED},
        [CO_PRICING] = {CI_PRICED, CI_PRICED, CI_CALL_FAILED},
        [CO_REVIEW] = {CI_PAY_CODE, CI_PAY_QR, CI_SCAN},
        [CO_LOOKUP] = {CI_PRODUCT, CI_MEMBER, CI_COUPON},
        [CO_MEMBER] = {CI_KEY, CI_PHONE_OK, CI_TOGGLE_COUPON},
        [CO_PRINTER_CHECK] = {CI_PRINTER, CI_PRINTER, CI_TICK},
        [CO_NO_PRINTER] = {CI_CONTINUE, CI_CONTINUE, CI_CANCEL},
        [CO_QR_WAIT] = {CI_PAYMENT, CI_PAYMENT, CI_CALL_FAILED},
        [CO_QR] = {CI_PAYMENT, CI_TICK, CI_CANCEL},
        [CO_CODE] = {CI_SCAN, CI_SCAN, CI_CANCEL},
        [CO_PAYING] = {CI_PAYMENT, CI_PAYMENT, CI_CALL_FAILED},
        [CO_USERPAYING] = {CI_PAYMENT, CI_TICK, CI_CANCEL},
        [CO_CHECKING] = {CI_PAYMENT, CI_TICK, CI_CALL_FAILED},
        [CO_CANCELLING] = {CI_PAYMENT, CI_TICK, CI_CALL_FAILED},
        [CO_COMPLETING] = {CI_COMPLETED, CI_COMPLETED, CI_CALL_FAILED},
        [CO_DONE] = {CI_PRINTED, CI_REPRINT, CI_FINISH},
        [CO_FAILED] = {CI_RETRY, CI_RETRY, CI_FINISH},
    };
    if (b % 5 == 0)
        return (enum co_input)((b / 5) % (CI_REPRINT + 1));
    return likely[c->state][(b / 5) % 3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct checkout c;
    static struct co_pump pumps[2];
    static const struct co_config cfg = {.reprint_ms = 1000, .member_prefix = "MQR-",
                                         .coupon_prefix = "CPN-"};
    log_set_quiet(1);
    memset(pumps, 0, sizeof pumps);
    pumps[0].pump = 1;
    pumps[0].nsales = 2;
    pumps[0].sales[0] = (struct co_sale){"S1", 1, "92#", 45120, 734, 33118, 0};
    pumps[0].sales[1] = (struct co_sale){"S2", 1, "95#", 1000, 781, 781, 1};
    pumps[1].pump = 2;
    struct co_priced priced = {.subtotal_fen = 33118, .total_fen = 33000, .ndiscounts = 1,
                               .discounts = {{"member", "会员", "Member", -118}}};
    struct co_member member = {"M1", "张*", "138****8000", "gold", 100, 100};
    struct co_coupon coupon = {"C1", "减1", "1 off", 100, 0, 0, 0};
    struct effects fx = {.n = 0};
    struct co_event start = {.in = CI_START, .text = "T0001-20261123-000001",
                             .index = size ? data[0] & 1 : 0, .cfg = &cfg};
    int64_t now = 0;
    checkout_step(&c, &start, now, &fx);
    for (size_t i = 1; i < size; i++) {
        uint8_t b = data[i], arg = i + 1 < size ? data[i + 1] : 0;
        struct co_event e = {.in = next_input(&c, b), .index = arg % 4};
        switch (e.in) {
        case CI_START:
            continue;
        case CI_PUMPS:
            e.pumps = pumps, e.npumps = 2;
            break;
        case CI_PRICED:
            e.priced = &priced;
            break;
        case CI_MEMBER:
            e.member = &member, e.coupons = &coupon, e.ncoupons = 1;
            break;
        case CI_COUPON:
            e.coupons = &coupon, e.ncoupons = 1;
            break;
        case CI_SCAN:
        case CI_KEY:
            e.text = codes[arg % (sizeof codes / sizeof codes[0])];
            break;
        case CI_PAYMENT:
            e.text = statuses[arg % (sizeof statuses / sizeof statuses[0])];
            e.text2 = "weixin://x";
            break;
        case CI_PRODUCT:
            e.text = "水", e.text2 = "Water", e.amount = 200;
            break;
        case CI_CALL_FAILED:
            e.call = (enum co_call)(1 + arg % CALL_COUPON);
            e.err_code = errors[(arg >> 4) % (sizeof errors / sizeof errors[0])];
            e.unknown = arg & 1;
            break;
        case CI_PAY_QR:
            e.text = arg & 1 ? "alipay" : "ecny";
            break;
        default:
            e.ok = arg & 1;
            break;
        }
        now += (b >> 4) * 1000;
        fx.n = 0;
        checkout_step(&c, &e, now, &fx);
        /* what the app does: the code goes as soon as the request carrying it is built */
        for (int k = 0; k < fx.n; k++)
            if (fx.v[k].kind == EFF_CALL && fx.v[k].i == CALL_PAY)
                checkout_forget_code(&c);
        check(&c, &fx);
    }
    return 0;
}
