/* A 1-bit raster image as a receipt printer sees it: rows of packed bytes, the high bit
 * is the leftmost dot, 1 = black. */
#ifndef DRIVERS_PRINTER_BITMAP_H
#define DRIVERS_PRINTER_BITMAP_H

#include <stddef.h>
#include <stdint.h>

struct bitmap {
    int width, height;  /* dots */
    int stride;         /* bytes per row = (width + 7) / 8 */
    uint8_t *bits;      /* stride * rows_cap bytes, owned */
    int rows_cap;       /* rows allocated: bitmap_grow doubles it, so growing is linear */
};

/* A white bitmap; NULL on bad size (width 1..4096, height 0..65535) or no memory. */
struct bitmap *bitmap_create(int width, int height);
void bitmap_destroy(struct bitmap *b); /* NULL-safe */
void bitmap_set(struct bitmap *b, int x, int y, int black);
int bitmap_get(const struct bitmap *b, int x, int y);
/* Black where an 8-bit grey buffer (w x h, `pitch` bytes a row) is darker than threshold,
 * drawn at (x0, y0); clipped to the bitmap. */
void bitmap_blit_grey(struct bitmap *b, int x0, int y0, const uint8_t *grey, int w, int h,
                      int pitch, int threshold);
/* Fills a rectangle black (clipped). */
void bitmap_fill(struct bitmap *b, int x, int y, int w, int h);
/* Grows the height to `height` rows (white), keeping the content. 0 or -1. */
int bitmap_grow(struct bitmap *b, int height);

#endif
