/* The fuel card service's glue (io.h). */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "core/clock.h"
#include "core/crash.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/sign.h"
#include "record.h"
#include "slip.h"

/* ---- the open load intents --------------------------------------------------------------- */

static int64_t open_find(const struct card_io *io, const char *load_id)
{
    for (int i = 0; i < CD_OPEN_MAX; i++)
        if (io->open[i].intent && !strcmp(io->open[i].load_id, load_id))
            return io->open[i].intent;
    return 0;
}

static void open_put(struct card_io *io, const char *load_id, int64_t intent)
{
    for (int i = 0; i < CD_OPEN_MAX; i++)
        if (!io->open[i].intent) {
            io->open[i].intent = intent;
            snprintf(io->open[i].load_id, sizeof io->open[i].load_id, "%s", load_id);
            return;
        }
    log_warn("card", "load %s: too many open loads to follow; the next start will", load_id);
}

static void open_drop(struct card_io *io, const char *load_id)
{
    for (int i = 0; i < CD_OPEN_MAX; i++)
        if (io->open[i].intent && !strcmp(io->open[i].load_id, load_id))
            memset(&io->open[i], 0, sizeof io->open[i]);
}

static void collect(const struct intent *it, void *user)
{
    struct card_io *io = user;
    if (strcmp(it->kind, "card_load") || strcmp(it->flow, "card"))
        return;
    log_info("card", "load %s left open by a restart: resolved when its card is back",
             it->idem_key);
    open_put(io, it->idem_key, it->id);
}

void cd_io_recover(struct card_io *io, int64_t now)
{
    struct journal *j = host_journal_reader(io->h);
    (void)now;
    if (j)
        journal_intents_unfinished(j, collect, io);
}

/* ---- journal writes (on the journal's worker) --------------------------------------------- */

struct w_record {
    int64_t intent;
    char load_id[40];
    int64_t amount_fen;
    char *record;
};

static enum kerr w_record(struct journal *j, void *arg, int64_t *value)
{
    const struct w_record *a = arg;
    (void)value;
    enum kerr e = a->intent ? journal_txn_settle(j, a->intent, a->load_id, "card_load",
                                                 a->amount_fen, a->record, clock_system_ms())
                            : journal_txn_add(j, a->load_id, "card_load", a->amount_fen,
                                              a->record, clock_system_ms());
    return e == KERR_CONFLICT || e == KERR_NOT_FOUND ? KERR_OK : e; /* recorded before */
}

static void w_record_free(void *arg)
{
    struct w_record *a = arg;
    free(a->record);
    free(a);
}

/* ---- the flow's effects ------------------------------------------------------------------- */

static void feed(struct card_io *io, const struct cd_event *e, int64_t now);

static void journal_failed(struct card_io *io, int64_t now)
{
    struct cd_event e = {.in = CD_IN_JOURNAL, .ok = 0};
    feed(io, &e, now);
}

static void write_intent(struct card_io *io, const struct cd_load_record *r, int64_t now)
{
    if (open_find(io, r->load_id)) { /* journaled before (the same load tried again) */
        struct cd_event e = {.in = CD_IN_JOURNAL, .ok = 1};
        feed(io, &e, now);
        return;
    }
    char *payload = cd_record_intent(r);
    io->writing = payload ? host_intent_begin(io->h, "card_load", r->load_id, payload) : 0;
    free(payload);
    if (!io->writing) {
        log_error("card", "load %s not journaled: the card is not written", r->load_id);
        journal_failed(io, now);
    }
}

static void write_record(struct card_io *io, const struct cd_load_record *r, int64_t now)
{
    struct w_record *a = calloc(1, sizeof *a);
    if (a) {
        a->intent = open_find(io, r->load_id);
        a->amount_fen = r->amount_fen;
        snprintf(a->load_id, sizeof a->load_id, "%s", r->load_id);
        a->record = cd_record_txn(r);
    }
    if (!a || !a->record) {
        if (a)
            w_record_free(a);
        journal_failed(io, now);
        return;
    }
    crash_point("card.record:before");
    io->writing = host_journal(io->h, w_record, a, w_record_free);
    if (!io->writing)
        journal_failed(io, now);
    else
        open_drop(io, r->load_id);
}

static void send_apdu(struct card_io *io, const struct apdu *a, int64_t now)
{
    if (a->n >= 2 && a->b[1] == 0x52)
        crash_point("card.credit:before");
    io->apdu = host_card_send(io->h, a->b, a->n);
    if (!io->apdu) { /* no reader: as if the card were gone */
        struct cd_event e = {.in = CD_IN_APDU, .ok = 0};
        feed(io, &e, now);
    }
}

static void send_call(struct card_io *io, const struct cd_request *rq, int64_t now)
{
    struct cd_http http;
    enum cd_call k = rq->call;
    if (k <= CD_CALL_NONE || k >= CD_CALL_LAST)
        return;
    if (io->calls[k])
        host_cancel(io->h, io->calls[k]);
    io->calls[k] = 0;
    if (cd_api_http(rq, &http) == 0) {
        struct backend_request br = {.method = http.method, .path = http.path,
                                     .body = http.body,
                                     .idem_key = http.key[0] ? http.key : NULL};
        io->calls[k] = host_call(io->h, &br);
    }
    cd_api_http_free(&http);
    if (!io->calls[k]) {
        struct cd_answer a;
        cd_api_answer(k, 0, NULL, "", &a);
        struct cd_event e = {.in = CD_IN_ANSWER, .call = k, .answer = &a};
        feed(io, &e, now);
    }
}

static void print_receipt(struct card_io *io)
{
    struct slip *s = cd_slip(host_text(io->h), host_config(io->h), i18n_lang(), &io->f);
    if (s && host_print(io->h, slip_bitmap(s), "card load"))
        log_info("card", "load receipt printing");
    else
        log_error("card", "load receipt not printed");
    slip_destroy(s);
}

struct slip *cd_io_reprint(struct card_io *io, const char *kind, const char *payload,
                           const char *lang)
{
    struct cd_load_record r;
    if (strcmp(kind, "card_load"))
        return NULL;
    if (cd_record_read_txn(payload, &r) != 0) {
        log_error("card", "a load record that does not read: no copy of it");
        return NULL;
    }
    log_info("card", "load %s: a copy of its receipt", r.load_id);
    return cd_slip_copy(host_text(io->h), host_config(io->h), lang, &r);
}

static void hand_over(struct card_io *io, const char *what, const char *arg, int64_t now)
{
    if (host_hand_over(io->h, what, arg, now) != 0) {
        log_warn("card", "nobody takes %s now", what);
        if (strcmp(what, "checkout.recharge"))
            return; /* a staff card nobody takes: the flow said it is no fuel card */
        struct cd_event e = {.in = CD_IN_PAID, .ok = 0};
        feed(io, &e, now);
    }
}

static void run(struct card_io *io, struct effects *fx, int64_t now)
{
    for (int i = 0; i < fx->n; i++) {
        struct effect *e = &fx->v[i];
        switch (e->kind) {
        case EFF_REDRAW:
            host_redraw(io->h);
            break;
        case EFF_HOME:
            host_done(io->h);
            break;
        case EFF_APDU:
            send_apdu(io, (const struct apdu *)e->data, now);
            break;
        case EFF_CALL:
            send_call(io, (const struct cd_request *)e->data, now);
            break;
        case EFF_INTENT:
            write_intent(io, (const struct cd_load_record *)e->data, now);
            break;
        case EFF_TXN:
            write_record(io, (const struct cd_load_record *)e->data, now);
            break;
        case EFF_PRINT:
            print_receipt(io);
            break;
        case EFF_HAND_OVER:
            hand_over(io, e->arg, (const char *)e->data, now);
            break;
        default:
            break;
        }
        sign_wipe(e->data, e->ndata); /* a VERIFY carries the PIN */
    }
}

/* Today in China (UTC+8) as YYYYMMDD: the card's expiry is a China date. */
static uint32_t today_cn(void)
{
    time_t t = (time_t)clock_wall_s() + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

static void feed(struct card_io *io, const struct cd_event *e, int64_t now)
{
    enum cd_state before = io->f.state;
    struct effects fx = {.n = 0};
    io->f.cfg.today = today_cn();
    io->f.cfg.wall_ms = clock_system_ms();
    cd_step(&io->f, e, now, &fx);
    if (io->f.state != before)
        log_info("card", "%s -> %s", cd_state_name(before), cd_state_name(io->f.state));
    if (io->f.state == CD_PIN && before != CD_PIN) {
        /* a fresh keypad for each entry; fixed under the test clock (golden screens) */
        uint64_t seed = 0;
        if (getenv(CLOCK_TEST_EPOCH_ENV))
            seed = 0x5EED0000u + io->shuffles;
        else {
            char hex[17];
            sign_random_hex(hex, 8);
            seed = strtoull(hex, NULL, 16);
        }
        io->shuffles++;
        cd_shuffle(&io->f, seed);
    }
    run(io, &fx, now);
}

void cd_io_input(struct card_io *io, const struct cd_event *e, int64_t now)
{
    feed(io, e, now);
}

/* ---- answers ------------------------------------------------------------------------------ */

void cd_io_result(struct card_io *io, const struct host_result *r, int64_t now)
{
    static struct cd_answer a;
    switch (r->kind) {
    case HR_CARD:
        if (io->apdu && r->handle == io->apdu) {
            io->apdu = 0;
            struct cd_event e = {.in = CD_IN_APDU, .ok = r->ok, .data = r->data, .len = r->len};
            feed(io, &e, now);
        }
        break;
    case HR_CALL:
        if (r->call->outcome == BE_OK && r->call->status == 401)
            host_backend_refused(io->h, r->call->err_code);
        for (int k = 1; k < CD_CALL_LAST; k++)
            if (io->calls[k] && io->calls[k] == r->handle) {
                io->calls[k] = 0;
                int status = r->call->outcome == BE_OK ? r->call->status : 0;
                cd_api_answer((enum cd_call)k, status, r->call->json, r->call->err_code, &a);
                struct cd_event e = {.in = CD_IN_ANSWER, .call = (enum cd_call)k, .answer = &a};
                feed(io, &e, now);
                return;
            }
        break;
    case HR_JOURNAL:
        if (io->writing && r->handle == io->writing) {
            io->writing = 0;
            if (r->err == KERR_OK && io->f.step == CS_INTENT) {
                open_put(io, io->f.load.load_id, r->value);
                crash_point("card.intent:after");
            }
            if (r->err == KERR_OK && io->f.step == CS_RECORD)
                host_outbox_poke(io->h);
            struct cd_event e = {.in = CD_IN_JOURNAL, .ok = r->err == KERR_OK};
            feed(io, &e, now);
        }
        break;
    default:
        break;
    }
}

void cd_io_tick(struct card_io *io, int64_t now)
{
    if (now >= cd_deadline(&io->f)) {
        io->apdu = 0; /* a late answer is not this flow's any more */
        struct cd_event e = {.in = CD_IN_TICK};
        feed(io, &e, now);
    }
}

int64_t cd_io_deadline(const struct card_io *io)
{
    return cd_deadline(&io->f);
}

/* "100,200,500,1000" into fen. */
static int presets(const char *s, int64_t out[CD_NPRESETS])
{
    int n = 0;
    while (*s && n < CD_NPRESETS) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1 || v > 99999)
            return -1;
        out[n++] = (int64_t)v * 100;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return n == CD_NPRESETS && !*s ? 0 : -1;
}

int cd_io_open(struct card_io *io, struct host_svc *h, const struct cd_options *opt, char *err,
               size_t errcap)
{
    io->h = h;
    io->opt = opt;
    struct cd_config *c = &io->cfg;
    memset(c, 0, sizeof *c);
    size_t n = strlen(opt->aid);
    if (n % 2 || n < 10 || n > 32 || card_unhex(opt->aid, c->aid, n / 2)) {
        snprintf(err, errcap, "[card] aid: 5 to 16 bytes in hex");
        return -1;
    }
    c->aid_len = n / 2;
    if (presets(opt->presets, c->presets_fen) != 0) {
        snprintf(err, errcap, "[card] presets: four amounts in yuan, \"100,200,500,1000\"");
        return -1;
    }
    c->pin_len = opt->pin_len;
    /* the terminal id the card sees: the digits of the kiosk's, as 12 BCD digits */
    const char *tid = host_config(h)->terminal_id;
    char digits[13] = "000000000000";
    size_t k = 12;
    for (const char *p = tid + strlen(tid); p > tid && k > 0;)
        if (*--p >= '0' && *p <= '9')
            digits[--k] = *p;
    card_unhex(digits, c->term_id, 6);
    c->terminal = tid;
    cd_init(&io->f, c);
    return 0;
}

void cd_io_leave(struct card_io *io, int64_t now)
{
    (void)now;
    for (int k = 1; k < CD_CALL_LAST; k++) {
        if (io->calls[k] && (k != CD_CALL_CONFIRM))
            host_cancel(io->h, io->calls[k]);
        io->calls[k] = 0;
    }
    io->apdu = 0;
    cd_wipe(&io->f);
}

int cd_io_idle(const struct card_io *io)
{
    return !io->writing && !cd_busy(&io->f);
}
