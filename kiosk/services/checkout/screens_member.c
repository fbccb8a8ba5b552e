#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "core/money.h"
#include "screens.h"

/* The member page of pay-for-fuel: before the member is known, a phone keypad (or the
 * member QR at the scanner); after, their coupons and points as toggles, with the total
 * repriced by the station system after each change. */

static const char *level_label(const char *level)
{
    if (!strcmp(level, "gold"))
        return _("Gold member");
    if (!strcmp(level, "silver"))
        return _("Silver member");
    return _("Member");
}

/* "138 0013 8000" as typed so far, the rest as placeholders. */
static void phone_text(const char *digits, char *out, size_t cap)
{
    size_t n = 0, len = strlen(digits);
    for (size_t i = 0; i < CO_PHONE_LEN && n + 4 < cap; i++) {
        if (i == 3 || i == 7)
            out[n++] = ' ';
        out[n++] = i < len ? digits[i] : '_';
    }
    out[n] = '\0';
}

static int notice(struct ui_tree *t, const struct theme *th, const struct co_view *v, SDL_Rect r)
{
    const char *note = co_notice_text(v->co->message);
    if (!note[0])
        return 0;
    r.h = th->min_target * 3 / 2;
    struct ui_widget *n = ui_label(t, r, note, FONT_BODY, ALIGN_LEFT);
    n->style = ST_NOTICE;
    snprintf(n->id, sizeof n->id, "member.notice");
    return r.h;
}

static void sign_in(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                    const struct layout *l, SDL_Rect a)
{
    const struct co_flow *c = v->co;
    int busy = c->state != CO_MEMBER;
    SDL_Rect left = l->portrait ? a : (SDL_Rect){a.x, a.y, a.w / 2 - l->gap / 2, a.h};
    int y = left.y;
    struct ui_widget *w = ui_label(t, (SDL_Rect){left.x, y, left.w, th->font_px[FONT_HEADLINE] * 2},
                                   _("Member points and coupons"), FONT_HEADLINE, ALIGN_LEFT);
    w->bold = 1;
    snprintf(w->id, sizeof w->id, "member.title");
    y += th->font_px[FONT_HEADLINE] * 2;
    /* landscape is short: a notice takes the help text's place */
    int noted = !l->portrait && c->message != CO_NOTE_NONE;
    if (noted) {
        y += notice(t, th, v, (SDL_Rect){left.x, y, left.w, 0}) + l->gap / 2;
    } else {
        w = ui_label(t, (SDL_Rect){left.x, y, left.w, th->font_px[FONT_TITLE] * 3},
                     _("Scan your member QR code at the scanner, or type your mobile number."),
                     FONT_TITLE, ALIGN_LEFT);
        snprintf(w->id, sizeof w->id, "member.help");
        y += th->font_px[FONT_TITLE] * 3 + l->gap / 2;
    }
    char digits[32];
    phone_text(c->phone, digits, sizeof digits);
    SDL_Rect field = {left.x, y, left.w, th->min_target * 3 / 2};
    ui_add(t, UI_PANEL, ST_CARD, NULL, field, NULL);
    w = ui_label(t, field, digits, FONT_HEADLINE, ALIGN_CENTER);
    w->bold = 1;
    snprintf(w->id, sizeof w->id, "member.phone");
    y += field.h + l->gap / 2;
    if (!noted)
        y += notice(t, th, v, (SDL_Rect){left.x, y, left.w, 0});
    if (busy) {
        int sp = th->min_target;
        ui_add(t, UI_SPINNER, ST_PLAIN, "member.busy",
               (SDL_Rect){left.x + (left.w - sp) / 2, y + l->gap / 2, sp, sp}, NULL);
    }
    SDL_Rect pad = l->portrait
                       ? (SDL_Rect){a.x, y + l->gap, a.w, a.y + a.h - y - l->gap}
                       : (SDL_Rect){a.x + a.w / 2 + l->gap / 2, a.y, a.w / 2 - l->gap / 2, a.h};
    int hint_h = th->font_px[FONT_BODY] * 2;
    pad.h -= hint_h;
    if (pad.h > th->min_target * 6)
        pad.h = th->min_target * 6;
    if (pad.w > pad.h * 3 / 2) {
        pad.x += (pad.w - pad.h * 3 / 2) / 2;
        pad.w = pad.h * 3 / 2;
    }
    int first = t->n;
    ui_keypad(t, "member.key", pad, _("Find"));
    for (int i = first; i < t->n; i++)
        t->v[i].disabled = busy;
    w = ui_label(t, (SDL_Rect){pad.x, pad.y + pad.h + l->gap / 4, pad.w, hint_h},
                 _("Coupon QR codes can be scanned here too."), FONT_BODY, ALIGN_CENTER);
    w->fg = th->text_dim;
}

static void signed_in(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                      const struct layout *l, SDL_Rect a)
{
    const struct co_flow *c = v->co;
    int busy = c->state != CO_MEMBER, zh = !strcmp(v->base.lang, "zh_CN");
    int bh = th->min_target * 3 / 2;
    SDL_Rect left = l->portrait ? a : (SDL_Rect){a.x, a.y, a.w / 2 - l->gap / 2, a.h};
    SDL_Rect right = l->portrait ? a : (SDL_Rect){a.x + a.w / 2 + l->gap / 2, a.y, a.w / 2 - l->gap / 2, a.h};
    char line[200], amt[32], sub[200];
    /* who (landscape has less height: a tighter card and a smaller total) */
    int name_h = th->font_px[FONT_HEADLINE] * (l->portrait ? 4 : 3) / 2;
    int card_h = name_h + th->font_px[FONT_BODY] * (l->portrait ? 4 : 3) / 2;
    enum font_role total_font = l->portrait ? FONT_DISPLAY : FONT_HEADLINE;
    SDL_Rect card = {left.x, left.y, left.w, card_h};
    ui_add(t, UI_PANEL, ST_CARD, NULL, card, NULL);
    snprintf(line, sizeof line, "%s  ·  %s", c->member.name_masked, level_label(c->member.level));
    struct ui_widget *w = ui_label(t, (SDL_Rect){card.x + l->gap / 2, card.y, card.w - l->gap,
                                                 name_h},
                                   line, FONT_HEADLINE, ALIGN_LEFT);
    w->bold = 1;
    snprintf(w->id, sizeof w->id, "member.name");
    snprintf(line, sizeof line, _("%lld points · %s"), (long long)c->member.points,
             c->member.phone_masked);
    w = ui_label(t, (SDL_Rect){card.x + l->gap / 2, card.y + name_h, card.w - l->gap,
                               card_h - name_h},
                 line, FONT_BODY, ALIGN_LEFT);
    snprintf(w->id, sizeof w->id, "member.points_balance");
    /* portrait: notice, points and coupons under the card; landscape: in the right column */
    SDL_Rect col = l->portrait ? left : right;
    int y = l->portrait ? card.y + card_h + l->gap / 2 : right.y;
    int n = notice(t, th, v, (SDL_Rect){col.x, y, col.w, 0});
    y += n ? n + l->gap / 2 : 0;
    /* points */
    int64_t pts = c->use_points ? c->price.points_used : c->price.points_available;
    money_format(pts * c->member.point_value_fen, amt, sizeof amt);
    if (c->use_points) {
        snprintf(line, sizeof line, _("✓ Using %lld points"), (long long)pts);
        snprintf(sub, sizeof sub, _("%s off this bill · tap to stop"), amt);
    } else if (pts > 0) {
        snprintf(line, sizeof line, _("Use %lld points"), (long long)pts);
        snprintf(sub, sizeof sub, _("%s off this bill"), amt);
    } else {
        snprintf(line, sizeof line, "%s", _("Use points"));
        snprintf(sub, sizeof sub, "%s", _("No points can be used on this bill"));
    }
    w = ui_button(t, "member.points", (SDL_Rect){col.x, y, col.w, bh}, line,
                  c->use_points ? ST_PRIMARY : ST_SECONDARY);
    w->font = FONT_TITLE;
    snprintf(w->sub, sizeof w->sub, "%s", sub);
    w->disabled = busy || (!c->use_points && pts <= 0);
    y += bh + l->gap / 2;
    /* the total and the way on stay at the bottom of the left column; the coupons take
     * what is left below the points */
    int bottom_h = bh + l->gap / 2 + th->font_px[total_font] * 3 / 2;
    int col_end = l->portrait ? col.y + col.h - bottom_h - l->gap : col.y + col.h;
    w = ui_label(t, (SDL_Rect){col.x, y, col.w, th->font_px[FONT_TITLE] * 2},
                 c->ncoupons ? _("Coupons") : _("No coupons. Scan a coupon QR code to add one."),
                 FONT_TITLE, ALIGN_LEFT);
    w->bold = c->ncoupons > 0;
    y += th->font_px[FONT_TITLE] * 2;
    int room = col_end - y;
    int ch = bh, shown = c->ncoupons;
    while (shown > 0 && shown * (ch + l->gap / 3) > room)
        shown--; /* the bill caps coupons; a small screen shows what fits */
    for (int i = 0; i < shown; i++) {
        const struct co_coupon *cp = &c->coupons[i];
        char id[UI_ID_LEN], text[120];
        snprintf(id, sizeof id, "coupon.%d", i);
        snprintf(text, sizeof text, "%s%s", cp->selected ? "✓ " : "", zh ? cp->title_zh : cp->title_en);
        money_format(cp->off_fen, amt, sizeof amt);
        if (cp->min_spend_fen > 0) {
            char min[32];
            money_format(cp->min_spend_fen, min, sizeof min);
            snprintf(sub, sizeof sub, _("%s off when you spend %s or more"), amt, min);
        } else {
            snprintf(sub, sizeof sub, _("%s off"), amt);
        }
        w = ui_button(t, id, (SDL_Rect){col.x, y, col.w, ch}, text,
                      cp->selected ? ST_PRIMARY : ST_SECONDARY);
        w->font = FONT_TITLE;
        snprintf(w->sub, sizeof w->sub, "%s", sub);
        w->disabled = busy;
        y += ch + l->gap / 3;
    }
    /* the total and the way on */
    col = left;
    money_format(c->total_fen, amt, sizeof amt);
    SDL_Rect tot = {col.x, col.y + col.h - bottom_h, col.w, th->font_px[total_font] * 3 / 2};
    w = ui_label(t, (SDL_Rect){tot.x, tot.y, tot.w / 2, tot.h}, _("To pay"), total_font,
                 ALIGN_LEFT);
    w->bold = 1;
    w = ui_label(t, (SDL_Rect){tot.x + tot.w / 2, tot.y, tot.w / 2, tot.h}, amt, total_font,
                 ALIGN_RIGHT);
    w->bold = 1;
    snprintf(w->id, sizeof w->id, "member.total");
    int bw = col.w * 62 / 100;
    w = ui_button(t, "member.done", (SDL_Rect){col.x, col.y + col.h - bh, bw, bh},
                  _("Continue to pay"), ST_PRIMARY);
    w->disabled = busy;
    w = ui_button(t, "member.forget",
                  (SDL_Rect){col.x + bw + l->gap / 2, col.y + col.h - bh, col.w - bw - l->gap / 2, bh},
                  _("Not you?"), ST_SECONDARY);
    w->font = FONT_TITLE;
    w->disabled = busy;
}

void co_screen_member(struct ui_tree *t, const struct theme *th, const struct co_view *v,
                   const struct layout *l, SDL_Rect a)
{
    if (v->co->has_member)
        signed_in(t, th, v, l, a);
    else
        sign_in(t, th, v, l, a);
}
