/* The sale on screen: the checkout flow's effects run through the host (backend calls,
 * journal writes on the journal's worker, print jobs, printer checks), and what comes back
 * is fed to the flow as inputs. */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/clock.h"
#include "core/crash.h"
#include "core/i18n.h"
#include "core/json.h"
#include "core/log.h"
#include "core/sign.h"
#include "receipt.h"

/* ---- journal writes: these run on the journal's worker thread ---------------------------- */

/* The order (what is about to be paid for), then the payment intent. */
struct w_pay {
    char order_id[48], txn_no[40], otn[40];
    char *order_body, *payload;
};

static enum kerr w_pay(struct journal *j, void *arg, int64_t *value)
{
    const struct w_pay *a = arg;
    enum kerr e = journal_order_put(j, a->order_id, a->txn_no, a->order_body, clock_system_ms());
    if (e != KERR_OK)
        return e;
    return journal_intent_begin(j, "payment", "checkout", a->otn, a->payload, clock_system_ms(),
                                value);
}

static void w_pay_free(void *arg)
{
    struct w_pay *a = arg;
    free(a->order_body);
    free(a->payload);
    free(a);
}

/* The paid sale recorded and its intent settled in one transaction; its lock is over. */
struct w_txn {
    int64_t intent, lock;
    char txn_no[40];
    int64_t total_fen;
    char *body;
    int e_receipt;
};

static enum kerr w_txn(struct journal *j, void *arg, int64_t *value)
{
    const struct w_txn *a = arg;
    (void)value;
    enum kerr e = journal_txn_settle(j, a->intent, a->txn_no, "sale", a->total_fen, a->body,
                                     clock_system_ms());
    if (e != KERR_OK)
        return e;
    if (a->e_receipt)
        journal_txn_set_print_state(j, a->txn_no, "e-receipt");
    if (a->lock)
        journal_intent_finish(j, a->lock, INTENT_DONE, "paid", "{}", clock_system_ms());
    return KERR_OK;
}

static void w_txn_free(void *arg)
{
    struct w_txn *a = arg;
    free(a->body);
    free(a);
}

struct w_state {
    char txn_no[40], state[16];
};

static enum kerr w_state(struct journal *j, void *arg, int64_t *value)
{
    const struct w_state *a = arg;
    (void)value;
    return journal_txn_set_print_state(j, a->txn_no, a->state);
}

static enum kerr w_alloc(struct journal *j, void *arg, int64_t *value)
{
    struct co_txn_alloc *a = arg;
    (void)value;
    return journal_next_txn_no(j, a->terminal_id, a->unix_s, a->out, sizeof a->out);
}

void co_io_finish_intent(struct checkout *io, int64_t id, int done, const char *result)
{
    host_intent_finish(io->h, id, done ? INTENT_DONE : INTENT_FAILED, result);
}

void co_io_print_state(struct checkout *io, const char *txn_no, const char *state)
{
    struct w_state *a = calloc(1, sizeof *a);
    if (!a)
        return;
    snprintf(a->txn_no, sizeof a->txn_no, "%s", txn_no);
    snprintf(a->state, sizeof a->state, "%s", state);
    host_journal(io->h, w_state, a, free);
}

/* Takes the next transaction number ahead, so that a sale starts without waiting for the
 * disk. */
static void alloc_next(struct checkout *io)
{
    io->alloc.out[0] = '\0';
    io->alloc.unix_s = clock_wall_s(); /* its date: business time */
    io->alloc_write = host_journal(io->h, w_alloc, &io->alloc, NULL);
}

/* ---- the flow ---------------------------------------------------------------------------- */

static void run(struct checkout *io, const struct effects *fx, int64_t now);

/* Withdraws every request of the sale the flow no longer waits for: a superseded or
 * abandoned call (a payment the customer cancelled, say) is never sent again. */
static void withdraw_stale(struct checkout *io)
{
    for (int k = 1; k < CO_CALL_LAST; k++)
        if (io->calls[k] && !co_waits_for(&io->co, (enum co_call)k)) {
            log_info("checkout", "call %d withdrawn: nobody waits for it", k);
            host_cancel(io->h, io->calls[k]);
            io->calls[k] = 0;
        }
}

/* A write the flow stopped waiting for (it gave up, or the customer left): what it writes
 * was never sent, and is settled as soon as it is on disk. */
static void orphan_write(struct checkout *io)
{
    for (int i = 0; i < CO_ORPHANS_MAX; i++)
        if (!io->orphans[i]) {
            io->orphans[i] = io->writing;
            io->orphan_lock[i] = io->writing_lock;
            break;
        }
    io->writing = 0;
    free(io->order_body);
    io->order_body = NULL;
}

void co_io_hand_back(struct checkout *io, const char *what, const char *arg, int64_t now)
{
    if (host_hand_over(io->h, what, arg, now) != 0) {
        log_warn("checkout", "nobody takes %s now: back to the home menu", what);
        host_done(io->h);
    }
}

static void feed(struct checkout *io, const struct co_event *e, int64_t now)
{
    struct effects fx = {.n = 0};
    io->feeding++;
    co_step(&io->co, e, now, &fx);
    run(io, &fx, now);
    withdraw_stale(io);
    if (io->writing && io->co.state != CO_JOURNALING)
        orphan_write(io);
    /* The customer goes to another service once everything of this input is done: the
     * other service's take may come straight back here with a new sale. */
    if (--io->feeding == 0 && io->handing_back) {
        char what[sizeof io->hand_what], arg[sizeof io->hand_arg];
        memcpy(what, io->hand_what, sizeof what);
        memcpy(arg, io->hand_arg, sizeof arg);
        io->handing_back = 0;
        co_io_hand_back(io, what, arg, now);
    }
}

void co_io_input(struct checkout *io, const struct co_event *e, int64_t now)
{
    feed(io, e, now);
}

static void send(struct checkout *io, const struct co_request *rq, int64_t now)
{
    enum co_call k = rq->call;
    struct co_http http;
    if (k <= 0 || k >= CO_CALL_LAST)
        return;
    if (io->calls[k])
        host_cancel(io->h, io->calls[k]); /* superseded by this one */
    io->calls[k] = 0;
    if (k == CO_CALL_COMPLETE)
        crash_point("checkout.complete:before");
    if (co_api_http(rq, &http) == 0) {
        struct backend_request br = {.method = http.method, .path = http.path,
                                     .body = http.body,
                                     .idem_key = http.key[0] ? http.key : NULL,
                                     .private_tail = http.private_tail};
        io->calls[k] = host_call(io->h, &br);
    }
    co_api_http_free(&http);
    if (!io->calls[k]) {
        struct co_event e = {.in = CO_IN_CALL_FAILED, .call = k, .err_code = ""};
        feed(io, &e, now);
    }
}

/* The flow's sale as a record, with the glue's parts (invoice token, time). */
static void current_record(struct checkout *io, struct sale_record *r)
{
    record_from_flow(&io->co, r);
    snprintf(r->invoice_token, sizeof r->invoice_token, "%s", io->invoice_token);
    r->paid_unix = clock_wall_s();
}

static void journaled(struct checkout *io, int ok, int64_t now)
{
    struct co_event e = {.in = CO_IN_JOURNALED, .ok = ok};
    feed(io, &e, now);
}

/* The pump sale's lock, journaled before it is asked for: whatever happens next (a crash,
 * a customer who walks away), it is given back. */
static void write_lock(struct checkout *io, const struct co_lock *l, int64_t now)
{
    char key[64];
    char *payload = co_api_lock_payload(l->txn_no, l->sale_id, CO_LEASE_MS);
    snprintf(key, sizeof key, "%.56s-L", l->txn_no);
    co_bg_drop_release(io, l->sale_id); /* taken again: an older release is moot */
    io->writing = payload ? host_intent_begin(io->h, "lock", key, payload) : 0;
    free(payload);
    io->writing_lock = 1;
    if (!io->writing) {
        log_error("checkout", "sale lock %s not journaled: refused", l->sale_id);
        journaled(io, 0, now);
    }
}

/* The order and then the payment intent, in one write: nothing goes out before both are
 * on disk. */
static void write_payment(struct checkout *io, const char *otn, const struct co_intent *in,
                          int64_t now)
{
    struct w_pay *a = calloc(1, sizeof *a);
    if (a) {
        snprintf(a->order_id, sizeof a->order_id, "%s", in->order_id);
        snprintf(a->txn_no, sizeof a->txn_no, "%s", in->txn_no);
        snprintf(a->otn, sizeof a->otn, "%s", otn);
        a->order_body = io->order_body;
        io->order_body = NULL;
        a->payload = co_api_intent_payload(in);
    }
    int ready = a && a->order_body && a->payload;
    io->writing = ready ? host_journal(io->h, w_pay, a, w_pay_free) : 0;
    if (a && !ready)
        w_pay_free(a);
    io->writing_lock = 0;
    if (!io->writing) {
        log_error("checkout", "payment intent %s not journaled: refused", otn);
        journaled(io, 0, now);
    }
}

/* The sale is paid: recorded with its intent settled; its receipt prints once that is on
 * disk (a crash in between must not print it twice). */
static void write_sale(struct checkout *io)
{
    current_record(io, &io->rec);
    receipt_invoice_url(io->opt->invoice_url, &io->rec, io->invoice_url, sizeof io->invoice_url);
    struct w_txn *a = calloc(1, sizeof *a);
    if (a) {
        *a = (struct w_txn){.intent = io->intent_id, .lock = io->lock_intent_id,
                            .total_fen = io->rec.total_fen, .e_receipt = io->rec.e_receipt};
        snprintf(a->txn_no, sizeof a->txn_no, "%s", io->rec.txn_no);
        a->body = record_encode(&io->rec);
    }
    io->recording = a && a->body ? host_journal(io->h, w_txn, a, w_txn_free) : 0;
    if (a && !a->body)
        w_txn_free(a);
    if (!io->recording)
        /* The intent stays open: the next start settles it with the backend (paid, so it
         * is recorded then). The customer still gets the receipt now. */
        log_error("checkout", "sale %s not journaled: left for recovery", io->rec.txn_no);
    else
        io->lock_intent_id = 0; /* over with the sale, in the same write */
    io->intent_id = 0;
}

static void follow_print(struct checkout *io, uint64_t handle, const char *txn_no, int receipt,
                         int live)
{
    for (int i = 0; i < CO_PRINTS_MAX; i++)
        if (!io->prints[i].handle) {
            io->prints[i] = (struct co_print){.handle = handle, .receipt = receipt, .live = live};
            snprintf(io->prints[i].txn_no, sizeof io->prints[i].txn_no, "%s", txn_no);
            return;
        }
    log_warn("checkout", "print job %llu not followed: too many jobs", (unsigned long long)handle);
}

struct slip *co_io_receipt(struct checkout *io, const struct sale_record *r, int copy,
                           const char *lang)
{
    return receipt_sale(host_text(io->h), host_config(io->h), io->opt->invoice_url, lang, r,
                        copy);
}

int co_io_print_record(struct checkout *io, const struct sale_record *r, int copy, int live)
{
    const char *lang = i18n_lang();
    const struct kiosk_config *cfg = host_config(io->h);
    struct slip *s = co_io_receipt(io, r, copy, lang);
    uint64_t job = s ? host_print(io->h, slip_bitmap(s), r->txn_no) : 0;
    slip_destroy(s);
    if (!job)
        return -1;
    follow_print(io, job, r->txn_no, 1, live);
    if (io->opt->release_slip && r->has_fuel && !copy) {
        char title[64];
        snprintf(title, sizeof title, "%s release", r->txn_no);
        s = receipt_release(host_text(io->h), cfg, lang, r);
        job = s ? host_print(io->h, slip_bitmap(s), title) : 0;
        slip_destroy(s);
        if (job)
            follow_print(io, job, r->txn_no, 0, 0);
    }
    return 0;
}

int co_io_print_txn(struct checkout *io, const char *txn_no, int copy, int live,
                    int64_t *total_fen)
{
    struct journal *j = host_journal_reader(io->h);
    char *body = NULL;
    struct sale_record r;
    int rc = -2;
    if (j && journal_txn_get(j, txn_no, &body, NULL, 0, NULL) == KERR_OK &&
        record_decode(body, &r) == 0) {
        rc = co_io_print_record(io, &r, copy, live);
        if (total_fen)
            *total_fen = r.total_fen;
    } else {
        log_error("checkout", "sale %s: no readable record to print", txn_no);
    }
    free(body);
    return rc;
}

struct slip *co_io_reprint(struct checkout *io, const char *kind, const char *payload,
                           const char *lang)
{
    struct sale_record r;
    if (strcmp(kind, "sale"))
        return NULL;
    if (record_decode(payload, &r) != 0) {
        log_error("checkout", "a sale record that does not read: no copy of it");
        return NULL;
    }
    log_info("checkout", "sale %s: a copy of its receipt", r.txn_no);
    return co_io_receipt(io, &r, 1, lang);
}

static void printed(struct checkout *io, int ok, int64_t now)
{
    struct co_event p = {.in = CO_IN_PRINTED, .ok = ok};
    feed(io, &p, now);
}

/* The receipt of the sale just recorded. */
static void print_sale(struct checkout *io, int live, int64_t now)
{
    io->print_when_recorded = 0;
    if (co_io_print_record(io, &io->rec, 0, live) != 0) {
        co_io_print_state(io, io->rec.txn_no, "failed");
        if (live)
            printed(io, 0, now);
    }
}

static void run(struct checkout *io, const struct effects *fx, int64_t now)
{
    for (int i = 0; i < fx->n; i++) {
        const struct effect *e = &fx->v[i];
        switch (e->kind) {
        case EFF_REDRAW:
            host_redraw(io->h);
            break;
        case EFF_HOME:
            host_done(io->h);
            break;
        case EFF_HAND_OVER: /* at the end of the input (feed()) */
            snprintf(io->hand_what, sizeof io->hand_what, "%s", e->arg);
            snprintf(io->hand_arg, sizeof io->hand_arg, "%.*s", (int)e->ndata,
                     (const char *)e->data);
            io->handing_back = 1;
            break;
        case EFF_LOCK:
            write_lock(io, (const struct co_lock *)e->data, now);
            break;
        case EFF_ORDER: {
            struct sale_record r;
            current_record(io, &r);
            free(io->order_body);
            io->order_body = record_encode(&r);
            break;
        }
        case EFF_INTENT:
            write_payment(io, e->arg, (const struct co_intent *)e->data, now);
            break;
        case EFF_OUTCOME:
            co_io_finish_intent(io, io->intent_id, 0, e->arg);
            io->intent_id = 0;
            break;
        case EFF_TXN:
            write_sale(io);
            break;
        case EFF_PRINT:
            if (e->i == 0 && io->recording) {
                io->print_when_recorded = 1; /* once the record is on disk */
            } else if (e->i == 0) {
                print_sale(io, 1, now);
            } else { /* a copy, asked for on the done screen: as the journal has it */
                int rc = co_io_print_txn(io, e->arg, 1, 1, NULL);
                if (rc == -2)
                    rc = co_io_print_record(io, &io->rec, 1, 1);
                if (rc != 0)
                    printed(io, 0, now);
            }
            break;
        case EFF_PRINTER_CHECK:
            io->check = host_printer_check(io->h);
            if (!io->check) { /* no printer at all */
                struct co_event p = {.in = CO_IN_PRINTER, .ok = 0};
                feed(io, &p, now);
            }
            break;
        case EFF_SETTLE:
            co_bg_settle(io, (const struct co_handover *)e->data, (int)e->i, io->intent_id,
                         io->lock_intent_id, now);
            io->intent_id = 0;
            io->lock_intent_id = 0;
            break;
        case EFF_RELEASE:
            co_bg_release(io, (const struct co_lock *)e->data, io->lock_intent_id, now);
            io->lock_intent_id = 0;
            break;
        case EFF_CALL:
            send(io, (const struct co_request *)e->data, now);
            break;
        default:
            break;
        }
    }
}

/* Forgets the sale on screen: its requests are withdrawn (a background job has taken over
 * whatever still mattered). A receipt still waiting for its record prints all the same. */
static void forget_sale(struct checkout *io)
{
    for (int k = 1; k < CO_CALL_LAST; k++) {
        if (io->calls[k])
            host_cancel(io->h, io->calls[k]);
        io->calls[k] = 0;
    }
    co_init(&io->co);
    io->check = 0;
    io->intent_id = 0;
    sign_wipe(io->invoice_token, sizeof io->invoice_token);
    for (int i = 0; i < CO_PRINTS_MAX; i++)
        io->prints[i].live = 0;
}

void co_io_leave(struct checkout *io, int64_t now)
{
    struct co_event e = {.in = CO_IN_LEAVE};
    feed(io, &e, now);
    io->lock_intent_id = 0;
    forget_sale(io);
}

void co_io_start(struct checkout *io, enum co_start kind, const char *card_no,
                 int64_t recharge_fen, int64_t now)
{
    char txn[40] = "";
    int64_t today = clock_wall_s(); /* the transaction number's date: business time */
    /* the number taken ahead, once its write has answered (and not a day old) */
    if (!io->alloc_write && io->alloc.out[0] && io->alloc.unix_s / 86400 == today / 86400) {
        snprintf(txn, sizeof txn, "%s", io->alloc.out);
    } else { /* none ready: taken now, after whatever the journal is writing */
        struct co_txn_alloc a;
        memset(&a, 0, sizeof a);
        snprintf(a.terminal_id, sizeof a.terminal_id, "%s", host_config(io->h)->terminal_id);
        a.unix_s = today;
        if (host_journal_now(io->h, w_alloc, &a, NULL) == KERR_OK)
            snprintf(txn, sizeof txn, "%s", a.out);
        else
            snprintf(txn, sizeof txn, "%s-%lld", a.terminal_id, (long long)today);
    }
    if (!io->alloc_write)
        alloc_next(io);
    co_bg_notice_close(io); /* a new customer: the last one's news is over */
    forget_sale(io);
    io->invoice_url[0] = '\0';
    sign_random_token(io->invoice_token, CO_TOKEN_LEN);
    struct co_event e = {.in = CO_IN_START, .text = txn, .index = kind, .text2 = card_no,
                         .amount = recharge_fen, .cfg = &io->cocfg};
    feed(io, &e, now);
}

void co_io_open(struct checkout *io)
{
    const struct kiosk_config *cfg = host_config(io->h);
    /* a state waits for an answer longer than the client tries: four attempts, backoff */
    io->cocfg = (struct co_config){.reprint_ms = io->opt->reprint_s * 1000,
                                   .call_max_ms = 4 * cfg->backend_timeout_ms + 15000,
                                   .points_max = io->opt->points_max,
                                   .member_prefix = io->opt->member_prefix,
                                   .coupon_prefix = io->opt->coupon_prefix};
    snprintf(io->alloc.terminal_id, sizeof io->alloc.terminal_id, "%s", cfg->terminal_id);
    co_init(&io->co);
    /* the first sale's number now, before the loop (no frame waits for it); each sale
     * takes the next one ahead while it runs */
    io->alloc.unix_s = clock_wall_s();
    if (host_journal_now(io->h, w_alloc, &io->alloc, NULL) != KERR_OK)
        io->alloc.out[0] = '\0';
}

void co_io_close(struct checkout *io)
{
    free(io->order_body);
    io->order_body = NULL;
}

/* ---- answers ----------------------------------------------------------------------------- */

/* A backend answer for the sale on screen. */
static void call_answer(struct checkout *io, enum co_call call, const struct backend_result *r,
                        int64_t now)
{
    char err_code[sizeof r->err_code];
    snprintf(err_code, sizeof err_code, "%s", r->err_code);
    if (r->outcome == BE_OK && r->status == 401) {
        /* the station system refuses the kiosk itself: the staff must act (health says so) */
        host_backend_refused(io->h, r->err_code);
        if (strcmp(err_code, "BAD_SIGNATURE") && strcmp(err_code, "CLOCK_SKEW"))
            snprintf(err_code, sizeof err_code, "UNAUTHENTICATED");
    }
    /* A 5xx or a lost answer to a state-changing call may have been applied unseen. */
    struct co_event e = {.in = CO_IN_CALL_FAILED, .call = call, .err_code = err_code,
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
        case CO_CALL_PUMPS:
            if (co_api_pumps(r->json, pumps, &e.npumps) == 0) {
                e.in = CO_IN_PUMPS;
                e.pumps = pumps;
            }
            break;
        case CO_CALL_LOCK:
            e.in = CO_IN_LOCKED;
            e.amount = co_api_lease(r->json); /* 0: the flow assumes the usual */
            break;
        case CO_CALL_RENEW:
            return; /* renewed: the flow goes on as it was */
        case CO_CALL_PRICE:
            if (co_api_priced(r->json, &priced) == 0) {
                e.in = CO_IN_PRICED;
                e.priced = &priced;
            }
            break;
        case CO_CALL_PAY:
        case CO_CALL_QUERY:
        case CO_CALL_CANCEL:
            e.in = CO_IN_PAYMENT;
            e.text = json_str(r->json, "status");
            e.text2 = json_str(r->json, "code_url");
            break;
        case CO_CALL_COMPLETE:
            e.in = CO_IN_COMPLETED;
            break;
        case CO_CALL_PRODUCT:
            if (co_api_product(r->json, &item) == 0) {
                e.in = CO_IN_PRODUCT;
                e.text = item.name_zh;
                e.text2 = item.name_en;
                e.amount = item.unit_fen;
            }
            break;
        case CO_CALL_MEMBER_PHONE:
        case CO_CALL_MEMBER_QR:
            if (co_api_member(r->json, &member, coupons, &e.ncoupons) == 0) {
                e.in = CO_IN_MEMBER;
                e.member = &member;
                e.coupons = coupons;
            }
            break;
        case CO_CALL_COUPON:
            if (co_api_coupon(r->json, &coupons[0]) == 0) {
                e.in = CO_IN_COUPON;
                e.coupons = coupons;
                e.ncoupons = 1;
            }
            break;
        case CO_CALL_UNLOCK:
        case CO_CALL_LAST:
            break;
        }
    }
    if (e.in == CO_IN_CALL_FAILED && !err_code[0] &&
        ((r->outcome == BE_OK && r->status < 300) || r->outcome == BE_BAD_RESPONSE)) {
        e.err_code = "BAD_RESPONSE";
        log_error("checkout", "call %d: an answer that cannot be used", call);
    }
    feed(io, &e, now);
    sign_wipe(&member, sizeof member);
}

/* A journal write of the sale on screen (or of one it stopped waiting for). */
static void write_answer(struct checkout *io, const struct host_result *r, int64_t now)
{
    int ok = r->err == KERR_OK;
    if (r->handle == io->alloc_write) {
        io->alloc_write = 0;
        if (!ok) {
            io->alloc.out[0] = '\0';
            log_warn("checkout", "no transaction number taken ahead (%s)", kerr_str(r->err));
        }
        return;
    }
    if (r->handle == io->writing) {
        io->writing = 0;
        if (io->writing_lock)
            io->lock_intent_id = ok ? r->value : 0;
        else
            io->intent_id = ok ? r->value : 0;
        if (!ok)
            log_error("checkout", "%s not journaled (%s): refused",
                      io->writing_lock ? "sale lock" : "payment intent", kerr_str(r->err));
        else
            log_info("checkout", "%s on disk", io->writing_lock ? "sale lock" : "order and payment intent");
        journaled(io, ok, now);
        return;
    }
    if (r->handle == io->recording) {
        io->recording = 0;
        if (ok)
            host_outbox_poke(io->h);
        else /* the intent stays open: the next start records it (paid) */
            log_error("checkout", "sale %s not journaled (%s): left for recovery",
                      io->rec.txn_no, kerr_str(r->err));
        if (io->print_when_recorded)
            print_sale(io, !strcmp(io->rec.txn_no, io->co.txn_no), now);
        return;
    }
    for (int i = 0; i < CO_ORPHANS_MAX; i++)
        if (io->orphans[i] && io->orphans[i] == r->handle) {
            io->orphans[i] = 0;
            if (ok) { /* written after all: never sent, so over */
                log_info("checkout", "%s written after the sale stopped waiting: never sent",
                         io->orphan_lock[i] ? "sale lock" : "payment intent");
                co_io_finish_intent(io, r->value, io->orphan_lock[i], "not sent");
            }
            return;
        }
}

/* Where print jobs and printer answers end: the journal, the flow, the restart notice. */
static void print_answer(struct checkout *io, const struct host_result *r, int64_t now)
{
    for (int i = 0; i < CO_PRINTS_MAX; i++) {
        struct co_print *p = &io->prints[i];
        if (!p->handle || p->handle != r->handle)
            continue;
        /* Not confirmed (final = 0): it may still print. The customer is told it did not
         * (and gets the e-receipt), the journal says "unknown", and the job stays followed
         * until its final outcome, which the journal then records. */
        int ok = r->final && r->ok;
        if (p->receipt)
            co_io_print_state(io, p->txn_no, !r->final ? "unknown" : ok ? "printed" : "failed");
        if (p->receipt)
            co_bg_notice_receipt(io, p->txn_no, ok);
        int live = p->live && !strcmp(p->txn_no, io->co.txn_no);
        if (!r->final)
            p->live = 0; /* the sale on screen has its answer */
        else
            memset(p, 0, sizeof *p);
        if (live)
            printed(io, ok, now);
        return;
    }
}

void co_io_result(struct checkout *io, const struct host_result *r, int64_t now)
{
    if (co_bg_result(io, r, now))
        return;
    switch (r->kind) {
    case HR_CALL:
        for (int k = 1; k < CO_CALL_LAST; k++)
            if (io->calls[k] && io->calls[k] == r->handle) {
                io->calls[k] = 0;
                call_answer(io, (enum co_call)k, r->call, now);
                return;
            }
        break; /* an earlier sale's answer, or a withdrawn call */
    case HR_JOURNAL:
        write_answer(io, r, now);
        break;
    case HR_PRINT:
        print_answer(io, r, now);
        break;
    case HR_PRINTER:
        if (io->check && r->handle == io->check) {
            io->check = 0;
            struct co_event e = {.in = CO_IN_PRINTER, .ok = r->ok};
            feed(io, &e, now);
        }
        break;
    case HR_CARD: /* it asks for no card commands, ID cards or faces */
    case HR_IDCARD:
    case HR_FACE:
        break;
    }
}

void co_io_tick(struct checkout *io, int64_t now)
{
    co_bg_tick(io, now);
    if (now >= co_deadline(&io->co)) {
        struct co_event e = {.in = CO_IN_TICK};
        feed(io, &e, now);
    }
}

int64_t co_io_deadline(const struct checkout *io)
{
    int64_t d = co_deadline(&io->co), b = co_bg_deadline(io);
    return b < d ? b : d;
}

int co_io_idle(const struct checkout *io)
{
    for (int i = 0; i < CO_PRINTS_MAX; i++)
        if (io->prints[i].handle)
            return 0;
    return !io->recording && !co_bg_settling(io);
}
