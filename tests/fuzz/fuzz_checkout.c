/* The checkout flow under random input: the bytes choose customer actions, scanned codes
 * (QR payloads of any shape), backend answers (usable or not) and time. Whatever comes, the
 * money rules hold:
 *  - no payment call before the order and the intent were journaled and the journal said
 *    they are on disk, and no lock call before the lock was;
 *  - an effect carries what it needs (a call its request, an intent, lock or hand-over its
 *    record);
 *  - when the customer's session ends, a payment that went out and a lock that was asked
 *    for are handed over or released, never dropped;
 *  - a payment code never outlives the request that carries it, nor a held scan its wait;
 *  - an open intent only while money is in flight;
 *  - every state that waits for the backend has a deadline;
 *  - no cancel (which reverses a payment that went through) after an answer the flow could
 *    not use, before a query has answered;
 *  - the flow never goes home holding the sale's lock, and releases it at most once;
 *  - a fuel card's recharge never locks, is priced as the card and amount alone, never
 *    goes home but hands the customer back once, with the transaction number only when it
 *    was paid (recorded) and its receipt's outcome is known, and never with money in
 *    flight. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/log.h"
#include "flow.h"


/* A money rule broken: said, then the process stops (the fuzzer keeps the input). */
static void violated(const char *rule)
{
    fprintf(stderr, "fuzz_checkout: %s\n", rule);
    abort();
}

static const char *const codes[] = {
    "134567890123451234", "284567890123456789", "6920000010004", "6920000010008",
    "MQR-7F3A91", "CPN-5OFF-0001", "MQR-../x", "", "hello", "13800138000",
    "134567890123459992", "CPN-", "12345678",
};
static const char *const statuses[] = {"PAID", "CLOSED", "REVERSED", "USERPAYING", "CREATED",
                                       "", "NOTPAY", "7"};
static const char *const errors[] = {"", "PAYMENT_NOT_FOUND", "COUPON_NOT_APPLICABLE",
                                     "SALE_LOCKED", "MEMBER_NOT_FOUND", "INJECTED_FAULT",
                                     "BAD_RESPONSE", "BAD_SIGNATURE", "SALE_PAID",
                                     "RECHARGE_LIMIT", "CARD_BLOCKED"};
static const enum co_call payment_calls[] = {CO_CALL_PAY, CO_CALL_QUERY, CO_CALL_CANCEL};

/* The fuzzer's own model of the money rules, kept apart from the flow's. */
static struct {
    int unverified; /* an unusable answer came, and no query has answered since */
    int releases;   /* releases (EFF_RELEASE, or a hand-over with the lock) since the start */
    int asked;      /* what the flow asked to be journaled: 1 the lock, 2 the intent */
    int written;    /* ... the journal said it is on disk */
    int lock_held;  /* a lock went out, and is neither released, handed over nor paid */
    int money_out;  /* a payment went out, and is neither settled nor handed over */
    int recharge;   /* this sale is a fuel card's recharge */
    int recorded;   /* ... recorded as paid (EFF_TXN) */
    int handed;     /* ... the customer was handed back */
} model;

static int usable(const struct co_flow *c, const char *st)
{
    return !strcmp(st, "PAID") || !strcmp(st, "CLOSED") || !strcmp(st, "REVERSED") ||
           !strcmp(st, c->mode == CO_PAY_QR ? "CREATED" : "USERPAYING");
}

/* What the input means for the model, judged before the flow takes it. */
static void observe(const struct co_flow *c, const struct co_event *e)
{
    int taken = e->in == CO_IN_PAYMENT ? co_waits_for(c, e->call)
                : e->in == CO_IN_CALL_FAILED ? co_waits_for(c, e->call)
                                          : 0;
    if (!taken || (e->call != CO_CALL_PAY && e->call != CO_CALL_QUERY && e->call != CO_CALL_CANCEL))
        return;
    if (e->in == CO_IN_PAYMENT) {
        if (!usable(c, e->text))
            model.unverified = 1;
        else if (e->call == CO_CALL_QUERY)
            model.unverified = 0;
    } else if (!strcmp(e->err_code, "BAD_RESPONSE")) {
        model.unverified = 1;
    } else if (e->call == CO_CALL_QUERY && !strcmp(e->err_code, "PAYMENT_NOT_FOUND")) {
        model.unverified = 0;
    }
}

static void check(const struct co_flow *c, const struct effects *fx)
{
    int order = 0;
    for (int i = 0; i < fx->n; i++) {
        const struct effect *f = &fx->v[i];
        if (f->kind == EFF_ORDER)
            order = 1;
        if (f->kind == EFF_LOCK) {
            if (f->ndata != sizeof(struct co_lock))
                violated("a lock's record missing");
            model.asked = 1, model.written = 0;
        }
        if (f->kind == EFF_INTENT) {
            if (!order || f->ndata != sizeof(struct co_intent))
                violated("the intent before its order, or without its record");
            model.asked = 2, model.written = 0;
        }
        if (f->kind == EFF_CALL &&
            (f->ndata != sizeof(struct co_request) ||
             ((const struct co_request *)f->data)->call != (enum co_call)f->i))
            violated("a call without its request");
        if (f->kind == EFF_CALL && f->i == CO_CALL_PAY) {
            if (model.asked != 2 || !model.written)
                violated("money asked for before the intent was on disk");
            model.unverified = 0; /* a new payment */
            model.money_out = 1;
            model.asked = 0;
        }
        if (f->kind == EFF_CALL && f->i == CO_CALL_LOCK) {
            if (model.asked != 1 || !model.written)
                violated("a lock asked for before its record was on disk");
            model.lock_held = 1;
            model.asked = 0;
        }
        if (f->kind == EFF_CALL && f->i == CO_CALL_CANCEL && model.unverified)
            violated("cancelled (maybe reversed) blind after an unusable answer");
        int handover_lock = f->kind == EFF_SETTLE &&
                            (f->ndata != sizeof(struct co_handover) ||
                             ((const struct co_handover *)f->data)->locked);
        if (f->kind == EFF_SETTLE && f->ndata != sizeof(struct co_handover))
            violated("a payment handed over without what settling it needs");
        if (f->kind == EFF_RELEASE && f->ndata != sizeof(struct co_lock))
            violated("a release without its lock");
        if ((f->kind == EFF_RELEASE || handover_lock) && ++model.releases > 1)
            violated("released twice");
        if (f->kind == EFF_RELEASE || handover_lock || f->kind == EFF_TXN)
            model.lock_held = 0;
        if (f->kind == EFF_SETTLE || f->kind == EFF_OUTCOME || f->kind == EFF_TXN)
            model.money_out = 0;
        if (f->kind == EFF_HOME && c->locked)
            violated("gone home holding the pump's sale");
        if (f->kind == EFF_TXN)
            model.recorded = 1;
        if (model.recharge && (f->kind == EFF_LOCK || f->kind == EFF_HOME))
            violated("a recharge locked a pump sale or went home instead of back to the card");
        if (model.recharge && f->kind == EFF_CALL && f->i == CO_CALL_PRICE) {
            const struct co_request *rq = (const struct co_request *)f->data;
            if (strcmp(rq->recharge_card, "1000113300002001") || rq->recharge_fen != 20000 ||
                rq->sale_id[0] || rq->nitems || rq->member_id[0] || rq->ncoupons || rq->points)
                violated("a recharge priced as something else than its card and amount");
        }
        if (f->kind == EFF_HAND_OVER) {
            const char *txn = (const char *)f->data;
            if (!model.recharge || model.handed++ || strcmp(f->arg, CO_RECHARGED) ||
                f->ndata != strlen(txn) + 1)
                violated("a hand-back that is no recharge's, or a second one");
            if (model.money_out || model.lock_held)
                violated("handed back with money in flight");
            if (txn[0] && (!model.recorded || strcmp(txn, c->txn_no) || c->printed == 0))
                violated("handed back as paid before it was recorded and its receipt was out");
            if (!txn[0] && model.recorded)
                violated("a paid recharge handed back as unpaid");
        }
    }
    if (c->intent_open && !(c->state >= CO_QR_WAIT && c->state <= CO_COMPLETING) &&
        !(c->state == CO_JOURNALING && c->after != CO_LOCKING))
        violated("an open intent outside money in flight");
    if (c->auth_code[0] && c->state != CO_PRINTER_CHECK && c->state != CO_NO_PRINTER &&
        c->state != CO_JOURNALING)
        violated("a payment code kept longer than it is needed");
    if (c->held_scan[0] && c->state != CO_PRICING && c->state != CO_LOOKUP)
        violated("a held scan outliving the wait it was held for");
    int waits = c->state == CO_PRINTER_CHECK;
    for (int k = 1; k < CO_CALL_LAST; k++)
        waits |= k != CO_CALL_RENEW && co_waits_for(c, (enum co_call)k);
    if (c->state == CO_QR || c->state == CO_USERPAYING || c->state == CO_CHECKING ||
        c->state == CO_CANCELLING)
        waits = 1;
    if (waits && co_deadline(c) == INT64_MAX)
        violated("waiting on the backend with no deadline");
}

/* Mostly what could come next in this state (so that runs reach the money), sometimes
 * anything at all. */
static enum co_input next_input(const struct co_flow *c, uint8_t b)
{
    static const enum co_input likely[CO_LAST][3] = {
        [CO_LOADING] = {CO_IN_PUMPS, CO_IN_CALL_FAILED, CO_IN_CANCEL},
        [CO_PUMPS] = {CO_IN_PICK_PUMP, CO_IN_PICK_PUMP, CO_IN_CANCEL},
        [CO_SALES] = {CO_IN_PICK_SALE, CO_IN_PICK_SALE, CO_IN_CANCEL},
        [CO_LOCKING] = {CO_IN_LOCKED, CO_IN_LOCKED, CO_IN_CALL_FAILED},
        [CO_PRICING] = {CO_IN_PRICED, CO_IN_PRICED, CO_IN_CALL_FAILED},
        [CO_REVIEW] = {CO_IN_PAY_CODE, CO_IN_PAY_QR, CO_IN_SCAN},
        [CO_LOOKUP] = {CO_IN_PRODUCT, CO_IN_MEMBER, CO_IN_COUPON},
        [CO_MEMBER] = {CO_IN_KEY, CO_IN_PHONE_OK, CO_IN_TOGGLE_COUPON},
        [CO_PRINTER_CHECK] = {CO_IN_PRINTER, CO_IN_PRINTER, CO_IN_TICK},
        [CO_NO_PRINTER] = {CO_IN_CONTINUE, CO_IN_CONTINUE, CO_IN_CANCEL},
        [CO_JOURNALING] = {CO_IN_JOURNALED, CO_IN_JOURNALED, CO_IN_TICK},
        [CO_QR_WAIT] = {CO_IN_PAYMENT, CO_IN_PAYMENT, CO_IN_CALL_FAILED},
        [CO_QR] = {CO_IN_PAYMENT, CO_IN_TICK, CO_IN_CANCEL},
        [CO_CODE] = {CO_IN_SCAN, CO_IN_SCAN, CO_IN_CANCEL},
        [CO_PAYING] = {CO_IN_PAYMENT, CO_IN_PAYMENT, CO_IN_CALL_FAILED},
        [CO_USERPAYING] = {CO_IN_PAYMENT, CO_IN_TICK, CO_IN_CANCEL},
        [CO_CHECKING] = {CO_IN_PAYMENT, CO_IN_TICK, CO_IN_CALL_FAILED},
        [CO_CANCELLING] = {CO_IN_PAYMENT, CO_IN_TICK, CO_IN_CALL_FAILED},
        [CO_COMPLETING] = {CO_IN_COMPLETED, CO_IN_COMPLETED, CO_IN_CALL_FAILED},
        [CO_DONE] = {CO_IN_PRINTED, CO_IN_REPRINT, CO_IN_FINISH},
        [CO_FAILED] = {CO_IN_RETRY, CO_IN_RETRY, CO_IN_FINISH},
        [CO_IDLE] = {CO_IN_START, CO_IN_START, CO_IN_START},
    };
    if (b % 5 == 0)
        return (enum co_input)((b / 5) % (CO_IN_LEAVE + 1));
    if (b % 11 == 0)
        return CO_IN_TICK; /* time is what moves deadlines */
    return likely[c->state][(b / 5) % 3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct co_flow c;
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
    /* a recharge now and then (and one that cannot be: handed back at once) */
    struct co_priced recharge_priced = {.subtotal_fen = 20000, .total_fen = 20000,
                                        .recharge_fen = 20000,
                                        .recharge_masked = "1000********2001"};
    int kind = !size ? CO_START_FUEL : data[0] % 8 == 7 ? CO_START_RECHARGE : data[0] & 1;
    struct co_event start = {.in = CO_IN_START, .text = "T0001-20261123-000001",
                             .index = kind, .text2 = "1000113300002001",
                             .amount = size && data[0] == 0xFF ? 99 : 20000, .cfg = &cfg};
    int64_t now = 0;
    memset(&model, 0, sizeof model);
    model.recharge = kind == CO_START_RECHARGE;
    co_step(&c, &start, now, &fx);
    check(&c, &fx);
    for (size_t i = 1; i < size; i++) {
        uint8_t b = data[i], arg = i + 1 < size ? data[i + 1] : 0;
        struct co_event e = {.in = next_input(&c, b), .index = arg % 4};
        switch (e.in) {
        case CO_IN_START: /* the next customer, once the last one has left */
            if (c.state != CO_IDLE)
                continue;
            e = start;
            memset(&model, 0, sizeof model);
            model.recharge = kind == CO_START_RECHARGE;
            break;
        case CO_IN_JOURNALED:
            e.ok = arg % 13 != 0; /* now and then the journal cannot write */
            break;
        case CO_IN_PUMPS:
            e.pumps = pumps, e.npumps = 2;
            break;
        case CO_IN_PRICED: /* a recharge mostly as asked, sometimes not */
            e.priced = c.recharge && arg % 4 ? &recharge_priced : &priced;
            break;
        case CO_IN_MEMBER:
            e.member = &member, e.coupons = &coupon, e.ncoupons = 1;
            break;
        case CO_IN_COUPON:
            e.coupons = &coupon, e.ncoupons = 1;
            break;
        case CO_IN_SCAN:
        case CO_IN_KEY:
            e.text = codes[arg % (sizeof codes / sizeof codes[0])];
            e.ok = arg % 7 != 0; /* sometimes a scan refused as not a code */
            break;
        case CO_IN_PAYMENT:
            e.text = statuses[arg % (sizeof statuses / sizeof statuses[0])];
            e.text2 = "weixin://x";
            e.call = payment_calls[(arg >> 4) % 3];
            break;
        case CO_IN_LOCKED:
            e.amount = (arg & 3) * 30000;
            break;
        case CO_IN_PRODUCT:
            e.text = "水", e.text2 = "Water", e.amount = 200;
            break;
        case CO_IN_CALL_FAILED:
            e.call = (enum co_call)(1 + arg % (CO_CALL_LAST - 1));
            e.err_code = errors[(arg >> 4) % (sizeof errors / sizeof errors[0])];
            e.unknown = arg & 1;
            break;
        case CO_IN_PAY_QR:
            e.text = arg & 1 ? "alipay" : "ecny";
            break;
        default:
            e.ok = arg & 1;
            break;
        }
        now += (b >> 4) * 1000;
        if (e.in == CO_IN_TICK && (b & 1))
            now = co_deadline(&c) == INT64_MAX ? now : co_deadline(&c);
        fx.n = 0;
        observe(&c, &e);
        if (e.in == CO_IN_JOURNALED && e.ok && c.state == CO_JOURNALING)
            model.written = 1;
        co_step(&c, &e, now, &fx);
        check(&c, &fx);
        if (e.in == CO_IN_LEAVE && (model.lock_held || model.money_out))
            violated(model.lock_held ? "the customer left and the pump's sale was kept locked"
                                     : "the customer left and a payment in flight was dropped");
        if (e.in == CO_IN_LEAVE && (c.state != CO_IDLE || c.locked || c.intent_open ||
                                    c.auth_code[0]))
            violated("the customer left and the flow kept a state, a lock, an intent or a code");
    }
    return 0;
}
