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
};

/* A response: status and a JSON body (owned by the response; freed by the server). */
struct sim_resp {
    int status;
    cJSON *body;
    int hang_ms; /* > 0: wait this long before answering (the never-answers code) */
};

/* Sets an error response in the one error model: {"error":{code,message,retryable}}. */
void sim_error(struct sim_resp *r, int status, const char *code, const char *message);
/* Sets a 200 response with `body` (ownership taken). */
void sim_ok(struct sim_resp *r, cJSON *body);

/* With --auto-pay-native-ms N: a native QR payment is paid N ms after it is created, as if
 * a customer scanned it (the demo and the kiosk's scenario tests). 0 = never. */
extern int sim_auto_pay_ms;

/* Database: schema and seed data (db.c). */
int sim_db_open(sqlite3 **db, const char *path, int reset, char *err, size_t errcap);

/* Routes (routes.c). Runs inside a database transaction; returns after filling resp. */
void sim_route(sqlite3 *db, const struct sim_req *req, struct sim_resp *resp);

/* Orders, invoices, cards, pickups, shifts (routes2.c): 1 if the route was theirs. */
int sim_route_more(sqlite3 *db, const struct sim_req *req, struct sim_resp *resp);

/* A prepared statement (NULL on a bad statement: sqlite3 calls on NULL are harmless no-ops
 * that fail), and column i as text, never NULL. */
sqlite3_stmt *sim_q(sqlite3 *db, const char *sql);
const char *sim_col(sqlite3_stmt *st, int i);

/* EAN-13 check digit for 12 digits (seed data). */
int sim_ean_check(const char *twelve);

#endif
