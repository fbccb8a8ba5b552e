#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "core/money.h"
#include "screens.h"

/* The fuel-card screens where the customer types: the PIN (its keys shuffled), the
 * recharge amount (presets and yuan) and an allocation's amount. Portrait: what is typed
 * above, the keys below; landscape: what is typed left, the keys right. */

/* A keypad area no larger than needed: at most `max_h` high (low in r, away from the top
 * strip) and 3:2 wide, centred. */
static SDL_Rect keys_area(SDL_Rect r, int max_h)
{
    if (r.h > max_h) {
        r.y += r.h - max_h;
        r.h = max_h;
    }
    if (r.w > r.h * 3 / 2) {
        r.x += (r.w - r.h * 3 / 2) / 2;
        r.w = r.h * 3 / 2;
    }
    return r;
}

/* What is typed, big, in a card (id `id`); dim when nothing is. */
static void typed_card(struct ui_tree *t, const struct theme *th, const char *id, SDL_Rect r,
                       const char *text, int empty)
{
    ui_add(t, UI_PANEL, ST_CARD, NULL, r, NULL);
    int pad = r.h / 6;
    struct ui_widget *w = chrome_text(t, id, (SDL_Rect){r.x + pad, r.y, r.w - 2 * pad, r.h}, text,
                                      FONT_HEADLINE, ALIGN_CENTER);
    w->bold = 1;
    if (empty)
        w->fg = th->text_dim;
}

/* ---- the PIN ---------------------------------------------------------------------------- */

/* 1 if pin_order holds each digit once. */
static int order_ok(const uint8_t *order)
{
    int seen = 0;
    for (int i = 0; i < 10; i++) {
        if (order[i] > 9 || (seen & (1 << order[i])))
            return 0;
        seen |= 1 << order[i];
    }
    return 1;
}

/* The PIN keypad: ui_keypad's keys and places (1-9 in three rows, Delete 0 OK under them),
 * the digit at each place from f->pin_order (places 0-8 the first three rows, 9 the middle
 * of the last). The id names the digit (card.pin.<digit>), not the place. */
static void pin_keys(struct ui_tree *t, const struct cd_flow *f, SDL_Rect r)
{
    static const uint8_t plain[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
    const uint8_t *order = order_ok(f->pin_order) ? f->pin_order : plain;
    struct ui_widget *keys[10];
    ui_keypad(t, "card.pin", r, _("Enter"));
    for (int pos = 0; pos < 10; pos++) { /* every key found before any is renamed */
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "card.pin.%d", plain[pos]);
        if (!(keys[pos] = ui_find(t, id)))
            return; /* the tree is full: it says so itself */
    }
    for (int pos = 0; pos < 10; pos++) {
        snprintf(keys[pos]->id, sizeof keys[pos]->id, "card.pin.%d", order[pos]);
        snprintf(keys[pos]->text, sizeof keys[pos]->text, "%d", order[pos]);
    }
}

/* "● ● ● ○ ○ ○": a dot for each digit typed, rings for the rest of the usual length. The
 * digits themselves are never drawn. */
static void pin_dots(const struct cd_flow *f, char *out, size_t cap)
{
    int typed = (int)strnlen(f->pin, sizeof f->pin);
    int n = f->cfg.pin_len > 0 ? f->cfg.pin_len : 6;
    if (typed > n)
        n = typed;
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < n && o + 5 < cap; i++) {
        int k = snprintf(out + o, cap - o, "%s%s", i ? " " : "", i < typed ? "●" : "○");
        if (k < 0)
            break;
        o += (size_t)k;
    }
}

void cd_screen_pin(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                   const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    int gap = l->gap / 2;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    char text[120];
    int card_h = th->min_target * 3 / 2;
    /* the card, the headline and the hint: in what the column has (landscape) */
    int h[3] = {th->font_px[FONT_TITLE] * 3 / 2, th->font_px[FONT_HEADLINE] * 3 / 2,
                th->font_px[FONT_BODY] * 3};
    if (!l->portrait)
        chrome_fit(h, 3, left.h - card_h - gap - cd_notice_h(th, f) - gap,
                   th->font_px[FONT_CAPTION] * 3 / 2);
    cd_card_line(f, text, sizeof text);
    struct ui_widget *w = chrome_text(t, "card.summary", (SDL_Rect){left.x, left.y, left.w, h[0]},
                                      text, FONT_TITLE, ALIGN_LEFT);
    w->fg = th->text_dim;
    left.y += h[0];
    left.h -= h[0];
    cd_headline(t, "card.pin.title", &left, h[1], _("Enter the card's PIN"));
    pin_dots(f, text, sizeof text);
    typed_card(t, th, "card.pin.dots", (SDL_Rect){left.x, left.y, left.w, card_h}, text, 0);
    left.y += card_h + gap;
    left.h -= card_h + gap;
    cd_notice(t, th, f, &left);
    if (h[2] > left.h)
        h[2] = left.h > 0 ? left.h : 0;
    w = chrome_text(
        t, "card.pin.hint", (SDL_Rect){left.x, left.y, left.w, h[2]},
        _("The keys are in a new order each time. Please cover the keypad with your hand."),
        FONT_BODY, ALIGN_LEFT);
    w->fg = th->text_dim;
    int y = left.y + h[2] + gap;
    SDL_Rect pad = l->portrait ? (SDL_Rect){a.x, y + gap, a.w, a.y + a.h - y - gap} : right;
    int first = t->n;
    pin_keys(t, f, keys_area(pad, th->min_target * 7));
    cd_mute(t, first, f->busy);
}

/* ---- the recharge amount ---------------------------------------------------------------- */

/* The presets in a row: ¥100.00 ... (the one typed marked). Returns the height used. */
static int presets(struct ui_tree *t, const struct theme *th, const struct cd_flow *f,
                   SDL_Rect r)
{
    int n = 0;
    for (int i = 0; i < CD_NPRESETS; i++)
        n += f->cfg.presets_fen[i] > 0;
    if (n == 0)
        return 0;
    int gap = th->min_target / 6, w = (r.w - (n - 1) * gap) / n, x = r.x;
    int64_t typed = cd_typed_fen(f->amount_digits);
    for (int i = 0; i < CD_NPRESETS; i++) {
        int64_t p = f->cfg.presets_fen[i];
        if (p <= 0)
            continue;
        char id[UI_ID_LEN], amt[32];
        snprintf(id, sizeof id, "card.preset.%d", i);
        money_format(p, amt, sizeof amt);
        int on = typed == p;
        struct ui_widget *b = ui_button(t, id, (SDL_Rect){x, r.y, w, r.h}, amt,
                                        on ? ST_SECONDARY : ST_TILE);
        b->font = FONT_TITLE;
        b->bold = 1;
        b->disabled = f->busy || p > cd_recharge_max(f);
        x += w + gap;
    }
    return r.h;
}

/* Portrait: the headline, what is typed, the limits; low on the screen the presets, the
 * keys and Pay. Landscape (little height): what is typed, the limits and Pay left; the
 * presets over the keys right. */
void cd_screen_amount(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                      const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    int gap = l->gap / 2, bh = th->min_target * 3 / 2;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    char text[200], amt[32], cap[32];
    int64_t typed = cd_typed_fen(f->amount_digits);
    /* the way on, and what it does, at the bottom (of the left column in landscape) */
    int why_h = th->font_px[FONT_BODY] * 3 / 2;
    SDL_Rect why = {left.x, left.y + left.h - why_h, left.w, why_h};
    SDL_Rect pay = {left.x, why.y - bh, left.w, bh};
    int preset_h = th->min_target * 5 / 4, card_h = th->min_target * 3 / 2;
    int limits_h = th->font_px[FONT_BODY] * 3 / 2, head_h = th->font_px[FONT_HEADLINE] * 3 / 2;
    char note[300];
    cd_note_text(f, note, sizeof note);
    int note_h = note[0] ? th->font_px[FONT_BODY] * 3 + th->min_target / 6 : 0;
    if (!l->portrait) {
        /* the headline in what the column has left, down to one line of title type */
        int room = pay.y - gap - (card_h + limits_h + gap + note_h) - left.y;
        if (room < head_h)
            head_h = room >= th->font_px[FONT_TITLE] * 3 / 2 ? room : 0;
    }
    if (head_h > 0)
        cd_headline(t, "card.amount.title", &left, head_h, _("How much to recharge?"));
    int y = left.y;
    cd_typed_money(f->amount_digits, amt, sizeof amt);
    typed_card(t, th, "card.amt.value", (SDL_Rect){left.x, y, left.w, card_h}, amt, typed == 0);
    y += card_h;
    money_format(cd_recharge_max(f), amt, sizeof amt);
    money_format(f->acct.balance_cap_fen, cap, sizeof cap);
    snprintf(text, sizeof text, _("Up to %s now · the card holds at most %s"), amt, cap);
    struct ui_widget *w = chrome_text(t, "card.limits", (SDL_Rect){left.x, y, left.w, limits_h},
                                      text, FONT_BODY, ALIGN_LEFT);
    w->fg = th->text_dim;
    y += limits_h + gap;
    SDL_Rect rest = {left.x, y, left.w, pay.y - y}; /* the note: over Pay, whatever it takes */
    cd_notice(t, th, f, &rest);
    y = rest.y;
    /* the presets right over the keys, low on the screen: under all that and over Pay
     * (portrait), the right column (landscape) */
    SDL_Rect pad = l->portrait ? (SDL_Rect){a.x, y, a.w, pay.y - gap - y} : right;
    pad.y += preset_h + l->gap;
    pad.h -= preset_h + l->gap;
    SDL_Rect keys = keys_area(pad, th->min_target * 6);
    int first = t->n;
    int used = presets(t, th, f, (SDL_Rect){pad.x, keys.y - l->gap - preset_h, pad.w, preset_h});
    if (!used) /* none configured: the keys have their room */
        keys = keys_area((SDL_Rect){pad.x, pad.y - preset_h - l->gap, pad.w,
                                    pad.h + preset_h + l->gap},
                         th->min_target * 6);
    ui_keypad(t, "card.amt", keys, _("Clear"));
    /* its OK key clears what is typed: the way on is Pay, the one primary action */
    struct ui_widget *k = ui_find(t, "card.amt.ok");
    if (k) {
        snprintf(k->id, sizeof k->id, "card.amt.clear");
        k->style = ST_KEY;
        k->font = FONT_TITLE;
    }
    cd_mute(t, first, f->busy);
    if (typed > 0) {
        money_format(typed, amt, sizeof amt);
        snprintf(text, sizeof text, _("Pay %s"), amt);
    } else {
        snprintf(text, sizeof text, "%s", _("Choose or type an amount"));
    }
    struct ui_widget *b = chrome_primary(t, "card.pay", pay, text);
    b->disabled = typed == 0 || f->busy;
    w = chrome_text(t, "card.pay.why", why, _("Loaded onto the card right after you pay"),
                    FONT_BODY, ALIGN_CENTER);
    w->fg = th->text_dim;
}

/* ---- an allocation's amount ------------------------------------------------------------- */

void cd_screen_alloc_keypad(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                            const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    int gap = l->gap / 2;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    char text[200], amt[32];
    int line_h = th->font_px[FONT_TITLE] * 3 / 2, card_h = th->min_target * 3 / 2;
    int row_h = th->font_px[FONT_BODY] * 3 / 2;
    int split = f->editing < 0 || f->editing >= f->nsubs;
    cd_headline(t, "card.akey.title", &left, th->font_px[FONT_HEADLINE] * 3 / 2,
                split ? _("The total to split evenly") : _("Amount for this sub-card"));
    if (split) {
        int64_t typed = cd_typed_fen(f->amount_digits);
        if (typed > 0 && f->nsubs > 0) {
            money_format(typed / f->nsubs, amt, sizeof amt);
            snprintf(text, sizeof text, _("Split among %d sub-cards: about %s each"), f->nsubs,
                     amt);
        } else {
            snprintf(text, sizeof text, _("Split among %d sub-cards"), f->nsubs);
        }
    } else {
        const struct cd_sub *s = &f->subs[f->editing];
        snprintf(text, sizeof text, "%s · %s", s->no_masked, s->holder_masked);
    }
    chrome_text(t, "card.akey.who", (SDL_Rect){left.x, left.y, left.w, line_h}, text, FONT_TITLE,
                ALIGN_LEFT)
        ->bold = !split;
    left.y += line_h + gap;
    cd_typed_money(f->amount_digits, amt, sizeof amt);
    typed_card(t, th, "card.akey.value", (SDL_Rect){left.x, left.y, left.w, card_h}, amt,
               !f->amount_digits[0]);
    left.y += card_h + gap;
    money_format(f->acct.account_fen, amt, sizeof amt);
    cd_pair_row(t, (SDL_Rect){left.x, left.y, left.w, row_h}, _("Main card's account"), amt,
                FONT_BODY, 1, "card.account", 60);
    left.y += row_h;
    if (!split && f->subs[f->editing].allocation_fen > 0) {
        money_format(f->subs[f->editing].allocation_fen, amt, sizeof amt);
        cd_pair_row(t, (SDL_Rect){left.x, left.y, left.w, row_h},
                    _("Allocated before, not loaded yet"), amt, FONT_BODY, 0, "card.akey.pending",
                    60);
        left.y += row_h;
    }
    left.y += gap;
    left.h = a.y + a.h - left.y;
    cd_notice(t, th, f, &left);
    SDL_Rect pad = l->portrait ? (SDL_Rect){a.x, left.y, a.w, a.y + a.h - left.y} : right;
    int first = t->n;
    ui_keypad(t, "card.akey", keys_area(pad, th->min_target * 7), _("Enter"));
    cd_mute(t, first, f->busy);
}
