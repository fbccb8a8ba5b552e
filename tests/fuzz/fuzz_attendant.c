/* Attendant mode's flow (attendant/flow.h) under a script of random events: the door and staff
 * cards, keys (digits, del, clear, ok, letters), scans, choices, reasons, next, carry, back, a
 * customer's card, the glue's DONEs (mostly for the operation in flight, with any outcome,
 * role, note, unfinished count and a sale's lines; sometimes for nothing asked) and time. Each
 * byte either does what a person at that screen might (type a staff number, a PIN, pick an
 * operation, answer the call in flight) or something at random. When the input runs out, a
 * generator seeded by the input goes on for a while, so that a short input still plays whole
 * journeys; then ten minutes of ticks without a touch.
 *
 * The flow keeps its rules: a valid state; at most EFFECTS_MAX effects and one call a step,
 * each call an operation; a PIN only while it is typed (the flow's pin all zero outside PIN
 * and APPROVE_PIN) and only in the verify call's at_login (4..8 digits, whose staff number
 * it is); a refund's amount within 0..what is left of the sale; a refund or a depot ticket's
 * reprint asked for, and items carried over, only in the step a supervisor's approval came
 * in; the refund's ask as the flow shows it (lines chosen not refunded already, a reason, the
 * approver); EFF_HOME exactly when it leaves attendant mode; strings terminated; a deadline
 * (>= 0) whenever it is not idle, and a wait (VERIFYING, APPROVING) always with one; ten
 * minutes without a touch log out, unless an operation is under way, which logs out once it
 * ends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "core/log.h"
#include "flow.h"

#define EXTRA 3000 /* bytes the generator adds after the input */
#define T0 INT64_C(1796000000000)

/* ---- the script ------------------------------------------------------------------------- */

#define COUNT(v) (sizeof(v) / sizeof((v)[0]))
#define PICK(sc, v) ((v)[fuzz_next(sc) % COUNT(v)])

static const char *const staff_nos[] = {"1001", "2001", "1002", "2002", "1", "123456789012", "0"};
static const char *const pins[] = {"246810", "135790", "1111", "123", "12345678", "0000"};
static const char *const keys[] = {"0",  "1", "2", "5", "9", "del",  "clear",
                                   "ok", "T", "-", "x", "",  "okay", "12"};
static const char *const txns[] = {"T0001-20261130-000001",
                                   "TK2611300001",
                                   "T",
                                   "T0001-20261130-000001-with-a-tail-too-long-for-the-field",
                                   "",
                                   "abc"};
static const char *const cards[] = {"1001", "2001", "", "1234567890123456", "10a1"};
static const char *const health_texts[] = {"retry", "handled", "test", "refresh", ""};
static const char *const names[] = {"王芳", "李强", "", "Wang Fang of a name too long for it"};

/* ---- checks ----------------------------------------------------------------------------- */

static void check_text(const char *s, size_t cap)
{
    if (strnlen(s, cap) == cap)
        abort(); /* not terminated inside its field */
}
#define TEXT(f) check_text((f), sizeof(f))

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static int count(const struct effects *fx, enum effect_kind k)
{
    int n = 0;
    for (int i = 0; i < fx->n; i++)
        n += fx->v[i].kind == k;
    return n;
}

static const struct effect *find(const struct effects *fx, enum effect_kind k)
{
    for (int i = 0; i < fx->n; i++)
        if (fx->v[i].kind == k)
            return &fx->v[i];
    return NULL;
}

static int digits(const char *s, size_t lo, size_t hi)
{
    size_t n = strlen(s);
    return n >= lo && n <= hi && strspn(s, "0123456789") == n;
}

/* The flow's own rules, whatever came in. */
static void check_flow(const struct at_flow *f)
{
    if (f->state >= AT_STATE_LAST)
        abort();
    TEXT(f->typed);
    TEXT(f->pin);
    TEXT(f->staff_no);
    TEXT(f->name);
    TEXT(f->approver);
    TEXT(f->txn);
    TEXT(f->refund.txn_no);
    TEXT(f->refund.approver);
    if (f->state != AT_PIN && f->state != AT_APPROVE_PIN && !all_zero(f->pin, sizeof f->pin))
        abort(); /* a PIN outside its keypad */
    if (f->refund.amount_fen < 0 || f->refund.amount_fen > f->refundable_fen)
        abort();
    if (f->refund.nlines < 0 || f->refund.nlines > AT_LINES_MAX)
        abort();
    int64_t d = at_deadline(f);
    if (f->state == AT_IDLE ? d != INT64_MAX : d < 0)
        abort();
    if ((f->state == AT_VERIFYING || f->state == AT_APPROVING) && (!f->wait_until || !f->busy))
        abort(); /* a check in flight always has its deadline */
    if (f->state == AT_WORKING && !f->busy)
        abort();
    if (f->state == AT_LOCKED && !f->locked_until)
        abort();
}

/* What the flow was before the step, for the rules about what a step may do. */
struct before {
    struct at_flow f;
    int supervisor_approved; /* this step's event was a supervisor's approval, in APPROVING */
    int direct_reprint;      /* ... a reprint's transaction found, no approval needed */
};

static void check_step(const struct before *b, const struct at_flow *f, const struct effects *fx)
{
    if (fx->n > EFFECTS_MAX)
        abort();
    int calls = count(fx, EFF_CALL);
    if (calls > 1)
        abort();
    for (int i = 0; i < fx->n; i++) {
        const struct effect *x = &fx->v[i];
        check_text(x->arg, sizeof x->arg);
        if (x->kind == EFF_CALL && (x->i <= AT_OP_NONE || x->i >= AT_OP_LAST))
            abort();
        if (x->kind == EFF_CALL && x->i != AT_OP_VERIFY && x->i != AT_OP_REFUND && x->ndata)
            abort(); /* only these carry data */
    }
    /* EFF_HOME exactly when attendant mode ends, with the staff number that was in */
    int homes = count(fx, EFF_HOME);
    if (homes != (b->f.state != AT_IDLE && f->state == AT_IDLE))
        abort();
    if (homes) {
        const struct effect *h = find(fx, EFF_HOME);
        if (h->ndata != AT_STAFF_MAX + 1 || !memchr(h->data, '\0', h->ndata))
            abort();
        if (strcmp((const char *)h->data, b->f.staff_no))
            abort();
        if (h->i != at_logged_in(&b->f))
            abort();
        if (strcmp(h->arg, "idle") && strcmp(h->arg, "back") && strcmp(h->arg, "customer"))
            abort();
        if (f->staff_no[0] || f->name[0] || f->approver[0] || f->typed[0] ||
            f->role != AT_ROLE_NONE || f->refund.nlines || f->refund.amount_fen)
            abort(); /* logging out leaves nothing of who was in */
    }
    if (f->carry && !b->f.carry && !b->supervisor_approved)
        abort(); /* items carried over without a supervisor */
    const struct effect *c = find(fx, EFF_CALL);
    switch (c ? (enum at_op)c->i : AT_OP_NONE) {
    case AT_OP_VERIFY: {
        struct at_login l;
        if (c->ndata != sizeof l)
            abort();
        memcpy(&l, c->data, sizeof l);
        TEXT(l.staff_no);
        TEXT(l.pin);
        if (!digits(l.pin, 4, AT_PIN_MAX))
            abort();
        if (strcmp(l.pin, b->f.pin))
            abort(); /* the PIN that was typed */
        if (l.approval != (b->f.state == AT_APPROVE_PIN) ||
            (b->f.state != AT_PIN && b->f.state != AT_APPROVE_PIN))
            abort();
        if (strcmp(l.staff_no, l.approval ? b->f.approver : b->f.staff_no))
            abort();
        if (f->state != (l.approval ? AT_APPROVING : AT_VERIFYING))
            abort();
        break;
    }
    case AT_OP_REFUND: {
        if (!b->supervisor_approved || b->f.after_approval != AT_OP_REFUND)
            abort(); /* a refund without a supervisor's approval */
        struct at_refund_ask a;
        if (c->ndata != sizeof a)
            abort();
        memcpy(&a, c->data, sizeof a);
        TEXT(a.txn_no);
        TEXT(a.approver);
        if (strcmp(a.txn_no, f->txn) || strcmp(c->arg, f->txn))
            abort();
        if (strcmp(a.approver, b->f.approver) || !a.approver[0])
            abort();
        if (a.amount_fen <= 0 || a.amount_fen > f->refundable_fen ||
            a.amount_fen != f->refund.amount_fen)
            abort();
        if (a.reason < 0 || a.reason >= AT_REASONS || a.whole != f->refund.whole)
            abort();
        for (int i = 0; i < 32; i++) {
            int on = (a.chosen >> i) & 1u;
            if (on && (i >= f->refund.nlines || f->refund.lines[i].refunded))
                abort(); /* a line not there, or refunded already */
            if (i < f->refund.nlines && on != (f->refund.lines[i].chosen != 0))
                abort();
        }
        break;
    }
    case AT_OP_REPRINT:
        if (!b->supervisor_approved && !b->direct_reprint)
            abort(); /* a depot ticket's reprint without a supervisor */
        if (strcmp(c->arg, f->txn))
            abort();
        break;
    case AT_OP_SHIFT_CLOSE:
        if (strcmp(c->arg, f->carry ? "carry" : ""))
            abort();
        break;
    case AT_OP_TXN_LOAD:
        if (b->f.state != AT_TXN || !f->busy || f->state != AT_TXN)
            abort();
        break;
    default:
        break;
    }
}

/* ---- the glue's answers ----------------------------------------------------------------- */

/* A sale's lines as io.c gives them: amounts >= 0, some refunded, what is left >= 0 (with
 * discounts less than the lines, with a recharge more). */
static const struct at_refund *sale(struct fuzz_script *sc)
{
    static struct at_refund r;
    memset(&r, 0, sizeof r);
    snprintf(r.txn_no, sizeof r.txn_no, "T0001-20261130-000001");
    r.nlines = fuzz_next(sc) % (AT_LINES_MAX + 1);
    int64_t left = 0;
    for (int i = 0; i < r.nlines; i++) {
        struct at_line *l = &r.lines[i];
        snprintf(l->name, sizeof l->name, "line %d", i);
        l->qty = 1 + fuzz_next(sc) % 5;
        uint8_t b = fuzz_next(sc);
        l->amount_fen = b & 0x80 ? (int64_t)(b & 0x7f) * 100 : (int64_t)b * 3;
        l->refunded = (fuzz_next(sc) & 3) == 0;
        l->chosen = fuzz_next(sc) & 1; /* not to be taken */
        if (!l->refunded)
            left += l->amount_fen;
    }
    uint8_t k = fuzz_next(sc);
    r.amount_fen = k < 128 ? left : left * (k % 8) / 4 + (k & 1);
    return &r;
}

static enum at_op in_flight(const struct at_flow *f)
{
    switch (f->state) {
    case AT_VERIFYING:
    case AT_APPROVING:
        return AT_OP_VERIFY;
    case AT_WORKING:
        return f->op;
    case AT_UNFINISHED:
        return AT_OP_SHIFT_LOAD;
    case AT_TXN:
        return AT_OP_TXN_LOAD;
    case AT_HEALTH:
        return AT_OP_HEALTH;
    default:
        return AT_OP_NONE;
    }
}

static void answer(struct fuzz_script *sc, const struct at_flow *f, struct at_event *e)
{
    uint8_t b = fuzz_next(sc);
    e->in = AT_IN_DONE;
    e->index = b & 0xc0 ? (int)in_flight(f) : fuzz_next(sc) % (AT_OP_LAST + 2);
    uint8_t o = fuzz_next(sc);
    e->ok = (o & 3) != 0;
    e->note = e->ok ? AT_NOTE_NONE : (enum at_note)(fuzz_next(sc) % AT_NOTE_LAST);
    if (e->index == AT_OP_VERIFY && (o & 0x80)) { /* PIN checks: wrong ones often, to lock */
        e->ok = (o & 1) != 0;
        e->note = e->ok ? AT_NOTE_NONE : AT_NOTE_WRONG_PIN;
    }
    e->role = f->state == AT_APPROVING && (o & 4) ? AT_ROLE_SUPERVISOR : fuzz_next(sc) % 3;
    if (e->index == AT_OP_VERIFY && e->ok && e->role == AT_ROLE_NONE && (o & 8))
        e->role = AT_ROLE_ATTENDANT;
    e->name = PICK(sc, names);
    e->needs_approval = (o & 0x10) != 0;
    e->unfinished = o & 0x20 ? fuzz_next(sc) % 4 : 0;
    e->refund = o & 0x40 ? NULL : sale(sc);
}

/* What a person at this screen might do. */
static void plausible(struct fuzz_script *sc, const struct at_flow *f, struct at_event *e, char *buf,
                      size_t cap)
{
    uint8_t b = fuzz_next(sc);
    switch (f->state) {
    case AT_IDLE:
        if (b & 1) {
            e->in = AT_IN_DOOR;
        } else {
            e->in = AT_IN_CARD;
            e->text = PICK(sc, cards);
        }
        return;
    case AT_STAFF_NO:
    case AT_APPROVE_NO:
    case AT_PIN:
    case AT_APPROVE_PIN: {
        /* a whole number typed: here as one string, the driver types it a key at a time */
        int no = f->state == AT_STAFF_NO || f->state == AT_APPROVE_NO;
        snprintf(buf, cap, "%s", no ? PICK(sc, staff_nos) : PICK(sc, pins));
        e->in = AT_IN_KEY;
        e->text = buf;
        e->index = -2; /* "type it": see drive() */
        return;
    }
    case AT_VERIFYING:
    case AT_APPROVING:
    case AT_WORKING:
        answer(sc, f, e);
        return;
    case AT_MENU:
        e->in = b & 0x80 ? AT_IN_BACK : AT_IN_CHOOSE;
        e->index = fuzz_next(sc) % AT_OP_LAST;
        return;
    case AT_UNFINISHED:
        e->in = b & 1 ? AT_IN_CARRY : AT_IN_TICK;
        if (b & 2)
            answer(sc, f, e);
        return;
    case AT_SUMMARY:
    case AT_CLOSED:
    case AT_RESULT:
        e->in = b & 1 ? AT_IN_NEXT : b & 2 ? AT_IN_CHOOSE : AT_IN_BACK;
        return;
    case AT_TXN:
        if (f->busy) {
            answer(sc, f, e);
        } else if (b & 1) {
            e->in = AT_IN_SCAN;
            e->text = PICK(sc, txns);
            e->ok = 1;
        } else {
            snprintf(buf, cap, "%s", PICK(sc, txns));
            e->in = AT_IN_KEY;
            e->text = buf;
            e->index = -2;
        }
        return;
    case AT_LINES:
        e->in = b & 1 ? AT_IN_CHOOSE : b & 2 ? AT_IN_REASON : AT_IN_NEXT;
        e->index = (int)(fuzz_next(sc) % (AT_LINES_MAX + 2)) - 1;
        return;
    case AT_HEALTH:
        if (f->busy) {
            answer(sc, f, e);
        } else {
            e->in = b & 1 ? AT_IN_CHOOSE : AT_IN_BACK;
            e->index = fuzz_next(sc) % 4;
            e->text = PICK(sc, health_texts);
        }
        return;
    case AT_SERVICE:
        e->in = b & 1 ? AT_IN_CHOOSE : AT_IN_BACK;
        e->index = (int)(fuzz_next(sc) % 6) - 1;
        return;
    case AT_LOCKED:
        e->in = b & 1 ? AT_IN_BACK : AT_IN_TICK;
        return;
    case AT_STATE_LAST:
        abort();
    }
}

/* Anything at all. */
static void random_event(struct fuzz_script *sc, const struct at_flow *f, struct at_event *e)
{
    uint8_t b = fuzz_next(sc);
    switch (b % 12) {
    case 0:
        e->in = AT_IN_DOOR;
        break;
    case 1:
        e->in = AT_IN_CARD;
        e->text = b & 0x80 ? NULL : PICK(sc, cards);
        break;
    case 2:
        e->in = AT_IN_KEY;
        e->text = b & 0x80 ? NULL : PICK(sc, keys);
        break;
    case 3:
        e->in = AT_IN_SCAN;
        e->text = b & 0x80 ? NULL : PICK(sc, txns);
        e->ok = (b & 0x40) != 0;
        break;
    case 4:
        e->in = AT_IN_CHOOSE;
        e->index = (int)(fuzz_next(sc) % 40) - 3;
        e->text = b & 0x80 ? NULL : PICK(sc, health_texts);
        break;
    case 5:
        e->in = AT_IN_REASON;
        e->index = (int)(fuzz_next(sc) % 8) - 2;
        break;
    case 6:
        e->in = AT_IN_NEXT;
        break;
    case 7:
        e->in = AT_IN_CARRY;
        break;
    case 8:
        e->in = AT_IN_BACK;
        break;
    case 9:
        answer(sc, f, e);
        break;
    case 10:
        e->in = AT_IN_CUSTOMER;
        break;
    default:
        e->in = AT_IN_TICK;
        break;
    }
}

static int64_t advance(struct fuzz_script *sc)
{
    static const int64_t steps[] = {
        0, 10, 500, AT_RECHECK_MS, AT_VERIFY_MS, AT_IDLE_MS - 1, AT_IDLE_MS, AT_LOCK_MS};
    uint8_t b = fuzz_next(sc);
    return b & 0x80 ? (int64_t)(b & 0x7f) * 97 : steps[b % COUNT(steps)];
}

/* ---- one step, checked ------------------------------------------------------------------ */

static void one(struct at_flow *f, const struct at_event *e, int64_t now, int approved, int direct)
{
    static struct effects fx;
    static struct before b;
    b.f = *f;
    b.supervisor_approved = approved;
    b.direct_reprint = direct;
    fx.n = 0;
    at_step(f, e, now, &fx);
    check_step(&b, f, &fx);
    check_flow(f);
}

static void feed(struct at_flow *f, const struct at_event *e, int64_t now)
{
    int approved = e->in == AT_IN_DONE && e->index == AT_OP_VERIFY && e->ok &&
                   e->role == AT_ROLE_SUPERVISOR && f->state == AT_APPROVING;
    int direct = e->in == AT_IN_DONE && e->index == AT_OP_TXN_LOAD && e->ok && !e->needs_approval &&
                 f->state == AT_TXN && f->op == AT_OP_REPRINT;
    if (e->in == AT_IN_KEY && e->index == -2) {
        /* typed a key at a time, then ok */
        for (const char *p = e->text; *p; p++) {
            char k[2] = {*p, '\0'};
            struct at_event ke = {.in = AT_IN_KEY, .text = k};
            one(f, &ke, now, 0, 0);
        }
        struct at_event ok = {.in = AT_IN_KEY, .text = "ok"};
        one(f, &ok, now, 0, 0);
        return;
    }
    one(f, e, now, approved, direct);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    log_set_quiet(1);
    uint32_t seed = 2166136261u;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 16777619u;
    struct fuzz_script sc = {data, size, seed ? seed : 1, EXTRA};
    static struct at_flow f;
    at_init(&f);
    check_flow(&f);
    int64_t now = T0;
    char buf[AT_TXN_MAX + 32];
    for (int steps = 0; fuzz_more(&sc) && steps < 4000; steps++) {
        now += advance(&sc);
        struct at_event e;
        memset(&e, 0, sizeof e);
        if (fuzz_next(&sc) & 3)
            plausible(&sc, &f, &e, buf, sizeof buf);
        else
            random_event(&sc, &f, &e);
        feed(&f, &e, now);
    }

    /* ten minutes without a touch: logged out, unless an operation is under way */
    for (int s = 0; s < 600; s++) {
        now += 1000;
        struct at_event t = {.in = AT_IN_TICK};
        feed(&f, &t, now);
    }
    if (f.state != AT_IDLE && f.state != AT_WORKING)
        abort(); /* VERIFYING and APPROVING time out too */
    if (f.state == AT_WORKING) {
        /* ... which logs out once it ends */
        struct at_event d = {.in = AT_IN_DONE, .index = f.op, .ok = 1};
        feed(&f, &d, now);
        if (f.state == AT_WORKING)
            abort(); /* its own DONE ends it */
        struct at_event t = {.in = AT_IN_TICK};
        feed(&f, &t, now + 1000);
        if (f.state != AT_IDLE)
            abort();
    }
    return 0;
}
