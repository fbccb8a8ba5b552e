/* The simulator's order, invoice, fuel card, depot pickup and shift routes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/core/codes.h"
#include "sim.h"

#define POINT_FEN 100        /* 1 point = ¥1 */
#define POINTS_MAX_SHARE 50  /* points pay at most half of an order */

static const char *jstr(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A whole number field, or -1 when absent or not a whole number >= 0. */
static int64_t jint(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e12 ||
        v->valuedouble != (double)(int64_t)v->valuedouble)
        return -1;
    return (int64_t)v->valuedouble;
}

static void add_line(cJSON *arr, const char *kind, const char *zh, const char *en, int64_t fen)
{
    cJSON *l = cJSON_CreateObject();
    cJSON_AddStringToObject(l, "kind", kind);
    cJSON_AddStringToObject(l, "label_zh", zh);
    cJSON_AddStringToObject(l, "label_en", en);
    cJSON_AddNumberToObject(l, "amount_fen", (double)fen);
    cJSON_AddItemToArray(arr, l);
}

/* POST /v1/orders: prices a cart. Discounts are separate lines, applied in this order:
 * member fuel discount (gold 20 fen/L, silver 10 fen/L), coupon, points. */
static void price_order(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const cJSON *b = rq->body;
    const char *order_id = jstr(b, "order_id");
    const cJSON *sales = cJSON_GetObjectItemCaseSensitive(b, "sale_ids");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(b, "items");
    if (!order_id || strlen(order_id) < 6 || strlen(order_id) > 40 ||
        (sales && !cJSON_IsArray(sales)) || (items && !cJSON_IsArray(items))) {
        sim_error(r, 400, "INVALID_ARGUMENT", "order_id (6..40), sale_ids[] and items[] expected");
        return;
    }
    cJSON *out = cJSON_CreateObject(), *lines = cJSON_CreateArray(), *disc = cJSON_CreateArray();
    int64_t subtotal = 0, fuel_ml = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, sales)
    {
        sqlite3_stmt *st = sim_q(db, "SELECT grade, volume_ml, price_fen, amount_fen, status, "
                                 "locked_by FROM sales WHERE id = ?");
        sqlite3_bind_text(st, 1, cJSON_IsString(it) ? it->valuestring : "", -1, SQLITE_STATIC);
        int ok = sqlite3_step(st) == SQLITE_ROW;
        if (!ok || !strcmp(sim_col(st, 4), "paid") ||
            (!strcmp(sim_col(st, 4), "locked") && strcmp(sim_col(st, 5), rq->terminal))) {
            sim_error(r, 409, ok ? "SALE_NOT_PAYABLE" : "NOT_FOUND",
                      ok ? "the sale is paid or held by another terminal" : "no such sale");
            sqlite3_finalize(st);
            cJSON_Delete(out);
            cJSON_Delete(lines);
            cJSON_Delete(disc);
            return;
        }
        char zh[64], en[64];
        snprintf(zh, sizeof zh, "%s 汽柴油", sim_col(st, 0));
        snprintf(en, sizeof en, "%s fuel", sim_col(st, 0));
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "kind", "fuel");
        cJSON_AddStringToObject(l, "sale_id", it->valuestring);
        cJSON_AddStringToObject(l, "grade", sim_col(st, 0));
        cJSON_AddNumberToObject(l, "volume_ml", (double)sqlite3_column_int64(st, 1));
        cJSON_AddNumberToObject(l, "price_fen_per_l", (double)sqlite3_column_int64(st, 2));
        cJSON_AddNumberToObject(l, "amount_fen", (double)sqlite3_column_int64(st, 3));
        cJSON_AddItemToArray(lines, l);
        subtotal += sqlite3_column_int64(st, 3);
        fuel_ml += sqlite3_column_int64(st, 1);
        sqlite3_finalize(st);
    }
    cJSON_ArrayForEach(it, items)
    {
        const char *code = jstr(it, "barcode");
        int64_t qty = jint(it, "qty");
        sqlite3_stmt *st = sim_q(db, "SELECT name_zh, name_en, price_fen FROM products WHERE barcode = ?");
        sqlite3_bind_text(st, 1, code ? code : "", -1, SQLITE_STATIC);
        if (qty < 1 || qty > 99 || sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            sim_error(r, 400, "INVALID_ARGUMENT", "each item needs a known barcode and qty 1..99");
            cJSON_Delete(out);
            cJSON_Delete(lines);
            cJSON_Delete(disc);
            return;
        }
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "kind", "item");
        cJSON_AddStringToObject(l, "barcode", code);
        cJSON_AddStringToObject(l, "name_zh", sim_col(st, 0));
        cJSON_AddStringToObject(l, "name_en", sim_col(st, 1));
        cJSON_AddNumberToObject(l, "qty", (double)qty);
        cJSON_AddNumberToObject(l, "unit_fen", (double)sqlite3_column_int64(st, 2));
        cJSON_AddNumberToObject(l, "amount_fen", (double)(qty * sqlite3_column_int64(st, 2)));
        cJSON_AddItemToArray(lines, l);
        subtotal += qty * sqlite3_column_int64(st, 2);
        sqlite3_finalize(st);
    }
    if (!cJSON_GetArraySize(lines)) {
        sim_error(r, 400, "EMPTY_ORDER", "an order needs a sale or an item");
        cJSON_Delete(out);
        cJSON_Delete(lines);
        cJSON_Delete(disc);
        return;
    }
    int64_t total = subtotal, points_avail = 0, points_used = 0;
    const char *member = jstr(b, "member_id");
    if (member) {
        sqlite3_stmt *st = sim_q(db, "SELECT level, points FROM members WHERE id = ?");
        sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            int per_l = !strcmp(sim_col(st, 0), "gold") ? 20 : !strcmp(sim_col(st, 0), "silver") ? 10 : 0;
            int64_t off = (per_l * fuel_ml + 500) / 1000;
            if (off > 0) {
                add_line(disc, "member", "会员优惠", "Member discount", -off);
                total -= off;
            }
            points_avail = sqlite3_column_int64(st, 1);
        }
        sqlite3_finalize(st);
    }
    const cJSON *coupons = cJSON_GetObjectItemCaseSensitive(b, "coupon_ids");
    cJSON_ArrayForEach(it, coupons)
    {
        sqlite3_stmt *st = sim_q(db, "SELECT title_zh, title_en, off_fen, min_spend_fen FROM coupons "
                                 "WHERE id = ? AND member_id = ? AND used = 0");
        sqlite3_bind_text(st, 1, cJSON_IsString(it) ? it->valuestring : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, member ? member : "", -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && subtotal >= sqlite3_column_int64(st, 3)) {
            int64_t off = sqlite3_column_int64(st, 2);
            if (off > total)
                off = total;
            add_line(disc, "coupon", sim_col(st, 0), sim_col(st, 1), -off);
            total -= off;
        } else {
            sqlite3_finalize(st);
            sim_error(r, 409, "COUPON_NOT_APPLICABLE",
                      "the coupon is used, not the member's, or the minimum spend is not met");
            cJSON_Delete(out);
            cJSON_Delete(lines);
            cJSON_Delete(disc);
            return;
        }
        sqlite3_finalize(st);
    }
    int64_t want = jint(b, "points");
    if (want > 0) {
        int64_t max_pts = (total * POINTS_MAX_SHARE / 100) / POINT_FEN;
        points_used = want < points_avail ? want : points_avail;
        if (points_used > max_pts)
            points_used = max_pts;
        if (points_used > 0) {
            add_line(disc, "points", "积分抵扣", "Points", -points_used * POINT_FEN);
            total -= points_used * POINT_FEN;
        }
    }
    cJSON_AddStringToObject(out, "order_id", order_id);
    cJSON_AddItemToObject(out, "lines", lines);
    cJSON_AddItemToObject(out, "discounts", disc);
    cJSON_AddNumberToObject(out, "subtotal_fen", (double)subtotal);
    cJSON_AddNumberToObject(out, "points_used", (double)points_used);
    cJSON_AddNumberToObject(out, "points_earned", (double)(member ? total / 100 : 0));
    cJSON_AddNumberToObject(out, "total_fen", (double)total);
    char *text = cJSON_PrintUnformatted(out);
    sqlite3_stmt *st = sim_q(db, "INSERT OR REPLACE INTO orders VALUES (?,?,?,?,'PRICED')");
    sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, total);
    sqlite3_step(st);
    sqlite3_finalize(st);
    free(text);
    sim_ok(r, out);
}

/* POST /v1/orders/{id}/complete {"out_trade_no"}: the payment is PAID for the total: the
 * sales become paid, coupons used, points moved. Exactly once. */
static void complete_order(sqlite3 *db, const struct sim_req *rq, const char *id,
                           struct sim_resp *r)
{
    const char *otn = jstr(rq->body, "out_trade_no");
    sqlite3_stmt *st = sim_q(db, "SELECT o.body, o.total_fen, o.status, p.status, p.amount_fen "
                             "FROM orders o LEFT JOIN payments p ON p.out_trade_no = ? "
                             "WHERE o.id = ? AND o.terminal = ?");
    sqlite3_bind_text(st, 1, otn ? otn : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, rq->terminal, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "NOT_FOUND", "no such order");
        return;
    }
    int done = !strcmp(sim_col(st, 2), "COMPLETED");
    if (!done && (strcmp(sim_col(st, 3), "PAID") || sqlite3_column_int64(st, 4) != sqlite3_column_int64(st, 1))) {
        sqlite3_finalize(st);
        sim_error(r, 409, "NOT_PAID", "no PAID payment for this order's total");
        return;
    }
    cJSON *order = cJSON_Parse(sim_col(st, 0));
    sqlite3_finalize(st);
    if (!done) {
        const cJSON *l;
        cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(order, "lines"))
        {
            const char *sale = jstr(l, "sale_id");
            if (!sale)
                continue;
            st = sim_q(db, "UPDATE sales SET status = 'paid', paid_by = ?, locked_by = NULL WHERE id = ?");
            sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, sale, -1, SQLITE_STATIC);
            sqlite3_step(st);
            sqlite3_finalize(st);
        }
        st = sim_q(db, "UPDATE orders SET status = 'COMPLETED' WHERE id = ?");
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    cJSON_AddStringToObject(order, "status", "COMPLETED");
    sim_ok(r, order);
}

/* POST /v1/invoices: an e-invoice for a transaction; buyer tax IDs are checked. */
static void issue_invoice(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const cJSON *b = rq->body;
    const char *txn = jstr(b, "txn_no"), *type = jstr(b, "buyer_type"), *name = jstr(b, "buyer_name");
    const char *tax = jstr(b, "tax_id"), *email = jstr(b, "email"), *phone = jstr(b, "phone");
    if (!txn || !type || !name || !*name || (strcmp(type, "individual") && strcmp(type, "organization"))) {
        sim_error(r, 400, "INVALID_ARGUMENT", "txn_no, buyer_type (individual|organization) and buyer_name are required");
        return;
    }
    if (!strcmp(type, "organization") && (!tax || !code_taxid_valid(tax))) {
        sim_error(r, 400, "INVALID_TAX_ID", "an organisation needs a valid taxpayer ID");
        return;
    }
    char id[40], url[160];
    snprintf(id, sizeof id, "INV-%s", txn);
    snprintf(url, sizeof url, "https://inv.example/d/%s", id);
    sqlite3_stmt *st = sim_q(db, "INSERT OR IGNORE INTO invoices VALUES (?,?,?,?,?,?,?, 'ISSUED')");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, txn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, tax ? tax : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, email ? email : phone ? phone : "", -1, SQLITE_STATIC);
    sqlite3_step(st);
    int fresh = sqlite3_changes(db);
    sqlite3_finalize(st);
    if (!fresh) {
        sim_error(r, 409, "ALREADY_INVOICED", "this transaction has an invoice already");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "invoice_id", id);
    cJSON_AddStringToObject(o, "status", "ISSUED");
    cJSON_AddStringToObject(o, "download_url", url);
    sim_ok(r, o);
}

static cJSON *card_json(sqlite3_stmt *st)
{
    cJSON *c = cJSON_CreateObject();
    char holder[64], no[40];
    mask_name(sim_col(st, 1), holder, sizeof holder);
    mask_code(sim_col(st, 0), no, sizeof no);
    cJSON_AddStringToObject(c, "card_no_masked", no);
    cJSON_AddStringToObject(c, "holder_masked", holder);
    cJSON_AddStringToObject(c, "kind", sim_col(st, 2));
    cJSON_AddNumberToObject(c, "account_fen", (double)sqlite3_column_int64(st, 4));
    cJSON_AddStringToObject(c, "status", sim_col(st, 5));
    return c;
}

/* Fuel cards: balance, online recharge (once per out_trade_no), allocation main -> sub. */
static void cards(sqlite3 *db, const struct sim_req *rq, const char *card, const char *op,
                  struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, "SELECT card_no, holder, kind, main_card, account_fen, status "
                             "FROM cards WHERE card_no = ?");
    sqlite3_bind_text(st, 1, card, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "CARD_NOT_FOUND", "no such fuel card");
        return;
    }
    int active = !strcmp(sim_col(st, 5), "active");
    if (!op) {
        sim_ok(r, card_json(st));
        sqlite3_finalize(st);
        return;
    }
    sqlite3_finalize(st);
    if (!active) {
        sim_error(r, 409, "CARD_BLOCKED", "the card is reported lost or blocked");
        return;
    }
    int64_t amount = jint(rq->body, "amount_fen");
    const char *opid = jstr(rq->body, "out_trade_no");
    const char *to = jstr(rq->body, "to_card");
    if (amount < 1 || !opid) {
        sim_error(r, 400, "INVALID_ARGUMENT", "amount_fen >= 1 and out_trade_no are required");
        return;
    }
    st = sim_q(db, "INSERT OR IGNORE INTO card_ops VALUES (?,?,?,?)");
    sqlite3_bind_text(st, 1, opid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, card, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, op, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, amount);
    sqlite3_step(st);
    int fresh = sqlite3_changes(db);
    sqlite3_finalize(st);
    if (fresh && !strcmp(op, "recharge")) {
        st = sim_q(db, "UPDATE cards SET account_fen = account_fen + ? WHERE card_no = ?");
        sqlite3_bind_int64(st, 1, amount);
        sqlite3_bind_text(st, 2, card, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
    } else if (fresh) { /* allocate */
        st = sim_q(db, "SELECT account_fen FROM cards WHERE card_no = ? AND kind = 'main'");
        sqlite3_bind_text(st, 1, card, -1, SQLITE_STATIC);
        int64_t have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        st = sim_q(db, "SELECT 1 FROM cards WHERE card_no = ? AND main_card = ?");
        sqlite3_bind_text(st, 1, to ? to : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, card, -1, SQLITE_STATIC);
        int sub = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        if (have < amount || !sub) {
            sim_error(r, 409, have < 0 ? "NOT_A_MAIN_CARD" : !sub ? "NOT_A_SUB_CARD" : "INSUFFICIENT_BALANCE",
                      "allocation needs a main card, one of its sub-cards and enough balance");
            sqlite3_exec(db, "DELETE FROM card_ops WHERE rowid = last_insert_rowid()", NULL, NULL, NULL);
            return;
        }
        sqlite3_exec(db, "SAVEPOINT a", NULL, NULL, NULL);
        st = sim_q(db, "UPDATE cards SET account_fen = account_fen - ?1 WHERE card_no = ?2");
        sqlite3_bind_int64(st, 1, amount);
        sqlite3_bind_text(st, 2, card, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
        st = sim_q(db, "UPDATE cards SET account_fen = account_fen + ?1 WHERE card_no = ?2");
        sqlite3_bind_int64(st, 1, amount);
        sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
        sqlite3_exec(db, "RELEASE a", NULL, NULL, NULL);
    }
    cards(db, rq, card, NULL, r);
}

/* Depot pickups: look up, verify identity (hash of the ID number + face score), ticket once. */
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
        const char *h = jstr(rq->body, "id_hash");
        int64_t score = jint(rq->body, "face_score");
        if (!h || strcmp(h, hash) || score < 80) {
            cJSON_Delete(o);
            sim_error(r, 403, "IDENTITY_MISMATCH", "the ID card or the face does not match the order");
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

static void close_shift(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *id = jstr(rq->body, "shift_id"), *who = jstr(rq->body, "attendant");
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

int sim_route_more(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *m = rq->method, *p = rq->path;
    char a[40] = "", id[72] = "", op[40] = "";
    if (sscanf(p, "/v1/%39[^/]/%71[^/]/%39[^/]", a, id, op) < 1)
        return 0;
    int get = !strcmp(m, "GET"), post = !strcmp(m, "POST");
    if (post && !strcmp(p, "/v1/orders"))
        price_order(db, rq, r);
    else if (post && !strcmp(a, "orders") && !strcmp(op, "complete"))
        complete_order(db, rq, id, r);
    else if (post && !strcmp(p, "/v1/invoices"))
        issue_invoice(db, rq, r);
    else if (!strcmp(a, "cards") && id[0] && ((get && !op[0]) ||
             (post && (!strcmp(op, "recharge") || !strcmp(op, "allocate")))))
        cards(db, rq, id, op[0] ? op : NULL, r);
    else if (!strcmp(a, "pickups") && id[0] && ((get && !op[0]) || post))
        pickups(db, rq, id, op[0] ? op : NULL, r);
    else if (post && !strcmp(p, "/v1/shifts/close"))
        close_shift(db, rq, r);
    else
        return 0;
    return 1;
}
