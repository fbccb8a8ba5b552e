#include <stdio.h>
#include <string.h>

#include "kiosk/core/i18n.h"
#include "kiosk/core/money.h"
#include "kiosk/ui/screens/screens.h"

/* Pay for fuel: pump grid, the bill, QR / payment code, waiting, receipt, failure. */

static const char *screen_name(const struct checkout *c)
{
    enum co_state s = c->state;
    if (s == CO_PRICING && (c->pricing_round > 1 || !c->has_sale))
        return "review";
    switch (s) {
    case CO_PUMPS:
    case CO_SALES: return "pumps";
    case CO_REVIEW:
    case CO_LOOKUP: return "review";
    case CO_QR: return "pay_qr";
    case CO_CODE: return "pay_code";
    case CO_DONE: return "done";
    case CO_FAILED: return "failed";
    default: return "wait";
    }
}

/* "3号 92# 45.12 L ¥331.18" in the current language. */
static void sale_line(const struct co_sale *s, char *out, size_t cap)
{
    char vol[24], amt[32];
    volume_format(s->volume_ml, vol, sizeof vol);
    money_format(s->amount_fen, amt, sizeof amt);
    snprintf(out, cap, "%s  %s  %s", s->grade, vol, amt);
}

static void pumps(struct ui_tree *t, const struct theme *th, const struct view *v,
                  const struct layout *l)
{
    const struct checkout *c = v->co;
    int title_h = th->font_px[FONT_HEADLINE] * 2;
    SDL_Rect a = l->content;
    struct ui_widget *tw = ui_label(t, (SDL_Rect){a.x, a.y, a.w, title_h}, _("Which pump did you use?"),
                                    FONT_HEADLINE, ALIGN_LEFT);
    snprintf(tw->id, sizeof tw->id, "pumps.title");
    tw->bold = 1;
    int top = a.y + title_h;
    if (l->portrait && top < t->h * 16 / 100)
        top = t->h * 16 / 100;
    a.h -= top - a.y;
    a.y = top;
    int cols = l->portrait ? 2 : 4, rows = (c->npumps + cols - 1) / cols;
    if (rows < 1)
        rows = 1;
    int w = (a.w - (cols - 1) * l->gap) / cols, h = (a.h - (rows - 1) * l->gap) / rows;
    if (h > th->min_target * 3)
        h = th->min_target * 3;
    for (int i = 0; i < c->npumps; i++) {
        const struct co_pump *p = &c->pumps[i];
        char id[UI_ID_LEN], title[64];
        snprintf(id, sizeof id, "pump.%d", p->pump);
        snprintf(title, sizeof title, _("Pump %d"), p->pump);
        SDL_Rect r = {a.x + (i % cols) * (w + l->gap), a.y + (i / cols) * (h + l->gap), w, h};
        struct ui_widget *b = ui_button(t, id, r, title, ST_TILE);
        b->font = FONT_HEADLINE;
        b->align = ALIGN_LEFT;
        if (p->nsales == 0) {
            b->unavailable = 1;
            snprintf(b->sub, sizeof b->sub, "%s", _("Nothing to pay"));
        } else if (p->nsales == 1 && p->sales[0].locked_elsewhere) {
            b->unavailable = 1;
            snprintf(b->sub, sizeof b->sub, "%s", _("Being paid at another terminal"));
        } else if (p->nsales == 1) {
            sale_line(&p->sales[0], b->sub, sizeof b->sub);
            b->style = ST_PRIMARY;
            b->font = FONT_HEADLINE;
        } else {
            snprintf(b->sub, sizeof b->sub, _("%d sales to choose from"), p->nsales);
            b->style = ST_PRIMARY;
        }
    }
}

/* The dialog over the pump grid when a pump has several unpaid sales. */
static void sales_dialog(struct ui_tree *t, const struct theme *th, const struct view *v)
{
    const struct checkout *c = v->co;
    if (c->pump_idx >= 0) {
        const struct co_pump *p = &c->pumps[c->pump_idx];
        int side = t->w < t->h ? t->w : t->h, pad = side * 5 / 100;
        int bh = th->min_target * 3 / 2, dw = side * 86 / 100;
        int dh = pad * 3 + th->font_px[FONT_HEADLINE] * 2 + (p->nsales + 1) * (bh + pad / 2);
        SDL_Rect d = {(t->w - dw) / 2, (t->h - dh) / 2, dw, dh};
        ui_modal_begin(t);
        ui_add(t, UI_PANEL, ST_DIALOG, NULL, d, NULL);
        char title[64];
        snprintf(title, sizeof title, _("Pump %d: which sale is yours?"), p->pump);
        struct ui_widget *dt = ui_label(t, (SDL_Rect){d.x + pad, d.y + pad, dw - 2 * pad,
                                                      th->font_px[FONT_HEADLINE] * 2},
                                        title, FONT_TITLE, ALIGN_CENTER);
        dt->bold = 1;
        snprintf(dt->id, sizeof dt->id, "dialog.title");
        int y = d.y + pad + th->font_px[FONT_HEADLINE] * 2 + pad / 2;
        for (int i = 0; i < p->nsales; i++) {
            char id[UI_ID_LEN], line[96];
            snprintf(id, sizeof id, "sale.%d", i);
            sale_line(&p->sales[i], line, sizeof line);
            struct ui_widget *b = ui_button(t, id, (SDL_Rect){d.x + pad, y, dw - 2 * pad, bh}, line,
                                            p->sales[i].locked_elsewhere ? ST_TILE : ST_SECONDARY);
            b->font = FONT_TITLE;
            if (p->sales[i].locked_elsewhere) {
                b->unavailable = 1;
                snprintf(b->sub, sizeof b->sub, "%s", _("Being paid at another terminal"));
            }
            y += bh + pad / 2;
        }
        ui_button(t, "co.cancel", (SDL_Rect){d.x + pad, y, dw - 2 * pad, bh}, _("Back"),
                  ST_SECONDARY)->font = FONT_TITLE;
    }
}

/* A row of the bill: words left, figure right. */
static void bill_row(struct ui_tree *t, SDL_Rect r, const char *left, const char *right,
                     enum font_role f, int bold, const char *id)
{
    struct ui_widget *a = ui_label(t, (SDL_Rect){r.x, r.y, r.w * 55 / 100, r.h}, left, f, ALIGN_LEFT);
    a->bold = bold;
    struct ui_widget *b = ui_label(t, (SDL_Rect){r.x + r.w * 55 / 100, r.y, r.w * 45 / 100, r.h},
                                   right, f, ALIGN_RIGHT);
    b->bold = bold;
    if (id)
        snprintf(b->id, sizeof b->id, "%s", id);
}

/* The bill: the fuel sale, each shop item with - and + keys, and the total, biggest. */
static void bill(struct ui_tree *t, const struct theme *th, const struct view *v, SDL_Rect a)
{
    const struct checkout *c = v->co;
    char buf[96], buf2[64];
    int rh = th->font_px[FONT_BODY] * 2, pad = th->min_target / 3;
    ui_add(t, UI_PANEL, ST_CARD, NULL, a, NULL);
    SDL_Rect r = {a.x + pad, a.y + pad / 2, a.w - 2 * pad, rh};
    if (c->has_sale) {
        snprintf(buf, sizeof buf, _("Pump %d"), c->sale.pump);
        volume_format(c->sale.volume_ml, buf2, sizeof buf2);
        char left[200];
        snprintf(left, sizeof left, "%s  %s  %s", buf, c->sale.grade, buf2);
        money_format(c->sale.amount_fen, buf, sizeof buf);
        bill_row(t, r, left, buf, FONT_BODY, 0, "review.fuel");
        r.y += rh;
    }
    int key = th->min_target;
    for (int i = 0; i < c->nitems; i++) {
        const struct co_item *it = &c->items[i];
        char id[UI_ID_LEN], name[96];
        snprintf(name, sizeof name, "%s", strcmp(v->lang, "zh_CN") ? it->name_en : it->name_zh);
        SDL_Rect row = {r.x, r.y + (key + 8 - rh) / 2, r.w - 3 * key - 24, rh};
        money_format(it->unit_fen * it->qty, buf, sizeof buf);
        snprintf(id, sizeof id, "item.%d.amount", i);
        bill_row(t, row, name, buf, FONT_BODY, 0, id);
        if (t->n >= 2)
            snprintf(t->v[t->n - 2].id, sizeof t->v[0].id, "item.%d.name", i);
        int kx = r.x + r.w - 3 * key - 8;
        snprintf(id, sizeof id, "item.%d.less", i);
        ui_button(t, id, (SDL_Rect){kx, r.y, key, key}, "-", ST_KEY)->font = FONT_TITLE;
        snprintf(buf, sizeof buf, "%d", it->qty);
        struct ui_widget *q = ui_label(t, (SDL_Rect){kx + key, r.y, key, key}, buf, FONT_TITLE,
                                       ALIGN_CENTER);
        snprintf(q->id, sizeof q->id, "item.%d.qty", i);
        snprintf(id, sizeof id, "item.%d.more", i);
        ui_button(t, id, (SDL_Rect){kx + 2 * key, r.y, key, key}, "+", ST_KEY)->font = FONT_TITLE;
        r.y += key + 8;
    }
    if (!c->has_sale && c->nitems == 0) {
        struct ui_widget *e = ui_label(t, r, _("Scan the barcode of each item"), FONT_BODY,
                                       ALIGN_LEFT);
        snprintf(e->id, sizeof e->id, "review.empty");
        r.y += rh;
    }
    money_format(c->total_fen, buf, sizeof buf);
    r.y = a.y + a.h - th->font_px[FONT_DISPLAY] * 3 / 2 - pad / 2;
    r.h = th->font_px[FONT_DISPLAY] * 3 / 2;
    bill_row(t, r, _("To pay"), buf, FONT_DISPLAY, 1, "review.total");
}

static const char *notice_text(enum co_notice n)
{
    switch (n) {
    case CO_NOTE_NOT_PAYCODE:
        return _("That is not a WeChat or Alipay payment code. Nothing was charged; please try again.");
    case CO_NOTE_NOT_BARCODE: return _("That is not a product barcode. Please scan the item's barcode.");
    case CO_NOTE_UNKNOWN_ITEM: return _("This item is not sold here. Please ask at the counter.");
    case CO_NOTE_CART_FULL: return _("The bill is full. Please pay, then start a new one.");
    case CO_NOTE_LOOKUP_FAILED: return _("The item could not be looked up. Please scan it again.");
    case CO_NOTE_NONE: break;
    }
    return "";
}

static void review(struct ui_tree *t, const struct theme *th, const struct view *v,
                   const struct layout *l)
{
    const struct checkout *c = v->co;
    SDL_Rect a = l->content;
    int busy = c->state == CO_LOOKUP || c->state == CO_PRICING;
    int lines = (c->has_sale ? 1 : 0) + c->nitems + (!c->has_sale && !c->nitems ? 1 : 0);
    int bill_h = th->font_px[FONT_BODY] * 2 * (c->has_sale ? 1 : 0) +
                 (th->min_target + 8) * c->nitems + th->font_px[FONT_BODY] * 2 *
                 (lines == 1 && !c->nitems ? 1 : 0) + th->font_px[FONT_DISPLAY] * 3 / 2 +
                 th->min_target / 2 + th->font_px[FONT_BODY];
    int bh = th->min_target * 3 / 2;
    if (l->portrait && a.y < t->h * 12 / 100) {
        a.h -= t->h * 12 / 100 - a.y;
        a.y = t->h * 12 / 100;
    }
    int max_bill = l->portrait ? a.h / 2 : a.h;
    if (bill_h > max_bill)
        bill_h = max_bill;
    SDL_Rect billr = {a.x, a.y, l->portrait ? a.w : a.w / 2 - l->gap / 2, bill_h};
    bill(t, th, v, billr);
    SDL_Rect pay = l->portrait ? (SDL_Rect){a.x, a.y + bill_h + l->gap, a.w, a.h - bill_h - l->gap}
                               : (SDL_Rect){a.x + a.w / 2 + l->gap / 2, a.y, a.w / 2 - l->gap / 2, a.h};
    int y = pay.y;
    const char *note = notice_text(c->message);
    if (note[0] || !v->printer_ok) {
        struct ui_widget *n = ui_label(t, (SDL_Rect){pay.x, y, pay.w, bh},
                                       note[0] ? note
                                               : _("The printer cannot print now: you will get your receipt as a QR code on screen."),
                                       FONT_BODY, ALIGN_LEFT);
        n->style = ST_NOTICE;
        snprintf(n->id, sizeof n->id, "%s", note[0] ? "review.notice" : "review.printer");
        y += bh + l->gap / 2;
    }
    struct ui_widget *h = ui_label(t, (SDL_Rect){pay.x, y, pay.w, th->font_px[FONT_TITLE] * 2},
                                   _("How would you like to pay?"), FONT_TITLE, ALIGN_LEFT);
    h->bold = 1;
    y += th->font_px[FONT_TITLE] * 2;
    int no_pay = busy || c->total_fen <= 0;
    struct ui_widget *b = ui_button(t, "pay.code", (SDL_Rect){pay.x, y, pay.w, bh * 3 / 2},
                                    _("Show your payment code"), ST_PRIMARY);
    snprintf(b->sub, sizeof b->sub, "%s", _("WeChat or Alipay, to the scanner"));
    b->disabled = no_pay;
    y += bh * 3 / 2 + l->gap / 2;
    b = ui_button(t, "pay.qr.wechat", (SDL_Rect){pay.x, y, pay.w / 2 - l->gap / 4, bh * 3 / 2},
                  _("Scan a QR: WeChat"), ST_SECONDARY);
    b->font = FONT_TITLE;
    b->disabled = no_pay;
    b = ui_button(t, "pay.qr.alipay",
                  (SDL_Rect){pay.x + pay.w / 2 + l->gap / 4, y, pay.w / 2 - l->gap / 4, bh * 3 / 2},
                  _("Scan a QR: Alipay"), ST_SECONDARY);
    b->font = FONT_TITLE;
    b->disabled = no_pay;
    y += bh * 3 / 2 + l->gap / 2;
    struct ui_widget *hint = ui_label(t, (SDL_Rect){pay.x, y, pay.w, th->font_px[FONT_BODY] * 3},
                                      _("Buying something from the shop? Scan its barcode to add it."),
                                      FONT_BODY, ALIGN_LEFT);
    hint->fg = th->text_dim;
    snprintf(hint->id, sizeof hint->id, "review.scan");
}

static void pay_qr(struct ui_tree *t, const struct theme *th, const struct view *v,
                   const struct layout *l)
{
    const struct checkout *c = v->co;
    SDL_Rect a = l->content;
    char amt[32], title[96];
    money_format(c->total_fen, amt, sizeof amt);
    snprintf(title, sizeof title, _("Scan with %s to pay %s"),
             !strcmp(c->channel, "alipay") ? _("Alipay") : _("WeChat"), amt);
    struct ui_widget *tw = ui_label(t, (SDL_Rect){a.x, a.y, a.w, th->font_px[FONT_HEADLINE] * 2},
                                    title, FONT_HEADLINE, ALIGN_CENTER);
    tw->bold = 1;
    snprintf(tw->id, sizeof tw->id, "qr.title");
    int cd = th->font_px[FONT_HEADLINE] * 2;
    int side = a.h - th->font_px[FONT_HEADLINE] * 2 - cd - l->gap;
    if (side > a.w * 7 / 10)
        side = a.w * 7 / 10;
    SDL_Rect q = {a.x + (a.w - side) / 2, a.y + th->font_px[FONT_HEADLINE] * 2, side, side};
    ui_add(t, UI_PANEL, ST_CARD, NULL, q, NULL)->bg = 0xFFFFFFFF;
    ui_add(t, UI_QR, ST_PLAIN, "qr.code", q, c->code_url);
    struct ui_widget *ring = ui_add(t, UI_COUNTDOWN, ST_PLAIN, "qr.countdown",
                                    (SDL_Rect){a.x + (a.w - cd) / 2, q.y + q.h + l->gap, cd, cd}, NULL);
    int64_t left = c->deadline_ms - v->now_ms;
    ring->value = left > 0 ? (int)((left + 999) / 1000) : 0;
    ring->max = CO_QR_LIFETIME_MS / 1000;
}

static void pay_code(struct ui_tree *t, const struct theme *th, const struct view *v,
                     const struct layout *l)
{
    const struct checkout *c = v->co;
    SDL_Rect a = l->content;
    char amt[32], title[96];
    money_format(c->total_fen, amt, sizeof amt);
    snprintf(title, sizeof title, _("Pay %s with your payment code"), amt);
    struct ui_widget *tw = ui_label(t, (SDL_Rect){a.x, a.y, a.w, th->font_px[FONT_HEADLINE] * 3},
                                    title, FONT_HEADLINE, ALIGN_CENTER);
    tw->bold = 1;
    snprintf(tw->id, sizeof tw->id, "code.title");
    struct ui_widget *i = ui_label(t, (SDL_Rect){a.x, a.y + th->font_px[FONT_HEADLINE] * 3, a.w,
                                                 th->font_px[FONT_TITLE] * 4},
                                   _("Open WeChat or Alipay, show the payment code and hold it to the scanner below the screen."),
                                   FONT_TITLE, ALIGN_CENTER);
    snprintf(i->id, sizeof i->id, "code.help");
    /* A picture of what to do: the phone's code over the scanner window below the screen. */
    int top = a.y + th->font_px[FONT_HEADLINE] * 3 + th->font_px[FONT_TITLE] * 4;
    int pic = a.y + a.h - top - (c->message ? th->min_target * 2 + l->gap : 0);
    if (pic > a.w * 6 / 10)
        pic = a.w * 6 / 10;
    if (pic > th->min_target) {
        struct ui_widget *img = ui_add(t, UI_IMAGE, ST_PLAIN, "code.picture",
                                       (SDL_Rect){a.x + (a.w - pic) / 2, top, pic, pic}, NULL);
        snprintf(img->image, sizeof img->image, "icons/paycode.png");
        img->bg = th->bg;
    }
    if (c->message == CO_NOTE_NOT_PAYCODE) {
        struct ui_widget *n = ui_label(t, (SDL_Rect){a.x, a.y + a.h - th->min_target * 2, a.w,
                                                     th->min_target * 2},
                                       _("That is not a WeChat or Alipay payment code. Nothing was charged; please try again."),
                                       FONT_BODY, ALIGN_CENTER);
        n->style = ST_NOTICE;
        snprintf(n->id, sizeof n->id, "code.refused");
    }
}

static void waiting(struct ui_tree *t, const struct theme *th, const struct view *v,
                    const struct layout *l)
{
    const struct checkout *c = v->co;
    const char *msg = _("One moment...");
    switch (c->state) {
    case CO_LOADING: msg = _("Reading the pumps..."); break;
    case CO_LOCKING:
    case CO_PRICING: msg = _("Working out your bill..."); break;
    case CO_QR_WAIT: msg = _("Making your payment QR code..."); break;
    case CO_PAYING: msg = _("Paying..."); break;
    case CO_USERPAYING: msg = _("Please confirm the payment on your phone."); break;
    case CO_CANCELLING: msg = _("Cancelling the payment..."); break;
    case CO_COMPLETING: msg = _("Paid. Printing your receipt..."); break;
    default: break;
    }
    SDL_Rect a = l->content;
    int sp = th->min_target * 2;
    ui_add(t, UI_SPINNER, ST_PLAIN, "wait.spinner",
           (SDL_Rect){a.x + (a.w - sp) / 2, a.y + a.h / 3 - sp, sp, sp}, NULL);
    struct ui_widget *m = ui_label(t, (SDL_Rect){a.x, a.y + a.h / 3 + l->gap, a.w,
                                                 th->font_px[FONT_HEADLINE] * 3},
                                   msg, FONT_HEADLINE, ALIGN_CENTER);
    snprintf(m->id, sizeof m->id, "wait.message");
    if (c->state == CO_USERPAYING) {
        char amt[32];
        money_format(c->total_fen, amt, sizeof amt);
        ui_label(t, (SDL_Rect){a.x, a.y + a.h / 3 + l->gap + th->font_px[FONT_HEADLINE] * 3, a.w,
                               th->font_px[FONT_DISPLAY] * 2},
                 amt, FONT_DISPLAY, ALIGN_CENTER)->bold = 1;
    }
}

static void done(struct ui_tree *t, const struct theme *th, const struct view *v,
                 const struct layout *l)
{
    const struct checkout *c = v->co;
    SDL_Rect a = l->content;
    char amt[32], line[128];
    money_format(c->total_fen, amt, sizeof amt);
    snprintf(line, sizeof line, _("Paid %s"), amt);
    struct ui_widget *tw = ui_label(t, (SDL_Rect){a.x, a.y, a.w, th->font_px[FONT_DISPLAY] * 2},
                                    line, FONT_DISPLAY, ALIGN_CENTER);
    tw->bold = 1;
    tw->fg = th->ok;
    snprintf(tw->id, sizeof tw->id, "done.title");
    int y = a.y + th->font_px[FONT_DISPLAY] * 2;
    const char *rec = c->printed > 0    ? _("Your receipt is printed. Please take it.")
                      : c->printed == 0 ? _("Printing your receipt...")
                                        : _("The receipt could not be printed: scan the code below for your e-receipt.");
    struct ui_widget *r = ui_label(t, (SDL_Rect){a.x, y, a.w, th->font_px[FONT_TITLE] * 3}, rec,
                                   FONT_TITLE, ALIGN_CENTER);
    snprintf(r->id, sizeof r->id, "done.receipt");
    y += th->font_px[FONT_TITLE] * 3;
    snprintf(line, sizeof line, _("Transaction %s"), c->txn_no);
    ui_label(t, (SDL_Rect){a.x, y, a.w, th->font_px[FONT_BODY] * 2}, line, FONT_BODY, ALIGN_CENTER);
    y += th->font_px[FONT_BODY] * 2;
    int side = (a.w < a.h ? a.w : a.h) * 45 / 100;
    /* room for the caption and the "print again" button above the footer */
    int room = a.y + a.h - y - th->font_px[FONT_BODY] * 2 - th->min_target * 2;
    if (side > room)
        side = room;
    if (v->invoice_url && v->invoice_url[0] && side > 100) {
        SDL_Rect q = {a.x + (a.w - side) / 2, y, side, side};
        ui_add(t, UI_QR, ST_PLAIN, "done.invoice", q, v->invoice_url);
        ui_label(t, (SDL_Rect){a.x, y + side, a.w, th->font_px[FONT_BODY] * 2},
                 _("Scan for your e-receipt and e-invoice"), FONT_BODY, ALIGN_CENTER);
    }
}

static void failed(struct ui_tree *t, const struct theme *th, const struct view *v,
                   const struct layout *l)
{
    const struct checkout *c = v->co;
    const char *title = _("Payment not completed"), *why = "";
    switch (c->error) {
    case CO_ERR_OFFLINE:
        title = _("The station system is not answering");
        why = _("Nothing was charged. Please pay at the counter, or try again in a few minutes.");
        break;
    case CO_ERR_SALE_TAKEN:
        title = _("This sale cannot be paid here");
        why = _("It is paid already or being paid at another terminal. Nothing was charged.");
        break;
    case CO_ERR_DECLINED:
        title = _("The payment was declined");
        why = _("Nothing was charged. You can try another way to pay.");
        break;
    case CO_ERR_NOT_CONFIRMED:
        title = _("The payment was not confirmed in time");
        why = _("It was cancelled and nothing was charged.");
        break;
    case CO_ERR_QR_EXPIRED:
        title = _("The QR code expired");
        why = _("Nobody paid it, so nothing was charged.");
        break;
    case CO_ERR_CANCELLED:
        title = _("Payment cancelled");
        why = _("Nothing was charged.");
        break;
    case CO_ERR_REVERSED:
        title = _("Payment cancelled and refunded");
        why = _("The money goes back to where it came from.");
        break;
    default:
        break;
    }
    SDL_Rect a = l->content;
    struct ui_widget *tw = ui_label(t, (SDL_Rect){a.x, a.y, a.w, th->font_px[FONT_HEADLINE] * 3},
                                    title, FONT_HEADLINE, ALIGN_CENTER);
    tw->bold = 1;
    snprintf(tw->id, sizeof tw->id, "failed.title");
    struct ui_widget *w = ui_label(t, (SDL_Rect){a.x, a.y + th->font_px[FONT_HEADLINE] * 3, a.w,
                                                 th->font_px[FONT_TITLE] * 4},
                                   why, FONT_TITLE, ALIGN_CENTER);
    snprintf(w->id, sizeof w->id, "failed.money");
}

void screen_checkout(struct ui_tree *t, const struct theme *th, const struct view *v)
{
    const struct checkout *c = v->co;
    struct layout l;
    snprintf(t->screen, sizeof t->screen, "%s", screen_name(c));
    chrome_layout(&l, t, th);
    chrome_header(t, &l, v, c->has_sale || c->state < CO_REVIEW ? _("Pay for fuel") : _("Shop"));
    switch (c->state) {
    case CO_PUMPS:
    case CO_SALES: pumps(t, th, v, &l); break;
    case CO_REVIEW:
    case CO_LOOKUP: review(t, th, v, &l); break;
    case CO_PRICING:
        if (c->pricing_round > 1 || !c->has_sale)
            review(t, th, v, &l); /* repricing: keep the bill on screen */
        else
            waiting(t, th, v, &l);
        break;
    case CO_QR: pay_qr(t, th, v, &l); break;
    case CO_CODE: pay_code(t, th, v, &l); break;
    case CO_DONE: done(t, th, v, &l); break;
    case CO_FAILED: failed(t, th, v, &l); break;
    default: waiting(t, th, v, &l); break;
    }
    /* Footer: the way out bottom-left (only while no money is in flight), language right.
     * Done and failure screens have their one obvious action in the primary place. */
    const char *back_id = NULL, *back = NULL;
    if (c->state == CO_DONE || c->state == CO_FAILED) {
        int bw = l.footer.w * 60 / 100;
        if (c->state == CO_DONE && c->printed != 0 && checkout_can_reprint(c, v->now_ms)) {
            int rh = l.footer.h;
            ui_button(t, "done.reprint", (SDL_Rect){l.footer.x, l.footer.y - rh - l.gap / 2, bw, rh},
                      _("Print the receipt again"), ST_SECONDARY)->font = FONT_TITLE;
        }
        ui_button(t, c->state == CO_DONE ? "done.ok" : "failed.ok",
                  (SDL_Rect){l.footer.x, l.footer.y, bw, l.footer.h}, _("Finish"), ST_PRIMARY);
    } else if (c->state == CO_CODE) {
        back_id = "co.cancel", back = _("Back");
    } else if (c->state == CO_QR || c->state == CO_USERPAYING) {
        back_id = "co.cancel", back = _("Cancel payment");
    } else if (!checkout_busy(c) && c->state != CO_SALES) {
        back_id = "co.cancel", back = _("Cancel");
    }
    chrome_footer(t, &l, v, back_id, back);
    if (c->state == CO_SALES)
        sales_dialog(t, th, v);
}
