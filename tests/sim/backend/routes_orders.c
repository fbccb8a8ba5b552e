/* Orders (docs/backend-api.md): pricing a cart with its discount lines or a fuel card's
 * recharge, and completing a paid order (sim_order_complete(), which a sale journal record
 * uses too) with the transaction number and invoice token the sale is invoiced by. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "json.h"
#include "sim.h"

#define MAX_COUPONS 10 /* coupons in one order */

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
    if (points && !cJSON_IsNull(points) && sim_jint(b, "points") < 0)
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

/* Keeps the priced order `out` (ownership taken) as order `id` of `terminal` and answers
 * it. */
static void keep_order(sqlite3 *db, const char *terminal, const char *id, cJSON *out,
                       struct sim_resp *r)
{
    char *text = cJSON_PrintUnformatted(out);
    sqlite3_stmt *st = sim_q(db, "INSERT OR REPLACE INTO orders (id, terminal, body, total_fen,"
                                 " status) VALUES (?,?,?,?,'PRICED')");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(out, "total_fen");
    sqlite3_bind_int64(st, 4, (int64_t)cJSON_GetNumberValue(total));
    sqlite3_step(st);
    sqlite3_finalize(st);
    free(text);
    sim_ok(r, out);
}

/* POST /v1/orders with "recharge": {"card_no","amount_fen"}: one recharge line for the fuel
 * card, no sales, items, member, coupons or points (any of them is 400 INVALID_ARGUMENT),
 * after the card's checks (404 CARD_NOT_FOUND, 409 CARD_BLOCKED, CARD_EXPIRED,
 * RECHARGE_LIMIT). Completing the paid order credits the card (card_recharge_credit()). */
static void price_recharge(sqlite3 *db, const struct sim_req *rq, const char *order_id,
                           const cJSON *recharge, struct sim_resp *r)
{
    const cJSON *b = rq->body;
    const cJSON *member = cJSON_GetObjectItemCaseSensitive(b, "member_id");
    int bad = 0;
    const char *card_no = sim_str_field(recharge, "card_no", 1, r, &bad);
    int64_t amount = sim_int_field(recharge, "amount_fen", 1, 1, CARD_MAX_FEN, r, &bad);
    if (bad)
        return;
    if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "sale_ids")) ||
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "items")) ||
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "coupon_ids")) ||
        (member && !cJSON_IsNull(member)) || sim_jint(b, "points") > 0) {
        sim_error(r, 400, "INVALID_ARGUMENT",
                  "a recharge is an order of its own: no sales, items, member, coupons or points");
        return;
    }
    if (card_recharge_check(db, card_no, amount, rq->now_ms, r) != 0)
        return;
    char masked[40];
    card_mask(card_no, masked, sizeof masked);
    cJSON *out = cJSON_CreateObject(), *line = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "order_id", order_id);
    cJSON_AddNullToObject(out, "member_id");
    cJSON_AddArrayToObject(out, "coupon_ids");
    cJSON_AddStringToObject(line, "kind", "recharge");
    cJSON_AddStringToObject(line, "card_no_masked", masked);
    cJSON_AddNumberToObject(line, "amount_fen", (double)amount);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(out, "lines"), line);
    cJSON_AddArrayToObject(out, "discounts");
    cJSON_AddNumberToObject(out, "subtotal_fen", (double)amount);
    cJSON_AddNumberToObject(out, "points_available", 0);
    cJSON_AddNumberToObject(out, "points_used", 0);
    cJSON_AddNumberToObject(out, "points_earned", 0);
    cJSON_AddNumberToObject(out, "total_fen", (double)amount);
    card_recharge_keep(db, order_id, card_no, amount);
    keep_order(db, rq->terminal, order_id, out, r);
}

/* POST /v1/orders: prices a cart. Discounts are separate lines, applied in this order:
 * member fuel discount (gold 20 fen/L, silver 10 fen/L), coupons, points; none takes the
 * total below 1 fen. The answer is stored as the order's body: completion reads the member,
 * coupons and points from it. */
static void price_order(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const cJSON *b = rq->body;
    const char *order_id = sim_jstr(b, "order_id");
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
    const cJSON *recharge = cJSON_GetObjectItemCaseSensitive(b, "recharge");
    if (recharge && !cJSON_IsNull(recharge)) {
        if (!cJSON_IsObject(recharge))
            sim_error(r, 400, "INVALID_ARGUMENT", "field 'recharge' must be an object");
        else
            price_recharge(db, rq, order_id, recharge, r);
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
        const char *code = sim_jstr(it, "barcode");
        int64_t qty = sim_jint(it, "qty");
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
    const char *member = sim_jstr(b, "member_id");
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
    int64_t want = sim_jint(b, "points");
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
    card_recharge_keep(db, order_id, NULL, 0); /* priced again as a cart: no recharge */
    keep_order(db, rq->terminal, order_id, out, r);
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
        if (!sim_jstr(l, "sale_id"))
            continue;
        sqlite3_stmt *st = sim_q(db, "UPDATE sales SET status = 'paid', paid_by = ?, "
                                 "locked_by = NULL, locked_until_ms = 0 "
                                 "WHERE id = ? AND status != 'paid'");
        sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sim_jstr(l, "sale_id"), -1, SQLITE_STATIC);
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
    const char *member = sim_jstr(order, "member_id");
    int64_t used = sim_jint(order, "points_used"), earned = sim_jint(order, "points_earned");
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

/* The order's transaction number and invoice token, where it has none yet (the first to name
 * them wins: a journal record repeating them changes nothing). */
static void keep_invoice_refs(sqlite3 *db, const char *terminal, const char *id,
                              const char *txn_no, const char *token)
{
    sqlite3_stmt *st =
        sim_q(db, "UPDATE orders SET "
                  "txn_no = CASE WHEN coalesce(txn_no, '') = '' THEN ?1 ELSE txn_no END, "
                  "invoice_token = CASE WHEN coalesce(invoice_token, '') = '' THEN ?2 "
                  "ELSE invoice_token END WHERE id = ?3 AND terminal = ?4");
    sqlite3_bind_text(st, 1, txn_no ? txn_no : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, token ? token : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, terminal, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

enum sim_order_outcome sim_order_complete(sqlite3 *db, const char *terminal, const char *id,
                                          const char *otn, const char *txn_no,
                                          const char *token, int64_t now_ms, cJSON **order)
{
    if ((txn_no && *txn_no) || (token && *token))
        keep_invoice_refs(db, terminal, id, txn_no, token);
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
        st = sim_q(db, "UPDATE orders SET status = 'COMPLETED', completed_ms = ? "
                   "WHERE id = ? AND terminal = ? AND status != 'COMPLETED'");
        sqlite3_bind_int64(st, 1, now_ms);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, terminal, -1, SQLITE_STATIC);
        sqlite3_step(st);
        done = !sqlite3_changes(db);
        sqlite3_finalize(st);
        if (!done) {
            apply_completion(db, body, otn);
            /* a fuel card's recharge order credits the card's account */
            card_recharge_credit(db, id, terminal, now_ms);
        }
    }
    if (order)
        *order = body;
    else
        cJSON_Delete(body);
    return done ? SIM_ORDER_WAS_DONE : SIM_ORDER_COMPLETED;
}

/* POST /v1/orders/{id}/complete {"out_trade_no","txn_no","invoice_token"} (the last two
 * optional): see sim_order_complete(). Repeating it answers the same and changes nothing. */
static void complete_order(sqlite3 *db, const struct sim_req *rq, const char *id,
                           struct sim_resp *r)
{
    cJSON *order = NULL;
    int bad = 0;
    const char *txn = sim_str_field(rq->body, "txn_no", 0, r, &bad);
    const char *token = sim_str_field(rq->body, "invoice_token", 0, r, &bad);
    if (bad)
        return;
    switch (sim_order_complete(db, rq->terminal, id, sim_jstr(rq->body, "out_trade_no"), txn,
                               token, rq->now_ms, &order)) {
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

int sim_route_orders(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *p = rq->path;
    char id[72] = "";
    if (strcmp(rq->method, "POST"))
        return 0;
    if (!strcmp(p, "/v1/orders"))
        price_order(db, rq, r);
    else if (!strncmp(p, "/v1/orders/", 11) && !sim_path_segment(p, 2, id, sizeof id) &&
             sim_path_is(p, 3, "complete"))
        complete_order(db, rq, id, r); /* /v1/orders/{id}/complete */
    else
        return 0;
    return 1;
}
