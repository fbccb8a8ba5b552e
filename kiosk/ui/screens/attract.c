#include <stdio.h>

#include "kiosk/core/i18n.h"
#include "kiosk/ui/screens/screens.h"

/* Full-screen slide: coloured background, the slide's art, its words, and a bilingual
 * "touch anywhere to start" bar. The whole screen is one button (attract.start). */
void screen_attract(struct ui_tree *t, const struct theme *th, const struct view *v)
{
    const struct slide_view *s = &v->slide;
    int portrait = t->h > t->w;
    int short_side = portrait ? t->w : t->h;
    int m = short_side * 6 / 100;
    ui_add(t, UI_PANEL, ST_HEADER, NULL, (SDL_Rect){0, 0, t->w, t->h}, NULL)->bg =
        s->bg ? s->bg : th->header_bg;
    struct ui_widget *start = ui_button(t, "attract.start", (SDL_Rect){0, 0, t->w, t->h}, "",
                                        ST_GHOST);
    start->fg = 0xFFFFFFFF;

    int bar_h = th->font_px[FONT_HEADLINE] * 3;
    SDL_Rect art, words;
    if (portrait) {
        int side = t->w - 2 * m;
        art = (SDL_Rect){m, m * 2, side, side};
        /* Leave room above the bar for the language button. */
        words = (SDL_Rect){m, art.y + art.h + m, t->w - 2 * m,
                           t->h - bar_h - art.y - art.h - 2 * m - th->min_target};
    } else {
        int side = t->h - bar_h - 2 * m;
        art = (SDL_Rect){m, m, side, side};
        words = (SDL_Rect){art.x + art.w + m, m, t->w - art.w - 3 * m, side};
    }
    if (s->image && *s->image) {
        struct ui_widget *img = ui_add(t, UI_IMAGE, ST_PLAIN, "attract.art", art, NULL);
        snprintf(img->image, sizeof img->image, "%s", s->image);
        img->bg = s->bg ? s->bg : th->header_bg; /* flattened onto the slide colour */
    }
    int title_h = words.h * 45 / 100;
    struct ui_widget *tt = ui_label(t, (SDL_Rect){words.x, words.y, words.w, title_h},
                                    s->title ? s->title : "", FONT_DISPLAY,
                                    portrait ? ALIGN_CENTER : ALIGN_LEFT);
    snprintf(tt->id, sizeof tt->id, "attract.title");
    tt->bold = 1;
    tt->fg = 0xFFFFFFFF;
    struct ui_widget *st = ui_label(t, (SDL_Rect){words.x, words.y + title_h, words.w,
                                                  words.h - title_h},
                                    s->subtitle ? s->subtitle : "", FONT_HEADLINE,
                                    portrait ? ALIGN_CENTER : ALIGN_LEFT);
    snprintf(st->id, sizeof st->id, "attract.subtitle");
    st->fg = 0xFFFFFFE0;

    /* The start bar: both languages, so nobody is stuck at the first screen. */
    SDL_Rect bar = {0, t->h - bar_h, t->w, bar_h};
    ui_add(t, UI_PANEL, ST_HEADER, NULL, bar, NULL)->bg = th->primary;
    char prompt[160];
    const char *here = _("Touch anywhere to start");
    const char *other = i18n_get_in(v->lang && v->lang[0] == 'z' ? "en_US" : "zh_CN",
                                    "Touch anywhere to start");
    snprintf(prompt, sizeof prompt, "%s\n%s", here, other);
    int lw = short_side * 26 / 100, lh = th->min_target;
    SDL_Rect pr = {m, bar.y, t->w - 2 * m, bar.h};
    if (!portrait)
        pr.w -= lw + m; /* the language button sits in the bar's right end */
    struct ui_widget *p = ui_label(t, pr, prompt, FONT_HEADLINE, ALIGN_CENTER);
    snprintf(p->id, sizeof p->id, "attract.prompt");
    p->bold = 1;
    p->fg = th->on_primary;

    /* The language button: every screen has one. Portrait: just above the bar on the
     * right; landscape: in the bar's right end. */
    SDL_Rect lr = {t->w - m - lw, portrait ? bar.y - lh - m / 2 : bar.y + (bar.h - lh) / 2, lw,
                   lh};
    struct ui_widget *lang = ui_button(t, "lang.toggle", lr, v->other_lang_label, ST_SECONDARY);
    lang->font = FONT_TITLE;

    /* Slide position dots. */
    if (v->nslides > 1) {
        int d = th->min_target / 5;
        int x0 = (t->w - (v->nslides * 2 - 1) * d) / 2;
        for (int i = 0; i < v->nslides; i++) {
            struct ui_widget *dot = ui_add(t, UI_PANEL, ST_PLAIN, NULL,
                                           (SDL_Rect){x0 + i * 2 * d, bar.y - 2 * d, d, d}, NULL);
            dot->bg = i == v->sess->slide ? 0xFFFFFFFF : 0xFFFFFF60;
        }
    }
}
