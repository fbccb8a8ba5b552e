/* Journal upload (docs/backend-api.md): the kiosk's outbox records, kept once each; a sale
 * record can complete the order it names. */
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sim.h"

/* POST /v1/journal/records: kept once per terminal and record_id. A new "sale" record naming
 * an order and its payment completes that order if the kiosk could not (it was offline when
 * the customer paid): the same completion as POST /v1/orders/{id}/complete, which also gives
 * the order the record's txn_no and invoice_token if it has none. */
static void journal_upload(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const cJSON *recs = rq->body ? cJSON_GetObjectItemCaseSensitive(rq->body, "records") : NULL;
    if (!cJSON_IsArray(recs) || cJSON_GetArraySize(recs) > 500) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'records' must be an array of at most 500");
        return;
    }
    int accepted = 0, dup = 0, bad = 0;
    const cJSON *rec;
    /* all or nothing: check every record before keeping any */
    cJSON_ArrayForEach(rec, recs)
    {
        sim_str_field(rec, "record_id", 1, r, &bad);
        sim_str_field(rec, "kind", 1, r, &bad);
        if (bad)
            return;
    }
    cJSON_ArrayForEach(rec, recs)
    {
        const char *id = sim_str_field(rec, "record_id", 1, r, &bad);
        const char *kind = sim_str_field(rec, "kind", 1, r, &bad);
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(rec, "body");
        char *text = body ? cJSON_PrintUnformatted(body) : NULL;
        sqlite3_stmt *st = sim_q(db, "INSERT OR IGNORE INTO journal VALUES (?,?,?,?,?)");
        sqlite3_bind_text(st, 1, rq->terminal, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, text ? text : "null", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, rq->now_ms);
        sqlite3_step(st);
        sqlite3_finalize(st);
        free(text);
        if (!sqlite3_changes(db)) {
            dup++;
            continue;
        }
        accepted++;
        const cJSON *order = cJSON_GetObjectItemCaseSensitive(body, "order_id");
        const cJSON *otn = cJSON_GetObjectItemCaseSensitive(body, "out_trade_no");
        /* completes the order if it can; either way an order of this terminal lacking its
         * transaction number or invoice token takes the record's */
        if (!strcmp(kind, "sale") && cJSON_IsString(order))
            sim_order_complete(db, rq->terminal, order->valuestring,
                               cJSON_IsString(otn) ? otn->valuestring : "",
                               sim_jstr(body, "txn_no"), sim_jstr(body, "invoice_token"),
                               rq->now_ms, NULL);
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "accepted", accepted);
    cJSON_AddNumberToObject(out, "duplicates", dup);
    sim_ok(r, out);
}

int sim_route_journal(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    if (strcmp(rq->method, "POST") || strcmp(rq->path, "/v1/journal/records"))
        return 0;
    journal_upload(db, rq, r);
    return 1;
}
