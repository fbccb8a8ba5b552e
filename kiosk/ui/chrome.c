#include <stdio.h>

#include "core/i18n.h"
#include "ui/chrome.h"

void chrome_layout(struct layout *l, const struct ui_tree *t, const struct theme *th)
{
    int short_side = t->w < t->h ? t->w : t->h;
    l->portrait = t->h > t->w;
    l->margin = short_side * 5 / 100;
    l->gap = short_side * 3 / 100;
    int header_h = th->font_px[FONT_TITLE] * 3;
    int footer_h = th->min_target * 3 / 2 + l->gap;
    l->header = (SDL_Rect){0, 0, t->w, header_h};
    l->footer = (SDL_Rect){l->margin, t->h - footer_h, t->w - 2 * l->margin, footer_h - l->gap};
    int top = header_h + l->gap;
    l->content = (SDL_Rect){l->margin, top, t->w - 2 * l->margin, l->footer.y - l->gap - top};
    /* the corner: "English" and "Sound: on" at the button's size, without shrinking */
    int lw = l->footer.w * 22 / 100, sw = l->footer.w * 28 / 100;
    l->lang = (SDL_Rect){l->footer.x + l->footer.w - lw, l->footer.y, lw, l->footer.h};
    l->sound = (SDL_Rect){l->lang.x - l->gap - sw, l->footer.y, sw, l->footer.h};
}

void chrome_header(struct ui_tree *t, const struct layout *l, const struct view *v,
                   const char *title)
{
    struct ui_widget *w = ui_add(t, UI_PANEL, ST_HEADER, NULL, l->header, NULL);
    (void)w;
    int pad = l->margin;
    int half = l->header.w / 2;
    char station[128];
    snprintf(station, sizeof station, "%s", v->station && *v->station ? v->station
                                                                     : _("Self-service kiosk"));
    int sw = title && *title ? half - pad : l->header.w - 2 * pad;
    struct ui_widget *s = ui_label(t, (SDL_Rect){pad, 0, sw, l->header.h}, station, FONT_BODY,
                                   ALIGN_LEFT);
    s->style = ST_PLAIN;
    s->fg = 0xFFFFFFFF;
    s->bold = 1;
    snprintf(s->id, sizeof s->id, "hdr.station"); /* the frame's screens may make it a door */
    if (title && *title) {
        struct ui_widget *h = ui_label(t, (SDL_Rect){half, 0, half - pad, l->header.h}, title,
                                       FONT_BODY, ALIGN_RIGHT);
        h->fg = 0xFFFFFFFF;
        snprintf(h->id, sizeof h->id, "header.title");
    }
}

void chrome_footer(struct ui_tree *t, const struct layout *l, const struct view *v,
                   const char *back_id, const char *back_label)
{
    int bw = l->footer.w * 30 / 100;
    if (back_id) {
        struct ui_widget *b = ui_button(t, back_id, (SDL_Rect){l->footer.x, l->footer.y, bw,
                                                                 l->footer.h},
                                        back_label, ST_SECONDARY);
        b->font = FONT_TITLE;
    }
    chrome_sound(t, l->sound, v);
    struct ui_widget *g = ui_button(t, "lang.toggle", l->lang, v->other_lang_label, ST_SECONDARY);
    g->font = FONT_TITLE;
}

void chrome_sound(struct ui_tree *t, SDL_Rect r, const struct view *v)
{
    if (v->sound < 0)
        return;
    struct ui_widget *b = ui_button(t, "sound.toggle", r,
                                    v->sound ? _("Sound: on") : _("Sound: off"), ST_SECONDARY);
    b->font = FONT_TITLE;
}

void chrome_dialog(struct ui_tree *t, const struct theme *th, const char *title,
                   const char *message, const char *ok_id, const char *ok_label,
                   const char *alt_id, const char *alt_label)
{
    int short_side = t->w < t->h ? t->w : t->h;
    int w = short_side * 86 / 100, pad = short_side * 5 / 100;
    int bh = th->min_target * 3 / 2;
    int title_h = th->font_px[FONT_HEADLINE] * 2;
    int msg_h = th->font_px[FONT_BODY] * 6;
    /* landscape has little height: two buttons side by side, the main one right */
    int side = alt_id && ok_id && t->w > t->h;
    int h = pad + title_h + msg_h + pad + bh + (alt_id && !side ? bh + pad / 2 : 0) + pad;
    SDL_Rect d = {(t->w - w) / 2, (t->h - h) / 2, w, h};
    ui_modal_begin(t);
    ui_add(t, UI_PANEL, ST_DIALOG, NULL, d, NULL);
    int y = d.y + pad;
    struct ui_widget *tw = ui_label(t, (SDL_Rect){d.x + pad, y, w - 2 * pad, title_h}, title,
                                    FONT_HEADLINE, ALIGN_CENTER);
    tw->bold = 1;
    snprintf(tw->id, sizeof tw->id, "dialog.title");
    y += title_h;
    struct ui_widget *mw = ui_label(t, (SDL_Rect){d.x + pad, y, w - 2 * pad, msg_h}, message,
                                    FONT_BODY, ALIGN_CENTER);
    snprintf(mw->id, sizeof mw->id, "dialog.message");
    y += msg_h + pad;
    if (side) {
        int bw = (w - 2 * pad - pad / 2) / 2;
        ui_button(t, alt_id, (SDL_Rect){d.x + pad, y, bw, bh}, alt_label, ST_SECONDARY)->font =
            FONT_TITLE;
        ui_button(t, ok_id, (SDL_Rect){d.x + w - pad - bw, y, bw, bh}, ok_label, ST_PRIMARY);
        return;
    }
    if (ok_id) {
        ui_button(t, ok_id, (SDL_Rect){d.x + pad, y, w - 2 * pad, bh}, ok_label, ST_PRIMARY);
        y += bh + pad / 2;
    }
    if (alt_id)
        ui_button(t, alt_id, (SDL_Rect){d.x + pad, y, w - 2 * pad, bh}, alt_label, ST_SECONDARY)
            ->font = FONT_TITLE;
}

void chrome_toast(struct ui_tree *t, const struct theme *th, const char *text)
{
    /* over the header band: it covers nothing the customer needs to touch */
    struct layout l;
    chrome_layout(&l, t, th);
    struct ui_widget *n = ui_label(t, l.header, text, FONT_BODY, ALIGN_CENTER);
    n->style = ST_NOTICE;
    snprintf(n->id, sizeof n->id, "toast");
}

int chrome_steps(struct ui_tree *t, const struct layout *l, const struct theme *th,
                 const char *const *names, int n, int cur)
{
    int h = th->font_px[FONT_CAPTION] * 2, w = l->content.w / n;
    for (int i = 0; i < n; i++) {
        char text[64];
        snprintf(text, sizeof text, "%d  %s", i + 1, _(names[i]));
        struct ui_widget *s = ui_label(t, (SDL_Rect){l->content.x + i * w, l->content.y, w, h},
                                       text, FONT_CAPTION, ALIGN_LEFT);
        s->fg = i == cur ? th->primary : th->text_dim;
        s->bold = i == cur;
        if (i == cur)
            snprintf(s->id, sizeof s->id, "steps.current");
    }
    ui_add(t, UI_PANEL, ST_PLAIN, NULL,
           (SDL_Rect){l->content.x + cur * w, l->content.y + h - 6, w - l->gap / 2, 6}, NULL)
        ->bg = th->primary;
    return h + l->gap / 2;
}

struct ui_widget *chrome_text(struct ui_tree *t, const char *id, SDL_Rect r, const char *text,
                              enum font_role f, enum text_align a)
{
    struct ui_widget *w = ui_label(t, r, text, f, a);
    if (id)
        snprintf(w->id, sizeof w->id, "%s", id);
    return w;
}

struct ui_widget *chrome_primary(struct ui_tree *t, const char *id, SDL_Rect r, const char *text)
{
    struct ui_widget *b = ui_button(t, id, r, text, ST_PRIMARY);
    b->on_enter = 1;
    return b;
}

SDL_Rect chrome_column(const struct layout *l, SDL_Rect a, int right)
{
    if (l->portrait)
        return a;
    int w = (a.w - l->gap) / 2;
    return (SDL_Rect){right ? a.x + a.w - w : a.x, a.y, w, a.h};
}

int chrome_fit(int *h, int n, int room, int least)
{
    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += h[i];
    if (sum <= room || sum <= 0)
        return sum;
    int fitted = 0;
    for (int i = 0; i < n; i++) {
        if (h[i] > 0) {
            int k = (int)((long long)h[i] * (room > 0 ? room : 0) / sum);
            h[i] = k > least ? k : least;
        }
        fitted += h[i];
    }
    return fitted;
}
