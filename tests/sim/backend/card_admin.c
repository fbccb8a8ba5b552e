/* Simulator administration of fuel cards (docs/backend-api.md): every card with its account,
 * allocation and loads, for tests to check that no money appears or vanishes (what is on
 * the chip + the account + the allocation + pending loads = what was paid in). Unsigned,
 * loopback only, like the rest of /v1/admin/. */
#include <string.h>

#include "card.h"
#include "sim.h"

/* The loads of card `card_no`, in the order they were begun. */
static cJSON *loads_of(sqlite3 *db, const char *card_no)
{
    cJSON *arr = cJSON_CreateArray();
    sqlite3_stmt *st = sim_q(db, "SELECT load_id, amount_fen, source, state, flagged,"
                                 " online_serial, terminal, terminal_id, created_ms, loaded_ms"
                                 " FROM card_loads WHERE card_no = ? ORDER BY rowid");
    sqlite3_bind_text(st, 1, card_no, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "load_id", sim_col(st, 0));
        cJSON_AddNumberToObject(l, "amount_fen", (double)sqlite3_column_int64(st, 1));
        cJSON_AddStringToObject(l, "source", sim_col(st, 2));
        cJSON_AddStringToObject(l, "state", sim_col(st, 3));
        cJSON_AddNumberToObject(l, "flagged", sqlite3_column_int(st, 4)); /* 0 or 1 */
        cJSON_AddNumberToObject(l, "online_serial", sqlite3_column_int(st, 5));
        cJSON_AddStringToObject(l, "terminal", sim_col(st, 6));
        cJSON_AddStringToObject(l, "terminal_id", sim_col(st, 7));
        cJSON_AddNumberToObject(l, "created_ms", (double)sqlite3_column_int64(st, 8));
        cJSON_AddNumberToObject(l, "loaded_ms", (double)sqlite3_column_int64(st, 9));
        cJSON_AddItemToArray(arr, l);
    }
    sqlite3_finalize(st);
    return arr;
}

/* GET /v1/admin/cards: {"cards":[{"card_no","kind","status","account_fen","allocation_fen",
 * "loads":[...]}]}, by card number. */
static void list(sqlite3 *db, struct sim_resp *r)
{
    cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "cards");
    sqlite3_stmt *st = sim_q(db, "SELECT card_no, kind, status, account_fen, allocation_fen"
                                 " FROM cards ORDER BY card_no");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "card_no", sim_col(st, 0));
        cJSON_AddStringToObject(c, "kind", sim_col(st, 1));
        cJSON_AddStringToObject(c, "status", sim_col(st, 2));
        cJSON_AddNumberToObject(c, "account_fen", (double)sqlite3_column_int64(st, 3));
        cJSON_AddNumberToObject(c, "allocation_fen", (double)sqlite3_column_int64(st, 4));
        cJSON_AddItemToObject(c, "loads", loads_of(db, sim_col(st, 0)));
        cJSON_AddItemToArray(arr, c);
    }
    sqlite3_finalize(st);
    sim_ok(r, out);
}

int sim_route_card_admin(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    if (strcmp(rq->method, "GET") || strcmp(rq->path, "/v1/admin/cards"))
        return 0;
    list(db, r);
    return 1;
}
