/* The checkout flow under random input: the bytes choose customer actions, scanned codes
 * (QR payloads of any shape), backend answers (usable or not) and time. Whatever comes, the
 * money rules hold:
 *  - no payment call without the order and the intent journaled first in the same effects,
 *    and no lock call without the lock journaled first;
 *  - a payment code never outlives the request that carries it, nor a held scan its wait;
 *  - an open intent only while money is in flight;
 *  - every state that waits for the backend has a deadline;
 *  - no cancel (which reverses a payment that went through) after an answer the flow could
 *    not use, before a query has answered;
 *  - the flow never goes home holding the sale's lock, and releases it at most once. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kiosk/core/log.h"
#include "kiosk/flows/checkout.h"


static const char *const codes[] = {
    "134567890123451234", "284567890123456789", "6920000010004", "6920000010008",
    "MQR-7F3A91", "CPN-5OFF-0001", "MQR-../x", "", "hello", "13800138000",
    "134567890123459992", "CPN-", "12345678",
};
static const char *const statuses[] = {"PAID", "CLOSED", "REVERSED", "USERPAYING", "CREATED",
                                       "", "NOTPAY", "7"};
static const char *const errors[] = {"", "PAYMENT_NOT_FOUND", "COUPON_NOT_APPLICABLE",
                                     "SALE_LOCKED", "MEMBER_NOT_FOUND", "INJECTED_FAULT",
                                     "BAD_RESPONSE", "BAD_SIGNATURE", "SALE_PAID"};
static const enum co_call payment_calls[] = {CALL_PAY, CALL_QUERY, CALL_CANCEL};

/* The fuzzer's own model of the money rules, kept apart from the flow's. */
static struct {
    int unverified; /* an unusable answer came, and no query has answered since */
    int releases;   /* EFF_RELEASE since the sale started */
} model;

static int usable(const struct checkout *c, const char *st)
{
    return !strcmp(st, "PAID") || !strcmp(st, "CLOSED") || !strcmp(st, "REVERSED") ||
           !strcmp(st, c->mode == CO_PAY_QR ? "CREATED" : "USERPAYING");
}

/* What the input means for the model, judged before the flow takes it. */
static void observe(const struct checkout *c, const struct co_event *e)
{
    int taken = e->in == CI_PAYMENT ? checkout_waits_for(c, e->call)
                : e->in == CI_CALL_FAILED ? checkout_waits_for(c, e->call)
                                          : 0;
    if (!taken || (e->call != CALL_PAY && e->call != CALL_QUERY && e->call != CALL_CANCEL))
        return;
    if (e->in == CI_PAYMENT) {
        if (!usable(c, e->text))
            model.unverified = 1;
        else if (e->call == CALL_QUERY)
            model.unverified = 0;
    } else if (!strcmp(e->err_code, "BAD_RESPONSE")) {
        model.unverified = 1;
    } else if (e->call == CALL_QUERY && !strcmp(e->err_code, "PAYMENT_NOT_FOUND")) {
        model.unverified = 0;
    }
}

static void check(const struct checkout *c, const struct effects *fx)
{
    int order = 0, intent = 0, lock = 0;
    for (int i = 0; i < fx->n; i++) {
        const struct effect *f = &fx->v[i];
        if (f->kind == EFF_ORDER)
            order = 1;
        if (f->kind == EFF_LOCK)
            lock = 1;
        if (f->kind == EFF_INTENT) {
            if (!order)
                abort(); /* the intent before its order */
            intent = 1;
        }
        if (f->kind == EFF_CALL && f->i == CALL_PAY) {
            if (!intent)
                abort(); /* money asked for without the intent journaled first */
            model.unverified = 0; /* a new payment */
        }
        if (f->kind == EFF_CALL && f->i == CALL_LOCK && !lock)
            abort(); /* a lock asked for without its journal record */
        if (f->kind == EFF_CALL && f->i == CALL_CANCEL && model.unverified)
            abort(); /* cancelled (maybe reversed) blind after an unusable answer */
        if (f->kind == EFF_RELEASE && ++model.releases > 1)
            abort(); /* released twice */
        if (f->kind == EFF_HOME && c->locked)
            abort(); /* gone home holding the pump's sale */
    }
    if (c->intent_open && !(c->state >= CO_QR_WAIT && c->state <= CO_COMPLETING))
        abort(); /* an open intent outside money in flight */
    if (c->auth_code[0] && c->state != CO_PRINTER_CHECK && c->state != CO_NO_PRINTER)
        abort(); /* a payment code kept longer than it is needed */
    if (c->held_scan[0] && c->state != CO_PRICING && c->state != CO_LOOKUP)
        abort(); /* a held scan outliving the wait it was held for */
    int waits = c->state == CO_PRINTER_CHECK;
    for (int k = 1; k < CALL_LAST; k++)
        waits |= k != CALL_RENEW && checkout_waits_for(c, (enum co_call)k);
    if (c->state == CO_QR || c->state == CO_USERPAYING || c->state == CO_CHECKING ||
        c->state == CO_CANCELLING)
        waits = 1;
    if (waits && checkout_deadline(c) == INT64_MAX)
        abort(); /* waiting on the backend with no deadline */
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
    if (b % 11 == 0)
        return CI_TICK; /* time is what moves deadlines */
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
    memset(&model, 0, sizeof model);
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
            e.ok = arg % 7 != 0; /* sometimes a scan refused as not a code */
            break;
        case CI_PAYMENT:
            e.text = statuses[arg % (sizeof statuses / sizeof statuses[0])];
            e.text2 = "weixin://x";
            e.call = payment_calls[(arg >> 4) % 3];
            break;
        case CI_LOCKED:
            e.amount = (arg & 3) * 30000;
            break;
        case CI_PRODUCT:
            e.text = "水", e.text2 = "Water", e.amount = 200;
            break;
        case CI_CALL_FAILED:
            e.call = (enum co_call)(1 + arg % (CALL_LAST - 1));
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
        if (e.in == CI_TICK && (b & 1))
            now = checkout_deadline(&c) == INT64_MAX ? now : checkout_deadline(&c);
        fx.n = 0;
        observe(&c, &e);
        if (e.in == CI_START)
            model.releases = 0;
        checkout_step(&c, &e, now, &fx);
        /* what the app does: the code goes as soon as the request carrying it is built */
        for (int k = 0; k < fx.n; k++)
            if (fx.v[k].kind == EFF_CALL && fx.v[k].i == CALL_PAY)
                checkout_forget_code(&c);
        check(&c, &fx);
    }
    return 0;
}
