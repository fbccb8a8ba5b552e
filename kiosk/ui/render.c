#include <SDL_image.h>
#include <math.h>
#include <qrencode.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "ui/ui.h"

/* Small caches for decoded images and QR codes, keyed by source and drawn size. */
#define IMG_SLOTS 6
struct img_slot {
    char key[400];
    int w, h;
    SDL_Texture *tex;
    int64_t used, frame; /* lookup tick; the frame it was last drawn in */
};
static struct img_slot imgs[IMG_SLOTS];
static int64_t img_tick, img_frame;

/* While the layer under an open dialog is drawn, every colour is scaled to this many
 * percent (100 = normal): the dialog's shade without a full-screen blend. */
static int dim_pct = 100;

static Uint8 dim(uint32_t ch)
{
    return (Uint8)((ch & 0xFF) * (uint32_t)dim_pct / 100);
}

static void set_color(SDL_Renderer *r, uint32_t c)
{
    SDL_SetRenderDrawColor(r, dim(c >> 24), dim(c >> 16), dim(c >> 8), (Uint8)c);
}

/* Draws a cached texture with the current dimming. */
static void copy_tex(SDL_Renderer *r, SDL_Texture *t, const SDL_Rect *src, const SDL_Rect *dst)
{
    Uint8 m = dim(0xFF);
    SDL_SetTextureColorMod(t, m, m, m);
    SDL_RenderCopy(r, t, src, dst);
}

static uint32_t darken(uint32_t c, int pct)
{
    uint32_t out = c & 0xFF;
    for (int s = 8; s < 32; s += 8) {
        uint32_t ch = (c >> s) & 0xFF;
        out |= (ch * (uint32_t)(100 - pct) / 100) << s;
    }
    return out;
}

/* Filled rectangle with rounded corners, drawn as one batch of horizontal spans. */
static void fill_round(SDL_Renderer *r, SDL_Rect b, int rad, uint32_t c)
{
    if (b.w <= 0 || b.h <= 0)
        return;
    if (rad * 2 > b.w)
        rad = b.w / 2;
    if (rad * 2 > b.h)
        rad = b.h / 2;
    set_color(r, c);
    SDL_SetRenderDrawBlendMode(r, (c & 0xFF) == 0xFF ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    if (rad <= 0) {
        SDL_RenderFillRect(r, &b);
        return;
    }
    SDL_Rect spans[2 * 128 + 1];
    int n = 0;
    if (rad > 128)
        rad = 128;
    for (int i = 0; i < rad; i++) {
        int dy = rad - i;
        int dx = rad - (int)sqrt((double)(rad * rad - dy * dy));
        spans[n++] = (SDL_Rect){b.x + dx, b.y + i, b.w - 2 * dx, 1};
        spans[n++] = (SDL_Rect){b.x + dx, b.y + b.h - 1 - i, b.w - 2 * dx, 1};
    }
    spans[n++] = (SDL_Rect){b.x, b.y + rad, b.w, b.h - 2 * rad};
    SDL_RenderFillRects(r, spans, n);
}

static void frame_round(SDL_Renderer *r, SDL_Rect b, int rad, int bw, uint32_t border,
                        uint32_t fill)
{
    fill_round(r, b, rad, border);
    SDL_Rect in = {b.x + bw, b.y + bw, b.w - 2 * bw, b.h - 2 * bw};
    fill_round(r, in, rad > bw ? rad - bw : 0, fill);
}

static void draw_text(struct ui_render_ctx *c, const char *s, SDL_Rect box, enum font_role f,
                      int bold, uint32_t color, enum text_align a, int valign_center)
{
    int w, h;
    /* Dimmed text is rasterised dimmed (and cached so): cheaper than a colour-modulated
     * blit every frame. */
    color = ((uint32_t)dim(color >> 24) << 24) | ((uint32_t)dim(color >> 16) << 16) |
            ((uint32_t)dim(color >> 8) << 8) | (color & 0xFF);
    int px = c->theme->font_px[f];
    int min_px = c->theme->font_px[FONT_CAPTION] * 3 / 4;
    SDL_Texture *tex = text_get(c->text, s, px, min_px, bold, color, a, box.w, box.h, &w, &h);
    if (!tex)
        return;
    SDL_Rect d = {box.x, box.y, w, h};
    if (a == ALIGN_CENTER)
        d.x = box.x + (box.w - w) / 2;
    else if (a == ALIGN_RIGHT)
        d.x = box.x + box.w - w;
    if (valign_center)
        d.y = box.y + (box.h - h) / 2;
    /* Text that still does not fit is clipped to its box, never drawn over neighbours. */
    SDL_Rect src = {0, 0, w, h};
    if (d.y + d.h > box.y + box.h && valign_center == 0) {
        src.h = box.y + box.h - d.y;
        d.h = src.h;
    }
    SDL_RenderCopy(c->r, tex, &src, &d);
}

static struct img_slot *img_slot_for(const char *key, int w, int h)
{
    struct img_slot *victim = &imgs[0];
    img_tick++;
    for (int i = 0; i < IMG_SLOTS; i++) {
        if (imgs[i].tex && imgs[i].w == w && imgs[i].h == h && !strcmp(imgs[i].key, key)) {
            imgs[i].used = img_tick;
            imgs[i].frame = img_frame;
            return &imgs[i];
        }
        if (!imgs[i].tex || imgs[i].used < victim->used)
            victim = &imgs[i];
    }
    if (victim->tex)
        SDL_DestroyTexture(victim->tex);
    memset(victim, 0, sizeof *victim);
    snprintf(victim->key, sizeof victim->key, "%s", key);
    victim->w = w;
    victim->h = h;
    victim->used = img_tick;
    victim->frame = img_frame;
    return victim;
}

#define IMG_BUDGET (5u << 20)
#define IMG_BIG (1u << 20) /* an ad, not an icon */

/* Drops least recently used images until the cache and `incoming` more bytes fit the budget.
 * Images drawn in this frame stay (so does `keep`), or one frame would decode them again. */
static void img_trim(const struct img_slot *keep, size_t incoming)
{
    for (;;) {
        size_t bytes = incoming;
        struct img_slot *old = NULL;
        for (int i = 0; i < IMG_SLOTS; i++) {
            if (!imgs[i].tex)
                continue;
            int w, h;
            SDL_QueryTexture(imgs[i].tex, NULL, NULL, &w, &h);
            bytes += (size_t)w * (size_t)h * 4;
            if (&imgs[i] != keep && imgs[i].frame != img_frame &&
                (!old || imgs[i].used < old->used))
                old = &imgs[i];
        }
        if (bytes <= IMG_BUDGET || !old)
            return;
        SDL_DestroyTexture(old->tex);
        memset(old, 0, sizeof *old);
    }
}

/* A big image (an ad) the frame just drawn did not show is dropped at once: it would stay
 * in RSS through every customer's session, and decoding it again on the attract screen
 * costs one frame there. Icons and QR codes stay under the budget. */
static void img_drop_unshown(void)
{
    for (int i = 0; i < IMG_SLOTS; i++) {
        int w, h;
        if (!imgs[i].tex || imgs[i].frame == img_frame ||
            SDL_QueryTexture(imgs[i].tex, NULL, NULL, &w, &h) != 0 ||
            (size_t)w * (size_t)h * 4 < IMG_BIG)
            continue;
        SDL_DestroyTexture(imgs[i].tex);
        memset(&imgs[i], 0, sizeof imgs[i]);
    }
}

/* Rewrites a 32-bit surface's pixels in place as ARGB8888 values, blended onto the opaque
 * colour bg when `opaque`. Done in place so that a decoded image costs one copy of itself
 * on the way to its texture, not three. */
static void to_argb(SDL_Surface *s, uint32_t bg, int opaque)
{
    const SDL_PixelFormat *f = s->format;
    uint32_t br = (bg >> 24) & 0xFF, bgn = (bg >> 16) & 0xFF, bb = (bg >> 8) & 0xFF;
    for (int y = 0; y < s->h; y++) {
        uint32_t *row = (uint32_t *)((uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch);
        for (int x = 0; x < s->w; x++) {
            uint32_t p = row[x];
            uint32_t r = (p & f->Rmask) >> f->Rshift, g = (p & f->Gmask) >> f->Gshift,
                     b = (p & f->Bmask) >> f->Bshift;
            uint32_t a = f->Amask ? (p & f->Amask) >> f->Ashift : 0xFF;
            if (opaque) {
                uint32_t na = 255 - a;
                r = (r * a + br * na) / 255;
                g = (g * a + bgn * na) / 255;
                b = (b * a + bb * na) / 255;
                a = 0xFF;
            }
            row[x] = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }
}

/* Decodes an image file into a texture `box` fits (aspect kept; images already close to the
 * box size are kept as they are), flattened onto bg when it is opaque. */
static SDL_Texture *image_texture(SDL_Renderer *r, const char *path, SDL_Rect box, uint32_t bg,
                                  const struct img_slot *slot)
{
    SDL_Surface *img = IMG_Load(path);
    if (img && img->format->BytesPerPixel != 4) { /* palette, grey or RGB: widen once */
        SDL_Surface *conv = SDL_ConvertSurfaceFormat(img, SDL_PIXELFORMAT_ARGB8888, 0);
        SDL_FreeSurface(img);
        img = conv;
    }
    if (!img) {
        log_warn("ui", "image %s: %s", path, IMG_GetError());
        return NULL;
    }
    int dw = box.w, dh = img->h * box.w / img->w;
    if (dh > box.h) {
        dh = box.h;
        dw = img->w * box.h / img->h;
    }
    int close = img->w <= box.w && img->h <= box.h && img->w * 5 >= dw * 4;
    if (close) {
        dw = img->w;
        dh = img->h;
    }
    img_trim(slot, (size_t)dw * (size_t)dh * 4);
    if (!close) {
        SDL_Surface *dst = SDL_CreateRGBSurfaceWithFormat(0, dw, dh, 32, img->format->format);
        if (dst) {
            SDL_SetSurfaceBlendMode(img, SDL_BLENDMODE_NONE);
            SDL_BlitScaled(img, NULL, dst, NULL);
        }
        SDL_FreeSurface(img);
        img = dst;
        if (!img)
            return NULL;
    }
    int opaque = (bg & 0xFF) == 0xFF;
    to_argb(img, bg, opaque);
    SDL_Texture *tex =
        SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, dw, dh);
    if (tex) {
        SDL_UpdateTexture(tex, NULL, img->pixels, img->pitch);
        SDL_SetTextureBlendMode(tex, opaque ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    }
    SDL_FreeSurface(img);
    return tex;
}

/* Draws an image file fitted into box, from the cache (decoded on first use). */
static void draw_image(struct ui_render_ctx *c, const char *file, SDL_Rect box, uint32_t bg,
                       Uint8 alpha)
{
    char key[400];
    snprintf(key, sizeof key, "%s#%08x", file, (unsigned)bg);
    struct img_slot *s = img_slot_for(key, box.w, box.h);
    if (!s->tex) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", c->assets_dir, file);
        s->tex = image_texture(c->r, path, box, bg, s);
        if (!s->tex) {
            s->key[0] = '\0';
            return;
        }
    }
    int tw, th;
    SDL_QueryTexture(s->tex, NULL, NULL, &tw, &th);
    SDL_Rect d = {box.x + (box.w - tw) / 2, box.y + (box.h - th) / 2, tw, th};
    SDL_SetTextureAlphaMod(s->tex, alpha);
    copy_tex(c->r, s->tex, NULL, &d);
}

/* The live picture (UI_LIVE): one streaming texture, refilled from the context's source
 * every frame it is drawn; at most LIVE_W x LIVE_H (a preview, scaled up when drawn); the
 * widget's guide oval over it. */
#define LIVE_W 320
#define LIVE_H 240
static struct {
    SDL_Texture *tex;
    int w, h;
    uint8_t grey[LIVE_W * LIVE_H];
} live;

/* An upright oval outline `thick` px wide inscribed in b, in colour col: per row one span
 * across (its top and bottom) or two (its sides), in batches: a few hundred rectangles,
 * cheap enough for every frame of a preview. */
static void draw_oval(SDL_Renderer *r, SDL_Rect b, int thick, uint32_t col)
{
    if (b.w < 4 || b.h < 4 || thick < 1)
        return;
    set_color(r, col);
    SDL_SetRenderDrawBlendMode(r, (col & 0xFF) == 0xFF ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    double ra = b.w / 2.0, rb = b.h / 2.0, ia = ra - thick, ib = rb - thick;
    int cx = b.x + b.w / 2;
    SDL_Rect spans[256];
    int n = 0;
    for (int y = 0; y < b.h; y++) {
        double dy = y + 0.5 - rb;
        double q = 1.0 - dy * dy / (rb * rb);
        int xo = q > 0 ? (int)(ra * sqrt(q) + 0.5) : 0;
        if (xo <= 0)
            continue;
        if (ia > 0 && ib > 0 && fabs(dy) < ib) {
            int xi = (int)(ia * sqrt(1.0 - dy * dy / (ib * ib)) + 0.5);
            spans[n++] = (SDL_Rect){cx - xo, b.y + y, xo - xi, 1};
            spans[n++] = (SDL_Rect){cx + xi, b.y + y, xo - xi, 1};
        } else {
            spans[n++] = (SDL_Rect){cx - xo, b.y + y, 2 * xo, 1};
        }
        if (n >= 254) {
            SDL_RenderFillRects(r, spans, n);
            n = 0;
        }
    }
    if (n)
        SDL_RenderFillRects(r, spans, n);
}

/* The guide over the picture (or the empty frame) d: `pct` percent of its height tall, 3/4
 * as wide, centred. */
static void draw_guide(struct ui_render_ctx *c, SDL_Rect d, int pct)
{
    if (pct <= 0)
        return;
    if (pct > 100)
        pct = 100;
    int gh = d.h * pct / 100, gw = gh * 3 / 4;
    if (gw > d.w) {
        gw = d.w;
        gh = gw * 4 / 3;
    }
    draw_oval(c->r, (SDL_Rect){d.x + (d.w - gw) / 2, d.y + (d.h - gh) / 2, gw, gh},
              c->theme->min_target / 10 + 2, c->theme->accent);
}

static void draw_live(struct ui_render_ctx *c, SDL_Rect box, int guide)
{
    fill_round(c->r, box, 0, 0x202020FF);
    int w = 0, h = 0;
    if (!c->live || !c->live(c->live_user, live.grey, LIVE_W, LIVE_H, &w, &h) || w <= 0 ||
        h <= 0 || w > LIVE_W || h > LIVE_H) {
        draw_guide(c, box, guide); /* where to be, before the first picture comes */
        return;
    }
    if (!live.tex || live.w != w || live.h != h) {
        if (live.tex)
            SDL_DestroyTexture(live.tex);
        live.tex = SDL_CreateTexture(c->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING,
                                     w, h);
        live.w = w, live.h = h;
        if (!live.tex) {
            draw_guide(c, box, guide);
            return;
        }
    }
    void *pixels;
    int pitch;
    if (SDL_LockTexture(live.tex, NULL, &pixels, &pitch) != 0) {
        draw_guide(c, box, guide);
        return;
    }
    for (int y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)((uint8_t *)pixels + (size_t)y * (size_t)pitch);
        for (int x = 0; x < w; x++) {
            uint32_t g = live.grey[y * w + x];
            row[x] = 0xFF000000u | g << 16 | g << 8 | g;
        }
    }
    SDL_UnlockTexture(live.tex);
    /* fitted into the box, aspect kept */
    SDL_Rect d = box;
    if ((int64_t)box.w * h > (int64_t)box.h * w) {
        d.w = (int)((int64_t)box.h * w / h);
        d.x = box.x + (box.w - d.w) / 2;
    } else {
        d.h = (int)((int64_t)box.w * h / w);
        d.y = box.y + (box.h - d.h) / 2;
    }
    copy_tex(c->r, live.tex, NULL, &d);
    draw_guide(c, d, guide);
}

/* A QR code is kept as one pixel per module and scaled up by a whole number when drawn
 * (nearest neighbour: the same pixels as drawing it big, a thousandth of the memory). */
static void draw_qr(struct ui_render_ctx *c, const struct ui_widget *w)
{
    char key[400];
    snprintf(key, sizeof key, "qr:%s", w->text);
    struct img_slot *s = img_slot_for(key, 0, 0);
    if (!s->tex) {
        QRcode *q = QRcode_encodeString(w->text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
        if (!q) {
            s->key[0] = '\0';
            return;
        }
        int quiet = 4, mods = q->width + 2 * quiet;
        SDL_Surface *sf = SDL_CreateRGBSurfaceWithFormat(0, mods, mods, 32,
                                                         SDL_PIXELFORMAT_ARGB8888);
        if (sf) {
            SDL_FillRect(sf, NULL, 0xFFFFFFFF);
            for (int y = 0; y < q->width; y++)
                for (int x = 0; x < q->width; x++)
                    if (q->data[y * q->width + x] & 1) {
                        SDL_Rect px = {x + quiet, y + quiet, 1, 1};
                        SDL_FillRect(sf, &px, 0xFF000000);
                    }
            s->tex = SDL_CreateTextureFromSurface(c->r, sf);
            SDL_FreeSurface(sf);
            if (s->tex)
                SDL_SetTextureScaleMode(s->tex, SDL_ScaleModeNearest);
        }
        QRcode_free(q);
        if (!s->tex) {
            s->key[0] = '\0';
            return;
        }
    }
    int mods, th;
    SDL_QueryTexture(s->tex, NULL, NULL, &mods, &th);
    int side = w->r.w < w->r.h ? w->r.w : w->r.h;
    int m = side / mods;
    if (m < 1)
        m = 1;
    SDL_Rect d = {w->r.x + (w->r.w - mods * m) / 2, w->r.y + (w->r.h - mods * m) / 2, mods * m,
                  mods * m};
    copy_tex(c->r, s->tex, NULL, &d);
}

static void draw_spinner(struct ui_render_ctx *c, SDL_Rect b)
{
    int cx = b.x + b.w / 2, cy = b.y + b.h / 2;
    int rad = (b.w < b.h ? b.w : b.h) / 2;
    int dot = rad / 4 + 1;
    int phase = (int)((c->now_ms / 80) % 12);
    for (int i = 0; i < 12; i++) {
        double a = i * (2 * M_PI / 12);
        int x = cx + (int)((rad - dot) * sin(a)), y = cy - (int)((rad - dot) * cos(a));
        int age = (phase - i + 12) % 12;
        uint32_t col = (c->theme->primary & 0xFFFFFF00) | (uint32_t)(255 - age * 18);
        fill_round(c->r, (SDL_Rect){x - dot / 2, y - dot / 2, dot, dot}, dot / 2, col);
    }
}

static void draw_ring(struct ui_render_ctx *c, SDL_Rect b, int value, int max)
{
    int cx = b.x + b.w / 2, cy = b.y + b.h / 2;
    int rad = (b.w < b.h ? b.w : b.h) / 2;
    int th = rad / 7 + 2;
    int steps = 120;
    int lit = max > 0 ? steps * value / max : 0;
    for (int i = 0; i < steps; i++) {
        double a = i * (2 * M_PI / steps);
        int x = cx + (int)((rad - th / 2) * sin(a)), y = cy - (int)((rad - th / 2) * cos(a));
        uint32_t col = i < lit ? c->theme->primary : c->theme->surface_alt;
        fill_round(c->r, (SDL_Rect){x - th / 2, y - th / 2, th, th}, th / 2, col);
    }
    char num[16];
    snprintf(num, sizeof num, "%d", value);
    /* the seconds inside the ring, shrunk to fit there */
    int in = rad * 3 / 10;
    draw_text(c, num, (SDL_Rect){b.x + in, b.y + in, b.w - 2 * in, b.h - 2 * in}, FONT_HEADLINE, 1,
              c->theme->text, ALIGN_CENTER, 1);
}

static void style_colors(const struct theme *th, const struct ui_widget *w, uint32_t *bg,
                         uint32_t *fg, uint32_t *border)
{
    int muted = w->disabled || w->unavailable;
    *border = 0;
    switch (w->style) {
    case ST_PRIMARY:
        *bg = muted ? th->surface_alt : th->primary;
        *fg = muted ? th->text_dim : th->on_primary;
        break;
    case ST_DANGER:
        *bg = th->danger;
        *fg = 0xFFFFFFFF;
        break;
    case ST_SECONDARY:
        *bg = th->surface;
        *fg = muted ? th->text_dim : th->primary;
        *border = muted ? th->border : th->primary;
        break;
    case ST_TILE:
    case ST_KEY:
    case ST_CARD:
        *bg = muted ? th->surface_alt : th->surface;
        *fg = muted ? th->text_dim : th->text;
        *border = th->border;
        break;
    case ST_DIALOG:
        *bg = th->surface;
        *fg = th->text;
        *border = th->border;
        break;
    case ST_HEADER:
        *bg = th->header_bg;
        *fg = th->on_header;
        break;
    case ST_NOTICE:
        *bg = th->notice_bg;
        *fg = th->on_notice;
        break;
    case ST_GHOST:
    case ST_PLAIN:
    default:
        *bg = 0;
        *fg = muted ? th->text_dim : th->text;
        break;
    }
    if (w->fg)
        *fg = w->fg;
    if (w->bg)
        *bg = w->bg;
}

static void draw_button(struct ui_render_ctx *c, const struct ui_widget *w, SDL_Rect b,
                        int pressed)
{
    const struct theme *th = c->theme;
    uint32_t bg, fg, border;
    style_colors(th, w, &bg, &fg, &border);
    if (pressed)
        bg = bg ? darken(bg, 18) : (th->surface_alt);
    int bw = th->min_target / 24 + 1;
    if (border)
        frame_round(c->r, b, th->radius, bw, border, bg);
    else if (bg)
        fill_round(c->r, b, th->radius, bg);

    int pad = th->min_target / 4;
    SDL_Rect in = {b.x + pad, b.y + pad / 2, b.w - 2 * pad, b.h - pad};
    if (w->image[0]) {
        int ic = in.h < in.w / 3 ? in.h : in.w / 3;
        if (w->sub[0] && ic > b.h * 2 / 3)
            ic = b.h * 2 / 3;
        /* A muted icon for what cannot be used now (the words say why). */
        draw_image(c, w->image, (SDL_Rect){in.x, b.y + (b.h - ic) / 2, ic, ic}, 0,
                   (w->unavailable || w->disabled) ? 110 : 255);
        in.x += ic + pad;
        in.w -= ic + pad;
    }
    enum text_align a = w->image[0] ? ALIGN_LEFT : w->align;
    if (w->sub[0]) {
        int th1 = in.h * 11 / 20;
        draw_text(c, w->text, (SDL_Rect){in.x, in.y, in.w, th1}, w->font, w->bold, fg, a, 1);
        uint32_t subc = w->unavailable ? th->warn : th->text_dim;
        if (w->style == ST_PRIMARY || w->style == ST_DANGER)
            subc = fg;
        draw_text(c, w->sub, (SDL_Rect){in.x, in.y + th1, in.w, in.h - th1}, w->sub_font,
                  w->sub_font > FONT_CAPTION, subc, a, 0);
    } else {
        draw_text(c, w->text, in, w->font, w->bold, fg, a, 1);
    }
}

static void draw_widget(struct ui_render_ctx *c, const struct ui_tree *t, int i)
{
    const struct ui_widget *w = &t->v[i];
    const struct theme *th = c->theme;
    SDL_Rect b;
    if (ui_screen_rect(t, i, &b) != 0)
        return;
    if (w->parent >= 0) {
        SDL_Rect clip = t->v[w->parent].r;
        SDL_RenderSetClipRect(c->r, &clip);
        b = w->r;
        b.y -= t->v[w->parent].scroll;
    }
    switch (w->kind) {
    case UI_PANEL: {
        uint32_t bg, fg, border;
        style_colors(th, w, &bg, &fg, &border);
        if (w->style == ST_HEADER)
            fill_round(c->r, b, 0, bg);
        else if (border)
            frame_round(c->r, b, th->radius, 2, border, bg);
        else if (bg)
            fill_round(c->r, b, th->radius, bg);
        break;
    }
    case UI_LABEL: {
        uint32_t bg, fg, border;
        style_colors(th, w, &bg, &fg, &border);
        if (bg)
            fill_round(c->r, b, th->radius, bg);
        SDL_Rect in = b;
        if (bg) {
            int pad = th->min_target / 4;
            in = (SDL_Rect){b.x + pad, b.y, b.w - 2 * pad, b.h};
        }
        draw_text(c, w->text, in, w->font, w->bold, fg, w->align, 1);
        break;
    }
    case UI_BUTTON:
        draw_button(c, w, b, i == c->pressed);
        break;
    case UI_IMAGE:
        draw_image(c, w->image, b, w->bg, 255);
        break;
    case UI_QR:
        draw_qr(c, w);
        break;
    case UI_SPINNER:
        draw_spinner(c, b);
        break;
    case UI_PROGRESS: {
        fill_round(c->r, b, b.h / 2, th->surface_alt);
        int fw = w->max > 0 ? b.w * w->value / w->max : 0;
        if (fw > 0)
            fill_round(c->r, (SDL_Rect){b.x, b.y, fw, b.h}, b.h / 2, th->primary);
        break;
    }
    case UI_COUNTDOWN:
        draw_ring(c, b, w->value, w->max);
        break;
    case UI_LIST:
        if (w->content_h > b.h && b.h > 0) {
            /* where the view is in the list: a thin bar on the right edge */
            int bar = 6, th_h = b.h * b.h / w->content_h;
            int y = b.y + (b.h - th_h) * w->scroll / (w->content_h - b.h);
            fill_round(c->r, (SDL_Rect){b.x + b.w - bar, b.y, bar, b.h}, bar / 2, th->surface_alt);
            fill_round(c->r, (SDL_Rect){b.x + b.w - bar, y, bar, th_h}, bar / 2, th->text_dim);
        }
        break;
    case UI_SHADE:
        break; /* the layer below was drawn dimmed */
    case UI_LIVE:
        draw_live(c, b, w->guide);
        break;
    }
    if (w->parent >= 0)
        SDL_RenderSetClipRect(c->r, NULL);
}

static void draw_range(struct ui_render_ctx *c, const struct ui_tree *t, int from, int to)
{
    for (int i = from; i < to; i++) {
        draw_widget(c, t, i);
        SDL_Rect b;
        if (i == c->focused && ui_screen_rect(t, i, &b) == 0) {
            int ring = c->theme->min_target / 12 + 2;
            SDL_Rect o = {b.x - ring, b.y - ring, b.w + 2 * ring, b.h + 2 * ring};
            set_color(c->r, c->theme->accent);
            for (int k = 0; k < ring; k++) {
                SDL_Rect rr = {o.x + k, o.y + k, o.w - 2 * k, o.h - 2 * k};
                SDL_RenderDrawRect(c->r, &rr);
            }
        }
    }
}

static void clear(struct ui_render_ctx *c)
{
    set_color(c->r, c->theme->bg);
    SDL_SetRenderDrawBlendMode(c->r, SDL_BLENDMODE_NONE);
    SDL_RenderClear(c->r);
}

void ui_render(struct ui_render_ctx *c, const struct ui_tree *t)
{
    int split = t->modal_from >= 0 ? t->modal_from : t->n;
    img_frame++;
    if (t->modal_from >= 0)
        dim_pct = 100 - (int)(c->theme->shade & 0xFF) * 100 / 255;
    clear(c);
    draw_range(c, t, 0, split);
    dim_pct = 100;
    draw_range(c, t, split, t->n);
    text_evict(c->text);
    img_drop_unshown();
}

void ui_render_cleanup(void)
{
    if (live.tex)
        SDL_DestroyTexture(live.tex);
    memset(&live, 0, sizeof live);
    for (int i = 0; i < IMG_SLOTS; i++)
        if (imgs[i].tex)
            SDL_DestroyTexture(imgs[i].tex);
    memset(imgs, 0, sizeof imgs);
}
