/* Depot pickups (提油) in the backend simulator (docs/backend-api.md, "Depot pickups"): what
 * the depot modules share. depot_seed.c holds the tables and the test orders and drivers,
 * routes_depot.c answers the kiosk (lookup, driver, face, ticket), depot_admin.c the tests.
 *
 * Privacy: the drivers' full ID numbers and names live in one table (depot_drivers) and
 * nowhere else: never in an answer (names only masked), never in the admin output, never in a
 * log line. Face images are checked in memory and wiped; no table holds them. */
#ifndef SIM_BACKEND_DEPOT_H
#define SIM_BACKEND_DEPOT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct sim_resp;

#define DEPOT_DAY_MS INT64_C(86400000)
#define DEPOT_TZ_MS INT64_C(28800000) /* China time, UTC+8: every time answered is +08:00 */
#define DEPOT_ISO_LEN 32              /* "2026-11-30T10:42:00+08:00" + NUL, with room */
#define DEPOT_FACE_PASS 80            /* a face score from this up is a MATCH */
#define DEPOT_JPEG_MIN 1024           /* frame_jpeg: bytes, decoded */
#define DEPOT_JPEG_MAX (512 * 1024)
#define DEPOT_WLT_LEN 1024 /* id_photo_wlt: the reader's photo, exactly */

/* A pickup order as the backend keeps it. */
struct depot_order {
    char order_id[40], code[48];
    char product[64], unit[4]; /* unit "L" or "t" */
    int64_t quantity_milli;    /* thousandths of the unit: ml or kg */
    char plate[32];
    int64_t valid_from_ms, valid_to_ms; /* valid while valid_from_ms <= now <= valid_to_ms */
    char depot[20], depot_name[64], bay[8];
    char status[8];     /* OPEN, ISSUED, USED */
    char id_salt[65];   /* 64 hex: the key of the drivers' id_proof */
    char ticket_no[40]; /* "" until issued */
    int64_t issued_ms;  /* 0 until issued */
    char terminal[32];  /* the terminal that issued it, "" until then */
};

/* Writes `ms` (simulator clock) as ISO 8601 in China time, "2026-11-30T10:42:00+08:00". */
void depot_iso(int64_t ms, char out[DEPOT_ISO_LEN]);

/* Finds the order whose `column` ("order_id" or "code") is `value`: 1 with *o filled, 0. */
int depot_order_find(sqlite3 *db, const char *column, const char *value, struct depot_order *o);

/* The driver_ref of driver `idx` (0..) of order `order_id`: "DR" + 16 hex, the same for the
 * same driver on the same order every time (a driver call replayed or repeated). */
void depot_driver_ref(const char *order_id, int idx, char out[19]);

/* The ticket number of an order into out: "TK" and the order's digits (PO2611300001 ->
 * TK2611300001). */
void depot_ticket_no(const char *order_id, char *out, size_t cap);

#endif
