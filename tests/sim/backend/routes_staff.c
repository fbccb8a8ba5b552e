/* Staff and refunds (docs/backend-api.md, "Staff and refunds"): a staff number and PIN
 * checked for a login or a supervisor's approval, the verifiers a kiosk caches to check PINs
 * while the backend is away, and refunds of paid sales, approved by a supervisor, never more
 * than was paid. The tables and the test staff are staff_store.c's.
 *
 * A PIN is read, checked and forgotten: nothing here keeps, answers or logs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "sim.h"
#include "staff.h"

#define REFUND_MAX_LINES 100
#define REFUND_MAX_FEN INT64_C(1000000000) /* ¥10,000,000: more than any sale */

/* Keeps a login attempt for GET /v1/admin/staff: who (as typed), for what, and whether the
 * PIN was right. */
static void count_login(sqlite3 *db, const struct sim_req *rq, const char *staff_no,
                        const char *purpose, int ok)
{
    sqlite3_stmt *st = sim_q(db, "INSERT INTO staff_logins (staff_no, purpose, ok, terminal,"
                                 " at_ms) VALUES (?,?,?,?,?)");
    sqlite3_bind_text(st, 1, staff_no, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, ok);
    sqlite3_bind_text(st, 4, rq->terminal, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, rq->now_ms);
    sqlite3_step(st);
    sqlite3_finalize(st);
}

/* POST /v1/staff/login {"staff_no","pin","purpose":"login"|"approval"}: 200 {"staff_no",
 * "name","role"}; 403 WRONG_PIN alike for an unknown person and a wrong PIN; 503 UNAVAILABLE
 * while the admin switch says so (nothing is counted then). */
static void login(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    /* Nothing of a login is kept with its key: the idempotency record would hold a hash of
     * the body, which a 6-digit PIN does not survive; and a login changes nothing to replay
     * (each attempt counts). */
    r->key_stays_free = 1;
    if (staff_login_down(db)) {
        sim_error(r, 503, "UNAVAILABLE", "the staff service is unavailable");
        return;
    }
    int bad = 0;
    const char *no = sim_str_field(rq->body, "staff_no", 1, r, &bad);
    const char *pin = sim_str_field(rq->body, "pin", 1, r, &bad);
    const char *purpose = sim_str_field(rq->body, "purpose", 1, r, &bad);
    if (bad)
        return;
    if (strcmp(purpose, "login") && strcmp(purpose, "approval")) {
        sim_error(r, 400, "INVALID_ARGUMENT", "purpose must be login or approval");
        return;
    }
    struct staff s;
    int ok = staff_check(db, no, pin, &s);
    count_login(db, rq, no, purpose, ok);
    if (!ok) {
        sim_error(r, 403, "WRONG_PIN", "wrong staff number or PIN");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "staff_no", s.staff_no);
    cJSON_AddStringToObject(o, "name", s.name);
    cJSON_AddStringToObject(o, "role", s.role);
    sim_ok(r, o);
}

/* GET /v1/staff/verifiers: {"staff":[{"staff_no","card_no","name","role","verifier"}]}, by
 * staff number. */
static void verifiers(sqlite3 *db, struct sim_resp *r)
{
    cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "staff");
    sqlite3_stmt *st = sim_q(db, "SELECT staff_no, card_no, name, role, verifier FROM staff"
                                 " ORDER BY staff_no");
    static const char *const names[] = {"staff_no", "card_no", "name", "role", "verifier"};
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        for (int i = 0; i < 5; i++)
            cJSON_AddStringToObject(o, names[i], sim_col(st, i));
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_finalize(st);
    sim_ok(r, out);
}

/* A refund's "lines": absent, or an array of at most REFUND_MAX_LINES objects {"barcode"
 * (optional), "qty" >= 1, "amount_fen" >= 0}. 0, or -1 with a 400 in r. */
static int lines_ok(const cJSON *lines, struct sim_resp *r)
{
    if (!lines || cJSON_IsNull(lines))
        return 0;
    if (!cJSON_IsArray(lines) || cJSON_GetArraySize(lines) > REFUND_MAX_LINES) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'lines' must be an array of at most 100");
        return -1;
    }
    int bad = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, lines)
    {
        if (!cJSON_IsObject(l)) {
            sim_error(r, 400, "INVALID_ARGUMENT", "each of 'lines' must be an object");
            return -1;
        }
        sim_str_field(l, "barcode", 0, r, &bad);
        sim_int_field(l, "qty", 1, 1, REFUND_MAX_FEN, r, &bad);
        sim_int_field(l, "amount_fen", 1, 0, REFUND_MAX_FEN, r, &bad);
        if (bad)
            return -1;
    }
    return 0;
}

/* A paid sale as a refund sees it. */
struct paid_sale {
    char order_id[260];   /* as long as a request's field may be */
    int64_t paid_fen;     /* the order's total: what the customer paid */
    int64_t refunded_fen; /* refunded before */
    char channel[16];     /* the payment's channel, "unknown" when no payment says it */
};

/* The sale a refund names, by `order_id` (the reliable key) or, when that is NULL or "", by
 * `txn_no`: 1 with *s filled when the backend knows it as paid (its order completed, or a
 * PAID payment for its total), 0 otherwise. An order whose transaction number is known and
 * is not `txn_no` is not the sale named. */
static int find_paid_sale(sqlite3 *db, const char *order_id, const char *txn_no,
                          struct paid_sale *s)
{
    int by_id = order_id && *order_id;
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT o.id, o.total_fen, o.status, coalesce(o.txn_no, ''),"
             " (SELECT p.channel FROM payments p WHERE p.order_id = o.id"
             "  AND p.status = 'PAID' AND p.amount_fen = o.total_fen"
             "  ORDER BY p.rowid DESC LIMIT 1)"
             " FROM orders o WHERE o.%s = ? ORDER BY o.rowid LIMIT 1",
             by_id ? "id" : "txn_no");
    sqlite3_stmt *st = sim_q(db, sql);
    sqlite3_bind_text(st, 1, by_id ? order_id : txn_no, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        int paid =
            !strcmp(sim_col(st, 2), "COMPLETED") || sqlite3_column_type(st, 4) != SQLITE_NULL;
        found = paid && (!*sim_col(st, 3) || !strcmp(sim_col(st, 3), txn_no));
    }
    if (found) {
        snprintf(s->order_id, sizeof s->order_id, "%s", sim_col(st, 0));
        s->paid_fen = sqlite3_column_int64(st, 1);
        const char *ch = sim_col(st, 4);
        snprintf(s->channel, sizeof s->channel, "%s", *ch ? ch : "unknown");
    }
    sqlite3_finalize(st);
    if (!found)
        return 0;
    st = sim_q(db, "SELECT coalesce(sum(amount_fen), 0) FROM refunds WHERE order_id = ?");
    sqlite3_bind_text(st, 1, s->order_id, -1, SQLITE_STATIC);
    s->refunded_fen = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return 1;
}

/* 1 if a refund numbered `refund_no` was made already. */
static int refund_exists(sqlite3 *db, const char *refund_no)
{
    sqlite3_stmt *st = sim_q(db, "SELECT 1 FROM refunds WHERE refund_no = ?");
    sqlite3_bind_text(st, 1, refund_no, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* The fields of a refund request, read by refund(). */
struct refund_ask {
    const char *refund_no, *txn_no, *order_id, *reason, *attendant, *approver;
    int64_t amount_fen;
    int whole;
    const cJSON *lines;
};

/* Keeps the refund made: 0, or -1 with a 500 in r. */
static int keep_refund(sqlite3 *db, const struct sim_req *rq, const struct refund_ask *a,
                       const struct paid_sale *s, struct sim_resp *r)
{
    char *lines = a->lines && !cJSON_IsNull(a->lines) ? cJSON_PrintUnformatted(a->lines) : NULL;
    sqlite3_stmt *st = sim_q(db, "INSERT INTO refunds VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
    const char *text[] = {a->refund_no, a->txn_no, s->order_id};
    for (int i = 0; i < 3; i++)
        sqlite3_bind_text(st, i + 1, text[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, a->amount_fen);
    sqlite3_bind_int(st, 5, a->whole);
    const char *more[] = {a->reason,    a->attendant, a->approver,         rq->idem_key,
                          rq->terminal, s->channel,   lines ? lines : "[]"};
    for (int i = 0; i < 7; i++)
        sqlite3_bind_text(st, i + 6, more[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 13, rq->now_ms);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    free(lines);
    if (!ok)
        sim_error(r, 500, "INTERNAL", sqlite3_errmsg(db));
    return ok ? 0 : -1;
}

/* POST /v1/refunds: see docs/backend-api.md. The refusals in their order: 400 INVALID_ARGUMENT,
 * 409 DUPLICATE (the refund number was made with another key: the same key is the
 * idempotency store's replay), 403 NOT_APPROVED (the approver is no supervisor), 404
 * SALE_NOT_FOUND, 409 OVER_REFUND (with details {"refundable_fen"}). Only a refund made is
 * kept with the key: after a refusal the same key may ask again (a sale the backend does not
 * know yet may be known once the kiosk's outbox has drained). */
static void refund(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    const cJSON *b = rq->body;
    struct refund_ask a = {0};
    int bad = 0;
    a.refund_no = sim_str_field(b, "refund_no", 1, r, &bad);
    a.txn_no = sim_str_field(b, "txn_no", 1, r, &bad);
    a.order_id = sim_str_field(b, "order_id", 0, r, &bad);
    a.amount_fen = sim_int_field(b, "amount_fen", 1, 1, REFUND_MAX_FEN, r, &bad);
    a.reason = sim_str_field(b, "reason", 1, r, &bad);
    a.attendant = sim_str_field(b, "attendant", 1, r, &bad);
    a.approver = sim_str_field(b, "approver", 1, r, &bad);
    const cJSON *whole = cJSON_GetObjectItemCaseSensitive(b, "whole");
    a.lines = cJSON_GetObjectItemCaseSensitive(b, "lines");
    if (!bad && whole && !cJSON_IsBool(whole)) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'whole' must be true or false");
        bad = 1;
    }
    a.whole = cJSON_IsTrue(whole);
    r->key_stays_free = 1; /* until a refund is made */
    if (bad || lines_ok(a.lines, r) != 0)
        return;
    if (!*a.refund_no) {
        sim_error(r, 400, "INVALID_ARGUMENT", "field 'refund_no' must not be empty");
        return;
    }
    if (refund_exists(db, a.refund_no)) {
        sim_error(r, 409, "DUPLICATE", "this refund number was used by another request");
        return;
    }
    struct staff approver;
    if (!staff_find(db, a.approver, &approver) || strcmp(approver.role, "supervisor")) {
        sim_error(r, 403, "NOT_APPROVED", "the approver is not a supervisor");
        return;
    }
    struct paid_sale s;
    if (!find_paid_sale(db, a.order_id, a.txn_no, &s)) {
        sim_error(r, 404, "SALE_NOT_FOUND", "no paid sale with this order and transaction");
        return;
    }
    if (a.amount_fen > s.paid_fen - s.refunded_fen) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddNumberToObject(d, "refundable_fen", (double)(s.paid_fen - s.refunded_fen));
        sim_error_details(r, 409, "OVER_REFUND", "more than is left to refund of this sale", d);
        return;
    }
    if (keep_refund(db, rq, &a, &s, r) != 0)
        return;
    r->key_stays_free = 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "refund_no", a.refund_no);
    cJSON_AddStringToObject(o, "status", "REFUNDED");
    cJSON_AddStringToObject(o, "channel", s.channel);
    cJSON_AddNumberToObject(o, "amount_fen", (double)a.amount_fen);
    sim_ok(r, o);
}

int sim_route_staff(sqlite3 *db, const struct sim_req *rq, struct sim_resp *r)
{
    int get = !strcmp(rq->method, "GET"), post = !strcmp(rq->method, "POST");
    if (post && !strcmp(rq->path, "/v1/staff/login"))
        login(db, rq, r);
    else if (get && !strcmp(rq->path, "/v1/staff/verifiers"))
        verifiers(db, r);
    else if (post && !strcmp(rq->path, "/v1/refunds"))
        refund(db, rq, r);
    else
        return 0;
    return 1;
}
