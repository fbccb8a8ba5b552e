/* The depot pickup's glue (io.h). */
#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "core/clock.h"
#include "core/codes.h"
#include "core/crash.h"
#include "core/i18n.h"
#include "core/json.h"
#include "core/log.h"
#include "core/sign.h"
#include "devices/hub.h"
#include "idcard/idcard.h"
#include "record.h"
#include "slip.h"

#define MOD "depot"
#define BG_PRINTER_MS 5000 /* a ticket waiting for the printer looks again this often */

static void feed(struct depot_io *io, const struct dp_event *e, int64_t now);

/* ---- journal writes (on the journal's worker) --------------------------------------------- */

struct w_record {
    char txn_no[72];
    char *record;
};

static enum kerr w_record(struct journal *j, void *arg, int64_t *value)
{
    const struct w_record *a = arg;
    (void)value;
    enum kerr e = journal_txn_add(j, a->txn_no, "depot_ticket", 0, a->record, clock_system_ms());
    return e == KERR_CONFLICT ? KERR_OK : e; /* recorded before */
}

static void w_record_free(void *arg)
{
    struct w_record *a = arg;
    free(a->record);
    free(a);
}

/* Queues the ticket's record: the handle, or 0. */
static uint64_t write_record(struct depot_io *io, const struct dp_ticket *k)
{
    struct w_record *a = calloc(1, sizeof *a);
    if (!a)
        return 0;
    dp_record_txn_no(k->order_id, a->txn_no, sizeof a->txn_no);
    a->record = dp_record_txn(k);
    if (!a->record) {
        w_record_free(a);
        return 0;
    }
    crash_point("depot.record:before");
    return host_journal(io->h, w_record, a, w_record_free);
}

/* ---- the background: tickets whose intent is open ------------------------------------------ */

static struct dp_open *bg_add(struct depot_io *io, int64_t intent, const struct dp_ticket *k,
                              enum dp_bg_stage stage, int recorded, int64_t now)
{
    for (int i = 0; i < DP_OPEN_MAX; i++) {
        struct dp_open *o = &io->open[i];
        if (o->stage != BG_NONE)
            continue;
        memset(o, 0, sizeof *o);
        o->stage = stage;
        o->intent = intent;
        o->k = *k;
        o->recorded = recorded;
        o->next_at = now;
        log_info(MOD, "ticket of %s followed in the background (%s)", k->order_id,
                 stage == BG_CALL ? "asking the backend" : "to print");
        return o;
    }
    log_warn(MOD, "ticket of %s: too many open tickets to follow; the next start will",
             k->order_id);
    return NULL;
}

static void bg_finish(struct depot_io *io, struct dp_open *o, enum intent_state st,
                      const char *why)
{
    log_info(MOD, "ticket of %s: %s", o->k.order_id, why);
    if (o->intent)
        host_intent_finish(io->h, o->intent, st, why);
    memset(o, 0, sizeof *o);
}

static void print_ticket(struct depot_io *io, const struct dp_ticket *k, uint64_t *job)
{
    struct slip *s = dp_slip(host_text(io->h), host_config(io->h), i18n_lang(), k);
    *job = s ? host_print(io->h, slip_bitmap(s), "loading ticket") : 0;
    slip_destroy(s);
    if (*job)
        log_info(MOD, "ticket %s printing%s", k->ticket_no, k->reprint ? " (reprint)" : "");
    else
        log_error(MOD, "ticket %s not printed: no printer", k->ticket_no);
}

struct slip *dp_io_reprint(struct depot_io *io, const char *kind, const char *payload,
                           const char *lang)
{
    struct dp_ticket k;
    if (strcmp(kind, "depot_ticket"))
        return NULL;
    if (dp_record_read(payload, &k) != 0 || !k.ticket_no[0]) {
        log_error(MOD, "a ticket record that does not read: no copy of it");
        return NULL;
    }
    k.reprint = 1; /* the same ticket: its number, marked 补打 */
    log_info(MOD, "ticket %s of %s: a copy", k.ticket_no, k.order_id);
    return dp_slip(host_text(io->h), host_config(io->h), lang, &k);
}

static uint64_t ticket_call(struct depot_io *io, const struct dp_ticket *k)
{
    struct dp_request rq = {.call = DP_CALL_TICKET};
    snprintf(rq.order_id, sizeof rq.order_id, "%s", k->order_id);
    snprintf(rq.driver_ref, sizeof rq.driver_ref, "%s", k->driver_ref);
    snprintf(rq.check_id, sizeof rq.check_id, "%s", k->check_id);
    snprintf(rq.terminal, sizeof rq.terminal, "%s", host_config(io->h)->terminal_id);
    struct dp_http http;
    uint64_t call = 0;
    if (dp_api_http(&rq, NULL, 0, NULL, 0, &http) == 0) {
        struct backend_request br = {.method = http.method, .path = http.path,
                                     .body = http.body, .idem_key = http.key};
        call = host_call(io->h, &br);
    }
    dp_api_http_free(&http);
    return call;
}

static void bg_turn(struct depot_io *io, int64_t now)
{
    for (int i = 0; i < DP_OPEN_MAX; i++) {
        struct dp_open *o = &io->open[i];
        if (now < o->next_at)
            continue;
        if (o->stage == BG_CALL && !o->call) {
            crash_point("depot.ticket:before");
            o->call = ticket_call(io, &o->k);
            o->next_at = now + (int64_t)io->opt->retry_s * 1000;
        } else if (o->stage == BG_PRINT && !o->check) {
            /* the printer asked now, not at its next poll: paper put back prints at once */
            o->check = host_printer_check(io->h);
            o->next_at = now + BG_PRINTER_MS;
        }
    }
}

static void bg_answer(struct depot_io *io, struct dp_open *o, const struct backend_result *r,
                      int64_t now)
{
    struct dp_answer a;
    int status = r->outcome == BE_OK ? r->status : 0;
    dp_api_answer(DP_CALL_TICKET, status, r->json, r->err_code, &a);
    o->call = 0;
    const char *me = host_config(io->h)->terminal_id;
    if (a.ok && !a.first && strcmp(a.issued_by, me)) {
        bg_finish(io, o, INTENT_FAILED, "ISSUED_ELSEWHERE");
    } else if (a.ok) {
        snprintf(o->k.ticket_no, sizeof o->k.ticket_no, "%s", a.ticket_no);
        snprintf(o->k.issued_at, sizeof o->k.issued_at, "%s", a.issued_at);
        snprintf(o->k.issued_by, sizeof o->k.issued_by, "%s", a.issued_by);
        if (a.bay[0])
            snprintf(o->k.bay, sizeof o->k.bay, "%s", a.bay);
        o->writing = write_record(io, &o->k);
        o->stage = o->writing ? BG_RECORD : BG_PRINT; /* a journal that fails: print anyway */
        o->next_at = now;
    } else if (a.transport || a.status >= 500 || (a.status >= 200 && a.status < 300)) {
        /* no answer, or one that does not read: it may be issued; the same key again */
        log_warn(MOD, "ticket of %s: no usable answer; asked again in %d s", o->k.order_id,
                 io->opt->retry_s);
    } else {
        bg_finish(io, o, INTENT_FAILED, a.code);
    }
}

/* ---- recovery ------------------------------------------------------------------------------- */

struct recovering {
    struct depot_io *io;
    struct journal *j;
    int64_t now;
};

static void collect(const struct intent *it, void *user)
{
    struct recovering *rc = user;
    if (strcmp(it->kind, "depot_ticket") || strcmp(it->flow, "depot"))
        return;
    struct dp_ticket k;
    if (dp_record_read(it->payload, &k) != 0) {
        log_error(MOD, "ticket intent %lld: a payload that does not read", (long long)it->id);
        return;
    }
    char txn_no[72], *record = NULL;
    dp_record_txn_no(k.order_id, txn_no, sizeof txn_no);
    struct dp_ticket rec;
    if (journal_txn_get(rc->j, txn_no, &record, NULL, 0, NULL) == KERR_OK &&
        dp_record_read(record, &rec) == 0 && rec.ticket_no[0]) {
        /* issued and recorded: it may have printed, or half: printed again, marked */
        rec.reprint = 1;
        log_info(MOD, "ticket %s of %s left unprinted by a restart: printed again, marked",
                 rec.ticket_no, k.order_id);
        bg_add(rc->io, it->id, &rec, BG_PRINT, 1, rc->now);
    } else {
        log_info(MOD, "ticket of %s left open by a restart: asking the backend", k.order_id);
        bg_add(rc->io, it->id, &k, BG_CALL, 0, rc->now);
    }
    free(record);
}

void dp_io_recover(struct depot_io *io, int64_t now)
{
    struct recovering rc = {io, host_journal_reader(io->h), now};
    if (rc.j)
        journal_intents_unfinished(rc.j, collect, &rc);
}

/* ---- the flow's effects ------------------------------------------------------------------- */

static void wipe_photo(struct depot_io *io)
{
    sign_wipe(io->photo, sizeof io->photo);
    io->has_photo = 0;
}

static void send_call(struct depot_io *io, const struct dp_request *rq, int64_t now)
{
    enum dp_call k = rq->call;
    if (k <= DP_CALL_NONE || k >= DP_CALL_LAST)
        return;
    if (io->calls[k])
        host_cancel(io->h, io->calls[k]);
    io->calls[k] = 0;
    uint8_t *jpeg = NULL;
    size_t jlen = 0;
    if (k == DP_CALL_FACE && host_face_jpeg(io->h, &jpeg, &jlen) != 0)
        log_error(MOD, "no frame to send");
    if (k == DP_CALL_TICKET)
        crash_point("depot.ticket:before");
    struct dp_http http;
    if (dp_api_http(rq, jpeg, jlen, io->has_photo ? io->photo : NULL,
                    io->has_photo ? sizeof io->photo : 0, &http) == 0) {
        struct backend_request br = {.method = http.method, .path = http.path,
                                     .body = http.body,
                                     .idem_key = http.key[0] ? http.key : NULL};
        io->calls[k] = host_call(io->h, &br);
    }
    dp_api_http_free(&http);
    if (jpeg) {
        sign_wipe(jpeg, jlen);
        free(jpeg);
    }
    if (!io->calls[k]) {
        struct dp_answer a;
        dp_api_answer(k, 0, NULL, "", &a);
        struct dp_event e = {.in = DP_IN_ANSWER, .call = k, .answer = &a};
        feed(io, &e, now);
    }
}

static void write_intent(struct depot_io *io, const struct dp_ticket *k, int64_t now)
{
    char key[96];
    snprintf(key, sizeof key, "%s-%s", k->order_id, k->check_id);
    char *payload = dp_record_intent(k);
    io->intent = 0;
    io->late[0] = '\0';
    io->writing = payload ? host_intent_begin(io->h, "depot_ticket", key, payload) : 0;
    free(payload);
    if (!io->writing) {
        log_error(MOD, "the ticket of %s not journaled: nothing is issued", k->order_id);
        struct dp_event e = {.in = DP_IN_JOURNAL, .ok = 0};
        feed(io, &e, now);
    }
}

static void face(struct depot_io *io, int what)
{
    if (what == 1) {
        struct face_params p = {.width = io->opt->face_width, .height = io->opt->face_height,
                                .min_face_pct = io->opt->min_face_pct,
                                .jpeg_quality = io->opt->jpeg_quality};
        snprintf(p.cascade, sizeof p.cascade, "%s", io->opt->cascade);
        io->face_ask = host_face_start(io->h, &p);
        return;
    }
    io->face_ask = 0;
    host_face_stop(io->h, what == 2);
}

static void outcome(struct depot_io *io, int done, const char *why)
{
    if (io->intent) {
        if (done)
            crash_point("depot.print:after");
        host_intent_finish(io->h, io->intent, done ? INTENT_DONE : INTENT_FAILED, why);
        io->intent = 0;
    } else if (io->writing) {
        snprintf(io->late, sizeof io->late, "%s", why);
    }
}

static void run(struct depot_io *io, struct effects *fx, int64_t now)
{
    for (int i = 0; i < fx->n; i++) {
        struct effect *e = &fx->v[i];
        switch (e->kind) {
        case EFF_REDRAW:
            host_redraw(io->h);
            break;
        case EFF_HOME:
            wipe_photo(io);
            host_done(io->h);
            break;
        case EFF_CALL:
            send_call(io, (const struct dp_request *)e->data, now);
            break;
        case EFF_ID_READ:
            if (e->i) {
                io->id_ask = host_idcard_read(io->h);
            } else {
                host_idcard_stop(io->h);
                io->id_ask = 0;
            }
            break;
        case EFF_FACE:
            face(io, (int)e->i);
            break;
        case EFF_PRINTER_CHECK:
            io->checking = host_printer_check(io->h);
            if (!io->checking) {
                struct dp_event pe = {.in = DP_IN_PRINTER, .ok = 0};
                feed(io, &pe, now);
            }
            break;
        case EFF_INTENT:
            write_intent(io, (const struct dp_ticket *)e->data, now);
            break;
        case EFF_TXN:
            io->writing = write_record(io, (const struct dp_ticket *)e->data);
            if (!io->writing) {
                struct dp_event je = {.in = DP_IN_JOURNAL, .ok = 0};
                feed(io, &je, now);
            }
            break;
        case EFF_PRINT:
            crash_point("depot.print:before");
            io->last = *(const struct dp_ticket *)e->data;
            print_ticket(io, &io->last, &io->printing);
            if (!io->printing) {
                struct dp_event pe = {.in = DP_IN_PRINTED, .ok = 0};
                feed(io, &pe, now);
            }
            break;
        case EFF_OUTCOME:
            outcome(io, e->i == 1, e->arg);
            break;
        case EFF_SETTLE:
            bg_add(io, io->intent, (const struct dp_ticket *)e->data, BG_CALL, 0,
                   now + (int64_t)io->opt->retry_s * 1000);
            io->intent = 0;
            break;
        default:
            break;
        }
        sign_wipe(e->data, e->ndata); /* a driver call carries the ID number */
    }
}

/* Today in China (UTC+8) as YYYYMMDD. */
static uint32_t today_cn(void)
{
    time_t t = (time_t)clock_wall_s() + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    return (uint32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

static int face_state(enum dp_state s)
{
    return s == DP_FACE || s == DP_FACE_CHECK || s == DP_FACE_RETRY || s == DP_FACE_BUSY;
}

static void feed(struct depot_io *io, const struct dp_event *e, int64_t now)
{
    enum dp_state before = io->f.state;
    struct effects fx = {.n = 0};
    io->f.cfg.today = today_cn();
    dp_step(&io->f, e, now, &fx);
    run(io, &fx, now);
    if (io->f.state == DP_PRINT_FAILED && before != DP_PRINT_FAILED) {
        /* issued, and perhaps half printed: printed again, marked, when the printer can */
        struct dp_ticket k = io->last;
        k.reprint = 1;
        bg_add(io, io->intent, &k, BG_PRINT, 1, now + BG_PRINTER_MS);
        io->intent = 0;
    }
    if (!face_state(io->f.state) && io->f.state != DP_DRIVER && io->has_photo)
        wipe_photo(io);
}

void dp_io_input(struct depot_io *io, const struct dp_event *e, int64_t now)
{
    feed(io, e, now);
}

/* ---- answers ------------------------------------------------------------------------------ */

/* An ID card read: judged on today's date, masked, its number handed to the flow (which
 * moves it into the driver call) and its photo kept here for the face check. */
static void on_reading(struct depot_io *io, const struct host_result *r, int64_t now)
{
    if (!r->ok || !r->idcard) {
        struct dp_event e = {.in = DP_IN_ID_FAILED};
        feed(io, &e, now);
        return;
    }
    const struct id_read *rd = r->idcard;
    struct dp_id id;
    memset(&id, 0, sizeof id);
    char today[9];
    snprintf(today, sizeof today, "%08u", (unsigned)today_cn());
    id.kind = (int)rd->id.kind;
    id.verdict = (int)idf_check(&rd->id, today);
    snprintf(id.id_no, sizeof id.id_no, "%s", rd->id.id_no);
    mask_name(rd->id.name, id.name_masked, sizeof id.name_masked);
    mask_id(rd->id.id_no, id.id_masked, sizeof id.id_masked);
    log_info(MOD, "an ID card read (%s, %s)", id.kind == 1 ? "permit" : "resident",
             id.verdict == IDF_VALID ? "valid" : "refused");
    if (rd->has_photo) {
        memcpy(io->photo, rd->photo, sizeof io->photo);
        io->has_photo = 1;
    }
    struct dp_event e = {.in = DP_IN_ID, .id = &id};
    feed(io, &e, now);
    sign_wipe(&id, sizeof id);
}

/* The background ticket waiting for `handle`: its call (what 0), record (1), print job (2)
 * or printer check (3). */
static struct dp_open *bg_of(struct depot_io *io, uint64_t handle, int what)
{
    for (int i = 0; i < DP_OPEN_MAX; i++) {
        struct dp_open *o = &io->open[i];
        uint64_t h = what == 0 ? o->call : what == 1 ? o->writing : what == 2 ? o->job : o->check;
        if (o->stage != BG_NONE && h && h == handle)
            return o;
    }
    return NULL;
}

void dp_io_result(struct depot_io *io, const struct host_result *r, int64_t now)
{
    static struct dp_answer a;
    struct dp_open *o;
    switch (r->kind) {
    case HR_IDCARD:
        if (io->id_ask && r->handle == io->id_ask)
            on_reading(io, r, now);
        break;
    case HR_FACE:
        if (io->face_ask && r->handle == io->face_ask && r->face) {
            if (r->face->failed)
                log_error(MOD, "the face step failed: %s", r->face->why);
            struct dp_event e = {.in = DP_IN_FACE, .index = r->face->hint, .ok = r->face->held};
            feed(io, &e, now);
        }
        break;
    case HR_CALL:
        if (r->call->outcome == BE_OK && r->call->status == 401)
            host_backend_refused(io->h, r->call->err_code);
        if ((o = bg_of(io, r->handle, 0))) {
            bg_answer(io, o, r->call, now);
            return;
        }
        for (int k = 1; k < DP_CALL_LAST; k++)
            if (io->calls[k] && io->calls[k] == r->handle) {
                io->calls[k] = 0;
                int status = r->call->outcome == BE_OK ? r->call->status : 0;
                dp_api_answer((enum dp_call)k, status, r->call->json, r->call->err_code, &a);
                struct dp_event e = {.in = DP_IN_ANSWER, .call = (enum dp_call)k, .answer = &a};
                feed(io, &e, now);
                return;
            }
        break;
    case HR_JOURNAL:
        if ((o = bg_of(io, r->handle, 1))) {
            o->writing = 0;
            if (r->err == KERR_OK)
                host_outbox_poke(io->h);
            o->recorded = r->err == KERR_OK;
            o->stage = BG_PRINT;
            o->next_at = now;
            return;
        }
        if (!io->writing || r->handle != io->writing)
            break;
        io->writing = 0;
        if (io->f.state == DP_JOURNALING) {
            if (r->err == KERR_OK) {
                io->intent = r->value;
                crash_point("depot.intent:after");
            }
        } else if (io->f.state == DP_RECORDING) {
            if (r->err == KERR_OK)
                host_outbox_poke(io->h);
        } else {
            /* an intent that landed after the flow gave up on it: nothing was issued */
            if (r->err == KERR_OK && r->value > 0)
                host_intent_finish(io->h, r->value, INTENT_FAILED,
                                   io->late[0] ? io->late : "ABANDONED");
            break;
        }
        {
            struct dp_event e = {.in = DP_IN_JOURNAL, .ok = r->err == KERR_OK};
            feed(io, &e, now);
        }
        break;
    case HR_PRINTER:
        if ((o = bg_of(io, r->handle, 3))) {
            o->check = 0;
            if (r->ok && o->stage == BG_PRINT) {
                crash_point("depot.print:before");
                print_ticket(io, &o->k, &o->job);
                if (o->job)
                    o->stage = BG_PRINTING;
            }
            return;
        }
        if (io->checking && r->handle == io->checking) {
            io->checking = 0;
            struct dp_event e = {.in = DP_IN_PRINTER, .ok = r->ok};
            feed(io, &e, now);
        }
        break;
    case HR_PRINT:
        if ((o = bg_of(io, r->handle, 2))) {
            if (!r->final)
                return; /* not confirmed yet: the final word follows */
            o->job = 0;
            if (r->ok) {
                bg_finish(io, o, INTENT_DONE, o->k.reprint ? "REPRINTED" : "PRINTED");
            } else {
                o->k.reprint = 1;
                o->stage = BG_PRINT;
                o->next_at = now + BG_PRINTER_MS;
            }
            return;
        }
        if (io->printing && r->handle == io->printing && r->final) {
            io->printing = 0;
            struct dp_event e = {.in = DP_IN_PRINTED, .ok = r->ok};
            feed(io, &e, now);
        }
        break;
    default:
        break;
    }
}

void dp_io_tick(struct depot_io *io, int64_t now)
{
    if (now >= dp_deadline(&io->f)) {
        struct dp_event e = {.in = DP_IN_TICK};
        feed(io, &e, now);
    }
    bg_turn(io, now);
}

int64_t dp_io_deadline(const struct depot_io *io)
{
    int64_t d = dp_deadline(&io->f);
    for (int i = 0; i < DP_OPEN_MAX; i++) {
        const struct dp_open *o = &io->open[i];
        if (((o->stage == BG_CALL && !o->call) || o->stage == BG_PRINT) && o->next_at < d)
            d = o->next_at;
    }
    return d;
}

int dp_io_open(struct depot_io *io, struct host_svc *h, const struct dp_options *opt,
               char *err, size_t errcap)
{
    io->h = h;
    io->opt = opt;
    if (!json_path_safe(opt->depot) || !opt->code_prefix[0]) {
        snprintf(err, errcap, "[depot] depot and code_prefix: letters and digits");
        return -1;
    }
    struct dp_config *c = &io->cfg;
    memset(c, 0, sizeof *c);
    c->terminal = host_config(h)->terminal_id;
    c->depot = opt->depot;
    c->code_prefix = opt->code_prefix;
    dp_init(&io->f, c);
    return 0;
}

void dp_io_leave(struct depot_io *io, int64_t now)
{
    (void)now;
    for (int k = 1; k < DP_CALL_LAST; k++) {
        if (io->calls[k] && k != DP_CALL_TICKET)
            host_cancel(io->h, io->calls[k]);
        io->calls[k] = 0;
    }
    if (io->id_ask)
        host_idcard_stop(io->h);
    io->id_ask = 0;
    if (io->face_ask)
        host_face_stop(io->h, 0);
    io->face_ask = 0;
    wipe_photo(io);
    dp_wipe(&io->f);
}

int dp_io_idle(const struct depot_io *io)
{
    if (io->writing || io->printing || dp_busy(&io->f))
        return 0;
    for (int i = 0; i < DP_OPEN_MAX; i++)
        if (io->open[i].call || io->open[i].writing || io->open[i].job || io->open[i].check)
            return 0;
    return 1;
}
