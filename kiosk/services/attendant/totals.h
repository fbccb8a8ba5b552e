/* A shift's or a day's totals, from the journal's transactions (pure: core and cJSON only).
 *
 * The glue reads the shift's transactions (journal_shift_txns(), index txn_shift) and hands
 * each to tot_add(); what each kind's payload holds is the records' wire format
 * (docs/backend-api.md, "Journal records"):
 *   sale          checkout's record: payment.channel; fuel{grade, volume_ml, amount_fen};
 *                 items[]{qty, unit_fen}; discounts[]{kind, amount_fen}; points_used,
 *                 points_earned; recharge{amount_fen}; total_fen; receipt "paper"|
 *                 "e-receipt"
 *   refund        the attendant's refund record: refund_of, amount_fen, channel, lines[]
 *                 {barcode, qty, amount_fen} (empty: the whole sale), whole 0|1
 *   invoice       amount = the invoice's total
 *   card_load     amount = the load
 *   depot_ticket  quantity_milli, unit, product
 *   shift_close, day_close, audit, anything else: not counted (`other` + 1)
 * A receipt that is not printed (print_state "failed", "unknown", or "pending" for a paper
 * receipt) counts in print_failed. Money is integer fen, volume integer millilitres; a
 * payload that cannot be read counts in `unreadable` and adds nothing else: a close never
 * fails on one bad record, and the report says how many there were. */
#ifndef ATTENDANT_TOTALS_H
#define ATTENDANT_TOTALS_H

#include <stddef.h>
#include <stdint.h>

#define TOT_ROWS 12 /* rows per breakdown; more keys add up under "other" */

struct tot_row {
    char key[24];         /* the payment channel, grade ("92#"), discount kind, product */
    int64_t count;
    int64_t amount_fen;
    int64_t volume_ml;    /* grades and depot products only */
};

struct tot_breakdown {
    struct tot_row v[TOT_ROWS];
    int n;
};

struct totals {
    int64_t sales, sales_fen;               /* paid sales and what they took in */
    struct tot_breakdown by_method;         /* count and amount by payment channel */
    struct tot_breakdown by_grade;          /* litres (volume_ml) and amount by grade */
    int64_t shop_items, shop_fen;           /* shop goods: units and amount */
    struct tot_breakdown discounts;         /* by kind ("member", "coupon", "points", ...):
                                             * count and amount */
    int64_t points_used, points_earned;
    int64_t coupons, coupons_fen;           /* discounts of kind "coupon" again, for the
                                             * report's own line */
    int64_t refunds, refunds_fen;           /* refunds and voids */
    int64_t invoices, invoices_fen;
    int64_t recharges, recharges_fen;       /* fuel-card recharges sold */
    int64_t loads, loads_fen;               /* card loads (圈存) */
    struct tot_breakdown tickets;           /* depot tickets by product: count, volume_ml
                                             * (quantity_milli of unit L or t as is) */
    int64_t print_failed;                   /* receipts that did not print */
    int64_t outbox_pending;                 /* set by the glue (not from transactions) */
    int64_t unreadable, other;
    int64_t net_fen;                        /* sales_fen - refunds_fen */
};

void tot_init(struct totals *t);
/* Adds one transaction. 0, or -1 when its payload could not be read (counted). */
int tot_add(struct totals *t, const char *kind, int64_t amount_fen, const char *print_state,
            const char *payload);
/* Adds b into a (a day is the sum of its shifts). */
void tot_sum(struct totals *a, const struct totals *b);
/* 1 when a and b agree on every figure (outbox_pending aside); else 0 with the first figure
 * that differs named in `what` (cap bytes). */
int tot_equal(const struct totals *a, const struct totals *b, char *what, size_t cap);
/* The totals as JSON (malloc'd: caller frees; NULL on no memory), and back (0, or -1 for
 * text that is not such JSON: strict, every figure an integer). */
char *tot_to_json(const struct totals *t);
int tot_from_json(const char *json, struct totals *t);

#endif
