/* The shift report (班结单) and the day report (日结单), and the refund slip (退款凭证), for
 * the receipt printer, in 80 mm (576 dots) and 58 mm (384 dots) layouts. */
#ifndef ATTENDANT_SLIP_H
#define ATTENDANT_SLIP_H

#include <stdint.h>

#include "core/config.h"
#include "flow.h"
#include "totals.h"
#include "ui/slip.h"
#include "ui/text.h"

/* What a report is about. */
struct at_report {
    int day;                   /* 0: a shift report, 1: a day report */
    char ref[48];              /* "T0001-S000042" (shift) or "T0001-D20261130-3" (day):
                                * its outbox record id, and first in its QR */
    char attendant[24];        /* who closed it (staff number) */
    char approver[24];         /* the supervisor who carried items over, or "" */
    int64_t opened_ms, closed_ms; /* wall clock, ms (a day: its first shift's opening) */
    int shifts;                /* a day: how many shifts; 0 for a shift */
    int day_matches;           /* a day: the shifts add up to the day */
    const struct totals *t;
    int carried;               /* unfinished items carried over */
    int copy;                  /* printed again: 副本 / COPY at the top */
};

/* The report in `lang` ("zh_CN" or "en"): the station (cfg->station_name), the terminal, 班结
 * or 日结, the reference, who, from and to; then sales (count, amount), by payment channel,
 * by grade (litres to 0.01 L, amount), shop goods, discounts by kind, points used and
 * earned, coupons, refunds and voids, invoices, card recharges, card loads, depot tickets
 * by product, receipts not printed, records not uploaded, unreadable records; the net; the
 * carried-over items; a QR of the reference and the main figures (at_report_qr). Every
 * amount as yuan with two decimals from integer fen. Drawn for cfg->paper_width_dots (384: two columns become one where they do
 * not fit). Caller destroys it; NULL on no memory. */
struct slip *at_report_slip(struct text_engine *te, const struct kiosk_config *cfg,
                            const char *lang, const struct at_report *r);

/* What the report's QR code holds, for the backend's and the auditors' readers:
 * "<ref>;sales=<count>,<fen>;refunds=<count>,<fen>;net=<fen>" (integer fen). */
void at_report_qr(const struct at_report *r, char *out, size_t cap);

/* The refund slip: the station, the terminal, 退款凭证 / REFUND, the refund's number, the
 * sale it refunds, the lines (or "whole sale"), the amount, the channel it goes back to, the
 * reason (message id, translated), the attendant and the approving supervisor, the time. */
struct at_refund_slip {
    char refund_no[48];
    char txn_no[48];
    const struct at_refund *r; /* lines, whole, amount, reason, approver */
    char channel[24];
    char attendant[24];
    int64_t at_ms;             /* wall clock */
};
struct slip *at_refund_slip(struct text_engine *te, const struct kiosk_config *cfg,
                            const char *lang, const struct at_refund_slip *s);

#endif
