/* Simulator administration of depot pickups (docs/backend-api.md): every pickup order with its
 * ticket and what was asked of it, for tests to check that an order got one ticket whatever
 * retries, restarts or kiosks asked; and the face service's busy knob. No ID number and no
 * name, not even masked. Unsigned, loopback only, like the rest of /v1/admin/. */
#include <string.h>

#include "depot.h"
#include "json.h"
#include "sim.h"

#define BUSY_MAX 1000000

/* GET /v1/admin/depot: {"orders":[{"order_id","code","status","ticket_no","issued_at",
 * "terminal","tickets_issued","ticket_calls","driver_checks","face_checks","face_matches"}]},
 * by order id; ticket_no, issued_at and terminal are "" until a ticket is issued. */
static void list(sqlite3 *db, struct sim_resp *r)
{
    cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "orders");
    sqlite3_stmt *st = sim_q(db, "SELECT order_id, code, status, ticket_no, issued_ms, terminal,"
                                 " tickets_issued, ticket_calls, driver_checks, face_checks,"
                                 " face_matches FROM depot_orders ORDER BY order_id");
    static const char *const counters[] = {"tickets_issued", "ticket_calls", "driver_checks",
                                           "face_checks", "face_matches"};
    while (sqlite3_step(st) == SQLITE_ROW) {
        char at[DEPOT_ISO_LEN] = "";
        if (sqlite3_column_int64(st, 4))
            depot_iso(sqlite3_column_int64(st, 4), at);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "order_id", sim_col(st, 0));
        cJSON_AddStringToObject(o, "code", sim_col(st, 1));
        cJSON_AddStringToObject(o, "status", sim_col(st, 2));
        cJSON_AddStringToObject(o, "ticket_no", sim_col(st, 3));
        cJSON_AddStringToObject(o, "issued_at", at);
        cJSON_AddStringToObject(o, "terminal", sim_col(st, 5));
        for (int i = 0; i < 5; i++)
            cJSON_AddNumberToObject(o, counters[i], sqlite3_column_int(st, 6 + i));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_finalize(st);
    sim_ok(r, out);
}

/* POST /v1/admin/depot/face {"busy": N}: the next N face checks answer 503 FACE_BUSY (0
 * clears it). Answers {"busy": N}. */
static void set_face(sqlite3 *db, const cJSON *body, struct sim_resp *r)
{
    int bad = 0;
    int64_t busy = sim_int_field(body, "busy", 1, 0, BUSY_MAX, r, &bad);
    if (bad)
        return;
    sqlite3_stmt *st = sim_q(db, "INSERT OR REPLACE INTO depot_settings VALUES (1, ?)");
    sqlite3_bind_int64(st, 1, busy);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok) {
        sim_error(r, 500, "INTERNAL", sqlite3_errmsg(db));
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "busy", (double)busy);
    sim_ok(r, o);
}

int sim_route_depot_admin(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    if (!strcmp(rq->method, "GET") && !strcmp(rq->path, "/v1/admin/depot"))
        list(db, r);
    else if (!strcmp(rq->method, "POST") && !strcmp(rq->path, "/v1/admin/depot/face"))
        set_face(db, rq->body, r);
    else
        return 0;
    return 1;
}
