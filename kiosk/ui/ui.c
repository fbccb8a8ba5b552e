#include "ui/ui.h"

#include <stdio.h>
#include <string.h>

#include "core/i18n.h"

static struct ui_widget scratch;

void ui_begin(struct ui_tree *t, const char *screen, int w, int h)
{
    snprintf(t->screen, sizeof t->screen, "%s", screen);
    t->w = w;
    t->h = h;
    t->n = 0;
    t->modal_from = -1;
    t->overflow = 0;
    t->prompt = NULL;
}

struct ui_widget *ui_add(struct ui_tree *t, enum ui_kind kind, enum ui_style style,
                         const char *id, SDL_Rect r, const char *text)
{
    if (t->n == UI_MAX_WIDGETS) {
        t->overflow++;
        memset(&scratch, 0, sizeof scratch);
        return &scratch;
    }
    struct ui_widget *w = &t->v[t->n++];
    memset(w, 0, sizeof *w);
    w->kind = kind;
    w->style = style;
    w->r = r;
    w->parent = -1;
    w->font = FONT_BODY;
    w->align = ALIGN_CENTER;
    if (id)
        snprintf(w->id, sizeof w->id, "%s", id);
    if (text)
        snprintf(w->text, sizeof w->text, "%s", text);
    return w;
}

struct ui_widget *ui_label(struct ui_tree *t, SDL_Rect r, const char *text, enum font_role f,
                           enum text_align a)
{
    struct ui_widget *w = ui_add(t, UI_LABEL, ST_PLAIN, NULL, r, text);
    w->font = f;
    w->align = a;
    return w;
}

struct ui_widget *ui_button(struct ui_tree *t, const char *id, SDL_Rect r, const char *text,
                            enum ui_style style)
{
    struct ui_widget *w = ui_add(t, UI_BUTTON, style, id, r, text);
    w->font = style == ST_PRIMARY ? FONT_TITLE : FONT_BODY;
    w->bold = style == ST_PRIMARY || style == ST_TILE;
    return w;
}

void ui_modal_begin(struct ui_tree *t)
{
    ui_add(t, UI_SHADE, ST_PLAIN, NULL, (SDL_Rect){0, 0, t->w, t->h}, NULL);
    t->modal_from = t->n;
}

static void key(struct ui_tree *t, const char *prefix, const char *name, SDL_Rect r,
                const char *label, enum ui_style st)
{
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "%s.%s", prefix, name);
    struct ui_widget *w = ui_button(t, id, r, label, st);
    w->font = FONT_HEADLINE;
    w->bold = 1;
}

void ui_keypad(struct ui_tree *t, const char *prefix, SDL_Rect r, const char *ok_text)
{
    static const char *const keys[12] = {"1", "2", "3", "4", "5", "6",
                                         "7", "8", "9", "del", "0", "ok"};
    int gap = r.w / 40;
    int kw = (r.w - 2 * gap) / 3, kh = (r.h - 3 * gap) / 4;
    for (int i = 0; i < 12; i++) {
        SDL_Rect k = {r.x + (i % 3) * (kw + gap), r.y + (i / 3) * (kh + gap), kw, kh};
        const char *label = keys[i];
        enum ui_style st = ST_KEY;
        if (!strcmp(keys[i], "del"))
            label = _("Delete");
        if (!strcmp(keys[i], "ok")) {
            label = ok_text;
            st = ST_PRIMARY;
        }
        key(t, prefix, keys[i], k, label, st);
    }
}

static const char *const kb_rows[4] = {"1234567890", "qwertyuiop", "asdfghjkl@", "zxcvbnm.-_"};

static const char *kb_name(char c, char *buf)
{
    switch (c) {
    case '@': return "at";
    case '.': return "dot";
    case '-': return "dash";
    case '_': return "underscore";
    default:
        buf[0] = c;
        buf[1] = '\0';
        return buf;
    }
}

void ui_keyboard(struct ui_tree *t, const char *prefix, SDL_Rect r, int upper, const char *ok_text)
{
    int gap = r.w / 120 + 2;
    int rows = 5;
    int kh = (r.h - (rows - 1) * gap) / rows;
    int kw = (r.w - 9 * gap) / 10;
    for (int row = 0; row < 4; row++) {
        const char *keys = kb_rows[row];
        int n = (int)strlen(keys);
        int x0 = r.x + (r.w - (n * kw + (n - 1) * gap)) / 2;
        for (int i = 0; i < n; i++) {
            char nb[2], label[2] = {keys[i], 0};
            if (upper && keys[i] >= 'a' && keys[i] <= 'z')
                label[0] = (char)(keys[i] - 'a' + 'A');
            SDL_Rect k = {x0 + i * (kw + gap), r.y + row * (kh + gap), kw, kh};
            key(t, prefix, kb_name(keys[i], nb), k, label, ST_KEY);
        }
    }
    int y = r.y + 4 * (kh + gap);
    int wide = 2 * kw + gap;
    key(t, prefix, "shift", (SDL_Rect){r.x, y, wide, kh}, upper ? "abc" : "ABC", ST_KEY);
    key(t, prefix, "space", (SDL_Rect){r.x + wide + gap, y, 3 * kw + 2 * gap, kh}, _("Space"),
        ST_KEY);
    key(t, prefix, "del", (SDL_Rect){r.x + 5 * kw + 5 * gap, y, wide, kh}, _("Delete"),
        ST_KEY);
    key(t, prefix, "ok", (SDL_Rect){r.x + r.w - 3 * kw - 2 * gap, y, 3 * kw + 2 * gap, kh},
        ok_text, ST_PRIMARY);
}

/* The GB 32100 character set without its digits: no I, O, S, V or Z. */
static const char taxpad_letters[] = "ABCDEFGHJKLMNPQRTUWXY";

void ui_taxpad(struct ui_tree *t, const char *prefix, SDL_Rect r, const char *ok_text)
{
    int nletters = (int)sizeof taxpad_letters - 1;
    int cols = r.w >= 2 * r.h ? 11 : 7;            /* letters per row */
    int drows = r.w * 10 >= r.h * 14 ? 1 : 2, dcols = 10 / drows; /* digits: one row if wide */
    int lrows = (nletters + cols - 1) / cols;
    int rows = drows + lrows + 1;
    int gap = r.w / 80 + 2, split = 2 * gap; /* more room between digits and letters */
    int kh = (r.h - (rows - 1) * gap - split) / rows;
    /* the digits, most of a tax ID, get the widest keys */
    int dkw = (r.w - (dcols - 1) * gap) / dcols;
    for (int i = 0; i < 10; i++) {
        char name[2] = {"1234567890"[i], '\0'};
        SDL_Rect k = {r.x + (i % dcols) * (dkw + gap), r.y + (i / dcols) * (kh + gap), dkw, kh};
        key(t, prefix, name, k, name, ST_KEY);
    }
    int y = r.y + drows * (kh + gap) + split;
    int kw = (r.w - (cols - 1) * gap) / cols;
    for (int i = 0; i < nletters; i++) {
        int row = i / cols, in_row = nletters - row * cols;
        if (in_row > cols)
            in_row = cols;
        int x0 = r.x + (r.w - (in_row * kw + (in_row - 1) * gap)) / 2;
        char name[2] = {taxpad_letters[i], '\0'};
        SDL_Rect k = {x0 + (i % cols) * (kw + gap), y + row * (kh + gap), kw, kh};
        key(t, prefix, name, k, name, ST_KEY);
    }
    y += lrows * (kh + gap);
    int dw = (r.w - gap) / 3;
    key(t, prefix, "del", (SDL_Rect){r.x, y, dw, kh}, _("Delete"), ST_KEY);
    key(t, prefix, "ok", (SDL_Rect){r.x + dw + gap, y, r.w - dw - gap, kh}, ok_text, ST_PRIMARY);
}

/* The e-mail shortcut keys: id suffix and what each types. */
static const struct {
    const char *name, *text;
} email_keys[] = {{"qq", "qq.com"}, {"163", "163.com"}, {"126", "126.com"}, {"com", ".com"}};

#define NEMAIL_KEYS (int)(sizeof email_keys / sizeof email_keys[0])

void ui_email_keys(struct ui_tree *t, const char *prefix, SDL_Rect r)
{
    int gap = r.w / 120 + 2;
    int kw = (r.w - (NEMAIL_KEYS - 1) * gap) / NEMAIL_KEYS;
    for (int i = 0; i < NEMAIL_KEYS; i++) {
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "%s.%s", prefix, email_keys[i].name);
        struct ui_widget *w = ui_button(t, id, (SDL_Rect){r.x + i * (kw + gap), r.y, kw, r.h},
                                        email_keys[i].text, ST_KEY);
        w->font = FONT_TITLE;
        w->bold = 1;
    }
}

const char *ui_key_text(const char *prefix, const char *id, int upper)
{
    static char out[2];
    size_t pl = strlen(prefix);
    if (strncmp(id, prefix, pl) != 0 || id[pl] != '.')
        return NULL;
    const char *k = id + pl + 1;
    if (!strcmp(k, "at"))
        return "@";
    if (!strcmp(k, "dot"))
        return ".";
    if (!strcmp(k, "dash"))
        return "-";
    if (!strcmp(k, "underscore"))
        return "_";
    if (!strcmp(k, "space"))
        return " ";
    for (int i = 0; i < NEMAIL_KEYS; i++)
        if (!strcmp(k, email_keys[i].name))
            return email_keys[i].text;
    if (strlen(k) != 1)
        return NULL;
    out[0] = k[0];
    out[1] = '\0';
    if (upper && out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
    if ((out[0] >= '0' && out[0] <= '9') || (out[0] >= 'a' && out[0] <= 'z') ||
        (out[0] >= 'A' && out[0] <= 'Z'))
        return out;
    return NULL;
}

struct ui_widget *ui_find(struct ui_tree *t, const char *id)
{
    for (int i = 0; i < t->n; i++)
        if (t->v[i].id[0] && strcmp(t->v[i].id, id) == 0)
            return &t->v[i];
    return NULL;
}

int ui_screen_rect(const struct ui_tree *t, int index, SDL_Rect *out)
{
    const struct ui_widget *w = &t->v[index];
    *out = w->r;
    if (w->parent < 0)
        return 0;
    const struct ui_widget *l = &t->v[w->parent];
    out->y -= l->scroll;
    SDL_Rect clip;
    if (!SDL_IntersectRect(out, &l->r, &clip))
        return -1;
    *out = clip;
    return 0;
}

static int tappable(const struct ui_widget *w)
{
    return (w->kind == UI_BUTTON || w->hold_ms > 0) && !w->disabled && w->id[0];
}

int ui_hit(const struct ui_tree *t, int x, int y)
{
    int from = t->modal_from >= 0 ? t->modal_from : 0;
    SDL_Point p = {x, y};
    for (int i = t->n - 1; i >= from; i--) {
        SDL_Rect r;
        if (!tappable(&t->v[i]) || ui_screen_rect(t, i, &r) != 0)
            continue;
        if (SDL_PointInRect(&p, &r))
            return i;
    }
    return -1;
}

int ui_scroll_into_view(struct ui_tree *t, int index)
{
    struct ui_widget *w = &t->v[index];
    if (w->parent < 0)
        return -1;
    struct ui_widget *l = &t->v[w->parent];
    int top = w->r.y - l->r.y, bottom = top + w->r.h;
    if (top < l->scroll)
        l->scroll = top;
    else if (bottom > l->scroll + l->r.h)
        l->scroll = bottom - l->r.h;
    return l->scroll;
}

int ui_list_at(const struct ui_tree *t, int x, int y)
{
    int from = t->modal_from >= 0 ? t->modal_from : 0;
    SDL_Point p = {x, y};
    for (int i = t->n - 1; i >= from; i--)
        if (t->v[i].kind == UI_LIST && SDL_PointInRect(&p, &t->v[i].r))
            return i;
    return -1;
}

int ui_scroll_to(struct ui_tree *t, int index, int scroll)
{
    struct ui_widget *l = &t->v[index];
    int max = l->content_h - l->r.h;
    if (scroll > max)
        scroll = max;
    if (scroll < 0)
        scroll = 0;
    l->scroll = scroll;
    return scroll;
}

int ui_tick_interval(const struct ui_tree *t)
{
    int ms = -1;
    for (int i = 0; i < t->n; i++) {
        enum ui_kind k = t->v[i].kind;
        int m = k == UI_LIVE ? 33 : k == UI_SPINNER ? 80 : k == UI_COUNTDOWN ? 250 : -1;
        if (m > 0 && (ms < 0 || m < ms))
            ms = m;
    }
    return ms;
}
