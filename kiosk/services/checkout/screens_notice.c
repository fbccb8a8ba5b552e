/* The notice after a restart in the middle of a payment: whoever stands at the kiosk learns
 * whether the money went through, without asking anyone. */
#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "core/money.h"
#include "screens.h"

void co_screen_notice(struct ui_tree *t, const struct theme *th, const struct restart_notice *n)
{
    char amt[32], msg[640], txn[120];
    const char *title = "", *rec = "";
    money_format(n->amount_fen, amt, sizeof amt);
    snprintf(txn, sizeof txn, _("Transaction %s"), n->txn_no);
    switch (n->state) {
    case NOTICE_CHECKING:
        title = _("Checking your last payment");
        snprintf(msg, sizeof msg,
                 _("The kiosk restarted during a payment of %s. It is asking the payment system whether the money went through. Nothing is charged twice."),
                 amt);
        if (n->unreachable) {
            size_t len = strlen(msg);
            snprintf(msg + len, sizeof msg - len, "\n%s",
                     _("The payment system is not answering yet: the kiosk keeps asking. If you paid, your receipt prints as soon as it answers."));
        }
        break;
    case NOTICE_PAID:
        title = _("Your payment went through");
        rec = n->receipt > 0    ? _("Your receipt is printed. Please take it.")
              : n->receipt == 0 ? _("Your receipt is printing.")
                                : _("The receipt could not be printed: please show the transaction number to the staff.");
        snprintf(msg, sizeof msg, _("%s was paid."), amt);
        snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "\n%s\n%s", rec, txn);
        break;
    case NOTICE_NOT_PAID:
        title = _("No money was taken");
        snprintf(msg, sizeof msg,
                 _("The payment of %s did not go through and nothing was charged. Please start again."),
                 amt);
        break;
    case NOTICE_NONE:
        return;
    }
    t->prompt = n->state == NOTICE_CHECKING ? "notice_checking"
                : n->state == NOTICE_PAID   ? "notice_paid"
                                            : "notice_not_paid";
    chrome_dialog(t, th, title, msg, "notice.ok", _("OK"), NULL, NULL);
    struct ui_widget *ok = ui_find(t, "notice.ok");
    if (ok)
        ok->on_escape = 1;
    struct ui_widget *tw = ui_find(t, "dialog.title");
    if (tw) {
        snprintf(tw->id, sizeof tw->id, "notice.title");
        if (n->state == NOTICE_PAID)
            tw->fg = th->ok;
    }
    struct ui_widget *mw = ui_find(t, "dialog.message");
    if (mw)
        snprintf(mw->id, sizeof mw->id, "notice.message");
    /* The Sound and language buttons stay usable over it: the screen's own, lifted above
     * the dialog. */
    static const char *const lifted[] = {"sound.toggle", "lang.toggle"};
    for (int i = 0; i < 2; i++) {
        struct ui_widget *lw = ui_find(t, lifted[i]);
        if (lw && (int)(lw - t->v) < t->modal_from) {
            struct ui_widget below = *lw;
            lw->id[0] = '\0';
            struct ui_widget *g = ui_button(t, lifted[i], below.r, below.text, below.style);
            g->font = below.font;
        }
    }
}
