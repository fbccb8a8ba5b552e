/* Simulator administration of staff and refunds (docs/backend-api.md): every login attempt
 * whose PIN was checked and every refund made, for tests to check what the kiosk asked; and
 * the login service's down switch, for the kiosk's offline login with its cached verifiers.
 * No PIN and no verifier. Unsigned, loopback only, like the rest of /v1/admin/. */
#include <string.h>

#include "sim.h"
#include "staff.h"

/* GET /v1/admin/staff: {"logins":[{"staff_no","purpose","ok"}],"refunds":[{"refund_no",
 * "txn_no","order_id","amount_fen","whole","channel","attendant","approver","reason"}]}, each
 * in the order they came; ok and whole are 0 or 1. */
static void list(sqlite3 *db, struct sim_resp *r)
{
    cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "logins");
    sqlite3_stmt *st = sim_q(db, "SELECT staff_no, purpose, ok FROM staff_logins ORDER BY seq");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "staff_no", sim_col(st, 0));
        cJSON_AddStringToObject(o, "purpose", sim_col(st, 1));
        cJSON_AddNumberToObject(o, "ok", sqlite3_column_int(st, 2));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_finalize(st);
    arr = cJSON_AddArrayToObject(out, "refunds");
    st = sim_q(db, "SELECT refund_no, txn_no, order_id, amount_fen, whole, channel, attendant,"
                   " approver, reason FROM refunds ORDER BY rowid");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "refund_no", sim_col(st, 0));
        cJSON_AddStringToObject(o, "txn_no", sim_col(st, 1));
        cJSON_AddStringToObject(o, "order_id", sim_col(st, 2));
        cJSON_AddNumberToObject(o, "amount_fen", (double)sqlite3_column_int64(st, 3));
        cJSON_AddNumberToObject(o, "whole", sqlite3_column_int(st, 4));
        cJSON_AddStringToObject(o, "channel", sim_col(st, 5));
        cJSON_AddStringToObject(o, "attendant", sim_col(st, 6));
        cJSON_AddStringToObject(o, "approver", sim_col(st, 7));
        cJSON_AddStringToObject(o, "reason", sim_col(st, 8));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_finalize(st);
    sim_ok(r, out);
}

/* POST /v1/admin/staff {"login_down": true|false}: while true, POST /v1/staff/login answers
 * 503 UNAVAILABLE. Answers {"login_down": ...}. */
static void set_down(sqlite3 *db, const cJSON *body, struct sim_resp *r)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "login_down");
    if (!cJSON_IsBool(v)) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'login_down' must be true or false");
        return;
    }
    sqlite3_stmt *st = sim_q(db, "INSERT OR REPLACE INTO staff_settings VALUES (1, ?)");
    sqlite3_bind_int(st, 1, cJSON_IsTrue(v));
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok) {
        sim_error(r, 500, "INTERNAL", sqlite3_errmsg(db));
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "login_down", cJSON_IsTrue(v));
    sim_ok(r, o);
}

int sim_route_staff_admin(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    if (strcmp(rq->path, "/v1/admin/staff"))
        return 0;
    if (!strcmp(rq->method, "GET"))
        list(db, r);
    else if (!strcmp(rq->method, "POST"))
        set_down(db, rq->body, r);
    else
        return 0;
    return 1;
}
