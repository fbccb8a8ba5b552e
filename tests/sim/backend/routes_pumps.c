/* Pumps and sales (docs/backend-api.md): the pumps' unpaid sales, sale locks and their lease
 * expiry. */
#include <string.h>

#include "json.h"
#include "sim.h"

/* A sale as the terminal sees it, from a row of (id, pump, grade, volume_ml, price_fen,
 * amount_fen, status, locked_by): its own lock is "locked_by_you". */
static cJSON *sale_json(sqlite3_stmt *st, const char *terminal)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "sale_id", sim_col(st, 0));
    cJSON_AddNumberToObject(s, "pump", sqlite3_column_int(st, 1));
    cJSON_AddStringToObject(s, "grade", sim_col(st, 2));
    cJSON_AddNumberToObject(s, "volume_ml", (double)sqlite3_column_int64(st, 3));
    cJSON_AddNumberToObject(s, "price_fen_per_l", (double)sqlite3_column_int64(st, 4));
    cJSON_AddNumberToObject(s, "amount_fen", (double)sqlite3_column_int64(st, 5));
    const char *status = sim_col(st, 6), *locked = sim_col(st, 7);
    if (!strcmp(status, "locked") && !strcmp(locked, terminal))
        status = "locked_by_you";
    cJSON_AddStringToObject(s, "status", status);
    return s;
}

/* GET /v1/pumps: every pump and its sales that are not paid. */
static void get_pumps(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    cJSON *out = cJSON_CreateObject(), *pumps = cJSON_AddArrayToObject(out, "pumps");
    for (int p = 1; p <= 8; p++) {
        cJSON *pj = cJSON_CreateObject(), *sales = cJSON_CreateArray();
        cJSON_AddNumberToObject(pj, "pump", p);
        sqlite3_stmt *st = sim_q(db, "SELECT id, pump, grade, volume_ml, price_fen, amount_fen, "
                                 "status, locked_by FROM sales WHERE pump = ? AND status != 'paid' "
                                 "ORDER BY id");
        sqlite3_bind_int(st, 1, p);
        while (sqlite3_step(st) == SQLITE_ROW)
            cJSON_AddItemToArray(sales, sale_json(st, rq->terminal));
        sqlite3_finalize(st);
        cJSON_AddItemToObject(pj, "unpaid_sales", sales);
        cJSON_AddItemToArray(pumps, pj);
    }
    sim_ok(r, out);
}

/* The router runs this before every route (sim.h): lapsed leases are released first. */
void sim_expire_locks(sqlite3 *db, int64_t now_ms)
{
    sqlite3_stmt *st = sim_q(db, "UPDATE sales SET status = 'unpaid', locked_by = NULL, "
                             "locked_until_ms = 0 "
                             "WHERE status = 'locked' AND locked_until_ms <= ?");
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

/* POST /v1/sales/{id}/lock and /unlock. A lock is a lease of sim_lock_lease_ms: locking again
 * (same terminal) renews it to now + lease, and the answer says until when it holds. Unlocking
 * a sale this terminal does not hold (its lease passed, or nobody held it) changes nothing and
 * answers the sale as it is; another terminal's live lock is 409 SALE_LOCKED. */
static void lock_sale(sqlite3 *db, const struct sim_req *rq, const char *id, int lock,
                      struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, "SELECT id, pump, grade, volume_ml, price_fen, amount_fen, "
                             "status, locked_by FROM sales WHERE id = ?");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "NOT_FOUND", "no such sale");
        return;
    }
    const char *status = sim_col(st, 6), *by = sim_col(st, 7);
    if (!strcmp(status, "paid")) {
        sqlite3_finalize(st);
        sim_error(r, 409, "SALE_PAID", "this sale is paid already");
        return;
    }
    if (!strcmp(status, "locked") && strcmp(by, rq->terminal)) {
        sqlite3_finalize(st);
        sim_error(r, 409, "SALE_LOCKED", "another terminal is taking payment for this sale");
        return;
    }
    sqlite3_finalize(st);
    int64_t until = rq->now_ms + sim_lock_lease_ms;
    if (lock) {
        st = sim_q(db, "UPDATE sales SET status = 'locked', locked_by = ?, locked_until_ms = ? "
                   "WHERE id = ?");
        sqlite3_bind_text(st, 1, rq->terminal, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, until);
        sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    } else {
        st = sim_q(db, "UPDATE sales SET status = 'unpaid', locked_by = NULL, locked_until_ms = 0 "
                   "WHERE id = ? AND status = 'locked' AND locked_by = ?");
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    }
    sqlite3_step(st);
    sqlite3_finalize(st);
    st = sim_q(db, "SELECT id, pump, grade, volume_ml, price_fen, amount_fen, status, locked_by "
               "FROM sales WHERE id = ?");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_step(st);
    cJSON *sale = sale_json(st, rq->terminal);
    sqlite3_finalize(st);
    if (lock) {
        /* the kiosk renews at half the lease while the customer is still at it */
        cJSON_AddNumberToObject(sale, "lease_ms", (double)sim_lock_lease_ms);
        cJSON_AddNumberToObject(sale, "locked_until_ms", (double)until);
    }
    sim_ok(r, sale);
}

int sim_route_pumps(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *p = rq->path;
    if (!strcmp(rq->method, "GET") && !strcmp(p, "/v1/pumps")) {
        get_pumps(db, rq, r);
        return 1;
    }
    /* POST /v1/sales/{id}/lock|unlock */
    char id[72] = "";
    if (strcmp(rq->method, "POST") || sim_path_depth(p) != 4 || !sim_path_is(p, 1, "sales") ||
        sim_path_segment(p, 2, id, sizeof id))
        return 0;
    if (sim_path_is(p, 3, "lock"))
        lock_sale(db, rq, id, 1, r);
    else if (sim_path_is(p, 3, "unlock"))
        lock_sale(db, rq, id, 0, r);
    else
        return 0;
    return 1;
}
