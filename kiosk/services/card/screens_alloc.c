#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "core/money.h"
#include "screens.h"

/* The fuel-card screens of an allocation (预分配): a main card gives part of its account to
 * its sub-cards, whose holders load it onto their cards at any kiosk. The sub-cards and the
 * amount for each, the lines to confirm, the wait, and what was allocated. (The keypad for
 * one amount is in screens_entry.c.) */

/* A sub-card can be given money: its status is active (or not said). */
static int sub_active(const struct cd_sub *s)
{
    return !s->status[0] || !strcmp(s->status, "active");
}

/* The sub-cards, a row each: number and holder, what was allocated before and is not
 * loaded yet, and this allocation's amount; tap a row to type its amount. Rows scroll in
 * a list when they do not fit. */
static void sub_list(struct ui_tree *t, const struct theme *th, const struct cd_flow *f,
                     SDL_Rect r)
{
    if (f->nsubs == 0 && f->busy) { /* the list is being asked for */
        int sp = th->min_target * 3 / 4;
        ui_add(t, UI_SPINNER, ST_PLAIN, "card.busy", (SDL_Rect){r.x, r.y, sp, sp}, NULL);
        chrome_text(t, "card.busy.text", (SDL_Rect){r.x + sp * 4 / 3, r.y, r.w - sp * 4 / 3, sp},
                    _("Looking up the sub-cards..."), FONT_TITLE, ALIGN_LEFT);
        return;
    }
    if (f->nsubs == 0) {
        chrome_text(t, "card.subs.empty", (SDL_Rect){r.x, r.y, r.w, th->font_px[FONT_BODY] * 3},
                    _("This main card has no sub-cards."), FONT_TITLE, ALIGN_LEFT)
            ->fg = th->text_dim;
        return;
    }
    int rh = th->min_target * 5 / 4, gap = th->min_target / 8, bar = 12;
    int pad = th->min_target / 4;
    int content = f->nsubs * (rh + gap) - gap;
    SDL_Rect view = r;
    if (view.h > content)
        view.h = content;
    struct ui_widget *lw = ui_add(t, UI_LIST, ST_PLAIN, "card.subs", view, NULL);
    int li = t->n - 1, first = t->n;
    lw->content_h = content;
    int w = content > view.h ? view.w - bar - gap : view.w;
    int aw = w * 32 / 100, r1 = rh * 55 / 100;
    for (int i = 0; i < f->nsubs; i++) {
        const struct cd_sub *s = &f->subs[i];
        int active = sub_active(s);
        char id[UI_ID_LEN], text[120], amt[32];
        SDL_Rect row = {view.x, view.y + i * (rh + gap), w, rh};
        snprintf(id, sizeof id, "card.sub.%d", i);
        struct ui_widget *b = ui_button(t, id, row, "", ST_TILE);
        b->disabled = f->busy || !active;
        snprintf(text, sizeof text, "%s  %s", s->no_masked, s->holder_masked);
        struct ui_widget *n =
            chrome_text(t, NULL, (SDL_Rect){row.x + pad, row.y, w - aw - 2 * pad, r1}, text,
                        FONT_BODY, ALIGN_LEFT);
        n->bold = 1;
        n->fg = active ? th->text : th->text_dim;
        if (!active)
            snprintf(text, sizeof text, "%s", _("Lost or blocked: cannot be given money"));
        else if (s->allocation_fen > 0)
            snprintf(text, sizeof text, _("Waiting to be loaded: %s"),
                     money_format(s->allocation_fen, amt, sizeof amt));
        else
            snprintf(text, sizeof text, "%s", _("Nothing waiting to be loaded"));
        chrome_text(t, NULL,
                    (SDL_Rect){row.x + pad, row.y + r1, w - aw - 2 * pad, rh - r1 - pad / 2}, text,
                    FONT_CAPTION, ALIGN_LEFT)
            ->fg = active ? th->text_dim : th->warn;
        snprintf(id, sizeof id, "card.sub.%d.amount", i);
        if (s->amount_fen > 0)
            money_format(s->amount_fen, amt, sizeof amt);
        else
            snprintf(amt, sizeof amt, "%s", active ? _("Tap to type") : "");
        struct ui_widget *m =
            chrome_text(t, id, (SDL_Rect){row.x + row.w - aw - pad, row.y, aw, rh}, amt,
                        s->amount_fen > 0 ? FONT_TITLE : FONT_BODY, ALIGN_RIGHT);
        m->bold = s->amount_fen > 0;
        m->fg = s->amount_fen > 0 ? th->primary : th->text_dim;
    }
    cd_adopt(t, first, li);
}

/* "Total to allocate ¥x" (words: label), in the warning colour when the account holds
 * less and `check`. */
static void total_row(struct ui_tree *t, const struct theme *th, const struct cd_flow *f,
                      SDL_Rect r, const char *label, int check)
{
    char amt[32];
    int64_t total = cd_alloc_total(f);
    money_format(total, amt, sizeof amt);
    cd_pair_row(t, r, label, amt, FONT_HEADLINE, 1, "card.alloc.total", 50);
    t->v[t->n - 2].font = FONT_TITLE;
    if (check && total > f->acct.account_fen)
        t->v[t->n - 1].fg = th->warn;
}

void cd_screen_subcards(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                        const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    int bh = th->min_target * 3 / 2, gap = l->gap / 2;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    char amt[32];
    /* the headline, the account and the total; in landscape (little height) with the two
     * buttons in one column, their words shrink alike where it is short */
    int tot_h = th->font_px[FONT_HEADLINE] * (l->portrait ? 6 : 5) / 4;
    int h[3] = {tot_h, th->font_px[FONT_TITLE] * 3 / 2, tot_h};
    if (!l->portrait)
        chrome_fit(h, 3, left.h - 2 * bh - 4 * gap, th->font_px[FONT_CAPTION] * 3 / 2);
    cd_headline(t, "card.alloc.title", &left, h[0], _("Allocate to sub-cards"));
    money_format(f->acct.account_fen, amt, sizeof amt);
    cd_pair_row(t, (SDL_Rect){left.x, left.y, left.w, h[1]}, _("Main card's account"), amt,
                FONT_TITLE, 1, "card.account", 55);
    left.y += h[1] + gap;
    left.h -= h[1] + gap;
    if (l->portrait)
        cd_notice(t, th, f, &left);
    /* bottom-up: the way on, the total over it, Split evenly over that */
    SDL_Rect foot = l->portrait ? (SDL_Rect){a.x, a.y, a.w, a.h} : left;
    int y = foot.y + foot.h - bh;
    struct ui_widget *b =
        chrome_primary(t, "card.next", (SDL_Rect){foot.x, y, foot.w, bh}, _("Next"));
    b->disabled = f->busy || f->nsubs == 0;
    y -= gap + h[2];
    total_row(t, th, f, (SDL_Rect){foot.x, y, foot.w, h[2]}, _("Total to allocate"), 1);
    y -= gap + bh;
    b = cd_action(t, "card.split", (SDL_Rect){foot.x, y, foot.w, bh}, _("Split evenly"),
                  _("Type one total: each sub-card gets an equal part"));
    b->disabled = f->busy || f->nsubs == 0;
    /* the list: between the account and Split (portrait), the right column (landscape) */
    SDL_Rect list = l->portrait ? (SDL_Rect){a.x, left.y, a.w, y - gap - left.y} : right;
    if (!l->portrait && !cd_notice(t, th, f, &list) && f->nsubs > 0) {
        /* landscape: the note over the list it is about, else how to use it */
        int hint_h = th->font_px[FONT_BODY] * 3 / 2;
        chrome_text(t, "card.subs.hint", (SDL_Rect){list.x, list.y, list.w, hint_h},
                    _("Tap a sub-card to type its amount"), FONT_BODY, ALIGN_LEFT)
            ->fg = th->text_dim;
        list.y += hint_h;
        list.h -= hint_h;
    }
    sub_list(t, th, f, list);
}

/* The lines of the allocation that give money (amount > 0) in r, a row each; they scroll
 * when they do not fit. Returns the height they take. */
static int alloc_lines(struct ui_tree *t, const struct theme *th, const struct cd_flow *f,
                       SDL_Rect r)
{
    int rh = th->font_px[FONT_TITLE] * 3 / 2, n = 0, bar = 12, gap = th->min_target / 8;
    for (int i = 0; i < f->nsubs; i++)
        n += f->subs[i].amount_fen > 0;
    int content = n * rh;
    SDL_Rect view = r;
    if (view.h > content)
        view.h = content;
    struct ui_widget *lw = ui_add(t, UI_LIST, ST_PLAIN, "card.lines", view, NULL);
    int li = t->n - 1, first = t->n;
    lw->content_h = content;
    int w = content > view.h ? view.w - bar - gap : view.w, k = 0;
    for (int i = 0; i < f->nsubs; i++) {
        const struct cd_sub *s = &f->subs[i];
        if (s->amount_fen <= 0)
            continue;
        char id[UI_ID_LEN], text[120], amt[32];
        snprintf(id, sizeof id, "card.line.%d", i);
        snprintf(text, sizeof text, "%s  %s", s->no_masked, s->holder_masked);
        money_format(s->amount_fen, amt, sizeof amt);
        cd_pair_row(t, (SDL_Rect){view.x, view.y + k * rh, w, rh}, text, amt, FONT_TITLE, 1, id,
                    65);
        k++;
    }
    cd_adopt(t, first, li);
    return view.h;
}

/* Under a rule: the total (words `label`), then the main card's account: now and after
 * (`confirm`), or what is left in it. Returns the height taken. */
static int summary(struct ui_tree *t, const struct theme *th, const struct cd_flow *f,
                   SDL_Rect r, const char *label, int confirm)
{
    int gap = th->min_target / 6;
    int row_h = th->font_px[FONT_TITLE] * 3 / 2, tot_h = th->font_px[FONT_HEADLINE] * 3 / 2;
    char amt[32];
    int y = r.y;
    ui_add(t, UI_PANEL, ST_PLAIN, NULL, (SDL_Rect){r.x, y, r.w, 2}, NULL)->bg = th->border;
    y += gap / 2;
    total_row(t, th, f, (SDL_Rect){r.x, y, r.w, tot_h}, label, confirm);
    y += tot_h;
    if (confirm) {
        money_format(f->acct.account_fen, amt, sizeof amt);
        cd_pair_row(t, (SDL_Rect){r.x, y, r.w, row_h}, _("Main card's account now"), amt,
                    FONT_TITLE, 0, "card.account.before", 60);
        y += row_h;
        int64_t after = f->acct.account_fen - cd_alloc_total(f);
        money_format(after, amt, sizeof amt);
        cd_pair_row(t, (SDL_Rect){r.x, y, r.w, row_h}, _("Main card's account after"), amt,
                    FONT_TITLE, 1, "card.account.after", 60);
        if (after < 0)
            t->v[t->n - 1].fg = th->warn;
    } else {
        money_format(f->acct.account_fen, amt, sizeof amt);
        cd_pair_row(t, (SDL_Rect){r.x, y, r.w, row_h}, _("Left in the main card's account"),
                    amt, FONT_TITLE, 1, "card.account", 60);
    }
    return y + row_h - r.y;
}

/* The summary's height (as summary() draws it). */
static int summary_h(const struct theme *th, int confirm)
{
    return th->min_target / 12 + th->font_px[FONT_HEADLINE] * 3 / 2 +
           th->font_px[FONT_TITLE] * 3 / 2 * (confirm ? 2 : 1) + 2;
}

/* The lines and their summary: top-down in portrait (the lines as long as they are, up to
 * what leaves room for the rest above `bottom`), the lines left and the summary at the
 * bottom of the right column in landscape. Then the words under them. */
static void lines_and_summary(struct ui_tree *t, const struct theme *th, const struct cd_flow *f,
                              const struct layout *l, SDL_Rect left, SDL_Rect right, int bottom,
                              const char *label, int confirm, const char *hint_id,
                              const char *hint)
{
    int gap = l->gap / 2, hint_h = th->font_px[FONT_BODY] * 2, sh = summary_h(th, confirm);
    if (l->portrait) {
        int room = bottom - gap - hint_h - gap - sh - gap - left.y;
        int y = left.y + alloc_lines(t, th, f, (SDL_Rect){left.x, left.y, left.w, room}) + gap;
        y += summary(t, th, f, (SDL_Rect){left.x, y, left.w, sh}, label, confirm) + gap;
        chrome_text(t, hint_id, (SDL_Rect){left.x, y, left.w, hint_h}, hint, FONT_TITLE, ALIGN_LEFT)
            ->fg = th->text_dim;
        return;
    }
    alloc_lines(t, th, f, (SDL_Rect){left.x, left.y, left.w, left.h - hint_h - gap});
    chrome_text(t, hint_id, (SDL_Rect){left.x, left.y + left.h - hint_h, left.w, hint_h}, hint,
                FONT_BODY, ALIGN_LEFT)
        ->fg = th->text_dim;
    summary(t, th, f, (SDL_Rect){right.x, bottom - gap - sh, right.w, sh}, label, confirm);
}

void cd_screen_alloc_confirm(struct ui_tree *t, const struct theme *th,
                             const struct cd_view *v, const struct layout *l, SDL_Rect a)
{
    const struct cd_flow *f = v->f;
    int bh = th->min_target * 3 / 2;
    cd_notice(t, th, f, &a);
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    cd_headline(t, "card.confirm.title", &left, th->font_px[FONT_HEADLINE] * 3 / 2,
                _("Please check the allocation"));
    /* the way on at the bottom (of the right column in landscape) */
    SDL_Rect col = l->portrait ? a : right;
    SDL_Rect next = {col.x, col.y + col.h - bh, col.w, bh};
    struct ui_widget *b = chrome_primary(t, "card.confirm", next, _("Confirm the allocation"));
    b->disabled = f->busy;
    lines_and_summary(t, th, f, l, left, right, next.y, _("Total to allocate"), 1,
                      "card.confirm.hint",
                      _("Sub-card holders load it onto their cards at any kiosk."));
}

void cd_screen_allocating(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                          const struct layout *l, SDL_Rect a)
{
    cd_wait_block(t, th, l, a, -1, _("Allocating to the sub-cards..."),
                  cd_slow(v) ? _("The station system is slow to answer. Please wait a little longer: no money is lost.")
                             : _("Nothing is moved until the station system confirms it."));
}

void cd_screen_allocated(struct ui_tree *t, const struct theme *th, const struct cd_view *v,
                         const struct layout *l, SDL_Rect a)
{
    int bh = th->min_target * 3 / 2, gap = l->gap / 2;
    SDL_Rect left = chrome_column(l, a, 0), right = chrome_column(l, a, 1);
    int title_h = th->font_px[FONT_DISPLAY] * 5 / 4;
    struct ui_widget *w =
        chrome_text(t, "card.allocated.title", (SDL_Rect){left.x, left.y, left.w, title_h},
                    _("Allocated"), FONT_DISPLAY, l->portrait ? ALIGN_CENTER : ALIGN_LEFT);
    w->bold = 1;
    w->fg = th->ok;
    left.y += title_h + gap;
    left.h -= title_h + gap;
    SDL_Rect col = l->portrait ? a : right;
    SDL_Rect next = {col.x, col.y + col.h - bh, col.w, bh};
    cd_finish(t, v, next);
    lines_and_summary(t, th, v->f, l, left, right, next.y, _("Total allocated"), 0,
                      "card.allocated.hint",
                      _("Sub-card holders load it onto their cards at any kiosk."));
}
