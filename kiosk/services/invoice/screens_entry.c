#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "screens.h"

/* The e-invoice screens where the customer types: the transaction number, the taxpayer ID,
 * and the invoice's title with where it goes. Portrait: what is typed above, the keys below;
 * landscape: what is typed left, the keys right. Keys are muted while the kiosk asks the
 * station system about what was typed. */

/* "T0001-2026____-______": the digits typed in the receipt's grouping, "_" for the rest. */
static void txn_text(const char *digits, char *out, size_t cap)
{
    size_t n = 0, len = strlen(digits);
    if (cap < 2)
        return;
    out[n++] = 'T';
    for (size_t i = 0; i < INV_TXN_DIGITS && n + 3 < cap; i++) {
        if (i == 4 || i == 12)
            out[n++] = '-';
        out[n++] = i < len ? digits[i] : '_';
    }
    out[n] = '\0';
}

/* "9111 0000 MA01 ____ __": groups of four, "_" up to the usual 18 characters. */
static void taxid_text(const char *typed, char *out, size_t cap)
{
    size_t n = 0, len = strlen(typed), shown = len > 18 ? len : 18;
    for (size_t i = 0; i < shown && n + 3 < cap; i++) {
        if (i && i % 4 == 0)
            out[n++] = ' ';
        out[n++] = i < len ? typed[i] : '_';
    }
    out[n] = '\0';
}

/* The headline's height: two and a half lines of headline type where there is room (the
 * room left in a landscape column), down to one line of title type. */
static int headline_h(const struct theme *th, const struct layout *l, int room)
{
    int h = th->font_px[FONT_HEADLINE] * 5 / 2, least = th->font_px[FONT_TITLE] * 3 / 2;
    if (!l->portrait && h > room)
        h = room > least ? room : least;
    return h;
}

/* What is typed, big, in a card (id `id`). */
static void typed_card(struct ui_tree *t, const char *id, SDL_Rect r, const char *text)
{
    ui_add(t, UI_PANEL, ST_CARD, NULL, r, NULL);
    int pad = r.h / 6;
    struct ui_widget *w = ui_label(t, (SDL_Rect){r.x + pad, r.y, r.w - 2 * pad, r.h}, text,
                                   FONT_HEADLINE, ALIGN_CENTER);
    w->bold = 1;
    snprintf(w->id, sizeof w->id, "%s", id);
}

/* Mutes the keys built since `from`. */
static void mute(struct ui_tree *t, int from, int muted)
{
    for (int i = from; i < t->n; i++)
        t->v[i].disabled = muted;
}

/* A keypad area no larger than needed: at most `max_h` high and 3:2 wide, centred. */
static SDL_Rect pad_area(SDL_Rect r, int max_h)
{
    if (r.h > max_h) {
        r.y += r.h - max_h; /* low: away from the top strip */
        r.h = max_h;
    }
    if (r.w > r.h * 3 / 2) {
        r.x += (r.w - r.h * 3 / 2) / 2;
        r.w = r.h * 3 / 2;
    }
    return r;
}

void inv_screen_txn(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct inv_flow *f = v->f;
    int gap = l->gap / 2;
    SDL_Rect left = inv_column(l, a, 0), right = inv_column(l, a, 1);
    inv_notice(t, th, v, &left);
    char text[40];
    int card_h = th->min_target * 3 / 2, hint_h = th->font_px[FONT_BODY] * 3;
    int busy_h = f->busy ? th->min_target * 3 / 4 + gap : 0;
    inv_headline(t, "inv.title", &left,
                 headline_h(th, l, left.h - card_h - gap - hint_h - gap - busy_h),
                 _("Type the transaction number on your receipt"));
    txn_text(f->txn_digits, text, sizeof text);
    typed_card(t, "inv.txn", (SDL_Rect){left.x, left.y, left.w, card_h}, text);
    int y = left.y + card_h + gap;
    if (y + hint_h > left.y + left.h - busy_h)
        hint_h = left.y + left.h - busy_h - y; /* landscape, large type: what fits */
    struct ui_widget *w = ui_label(t, (SDL_Rect){left.x, y, left.w, hint_h},
                                   _("Type the 18 digits after the T: the dashes are added for you."),
                                   FONT_BODY, ALIGN_LEFT);
    w->fg = th->text_dim;
    snprintf(w->id, sizeof w->id, "inv.txn.hint");
    y += hint_h + gap;
    if (f->busy) {
        int bh = th->min_target * 3 / 4;
        inv_busy_row(t, th, (SDL_Rect){left.x, y, left.w, bh}, inv_busy_text(f));
        y += bh + gap;
    }
    SDL_Rect pad = l->portrait ? (SDL_Rect){a.x, y + l->gap, a.w, a.y + a.h - y - l->gap}
                               : right;
    pad = pad_area(pad, th->min_target * 6);
    int first = t->n;
    ui_keypad(t, "inv.key", pad, _("Find"));
    mute(t, first, f->busy);
}

void inv_screen_taxid(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                      const struct layout *l, SDL_Rect a)
{
    const struct inv_flow *f = v->f;
    int gap = l->gap / 2;
    SDL_Rect left = inv_column(l, a, 0), right = inv_column(l, a, 1);
    inv_notice(t, th, v, &left);
    char text[64];
    int card_h = th->min_target * 3 / 2;
    int row_h = th->font_px[FONT_BODY] * 3 / 2, hint_rows = l->portrait ? 1 : 2;
    int busy_h = f->busy ? th->min_target * 3 / 4 + gap : 0;
    inv_headline(t, "inv.title", &left,
                 headline_h(th, l, left.h - card_h - gap / 2 - row_h * hint_rows - gap - busy_h),
                 _("Type the buyer's taxpayer ID (纳税人识别号)"));
    taxid_text(f->taxid, text, sizeof text);
    typed_card(t, "inv.taxid", (SDL_Rect){left.x, left.y, left.w, card_h}, text);
    int y = left.y + card_h + gap / 2, cw = left.w / 4;
    if (!l->portrait && y + row_h * hint_rows > left.y + left.h - busy_h)
        hint_rows = 1; /* landscape, large type: what fits */
    snprintf(text, sizeof text, "%d / 18", (int)strlen(f->taxid));
    struct ui_widget *w = ui_label(t, (SDL_Rect){left.x + left.w - cw, y, cw, row_h}, text,
                                   FONT_BODY, ALIGN_RIGHT);
    w->bold = 1;
    snprintf(w->id, sizeof w->id, "inv.taxid.count");
    w = ui_label(t, (SDL_Rect){left.x, y, left.w - cw, row_h * hint_rows},
                 _("There is no I, O, S, V or Z in a taxpayer ID."), FONT_BODY, ALIGN_LEFT);
    w->fg = th->text_dim;
    snprintf(w->id, sizeof w->id, "inv.taxid.hint");
    y += row_h * hint_rows;
    if (l->portrait) { /* the title QR does it all: where there is room for saying so */
        w = ui_label(t, (SDL_Rect){left.x, y, left.w, row_h},
                     _("Or scan your WeChat or Alipay invoice title QR code"), FONT_BODY,
                     ALIGN_LEFT);
        w->fg = th->text_dim;
        snprintf(w->id, sizeof w->id, "inv.title_qr");
        y += row_h;
    }
    y += gap;
    if (f->busy) {
        int bh = th->min_target * 3 / 4;
        inv_busy_row(t, th, (SDL_Rect){left.x, y, left.w, bh}, inv_busy_text(f));
        y += bh + gap;
    }
    SDL_Rect pad = l->portrait ? (SDL_Rect){a.x, y + l->gap, a.w, a.y + a.h - y - l->gap}
                               : right;
    if (pad.h > th->min_target * 11)
        pad.y += pad.h - th->min_target * 11, pad.h = th->min_target * 11;
    int first = t->n;
    ui_taxpad(t, "inv.tax", pad, _("Look up"));
    mute(t, first, f->busy);
}

/* A delivery field: a button showing what is typed there (tap to type in it), its name
 * at its left. The field being typed is outlined in the primary colour and marked at its
 * side. */
static void field(struct ui_tree *t, const struct theme *th, const struct inv_flow *f, int i,
                  SDL_Rect label, SDL_Rect box)
{
    int active = f->field == i;
    struct ui_widget *w = ui_label(t, label, i == 0 ? _("Mobile phone (SMS)") : _("Email"),
                                   FONT_BODY, ALIGN_LEFT);
    w->bold = active;
    w->fg = active ? th->primary : th->text;
    char text[INV_EMAIL_LEN + 8], id[UI_ID_LEN];
    int empty = i == 0 ? !f->phone[0] : !f->email[0];
    if (i == 0)
        inv_phone_text(f->phone, text, sizeof text);
    else
        snprintf(text, sizeof text, "%s%s", f->email, active ? "|" : "");
    if (i == 1 && empty && !active)
        snprintf(text, sizeof text, "%s", _("Tap to type an email"));
    snprintf(id, sizeof id, "inv.field.%d", i);
    w = ui_button(t, id, box, text, active ? ST_SECONDARY : ST_TILE);
    w->font = i == 0 ? FONT_HEADLINE : FONT_TITLE;
    w->bold = !empty;
    w->fg = empty && !active ? th->text_dim : th->text;
    w->align = ALIGN_LEFT;
    if (active)
        ui_add(t, UI_PANEL, ST_PLAIN, NULL, (SDL_Rect){box.x - 14, box.y, 8, box.h}, NULL)->bg =
            th->primary;
}

/* The invoice's title: the customer's own (个人, chosen unless they say otherwise) or a
 * company's (its name once found; tapping it types or changes the tax ID). */
static void title_row(struct ui_tree *t, const struct theme *th, const struct inv_flow *f,
                      SDL_Rect label, SDL_Rect box)
{
    int org = f->buyer.organisation, gap = th->min_target / 6;
    struct ui_widget *w = ui_label(t, label, _("Invoice title"), FONT_BODY, ALIGN_LEFT);
    w->fg = th->text;
    int iw = (box.w - gap) * 2 / 5;
    char text[INV_NAME_LEN + 8];
    snprintf(text, sizeof text, "%s%s", org ? "" : "✓ ", _("Individual"));
    w = ui_button(t, "inv.individual", (SDL_Rect){box.x, box.y, iw, box.h}, text,
                  org ? ST_TILE : ST_SECONDARY);
    w->font = FONT_TITLE;
    w->bold = !org;
    w->disabled = f->busy;
    if (org && f->buyer.name[0]) {
        /* the start of the company's name: the preview shows it whole */
        size_t n = 0, chars = 0;
        while (f->buyer.name[n] && chars < 16)
            for (chars++, n++; ((unsigned char)f->buyer.name[n] & 0xC0) == 0x80; n++)
                ;
        snprintf(text, sizeof text, "✓ %.*s%s", (int)n, f->buyer.name,
                 f->buyer.name[n] ? "…" : "");
    } else
        snprintf(text, sizeof text, "%s", _("Company"));
    w = ui_button(t, "inv.organisation", (SDL_Rect){box.x + iw + gap, box.y, box.w - iw - gap,
                                                    box.h},
                  text, org ? ST_SECONDARY : ST_TILE);
    w->font = org ? FONT_BODY : FONT_TITLE;
    w->bold = org;
    if (!org)
        snprintf(w->sub, sizeof w->sub, "%s", _("With its taxpayer ID"));
    w->disabled = f->busy;
}

/* Title and delivery on one screen: the title (individual unless the customer says
 * otherwise), phone and email, the keys for the field being typed, and the way on. When the
 * invoice is sent again only where it goes is asked. */
void inv_screen_delivery(struct ui_tree *t, const struct theme *th, const struct inv_view *v,
                         const struct layout *l, SDL_Rect a)
{
    const struct inv_flow *f = v->f;
    int bh = th->min_target * 3 / 2, gap = l->gap / 2;
    SDL_Rect left = inv_column(l, a, 0), right = inv_column(l, a, 1);
    inv_notice(t, th, v, &left);
    int titled = !f->resending;
    int sub_h = th->font_px[FONT_BODY] * 3 / 2, head_h = th->font_px[FONT_HEADLINE] * 3 / 2;
    int rows = titled ? 3 : 2, fh = th->min_target * 5 / 4, nhints = titled ? 2 : 1;
    /* First the rows, the way on and (portrait) keys of a good size; then the headline and
     * the words under the rows where there is room (landscape, large type: there is not) */
    int keys_min = !l->portrait ? 0 : f->field == 0 ? th->min_target * 9 / 2 + l->gap
                                                    : th->min_target * 11 / 2 + l->gap;
    int room = left.h - bh - gap - keys_min - rows * (fh + gap);
    int head = room >= head_h;
    if (head) {
        inv_headline(t, "inv.title", &left, head_h,
                     f->resending ? _("Where shall we send it again?")
                                  : _("Invoice title and where to send it"));
        room -= head_h;
    }
    int hints = room >= nhints * sub_h;
    if (room < 0) {
        int most = (left.h - bh - gap - keys_min) / rows - gap;
        fh = most > th->min_target * 2 / 3 ? most : th->min_target * 2 / 3;
    }
    int lw = left.w * 30 / 100, y = left.y;
    if (titled) {
        title_row(t, th, f, (SDL_Rect){left.x, y, lw - gap, fh},
                  (SDL_Rect){left.x + lw, y, left.w - lw, fh});
        y += fh;
        if (hints) {
            struct ui_widget *w = ui_label(t, (SDL_Rect){left.x + lw, y, left.w - lw, sub_h},
                                           _("Or scan your WeChat or Alipay invoice title QR code"),
                                           FONT_BODY, ALIGN_LEFT);
            w->fg = th->text_dim;
            snprintf(w->id, sizeof w->id, "inv.title_qr");
            y += sub_h;
        }
        y += gap;
    }
    for (int i = 0; i < 2; i++) {
        field(t, th, f, i, (SDL_Rect){left.x, y, lw - gap, fh},
              (SDL_Rect){left.x + lw, y, left.w - lw, fh});
        y += fh + gap;
    }
    if (hints) {
        struct ui_widget *w = ui_label(t, (SDL_Rect){left.x + lw, y - gap, left.w - lw, sub_h},
                                       _("Phone (SMS), email, or both"), FONT_BODY, ALIGN_LEFT);
        w->fg = th->text_dim;
        snprintf(w->id, sizeof w->id, "inv.title.sub");
        y += sub_h;
    }
    /* the way on: under everything (portrait), under the fields (landscape) */
    SDL_Rect next = l->portrait ? (SDL_Rect){a.x, a.y + a.h - bh, a.w, bh}
                                : (SDL_Rect){left.x, left.y + left.h - bh, left.w, bh};
    SDL_Rect keys = l->portrait ? (SDL_Rect){a.x, y + gap, a.w, next.y - l->gap - y - gap}
                                : right;
    int sh = th->min_target * 3 / 4;
    if (f->busy) {
        SDL_Rect r = {next.x, next.y - gap - sh, next.w, sh};
        if (l->portrait)
            keys.h -= sh + gap;
        inv_busy_row(t, th, r, inv_busy_text(f));
    }
    int first = t->n;
    if (f->field == 0) {
        ui_keypad(t, "inv.key", pad_area(keys, th->min_target * 6), _("Done"));
    } else {
        /* the e-mail row and the keyboard: six rows alike, low on the screen */
        int kgap = keys.w / 120 + 2, krows = 6;
        int rh = (keys.h - (krows - 1) * kgap) / krows;
        if (rh > th->min_target * 5 / 4)
            rh = th->min_target * 5 / 4;
        int h = krows * rh + (krows - 1) * kgap;
        keys.y += keys.h - h;
        keys.h = h;
        ui_email_keys(t, "inv.kbd", (SDL_Rect){keys.x, keys.y, keys.w, rh});
        ui_keyboard(t, "inv.kbd", (SDL_Rect){keys.x, keys.y + rh + kgap, keys.w, h - rh - kgap},
                    f->shift, _("Done"));
    }
    mute(t, first, f->busy);
    /* one primary action on the screen: the keys' Done is a plain key */
    struct ui_widget *ok = ui_find(t, f->field == 0 ? "inv.key.ok" : "inv.kbd.ok");
    if (ok) {
        ok->style = ST_SECONDARY;
        ok->font = FONT_TITLE;
    }
    struct ui_widget *b = inv_primary(t, "inv.next", next,
                                      f->resending ? _("Send it again") : _("Continue"));
    b->disabled = f->busy;
}
