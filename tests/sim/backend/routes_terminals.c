/* Terminal heartbeat (docs/backend-api.md): each terminal's last state (its printer's
 * included), for the station's staff. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* POST /v1/terminals/heartbeat: keeps the body as the terminal's last state. */
static void heartbeat(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    char *text = rq->body ? cJSON_PrintUnformatted(rq->body) : NULL;
    sqlite3_stmt *st = sim_q(db, "INSERT OR REPLACE INTO heartbeats VALUES (?,?,?)");
    sqlite3_bind_text(st, 1, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, rq->now_ms);
    sqlite3_bind_text(st, 3, text ? text : "{}", -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
    free(text);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "server_time_ms", (double)rq->now_ms);
    sim_ok(r, out);
}

int sim_route_terminals(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    if (strcmp(rq->method, "POST") || strcmp(rq->path, "/v1/terminals/heartbeat"))
        return 0;
    heartbeat(db, rq, r);
    return 1;
}
