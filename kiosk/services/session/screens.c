#include <stdio.h>

#include "core/i18n.h"
#include "core/money.h"
#include "screens.h"
#include "ui/chrome.h"

/* The price board's rows: one up to four prices, then two. */
static int board_rows(const struct price_board *p)
{
    return !p || p->n < 1 ? 0 : p->n > 4 ? 2 : 1;
}

/* Height of one row of the board: the label over the price. */
static int board_row_h(const struct theme *th)
{
    return (th->font_px[FONT_BODY] + th->font_px[FONT_TITLE]) * 3 / 2;
}

/* Space around and between the board's rows. */
static int board_pad(const struct theme *th)
{
    return th->min_target / 6;
}

static int board_h(const struct theme *th, const struct price_board *p)
{
    int rows = board_rows(p);
    return rows ? rows * board_row_h(th) + (rows + 1) * board_pad(th) : 0;
}

/* The price board (attract.prices): each grade's label in the customer's language over its
 * price a litre, large, on a darkened band of the slide, in one or two rows, the columns
 * parted by thin rules. Read from a distance, like the station's price sign; nothing in it
 * is tappable. */
static void draw_price_board(struct ui_tree *t, const struct theme *th, SDL_Rect r,
                             const struct price_board *p, const char *lang)
{
    int rows = board_rows(p), cols = (p->n + rows - 1) / rows, pad = board_pad(th);
    int row_h = board_row_h(th), label_h = th->font_px[FONT_BODY] * 3 / 2;
    int cw = (r.w - 2 * pad) / cols;
    ui_add(t, UI_PANEL, ST_PLAIN, "attract.prices", r, NULL)->bg = 0x00000059;
    for (int c = 1; c < cols; c++)
        ui_add(t, UI_PANEL, ST_PLAIN, NULL,
               (SDL_Rect){r.x + pad + c * cw - 1, r.y + pad, 2, r.h - 2 * pad}, NULL)
            ->bg = 0xFFFFFF38;
    for (int i = 0; i < p->n; i++) {
        SDL_Rect c = {r.x + pad + (i % cols) * cw, r.y + pad + (i / cols) * (row_h + pad), cw,
                      row_h};
        char price[48], amount[32];
        struct ui_widget *l = ui_label(t, (SDL_Rect){c.x, c.y, c.w, label_h},
                                       prices_label(&p->v[i], lang), FONT_BODY, ALIGN_CENTER);
        snprintf(l->id, sizeof l->id, "attract.price.%d.label", i);
        l->fg = 0xFFFFFFD8;
        money_format(p->v[i].fen_per_l, amount, sizeof amount);
        snprintf(price, sizeof price, "%s/L", amount);
        struct ui_widget *a = ui_label(t, (SDL_Rect){c.x, c.y + label_h, c.w, c.h - label_h},
                                       price, FONT_TITLE, ALIGN_CENTER);
        snprintf(a->id, sizeof a->id, "attract.price.%d", i);
        a->bold = 1;
        a->fg = 0xFFFFFFFF;
    }
}

/* Full-screen slide: coloured background, the slide's art, its words, and a bilingual
 * "touch anywhere to start" bar. The whole screen is one button (attract.start). */
void sess_screen_attract(struct ui_tree *t, const struct theme *th, const struct sess_view *v)
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
    start->on_enter = 1;

    int bar_h = th->font_px[FONT_HEADLINE] * 3;
    int rows = board_rows(v->prices), bh = board_h(th, v->prices);
    SDL_Rect art, words, board = {0};
    if (portrait) {
        int side = t->w - 2 * m;
        art = (SDL_Rect){m, m * 2, side, side};
        /* Leave room above the bar for the language button. */
        words = (SDL_Rect){m, art.y + art.h + m, t->w - 2 * m,
                           t->h - bar_h - art.y - art.h - 2 * m - th->min_target};
        if (rows) { /* the board on top, the art smaller under it; the words stay */
            board = (SDL_Rect){m, m, t->w - 2 * m, bh};
            int top = board.y + board.h + m / 2;
            art.w = art.h = art.y + art.h - top;
            art = (SDL_Rect){(t->w - art.w) / 2, top, art.w, art.h};
        }
    } else {
        int side = t->h - bar_h - 2 * m;
        art = (SDL_Rect){m, m, side, side};
        words = (SDL_Rect){art.x + art.w + m, m, t->w - art.w - 3 * m, side};
        if (rows) { /* the board under the words */
            board = (SDL_Rect){words.x, words.y + words.h - bh, words.w, bh};
            words.h -= bh + m / 2;
        }
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
    if (rows)
        draw_price_board(t, th, board, v->prices, v->base.lang);

    /* The start bar: both languages, so nobody is stuck at the first screen. */
    SDL_Rect bar = {0, t->h - bar_h, t->w, bar_h};
    ui_add(t, UI_PANEL, ST_HEADER, NULL, bar, NULL)->bg = th->primary;
    char prompt[160];
    const char *here = _("Touch anywhere to start");
    const char *other = i18n_get_in(v->base.lang && v->base.lang[0] == 'z' ? "en_US" : "zh_CN",
                                    "Touch anywhere to start");
    snprintf(prompt, sizeof prompt, "%s\n%s", here, other);
    int lw = short_side * 26 / 100, lh = th->min_target;
    SDL_Rect pr = {m, bar.y, t->w - 2 * m, bar.h};
    if (!portrait)
        pr.w -= 2 * lw + m + m / 2; /* the Sound and language buttons sit in the bar's right end */
    struct ui_widget *p = ui_label(t, pr, prompt, FONT_HEADLINE, ALIGN_CENTER);
    snprintf(p->id, sizeof p->id, "attract.prompt");
    p->bold = 1;
    p->fg = th->on_primary;

    /* The language button: every screen has one, and the Sound button. Portrait: just above
     * the bar, language on the right, Sound on the left (the slide dots between them);
     * landscape: side by side in the bar's right end. */
    SDL_Rect lr = {t->w - m - lw, portrait ? bar.y - lh - m / 2 : bar.y + (bar.h - lh) / 2, lw,
                   lh};
    chrome_sound(t, (SDL_Rect){portrait ? m : lr.x - m / 2 - lw, lr.y, lw, lh}, &v->base);
    struct ui_widget *lang = ui_button(t, "lang.toggle", lr, v->base.other_lang_label, ST_SECONDARY);
    lang->font = FONT_TITLE;

    /* Slide position dots. */
    if (v->nslides > 1) {
        int d = th->min_target / 5;
        int x0 = (t->w - (v->nslides * 2 - 1) * d) / 2;
        for (int i = 0; i < v->nslides; i++) {
            struct ui_widget *dot = ui_add(t, UI_PANEL, ST_PLAIN, NULL,
                                           (SDL_Rect){x0 + i * 2 * d, bar.y - 2 * d, d, d}, NULL);
            dot->bg = i == v->s->slide ? 0xFFFFFFFF : 0xFFFFFF60;
        }
    }
}

/* Out of service (an attendant said so): the message, where to go instead, and nothing to
 * choose. */
static void out_of_service(struct ui_tree *t, const struct theme *th, const struct layout *l,
                           const struct sess_view *v)
{
    SDL_Rect a = l->content;
    ui_add(t, UI_PANEL, ST_CARD, NULL, a, NULL);
    int hh = th->font_px[FONT_HEADLINE] * 3;
    struct ui_widget *h = ui_label(t, (SDL_Rect){a.x + l->gap, a.y + a.h / 4 - hh / 2,
                                                 a.w - 2 * l->gap, hh},
                                   _("Out of service"), FONT_HEADLINE, ALIGN_CENTER);
    snprintf(h->id, sizeof h->id, "home.out_of_service");
    h->bold = 1;
    h->fg = th->warn;
    char msg[512];
    snprintf(msg, sizeof msg, "%s\n\n%s", _(v->base.out_of_service),
             _("Need help? The staff at the counter can help you."));
    struct ui_widget *m = ui_label(t, (SDL_Rect){a.x + 2 * l->gap, a.y + a.h / 4 + hh,
                                                 a.w - 4 * l->gap, a.h / 2},
                                   msg, FONT_TITLE, ALIGN_CENTER);
    snprintf(m->id, sizeof m->id, "home.oos_message");
    chrome_footer(t, l, &v->base, NULL, NULL);
}

/* Home menu: the registered services' tiles, each saying honestly whether it can be used
 * now and, if not, why. Portrait: one column; landscape: up to three columns. The cell
 * after the tiles, when there is room, says where help is. */
void sess_screen_home(struct ui_tree *t, const struct theme *th, const struct sess_view *v)
{
    struct layout l;
    t->prompt = "choose_service";
    chrome_layout(&l, t, th);
    chrome_header(t, &l, &v->base, NULL);
    struct ui_widget *door = ui_find(t, "hdr.station");
    if (door)
        door->hold_ms = SESS_DOOR_HOLD_MS; /* staff only: attendant mode's way in */
    if (v->base.out_of_service) {
        out_of_service(t, th, &l, v);
        return;
    }

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

    int shown = 0;
    for (int i = 0; i < v->ntiles; i++)
        shown += !v->tiles[i].door;
    int cells = shown + 1; /* and the help cell */
    if (cells < 1)
        cells = 1;
    int cols = l.portrait ? 1 : cells < 3 ? cells : 3;
    /* landscape tiles are half the area's height, however few there are */
    int rows = (cells + cols - 1) / cols;
    if (!l.portrait && rows < 2)
        rows = 2;
    int tw = (area.w - (cols - 1) * l.gap) / cols;
    int tile_h = (area.h - (rows - 1) * l.gap) / rows;
    int max_h = th->min_target * 3;
    if (l.portrait && tile_h > max_h)
        tile_h = max_h;
    for (int i = 0, k = 0; i < v->ntiles; i++) {
        const struct home_tile *ti = &v->tiles[i];
        if (ti->door)
            continue; /* opened by its gesture, not from the menu */
        int row = k / cols, col = k % cols;
        k++;
        SDL_Rect r = {area.x + col * (tw + l.gap), area.y + row * (tile_h + l.gap), tw, tile_h};
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "home.%s", ti->key);
        struct ui_widget *b = ui_button(t, id, r, _(ti->title), ST_TILE);
        b->font = FONT_HEADLINE;
        snprintf(b->image, sizeof b->image, "%s", ti->icon ? ti->icon : "");
        if (ti->reason != REASON_NONE) {
            b->unavailable = 1;
            snprintf(b->sub, sizeof b->sub, "%s", _(health_reason_text(ti->reason)));
        } else {
            snprintf(b->sub, sizeof b->sub, "%s", _(ti->blurb));
        }
    }

    /* After the tiles, so keyboard focus moves in reading order. */
    chrome_footer(t, &l, &v->base, "home.done", _("Finish"));
    struct ui_widget *done = ui_find(t, "home.done");
    if (done)
        done->on_escape = 1;

    /* Where help is, in the cell after the tiles (when there is room for it). */
    int i = shown, row = i / cols, col = i % cols;
    SDL_Rect r = {area.x + col * (tw + l.gap), area.y + row * (tile_h + l.gap), tw, tile_h};
    if (r.y + r.h <= area.y + area.h) {
        ui_add(t, UI_PANEL, ST_CARD, NULL, r, NULL);
        char help[256];
        snprintf(help, sizeof help, _("Need help? The staff at the counter can help you.\nTerminal %s"),
                 v->base.terminal_id);
        struct ui_widget *hw = ui_label(t, (SDL_Rect){r.x + l.gap, r.y, r.w - 2 * l.gap, r.h},
                                        help, FONT_BODY, ALIGN_LEFT);
        snprintf(hw->id, sizeof hw->id, "home.help");
        hw->fg = th->text_dim;
    }

    const struct sess_flow *s = v->s;
    if (s->explain >= 0 && s->explain < v->ntiles) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s\n%s", _(health_reason_text(s->explain_reason)),
                 _(health_reason_advice(s->explain_reason)));
        chrome_dialog(t, th, _(v->tiles[s->explain].title), msg, "dialog.ok", _("OK"), NULL,
                      NULL);
        struct ui_widget *ok = ui_find(t, "dialog.ok");
        if (ok)
            ok->on_escape = 1;
    }
}

void sess_screen_more_time(struct ui_tree *t, const struct theme *th, const struct sess_view *v)
{
    char msg[256];
    t->prompt = "more_time";
    snprintf(msg, sizeof msg, _("For your privacy this session ends in %d seconds."),
             v->prompt_left_s);
    chrome_dialog(t, th, _("Need more time?"), msg, "timeout.more", _("Yes, I need more time"),
                  "timeout.end", _("No, finish"));
    struct ui_widget *more = ui_find(t, "timeout.more");
    if (more)
        more->on_escape = 1;
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

static void build_state(struct ui_tree *t, const struct theme *th, const struct sess_view *v,
                        enum sess_state st)
{
    switch (st) {
    case SESS_ATTRACT:
        snprintf(t->screen, sizeof t->screen, "attract");
        sess_screen_attract(t, th, v);
        break;
    case SESS_SERVICE:
        if (v->build_active) {
            v->build_active(v->ctx, t, th);
            break;
        }
        snprintf(t->screen, sizeof t->screen, "home"); /* no service to draw */
        sess_screen_home(t, th, v);
        break;
    case SESS_HOME:
    case SESS_ASK_MORE:
    case SESS_LAST:
        snprintf(t->screen, sizeof t->screen, "home");
        sess_screen_home(t, th, v);
        break;
    }
}

void sess_build(struct ui_tree *t, const struct theme *th, const struct sess_view *v)
{
    const struct sess_flow *s = v->s;
    ui_begin(t, "home", t->w, t->h);
    if (s->state == SESS_ASK_MORE) {
        build_state(t, th, v, s->resume);
        snprintf(t->screen, sizeof t->screen, "more_time");
        sess_screen_more_time(t, th, v);
        return;
    }
    build_state(t, th, v, s->state);
    /* over attract and home, unless the customer opened a dialog of their own */
    if ((s->state == SESS_ATTRACT || s->state == SESS_HOME) && s->explain < 0 &&
        v->build_overlays)
        v->build_overlays(v->ctx, t, th);
}
