/* Slips for the receipt printer, drawn as 1-bit raster (slip.h). */
#include "ui/slip.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "printer/code128.h"

#define MARGIN 16 /* white dots above the first line and below the last */

struct slip {
    struct text_engine *te;
    struct bitmap *b;
    int y; /* next free row */
};

struct slip *slip_create(struct text_engine *te, int width)
{
    struct slip *s = calloc(1, sizeof *s);
    if (!s || !(s->b = bitmap_create(width, 0))) {
        free(s);
        return NULL;
    }
    s->te = te;
    s->y = MARGIN;
    return s;
}

void slip_destroy(struct slip *s)
{
    if (!s)
        return;
    bitmap_destroy(s->b);
    free(s);
}

static int reserve(struct slip *s, int rows)
{
    return bitmap_grow(s->b, s->y + rows + MARGIN);
}

/* Blits an ARGB text surface: a dot is black where the glyph covers more than ~45 %. */
static void blit_surface(struct slip *s, SDL_Surface *t, int x0)
{
    if (!t)
        return;
    if (reserve(s, t->h) == 0) {
        for (int y = 0; y < t->h; y++) {
            const Uint32 *row = (const Uint32 *)((const Uint8 *)t->pixels + y * t->pitch);
            for (int x = 0; x < t->w; x++)
                if ((row[x] >> 24) > 115)
                    bitmap_set(s->b, x0 + x, s->y + y, 1);
        }
        s->y += t->h;
    }
    SDL_FreeSurface(t);
}

void slip_text(struct slip *s, const char *utf8, int px, int bold, enum slip_align a)
{
    int avail = s->b->width - 2 * MARGIN;
    enum text_align ta = a == SLIP_CENTER ? ALIGN_CENTER : a == SLIP_RIGHT ? ALIGN_RIGHT : ALIGN_LEFT;
    SDL_Surface *t = text_surface(s->te, utf8, px, bold, 0x000000FF, ta, avail);
    if (!t)
        return;
    int x = MARGIN;
    if (a == SLIP_CENTER)
        x = (s->b->width - t->w) / 2;
    else if (a == SLIP_RIGHT)
        x = s->b->width - MARGIN - t->w;
    blit_surface(s, t, x);
}

void slip_pair(struct slip *s, const char *left, const char *right, int px, int bold)
{
    SDL_Surface *r = text_surface(s->te, right, px, bold, 0x000000FF, ALIGN_RIGHT, 0);
    int rw = r ? r->w : 0;
    int y = s->y;
    SDL_Surface *l = text_surface(s->te, left, px, bold, 0x000000FF, ALIGN_LEFT,
                                  s->b->width - 2 * MARGIN - rw - 12);
    int lh = l ? l->h : 0;
    blit_surface(s, l, MARGIN);
    int after_left = s->y;
    s->y = y;
    blit_surface(s, r, s->b->width - MARGIN - rw);
    if (after_left > s->y)
        s->y = after_left;
    (void)lh;
}

void slip_rule(struct slip *s)
{
    if (reserve(s, 14) != 0)
        return;
    for (int x = MARGIN; x < s->b->width - MARGIN; x += 6)
        bitmap_fill(s->b, x, s->y + 6, 3, 2);
    s->y += 14;
}

void slip_gap(struct slip *s, int dots)
{
    if (reserve(s, dots) == 0)
        s->y += dots;
}

void slip_qr(struct slip *s, const char *text, int module)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return;
    int side = (q->width + 8) * module;
    if (side > s->b->width - 2 * MARGIN)
        module = (s->b->width - 2 * MARGIN) / (q->width + 8);
    side = (q->width + 8) * module;
    if (module > 0 && reserve(s, side) == 0) {
        int x0 = (s->b->width - side) / 2 + 4 * module, y0 = s->y + 4 * module;
        for (int y = 0; y < q->width; y++)
            for (int x = 0; x < q->width; x++)
                if (q->data[y * q->width + x] & 1)
                    bitmap_fill(s->b, x0 + x * module, y0 + y * module, module, module);
        s->y += side;
    }
    QRcode_free(q);
}

const struct bitmap *slip_bitmap(const struct slip *s)
{
    s->b->height = s->y + MARGIN < s->b->height ? s->y + MARGIN : s->b->height;
    return s->b;
}

void slip_barcode(struct slip *s, const char *text, int height)
{
    if (code128_draw(s->b, s->y, height, text) > 0)
        s->y += height;
}

struct slip *slip_test(struct text_engine *te, const struct kiosk_config *cfg, const char *lang,
                       long long unix_s)
{
    struct slip *s = slip_create(te, cfg->paper_width_dots);
    if (!s)
        return NULL;
    char line[200], when[40];
    time_t t = (time_t)unix_s;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    int big = cfg->paper_width_dots >= 576 ? 40 : 32, normal = big * 3 / 4;
    slip_text(s, cfg->station_name[0] ? cfg->station_name : i18n_get_in(lang, "Self-service kiosk"),
              big, 1, SLIP_CENTER);
    slip_gap(s, 8);
    slip_text(s, i18n_get_in(lang, "Printer test"), big, 1, SLIP_CENTER);
    slip_rule(s);
    slip_pair(s, i18n_get_in(lang, "Terminal"), cfg->terminal_id, normal, 0);
    slip_pair(s, i18n_get_in(lang, "Time"), when, normal, 0);
    snprintf(line, sizeof line, "%d", cfg->paper_width_dots);
    slip_pair(s, i18n_get_in(lang, "Paper width (dots)"), line, normal, 0);
    slip_rule(s);
    slip_text(s, "自助服务终端 Self-service kiosk 0123456789 ¥1,234.56", normal, 0, SLIP_LEFT);
    slip_gap(s, 12);
    snprintf(line, sizeof line, "kiosk-test:%s", cfg->terminal_id);
    slip_qr(s, line, cfg->paper_width_dots >= 576 ? 8 : 6);
    slip_text(s, i18n_get_in(lang, "If you can read this and scan the code, the printer works."),
              normal, 0, SLIP_CENTER);
    return s;
}

