/* Depot pickups (docs/backend-api.md): a pickup order by its code, the driver's identity check
 * (a hash of the ID number and a face score) and the loading ticket, issued once. */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "sim.h"

/* Look up (op NULL), verify identity (hash of the ID number + face score), ticket once. */
static void pickups(sqlite3 *db, const struct sim_req *rq, const char *code, const char *op,
                    struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, "SELECT product, volume_ml, plate, id_hash, verified, ticket_no "
                             "FROM pickups WHERE code = ?");
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "PICKUP_NOT_FOUND", "no pickup order with this code");
        return;
    }
    char hash[80], ticket[80];
    snprintf(hash, sizeof hash, "%s", sim_col(st, 3));
    snprintf(ticket, sizeof ticket, "%s", sim_col(st, 5));
    int verified = sqlite3_column_int(st, 4);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", code);
    cJSON_AddStringToObject(o, "product", sim_col(st, 0));
    cJSON_AddNumberToObject(o, "volume_ml", (double)sqlite3_column_int64(st, 1));
    cJSON_AddStringToObject(o, "plate", sim_col(st, 2));
    sqlite3_finalize(st);
    if (op && !strcmp(op, "verify")) {
        const char *h = sim_jstr(rq->body, "id_hash");
        int64_t score = sim_jint(rq->body, "face_score");
        if (!h || strcmp(h, hash) || score < 80) {
            cJSON_Delete(o);
            sim_error(r, 403, "IDENTITY_MISMATCH",
                      "the ID card or the face does not match the order");
            return;
        }
        st = sim_q(db, "UPDATE pickups SET verified = 1 WHERE code = ?");
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
        verified = 1;
    } else if (op && !strcmp(op, "ticket")) {
        if (ticket[0]) {
            cJSON_Delete(o);
            sim_error(r, 409, "TICKET_ALREADY_ISSUED", "the loading ticket was issued already");
            return;
        }
        if (!verified) {
            cJSON_Delete(o);
            sim_error(r, 409, "NOT_VERIFIED", "identity not verified");
            return;
        }
        snprintf(ticket, sizeof ticket, "LT-%s", code + 2);
        st = sim_q(db, "UPDATE pickups SET ticket_no = ? WHERE code = ?");
        sqlite3_bind_text(st, 1, ticket, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
    } else if (op) {
        cJSON_Delete(o);
        sim_error(r, 404, "NOT_FOUND", "no such route");
        return;
    }
    cJSON_AddBoolToObject(o, "verified", verified);
    if (ticket[0])
        cJSON_AddStringToObject(o, "ticket_no", ticket);
    sim_ok(r, o);
}

int sim_route_pickups(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *p = rq->path;
    char code[72] = "", op[40] = "";
    if (strncmp(p, "/v1/pickups/", 12) || !sim_path_has(p, 2))
        return 0;
    /* A code too long for any pickup stays "" (not found), and nothing after it is read. */
    int fits = !sim_path_segment(p, 2, code, sizeof code);
    int has_op = fits && sim_path_has(p, 3);
    if (has_op)
        sim_path_segment(p, 3, op, sizeof op); /* stays "" when too long: no such operation */
    /* GET /v1/pickups/{code}; POST /v1/pickups/{code}[/verify|/ticket], where pickups()
     * answers any other operation 404 after looking the code up; what follows the operation
     * is not looked at */
    if (!strcmp(rq->method, "POST") || (!strcmp(rq->method, "GET") && !has_op))
        pickups(db, rq, code, has_op ? op : NULL, r);
    else
        return 0;
    return 1;
}
