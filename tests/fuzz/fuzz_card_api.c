/* What the fuel-card service reads from outside (the backend's answers to each call, the card
 * object, the journal's load payloads), the requests it builds, and its flow under random
 * events. The first byte picks, the rest is the text (or the script):
 *   A  cd_api_answer(): the call (byte 1), the status (bytes 2-3, mod 600), the error code's
 *      length (byte 4, mod 48; its top bit: no code at all), the code, then the body
 *   C  cd_api_account() of the rest
 *   R  cd_record_read() of the rest, and cd_record_read_txn(); what they read is written and
 *      read back
 *   H  cd_api_http() of a request of call (byte 1) whose card number, load id and allocation
 *      id are the rest's lines
 *   F  the flow under a script: taps, keys, the card put on and taken off, the card's answers
 *      (what a card would answer to the command in flight, an error status word, cut short,
 *      noise, nothing), the backend's answers (its own model's, refusals, no answer), the
 *      journal's, and time.
 *
 * Whatever a reader accepts keeps its promises: counts bounded, money whole fen in range,
 * kinds and states from the API's lists, 16-digit card numbers, MAC2 in hex, dates and times
 * in digits, strings terminated; an error never reads as an answer. The flow keeps its
 * rules: no CREDIT FOR LOAD before the load's intent is durable; the intent only after
 * MAC2; the record only after the TAC or the proof, and for the amount of the load; the
 * confirm only after the record; every wait has a deadline; no command to a card that is not
 * on the reader (but the read that finds it gone, back from paying); the PIN never longer
 * than its digits and wiped once VERIFY is built; a hand-over only of an amount that may be
 * recharged; the journal never gets a run of 16 digits; the flow's own requests always
 * build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "api.h"
#include "core/json.h"
#include "core/log.h"
#include "record.h"

#define TXN "T0001-20261130-000001"

static void check_text(const char *s, size_t cap)
{
    if (strnlen(s, cap) == cap)
        abort(); /* not terminated inside its field */
}

static void check_fen(int64_t v, int64_t lo)
{
    if (v < lo || v > JSON_MAX_FEN)
        abort();
}

static int one_of(const char *s, const char *const *v)
{
    for (; *v; v++)
        if (!strcmp(s, *v))
            return 1;
    return 0;
}

/* n characters of s, every one in `set`. */
static int all_of(const char *s, size_t n, const char *set)
{
    return strlen(s) == n && strspn(s, set) == n;
}

#define DIGITS "0123456789"
#define HEX "0123456789ABCDEFabcdef"

/* The longest run of digits in s. */
static int digit_run(const char *s)
{
    int run = 0, longest = 0;
    for (; *s; s++) {
        run = *s >= '0' && *s <= '9' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    return longest;
}

static void check_account(const struct cd_account *c)
{
    static const char *const kinds[] = {"personal", "main", "sub", NULL};
    static const char *const states[] = {"active", "lost", "blocked", NULL};
    static const char *const modes[] = {"recharge", "sale", NULL};
    check_text(c->no_masked, sizeof c->no_masked);
    check_text(c->holder_masked, sizeof c->holder_masked);
    check_text(c->kind, sizeof c->kind);
    check_text(c->status, sizeof c->status);
    check_text(c->invoice_mode, sizeof c->invoice_mode);
    if (!c->no_masked[0] || !one_of(c->kind, kinds) || !one_of(c->status, states) ||
        !one_of(c->invoice_mode, modes))
        abort();
    check_fen(c->account_fen, 0);
    check_fen(c->allocation_fen, 0);
    check_fen(c->daily_cap_fen, 0);
    check_fen(c->recharged_today_fen, 0);
    if (c->balance_cap_fen < 0 || c->balance_cap_fen > 0x7FFFFFFF)
        abort();
    if (c->npending < 0 || c->npending > CD_MAX_PENDING)
        abort();
    for (int i = 0; i < c->npending; i++) {
        const struct cd_pending *p = &c->pending[i];
        check_text(p->load_id, sizeof p->load_id);
        check_text(p->source, sizeof p->source);
        if (!p->load_id[0] || p->amount_fen < 1 || p->amount_fen > 0x7FFFFFFF ||
            p->online_serial < 0 || p->online_serial > 65534 ||
            (strcmp(p->source, "account") && strcmp(p->source, "allocation")))
            abort();
    }
}

static void check_answer(enum cd_call k, int status, const struct cd_answer *a)
{
    static const char *const moves[] = {"recharge", "load", "allocation_in", "allocation_out",
                                        NULL};
    check_text(a->code, sizeof a->code);
    check_text(a->mac2, sizeof a->mac2);
    check_text(a->date, sizeof a->date);
    check_text(a->time, sizeof a->time);
    if (a->transport != (status == 0) || a->status != status)
        abort();
    if (a->ok && (status < 200 || status > 299))
        abort(); /* an error is never used as an answer */
    if (!a->ok && status >= 200 && status <= 299 && strcmp(a->code, "UNUSABLE"))
        abort();
    /* counts stay inside their arrays, read or not */
    if (a->nsubs < 0 || a->nsubs > CD_MAX_SUBS || a->nmoves < 0 || a->nmoves > CD_MAX_HISTORY ||
        a->account.npending < 0 || a->account.npending > CD_MAX_PENDING)
        abort();
    if (!a->ok)
        return;
    switch (k) {
    case CD_CALL_CARD:
        check_account(&a->account);
        break;
    case CD_CALL_LOAD:
        if (!all_of(a->mac2, 8, HEX) || !all_of(a->date, 8, DIGITS) || !all_of(a->time, 6, DIGITS))
            abort();
        break;
    case CD_CALL_SUBCARDS:
        for (int i = 0; i < a->nsubs; i++) {
            const struct cd_sub *s = &a->subs[i];
            check_text(s->no_masked, sizeof s->no_masked);
            check_text(s->holder_masked, sizeof s->holder_masked);
            check_text(s->status, sizeof s->status);
            if (!all_of(s->card_no, CARD_NO_LEN, DIGITS) || s->amount_fen)
                abort();
            check_fen(s->allocation_fen, 0);
        }
        break;
    case CD_CALL_ALLOCATE:
        check_fen(a->main_account_fen, 0);
        break;
    case CD_CALL_HISTORY:
        for (int i = 0; i < a->nmoves; i++) {
            const struct cd_move *m = &a->moves[i];
            check_text(m->kind, sizeof m->kind);
            check_text(m->terminal, sizeof m->terminal);
            if (!one_of(m->kind, moves) || m->at_ms < 0)
                abort();
            check_fen(m->amount_fen, 0);
        }
        break;
    case CD_CALL_CONFIRM:
        break;
    default:
        abort(); /* no other call reads as an answer */
    }
}

/* A load record as the flow and the journal reader promise it. */
static void check_record(const struct cd_load_record *r)
{
    check_text(r->load_id, sizeof r->load_id);
    check_text(r->source, sizeof r->source);
    check_text(r->tac, sizeof r->tac);
    check_text(r->date, sizeof r->date);
    check_text(r->time, sizeof r->time);
    check_text(r->term_hex, sizeof r->term_hex);
    if (!all_of(r->card_no, CARD_NO_LEN, DIGITS) || !r->load_id[0] || r->amount_fen < 1 ||
        r->amount_fen > 0x7FFFFFFF || r->online_serial < 0 || r->online_serial > 65535)
        abort();
}

/* The payload written, read back: the same load; no run of 16 digits but one its own
 * fields bring (a load id of another kiosk's making, read back from a journal). */
static void round_trip(const struct cd_load_record *r, int txn)
{
    char *p = txn ? cd_record_txn(r) : cd_record_intent(r);
    if (!p)
        abort();
    const char *const fields[] = {r->load_id, r->source, r->tac, r->date, r->time, r->term_hex};
    int own = 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        for (const char *c = fields[i]; *c; c++)
            if ((unsigned char)*c < 0x20)
                own = 99; /* written as \u00XX: its digits join the next ones */
        if (digit_run(fields[i]) > own)
            own = digit_run(fields[i]);
    }
    if (digit_run(p) >= 16 && digit_run(p) > own)
        abort(); /* the journal would refuse it: the card number in full */
    struct cd_load_record back;
    if (cd_record_read(p, &back) || strcmp(back.card_no, r->card_no) ||
        strcmp(back.load_id, r->load_id) || strcmp(back.source, r->source) ||
        back.amount_fen != r->amount_fen || back.online_serial != r->online_serial)
        abort();
    /* a transaction record comes back whole, what a copy of its receipt shows; but for a
     * chip's balance no chip holds (a card that proved a load its balance cannot have had) */
    if (txn) {
        int whole = cd_record_read_txn(p, &back) == 0;
        if (whole != (r->balance_before_fen >= 0 && r->balance_after_fen <= INT64_C(0xFFFFFFFF)) ||
            (whole && memcmp(&back, r, sizeof back)))
            abort();
    }
    free(p);
}

/* A load's transaction record as cd_record_read_txn promises it: a load that happened, its
 * terminal, date and time (when there are) and TAC in shape, the chip's balances adding
 * up. */
static void check_txn(const struct cd_load_record *r)
{
    check_record(r);
    if (!all_of(r->term_hex, 12, HEX) || (r->date[0] && !all_of(r->date, 8, DIGITS)) ||
        (r->time[0] && !all_of(r->time, 6, DIGITS)) || !all_of(r->tac, 8, HEX) ||
        r->balance_before_fen < 0 ||
        r->balance_after_fen > INT64_C(0xFFFFFFFF) ||
        r->balance_after_fen != r->balance_before_fen + r->amount_fen)
        abort();
}

/* A request the flow (or anyone) may send: its path a plain path under /v1/cards/, GET
 * without a body or key, POST with both. */
static void check_http(const struct cd_request *rq, const struct cd_http *h)
{
    check_text(h->path, sizeof h->path);
    check_text(h->key, sizeof h->key);
    if (strncmp(h->path, "/v1/cards/", 10) || strstr(h->path, "..") ||
        strcspn(h->path, "?#% .\\") != strlen(h->path))
        abort();
    if (strncmp(h->path + 10, rq->card_no, strlen(rq->card_no)))
        abort();
    if (!strcmp(h->method, "GET")) {
        if (h->body || h->key[0])
            abort();
    } else if (!strcmp(h->method, "POST")) {
        cJSON *j = h->body ? cJSON_Parse(h->body) : NULL;
        if (!cJSON_IsObject(j) || !h->key[0])
            abort(); /* every change has its body and its key */
        cJSON_Delete(j);
    } else {
        abort();
    }
}

/* ---- the flow under a script ------------------------------------------------------------ */

struct script {
    const uint8_t *p;
    size_t n;
};

static uint8_t next(struct script *s)
{
    if (!s->n)
        return 0;
    s->n--;
    return *s->p++;
}

/* A card, both sides: the chip and its account at the backend (the harness's model). */
struct mcard {
    const char *no;
    uint32_t expiry;
    uint8_t kind, status;
    uint32_t balance;
    uint16_t serial;
    int tries;
    uint32_t init_amount; /* INITIALIZE FOR LOAD given, CREDIT not yet */
    int init_ok;
    int nproofs;
    uint16_t proofs[16]; /* the serials credits took the card to */
    int64_t account_fen, allocation_fen;
    int npending;
    struct cd_pending pending[CD_MAX_PENDING];
};

static const struct mcard cards0[] = {
    {.no = "1000113300002001", .expiry = 20301231, .kind = 1, .balance = 8800, .serial = 3},
    {.no = "1000113300002002",
     .expiry = 20301231,
     .kind = 1,
     .balance = 1500,
     .serial = 7,
     .account_fen = 30000},
    {.no = "1000113300001234", .expiry = 20301231, .kind = 2, .account_fen = 500000},
    {.no = "1000113300005678",
     .expiry = 20301231,
     .kind = 3,
     .balance = 2000,
     .serial = 1,
     .allocation_fen = 20000},
    {.no = "1000113300002004", .expiry = 20250101, .kind = 1},
    {.no = "1000113300009999", .expiry = 20301231, .kind = 1, .status = 1, .balance = 100},
};
#define NCARDS (sizeof cards0 / sizeof cards0[0])

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_bcd(uint8_t *p, const char *digits)
{
    for (size_t i = 0; digits[2 * i] && digits[2 * i + 1]; i++)
        p[i] = (uint8_t)((digits[2 * i] - '0') << 4 | (digits[2 * i + 1] - '0'));
}

static void put_date(uint8_t *p, uint32_t d)
{
    char s[16];
    snprintf(s, sizeof s, "%08u", (unsigned)d);
    put_bcd(p, s);
}

/* What card c answers to command a: data and status word into r (n bytes). */
static size_t card_answer(struct mcard *c, const struct apdu *a, uint8_t *r)
{
    size_t n = 0;
    int sw = 0x9000;
    switch (a->b[1]) {
    case 0xA4:
        break;
    case 0xB0:
        if (a->b[2] == (0x80 | CARD_SFI_INFO)) {
            memset(r, 0, 32);
            r[0] = 0x10;
            r[8] = 0x02;
            r[9] = 0x01;
            put_bcd(r + 10, c->no);
            put_date(r + 18, 20240101);
            put_date(r + 22, c->expiry);
            r[26] = c->kind;
            r[27] = c->status;
            n = 32;
        } else if (a->b[2] == (0x80 | CARD_SFI_HOLDER)) {
            memset(r, 0, 32);
            memcpy(r, "刘洋", strlen("刘洋"));
            n = 32;
        } else {
            sw = 0x6A82;
        }
        break;
    case 0x5C:
        put_be32(r, c->balance);
        n = 4;
        break;
    case 0x20: {
        static const uint8_t pin[] = {0x03, 0x12, 0x34, 0x56};
        if (c->tries <= 0) {
            sw = 0x6983;
        } else if (a->n == 8 && !memcmp(a->b + 4, pin, 4)) {
            c->tries = 3;
        } else {
            c->tries--;
            sw = c->tries ? 0x63C0 | c->tries : 0x6983;
        }
        break;
    }
    case 0x50:
        c->init_amount =
            (uint32_t)a->b[6] << 24 | (uint32_t)a->b[7] << 16 | (uint32_t)a->b[8] << 8 | a->b[9];
        c->init_ok = 1;
        put_be32(r, c->balance);
        r[4] = (uint8_t)(c->serial >> 8);
        r[5] = (uint8_t)c->serial;
        r[6] = 0x01;
        r[7] = 0x00;
        put_be32(r + 8, 0x1A2B3C4Du + c->serial);
        put_be32(r + 12, 0x2988AE5Au);
        n = 16;
        break;
    case 0x52:
        if (!c->init_ok) {
            sw = 0x6985;
            break;
        }
        c->init_ok = 0;
        c->balance += c->init_amount;
        c->serial++;
        if (c->nproofs < 16)
            c->proofs[c->nproofs++] = c->serial;
        put_be32(r, 0x11223344u);
        n = 4;
        break;
    case 0x5A: {
        uint16_t s = (uint16_t)(a->b[5] << 8 | a->b[6]);
        sw = 0x9406;
        for (int i = 0; i < c->nproofs; i++)
            if (c->proofs[i] == s) {
                put_be32(r, 0x3A845BF0u);
                put_be32(r + 4, 0x11223344u);
                n = 8;
                sw = 0x9000;
            }
        break;
    }
    case 0xB2:
        if (a->b[2] <= 3) {
            memset(r, 0, 23);
            r[1] = a->b[2];
            put_be32(r + 5, 100u * a->b[2]);
            r[9] = 0x02;
            put_date(r + 16, 20261129);
            put_bcd(r + 20, "101500");
            n = 23;
        } else {
            sw = 0x6A83;
        }
        break;
    default:
        sw = 0x6D00;
        break;
    }
    r[n] = (uint8_t)(sw >> 8);
    r[n + 1] = (uint8_t)sw;
    return n + 2;
}

static struct cd_pending *find_pending(struct mcard *c, const char *id)
{
    for (int i = 0; i < c->npending; i++)
        if (!strcmp(c->pending[i].load_id, id))
            return &c->pending[i];
    return NULL;
}

/* What the backend answers to rq about card c (its model moves the money). */
static void backend_answer(struct mcard *c, const struct cd_request *rq, struct cd_answer *a)
{
    memset(a, 0, sizeof *a);
    a->ok = 1;
    a->status = 200;
    switch (rq->call) {
    case CD_CALL_CARD: {
        struct cd_account *ac = &a->account;
        snprintf(ac->no_masked, sizeof ac->no_masked, "1000********%.4s", c->no + 12);
        snprintf(ac->holder_masked, sizeof ac->holder_masked, "刘*");
        static const char *const kinds[] = {"", "personal", "main", "sub"};
        snprintf(ac->kind, sizeof ac->kind, "%s", kinds[c->kind % 4]);
        snprintf(ac->status, sizeof ac->status, "%s", c->status ? "lost" : "active");
        snprintf(ac->invoice_mode, sizeof ac->invoice_mode, "recharge");
        ac->account_fen = c->account_fen;
        ac->allocation_fen = c->allocation_fen;
        ac->balance_cap_fen = 500000;
        ac->daily_cap_fen = 500000;
        ac->npending = c->npending;
        memcpy(ac->pending, c->pending, sizeof ac->pending);
        break;
    }
    case CD_CALL_LOAD: {
        if (!find_pending(c, rq->load_id)) {
            int64_t *from = strcmp(rq->source, "allocation") ? &c->account_fen : &c->allocation_fen;
            if (*from < rq->amount_fen || c->npending == CD_MAX_PENDING) {
                memset(a, 0, sizeof *a);
                a->status = 409;
                snprintf(a->code, sizeof a->code, "INSUFFICIENT_BALANCE");
                return;
            }
            *from -= rq->amount_fen;
            struct cd_pending *p = &c->pending[c->npending++];
            snprintf(p->load_id, sizeof p->load_id, "%s", rq->load_id);
            p->amount_fen = rq->amount_fen;
            p->online_serial = rq->online_serial;
            snprintf(p->source, sizeof p->source, "%s", rq->source);
        }
        snprintf(a->mac2, sizeof a->mac2, "3A845BF0");
        snprintf(a->date, sizeof a->date, "20261130");
        snprintf(a->time, sizeof a->time, "141503");
        break;
    }
    case CD_CALL_CONFIRM: {
        struct cd_pending *p = find_pending(c, rq->load_id);
        if (p) {
            *p = c->pending[--c->npending];
        }
        break;
    }
    case CD_CALL_SUBCARDS:
        a->nsubs = 3;
        for (int i = 0; i < 3; i++) {
            static const char *const subs[] = {"1000113300005678", "1000113300005679",
                                               "1000113300005680"};
            snprintf(a->subs[i].card_no, sizeof a->subs[i].card_no, "%s", subs[i]);
            snprintf(a->subs[i].no_masked, sizeof a->subs[i].no_masked, "1000********%s",
                     subs[i] + 12);
            snprintf(a->subs[i].status, sizeof a->subs[i].status, "active");
        }
        break;
    case CD_CALL_ALLOCATE: {
        int64_t sum = 0;
        for (int i = 0; i < rq->nlines; i++)
            sum += rq->lines[i].amount_fen;
        if (sum > c->account_fen) {
            memset(a, 0, sizeof *a);
            a->status = 409;
            snprintf(a->code, sizeof a->code, "INSUFFICIENT_BALANCE");
            return;
        }
        c->account_fen -= sum;
        a->main_account_fen = c->account_fen;
        break;
    }
    case CD_CALL_HISTORY:
        a->nmoves = 2;
        snprintf(a->moves[0].kind, sizeof a->moves[0].kind, "load");
        a->moves[0].amount_fen = 100;
        snprintf(a->moves[1].kind, sizeof a->moves[1].kind, "recharge");
        a->moves[1].amount_fen = 100;
        break;
    default:
        a->ok = 0;
        break;
    }
}

static const char *const refusals[] = {
    "MAC1_MISMATCH", "BALANCE_CAP",  "INSUFFICIENT_BALANCE", "LOAD_DONE",    "LOAD_MISMATCH",
    "CARD_BLOCKED",  "CARD_EXPIRED", "CARD_NOT_FOUND",       "TAC_MISMATCH", "NOT_A_MAIN_CARD",
};
static const char *const keys[] = {"1",  "2",   "3",     "4",  "5", "6", "0", "9",
                                   "ok", "del", "clear", "12", "",  "x", "ok"};
static const int64_t waits[] = {10, 1000, CD_APDU_MS, CD_JOURNAL_MS, CD_CALL_MS, 60000};

/* What the harness knows is in flight. */
struct harness {
    struct mcard cards[NCARDS];
    int on_reader;    /* index of the card on the reader, or -1 */
    int apdu_waiting; /* an EFF_APDU not answered yet */
    struct apdu cmd;
    int call_waiting;
    struct cd_request rq;
    int journal_waiting;
    char intent_id[40];      /* the load whose intent is durable ("" none) */
    char pending_intent[40]; /* the load whose intent is being written */
    char txn_id[40];         /* the load the last EFF_TXN recorded */
    int pin_typed;
};

/* The flow's strings, counts and waits after a step. */
static void check_flow(const struct cd_flow *f)
{
    if (f->state < CD_IDLE || f->state >= CD_STATE_LAST || !cd_screen_name(f))
        abort();
    check_text(f->pin, sizeof f->pin);
    check_text(f->holder, sizeof f->holder);
    check_text(f->amount_digits, sizeof f->amount_digits);
    check_text(f->recharge_txn, sizeof f->recharge_txn);
    check_text(f->alloc_id, sizeof f->alloc_id);
    check_text(f->load.load_id, sizeof f->load.load_id);
    if (strlen(f->pin) > (size_t)f->cfg.pin_len || strspn(f->pin, DIGITS) != strlen(f->pin))
        abort();
    if (strspn(f->amount_digits, DIGITS) != strlen(f->amount_digits))
        abort();
    if (f->nsubs < 0 || f->nsubs > CD_MAX_SUBS || f->nlog < 0 || f->nlog > CARD_LOG_MAX ||
        f->nmoves < 0 || f->nmoves > CD_MAX_HISTORY || f->acct.npending < 0 ||
        f->acct.npending > CD_MAX_PENDING || f->resolving < -1 || f->resolving >= CD_MAX_PENDING)
        abort();
    if (f->loaded_fen < 0 || f->resolved_fen < 0 || cd_alloc_total(f) < 0 ||
        cd_recharge_max(f) < 0 || cd_waiting(f, NULL) < 0)
        abort();
    /* every wait has a deadline: a command, a call or a journal write in flight */
    int waiting = f->busy || f->apdu_kind != 0 || f->state == CD_LOOKUP || f->state == CD_REFRESH ||
                  f->state == CD_ALLOCATING ||
                  ((f->state == CD_LOADING || f->state == CD_RESOLVING) && f->step != CS_NONE);
    if (waiting && cd_deadline(f) == INT64_MAX)
        abort();
    if (f->state == CD_DONE && f->loaded_fen + f->resolved_fen <= 0)
        abort(); /* done: something was loaded */
}

static void drive(struct script *sc)
{
    static struct cd_flow f;
    static struct harness h;
    static struct cd_answer ans;
    static struct effects fx;
    static uint8_t resp[APDU_MAX + 64];
    struct cd_config cfg;
    memset(&cfg, 0, sizeof cfg);
    static const uint8_t aid[] = {0xA0, 0x00, 0x00, 0x00, 0x03, 0x86, 0x98, 0x07, 0x01};
    memcpy(cfg.aid, aid, sizeof aid);
    cfg.aid_len = sizeof aid;
    cfg.term_id[5] = 0x01;
    cfg.terminal = "T0001";
    cfg.presets_fen[0] = 5000;
    cfg.presets_fen[1] = 10000;
    cfg.presets_fen[2] = 20000;
    cfg.presets_fen[3] = 50000;
    cfg.pin_len = 6;
    cfg.today = 20261130;
    cd_init(&f, &cfg);
    memset(&h, 0, sizeof h);
    memcpy(h.cards, cards0, sizeof cards0);
    for (size_t i = 0; i < NCARDS; i++)
        h.cards[i].tries = 3;
    h.on_reader = -1;
    int64_t now = INT64_C(1796000000000);

    while (sc->n) {
        uint8_t op = next(sc), arg = next(sc);
        struct cd_event e = {.in = CD_IN_TICK};
        struct mcard *card = h.on_reader >= 0 ? &h.cards[h.on_reader] : NULL;
        size_t rn = 0;
        now += 10;
        switch (op % 24) {
        case 0:
        case 1:
        case 2:
        case 3:
        case 4:
        case 5: /* what the moment asks for */
            if (h.apdu_waiting) {
                e.in = CD_IN_APDU;
                e.ok = card != NULL;
                if (card) {
                    rn = card_answer(card, &h.cmd, resp);
                    e.data = resp;
                    e.len = rn;
                }
            } else if (h.call_waiting) {
                e.in = CD_IN_ANSWER;
                e.call = h.rq.call;
                backend_answer(card ? card : &h.cards[0], &h.rq, &ans);
                e.answer = &ans;
            } else if (h.journal_waiting) {
                e.in = CD_IN_JOURNAL;
                e.ok = 1;
            } else if (f.state == CD_PIN) {
                e.in = CD_IN_KEY;
                static const char *const pin[] = {"1", "2", "3", "4", "5", "6", "ok"};
                e.text = pin[h.pin_typed++ % 7];
            } else if (f.state == CD_MENU) {
                static const enum cd_input menu[] = {CD_IN_LOAD, CD_IN_RECHARGE, CD_IN_ALLOCATE,
                                                     CD_IN_HISTORY};
                e.in = menu[arg % 4];
            } else if (f.state == CD_AMOUNT) {
                e.in = arg & 1 ? CD_IN_PAY : CD_IN_PRESET;
                e.index = arg % 4;
            } else if (f.state == CD_PAYING) {
                e.in = CD_IN_PAID;
                e.ok = 1;
                e.text = arg & 1 ? "" : TXN;
                if (e.text[0] && card) /* checkout completed the recharge */
                    card->account_fen += f.recharge_fen;
            } else if (f.state == CD_IDLE || f.state == CD_INSERT || f.state == CD_REMOVED ||
                       f.state == CD_FAILED) {
                e.in = CD_IN_CARD;
                e.ok = 1;
            } else {
                now += waits[arg % 6];
            }
            break;
        case 6: /* the card put on, or taken off */
            e.in = CD_IN_CARD;
            e.ok = arg & 1;
            break;
        case 7: { /* the card's answer, not as a card of ours gives it */
            if (!h.apdu_waiting)
                break;
            e.in = CD_IN_APDU;
            e.ok = 1;
            static const int sws[] = {0x6A82, 0x6A83, 0x63C1, 0x6983, 0x9302,
                                      0x9406, 0x6985, 0x6F00, 0x9000};
            if (card && arg % 4 == 0) { /* a good answer cut short */
                rn = card_answer(card, &h.cmd, resp);
                rn = rn ? next(sc) % rn : 0;
            } else if (arg % 4 == 1) { /* a status word alone */
                int sw = sws[(arg >> 2) % 9];
                resp[0] = (uint8_t)(sw >> 8);
                resp[1] = (uint8_t)sw;
                rn = 2;
            } else if (arg % 4 == 2) { /* noise */
                rn = (size_t)(arg >> 2) % 40;
                for (size_t i = 0; i < rn; i++)
                    resp[i] = next(sc);
            } else {
                e.ok = 0;
            }
            e.data = resp;
            e.len = rn;
            break;
        }
        case 8: /* a backend answer: a refusal, none, or an answer to another call */
            e.in = CD_IN_ANSWER;
            e.call = (enum cd_call)(arg % CD_CALL_LAST);
            memset(&ans, 0, sizeof ans);
            if ((arg >> 4) % 3 == 0) {
                ans.transport = 1;
            } else if ((arg >> 4) % 3 == 1) {
                ans.status = 409;
                snprintf(ans.code, sizeof ans.code, "%s",
                         refusals[next(sc) % (sizeof refusals / sizeof refusals[0])]);
            } else { /* what the backend would say, its model left as it is */
                struct cd_request rq = h.rq;
                struct mcard copy = card ? *card : h.cards[1];
                rq.call = e.call;
                backend_answer(&copy, &rq, &ans);
            }
            e.answer = &ans;
            break;
        case 9:
            e.in = CD_IN_JOURNAL;
            e.ok = arg & 1;
            break;
        case 10:
            e.in = CD_IN_KEY;
            e.text = keys[arg % (sizeof keys / sizeof keys[0])];
            break;
        case 11:
            e.in = CD_IN_START;
            e.ok = card != NULL;
            break;
        case 12:
            e.in = CD_IN_PRESET;
            e.index = (int)(arg % 6) - 1;
            break;
        case 13:
            e.in = CD_IN_PAID;
            e.ok = arg & 1;
            e.text = arg & 2 ? TXN : "";
            break;
        case 14:
            e.in = CD_IN_SUB;
            e.index = (int)(arg % 13) - 1;
            break;
        case 15:
            e.in = CD_IN_SPLIT;
            break;
        case 16:
            e.in = CD_IN_NEXT;
            break;
        case 17:
            e.in = CD_IN_BACK;
            break;
        case 18:
            e.in = arg & 1 ? CD_IN_PRINT : CD_IN_FINISH;
            break;
        case 19:
            e.in = CD_IN_PAY;
            break;
        case 20: {
            static const enum cd_input menu[] = {CD_IN_LOAD, CD_IN_RECHARGE, CD_IN_ALLOCATE,
                                                 CD_IN_HISTORY};
            e.in = menu[arg % 4];
            break;
        }
        case 21: /* the session ends */
            cd_wipe(&f);
            if (f.pin[0] || f.info.card_no[0] || f.holder[0] || f.state != CD_IDLE)
                abort();
            h.apdu_waiting = h.call_waiting = h.journal_waiting = 0;
            h.intent_id[0] = h.pending_intent[0] = '\0';
            continue;
        default:
            now += waits[arg % 6];
            break;
        }
        /* the reader as the harness knows it */
        if (e.in == CD_IN_CARD) {
            if (e.ok && h.on_reader < 0)
                h.on_reader = (int)((arg >> 1) % NCARDS);
            else if (!e.ok)
                h.on_reader = -1;
            card = h.on_reader >= 0 ? &h.cards[h.on_reader] : NULL;
        }
        if (e.in == CD_IN_APDU)
            h.apdu_waiting = 0;
        if (e.in == CD_IN_ANSWER && e.call == h.rq.call)
            h.call_waiting = 0;
        if (e.in == CD_IN_JOURNAL)
            h.journal_waiting = 0;
        if (e.in == CD_IN_TICK && now >= cd_deadline(&f)) /* what was in flight is over */
            h.apdu_waiting = h.call_waiting = h.journal_waiting = 0;

        int on_reader = card != NULL;
        enum cd_state was = f.state;
        enum cd_step was_step = f.step;
        int64_t max_before = cd_recharge_max(&f);
        fx.n = 0;
        cd_step(&f, &e, now, &fx);
        check_flow(&f);
        /* a screen that works with the card never shows without it (the flow was told) */
        if (!on_reader &&
            (f.present || f.state == CD_PIN || f.state == CD_VERIFYING || f.state == CD_MENU ||
             f.state == CD_AMOUNT || f.state == CD_SUBCARDS || f.state == CD_ALLOC_KEYPAD ||
             f.state == CD_ALLOC_CONFIRM || f.state == CD_HISTORY))
            abort();

        if (e.in == CD_IN_CARD && !e.ok && was != CD_IDLE && was != CD_INSERT && was != CD_PAYING &&
            was != CD_DONE && was != CD_LOCKED && was != CD_FAILED && was != CD_ALLOCATED &&
            was != CD_REMOVED &&
            !((was == CD_LOADING || was == CD_RESOLVING) && was_step >= CS_RECORD &&
              was_step <= CS_BALANCE)) {
            if (f.state != CD_REMOVED || f.pin[0])
                abort(); /* pulled: said so, and the PIN gone */
            if ((was == CD_RESOLVING || (was == CD_LOADING && was_step >= CS_MAC2)) &&
                f.removed != CD_GONE_PENDING)
                abort();
        }

        for (int i = 0; i < fx.n; i++) {
            const struct effect *x = &fx.v[i];
            if (x->kind <= EFF_NONE || x->kind >= EFF_LAST)
                abort();
            check_text(x->arg, sizeof x->arg);
            switch (x->kind) {
            case EFF_APDU: {
                const struct apdu *a = (const struct apdu *)x->data;
                if (x->ndata != sizeof *a || a->n < 4 || a->n > APDU_MAX)
                    abort();
                /* a command only to a card on the reader (back from paying, the read that
                 * finds out whether it is) */
                if (!card && e.in != CD_IN_PAID)
                    abort();
                if (a->b[1] == 0x52) {
                    /* CREDIT FOR LOAD: only once the load's intent is durable */
                    if (e.in != CD_IN_JOURNAL || !e.ok || was_step != CS_INTENT ||
                        strcmp(h.pending_intent, f.load.load_id))
                        abort();
                    snprintf(h.intent_id, sizeof h.intent_id, "%s", h.pending_intent);
                }
                if (a->b[1] == 0x20 && f.pin[0])
                    abort(); /* VERIFY built: the PIN is gone from the flow */
                h.cmd = *a;
                h.apdu_waiting = 1;
                break;
            }
            case EFF_CALL: {
                const struct cd_request *rq = (const struct cd_request *)x->data;
                if (x->ndata != sizeof *rq || rq->call != x->i || rq->call <= CD_CALL_NONE ||
                    rq->call >= CD_CALL_LAST)
                    abort();
                check_text(rq->card_no, sizeof rq->card_no);
                if (strcmp(rq->card_no, f.info.card_no) || !all_of(rq->card_no, 16, DIGITS))
                    abort();
                struct cd_http hp;
                if (cd_api_http(rq, &hp))
                    abort(); /* the flow's own requests always build */
                check_http(rq, &hp);
                cd_api_http_free(&hp);
                if (rq->call == CD_CALL_LOAD &&
                    (rq->amount_fen < 1 || !all_of(rq->mac1, 8, HEX) ||
                     !all_of(rq->random, 8, HEX) || strcmp(rq->load_id, f.load.load_id)))
                    abort();
                if (rq->call == CD_CALL_CONFIRM &&
                    (strcmp(rq->load_id, h.txn_id) || !all_of(rq->tac, 8, HEX)))
                    abort(); /* confirmed only after its record */
                if (rq->call == CD_CALL_ALLOCATE) {
                    int64_t sum = 0;
                    for (int k = 0; k < rq->nlines; k++) {
                        if (rq->lines[k].amount_fen < 1)
                            abort();
                        sum += rq->lines[k].amount_fen;
                    }
                    if (rq->nlines < 1 || rq->nlines > CD_MAX_SUBS || !rq->alloc_id[0] ||
                        sum > f.acct.account_fen)
                        abort();
                }
                h.rq = *rq;
                h.call_waiting = 1;
                break;
            }
            case EFF_INTENT: {
                const struct cd_load_record *r = (const struct cd_load_record *)x->data;
                if (x->ndata != sizeof *r)
                    abort();
                /* the intent only on MAC2 */
                if (e.in != CD_IN_ANSWER || e.call != CD_CALL_LOAD || !e.answer->ok)
                    abort();
                check_record(r);
                if (strcmp(r->card_no, f.info.card_no) || strcmp(r->load_id, f.load.load_id) ||
                    r->amount_fen != f.load.amount_fen)
                    abort();
                round_trip(r, 0);
                snprintf(h.pending_intent, sizeof h.pending_intent, "%s", r->load_id);
                h.journal_waiting = 1;
                break;
            }
            case EFF_TXN: {
                const struct cd_load_record *r = (const struct cd_load_record *)x->data;
                if (x->ndata != sizeof *r)
                    abort();
                /* the record only on the TAC, or on the proof */
                if (e.in != CD_IN_APDU || (h.cmd.b[1] != 0x52 && h.cmd.b[1] != 0x5A) || !e.ok)
                    abort();
                check_record(r);
                if (r->balance_after_fen - r->balance_before_fen != r->amount_fen ||
                    !all_of(r->tac, 8, HEX) || strcmp(r->load_id, f.load.load_id) ||
                    r->amount_fen != f.load.amount_fen)
                    abort();
                round_trip(r, 1);
                snprintf(h.txn_id, sizeof h.txn_id, "%s", r->load_id);
                h.journal_waiting = 1;
                break;
            }
            case EFF_HAND_OVER: {
                if (strcmp(x->arg, "checkout.recharge") || !x->ndata ||
                    x->data[x->ndata - 1] != '\0')
                    abort();
                char no[32];
                long long fen = 0;
                if (sscanf((const char *)x->data, "%31s %lld", no, &fen) != 2 ||
                    strcmp(no, f.info.card_no) || fen < 100 || fen != f.recharge_fen ||
                    fen > max_before)
                    abort(); /* only what may be recharged */
                break;
            }
            case EFF_PRINT:
                if (f.state != CD_DONE)
                    abort();
                break;
            default:
                break;
            }
        }
    }
    cd_wipe(&f);
    if (f.pin[0] || f.info.card_no[0] || f.holder[0])
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    log_set_quiet(1);
    if (data[0] == 'F') {
        struct script sc = {data + 1, size - 1};
        drive(&sc);
        return 0;
    }
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    static struct cd_answer a;
    static struct cd_account acct;
    struct cd_load_record r;
    cJSON *j = NULL;
    switch (data[0]) {
    case 'A': {
        if (size < 5)
            break;
        enum cd_call k = (enum cd_call)(data[1] % (CD_CALL_LAST + 1));
        int status = ((data[2] << 8) | data[3]) % 600;
        size_t clen = data[4] % 48;
        const char *body = text + 4;
        char code[48];
        size_t avail = strlen(body);
        if (clen > avail)
            clen = avail;
        memcpy(code, body, clen);
        code[clen] = '\0';
        body += clen;
        j = cJSON_Parse(body);
        cd_api_answer(k, status, j, data[4] & 0x80 ? NULL : code, &a);
        check_answer(k, status, &a);
        break;
    }
    case 'C':
        j = cJSON_ParseWithLength(text, size - 1);
        if (cd_api_account(j, &acct) == 0)
            check_account(&acct);
        break;
    case 'R':
        if (cd_record_read(text, &r) == 0) {
            check_record(&r);
            /* the payload's card number is this card's: its 16 digits, nothing more */
            j = cJSON_Parse(text);
            const char *no = json_str(j, "card_no");
            if (strspn(no, "0123456789 ") != strlen(no))
                abort();
            int digits = 0;
            for (const char *p = no; *p; p++)
                digits += *p != ' ';
            if (digits != CARD_NO_LEN)
                abort();
            round_trip(&r, 0);
        }
        if (cd_record_read_txn(text, &r) == 0) {
            check_txn(&r);
            round_trip(&r, 1);
        } else if (cd_record_read_txn(text, &r) != -1) {
            abort();
        }
        break;
    case 'H': {
        if (size < 2)
            break;
        struct cd_request rq;
        memset(&rq, 0, sizeof rq);
        rq.call = (enum cd_call)(data[1] % (CD_CALL_LAST + 1));
        /* the lines of the rest: card number, load id, allocation id, random */
        char *fields[4] = {rq.card_no, rq.load_id, rq.alloc_id, rq.random};
        size_t caps[4] = {sizeof rq.card_no, sizeof rq.load_id, sizeof rq.alloc_id,
                          sizeof rq.random};
        const char *p = text + 1;
        for (int i = 0; i < 4; i++) {
            size_t n = strcspn(p, "\n");
            snprintf(fields[i], caps[i], "%.*s", (int)n, p);
            p += n + (p[n] == '\n');
        }
        rq.nlines = data[1] >> 4;
        struct cd_http hp;
        if (cd_api_http(&rq, &hp) == 0)
            check_http(&rq, &hp);
        else if (hp.body)
            abort();
        cd_api_http_free(&hp);
        if (hp.body)
            abort();
        break;
    }
    default:
        break;
    }
    cJSON_Delete(j);
    free(text);
    return 0;
}
