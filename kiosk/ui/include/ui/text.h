/* Text: the CJK font (found through fontconfig, or a configured file), fonts opened per
 * size on first use, line wrapping that breaks between CJK characters and at spaces, and
 * a texture cache so a string is rasterised once, not every frame. The only module that
 * uses SDL_ttf and fontconfig. */
#ifndef KIOSK_UI_TEXT_H
#define KIOSK_UI_TEXT_H

#include <SDL.h>
#include <stddef.h>
#include <stdint.h>

enum text_align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

struct text_engine;

/* Finds the font (font_file if non-empty, else fontconfig's best match for `family`
 * that covers Chinese) and checks it opens. NULL with the reason in err on failure. */
struct text_engine *text_create(SDL_Renderer *r, const char *font_file, const char *family,
                                char *err, size_t errcap);
void text_destroy(struct text_engine *te); /* NULL-safe */

/* A texture of `utf8` wrapped to box_w and shrunk (from px down to min_px) until it fits
 * box_h; box_w/box_h 0 = unbounded. The texture belongs to the cache: valid until the
 * next text_evict(). *w and *h receive its size. NULL for empty text. */
SDL_Texture *text_get(struct text_engine *te, const char *utf8, int px, int min_px, int bold,
                      uint32_t rgba, enum text_align align, int box_w, int box_h, int *w,
                      int *h);
/* Size of `utf8` at px wrapped to wrap_w (0 = one line). 0 or -1. */
int text_measure(struct text_engine *te, const char *utf8, int px, int bold, int wrap_w, int *w,
                 int *h);
/* Drops least recently used textures until the cache is under its byte budget. */
void text_evict(struct text_engine *te);
/* Drops every cached texture (theme or size change). */
void text_flush(struct text_engine *te);
/* Bytes of texture memory held by the cache. */
size_t text_cache_bytes(const struct text_engine *te);
/* The font file in use (for logs and the health screen). */
const char *text_font_path(const struct text_engine *te);

/* Renders text to a new ARGB surface (for receipts and other off-screen images);
 * the caller frees it. NULL for empty text. */
SDL_Surface *text_surface(struct text_engine *te, const char *utf8, int px, int bold,
                          uint32_t rgba, enum text_align align, int wrap_w);

#endif
