#include "ui/text.h"

#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define MAX_LINES 32
#define CACHE_SLOTS 384
#define CACHE_BUDGET (2u << 20)

struct face {
    int px;
    TTF_Font *font;
};

struct cache_entry {
    char *text;
    uint32_t hash, rgba;
    int px, min_px, bold, align, box_w, box_h;
    SDL_Texture *tex;
    int w, h;
    uint64_t used; /* frame it was last drawn in */
};

struct text_engine {
    SDL_Renderer *r;
    char path[1024], bold_path[1024];
    int index, bold_index;
    struct face faces[2]; /* regular, bold */
    struct cache_entry cache[CACHE_SLOTS];
    size_t bytes;
    uint64_t frame; /* advanced by text_evict(), once per frame */
};

static int fc_find(const char *family, int bold, char *path, size_t cap, int *index)
{
    int found = 0;
    char pat[160];
    snprintf(pat, sizeof pat, "%s:lang=zh-cn%s", family, bold ? ":weight=bold" : "");
    FcPattern *p = FcNameParse((const FcChar8 *)pat);
    if (!p)
        return -1;
    FcConfigSubstitute(NULL, p, FcMatchPattern);
    FcDefaultSubstitute(p);
    FcResult res;
    FcPattern *m = FcFontMatch(NULL, p, &res);
    if (m) {
        FcChar8 *file = NULL;
        FcCharSet *cs = NULL;
        int idx = 0, weight = 0;
        FcPatternGetInteger(m, FC_INDEX, 0, &idx);
        FcPatternGetInteger(m, FC_WEIGHT, 0, &weight);
        /* Only a font that really covers Chinese will do ('中' and '￥'). */
        if (FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch &&
            FcPatternGetCharSet(m, FC_CHARSET, 0, &cs) == FcResultMatch &&
            FcCharSetHasChar(cs, 0x4E2D) && FcCharSetHasChar(cs, 0xFFE5) &&
            (!bold || weight >= FC_WEIGHT_BOLD)) {
            snprintf(path, cap, "%s", (const char *)file);
            *index = idx;
            found = 1;
        }
        FcPatternDestroy(m);
    }
    FcPatternDestroy(p);
    return found ? 0 : -1;
}

struct text_engine *text_create(SDL_Renderer *r, const char *font_file, const char *family,
                                char *err, size_t errcap)
{
    struct text_engine *te = calloc(1, sizeof *te);
    if (!te) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    te->r = r;
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, errcap, "SDL_ttf: %s", TTF_GetError());
        free(te);
        return NULL;
    }
    if (font_file && *font_file) {
        snprintf(te->path, sizeof te->path, "%s", font_file);
    } else if (fc_find(family, 0, te->path, sizeof te->path, &te->index) != 0) {
        snprintf(err, errcap,
                 "no font with Chinese characters found for family '%s' "
                 "(install fonts-noto-cjk or set display.font)",
                 family);
        text_destroy(te);
        return NULL;
    }
    if (!(font_file && *font_file) &&
        fc_find(family, 1, te->bold_path, sizeof te->bold_path, &te->bold_index) != 0)
        te->bold_path[0] = '\0'; /* synthesise bold from the regular face */

    TTF_Font *probe = TTF_OpenFontIndex(te->path, 24, te->index);
    if (!probe) {
        snprintf(err, errcap, "%s: cannot open font: %s", te->path, TTF_GetError());
        text_destroy(te);
        return NULL;
    }
    TTF_CloseFont(probe);
    log_info("text", "font %s (bold %s)", te->path, te->bold_path[0] ? te->bold_path : "synthetic");
    return te;
}

void text_destroy(struct text_engine *te)
{
    if (!te)
        return;
    text_flush(te);
    for (int i = 0; i < 2; i++)
        if (te->faces[i].font)
            TTF_CloseFont(te->faces[i].font);
    free(te);
    FcFini(); /* fontconfig's caches; it starts again on the next text_create() */
}

const char *text_font_path(const struct text_engine *te)
{
    return te->path;
}

/* One FreeType face per weight, resized on demand: a CJK face costs megabytes, a size
 * change only a flushed glyph cache (and rendered strings are cached above it anyway). */
static TTF_Font *face(struct text_engine *te, int px, int bold)
{
    struct face *f = &te->faces[bold ? 1 : 0];
    if (!f->font) {
        if (bold && te->bold_path[0]) {
            f->font = TTF_OpenFontIndex(te->bold_path, px, te->bold_index);
        } else {
            f->font = TTF_OpenFontIndex(te->path, px, te->index);
            if (f->font && bold)
                TTF_SetFontStyle(f->font, TTF_STYLE_BOLD);
        }
        if (!f->font) {
            log_error("text", "cannot open %s at %d px: %s", te->path, px, TTF_GetError());
            return NULL;
        }
        TTF_SetFontHinting(f->font, TTF_HINTING_LIGHT);
        f->px = px;
    } else if (f->px != px) {
        if (TTF_SetFontSize(f->font, px) != 0)
            return NULL;
        f->px = px;
    }
    return f->font;
}

/* Decodes one UTF-8 code point at s; returns its length (1 for invalid bytes). */
static int utf8_next(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    if ((u[0] & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if ((u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        return 3;
    }
    if ((u[0] & 0xF8) == 0xF0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80 &&
        (u[3] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
              ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
        return 4;
    }
    *cp = 0xFFFD;
    return 1;
}

static int is_cjk(uint32_t c)
{
    return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x20000 && c <= 0x2FFFF);
}

/* Characters that must not begin a line (closing punctuation). */
static int no_line_start(uint32_t c)
{
    static const uint32_t set[] = {0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01,
                                   0xFF1F, 0xFF09, 0x300D, 0x300F, 0x300B, 0x3011, ',',
                                   '.',    ':',    ';',    '!',    '?',    ')'};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        if (set[i] == c)
            return 1;
    return 0;
}

static int width_of(TTF_Font *f, const char *s, size_t len)
{
    char buf[1024];
    int w = 0, h = 0;
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    TTF_SizeUTF8(f, buf, &w, &h);
    return w;
}

struct line {
    size_t off, len;
};

/* Greedy wrap into lines; returns the number of lines. A line ends after a separator
 * ("朝阳路加油站 • / Chaoyang Rd Station") if it has one, else between phrases (after
 * punctuation or a space) rather than inside a Chinese word when that keeps at least half
 * of the line: 选油枪、扫码支付， / 一分钟完成, not 选油枪、扫码支 / 付，一分钟完成. */
static int wrap(TTF_Font *f, const char *s, int wrap_w, struct line *lines, int maxl)
{
    int n = 0;
    size_t start = 0, i = 0, last_break = 0, phrase_break = 0, sep_break = 0, slen = strlen(s);
    while (start < slen && n < maxl) {
        uint32_t prev = 0;
        last_break = phrase_break = sep_break = 0;
        i = start;
        size_t end = slen;
        int hard = 0;
        while (i < slen) {
            uint32_t cp, nx = 0;
            int l = utf8_next(s + i, &cp);
            if (cp == '\n') {
                end = i;
                hard = 1;
                break;
            }
            if (i + (size_t)l < slen)
                utf8_next(s + i + l, &nx);
            if (wrap_w > 0 && i > start && width_of(f, s + start, i + (size_t)l - start) > wrap_w) {
                if (sep_break > start)
                    end = sep_break;
                else if (phrase_break > start && (phrase_break - start) * 2 >= i - start)
                    end = phrase_break;
                else
                    end = last_break > start ? last_break : i;
                break;
            }
            i += (size_t)l;
            /* A break is allowed after a space, or around CJK characters unless the
             * next character is closing punctuation. */
            if ((cp == ' ' || is_cjk(cp) || (nx && is_cjk(nx))) && !(nx && no_line_start(nx))) {
                last_break = i;
                if (cp == ' ' || no_line_start(cp))
                    phrase_break = i;
                if (cp == ' ' && (prev == 0x2022 || prev == 0x00B7 || prev == 0x30FB))
                    sep_break = i; /* after "• " */
            }
            prev = cp;
        }
        size_t len = end - start;
        while (len > 0 && s[start + len - 1] == ' ')
            len--;
        lines[n++] = (struct line){start, len};
        start = end + (hard ? 1 : 0);
        while (!hard && start < slen && s[start] == ' ')
            start++;
    }
    return n;
}

/* When the last line is an orphan (under a third of the width), the narrowest wrap width
 * that still gives the same number of lines; otherwise the width as it is, so lines keep
 * ending between phrases. */
static int balanced_width(TTF_Font *f, const char *s, int wrap_w, const struct line *got,
                          int nlines)
{
    struct line lines[MAX_LINES];
    if (wrap_w <= 0 || nlines < 2 ||
        width_of(f, s + got[nlines - 1].off, got[nlines - 1].len) * 3 >= wrap_w)
        return wrap_w;
    int lo = wrap_w / 2, hi = wrap_w;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (wrap(f, s, mid, lines, MAX_LINES) <= nlines)
            hi = mid;
        else
            lo = mid + 1;
    }
    return hi;
}

int text_measure(struct text_engine *te, const char *s, int px, int bold, int wrap_w, int *w,
                 int *h)
{
    struct line lines[MAX_LINES];
    TTF_Font *f = face(te, px, bold);
    *w = *h = 0;
    if (!f || !s || !*s)
        return f ? 0 : -1;
    int n = wrap(f, s, wrap_w, lines, MAX_LINES);
    for (int i = 0; i < n; i++) {
        int lw = width_of(f, s + lines[i].off, lines[i].len);
        if (lw > *w)
            *w = lw;
    }
    *h = n * TTF_FontLineSkip(f);
    return 0;
}

SDL_Surface *text_surface(struct text_engine *te, const char *s, int px, int bold, uint32_t rgba,
                          enum text_align align, int wrap_w)
{
    struct line lines[MAX_LINES];
    TTF_Font *f = face(te, px, bold);
    if (!f || !s || !*s)
        return NULL;
    int n = wrap(f, s, wrap_w, lines, MAX_LINES);
    int bw = balanced_width(f, s, wrap_w, lines, n);
    if (bw != wrap_w)
        n = wrap(f, s, bw, lines, MAX_LINES);
    int skip = TTF_FontLineSkip(f), w = 1;
    SDL_Surface *ls[MAX_LINES] = {0};
    SDL_Color c = {(Uint8)(rgba >> 24), (Uint8)(rgba >> 16), (Uint8)(rgba >> 8), (Uint8)rgba};
    for (int i = 0; i < n; i++) {
        char buf[1024];
        size_t len = lines[i].len < sizeof buf - 1 ? lines[i].len : sizeof buf - 1;
        memcpy(buf, s + lines[i].off, len);
        buf[len] = '\0';
        if (len)
            ls[i] = TTF_RenderUTF8_Blended(f, buf, c);
        if (ls[i] && ls[i]->w > w)
            w = ls[i]->w;
    }
    SDL_Surface *out = SDL_CreateRGBSurfaceWithFormat(0, w, n * skip, 32, SDL_PIXELFORMAT_ARGB8888);
    if (out) {
        SDL_FillRect(out, NULL, SDL_MapRGBA(out->format, c.r, c.g, c.b, 0));
        for (int i = 0; i < n; i++) {
            if (!ls[i])
                continue;
            SDL_Rect d = {0, i * skip, ls[i]->w, ls[i]->h};
            if (align == ALIGN_CENTER)
                d.x = (w - ls[i]->w) / 2;
            else if (align == ALIGN_RIGHT)
                d.x = w - ls[i]->w;
            SDL_SetSurfaceBlendMode(ls[i], SDL_BLENDMODE_NONE);
            SDL_BlitSurface(ls[i], NULL, out, &d);
        }
    }
    for (int i = 0; i < n; i++)
        SDL_FreeSurface(ls[i]);
    return out;
}

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void drop(struct text_engine *te, struct cache_entry *e)
{
    if (e->tex) {
        SDL_DestroyTexture(e->tex);
        te->bytes -= (size_t)e->w * (size_t)e->h * 4;
    }
    free(e->text);
    memset(e, 0, sizeof *e);
}

SDL_Texture *text_get(struct text_engine *te, const char *s, int px, int min_px, int bold,
                      uint32_t rgba, enum text_align align, int box_w, int box_h, int *w, int *h)
{
    *w = *h = 0;
    if (!s || !*s)
        return NULL;
    uint32_t hs = hash_str(s);
    struct cache_entry *victim = NULL;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct cache_entry *e = &te->cache[i];
        if (!e->text) {
            if (!victim || victim->text)
                victim = e;
            continue;
        }
        if (e->hash == hs && e->px == px && e->min_px == min_px && e->bold == bold &&
            e->rgba == rgba && e->align == (int)align && e->box_w == box_w &&
            e->box_h == box_h && strcmp(e->text, s) == 0) {
            e->used = te->frame;
            *w = e->w;
            *h = e->h;
            return e->tex;
        }
        if (!victim || (victim->text && e->used < victim->used))
            victim = e;
    }
    /* Shrink until it fits the box. */
    int use_px = px;
    if (min_px <= 0 || min_px > px)
        min_px = px;
    while (use_px > min_px) {
        int mw, mh;
        if (text_measure(te, s, use_px, bold, box_w, &mw, &mh) != 0)
            return NULL;
        if ((box_h <= 0 || mh <= box_h) && (box_w <= 0 || mw <= box_w))
            break;
        use_px = use_px * 9 / 10;
        if (use_px < min_px)
            use_px = min_px;
    }
    SDL_Surface *surf = text_surface(te, s, use_px, bold, rgba, align, box_w);
    if (!surf)
        return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(te->r, surf);
    int tw = surf->w, th = surf->h;
    SDL_FreeSurface(surf);
    if (!tex)
        return NULL;
    SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
    if (victim->text)
        drop(te, victim);
    char *copy = strdup(s);
    if (!copy) {
        SDL_DestroyTexture(tex);
        return NULL;
    }
    *victim = (struct cache_entry){copy, hs, rgba, px, min_px, bold, (int)align, box_w, box_h,
                                   tex, tw, th, te->frame};
    te->bytes += (size_t)tw * (size_t)th * 4;
    *w = tw;
    *h = th;
    return tex;
}

void text_evict(struct text_engine *te)
{
    /* Never drop what the frame just drawn uses. */
    while (te->bytes > CACHE_BUDGET) {
        struct cache_entry *old = NULL;
        for (int i = 0; i < CACHE_SLOTS; i++)
            if (te->cache[i].text && te->cache[i].used < te->frame &&
                (!old || te->cache[i].used < old->used))
                old = &te->cache[i];
        if (!old)
            break;
        drop(te, old);
    }
    te->frame++;
}

void text_flush(struct text_engine *te)
{
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (te->cache[i].text)
            drop(te, &te->cache[i]);
}

size_t text_cache_bytes(const struct text_engine *te)
{
    return te->bytes;
}
