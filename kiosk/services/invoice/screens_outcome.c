#include <stdio.h>
#include <string.h>

#include "core/codes.h"
#include "core/i18n.h"
#include "screens.h"

/* The e-invoice screens after Issue: the wait, the invoice issued (number, download QR,
 * slip), submitted (the tax system is slow: it is sent when issued), the invoice a sale is
 * on already, sent again, and refused (why, and what to do). */

/* Where an issued invoice went: the backend's word, else what was typed. */
static void result_delivery(const struct inv_flow *f, char *out, size_t cap)
{
    if (f->result.delivery[0])
        snprintf(out, cap, "%s", f->result.delivery);
    else
        inv_typed_delivery(f, out, cap);
}

void inv_screen_issuing(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                        const struct layout *l, SDL_Rect a)
{
    int sp = l->portrait ? th->min_target * 2 : th->min_target * 3 / 2;
    int msg_h = th->font_px[FONT_HEADLINE] * (l->portrait ? 5 : 3) / 2;
    int more_h = th->font_px[FONT_TITLE] * 2;
    int y = a.y + (a.h - sp - l->gap - msg_h - more_h) / 2;
    if (y < a.y)
        y = a.y;
    ui_add(t, UI_SPINNER, ST_PLAIN, "inv.spinner", (SDL_Rect){a.x + (a.w - sp) / 2, y, sp, sp},
           NULL);
    y += sp + l->gap;
    struct ui_widget *m =
        inv_text(t, "inv.wait", (SDL_Rect){a.x, y, a.w, msg_h},
                 _("Issuing your invoice with the tax system..."), FONT_HEADLINE, ALIGN_CENTER);
    m->bold = 1;
    y += msg_h;
    inv_text(t, "inv.wait.detail", (SDL_Rect){a.x, y, a.w, more_h},
             _("This usually takes a few seconds."), FONT_TITLE, ALIGN_CENTER)
        ->fg = th->text_dim;
    (void)v;
}

void inv_screen_issued(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                       const struct layout *l, SDL_Rect a)
{
    const struct inv_flow *f = v->f;
    int bh = th->min_target * 3 / 2, gap = l->gap / 2;
    SDL_Rect left = inv_column(l, a, 0), right = inv_column(l, a, 1);
    int title_h = th->font_px[FONT_HEADLINE] * 3 / 2;
    struct ui_widget *w =
        inv_text(t, "inv.title", (SDL_Rect){left.x, left.y, left.w, title_h}, _("Invoice issued"),
                 FONT_HEADLINE, l->portrait ? ALIGN_CENTER : ALIGN_LEFT);
    w->bold = 1;
    w->fg = th->ok;
    int y = left.y + title_h;
    enum text_align al = l->portrait ? ALIGN_CENTER : ALIGN_LEFT;
    int cap_h = th->font_px[FONT_BODY] * 3 / 2, no_h = th->font_px[FONT_HEADLINE] * 3 / 2;
    inv_text(t, NULL, (SDL_Rect){left.x, y, left.w, cap_h}, _("Invoice number"), FONT_BODY, al)
        ->fg = th->text_dim;
    y += cap_h;
    char no[INV_NO_LEN * 2], to[120], line[200];
    inv_grouped(f->result.number, 4, no, sizeof no);
    inv_text(t, "inv.number", (SDL_Rect){left.x, y, left.w, no_h}, no, FONT_HEADLINE, al)->bold = 1;
    y += no_h;
    result_delivery(f, to, sizeof to);
    snprintf(line, sizeof line, _("Sent to %s"), to);
    int to_h = th->font_px[FONT_TITLE] * 3 / 2;
    inv_text(t, "inv.delivery", (SDL_Rect){left.x, y, left.w, to_h}, line, FONT_TITLE, al);
    y += to_h + gap;
    /* the print button: under the words (landscape) or over Finish (portrait) */
    SDL_Rect next = l->portrait ? (SDL_Rect){a.x, a.y + a.h - bh, a.w, bh}
                                : (SDL_Rect){right.x, right.y + right.h - bh, right.w, bh};
    SDL_Rect print = l->portrait ? (SDL_Rect){a.x, next.y - gap - bh, a.w, bh}
                                 : (SDL_Rect){left.x, left.y + left.h - bh, left.w, bh};
    const char *ptext = f->printed ? _("Slip printed") : _("Print a slip");
    struct ui_widget *b = ui_button(t, "inv.print", print, ptext, ST_SECONDARY);
    b->font = FONT_TITLE;
    b->disabled = !v->printer_ok || f->printed;
    if (!v->printer_ok && !f->printed)
        snprintf(b->sub, sizeof b->sub, "%s", _("The printer cannot print now"));
    /* the QR and its caption */
    SDL_Rect qa = l->portrait ? (SDL_Rect){a.x, y, a.w, print.y - gap - y}
                              : (SDL_Rect){right.x, right.y, right.w, next.y - gap - right.y};
    int qcap = th->font_px[FONT_BODY] * 2;
    int side = qa.h - qcap;
    if (side > qa.w * 6 / 10)
        side = qa.w * 6 / 10;
    if (f->result.url[0] && side > th->min_target) {
        SDL_Rect q = {qa.x + (qa.w - side) / 2, qa.y, side, side};
        ui_add(t, UI_PANEL, ST_CARD, NULL, q, NULL)->bg = 0xFFFFFFFF;
        ui_add(t, UI_QR, ST_PLAIN, "inv.qr", q, f->result.url);
        inv_text(t, "inv.qr.caption", (SDL_Rect){qa.x, q.y + side, qa.w, qcap},
                 _("Scan to download the PDF/OFD"), FONT_BODY, ALIGN_CENTER);
    }
    b = inv_primary(t, "inv.done", next, _("Finish"));
    b->on_enter = 1;
}

/* A title, a message (id msg_id), a quieter line and Finish: submitted, sent again,
 * refused. */
static void message(struct ui_tree *t, const struct theme *th, const struct layout *l,
                    SDL_Rect a, const char *title, uint32_t title_fg, const char *msg_id,
                    const char *msg, const char *more)
{
    int bh = th->min_target * 3 / 2;
    int title_h = th->font_px[FONT_HEADLINE] * (l->portrait ? 3 : 2);
    int msg_h = th->font_px[FONT_TITLE] * (l->portrait ? 6 : 4);
    int more_h = more ? th->font_px[FONT_BODY] * 3 : 0;
    int y = a.y + (l->portrait ? a.h / 10 : 0);
    struct ui_widget *w = inv_text(t, "inv.title", (SDL_Rect){a.x, y, a.w, title_h}, title,
                                   FONT_HEADLINE, ALIGN_CENTER);
    w->bold = 1;
    if (title_fg)
        w->fg = title_fg;
    y += title_h;
    if (y + msg_h > a.y + a.h - bh - more_h)
        msg_h = a.y + a.h - bh - more_h - y;
    inv_text(t, msg_id, (SDL_Rect){a.x, y, a.w, msg_h}, msg, FONT_TITLE, ALIGN_CENTER);
    y += msg_h;
    if (more)
        inv_text(t, "inv.message.more", (SDL_Rect){a.x, y, a.w, more_h}, more, FONT_BODY,
                 ALIGN_CENTER)
            ->fg = th->text_dim;
    SDL_Rect next = {a.x, a.y + a.h - bh, a.w, bh};
    if (!l->portrait)
        next = inv_column(l, (SDL_Rect){a.x, a.y + a.h - bh, a.w, bh}, 1);
    struct ui_widget *b = inv_primary(t, "inv.done", next, _("Finish"));
    b->on_enter = 1;
}

void inv_screen_submitted(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                          const struct layout *l, SDL_Rect a)
{
    const struct inv_flow *f = v->f;
    char to[120], msg[600];
    result_delivery(f, to, sizeof to);
    snprintf(msg, sizeof msg,
             f->offline ? _("The station system did not answer, so it is not known yet whether it has your request. The kiosk keeps asking. If it has it, your invoice will be sent to %s. If not, nothing is issued: invoice this receipt again later, here or with the QR code on it.")
                        : _("The tax system is busy. Your invoice will be sent to %s when it is issued. You may go."),
             to);
    message(t, th, l, a, f->offline ? _("Not confirmed yet") : _("Submitted"),
            f->offline ? th->warn : th->ok, "inv.message", msg,
            _("Please keep your receipt until the invoice arrives."));
}

void inv_screen_resent(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                       const struct layout *l, SDL_Rect a)
{
    const struct inv_flow *f = v->f;
    char to[120], msg[300];
    inv_typed_delivery(f, to, sizeof to);
    if (!to[0])
        snprintf(to, sizeof to, "%s", f->existing.delivery);
    snprintf(msg, sizeof msg, _("The invoice was sent again to %s."), to);
    message(t, th, l, a, _("Sent again"), th->ok, "inv.message", msg, NULL);
}

void inv_screen_refused(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                        const struct layout *l, SDL_Rect a)
{
    const struct inv_flow *f = v->f;
    const char *title = _("The invoice could not be issued"), *why = "";
    char more[200] = "";
    switch (f->refusal) {
    case INV_REF_STOCK:
        title = _("Please get this invoice at the counter");
        why = _("The station cannot invoice this fuel at the kiosk right now (refined-oil stock). Please ask at the counter: they will issue it.");
        if (f->refusal_detail[0])
            snprintf(more, sizeof more, _("Product: %s"), f->refusal_detail);
        break;
    case INV_REF_RECHARGE:
        title = _("This sale cannot be invoiced");
        why = _("It was paid with a fuel card whose recharge was invoiced already (充值已开票), so the fuel cannot be invoiced again.");
        break;
    case INV_REF_COUNTER:
        title = _("Please get this invoice at the counter");
        why = _("The amount is over what the kiosk may invoice, or the invoice must be a special VAT invoice (专票). The counter will issue it.");
        break;
    case INV_REF_WINDOW:
        title = _("This sale is too old to invoice here");
        why = _("The time for invoicing it at the kiosk has passed. Please ask at the counter.");
        break;
    case INV_REF_MERGE:
        title = _("These receipts cannot go on one invoice");
        why = _("Receipts of different stations, or fuel of different months, need invoices of their own. Please start again and invoice them one at a time.");
        break;
    case INV_REF_REISSUE_LIMIT:
        title = _("This invoice cannot be corrected again");
        why = _("Its title was corrected already. Please ask at the counter.");
        break;
    case INV_REF_JOURNAL:
        title = _("Nothing was sent");
        why = _("This kiosk could not keep a record of your request, so it did not send it. Please try again in a moment, or ask at the counter.");
        break;
    case INV_REF_OTHER:
    case INV_REF_NONE:
        why = _("The tax system did not accept it. Please ask at the counter: the staff can help you.");
        if (f->refusal_detail[0])
            snprintf(more, sizeof more, _("Reason given: %s"), f->refusal_detail);
        break;
    }
    char msg[600];
    snprintf(msg, sizeof msg, "%s\n%s", why, _("Your payment is not affected. Keep your receipt."));
    message(t, th, l, a, title, th->warn, "inv.refusal", msg, more[0] ? more : NULL);
}

/* Who issued an invoice that exists already. */
static const char *issued_by(const char *by)
{
    if (!strcmp(by, "kiosk"))
        return _("At a self-service kiosk");
    if (!strcmp(by, "phone"))
        return _("On a phone, from the receipt's QR code");
    if (!strcmp(by, "counter"))
        return _("At the counter");
    return by;
}

/* A buyer's name as shown to whoever holds the receipt: a company's in full, a person's
 * masked (张*). The invoice does not say which it is: a name of at most four characters is
 * taken for a person's. */
static void shown_buyer(const char *name, char *out, size_t cap)
{
    size_t chars = 0;
    for (const char *p = name; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    if (chars <= 4 && strcmp(name, "个人") != 0)
        mask_name(name, out, cap);
    else
        snprintf(out, cap, "%s", name);
}

void inv_screen_existing(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                         const struct layout *l, SDL_Rect a)
{
    const struct inv_flow *f = v->f;
    const struct inv_invoice *x = &f->existing;
    int bh = th->min_target * 3 / 2, gap = l->gap / 2;
    inv_notice(t, th, v, &a);
    SDL_Rect left = inv_column(l, a, 0), right = inv_column(l, a, 1);
    inv_headline(t, "inv.title", &left, th->font_px[FONT_HEADLINE] * 3 / 2,
                 _("This sale already has an invoice"));
    int pending = !strcmp(x->status, "PENDING") || !x->number[0];
    int rh = th->font_px[FONT_TITLE] * 3 / 2, y = left.y;
    char no[INV_NO_LEN * 2];
    inv_grouped(x->number, 4, no, sizeof no);
    inv_pair_row(t, (SDL_Rect){left.x, y, left.w, rh}, _("Invoice number"),
                 pending ? _("Being issued") : no, FONT_TITLE, 1, "inv.number", 35);
    y += rh;
    inv_pair_row(t, (SDL_Rect){left.x, y, left.w, rh}, _("Issued"), issued_by(x->by), FONT_BODY, 0,
                 "inv.by", 35);
    y += rh;
    if (x->buyer_name[0]) {
        /* a company's name: under its word, the width of the column */
        int nh = th->font_px[FONT_TITLE] * 3;
        char name[INV_NAME_LEN];
        shown_buyer(x->buyer_name, name, sizeof name);
        inv_text(t, "inv.buyer.label", (SDL_Rect){left.x, y, left.w, rh}, _("Buyer"), FONT_BODY,
                 ALIGN_LEFT);
        inv_text(t, "inv.buyer", (SDL_Rect){left.x, y + rh, left.w, nh}, name, FONT_TITLE,
                 ALIGN_LEFT);
        y += rh + nh;
    }
    inv_pair_row(t, (SDL_Rect){left.x, y, left.w, rh}, _("Sent to"), x->delivery, FONT_BODY, 0,
                 "inv.delivery", 35);
    y += rh + l->gap;
    /* what can be done with it */
    SDL_Rect col = l->portrait ? (SDL_Rect){a.x, y, a.w, a.y + a.h - y} : right;
    SDL_Rect next = {col.x, col.y + col.h - bh, col.w, bh};
    int corr = x->reissues_left > 0 && f->nsales <= 1;
    int by = next.y - l->gap - bh;
    struct ui_widget *b;
    if (corr) {
        b = ui_button(t, "inv.correct", (SDL_Rect){col.x, by, col.w, bh},
                      _("Wrong title? Correct it"), ST_SECONDARY);
        b->font = FONT_TITLE;
        snprintf(b->sub, sizeof b->sub, "%s",
                 _("A red-letter invoice (红字发票) cancels it; a new one is issued"));
        b->disabled = pending;
        by -= bh + gap;
    }
    b = ui_button(t, "inv.resend", (SDL_Rect){col.x, by, col.w, bh}, _("Send it again"),
                  ST_SECONDARY);
    b->font = FONT_TITLE;
    snprintf(b->sub, sizeof b->sub, "%s",
             pending ? _("It is sent by itself when it is issued")
                     : _("To a phone number or email you type"));
    b->disabled = pending;
    b = inv_primary(t, "inv.done", next, _("Finish"));
    b->on_enter = 1;
}
