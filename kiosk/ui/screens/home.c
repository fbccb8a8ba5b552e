#include <stdio.h>

#include "kiosk/core/i18n.h"
#include "kiosk/ui/screens/screens.h"

/* Home menu: the five services as large tiles, each saying honestly whether it can be
 * used now and, if not, why. Portrait: one column; landscape: a 3 + 2 grid. */
void screen_home(struct ui_tree *t, const struct theme *th, const struct view *v)
{
    struct layout l;
    chrome_layout(&l, t, th);
    chrome_header(t, &l, v, NULL);

    /* The title may sit in the top strip; the tiles stay within comfortable reach. */
    int title_h = th->font_px[FONT_HEADLINE] * 2;
    SDL_Rect area = l.content;
    struct ui_widget *title = ui_label(t, (SDL_Rect){area.x, area.y, area.w, title_h},
                                       _("Choose a service"), FONT_HEADLINE, ALIGN_LEFT);
    snprintf(title->id, sizeof title->id, "home.title");
    title->bold = 1;
    int top = area.y + title_h + l.gap / 2;
    if (l.portrait && top < t->h * 16 / 100)
        top = t->h * 16 / 100;
    area.h -= top - area.y;
    area.y = top;

    int cols = l.portrait ? 1 : 3, rows = l.portrait ? SVC_LAST : 2;
    int tw = (area.w - (cols - 1) * l.gap) / cols;
    int tile_h = (area.h - (rows - 1) * l.gap) / rows;
    int max_h = th->min_target * 3;
    if (l.portrait && tile_h > max_h)
        tile_h = max_h;
    for (int i = 0; i < SVC_LAST; i++) {
        const struct service_info *si = &service_table[i];
        int row = i / cols, col = i % cols;
        SDL_Rect r = {area.x + col * (tw + l.gap), area.y + row * (tile_h + l.gap), tw, tile_h};
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "home.%s", si->key);
        struct ui_widget *b = ui_button(t, id, r, _(si->title), ST_TILE);
        b->font = FONT_HEADLINE;
        snprintf(b->image, sizeof b->image, "%s", si->icon);
        if (v->reason[i] != REASON_NONE) {
            b->unavailable = 1;
            snprintf(b->sub, sizeof b->sub, "%s", _(service_reason_text(v->reason[i])));
        } else {
            snprintf(b->sub, sizeof b->sub, "%s", _(si->blurb));
        }
    }

    /* After the tiles, so keyboard focus moves in reading order. */
    chrome_footer(t, &l, v, "home.done", _("Finish"));

    if (!l.portrait) {
        /* Landscape leaves a sixth cell: say where help is. */
        SDL_Rect r = {area.x + 2 * (tw + l.gap), area.y + tile_h + l.gap, tw, tile_h};
        ui_add(t, UI_PANEL, ST_CARD, NULL, r, NULL);
        char help[256];
        snprintf(help, sizeof help, _("Need help? The staff at the counter can help you.\nTerminal %s"),
                 v->terminal_id);
        struct ui_widget *hw = ui_label(t, (SDL_Rect){r.x + l.gap, r.y, r.w - 2 * l.gap, r.h},
                                        help, FONT_BODY, ALIGN_LEFT);
        snprintf(hw->id, sizeof hw->id, "home.help");
        hw->fg = th->text_dim;
    }

    if (v->explain_open) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s\n%s", _(service_reason_text(v->explain_reason)),
                 _(service_reason_advice(v->explain_reason)));
        chrome_dialog(t, th, _(service_table[v->explain_svc].title), msg, "dialog.ok", _("OK"),
                      NULL, NULL);
    }
}

void screen_more_time(struct ui_tree *t, const struct theme *th, const struct view *v)
{
    char msg[256];
    snprintf(msg, sizeof msg, _("For your privacy this session ends in %d seconds."),
             v->prompt_left_s);
    chrome_dialog(t, th, _("Need more time?"), msg, "timeout.more", _("Yes, I need more time"),
                  "timeout.end", _("No, finish"));
    /* Countdown ring above the buttons, centred on the dialog's message. */
    struct ui_widget *msgw = ui_find(t, "dialog.message");
    if (msgw) {
        int side = th->font_px[FONT_HEADLINE] * 2;
        msgw->r.h -= side;
        struct ui_widget *c = ui_add(t, UI_COUNTDOWN, ST_PLAIN, "timeout.countdown",
                                     (SDL_Rect){t->w / 2 - side / 2, msgw->r.y + msgw->r.h, side,
                                                side},
                                     NULL);
        c->value = v->prompt_left_s;
        c->max = v->prompt_total_s;
    }
}
