#include "settle.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"

static const char *const names[SETTLE_LAST] = {"idle",   "query",  "cancel", "complete",
                                               "record", "failed", "release"};

const char *settle_state_name(enum settle_state s)
{
    return s < SETTLE_LAST ? names[s] : "?";
}

/* Every state change goes through here, logged old -> new. */
static void set_state(struct settle_job *j, enum settle_state s, struct effects *out)
{
    if (j->state != s)
        log_info("settle", "%s -> %s", names[j->state], names[s]);
    j->state = s;
    if (s == SETTLE_IDLE)
        effects_add(out, EFF_REDRAW, 0, NULL);
}

static void send(struct settle_job *j, enum settle_call k, int64_t now, struct effects *out)
{
    j->inflight = k;
    j->answer_by_ms = now + SETTLE_ANSWER_MS;
    j->retry_ms = 0;
    if (k == SC_CANCEL)
        j->asked = 0;
    effects_add(out, EFF_CALL, k, NULL);
}

static void later(struct settle_job *j, enum settle_state s, int64_t now, struct effects *out)
{
    set_state(j, s, out);
    j->retry_ms = now + SETTLE_RETRY_MS;
}

/* Runs the step of the current state (again). */
static void act(struct settle_job *j, int64_t now, struct effects *out)
{
    j->retry_ms = 0;
    switch (j->state) {
    case SETTLE_QUERY:
        send(j, SC_QUERY, now, out);
        break;
    case SETTLE_CANCEL:
        if (!j->asked) { /* never blind: ask first */
            set_state(j, SETTLE_QUERY, out);
            send(j, SC_QUERY, now, out);
        } else {
            send(j, SC_CANCEL, now, out);
        }
        break;
    case SETTLE_COMPLETE:
        send(j, SC_COMPLETE, now, out);
        break;
    case SETTLE_RECORD: /* the app answers SE_RECORDED; without it, written again */
        j->retry_ms = now + SETTLE_ANSWER_MS;
        effects_add(out, EFF_TXN, 0, NULL);
        break;
    case SETTLE_FAILED: /* the app answers SE_WRITTEN */
        j->retry_ms = now + SETTLE_ANSWER_MS;
        effects_add(out, EFF_OUTCOME, 2 /* failed */, j->result);
        break;
    case SETTLE_RELEASE:
        if (now >= j->give_up_ms) {
            /* nobody answered for the whole lease: it has run out by itself */
            log_warn("settle", "lock not released before its lease ended: expired");
            effects_add(out, EFF_RELEASE, 0, "expired");
            j->end = j->end == SETTLE_OPEN ? SETTLE_RELEASED : j->end;
            set_state(j, SETTLE_IDLE, out);
        } else {
            send(j, SC_UNLOCK, now, out);
        }
        break;
    default:
        break;
    }
}

static void go(struct settle_job *j, enum settle_state s, int64_t now, struct effects *out)
{
    set_state(j, s, out);
    act(j, now, out);
}

void settle_start_payment(struct settle_job *j, int cancel, int lock, int64_t lease_end_ms,
                          int64_t now, struct effects *out)
{
    *j = (struct settle_job){.payment = 1, .cancel = cancel, .lock = lock,
                             .give_up_ms = lease_end_ms};
    go(j, SETTLE_QUERY, now, out);
}

void settle_start_release(struct settle_job *j, int64_t lease_end_ms, int64_t now,
                          struct effects *out)
{
    *j = (struct settle_job){.lock = 1, .give_up_ms = lease_end_ms};
    go(j, SETTLE_RELEASE, now, out);
}

/* The payment is over without money: its intent is settled as failed. */
static void not_paid(struct settle_job *j, const char *status, int64_t now, struct effects *out)
{
    snprintf(j->result, sizeof j->result, "%s", status);
    go(j, SETTLE_FAILED, now, out);
}

static int answered(const struct settle_answer *a)
{
    /* an HTTP answer the backend meant: not a 5xx, not "slow down", not a refusal of the
     * terminal itself (that is fixed by the staff, then the job goes on) */
    return a->reached && a->status < 500 && a->status != 429 && a->status != 408 &&
           a->status != 401;
}

static void on_answer(struct settle_job *j, const struct settle_answer *a, int64_t now,
                      struct effects *out)
{
    const char *st = a->pay_status ? a->pay_status : "";
    const char *code = a->err_code ? a->err_code : "";
    int ok = answered(a) && a->status >= 200 && a->status < 300;
    j->inflight = SC_NONE;
    switch (j->state) {
    case SETTLE_QUERY:
        if (answered(a) && a->status == 404 && !strcmp(code, "PAYMENT_NOT_FOUND")) {
            /* the payment system never saw it: closing the number makes sure it never will */
            j->asked = 1;
            go(j, SETTLE_CANCEL, now, out);
        } else if (ok && !strcmp(st, "PAID")) {
            j->asked = 1;
            go(j, j->cancel ? SETTLE_CANCEL : SETTLE_COMPLETE, now, out);
        } else if (ok && (!strcmp(st, "CLOSED") || !strcmp(st, "REVERSED"))) {
            not_paid(j, st, now, out);
        } else if (ok && (!strcmp(st, "CREATED") || !strcmp(st, "USERPAYING"))) {
            j->asked = 1; /* still open and nobody confirms it any more */
            go(j, SETTLE_CANCEL, now, out);
        } else {
            later(j, SETTLE_QUERY, now, out); /* no answer, or one that cannot be used */
        }
        break;
    case SETTLE_CANCEL:
        if (ok && (!strcmp(st, "CLOSED") || !strcmp(st, "REVERSED")))
            not_paid(j, st, now, out);
        else if (ok && !strcmp(st, "PAID"))
            go(j, SETTLE_COMPLETE, now, out); /* not reversed: the money is taken */
        else
            later(j, SETTLE_QUERY, now, out); /* asked again before cancelling again */
        break;
    case SETTLE_COMPLETE:
        /* completed, refused for a reason no retry changes, or not reached: the money was
         * taken, so the sale is recorded either way and the outbox tells the backend */
        snprintf(j->result, sizeof j->result, "PAID");
        go(j, SETTLE_RECORD, now, out);
        break;
    case SETTLE_RELEASE:
        if (answered(a)) { /* released, or not ours any more: either way it is over */
            effects_add(out, EFF_RELEASE, 0, "released");
            j->end = j->end == SETTLE_OPEN ? SETTLE_RELEASED : j->end;
            set_state(j, SETTLE_IDLE, out);
        } else {
            later(j, SETTLE_RELEASE, now, out);
        }
        break;
    default:
        break;
    }
}

void settle_step(struct settle_job *j, const struct settle_event *e, int64_t now,
                 struct effects *out)
{
    switch (e->in) {
    case SE_ANSWER:
        if (e->answer && j->inflight != SC_NONE && e->answer->call == j->inflight)
            on_answer(j, e->answer, now, out);
        break;
    case SE_TICK:
        if (j->inflight != SC_NONE && now >= j->answer_by_ms) {
            struct settle_answer none = {.call = j->inflight};
            on_answer(j, &none, now, out);
        } else if (j->inflight == SC_NONE && j->retry_ms && now >= j->retry_ms) {
            act(j, now, out);
        }
        break;
    case SE_RECORDED:
        if (j->state != SETTLE_RECORD)
            break;
        if (!e->ok) {
            later(j, SETTLE_RECORD, now, out);
            break;
        }
        j->end = SETTLE_PAID;
        if (j->lock) /* the sale is paid: its lock ends with it */
            effects_add(out, EFF_RELEASE, 0, "paid");
        set_state(j, SETTLE_IDLE, out);
        break;
    case SE_WRITTEN:
        if (j->state != SETTLE_FAILED)
            break;
        if (!e->ok) {
            later(j, SETTLE_FAILED, now, out);
            break;
        }
        j->end = SETTLE_NOT_PAID;
        if (j->lock)
            go(j, SETTLE_RELEASE, now, out);
        else
            set_state(j, SETTLE_IDLE, out);
        break;
    }
}

int64_t settle_deadline(const struct settle_job *j)
{
    if (j->state == SETTLE_IDLE)
        return INT64_MAX;
    if (j->inflight != SC_NONE)
        return j->answer_by_ms;
    return j->retry_ms ? j->retry_ms : INT64_MAX;
}
