/* Pay for fuel's side of the wire and of the journal (docs/backend-api.md): requests built
 * from the flow's state, answers read into the flow's types, journaled payloads read back
 * at recovery. Pure: no I/O, cJSON only; every reader is strict and bounded (an answer that
 * is not exactly what the API says is refused whole, never half-used). Fuzzed by
 * tests/fuzz/fuzz_api.c. */
#ifndef CHECKOUT_API_H
#define CHECKOUT_API_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* A request as it goes on the wire. */
struct co_http {
    const char *method;       /* GET or POST */
    char path[200];
    char *body;               /* JSON text or NULL (may hold a payment code) */
    char key[112];            /* the idempotency key ("" for a GET) */
    int private_tail;         /* the path's last part is personal: logs show "***" */
};
/* The request for call `rq` (its path, body and idempotency key: a repeat of the same call
 * always carries the same key). 0, or -1 with no memory. Free with co_api_http_free(),
 * which wipes the body. */
int co_api_http(const struct co_request *rq, struct co_http *h);
void co_api_http_free(struct co_http *h);
/* The payment intent's journaled payload; the lock's. JSON the caller frees; NULL on no
 * memory. */
char *co_api_intent_payload(const struct co_intent *in);
char *co_api_lock_payload(const char *txn_no, const char *sale_id, int64_t lease_ms);

/* The readers return 0, or -1 for an answer that cannot be trusted with money (a field
 * missing, of the wrong type, out of range, too long; lines that do not add up). */
/* GET /v1/pumps: at most CO_MAX_PUMPS pumps of at most CO_MAX_SALES sales each. */
int co_api_pumps(const cJSON *j, struct co_pump *pumps, int *n);
/* POST /v1/orders: the priced bill; subtotal + discounts must equal the total. */
int co_api_priced(const cJSON *j, struct co_priced *p);
/* A coupon (GET /v1/coupons/{code}, or one of a member's). */
int co_api_coupon(const cJSON *j, struct co_coupon *c);
/* A member with their coupons (at most CO_MAX_COUPONS; a coupon that does not read is left
 * out, the member is not). */
int co_api_member(const cJSON *j, struct co_member *m, struct co_coupon *cps, int *n);
/* GET /v1/products/{barcode}: names (a long one cut between characters) and unit price
 * into `it` (its barcode left empty). A Chinese name is required. */
int co_api_product(const cJSON *j, struct co_item *it);
/* A lock's answer: its lease in ms, or 0 when it does not say (or says nonsense). */
int64_t co_api_lease(const cJSON *j);

/* A payment intent as journaled (kiosk/app/checkout_io.c writes it). */
struct checkout_payment_intent {
    char otn[40], order_id[48], txn_no[40], sale_id[24];
    char mode[12], channel[12], code_masked[32];
    int64_t amount_fen;
};
/* Reads the payload of payment intent `otn` (its idempotency key). A damaged payload still
 * fills otn and the transaction number (taken from otn) and returns -1. */
int co_api_payment_intent(const char *payload, const char *otn,
                                struct checkout_payment_intent *pi);
/* Reads a journaled sale lock: its sale id (required) and transaction number. */
int co_api_lock_intent(const char *payload, char *sale_id, size_t sale_cap, char *txn_no,
                             size_t txn_cap);

#endif
