/* The simulator's order, invoice, fuel card, depot pickup and shift routes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/core/codes.h"
#include "sim.h"

#define MAX_COUPONS 10 /* coupons in one order */

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

/* A discount of `off` capped so that the order still pays at least 1 fen. */
static int64_t capped(int64_t off, int64_t total)
{
    return off < total - 1 ? off : total > 1 ? total - 1 : 0;
}

/* The fields of POST /v1/orders beyond order_id, sale_ids and items: NULL if they are well
 * formed, else what is wrong. */
static const char *check_order_fields(const cJSON *b)
{
    const cJSON *member = cJSON_GetObjectItemCaseSensitive(b, "member_id");
    const cJSON *coupons = cJSON_GetObjectItemCaseSensitive(b, "coupon_ids");
    const cJSON *points = cJSON_GetObjectItemCaseSensitive(b, "points");
    if (member && !cJSON_IsNull(member) && !cJSON_IsString(member))
        return "field 'member_id' must be a string";
    if (points && !cJSON_IsNull(points) && jint(b, "points") < 0)
        return "field 'points' must be a whole number >= 0";
    if (!coupons || cJSON_IsNull(coupons))
        return NULL;
    if (!cJSON_IsArray(coupons) || cJSON_GetArraySize(coupons) > MAX_COUPONS)
        return "field 'coupon_ids' must be an array of at most 10 coupon ids";
    const cJSON *c, *d;
    cJSON_ArrayForEach(c, coupons)
    {
        if (!cJSON_IsString(c))
            return "field 'coupon_ids' must hold strings";
        for (d = coupons->child; d != c; d = d->next)
            if (!strcmp(d->valuestring, c->valuestring))
                return "field 'coupon_ids' names a coupon twice";
    }
    return NULL;
}

/* POST /v1/orders: prices a cart. Discounts are separate lines, applied in this order:
 * member fuel discount (gold 20 fen/L, silver 10 fen/L), coupons, points; none takes the
 * total below 1 fen. The answer is stored as the order's body: completion reads the member,
 * coupons and points from it. */
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
    const char *wrong = check_order_fields(b);
    if (wrong) {
        sim_error(r, 400, "INVALID_ARGUMENT", wrong);
        return;
    }
    sqlite3_stmt *st = sim_q(db, "SELECT 1 FROM orders WHERE id = ? AND status = 'COMPLETED'");
    sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
    int completed = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (completed) {
        sim_error(r, 409, "ORDER_COMPLETED", "this order is paid and completed already");
        return;
    }
    cJSON *out = cJSON_CreateObject(), *lines = cJSON_CreateArray(), *disc = cJSON_CreateArray();
    int64_t subtotal = 0, fuel_ml = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, sales)
    {
        st = sim_q(db, "SELECT grade, volume_ml, price_fen, amount_fen, status, locked_by "
                   "FROM sales WHERE id = ?");
        sqlite3_bind_text(st, 1, cJSON_IsString(it) ? it->valuestring : "", -1, SQLITE_STATIC);
        int ok = sqlite3_step(st) == SQLITE_ROW;
        if (!ok || !strcmp(sim_col(st, 4), "paid") ||
            (!strcmp(sim_col(st, 4), "locked") && strcmp(sim_col(st, 5), rq->terminal))) {
            sim_error(r, 409, ok ? "SALE_NOT_PAYABLE" : "NOT_FOUND",
                      ok ? "the sale is paid or held by another terminal" : "no such sale");
            sqlite3_finalize(st);
            goto fail;
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
        st = sim_q(db, "SELECT name_zh, name_en, price_fen FROM products WHERE barcode = ?");
        sqlite3_bind_text(st, 1, code ? code : "", -1, SQLITE_STATIC);
        if (qty < 1 || qty > 99 || sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            sim_error(r, 400, "INVALID_ARGUMENT", "each item needs a known barcode and qty 1..99");
            goto fail;
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
        goto fail;
    }
    int64_t total = subtotal, member_points = 0;
    const char *member = jstr(b, "member_id");
    if (member) {
        st = sim_q(db, "SELECT level, points FROM members WHERE id = ?");
        sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            sim_error(r, 404, "MEMBER_NOT_FOUND", "no such member");
            goto fail;
        }
        const char *level = sim_col(st, 0);
        int per_l = !strcmp(level, "gold") ? 20 : !strcmp(level, "silver") ? 10 : 0;
        int64_t off = capped((per_l * fuel_ml + 500) / 1000, total);
        if (off > 0) {
            add_line(disc, "member", "会员优惠", "Member discount", -off);
            total -= off;
        }
        member_points = sqlite3_column_int64(st, 1);
        sqlite3_finalize(st);
    }
    /* A coupon applies when unused, a bearer coupon or the member's, and the subtotal
     * reaches its minimum spend. */
    cJSON *applied = cJSON_CreateArray();
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(b, "coupon_ids"))
    {
        st = sim_q(db, "SELECT title_zh, title_en, off_fen, min_spend_fen FROM coupons "
                   "WHERE id = ? AND used = 0 AND (member_id IS NULL OR member_id = ?)");
        sqlite3_bind_text(st, 1, it->valuestring, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC); /* NULL: bearer coupons only */
        if (sqlite3_step(st) != SQLITE_ROW || subtotal < sqlite3_column_int64(st, 3)) {
            sqlite3_finalize(st);
            cJSON_Delete(applied);
            sim_error(r, 409, "COUPON_NOT_APPLICABLE",
                      "the coupon is used, not the member's, or the minimum spend is not met");
            goto fail;
        }
        int64_t off = capped(sqlite3_column_int64(st, 2), total);
        add_line(disc, "coupon", sim_col(st, 0), sim_col(st, 1), -off);
        cJSON_AddStringToObject(cJSON_GetArrayItem(disc, cJSON_GetArraySize(disc) - 1),
                                "coupon_id", it->valuestring);
        cJSON_AddItemToArray(applied, cJSON_CreateString(it->valuestring));
        total -= off;
        sqlite3_finalize(st);
    }
    /* Points pay at most P% of what is left, at N fen each, and leave at least 1 fen. */
    int64_t points_avail = 0, points_used = 0;
    if (member) {
        int64_t share = (total * sim_points_max_share / 100) / sim_point_value_fen;
        int64_t floor_cap = (total - 1) / sim_point_value_fen;
        points_avail = member_points < share ? member_points : share;
        if (points_avail > floor_cap)
            points_avail = floor_cap;
        if (points_avail < 0)
            points_avail = 0;
    }
    int64_t want = jint(b, "points");
    if (want > 0) {
        points_used = want < points_avail ? want : points_avail;
        if (points_used > 0) {
            add_line(disc, "points", "积分抵扣", "Points", -points_used * sim_point_value_fen);
            total -= points_used * sim_point_value_fen;
        }
    }
    cJSON_AddStringToObject(out, "order_id", order_id);
    if (member)
        cJSON_AddStringToObject(out, "member_id", member);
    else
        cJSON_AddNullToObject(out, "member_id");
    cJSON_AddItemToObject(out, "coupon_ids", applied);
    cJSON_AddItemToObject(out, "lines", lines);
    cJSON_AddItemToObject(out, "discounts", disc);
    cJSON_AddNumberToObject(out, "subtotal_fen", (double)subtotal);
    cJSON_AddNumberToObject(out, "points_available", (double)points_avail);
    cJSON_AddNumberToObject(out, "points_used", (double)points_used);
    /* 1 point per yuan paid, whatever a point is worth */
    cJSON_AddNumberToObject(out, "points_earned", (double)(member ? total / 100 : 0));
    cJSON_AddNumberToObject(out, "total_fen", (double)total);
    char *text = cJSON_PrintUnformatted(out);
    st = sim_q(db, "INSERT OR REPLACE INTO orders VALUES (?,?,?,?,'PRICED')");
    sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, total);
    sqlite3_step(st);
    sqlite3_finalize(st);
    free(text);
    sim_ok(r, out);
    return;
fail:
    cJSON_Delete(out);
    cJSON_Delete(lines);
    cJSON_Delete(disc);
}

/* What completion does, once: the sales become paid by `otn`, the coupons used, the points
 * used are deducted from the member and the points earned added. */
static void apply_completion(sqlite3 *db, const cJSON *order, const char *otn)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(order, "lines"))
    {
        if (!jstr(l, "sale_id"))
            continue;
        sqlite3_stmt *st = sim_q(db, "UPDATE sales SET status = 'paid', paid_by = ?, "
                                 "locked_by = NULL, locked_until_ms = 0 "
                                 "WHERE id = ? AND status != 'paid'");
        sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, jstr(l, "sale_id"), -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(order, "coupon_ids"))
    {
        sqlite3_stmt *st = sim_q(db, "UPDATE coupons SET used = 1 WHERE id = ?");
        sqlite3_bind_text(st, 1, cJSON_IsString(l) ? l->valuestring : "", -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_finalize(st);
    }
    const char *member = jstr(order, "member_id");
    int64_t used = jint(order, "points_used"), earned = jint(order, "points_earned");
    if (!member || used < 0 || earned < 0)
        return;
    /* Pricing reserves nothing: should another order have spent the points meanwhile, the
     * balance stops at 0 rather than going negative. */
    sqlite3_stmt *st = sim_q(db, "UPDATE members SET points = max(points - ?, 0) + ? WHERE id = ?");
    sqlite3_bind_int64(st, 1, used);
    sqlite3_bind_int64(st, 2, earned);
    sqlite3_bind_text(st, 3, member, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

enum sim_order_outcome sim_order_complete(sqlite3 *db, const char *terminal, const char *id,
                                          const char *otn, cJSON **order)
{
    sqlite3_stmt *st = sim_q(db, "SELECT o.body, o.total_fen, o.status, p.status, p.amount_fen, "
                             "p.order_id FROM orders o LEFT JOIN payments p "
                             "ON p.out_trade_no = ? WHERE o.id = ? AND o.terminal = ?");
    sqlite3_bind_text(st, 1, otn ? otn : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, terminal, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return SIM_ORDER_NOT_FOUND;
    }
    int done = !strcmp(sim_col(st, 2), "COMPLETED");
    if (!done && (strcmp(sim_col(st, 3), "PAID") || strcmp(sim_col(st, 5), id) ||
                  sqlite3_column_int64(st, 4) != sqlite3_column_int64(st, 1))) {
        sqlite3_finalize(st);
        return SIM_ORDER_NOT_PAID;
    }
    cJSON *body = cJSON_Parse(sim_col(st, 0));
    sqlite3_finalize(st);
    if (!done) {
        /* the status moves first, so however often this runs, the effects apply once */
        st = sim_q(db, "UPDATE orders SET status = 'COMPLETED' WHERE id = ? AND terminal = ? "
                   "AND status != 'COMPLETED'");
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, terminal, -1, SQLITE_STATIC);
        sqlite3_step(st);
        done = !sqlite3_changes(db);
        sqlite3_finalize(st);
        if (!done)
            apply_completion(db, body, otn);
    }
    if (order)
        *order = body;
    else
        cJSON_Delete(body);
    return done ? SIM_ORDER_WAS_DONE : SIM_ORDER_COMPLETED;
}

/* POST /v1/orders/{id}/complete {"out_trade_no"}: see sim_order_complete(). Repeating it
 * answers the same and changes nothing. */
static void complete_order(sqlite3 *db, const struct sim_req *rq, const char *id,
                           struct sim_resp *r)
{
    cJSON *order = NULL;
    switch (sim_order_complete(db, rq->terminal, id, jstr(rq->body, "out_trade_no"), &order)) {
    case SIM_ORDER_NOT_FOUND:
        sim_error(r, 404, "NOT_FOUND", "no such order");
        return;
    case SIM_ORDER_NOT_PAID:
        sim_error(r, 409, "NOT_PAID", "no PAID payment for this order's total");
        return;
    case SIM_ORDER_COMPLETED:
    case SIM_ORDER_WAS_DONE:
        break;
    }
    if (!order)
        order = cJSON_CreateObject();
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
