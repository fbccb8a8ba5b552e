/* Fuel cards (docs/backend-api.md, "Fuel cards"): a card's account and what waits for it,
 * loads onto the chip (MAC1 checked, MAC2 given, confirmed by the TAC), a main card's
 * sub-cards and allocations to them, and the account's history. The records, keys and the
 * confirmation are card_store.c's. */
#include <stdio.h>
#include <string.h>

#include "card.h"
#include "core/codes.h"
#include "json.h"
#include "pboc.h"
#include "sim.h"

/* 1 if s is 1..CARD_ID_MAX of [A-Za-z0-9_-]: a load_id or allocation_id, which travel in
 * paths. */
static int id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n >= 1 && n <= CARD_ID_MAX &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* The card's number, masked number and masked holder into o. */
static void add_names(cJSON *o, const struct card *c)
{
    char masked[40], holder[96];
    card_mask(c->card_no, masked, sizeof masked);
    mask_name(c->holder, holder, sizeof holder);
    cJSON_AddStringToObject(o, "card_no", c->card_no);
    cJSON_AddStringToObject(o, "card_no_masked", masked);
    cJSON_AddStringToObject(o, "holder_masked", holder);
}

/* GET /v1/cards/{card_no}: the account, limits, today's recharges and the loads given a MAC2
 * and not yet confirmed (whichever kiosk began them). */
static void card_get(sqlite3 *db, const struct sim_req *rq, const struct card *c,
                     struct sim_resp *r)
{
    cJSON *o = cJSON_CreateObject();
    add_names(o, c);
    cJSON_AddStringToObject(o, "kind", c->kind);
    cJSON_AddStringToObject(o, "status", c->status);
    cJSON_AddNumberToObject(o, "account_fen", (double)c->account_fen);
    cJSON_AddNumberToObject(o, "allocation_fen", (double)c->allocation_fen);
    cJSON_AddStringToObject(o, "invoice_mode", c->invoice_mode);
    cJSON_AddNumberToObject(o, "balance_cap_fen", (double)c->balance_cap_fen);
    cJSON_AddNumberToObject(o, "daily_recharge_cap_fen", (double)c->daily_recharge_cap_fen);
    cJSON_AddNumberToObject(o, "recharged_today_fen",
                            (double)card_recharged_today(db, c->card_no, rq->now_ms));
    cJSON *pending = cJSON_AddArrayToObject(o, "pending_loads");
    sqlite3_stmt *st = sim_q(db, "SELECT load_id, amount_fen, online_serial, source"
                                 " FROM card_loads WHERE card_no = ? AND state = 'PENDING'"
                                 " ORDER BY created_ms, rowid");
    sqlite3_bind_text(st, 1, c->card_no, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "load_id", sim_col(st, 0));
        cJSON_AddNumberToObject(l, "amount_fen", (double)sqlite3_column_int64(st, 1));
        cJSON_AddNumberToObject(l, "online_serial", sqlite3_column_int(st, 2));
        cJSON_AddStringToObject(l, "source", sim_col(st, 3));
        cJSON_AddItemToArray(pending, l);
    }
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* A load request's fields, read and checked: 0, or -1 with the 400 in r. */
struct load_ask {
    const char *load_id, *source;
    int64_t amount, balance, serial;
    char terminal_id[13];
    uint8_t term[6], random[4], mac1[4];
};

static int read_load_ask(const cJSON *b, struct load_ask *a, struct sim_resp *r)
{
    int bad = 0;
    a->load_id = sim_str_field(b, "load_id", 1, r, &bad);
    a->amount = sim_int_field(b, "amount_fen", 1, 1, CARD_MAX_FEN, r, &bad);
    a->source = sim_str_field(b, "source", 1, r, &bad);
    const char *term = sim_str_field(b, "terminal_id", 1, r, &bad);
    a->balance = sim_int_field(b, "card_balance_fen", 1, 0, CARD_MAX_FEN, r, &bad);
    a->serial = sim_int_field(b, "online_serial", 1, 0, 65535, r, &bad);
    /* the card's key version and algorithm are for the issuer's key index: one here */
    sim_int_field(b, "key_version", 0, 0, 255, r, &bad);
    sim_int_field(b, "algorithm", 0, 0, 255, r, &bad);
    const char *random = sim_str_field(b, "random", 1, r, &bad);
    const char *mac1 = sim_str_field(b, "mac1", 1, r, &bad);
    if (bad)
        return -1;
    const char *wrong = !id_ok(a->load_id) ? "field 'load_id' must be 1..64 of [A-Za-z0-9_-]"
                        : strcmp(a->source, "account") && strcmp(a->source, "allocation")
                            ? "field 'source' must be account or allocation"
                        : card_unhex(term, a->term, sizeof a->term) != 0
                            ? "field 'terminal_id' must be 12 hex digits"
                        : card_unhex(random, a->random, sizeof a->random) != 0
                            ? "field 'random' must be 8 hex digits"
                        : card_unhex(mac1, a->mac1, sizeof a->mac1) != 0
                            ? "field 'mac1' must be 8 hex digits"
                            : NULL;
    if (wrong) {
        sim_error(r, 400, "INVALID_ARGUMENT", wrong);
        return -1;
    }
    card_hex(a->term, sizeof a->term, a->terminal_id);
    return 0;
}

/* POST /v1/cards/{card_no}/loads: checks the chip's MAC1 and answers the MAC2 of CREDIT FOR
 * LOAD. The first request for a load_id moves the amount from its source into the pending
 * load; the same load again (the chip was not credited: a new random and MAC1) gets a new
 * MAC2, with a fresh date and time, and moves nothing. Every refusal moves nothing. */
static void load_begin(sqlite3 *db, const struct sim_req *rq, const struct card *c,
                       struct sim_resp *r)
{
    struct load_ask a;
    struct card_load l;
    if (read_load_ask(rq->body, &a, r) != 0)
        return;
    int fresh = !card_load_find(db, a.load_id, &l);
    if (!fresh && strcmp(l.card_no, c->card_no)) {
        sim_error(r, 409, "LOAD_MISMATCH", "this load_id is another card's");
        return;
    }
    if (!fresh && !strcmp(l.state, "LOADED")) {
        sim_error(r, 409, "LOAD_DONE", "this load was confirmed already");
        return;
    }
    if (!fresh &&
        (l.amount_fen != a.amount || l.online_serial != a.serial || strcmp(l.source, a.source))) {
        sim_error(r, 409, "LOAD_MISMATCH",
                  "this load_id was begun with another amount, online serial or source");
        return;
    }
    uint8_t dlk[16], dtk[16], sk[8], mac[4];
    if (card_keys(c->card_no, dlk, dtk) != 0) {
        sim_error(r, 500, "INTERNAL", "no keys for this card");
        return;
    }
    pboc_session_key(dlk, a.random, (uint16_t)a.serial, sk);
    pboc_mac1(sk, (uint32_t)a.balance, (uint32_t)a.amount, CARD_LOAD_TYPE, a.term, mac);
    if (memcmp(mac, a.mac1, sizeof mac)) {
        sim_error(r, 409, "MAC1_MISMATCH", "the chip's MAC1 does not check: a foreign card?");
        return;
    }
    int64_t have = !strcmp(a.source, "allocation") ? c->allocation_fen : c->account_fen;
    if (fresh && have < a.amount) {
        sim_error(r, 409, "INSUFFICIENT_BALANCE", "the source holds less than the amount");
        return;
    }
    if (a.balance + a.amount > c->balance_cap_fen) {
        sim_error(r, 409, "BALANCE_CAP", "the chip would hold more than the card's cap");
        return;
    }
    if (fresh) {
        snprintf(l.load_id, sizeof l.load_id, "%s", a.load_id);
        snprintf(l.card_no, sizeof l.card_no, "%s", c->card_no);
        snprintf(l.source, sizeof l.source, "%s", a.source);
        snprintf(l.terminal, sizeof l.terminal, "%s", rq->terminal);
        l.amount_fen = a.amount;
        l.online_serial = (int)a.serial;
    }
    snprintf(l.terminal_id, sizeof l.terminal_id, "%s", a.terminal_id);
    l.balance_before_fen = a.balance;
    uint8_t date[4], time[3];
    card_bcd_time(rq->now_ms, date, time, l.date, l.time);
    pboc_mac2(sk, (uint32_t)a.amount, CARD_LOAD_TYPE, a.term, date, time, mac);
    card_hex(mac, sizeof mac, l.mac2);
    card_load_keep(db, &l, fresh, rq->now_ms);

    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "load_id", l.load_id);
    cJSON_AddNumberToObject(o, "amount_fen", (double)l.amount_fen);
    cJSON_AddStringToObject(o, "state", "PENDING");
    cJSON_AddStringToObject(o, "mac2", l.mac2);
    cJSON_AddStringToObject(o, "date", l.date);
    cJSON_AddStringToObject(o, "time", l.time);
    sim_ok(r, o);
}

/* POST /v1/cards/{card_no}/loads/{load_id}/confirm {"tac"}: the load is LOADED when the TAC
 * verifies; repeating it answers the same. Any card state: the chip holds the money
 * already, whatever happened to the card since. */
static void load_confirm(sqlite3 *db, const struct sim_req *rq, const struct card *c,
                         const char *load_id, struct sim_resp *r)
{
    int bad = 0;
    uint8_t tac[4];
    const char *hex = sim_str_field(rq->body, "tac", 1, r, &bad);
    if (bad)
        return;
    if (card_unhex(hex, tac, sizeof tac) != 0) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'tac' must be 8 hex digits");
        return;
    }
    int64_t amount = 0;
    switch (card_load_confirm(db, c->card_no, load_id, tac, rq->now_ms, &amount)) {
    case CARD_CONFIRM_NOT_FOUND:
        sim_error(r, 404, "LOAD_NOT_FOUND", "no such load of this card");
        return;
    case CARD_CONFIRM_TAC_MISMATCH:
        sim_error(r, 409, "TAC_MISMATCH", "the TAC does not verify: the load is flagged");
        return;
    case CARD_CONFIRM_LOADED:
    case CARD_CONFIRM_WAS_LOADED:
        break;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "load_id", load_id);
    cJSON_AddStringToObject(o, "state", "LOADED");
    cJSON_AddNumberToObject(o, "amount_fen", (double)amount);
    sim_ok(r, o);
}

/* GET /v1/cards/{card_no}/subcards: a main card's sub-cards, by number. */
static void subcards(sqlite3 *db, const struct card *c, struct sim_resp *r)
{
    if (strcmp(c->kind, "main")) {
        sim_error(r, 409, "NOT_A_MAIN_CARD", "only a company's main card has sub-cards");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "subcards");
    sqlite3_stmt *st = sim_q(db, "SELECT card_no FROM cards WHERE main_card = ? AND kind = 'sub'"
                                 " ORDER BY card_no");
    sqlite3_bind_text(st, 1, c->card_no, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct card s;
        if (!card_find(db, sim_col(st, 0), &s, NULL))
            continue;
        cJSON *e = cJSON_CreateObject();
        add_names(e, &s);
        cJSON_AddStringToObject(e, "status", s.status);
        cJSON_AddNumberToObject(e, "allocation_fen", (double)s.allocation_fen);
        cJSON_AddItemToArray(arr, e);
    }
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* The answer to the allocation `id`, as it was made: {"allocation_id","account_fen",
 * "lines"}; NULL when there is none. */
static cJSON *allocation_answer(sqlite3 *db, const char *id)
{
    sqlite3_stmt *st = sim_q(db, "SELECT to_card, amount_fen, account_after_fen"
                                 " FROM card_allocations WHERE allocation_id = ? ORDER BY line");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    cJSON *o = NULL, *lines = NULL;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (!o) {
            o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "allocation_id", id);
            cJSON_AddNumberToObject(o, "account_fen", (double)sqlite3_column_int64(st, 2));
            lines = cJSON_AddArrayToObject(o, "lines");
        }
        char masked[40];
        card_mask(sim_col(st, 0), masked, sizeof masked);
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "to_card", sim_col(st, 0));
        cJSON_AddStringToObject(l, "card_no_masked", masked);
        cJSON_AddNumberToObject(l, "amount_fen", (double)sqlite3_column_int64(st, 1));
        cJSON_AddItemToArray(lines, l);
    }
    sqlite3_finalize(st);
    return o;
}

/* 1 if the allocation `id` kept is from card `main` with exactly these lines, in order. */
static int same_allocation(sqlite3 *db, const char *id, const char *main, const cJSON *lines)
{
    sqlite3_stmt *st = sim_q(db, "SELECT main_card, to_card, amount_fen FROM card_allocations"
                                 " WHERE allocation_id = ? ORDER BY line");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    const cJSON *l = lines->child;
    int same = 1;
    while (same && sqlite3_step(st) == SQLITE_ROW) {
        same = l && !strcmp(sim_col(st, 0), main) &&
               !strcmp(sim_col(st, 1), sim_jstr(l, "to_card")) &&
               sqlite3_column_int64(st, 2) == sim_jint(l, "amount_fen");
        l = l ? l->next : NULL;
    }
    sqlite3_finalize(st);
    return same && !l; /* as many lines as were kept */
}

/* The lines of an allocation, as a request: 0 with their sum in *sum, or -1 with 400
 * INVALID_ARGUMENT in r (0 or more than 20 lines, an amount under 1, a card twice). */
static int read_lines(const cJSON *lines, int64_t *sum, struct sim_resp *r)
{
    int n = cJSON_IsArray(lines) ? cJSON_GetArraySize(lines) : 0;
    if (n < 1 || n > CARD_MAX_LINES) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'lines' must be an array of 1 to 20 lines");
        return -1;
    }
    const cJSON *l, *k;
    *sum = 0;
    cJSON_ArrayForEach(l, lines)
    {
        int bad = 0;
        const char *to = sim_str_field(l, "to_card", 1, r, &bad);
        int64_t amount = sim_int_field(l, "amount_fen", 1, 1, CARD_MAX_FEN, r, &bad);
        if (bad)
            return -1;
        for (k = lines->child; k != l; k = k->next)
            if (!strcmp(sim_jstr(k, "to_card"), to)) {
                sim_error(r, 400, "INVALID_ARGUMENT", "field 'lines' names a card twice");
                return -1;
            }
        *sum += amount;
    }
    return 0;
}

/* Whether every line's card may receive from `main`: 0, or -1 with 409 NOT_A_SUB_CARD (not
 * this main card's sub-card), CARD_BLOCKED or CARD_EXPIRED in r. */
static int check_subs(sqlite3 *db, const struct card *main, const cJSON *lines, int64_t now_ms,
                      struct sim_resp *r)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, lines)
    {
        struct card s;
        if (!card_find(db, sim_jstr(l, "to_card"), &s, NULL) || strcmp(s.kind, "sub") ||
            strcmp(s.main_card, main->card_no)) {
            sim_error(r, 409, "NOT_A_SUB_CARD", "a line's card is not this main card's sub-card");
            return -1;
        }
        if (card_usable(&s, 1, now_ms, r) != 0)
            return -1;
    }
    return 0;
}

/* POST /v1/cards/{card_no}/allocations {"allocation_id","lines":[{"to_card","amount_fen"}]}:
 * moves money from the main card's account to its sub-cards' allocation, all lines or
 * none, once per allocation_id: repeating it answers the same. */
static void allocate(sqlite3 *db, const struct sim_req *rq, const struct card *c,
                     struct sim_resp *r)
{
    int bad = 0;
    const char *id = sim_str_field(rq->body, "allocation_id", 1, r, &bad);
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(rq->body, "lines");
    if (bad)
        return;
    if (!id_ok(id)) {
        sim_error(r, 400, "INVALID_ARGUMENT",
                  "field 'allocation_id' must be 1..64 of "
                  "[A-Za-z0-9_-]");
        return;
    }
    int64_t sum = 0;
    if (read_lines(lines, &sum, r) != 0)
        return;
    if (strcmp(c->kind, "main")) {
        sim_error(r, 409, "NOT_A_MAIN_CARD", "only a company's main card allocates");
        return;
    }
    /* a repeat answers what the allocation answered, whatever happened since */
    cJSON *done = allocation_answer(db, id);
    if (done && !same_allocation(db, id, c->card_no, lines)) {
        cJSON_Delete(done);
        sim_error(r, 409, "ALLOCATION_MISMATCH",
                  "this allocation_id was used for another card or other lines");
        return;
    }
    if (done) {
        sim_ok(r, done);
        return;
    }
    if (check_subs(db, c, lines, rq->now_ms, r) != 0)
        return;
    if (c->account_fen < sum) {
        sim_error(r, 409, "INSUFFICIENT_BALANCE", "the main card's account holds less");
        return;
    }
    /* every check has passed: all lines move */
    int n = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, lines)
    {
        const char *to = sim_jstr(l, "to_card");
        int64_t amount = sim_jint(l, "amount_fen");
        sqlite3_stmt *st =
            sim_q(db, "UPDATE cards SET account_fen = account_fen - ?1 WHERE card_no = ?2;");
        sqlite3_bind_int64(st, 1, amount);
        sqlite3_bind_text(st, 2, c->card_no, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
        st = sim_q(db, "UPDATE cards SET allocation_fen = allocation_fen + ? WHERE card_no = ?");
        sqlite3_bind_int64(st, 1, amount);
        sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
        st = sim_q(db, "INSERT INTO card_allocations (allocation_id, line, main_card, to_card,"
                       " amount_fen, account_after_fen, terminal, at_ms)"
                       " VALUES (?,?,?,?,?,?,?,?)");
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, n++);
        sqlite3_bind_text(st, 3, c->card_no, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, to, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, amount);
        sqlite3_bind_int64(st, 6, c->account_fen - sum);
        sqlite3_bind_text(st, 7, rq->terminal, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 8, rq->now_ms);
        sqlite3_step(st);
        sqlite3_finalize(st);
        card_move(db, c->card_no, "allocation_out", amount, rq->terminal, rq->now_ms);
        card_move(db, to, "allocation_in", amount, rq->terminal, rq->now_ms);
    }
    sim_ok(r, allocation_answer(db, id));
}

/* GET /v1/cards/{card_no}/history: the last movements of the account (and a sub-card's
 * allocation), newest first. */
static void history(sqlite3 *db, const struct card *c, struct sim_resp *r)
{
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "entries");
    sqlite3_stmt *st = sim_q(db, "SELECT at_ms, kind, amount_fen, terminal FROM card_moves"
                                 " WHERE card_no = ? ORDER BY at_ms DESC, id DESC LIMIT ?");
    sqlite3_bind_text(st, 1, c->card_no, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, CARD_HISTORY);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "at_ms", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(e, "kind", sim_col(st, 1));
        cJSON_AddNumberToObject(e, "amount_fen", (double)sqlite3_column_int64(st, 2));
        cJSON_AddStringToObject(e, "terminal", sim_col(st, 3));
        cJSON_AddItemToArray(arr, e);
    }
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* The card routes, by method and what follows /v1/cards/{card_no}. */
enum card_op {
    OP_NONE,
    OP_GET,      /* GET /v1/cards/{no} */
    OP_LOAD,     /* POST .../loads */
    OP_CONFIRM,  /* POST .../loads/{load_id}/confirm */
    OP_SUBCARDS, /* GET .../subcards */
    OP_ALLOCATE, /* POST .../allocations */
    OP_HISTORY,  /* GET .../history */
};

static enum card_op op_of(const char *method, const char *p)
{
    int get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
    switch (sim_path_depth(p)) {
    case 3:
        return get ? OP_GET : OP_NONE;
    case 4:
        return post && sim_path_is(p, 3, "loads")         ? OP_LOAD
               : get && sim_path_is(p, 3, "subcards")     ? OP_SUBCARDS
               : post && sim_path_is(p, 3, "allocations") ? OP_ALLOCATE
               : get && sim_path_is(p, 3, "history")      ? OP_HISTORY
                                                          : OP_NONE;
    case 6:
        return post && sim_path_is(p, 3, "loads") && sim_path_has(p, 4) &&
                       sim_path_is(p, 5, "confirm")
                   ? OP_CONFIRM
                   : OP_NONE;
    default:
        return OP_NONE;
    }
}

int sim_route_cards(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *p = rq->path;
    char no[CARD_NO_DIGITS + 1] = "", load_id[CARD_ID_MAX + 1] = "";
    if (strncmp(p, "/v1/cards/", 10) || !sim_path_has(p, 2))
        return 0;
    enum card_op op = op_of(rq->method, p);
    if (op == OP_NONE)
        return 0;
    /* A number too long for any card stays "" (not found); so does a load_id too long. */
    sim_path_segment(p, 2, no, sizeof no);
    if (op == OP_CONFIRM)
        sim_path_segment(p, 4, load_id, sizeof load_id);
    struct card c;
    /* GETs answer a lost or blocked card (its status says so); confirming a load is never
     * refused: the chip was credited already */
    if (!card_find(db, no, &c, r) ||
        (op != OP_CONFIRM &&
         card_usable(&c, op == OP_LOAD || op == OP_ALLOCATE, rq->now_ms, r) != 0))
        return 1;
    switch (op) {
    case OP_GET:
        card_get(db, rq, &c, r);
        break;
    case OP_LOAD:
        load_begin(db, rq, &c, r);
        break;
    case OP_CONFIRM:
        load_confirm(db, rq, &c, load_id, r);
        break;
    case OP_SUBCARDS:
        subcards(db, &c, r);
        break;
    case OP_ALLOCATE:
        allocate(db, rq, &c, r);
        break;
    case OP_HISTORY:
        history(db, &c, r);
        break;
    case OP_NONE:
        break;
    }
    return 1;
}
