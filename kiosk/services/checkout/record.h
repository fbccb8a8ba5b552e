/* The sale record as JSON: what the journal keeps for an order and a
 * finished sale, what the outbox uploads, and what a reprint or a recovery prints from.
 * Shape (docs/architecture.md, "Pay for fuel"):
 *   {"txn_no","order_id","out_trade_no","invoice_token","paid_unix",
 *    "fuel":{"sale_id","pump","grade","volume_ml","price_fen_per_l","amount_fen"},
 *    "recharge":{"card_no","amount_fen"},
 *    "items":[{"barcode","name_zh","name_en","qty","unit_fen"}],
 *    "discounts":[{"kind","label_zh","label_en","amount_fen"}],
 *    "subtotal_fen","total_fen","points_used","points_earned",
 *    "member":{"phone_masked","level"},
 *    "payment":{"channel","mode","code_masked"}, "receipt":"paper"|"e-receipt"}
 * "fuel", "recharge" and "member" are absent when there is none. Money is integer fen. A
 * recharge's card number is written in groups of four ("1000 1133 0000 2001"): the journal
 * refuses any run of 16 digits (a payment code's shape). */
#ifndef CHECKOUT_RECORD_H
#define CHECKOUT_RECORD_H

#include <cjson/cJSON.h>

#include "flow.h"

/* The finished sale as it is journaled, uploaded and printed: everything a receipt needs,
 * nothing private (codes and phone numbers masked). */
struct sale_record {
    char txn_no[40], order_id[48], out_trade_no[40];
    char invoice_token[40];   /* the e-invoice link's token; unguessable */
    int64_t paid_unix;        /* wall-clock seconds when the sale was recorded */
    int has_fuel;
    char sale_id[24];
    int pump;
    char grade[12];
    int64_t volume_ml, price_fen, fuel_fen;
    int has_recharge;         /* a fuel card's recharge */
    char recharge_card[20];   /* its card, grouped: "1000 1133 0000 2001" */
    int64_t recharge_fen;
    int nitems;
    struct co_item items[CO_MAX_ITEMS];
    int ndiscounts;
    struct co_discount discounts[CO_MAX_DISCOUNTS];
    int64_t subtotal_fen, total_fen, points_used, points_earned;
    char member_phone[16], member_level[12];
    char channel[12];         /* wechat, alipay, unionpay, ecny */
    char mode[12];            /* native, micropay */
    char code_masked[32];
    int e_receipt;            /* no paper: the receipt was offered on screen */
};

/* The sale as it stands in the flow, for the journal and the receipt (`rec` caller-owned).
 * Payment fields are those of the current attempt; paid_unix and invoice_token are the
 * glue's. */
void record_from_flow(const struct co_flow *c, struct sale_record *rec);

/* `r` as JSON text; the caller frees it with free(). NULL on no memory. */
char *record_encode(const struct sale_record *r);
/* Fills `r` from JSON text (borrowed). 0, or -1 when it is not a sale record (a field
 * missing or of the wrong type, money not a whole number): nothing is printed from it. */
int record_decode(const char *json, struct sale_record *r);

/* Reads a JSON array of discount lines ({"kind","label_zh","label_en","amount_fen" <= 0}),
 * the shape both the backend's priced orders and sale records use, into out (at most
 * CO_MAX_DISCOUNTS; *n receives how many). -1 when the array is missing, too long, or a
 * line is not a discount. */
int record_discounts(const cJSON *array, struct co_discount *out, int *n);

#endif
