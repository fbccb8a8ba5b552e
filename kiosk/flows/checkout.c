#include "kiosk/flows/checkout.h"

#include <stdio.h>
#include <string.h>

#include "kiosk/core/codes.h"
#include "kiosk/core/i18n.h"
#include "kiosk/core/log.h"
#include "kiosk/core/sign.h"

static const char *const names[CO_LAST] = {
    "loading",  "pumps",    "sales",      "locking",    "pricing",   "review",    "lookup",
    "member",   "printer_check", "no_printer", "qr_wait", "qr",     "code",      "paying",
    "userpaying", "checking", "cancelling", "completing", "done",    "failed",   "idle",
};

const char *checkout_state_name(enum co_state s)
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
static void set_state(struct checkout *c, enum co_state s, struct effects *out)
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
        c->deadline_ms = c->now_ms + (c->cfg.call_max_ms > 0 ? c->cfg.call_max_ms : CO_CALL_MAX_MS);
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void call(struct effects *out, enum co_call k, const char *subject)
{
    effects_add(out, EFF_CALL, k, subject);
}

static void notice(struct checkout *c, enum co_notice n, struct effects *out)
{
    c->message = n;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void fail(struct checkout *c, enum co_error e, int money, struct effects *out)
{
    checkout_forget_code(c); /* whatever was under way has ended: a held code goes */
    c->error = e;
    c->money_moved = money;
    set_state(c, CO_FAILED, out);
}

/* The sale's lock (if this kiosk may hold it) is released in the background, once. */
static void release(struct checkout *c, struct effects *out)
{
    if (!c->locked)
        return;
    c->locked = 0;
    c->renew_ms = 0;
    effects_add(out, EFF_RELEASE, 0, c->sale.id);
}

/* The station system refused this kiosk itself (its key or clock): no retry can help, and
 * nothing was done. */
static int kiosk_refused(const char *code)
{
    return !strcmp(code, "UNAUTHENTICATED") || !strcmp(code, "BAD_SIGNATURE") ||
           !strcmp(code, "CLOCK_SKEW");
}

void checkout_init(struct checkout *c)
{
    sign_wipe(c, sizeof *c);
    c->state = CO_IDLE;
    c->page = CO_REVIEW;
    c->pump_idx = -1;
    c->last_coupon = -1;
}

int checkout_can_reprint(const struct checkout *c, int64_t now)
{
    return c->state == CO_DONE && !c->e_receipt && c->cfg.reprint_ms > 0 &&
           now - c->done_ms < c->cfg.reprint_ms;
}

void checkout_forget_code(struct checkout *c)
{
    sign_wipe(c->auth_code, sizeof c->auth_code);
}

int checkout_busy(const struct checkout *c)
{
    return c->state >= CO_QR_WAIT && c->state <= CO_COMPLETING;
}

const char *checkout_channel_label(const char *channel)
{
    if (!strcmp(channel, "alipay"))
        return N_("Alipay");
    if (!strcmp(channel, "unionpay"))
        return N_("UnionPay");
    if (!strcmp(channel, "ecny"))
        return N_("e-CNY");
    return N_("WeChat");
}

int64_t checkout_points_wanted(const struct checkout *c)
{
    if (!c->has_member || !c->use_points)
        return 0;
    int64_t p = c->member.points;
    if (c->cfg.points_max > 0 && p > c->cfg.points_max)
        p = c->cfg.points_max;
    return p;
}

static void scan_on_page(struct checkout *c, const char *text, int64_t now, struct effects *out);

/* The page the customer is on (bill or member page), e.g. after a lookup. A code scanned
 * while the bill was being priced is taken now. */
static void to_page(struct checkout *c, struct effects *out)
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
static void reprice(struct checkout *c, struct effects *out)
{
    if (!c->has_sale && c->nitems == 0) {
        c->total_fen = 0;
        c->priced = 0;
        memset(&c->price, 0, sizeof c->price);
        to_page(c, out);
        return;
    }
    c->pricing_round++;
    call(out, CALL_PRICE, c->order_id);
    set_state(c, CO_PRICING, out);
}

/* Starts a payment attempt: a new out_trade_no; the order, then the intent, are journaled
 * before the call. */
static void start_payment(struct checkout *c, struct effects *out)
{
    c->attempt++;
    snprintf(c->otn, sizeof c->otn, "%.28s-P%d", c->txn_no, c->attempt % 100);
    c->pay_status[0] = '\0';
    c->code_url[0] = '\0';
    c->deadline_ms = c->next_query_ms = 0;
    c->query_inflight = c->unusable = c->cancel_sent = 0;
    c->message = CO_NOTE_NONE;
    effects_add(out, EFF_ORDER, 0, c->order_id);
    effects_add(out, EFF_INTENT, 0, c->otn);
    c->intent_open = 1;
    call(out, CALL_PAY, c->otn);
    set_state(c, c->mode == CO_PAY_QR ? CO_QR_WAIT : CO_PAYING, out);
}

/* After the printer check (or the customer's consent to an e-receipt). */
static void proceed(struct checkout *c, struct effects *out)
{
    if (c->mode == CO_PAY_CODE && !c->auth_code[0]) {
        c->message = CO_NOTE_NONE;
        set_state(c, CO_CODE, out);
    } else {
        start_payment(c, out);
    }
}

/* The customer chose how to pay: first ask the printer, before any money moves. */
static void request_payment(struct checkout *c, enum co_mode mode, const char *channel,
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
static void abandon_request(struct checkout *c, struct effects *out)
{
    checkout_forget_code(c);
    c->mode = CO_PAY_NONE;
    to_page(c, out);
}

static void settle_failed(struct checkout *c, const char *result, struct effects *out)
{
    if (c->intent_open) {
        effects_add(out, EFF_OUTCOME, 2 /* failed */, result);
        c->intent_open = 0;
    }
}

static void query(struct checkout *c, struct effects *out)
{
    c->query_inflight = 1;
    call(out, CALL_QUERY, c->otn);
}

/* Closes the payment, or reverses it if it went through meanwhile. After an answer the flow
 * could not use, the payment is asked about first: nothing is cancelled blind. */
static void send_cancel(struct checkout *c, struct effects *out)
{
    c->next_query_ms = 0;
    if (c->unusable) {
        if (!c->query_inflight)
            query(c, out);
        return;
    }
    c->cancel_sent = 1;
    call(out, CALL_CANCEL, c->otn);
}

static void cancel_payment(struct checkout *c, enum co_error why, int64_t now,
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
static void record_sale(struct checkout *c, int64_t now, struct effects *out)
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
}

/* A status the flow can act on for this payment: a final one, or the in-progress state of
 * its kind (a payment code is USERPAYING while the customer confirms, a QR CREATED until it
 * is paid). Anything else (no status, a number, NOTPAY, CREATED for a payment code) is an
 * answer the flow cannot use: the outcome is unknown. */
static int status_usable(const struct checkout *c, const char *st)
{
    if (!strcmp(st, "PAID") || !strcmp(st, "CLOSED") || !strcmp(st, "REVERSED"))
        return 1;
    return !strcmp(st, c->mode == CO_PAY_QR ? "CREATED" : "USERPAYING");
}

/* The outcome is unknown: the payment goes on the query schedule, as after a lost answer,
 * and nothing may cancel it before a query has answered. */
static void outcome_unknown(struct checkout *c, int64_t now, struct effects *out)
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
static void on_payment(struct checkout *c, const struct co_event *e, int64_t now,
                       struct effects *out)
{
    const char *status = e->text ? e->text : "";
    if (e->call == CALL_QUERY)
        c->query_inflight = 0;
    if (e->call == CALL_CANCEL)
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
        call(out, CALL_COMPLETE, c->order_id);
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
        if (e->call == CALL_QUERY)
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

int checkout_waits_for(const struct checkout *c, enum co_call k)
{
    switch (k) {
    case CALL_PUMPS: return c->state == CO_LOADING;
    case CALL_LOCK: return c->state == CO_LOCKING;
    case CALL_PRICE: return c->state == CO_PRICING;
    case CALL_PRODUCT:
    case CALL_MEMBER_PHONE:
    case CALL_MEMBER_QR:
    case CALL_COUPON: return c->state == CO_LOOKUP && c->lookup_call == k;
    case CALL_PAY: return c->state == CO_PAYING || c->state == CO_QR_WAIT;
    case CALL_QUERY:
        return c->query_inflight &&
               (c->state == CO_QR || c->state == CO_USERPAYING || c->state == CO_CHECKING ||
                (c->state == CO_CANCELLING && !c->cancel_sent));
    case CALL_CANCEL: return c->state == CO_CANCELLING && c->cancel_sent;
    case CALL_COMPLETE: return c->state == CO_COMPLETING;
    case CALL_RENEW: return c->locked;
    case CALL_LAST: break;
    }
    return 0;
}

static void on_failed(struct checkout *c, const struct co_event *e, int64_t now,
                      struct effects *out)
{
    const char *code = e->err_code ? e->err_code : "";
    int unusable = !strcmp(code, "BAD_RESPONSE"); /* an answer, but not one to act on */
    if (!checkout_waits_for(c, e->call))
        return; /* a late or stray answer: the flow has moved on */
    if (kiosk_refused(code) && e->call != CALL_QUERY && e->call != CALL_CANCEL &&
        e->call != CALL_COMPLETE && e->call != CALL_RENEW) {
        /* refused before anything was done: nothing charged, and no retry helps */
        settle_failed(c, code, out);
        release(c, out);
        fail(c, CO_ERR_TERMINAL, 0, out);
        return;
    }
    switch (e->call) {
    case CALL_PUMPS:
        fail(c, CO_ERR_OFFLINE, 0, out);
        break;
    case CALL_LOCK:
        release(c, out); /* a lock taken unseen is given back */
        fail(c, code[0] && !unusable ? CO_ERR_SALE_TAKEN : CO_ERR_OFFLINE, 0, out);
        break;
    case CALL_PRICE:
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
        fail(c, code[0] && !unusable ? CO_ERR_SALE_TAKEN : CO_ERR_OFFLINE, 0, out);
        break;
    case CALL_PRODUCT:
        c->message = !strcmp(code, "PRODUCT_NOT_FOUND")   ? CO_NOTE_UNKNOWN_ITEM
                     : !strcmp(code, "INVALID_BARCODE") ? CO_NOTE_NOT_BARCODE
                                                        : CO_NOTE_LOOKUP_FAILED;
        to_page(c, out);
        break;
    case CALL_MEMBER_PHONE:
    case CALL_MEMBER_QR:
        c->message = !strcmp(code, "MEMBER_NOT_FOUND") ? CO_NOTE_NO_MEMBER : CO_NOTE_LOOKUP_FAILED;
        sign_wipe(c->pending_code, sizeof c->pending_code);
        to_page(c, out);
        break;
    case CALL_COUPON:
        c->message = !strcmp(code, "COUPON_NOT_FOUND") ? CO_NOTE_COUPON_UNKNOWN
                     : !strcmp(code, "COUPON_USED")    ? CO_NOTE_COUPON_USED
                                                       : CO_NOTE_LOOKUP_FAILED;
        sign_wipe(c->pending_code, sizeof c->pending_code);
        to_page(c, out);
        break;
    case CALL_PAY:
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
    case CALL_QUERY:
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
    case CALL_CANCEL:
        /* must reach a final state: again a little later (the deadline hands it to the
         * background) */
        c->cancel_sent = 0;
        if (unusable)
            c->unusable = 1;
        c->next_query_ms = now + CO_RETRY_MS;
        break;
    case CALL_COMPLETE:
        /* paid: the sale is recorded in our journal and the outbox tells the backend */
        record_sale(c, now, out);
        break;
    case CALL_RENEW:
        if ((!strcmp(code, "SALE_LOCKED") || !strcmp(code, "SALE_PAID")) &&
            !checkout_busy(c) && c->state != CO_DONE && c->state != CO_FAILED) {
            /* the lease ran out and the sale went elsewhere before any money moved */
            release(c, out);
            fail(c, CO_ERR_SALE_TAKEN, 0, out);
        } else {
            c->renew_ms = now + CO_RENEW_RETRY_MS;
        }
        break;
    case CALL_LAST:
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

static void lookup(struct checkout *c, enum co_call k, const char *code, struct effects *out)
{
    c->lookup_call = k;
    snprintf(c->pending_code, sizeof c->pending_code, "%s", code);
    c->message = CO_NOTE_NONE;
    call(out, k, c->pending_code);
    set_state(c, CO_LOOKUP, out);
}

/* Keeps a valid payment code for the request about to be built; its wallet names the
 * channel. */
static void take_code(struct checkout *c, const char *text)
{
    snprintf(c->auth_code, sizeof c->auth_code, "%s", text);
    mask_code(text, c->code_masked, sizeof c->code_masked);
    snprintf(c->channel, sizeof c->channel, "%s",
             code_paycode_kind(text) == PAYCODE_ALIPAY ? "alipay" : "wechat");
}

/* A code at the scanner while the bill or the member page is up: a payment code pays, a
 * product barcode adds the item, a member or coupon code is looked up; anything else is
 * refused here with a clear notice, before anything is sent. */
static void scan_on_page(struct checkout *c, const char *text, int64_t now, struct effects *out)
{
    if (code_paycode_kind(text) != PAYCODE_INVALID) {
        if (c->total_fen <= 0) {
            notice(c, CO_NOTE_PAY_FIRST, out);
            return;
        }
        request_payment(c, CO_PAY_CODE, NULL, now, out);
        take_code(c, text);
    } else if (code_ean_valid(text)) {
        lookup(c, CALL_PRODUCT, text, out);
    } else if (starts_with(text, c->cfg.member_prefix) && token_ok(text)) {
        lookup(c, CALL_MEMBER_QR, text, out);
    } else if (starts_with(text, c->cfg.coupon_prefix) && token_ok(text)) {
        lookup(c, CALL_COUPON, text, out);
    } else if (all_digits(text) && (strlen(text) == 8 || strlen(text) == 13)) {
        notice(c, CO_NOTE_NOT_BARCODE, out);
    } else {
        notice(c, CO_NOTE_UNKNOWN_CODE, out);
    }
}

/* A code at the scanner, in any state. The bill and member pages take it; while the bill
 * is being priced it is held and taken as soon as the bill is back; the payment-code screen
 * takes payment codes; elsewhere the customer is told what to do instead. A scan holding
 * characters no code can contain is refused whole, never cleaned into another code. */
static void on_scan(struct checkout *c, const struct co_event *e, int64_t now,
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
    case CO_DONE:
        notice(c, CO_NOTE_SALE_DONE, out);
        break;
    case CO_FAILED:
        notice(c, CO_NOTE_FAILED_FIRST, out);
        break;
    default: /* a payment or the printer question is in progress */
        notice(c, CO_NOTE_IN_PROGRESS, out);
        break;
    }
}

static void add_product(struct checkout *c, const struct co_event *e, struct effects *out)
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
static void set_member(struct checkout *c, const struct co_event *e, struct effects *out)
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

static void forget_member(struct checkout *c, struct effects *out)
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

static void add_coupon(struct checkout *c, const struct co_coupon *cp, struct effects *out)
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

static void on_cancel(struct checkout *c, int64_t now, struct effects *out)
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
        effects_add(out, EFF_HOME, 0, NULL);
        break;
    case CO_SALES:
        set_state(c, CO_PUMPS, out);
        break;
    case CO_CANCELLING:
    case CO_COMPLETING:
        break; /* cancelling already, or paid: the answer decides */
    case CO_DONE:
    case CO_FAILED: {
        struct co_event fin = {.in = CI_FINISH};
        checkout_step(c, &fin, now, out);
        break;
    }
    default:
        release(c, out);
        effects_add(out, EFF_HOME, 0, NULL);
        break;
    }
}

/* A state that waits for one answer got none in time (the client gave up long before, or
 * its result was lost): the flow moves on as if the call had failed without an answer. */
static void answer_overdue(struct checkout *c, int64_t now, struct effects *out)
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

static void on_tick(struct checkout *c, int64_t now, struct effects *out)
{
    if (c->locked && c->renew_ms && now >= c->renew_ms) {
        /* the lock's lease is renewed while the sale is this kiosk's */
        c->renewals++;
        c->renew_ms = now + (c->lease_ms > 0 ? c->lease_ms : CO_LEASE_MS) / 2;
        call(out, CALL_RENEW, c->sale.id);
    }
    switch (c->state) {
    case CO_PRINTER_CHECK:
        if (now >= c->deadline_ms)
            set_state(c, CO_NO_PRINTER, out); /* no answer: it cannot be trusted to print */
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
            effects_add(out, EFF_SETTLE, 1, c->otn);
            c->intent_open = 0;
            c->locked = 0; /* released by the settlement once the payment is closed */
            c->renew_ms = 0;
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

void checkout_step(struct checkout *c, const struct co_event *e, int64_t now, struct effects *out)
{
    int on_page = c->state == CO_REVIEW || c->state == CO_MEMBER;
    c->now_ms = now;
    switch (e->in) {
    case CI_START:
        checkout_init(c);
        c->now_ms = now;
        if (e->cfg)
            c->cfg = *e->cfg;
        snprintf(c->txn_no, sizeof c->txn_no, "%s", e->text ? e->text : "");
        snprintf(c->order_id, sizeof c->order_id, "%.32s-O", c->txn_no);
        c->shop = e->index == 1;
        if (c->shop) {
            set_state(c, CO_REVIEW, out); /* shop goods only: an empty bill to scan into */
            break;
        }
        call(out, CALL_PUMPS, NULL);
        set_state(c, CO_LOADING, out);
        break;
    case CI_PUMPS:
        if (c->state != CO_LOADING)
            break;
        c->npumps = e->npumps < CO_MAX_PUMPS ? e->npumps : CO_MAX_PUMPS;
        memcpy(c->pumps, e->pumps, sizeof c->pumps[0] * (size_t)c->npumps);
        set_state(c, CO_PUMPS, out);
        break;
    case CI_PICK_PUMP: {
        if (c->state != CO_PUMPS || e->index < 0 || e->index >= c->npumps)
            break;
        const struct co_pump *p = &c->pumps[e->index];
        if (p->nsales == 0)
            break; /* nothing to pay at this pump: the tile says so */
        c->pump_idx = e->index;
        if (p->nsales > 1) {
            set_state(c, CO_SALES, out);
            break;
        }
        struct co_event pick = {.in = CI_PICK_SALE, .index = 0};
        c->state = CO_SALES;
        checkout_step(c, &pick, now, out);
        if (c->state == CO_SALES)
            c->state = CO_PUMPS; /* its only sale is taken: stay on the grid */
        break;
    }
    case CI_PICK_SALE: {
        if (c->state != CO_SALES || c->pump_idx < 0 || e->index < 0 ||
            e->index >= c->pumps[c->pump_idx].nsales)
            break;
        const struct co_sale *s = &c->pumps[c->pump_idx].sales[e->index];
        if (s->locked_elsewhere)
            break; /* shown as taken */
        c->sale = *s;
        c->has_sale = 1;
        /* the lock is journaled first: whatever happens next, it is released */
        effects_add(out, EFF_LOCK, 0, c->sale.id);
        c->locked = 1;
        call(out, CALL_LOCK, c->sale.id);
        set_state(c, CO_LOCKING, out);
        break;
    }
    case CI_LOCKED:
        if (c->state == CO_LOCKING) {
            c->lease_ms = e->amount > 0 ? e->amount : CO_LEASE_MS;
            c->renew_ms = now + c->lease_ms / 2;
            reprice(c, out);
        }
        break;
    case CI_PRICED:
        if (c->state != CO_PRICING || !e->priced)
            break;
        c->price = *e->priced;
        c->total_fen = c->price.total_fen;
        c->priced = 1;
        c->last_coupon = -1;
        to_page(c, out);
        break;
    case CI_PRODUCT:
        if (checkout_waits_for(c, CALL_PRODUCT))
            add_product(c, e, out);
        break;
    case CI_MEMBER:
        if ((checkout_waits_for(c, CALL_MEMBER_PHONE) || checkout_waits_for(c, CALL_MEMBER_QR)) && e->member)
            set_member(c, e, out);
        break;
    case CI_COUPON:
        if (checkout_waits_for(c, CALL_COUPON) && e->coupons && e->ncoupons > 0)
            add_coupon(c, &e->coupons[0], out);
        break;
    case CI_ITEM_MORE:
    case CI_ITEM_LESS:
        if (c->state != CO_REVIEW || e->index < 0 || e->index >= c->nitems)
            break;
        if (e->in == CI_ITEM_MORE && c->items[e->index].qty < CO_MAX_QTY) {
            c->items[e->index].qty++;
        } else if (e->in == CI_ITEM_LESS && --c->items[e->index].qty == 0) {
            memmove(&c->items[e->index], &c->items[e->index + 1],
                    sizeof c->items[0] * (size_t)(c->nitems - e->index - 1));
            c->nitems--;
        }
        c->message = CO_NOTE_NONE;
        reprice(c, out);
        break;
    case CI_OPEN_MEMBER:
        if (c->state != CO_REVIEW)
            break;
        c->page = CO_MEMBER;
        c->message = CO_NOTE_NONE;
        set_state(c, CO_MEMBER, out);
        break;
    case CI_KEY: {
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
    case CI_PHONE_OK:
        if (c->state != CO_MEMBER || c->has_member)
            break;
        if (!code_phone_valid(c->phone)) {
            notice(c, CO_NOTE_BAD_PHONE, out);
            break;
        }
        lookup(c, CALL_MEMBER_PHONE, c->phone, out);
        sign_wipe(c->phone, sizeof c->phone);
        break;
    case CI_MEMBER_DONE:
        if (c->state == CO_MEMBER) {
            c->page = CO_REVIEW;
            c->message = CO_NOTE_NONE;
            set_state(c, CO_REVIEW, out);
        }
        break;
    case CI_MEMBER_FORGET:
        if (on_page && c->has_member)
            forget_member(c, out);
        break;
    case CI_TOGGLE_COUPON:
        if (!on_page || e->index < 0 || e->index >= c->ncoupons)
            break;
        c->coupons[e->index].selected = !c->coupons[e->index].selected;
        c->message = CO_NOTE_NONE;
        reprice(c, out);
        c->last_coupon = e->index;
        break;
    case CI_TOGGLE_POINTS:
        if (!on_page || !c->has_member || c->member.points <= 0)
            break;
        c->use_points = !c->use_points;
        c->message = CO_NOTE_NONE;
        reprice(c, out);
        break;
    case CI_PAY_QR:
        if (c->state == CO_REVIEW && c->total_fen > 0)
            request_payment(c, CO_PAY_QR, e->text && e->text[0] ? e->text : "wechat", now, out);
        break;
    case CI_PAY_CODE:
        if (c->state == CO_REVIEW && c->total_fen > 0)
            request_payment(c, CO_PAY_CODE, "", now, out);
        break;
    case CI_PRINTER:
        if (c->state != CO_PRINTER_CHECK)
            break;
        if (e->ok)
            proceed(c, out);
        else
            set_state(c, CO_NO_PRINTER, out);
        break;
    case CI_CONTINUE:
        if (c->state == CO_NO_PRINTER) {
            c->e_receipt = 1;
            proceed(c, out);
        }
        break;
    case CI_SCAN:
        on_scan(c, e, now, out);
        break;
    case CI_PAYMENT:
        if ((e->call == CALL_PAY || e->call == CALL_QUERY || e->call == CALL_CANCEL) &&
            checkout_waits_for(c, e->call))
            on_payment(c, e, now, out);
        break;
    case CI_COMPLETED:
        if (c->state == CO_COMPLETING)
            record_sale(c, now, out);
        break;
    case CI_CALL_FAILED:
        on_failed(c, e, now, out);
        break;
    case CI_JOURNAL_FAILED:
        /* nothing was sent: the app makes no lock or payment call without its intent on
         * disk (while locking, that was the lock's) */
        checkout_forget_code(c);
        c->intent_open = 0;
        if (c->state == CO_LOCKING)
            c->locked = 0;
        fail(c, CO_ERR_KIOSK, 0, out);
        break;
    case CI_PRINTED:
        if (c->state == CO_DONE && c->printed == 0) {
            c->printed = e->ok ? 1 : -1;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case CI_REPRINT:
        if (c->printed != 0 && checkout_can_reprint(c, now)) {
            c->printed = 0;
            effects_add(out, EFF_PRINT, 1 /* a copy */, c->txn_no);
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case CI_CANCEL:
        on_cancel(c, now, out);
        break;
    case CI_FINISH:
        if (c->state == CO_DONE || c->state == CO_FAILED) {
            /* nothing taken, or given back: the pump's sale is free again */
            if (c->state == CO_FAILED && c->money_moved <= 0)
                release(c, out);
            effects_add(out, EFF_HOME, 0, NULL);
        }
        break;
    case CI_RETRY:
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
    case CI_TICK:
        on_tick(c, now, out);
        break;
    }
}

int64_t checkout_deadline(const struct checkout *c)
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
        if (waits_for_answer(c->state))
            d = c->deadline_ms;
        break;
    }
    if (c->locked && c->renew_ms && c->renew_ms < d)
        d = c->renew_ms;
    return d;
}

void checkout_record(const struct checkout *c, struct sale_record *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->txn_no, sizeof r->txn_no, "%s", c->txn_no);
    snprintf(r->order_id, sizeof r->order_id, "%s", c->order_id);
    snprintf(r->out_trade_no, sizeof r->out_trade_no, "%s", c->otn);
    r->has_fuel = c->has_sale;
    if (c->has_sale) {
        snprintf(r->sale_id, sizeof r->sale_id, "%s", c->sale.id);
        r->pump = c->sale.pump;
        snprintf(r->grade, sizeof r->grade, "%s", c->sale.grade);
        r->volume_ml = c->sale.volume_ml;
        r->price_fen = c->sale.price_fen;
        r->fuel_fen = c->sale.amount_fen;
    }
    r->nitems = c->nitems;
    memcpy(r->items, c->items, sizeof r->items[0] * (size_t)c->nitems);
    r->ndiscounts = c->price.ndiscounts;
    memcpy(r->discounts, c->price.discounts, sizeof r->discounts[0] * (size_t)r->ndiscounts);
    r->subtotal_fen = c->price.subtotal_fen;
    r->total_fen = c->total_fen;
    r->points_used = c->price.points_used;
    r->points_earned = c->has_member ? c->price.points_earned : 0;
    if (c->has_member) {
        snprintf(r->member_phone, sizeof r->member_phone, "%s", c->member.phone_masked);
        snprintf(r->member_level, sizeof r->member_level, "%s", c->member.level);
    }
    snprintf(r->channel, sizeof r->channel, "%s", c->channel);
    snprintf(r->mode, sizeof r->mode, "%s", c->mode == CO_PAY_QR ? "native" : "micropay");
    snprintf(r->code_masked, sizeof r->code_masked, "%s", c->code_masked);
    r->e_receipt = c->e_receipt;
}
