/* Attendant mode's side of the wire (docs/backend-api.md, "Staff and refunds") and what it
 * reads of the journal's records: requests built from the flow's asks, answers read strictly
 * (an answer not as the API says is refused whole). Pure: cJSON and core. Fuzzed by
 * tests/fuzz/fuzz_attendant_api.c. */
#ifndef ATTENDANT_API_H
#define ATTENDANT_API_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* One staff member of GET /v1/staff/verifiers. */
struct at_staff {
    char staff_no[AT_STAFF_MAX + 1];
    char card_no[20];
    char name[32];
    int role;              /* enum at_role */
    char verifier[160];    /* Argon2id, crypto_pwhash_str's text */
};

/* POST /v1/staff/login's body: the PIN inside (the caller wipes and frees it). NULL on no
 * memory. */
char *at_api_login_body(const struct at_login *l);
/* The answer to a login: 1 the PIN is right (role, name), 0 it is wrong (403 WRONG_PIN), -1
 * no usable answer (offline, a server error, an unreadable body: the cached verifier
 * decides). */
int at_api_login_answer(int status, const cJSON *json, const char *code, int *role,
                        char *name, size_t cap);
/* GET /v1/staff/verifiers' list into rows (at most max): the count, or -1 when the answer
 * does not read (nothing is replaced then). */
int at_api_staff(const cJSON *json, struct at_staff *rows, int max);
/* "attendant" / "supervisor" as enum at_role (AT_ROLE_NONE for anything else), and back. */
int at_role_of(const char *s);
const char *at_role_name(int role);

/* What a refund needs of the sale it refunds (read from its journaled "sale" record). */
struct at_sale {
    char order_id[40];
    char channel[24];      /* the payment channel the money goes back to */
    int64_t total_fen;     /* what was paid */
};
/* Reads a sale record (checkout's, docs/backend-api.md) into `s` and its lines into
 * r->lines (the fuel line first, then the shop goods; names in `lang`: "zh_CN" or "en"),
 * r->nlines; the rest of r is zeroed. 0, or -1 when it is no sale record. */
int at_sale_read(const char *payload, const char *lang, struct at_sale *s, struct at_refund *r);
/* A refund record already made for this sale (its payload) marks the lines it refunded
 * and adds its amount to *refunded_fen. 0, or -1 when it does not read. */
int at_refund_apply(const char *payload, struct at_refund *r, int64_t *refunded_fen);

/* The lines chosen, as a "lines" array in o ({line, barcode, qty, amount_fen}): the
 * request's and the record's. */
void at_refund_lines_json(cJSON *o, const struct at_refund *r);
/* POST /v1/refunds' body (idempotency key: its refund_no) from the refund's record
 * (at_record_refund(): the intent's payload, so a refund a restart left open is asked for
 * again with the same body), and in *amount_fen its amount. NULL when the record does not
 * read, or on no memory. */
char *at_api_refund_body(const char *record, int64_t *amount_fen);
/* The answer: 1 refunded (channel), 0 refused for good (its note: NOT_REFUNDABLE for
 * OVER_REFUND / SALE_NOT_FOUND / DUPLICATE, REFUSED else), -1 no answer (asked again with
 * the same key). */
int at_api_refund_answer(int status, const cJSON *json, const char *code, char *channel,
                         size_t cap, enum at_note *note);

#endif
