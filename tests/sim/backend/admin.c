/* The simulator's inspection routes under /v1/admin/ (unsigned, loopback only): what the
 * backend itself recorded, for tests to check after driving the kiosk. */
#include <stdio.h>
#include <string.h>

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
    sqlite3_stmt *st = sim_q(db, "UPDATE payments SET status = 'PAID' WHERE "
                             "status IN ('USERPAYING','CREATED') AND confirm_at_ms > 0 AND "
                             "confirm_at_ms <= ?");
    sqlite3_bind_int64(st, 1, now);
    sqlite3_step(st);
    sqlite3_finalize(st);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "payments");
    st = sim_q(db, "SELECT out_trade_no, order_id, amount_fen, status, mode, channel "
               "FROM payments ORDER BY rowid");
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

int sim_route_admin(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    char what[16] = "", id[72] = "", rest[2] = "";
    if (strcmp(rq->method, "GET") || strncmp(rq->path, "/v1/admin/", 10))
        return 0;
    if (!strcmp(rq->path, "/v1/admin/payments")) {
        admin_payments(db, rq->now_ms, r);
        return 1;
    }
    /* /v1/admin/{what}/{id}, nothing after */
    if (sscanf(rq->path + 10, "%15[^/]/%71[^/]%1s", what, id, rest) != 2)
        return 0;
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
    return 1;
}
