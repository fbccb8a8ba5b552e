/* Shifts (docs/backend-api.md): an attendant's shift closed once, with its totals. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sim.h"

/* POST /v1/shifts/close: 409 SHIFT_CLOSED for a shift closed already. */
static void close_shift(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *id = sim_jstr(rq->body, "shift_id"), *who = sim_jstr(rq->body, "attendant");
    const cJSON *totals = cJSON_GetObjectItemCaseSensitive(rq->body, "totals");
    if (!id || !who || !cJSON_IsObject(totals)) {
        sim_error(r, 400, "INVALID_ARGUMENT", "shift_id, attendant and totals{} are required");
        return;
    }
    char *text = cJSON_PrintUnformatted(totals);
    sqlite3_stmt *st = sim_q(db, "INSERT OR IGNORE INTO shifts VALUES (?,?,?,?,?)");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, who, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, rq->now_ms);
    sqlite3_step(st);
    int fresh = sqlite3_changes(db);
    sqlite3_finalize(st);
    free(text);
    if (!fresh) {
        sim_error(r, 409, "SHIFT_CLOSED", "this shift is closed already");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "shift_id", id);
    cJSON_AddStringToObject(o, "status", "CLOSED");
    sim_ok(r, o);
}

int sim_route_shifts(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    if (strcmp(rq->method, "POST") || strcmp(rq->path, "/v1/shifts/close"))
        return 0;
    close_shift(db, rq, r);
    return 1;
}
