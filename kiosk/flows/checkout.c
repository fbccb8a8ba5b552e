#include "kiosk/flows/checkout.h"

#include <stdio.h>
#include <string.h>

#include "kiosk/core/codes.h"
#include "kiosk/core/log.h"
#include "kiosk/core/sign.h"

static const char *const names[CO_LAST] = {
    "loading", "pumps", "sales", "locking", "pricing", "review", "lookup", "qr_wait", "qr",
    "code",    "paying",    "userpaying", "cancelling", "completing", "done", "failed",
};

const char *checkout_state_name(enum co_state s)
{
    return s < CO_LAST ? names[s] : "?";
}

/* Every state change goes through here, logged old -> new. */
static void set_state(struct checkout *c, enum co_state s, struct effects *out)
{
    if (c->state != s)
        log_info("checkout", "%s -> %s", names[c->state], names[s]);
    c->state = s;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void call(struct effects *out, enum co_call k, const char *subject)
{
    effects_add(out, EFF_CALL, k, subject);
}

static void fail(struct checkout *c, enum co_error e, int money, struct effects *out)
{
    c->error = e;
    c->money_moved = money;
    set_state(c, CO_FAILED, out);
}

void checkout_init(struct checkout *c)
{
    sign_wipe(c, sizeof *c);
    c->state = CO_LOADING;
    c->pump_idx = -1;
}

/* Asks the backend to price the bill again (a new request each time), or, with nothing on
 * it, shows the empty bill. */
static void reprice(struct checkout *c, struct effects *out)
{
    if (!c->has_sale && c->nitems == 0) {
        c->total_fen = 0;
        set_state(c, CO_REVIEW, out);
        return;
    }
    c->pricing_round++;
    call(out, CALL_PRICE, c->order_id);
    set_state(c, CO_PRICING, out);
}

int checkout_can_reprint(const struct checkout *c, int64_t now)
{
    return c->state == CO_DONE && c->reprint_ms > 0 && now - c->done_ms < c->reprint_ms;
}

void checkout_forget_code(struct checkout *c)
{
    sign_wipe(c->auth_code, sizeof c->auth_code);
}

int checkout_busy(const struct checkout *c)
{
    return c->state >= CO_QR_WAIT && c->state <= CO_COMPLETING;
}

/* Starts a payment attempt: a new out_trade_no, the intent journaled first, then the call. */
static void start_payment(struct checkout *c, enum co_mode mode, int64_t now, struct effects *out)
{
    c->mode = mode;
    c->attempt++;
    snprintf(c->otn, sizeof c->otn, "%.28s-P%d", c->txn_no, c->attempt % 100);
    c->pay_started_ms = now;
    c->pay_status[0] = '\0';
    effects_add(out, EFF_INTENT, 0, c->otn);
    c->intent_open = 1;
    call(out, CALL_PAY, c->otn);
    set_state(c, mode == CO_PAY_QR ? CO_QR_WAIT : CO_PAYING, out);
}

static void finish_intent(struct checkout *c, int intent_state, struct effects *out)
{
    if (c->intent_open) {
        effects_add(out, EFF_OUTCOME, intent_state, c->pay_status);
        c->intent_open = 0;
    }
}

static void cancel_payment(struct checkout *c, enum co_error why, struct effects *out)
{
    c->error = why;
    call(out, CALL_CANCEL, c->otn);
    set_state(c, CO_CANCELLING, out);
}

/* A payment status from a create, query or cancel answer. */
static void on_payment(struct checkout *c, const char *status, const char *url, int64_t now,
                       struct effects *out)
{
    snprintf(c->pay_status, sizeof c->pay_status, "%s", status ? status : "");
    if (!strcmp(c->pay_status, "PAID")) {
        if (c->state == CO_CANCELLING) {
            /* paid just before the cancel reached it: the cancel reverses it */
            return;
        }
        finish_intent(c, 1 /* done */, out);
        call(out, CALL_COMPLETE, c->order_id);
        set_state(c, CO_COMPLETING, out);
    } else if (!strcmp(c->pay_status, "REVERSED")) {
        finish_intent(c, 2 /* failed: returned */, out);
        fail(c, CO_ERR_REVERSED, -1, out);
    } else if (!strcmp(c->pay_status, "CLOSED")) {
        finish_intent(c, 2, out);
        fail(c, c->state == CO_CANCELLING && c->error != CO_OK ? c->error : CO_ERR_DECLINED, 0,
             out);
    } else if (!strcmp(c->pay_status, "USERPAYING")) {
        if (c->state == CO_PAYING) {
            c->deadline_ms = now + CO_USERPAYING_MAX_MS;
            set_state(c, CO_USERPAYING, out);
        }
        c->next_query_ms = now + CO_USERPAYING_POLL_MS;
    } else if (!strcmp(c->pay_status, "CREATED")) {
        if (c->state == CO_QR_WAIT) {
            snprintf(c->code_url, sizeof c->code_url, "%s", url ? url : "");
            c->deadline_ms = now + CO_QR_LIFETIME_MS;
            set_state(c, CO_QR, out);
        }
        c->next_query_ms = now + CO_QR_POLL_MS;
    }
}

static void on_failed(struct checkout *c, const struct co_event *e, int64_t now,
                      struct effects *out)
{
    const char *code = e->err_code ? e->err_code : "";
    switch (e->call) {
    case CALL_PUMPS:
    case CALL_PRICE:
        fail(c, CO_ERR_OFFLINE, 0, out);
        if (e->call == CALL_PRICE && c->has_sale)
            call(out, CALL_UNLOCK, c->sale.id);
        break;
    case CALL_PRODUCT:
        c->message = !strcmp(code, "PRODUCT_NOT_FOUND") ? CO_NOTE_UNKNOWN_ITEM
                     : !strcmp(code, "INVALID_BARCODE") ? CO_NOTE_NOT_BARCODE
                                                          : CO_NOTE_LOOKUP_FAILED;
        set_state(c, CO_REVIEW, out);
        break;
    case CALL_LOCK:
        fail(c, code[0] ? CO_ERR_SALE_TAKEN : CO_ERR_OFFLINE, 0, out);
        break;
    case CALL_PAY:
        if (e->unknown || !code[0]) {
            /* The answer was lost: the payment may exist. Ask, do not re-send. */
            c->next_query_ms = now + CO_RETRY_MS;
            if (c->deadline_ms == 0)
                c->deadline_ms = now + CO_USERPAYING_MAX_MS;
            set_state(c, CO_USERPAYING, out);
        } else {
            /* refused outright (bad code, bad request): nothing was charged */
            finish_intent(c, 2, out);
            fail(c, CO_ERR_DECLINED, 0, out);
        }
        break;
    case CALL_QUERY:
        c->next_query_ms = now + CO_RETRY_MS;
        break;
    case CALL_CANCEL:
        /* must reach a final state: try again */
        c->next_query_ms = now + CO_RETRY_MS;
        break;
    case CALL_COMPLETE:
        /* paid: the sale is recorded in our journal and the outbox tells the backend */
        effects_add(out, EFF_TXN, 0, c->txn_no);
        effects_add(out, EFF_PRINT, 0, c->txn_no);
        c->done_ms = now;
        set_state(c, CO_DONE, out);
        break;
    case CALL_UNLOCK:
        break;
    }
}

void checkout_step(struct checkout *c, const struct co_event *e, int64_t now, struct effects *out)
{
    switch (e->in) {
    case CI_START:
        checkout_init(c);
        c->reprint_ms = (int)e->amount;
        snprintf(c->txn_no, sizeof c->txn_no, "%s", e->text ? e->text : "");
        snprintf(c->order_id, sizeof c->order_id, "%.32s-O", c->txn_no);
        if (e->index == 1) {
            set_state(c, CO_REVIEW, out); /* shop goods only: an empty bill to scan into */
            break;
        }
        call(out, CALL_PUMPS, NULL);
        set_state(c, CO_LOADING, out);
        break;
    case CI_PRODUCT: {
        if (c->state != CO_LOOKUP)
            break;
        int i;
        for (i = 0; i < c->nitems; i++)
            if (!strcmp(c->items[i].barcode, c->pending_code))
                break;
        if (i == c->nitems) {
            if (c->nitems == CO_MAX_ITEMS) {
                c->message = CO_NOTE_CART_FULL;
                set_state(c, CO_REVIEW, out);
                break;
            }
            struct co_item *it = &c->items[c->nitems++];
            memset(it, 0, sizeof *it);
            snprintf(it->barcode, sizeof it->barcode, "%s", c->pending_code);
            snprintf(it->name_zh, sizeof it->name_zh, "%s", e->text ? e->text : "");
            snprintf(it->name_en, sizeof it->name_en, "%s", e->text2 ? e->text2 : "");
            it->unit_fen = e->amount;
        }
        if (c->items[i].qty < CO_MAX_QTY)
            c->items[i].qty++;
        reprice(c, out);
        break;
    }
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
        call(out, CALL_LOCK, c->sale.id);
        set_state(c, CO_LOCKING, out);
        break;
    }
    case CI_LOCKED:
        if (c->state != CO_LOCKING)
            break;
        reprice(c, out);
        break;
    case CI_PRICED:
        if (c->state != CO_PRICING)
            break;
        c->total_fen = e->amount;
        set_state(c, CO_REVIEW, out);
        break;
    case CI_PAY_QR:
        if (c->state != CO_REVIEW || c->total_fen <= 0)
            break;
        snprintf(c->channel, sizeof c->channel, "%s", e->text ? e->text : "wechat");
        start_payment(c, CO_PAY_QR, now, out);
        break;
    case CI_PAY_CODE:
        if (c->state != CO_REVIEW || c->total_fen <= 0)
            break;
        c->message = CO_NOTE_NONE;
        set_state(c, CO_CODE, out);
        break;
    case CI_SCAN:
        if (c->state == CO_REVIEW) {
            /* goods from the shop, scanned onto the bill */
            if (!code_ean_valid(e->text)) {
                c->message = CO_NOTE_NOT_BARCODE;
                effects_add(out, EFF_REDRAW, 0, NULL);
                break;
            }
            snprintf(c->pending_code, sizeof c->pending_code, "%s", e->text);
            c->message = CO_NOTE_NONE;
            call(out, CALL_PRODUCT, c->pending_code);
            set_state(c, CO_LOOKUP, out);
            break;
        }
        if (c->state != CO_CODE)
            break;
        if (code_paycode_kind(e->text) == PAYCODE_INVALID) {
            c->message = CO_NOTE_NOT_PAYCODE; /* refused here, before anything is sent */
            effects_add(out, EFF_REDRAW, 0, NULL);
            break;
        }
        snprintf(c->auth_code, sizeof c->auth_code, "%s", e->text);
        mask_code(e->text, c->code_masked, sizeof c->code_masked);
        c->message = CO_NOTE_NONE;
        start_payment(c, CO_PAY_CODE, now, out);
        break;
    case CI_PAYMENT:
        if (c->state == CO_QR_WAIT || c->state == CO_QR || c->state == CO_PAYING ||
            c->state == CO_USERPAYING || c->state == CO_CANCELLING)
            on_payment(c, e->text, e->text2, now, out);
        break;
    case CI_COMPLETED:
        if (c->state != CO_COMPLETING)
            break;
        effects_add(out, EFF_TXN, 0, c->txn_no);
        effects_add(out, EFF_PRINT, 0, c->txn_no);
        c->done_ms = now;
        set_state(c, CO_DONE, out);
        break;
    case CI_REPRINT:
        if (c->state == CO_DONE && c->printed != 0 && checkout_can_reprint(c, now)) {
            c->printed = 0;
            effects_add(out, EFF_PRINT, 0, c->txn_no);
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case CI_CALL_FAILED:
        on_failed(c, e, now, out);
        break;
    case CI_PRINTED:
        c->printed = e->ok ? 1 : -1;
        effects_add(out, EFF_REDRAW, 0, NULL);
        break;
    case CI_CANCEL:
        switch (c->state) {
        case CO_QR:
        case CO_USERPAYING:
            cancel_payment(c, CO_ERR_CANCELLED, out);
            break;
        case CO_CODE:
            set_state(c, CO_REVIEW, out); /* back to the ways to pay */
            break;
        case CO_REVIEW:
        case CO_PRICING:
        case CO_LOOKUP:
            if (c->has_sale)
                call(out, CALL_UNLOCK, c->sale.id);
            effects_add(out, EFF_HOME, 0, NULL);
            break;
        case CO_SALES:
            set_state(c, CO_PUMPS, out);
            break;
        case CO_QR_WAIT:
        case CO_PAYING:
        case CO_CANCELLING:
        case CO_COMPLETING:
            break; /* money in flight: the answer decides */
        default:
            effects_add(out, EFF_HOME, 0, NULL);
            break;
        }
        break;
    case CI_FINISH:
        if (c->state == CO_DONE || c->state == CO_FAILED) {
            if (c->state == CO_FAILED && c->has_sale && c->money_moved <= 0)
                call(out, CALL_UNLOCK, c->sale.id);
            effects_add(out, EFF_HOME, 0, NULL);
        }
        break;
    case CI_TICK:
        if ((c->state == CO_QR || c->state == CO_USERPAYING) && now >= c->deadline_ms) {
            cancel_payment(c, c->state == CO_QR ? CO_ERR_QR_EXPIRED : CO_ERR_NOT_CONFIRMED, out);
        } else if ((c->state == CO_QR || c->state == CO_USERPAYING) &&
                   now >= c->next_query_ms) {
            c->next_query_ms = now + (c->state == CO_QR ? CO_QR_POLL_MS : CO_USERPAYING_POLL_MS);
            call(out, CALL_QUERY, c->otn);
        } else if (c->state == CO_CANCELLING && c->next_query_ms && now >= c->next_query_ms) {
            c->next_query_ms = 0;
            call(out, CALL_CANCEL, c->otn);
        } else if (c->state == CO_QR) {
            effects_add(out, EFF_REDRAW, 0, NULL); /* the countdown */
        }
        break;
    }
}

int64_t checkout_deadline(const struct checkout *c)
{
    switch (c->state) {
    case CO_QR:
    case CO_USERPAYING:
        return c->next_query_ms < c->deadline_ms ? c->next_query_ms : c->deadline_ms;
    case CO_CANCELLING:
        return c->next_query_ms ? c->next_query_ms : INT64_MAX;
    default:
        return INT64_MAX;
    }
}
