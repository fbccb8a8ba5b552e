#include "flow.h"

#include <stdio.h>
#include <string.h>

#include "core/codes.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/sign.h"

static const char *const names[CO_LAST] = {
    "loading",    "pumps",   "sales",    "locking",    "pricing",    "review",    "lookup",
    "member",     "printer_check", "no_printer", "journaling", "qr_wait", "qr", "code",
    "paying",     "userpaying", "checking", "cancelling", "completing", "done", "failed",
    "idle",
};

const char *co_state_name(enum co_state s)
{
    return s < CO_LAST ? names[s] : "?";
}

/* States that wait for one backend answer: each has a deadline (the client's own timeouts
 * and retries end sooner; this is the flow's guarantee that it never waits for ever). */
static int waits_for_answer(enum co_state s)
{
    return s == CO_LOADING || s == CO_LOCKING || s == CO_PRICING || s == CO_LOOKUP ||
           s == CO_QR_WAIT || s == CO_PAYING || s == CO_COMPLETING;
}

/* Every state change goes through here, logged old -> new. A notice that answered a scan
 * in the old state (what to do instead) goes with it. */
static void set_state(struct co_flow *c, enum co_state s, struct effects *out)
{
    if (c->state != s) {
        log_info("checkout", "%s -> %s", names[c->state], names[s]);
        if (c->message >= CO_NOTE_PICK_PUMP_FIRST)
            c->message = CO_NOTE_NONE;
    }
    c->state = s;
    if (s != CO_PRICING && s != CO_LOOKUP && s != CO_REVIEW && s != CO_MEMBER)
        sign_wipe(c->held_scan, sizeof c->held_scan); /* its wait ended elsewhere: dropped */
    if (waits_for_answer(s))
        c->deadline_ms = c->now_ms + (c->cfg.call_max_ms > 0 ? c->cfg.call_max_ms : CO_ANSWER_MAX_MS);
    else if (s == CO_JOURNALING)
        c->deadline_ms = c->now_ms + CO_JOURNAL_MAX_MS;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

_Static_assert(sizeof(struct co_request) <= EFFECT_DATA_MAX, "a request fits its effect");

/* A backend call: its effect carries the whole request (struct co_request). The customer's
 * payment code moves into the payment's request: the flow keeps no copy. */
static void call(struct co_flow *c, struct effects *out, enum co_call k, const char *subject)
{
    struct co_request rq;
    memset(&rq, 0, sizeof rq);
    rq.call = k;
    snprintf(rq.subject, sizeof rq.subject, "%s", subject ? subject : "");
    snprintf(rq.txn_no, sizeof rq.txn_no, "%s", c->txn_no);
    snprintf(rq.otn, sizeof rq.otn, "%s", c->otn);
    snprintf(rq.order_id, sizeof rq.order_id, "%s", c->order_id);
    rq.amount_fen = c->total_fen;
    rq.native = c->mode == CO_PAY_QR;
    snprintf(rq.channel, sizeof rq.channel, "%s", c->channel);
    if (k == CO_CALL_PRICE && c->recharge) {
        rq.round = c->pricing_round; /* the card and the amount, nothing else */
        memcpy(rq.recharge_card, c->recharge_card, sizeof rq.recharge_card);
        rq.recharge_fen = c->recharge_fen;
    } else if (k == CO_CALL_PRICE) {
        rq.round = c->pricing_round;
        if (c->has_sale)
            snprintf(rq.sale_id, sizeof rq.sale_id, "%s", c->sale.id);
        rq.nitems = c->nitems;
        for (int i = 0; i < c->nitems; i++) {
            snprintf(rq.items[i].barcode, sizeof rq.items[i].barcode, "%s", c->items[i].barcode);
            rq.items[i].qty = c->items[i].qty;
        }
        if (c->has_member)
            snprintf(rq.member_id, sizeof rq.member_id, "%s", c->member.id);
        for (int i = 0; i < c->ncoupons; i++)
            if (c->coupons[i].selected)
                snprintf(rq.coupon_ids[rq.ncoupons++], sizeof rq.coupon_ids[0], "%s",
                         c->coupons[i].id);
        rq.points = co_points_wanted(c);
    } else if (k == CO_CALL_RENEW) {
        rq.round = c->renewals;
    } else if (k == CO_CALL_PAY && !rq.native) {
        memcpy(rq.auth_code, c->auth_code, sizeof rq.auth_code);
        co_forget_code(c);
    }
    effects_add_data(out, EFF_CALL, k, rq.subject, &rq, sizeof rq);
    sign_wipe(&rq, sizeof rq);
}

/* The customer's part here is over: back to the home menu, or, for a recharge, back to
 * the service that handed it over, with the transaction number if it was paid (the glue
 * goes home when nobody takes it). A recharge handed back is forgotten here. */
static void finish(struct co_flow *c, struct effects *out)
{
    if (!c->recharge) {
        effects_add(out, EFF_HOME, 0, NULL);
        return;
    }
    const char *txn = c->state == CO_DONE ? c->txn_no : "";
    effects_add_data(out, EFF_HAND_OVER, 0, CO_RECHARGED, txn, strlen(txn) + 1);
    co_forget_code(c);
    set_state(c, CO_IDLE, out); /* handed back once: nothing here ends in a finish again (the
                                 * sale's fields stay for the effects of this step) */
}

static void notice(struct co_flow *c, enum co_notice n, struct effects *out)
{
    c->message = n;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void fail(struct co_flow *c, enum co_error e, int money, struct effects *out)
{
    co_forget_code(c); /* whatever was under way has ended: a held code goes */
    c->error = e;
    c->money_moved = money;
    set_state(c, CO_FAILED, out);
}

static void lock_of(const struct co_flow *c, struct co_lock *l)
{
    memset(l, 0, sizeof *l);
    snprintf(l->txn_no, sizeof l->txn_no, "%s", c->txn_no);
    snprintf(l->sale_id, sizeof l->sale_id, "%s", c->sale.id);
    l->lease_ms = c->lease_ms > 0 ? c->lease_ms : CO_LEASE_MS;
}

/* The sale's lock (if this kiosk may hold it) is released in the background, once. */
static void release(struct co_flow *c, struct effects *out)
{
    if (!c->locked)
        return;
    struct co_lock l;
    lock_of(c, &l);
    c->locked = 0;
    c->renew_ms = 0;
    effects_add_data(out, EFF_RELEASE, 0, l.sale_id, &l, sizeof l);
}

/* The station system refused this kiosk itself (its key or clock): no retry can help, and
 * nothing was done. */
static int kiosk_refused(const char *code)
{
    return !strcmp(code, "UNAUTHENTICATED") || !strcmp(code, "BAD_SIGNATURE") ||
           !strcmp(code, "CLOCK_SKEW");
}

void co_init(struct co_flow *c)
{
    sign_wipe(c, sizeof *c);
    c->state = CO_IDLE;
    c->page = CO_REVIEW;
    c->pump_idx = -1;
    c->last_coupon = -1;
}

int co_can_reprint(const struct co_flow *c, int64_t now)
{
    return c->state == CO_DONE && !c->e_receipt && c->cfg.reprint_ms > 0 &&
           now - c->done_ms < c->cfg.reprint_ms;
}

void co_forget_code(struct co_flow *c)
{
    sign_wipe(c->auth_code, sizeof c->auth_code);
}

static void journal_failed(struct co_flow *c, struct effects *out);

int co_busy(const struct co_flow *c)
{
    return (c->state >= CO_QR_WAIT && c->state <= CO_COMPLETING) ||
           (c->state == CO_JOURNALING && c->after != CO_LOCKING);
}

const char *co_channel_label(const char *channel)
{
    if (!strcmp(channel, "alipay"))
        return N_("Alipay");
    if (!strcmp(channel, "unionpay"))
        return N_("UnionPay");
    if (!strcmp(channel, "ecny"))
        return N_("e-CNY");
    return N_("WeChat");
}

int64_t co_points_wanted(const struct co_flow *c)
{
    if (!c->has_member || !c->use_points)
        return 0;
    int64_t p = c->member.points;
    if (c->cfg.points_max > 0 && p > c->cfg.points_max)
        p = c->cfg.points_max;
    return p;
}

/* 16 digits, nothing else. */
static int card_no_valid(const char *s)
{
    if (!s)
        return 0;
    for (int i = 0; i < CO_CARD_NO_LEN; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[CO_CARD_NO_LEN] == '\0';
}

static int co_recharge_valid(const char *card_no, int64_t fen)
{
    return card_no_valid(card_no) && fen >= CO_RECHARGE_MIN_FEN && fen <= CO_RECHARGE_MAX_FEN;
}

int co_recharge_parse(const char *arg, char card[CO_CARD_NO_LEN + 1], int64_t *fen)
{
    card[0] = '\0';
    *fen = 0;
    if (!arg || strlen(arg) < CO_CARD_NO_LEN + 2 || arg[CO_CARD_NO_LEN] != ' ')
        return -1;
    const char *p = arg + CO_CARD_NO_LEN + 1;
    int64_t v = 0;
    int n = 0;
    for (; *p >= '0' && *p <= '9' && n < 10; p++, n++)
        v = v * 10 + (*p - '0'); /* at most 10 digits: no overflow */
    char no[CO_CARD_NO_LEN + 1];
    memcpy(no, arg, CO_CARD_NO_LEN);
    no[CO_CARD_NO_LEN] = '\0';
    if (n == 0 || *p != '\0' || !co_recharge_valid(no, v))
        return -1;
    memcpy(card, no, sizeof no);
    *fen = v;
    return 0;
}

void co_card_format(const char *card_no, int grouped, char *out, size_t cap)
{
    if (!card_no_valid(card_no)) {
        if (cap)
            out[0] = '\0';
        return;
    }
    const char *c = card_no;
    if (grouped)
        snprintf(out, cap, "%.4s %.4s %.4s %.4s", c, c + 4, c + 8, c + 12);
    else
        snprintf(out, cap, "%.4s **** **** %.4s", c, c + 12);
}

static void scan_on_page(struct co_flow *c, const char *text, int64_t now, struct effects *out);

/* The page the customer is on (bill or member page), e.g. after a lookup. A code scanned
 * while the bill was being priced is taken now. */
static void to_page(struct co_flow *c, struct effects *out)
{
    set_state(c, c->page, out);
    if (c->held_scan[0]) {
        char code[sizeof c->held_scan];
        memcpy(code, c->held_scan, sizeof code);
        sign_wipe(c->held_scan, sizeof c->held_scan);
        scan_on_page(c, code, c->now_ms, out);
        sign_wipe(code, sizeof code);
    }
}

/* Asks the backend to price the bill again (a new request each time), or, with nothing on
 * it, shows the empty bill. */
static void reprice(struct co_flow *c, struct effects *out)
{
    if (!c->has_sale && c->nitems == 0 && !c->recharge) {
        c->total_fen = 0;
        c->priced = 0;
        memset(&c->price, 0, sizeof c->price);
        to_page(c, out);
        return;
    }
    c->pricing_round++;
    call(c, out, CO_CALL_PRICE, c->order_id);
    set_state(c, CO_PRICING, out);
}

static void intent_of(const struct co_flow *c, struct co_intent *in)
{
    memset(in, 0, sizeof *in);
    snprintf(in->txn_no, sizeof in->txn_no, "%s", c->txn_no);
    snprintf(in->order_id, sizeof in->order_id, "%s", c->order_id);
    snprintf(in->sale_id, sizeof in->sale_id, "%s", c->has_sale ? c->sale.id : "");
    in->amount_fen = c->total_fen;
    in->native = c->mode == CO_PAY_QR;
    snprintf(in->channel, sizeof in->channel, "%s", c->channel);
    snprintf(in->code_masked, sizeof in->code_masked, "%s", c->code_masked);
}

/* The payment goes on without the screen: settled in the background, asked about first
 * (`cancel`: then closed or reversed, as the customer was told; else completed if it went
 * through), with the sale's lock when the flow holds it. */
static void hand_over(struct co_flow *c, int cancel, struct effects *out)
{
    struct co_handover ho;
    memset(&ho, 0, sizeof ho);
    snprintf(ho.otn, sizeof ho.otn, "%s", c->otn);
    intent_of(c, &ho.intent);
    ho.locked = c->locked;
    lock_of(c, &ho.lock);
    effects_add_data(out, EFF_SETTLE, cancel, c->otn, &ho, sizeof ho);
    c->intent_open = 0;
    c->locked = 0; /* released by the settlement once the payment is closed */
    c->renew_ms = 0;
}

/* Starts a payment attempt: a new out_trade_no; the order, then the intent, are journaled
 * before the call. */
static void start_payment(struct co_flow *c, struct effects *out)
{
    c->attempt++;
    snprintf(c->otn, sizeof c->otn, "%.28s-P%d", c->txn_no, c->attempt % 100);
    c->pay_status[0] = '\0';
    c->code_url[0] = '\0';
    c->deadline_ms = c->next_query_ms = 0;
    c->query_inflight = c->unusable = c->cancel_sent = 0;
    c->message = CO_NOTE_NONE;
    struct co_intent in;
    intent_of(c, &in);
    effects_add(out, EFF_ORDER, 0, c->order_id);
    effects_add_data(out, EFF_INTENT, 0, c->otn, &in, sizeof in);
    c->intent_open = 1;
    c->after = c->mode == CO_PAY_QR ? CO_QR_WAIT : CO_PAYING;
    set_state(c, CO_JOURNALING, out); /* the payment goes once its intent is on disk */
}

/* After the printer check (or the customer's consent to an e-receipt). */
static void proceed(struct co_flow *c, struct effects *out)
{
    if (c->mode == CO_PAY_CODE && !c->auth_code[0]) {
        c->message = CO_NOTE_NONE;
        set_state(c, CO_CODE, out);
    } else {
        start_payment(c, out);
    }
}

/* The customer chose how to pay: first ask the printer, before any money moves. */
static void request_payment(struct co_flow *c, enum co_mode mode, const char *channel,
                            int64_t now, struct effects *out)
{
    c->mode = mode;
    snprintf(c->channel, sizeof c->channel, "%s", channel ? channel : "");
    c->e_receipt = 0;
    c->deadline_ms = now + CO_PRINTER_CHECK_MS;
    effects_add(out, EFF_PRINTER_CHECK, 0, NULL);
    set_state(c, CO_PRINTER_CHECK, out);
}

/* Back from a payment that did not start (printer dialog, payment-code screen). */
static void abandon_request(struct co_flow *c, struct effects *out)
{
    co_forget_code(c);
    c->mode = CO_PAY_NONE;
    to_page(c, out);
}

static void settle_failed(struct co_flow *c, const char *result, struct effects *out)
{
    if (c->intent_open) {
        effects_add(out, EFF_OUTCOME, 2 /* failed */, result);
        c->intent_open = 0;
    }
}

static void query(struct co_flow *c, struct effects *out)
{
    c->query_inflight = 1;
    call(c, out, CO_CALL_QUERY, c->otn);
}

/* Closes the payment, or reverses it if it went through meanwhile. After an answer the flow
 * could not use, the payment is asked about first: nothing is cancelled blind. */
static void send_cancel(struct co_flow *c, struct effects *out)
{
    c->next_query_ms = 0;
    if (c->unusable) {
        if (!c->query_inflight)
            query(c, out);
        return;
    }
    c->cancel_sent = 1;
    call(c, out, CO_CALL_CANCEL, c->otn);
}

static void cancel_payment(struct co_flow *c, enum co_error why, int64_t now,
                           struct effects *out)
{
    c->error = why;
    c->deadline_ms = now + CO_CANCEL_MAX_MS;
    c->cancel_sent = 0;
    set_state(c, CO_CANCELLING, out);
    send_cancel(c, out);
}

/* Paid (and completed at the backend, or not reachable for that): the sale is recorded
 * with the intent settled, then the receipt. */
static void record_sale(struct co_flow *c, int64_t now, struct effects *out)
{
    effects_add(out, EFF_TXN, 0, c->txn_no);
    c->intent_open = 0;
    c->locked = 0; /* paid: the lock is over with the sale (the app settles its record) */
    c->renew_ms = 0;
    c->done_ms = now;
    if (c->e_receipt) {
        c->printed = -1;
    } else {
        c->printed = 0;
        effects_add(out, EFF_PRINT, 0, c->txn_no);
    }
    set_state(c, CO_DONE, out);
    if (c->recharge && c->printed != 0)
        finish(c, out); /* no receipt to wait for: back to the card at once */
}

/* A status the flow can act on for this payment: a final one, or the in-progress state of
 * its kind (a payment code is USERPAYING while the customer confirms, a QR CREATED until it
 * is paid). Anything else (no status, a number, NOTPAY, CREATED for a payment code) is an
 * answer the flow cannot use: the outcome is unknown. */
static int status_usable(const struct co_flow *c, const char *st)
{
    if (!strcmp(st, "PAID") || !strcmp(st, "CLOSED") || !strcmp(st, "REVERSED"))
        return 1;
    return !strcmp(st, c->mode == CO_PAY_QR ? "CREATED" : "USERPAYING");
}

/* The outcome is unknown: the payment goes on the query schedule, as after a lost answer,
 * and nothing may cancel it before a query has answered. */
static void outcome_unknown(struct co_flow *c, int64_t now, struct effects *out)
{
    c->unusable = 1;
    c->next_query_ms = now + CO_RETRY_MS;
    if (c->state == CO_PAYING || c->state == CO_QR_WAIT) {
        c->deadline_ms = now + CO_USERPAYING_MAX_MS;
        set_state(c, CO_CHECKING, out);
    } else if (c->state == CO_CANCELLING) {
        c->cancel_sent = 0; /* asked first, then cancelled again if still open */
    }
}

/* A payment status from a create, query or cancel answer (the flow waits for that call). */
static void on_payment(struct co_flow *c, const struct co_event *e, int64_t now,
                       struct effects *out)
{
    const char *status = e->text ? e->text : "";
    if (e->call == CO_CALL_QUERY)
        c->query_inflight = 0;
    if (e->call == CO_CALL_CANCEL)
        c->cancel_sent = 0;
    snprintf(c->pay_status, sizeof c->pay_status, "%s", status);
    if (!status_usable(c, status)) {
        log_warn("checkout", "payment %s: an answer that cannot be used (status '%.16s'): "
                 "asking again", c->otn, status);
        outcome_unknown(c, now, out);
        return;
    }
    c->unusable = 0;
    if (!strcmp(status, "PAID")) {
        /* never reversed once the kiosk knows it went through: the sale is paid */
        call(c, out, CO_CALL_COMPLETE, c->order_id);
        set_state(c, CO_COMPLETING, out);
    } else if (!strcmp(status, "REVERSED")) {
        settle_failed(c, status, out);
        fail(c, CO_ERR_REVERSED, -1, out);
    } else if (!strcmp(status, "CLOSED")) {
        settle_failed(c, status, out);
        fail(c, c->state == CO_CANCELLING && c->error != CO_OK ? c->error : CO_ERR_DECLINED, 0,
             out);
    } else if (c->state == CO_CANCELLING) {
        /* still open: cancelled now (asked first), or again a little later */
        if (e->call == CO_CALL_QUERY)
            send_cancel(c, out);
        else
            c->next_query_ms = now + CO_RETRY_MS;
    } else if (c->mode == CO_PAY_QR) { /* CREATED */
        if (c->state == CO_QR_WAIT || c->state == CO_CHECKING) {
            snprintf(c->code_url, sizeof c->code_url, "%s", e->text2 ? e->text2 : "");
            if (c->state == CO_QR_WAIT)
                c->deadline_ms = now + CO_QR_LIFETIME_MS;
            set_state(c, CO_QR, out);
        }
        c->next_query_ms = now + CO_QR_POLL_MS;
    } else { /* USERPAYING */
        if (c->state == CO_PAYING || c->state == CO_CHECKING) {
            c->deadline_ms = now + CO_USERPAYING_MAX_MS;
            set_state(c, CO_USERPAYING, out);
        }
        c->next_query_ms = now + CO_USERPAYING_POLL_MS;
    }
}

int co_waits_for(const struct co_flow *c, enum co_call k)
{
    switch (k) {
    case CO_CALL_PUMPS: return c->state == CO_LOADING;
    case CO_CALL_LOCK: return c->state == CO_LOCKING;
    case CO_CALL_PRICE: return c->state == CO_PRICING;
    case CO_CALL_PRODUCT:
    case CO_CALL_MEMBER_PHONE:
    case CO_CALL_MEMBER_QR:
    case CO_CALL_COUPON: return c->state == CO_LOOKUP && c->lookup_call == k;
    case CO_CALL_PAY: return c->state == CO_PAYING || c->state == CO_QR_WAIT;
    case CO_CALL_QUERY:
        return c->query_inflight &&
               (c->state == CO_QR || c->state == CO_USERPAYING || c->state == CO_CHECKING ||
                (c->state == CO_CANCELLING && !c->cancel_sent));
    case CO_CALL_CANCEL: return c->state == CO_CANCELLING && c->cancel_sent;
    case CO_CALL_COMPLETE: return c->state == CO_COMPLETING;
    case CO_CALL_RENEW: return c->locked;
    case CO_CALL_UNLOCK:
    case CO_CALL_LAST: break;
    }
    return 0;
}

static void on_failed(struct co_flow *c, const struct co_event *e, int64_t now,
                      struct effects *out)
{
    const char *code = e->err_code ? e->err_code : "";
    int unusable = !strcmp(code, "BAD_RESPONSE"); /* an answer, but not one to act on */
    if (!co_waits_for(c, e->call))
        return; /* a late or stray answer: the flow has moved on */
    if (kiosk_refused(code) && e->call != CO_CALL_QUERY && e->call != CO_CALL_CANCEL &&
        e->call != CO_CALL_COMPLETE && e->call != CO_CALL_RENEW) {
        /* refused before anything was done: nothing charged, and no retry helps */
        settle_failed(c, code, out);
        release(c, out);
        fail(c, CO_ERR_TERMINAL, 0, out);
        return;
    }
    switch (e->call) {
    case CO_CALL_PUMPS:
        fail(c, CO_ERR_OFFLINE, 0, out);
        break;
    case CO_CALL_LOCK:
        release(c, out); /* a lock taken unseen is given back */
        fail(c, code[0] && !unusable ? CO_ERR_SALE_TAKEN : CO_ERR_OFFLINE, 0, out);
        break;
    case CO_CALL_PRICE:
        if (!strcmp(code, "COUPON_NOT_APPLICABLE")) {
            /* undo the coupon that did not apply, say why, price again */
            for (int i = 0; i < c->ncoupons; i++)
                if (c->last_coupon < 0 || i == c->last_coupon)
                    c->coupons[i].selected = 0;
            c->last_coupon = -1;
            c->message = CO_NOTE_COUPON_NOT_APPLICABLE;
            reprice(c, out);
            break;
        }
        release(c, out);
        fail(c, !code[0] || unusable                ? CO_ERR_OFFLINE
                : !c->recharge                      ? CO_ERR_SALE_TAKEN
                : !strcmp(code, "CARD_BLOCKED")     ? CO_ERR_CARD_BLOCKED
                : !strcmp(code, "CARD_NOT_FOUND")   ? CO_ERR_CARD_UNKNOWN
                : !strcmp(code, "CARD_EXPIRED")     ? CO_ERR_CARD_EXPIRED
                : !strcmp(code, "RECHARGE_LIMIT")   ? CO_ERR_RECHARGE_LIMIT
                                                    : CO_ERR_SALE_TAKEN,
             0, out);
        break;
    case CO_CALL_PRODUCT:
        c->message = !strcmp(code, "PRODUCT_NOT_FOUND")   ? CO_NOTE_UNKNOWN_ITEM
                     : !strcmp(code, "INVALID_BARCODE") ? CO_NOTE_NOT_BARCODE
                                                        : CO_NOTE_LOOKUP_FAILED;
        to_page(c, out);
        break;
    case CO_CALL_MEMBER_PHONE:
    case CO_CALL_MEMBER_QR:
        c->message = !strcmp(code, "MEMBER_NOT_FOUND") ? CO_NOTE_NO_MEMBER : CO_NOTE_LOOKUP_FAILED;
        sign_wipe(c->pending_code, sizeof c->pending_code);
        to_page(c, out);
        break;
    case CO_CALL_COUPON:
        c->message = !strcmp(code, "COUPON_NOT_FOUND") ? CO_NOTE_COUPON_UNKNOWN
                     : !strcmp(code, "COUPON_USED")    ? CO_NOTE_COUPON_USED
                                                       : CO_NOTE_LOOKUP_FAILED;
        sign_wipe(c->pending_code, sizeof c->pending_code);
        to_page(c, out);
        break;
    case CO_CALL_PAY:
        if (e->unknown || !code[0] || unusable) {
            /* No answer to act on: the payment may exist. Ask, do not re-send. */
            c->next_query_ms = now + CO_RETRY_MS;
            c->deadline_ms = now + CO_USERPAYING_MAX_MS;
            c->unusable = unusable;
            set_state(c, CO_CHECKING, out);
        } else {
            /* refused outright (bad code, bad request): nothing was charged */
            settle_failed(c, code, out);
            fail(c, !strcmp(code, "SALE_PAID") || !strcmp(code, "SALE_NOT_PAYABLE") ||
                            !strcmp(code, "SALE_LOCKED")
                        ? CO_ERR_SALE_TAKEN
                        : CO_ERR_DECLINED,
                 0, out);
        }
        break;
    case CO_CALL_QUERY:
        c->query_inflight = 0;
        if (!strcmp(code, "PAYMENT_NOT_FOUND") &&
            (c->state == CO_CHECKING || c->state == CO_CANCELLING)) {
            /* it never reached the payment system: the number is closed for good */
            c->unusable = 0;
            if (c->state == CO_CHECKING)
                cancel_payment(c, CO_ERR_NOT_MADE, now, out);
            else
                send_cancel(c, out);
            break;
        }
        if (unusable)
            c->unusable = 1;
        c->next_query_ms = now + CO_RETRY_MS;
        break;
    case CO_CALL_CANCEL:
        /* must reach a final state: again a little later (the deadline hands it to the
         * background) */
        c->cancel_sent = 0;
        if (unusable)
            c->unusable = 1;
        c->next_query_ms = now + CO_RETRY_MS;
        break;
    case CO_CALL_COMPLETE:
        /* paid: the sale is recorded in our journal and the outbox tells the backend */
        record_sale(c, now, out);
        break;
    case CO_CALL_RENEW:
        if ((!strcmp(code, "SALE_LOCKED") || !strcmp(code, "SALE_PAID")) &&
            !co_busy(c) && c->state != CO_DONE && c->state != CO_FAILED) {
            /* the lease ran out and the sale went elsewhere before any money moved */
            release(c, out);
            fail(c, CO_ERR_SALE_TAKEN, 0, out);
        } else {
            c->renew_ms = now + CO_RENEW_RETRY_MS;
        }
        break;
    case CO_CALL_UNLOCK:
    case CO_CALL_LAST:
        break;
    }
}

/* Member and coupon QR payloads go into a URL path: letters, digits, '-' and '_' only. */
static int token_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              ch == '-' || ch == '_'))
            return 0;
    }
    return 1;
}

static int starts_with(const char *s, const char *prefix)
{
    return prefix && prefix[0] && !strncmp(s, prefix, strlen(prefix));
}

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static void lookup(struct co_flow *c, enum co_call k, const char *code, struct effects *out)
{
    c->lookup_call = k;
    snprintf(c->pending_code, sizeof c->pending_code, "%s", code);
    c->message = CO_NOTE_NONE;
    call(c, out, k, c->pending_code);
    set_state(c, CO_LOOKUP, out);
}

/* Keeps a valid payment code for the request about to be built; its wallet names the
 * channel. */
static void take_code(struct co_flow *c, const char *text)
{
    snprintf(c->auth_code, sizeof c->auth_code, "%s", text);
    mask_code(text, c->code_masked, sizeof c->code_masked);
    snprintf(c->channel, sizeof c->channel, "%s",
             code_paycode_kind(text) == PAYCODE_ALIPAY ? "alipay" : "wechat");
}

/* A code at the scanner while the bill or the member page is up: a payment code pays, a
 * product barcode adds the item, a member or coupon code is looked up; anything else is
 * refused here with a clear notice, before anything is sent. */
static void scan_on_page(struct co_flow *c, const char *text, int64_t now, struct effects *out)
{
    if (code_paycode_kind(text) != PAYCODE_INVALID) {
        if (c->total_fen <= 0) {
            notice(c, CO_NOTE_PAY_FIRST, out);
            return;
        }
        request_payment(c, CO_PAY_CODE, NULL, now, out);
        take_code(c, text);
    } else if (c->recharge) {
        notice(c, CO_NOTE_RECHARGE_ONLY, out); /* no goods, member or coupons: nothing sent */
    } else if (code_ean_valid(text)) {
        lookup(c, CO_CALL_PRODUCT, text, out);
    } else if (starts_with(text, c->cfg.member_prefix) && token_ok(text)) {
        lookup(c, CO_CALL_MEMBER_QR, text, out);
    } else if (starts_with(text, c->cfg.coupon_prefix) && token_ok(text)) {
        lookup(c, CO_CALL_COUPON, text, out);
    } else if (all_digits(text) && (strlen(text) == 8 || strlen(text) == 13)) {
        notice(c, CO_NOTE_NOT_BARCODE, out);
    } else {
        notice(c, CO_NOTE_UNKNOWN_CODE, out);
    }
}

/* Sale `i` of the pump picked: journaled, then locked for this kiosk. */
static void pick_sale(struct co_flow *c, int i, struct effects *out)
{
    if (c->pump_idx < 0 || i < 0 || i >= c->pumps[c->pump_idx].nsales)
        return;
    const struct co_sale *s = &c->pumps[c->pump_idx].sales[i];
    if (s->locked_elsewhere)
        return; /* shown as taken */
    c->sale = *s;
    c->has_sale = 1;
    /* the lock is journaled first: whatever happens next, it is released */
    struct co_lock l;
    lock_of(c, &l);
    effects_add_data(out, EFF_LOCK, 0, l.sale_id, &l, sizeof l);
    c->locked = 1;
    c->after = CO_LOCKING;
    set_state(c, CO_JOURNALING, out);
}

/* What was journaled is on disk: now it may go out. */
static void journaled(struct co_flow *c, struct effects *out)
{
    if (c->after == CO_LOCKING) {
        call(c, out, CO_CALL_LOCK, c->sale.id);
        set_state(c, CO_LOCKING, out);
    } else {
        call(c, out, CO_CALL_PAY, c->otn);
        set_state(c, c->after, out);
    }
}

/* It could not be written (or not in time): nothing was sent, and nothing will be. */
static void journal_failed(struct co_flow *c, struct effects *out)
{
    co_forget_code(c);
    c->intent_open = 0; /* the next start settles a late write: the payment was never made */
    if (c->after == CO_LOCKING)
        c->locked = 0; /* likewise a lock never asked for */
    fail(c, CO_ERR_KIOSK, 0, out);
}

/* A code at the scanner, in any state. The bill and member pages take it; while the bill
 * is being priced it is held and taken as soon as the bill is back; the payment-code screen
 * takes payment codes; elsewhere the customer is told what to do instead. A scan holding
 * characters no code can contain is refused whole, never cleaned into another code. */
static void on_scan(struct co_flow *c, const struct co_event *e, int64_t now,
                    struct effects *out)
{
    const char *text = e->text ? e->text : "";
    if (!e->ok || !text[0]) {
        notice(c, CO_NOTE_BAD_SCAN, out);
        return;
    }
    switch (c->state) {
    case CO_REVIEW:
    case CO_MEMBER:
        scan_on_page(c, text, now, out);
        break;
    case CO_PRICING:
    case CO_LOOKUP:
        if (c->state == CO_PRICING && !c->priced && c->has_sale) {
            notice(c, CO_NOTE_PICK_PUMP_FIRST, out); /* the bill is not on screen yet */
            break;
        }
        if (strlen(text) >= sizeof c->held_scan) {
            notice(c, CO_NOTE_UNKNOWN_CODE, out);
            break;
        }
        snprintf(c->held_scan, sizeof c->held_scan, "%s", text);
        break;
    case CO_CODE:
        if (code_paycode_kind(text) == PAYCODE_INVALID) {
            notice(c, CO_NOTE_NOT_PAYCODE, out); /* refused here, before anything is sent */
            break;
        }
        take_code(c, text);
        start_payment(c, out);
        break;
    case CO_LOADING:
    case CO_PUMPS:
    case CO_SALES:
    case CO_LOCKING:
        notice(c, CO_NOTE_PICK_PUMP_FIRST, out);
        break;
    case CO_QR_WAIT:
    case CO_QR:
        notice(c, CO_NOTE_QR_ONLY, out);
        break;
    case CO_DONE: /* a recharge has no Finish: it goes back to the card by itself */
        notice(c, c->recharge ? CO_NOTE_IN_PROGRESS : CO_NOTE_SALE_DONE, out);
        break;
    case CO_FAILED:
        notice(c, CO_NOTE_FAILED_FIRST, out);
        break;
    default: /* a payment or the printer question is in progress */
        notice(c, CO_NOTE_IN_PROGRESS, out);
        break;
    }
}

static void add_product(struct co_flow *c, const struct co_event *e, struct effects *out)
{
    int i;
    for (i = 0; i < c->nitems; i++)
        if (!strcmp(c->items[i].barcode, c->pending_code))
            break;
    if (i == c->nitems) {
        if (c->nitems == CO_MAX_ITEMS) {
            c->message = CO_NOTE_CART_FULL;
            to_page(c, out);
            return;
        }
        struct co_item *it = &c->items[c->nitems++];
        memset(it, 0, sizeof *it);
        snprintf(it->barcode, sizeof it->barcode, "%.15s", c->pending_code);
        snprintf(it->name_zh, sizeof it->name_zh, "%s", e->text ? e->text : "");
        snprintf(it->name_en, sizeof it->name_en, "%s", e->text2 ? e->text2 : "");
        it->unit_fen = e->amount;
    }
    if (c->items[i].qty < CO_MAX_QTY)
        c->items[i].qty++;
    reprice(c, out);
}

/* The member's own coupons replace any earlier member's; scanned coupons stay. The same
 * member again (their code scanned twice) keeps what they chose. */
static void set_member(struct co_flow *c, const struct co_event *e, struct effects *out)
{
    if (c->has_member && !strcmp(c->member.id, e->member->id)) {
        c->member = *e->member;
        sign_wipe(c->pending_code, sizeof c->pending_code);
        reprice(c, out);
        return;
    }
    int n = 0;
    for (int i = 0; i < c->ncoupons; i++)
        if (c->coupons[i].scanned)
            c->coupons[n++] = c->coupons[i];
    for (int i = 0; i < e->ncoupons && n < CO_MAX_COUPONS; i++) {
        c->coupons[n] = e->coupons[i];
        c->coupons[n].selected = 0;
        c->coupons[n].scanned = 0;
        n++;
    }
    c->ncoupons = n;
    c->member = *e->member;
    c->has_member = 1;
    c->use_points = 0;
    c->last_coupon = -1;
    sign_wipe(c->phone, sizeof c->phone);
    sign_wipe(c->pending_code, sizeof c->pending_code);
    reprice(c, out);
}

static void forget_member(struct co_flow *c, struct effects *out)
{
    int n = 0;
    for (int i = 0; i < c->ncoupons; i++)
        if (c->coupons[i].scanned)
            c->coupons[n++] = c->coupons[i];
    c->ncoupons = n;
    sign_wipe(&c->member, sizeof c->member);
    c->has_member = 0;
    c->use_points = 0;
    c->last_coupon = -1;
    c->message = CO_NOTE_NONE;
    reprice(c, out);
}

static void add_coupon(struct co_flow *c, const struct co_coupon *cp, struct effects *out)
{
    int i;
    for (i = 0; i < c->ncoupons; i++)
        if (!strcmp(c->coupons[i].id, cp->id))
            break;
    if (i == c->ncoupons) {
        if (c->ncoupons == CO_MAX_COUPONS) {
            c->message = CO_NOTE_COUPONS_FULL;
            to_page(c, out);
            return;
        }
        c->coupons[c->ncoupons++] = *cp;
        c->coupons[i].scanned = 1;
    }
    c->coupons[i].selected = 1;
    c->last_coupon = i;
    reprice(c, out);
}

static void on_cancel(struct co_flow *c, int64_t now, struct effects *out)
{
    switch (c->state) {
    case CO_QR_WAIT:
    case CO_PAYING:
        /* the answer has not come yet: cancelling closes the number (or reverses the
         * payment) whatever the request turns out to have done */
    case CO_QR:
    case CO_USERPAYING:
    case CO_CHECKING:
        cancel_payment(c, c->state == CO_CHECKING ? CO_ERR_NOT_MADE : CO_ERR_CANCELLED, now, out);
        break;
    case CO_CODE:
    case CO_PRINTER_CHECK:
    case CO_NO_PRINTER:
        abandon_request(c, out);
        break;
    case CO_MEMBER:
        c->page = CO_REVIEW;
        c->message = CO_NOTE_NONE;
        sign_wipe(c->phone, sizeof c->phone);
        set_state(c, CO_REVIEW, out);
        break;
    case CO_REVIEW:
    case CO_PRICING:
    case CO_LOOKUP:
        if (c->page == CO_MEMBER) {
            c->page = CO_REVIEW; /* the answer lands on the bill */
            effects_add(out, EFF_REDRAW, 0, NULL);
            break;
        }
        release(c, out);
        finish(c, out);
        break;
    case CO_SALES:
        set_state(c, CO_PUMPS, out);
        break;
    case CO_CANCELLING:
    case CO_COMPLETING:
        break; /* cancelling already, or paid: the answer decides */
    case CO_JOURNALING:
        /* nothing has been sent: what is being written is settled by the glue once it is
         * on disk (never sent) */
        co_forget_code(c);
        if (c->after == CO_LOCKING) {
            /* never asked for: nothing to release, and the lock is not asked for when its
             * record lands either (the flow no longer waits for it) */
            c->locked = 0;
            set_state(c, CO_IDLE, out);
            finish(c, out);
        } else {
            c->intent_open = 0;
            fail(c, CO_ERR_CANCELLED, 0, out);
        }
        break;
    case CO_DONE:
    case CO_FAILED: {
        struct co_event fin = {.in = CO_IN_FINISH};
        co_step(c, &fin, now, out);
        break;
    }
    case CO_IDLE:
        break; /* no sale: nothing to cancel */
    default:
        release(c, out);
        finish(c, out);
        break;
    }
}

/* A state that waits for one answer got none in time (the client gave up long before, or
 * its result was lost): the flow moves on as if the call had failed without an answer. */
static void answer_overdue(struct co_flow *c, int64_t now, struct effects *out)
{
    log_warn("checkout", "%s: no answer in time", names[c->state]);
    switch (c->state) {
    case CO_LOADING:
        fail(c, CO_ERR_OFFLINE, 0, out);
        break;
    case CO_LOCKING:
    case CO_PRICING:
        release(c, out);
        fail(c, CO_ERR_OFFLINE, 0, out);
        break;
    case CO_LOOKUP:
        c->message = CO_NOTE_LOOKUP_FAILED;
        sign_wipe(c->pending_code, sizeof c->pending_code);
        to_page(c, out);
        break;
    case CO_QR_WAIT:
    case CO_PAYING: /* the payment may exist: ask about it */
        c->next_query_ms = now;
        c->deadline_ms = now + CO_USERPAYING_MAX_MS;
        set_state(c, CO_CHECKING, out);
        break;
    case CO_COMPLETING: /* paid: recorded here, the outbox completes it there */
        record_sale(c, now, out);
        break;
    default:
        break;
    }
}

static void on_tick(struct co_flow *c, int64_t now, struct effects *out)
{
    if (c->locked && c->renew_ms && now >= c->renew_ms) {
        /* the lock's lease is renewed while the sale is this kiosk's */
        c->renewals++;
        c->renew_ms = now + (c->lease_ms > 0 ? c->lease_ms : CO_LEASE_MS) / 2;
        call(c, out, CO_CALL_RENEW, c->sale.id);
    }
    switch (c->state) {
    case CO_PRINTER_CHECK:
        if (now >= c->deadline_ms)
            set_state(c, CO_NO_PRINTER, out); /* no answer: it cannot be trusted to print */
        break;
    case CO_JOURNALING:
        if (now >= c->deadline_ms) {
            log_error("checkout", "the journal did not answer in time");
            journal_failed(c, out);
        }
        break;
    case CO_QR:
    case CO_USERPAYING:
    case CO_CHECKING:
        if (now >= c->deadline_ms) {
            cancel_payment(c, c->state == CO_QR          ? CO_ERR_QR_EXPIRED
                              : c->state == CO_CHECKING ? CO_ERR_NOT_MADE
                                                        : CO_ERR_NOT_CONFIRMED,
                           now, out);
        } else if (now >= c->next_query_ms && !c->query_inflight) {
            c->next_query_ms = now + (c->state == CO_QR ? CO_QR_POLL_MS : CO_USERPAYING_POLL_MS);
            query(c, out);
        }
        if (c->state == CO_QR)
            effects_add(out, EFF_REDRAW, 0, NULL); /* the countdown */
        break;
    case CO_CANCELLING:
        if (now >= c->deadline_ms) {
            /* The station system does not answer: the cancel goes on in the background (it
             * asks first) and the customer is told what happens to the money. */
            hand_over(c, 1, out);
            fail(c, CO_ERR_UNSETTLED, 2, out);
        } else if (c->next_query_ms && now >= c->next_query_ms && !c->cancel_sent &&
                   !c->query_inflight) {
            send_cancel(c, out);
        }
        break;
    default:
        if (waits_for_answer(c->state) && now >= c->deadline_ms)
            answer_overdue(c, now, out);
        break;
    }
}

/* The customer's session ended. What the journal is writing now (a lock, or an intent) was
 * never sent: the glue settles that record when it is written; a lock asked for already is
 * given back. */
static void on_leave(struct co_flow *c, struct effects *out)
{
    co_forget_code(c);
    if (c->state == CO_JOURNALING) {
        c->intent_open = 0;
        if (c->after == CO_LOCKING)
            c->locked = 0;
    }
    if (c->intent_open)
        hand_over(c, 0, out); /* money in flight: asked first, completed if it went through */
    else
        release(c, out); /* nothing paid: the pump's sale is free again */
    co_init(c); /* CO_IDLE, and nothing of the customer's kept */
}

/* A priced bill is what was asked for: a recharge exactly its one line (the amount asked,
 * nothing off, nothing added), anything else no recharge line. */
static int priced_as_asked(const struct co_flow *c, const struct co_priced *p)
{
    if (!c->recharge && p->recharge_fen == 0)
        return 1;
    if (c->recharge && p->recharge_fen == c->recharge_fen && p->ndiscounts == 0 &&
        p->subtotal_fen == c->recharge_fen && p->total_fen == c->recharge_fen &&
        p->points_used == 0)
        return 1;
    if (c->recharge)
        log_error("checkout", "a recharge of %lld priced as %lld (line %lld, %d discounts): "
                  "not charged", (long long)c->recharge_fen, (long long)p->total_fen,
                  (long long)p->recharge_fen, p->ndiscounts);
    else
        log_error("checkout", "a bill priced with a recharge line: not charged");
    return 0;
}

void co_step(struct co_flow *c, const struct co_event *e, int64_t now, struct effects *out)
{
    int on_page = c->state == CO_REVIEW || c->state == CO_MEMBER;
    c->now_ms = now;
    switch (e->in) {
    case CO_IN_START:
        co_init(c);
        c->now_ms = now;
        if (e->cfg)
            c->cfg = *e->cfg;
        snprintf(c->txn_no, sizeof c->txn_no, "%s", e->text ? e->text : "");
        snprintf(c->order_id, sizeof c->order_id, "%.32s-O", c->txn_no);
        c->shop = e->index == CO_START_SHOP;
        if (e->index == CO_START_RECHARGE) { /* a fuel card's recharge: priced at once, one line */
            c->recharge = 1;
            if (!co_recharge_valid(e->text2, e->amount)) {
                log_error("checkout", "a recharge that cannot be: handed back");
                finish(c, out);
                break;
            }
            memcpy(c->recharge_card, e->text2, sizeof c->recharge_card);
            c->recharge_fen = e->amount;
            reprice(c, out);
            break;
        }
        if (c->shop) {
            set_state(c, CO_REVIEW, out); /* shop goods only: an empty bill to scan into */
            break;
        }
        call(c, out, CO_CALL_PUMPS, NULL);
        set_state(c, CO_LOADING, out);
        break;
    case CO_IN_PUMPS:
        if (c->state != CO_LOADING)
            break;
        c->npumps = e->npumps < CO_MAX_PUMPS ? e->npumps : CO_MAX_PUMPS;
        memcpy(c->pumps, e->pumps, sizeof c->pumps[0] * (size_t)c->npumps);
        set_state(c, CO_PUMPS, out);
        break;
    case CO_IN_PICK_PUMP: {
        if (c->state != CO_PUMPS || e->index < 0 || e->index >= c->npumps)
            break;
        const struct co_pump *p = &c->pumps[e->index];
        if (p->nsales == 0)
            break; /* nothing to pay at this pump: the tile says so */
        c->pump_idx = e->index;
        if (p->nsales > 1)
            set_state(c, CO_SALES, out);
        else
            pick_sale(c, 0, out); /* its only sale (if taken, the grid stays) */
        break;
    }
    case CO_IN_PICK_SALE:
        if (c->state == CO_SALES)
            pick_sale(c, e->index, out);
        break;
    case CO_IN_LOCKED:
        if (c->state == CO_LOCKING) {
            c->lease_ms = e->amount > 0 ? e->amount : CO_LEASE_MS;
            c->renew_ms = now + c->lease_ms / 2;
            reprice(c, out);
        }
        break;
    case CO_IN_PRICED:
        if (c->state != CO_PRICING || !e->priced)
            break;
        if (!priced_as_asked(c, e->priced)) {
            struct co_event f = {.in = CO_IN_CALL_FAILED, .call = CO_CALL_PRICE,
                                 .err_code = "BAD_RESPONSE"};
            on_failed(c, &f, now, out);
            break;
        }
        c->price = *e->priced;
        c->total_fen = c->price.total_fen;
        c->priced = 1;
        c->last_coupon = -1;
        to_page(c, out);
        break;
    case CO_IN_PRODUCT:
        if (co_waits_for(c, CO_CALL_PRODUCT))
            add_product(c, e, out);
        break;
    case CO_IN_MEMBER:
        if ((co_waits_for(c, CO_CALL_MEMBER_PHONE) || co_waits_for(c, CO_CALL_MEMBER_QR)) && e->member)
            set_member(c, e, out);
        break;
    case CO_IN_COUPON:
        if (co_waits_for(c, CO_CALL_COUPON) && e->coupons && e->ncoupons > 0)
            add_coupon(c, &e->coupons[0], out);
        break;
    case CO_IN_ITEM_MORE:
    case CO_IN_ITEM_LESS:
        if (c->state != CO_REVIEW || e->index < 0 || e->index >= c->nitems)
            break;
        if (e->in == CO_IN_ITEM_MORE && c->items[e->index].qty < CO_MAX_QTY) {
            c->items[e->index].qty++;
        } else if (e->in == CO_IN_ITEM_LESS && --c->items[e->index].qty == 0) {
            memmove(&c->items[e->index], &c->items[e->index + 1],
                    sizeof c->items[0] * (size_t)(c->nitems - e->index - 1));
            c->nitems--;
        }
        c->message = CO_NOTE_NONE;
        reprice(c, out);
        break;
    case CO_IN_OPEN_MEMBER:
        if (c->state != CO_REVIEW || c->recharge)
            break;
        c->page = CO_MEMBER;
        c->message = CO_NOTE_NONE;
        set_state(c, CO_MEMBER, out);
        break;
    case CO_IN_KEY: {
        if (c->state != CO_MEMBER || c->has_member || !e->text)
            break;
        size_t n = strlen(c->phone);
        if (!strcmp(e->text, "del")) {
            if (n > 0)
                c->phone[n - 1] = '\0';
        } else if (e->text[0] >= '0' && e->text[0] <= '9' && !e->text[1] && n < CO_PHONE_LEN) {
            c->phone[n] = e->text[0];
            c->phone[n + 1] = '\0';
        }
        notice(c, CO_NOTE_NONE, out);
        break;
    }
    case CO_IN_PHONE_OK:
        if (c->state != CO_MEMBER || c->has_member)
            break;
        if (!code_phone_valid(c->phone)) {
            notice(c, CO_NOTE_BAD_PHONE, out);
            break;
        }
        lookup(c, CO_CALL_MEMBER_PHONE, c->phone, out);
        sign_wipe(c->phone, sizeof c->phone);
        break;
    case CO_IN_MEMBER_DONE:
        if (c->state == CO_MEMBER) {
            c->page = CO_REVIEW;
            c->message = CO_NOTE_NONE;
            set_state(c, CO_REVIEW, out);
        }
        break;
    case CO_IN_MEMBER_FORGET:
        if (on_page && c->has_member)
            forget_member(c, out);
        break;
    case CO_IN_TOGGLE_COUPON:
        if (!on_page || e->index < 0 || e->index >= c->ncoupons)
            break;
        c->coupons[e->index].selected = !c->coupons[e->index].selected;
        c->message = CO_NOTE_NONE;
        reprice(c, out);
        c->last_coupon = e->index;
        break;
    case CO_IN_TOGGLE_POINTS:
        if (!on_page || !c->has_member || c->member.points <= 0)
            break;
        c->use_points = !c->use_points;
        c->message = CO_NOTE_NONE;
        reprice(c, out);
        break;
    case CO_IN_PAY_QR:
        if (c->state == CO_REVIEW && c->total_fen > 0)
            request_payment(c, CO_PAY_QR, e->text && e->text[0] ? e->text : "wechat", now, out);
        break;
    case CO_IN_PAY_CODE:
        if (c->state == CO_REVIEW && c->total_fen > 0)
            request_payment(c, CO_PAY_CODE, "", now, out);
        break;
    case CO_IN_PRINTER:
        if (c->state != CO_PRINTER_CHECK)
            break;
        if (e->ok)
            proceed(c, out);
        else
            set_state(c, CO_NO_PRINTER, out);
        break;
    case CO_IN_CONTINUE:
        if (c->state == CO_NO_PRINTER) {
            c->e_receipt = 1;
            proceed(c, out);
        }
        break;
    case CO_IN_SCAN:
        on_scan(c, e, now, out);
        break;
    case CO_IN_PAYMENT:
        if ((e->call == CO_CALL_PAY || e->call == CO_CALL_QUERY || e->call == CO_CALL_CANCEL) &&
            co_waits_for(c, e->call))
            on_payment(c, e, now, out);
        break;
    case CO_IN_COMPLETED:
        if (c->state == CO_COMPLETING)
            record_sale(c, now, out);
        break;
    case CO_IN_CALL_FAILED:
        on_failed(c, e, now, out);
        break;
    case CO_IN_JOURNALED:
        if (c->state != CO_JOURNALING)
            break;
        if (e->ok) {
            journaled(c, out);
            break;
        }
        journal_failed(c, out);
        break;
    case CO_IN_PRINTED:
        if (c->state == CO_DONE && c->printed == 0) {
            c->printed = e->ok ? 1 : -1;
            effects_add(out, EFF_REDRAW, 0, NULL);
            if (c->recharge)
                finish(c, out); /* the receipt is out (or not): back to the card */
        }
        break;
    case CO_IN_REPRINT:
        if (c->printed != 0 && co_can_reprint(c, now)) {
            c->printed = 0;
            effects_add(out, EFF_PRINT, 1 /* a copy */, c->txn_no);
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case CO_IN_CANCEL:
        on_cancel(c, now, out);
        break;
    case CO_IN_FINISH:
        if (c->state == CO_DONE && c->recharge && c->printed == 0)
            break; /* a recharge goes back by itself once its receipt is out */
        if (c->state == CO_DONE || c->state == CO_FAILED) {
            /* nothing taken, or given back: the pump's sale is free again */
            if (c->state == CO_FAILED && c->money_moved <= 0)
                release(c, out);
            finish(c, out);
        }
        break;
    case CO_IN_RETRY:
        if (c->state == CO_FAILED && c->money_moved == 0 && c->priced &&
            (c->error == CO_ERR_DECLINED || c->error == CO_ERR_NOT_CONFIRMED ||
             c->error == CO_ERR_QR_EXPIRED || c->error == CO_ERR_CANCELLED ||
             c->error == CO_ERR_NOT_MADE)) {
            c->error = CO_OK;
            c->mode = CO_PAY_NONE;
            c->page = CO_REVIEW;
            c->message = CO_NOTE_NONE;
            set_state(c, CO_REVIEW, out);
        }
        break;
    case CO_IN_TICK:
        on_tick(c, now, out);
        break;
    case CO_IN_LEAVE:
        on_leave(c, out);
        break;
    }
}

int64_t co_deadline(const struct co_flow *c)
{
    int64_t d = INT64_MAX;
    switch (c->state) {
    case CO_PRINTER_CHECK:
        d = c->deadline_ms;
        break;
    case CO_QR:
    case CO_USERPAYING:
    case CO_CHECKING:
        d = !c->query_inflight && c->next_query_ms < c->deadline_ms ? c->next_query_ms
                                                                    : c->deadline_ms;
        break;
    case CO_CANCELLING:
        d = c->next_query_ms && c->next_query_ms < c->deadline_ms ? c->next_query_ms
                                                                  : c->deadline_ms;
        break;
    default:
        if (waits_for_answer(c->state) || c->state == CO_JOURNALING)
            d = c->deadline_ms;
        break;
    }
    if (c->locked && c->renew_ms && c->renew_ms < d)
        d = c->renew_ms;
    return d;
}
