/* Background settlement: payments nobody waits for at the screen any more, and sale locks
 * to give back. Each job is a settle.c machine; this file runs its effects (requests, the
 * journal writes that record or fail a payment) and feeds it the answers. At start it takes
 * up what a crash or power cut left open, and tells whoever stands at the kiosk what became
 * of the latest payment (the restart notice). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "core/sign.h"
#include "io.h"

/* ---- the restart notice ------------------------------------------------------------------ */

void co_bg_notice_close(struct checkout *io)
{
    if (io->notice.state != NOTICE_NONE)
        host_redraw(io->h);
    memset(&io->notice, 0, sizeof io->notice);
    for (int i = 0; i < CO_BG_MAX; i++)
        io->bg[i].notice = 0;
}

/* The restart notice learns the outcome of its payment. */
static void notice_outcome(struct checkout *io, enum notice_state st)
{
    static const char *const said[] = {"", "checking", "paid", "no money taken"};
    io->notice.state = st;
    io->notice.unreachable = 0;
    io->notice.until_ms = clock_now_ms() + RESTART_NOTICE_SHOW_MS;
    host_redraw(io->h);
    log_info("checkout", "restart notice: %s, %s", io->notice.txn_no, said[st]);
}

static void notice_begin(struct checkout *io, enum notice_state st, const char *txn_no,
                         int64_t amount_fen)
{
    io->notice = (struct restart_notice){.state = st, .amount_fen = amount_fen};
    snprintf(io->notice.txn_no, sizeof io->notice.txn_no, "%s", txn_no);
    if (st == NOTICE_CHECKING)
        log_info("checkout", "restart notice: %s, checking", txn_no);
    else
        notice_outcome(io, st);
}

void co_bg_notice_receipt(struct checkout *io, const char *txn_no, int ok)
{
    if (io->notice.state == NOTICE_PAID && !strcmp(txn_no, io->notice.txn_no)) {
        io->notice.receipt = ok ? 1 : -1;
        host_redraw(io->h);
    }
}

/* ---- journal writes (on the journal's worker thread) ------------------------------------- */

/* A paid payment: the sale recorded once, from its journaled order. */
struct w_paid {
    int64_t intent;
    char otn[40], order_id[48], txn_no[40];
    char mode[12], channel[12], code_masked[32];
    int64_t amount_fen, paid_unix;
    char token[CO_TOKEN_LEN + 1];
};

/* value: 1 when recorded now, 0 when it was recorded already. */
static enum kerr w_paid(struct journal *j, void *arg, int64_t *value)
{
    const struct w_paid *a = arg;
    struct sale_record rec;
    char *body = NULL;
    if (journal_order_get(j, a->order_id, &body) != KERR_OK || record_decode(body, &rec) != 0) {
        /* no order on record (an older journal): what the intent knows */
        memset(&rec, 0, sizeof rec);
        snprintf(rec.txn_no, sizeof rec.txn_no, "%s", a->txn_no);
        snprintf(rec.order_id, sizeof rec.order_id, "%s", a->order_id);
        rec.total_fen = rec.subtotal_fen = a->amount_fen;
    }
    free(body);
    snprintf(rec.out_trade_no, sizeof rec.out_trade_no, "%s", a->otn);
    snprintf(rec.mode, sizeof rec.mode, "%s", a->mode);
    snprintf(rec.channel, sizeof rec.channel, "%s", a->channel);
    snprintf(rec.code_masked, sizeof rec.code_masked, "%s", a->code_masked);
    rec.paid_unix = a->paid_unix;
    rec.e_receipt = 0;
    if (!rec.invoice_token[0])
        snprintf(rec.invoice_token, sizeof rec.invoice_token, "%s", a->token);
    char *text = record_encode(&rec);
    enum kerr e = text ? journal_txn_settle(j, a->intent, rec.txn_no, "sale", rec.total_fen,
                                            text, clock_system_ms())
                       : KERR_NOMEM;
    free(text);
    *value = e == KERR_OK;
    return e == KERR_CONFLICT || e == KERR_NOT_FOUND ? KERR_OK : e;
}

/* ---- jobs -------------------------------------------------------------------------------- */

static void feed(struct checkout *io, int slot, const struct settle_event *e, int64_t now);

static struct co_bg *free_slot(struct checkout *io)
{
    for (int i = 0; i < CO_BG_MAX; i++)
        if (io->bg[i].job.state == SETTLE_IDLE) {
            memset(&io->bg[i], 0, sizeof io->bg[i]);
            return &io->bg[i];
        }
    return NULL;
}

static void send(struct checkout *io, int slot, enum settle_call k, int64_t now)
{
    struct co_bg *b = &io->bg[slot];
    static const enum co_call calls[SC_LAST] = {[SC_QUERY] = CO_CALL_QUERY,
                                                [SC_CANCEL] = CO_CALL_CANCEL,
                                                [SC_COMPLETE] = CO_CALL_COMPLETE,
                                                [SC_UNLOCK] = CO_CALL_UNLOCK};
    struct co_request rq;
    struct co_http http;
    memset(&rq, 0, sizeof rq);
    rq.call = calls[k];
    snprintf(rq.subject, sizeof rq.subject, "%s", k == SC_UNLOCK ? b->sale_id : b->otn);
    snprintf(rq.otn, sizeof rq.otn, "%s", b->otn);
    snprintf(rq.order_id, sizeof rq.order_id, "%s", b->order_id);
    snprintf(rq.txn_no, sizeof rq.txn_no, "%s", b->txn_no);
    if (b->call)
        host_cancel(io->h, b->call); /* an answer given up on: not asked twice */
    b->call = 0;
    if (co_api_http(&rq, &http) == 0) {
        struct backend_request br = {.method = http.method, .path = http.path,
                                     .body = http.body,
                                     .idem_key = http.key[0] ? http.key : NULL};
        b->call = host_call(io->h, &br);
    }
    co_api_http_free(&http);
    if (!b->call) {
        /* no backend client: as if nobody answered (the job tries again later) */
        struct settle_answer a = {.call = k};
        struct settle_event ev = {.in = SE_ANSWER, .answer = &a};
        feed(io, slot, &ev, now);
    }
}

/* The payment went through: recorded (once) and its receipt printed, when the write answers. */
static void record_paid(struct checkout *io, int slot, int64_t now)
{
    struct co_bg *b = &io->bg[slot];
    struct w_paid *a = calloc(1, sizeof *a);
    if (a) {
        a->intent = b->pay_intent;
        snprintf(a->otn, sizeof a->otn, "%s", b->otn);
        snprintf(a->order_id, sizeof a->order_id, "%s", b->order_id);
        snprintf(a->txn_no, sizeof a->txn_no, "%s", b->txn_no);
        snprintf(a->mode, sizeof a->mode, "%s", b->mode);
        snprintf(a->channel, sizeof a->channel, "%s", b->channel);
        snprintf(a->code_masked, sizeof a->code_masked, "%s", b->code_masked);
        a->amount_fen = b->amount_fen;
        a->paid_unix = clock_wall_s();
        sign_random_token(a->token, CO_TOKEN_LEN);
        b->write = host_journal(io->h, w_paid, a, free);
    }
    if (!b->write) {
        struct settle_event ev = {.in = SE_RECORDED, .ok = 0};
        feed(io, slot, &ev, now);
    }
}

static void record_failed(struct checkout *io, int slot, const char *result, int64_t now)
{
    struct co_bg *b = &io->bg[slot];
    b->write = host_intent_finish(io->h, b->pay_intent, INTENT_FAILED, result);
    if (!b->write) {
        struct settle_event ev = {.in = SE_WRITTEN, .ok = 0};
        feed(io, slot, &ev, now);
    }
}

/* The record of a paid payment was written (value 1) or found written before (0). */
static void paid_written(struct checkout *io, struct co_bg *b, int64_t value)
{
    if (value) {
        host_outbox_poke(io->h);
        log_info("checkout", "settled payment %s: paid; sale %s recorded, receipt printing",
                 b->otn, b->txn_no);
        int printing = co_io_print_txn(io, b->txn_no, 0, 0, NULL) == 0;
        if (!printing)
            co_io_print_state(io, b->txn_no, "failed");
        if (b->notice) {
            notice_outcome(io, NOTICE_PAID);
            io->notice.receipt = printing ? 0 : -1;
        }
        return;
    }
    log_info("checkout", "settled payment %s: paid; sale %s was recorded already", b->otn,
             b->txn_no);
    if (b->notice) { /* its receipt is as far as the journal says */
        char printed[16] = "";
        struct journal *j = host_journal_reader(io->h);
        if (j)
            journal_txn_get(j, b->txn_no, NULL, printed, sizeof printed, NULL);
        notice_outcome(io, NOTICE_PAID);
        io->notice.receipt = !strcmp(printed, "printed")   ? 1
                             : !strcmp(printed, "pending") ? 0
                                                           : -1; /* failed, unknown */
    }
}

static void run(struct checkout *io, int slot, const struct effects *fx, int64_t now)
{
    struct co_bg *b = &io->bg[slot];
    for (int i = 0; i < fx->n; i++) {
        const struct effect *e = &fx->v[i];
        switch (e->kind) {
        case EFF_CALL:
            send(io, slot, (enum settle_call)e->i, now);
            break;
        case EFF_TXN:
            record_paid(io, slot, now);
            break;
        case EFF_OUTCOME:
            record_failed(io, slot, e->arg, now);
            break;
        case EFF_RELEASE:
            log_info("checkout", "sale %s: lock %s", b->sale_id, e->arg);
            co_io_finish_intent(io, b->lock_intent, 1, e->arg);
            b->lock_intent = 0;
            break;
        case EFF_REDRAW:
            host_redraw(io->h); /* a job ended: the home menu may offer new sales again */
            break;
        default:
            break;
        }
    }
}

static void feed(struct checkout *io, int slot, const struct settle_event *e, int64_t now)
{
    struct effects fx = {.n = 0};
    settle_step(&io->bg[slot].job, e, now, &fx);
    run(io, slot, &fx, now);
}

static void begin(struct checkout *io, struct co_bg *b, int cancel, int64_t lease_end_ms,
                  int64_t now)
{
    struct effects fx = {.n = 0};
    if (b->pay_intent)
        settle_start_payment(&b->job, cancel, b->lock_intent != 0, lease_end_ms, now, &fx);
    else
        settle_start_release(&b->job, lease_end_ms, now, &fx);
    run(io, (int)(b - io->bg), &fx, now);
}

void co_bg_settle(struct checkout *io, const struct co_handover *ho, int cancel,
                  int64_t pay_intent, int64_t lock_intent, int64_t now)
{
    struct co_bg *r = free_slot(io);
    if (!r || !pay_intent) {
        log_error("checkout", "payment %s left for the next start to settle", ho->otn);
        return;
    }
    const struct co_intent *in = &ho->intent;
    *r = (struct co_bg){.pay_intent = pay_intent, .lock_intent = ho->locked ? lock_intent : 0,
                        .amount_fen = in->amount_fen, .created_ms = clock_system_ms()};
    snprintf(r->otn, sizeof r->otn, "%s", ho->otn);
    snprintf(r->order_id, sizeof r->order_id, "%s", in->order_id);
    snprintf(r->txn_no, sizeof r->txn_no, "%s", in->txn_no);
    snprintf(r->sale_id, sizeof r->sale_id, "%s", in->sale_id);
    snprintf(r->mode, sizeof r->mode, "%s", in->native ? "native" : "micropay");
    snprintf(r->channel, sizeof r->channel, "%s", in->channel);
    snprintf(r->code_masked, sizeof r->code_masked, "%s", in->code_masked);
    log_warn("checkout", "payment %s: settled in the background (asked first, then %s)", r->otn,
             cancel ? "cancelled" : "completed if paid");
    begin(io, r, cancel, now + ho->lock.lease_ms, now);
}

void co_bg_release(struct checkout *io, const struct co_lock *l, int64_t lock_intent,
                   int64_t now)
{
    struct co_bg *r = free_slot(io);
    if (!r) {
        log_error("checkout", "sale %s: its lock is left for the next start", l->sale_id);
        return;
    }
    *r = (struct co_bg){.lock_intent = lock_intent};
    snprintf(r->sale_id, sizeof r->sale_id, "%s", l->sale_id);
    snprintf(r->txn_no, sizeof r->txn_no, "%s", l->txn_no);
    begin(io, r, 0, now + l->lease_ms, now);
}

void co_bg_drop_release(struct checkout *io, const char *sale_id)
{
    for (int i = 0; i < CO_BG_MAX; i++) {
        struct co_bg *b = &io->bg[i];
        if (b->job.state == SETTLE_IDLE || b->pay_intent || strcmp(b->sale_id, sale_id))
            continue;
        if (b->call)
            host_cancel(io->h, b->call);
        co_io_finish_intent(io, b->lock_intent, 1, "taken again");
        b->job.state = SETTLE_IDLE;
    }
}

/* A backend answer or a journal write of job `slot`. */
static void answer(struct checkout *io, int slot, const struct host_result *r, int64_t now)
{
    struct co_bg *b = &io->bg[slot];
    if (r->kind == HR_JOURNAL) {
        b->write = 0;
        struct settle_event ev = {.in = b->job.state == SETTLE_RECORD ? SE_RECORDED : SE_WRITTEN,
                                  .ok = r->err == KERR_OK};
        if (ev.in == SE_RECORDED && ev.ok)
            paid_written(io, b, r->value);
        else if (ev.ok)
            log_info("checkout", "settled payment %s: %s, nothing charged", b->otn,
                     b->job.result);
        if (ev.in == SE_WRITTEN && ev.ok && b->notice)
            notice_outcome(io, NOTICE_NOT_PAID);
        feed(io, slot, &ev, now);
        return;
    }
    const struct backend_result *res = r->call;
    b->call = 0;
    struct settle_answer a = {.call = b->job.inflight,
                              .reached = res->outcome == BE_OK || res->outcome == BE_BAD_RESPONSE,
                              .status = res->outcome == BE_BAD_RESPONSE ? 200 : res->status,
                              .err_code = res->err_code,
                              .pay_status = json_str(res->json, "status")};
    if (b->notice && (!a.reached || a.status >= 500 || a.status == 429) &&
        !io->notice.unreachable) {
        io->notice.unreachable = 1;
        host_redraw(io->h);
    }
    struct settle_event ev = {.in = SE_ANSWER, .answer = &a};
    feed(io, slot, &ev, now);
}

int co_bg_result(struct checkout *io, const struct host_result *r, int64_t now)
{
    if (r->kind != HR_CALL && r->kind != HR_JOURNAL)
        return 0;
    for (int i = 0; i < CO_BG_MAX; i++) {
        struct co_bg *b = &io->bg[i];
        if (b->job.state == SETTLE_IDLE)
            continue;
        if ((r->kind == HR_CALL && b->call == r->handle) ||
            (r->kind == HR_JOURNAL && b->write == r->handle)) {
            answer(io, i, r, now);
            return 1;
        }
    }
    return 0;
}

void co_bg_tick(struct checkout *io, int64_t now)
{
    for (int i = 0; i < CO_BG_MAX; i++)
        if (io->bg[i].job.state != SETTLE_IDLE && now >= settle_deadline(&io->bg[i].job)) {
            struct settle_event ev = {.in = SE_TICK};
            feed(io, i, &ev, now);
        }
    if (io->notice.until_ms && now >= io->notice.until_ms)
        co_bg_notice_close(io);
}

int64_t co_bg_deadline(const struct checkout *io)
{
    int64_t d = INT64_MAX;
    for (int i = 0; i < CO_BG_MAX; i++) {
        int64_t b = settle_deadline(&io->bg[i].job);
        if (b < d)
            d = b;
    }
    if (io->notice.until_ms && io->notice.until_ms < d)
        d = io->notice.until_ms;
    return d;
}

int co_bg_settling(const struct checkout *io)
{
    for (int i = 0; i < CO_BG_MAX; i++)
        if (io->bg[i].job.state != SETTLE_IDLE)
            return 1;
    return 0;
}

/* ---- recovery at start ------------------------------------------------------------------- */

/* Takes an unfinished payment intent found in the journal. */
static void collect_payment(struct checkout *io, const struct intent *it)
{
    struct co_bg *r = free_slot(io);
    if (!r) {
        log_error("checkout", "payment %s left for the next start: too many to settle",
                  it->idem_key);
        return;
    }
    r->pay_intent = it->id;
    r->created_ms = it->created_ms;
    struct checkout_payment_intent pi;
    if (co_api_payment_intent(it->payload, it->idem_key, &pi) != 0)
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
static void collect_lock(struct checkout *io, const struct intent *it)
{
    char sale[sizeof io->bg[0].sale_id] = "", txn[sizeof io->bg[0].txn_no] = "";
    co_api_lock_intent(it->payload, sale, sizeof sale, txn, sizeof txn);
    for (int i = 0; i < CO_BG_MAX; i++) {
        struct co_bg *b = &io->bg[i];
        if (b->job.state != SETTLE_IDLE && b->pay_intent && !b->lock_intent &&
            !strcmp(b->txn_no, txn)) {
            b->lock_intent = it->id;
            return;
        }
    }
    struct co_bg *r = free_slot(io);
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
    struct checkout *io = user;
    int64_t total = 0;
    log_info("checkout", "sale %s: receipt not printed before the restart, printing it", txn_no);
    int rc = co_io_print_txn(io, txn_no, 1, 0, &total);
    if (rc != 0)
        co_io_print_state(io, txn_no, "failed");
    if (io->notice.state == NOTICE_NONE && rc != -2) {
        notice_begin(io, NOTICE_PAID, txn_no, total);
        io->notice.receipt = rc == 0 ? 0 : -1;
    }
}

void co_bg_recover(struct checkout *io)
{
    struct journal *j = host_journal_reader(io->h);
    int64_t now = clock_now_ms();
    if (!j)
        return;
    journal_intents_unfinished(j, collect_payments, io);
    journal_intents_unfinished(j, collect_locks, io);
    struct co_bg *latest = NULL;
    for (int i = 0; i < CO_BG_MAX; i++)
        if (io->bg[i].pay_intent && clock_system_ms() - io->bg[i].created_ms < RESTART_NOTICE_MS &&
            (!latest || io->bg[i].created_ms > latest->created_ms))
            latest = &io->bg[i];
    if (latest) { /* someone may still stand at the kiosk, waiting for it */
        latest->notice = 1;
        notice_begin(io, NOTICE_CHECKING, latest->txn_no, latest->amount_fen);
        /* nobody waits longer than that: it goes even if the backend never answers */
        io->notice.until_ms = now + RESTART_NOTICE_MS - (clock_system_ms() - latest->created_ms);
    }
    /* the unprinted are found before any job records a sale (and prints it) */
    journal_txns_unprinted(j, "sale", clock_system_ms() - (int64_t)io->opt->reprint_s * 1000,
                           print_unprinted, io);
    for (int i = 0; i < CO_BG_MAX; i++) {
        struct co_bg *b = &io->bg[i];
        if (b->job.state == SETTLE_IDLE)
            continue;
        log_info("checkout", "%s %s was left unfinished: %s", b->pay_intent ? "payment" : "lock",
                 b->pay_intent ? b->otn : b->sale_id,
                 b->pay_intent ? "asking the backend" : "releasing it");
        begin(io, b, 0, now + CO_LEASE_MS, now);
    }
}
