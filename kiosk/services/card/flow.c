/* The fuel card's flow (flow.h). */
#include "flow.h"

#include <stdio.h>
#include <string.h>

#include "core/sign.h"

/* The command in flight (cd_flow.apdu_kind). */
enum {
    AK_NONE,
    AK_SELECT,
    AK_INFO,
    AK_HOLDER,
    AK_BALANCE,
    AK_VERIFY,
    AK_INIT,
    AK_CREDIT,
    AK_PROOF,
    AK_BALANCE_AFTER,
    AK_REREAD,  /* back from paying: the card's number again (no SELECT: the PIN holds) */
    AK_REBALANCE,
    AK_LOG,
};

void cd_init(struct cd_flow *f, const struct cd_config *cfg)
{
    memset(f, 0, sizeof *f);
    f->cfg = *cfg;
    f->resolving = -1;
    f->pin_tries_left = -1;
    for (int i = 0; i < 10; i++)
        f->pin_order[i] = (uint8_t)((i + 1) % 10);
}

void cd_wipe(struct cd_flow *f)
{
    struct cd_config cfg = f->cfg;
    int seq = f->seq;
    sign_wipe(f, sizeof *f);
    cd_init(f, &cfg);
    f->seq = seq;
}

void cd_shuffle(struct cd_flow *f, uint64_t seed)
{
    /* xorshift64* then Fisher-Yates: no two entries alike, nothing to learn from a
     * fingerprint on the glass */
    uint64_t x = seed ? seed : 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 10; i++)
        f->pin_order[i] = (uint8_t)i;
    for (int i = 9; i > 0; i--) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        int j = (int)((x * 0x2545F4914F6CDD1Dull) % (uint64_t)(i + 1));
        uint8_t t = f->pin_order[i];
        f->pin_order[i] = f->pin_order[j];
        f->pin_order[j] = t;
    }
}

const char *cd_state_name(enum cd_state s)
{
    static const char *const names[] = {
        "idle",      "insert",   "reading",    "lookup",         "pin",          "verifying",
        "resolving", "menu",     "amount",     "paying",         "refresh",      "loading",
        "done",      "subcards", "alloc_keypad", "alloc_confirm", "allocating",  "allocated",
        "history",   "locked",   "removed",    "failed",
    };
    _Static_assert(sizeof names / sizeof names[0] == CD_STATE_LAST, "a name for every state");
    return s >= 0 && s < CD_STATE_LAST ? names[s] : "?";
}

const char *cd_screen_name(const struct cd_flow *f)
{
    switch (f->state) {
    case CD_INSERT: return "card_insert";
    case CD_PIN: return "card_pin";
    case CD_MENU: return "card_menu";
    case CD_AMOUNT: return "card_amount";
    case CD_LOADING: return "card_loading";
    case CD_DONE: return "card_done";
    case CD_SUBCARDS: return "card_subcards";
    case CD_ALLOC_KEYPAD: return "card_alloc_keypad";
    case CD_ALLOC_CONFIRM: return "card_alloc_confirm";
    case CD_ALLOCATING: return "card_allocating";
    case CD_ALLOCATED: return "card_allocated";
    case CD_HISTORY: return "card_history";
    case CD_LOCKED: return "card_locked";
    case CD_REMOVED: return "card_removed";
    case CD_FAILED: return "card_failed";
    default: return "card_reading";
    }
}

int cd_busy(const struct cd_flow *f)
{
    if (f->state == CD_ALLOCATING || f->state == CD_REFRESH)
        return 1;
    return (f->state == CD_LOADING || f->state == CD_RESOLVING) && f->step != CS_NONE;
}

int64_t cd_deadline(const struct cd_flow *f)
{
    return f->wait_until ? f->wait_until : INT64_MAX;
}

void cd_mask_no(const char *card_no, char *out, size_t cap)
{
    size_t n = strlen(card_no);
    if (n != CARD_NO_LEN) {
        snprintf(out, cap, "****");
        return;
    }
    snprintf(out, cap, "%.4s **** **** %.4s", card_no, card_no + 12);
}

static int64_t room_on_card(const struct cd_flow *f)
{
    int64_t room = f->acct.balance_cap_fen - (int64_t)f->balance_fen;
    return room > 0 ? room : 0;
}

int64_t cd_recharge_max(const struct cd_flow *f)
{
    int64_t today = f->acct.daily_cap_fen - f->acct.recharged_today_fen;
    /* what is waiting already will take room on the card too */
    int64_t room = room_on_card(f) - f->acct.account_fen - f->acct.allocation_fen;
    int64_t m = today < room ? today : room;
    return m > 0 ? m : 0;
}

int64_t cd_waiting(const struct cd_flow *f, const char **source)
{
    int64_t room = room_on_card(f);
    int64_t v = f->acct.account_fen;
    const char *src = "account";
    if (v <= 0 && f->acct.allocation_fen > 0) {
        v = f->acct.allocation_fen;
        src = "allocation";
    }
    if (source)
        *source = src;
    if (v < 0)
        v = 0;
    return v < room ? v : room;
}

int64_t cd_alloc_total(const struct cd_flow *f)
{
    int64_t t = 0;
    for (int i = 0; i < f->nsubs; i++)
        t += f->subs[i].amount_fen;
    return t;
}

/* ---- effects ------------------------------------------------------------------------- */

static void set_state(struct cd_flow *f, enum cd_state s, struct effects *out)
{
    f->state = s;
    f->note = CD_NOTE_NONE;
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void send(struct cd_flow *f, int kind, const struct apdu *a, int64_t now,
                 struct effects *out)
{
    f->apdu_kind = kind;
    f->busy = 1;
    f->wait_until = now + CD_APDU_MS;
    effects_add_data(out, EFF_APDU, kind, NULL, a, sizeof *a);
}

static void send_read(struct cd_flow *f, int kind, int sfi, int len, int64_t now,
                      struct effects *out)
{
    struct apdu a;
    apdu_read_binary(&a, sfi, len);
    send(f, kind, &a, now, out);
}

static void send_balance(struct cd_flow *f, int kind, int64_t now, struct effects *out)
{
    struct apdu a;
    apdu_get_balance(&a);
    send(f, kind, &a, now, out);
}

static struct cd_request *call(struct cd_flow *f, enum cd_call k, int64_t now,
                               struct effects *out)
{
    struct cd_request rq;
    memset(&rq, 0, sizeof rq);
    rq.call = k;
    snprintf(rq.card_no, sizeof rq.card_no, "%s", f->info.card_no);
    f->apdu_kind = AK_NONE;
    f->busy = 1;
    f->wait_until = now + CD_CALL_MS;
    struct effect *e = effects_add_data(out, EFF_CALL, k, NULL, &rq, sizeof rq);
    return (struct cd_request *)e->data;
}

static void load_record(const struct cd_flow *f, struct cd_load_record *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->card_no, sizeof r->card_no, "%s", f->info.card_no);
    snprintf(r->load_id, sizeof r->load_id, "%s", f->load.load_id);
    snprintf(r->source, sizeof r->source, "%s", f->load.source);
    r->amount_fen = f->load.amount_fen;
    r->online_serial = f->load.online_serial;
    card_hex(f->cfg.term_id, 6, r->term_hex);
    snprintf(r->date, sizeof r->date, "%s", f->date);
    snprintf(r->time, sizeof r->time, "%s", f->time);
}

static void fail(struct cd_flow *f, enum cd_error err, struct effects *out)
{
    f->busy = 0;
    f->wait_until = 0;
    f->step = CS_NONE;
    f->error = err;
    set_state(f, CD_FAILED, out);
}

/* The card went away (or stopped answering): what became of the money. */
static void gone(struct cd_flow *f, struct effects *out)
{
    f->present = 0;
    f->busy = 0;
    f->wait_until = 0;
    f->apdu_kind = AK_NONE;
    f->verified = 0;
    sign_wipe(f->pin, sizeof f->pin);
    if (f->state == CD_RESOLVING || (f->state == CD_LOADING && f->step >= CS_MAC2))
        f->removed = CD_GONE_PENDING; /* a pending load: finished when the card is back */
    else if (f->have_account && (f->recharge_txn[0] || cd_waiting(f, NULL) > 0))
        f->removed = CD_GONE_IN_ACCOUNT;
    else
        f->removed = CD_GONE_NOTHING;
    f->step = CS_NONE;
    set_state(f, CD_REMOVED, out);
}

/* ---- reading the card ------------------------------------------------------------------ */

static void begin_read(struct cd_flow *f, int64_t now, struct effects *out)
{
    struct cd_config cfg = f->cfg;
    int seq = f->seq;
    char txn[sizeof f->recharge_txn];
    snprintf(txn, sizeof txn, "%s", f->recharge_txn);
    cd_wipe(f);
    f->cfg = cfg;
    f->seq = seq;
    snprintf(f->recharge_txn, sizeof f->recharge_txn, "%s", txn);
    f->present = 1;
    set_state(f, CD_READING, out);
    struct apdu a;
    apdu_select(&a, f->cfg.aid, f->cfg.aid_len);
    send(f, AK_SELECT, &a, now, out);
}

/* An answer that is not OK, where OK was the only good one. */
static void bad_answer(struct cd_flow *f, enum card_ans s, struct effects *out)
{
    if (s == CA_GONE)
        gone(f, out);
    else if (s == CA_NOT_FOUND)
        fail(f, CD_ERR_UNKNOWN_CARD, out);
    else
        fail(f, CD_ERR_BAD_CARD, out);
}

static void lookup(struct cd_flow *f, int64_t now, struct effects *out)
{
    call(f, CD_CALL_CARD, now, out);
}

/* ---- the load ---------------------------------------------------------------------------- */

static void start_init(struct cd_flow *f, int64_t now, struct effects *out)
{
    f->step = CS_INIT;
    struct apdu a;
    apdu_init_load(&a, (uint32_t)f->load.amount_fen, f->cfg.term_id);
    send(f, AK_INIT, &a, now, out);
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void begin_load(struct cd_flow *f, int64_t amount, const char *source, int64_t now,
                       struct effects *out)
{
    memset(&f->load, 0, sizeof f->load);
    snprintf(f->load.load_id, sizeof f->load.load_id, "L-%s-%lld-%d", f->cfg.terminal,
             (long long)f->cfg.wall_ms, ++f->seq);
    f->load.amount_fen = amount;
    snprintf(f->load.source, sizeof f->load.source, "%s", source);
    f->balance_before_fen = f->balance_fen;
    f->resolving = -1;
    f->retried = 0;
    set_state(f, CD_LOADING, out);
    start_init(f, now, out);
}

/* The next pending load to resolve, or the menu. */
static void resolve_next(struct cd_flow *f, int64_t now, struct effects *out)
{
    int i = f->resolving + 1;
    f->step = CS_NONE;
    f->busy = 0;
    f->wait_until = 0;
    if (i >= f->acct.npending) {
        f->resolving = -1;
        set_state(f, CD_MENU, out);
        return;
    }
    f->resolving = i;
    f->load = f->acct.pending[i];
    f->retried = 0;
    f->balance_before_fen = f->balance_fen;
    if (f->state != CD_RESOLVING)
        set_state(f, CD_RESOLVING, out);
    f->step = CS_PROOF;
    struct apdu a;
    apdu_proof(&a, (uint16_t)(f->load.online_serial + 1));
    send(f, AK_PROOF, &a, now, out);
}

static void ask_mac2(struct cd_flow *f, int64_t now, struct effects *out)
{
    f->step = CS_MAC2;
    struct cd_request *rq = call(f, CD_CALL_LOAD, now, out);
    snprintf(rq->load_id, sizeof rq->load_id, "%s", f->load.load_id);
    snprintf(rq->source, sizeof rq->source, "%s", f->load.source);
    rq->amount_fen = f->load.amount_fen;
    rq->card_balance_fen = f->init.old_balance;
    rq->online_serial = f->init.online_serial;
    rq->key_version = f->init.key_version;
    rq->algorithm = f->init.algorithm;
    card_hex(f->init.random, 4, rq->random);
    card_hex(f->init.mac1, 4, rq->mac1);
    card_hex(f->cfg.term_id, 6, rq->term_hex);
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void write_intent(struct cd_flow *f, int64_t now, struct effects *out)
{
    f->step = CS_INTENT;
    f->busy = 1;
    f->wait_until = now + CD_JOURNAL_MS;
    struct cd_load_record r;
    load_record(f, &r);
    r.balance_before_fen = f->init.old_balance;
    effects_add_data(out, EFF_INTENT, 0, NULL, &r, sizeof r);
    effects_add(out, EFF_REDRAW, 0, NULL);
}

static void credit(struct cd_flow *f, int64_t now, struct effects *out)
{
    uint8_t date[4], time[3];
    for (int i = 0; i < 4; i++)
        date[i] = (uint8_t)(((f->date[2 * i] - '0') << 4) | (f->date[2 * i + 1] - '0'));
    for (int i = 0; i < 3; i++)
        time[i] = (uint8_t)(((f->time[2 * i] - '0') << 4) | (f->time[2 * i + 1] - '0'));
    f->step = CS_CREDIT;
    struct apdu a;
    apdu_credit_load(&a, date, time, f->mac2);
    send(f, AK_CREDIT, &a, now, out);
    effects_add(out, EFF_REDRAW, 0, NULL);
}

/* The TAC is here: the money is on the card. Journal it (settles the intent). */
static void record(struct cd_flow *f, int64_t before, int64_t after, int64_t now,
                   struct effects *out)
{
    f->step = CS_RECORD;
    f->busy = 1;
    f->wait_until = now + CD_JOURNAL_MS;
    struct cd_load_record r;
    load_record(f, &r);
    r.balance_before_fen = before;
    r.balance_after_fen = after;
    card_hex(f->tac, 4, r.tac);
    effects_add_data(out, EFF_TXN, 0, NULL, &r, sizeof r);
}

static void confirm(struct cd_flow *f, int64_t now, struct effects *out)
{
    f->step = CS_CONFIRM;
    struct cd_request *rq = call(f, CD_CALL_CONFIRM, now, out);
    snprintf(rq->load_id, sizeof rq->load_id, "%s", f->load.load_id);
    card_hex(f->tac, 4, rq->tac);
}

/* The load is on the card and told: read the balance back (when the card is still there). */
static void loaded(struct cd_flow *f, int64_t now, struct effects *out)
{
    if (f->resolving >= 0)
        f->resolved_fen += f->load.amount_fen;
    else
        f->loaded_fen += f->load.amount_fen;
    if (!strcmp(f->load.source, "allocation"))
        f->acct.allocation_fen -= f->resolving >= 0 ? 0 : f->load.amount_fen;
    else if (f->resolving < 0)
        f->acct.account_fen -= f->load.amount_fen;
    if (f->present) {
        f->step = CS_BALANCE;
        send_balance(f, AK_BALANCE_AFTER, now, out);
        return;
    }
    /* pulled after the TAC: the money is on it; what it holds now is known */
    f->balance_fen = f->balance_before_fen + (uint32_t)f->load.amount_fen;
    f->busy = 0;
    f->wait_until = 0;
    f->step = CS_NONE;
    f->removed = CD_GONE_NOTHING;
    set_state(f, CD_DONE, out);
    effects_add(out, EFF_PRINT, 0, NULL);
    f->printed = 1;
}

static void on_load_refused(struct cd_flow *f, const struct cd_answer *a, struct effects *out)
{
    if (a->transport)
        fail(f, CD_ERR_OFFLINE, out);
    else if (!strcmp(a->code, "MAC1_MISMATCH"))
        fail(f, CD_ERR_TAMPERED, out);
    else if (!strcmp(a->code, "BALANCE_CAP"))
        fail(f, CD_ERR_CAP, out);
    else if (!strcmp(a->code, "INSUFFICIENT_BALANCE"))
        fail(f, CD_ERR_NOTHING, out);
    else if (!strcmp(a->code, "CARD_BLOCKED"))
        fail(f, CD_ERR_BLOCKED, out);
    else if (!strcmp(a->code, "CARD_EXPIRED"))
        fail(f, CD_ERR_EXPIRED, out);
    else if (a->status >= 400 && a->status < 500)
        fail(f, CD_ERR_NOT_ALLOWED, out);
    else
        fail(f, CD_ERR_UNUSABLE, out);
}

/* ---- answers from the card --------------------------------------------------------------- */

static void on_apdu(struct cd_flow *f, const struct cd_event *e, int64_t now,
                    struct effects *out)
{
    int kind = f->apdu_kind;
    const uint8_t *r = e->ok ? e->data : NULL;
    size_t n = e->ok ? e->len : 0;
    f->apdu_kind = AK_NONE;
    f->busy = 0;
    f->wait_until = 0;
    enum card_ans s;
    int tries = 0;
    switch (kind) {
    case AK_SELECT:
        s = card_status(r, n, NULL);
        if (s != CA_OK)
            return bad_answer(f, s, out);
        send_read(f, AK_INFO, CARD_SFI_INFO, 32, now, out);
        return;
    case AK_INFO:
        if ((s = card_read_info(r, n, &f->info)) != CA_OK)
            return bad_answer(f, s, out);
        if (f->info.kind == CARD_STAFF) {
            /* A staff card opens attendant mode (whoever takes it); where nobody does, it
             * is no card of the customer's. */
            fail(f, CD_ERR_UNKNOWN_CARD, out);
            effects_add_data(out, EFF_HAND_OVER, 0, "staff.card", f->info.card_no,
                             strlen(f->info.card_no) + 1);
            return;
        }
        if (f->info.blocked)
            return fail(f, CD_ERR_BLOCKED, out);
        if (f->cfg.today && f->info.expiry_date < f->cfg.today)
            return fail(f, CD_ERR_EXPIRED, out);
        send_read(f, AK_HOLDER, CARD_SFI_HOLDER, 32, now, out);
        return;
    case AK_HOLDER:
        if ((s = card_read_holder(r, n, f->holder, sizeof f->holder)) != CA_OK)
            return bad_answer(f, s, out);
        send_balance(f, AK_BALANCE, now, out);
        return;
    case AK_BALANCE:
        if ((s = card_read_balance(r, n, &f->balance_fen)) != CA_OK)
            return bad_answer(f, s, out);
        set_state(f, CD_LOOKUP, out);
        lookup(f, now, out);
        return;
    case AK_VERIFY:
        s = card_status(r, n, &tries);
        if (s == CA_OK) {
            f->verified = 1;
            f->pin_tries_left = -1;
            f->resolving = -1;
            resolve_next(f, now, out);
        } else if (s == CA_WRONG_PIN) {
            f->pin_tries_left = tries;
            set_state(f, CD_PIN, out);
            f->note = CD_NOTE_WRONG_PIN;
        } else if (s == CA_PIN_LOCKED) {
            set_state(f, CD_LOCKED, out);
        } else {
            bad_answer(f, s, out);
        }
        return;
    case AK_PROOF:
        s = card_read_proof(r, n, f->mac2, f->tac);
        if (s == CA_OK) {
            /* credited before: the balance read at insertion holds it */
            f->balance_before_fen = (uint32_t)((int64_t)f->balance_fen - f->load.amount_fen);
            record(f, (int64_t)f->balance_fen - f->load.amount_fen, f->balance_fen, now, out);
        } else if (s == CA_NO_PROOF) {
            f->retried = 1;
            start_init(f, now, out); /* the same load again */
        } else {
            bad_answer(f, s, out);
        }
        return;
    case AK_INIT:
        s = card_read_init(r, n, &f->init);
        if (s != CA_OK)
            return bad_answer(f, s, out);
        if (f->resolving < 0)
            f->load.online_serial = f->init.online_serial;
        f->balance_before_fen = f->init.old_balance;
        ask_mac2(f, now, out);
        return;
    case AK_CREDIT:
        s = card_read_tac(r, n, f->tac);
        if (s == CA_OK)
            record(f, f->balance_before_fen, (int64_t)f->balance_before_fen + f->load.amount_fen,
                   now, out);
        else if (s == CA_MAC_INVALID)
            fail(f, CD_ERR_MAC2, out);
        else if (s == CA_GONE)
            gone(f, out); /* the outcome is on the card: resolved when it is back */
        else
            fail(f, CD_ERR_BAD_CARD, out);
        return;
    case AK_BALANCE_AFTER:
        if (card_read_balance(r, n, &f->balance_fen) != CA_OK) /* pulled just now */
            f->balance_fen = f->balance_before_fen + (uint32_t)f->load.amount_fen;
        f->step = CS_NONE;
        if (f->resolving >= 0 && f->present)
            return resolve_next(f, now, out);
        set_state(f, CD_DONE, out);
        effects_add(out, EFF_PRINT, 0, NULL);
        f->printed = 1;
        return;
    case AK_REREAD: {
        struct card_info again;
        s = card_read_info(r, n, &again);
        if (s == CA_GONE)
            return gone(f, out);
        if (s != CA_OK)
            return bad_answer(f, s, out);
        if (strcmp(again.card_no, f->info.card_no)) /* another card: start over with it */
            return begin_read(f, now, out);
        send_balance(f, AK_REBALANCE, now, out);
        return;
    }
    case AK_REBALANCE:
        if ((s = card_read_balance(r, n, &f->balance_fen)) != CA_OK)
            return bad_answer(f, s, out);
        lookup(f, now, out);
        return;
    case AK_LOG:
        s = card_read_log(r, n, &f->log[f->nlog]);
        if (s == CA_OK && ++f->nlog < CARD_LOG_MAX) {
            struct apdu a;
            apdu_read_record(&a, f->nlog + 1);
            send(f, AK_LOG, &a, now, out);
        } else if (s == CA_OK || s == CA_NO_RECORD || s == CA_BAD_DATA || s == CA_SHORT ||
                   s == CA_BAD_SW) {
            call(f, CD_CALL_HISTORY, now, out); /* what the log holds, then the account's */
        } else {
            bad_answer(f, s, out);
        }
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    default:
        return; /* a late answer nobody waits for */
    }
}

/* ---- answers from the backend ------------------------------------------------------------ */

static enum cd_error card_refusal(const struct cd_answer *a)
{
    if (a->transport)
        return CD_ERR_OFFLINE;
    if (!strcmp(a->code, "CARD_NOT_FOUND"))
        return CD_ERR_UNKNOWN_CARD;
    if (!strcmp(a->code, "CARD_BLOCKED"))
        return CD_ERR_BLOCKED;
    if (!strcmp(a->code, "CARD_EXPIRED"))
        return CD_ERR_EXPIRED;
    return CD_ERR_UNUSABLE;
}

static void on_card(struct cd_flow *f, const struct cd_answer *a, int64_t now,
                    struct effects *out)
{
    if (!a->ok)
        return fail(f, card_refusal(a), out);
    f->acct = a->account;
    f->have_account = 1;
    if (!strcmp(f->acct.status, "lost") || !strcmp(f->acct.status, "blocked"))
        return fail(f, CD_ERR_BLOCKED, out);
    if (f->state == CD_REFRESH) { /* back from paying: load what it paid for, now */
        const char *src;
        int64_t v = cd_waiting(f, &src);
        if (v > 0 && f->recharge_txn[0])
            return begin_load(f, v, src, now, out);
        return set_state(f, CD_MENU, out);
    }
    sign_wipe(f->pin, sizeof f->pin);
    set_state(f, CD_PIN, out);
}

static void on_answer(struct cd_flow *f, const struct cd_event *e, int64_t now,
                      struct effects *out)
{
    const struct cd_answer *a = e->answer;
    int awaited = f->apdu_kind == AK_NONE && f->wait_until &&
                  ((e->call == CD_CALL_CARD && (f->state == CD_LOOKUP || f->state == CD_REFRESH)) ||
                   (e->call == CD_CALL_LOAD && f->step == CS_MAC2) ||
                   (e->call == CD_CALL_CONFIRM && f->step == CS_CONFIRM) ||
                   (e->call == CD_CALL_SUBCARDS && f->state == CD_SUBCARDS) ||
                   (e->call == CD_CALL_ALLOCATE && f->state == CD_ALLOCATING) ||
                   (e->call == CD_CALL_HISTORY && f->state == CD_HISTORY));
    if (!awaited)
        return;
    f->busy = 0;
    f->wait_until = 0;
    switch (e->call) {
    case CD_CALL_CARD:
        if (f->state == CD_LOOKUP || f->state == CD_REFRESH)
            on_card(f, a, now, out);
        return;
    case CD_CALL_LOAD:
        if (f->step != CS_MAC2)
            return;
        if (a->ok) {
            if (card_unhex(a->mac2, f->mac2, 4) || strlen(a->date) != 8 || strlen(a->time) != 6)
                return fail(f, CD_ERR_UNUSABLE, out);
            snprintf(f->date, sizeof f->date, "%s", a->date);
            snprintf(f->time, sizeof f->time, "%s", a->time);
            return write_intent(f, now, out);
        }
        if (f->resolving >= 0 && !strcmp(a->code, "LOAD_DONE")) /* told meanwhile */
            return resolve_next(f, now, out);
        return on_load_refused(f, a, out);
    case CD_CALL_CONFIRM:
        if (f->step == CS_CONFIRM) /* not told: the journal's record tells it later */
            loaded(f, now, out);
        return;
    case CD_CALL_SUBCARDS:
        if (f->state != CD_SUBCARDS)
            return;
        if (!a->ok) {
            set_state(f, CD_MENU, out);
            f->note = a->transport ? CD_NOTE_OFFLINE : CD_NOTE_REFUSED;
            return;
        }
        f->nsubs = a->nsubs;
        memcpy(f->subs, a->subs, sizeof f->subs);
        for (int i = 0; i < f->nsubs; i++)
            f->subs[i].amount_fen = 0;
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    case CD_CALL_ALLOCATE:
        if (f->state != CD_ALLOCATING)
            return;
        if (a->ok) {
            f->acct.account_fen = a->main_account_fen;
            return set_state(f, CD_ALLOCATED, out);
        }
        if (a->transport) {
            set_state(f, CD_ALLOC_CONFIRM, out); /* the same id again: at most once */
            f->note = CD_NOTE_OFFLINE;
            return;
        }
        f->alloc_id[0] = '\0'; /* refused: nothing moved; a new one next time */
        set_state(f, CD_SUBCARDS, out);
        f->note = !strcmp(a->code, "INSUFFICIENT_BALANCE") ? CD_NOTE_ALLOC_HIGH : CD_NOTE_REFUSED;
        return;
    case CD_CALL_HISTORY:
        if (f->state != CD_HISTORY)
            return;
        if (a->ok) {
            f->nmoves = a->nmoves;
            memcpy(f->moves, a->moves, sizeof f->moves);
        } else {
            f->note = CD_NOTE_OFFLINE;
        }
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    default:
        return;
    }
}

static void on_journal(struct cd_flow *f, int ok, int64_t now, struct effects *out)
{
    if (f->step != CS_INTENT && f->step != CS_RECORD)
        return;
    f->busy = 0;
    f->wait_until = 0;
    if (f->step == CS_INTENT) {
        if (!ok) /* nothing is on the card; the backend's pending load waits for the card */
            return fail(f, CD_ERR_KIOSK, out);
        return credit(f, now, out);
    }
    if (f->step == CS_RECORD) /* written or not, the money is on the card: tell the backend */
        confirm(f, now, out);
}

/* ---- what the customer does -------------------------------------------------------------- */

/* A keypad key into buf: a digit, "del" or "clear". An amount does not start with 0. */
static void type_key(char *buf, size_t cap, const char *key, int amount)
{
    size_t n = strlen(buf);
    if (!strcmp(key, "del")) {
        if (n)
            buf[n - 1] = '\0';
    } else if (!strcmp(key, "clear")) {
        sign_wipe(buf, cap);
    } else if (key[0] >= '0' && key[0] <= '9' && !key[1] && n + 1 < cap) {
        if (n == 0 && key[0] == '0' && amount)
            return;
        buf[n] = key[0];
        buf[n + 1] = '\0';
    }
}

static int64_t typed_fen(const char *digits)
{
    int64_t v = 0;
    for (const char *p = digits; *p; p++)
        v = v * 10 + (*p - '0');
    return v * 100;
}

static void on_pin_key(struct cd_flow *f, const char *key, int64_t now, struct effects *out)
{
    if (strcmp(key, "ok")) {
        if (strlen(f->pin) < (size_t)f->cfg.pin_len || strcmp(key, "del") == 0 ||
            strcmp(key, "clear") == 0)
            type_key(f->pin, sizeof f->pin, key, 0);
        if (f->note == CD_NOTE_PIN_SHORT)
            f->note = CD_NOTE_NONE;
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    }
    if (strlen(f->pin) < (size_t)f->cfg.pin_len) {
        f->note = CD_NOTE_PIN_SHORT;
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    }
    struct apdu a;
    int rc = apdu_verify(&a, f->pin);
    sign_wipe(f->pin, sizeof f->pin);
    if (rc != 0) {
        f->note = CD_NOTE_PIN_SHORT;
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    }
    set_state(f, CD_VERIFYING, out);
    send(f, AK_VERIFY, &a, now, out);
    sign_wipe(&a, sizeof a);
}

/* The amount of the keypad is done: a sub-card's, or the total split evenly. */
static void alloc_typed(struct cd_flow *f, struct effects *out)
{
    int64_t v = typed_fen(f->amount_digits);
    if (f->editing >= 0 && f->editing < f->nsubs) {
        f->subs[f->editing].amount_fen = v;
    } else if (f->nsubs > 0) {
        int64_t each = v / f->nsubs, rest = v % f->nsubs;
        for (int i = 0; i < f->nsubs; i++)
            f->subs[i].amount_fen = each + (i < rest ? 1 : 0);
    }
    set_state(f, CD_SUBCARDS, out);
}

static void on_key(struct cd_flow *f, const char *key, int64_t now, struct effects *out)
{
    switch (f->state) {
    case CD_PIN:
        return on_pin_key(f, key, now, out);
    case CD_AMOUNT:
        type_key(f->amount_digits, sizeof f->amount_digits, key, 1);
        f->note = CD_NOTE_NONE;
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    case CD_ALLOC_KEYPAD:
        if (!strcmp(key, "ok"))
            return alloc_typed(f, out);
        type_key(f->amount_digits, sizeof f->amount_digits, key, 1);
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    default:
        return;
    }
}

static void pay(struct cd_flow *f, struct effects *out)
{
    int64_t v = typed_fen(f->amount_digits);
    if (v < 100) {
        f->note = CD_NOTE_AMOUNT_LOW;
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    }
    if (v > cd_recharge_max(f)) {
        f->note = CD_NOTE_AMOUNT_HIGH;
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    }
    f->recharge_fen = v;
    f->recharge_txn[0] = '\0';
    set_state(f, CD_PAYING, out);
    char arg[64];
    snprintf(arg, sizeof arg, "%s %lld", f->info.card_no, (long long)v);
    effects_add_data(out, EFF_HAND_OVER, 0, "checkout.recharge", arg, strlen(arg) + 1);
}

static void on_paid(struct cd_flow *f, const struct cd_event *e, int64_t now,
                    struct effects *out)
{
    if (f->state != CD_PAYING)
        return;
    if (!e->ok) { /* the payment could not start */
        set_state(f, CD_AMOUNT, out);
        f->note = CD_NOTE_OFFLINE;
        return;
    }
    snprintf(f->recharge_txn, sizeof f->recharge_txn, "%s", e->text ? e->text : "");
    set_state(f, CD_REFRESH, out);
    send_read(f, AK_REREAD, CARD_SFI_INFO, 32, now, out);
}

static void back(struct cd_flow *f, struct effects *out)
{
    switch (f->state) {
    case CD_AMOUNT:
    case CD_SUBCARDS:
    case CD_HISTORY:
        f->apdu_kind = AK_NONE;
        f->busy = 0;
        f->wait_until = 0;
        set_state(f, CD_MENU, out);
        return;
    case CD_ALLOC_KEYPAD:
    case CD_ALLOC_CONFIRM:
        set_state(f, CD_SUBCARDS, out);
        return;
    case CD_INSERT:
    case CD_PIN:
    case CD_MENU:
        effects_add(out, EFF_HOME, 0, NULL);
        return;
    default:
        return;
    }
}

static void on_card_event(struct cd_flow *f, int present, int64_t now, struct effects *out)
{
    if (present) {
        switch (f->state) {
        case CD_IDLE:
        case CD_INSERT:
        case CD_REMOVED:
        case CD_FAILED:
            begin_read(f, now, out);
            return;
        default:
            return;
        }
    }
    switch (f->state) {
    case CD_IDLE:
    case CD_INSERT:
    case CD_PAYING: /* checkout has the customer; the card is read again on the way back */
        f->present = 0;
        return;
    case CD_DONE:
    case CD_LOCKED:
    case CD_FAILED:
    case CD_ALLOCATED:
    case CD_REMOVED:
        f->present = 0; /* taken at the end: the customer is done */
        effects_add(out, EFF_HOME, 0, NULL);
        return;
    case CD_LOADING:
    case CD_RESOLVING:
        if (f->step >= CS_RECORD && f->step <= CS_BALANCE) {
            f->present = 0; /* the money is on it: the record and the confirm go on */
            return;
        }
        return gone(f, out); /* a late answer is dropped (apdu_kind) */
    default:
        return gone(f, out);
    }
}

static void on_tick(struct cd_flow *f, int64_t now, struct effects *out)
{
    if (!f->wait_until || now < f->wait_until)
        return;
    if (f->apdu_kind != AK_NONE) {
        f->wait_until = 0; /* the card did not answer */
        struct cd_event e = {.in = CD_IN_APDU, .ok = 0};
        on_apdu(f, &e, now, out);
        return;
    }
    if (f->step == CS_INTENT || f->step == CS_RECORD)
        return on_journal(f, 0, now, out);
    /* a backend call that never answered */
    struct cd_answer a;
    memset(&a, 0, sizeof a);
    a.transport = 1;
    enum cd_call k = CD_CALL_NONE;
    if (f->state == CD_LOOKUP || f->state == CD_REFRESH)
        k = CD_CALL_CARD;
    else if (f->step == CS_MAC2)
        k = CD_CALL_LOAD;
    else if (f->step == CS_CONFIRM)
        k = CD_CALL_CONFIRM;
    else if (f->state == CD_SUBCARDS)
        k = CD_CALL_SUBCARDS;
    else if (f->state == CD_ALLOCATING)
        k = CD_CALL_ALLOCATE;
    else if (f->state == CD_HISTORY)
        k = CD_CALL_HISTORY;
    struct cd_event e = {.in = CD_IN_ANSWER, .call = k, .answer = &a};
    on_answer(f, &e, now, out);
}

void cd_step(struct cd_flow *f, const struct cd_event *e, int64_t now, struct effects *out)
{
    switch (e->in) {
    case CD_IN_START:
        if (e->ok)
            begin_read(f, now, out);
        else
            set_state(f, CD_INSERT, out);
        return;
    case CD_IN_CARD:
        return on_card_event(f, e->ok, now, out);
    case CD_IN_APDU:
        if (f->apdu_kind == AK_NONE)
            return; /* late, or after the card was pulled */
        return on_apdu(f, e, now, out);
    case CD_IN_ANSWER:
        return on_answer(f, e, now, out);
    case CD_IN_JOURNAL:
        return on_journal(f, e->ok, now, out);
    case CD_IN_KEY:
        if (e->text)
            on_key(f, e->text, now, out);
        return;
    case CD_IN_RECHARGE:
        if (f->state != CD_MENU)
            return;
        f->amount_digits[0] = '\0';
        return set_state(f, CD_AMOUNT, out);
    case CD_IN_LOAD: {
        const char *src;
        int64_t v = cd_waiting(f, &src);
        if (f->state != CD_MENU)
            return;
        if (v <= 0)
            return fail(f, CD_ERR_NOTHING, out);
        return begin_load(f, v, src, now, out);
    }
    case CD_IN_ALLOCATE:
        if (f->state != CD_MENU || strcmp(f->acct.kind, "main"))
            return;
        f->nsubs = 0;
        f->alloc_id[0] = '\0';
        set_state(f, CD_SUBCARDS, out);
        call(f, CD_CALL_SUBCARDS, now, out);
        return;
    case CD_IN_HISTORY:
        if (f->state != CD_MENU)
            return;
        f->nlog = f->nmoves = 0;
        set_state(f, CD_HISTORY, out);
        {
            struct apdu a;
            apdu_read_record(&a, 1);
            send(f, AK_LOG, &a, now, out);
        }
        return;
    case CD_IN_PRESET:
        if (f->state != CD_AMOUNT || e->index < 0 || e->index >= CD_NPRESETS)
            return;
        if (snprintf(f->amount_digits, sizeof f->amount_digits, "%lld",
                     (long long)(f->cfg.presets_fen[e->index] / 100)) >= (int)sizeof f->amount_digits)
            f->amount_digits[0] = '\0'; /* more than the keypad holds: never a cut amount */
        f->note = CD_NOTE_NONE;
        effects_add(out, EFF_REDRAW, 0, NULL);
        return;
    case CD_IN_PAY:
        if (f->state == CD_AMOUNT)
            pay(f, out);
        return;
    case CD_IN_PAID:
        return on_paid(f, e, now, out);
    case CD_IN_SUB:
    case CD_IN_SPLIT:
        if (f->state != CD_SUBCARDS || f->busy)
            return;
        f->editing = e->in == CD_IN_SPLIT ? -1 : e->index;
        if (f->editing >= f->nsubs)
            return;
        f->amount_digits[0] = '\0';
        if (f->editing >= 0 && f->subs[f->editing].amount_fen > 0 &&
            snprintf(f->amount_digits, sizeof f->amount_digits, "%lld",
                     (long long)(f->subs[f->editing].amount_fen / 100)) >= (int)sizeof f->amount_digits)
            f->amount_digits[0] = '\0';
        return set_state(f, CD_ALLOC_KEYPAD, out);
    case CD_IN_NEXT:
        if (f->state == CD_SUBCARDS && !f->busy) {
            int64_t t = cd_alloc_total(f);
            if (t <= 0)
                f->note = CD_NOTE_ALLOC_EMPTY;
            else if (t > f->acct.account_fen)
                f->note = CD_NOTE_ALLOC_HIGH;
            else
                return set_state(f, CD_ALLOC_CONFIRM, out);
            effects_add(out, EFF_REDRAW, 0, NULL);
        } else if (f->state == CD_ALLOC_CONFIRM) {
            if (!f->alloc_id[0])
                snprintf(f->alloc_id, sizeof f->alloc_id, "A-%s-%lld-%d", f->cfg.terminal,
                         (long long)f->cfg.wall_ms, ++f->seq);
            set_state(f, CD_ALLOCATING, out);
            struct cd_request *rq = call(f, CD_CALL_ALLOCATE, now, out);
            snprintf(rq->alloc_id, sizeof rq->alloc_id, "%s", f->alloc_id);
            for (int i = 0; i < f->nsubs; i++) {
                if (f->subs[i].amount_fen <= 0)
                    continue;
                snprintf(rq->lines[rq->nlines].card_no, sizeof rq->lines[0].card_no, "%s",
                         f->subs[i].card_no);
                rq->lines[rq->nlines++].amount_fen = f->subs[i].amount_fen;
            }
        } else if (f->state == CD_ALLOC_KEYPAD) {
            alloc_typed(f, out);
        }
        return;
    case CD_IN_BACK:
        return back(f, out);
    case CD_IN_PRINT:
        if (f->state == CD_DONE)
            effects_add(out, EFF_PRINT, 1, NULL);
        return;
    case CD_IN_FINISH:
        if (!cd_busy(f))
            effects_add(out, EFF_HOME, 0, NULL);
        return;
    case CD_IN_TICK:
        return on_tick(f, now, out);
    }
}
