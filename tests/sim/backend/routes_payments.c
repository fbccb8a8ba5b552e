/* Payments (docs/backend-api.md): one payment per out_trade_no, native QR or payment code,
 * its state now, and cancelling (closing or reversing) it. */
#include <stdio.h>
#include <string.h>

#include "core/codes.h"
#include "json.h"
#include "sim.h"

/* Special customer payment codes (last four digits), see docs/backend-api.md. */
#define CODE_USERPAYING_10S "9991"
#define CODE_USERPAYING_FOREVER "9992"
#define CODE_NOT_ENOUGH "9993"
#define CODE_NEVER_ANSWERS "9994"
#define USERPAYING_MS 10000

/* A payment as the kiosk sees it, from a row of (out_trade_no, order_id, amount_fen, channel,
 * mode, status, reason); a native QR's has the code_url to show. */
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

/* USERPAYING -> PAID once the customer has confirmed (sim.h). */
void sim_payments_tick(sqlite3 *db, const char *otn, int64_t now_ms)
{
    sqlite3_stmt *st = sim_q(db, "UPDATE payments SET status = 'PAID' WHERE "
                             "(?1 IS NULL OR out_trade_no = ?1) AND "
                             "status IN ('USERPAYING','CREATED') AND confirm_at_ms > 0 AND "
                             "confirm_at_ms <= ?2");
    sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_ms);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

/* Answers the payment, for its terminal or anyone (sim.h). */
void sim_payment_get(sqlite3 *db, const char *otn, const char *terminal, struct sim_resp *r)
{
    sqlite3_stmt *st = sim_q(db, "SELECT out_trade_no, order_id, amount_fen, channel, mode, "
                             "status, reason FROM payments WHERE out_trade_no = ? AND "
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

/* POST /v1/payments: a native QR (CREATED, a code_url) or a payment code (PAID, USERPAYING or
 * CLOSED by its last digits). The same out_trade_no again answers the payment as it stands,
 * with other parameters it is 409 OUT_TRADE_NO_REUSED. */
static void payment_create(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    int bad = 0;
    const cJSON *b = rq->body;
    if (!cJSON_IsObject(b)) {
        sim_error(r, 400, "INVALID_ARGUMENT", "a JSON object is required");
        return;
    }
    const char *otn = sim_str_field(b, "out_trade_no", 1, r, &bad);
    const char *order = sim_str_field(b, "order_id", 0, r, &bad);
    int64_t amount = sim_int_field(b, "amount_fen", 1, 1, 100000000, r, &bad);
    const char *mode = sim_str_field(b, "mode", 1, r, &bad);
    const char *channel = sim_str_field(b, "channel", 0, r, &bad);
    const char *code = sim_str_field(b, "auth_code", 0, r, &bad);
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
            sim_error(r, 400, "INVALID_ARGUMENT",
                      "channel must be wechat, alipay, unionpay or ecny");
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
        sim_payments_tick(db, otn, rq->now_ms);
        sim_payment_get(db, otn, NULL, r);
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
    sim_payment_get(db, otn, NULL, r);
    r->hang_ms = hang;
}

/* POST /v1/payments/{otn}/cancel: closes or reverses it, never twice. */
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
                             " VALUES (?, ?, '', 0, '', '', 'CLOSED', '', 'CANCELLED_UNSEEN', ?,"
                             " 0, '')");
    sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, rq->now_ms);
    sqlite3_step(st);
    sqlite3_finalize(st);
    sim_payments_tick(db, otn, rq->now_ms);
    /* Never reverse twice: PAID -> REVERSED once; anything not paid closes. */
    st = sim_q(db, "UPDATE payments SET status = CASE status "
                             "WHEN 'PAID' THEN 'REVERSED' WHEN 'CREATED' THEN 'CLOSED' "
                             "WHEN 'USERPAYING' THEN 'CLOSED' ELSE status END "
                             "WHERE out_trade_no = ? AND terminal = ?");
    sqlite3_bind_text(st, 1, otn, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
    sim_payment_get(db, otn, rq->terminal, r);
}

int sim_route_payments(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const char *p = rq->path;
    int get = !strcmp(rq->method, "GET"), post = !strcmp(rq->method, "POST");
    int depth = sim_path_depth(p);
    char otn[72] = "";
    if (post && !strcmp(p, "/v1/payments")) {
        payment_create(db, rq, r);
        return 1;
    }
    if (!sim_path_is(p, 1, "payments") || sim_path_segment(p, 2, otn, sizeof otn))
        return 0;
    if (get && depth == 3) {
        /* GET /v1/payments/{otn}: the payment now, the customer's confirmation included */
        sim_payments_tick(db, otn, rq->now_ms);
        sim_payment_get(db, otn, rq->terminal, r);
    } else if (post && depth == 4 && sim_path_is(p, 3, "cancel")) {
        payment_cancel(db, rq, otn, r);
    } else {
        return 0;
    }
    return 1;
}
