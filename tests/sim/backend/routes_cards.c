/* Fuel cards (docs/backend-api.md): balance, online recharge and allocation from a main card
 * to its sub-cards, each once per out_trade_no. */
#include <string.h>

#include "core/codes.h"
#include "json.h"
#include "sim.h"

/* A card as the kiosk sees it, from a row of (card_no, holder, kind, main_card, account_fen,
 * status): number and holder masked. */
static cJSON *card_json(sqlite3_stmt *st)
{
    cJSON *c = cJSON_CreateObject();
    char holder[64], no[40];
    mask_name(sim_col(st, 1), holder, sizeof holder);
    mask_code(sim_col(st, 0), no, sizeof no);
    cJSON_AddStringToObject(c, "card_no_masked", no);
    cJSON_AddStringToObject(c, "holder_masked", holder);
    cJSON_AddStringToObject(c, "kind", sim_col(st, 2));
    cJSON_AddNumberToObject(c, "account_fen", (double)sqlite3_column_int64(st, 4));
    cJSON_AddStringToObject(c, "status", sim_col(st, 5));
    return c;
}

/* Fuel cards: balance, online recharge (once per out_trade_no), allocation main -> sub. */
static void cards(sqlite3 *db, const struct sim_req *rq, const char *card, const char *op,
                  struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, "SELECT card_no, holder, kind, main_card, account_fen, status "
                             "FROM cards WHERE card_no = ?");
    sqlite3_bind_text(st, 1, card, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "CARD_NOT_FOUND", "no such fuel card");
        return;
    }
    int active = !strcmp(sim_col(st, 5), "active");
    if (!op) {
        sim_ok(r, card_json(st));
        sqlite3_finalize(st);
        return;
    }
    sqlite3_finalize(st);
    if (!active) {
        sim_error(r, 409, "CARD_BLOCKED", "the card is reported lost or blocked");
        return;
    }
    int64_t amount = sim_jint(rq->body, "amount_fen");
    const char *opid = sim_jstr(rq->body, "out_trade_no");
    const char *to = sim_jstr(rq->body, "to_card");
    if (amount < 1 || !opid) {
        sim_error(r, 400, "INVALID_ARGUMENT", "amount_fen >= 1 and out_trade_no are required");
        return;
    }
    st = sim_q(db, "INSERT OR IGNORE INTO card_ops VALUES (?,?,?,?)");
    sqlite3_bind_text(st, 1, opid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, card, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, op, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, amount);
    sqlite3_step(st);
    int fresh = sqlite3_changes(db);
    sqlite3_finalize(st);
    if (fresh && !strcmp(op, "recharge")) {
        st = sim_q(db, "UPDATE cards SET account_fen = account_fen + ? WHERE card_no = ?");
        sqlite3_bind_int64(st, 1, amount);
        sqlite3_bind_text(st, 2, card, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
    } else if (fresh) { /* allocate */
        st = sim_q(db, "SELECT account_fen FROM cards WHERE card_no = ? AND kind = 'main'");
        sqlite3_bind_text(st, 1, card, -1, SQLITE_STATIC);
        int64_t have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        st = sim_q(db, "SELECT 1 FROM cards WHERE card_no = ? AND main_card = ?");
        sqlite3_bind_text(st, 1, to ? to : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, card, -1, SQLITE_STATIC);
        int sub = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        if (have < amount || !sub) {
            sim_error(r, 409,
                      have < 0 ? "NOT_A_MAIN_CARD"
                      : !sub   ? "NOT_A_SUB_CARD"
                               : "INSUFFICIENT_BALANCE",
                      "allocation needs a main card, one of its sub-cards and enough balance");
            sqlite3_exec(db, "DELETE FROM card_ops WHERE rowid = last_insert_rowid()", NULL, NULL,
                         NULL);
            return;
        }
        sqlite3_exec(db, "SAVEPOINT a", NULL, NULL, NULL);
        st = sim_q(db, "UPDATE cards SET account_fen = account_fen - ?1 WHERE card_no = ?2");
        sqlite3_bind_int64(st, 1, amount);
        sqlite3_bind_text(st, 2, card, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
        st = sim_q(db, "UPDATE cards SET account_fen = account_fen + ?1 WHERE card_no = ?2");
        sqlite3_bind_int64(st, 1, amount);
        sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
        sqlite3_exec(db, "RELEASE a", NULL, NULL, NULL);
    }
    cards(db, rq, card, NULL, r);
}

int sim_route_cards(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *p = rq->path;
    int get = !strcmp(rq->method, "GET"), post = !strcmp(rq->method, "POST");
    char card[72] = "";
    if (strncmp(p, "/v1/cards/", 10) || !sim_path_has(p, 2))
        return 0;
    /* A number too long for any card stays "" (not found), and nothing after it is read. */
    int fits = !sim_path_segment(p, 2, card, sizeof card);
    int has_op = fits && sim_path_has(p, 3);
    /* GET /v1/cards/{card_no}, POST /v1/cards/{card_no}/recharge|allocate; what follows the
     * operation is not looked at */
    if (get && !has_op)
        cards(db, rq, card, NULL, r);
    else if (post && has_op && sim_path_is(p, 3, "recharge"))
        cards(db, rq, card, "recharge", r);
    else if (post && has_op && sim_path_is(p, 3, "allocate"))
        cards(db, rq, card, "allocate", r);
    else
        return 0;
    return 1;
}
