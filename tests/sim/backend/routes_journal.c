/* Journal upload (docs/backend-api.md): the kiosk's outbox records, kept once each; a sale
 * record can complete the order it names, a card_load record confirm a fuel card's load. */
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "json.h"
#include "sim.h"

/* A new card_load record {"card_no","load_id","tac"}: the load is confirmed as POST
 * /v1/cards/{no}/loads/{id}/confirm would (the kiosk's confirmation got no answer); a TAC
 * that does not verify flags the load, anything else leaves the record only kept. The
 * kiosk's journal keeps no run of 16 digits: its card number comes in groups of four. */
static void card_load_record(sqlite3 *db, const cJSON *body, int64_t now_ms)
{
    const char *grouped = sim_jstr(body, "card_no"), *load_id = sim_jstr(body, "load_id");
    char card_no[24];
    size_t n = 0;
    for (const char *p = grouped ? grouped : ""; *p && n + 1 < sizeof card_no; p++)
        if (*p != ' ')
            card_no[n++] = *p;
    card_no[n] = '\0';
    uint8_t tac[4];
    if (n && load_id && card_unhex(sim_jstr(body, "tac"), tac, sizeof tac) == 0)
        card_load_confirm(db, card_no, load_id, tac, now_ms, NULL);
}

/* POST /v1/journal/records: kept once per terminal and record_id. A new "sale" record naming
 * an order and its payment completes that order if the kiosk could not (it was offline when
 * the customer paid): the same completion as POST /v1/orders/{id}/complete, which also gives
 * the order the record's txn_no and invoice_token if it has none. A new "card_load" record
 * confirms the load it names. */
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
        else if (!strcmp(kind, "card_load"))
            card_load_record(db, body, rq->now_ms);
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
