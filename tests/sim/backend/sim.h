/* The backend simulator: the oil company's station services as the kiosk sees them
 * (docs/backend-api.md), over HTTP (libmicrohttpd) with its own SQLite database. */
#ifndef SIM_BACKEND_SIM_H
#define SIM_BACKEND_SIM_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* One request as the router sees it, after authentication and body checks. */
struct sim_req {
    const char *method;
    const char *path;     /* no query string: the API uses none */
    const char *terminal; /* X-Terminal-Id, authenticated */
    const cJSON *body;    /* parsed JSON, or NULL for an empty body */
    int64_t now_ms;       /* the simulator's clock (real time + admin advances) */
    const char *idem_key; /* Idempotency-Key of a state-changing request; "" for GET, admin */
};

/* A response: status and a JSON body (owned by the response; freed by the server). */
struct sim_resp {
    int status;
    cJSON *body;
    int hang_ms; /* > 0: wait this long before answering (the never-answers code) */
    /* 1: the answer is not kept with the request's Idempotency-Key, so that the key stays
     * free for a corrected request (a 400 refusal of POST /v1/invoices, whose key the kiosk
     * derives from the sales alone) */
    int key_stays_free;
};

/* Sets an error response in the one error model: {"error":{code,message,retryable}}. */
void sim_error(struct sim_resp *r, int status, const char *code, const char *message);
/* The same with a "details" object inside "error" (ownership of `details` taken). */
void sim_error_details(struct sim_resp *r, int status, const char *code, const char *message,
                       cJSON *details);
/* Sets a 200 response with `body` (ownership taken). */
void sim_ok(struct sim_resp *r, cJSON *body);

/* With --auto-pay-native-ms N: a native QR payment is paid N ms after it is created, as if
 * a customer scanned it (the demo and the kiosk's scenario tests). 0 = never. */
extern int sim_auto_pay_ms;

/* The points rule (--point-value-fen, --points-max-share): one point pays this many fen, and
 * points pay at most this percentage of what is left after member and coupon discounts. */
extern int64_t sim_point_value_fen;
extern int sim_points_max_share;

/* How long a pump-sale lock lasts (--lock-lease-ms), on the simulator clock: locking again
 * renews it; once it has passed the sale is no longer locked, for every route. */
extern int64_t sim_lock_lease_ms;

/* The master keys the fuel cards' keys are diversified from (--card-keys MLKHEX:MTKHEX;
 * card_store.c): 0, or -1 when spec is not two keys of 32 hex digits. NULL: the test keys
 * of tests/sim/card/pboc.h, the default. */
int sim_card_keys(const char *spec);

/* Writes `url` into out as a log line may show it: the personal last part of
 * /v1/members/by-phone/{phone}, /v1/members/by-qr/{token} and /v1/coupons/{qr} becomes "***".
 * Every log line that prints a request path goes through it. Answers out. */
const char *sim_log_url(const char *url, char *out, size_t cap);

/* Database: schema and seed data (db.c). Seeds that depend on time (past sales to invoice)
 * are placed relative to `now_ms`, the simulator clock. */
int sim_db_open(sqlite3 **db, const char *path, int reset, int64_t now_ms, char *err,
                size_t errcap);
/* Drops every table and seeds them again (POST /v1/admin/reset). 0 or -1. */
int sim_db_reset(sqlite3 *db, int64_t now_ms);

/* The router (router.c): runs what must precede every route, then tries each resource's
 * routes in turn; 404 NOT_FOUND when none is the request's. Runs inside a database
 * transaction with the idempotency record of its request, under the server's lock; returns
 * after filling resp. */
void sim_route(sqlite3 *db, const struct sim_req *req, struct sim_resp *resp);

/* One resource's routes, in routes_<resource>.c (the admin ones in admin.c and, for
 * e-invoices, fuel cards, depot pickups and staff, invoice_admin.c, card_admin.c,
 * depot_admin.c and staff_admin.c), tried in the order of router.c's table: answers 1 after
 * filling resp when the request was one of them, 0 (resp untouched) when it was not. */
typedef int sim_route_fn(sqlite3 *db, const struct sim_req *req, struct sim_resp *resp);
sim_route_fn sim_route_pumps;
sim_route_fn sim_route_products;
sim_route_fn sim_route_members;
sim_route_fn sim_route_payments;
sim_route_fn sim_route_journal;
sim_route_fn sim_route_terminals;
sim_route_fn sim_route_orders;
sim_route_fn sim_route_invoices;
sim_route_fn sim_route_cards;
sim_route_fn sim_route_depot; /* GET /v1/depots/..., POST /v1/depot/orders/..., routes_depot.c */
sim_route_fn sim_route_shifts;
sim_route_fn sim_route_staff; /* /v1/staff/login, /v1/staff/verifiers, /v1/refunds */
sim_route_fn sim_route_invoice_admin; /* /v1/admin/invoices..., in invoice_admin.c */
sim_route_fn sim_route_card_admin;    /* GET /v1/admin/cards, in card_admin.c */
sim_route_fn sim_route_depot_admin;   /* /v1/admin/depot, /v1/admin/depot/face, depot_admin.c */
sim_route_fn sim_route_staff_admin;   /* /v1/admin/staff, in staff_admin.c */
sim_route_fn sim_route_admin;

/* Releases every sale lock whose lease has passed by `now_ms` (routes_pumps.c). The router
 * runs it before every route, so a lock past its lease is no lock anywhere. */
void sim_expire_locks(sqlite3 *db, int64_t now_ms);

/* Finishes the e-invoices the slow tax system has done by `now_ms` (PENDING -> ISSUED, a
 * number each, in the order they were asked for; invoice_store.c). The router runs it
 * before every route. */
void sim_invoices_tick(sqlite3 *db, int64_t now_ms);
/* Schema of the e-invoice tables (invoice_seed.c), part of db.c's; and their seed: settings,
 * stock, the company directory, title QRs and past sales placed relative to `now_ms`. 0 or
 * -1. */
extern const char *const sim_invoice_schema;
int sim_invoice_seed(sqlite3 *db, int64_t now_ms);

/* Schema of the depot pickup tables (depot_store.c), part of db.c's; and their seed: the
 * test orders and their drivers, validity and issue times placed relative to `now_ms`. 0 or
 * -1. */
extern const char *const sim_depot_schema;
int sim_depot_seed(sqlite3 *db, int64_t now_ms);
/* Schema of the staff tables (staff_store.c), part of db.c's; and their seed: the test staff
 * with their PINs' verifiers (computed here: each takes a few tens of milliseconds), no
 * logins, no refunds, the login service up. 0 or -1. */
extern const char *const sim_staff_schema;
int sim_staff_seed(sqlite3 *db);
/* sim.c calls it when the idempotency store answered a request itself (a replay, or a key
 * reused for another request), so that the depot counts every ticket request its admin
 * route reports, replays included (routes_depot.c). */
void sim_depot_store_answered(sqlite3 *db, const char *method, const char *path);

/* Moves payments on in time (routes_payments.c): USERPAYING or CREATED -> PAID once the
 * customer has confirmed by `now_ms`, for the payment `otn` or, when it is NULL, for all. */
void sim_payments_tick(sqlite3 *db, const char *otn, int64_t now_ms);

/* Answers the payment `otn` as GET /v1/payments/{otn} does (routes_payments.c): made by
 * `terminal`, or by anyone when it is NULL (admin); 404 PAYMENT_NOT_FOUND otherwise. */
void sim_payment_get(sqlite3 *db, const char *otn, const char *terminal, struct sim_resp *r);

/* What sim_order_complete() found. */
enum sim_order_outcome {
    SIM_ORDER_NOT_FOUND,  /* no such order of this terminal */
    SIM_ORDER_NOT_PAID,   /* not completed, and `otn` is no PAID payment for its total */
    SIM_ORDER_COMPLETED,  /* completed now: sales paid, coupons used, points moved */
    SIM_ORDER_WAS_DONE,   /* completed before: nothing changed */
};

/* Completes the order `id` of `terminal` paid by `otn` (routes_orders.c: POST
 * /v1/orders/{id}/complete and a "sale" journal record share it). The payment must be PAID,
 * for this order, for exactly its total. On the first completion only, the sales become paid
 * by `otn`, the order's coupons used, its points_used deducted from the member and
 * points_earned added, a fuel card's recharge credited to its account, and `now_ms` kept as
 * when it was paid. Whatever the outcome, an order
 * of this terminal without a transaction number or invoice token takes `txn_no` and `token`
 * (either may be NULL or ""): how the backend knows the sale for invoicing. With `order`
 * set, *order is the stored order body (the caller frees it) unless NOT_FOUND/NOT_PAID. */
enum sim_order_outcome sim_order_complete(sqlite3 *db, const char *terminal, const char *id,
                                          const char *otn, const char *txn_no,
                                          const char *token, int64_t now_ms, cJSON **order);

/* A prepared statement (NULL on a bad statement: sqlite3 calls on NULL are harmless no-ops
 * that fail), and column i as text, never NULL. */
sqlite3_stmt *sim_q(sqlite3 *db, const char *sql);
const char *sim_col(sqlite3_stmt *st, int i);

/* EAN-13 check digit for 12 digits (seed data). */
int sim_ean_check(const char *twelve);

#endif
