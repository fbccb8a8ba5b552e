#include "printer/bitmap.h"

#include <stdlib.h>
#include <string.h>

struct bitmap *bitmap_create(int width, int height)
{
    if (width < 1 || width > 4096 || height < 0 || height > 65535)
        return NULL;
    struct bitmap *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->width = width;
    b->height = height;
    b->stride = (width + 7) / 8;
    b->rows_cap = height ? height : 1;
    b->bits = calloc((size_t)b->stride * (size_t)b->rows_cap, 1);
    if (!b->bits) {
        free(b);
        return NULL;
    }
    return b;
}

void bitmap_destroy(struct bitmap *b)
{
    if (!b)
        return;
    free(b->bits);
    free(b);
}

void bitmap_set(struct bitmap *b, int x, int y, int black)
{
    if (x < 0 || y < 0 || x >= b->width || y >= b->height)
        return;
    uint8_t *p = &b->bits[(size_t)y * (size_t)b->stride + (size_t)(x / 8)];
    uint8_t m = (uint8_t)(0x80u >> (x % 8));
    *p = black ? (uint8_t)(*p | m) : (uint8_t)(*p & ~m);
}

int bitmap_get(const struct bitmap *b, int x, int y)
{
    if (x < 0 || y < 0 || x >= b->width || y >= b->height)
        return 0;
    return (b->bits[(size_t)y * (size_t)b->stride + (size_t)(x / 8)] >> (7 - x % 8)) & 1;
}

void bitmap_blit_grey(struct bitmap *b, int x0, int y0, const uint8_t *grey, int w, int h,
                      int pitch, int threshold)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (grey[(size_t)y * (size_t)pitch + (size_t)x] < threshold)
                bitmap_set(b, x0 + x, y0 + y, 1);
}

void bitmap_fill(struct bitmap *b, int x, int y, int w, int h)
{
    for (int yy = y; yy < y + h; yy++)
        for (int xx = x; xx < x + w; xx++)
            bitmap_set(b, xx, yy, 1);
}

int bitmap_grow(struct bitmap *b, int height)
{
    if (height <= b->height)
        return 0;
    if (height > 65535)
        return -1;
    if (height > b->rows_cap) {
        /* Doubling keeps a page fed line by line linear, not quadratic, in copying. */
        int cap = b->rows_cap * 2 > height ? b->rows_cap * 2 : height;
        if (cap > 65535)
            cap = 65535;
        uint8_t *n = realloc(b->bits, (size_t)b->stride * (size_t)cap);
        if (!n)
            return -1;
        b->bits = n;
        b->rows_cap = cap;
    }
    memset(b->bits + (size_t)b->stride * (size_t)b->height, 0,
           (size_t)b->stride * (size_t)(height - b->height));
    b->height = height;
    return 0;
}
