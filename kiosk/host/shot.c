#include "host/shot.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/pngio.h"

static Uint32 pixel(const SDL_Surface *s, int x, int y)
{
    return ((const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch))[x];
}

/* Brightness 0..765 (r + g + b) of an ARGB8888 / RGB888 pixel. */
static int brightness(Uint32 p)
{
    return (int)((p >> 16) & 0xFF) + (int)((p >> 8) & 0xFF) + (int)(p & 0xFF);
}

/* The modules of a QR code drawn in `r`: the bounding box of its dark pixels (darker than
 * half-way between the darkest and the lightest pixel there). The three finder patterns
 * sit in three corners of the code, so the box is exactly the code without its quiet
 * zone. An empty box when nothing there has contrast (no code drawn). */
static SDL_Rect qr_modules(const SDL_Surface *s, SDL_Rect r)
{
    int lo = 765, hi = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++) {
            int b = brightness(pixel(s, x, y));
            lo = b < lo ? b : lo;
            hi = b > hi ? b : hi;
        }
    SDL_Rect box = {r.x, r.y, 0, 0};
    if (hi - lo < 192)
        return box;
    int mid = (lo + hi) / 2, x0 = r.x + r.w, y0 = r.y + r.h, x1 = -1, y1 = -1;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            if (brightness(pixel(s, x, y)) < mid) {
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
            }
    if (x1 >= x0 && y1 >= y0)
        box = (SDL_Rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    return box;
}

int shot_volatile_text(const SDL_Surface *s, const struct ui_tree *t, char *out, size_t cap)
{
    size_t len = 0;
    if (cap)
        out[0] = '\0';
    const SDL_Rect frame = {0, 0, s->w, s->h};
    for (int i = 0; t && i < t->n; i++) {
        const struct ui_widget *w = &t->v[i];
        const char *kind = w->kind == UI_SPINNER     ? "spinner"
                           : w->kind == UI_COUNTDOWN ? "countdown"
                           : w->kind == UI_QR        ? "qr"
                           : w->kind == UI_LIVE      ? "live"
                                                     : NULL;
        SDL_Rect r, vis;
        if (!kind || ui_screen_rect(t, i, &r) != 0 || !SDL_IntersectRect(&r, &frame, &vis))
            continue; /* not volatile, or not on screen */
        if (w->kind == UI_QR)
            vis = qr_modules(s, vis);
        int n = snprintf(out + len, cap - len, "%s %d %d %d %d %s\n", kind, vis.x, vis.y, vis.w,
                         vis.h, w->id[0] ? w->id : "-");
        if (n < 0 || (size_t)n >= cap - len)
            return -1;
        len += (size_t)n;
    }
    return (int)len;
}

/* ARGB8888 / RGB888 row to RGB bytes. */
static void frame_row(void *user, int y, unsigned char *row)
{
    const SDL_Surface *s = user;
    for (int x = 0; x < s->w; x++) {
        Uint32 p = pixel(s, x, y);
        row[x * 3] = (unsigned char)(p >> 16);
        row[x * 3 + 1] = (unsigned char)(p >> 8);
        row[x * 3 + 2] = (unsigned char)p;
    }
}

int shot_write_png(const SDL_Surface *s, const struct ui_tree *t, const char *path)
{
    if (s->format->format != SDL_PIXELFORMAT_ARGB8888 &&
        s->format->format != SDL_PIXELFORMAT_RGB888) {
        log_error("shot", "%s: unsupported pixel format %s", path,
                  SDL_GetPixelFormatName(s->format->format));
        return -1;
    }
    /* one line per volatile widget; a tree holds at most UI_MAX_WIDGETS of them */
    static char masks[UI_MAX_WIDGETS * 64];
    char err[300];
    if (SDL_MUSTLOCK(s) && SDL_LockSurface((SDL_Surface *)s) != 0) {
        log_error("shot", "%s: cannot lock the frame: %s", path, SDL_GetError());
        return -1;
    }
    int rc = -1;
    if (shot_volatile_text(s, t, masks, sizeof masks) < 0)
        snprintf(err, sizeof err, "%s: too many volatile widgets", path);
    else
        rc = pngio_write_rows(path, s->w, s->h, 3, frame_row, (void *)s,
                              t ? SHOT_VOLATILE_KEY : NULL, masks, err, sizeof err);
    if (SDL_MUSTLOCK(s))
        SDL_UnlockSurface((SDL_Surface *)s);
    if (rc != 0)
        log_error("shot", "cannot write the screenshot: %s", err);
    return rc;
}
