#include "flow.h"

#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/sign.h"

const char *const at_reasons[AT_REASONS] = {
    N_("Customer changed their mind"),
    N_("Wrong item"),
    N_("Price error"),
    N_("Other"),
};

static const char *const names[AT_STATE_LAST] = {
    "idle",   "staff_no", "pin",       "verifying", "locked",  "menu",
    "unfinished", "summary", "txn",    "lines",     "approve_no", "approve_pin",
    "approving", "working", "closed",  "result",    "health",  "service",
};

const char *at_state_name(enum at_state s)
{
    return s < AT_STATE_LAST ? names[s] : "?";
}

int at_logged_in(const struct at_flow *f)
{
    return f->state >= AT_MENU;
}

static void set_state(struct at_flow *f, enum at_state st, struct effects *out)
{
    if (f->state != st)
        log_info("attendant", "%s -> %s", names[f->state], names[st]);
    f->state = st;
    f->busy = 0;
    f->wait_until = 0;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

void at_init(struct at_flow *f)
{
    memset(f, 0, sizeof *f);
}

/* Wipes what a login or an operation typed and leaves attendant mode. The locks stay. */
static void log_out(struct at_flow *f, const char *why, struct effects *out)
{
    int logged = at_logged_in(f);
    set_state(f, AT_IDLE, out);
    sign_wipe(f->pin, sizeof f->pin);
    memset(f->typed, 0, sizeof f->typed);
    memset(f->approver, 0, sizeof f->approver);
    memset(&f->refund, 0, sizeof f->refund);
    f->note = AT_NOTE_NONE;
    f->op = f->after_approval = AT_OP_NONE;
    f->carry = f->unfinished = 0;
    effects_add_data(out, EFF_HOME, logged, why, f->staff_no, sizeof f->staff_no);
    memset(f->staff_no, 0, sizeof f->staff_no);
    memset(f->name, 0, sizeof f->name);
    f->role = AT_ROLE_NONE;
}

/* The lock entry of a staff number (a free or the oldest one when it has none). */
static int lock_of(struct at_flow *f, const char *staff_no)
{
    int slot = 0;
    for (int i = 0; i < AT_LOCKS; i++) {
        if (!strcmp(f->locks[i].staff_no, staff_no))
            return i;
        if (!f->locks[i].staff_no[0] || f->locks[i].until < f->locks[slot].until)
            slot = i;
    }
    memset(&f->locks[slot], 0, sizeof f->locks[slot]);
    snprintf(f->locks[slot].staff_no, sizeof f->locks[slot].staff_no, "%s", staff_no);
    return slot;
}

/* 1 when `staff_no` is locked now (locked_until says until when); a lock that ran out
 * starts the count again. */
static int is_locked(struct at_flow *f, const char *staff_no, int64_t now)
{
    int i = lock_of(f, staff_no);
    if (f->locks[i].until > now) {
        f->locked_until = f->locks[i].until;
        return 1;
    }
    if (f->locks[i].until) {
        f->locks[i].until = 0;
        f->locks[i].wrong = 0;
        f->locks_changed = 1;
    }
    return 0;
}

/* 1 (LOCKED shown) when `staff_no` is locked now. */
static int locked(struct at_flow *f, const char *staff_no, int64_t now, struct effects *out)
{
    if (!is_locked(f, staff_no, now))
        return 0;
    snprintf(f->staff_no, sizeof f->staff_no, "%s", staff_no);
    set_state(f, AT_LOCKED, out);
    return 1;
}

/* A wrong PIN for `staff_no`: counted, and locked at AT_TRIES. 1 when it locked. */
static int wrong_pin(struct at_flow *f, const char *staff_no, int64_t now)
{
    int i = lock_of(f, staff_no);
    f->tries_left = AT_TRIES - ++f->locks[i].wrong;
    f->locks_changed = 1;
    if (f->tries_left > 0)
        return 0;
    f->locks[i].until = now + AT_LOCK_MS;
    f->locked_until = f->locks[i].until;
    log_warn("attendant", "staff %s locked for %d min after %d wrong PINs", staff_no,
             AT_LOCK_MS / 60000, AT_TRIES);
    return 1;
}

static void call(struct at_flow *f, enum at_op op, const char *arg, const void *data,
                 size_t n, int64_t now, struct effects *out)
{
    effects_add_data(out, EFF_CALL, op, arg, data, n);
    f->busy = 1;
    f->wait_until = op == AT_OP_VERIFY ? now + AT_VERIFY_MS : 0;
}

static void work(struct at_flow *f, enum at_op op, const char *arg, const void *data,
                 size_t n, int64_t now, struct effects *out)
{
    f->op = op;
    f->note = AT_NOTE_NONE;
    set_state(f, AT_WORKING, out);
    call(f, op, arg, data, n, now, out);
}

/* The PIN typed moves into the check's request and is wiped here. */
static void verify(struct at_flow *f, const char *staff_no, int approval, int64_t now,
                   struct effects *out)
{
    struct at_login l;
    memset(&l, 0, sizeof l);
    snprintf(l.staff_no, sizeof l.staff_no, "%s", staff_no);
    memcpy(l.pin, f->pin, sizeof l.pin);
    l.approval = approval;
    sign_wipe(f->pin, sizeof f->pin);
    set_state(f, approval ? AT_APPROVING : AT_VERIFYING, out);
    call(f, AT_OP_VERIFY, NULL, &l, sizeof l, now, out);
    f->busy = 1;
    f->wait_until = now + AT_VERIFY_MS;
    sign_wipe(&l, sizeof l);
}

/* A keypad's key into `buf` (cap bytes): 1 when it was "ok". Letters other than 'T' and
 * '-' only where `txn` allows. */
static int key(char *buf, size_t cap, const char *k, int txn)
{
    size_t n = strlen(buf);
    if (!strcmp(k, "ok"))
        return 1;
    if (!strcmp(k, "del")) {
        if (n)
            buf[n - 1] = '\0';
    } else if (!strcmp(k, "clear")) {
        memset(buf, 0, cap);
    } else if (k[0] && !k[1] && n + 1 < cap &&
               ((k[0] >= '0' && k[0] <= '9') || (txn && (k[0] == '-' || k[0] == 'T')))) {
        buf[n] = k[0];
        buf[n + 1] = '\0';
    }
    return 0;
}

static void to_menu(struct at_flow *f, struct effects *out)
{
    f->op = f->after_approval = AT_OP_NONE;
    f->note = AT_NOTE_NONE;
    f->carry = 0;
    memset(f->typed, 0, sizeof f->typed);
    memset(f->approver, 0, sizeof f->approver);
    set_state(f, AT_MENU, out);
}

static void ask_approval(struct at_flow *f, enum at_op then, struct effects *out)
{
    f->after_approval = then;
    f->note = AT_NOTE_NONE;
    memset(f->typed, 0, sizeof f->typed);
    set_state(f, AT_APPROVE_NO, out);
}

static void refund_amount(struct at_flow *f)
{
    struct at_refund *r = &f->refund;
    int64_t sum = 0;
    int all = r->nlines > 0;
    for (int i = 0; i < r->nlines; i++) {
        if (r->lines[i].chosen)
            sum += r->lines[i].amount_fen;
        else if (!r->lines[i].refunded)
            all = 0;
    }
    r->whole = all && sum > 0;
    /* the whole sale gives back what is left of it (its discounts included) */
    r->amount_fen = r->whole || sum > f->refundable_fen ? f->refundable_fen : sum;
}

/* What a supervisor approved runs now. */
static void approved(struct at_flow *f, int64_t now, struct effects *out)
{
    switch (f->after_approval) {
    case AT_OP_REFUND: {
        struct at_refund_ask a;
        memset(&a, 0, sizeof a);
        snprintf(a.txn_no, sizeof a.txn_no, "%s", f->txn);
        a.whole = f->refund.whole;
        for (int i = 0; i < f->refund.nlines && i < 32; i++)
            if (f->refund.lines[i].chosen)
                a.chosen |= 1u << i;
        a.amount_fen = f->refund.amount_fen;
        a.reason = f->refund.reason;
        snprintf(a.approver, sizeof a.approver, "%s", f->approver);
        snprintf(f->refund.approver, sizeof f->refund.approver, "%s", f->approver);
        work(f, AT_OP_REFUND, f->txn, &a, sizeof a, now, out);
        break;
    }
    case AT_OP_REPRINT:
        work(f, AT_OP_REPRINT, f->txn, NULL, 0, now, out);
        break;
    case AT_OP_SHIFT_CLOSE:
        f->carry = 1;
        f->op = AT_OP_SHIFT_CLOSE;
        set_state(f, AT_SUMMARY, out);
        break;
    default:
        to_menu(f, out);
        break;
    }
}

static void on_verified(struct at_flow *f, const struct at_event *e, int64_t now,
                        struct effects *out)
{
    int approval = f->state == AT_APPROVING;
    const char *who = approval ? f->approver : f->staff_no;
    if (e->ok && approval && e->role != AT_ROLE_SUPERVISOR) {
        f->note = AT_NOTE_NOT_SUPERVISOR;
        memset(f->typed, 0, sizeof f->typed);
        set_state(f, AT_APPROVE_NO, out);
        return;
    }
    if (e->ok) {
        int i = lock_of(f, who);
        f->locks_changed |= f->locks[i].wrong != 0;
        f->locks[i].wrong = 0;
        if (approval) {
            approved(f, now, out);
            return;
        }
        f->role = (enum at_role)e->role;
        snprintf(f->name, sizeof f->name, "%s", e->name ? e->name : "");
        to_menu(f, out);
        return;
    }
    if (e->note == AT_NOTE_WRONG_PIN && wrong_pin(f, who, now)) {
        if (approval) {
            f->note = AT_NOTE_LOCKED;
            set_state(f, AT_APPROVE_NO, out);
        } else {
            set_state(f, AT_LOCKED, out);
        }
        return;
    }
    f->note = e->note != AT_NOTE_NONE ? e->note : AT_NOTE_OFFLINE;
    set_state(f, approval ? AT_APPROVE_PIN : AT_PIN, out);
}

static void on_done(struct at_flow *f, const struct at_event *e, int64_t now,
                    struct effects *out)
{
    enum at_op op = (enum at_op)e->index;
    if (op == AT_OP_VERIFY) {
        if (f->state == AT_VERIFYING || f->state == AT_APPROVING)
            on_verified(f, e, now, out);
        return;
    }
    switch (f->state) {
    case AT_WORKING:
        if (op != f->op)
            return;
        break;
    case AT_UNFINISHED:
        if (op != AT_OP_SHIFT_LOAD)
            return;
        break;
    case AT_TXN:
        if (op != AT_OP_TXN_LOAD || !f->busy)
            return;
        break;
    case AT_HEALTH:
        if (op != AT_OP_HEALTH && op != AT_OP_OUTBOX_RETRY && op != AT_OP_OUTBOX_HANDLED)
            return;
        f->busy = 0;
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    default:
        return;
    }
    switch (op) {
    case AT_OP_SHIFT_LOAD:
        f->unfinished = e->ok ? e->unfinished : 0;
        if (!e->ok) {
            f->op = AT_OP_SHIFT_CLOSE;
            f->note = AT_NOTE_KIOSK;
            set_state(f, AT_RESULT, out);
        } else if (f->unfinished > 0 && !f->carry) {
            f->op = AT_OP_SHIFT_CLOSE;
            f->note = AT_NOTE_UNFINISHED;
            set_state(f, AT_UNFINISHED, out);
            f->wait_until = now + AT_RECHECK_MS;
        } else {
            f->op = AT_OP_SHIFT_CLOSE;
            f->note = AT_NOTE_NONE;
            set_state(f, AT_SUMMARY, out);
        }
        return;
    case AT_OP_DAY_LOAD:
        f->op = AT_OP_DAY_CLOSE;
        f->note = e->ok ? AT_NOTE_NONE : e->note != AT_NOTE_NONE ? e->note : AT_NOTE_KIOSK;
        set_state(f, e->ok ? AT_SUMMARY : AT_RESULT, out);
        return;
    case AT_OP_TXN_LOAD:
        f->busy = 0;
        if (!e->ok) {
            f->note = e->note != AT_NOTE_NONE ? e->note : AT_NOTE_NOT_FOUND;
            effects_add(out, EFF_REDRAW, 0, NULL);
            return;
        }
        snprintf(f->txn, sizeof f->txn, "%s", f->typed);
        f->note = AT_NOTE_NONE;
        if (f->op == AT_OP_REPRINT) {
            if (e->needs_approval)
                ask_approval(f, AT_OP_REPRINT, out);
            else
                work(f, AT_OP_REPRINT, f->txn, NULL, 0, now, out);
            return;
        }
        if (!e->refund) {
            f->note = AT_NOTE_NOT_REFUNDABLE;
            effects_add(out, EFF_REDRAW, 0, NULL);
            return;
        }
        f->refund = *e->refund;
        f->refundable_fen = e->refund->amount_fen;
        for (int i = 0; i < f->refund.nlines; i++)
            f->refund.lines[i].chosen = 0;
        f->refund.reason = -1;
        refund_amount(f);
        set_state(f, AT_LINES, out);
        return;
    case AT_OP_SHIFT_CLOSE:
    case AT_OP_DAY_CLOSE:
        if (e->note == AT_NOTE_KIOSK) {
            f->note = AT_NOTE_KIOSK;
            set_state(f, AT_RESULT, out);
            return;
        }
        f->closed = op;
        f->note = e->ok ? AT_NOTE_NONE : AT_NOTE_PRINT_FAILED;
        set_state(f, AT_CLOSED, out);
        return;
    case AT_OP_REPRINT_REPORT:
        f->op = f->closed;
        f->note = e->ok ? AT_NOTE_NONE : AT_NOTE_PRINT_FAILED;
        set_state(f, AT_CLOSED, out);
        return;
    default: /* reprint, refund, test slip, paper, out of service */
        f->note = e->ok ? AT_NOTE_NONE : e->note != AT_NOTE_NONE ? e->note : AT_NOTE_KIOSK;
        set_state(f, AT_RESULT, out);
        return;
    }
}

static void on_key(struct at_flow *f, const char *k, int64_t now, struct effects *out)
{
    switch (f->state) {
    case AT_STAFF_NO:
    case AT_APPROVE_NO:
        if (key(f->typed, AT_STAFF_MAX + 1, k, 0) && f->typed[0]) {
            char no[AT_STAFF_MAX + 1];
            memcpy(no, f->typed, sizeof no - 1);
            no[sizeof no - 1] = '\0';
            int approval = f->state == AT_APPROVE_NO;
            if (approval) {
                /* said here, the attendant stays in: a locked approver, or the one asking */
                f->note = is_locked(f, no, now)        ? AT_NOTE_LOCKED
                          : !strcmp(no, f->staff_no) ? AT_NOTE_NOT_SUPERVISOR
                                                       : AT_NOTE_NONE;
                if (f->note != AT_NOTE_NONE) {
                    memset(f->typed, 0, sizeof f->typed);
                    effects_add(out, EFF_REDRAW, 0, NULL);
                    return;
                }
                memcpy(f->approver, no, sizeof f->approver);
            } else if (locked(f, no, now, out)) {
                return;
            } else {
                memcpy(f->staff_no, no, sizeof f->staff_no);
            }
            memset(f->typed, 0, sizeof f->typed);
            f->note = AT_NOTE_NONE;
            set_state(f, approval ? AT_APPROVE_PIN : AT_PIN, out);
            return;
        }
        break;
    case AT_PIN:
    case AT_APPROVE_PIN:
        if (key(f->pin, sizeof f->pin, k, 0)) {
            if (strlen(f->pin) >= 4)
                verify(f, f->state == AT_APPROVE_PIN ? f->approver : f->staff_no,
                       f->state == AT_APPROVE_PIN, now, out);
            return;
        }
        break;
    case AT_TXN:
        if (f->busy)
            return;
        if (key(f->typed, sizeof f->typed, k, 1)) {
            if (f->typed[0]) {
                f->note = AT_NOTE_NONE;
                call(f, AT_OP_TXN_LOAD, f->typed, NULL, 0, now, out);
                effects_add(out, EFF_REDRAW, 0, NULL);
            }
            return;
        }
        break;
    default:
        return;
    }
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void on_choose(struct at_flow *f, const struct at_event *e, int64_t now,
                      struct effects *out)
{
    switch (f->state) {
    case AT_MENU:
        switch ((enum at_op)e->index) {
        case AT_OP_SHIFT_CLOSE:
            f->carry = 0;
            work(f, AT_OP_SHIFT_LOAD, NULL, NULL, 0, now, out);
            return;
        case AT_OP_DAY_CLOSE:
            work(f, AT_OP_DAY_LOAD, NULL, NULL, 0, now, out);
            return;
        case AT_OP_REPRINT:
        case AT_OP_REFUND:
            f->op = (enum at_op)e->index;
            f->note = AT_NOTE_NONE;
            memset(f->typed, 0, sizeof f->typed);
            set_state(f, AT_TXN, out);
            return;
        case AT_OP_HEALTH:
            set_state(f, AT_HEALTH, out);
            call(f, AT_OP_HEALTH, NULL, NULL, 0, now, out);
            return;
        case AT_OP_OUT_OF_SERVICE:
            set_state(f, AT_SERVICE, out);
            return;
        case AT_OP_PAPER:
            work(f, AT_OP_PAPER, NULL, NULL, 0, now, out);
            return;
        default:
            return;
        }
    case AT_LINES: {
        struct at_refund *r = &f->refund;
        if (e->index < 0) {
            int on = !r->whole;
            for (int i = 0; i < r->nlines; i++)
                r->lines[i].chosen = on && !r->lines[i].refunded;
        } else if (e->index < r->nlines && !r->lines[e->index].refunded) {
            r->lines[e->index].chosen = !r->lines[e->index].chosen;
        }
        refund_amount(f);
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    }
    case AT_CLOSED:
        work(f, AT_OP_REPRINT_REPORT, NULL, NULL, 0, now, out);
        return;
    case AT_SERVICE: {
        char arg[16];
        if (e->index < 0)
            arg[0] = '\0'; /* back in service */
        else
            snprintf(arg, sizeof arg, "%d", e->index);
        work(f, AT_OP_OUT_OF_SERVICE, arg, NULL, 0, now, out);
        return;
    }
    case AT_HEALTH: {
        if (f->busy)
            return;
        enum at_op op = e->text && !strcmp(e->text, "handled") ? AT_OP_OUTBOX_HANDLED
                        : e->text && !strcmp(e->text, "retry") ? AT_OP_OUTBOX_RETRY
                        : e->text && !strcmp(e->text, "test")  ? AT_OP_TEST_SLIP
                                                               : AT_OP_HEALTH;
        char arg[16];
        snprintf(arg, sizeof arg, "%d", e->index);
        if (op == AT_OP_TEST_SLIP)
            work(f, op, NULL, NULL, 0, now, out);
        else
            call(f, op, arg, NULL, 0, now, out);
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    }
    default:
        return;
    }
}

static void on_back(struct at_flow *f, struct effects *out)
{
    switch (f->state) {
    case AT_STAFF_NO:
    case AT_PIN:
    case AT_LOCKED:
    case AT_MENU:
        log_out(f, "back", out);
        return;
    case AT_VERIFYING:
    case AT_WORKING:
        return; /* it answers shortly: nothing to leave half done */
    case AT_TXN:
    case AT_LINES:
    case AT_APPROVE_NO:
    case AT_APPROVE_PIN:
    case AT_APPROVING:
    case AT_UNFINISHED:
    case AT_SUMMARY:
    case AT_CLOSED:
    case AT_RESULT:
    case AT_HEALTH:
    case AT_SERVICE:
        sign_wipe(f->pin, sizeof f->pin);
        to_menu(f, out);
        return;
    case AT_IDLE:
    case AT_STATE_LAST:
        return;
    }
}

static void on_next(struct at_flow *f, int64_t now, struct effects *out)
{
    switch (f->state) {
    case AT_SUMMARY:
        if (f->op == AT_OP_DAY_CLOSE)
            work(f, AT_OP_DAY_CLOSE, NULL, NULL, 0, now, out);
        else
            work(f, AT_OP_SHIFT_CLOSE, f->carry ? "carry" : "", NULL, 0, now, out);
        return;
    case AT_LINES:
        if (f->refund.amount_fen > 0 && f->refund.reason >= 0 && f->refund.reason < AT_REASONS)
            ask_approval(f, AT_OP_REFUND, out);
        return;
    case AT_CLOSED:
    case AT_RESULT:
        to_menu(f, out);
        return;
    default:
        return;
    }
}

void at_step(struct at_flow *f, const struct at_event *e, int64_t now, struct effects *out)
{
    if (e->in != AT_IN_TICK && e->in != AT_IN_DONE)
        f->last_touch = now;
    switch (e->in) {
    case AT_IN_DOOR:
    case AT_IN_CARD:
        if (f->state != AT_IDLE)
            return;
        f->by_card = e->in == AT_IN_CARD;
        f->note = AT_NOTE_NONE;
        memset(f->typed, 0, sizeof f->typed);
        sign_wipe(f->pin, sizeof f->pin);
        if (!f->by_card) {
            set_state(f, AT_STAFF_NO, out);
            return;
        }
        if (locked(f, e->text ? e->text : "", now, out))
            return;
        snprintf(f->staff_no, sizeof f->staff_no, "%s", e->text ? e->text : "");
        set_state(f, AT_PIN, out);
        return;
    case AT_IN_KEY:
        if (e->text)
            on_key(f, e->text, now, out);
        return;
    case AT_IN_SCAN:
        if (f->state != AT_TXN || f->busy || !e->text || !e->ok)
            return;
        snprintf(f->typed, sizeof f->typed, "%s", e->text);
        f->note = AT_NOTE_NONE;
        call(f, AT_OP_TXN_LOAD, f->typed, NULL, 0, now, out);
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    case AT_IN_CHOOSE:
        on_choose(f, e, now, out);
        return;
    case AT_IN_REASON:
        if (f->state == AT_LINES && e->index >= 0 && e->index < AT_REASONS) {
            f->refund.reason = e->index;
            effects_add(out, EFF_REDRAW, 0, NULL);
        }
        return;
    case AT_IN_NEXT:
        on_next(f, now, out);
        return;
    case AT_IN_CARRY:
        if (f->state == AT_UNFINISHED)
            ask_approval(f, AT_OP_SHIFT_CLOSE, out);
        return;
    case AT_IN_BACK:
        on_back(f, out);
        return;
    case AT_IN_DONE:
        on_done(f, e, now, out);
        return;
    case AT_IN_CUSTOMER:
        if (f->state != AT_IDLE && f->state != AT_WORKING)
            log_out(f, "customer", out);
        return;
    case AT_IN_TICK:
        if (f->state == AT_IDLE)
            return;
        if ((f->state == AT_VERIFYING || f->state == AT_APPROVING) && f->wait_until &&
            now >= f->wait_until) {
            struct at_event late = {.in = AT_IN_DONE, .index = AT_OP_VERIFY,
                                    .note = AT_NOTE_OFFLINE};
            on_verified(f, &late, now, out);
            return;
        }
        if (f->state == AT_UNFINISHED && f->wait_until && now >= f->wait_until) {
            call(f, AT_OP_SHIFT_LOAD, NULL, NULL, 0, now, out);
            f->wait_until = now + AT_RECHECK_MS;
        }
        if (f->state != AT_WORKING && f->state != AT_VERIFYING &&
            f->state != AT_APPROVING && now - f->last_touch >= AT_IDLE_MS)
            log_out(f, "idle", out);
        return;
    }
}

int64_t at_deadline(const struct at_flow *f)
{
    if (f->state == AT_IDLE)
        return INT64_MAX;
    if (f->state == AT_WORKING || f->state == AT_VERIFYING || f->state == AT_APPROVING)
        return f->wait_until ? f->wait_until : INT64_MAX; /* no idle logout meanwhile */
    int64_t d = f->last_touch + AT_IDLE_MS;
    if (f->wait_until && f->wait_until < d)
        d = f->wait_until;
    return d;
}

int at_locks_format(const struct at_flow *f, int64_t now, int64_t sys, char *out, size_t cap)
{
    size_t n = 0;
    if (cap)
        out[0] = 0;
    for (int i = 0; i < AT_LOCKS; i++) {
        const struct at_lock *l = &f->locks[i];
        if (!l->staff_no[0] || !l->wrong)
            continue;
        int64_t until = l->until > now ? sys + (l->until - now) : 0;
        int w = snprintf(out + n, cap - n, "%s %d %lld\n", l->staff_no, l->wrong,
                         (long long)until);
        if (w < 0 || (size_t)w >= cap - n)
            return -1;
        n += (size_t)w;
    }
    return (int)n;
}

/* A run of 1..max digits at *p and the space or end after it: its value (at most 18
 * digits), *p past it; -1 when there is none. */
static int64_t number(const char **p, const char *end, size_t max)
{
    int64_t v = 0;
    size_t n = 0;
    while (*p < end && **p >= '0' && **p <= '9' && n < max && n < 18)
        v = v * 10 + (*(*p)++ - '0'), n++;
    if (!n || (*p < end && *(*p)++ != ' '))
        return -1;
    return v;
}

/* One line of the kept locks into *l: 1 when it reads whole. */
static int lock_line(const char *line, size_t len, struct at_lock *l, int64_t now, int64_t sys)
{
    const char *p = line, *end = line + len;
    memset(l, 0, sizeof *l);
    size_t nlen = strspn(line, "0123456789");
    if (nlen < 1 || nlen > AT_STAFF_MAX || nlen >= len)
        return 0;
    memcpy(l->staff_no, line, nlen);
    p += nlen + 1;
    if (line[nlen] != ' ')
        return 0;
    int64_t wrong = number(&p, end, 1), until = wrong < 0 ? -1 : number(&p, end, 18);
    if (wrong < 1 || wrong > AT_TRIES || until < 0 || p != end)
        return 0;
    l->wrong = (int)wrong;
    if (until > sys) /* what was left of it, at most a whole lock */
        l->until = now + (until - sys < AT_LOCK_MS ? until - sys : AT_LOCK_MS);
    else if (until || wrong >= AT_TRIES) /* it ran out while the kiosk was off */
        return 0;
    return 1;
}

int at_locks_load(struct at_flow *f, const char *text, int64_t now, int64_t sys)
{
    while (text && *text) {
        size_t len = strcspn(text, "\n");
        struct at_lock l;
        if (lock_line(text, len, &l, now, sys))
            f->locks[lock_of(f, l.staff_no)] = l;
        text += len + (text[len] == '\n');
    }
    int n = 0;
    for (int i = 0; i < AT_LOCKS; i++)
        n += f->locks[i].staff_no[0] && f->locks[i].wrong;
    return n;
}
