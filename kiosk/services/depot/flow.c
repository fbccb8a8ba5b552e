/* The depot pickup's flow (flow.h): pure. */
#include "flow.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/sign.h"

static const char *const state_names[DP_STATE_LAST] = {
    [DP_IDLE] = "idle",
    [DP_SCAN] = "scan",
    [DP_LOOKUP] = "lookup",
    [DP_ORDER] = "order",
    [DP_DRIVER] = "driver",
    [DP_FACE] = "face",
    [DP_FACE_CHECK] = "face_check",
    [DP_FACE_RETRY] = "face_retry",
    [DP_FACE_BUSY] = "face_busy",
    [DP_PRINTER] = "printer",
    [DP_JOURNALING] = "journaling",
    [DP_ISSUING] = "issuing",
    [DP_RECORDING] = "recording",
    [DP_PRINTING] = "printing",
    [DP_DONE] = "done",
    [DP_PRINT_FAILED] = "print_failed",
    [DP_ISSUED] = "issued",
    [DP_REFUSED] = "refused",
    [DP_NOT_AUTHORISED] = "not_authorised",
    [DP_COUNTER] = "counter",
    [DP_NO_PRINTER] = "no_printer",
    [DP_FAILED] = "failed",
};

const char *dp_state_name(enum dp_state s)
{
    return s >= 0 && s < DP_STATE_LAST && state_names[s] ? state_names[s] : "?";
}

const char *dp_screen_name(const struct dp_flow *f)
{
    switch (f->state) {
    case DP_IDLE:
    case DP_SCAN:
        return "depot_scan";
    case DP_LOOKUP:
        return "depot_lookup";
    case DP_ORDER:
        return "depot_order";
    case DP_DRIVER:
        return "depot_driver";
    case DP_FACE:
        return "depot_face";
    case DP_FACE_CHECK:
        return "depot_face_check";
    case DP_FACE_RETRY:
        return "depot_face_retry";
    case DP_FACE_BUSY:
        return "depot_face_busy";
    case DP_PRINTER:
    case DP_JOURNALING:
    case DP_ISSUING:
    case DP_RECORDING:
        return "depot_issuing";
    case DP_PRINTING:
        return "depot_printing";
    case DP_DONE:
        return "depot_done";
    case DP_PRINT_FAILED:
        return "depot_print_failed";
    case DP_ISSUED:
        return "depot_issued";
    case DP_REFUSED:
        return "depot_refused";
    case DP_NOT_AUTHORISED:
        return "depot_not_authorised";
    case DP_COUNTER:
        return "depot_counter";
    case DP_NO_PRINTER:
        return "depot_no_printer";
    case DP_FAILED:
    case DP_STATE_LAST:
        break;
    }
    return "depot_failed";
}

/* Thousands separated by commas: 30000 -> "30,000". */
static void grouped(int64_t v, char *out, size_t cap)
{
    char digits[24];
    snprintf(digits, sizeof digits, "%" PRId64, v);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        if (i && (n - i) % 3 == 0 && o + 2 < cap)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o < cap ? o : cap - 1] = '\0';
}

void dp_quantity(const char *unit, int64_t milli, char *out, size_t cap)
{
    if (milli < 0)
        milli = 0;
    char whole[32];
    grouped(milli / 1000, whole, sizeof whole);
    if (!strcmp(unit, "t")) /* tonnes to the kilogram */
        snprintf(out, cap, "%s.%03" PRId64 " t", whole, milli % 1000);
    else if (milli % 1000) /* litres to the millilitre, rare */
        snprintf(out, cap, "%s.%03" PRId64 " L", whole, milli % 1000);
    else
        snprintf(out, cap, "%s L", whole);
}

/* ---- the steps ----------------------------------------------------------------------------- */

#define MOD "depot"

static void set_state(struct dp_flow *f, enum dp_state s, struct effects *out)
{
    if (f->state != s)
        log_info(MOD, "%s -> %s", dp_state_name(f->state), dp_state_name(s));
    f->state = s;
    f->busy = 0;
    f->wait_until = 0;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

/* A call (its request built here) with its deadline. */
static void call(struct dp_flow *f, struct dp_request *rq, int64_t now, struct effects *out)
{
    effects_add_data(out, EFF_CALL, rq->call, NULL, rq, sizeof *rq);
    sign_wipe(rq, sizeof *rq);
    f->busy = 1;
    f->wait_until = now + DP_CALL_MS;
}

static void fail(struct dp_flow *f, enum dp_state s, enum dp_error why, struct effects *out)
{
    set_state(f, s, out);
    f->error = why;
}

static void stop_devices(struct effects *out)
{
    effects_add(out, EFF_ID_READ, 0, NULL);
    effects_add(out, EFF_FACE, 0, NULL);
}

static void go_home(struct dp_flow *f, struct effects *out)
{
    stop_devices(out);
    set_state(f, DP_IDLE, out);
    effects_add(out, EFF_HOME, 0, NULL);
}

int dp_code_ok(const struct dp_config *cfg, const char *code)
{
    size_t pl = strlen(cfg->code_prefix), n = strlen(code);
    if (n < pl + 6 || n > pl + 30 || strncmp(code, cfg->code_prefix, pl))
        return 0;
    for (size_t i = pl; i < n; i++) {
        char c = code[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 0;
    }
    return 1;
}

static void to_scan(struct dp_flow *f, struct effects *out)
{
    stop_devices(out);
    set_state(f, DP_SCAN, out);
    f->error = DP_OK;
    f->typing = 0;
    f->typed[0] = '\0';
    sign_wipe(&f->order, sizeof f->order);
    sign_wipe(&f->id, sizeof f->id);
    f->driver_ref[0] = f->check_id[0] = f->ticket_no[0] = f->issued_at[0] = '\0';
    f->face_tries = 0;
    f->face_calls = 0;
    f->driver_calls = 0;
}

static void lookup(struct dp_flow *f, const char *code, int64_t now, struct effects *out)
{
    struct dp_request rq = {.call = DP_CALL_PICKUP};
    snprintf(rq.code, sizeof rq.code, "%s", code);
    snprintf(rq.depot, sizeof rq.depot, "%s", f->cfg.depot);
    set_state(f, DP_LOOKUP, out);
    f->error = DP_OK;
    f->typing = 0;
    f->typed[0] = '\0';
    snprintf(f->order.code, sizeof f->order.code, "%s", code);
    call(f, &rq, now, out);
}

static void on_code(struct dp_flow *f, const struct dp_event *e, int64_t now, struct effects *out)
{
    if (f->state != DP_SCAN && f->state != DP_REFUSED)
        return; /* the screen takes no code: the glue says what to do instead */
    if (f->state == DP_REFUSED)
        to_scan(f, out);
    if (!e->ok || !e->text || !dp_code_ok(&f->cfg, e->text)) {
        f->error = DP_ERR_NOT_CODE;
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    }
    lookup(f, e->text, now, out);
}

static void on_key(struct dp_flow *f, const char *k, int64_t now, struct effects *out)
{
    if (f->state != DP_SCAN || !f->typing || !k)
        return;
    size_t n = strlen(f->typed), room = DP_CODE_MAX - strlen(f->cfg.code_prefix);
    if (!strcmp(k, "del")) {
        if (n)
            f->typed[n - 1] = '\0';
    } else if (!strcmp(k, "clear")) {
        f->typed[0] = '\0';
    } else if (!strcmp(k, "ok")) {
        char code[DP_CODE_MAX + 16];
        snprintf(code, sizeof code, "%s%s", f->cfg.code_prefix, f->typed);
        struct dp_event ce = {.in = DP_IN_CODE, .text = code, .ok = 1};
        on_code(f, &ce, now, out);
        return;
    } else if (k[0] >= '0' && k[0] <= '9' && !k[1] && n < room) {
        f->typed[n] = k[0];
        f->typed[n + 1] = '\0';
    }
    f->error = DP_OK;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

/* The lookup's answer. */
static void on_pickup(struct dp_flow *f, const struct dp_answer *a, struct effects *out)
{
    if (a->ok) {
        f->order = a->order;
        if (!strcmp(f->order.status, "ISSUED")) {
            set_state(f, DP_ISSUED, out);
            return;
        }
        set_state(f, DP_ORDER, out);
        f->error = DP_OK;
        effects_add(out, EFF_ID_READ, 1, NULL);
        return;
    }
    if (a->transport || a->status >= 500) {
        fail(f, DP_FAILED, DP_ERR_OFFLINE, out);
        return;
    }
    enum dp_error why = DP_ERR_REFUSED;
    if (a->status == 404)
        why = DP_ERR_UNKNOWN_CODE;
    else if (a->status == 410)
        why = DP_ERR_EXPIRED_ORDER;
    else if (!strcmp(a->code, "PICKUP_USED"))
        why = DP_ERR_USED;
    else if (!strcmp(a->code, "PICKUP_OTHER_DEPOT"))
        why = DP_ERR_OTHER_DEPOT;
    if (why == DP_ERR_OTHER_DEPOT)
        snprintf(f->order.depot_name, sizeof f->order.depot_name, "%s", a->order.depot_name);
    fail(f, DP_REFUSED, why, out);
}

/* An ID card read on the order's screen: checked here (the glue judged it on today's date),
 * then the backend says whether its holder is one of the order's drivers. */
static void on_id(struct dp_flow *f, const struct dp_id *id, int64_t now, struct effects *out)
{
    if (f->state != DP_ORDER || !id)
        return;
    enum dp_error why = DP_OK;
    if (id->kind == 2 /* ID_KIND_FOREIGN */)
        why = DP_ERR_ID_KIND;
    else if (id->verdict == 4 /* IDF_EXPIRED */)
        why = DP_ERR_ID_EXPIRED;
    else if (id->verdict == 3 /* IDF_NOT_YET */)
        why = DP_ERR_ID_NOT_YET;
    else if (id->verdict != 0)
        why = DP_ERR_ID_BAD;
    if (why != DP_OK) {
        f->error = why;
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    }
    f->id = *id;
    struct dp_request rq = {.call = DP_CALL_DRIVER, .id_kind = id->kind,
                            .attempt = ++f->driver_calls};
    snprintf(rq.order_id, sizeof rq.order_id, "%s", f->order.order_id);
    snprintf(rq.id_no, sizeof rq.id_no, "%s", id->id_no);
    snprintf(rq.id_salt, sizeof rq.id_salt, "%s", f->order.id_salt);
    sign_wipe(f->id.id_no, sizeof f->id.id_no);
    effects_add(out, EFF_ID_READ, 0, NULL);
    set_state(f, DP_DRIVER, out);
    f->error = DP_OK;
    call(f, &rq, now, out);
}

static void start_face(struct dp_flow *f, int64_t now, struct effects *out)
{
    set_state(f, DP_FACE, out);
    f->face_hint = DP_HINT_STARTING;
    f->face_good_since = 0;
    f->face_started = now;
    f->face_timed_out = 0;
    effects_add(out, EFF_FACE, 1, NULL);
}

static void on_driver(struct dp_flow *f, const struct dp_answer *a, int64_t now,
                      struct effects *out)
{
    if (a->ok) {
        snprintf(f->driver_ref, sizeof f->driver_ref, "%s", a->driver_ref);
        start_face(f, now, out);
    } else if (a->transport || a->status >= 500) {
        fail(f, DP_FAILED, DP_ERR_OFFLINE, out);
    } else if (!strcmp(a->code, "DRIVER_NOT_AUTHORISED")) {
        set_state(f, DP_NOT_AUTHORISED, out);
    } else {
        fail(f, DP_COUNTER, DP_ERR_REFUSED, out);
    }
}

/* A face check: a new frame is a new request (its own idempotency key); the same frame
 * again, after a busy service, is the same request. */
static void send_face(struct dp_flow *f, int again, int64_t now, struct effects *out)
{
    if (!again)
        f->face_calls++;
    struct dp_request rq = {.call = DP_CALL_FACE, .attempt = f->face_calls};
    snprintf(rq.order_id, sizeof rq.order_id, "%s", f->order.order_id);
    snprintf(rq.driver_ref, sizeof rq.driver_ref, "%s", f->driver_ref);
    set_state(f, DP_FACE_CHECK, out);
    call(f, &rq, now, out);
}

/* The face step's report on the newest frame: a good frame held for DP_FACE_HOLD_MS goes. */
static void on_face(struct dp_flow *f, int hint, int held, int64_t now, struct effects *out)
{
    if (f->state != DP_FACE)
        return;
    if (hint != f->face_hint)
        effects_add(out, EFF_REDRAW, 0, NULL);
    f->face_hint = hint;
    if (hint != DP_HINT_OK || !held) {
        f->face_good_since = 0;
        return;
    }
    if (!f->face_good_since)
        f->face_good_since = now;
    if (now - f->face_good_since >= DP_FACE_HOLD_MS) {
        effects_add(out, EFF_FACE, 2, NULL); /* the best frame kept for the call */
        send_face(f, 0, now, out);
    }
}

static void on_face_answer(struct dp_flow *f, const struct dp_answer *a, int64_t now,
                           struct effects *out)
{
    if (a->ok && a->match) {
        snprintf(f->check_id, sizeof f->check_id, "%s", a->check_id);
        effects_add(out, EFF_FACE, 0, NULL); /* the frame is wiped */
        set_state(f, DP_PRINTER, out);
        f->busy = 1;
        f->wait_until = now + DP_PRINTER_MS;
        effects_add(out, EFF_PRINTER_CHECK, 0, NULL);
    } else if (a->ok) {
        effects_add(out, EFF_FACE, 0, NULL);
        f->face_tries++;
        if (f->face_tries >= DP_FACE_TRIES)
            fail(f, DP_COUNTER, DP_ERR_NO_MATCH, out);
        else
            set_state(f, DP_FACE_RETRY, out);
    } else if (a->transport || a->status >= 500) {
        set_state(f, DP_FACE_BUSY, out); /* the same frame goes again */
    } else if (a->status == 400) {
        effects_add(out, EFF_FACE, 0, NULL); /* a frame the service cannot use: another */
        start_face(f, now, out);
    } else {
        effects_add(out, EFF_FACE, 0, NULL);
        fail(f, DP_COUNTER, DP_ERR_REFUSED, out);
    }
}

/* The ticket as journaled and printed (masked fields only). */
static void ticket_of(const struct dp_flow *f, struct dp_ticket *k)
{
    memset(k, 0, sizeof *k);
    snprintf(k->order_id, sizeof k->order_id, "%s", f->order.order_id);
    snprintf(k->code, sizeof k->code, "%s", f->order.code);
    snprintf(k->ticket_no, sizeof k->ticket_no, "%s", f->ticket_no);
    snprintf(k->product, sizeof k->product, "%s", f->order.product);
    snprintf(k->unit, sizeof k->unit, "%s", f->order.unit);
    k->quantity_milli = f->order.quantity_milli;
    snprintf(k->plate, sizeof k->plate, "%s", f->order.plate);
    snprintf(k->bay, sizeof k->bay, "%s", f->order.bay);
    snprintf(k->valid_to, sizeof k->valid_to, "%s", f->order.valid_to);
    snprintf(k->issued_at, sizeof k->issued_at, "%s", f->issued_at);
    snprintf(k->issued_by, sizeof k->issued_by, "%s", f->cfg.terminal);
    snprintf(k->name_masked, sizeof k->name_masked, "%s", f->id.name_masked);
    snprintf(k->id_masked, sizeof k->id_masked, "%s", f->id.id_masked);
    snprintf(k->driver_ref, sizeof k->driver_ref, "%s", f->driver_ref);
    snprintf(k->check_id, sizeof k->check_id, "%s", f->check_id);
}

static void on_printer(struct dp_flow *f, int ok, int64_t now, struct effects *out)
{
    if (f->state != DP_PRINTER)
        return;
    if (!ok) {
        set_state(f, DP_NO_PRINTER, out);
        return;
    }
    struct dp_ticket k;
    ticket_of(f, &k);
    set_state(f, DP_JOURNALING, out);
    f->busy = 1;
    f->wait_until = now + DP_JOURNAL_MS;
    effects_add_data(out, EFF_INTENT, 0, NULL, &k, sizeof k);
}

static void on_journal(struct dp_flow *f, int ok, int64_t now, struct effects *out)
{
    if (f->state == DP_JOURNALING) {
        if (!ok) {
            fail(f, DP_FAILED, DP_ERR_KIOSK, out);
            return;
        }
        struct dp_request rq = {.call = DP_CALL_TICKET};
        snprintf(rq.order_id, sizeof rq.order_id, "%s", f->order.order_id);
        snprintf(rq.driver_ref, sizeof rq.driver_ref, "%s", f->driver_ref);
        snprintf(rq.check_id, sizeof rq.check_id, "%s", f->check_id);
        snprintf(rq.terminal, sizeof rq.terminal, "%s", f->cfg.terminal);
        set_state(f, DP_ISSUING, out);
        call(f, &rq, now, out);
    } else if (f->state == DP_RECORDING) {
        /* recorded, or the journal failed: the ticket is issued either way, so it prints
         * (the intent stays open until it has: a restart prints it again, marked) */
        struct dp_ticket k;
        ticket_of(f, &k);
        set_state(f, DP_PRINTING, out);
        f->busy = 1;
        effects_add_data(out, EFF_PRINT, 0, NULL, &k, sizeof k);
    }
}

static void on_ticket(struct dp_flow *f, const struct dp_answer *a, int64_t now,
                      struct effects *out)
{
    if (a->ok && !a->first && strcmp(a->issued_by, f->cfg.terminal)) {
        /* another kiosk issued this order's ticket meanwhile: this one issues nothing */
        snprintf(f->order.ticket_no, sizeof f->order.ticket_no, "%s", a->ticket_no);
        snprintf(f->order.issued_at, sizeof f->order.issued_at, "%s", a->issued_at);
        snprintf(f->order.issued_by, sizeof f->order.issued_by, "%s", a->issued_by);
        effects_add(out, EFF_OUTCOME, 2, "ISSUED_ELSEWHERE");
        set_state(f, DP_ISSUED, out);
    } else if (a->ok) {
        snprintf(f->ticket_no, sizeof f->ticket_no, "%s", a->ticket_no);
        snprintf(f->issued_at, sizeof f->issued_at, "%s", a->issued_at);
        if (a->bay[0])
            snprintf(f->order.bay, sizeof f->order.bay, "%s", a->bay);
        struct dp_ticket k;
        ticket_of(f, &k);
        set_state(f, DP_RECORDING, out);
        f->busy = 1;
        f->wait_until = now + DP_JOURNAL_MS;
        effects_add_data(out, EFF_TXN, 0, NULL, &k, sizeof k);
    } else if (a->transport || a->status >= 500 || (a->status >= 200 && a->status <= 299)) {
        /* no answer, or a 2xx that does not read: it may have been issued, so the glue asks
         * again in the background (the same key: the answer replayed), and prints */
        effects_add(out, EFF_SETTLE, 0, NULL);
        fail(f, DP_FAILED, DP_ERR_OFFLINE, out);
    } else {
        effects_add(out, EFF_OUTCOME, 2, a->code);
        if (a->status == 410)
            fail(f, DP_REFUSED, DP_ERR_EXPIRED_ORDER, out);
        else if (!strcmp(a->code, "PICKUP_USED"))
            fail(f, DP_REFUSED, DP_ERR_USED, out);
        else
            fail(f, DP_COUNTER, DP_ERR_REFUSED, out);
    }
}

static void on_answer(struct dp_flow *f, const struct dp_event *e, int64_t now,
                      struct effects *out)
{
    static const enum dp_state waits[DP_CALL_LAST] = {
        [DP_CALL_PICKUP] = DP_LOOKUP,
        [DP_CALL_DRIVER] = DP_DRIVER,
        [DP_CALL_FACE] = DP_FACE_CHECK,
        [DP_CALL_TICKET] = DP_ISSUING,
    };
    if (!e->answer || e->call <= DP_CALL_NONE || e->call >= DP_CALL_LAST ||
        f->state != waits[e->call])
        return; /* an answer nobody waits for any more */
    switch (e->call) {
    case DP_CALL_PICKUP: on_pickup(f, e->answer, out); break;
    case DP_CALL_DRIVER: on_driver(f, e->answer, now, out); break;
    case DP_CALL_FACE: on_face_answer(f, e->answer, now, out); break;
    case DP_CALL_TICKET: on_ticket(f, e->answer, now, out); break;
    default: break;
    }
}

/* An answer that did not come in time is an answer without one. */
static void on_tick(struct dp_flow *f, int64_t now, struct effects *out)
{
    static const struct dp_answer none = {.transport = 1};
    if (f->state == DP_FACE) {
        if (f->face_good_since && now - f->face_good_since >= DP_FACE_HOLD_MS) {
            effects_add(out, EFF_FACE, 2, NULL);
            send_face(f, 0, now, out);
        } else if (!f->face_timed_out && now - f->face_started >= DP_FACE_MAX_MS) {
            f->face_timed_out = 1;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        return;
    }
    if (!f->wait_until || now < f->wait_until)
        return;
    switch (f->state) {
    case DP_LOOKUP: on_pickup(f, &none, out); break;
    case DP_DRIVER: on_driver(f, &none, now, out); break;
    case DP_FACE_CHECK: on_face_answer(f, &none, now, out); break;
    case DP_ISSUING: on_ticket(f, &none, now, out); break;
    case DP_PRINTER: on_printer(f, 0, now, out); break;
    case DP_JOURNALING:
        /* the intent did not land in time: nothing is issued; one that lands later is
         * settled as not done by the glue */
        effects_add(out, EFF_OUTCOME, 2, "JOURNAL_SLOW");
        fail(f, DP_FAILED, DP_ERR_KIOSK, out);
        break;
    case DP_RECORDING: on_journal(f, 0, now, out); break;
    default: f->wait_until = 0; break;
    }
}

static void on_next(struct dp_flow *f, int64_t now, struct effects *out)
{
    switch (f->state) {
    case DP_REFUSED: to_scan(f, out); break;
    case DP_NOT_AUTHORISED:
        set_state(f, DP_ORDER, out);
        f->error = DP_OK;
        effects_add(out, EFF_ID_READ, 1, NULL);
        break;
    case DP_FACE:
        if (f->face_timed_out) {
            f->face_timed_out = 0;
            f->face_started = now;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case DP_FACE_RETRY: start_face(f, now, out); break;
    case DP_FACE_BUSY: send_face(f, 1, now, out); break;
    case DP_FAILED:
        if (f->error == DP_ERR_OFFLINE && f->order.code[0] && !f->check_id[0]) {
            char code[sizeof f->order.code]; /* lookup() writes f->order.code */
            snprintf(code, sizeof code, "%s", f->order.code);
            lookup(f, code, now, out); /* nothing was issued: from the order again */
        }
        break;
    default: break;
    }
}

static void on_back(struct dp_flow *f, struct effects *out)
{
    if (dp_busy(f))
        return;
    if (f->state == DP_SCAN && f->typing) {
        f->typing = 0;
        f->typed[0] = '\0';
        f->error = DP_OK;
        effects_add(out, EFF_REDRAW, 0, NULL);
    } else if (f->state == DP_ORDER || f->state == DP_LOOKUP) {
        to_scan(f, out);
    } else {
        go_home(f, out);
    }
}

void dp_step(struct dp_flow *f, const struct dp_event *e, int64_t now, struct effects *out)
{
    switch (e->in) {
    case DP_IN_START:
        to_scan(f, out);
        break;
    case DP_IN_CODE: on_code(f, e, now, out); break;
    case DP_IN_KEY: on_key(f, e->text, now, out); break;
    case DP_IN_TYPE:
        if (f->state == DP_SCAN) {
            f->typing = !f->typing;
            f->typed[0] = '\0';
            f->error = DP_OK;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case DP_IN_ANSWER: on_answer(f, e, now, out); break;
    case DP_IN_ID: on_id(f, e->id, now, out); break;
    case DP_IN_ID_FAILED:
        if (f->state == DP_ORDER) {
            f->error = DP_ERR_ID_UNREADABLE;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        break;
    case DP_IN_FACE: on_face(f, e->index, e->ok, now, out); break;
    case DP_IN_JOURNAL: on_journal(f, e->ok, now, out); break;
    case DP_IN_PRINTER: on_printer(f, e->ok, now, out); break;
    case DP_IN_PRINTED:
        if (f->state != DP_PRINTING)
            break;
        if (e->ok) {
            effects_add(out, EFF_OUTCOME, 1, "PRINTED");
            set_state(f, DP_DONE, out);
        } else {
            set_state(f, DP_PRINT_FAILED, out); /* the glue prints it when it can */
        }
        break;
    case DP_IN_NEXT: on_next(f, now, out); break;
    case DP_IN_BACK: on_back(f, out); break;
    case DP_IN_FINISH:
        if (!dp_busy(f))
            go_home(f, out);
        break;
    case DP_IN_TICK: on_tick(f, now, out); break;
    }
}

int64_t dp_deadline(const struct dp_flow *f)
{
    int64_t d = f->wait_until ? f->wait_until : INT64_MAX;
    if (f->state == DP_FACE) {
        int64_t x = f->face_good_since ? f->face_good_since + DP_FACE_HOLD_MS
                    : f->face_timed_out ? INT64_MAX
                                        : f->face_started + DP_FACE_MAX_MS;
        if (x < d)
            d = x;
    }
    return d;
}

int dp_busy(const struct dp_flow *f)
{
    return f->state >= DP_JOURNALING && f->state <= DP_PRINTING;
}

void dp_init(struct dp_flow *f, const struct dp_config *cfg)
{
    memset(f, 0, sizeof *f);
    f->cfg = *cfg;
    f->state = DP_IDLE;
    f->face_hint = DP_HINT_STARTING;
}

void dp_wipe(struct dp_flow *f)
{
    struct dp_config cfg = f->cfg;
    sign_wipe(f, sizeof *f);
    dp_init(f, &cfg);
}
