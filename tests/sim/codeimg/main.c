/* kiosk-codeimg: writes a test image of a code as a camera would see it (codeimg.h), for the
 * camera simulator's scenarios (`show FILE.png` on its control file).
 * usage: kiosk-codeimg qr|ean13|ean8|code128 TEXT OUT.png [--size WxH] [--module PX]
 *          [--rotate DEG] [--blur SIGMA] [--contrast DARK,LIGHT] [--invert] [--noise N]
 * EAN-13 and EAN-8 take 12 or 7 digits (the check digit is added) or all 13 or 8. Without
 * --size the image is the symbol with its quiet zones and a margin. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codeimg.h"

static int usage(void)
{
    fprintf(stderr, "usage: kiosk-codeimg qr|ean13|ean8|code128 TEXT OUT.png [--size WxH] "
                    "[--module PX] [--rotate DEG] [--blur SIGMA] [--contrast DARK,LIGHT] "
                    "[--invert] [--noise N]\n");
    return 2;
}

static int num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return usage();
    const char *kind = argv[1], *text = argv[2], *out = argv[3];
    int w = 0, h = 0, invert = 0, noise = 0, dark = 0, light = 255;
    double module = 3, angle = 0, sigma = 0;
    for (int i = 4; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d;
        if (!strcmp(a, "--invert")) {
            invert = 1;
            continue;
        }
        if (!v)
            return usage();
        i++;
        if (!strcmp(a, "--size")) {
            if (sscanf(v, "%dx%d", &w, &h) != 2 || w < 16 || h < 16 || w > 4096 || h > 4096)
                return usage();
        } else if (!strcmp(a, "--module") && num(v, 0.5, 64, &d) == 0) {
            module = d;
        } else if (!strcmp(a, "--rotate") && num(v, -360, 360, &d) == 0) {
            angle = d;
        } else if (!strcmp(a, "--blur") && num(v, 0, 20, &d) == 0) {
            sigma = d;
        } else if (!strcmp(a, "--noise") && num(v, 0, 128, &d) == 0) {
            noise = (int)d;
        } else if (!strcmp(a, "--contrast")) {
            if (sscanf(v, "%d,%d", &dark, &light) != 2 || dark < 0 || light > 255 || dark >= light)
                return usage();
        } else {
            return usage();
        }
    }

    struct cimg *sym = NULL;
    char ean[16];
    if (!strcmp(kind, "qr")) {
        sym = cimg_qr(text);
    } else if (!strcmp(kind, "ean13") || !strcmp(kind, "ean8")) {
        size_t n = strlen(text), full = !strcmp(kind, "ean13") ? 13 : 8;
        if (n == full - 1 && cimg_ean_complete(text, ean, sizeof ean) == 0)
            sym = cimg_ean(ean, full == 13 ? 60 : 50);
        else if (n == full)
            sym = cimg_ean(text, full == 13 ? 60 : 50);
    } else if (!strcmp(kind, "code128")) {
        sym = cimg_code128(text, 40);
    } else {
        return usage();
    }
    if (!sym) {
        fprintf(stderr, "kiosk-codeimg: '%s' cannot be a %s symbol\n", text, kind);
        return 1;
    }
    if (!w) {
        w = (int)(sym->w * module) + 40;
        h = (int)(sym->h * module) + 40;
    }
    struct cimg_view view;
    cimg_view_init(&view, w, h, module);
    view.angle = angle;
    view.blur = sigma;
    view.invert = invert;
    view.noise = noise;
    view.dark = (uint8_t)dark;
    view.light = (uint8_t)light;
    view.surround = (uint8_t)light;
    struct cimg *img = cimg_render(sym, &view);
    cimg_destroy(sym);
    if (!img) {
        fprintf(stderr, "kiosk-codeimg: cannot render\n");
        return 1;
    }
    char err[256];
    int rc = cimg_write_png(img, out, err, sizeof err);
    cimg_destroy(img);
    if (rc != 0) {
        fprintf(stderr, "kiosk-codeimg: %s\n", err);
        return 1;
    }
    return 0;
}
