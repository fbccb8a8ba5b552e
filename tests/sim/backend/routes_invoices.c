/* E-invoices (数电发票, docs/backend-api.md): a sale's invoice lines, the taxpayer directory,
 * invoice-title QRs, issuing one invoice for one or more sales, what became of a request,
 * sending again and correcting a title. The rules and records are invoice_store.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invoice.h"
#include "json.h"
#include "sim.h"

#define TITLE_QR_PREFIX "https://wx.example/invoice-title/"

static cJSON *rules_json(const struct inv_settings *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "max_merge", (double)s->max_merge);
    cJSON_AddNumberToObject(o, "window_days", (double)s->window_days);
    cJSON_AddBoolToObject(o, "fuel_same_month", 1);
    cJSON_AddNumberToObject(o, "counter_over_fen", (double)s->counter_over_fen);
    cJSON_AddNumberToObject(o, "reissue_limit", (double)s->reissue_limit);
    return o;
}

/* GET /v1/invoices/sales/{ref}: the sale's invoice lines, what is excluded, the sums, the
 * invoice it is on (if any) and the rules. A sale on an invoice is answered whatever its
 * age. */
static void sale_lines(sqlite3 *db, const struct sim_req *rq, const char *ref, struct sim_resp *r)
{
    struct inv_sale s;
    struct inv_settings set;
    struct inv_bill *bill = NULL;
    inv_settings_get(db, &set);
    if (!inv_sale_find(db, ref, &s)) {
        sim_error(r, 404, "SALE_NOT_FOUND", "no sale with this transaction number or token");
        return;
    }
    int64_t on = inv_current(db, s.txn_no);
    if (strcmp(s.station, INV_STATION)) {
        sim_error(r, 422, "OTHER_STATION", "the sale was made at another station");
    } else if (!s.completed) {
        sim_error(r, 422, "NOT_PAID", "the sale is not paid");
    } else if (!on && rq->now_ms - s.paid_ms > set.window_days * INV_DAY_MS) {
        sim_error(r, 422, "OUT_OF_WINDOW", "the sale was paid too long ago to invoice");
    } else if (!on && inv_sale_per_sale_card(&s, r)) {
        /* a recharge of a card invoiced per sale: refused in r */
    } else if (!(bill = malloc(sizeof *bill)) ||
               inv_bill_build(db, s.body, s.prepaid_invoiced_fen, bill) != 0) {
        sim_error(r, 500, "INTERNAL", "the sale's order cannot be read");
    } else if (!on && bill->total_fen <= 0) {
        sim_error(r, 422, "RECHARGE_INVOICED",
                  "paid with a fuel card whose recharge was invoiced: nothing left to invoice");
    } else {
        cJSON *o = cJSON_CreateObject(), *inv = on ? inv_invoice_json(db, on) : NULL;
        cJSON_AddStringToObject(o, "txn_no", s.txn_no);
        cJSON_AddStringToObject(o, "station", s.station);
        cJSON_AddNumberToObject(o, "paid_unix", (double)(s.paid_ms / 1000));
        cJSON_AddItemToObject(o, "lines", inv_lines_json(bill));
        cJSON_AddItemToObject(o, "excluded", inv_excluded_json(bill));
        cJSON_AddNumberToObject(o, "amount_fen", (double)bill->amount_fen);
        cJSON_AddNumberToObject(o, "tax_fen", (double)bill->tax_fen);
        cJSON_AddNumberToObject(o, "total_fen", (double)bill->total_fen);
        cJSON_AddItemToObject(o, "invoice", inv ? inv : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "rules", rules_json(&set));
        sim_ok(r, o);
    }
    free(bill);
    inv_sale_free(&s);
}

/* A party's columns (tax_id, name, address, phone, bank, account) of st from `first` on. */
static void add_party(cJSON *o, sqlite3_stmt *st, int first)
{
    static const char *const names[] = {"tax_id", "name", "address", "phone", "bank", "account"};
    for (int i = 0; i < 6; i++)
        cJSON_AddStringToObject(o, names[i], sim_col(st, first + i));
}

/* GET /v1/companies/{tax_id}: the taxpayer directory. */
static void company(sqlite3 *db, const char *tax_id, struct sim_resp *r)
{
    if (!inv_taxid_ok(tax_id)) {
        sim_error(r, 400, "INVALID_TAX_ID",
                  "not a taxpayer ID: 15..20 characters of the GB 32100 set, and an "
                  "18-character code needs its check character right");
        return;
    }
    sqlite3_stmt *st = sim_q(db, "SELECT tax_id, name, address, phone, bank, account "
                                 "FROM companies WHERE tax_id = ?");
    sqlite3_bind_text(st, 1, tax_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "COMPANY_NOT_FOUND", "no taxpayer with this ID in the directory");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    add_party(o, st, 0);
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* POST /v1/invoices/titles {"qr"}: a WeChat/Alipay invoice-title QR
 * (https://wx.example/invoice-title/<id>) resolved to a buyer. */
static void title(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *qr = sim_jstr(rq->body, "qr");
    size_t n = strlen(TITLE_QR_PREFIX);
    if (!qr || strncmp(qr, TITLE_QR_PREFIX, n) || !qr[n] || strlen(qr + n) > 32 ||
        strspn(qr + n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") !=
            strlen(qr + n)) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'qr' is not an invoice-title QR");
        return;
    }
    sqlite3_stmt *st = sim_q(db, "SELECT buyer_type, tax_id, name, address, phone, bank, account "
                                 "FROM inv_titles WHERE id = ?");
    sqlite3_bind_text(st, 1, qr + n, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "TITLE_NOT_FOUND", "no invoice title behind this QR");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "buyer_type", sim_col(st, 0));
    add_party(o, st, 1);
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* A 400 refusal of a request that carries a buyer: kept as what became of the request, but
 * not with its Idempotency-Key, so the corrected request can use the same key. */
static void refuse_argument(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(r->body, "error");
    char id[24];
    inv_request_record(db, rq->terminal, rq->idem_key, "REFUSED", sim_jstr(e, "code"), 0, id,
                       sizeof id);
    r->key_stays_free = 1;
}

/* The strings of field "sales" (1..INV_MAX_SALES of 1..64 bytes) into refs; their count, or
 * 0 with a 400 in r. */
static int read_sales(const cJSON *b, const char **refs, struct sim_resp *r)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(b, "sales"), *it;
    int n = 0;
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
        cJSON_GetArraySize(arr) > INV_MAX_SALES) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'sales' must be an array of 1..100 txn_no");
        return 0;
    }
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it) || !*it->valuestring || strlen(it->valuestring) > 64) {
            sim_error(r, 400, "INVALID_ARGUMENT", "field 'sales' must hold txn_no strings");
            return 0;
        }
        refs[n++] = it->valuestring;
    }
    return n;
}

/* 1 (with a 409 in r) when this terminal closed the request's key for good (POST
 * /v1/invoices/requests/{key}/close before the request arrived). */
static int key_closed(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, "SELECT 1 FROM inv_requests WHERE terminal = ? AND key = ?"
                                 " AND status = 'CLOSED'");
    sqlite3_bind_text(st, 1, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->idem_key, -1, SQLITE_STATIC);
    int closed = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (closed)
        sim_error(r, 409, "REQUEST_CLOSED",
                  "the kiosk gave this request up before it arrived: it is not issued");
    return closed;
}

/* POST /v1/invoices {"sales","buyer","delivery"}: one invoice for one or more sales. */
static void issue(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *refs[INV_MAX_SALES];
    if (key_closed(db, rq, r))
        return;
    struct inv_buyer buyer;
    char delivery[INV_TEXT_MAX + 32];
    int n = read_sales(rq->body, refs, r);
    if (!n || inv_read_buyer(cJSON_GetObjectItemCaseSensitive(rq->body, "buyer"), &buyer, r) != 0 ||
        inv_read_delivery(cJSON_GetObjectItemCaseSensitive(rq->body, "delivery"), 1, delivery,
                          sizeof delivery, r) != 0) {
        refuse_argument(db, rq, r);
        return;
    }
    struct inv_ask ask = {
        .by = "kiosk", .terminal = rq->terminal, .key = rq->idem_key, .now_ms = rq->now_ms};
    inv_issue(db, &ask, refs, n, &buyer, delivery, r);
    if (r->status == 400)
        r->key_stays_free = 1; /* kept as REFUSED by inv_issue() */
}

/* GET /v1/invoices/requests/{key}: what became of this terminal's request (or, when it has
 * none, another terminal's with the same key). POST .../close: the same, but a key this
 * terminal's request never came with is closed for good (CLOSED): a request that arrives
 * with it later is refused, so the kiosk may give it up. */
static void request_state(sqlite3 *db, const struct sim_req *rq, const char *key, int close,
                          struct sim_resp *r)
{
    char id[24], url[96];
    if (close) {
        sqlite3_stmt *q = sim_q(db, "SELECT 1 FROM inv_requests WHERE terminal = ? AND key = ?");
        sqlite3_bind_text(q, 1, rq->terminal, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
        int seen = sqlite3_step(q) == SQLITE_ROW;
        sqlite3_finalize(q);
        if (!seen)
            inv_request_record(db, rq->terminal, key, "CLOSED", "", 0, id, sizeof id);
    }
    sqlite3_stmt *st =
        sim_q(db, "SELECT q.id, q.status, q.code, i.status, i.invoice_no "
                  "FROM inv_requests q LEFT JOIN inv_invoices i ON i.id = q.invoice_id "
                  "WHERE q.key = ? ORDER BY q.terminal = ? DESC, q.id DESC LIMIT 1");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "NOT_FOUND", "the backend never saw this request");
        return;
    }
    snprintf(id, sizeof id, "IR%08lld", (long long)sqlite3_column_int64(st, 0));
    /* the invoice the request made: still PENDING, or issued (even if corrected since) */
    const char *status = !strcmp(sim_col(st, 1), "REFUSED")   ? "REFUSED"
                         : !strcmp(sim_col(st, 1), "CLOSED")  ? "CLOSED"
                         : !strcmp(sim_col(st, 3), "PENDING") ? "PENDING"
                                                              : "ISSUED";
    inv_download_url(sim_col(st, 4), url, sizeof url);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "request_id", id);
    cJSON_AddStringToObject(o, "status", status);
    cJSON_AddStringToObject(o, "invoice_no", sim_col(st, 4));
    cJSON_AddStringToObject(o, "download_url", url);
    cJSON_AddStringToObject(o, "code", sim_col(st, 2));
    sqlite3_finalize(st);
    sim_ok(r, o);
}

/* POST /v1/invoices/{no}/resend {"phone","email"}: the issued invoice sent again, to these
 * (masked and kept as its delivery) or, with neither, where it went before. */
static void resend(sqlite3 *db, const struct sim_req *rq, const char *no, struct sim_resp *r)
{
    char delivery[INV_TEXT_MAX + 32];
    if (inv_read_delivery(rq->body, 0, delivery, sizeof delivery, r) != 0) {
        r->key_stays_free = 1;
        return;
    }
    int64_t id = inv_find_issued(db, no, r);
    if (!id)
        return;
    sqlite3_stmt *st = sim_q(db, "UPDATE inv_invoices SET sends = sends + 1, delivery = "
                                 "CASE WHEN ?1 = '' THEN delivery ELSE ?1 END WHERE id = ?2");
    sqlite3_bind_text(st, 1, delivery, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_step(st);
    sqlite3_finalize(st);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "sent", 1);
    sim_ok(r, o);
}

/* POST /v1/invoices/{no}/reissue {"buyer","delivery"}: a title corrected (inv_reissue()). */
static void reissue(sqlite3 *db, const struct sim_req *rq, const char *no, struct sim_resp *r)
{
    struct inv_buyer buyer;
    char delivery[INV_TEXT_MAX + 32];
    if (key_closed(db, rq, r))
        return;
    if (inv_read_buyer(cJSON_GetObjectItemCaseSensitive(rq->body, "buyer"), &buyer, r) != 0 ||
        inv_read_delivery(cJSON_GetObjectItemCaseSensitive(rq->body, "delivery"), 0, delivery,
                          sizeof delivery, r) != 0) {
        refuse_argument(db, rq, r);
        return;
    }
    struct inv_ask ask = {
        .by = "kiosk", .terminal = rq->terminal, .key = rq->idem_key, .now_ms = rq->now_ms};
    inv_reissue(db, &ask, no, &buyer, delivery, r);
}

int sim_route_invoices(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *p = rq->path;
    int get = !strcmp(rq->method, "GET"), post = !strcmp(rq->method, "POST");
    int depth = sim_path_depth(p);
    char arg[96] = ""; /* too long for any sale, company or invoice: "" (not found) */
    if (get && depth == 3 && sim_path_is(p, 1, "companies") && sim_path_has(p, 2)) {
        sim_path_segment(p, 2, arg, sizeof arg);
        company(db, arg, r);
        return 1;
    }
    if (!sim_path_is(p, 1, "invoices"))
        return 0;
    if (post && depth == 2) {
        issue(db, rq, r);
    } else if (post && depth == 3 && sim_path_is(p, 2, "titles")) {
        title(db, rq, r);
    } else if (get && depth == 4 && sim_path_is(p, 2, "sales") && sim_path_has(p, 3)) {
        sim_path_segment(p, 3, arg, sizeof arg);
        sale_lines(db, rq, arg, r);
    } else if (get && depth == 4 && sim_path_is(p, 2, "requests") && sim_path_has(p, 3)) {
        sim_path_segment(p, 3, arg, sizeof arg);
        request_state(db, rq, arg, 0, r);
    } else if (post && depth == 5 && sim_path_is(p, 2, "requests") && sim_path_has(p, 3) &&
               sim_path_is(p, 4, "close")) {
        sim_path_segment(p, 3, arg, sizeof arg);
        request_state(db, rq, arg, 1, r);
    } else if (post && depth == 4 && sim_path_has(p, 2) && sim_path_is(p, 3, "resend")) {
        sim_path_segment(p, 2, arg, sizeof arg);
        resend(db, rq, arg, r);
    } else if (post && depth == 4 && sim_path_has(p, 2) && sim_path_is(p, 3, "reissue")) {
        sim_path_segment(p, 2, arg, sizeof arg);
        reissue(db, rq, arg, r);
    } else {
        return 0;
    }
    return 1;
}
