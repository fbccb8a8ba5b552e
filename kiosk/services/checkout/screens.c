#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "core/money.h"
#include "screens.h"

/* Pay for fuel and shop goods: pump grid, the bill, QR / payment code, waiting, receipt,
 * failure. The member page is in member.c. */

/* What the customer sees: while the journal writes, the state it writes for. */
static enum co_state shown(const struct co_flow *c)
{
    return c->state == CO_JOURNALING ? c->after : c->state;
}

static const char *screen_name(const struct co_flow *c)
{
    enum co_state s = shown(c);
    /* the first pricing of a pump sale or a recharge shows no bill yet (nothing to show) */
    int on_page = s == CO_PRICING ? c->priced || (!c->has_sale && !c->recharge)
                                  : s == CO_LOOKUP || s == CO_PRINTER_CHECK || s == CO_NO_PRINTER;
    if (on_page)
        return c->page == CO_MEMBER ? "member" : "review";
    switch (s) {
    case CO_PUMPS:
    case CO_SALES: return "pumps";
    case CO_REVIEW: return "review";
    case CO_MEMBER: return "member";
    case CO_QR: return "pay_qr";
    case CO_CODE: return "pay_code";
    case CO_DONE: return "done";
    case CO_FAILED: return "failed";
    default: return "wait";
    }
}

/* What the screen says aloud (a prompt id of audio/voice.h), or NULL: the next action of
 * each step, and on the last screens what became of the money. Waiting screens say
 * nothing. */
static const char *prompt_of(const struct co_flow *c, const char *name)
{
    if (c->state == CO_SALES)
        return "pick_sale";
    if (c->state == CO_NO_PRINTER)
        return "no_printer";
    if (!strcmp(name, "pumps"))
        return "pick_pump";
    if (!strcmp(name, "review"))
        return c->shop ? "scan_items" : "check_bill";
    if (!strcmp(name, "member"))
        return c->has_member ? "member_offers" : "member_sign_in";
    if (!strcmp(name, "pay_qr"))
        return "scan_qr";
    if (!strcmp(name, "pay_code"))
        return "show_code";
    if (!strcmp(name, "done"))
        return c->printed >= 0 ? "paid_take_receipt" : "paid_e_receipt";
    if (!strcmp(name, "failed")) {
        switch (c->error) { /* as the screen says it (failed() below) */
        case CO_ERR_REVERSED: return "refunded";
        case CO_ERR_UNSETTLED:
        case CO_ERR_UNKNOWN:
        case CO_OK:
        case CO_ERR_LAST: return "ask_counter";
        default: return "not_charged";
        }
    }
    return shown(c) == CO_USERPAYING ? "confirm_on_phone" : NULL;
}

/* The widest a button bottom-left may be: it leaves the Sound and language buttons free. */
static int footer_main_w(const struct layout *l)
{
    int room = l->sound.x - l->gap - l->footer.x, most = l->footer.w * 60 / 100;
    return room < most ? room : most;
}

/* The steps of the flow, the current one marked: "1 Pump  2 Bill  3 Pay  4 Receipt". */
static int steps(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                 const struct layout *l)
{
    const struct co_flow *c = v->co;
    const char *fuel[] = {N_("Pump"), N_("Bill"), N_("Pay"), N_("Done")};
    const char *shop[] = {N_("Items"), N_("Pay"), N_("Done")};
    const char *recharge[] = {N_("Bill"), N_("Pay"), N_("Done")};
    int fuel_flow = !c->shop && !c->recharge;
    int n = fuel_flow ? 4 : 3, cur;
    const char *const *names = fuel_flow ? fuel : c->recharge ? recharge : shop;
    enum co_state st = shown(c);
    if (st <= CO_SALES)
        cur = 0;
    else if (st <= CO_MEMBER || st == CO_PRINTER_CHECK || st == CO_NO_PRINTER)
        cur = 1;
    else if (st < CO_DONE)
        cur = 2;
    else
        cur = 3;
    if (!fuel_flow)
        cur = cur > 0 ? cur - 1 : 0;
    return chrome_steps(t, l, th, names, n, cur);
}

/* "92#  45.12 L  ¥331.18" in the current language. */
static void sale_line(const struct co_sale *s, char *out, size_t cap)
{
    char vol[24], amt[32];
    volume_format(s->volume_ml, vol, sizeof vol);
    money_format(s->amount_fen, amt, sizeof amt);
    snprintf(out, cap, "%s  %s  %s", s->grade, vol, amt);
}

static void pumps(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                  const struct layout *l, SDL_Rect a)
{
    const struct co_flow *c = v->co;
    int title_h = th->font_px[FONT_HEADLINE] * 2;
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
            /* what the driver looks for: grade, litres and amount, large */
            sale_line(&p->sales[0], b->sub, sizeof b->sub);
            b->style = ST_PRIMARY;
            b->sub_font = FONT_BODY;
        } else {
            snprintf(b->sub, sizeof b->sub, _("%d sales to choose from"), p->nsales);
            b->style = ST_PRIMARY;
        }
    }
}

/* The dialog over the pump grid when a pump has several unpaid sales. */
static void sales_dialog(struct ui_tree *t, const struct theme *th, const struct co_view *v)
{
    const struct co_flow *c = v->co;
    if (c->pump_idx < 0)
        return;
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

/* A row of the bill: words left, figure right. */
static void bill_row(struct ui_tree *t, SDL_Rect r, const char *left, const char *right,
                     enum font_role f, int bold, const char *id)
{
    struct ui_widget *a = ui_label(t, (SDL_Rect){r.x, r.y, r.w * 60 / 100, r.h}, left, f, ALIGN_LEFT);
    a->bold = bold;
    struct ui_widget *b = ui_label(t, (SDL_Rect){r.x + r.w * 60 / 100, r.y, r.w * 40 / 100, r.h},
                                   right, f, ALIGN_RIGHT);
    b->bold = bold;
    if (id) {
        snprintf(b->id, sizeof b->id, "%s", id);
        snprintf(a->id, sizeof a->id, "%s.label", id);
    }
}

/* The height of the bill's lines: the fuel sale, the items with their keys, the discounts. */
static int lines_height(const struct theme *th, const struct co_flow *c)
{
    int rh = th->font_px[FONT_BODY] * 2;
    int h = c->has_sale ? rh : 0;
    h += (th->min_target + 8) * c->nitems;
    h += rh * c->price.ndiscounts;
    h += !c->has_sale && !c->nitems ? rh : 0; /* the empty bill's line, a recharge's first */
    h += c->recharge ? rh : 0;                /* ... and its card */
    return h;
}

/* The whole bill card: its lines, the total row and the padding. */
static int bill_height(const struct theme *th, const struct co_flow *c)
{
    return lines_height(th, c) + th->min_target / 2 + th->font_px[FONT_DISPLAY] * 3 / 2 + 2;
}

/* Widgets built since `from` scroll in list `li`. */
static void adopt(struct ui_tree *t, int from, int li)
{
    for (int i = from; i < t->n; i++)
        t->v[i].parent = li;
}

/* The bill: the fuel sale, each shop item with - and + keys, each discount on its own line
 * (the lines scroll when there are more than fit), and the total to pay, biggest. */
static void bill(struct ui_tree *t, const struct theme *th, const struct co_view *v, SDL_Rect a)
{
    const struct co_flow *c = v->co;
    int zh = !strcmp(v->base.lang, "zh_CN");
    char buf[96], buf2[64];
    int rh = th->font_px[FONT_BODY] * 2, pad = th->min_target / 4, bar = 12;
    ui_add(t, UI_PANEL, ST_CARD, NULL, a, NULL);
    /* Where the lines would not fit under the biggest total (a long bill, a landscape
     * screen), the total steps down a size: the customer checks the lines first. */
    enum font_role tf = FONT_DISPLAY;
    if (a.h - th->font_px[FONT_DISPLAY] * 3 / 2 - pad - 2 < lines_height(th, c))
        tf = FONT_HEADLINE;
    int total_h = th->font_px[tf] * 3 / 2;
    SDL_Rect view = {a.x + pad / 2, a.y + pad / 2, a.w - pad, a.h - total_h - pad - 2};
    struct ui_widget *lw = ui_add(t, UI_LIST, ST_PLAIN, "bill.lines", view, NULL);
    int li = t->n - 1, first = t->n;
    lw->content_h = lines_height(th, c);
    SDL_Rect r = {view.x + pad / 2, view.y, view.w - pad / 2 - bar, rh};
    if (c->has_sale) {
        char left[200];
        snprintf(buf, sizeof buf, _("Pump %d"), c->sale.pump);
        volume_format(c->sale.volume_ml, buf2, sizeof buf2);
        snprintf(left, sizeof left, "%s  %s  %s", buf, c->sale.grade, buf2);
        money_format(c->sale.amount_fen, buf, sizeof buf);
        bill_row(t, r, left, buf, FONT_BODY, 0, "review.fuel");
        r.y += rh;
    }
    int key = th->min_target;
    for (int i = 0; i < c->nitems; i++) {
        const struct co_item *it = &c->items[i];
        char id[UI_ID_LEN];
        SDL_Rect row = {r.x, r.y + (key + 8 - rh) / 2, r.w - 3 * key - 24, rh};
        money_format(it->unit_fen * it->qty, buf, sizeof buf);
        snprintf(id, sizeof id, "item.%d.amount", i);
        bill_row(t, row, zh ? it->name_zh : it->name_en, buf, FONT_BODY, 0, id);
        snprintf(t->v[t->n - 2].id, sizeof t->v[0].id, "item.%d.name", i);
        int kx = r.x + r.w - 3 * key - 8;
        snprintf(id, sizeof id, "item.%d.less", i);
        ui_button(t, id, (SDL_Rect){kx, r.y, key, key}, "−", ST_KEY)->font = FONT_TITLE;
        snprintf(buf, sizeof buf, "%d", it->qty);
        struct ui_widget *q = ui_label(t, (SDL_Rect){kx + key, r.y, key, key}, buf, FONT_TITLE,
                                       ALIGN_CENTER);
        snprintf(q->id, sizeof q->id, "item.%d.qty", i);
        snprintf(id, sizeof id, "item.%d.more", i);
        ui_button(t, id, (SDL_Rect){kx + 2 * key, r.y, key, key}, "+", ST_KEY)->font = FONT_TITLE;
        r.y += key + 8;
    }
    for (int i = 0; i < c->price.ndiscounts; i++) {
        const struct co_discount *d = &c->price.discounts[i];
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "discount.%d", i);
        money_format(d->amount_fen, buf, sizeof buf);
        bill_row(t, r, zh ? d->label_zh : d->label_en, buf, FONT_BODY, 0, id);
        t->v[t->n - 1].fg = t->v[t->n - 2].fg = th->ok;
        r.y += rh;
    }
    if (c->recharge) {
        /* one line: the recharge and its amount, the card masked under it */
        money_format(c->recharge_fen, buf, sizeof buf);
        bill_row(t, r, _("Fuel card recharge"), buf, FONT_BODY, 0, "review.recharge");
        r.y += rh;
        co_card_format(c->recharge_card, 0, buf2, sizeof buf2);
        struct ui_widget *cw = ui_label(t, r, buf2, FONT_BODY, ALIGN_LEFT);
        cw->fg = th->text_dim;
        snprintf(cw->id, sizeof cw->id, "review.recharge.card");
    } else if (!c->has_sale && c->nitems == 0) {
        struct ui_widget *e = ui_label(t, r, _("Scan the barcode of each item"), FONT_BODY,
                                       ALIGN_LEFT);
        snprintf(e->id, sizeof e->id, "review.empty");
    }
    adopt(t, first, li);
    money_format(c->total_fen, buf, sizeof buf);
    r = (SDL_Rect){a.x + pad, a.y + a.h - total_h - pad / 2, a.w - 2 * pad, total_h};
    ui_add(t, UI_PANEL, ST_PLAIN, NULL, (SDL_Rect){r.x, r.y - 2, r.w, 2}, NULL)->bg = th->border;
    bill_row(t, r, _("To pay"), buf, tf, 1, "review.total");
}

const char *co_notice_text(enum co_notice n)
{
    switch (n) {
    case CO_NOTE_NOT_PAYCODE:
        return _("That is not a WeChat or Alipay payment code. Nothing was charged; please try again.");
    case CO_NOTE_NOT_BARCODE:
        return _("That barcode did not read correctly. Please scan the item again.");
    case CO_NOTE_UNKNOWN_ITEM: return _("This item is not sold here. Please ask at the counter.");
    case CO_NOTE_CART_FULL: return _("The bill is full. Please pay, then start a new one.");
    case CO_NOTE_LOOKUP_FAILED:
        return _("The station system did not answer. Please scan or try again.");
    case CO_NOTE_UNKNOWN_CODE:
        return _("That code is not a product, member, coupon or payment code.");
    case CO_NOTE_BAD_PHONE:
        return _("Please enter an 11-digit mobile number starting with 13 to 19.");
    case CO_NOTE_NO_MEMBER: return _("No member was found. Please check the number or code.");
    case CO_NOTE_COUPON_UNKNOWN: return _("This coupon code is not valid here.");
    case CO_NOTE_COUPON_USED: return _("This coupon has been used already.");
    case CO_NOTE_COUPON_NOT_APPLICABLE:
        return _("That coupon cannot be used on this bill (minimum spend not reached).");
    case CO_NOTE_COUPONS_FULL: return _("No more coupons can be added to this bill.");
    case CO_NOTE_PAY_FIRST: return _("Add something to the bill before paying.");
    case CO_NOTE_BAD_SCAN:
        return _("The scanner read something that is not a code. Nothing was done; please scan again.");
    case CO_NOTE_PICK_PUMP_FIRST:
        return _("Please choose your pump first. Then scan goods or your payment code on the bill.");
    case CO_NOTE_QR_ONLY:
        return _("Scan the QR code on this screen with your phone. This screen does not read payment codes.");
    case CO_NOTE_IN_PROGRESS: return _("One moment, please: this step is not finished yet.");
    case CO_NOTE_SALE_DONE:
        return _("This sale is paid. Tap Finish, then start a new one to scan something else.");
    case CO_NOTE_FAILED_FIRST: return _("Please choose one of the buttons below first.");
    case CO_NOTE_RECHARGE_ONLY:
        return _("This bill is a card recharge: only a payment code is taken here.");
    case CO_NOTE_NONE: break;
    }
    return "";
}

/* The member line on the bill: who is signed in, or an invitation to sign in. */
static void member_button(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                          SDL_Rect r)
{
    const struct co_flow *c = v->co;
    char text[160], sub[200];
    if (c->has_member) {
        snprintf(text, sizeof text, _("Member %s · %lld points"), c->member.name_masked,
                 (long long)c->member.points);
        int sel = 0;
        for (int i = 0; i < c->ncoupons; i++)
            sel += c->coupons[i].selected;
        snprintf(sub, sizeof sub, _("%d coupon(s) applied · change coupons and points"), sel);
    } else {
        snprintf(text, sizeof text, "%s", _("Member points and coupons"));
        snprintf(sub, sizeof sub, "%s", _("Scan your member code or enter your phone number"));
    }
    struct ui_widget *b = ui_button(t, "review.member", r, text, ST_SECONDARY);
    b->font = FONT_TITLE;
    snprintf(b->sub, sizeof b->sub, "%s", sub);
    (void)th;
}

/* The bill page. Portrait: the bill, the member line, a notice, the ways to pay, top to
 * bottom; landscape: the bill, member line and notice left, the ways to pay right. The bill
 * takes the height that is left (its lines scroll). */
static void review(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const struct co_flow *c = v->co;
    int busy = c->state != CO_REVIEW;
    int bh = th->min_target * 3 / 2, gap = l->gap / 2;
    const char *note = co_notice_text(c->message);
    int noticed = note[0] || !v->printer_ok;
    int title_h = th->font_px[FONT_TITLE] * 3 / 2;
    int code_h = l->portrait ? bh * 3 / 2 : bh * 5 / 4;
    /* the four QR wallets in two rows, or in one where the height is short */
    int rows = !l->portrait && title_h + code_h + gap + 2 * (bh + gap) > a.h ? 1 : 2;
    int pay_h = title_h + code_h + gap + rows * (bh + gap);
    SDL_Rect left = l->portrait ? a : (SDL_Rect){a.x, a.y, a.w / 2 - l->gap / 2, a.h};
    SDL_Rect pay = l->portrait ? (SDL_Rect){a.x, a.y + a.h - pay_h, a.w, pay_h}
                               : (SDL_Rect){a.x + a.w / 2 + l->gap / 2, a.y, a.w / 2 - l->gap / 2, a.h};
    int member = !c->recharge; /* a recharge has no member, coupons or points */
    int under = (member ? bh + gap : 0) + (noticed ? bh + gap : 0); /* member line, notice */
    int room = (l->portrait ? a.h - pay_h - l->gap : left.h) - under;
    int bill_h = bill_height(th, c);
    if (bill_h > room)
        bill_h = room;
    SDL_Rect billr = {left.x, left.y, left.w, bill_h};
    bill(t, th, v, billr);
    int y = billr.y + bill_h + gap;
    if (member) {
        member_button(t, th, v, (SDL_Rect){left.x, y, left.w, bh});
        t->v[t->n - 1].disabled = busy;
        y += bh + gap;
    }
    if (noticed) {
        struct ui_widget *n = ui_label(t, (SDL_Rect){left.x, y, left.w, bh},
                                       note[0] ? note
                                               : _("The printer cannot print now: you will get your receipt as a QR code on screen."),
                                       FONT_BODY, ALIGN_LEFT);
        n->style = ST_NOTICE;
        snprintf(n->id, sizeof n->id, "%s", note[0] ? "review.notice" : "review.printer");
        y += bh + gap;
    }
    /* what else the scanner takes, where there is room for it */
    const char *hint_text = c->has_sale ? _("Buying something from the shop? Scan its barcode to add it.")
                                        : _("Scan each item's barcode; coupons and member codes scan too.");
    int hint_h = th->font_px[FONT_BODY] * 3;
    if (c->recharge)
        hint_text = NULL; /* the scanner takes a payment code only */
    if (hint_text && l->portrait && y + hint_h <= pay.y) {
        struct ui_widget *hint = ui_label(t, (SDL_Rect){left.x, y, left.w, hint_h}, hint_text,
                                          FONT_BODY, ALIGN_LEFT);
        hint->fg = th->text_dim;
        snprintf(hint->id, sizeof hint->id, "review.scan");
    }
    y = pay.y;
    struct ui_widget *h = ui_label(t, (SDL_Rect){pay.x, y, pay.w, title_h},
                                   _("How would you like to pay?"), FONT_TITLE, ALIGN_LEFT);
    h->bold = 1;
    y += title_h;
    int no_pay = busy || c->total_fen <= 0;
    struct ui_widget *b = ui_button(t, "pay.code", (SDL_Rect){pay.x, y, pay.w, code_h},
                                    _("Show your payment code"), ST_PRIMARY);
    int no_scanner = v->scanner_problem && v->scanner_problem[0];
    snprintf(b->sub, sizeof b->sub, "%s",
             no_scanner ? _("The code scanner is not working: please pay with a QR code.")
                        : _("WeChat or Alipay, to the scanner"));
    b->disabled = no_pay || no_scanner;
    y += code_h + gap;
    static const struct {
        const char *id, *label;
    } qr[] = {{"pay.qr.wechat", N_("WeChat QR")},
              {"pay.qr.alipay", N_("Alipay QR")},
              {"pay.qr.unionpay", N_("UnionPay QR")},
              {"pay.qr.ecny", N_("e-CNY QR")}};
    int cols = 4 / rows, qw = (pay.w - (cols - 1) * gap) / cols;
    for (int i = 0; i < 4; i++) {
        SDL_Rect r = {pay.x + (i % cols) * (qw + gap), y + (i / cols) * (bh + gap), qw, bh};
        b = ui_button(t, qr[i].id, r, _(qr[i].label), ST_SECONDARY);
        b->font = FONT_TITLE;
        b->disabled = no_pay;
    }
    y += rows * (bh + gap);
    if (hint_text && !l->portrait && y + hint_h <= pay.y + pay.h) {
        struct ui_widget *hint = ui_label(t, (SDL_Rect){pay.x, y, pay.w, hint_h}, hint_text,
                                          FONT_BODY, ALIGN_LEFT);
        hint->fg = th->text_dim;
        snprintf(hint->id, sizeof hint->id, "review.scan");
    }
}

/* Before any money moves: the printer cannot print. Say so, and offer the e-receipt. */
static void printer_dialog(struct ui_tree *t, const struct theme *th, const struct co_view *v)
{
    char msg[400];
    snprintf(msg, sizeof msg, "%s\n%s",
             v->printer_problem && v->printer_problem[0] ? v->printer_problem
                                                         : _("The receipt printer is not answering."),
             _("You can still pay: your receipt and e-invoice will be shown as a QR code on the screen."));
    chrome_dialog(t, th, _("No paper receipt today"), msg, "co.continue",
                  _("Pay, receipt on screen"), "co.cancel", _("Back"));
}

static void pay_qr(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const struct co_flow *c = v->co;
    char amt[32], title[160];
    money_format(c->total_fen, amt, sizeof amt);
    snprintf(title, sizeof title, _("Scan with %s to pay %s"), _(co_channel_label(c->channel)), amt);
    struct ui_widget *tw = ui_label(t, (SDL_Rect){a.x, a.y, a.w, th->font_px[FONT_HEADLINE] * 2},
                                    title, FONT_HEADLINE, ALIGN_CENTER);
    tw->bold = 1;
    snprintf(tw->id, sizeof tw->id, "qr.title");
    int cd = th->font_px[FONT_HEADLINE] * (l->portrait ? 3 : 2);
    int side = a.h - th->font_px[FONT_HEADLINE] * 2 - cd - l->gap;
    if (side > a.w * 7 / 10)
        side = a.w * 7 / 10;
    SDL_Rect q = {a.x + (a.w - side) / 2, a.y + th->font_px[FONT_HEADLINE] * 2, side, side};
    ui_add(t, UI_PANEL, ST_CARD, NULL, q, NULL)->bg = 0xFFFFFFFF;
    ui_add(t, UI_QR, ST_PLAIN, "qr.code", q, c->code_url);
    struct ui_widget *ring = ui_add(t, UI_COUNTDOWN, ST_PLAIN, "qr.countdown",
                                    (SDL_Rect){a.x + (a.w - cd) / 2, q.y + q.h + l->gap, cd, cd}, NULL);
    int64_t left = c->deadline_ms - v->base.now_ms;
    ring->value = left > 0 ? (int)((left + 999) / 1000) : 0;
    ring->max = CO_QR_LIFETIME_MS / 1000;
}

static void pay_code(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                     SDL_Rect a, const struct layout *l)
{
    const struct co_flow *c = v->co;
    char amt[32], title[96];
    money_format(c->total_fen, amt, sizeof amt);
    snprintf(title, sizeof title, _("Pay %s with your payment code"), amt);
    struct ui_widget *tw = ui_label(t, (SDL_Rect){a.x, a.y, a.w, th->font_px[FONT_HEADLINE] * 2},
                                    title, FONT_HEADLINE, ALIGN_CENTER);
    tw->bold = 1;
    snprintf(tw->id, sizeof tw->id, "code.title");
    int y = a.y + th->font_px[FONT_HEADLINE] * 2;
    int camera = v->preview && !(v->scanner_problem && v->scanner_problem[0]);
    struct ui_widget *i = ui_label(t, (SDL_Rect){a.x, y, a.w, th->font_px[FONT_TITLE] * 4},
                                   camera ? _("Open WeChat or Alipay and hold the payment code up to the camera.")
                                          : _("Open WeChat or Alipay, show the payment code and hold it to the scanner below the screen."),
                                   FONT_TITLE, ALIGN_CENTER);
    snprintf(i->id, sizeof i->id, "code.help");
    /* A picture of what to do: the phone's code over the scanner window below the screen;
     * with a camera, what the camera sees, in a frame: "hold the code here". */
    int top = y + th->font_px[FONT_TITLE] * 4;
    const char *problem = v->scanner_problem && v->scanner_problem[0] ? v->scanner_problem : NULL;
    int noted = c->message != CO_NOTE_NONE || problem;
    int pic = a.y + a.h - top - (noted ? th->min_target * 2 + l->gap : 0);
    if (pic > a.w * 6 / 10)
        pic = a.w * 6 / 10;
    int cap_h = th->font_px[FONT_BODY] * 2;
    if (camera && pic > th->min_target + cap_h) {
        /* what the camera sees (16:9), as wide as the text above, as high as there is room */
        int lw = a.w * 9 / 10, lh = lw * 9 / 16;
        if (lh > a.y + a.h - top - (noted ? th->min_target * 2 + l->gap : 0) - cap_h - 24) {
            lh = a.y + a.h - top - (noted ? th->min_target * 2 + l->gap : 0) - cap_h - 24;
            lw = lh * 16 / 9;
        }
        SDL_Rect f = {a.x + (a.w - lw) / 2, top + 8, lw, lh};
        ui_add(t, UI_PANEL, ST_CARD, NULL, (SDL_Rect){f.x - 8, f.y - 8, f.w + 16, f.h + 16}, NULL)
            ->bg = th->primary;
        ui_add(t, UI_LIVE, ST_PLAIN, "code.live", f, NULL);
        struct ui_widget *cw = ui_label(t, (SDL_Rect){a.x, f.y + f.h + 12, a.w, cap_h},
                                        _("Hold the code here, in front of the camera"),
                                        FONT_BODY, ALIGN_CENTER);
        snprintf(cw->id, sizeof cw->id, "code.live.hint");
    } else if (pic > th->min_target) {
        struct ui_widget *img = ui_add(t, UI_IMAGE, ST_PLAIN, "code.picture",
                                       (SDL_Rect){a.x + (a.w - pic) / 2, top, pic, pic}, NULL);
        snprintf(img->image, sizeof img->image, "icons/paycode.png");
        img->bg = th->bg;
    }
    if (noted) {
        char why[400];
        if (problem)
            snprintf(why, sizeof why, "%s %s", problem, _("Please go back and pay with a QR code."));
        else
            snprintf(why, sizeof why, "%s", co_notice_text(c->message));
        struct ui_widget *n = ui_label(t, (SDL_Rect){a.x, a.y + a.h - th->min_target * 2, a.w,
                                                     th->min_target * 2},
                                       why, FONT_BODY, ALIGN_CENTER);
        n->style = ST_NOTICE;
        snprintf(n->id, sizeof n->id, "%s", problem ? "code.scanner" : "code.refused");
    }
}

static void waiting(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct co_flow *c = v->co;
    const char *msg = _("One moment...");
    const char *more = NULL;
    switch (shown(c)) {
    case CO_LOADING: msg = _("Reading the pumps..."); break;
    case CO_LOCKING:
    case CO_PRICING: msg = _("Working out your bill..."); break;
    case CO_QR_WAIT: msg = _("Making your payment QR code..."); break;
    case CO_PAYING: msg = _("Paying..."); break;
    case CO_USERPAYING:
        msg = _("Please confirm the payment on your phone.");
        more = _("Enter your password in WeChat or Alipay if it asks. You can still cancel.");
        break;
    case CO_CHECKING:
        msg = _("Checking whether the payment went through...");
        more = _("The answer was delayed. Please wait: you will not be charged twice.");
        break;
    case CO_CANCELLING: msg = _("Cancelling the payment..."); break;
    case CO_COMPLETING: msg = _("Paid. Printing your receipt..."); break;
    default: break;
    }
    int amount = co_busy(c) && c->total_fen > 0;
    /* landscape: less height, wider lines */
    int sp = l->portrait ? th->min_target * 2 : th->min_target * 3 / 4;
    int msg_h = th->font_px[FONT_HEADLINE] * (l->portrait ? 5 : 3) / 2;
    int amt_h = th->font_px[FONT_DISPLAY] * (l->portrait ? 6 : 5) / 4;
    int more_h = th->font_px[FONT_TITLE] * (l->portrait ? 3 : 2);
    int space = l->portrait ? l->gap : l->gap / 2;
    int block = sp + space + msg_h + (amount ? amt_h : 0) + (more ? more_h : 0);
    int y = a.y + (a.h - block) / 2; /* the whole message in the middle */
    if (y < a.y)
        y = a.y;
    ui_add(t, UI_SPINNER, ST_PLAIN, "wait.spinner", (SDL_Rect){a.x + (a.w - sp) / 2, y, sp, sp},
           NULL);
    y += sp + space;
    struct ui_widget *m = ui_label(t, (SDL_Rect){a.x, y, a.w, msg_h}, msg, FONT_HEADLINE,
                                   ALIGN_CENTER);
    m->bold = 1;
    snprintf(m->id, sizeof m->id, "wait.message");
    y += msg_h;
    if (amount) {
        char amt[32];
        money_format(c->total_fen, amt, sizeof amt);
        struct ui_widget *w = ui_label(t, (SDL_Rect){a.x, y, a.w, amt_h}, amt, FONT_DISPLAY,
                                       ALIGN_CENTER);
        w->bold = 1;
        snprintf(w->id, sizeof w->id, "wait.amount");
        y += amt_h;
    }
    if (more) {
        struct ui_widget *w = ui_label(t, (SDL_Rect){a.x, y, a.w, more_h}, more, FONT_TITLE,
                                       ALIGN_CENTER);
        w->fg = th->text_dim;
        snprintf(w->id, sizeof w->id, "wait.detail");
    }
}

/* Paid. Portrait: everything in one column, "print again" and "get an e-invoice" above
 * Finish; landscape: the words and "get an e-invoice" left, the e-receipt QR and "print
 * again" right. */
static void done(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                 const struct layout *l, SDL_Rect a)
{
    const struct co_flow *c = v->co;
    char amt[32], line[160];
    SDL_Rect left = l->portrait ? a : (SDL_Rect){a.x, a.y, a.w / 2 - l->gap / 2, a.h};
    SDL_Rect right = l->portrait ? a : (SDL_Rect){a.x + a.w / 2 + l->gap / 2, a.y, a.w / 2 - l->gap / 2, a.h};
    int rh = l->footer.h;
    int reprint = c->printed != 0 && v->printer_ok && co_can_reprint(c, v->base.now_ms);
    money_format(c->total_fen, amt, sizeof amt);
    snprintf(line, sizeof line, _("Paid %s"), amt);
    int title_h = th->font_px[FONT_DISPLAY] * (l->portrait ? 8 : 5) / 4;
    struct ui_widget *tw = ui_label(t, (SDL_Rect){left.x, left.y, left.w, title_h}, line,
                                    FONT_DISPLAY, ALIGN_CENTER);
    tw->bold = 1;
    tw->fg = th->ok;
    snprintf(tw->id, sizeof tw->id, "done.title");
    int y = left.y + title_h;
    const char *rec = c->printed > 0 ? _("Your receipt is printed. Please take it.")
                      : c->printed == 0 ? _("Printing your receipt...")
                      : c->e_receipt
                          ? _("No paper receipt: scan the code below for your e-receipt.")
                          : _("Your receipt could not be printed in full: scan the code below for your e-receipt. The staff have been told.");
    int rec_h = th->font_px[FONT_TITLE] * 3, line_h = th->font_px[FONT_BODY] * (l->portrait ? 4 : 3) / 2;
    struct ui_widget *r = ui_label(t, (SDL_Rect){left.x, y, left.w, rec_h}, rec, FONT_TITLE,
                                   ALIGN_CENTER);
    snprintf(r->id, sizeof r->id, "done.receipt");
    if (c->printed < 0)
        r->style = ST_NOTICE;
    y += rec_h + l->gap / 2;
    if (c->has_member && c->price.points_earned > 0) {
        snprintf(line, sizeof line, _("You earned %lld points."), (long long)c->price.points_earned);
        struct ui_widget *p = ui_label(t, (SDL_Rect){left.x, y, left.w, line_h}, line, FONT_BODY,
                                       ALIGN_CENTER);
        snprintf(p->id, sizeof p->id, "done.points");
        y += line_h;
    }
    snprintf(line, sizeof line, _("Transaction %s"), c->txn_no);
    ui_label(t, (SDL_Rect){left.x, y, left.w, line_h}, line, FONT_BODY, ALIGN_CENTER)->fg =
        th->text_dim;
    y += line_h;
    if (!l->portrait)
        y = right.y;
    /* the QR, its caption, and (landscape) "print again" under them */
    int cap_h = th->font_px[FONT_BODY] * 2;
    int below = l->portrait ? rh + l->gap / 2 : (reprint ? rh + l->gap / 2 : 0);
    int side = (a.w < a.h ? a.w : a.h) * 45 / 100;
    int room = right.y + right.h - y - cap_h - below;
    if (side > room)
        side = room;
    if (v->invoice_url && v->invoice_url[0] && side > 100) {
        SDL_Rect q = {right.x + (right.w - side) / 2, y, side, side};
        ui_add(t, UI_PANEL, ST_CARD, NULL, q, NULL)->bg = 0xFFFFFFFF;
        ui_add(t, UI_QR, ST_PLAIN, "done.invoice", q, v->invoice_url);
        ui_label(t, (SDL_Rect){right.x, y + side, right.w, cap_h},
                 _("Scan for your e-receipt and e-invoice"), FONT_BODY, ALIGN_CENTER);
    }
    if (reprint) {
        int bw = footer_main_w(l);
        SDL_Rect b = l->portrait ? (SDL_Rect){l->footer.x, l->footer.y - rh - l->gap / 2, bw, rh}
                                 : (SDL_Rect){right.x, right.y + right.h - rh, right.w, rh};
        ui_button(t, "done.reprint", b, _("Print the receipt again"), ST_SECONDARY)->font =
            FONT_TITLE;
    }
    /* the e-invoice for this sale, nothing to scan: portrait right of "print again",
     * landscape at the foot of the words (a recharge goes back to the fuel-card service,
     * which offers it) */
    if (v->invoice && !c->recharge) {
        int bw = footer_main_w(l);
        SDL_Rect b = !l->portrait ? (SDL_Rect){left.x, left.y + left.h - rh, left.w, rh}
                     : reprint    ? (SDL_Rect){l->footer.x + l->footer.w - bw,
                                               l->footer.y - rh - l->gap / 2, bw, rh}
                                  : (SDL_Rect){l->footer.x, l->footer.y - rh - l->gap / 2, bw, rh};
        ui_button(t, "done.get_invoice", b, _("Get an e-invoice"), ST_SECONDARY)->font =
            FONT_TITLE;
    }
}

/* Can the customer try to pay again (the sale is still theirs, nothing moved)? */
static int can_retry(const struct co_flow *c)
{
    return c->money_moved == 0 && c->priced &&
           (c->error == CO_ERR_DECLINED || c->error == CO_ERR_NOT_CONFIRMED ||
            c->error == CO_ERR_QR_EXPIRED || c->error == CO_ERR_CANCELLED ||
            c->error == CO_ERR_NOT_MADE);
}

static void failed(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const struct co_flow *c = v->co;
    const char *title = _("Payment not completed"), *why = "";
    switch (c->error) {
    case CO_ERR_OFFLINE:
        title = _("The station system is not answering");
        why = _("Nothing was charged. Please pay at the counter, or try again in a few minutes.");
        break;
    case CO_ERR_SALE_TAKEN:
        if (c->recharge) {
            title = _("This recharge cannot be paid here");
            why = _("The station system refused it. Nothing was charged. Please ask at the counter.");
            break;
        }
        title = _("This sale cannot be paid here");
        why = _("It is paid already or being paid at another terminal. Nothing was charged.");
        break;
    case CO_ERR_CARD_BLOCKED:
        title = _("This fuel card cannot be recharged");
        why = _("The card is reported lost or blocked. Nothing was charged. Please ask at the counter.");
        break;
    case CO_ERR_CARD_UNKNOWN:
        title = _("This fuel card is not known here");
        why = _("The station system does not know this card. Nothing was charged. Please ask at the counter.");
        break;
    case CO_ERR_CARD_EXPIRED:
        title = _("This fuel card has expired");
        why = _("It cannot be recharged. Nothing was charged. Please ask at the counter for a new card.");
        break;
    case CO_ERR_RECHARGE_LIMIT:
        title = _("Over today's recharge limit");
        why = _("This card cannot take that much more today. Nothing was charged. Please choose a smaller amount.");
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
    case CO_ERR_NOT_MADE:
        title = _("The payment could not be made");
        why = _("The payment system did not answer, so the payment was cancelled. Nothing was charged.");
        break;
    case CO_ERR_KIOSK:
        title = _("This kiosk cannot take payments right now");
        why = _("Nothing was charged. Please pay at the counter.");
        break;
    case CO_ERR_TERMINAL:
        title = _("This kiosk cannot take payments right now");
        why = _("The station system did not accept this kiosk. Nothing was charged. Please pay at the counter: the staff have been told.");
        break;
    case CO_ERR_UNSETTLED:
        title = _("The payment is being cancelled");
        why = _("The station system is slow to answer. If any money was taken it is refunded automatically. Please keep your transaction number, or ask at the counter.");
        break;
    default:
        break;
    }
    int title_h = th->font_px[FONT_HEADLINE] * (l->portrait ? 3 : 2);
    int why_h = th->font_px[FONT_TITLE] * (l->portrait ? 10 : 5) / 2;
    struct ui_widget *tw = ui_label(t, (SDL_Rect){a.x, a.y, a.w, title_h}, title, FONT_HEADLINE,
                                    ALIGN_CENTER);
    tw->bold = 1;
    snprintf(tw->id, sizeof tw->id, "failed.title");
    int y = a.y + title_h;
    struct ui_widget *w = ui_label(t, (SDL_Rect){a.x, y, a.w, why_h}, why, FONT_TITLE,
                                   ALIGN_CENTER);
    snprintf(w->id, sizeof w->id, "failed.money");
    y += why_h;
    char line[96];
    snprintf(line, sizeof line, _("Transaction %s"), c->txn_no);
    ui_label(t, (SDL_Rect){a.x, y, a.w, th->font_px[FONT_BODY] * 3 / 2}, line, FONT_BODY,
             ALIGN_CENTER)
        ->fg = th->text_dim;
}

void co_screen(struct ui_tree *t, const struct theme *th, const struct co_view *v)
{
    const struct co_flow *c = v->co;
    struct layout l;
    const char *name = screen_name(c);
    snprintf(t->screen, sizeof t->screen, "%s", name);
    t->prompt = prompt_of(c, name);
    chrome_layout(&l, t, th);
    chrome_header(t, &l, &v->base, c->recharge ? _("Fuel card recharge")
                                   : c->shop   ? _("Shop")
                                               : _("Pay for fuel"));
    SDL_Rect a = l.content;
    int sh = steps(t, th, v, &l);
    a.y += sh;
    a.h -= sh;
    /* A code scanned where this step takes none: what to do instead, under the page until
     * the step changes (the bill, member and payment-code pages say it their own way). */
    int hint = c->message >= CO_NOTE_BAD_SCAN && strcmp(name, "review") &&
               strcmp(name, "member") && strcmp(name, "pay_code");
    int hint_h = hint ? th->min_target * 2 : 0;
    if (hint)
        a.h -= hint_h + l.gap / 2;
    if (!strcmp(name, "pumps"))
        pumps(t, th, v, &l, a);
    else if (!strcmp(name, "review"))
        review(t, th, v, &l, a);
    else if (!strcmp(name, "member"))
        co_screen_member(t, th, v, &l, a);
    else if (!strcmp(name, "pay_qr"))
        pay_qr(t, th, v, &l, a);
    else if (!strcmp(name, "pay_code"))
        pay_code(t, th, v, a, &l);
    else if (!strcmp(name, "done"))
        done(t, th, v, &l, a);
    else if (!strcmp(name, "failed"))
        failed(t, th, v, &l, a);
    else
        waiting(t, th, v, &l, a);
    if (hint) {
        struct ui_widget *n = ui_label(t, (SDL_Rect){a.x, a.y + a.h + l.gap / 2, a.w, hint_h},
                                       co_notice_text(c->message), FONT_BODY,
                                       ALIGN_CENTER);
        n->style = ST_NOTICE;
        snprintf(n->id, sizeof n->id, "co.notice");
    }
    /* Footer: the way out bottom-left (only while no money is in flight), language right.
     * Done and failure screens have their one obvious action in the primary place. */
    const char *back_id = NULL, *back = NULL;
    enum co_state st = shown(c);
    if (c->state == CO_DONE && c->recharge) {
        /* no Finish: back to the fuel card by itself once the receipt is out */
    } else if (c->state == CO_DONE || c->state == CO_FAILED) {
        int bw = footer_main_w(&l), rh = l.footer.h;
        if (c->state == CO_FAILED && can_retry(c)) {
            ui_button(t, "failed.retry", (SDL_Rect){l.footer.x, l.footer.y - rh - l.gap / 2, bw, rh},
                      _("Try another way to pay"), ST_PRIMARY);
            ui_button(t, "failed.ok", (SDL_Rect){l.footer.x, l.footer.y, bw, l.footer.h},
                      _("Finish"), ST_SECONDARY)->font = FONT_TITLE;
        } else {
            ui_button(t, c->state == CO_DONE ? "done.ok" : "failed.ok",
                      (SDL_Rect){l.footer.x, l.footer.y, bw, l.footer.h}, _("Finish"), ST_PRIMARY);
        }
    } else if (st == CO_CODE) {
        back_id = "co.cancel", back = _("Back");
    } else if (st == CO_QR || st == CO_USERPAYING || st == CO_CHECKING || st == CO_PAYING ||
               st == CO_QR_WAIT) {
        back_id = "co.cancel", back = _("Cancel payment"); /* until it is paid */
    } else if (!strcmp(name, "member")) {
        back_id = "co.cancel", back = _("Back");
    } else if (!co_busy(c) && c->state != CO_SALES) {
        back_id = "co.cancel", back = _("Cancel");
    }
    /* A dialog has its own way back; the language button stays usable over it. */
    if (c->state == CO_SALES)
        sales_dialog(t, th, v);
    else if (c->state == CO_NO_PRINTER)
        printer_dialog(t, th, v);
    else if (c->state == CO_PRINTER_CHECK)
        ui_modal_begin(t);
    chrome_footer(t, &l, &v->base, t->modal_from >= 0 ? NULL : back_id, back);
    if (c->state == CO_PRINTER_CHECK) {
        /* over the page the customer is on: a short wait, said in words */
        int sp = th->min_target * 2;
        ui_add(t, UI_SPINNER, ST_PLAIN, "wait.spinner",
               (SDL_Rect){(t->w - sp) / 2, (t->h - sp) / 2, sp, sp}, NULL);
        struct ui_widget *m = ui_label(t, (SDL_Rect){a.x, (t->h + sp) / 2 + l.gap, a.w,
                                                     th->font_px[FONT_HEADLINE] * 2},
                                       _("Checking the receipt printer..."), FONT_HEADLINE,
                                       ALIGN_CENTER);
        m->fg = 0xFFFFFFFF;
        m->bold = 1;
        snprintf(m->id, sizeof m->id, "wait.message");
    }
}
