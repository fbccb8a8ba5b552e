#include "screens.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/codes.h"
#include "core/i18n.h"
#include "core/money.h"

/* The e-invoice screens that show and confirm: the receipts to invoice, the company found
 * and the preview; the frame of every screen (header, steps, footer) and the pieces they
 * share. The keypad screens are in screens_entry.c, the wait and the outcomes in
 * screens_outcome.c. Every screen has its one primary action at the bottom of the content
 * (in landscape: of the column it belongs to), Back bottom-left in the footer. */

const char *inv_note_text(enum inv_note n)
{
    switch (n) {
    case INV_NOTE_NOT_RECEIPT:
        return _("That code is not from a receipt. Please scan the QR code or barcode on your receipt.");
    case INV_NOTE_PAYMENT_CODE:
        return _("That is a payment code: it was not used and nothing was charged. Please scan your receipt instead.");
    case INV_NOTE_DUPLICATE: return _("That receipt is on the list already.");
    case INV_NOTE_TOO_MANY: return _("No more receipts can go on this invoice.");
    case INV_NOTE_OTHER_STATION:
        return _("That sale was made at another station. Please get its invoice there.");
    case INV_NOTE_OTHER_MONTH:
        return _("Fuel bought in another month needs an invoice of its own. Please invoice that receipt separately.");
    case INV_NOTE_OUT_OF_WINDOW:
        return _("That sale is too old to invoice here. Please ask at the counter.");
    case INV_NOTE_NOT_FOUND:
        return _("No sale was found for that receipt. Please check the number and try again.");
    case INV_NOTE_NOT_PAID: return _("That sale is not paid, so it cannot be invoiced.");
    case INV_NOTE_NOTHING_LEFT:
        return _("That sale was paid with a fuel card whose recharge was invoiced already: there is nothing left to invoice.");
    case INV_NOTE_INVOICED:
        return _("That sale is on an invoice already, so it was taken off the list.");
    case INV_NOTE_BAD_SUMS:
        return _("The amounts of that sale do not add up, so it cannot be invoiced here. Please ask at the counter.");
    case INV_NOTE_TXN_SHORT: return _("Please type all 18 digits of the transaction number.");
    case INV_NOTE_TAXID_LENGTH:
        return _("A taxpayer ID has 15 to 20 characters, usually 18. Please check it.");
    case INV_NOTE_TAXID_CHECK:
        return _("That taxpayer ID is not valid. Please check each character.");
    case INV_NOTE_COMPANY_UNKNOWN:
        return _("No company was found with that taxpayer ID. Please check it.");
    case INV_NOTE_TITLE_UNKNOWN:
        return _("That invoice title QR code cannot be used (it may have expired). Please show it again, or choose below.");
    case INV_NOTE_PHONE_BAD:
        return _("Please enter an 11-digit mobile number starting with 13 to 19.");
    case INV_NOTE_EMAIL_BAD: return _("That email address does not look right. Please check it.");
    case INV_NOTE_NO_DELIVERY: return _("Please enter a mobile number, an email address, or both.");
    case INV_NOTE_OFFLINE: return _("The station system did not answer. Please try again.");
    case INV_NOTE_UNUSABLE:
        return _("The station system sent an answer the kiosk cannot use. Please try again, or ask at the counter.");
    case INV_NOTE_OVER_LIMIT:
        return _("That is more than the kiosk may invoice. Please ask at the counter: they will issue it. Or take a receipt off the list.");
    case INV_NOTE_REFUSED:
        return _("That sale cannot be invoiced here. Please ask at the counter.");
    case INV_NOTE_NONE:
    case INV_NOTE_LAST: break;
    }
    return "";
}

const char *inv_busy_text(const struct inv_flow *f)
{
    switch (f->waiting) {
    case INV_CALL_SALE: return _("Looking up your receipt...");
    case INV_CALL_COMPANY: return _("Looking up the company...");
    case INV_CALL_TITLE: return _("Reading your invoice title...");
    case INV_CALL_ISSUE:
    case INV_CALL_STATUS: return _("Issuing your invoice with the tax system...");
    case INV_CALL_RESEND: return _("Sending the invoice again...");
    default: return _("One moment...");
    }
}

/* ---- shared pieces ---------------------------------------------------------------------- */

int inv_notice(struct ui_tree *t, const struct theme *th, const struct inv_view *v, SDL_Rect *a)
{
    const char *note = inv_note_text(v->f->note);
    if (!note[0])
        return 0;
    int h = th->font_px[FONT_BODY] * 3, gap = th->min_target / 6;
    struct ui_widget *n = ui_label(t, (SDL_Rect){a->x, a->y, a->w, h}, note, FONT_BODY,
                                   ALIGN_LEFT);
    n->style = ST_NOTICE;
    snprintf(n->id, sizeof n->id, "inv.notice");
    a->y += h + gap;
    a->h -= h + gap;
    return h + gap;
}

struct ui_widget *inv_primary(struct ui_tree *t, const char *id, SDL_Rect r, const char *text)
{
    return ui_button(t, id, r, text, ST_PRIMARY);
}

struct ui_widget *inv_headline(struct ui_tree *t, const char *id, SDL_Rect *a, int h,
                               const char *text)
{
    struct ui_widget *w = ui_label(t, (SDL_Rect){a->x, a->y, a->w, h}, text, FONT_HEADLINE,
                                   ALIGN_LEFT);
    w->bold = 1;
    if (id)
        snprintf(w->id, sizeof w->id, "%s", id);
    a->y += h;
    a->h -= h;
    return w;
}

void inv_busy_row(struct ui_tree *t, const struct theme *th, SDL_Rect r, const char *text)
{
    int sp = r.h;
    ui_add(t, UI_SPINNER, ST_PLAIN, "inv.busy", (SDL_Rect){r.x, r.y, sp, sp}, NULL);
    struct ui_widget *w = ui_label(t, (SDL_Rect){r.x + sp + sp / 3, r.y, r.w - sp - sp / 3, r.h},
                                   text, FONT_TITLE, ALIGN_LEFT);
    w->fg = th->text;
    snprintf(w->id, sizeof w->id, "inv.busy.text");
}

int inv_live(struct ui_tree *t, const struct theme *th, SDL_Rect r, const char *caption)
{
    int cap_h = th->font_px[FONT_BODY] * 2, frame = 8;
    if (r.h - cap_h - 2 * frame < th->min_target * 3 / 2)
        cap_h = 0; /* short: the picture says it by itself */
    int lw = r.w - 2 * frame, lh = lw * 9 / 16;
    if (lh > r.h - cap_h - 2 * frame) {
        lh = r.h - cap_h - 2 * frame;
        lw = lh * 16 / 9;
    }
    if (lh < th->min_target)
        return 0;
    SDL_Rect f = {r.x + (r.w - lw) / 2, r.y + frame, lw, lh};
    ui_add(t, UI_PANEL, ST_CARD, NULL, (SDL_Rect){f.x - frame, f.y - frame, f.w + 2 * frame,
                                                  f.h + 2 * frame}, NULL)->bg = th->primary;
    ui_add(t, UI_LIVE, ST_PLAIN, "inv.live", f, NULL);
    if (cap_h) {
        struct ui_widget *c = ui_label(t, (SDL_Rect){r.x, f.y + f.h + frame, r.w, cap_h},
                                       caption, FONT_BODY, ALIGN_CENTER);
        snprintf(c->id, sizeof c->id, "inv.live.hint");
    }
    return lh + 2 * frame + cap_h;
}

void inv_phone_text(const char *digits, char *out, size_t cap)
{
    size_t n = 0, len = strlen(digits);
    for (size_t i = 0; i < 11 && n + 3 < cap; i++) {
        if (i == 3 || i == 7)
            out[n++] = ' ';
        out[n++] = i < len ? digits[i] : '_';
    }
    out[n] = '\0';
}

SDL_Rect inv_column(const struct layout *l, SDL_Rect a, int right)
{
    if (l->portrait)
        return a;
    int w = (a.w - l->gap) / 2;
    return (SDL_Rect){right ? a.x + a.w - w : a.x, a.y, w, a.h};
}

/* Where the invoice goes, as typed (masked): "138****8000 · z***@qq.com". */
void inv_typed_delivery(const struct inv_flow *f, char *out, size_t cap)
{
    char p[24] = "", e[INV_EMAIL_LEN + 8] = "";
    if (f->phone[0])
        mask_phone(f->phone, p, sizeof p);
    if (f->email[0])
        mask_email(f->email, e, sizeof e);
    snprintf(out, cap, "%s%s%s", p, p[0] && e[0] ? " · " : "", e);
}

static void when_text(int64_t unix_s, char *out, size_t cap)
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    if (!localtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M", &tm))
        snprintf(out, cap, "-");
}

/* Words left, figure right (the figure takes the id; the words id.label). */
void inv_pair_row(struct ui_tree *t, SDL_Rect r, const char *left, const char *right,
                  enum font_role f, int bold, const char *id, int split_pct)
{
    int lw = r.w * split_pct / 100;
    struct ui_widget *a = ui_label(t, (SDL_Rect){r.x, r.y, lw, r.h}, left, f, ALIGN_LEFT);
    a->bold = bold;
    struct ui_widget *b = ui_label(t, (SDL_Rect){r.x + lw, r.y, r.w - lw, r.h}, right, f,
                                   ALIGN_RIGHT);
    b->bold = bold;
    if (id) {
        snprintf(b->id, sizeof b->id, "%s", id);
        int n = snprintf(a->id, sizeof a->id, "%s.label", id);
        if (n < 0 || (size_t)n >= sizeof a->id)
            a->id[0] = '\0'; /* too long for an id: none rather than a wrong one */
    }
}

/* A text label with an id. */
struct ui_widget *inv_text(struct ui_tree *t, const char *id, SDL_Rect r, const char *text,
                           enum font_role f, enum text_align a)
{
    struct ui_widget *w = ui_label(t, r, text, f, a);
    if (id)
        snprintf(w->id, sizeof w->id, "%s", id);
    return w;
}

/* The step bar: "1 Receipts  2 Title and delivery  3 Issue"; none on the screens off the
 * path (already invoiced, sending it again, sent again, refused). Returns its height. */
static int steps(struct ui_tree *t, const struct theme *th, const struct inv_flow *f,
                 const struct layout *l)
{
    static const char *const names[] = {N_("Receipts"), N_("Title and delivery"),
                                        N_("Issue")};
    int cur;
    switch (f->state) {
    case INV_IDLE:
    case INV_COLLECT:
    case INV_TXN: cur = 0; break;
    case INV_TAXID:
    case INV_COMPANY: cur = 1; break;
    case INV_DELIVERY: cur = f->resending ? -1 : 1; break;
    case INV_PREVIEW:
    case INV_ISSUING:
    case INV_ISSUED:
    case INV_SUBMITTED: cur = 2; break;
    default: cur = -1; break;
    }
    if (cur < 0)
        return 0;
    return chrome_steps(t, l, th, names, 3, cur);
}

/* Widgets built since `from` scroll in list `li`. */
static void adopt(struct ui_tree *t, int from, int li)
{
    for (int i = from; i < t->n; i++)
        t->v[i].parent = li;
}

/* ---- the receipts ----------------------------------------------------------------------- */

/* How to scan: what the camera sees, or a picture and words; or why scanning cannot work.
 * Returns the height used (at most r.h). */
static int scan_block(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                      SDL_Rect r, const char *live_caption, const char *picture,
                      const char *scanner_hint)
{
    const char *problem = v->scanner_problem && v->scanner_problem[0] ? v->scanner_problem : NULL;
    if (problem) {
        char why[400];
        snprintf(why, sizeof why, _("%s Please type the transaction number instead."), problem);
        int h = th->font_px[FONT_BODY] * 3;
        struct ui_widget *n =
            inv_text(t, "inv.scanner", (SDL_Rect){r.x, r.y, r.w, h}, why, FONT_BODY, ALIGN_LEFT);
        n->style = ST_NOTICE;
        return h;
    }
    if (v->preview) {
        int h = inv_live(t, th, r, live_caption);
        if (h > 0)
            return h;
    }
    int pic = th->min_target * 2;
    if (pic > r.h)
        pic = r.h;
    if (pic < th->min_target)
        return 0; /* no room: the headline says it */
    struct ui_widget *img = ui_add(t, UI_IMAGE, ST_PLAIN, "inv.picture",
                                   (SDL_Rect){r.x, r.y, pic, pic}, NULL);
    snprintf(img->image, sizeof img->image, "%s", picture);
    img->bg = th->bg;
    struct ui_widget *w =
        inv_text(t, "inv.help", (SDL_Rect){r.x + pic + pic / 6, r.y, r.w - pic - pic / 6, pic},
                 scanner_hint, FONT_TITLE, ALIGN_LEFT);
    w->fg = th->text;
    return pic;
}

/* The receipts on the list, each with its number, time, total and a way to take it off. */
static void sales_list(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                       SDL_Rect r)
{
    const struct inv_flow *f = v->f;
    int title_h = th->font_px[FONT_TITLE] * 3 / 2;
    char text[96];
    if (f->nsales == 0) {
        struct ui_widget *e = inv_text(t, "inv.sales.empty", (SDL_Rect){r.x, r.y, r.w, title_h * 2},
                                       _("No receipts yet. Each receipt you scan is listed here."),
                                       FONT_BODY, ALIGN_LEFT);
        e->fg = th->text_dim;
        return;
    }
    snprintf(text, sizeof text, _("Receipts to invoice: %d"), f->nsales);
    struct ui_widget *h = inv_text(t, "inv.sales.title", (SDL_Rect){r.x, r.y, r.w, title_h}, text,
                                   FONT_TITLE, ALIGN_LEFT);
    h->bold = 1;
    int rh = th->min_target * 5 / 4, gap = th->min_target / 8, bar = 12;
    SDL_Rect view = {r.x, r.y + title_h, r.w, r.h - title_h};
    int content = f->nsales * (rh + gap) - gap;
    if (view.h > content)
        view.h = content;
    struct ui_widget *lw = ui_add(t, UI_LIST, ST_PLAIN, "inv.sales", view, NULL);
    int li = t->n - 1, first = t->n;
    lw->content_h = content;
    int w = content > view.h ? view.w - bar - gap : view.w;
    int pad = th->min_target / 4, kw = th->min_target * 2, kh = th->min_target;
    for (int i = 0; i < f->nsales; i++) {
        const struct inv_sale *s = &f->sales[i];
        char id[UI_ID_LEN], when[40], amt[32];
        SDL_Rect row = {view.x, view.y + i * (rh + gap), w, rh};
        ui_add(t, UI_PANEL, ST_CARD, NULL, row, NULL);
        int tw = (row.w - kw - 3 * pad) * 38 / 100;
        int xw = row.w - kw - tw - 4 * pad;
        snprintf(id, sizeof id, "inv.sale.%d", i);
        struct ui_widget *n = inv_text(t, id, (SDL_Rect){row.x + pad, row.y + pad / 2, xw, rh / 2},
                                       s->txn_no, FONT_BODY, ALIGN_LEFT);
        n->bold = 1;
        when_text(s->paid_unix, when, sizeof when);
        snprintf(id, sizeof id, "inv.sale.%d.when", i);
        inv_text(t, id, (SDL_Rect){row.x + pad, row.y + rh / 2, xw, rh / 2 - pad / 2}, when,
                 FONT_BODY, ALIGN_LEFT)
            ->fg = th->text_dim;
        money_format(s->total_fen, amt, sizeof amt);
        snprintf(id, sizeof id, "inv.sale.%d.total", i);
        inv_text(t, id, (SDL_Rect){row.x + pad + xw + pad, row.y, tw, rh}, amt, FONT_TITLE,
                 ALIGN_RIGHT)
            ->bold = 1;
        snprintf(id, sizeof id, "inv.sale.%d.remove", i);
        struct ui_widget *b = ui_button(t, id, (SDL_Rect){row.x + row.w - pad - kw,
                                                          row.y + (rh - kh) / 2, kw, kh},
                                        _("Remove"), ST_SECONDARY);
        b->disabled = f->busy;
    }
    adopt(t, first, li);
}

static void collect(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct inv_flow *f = v->f;
    int bh = th->min_target * 3 / 2, gap = l->gap / 2;
    int busy_h = th->min_target * 3 / 4;
    int problem = v->scanner_problem && v->scanner_problem[0];
    if (l->portrait)
        inv_notice(t, th, v, &a);
    SDL_Rect left = inv_column(l, a, 0), right = inv_column(l, a, 1);
    inv_headline(t, "inv.title", &left, th->font_px[FONT_HEADLINE] * (l->portrait ? 5 : 4) / 2,
                 problem ? _("Type the transaction number on your receipt")
                         : _("Scan the QR code or barcode on your receipt"));
    if (!l->portrait)
        inv_notice(t, th, v, &left); /* landscape: by the scanning it is mostly about */
    /* the way in: scanning, with typing under it */
    struct ui_widget *b;
    SDL_Rect type = {left.x, left.y + left.h - bh, left.w, bh};
    if (l->portrait)
        type.y -= bh + gap; /* above the primary */
    int room = type.y - gap - left.y;
    int most = a.h * (f->nsales ? 26 : 40) / 100; /* the list needs the rest */
    if (l->portrait && room > most)
        room = most;
    int used = scan_block(t, th, v, (SDL_Rect){left.x, left.y, left.w, room},
                          _("Hold the code on your receipt in front of the camera"),
                          "icons/invoice.png",
                          _("Hold the code on your receipt under the scanner below the screen."));
    b = ui_button(t, "inv.type", type, _("Type the transaction number"), ST_SECONDARY);
    b->font = FONT_TITLE;
    snprintf(b->sub, sizeof b->sub, "%s", _("If the code will not scan"));
    b->disabled = f->busy;
    /* the list, the wait, the way on */
    SDL_Rect col = l->portrait ? (SDL_Rect){a.x, left.y + used + gap, a.w,
                                            type.y - gap - (left.y + used + gap)}
                               : right;
    SDL_Rect next = l->portrait ? (SDL_Rect){a.x, a.y + a.h - bh, a.w, bh}
                                : (SDL_Rect){col.x, col.y + col.h - bh, col.w, bh};
    int list_end = l->portrait ? col.y + col.h : next.y - gap;
    if (f->busy) {
        list_end -= busy_h + gap;
        inv_busy_row(t, th, (SDL_Rect){col.x, list_end + gap, col.w, busy_h}, inv_busy_text(f));
    }
    sales_list(t, th, v, (SDL_Rect){col.x, col.y, col.w, list_end - col.y});
    char text[120];
    if (f->nsales > 1)
        snprintf(text, sizeof text, _("Merge %d receipts into one invoice"), f->nsales);
    else
        snprintf(text, sizeof text, "%s", _("Continue"));
    b = inv_primary(t, "inv.next", next, text);
    b->disabled = f->nsales == 0 || f->busy;
    b->on_enter = 1;
}

/* ---- the company found ------------------------------------------------------------------ */

static void company(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct inv_flow *f = v->f;
    const struct inv_buyer *by = &f->buyer;
    int bh = th->min_target * 3 / 2, gap = l->gap / 2, pad = th->min_target / 4;
    inv_notice(t, th, v, &a);
    SDL_Rect left = inv_column(l, a, 0), right = inv_column(l, a, 1);
    inv_headline(t, "inv.title", &left, th->font_px[FONT_HEADLINE] * 3 / 2,
                 _("Is this your company?"));
    /* the card: the name (40 and more characters wrap, and shrink when they must) and ID */
    int cap_h = th->font_px[FONT_CAPTION] * 3 / 2, name_h = th->font_px[FONT_TITLE] * 4;
    int id_h = th->font_px[FONT_TITLE] * 3 / 2;
    int card_h = pad + cap_h + name_h + gap + cap_h + id_h + pad;
    if (card_h > left.h)
        card_h = left.h;
    SDL_Rect card = {left.x, left.y, left.w, card_h};
    ui_add(t, UI_PANEL, ST_CARD, NULL, card, NULL);
    int y = card.y + pad, x = card.x + pad, w = card.w - 2 * pad;
    inv_text(t, NULL, (SDL_Rect){x, y, w, cap_h}, _("Company name"), FONT_CAPTION, ALIGN_LEFT)->fg =
        th->text_dim;
    y += cap_h;
    struct ui_widget *n = inv_text(t, "inv.company.name", (SDL_Rect){x, y, w, name_h}, by->name,
                                   FONT_TITLE, ALIGN_LEFT);
    n->bold = 1;
    y += name_h + gap;
    inv_text(t, NULL, (SDL_Rect){x, y, w, cap_h}, _("Taxpayer ID"), FONT_CAPTION, ALIGN_LEFT)->fg =
        th->text_dim;
    y += cap_h;
    char id[INV_TAXID_LEN * 2];
    inv_grouped(by->tax_id, 4, id, sizeof id);
    inv_text(t, "inv.company.tax_id", (SDL_Rect){x, y, w, id_h}, id, FONT_TITLE, ALIGN_LEFT);
    /* the extras, and the way on */
    SDL_Rect col = l->portrait ? (SDL_Rect){a.x, card.y + card.h + l->gap, a.w, 0} : right;
    col.h = a.y + a.h - col.y;
    int has = by->address[0] || by->phone[0] || by->bank[0] || by->account[0];
    char text[200];
    snprintf(text, sizeof text, "%s%s", by->extras ? "✓ " : "",
             _("Also put address, phone and bank account on the invoice"));
    struct ui_widget *b = ui_button(t, "inv.extras", (SDL_Rect){col.x, col.y, col.w, bh}, text,
                                    ST_SECONDARY);
    b->font = FONT_TITLE;
    snprintf(b->sub, sizeof b->sub, "%s",
             !has ? _("The tax system has none for this company")
             : by->extras ? _("On the invoice · tap to leave them off")
                          : _("Not needed on most invoices"));
    b->disabled = !has;
    y = col.y + bh + gap;
    if (by->extras && has) {
        char vals[600];
        snprintf(vals, sizeof vals, "%s %s %s\n%s %s %s", _("Address and phone:"), by->address,
                 by->phone, _("Bank and account:"), by->bank, by->account);
        int vh = col.y + col.h - bh - gap - th->font_px[FONT_BODY] * 3 - gap - y;
        if (vh > th->font_px[FONT_BODY] * 6)
            vh = th->font_px[FONT_BODY] * 6;
        inv_text(t, "inv.extras.values", (SDL_Rect){col.x + pad, y, col.w - pad, vh}, vals,
                 FONT_BODY, ALIGN_LEFT);
    }
    /* the kiosk issues the ordinary e-invoice (普票); the special VAT one is the counter's */
    int hint_h = th->font_px[FONT_BODY] * 3;
    struct ui_widget *h = inv_text(t, "inv.special_vat",
                                   (SDL_Rect){col.x, col.y + col.h - bh - gap - hint_h, col.w,
                                              hint_h},
                                   _("Need a special VAT invoice (专票)? Please ask at the counter."),
                                   FONT_BODY, ALIGN_LEFT);
    h->fg = th->text_dim;
    b = inv_primary(t, "inv.next", (SDL_Rect){col.x, col.y + col.h - bh, col.w, bh},
                    _("This is my company"));
    b->on_enter = 1;
}

/* ---- the preview ------------------------------------------------------------------------ */

static const char *excluded_reason(const char *reason)
{
    if (!strcmp(reason, "POINTS"))
        return _("Paid with points: not invoiced");
    if (!strcmp(reason, "COUPON"))
        return _("Paid with a coupon: not invoiced");
    if (!strcmp(reason, "PREPAID_INVOICED"))
        return _("Fuel card recharge already invoiced (不征税)");
    return _("Not invoiced");
}

/* "38.50 升 × ¥7.81/升" or "2 瓶 × ¥2.00/瓶" (a line without a quantity has no such text). */
static void qty_text(const struct inv_line *ln, char *out, size_t cap)
{
    char price[32];
    money_format(ln->price_fen, price, sizeof price);
    if (ln->qty_ml > 0) {
        long long cl = (long long)((ln->qty_ml + 5) / 10);
        snprintf(out, cap, "%lld.%02lld %s × %s/%s", cl / 100, cl % 100, ln->unit, price,
                 ln->unit);
    } else {
        snprintf(out, cap, "%lld %s × %s%s%s", (long long)ln->qty, ln->unit, price,
                 ln->unit[0] ? "/" : "", ln->unit);
    }
}

static int line_h(const struct theme *th)
{
    return th->font_px[FONT_BODY] * 3 / 2 + th->font_px[FONT_CAPTION] * 3 / 2 + 10;
}

/* The invoice's lines and what is not invoiced (greyed, with why), in a list that scrolls
 * when they do not fit. */
static void lines(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                  SDL_Rect r)
{
    const struct inv_flow *f = v->f;
    int zh = !strcmp(v->base.lang, "zh_CN");
    int nl = 0, nx = 0;
    for (int s = 0; s < f->nsales; s++) {
        nl += f->sales[s].nlines;
        nx += f->sales[s].nexcluded;
    }
    int lh = line_h(th), bar = 12;
    int content = (nl + nx) * lh;
    SDL_Rect view = r;
    if (view.h > content)
        view.h = content;
    struct ui_widget *lw = ui_add(t, UI_LIST, ST_PLAIN, "inv.lines", view, NULL);
    int li = t->n - 1, first = t->n;
    lw->content_h = content;
    int w = content > view.h ? view.w - bar - 8 : view.w;
    int r1 = th->font_px[FONT_BODY] * 3 / 2, r2 = th->font_px[FONT_CAPTION] * 3 / 2;
    int y = view.y, k = 0;
    char id[UI_ID_LEN], left[200], amt[32], tax[32];
    for (int s = 0; s < f->nsales; s++) {
        for (int i = 0; i < f->sales[s].nlines; i++, k++) {
            const struct inv_line *ln = &f->sales[s].lines[i];
            snprintf(id, sizeof id, "inv.line.%d", k);
            money_format(ln->amount_fen, amt, sizeof amt);
            inv_pair_row(t, (SDL_Rect){view.x, y, w, r1}, ln->name, amt, FONT_BODY, !ln->discount,
                         id, 70);
            money_format(ln->tax_fen, tax, sizeof tax);
            if (ln->discount) {
                snprintf(left, sizeof left, _("Discount · tax rate %d%% · tax %s"), ln->rate_pct,
                         tax);
                t->v[t->n - 1].fg = t->v[t->n - 2].fg = th->ok;
            } else if (!ln->qty_ml && !ln->qty) {
                /* a fuel card's recharge (预付卡销售), the only line the reader lets go without
                 * a quantity: the invoice's rate column says 不征税, not 0% */
                snprintf(left, sizeof left, _("Not taxable (不征税) · tax %s"), tax);
            } else {
                char q[96];
                qty_text(ln, q, sizeof q);
                snprintf(left, sizeof left, _("%s · tax rate %d%% · tax %s"), q, ln->rate_pct,
                         tax);
            }
            snprintf(id, sizeof id, "inv.line.%d.detail", k);
            inv_text(t, id, (SDL_Rect){view.x, y + r1, w, r2}, left, FONT_CAPTION, ALIGN_LEFT)
                ->fg = th->text_dim;
            y += lh;
        }
    }
    k = 0;
    for (int s = 0; s < f->nsales; s++) {
        for (int i = 0; i < f->sales[s].nexcluded; i++, k++) {
            const struct inv_excluded *x = &f->sales[s].excluded[i];
            snprintf(id, sizeof id, "inv.excluded.%d", k);
            money_format(x->amount_fen, amt, sizeof amt);
            inv_pair_row(t, (SDL_Rect){view.x, y, w, r1}, zh ? x->label_zh : x->label_en, amt,
                         FONT_BODY, 0, id, 70);
            t->v[t->n - 1].fg = t->v[t->n - 2].fg = th->text_dim;
            snprintf(id, sizeof id, "inv.excluded.%d.reason", k);
            inv_text(t, id, (SDL_Rect){view.x, y + r1, w, r2}, excluded_reason(x->reason),
                     FONT_CAPTION, ALIGN_LEFT)
                ->fg = th->text_dim;
            y += lh;
        }
    }
    adopt(t, first, li);
}

/* The buyer as the invoice names it: name, tax ID, the extras, in at most `most` px (rows
 * shrink together when they must). Returns the height used. */
static int buyer_card(struct ui_tree *t, const struct theme *th, const struct inv_flow *f,
                      SDL_Rect r, int most)
{
    const struct inv_buyer *by = &f->buyer;
    int pad = th->min_target / 4;
    int org = by->organisation, extras = org && by->extras;
    int cap_h = th->font_px[FONT_CAPTION] * 3 / 2;
    int name_h = org ? th->font_px[FONT_TITLE] * 3 : th->font_px[FONT_TITLE] * 3 / 2;
    int id_h = org ? th->font_px[FONT_BODY] * 3 / 2 : 0;
    int ex_h = extras ? th->font_px[FONT_CAPTION] * 3 : 0; /* two lines each */
    int inner = cap_h + name_h + id_h + 2 * ex_h;
    if (inner + 2 * pad > most) {
        /* everything shrinks alike, down to the smallest type that is drawn (a line of it
         * is about 3/2 of its size) */
        int k = (most - 2 * pad) * 100 / inner, line = th->font_px[FONT_CAPTION] * 9 / 8;
        cap_h = cap_h * k / 100 > line ? cap_h * k / 100 : line;
        name_h = name_h * k / 100 > 2 * line ? name_h * k / 100 : 2 * line;
        id_h = id_h ? (id_h * k / 100 > line ? id_h * k / 100 : line) : 0;
        ex_h = ex_h ? (ex_h * k / 100 > 2 * line ? ex_h * k / 100 : 2 * line) : 0;
    }
    int h = cap_h + name_h + id_h + 2 * ex_h + 2 * pad;
    ui_add(t, UI_PANEL, ST_CARD, NULL, (SDL_Rect){r.x, r.y, r.w, h}, NULL);
    int x = r.x + pad, w = r.w - 2 * pad, y = r.y + pad;
    inv_text(t, NULL, (SDL_Rect){x, y, w, cap_h}, _("Buyer"), FONT_CAPTION, ALIGN_LEFT)->fg =
        th->text_dim;
    y += cap_h;
    inv_text(t, "inv.buyer", (SDL_Rect){x, y, w, name_h}, by->name, FONT_TITLE, ALIGN_LEFT)->bold =
        1;
    y += name_h;
    char line[400], id[INV_TAXID_LEN * 2];
    if (org) {
        inv_grouped(by->tax_id, 4, id, sizeof id);
        snprintf(line, sizeof line, "%s %s", _("Taxpayer ID"), id);
        inv_text(t, "inv.buyer.tax_id", (SDL_Rect){x, y, w, id_h}, line, FONT_BODY, ALIGN_LEFT);
        y += id_h;
    }
    if (extras) {
        snprintf(line, sizeof line, "%s %s %s", _("Address and phone:"), by->address, by->phone);
        inv_text(t, "inv.buyer.address", (SDL_Rect){x, y, w, ex_h}, line, FONT_CAPTION, ALIGN_LEFT);
        y += ex_h;
        snprintf(line, sizeof line, "%s %s %s", _("Bank and account:"), by->bank, by->account);
        inv_text(t, "inv.buyer.bank", (SDL_Rect){x, y, w, ex_h}, line, FONT_CAPTION, ALIGN_LEFT);
    }
    return h;
}

/* Amount, tax and the total, biggest, ending at `bottom`; returns where they start. In
 * landscape amount and tax share a row. */
static int totals(struct ui_tree *t, const struct theme *th, const struct inv_flow *f,
                  const struct layout *l, SDL_Rect col, int bottom)
{
    int64_t amount, tax, total;
    inv_totals(f, &amount, &tax, &total);
    int tot_h = th->font_px[FONT_HEADLINE] * 3 / 2, sub_h = th->font_px[FONT_BODY] * 3 / 2;
    int y = bottom - tot_h;
    char amt[32];
    money_format(total, amt, sizeof amt);
    inv_pair_row(t, (SDL_Rect){col.x, y, col.w, tot_h}, _("Total (tax included)"), amt,
                 FONT_HEADLINE, 1, "inv.total", 50);
    SDL_Rect ta, am;
    if (l->portrait) {
        y -= 2 * sub_h;
        am = (SDL_Rect){col.x, y, col.w, sub_h};
        ta = (SDL_Rect){col.x, y + sub_h, col.w, sub_h};
    } else {
        int g = l->gap, hw = (col.w - g) / 2;
        y -= sub_h;
        am = (SDL_Rect){col.x, y, hw, sub_h};
        ta = (SDL_Rect){col.x + hw + g, y, col.w - hw - g, sub_h};
    }
    money_format(amount, amt, sizeof amt);
    inv_pair_row(t, am, _("Amount (before tax)"), amt, FONT_BODY, 0, "inv.amount",
                 l->portrait ? 50 : 60);
    money_format(tax, amt, sizeof amt);
    inv_pair_row(t, ta, _("Tax"), amt, FONT_BODY, 0, "inv.tax", 50);
    ui_add(t, UI_PANEL, ST_PLAIN, NULL, (SDL_Rect){col.x, y - 4, col.w, 2}, NULL)->bg =
        th->border;
    return y - 4;
}

/* The invoice as it will be issued. Portrait: the buyer, where it goes, the lines, the
 * totals and Issue, top to bottom; landscape: the buyer and where it goes left, the lines,
 * the totals and Issue right. */
static void preview(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct inv_flow *f = v->f;
    int bh = th->min_target * 3 / 2, gap = l->gap / 2;
    inv_notice(t, th, v, &a);
    SDL_Rect left = inv_column(l, a, 0), right = inv_column(l, a, 1);
    char text[300], to[120];
    int row_h = th->font_px[FONT_BODY] * 3 / 2;
    int corr_h = th->font_px[FONT_BODY] * 3;
    /* what the buyer card may take: landscape, the column less the rest of it */
    int most = l->portrait ? left.h * 40 / 100
                           : left.h - (row_h + gap) - (f->correcting ? corr_h + gap : 0);
    int y = left.y;
    y += buyer_card(t, th, f, (SDL_Rect){left.x, y, left.w, 0}, most) + gap;
    inv_typed_delivery(f, to, sizeof to);
    inv_pair_row(t, (SDL_Rect){left.x, y, left.w, row_h}, _("Send to"), to, FONT_BODY, 0,
                 "inv.delivery", 30);
    y += row_h + gap;
    if (f->correcting) {
        char no[INV_NO_LEN * 2];
        inv_grouped(f->existing.number, 4, no, sizeof no);
        snprintf(text, sizeof text,
                 _("This corrects invoice %s: a red-letter invoice (红字发票) cancels it, and this one replaces it."),
                 no);
        if (corr_h > left.y + left.h - y)
            corr_h = left.y + left.h - y; /* landscape, large type: what is left */
        struct ui_widget *c = inv_text(t, "inv.correcting", (SDL_Rect){left.x, y, left.w, corr_h},
                                       text, FONT_BODY, ALIGN_LEFT);
        c->fg = th->warn;
        y += corr_h + gap;
    }
    /* the way on at the bottom (of the right column in landscape), the totals over it, the
     * lines over them in the height that is left (they scroll) */
    SDL_Rect col = l->portrait ? (SDL_Rect){a.x, y, a.w, a.y + a.h - y} : right;
    SDL_Rect next = {col.x, col.y + col.h - bh, col.w, bh};
    int lines_end = totals(t, th, f, l, col, next.y - gap) - gap;
    lines(t, th, v, (SDL_Rect){col.x, col.y, col.w, lines_end - col.y});
    struct ui_widget *b = inv_primary(t, "inv.issue", next, _("Issue the invoice"));
    b->disabled = f->busy;
    b->on_enter = 1;
}

void inv_screen(struct ui_tree *t, const struct theme *th, const struct inv_view *v)
{
    const struct inv_flow *f = v->f;
    struct layout l;
    snprintf(t->screen, sizeof t->screen, "%s", inv_screen_name(f));
    t->prompt = NULL;
    chrome_layout(&l, t, th);
    chrome_header(t, &l, &v->base, _("Get an e-invoice"));
    SDL_Rect a = l.content;
    int sh = steps(t, th, f, &l);
    a.y += sh;
    a.h -= sh;
    const char *back = _("Back");
    switch (f->state) {
    case INV_IDLE:
    case INV_COLLECT: collect(t, th, v, &l, a); break;
    case INV_TXN: inv_screen_txn(t, th, v, &l, a); break;
    case INV_TAXID: inv_screen_taxid(t, th, v, &l, a); break;
    case INV_COMPANY:
        company(t, th, v, &l, a);
        back = _("Type again");
        break;
    case INV_DELIVERY: inv_screen_delivery(t, th, v, &l, a); break;
    case INV_PREVIEW: preview(t, th, v, &l, a); break;
    case INV_ISSUING: inv_screen_issuing(t, th, v, &l, a); break;
    case INV_ISSUED: inv_screen_issued(t, th, v, &l, a); break;
    case INV_SUBMITTED: inv_screen_submitted(t, th, v, &l, a); break;
    case INV_EXISTING: inv_screen_existing(t, th, v, &l, a); break;
    case INV_RESENT: inv_screen_resent(t, th, v, &l, a); break;
    case INV_REFUSED: inv_screen_refused(t, th, v, &l, a); break;
    case INV_STATE_LAST: break;
    }
    /* the way back, bottom-left, where there is one: not while the invoice is issued, nor
     * once it is (or is not) */
    int way_back = f->state != INV_ISSUING && f->state != INV_ISSUED &&
                   f->state != INV_SUBMITTED && f->state != INV_RESENT &&
                   f->state != INV_REFUSED;
    chrome_footer(t, &l, &v->base, way_back ? "inv.back" : NULL, back);
    struct ui_widget *b = way_back ? ui_find(t, "inv.back") : NULL;
    if (b) {
        b->on_escape = 1;
        b->disabled = f->busy;
    }
}
