/* PNG files: the one module that uses libpng. Writes 8-bit grey or RGB images a row at a
 * time (a screenshot is never copied whole) with an optional tEXt chunk, and reads any PNG
 * back as 8-bit RGB with the text of one tEXt keyword. Screenshots, the printer emulator's
 * pages and the golden-screenshot comparison all go through it. */
#ifndef KIOSK_CORE_PNGIO_H
#define KIOSK_CORE_PNGIO_H

#include <stddef.h>

/* Fills `row` (w * channels bytes) with image row `y`, top to bottom. */
typedef void (*pngio_row_fn)(void *user, int y, unsigned char *row);

/* Writes a w x h image of `channels` (1 = grey, 3 = RGB) to `path`, its rows asked of
 * `fill` in order. With `key` non-NULL, a tEXt chunk key = text goes before the pixels
 * (key: 1..79 printable Latin-1 characters). 0, or -1 with the reason in err. */
int pngio_write_rows(const char *path, int w, int h, int channels, pngio_row_fn fill,
                     void *user, const char *key, const char *text, char *err, size_t errcap);

/* The same from pixels in memory: row y starts at px + y * stride. */
int pngio_write(const char *path, int w, int h, int channels, const unsigned char *px,
                size_t stride, const char *key, const char *text, char *err, size_t errcap);

struct pngio_image {
    int w, h;
    unsigned char *rgb; /* w * h * 3 bytes, rows top to bottom, no padding */
    char *text;         /* the tEXt chunk asked for, or NULL when the file has none */
};

/* Reads `path` (any bit depth and colour type: converted to 8-bit RGB, alpha dropped)
 * into `img`, with the text of tEXt keyword `key` (may be NULL). 0, or -1 with the reason
 * in err. Free with pngio_free(). */
int pngio_read_rgb(const char *path, const char *key, struct pngio_image *img, char *err,
                   size_t errcap);
void pngio_free(struct pngio_image *img);

#endif
