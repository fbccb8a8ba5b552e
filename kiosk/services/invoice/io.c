/* The e-invoice service's glue (io.h). */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/clock.h"
#include "core/crash.h"
#include "core/log.h"
#include "core/i18n.h"
#include "record.h"
#include "slip.h"

/* ---- journal writes: these run on the journal's worker thread ---------------------------- */

/* The backend has the request: the invoice recorded (and queued for upload) with its
 * intent settled, in one transaction. */
struct w_settle {
    int64_t intent;
    char key[48];
    int64_t total_fen;
    char *record;
};

static enum kerr w_settle(struct journal *j, void *arg, int64_t *value)
{
    const struct w_settle *a = arg;
    (void)value;
    enum kerr e = journal_txn_settle(j, a->intent, a->key, "invoice", a->total_fen, a->record,
                                     clock_system_ms());
    return e == KERR_CONFLICT || e == KERR_NOT_FOUND ? KERR_OK : e; /* settled before */
}

static void w_settle_free(void *arg)
{
    struct w_settle *a = arg;
    free(a->record);
    free(a);
}

static void settle(struct invoice *io, int64_t intent, const char *key, const char *payload,
                   const char *status, const char *number)
{
    struct w_settle *a = calloc(1, sizeof *a);
    if (!a)
        return;
    a->intent = intent;
    snprintf(a->key, sizeof a->key, "%s", key);
    a->record = inv_record_txn(payload, key, status, number, &a->total_fen);
    if (!a->record) { /* a payload that does not read: the intent ends, nothing recorded */
        free(a);
        log_error("invoice", "request %s: its intent does not read", key);
        return;
    }
    log_info("invoice", "request %s: %s", key, status);
    if (host_journal(io->h, w_settle, a, w_settle_free))
        host_outbox_poke(io->h);
}

static void finish(struct invoice *io, int64_t intent, enum intent_state st, const char *result)
{
    log_info("invoice", "intent %lld: %s", (long long)intent, result);
    host_intent_finish(io->h, intent, st, result);
}

/* ---- the background: requests whose outcome the backend has still to say ----------------- */

static void bg_add(struct invoice *io, int64_t intent, const char *key, char *payload,
                   int64_t now)
{
    for (int i = 0; i < INV_BG_MAX; i++)
        if (!io->bg[i].intent) {
            io->bg[i] = (struct inv_bg){.intent = intent, .payload = payload, .next_ms = now};
            snprintf(io->bg[i].key, sizeof io->bg[i].key, "%s", key);
            return;
        }
    log_error("invoice", "request %s: no room to follow it up; the next start will", key);
    free(payload);
}

static void bg_drop(struct inv_bg *b)
{
    free(b->payload);
    *b = (struct inv_bg){0};
}

static void bg_ask(struct invoice *io, struct inv_bg *b, int64_t now)
{
    struct inv_request rq = {.call = INV_CALL_CLOSE};
    struct inv_http http;
    snprintf(rq.subject, sizeof rq.subject, "%s", b->key);
    b->next_ms = now + (int64_t)io->opt->status_retry_s * 1000;
    if (inv_api_http(&io->f, &rq, &http) != 0)
        return;
    struct backend_request br = {.method = http.method, .path = http.path, .idem_key = http.key};
    b->call = host_call(io->h, &br);
    inv_api_http_free(&http);
}

/* What the backend says of a request followed up in the background (closing it: what
 * became of it, and if it never arrived it never will). */
static void bg_answer(struct invoice *io, struct inv_bg *b, const struct inv_answer *a)
{
    b->call = 0;
    if (a->ok && !strcmp(a->issue_status, "REFUSED")) {
        finish(io, b->intent, INTENT_FAILED, a->code);
    } else if (a->ok && !strcmp(a->issue_status, "CLOSED")) { /* never seen: none issued */
        finish(io, b->intent, INTENT_ABANDONED, "never seen");
    } else if (a->ok) { /* ISSUED or PENDING: the backend has it and finishes it */
        settle(io, b->intent, b->key, b->payload, a->issue_status, a->invoice.number);
    } else {
        return; /* no answer yet: asked again later */
    }
    bg_drop(b);
}

static void collect(const struct intent *it, void *user)
{
    struct invoice *io = user;
    if (strcmp(it->kind, "invoice") || strcmp(it->flow, "invoice"))
        return;
    log_info("invoice", "request %s left open by a restart: asking the backend", it->idem_key);
    bg_add(io, it->id, it->idem_key, strdup(it->payload ? it->payload : "{}"), 0);
}

void inv_io_recover(struct invoice *io, int64_t now)
{
    struct journal *j = host_journal_reader(io->h);
    (void)now;
    if (j)
        journal_intents_unfinished(j, collect, io);
}

/* ---- the flow's effects ------------------------------------------------------------------- */

static void feed(struct invoice *io, const struct inv_event *e, int64_t now);

static void send(struct invoice *io, const struct inv_request *rq, int64_t now)
{
    struct inv_http http;
    enum inv_call k = rq->call;
    if (k <= INV_CALL_NONE || k >= INV_CALL_LAST)
        return;
    if (io->calls[k] && k != INV_CALL_ISSUE)
        host_cancel(io->h, io->calls[k]); /* superseded */
    io->calls[k] = 0;
    if (k == INV_CALL_ISSUE)
        crash_point("invoice.issue:before");
    if (inv_api_http(&io->f, rq, &http) == 0) {
        struct backend_request br = {.method = http.method, .path = http.path,
                                     .body = http.body,
                                     .idem_key = http.key[0] ? http.key : NULL,
                                     .private_tail = http.private_tail};
        io->calls[k] = host_call(io->h, &br);
        if (k == INV_CALL_ISSUE && io->calls[k])
            log_info("invoice", "issue request %s sent", http.key);
    }
    inv_api_http_free(&http);
    if (!io->calls[k]) { /* it could not even be sent: as if nobody answered */
        struct inv_answer a;
        inv_api_answer(k, 0, NULL, "", &a);
        struct inv_event e = {.in = INV_IN_ANSWER, .call = k, .answer = &a};
        feed(io, &e, now);
    }
}

static void write_intent(struct invoice *io, int64_t now)
{
    free(io->payload);
    io->payload = inv_record_intent(&io->f);
    io->writing = io->payload ? host_intent_begin(io->h, "invoice", io->f.idem_key, io->payload)
                              : 0;
    if (!io->writing) {
        log_error("invoice", "request %s not journaled: not asked", io->f.idem_key);
        struct inv_event e = {.in = INV_IN_INTENT_WRITTEN, .ok = 0};
        feed(io, &e, now);
    }
}

static void print_slip(struct invoice *io)
{
    struct slip *s = inv_slip(host_text(io->h), host_config(io->h), i18n_lang(), &io->f);
    if (s && host_print(io->h, slip_bitmap(s), "invoice"))
        log_info("invoice", "slip printing");
    else
        log_error("invoice", "slip not printed");
    slip_destroy(s);
}

static void run(struct invoice *io, const struct effects *fx, int64_t now)
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
        case EFF_CALL:
            send(io, (const struct inv_request *)e->data, now);
            break;
        case EFF_INTENT:
            write_intent(io, now);
            break;
        case EFF_TXN: /* accepted: ISSUED or PENDING */
            settle(io, io->intent, e->arg, io->payload, io->f.result.status,
                   io->f.result.number);
            io->intent = 0;
            break;
        case EFF_OUTCOME:
            finish(io, io->intent, INTENT_FAILED, e->arg);
            io->intent = 0;
            break;
        case EFF_SETTLE: /* no answer: the background asks until the backend says */
            if (io->intent) {
                bg_add(io, io->intent, e->arg, io->payload, now);
                io->payload = NULL;
            }
            io->intent = 0;
            break;
        case EFF_PRINT:
            print_slip(io);
            break;
        default:
            break;
        }
    }
}

static void feed(struct invoice *io, const struct inv_event *e, int64_t now)
{
    struct effects fx = {.n = 0};
    inv_step(&io->f, e, now, &fx);
    run(io, &fx, now);
}

void inv_io_input(struct invoice *io, const struct inv_event *e, int64_t now)
{
    feed(io, e, now);
}

/* ---- answers ------------------------------------------------------------------------------ */

static void answer_of(enum inv_call k, const struct backend_result *r, struct inv_answer *a)
{
    int status = r->outcome == BE_OK ? r->status : 0;
    inv_api_answer(k, status, r->json, r->err_code, a);
}

void inv_io_result(struct invoice *io, const struct host_result *r, int64_t now)
{
    static struct inv_answer a; /* big (a sale's lines): the UI thread's only one */
    switch (r->kind) {
    case HR_CALL:
        if (r->call->outcome == BE_OK && r->call->status == 401)
            host_backend_refused(io->h, r->call->err_code);
        for (int i = 0; i < INV_BG_MAX; i++)
            if (io->bg[i].call && io->bg[i].call == r->handle) {
                answer_of(INV_CALL_CLOSE, r->call, &a);
                bg_answer(io, &io->bg[i], &a);
                return;
            }
        for (int k = 1; k < INV_CALL_LAST; k++)
            if (io->calls[k] && io->calls[k] == r->handle) {
                io->calls[k] = 0;
                answer_of((enum inv_call)k, r->call, &a);
                struct inv_event e = {.in = INV_IN_ANSWER, .call = (enum inv_call)k,
                                      .answer = &a};
                feed(io, &e, now);
                return;
            }
        break;
    case HR_JOURNAL:
        if (io->writing && r->handle == io->writing) {
            io->writing = 0;
            if (!io->f.intent_open) { /* the customer left before it was asked */
                if (r->err == KERR_OK)
                    finish(io, r->value, INTENT_ABANDONED, "not asked");
                break;
            }
            io->intent = r->err == KERR_OK ? r->value : 0;
            struct inv_event e = {.in = INV_IN_INTENT_WRITTEN, .ok = r->err == KERR_OK};
            feed(io, &e, now);
        }
        break;
    default:
        break;
    }
}

void inv_io_tick(struct invoice *io, int64_t now)
{
    for (int i = 0; i < INV_BG_MAX; i++)
        if (io->bg[i].intent && !io->bg[i].call && now >= io->bg[i].next_ms)
            bg_ask(io, &io->bg[i], now);
    if (now >= inv_deadline(&io->f)) {
        struct inv_event e = {.in = INV_IN_TICK};
        feed(io, &e, now);
    }
}

int64_t inv_io_deadline(const struct invoice *io)
{
    int64_t d = inv_deadline(&io->f);
    for (int i = 0; i < INV_BG_MAX; i++)
        if (io->bg[i].intent && !io->bg[i].call && io->bg[i].next_ms < d)
            d = io->bg[i].next_ms;
    return d;
}

void inv_io_open(struct invoice *io, struct host_svc *h, const struct inv_options *opt)
{
    io->h = h;
    io->opt = opt;
    inv_init(&io->f);
}

void inv_io_leave(struct invoice *io, int64_t now)
{
    for (int k = 1; k < INV_CALL_LAST; k++) {
        if (io->calls[k])
            host_cancel(io->h, io->calls[k]);
        io->calls[k] = 0;
    }
    if (io->intent) { /* asked, not answered yet: the background finds out */
        bg_add(io, io->intent, io->f.idem_key, io->payload, now);
        io->payload = NULL;
        io->intent = 0;
    }
    inv_wipe(&io->f);
    inv_init(&io->f);
}

int inv_io_idle(const struct invoice *io)
{
    for (int i = 0; i < INV_BG_MAX; i++)
        if (io->bg[i].intent)
            return 0;
    return !io->writing && !io->intent;
}

void inv_io_close(struct invoice *io)
{
    for (int i = 0; i < INV_BG_MAX; i++)
        bg_drop(&io->bg[i]);
    free(io->payload);
    io->payload = NULL;
}
