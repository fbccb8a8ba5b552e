#include "kiosk/app/shot.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>

#include "kiosk/core/log.h"

int shot_write_png(const SDL_Surface *s, const char *path)
{
    if (s->format->format != SDL_PIXELFORMAT_ARGB8888 &&
        s->format->format != SDL_PIXELFORMAT_RGB888) {
        log_error("shot", "%s: unsupported pixel format %s", path,
                  SDL_GetPixelFormatName(s->format->format));
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        log_error("shot", "%s: cannot create", path);
        return -1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *row = malloc((size_t)s->w * 3);
    int rc = -1;
    if (!png || !info || !row)
        goto end;
    if (setjmp(png_jmpbuf(png)))
        goto end;
    png_init_io(png, f);
    png_set_compression_level(png, 6);
    png_set_IHDR(png, info, (png_uint_32)s->w, (png_uint_32)s->h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < s->h; y++) {
        const Uint32 *px = (const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch);
        for (int x = 0; x < s->w; x++) {
            row[x * 3] = (unsigned char)(px[x] >> 16);
            row[x * 3 + 1] = (unsigned char)(px[x] >> 8);
            row[x * 3 + 2] = (unsigned char)px[x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    rc = 0;
end:
    if (png)
        png_destroy_write_struct(&png, info ? &info : NULL);
    free(row);
    if (fclose(f) != 0)
        rc = -1;
    if (rc != 0)
        log_error("shot", "%s: cannot write PNG", path);
    return rc;
}
