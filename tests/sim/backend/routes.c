/* The simulator's routes (docs/backend-api.md). Every handler runs inside one database
 * transaction with the idempotency record of its request, under the server's lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk/core/codes.h"
#include "sim.h"

/* Special customer payment codes (last four digits), see docs/backend-api.md. */
#define CODE_USERPAYING_10S "9991"
#define CODE_USERPAYING_FOREVER "9992"
#define CODE_NOT_ENOUGH "9993"
#define CODE_NEVER_ANSWERS "9994"
#define USERPAYING_MS 10000

/* ---- helpers ---- */

static const char *str_field(const cJSON *o, const char *name, int required, struct sim_resp *r,
                             int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v || cJSON_IsNull(v)) {
        if (required && !*bad) {
            char m[96];
            snprintf(m, sizeof m, "field '%s' is required", name);
            sim_error(r, 400, "INVALID_ARGUMENT", m);
            *bad = 1;
        }
        return NULL;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) > 256) {
        if (!*bad) {
            char m[96];
            snprintf(m, sizeof m, "field '%s' must be a string", name);
            sim_error(r, 400, "INVALID_ARGUMENT", m);
            *bad = 1;
        }
        return NULL;
    }
    return v->valuestring;
}

static int64_t int_field(const cJSON *o, const char *name, int required, int64_t min,
                         int64_t max, struct sim_resp *r, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v || cJSON_IsNull(v)) {
        if (required && !*bad) {
            char m[96];
            snprintf(m, sizeof m, "field '%s' is required", name);
            sim_error(r, 400, "INVALID_ARGUMENT", m);
            *bad = 1;
        }
        return 0;
    }
    /* whole numbers only: money is integer fen */
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int64_t)v->valuedouble ||
        v->valuedouble < (double)min || v->valuedouble > (double)max) {
        if (!*bad) {
            char m[128];
            snprintf(m, sizeof m, "field '%s' must be a whole number in %lld..%lld", name,
                     (long long)min, (long long)max);
            sim_error(r, 400, "INVALID_ARGUMENT", m);
            *bad = 1;
        }
        return 0;
    }
    return (int64_t)v->valuedouble;
}

/* Matches "/v1/<a>/<id>/<b>" style paths: copies segment `idx` into out. */
static int segment(const char *path, int idx, char *out, size_t cap)
{
    const char *p = path;
    for (int i = 0; i <= idx; i++) {
        if (*p != '/')
            return -1;
        p++;
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (i == idx) {
            if (len == 0 || len >= cap)
                return -1;
            memcpy(out, p, len);
            out[len] = '\0';
            return 0;
        }
        p += len;
    }
    return -1;
}

static int nsegments(const char *path)
{
    int n = 0;
    for (; *path; path++)
        n += *path == '/';
    return n;
}

/* ---- pumps and sales ---- */

static cJSON *sale_json(sqlite3_stmt *st, const char *terminal)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "sale_id", sim_col(st, 0));
    cJSON_AddNumberToObject(s, "pump", sqlite3_column_int(st, 1));
    cJSON_AddStringToObject(s, "grade", sim_col(st, 2));
    cJSON_AddNumberToObject(s, "volume_ml", (double)sqlite3_column_int64(st, 3));
    cJSON_AddNumberToObject(s, "price_fen_per_l", (double)sqlite3_column_int64(st, 4));
    cJSON_AddNumberToObject(s, "amount_fen", (double)sqlite3_column_int64(st, 5));
    const char *status = sim_col(st, 6), *locked = sim_col(st, 7);
    if (!strcmp(status, "locked") && !strcmp(locked, terminal))
        status = "locked_by_you";
    cJSON_AddStringToObject(s, "status", status);
    return s;
}

static void get_pumps(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    cJSON *out = cJSON_CreateObject(), *pumps = cJSON_AddArrayToObject(out, "pumps");
    for (int p = 1; p <= 8; p++) {
        cJSON *pj = cJSON_CreateObject(), *sales = cJSON_CreateArray();
        cJSON_AddNumberToObject(pj, "pump", p);
        sqlite3_stmt *st = sim_q(db, "SELECT id, pump, grade, volume_ml, price_fen, amount_fen, "
                                 "status, locked_by FROM sales WHERE pump = ? AND status != 'paid' "
                                 "ORDER BY id");
        sqlite3_bind_int(st, 1, p);
        while (sqlite3_step(st) == SQLITE_ROW)
            cJSON_AddItemToArray(sales, sale_json(st, rq->terminal));
        sqlite3_finalize(st);
        cJSON_AddItemToObject(pj, "unpaid_sales", sales);
        cJSON_AddItemToArray(pumps, pj);
    }
    sim_ok(r, out);
}

/* Releases every lock whose lease has passed by `now`. Every route runs after it, so a lock
 * past its lease is no lock anywhere: pumps, locking, pricing, payments, admin records. */
static void expire_locks(sqlite3 *db, int64_t now)
{
    sqlite3_stmt *st = sim_q(db, "UPDATE sales SET status = 'unpaid', locked_by = NULL, "
                             "locked_until_ms = 0 "
                             "WHERE status = 'locked' AND locked_until_ms <= ?");
    sqlite3_bind_int64(st, 1, now);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

/* POST /v1/sales/{id}/lock and /unlock. A lock is a lease of sim_lock_lease_ms: locking again
 * (same terminal) renews it to now + lease, and the answer says until when it holds. Unlocking
 * a sale this terminal does not hold (its lease passed, or nobody held it) changes nothing and
 * answers the sale as it is; another terminal's live lock is 409 SALE_LOCKED. */
static void lock_sale(sqlite3 *db, const struct sim_req *rq, const char *id, int lock,
                      struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, "SELECT id, pump, grade, volume_ml, price_fen, amount_fen, status, "
                             "locked_by FROM sales WHERE id = ?");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "NOT_FOUND", "no such sale");
        return;
    }
    const char *status = sim_col(st, 6), *by = sim_col(st, 7);
    if (!strcmp(status, "paid")) {
        sqlite3_finalize(st);
        sim_error(r, 409, "SALE_PAID", "this sale is paid already");
        return;
    }
    if (!strcmp(status, "locked") && strcmp(by, rq->terminal)) {
        sqlite3_finalize(st);
        sim_error(r, 409, "SALE_LOCKED", "another terminal is taking payment for this sale");
        return;
    }
    sqlite3_finalize(st);
    int64_t until = rq->now_ms + sim_lock_lease_ms;
    if (lock) {
        st = sim_q(db, "UPDATE sales SET status = 'locked', locked_by = ?, locked_until_ms = ? "
                   "WHERE id = ?");
        sqlite3_bind_text(st, 1, rq->terminal, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, until);
        sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    } else {
        st = sim_q(db, "UPDATE sales SET status = 'unpaid', locked_by = NULL, locked_until_ms = 0 "
                   "WHERE id = ? AND status = 'locked' AND locked_by = ?");
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    }
    sqlite3_step(st);
    sqlite3_finalize(st);
    st = sim_q(db, "SELECT id, pump, grade, volume_ml, price_fen, amount_fen, status, locked_by "
               "FROM sales WHERE id = ?");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_step(st);
    cJSON *sale = sale_json(st, rq->terminal);
    sqlite3_finalize(st);
    if (lock) {
        /* the kiosk renews at half the lease while the customer is still at it */
        cJSON_AddNumberToObject(sale, "lease_ms", (double)sim_lock_lease_ms);
        cJSON_AddNumberToObject(sale, "locked_until_ms", (double)until);
    }
    sim_ok(r, sale);
}

/* ---- products and members ---- */

static void get_product(sqlite3 *db, const char *code, struct sim_resp *r)
{
    if (!code_ean_valid(code)) {
        sim_error(r, 400, "INVALID_BARCODE", "not an EAN-13/EAN-8 code with a valid check digit");
        return;
    }
    sqlite3_stmt *st = sim_q(db, "SELECT barcode, name_zh, name_en, price_fen FROM products "
                             "WHERE barcode = ?");
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "PRODUCT_NOT_FOUND", "no product with this barcode");
        return;
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "barcode", sim_col(st, 0));
    cJSON_AddStringToObject(p, "name_zh", sim_col(st, 1));
    cJSON_AddStringToObject(p, "name_en", sim_col(st, 2));
    cJSON_AddNumberToObject(p, "price_fen", (double)sqlite3_column_int64(st, 3));
    sqlite3_finalize(st);
    sim_ok(r, p);
}

/* A coupon as the kiosk sees it, from a row of (id, title_zh, title_en, off_fen,
 * min_spend_fen). */
static cJSON *coupon_json(sqlite3_stmt *st)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "coupon_id", sim_col(st, 0));
    cJSON_AddStringToObject(c, "title_zh", sim_col(st, 1));
    cJSON_AddStringToObject(c, "title_en", sim_col(st, 2));
    cJSON_AddNumberToObject(c, "off_fen", (double)sqlite3_column_int64(st, 3));
    cJSON_AddNumberToObject(c, "min_spend_fen", (double)sqlite3_column_int64(st, 4));
    return c;
}

static void get_member(sqlite3 *db, const char *by, const char *key, struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, !strcmp(by, "by-phone")
                                 ? "SELECT id, name, level, points, phone FROM members WHERE phone = ?"
                                 : "SELECT id, name, level, points, phone FROM members WHERE qr = ?");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "MEMBER_NOT_FOUND", "no member found");
        return;
    }
    char name[64], phone[32];
    mask_name(sim_col(st, 1), name, sizeof name);
    mask_phone(sim_col(st, 4), phone, sizeof phone);
    cJSON *m = cJSON_CreateObject();
    char id[32];
    snprintf(id, sizeof id, "%s", sim_col(st, 0));
    cJSON_AddStringToObject(m, "member_id", id);
    cJSON_AddStringToObject(m, "name_masked", name);
    cJSON_AddStringToObject(m, "phone_masked", phone);
    cJSON_AddStringToObject(m, "level", sim_col(st, 2));
    cJSON_AddNumberToObject(m, "points", (double)sqlite3_column_int64(st, 3));
    sqlite3_finalize(st);
    /* the points rule, so the kiosk can say what the points are worth */
    cJSON_AddNumberToObject(m, "point_value_fen", (double)sim_point_value_fen);
    cJSON_AddNumberToObject(m, "points_max_share_pct", sim_points_max_share);
    cJSON *cs = cJSON_AddArrayToObject(m, "coupons");
    st = sim_q(db, "SELECT id, title_zh, title_en, off_fen, min_spend_fen FROM coupons "
               "WHERE member_id = ? AND used = 0 ORDER BY id");
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddItemToArray(cs, coupon_json(st));
    sqlite3_finalize(st);
    sim_ok(r, m);
}

/* GET /v1/coupons/{qr}: a bearer coupon scanned from its QR code. */
static void get_coupon(sqlite3 *db, const char *qr, struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, "SELECT id, title_zh, title_en, off_fen, min_spend_fen, used "
                             "FROM coupons WHERE qr = ?");
    sqlite3_bind_text(st, 1, qr, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        sim_error(r, 404, "COUPON_NOT_FOUND", "no coupon with this code");
        return;
    }
    if (sqlite3_column_int(st, 5)) {
        sqlite3_finalize(st);
        sim_error(r, 409, "COUPON_USED", "this coupon has been used");
        return;
    }
    cJSON *c = coupon_json(st);
    sqlite3_finalize(st);
    sim_ok(r, c);
}

/* ---- payments ---- */

static cJSON *payment_json(sqlite3_stmt *st)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "out_trade_no", sim_col(st, 0));
    cJSON_AddStringToObject(p, "order_id", sim_col(st, 1));
    cJSON_AddNumberToObject(p, "amount_fen", (double)sqlite3_column_int64(st, 2));
    cJSON_AddStringToObject(p, "channel", sim_col(st, 3));
    cJSON_AddStringToObject(p, "mode", sim_col(st, 4));
    cJSON_AddStringToObject(p, "status", sim_col(st, 5));
    if (*sim_col(st, 6))
        cJSON_AddStringToObject(p, "reason", sim_col(st, 6));
    if (!strcmp(sim_col(st, 4), "native")) {
        char url[160];
        snprintf(url, sizeof url, "weixin://wxpay/bizpayurl?pr=%s", sim_col(st, 0));
        cJSON_AddStringToObject(p, "code_url", url);
    }
    return p;
}

/* Moves time-driven states on (USERPAYING -> PAID when the customer has confirmed). */
static void payment_tick(sqlite3 *db, const char *otn, int64_t now)
{
    sqlite3_stmt *st = sim_q(db, "UPDATE payments SET status = 'PAID' WHERE out_trade_no = ? AND "
                             "status IN ('USERPAYING','CREATED') AND confirm_at_ms > 0 AND "
                             "confirm_at_ms <= ?");
    sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

static void payment_get(sqlite3 *db, const char *otn, const char *terminal, struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, "SELECT out_trade_no, order_id, amount_fen, channel, mode, status, "
                             "reason FROM payments WHERE out_trade_no = ? AND "
                             "(terminal = ? OR ? IS NULL)");
    sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, terminal, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        sim_error(r, 404, "PAYMENT_NOT_FOUND", "no payment with this out_trade_no");
    else
        sim_ok(r, payment_json(st));
    sqlite3_finalize(st);
}

static void payment_create(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    int bad = 0;
    const cJSON *b = rq->body;
    if (!cJSON_IsObject(b)) {
        sim_error(r, 400, "INVALID_ARGUMENT", "a JSON object is required");
        return;
    }
    const char *otn = str_field(b, "out_trade_no", 1, r, &bad);
    const char *order = str_field(b, "order_id", 0, r, &bad);
    int64_t amount = int_field(b, "amount_fen", 1, 1, 100000000, r, &bad);
    const char *mode = str_field(b, "mode", 1, r, &bad);
    const char *channel = str_field(b, "channel", 0, r, &bad);
    const char *code = str_field(b, "auth_code", 0, r, &bad);
    if (bad)
        return;
    if (strlen(otn) < 6 || strlen(otn) > 32) {
        sim_error(r, 400, "INVALID_ARGUMENT", "out_trade_no must be 6..32 characters");
        return;
    }
    int micropay = !strcmp(mode, "micropay");
    if (!micropay && strcmp(mode, "native")) {
        sim_error(r, 400, "INVALID_ARGUMENT", "mode must be native or micropay");
        return;
    }
    char chan[16] = "";
    char masked[40] = "";
    if (micropay) {
        enum paycode_kind k = code ? code_paycode_kind(code) : PAYCODE_INVALID;
        if (k == PAYCODE_INVALID) {
            sim_error(r, 400, "INVALID_AUTH_CODE", "not a WeChat or Alipay payment code");
            return;
        }
        snprintf(chan, sizeof chan, "%s", k == PAYCODE_WECHAT ? "wechat" : "alipay");
        mask_code(code, masked, sizeof masked);
    } else {
        if (!channel || (strcmp(channel, "wechat") && strcmp(channel, "alipay") &&
                         strcmp(channel, "unionpay") && strcmp(channel, "ecny"))) {
            sim_error(r, 400, "INVALID_ARGUMENT", "channel must be wechat, alipay, unionpay or ecny");
            return;
        }
        snprintf(chan, sizeof chan, "%s", channel);
    }
    /* The same out_trade_no with other parameters is refused: it names one payment. */
    char params[200];
    snprintf(params, sizeof params, "%s|%lld|%s|%s|%s", order ? order : "", (long long)amount,
             mode, chan, masked);
    sqlite3_stmt *st = sim_q(db, "SELECT params_hash FROM payments WHERE out_trade_no = ?");
    sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        int same = !strcmp(sim_col(st, 0), params);
        sqlite3_finalize(st);
        if (!same) {
            sim_error(r, 409, "OUT_TRADE_NO_REUSED", "this out_trade_no names another payment");
            return;
        }
        payment_tick(db, otn, rq->now_ms);
        payment_get(db, otn, NULL, r);
        return;
    }
    sqlite3_finalize(st);
    /* A sale is paid once: refuse a payment for an order whose fuel sale another order has
     * a PAID payment for (a kiosk that crashed mid-payment and a customer who tried again). */
    st = sim_q(db, "SELECT 1 FROM orders o, json_each(o.body, '$.lines') l "
                   "JOIN payments p ON p.order_id = o.id AND p.status = 'PAID' "
                   "WHERE o.id <> ?1 AND json_extract(l.value, '$.sale_id') IN "
                   "(SELECT json_extract(l2.value, '$.sale_id') FROM orders o2, "
                   "json_each(o2.body, '$.lines') l2 WHERE o2.id = ?1)");
    sqlite3_bind_text(st, 1, order ? order : "", -1, SQLITE_STATIC);
    int taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (taken) {
        sim_error(r, 409, "SALE_PAID", "a sale in this order is paid already");
        return;
    }
    /* Nor may it be paid here while another terminal holds a live lock on it (the customer is
     * paying there). Expired leases were released before any route ran. */
    st = sim_q(db, "SELECT 1 FROM orders o, json_each(o.body, '$.lines') l "
                   "JOIN sales s ON s.id = json_extract(l.value, '$.sale_id') "
                   "WHERE o.id = ?1 AND s.status = 'locked' AND s.locked_by <> ?2 "
                   "AND s.locked_until_ms > ?3");
    sqlite3_bind_text(st, 1, order ? order : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, rq->now_ms);
    taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (taken) {
        sim_error(r, 409, "SALE_LOCKED",
                  "another terminal is taking payment for a sale in this order");
        return;
    }
    const char *status = "CREATED", *reason = "";
    int64_t confirm = 0;
    size_t cl = code ? strlen(code) : 0;
    const char *tail = cl >= 4 ? code + cl - 4 : "";
    if (micropay) {
        status = "PAID";
        if (!strcmp(tail, CODE_USERPAYING_10S)) {
            status = "USERPAYING";
            confirm = rq->now_ms + USERPAYING_MS;
        } else if (!strcmp(tail, CODE_USERPAYING_FOREVER)) {
            status = "USERPAYING";
        } else if (!strcmp(tail, CODE_NOT_ENOUGH)) {
            status = "CLOSED";
            reason = "NOTENOUGH";
        } else if (!strcmp(tail, CODE_NEVER_ANSWERS)) {
            r->hang_ms = 120000;
        }
    } else if (sim_auto_pay_ms > 0) {
        confirm = rq->now_ms + sim_auto_pay_ms; /* a customer will scan and pay */
    }
    st = sim_q(db, "INSERT INTO payments VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, order ? order : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, amount);
    sqlite3_bind_text(st, 5, chan, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, mode, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, masked, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, rq->now_ms);
    sqlite3_bind_int64(st, 11, confirm);
    sqlite3_bind_text(st, 12, params, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
    int hang = r->hang_ms;
    payment_get(db, otn, NULL, r);
    r->hang_ms = hang;
}

static void payment_cancel(sqlite3 *db, const struct sim_req *rq, const char *otn,
                           struct sim_resp *r)
{
    if (strlen(otn) < 6 || strlen(otn) > 32) {
        sim_error(r, 400, "INVALID_ARGUMENT", "out_trade_no must be 6..32 characters");
        return;
    }
    /* A number the payment system never saw is closed for good: a create that arrives late
     * with it is refused, so nothing can be charged after the kiosk gave up on it. */
    sqlite3_stmt *st = sim_q(db, "INSERT OR IGNORE INTO payments (out_trade_no, terminal,"
                             " order_id, amount_fen, channel, mode, status, code_masked, reason,"
                             " created_ms, confirm_at_ms, params_hash)"
                             " VALUES (?, ?, '', 0, '', '', 'CLOSED', '', 'CANCELLED_UNSEEN', ?, 0, '')");
    sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, rq->now_ms);
    sqlite3_step(st);
    sqlite3_finalize(st);
    payment_tick(db, otn, rq->now_ms);
    /* Never reverse twice: PAID -> REVERSED once; anything not paid closes. */
    st = sim_q(db, "UPDATE payments SET status = CASE status "
                             "WHEN 'PAID' THEN 'REVERSED' WHEN 'CREATED' THEN 'CLOSED' "
                             "WHEN 'USERPAYING' THEN 'CLOSED' ELSE status END "
                             "WHERE out_trade_no = ? AND terminal = ?");
    sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
    payment_get(db, otn, rq->terminal, r);
}

/* ---- journal upload, heartbeat ---- */

/* POST /v1/journal/records: kept once per terminal and record_id. A new "sale" record naming
 * an order and its payment completes that order if the kiosk could not (it was offline when
 * the customer paid): the same completion as POST /v1/orders/{id}/complete. */
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
        str_field(rec, "record_id", 1, r, &bad);
        str_field(rec, "kind", 1, r, &bad);
        if (bad)
            return;
    }
    cJSON_ArrayForEach(rec, recs)
    {
        const char *id = str_field(rec, "record_id", 1, r, &bad);
        const char *kind = str_field(rec, "kind", 1, r, &bad);
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
        if (!strcmp(kind, "sale") && cJSON_IsString(order) && cJSON_IsString(otn))
            sim_order_complete(db, rq->terminal, order->valuestring, otn->valuestring, NULL);
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "accepted", accepted);
    cJSON_AddNumberToObject(out, "duplicates", dup);
    sim_ok(r, out);
}

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

static void admin_journal(sqlite3 *db, struct sim_resp *r)
{
    cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "records");
    sqlite3_stmt *st = sim_q(db, "SELECT terminal, record_id, kind FROM journal ORDER BY rowid");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "terminal", sim_col(st, 0));
        cJSON_AddStringToObject(o, "record_id", sim_col(st, 1));
        cJSON_AddStringToObject(o, "kind", sim_col(st, 2));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_finalize(st);
    sim_ok(r, out);
}

static void admin_pay(sqlite3 *db, const char *otn, struct sim_resp *r)
{
    /* The customer scans the native QR and pays. */
    sqlite3_stmt *st = sim_q(db, "UPDATE payments SET status = 'PAID' WHERE out_trade_no = ? AND "
                             "status IN ('CREATED','USERPAYING')");
    sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
    payment_get(db, otn, NULL, r);
}

void sim_route(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *m = rq->method, *p = rq->path;
    int n = nsegments(p);
    char a[40] = "", id[72] = "", c[40] = "";
    segment(p, 1, a, sizeof a);
    int has_id = segment(p, 2, id, sizeof id) == 0;
    segment(p, 3, c, sizeof c);
    int get = !strcmp(m, "GET"), post = !strcmp(m, "POST");

    expire_locks(db, rq->now_ms);
    if (get && !strcmp(p, "/v1/pumps"))
        get_pumps(db, rq, r);
    else if (post && n == 4 && !strcmp(a, "sales") && has_id && !strcmp(c, "lock"))
        lock_sale(db, rq, id, 1, r);
    else if (post && n == 4 && !strcmp(a, "sales") && has_id && !strcmp(c, "unlock"))
        lock_sale(db, rq, id, 0, r);
    else if (get && n == 3 && !strcmp(a, "products") && has_id)
        get_product(db, id, r);
    else if (get && n == 4 && !strcmp(a, "members") && has_id &&
             (!strcmp(id, "by-phone") || !strcmp(id, "by-qr")))
        get_member(db, id, c, r);
    else if (get && n == 3 && !strcmp(a, "coupons") && has_id)
        get_coupon(db, id, r);
    else if (post && !strcmp(p, "/v1/payments"))
        payment_create(db, rq, r);
    else if (get && n == 3 && !strcmp(a, "payments") && has_id) {
        payment_tick(db, id, rq->now_ms);
        payment_get(db, id, rq->terminal, r);
    } else if (post && n == 4 && !strcmp(a, "payments") && has_id && !strcmp(c, "cancel"))
        payment_cancel(db, rq, id, r);
    else if (post && !strcmp(p, "/v1/journal/records"))
        journal_upload(db, rq, r);
    else if (post && !strcmp(p, "/v1/terminals/heartbeat"))
        heartbeat(db, rq, r);
    else if (get && !strcmp(p, "/v1/admin/journal"))
        admin_journal(db, r);
    else if (post && n == 5 && !strncmp(p, "/v1/admin/payments/", 19) && !strcmp(p + strlen(p) - 4, "/pay")) {
        char otn[72];
        segment(p, 3, otn, sizeof otn);
        admin_pay(db, otn, r);
    } else if (get && n == 4 && !strncmp(p, "/v1/admin/payments/", 19)) {
        char otn[72];
        segment(p, 3, otn, sizeof otn);
        payment_get(db, otn, NULL, r);
    } else if (!sim_route_more(db, rq, r) && !sim_route_admin(db, rq, r))
        sim_error(r, 404, "NOT_FOUND", "no such route");
}
