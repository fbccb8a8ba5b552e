/* Pay for fuel's screens: the pump grid, the bill, the member page, QR and payment code,
 * waiting, the receipt, failure, and the notice after a restart in the middle of a payment.
 * They read a co_view and draw with the ui toolkit only. */
#ifndef CHECKOUT_SCREENS_H
#define CHECKOUT_SCREENS_H

#include <stdint.h>

#include "flow.h"
#include "ui/chrome.h"
#include "ui/theme.h"
#include "ui/ui.h"
#include "ui/view.h"

struct co_view {
    struct view base;
    const struct co_flow *co;
    int printer_ok;               /* a receipt can be printed now */
    const char *printer_problem;  /* why it cannot ("The printer is out of paper."), or "" */
    const char *invoice_url;      /* the finished sale's e-invoice link, or "" */
    const char *scanner_problem;  /* why no scanner can read a payment code, or "" */
    int preview;                  /* a camera can show what it sees (UI_LIVE) */
    int invoice;                  /* the done screen can hand the sale to e-invoicing */
};

/* After a restart in the middle of a payment: what became of it. */
enum notice_state { NOTICE_NONE, NOTICE_CHECKING, NOTICE_PAID, NOTICE_NOT_PAID };
struct restart_notice {
    enum notice_state state;
    int64_t amount_fen;
    char txn_no[72];
    int unreachable;  /* checking: the backend has not answered yet, it is asked again */
    int receipt;      /* paid: 0 printing, 1 printed, -1 could not be printed */
    int64_t until_ms; /* closes itself then (clock_now_ms) */
};

/* The screen of the flow's state, named after it: pumps, review, member, pay_qr,
 * pay_code, wait, done, failed. */
void co_screen(struct ui_tree *t, const struct theme *th, const struct co_view *v);
/* The member page (phone keypad; the member's coupons and points) in area `a` below the
 * step bar. */
void co_screen_member(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                      const struct layout *l, SDL_Rect a);
/* Customer-facing text of a notice, in the current language ("" for none). */
const char *co_notice_text(enum co_notice n);
/* The restart notice as a dialog over whatever is on screen (nothing for NOTICE_NONE). */
void co_screen_notice(struct ui_tree *t, const struct theme *th, const struct restart_notice *n);

#endif
