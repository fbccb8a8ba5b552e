/* Simulator administration (docs/backend-api.md) through the router: what the backend
 * itself recorded, for tests to check after driving the kiosk, and the customer's phone paying
 * a native QR. Unsigned, loopback only; faults, reset and the clock are sim.c's own. */
#include <string.h>

#include "json.h"
#include "sim.h"

/* Runs `sql` with `id` bound; 1 with a row to read, else a 404 in r (st finalized). */
static int find(sqlite3 *db, const char *sql, const char *id, sqlite3_stmt **st,
                struct sim_resp *r)
{
    *st = sim_q(db, sql);
    sqlite3_bind_text(*st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(*st) == SQLITE_ROW)
        return 1;
    sqlite3_finalize(*st);
    sim_error(r, 404, "NOT_FOUND", "no such record");
    return 0;
}

/* GET /v1/admin/orders/{id}: {"order_id","status","total_fen","body":{...}} */
static void admin_order(sqlite3 *db, const char *id, struct sim_resp *r)
{
    sqlite3_stmt *st;
    if (!find(db, "SELECT id, status, total_fen, body FROM orders WHERE id = ?", id, &st, r))
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "order_id", sim_col(st, 0));
    cJSON_AddStringToObject(o, "status", sim_col(st, 1));
    cJSON_AddNumberToObject(o, "total_fen", (double)sqlite3_column_int64(st, 2));
    cJSON *body = cJSON_Parse(sim_col(st, 3));
    cJSON_AddItemToObject(o, "body", body ? body : cJSON_CreateNull());
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* GET /v1/admin/sales/{id}: {"sale_id","status","locked_by","locked_until_ms","paid_by"}. A
 * lock past its lease was released before this runs: "unpaid", locked_by "", until 0. */
static void admin_sale(sqlite3 *db, const char *id, struct sim_resp *r)
{
    sqlite3_stmt *st;
    if (!find(db, "SELECT id, status, locked_by, paid_by, locked_until_ms FROM sales WHERE id = ?",
              id, &st, r))
        return;
    int locked = !strcmp(sim_col(st, 1), "locked");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "sale_id", sim_col(st, 0));
    cJSON_AddStringToObject(o, "status", sim_col(st, 1));
    cJSON_AddStringToObject(o, "locked_by", locked ? sim_col(st, 2) : ""); /* "" when none */
    cJSON_AddNumberToObject(o, "locked_until_ms",
                            locked ? (double)sqlite3_column_int64(st, 4) : 0); /* 0: none */
    cJSON_AddStringToObject(o, "paid_by", sim_col(st, 3));
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* GET /v1/admin/members/{id}: {"member_id","points","coupons":[{"coupon_id","used"}]} */
static void admin_member(sqlite3 *db, const char *id, struct sim_resp *r)
{
    sqlite3_stmt *st;
    if (!find(db, "SELECT id, points FROM members WHERE id = ?", id, &st, r))
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "member_id", sim_col(st, 0));
    cJSON_AddNumberToObject(o, "points", (double)sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    cJSON *cs = cJSON_AddArrayToObject(o, "coupons");
    st = sim_q(db, "SELECT id, used FROM coupons WHERE member_id = ? ORDER BY id");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "coupon_id", sim_col(st, 0));
        cJSON_AddNumberToObject(c, "used", sqlite3_column_int(st, 1)); /* 0 or 1 */
        cJSON_AddItemToArray(cs, c);
    }
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* GET /v1/admin/coupons/{id}: {"coupon_id","used"} */
static void admin_coupon(sqlite3 *db, const char *id, struct sim_resp *r)
{
    sqlite3_stmt *st;
    if (!find(db, "SELECT id, used FROM coupons WHERE id = ?", id, &st, r))
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "coupon_id", sim_col(st, 0));
    cJSON_AddNumberToObject(o, "used", sqlite3_column_int(st, 1)); /* 0 or 1 */
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* GET /v1/admin/payments: every payment, in creation order, as it stands now. */
static void admin_payments(sqlite3 *db, int64_t now, struct sim_resp *r)
{
    /* customers who confirmed by now have paid (as GET /v1/payments/{otn} would show) */
    sim_payments_tick(db, NULL, now);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "payments");
    sqlite3_stmt *st = sim_q(db, "SELECT out_trade_no, order_id, amount_fen, status, mode, "
                             "channel FROM payments ORDER BY rowid");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "out_trade_no", sim_col(st, 0));
        cJSON_AddStringToObject(p, "order_id", sim_col(st, 1));
        cJSON_AddNumberToObject(p, "amount_fen", (double)sqlite3_column_int64(st, 2));
        cJSON_AddStringToObject(p, "status", sim_col(st, 3));
        cJSON_AddStringToObject(p, "mode", sim_col(st, 4));
        cJSON_AddStringToObject(p, "channel", sim_col(st, 5));
        cJSON_AddItemToArray(arr, p);
    }
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* GET /v1/admin/terminals/{id}: the terminal's last heartbeat, {"terminal","at_ms","status"}
 * (status: the heartbeat's body, e.g. {"state":"ok","printer":"paper out",...}). */
static void admin_terminal(sqlite3 *db, const char *id, struct sim_resp *r)
{
    sqlite3_stmt *st;
    if (!find(db, "SELECT terminal, at_ms, status FROM heartbeats WHERE terminal = ?", id, &st, r))
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "terminal", sim_col(st, 0));
    cJSON_AddNumberToObject(o, "at_ms", (double)sqlite3_column_int64(st, 1));
    cJSON *body = cJSON_Parse(sim_col(st, 2));
    cJSON_AddItemToObject(o, "status", body ? body : cJSON_CreateNull());
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* GET /v1/admin/journal: every journal record received, in order. */
static void admin_journal(sqlite3 *db, struct sim_resp *r)
{
    cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "records");
    sqlite3_stmt *st = sim_q(db, "SELECT terminal, record_id, kind FROM journal ORDER BY rowid");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "terminal", sim_col(st, 0));
        cJSON_AddStringToObject(o, "record_id", sim_col(st, 1));
        cJSON_AddStringToObject(o, "kind", sim_col(st, 2));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_finalize(st);
    sim_ok(r, out);
}

/* POST /v1/admin/payments/{otn}/pay: the customer scans the native QR and pays. */
static void admin_pay(sqlite3 *db, const char *otn, struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, "UPDATE payments SET status = 'PAID' WHERE out_trade_no = ? AND "
                             "status IN ('CREATED','USERPAYING')");
    sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
    sim_payment_get(db, otn, NULL, r);
}

int sim_route_admin(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *p = rq->path;
    int get = !strcmp(rq->method, "GET"), post = !strcmp(rq->method, "POST");
    int depth = sim_path_depth(p);
    char what[16] = "", id[72] = ""; /* /v1/admin/{what}/{id} */
    if (strncmp(p, "/v1/admin/", 10))
        return 0;
    if (get && !strcmp(p, "/v1/admin/journal")) {
        admin_journal(db, r);
    } else if (get && !strcmp(p, "/v1/admin/payments")) {
        admin_payments(db, rq->now_ms, r);
    } else if (!strncmp(p, "/v1/admin/payments/", 19) &&
               ((post && depth == 5 && sim_path_is(p, 4, "pay")) || (get && depth == 4))) {
        /* an out_trade_no that is empty or too long for any payment stays "": not found */
        sim_path_segment(p, 3, id, sizeof id);
        if (post)
            admin_pay(db, id, r);
        else
            sim_payment_get(db, id, NULL, r); /* whoever made it */
    } else if (get && depth == 4 && !sim_path_segment(p, 2, what, sizeof what) &&
               !sim_path_segment(p, 3, id, sizeof id)) {
        if (!strcmp(what, "orders"))
            admin_order(db, id, r);
        else if (!strcmp(what, "sales"))
            admin_sale(db, id, r);
        else if (!strcmp(what, "members"))
            admin_member(db, id, r);
        else if (!strcmp(what, "coupons"))
            admin_coupon(db, id, r);
        else if (!strcmp(what, "terminals"))
            admin_terminal(db, id, r);
        else
            return 0;
    } else {
        return 0;
    }
    return 1;
}
