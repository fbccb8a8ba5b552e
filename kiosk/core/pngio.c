#include "core/pngio.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpng reports errors through a callback that must not return: the message is kept for
 * the caller and control goes back to the setjmp() of the call in progress. */
struct pngio_err {
    char *buf;
    size_t cap;
};

static void on_error(png_structp png, png_const_charp msg)
{
    struct pngio_err *e = png_get_error_ptr(png);
    if (e && e->buf && e->cap)
        snprintf(e->buf, e->cap, "libpng: %s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* warnings (an unknown chunk, a CRC we accept) are not failures */
}

int pngio_write_rows(const char *path, int w, int h, int channels, pngio_row_fn fill,
                     void *user, const char *key, const char *text, char *err, size_t errcap)
{
    struct pngio_err e = {err, errcap};
    if (w < 1 || h < 1 || (channels != 1 && channels != 3)) {
        snprintf(err, errcap, "%s: cannot write a %dx%d image of %d channels", path, w, h,
                 channels);
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return -1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &e, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *row = malloc((size_t)w * (size_t)channels);
    int rc = -1;
    snprintf(err, errcap, "%s: out of memory", path);
    if (!png || !info || !row)
        goto end;
    if (setjmp(png_jmpbuf(png)))
        goto end;
    png_init_io(png, f);
    png_set_compression_level(png, 6);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                 channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (key && text) {
        png_text t = {.compression = PNG_TEXT_COMPRESSION_NONE,
                      .key = (png_charp)key,
                      .text = (png_charp)text,
                      .text_length = strlen(text)};
        png_set_text(png, info, &t, 1);
    }
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        fill(user, y, row);
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    rc = 0;
end:
    if (png)
        png_destroy_write_struct(&png, info ? &info : NULL);
    free(row);
    if (fclose(f) != 0 && rc == 0) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc != 0)
        remove(path); /* never leave half a picture behind */
    else if (errcap)
        err[0] = '\0';
    return rc;
}

struct mem_rows {
    const unsigned char *px;
    size_t stride, len;
};

static void copy_row(void *user, int y, unsigned char *row)
{
    const struct mem_rows *m = user;
    memcpy(row, m->px + (size_t)y * m->stride, m->len);
}

int pngio_write(const char *path, int w, int h, int channels, const unsigned char *px,
                size_t stride, const char *key, const char *text, char *err, size_t errcap)
{
    struct mem_rows m = {px, stride, (size_t)(w > 0 ? w : 0) * (size_t)channels};
    return pngio_write_rows(path, w, h, channels, copy_row, &m, key, text, err, errcap);
}

/* Copies the text of tEXt/zTXt/iTXt keyword `key` out of `info`, if there is one. */
static char *find_text(png_structp png, png_infop info, const char *key)
{
    png_textp t = NULL;
    int n = 0;
    if (!key || !png_get_text(png, info, &t, &n))
        return NULL;
    for (int i = 0; i < n; i++)
        if (t[i].key && !strcmp(t[i].key, key)) {
            size_t len = t[i].text_length ? t[i].text_length : t[i].itxt_length;
            char *s = malloc(len + 1);
            if (s) {
                memcpy(s, t[i].text ? t[i].text : "", len);
                s[len] = '\0';
            }
            return s;
        }
    return NULL;
}

int pngio_read_rgb(const char *path, const char *key, struct pngio_image *img, char *err,
                   size_t errcap)
{
    struct pngio_err e = {err, errcap};
    memset(img, 0, sizeof *img);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return -1;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &e, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    png_infop end_info = png ? png_create_info_struct(png) : NULL;
    /* set after setjmp() and read after a longjmp(): volatile so they are not lost */
    unsigned char *volatile rgb = NULL;
    char *volatile text = NULL;
    png_bytep *volatile rows = NULL;
    int rc = -1;
    snprintf(err, errcap, "%s: out of memory", path);
    if (!png || !info || !end_info)
        goto end;
    if (setjmp(png_jmpbuf(png)))
        goto end;
    png_init_io(png, f);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int type = png_get_color_type(png, info);
    /* whatever is stored, 8-bit RGB comes out */
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    if (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (w < 1 || h < 1 || w > 16384 || h > 16384 || png_get_rowbytes(png, info) != w * 3) {
        snprintf(err, errcap, "%s: unexpected PNG layout (%ux%u)", path, (unsigned)w,
                 (unsigned)h);
        goto end;
    }
    rgb = malloc((size_t)w * h * 3);
    rows = malloc(h * sizeof *rows);
    if (!rgb || !rows)
        goto end;
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = rgb + (size_t)y * w * 3;
    png_read_image(png, rows);
    png_read_end(png, end_info);
    text = find_text(png, info, key);
    if (!text)
        text = find_text(png, end_info, key);
    img->w = (int)w;
    img->h = (int)h;
    rc = 0;
end:
    if (png)
        png_destroy_read_struct(&png, info ? &info : NULL, end_info ? &end_info : NULL);
    fclose(f);
    free(rows);
    if (rc != 0) {
        free(rgb);
        free(text);
        return -1;
    }
    img->rgb = rgb;
    img->text = text;
    if (errcap)
        err[0] = '\0';
    return 0;
}

void pngio_free(struct pngio_image *img)
{
    free(img->rgb);
    free(img->text);
    memset(img, 0, sizeof *img);
}
