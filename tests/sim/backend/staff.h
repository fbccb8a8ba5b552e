/* Staff and refunds in the backend simulator (docs/backend-api.md, "Staff and refunds"): what
 * the staff modules share. staff_store.c holds the tables and the three test staff,
 * routes_staff.c answers the kiosk (login, verifiers, refunds), staff_admin.c the tests.
 *
 * PINs: the seed turns each PIN into its Argon2id verifier and keeps only that. A PIN that
 * comes in is checked against it and then forgotten: never stored, answered or logged (the
 * login's answer is not even kept with its Idempotency-Key, whose record would hold a hash of
 * the body, and so of the PIN). */
#ifndef SIM_BACKEND_STAFF_H
#define SIM_BACKEND_STAFF_H

#include <sqlite3.h>

#define STAFF_NO_MAX 16

/* A member of staff as the backend keeps it: no PIN, and no verifier either (only the
 * verifiers route reads it). */
struct staff {
    char staff_no[STAFF_NO_MAX + 1];
    char card_no[24]; /* the staff card's number, 16 digits */
    char name[64];
    char role[16]; /* attendant, supervisor */
};

/* Finds `staff_no`: 1 with *s filled, or 0. */
int staff_find(sqlite3 *db, const char *staff_no, struct staff *s);

/* Checks `pin` (the caller's; not kept) against the verifier of `staff_no`: 1 with *s filled
 * when it is that person's PIN, 0 when it is not or there is no such person. Either way it
 * takes as long (a verifier is checked), so that the time says nothing of who exists. */
int staff_check(sqlite3 *db, const char *staff_no, const char *pin, struct staff *s);

/* 1 when POST /v1/admin/staff made POST /v1/staff/login answer 503 UNAVAILABLE. */
int staff_login_down(sqlite3 *db);

#endif
