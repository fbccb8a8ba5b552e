#include "kiosk/app/checkout_io.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kiosk/app/receipt.h"
#include "kiosk/backend/backend.h"
#include "kiosk/core/i18n.h"
#include "kiosk/core/log.h"
#include "kiosk/core/money.h"
#include "kiosk/core/sign.h"
#include "kiosk/journal/journal.h"

#define TAG_CHECKOUT 3 /* low four bits of a backend tag; the call kind above them */
#define TAG_RECOVERY 4 /* recovery calls: the step in bits 4-7, the intent's slot above */
#define MAX_RECOVER 16
#define RECOVER_RETRY_MS 10000

enum { REC_QUERY = 1, REC_COMPLETE, REC_CANCEL };

/* A payment intent found unfinished at start, being resolved with the backend. */
struct recovery {
    int64_t intent_id;
    char otn[72], order_id[72], txn_no[72];
    char payload[320];
    int64_t amount_fen;
    int active;
    int64_t retry_at_ms;
};

struct checkout_io {
    struct station *st;
    const struct kiosk_config *cfg;
    struct text_engine *const *te; /* the app's, which a resize may replace */
    struct checkout co;
    int64_t intent_id;
    char invoice_url[160];
    int redraw, home;
    int printing;
    struct recovery rec[MAX_RECOVER];
};

struct checkout_io *cio_create(struct station *st, const struct kiosk_config *cfg,
                               struct text_engine *const *te)
{
    struct checkout_io *io = calloc(1, sizeof *io);
    if (!io)
        return NULL;
    io->st = st;
    io->cfg = cfg;
    io->te = te;
    checkout_init(&io->co);
    return io;
}

void cio_destroy(struct checkout_io *io)
{
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

static void send(struct checkout_io *io, enum co_call call, const char *method, const char *path,
                 const char *body, const char *key)
{
    struct backend *be = station_backend(io->st);
    struct backend_request rq = {method, path, body, key, 0, ((int64_t)call << 4) | TAG_CHECKOUT};
    if (!be || backend_call(be, &rq, NULL) != 0) {
        struct co_event e = {.in = CI_CALL_FAILED, .call = call, .err_code = ""};
        struct effects fx = {.n = 0};
        checkout_step(&io->co, &e, 0, &fx);
    }
}

static void do_call(struct checkout_io *io, enum co_call call, const char *subject)
{
    const struct checkout *c = &io->co;
    char path[160], body[1400], key[80];
    switch (call) {
    case CALL_PRODUCT:
        snprintf(path, sizeof path, "/v1/products/%s", subject);
        send(io, call, "GET", path, NULL, NULL);
        break;
    case CALL_PUMPS:
        send(io, call, "GET", "/v1/pumps", NULL, NULL);
        break;
    case CALL_LOCK:
    case CALL_UNLOCK:
        snprintf(path, sizeof path, "/v1/sales/%s/%s", subject, call == CALL_LOCK ? "lock" : "unlock");
        snprintf(key, sizeof key, "%s-%s", c->txn_no, call == CALL_LOCK ? "lock" : "unlock");
        send(io, call, "POST", path, "{}", key);
        break;
    case CALL_PRICE: {
        int n = snprintf(body, sizeof body, "{\"order_id\":\"%s\",\"sale_ids\":[", c->order_id);
        if (c->has_sale)
            n += snprintf(body + n, sizeof body - (size_t)n, "\"%s\"", c->sale.id);
        n += snprintf(body + n, sizeof body - (size_t)n, "],\"items\":[");
        for (int i = 0; i < c->nitems && n < (int)sizeof body; i++)
            n += snprintf(body + n, sizeof body - (size_t)n, "%s{\"barcode\":\"%s\",\"qty\":%d}",
                          i ? "," : "", c->items[i].barcode, c->items[i].qty);
        if (n < (int)sizeof body)
            snprintf(body + n, sizeof body - (size_t)n, "]}");
        snprintf(key, sizeof key, "%s-price-%d", c->txn_no, c->pricing_round);
        send(io, call, "POST", "/v1/orders", body, key);
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
        /* the out_trade_no is the idempotency key of the payment */
        checkout_forget_code(&io->co);
        send(io, call, "POST", "/v1/payments", body, c->otn);
        sign_wipe(body, sizeof body);
        break;
    case CALL_QUERY:
        snprintf(path, sizeof path, "/v1/payments/%s", subject);
        send(io, call, "GET", path, NULL, NULL);
        break;
    case CALL_CANCEL:
        snprintf(path, sizeof path, "/v1/payments/%s/cancel", subject);
        snprintf(key, sizeof key, "%s-cancel", subject);
        send(io, call, "POST", path, "{}", key);
        break;
    case CALL_COMPLETE:
        snprintf(path, sizeof path, "/v1/orders/%s/complete", subject);
        snprintf(body, sizeof body, "{\"out_trade_no\":\"%s\"}", c->otn);
        snprintf(key, sizeof key, "%s-complete", c->txn_no);
        send(io, call, "POST", path, body, key);
        break;
    }
}

/* The receipt: everything a driver and an auditor need, nothing private. */
static void print_receipt(struct checkout_io *io)
{
    const struct checkout *c = &io->co;
    const char *lang = i18n_lang();
    struct slip *s = slip_create(*io->te, io->cfg->printer_width_dots);
    if (!s)
        return;
    char a[64], b[64], when[40];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    int big = io->cfg->printer_width_dots >= 576 ? 40 : 32, normal = big * 3 / 4;
    slip_text(s, io->cfg->station_name[0] ? io->cfg->station_name : i18n_get_in(lang, "Self-service kiosk"),
              big, 1, SLIP_CENTER);
    slip_text(s, c->has_sale ? i18n_get_in(lang, "Fuel receipt") : i18n_get_in(lang, "Receipt"),
              normal, 1, SLIP_CENTER);
    slip_rule(s);
    slip_pair(s, i18n_get_in(lang, "Transaction"), c->txn_no, normal, 0);
    slip_pair(s, i18n_get_in(lang, "Terminal"), io->cfg->terminal_id, normal, 0);
    slip_pair(s, i18n_get_in(lang, "Time"), when, normal, 0);
    slip_rule(s);
    if (c->has_sale) {
        snprintf(a, sizeof a, i18n_get_in(lang, "Pump %d"), c->sale.pump);
        slip_pair(s, a, c->sale.grade, normal, 0);
        volume_format(c->sale.volume_ml, b, sizeof b);
        slip_pair(s, i18n_get_in(lang, "Volume"), b, normal, 0);
        money_format(c->sale.price_fen, a, sizeof a);
        slip_pair(s, i18n_get_in(lang, "Price"), a, normal, 0);
        money_format(c->sale.amount_fen, a, sizeof a);
        slip_pair(s, i18n_get_in(lang, "Amount"), a, normal, 0);
        slip_rule(s);
    }
    for (int i = 0; i < c->nitems; i++) {
        const struct co_item *it = &c->items[i];
        char name[96];
        snprintf(name, sizeof name, "%s x%d", strcmp(lang, "zh_CN") ? it->name_en : it->name_zh,
                 it->qty);
        money_format(it->unit_fen * it->qty, a, sizeof a);
        slip_pair(s, name, a, normal, 0);
    }
    if (c->nitems)
        slip_rule(s);
    money_format(c->total_fen, a, sizeof a);
    slip_pair(s, i18n_get_in(lang, "Paid"), a, big, 1);
    snprintf(b, sizeof b, "%s%s%s",
             !strcmp(c->channel, "alipay") || (c->code_masked[0] && c->code_masked[0] >= '2')
                 ? i18n_get_in(lang, "Alipay")
                 : i18n_get_in(lang, "WeChat"),
             c->code_masked[0] ? " " : "", c->code_masked);
    slip_pair(s, i18n_get_in(lang, "Payment"), b, normal, 0);
    slip_gap(s, 12);
    slip_qr(s, io->invoice_url, io->cfg->printer_width_dots >= 576 ? 7 : 5);
    slip_text(s, i18n_get_in(lang, "Scan for your e-invoice"), normal, 0, SLIP_CENTER);
    if (station_print(io->st, slip_bitmap(s), c->txn_no) == 0)
        io->printing = 1;
    else
        io->co.printed = -1; /* no printer: the e-receipt QR on screen */
    slip_destroy(s);
}

static void run(struct checkout_io *io, const struct effects *fx)
{
    struct journal *j = station_journal(io->st);
    const struct checkout *c = &io->co;
    for (int i = 0; i < fx->n; i++) {
        const struct effect *e = &fx->v[i];
        switch (e->kind) {
        case EFF_REDRAW:
            io->redraw = 1;
            break;
        case EFF_HOME:
            io->home = 1;
            break;
        case EFF_INTENT: {
            char payload[300];
            snprintf(payload, sizeof payload,
                     "{\"order_id\":\"%s\",\"sale_id\":\"%s\",\"amount_fen\":%lld,\"mode\":\"%s\","
                     "\"channel\":\"%s\",\"code\":\"%s\"}",
                     c->order_id, c->sale.id, (long long)c->total_fen,
                     c->mode == CO_PAY_QR ? "native" : "micropay", c->channel, c->code_masked);
            if (!j || journal_intent_begin(j, "payment", "checkout", e->arg, payload,
                                           (int64_t)time(NULL) * 1000, &io->intent_id) != KERR_OK) {
                /* Without the intent on disk no money may move: skip the call. */
                log_error("checkout", "payment intent %s not journaled: payment refused", e->arg);
                struct co_event f = {.in = CI_CALL_FAILED, .call = CALL_PAY, .err_code = "JOURNAL"};
                struct effects fx2 = {.n = 0};
                checkout_step(&io->co, &f, 0, &fx2);
                run(io, &fx2);
                return;
            }
            break;
        }
        case EFF_OUTCOME:
            if (j && io->intent_id)
                journal_intent_finish(j, io->intent_id,
                                      e->i == 1 ? INTENT_DONE : INTENT_FAILED, e->arg, "{}",
                                      (int64_t)time(NULL) * 1000);
            io->intent_id = 0;
            break;
        case EFF_TXN: {
            char payload[400];
            snprintf(payload, sizeof payload,
                     "{\"order_id\":\"%s\",\"out_trade_no\":\"%s\",\"sale_id\":\"%s\",\"pump\":%d,"
                     "\"grade\":\"%s\",\"volume_ml\":%lld,\"price_fen_per_l\":%lld,"
                     "\"amount_fen\":%lld,\"mode\":\"%s\",\"code\":\"%s\",\"items\":%d}",
                     c->order_id, c->otn, c->has_sale ? c->sale.id : "", c->sale.pump,
                     c->sale.grade, (long long)c->sale.volume_ml, (long long)c->sale.price_fen,
                     (long long)c->total_fen, c->mode == CO_PAY_QR ? "native" : "micropay",
                     c->code_masked, c->nitems);
            if (!j || journal_txn_add(j, c->txn_no, "sale", c->total_fen, payload,
                                      (int64_t)time(NULL) * 1000) != KERR_OK)
                log_error("checkout", "transaction %s not journaled", c->txn_no);
            snprintf(io->invoice_url, sizeof io->invoice_url, "https://inv.example/t/%s",
                     c->txn_no);
            break;
        }
        case EFF_PRINT:
            print_receipt(io);
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
    struct effects fx = {.n = 0};
    checkout_step(&io->co, e, now, &fx);
    run(io, &fx);
}

void cio_start(struct checkout_io *io, int shop_only, int64_t now)
{
    char txn[40] = "";
    struct journal *j = station_journal(io->st);
    if (!j || journal_next_txn_no(j, io->cfg->terminal_id, (int64_t)time(NULL), txn,
                                  sizeof txn) != KERR_OK)
        snprintf(txn, sizeof txn, "%s-%lld", io->cfg->terminal_id, (long long)time(NULL));
    io->invoice_url[0] = '\0';
    io->printing = 0;
    struct co_event e = {.in = CI_START, .text = txn, .index = shop_only,
                         .amount = (int64_t)io->cfg->printer_reprint_s * 1000};
    cio_input(io, &e, now);
}

static void rec_send(struct checkout_io *io, int slot, int step)
{
    struct recovery *r = &io->rec[slot];
    struct backend *be = station_backend(io->st);
    char path[160], body[160], key[96];
    struct backend_request rq = {"GET", path, NULL, NULL, 0,
                                 ((int64_t)slot << 8) | ((int64_t)step << 4) | TAG_RECOVERY};
    if (step == REC_QUERY) {
        snprintf(path, sizeof path, "/v1/payments/%s", r->otn);
    } else if (step == REC_CANCEL) {
        snprintf(path, sizeof path, "/v1/payments/%s/cancel", r->otn);
        snprintf(key, sizeof key, "%s-cancel", r->otn);
        rq.method = "POST", rq.body = "{}", rq.idem_key = key;
    } else {
        snprintf(path, sizeof path, "/v1/orders/%s/complete", r->order_id);
        snprintf(body, sizeof body, "{\"out_trade_no\":\"%s\"}", r->otn);
        snprintf(key, sizeof key, "%s-complete", r->txn_no);
        rq.method = "POST", rq.body = body, rq.idem_key = key;
    }
    if (!be || backend_call(be, &rq, NULL) != 0)
        r->retry_at_ms = 1; /* try again on the next tick */
}

/* Settles a recovered intent: `paid` records the transaction first. */
static void rec_settle(struct checkout_io *io, int slot, int paid, const char *status)
{
    struct recovery *r = &io->rec[slot];
    struct journal *j = station_journal(io->st);
    int64_t now = (int64_t)time(NULL) * 1000;
    if (paid) {
        char payload[480];
        snprintf(payload, sizeof payload, "{\"out_trade_no\":\"%s\",\"recovered\":true,\"intent\":%s}",
                 r->otn, r->payload);
        enum kerr e = journal_txn_add(j, r->txn_no, "sale", r->amount_fen, payload, now);
        if (e != KERR_OK && e != KERR_CONFLICT)
            return; /* try again later: the intent stays open */
    }
    journal_intent_finish(j, r->intent_id, paid ? INTENT_DONE : INTENT_FAILED, status, "{}", now);
    log_info("checkout", "recovered payment %s: %s%s", r->otn, status,
             paid ? " (sale recorded; receipt available for reprint)" : "");
    r->active = 0;
}

static void rec_collect(const struct intent *it, void *user)
{
    struct checkout_io *io = user;
    if (strcmp(it->kind, "payment") || strcmp(it->flow, "checkout"))
        return;
    for (int i = 0; i < MAX_RECOVER; i++) {
        struct recovery *r = &io->rec[i];
        if (r->active)
            continue;
        memset(r, 0, sizeof *r);
        r->active = 1;
        r->intent_id = it->id;
        snprintf(r->otn, sizeof r->otn, "%s", it->idem_key);
        snprintf(r->payload, sizeof r->payload, "%s", it->payload);
        /* the transaction number is the out_trade_no without its "-P<attempt>" */
        snprintf(r->txn_no, sizeof r->txn_no, "%s", it->idem_key);
        char *dash = strrchr(r->txn_no, '-');
        if (dash && dash[1] == 'P')
            *dash = '\0';
        cJSON *p = cJSON_Parse(it->payload);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "order_id");
        snprintf(r->order_id, sizeof r->order_id, "%s", cJSON_IsString(v) ? v->valuestring : "");
        v = cJSON_GetObjectItemCaseSensitive(p, "amount_fen");
        r->amount_fen = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
        cJSON_Delete(p);
        return;
    }
}

void cio_recover(struct checkout_io *io)
{
    struct journal *j = station_journal(io->st);
    if (!j)
        return;
    journal_intents_unfinished(j, rec_collect, io);
    for (int i = 0; i < MAX_RECOVER; i++)
        if (io->rec[i].active) {
            log_info("checkout", "payment %s was left unfinished: asking the backend",
                     io->rec[i].otn);
            rec_send(io, i, REC_QUERY);
        }
}

/* A recovery answer: decide from the payment's final state. */
static void rec_event(struct checkout_io *io, const struct backend_result *res, int64_t now)
{
    int slot = (int)(res->tag >> 8), step = (int)((res->tag >> 4) & 0xF);
    if (slot < 0 || slot >= MAX_RECOVER || !io->rec[slot].active)
        return;
    struct recovery *r = &io->rec[slot];
    int answered = res->outcome == BE_OK;
    const char *status = "";
    const cJSON *v = res->json ? cJSON_GetObjectItemCaseSensitive(res->json, "status") : NULL;
    if (cJSON_IsString(v))
        status = v->valuestring;
    if (!answered || res->status >= 500) {
        r->retry_at_ms = now + RECOVER_RETRY_MS; /* unreachable: ask again later */
        return;
    }
    if (step == REC_QUERY || step == REC_CANCEL) {
        if (res->status == 404) {
            rec_settle(io, slot, 0, "NEVER_CREATED"); /* the request never reached them */
        } else if (!strcmp(status, "PAID")) {
            if (step == REC_QUERY)
                rec_send(io, slot, REC_COMPLETE);
        } else if (!strcmp(status, "CLOSED") || !strcmp(status, "REVERSED")) {
            rec_settle(io, slot, 0, status);
        } else {
            rec_send(io, slot, REC_CANCEL); /* CREATED or USERPAYING: nobody waits for it */
        }
    } else if (step == REC_COMPLETE) {
        rec_settle(io, slot, 1, "PAID");
    }
}

static const char *jstr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* Whole numbers only (money is integer fen); -1 otherwise. */
static int64_t jint(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e13 ||
        v->valuedouble != (double)(int64_t)v->valuedouble)
        return -1;
    return (int64_t)v->valuedouble;
}

static int parse_pumps(const cJSON *j, struct co_pump *pumps, int *n)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "pumps"), *p;
    *n = 0;
    if (!cJSON_IsArray(arr))
        return -1;
    cJSON_ArrayForEach(p, arr)
    {
        if (*n == CO_MAX_PUMPS)
            break;
        struct co_pump *cp = &pumps[*n];
        memset(cp, 0, sizeof *cp);
        cp->pump = (int)jint(p, "pump");
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(p, "unpaid_sales"))
        {
            if (cp->nsales == CO_MAX_SALES)
                break;
            struct co_sale *cs = &cp->sales[cp->nsales];
            snprintf(cs->id, sizeof cs->id, "%s", jstr(s, "sale_id"));
            snprintf(cs->grade, sizeof cs->grade, "%s", jstr(s, "grade"));
            cs->pump = cp->pump;
            cs->volume_ml = jint(s, "volume_ml");
            cs->price_fen = jint(s, "price_fen_per_l");
            cs->amount_fen = jint(s, "amount_fen");
            cs->locked_elsewhere = !strcmp(jstr(s, "status"), "locked");
            if (!cs->id[0] || cs->volume_ml < 0 || cs->price_fen < 0 || cs->amount_fen < 0)
                return -1; /* a reply we cannot trust with money */
            cp->nsales++;
        }
        if (cp->pump < 1)
            return -1;
        (*n)++;
    }
    return 0;
}

int cio_event(struct checkout_io *io, const struct ev *ev, int64_t now)
{
    if (ev->kind != EV_BACKEND)
        return 0;
    struct backend_result *r = ev->ptr;
    if ((r->tag & 0xF) == TAG_RECOVERY) {
        rec_event(io, r, now);
        backend_result_free(r);
        return 1;
    }
    if ((r->tag & 0xF) != TAG_CHECKOUT)
        return 0;
    enum co_call call = (enum co_call)(r->tag >> 4);
    struct co_event e = {.in = CI_CALL_FAILED, .call = call, .err_code = r->err_code,
                         .unknown = r->outcome_unknown};
    int ok = r->outcome == BE_OK && r->status >= 200 && r->status < 300 && r->json;
    static struct co_pump pumps[CO_MAX_PUMPS];
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
            e.amount = jint(r->json, "total_fen");
            if (e.amount > 0)
                e.in = CI_PRICED;
            break;
        case CALL_PAY:
        case CALL_QUERY:
        case CALL_CANCEL:
            e.in = CI_PAYMENT;
            e.text = jstr(r->json, "status");
            e.text2 = jstr(r->json, "code_url");
            break;
        case CALL_COMPLETE:
            e.in = CI_COMPLETED;
            break;
        case CALL_PRODUCT:
            e.amount = jint(r->json, "price_fen");
            e.text = jstr(r->json, "name_zh");
            e.text2 = jstr(r->json, "name_en");
            if (e.amount > 0)
                e.in = CI_PRODUCT;
            break;
        case CALL_UNLOCK:
            backend_result_free(r);
            return 1;
        }
    }
    if (e.in == CI_CALL_FAILED && !e.err_code[0] && r->outcome == BE_OK && r->status < 300)
        e.err_code = "BAD_RESPONSE";
    cio_input(io, &e, now);
    backend_result_free(r);
    return 1;
}

void cio_tick(struct checkout_io *io, int64_t now)
{
    int ok;
    for (int i = 0; i < MAX_RECOVER; i++)
        if (io->rec[i].active && io->rec[i].retry_at_ms && now >= io->rec[i].retry_at_ms) {
            io->rec[i].retry_at_ms = 0;
            rec_send(io, i, REC_QUERY);
        }
    if (io->printing && station_job_result(io->st, &ok)) {
        io->printing = 0;
        struct journal *j = station_journal(io->st);
        if (j)
            journal_txn_set_print_state(j, io->co.txn_no, ok ? "printed" : "failed");
        struct co_event e = {.in = CI_PRINTED, .ok = ok};
        cio_input(io, &e, now);
    }
    if (now >= checkout_deadline(&io->co)) {
        struct co_event e = {.in = CI_TICK};
        cio_input(io, &e, now);
    }
}

int64_t cio_deadline(const struct checkout_io *io)
{
    /* A finished print job arrives as an event, which wakes the loop: no polling for it. */
    return checkout_deadline(&io->co);
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
    if (c->has_sale && (c->state == CO_REVIEW || c->state == CO_PRICING ||
                        c->state == CO_LOOKUP || c->state == CO_CODE || c->state == CO_FAILED))
        do_call(io, CALL_UNLOCK, c->sale.id);
    (void)now;
    checkout_init(&io->co);
    io->home = io->redraw = 0;
}
