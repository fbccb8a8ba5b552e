#include "kiosk/app/checkout_io.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/app/json_field.h"
#include "kiosk/app/receipt.h"
#include "kiosk/app/sale_json.h"
#include "kiosk/backend/backend.h"
#include "kiosk/core/clock.h"
#include "kiosk/core/crash.h"
#include "kiosk/core/i18n.h"
#include "kiosk/core/log.h"
#include "kiosk/core/sign.h"
#include "kiosk/journal/journal.h"

/* Backend tags: the low four bits say whose answer it is. */
#define TAG_CHECKOUT 3 /* the customer's sale: call kind in bits 4-11, sale generation above */
#define TAG_SETTLE 4   /* background settlement: step in bits 4-7, slot above */
#define MAX_SETTLE 16
#define MAX_JOBS 8
#define SETTLE_RETRY_MS 10000
#define TOKEN_LEN 24

/* A payment intent nobody waits for: resolved with the backend in the background. */
struct settle {
    int active;
    int64_t intent_id;
    char otn[72], order_id[72], txn_no[72], sale_id[32];
    char mode[12], channel[12], code_masked[32];
    int64_t amount_fen;
    int cancel;               /* the customer was told it is cancelled: never complete it */
    int notice;               /* the restart notice tells its outcome */
    int64_t created_ms;       /* when the intent was written (wall clock) */
    enum co_call step;        /* the call in flight, or the next one after retry_at_ms */
    int inflight;
    int64_t retry_at_ms;
};

/* A print job of ours: its receipt state goes to the journal. */
struct job {
    int no;
    char txn_no[40];
    int receipt; /* the customer's receipt (not the release slip) */
    int live;    /* the sale on screen waits for it */
};

struct checkout_io {
    struct station *st;
    const struct kiosk_config *cfg;
    struct text_engine *const *te; /* the app's, which a resize may replace */
    struct checkout co;
    struct co_config cocfg;
    unsigned gen;                  /* sale generation: answers for an older sale are dropped */
    int64_t intent_id;
    char invoice_token[TOKEN_LEN + 1];
    char invoice_url[200];
    int redraw, home;
    int check;                     /* printer check being waited for, 0 = none */
    struct job jobs[MAX_JOBS];
    struct settle set[MAX_SETTLE];
    struct restart_notice notice;
};

static int64_t wall_ms(void)
{
    return (int64_t)time(NULL) * 1000;
}

struct checkout_io *cio_create(struct station *st, const struct kiosk_config *cfg,
                               struct text_engine *const *te)
{
    struct checkout_io *io = calloc(1, sizeof *io);
    if (!io)
        return NULL;
    io->st = st;
    io->cfg = cfg;
    io->te = te;
    io->cocfg = (struct co_config){.reprint_ms = cfg->printer_reprint_s * 1000,
                                   .points_max = cfg->points_max,
                                   .member_prefix = cfg->member_prefix,
                                   .coupon_prefix = cfg->coupon_prefix};
    checkout_init(&io->co);
    return io;
}

void cio_destroy(struct checkout_io *io)
{
    if (io)
        sign_wipe(io, sizeof *io);
    free(io);
}

const struct checkout *cio_flow(const struct checkout_io *io)
{
    return &io->co;
}

const char *cio_invoice_url(const struct checkout_io *io)
{
    return io->invoice_url;
}

const struct restart_notice *cio_notice(const struct checkout_io *io)
{
    return &io->notice;
}

void cio_notice_close(struct checkout_io *io)
{
    if (io->notice.state != NOTICE_NONE)
        io->redraw = 1;
    memset(&io->notice, 0, sizeof io->notice);
    for (int i = 0; i < MAX_SETTLE; i++)
        io->set[i].notice = 0;
}

/* The restart notice learns the outcome of its payment. */
static void notice_outcome(struct checkout_io *io, enum notice_state st)
{
    static const char *const said[] = {"", "checking", "paid", "no money taken"};
    io->notice.state = st;
    io->notice.unreachable = 0;
    io->notice.until_ms = clock_now_ms() + RESTART_NOTICE_SHOW_MS;
    io->redraw = 1;
    log_info("checkout", "restart notice: %s, %s", io->notice.txn_no, said[st]);
}

static void notice_begin(struct checkout_io *io, enum notice_state st, const char *txn_no,
                         int64_t amount_fen)
{
    io->notice = (struct restart_notice){.state = st, .amount_fen = amount_fen};
    snprintf(io->notice.txn_no, sizeof io->notice.txn_no, "%s", txn_no);
    if (st == NOTICE_CHECKING)
        log_info("checkout", "restart notice: %s, checking", txn_no);
    else
        notice_outcome(io, st);
}

int cio_settling(const struct checkout_io *io)
{
    for (int i = 0; i < MAX_SETTLE; i++)
        if (io->set[i].active)
            return 1;
    return 0;
}

int cio_idle(const struct checkout_io *io)
{
    for (int i = 0; i < MAX_JOBS; i++)
        if (io->jobs[i].no)
            return 0;
    return !cio_settling(io);
}

static void run(struct checkout_io *io, const struct effects *fx);

static void feed(struct checkout_io *io, const struct co_event *e, int64_t now)
{
    struct effects fx = {.n = 0};
    checkout_step(&io->co, e, now, &fx);
    run(io, &fx);
}

/* ---- backend calls for the sale on screen ---------------------------------------------- */

static void send(struct checkout_io *io, enum co_call call, const char *method, const char *path,
                 const char *body, const char *key)
{
    struct backend *be = station_backend(io->st);
    struct backend_request rq = {
        .method = method, .path = path, .body = body, .idem_key = key,
        .tag = ((int64_t)io->gen << 12) | ((int64_t)call << 4) | TAG_CHECKOUT,
        .private_tail = call == CALL_MEMBER_PHONE};
    if (!be || backend_call(be, &rq, NULL) != 0) {
        struct co_event e = {.in = CI_CALL_FAILED, .call = call, .err_code = ""};
        feed(io, &e, clock_now_ms());
    }
}

/* POST /v1/orders: the bill as it stands, with the member, coupons and points. */
static char *price_body(const struct checkout *c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "order_id", c->order_id);
    cJSON *sales = cJSON_AddArrayToObject(o, "sale_ids");
    if (c->has_sale)
        cJSON_AddItemToArray(sales, cJSON_CreateString(c->sale.id));
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (int i = 0; i < c->nitems; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "barcode", c->items[i].barcode);
        cJSON_AddNumberToObject(it, "qty", c->items[i].qty);
        cJSON_AddItemToArray(items, it);
    }
    if (c->has_member)
        cJSON_AddStringToObject(o, "member_id", c->member.id);
    cJSON *cps = cJSON_AddArrayToObject(o, "coupon_ids");
    for (int i = 0; i < c->ncoupons; i++)
        if (c->coupons[i].selected)
            cJSON_AddItemToArray(cps, cJSON_CreateString(c->coupons[i].id));
    cJSON_AddNumberToObject(o, "points", (double)checkout_points_wanted(c));
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

/* The calls on a payment, in one place: the sale on screen and the background settlement
 * make the same requests, so a repeat always carries the same idempotency key. */
struct payment_req {
    char path[200], body[120], key[112];
};

static void payment_request(enum co_call call, const char *otn, const char *order_id,
                            struct payment_req *b, struct backend_request *rq)
{
    *rq = (struct backend_request){.method = "GET", .path = b->path};
    switch (call) {
    case CALL_QUERY:
        snprintf(b->path, sizeof b->path, "/v1/payments/%s", otn);
        break;
    case CALL_CANCEL:
        snprintf(b->path, sizeof b->path, "/v1/payments/%s/cancel", otn);
        snprintf(b->key, sizeof b->key, "%s-cancel", otn);
        rq->method = "POST", rq->body = "{}", rq->idem_key = b->key;
        break;
    case CALL_COMPLETE:
        snprintf(b->path, sizeof b->path, "/v1/orders/%s/complete", order_id);
        snprintf(b->body, sizeof b->body, "{\"out_trade_no\":\"%s\"}", otn);
        snprintf(b->key, sizeof b->key, "%s-complete", otn);
        rq->method = "POST", rq->body = b->body, rq->idem_key = b->key;
        break;
    default:
        break;
    }
}

static void do_call(struct checkout_io *io, enum co_call call, const char *subject)
{
    const struct checkout *c = &io->co;
    char path[200], body[600], key[96];
    switch (call) {
    case CALL_PRODUCT:
        snprintf(path, sizeof path, "/v1/products/%s", subject);
        send(io, call, "GET", path, NULL, NULL);
        break;
    case CALL_MEMBER_PHONE:
    case CALL_MEMBER_QR:
        snprintf(path, sizeof path, "/v1/members/%s/%s",
                 call == CALL_MEMBER_PHONE ? "by-phone" : "by-qr", subject);
        send(io, call, "GET", path, NULL, NULL);
        sign_wipe(path, sizeof path); /* a phone number */
        break;
    case CALL_COUPON:
        snprintf(path, sizeof path, "/v1/coupons/%s", subject);
        send(io, call, "GET", path, NULL, NULL);
        break;
    case CALL_PUMPS:
        send(io, call, "GET", "/v1/pumps", NULL, NULL);
        break;
    case CALL_LOCK:
    case CALL_UNLOCK:
        snprintf(path, sizeof path, "/v1/sales/%s/%s", subject, call == CALL_LOCK ? "lock" : "unlock");
        snprintf(key, sizeof key, "%s-%s-%d", c->txn_no, call == CALL_LOCK ? "lock" : "unlock",
                 c->attempt);
        send(io, call, "POST", path, "{}", key);
        break;
    case CALL_PRICE: {
        char *b = price_body(c);
        snprintf(key, sizeof key, "%s-price-%d", c->txn_no, c->pricing_round);
        if (b)
            send(io, call, "POST", "/v1/orders", b, key);
        else
            send(io, call, "POST", "/v1/orders", NULL, NULL); /* refused: fails the call */
        free(b);
        break;
    }
    case CALL_PAY:
        if (c->mode == CO_PAY_QR)
            snprintf(body, sizeof body,
                     "{\"out_trade_no\":\"%s\",\"order_id\":\"%s\",\"amount_fen\":%lld,"
                     "\"mode\":\"native\",\"channel\":\"%s\"}",
                     c->otn, c->order_id, (long long)c->total_fen, c->channel);
        else
            snprintf(body, sizeof body,
                     "{\"out_trade_no\":\"%s\",\"order_id\":\"%s\",\"amount_fen\":%lld,"
                     "\"mode\":\"micropay\",\"auth_code\":\"%s\"}",
                     c->otn, c->order_id, (long long)c->total_fen, c->auth_code);
        /* the code lives no longer than the request that carries it */
        checkout_forget_code(&io->co);
        /* the out_trade_no is the idempotency key of the payment */
        send(io, call, "POST", "/v1/payments", body, c->otn);
        sign_wipe(body, sizeof body);
        break;
    case CALL_QUERY:
    case CALL_CANCEL:
    case CALL_COMPLETE: {
        struct payment_req b;
        struct backend_request rq;
        payment_request(call, c->otn, c->order_id, &b, &rq);
        if (call == CALL_COMPLETE)
            crash_point("checkout.complete:before");
        send(io, call, rq.method, rq.path, rq.body, rq.idem_key);
        break;
    }
    }
}

/* ---- receipts -------------------------------------------------------------------------- */

static void track_job(struct checkout_io *io, int no, const char *txn_no, int receipt, int live)
{
    for (int i = 0; i < MAX_JOBS; i++)
        if (!io->jobs[i].no) {
            io->jobs[i] = (struct job){.no = no, .receipt = receipt, .live = live};
            snprintf(io->jobs[i].txn_no, sizeof io->jobs[i].txn_no, "%s", txn_no);
            return;
        }
    log_warn("checkout", "print job %d not followed: too many jobs", no);
}

/* Prints the receipt of sale `r` (and its release slip when configured and not a copy).
 * Returns 0 when the receipt is queued, -1 without a printer. */
static int print_record(struct checkout_io *io, const struct sale_record *r, int copy, int live)
{
    const char *lang = i18n_lang();
    struct slip *s = receipt_sale(*io->te, io->cfg, lang, r, copy);
    int no = s ? station_print(io->st, slip_bitmap(s), r->txn_no) : -1;
    slip_destroy(s);
    if (no < 0)
        return -1;
    track_job(io, no, r->txn_no, 1, live);
    if (io->cfg->printer_release_slip && r->has_fuel && !copy) {
        char title[64];
        snprintf(title, sizeof title, "%s release", r->txn_no);
        s = receipt_release(*io->te, io->cfg, lang, r);
        no = s ? station_print(io->st, slip_bitmap(s), title) : -1;
        slip_destroy(s);
        if (no > 0)
            track_job(io, no, r->txn_no, 0, 0);
    }
    return 0;
}

/* Prints the journaled sale `txn_no`: what was recorded is what the customer gets. 0, -1
 * without a printer, -2 when the journal has no readable record of it. `total_fen` (may be
 * NULL) gets the amount paid. */
static int print_txn(struct checkout_io *io, const char *txn_no, int copy, int live,
                     int64_t *total_fen)
{
    struct journal *j = station_journal(io->st);
    char *body = NULL;
    struct sale_record r;
    int rc = -2;
    if (j && journal_txn_get(j, txn_no, &body, NULL, 0, NULL) == KERR_OK &&
        sale_json_decode(body, &r) == 0) {
        rc = print_record(io, &r, copy, live);
        if (total_fen)
            *total_fen = r.total_fen;
    } else {
        log_error("checkout", "sale %s: no readable record to print", txn_no);
    }
    free(body);
    return rc;
}

/* ---- effects --------------------------------------------------------------------------- */

/* The flow's sale as a record, with the app's parts (invoice token, time). */
static void current_record(struct checkout_io *io, struct sale_record *r)
{
    checkout_record(&io->co, r);
    snprintf(r->invoice_token, sizeof r->invoice_token, "%s", io->invoice_token);
    r->paid_unix = (int64_t)time(NULL);
}

static int journal_order(struct checkout_io *io)
{
    struct journal *j = station_journal(io->st);
    struct sale_record r;
    current_record(io, &r);
    char *body = sale_json_encode(&r);
    enum kerr e = j && body ? journal_order_put(j, r.order_id, r.txn_no, body, wall_ms())
                            : KERR_IO;
    free(body);
    return e == KERR_OK ? 0 : -1;
}

static int journal_intent(struct checkout_io *io, const char *otn)
{
    const struct checkout *c = &io->co;
    struct journal *j = station_journal(io->st);
    char payload[400];
    snprintf(payload, sizeof payload,
             "{\"txn_no\":\"%s\",\"order_id\":\"%s\",\"sale_id\":\"%s\",\"amount_fen\":%lld,"
             "\"mode\":\"%s\",\"channel\":\"%s\",\"code\":\"%s\"}",
             c->txn_no, c->order_id, c->has_sale ? c->sale.id : "", (long long)c->total_fen,
             c->mode == CO_PAY_QR ? "native" : "micropay", c->channel, c->code_masked);
    return j && journal_intent_begin(j, "payment", "checkout", otn, payload, wall_ms(),
                                     &io->intent_id) == KERR_OK
               ? 0
               : -1;
}

static void record_txn(struct checkout_io *io)
{
    struct journal *j = station_journal(io->st);
    struct sale_record r;
    current_record(io, &r);
    receipt_invoice_url(io->cfg, &r, io->invoice_url, sizeof io->invoice_url);
    char *body = sale_json_encode(&r);
    enum kerr e = j && body ? journal_txn_settle(j, io->intent_id, r.txn_no, "sale", r.total_fen,
                                                 body, wall_ms())
                            : KERR_IO;
    if (e == KERR_OK && r.e_receipt)
        journal_txn_set_print_state(j, r.txn_no, "e-receipt");
    if (e == KERR_OK)
        station_outbox_poke(io->st);
    if (e != KERR_OK)
        /* The intent stays open: the next start settles it with the backend (paid, so it
         * is recorded then). The customer still gets the receipt now. */
        log_error("checkout", "sale %s not journaled (%s): left for recovery", r.txn_no,
                  kerr_str(e));
    free(body);
    io->intent_id = 0;
}

/* A settlement slot for the flow's open intent (EFF_SETTLE): it goes on cancelling. */
static void settle_add_current(struct checkout_io *io, int cancel);

static void run(struct checkout_io *io, const struct effects *fx)
{
    struct journal *j = station_journal(io->st);
    for (int i = 0; i < fx->n; i++) {
        const struct effect *e = &fx->v[i];
        switch (e->kind) {
        case EFF_REDRAW:
            io->redraw = 1;
            break;
        case EFF_HOME:
            io->home = 1;
            break;
        case EFF_ORDER:
        case EFF_INTENT:
            if ((e->kind == EFF_ORDER ? journal_order(io) : journal_intent(io, e->arg)) != 0) {
                /* Without the order and the intent on disk no money may move: the payment
                 * call that follows in this list is not made. */
                log_error("checkout", "%s %s not journaled: payment refused",
                          e->kind == EFF_ORDER ? "order" : "payment intent", e->arg);
                struct co_event f = {.in = CI_JOURNAL_FAILED};
                feed(io, &f, clock_now_ms());
                return;
            }
            break;
        case EFF_OUTCOME:
            if (j && io->intent_id)
                journal_intent_finish(j, io->intent_id, (enum intent_state)e->i, e->arg, "{}",
                                      wall_ms());
            io->intent_id = 0;
            break;
        case EFF_TXN:
            record_txn(io);
            break;
        case EFF_PRINT: { /* i = 1: a copy, asked for on the done screen */
            /* from the journal; if the journal could not take the sale, from the screen */
            struct sale_record r;
            int rc = print_txn(io, e->arg, (int)e->i, 1, NULL);
            if (rc == -2) {
                current_record(io, &r);
                rc = print_record(io, &r, (int)e->i, 1);
            }
            if (rc != 0) {
                struct co_event p = {.in = CI_PRINTED, .ok = 0};
                feed(io, &p, clock_now_ms());
            }
            break;
        }
        case EFF_PRINTER_CHECK:
            io->check = station_printer_check(io->st);
            if (io->check < 0) {
                io->check = 0;
                struct co_event p = {.in = CI_PRINTER, .ok = 0}; /* no printer at all */
                feed(io, &p, clock_now_ms());
            }
            break;
        case EFF_SETTLE:
            settle_add_current(io, 1);
            break;
        case EFF_CALL:
            do_call(io, (enum co_call)e->i, e->arg);
            break;
        default:
            break;
        }
    }
}

void cio_input(struct checkout_io *io, const struct co_event *e, int64_t now)
{
    feed(io, e, now);
}

void cio_start(struct checkout_io *io, int shop_only, int64_t now)
{
    char txn[40] = "";
    struct journal *j = station_journal(io->st);
    if (!j || journal_next_txn_no(j, io->cfg->terminal_id, (int64_t)time(NULL), txn,
                                  sizeof txn) != KERR_OK)
        snprintf(txn, sizeof txn, "%s-%lld", io->cfg->terminal_id, (long long)time(NULL));
    cio_notice_close(io); /* a new customer: the last one's news is over */
    io->gen++;
    io->invoice_url[0] = '\0';
    io->check = 0;
    io->intent_id = 0;
    sign_random_token(io->invoice_token, TOKEN_LEN);
    for (int i = 0; i < MAX_JOBS; i++)
        io->jobs[i].live = 0;
    struct co_event e = {.in = CI_START, .text = txn, .index = shop_only, .cfg = &io->cocfg};
    feed(io, &e, now);
}

/* ---- background settlement ------------------------------------------------------------- */

static struct settle *settle_slot(struct checkout_io *io)
{
    for (int i = 0; i < MAX_SETTLE; i++)
        if (!io->set[i].active) {
            memset(&io->set[i], 0, sizeof io->set[i]);
            return &io->set[i];
        }
    return NULL;
}

static void settle_send(struct checkout_io *io, int slot, enum co_call step)
{
    struct settle *r = &io->set[slot];
    struct backend *be = station_backend(io->st);
    struct payment_req b;
    struct backend_request rq;
    payment_request(step, r->otn, r->order_id, &b, &rq);
    if (step == CALL_UNLOCK) {
        snprintf(b.path, sizeof b.path, "/v1/sales/%s/unlock", r->sale_id);
        snprintf(b.key, sizeof b.key, "%s-unlock-settled", r->otn);
        rq.method = "POST", rq.body = "{}", rq.idem_key = b.key;
    }
    rq.tag = ((int64_t)slot << 8) | ((int64_t)step << 4) | TAG_SETTLE;
    r->step = step;
    r->inflight = be && backend_call(be, &rq, NULL) == 0;
    if (!r->inflight)
        r->retry_at_ms = 1; /* no backend client: look again on the next tick */
}

/* A settlement is over: the home menu may offer new sales again. */
static void settle_end(struct checkout_io *io, struct settle *r)
{
    r->active = 0;
    io->redraw = 1;
}

/* The payment went through: the sale is recorded (once) from its journaled order, and its
 * receipt printed. */
static int settle_paid(struct checkout_io *io, struct settle *r)
{
    struct journal *j = station_journal(io->st);
    struct sale_record rec;
    char *body = NULL;
    if (journal_order_get(j, r->order_id, &body) != KERR_OK || sale_json_decode(body, &rec) != 0) {
        /* no order on record (an older journal): what the intent knows */
        memset(&rec, 0, sizeof rec);
        snprintf(rec.txn_no, sizeof rec.txn_no, "%s", r->txn_no);
        snprintf(rec.order_id, sizeof rec.order_id, "%s", r->order_id);
        rec.total_fen = rec.subtotal_fen = r->amount_fen;
    }
    free(body);
    snprintf(rec.out_trade_no, sizeof rec.out_trade_no, "%s", r->otn);
    snprintf(rec.mode, sizeof rec.mode, "%s", r->mode);
    snprintf(rec.channel, sizeof rec.channel, "%s", r->channel);
    snprintf(rec.code_masked, sizeof rec.code_masked, "%s", r->code_masked);
    rec.paid_unix = (int64_t)time(NULL);
    rec.e_receipt = 0;
    if (!rec.invoice_token[0])
        sign_random_token(rec.invoice_token, TOKEN_LEN);
    char *text = sale_json_encode(&rec);
    enum kerr e = text ? journal_txn_settle(j, r->intent_id, rec.txn_no, "sale", rec.total_fen,
                                            text, wall_ms())
                       : KERR_NOMEM;
    free(text);
    if (e == KERR_OK) {
        station_outbox_poke(io->st);
        log_info("checkout", "settled payment %s: paid; sale %s recorded, receipt printing",
                 r->otn, rec.txn_no);
        int printing = print_record(io, &rec, 0, 0) == 0;
        if (!printing)
            journal_txn_set_print_state(j, rec.txn_no, "failed");
        if (r->notice) {
            notice_outcome(io, NOTICE_PAID);
            io->notice.receipt = printing ? 0 : -1;
        }
        return 0;
    }
    if (e == KERR_CONFLICT || e == KERR_NOT_FOUND) {
        log_info("checkout", "settled payment %s: paid; sale %s was recorded already", r->otn,
                 rec.txn_no);
        if (r->notice) { /* its receipt is as far as the journal says */
            char printed[16] = "";
            journal_txn_get(j, rec.txn_no, NULL, printed, sizeof printed, NULL);
            notice_outcome(io, NOTICE_PAID);
            io->notice.receipt = !strcmp(printed, "printed")  ? 1
                                 : !strcmp(printed, "failed") ? -1
                                                              : 0;
        }
        return 0;
    }
    return -1; /* the journal cannot write now: try again later */
}

static void settle_done(struct checkout_io *io, int slot, const char *result)
{
    struct settle *r = &io->set[slot];
    struct journal *j = station_journal(io->st);
    enum kerr e = journal_intent_finish(j, r->intent_id, INTENT_FAILED, result, "{}", wall_ms());
    if (e != KERR_OK && e != KERR_NOT_FOUND) {
        r->retry_at_ms = clock_now_ms() + SETTLE_RETRY_MS;
        return;
    }
    log_info("checkout", "settled payment %s: %s, nothing charged", r->otn, result);
    if (r->notice)
        notice_outcome(io, NOTICE_NOT_PAID);
    if (r->sale_id[0])
        settle_send(io, slot, CALL_UNLOCK); /* the pump's sale is free again */
    else
        settle_end(io, r);
}

static void settle_answer(struct checkout_io *io, const struct backend_result *res, int64_t now)
{
    int slot = (int)(res->tag >> 8);
    enum co_call step = (enum co_call)((res->tag >> 4) & 0xF);
    if (slot < 0 || slot >= MAX_SETTLE || !io->set[slot].active || io->set[slot].step != step)
        return;
    struct settle *r = &io->set[slot];
    r->inflight = 0;
    const char *status = json_str(res->json, "status");
    int ok = res->outcome == BE_OK && res->status >= 200 && res->status < 300;
    if (step == CALL_UNLOCK) {
        settle_end(io, r); /* released, or not ours to release any more */
        return;
    }
    if (res->outcome != BE_OK || res->status >= 500 || res->status == 429 ||
        res->status == 401) {
        r->retry_at_ms = now + SETTLE_RETRY_MS; /* unreachable: ask again later */
        if (r->notice && !io->notice.unreachable) {
            io->notice.unreachable = 1;
            io->redraw = 1;
        }
        return;
    }
    if (step == CALL_COMPLETE) {
        /* completed, or refused for a reason retrying cannot change: the money was taken,
         * so the sale is recorded either way and the outbox tells the backend */
        if (settle_paid(io, r) == 0)
            settle_end(io, r);
        else
            r->retry_at_ms = now + SETTLE_RETRY_MS;
        return;
    }
    if (!ok && !strcmp(res->err_code, "PAYMENT_NOT_FOUND")) {
        /* never reached the payment system: close the number so it never can */
        settle_send(io, slot, CALL_CANCEL);
    } else if (!ok) {
        r->retry_at_ms = now + SETTLE_RETRY_MS;
    } else if (!strcmp(status, "PAID")) {
        settle_send(io, slot, r->cancel ? CALL_CANCEL : CALL_COMPLETE);
    } else if (!strcmp(status, "CLOSED") || !strcmp(status, "REVERSED")) {
        settle_done(io, slot, status);
    } else {
        settle_send(io, slot, CALL_CANCEL); /* CREATED or USERPAYING: nobody waits for it */
    }
}

/* Takes an unfinished payment intent found in the journal. */
static void settle_collect(const struct intent *it, void *user)
{
    struct checkout_io *io = user;
    if (strcmp(it->kind, "payment") || strcmp(it->flow, "checkout"))
        return;
    struct settle *r = settle_slot(io);
    if (!r) {
        log_error("checkout", "payment %s left for the next start: too many to settle",
                  it->idem_key);
        return;
    }
    r->active = 1;
    r->intent_id = it->id;
    r->created_ms = it->created_ms;
    snprintf(r->otn, sizeof r->otn, "%s", it->idem_key);
    /* what recovery needs; a damaged payload still leaves the out_trade_no to settle by */
    cJSON *p = cJSON_Parse(it->payload);
    int bad = 0;
    json_copy(p, "txn_no", r->txn_no, sizeof r->txn_no, 1, &bad);
    json_copy(p, "order_id", r->order_id, sizeof r->order_id, 1, &bad);
    json_copy(p, "sale_id", r->sale_id, sizeof r->sale_id, 1, &bad);
    json_copy(p, "mode", r->mode, sizeof r->mode, 1, &bad);
    json_copy(p, "channel", r->channel, sizeof r->channel, 1, &bad);
    json_copy(p, "code", r->code_masked, sizeof r->code_masked, 1, &bad);
    r->amount_fen = json_int(p, "amount_fen", 0, JSON_MAX_FEN, &bad);
    cJSON_Delete(p);
    if (!r->txn_no[0]) {
        /* the transaction number is the out_trade_no without its "-P<attempt>" */
        memcpy(r->txn_no, r->otn, sizeof r->txn_no);
        char *dash = strrchr(r->txn_no, '-');
        if (dash && dash[1] == 'P')
            *dash = '\0';
    }
}

/* The sale on screen stops waiting for its payment (EFF_SETTLE, or the customer left): its
 * open intent is settled in the background. `cancel`: the customer was told it is being
 * cancelled, so it is cancelled (reversed if it went through); otherwise it is asked about
 * and completed if paid. */
static void settle_add_current(struct checkout_io *io, int cancel)
{
    const struct checkout *c = &io->co;
    struct settle *r = settle_slot(io);
    if (!r || !io->intent_id) {
        log_error("checkout", "payment %s left for the next start to settle", c->otn);
        return;
    }
    *r = (struct settle){.active = 1, .intent_id = io->intent_id, .cancel = cancel,
                         .amount_fen = c->total_fen};
    snprintf(r->otn, sizeof r->otn, "%s", c->otn);
    snprintf(r->order_id, sizeof r->order_id, "%s", c->order_id);
    snprintf(r->txn_no, sizeof r->txn_no, "%s", c->txn_no);
    snprintf(r->sale_id, sizeof r->sale_id, "%s", c->has_sale ? c->sale.id : "");
    snprintf(r->mode, sizeof r->mode, "%s", c->mode == CO_PAY_QR ? "native" : "micropay");
    snprintf(r->channel, sizeof r->channel, "%s", c->channel);
    snprintf(r->code_masked, sizeof r->code_masked, "%s", c->code_masked);
    io->intent_id = 0;
    log_warn("checkout", "payment %s: settled in the background (%s)", r->otn,
             cancel ? "cancelling" : "asking");
    settle_send(io, (int)(r - io->set), cancel ? CALL_CANCEL : CALL_QUERY);
}

/* Recent sales whose receipt never came out (a crash between recording and printing). The
 * restart notice tells of the first when no payment is being settled. */
static void print_unprinted(const char *txn_no, void *user)
{
    struct checkout_io *io = user;
    int64_t total = 0;
    log_info("checkout", "sale %s: receipt not printed before the restart, printing it", txn_no);
    int rc = print_txn(io, txn_no, 1, 0, &total);
    if (rc != 0)
        journal_txn_set_print_state(station_journal(io->st), txn_no, "failed");
    if (io->notice.state == NOTICE_NONE && rc != -2) {
        notice_begin(io, NOTICE_PAID, txn_no, total);
        io->notice.receipt = rc == 0 ? 0 : -1;
    }
}

void cio_recover(struct checkout_io *io)
{
    struct journal *j = station_journal(io->st);
    if (!j)
        return;
    journal_intents_unfinished(j, settle_collect, io);
    struct settle *latest = NULL;
    for (int i = 0; i < MAX_SETTLE; i++)
        if (io->set[i].active && wall_ms() - io->set[i].created_ms < RESTART_NOTICE_MS &&
            (!latest || io->set[i].created_ms > latest->created_ms))
            latest = &io->set[i];
    if (latest) { /* someone may still stand at the kiosk, waiting for it */
        latest->notice = 1;
        notice_begin(io, NOTICE_CHECKING, latest->txn_no, latest->amount_fen);
        /* nobody waits longer than that: it goes even if the backend never answers */
        io->notice.until_ms =
            clock_now_ms() + RESTART_NOTICE_MS - (wall_ms() - latest->created_ms);
    }
    for (int i = 0; i < MAX_SETTLE; i++)
        if (io->set[i].active && !io->set[i].inflight) {
            log_info("checkout", "payment %s was left unfinished: asking the backend",
                     io->set[i].otn);
            settle_send(io, i, CALL_QUERY);
        }
    journal_txns_unprinted(j, wall_ms() - (int64_t)io->cfg->printer_reprint_s * 1000,
                           print_unprinted, io);
}

/* ---- backend answers for the sale on screen -------------------------------------------- */

static int parse_pumps(const cJSON *j, struct co_pump *pumps, int *n)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "pumps"), *p;
    int bad = 0;
    *n = 0;
    if (!cJSON_IsArray(arr))
        return -1;
    cJSON_ArrayForEach(p, arr)
    {
        if (*n == CO_MAX_PUMPS)
            break;
        struct co_pump *cp = &pumps[(*n)++];
        memset(cp, 0, sizeof *cp);
        cp->pump = (int)json_int(p, "pump", 1, 999, &bad);
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(p, "unpaid_sales"))
        {
            if (cp->nsales == CO_MAX_SALES)
                break;
            struct co_sale *cs = &cp->sales[cp->nsales++];
            json_copy(s, "sale_id", cs->id, sizeof cs->id, 0, &bad);
            json_copy(s, "grade", cs->grade, sizeof cs->grade, 0, &bad);
            cs->pump = cp->pump;
            cs->volume_ml = json_int(s, "volume_ml", 0, JSON_MAX_FEN, &bad);
            cs->price_fen = json_int(s, "price_fen_per_l", 0, JSON_MAX_FEN, &bad);
            cs->amount_fen = json_int(s, "amount_fen", 0, JSON_MAX_FEN, &bad);
            cs->locked_elsewhere = !strcmp(json_str(s, "status"), "locked");
        }
    }
    return bad ? -1 : 0; /* a reply we cannot trust with money */
}

static int parse_priced(const cJSON *j, struct co_priced *p)
{
    int bad = 0;
    memset(p, 0, sizeof *p);
    p->subtotal_fen = json_int(j, "subtotal_fen", 0, JSON_MAX_FEN, &bad);
    p->total_fen = json_int(j, "total_fen", 1, JSON_MAX_FEN, &bad);
    p->points_used = json_int(j, "points_used", 0, JSON_MAX_FEN, &bad);
    int none = 0;
    p->points_earned = json_int(j, "points_earned", 0, JSON_MAX_FEN, &none);
    p->points_available = json_int(j, "points_available", 0, JSON_MAX_FEN, &none);
    const cJSON *ds = cJSON_GetObjectItemCaseSensitive(j, "discounts"); /* none: absent */
    if (ds && sale_json_discounts(ds, p->discounts, &p->ndiscounts) != 0)
        bad = 1;
    int64_t sum = 0;
    for (int i = 0; i < p->ndiscounts; i++)
        sum += p->discounts[i].amount_fen;
    /* the lines must add up: a total we cannot explain is not charged */
    if (!bad && p->subtotal_fen + sum != p->total_fen) {
        log_error("checkout", "priced order does not add up: %lld %+lld != %lld",
                  (long long)p->subtotal_fen, (long long)sum, (long long)p->total_fen);
        bad = 1;
    }
    return bad ? -1 : 0;
}

static int parse_coupon(const cJSON *j, struct co_coupon *c)
{
    int bad = 0;
    memset(c, 0, sizeof *c);
    json_copy(j, "coupon_id", c->id, sizeof c->id, 0, &bad);
    json_copy(j, "title_zh", c->title_zh, sizeof c->title_zh, 0, &bad);
    json_copy(j, "title_en", c->title_en, sizeof c->title_en, 0, &bad);
    c->off_fen = json_int(j, "off_fen", 1, JSON_MAX_FEN, &bad);
    c->min_spend_fen = json_int(j, "min_spend_fen", 0, JSON_MAX_FEN, &bad);
    return bad ? -1 : 0;
}

static int parse_member(const cJSON *j, struct co_member *m, struct co_coupon *cps, int *n)
{
    int bad = 0, none = 0;
    memset(m, 0, sizeof *m);
    json_copy(j, "member_id", m->id, sizeof m->id, 0, &bad);
    json_copy(j, "name_masked", m->name_masked, sizeof m->name_masked, 0, &bad);
    json_copy(j, "phone_masked", m->phone_masked, sizeof m->phone_masked, 0, &bad);
    json_copy(j, "level", m->level, sizeof m->level, 0, &bad);
    m->points = json_int(j, "points", 0, JSON_MAX_FEN, &bad);
    m->point_value_fen = json_int(j, "point_value_fen", 1, 100000, &none);
    if (none)
        m->point_value_fen = 100; /* 1 point = ¥1 unless the station says otherwise */
    *n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "coupons"))
    {
        if (*n == CO_MAX_COUPONS)
            break;
        if (parse_coupon(c, &cps[*n]) == 0)
            (*n)++;
    }
    return bad ? -1 : 0;
}

int cio_event(struct checkout_io *io, const struct ev *ev, int64_t now)
{
    if (ev->kind != EV_BACKEND)
        return 0;
    struct backend_result *r = ev->ptr;
    if ((r->tag & 0xF) == TAG_SETTLE) {
        settle_answer(io, r, now);
        backend_result_free(r);
        return 1;
    }
    if ((r->tag & 0xF) != TAG_CHECKOUT)
        return 0;
    enum co_call call = (enum co_call)((r->tag >> 4) & 0xFF);
    if ((unsigned)(r->tag >> 12) != io->gen || call == CALL_UNLOCK) {
        backend_result_free(r); /* an earlier sale's answer, or nothing to wait for */
        return 1;
    }
    /* A 5xx or a lost answer to a state-changing call may have been applied unseen. */
    struct co_event e = {.in = CI_CALL_FAILED, .call = call, .err_code = r->err_code,
                         .unknown = r->outcome_unknown || r->outcome != BE_OK ||
                                    r->status >= 500};
    int ok = r->outcome == BE_OK && r->status >= 200 && r->status < 300 && r->json;
    static struct co_pump pumps[CO_MAX_PUMPS];
    struct co_priced priced;
    struct co_member member;
    struct co_coupon coupons[CO_MAX_COUPONS];
    if (ok) {
        switch (call) {
        case CALL_PUMPS:
            if (parse_pumps(r->json, pumps, &e.npumps) == 0) {
                e.in = CI_PUMPS;
                e.pumps = pumps;
            }
            break;
        case CALL_LOCK:
            e.in = CI_LOCKED;
            break;
        case CALL_PRICE:
            if (parse_priced(r->json, &priced) == 0) {
                e.in = CI_PRICED;
                e.priced = &priced;
            }
            break;
        case CALL_PAY:
        case CALL_QUERY:
        case CALL_CANCEL:
            e.in = CI_PAYMENT;
            e.text = json_str(r->json, "status");
            e.text2 = json_str(r->json, "code_url");
            break;
        case CALL_COMPLETE:
            e.in = CI_COMPLETED;
            break;
        case CALL_PRODUCT: {
            int bad = 0;
            e.amount = json_int(r->json, "price_fen", 1, JSON_MAX_FEN, &bad);
            e.text = json_str(r->json, "name_zh");
            e.text2 = json_str(r->json, "name_en");
            if (!bad && e.text[0])
                e.in = CI_PRODUCT;
            break;
        }
        case CALL_MEMBER_PHONE:
        case CALL_MEMBER_QR:
            if (parse_member(r->json, &member, coupons, &e.ncoupons) == 0) {
                e.in = CI_MEMBER;
                e.member = &member;
                e.coupons = coupons;
            }
            break;
        case CALL_COUPON:
            if (parse_coupon(r->json, &coupons[0]) == 0) {
                e.in = CI_COUPON;
                e.coupons = coupons;
                e.ncoupons = 1;
            }
            break;
        case CALL_UNLOCK:
            break;
        }
    }
    if (e.in == CI_CALL_FAILED && !e.err_code[0] && r->outcome == BE_OK && r->status < 300) {
        e.err_code = "BAD_RESPONSE";
        log_error("checkout", "call %d: an answer we cannot use", call);
    }
    feed(io, &e, now);
    sign_wipe(&member, sizeof member);
    backend_result_free(r);
    return 1;
}

void cio_tick(struct checkout_io *io, int64_t now)
{
    for (int i = 0; i < MAX_SETTLE; i++) {
        struct settle *r = &io->set[i];
        if (r->active && !r->inflight && r->retry_at_ms && now >= r->retry_at_ms) {
            r->retry_at_ms = 0;
            settle_send(io, i, r->step == CALL_COMPLETE || r->step == CALL_UNLOCK || r->cancel
                                   ? r->step
                                   : CALL_QUERY);
        }
    }
    struct journal *j = station_journal(io->st);
    for (int i = 0; i < MAX_JOBS; i++) {
        struct job *jb = &io->jobs[i];
        int ok;
        if (!jb->no || !station_job_result(io->st, jb->no, &ok))
            continue;
        if (jb->receipt && j)
            journal_txn_set_print_state(j, jb->txn_no, ok ? "printed" : "failed");
        if (jb->receipt && io->notice.state == NOTICE_PAID &&
            !strcmp(jb->txn_no, io->notice.txn_no)) {
            io->notice.receipt = ok ? 1 : -1;
            io->redraw = 1;
        }
        if (jb->live && !strcmp(jb->txn_no, io->co.txn_no)) {
            struct co_event e = {.in = CI_PRINTED, .ok = ok};
            feed(io, &e, now);
        }
        jb->no = 0;
    }
    if (io->notice.until_ms && now >= io->notice.until_ms)
        cio_notice_close(io);
    int can;
    if (io->check && station_printer_answer(io->st, io->check, &can)) {
        io->check = 0;
        struct co_event e = {.in = CI_PRINTER, .ok = can};
        feed(io, &e, now);
    }
    if (now >= checkout_deadline(&io->co)) {
        struct co_event e = {.in = CI_TICK};
        feed(io, &e, now);
    }
}

int64_t cio_deadline(const struct checkout_io *io)
{
    /* Print results and printer answers arrive as events, which wake the loop. */
    int64_t d = checkout_deadline(&io->co);
    for (int i = 0; i < MAX_SETTLE; i++)
        if (io->set[i].active && !io->set[i].inflight && io->set[i].retry_at_ms &&
            io->set[i].retry_at_ms < d)
            d = io->set[i].retry_at_ms;
    if (io->notice.until_ms && io->notice.until_ms < d)
        d = io->notice.until_ms;
    return d;
}

int cio_take_redraw(struct checkout_io *io)
{
    int r = io->redraw;
    io->redraw = 0;
    return r;
}

int cio_take_home(struct checkout_io *io)
{
    int h = io->home;
    io->home = 0;
    return h;
}

void cio_abandon(struct checkout_io *io, int64_t now)
{
    const struct checkout *c = &io->co;
    if (c->intent_open) /* money in flight: it is settled without them */
        settle_add_current(io, c->state != CO_COMPLETING);
    else if (c->has_sale && (c->state == CO_REVIEW || c->state == CO_PRICING ||
                             c->state == CO_LOOKUP || c->state == CO_MEMBER ||
                             c->state == CO_CODE || c->state == CO_PRINTER_CHECK ||
                             c->state == CO_NO_PRINTER ||
                             (c->state == CO_FAILED && c->money_moved <= 0)))
        do_call(io, CALL_UNLOCK, c->sale.id);
    (void)now;
    checkout_init(&io->co);
    io->gen++;
    io->check = 0;
    io->home = io->redraw = 0;
    sign_wipe(io->invoice_token, sizeof io->invoice_token);
    for (int i = 0; i < MAX_JOBS; i++)
        io->jobs[i].live = 0;
}
