#include "kiosk/app/checkout_io.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/app/checkout_api.h"
#include "kiosk/app/json_field.h"
#include "kiosk/app/receipt.h"
#include "kiosk/app/sale_json.h"
#include "kiosk/backend/backend.h"
#include "kiosk/core/clock.h"
#include "kiosk/core/crash.h"
#include "kiosk/core/i18n.h"
#include "kiosk/core/log.h"
#include "kiosk/core/sign.h"
#include "kiosk/flows/settle.h"
#include "kiosk/journal/journal.h"

/* Backend tags: the low four bits say whose answer it is. */
#define TAG_CHECKOUT 3 /* the sale on screen: call kind in bits 4-11 */
#define TAG_SETTLE 4   /* background settlement: job slot in bits 4-11 */
#define MAX_BG 16
#define MAX_JOBS 8
#define TOKEN_LEN 24

/* A background job (kiosk/flows/settle.h) and what its requests and records need. */
struct bg {
    struct settle_job job;
    int64_t pay_intent;       /* the payment intent it settles (0 = a lock only) */
    int64_t lock_intent;      /* the journaled lock it gives back (0 = none) */
    /* sized as the sale record's fields, which they fill */
    char otn[40], order_id[48], txn_no[40], sale_id[24];
    char mode[12], channel[12], code_masked[32];
    int64_t amount_fen;
    int64_t created_ms;       /* when the payment intent was written (wall clock) */
    int notice;               /* the restart notice tells its outcome */
    uint64_t call_id;         /* the request in flight */
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
    uint64_t calls[CALL_LAST];     /* the sale's requests in flight, by kind (0 = none) */
    int64_t intent_id;             /* the payment intent of the sale on screen */
    int64_t lock_intent_id;        /* the journaled lock of its pump sale */
    char invoice_token[TOKEN_LEN + 1];
    char invoice_url[200];
    int redraw, home;
    int check;                     /* printer check being waited for, 0 = none */
    struct job jobs[MAX_JOBS];
    struct bg bg[MAX_BG];
    struct restart_notice notice;
};

/* The journal's own timestamps (when an intent was written, ages of records a restart
 * finds): the real time of day, also under the test wall clock, so that records of an
 * earlier run stay in the past. Business time is clock_wall_s(). */
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
    /* a state waits for an answer longer than the client tries: four attempts, backoff */
    io->cocfg = (struct co_config){.reprint_ms = cfg->printer_reprint_s * 1000,
                                   .call_max_ms = 4 * cfg->backend_timeout_ms + 15000,
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
    for (int i = 0; i < MAX_BG; i++)
        io->bg[i].notice = 0;
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
    for (int i = 0; i < MAX_BG; i++)
        if (io->bg[i].job.state != SETTLE_IDLE)
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

/* Withdraws every request of the sale the flow no longer waits for: a superseded or
 * abandoned call (a payment the customer cancelled, say) is never sent again. */
static void withdraw_stale(struct checkout_io *io)
{
    struct backend *be = station_backend(io->st);
    for (int k = 1; k < CALL_LAST; k++)
        if (io->calls[k] && !checkout_waits_for(&io->co, (enum co_call)k)) {
            log_info("checkout", "call %d withdrawn: nobody waits for it", k);
            if (be)
                backend_cancel(be, io->calls[k]);
            io->calls[k] = 0;
        }
}

static void feed(struct checkout_io *io, const struct co_event *e, int64_t now)
{
    struct effects fx = {.n = 0};
    checkout_step(&io->co, e, now, &fx);
    run(io, &fx);
    withdraw_stale(io);
}

/* ---- backend calls for the sale on screen ---------------------------------------------- */

static void send(struct checkout_io *io, enum co_call call, const char *method, const char *path,
                 const char *body, const char *key)
{
    struct backend *be = station_backend(io->st);
    if (be && io->calls[call])
        backend_cancel(be, io->calls[call]); /* superseded by this one */
    io->calls[call] = 0;
    struct backend_request rq = {
        .method = method, .path = path, .body = body, .idem_key = key,
        .tag = ((int64_t)call << 4) | TAG_CHECKOUT,
        /* a phone number, member or coupon code: never in the logs */
        .private_tail = call == CALL_MEMBER_PHONE || call == CALL_MEMBER_QR ||
                        call == CALL_COUPON};
    if (!be || backend_call(be, &rq, &io->calls[call]) != 0) {
        io->calls[call] = 0;
        struct co_event e = {.in = CI_CALL_FAILED, .call = call, .err_code = ""};
        feed(io, &e, clock_now_ms());
    }
}

/* The calls on a payment and a sale, in one place: the sale on screen and the background
 * settlement make the same requests, so a repeat always carries the same idempotency key. */
struct payment_req {
    char path[200], body[120], key[112];
};

enum req_kind { REQ_QUERY, REQ_CANCEL, REQ_COMPLETE, REQ_UNLOCK };

/* `subject`: the out_trade_no (query, cancel, complete) or the sale id (unlock); `order_id`
 * for complete, `txn_no` for unlock. */
static void payment_request(enum req_kind k, const char *subject, const char *order_id,
                            const char *txn_no, struct payment_req *b, struct backend_request *rq)
{
    *rq = (struct backend_request){.method = "POST", .path = b->path, .body = "{}",
                                   .idem_key = b->key};
    switch (k) {
    case REQ_QUERY:
        snprintf(b->path, sizeof b->path, "/v1/payments/%s", subject);
        rq->method = "GET", rq->body = NULL, rq->idem_key = NULL;
        break;
    case REQ_CANCEL:
        snprintf(b->path, sizeof b->path, "/v1/payments/%s/cancel", subject);
        snprintf(b->key, sizeof b->key, "%s-cancel", subject);
        break;
    case REQ_COMPLETE:
        crash_point("checkout.complete:before");
        snprintf(b->path, sizeof b->path, "/v1/orders/%s/complete", order_id);
        snprintf(b->body, sizeof b->body, "{\"out_trade_no\":\"%s\"}", subject);
        snprintf(b->key, sizeof b->key, "%s-complete", subject);
        rq->body = b->body;
        break;
    case REQ_UNLOCK:
        snprintf(b->path, sizeof b->path, "/v1/sales/%s/unlock", subject);
        snprintf(b->key, sizeof b->key, "%.100s-unlock", txn_no);
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
    case CALL_COUPON:
        if (call == CALL_COUPON)
            snprintf(path, sizeof path, "/v1/coupons/%s", subject);
        else
            snprintf(path, sizeof path, "/v1/members/%s/%s",
                     call == CALL_MEMBER_PHONE ? "by-phone" : "by-qr", subject);
        send(io, call, "GET", path, NULL, NULL);
        sign_wipe(path, sizeof path); /* a phone number, member or coupon code */
        break;
    case CALL_PUMPS:
        send(io, call, "GET", "/v1/pumps", NULL, NULL);
        break;
    case CALL_LOCK:
    case CALL_RENEW:
        snprintf(path, sizeof path, "/v1/sales/%s/lock", subject);
        if (call == CALL_LOCK)
            snprintf(key, sizeof key, "%s-lock", c->txn_no);
        else
            snprintf(key, sizeof key, "%s-renew-%d", c->txn_no, c->renewals);
        send(io, call, "POST", path, "{}", key);
        break;
    case CALL_PRICE: {
        char *b = checkout_api_price_body(c);
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
        /* the code lives no longer than the request that carries it (the client wipes its
         * copy when the call ends) */
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
        payment_request(call == CALL_QUERY    ? REQ_QUERY
                        : call == CALL_CANCEL ? REQ_CANCEL
                                              : REQ_COMPLETE,
                        c->otn, c->order_id, c->txn_no, &b, &rq);
        send(io, call, rq.method, rq.path, rq.body, rq.idem_key);
        break;
    }
    case CALL_LAST:
        break;
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
    r->paid_unix = clock_wall_s();
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

/* The pump sale's lock, journaled before it is asked for: whatever happens next (a crash,
 * a customer who walks away), it is given back. */
static int journal_lock(struct checkout_io *io, const char *sale_id)
{
    const struct checkout *c = &io->co;
    struct journal *j = station_journal(io->st);
    char payload[200], key[64];
    snprintf(payload, sizeof payload, "{\"txn_no\":\"%s\",\"sale_id\":\"%s\",\"lease_ms\":%d}",
             c->txn_no, sale_id, CO_LEASE_MS);
    snprintf(key, sizeof key, "%.56s-L", c->txn_no);
    return j && journal_intent_begin(j, "lock", "checkout", key, payload, wall_ms(),
                                     &io->lock_intent_id) == KERR_OK
               ? 0
               : -1;
}

/* The journaled lock `id` is over: released, expired, or its sale paid. */
static void lock_settled(struct checkout_io *io, int64_t *id, const char *how)
{
    struct journal *j = station_journal(io->st);
    if (*id && j)
        journal_intent_finish(j, *id, INTENT_DONE, how, "{}", wall_ms());
    *id = 0;
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
    else
        lock_settled(io, &io->lock_intent_id, "paid");
    free(body);
    io->intent_id = 0;
}

static void bg_add_current(struct checkout_io *io, int cancel);
static void bg_add_release(struct checkout_io *io, int64_t lock_intent, const char *sale_id,
                           const char *txn_no, int64_t lease_end_ms);
static void bg_drop_release(struct checkout_io *io, const char *sale_id);

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
        case EFF_LOCK: {
            int rc;
            if (e->kind == EFF_LOCK) {
                bg_drop_release(io, e->arg); /* taken again: an older release is moot */
                rc = journal_lock(io, e->arg);
            } else {
                rc = e->kind == EFF_ORDER ? journal_order(io) : journal_intent(io, e->arg);
            }
            if (rc != 0) {
                /* Without the order, the intent or the lock on disk, nothing goes out: the
                 * call that follows in this list is not made. */
                log_error("checkout", "%s %s not journaled: refused",
                          e->kind == EFF_ORDER    ? "order"
                          : e->kind == EFF_LOCK ? "sale lock"
                                                : "payment intent",
                          e->arg);
                struct co_event f = {.in = CI_JOURNAL_FAILED};
                feed(io, &f, clock_now_ms());
                return;
            }
            break;
        }
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
            bg_add_current(io, (int)e->i);
            break;
        case EFF_RELEASE:
            bg_add_release(io, io->lock_intent_id, e->arg, io->co.txn_no,
                           clock_now_ms() + io->co.lease_ms);
            io->lock_intent_id = 0;
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

/* Forgets the sale on screen: its requests are withdrawn (a background job has taken over
 * whatever still mattered). */
static void forget_sale(struct checkout_io *io)
{
    struct backend *be = station_backend(io->st);
    for (int k = 1; k < CALL_LAST; k++) {
        if (io->calls[k] && be)
            backend_cancel(be, io->calls[k]);
        io->calls[k] = 0;
    }
    checkout_init(&io->co);
    io->check = 0;
    io->intent_id = 0;
    io->home = io->redraw = 0;
    sign_wipe(io->invoice_token, sizeof io->invoice_token);
    for (int i = 0; i < MAX_JOBS; i++)
        io->jobs[i].live = 0;
}

void cio_start(struct checkout_io *io, int shop_only, int64_t now)
{
    char txn[40] = "";
    struct journal *j = station_journal(io->st);
    int64_t today = clock_wall_s(); /* the transaction number's date: business time */
    if (!j || journal_next_txn_no(j, io->cfg->terminal_id, today, txn, sizeof txn) != KERR_OK)
        snprintf(txn, sizeof txn, "%s-%lld", io->cfg->terminal_id, (long long)today);
    cio_notice_close(io); /* a new customer: the last one's news is over */
    forget_sale(io);
    io->invoice_url[0] = '\0';
    sign_random_token(io->invoice_token, TOKEN_LEN);
    struct co_event e = {.in = CI_START, .text = txn, .index = shop_only, .cfg = &io->cocfg};
    feed(io, &e, now);
}

/* ---- background settlement ------------------------------------------------------------- */

static void bg_feed(struct checkout_io *io, int slot, const struct settle_event *e, int64_t now);

static struct bg *bg_slot(struct checkout_io *io)
{
    for (int i = 0; i < MAX_BG; i++)
        if (io->bg[i].job.state == SETTLE_IDLE) {
            memset(&io->bg[i], 0, sizeof io->bg[i]);
            return &io->bg[i];
        }
    return NULL;
}

static void bg_send(struct checkout_io *io, int slot, enum settle_call k)
{
    struct bg *b = &io->bg[slot];
    struct backend *be = station_backend(io->st);
    struct payment_req pr;
    struct backend_request rq;
    static const enum req_kind kinds[SC_LAST] = {
        [SC_QUERY] = REQ_QUERY, [SC_CANCEL] = REQ_CANCEL, [SC_COMPLETE] = REQ_COMPLETE,
        [SC_UNLOCK] = REQ_UNLOCK};
    payment_request(kinds[k], k == SC_UNLOCK ? b->sale_id : b->otn, b->order_id, b->txn_no,
                    &pr, &rq);
    rq.tag = ((int64_t)slot << 4) | TAG_SETTLE;
    if (be && b->call_id)
        backend_cancel(be, b->call_id); /* an answer given up on: not asked twice */
    b->call_id = 0;
    if (!be || backend_call(be, &rq, &b->call_id) != 0) {
        /* no backend client: as if nobody answered (the job tries again later) */
        struct settle_answer a = {.call = k};
        struct settle_event ev = {.in = SE_ANSWER, .answer = &a};
        bg_feed(io, slot, &ev, clock_now_ms());
    }
}

/* The payment went through: the sale is recorded (once) from its journaled order, and its
 * receipt printed. 0, or -1 when the journal cannot take it now. */
static int bg_paid(struct checkout_io *io, struct bg *r)
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
    rec.paid_unix = clock_wall_s();
    rec.e_receipt = 0;
    if (!rec.invoice_token[0])
        sign_random_token(rec.invoice_token, TOKEN_LEN);
    char *text = sale_json_encode(&rec);
    enum kerr e = text ? journal_txn_settle(j, r->pay_intent, rec.txn_no, "sale", rec.total_fen,
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
            io->notice.receipt = !strcmp(printed, "printed")   ? 1
                                 : !strcmp(printed, "pending") ? 0
                                                               : -1; /* failed, unknown */
        }
        return 0;
    }
    return -1;
}

/* Not paid: the payment intent is settled as failed. 0, or -1 when the journal cannot
 * write now. */
static int bg_not_paid(struct checkout_io *io, struct bg *r, const char *result)
{
    struct journal *j = station_journal(io->st);
    enum kerr e = journal_intent_finish(j, r->pay_intent, INTENT_FAILED, result, "{}", wall_ms());
    if (e != KERR_OK && e != KERR_NOT_FOUND)
        return -1;
    log_info("checkout", "settled payment %s: %s, nothing charged", r->otn, result);
    if (r->notice)
        notice_outcome(io, NOTICE_NOT_PAID);
    return 0;
}

static void bg_run(struct checkout_io *io, int slot, const struct effects *fx, int64_t now)
{
    struct bg *b = &io->bg[slot];
    for (int i = 0; i < fx->n; i++) {
        const struct effect *e = &fx->v[i];
        struct settle_event ev = {.in = SE_RECORDED};
        switch (e->kind) {
        case EFF_CALL:
            bg_send(io, slot, (enum settle_call)e->i);
            break;
        case EFF_TXN:
            ev.ok = bg_paid(io, b) == 0;
            bg_feed(io, slot, &ev, now);
            break;
        case EFF_OUTCOME:
            ev.in = SE_WRITTEN;
            ev.ok = bg_not_paid(io, b, e->arg) == 0;
            bg_feed(io, slot, &ev, now);
            break;
        case EFF_RELEASE:
            log_info("checkout", "sale %s: lock %s", b->sale_id, e->arg);
            lock_settled(io, &b->lock_intent, e->arg);
            break;
        case EFF_REDRAW:
            io->redraw = 1; /* a job ended: the home menu may offer new sales again */
            break;
        default:
            break;
        }
    }
}

static void bg_feed(struct checkout_io *io, int slot, const struct settle_event *e, int64_t now)
{
    struct effects fx = {.n = 0};
    settle_step(&io->bg[slot].job, e, now, &fx);
    bg_run(io, slot, &fx, now);
}

static void bg_begin(struct checkout_io *io, struct bg *b, int cancel, int64_t lease_end_ms)
{
    struct effects fx = {.n = 0};
    int64_t now = clock_now_ms();
    if (b->pay_intent)
        settle_start_payment(&b->job, cancel, b->lock_intent != 0, lease_end_ms, now, &fx);
    else
        settle_start_release(&b->job, lease_end_ms, now, &fx);
    bg_run(io, (int)(b - io->bg), &fx, now);
}

/* The sale on screen stops waiting for its payment (EFF_SETTLE, or the customer left): its
 * open intent, and the sale's lock, are settled in the background. `cancel`: the customer
 * was told it is being cancelled, so a payment that went through is reversed; otherwise it
 * is completed. */
static void bg_add_current(struct checkout_io *io, int cancel)
{
    const struct checkout *c = &io->co;
    struct bg *r = bg_slot(io);
    if (!r || !io->intent_id) {
        log_error("checkout", "payment %s left for the next start to settle", c->otn);
        return;
    }
    *r = (struct bg){.pay_intent = io->intent_id, .lock_intent = io->lock_intent_id,
                     .amount_fen = c->total_fen, .created_ms = wall_ms()};
    snprintf(r->otn, sizeof r->otn, "%s", c->otn);
    snprintf(r->order_id, sizeof r->order_id, "%s", c->order_id);
    snprintf(r->txn_no, sizeof r->txn_no, "%s", c->txn_no);
    snprintf(r->sale_id, sizeof r->sale_id, "%s", c->has_sale ? c->sale.id : "");
    snprintf(r->mode, sizeof r->mode, "%s", c->mode == CO_PAY_QR ? "native" : "micropay");
    snprintf(r->channel, sizeof r->channel, "%s", c->channel);
    snprintf(r->code_masked, sizeof r->code_masked, "%s", c->code_masked);
    io->intent_id = 0;
    io->lock_intent_id = 0;
    log_warn("checkout", "payment %s: settled in the background (asked first, then %s)", r->otn,
             cancel ? "cancelled" : "completed if paid");
    bg_begin(io, r, cancel, clock_now_ms() + (c->lease_ms > 0 ? c->lease_ms : CO_LEASE_MS));
}

static void bg_add_release(struct checkout_io *io, int64_t lock_intent, const char *sale_id,
                           const char *txn_no, int64_t lease_end_ms)
{
    struct bg *r = bg_slot(io);
    if (!r) {
        log_error("checkout", "sale %s: its lock is left for the next start", sale_id);
        return;
    }
    *r = (struct bg){.lock_intent = lock_intent};
    snprintf(r->sale_id, sizeof r->sale_id, "%s", sale_id);
    snprintf(r->txn_no, sizeof r->txn_no, "%s", txn_no);
    bg_begin(io, r, 0, lease_end_ms);
}

/* The customer takes sale `sale_id` again: a release still trying to give it back would now
 * free the new lock, so it stops (its journaled lock is over: taken again). */
static void bg_drop_release(struct checkout_io *io, const char *sale_id)
{
    for (int i = 0; i < MAX_BG; i++) {
        struct bg *b = &io->bg[i];
        if (b->job.state == SETTLE_IDLE || b->pay_intent || strcmp(b->sale_id, sale_id))
            continue;
        if (b->call_id && station_backend(io->st))
            backend_cancel(station_backend(io->st), b->call_id);
        lock_settled(io, &b->lock_intent, "taken again");
        b->job.state = SETTLE_IDLE;
    }
}

static void bg_answer(struct checkout_io *io, const struct backend_result *res, int64_t now)
{
    int slot = (int)((res->tag >> 4) & 0xFF);
    if (slot >= MAX_BG || io->bg[slot].job.state == SETTLE_IDLE ||
        res->call_id != io->bg[slot].call_id)
        return; /* an answer for a job that ended, or a withdrawn call */
    struct bg *b = &io->bg[slot];
    b->call_id = 0;
    struct settle_answer a = {.call = b->job.inflight,
                              .reached = res->outcome == BE_OK || res->outcome == BE_BAD_RESPONSE,
                              .status = res->outcome == BE_BAD_RESPONSE ? 200 : res->status,
                              .err_code = res->err_code,
                              .pay_status = json_str(res->json, "status")};
    if (b->notice && (!a.reached || a.status >= 500 || a.status == 429) &&
        !io->notice.unreachable) {
        io->notice.unreachable = 1;
        io->redraw = 1;
    }
    struct settle_event ev = {.in = SE_ANSWER, .answer = &a};
    bg_feed(io, slot, &ev, now);
}

/* Takes an unfinished payment intent found in the journal. */
static void collect_payment(struct checkout_io *io, const struct intent *it)
{
    struct bg *r = bg_slot(io);
    if (!r) {
        log_error("checkout", "payment %s left for the next start: too many to settle",
                  it->idem_key);
        return;
    }
    r->pay_intent = it->id;
    r->created_ms = it->created_ms;
    struct checkout_payment_intent pi;
    if (checkout_api_payment_intent(it->payload, it->idem_key, &pi) != 0)
        log_warn("checkout", "payment %s: its journal record is damaged: settled by its number",
                 pi.otn);
    memcpy(r->otn, pi.otn, sizeof r->otn);
    memcpy(r->order_id, pi.order_id, sizeof r->order_id);
    memcpy(r->txn_no, pi.txn_no, sizeof r->txn_no);
    memcpy(r->sale_id, pi.sale_id, sizeof r->sale_id);
    memcpy(r->mode, pi.mode, sizeof r->mode);
    memcpy(r->channel, pi.channel, sizeof r->channel);
    memcpy(r->code_masked, pi.code_masked, sizeof r->code_masked);
    r->amount_fen = pi.amount_fen;
    /* not started yet: the locks are collected first, then every job starts */
    r->job.state = SETTLE_QUERY;
}

/* A journaled lock nobody released (a crash, a power cut): it goes with its sale's payment
 * if one is being settled, else it is released. */
static void collect_lock(struct checkout_io *io, const struct intent *it)
{
    char sale[sizeof io->bg[0].sale_id] = "", txn[sizeof io->bg[0].txn_no] = "";
    checkout_api_lock_intent(it->payload, sale, sizeof sale, txn, sizeof txn);
    for (int i = 0; i < MAX_BG; i++) {
        struct bg *b = &io->bg[i];
        if (b->job.state != SETTLE_IDLE && b->pay_intent && !b->lock_intent &&
            !strcmp(b->txn_no, txn)) {
            b->lock_intent = it->id;
            return;
        }
    }
    struct bg *r = bg_slot(io);
    if (!r || !sale[0]) {
        log_error("checkout", "lock %s left for the next start", it->idem_key);
        return;
    }
    r->lock_intent = it->id;
    snprintf(r->sale_id, sizeof r->sale_id, "%s", sale);
    snprintf(r->txn_no, sizeof r->txn_no, "%s", txn);
    r->job.state = SETTLE_RELEASE; /* started with the others */
}

static void collect_payments(const struct intent *it, void *user)
{
    if (!strcmp(it->kind, "payment") && !strcmp(it->flow, "checkout"))
        collect_payment(user, it);
}

static void collect_locks(const struct intent *it, void *user)
{
    if (!strcmp(it->kind, "lock") && !strcmp(it->flow, "checkout"))
        collect_lock(user, it);
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
    journal_intents_unfinished(j, collect_payments, io);
    journal_intents_unfinished(j, collect_locks, io);
    struct bg *latest = NULL;
    for (int i = 0; i < MAX_BG; i++)
        if (io->bg[i].pay_intent && wall_ms() - io->bg[i].created_ms < RESTART_NOTICE_MS &&
            (!latest || io->bg[i].created_ms > latest->created_ms))
            latest = &io->bg[i];
    if (latest) { /* someone may still stand at the kiosk, waiting for it */
        latest->notice = 1;
        notice_begin(io, NOTICE_CHECKING, latest->txn_no, latest->amount_fen);
        /* nobody waits longer than that: it goes even if the backend never answers */
        io->notice.until_ms =
            clock_now_ms() + RESTART_NOTICE_MS - (wall_ms() - latest->created_ms);
    }
    for (int i = 0; i < MAX_BG; i++) {
        struct bg *b = &io->bg[i];
        if (b->job.state == SETTLE_IDLE)
            continue;
        log_info("checkout", "%s %s was left unfinished: %s", b->pay_intent ? "payment" : "lock",
                 b->pay_intent ? b->otn : b->sale_id,
                 b->pay_intent ? "asking the backend" : "releasing it");
        bg_begin(io, b, 0, clock_now_ms() + CO_LEASE_MS);
    }
    journal_txns_unprinted(j, wall_ms() - (int64_t)io->cfg->printer_reprint_s * 1000,
                           print_unprinted, io);
}

/* ---- backend answers for the sale on screen -------------------------------------------- */

int cio_event(struct checkout_io *io, const struct ev *ev, int64_t now)
{
    if (ev->kind != EV_BACKEND)
        return 0;
    struct backend_result *r = ev->ptr;
    if ((r->tag & 0xF) == TAG_SETTLE) {
        bg_answer(io, r, now);
        backend_result_free(r);
        return 1;
    }
    if ((r->tag & 0xF) != TAG_CHECKOUT)
        return 0;
    enum co_call call = (enum co_call)((r->tag >> 4) & 0xFF);
    if (call <= 0 || call >= CALL_LAST || r->call_id != io->calls[call]) {
        backend_result_free(r); /* an earlier sale's answer, or a withdrawn call */
        return 1;
    }
    io->calls[call] = 0;
    if (r->outcome == BE_OK && r->status == 401) {
        /* the station system refuses the kiosk itself: the staff must act (health says so) */
        station_backend_refused(io->st, r->err_code);
        if (strcmp(r->err_code, "BAD_SIGNATURE") && strcmp(r->err_code, "CLOCK_SKEW"))
            snprintf(r->err_code, sizeof r->err_code, "UNAUTHENTICATED");
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
    struct co_item item;
    if (ok) {
        switch (call) {
        case CALL_PUMPS:
            if (checkout_api_pumps(r->json, pumps, &e.npumps) == 0) {
                e.in = CI_PUMPS;
                e.pumps = pumps;
            }
            break;
        case CALL_LOCK:
            e.in = CI_LOCKED;
            e.amount = checkout_api_lease(r->json); /* 0: the flow assumes the usual */
            break;
        case CALL_RENEW:
            backend_result_free(r); /* renewed: the flow goes on as it was */
            return 1;
        case CALL_PRICE:
            if (checkout_api_priced(r->json, &priced) == 0) {
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
        case CALL_PRODUCT:
            if (checkout_api_product(r->json, &item) == 0) {
                e.in = CI_PRODUCT;
                e.text = item.name_zh;
                e.text2 = item.name_en;
                e.amount = item.unit_fen;
            }
            break;
        case CALL_MEMBER_PHONE:
        case CALL_MEMBER_QR:
            if (checkout_api_member(r->json, &member, coupons, &e.ncoupons) == 0) {
                e.in = CI_MEMBER;
                e.member = &member;
                e.coupons = coupons;
            }
            break;
        case CALL_COUPON:
            if (checkout_api_coupon(r->json, &coupons[0]) == 0) {
                e.in = CI_COUPON;
                e.coupons = coupons;
                e.ncoupons = 1;
            }
            break;
        case CALL_LAST:
            break;
        }
    }
    if (e.in == CI_CALL_FAILED && !e.err_code[0] &&
        ((r->outcome == BE_OK && r->status < 300) || r->outcome == BE_BAD_RESPONSE)) {
        e.err_code = "BAD_RESPONSE";
        log_error("checkout", "call %d: an answer that cannot be used", call);
    }
    feed(io, &e, now);
    sign_wipe(&member, sizeof member);
    backend_result_free(r);
    return 1;
}

void cio_tick(struct checkout_io *io, int64_t now)
{
    for (int i = 0; i < MAX_BG; i++)
        if (io->bg[i].job.state != SETTLE_IDLE && now >= settle_deadline(&io->bg[i].job)) {
            struct settle_event ev = {.in = SE_TICK};
            bg_feed(io, i, &ev, now);
        }
    struct journal *j = station_journal(io->st);
    for (int i = 0; i < MAX_JOBS; i++) {
        struct job *jb = &io->jobs[i];
        int ok;
        enum station_job r = STATION_JOB_PENDING;
        if (!jb->no || (r = station_job_result(io->st, jb->no, &ok)) == STATION_JOB_PENDING)
            continue;
        /* Not confirmed (ok = 0): it may still print. The customer is told it did not (and
         * gets the e-receipt), the journal says "unknown", and the job stays tracked until
         * its final outcome, which the journal then records. */
        int unconfirmed = r == STATION_JOB_UNCONFIRMED;
        if (jb->receipt && j)
            journal_txn_set_print_state(j, jb->txn_no, unconfirmed ? "unknown"
                                                       : ok        ? "printed"
                                                                   : "failed");
        if (jb->receipt && io->notice.state == NOTICE_PAID &&
            !strcmp(jb->txn_no, io->notice.txn_no)) {
            io->notice.receipt = ok ? 1 : -1;
            io->redraw = 1;
        }
        if (jb->live && !strcmp(jb->txn_no, io->co.txn_no)) {
            struct co_event e = {.in = CI_PRINTED, .ok = ok};
            feed(io, &e, now);
        }
        if (unconfirmed)
            jb->live = 0; /* the sale on screen has its answer */
        else
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
    for (int i = 0; i < MAX_BG; i++) {
        int64_t b = settle_deadline(&io->bg[i].job);
        if (b < d)
            d = b;
    }
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
    if (c->intent_open) /* money in flight: it is settled without them, asked first */
        bg_add_current(io, 0);
    else if (c->locked) /* nothing paid: the pump's sale is free again */
        bg_add_release(io, io->lock_intent_id, c->sale.id, c->txn_no,
                       now + (c->lease_ms > 0 ? c->lease_ms : CO_LEASE_MS));
    io->lock_intent_id = 0;
    forget_sale(io);
}
