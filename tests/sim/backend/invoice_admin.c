/* Simulator administration of e-invoices (docs/backend-api.md): every invoice and request as
 * the backend keeps them (masked), the rules and stock, and the backend's phone page issuing
 * an invoice. Unsigned, loopback only, like the rest of /v1/admin/. */
#include <stdio.h>
#include <string.h>

#include "invoice.h"
#include "json.h"
#include "sim.h"

/* The sales of invoice `id`, in the order they were named. */
static cJSON *sales_of(sqlite3 *db, int64_t id)
{
    cJSON *arr = cJSON_CreateArray();
    sqlite3_stmt *st =
        sim_q(db, "SELECT txn_no FROM inv_sales WHERE invoice_id = ? ORDER BY rowid");
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddItemToArray(arr, cJSON_CreateString(sim_col(st, 0)));
    sqlite3_finalize(st);
    return arr;
}

/* GET /v1/admin/invoices: {"invoices":[...],"requests":[...]}, in the order they were made. */
static void list(sqlite3 *db, struct sim_resp *r)
{
    static const char *const text[] = {"invoice_no", "request_key", "terminal",      "status",
                                       "by",         "buyer_type",  "buyer_name",    "tax_id",
                                       "delivery",   "red_of",      "red_invoice_no"};
    static const char *const num[] = {"amount_fen", "tax_fen",    "total_fen",
                                      "sends",      "created_ms", "issued_ms"};
    cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "invoices");
    sqlite3_stmt *st =
        sim_q(db, "SELECT invoice_no, req_key, terminal, status, by_channel,"
                  " buyer_type, buyer_name, tax_id, delivery, red_of, red_invoice_no,"
                  " amount_fen, tax_fen, total_fen, sends, created_ms, issued_ms, id"
                  " FROM inv_invoices ORDER BY id");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        for (int i = 0; i < 11; i++)
            cJSON_AddStringToObject(o, text[i], sim_col(st, i));
        for (int i = 0; i < 6; i++)
            cJSON_AddNumberToObject(o, num[i], (double)sqlite3_column_int64(st, 11 + i));
        cJSON_AddItemToObject(o, "sales", sales_of(db, sqlite3_column_int64(st, 17)));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_finalize(st);
    arr = cJSON_AddArrayToObject(out, "requests");
    st = sim_q(db, "SELECT q.id, q.key, q.terminal, q.status, q.code, coalesce(i.invoice_no, '')"
                   " FROM inv_requests q LEFT JOIN inv_invoices i ON i.id = q.invoice_id"
                   " ORDER BY q.id");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        char id[24];
        snprintf(id, sizeof id, "IR%08lld", (long long)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(o, "request_id", id);
        cJSON_AddStringToObject(o, "key", sim_col(st, 1));
        cJSON_AddStringToObject(o, "terminal", sim_col(st, 2));
        cJSON_AddStringToObject(o, "status", sim_col(st, 3));
        cJSON_AddStringToObject(o, "code", sim_col(st, 4));
        cJSON_AddStringToObject(o, "invoice_no", sim_col(st, 5));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_finalize(st);
    sim_ok(r, out);
}

/* The settings and stock now. */
static cJSON *settings_json(sqlite3 *db)
{
    struct inv_settings s;
    inv_settings_get(db, &s);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "tax_delay_ms", (double)s.tax_delay_ms);
    cJSON_AddNumberToObject(o, "max_merge", (double)s.max_merge);
    cJSON_AddNumberToObject(o, "window_days", (double)s.window_days);
    cJSON_AddNumberToObject(o, "counter_over_fen", (double)s.counter_over_fen);
    cJSON_AddNumberToObject(o, "reissue_limit", (double)s.reissue_limit);
    cJSON *stock = cJSON_AddObjectToObject(o, "stock_ml");
    sqlite3_stmt *st = sim_q(db, "SELECT grade, stock_ml FROM inv_stock ORDER BY rowid");
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddNumberToObject(stock, sim_col(st, 0), (double)sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    return o;
}

/* POST /v1/admin/invoices/settings: any subset of the rules and of the stock per grade; all
 * or nothing. Answers them all, as GET does. */
static void settings(sqlite3 *db, const cJSON *b, struct sim_resp *r)
{
    static const struct {
        const char *name;
        int64_t min, max;
    } fields[] = {
        {"tax_delay_ms", 0, 86400000}, {"max_merge", 1, INV_MAX_SALES},
        {"window_days", 1, 3650},      {"counter_over_fen", 1, INV_MAX_FEN},
        {"reissue_limit", 0, 100},
    };
    int bad = 0;
    int64_t v[5];
    const cJSON *stock = cJSON_GetObjectItemCaseSensitive(b, "stock_ml"), *g;
    for (int i = 0; i < 5; i++)
        v[i] = sim_int_field(b, fields[i].name, 0, fields[i].min, fields[i].max, r, &bad);
    if (bad)
        return;
    if (stock && !cJSON_IsObject(stock)) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'stock_ml' must be an object");
        return;
    }
    cJSON_ArrayForEach(g, stock)
    {
        if (!inv_fuel_name(g->string)) {
            sim_error(r, 400, "INVALID_ARGUMENT", "stock_ml: grades are 92#, 95#, 98#, 0#");
            return;
        }
        sim_int_field(stock, g->string, 1, 0, INT64_C(1000000000000), r, &bad);
        if (bad)
            return;
    }
    for (int i = 0; i < 5; i++) {
        if (!cJSON_GetObjectItemCaseSensitive(b, fields[i].name))
            continue;
        char sql[96];
        snprintf(sql, sizeof sql, "UPDATE inv_settings SET %s = ? WHERE id = 1", fields[i].name);
        sqlite3_stmt *st = sim_q(db, sql);
        sqlite3_bind_int64(st, 1, v[i]);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    cJSON_ArrayForEach(g, stock)
    {
        sqlite3_stmt *st = sim_q(db, "INSERT OR REPLACE INTO inv_stock VALUES (?, ?)");
        sqlite3_bind_text(st, 1, g->string, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)g->valuedouble);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    sim_ok(r, settings_json(db));
}

/* POST /v1/admin/invoices/phone-page {"txn_no","buyer_name","phone","email"}: the customer
 * invoices the sale on the backend's phone page (the receipt's QR), as an individual: the
 * same rules as the kiosk's request, and the same answer. */
static void phone_page(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    int bad = 0;
    const char *txn = sim_str_field(rq->body, "txn_no", 1, r, &bad);
    const char *name = sim_str_field(rq->body, "buyer_name", 1, r, &bad);
    char delivery[INV_TEXT_MAX + 32];
    if (bad || inv_read_delivery(rq->body, 0, delivery, sizeof delivery, r) != 0)
        return;
    struct inv_buyer buyer = {"individual", name, "", "", "", "", ""};
    struct inv_ask ask = {.by = "phone", .terminal = "", .key = "", .now_ms = rq->now_ms};
    inv_issue(db, &ask, &txn, 1, &buyer, delivery, r);
}

int sim_route_invoice_admin(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *p = rq->path;
    int get = !strcmp(rq->method, "GET"), post = !strcmp(rq->method, "POST");
    if (get && !strcmp(p, "/v1/admin/invoices"))
        list(db, r);
    else if (get && !strcmp(p, "/v1/admin/invoices/settings"))
        sim_ok(r, settings_json(db));
    else if (post && !strcmp(p, "/v1/admin/invoices/settings"))
        settings(db, rq->body, r);
    else if (post && !strcmp(p, "/v1/admin/invoices/phone-page"))
        phone_page(db, rq, r);
    else
        return 0;
    return 1;
}
