/* The sale record (flows/checkout.h) as JSON: what the journal keeps for an order and a
 * finished sale, what the outbox uploads, and what a reprint or a recovery prints from.
 * Shape (docs/architecture.md, "Pay for fuel"):
 *   {"txn_no","order_id","out_trade_no","invoice_token","paid_unix",
 *    "fuel":{"sale_id","pump","grade","volume_ml","price_fen_per_l","amount_fen"},
 *    "items":[{"barcode","name_zh","name_en","qty","unit_fen"}],
 *    "discounts":[{"kind","label_zh","label_en","amount_fen"}],
 *    "subtotal_fen","total_fen","points_used","points_earned",
 *    "member":{"phone_masked","level"},
 *    "payment":{"channel","mode","code_masked"}, "receipt":"paper"|"e-receipt"}
 * "fuel" and "member" are absent when there is none. Money is integer fen. */
#ifndef KIOSK_APP_SALE_JSON_H
#define KIOSK_APP_SALE_JSON_H

#include <cjson/cJSON.h>

#include "kiosk/flows/checkout.h"

/* `r` as JSON text; the caller frees it with free(). NULL on no memory. */
char *sale_json_encode(const struct sale_record *r);
/* Fills `r` from JSON text (borrowed). 0, or -1 when it is not a sale record (a field
 * missing or of the wrong type, money not a whole number): nothing is printed from it. */
int sale_json_decode(const char *json, struct sale_record *r);

/* Reads a JSON array of discount lines ({"kind","label_zh","label_en","amount_fen" <= 0}),
 * the shape both the backend's priced orders and sale records use, into out (at most
 * CO_MAX_DISCOUNTS; *n receives how many). -1 when the array is missing, too long, or a
 * line is not a discount. */
int sale_json_discounts(const cJSON *array, struct co_discount *out, int *n);

#endif
