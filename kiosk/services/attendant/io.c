#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "core/clock.h"
#include "core/crash.h"
#include "core/i18n.h"
#include "core/json.h"
#include "core/log.h"
#include "core/sign.h"
#include "journal/journal.h"
#include "record.h"
#include "slip.h"

#define MOD "attendant"
#define LOCKS_SETTING "attendant_locks" /* wrong PINs counted and locks, across restarts */
#define LOCKS_TEXT 512                  /* AT_LOCKS lines of at most 35 bytes */

static void run(struct attendant_io *io, struct effects *fx, int64_t now);

struct locks_job {
    char text[LOCKS_TEXT];
};

static enum kerr locks_write(struct journal *j, void *arg, int64_t *value)
{
    const struct locks_job *l = arg;
    (void)value;
    return journal_setting_put(j, LOCKS_SETTING, l->text[0] ? l->text : NULL);
}

/* The flow's counts of wrong PINs and its locks, kept in the journal: a restart (the power
 * pulled) does not open a locked staff number again. */
static void locks_keep(struct attendant_io *io, int64_t now)
{
    struct locks_job *l = calloc(1, sizeof *l);
    io->f.locks_changed = 0;
    if (l && at_locks_format(&io->f, now, clock_system_ms(), l->text, sizeof l->text) < 0) {
        free(l); /* cannot happen: AT_LOCKS lines fit */
        l = NULL;
    }
    if (!l || !host_journal(io->h, locks_write, l, free))
        log_error(MOD, "the PIN locks could not be kept; a restart would forget them");
}

static void feed(struct attendant_io *io, const struct at_event *e, int64_t now)
{
    struct effects fx = {.n = 0};
    at_step(&io->f, e, now, &fx);
    if (io->f.locks_changed)
        locks_keep(io, now);
    run(io, &fx, now);
}

static void done(struct attendant_io *io, enum at_op op, int ok, enum at_note note,
                 int64_t now)
{
    struct at_event e = {.in = AT_IN_DONE, .index = op, .ok = ok, .note = note};
    feed(io, &e, now);
}

/* ---- the audit ------------------------------------------------------------------------- */

struct audit_job {
    char id[64];
    char *body;
};

static void audit_free(void *arg)
{
    struct audit_job *a = arg;
    free(a->body);
    free(a);
}

static enum kerr audit_write(struct journal *j, void *arg, int64_t *value)
{
    struct audit_job *a = arg;
    (void)value;
    return journal_record_add(j, a->id, "audit", a->body, clock_system_ms());
}

/* One line of the audit, journaled and uploaded by the outbox. */
static void audit(struct attendant_io *io, const char *action, const char *who,
                  const char *approver, const char *detail)
{
    const char *term = host_config(io->h)->terminal_id;
    struct audit_job *a = calloc(1, sizeof *a);
    if (!a)
        return;
    /* the id by the system's clock (unique across restarts), the time by business time */
    snprintf(a->id, sizeof a->id, "%s-A%lld-%lld", term, (long long)clock_system_ms(),
             (long long)++io->audit_seq);
    a->body = at_record_audit(term, action, who, approver, detail, clock_wall_ms());
    if (!a->body) {
        free(a);
        return;
    }
    log_info(MOD, "audit: %s by %s%s%s", action, who, approver && *approver ? ", approved by " : "",
             approver ? approver : "");
    host_journal(io->h, audit_write, a, audit_free); /* uploaded once written: see result */
}

/* ---- the PIN ---------------------------------------------------------------------------- */

struct pin_job {
    struct at_login l;
    char name[32];
};

static void pin_job_free(void *arg)
{
    sign_wipe(arg, sizeof(struct pin_job));
    free(arg);
}

/* On the journal's thread (Argon2id takes tens of ms): 1 attendant, 2 supervisor, 0 wrong,
 * -1 nobody of that number cached. */
static enum kerr pin_check(struct journal *j, void *arg, int64_t *value)
{
    struct pin_job *p = arg;
    struct staff_row row;
    *value = -1;
    if (journal_staff_get(j, p->l.staff_no, &row) != KERR_OK)
        return KERR_OK;
    int ok = sign_pin_check(row.verifier, p->l.pin);
    *value = ok == 1 ? at_role_of(row.role) : ok == 0 ? 0 : -1;
    return KERR_OK;
}

static void pin_decided(struct attendant_io *io, int verdict, int role, const char *name,
                        int64_t now)
{
    struct at_login l = io->login;
    int offline = io->login_offline || verdict < 0;
    sign_wipe(&io->login, sizeof io->login);
    io->login_call = io->login_job = 0;
    struct at_event e = {.in = AT_IN_DONE, .index = AT_OP_VERIFY, .ok = verdict == 1,
                         .role = role, .name = name};
    e.note = verdict == 0 ? AT_NOTE_WRONG_PIN : verdict < 0 ? AT_NOTE_OFFLINE : AT_NOTE_NONE;
    enum at_state was = io->f.state;
    feed(io, &e, now);
    const char *what = l.approval ? (verdict == 1 ? "approval" : "approval_failed")
                                  : (verdict == 1 ? "login" : "login_failed");
    audit(io, what, l.approval ? io->f.staff_no : l.staff_no, l.approval ? l.staff_no : "",
          offline ? "offline" : "");
    if (was != AT_LOCKED && io->f.state == AT_LOCKED)
        audit(io, "locked", l.staff_no, "", "5 wrong PINs");
    sign_wipe(&l, sizeof l);
}

/* The backend did not say: the verifier the backend pushed decides. */
static void pin_offline(struct attendant_io *io, int64_t now)
{
    struct pin_job *p = calloc(1, sizeof *p);
    io->login_call = 0;
    io->login_offline = 1;
    if (!p) {
        pin_decided(io, -1, 0, "", now);
        return;
    }
    p->l = io->login;
    io->login_job = host_journal(io->h, pin_check, p, pin_job_free);
    if (!io->login_job)
        pin_decided(io, -1, 0, "", now);
}

static void verify(struct attendant_io *io, const struct at_login *l, int64_t now)
{
    struct health hl;
    io->login = *l;
    io->login_offline = 0;
    host_health(io->h, &hl);
    if (hl.c[COMP_BACKEND] == HEALTH_DOWN) { /* its heartbeat went unanswered: not waited for */
        log_info(MOD, "the station system is down: the PIN is checked on the kiosk");
        pin_offline(io, now);
        return;
    }
    char *body = at_api_login_body(l);
    struct backend_request rq = {.method = "POST", .path = "/v1/staff/login", .body = body,
                                 .idem_key = "staff-login",
                                 .timeout_ms = io->opt->login_timeout_s * 1000,
                                 .once = 1}; /* else the cached verifier, at once */
    io->login_call = body ? host_call(io->h, &rq) : 0;
    if (body) {
        sign_wipe(body, strlen(body));
        free(body);
    }
    if (!io->login_call)
        pin_offline(io, now);
}

/* ---- the staff list --------------------------------------------------------------------- */

struct staff_job {
    struct staff_row rows[AT_STAFF_ROWS];
    int n;
};

static enum kerr staff_write(struct journal *j, void *arg, int64_t *value)
{
    struct staff_job *s = arg;
    *value = s->n;
    return journal_staff_replace(j, s->rows, s->n, clock_system_ms());
}

static void staff_list(struct attendant_io *io, const struct backend_result *res)
{
    struct at_staff rows[AT_STAFF_ROWS];
    int n = res->outcome == BE_OK && res->status == 200
                ? at_api_staff(res->json, rows, AT_STAFF_ROWS)
                : -1;
    if (n < 0) {
        log_warn(MOD, "the staff list did not come (%d): the cached one stays", res->status);
        return;
    }
    struct staff_job *s = calloc(1, sizeof *s);
    if (!s)
        return;
    for (int i = 0; i < n; i++) {
        struct staff_row *r = &s->rows[i];
        snprintf(r->staff_no, sizeof r->staff_no, "%.12s", rows[i].staff_no);
        snprintf(r->card_no, sizeof r->card_no, "%.19s", rows[i].card_no);
        snprintf(r->name, sizeof r->name, "%.31s", rows[i].name);
        snprintf(r->role, sizeof r->role, "%.15s", at_role_name(rows[i].role));
        snprintf(r->verifier, sizeof r->verifier, "%.159s", rows[i].verifier);
    }
    s->n = n;
    host_journal(io->h, staff_write, s, free);
    log_info(MOD, "staff list: %d", n);
}

/* ---- reading the journal (the UI thread's own connection) -------------------------------- */

static void add_txn(const struct txn_row *t, void *user)
{
    tot_add(user, t->kind, t->amount_fen, t->print_state, t->payload);
}

static void add_unfinished(const struct intent *it, void *user)
{
    struct attendant_io *io = user;
    /* a refund waiting for its answer is unfinished; the close itself is not, nor a pump
     * sale's lock (released with its payment, or in the background: no money) */
    if ((!strcmp(it->flow, MOD) && strcmp(it->kind, "refund")) || !strcmp(it->kind, "lock") ||
        io->nunfinished == AT_UNFINISHED_MAX)
        return;
    struct at_unfinished_row *u = &io->unfinished[io->nunfinished++];
    snprintf(u->kind, sizeof u->kind, "%s", it->kind);
    snprintf(u->ref, sizeof u->ref, "%.24s", it->idem_key);
    /* the journal keeps the system's time; the screen shows business time */
    u->since_ms = it->created_ms + clock_wall_ms() - clock_system_ms();
}

static int shift_load(struct attendant_io *io)
{
    struct journal *j = host_journal_reader(io->h);
    struct shift_row s;
    io->nunfinished = 0;
    tot_init(&io->totals);
    if (!j || !(io->shift_id = journal_shift_current(j)) ||
        journal_shift_get(j, io->shift_id, &s) != KERR_OK)
        return -1;
    free(s.totals);
    io->opened_ms = s.opened_ms;
    io->closed_ms = 0;
    if (journal_intents_unfinished(j, add_unfinished, io) < 0 ||
        journal_shift_txns(j, io->shift_id, add_txn, &io->totals) < 0)
        return -1;
    io->totals.outbox_pending = journal_outbox_pending(j);
    return 0;
}

struct day_sum {
    struct totals sum;        /* what its shifts stored at their close */
    struct totals direct;     /* the same, from the shifts' transactions (when j is set) */
    struct journal *j;
    int shifts, bad;
    int64_t first_ms, last;
};

static void add_shift(const struct shift_row *s, void *user)
{
    struct day_sum *d = user;
    struct totals t;
    if (!s->totals || tot_from_json(s->totals, &t) != 0)
        d->bad++;
    else
        tot_sum(&d->sum, &t);
    if (d->j)
        journal_shift_txns(d->j, s->id, add_txn, &d->direct);
    if (!d->shifts++)
        d->first_ms = s->opened_ms;
    d->last = s->id;
}

/* A day's shifts into the view (day 0: the closed shifts not rolled up yet): what they
 * stored added up, checked against the day's own transactions. */
static enum at_note day_view(struct attendant_io *io, int64_t day_id)
{
    struct journal *j = host_journal_reader(io->h);
    struct day_sum d = {.j = j};
    tot_init(&d.sum);
    tot_init(&d.direct);
    if (!j)
        return AT_NOTE_KIOSK;
    if (!day_id && journal_shift_txns(j, journal_shift_current(j), NULL, NULL) > 0)
        return AT_NOTE_SHIFT_FIRST;
    if (journal_day_shifts(j, day_id, add_shift, &d) < 0)
        return AT_NOTE_KIOSK;
    io->totals = d.sum;
    io->shifts = d.shifts;
    io->last_shift = d.last;
    io->opened_ms = d.first_ms;
    io->day_matches = tot_equal(&d.sum, &d.direct, io->mismatch, sizeof io->mismatch) &&
                      !d.bad;
    if (d.bad)
        snprintf(io->mismatch, sizeof io->mismatch, "%d shifts without totals", d.bad);
    return AT_NOTE_NONE;
}

/* The transaction a reprint or a refund is about: by its number, a depot ticket by the
 * ticket's number, or a number inside what was scanned. */
static int txn_find(struct attendant_io *io, const char *text, struct txn_row *t)
{
    struct journal *j = host_journal_reader(io->h);
    if (!j)
        return -1;
    if (journal_txn_find(j, text, t) == KERR_OK)
        return 0;
    const char *in = strstr(text, host_config(io->h)->terminal_id);
    if (in && in != text && journal_txn_find(j, in, t) == KERR_OK)
        return 0;
    return -1;
}

struct refunds_seen {
    struct at_refund *r;
    int64_t fen;
};

static void refund_seen(const struct txn_row *t, void *user)
{
    struct refunds_seen *s = user;
    at_refund_apply(t->payload, s->r, &s->fen);
}

static void txn_load(struct attendant_io *io, const char *text, int64_t now)
{
    struct txn_row t;
    struct at_event e = {.in = AT_IN_DONE, .index = AT_OP_TXN_LOAD};
    free(io->txn_payload);
    io->txn_payload = NULL;
    if (txn_find(io, text, &t) != 0) {
        e.note = AT_NOTE_NOT_FOUND;
        feed(io, &e, now);
        return;
    }
    snprintf(io->txn_kind, sizeof io->txn_kind, "%s", t.kind);
    io->txn_amount = t.amount_fen;
    io->txn_payload = t.payload;
    e.ok = 1;
    e.needs_approval = !strcmp(t.kind, "depot_ticket");
    struct at_refund r;
    if (io->f.op == AT_OP_REFUND) {
        if (strcmp(t.kind, "sale") || at_sale_read(t.payload, i18n_lang(), &io->sale, &r) != 0) {
            e.ok = 0;
            e.note = AT_NOTE_NOT_REFUNDABLE;
        } else {
            struct refunds_seen s = {&r, 0};
            journal_txns_where(host_journal_reader(io->h), "refund", "refund_of", t.txn_no,
                               refund_seen, &s);
            r.amount_fen = io->sale.total_fen - s.fen;
            snprintf(r.txn_no, sizeof r.txn_no, "%.40s", t.txn_no);
            if (r.amount_fen <= 0) {
                e.ok = 0;
                e.note = AT_NOTE_NOT_REFUNDABLE;
            }
            e.refund = &r;
        }
    }
    /* the flow keeps what it found as typed: the transaction's own number */
    snprintf(io->f.typed, sizeof io->f.typed, "%.40s", t.txn_no);
    feed(io, &e, now);
}

static void parked_row(const struct outbox_rec *r, const char *reason, void *user)
{
    struct attendant_io *io = user;
    if (io->nparked == AT_PARKED_ROWS)
        return;
    struct at_parked_row *p = &io->parked[io->nparked];
    io->parked_seq[io->nparked++] = r->seq;
    snprintf(p->record_id, sizeof p->record_id, "%.47s", r->record_id);
    snprintf(p->kind, sizeof p->kind, "%s", r->kind);
    snprintf(p->reason, sizeof p->reason, "%s", reason ? reason : "");
}

static void health_row(struct attendant_io *io, const char *what, int translate,
                       enum health_state st, const char *detail)
{
    if (io->nhealth == AT_HEALTH_ROWS)
        return;
    struct at_health_row *r = &io->health[io->nhealth++];
    snprintf(r->what, sizeof r->what, "%s", what);
    r->translate = translate;
    r->state = st;
    snprintf(r->detail, sizeof r->detail, "%s", detail);
}

static enum kerr integrity_check(struct journal *j, void *arg, int64_t *value)
{
    (void)arg;
    *value = journal_integrity_ok(j);
    return KERR_OK;
}

static void health_load(struct attendant_io *io)
{
    struct journal *j = host_journal_reader(io->h);
    struct health hs;
    char detail[96];
    io->nhealth = io->nparked = 0;
    host_health(io->h, &hs);
    for (int i = 0; i < host_device_count(io->h); i++) {
        char name[48], why[96];
        enum health_state st;
        host_device_at(io->h, i, name, sizeof name, &st, why, sizeof why);
        health_row(io, name, 0, st, why);
    }
    health_row(io, N_("Station system"), 1, hs.c[COMP_BACKEND], "");
    int64_t size = j ? journal_size(j) : -1;
    snprintf(detail, sizeof detail, "%lld KB", (long long)(size > 0 ? size / 1024 : 0));
    /* the integrity check reads the whole file: on the journal's thread, the row follows */
    io->journal_row = io->nhealth;
    health_row(io, N_("Journal"), 1, j ? HEALTH_UNKNOWN : HEALTH_ABSENT, detail);
    if (j && !io->integrity_job)
        io->integrity_job = host_journal(io->h, integrity_check, NULL, NULL);
    int pending = j ? journal_outbox_pending(j) : 0;
    if (j)
        journal_outbox_parked(j, parked_row, io);
    snprintf(detail, sizeof detail, "%d / %d", pending, io->nparked);
    health_row(io, N_("Records to upload / parked"), 1,
               io->nparked ? HEALTH_DEGRADED : HEALTH_OK, detail);
    struct statvfs fs;
    const char *dir = host_config(io->h)->data_dir;
    if (statvfs(dir, &fs) == 0) {
        unsigned long long mb = (unsigned long long)fs.f_bavail * fs.f_frsize / (1024 * 1024);
        snprintf(detail, sizeof detail, "%llu MB", mb);
        health_row(io, N_("Disk free"), 1, mb < 200 ? HEALTH_DEGRADED : HEALTH_OK, detail);
    }
    snprintf(detail, sizeof detail, "%s · %lld min", KIOSK_VERSION,
             (long long)((clock_real_ms() - io->started_ms) / 60000));
    health_row(io, N_("Version and uptime"), 1, HEALTH_OK, detail);
}

/* ---- closing a shift or a day ------------------------------------------------------------ */

struct close_job {
    int day;
    int64_t shift_id, last_shift;
    char attendant[AT_STAFF_MAX + 1], approver[AT_STAFF_MAX + 1];
    char terminal[32], ref[48];
    int carried;
};

/* On the journal's thread: the totals from the writer's own connection at the moment of
 * the close, the report, the close itself, all in one SQLite transaction. value 1: closed
 * now; 2: it was closed already (a restart after the close). */
static enum kerr close_write(struct journal *j, void *arg, int64_t *value)
{
    struct close_job *c = arg;
    struct totals t;
    tot_init(&t);
    int64_t now = clock_wall_ms(), opened = now; /* a shift's times are business time */
    int shifts = 0, matches = 1;
    if (!c->day) {
        struct shift_row s;
        if (journal_shift_get(j, c->shift_id, &s) != KERR_OK)
            return KERR_NOT_FOUND;
        free(s.totals);
        *value = s.closed_ms ? 2 : 1;
        if (s.closed_ms)
            return KERR_OK;
        opened = s.opened_ms;
        journal_shift_txns(j, c->shift_id, add_txn, &t);
    } else {
        struct day_sum d = {.j = j};
        tot_init(&d.sum);
        tot_init(&d.direct);
        journal_day_shifts(j, 0, add_shift, &d);
        t = d.sum;
        shifts = d.shifts;
        matches = !d.bad && tot_equal(&d.sum, &d.direct, NULL, 0);
        opened = d.first_ms;
    }
    t.outbox_pending = journal_outbox_pending(j);
    char *totals = tot_to_json(&t);
    char *report = at_record_report(c->terminal, c->ref, c->day, c->attendant, c->approver,
                                    opened, now, shifts, matches, c->carried, &t);
    enum kerr e = KERR_NOMEM;
    int64_t id = 0;
    if (totals && report) {
        crash_point(c->day ? "attendant.day:before" : "attendant.shift:before");
        e = c->day ? journal_day_close(j, c->last_shift, c->attendant, totals, c->ref, report,
                                       now, &id)
                   : journal_shift_close(j, c->shift_id, totals, c->attendant, c->ref, report,
                                         now, &id);
    }
    free(totals);
    free(report);
    if (c->day) {
        *value = e == KERR_NOT_FOUND ? 2 : 1;
        if (e == KERR_NOT_FOUND)
            e = KERR_OK;
    }
    return e;
}

static void intent_payload(const struct attendant_io *io, char *out, size_t cap)
{
    snprintf(out, cap,
             "{\"shift_id\":%lld,\"last_shift\":%lld,\"attendant\":\"%s\","
             "\"approver\":\"%s\",\"carried\":%d}",
             (long long)io->shift_id, (long long)io->last_shift, io->closer, io->closer_approver,
             io->carried);
}

/* The report of the shift or day just closed: read back, drawn, printed. */
static void print_report(struct attendant_io *io, int copy)
{
    struct journal *j = host_journal_reader(io->h);
    struct at_report r;
    memset(&r, 0, sizeof r);
    r.day = io->op == AT_OP_DAY_CLOSE || (io->op == AT_OP_REPRINT_REPORT &&
                                          io->f.closed == AT_OP_DAY_CLOSE);
    snprintf(r.ref, sizeof r.ref, "%s", io->ref);
    snprintf(r.attendant, sizeof r.attendant, "%s", io->closer);
    snprintf(r.approver, sizeof r.approver, "%s", io->closer_approver);
    r.copy = copy;
    struct shift_row s;
    tot_init(&io->totals);
    if (!r.day && j && journal_shift_get(j, io->shift_id, &s) == KERR_OK) {
        if (s.totals)
            tot_from_json(s.totals, &io->totals);
        free(s.totals);
        io->opened_ms = s.opened_ms;
        io->closed_ms = s.closed_ms;
    } else if (r.day) {
        int64_t day = 0, closed = 0;
        if (j && journal_day_find(j, io->ref, &day, &closed) == KERR_OK)
            day_view(io, day); /* the day as it was closed */
        io->closed_ms = closed;
    }
    r.opened_ms = io->opened_ms;
    r.closed_ms = io->closed_ms ? io->closed_ms : clock_wall_ms();
    r.shifts = io->shifts;
    r.day_matches = io->day_matches;
    r.carried = io->carried;
    r.t = &io->totals;
    struct slip *sl = at_report_slip(host_text(io->h), host_config(io->h), i18n_lang(), &r);
    io->ask = sl ? host_print(io->h, slip_bitmap(sl), r.day ? "day report" : "shift report") : 0;
    slip_destroy(sl);
}

static void stage_close(struct attendant_io *io, int64_t now);

static void op_finish(struct attendant_io *io, int ok, enum at_note note, int64_t now)
{
    enum at_op op = io->op;
    int recovering = io->recovering;
    io->op = AT_OP_NONE;
    io->stage = ST_NONE;
    io->ask = 0;
    io->recovering = 0;
    if (!recovering)
        done(io, op, ok, note, now);
}

/* The next step of a shift or day close (also after a restart). */
static void stage_close(struct attendant_io *io, int64_t now)
{
    char payload[160];
    switch (io->stage) {
    case ST_NONE:
        intent_payload(io, payload, sizeof payload);
        io->stage = ST_INTENT;
        io->ask = host_intent_begin(io->h, io->op == AT_OP_DAY_CLOSE ? "day_close" : "shift_close",
                                    io->ref, payload);
        if (!io->ask)
            op_finish(io, 0, AT_NOTE_KIOSK, now);
        return;
    case ST_INTENT: {
        struct close_job *c = calloc(1, sizeof *c);
        if (!c) {
            op_finish(io, 0, AT_NOTE_KIOSK, now);
            return;
        }
        c->day = io->op == AT_OP_DAY_CLOSE;
        c->shift_id = io->shift_id;
        c->last_shift = io->last_shift;
        snprintf(c->attendant, sizeof c->attendant, "%s", io->closer);
        snprintf(c->approver, sizeof c->approver, "%s", io->closer_approver);
        snprintf(c->terminal, sizeof c->terminal, "%s", host_config(io->h)->terminal_id);
        snprintf(c->ref, sizeof c->ref, "%s", io->ref);
        c->carried = io->carried;
        io->stage = ST_WRITE;
        io->ask = host_journal(io->h, close_write, c, free);
        if (!io->ask)
            op_finish(io, 0, AT_NOTE_KIOSK, now);
        return;
    }
    case ST_WRITE:
        host_outbox_poke(io->h);
        crash_point("attendant.print:before");
        io->stage = ST_PRINT;
        print_report(io, io->recovering);
        if (!io->ask) {
            io->printed = 0;
            stage_close(io, now);
        }
        return;
    case ST_PRINT:
        io->stage = ST_SETTLE;
        io->ask = host_intent_finish(io->h, io->intent, INTENT_DONE,
                                     io->printed ? "PRINTED" : "NOT_PRINTED");
        if (!io->ask)
            stage_close(io, now);
        return;
    case ST_SETTLE:
        audit(io, io->op == AT_OP_DAY_CLOSE ? "day_close" : "shift_close", io->closer,
              io->closer_approver, io->recovering ? "finished after a restart" : io->ref);
        io->report_printed = io->printed;
        op_finish(io, io->printed, AT_NOTE_NONE, now);
        return;
    default:
        return;
    }
}

/* ---- what waits to be taken up ------------------------------------------------------------ */

/* Something to finish when nothing else is under way: a close or a refund a restart left
 * open, a refund the backend did not answer. */
static void todo_add(struct attendant_io *io, enum at_op op, int64_t intent, const char *key,
                     const char *payload)
{
    if (io->ntodo == AT_RECOVER_MAX) {
        log_warn(MOD, "%s left for the next start: too much to take up at once", key);
        return;
    }
    memset(&io->todo[io->ntodo], 0, sizeof io->todo[0]);
    io->todo[io->ntodo].op = op;
    io->todo[io->ntodo].intent = intent;
    snprintf(io->todo[io->ntodo].key, sizeof io->todo[0].key, "%.63s", key);
    io->todo[io->ntodo].payload = payload ? strdup(payload) : NULL;
    if (!payload || io->todo[io->ntodo].payload)
        io->ntodo++;
}

/* ---- refunds ------------------------------------------------------------------------------ */

struct refund_job {
    int64_t intent, amount;
    char no[64];
    char *payload;
};

static void refund_job_free(void *arg)
{
    struct refund_job *r = arg;
    free(r->payload);
    free(r);
}

static enum kerr refund_write(struct journal *j, void *arg, int64_t *value)
{
    struct refund_job *r = arg;
    (void)value;
    crash_point("attendant.refund_record:before");
    enum kerr e = journal_txn_settle(j, r->intent, r->no, "refund", r->amount, r->payload,
                                     clock_system_ms());
    return e == KERR_CONFLICT ? KERR_OK : e;
}

/* POST /v1/refunds from the refund's record, keyed by its number (again after a restart). */
static void refund_call(struct attendant_io *io)
{
    int64_t amount;
    char *body = at_api_refund_body(io->refund_record, &amount);
    struct backend_request rq = {.method = "POST", .path = "/v1/refunds", .body = body,
                                 .idem_key = io->refund_no};
    io->stage = ST_CALL;
    io->ask = body ? host_call(io->h, &rq) : 0;
    free(body);
}

static void print_refund(struct attendant_io *io)
{
    struct at_refund_slip s;
    memset(&s, 0, sizeof s);
    snprintf(s.refund_no, sizeof s.refund_no, "%.47s", io->refund_no);
    snprintf(s.txn_no, sizeof s.txn_no, "%s", io->f.refund.txn_no);
    s.r = &io->f.refund;
    snprintf(s.channel, sizeof s.channel, "%s", io->sale.channel);
    snprintf(s.attendant, sizeof s.attendant, "%s", io->f.staff_no);
    s.at_ms = clock_wall_ms();
    struct slip *sl = at_refund_slip(host_text(io->h), host_config(io->h), i18n_lang(), &s);
    io->ask = sl ? host_print(io->h, slip_bitmap(sl), "refund") : 0;
    slip_destroy(sl);
}

/* The refund's record is written first, as its intent's payload: all a restart needs to ask
 * for it again and record it. */
static void refund_start(struct attendant_io *io, const struct at_refund_ask *a, int64_t now)
{
    /* the refund's number: the sale's and how many refunds it has had */
    struct at_refund seen = io->f.refund;
    struct refunds_seen s = {&seen, 0};
    int n = journal_txns_where(host_journal_reader(io->h), "refund", "refund_of", a->txn_no,
                               refund_seen, &s);
    snprintf(io->refund_no, sizeof io->refund_no, "%s-R%d", a->txn_no, n < 0 ? 1 : n + 1);
    free(io->refund_record);
    io->refund_record = at_record_refund(io->refund_no, &io->sale, &io->f.refund,
                                         io->f.staff_no, clock_wall_ms());
    io->stage = ST_INTENT;
    io->ask = io->refund_record
                  ? host_intent_begin(io->h, "refund", io->refund_no, io->refund_record)
                  : 0;
    if (!io->ask)
        op_finish(io, 0, AT_NOTE_KIOSK, now);
}

static void refund_answer(struct attendant_io *io, const struct backend_result *res,
                          int64_t now)
{
    enum at_note note;
    char channel[24] = "";
    int v = at_api_refund_answer(res->outcome == BE_OK ? res->status : 0, res->json,
                                 res->err_code, channel, sizeof channel, &note);
    if (v < 0) { /* no answer: the intent stays, asked again with the same key */
        log_warn(MOD, "refund %s: no answer; asked again in %d s", io->refund_no,
                 AT_RETRY_MS / 1000);
        todo_add(io, AT_OP_REFUND, io->intent, io->refund_no, io->refund_record);
        io->todo_next = now + AT_RETRY_MS;
        op_finish(io, 0, AT_NOTE_OFFLINE, now);
        return;
    }
    if (v == 0) {
        host_intent_finish(io->h, io->intent, INTENT_FAILED, "REFUSED");
        audit(io, "refund_refused", io->f.staff_no, io->f.approver, io->refund_no);
        op_finish(io, 0, note, now);
        return;
    }
    struct refund_job *r = calloc(1, sizeof *r);
    char *body = r ? at_api_refund_body(io->refund_record, &r->amount) : NULL;
    if (body) { /* read for its amount */
        free(body);
        r->intent = io->intent;
        snprintf(r->no, sizeof r->no, "%s", io->refund_no);
        r->payload = strdup(io->refund_record);
    }
    io->stage = ST_RECORD;
    io->ask = r && r->payload ? host_journal(io->h, refund_write, r, refund_job_free) : 0;
    if (!io->ask) {
        if (r)
            refund_job_free(r);
        op_finish(io, 0, AT_NOTE_KIOSK, now);
    }
}

/* ---- parked records ---------------------------------------------------------------------- */

struct parked_job {
    int64_t seq;
    int retry;
    char who[AT_STAFF_MAX + 1];
};

static enum kerr parked_write(struct journal *j, void *arg, int64_t *value)
{
    struct parked_job *p = arg;
    (void)value;
    return p->retry ? journal_outbox_requeue(j, p->seq) : journal_outbox_handled(j, p->seq, p->who);
}

/* ---- running the flow's effects ---------------------------------------------------------- */

/* Who closes the shift or day, kept apart from the screen's login: a restart may finish the
 * close when nobody is logged in. */
static void set_closer(struct attendant_io *io)
{
    snprintf(io->closer, sizeof io->closer, "%s", io->f.staff_no);
    snprintf(io->closer_approver, sizeof io->closer_approver, "%s",
             io->f.carry ? io->f.approver : "");
}

static void start_op(struct attendant_io *io, const struct effect *e, int64_t now)
{
    enum at_op op = (enum at_op)e->i;
    switch (op) {
    case AT_OP_VERIFY:
        verify(io, (const struct at_login *)e->data, now);
        return;
    case AT_OP_SHIFT_LOAD: {
        int ok = shift_load(io) == 0;
        struct at_event ev = {.in = AT_IN_DONE, .index = op, .ok = ok,
                              .unfinished = io->nunfinished};
        io->carried = io->f.carry ? io->nunfinished : 0;
        feed(io, &ev, now);
        return;
    }
    case AT_OP_DAY_LOAD: {
        enum at_note note = day_view(io, 0);
        done(io, op, note == AT_NOTE_NONE, note, now);
        return;
    }
    case AT_OP_TXN_LOAD:
        txn_load(io, e->arg, now);
        return;
    case AT_OP_HEALTH:
        health_load(io);
        done(io, op, 1, AT_NOTE_NONE, now);
        return;
    default:
        break;
    }
    io->op = op;
    io->stage = ST_NONE;
    io->printed = 0;
    io->recovering = 0;
    switch (op) {
    case AT_OP_SHIFT_CLOSE:
        set_closer(io);
        if (shift_load(io) != 0) {
            op_finish(io, 0, AT_NOTE_KIOSK, now);
            return;
        }
        io->carried = io->f.carry ? io->nunfinished : 0;
        snprintf(io->ref, sizeof io->ref, "%s-S%06lld", host_config(io->h)->terminal_id,
                 (long long)io->shift_id);
        stage_close(io, now);
        return;
    case AT_OP_DAY_CLOSE: /* the shifts the attendant saw (io->last_shift): nothing else */
        set_closer(io);
        snprintf(io->ref, sizeof io->ref, "%s-D%06lld", host_config(io->h)->terminal_id,
                 (long long)io->last_shift);
        stage_close(io, now);
        return;
    case AT_OP_REPRINT_REPORT:
        print_report(io, 1);
        if (!io->ask)
            op_finish(io, 0, AT_NOTE_PRINT_FAILED, now);
        return;
    case AT_OP_REPRINT:
        io->ask = io->txn_payload ? host_reprint(io->h, io->txn_kind, io->txn_payload) : 0;
        if (!io->ask)
            op_finish(io, 0, AT_NOTE_PRINT_FAILED, now);
        return;
    case AT_OP_REFUND:
        refund_start(io, (const struct at_refund_ask *)e->data, now);
        return;
    case AT_OP_TEST_SLIP:
    case AT_OP_PAPER: {
        struct slip *s = slip_test(host_text(io->h), host_config(io->h), i18n_lang(),
                                   clock_wall_s());
        io->ask = s ? host_print(io->h, slip_bitmap(s), "test slip") : 0;
        slip_destroy(s);
        if (!io->ask)
            op_finish(io, 0, AT_NOTE_PRINT_FAILED, now);
        return;
    }
    case AT_OP_OUT_OF_SERVICE: {
        int i = e->arg[0] ? atoi(e->arg) : -1;
        io->ask = host_set_out_of_service(io->h, i >= 0 && i < AT_OOS_MESSAGES
                                                     ? at_oos_messages[i]
                                                     : NULL);
        if (!io->ask)
            op_finish(io, 0, AT_NOTE_KIOSK, now);
        return;
    }
    case AT_OP_OUTBOX_RETRY:
    case AT_OP_OUTBOX_HANDLED: {
        int i = atoi(e->arg);
        struct parked_job *p = i >= 0 && i < io->nparked ? calloc(1, sizeof *p) : NULL;
        if (!p) {
            op_finish(io, 0, AT_NOTE_KIOSK, now);
            return;
        }
        p->seq = io->parked_seq[i];
        p->retry = op == AT_OP_OUTBOX_RETRY;
        snprintf(p->who, sizeof p->who, "%s", io->f.staff_no);
        audit(io, p->retry ? "outbox_retry" : "outbox_handled", io->f.staff_no, "",
              io->parked[i].record_id);
        io->ask = host_journal(io->h, parked_write, p, free);
        if (!io->ask)
            op_finish(io, 0, AT_NOTE_KIOSK, now);
        return;
    }
    default:
        return;
    }
}

static void run(struct attendant_io *io, struct effects *fx, int64_t now)
{
    for (int i = 0; i < fx->n; i++) {
        struct effect *e = &fx->v[i];
        switch (e->kind) {
        case EFF_REDRAW:
            host_redraw(io->h);
            break;
        case EFF_HOME:
            if (e->i) /* a staff member was logged in */
                audit(io, "logout", (const char *)e->data, "", e->arg);
            free(io->txn_payload);
            io->txn_payload = NULL;
            host_done(io->h);
            break;
        case EFF_CALL:
            start_op(io, e, now);
            break;
        default:
            break;
        }
        sign_wipe(e->data, e->ndata); /* a PIN check carries the PIN */
    }
}

/* ---- the host's side --------------------------------------------------------------------- */

int at_io_open(struct attendant_io *io, struct host_svc *h, const struct at_options *opt)
{
    io->h = h;
    io->opt = opt;
    io->started_ms = clock_real_ms(); /* the health page's uptime */
    at_init(&io->f);
    return 0;
}

void at_io_close(struct attendant_io *io)
{
    sign_wipe(&io->login, sizeof io->login);
    free(io->txn_payload);
    io->txn_payload = NULL;
    free(io->refund_record);
    io->refund_record = NULL;
    for (int i = 0; i < io->ntodo; i++)
        free(io->todo[i].payload);
    io->ntodo = 0;
}

static void recover_one(const struct intent *it, void *user)
{
    struct attendant_io *io = user;
    if (strcmp(it->flow, MOD))
        return;
    enum at_op op = !strcmp(it->kind, "shift_close") ? AT_OP_SHIFT_CLOSE
                    : !strcmp(it->kind, "day_close") ? AT_OP_DAY_CLOSE
                    : !strcmp(it->kind, "refund")    ? AT_OP_REFUND
                                                     : AT_OP_NONE;
    if (op == AT_OP_NONE) {
        log_warn(MOD, "a %s left open by a restart: nothing takes it up", it->kind);
        return;
    }
    int n = io->ntodo;
    todo_add(io, op, it->id, it->idem_key, op == AT_OP_REFUND ? it->payload : NULL);
    if (io->ntodo == n || op == AT_OP_REFUND)
        return;
    cJSON *p = cJSON_Parse(it->payload);
    int bad = 0;
    io->todo[n].shift_id = json_int(p, op == AT_OP_DAY_CLOSE ? "last_shift" : "shift_id", 0,
                                    INT64_MAX, &bad);
    json_copy(p, "attendant", io->todo[n].who, sizeof io->todo[n].who, 1, &bad);
    json_copy(p, "approver", io->todo[n].approver, sizeof io->todo[n].approver, 1, &bad);
    io->todo[n].carried = (int)json_int(p, "carried", 0, 1000, &bad);
    if (bad)
        log_warn(MOD, "%s: its intent does not read whole; closed as far as it does",
                 it->idem_key);
    cJSON_Delete(p);
}

void at_io_recover(struct attendant_io *io, int64_t now)
{
    struct journal *j = host_journal_reader(io->h);
    char locks[LOCKS_TEXT];
    if (j && journal_intents_unfinished(j, recover_one, io) > 0 && io->ntodo)
        log_info(MOD, "%d closes or refunds left open by a restart: finished now", io->ntodo);
    if (j && journal_setting_get(j, LOCKS_SETTING, locks, sizeof locks) == KERR_OK)
        log_info(MOD, "%d staff numbers with wrong PINs or locked before the start",
                 at_locks_load(&io->f, locks, now, clock_system_ms()));
    io->staff_next = now; /* the staff list at once */
}

/* What waits is taken up when nothing else is under way: a close is finished (the journal
 * knows whether the shift was closed), its report printed again marked as a copy, its
 * intent settled; a refund is asked for again with its key and recorded. */
static void take_up(struct attendant_io *io, int64_t now)
{
    if (io->op != AT_OP_NONE || !io->ntodo || now < io->todo_next)
        return;
    io->ntodo--;
    io->op = io->todo[io->ntodo].op;
    io->intent = io->todo[io->ntodo].intent;
    io->recovering = 1;
    io->printed = 0;
    log_info(MOD, "taking up %s", io->todo[io->ntodo].key);
    if (io->op == AT_OP_REFUND) {
        snprintf(io->refund_no, sizeof io->refund_no, "%s", io->todo[io->ntodo].key);
        free(io->refund_record);
        io->refund_record = io->todo[io->ntodo].payload;
        io->todo[io->ntodo].payload = NULL;
        refund_call(io);
        if (!io->ask) {
            todo_add(io, AT_OP_REFUND, io->intent, io->refund_no, io->refund_record);
            io->todo_next = now + AT_RETRY_MS;
            op_finish(io, 0, AT_NOTE_OFFLINE, now);
        }
        return;
    }
    snprintf(io->ref, sizeof io->ref, "%.47s", io->todo[io->ntodo].key);
    snprintf(io->closer, sizeof io->closer, "%s", io->todo[io->ntodo].who);
    snprintf(io->closer_approver, sizeof io->closer_approver, "%s",
             io->todo[io->ntodo].approver);
    io->carried = io->todo[io->ntodo].carried;
    if (io->op == AT_OP_DAY_CLOSE)
        io->last_shift = io->todo[io->ntodo].shift_id;
    else
        io->shift_id = io->todo[io->ntodo].shift_id;
    io->stage = ST_INTENT; /* the intent is there: the close next */
    stage_close(io, now);
}

void at_io_input(struct attendant_io *io, const struct at_event *e, int64_t now)
{
    feed(io, e, now);
}

static void on_call(struct attendant_io *io, const struct host_result *r, int64_t now)
{
    const struct backend_result *res = r->call;
    if (r->handle == io->staff_call) {
        io->staff_call = 0;
        staff_list(io, res);
        return;
    }
    if (r->handle == io->login_call) {
        int role = 0;
        char name[32] = "";
        int v = at_api_login_answer(res->outcome == BE_OK ? res->status : 0, res->json,
                                    res->err_code, &role, name, sizeof name);
        if (v < 0)
            pin_offline(io, now);
        else
            pin_decided(io, v, role, name, now);
        return;
    }
    if (r->handle == io->ask && io->op == AT_OP_REFUND && io->stage == ST_CALL) {
        io->ask = 0;
        refund_answer(io, res, now);
    }
}

void at_io_result(struct attendant_io *io, const struct host_result *r, int64_t now)
{
    switch (r->kind) {
    case HR_CALL:
        on_call(io, r, now);
        return;
    case HR_JOURNAL:
        /* an audit line, a report, a refund: what it added goes up now, not at the
         * uploader's next idle look */
        host_outbox_poke(io->h);
        if (r->handle == io->integrity_job) {
            io->integrity_job = 0;
            if (io->journal_row < io->nhealth)
                io->health[io->journal_row].state = r->value == 1 ? HEALTH_OK : HEALTH_FAULT;
            host_redraw(io->h);
            return;
        }
        if (r->handle == io->login_job) {
            int v = (int)r->value;
            struct staff_row row;
            struct journal *j = host_journal_reader(io->h);
            const char *name = "";
            if (v > 0 && j && journal_staff_get(j, io->login.staff_no, &row) == KERR_OK)
                name = row.name;
            pin_decided(io, v > 0 ? 1 : v, v > 0 ? v : 0, name, now);
            return;
        }
        if (!r->handle || r->handle != io->ask)
            return;
        io->ask = 0;
        if (r->err != KERR_OK && io->stage != ST_SETTLE) {
            log_error(MOD, "%s: the journal refused a write (%d)", io->ref, r->err);
            op_finish(io, 0, AT_NOTE_KIOSK, now);
            return;
        }
        if (io->op == AT_OP_SHIFT_CLOSE || io->op == AT_OP_DAY_CLOSE) {
            if (io->stage == ST_INTENT)
                io->intent = r->value;
            stage_close(io, now);
        } else if (io->op == AT_OP_REFUND && io->stage == ST_INTENT) {
            io->intent = r->value;
            refund_call(io);
            if (!io->ask)
                op_finish(io, 0, AT_NOTE_OFFLINE, now);
        } else if (io->op == AT_OP_REFUND && io->stage == ST_RECORD) {
            host_outbox_poke(io->h);
            if (io->recovering) { /* nobody at the screen: the record says who and why */
                log_info(MOD, "refund %s made and recorded after all", io->refund_no);
                op_finish(io, 1, AT_NOTE_NONE, now);
                return;
            }
            audit(io, "refund", io->f.staff_no, io->f.approver, io->refund_no);
            io->stage = ST_PRINT;
            print_refund(io);
            if (!io->ask)
                op_finish(io, 0, AT_NOTE_PRINT_FAILED, now);
        } else if (io->op == AT_OP_OUTBOX_RETRY || io->op == AT_OP_OUTBOX_HANDLED) {
            if (io->op == AT_OP_OUTBOX_RETRY)
                host_outbox_poke(io->h);
            health_load(io);
            op_finish(io, 1, AT_NOTE_NONE, now);
        } else if (io->op == AT_OP_OUT_OF_SERVICE) {
            audit(io, host_out_of_service(io->h) ? "out_of_service" : "in_service",
                  io->f.staff_no, "", "");
            op_finish(io, 1, AT_NOTE_NONE, now);
        }
        return;
    case HR_PRINT:
        if (r->handle != io->ask || !r->final)
            return;
        io->ask = 0;
        io->printed = r->ok;
        crash_point("attendant.print:after");
        if (io->op == AT_OP_SHIFT_CLOSE || io->op == AT_OP_DAY_CLOSE) {
            stage_close(io, now);
        } else if (io->op == AT_OP_PAPER) {
            audit(io, "paper_changed", io->f.staff_no, "", r->ok ? "printed" : "not printed");
            host_printer_check(io->h); /* the printer's alert goes with a good status */
            op_finish(io, r->ok, r->ok ? AT_NOTE_NONE : AT_NOTE_PRINT_FAILED, now);
        } else {
            if (io->op == AT_OP_REPRINT)
                audit(io, "reprint", io->f.staff_no, io->f.approver, io->f.txn);
            else if (io->op == AT_OP_TEST_SLIP)
                audit(io, "test_slip", io->f.staff_no, "", "");
            else if (io->op == AT_OP_REPRINT_REPORT)
                audit(io, "report_reprint", io->f.staff_no, "", io->ref);
            op_finish(io, r->ok || io->op == AT_OP_REFUND,
                      r->ok ? AT_NOTE_NONE : AT_NOTE_PRINT_FAILED, now);
        }
        return;
    default:
        return;
    }
}

void at_io_tick(struct attendant_io *io, int64_t now)
{
    if (now >= io->staff_next && !io->staff_call) {
        struct backend_request rq = {.method = "GET", .path = "/v1/staff/verifiers"};
        io->staff_call = host_call(io->h, &rq);
        io->staff_next = now + (int64_t)io->opt->staff_refresh_s * 1000;
    }
    take_up(io, now);
    if (now >= at_deadline(&io->f)) {
        struct at_event e = {.in = AT_IN_TICK};
        feed(io, &e, now);
    }
}

int64_t at_io_deadline(const struct attendant_io *io)
{
    int64_t d = at_deadline(&io->f);
    if (io->staff_next < d)
        d = io->staff_next;
    if (io->ntodo && io->op == AT_OP_NONE && io->todo_next < d)
        d = io->todo_next;
    return d;
}

void at_io_view(const struct attendant_io *io, struct at_view *v)
{
    v->f = &io->f;
    v->totals = &io->totals;
    v->shift_id = io->shift_id;
    v->opened_ms = io->opened_ms;
    v->closed_ms = io->closed_ms;
    v->shifts = io->shifts;
    v->day_matches = io->day_matches;
    snprintf(v->day_mismatch, sizeof v->day_mismatch, "%s", io->mismatch);
    v->report_printed = io->report_printed;
    v->unfinished = io->unfinished;
    v->nunfinished = io->nunfinished;
    snprintf(v->txn_kind, sizeof v->txn_kind, "%s", io->txn_kind);
    v->txn_amount_fen = io->txn_amount;
    v->health = io->health;
    v->nhealth = io->nhealth;
    v->parked = io->parked;
    v->nparked = io->nparked;
    v->out_of_service = host_out_of_service(io->h);
}

int at_io_idle(const struct attendant_io *io)
{
    return io->op == AT_OP_NONE && !io->ntodo;
}
